/* source_es.c: analysis of traces stored in Elasticsearch or OpenSearch. */
#include "source_es.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analysis.h"
#include "assets.h"
#include "cli.h"
#include "es.h"
#include "jscan.h"
#include "jsub.h"
#include "jx.h"
#include "pipeline.h"
#include "timeutil.h"
#include "interrupt.h"
#include "util.h"

#define ES_SCROLL_KEEP "2m"
#define ES_COMPOSITE_PAGE 500

/* What the mapping says about the trace fields. */
struct es_layout {
	char *key_field[AGG_KEY_COUNT];	/* aggregatable field per key */
	int have_ellapsed;
	int have_elapsed;
	char *time_field;		/* NULL when there is none */
	int time_is_date;		/* else numeric epoch seconds */
	int have_run_id;
};

/* Frees a layout's strings. */
static void
es_layout_release(struct es_layout *l)
{
	int i;

	for (i = 0; i < AGG_KEY_COUNT; i++)
		free(l->key_field[i]);
	free(l->time_field);
	memset(l, 0, sizeof(*l));
}

/* The aggregatable name of a field, or NULL. */
static char *
es_agg_name(const char *name, const struct es_field *f)
{
	if (!f->exists)
		return NULL;
	if (f->keyword && !f->conflict)
		return util_strdup(name);
	if (f->text_keyword)
		return util_printf("%s.keyword", name);
	return NULL;
}

/* Reads the mapping of the trace fields. */
static int
es_detect(struct es *es, const char *index, struct es_layout *l,
    char **cause)
{
	static const char *const names[] = { "label", "handler", "outcome",
	    "traced_type", "ellapsed_milli", "elapsed_milli", "@timestamp",
	    "str_time", "timestamp", "medload.run_id" };
	struct es_field f[10];

	memset(l, 0, sizeof(*l));
	if (es_field_caps(es, index, names, 10, f, cause) == -1)
		return -1;
	l->key_field[AGG_KEY_LABEL] = f[0].exists ? es_agg_name("label", &f[0]) :
	    es_agg_name("handler", &f[1]);
	l->key_field[AGG_KEY_HANDLER] = es_agg_name("handler", &f[1]);
	l->key_field[AGG_KEY_OUTCOME] = es_agg_name("outcome", &f[2]);
	l->key_field[AGG_KEY_TRACED_TYPE] = es_agg_name("traced_type", &f[3]);
	l->have_ellapsed = f[4].exists && f[4].numeric && !f[4].conflict;
	l->have_elapsed = f[5].exists && f[5].numeric && !f[5].conflict;
	if (f[6].date) {
		l->time_field = util_strdup("@timestamp");
		l->time_is_date = 1;
	} else if (f[7].date) {
		l->time_field = util_strdup("str_time");
		l->time_is_date = 1;
	} else if (f[8].numeric && !f[8].conflict) {
		l->time_field = util_strdup("timestamp");
	}
	l->have_run_id = f[9].keyword;
	return 0;
}

static struct json_object *es_exists(const char *name);

/*
 * The trace label is "label" when a record has one, else "handler". An
 * index whose mapping has "label" (our template maps it) may hold no
 * document with it: then the label is the handler field.
 */
static int
es_resolve_label(struct es *es, const char *index, struct es_layout *l,
    char **cause)
{
	struct json_object *body, *q, *res = NULL, *c;
	char *path;
	long long n;

	if (l->key_field[AGG_KEY_LABEL] == NULL ||
	    strcmp(l->key_field[AGG_KEY_LABEL], "label") != 0)
		return 0;
	q = json_object_new_object();
	json_object_object_add(q, "query", es_exists("label"));
	path = util_printf("/%s/_count", index);
	body = q;
	if (es_call(es, "POST", path, body, 0, &res, cause) == -1) {
		free(path);
		json_object_put(q);
		return -1;
	}
	free(path);
	json_object_put(q);
	n = json_object_object_get_ex(res, "count", &c) ?
	    json_object_get_int64(c) : 0;
	json_object_put(res);
	if (n == 0) {
		free(l->key_field[AGG_KEY_LABEL]);
		l->key_field[AGG_KEY_LABEL] = l->key_field[AGG_KEY_HANDLER] ?
		    util_strdup(l->key_field[AGG_KEY_HANDLER]) : NULL;
	}
	return 0;
}

/* Says whether a glob needs more than ES wildcards (* and ?). */
static int
es_glob_unsupported(const char *g)
{
	return strpbrk(g, "[]") != NULL;
}

/*
 * Adds a clause matching any of the globs on field to the filter array.
 * Returns 0, or -1 when the server cannot express it (strict) .
 */
static int
es_globs_clause(struct json_object *filters, const char *field,
    const char **globs, size_t n, int strict, const char *what, char **cause)
{
	struct json_object *should, *c, *inner, *b;
	size_t i;

	if (n == 0)
		return 0;
	if (field == NULL) {
		if (strict)
			return util_fail(cause, "--%s: the index has no "
			    "aggregatable %s field", what, what);
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (es_glob_unsupported(globs[i])) {
			if (strict)
				return util_fail(cause, "--%s \"%s\": [...] "
				    "classes do not work with --mode aggs (only * "
				    "and ?)",
				    what, globs[i]);
			return 0;
		}
	}
	should = json_object_new_array();
	for (i = 0; i < n; i++) {
		c = json_object_new_object();
		inner = json_object_new_object();
		/* Lucene wildcards escape with '\\' as fnmatch does. */
		if (strpbrk(globs[i], "*?\\") != NULL) {
			b = json_object_new_object();
			json_object_object_add(b, "value",
			    json_object_new_string(globs[i]));
			json_object_object_add(inner, field, b);
			json_object_object_add(c, "wildcard", inner);
		} else {
			json_object_object_add(inner, field,
			    json_object_new_string(globs[i]));
			json_object_object_add(c, "term", inner);
		}
		json_object_array_add(should, c);
	}
	b = json_object_new_object();
	json_object_object_add(b, "should", should);
	json_object_object_add(b, "minimum_should_match",
	    json_object_new_int(1));
	c = json_object_new_object();
	json_object_object_add(c, "bool", b);
	json_object_array_add(filters, c);
	return 0;
}

/* A {"exists": {"field": name}} clause. */
static struct json_object *
es_exists(const char *name)
{
	struct json_object *c = json_object_new_object(), *e;

	e = json_object_new_object();
	json_object_object_add(e, "field", json_object_new_string(name));
	json_object_object_add(c, "exists", e);
	return c;
}

/*
 * The query: filters on labels, outcomes, types, time and run id; with
 * need_elapsed, only documents holding an elapsed value. strict: every
 * filter must be done by the server (aggs mode).
 */
static struct json_object *
es_query(const struct es_layout *l, const struct source_es_opts *o,
    int need_elapsed, int strict, char **cause)
{
	struct json_object *q, *b, *filters = json_object_new_array(), *r, *rf;
	const struct filter *f = o->filter;

	if (f != NULL && (es_globs_clause(filters,
	    l->key_field[AGG_KEY_LABEL], f->labels, f->nlabels, strict,
	    "label", cause) == -1 || es_globs_clause(filters,
	    l->key_field[AGG_KEY_OUTCOME], f->outcomes, f->noutcomes, strict,
	    "outcome", cause) == -1 || es_globs_clause(filters,
	    l->key_field[AGG_KEY_TRACED_TYPE], f->types, f->ntypes, strict,
	    "traced-type", cause) == -1)) {
		json_object_put(filters);
		return NULL;
	}
	if (f != NULL && (f->has_since || f->has_until)) {
		if (l->time_field == NULL && strict) {
			json_object_put(filters);
			util_fail(cause, "--since/--until: the index has no "
			    "time field (@timestamp, str_time as a date, or "
			    "timestamp as a double)");
			return NULL;
		}
		if (l->time_field != NULL) {
			double k = l->time_is_date ? 1000 : 1;

			rf = json_object_new_object();
			if (f->has_since)
				json_object_object_add(rf, "gte",
				    analysis_num(floor(f->since * k)));
			if (f->has_until)
				json_object_object_add(rf, "lt",
				    analysis_num(ceil(f->until * k)));
			if (l->time_is_date)
				json_object_object_add(rf, "format",
				    json_object_new_string("epoch_millis"));
			r = json_object_new_object();
			json_object_object_add(r, l->time_field, rf);
			b = json_object_new_object();
			json_object_object_add(b, "range", r);
			json_object_array_add(filters, b);
		}
	}
	if (o->run_id != NULL && l->have_run_id) {
		r = json_object_new_object();
		json_object_object_add(r, "medload.run_id",
		    json_object_new_string(o->run_id));
		b = json_object_new_object();
		json_object_object_add(b, "term", r);
		json_object_array_add(filters, b);
	}
	if (need_elapsed) {
		struct json_object *should = json_object_new_array(), *sb;

		if (l->have_ellapsed)
			json_object_array_add(should,
			    es_exists("ellapsed_milli"));
		if (l->have_elapsed)
			json_object_array_add(should, es_exists("elapsed_milli"));
		sb = json_object_new_object();
		json_object_object_add(sb, "should", should);
		json_object_object_add(sb, "minimum_should_match",
		    json_object_new_int(1));
		b = json_object_new_object();
		json_object_object_add(b, "bool", sb);
		json_object_array_add(filters, b);
	}
	b = json_object_new_object();
	json_object_object_add(b, "filter", filters);
	q = json_object_new_object();
	json_object_object_add(q, "bool", b);
	return q;
}

/* Fills a query template from queries/. */
static struct json_object *
es_template(const char *name, const struct jsub_params *p, char **cause)
{
	struct json_object *doc;
	char *path = util_printf("queries/%s", name), *text;

	text = assets_load(getenv("MEDLOAD_QUERIES"), path, NULL, cause);
	free(path);
	if (text == NULL)
		return NULL;
	doc = jsub_fill(name, text, p, cause);
	free(text);
	return doc;
}

/* --- raw mode ----------------------------------------------------------- */

/* One slice of a sliced scroll, run on its own thread. */
struct es_slice {
	const struct source_es_opts *o;
	struct json_object *query;	/* borrowed */
	int id;
	struct pipeline pipe;
	unsigned long long fetched;	/* read by the progress printer */
	unsigned long long total;
	int failed;
	int done;
	int started;
	char *cause;
	/* Pages fetched ahead while the last one is parsed. */
	pthread_mutex_t qlock;
	pthread_cond_t qcv;
	char *qdata[2];
	size_t qlen[2];
	int qhead;
	int qcount;
	int fetch_done;
	int stop;
	pthread_mutex_t *lock;
};

/* Feeds one hit to the slice's pipeline. */
static int
es_hit(const char *item, size_t n, void *arg)
{
	struct es_slice *s = arg;

	pipeline_line(item, n, s->pipe.counts.read + 1, 0, &s->pipe);
	return 0;
}

/* Reads a total hits value (a number or {"value": n}). */
static unsigned long long
es_total(const struct jscan_member *m)
{
	struct jscan_member mm[4];
	enum jscan_type t;
	size_t end, n, i;
	const char *err;

	if (m->type == JSCAN_NUMBER)
		return strtoull(m->val, NULL, 10);
	if (m->type != JSCAN_OBJECT || jscan_value(m->val, m->vlen, &t, &end,
	    mm, 4, &n, &err) == -1)
		return 0;
	for (i = 0; i < n && i < 4; i++)
		if (mm[i].klen == 5 && memcmp(mm[i].key, "value", 5) == 0)
			return strtoull(mm[i].val, NULL, 10);
	return 0;
}

/* Stops a path walk at the first hit: says there is one. */
static int
es_any_hit(const char *item, size_t n, void *arg)
{
	(void)item;
	(void)n;
	*(int *)arg = 1;
	return 1;
}

/*
 * Feeds the hits of one search/scroll answer to the slice's pipeline and
 * returns how many, or -1 when the answer is malformed. The hits are read
 * in one pass (each then parsed once by the pipeline).
 */
static long
es_page_parse(struct es_slice *s, const char *body, size_t len)
{
	static const char *const path[] = { "hits", "hits" };
	struct jscan_member m, t;
	const char *err;
	size_t before;

	if (s->total == 0 && jscan_member(body, len, "hits", &m) == 1 &&
	    m.type == JSCAN_OBJECT &&
	    jscan_member(m.val, m.vlen, "total", &t) == 1)
		s->total = es_total(&t);
	before = s->pipe.counts.read;
	if (jscan_path_each(body, len, path, 2, es_hit, s, &err) == -1)
		return -1;
	pthread_mutex_lock(s->lock);
	s->fetched = s->pipe.counts.read;
	pthread_mutex_unlock(s->lock);
	return (long)(s->pipe.counts.read - before);
}

/* Hands a fetched page to the parser; waits while two are queued. */
static int
es_queue_push(struct es_slice *s, char *data, size_t len)
{
	pthread_mutex_lock(&s->qlock);
	while (s->qcount == 2 && !s->stop)
		pthread_cond_wait(&s->qcv, &s->qlock);
	if (s->stop) {
		pthread_mutex_unlock(&s->qlock);
		free(data);
		return -1;
	}
	s->qdata[(s->qhead + s->qcount) % 2] = data;
	s->qlen[(s->qhead + s->qcount) % 2] = len;
	s->qcount++;
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qlock);
	return 0;
}

/*
 * Fetches one slice's pages (search, then scroll) ahead of the parser,
 * always releasing the scroll at the end.
 */
static void *
es_fetch_run(void *arg)
{
	struct es_slice *s = arg;
	const struct source_es_opts *o = s->o;
	struct json_object *body = NULL, *sl;
	struct jsub_params *p;
	struct http_response r;
	struct es *es = NULL;
	char *scroll_id = NULL, *url = NULL, *line;
	const char *text, *err;
	struct jscan_member m;
	int any;

	http_response_init(&r);
	if (es_open(o->url, o->http, &es, &s->cause) == -1)
		goto fail;
	p = jsub_params_new();
	jsub_set_number(p, "size", (double)o->batch);
	jsub_set(p, "query", json_object_get(s->query));
	if (o->slices > 1) {
		sl = json_object_new_object();
		json_object_object_add(sl, "id", json_object_new_int(s->id));
		json_object_object_add(sl, "max",
		    json_object_new_int(o->slices));
		jsub_set(p, "slice", sl);
	}
	body = es_template("raw-scroll.json", p, &s->cause);
	jsub_params_free(p);
	if (body == NULL)
		goto fail;
	url = util_printf("%s/%s/_search?scroll=%s", es->url, o->index,
	    ES_SCROLL_KEEP);
	for (;;) {
		text = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN);
		if (http_request(es->http, "POST", url, "application/json",
		    text, strlen(text), &r, &s->cause) == -1)
			goto fail;
		if (r.status != 200) {
			line = http_error_line(&r);
			util_fail(&s->cause, "%s: %s", scroll_id ? "scroll" :
			    "search", line);
			free(line);
			goto fail;
		}
		if (jscan_member(r.body.data, r.body.len, "_scroll_id",
		    &m) == 1 && m.type == JSCAN_STRING) {
			struct strbuf b;

			strbuf_init(&b, 0);
			jscan_unescape(m.val, m.vlen, &b);
			free(scroll_id);
			scroll_id = strbuf_detach(&b);
		}
		any = 0;
		if (jscan_path_each(r.body.data, r.body.len, (const char *[]){
		    "hits", "hits" }, 2, es_any_hit, &any, &err) == -1) {
			util_fail(&s->cause, "the server's answer is not a "
			    "search result");
			goto fail;
		}
		if (!any)
			break;
		{
			size_t len = r.body.len;

			if (es_queue_push(s, strbuf_detach(&r.body), len) == -1)
				goto out;
			http_response_release(&r);
			http_response_init(&r);
		}
		if (scroll_id == NULL)
			break;
		if (interrupt_pending()) {
			util_fail(&s->cause, "interrupted");
			goto fail;
		}
		json_object_put(body);
		body = json_object_new_object();
		json_object_object_add(body, "scroll",
		    json_object_new_string(ES_SCROLL_KEEP));
		json_object_object_add(body, "scroll_id",
		    json_object_new_string(scroll_id));
		free(url);
		url = util_printf("%s/_search/scroll", es->url);
	}
	goto out;
fail:
	s->failed = 1;
out:
	if (es != NULL && scroll_id != NULL) {
		char *ignored = NULL;

		/* Release the server's context on every path, Ctrl-C too. */
		http_client_uninterruptible(es->http, 1);
		es_scroll_clear(es, scroll_id, &ignored);
		free(ignored);
	}
	free(scroll_id);
	free(url);
	json_object_put(body);
	http_response_release(&r);
	es_free(es);
	pthread_mutex_lock(&s->qlock);
	s->fetch_done = 1;
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qlock);
	return NULL;
}

/* Runs one slice: a fetcher thread ahead, this thread parsing. */
static void *
es_slice_run(void *arg)
{
	struct es_slice *s = arg;
	pthread_t fetcher;
	char *data, *pcause = NULL;
	size_t len;
	int started, pfailed = 0;

	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcv, NULL);
	started = pthread_create(&fetcher, NULL, es_fetch_run, s) == 0;
	if (!started) {
		s->failed = 1;
		s->cause = util_strdup("cannot start a thread");
	}
	while (started) {
		pthread_mutex_lock(&s->qlock);
		while (s->qcount == 0 && !s->fetch_done)
			pthread_cond_wait(&s->qcv, &s->qlock);
		if (s->qcount == 0) {
			pthread_mutex_unlock(&s->qlock);
			break;
		}
		data = s->qdata[s->qhead];
		len = s->qlen[s->qhead];
		s->qhead = (s->qhead + 1) % 2;
		s->qcount--;
		pthread_cond_broadcast(&s->qcv);
		pthread_mutex_unlock(&s->qlock);
		if (!s->stop && es_page_parse(s, data, len) < 0) {
			/* Tell the fetcher to stop (it releases the scroll). */
			pthread_mutex_lock(&s->qlock);
			s->stop = 1;
			pthread_cond_broadcast(&s->qcv);
			pthread_mutex_unlock(&s->qlock);
			pfailed = 1;
			if (pcause == NULL)
				pcause = util_strdup("the server's answer is "
				    "not a search result");
		}
		free(data);
	}
	if (started)
		pthread_join(fetcher, NULL);
	/* The fetcher is gone: its cause and this thread's can merge. */
	if (pfailed) {
		s->failed = 1;
		if (s->cause == NULL)
			s->cause = pcause;
		else
			free(pcause);
	}
	pthread_mutex_destroy(&s->qlock);
	pthread_cond_destroy(&s->qcv);
	pthread_mutex_lock(s->lock);
	s->done = 1;
	pthread_mutex_unlock(s->lock);
	return NULL;
}

/* Prints the progress line of a raw export. */
static void
es_progress(struct es_slice *sl, int n, double start, int final)
{
	unsigned long long got = 0, total = 0;
	double el = time_now() - start, rate;
	int i;

	for (i = 0; i < n; i++) {
		pthread_mutex_lock(sl[i].lock);
		got += sl[i].fetched;
		total += sl[i].total;
		pthread_mutex_unlock(sl[i].lock);
	}
	rate = el > 0 ? (double)got / el : 0;
	fprintf(stderr, "\r\033[Kmedload: %llu / %llu events, %.0f/s", got,
	    total, rate);
	if (!final && rate > 0 && total > got)
		fprintf(stderr, ", ETA %.0f s", (double)(total - got) / rate);
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Raw mode: every matching event through the local pipeline. */
static struct json_object *
es_raw(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *source, int *partial,
    char **cause)
{
	struct analysis_request req;
	struct json_object *query, *doc, *errors;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct es_slice *sl;
	struct pipeline all;
	pthread_t *th;
	int i, running, failed = 0, last = 0;
	double start = time_now();

	(void)es;
	query = es_query(l, o, 0, 0, cause);
	if (query == NULL)
		return NULL;
	sl = util_calloc((size_t)o->slices, sizeof(*sl));
	th = util_calloc((size_t)o->slices, sizeof(*th));
	for (i = 0; i < o->slices; i++) {
		sl[i].o = o;
		sl[i].query = query;
		sl[i].id = i;
		sl[i].lock = &lock;
		pipeline_init(&sl[i].pipe, o->keys, o->nkeys, o->interval,
		    o->filter, o->show_rejects);
		sl[i].pipe.where = "hit";
		if (pthread_create(&th[i], NULL, es_slice_run, &sl[i]) != 0) {
			sl[i].failed = sl[i].done = 1;
			sl[i].cause = util_strdup("cannot start a thread");
		} else
			sl[i].started = 1;
	}
	do {
		usleep(100000);
		running = 0;
		for (i = 0; i < o->slices; i++) {
			pthread_mutex_lock(&lock);
			running += !sl[i].done;
			pthread_mutex_unlock(&lock);
		}
		if (o->progress && (time_now() - start) * 2 > last + 1) {
			last = (int)((time_now() - start) * 2);
			es_progress(sl, o->slices, start, 0);
		}
	} while (running > 0);
	if (o->progress)
		es_progress(sl, o->slices, start, 1);
	pipeline_init(&all, o->keys, o->nkeys, o->interval, o->filter, 0);
	errors = json_object_new_array();
	for (i = 0; i < o->slices; i++) {
		if (sl[i].started)
			pthread_join(th[i], NULL);
		if (sl[i].failed) {
			failed++;
			json_object_array_add(errors, json_object_new_string(
			    sl[i].cause ? sl[i].cause : "failed"));
			cli_error("slice %d: %s", i, sl[i].cause ? sl[i].cause :
			    "failed");
		}
		pipeline_merge(&all, &sl[i].pipe);
		pipeline_release(&sl[i].pipe);
		free(sl[i].cause);
	}
	pipeline_reject_summary(&all);
	*partial = failed > 0;
	json_object_object_add(source, "partial",
	    json_object_new_boolean(*partial));
	if (failed > 0)
		json_object_object_add(source, "errors", errors);
	else
		json_object_put(errors);
	req.keys = o->keys;
	req.nkeys = o->nkeys;
	req.pcts = o->pcts;
	req.npcts = o->npcts;
	req.source = source;
	req.filters = o->filters_doc;
	doc = analysis_build(all.agg, &all.counts, &req);
	pipeline_release(&all);
	json_object_put(query);
	free(sl);
	free(th);
	return doc;
}

/* --- aggs mode ---------------------------------------------------------- */

/*
 * Old ACA-Py writes ellapsed_milli, new ACA-Py elapsed_milli. An index
 * holding both is aggregated once per field, each pass limited to the
 * documents that have it, and the passes are merged: counts, min, max,
 * mean and stddev exactly; percentiles by mixing the two distributions,
 * each known through a grid of server percentiles (an approximation, as
 * the server's percentiles themselves are).
 */
static const double es_grid[] = { 0.1, 1, 2, 5, 10, 15, 20, 25, 30, 35, 40,
    45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 92.5, 95, 97.5, 98, 99, 99.5,
    99.9 };
#define ES_GRID_MAX (sizeof(es_grid) / sizeof(es_grid[0]) + ANALYSIS_MAX_PCTS)

/* One pass's figures for a group or a series bin. */
struct es_side {
	double count, min, max, mean, std, first, last;
	double pv[ES_GRID_MAX];		/* values at the grid's percents */
};

/* A group or series bin, from one or two passes. */
struct es_cell {
	struct json_object *key;	/* group key object or label */
	double ts;			/* series: bin start */
	struct es_side side[2];
	int nsides;
};

/* Merges percents: the grid plus the asked ones, sorted, unique. */
static size_t
es_grid_with(const double *q, size_t nq, double *out)
{
	size_t n = 0, i, j;
	double t;

	for (i = 0; i < sizeof(es_grid) / sizeof(es_grid[0]); i++)
		out[n++] = es_grid[i];
	for (i = 0; i < nq; i++) {
		for (j = 0; j < n && out[j] != q[i]; j++)
			;
		if (j == n)
			out[n++] = q[i];
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && out[j - 1] > out[j]; j--) {
			t = out[j];
			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

/* The share (0-100) of a side's values at or below v, interpolated. */
static double
es_cdf(const struct es_side *s, const double *g, size_t ng, double v)
{
	double x0 = s->min, y0 = 0, x1, y1;
	size_t i;

	if (v < s->min)
		return 0;
	if (v >= s->max)
		return 100;
	for (i = 0; i <= ng; i++) {
		x1 = i < ng ? s->pv[i] : s->max;
		y1 = i < ng ? g[i] : 100;
		if (v < x1)
			return x1 > x0 ? y0 + (y1 - y0) * (v - x0) / (x1 - x0) :
			    y1;
		x0 = x1;
		y0 = y1;
	}
	return 100;
}

/* The q-th percentile of the mixture of a cell's sides. */
static double
es_mix_pct(const struct es_cell *c, const double *g, size_t ng, double q)
{
	double lo, hi, mid, n = 0, f, base, span;
	int i, it;

	if (c->nsides == 1) {
		for (size_t k = 0; k < ng; k++)
			if (g[k] == q)
				return c->side[0].pv[k];
		return 0;
	}
	lo = c->side[0].min < c->side[1].min ? c->side[0].min : c->side[1].min;
	hi = c->side[0].max > c->side[1].max ? c->side[0].max : c->side[1].max;
	for (i = 0; i < 2; i++)
		n += c->side[i].count;
	base = lo;
	span = hi - lo;
	for (it = 0; it < 60; it++) {
		mid = lo + (hi - lo) / 2;
		f = 0;
		for (i = 0; i < 2; i++)
			f += c->side[i].count * es_cdf(&c->side[i], g, ng, mid);
		if (f / n >= q)
			hi = mid;
		else
			lo = mid;
	}
	/* Bisection ends a hair above an exact minimum: snap it back. */
	return hi - base < 1e-9 * (span + 1) ? base : hi;
}

/* Count, min, max, mean and stddev of a cell over its sides. */
static struct es_side
es_mix_stats(const struct es_cell *c)
{
	struct es_side m = c->side[0];
	double n, d;

	if (c->nsides == 2) {
		const struct es_side *b = &c->side[1];

		n = m.count + b->count;
		d = b->mean - m.mean;
		m.std = sqrt((m.count * m.std * m.std + b->count * b->std *
		    b->std + d * d * m.count * b->count / n) / n);
		m.mean = (m.mean * m.count + b->mean * b->count) / n;
		m.count = n;
		if (b->min < m.min)
			m.min = b->min;
		if (b->max > m.max)
			m.max = b->max;
		if (b->first < m.first)
			m.first = b->first;
		if (b->last > m.last)
			m.last = b->last;
	}
	return m;
}

/* Finds or adds the cell for a key (by its JSON text). */
static struct es_cell *
es_cell_for(struct es_cell **cells, size_t *n, struct json_object *key,
    double ts)
{
	const char *k = json_object_to_json_string_ext(key,
	    JSON_C_TO_STRING_PLAIN);
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*cells)[i].ts == ts && strcmp(json_object_to_json_string_ext(
		    (*cells)[i].key, JSON_C_TO_STRING_PLAIN), k) == 0)
			return &(*cells)[i];
	*cells = util_realloc(*cells, (*n + 1) * sizeof(**cells));
	memset(&(*cells)[*n], 0, sizeof(**cells));
	(*cells)[*n].key = json_object_get(key);
	(*cells)[*n].ts = ts;
	return &(*cells)[(*n)++];
}

/* Frees cells. */
static void
es_cells_free(struct es_cell *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		json_object_put(cells[i].key);
	free(cells);
}

/* The percentiles aggregation body for one elapsed field. */
static struct json_object *
es_percentiles(const char *field, const double *q, size_t n, int hdr)
{
	struct json_object *o = json_object_new_object(), *arr, *m;
	size_t i;

	json_object_object_add(o, "field", json_object_new_string(field));
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, analysis_num(q[i]));
	json_object_object_add(o, "percents", arr);
	json_object_object_add(o, "keyed", json_object_new_boolean(0));
	m = json_object_new_object();
	if (hdr) {
		json_object_object_add(m, "number_of_significant_value_digits",
		    json_object_new_int(3));
		json_object_object_add(o, "hdr", m);
	} else {
		json_object_object_add(m, "compression", json_object_new_int(100));
		json_object_object_add(o, "tdigest", m);
	}
	return o;
}

/* {"field": name}. */
static struct json_object *
es_field_obj(const char *name)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "field", json_object_new_string(name));
	return o;
}

/* A number member of an aggregation result (0 when null or absent). */
static double
es_num(struct json_object *o, const char *k)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, k, &v) || v == NULL)
		return 0;
	return json_object_get_double(v);
}

/* The value of a {"value": ...} metric, converted to epoch seconds. */
static double
es_time_value(const struct es_layout *l, struct json_object *bucket,
    const char *name)
{
	struct json_object *m;

	if (!json_object_object_get_ex(bucket, name, &m))
		return 0;
	return es_num(m, "value") / (l->time_is_date ? 1000 : 1);
}

/* Server percentiles {"values": [{"key", "value"}]} into out[]. */
static void
es_pct_values(struct json_object *bucket, size_t n, double *out)
{
	struct json_object *p, *vals, *e;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	if (!json_object_object_get_ex(bucket, "pct", &p) ||
	    !json_object_object_get_ex(p, "values", &vals))
		return;
	for (i = 0; i < n && i < jx_len(vals); i++) {
		e = jx_at(vals, i);
		out[i] = es_num(e, "value");
	}
}

/* Runs one aggregation query; NULL with *cause on failure. */
static struct json_object *
es_search(struct es *es, const char *index, struct json_object *body,
    char **cause)
{
	struct json_object *res = NULL;
	char *path = util_printf("/%s/_search", index);

	if (es_call(es, "POST", path, body, 0, &res, cause) == -1)
		res = NULL;
	free(path);
	return res;
}

/* The query limited to documents that have the field. */
static struct json_object *
es_query_with(struct json_object *query, const char *field)
{
	struct json_object *q = NULL, *b, *f;

	json_object_deep_copy(query, &q, NULL);
	if (json_object_object_get_ex(q, "bool", &b) &&
	    json_object_object_get_ex(b, "filter", &f))
		json_object_array_add(f, es_exists(field));
	return q;
}

/* One composite pass over the documents holding field. */
static int
es_groups_pass(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    const char *field, const double *g, size_t ng, struct es_cell **cells,
    size_t *ncells, char **cause)
{
	struct json_object *sources, *after = NULL, *body, *res, *aggs, *gr;
	struct json_object *buckets, *b, *key, *stats, *k, *ak, *q;
	struct jsub_params *p;
	struct es_cell *c;
	struct es_side *sd;
	size_t i, j;

	q = es_query_with(query, field);
	for (;;) {
		sources = json_object_new_array();
		for (i = 0; i < o->nkeys; i++) {
			struct json_object *src = json_object_new_object(), *te;

			te = json_object_new_object();
			json_object_object_add(te, "field",
			    json_object_new_string(l->key_field[o->keys[i]]));
			json_object_object_add(te, "missing_bucket",
			    json_object_new_boolean(1));
			k = json_object_new_object();
			json_object_object_add(k, "terms", te);
			json_object_object_add(src, agg_key_name(o->keys[i]), k);
			json_object_array_add(sources, src);
		}
		p = jsub_params_new();
		jsub_set(p, "query", json_object_get(q));
		jsub_set_number(p, "page", ES_COMPOSITE_PAGE);
		jsub_set(p, "sources", sources);
		if (after != NULL)
			jsub_set(p, "after", after);
		after = NULL;
		jsub_set(p, "elapsed", es_field_obj(field));
		jsub_set(p, "percentiles", es_percentiles(field, g, ng, o->hdr));
		jsub_set_string(p, "time_field", l->time_field);
		body = es_template("aggs-groups.json", p, cause);
		jsub_params_free(p);
		res = body ? es_search(es, o->index, body, cause) : NULL;
		json_object_put(body);
		if (res == NULL)
			break;
		if (!json_object_object_get_ex(res, "aggregations", &aggs) ||
		    !json_object_object_get_ex(aggs, "groups", &gr) ||
		    !json_object_object_get_ex(gr, "buckets", &buckets)) {
			json_object_put(res);
			util_fail(cause, "composite aggregation: unexpected "
			    "answer");
			break;
		}
		for (i = 0; i < jx_len(buckets); i++) {
			b = jx_at(buckets, i);
			json_object_object_get_ex(b, "key", &key);
			json_object_object_get_ex(b, "elapsed", &stats);
			k = json_object_new_object();
			for (j = 0; j < o->nkeys; j++) {
				struct json_object *kv = NULL;
				const char *kn = agg_key_name(o->keys[j]);

				json_object_object_get_ex(key, kn, &kv);
				json_object_object_add(k, kn, kv ?
				    json_object_get(kv) : NULL);
			}
			c = es_cell_for(cells, ncells, k, 0);
			json_object_put(k);
			sd = &c->side[c->nsides++];
			sd->count = es_num(stats, "count");
			sd->min = es_num(stats, "min");
			sd->max = es_num(stats, "max");
			sd->mean = es_num(stats, "avg");
			sd->std = es_num(stats, "std_deviation");
			sd->first = es_time_value(l, b, "first");
			sd->last = es_time_value(l, b, "last");
			es_pct_values(b, ng, sd->pv);
		}
		if (json_object_object_get_ex(gr, "after_key", &ak) &&
		    jx_len(buckets) > 0)
			after = json_object_get(ak);
		json_object_put(res);
		if (after == NULL) {
			json_object_put(q);
			return 0;
		}
		if (interrupt_pending()) {
			json_object_put(after);
			util_fail(cause, "interrupted");
			break;
		}
	}
	json_object_put(q);
	return -1;
}

/* Orders group keys by their values in key order, null first. */
static int
es_key_cmp(const void *pa, const void *pb)
{
	const struct es_cell *a = pa, *b = pb;
	struct json_object_iterator ia, ea, ib;
	const char *x, *y;
	int c;

	ia = json_object_iter_begin(a->key);
	ea = json_object_iter_end(a->key);
	ib = json_object_iter_begin(b->key);
	for (; !json_object_iter_equal(&ia, &ea); json_object_iter_next(&ia),
	    json_object_iter_next(&ib)) {
		struct json_object *va = json_object_iter_peek_value(&ia);
		struct json_object *vb = json_object_iter_peek_value(&ib);

		x = va ? json_object_get_string(va) : NULL;
		y = vb ? json_object_get_string(vb) : NULL;
		if (x == NULL || y == NULL) {
			c = (x != NULL) - (y != NULL);
		} else
			c = strcmp(x, y);
		if (c != 0)
			return c;
	}
	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	return 0;
}

/* The groups array: one or two passes, merged. */
static int
es_aggs_groups(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    struct json_object *groups, unsigned long long *accepted, double *first,
    double *last, char **cause)
{
	struct es_cell *cells = NULL;
	struct json_object *g, *pcts;
	struct es_side m;
	double grid[ES_GRID_MAX];
	size_t ng, n = 0, i, j;
	char name[32];
	int rc = 0;

	ng = es_grid_with(o->pcts, o->npcts, grid);
	if (l->have_ellapsed)
		rc = es_groups_pass(es, l, o, query, "ellapsed_milli", grid, ng,
		    &cells, &n, cause);
	if (rc == 0 && l->have_elapsed)
		rc = es_groups_pass(es, l, o, query, "elapsed_milli", grid, ng,
		    &cells, &n, cause);
	if (rc == -1) {
		es_cells_free(cells, n);
		return -1;
	}
	qsort(cells, n, sizeof(*cells), es_key_cmp);
	for (i = 0; i < n; i++) {
		m = es_mix_stats(&cells[i]);
		g = json_object_new_object();
		json_object_object_add(g, "key", json_object_get(cells[i].key));
		json_object_object_add(g, "count",
		    json_object_new_int64((int64_t)m.count));
		json_object_object_add(g, "min", analysis_num(m.min));
		json_object_object_add(g, "max", analysis_num(m.max));
		json_object_object_add(g, "mean", analysis_num(m.mean));
		json_object_object_add(g, "stddev", analysis_num(m.std));
		pcts = json_object_new_object();
		for (j = 0; j < o->npcts; j++)
			json_object_object_add(pcts, analysis_pct_name(o->pcts[j],
			    name), analysis_num(es_mix_pct(&cells[i], grid, ng,
			    o->pcts[j])));
		json_object_object_add(g, "percentiles", pcts);
		json_object_object_add(g, "first", analysis_time(m.first));
		json_object_object_add(g, "last", analysis_time(m.last));
		json_object_object_add(g, "rate", analysis_num(analysis_rate(
		    (unsigned long long)m.count, m.first, m.last)));
		*accepted += (unsigned long long)m.count;
		if (i == 0 || m.first < *first)
			*first = m.first;
		if (i == 0 || m.last > *last)
			*last = m.last;
		json_object_array_add(groups, g);
	}
	es_cells_free(cells, n);
	return 0;
}

/*
 * Sets the time-bucket parameter of a series query: date_histogram with
 * fixed_interval on a date field, histogram on epoch seconds.
 */
static void
es_time_buckets(const struct es_layout *l, double interval,
    struct jsub_params *p)
{
	struct json_object *h = json_object_new_object();
	char buf[32];

	json_object_object_add(h, "field",
	    json_object_new_string(l->time_field));
	json_object_object_add(h, "min_doc_count", json_object_new_int(1));
	if (l->time_is_date) {
		snprintf(buf, sizeof(buf), "%.0fs", interval);
		json_object_object_add(h, "fixed_interval",
		    json_object_new_string(buf));
		jsub_set(p, "date_histogram", h);
	} else {
		json_object_object_add(h, "interval", analysis_num(interval));
		jsub_set(p, "histogram", h);
	}
}

/* The spectrum's percentiles beyond the mixing grid. */
static const double es_spec_extra[] = { 99.99 };

/* Leaves START events (always 0 ms) out, as the local series do. */
static void
es_query_not_start(struct json_object *q, const struct es_layout *l)
{
	struct json_object *b, *mn, *w, *f, *v;

	if (l->key_field[AGG_KEY_OUTCOME] == NULL ||
	    !json_object_object_get_ex(q, "bool", &b))
		return;
	v = json_object_new_object();
	json_object_object_add(v, "value", json_object_new_string("*.START*"));
	f = json_object_new_object();
	json_object_object_add(f, l->key_field[AGG_KEY_OUTCOME], v);
	w = json_object_new_object();
	json_object_object_add(w, "wildcard", f);
	mn = json_object_new_array();
	json_object_array_add(mn, w);
	json_object_object_add(b, "must_not", mn);
}

/* One series pass over the documents holding field. */
static int
es_series_pass(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    const char *field, double interval, struct es_cell **cells, size_t *n,
    struct es_cell **spec, size_t *nspec, char **cause)
{
	struct json_object *body, *res, *aggs, *labs, *buckets, *lb, *t, *tb;
	struct json_object *mx, *lk, *q;
	struct jsub_params *p;
	struct es_cell *c;
	struct es_side *sd;
	double sgrid[ES_GRID_MAX];
	size_t i, j, sg, ng = sizeof(es_grid) / sizeof(es_grid[0]);

	q = es_query_with(query, field);
	es_query_not_start(q, l);
	p = jsub_params_new();
	jsub_set(p, "query", q);
	jsub_set_string(p, "label_field", l->key_field[AGG_KEY_LABEL]);
	sg = es_grid_with(es_spec_extra, 1, sgrid);
	jsub_set(p, "spectrum", es_percentiles(field, sgrid, sg, o->hdr));
	es_time_buckets(l, interval, p);
	jsub_set(p, "percentiles", es_percentiles(field, es_grid, ng, o->hdr));
	jsub_set(p, "elapsed", es_field_obj(field));
	body = es_template("aggs-series.json", p, cause);
	jsub_params_free(p);
	if (body == NULL)
		return -1;
	res = es_search(es, o->index, body, cause);
	json_object_put(body);
	if (res == NULL)
		return -1;
	if (json_object_object_get_ex(res, "aggregations", &aggs) &&
	    json_object_object_get_ex(aggs, "labels", &labs) &&
	    json_object_object_get_ex(labs, "buckets", &buckets)) {
		for (i = 0; i < jx_len(buckets); i++) {
			lb = jx_at(buckets, i);
			json_object_object_get_ex(lb, "key", &lk);
			{
				struct json_object *key = json_object_new_object();
				struct json_object *sp = NULL;

				json_object_object_add(key, "label",
				    json_object_get(lk));
				c = es_cell_for(spec, nspec, key, 0);
				json_object_put(key);
				sd = &c->side[c->nsides++];
				sd->count = es_num(lb, "doc_count");
				json_object_object_get_ex(lb, "smin", &sp);
				sd->min = es_num(sp, "value");
				json_object_object_get_ex(lb, "smax", &sp);
				sd->max = es_num(sp, "value");
				if (json_object_object_get_ex(lb, "spec", &sp)) {
					struct json_object *w =
					    json_object_new_object();

					json_object_object_add(w, "pct",
					    json_object_get(sp));
					es_pct_values(w, sg, sd->pv);
					json_object_put(w);
				}
			}
			if (!json_object_object_get_ex(lb, "t", &t) ||
			    !json_object_object_get_ex(t, "buckets", &tb))
				continue;
			for (j = 0; j < jx_len(tb); j++) {
				struct json_object *x =
				    jx_at(tb, j), *key;

				key = json_object_new_object();
				json_object_object_add(key, "label",
				    json_object_get(lk));
				c = es_cell_for(cells, n, key, es_num(x, "key") /
				    (l->time_is_date ? 1000 : 1));
				json_object_put(key);
				sd = &c->side[c->nsides++];
				json_object_object_get_ex(x, "max", &mx);
				sd->count = es_num(x, "doc_count");
				sd->max = es_num(mx, "value");
				es_pct_values(x, ng, sd->pv);
				sd->min = sd->pv[0];
			}
		}
	}
	json_object_put(res);
	return 0;
}

/* Series per label from date_histogram (or histogram on seconds). */
static struct json_object *
es_aggs_series(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    double interval, struct json_object **spectrum, char **cause)
{
	static const double sq[] = { 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9,
	    99.99 };
	struct json_object *series, *arr, *s = NULL, *pts = NULL, *pt, *lab;
	struct es_cell *cells = NULL, *spec = NULL;
	const char *cur = NULL;
	double sgrid[ES_GRID_MAX];
	size_t n = 0, nspec = 0, i, k, sg;
	size_t ng = sizeof(es_grid) / sizeof(es_grid[0]);
	int rc = 0;

	if (l->have_ellapsed)
		rc = es_series_pass(es, l, o, query, "ellapsed_milli", interval,
		    &cells, &n, &spec, &nspec, cause);
	if (rc == 0 && l->have_elapsed)
		rc = es_series_pass(es, l, o, query, "elapsed_milli", interval,
		    &cells, &n, &spec, &nspec, cause);
	if (rc == -1) {
		es_cells_free(cells, n);
		es_cells_free(spec, nspec);
		return NULL;
	}
	sg = es_grid_with(es_spec_extra, 1, sgrid);
	qsort(spec, nspec, sizeof(*spec), es_key_cmp);
	*spectrum = json_object_new_array();
	for (i = 0; i < nspec; i++) {
		struct es_side m = es_mix_stats(&spec[i]);
		struct json_object *sp = json_object_new_object(), *sa, *p;

		json_object_object_get_ex(spec[i].key, "label", &lab);
		json_object_object_add(sp, "label", json_object_get(lab));
		json_object_object_add(sp, "count",
		    json_object_new_int64((int64_t)m.count));
		sa = json_object_new_array();
		for (k = 0; k < sizeof(sq) / sizeof(sq[0]) + 2; k++) {
			double q = k == 0 ? 0 : k <= sizeof(sq) / sizeof(sq[0]) ?
			    sq[k - 1] : 100;

			p = json_object_new_object();
			json_object_object_add(p, "q", analysis_num(q));
			json_object_object_add(p, "v", analysis_num(q == 0 ? m.min :
			    q == 100 ? m.max : es_mix_pct(&spec[i], sgrid, sg,
			    q)));
			json_object_array_add(sa, p);
		}
		json_object_object_add(sp, "points", sa);
		json_object_array_add(*spectrum, sp);
	}
	es_cells_free(spec, nspec);
	qsort(cells, n, sizeof(*cells), es_key_cmp);
	series = json_object_new_object();
	json_object_object_add(series, "interval_s", analysis_num(interval));
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct es_side m = es_mix_stats(&cells[i]);
		const char *l2;

		json_object_object_get_ex(cells[i].key, "label", &lab);
		l2 = jx_str(lab, "");
		if (cur == NULL || strcmp(cur, l2) != 0) {
			s = json_object_new_object();
			json_object_object_add(s, "label", json_object_get(lab));
			pts = json_object_new_array();
			json_object_object_add(s, "points", pts);
			json_object_array_add(arr, s);
			cur = l2;
		}
		pt = json_object_new_object();
		json_object_object_add(pt, "t", analysis_time(cells[i].ts));
		json_object_object_add(pt, "ts", analysis_num(cells[i].ts));
		json_object_object_add(pt, "count",
		    json_object_new_int64((int64_t)m.count));
		json_object_object_add(pt, "p50", analysis_num(es_mix_pct(
		    &cells[i], es_grid, ng, 50)));
		json_object_object_add(pt, "p95", analysis_num(es_mix_pct(
		    &cells[i], es_grid, ng, 95)));
		json_object_object_add(pt, "p99", analysis_num(es_mix_pct(
		    &cells[i], es_grid, ng, 99)));
		json_object_object_add(pt, "max", analysis_num(m.max));
		json_object_array_add(pts, pt);
	}
	json_object_object_add(series, "labels", arr);
	es_cells_free(cells, n);
	return series;
}

/* Events per label and outcome over time (all events, START included). */
static struct json_object *
es_aggs_outcomes(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    double interval, char **cause)
{
	struct json_object *body, *res, *aggs, *labs, *lb, *lk, *ob, *obs;
	struct json_object *out, *arr, *s, *pts, *pt, *ok, *t, *tb;
	struct jsub_params *p;
	size_t i, j, k;

	out = json_object_new_object();
	json_object_object_add(out, "interval_s", analysis_num(interval));
	arr = json_object_new_array();
	json_object_object_add(out, "series", arr);
	if (l->key_field[AGG_KEY_OUTCOME] == NULL)
		return out;
	p = jsub_params_new();
	jsub_set(p, "query", json_object_get(query));
	jsub_set_string(p, "label_field", l->key_field[AGG_KEY_LABEL]);
	jsub_set_string(p, "outcome_field", l->key_field[AGG_KEY_OUTCOME]);
	es_time_buckets(l, interval, p);
	body = es_template("aggs-outcomes.json", p, cause);
	jsub_params_free(p);
	res = body ? es_search(es, o->index, body, cause) : NULL;
	json_object_put(body);
	if (res == NULL) {
		json_object_put(out);
		return NULL;
	}
	if (json_object_object_get_ex(res, "aggregations", &aggs) &&
	    json_object_object_get_ex(aggs, "labels", &labs) &&
	    json_object_object_get_ex(labs, "buckets", &lb)) {
		for (i = 0; i < jx_len(lb); i++) {
			struct json_object *b = jx_at(lb, i);

			json_object_object_get_ex(b, "key", &lk);
			if (!json_object_object_get_ex(b, "outcomes", &ob) ||
			    !json_object_object_get_ex(ob, "buckets", &obs))
				continue;
			for (j = 0; j < jx_len(obs); j++) {
				struct json_object *x =
				    jx_at(obs, j);

				json_object_object_get_ex(x, "key", &ok);
				s = json_object_new_object();
				json_object_object_add(s, "label",
				    json_object_get(lk));
				json_object_object_add(s, "outcome",
				    json_object_get(ok));
				json_object_object_add(s, "error",
				    json_object_new_boolean(
				    analysis_outcome_is_error(
				    json_object_get_string(ok))));
				pts = json_object_new_array();
				if (json_object_object_get_ex(x, "t", &t) &&
				    json_object_object_get_ex(t, "buckets",
				    &tb)) {
					for (k = 0; k < jx_len(
					    tb); k++) {
						struct json_object *y =
						    jx_at(tb,
						    k);

						pt = json_object_new_object();
						json_object_object_add(pt, "ts",
						    analysis_num(es_num(y, "key") /
						    (l->time_is_date ? 1000 : 1)));
						json_object_object_add(pt, "count",
						    json_object_new_int64(
						    (int64_t)es_num(y,
						    "doc_count")));
						json_object_array_add(pts, pt);
					}
				}
				json_object_object_add(s, "points", pts);
				json_object_array_add(arr, s);
			}
		}
	}
	json_object_put(res);
	return out;
}

/* Counts matching documents and finds the time window. */
static int
es_count(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *query,
    unsigned long long *total, double *first, double *last, char **cause)
{
	struct json_object *body, *res, *hits, *tot, *aggs;
	struct jsub_params *p = jsub_params_new();

	jsub_set(p, "query", json_object_get(query));
	if (l->time_field != NULL) {
		struct jsub_params *w = jsub_params_new();

		jsub_set_string(w, "time_field", l->time_field);
		jsub_set(p, "window_aggs", es_template("window-aggs.json", w,
		    cause));
		jsub_params_free(w);
	}
	body = es_template("count.json", p, cause);
	jsub_params_free(p);
	if (body == NULL)
		return -1;
	res = es_search(es, o->index, body, cause);
	json_object_put(body);
	if (res == NULL)
		return -1;
	*total = 0;
	if (json_object_object_get_ex(res, "hits", &hits) &&
	    json_object_object_get_ex(hits, "total", &tot))
		*total = json_object_is_type(tot, json_type_object) ?
		    (unsigned long long)es_num(tot, "value") :
		    (unsigned long long)json_object_get_int64(tot);
	*first = *last = 0;
	if (json_object_object_get_ex(res, "aggregations", &aggs)) {
		*first = es_time_value(l, aggs, "first");
		*last = es_time_value(l, aggs, "last");
	}
	json_object_put(res);
	return 0;
}

/* Aggs mode: the server computes the figures. */
static struct json_object *
es_aggs(struct es *es, const struct es_layout *l,
    const struct source_es_opts *o, struct json_object *source,
    unsigned long long total, double first, double last, int *partial,
    char **cause)
{
	static const double ladder[] = { 1, 2, 10, 30, 60, 300, 600, 1800,
	    3600, 7200, 21600, 86400 };
	struct analysis_counts c;
	struct analysis_request req;
	struct json_object *query, *groups, *doc, *series, *outcomes;
	struct json_object *spectrum = NULL;
	double interval = o->interval, gf = 0, gl = 0;
	size_t i, k;

	for (k = 0; k < o->nkeys; k++)
		if (l->key_field[o->keys[k]] == NULL)
			return util_fail(cause, "--by %s: the index has no "
			    "aggregatable %s field (keyword, or text with "
			    ".keyword); try --mode raw", agg_key_name(
			    o->keys[k]), agg_key_name(o->keys[k])), NULL;
	if (!l->have_ellapsed && !l->have_elapsed)
		return util_fail(cause, "the index has no numeric "
		    "ellapsed_milli or elapsed_milli field; try --mode raw"),
		    NULL;
	if (l->time_field == NULL)
		return util_fail(cause, "the index has no time field "
		    "(@timestamp, str_time as a date, or timestamp as a "
		    "double); try --mode raw"), NULL;
	query = es_query(l, o, 1, 1, cause);
	if (query == NULL)
		return NULL;
	memset(&c, 0, sizeof(c));
	groups = json_object_new_array();
	if (es_aggs_groups(es, l, o, query, groups, &c.accepted, &gf, &gl,
	    cause) == -1) {
		json_object_put(groups);
		json_object_put(query);
		return NULL;
	}
	c.read = total > c.accepted ? total : c.accepted;
	c.rejected = c.read - c.accepted;
	c.by_reason[TRACE_REJ_NO_ELAPSED] = c.rejected;
	c.by_shape[TRACE_SHAPE_HIT] = c.accepted;
	if (interval <= 0) {
		double span = last - first;

		interval = ladder[0];
		for (i = 0; i < sizeof(ladder) / sizeof(ladder[0]); i++) {
			interval = ladder[i];
			if (span / interval <= 300)
				break;
		}
	}
	series = es_aggs_series(es, l, o, query, interval, &spectrum, cause);
	outcomes = series ? es_aggs_outcomes(es, l, o, query, interval,
	    cause) : NULL;
	json_object_put(query);
	if (series == NULL || outcomes == NULL) {
		json_object_put(groups);
		json_object_put(series);
		json_object_put(spectrum);
		return NULL;
	}
	*partial = 0;
	json_object_object_add(source, "partial", json_object_new_boolean(0));
	req.keys = o->keys;
	req.nkeys = o->nkeys;
	req.pcts = o->pcts;
	req.npcts = o->npcts;
	req.source = source;
	req.filters = o->filters_doc;
	doc = analysis_doc_new(&c, &req, gf, gl);
	json_object_object_add(doc, "groups", groups);
	json_object_object_add(doc, "percentile_method", analysis_method(
	    o->hdr ? "hdr" : "tdigest", 0, o->hdr ?
	    "the server's approximation: HDR histogram, 3 significant digits" :
	    "the server's approximation: t-digest, compression 100"));
	json_object_object_add(doc, "series", series);
	json_object_object_add(doc, "spectrum", spectrum);
	json_object_object_add(doc, "outcomes", outcomes);
	return doc;
}

struct json_object *
source_es_analyze(const struct source_es_opts *o, int *partial, char **cause)
{
	struct json_object *source, *doc = NULL, *query, *ef;
	struct es_layout l;
	struct es *es;
	unsigned long long total = 0;
	double first = 0, last = 0;
	enum source_es_mode mode = o->mode;
	char *safe;

	*partial = 0;
	if (es_check_index(o->index, cause) == -1)
		return NULL;
	if (es_open(o->url, o->http, &es, cause) == -1)
		return NULL;
	if (es_detect(es, o->index, &l, cause) == -1 ||
	    es_resolve_label(es, o->index, &l, cause) == -1) {
		es_layout_release(&l);
		es_free(es);
		return NULL;
	}
	query = es_query(&l, o, 0, 0, cause);
	if (query == NULL || es_count(es, &l, o, query, &total, &first, &last,
	    cause) == -1) {
		json_object_put(query);
		es_layout_release(&l);
		es_free(es);
		return NULL;
	}
	json_object_put(query);
	if (mode == SOURCE_ES_AUTO)
		mode = total <= o->auto_raw_max ? SOURCE_ES_RAW : SOURCE_ES_AGGS;
	source = json_object_new_object();
	json_object_object_add(source, "kind",
	    json_object_new_string("elasticsearch"));
	json_object_object_add(source, "server",
	    json_object_new_string(es_server_name(es)));
	safe = http_redact_url(o->url);
	json_object_object_add(source, "url", json_object_new_string(safe));
	free(safe);
	json_object_object_add(source, "index",
	    json_object_new_string(o->index));
	json_object_object_add(source, "mode", json_object_new_string(
	    mode == SOURCE_ES_RAW ? "raw" : "aggs"));
	json_object_object_add(source, "matched",
	    json_object_new_int64((int64_t)total));
	json_object_object_add(source, "time_field", l.time_field ?
	    json_object_new_string(l.time_field) : NULL);
	ef = json_object_new_array();
	if (l.have_ellapsed)
		json_object_array_add(ef, json_object_new_string(
		    "ellapsed_milli"));
	if (l.have_elapsed)
		json_object_array_add(ef, json_object_new_string(
		    "elapsed_milli"));
	json_object_object_add(source, "elapsed_fields", ef);
	if (o->run_id != NULL)
		json_object_object_add(source, "run_id",
		    json_object_new_string(o->run_id));
	if (mode == SOURCE_ES_RAW) {
		json_object_object_add(source, "slices",
		    json_object_new_int(o->slices));
		doc = es_raw(es, &l, o, source, partial, cause);
	} else
		doc = es_aggs(es, &l, o, source, total, first, last, partial,
		    cause);
	json_object_put(source);
	es_layout_release(&l);
	es_free(es);
	return doc;
}
