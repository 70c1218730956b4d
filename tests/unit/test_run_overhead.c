/* test_run_overhead.c: a run's client latencies as an analysis, judged. */
#include "run_overhead.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"

/* A results document with one request name: n requests, p50 p95 p99. */
static struct json_object *
results(int n, double p50, double p95, double p99)
{
	char *s = NULL;
	struct json_object *r;
	int len;

	len = asprintf(&s, "{\"schema\":\"medload.run/1\",\"stats\":[{"
	    "\"method\":\"POST\",\"name\":\"021_ping_mediator\",\"count\":%d,"
	    "\"failures\":0,\"rps\":%d,\"latency_intended_ms\":{\"min\":1,"
	    "\"mean\":%g,\"max\":%g,\"p50\":%g,\"p90\":%g,\"p95\":%g,"
	    "\"p99\":%g,\"p99.9\":%g}}],\"total\":{\"count\":%d}}", n, n / 10,
	    p50, p99 * 1.1, p50, (p50 + p95) / 2, p95, p99, p99, n);
	r = len > 0 ? json_tokener_parse(s) : NULL;
	free(s);
	return r;
}

/* The document has the analysis shape compare reads: keys, stats. */
static void
test_client_doc(void)
{
	struct json_object *r = results(500, 10, 20, 30), *d, *g;

	d = run_overhead_client_doc(r);
	CHECK_STR(jx_str(jx_get(d, "schema"), ""), "medload.analysis/1");
	CHECK(jx_len(jx_get(d, "groups")) == 1);
	g = jx_at(jx_get(d, "groups"), 0);
	CHECK_STR(jx_str(jx_get(g, "key.handler"), ""), "POST");
	CHECK_STR(jx_str(jx_get(g, "key.outcome"), ""), "021_ping_mediator");
	CHECK(jx_int(g, "count", 0) == 500);
	CHECK(jx_get(g, "mean") == NULL);	/* no spread: not judged */
	CHECK_NUM(json_object_get_double(json_object_object_get(jx_get(g,
	    "percentiles"), "p99.9")), 30, 0);
	CHECK(jx_int(d, "events.accepted", 0) == 500);
	json_object_put(d);
	json_object_put(r);
}

/*
 * Compare's rules decide: a doubled median over 500 requests each is
 * worse; a 2% change is within the margin; 10 requests are too few.
 */
static void
test_noise_rules(void)
{
	struct compare_opts o;
	struct json_object *cases[3][2], *a, *b, *cmp;
	char *cause = NULL;
	int want[3] = { 1, 0, 0 }, i;

	compare_opts_init(&o);
	cases[0][0] = results(500, 10, 20, 30);
	cases[0][1] = results(500, 20, 40, 60);
	cases[1][0] = results(500, 10, 20, 30);
	cases[1][1] = results(500, 10.2, 20.4, 30.6);
	cases[2][0] = results(10, 10, 20, 30);
	cases[2][1] = results(10, 20, 40, 60);
	for (i = 0; i < 3; i++) {
		a = run_overhead_client_doc(cases[i][0]);
		b = run_overhead_client_doc(cases[i][1]);
		cmp = compare_build(a, b, &o, "untraced", "traced", &cause);
		CHECK(cmp != NULL);
		if (cmp != NULL)
			CHECK(compare_regressions(cmp) == want[i]);
		json_object_put(cmp);
		json_object_put(a);
		json_object_put(b);
		json_object_put(cases[i][0]);
		json_object_put(cases[i][1]);
	}
	free(cause);
}

int
main(void)
{
	RUN(test_client_doc);
	RUN(test_noise_rules);
	return CHECK_EXIT();
}
