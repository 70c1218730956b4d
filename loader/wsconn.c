/* wsconn.c: WebSocket client sessions over wslay in the engine's loop. */
#include "wsconn.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/evp.h>
#include <sodium.h>
#include <wslay/wslay.h>

#include "engine.h"
#include "tlsc.h"
#include "util.h"

#define WSC_HDR_MAX 4096	/* the handshake answer's header, at most */
#define WSC_GUID "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

enum wsc_state { WSC_CONNECTING, WSC_TLS, WSC_REQUEST, WSC_ANSWER,
    WSC_OPEN, WSC_CLOSED };

struct wsc {
	struct eng *eng;
	const struct wsc_target *t;
	const struct wsc_cb *cb;
	void *arg;
	wslay_event_context_ptr ws;	/* from the handshake on */
	struct tlsc *tls;		/* wss:// only */
	char *hbuf;			/* handshake bytes, then freed */
	size_t hlen, hoff;
	char *left;			/* bytes read past the handshake */
	size_t nleft, oleft;
	size_t max_msg;
	uint64_t in, out;
	char key[25];			/* Sec-WebSocket-Key */
	char why[96];			/* what ended it */
	uint32_t blk;			/* the event a blocked call waits for */
	int fd;
	uint8_t state;
	uint8_t rd_out;			/* TLS: a read waits to write */
	uint8_t closing;		/* wsc_close: waits for the echo */
};

/* Resolves host:port into t (the address of its first answer). */
static int
wsc_resolve(const char *url, const char *host, const char *port,
    struct wsc_target *t, char **cause)
{
	struct addrinfo hints, *ai = NULL;
	int g;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if ((g = getaddrinfo(host, port, &hints, &ai)) != 0 ||
	    ai->ai_addrlen > sizeof(t->addr)) {
		util_fail(cause, "%s: cannot resolve %s: %s", url, host,
		    g ? gai_strerror(g) : "address too long");
		if (ai != NULL)
			freeaddrinfo(ai);
		return -1;
	}
	memcpy(&t->addr, ai->ai_addr, ai->ai_addrlen);
	t->alen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

int
wsc_target_parse(const char *url, const char *cacert, int insecure,
    struct wsc_target *t, char **cause)
{
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	CURLU *u = curl_url();
	int rc = -1, tls;

	memset(t, 0, sizeof(*t));
	if (u == NULL)
		return util_fail(cause, "out of memory");
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0)) {
		util_fail(cause, "%s: not a URL", url);
		goto out;
	}
	if (strcmp(scheme, "ws") != 0 && strcmp(scheme, "wss") != 0) {
		util_fail(cause, "%s: sessions take a ws:// or wss:// URL",
		    url);
		goto out;
	}
	tls = scheme[2] == 's';
	if (curl_url_get(u, CURLUPART_PATH, &path, 0)) {
		util_fail(cause, "%s: no path", url);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;	/* the scheme's */
	t->name = host[0] == '[' ? util_strndup(host + 1, strlen(host) - 2) :
	    util_strdup(host);
	if (wsc_resolve(url, t->name, port ? port : tls ? "443" : "80", t,
	    cause) == -1 || (tls && tlsc_ctx_init(cacert, insecure, &t->tls,
	    cause) == -1)) {
		wsc_target_release(t);
		goto out;
	}
	t->host = port ? util_printf("%s:%s", host, port) : util_strdup(host);
	t->path = util_strdup(path);
	rc = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return rc;
}

void
wsc_target_release(struct wsc_target *t)
{
	tlsc_ctx_free(t->tls);
	free(t->name);
	free(t->host);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

void
wsc_accept_value(const char *key, char out[29])
{
	EVP_MD_CTX *h = EVP_MD_CTX_new();
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned n = 0;

	/* SHA-1 is no security function here: RFC 6455 names it */
	if (h == NULL || EVP_DigestInit_ex(h, EVP_sha1(), NULL) != 1 ||
	    EVP_DigestUpdate(h, key, strlen(key)) != 1 ||
	    EVP_DigestUpdate(h, WSC_GUID, strlen(WSC_GUID)) != 1 ||
	    EVP_DigestFinal_ex(h, d, &n) != 1 || n != 20) {
		/* out of memory: a value that is no base64 of a digest */
		memset(out, '*', 28);
		out[28] = '\0';
	} else
		sodium_bin2base64(out, 29, d, 20,
		    sodium_base64_VARIANT_ORIGINAL);
	EVP_MD_CTX_free(h);
}

/* Whether header line l[0..n) is name: value; *v gets the value. */
static int
wsc_header(const char *l, size_t n, const char *name, const char **v,
    size_t *vn)
{
	size_t k = strlen(name);

	if (n <= k || strncasecmp(l, name, k) != 0 || l[k] != ':')
		return 0;
	for (k++; k < n && (l[k] == ' ' || l[k] == '\t'); k++)
		;
	*v = l + k;
	for (*vn = n - k; *vn > 0 && (l[k + *vn - 1] == ' ' ||
	    l[k + *vn - 1] == '\t'); (*vn)--)
		;
	return 1;
}

/* Whether v[0..n) holds word (a comma-separated token, any case). */
static int
wsc_token(const char *v, size_t n, const char *word)
{
	size_t k = strlen(word), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(v + i, word, k) == 0 && (i == 0 ||
		    v[i - 1] == ',' || v[i - 1] == ' ') && (i + k == n ||
		    v[i + k] == ',' || v[i + k] == ' '))
			return 1;
	return 0;
}

long
wsc_handshake_check(const char *buf, size_t len, const char *key,
    char **cause)
{
	const char *end = NULL, *l, *nl, *v;
	char want[29];
	size_t i, vn;
	int up = 0, conn = 0, acc = 0;

	for (i = 0; i + 3 < len && end == NULL; i++)
		if (memcmp(buf + i, "\r\n\r\n", 4) == 0)
			end = buf + i + 2;
	if (end == NULL)
		return len >= WSC_HDR_MAX ? util_fail(cause, "handshake: no "
		    "end of the header in %d bytes", WSC_HDR_MAX) : 0;
	if (end - buf < 12 || memcmp(buf, "HTTP/1.1 101", 12) != 0) {
		for (i = 0; i < 40 && buf + i < end && buf[i] >= ' ' &&
		    buf[i] < 127; i++)
			;
		return util_fail(cause, "handshake: the server answered "
		    "\"%.*s\", not 101", (int)i, buf);
	}
	wsc_accept_value(key, want);
	for (l = (const char *)memchr(buf, '\n', (size_t)(end - buf)) + 1;
	    l < end;
	    l = nl + 1) {
		nl = memchr(l, '\n', (size_t)(end - l));
		vn = (size_t)(nl - l) - (nl > l && nl[-1] == '\r');
		if (wsc_header(l, vn, "upgrade", &v, &vn))
			up |= vn == 9 && strncasecmp(v, "websocket", 9) == 0;
		else if (wsc_header(l, vn, "connection", &v, &vn))
			conn |= wsc_token(v, vn, "upgrade");
		else if (wsc_header(l, vn, "sec-websocket-accept", &v, &vn))
			acc |= vn == 28 && memcmp(v, want, 28) == 0 ? 1 : 2;
	}
	if (!up || !conn || acc != 1)
		return util_fail(cause, "handshake: %s", !up ? "no Upgrade: "
		    "websocket" : !conn ? "no Connection: upgrade" : acc == 0 ?
		    "no Sec-WebSocket-Accept" : "wrong Sec-WebSocket-Accept");
	return (long)(end + 2 - buf);
}

/* Ends the session: the socket closed, the owner told why. */
static void
wsc_end(struct wsc *c, const char *why)
{
	if (c->state == WSC_CLOSED)
		return;
	c->state = WSC_CLOSED;
	snprintf(c->why, sizeof(c->why), "%s", why);
	eng_unwatch(c->eng, c->fd);
	close(c->fd);
	c->fd = -1;
	c->cb->closed(c->arg, c->why);
}

/* Watches for events (EPOLLIN, EPOLLOUT); ends the session if it can't. */
static int
wsc_want(struct wsc *c, uint32_t events);

/* A TLS call's result as wsc_rd's and wsc_wr's (errors in c->why). */
static ssize_t
wsc_tls_result(struct wsc *c, ssize_t n)
{
	if (n > 0 || n == TLSC_CLOSED)
		return n;
	if (n == TLSC_ERROR)
		return -2;
	c->blk = n == TLSC_WANT_READ ? EPOLLIN : EPOLLOUT;
	return -1;
}

/*
 * A plain read into rbuf, or write of wbuf: as wsc_rd (counted here; TLS
 * counts its own).
 */
static ssize_t
wsc_plain(struct wsc *c, void *rbuf, const void *wbuf, size_t len)
{
	ssize_t n;

	do
		n = rbuf != NULL ? read(c->fd, rbuf, len) : send(c->fd, wbuf,
		    len, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	if (n >= 0) {
		*(rbuf != NULL ? &c->in : &c->out) += (uint64_t)n;
		return n;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK) {
		c->blk = rbuf != NULL ? EPOLLIN : EPOLLOUT;
		return -1;
	}
	snprintf(c->why, sizeof(c->why), "%s", strerror(errno));
	return -2;
}

/*
 * Reads from the session's stream, decrypted on wss://: the bytes, 0 at
 * its end, -1 to wait for c->blk, -2 on an error named in c->why.
 */
static ssize_t
wsc_rd(struct wsc *c, void *buf, size_t len)
{
	if (c->tls == NULL)
		return wsc_plain(c, buf, NULL, len);
	return wsc_tls_result(c, tlsc_read(c->tls, buf, len, c->why,
	    sizeof(c->why)));
}

/* Writes to the session's stream: as wsc_rd (0: nothing written). */
static ssize_t
wsc_wr(struct wsc *c, const void *buf, size_t len)
{
	ssize_t n;

	if (len == 0)
		return 0;
	if (c->tls == NULL)
		return wsc_plain(c, NULL, buf, len);
	n = wsc_tls_result(c, tlsc_write(c->tls, buf, len, c->why,
	    sizeof(c->why)));
	if (n == 0) {	/* the server's close_notify */
		snprintf(c->why, sizeof(c->why), "closed by the server");
		return -2;
	}
	return n;
}

static ssize_t
wsc_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *arg)
{
	struct wsc *c = arg;
	ssize_t n;

	(void)flags;
	if (c->nleft > c->oleft) {
		n = (ssize_t)(c->nleft - c->oleft < len ? c->nleft - c->oleft :
		    len);
		memcpy(buf, c->left + c->oleft, (size_t)n);
		c->oleft += (size_t)n;
		return n;
	}
	c->rd_out = 0;
	if ((n = wsc_rd(c, buf, len)) > 0)
		return n;
	if (n == -1) {
		c->rd_out = c->blk == EPOLLOUT;
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
		return -1;
	}
	if (n == 0)
		snprintf(c->why, sizeof(c->why), "closed by the server");
	wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t
wsc_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *arg)
{
	struct wsc *c = arg;
	ssize_t n;

	(void)flags;
	if ((n = wsc_wr(c, data, len)) >= 0)
		return n;
	wslay_event_set_error(ctx, n == -1 ? WSLAY_ERR_WOULDBLOCK :
	    WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static int
wsc_mask_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    void *arg)
{
	(void)ctx;
	(void)arg;
	randombytes_buf(buf, len);
	return 0;
}

static void
wsc_msg_cb(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *m, void *arg)
{
	struct wsc *c = arg;

	(void)ctx;
	if (c->state == WSC_OPEN && !c->closing && (m->opcode ==
	    WSLAY_TEXT_FRAME || m->opcode == WSLAY_BINARY_FRAME))
		c->cb->message(c->arg, m->msg, m->msg_length);
}

static const struct wslay_event_callbacks wsc_callbacks = {
	.recv_callback = wsc_recv_cb,
	.send_callback = wsc_send_cb,
	.genmask_callback = wsc_mask_cb,
	.on_msg_recv_callback = wsc_msg_cb,
};

/* The open session's I/O: wslay reads and writes what it can. */
static void
wsc_io_open(struct wsc *c, uint32_t events)
{
	char why[96];

	c->why[0] = '\0';
	if (((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) || c->nleft >
	    c->oleft || (c->rd_out && (events & EPOLLOUT)) ||
	    (c->tls != NULL && tlsc_pending(c->tls))) &&
	    wslay_event_recv(c->ws) != 0)
		goto fail;
	if (c->state == WSC_OPEN && wslay_event_want_write(c->ws) &&
	    wslay_event_send(c->ws) != 0)
		goto fail;
	if (c->nleft > 0 && c->oleft == c->nleft) {
		free(c->left);
		c->left = NULL;
		c->nleft = c->oleft = 0;
	}
	if (c->state != WSC_OPEN)
		return;
	if (wslay_event_get_close_received(c->ws)) {
		snprintf(why, sizeof(why), "%s (code %u)", c->closing ?
		    WSC_CLOSE_ANSWERED : "closed by the server",
		    (unsigned)wslay_event_get_status_code_received(c->ws));
		wsc_end(c, why);
		return;
	}
	if (wslay_event_get_close_sent(c->ws) && !c->closing &&
	    !wslay_event_want_write(c->ws)) {
		/* ours (1009: a message over max_msg); no wait for the echo */
		snprintf(why, sizeof(why), "closed by medload (code %u%s)",
		    (unsigned)wslay_event_get_status_code_sent(c->ws),
		    wslay_event_get_status_code_sent(c->ws) == 1009 ?
		    ": message too long" : "");
		wsc_end(c, why);
		return;
	}
	wsc_want(c, EPOLLIN | (wslay_event_want_write(c->ws) || c->rd_out ?
	    EPOLLOUT : 0u));
	return;
fail:
	if (c->why[0] == '\0')
		snprintf(c->why, sizeof(c->why), "%s",
		    wslay_event_get_close_sent(c->ws) ? "message too long or "
		    "not a WebSocket frame" : "WebSocket protocol error");
	snprintf(why, sizeof(why), "%s", c->why);
	wsc_end(c, why);
}

/* The handshake's answer read; the frames begin. */
static void
wsc_opened(struct wsc *c, long hdr)
{
	if (wslay_event_context_client_init(&c->ws, &wsc_callbacks, c) != 0) {
		wsc_end(c, "out of memory");
		return;
	}
	wslay_event_config_set_max_recv_msg_length(c->ws, c->max_msg);
	if ((size_t)hdr < c->hlen) {
		c->nleft = c->hlen - (size_t)hdr;
		c->left = util_malloc(c->nleft);
		memcpy(c->left, c->hbuf + hdr, c->nleft);
	}
	free(c->hbuf);
	c->hbuf = NULL;
	c->state = WSC_OPEN;
	if (wsc_want(c, EPOLLIN) == -1)
		return;
	c->cb->open(c->arg);
	if (c->state == WSC_OPEN)
		wsc_io_open(c, 0);
}

/*
 * Reads the handshake's answer (at most WSC_HDR_MAX bytes) until it is
 * whole or the stream must wait: a TLS session may hold bytes already
 * read from the socket, which no readiness would announce.
 */
static void
wsc_answer(struct wsc *c)
{
	char *cause = NULL, why[96];
	ssize_t n;
	long hdr = 0;

	if (c->hbuf == NULL)
		c->hbuf = util_malloc(WSC_HDR_MAX);
	while (hdr == 0 && c->hlen < WSC_HDR_MAX) {
		if ((n = wsc_rd(c, c->hbuf + c->hlen, WSC_HDR_MAX -
		    c->hlen)) == -1) {
			wsc_want(c, c->blk);
			return;
		}
		if (n <= 0) {
			snprintf(why, sizeof(why), "%s", n == 0 ? "handshake: "
			    "closed by the server" : c->why);
			wsc_end(c, why);
			return;
		}
		c->hlen += (size_t)n;
		hdr = wsc_handshake_check(c->hbuf, c->hlen, c->key, &cause);
	}
	if (hdr == -1) {
		snprintf(why, sizeof(why), "%s", cause);
		free(cause);
		wsc_end(c, why);
	} else if (hdr > 0)
		wsc_opened(c, hdr);
}

/* Writes the handshake request (made once connected). */
static void
wsc_request(struct wsc *c)
{
	char why[96];
	ssize_t n;

	while (c->hoff < c->hlen) {
		if ((n = wsc_wr(c, c->hbuf + c->hoff, c->hlen - c->hoff)) ==
		    -1) {
			wsc_want(c, c->blk);
			return;
		}
		if (n < 0) {
			snprintf(why, sizeof(why), "%s", c->why);
			wsc_end(c, why);
			return;
		}
		c->hoff += (size_t)n;
	}
	free(c->hbuf);
	c->hbuf = NULL;
	c->hlen = c->hoff = 0;
	c->state = WSC_ANSWER;
	if (wsc_want(c, EPOLLIN) == 0)
		wsc_answer(c);
}

/* Makes and writes the handshake request. */
static void
wsc_start_request(struct wsc *c)
{
	unsigned char k[16];

	randombytes_buf(k, sizeof(k));
	sodium_bin2base64(c->key, sizeof(c->key), k, sizeof(k),
	    sodium_base64_VARIANT_ORIGINAL);
	c->hbuf = util_printf("GET %s HTTP/1.1\r\nHost: %s\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n",
	    c->t->path, c->t->host, c->key);
	c->hlen = strlen(c->hbuf);
	c->hoff = 0;
	c->state = WSC_REQUEST;
	wsc_request(c);
}

/* Steps the TLS handshake; once done, the WebSocket one begins. */
static void
wsc_tls(struct wsc *c)
{
	char why[96];
	int rc = tlsc_handshake(c->tls, why, sizeof(why));

	if (rc == 1)
		wsc_start_request(c);
	else if (rc == TLSC_ERROR)
		wsc_end(c, why);
	else
		wsc_want(c, rc == TLSC_WANT_READ ? EPOLLIN : EPOLLOUT);
}

/* The connection is made (or failed): TLS or the request begins. */
static void
wsc_connected(struct wsc *c)
{
	char why[96], *cause = NULL;
	int err = 0;
	socklen_t n = sizeof(err);

	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &n) == -1)
		err = errno;
	if (err != 0) {
		snprintf(why, sizeof(why), "connect: %s", strerror(err));
		wsc_end(c, why);
		return;
	}
	if (c->t->tls == NULL) {
		wsc_start_request(c);
		return;
	}
	if ((c->tls = tlsc_new(c->t->tls, c->fd, c->t->name, &cause)) ==
	    NULL) {
		snprintf(why, sizeof(why), "%s", cause);
		free(cause);
		wsc_end(c, why);
		return;
	}
	c->state = WSC_TLS;
	wsc_tls(c);
}

static void
wsc_io(void *arg, uint32_t events)
{
	struct wsc *c = arg;

	switch ((enum wsc_state)c->state) {
	case WSC_CONNECTING:
		wsc_connected(c);
		break;
	case WSC_TLS:
		wsc_tls(c);
		break;
	case WSC_REQUEST:
		wsc_request(c);
		break;
	case WSC_ANSWER:
		wsc_answer(c);
		break;
	case WSC_OPEN:
		wsc_io_open(c, events);
		break;
	case WSC_CLOSED:
		break;
	}
}

static int
wsc_want(struct wsc *c, uint32_t events)
{
	char why[96];

	if (c->state == WSC_CLOSED)
		return -1;
	if (eng_watch(c->eng, c->fd, events, wsc_io, c) == 0)
		return 0;
	snprintf(why, sizeof(why), "epoll: %s", strerror(errno));
	wsc_end(c, why);
	return -1;
}

struct wsc *
wsc_open(struct eng *e, const struct wsc_target *t, size_t max_msg,
    const struct wsc_cb *cb, void *arg, char **cause)
{
	struct wsc *c;
	int fd;

	fd = socket(t->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1) {
		util_fail(cause, "socket: %s%s", strerror(errno),
		    errno == EMFILE ? " (the process's file limit)" : "");
		return NULL;
	}
	if (connect(fd, (const struct sockaddr *)&t->addr, t->alen) == -1 &&
	    errno != EINPROGRESS) {
		util_fail(cause, "connect: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	c = util_calloc(1, sizeof(*c));
	c->eng = e;
	c->t = t;
	c->cb = cb;
	c->arg = arg;
	c->fd = fd;
	c->max_msg = max_msg;
	if (eng_watch(e, fd, EPOLLOUT, wsc_io, c) == -1) {
		util_fail(cause, "epoll: %s", strerror(errno));
		close(fd);
		free(c);
		return NULL;
	}
	return c;
}

int
wsc_send(struct wsc *c, const void *p, size_t n)
{
	struct wslay_event_msg m;

	if (c == NULL || c->state != WSC_OPEN)
		return -1;
	m.opcode = WSLAY_BINARY_FRAME;
	m.msg = p;
	m.msg_length = n;
	if (wslay_event_queue_msg(c->ws, &m) != 0)
		return -1;
	return wsc_want(c, EPOLLIN | EPOLLOUT);
}

int
wsc_close(struct wsc *c, uint16_t code, const char *reason)
{
	if (c == NULL || c->state != WSC_OPEN || c->closing)
		return -1;
	if (wslay_event_queue_close(c->ws, code, (const uint8_t *)reason,
	    strlen(reason)) != 0)
		return -1;
	c->closing = 1;
	(void)wsc_want(c, EPOLLIN | EPOLLOUT);	/* if it fails: cb->closed */
	return 0;
}

int
wsc_is_open(const struct wsc *c)
{
	return c != NULL && c->state == WSC_OPEN;
}

uint64_t
wsc_bytes_in(const struct wsc *c)
{
	return c->tls != NULL ? tlsc_bytes_in(c->tls) : c->in;
}

uint64_t
wsc_bytes_out(const struct wsc *c)
{
	return c->tls != NULL ? tlsc_bytes_out(c->tls) : c->out;
}

void
wsc_free(struct wsc *c)
{
	if (c == NULL)
		return;
	if (c->fd != -1) {
		eng_unwatch(c->eng, c->fd);
		close(c->fd);
	}
	if (c->ws != NULL)
		wslay_event_context_free(c->ws);
	tlsc_free(c->tls);
	free(c->hbuf);
	free(c->left);
	free(c);
}

size_t
wsc_size(void)
{
	return sizeof(struct wsc);
}
