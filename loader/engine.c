/* engine.c: libcurl multi over epoll + timerfd, with a timer heap. */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "util.h"

#define ENG_MAX_EVENTS 256
#define ENG_NEVER INT64_MAX

struct eng_req {
	CURL *easy;
	struct curl_slist *hdrs;
	struct strbuf resp;
	char *body;
	eng_done_fn fn;
	void *arg;
	int64_t sched_us, start_us;
	struct eng_req *next;		/* free list */
	int inflight;
	char errbuf[CURL_ERROR_SIZE];
};

struct eng_timer {
	int64_t at;
	uint64_t seq;			/* FIFO among equal times */
	eng_timer_fn fn;
	void *arg;
};

struct eng {
	struct eng_opts o;
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
};

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

/* curl's socket callback: mirrors what curl wants into epoll. */
static int
eng_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct eng *e = userp;
	struct epoll_event ev;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		epoll_ctl(e->epfd, EPOLL_CTL_DEL, s, NULL);
		curl_multi_assign(e->multi, s, NULL);
		return 0;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
	    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
	ev.data.fd = s;
	if (socketp == NULL) {
		if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, s, &ev) == -1 &&
		    errno == EEXIST)
			epoll_ctl(e->epfd, EPOLL_CTL_MOD, s, &ev);
		curl_multi_assign(e->multi, s, e);
	} else if (epoll_ctl(e->epfd, EPOLL_CTL_MOD, s, &ev) == -1 &&
	    errno == ENOENT)
		epoll_ctl(e->epfd, EPOLL_CTL_ADD, s, &ev);
	return 0;
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
	if (o->max_host_connections > 0) {
		curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
		    (long)o->max_host_connections);
		curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS,
		    (long)o->max_host_connections);
	}
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
		curl_slist_free_all(r->hdrs);
		strbuf_release(&r->resp);
		free(r->body);
		free(r);
	}
	free(e->all);
	free(e->heap);
	curl_multi_cleanup(e->multi);
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
		curl_slist_free_all(r->hdrs);
		r->hdrs = NULL;
		free(r->body);
		r->body = NULL;
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

/* Appends a header line whose value is secret (wiped after copying). */
static struct curl_slist *
eng_secret_header(struct curl_slist *h, const char *name, const char *v)
{
	struct curl_slist *n;
	char *line = util_printf("%s: %s", name, v);
	volatile char *p;

	n = curl_slist_append(h, line);
	for (p = line; *p != '\0'; p++)
		*p = '\0';
	free(line);
	return n;
}

int
eng_request(struct eng *e, const struct eng_call *c, eng_done_fn fn,
    void *arg)
{
	struct eng_req *r = e->free_list;
	CURL *h;

	if (r != NULL) {
		e->free_list = r->next;
		curl_easy_reset(r->easy);
	} else {
		r = util_calloc(1, sizeof(*r));
		r->easy = curl_easy_init();
		if (r->easy == NULL) {
			free(r);
			return -1;
		}
		strbuf_init(&r->resp, e->o.max_body ? e->o.max_body :
		    (1 << 20));
		if (e->nall == e->aall) {
			e->aall = e->aall ? e->aall * 2 : 64;
			e->all = util_realloc(e->all, e->aall *
			    sizeof(*e->all));
		}
		e->all[e->nall++] = r;
	}
	h = r->easy;
	r->fn = fn;
	r->arg = arg;
	r->errbuf[0] = '\0';
	r->sched_us = c->sched_us;
	curl_easy_setopt(h, CURLOPT_PRIVATE, (char *)r);
	curl_easy_setopt(h, CURLOPT_URL, c->url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, eng_write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, r->errbuf);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, e->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, e->o.timeout_ms);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
	if (e->o.insecure) {
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (e->o.cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, e->o.cacert);
	r->hdrs = curl_slist_append(NULL, "Accept: application/json");
	r->hdrs = curl_slist_append(r->hdrs, "Expect:");
	if (c->body != NULL) {
		r->hdrs = curl_slist_append(r->hdrs,
		    "Content-Type: application/json");
		r->body = util_strdup(c->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(r->body));
	}
	if (c->api_key != NULL)
		r->hdrs = eng_secret_header(r->hdrs, "x-api-key", c->api_key);
	if (c->token != NULL)
		r->hdrs = eng_secret_header(r->hdrs, "Authorization",
		    c->token);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, r->hdrs);
	if (strcmp(c->method, "GET") == 0)
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	else if (strcmp(c->method, "POST") == 0) {
		if (c->body == NULL) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		}
	} else {
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, c->method);
		if (c->body == NULL && strcmp(c->method, "PUT") == 0) {
			curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
			curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
		}
	}
	r->start_us = eng_now();
	if (curl_multi_add_handle(e->multi, h) != CURLM_OK) {
		curl_slist_free_all(r->hdrs);
		r->hdrs = NULL;
		free(r->body);
		r->body = NULL;
		r->next = e->free_list;
		e->free_list = r;
		return -1;
	}
	r->inflight = 1;
	e->inflight++;
	return 0;
}

unsigned
eng_inflight(const struct eng *e)
{
	return e->inflight;
}

/* Arms the timerfd for the earliest deadline. */
static void
eng_arm(struct eng *e)
{
	int64_t at = e->curl_deadline;
	struct itimerspec its;

	if (e->nheap > 0 && e->heap[0].at < at)
		at = e->heap[0].at;
	if (at == e->armed)
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

size_t
eng_memory(const struct eng *e)
{
	return e->aheap * sizeof(*e->heap) + e->nall * sizeof(struct eng_req)
	    + e->aall * sizeof(*e->all);
}
