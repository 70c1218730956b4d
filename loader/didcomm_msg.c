/* didcomm_msg.c: an edge agent's messages to a mediator and its answers. */
#include "didcomm_msg.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "util.h"

#define DMSG_PREFIX "https://didcomm.org/"
#define DMSG_OLD_PREFIX "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/"
#define DMSG_DEPTH 16		/* JSON nesting of an answer */
#define DMSG_DOC_MAX 65536	/* a DID document, bytes */
#define DMSG_ENDPOINT_MAX 2048

/* The string member key of o, or NULL (borrowed). */
static const char *
dmsg_str(const struct json_object *o, const char *key)
{
	struct json_object *v = jx_get(o, key);

	return json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* Copies outside text s into buf, printable ASCII only, for a message. */
static const char *
dmsg_clean(const char *s, char *buf, size_t size)
{
	size_t i, n = 0;

	for (i = 0; s != NULL && s[i] != '\0' && n + 1 < size; i++)
		buf[n++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	buf[n] = '\0';
	return buf;
}

/* Type t without its prefix ("trust_ping/1.0/ping"), or NULL. */
static const char *
dmsg_short_type(const char *t)
{
	if (t == NULL)
		return NULL;
	if (strncmp(t, DMSG_PREFIX, strlen(DMSG_PREFIX)) == 0)
		return t + strlen(DMSG_PREFIX);
	if (strncmp(t, DMSG_OLD_PREFIX, strlen(DMSG_OLD_PREFIX)) == 0)
		return t + strlen(DMSG_OLD_PREFIX);
	return NULL;
}

/* Adds string member key = v to o. */
static void
dmsg_add(struct json_object *o, const char *key, const char *v)
{
	json_object_object_add(o, key, json_object_new_string(v));
}

struct json_object *
dmsg_new(const char *t, const char *id)
{
	struct json_object *o = json_object_new_object();
	char type[160];

	snprintf(type, sizeof(type), "%s%s", DMSG_PREFIX, t);
	dmsg_add(o, "@type", type);
	dmsg_add(o, "@id", id);
	return o;
}

char *
dmsg_finish(struct json_object *o)
{
	struct json_object *tr = json_object_new_object();
	char *s;

	dmsg_add(tr, "return_route", "all");
	json_object_object_add(o, "~transport", tr);
	s = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

const char *
dmsg_handshake_type(enum dmsg_handshake h, const char *name)
{
	static char buf[3][64];

	snprintf(buf[h], sizeof(buf[h]), "%s/%s", h == DMSG_CONNECTIONS ?
	    "connections/1.0" : h == DMSG_DIDX_10 ? "didexchange/1.0" :
	    "didexchange/1.1", name);
	return buf[h];
}

/* The handshake of out-of-band invitation o: the best one it offers. */
static int
dmsg_pick_handshake(struct json_object *o, enum dmsg_handshake *h)
{
	struct json_object *hp = jx_get(o, "handshake_protocols");
	int best = -1;
	size_t i;

	for (i = 0; i < jx_len(hp); i++) {
		const char *t = dmsg_short_type(jx_str(jx_at(hp, i), NULL));

		if (t == NULL)
			continue;
		if (strcmp(t, "didexchange/1.1") == 0)
			best = DMSG_DIDX_11;
		else if (strcmp(t, "didexchange/1.0") == 0 && best !=
		    DMSG_DIDX_11)
			best = DMSG_DIDX_10;
		else if (strcmp(t, "connections/1.0") == 0 && best < 0)
			best = DMSG_CONNECTIONS;
	}
	if (best < 0)
		return -1;
	*h = (enum dmsg_handshake)best;
	return 0;
}

/* Reads the service s (recipientKeys, routingKeys, serviceEndpoint). */
static int
dmsg_service(struct json_object *s, struct dmsg_invitation *inv,
    char **cause)
{
	struct json_object *rk = jx_get(s, "routingKeys");
	const char *ep = dmsg_str(s, "serviceEndpoint");
	size_t i;

	if (dcrypto_key_decode(jx_str(jx_at(jx_get(s, "recipientKeys"), 0),
	    NULL), inv->key) == -1)
		return util_fail(cause, "invitation: no usable recipientKeys");
	if (ep == NULL || strlen(ep) > DMSG_ENDPOINT_MAX)
		return util_fail(cause, "invitation: no usable "
		    "serviceEndpoint");
	if (jx_len(rk) > DMSG_MAX_ROUTING)
		return util_fail(cause, "invitation: over %d routingKeys",
		    DMSG_MAX_ROUTING);
	for (i = 0; i < jx_len(rk); i++)
		if (dcrypto_key_decode(jx_str(jx_at(rk, i), NULL),
		    inv->routing[i]) == -1)
			return util_fail(cause, "invitation: a routing key is "
			    "not a verkey or did:key");
	inv->nrouting = jx_len(rk);
	inv->endpoint = util_strdup(ep);
	return 0;
}

int
dmsg_invitation_read(const char *json, struct dmsg_invitation *inv,
    char **cause)
{
	struct json_object *o =
	    jx_parse_depth(json, strlen(json), DMSG_DEPTH, NULL);
	const char *t = dmsg_short_type(dmsg_str(o, "@type")), *id;
	struct json_object *svc;
	char buf[64];
	int rc = -1;

	memset(inv, 0, sizeof(*inv));
	id = dmsg_str(o, "@id");
	if (!jx_is_object(o))
		util_fail(cause, "invitation: not JSON");
	else if (t == NULL || id == NULL || strlen(id) >= DMSG_ID_MAX)
		util_fail(cause, "invitation: no usable @type and @id");
	else if (strcmp(t, "connections/1.0/invitation") == 0) {
		inv->handshake = DMSG_CONNECTIONS;
		rc = dmsg_service(o, inv, cause);
	} else if (strncmp(t, "out-of-band/1.", 14) != 0 ||
	    strcmp(t + strcspn(t + 14, "/") + 14, "/invitation") != 0)
		util_fail(cause, "invitation: type %s is neither Connections "
		    "nor out-of-band", dmsg_clean(t, buf, sizeof(buf)));
	else if (dmsg_pick_handshake(o, &inv->handshake) == -1)
		util_fail(cause, "invitation: offers neither DID exchange nor "
		    "Connections 1.0");
	else if (!jx_is_object(svc = jx_at(jx_get(o, "services"), 0)))
		util_fail(cause, "invitation: its service is not inline (a "
		    "DID); edge agents need recipientKeys and an endpoint");
	else {
		inv->oob = 1;
		rc = dmsg_service(svc, inv, cause);
	}
	if (rc == 0)
		memcpy(inv->id, id, strlen(id) + 1);
	json_object_put(o);
	return rc;
}

void
dmsg_invitation_release(struct dmsg_invitation *inv)
{
	free(inv->endpoint);
	inv->endpoint = NULL;
}

/* The legacy DID document of key pk ("did:sov:" + its DID). */
static struct json_object *
dmsg_doc(const unsigned char pk[DCRYPTO_PK])
{
	struct json_object *d = json_object_new_object(), *pkey, *auth, *svc;
	struct json_object *e;
	char did[DCRYPTO_DID_MAX], vk[DCRYPTO_VK_MAX], id[64], kid[80];

	dcrypto_did(pk, did);
	dcrypto_verkey(pk, vk);
	snprintf(id, sizeof(id), "did:sov:%s", did);
	snprintf(kid, sizeof(kid), "%s#1", id);
	dmsg_add(d, "@context", "https://w3id.org/did/v1");
	dmsg_add(d, "id", id);
	e = json_object_new_object();
	dmsg_add(e, "id", kid);
	dmsg_add(e, "type", "Ed25519VerificationKey2018");
	dmsg_add(e, "controller", id);
	dmsg_add(e, "publicKeyBase58", vk);
	json_object_array_add(pkey = json_object_new_array(), e);
	json_object_object_add(d, "publicKey", pkey);
	e = json_object_new_object();
	dmsg_add(e, "type", "Ed25519SignatureAuthentication2018");
	dmsg_add(e, "publicKey", kid);
	json_object_array_add(auth = json_object_new_array(), e);
	json_object_object_add(d, "authentication", auth);
	e = json_object_new_object();
	snprintf(kid, sizeof(kid), "%s;indy", id);
	dmsg_add(e, "id", kid);
	dmsg_add(e, "type", "IndyAgent");
	json_object_object_add(e, "priority", json_object_new_int(0));
	json_object_array_add(svc = json_object_new_array(),
	    json_object_new_string(vk));
	json_object_object_add(e, "recipientKeys", svc);
	json_object_object_add(e, "routingKeys", json_object_new_array());
	/* no inbound endpoint: answers come back on the same exchange */
	dmsg_add(e, "serviceEndpoint", "didcomm:transport/queue");
	json_object_array_add(svc = json_object_new_array(), e);
	json_object_object_add(d, "service", svc);
	return d;
}

/* text as unpadded base64url (b64 translated from standard base64). */
static void
dmsg_to_url(const char *b64, char *out)
{
	size_t i, n = 0;

	for (i = 0; b64[i] != '\0' && b64[i] != '='; i++)
		out[n++] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	out[n] = '\0';
}

/*
 * The did_doc~attach of DID document text doc: standard base64, signed
 * by k over protected "." the payload as unpadded base64url (a JWS).
 */
static struct json_object *
dmsg_attach(const struct dcrypto_key *k, const char *doc)
{
	struct json_object *a = json_object_new_object(), *d, *jws, *h;
	size_t n = strlen(doc);
	char *b64 = util_malloc(DCRYPTO_B64_LEN(n)), *url, *in, *prot;
	char dk[DCRYPTO_DIDKEY_MAX], x[64], p[256], sig[100];
	unsigned char s[64];

	dcrypto_b64_encode((const unsigned char *)doc, n, 0, 1, b64,
	    DCRYPTO_B64_LEN(n));
	url = util_malloc(strlen(b64) + 1);
	dmsg_to_url(b64, url);
	dcrypto_did_key(dcrypto_pk(k), dk);
	dcrypto_b64_encode(dcrypto_pk(k), DCRYPTO_PK, 1, 0, x, sizeof(x));
	snprintf(p, sizeof(p), "{\"alg\":\"EdDSA\",\"jwk\":{\"kty\":\"OKP\","
	    "\"crv\":\"Ed25519\",\"x\":\"%s\",\"kid\":\"%s\"}}", x, dk);
	prot = util_malloc(DCRYPTO_B64_LEN(strlen(p)));
	dcrypto_b64_encode((const unsigned char *)p, strlen(p), 1, 0, prot,
	    DCRYPTO_B64_LEN(strlen(p)));
	in = util_printf("%s.%s", prot, url);
	dcrypto_sign(k, in, strlen(in), s);
	dcrypto_b64_encode(s, sizeof(s), 1, 0, sig, sizeof(sig));
	jws = json_object_new_object();
	json_object_object_add(jws, "header", h = json_object_new_object());
	dmsg_add(h, "kid", dk);
	dmsg_add(jws, "protected", prot);
	dmsg_add(jws, "signature", sig);
	d = json_object_new_object();
	dmsg_add(d, "base64", b64);
	json_object_object_add(d, "jws", jws);
	dmsg_add(a, "@id", "did-doc");
	dmsg_add(a, "mime-type", "application/json");
	json_object_object_add(a, "data", d);
	free(b64);
	free(url);
	free(prot);
	free(in);
	return a;
}

/* Adds ~thread with thid and pthid (may be NULL) to o. */
static void
dmsg_thread(struct json_object *o, const char *thid, const char *pthid)
{
	struct json_object *t = json_object_new_object();

	dmsg_add(t, "thid", thid);
	if (pthid != NULL)
		dmsg_add(t, "pthid", pthid);
	json_object_object_add(o, "~thread", t);
}

char *
dmsg_request(const struct dcrypto_key *k, const char *label,
    const char *id, const struct dmsg_invitation *inv)
{
	struct json_object *o = dmsg_new(dmsg_handshake_type(inv->handshake,
	    "request"), id), *doc = dmsg_doc(dcrypto_pk(k)), *c;
	char did[DCRYPTO_DID_MAX];

	dcrypto_did(dcrypto_pk(k), did);
	dmsg_add(o, "label", label);
	if (inv->handshake == DMSG_CONNECTIONS) {
		c = json_object_new_object();
		dmsg_add(c, "DID", did);
		json_object_object_add(c, "DIDDoc", doc);
		json_object_object_add(o, "connection", c);
		/*
		 * as ACA-Py does, pthid the invitation's @id even for c_i:
		 * without it the mediator logs a traceback (0.12.0)
		 */
		dmsg_thread(o, id, inv->id);
		return dmsg_finish(o);
	}
	dmsg_thread(o, id, inv->id);
	dmsg_add(o, "did", did);
	json_object_object_add(o, "did_doc~attach", dmsg_attach(k,
	    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN)));
	json_object_put(doc);
	return dmsg_finish(o);
}

char *
dmsg_complete(const char *id, const char *thid,
    const struct dmsg_invitation *inv)
{
	struct json_object *o = dmsg_new(dmsg_handshake_type(inv->handshake,
	    "complete"), id);

	dmsg_thread(o, thid, inv->id);
	return dmsg_finish(o);
}

char *
dmsg_mediate_request(const char *id)
{
	return dmsg_finish(dmsg_new("coordinate-mediation/1.0/"
	    "mediate-request", id));
}

char *
dmsg_keylist_add(const char *id, const unsigned char pk[DCRYPTO_PK])
{
	struct json_object *o = dmsg_new("coordinate-mediation/1.0/"
	    "keylist-update", id), *u = json_object_new_object(), *a;
	char dk[DCRYPTO_DIDKEY_MAX];

	dcrypto_did_key(pk, dk);
	dmsg_add(u, "recipient_key", dk);
	dmsg_add(u, "action", "add");
	json_object_array_add(a = json_object_new_array(), u);
	json_object_object_add(o, "updates", a);
	return dmsg_finish(o);
}

/* A trust ping id asking for a response or not. */
static char *
dmsg_ping_with(const char *id, const char *comment, int response)
{
	struct json_object *o = dmsg_new("trust_ping/1.0/ping", id);

	json_object_object_add(o, "response_requested",
	    json_object_new_boolean(response));
	dmsg_add(o, "comment", comment);
	return dmsg_finish(o);
}

char *
dmsg_ping(const char *id, const char *comment)
{
	return dmsg_ping_with(id, comment, 1);
}

char *
dmsg_ping_quiet(const char *id, const char *comment)
{
	return dmsg_ping_with(id, comment, 0);
}

char *
dmsg_ping_response(const char *id, const char *thid)
{
	struct json_object *o = dmsg_new("trust_ping/1.0/ping_response", id);
	struct json_object *th = json_object_new_object();

	dmsg_add(th, "thid", thid);
	json_object_object_add(o, "~thread", th);
	return dmsg_finish(o);
}

const char *
dmsg_type(const struct json_object *o)
{
	return dmsg_short_type(dmsg_str(o, "@type"));
}

int
dmsg_problem(const struct json_object *o, char **cause)
{
	const char *what = dmsg_str(jx_get(o, "description"), "en");
	char buf[120];

	if (what == NULL)
		what = dmsg_str(jx_get(o, "description"), "code");
	if (what == NULL)
		what = dmsg_str(o, "explain-ltxt");
	return util_fail(cause, "problem report: %s", dmsg_clean(what ? what :
	    "(no description)", buf, sizeof(buf)));
}

struct json_object *
dmsg_parse(const char *text, size_t len, const char *want, const char *thid,
    char **cause)
{
	struct json_object *o = jx_parse_depth(text, len, DMSG_DEPTH, NULL);
	const char *t = dmsg_short_type(dmsg_str(o, "@type")), *th;
	size_t tn = t ? strlen(t) : 0, wn = strlen(want);
	char buf[96];
	int rc = -1;

	if (!jx_is_object(o) || t == NULL)
		util_fail(cause, "message: not a DIDComm message");
	else if (tn >= 15 && strcmp(t + tn - 15, "/problem-report") == 0)
		dmsg_problem(o, cause);
	else if (tn < wn || strcmp(t + tn - wn, want) != 0 ||
	    (tn > wn && t[tn - wn - 1] != '/'))
		util_fail(cause, "message: got %s, expected %s",
		    dmsg_clean(t, buf, sizeof(buf)), want);
	else if (thid != NULL && ((th = dmsg_str(jx_get(o, "~thread"),
	    "thid")) == NULL || strcmp(th, thid) != 0))
		util_fail(cause, "message: %s is not in its thread", want);
	else
		rc = 0;
	if (rc == 0)
		return o;
	json_object_put(o);
	return NULL;
}

/* The key with id ref among doc's publicKey entries into pk. */
static int
dmsg_doc_ref(struct json_object *doc, const char *ref,
    unsigned char pk[DCRYPTO_PK])
{
	struct json_object *keys = jx_get(doc, "publicKey"), *e;
	size_t i;

	for (i = 0; i < jx_len(keys); i++) {
		e = jx_at(keys, i);
		if (dmsg_str(e, "id") != NULL && strcmp(dmsg_str(e, "id"),
		    ref) == 0)
			return dcrypto_key_decode(dmsg_str(e,
			    "publicKeyBase58"), pk);
	}
	return -1;
}

/* The first recipient key of DID document doc's first service. */
static int
dmsg_doc_key(struct json_object *doc, unsigned char pk[DCRYPTO_PK],
    char **cause)
{
	const char *k = jx_str(jx_at(jx_get(jx_at(jx_get(doc, "service"), 0),
	    "recipientKeys"), 0), NULL);

	if (k == NULL)
		return util_fail(cause, "DID document: no service with "
		    "recipientKeys");
	if (strncmp(k, "did:key:", 8) != 0 && strchr(k, '#') != NULL ?
	    dmsg_doc_ref(doc, k, pk) : dcrypto_key_decode(k, pk))
		return util_fail(cause, "DID document: its recipient key is "
		    "not usable");
	return 0;
}

/* Decodes base64 text s (url or standard) into a new buffer, or NULL. */
static unsigned char *
dmsg_b64_text(const char *s, int url, size_t max, size_t *len)
{
	size_t n = s ? strlen(s) : 0;
	unsigned char *p;

	if (s == NULL || n > max / 3 * 4 + 4)
		return NULL;
	p = util_malloc(n / 4 * 3 + 3);
	if (dcrypto_b64_decode(s, n, url, p, n / 4 * 3 + 3, len) == -1) {
		free(p);
		return NULL;
	}
	return p;
}

/* Decodes base64 member key of o (url or standard), as dmsg_b64_text. */
static unsigned char *
dmsg_b64(struct json_object *o, const char *key, int url, size_t max,
    size_t *len)
{
	return dmsg_b64_text(dmsg_str(o, key), url, max, len);
}

/*
 * Connections 1.0: the DID document in connection~sig, signed by inv
 * (8 bytes of time, then {"DID", "DIDDoc"}). Returns it (caller puts).
 */
static struct json_object *
dmsg_sig_doc(struct json_object *o, const unsigned char inv[DCRYPTO_PK],
    char **cause)
{
	struct json_object *sig = jx_get(o, "connection~sig"), *c = NULL, *d;
	unsigned char signer[DCRYPTO_PK], *data, *s = NULL;
	size_t n, sn = 0;

	data = dmsg_b64(sig, "sig_data", 1, DMSG_DOC_MAX, &n);
	if (data != NULL)
		s = dmsg_b64(sig, "signature", 1, 128, &sn);
	if (data == NULL || s == NULL || n <= 8)
		util_fail(cause, "response: no usable connection~sig");
	else if (dcrypto_key_decode(dmsg_str(sig, "signer"), signer) == -1 ||
	    memcmp(signer, inv, DCRYPTO_PK) != 0)
		util_fail(cause, "response: not signed by the invitation key");
	else if (!dcrypto_verify(signer, data, n, s, sn))
		util_fail(cause, "response: bad signature");
	else if ((c = jx_parse_depth((const char *)data + 8, n - 8, DMSG_DEPTH,
	    NULL)) == NULL || !jx_is_object(d = jx_get(c, "DIDDoc")))
		util_fail(cause, "response: no DIDDoc in the signed data");
	else {
		json_object_get(d);
		json_object_put(c);
		free(data);
		free(s);
		return d;
	}
	json_object_put(c);
	free(data);
	free(s);
	return NULL;
}

/*
 * Whether the JWS of attachment data a is inv's signature of its payload
 * (protected "." base64 as unpadded base64url).
 */
static int
dmsg_jws_ok(struct json_object *a, const unsigned char inv[DCRYPTO_PK])
{
	struct json_object *jws = jx_get(a, "jws"), *p;
	const char *prot = dmsg_str(jws, "protected"), *b64 = dmsg_str(a,
	    "base64");
	unsigned char x[DCRYPTO_PK + 2], *hdr, *s;
	size_t n, sn = 0, xn = 0;
	char *in;
	int ok = 0;

	if (prot == NULL || b64 == NULL || (hdr = dmsg_b64(jws, "protected",
	    1, 4096, &n)) == NULL)
		return 0;
	p = jx_parse_depth((const char *)hdr, n, DMSG_DEPTH, NULL);
	if (dcrypto_b64_decode(jx_str(jx_get(p, "jwk.x"), ""),
	    strlen(jx_str(jx_get(p, "jwk.x"), "")), 1, x, sizeof(x), &xn) ==
	    0 && xn == DCRYPTO_PK && memcmp(x, inv, DCRYPTO_PK) == 0 &&
	    (s = dmsg_b64(jws, "signature", 1, 128, &sn)) != NULL) {
		in = util_malloc(strlen(prot) + strlen(b64) + 2);
		strcpy(in, prot);
		strcat(in, ".");
		dmsg_to_url(b64, in + strlen(in));
		ok = dcrypto_verify(inv, in, strlen(in), s, sn);
		free(in);
		free(s);
	}
	json_object_put(p);
	free(hdr);
	return ok;
}

/* DID exchange: the DID document in did_doc~attach, signed by inv. */
static struct json_object *
dmsg_attach_doc(struct json_object *o, const unsigned char inv[DCRYPTO_PK],
    char **cause)
{
	struct json_object *a = jx_get(o, "did_doc~attach.data"), *d;
	const char *b64 = dmsg_str(a, "base64");
	unsigned char *doc;
	char *url;
	size_t n;

	if (b64 == NULL) {
		util_fail(cause, "response: no did_doc~attach (did:peer "
		    "answers are not supported)");
		return NULL;
	}
	if (!dmsg_jws_ok(a, inv)) {
		util_fail(cause, "response: did_doc~attach not signed by the "
		    "invitation key");
		return NULL;
	}
	url = util_malloc(strlen(b64) + 1);
	dmsg_to_url(b64, url);
	doc = dmsg_b64_text(url, 1, DMSG_DOC_MAX, &n);
	free(url);
	d = doc != NULL ?
	    jx_parse_depth((const char *)doc, n, DMSG_DEPTH, NULL) :
	    NULL;
	free(doc);
	if (!jx_is_object(d)) {
		json_object_put(d);
		util_fail(cause, "response: did_doc~attach is not a document");
		return NULL;
	}
	return d;
}

int
dmsg_response_key(struct json_object *o, enum dmsg_handshake h,
    const unsigned char inv[DCRYPTO_PK], unsigned char their[DCRYPTO_PK],
    char **cause)
{
	struct json_object *doc = h == DMSG_CONNECTIONS ? dmsg_sig_doc(o, inv,
	    cause) : dmsg_attach_doc(o, inv, cause);
	int rc;

	if (doc == NULL)
		return -1;
	rc = dmsg_doc_key(doc, their, cause);
	json_object_put(doc);
	return rc;
}

int
dmsg_grant(struct json_object *o, unsigned char routing[DCRYPTO_PK],
    size_t *n, char **cause)
{
	struct json_object *rk = jx_get(o, "routing_keys");

	*n = 0;
	if (!json_object_is_type(rk, json_type_array))
		return util_fail(cause, "grant: no routing_keys");
	if (jx_len(rk) == 0)
		return 0;
	if (dcrypto_key_decode(jx_str(jx_at(rk, 0), NULL), routing) == -1)
		return util_fail(cause, "grant: its routing key is not usable");
	*n = 1;
	return 0;
}

int
dmsg_keylist_result(struct json_object *o,
    const unsigned char pk[DCRYPTO_PK], char **cause)
{
	struct json_object *up = jx_get(o, "updated"), *e;
	unsigned char k[DCRYPTO_PK];
	const char *r;
	char buf[40];
	size_t i;

	for (i = 0; i < jx_len(up); i++) {
		e = jx_at(up, i);
		if (dcrypto_key_decode(dmsg_str(e, "recipient_key"), k) == -1 ||
		    memcmp(k, pk, DCRYPTO_PK) != 0)
			continue;
		r = dmsg_str(e, "result");
		if (r != NULL && (strcmp(r, "success") == 0 ||
		    strcmp(r, "no_change") == 0))
			return 0;
		return util_fail(cause, "keylist update: %s",
		    dmsg_clean(r ? r : "no result", buf, sizeof(buf)));
	}
	return util_fail(cause, "keylist update: the key is not in the "
	    "answer");
}
