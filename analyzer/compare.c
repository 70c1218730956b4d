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

/* Direction of a metric: 1 when higher is worse, -1 when better. */
enum compare_kind { KIND_LATENCY, KIND_QUANTILE, KIND_MEAN, KIND_COUNT,
	KIND_SHARE };

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
	} else if (kind == KIND_COUNT) {
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
 * Judges a tested difference: returns 1 worse, -1 better or 0 unchanged,
 * and why in reason.
 */
static int
compare_metric_judge(const char *name, enum compare_kind kind,
    int higher_worse, const struct compare_side *b,
    const struct compare_side *c, const struct compare_opts *o,
    const struct compare_test *t, char reason[160])
{
	int latency = kind == KIND_LATENCY || kind == KIND_QUANTILE ||
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
	else if (kind == KIND_LATENCY)
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
		return (t->diff > 0) == (higher_worse > 0) ? 1 : -1;
	}
	return 0;
}

/*
 * Compares one metric and returns its result object; *verdict is 1 worse,
 * -1 better, 0 unchanged; *pct_out the percent change (HUGE_VAL from 0).
 */
static struct json_object *
compare_metric(const char *name, enum compare_kind kind, int higher_worse,
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
	json_object_object_add(m, "baseline", analysis_num(b->v));
	json_object_object_add(m, "contender", analysis_num(c->v));
	json_object_object_add(m, "diff", analysis_num(t.diff));
	json_object_object_add(m, "pct", isfinite(t.pct) ? analysis_num(
	    round(t.pct * 100) / 100) : NULL);
	*verdict = compare_metric_judge(name, kind, higher_worse, b, c, o, &t,
	    reason);
	json_object_object_add(m, "verdict", json_object_new_string(
	    *verdict > 0 ? "worse" : *verdict < 0 ? "better" : "unchanged"));
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

/* One row of the comparison while it is built. */
struct compare_row {
	struct json_object *obj;
	int verdict;		/* 1 worse, -1 better, 0 unchanged */
	double score;		/* the largest worsening, in percent */
	size_t order;
};

/* Orders rows: worse first (largest change first), then better, then
 * unchanged, each in the baseline's order. */
static int
compare_row_cmp(const void *a, const void *b)
{
	const struct compare_row *x = a, *y = b;

	if (x->verdict != y->verdict)
		return y->verdict - x->verdict;
	if (x->verdict == 1 && x->score != y->score)
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

/* Compares two matched groups into a row. */
static void
compare_groups(struct json_object *gb, struct json_object *gc,
    const struct compare_opts *o, struct compare_row *row)
{
	static const struct {
		const char *name;
		enum compare_kind kind;
	} metrics[] = {
		{ "count", KIND_COUNT }, { "rate", KIND_COUNT },
		{ "mean", KIND_MEAN }, { "p50", KIND_QUANTILE },
		{ "p95", KIND_QUANTILE }, { "p99", KIND_QUANTILE },
		{ "max", KIND_LATENCY },
	};
	struct json_object *arr = json_object_new_array(), *key;
	struct compare_side sb, sc;
	double pct;
	int verdict, any_better = 0, err, worst_set = 0;
	const char *worst = NULL;
	char *title, pbuf[48];
	size_t i;

	json_object_object_get_ex(gb, "key", &key);
	err = compare_key_is_error(key);
	row->obj = json_object_new_object();
	row->verdict = 0;
	row->score = 0;
	json_object_object_add(row->obj, "key", json_object_get(key));
	title = compare_key_title(key);
	json_object_object_add(row->obj, "title",
	    json_object_new_string(title));
	free(title);
	compare_side_group(&sb, gb);
	compare_side_group(&sc, gc);
	for (i = 0; i < sizeof(metrics) / sizeof(metrics[0]); i++) {
		if (compare_group_metric(gb, metrics[i].name, &sb.v) == -1 ||
		    compare_group_metric(gc, metrics[i].name, &sc.v) == -1)
			continue;
		json_object_array_add(arr, compare_metric(metrics[i].name,
		    metrics[i].kind, metrics[i].kind == KIND_COUNT && !err ?
		    -1 : 1, &sb, &sc, o, &verdict, &pct));
		if (verdict > 0) {
			if (!isfinite(pct))
				pct = 1e9;
			if (!worst_set || pct > row->score) {
				row->score = pct;
				worst = metrics[i].name;
				worst_set = 1;
			}
			row->verdict = 1;
		} else if (verdict < 0)
			any_better = 1;
	}
	if (row->verdict == 0 && any_better)
		row->verdict = -1;
	json_object_object_add(row->obj, "verdict", json_object_new_string(
	    row->verdict > 0 ? "worse" : row->verdict < 0 ? "better" :
	    "unchanged"));
	json_object_object_add(row->obj, "verdict_uc", json_object_new_string(
	    row->verdict > 0 ? "WORSE" : row->verdict < 0 ? "BETTER" :
	    "unchanged"));
	if (worst != NULL) {
		json_object_object_add(row->obj, "worst",
		    json_object_new_string(worst));
		json_object_object_add(row->obj, "worst_pct", row->score < 1e9 ?
		    analysis_num(round(row->score * 10) / 10) : NULL);
		if (row->score < 1e9)
			snprintf(pbuf, sizeof(pbuf), "%+.1f%%", row->score);
		else
			snprintf(pbuf, sizeof(pbuf), "new");
		json_object_object_add(row->obj, "worst_change",
		    json_object_new_string(pbuf));
	}
	json_object_object_add(row->obj, "metrics", arr);
}

/* Per-label totals of one document. */
struct compare_label {
	double count, rate, errors;
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
			if (compare_key_is_error(key))
				l->errors += v;
		}
		if (compare_group_metric(g, "rate", &v) == 0)
			l->rate += v;
	}
	return m;
}

/* Compares the labels both documents hold. */
static struct json_object *
compare_label_rows(struct json_object *base, struct json_object *cont,
    const struct compare_opts *o, int *worse)
{
	struct hmap *mb = compare_labels(base), *mc = compare_labels(cont);
	struct json_object *out = json_object_new_array(), *row, *arr;
	struct compare_label *lb, *lc;
	struct compare_side sb, sc;
	int errors = compare_doc_knows_errors(base) &&
	    compare_doc_knows_errors(cont), verdict, v, better;
	struct json_object *groups;
	const char *name;
	double pct;
	size_t i;

	*worse = 0;
	json_object_object_get_ex(base, "groups", &groups);
	for (i = 0; i < jx_len(groups); i++) {
		struct json_object *key, *lv;

		json_object_object_get_ex(jx_at(groups, i),
		    "key", &key);
		if (!json_object_object_get_ex(key, "label", &lv))
			continue;
		name = jx_str(lv, "-");
		lb = hmap_get(mb, name, strlen(name));
		lc = hmap_get(mc, name, strlen(name));
		if (lb == NULL || lc == NULL)
			continue;
		row = json_object_new_object();
		arr = json_object_new_array();
		json_object_object_add(row, "label",
		    json_object_new_string(name));
		memset(&sb, 0, sizeof(sb));
		memset(&sc, 0, sizeof(sc));
		sb.n = lb->count;
		sc.n = lc->count;
		verdict = 0;
		better = 0;
		sb.v = lb->count;
		sc.v = lc->count;
		json_object_array_add(arr, compare_metric("count", KIND_COUNT,
		    -1, &sb, &sc, o, &v, &pct));
		verdict = v > 0 ? 1 : verdict;
		better |= v < 0;
		sb.v = lb->rate;
		sc.v = lc->rate;
		json_object_array_add(arr, compare_metric("rate", KIND_COUNT,
		    -1, &sb, &sc, o, &v, &pct));
		verdict = v > 0 ? 1 : verdict;
		better |= v < 0;
		if (errors) {
			sb.v = lb->count > 0 ? lb->errors / lb->count : 0;
			sc.v = lc->count > 0 ? lc->errors / lc->count : 0;
			sb.share_n = lb->errors;
			sc.share_n = lc->errors;
			json_object_array_add(arr, compare_metric(
			    "error_share", KIND_SHARE, 1, &sb, &sc, o, &v,
			    &pct));
			verdict = v > 0 ? 1 : verdict;
			better |= v < 0;
		}
		if (verdict == 0 && better)
			verdict = -1;
		*worse += verdict > 0;
		json_object_object_add(row, "verdict", json_object_new_string(
		    verdict > 0 ? "worse" : verdict < 0 ? "better" :
		    "unchanged"));
		json_object_object_add(row, "metrics", arr);
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
	int counts[3];			/* better, unchanged, worse */
	struct json_object *only_b;	/* groups of one side only */
	struct json_object *only_c;
};

/* Matches the groups of base and cont by their "by" values into m. */
static void
compare_match(struct json_object *base, struct json_object *cont,
    struct json_object *by, const struct compare_opts *o,
    struct compare_match *m)
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
		compare_groups(g, jx_at(gc, j - 1), o, &m->rows[m->n]);
		m->rows[m->n].order = m->n;
		m->counts[m->rows[m->n].verdict + 1]++;
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
	return opts;
}

/* The "summary" block. */
static struct json_object *
compare_summary(const struct compare_match *m, int lworse)
{
	struct json_object *sum = json_object_new_object();

	json_object_object_add(sum, "matched", json_object_new_int64(
	    (int64_t)m->n));
	json_object_object_add(sum, "worse",
	    json_object_new_int(m->counts[2]));
	json_object_object_add(sum, "better",
	    json_object_new_int(m->counts[0]));
	json_object_object_add(sum, "unchanged",
	    json_object_new_int(m->counts[1]));
	json_object_object_add(sum, "labels_worse",
	    json_object_new_int(lworse));
	json_object_object_add(sum, "baseline_only", json_object_new_int64(
	    (int64_t)jx_len(m->only_b)));
	json_object_object_add(sum, "contender_only", json_object_new_int64(
	    (int64_t)jx_len(m->only_c)));
	json_object_object_add(sum, "regressed",
	    json_object_new_boolean(m->counts[2] > 0 || lworse > 0));
	return sum;
}

struct json_object *
compare_build(struct json_object *base, struct json_object *cont,
    const struct compare_opts *o, const char *base_name,
    const char *cont_name, char **cause)
{
	struct json_object *byb = jx_get(base, "by"), *byc = jx_get(cont, "by");
	struct json_object *doc, *arr, *labels;
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
	compare_match(base, cont, byb, o, &m);
	qsort(m.rows, m.n, sizeof(*m.rows), compare_row_cmp);
	arr = json_object_new_array();
	for (i = 0; i < m.n; i++)
		json_object_array_add(arr, m.rows[i].obj);
	labels = compare_label_rows(base, cont, o, &lworse);
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
	json_object_object_add(doc, "summary", compare_summary(&m, lworse));
	json_object_object_add(doc, "labels", labels);
	json_object_object_add(doc, "groups", arr);
	json_object_object_add(doc, "baseline_only", m.only_b);
	json_object_object_add(doc, "contender_only", m.only_c);
	free(m.rows);
	return doc;
}

int
compare_regressions(struct json_object *cmp)
{
	struct json_object *sum, *v;
	int n = 0;

	if (!json_object_object_get_ex(cmp, "summary", &sum))
		return 0;
	if (json_object_object_get_ex(sum, "worse", &v))
		n += json_object_get_int(v);
	if (json_object_object_get_ex(sum, "labels_worse", &v))
		n += json_object_get_int(v);
	return n;
}

