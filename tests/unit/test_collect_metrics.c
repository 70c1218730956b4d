/*
 * test_collect_metrics.c: the figures of `collect --metrics` by trace
 * label (analyzer/collect_metrics.c): counts by fate, histograms in
 * cumulative buckets (seconds), probes left out of them, hostile label
 * values escaped, the caps on labels and series, and forwarded batches
 * credited by label only when the server took them all.
 */
#include "collect_metrics.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "trace.h"
#include "util.h"

/* A trace event of label and outcome that took ms milliseconds. */
static struct trace_event
test_ev(const char *label, const char *outcome, double ms)
{
	struct trace_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.label = ev.handler = label;
	ev.outcome = outcome;
	ev.elapsed_ms = ms;
	return ev;
}

/* Whether text has the line want (whole). */
static int
test_has(const char *text, const char *want)
{
	size_t n = strlen(want);
	const char *p = text;

	while ((p = strstr(p, want)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
		p += n;
	}
	return 0;
}

static void
test_counts_and_buckets(void)
{
	struct cmet *m = cmet_new();
	struct cmet_gauges g = { .spool_bytes = 123, .spool_writable = 1 };
	struct trace_event a = test_ev("mediator.trace", "X.END", 3);
	struct trace_event b = test_ev("mediator.trace", "X.END", 40);
	struct trace_event p = test_ev("ArgParse",
	    "Successfully_configured_aca-py", 0);
	char *t;

	p.probe = 1;
	cmet_event(m, &a, CMET_SPOOLED);
	cmet_event(m, &b, CMET_SPOOLED);
	cmet_event(m, &b, CMET_UNWRITABLE);
	cmet_event(m, &p, CMET_SPOOLED);
	cmet_event(m, NULL, CMET_NOT_JSON);
	cmet_event(m, NULL, CMET_TOO_LARGE);
	t = cmet_text(m, &g);
	CHECK(test_has(t, "medload_collect_events_received_total{label=\""
	    "mediator.trace\"} 3"));
	CHECK(test_has(t, "medload_collect_events_spooled_total{label=\""
	    "mediator.trace\"} 2"));
	CHECK(test_has(t, "medload_collect_events_refused_total{label=\""
	    "mediator.trace\",reason=\"unwritable\"} 1"));
	CHECK(test_has(t, "medload_collect_events_refused_total{label=\"\","
	    "reason=\"not_json\"} 1"));
	CHECK(test_has(t, "medload_collect_events_refused_total{label=\"\","
	    "reason=\"too_large\"} 1"));
	CHECK(test_has(t, "medload_collect_outcome_duration_seconds_bucket{"
	    "label=\"mediator.trace\",outcome=\"X.END\",le=\"0.005\"} 1"));
	CHECK(test_has(t, "medload_collect_outcome_duration_seconds_bucket{"
	    "label=\"mediator.trace\",outcome=\"X.END\",le=\"0.05\"} 2"));
	CHECK(test_has(t, "medload_collect_outcome_duration_seconds_bucket{"
	    "label=\"mediator.trace\",outcome=\"X.END\",le=\"+Inf\"} 2"));
	CHECK(test_has(t, "medload_collect_outcome_duration_seconds_sum{"
	    "label=\"mediator.trace\",outcome=\"X.END\"} 0.043000"));
	/* the probe is counted, not timed */
	CHECK(test_has(t, "medload_collect_events_spooled_total{label=\""
	    "ArgParse\"} 1"));
	CHECK(strstr(t, "Successfully_configured") == NULL);
	CHECK(test_has(t, "medload_collect_spool_bytes 123"));
	CHECK(strstr(t, "forward") == NULL);	/* no --es */
	CHECK(test_has(t, "# TYPE medload_collect_outcome_duration_seconds "
	    "histogram"));
	free(t);
	cmet_free(m);
}

static void
test_hostile_labels(void)
{
	struct cmet *m = cmet_new();
	struct cmet_gauges g = { 0 };
	struct trace_event e = test_ev("a\"b\\c\nd\x01\xff", "o\"}", 1);
	char *t, *page;

	cmet_event(m, &e, CMET_SPOOLED);
	t = cmet_text(m, &g);
	CHECK(test_has(t, "medload_collect_events_spooled_total{label=\""
	    "a\\\"b\\\\c\\\\x0ad\\\\x01\\\\xff\"} 1"));
	CHECK(strstr(t, "outcome=\"o\\\"}\"") != NULL);
	page = cmet_page(m, &g);
	CHECK(strstr(page, "a&quot;b") != NULL && strchr(page, '\x01') ==
	    NULL);
	free(page);
	free(t);
	cmet_free(m);
}

static void
test_caps(void)
{
	struct cmet *m = cmet_new();
	struct cmet_gauges g = { 0 };
	struct trace_event e;
	char label[32], outcome[32], *t, *p;
	size_t lines = 0;
	int i;

	for (i = 0; i < 3000; i++) {
		snprintf(label, sizeof(label), "l%d", i % 100);
		snprintf(outcome, sizeof(outcome), "o%d", i);
		e = test_ev(label, outcome, 1);
		cmet_event(m, &e, CMET_SPOOLED);
	}
	t = cmet_text(m, &g);
	for (p = t; (p = strstr(p, "\nmedload_collect_events_spooled_total"
	    "{")) != NULL; p++)
		lines++;
	CHECK(lines == CMET_MAX_LABELS + 1);
	/* 36 labels past the cap, 30 events each */
	CHECK(test_has(t, "medload_collect_events_spooled_total{label=\""
	    "_other\"} 1080"));
	lines = 0;
	for (p = t; (p = strstr(p, "\nmedload_collect_outcome_duration_"
	    "seconds_count{")) != NULL; p++)
		lines++;
	CHECK(lines == CMET_MAX_SERIES + 1);
	CHECK(test_has(t, "medload_collect_outcome_duration_seconds_count{"
	    "label=\"_other\",outcome=\"_other\"} 1976"));
	free(t);
	cmet_free(m);
}

static void
test_forwarded(void)
{
	static const char l1[] = "{\"handler\":\"a.trace\",\"outcome\":\"o\","
	    "\"elapsed_milli\":1,\"timestamp\":1}";
	static const char l2[] = "{\"handler\":\"b.trace\",\"outcome\":\"o\","
	    "\"elapsed_milli\":1,\"timestamp\":1}";
	struct cmet *m = cmet_new();
	struct cmet_batch *b = cmet_batch_new();
	struct cmet_gauges g = { .forwarding = 1, .backlog_bytes = 9 };
	char *t;

	cmet_batch_line(b, l1, strlen(l1));
	cmet_batch_line(b, l1, strlen(l1));
	cmet_batch_line(b, l2, strlen(l2));
	cmet_batch_commit(m, b, 3, 0);
	cmet_batch_commit(m, b, 2, 1);	/* which one failed is unknown */
	cmet_batch_reset(b);
	cmet_batch_line(b, "not json", 8);
	cmet_batch_commit(m, b, 1, 0);
	t = cmet_text(m, &g);
	CHECK(test_has(t, "medload_collect_events_forwarded_total{label=\""
	    "a.trace\"} 2"));
	CHECK(test_has(t, "medload_collect_events_forwarded_total{label=\""
	    "b.trace\"} 1"));
	CHECK(test_has(t, "medload_collect_events_forwarded_total{label=\""
	    "\"} 3"));
	CHECK(test_has(t, "medload_collect_forward_backlog_bytes 9"));
	CHECK(test_has(t, "medload_collect_forward_up 0"));
	free(t);
	cmet_batch_free(b);
	cmet_free(m);
}

int
main(void)
{
	RUN(test_counts_and_buckets);
	RUN(test_hostile_labels);
	RUN(test_caps);
	RUN(test_forwarded);
	return CHECK_EXIT();
}
