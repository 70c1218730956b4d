/*
 * edge_sessions.c: the heap one WebSocket session takes in medload
 * (bench/edge): N sessions (loader/wsconn.c over wslay) opened through
 * the engine to a loopback listener played by this program (it accepts
 * each connection and answers its handshake), every one open at once,
 * then one message received on each; the heap in use (mallinfo2) before
 * and after, over N. Kernel socket buffers are not on the heap. Also the
 * open descriptors' table of the engine (grown with the descriptors).
 *
 * With PORT, URL and CA the listener takes PORT and the sessions go to
 * URL (wss://, a TLS terminator forwarding to PORT, in another process:
 * the heap counted is the client's), trusting CA: a TLS session's cost.
 *
 * usage: edge_sessions [N [PORT URL CA]]   (1000; needs 2N + 50 files)
 */
#include <malloc.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine.h"
#include "wsconn.h"

struct bench_state {
	int open, msgs, closed;
};

static void
bench_open(void *arg)
{
	((struct bench_state *)arg)->open++;
}

static void
bench_msg(void *arg, const unsigned char *p, size_t n)
{
	(void)p;
	(void)n;
	((struct bench_state *)arg)->msgs++;
}

static void
bench_closed(void *arg, const char *why)
{
	(void)why;
	((struct bench_state *)arg)->closed++;
}

static const struct wsc_cb bench_cb = { bench_open, bench_msg, bench_closed };

static void
bench_tick(void *arg, int64_t at)
{
	(void)arg;
	(void)at;
}

/* Polls once, never blocking more than 10 ms. */
static void
bench_poll(struct eng *e)
{
	eng_timer(e, eng_now() + 10000, bench_tick, NULL);
	eng_poll(e);
}

/* Answers the handshake of connection fd (its request read whole). */
static int
bench_answer(struct eng *e, int fd)
{
	char req[1024], acc[29], key[32], ans[256];
	const unsigned char frame[] = { 0x82, 3, 'h', 'e', 'y' };
	size_t got = 0;
	ssize_t n;
	const char *k;
	int round;

	for (round = 0; round < 200; round++) {
		n = recv(fd, req + got, sizeof(req) - 1 - got, MSG_DONTWAIT);
		if (n > 0)
			got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") != NULL)
			break;
		bench_poll(e);
	}
	if ((k = strstr(req, "Sec-WebSocket-Key: ")) == NULL)
		return -1;
	snprintf(key, sizeof(key), "%.24s", k + 19);
	wsc_accept_value(key, acc);
	snprintf(ans, sizeof(ans), "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n\r\n", acc);
	if (write(fd, ans, strlen(ans)) != (ssize_t)strlen(ans) ||
	    write(fd, frame, sizeof(frame)) != (ssize_t)sizeof(frame))
		return -1;
	return 0;
}

/* Accepts the next connection, polling the loop meanwhile (a TLS
 * terminator connects once our handshake with it is done). */
static int
bench_accept(struct eng *e, int lfd)
{
	int round, fd;

	for (round = 0; round < 500; round++) {
		if ((fd = accept(lfd, NULL, NULL)) != -1)
			return fd;
		bench_poll(e);
	}
	return -1;
}

int
main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 1000, i, lfd, *sfd, one = 1;
	struct bench_state st = { 0, 0, 0 };
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	struct wsc_target t;
	struct eng_opts o;
	struct eng *e = NULL;
	struct wsc **c;
	char url[64], *cause = NULL;
	size_t before, after;

	memset(&o, 0, sizeof(o));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(argc > 4 ? (uint16_t)atoi(argv[2]) : 0);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (n < 1 || lfd == -1 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR,
	    &one, sizeof(one)) == -1 || bind(lfd, (struct sockaddr *)&a,
	    sizeof(a)) == -1 || listen(lfd, 128) == -1 || getsockname(lfd,
	    (struct sockaddr *)&a, &al) == -1 || eng_init(&o, &e, &cause))
		return 1;
	snprintf(url, sizeof(url), "%s", argc > 4 ? argv[3] : "ws://");
	if (argc <= 4)
		snprintf(url, sizeof(url), "ws://127.0.0.1:%d/",
		    ntohs(a.sin_port));
	if (wsc_target_parse(url, argc > 4 ? argv[4] : NULL, 0, &t,
	    &cause) == -1) {
		fprintf(stderr, "edge_sessions: %s\n", cause);
		return 1;
	}
	c = calloc((size_t)n, sizeof(*c));
	sfd = calloc((size_t)n, sizeof(*sfd));
	before = mallinfo2().uordblks;
	for (i = 0; i < n; i++) {
		if ((c[i] = wsc_open(e, &t, 1 << 20, &bench_cb, &st,
		    &cause)) == NULL || (sfd[i] = bench_accept(e, lfd)) ==
		    -1 || bench_answer(e, sfd[i]) == -1) {
			fprintf(stderr, "edge_sessions: session %d: %s\n", i,
			    cause ? cause : "no answer");
			return 1;
		}
	}
	for (i = 0; i < 500 && st.msgs < n; i++)
		bench_poll(e);
	after = mallinfo2().uordblks;
	printf("sessions: %d open, %d messages, %d closed\n", st.open,
	    st.msgs, st.closed);
	printf("heap per open %s session (struct wsc %zu B, wslay's context "
	    "and buffers, %sthe engine's descriptor table): %.0f bytes\n",
	    t.tls ? "wss://" : "ws://", wsc_size(), t.tls ? "OpenSSL's "
	    "session, " : "", (double)(after - before) / n);
	for (i = 0; i < n; i++) {
		wsc_free(c[i]);
		close(sfd[i]);
	}
	free(c);
	free(sfd);
	wsc_target_release(&t);
	eng_free(e);
	close(lfd);
	return st.msgs == n ? 0 : 1;
}
