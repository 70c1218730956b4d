/* tlsc.c: TLS client sessions on non-blocking sockets (OpenSSL). */
#include "tlsc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "util.h"

struct tlsc_ctx {
	SSL_CTX *ctx;
	int insecure;
};

/* A session is OpenSSL's: struct tlsc is never defined. */
static SSL *
tlsc_ssl(const struct tlsc *s)
{
	return (SSL *)(uintptr_t)s;
}

/* The reason of the last error in OpenSSL's queue, or what. */
static const char *
tlsc_reason(const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e != 0 ? ERR_reason_error_string(e) : NULL;

	return r != NULL ? r : what;
}

int
tlsc_ctx_init(const char *cacert, int insecure, struct tlsc_ctx **out,
    char **cause)
{
	struct tlsc_ctx *x;
	SSL_CTX *ctx;

	*out = NULL;
	ERR_clear_error();
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL)
		return util_fail(cause, "TLS: %s", tlsc_reason("no context"));
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* wslay hands a retried write's bytes again, maybe from elsewhere */
	SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
	    SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
	/* an end without close_notify is a close: frames are checked */
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_verify(ctx, insecure ? SSL_VERIFY_NONE : SSL_VERIFY_PEER,
	    NULL);
	if (!insecure && cacert != NULL && access(cacert, R_OK) == -1) {
		SSL_CTX_free(ctx);
		return util_fail(cause, "cacert %s: %s", cacert,
		    strerror(errno));
	}
	if (!insecure && (cacert != NULL ?
	    SSL_CTX_load_verify_locations(ctx, cacert, NULL) :
	    SSL_CTX_set_default_verify_paths(ctx)) != 1) {
		util_fail(cause, "cacert %s: %s", cacert ? cacert :
		    "(the system's)", tlsc_reason("cannot be loaded"));
		ERR_clear_error();
		SSL_CTX_free(ctx);
		return -1;
	}
	x = util_calloc(1, sizeof(*x));
	x->ctx = ctx;
	x->insecure = insecure;
	*out = x;
	return 0;
}

void
tlsc_ctx_free(struct tlsc_ctx *x)
{
	if (x == NULL)
		return;
	SSL_CTX_free(x->ctx);
	free(x);
}

/* Whether host is an IPv4 or IPv6 address (no SNI for those). */
static int
tlsc_is_address(const char *host)
{
	unsigned char a[16];

	return inet_pton(AF_INET, host, a) == 1 ||
	    inet_pton(AF_INET6, host, a) == 1;
}

struct tlsc *
tlsc_new(struct tlsc_ctx *x, int fd, const char *host, char **cause)
{
	SSL *ssl;
	int ok, ip = tlsc_is_address(host);

	ERR_clear_error();
	if ((ssl = SSL_new(x->ctx)) == NULL) {
		util_fail(cause, "TLS: %s", tlsc_reason("no session"));
		return NULL;
	}
	ok = SSL_set_fd(ssl, fd) == 1 &&
	    (ip || SSL_set_tlsext_host_name(ssl, host) == 1);
	if (ok && !x->insecure)
		ok = ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl),
		    host) == 1 : SSL_set1_host(ssl, host) == 1;
	if (!ok) {
		util_fail(cause, "TLS: %s: %s", host, tlsc_reason("bad host"));
		ERR_clear_error();
		SSL_free(ssl);
		return NULL;
	}
	SSL_set_connect_state(ssl);
	return (struct tlsc *)(void *)ssl;
}

/*
 * What a failed call (its return ret, errno en) means: a wait, the end,
 * or an error named in why. hs: during the handshake.
 */
static int
tlsc_fail(SSL *ssl, int ret, int en, int hs, char *why, size_t size)
{
	int err = SSL_get_error(ssl, ret);
	unsigned long e = ERR_peek_last_error();
	long v;

	if (err == SSL_ERROR_WANT_READ)
		return TLSC_WANT_READ;
	if (err == SSL_ERROR_WANT_WRITE)
		return TLSC_WANT_WRITE;
	if (err == SSL_ERROR_ZERO_RETURN && !hs)
		return TLSC_CLOSED;
	if (err == SSL_ERROR_SSL && ERR_GET_REASON(e) ==
	    SSL_R_CERTIFICATE_VERIFY_FAILED &&
	    (v = SSL_get_verify_result(ssl)) != X509_V_OK)
		snprintf(why, size, "TLS: certificate verify failed (%s)",
		    X509_verify_cert_error_string(v));
	else if (err == SSL_ERROR_ZERO_RETURN || (err == SSL_ERROR_SYSCALL &&
	    e == 0 && en == 0))
		snprintf(why, size, "TLS: closed by the server%s", hs ?
		    " during the handshake" : "");
	else if (err == SSL_ERROR_SYSCALL && e == 0)
		snprintf(why, size, "TLS: %s", strerror(en));
	else
		snprintf(why, size, "TLS: %s", tlsc_reason("protocol error"));
	ERR_clear_error();
	return TLSC_ERROR;
}

int
tlsc_handshake(struct tlsc *s, char *why, size_t size)
{
	int n;

	ERR_clear_error();
	errno = 0;
	if ((n = SSL_do_handshake(tlsc_ssl(s))) == 1)
		return 1;
	return tlsc_fail(tlsc_ssl(s), n, errno, 1, why, size);
}

ssize_t
tlsc_read(struct tlsc *s, void *buf, size_t len, char *why, size_t size)
{
	int n;

	ERR_clear_error();
	errno = 0;
	if ((n = SSL_read(tlsc_ssl(s), buf, len > INT_MAX ? INT_MAX :
	    (int)len)) > 0)
		return n;
	return tlsc_fail(tlsc_ssl(s), n, errno, 0, why, size);
}

ssize_t
tlsc_write(struct tlsc *s, const void *buf, size_t len, char *why,
    size_t size)
{
	int n;

	ERR_clear_error();
	errno = 0;
	if ((n = SSL_write(tlsc_ssl(s), buf, len > INT_MAX ? INT_MAX :
	    (int)len)) > 0)
		return n;
	return tlsc_fail(tlsc_ssl(s), n, errno, 0, why, size);
}

int
tlsc_pending(const struct tlsc *s)
{
	return SSL_pending(tlsc_ssl(s)) > 0 || SSL_has_pending(tlsc_ssl(s));
}

uint64_t
tlsc_bytes_in(const struct tlsc *s)
{
	return BIO_number_read(SSL_get_rbio(tlsc_ssl(s)));
}

uint64_t
tlsc_bytes_out(const struct tlsc *s)
{
	return BIO_number_written(SSL_get_wbio(tlsc_ssl(s)));
}

void
tlsc_free(struct tlsc *s)
{
	if (s != NULL)
		SSL_free(tlsc_ssl(s));
}
