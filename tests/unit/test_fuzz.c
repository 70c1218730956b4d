/*
 * test_fuzz.c: mutated input for every parser that reads untrusted text
 * (trace records, the JSON scanner, report templates, durations and times,
 * invitation URLs, thresholds, .env text, YAML settings, CSV files, and
 * what edge agents read from a mediator: DIDComm envelopes (denv_unpack),
 * messages (dmsg_parse) and invitations (dmsg_invitation_read)). Each
 * mutant must get a documented answer: accepted, or refused with a reason,
 * and the same answer twice. Under the sanitizer pass (`make SANITIZE=address,undefined
 * check`) it also proves the parsers free of memory errors on these inputs.
 * Deterministic; MEDLOAD_FUZZ_SEED and MEDLOAD_FUZZ_ITERS explore further.
 */
#include "util.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "config.h"
#include "csv.h"
#include "didcomm_envelope.h"
#include "didcomm_msg.h"
#include "files.h"
#include "invite.h"
#include "jscan.h"
#include "threshold.h"
#include "timeutil.h"
#include "tmpl.h"
#include "trace.h"

#define FUZZ_MAX 8192

static uint64_t fuzz_state;
/* trace records accepted, refused; templates rendered, refused */
static long fuzz_seen[4];

/* xorshift64: the mutation source. */
static unsigned
fuzz_rand(void)
{
	fuzz_state ^= fuzz_state << 13;
	fuzz_state ^= fuzz_state >> 7;
	fuzz_state ^= fuzz_state << 17;
	return (unsigned)(fuzz_state >> 11);
}

/* Seeds: real inputs of each kind. */
static const char *const fuzz_seeds[] = {
	"{\"msg_id\": \"32f03167-a147\", \"thread_id\": \"32f03167-a147\", "
	"\"traced_type\": \"https://didcomm.org/connections/1.0/request\", "
	"\"timestamp\": 1795938957.90727, \"str_time\": \"2026-11-29 "
	"07:55:57.907270\", \"handler\": \"multi.agent.trace\", "
	"\"ellapsed_milli\": 12, \"outcome\": \"OutboundTransportManager."
	"DELIVER.END\"}",
	"{\"_index\": \"logstash-x\", \"_source\": {\"@timestamp\": "
	"\"2026-11-29T07:55:57.907Z\", \"handler\": \"mediator.trace\", "
	"\"elapsed_milli\": \"3.5\", \"outcome\": \"Dispatcher.handle_message"
	".END\", \"trace_label\": \"mediator.trace\"}}",
	"2026-11-29 07:55:57,907 aries_cloudagent.transport INFO {\"handler\":"
	" \"x\", \"ellapsed_milli\": 1e2, \"timestamp\": 1.5e9, \"outcome\": "
	"\"a\\u00e9\\ud83d\\ude00\"}",
	"# {{title}}\n{{#groups}}| {{key.handler}} | {{count}} | "
	"{{p95|ms}} |\n{{/groups}}{{^groups}}none{{/groups}}{{&raw}}",
	"http://127.0.0.1:3000?c_i=eyJAdHlwZSI6ICJodHRwczovL2RpZGNvbW0ub3Jn"
	"L2Nvbm5lY3Rpb25zLzEuMC9pbnZpdGF0aW9uIiwgImxhYmVsIjogIm0ifQ",
	"http://127.0.0.1:3000/?oob=eyJAdHlwZSI6ImEifQ%3D%3D&x=1",
	"p(95)<500", "avg<=200ms", "rate<0.01", "p(99.9) < +10%", "-30m",
	"2026-11-29T10:00:00Z", "1h2m3.5s", "90",
	"# the seed's .env\nSTEP_TIME=30\nexport STEP_LOAD = 10\n"
	"MEDIATOR_INVITATION_URL=\"http://x?c_i=e30 # not a comment\"\n",
	"Count,Message,Traceback,Nodes\r\n9,'connection',\"  File \"\"x.py\"\", "
	"line 42, in step\n    _ = r[\"\"c\"\"]\n\",local\r\n,Aggregated,168,13,"
	"N/A,\"a,b\",\"\"\r\n",
	"step_time: 30s\nstep_load: 10\nstages:\n  - {duration: 10s, users: "
	"5}\n  - duration: 20s\n    users: 10\nthresholds:\n  - \"p(95)<500\""
	"\nadmin_url: \"http://127.0.0.1:9014\"\n",
};

/* Fragments worth inserting. */
static const char *const fuzz_dict[] = {
	"\"", "\\", "{", "}", "[", "]", ",", ":", "\\u", "\\ud800", "1e999",
	"-0", "null", "true", "\xc3", "\xff", "{{", "}}", "{{&", "{{#",
	"{{/", "{{^", "|", "- ", "\n  ", "&a ", "*a", "!!binary ", "%", "=",
	"?c_i=", "?oob=", "<=", "p(", "NaN", "99999999999999999999", ".5",
	"\r\n", "\r", "\"\"", ",\"",
};

/* Mutates seed into buf (NUL-terminated). Returns the length. */
static size_t
fuzz_mutate(const char *seed, char *buf)
{
	size_t len = strlen(seed);
	int k, rounds = 1 + (int)(fuzz_rand() % 6);

	memcpy(buf, seed, len);
	for (k = 0; k < rounds; k++) {
		size_t pos = len ? fuzz_rand() % len : 0, n;
		const char *d;

		switch (fuzz_rand() % 5) {
		case 0:
			if (len)
				buf[pos] = (char)(fuzz_rand() % 255 + 1);
			break;
		case 1:
			n = fuzz_rand() % 16;
			if (n > len - pos)
				n = len - pos;
			memmove(buf + pos, buf + pos + n, len - pos - n);
			len -= n;
			break;
		case 2:
			d = fuzz_dict[fuzz_rand() % (sizeof(fuzz_dict) /
			    sizeof(fuzz_dict[0]))];
			n = strlen(d);
			if (len + n < FUZZ_MAX) {
				memmove(buf + pos + n, buf + pos, len - pos);
				memcpy(buf + pos, d, n);
				len += n;
			}
			break;
		case 3:
			len = pos;
			break;
		default:	/* repeat a stretch: deep nesting, long runs */
			n = fuzz_rand() % 64;
			if (len && len + n < FUZZ_MAX) {
				memmove(buf + pos + n, buf + pos, len - pos);
				memset(buf + pos, buf[fuzz_rand() % len], n);
				len += n;
			}
			break;
		}
	}
	buf[len] = '\0';
	return len;
}

/* Counts a broken answer; the first few are shown with their input. */
static void
fuzz_bad(int *bad, const char *what, const char *input)
{
	struct strbuf b;

	if ((*bad)++ >= 5)
		return;
	strbuf_init(&b, 0);
	util_safe_append(&b, input);
	fprintf(stderr, "test_fuzz: %s: \"%.300s\"\n", what, b.data);
	strbuf_release(&b);
}

/* A refusal must say why. */
static void
fuzz_refused(int rc, char **cause, int *bad, const char *what,
    const char *input)
{
	if (rc == -1 && (*cause == NULL || **cause == '\0'))
		fuzz_bad(bad, what, input);
	free(*cause);
	*cause = NULL;
}

static int
fuzz_env_cb(const char *k, const char *v, unsigned line, void *arg)
{
	(void)v;
	(void)line;
	return *k == '\0' ? (*(int *)arg = 1, 0) : 0;
}

static int
fuzz_item_cb(const char *item, size_t n, void *arg)
{
	(void)item;
	*(size_t *)arg += n;
	return 0;
}

/* Trace records and the JSON scanner. */
static void
fuzz_trace(const char *buf, size_t len, struct trace_parser *p,
    int *bad)
{
	struct jscan_member m[8];
	struct trace_event ev;
	enum trace_reject r, r2;
	enum jscan_type type;
	const char *detail, *err;
	size_t end, nm, sum = 0;

	r = trace_parse(p, buf, len, &ev, &detail);
	fuzz_seen[r == TRACE_OK ? 0 : 1]++;
	if (r == TRACE_OK) {
		/* a record may lack a handler; never an elapsed time */
		if (!(ev.elapsed_ms >= 0) || trace_parser_doc(p) == NULL)
			fuzz_bad(bad, "trace accepted without elapsed time or "
			    "document", buf);
	} else if (((unsigned)r >= TRACE_REJ_COUNT && r != TRACE_SKIP) ||
	    detail == NULL)
		fuzz_bad(bad, "trace refusal without a valid reason", buf);
	r2 = trace_parse(p, buf, len, &ev, &detail);
	if (r2 != r)
		fuzz_bad(bad, "trace answer changed on a second parse", buf);
	if (jscan_value(buf, len, &type, &end, m, 8, &nm, &err) == 0 ?
	    end > len : err == NULL)
		fuzz_bad(bad, "jscan_value end or error", buf);
	if (jscan_array_each(buf, len, fuzz_item_cb, &sum, &err) == 0 &&
	    sum > len)
		fuzz_bad(bad, "jscan_array_each items longer than the input", buf);
}

/* Templates: parsed, then rendered over a real analysis-like document. */
static void
fuzz_template(const char *buf, int *bad)
{
	struct json_object *doc;
	struct strbuf out;
	struct tmpl *t = NULL;
	char *cause = NULL;
	int rc;

	rc = tmpl_parse("fuzz", buf, (enum tmpl_escape)(fuzz_rand() % 4), &t,
	    &cause);
	if (rc == 0) {
		doc = json_tokener_parse("{\"title\": \"t<&>'\\u001b\", "
		    "\"raw\": \"r\", \"groups\": [{\"key\": {\"handler\": "
		    "\"h|x\"}, \"count\": 3, \"p95\": 1.5}]}");
		strbuf_init(&out, 1 << 20);
		rc = tmpl_render(t, doc, &out, &cause);
		strbuf_release(&out);
		json_object_put(doc);
		tmpl_free(t);
	}
	fuzz_seen[rc == 0 ? 2 : 3]++;
	fuzz_refused(rc, &cause, bad, "template refused without a reason", buf);
}

/* One mutant through every text parser. */
static void
fuzz_text(const char *buf, size_t len, int *bad)
{
	struct threshold *th = NULL;
	enum invite_kind kind;
	char *cause = NULL, *json = NULL;
	struct strbuf out;
	double d;
	size_t n;
	int rc, emptykey = 0;

	fuzz_template(buf, bad);
	time_parse(buf, &d);
	time_parse_duration(buf, &d);
	time_parse_when(buf, 1.8e9, &d);
	trace_parse_decimal(buf, &d);
	rc = invite_decode(buf, &kind, &json, &cause);
	if (rc == 0 && (json == NULL || json[strspn(json, " \t\r\n")] !=
	    '{'))
		fuzz_bad(bad, "invitation accepted but not an object", buf);
	free(json);
	fuzz_refused(rc, &cause, bad, "invitation refused without a reason",
	    buf);
	free(invite_b64_decode(buf, len, &n));
	rc = threshold_parse(buf, &th, &cause);
	if (rc == 0 && threshold_expr(th) == NULL)
		fuzz_bad(bad, "threshold accepted without its expression", buf);
	threshold_free(th);
	fuzz_refused(rc, &cause, bad, "threshold refused without a reason",
	    buf);
	rc = config_parse_env_text("fuzz", buf, fuzz_env_cb, &emptykey,
	    &cause);
	if (rc == 0 && emptykey)
		fuzz_bad(bad, "env text accepted with an empty name", buf);
	fuzz_refused(rc, &cause, bad, "env text refused without a reason",
	    buf);
	strbuf_init(&out, 0);
	util_safe_append(&out, buf);
	if (out.data != NULL && memchr(out.data, 0x1b, out.len) != NULL)
		fuzz_bad(bad, "safe text kept an escape character", buf);
	strbuf_release(&out);
}

/*
 * CSV as Python writes it: every record within the bounds, every refusal
 * with a reason naming the file and a line of the input.
 */
static void
fuzz_csv(const char *buf, size_t len, int *bad)
{
	FILE *f = fmemopen((void *)buf, len, "r");
	struct csv *c;
	char **fl, *cause = NULL, want[64];
	size_t n, i, lines = 1;
	int rc, records = 0;

	if (f == NULL || len == 0) {
		if (f != NULL)
			fclose(f);
		return;
	}
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	c = csv_from(f, "fuzz.csv");
	csv_limits(c, 40, 8);
	while ((rc = csv_next(c, &fl, &n, &cause)) == 1 && records++ < 1000) {
		if (n > 8)
			fuzz_bad(bad, "CSV record past the field bound", buf);
		for (i = 0; i < n; i++)
			if (strlen(fl[i]) > 40)
				fuzz_bad(bad, "CSV field past its bound", buf);
	}
	if (records > 1000)
		fuzz_bad(bad, "CSV reader does not end", buf);
	if (rc == -1) {
		unsigned long long at = 0;

		snprintf(want, sizeof(want), "fuzz.csv:");
		if (cause == NULL || strncmp(cause, want, strlen(want)) != 0 ||
		    sscanf(cause + strlen(want), "%llu", &at) != 1 || at < 1 ||
		    at > lines + 1)
			fuzz_bad(bad, "CSV refused without its file and line",
			    buf);
	}
	free(cause);
	csv_close(c);
	fclose(f);
}

/* YAML settings and thresholds files. */
static void
fuzz_yaml(const char *buf, size_t len, const char *path, int *bad)
{
	struct threshold_set ts;
	struct config c;
	char *cause = NULL;
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(buf, 1, len, f) != len) {
		fuzz_bad(bad, "cannot write the YAML file", buf);
		if (f != NULL)
			fclose(f);
		return;
	}
	fclose(f);
	config_init(&c);
	fuzz_refused(config_load_yaml(&c, path, &cause), &cause, bad,
	    "YAML settings refused without a reason", buf);
	config_release(&c);
	threshold_set_init(&ts);
	fuzz_refused(threshold_set_load_config(&ts, path, &cause), &cause,
	    bad, "YAML thresholds refused without a reason", buf);
	threshold_set_release(&ts);
}

/*
 * One mutant of an envelope askar packed for key me: refused with a reason
 * or, when accepted, holding the plaintext want (it is authenticated);
 * the same answer twice. Its plaintext's mutants go to the message and
 * invitation readers.
 */
static void
fuzz_envelope(const char *buf, size_t len, const struct dcrypto_key *me,
    const char *want, int *bad)
{
	struct denv_opened o, o2;
	struct dmsg_invitation inv;
	char *cause = NULL;
	int rc = denv_unpack(buf, len, me, &o, &cause);

	if (rc != denv_unpack(buf, len, me, &o2, NULL))
		fuzz_bad(bad, "envelope answered twice differently", buf);
	if (rc == 0 && strcmp(o.msg, want) != 0)
		fuzz_bad(bad, "damaged envelope opened to other text", buf);
	denv_opened_release(&o);
	denv_opened_release(&o2);
	fuzz_refused(rc, &cause, bad, "envelope refused without a reason",
	    buf);
	json_object_put(dmsg_parse(buf, len, "trust_ping/1.0/ping", NULL,
	    &cause));
	fuzz_refused(cause ? -1 : 0, &cause, bad, "message refused without "
	    "a reason", buf);
	rc = dmsg_invitation_read(buf, &inv, &cause);
	dmsg_invitation_release(&inv);
	fuzz_refused(rc, &cause, bad, "invitation refused without a reason",
	    buf);
}

/* Mutants of an envelope packed by askar (tests/data/didcomm). */
static void
fuzz_didcomm(long iters, int *bad)
{
	const char *repo = getenv("REPO");
	char *path = util_printf("%s/tests/data/didcomm/askar-authcrypt.env",
	    repo ? repo : "."), *env, *want, *cause = NULL;
	static char buf[FUZZ_MAX + 1];
	unsigned char rk[DCRYPTO_RUN_KEY];
	struct dcrypto_key me;
	size_t len;
	long i;

	env = files_read(path, FUZZ_MAX, &len, &cause);
	free(path);
	path = util_printf("%s/tests/data/didcomm/askar-authcrypt.txt",
	    repo ? repo : ".");
	want = files_read(path, FUZZ_MAX, &len, &cause);
	free(path);
	CHECK(env != NULL && want != NULL && dcrypto_init(NULL) == 0);
	dcrypto_run_key("interop", 7, rk);
	dcrypto_derive(rk, 1, DCRYPTO_CONNECTION, &me);
	for (i = 0; env != NULL && want != NULL && i < iters; i++) {
		len = fuzz_mutate(fuzz_rand() % 4 ? env : want, buf);
		fuzz_envelope(buf, len, &me, want, bad);
	}
	/* the unmutated envelope opens */
	if (env != NULL && want != NULL)
		fuzz_envelope(env, strlen(env), &me, want, bad);
	free(env);
	free(want);
	free(cause);
}

static void
test_fuzz(void)
{
	const char *env = getenv("MEDLOAD_FUZZ_ITERS");
	long iters = env != NULL ? atol(env) : 20000, i;
	size_t nseeds = sizeof(fuzz_seeds) / sizeof(fuzz_seeds[0]);
	struct trace_parser *p = trace_parser_new();
	char path[] = "/tmp/medload-fuzz-XXXXXX";
	static char buf[FUZZ_MAX + 1];
	int bad = 0, fd;

	env = getenv("MEDLOAD_FUZZ_SEED");
	fuzz_state = env != NULL ? strtoull(env, NULL, 10) : 20261129;
	if (fuzz_state == 0)
		fuzz_state = 1;
	fd = mkstemp(path);
	CHECK(fd != -1);
	if (fd != -1)
		close(fd);
	for (i = 0; i < iters; i++) {
		size_t s = fuzz_rand() % nseeds;
		size_t len = fuzz_mutate(fuzz_seeds[s], buf);

		fuzz_trace(buf, len, p, &bad);
		fuzz_text(buf, len, &bad);
		fuzz_csv(buf, len, &bad);
		if (s == nseeds - 1 && fd != -1)
			fuzz_yaml(buf, len, path, &bad);
	}
	if (fd != -1)
		unlink(path);
	trace_parser_free(p);
	fuzz_didcomm(iters / 4, &bad);
	if (bad)
		fprintf(stderr, "test_fuzz: %d answers broke the contract "
		    "(seed %s)\n", bad, env ? env : "20261129");
	CHECK(bad == 0);
	/* the mutants reach both answers of the main parsers */
	CHECK(iters < 1000 || (fuzz_seen[0] > 0 && fuzz_seen[1] > 0 &&
	    fuzz_seen[2] > 0 && fuzz_seen[3] > 0));
}

int
main(void)
{
	RUN(test_fuzz);
	return CHECK_EXIT();
}
