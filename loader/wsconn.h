/*
 * wsconn.h: WebSocket client sessions (RFC 6455) in the engine's event
 * loop. A session is a non-blocking TCP socket of our own, registered
 * with eng_watch; on wss:// a TLS session over it (tlsc: the server's
 * certificate and name verified unless insecure); the opening handshake
 * is written and checked here (Sec-WebSocket-Accept with SHA-1 from
 * OpenSSL's libcrypto); frames are coded by wslay (its event API, driven
 * from our socket callbacks), with the message size bounded. Nothing here
 * times out: the owner bounds a session that does not open. Writing to a
 * socket the server closed raises SIGPIPE on wss:// (OpenSSL writes with
 * write(2)): the process ignores it (interrupt_catch).
 *
 * Callbacks come from eng_poll. After cb->closed the session does no more
 * work; the caller frees it with wsc_free (also from inside cb->closed).
 */
#ifndef MEDLOAD_WSCONN_H
#define MEDLOAD_WSCONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct eng;
struct tlsc_ctx;
struct wsc;

/* Where sessions go: a ws:// or wss:// URL resolved once. */
struct wsc_target {
	struct sockaddr_storage addr;
	socklen_t alen;
	char *name;		/* the host's name or address (owned) */
	char *host;		/* the Host header's value (owned) */
	char *path;		/* the request path (owned) */
	struct tlsc_ctx *tls;	/* wss://: TLS settings (owned), else NULL */
};

struct wsc_cb {
	void (*open)(void *arg);
	/* One message (text or binary); p is borrowed for the call. */
	void (*message)(void *arg, const unsigned char *p, size_t n);
	/* The session ended; why is borrowed for the call. */
	void (*closed)(void *arg, const char *why);
};

/*
 * Parses and resolves url (ws:// or wss://HOST[:PORT][/PATH]) into *t
 * (release with wsc_target_release). On wss:// the server's certificate
 * is verified against the CA bundle file cacert (NULL: the system's
 * store) and the host, unless insecure. Returns 0, or -1 with *cause
 * naming url or cacert.
 */
int wsc_target_parse(const char *url, const char *cacert, int insecure,
    struct wsc_target *t, char **cause);
void wsc_target_release(struct wsc_target *t);

/*
 * Starts a session to t (borrowed; it must outlive the session); messages
 * longer than max_msg bytes close it (code 1009). Returns the session, or
 * NULL with *cause when no socket could be made (EMFILE: the file limit).
 */
struct wsc *wsc_open(struct eng *e, const struct wsc_target *t,
    size_t max_msg, const struct wsc_cb *cb, void *arg, char **cause);

/* Queues one binary message (copied). Returns 0, or -1 if not open. */
int wsc_send(struct wsc *c, const void *p, size_t n);

/*
 * Starts the closing handshake (RFC 6455 section 7): a close frame with
 * code and reason (at most 123 bytes) goes out, messages that still come
 * are dropped, and the session ends (cb->closed, why beginning with
 * WSC_CLOSE_ANSWERED) when the server's close frame comes back, or when
 * the server closes the socket. The owner bounds the wait. Returns 0 (cb->closed
 * may come before it returns), or -1 if the session is not open or
 * already closing.
 */
int wsc_close(struct wsc *c, uint16_t code, const char *reason);
#define WSC_CLOSE_ANSWERED "closed by medload, answered"

/* Whether the handshake is done and the session not closed. */
int wsc_is_open(const struct wsc *c);

/* Bytes received and sent on the socket so far. */
uint64_t wsc_bytes_in(const struct wsc *c);
uint64_t wsc_bytes_out(const struct wsc *c);

/* Closes the socket at once (no callback) and frees c; NULL accepted. */
void wsc_free(struct wsc *c);

/*
 * Checks a handshake answer buf[0..len) for the request key: returns the
 * header's length (through the blank line) when it is a valid 101 answer,
 * 0 when more bytes are needed, -1 with *cause when it is not one.
 */
long wsc_handshake_check(const char *buf, size_t len, const char *key,
    char **cause);

/* The Sec-WebSocket-Accept value for key (RFC 6455 4.2.2), in out. */
void wsc_accept_value(const char *key, char out[29]);

/* Bytes held for session c (our state; wslay's context separately). */
size_t wsc_size(void);

#endif
