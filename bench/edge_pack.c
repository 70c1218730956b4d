/*
 * edge_pack.c: what one DIDComm v1 envelope costs an edge agent
 * (bench/edge): Authcrypt pack and unpack (and Anoncrypt, and a forward
 * wrap) of a trust ping and of a 2 KiB message, with medload's own
 * loader/didcomm_envelope.c over libsodium; and the bytes of state each
 * agent keeps (struct tenant and its edge agent, as allocated for 10,000
 * agents, measured with mallinfo2). Linked against medload's
 * objects by bench/edge; prints one line per measure.
 *
 * usage: edge_pack [ITERATIONS]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "didcomm_crypto.h"
#include "didcomm_envelope.h"
#include "edge.h"
#include "run_private.h"

/* Monotonic seconds. */
static double
bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Times n packs then n unpacks of msg from s (NULL: Anoncrypt) to r. */
static int
bench_one(const char *what, const char *msg, const struct dcrypto_key *s,
    const struct dcrypto_key *r, long n)
{
	unsigned char to[1][32];
	char **env = calloc((size_t)n, sizeof(*env));
	size_t *len = calloc((size_t)n, sizeof(*len));
	struct denv_opened o;
	double t0, t1, t2;
	long i, bad = 0;

	memcpy(to[0], dcrypto_pk(r), 32);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		env[i] = denv_pack(msg, strlen(msg),
		    (const unsigned char (*)[32])to, 1, s, &len[i], NULL);
	t1 = bench_now();
	for (i = 0; i < n; i++) {
		if (denv_unpack(env[i], len[i], r, &o, NULL) == -1)
			bad++;
		denv_opened_release(&o);
	}
	t2 = bench_now();
	printf("%-28s %6zu B message, %5zu B envelope: pack %6.1f us, unpack "
	    "%6.1f us, both %6.1f us (%.0f messages/s on one core)%s\n", what,
	    strlen(msg), len[0], (t1 - t0) / n * 1e6, (t2 - t1) / n * 1e6,
	    (t2 - t0) / n * 1e6, n / (t2 - t0), bad ? " FAILED" : "");
	for (i = 0; i < n; i++)
		free(env[i]);
	free(env);
	free(len);
	return bad ? 1 : 0;
}

/* Times n forward wraps of an envelope for a routing key. */
static void
bench_forward(const struct dcrypto_key *s, const struct dcrypto_key *r,
    const struct dcrypto_key *router, long n)
{
	unsigned char to[1][32];
	size_t len, flen;
	char *env, *fw;
	double t0;
	long i;

	memcpy(to[0], dcrypto_pk(r), 32);
	env = denv_pack("{\"a\":1}", 7, (const unsigned char (*)[32])to, 1, s,
	    &len, NULL);
	t0 = bench_now();
	for (i = 0; i < n; i++) {
		fw = denv_forward(env, len, dcrypto_pk(r), dcrypto_pk(router),
		    "f", &flen, NULL);
		free(fw);
	}
	printf("%-28s %6.1f us a wrap\n", "forward (Anoncrypt)",
	    (bench_now() - t0) / n * 1e6);
	free(env);
}

/*
 * The heap an agent takes, as the run allocates it: its struct tenant, its
 * edge agent (tenant.c, edge.c), its slots in the run's tenants and ready
 * arrays and its pending think timer (16 + 32 bytes), for n agents.
 */
static void
bench_heap(long n)
{
	void **t = calloc((size_t)n, sizeof(*t)), **e = calloc((size_t)n,
	    sizeof(*e));
	size_t before = mallinfo2().uordblks, after;
	long i;

	for (i = 0; i < n; i++) {
		t[i] = calloc(1, sizeof(struct tenant));
		e[i] = calloc(1, edge_agent_size());
	}
	after = mallinfo2().uordblks;
	printf("agent state: struct tenant %zu B + edge agent %zu B = %zu B; "
	    "on the heap %.0f B an agent (%ld agents), %.0f B with its array "
	    "slots and timer\n", sizeof(struct tenant), edge_agent_size(),
	    sizeof(struct tenant) + edge_agent_size(),
	    (double)(after - before) / n, n,
	    (double)(after - before) / n + 48);
	for (i = 0; i < n; i++) {
		free(t[i]);
		free(e[i]);
	}
	free(t);
	free(e);
}

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 5000;
	unsigned char rk[DCRYPTO_RUN_KEY];
	struct dcrypto_key a, b, c;
	char big[2100];
	const char *ping = "{\"@type\":\"https://didcomm.org/trust_ping/1.0/"
	    "ping\",\"@id\":\"0f8fad5b-d9cb-469f-a165-70867728950e\","
	    "\"response_requested\":true,\"comment\":\"medload run ping "
	    "mediator\",\"~transport\":{\"return_route\":\"all\"}}";
	int rc = 0;
	double t0;
	long i;

	if (n < 1 || dcrypto_init(NULL) == -1)
		return 2;
	dcrypto_run_key("bench", 1, rk);
	dcrypto_derive(rk, 1, DCRYPTO_CONNECTION, &a);
	dcrypto_derive(rk, 2, DCRYPTO_CONNECTION, &b);
	dcrypto_derive(rk, 3, DCRYPTO_RECIPIENT, &c);
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "{\"x\":\"", 6);
	memcpy(big + sizeof(big) - 3, "\"}", 2);
	rc |= bench_one("Authcrypt, trust ping", ping, &a, &b, n);
	rc |= bench_one("Anoncrypt, trust ping", ping, NULL, &b, n);
	rc |= bench_one("Authcrypt, 2 KiB", big, &a, &b, n);
	bench_forward(&a, &b, &c, n);
	t0 = bench_now();
	for (i = 0; i < n; i++)
		dcrypto_derive(rk, (uint32_t)i, DCRYPTO_CONNECTION, &a);
	printf("%-28s %6.1f us a key pair\n", "key derivation",
	    (bench_now() - t0) / n * 1e6);
	bench_heap(10000);
	return rc;
}
