/*
 * didcomm_envelope.h: the DIDComm v1 envelope (Aries RFC 0019), packed and
 * unpacked exactly as ACA-Py over aries-askar writes and reads it:
 *
 *   {"protected": B64U(P), "iv": B64U(12 bytes), "ciphertext": B64U(..),
 *    "tag": B64U(16 bytes)}
 *   P = {"enc": "xchacha20poly1305_ietf", "typ": "JWM/1.0",
 *        "alg": "Authcrypt" | "Anoncrypt", "recipients": [{"encrypted_key":
 *        B64U, "header": {"kid": verkey, "sender": B64U, "iv": B64U}}]}
 *
 * The payload is ChaCha20-Poly1305 IETF (a 12-byte nonce, whatever "enc"
 * says) under a random content key, with the "protected" text as
 * associated data. Authcrypt boxes the content key for each recipient
 * (crypto_box: the sender's X25519 key to the recipient's) and seals the
 * sender's base58 verkey to it; Anoncrypt seals the content key. B64U is
 * base64url without padding (padding is accepted when reading).
 *
 * Everything unpacked is untrusted: sizes are bounded, base64url is
 * strict, JSON goes through json-c with a nesting limit and core/jx.h's
 * tolerant accessors. Every refusal says why ("envelope: ...").
 *
 * Module prefix: denv_.
 */
#ifndef MEDLOAD_DIDCOMM_ENVELOPE_H
#define MEDLOAD_DIDCOMM_ENVELOPE_H

#include <stddef.h>

#include "didcomm_crypto.h"

#define DENV_MAX (1u << 20)		/* the largest envelope read, bytes */
#define DENV_MAX_RECIPIENTS 64

/* An opened envelope. */
struct denv_opened {
	char *msg;		/* the plaintext, NUL-terminated (owned) */
	size_t len;
	int authcrypt;		/* Authcrypt: sender is set */
	unsigned char sender[DCRYPTO_PK];	/* the sender's verkey */
};

/*
 * Packs msg[0..len) for the nto recipients' Ed25519 keys to, Authcrypt
 * from key from, or Anoncrypt when from is NULL. Returns the envelope's
 * JSON text (caller frees) with its length in *outlen, or NULL with
 * *cause (a recipient key that is not a curve point).
 */
char *denv_pack(const void *msg, size_t len,
    const unsigned char (*to)[DCRYPTO_PK], size_t nto,
    const struct dcrypto_key *from, size_t *outlen, char **cause);

/*
 * Unpacks envelope buf[0..len) (not NUL-terminated; untrusted) for key
 * me. Returns 0 with *out filled (release it with denv_opened_release),
 * or -1 with *cause ("envelope: not for this agent", "envelope: wrong key
 * or damaged content key", "envelope: payload does not authenticate
 * (damaged or truncated)", ...). The fuzz harness's entry point.
 */
int denv_unpack(const char *buf, size_t len, const struct dcrypto_key *me,
    struct denv_opened *out, char **cause);

/* Frees what o holds (o itself is the caller's); NULL is accepted. */
void denv_opened_release(struct denv_opened *o);

/*
 * Wraps envelope env[0..len) for its recipient key to in a routing/1.0
 * forward message with identifier id, Anoncrypt for the routing key
 * routing (the mediator then forwards env to whoever registered to).
 * Returns the outer envelope (caller frees) and *outlen, or NULL with
 * *cause.
 */
char *denv_forward(const char *env, size_t len,
    const unsigned char to[DCRYPTO_PK],
    const unsigned char routing[DCRYPTO_PK], const char *id,
    size_t *outlen, char **cause);

/*
 * denv_forward, the forward asking for return_route all when rr: sent on
 * a session, it keeps the session's replies coming (ACA-Py resets the
 * reply mode with every inbound message).
 */
char *denv_forward_route(const char *env, size_t len,
    const unsigned char to[DCRYPTO_PK],
    const unsigned char routing[DCRYPTO_PK], const char *id, int rr,
    size_t *outlen, char **cause);

#endif
