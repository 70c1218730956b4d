/*
 * curl_floor.c: the fastest closed loop libcurl itself allows, as the
 * reference for `medload run`'s request rate (bench/driver). N easy
 * handles GET one URL over kept-alive connections with the options
 * medload's engine uses (CURLOPT_CURLU, no proxy lookup, unpruned DNS
 * cache, TCP_NODELAY, no signals), driven by curl_multi_socket_action over
 * epoll with sockets left registered between transfers. It keeps no
 * statistics and writes nothing per request: whatever medload adds on top
 * of this is medload's own cost.
 *
 * usage: curl_floor URL CONNECTIONS SECONDS
 * prints: "<requests> requests in <s> s: <rate> req/s, <n> failed"
 */
#include <curl/curl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#define FLOOR_MAX_FD 65536

struct floor {
	int epfd;
	long timeout_ms;		/* curl's, -1 = none */
	unsigned registered[FLOOR_MAX_FD];	/* epoll events, 0 = absent */
};

/* The monotonic clock in seconds. */
static double
floor_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* curl's socket callback: epoll follows, sockets stay between transfers. */
static int
floor_sock_cb(CURL *easy, curl_socket_t s, int what, void *userp,
    void *socketp)
{
	struct floor *f = userp;
	struct epoll_event ev;

	(void)easy;
	(void)socketp;
	if (s < 0 || s >= FLOOR_MAX_FD || what == CURL_POLL_REMOVE)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.events = ((what & CURL_POLL_IN) ? EPOLLIN : 0u) |
	    ((what & CURL_POLL_OUT) ? EPOLLOUT : 0u);
	ev.data.fd = s;
	if (f->registered[s] == ev.events)
		return 0;
	if (epoll_ctl(f->epfd, EPOLL_CTL_MOD, s, &ev) == -1)
		epoll_ctl(f->epfd, EPOLL_CTL_ADD, s, &ev);
	f->registered[s] = ev.events;
	return 0;
}

/* curl's close-socket callback: forgets the socket. */
static int
floor_close_cb(void *userp, curl_socket_t s)
{
	struct floor *f = userp;

	if (s >= 0 && s < FLOOR_MAX_FD)
		f->registered[s] = 0;
	return close(s);
}

/* curl's timer callback. */
static int
floor_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	struct floor *f = userp;

	(void)multi;
	f->timeout_ms = timeout_ms;
	return 0;
}

/* Discards the body. */
static size_t
floor_write_cb(char *p, size_t size, size_t n, void *userp)
{
	(void)p;
	(void)userp;
	return size * n;
}

int
main(int argc, char **argv)
{
	static struct floor f;
	unsigned long done = 0, failed = 0;
	double t0, end;
	CURLU *uh;
	CURLM *m;
	int i, n, running;

	if (argc != 4 || (n = atoi(argv[2])) < 1 || atof(argv[3]) <= 0) {
		fprintf(stderr, "usage: curl_floor URL CONNECTIONS SECONDS\n");
		return 2;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	f.epfd = epoll_create1(EPOLL_CLOEXEC);
	f.timeout_ms = -1;
	uh = curl_url();
	if (f.epfd == -1 || uh == NULL ||
	    curl_url_set(uh, CURLUPART_URL, argv[1], 0) != CURLUE_OK) {
		fprintf(stderr, "curl_floor: bad URL or no epoll\n");
		return 2;
	}
	m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_SOCKETFUNCTION, floor_sock_cb);
	curl_multi_setopt(m, CURLMOPT_SOCKETDATA, &f);
	curl_multi_setopt(m, CURLMOPT_TIMERFUNCTION, floor_timer_cb);
	curl_multi_setopt(m, CURLMOPT_TIMERDATA, &f);
	curl_multi_setopt(m, CURLMOPT_MAXCONNECTS, (long)n);
	for (i = 0; i < n; i++) {
		CURL *e = curl_easy_init();

		curl_easy_setopt(e, CURLOPT_CURLU, uh);
		curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, floor_write_cb);
		curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
		curl_easy_setopt(e, CURLOPT_DNS_CACHE_TIMEOUT, -1L);
		curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
		curl_easy_setopt(e, CURLOPT_CLOSESOCKETFUNCTION, floor_close_cb);
		curl_easy_setopt(e, CURLOPT_CLOSESOCKETDATA, &f);
		curl_multi_add_handle(m, e);
	}
	t0 = floor_now();
	end = t0 + atof(argv[3]);
	curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0, &running);
	while (floor_now() < end) {
		struct epoll_event evs[64];
		CURLMsg *msg;
		int k, left;

		k = epoll_wait(f.epfd, evs, 64, f.timeout_ms < 0 ? 100 :
		    (int)f.timeout_ms);
		if (k <= 0)
			curl_multi_socket_action(m, CURL_SOCKET_TIMEOUT, 0,
			    &running);
		for (i = 0; i < k; i++)
			curl_multi_socket_action(m, evs[i].data.fd,
			    ((evs[i].events & EPOLLIN) ? CURL_CSELECT_IN : 0) |
			    ((evs[i].events & EPOLLOUT) ? CURL_CSELECT_OUT : 0),
			    &running);
		while ((msg = curl_multi_info_read(m, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			if (msg->data.result != CURLE_OK)
				failed++;
			done++;
			curl_multi_remove_handle(m, msg->easy_handle);
			curl_multi_add_handle(m, msg->easy_handle);
		}
	}
	t0 = floor_now() - t0;
	printf("%lu requests in %.2f s: %.0f req/s, %lu failed\n", done, t0,
	    (double)done / t0, failed);
	return 0;
}
