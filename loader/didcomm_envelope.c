/* didcomm_envelope.c: DIDComm v1 pack and unpack (RFC 0019), forward. */
#include "didcomm_envelope.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <sodium.h>

#include "jx.h"
#include "strbuf.h"
#include "util.h"

#define DENV_CEK crypto_aead_chacha20poly1305_ietf_KEYBYTES
#define DENV_IV crypto_aead_chacha20poly1305_ietf_NPUBBYTES
#define DENV_TAG crypto_aead_chacha20poly1305_ietf_ABYTES
#define DENV_BOX_IV crypto_box_NONCEBYTES
#define DENV_AUTH_KEY (crypto_box_MACBYTES + DENV_CEK)	/* 48 */
#define DENV_ANON_KEY (crypto_box_SEALBYTES + DENV_CEK)	/* 80 */
#define DENV_DEPTH 8			/* JSON nesting of an envelope */

/* Appends n bytes as unpadded base64url. */
static void
denv_add_b64(struct strbuf *b, const unsigned char *p, size_t n)
{
	char small[256], *t = DCRYPTO_B64_LEN(n) <= sizeof(small) ? small :
	    util_malloc(DCRYPTO_B64_LEN(n));
	size_t len = dcrypto_b64_encode(p, n, 1, 0, t, DCRYPTO_B64_LEN(n));

	strbuf_add(b, t, len);
	if (t != small)
		free(t);
}

/*
 * Appends the recipients entry of key to: the content key boxed from
 * from (Authcrypt) or sealed (from NULL). -1 when to is not a point.
 */
static int
denv_add_recipient(struct strbuf *b, const unsigned char cek[DENV_CEK],
    const unsigned char to[DCRYPTO_PK], const struct dcrypto_key *from)
{
	unsigned char tx[32], fx[32], nonce[DENV_BOX_IV];
	unsigned char ek[DENV_ANON_KEY];
	unsigned char sealed[crypto_box_SEALBYTES + DCRYPTO_VK_MAX];
	char vk[DCRYPTO_VK_MAX], fvk[DCRYPTO_VK_MAX];
	size_t fn;

	if (dcrypto_x25519_pk(to, tx) == -1)
		return -1;
	dcrypto_verkey(to, vk);
	strbuf_adds(b, "{\"encrypted_key\":\"");
	if (from == NULL) {
		if (crypto_box_seal(ek, cek, DENV_CEK, tx) != 0)
			return -1;
		denv_add_b64(b, ek, DENV_ANON_KEY);
		strbuf_addf(b, "\",\"header\":{\"kid\":\"%s\"}}", vk);
		return 0;
	}
	dcrypto_verkey(dcrypto_pk(from), fvk);
	fn = strlen(fvk);
	dcrypto_x25519_sk(from, fx);
	randombytes_buf(nonce, sizeof(nonce));
	if (crypto_box_easy(ek, cek, DENV_CEK, nonce, tx, fx) != 0 ||
	    crypto_box_seal(sealed, (const unsigned char *)fvk, fn, tx) != 0) {
		sodium_memzero(fx, sizeof(fx));
		return -1;
	}
	sodium_memzero(fx, sizeof(fx));
	denv_add_b64(b, ek, DENV_AUTH_KEY);
	strbuf_addf(b, "\",\"header\":{\"kid\":\"%s\",\"sender\":\"", vk);
	denv_add_b64(b, sealed, crypto_box_SEALBYTES + fn);
	strbuf_adds(b, "\",\"iv\":\"");
	denv_add_b64(b, nonce, sizeof(nonce));
	strbuf_adds(b, "\"}}");
	return 0;
}

/* The protected header for recipients to, base64url, into *prot. */
static int
denv_protected(struct strbuf *prot, const unsigned char cek[DENV_CEK],
    const unsigned char (*to)[DCRYPTO_PK], size_t nto,
    const struct dcrypto_key *from)
{
	struct strbuf p;
	size_t i;
	int rc = 0;

	strbuf_init(&p, 0);
	strbuf_addf(&p, "{\"enc\":\"xchacha20poly1305_ietf\",\"typ\":"
	    "\"JWM/1.0\",\"alg\":\"%s\",\"recipients\":[", from != NULL ?
	    "Authcrypt" : "Anoncrypt");
	for (i = 0; i < nto && rc == 0; i++) {
		if (i > 0)
			strbuf_addc(&p, ',');
		rc = denv_add_recipient(&p, cek, to[i], from);
	}
	strbuf_adds(&p, "]}");
	if (rc == 0)
		denv_add_b64(prot, (const unsigned char *)p.data, p.len);
	strbuf_release(&p);
	return rc;
}

char *
denv_pack(const void *msg, size_t len,
    const unsigned char (*to)[DCRYPTO_PK], size_t nto,
    const struct dcrypto_key *from, size_t *outlen, char **cause)
{
	unsigned char cek[DENV_CEK], iv[DENV_IV], tag[DENV_TAG], *ct;
	struct strbuf prot, env;

	crypto_aead_chacha20poly1305_ietf_keygen(cek);
	randombytes_buf(iv, sizeof(iv));
	strbuf_init(&prot, 0);
	if (nto == 0 || denv_protected(&prot, cek, to, nto, from) == -1) {
		sodium_memzero(cek, sizeof(cek));
		strbuf_release(&prot);
		util_fail(cause, "envelope: %s", nto == 0 ? "no recipient" :
		    "a recipient key is not an Ed25519 public key");
		return NULL;
	}
	ct = util_malloc(len);
	crypto_aead_chacha20poly1305_ietf_encrypt_detached(ct, tag, NULL,
	    msg, len, (const unsigned char *)prot.data, prot.len, NULL, iv,
	    cek);
	sodium_memzero(cek, sizeof(cek));
	strbuf_init(&env, 0);
	strbuf_adds(&env, "{\"protected\":\"");
	strbuf_add(&env, prot.data, prot.len);
	strbuf_adds(&env, "\",\"iv\":\"");
	denv_add_b64(&env, iv, sizeof(iv));
	strbuf_adds(&env, "\",\"ciphertext\":\"");
	denv_add_b64(&env, ct, len);
	strbuf_adds(&env, "\",\"tag\":\"");
	denv_add_b64(&env, tag, sizeof(tag));
	strbuf_adds(&env, "\"}");
	free(ct);
	strbuf_release(&prot);
	*outlen = env.len;
	return strbuf_detach(&env);
}

/* The string member key of o, or NULL (borrowed). */
static const char *
denv_str(struct json_object *o, const char *key)
{
	struct json_object *v = jx_get(o, key);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/*
 * Decodes base64url member key of o into out: exactly want bytes (0: up
 * to size, *got set). Returns 0, or -1 with *cause naming the member.
 */
static int
denv_b64_member(struct json_object *o, const char *key, unsigned char *out,
    size_t size, size_t want, size_t *got, char **cause)
{
	struct json_object *v = jx_get(o, key);
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return util_fail(cause, "envelope: no %s", key);
	if (dcrypto_b64_decode(json_object_get_string(v),
	    (size_t)json_object_get_string_len(v), 1, out, size, &len) == -1 ||
	    (want != 0 && len != want))
		return util_fail(cause, "envelope: %s is not %s", key, want ?
		    "base64url of the right length" : "base64url");
	if (got != NULL)
		*got = len;
	return 0;
}

/*
 * The recipients entry whose kid is vk in the protected header p
 * (borrowed), or NULL with *cause.
 */
static struct json_object *
denv_find(struct json_object *p, const char *vk, char **cause)
{
	struct json_object *rs = jx_get(p, "recipients"), *e;
	size_t i, n = jx_len(rs);

	if (n == 0 || n > DENV_MAX_RECIPIENTS) {
		util_fail(cause, "envelope: %s recipients", n ? "too many" :
		    "no");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		e = jx_at(rs, i);
		if (!jx_is_object(e) || !jx_is_object(jx_get(e, "header"))) {
			util_fail(cause, "envelope: a recipient has no header");
			return NULL;
		}
		if (denv_str(jx_get(e, "header"), "kid") != NULL &&
		    strcmp(denv_str(jx_get(e, "header"), "kid"), vk) == 0)
			return e;
	}
	util_fail(cause, "envelope: not for this agent");
	return NULL;
}

/* Authcrypt: opens the sender's sealed verkey into o->sender. */
static int
denv_open_sender(struct json_object *h, const unsigned char x[32],
    const unsigned char xs[32], struct denv_opened *o, char **cause)
{
	unsigned char sealed[crypto_box_SEALBYTES + DCRYPTO_VK_MAX - 1];
	char vk[DCRYPTO_VK_MAX];
	size_t n;

	if (denv_b64_member(h, "sender", sealed, sizeof(sealed), 0, &n,
	    cause) == -1)
		return -1;
	if (n <= crypto_box_SEALBYTES || crypto_box_seal_open((unsigned char *)
	    vk, sealed, n, x, xs) != 0)
		return util_fail(cause, "envelope: the sender does not open "
		    "(wrong key or damaged)");
	vk[n - crypto_box_SEALBYTES] = '\0';
	if (dcrypto_key_decode(vk, o->sender) == -1 ||
	    strncmp(vk, "did:", 4) == 0)
		return util_fail(cause, "envelope: the sender is not a verkey");
	o->authcrypt = 1;
	return 0;
}

/* Opens the content key of recipients entry r for me into cek. */
static int
denv_open_cek(struct json_object *r, int authcrypt,
    const struct dcrypto_key *me, unsigned char cek[DENV_CEK],
    struct denv_opened *o, char **cause)
{
	struct json_object *h = jx_get(r, "header");
	unsigned char x[32], xs[32], sx[32], ek[DENV_ANON_KEY];
	unsigned char nonce[DENV_BOX_IV];
	int rc = -1;

	if (authcrypt != (jx_get(h, "sender") != NULL) ||
	    authcrypt != (jx_get(h, "iv") != NULL))
		return util_fail(cause, "envelope: %s with%s sender and iv",
		    authcrypt ? "Authcrypt" : "Anoncrypt", authcrypt ? "out" :
		    "");
	memcpy(x, dcrypto_xpk(me), sizeof(x));
	dcrypto_x25519_sk(me, xs);
	if (denv_b64_member(r, "encrypted_key", ek, sizeof(ek), authcrypt ?
	    DENV_AUTH_KEY : DENV_ANON_KEY, NULL, cause) == -1)
		goto out;
	if (!authcrypt) {
		if (crypto_box_seal_open(cek, ek, DENV_ANON_KEY, x, xs) == 0)
			rc = 0;
		else
			util_fail(cause, "envelope: wrong key or damaged "
			    "content key");
		goto out;
	}
	if (denv_open_sender(h, x, xs, o, cause) == -1 ||
	    denv_b64_member(h, "iv", nonce, sizeof(nonce), sizeof(nonce),
	    NULL, cause) == -1)
		goto out;
	if (dcrypto_x25519_pk(o->sender, sx) == -1 ||
	    crypto_box_open_easy(cek, ek, DENV_AUTH_KEY, nonce, sx, xs) != 0)
		util_fail(cause, "envelope: wrong key or damaged content key");
	else
		rc = 0;
out:
	sodium_memzero(xs, sizeof(xs));
	return rc;
}

/* Decodes and parses the protected header prot; the object, or NULL. */
static struct json_object *
denv_header(const char *prot, size_t n, char **cause)
{
	unsigned char *p = util_malloc(n / 4 * 3 + 3);
	struct json_object *h = NULL;
	const char *alg, *enc;
	size_t len;

	if (dcrypto_b64_decode(prot, n, 1, p, n / 4 * 3 + 3, &len) == -1)
		util_fail(cause, "envelope: protected is not base64url");
	else if ((h = jx_parse_depth((const char *)p, len, DENV_DEPTH, NULL)) ==
	    NULL || !jx_is_object(h))
		util_fail(cause, "envelope: protected is not a JSON object");
	else if ((enc = denv_str(h, "enc")) == NULL ||
	    strcmp(enc, "xchacha20poly1305_ietf") != 0)
		util_fail(cause, "envelope: enc is not xchacha20poly1305_ietf");
	else if ((alg = denv_str(h, "alg")) == NULL ||
	    (strcmp(alg, "Authcrypt") != 0 && strcmp(alg, "Anoncrypt") != 0))
		util_fail(cause, "envelope: alg is neither Authcrypt nor "
		    "Anoncrypt");
	else {
		free(p);
		return h;
	}
	json_object_put(h);
	free(p);
	return NULL;
}

/* Decrypts the payload of envelope e (header text prot) under cek. */
static int
denv_payload(struct json_object *e, const char *prot, size_t pn,
    const unsigned char cek[DENV_CEK], struct denv_opened *o, char **cause)
{
	unsigned char iv[DENV_IV], tag[DENV_TAG], *ct;
	size_t cn = (size_t)json_object_get_string_len(jx_get(e,
	    "ciphertext")), n;

	if (denv_b64_member(e, "iv", iv, sizeof(iv), sizeof(iv), NULL,
	    cause) == -1 || denv_b64_member(e, "tag", tag, sizeof(tag),
	    sizeof(tag), NULL, cause) == -1)
		return -1;
	ct = util_malloc(cn / 4 * 3 + 3);
	if (denv_b64_member(e, "ciphertext", ct, cn / 4 * 3 + 3, 0, &n,
	    cause) == -1) {
		free(ct);
		return -1;
	}
	o->msg = util_malloc(n + 1);
	if (crypto_aead_chacha20poly1305_ietf_decrypt_detached(
	    (unsigned char *)o->msg, NULL, ct, n, tag,
	    (const unsigned char *)prot, pn, iv, cek) != 0) {
		free(ct);
		return util_fail(cause, "envelope: payload does not "
		    "authenticate (damaged or truncated)");
	}
	free(ct);
	o->msg[n] = '\0';
	o->len = n;
	return 0;
}

int
denv_unpack(const char *buf, size_t len, const struct dcrypto_key *me,
    struct denv_opened *out, char **cause)
{
	struct json_object *e = NULL, *h = NULL, *r;
	unsigned char cek[DENV_CEK];
	char vk[DCRYPTO_VK_MAX];
	const char *prot;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (len > DENV_MAX)
		return util_fail(cause, "envelope: over %u bytes", DENV_MAX);
	e = jx_parse_depth(buf, len, DENV_DEPTH, NULL);
	if (!jx_is_object(e) || (prot = denv_str(e, "protected")) == NULL) {
		util_fail(cause, "envelope: %s", e == NULL ? "not JSON "
		    "(damaged or truncated)" : "no protected header");
		goto out;
	}
	h = denv_header(prot, (size_t)json_object_get_string_len(jx_get(e,
	    "protected")), cause);
	dcrypto_verkey(dcrypto_pk(me), vk);
	if (h == NULL || (r = denv_find(h, vk, cause)) == NULL ||
	    denv_open_cek(r, strcmp(denv_str(h, "alg"), "Authcrypt") == 0, me,
	    cek, out, cause) == -1)
		goto out;
	rc = denv_payload(e, prot, (size_t)json_object_get_string_len(
	    jx_get(e, "protected")), cek, out, cause);
	sodium_memzero(cek, sizeof(cek));
out:
	json_object_put(h);
	json_object_put(e);
	if (rc == -1)
		denv_opened_release(out);
	return rc;
}

void
denv_opened_release(struct denv_opened *o)
{
	if (o == NULL)
		return;
	if (o->msg != NULL)
		sodium_memzero(o->msg, o->len);
	free(o->msg);
	memset(o, 0, sizeof(*o));
}

char *
denv_forward_route(const char *env, size_t len,
    const unsigned char to[DCRYPTO_PK],
    const unsigned char routing[DCRYPTO_PK], const char *id, int rr,
    size_t *outlen, char **cause)
{
	struct strbuf f;
	char vk[DCRYPTO_VK_MAX], *out;

	dcrypto_verkey(to, vk);
	strbuf_init(&f, 0);
	strbuf_addf(&f, "{\"@type\":\"https://didcomm.org/routing/1.0/"
	    "forward\",\"@id\":\"%s\",\"to\":\"%s\",%s\"msg\":", id, vk,
	    rr ? "\"~transport\":{\"return_route\":\"all\"}," : "");
	strbuf_add(&f, env, len);
	strbuf_addc(&f, '}');
	out = denv_pack(f.data, f.len, (const unsigned char (*)[32])routing,
	    1, NULL, outlen, cause);
	strbuf_release(&f);
	return out;
}

char *
denv_forward(const char *env, size_t len,
    const unsigned char to[DCRYPTO_PK],
    const unsigned char routing[DCRYPTO_PK], const char *id,
    size_t *outlen, char **cause)
{
	return denv_forward_route(env, len, to, routing, id, 0, outlen,
	    cause);
}
