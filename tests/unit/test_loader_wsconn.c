/*
 * test_loader_wsconn.c: WebSocket sessions against a server played by the
 * test on a loopback socket: the handshake answer is checked (status,
 * headers, Sec-WebSocket-Accept), bounded, and every frame the server
 * writes (a message, one too long, a close, bytes that are no frame) ends
 * in one message or one closed callback, never more. On wss:// the
 * server is OpenSSL's, with a CA and certificates made here: a trusted
 * one opens, an untrusted chain, a wrong name, a server that closes in
 * the TLS handshake or speaks no TLS end with the reason, a silent one
 * neither opens nor ends (the owner's timer bounds it).
 */
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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

/* The test server reads (over TLS when ssl is set); -1: nothing yet. */
static ssize_t
srv_read(int fd, SSL *ssl, void *buf, size_t n)
{
	int r;

	if (ssl == NULL)
		return recv(fd, buf, n, MSG_DONTWAIT);
	r = SSL_read(ssl, buf, (int)n);
	ERR_clear_error();
	return r > 0 ? r : -1;
}

/* The test server writes all of buf (small: the socket takes it). */
static int
srv_write(int fd, SSL *ssl, const void *buf, size_t n)
{
	if (ssl == NULL)
		return write(fd, buf, n) == (ssize_t)n;
	return SSL_write(ssl, buf, (int)n) == (int)n;
}

/*
 * Reads the session's request on fd (or ssl) and answers with status
 * (the right accept value for its key unless accept_v is given).
 */
static void
answer_handshake(struct eng *e, int fd, SSL *ssl, const char *status,
    const char *accept_v)
{
	char req[2048], key[32], acc[29], ans[512];
	size_t got = 0;
	ssize_t n;
	const char *k;
	int round;

	for (round = 0; round < 50 && (got < 4 || memcmp(req + got - 4,
	    "\r\n\r\n", 4) != 0); round++) {
		eng_timer(e, eng_now() + 10000, tick, NULL);
		eng_poll(e);
		n = srv_read(fd, ssl, req + got, sizeof(req) - 1 - got);
		if (n > 0)
			got += (size_t)n;
	}
	req[got] = '\0';
	CHECK(strncmp(req, "GET / HTTP/1.1\r\n", 16) == 0);
	CHECK(strstr(req, "Sec-WebSocket-Version: 13\r\n") != NULL);
	k = strstr(req, "Sec-WebSocket-Key: ");
	CHECK(k != NULL);
	snprintf(key, sizeof(key), "%.24s", k ? k + 19 : "");
	wsc_accept_value(key, acc);
	snprintf(ans, sizeof(ans), "HTTP/1.1 %s\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n\r\n", status,
	    accept_v ? accept_v : acc);
	CHECK(srv_write(fd, ssl, ans, strlen(ans)));
}

/* Accepts the session's connection and answers its handshake. */
static int
serve_handshake(struct eng *e, int lfd, const char *status,
    const char *accept_v)
{
	int fd = accept(lfd, NULL, NULL);

	CHECK(fd != -1);
	answer_handshake(e, fd, NULL, status, accept_v);
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
	CHECK(wsc_target_parse(url, NULL, 0, &t, &cause) == 0);
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
	CHECK(wsc_target_parse(url, NULL, 0, &t, &cause) == 0);

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

/* Reads from fd (blocking, 2 s at most) until n bytes are in buf. */
static size_t
read_some(int fd, unsigned char *buf, size_t n)
{
	struct timeval tv = { 2, 0 };
	size_t got = 0;
	ssize_t k;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	while (got < n && (k = read(fd, buf + got, n - got)) > 0)
		got += (size_t)k;
	return got;
}

/*
 * wsc_close: a masked close frame (1000, the reason) goes out; a message
 * that still comes is dropped; the session ends when the server's close
 * comes back ("answered"), or when the server only hangs up.
 */
static void
test_closing_handshake(void)
{
	struct wsc_target t;
	struct eng_opts o;
	struct eng *e = NULL;
	struct wsc *c;
	struct seen s;
	char url[64], *cause = NULL;
	const unsigned char late[] = { 0x82, 2, 'h', 'i' };
	const unsigned char echo[] = { 0x88, 2, 0x03, 0xe8 };
	unsigned char f[64];
	size_t i, n;
	int lfd, fd;

	memset(&o, 0, sizeof(o));
	CHECK(eng_init(&o, &e, &cause) == 0);
	lfd = listener(url, sizeof(url));
	CHECK(wsc_target_parse(url, NULL, 0, &t, &cause) == 0);

	memset(&s, 0, sizeof(s));
	c = wsc_open(e, &t, 1024, &cbs, &s, &cause);
	fd = serve_handshake(e, lfd, "101 Switching Protocols", NULL);
	poll_until(e, &s.opens, 1);
	CHECK(wsc_close(c, 1000, "bye") == 0);
	CHECK(wsc_close(c, 1000, "again") == -1);	/* already closing */
	CHECK(wsc_send(c, "x", 1) == -1);
	eng_timer(e, eng_now() + 20000, tick, NULL);
	eng_poll(e);			/* the frame goes out, no end yet */
	eng_poll(e);
	n = read_some(fd, f, 2 + 4 + 5);
	CHECK(n == 11 && f[0] == 0x88 && f[1] == (0x80 | 5));
	for (i = 0; i < 5; i++)		/* unmask: 03 e8 'b' 'y' 'e' */
		f[6 + i] ^= f[2 + i % 4];
	CHECK(f[6] == 0x03 && f[7] == 0xe8 && memcmp(f + 8, "bye", 3) == 0);
	CHECK(s.closes == 0 && wsc_is_open(c));
	CHECK(write(fd, late, sizeof(late)) == (ssize_t)sizeof(late));
	CHECK(write(fd, echo, sizeof(echo)) == (ssize_t)sizeof(echo));
	poll_until(e, &s.closes, 1);
	CHECK(s.closes == 1 && s.msgs == 0);
	CHECK(strncmp(s.why, WSC_CLOSE_ANSWERED, strlen(WSC_CLOSE_ANSWERED))
	    == 0);
	CHECK_STR(s.why, WSC_CLOSE_ANSWERED " (code 1000)");
	wsc_free(c);
	close(fd);

	/* a server that hangs up instead of answering */
	memset(&s, 0, sizeof(s));
	c = wsc_open(e, &t, 1024, &cbs, &s, &cause);
	fd = serve_handshake(e, lfd, "101 Switching Protocols", NULL);
	poll_until(e, &s.opens, 1);
	CHECK(wsc_close(c, 1000, "bye") == 0);
	eng_timer(e, eng_now() + 20000, tick, NULL);
	eng_poll(e);
	CHECK(read_some(fd, f, 11) == 11);
	close(fd);
	poll_until(e, &s.closes, 1);
	CHECK(s.closes == 1);
	CHECK_STR(s.why, "closed by the server");
	wsc_free(c);
	CHECK(wsc_close(NULL, 1000, "") == -1);
	close(lfd);
	wsc_target_release(&t);
	eng_free(e);
}

/* Targets: ws:// and wss://, a port or the scheme's; others refused. */
static void
test_target(void)
{
	struct wsc_target t;
	char *cause = NULL;

	CHECK(wsc_target_parse("http://127.0.0.1:1/", NULL, 0, &t, &cause) ==
	    -1);
	CHECK_STR(cause, "http://127.0.0.1:1/: sessions take a ws:// or "
	    "wss:// URL");
	free(cause);
	cause = NULL;
	CHECK(wsc_target_parse("ws://localhost:3001", NULL, 0, &t, &cause) ==
	    0);
	CHECK_STR(t.path, "/");
	CHECK_STR(t.host, "localhost:3001");
	CHECK_STR(t.name, "localhost");
	CHECK(t.tls == NULL);
	wsc_target_release(&t);
	CHECK(wsc_target_parse("wss://[::1]/ws", NULL, 0, &t, &cause) == 0);
	CHECK_STR(t.path, "/ws");
	CHECK_STR(t.host, "[::1]");
	CHECK_STR(t.name, "::1");
	CHECK(t.tls != NULL && t.addr.ss_family == AF_INET6 &&
	    ntohs(((struct sockaddr_in6 *)&t.addr)->sin6_port) == 443);
	wsc_target_release(&t);
	CHECK(wsc_target_parse("wss://127.0.0.1:1/", "/nonexistent/ca.pem", 0,
	    &t, &cause) == -1);
	CHECK_STR(cause, "cacert /nonexistent/ca.pem: No such file or "
	    "directory");
	free(cause);
	cause = NULL;
	/* insecure: no CA is read */
	CHECK(wsc_target_parse("wss://127.0.0.1:1/", "/nonexistent/ca.pem", 1,
	    &t, &cause) == 0);
	wsc_target_release(&t);
}

/* The test's certificates: a CA, one server key, certificates for names. */
struct pki {
	EVP_PKEY *ca_key, *key;
	X509 *ca;
	char ca_file[64];
};

/* Adds extension nid = value to x, issued by issuer. */
static void
add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;

	X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	CHECK(ext != NULL && X509_add_ext(x, ext, -1) == 1);
	X509_EXTENSION_free(ext);
}

/*
 * A certificate for key, named cn: the CA's (self-signed) when issuer is
 * NULL, else a server's for the names san, signed by issuer's ikey.
 */
static X509 *
make_cert(EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, const char *cn,
    const char *san)
{
	static long serial = 1;
	X509 *x = X509_new();
	X509_NAME *n = X509_NAME_new();

	CHECK(x != NULL && n != NULL);
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial++);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), 86400);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, n);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : n);
	X509_NAME_free(n);
	if (issuer == NULL) {
		add_ext(x, x, NID_basic_constraints, "critical,CA:TRUE");
		add_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign");
	} else {
		add_ext(x, issuer, NID_basic_constraints, "CA:FALSE");
		add_ext(x, issuer, NID_subject_alt_name, san);
	}
	CHECK(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	return x;
}

/* Makes the CA (its certificate in a file) and the server's key. */
static void
pki_init(struct pki *p)
{
	FILE *f;
	int fd;

	p->ca_key = EVP_EC_gen("P-256");
	p->key = EVP_EC_gen("P-256");
	CHECK(p->ca_key != NULL && p->key != NULL);
	p->ca = make_cert(p->ca_key, NULL, NULL, "medload test CA", NULL);
	snprintf(p->ca_file, sizeof(p->ca_file), "/tmp/medload-ca-XXXXXX");
	fd = mkstemp(p->ca_file);
	CHECK(fd != -1 && (f = fdopen(fd, "w")) != NULL);
	CHECK(PEM_write_X509(f, p->ca) == 1);
	fclose(f);
}

static void
pki_free(struct pki *p)
{
	unlink(p->ca_file);
	X509_free(p->ca);
	EVP_PKEY_free(p->ca_key);
	EVP_PKEY_free(p->key);
}

/* A server's settings: a certificate for the names san from p's CA. */
static SSL_CTX *
server_ctx(const struct pki *p, const char *san)
{
	SSL_CTX *x = SSL_CTX_new(TLS_server_method());
	X509 *leaf = make_cert(p->key, p->ca, p->ca_key, "medload test",
	    san);

	CHECK(x != NULL && SSL_CTX_use_certificate(x, leaf) == 1 &&
	    SSL_CTX_use_PrivateKey(x, p->key) == 1);
	X509_free(leaf);
	return x;
}

/*
 * Accepts the session's connection and does the server's side of the
 * TLS handshake: its session, or NULL when the client gave up (*fd is
 * the socket either way).
 */
static SSL *
tls_accept(struct eng *e, int lfd, SSL_CTX *x, int *fd)
{
	SSL *ssl;
	int round, rc, err;

	*fd = accept(lfd, NULL, NULL);
	CHECK(*fd != -1 && fcntl(*fd, F_SETFL, O_NONBLOCK) == 0);
	ssl = SSL_new(x);
	SSL_set_fd(ssl, *fd);
	SSL_set_accept_state(ssl);
	for (round = 0; round < 100; round++) {
		eng_timer(e, eng_now() + 10000, tick, NULL);
		eng_poll(e);
		if ((rc = SSL_do_handshake(ssl)) == 1)
			return ssl;
		err = SSL_get_error(ssl, rc);
		ERR_clear_error();
		if (err != SSL_ERROR_WANT_READ && err != SSL_ERROR_WANT_WRITE)
			break;
	}
	SSL_free(ssl);
	return NULL;
}

/* One wss:// session to url with cacert, served with x: what it saw. */
static void
tls_session(struct eng *e, int lfd, const char *url, const char *cacert,
    int insecure, SSL_CTX *x, struct seen *s, char *sni, size_t sn)
{
	struct wsc_target t;
	struct wsc *c;
	SSL *srv;
	char *cause = NULL;
	const char *name;
	int fd;

	memset(s, 0, sizeof(*s));
	CHECK(wsc_target_parse(url, cacert, insecure, &t, &cause) == 0);
	c = wsc_open(e, &t, 1024, &cbs, s, &cause);
	CHECK(c != NULL);
	srv = tls_accept(e, lfd, x, &fd);
	snprintf(sni, sn, "%s", srv && (name = SSL_get_servername(srv,
	    TLSEXT_NAMETYPE_host_name)) ? name : "-");
	if (srv != NULL) {
		answer_handshake(e, fd, srv, "101 OK", NULL);
		CHECK(srv_write(fd, srv, "\x82\x05hello", 7));
		poll_until(e, &s->msgs, 1);
		CHECK(wsc_send(c, "ping", 4) == 0);
		poll_until(e, &s->msgs, 2);	/* no more comes: polls */
		CHECK(wsc_bytes_in(c) > 100 && wsc_bytes_out(c) > 100);
		SSL_free(srv);
	} else
		poll_until(e, &s->closes, 1);
	wsc_free(c);
	close(fd);
	wsc_target_release(&t);
}

/* A loop, the certificates and a listener for the wss:// tests. */
struct tls_fix {
	struct eng *e;
	struct pki p;
	int lfd, port;
};

static void
fix_init(struct tls_fix *f)
{
	struct eng_opts o;
	char url[64], *cause = NULL;

	memset(&o, 0, sizeof(o));
	CHECK(eng_init(&o, &f->e, &cause) == 0);
	pki_init(&f->p);
	f->lfd = listener(url, sizeof(url));
	f->port = atoi(strrchr(url, ':') + 1);
}

static void
fix_free(struct tls_fix *f)
{
	close(f->lfd);
	pki_free(&f->p);
	eng_free(f->e);
}

/* A trusted certificate opens, by address or by name (with SNI). */
static void
test_tls_open(void)
{
	struct tls_fix f;
	struct seen s;
	SSL_CTX *x;
	char url[64], sni[64];

	fix_init(&f);
	x = server_ctx(&f.p, "DNS:localhost,IP:127.0.0.1");
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d/", f.port);
	tls_session(f.e, f.lfd, url, f.p.ca_file, 0, x, &s, sni, sizeof(sni));
	CHECK(s.opens == 1 && s.msgs == 1 && s.closes == 0);
	CHECK_STR(s.msg, "hello");
	CHECK_STR(sni, "-");		/* no SNI for an address */
	snprintf(url, sizeof(url), "wss://localhost:%d/", f.port);
	tls_session(f.e, f.lfd, url, f.p.ca_file, 0, x, &s, sni, sizeof(sni));
	CHECK(s.opens == 1 && s.msgs == 1 && s.closes == 0);
	CHECK_STR(sni, "localhost");
	SSL_CTX_free(x);
	fix_free(&f);
}

/* An unknown CA, a wrong name: refused, saying why; insecure opens. */
static void
test_tls_refused(void)
{
	struct tls_fix f;
	struct seen s;
	SSL_CTX *x, *other;
	char url[64], sni[64];
	const char *ca;

	fix_init(&f);
	ca = f.p.ca_file;
	x = server_ctx(&f.p, "DNS:localhost,IP:127.0.0.1");
	other = server_ctx(&f.p, "DNS:other.example");
	snprintf(url, sizeof(url), "wss://localhost:%d/", f.port);
	tls_session(f.e, f.lfd, url, NULL, 0, x, &s, sni, sizeof(sni));
	CHECK(s.opens == 0 && s.closes == 1);
	CHECK_STR(s.why, "TLS: certificate verify failed (unable to get "
	    "local issuer certificate)");
	tls_session(f.e, f.lfd, url, ca, 0, other, &s, sni, sizeof(sni));
	CHECK(s.opens == 0 && s.closes == 1);
	CHECK_STR(s.why, "TLS: certificate verify failed (hostname "
	    "mismatch)");
	tls_session(f.e, f.lfd, url, NULL, 1, other, &s, sni, sizeof(sni));
	CHECK(s.opens == 1 && s.msgs == 1 && s.closes == 0);
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d/", f.port);
	tls_session(f.e, f.lfd, url, ca, 0, other, &s, sni, sizeof(sni));
	CHECK(s.opens == 0 && s.closes == 1);
	CHECK_STR(s.why, "TLS: certificate verify failed (IP address "
	    "mismatch)");
	SSL_CTX_free(x);
	SSL_CTX_free(other);
	fix_free(&f);
}

/*
 * Servers that fail the TLS handshake: one that closes after the client's
 * hello, one that answers in plain HTTP (a ws:// port), one that says
 * nothing (the session waits; its owner's timer ends it).
 */
static void
test_tls_faults(void)
{
	struct tls_fix f;
	struct wsc_target t;
	struct wsc *c;
	struct seen s;
	char url[64], buf[512], *cause = NULL;
	const char *http = "HTTP/1.1 400 Bad Request\r\n\r\n";
	int fd, i;

	fix_init(&f);
	snprintf(url, sizeof(url), "wss://127.0.0.1:%d", f.port);
	CHECK(wsc_target_parse(url, NULL, 0, &t, &cause) == 0);
	for (i = 0; i < 3; i++) {
		memset(&s, 0, sizeof(s));
		c = wsc_open(f.e, &t, 1024, &cbs, &s, &cause);
		CHECK(c != NULL);
		fd = accept(f.lfd, NULL, NULL);
		poll_until(f.e, &s.closes, 1);	/* the hello comes: polls */
		CHECK(s.closes == 0 && recv(fd, buf, sizeof(buf),
		    MSG_DONTWAIT) > 5 && buf[0] == 0x16);	/* handshake */
		if (i == 0)
			close(fd);
		else if (i == 1)
			CHECK(write(fd, http, strlen(http)) > 0);
		poll_until(f.e, &s.closes, 1);
		CHECK(s.opens == 0 && s.closes == (i < 2));
		CHECK(!wsc_is_open(c));
		if (i == 0)
			CHECK_STR(s.why, "TLS: closed by the server during the "
			    "handshake");
		else if (i == 1)
			CHECK_STR(s.why, "TLS: wrong version number");
		wsc_free(c);
		if (i > 0)
			close(fd);
	}
	wsc_target_release(&t);
	fix_free(&f);
}

int
main(void)
{
	signal(SIGPIPE, SIG_IGN);	/* as medload's commands do */
	RUN(test_accept_value);
	RUN(test_handshake_check);
	RUN(test_target);
	RUN(test_message_and_too_long);
	RUN(test_bad_answers_close);
	RUN(test_closing_handshake);
	RUN(test_tls_open);
	RUN(test_tls_refused);
	RUN(test_tls_faults);
	return CHECK_EXIT();
}
