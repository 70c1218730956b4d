/*
 * fuzz_didcomm_crypto.c: the decoders of loader/didcomm_crypto.c that read
 * what mediators send (base58 verkeys, did:key, base64 and base64url),
 * each input used as text to decode and as bytes to encode. Oracles, all
 * round trips: every text a strict decoder accepts is the canonical
 * encoding of what it decoded (encode(decode(s)) == s, padding as given);
 * decode(encode(x)) == x for base58 (up to DCRYPTO_B58_MAX bytes) and both
 * base64 alphabets, padded or not; a key read from a verkey or did:key
 * writes back as the same text; the did:key and verkey of any 32 bytes
 * read back as those bytes.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include "didcomm_crypto.h"
#include "util.h"

/* base58: text s[0..n) and bytes s[0..n) both ways. */
static void
fuzz_b58(const char *s, size_t n)
{
	unsigned char out[DCRYPTO_B58_MAX];
	char back[DCRYPTO_B58_MAX * 2];
	size_t len, m;

	if (dcrypto_b58_decode(s, n, out, sizeof(out), &len) == 0) {
		m = dcrypto_b58_encode(out, len, back, sizeof(back));
		if (m != n || memcmp(back, s, n) != 0)
			fuzzlib_fail("base58: accepted text that is not the "
			    "encoding of what it decoded", s);
	}
	if (n > DCRYPTO_B58_MAX)
		return;
	m = dcrypto_b58_encode((const unsigned char *)s, n, back,
	    sizeof(back));
	if (m == 0 && n > 0)
		fuzzlib_fail("base58: no room to encode", s);
	if (dcrypto_b58_decode(back, m, out, sizeof(out), &len) == -1 ||
	    len != n || memcmp(out, s, n) != 0)
		fuzzlib_fail("base58: decode(encode(x)) is not x", back);
}

/* base64 of one alphabet: text s[0..n) and bytes s[0..n) both ways. */
static void
fuzz_b64(const char *s, size_t n, int url)
{
	size_t size = DCRYPTO_B64_LEN(n), len, m;
	unsigned char *out = util_malloc(size);
	char *back = util_malloc(size + 4);
	int pad;

	if (dcrypto_b64_decode(s, n, url, out, size, &len) == 0) {
		m = dcrypto_b64_encode(out, len, url, n > 0 &&
		    s[n - 1] == '=', back, size + 4);
		if (m != n || memcmp(back, s, n) != 0)
			fuzzlib_fail(url ? "base64url: accepted text that is "
			    "not canonical" : "base64: accepted text that is "
			    "not canonical", s);
	}
	for (pad = 0; pad <= 1; pad++) {
		m = dcrypto_b64_encode((const unsigned char *)s, n, url, pad,
		    back, size);
		if (dcrypto_b64_decode(back, m, url, out, size, &len) == -1 ||
		    len != n || memcmp(out, s, n) != 0)
			fuzzlib_fail("base64: decode(encode(x)) is not x",
			    back);
	}
	free(out);
	free(back);
}

/* did:key and verkeys: s read as a key, and its first 32 bytes as one. */
static void
fuzz_keys(const char *s, size_t n)
{
	unsigned char pk[DCRYPTO_PK], again[DCRYPTO_PK];
	char dk[DCRYPTO_DIDKEY_MAX], vk[DCRYPTO_VK_MAX];
	const char *hash;
	size_t idn;

	if (dcrypto_key_decode(s, pk) == 0) {
		if (strncmp(s, "did:key:", 8) == 0) {
			dcrypto_did_key(pk, dk);
			hash = strchr(s, '#');
			idn = hash ? (size_t)(hash - s) : strlen(s);
			if (idn != strlen(dk) || strncmp(s, dk, idn) != 0)
				fuzzlib_fail("did:key: read a key that "
				    "writes back differently", s);
		} else {
			dcrypto_verkey(pk, vk);
			if (strcmp(vk, s) != 0)
				fuzzlib_fail("verkey: read a key that writes "
				    "back differently", s);
		}
	}
	if (n < DCRYPTO_PK)
		return;
	dcrypto_did_key((const unsigned char *)s, dk);
	if (dcrypto_key_decode(dk, again) == -1 ||
	    memcmp(again, s, DCRYPTO_PK) != 0)
		fuzzlib_fail("did:key: does not read back", dk);
	dcrypto_verkey((const unsigned char *)s, vk);
	if (dcrypto_key_decode(vk, again) == -1 ||
	    memcmp(again, s, DCRYPTO_PK) != 0)
		fuzzlib_fail("verkey: does not read back", vk);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzzlib_cstr(data, size);

	fuzz_b58(s, size);
	fuzz_b64(s, size, 1);
	fuzz_b64(s, size, 0);
	fuzz_keys(s, size);
	free(s);
	return 0;
}
