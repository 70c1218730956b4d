/* didcomm_crypto.c: edge agents' keys, base58, base64, did:key, ids. */
#include "didcomm_crypto.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

static const char dcrypto_b58_alpha[] =
    "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
static const char dcrypto_b64_std[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char dcrypto_b64_url[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Base58 digits of DCRYPTO_B58_MAX bytes: log(256) / log(58) < 1.38. */
#define DCRYPTO_B58_DIGITS (DCRYPTO_B58_MAX * 138 / 100 + 1)

int
dcrypto_init(char **cause)
{
	if (sodium_init() < 0)
		return util_fail(cause, "libsodium: initialisation failed");
	return 0;
}

void
dcrypto_run_key(const char *run_id, unsigned long long seed,
    unsigned char out[DCRYPTO_RUN_KEY])
{
	crypto_generichash_state st;
	unsigned char s[8];
	size_t i;

	for (i = 0; i < sizeof(s); i++)
		s[i] = (unsigned char)(seed >> (8 * i));
	crypto_generichash_init(&st, NULL, 0, DCRYPTO_RUN_KEY);
	crypto_generichash_update(&st, (const unsigned char *)"medload-edge/1",
	    15);
	crypto_generichash_update(&st, s, sizeof(s));
	crypto_generichash_update(&st, (const unsigned char *)run_id,
	    strlen(run_id));
	crypto_generichash_final(&st, out, DCRYPTO_RUN_KEY);
}

/* Writes v little-endian into p[0..4). */
static void
dcrypto_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

void
dcrypto_derive(const unsigned char run_key[DCRYPTO_RUN_KEY],
    uint32_t index, enum dcrypto_purpose purpose, struct dcrypto_key *k)
{
	unsigned char in[13] = "key", seed[crypto_sign_SEEDBYTES];
	unsigned char pk[crypto_sign_PUBLICKEYBYTES];

	dcrypto_le32(in + 5, index);
	dcrypto_le32(in + 9, (uint32_t)purpose);
	crypto_generichash(seed, sizeof(seed), in, sizeof(in), run_key,
	    DCRYPTO_RUN_KEY);
	crypto_sign_seed_keypair(pk, k->sk, seed);
	sodium_memzero(seed, sizeof(seed));
	/* a key made from a seed is a valid point: this cannot fail */
	if (crypto_sign_ed25519_pk_to_curve25519(k->xpk, pk) != 0)
		memset(k->xpk, 0, sizeof(k->xpk));
}

const unsigned char *
dcrypto_pk(const struct dcrypto_key *k)
{
	return k->sk + 32;
}

const unsigned char *
dcrypto_xpk(const struct dcrypto_key *k)
{
	return k->xpk;
}

int
dcrypto_x25519_pk(const unsigned char ed[DCRYPTO_PK],
    unsigned char x[DCRYPTO_PK])
{
	return crypto_sign_ed25519_pk_to_curve25519(x, ed) == 0 ? 0 : -1;
}

void
dcrypto_x25519_sk(const struct dcrypto_key *k, unsigned char x[32])
{
	crypto_sign_ed25519_sk_to_curve25519(x, k->sk);
}

size_t
dcrypto_b58_encode(const unsigned char *in, size_t n, char *out,
    size_t size)
{
	unsigned char d[DCRYPTO_B58_DIGITS];	/* little-endian digits */
	size_t zeros = 0, nd = 0, i, j;

	if (n > DCRYPTO_B58_MAX)
		return 0;
	while (zeros < n && in[zeros] == 0)
		zeros++;
	for (i = zeros; i < n; i++) {
		unsigned carry = in[i];

		for (j = 0; j < nd; j++) {
			carry += (unsigned)d[j] << 8;
			d[j] = (unsigned char)(carry % 58);
			carry /= 58;
		}
		for (; carry > 0; carry /= 58)
			d[nd++] = (unsigned char)(carry % 58);
	}
	if (zeros + nd + 1 > size)
		return 0;
	memset(out, '1', zeros);
	for (j = 0; j < nd; j++)
		out[zeros + j] = dcrypto_b58_alpha[d[nd - 1 - j]];
	out[zeros + nd] = '\0';
	return zeros + nd;
}

/* The value of base58 digit c, or -1. */
static int
dcrypto_b58_value(char c)
{
	const char *p;

	if (c == '\0' || (p = strchr(dcrypto_b58_alpha, c)) == NULL)
		return -1;
	return (int)(p - dcrypto_b58_alpha);
}

int
dcrypto_b58_decode(const char *s, size_t n, unsigned char *out,
    size_t size, size_t *len)
{
	unsigned char b[DCRYPTO_B58_MAX];	/* little-endian bytes */
	size_t zeros = 0, nb = 0, i, j;

	if (n > DCRYPTO_B58_DIGITS)
		return -1;
	while (zeros < n && s[zeros] == '1')
		zeros++;
	for (i = zeros; i < n; i++) {
		int v = dcrypto_b58_value(s[i]);
		unsigned carry;

		if (v < 0)
			return -1;
		carry = (unsigned)v;
		for (j = 0; j < nb; j++) {
			carry += (unsigned)b[j] * 58u;
			b[j] = (unsigned char)carry;
			carry >>= 8;
		}
		for (; carry > 0; carry >>= 8) {
			if (nb == sizeof(b))
				return -1;
			b[nb++] = (unsigned char)carry;
		}
	}
	if (zeros + nb > size)
		return -1;
	memset(out, 0, zeros);
	for (j = 0; j < nb; j++)
		out[zeros + j] = b[nb - 1 - j];
	*len = zeros + nb;
	return 0;
}

void
dcrypto_verkey(const unsigned char pk[DCRYPTO_PK], char out[DCRYPTO_VK_MAX])
{
	dcrypto_b58_encode(pk, DCRYPTO_PK, out, DCRYPTO_VK_MAX);
}

void
dcrypto_did_key(const unsigned char pk[DCRYPTO_PK],
    char out[DCRYPTO_DIDKEY_MAX])
{
	unsigned char mc[2 + DCRYPTO_PK] = { 0xed, 0x01 };

	memcpy(mc + 2, pk, DCRYPTO_PK);
	memcpy(out, "did:key:z", 9);
	dcrypto_b58_encode(mc, sizeof(mc), out + 9, DCRYPTO_DIDKEY_MAX - 9);
}

void
dcrypto_did(const unsigned char pk[DCRYPTO_PK], char out[DCRYPTO_DID_MAX])
{
	dcrypto_b58_encode(pk, 16, out, DCRYPTO_DID_MAX);
}

/* Reads "did:key:z<b58>" (an optional "#z<b58>" the same) into pk. */
static int
dcrypto_did_key_decode(const char *s, unsigned char pk[DCRYPTO_PK])
{
	unsigned char mc[2 + DCRYPTO_PK];
	const char *id = s + 9, *frag = strchr(id, '#');
	size_t n = frag != NULL ? (size_t)(frag - id) : strlen(id), len;

	if (frag != NULL && (frag[1] != 'z' || strlen(frag + 2) != n ||
	    strncmp(frag + 2, id, n) != 0))
		return -1;
	if (dcrypto_b58_decode(id, n, mc, sizeof(mc), &len) == -1 ||
	    len != sizeof(mc) || mc[0] != 0xed || mc[1] != 0x01)
		return -1;
	memcpy(pk, mc + 2, DCRYPTO_PK);
	return 0;
}

int
dcrypto_key_decode(const char *s, unsigned char pk[DCRYPTO_PK])
{
	size_t len;

	if (s == NULL)
		return -1;
	if (strncmp(s, "did:key:z", 9) == 0)
		return dcrypto_did_key_decode(s, pk);
	if (dcrypto_b58_decode(s, strlen(s), pk, DCRYPTO_PK, &len) == -1 ||
	    len != DCRYPTO_PK)
		return -1;
	return 0;
}

size_t
dcrypto_b64_encode(const unsigned char *in, size_t n, int url, int pad,
    char *out, size_t size)
{
	const char *a = url ? dcrypto_b64_url : dcrypto_b64_std;
	size_t i, o = 0;

	if (size < DCRYPTO_B64_LEN(n))
		return 0;
	for (i = 0; i + 2 < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 |
		    in[i + 2];

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		out[o++] = a[(v >> 6) & 63];
		out[o++] = a[v & 63];
	}
	if (i < n) {
		uint32_t v = (uint32_t)in[i] << 16 | (i + 1 < n ?
		    (uint32_t)in[i + 1] << 8 : 0);

		out[o++] = a[v >> 18];
		out[o++] = a[(v >> 12) & 63];
		if (i + 1 < n)
			out[o++] = a[(v >> 6) & 63];
		else if (pad)
			out[o++] = '=';
		if (pad)
			out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

int
dcrypto_b64_decode(const char *s, size_t n, int url, unsigned char *out,
    size_t size, size_t *len)
{
	size_t m = n, i, o = 0;
	uint32_t acc = 0;
	unsigned bits = 0;

	if (n >= 1 && s[n - 1] == '=')
		m = n >= 2 && s[n - 2] == '=' ? n - 2 : n - 1;
	if (m % 4 == 1 || (m != n && (n % 4 != 0 || (n - m) != 4 - m % 4)))
		return -1;
	if (m / 4 * 3 + (m % 4 ? m % 4 - 1 : 0) > size)
		return -1;
	for (i = 0; i < m; i++) {
		int v = util_b64_value((unsigned char)s[i], url, !url);

		if (v < 0)
			return -1;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)	/* stray bits in the last character */
		return -1;
	*len = o;
	return 0;
}

void
dcrypto_msg_id(const unsigned char run_key[DCRYPTO_RUN_KEY],
    uint32_t index, uint32_t seq, char out[DCRYPTO_ID_MAX])
{
	unsigned char in[10] = "id", h[16];

	dcrypto_le32(in + 2, index);
	dcrypto_le32(in + 6, seq);
	crypto_generichash(h, sizeof(h), in, sizeof(in), run_key,
	    DCRYPTO_RUN_KEY);
	h[6] = (unsigned char)((h[6] & 0x0f) | 0x40);
	h[8] = (unsigned char)((h[8] & 0x3f) | 0x80);
	snprintf(out, DCRYPTO_ID_MAX, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", h[0], h[1], h[2], h[3], h[4],
	    h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12], h[13], h[14],
	    h[15]);
}

void
dcrypto_sign(const struct dcrypto_key *k, const void *msg, size_t n,
    unsigned char sig[64])
{
	crypto_sign_detached(sig, NULL, msg, n, k->sk);
}

int
dcrypto_verify(const unsigned char pk[DCRYPTO_PK], const void *msg,
    size_t n, const unsigned char *sig, size_t siglen)
{
	return siglen == crypto_sign_BYTES &&
	    crypto_sign_verify_detached(sig, msg, n, pk) == 0;
}
