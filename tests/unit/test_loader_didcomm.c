/*
 * test_loader_didcomm.c: edge agents' keys and encodings (base58, strict
 * base64, did:key, derivation) and the DIDComm v1 envelope: round trips,
 * envelopes packed by aries-askar (tests/data/didcomm, recorded through
 * ACA-Py 0.12.0's askar/didcomm/v1.py), and refusals of damaged ones.
 *
 * With MEDLOAD_DIDCOMM_INTEROP=DIR it also reads the envelopes
 * tests/tools/didcomm_askar.py made into DIR at test time and writes its
 * own (DIR/medload.cases) for that script to check: the integration test
 * 50-edge-envelopes runs both sides.
 */
#include "didcomm_crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "didcomm_envelope.h"
#include "files.h"
#include "jx.h"
#include "util.h"

static unsigned char test_rk[DCRYPTO_RUN_KEY];

/* Bytes from hex text into out; returns the length. */
static size_t
test_hex(const char *hex, unsigned char *out)
{
	size_t n = 0;
	unsigned v;

	while (hex[0] && hex[1] && sscanf(hex, "%2x", &v) == 1) {
		out[n++] = (unsigned char)v;
		hex += 2;
	}
	return n;
}

/* Base58 against the bitcoin test vectors, both ways. */
static void
test_b58_vectors(void)
{
	static const char *const v[][2] = {
		{ "", "" }, { "61", "2g" }, { "626262", "a3gV" },
		{ "636363", "aPEr" },
		{ "73696d706c792061206c6f6e6720737472696e67",
		    "2cFupjhnEsSn59qHXstmK2ffpLv2" },
		{ "00eb15231dfceb60925886b67d065299925915aeb172c06647",
		    "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L" },
		{ "516b6fcd0f", "ABnLTmg" },
		{ "bf4f89001e670274dd", "3SEo3LWLoPntC" },
		{ "572e4794", "3EFU7m" }, { "10c8511e", "Rt5zm" },
		{ "00000000000000000000", "1111111111" },
	};
	unsigned char in[64], out[64];
	char txt[128];
	size_t i, n, len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		n = test_hex(v[i][0], in);
		CHECK(dcrypto_b58_encode(in, n, txt, sizeof(txt)) ==
		    strlen(v[i][1]));
		CHECK_STR(txt, v[i][1]);
		CHECK(dcrypto_b58_decode(v[i][1], strlen(v[i][1]), out,
		    sizeof(out), &len) == 0);
		CHECK(len == n && memcmp(in, out, n) == 0);
	}
}

/* Base58 refuses what is not in its alphabet or does not fit. */
static void
test_b58_refusals(void)
{
	unsigned char out[40], big[DCRYPTO_B58_MAX + 1];
	char txt[300];
	size_t len;

	CHECK(dcrypto_b58_decode("3EF0U7m", 7, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b58_decode("3EFOU7m", 7, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b58_decode("3EFIU7m", 7, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b58_decode("3EFlU7m", 7, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b58_decode("3EF U7m", 7, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b58_decode("3EF\0U7m", 7, out, sizeof(out), &len) == -1);
	/* 2cFu... is 20 bytes: too many for 4 */
	CHECK(dcrypto_b58_decode("2cFupjhnEsSn59qHXstmK2ffpLv2", 28, out, 4,
	    &len) == -1);
	memset(big, 0xff, sizeof(big));
	CHECK(dcrypto_b58_encode(big, sizeof(big), txt, sizeof(txt)) == 0);
	CHECK(dcrypto_b58_encode(big, 4, txt, 3) == 0);
	memset(txt, 'z', 250);
	CHECK(dcrypto_b58_decode(txt, 250, out, sizeof(out), &len) == -1);
}

/* Base64: both alphabets, padded or not; RFC 4648 test vectors. */
static void
test_b64_vectors(void)
{
	static const char *const v[][3] = {
		{ "", "", "" }, { "f", "Zg==", "Zg" }, { "fo", "Zm8=", "Zm8" },
		{ "foo", "Zm9v", "Zm9v" }, { "foob", "Zm9vYg==", "Zm9vYg" },
		{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
		{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
	};
	unsigned char out[16], bin[3] = { 0xfb, 0xff, 0xbf };
	char txt[32];
	size_t i, len;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		size_t n = strlen(v[i][0]);

		dcrypto_b64_encode((const unsigned char *)v[i][0], n, 0, 1,
		    txt, sizeof(txt));
		CHECK_STR(txt, v[i][1]);
		dcrypto_b64_encode((const unsigned char *)v[i][0], n, 1, 0,
		    txt, sizeof(txt));
		CHECK_STR(txt, v[i][2]);
		CHECK(dcrypto_b64_decode(v[i][1], strlen(v[i][1]), 1, out,
		    sizeof(out), &len) == 0 && len == n &&
		    memcmp(out, v[i][0], n) == 0);
		CHECK(dcrypto_b64_decode(v[i][2], strlen(v[i][2]), 0, out,
		    sizeof(out), &len) == 0 && len == n);
	}
	dcrypto_b64_encode(bin, 3, 0, 1, txt, sizeof(txt));
	CHECK_STR(txt, "+/+/");
	dcrypto_b64_encode(bin, 3, 1, 0, txt, sizeof(txt));
	CHECK_STR(txt, "-_-_");
	CHECK(dcrypto_b64_decode("-_-_", 4, 1, out, 3, &len) == 0 &&
	    len == 3 && memcmp(out, bin, 3) == 0);
	CHECK(dcrypto_b64_encode(bin, 3, 1, 0, txt, 4) == 0);
}

/* Strict base64: one alphabet, exact padding, no stray bits or spaces. */
static void
test_b64_refusals(void)
{
	static const char *const bad[] = {
		"Zm9v+", "Zg=", "Zg===", "Zm8==", "Zm9vY", "Z", "Zh", "Zm9=",
		"Zm 9v", "Zm9v\n", "=Zm9", "Zm9v=", "Zg==Zg==", "Zm9vYmE==",
	};
	unsigned char out[16];
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (dcrypto_b64_decode(bad[i], strlen(bad[i]), 1, out,
		    sizeof(out), &len) != -1) {
			fprintf(stderr, "accepted \"%s\"\n", bad[i]);
			CHECK(0);
		}
	CHECK(dcrypto_b64_decode("-_-_", 4, 0, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b64_decode("+/+/", 4, 1, out, sizeof(out), &len) == -1);
	CHECK(dcrypto_b64_decode("Zm9vYmFy", 8, 1, out, 5, &len) == -1);
}

/* did:key and verkeys, against ACA-Py's DIDKey for the same key. */
static void
test_did_key(void)
{
	unsigned char pk[32], got[32];
	char dk[DCRYPTO_DIDKEY_MAX], vk[DCRYPTO_VK_MAX], frag[140];

	test_hex("6c2d48b1605684ef94363dc6158eeb6577466e1a36a740f2fc624617ed"
	    "b7712e", pk);
	dcrypto_verkey(pk, vk);
	CHECK_STR(vk, "8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu7K");
	dcrypto_did_key(pk, dk);
	CHECK_STR(dk, "did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th");
	CHECK(dcrypto_key_decode(dk, got) == 0 && memcmp(got, pk, 32) == 0);
	snprintf(frag, sizeof(frag), "%s#%s", dk, dk + 8);
	CHECK(dcrypto_key_decode(frag, got) == 0 && memcmp(got, pk, 32) == 0);
	CHECK(dcrypto_key_decode(vk, got) == 0 && memcmp(got, pk, 32) == 0);
	/* a fragment naming another key, a short key, another codec */
	CHECK(dcrypto_key_decode("did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mX"
	    "F5yci5ab7th#z6Mkabc", got) == -1);
	CHECK(dcrypto_key_decode("8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7",
	    got) == -1);
	CHECK(dcrypto_key_decode("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1"
	    "yECx2AtzE3KCc", got) == -1);
	CHECK(dcrypto_key_decode(NULL, got) == -1);
}

/*
 * Derivation: the same inputs give the same keys (the verkey of agent 1
 * was computed by tests/tools/didcomm_askar.py with hashlib and askar),
 * other indexes, purposes and seeds other keys; DIDs and message ids.
 */
static void
test_derive(void)
{
	struct dcrypto_key a, b;
	char vk[DCRYPTO_VK_MAX], did[DCRYPTO_DID_MAX], id[DCRYPTO_ID_MAX],
	    id2[DCRYPTO_ID_MAX];
	unsigned char rk2[DCRYPTO_RUN_KEY];

	dcrypto_derive(test_rk, 1, DCRYPTO_CONNECTION, &a);
	dcrypto_verkey(dcrypto_pk(&a), vk);
	CHECK_STR(vk, "NtfyBxkJxXGYuygiCKbufAzLRnphr3D933bnXNvsA5c");
	dcrypto_derive(test_rk, 2, DCRYPTO_CONNECTION, &b);
	dcrypto_verkey(dcrypto_pk(&b), vk);
	CHECK_STR(vk, "8sbyHaR3wTvyg2sLWuXk26XoAQJEYeL8RG9X8H8C4zA1");
	dcrypto_derive(test_rk, 1, DCRYPTO_RECIPIENT, &b);
	CHECK(memcmp(a.sk, b.sk, 64) != 0);
	dcrypto_run_key("interop", 8, rk2);
	dcrypto_derive(rk2, 1, DCRYPTO_CONNECTION, &b);
	CHECK(memcmp(a.sk, b.sk, 64) != 0);
	dcrypto_did(dcrypto_pk(&a), did);
	CHECK(strlen(did) >= 21 && strlen(did) <= 22);
	dcrypto_msg_id(test_rk, 1, 1, id);
	dcrypto_msg_id(test_rk, 1, 2, id2);
	CHECK(strlen(id) == 36 && id[14] == '4' && strcmp(id, id2) != 0);
	dcrypto_msg_id(test_rk, 1, 1, id2);
	CHECK_STR(id, id2);
}

/* Packs msg from agent from (0: Anoncrypt) to agent to; caller frees. */
static char *
test_pack(const char *msg, unsigned from, unsigned to, size_t *len)
{
	struct dcrypto_key f, t;
	unsigned char pk[1][32];

	dcrypto_derive(test_rk, to, DCRYPTO_CONNECTION, &t);
	dcrypto_derive(test_rk, from, DCRYPTO_CONNECTION, &f);
	memcpy(pk[0], dcrypto_pk(&t), 32);
	return denv_pack(msg, strlen(msg), (const unsigned char (*)[32])pk, 1,
	    from ? &f : NULL, len, NULL);
}

/* Unpacks env as agent as; the result and, on failure, *cause. */
static int
test_unpack(const char *env, size_t len, unsigned as, struct denv_opened *o,
    char **cause)
{
	struct dcrypto_key k;

	dcrypto_derive(test_rk, as, DCRYPTO_CONNECTION, &k);
	return denv_unpack(env, len, &k, o, cause);
}

/* Pack then unpack: plaintext and sender come back. */
static void
test_round_trip(void)
{
	const char *msg = "{\"@type\":\"https://didcomm.org/trust_ping/1.0/"
	    "ping\",\"comment\":\"caf\xc3\xa9\"}";
	struct dcrypto_key s;
	struct denv_opened o;
	char *env, *cause = NULL;
	size_t len;

	dcrypto_derive(test_rk, 2, DCRYPTO_CONNECTION, &s);
	env = test_pack(msg, 2, 1, &len);
	CHECK(env != NULL && strlen(env) == len);
	CHECK(test_unpack(env, len, 1, &o, &cause) == 0);
	CHECK_STR(o.msg, msg);
	CHECK(o.len == strlen(msg) && o.authcrypt);
	CHECK(memcmp(o.sender, dcrypto_pk(&s), 32) == 0);
	denv_opened_release(&o);
	free(env);
	env = test_pack(msg, 0, 1, &len);
	CHECK(test_unpack(env, len, 1, &o, &cause) == 0 && !o.authcrypt);
	CHECK_STR(o.msg, msg);
	denv_opened_release(&o);
	free(env);
	free(cause);
}

/* Expects env as agent as to be refused with a cause containing want. */
static void
test_refused(const char *env, size_t len, unsigned as, const char *want)
{
	struct denv_opened o;
	char *cause = NULL;

	CHECK(test_unpack(env, len, as, &o, &cause) == -1);
	CHECK(o.msg == NULL);
	if (cause == NULL || strstr(cause, want) == NULL) {
		fprintf(stderr, "cause \"%s\", want \"%s\"\n", cause ? cause :
		    "(none)", want);
		CHECK(0);
	}
	free(cause);
}

/* Replaces the first occurrence of from in s (same length) by to. */
static void
test_patch(char *s, const char *from, const char *to)
{
	char *p = strstr(s, from);

	if (p != NULL)
		memcpy(p, to, strlen(to));
	CHECK(p != NULL);
}

/*
 * env with its protected header re-encoded with "typ" changed (a field
 * nobody checks): only the payload's associated data differs. Caller frees.
 */
static char *
test_retyped(const char *env)
{
	const char *p = strstr(env, "\"protected\":\"") + 13;
	size_t n = strcspn(p, "\""), len;
	unsigned char *h = util_malloc(n);
	char *b64 = util_malloc(DCRYPTO_B64_LEN(n) + 8), *out;

	CHECK(dcrypto_b64_decode(p, n, 1, h, n, &len) == 0);
	h[len] = '\0';
	test_patch((char *)h, "JWM/1.0", "JWM/1.1");
	dcrypto_b64_encode(h, len, 1, 0, b64, DCRYPTO_B64_LEN(n) + 8);
	out = util_printf("{\"protected\":\"%s\"%s", b64, p + n + 1);
	free(h);
	free(b64);
	return out;
}

/* A damaged envelope, a wrong key, a truncated message: refused. */
static void
test_refusals(void)
{
	size_t len;
	char *env = test_pack("{\"a\":1}", 2, 1, &len), *p;
	char *copy = util_strdup(env);

	test_refused(env, len, 3, "not for this agent");
	test_refused(env, len / 2, 1, "not JSON (damaged or truncated)");
	test_refused(env, 0, 1, "not JSON");
	/* one character of the ciphertext changed */
	p = strstr(copy, "\"ciphertext\":\"") + 14;
	*p = *p == 'A' ? 'B' : 'A';
	test_refused(copy, len, 1, "payload does not authenticate");
	/* the ciphertext cut short inside valid JSON */
	strcpy(copy, env);
	p = strstr(copy, "\"ciphertext\":\"") + 14;
	memmove(p + 4, strstr(p, "\""), strlen(strstr(p, "\"")) + 1);
	test_refused(copy, strlen(copy), 1, "payload does not authenticate");
	/* the protected header changed: the AAD no longer matches */
	p = test_retyped(env);
	test_refused(p, strlen(p), 1, "payload does not authenticate");
	free(p);
	strcpy(copy, env);
	test_patch(copy, "\"tag\":\"", "\"tag\":\"*");
	test_refused(copy, len, 1, "tag is not base64url");
	strcpy(copy, env);
	test_patch(copy, "\"iv\":\"", "\"iv\":\"+");
	test_refused(copy, len, 1, "iv is not base64url");
	test_refused("[]", 2, 1, "no protected header");
	test_refused("{\"protected\":\"e30\"}", 19, 1, "enc is not");
	test_refused(env, DENV_MAX + 1, 1, "over");
	free(copy);
	free(env);
}

/*
 * Packs a protected header p (JSON text) into an envelope with a
 * meaningless payload; caller frees.
 */
static char *
test_with_header(const char *p)
{
	char b64[2048];

	dcrypto_b64_encode((const unsigned char *)p, strlen(p), 1, 0, b64,
	    sizeof(b64));
	return util_printf("{\"protected\":\"%s\",\"iv\":\"AAAAAAAAAAAAAAAA\","
	    "\"ciphertext\":\"\",\"tag\":\"AAAAAAAAAAAAAAAAAAAAAA\"}", b64);
}

/* Header rules: alg, a sender without iv, the content key's length. */
static void
test_header_rules(void)
{
	static const char *const c[][3] = {	/* alg, more, refusal */
		{ "ECDH-1PU", "", "alg is neither" },
		{ "Anoncrypt", ",\"sender\":\"AAAA\"",
		    "Anoncrypt with sender and iv" },
		{ "Authcrypt", ",\"sender\":\"AAAA\"",
		    "Authcrypt without sender and iv" },
		{ "Anoncrypt", "", "encrypted_key is not base64url of the "
		    "right length" },
	};
	struct dcrypto_key k;
	char vk[DCRYPTO_VK_MAX], *h, *env;
	size_t i;

	dcrypto_derive(test_rk, 1, DCRYPTO_CONNECTION, &k);
	dcrypto_verkey(dcrypto_pk(&k), vk);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		h = util_printf("{\"enc\":\"xchacha20poly1305_ietf\",\"alg\":"
		    "\"%s\",\"recipients\":[{\"encrypted_key\":\"AAAA\","
		    "\"header\":{\"kid\":\"%s\"%s}}]}", c[i][0], vk, c[i][1]);
		env = test_with_header(h);
		test_refused(env, strlen(env), 1, c[i][2]);
		free(env);
		free(h);
	}
}

/* The text of file dir/name (caller frees), or NULL. */
static char *
test_read(const char *dir, const char *name, size_t *len)
{
	char *path = util_printf("%s/%s", dir, name), *cause = NULL, *t;

	t = files_read(path, DENV_MAX + 1, len, &cause);
	if (t == NULL)
		fprintf(stderr, "%s\n", cause);
	free(cause);
	free(path);
	return t;
}

/* Opens a forward for router's recipient key; its msg as text. */
static char *
test_open_forward(char *env, size_t *len, unsigned router, unsigned recip)
{
	struct dcrypto_key r, k;
	struct denv_opened o;
	struct json_object *f;
	char vk[DCRYPTO_VK_MAX], *inner = NULL;

	dcrypto_derive(test_rk, router, DCRYPTO_RECIPIENT, &r);
	dcrypto_derive(test_rk, recip, DCRYPTO_CONNECTION, &k);
	dcrypto_verkey(dcrypto_pk(&k), vk);
	CHECK(denv_unpack(env, *len, &r, &o, NULL) == 0 && !o.authcrypt);
	f = json_tokener_parse(o.msg ? o.msg : "");
	CHECK_STR(json_object_get_string(json_object_object_get(f, "@type")),
	    "https://didcomm.org/routing/1.0/forward");
	CHECK_STR(json_object_get_string(json_object_object_get(f, "to")), vk);
	if (json_object_object_get(f, "msg") != NULL)
		inner = util_strdup(json_object_to_json_string_ext(
		    json_object_object_get(f, "msg"), JSON_C_TO_STRING_PLAIN));
	*len = inner ? strlen(inner) : 0;
	json_object_put(f);
	denv_opened_release(&o);
	free(env);
	return inner;
}

/* One case of a cases file made by askar: unpacks it as medload. */
static void
test_askar_case(const char *dir, const char *line)
{
	char name[64], sender[16], router[16], *env, *want, *f;
	unsigned recip;
	struct dcrypto_key s;
	struct denv_opened o;
	size_t len, wlen;
	char *cause = NULL;

	CHECK(sscanf(line, "%63s %u %15s %15s", name, &recip, sender,
	    router) == 4);
	f = util_printf("askar-%s.env", name);
	env = test_read(dir, f, &len);
	free(f);
	f = util_printf("askar-%s.txt", name);
	want = test_read(dir, f, &wlen);
	free(f);
	if (env != NULL && strcmp(router, "-") != 0)
		env = test_open_forward(env, &len, (unsigned)atoi(router), recip);
	CHECK(env != NULL && want != NULL);
	if (env != NULL && want != NULL) {
		if (test_unpack(env, len, recip, &o, &cause) == -1)
			fprintf(stderr, "%s: %s\n", name, cause);
		CHECK(o.msg != NULL && o.len == wlen &&
		    memcmp(o.msg, want, wlen) == 0);
		CHECK(o.authcrypt == (strcmp(sender, "-") != 0));
		dcrypto_derive(test_rk, (unsigned)atoi(sender),
		    DCRYPTO_CONNECTION, &s);
		CHECK(!o.authcrypt || memcmp(o.sender, dcrypto_pk(&s), 32) ==
		    0);
		denv_opened_release(&o);
	}
	free(cause);
	free(env);
	free(want);
}

/* Every case of dir/askar.cases; returns how many. */
static int
test_askar_dir(const char *dir)
{
	char *cases, *line, *save = NULL;
	size_t len;
	int n = 0;

	cases = test_read(dir, "askar.cases", &len);
	CHECK(cases != NULL);
	for (line = cases ? strtok_r(cases, "\n", &save) : NULL; line != NULL;
	    line = strtok_r(NULL, "\n", &save), n++)
		test_askar_case(dir, line);
	free(cases);
	return n;
}

/* Envelopes askar packed (recorded in tests/data/didcomm) unpack. */
static void
test_askar_recorded(void)
{
	const char *repo = getenv("REPO");
	char *dir = util_printf("%s/tests/data/didcomm", repo ? repo : ".");

	CHECK(test_askar_dir(dir) == 4);
	free(dir);
}

/* Writes dir/name with n bytes of p. */
static void
test_write(const char *dir, const char *name, const char *p, size_t n)
{
	char *path = util_printf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	CHECK(f != NULL && fwrite(p, 1, n, f) == n && fclose(f) == 0);
	free(path);
}

/* One envelope for askar to check: written with its plaintext. */
static void
test_medload_case(const char *dir, FILE *cases, const char *name,
    unsigned from, unsigned to, unsigned router)
{
	char *msg = util_printf("{\"@type\":\"https://didcomm.org/trust_ping/"
	    "1.0/ping\",\"@id\":\"medload-%s\",\"comment\":\"caf\xc3\xa9\"}",
	    name), *env, *f, *fw, id[DCRYPTO_ID_MAX];
	struct dcrypto_key r, t;
	size_t len;

	env = test_pack(msg, from, to, &len);
	if (router != 0) {
		dcrypto_derive(test_rk, router, DCRYPTO_RECIPIENT, &r);
		dcrypto_derive(test_rk, to, DCRYPTO_CONNECTION, &t);
		dcrypto_msg_id(test_rk, router, 1, id);
		fw = denv_forward(env, len, dcrypto_pk(&t), dcrypto_pk(&r), id,
		    &len, NULL);
		free(env);
		env = fw;
	}
	f = util_printf("medload-%s.env", name);
	test_write(dir, f, env, len);
	free(f);
	f = util_printf("medload-%s.txt", name);
	test_write(dir, f, msg, strlen(msg));
	free(f);
	fprintf(cases, "%s %u %s%.0u %s%.0u\n", name, to, from ? "" : "-",
	    from, router ? "" : "-", router);
	free(env);
	free(msg);
}

/* At test time: askar's envelopes in $MEDLOAD_DIDCOMM_INTEROP, and ours. */
static void
test_askar_live(void)
{
	const char *dir = getenv("MEDLOAD_DIDCOMM_INTEROP");
	char *path;
	FILE *cases;

	if (dir == NULL)
		return;
	CHECK(test_askar_dir(dir) >= 4);
	path = util_printf("%s/medload.cases", dir);
	cases = fopen(path, "w");
	CHECK(cases != NULL);
	if (cases != NULL) {
		test_medload_case(dir, cases, "authcrypt", 1, 2, 0);
		test_medload_case(dir, cases, "anoncrypt", 0, 2, 0);
		test_medload_case(dir, cases, "forward", 1, 2, 4);
		CHECK(fclose(cases) == 0);
	}
	free(path);
}

/* jx_parse_depth, which reads envelopes: bounded text, nesting, what
 * follows. */
static void
test_jx_parse_depth(void)
{
	struct json_object *o;
	char *cause = NULL;

	o = jx_parse_depth("{\"a\": [1]} \n", 12, 0, &cause);
	CHECK(jx_is_object(o));
	json_object_put(o);
	CHECK(jx_parse_depth("{\"a\": [1]}", 8, 0, &cause) == NULL);
	CHECK_STR(cause, "not a JSON document (cut short)");
	CHECK(jx_parse_depth("{} x", 4, 0, &cause) == NULL);
	CHECK_STR(cause, "not a JSON document (text after the end)");
	/* a NUL after the value is not white space */
	CHECK(jx_parse_depth("{}\0", 3, 0, &cause) == NULL);
	CHECK(jx_parse_depth("[[[[1]]]]", 9, 3, &cause) == NULL);
	o = jx_parse_depth("[[[[1]]]]", 9, 5, &cause);
	CHECK(o != NULL);
	json_object_put(o);
	free(cause);
}

int
main(void)
{
	char *cause = NULL;

	if (dcrypto_init(&cause) == -1) {
		fprintf(stderr, "%s\n", cause);
		return 1;
	}
	dcrypto_run_key("interop", 7, test_rk);
	RUN(test_jx_parse_depth);
	RUN(test_b58_vectors);
	RUN(test_b58_refusals);
	RUN(test_b64_vectors);
	RUN(test_b64_refusals);
	RUN(test_did_key);
	RUN(test_derive);
	RUN(test_round_trip);
	RUN(test_refusals);
	RUN(test_header_rules);
	RUN(test_askar_recorded);
	RUN(test_askar_live);
	return CHECK_EXIT();
}
