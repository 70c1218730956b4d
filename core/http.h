/*
 * http.h: a blocking HTTP client over libcurl for talking to search engines
 * and admin APIs: TLS verification on unless asked otherwise, basic auth or
 * API keys that never appear in messages, and bounded retries with
 * exponential backoff and jitter on connection errors, 429, 502, 503 and
 * 504 (honouring Retry-After).
 */
#ifndef MEDLOAD_HTTP_H
#define MEDLOAD_HTTP_H

#include <signal.h>
#include <stddef.h>

#include "util.h"

/* How to reach a server. Strings are borrowed for the client's lifetime. */
struct http_opts {
	const char *cacert;	/* CA bundle file, or NULL for the system's */
	int insecure;		/* skip TLS verification (explicit opt-in) */
	const char *user;	/* basic auth user, with password */
	const char *password;
	const char *api_key;	/* "Authorization: ApiKey <api_key>" */
	long timeout_ms;	/* per attempt; 0 = 60 s */
	int retries;		/* extra attempts; 0 = none, -1 = default 5 */
	long retry_budget_ms;	/* total time for all retries; 0 = 60 s */
	int noproxy;		/* ignore http_proxy and friends */
	int ignore_interrupt;	/* go on after SIGINT (interrupt_pending) */
	const char *api_key_header;	/* NULL: api_key goes as above; else
					 * "<api_key_header>: <api_key>"
					 * (ACA-Py: "x-api-key") */
	int (*cancel)(void *arg);	/* when not NULL and it returns 1,
					 * give up now, as on an interrupt
					 * (a deadline; called from the
					 * transfer, often) */
	void *cancel_arg;
};

struct http_response {
	long status;		/* 0 when no response was received */
	struct strbuf body;
	double retry_after;	/* seconds, from the header; 0 when absent */
	int attempts;
};

struct http_client;

/* Creates a client. Caller frees with http_client_free. */
int http_client_new(const struct http_opts *o, struct http_client **out,
    char **cause);

/* Frees the client; NULL is accepted. */
void http_client_free(struct http_client *c);

/*
 * Sets on a libcurl easy handle what every medload transfer shares: TLS
 * verification (on unless o->insecure; o->cacert), http and https only,
 * no signals, the proxy choice, connect and total timeouts. The engine of
 * `medload run` and the one-off client both use it.
 */
void http_easy_setup(void *easy, const struct http_opts *o);

/*
 * A client gives up (between attempts and during transfers) once
 * interrupt_pending(), unless its options say ignore_interrupt.
 * With on set, the client ignores the interrupt flag: for releasing server
 * resources (scrolls, points in time) after Ctrl-C.
 */
void http_client_uninterruptible(struct http_client *c, int on);

/*
 * Sends one request (body may be NULL) and reads the whole response into
 * resp (initialise with http_response_init, release with
 * http_response_release). Retries as configured. Returns 0 when a response
 * arrived, whatever its status; -1 with *cause (naming the URL without
 * credentials) when none did.
 */
int http_request(struct http_client *c, const char *method, const char *url,
    const char *content_type, const char *body, size_t len,
    struct http_response *resp, char **cause);

/*
 * A response starts empty and may grow to 512 MiB; http_response_limit
 * lowers that bound (set before the request): a larger answer is then an
 * error saying so, never a larger allocation.
 */

/*
 * Says whether an HTTP status is passing and worth another attempt (429,
 * 502, 503, 504): http_request retries those.
 */
int http_retryable(long status);

void http_response_init(struct http_response *r);
void http_response_limit(struct http_response *r, size_t max);
void http_response_release(struct http_response *r);

/*
 * One readable line for an error response: the server's reason when the
 * body is an Elasticsearch error document (read as one when it is at
 * most 64 KiB), else the body's start. Caller frees.
 */
char *http_error_line(const struct http_response *r);

/*
 * Reads a secret: the first line of file when one is named (a flag beats
 * the environment), else the environment variable env when set. Returns
 * a new string (caller frees), NULL with *cause when a named file cannot
 * be read, NULL without cause when neither is given.
 */
char *http_read_secret(const char *env, const char *file, char **cause);

/* The URL with any user:password@ removed (caller frees). */
char *http_redact_url(const char *url);

#endif
