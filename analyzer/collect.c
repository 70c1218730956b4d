/* collect.c: the trace sink: HTTP in, NDJSON file, _bulk forwarder. */
#include "collect.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "cli.h"
#include "collect_metrics.h"
#include "es.h"
#include "jscan.h"
#include "jx.h"
#include "live.h"
#include "timeutil.h"
#include "trace.h"
#include "util.h"

struct collector {
	struct collect_opts o;
	struct MHD_Daemon *d;
	int fd;				/* append-only output */
	pthread_mutex_t lock;		/* stats, file size, parser */
	pthread_cond_t wake;
	struct collect_stats st;
	unsigned long long size;	/* bytes of whole lines in the file */
	int regular;			/* a regular file (it can be cut) */
	int torn;			/* bytes past size could not be cut */
	char *note;			/* what the start repaired; NULL */
	double last_sync;
	struct trace_parser *parser;
	struct cmet *met;		/* with o.live: figures by label */
	struct trace_event ev;		/* the body's event, as parsed by */
	int ev_state;			/* collect_line: 1, none -1, not
					 * parsed 0 (under the lock) */
	/* forwarder */
	pthread_t fwd;
	int fwd_running;
	int fwd_done;			/* the forwarder returned */
	int fwd_ok;			/* the last _bulk request went
					 * through (and none failed since) */
	int stop;
	double drain_until;
	char *offset_path;
	int offset_fd;			/* FILE.offset, or -1 */
	unsigned long long offset;
	char *fwd_error;		/* why forwarding fails, until it
					 * works again; owned */
};

/* Per-request state. */
struct collect_req {
	struct strbuf body;
	int too_large;
};

/* Monotonic seconds. */
static double
collect_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Sends a small JSON answer; retry_after (seconds) when not NULL. */
static enum MHD_Result
collect_answer(struct MHD_Connection *conn, unsigned status, const char *json,
    const char *retry_after)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(strlen(json), (void *)json,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", "application/json");
	if (retry_after != NULL)
		MHD_add_response_header(r, "Retry-After", retry_after);
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Sends a small JSON answer. */
static enum MHD_Result
collect_reply(struct MHD_Connection *conn, unsigned status, const char *json)
{
	return collect_answer(conn, status, json, NULL);
}

/* Writes all of buf. */
static int
collect_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * s with invalid UTF-8 and control characters as visible \xNN text, so
 * that a URL path (%ff) or a run id is valid UTF-8 on every stored line.
 * Caller frees.
 */
static char *
collect_safe(const char *s)
{
	struct strbuf safe;

	strbuf_init(&safe, 0);
	util_safe_append(&safe, s);
	return safe.data != NULL ? strbuf_detach(&safe) : util_strdup("");
}

/* Appends s as a JSON string, made safe by collect_safe. */
static void
collect_json_string(struct strbuf *b, const char *s)
{
	char *safe = collect_safe(s);
	const unsigned char *p;

	strbuf_addc(b, '"');
	for (p = (const unsigned char *)safe; *p; p++) {
		if (*p == '"' || *p == '\\') {
			strbuf_addc(b, '\\');
			strbuf_addc(b, (char)*p);
		} else if (*p < 0x20)
			strbuf_addf(b, "\\u%04x", *p);
		else
			strbuf_addc(b, (char)*p);
	}
	strbuf_addc(b, '"');
	free(safe);
}

/* The event time of a trace event body, else now. */
static double
collect_event_time(struct collector *c, const char *body, size_t len,
    double now)
{
	c->ev_state = trace_parse(c->parser, body, len, &c->ev, NULL) ==
	    TRACE_OK ? 1 : -1;
	return c->ev_state == 1 ? c->ev.time : now;
}

/*
 * The stored line built with json-c, for bodies the fast path leaves
 * alone (a "medload" member already there, newlines between tokens).
 */
static char *
collect_line_tree(struct collector *c, const char *body, size_t len,
    const char *path, double now)
{
	struct json_object *doc, *meta, *v;
	const char *text;
	char tbuf[TIME_BUF], *line, *safe;

	/* jscan's depth, as collect_line */
	doc = jx_parse_depth(body, len, JSCAN_MAX_DEPTH, NULL);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		json_object_put(doc);
		return NULL;
	}
	meta = json_object_new_object();
	json_object_object_add(meta, "received",
	    json_object_new_string(time_format(now, tbuf)));
	safe = collect_safe(path);
	json_object_object_add(meta, "path", json_object_new_string(safe));
	free(safe);
	if (c->o.run_id != NULL)
		json_object_object_add(meta, "run_id",
		    json_object_new_string(c->o.run_id));
	if (!json_object_object_get_ex(doc, "@timestamp", &v))
		json_object_object_add(doc, "@timestamp",
		    json_object_new_string(time_format(collect_event_time(c,
		    body, len, now), tbuf)));
	json_object_object_add(doc, "medload", meta);
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	line = util_printf("%s\n", text);
	json_object_put(doc);
	return line;
}

/*
 * Turns a request body into the stored line: the event's object with
 * @timestamp (the event time, when absent) and medload.received,
 * medload.path and medload.run_id added in front of its own members.
 * Returns NULL when the body is not one JSON object.
 */
static char *
collect_line(struct collector *c, const char *body, size_t len,
    const char *path)
{
	struct jscan_member m[32];
	struct strbuf b;
	enum jscan_type type;
	const char *err;
	char tbuf[TIME_BUF];
	size_t end, n, i, e;
	double now = time_now();
	int has_ts = 0, tree = 0;

	c->ev_state = 0;
	if (jscan_value(body, len, &type, &end, m, 32, &n, &err) == -1 ||
	    type != JSCAN_OBJECT)
		return NULL;
	for (e = end; e < len; e++)
		if (body[e] != ' ' && body[e] != '\n' && body[e] != '\r' &&
		    body[e] != '\t')
			return NULL;
	/* The fast path splices text; odd bodies go through json-c. */
	if (n > 32 || memchr(body, '\n', end) || memchr(body, '\r', end))
		tree = 1;
	for (i = 0; i < n && i < 32 && !tree; i++) {
		if (m[i].kescaped || (m[i].klen == 7 &&
		    memcmp(m[i].key, "medload", 7) == 0))
			tree = 1;
		else if (m[i].klen == 10 && memcmp(m[i].key, "@timestamp",
		    10) == 0)
			has_ts = 1;
	}
	if (tree)
		return collect_line_tree(c, body, len, path, now);
	strbuf_init(&b, 0);
	strbuf_addc(&b, '{');
	if (!has_ts)
		strbuf_addf(&b, "\"@timestamp\":\"%s\",", time_format(
		    collect_event_time(c, body, len, now), tbuf));
	strbuf_addf(&b, "\"medload\":{\"received\":\"%s\",\"path\":",
	    time_format(now, tbuf));
	collect_json_string(&b, path);
	if (c->o.run_id != NULL) {
		strbuf_adds(&b, ",\"run_id\":");
		collect_json_string(&b, c->o.run_id);
	}
	strbuf_addc(&b, '}');
	if (n > 0)
		strbuf_addc(&b, ',');
	/* The body's own members and its closing brace. */
	i = strspn(body, " \t\r\n") + 1;	/* past blanks and the '{' */
	while (i < end && (body[i] == ' ' || body[i] == '\t'))
		i++;
	if (n == 0)
		i = end - 1;
	strbuf_add(&b, body + i, end - i);
	strbuf_addc(&b, '\n');
	return strbuf_detach(&b);
}

/*
 * Cuts the file back to its whole lines (after a write that failed part
 * way); 0, or -1 when even that fails (the next store tries again).
 */
static int
collect_rewind(struct collector *c)
{
	if (!c->regular)
		return 0;
	while (ftruncate(c->fd, (off_t)c->size) == -1)
		if (errno != EINTR)
			return -1;
	return 0;
}

/* Notes a failed store (errno err); says so when the file turns bad. */
static void
collect_store_failed(struct collector *c, int err)
{
	c->torn = collect_rewind(c) == -1;
	c->st.failed++;
	if (c->st.write_errno == 0)
		cli_error("%s: cannot write: %s; answering 503 until it can",
		    c->o.out, strerror(err));
	c->st.write_errno = err;
}

/*
 * Stores one event; 0 when it is in the file. A line the file could not
 * take whole (disk full) is cut off again, so the next event does not
 * land on a fragment.
 */
static int
collect_store(struct collector *c, const char *line)
{
	size_t len = strlen(line);
	int rc;

	if (c->torn) {
		if (collect_rewind(c) == -1) {
			collect_store_failed(c, errno);
			return -1;
		}
		c->torn = 0;
	}
	rc = collect_write_all(c->fd, line, len);
	if (rc == 0 && (c->o.fsync == COLLECT_FSYNC_ALWAYS ||
	    (c->o.fsync == COLLECT_FSYNC_INTERVAL &&
	    collect_now() - c->last_sync >= 1))) {
		rc = fdatasync(c->fd);
		c->last_sync = collect_now();
	}
	if (rc == -1) {
		collect_store_failed(c, errno);
		return -1;
	}
	if (c->st.write_errno != 0)
		cli_error("%s: writable again (%llu events refused so far)",
		    c->o.out, c->st.failed);
	c->st.write_errno = 0;
	c->size += len;
	c->st.written++;
	pthread_cond_signal(&c->wake);
	return 0;
}

/* The status document (called with the lock held). */
static char *
collect_status_json(struct collector *c)
{
	struct collect_stats s = c->st;
	struct strbuf b;

	s.pending = c->o.es_url && c->size > c->offset ? c->size - c->offset :
	    0;
	strbuf_init(&b, 0);
	strbuf_addf(&b, "{\"received\":%llu,\"written\":%llu,"
	    "\"bad_json\":%llu,\"too_large\":%llu,\"refused\":%llu,"
	    "\"failed\":%llu,\"forwarded\":%llu,\"forward_failed\":%llu,"
	    "\"pending_bytes\":%llu,\"spool_error\":", s.received,
	    s.written, s.bad_json, s.too_large, s.refused, s.failed,
	    s.forwarded, s.forward_failed, s.pending);
	if (s.write_errno != 0)
		collect_json_string(&b, strerror(s.write_errno));
	else
		strbuf_adds(&b, "null");
	strbuf_adds(&b, ",\"forward_error\":");
	if (c->fwd_error != NULL)
		collect_json_string(&b, c->fwd_error);
	else
		strbuf_adds(&b, "null");
	strbuf_adds(&b, "}\n");
	return strbuf_detach(&b);
}

/*
 * Counts a POST that met fate in the figures by label, its body parsed
 * for the trace label and outcome unless collect_line just did (called
 * with the lock held, after collect_line for a body).
 */
static void
collect_count(struct collector *c, const char *body, size_t len,
    enum cmet_fate fate)
{
	if (c->met == NULL)
		return;
	/* collect_line parsed the body when it had no @timestamp */
	if (body != NULL && c->ev_state == 0)
		c->ev_state = trace_parse(c->parser, body, len, &c->ev,
		    NULL) == TRACE_OK ? 1 : -1;
	cmet_event(c->met, body != NULL && c->ev_state == 1 ? &c->ev : NULL,
	    fate);
}

/* libmicrohttpd's request callback. */
static enum MHD_Result
collect_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct collector *c = cls;
	struct collect_req *r = *con_cls;
	const char *cl;
	char *line, *st;
	enum MHD_Result rc;
	int stored;

	(void)version;
	if (r == NULL) {
		r = util_calloc(1, sizeof(*r));
		strbuf_init(&r->body, c->o.max_body);
		*con_cls = r;
		if (strcmp(method, "POST") == 0) {
			cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
			    MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (cl != NULL &&
			    strtoull(cl, NULL, 10) > c->o.max_body)
				r->too_large = 1;
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* Bodies of other methods are read and dropped. */
		if (strcmp(method, "POST") == 0 && !r->too_large &&
		    strbuf_add(&r->body, upload, *upload_size) == -1)
			r->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "POST") != 0) {
		pthread_mutex_lock(&c->lock);
		if ((strcmp(method, "GET") == 0 ||
		    strcmp(method, "HEAD") == 0) && (strcmp(url, "/") == 0 ||
		    strcmp(url, "/_status") == 0)) {
			st = collect_status_json(c);
			pthread_mutex_unlock(&c->lock);
			rc = collect_reply(conn, MHD_HTTP_OK, st);
			free(st);
			return rc;
		}
		c->st.refused++;
		pthread_mutex_unlock(&c->lock);
		if (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0)
			return collect_reply(conn, MHD_HTTP_NOT_FOUND,
			    "{\"error\":\"not found\"}\n");
		return collect_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "{\"error\":\"POST trace events\"}\n");
	}
	pthread_mutex_lock(&c->lock);
	c->st.received++;
	if (r->too_large) {
		c->st.too_large++;
		collect_count(c, NULL, 0, CMET_TOO_LARGE);
		pthread_mutex_unlock(&c->lock);
		return collect_reply(conn, MHD_HTTP_CONTENT_TOO_LARGE,
		    "{\"error\":\"body too large\"}\n");
	}
	line = collect_line(c, r->body.data ? r->body.data : "", r->body.len,
	    url);
	if (line == NULL) {
		c->st.bad_json++;
		collect_count(c, NULL, 0, CMET_NOT_JSON);
		pthread_mutex_unlock(&c->lock);
		return collect_reply(conn, MHD_HTTP_BAD_REQUEST,
		    "{\"error\":\"the body is not one JSON object\"}\n");
	}
	stored = collect_store(c, line) == 0;
	collect_count(c, r->body.data ? r->body.data : "", r->body.len,
	    stored ? CMET_SPOOLED : CMET_UNWRITABLE);
	pthread_mutex_unlock(&c->lock);
	free(line);
	if (!stored)
		return collect_answer(conn, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "{\"error\":\"cannot write the event now\"}\n", "1");
	return collect_reply(conn, MHD_HTTP_OK, "{\"ok\":true}\n");
}

/* Frees a request's state. */
static void
collect_done(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct collect_req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (r == NULL)
		return;
	strbuf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

/*
 * Saves the forwarded offset durably in FILE.offset: a number of fixed
 * width written in place, so that a kill leaves the old value or the new
 * one, and no temporary file behind.
 */
static void
collect_save_offset(struct collector *c)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%020llu\n", c->offset);

	if (pwrite(c->offset_fd, buf, (size_t)n, 0) == n)
		fdatasync(c->offset_fd);
}

/*
 * The forwarded offset an earlier run saved in the file open as fd; 0
 * when there is none, or when it does not fall after a whole line of the
 * spool (the spool was cut or replaced): sending it all again stores
 * nothing twice, the ids being digests of the lines.
 */
static unsigned long long
collect_load_offset(struct collector *c, int fd)
{
	char buf[32], nl = 0;
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned long long off;
	int in;

	buf[n > 0 ? n : 0] = '\0';
	off = strtoull(buf, NULL, 10);
	if (off == 0 || off > c->size)
		return 0;
	in = open(c->o.out, O_RDONLY | O_CLOEXEC);
	if (in != -1 && pread(in, &nl, 1, (off_t)off - 1) != 1)
		nl = 0;
	if (in != -1)
		close(in);
	return nl == '\n' ? off : 0;
}

/*
 * Keeps why forwarding failed (takes cause; NULL: it works again, else
 * the last request did not go through).
 */
static void
collect_fwd_note(struct collector *c, char *cause)
{
	pthread_mutex_lock(&c->lock);
	free(c->fwd_error);
	c->fwd_error = cause;
	if (cause != NULL)
		c->fwd_ok = 0;
	pthread_mutex_unlock(&c->lock);
}

/* Says whether the forwarder should keep going. */
static int
collect_fwd_live(struct collector *c)
{
	int live;

	pthread_mutex_lock(&c->lock);
	live = !c->stop || collect_now() < c->drain_until;
	pthread_mutex_unlock(&c->lock);
	return live;
}

/* The forwarder's HTTP cancel test: the drain time is over. */
static int
collect_fwd_cancel(void *arg)
{
	return !collect_fwd_live(arg);
}

/* Waits s seconds before the next attempt, less when the drain ends. */
static void
collect_fwd_pause(struct collector *c, double s)
{
	double until = collect_now() + s;

	while (collect_now() < until && collect_fwd_live(c))
		usleep(50000);
}

/*
 * Waits up to 200 ms for bytes past the forwarded offset. Returns 1 with
 * *size the spool's size when there are some, 0 when there are none yet,
 * -1 when the collector stops with nothing left to send.
 */
static int
collect_fwd_wait(struct collector *c, unsigned long long *size)
{
	struct timespec ts;
	int rc = 1;

	pthread_mutex_lock(&c->lock);
	*size = c->size;
	if (c->offset >= *size && c->stop) {
		rc = -1;
	} else if (c->offset >= *size) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&c->wake, &c->lock, &ts);
		rc = 0;
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

/*
 * The _bulk body indexing each line of buf[0, used) (whole lines) under
 * an id its bytes give, so a line sent twice is stored once.
 */
static void
collect_fwd_bulk(const struct collector *c, const char *buf, size_t used,
    struct strbuf *bulk, struct cmet_batch *labels)
{
	size_t i, start;
	char id[33];

	strbuf_reset(bulk);
	if (labels != NULL)
		cmet_batch_reset(labels);
	for (start = 0, i = 0; i < used; i++) {
		if (buf[i] != '\n')
			continue;
		util_hash128(buf + start, i - start, id);
		strbuf_addf(bulk, "{\"index\":{\"_index\":\"%s\","
		    "\"_id\":\"%s\"}}\n", c->o.index, id);
		strbuf_add(bulk, buf + start, i - start + 1);
		if (labels != NULL)
			cmet_batch_line(labels, buf + start, i - start);
		start = i + 1;
	}
}

/*
 * A batch of used bytes went through: ok items indexed, failed refused
 * for good (labels: their trace labels, for the figures; may be NULL).
 */
static void
collect_fwd_sent(struct collector *c, size_t used, size_t ok, size_t failed,
    const struct cmet_batch *labels)
{
	pthread_mutex_lock(&c->lock);
	c->offset += used;
	c->st.forwarded += ok;
	c->st.forward_failed += failed;
	if (labels != NULL)
		cmet_batch_commit(c->met, labels, ok, failed);
	c->fwd_ok = 1;
	pthread_mutex_unlock(&c->lock);
	collect_save_offset(c);
	collect_fwd_note(c, NULL);
}

/* Sends the spool from the offset on to the server, batch by batch. */
static void *
collect_forward(void *arg)
{
	struct collector *c = arg;
	struct http_opts ho = { .retries = -1 };
	struct es *es = NULL;
	struct strbuf bulk;
	struct cmet_batch *labels = c->met ? cmet_batch_new() : NULL;
	char *rbuf = NULL;
	size_t rcap = 0;
	double backoff = 0.2;
	char *cause = NULL;
	int rfd;

	if (c->o.http != NULL)
		ho = *c->o.http;
	/* A request still under way when the drain time ends is given up. */
	ho.cancel = collect_fwd_cancel;
	ho.cancel_arg = c;
	rfd = open(c->o.out, O_RDONLY | O_CLOEXEC);
	strbuf_init(&bulk, 0);
	while (rfd != -1) {
		unsigned long long size, want;
		size_t ok = 0, failed = 0, again = 0, used;
		ssize_t n;
		int w = collect_fwd_wait(c, &size);

		if (w == -1)
			break;
		if (w == 0)
			continue;
		if (!collect_fwd_live(c))
			break;
		if (es == NULL && (es_open(c->o.es_url, &ho, &es,
		    &cause) == -1 || es_install_template(es, c->o.index,
		    &cause) == -1)) {
			es_free(es);
			es = NULL;
			goto retry;
		}
		want = size - c->offset;
		if (want > c->o.batch_bytes)
			want = c->o.batch_bytes;
		if (want > rcap) {
			rbuf = util_realloc(rbuf, (size_t)want);
			rcap = (size_t)want;
		}
		n = pread(rfd, rbuf, (size_t)want, (off_t)c->offset);
		if (n <= 0)
			goto retry;
		/* Whole lines only. */
		used = (size_t)n;
		while (used > 0 && rbuf[used - 1] != '\n')
			used--;
		if (used == 0) {
			/* A line longer than a batch: read it whole. */
			if (want < size - c->offset && want < (1ULL << 30)) {
				c->o.batch_bytes *= 2;
				continue;
			}
			goto retry;
		}
		collect_fwd_bulk(c, rbuf, used, &bulk, labels);
		/* Items refused for now: the whole batch again (same ids). */
		if (es_bulk(es, bulk.data, bulk.len, &ok, &failed, &again,
		    NULL, &cause) == -1 || again > 0)
			goto retry;
		collect_fwd_sent(c, used, ok, failed, labels);
		backoff = 0.2;
		continue;
retry:
		/* The server is away: the events wait in the spool. */
		if (cause == NULL && again > 0)
			cause = util_printf("POST /_bulk: %zu items refused "
			    "for now (429 or 5xx); the batch goes again",
			    again);
		collect_fwd_note(c, cause);
		cause = NULL;
		if (!collect_fwd_live(c))
			break;
		collect_fwd_pause(c, backoff);
		backoff = backoff * 2 > 5 ? 5 : backoff * 2;
	}
	free(cause);
	strbuf_release(&bulk);
	cmet_batch_free(labels);
	free(rbuf);
	es_free(es);
	if (rfd != -1)
		close(rfd);
	pthread_mutex_lock(&c->lock);
	c->fwd_done = 1;
	pthread_mutex_unlock(&c->lock);
	return NULL;
}

/*
 * The length of the whole lines of the first size bytes of the file open
 * as fd (up to its last newline; 0 when it has none), or -1.
 */
static long long
collect_whole_lines(int fd, unsigned long long size)
{
	char buf[8192];
	unsigned long long end = size;
	size_t n;

	while (end > 0) {
		n = end > sizeof(buf) ? sizeof(buf) : (size_t)end;
		if (pread(fd, buf, n, (off_t)(end - n)) != (ssize_t)n)
			return -1;
		end -= n;
		while (n > 0 && buf[n - 1] != '\n')
			n--;
		if (n > 0)
			return (long long)(end + n);
	}
	return 0;
}

/*
 * Cuts a last line without its newline from an existing file (a write
 * cut short by a full disk, a crash or a kill): appending to it would
 * glue the next event onto a fragment. Says what it cut in c->note.
 */
static int
collect_repair(struct collector *c, char **cause)
{
	char head[41] = "";
	long long keep;
	ssize_t n;
	int fd;

	if (!c->regular || c->size == 0)
		return 0;
	fd = open(c->o.out, O_RDONLY | O_CLOEXEC);
	if (fd == -1 || (keep = collect_whole_lines(fd, c->size)) == -1) {
		if (fd != -1)
			close(fd);
		return util_fail(cause, "%s: cannot read: %s", c->o.out,
		    strerror(errno));
	}
	n = (unsigned long long)keep < c->size ? pread(fd, head,
	    sizeof(head) - 1, (off_t)keep) : 0;
	head[n > 0 ? n : 0] = '\0';
	close(fd);
	if ((unsigned long long)keep == c->size)
		return 0;
	if (ftruncate(c->fd, (off_t)keep) == -1)
		return util_fail(cause, "%s: cannot cut its torn last line: %s",
		    c->o.out, strerror(errno));
	c->note = util_printf("%s: cut a torn last line (%llu bytes at offset "
	    "%lld, no newline: \"%s%s\") and kept the %lld bytes of whole "
	    "lines before it", c->o.out, c->size - (unsigned long long)keep,
	    keep, head, c->size - (unsigned long long)keep >= sizeof(head) ?
	    "..." : "", keep);
	c->size = (unsigned long long)keep;
	return 0;
}

/* Frees the collector's copies of its option strings. */
static void
collect_free_opts(struct collector *c)
{
	free((char *)c->o.host);
	free((char *)c->o.out);
	free((char *)c->o.run_id);
	free((char *)c->o.es_url);
	free((char *)c->o.index);
}

/* Frees a collector that did not start (its files closed). */
static void
collect_discard(struct collector *c)
{
	if (c->fd != -1)
		close(c->fd);
	if (c->offset_fd != -1)
		close(c->offset_fd);
	free(c->offset_path);
	free(c->note);
	free(c->fwd_error);
	collect_free_opts(c);
	free(c);
}

/*
 * Opens the file (cutting a torn last line off it) and, when forwarding,
 * FILE.offset with the offset it holds. Returns 0 or -1 with *cause.
 */
static int
collect_open_files(struct collector *c, char **cause)
{
	struct stat sb;

	c->fd = open(c->o.out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    0644);
	if (c->fd == -1)
		return util_fail(cause, "%s: cannot write: %s", c->o.out,
		    strerror(errno));
	if (fstat(c->fd, &sb) == 0) {
		c->size = (unsigned long long)sb.st_size;
		c->regular = S_ISREG(sb.st_mode);
	}
	if (collect_repair(c, cause) == -1)
		return -1;
	if (c->o.es_url == NULL)
		return 0;
	c->offset_path = util_printf("%s.offset", c->o.out);
	c->offset_fd = open(c->offset_path, O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (c->offset_fd == -1)
		return util_fail(cause, "%s: cannot write: %s", c->offset_path,
		    strerror(errno));
	c->offset = collect_load_offset(c, c->offset_fd);
	return 0;
}

int
collect_parse_listen(const char *s, char **host, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	unsigned long long p;

	if (util_parse_uint(colon ? colon + 1 : s, 65535, &p) == -1)
		return -1;
	*port = (unsigned)p;
	*host = colon && colon > s ? util_strndup(s, (size_t)(colon - s)) :
	    util_strdup("127.0.0.1");
	return 0;
}

int
collector_start(const struct collect_opts *o, struct collector **out,
    char **cause)
{
	struct collector *c = util_calloc(1, sizeof(*c));
	struct sockaddr_in sa;

	c->fd = c->offset_fd = -1;
	c->o = *o;
	/* The collector keeps its own copies of the strings. */
	c->o.host = util_strdup(o->host);
	c->o.out = util_strdup(o->out);
	c->o.run_id = o->run_id ? collect_safe(o->run_id) : NULL;
	c->o.es_url = o->es_url ? util_strdup(o->es_url) : NULL;
	c->o.index = o->index ? util_strdup(o->index) : NULL;
	if (c->o.max_body == 0)
		c->o.max_body = 1 << 20;
	if (c->o.max_connections == 0)
		c->o.max_connections = 512;
	if (c->o.batch_bytes == 0)
		c->o.batch_bytes = 5000000;
	if (c->o.index == NULL)
		c->o.index = util_strdup("medload-traces");
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)o->port);
	if (inet_pton(AF_INET, strcmp(o->host, "localhost") == 0 ?
	    "127.0.0.1" : o->host, &sa.sin_addr) != 1) {
		collect_discard(c);
		return util_fail(cause, "--listen: \"%s\" is not an IPv4 "
		    "address", o->host);
	}
	if (collect_open_files(c, cause) == -1) {
		collect_discard(c);
		return -1;
	}
	c->parser = trace_parser_new();
	c->met = o->live != NULL ? cmet_new() : NULL;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->wake, NULL);
	c->last_sync = collect_now();
	c->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL, (uint16_t)o->port, NULL, NULL, collect_handle, c,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)c->o.max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_NOTIFY_COMPLETED, collect_done, c,
	    MHD_OPTION_END);
	if (c->d == NULL) {
		trace_parser_free(c->parser);
		cmet_free(c->met);
		collect_discard(c);
		return util_fail(cause, "cannot listen on %s:%u (in use?)",
		    o->host, o->port);
	}
	if (o->es_url != NULL &&
	    pthread_create(&c->fwd, NULL, collect_forward, c) == 0)
		c->fwd_running = 1;
	*out = c;
	return 0;
}

unsigned
collector_port(const struct collector *c)
{
	const union MHD_DaemonInfo *i = MHD_get_daemon_info(c->d,
	    MHD_DAEMON_INFO_BIND_PORT);

	return i ? i->port : c->o.port;
}

const char *
collector_note(const struct collector *c)
{
	return c->note;
}

void
collector_stats(struct collector *c, struct collect_stats *s)
{
	pthread_mutex_lock(&c->lock);
	*s = c->st;
	s->pending = c->o.es_url && c->size > c->offset ? c->size - c->offset :
	    0;
	pthread_mutex_unlock(&c->lock);
}

void
collector_publish(struct collector *c)
{
	struct cmet_gauges g;
	char *text, *page;

	if (c->met == NULL)
		return;
	pthread_mutex_lock(&c->lock);
	memset(&g, 0, sizeof(g));
	g.spool_bytes = c->size;
	g.spool_writable = c->st.write_errno == 0;
	g.forwarding = c->o.es_url != NULL;
	g.backlog_bytes = g.forwarding && c->size > c->offset ? c->size -
	    c->offset : 0;
	g.forward_failed = c->st.forward_failed;
	/* up: the last request went through, or nothing waits and none
	 * failed; a request still trying to reach the server is not up */
	g.forward_up = c->fwd_ok || (c->fwd_error == NULL &&
	    g.backlog_bytes == 0);
	g.stopping = c->stop;
	text = cmet_text(c->met, &g);
	page = cmet_page(c->met, &g);
	pthread_mutex_unlock(&c->lock);
	live_publish(c->o.live, text, page);
	free(text);
	free(page);
}

/* Publishes the figures once a second until the forwarder returns. */
static void
collect_drain_wait(struct collector *c)
{
	struct timespec tick = { 0, 100000000 };
	double next = collect_now() + 1;
	int done = 0;

	while (!done) {
		pthread_mutex_lock(&c->lock);
		done = c->fwd_done;
		pthread_mutex_unlock(&c->lock);
		if (!done)
			nanosleep(&tick, NULL);
		if (collect_now() >= next) {
			collector_publish(c);
			next += 1;
		}
	}
}

void
collector_stop(struct collector *c, double drain_s,
    struct collect_stats *final)
{
	if (c == NULL)
		return;
	MHD_stop_daemon(c->d);
	pthread_mutex_lock(&c->lock);
	c->drain_until = collect_now() + drain_s;
	c->stop = 1;
	pthread_cond_signal(&c->wake);
	pthread_mutex_unlock(&c->lock);
	if (c->fwd_running) {
		collect_drain_wait(c);
		pthread_join(c->fwd, NULL);
	}
	collector_publish(c);
	if (final != NULL)
		collector_stats(c, final);
	fdatasync(c->fd);
	trace_parser_free(c->parser);
	cmet_free(c->met);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->wake);
	collect_discard(c);
}

/* collect_line without a running collector: for tests and fuzzing. */
char *
collector_line(const char *body, size_t len, const char *path,
    const char *run_id)
{
	struct collector c;
	char *line;

	memset(&c, 0, sizeof(c));
	c.o.run_id = run_id;
	c.parser = trace_parser_new();
	line = collect_line(&c, body, len, path);
	trace_parser_free(c.parser);
	return line;
}
