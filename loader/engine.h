/*
 * engine.h: the load driver's event loop: one libcurl multi handle driven
 * by curl_multi_socket_action over epoll, and a timerfd for both curl's
 * timeouts and our own timers (a binary heap). No threads; nothing blocks
 * except epoll_wait.
 *
 * Times are microseconds on CLOCK_MONOTONIC ("mono"); eng_epoch_us
 * converts them to the wall clock.
 */
#ifndef MEDLOAD_ENGINE_H
#define MEDLOAD_ENGINE_H

#include <stddef.h>
#include <stdint.h>

struct eng;

struct eng_opts {
	unsigned max_host_connections;	/* 0 = unlimited */
	long timeout_ms;		/* per request */
	int insecure;			/* skip TLS verification */
	const char *cacert;		/* NULL = system store */
	size_t max_body;		/* response cap, bytes */
};

/* A request to send. Strings are copied; none is kept after eng_request. */
struct eng_call {
	const char *method;	/* GET, POST, PUT */
	const char *url;
	const char *body;	/* NULL = no body */
	const char *api_key;	/* x-api-key, or NULL (secret: never logged) */
	const char *token;	/* Authorization: Bearer, or NULL (secret) */
	int envelope;		/* the body is a DIDComm envelope (else JSON) */
	int64_t sched_us;	/* intended start, mono */
};

/*
 * What came back. body is borrowed for the duration of the callback. The
 * callback gets NULL instead when eng_free abandons the transfer.
 */
struct eng_result {
	int curl_code;		/* CURLcode; 0 = a response arrived */
	const char *curl_error;	/* text for curl_code */
	long status;		/* HTTP status, 0 if none */
	const char *body;
	size_t len;
	int64_t sched_us, start_us, end_us;	/* mono */
};

typedef void (*eng_done_fn)(void *arg, const struct eng_result *res);
typedef void (*eng_timer_fn)(void *arg, int64_t at_us);

/* Creates the loop. Returns 0 and *out, or -1 with *cause. */
int eng_init(const struct eng_opts *o, struct eng **out, char **cause);

/*
 * Aborts every transfer still running, calling its callback with a NULL
 * result so the caller can release its argument, and frees e.
 */
void eng_free(struct eng *e);

/* The monotonic clock, microseconds. */
int64_t eng_now(void);

/* Converts a monotonic time to microseconds since the epoch. */
int64_t eng_epoch_us(const struct eng *e, int64_t mono_us);

/*
 * Starts a request; fn(arg, result) is called once when it ends, always
 * from eng_poll (never from inside eng_request): also when the transfer
 * could not start (curl_code CURLE_FAILED_INIT, curl_error "could not
 * start a transfer"), so no caller waits forever.
 */
void eng_request(struct eng *e, const struct eng_call *c, eng_done_fn fn,
    void *arg);

/* Tests: the next eng_request fails to start, as out of memory would. */
void eng_test_fail_next(struct eng *e);

/* Calls fn(arg, at_us) at monotonic time at_us (or at once if past). */
void eng_timer(struct eng *e, int64_t at_us, eng_timer_fn fn, void *arg);

/*
 * A descriptor of the caller's own (a WebSocket session's socket): fn(arg,
 * epoll events) is called from eng_poll when it is ready. eng_watch adds
 * it or changes its events (EPOLLIN, EPOLLOUT); eng_unwatch forgets it
 * (call it before closing fd). The caller keeps owning fd. eng_watch
 * returns 0, or -1 with errno (epoll_ctl's).
 */
typedef void (*eng_io_fn)(void *arg, uint32_t events);
int eng_watch(struct eng *e, int fd, uint32_t events, eng_io_fn fn,
    void *arg);
void eng_unwatch(struct eng *e, int fd);

/* Transfers running. */
unsigned eng_inflight(const struct eng *e);

/*
 * Waits for the next socket event or due timer and handles everything
 * due. Returns 0, or -1 when interrupted by a signal (EINTR).
 */
int eng_poll(struct eng *e);

/* Bytes held by the engine (requests pool and heap), for benchmarks. */
size_t eng_memory(const struct eng *e);

#endif
