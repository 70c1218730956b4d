/*
 * test_loader_engine.c: the event loop calls every request's callback
 * exactly once, from eng_poll: answered, refused, or never started.
 */
#include <curl/curl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"

struct seen {
	int calls;
	int curl_code;
	char error[64];
	int64_t sched_us;
};

static void
on_done(void *arg, const struct eng_result *res)
{
	struct seen *s = arg;

	s->calls++;
	if (res == NULL)
		return;
	s->curl_code = res->curl_code;
	s->sched_us = res->sched_us;
	snprintf(s->error, sizeof(s->error), "%s",
	    res->curl_error != NULL ? res->curl_error : "");
}

/* A loopback port nothing listens on: bound, never listened, closed. */
static int
closed_port(void)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd == -1 || bind(fd, (struct sockaddr *)&a, sizeof(a)) == -1 ||
	    getsockname(fd, (struct sockaddr *)&a, &n) == -1)
		return 1;
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Polls until every callback came, at most 200 rounds. */
static void
poll_until(struct eng *e, const int *calls, int want)
{
	int round;

	for (round = 0; round < 200 && *calls < want; round++)
		eng_poll(e);
}

static struct eng *
new_engine(void)
{
	struct eng_opts o;
	struct eng *e = NULL;
	char *cause = NULL;

	memset(&o, 0, sizeof(o));
	o.timeout_ms = 2000;
	o.max_body = 1 << 16;
	CHECK(eng_init(&o, &e, &cause) == 0);
	free(cause);
	return e;
}

/* A transfer that cannot start still ends: later, as a failure. */
static void
test_not_started_is_called_back(void)
{
	struct eng *e = new_engine();
	struct eng_call c;
	struct seen s;
	char url[64];

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	c.method = "GET";
	c.url = url;
	c.sched_us = 42;
	eng_test_fail_next(e);
	eng_request(e, &c, on_done, &s);
	CHECK(s.calls == 0);		/* never from inside eng_request */
	CHECK(eng_inflight(e) == 1);	/* a run's drain waits for it */
	poll_until(e, &s.calls, 1);
	CHECK(s.calls == 1);
	CHECK(s.curl_code == CURLE_FAILED_INIT);
	CHECK_STR(s.error, "could not start a transfer");
	CHECK(s.sched_us == 42);
	CHECK(eng_inflight(e) == 0);
	eng_free(e);
	CHECK(s.calls == 1);
}

/* A refused connection is a connection failure, called back once. */
static void
test_refused_is_called_back(void)
{
	struct eng *e = new_engine();
	struct eng_call c;
	struct seen s;
	char url[64];

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", closed_port());
	c.method = "POST";
	c.url = url;
	c.body = "{}";
	eng_request(e, &c, on_done, &s);
	poll_until(e, &s.calls, 1);
	CHECK(s.calls == 1);
	CHECK(s.curl_code == CURLE_COULDNT_CONNECT);
	eng_free(e);
	CHECK(s.calls == 1);
}

/* Freeing the loop calls back what never started, with no result. */
static void
test_free_releases_not_started(void)
{
	struct eng *e = new_engine();
	struct eng_call c;
	struct seen s;

	memset(&s, 0, sizeof(s));
	memset(&c, 0, sizeof(c));
	c.method = "GET";
	c.url = "http://127.0.0.1:1/";
	eng_test_fail_next(e);
	eng_request(e, &c, on_done, &s);
	eng_free(e);
	CHECK(s.calls == 1);
	CHECK(s.curl_code == 0);
}

int
main(void)
{
	RUN(test_not_started_is_called_back);
	RUN(test_refused_is_called_back);
	RUN(test_free_releases_not_started);
	return CHECK_EXIT();
}
