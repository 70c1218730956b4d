/*
 * fuzz_didcomm_envelope.c: DIDComm v1 envelopes (loader/didcomm_envelope.c)
 * as a mediator hands them to an edge agent. The harness holds fixed key
 * pairs (ME and OTHER receive; A, ME and OTHER send) and packs envelopes
 * itself, so the fuzzer reaches the decrypt paths. The first byte chooses:
 *
 *   even: the rest is an envelope, unpacked for ME and for OTHER;
 *   1 mod 4: plaintext, "\n=====\n", edits: packed (sender and recipients
 *         from the first byte), unpacked, edited, unpacked again;
 *   3 mod 4: the same through a routing/1.0 forward (denv_forward) for
 *         OTHER, routed by ME.
 *
 * Edits are 4 bytes each (offset high, offset low, operation, byte):
 * replace, delete or insert one byte of the packed envelope.
 *
 * Oracles: a packed envelope unpacks for each recipient into its
 * plaintext and sender (a forward into its "to" and the very inner
 * envelope), and not for a key it was not packed for; an edited envelope
 * that still unpacks gives the same plaintext and the same sender, since
 * the crypto binds them; every plaintext the harness packs ends with a
 * keyed tag of its sender and text, so an envelope of any input that
 * unpacks must carry a tag for the sender unpack reports (a forged or
 * swapped sender shows); a refusal says why, in printable ASCII.
 *
 * libsodium draws its randomness from a generator seeded afresh for each
 * input, so a run is reproducible. FUZZ_DENV_DUMP=FILE writes the last
 * envelope packed (with its leading byte 0) for tests/fuzz/seeds.py.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "didcomm_envelope.h"
#include "util.h"

#define FUZZ_TAG 16		/* tag bytes; written as 32 hex digits */

enum { ANON, KEY_A, KEY_ME, KEY_OTHER, NKEYS };

static struct dcrypto_key fuzz_keys[NKEYS];
static unsigned char fuzz_tag_key[32];
static uint64_t fuzz_rng;

/* A reproducible stand-in for the system's randomness (splitmix64). */
static uint32_t
fuzz_random(void)
{
	uint64_t z = (fuzz_rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (uint32_t)(z ^ (z >> 31));
}

static void
fuzz_random_buf(void *buf, size_t n)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)fuzz_random();
}

static const char *
fuzz_random_name(void)
{
	return "fuzz-splitmix64";
}

static struct randombytes_implementation fuzz_randombytes = {
	.implementation_name = fuzz_random_name,
	.random = fuzz_random,
	.buf = fuzz_random_buf,
};

/* Sets the generator and the keys up, once. */
static void
fuzz_setup(void)
{
	static int done;
	unsigned char run[DCRYPTO_RUN_KEY];
	char *cause = NULL;
	int i;

	if (done)
		return;
	done = 1;
	randombytes_set_implementation(&fuzz_randombytes);
	if (dcrypto_init(&cause) == -1)
		fuzzlib_fail("setup", cause);
	dcrypto_run_key("fuzz-didcomm", 1, run);
	for (i = KEY_A; i < NKEYS; i++)
		dcrypto_derive(run, (uint32_t)i, DCRYPTO_RECIPIENT,
		    &fuzz_keys[i]);
	crypto_generichash(fuzz_tag_key, sizeof(fuzz_tag_key), run,
	    sizeof(run), NULL, 0);
}

/* The hex tag of text[0..n) from sender s, into out (33 bytes). */
static void
fuzz_tag(int s, const char *text, size_t n, char out[2 * FUZZ_TAG + 1])
{
	crypto_generichash_state st;
	unsigned char h[FUZZ_TAG], b = (unsigned char)s;

	crypto_generichash_init(&st, fuzz_tag_key, sizeof(fuzz_tag_key),
	    sizeof(h));
	crypto_generichash_update(&st, &b, 1);
	crypto_generichash_update(&st, (const unsigned char *)text, n);
	crypto_generichash_final(&st, h, sizeof(h));
	sodium_bin2hex(out, 2 * FUZZ_TAG + 1, h, sizeof(h));
}

/* The sender an opened envelope names: ANON, a harness key, or -1. */
static int
fuzz_sender(const struct denv_opened *o)
{
	int i;

	if (!o->authcrypt)
		return ANON;
	for (i = KEY_A; i < NKEYS; i++)
		if (memcmp(o->sender, dcrypto_pk(&fuzz_keys[i]),
		    DCRYPTO_PK) == 0)
			return i;
	return -1;
}

/* A refusal must say why, printably. */
static void
fuzz_cause(const char *cause)
{
	size_t i;

	if (cause == NULL || strncmp(cause, "envelope: ", 10) != 0)
		fuzzlib_fail("a refusal without an envelope: reason", cause);
	for (i = 0; cause[i] != '\0'; i++)
		if ((unsigned char)cause[i] < 0x20 || cause[i] == 0x7f)
			fuzzlib_fail("a refusal with a control character",
			    cause);
}

/* Unpacks env for key k: 0 with *o, or -1 (the reason checked). */
static int
fuzz_unpack(const char *env, size_t n, int k, struct denv_opened *o)
{
	char *cause = NULL;

	if (denv_unpack(env, n, &fuzz_keys[k], o, &cause) == 0)
		return 0;
	fuzz_cause(cause);
	free(cause);
	return -1;
}

/* Any envelope that opens carries the tag of the sender it names. */
static void
fuzz_raw(const char *env, size_t n)
{
	struct denv_opened o;
	char tag[2 * FUZZ_TAG + 1];
	int k, s;

	for (k = KEY_ME; k <= KEY_OTHER; k++) {
		if (fuzz_unpack(env, n, k, &o) == -1)
			continue;
		s = fuzz_sender(&o);
		if (s < 0)
			fuzzlib_fail("opened from a sender the harness never "
			    "packed for", o.msg);
		if (o.len < 2 * FUZZ_TAG)
			fuzzlib_fail("opened a plaintext the harness never "
			    "packed", o.msg);
		fuzz_tag(s, o.msg, o.len - 2 * FUZZ_TAG, tag);
		if (memcmp(tag, o.msg + o.len - 2 * FUZZ_TAG, 2 * FUZZ_TAG))
			fuzzlib_fail("opened with a sender or text other than "
			    "packed", o.msg);
		denv_opened_release(&o);
	}
}



/* o opened as msg[0..n) from sender s. */
static int
fuzz_same(const struct denv_opened *o, const char *msg, size_t n, int s)
{
	return o->len == n && memcmp(o->msg, msg, n) == 0 &&
	    fuzz_sender(o) == s;
}

/*
 * Checks env[0..n), packed from s for keys to[0..nto) with plaintext
 * msg[0..mn): it opens for each of them and not for A (never one).
 */
static void
fuzz_opens(const char *env, size_t n, int s, const int *to, size_t nto,
    const char *msg, size_t mn)
{
	struct denv_opened o;
	size_t i;

	for (i = 0; i < nto; i++) {
		if (fuzz_unpack(env, n, to[i], &o) == -1)
			fuzzlib_fail("a packed envelope does not open", env);
		if (!fuzz_same(&o, msg, mn, s))
			fuzzlib_fail("a packed envelope opens as another "
			    "text or sender", env);
		denv_opened_release(&o);
	}
	if (fuzz_unpack(env, n, KEY_A, &o) == 0)
		fuzzlib_fail("an envelope opens for a key it was not packed "
		    "for", env);
}

/* Packs msg (tagged) from s for to[0..nto); NULL on a refusal. */
static char *
fuzz_pack(const char *text, size_t tn, int s, const int *to, size_t nto,
    char **msg, size_t *mn, size_t *n)
{
	unsigned char pks[2][DCRYPTO_PK];
	char tag[2 * FUZZ_TAG + 1], *cause = NULL, *env;
	size_t i;

	fuzz_tag(s, text, tn, tag);
	*mn = tn + 2 * FUZZ_TAG;
	*msg = util_malloc(*mn + 1);
	memcpy(*msg, text, tn);
	memcpy(*msg + tn, tag, 2 * FUZZ_TAG + 1);
	for (i = 0; i < nto; i++)
		memcpy(pks[i], dcrypto_pk(&fuzz_keys[to[i]]), DCRYPTO_PK);
	env = denv_pack(*msg, *mn, (const unsigned char (*)[DCRYPTO_PK])pks,
	    nto, s == ANON ? NULL : &fuzz_keys[s], n, &cause);
	if (env == NULL)
		fuzzlib_fail("a harness key refused", cause);
	return env;
}

/* Mode 1: pack, check, edit, check again. */
static void
fuzz_packed(uint8_t mode, const uint8_t *text, size_t tn,
    const uint8_t *edits, size_t en)
{
	static const int both[2] = { KEY_ME, KEY_OTHER };
	int s = (mode >> 2) % NKEYS;
	size_t nto = mode & 0x10 ? 2 : 1, mn, n;
	char *msg, *env = fuzz_pack((const char *)text, tn, s, both, nto,
	    &msg, &mn, &n);
	struct denv_opened o;

	fuzzlib_dump("FUZZ_DENV_DUMP", 0, env, n);
	fuzz_opens(env, n, s, both, nto, msg, mn);
	fuzzlib_edit(&env, &n, edits, en);
	if (fuzz_unpack(env, n, KEY_ME, &o) == 0) {
		if (!fuzz_same(&o, msg, mn, s))
			fuzzlib_fail("an edited envelope opens as another "
			    "text or sender", env);
		denv_opened_release(&o);
	}
	free(env);
	free(msg);
}

/* The forward message opened: to OTHER, msg the very inner envelope. */
static void
fuzz_forward_check(const struct denv_opened *o, const char *in, size_t n)
{
	struct json_object *f = json_tokener_parse(o->msg), *inner;
	char vk[DCRYPTO_VK_MAX], *copy = util_strndup(in, n);
	const char *to;

	dcrypto_verkey(dcrypto_pk(&fuzz_keys[KEY_OTHER]), vk);
	inner = json_tokener_parse(copy);
	to = json_object_get_string(json_object_object_get(f, "to"));
	if (f == NULL || inner == NULL || to == NULL || strcmp(to, vk) != 0 ||
	    !json_object_equal(json_object_object_get(f, "msg"), inner))
		fuzzlib_fail("a forward that does not carry its envelope",
		    o->msg);
	json_object_put(f);
	json_object_put(inner);
	free(copy);
}

/* Mode 3: a forward to OTHER through ME, then edited. */
static void
fuzz_forwarded(const uint8_t *text, size_t tn, const uint8_t *edits,
    size_t en)
{
	static const int other[1] = { KEY_OTHER };
	char *msg, *env, *fwd, *cause = NULL;
	size_t mn, n, fn;
	struct denv_opened o, again;

	env = fuzz_pack((const char *)text, tn, KEY_A, other, 1, &msg, &mn,
	    &n);
	fwd = denv_forward(env, n, dcrypto_pk(&fuzz_keys[KEY_OTHER]),
	    dcrypto_pk(&fuzz_keys[KEY_ME]), "fwd-1", &fn, &cause);
	if (fwd == NULL || fuzz_unpack(fwd, fn, KEY_ME, &o) == -1 ||
	    o.authcrypt)
		fuzzlib_fail("a forward does not open for its router", cause);
	fuzz_forward_check(&o, env, n);
	fuzzlib_dump("FUZZ_DENV_DUMP", 0, fwd, fn);
	fuzzlib_edit(&fwd, &fn, edits, en);
	if (fuzz_unpack(fwd, fn, KEY_ME, &again) == 0) {
		if (!fuzz_same(&again, o.msg, o.len, ANON))
			fuzzlib_fail("an edited forward opens as another "
			    "text", fwd);
		denv_opened_release(&again);
	}
	denv_opened_release(&o);
	free(fwd);
	free(env);
	free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *text, *edits = NULL;
	size_t tn, en = 0;
	uint8_t mode;

	fuzz_setup();
	fuzz_rng = 0x6d65646c6f6164ULL;	/* the same draws for each input */
	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	if ((mode & 1) == 0) {
		fuzz_raw((const char *)data, size);
		return 0;
	}
	if (fuzzlib_next(&data, &size, &text, &tn) == -1)
		text = data, tn = 0;
	fuzzlib_next(&data, &size, &edits, &en);
	if ((mode & 3) == 1)
		fuzz_packed(mode, text, tn, edits, en);
	else
		fuzz_forwarded(text, tn, edits, en);
	return 0;
}
