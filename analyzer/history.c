/* history.c: night summaries in a JSON Lines file or a search index. */
#include "history.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analysis.h"
#include "chart.h"
#include "compare.h"
#include "es.h"
#include "files.h"
#include "hmap.h"
#include "http.h"
#include "jscan.h"
#include "jx.h"
#include "timeutil.h"
#include "tmpl.h"
#include "util.h"
#include "version.h"

#define HISTORY_MAX_LINE (64u << 20)
#define HISTORY_MAX_NIGHTS 100000
#define HISTORY_ES_PAGE 25		/* nights per search */
#define HISTORY_ES_WINDOW 10000		/* from + size a server allows */
#define HISTORY_ES_ANALYSIS_MAX ((size_t)32 << 20)	/* one analysis */

/* Per-label figures while a summary is built. */
struct history_label {
	double count, rate, errors, weight;
	double ops;		/* count less the START events: the share's base */
	struct json_object *heavy;	/* borrowed group */
};

/* The night's own members, before its labels. */
static void
history_night_head(struct json_object *n, const struct history_input *in)
{
	struct json_object *v, *ev, *t;
	char buf[TIME_BUF];

	json_object_object_add(n, "schema",
	    json_object_new_string(HISTORY_SCHEMA));
	json_object_object_add(n, "time", json_object_new_string(
	    time_format(in->when, buf)));
	json_object_object_add(n, "verdict", json_object_new_string(
	    in->pass ? "pass" : "fail"));
	json_object_object_add(n, "generator", json_object_new_string(
	    "medload " MEDLOAD_VERSION));
	if (in->analysis_path != NULL)
		json_object_object_add(n, "analysis",
		    json_object_new_string(in->analysis_path));
	if (in->report_dir != NULL)
		json_object_object_add(n, "report",
		    json_object_new_string(in->report_dir));
	if (json_object_object_get_ex(in->analysis, "events", &ev) &&
	    json_object_object_get_ex(ev, "accepted", &v))
		json_object_object_add(n, "events", json_object_get(v));
	if (json_object_object_get_ex(in->analysis, "window", &v))
		json_object_object_add(n, "window", json_object_get(v));
	json_object_object_add(n, "baseline", in->baseline ?
	    json_object_new_string(in->baseline) : NULL);
	json_object_object_add(n, "regressions", json_object_new_int(
	    in->compare ? compare_regressions(in->compare) : 0));
	if (in->thresholds != NULL) {
		t = json_object_new_object();
		json_object_object_foreach(in->thresholds, k, tv)
			if (strcmp(k, "results") != 0)
				json_object_object_add(t, k,
				    json_object_get(tv));
		json_object_object_add(n, "thresholds", t);
	}
}

/* Adds group g (its key borrowed) to its label's sums. */
static void
history_label_add(struct history_label *hl, struct json_object *g,
    struct json_object *key)
{
	double count, mean, rate;

	if (compare_group_metric(g, "count", &count) == -1)
		count = 0;
	if (compare_group_metric(g, "mean", &mean) == -1)
		mean = 0;
	hl->count += count;
	compare_share_add(key, count, &hl->ops, &hl->errors);
	if (compare_group_metric(g, "rate", &rate) == 0)
		hl->rate += rate;
	if (hl->heavy == NULL || count * mean > hl->weight) {
		hl->heavy = g;
		hl->weight = count * mean;
	}
}

/* A label's summary: totals and the latency of its heaviest group. */
static struct json_object *
history_label_obj(const char *name, const struct history_label *hl,
    int errors)
{
	static const char *const pcts[] = { "p50", "p95", "p99" };
	struct json_object *l = json_object_new_object(), *key = NULL, *v;
	size_t j;
	double pv;

	json_object_object_add(l, "label", json_object_new_string(name));
	json_object_object_add(l, "count", analysis_num(hl->count));
	json_object_object_add(l, "rate", analysis_num(hl->rate));
	json_object_object_add(l, "error_share", errors ? analysis_num(
	    hl->ops > 0 ? hl->errors / hl->ops : 0) : NULL);
	json_object_object_get_ex(hl->heavy, "key", &key);
	v = json_object_new_object();
	if (jx_is_object(key)) {
		json_object_object_foreach(key, kk, kv)
			if (strcmp(kk, "label") != 0)
				json_object_object_add(v, kk,
				    json_object_get(kv));
	}
	json_object_object_add(l, "group", v);
	for (j = 0; j < 3; j++)
		if (compare_group_metric(hl->heavy, pcts[j], &pv) == 0)
			json_object_object_add(l, pcts[j], analysis_num(pv));
	return l;
}

struct json_object *
history_night(const struct history_input *in)
{
	struct json_object *n = json_object_new_object(), *groups, *g, *key;
	struct json_object *lv, *labels;
	struct history_label *hl;
	struct hmap *m = hmap_new();
	const char *name, *order[4096];
	size_t i, nl = 0;
	int errors = compare_doc_knows_errors(in->analysis);

	history_night_head(n, in);
	json_object_object_get_ex(in->analysis, "groups", &groups);
	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (!json_object_object_get_ex(g, "key", &key) ||
		    !json_object_object_get_ex(key, "label", &lv))
			continue;
		name = jx_str(lv, "-");
		hl = hmap_get(m, name, strlen(name));
		if (hl == NULL) {
			if (nl == sizeof(order) / sizeof(order[0]))
				continue;
			hl = util_calloc(1, sizeof(*hl));
			hmap_put(m, name, strlen(name), hl);
			order[nl++] = name;
		}
		history_label_add(hl, g, key);
	}
	labels = json_object_new_array();
	for (i = 0; i < nl; i++)
		json_object_array_add(labels, history_label_obj(order[i],
		    hmap_get(m, order[i], strlen(order[i])), errors));
	json_object_object_add(n, "labels", labels);
	hmap_free(m, free);
	return n;
}

/* Returns 1 when o looks like a night record. */
static int
history_is_night(struct json_object *o)
{
	struct json_object *v;

	return jx_schema_is(o, HISTORY_SCHEMA) &&
	    json_object_object_get_ex(o, "time", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_object_get_ex(o, "verdict", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_is_type(json_object_object_get(o, "labels"),
	    json_type_array);
}

/* Adds a "file:line: why" warning. */
static void
history_warn(struct json_object *warnings, const char *path, size_t line,
    const char *why)
{
	char *s = line > 0 ? util_printf("%s:%zu: %s", path, line, why) :
	    util_printf("%s: %s", path, why);

	if (warnings != NULL)
		json_object_array_add(warnings, json_object_new_string(s));
	free(s);
}

int
history_file_read(const char *path, struct json_object **nights,
    struct json_object *warnings, char **cause)
{
	struct json_object *o;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	FILE *f;

	*nights = json_object_new_array();
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		util_fail(cause, "%s: cannot open: %s", path, strerror(errno));
		json_object_put(*nights);
		*nights = NULL;
		return -1;
	}
	while ((len = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		if (len == 0)
			continue;
		if ((size_t)len > HISTORY_MAX_LINE) {
			history_warn(warnings, path, lineno, "line too long");
			continue;
		}
		if (jx_len(*nights) >= HISTORY_MAX_NIGHTS)
			json_object_array_del_idx(*nights, 0, 1);
		o = json_tokener_parse(line);
		if (o == NULL) {
			history_warn(warnings, path, lineno, "not JSON");
			continue;
		}
		if (!history_is_night(o)) {
			history_warn(warnings, path, lineno, "not a night "
			    "record (schema " HISTORY_SCHEMA ")");
			json_object_put(o);
			continue;
		}
		json_object_array_add(*nights, o);
	}
	free(line);
	if (ferror(f)) {
		util_fail(cause, "%s: read error", path);
		fclose(f);
		json_object_put(*nights);
		*nights = NULL;
		return -1;
	}
	fclose(f);
	return 0;
}

int
history_file_append(const char *path, struct json_object *night,
    char **cause)
{
	const char *s = json_object_to_json_string_ext(night,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	struct strbuf b;
	char last = '\n';
	off_t end;
	int fd, rc = 0;

	fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd == -1)
		return util_fail(cause, "%s: cannot open: %s", path,
		    strerror(errno));
	end = lseek(fd, 0, SEEK_END);
	if (end > 0 && pread(fd, &last, 1, end - 1) != 1)
		last = '\n';
	strbuf_init(&b, 0);
	if (last != '\n')
		strbuf_addc(&b, '\n');
	strbuf_adds(&b, s);
	strbuf_addc(&b, '\n');
	if (write(fd, b.data, b.len) != (ssize_t)b.len || fsync(fd) == -1)
		rc = util_fail(cause, "%s: cannot write: %s", path,
		    strerror(errno));
	strbuf_release(&b);
	if (close(fd) == -1 && rc == 0)
		rc = util_fail(cause, "%s: %s", path, strerror(errno));
	return rc;
}

/* The search for one page of nights, newest first, without analyses. */
static struct json_object *
history_es_page_body(size_t from, size_t size)
{
	struct json_object *body = json_object_new_object(), *sort, *o, *src;
	struct json_object *ex;

	json_object_object_add(body, "from", json_object_new_int64(
	    (int64_t)from));
	json_object_object_add(body, "size", json_object_new_int64(
	    (int64_t)size));
	sort = json_object_new_array();
	o = json_object_new_object();
	json_object_object_add(o, "time", json_object_new_string("desc"));
	json_object_array_add(sort, o);
	json_object_array_add(sort, json_object_new_string("_doc"));
	json_object_object_add(body, "sort", sort);
	/* A night's analysis is fetched alone, for the baseline only. */
	ex = json_object_new_array();
	json_object_array_add(ex, json_object_new_string("analysis_json"));
	src = json_object_new_object();
	json_object_object_add(src, "excludes", ex);
	json_object_object_add(body, "_source", src);
	return body;
}

/*
 * Adds the nights of one page of hits to nights and their ids to ids
 * (both newest first); other documents go to warnings. Returns the
 * number of hits.
 */
static size_t
history_es_page(const char *index, struct json_object *ans,
    struct json_object *nights, struct json_object *ids,
    struct json_object *warnings)
{
	struct json_object *hits = jx_get(ans, "hits.hits"), *hit, *src;
	const char *id;
	char *path;
	size_t i;

	for (i = 0; i < jx_len(hits); i++) {
		hit = jx_at(hits, i);
		id = jx_str(json_object_object_get(hit, "_id"), "?");
		if (json_object_object_get_ex(hit, "_source", &src) &&
		    history_is_night(src)) {
			json_object_array_add(nights, json_object_get(src));
			json_object_array_add(ids, json_object_new_string(id));
			continue;
		}
		path = util_printf("%s/_doc/%s", index, id);
		history_warn(warnings, path, 0, "not a night record "
		    "(schema " HISTORY_SCHEMA ")");
		free(path);
	}
	return jx_len(hits);
}

/* Reverses array a into a new array (caller puts). */
static struct json_object *
history_reversed(struct json_object *a)
{
	struct json_object *r = json_object_new_array();
	size_t i;

	for (i = jx_len(a); i-- > 0;)
		json_object_array_add(r, json_object_get(jx_at(a, i)));
	return r;
}

int
history_es_read(struct es *es, const char *index, size_t max,
    struct json_object **nights, struct json_object **ids,
    struct json_object *warnings, char **cause)
{
	struct json_object *body, *ans, *got, *gids;
	size_t from, size, n;
	char *path;
	int rc = 0;

	*nights = *ids = NULL;
	if (es_check_index(index, cause) == -1)
		return -1;
	if (max > HISTORY_ES_WINDOW)
		max = HISTORY_ES_WINDOW;
	got = json_object_new_array();
	gids = json_object_new_array();
	path = util_printf("/%s/_search", index);
	for (from = 0; from < max && rc == 0; from += size) {
		size = max - from < HISTORY_ES_PAGE ? max - from :
		    HISTORY_ES_PAGE;
		body = history_es_page_body(from, size);
		ans = NULL;
		rc = es_call(es, "POST", path, body, 1, &ans, cause);
		json_object_put(body);
		n = rc == 0 && ans != NULL ? history_es_page(index, ans, got,
		    gids, warnings) : 0;
		json_object_put(ans);
		if (n < size)
			break;
	}
	free(path);
	if (rc == 0) {
		*nights = history_reversed(got);
		*ids = history_reversed(gids);
	}
	json_object_put(got);
	json_object_put(gids);
	return rc;
}

/* Takes the analysis_json of the first hit of a search answer. */
static int
history_es_first_analysis(const char *item, size_t n, void *arg)
{
	struct jscan_member src, a;

	if (jscan_member(item, n, "_source", &src) == 1 &&
	    src.type == JSCAN_OBJECT && jscan_member(src.val, src.vlen,
	    "analysis_json", &a) == 1 && a.type == JSCAN_STRING)
		jscan_unescape(a.val, a.vlen, arg);
	return 1;
}

char *
history_es_analysis(struct es *es, const char *index, const char *id,
    char **cause)
{
	static const char *const hits[] = { "hits", "hits" };
	struct json_object *body = json_object_new_object(), *q, *ids, *v;
	struct http_response r;
	struct strbuf text;
	const char *err;
	char *path;
	int rc;

	v = json_object_new_array();
	json_object_array_add(v, json_object_new_string(id));
	ids = json_object_new_object();
	json_object_object_add(ids, "values", v);
	q = json_object_new_object();
	json_object_object_add(q, "ids", ids);
	json_object_object_add(body, "query", q);
	v = json_object_new_array();
	json_object_array_add(v, json_object_new_string("analysis_json"));
	json_object_object_add(body, "_source", v);
	path = util_printf("/%s/_search", index);
	strbuf_init(&text, 0);
	rc = es_call_text(es, "POST", path, body, HISTORY_ES_ANALYSIS_MAX, &r,
	    cause);
	if (rc == 0 && jscan_path_each(r.body.data, r.body.len, hits, 2,
	    history_es_first_analysis, &text, &err) == -1)
		rc = util_fail(cause, "POST %s: not a search answer", path);
	http_response_release(&r);
	json_object_put(body);
	free(path);
	if (rc == -1 || text.len == 0) {
		strbuf_release(&text);
		return NULL;
	}
	return strbuf_detach(&text);
}

int
history_es_append(struct es *es, const char *index,
    struct json_object *night, struct json_object *analysis, char **cause)
{
	static const char mapping[] =
	    "{\"mappings\":{\"properties\":{"
	    "\"time\":{\"type\":\"date\"},"
	    "\"verdict\":{\"type\":\"keyword\"},"
	    "\"schema\":{\"type\":\"keyword\"},"
	    "\"analysis_json\":{\"type\":\"text\",\"index\":false},"
	    "\"labels\":{\"properties\":{\"label\":{\"type\":\"keyword\"},"
	    "\"group\":{\"type\":\"object\",\"enabled\":false}}},"
	    "\"window\":{\"type\":\"object\",\"enabled\":false}}}}";
	struct json_object *body, *doc, *ans = NULL;
	char *path;
	int rc;

	if (es_check_index(index, cause) == -1)
		return -1;
	/* GET answers 404 (ans NULL) when the index is missing */
	path = util_printf("/%s", index);
	rc = es_call(es, "GET", path, NULL, 1, &ans, cause);
	if (rc == 0 && ans == NULL) {
		body = json_tokener_parse(mapping);
		rc = es_call(es, "PUT", path, body, 0, &ans, cause);
		json_object_put(body);
	}
	json_object_put(ans);
	ans = NULL;
	free(path);
	if (rc == -1)
		return -1;
	doc = json_object_new_object();
	json_object_object_foreach(night, k, v)
		json_object_object_add(doc, k, json_object_get(v));
	if (analysis != NULL)
		json_object_object_add(doc, "analysis_json",
		    json_object_new_string(json_object_to_json_string_ext(
		    analysis, JSON_C_TO_STRING_PLAIN)));
	path = util_printf("/%s/_doc?refresh=wait_for", index);
	rc = es_call(es, "POST", path, doc, 0, &ans, cause);
	free(path);
	json_object_put(doc);
	json_object_put(ans);
	return rc;
}

struct json_object *
history_last_passing(struct json_object *nights)
{
	struct json_object *n, *v;
	size_t i;

	for (i = jx_len(nights); i-- > 0;) {
		n = jx_at(nights, i);
		if (json_object_object_get_ex(n, "verdict", &v) &&
		    strcmp(jx_str(v, ""), "pass") == 0)
			return n;
	}
	return NULL;
}

struct json_object *
history_trend(struct json_object *nights, size_t n)
{
	struct json_object *out = json_object_new_object(), *arr, *labels;
	struct json_object *night, *ls, *l, *lv, *pts, *pt, *v;
	struct hmap *m = hmap_new();
	size_t total = jx_len(nights), from, i, j;
	static const char *const fields[] = { "p50", "p95", "p99", "rate",
	    "error_share", "count" };
	const char *name;
	size_t k;

	from = total > n ? total - n : 0;
	arr = json_object_new_array();
	labels = json_object_new_array();
	for (i = from; i < total; i++) {
		night = jx_at(nights, i);
		json_object_array_add(arr, json_object_get(night));
		if (!json_object_object_get_ex(night, "labels", &ls))
			continue;
		for (j = 0; j < jx_len(ls); j++) {
			l = jx_at(ls, j);
			if (!json_object_object_get_ex(l, "label", &lv))
				continue;
			name = jx_str(lv, "-");
			pts = hmap_get(m, name, strlen(name));
			if (pts == NULL) {
				struct json_object *lo;

				lo = json_object_new_object();
				pts = json_object_new_array();
				json_object_object_add(lo, "label",
				    json_object_new_string(name));
				json_object_object_add(lo, "points", pts);
				json_object_array_add(labels, lo);
				hmap_put(m, name, strlen(name), pts);
			}
			pt = json_object_new_object();
			json_object_object_add(pt, "time", json_object_get(
			    json_object_object_get(night, "time")));
			json_object_object_add(pt, "verdict", json_object_get(
			    json_object_object_get(night, "verdict")));
			for (k = 0; k < sizeof(fields) / sizeof(fields[0]);
			    k++) {
				if (json_object_object_get_ex(l, fields[k], &v))
					json_object_object_add(pt, fields[k],
					    json_object_get(v));
			}
			json_object_array_add(pts, pt);
		}
	}
	json_object_object_add(out, "nights", arr);
	json_object_object_add(out, "labels", labels);
	hmap_free(m, NULL);
	return out;
}

int
history_render_md_to(struct json_object *view, const char *templates,
    const char *path, enum files_kind kind, char **cause)
{
	static const char tp[] = "report-templates/nightly.md.tmpl";
	struct strbuf b;
	int rc;

	strbuf_init(&b, 0);
	rc = tmpl_render_asset(templates, tp, TMPL_MARKDOWN, view, &b, cause);
	if (rc == 0)
		rc = files_write(path, kind, b.data, b.len, cause);
	strbuf_release(&b);
	return rc;
}

int
history_render_md(struct json_object *view, const char *templates,
    const char *path, char **cause)
{
	return history_render_md_to(view, templates, path, FILES_USER, cause);
}

/* The short name of a night ("11-29 07:56"). */
static void
history_night_name(struct json_object *night, char out[16])
{
	const char *t = jx_str(json_object_object_get(night, "time"), "");

	if (t == NULL || strlen(t) < 16) {
		snprintf(out, 16, "?");
		return;
	}
	snprintf(out, 16, "%.5s %.5s", t + 5, t + 11);
}

/* How the lines of several labels become one. */
enum history_merge {
	HISTORY_MAX,	/* the highest (latencies: an upper bound) */
	HISTORY_SUM,	/* added up (rates) */
	HISTORY_SHARE,	/* weighted by the labels' counts (error share) */
};

/* One line of a trend chart: field of labels sel[0..n) merged by how. */
struct history_line {
	struct json_object **sel;
	size_t n;
	const char *field;
	enum history_merge how;
	char *title;
	int color;
};

/* The trend charts' common inputs. */
struct history_charts {
	struct json_object *nights;	/* the trend's nights: the x axis */
	struct json_object **sel;	/* its labels, the busiest first */
	size_t n, keep;
	const char *dir, *templates;
	struct json_object *list, *problems;
};

/* The index of night time t among the trend's nights, or -1. */
static long
history_night_at(const struct history_charts *hc, const char *t)
{
	size_t i;

	for (i = 0; t != NULL && i < jx_len(hc->nights); i++)
		if (strcmp(jx_str(json_object_object_get(jx_at(hc->nights, i),
		    "time"), ""), t) == 0)
			return (long)i;
	return -1;
}

/* Adds point pt of a label to night x of line l's sums. */
static void
history_line_add(const struct history_line *l, struct json_object *pt,
    double *v, double *w, int *have)
{
	struct json_object *val;
	double x, count = 1;

	if (!json_object_object_get_ex(pt, l->field, &val) ||
	    !(json_object_is_type(val, json_type_int) ||
	    json_object_is_type(val, json_type_double)))
		return;
	x = json_object_get_double(val);
	if (l->how == HISTORY_SHARE && json_object_object_get_ex(pt, "count",
	    &val) && (json_object_is_type(val, json_type_int) ||
	    json_object_is_type(val, json_type_double)))
		count = json_object_get_double(val);
	if (l->how == HISTORY_MAX)
		*v = *have ? fmax(*v, x) : x;
	else if (l->how == HISTORY_SUM)
		*v += x;
	else {
		*v += x * count;
		*w += count;
	}
	*have = 1;
}

/* Writes line l's data file: one row per night it has a value for. */
static void
history_line_data(const struct history_charts *hc,
    const struct history_line *l, double scale, FILE *f)
{
	size_t nn = jx_len(hc->nights), i, j, x;
	double *v = util_calloc(nn + 1, sizeof(*v));
	double *w = util_calloc(nn + 1, sizeof(*w));
	int *have = util_calloc(nn + 1, sizeof(*have));
	struct json_object *pts, *pt;
	char night[16], num[32];
	long at;

	for (i = 0; i < l->n; i++) {
		json_object_object_get_ex(l->sel[i], "points", &pts);
		for (j = 0; j < jx_len(pts); j++) {
			pt = jx_at(pts, j);
			at = history_night_at(hc, jx_str(
			    json_object_object_get(pt, "time"), NULL));
			if (at >= 0)
				history_line_add(l, pt, &v[at], &w[at],
				    &have[at]);
		}
	}
	fprintf(f, "# night \"name\" value\n");
	for (x = 0; x < nn; x++) {
		if (!have[x])
			continue;
		if (l->how == HISTORY_SHARE)
			v[x] = w[x] > 0 ? v[x] / w[x] : 0;
		history_night_name(jx_at(hc->nights, x), night);
		fprintf(f, "%zu ", x);
		chart_data_string(f, night);
		fprintf(f, " %s\n", util_num(v[x] * scale, num));
	}
	free(v);
	free(w);
	free(have);
}

/*
 * One trend chart NAME of lines[0..nl) (their titles freed here), drawn
 * as report-templates/nightly.trend.gp.tmpl says. Returns 1 when drawn.
 */
static int
history_trend_chart(const struct history_charts *hc, const char *name,
    const char *title, const char *ylabel, double scale,
    struct history_line *lines, size_t nl)
{
	struct json_object *params = json_object_new_object();
	struct json_object *series = json_object_new_array(), *s;
	struct chart *c = chart_new(hc->dir, name);
	char suffix[32], *file, *cause = NULL;
	size_t i;
	FILE *f = NULL;
	int failed = 0;

	for (i = 0; i < nl && !failed; i++) {
		snprintf(suffix, sizeof(suffix), "s%zu", i);
		f = chart_data(c, suffix, &cause);
		if ((failed = f == NULL))
			break;
		history_line_data(hc, &lines[i], scale, f);
		s = json_object_new_object();
		file = util_printf("%s-%s.dat", name, suffix);
		json_object_object_add(s, "file", json_object_new_string(file));
		free(file);
		json_object_object_add(s, "title",
		    json_object_new_string(lines[i].title));
		json_object_object_add(s, "color",
		    json_object_new_int(lines[i].color));
		json_object_array_add(series, s);
	}
	for (i = 0; i < nl; i++)
		free(lines[i].title);
	json_object_object_add(params, "series", series);
	if (failed) {
		json_object_put(params);
		return chart_fail(c, cause, hc->problems);
	}
	json_object_object_add(params, "ylabel",
	    json_object_new_string(ylabel));
	json_object_object_add(params, "xmax",
	    analysis_num((double)jx_len(hc->nights) - 0.5));
	return chart_draw(c, name, title,
	    "report-templates/nightly.trend.gp.tmpl", hc->templates, params,
	    hc->list, hc->problems);
}

/*
 * The latency chart of label i of hc (i == hc->keep: the others, their
 * highest figures). Returns 1 when drawn.
 */
static int
history_latency_chart(const struct history_charts *hc, size_t i)
{
	static const char *const lat[] = { "p50", "p95", "p99" };
	struct history_line lines[3];
	size_t k, n = i == hc->keep ? hc->n - i : 1;
	char name[48], *title;
	int drawn;

	for (k = 0; k < 3; k++) {
		lines[k].sel = hc->sel + i;
		lines[k].n = n;
		lines[k].field = lat[k];
		lines[k].how = HISTORY_MAX;
		lines[k].title = util_strdup(lat[k]);
		lines[k].color = (int)k + 1;
	}
	if (i == hc->keep) {
		snprintf(name, sizeof(name), "trend-latency-others");
		title = util_printf("The other %zu labels: the highest p50, "
		    "p95, p99 among them by night", n);
	} else {
		snprintf(name, sizeof(name), "trend-latency-%zu", i);
		title = util_printf("%s: p50, p95, p99 by night", jx_str(
		    json_object_object_get(hc->sel[i], "label"), "-"));
	}
	drawn = history_trend_chart(hc, name, title, "ms", 1, lines, 3);
	free(title);
	return drawn;
}

/*
 * Line i of hc for field: label i, or (i == hc->keep) the others merged
 * by how, titled "the other N labels MERGED".
 */
static struct history_line
history_label_line(const struct history_charts *hc, size_t i,
    const char *field, enum history_merge how, const char *merged)
{
	struct history_line l;

	l.sel = hc->sel + i;
	l.field = field;
	l.how = how;
	if (i < hc->keep) {
		l.n = 1;
		l.title = util_strdup(jx_str(json_object_object_get(
		    hc->sel[i], "label"), "-"));
		l.color = (int)(i % 8) + 1;
	} else {
		l.n = hc->n - i;
		l.title = util_printf("the other %zu labels %s", l.n, merged);
		l.color = 10;
	}
	return l;
}

/* The chart of field for every label shown, then the others merged. */
static int
history_field_chart(const struct history_charts *hc, const char *field,
    enum history_merge how, const char *merged, double scale,
    const char *name, const char *title, const char *ylabel)
{
	struct history_line lines[CHART_TOP_LABELS + 1];
	size_t i, nl = 0;

	for (i = 0; i < hc->n && i <= hc->keep; i++)
		lines[nl++] = history_label_line(hc, i, field, how, merged);
	return history_trend_chart(hc, name, title, ylabel, scale, lines, nl);
}

/* A trend label's event count over the trend's nights. */
static double
history_trend_count(struct json_object *label)
{
	struct json_object *pts, *v;
	double total = 0;
	size_t j;

	json_object_object_get_ex(label, "points", &pts);
	for (j = 0; j < jx_len(pts); j++)
		if (json_object_object_get_ex(jx_at(pts, j), "count", &v))
			total += json_object_get_double(v);
	return total;
}

int
history_charts(struct json_object *trend, const char *dir,
    const char *templates, struct json_object *list,
    struct json_object *problems)
{
	struct history_charts hc = { NULL, NULL, 0, 0, dir, templates, list,
	    problems };
	struct json_object *labels;
	double *counts;
	size_t i;
	int drawn = 0;

	if (!json_object_object_get_ex(trend, "labels", &labels) ||
	    !json_object_object_get_ex(trend, "nights", &hc.nights) ||
	    chart_check_dir(dir, problems) == -1)
		return 0;
	hc.n = jx_len(labels);
	hc.sel = util_calloc(hc.n + 1, sizeof(*hc.sel));
	counts = util_calloc(hc.n + 1, sizeof(*counts));
	for (i = 0; i < hc.n; i++) {
		hc.sel[i] = jx_at(labels, i);
		counts[i] = history_trend_count(hc.sel[i]);
	}
	hc.keep = chart_top(hc.sel, counts, hc.n, CHART_TOP_LABELS);
	free(counts);
	for (i = 0; i < hc.n && i <= hc.keep; i++)
		drawn += history_latency_chart(&hc, i);
	drawn += history_field_chart(&hc, "rate", HISTORY_SUM, "added up", 1,
	    "trend-rate", "Events per second by night", "events/s");
	drawn += history_field_chart(&hc, "error_share", HISTORY_SHARE,
	    "together", 100, "trend-errors", "Error share by night",
	    "% of events");
	free(hc.sel);
	return drawn;
}
