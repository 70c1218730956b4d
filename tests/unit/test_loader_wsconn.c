/*
 * test_loader_wsconn.c: WebSocket sessions against a server played by the
 * test on a loopback socket: the handshake answer is checked (status,
 * headers, Sec-WebSocket-Accept), bounded, and every frame the server
 * writes (a message, one too long, a close, bytes that are no frame) ends
 * in one message or one closed callback, never more.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "engine.h"
#include "wsconn.h"

struct seen {
	int opens, msgs, closes;
	size_t len;
	char msg[64];
	char why[128];
};

static void
on_open(void *arg)
{
	((struct seen *)arg)->opens++;
}

static void
on_msg(void *arg, const unsigned char *p, size_t n)
{
	struct seen *s = arg;

	s->msgs++;
	s->len = n;
	snprintf(s->msg, sizeof(s->msg), "%.*s", (int)(n < 63 ? n : 63),
	    (const char *)p);
}

static void
on_closed(void *arg, const char *why)
{
	struct seen *s = arg;

	s->closes++;
	snprintf(s->why, sizeof(s->why), "%s", why);
}

static const struct wsc_cb cbs = { on_open, on_msg, on_closed };

static void
tick(void *arg, int64_t at)
{
	(void)arg;
	(void)at;
}

/* Polls (never blocking more than 20 ms) until *n reaches want. */
static void
poll_until(struct eng *e, const int *n, int want)
{
	int round;

	for (round = 0; round < 100 && *n < want; round++) {
		eng_timer(e, eng_now() + 20000, tick, NULL);
		eng_poll(e);
	}
}

/* A listening loopback socket; its URL in url. */
static int
listener(char *url, size_t size)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CHECK(fd != -1 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    listen(fd, 4) == 0 && getsockname(fd, (struct sockaddr *)&a,
	    &n) == 0);
	snprintf(url, size, "ws://127.0.0.1:%d/", ntohs(a.sin_port));
	return fd;
}

/*
 * Accepts the session's connection, reads its request and answers with
 * status (the right accept value for its key unless accept_v is given).
 */
static int
serve_handshake(struct eng *e, int lfd, const char *status,
    const char *accept_v)
{
	char req[2048], key[32], acc[29], ans[512];
	size_t got = 0;
	ssize_t n;
	const char *k;
	int fd, round;

	fd = accept(lfd, NULL, NULL);
	CHECK(fd != -1);
	for (round = 0; round < 50 && (got < 4 || memcmp(req + got - 4,
	    "\r\n\r\n", 4) != 0); round++) {
		eng_timer(e, eng_now() + 10000, tick, NULL);
		eng_poll(e);
		n = recv(fd, req + got, sizeof(req) - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
	}
	req[got] = '\0';
	CHECK(strncmp(req, "GET / HTTP/1.1\r\n", 16) == 0);
	CHECK(strstr(req, "Sec-WebSocket-Version: 13\r\n") != NULL);
	k = strstr(req, "Sec-WebSocket-Key: ");
	CHECK(k != NULL);
	snprintf(key, sizeof(key), "%.24s", k + 19);
	wsc_accept_value(key, acc);
	snprintf(ans, sizeof(ans), "HTTP/1.1 %s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", status,
	    accept_v ? accept_v : acc);
	CHECK(write(fd, ans, strlen(ans)) == (ssize_t)strlen(ans));
	return fd;
}

/* RFC 6455's example key and its accept value. */
static void
test_accept_value(void)
{
	char out[29];

	wsc_accept_value("dGhlIHNhbXBsZSBub25jZQ==", out);
	CHECK_STR(out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

/* Answers that are not a valid 101 are refused, saying why; bounded. */
static void
test_handshake_check(void)
{
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	const char *good = "HTTP/1.1 101 Switching Protocols\r\n"
	    "upgrade: WebSocket\r\nConnection: keep-alive, Upgrade\r\n"
	    "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\nXY";
	char *cause = NULL, *big;

	CHECK(wsc_handshake_check(good, strlen(good), key, &cause) ==
	    (long)strlen(good) - 2);
	CHECK(wsc_handshake_check(good, 40, key, &cause) == 0);
	CHECK(wsc_handshake_check("HTTP/1.1 404 Not Found\r\n\r\n", 26, key,
	    &cause) == -1);
	CHECK_STR(cause, "handshake: the server answered \"HTTP/1.1 404 Not "
	    "Found\", not 101");
	free(cause);
	cause = NULL;
	CHECK(wsc_handshake_check("HTTP/1.1 101 OK\r\nConnection: upgrade\r\n"
	    "\r\n", 40, key, &cause) == -1);
	CHECK_STR(cause, "handshake: no Upgrade: websocket");
	free(cause);
	cause = NULL;
	CHECK(wsc_handshake_check("HTTP/1.1 101 OK\r\nUpgrade: websocket\r\n"
	    "Connection: upgrade\r\nSec-WebSocket-Accept: x\r\n\r\n", 87, key,
	    &cause) == -1);
	CHECK_STR(cause, "handshake: wrong Sec-WebSocket-Accept");
	free(cause);
	cause = NULL;
	big = calloc(1, 4096);
	memset(big, 'a', 4095);
	CHECK(wsc_handshake_check(big, 4096, key, &cause) == -1);
	CHECK_STR(cause, "handshake: no end of the header in 4096 bytes");
	free(cause);
	free(big);
}

/* A message, then a frame longer than allowed: one message, one close. */
static void
test_message_and_too_long(void)
{
	struct wsc_target t;
	struct eng_opts o;
	struct eng *e = NULL;
	struct wsc *c;
	struct seen s;
	char url[64], pad[2000], *cause = NULL;
	const unsigned char frame[] = { 0x82, 5, 'h', 'e', 'l', 'l', 'o' };
	const unsigned char huge[] = { 0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0 };
	int lfd, fd;

	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	CHECK(eng_init(&o, &e, &cause) == 0);
	lfd = listener(url, sizeof(url));
	CHECK(wsc_target_parse(url, &t, &cause) == 0);
	c = wsc_open(e, &t, 1024, &cbs, &s, &cause);
	CHECK(c != NULL);
	fd = serve_handshake(e, lfd, "101 Switching Protocols", NULL);
	CHECK(write(fd, frame, sizeof(frame)) == (ssize_t)sizeof(frame));
	poll_until(e, &s.msgs, 1);
	CHECK(s.opens == 1 && s.msgs == 1 && s.closes == 0);
	CHECK_STR(s.msg, "hello");
	CHECK(wsc_is_open(c));
	CHECK(wsc_send(c, "ping", 4) == 0);
	CHECK(write(fd, huge, sizeof(huge)) == (ssize_t)sizeof(huge));
	memset(pad, 'x', sizeof(pad));	/* read up to the bound, no more */
	CHECK(write(fd, pad, sizeof(pad)) == (ssize_t)sizeof(pad));
	poll_until(e, &s.closes, 1);
	CHECK(s.closes == 1 && s.msgs == 1);
	CHECK_STR(s.why, "closed by medload (code 1009: message too long)");
	CHECK(!wsc_is_open(c));
	CHECK(wsc_send(c, "x", 1) == -1);
	CHECK(wsc_bytes_out(c) > 4);
	wsc_free(c);
	close(fd);
	close(lfd);
	wsc_target_release(&t);
	eng_free(e);
}

/* A wrong accept value, a refusal, a server that goes: closed, once. */
static void
test_bad_answers_close(void)
{
	struct wsc_target t;
	struct eng_opts o;
	struct eng *e = NULL;
	struct wsc *c;
	struct seen s;
	char url[64], *cause = NULL;
	int lfd, fd;

	memset(&o, 0, sizeof(o));
	CHECK(eng_init(&o, &e, &cause) == 0);
	lfd = listener(url, sizeof(url));
	CHECK(wsc_target_parse(url, &t, &cause) == 0);

	memset(&s, 0, sizeof(s));
	c = wsc_open(e, &t, 1024, &cbs, &s, &cause);
	fd = serve_handshake(e, lfd, "101 OK", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
	poll_until(e, &s.closes, 1);
	CHECK(s.opens == 0 && s.closes == 1);
	CHECK_STR(s.why, "handshake: wrong Sec-WebSocket-Accept");
	wsc_free(c);
	close(fd);

	memset(&s, 0, sizeof(s));
	c = wsc_open(e, &t, 1024, &cbs, &s, &cause);
	fd = serve_handshake(e, lfd, "101 OK", NULL);
	poll_until(e, &s.opens, 1);
	close(fd);			/* the server goes away */
	poll_until(e, &s.closes, 1);
	CHECK(s.opens == 1 && s.closes == 1);
	CHECK_STR(s.why, "closed by the server");
	wsc_free(c);

	close(lfd);			/* nobody listens now */
	memset(&s, 0, sizeof(s));
	c = wsc_open(e, &t, 1024, &cbs, &s, &cause);
	poll_until(e, &s.closes, 1);
	CHECK(s.closes == 1);
	CHECK_STR(s.why, "connect: Connection refused");
	wsc_free(c);
	wsc_target_release(&t);
	eng_free(e);
}

/* Targets: ws:// only. */
static void
test_target(void)
{
	struct wsc_target t;
	char *cause = NULL;

	CHECK(wsc_target_parse("wss://127.0.0.1:1/", &t, &cause) == -1);
	CHECK_STR(cause, "wss://127.0.0.1:1/: sessions take a ws:// URL "
	    "(wss:// is not supported)");
	free(cause);
	cause = NULL;
	CHECK(wsc_target_parse("ws://localhost:3001", &t, &cause) == 0);
	CHECK_STR(t.path, "/");
	CHECK_STR(t.host, "localhost:3001");
	wsc_target_release(&t);
}

int
main(void)
{
	RUN(test_accept_value);
	RUN(test_handshake_check);
	RUN(test_target);
	RUN(test_message_and_too_long);
	RUN(test_bad_answers_close);
	return CHECK_EXIT();
}
