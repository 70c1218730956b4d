/*
 * source_es_raw.c: the raw export: every event the query matches, read
 * with a sliced scroll (slices in parallel, each a fetcher thread ahead of
 * a parser) and fed through the local pipeline, so figures are exact.
 */
#include "source_es_priv.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analysis.h"
#include "cli.h"
#include "es.h"
#include "hmap.h"
#include "http.h"
#include "interrupt.h"
#include "jscan.h"
#include "jsub.h"
#include "pipeline.h"
#include "strbuf.h"
#include "timeutil.h"
#include "trace.h"
#include "util.h"

#define SOURCE_ES_RAW_KEEP "2m"	/* how long the server keeps a scroll */
#define SOURCE_ES_RAW_PAGE_MAX ((size_t)64 << 20)	/* bytes of a page */

/* One slice of a sliced scroll, run on its own thread. */
struct source_es_raw_slice {
	const struct source_es_opts *o;
	struct json_object *query;	/* borrowed */
	unsigned long long counted;	/* what the count said, all slices */
	struct json_object *sort;	/* borrowed */
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
source_es_raw_hit(const char *item, size_t n, void *arg)
{
	struct source_es_raw_slice *s = arg;

	pipeline_line(item, n, s->pipe.counts.read + 1, 0, &s->pipe);
	return 0;
}

/*
 * Feeds the hits of one search/scroll answer to the slice's pipeline and
 * returns how many, or -1 when the answer is malformed. The hits are read
 * in one pass (each then parsed once by the pipeline).
 */
static long
source_es_raw_parse(struct source_es_raw_slice *s, const char *body,
    size_t len)
{
	static const char *const path[] = { "hits", "hits" };
	const char *err;
	size_t before;

	before = s->pipe.counts.read;
	if (jscan_path_each(body, len, path, 2, source_es_raw_hit, s,
	    &err) == -1)
		return -1;
	pthread_mutex_lock(s->lock);
	s->fetched = s->pipe.counts.read;
	pthread_mutex_unlock(s->lock);
	return (long)(s->pipe.counts.read - before);
}

/* Hands a fetched page to the parser; waits while two are queued. */
static int
source_es_raw_push(struct source_es_raw_slice *s, char *data, size_t len)
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

/* The first request of a slice: its query, page size and slice. */
static struct json_object *
source_es_raw_first(struct source_es_raw_slice *s)
{
	const struct source_es_opts *o = s->o;
	struct json_object *body, *sl;
	struct jsub_params *p = jsub_params_new();

	jsub_set_number(p, "size", (double)o->batch);
	jsub_set(p, "query", json_object_get(s->query));
	jsub_set(p, "sort", json_object_get(s->sort));
	if (o->slices > 1) {
		sl = json_object_new_object();
		json_object_object_add(sl, "id", json_object_new_int(s->id));
		json_object_object_add(sl, "max",
		    json_object_new_int(o->slices));
		jsub_set(p, "slice", sl);
	}
	body = source_es_query_template("raw-scroll.json", p, &s->cause);
	jsub_params_free(p);
	return body;
}

/* The request for the next page of a scroll. */
static struct json_object *
source_es_raw_next(const char *scroll_id)
{
	struct json_object *body = json_object_new_object();

	json_object_object_add(body, "scroll",
	    json_object_new_string(SOURCE_ES_RAW_KEEP));
	json_object_object_add(body, "scroll_id",
	    json_object_new_string(scroll_id));
	return body;
}

/*
 * Sends one search or scroll request; the answer (at most
 * SOURCE_ES_RAW_PAGE_MAX bytes) stays in r and its scroll id replaces
 * *scroll_id. Returns 0, or -1 with s->cause.
 */
static int
source_es_raw_request(struct source_es_raw_slice *s, struct es *es,
    const char *url, struct json_object *body, struct http_response *r,
    char **scroll_id)
{
	const char *text = json_object_to_json_string_ext(body,
	    JSON_C_TO_STRING_PLAIN);
	struct jscan_member m;
	struct strbuf b;
	char *line;

	http_response_limit(r, SOURCE_ES_RAW_PAGE_MAX);
	if (http_request(es->http, "POST", url, "application/json", text,
	    strlen(text), r, &s->cause) == -1) {
		if (r->body.toobig)
			util_fail(&s->cause, "a page of %zu hits is larger "
			    "than %zu MiB: lower --batch", s->o->batch,
			    SOURCE_ES_RAW_PAGE_MAX >> 20);
		return -1;
	}
	if (r->status != 200) {
		line = http_error_line(r);
		util_fail(&s->cause, "%s: %s", *scroll_id ? "scroll" :
		    "search", line);
		free(line);
		return -1;
	}
	if (jscan_member(r->body.data, r->body.len, "_scroll_id", &m) == 1 &&
	    m.type == JSCAN_STRING) {
		strbuf_init(&b, 0);
		jscan_unescape(m.val, m.vlen, &b);
		free(*scroll_id);
		*scroll_id = strbuf_detach(&b);
	}
	return 0;
}

/* A page's identity: its number of hits and a digest of their ids. */
struct source_es_raw_id {
	uint64_t digest;
	uint64_t hits;
};

/* What the fetcher has seen of a slice's pages. */
struct source_es_raw_seen {
	struct hmap *pages;		/* identity -> page number */
	unsigned long long hits;	/* hits handed to the parser */
	size_t n;			/* pages with hits */
};

/* FNV-1a over n bytes, and a separator. */
static uint64_t
source_es_raw_fnv(uint64_t h, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

/* Adds a hit's _index and _id (its text when it has no _id) to an id. */
static int
source_es_raw_id_hit(const char *item, size_t n, void *arg)
{
	struct source_es_raw_id *id = arg;
	struct jscan_member m;

	if (jscan_member(item, n, "_index", &m) == 1)
		id->digest = source_es_raw_fnv(id->digest, m.val, m.vlen);
	if (jscan_member(item, n, "_id", &m) == 1)
		id->digest = source_es_raw_fnv(id->digest, m.val, m.vlen);
	else
		id->digest = source_es_raw_fnv(id->digest, item, n);
	id->hits++;
	return 0;
}

/* Reads a total hits value (a number or {"value": n}). */
static unsigned long long
source_es_raw_total(const char *body, size_t len)
{
	struct jscan_member m, t, v;

	if (jscan_member(body, len, "hits", &m) != 1 ||
	    m.type != JSCAN_OBJECT ||
	    jscan_member(m.val, m.vlen, "total", &t) != 1)
		return 0;
	if (t.type == JSCAN_NUMBER)
		return strtoull(t.val, NULL, 10);
	if (t.type == JSCAN_OBJECT && jscan_member(t.val, t.vlen, "value",
	    &v) == 1 && v.type == JSCAN_NUMBER)
		return strtoull(v.val, NULL, 10);
	return 0;
}

/*
 * Checks a page before the parser sees it: a search result, not a page
 * already sent (a server stuck on a scroll would otherwise be read
 * forever), and within the slice's total (or the count) with a margin.
 * Returns its number of hits, or -1 with s->cause.
 */
static long
source_es_raw_page(struct source_es_raw_slice *s,
    struct source_es_raw_seen *seen, const char *body, size_t len)
{
	static const char *const hits[] = { "hits", "hits" };
	struct source_es_raw_id id = { 14695981039346656037ULL, 0 };
	unsigned long long total, bound;
	size_t prev;
	const char *err;

	if (seen->n == 0) {
		pthread_mutex_lock(s->lock);
		s->total = source_es_raw_total(body, len);
		pthread_mutex_unlock(s->lock);
	}
	if (jscan_path_each(body, len, hits, 2, source_es_raw_id_hit, &id,
	    &err) == -1)
		return util_fail(&s->cause, "the server's answer is not a "
		    "search result");
	if (id.hits == 0)
		return 0;
	seen->n++;
	prev = (size_t)(uintptr_t)hmap_get(seen->pages, &id, sizeof(id));
	if (prev != 0)
		return util_fail(&s->cause, "the server sent page %zu again "
		    "as page %zu (the same %llu hits); stopping after %llu "
		    "hits", prev, seen->n, (unsigned long long)id.hits,
		    seen->hits);
	hmap_put(seen->pages, &id, sizeof(id), (void *)(uintptr_t)seen->n);
	total = s->total > 0 ? s->total : s->counted;
	bound = total + total / 20 + s->o->batch;
	if (seen->hits + id.hits > bound)
		return util_fail(&s->cause, "the server sent more hits than "
		    "the %llu it counted; stopping after %llu hits", total,
		    seen->hits);
	seen->hits += id.hits;
	return (long)id.hits;
}

/* Releases the server's scroll context, on every path, Ctrl-C too. */
static void
source_es_raw_clear(struct es *es, const char *scroll_id)
{
	char *ignored = NULL;

	if (es == NULL || scroll_id == NULL)
		return;
	http_client_uninterruptible(es->http, 1);
	es_scroll_clear(es, scroll_id, &ignored);
	free(ignored);
}

/*
 * Fetches one slice's pages (search, then scroll) ahead of the parser,
 * always releasing the scroll at the end.
 */
static void *
source_es_raw_fetch(void *arg)
{
	struct source_es_raw_slice *s = arg;
	struct source_es_raw_seen seen = { hmap_new(), 0, 0 };
	struct json_object *body = NULL;
	struct http_response r;
	struct es *es = NULL;
	char *scroll_id = NULL, *url = NULL;
	size_t len;
	long n;

	http_response_init(&r);
	if (es_open(s->o->url, s->o->http, &es, &s->cause) == -1 ||
	    (body = source_es_raw_first(s)) == NULL)
		goto fail;
	url = util_printf("%s/%s/_search?scroll=%s", es->url, s->o->index,
	    SOURCE_ES_RAW_KEEP);
	for (;;) {
		if (source_es_raw_request(s, es, url, body, &r,
		    &scroll_id) == -1 || (n = source_es_raw_page(s, &seen,
		    r.body.data, r.body.len)) == -1)
			goto fail;
		if (n == 0)
			goto out;
		len = r.body.len;
		if (source_es_raw_push(s, strbuf_detach(&r.body), len) == -1)
			goto out;
		http_response_release(&r);
		http_response_init(&r);
		if (scroll_id == NULL)
			goto out;
		if (interrupt_pending()) {
			util_fail(&s->cause, "interrupted");
			goto fail;
		}
		json_object_put(body);
		body = source_es_raw_next(scroll_id);
		free(url);
		url = util_printf("%s/_search/scroll", es->url);
	}
fail:
	s->failed = 1;
out:
	source_es_raw_clear(es, scroll_id);
	free(scroll_id);
	free(url);
	json_object_put(body);
	http_response_release(&r);
	hmap_free(seen.pages, NULL);
	es_free(es);
	pthread_mutex_lock(&s->qlock);
	s->fetch_done = 1;
	pthread_cond_broadcast(&s->qcv);
	pthread_mutex_unlock(&s->qlock);
	return NULL;
}

/* Runs one slice: a fetcher thread ahead, this thread parsing. */
static void *
source_es_raw_slice_run(void *arg)
{
	struct source_es_raw_slice *s = arg;
	pthread_t fetcher;
	char *data, *pcause = NULL;
	size_t len;
	int started, pfailed = 0;

	pthread_mutex_init(&s->qlock, NULL);
	pthread_cond_init(&s->qcv, NULL);
	started = pthread_create(&fetcher, NULL, source_es_raw_fetch, s) == 0;
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
		if (!s->stop && source_es_raw_parse(s, data, len) < 0) {
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
source_es_raw_progress(struct source_es_raw_slice *sl, int n, double start,
    int final)
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

/* Waits for the slices to finish, printing progress when asked. */
static void
source_es_raw_wait(struct source_es_raw_slice *sl, int n, int progress,
    double start, pthread_mutex_t *lock)
{
	int i, running, last = 0;

	do {
		usleep(100000);
		running = 0;
		for (i = 0; i < n; i++) {
			pthread_mutex_lock(lock);
			running += !sl[i].done;
			pthread_mutex_unlock(lock);
		}
		if (progress && (time_now() - start) * 2 > last + 1) {
			last = (int)((time_now() - start) * 2);
			source_es_raw_progress(sl, n, start, 0);
		}
	} while (running > 0);
	if (progress)
		source_es_raw_progress(sl, n, start, 1);
}

/*
 * Joins the slices and merges their pipelines into all; the failures go
 * to errors and to stderr. Returns the number of slices that failed.
 */
static int
source_es_raw_merge(struct source_es_raw_slice *sl, pthread_t *th, int n,
    struct pipeline *all, struct json_object *errors)
{
	int i, failed = 0;

	for (i = 0; i < n; i++) {
		if (sl[i].started)
			pthread_join(th[i], NULL);
		if (sl[i].failed) {
			failed++;
			json_object_array_add(errors, json_object_new_string(
			    sl[i].cause ? sl[i].cause : "failed"));
			cli_error("slice %d: %s", i, sl[i].cause ? sl[i].cause :
			    "failed");
		}
		pipeline_merge(all, &sl[i].pipe);
		pipeline_release(&sl[i].pipe);
		free(sl[i].cause);
	}
	return failed;
}

/* Appends {field: {"order": "asc", "unmapped_type": type}} to sort. */
static void
source_es_raw_sort_by(struct json_object *sort, const char *field,
    const char *type)
{
	struct json_object *by = json_object_new_object();
	struct json_object *spec = json_object_new_object();

	json_object_object_add(spec, "order", json_object_new_string("asc"));
	json_object_object_add(spec, "unmapped_type",
	    json_object_new_string(type));
	json_object_object_add(by, field, spec);
	json_object_array_add(sort, by);
}

/*
 * The scroll's sort: index order, or event time when following flows:
 * the numeric "timestamp" when mapped (a dynamic mapping makes it a
 * 32-bit float, a couple of minutes coarse), then the date time field,
 * ties in index order.
 */
static struct json_object *
source_es_raw_sort(const struct source_es_layout *l,
    const struct source_es_opts *o)
{
	struct json_object *sort = json_object_new_array();

	if (o->flows != NULL && l->have_timestamp)
		source_es_raw_sort_by(sort, "timestamp", "double");
	if (o->flows != NULL && l->time_field != NULL && l->time_is_date)
		source_es_raw_sort_by(sort, l->time_field, "date");
	json_object_array_add(sort, json_object_new_string("_doc"));
	return sort;
}

struct json_object *
source_es_raw(const struct source_es_layout *l,
    const struct source_es_opts *o, struct json_object *source,
    unsigned long long counted, int *partial, char **cause)
{
	struct analysis_request req;
	struct json_object *query, *doc, *errors, *sort;
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct source_es_raw_slice *sl;
	struct pipeline all;
	pthread_t *th;
	int i, failed;
	double start = time_now();

	query = source_es_query(l, o, 0, 0, cause);
	if (query == NULL)
		return NULL;
	sort = source_es_raw_sort(l, o);
	sl = util_calloc((size_t)o->slices, sizeof(*sl));
	th = util_calloc((size_t)o->slices, sizeof(*th));
	for (i = 0; i < o->slices; i++) {
		sl[i].o = o;
		sl[i].query = query;
		sl[i].counted = counted;
		sl[i].sort = sort;
		sl[i].id = i;
		sl[i].lock = &lock;
		pipeline_init(&sl[i].pipe, o->keys, o->nkeys, o->interval,
		    o->filter, o->show_rejects);
		sl[i].pipe.where = "hit";
		sl[i].pipe.flows = o->slices == 1 ? o->flows : NULL;
		trace_parser_raw(sl[i].pipe.parser, o->raw);
		if (pthread_create(&th[i], NULL, source_es_raw_slice_run,
		    &sl[i]) != 0) {
			sl[i].failed = sl[i].done = 1;
			sl[i].cause = util_strdup("cannot start a thread");
		} else
			sl[i].started = 1;
	}
	source_es_raw_wait(sl, o->slices, o->progress, start, &lock);
	pipeline_init(&all, o->keys, o->nkeys, o->interval, o->filter, 0);
	all.quiet = o->quiet_rejects;
	errors = json_object_new_array();
	failed = source_es_raw_merge(sl, th, o->slices, &all, errors);
	pipeline_reject_summary(&all);
	*partial = failed > 0;
	json_object_object_add(source, "partial",
	    json_object_new_boolean(*partial));
	if (failed > 0)
		json_object_object_add(source, "errors", errors);
	else
		json_object_put(errors);
	source_es_request(o, source, &req);
	doc = analysis_build(all.agg, &all.counts, &req);
	pipeline_release(&all);
	json_object_put(query);
	json_object_put(sort);
	free(sl);
	free(th);
	return doc;
}
