/*
 * fuzz_didcomm_msg.c: what an edge agent reads from a mediator
 * (loader/didcomm_msg.c): invitations and answers. The first byte
 * chooses (mod 4):
 *
 *   0: the rest is an invitation (dmsg_invitation_read);
 *   1: the rest is an answer, parsed for one of the types an agent waits
 *      for (bits 2-4), in thread "req-1" or none (bit 5), then read as a
 *      connection response (both handshakes), a grant and a keylist
 *      result;
 *   2: label, "\n=====\n", edits: the harness builds a connection
 *      response signed by its mediator key M (the handshake from bits
 *      2-3; bit 4: the document names its key by reference), reads it,
 *      applies the edits (4 bytes each, as fuzz_didcomm_envelope) and
 *      reads it again;
 *   3: the rest is a comment: a trust ping built with it parses back with
 *      the same comment, a keylist-update for a key made of its bytes is
 *      answered by that update and reads as a success.
 *
 * Oracles: a connection response only yields a key when M signed it, and
 * the key M's documents name (M's own): any other key means an unsigned
 * part was trusted; an invitation read writes back (as a Connections
 * invitation) into the same key, routing keys, endpoint and @id; an
 * answer accepted is of the type and thread asked for; a grant's and a
 * keylist result's key is the one in the answer; built messages parse
 * back; a refusal says why, in printable ASCII. FUZZ_DMSG_DUMP=FILE
 * writes the last response built (as a mode 1 input) for the seeds.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "didcomm_msg.h"
#include "jx.h"
#include "util.h"


static const char *const fuzz_wants[8] = {
	"response", "connections/1.0/response", "didexchange/1.1/response",
	"didexchange/1.0/response", "coordinate-mediation/1.0/mediate-grant",
	"coordinate-mediation/1.0/keylist-update-response",
	"trust_ping/1.0/ping_response", "ping_response",
};

static struct dcrypto_key fuzz_m, fuzz_t;

static void
fuzz_setup(void)
{
	static int done;
	unsigned char run[DCRYPTO_RUN_KEY];
	char *cause = NULL;

	if (done)
		return;
	done = 1;
	if (dcrypto_init(&cause) == -1)
		fuzzlib_fail("setup", cause);
	dcrypto_run_key("fuzz-didcomm-msg", 1, run);
	dcrypto_derive(run, 0, DCRYPTO_CONNECTION, &fuzz_m);
	dcrypto_derive(run, 1, DCRYPTO_CONNECTION, &fuzz_t);
}

/* The invitation inv written back as a Connections 1.0 one. */
static char *
fuzz_inv_text(const struct dmsg_invitation *inv)
{
	struct json_object *o = json_object_new_object(), *a, *r;
	char vk[DCRYPTO_VK_MAX], *s;
	size_t i;

	json_object_object_add(o, "@type", json_object_new_string(
	    "https://didcomm.org/connections/1.0/invitation"));
	json_object_object_add(o, "@id", json_object_new_string(inv->id));
	dcrypto_verkey(inv->key, vk);
	json_object_array_add(a = json_object_new_array(),
	    json_object_new_string(vk));
	json_object_object_add(o, "recipientKeys", a);
	r = json_object_new_array();
	for (i = 0; i < inv->nrouting; i++) {
		dcrypto_verkey(inv->routing[i], vk);
		json_object_array_add(r, json_object_new_string(vk));
	}
	json_object_object_add(o, "routingKeys", r);
	json_object_object_add(o, "serviceEndpoint",
	    json_object_new_string(inv->endpoint));
	s = util_strdup(json_object_to_json_string(o));
	json_object_put(o);
	return s;
}

/* Mode 0: an invitation, read and written back. */
static void
fuzz_invitation(const char *text)
{
	struct dmsg_invitation inv, back;
	char *cause = NULL, *again;

	if (dmsg_invitation_read(text, &inv, &cause) == -1) {
		fuzzlib_cause(cause);
		return;
	}
	if (inv.endpoint == NULL || inv.nrouting > DMSG_MAX_ROUTING ||
	    (unsigned)inv.handshake > DMSG_DIDX_11 ||
	    memchr(inv.id, '\0', sizeof(inv.id)) == NULL)
		fuzzlib_fail("an invitation read out of bounds", text);
	again = fuzz_inv_text(&inv);
	if (dmsg_invitation_read(again, &back, &cause) == -1)
		fuzzlib_fail("an invitation read does not read back", cause);
	if (memcmp(back.key, inv.key, DCRYPTO_PK) != 0 ||
	    back.nrouting != inv.nrouting || memcmp(back.routing,
	    inv.routing, sizeof(inv.routing[0]) * inv.nrouting) != 0 ||
	    strcmp(back.endpoint, inv.endpoint) != 0 ||
	    strcmp(back.id, inv.id) != 0)
		fuzzlib_fail("an invitation reads back differently", again);
	dmsg_invitation_release(&back);
	dmsg_invitation_release(&inv);
	free(again);
}

/* A connection response yields M's key when M signed it, else nothing. */
static void
fuzz_response(struct json_object *o)
{
	static const enum dmsg_handshake hs[2] = { DMSG_CONNECTIONS,
	    DMSG_DIDX_11 };
	unsigned char their[DCRYPTO_PK];
	char *cause = NULL;
	int i;

	for (i = 0; i < 2; i++) {
		if (dmsg_response_key(o, hs[i], dcrypto_pk(&fuzz_m), their,
		    &cause) == 0) {
			if (memcmp(their, dcrypto_pk(&fuzz_m), DCRYPTO_PK))
				fuzzlib_fail("a response yields a key its "
				    "signer never named", NULL);
		} else
			fuzzlib_cause(cause);
		cause = NULL;
		if (dmsg_response_key(o, hs[i], dcrypto_pk(&fuzz_t), their,
		    &cause) == 0)
			fuzzlib_fail("a response yields a key without the "
			    "signature of the invitation key", NULL);
		fuzzlib_cause(cause);
		cause = NULL;
	}
}

/* Whether key text s names pk. */
static int
fuzz_names(const char *s, const unsigned char pk[DCRYPTO_PK])
{
	unsigned char k[DCRYPTO_PK];

	return dcrypto_key_decode(s, k) == 0 &&
	    memcmp(k, pk, DCRYPTO_PK) == 0;
}

/* Grant and keylist result read o's own members. */
static void
fuzz_mediation(struct json_object *o)
{
	unsigned char r[DCRYPTO_PK];
	char *cause = NULL;
	size_t n, i;
	int found = 0;

	if (dmsg_grant(o, r, &n, &cause) == -1)
		fuzzlib_cause(cause);
	else if (n == 1 && !fuzz_names(jx_str(jx_at(jx_get(o,
	    "routing_keys"), 0), NULL), r))
		fuzzlib_fail("a grant's routing key is not its first", NULL);
	cause = NULL;
	if (dmsg_keylist_result(o, dcrypto_pk(&fuzz_t), &cause) == -1) {
		fuzzlib_cause(cause);
		return;
	}
	for (i = 0; i < jx_len(jx_get(o, "updated")); i++)
		if (fuzz_names(jx_str(jx_get(jx_at(jx_get(o, "updated"), i),
		    "recipient_key"), NULL), dcrypto_pk(&fuzz_t)))
			found = 1;
	if (!found)
		fuzzlib_fail("a keylist result for a key not in it", NULL);
}

/* Whether answer o is of type want (short) in thread thid. */
static int
fuzz_is(struct json_object *o, const char *want, const char *thid)
{
	const char *t = jx_str(jx_get(o, "@type"), ""), *th;
	size_t tn = strlen(t), wn = strlen(want);

	if (tn <= wn || strcmp(t + tn - wn, want) != 0 || t[tn - wn - 1] != '/')
		return 0;
	if (thid == NULL)
		return 1;
	th = json_object_get_string(jx_get(jx_get(o, "~thread"), "thid"));
	return th != NULL && strcmp(th, thid) == 0;
}

/* Mode 1: an answer. */
static void
fuzz_answer(uint8_t mode, const char *text, size_t n)
{
	const char *want = fuzz_wants[(mode >> 2) & 7];
	const char *thid = mode & 0x20 ? "req-1" : NULL;
	char *cause = NULL;
	struct json_object *o = dmsg_parse(text, n, want, thid, &cause);

	if (o == NULL) {
		fuzzlib_cause(cause);
		return;
	}
	if (!fuzz_is(o, want, thid))
		fuzzlib_fail("an answer of another type or thread", text);
	fuzz_response(o);
	fuzz_mediation(o);
	json_object_put(o);
}

/* Signs Connections 1.0 member connection of o by M (connection~sig). */
static void
fuzz_sign_connection(struct json_object *o, int by_ref)
{
	struct json_object *c = json_object_object_get(o, "connection"), *s;
	struct json_object *svc;
	const char *text;
	unsigned char *data, sig[64];
	char vk[DCRYPTO_VK_MAX], ss[DCRYPTO_B64_LEN(64)], *sd;
	size_t n;

	if (by_ref) {
		svc = jx_at(jx_get(jx_get(c, "DIDDoc"), "service"), 0);
		json_object_object_add(svc, "recipientKeys",
		    json_object_new_array());
		json_object_array_add(jx_get(svc, "recipientKeys"),
		    json_object_new_string(jx_str(jx_get(jx_at(jx_get(
		    jx_get(c, "DIDDoc"), "publicKey"), 0), "id"), "")));
	}
	text = json_object_to_json_string_ext(c, JSON_C_TO_STRING_PLAIN);
	n = 8 + strlen(text);
	data = util_malloc(n);
	memcpy(data, "\0\0\0\0\x65\x6d\x2b\x3c", 8);
	memcpy(data + 8, text, n - 8);
	dcrypto_sign(&fuzz_m, data, n, sig);
	sd = util_malloc(DCRYPTO_B64_LEN(n));
	dcrypto_b64_encode(data, n, 1, 1, sd, DCRYPTO_B64_LEN(n));
	dcrypto_b64_encode(sig, 64, 1, 1, ss, sizeof(ss));
	dcrypto_verkey(dcrypto_pk(&fuzz_m), vk);
	s = json_object_new_object();
	json_object_object_add(s, "@type", json_object_new_string(
	    "https://didcomm.org/signature/1.0/ed25519Sha512_single"));
	json_object_object_add(s, "signature", json_object_new_string(ss));
	json_object_object_add(s, "sig_data", json_object_new_string(sd));
	json_object_object_add(s, "signer", json_object_new_string(vk));
	json_object_object_add(o, "connection~sig", s);
	json_object_object_del(o, "connection");
	free(data);
	free(sd);
}

/* M's connection response to itself, labelled label (caller frees). */
static char *
fuzz_build_response(enum dmsg_handshake h, int by_ref, const char *label)
{
	struct dmsg_invitation inv;
	struct json_object *o;
	char type[96], *req, *text;

	memset(&inv, 0, sizeof(inv));
	inv.handshake = h;
	strcpy(inv.id, "inv-1");
	req = dmsg_request(&fuzz_m, label, "req-1", &inv);
	o = json_tokener_parse(req);
	if (o == NULL)
		fuzzlib_fail("a request that is not JSON", req);
	snprintf(type, sizeof(type), "https://didcomm.org/%s",
	    dmsg_handshake_type(h, "response"));
	json_object_object_add(o, "@type", json_object_new_string(type));
	if (h == DMSG_CONNECTIONS)
		fuzz_sign_connection(o, by_ref);
	text = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	free(req);
	return text;
}



/* Mode 2: a signed response built, read, edited, read again. */
static void
fuzz_round_trip(uint8_t mode, const char *label, const uint8_t *edits,
    size_t en)
{
	enum dmsg_handshake h = (enum dmsg_handshake)((mode >> 2) & 3) % 3;
	char *text = fuzz_build_response(h, mode & 0x10, label), *cause = NULL;
	size_t n = strlen(text);
	struct json_object *o;
	unsigned char their[DCRYPTO_PK];

	fuzzlib_dump("FUZZ_DMSG_DUMP", 0x21, text, n);
	o = dmsg_parse(text, n, "response", "req-1", &cause);
	if (o == NULL || dmsg_response_key(o, h, dcrypto_pk(&fuzz_m), their,
	    &cause) == -1 || memcmp(their, dcrypto_pk(&fuzz_m), DCRYPTO_PK))
		fuzzlib_fail("a signed response does not read", cause ? cause :
		    text);
	json_object_put(o);
	fuzzlib_edit(&text, &n, edits, en);
	o = dmsg_parse(text, n, "response", "req-1", &cause);
	if (o == NULL)
		fuzzlib_cause(cause);
	else
		fuzz_response(o);
	json_object_put(o);
	free(text);
}

/* Mode 3: a ping and a keylist update built from input, read back. */
static void
fuzz_built(const char *comment, const uint8_t *data, size_t size)
{
	unsigned char pk[DCRYPTO_PK] = { 0 };
	struct json_object *o;
	char *text, *cause = NULL;

	text = dmsg_ping("ping-1", comment);
	o = dmsg_parse(text, strlen(text), "trust_ping/1.0/ping", NULL,
	    &cause);
	if (o == NULL || strcmp(jx_str(jx_get(o, "comment"), ""), comment))
		fuzzlib_fail("a ping does not read back", text);
	json_object_put(o);
	free(text);
	memcpy(pk, data, size < DCRYPTO_PK ? size : DCRYPTO_PK);
	text = dmsg_keylist_add("kl-1", pk);
	o = json_tokener_parse(text);
	json_object_object_add(o, "updated", json_object_get(
	    json_object_object_get(o, "updates")));
	json_object_object_add(jx_at(jx_get(o, "updated"), 0), "result",
	    json_object_new_string("success"));
	if (dmsg_keylist_result(o, pk, &cause) == -1)
		fuzzlib_fail("a keylist update does not read back", cause);
	json_object_put(o);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *label, *edits = NULL;
	size_t ln, en = 0;
	uint8_t mode;
	char *s;

	fuzz_setup();
	if (size == 0)
		return 0;
	mode = data[0];
	data++;
	size--;
	s = fuzzlib_cstr(data, size);
	switch (mode & 3) {
	case 0:
		fuzz_invitation(s);
		break;
	case 1:
		fuzz_answer(mode, (const char *)data, size);
		break;
	case 2:
		free(s);
		if (fuzzlib_next(&data, &size, &label, &ln) == -1)
			label = data, ln = 0;
		fuzzlib_next(&data, &size, &edits, &en);
		s = fuzzlib_cstr(label, ln);
		fuzz_round_trip(mode, s, edits, en);
		break;
	default:
		fuzz_built(s, data, size);
	}
	free(s);
	return 0;
}
