/*
 * tlsc.h: TLS client sessions on non-blocking sockets, driven by their
 * owner's event loop (OpenSSL, the library libcurl is built against here,
 * so the sessions and libcurl's https trust the same way). Every call
 * returns at once, saying which readiness of the socket it waits for.
 *
 * Verification is on unless the context is insecure: the server's chain
 * against a CA bundle (cacert, else the system's store) and its name
 * against the host asked for (a DNS name or an IP address); SNI is sent
 * for names. TLS 1.2 at least. A failure is named by its reason ("TLS:
 * certificate verify failed (self-signed certificate)").
 */
#ifndef MEDLOAD_TLSC_H
#define MEDLOAD_TLSC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct tlsc_ctx;	/* the settings the sessions to one server share */
struct tlsc;		/* one session */

/* What a call returns besides a byte count (<= 0, never a count). */
enum {
	TLSC_CLOSED = 0,	/* the server closed the session */
	TLSC_ERROR = -1,	/* a failure, named in why */
	TLSC_WANT_READ = -2,	/* call again once the socket is readable */
	TLSC_WANT_WRITE = -3	/* call again once the socket is writable */
};

/*
 * Makes the shared settings: trust the CA bundle file cacert (NULL: the
 * system's store), or verify nothing when insecure. Returns 0 with *out
 * (caller frees with tlsc_ctx_free), or -1 with *cause naming the file.
 */
int tlsc_ctx_init(const char *cacert, int insecure, struct tlsc_ctx **out,
    char **cause);
void tlsc_ctx_free(struct tlsc_ctx *x);

/*
 * A client session on the connected socket fd (borrowed: tlsc_free does
 * not close it) to host (a name or an address, copied), with x (borrowed;
 * it must outlive the session). Returns it, or NULL with *cause.
 */
struct tlsc *tlsc_new(struct tlsc_ctx *x, int fd, const char *host,
    char **cause);

/*
 * Steps the handshake: 1 when done, TLSC_WANT_READ or TLSC_WANT_WRITE,
 * or TLSC_ERROR with the reason in why[0..size).
 */
int tlsc_handshake(struct tlsc *s, char *why, size_t size);

/*
 * Reads (decrypts) up to len bytes into buf, or writes len bytes of buf
 * (a retry after TLSC_WANT_* passes the same bytes again, moved or not).
 * Returns the bytes done (> 0), TLSC_CLOSED, TLSC_WANT_* or TLSC_ERROR
 * with the reason in why[0..size).
 */
ssize_t tlsc_read(struct tlsc *s, void *buf, size_t len, char *why,
    size_t size);
ssize_t tlsc_write(struct tlsc *s, const void *buf, size_t len, char *why,
    size_t size);

/* Whether decrypted or received bytes wait inside the session. */
int tlsc_pending(const struct tlsc *s);

/* Bytes received and sent on the socket (the encrypted stream). */
uint64_t tlsc_bytes_in(const struct tlsc *s);
uint64_t tlsc_bytes_out(const struct tlsc *s);

/* Frees s (its socket stays open); NULL accepted. */
void tlsc_free(struct tlsc *s);

#endif
