/* compare.c: two analysis documents -> differences with verdicts. */
#include "compare.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "analysis.h"
#include "hmap.h"
#include "jx.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

void
compare_opts_init(struct compare_opts *o)
{
	o->margin = 0.05;
	o->min_delta = 1;
	o->min_samples = 20;
	o->z = 3;
}

struct json_object *
compare_load(const char *path, char **cause)
{
	struct json_object *doc = jx_load(path, ANALYSIS_SCHEMA, 0, cause);

	if (doc != NULL && !json_object_is_type(jx_get(doc, "groups"),
	    json_type_array)) {
		util_fail(cause, "%s: not an analysis (no \"groups\" array)",
		    path);
		json_object_put(doc);
		return NULL;
	}
	return doc;
}

/* Returns 1 when s contains needle, ignoring case. */
static int
compare_contains(const char *s, const char *needle)
{
	size_t n = strlen(needle);

	for (; *s != '\0'; s++)
		if (strncasecmp(s, needle, n) == 0)
			return 1;
	return 0;
}

int
compare_key_is_error(struct json_object *key)
{
	struct json_object *v;
	const char *s;

	if (json_object_object_get_ex(key, "outcome", &v)) {
		s = json_object_get_string(v);
		if (s != NULL && (compare_contains(s, "error") ||
		    compare_contains(s, "fail") ||
		    compare_contains(s, "problem_report") ||
		    compare_contains(s, "problem-report")))
			return 1;
	}
	if (json_object_object_get_ex(key, "traced_type", &v)) {
		s = json_object_get_string(v);
		if (s != NULL && (compare_contains(s, "problem_report") ||
		    compare_contains(s, "problem-report")))
			return 1;
	}
	return 0;
}

int
compare_key_is_start(struct json_object *key)
{
	struct json_object *v;
	const char *s;

	return json_object_object_get_ex(key, "outcome", &v) &&
	    (s = json_object_get_string(v)) != NULL &&
	    strstr(s, ".START") != NULL;
}

void
compare_share_add(struct json_object *key, double n, double *ops,
    double *errors)
{
	if (compare_key_is_start(key))
		return;
	*ops += n;
	if (compare_key_is_error(key))
		*errors += n;
}

int
compare_doc_knows_errors(struct json_object *doc)
{
	struct json_object *by;
	size_t i;
	const char *s;

	if (!json_object_object_get_ex(doc, "by", &by))
		return 0;
	for (i = 0; i < jx_len(by); i++) {
		s = json_object_get_string(jx_at(by, i));
		if (s != NULL && (strcmp(s, "outcome") == 0 ||
		    strcmp(s, "traced_type") == 0))
			return 1;
	}
	return 0;
}

int
compare_group_metric(struct json_object *g, const char *metric, double *out)
{
	struct json_object *v, *p;

	if (metric[0] == 'p' && metric[1] >= '0' && metric[1] <= '9') {
		if (!json_object_object_get_ex(g, "percentiles", &p) ||
		    !json_object_object_get_ex(p, metric, &v))
			return -1;
	} else if (!json_object_object_get_ex(g, metric, &v))
		return -1;
	if (!json_object_is_type(v, json_type_int) &&
	    !json_object_is_type(v, json_type_double))
		return -1;
	*out = json_object_get_double(v);
	return 0;
}

int
compare_group_no_latency(struct json_object *g)
{
	struct json_object *pcts;
	double v;

	if (compare_group_metric(g, "max", &v) == 0)
		return v == 0;
	if (compare_group_metric(g, "mean", &v) == -1 || v != 0)
		return 0;
	if (json_object_object_get_ex(g, "percentiles", &pcts) &&
	    jx_is_object(pcts)) {
		json_object_object_foreach(pcts, name, val) {
			(void)name;
			if (json_object_get_double(val) != 0)
				return 0;
		}
	}
	return 1;
}

/* The matching key of a group: its "by" values joined. Caller frees. */
static char *
compare_key_string(struct json_object *by, struct json_object *g,
    size_t *len)
{
	struct json_object *key, *v;
	struct strbuf b;
	size_t i;

	strbuf_init(&b, 0);
	json_object_object_get_ex(g, "key", &key);
	for (i = 0; i < jx_len(by); i++) {
		v = NULL;
		json_object_object_get_ex(key, json_object_get_string(
		    jx_at(by, i)), &v);
		strbuf_adds(&b, jx_str(v, ""));
		strbuf_addc(&b, '\x1f');
	}
	*len = b.len;
	return strbuf_detach(&b);
}

char *
compare_key_title(struct json_object *key)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	jx_join_values(&b, key, " / ");
	return strbuf_detach(&b);
}

size_t
compare_quantiles(struct json_object *g, double *p, double *q)
{
	struct json_object *pcts;
	size_t n = 0, i, j;
	double v, t;

	if (compare_group_metric(g, "min", &v) == 0) {
		p[n] = 0;
		q[n++] = v;
	}
	if (json_object_object_get_ex(g, "percentiles", &pcts) &&
	    jx_is_object(pcts)) {
		json_object_object_foreach(pcts, name, val) {
			if (n + 2 >= COMPARE_MAX_PCTS || name[0] != 'p')
				continue;
			v = strtod(name + 1, NULL) / 100;
			if (v <= 0 || v >= 1)
				continue;
			p[n] = v;
			q[n++] = json_object_get_double(val);
		}
	}
	if (compare_group_metric(g, "max", &v) == 0) {
		p[n] = 1;
		q[n++] = v;
	}
	for (i = 1; i < n; i++) {
		for (j = i; j > 0 && p[j - 1] > p[j]; j--) {
			t = p[j];
			p[j] = p[j - 1];
			p[j - 1] = t;
			t = q[j];
			q[j] = q[j - 1];
			q[j - 1] = t;
		}
	}
	return n;
}

/*
 * The standard error of a group's p-quantile from the asymptotic variance
 * p(1-p) / (n f(q_p)^2), with 1/f(q_p) estimated as the spread of the
 * neighbouring quantiles over their probability gap (at least res ms).
 * Returns -1 when there are too few samples beyond the quantile.
 */
static double
compare_quantile_se(struct json_object *g, double pr, double n, double res)
{
	double p[COMPARE_MAX_PCTS], q[COMPARE_MAX_PCTS], spread;
	size_t k, i, lo = (size_t)-1, hi = (size_t)-1;

	if (n * (1 - pr) < 5 || n * pr < 5)
		return -2;
	k = compare_quantiles(g, p, q);
	for (i = 0; i < k; i++) {
		if (p[i] < pr - 1e-12)
			lo = i;
		else if (p[i] > pr + 1e-12 && hi == (size_t)-1)
			hi = i;
	}
	if (lo == (size_t)-1 || hi == (size_t)-1)
		return -1;
	spread = q[hi] - q[lo];
	if (spread < res)
		spread = res;
	return sqrt(pr * (1 - pr) / n) * spread / (p[hi] - p[lo]);
}

/* What a metric measures, which says how its change is read. */
enum compare_kind {
	KIND_EXTREME,	/* max: one value, shown, never judged */
	KIND_QUANTILE,	/* a percentile: a latency, higher is worse */
	KIND_MEAN,	/* the mean: a latency, higher is worse */
	KIND_LOAD,	/* count, rate: traffic, more or less, not judged */
	KIND_SHARE	/* the error share: higher is worse */
};

/* The kinds as the comparison document names them. */
static const char *const compare_kind_names[] = { "extreme", "latency",
	"latency", "load", "share" };

/* What compare_metric needs about one side. */
struct compare_side {
	struct json_object *g;		/* the group; NULL for labels */
	double v;
	double n;			/* events */
	double sd;			/* stddev, for the mean */
	double share_n;			/* errors, for shares */
};

/* Formats a value for display. */
static void
compare_fmt(char buf[48], double v, int share, int sign)
{
	char num[32];

	if (share) {
		snprintf(buf, 48, sign ? "%+.2f%%" : "%.2f%%", v * 100);
		return;
	}
	util_num(fabs(v) < 1e15 ? round(v * 1000) / 1000 : v, num);
	snprintf(buf, 48, "%s%s", sign && v > 0 ? "+" : "", num);
}

/* A metric's difference and its test. */
struct compare_test {
	double diff;		/* contender - baseline */
	double pct;		/* percent change; HUGE_VAL from 0 */
	double z;		/* NAN when no test applies */
	int thin;		/* fewer than 5 events beyond a quantile */
};

/* The standard error of the difference, or -1 when no test applies. */
static double
compare_metric_se(const char *name, enum compare_kind kind,
    const struct compare_side *b, const struct compare_side *c,
    const struct compare_opts *o, int *thin)
{
	double se = -1, pr, seb, sec, q, pooled;

	if (kind == KIND_QUANTILE) {
		pr = strtod(name + 1, NULL) / 100;
		seb = compare_quantile_se(b->g, pr, b->n, o->min_delta);
		sec = compare_quantile_se(c->g, pr, c->n, o->min_delta);
		if (seb >= 0 && sec >= 0)
			se = sqrt(seb * seb + sec * sec);
		*thin = seb == -2 || sec == -2;
	} else if (kind == KIND_MEAN) {
		q = o->min_delta * o->min_delta / 12;
		se = sqrt((b->sd * b->sd + q) / b->n +
		    (c->sd * c->sd + q) / c->n);
	} else if (kind == KIND_LOAD) {
		/*
		 * Poisson counts: var(n) = n; a rate r = n / span has
		 * var(r) = r^2 / n.
		 */
		if (strcmp(name, "count") == 0)
			se = sqrt(b->n + c->n);
		else
			se = sqrt(b->v * b->v / b->n + c->v * c->v / c->n);
	} else if (kind == KIND_SHARE) {
		pooled = (b->share_n + c->share_n) / (b->n + c->n);
		if (pooled > 0 && pooled < 1)
			se = sqrt(pooled * (1 - pooled) * (1 / b->n +
			    1 / c->n));
	}
	return se;
}

/* The difference of two sides and, where one applies, its z. */
static void
compare_metric_test(const char *name, enum compare_kind kind,
    const struct compare_side *b, const struct compare_side *c,
    const struct compare_opts *o, struct compare_test *t)
{
	double se;

	t->diff = c->v - b->v;
	t->pct = b->v != 0 ? t->diff / fabs(b->v) * 100 : t->diff == 0 ? 0 :
	    HUGE_VAL;
	t->z = NAN;
	t->thin = 0;
	if (b->n < (double)o->min_samples || c->n < (double)o->min_samples)
		return;
	se = compare_metric_se(name, kind, b, c, o, &t->thin);
	if (se > 0)
		t->z = t->diff / se;
	else if (se == 0)
		t->z = t->diff == 0 ? 0 : t->diff > 0 ? HUGE_VAL : -HUGE_VAL;
}

/*
 * Judges a tested difference: returns 1 higher (worse, or more load), -1
 * lower or 0 unchanged beyond the noise, and why in reason.
 */
static int
compare_metric_judge(const char *name, enum compare_kind kind,
    const struct compare_side *b, const struct compare_side *c,
    const struct compare_opts *o, const struct compare_test *t,
    char reason[160])
{
	int latency = kind == KIND_EXTREME || kind == KIND_QUANTILE ||
	    kind == KIND_MEAN;
	char buf[48];

	if (b->n < (double)o->min_samples || c->n < (double)o->min_samples)
		snprintf(reason, 160, "fewer than %llu events",
		    o->min_samples);
	else if (t->diff == 0)
		snprintf(reason, 160, "same");
	else if (latency && fabs(t->diff) < o->min_delta)
		snprintf(reason, 160, "below %s ms",
		    util_num(o->min_delta, buf));
	else if (isfinite(t->pct) && fabs(t->pct) <= o->margin * 100)
		snprintf(reason, 160, "within the %s%% margin",
		    util_num(o->margin * 100, buf));
	else if (t->thin)
		snprintf(reason, 160, "fewer than 5 events beyond %s on a "
		    "side", name);
	else if (kind == KIND_EXTREME)
		snprintf(reason, 160, "one extreme value: shown, not judged");
	else if (isfinite(t->z) && fabs(t->z) < o->z)
		snprintf(reason, 160, "not significant (|z| %.2f < %s)",
		    fabs(t->z), util_num(o->z, buf));
	else {
		if (isfinite(t->z))
			snprintf(reason, 160, "z = %.2f", t->z);
		else if (isnan(t->z))
			snprintf(reason, 160, "beyond the margin");
		else
			snprintf(reason, 160, "beyond the margin; no spread "
			    "on either side");
		return t->diff > 0 ? 1 : -1;
	}
	return 0;
}

/* A metric's verdict: worse or better, or for a load more or less. */
static const char *
compare_verdict_name(enum compare_kind kind, int verdict)
{
	if (verdict == 0)
		return "unchanged";
	if (kind == KIND_LOAD)
		return verdict > 0 ? "more" : "less";
	return verdict > 0 ? "worse" : "better";
}

/*
 * Compares one metric and returns its result object; *verdict is 1 worse
 * (or more load), -1 better (or less load), 0 unchanged; *pct_out the
 * percent change (HUGE_VAL from 0).
 */
static struct json_object *
compare_metric(const char *name, enum compare_kind kind,
    const struct compare_side *b, const struct compare_side *c,
    const struct compare_opts *o, int *verdict, double *pct_out)
{
	struct json_object *m = json_object_new_object();
	struct compare_test t;
	int share = kind == KIND_SHARE;
	char reason[160], buf[48];

	compare_metric_test(name, kind, b, c, o, &t);
	*pct_out = t.pct;
	json_object_object_add(m, "metric", json_object_new_string(name));
	json_object_object_add(m, "kind", json_object_new_string(
	    compare_kind_names[kind]));
	json_object_object_add(m, "baseline", analysis_num(b->v));
	json_object_object_add(m, "contender", analysis_num(c->v));
	json_object_object_add(m, "diff", analysis_num(t.diff));
	json_object_object_add(m, "pct", isfinite(t.pct) ? analysis_num(
	    round(t.pct * 100) / 100) : NULL);
	*verdict = compare_metric_judge(name, kind, b, c, o, &t, reason);
	json_object_object_add(m, "verdict", json_object_new_string(
	    compare_verdict_name(kind, *verdict)));
	json_object_object_add(m, "reason", json_object_new_string(reason));
	if (isfinite(t.z))
		json_object_object_add(m, "z",
		    analysis_num(round(t.z * 1000) / 1000));
	compare_fmt(buf, b->v, share, 0);
	json_object_object_add(m, "b", json_object_new_string(buf));
	compare_fmt(buf, c->v, share, 0);
	json_object_object_add(m, "c", json_object_new_string(buf));
	compare_fmt(buf, t.diff, share, 1);
	json_object_object_add(m, "d", json_object_new_string(buf));
	if (isfinite(t.pct))
		snprintf(buf, sizeof(buf), "%+.1f%%", t.pct);
	else
		snprintf(buf, sizeof(buf), "new");
	json_object_object_add(m, "p", json_object_new_string(buf));
	return m;
}

/* A group's verdict when it carries no latency on either side. */
#define COMPARE_NOT_JUDGED 2

/* One row of the comparison while it is built. */
struct compare_row {
	struct json_object *obj;
	int verdict;		/* 1 worse, -1 better, 0 unchanged, or
				   COMPARE_NOT_JUDGED */
	double score;		/* the deciding change's size, percent */
	size_t order;
};

/* Where a verdict sorts: worse, better, unchanged, not judged. */
static int
compare_rank(int verdict)
{
	return verdict == 1 ? 0 : verdict == -1 ? 1 : verdict == 0 ? 2 : 3;
}

/*
 * Orders rows: worse first, then better (each the largest change first),
 * then unchanged and not judged, each in the baseline's order.
 */
static int
compare_row_cmp(const void *a, const void *b)
{
	const struct compare_row *x = a, *y = b;

	if (x->verdict != y->verdict)
		return compare_rank(x->verdict) - compare_rank(y->verdict);
	if ((x->verdict == 1 || x->verdict == -1) && x->score != y->score)
		return x->score < y->score ? 1 : -1;
	return x->order < y->order ? -1 : x->order > y->order;
}

/* Fills one side of a group comparison. */
static void
compare_side_group(struct compare_side *s, struct json_object *g)
{
	memset(s, 0, sizeof(*s));
	s->g = g;
	if (compare_group_metric(g, "count", &s->n) == -1)
		s->n = 0;
	if (compare_group_metric(g, "stddev", &s->sd) == -1)
		s->sd = 0;
}

/* A key's values for a headline: "label outcome", repeats dropped. */
static char *
compare_key_short(struct json_object *key)
{
	const char *prev = NULL, *v;
	struct strbuf b;

	strbuf_init(&b, 0);
	if (jx_is_object(key)) {
		json_object_object_foreach(key, name, val) {
			(void)name;
			v = jx_str(val, "-");
			if (prev != NULL && strcmp(prev, v) == 0)
				continue;
			if (b.len > 0)
				strbuf_addc(&b, ' ');
			strbuf_adds(&b, v);
			prev = v;
		}
	}
	return strbuf_detach(&b);
}

/*
 * The change that leads a row in one direction: p95 when it changed (the
 * percentile users set their objectives on), else the largest.
 */
struct compare_lead {
	struct json_object *m;		/* the metric (borrowed) */
	int p95;
	double size;			/* |percent change|; 1e9 from 0 */
};

/* Takes metric m (its change pct) as the lead when it leads. */
static void
compare_lead_take(struct compare_lead *l, struct json_object *m, double pct)
{
	double size = isfinite(pct) ? fabs(pct) : 1e9;
	int p95 = strcmp(jx_str(jx_get(m, "metric"), ""), "p95") == 0;

	if (l->m == NULL || p95 > l->p95 || (p95 == l->p95 &&
	    size > l->size)) {
		l->m = m;
		l->p95 = p95;
		l->size = size;
	}
}

/*
 * A change as a line: "WHO p95 44 -> 337 ms (+665.9%)"; unit follows the
 * values (" ms", "/s" or ""). Caller frees.
 */
static char *
compare_change_text(const char *who, struct json_object *m)
{
	const char *metric = jx_str(jx_get(m, "metric"), "?");
	const char *kind = jx_str(jx_get(m, "kind"), "");
	const char *unit = strcmp(kind, "latency") == 0 ||
	    strcmp(kind, "extreme") == 0 ? " ms" :
	    strcmp(metric, "rate") == 0 ? "/s" : "";

	return util_printf("%s %s %s -> %s%s (%s)", who,
	    strcmp(metric, "error_share") == 0 ? "error share" : metric,
	    jx_str(jx_get(m, "b"), "?"), jx_str(jx_get(m, "c"), "?"), unit,
	    jx_str(jx_get(m, "p"), "?"));
}

/*
 * Adds a load change to list: metric m of a label or a group (key, NULL
 * for a label), who names it.
 */
static void
compare_load_add(struct json_object *list, const char *who,
    struct json_object *key, struct json_object *m)
{
	static const char *const copied[] = { "metric", "baseline",
	    "contender", "diff", "pct", "b", "c", "d", "p", "reason", "z" };
	struct json_object *o = json_object_new_object(), *v;
	char *text = compare_change_text(who, m);
	size_t i;

	json_object_object_add(o, "scope", json_object_new_string(key ?
	    "group" : "label"));
	json_object_object_add(o, "title", json_object_new_string(who));
	if (key != NULL)
		json_object_object_add(o, "key", json_object_get(key));
	for (i = 0; i < sizeof(copied) / sizeof(copied[0]); i++)
		if (json_object_object_get_ex(m, copied[i], &v))
			json_object_object_add(o, copied[i],
			    json_object_get(v));
	json_object_object_add(o, "change", json_object_get(
	    json_object_object_get(m, "verdict")));
	json_object_object_add(o, "text", json_object_new_string(text));
	free(text);
	json_object_array_add(list, o);
}

/* The load direction of bits (1 more, 2 less) as a word. */
static const char *
compare_load_name(int bits)
{
	return bits == 1 ? "more" : bits == 2 ? "less" : bits == 3 ?
	    "mixed" : "unchanged";
}

/* The metrics of a group comparison and how each is read. */
static const struct {
	const char *name;
	enum compare_kind kind;
} compare_group_metrics[] = {
	{ "count", KIND_LOAD }, { "rate", KIND_LOAD },
	{ "mean", KIND_MEAN }, { "p50", KIND_QUANTILE },
	{ "p95", KIND_QUANTILE }, { "p99", KIND_QUANTILE },
	{ "max", KIND_EXTREME },
};

/* A group comparison while it is made. */
struct compare_group {
	const struct compare_opts *o;
	int quiet;			/* 0 ms on both sides */
	char *who;			/* the key for headlines */
	struct json_object *key;	/* borrowed */
	struct json_object *arr;	/* the metrics */
	struct json_object *load;	/* the load changes (borrowed) */
	struct compare_lead lead[2];	/* the largest worse, better */
};

/*
 * Compares the metrics of two matched groups into x->arr: count and rate
 * are load (their changes go to x->load); the latency metrics lead to
 * worse or better unless the group is quiet. Returns the load bits (1
 * more, 2 less).
 */
static int
compare_group_metrics_of(struct json_object *gb, struct json_object *gc,
    struct compare_group *x)
{
	struct compare_side sb, sc;
	struct json_object *m;
	int verdict, bits = 0;
	double pct;
	size_t i;

	compare_side_group(&sb, gb);
	compare_side_group(&sc, gc);
	for (i = 0; i < sizeof(compare_group_metrics) /
	    sizeof(compare_group_metrics[0]); i++) {
		const char *name = compare_group_metrics[i].name;
		enum compare_kind kind = compare_group_metrics[i].kind;

		if (compare_group_metric(gb, name, &sb.v) == -1 ||
		    compare_group_metric(gc, name, &sc.v) == -1)
			continue;
		m = compare_metric(name, kind, &sb, &sc, x->o, &verdict, &pct);
		json_object_array_add(x->arr, m);
		if (kind == KIND_LOAD && verdict != 0) {
			bits |= verdict > 0 ? 1 : 2;
			compare_load_add(x->load, x->who, x->key, m);
		} else if (kind != KIND_LOAD && !x->quiet && verdict != 0)
			compare_lead_take(&x->lead[verdict > 0 ? 0 : 1], m,
			    pct);
	}
	return bits;
}

/* The verdict words of a group row. */
static void
compare_row_verdict(struct compare_row *row)
{
	static const char *const words[] = { "worse", "better", "unchanged",
	    "not judged" };
	static const char *const upper[] = { "WORSE", "BETTER", "unchanged",
	    "not judged" };
	int r = compare_rank(row->verdict);

	json_object_object_add(row->obj, "verdict",
	    json_object_new_string(words[r]));
	json_object_object_add(row->obj, "verdict_uc",
	    json_object_new_string(upper[r]));
	if (row->verdict == COMPARE_NOT_JUDGED)
		json_object_object_add(row->obj, "reason",
		    json_object_new_string("0 ms throughout on both sides: no "
		    "latency to judge (START events, or steps under the "
		    "traces' 1 ms resolution)"));
}

/* Adds the deciding change of a worse or better row. */
static void
compare_row_lead(struct compare_row *row, struct json_object *m,
    const char *who)
{
	char *text = compare_change_text(who, m);
	const char *p = jx_str(jx_get(m, "p"), "new");

	json_object_object_add(row->obj, "decided_by",
	    json_object_new_string(text));
	free(text);
	json_object_object_add(row->obj, "lead", json_object_get(
	    json_object_object_get(m, "metric")));
	json_object_object_add(row->obj, "lead_change",
	    json_object_new_string(p));
	if (row->verdict != 1)
		return;
	json_object_object_add(row->obj, "worst", json_object_get(
	    json_object_object_get(m, "metric")));
	json_object_object_add(row->obj, "worst_pct", row->score < 1e9 ?
	    analysis_num(round(row->score * 10) / 10) : NULL);
	json_object_object_add(row->obj, "worst_change",
	    json_object_new_string(p));
}

/* Compares two matched groups into a row; load changes go to load. */
static void
compare_groups(struct json_object *gb, struct json_object *gc,
    const struct compare_opts *o, struct compare_row *row,
    struct json_object *load)
{
	struct compare_group x;
	char *title;
	int bits;

	memset(&x, 0, sizeof(x));
	x.o = o;
	x.load = load;
	x.arr = json_object_new_array();
	json_object_object_get_ex(gb, "key", &x.key);
	x.quiet = compare_group_no_latency(gb) &&
	    compare_group_no_latency(gc);
	x.who = compare_key_short(x.key);
	row->obj = json_object_new_object();
	json_object_object_add(row->obj, "key", json_object_get(x.key));
	title = compare_key_title(x.key);
	json_object_object_add(row->obj, "title",
	    json_object_new_string(title));
	free(title);
	bits = compare_group_metrics_of(gb, gc, &x);
	row->verdict = x.quiet ? COMPARE_NOT_JUDGED : x.lead[0].m ? 1 :
	    x.lead[1].m ? -1 : 0;
	row->score = x.lead[0].m ? x.lead[0].size : x.lead[1].m ?
	    x.lead[1].size : 0;
	compare_row_verdict(row);
	if (row->verdict == 1 || row->verdict == -1)
		compare_row_lead(row, x.lead[row->verdict == 1 ? 0 : 1].m,
		    x.who);
	json_object_object_add(row->obj, "load", json_object_new_string(
	    compare_load_name(bits)));
	json_object_object_add(row->obj, "metrics", x.arr);
	free(x.who);
}

/* Per-label totals of one document. */
struct compare_label {
	double count, rate, errors;
	double ops;		/* count less the START events: the share's base */
};

/* Sums a document's groups by label into a map of compare_label. */
static struct hmap *
compare_labels(struct json_object *doc)
{
	struct hmap *m = hmap_new();
	struct json_object *groups, *g, *key, *lv;
	struct compare_label *l;
	const char *name;
	size_t i;
	double v;

	json_object_object_get_ex(doc, "groups", &groups);
	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		/* a label that is null (a damaged file) is no label */
		if (!json_object_object_get_ex(g, "key", &key) ||
		    !json_object_object_get_ex(key, "label", &lv) ||
		    (name = json_object_get_string(lv)) == NULL)
			continue;
		l = hmap_get(m, name, strlen(name));
		if (l == NULL) {
			l = util_calloc(1, sizeof(*l));
			hmap_put(m, name, strlen(name), l);
		}
		if (compare_group_metric(g, "count", &v) == 0) {
			l->count += v;
			compare_share_add(key, v, &l->ops, &l->errors);
		}
		if (compare_group_metric(g, "rate", &v) == 0)
			l->rate += v;
	}
	return m;
}

/* What the groups of one label did. */
struct compare_label_groups {
	int worse, better;
	const struct compare_row *worst, *best;	/* the largest of each */
};

/* Sums up the verdicts of the rows whose label is name. */
static void
compare_label_groups(const struct compare_row *rows, size_t n,
    const char *name, struct compare_label_groups *lg)
{
	const struct compare_row *r;
	const char *l;
	size_t i;

	memset(lg, 0, sizeof(*lg));
	for (i = 0; i < n; i++) {
		r = &rows[i];
		l = jx_str(jx_get(r->obj, "key.label"), NULL);
		if (l == NULL || strcmp(l, name) != 0)
			continue;
		if (r->verdict == 1) {
			lg->worse++;
			if (lg->worst == NULL || r->score > lg->worst->score)
				lg->worst = r;
		} else if (r->verdict == -1) {
			lg->better++;
			if (lg->best == NULL || r->score > lg->best->score)
				lg->best = r;
		}
	}
}

/* One load metric of a label into arr; returns its load bits. */
static int
compare_label_load(const char *name, const char *metric, double b, double c,
    struct compare_side *sb, struct compare_side *sc,
    const struct compare_opts *o, struct json_object *arr,
    struct json_object *load)
{
	struct json_object *m;
	double pct;
	int v;

	sb->v = b;
	sc->v = c;
	m = compare_metric(metric, KIND_LOAD, sb, sc, o, &v, &pct);
	json_object_array_add(arr, m);
	if (v == 0)
		return 0;
	compare_load_add(load, name, NULL, m);
	return v > 0 ? 1 : 2;
}

/*
 * Compares one label's totals into a new row (count and rate as load,
 * the error share when errors) and returns it; *share gets the error
 * share's verdict, *share_m its metric (borrowed, NULL without errors).
 */
static struct json_object *
compare_label_row(const char *name, const struct compare_label *lb,
    const struct compare_label *lc, int errors,
    const struct compare_opts *o, struct json_object *load, int *share,
    struct json_object **share_m)
{
	struct json_object *row = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct compare_side sb, sc;
	double pct;
	int bits;

	memset(&sb, 0, sizeof(sb));
	memset(&sc, 0, sizeof(sc));
	sb.n = lb->count;
	sc.n = lc->count;
	bits = compare_label_load(name, "count", lb->count, lc->count, &sb,
	    &sc, o, arr, load);
	bits |= compare_label_load(name, "rate", lb->rate, lc->rate, &sb, &sc,
	    o, arr, load);
	*share = 0;
	*share_m = NULL;
	if (errors) {
		sb.n = lb->ops;
		sc.n = lc->ops;
		sb.v = lb->ops > 0 ? lb->errors / lb->ops : 0;
		sc.v = lc->ops > 0 ? lc->errors / lc->ops : 0;
		sb.share_n = lb->errors;
		sc.share_n = lc->errors;
		*share_m = compare_metric("error_share", KIND_SHARE, &sb, &sc,
		    o, share, &pct);
		json_object_array_add(arr, *share_m);
	}
	json_object_object_add(row, "label", json_object_new_string(name));
	json_object_object_add(row, "load", json_object_new_string(
	    compare_load_name(bits)));
	json_object_object_add(row, "metrics", arr);
	return row;
}

/*
 * A label's verdict: worse when its error share rose or a group of it
 * got slower; better when one of them improved and none got worse. Its
 * groups' latency leads; the error share decides when no group does.
 * Returns 1, -1 or 0.
 */
static int
compare_label_verdict(struct json_object *row, const char *name, int share,
    struct json_object *share_m, const struct compare_label_groups *lg)
{
	int v = share > 0 || lg->worse > 0 ? 1 : share < 0 || lg->better > 0 ?
	    -1 : 0;
	const struct compare_row *g = v > 0 ? lg->worst : lg->best;
	char *text;

	json_object_object_add(row, "verdict", json_object_new_string(
	    v > 0 ? "worse" : v < 0 ? "better" : "unchanged"));
	json_object_object_add(row, "groups_worse",
	    json_object_new_int(lg->worse));
	json_object_object_add(row, "groups_better",
	    json_object_new_int(lg->better));
	if (v == 0)
		return 0;
	if (g != NULL) {
		json_object_object_add(row, "decided_by", json_object_get(
		    json_object_object_get(g->obj, "decided_by")));
	} else if (share == v) {
		text = compare_change_text(name, share_m);
		json_object_object_add(row, "decided_by",
		    json_object_new_string(text));
		free(text);
	}
	return v;
}

/*
 * Compares the labels both documents hold (in the baseline's order),
 * led by their groups' rows; load changes go to load. *worse gets the
 * number of labels whose verdict is worse.
 */
static struct json_object *
compare_label_rows(struct json_object *base, struct json_object *cont,
    const struct compare_opts *o, const struct compare_row *rows, size_t n,
    struct json_object *load, int *worse)
{
	struct hmap *mb = compare_labels(base), *mc = compare_labels(cont);
	struct json_object *out = json_object_new_array(), *row, *share_m;
	struct json_object *groups = jx_get(base, "groups");
	int errors = compare_doc_knows_errors(base) &&
	    compare_doc_knows_errors(cont), share;
	struct compare_label_groups lg;
	struct compare_label *lb, *lc;
	const char *name;
	size_t i;

	*worse = 0;
	for (i = 0; i < jx_len(groups); i++) {
		name = jx_str(jx_get(jx_at(groups, i), "key.label"), NULL);
		if (name == NULL ||
		    (lb = hmap_get(mb, name, strlen(name))) == NULL ||
		    (lc = hmap_get(mc, name, strlen(name))) == NULL)
			continue;
		row = compare_label_row(name, lb, lc, errors, o, load, &share,
		    &share_m);
		compare_label_groups(rows, n, name, &lg);
		*worse += compare_label_verdict(row, name, share, share_m,
		    &lg) > 0;
		json_object_array_add(out, row);
		/* once per label */
		hmap_put(mb, name, strlen(name), NULL);
		free(lb);
	}
	hmap_free(mb, free);
	hmap_free(mc, free);
	return out;
}

/* The "baseline"/"contender" description of a document. */
static struct json_object *
compare_describe(struct json_object *doc, const char *name)
{
	struct json_object *d = json_object_new_object(), *v, *ev;

	json_object_object_add(d, "name", json_object_new_string(name));
	if (json_object_object_get_ex(doc, "generated", &v))
		json_object_object_add(d, "generated", json_object_get(v));
	if (json_object_object_get_ex(doc, "window", &v))
		json_object_object_add(d, "window", json_object_get(v));
	if (json_object_object_get_ex(doc, "events", &ev) &&
	    json_object_object_get_ex(ev, "accepted", &v))
		json_object_object_add(d, "events", json_object_get(v));
	if (json_object_object_get_ex(doc, "percentile_method", &v))
		json_object_object_add(d, "percentile_method",
		    json_object_get(v));
	return d;
}

/* A group present on one side only. */
static struct json_object *
compare_lone(struct json_object *g)
{
	struct json_object *o = json_object_new_object(), *key, *v;
	char *title;

	json_object_object_get_ex(g, "key", &key);
	json_object_object_add(o, "key", json_object_get(key));
	title = compare_key_title(key);
	json_object_object_add(o, "title", json_object_new_string(title));
	free(title);
	if (json_object_object_get_ex(g, "count", &v))
		json_object_object_add(o, "count", json_object_get(v));
	if (compare_group_metric(g, "p95", &(double){ 0 }) == 0)
		json_object_object_add(o, "p95", json_object_get(
		    json_object_object_get(json_object_object_get(g,
		    "percentiles"), "p95")));
	return o;
}

/* The groups of two analyses matched by key. */
struct compare_match {
	struct compare_row *rows;	/* one per matched group */
	size_t n;
	int counts[4];			/* worse, better, unchanged, not
					   judged (compare_rank) */
	struct json_object *only_b;	/* groups of one side only */
	struct json_object *only_c;
};

/*
 * Matches the groups of base and cont by their "by" values into m; their
 * load changes go to load.
 */
static void
compare_match(struct json_object *base, struct json_object *cont,
    struct json_object *by, const struct compare_opts *o,
    struct json_object *load, struct compare_match *m)
{
	struct json_object *gb, *gc, *g;
	struct hmap *index = hmap_new();
	size_t nb, nc, i, len;
	unsigned char *used;
	uintptr_t j;
	char *k;

	memset(m, 0, sizeof(*m));
	json_object_object_get_ex(base, "groups", &gb);
	json_object_object_get_ex(cont, "groups", &gc);
	nb = jx_len(gb);
	nc = jx_len(gc);
	for (i = 0; i < nc; i++) {
		k = compare_key_string(by, jx_at(gc, i), &len);
		hmap_put(index, k, len, (void *)(uintptr_t)(i + 1));
		free(k);
	}
	used = util_calloc(nc + 1, 1);
	m->rows = util_calloc(nb + 1, sizeof(*m->rows));
	m->only_b = json_object_new_array();
	for (i = 0; i < nb; i++) {
		g = jx_at(gb, i);
		k = compare_key_string(by, g, &len);
		j = (uintptr_t)hmap_get(index, k, len);
		free(k);
		if (j == 0 || used[j - 1]) {
			json_object_array_add(m->only_b, compare_lone(g));
			continue;
		}
		used[j - 1] = 1;
		compare_groups(g, jx_at(gc, j - 1), o, &m->rows[m->n], load);
		m->rows[m->n].order = m->n;
		m->counts[compare_rank(m->rows[m->n].verdict)]++;
		m->n++;
	}
	m->only_c = json_object_new_array();
	for (i = 0; i < nc; i++)
		if (!used[i])
			json_object_array_add(m->only_c, compare_lone(
			    jx_at(gc, i)));
	hmap_free(index, NULL);
	free(used);
}

/* The "options" block: the margins and tests the verdicts used. */
static struct json_object *
compare_options(const struct compare_opts *o)
{
	struct json_object *opts = json_object_new_object();

	json_object_object_add(opts, "margin", analysis_num(o->margin));
	json_object_object_add(opts, "margin_pct",
	    analysis_num(o->margin * 100));
	json_object_object_add(opts, "min_delta_ms",
	    analysis_num(o->min_delta));
	json_object_object_add(opts, "min_samples",
	    json_object_new_int64((int64_t)o->min_samples));
	json_object_object_add(opts, "z", analysis_num(o->z));
	json_object_object_add(opts, "tests", json_object_new_string(
	    "percentiles: asymptotic normal quantile test (density from the "
	    "neighbouring percentiles); mean: Welch z; count, rate: Poisson "
	    "z; error share: two-proportion z; max: margin only"));
	json_object_object_add(opts, "verdicts", json_object_new_string(
	    "a group is worse or better by its latency (mean, p50, p95, "
	    "p99); a group at 0 ms on both sides is not judged; count and "
	    "rate are load (more or less traffic), never better or worse; a "
	    "label is worse when its error share rose or a group of it got "
	    "slower"));
	return opts;
}

/*
 * The change that leads the comparison in one direction (a latency before
 * an error share, then the largest), and how many there are.
 */
struct compare_top {
	char *text;			/* caller frees */
	int latency;			/* 1 for a group's latency */
	double size;			/* |percent change| */
	int n;
};

/* Counts a change (text, size) and keeps it when it leads. */
static void
compare_top_take(struct compare_top *t, const char *text, int latency,
    double size)
{
	t->n++;
	if (t->text == NULL || latency > t->latency ||
	    (latency == t->latency && size > t->size)) {
		free(t->text);
		t->text = util_strdup(text);
		t->latency = latency;
		t->size = size;
	}
}

/*
 * The regressions (dir 1) or improvements (dir -1) of a comparison: the
 * groups' latencies and the labels' error shares.
 */
static void
compare_tops(const struct compare_match *m, struct json_object *labels,
    int dir, struct compare_top *t)
{
	struct json_object *metrics, *x, *pct;
	char *text;
	size_t i, j;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < m->n; i++)
		if (m->rows[i].verdict == dir)
			compare_top_take(t, jx_str(jx_get(m->rows[i].obj,
			    "decided_by"), "?"), 1, m->rows[i].score);
	for (i = 0; i < jx_len(labels); i++) {
		metrics = jx_get(jx_at(labels, i), "metrics");
		for (j = 0; j < jx_len(metrics); j++) {
			x = jx_at(metrics, j);
			if (strcmp(jx_str(jx_get(x, "kind"), ""), "share") !=
			    0 || strcmp(jx_str(jx_get(x, "verdict"), ""),
			    dir > 0 ? "worse" : "better") != 0)
				continue;
			text = compare_change_text(jx_str(jx_get(jx_at(labels,
			    i), "label"), "-"), x);
			pct = jx_get(x, "pct");
			compare_top_take(t, text, 0, pct != NULL ?
			    fabs(json_object_get_double(pct)) : 1e9);
			free(text);
		}
	}
}

/* The first line of the comparison: its verdict. Caller frees. */
static char *
compare_headline(const struct compare_top *worse,
    const struct compare_top *better)
{
	const struct compare_top *t = worse->n > 0 ? worse : better;

	if (t->n == 0)
		return util_strdup("no change beyond noise");
	if (t->n == 1)
		return util_printf("%s: %s", t == worse ? "worse" : "better",
		    t->text);
	return util_printf("%s: %s; %d more %s", t == worse ? "worse" :
	    "better", t->text, t->n - 1, t == worse ? (t->n == 2 ?
	    "regression" : "regressions") : (t->n == 2 ? "improvement" :
	    "improvements"));
}

/* The load changes' direction: 1 more, 2 less, 3 both, 0 none. */
static int
compare_load_bits(struct json_object *changes)
{
	int bits = 0;
	size_t i;

	for (i = 0; i < jx_len(changes); i++)
		bits |= strcmp(jx_str(jx_get(jx_at(changes, i), "change"), ""),
		    "more") == 0 ? 1 : 2;
	return bits;
}

/*
 * The load line: the direction and the first two changes, the labels'
 * counts first, then their rates, then the groups'. Caller frees.
 */
static char *
compare_load_text(struct json_object *changes)
{
	static const char *const dirs[] = { "", "more", "less",
	    "more and less" };
	static const char *const scopes[] = { "label", "group" };
	static const char *const metrics[] = { "count", "rate" };
	struct json_object *c;
	struct strbuf b;
	size_t i, shown = 0, pass;

	if (jx_len(changes) == 0)
		return util_strdup("unchanged (count and rate within the "
		    "noise)");
	strbuf_init(&b, 0);
	strbuf_addf(&b, "%s traffic (not judged): ",
	    dirs[compare_load_bits(changes)]);
	for (pass = 0; pass < 4; pass++) {
		for (i = 0; i < jx_len(changes) && shown < 2; i++) {
			c = jx_at(changes, i);
			if (strcmp(jx_str(jx_get(c, "scope"), ""),
			    scopes[pass / 2]) != 0 ||
			    strcmp(jx_str(jx_get(c, "metric"), ""),
			    metrics[pass % 2]) != 0)
				continue;
			strbuf_addf(&b, "%s%s", shown++ ? "; " : "",
			    jx_str(jx_get(c, "text"), "?"));
		}
	}
	if (jx_len(changes) > shown)
		strbuf_addf(&b, "; %zu more load changes",
		    jx_len(changes) - shown);
	return strbuf_detach(&b);
}

/* Adds member name = count to o. */
static void
compare_count(struct json_object *o, const char *name, int64_t n)
{
	json_object_object_add(o, name, json_object_new_int64(n));
}

/* The "summary" block: the counts, the verdict and its headline. */
static struct json_object *
compare_summary(const struct compare_match *m, struct json_object *labels,
    struct json_object *load, int lworse)
{
	struct json_object *sum = json_object_new_object();
	struct compare_top worse, better;
	char *text;

	compare_tops(m, labels, 1, &worse);
	compare_tops(m, labels, -1, &better);
	compare_count(sum, "matched", (int64_t)m->n);
	compare_count(sum, "worse", m->counts[0]);
	compare_count(sum, "better", m->counts[1]);
	compare_count(sum, "unchanged", m->counts[2]);
	compare_count(sum, "not_judged", m->counts[3]);
	compare_count(sum, "labels_worse", lworse);
	compare_count(sum, "error_share_worse", worse.n - m->counts[0]);
	compare_count(sum, "baseline_only", (int64_t)jx_len(m->only_b));
	compare_count(sum, "contender_only", (int64_t)jx_len(m->only_c));
	compare_count(sum, "regressions", worse.n);
	json_object_object_add(sum, "regressed",
	    json_object_new_boolean(worse.n > 0));
	json_object_object_add(sum, "verdict", json_object_new_string(
	    worse.n > 0 ? "worse" : better.n > 0 ? "better" : "unchanged"));
	text = compare_headline(&worse, &better);
	json_object_object_add(sum, "headline", json_object_new_string(text));
	free(text);
	json_object_object_add(sum, "load", json_object_new_string(
	    compare_load_name(compare_load_bits(load))));
	text = compare_load_text(load);
	json_object_object_add(sum, "load_text", json_object_new_string(text));
	free(text);
	compare_count(sum, "load_changes", (int64_t)jx_len(load));
	free(worse.text);
	free(better.text);
	return sum;
}

/* The "load" block: the direction of the traffic and every change. */
static struct json_object *
compare_load_block(struct json_object *load)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "verdict", json_object_new_string(
	    compare_load_name(compare_load_bits(load))));
	json_object_object_add(o, "changes", json_object_get(load));
	return o;
}

struct json_object *
compare_build(struct json_object *base, struct json_object *cont,
    const struct compare_opts *o, const char *base_name,
    const char *cont_name, char **cause)
{
	struct json_object *byb = jx_get(base, "by"), *byc = jx_get(cont, "by");
	struct json_object *doc, *arr, *labels, *load;
	struct compare_match m;
	char buf[TIME_BUF];
	size_t i;
	int lworse;

	if (byb == NULL || byc == NULL || !json_object_equal(byb, byc)) {
		util_fail(cause, "the analyses are grouped differently (by "
		    "%s vs %s); analyze both with the same --by",
		    byb ? json_object_to_json_string(byb) : "?",
		    byc ? json_object_to_json_string(byc) : "?");
		return NULL;
	}
	load = json_object_new_array();
	compare_match(base, cont, byb, o, load, &m);
	util_sort(m.rows, m.n, sizeof(*m.rows), compare_row_cmp);
	arr = json_object_new_array();
	for (i = 0; i < m.n; i++)
		json_object_array_add(arr, m.rows[i].obj);
	labels = compare_label_rows(base, cont, o, m.rows, m.n, load, &lworse);
	doc = json_object_new_object();
	json_object_object_add(doc, "schema",
	    json_object_new_string(COMPARE_SCHEMA));
	json_object_object_add(doc, "generator", analysis_generator());
	json_object_object_add(doc, "generated", json_object_new_string(
	    time_format(time_generated(), buf)));
	json_object_object_add(doc, "baseline", compare_describe(base,
	    base_name));
	json_object_object_add(doc, "contender", compare_describe(cont,
	    cont_name));
	json_object_object_add(doc, "by", json_object_get(byb));
	json_object_object_add(doc, "options", compare_options(o));
	json_object_object_add(doc, "summary", compare_summary(&m, labels,
	    load, lworse));
	json_object_object_add(doc, "load", compare_load_block(load));
	json_object_object_add(doc, "labels", labels);
	json_object_object_add(doc, "groups", arr);
	json_object_object_add(doc, "baseline_only", m.only_b);
	json_object_object_add(doc, "contender_only", m.only_c);
	json_object_put(load);
	free(m.rows);
	return doc;
}

int
compare_regressions(struct json_object *cmp)
{
	return (int)jx_int(cmp, "summary.regressions", 0);
}
