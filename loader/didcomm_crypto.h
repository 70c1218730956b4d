/*
 * didcomm_crypto.h: the keys and encodings of medload's DIDComm v1 edge
 * agents, over libsodium (no primitive is written here):
 *
 *   - Ed25519 key pairs derived from a run key and an agent's index
 *     (crypto_sign_seed_keypair over a BLAKE2b hash of both), so 10,000
 *     agents need no entropy and a run is reproducible; their X25519 forms;
 *   - base58 (the bitcoin alphabet) for verkeys and DIDs, did:key
 *     (multicodec ed25519-pub, 0xed 0x01);
 *   - strict base64 and base64url: one alphabet, padding either absent or
 *     right, no white space, no stray bits;
 *   - message identifiers: UUID-shaped, derived from the run key, the
 *     agent's index and its message number.
 *
 * Module prefix: dcrypto_. Nothing here allocates.
 */
#ifndef MEDLOAD_DIDCOMM_CRYPTO_H
#define MEDLOAD_DIDCOMM_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define DCRYPTO_PK 32		/* Ed25519 or X25519 public key */
#define DCRYPTO_RUN_KEY 32
#define DCRYPTO_VK_MAX 46	/* base58 of 32 bytes (43-44) + NUL */
#define DCRYPTO_DIDKEY_MAX 64	/* "did:key:z" + 47-48 base58 + NUL */
#define DCRYPTO_DID_MAX 24	/* base58 of 16 bytes (21-22) + NUL */
#define DCRYPTO_ID_MAX 37	/* a UUID + NUL */
#define DCRYPTO_B58_MAX 128	/* the longest base58 input, bytes */

/* Room for n bytes as base64 (padded) and a NUL. */
#define DCRYPTO_B64_LEN(n) (((n) + 2) / 3 * 4 + 1)

/*
 * An Ed25519 key pair: libsodium's secret key (the seed, then the public
 * key) and the X25519 form of the public key, kept because converting it
 * costs as much as a scalar multiplication (libsodium checks the point).
 */
struct dcrypto_key {
	unsigned char sk[64];
	unsigned char xpk[32];
};

/* What a derived key is for. */
enum dcrypto_purpose {
	DCRYPTO_CONNECTION,	/* the agent's key on its mediator connection */
	DCRYPTO_RECIPIENT,	/* the key it routes through the mediator */
};

/* Initialises libsodium once. Returns 0, or -1 with *cause. */
int dcrypto_init(char **cause);

/*
 * The run key: BLAKE2b of the run id and the seed. The same run id and
 * seed give the same keys (shards of one run share both).
 */
void dcrypto_run_key(const char *run_id, unsigned long long seed,
    unsigned char out[DCRYPTO_RUN_KEY]);

/* Derives agent index's key pair for purpose from the run key into *k. */
void dcrypto_derive(const unsigned char run_key[DCRYPTO_RUN_KEY],
    uint32_t index, enum dcrypto_purpose purpose, struct dcrypto_key *k);

/* The public key of k (borrowed from k). */
const unsigned char *dcrypto_pk(const struct dcrypto_key *k);

/* The X25519 public key of k (borrowed from k). */
const unsigned char *dcrypto_xpk(const struct dcrypto_key *k);

/* The X25519 public key of an Ed25519 one; -1 when it is not a point. */
int dcrypto_x25519_pk(const unsigned char ed[DCRYPTO_PK],
    unsigned char x[DCRYPTO_PK]);

/* The X25519 secret key of k (the caller wipes it after use). */
void dcrypto_x25519_sk(const struct dcrypto_key *k, unsigned char x[32]);

/*
 * Encodes n bytes (n <= DCRYPTO_B58_MAX) as base58 into out (size bytes,
 * NUL-terminated). Returns the length, or 0 when out is too small.
 */
size_t dcrypto_b58_encode(const unsigned char *in, size_t n, char *out,
    size_t size);

/*
 * Decodes base58 text s[0..n) into out (at most size bytes). Returns 0
 * with *len, or -1: a character outside the alphabet, too long, or out
 * too small.
 */
int dcrypto_b58_decode(const char *s, size_t n, unsigned char *out,
    size_t size, size_t *len);

/* The base58 verkey of a public key. */
void dcrypto_verkey(const unsigned char pk[DCRYPTO_PK],
    char out[DCRYPTO_VK_MAX]);

/* The did:key of an Ed25519 public key ("did:key:z6Mk..."). */
void dcrypto_did_key(const unsigned char pk[DCRYPTO_PK],
    char out[DCRYPTO_DIDKEY_MAX]);

/* The Indy-style DID of a public key: base58 of its first 16 bytes. */
void dcrypto_did(const unsigned char pk[DCRYPTO_PK],
    char out[DCRYPTO_DID_MAX]);

/*
 * Reads an Ed25519 public key written as a raw base58 verkey, a did:key,
 * or a did:key with a fragment ("did:key:z...#z..."). Returns 0, or -1.
 */
int dcrypto_key_decode(const char *s, unsigned char pk[DCRYPTO_PK]);

/*
 * Encodes n bytes as base64 (url: the URL-safe alphabet; pad: with '='
 * padding) into out, NUL-terminated; size must be at least
 * DCRYPTO_B64_LEN(n). Returns the length, or 0 when out is too small.
 */
size_t dcrypto_b64_encode(const unsigned char *in, size_t n, int url,
    int pad, char *out, size_t size);

/*
 * Decodes strict base64 s[0..n) of one alphabet (url: URL-safe, else
 * standard) into out (at most size bytes): padding absent or exact, no
 * other character, unused bits zero. Returns 0 with *len, or -1.
 */
int dcrypto_b64_decode(const char *s, size_t n, int url, unsigned char *out,
    size_t size, size_t *len);

/* Message seq of agent index as a UUID-shaped @id, from the run key. */
void dcrypto_msg_id(const unsigned char run_key[DCRYPTO_RUN_KEY],
    uint32_t index, uint32_t seq, char out[DCRYPTO_ID_MAX]);

/* Signs msg with k (Ed25519, 64 bytes into sig). */
void dcrypto_sign(const struct dcrypto_key *k, const void *msg, size_t n,
    unsigned char sig[64]);

/* Whether sig is pk's Ed25519 signature of msg. */
int dcrypto_verify(const unsigned char pk[DCRYPTO_PK], const void *msg,
    size_t n, const unsigned char *sig, size_t siglen);

#endif
