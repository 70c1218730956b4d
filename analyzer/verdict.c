/* verdict.c: the verdict block: thresholds, load, agents, saturation. */
#include "verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "strbuf.h"
#include "ttable.h"
#include "util.h"

/* Adds a string member. */
static void
verdict_put(struct json_object *o, const char *k, char *s)
{
	json_object_object_add(o, k, json_object_new_string(s));
	free(s);
}

/* Sets "state" and its word. */
static void
verdict_state(struct json_object *v, const char *state, const char *word)
{
	json_object_object_add(v, "state", json_object_new_string(state));
	json_object_object_add(v, "word", json_object_new_string(word));
}

/* The thresholds: state, head and the breaches. */
static void
verdict_thresholds(struct json_object *v, struct json_object *tb)
{
	struct json_object *res = jx_get(tb, "results"), *br, *r, *b;
	long long passed = jx_int(tb, "passed", 0);
	long long failed = jx_int(tb, "failed", 0);
	long long skipped = jx_int(tb, "skipped", 0);
	size_t i;

	if (!jx_is_object(tb)) {
		verdict_state(v, "none", "NO THRESHOLDS");
		verdict_put(v, "head", util_strdup("no threshold was set, "
		    "nothing judged"));
		return;
	}
	verdict_state(v, failed ? "fail" : "pass", failed ? "FAIL" : "PASS");
	if (failed)
		verdict_put(v, "head", util_printf("%lld of %lld thresholds "
		    "breached%s", failed, passed + failed + skipped,
		    skipped ? " (some skipped)" : ""));
	else
		verdict_put(v, "head", util_printf("%lld of %lld thresholds "
		    "held%s", passed, passed + skipped,
		    skipped ? " (the rest skipped)" : ""));
	br = json_object_new_array();
	for (i = 0; i < jx_len(res); i++) {
		r = jx_at(res, i);
		if (strcmp(jx_str(jx_get(r, "status"), ""), "fail") != 0)
			continue;
		b = json_object_new_object();
		json_object_object_add(b, "expr", json_object_new_string(
		    jx_str(jx_get(r, "expr"), "")));
		json_object_object_add(b, "message", json_object_new_string(
		    jx_str(jx_get(r, "message"), "")));
		json_object_array_add(br, b);
	}
	json_object_object_add(v, "has_breaches", json_object_new_boolean(
	    jx_len(br) > 0));
	json_object_object_add(v, "breaches", br);
}

/* The peak of series member key. */
static double
verdict_peak(struct json_object *series, const char *key)
{
	double m = 0;
	size_t i;

	for (i = 0; i < jx_len(series); i++)
		m = fmax(m, jx_num(jx_at(series, i), key, 0));
	return m;
}

/* Appends " (step: n, ...)" of the users counted by step in by. */
static void
verdict_by_step(struct strbuf *b, struct json_object *by)
{
	const char *sep = " (";

	if (!jx_is_object(by))
		return;
	json_object_object_foreach(by, step, n) {
		strbuf_addf(b, "%s%s: %lld", sep, step, (long long)
		    json_object_get_int64(n));
		sep = ", ";
	}
	if (*sep == ',')
		strbuf_addc(b, ')');
}

/* The users line: peak, started, never connected, never ready. */
static char *
verdict_users(struct json_object *run)
{
	struct json_object *series = jx_get(run, "series");
	struct strbuf b;

	strbuf_init(&b, 0);
	strbuf_addf(&b, "users: peak %.0f", verdict_peak(series,
	    "actual_users"));
	if (jx_get(jx_at(series, 0), "target_users") != NULL)
		strbuf_addf(&b, " of %.0f planned", verdict_peak(series,
		    "target_users"));
	if (jx_get(run, "users_started") != NULL)
		strbuf_addf(&b, ", %lld started", jx_int(run, "users_started",
		    0));
	if (jx_get(run, "users_never_connected") != NULL) {
		strbuf_addf(&b, ", %lld never connected to the mediator",
		    jx_int(run, "users_never_connected", 0));
		verdict_by_step(&b, jx_get(run,
		    "users_never_connected_by_step"));
	}
	if (jx_get(run, "users_never_ready") != NULL) {
		strbuf_addf(&b, ", %lld never finished their setup",
		    jx_int(run, "users_never_ready", 0));
		verdict_by_step(&b, jx_get(run, "users_never_ready_by_step"));
	}
	return strbuf_detach(&b);
}

/* The users and requests lines, whether the client saw a problem, an interruption. */
static void
verdict_load(struct json_object *v, struct json_object *run)
{
	double n = jx_num(run, "total.count", 0);
	double f = jx_num(run, "total.failures", 0);
	long long never = jx_int(run, "users_never_connected", 0) +
	    jx_int(run, "users_never_ready", 0);
	struct json_object *i;

	verdict_put(v, "users", verdict_users(run));
	verdict_put(v, "requests", util_printf("requests: %.0f, %.0f failed "
	    "(%.1f%%); achieved %.2f req/s over %.0f s, peak %.0f req/s in "
	    "one second", n, f, n > 0 ? 100 * f / n : 0,
	    jx_num(run, "total.rps", 0), jx_num(run, "duration_s",
	    0), verdict_peak(jx_get(run, "series"), "rps")));
	/* each line marked where its own figures show a problem */
	json_object_object_add(v, "failed", json_object_new_boolean(f > 0));
	json_object_object_add(v, "users_failed",
	    json_object_new_boolean(never > 0));
	if (!json_object_get_boolean(jx_get(run, "interrupted")))
		return;
	i = json_object_new_object();
	json_object_object_add(i, "elapsed_s", json_object_new_double(
	    jx_num(run, "elapsed_seconds", jx_num(run,
	    "duration_s", 0))));
	json_object_object_add(i, "planned_s", json_object_new_double(
	    jx_num(run, "planned_seconds", 0)));
	json_object_object_add(v, "interrupted", i);
}

/* One label's figures of one END outcome. */
struct verdict_lat {
	char *outcome;		/* without a DELIVER endpoint */
	const char *label;
	double count, p50, p95, p99;
	double rank;		/* of its outcome: the highest p95 */
	int shown;
};

/* The outcome of an END group without what follows ".END", or NULL. */
static char *
verdict_end_outcome(const char *o)
{
	const char *e = strstr(o, ".END");

	if (e == NULL || (e[4] != '\0' && e[4] != '.'))
		return NULL;
	return util_printf("%.*s", (int)(e + 4 - o), o);
}

/* Collects the END groups that have a label; returns their number. */
static size_t
verdict_lat_collect(struct json_object *groups, struct verdict_lat *l)
{
	struct json_object *g;
	size_t i, n = 0;
	char *o;

	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (jx_get(g, "key.label") == NULL ||
		    jx_get(g, "percentiles.p95") == NULL ||
		    (o = verdict_end_outcome(jx_str(jx_get(g,
		    "key.outcome"), ""))) == NULL)
			continue;
		l[n++] = (struct verdict_lat){ o, jx_str(jx_get(g,
		    "key.label"), ""), jx_num(g, "count", 0), jx_num(g,
		    "percentiles.p50", 0), jx_num(g, "percentiles.p95", 0),
		    jx_num(g, "percentiles.p99", 0), 0, 0 };
	}
	return n;
}

/* Orders the figures by outcome, label, then count (the largest first). */
static int
verdict_lat_cmp(const void *pa, const void *pb)
{
	const struct verdict_lat *a = pa, *b = pb;
	int c = strcmp(a->outcome, b->outcome);

	if (c == 0)
		c = strcmp(a->label, b->label);
	return c != 0 ? c : a->count < b->count ? 1 : a->count > b->count ?
	    -1 : 0;
}

/*
 * Sorts l, keeps one entry per outcome and label (the busiest group),
 * and ranks each outcome: the handler's END first, then by the highest
 * p95 of its labels. Returns the entries kept.
 */
static size_t
verdict_lat_rank(struct verdict_lat *l, size_t n)
{
	size_t i, k = 0, run;
	double r;

	util_sort(l, n, sizeof(*l), verdict_lat_cmp);
	for (i = 0; i < n; i++) {
		if (k > 0 && strcmp(l[k - 1].outcome, l[i].outcome) == 0 &&
		    strcmp(l[k - 1].label, l[i].label) == 0) {
			free(l[i].outcome);
			continue;
		}
		l[k++] = l[i];
	}
	for (i = 0; i < k; i = run) {
		r = 0;
		for (run = i; run < k && strcmp(l[run].outcome,
		    l[i].outcome) == 0; run++)
			r = fmax(r, l[run].p95);
		if (strcmp(l[i].outcome, "Dispatcher.handle_message.END") == 0)
			r = INFINITY;
		for (run = i; run < k && strcmp(l[run].outcome,
		    l[i].outcome) == 0; run++)
			l[run].rank = r;
	}
	return k;
}

/* Adds the rows of the outcome starting at l[i] to t; marks them shown. */
static void
verdict_lat_rows(struct ttable *t, struct verdict_lat *l, size_t n, size_t i)
{
	size_t j;

	for (j = i; j < n && strcmp(l[j].outcome, l[i].outcome) == 0; j++) {
		ttable_row(t);
		ttable_cell(t, 0, j == i ? l[i].outcome : "");
		ttable_cell(t, 1, l[j].label);
		ttable_cellf(t, 2, "%.0f", l[j].count);
		ttable_cellf(t, 3, "%.6g", l[j].p50);
		ttable_cellf(t, 4, "%.6g", l[j].p95);
		ttable_cellf(t, 5, "%.6g", l[j].p99);
		l[j].shown = 1;
	}
}

/* The latency comparison of the slowest END outcomes, or NULL. */
static struct json_object *
verdict_latency(struct json_object *analysis)
{
	static const char *const head[] = { "END outcome (ms)", "label",
	    "count", "p50", "p95", "p99" };
	struct json_object *groups = jx_get(analysis, "groups"), *out;
	size_t n, i, shown, k, best;
	struct verdict_lat *l;
	struct ttable *t;

	l = util_calloc(jx_len(groups) + 1, sizeof(*l));
	n = verdict_lat_rank(l, verdict_lat_collect(groups, l));
	t = ttable_new(6, 2);
	for (k = 0; k < 6; k++)
		ttable_head(t, k, head[k]);
	for (shown = 0; shown < VERDICT_OUTCOMES; shown++) {
		best = n;	/* the first entry of the next outcome */
		for (i = 0; i < n; i++)
			if (!l[i].shown && (i == 0 || strcmp(l[i - 1].outcome,
			    l[i].outcome) != 0) && (best == n ||
			    l[i].rank > l[best].rank))
				best = i;
		if (best == n)
			break;
		verdict_lat_rows(t, l, n, best);
	}
	out = ttable_rows(t) > 0 ? ttable_json(t) : NULL;
	ttable_free(t);
	for (i = 0; i < n; i++)
		free(l[i].outcome);
	free(l);
	return out;
}

#define VERDICT_STEP_REQUESTS 6	/* client request columns at most */
#define VERDICT_STEP_LABELS 4	/* trace label columns at most */

/* Adds the member names of every step's member key to names (unique). */
static void
verdict_step_names(struct json_object *steps, const char *key,
    struct json_object *names, size_t max)
{
	struct json_object *o;
	size_t i, j;

	for (i = 0; i < jx_len(steps); i++) {
		o = jx_get(jx_at(steps, i), key);
		if (!jx_is_object(o))
			continue;
		json_object_object_foreach(o, name, val) {
			(void)val;
			for (j = 0; j < jx_len(names); j++)
				if (strcmp(jx_str(jx_at(names, j), ""),
				    name) == 0)
					break;
			if (j == jx_len(names) && j < max)
				json_object_array_add(names,
				    json_object_new_string(name));
		}
	}
}

/* "p50/p95/p99" (or "p95/p99") of o in ms, "-" when missing. */
static char *
verdict_pcts(struct json_object *o, int with_p50)
{
	if (!jx_is_object(o))
		return util_strdup("-");
	if (with_p50)
		return util_printf("%.0f/%.0f/%.0f", jx_num(o, "p50", 0),
		    jx_num(o, "p95", 0), jx_num(o, "p99", 0));
	return util_printf("%.0f/%.0f", jx_num(o, "p95", 0),
	    jx_num(o, "p99", 0));
}

/* One step's row. */
static void
verdict_step_row(struct ttable *t, struct json_object *s,
    struct json_object *req, struct json_object *lab)
{
	size_t j, c = 6;
	char *p;

	ttable_row(t);
	ttable_cellf(t, 0, "%lld", jx_int(s, "step", 0));
	ttable_cellf(t, 1, "%lld/%lld", jx_int(s, "users_target", 0),
	    jx_int(s, "users_actual", 0));
	ttable_cellf(t, 2, "%.0f-%.0f", jx_num(s, "start_s", 0),
	    jx_num(s, "end_s", 0));
	ttable_cellf(t, 3, "%.1f", jx_num(s, "offered_rps", 0));
	ttable_cellf(t, 4, "%.1f", jx_num(s, "achieved_rps", 0));
	ttable_cellf(t, 5, "%lld", jx_int(s, "failures", 0));
	for (j = 0; j < jx_len(req); j++, c++) {
		p = verdict_pcts(json_object_object_get(jx_get(s, "client"),
		    jx_str(jx_at(req, j), "")), 1);
		ttable_cell(t, c, p);
		free(p);
	}
	for (j = 0; j < jx_len(lab); j++, c++) {
		p = verdict_pcts(json_object_object_get(jx_get(s, "trace"),
		    jx_str(jx_at(lab, j), "")), 0);
		ttable_cell(t, c, p);
		free(p);
	}
}

/* The per-step table of the assessment, or NULL. */
static struct json_object *
verdict_steps(struct json_object *assessment)
{
	static const char *const head[] = { "step", "users", "s",
	    "offered req/s", "req/s", "failures" };
	struct json_object *steps = jx_get(assessment, "steps"), *out;
	struct json_object *req = json_object_new_array();
	struct json_object *lab = json_object_new_array();
	struct ttable *t;
	size_t i, c;
	char *h;

	verdict_step_names(steps, "client", req, VERDICT_STEP_REQUESTS);
	verdict_step_names(steps, "trace", lab, VERDICT_STEP_LABELS);
	t = ttable_new(6 + jx_len(req) + jx_len(lab), 0);
	for (c = 0; c < 6; c++)
		ttable_head(t, c, head[c]);
	for (i = 0; i < jx_len(req); i++, c++) {
		h = util_printf("%s p50/p95/p99", jx_str(jx_at(req, i), ""));
		ttable_head(t, c, h);
		free(h);
	}
	for (i = 0; i < jx_len(lab); i++, c++) {
		h = util_printf("%s p95/p99", jx_str(jx_at(lab, i), ""));
		ttable_head(t, c, h);
		free(h);
	}
	for (i = 0; i < jx_len(steps); i++)
		verdict_step_row(t, jx_at(steps, i), req, lab);
	out = ttable_rows(t) > 0 ? ttable_json(t) : NULL;
	ttable_free(t);
	json_object_put(req);
	json_object_put(lab);
	return out;
}

/* The assessment's sentences: saturation, bottleneck, advice. */
static struct json_object *
verdict_sentences(struct json_object *a)
{
	static const char *const paths[] = { "sentence",
	    "bottleneck.sentence", "bottleneck.advice" };
	struct json_object *arr = json_object_new_array(), *s;
	size_t i;

	for (i = 0; i < 3; i++) {
		s = jx_get(a, paths[i]);
		if (s != NULL && json_object_is_type(s, json_type_string) &&
		    json_object_get_string_len(s) > 0)
			json_object_array_add(arr, json_object_get(s));
	}
	return arr;
}

struct json_object *
verdict_build(struct json_object *analysis, struct json_object *run,
    struct json_object *assessment)
{
	struct json_object *v = json_object_new_object(), *x;

	verdict_thresholds(v, jx_get(analysis, "thresholds"));
	if (jx_is_object(run))
		verdict_load(v, run);
	if (analysis != NULL && (x = verdict_latency(analysis)) != NULL)
		json_object_object_add(v, "latency", x);
	if (jx_is_object(assessment)) {
		x = verdict_sentences(assessment);
		if (jx_len(x) > 0) {
			json_object_object_add(v, "sentences", x);
			json_object_object_add(v, "has_sentences",
			    json_object_new_boolean(1));
		} else
			json_object_put(x);
		if ((x = verdict_steps(assessment)) != NULL)
			json_object_object_add(v, "steps", x);
	}
	return v;
}
