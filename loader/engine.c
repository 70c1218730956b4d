/* engine.c: libcurl multi over epoll + timerfd, with a timer heap. */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http.h"
#include "util.h"

#define ENG_MAX_EVENTS 256
#define ENG_NEVER INT64_MAX
#define ENG_NHDR 5
#define ENG_MAX_IDLE 65536L		/* idle connections kept, unlimited */

/*
 * A transfer object. Its easy handle keeps the options that never change
 * (set once when it is made) and is reused without curl_easy_reset; a
 * request sets only the URL (when it differs), the method, the body and
 * the header list, whose nodes and lines live here too.
 */
struct eng_req {
	CURL *easy;
	struct curl_slist hdr[ENG_NHDR];	/* this request's header list */
	struct strbuf resp;
	struct strbuf url;		/* the URL the handle has */
	CURLU *uh;			/* url, parsed once (CURLOPT_CURLU) */
	struct strbuf body;		/* POST/PUT body */
	struct strbuf secret;		/* secret header lines, wiped after */
	eng_done_fn fn;
	void *arg;
	int64_t sched_us, start_us;
	struct eng_req *next;		/* free list */
	int inflight;
	int custom;			/* CURLOPT_CUSTOMREQUEST is set */
	char errbuf[CURL_ERROR_SIZE];
};

/*
 * What epoll holds for one descriptor. Sockets curl opens for connections
 * (through eng_open_cb) stay registered when curl stops watching them
 * between two transfers on the same kept-alive connection, so reusing it
 * costs no epoll_ctl; eng_close_cb forgets them. Other sockets are added
 * and removed as curl asks.
 */
struct eng_fd {
	eng_io_fn io;			/* eng_watch's, or NULL: curl's */
	void *io_arg;
	uint32_t events;		/* registered events */
	uint8_t reg;			/* in the epoll set */
	uint8_t want;			/* curl watches it */
	uint8_t conn;			/* opened by eng_open_cb */
};

/* A request that could not start: its callback, due at the next poll. */
struct eng_late {
	eng_done_fn fn;
	void *arg;
	int64_t sched_us, start_us;
	struct eng_late *next;
};

struct eng_timer {
	int64_t at;
	uint64_t seq;			/* FIFO among equal times */
	eng_timer_fn fn;
	void *arg;
};

struct eng {
	struct eng_opts o;
	struct http_opts http;		/* what every handle shares */
	CURLM *multi;
	int epfd, tfd;
	int64_t curl_deadline;
	int64_t armed;			/* what the timerfd is set to */
	int64_t epoch_offset;		/* epoch_us - mono_us */
	struct eng_timer *heap;
	size_t nheap, aheap;
	uint64_t seq;
	struct eng_req *free_list;
	struct eng_req **all;		/* every request object, to free */
	size_t nall, aall;
	unsigned inflight;
	struct eng_fd *fds;		/* indexed by descriptor */
	size_t nfds;
	struct eng_late *late;		/* requests that could not start */
	int fail_next;			/* eng_test_fail_next */
};

/* Constant header lines (curl only reads them). */
static char eng_h_accept[] = "Accept: application/json";
static char eng_h_expect[] = "Expect:";
static char eng_h_json[] = "Content-Type: application/json";
static char eng_h_envelope[] =
    "Content-Type: application/didcomm-envelope-enc";

int64_t
eng_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
eng_epoch_us(const struct eng *e, int64_t mono_us)
{
	return mono_us + e->epoch_offset;
}

/* The table entry for descriptor fd (grown as needed). */
static struct eng_fd *
eng_fd(struct eng *e, int fd)
{
	if ((size_t)fd >= e->nfds) {
		size_t n = e->nfds ? e->nfds : 64;

		while (n <= (size_t)fd)
			n *= 2;
		e->fds = util_realloc(e->fds, n * sizeof(*e->fds));
		memset(e->fds + e->nfds, 0, (n - e->nfds) * sizeof(*e->fds));
		e->nfds = n;
	}
	return &e->fds[fd];
}

/* Removes fd from the epoll set. */
static void
eng_fd_del(struct eng *e, int fd, struct eng_fd *f)
{
	if (f->reg)
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
	f->reg = 0;
	f->events = 0;
}

/* curl's socket callback: mirrors what curl wants into epoll. */
static int
eng_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct eng *e = userp;
	struct epoll_event ev;
	struct eng_fd *f;
	uint32_t events;

	(void)easy;
	(void)socketp;
	if (s < 0)
		return 0;
	f = eng_fd(e, s);
	if (what == CURL_POLL_REMOVE) {
		f->want = 0;
		if (!f->conn) {
			/* may be closed behind our back: drop it now */
			f->reg = 1;
			eng_fd_del(e, s, f);
		}
		return 0;
	}
	events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
	    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
	f->want = 1;
	if (f->reg && f->conn && f->events == events)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = s;
	if (f->reg || !f->conn) {
		/* not known to be absent: modify, else add */
		if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, s, &ev) == -1 &&
		    errno == ENOENT)
			epoll_ctl(e->epfd, EPOLL_CTL_ADD, s, &ev);
	} else if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s, &ev) == -1 &&
	    errno == EEXIST)
		epoll_ctl(e->epfd, EPOLL_CTL_MOD, s, &ev);
	f->reg = 1;
	f->events = events;
	return 0;
}

/* curl's open-socket callback: a connection's socket, tracked. */
static curl_socket_t
eng_open_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct eng *e = arg;
	int fd;

	(void)purpose;
	fd = socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
	if (fd == -1)
		return CURL_SOCKET_BAD;
	memset(eng_fd(e, fd), 0, sizeof(struct eng_fd));
	e->fds[fd].conn = 1;
	return fd;
}

/* curl's close-socket callback: forgets the socket, then closes it. */
static int
eng_close_cb(void *arg, curl_socket_t s)
{
	struct eng *e = arg;

	if (s >= 0 && (size_t)s < e->nfds)
		memset(&e->fds[s], 0, sizeof(struct eng_fd));
	return close(s);
}

/* curl's timer callback: remembers when curl wants to be called. */
static int
eng_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct eng *e = userp;

	(void)multi;
	if (timeout_ms < 0)
		e->curl_deadline = ENG_NEVER;
	else
		e->curl_deadline = eng_now() + (int64_t)timeout_ms * 1000;
	return 0;
}

int
eng_init(const struct eng_opts *o, struct eng **out, char **cause)
{
	struct epoll_event ev;
	struct timespec rt;
	struct eng *e;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return util_fail(cause, "libcurl: global initialisation "
		    "failed");
	e = util_calloc(1, sizeof(*e));
	e->o = *o;
	/*
	 * Straight to the agents: proxy variables are ignored (a load test
	 * through a proxy measures the proxy), which also spares curl's
	 * environment lookups on every transfer.
	 */
	e->http.cacert = o->cacert;
	e->http.insecure = o->insecure;
	e->http.timeout_ms = o->timeout_ms;
	e->http.noproxy = 1;
	e->curl_deadline = ENG_NEVER;
	e->armed = ENG_NEVER;
	e->epfd = epoll_create1(EPOLL_CLOEXEC);
	e->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (e->epfd == -1 || e->tfd == -1) {
		util_fail(cause, "epoll/timerfd: %s", strerror(errno));
		goto fail;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = e->tfd;
	if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, e->tfd, &ev) == -1) {
		util_fail(cause, "epoll_ctl: %s", strerror(errno));
		goto fail;
	}
	e->multi = curl_multi_init();
	if (e->multi == NULL) {
		util_fail(cause, "libcurl: curl_multi_init failed");
		goto fail;
	}
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETFUNCTION, eng_sock_cb);
	curl_multi_setopt(e->multi, CURLMOPT_SOCKETDATA, e);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERFUNCTION, eng_timer_cb);
	curl_multi_setopt(e->multi, CURLMOPT_TIMERDATA, e);
	/*
	 * The connection cache must hold every connection we may use, or
	 * curl closes idle ones (by default it keeps 4 per transfer running,
	 * too few when users think between requests) and keep-alive is lost.
	 */
	if (o->max_host_connections > 0) {
		curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    (long)o->max_host_connections);
		curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS,
		    (long)o->max_host_connections);
	} else
		curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS,
		    ENG_MAX_IDLE);
	clock_gettime(CLOCK_REALTIME, &rt);
	e->epoch_offset = ((int64_t)rt.tv_sec * 1000000 + rt.tv_nsec / 1000) -
	    eng_now();
	*out = e;
	return 0;
fail:
	if (e->epfd != -1)
		close(e->epfd);
	if (e->tfd != -1)
		close(e->tfd);
	free(e);
	curl_global_cleanup();
	return -1;
}

/* Wipes a buffer that held secrets and empties it. */
static void
eng_wipe(struct strbuf *b)
{
	volatile char *p = b->data;
	size_t i;

	for (i = 0; p != NULL && i < b->len; i++)
		p[i] = '\0';
	strbuf_reset(b);
}

void
eng_free(struct eng *e)
{
	size_t i;

	if (e == NULL)
		return;
	for (i = 0; i < e->nall; i++) {
		struct eng_req *r = e->all[i];

		if (r->inflight) {
			curl_multi_remove_handle(e->multi, r->easy);
			r->fn(r->arg, NULL);
		}
		curl_easy_cleanup(r->easy);
		curl_url_cleanup(r->uh);
		strbuf_release(&r->resp);
		strbuf_release(&r->url);
		strbuf_release(&r->body);
		eng_wipe(&r->secret);
		strbuf_release(&r->secret);
		free(r);
	}
	while (e->late != NULL) {
		struct eng_late *l = e->late;

		e->late = l->next;
		l->fn(l->arg, NULL);
		free(l);
	}
	free(e->all);
	free(e->heap);
	curl_multi_cleanup(e->multi);
	free(e->fds);
	close(e->epfd);
	close(e->tfd);
	free(e);
	curl_global_cleanup();
}

/* Heap order: earlier time first, then insertion order. */
static int
eng_before(const struct eng_timer *a, const struct eng_timer *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

void
eng_timer(struct eng *e, int64_t at_us, eng_timer_fn fn, void *arg)
{
	size_t i;

	if (e->nheap == e->aheap) {
		e->aheap = e->aheap ? e->aheap * 2 : 256;
		e->heap = util_realloc(e->heap, e->aheap * sizeof(*e->heap));
	}
	i = e->nheap++;
	e->heap[i].at = at_us;
	e->heap[i].seq = e->seq++;
	e->heap[i].fn = fn;
	e->heap[i].arg = arg;
	while (i > 0 && eng_before(&e->heap[i], &e->heap[(i - 1) / 2])) {
		struct eng_timer t = e->heap[i];

		e->heap[i] = e->heap[(i - 1) / 2];
		e->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

/* Removes the heap's first timer into *t. */
static void
eng_heap_pop(struct eng *e, struct eng_timer *t)
{
	size_t i = 0, c;

	*t = e->heap[0];
	e->heap[0] = e->heap[--e->nheap];
	for (;;) {
		struct eng_timer x;

		c = 2 * i + 1;
		if (c >= e->nheap)
			break;
		if (c + 1 < e->nheap && eng_before(&e->heap[c + 1],
		    &e->heap[c]))
			c++;
		if (!eng_before(&e->heap[c], &e->heap[i]))
			break;
		x = e->heap[i];
		e->heap[i] = e->heap[c];
		e->heap[c] = x;
		i = c;
	}
}

/* Collects finished transfers and calls their callbacks. */
static void
eng_drain(struct eng *e)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
		struct eng_result res;
		struct eng_req *r;
		char *priv;

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
		r = (struct eng_req *)(void *)priv;
		memset(&res, 0, sizeof(res));
		res.end_us = eng_now();
		res.curl_code = (int)m->data.result;
		res.curl_error = r->errbuf[0] ? r->errbuf :
		    curl_easy_strerror(m->data.result);
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.status);
		if (r->resp.toobig && res.curl_code == CURLE_WRITE_ERROR)
			res.curl_error = "response body too large";
		res.body = r->resp.data ? r->resp.data : "";
		res.len = r->resp.len;
		res.sched_us = r->sched_us;
		res.start_us = r->start_us;
		curl_multi_remove_handle(e->multi, r->easy);
		r->inflight = 0;
		e->inflight--;
		r->fn(r->arg, &res);
		eng_wipe(&r->secret);
		strbuf_reset(&r->resp);
		r->next = e->free_list;
		e->free_list = r;
	}
}

/* curl's write callback: appends to the capped response buffer. */
static size_t
eng_write_cb(char *p, size_t size, size_t n, void *arg)
{
	struct eng_req *r = arg;

	if (strbuf_add(&r->resp, p, size * n) == -1)
		return 0;
	return size * n;
}

/* Appends "name: v" and its terminator to the secret lines; the offset. */
static size_t
eng_secret_line(struct strbuf *b, const char *name, const char *v)
{
	size_t at = b->len;

	strbuf_adds(b, name);
	strbuf_add(b, ": ", 2);
	strbuf_adds(b, v);
	strbuf_add(b, "", 1);	/* keeps the terminator inside len */
	return at;
}

/* A new transfer object, its handle set up with the invariant options. */
static struct eng_req *
eng_req_new(struct eng *e)
{
	struct eng_req *r = util_calloc(1, sizeof(*r));
	CURL *h;

	r->easy = h = curl_easy_init();
	if (h == NULL) {
		free(r);
		return NULL;
	}
	strbuf_init(&r->resp, e->o.max_body ? e->o.max_body : (1 << 20));
	strbuf_init(&r->url, 0);
	strbuf_init(&r->body, 0);
	strbuf_init(&r->secret, 0);
	curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)r);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, eng_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	http_easy_setup(h, &e->http);
	/* under load a connect may queue: it gets the whole request timeout */
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, e->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	/* addresses resolved once per run: no cache sweep per transfer */
	curl_easy_setopt(h, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, eng_open_cb);
	curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, e);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETFUNCTION, eng_close_cb);
	curl_easy_setopt(h, CURLOPT_CLOSESOCKETDATA, e);
	if (e->nall == e->aall) {
		e->aall = e->aall ? e->aall * 2 : 64;
		e->all = util_realloc(e->all, e->aall * sizeof(*e->all));
	}
	e->all[e->nall++] = r;
	return r;
}

/*
 * Gives the handle a new URL, parsed here once so that the transfers that
 * reuse it skip curl's parse and rebuild. A URL this strict parse refuses
 * goes to curl as text, for curl to judge and report.
 */
static void
eng_set_url(struct eng_req *r, const char *url)
{
	strbuf_reset(&r->url);
	strbuf_adds(&r->url, url);
	if (r->uh == NULL)
		r->uh = curl_url();
	if (r->uh != NULL && curl_url_set(r->uh, CURLUPART_URL, url,
	    CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK) {
		curl_easy_setopt(r->easy, CURLOPT_CURLU, r->uh);
		return;
	}
	curl_easy_setopt(r->easy, CURLOPT_CURLU, (CURLU *)NULL);
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
}

/* Sets the request body (copied), which also makes the method POST. */
static void
eng_set_body(struct eng_req *r, const char *body)
{
	strbuf_reset(&r->body);
	strbuf_adds(&r->body, body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body.data != NULL ?
	    r->body.data : "");
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)r->body.len);
}

/* Queues fn's failure for the next poll: a transfer that never started. */
static void
eng_late(struct eng *e, int64_t sched_us, eng_done_fn fn, void *arg)
{
	struct eng_late *l = util_calloc(1, sizeof(*l)), **p = &e->late;

	l->fn = fn;
	l->arg = arg;
	l->sched_us = sched_us;
	l->start_us = eng_now();
	while (*p != NULL)
		p = &(*p)->next;
	*p = l;
	e->inflight++;
}

/* Calls back the requests that could not start, in their order. */
static void
eng_late_due(struct eng *e)
{
	struct eng_late *l;
	struct eng_result res;

	while ((l = e->late) != NULL) {
		e->late = l->next;
		e->inflight--;
		memset(&res, 0, sizeof(res));
		res.curl_code = CURLE_FAILED_INIT;
		res.curl_error = "could not start a transfer";
		res.body = "";
		res.sched_us = l->sched_us;
		res.start_us = l->start_us;
		res.end_us = eng_now();
		l->fn(l->arg, &res);
		free(l);
	}
}

void
eng_request(struct eng *e, const struct eng_call *c, eng_done_fn fn,
    void *arg)
{
	struct eng_req *r = e->free_list;
	size_t nh = 0, key = 0, tok = 0;
	CURL *h;

	if (e->fail_next) {
		e->fail_next = 0;
		eng_late(e, c->sched_us, fn, arg);
		return;
	}
	if (r != NULL)
		e->free_list = r->next;
	else if ((r = eng_req_new(e)) == NULL) {
		eng_late(e, c->sched_us, fn, arg);
		return;
	}
	h = r->easy;
	r->fn = fn;
	r->arg = arg;
	r->errbuf[0] = '\0';
	r->sched_us = c->sched_us;
	if (r->url.data == NULL || strcmp(r->url.data, c->url) != 0)
		eng_set_url(r, c->url);
	/* the method: the same options a freshly reset handle would get */
	if (r->custom) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, (char *)NULL);
		r->custom = 0;
	}
	curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	if (c->body != NULL)
		eng_set_body(r, c->body);
	else if (strcmp(c->method, "POST") == 0 ||
	    strcmp(c->method, "PUT") == 0)
		eng_set_body(r, "");
	if (strcmp(c->method, "GET") == 0) {
		if (c->body != NULL)
			curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else if (strcmp(c->method, "POST") != 0) {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
		r->custom = 1;
	}
	/* the header list, built in place (no allocation once warm) */
	if (c->api_key != NULL)
		key = eng_secret_line(&r->secret, "x-api-key", c->api_key);
	if (c->token != NULL)
		tok = eng_secret_line(&r->secret, "Authorization", c->token);
	r->hdr[nh++].data = eng_h_accept;
	if (c->body != NULL) {
		r->hdr[nh++].data = eng_h_expect;
		r->hdr[nh++].data = c->envelope ? eng_h_envelope :
		    eng_h_json;
	}
	if (c->api_key != NULL)
		r->hdr[nh++].data = r->secret.data + key;
	if (c->token != NULL)
		r->hdr[nh++].data = r->secret.data + tok;
	for (key = 0; key + 1 < nh; key++)
		r->hdr[key].next = &r->hdr[key + 1];
	r->hdr[nh - 1].next = NULL;
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdr);
	r->start_us = eng_now();
	if (curl_multi_add_handle(e->multi, h) != CURLM_OK) {
		eng_wipe(&r->secret);
		r->next = e->free_list;
		e->free_list = r;
		eng_late(e, c->sched_us, fn, arg);
		return;
	}
	r->inflight = 1;
	e->inflight++;
}

void
eng_test_fail_next(struct eng *e)
{
	e->fail_next = 1;
}

unsigned
eng_inflight(const struct eng *e)
{
	return e->inflight;
}

/*
 * Arms the timerfd for the earliest deadline. It is only moved earlier:
 * a deadline that moved later (curl's, every time the oldest transfer
 * ends) would cost a timerfd_settime per request; instead the timer may
 * fire early once, and is then armed again.
 */
static void
eng_arm(struct eng *e)
{
	int64_t at = e->curl_deadline;
	struct itimerspec its;

	if (e->nheap > 0 && e->heap[0].at < at)
		at = e->heap[0].at;
	if (at >= e->armed)
		return;
	memset(&its, 0, sizeof(its));
	if (at != ENG_NEVER) {
		if (at < 1)
			at = 1;
		its.it_value.tv_sec = at / 1000000;
		its.it_value.tv_nsec = (at % 1000000) * 1000;
	}
	timerfd_settime(e->tfd, TFD_TIMER_ABSTIME, &its, NULL);
	e->armed = at;
}

/* Runs what is due: our timers, then curl's timeout. */
static void
eng_due(struct eng *e)
{
	int64_t now = eng_now();
	size_t budget = e->nheap + 1;
	int running;

	/* bounded: timers added meanwhile wait for the next round */
	while (e->nheap > 0 && e->heap[0].at <= now && budget-- > 0) {
		struct eng_timer t;

		eng_heap_pop(e, &t);
		t.fn(t.arg, t.at);
	}
	if (e->curl_deadline <= eng_now()) {
		e->curl_deadline = ENG_NEVER;
		curl_multi_socket_action(e->multi, CURL_SOCKET_TIMEOUT, 0,
		    &running);
		eng_drain(e);
	}
}

int
eng_poll(struct eng *e)
{
	struct epoll_event evs[ENG_MAX_EVENTS];
	int n, i, running;

	if (e->late != NULL) {
		/* what could not start ends now, without waiting */
		eng_late_due(e);
		eng_due(e);
		return 0;
	}
	eng_due(e);
	eng_arm(e);
	n = epoll_wait(e->epfd, evs, ENG_MAX_EVENTS, -1);
	if (n == -1)
		return errno == EINTR ? -1 : 0;
	for (i = 0; i < n; i++) {
		if (evs[i].data.fd == e->tfd) {
			uint64_t x;

			if (read(e->tfd, &x, sizeof(x)) == -1)
				(void)0;
			e->armed = ENG_NEVER;
			continue;
		}
		if ((size_t)evs[i].data.fd < e->nfds &&
		    e->fds[evs[i].data.fd].io != NULL) {
			e->fds[evs[i].data.fd].io(
			    e->fds[evs[i].data.fd].io_arg, evs[i].events);
			continue;
		}
		if ((size_t)evs[i].data.fd < e->nfds &&
		    !e->fds[evs[i].data.fd].want) {
			/* an idle kept-alive connection: closed or reset */
			eng_fd_del(e, evs[i].data.fd, &e->fds[evs[i].data.fd]);
			continue;
		}
		curl_multi_socket_action(e->multi, evs[i].data.fd,
		    ((evs[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
		    ((evs[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0) |
		    ((evs[i].events & (EPOLLERR | EPOLLHUP)) ?
		    CURL_CSELECT_ERR : 0), &running);
		eng_drain(e);
	}
	eng_due(e);
	return 0;
}

int
eng_watch(struct eng *e, int fd, uint32_t events, eng_io_fn fn, void *arg)
{
	struct epoll_event ev;
	struct eng_fd *f = eng_fd(e, fd);
	int op = f->io != NULL ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;

	if (f->io != NULL && f->events == events) {
		f->io_arg = arg;
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = events;
	ev.data.fd = fd;
	if (epoll_ctl(e->epfd, op, fd, &ev) == -1)
		return -1;
	f->io = fn;
	f->io_arg = arg;
	f->events = events;
	f->reg = 1;
	return 0;
}

void
eng_unwatch(struct eng *e, int fd)
{
	if (fd < 0 || (size_t)fd >= e->nfds || e->fds[fd].io == NULL)
		return;
	epoll_ctl(e->epfd, EPOLL_CTL_DEL, fd, NULL);
	memset(&e->fds[fd], 0, sizeof(e->fds[fd]));
}

size_t
eng_memory(const struct eng *e)
{
	return e->aheap * sizeof(*e->heap) + e->nall * sizeof(struct eng_req)
	    + e->aall * sizeof(*e->all) + e->nfds * sizeof(*e->fds);
}
