/*
 * test_loader_didcomm_msg.c: the messages edge agents send a mediator
 * (their shape as ACA-Py reads them) and the reading of its answers:
 * invitations, signed connection responses (Connections 1.0 signature
 * decorator, DID exchange attachment JWS), grants, keylist results,
 * problem reports, threads.
 */
#include "didcomm_msg.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"
#include "util.h"

static unsigned char test_rk[DCRYPTO_RUN_KEY];

/* The mediator's invitation of the local 0.12.0 stack (c_i, decoded). */
static const char test_ci[] = "{\"@type\": \"https://didcomm.org/connections"
    "/1.0/invitation\", \"@id\": \"d4f84856-cd65-44b5-bd83-72ba6b60c0d4\", "
    "\"label\": \"medload-mediator\", \"recipientKeys\": [\"FXvyRYVcEvWFty"
    "NiYTSmHBa1DQVtM88DPwrvipn2hRHd\"], \"serviceEndpoint\": \"http://127."
    "0.0.1:28000\"}";

/* An out-of-band invitation as ACA-Py 1.7.0 writes it (handshakes h). */
static char *
test_oob(const char *h, const char *service)
{
	return util_printf("{\"@type\": \"https://didcomm.org/out-of-band/1.1/"
	    "invitation\", \"@id\": \"6d4e2f1a-oob\", \"label\": \"m\", "
	    "\"handshake_protocols\": [%s], \"services\": [%s]}", h, service);
}

static const char test_svc[] = "{\"id\": \"#inline\", \"type\": \"did-"
    "communication\", \"recipientKeys\": [\"did:key:z6MkmjY8GnV5i9YTDtPETC2"
    "uUAW6ejw3nk5mXF5yci5ab7th#z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab"
    "7th\"], \"serviceEndpoint\": \"http://127.0.0.1:3000\"}";

/* Connections and out-of-band invitations: key, endpoint, handshake. */
static void
test_invitations(void)
{
	struct dmsg_invitation inv;
	char vk[DCRYPTO_VK_MAX], *o, *cause = NULL;

	CHECK(dmsg_invitation_read(test_ci, &inv, &cause) == 0);
	CHECK(!inv.oob && inv.handshake == DMSG_CONNECTIONS);
	dcrypto_verkey(inv.key, vk);
	CHECK_STR(vk, "FXvyRYVcEvWFtyNiYTSmHBa1DQVtM88DPwrvipn2hRHd");
	CHECK_STR(inv.endpoint, "http://127.0.0.1:28000");
	CHECK_STR(inv.id, "d4f84856-cd65-44b5-bd83-72ba6b60c0d4");
	dmsg_invitation_release(&inv);
	o = test_oob("\"https://didcomm.org/didexchange/1.0\", "
	    "\"https://didcomm.org/didexchange/1.1\"", test_svc);
	CHECK(dmsg_invitation_read(o, &inv, &cause) == 0);
	CHECK(inv.oob && inv.handshake == DMSG_DIDX_11 && inv.nrouting == 0);
	dcrypto_verkey(inv.key, vk);
	CHECK_STR(vk, "8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu7K");
	CHECK_STR(inv.id, "6d4e2f1a-oob");
	dmsg_invitation_release(&inv);
	free(o);
	o = test_oob("\"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/connections/1.0\"",
	    test_svc);
	CHECK(dmsg_invitation_read(o, &inv, &cause) == 0 &&
	    inv.handshake == DMSG_CONNECTIONS);
	dmsg_invitation_release(&inv);
	free(o);
	free(cause);
}

/* Invitations an edge agent cannot use are refused, saying why. */
static void
test_invitation_refusals(void)
{
	struct dmsg_invitation inv;
	char *o, *cause = NULL;
	size_t i;
	const char *want[] = { "neither DID exchange", "not inline",
	    "recipientKeys", "serviceEndpoint", "not JSON" };

	char *bad[5];

	bad[0] = test_oob("\"https://didcomm.org/issue-credential/2.0\"",
	    test_svc);
	bad[1] = test_oob("\"https://didcomm.org/didexchange/1.1\"",
	    "\"did:sov:LjgpST2rjsoxYegQDRm7EL\"");
	bad[2] = test_oob("\"https://didcomm.org/didexchange/1.1\"",
	    "{\"recipientKeys\": [\"nope\"], \"serviceEndpoint\": \"x\"}");
	bad[3] = test_oob("\"https://didcomm.org/didexchange/1.1\"",
	    "{\"recipientKeys\": [\"8HH5gYEeNc3z7PYXmd54d4x6qAfCNrqQqEB3nS7Zfu"
	    "7K\"], \"serviceEndpoint\": {\"uri\": \"x\"}}");
	bad[4] = util_strdup("{\"@type\": ");
	for (i = 0; i < 5; i++) {
		CHECK(dmsg_invitation_read(bad[i], &inv, &cause) == -1);
		if (cause == NULL || strstr(cause, want[i]) == NULL) {
			fprintf(stderr, "case %zu: %s\n", i, cause);
			CHECK(0);
		}
		dmsg_invitation_release(&inv);
		free(bad[i]);
	}
	o = util_strdup(test_ci);
	memcpy(strstr(o, "connections/1.0/invitation"), "connections/1.0/inVitation",
	    26);
	CHECK(dmsg_invitation_read(o, &inv, &cause) == -1);
	free(o);
	free(cause);
}

/* A Connections 1.0 request: what ACA-Py 0.12 reads. */
static void
test_connections_request(void)
{
	struct dmsg_invitation inv;
	struct dcrypto_key k;
	struct json_object *o, *doc;
	char vk[DCRYPTO_VK_MAX], *m;

	dmsg_invitation_read(test_ci, &inv, NULL);
	dcrypto_derive(test_rk, 1, DCRYPTO_CONNECTION, &k);
	dcrypto_verkey(dcrypto_pk(&k), vk);
	m = dmsg_request(&k, "medload-r-1", "id-1", &inv);
	o = json_tokener_parse(m);
	CHECK_STR(jx_str(jx_get(o, "@type"), NULL),
	    "https://didcomm.org/connections/1.0/request");
	CHECK_STR(jx_str(jx_get(o, "@id"), NULL), "id-1");
	CHECK_STR(jx_str(jx_get(o, "~thread.thid"), NULL), "id-1");
	CHECK_STR(jx_str(jx_get(o, "~thread.pthid"), NULL), inv.id);
	CHECK_STR(jx_str(jx_get(o, "~transport.return_route"), NULL), "all");
	CHECK_STR(jx_str(jx_get(o, "label"), NULL), "medload-r-1");
	CHECK(strlen(jx_str(jx_get(o, "connection.DID"), "")) >= 21);
	doc = jx_get(o, "connection.DIDDoc");
	CHECK_STR(jx_str(jx_at(jx_get(jx_at(jx_get(doc, "service"), 0),
	    "recipientKeys"), 0), NULL), vk);
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(doc, "publicKey"), 0),
	    "publicKeyBase58"), NULL), vk);
	json_object_put(o);
	free(m);
	dmsg_invitation_release(&inv);
}

/*
 * A DID exchange request: its attached document verifies as a response
 * would (same JWS rules) and names the agent's key; tampered, it does not.
 */
static void
test_didx_request(void)
{
	struct dmsg_invitation inv;
	struct dcrypto_key k, other;
	struct json_object *o, *a;
	unsigned char their[32];
	char *m, *oob = test_oob("\"https://didcomm.org/didexchange/1.1\"",
	    test_svc), *cause = NULL;
	const char *b64;

	dmsg_invitation_read(oob, &inv, NULL);
	dcrypto_derive(test_rk, 1, DCRYPTO_CONNECTION, &k);
	dcrypto_derive(test_rk, 2, DCRYPTO_CONNECTION, &other);
	m = dmsg_request(&k, "l", "id-2", &inv);
	o = json_tokener_parse(m);
	CHECK_STR(jx_str(jx_get(o, "@type"), NULL),
	    "https://didcomm.org/didexchange/1.1/request");
	CHECK_STR(jx_str(jx_get(o, "~thread.pthid"), NULL), "6d4e2f1a-oob");
	CHECK_STR(jx_str(jx_get(o, "~thread.thid"), NULL), "id-2");
	a = jx_get(o, "did_doc~attach.data");
	b64 = jx_str(jx_get(a, "base64"), "");
	/* ACA-Py validates it as standard base64 */
	CHECK(strspn(b64, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789+/=") == strlen(b64));
	CHECK(strncmp(jx_str(jx_get(a, "jws.header.kid"), ""), "did:key:z6Mk",
	    12) == 0);
	CHECK(dmsg_response_key(o, DMSG_DIDX_11, dcrypto_pk(&k), their,
	    &cause) == 0 && memcmp(their, dcrypto_pk(&k), 32) == 0);
	CHECK(dmsg_response_key(o, DMSG_DIDX_11, dcrypto_pk(&other), their,
	    &cause) == -1 && strstr(cause, "not signed by the invitation"));
	json_object_object_add(a, "base64", json_object_new_string("e30="));
	CHECK(dmsg_response_key(o, DMSG_DIDX_11, dcrypto_pk(&k), their,
	    &cause) == -1);
	json_object_put(o);
	free(m);
	free(oob);
	free(cause);
	dmsg_invitation_release(&inv);
}

/*
 * A Connections 1.0 response signed by key signer (ACA-Py's signature
 * decorator) whose DID document names key doc_key; caller puts.
 */
static struct json_object *
test_signed_response(const struct dcrypto_key *signer,
    const unsigned char *doc_key, int tamper)
{
	unsigned char data[4096] = { 0, 0, 0, 0, 0x65, 0x6d, 0x2b, 0x3c };
	unsigned char sig[64];
	char vk[DCRYPTO_VK_MAX], dk[DCRYPTO_VK_MAX], *body;
	char sd[DCRYPTO_B64_LEN(4096)], ss[DCRYPTO_B64_LEN(64)];
	struct json_object *o;
	int n;

	dcrypto_verkey(dcrypto_pk(signer), vk);
	dcrypto_verkey(doc_key, dk);
	n = snprintf((char *)data + 8, sizeof(data) - 8, "{\"DID\": \"x\", "
	    "\"DIDDoc\": {\"id\": \"did:sov:x\", \"publicKey\": [{\"id\": "
	    "\"did:sov:x#1\", \"publicKeyBase58\": \"%s\"}], \"service\": "
	    "[{\"recipientKeys\": [\"did:sov:x#1\"], \"serviceEndpoint\": "
	    "\"http://m\"}]}}", dk);
	dcrypto_sign(signer, data, 8 + (size_t)n, sig);
	data[20] ^= (unsigned char)tamper;
	dcrypto_b64_encode(data, 8 + (size_t)n, 1, 1, sd, sizeof(sd));
	dcrypto_b64_encode(sig, 64, 1, 1, ss, sizeof(ss));
	body = util_printf("{\"@type\": \"https://didcomm.org/connections/1.0/"
	    "response\", \"~thread\": {\"thid\": \"t\"}, \"connection~sig\": "
	    "{\"@type\": \"https://didcomm.org/signature/1.0/ed25519Sha512_"
	    "single\", \"signature\": \"%s\", \"sig_data\": \"%s\", \"signer\": "
	    "\"%s\"}}", ss, sd, vk);
	o = dmsg_parse(body, strlen(body), "connections/1.0/response", "t",
	    NULL);
	free(body);
	return o;
}

/* Connections 1.0 responses: signature, signer and document checked. */
static void
test_connections_response(void)
{
	struct dcrypto_key inv, med, other;
	struct json_object *o;
	unsigned char their[32];
	char *cause = NULL;

	dcrypto_derive(test_rk, 10, DCRYPTO_CONNECTION, &inv);
	dcrypto_derive(test_rk, 11, DCRYPTO_CONNECTION, &med);
	dcrypto_derive(test_rk, 12, DCRYPTO_CONNECTION, &other);
	o = test_signed_response(&inv, dcrypto_pk(&med), 0);
	CHECK(o != NULL);
	CHECK(dmsg_response_key(o, DMSG_CONNECTIONS, dcrypto_pk(&inv), their,
	    &cause) == 0 && memcmp(their, dcrypto_pk(&med), 32) == 0);
	CHECK(dmsg_response_key(o, DMSG_CONNECTIONS, dcrypto_pk(&other),
	    their, &cause) == -1 && strstr(cause, "invitation key"));
	json_object_put(o);
	o = test_signed_response(&inv, dcrypto_pk(&med), 1);
	CHECK(dmsg_response_key(o, DMSG_CONNECTIONS, dcrypto_pk(&inv), their,
	    &cause) == -1 && strstr(cause, "bad signature"));
	json_object_put(o);
	free(cause);
}

/* Answers: type, thread and problem reports. */
static void
test_parse(void)
{
	static const char ping[] = "{\"@type\": \"did:sov:BzCbsNYhMrjHiqZDTUAS"
	    "Hg;spec/trust_ping/1.0/ping_response\", \"~thread\": {\"thid\": "
	    "\"p1\"}}";
	static const char pr[] = "{\"@type\": \"https://didcomm.org/"
	    "coordinate-mediation/1.0/problem-report\", \"description\": "
	    "{\"en\": \"Mediation request already exists\x1b[2J\", \"code\": "
	    "\"x\"}}";
	struct json_object *o;
	char *cause = NULL;

	o = dmsg_parse(ping, strlen(ping), "trust_ping/1.0/ping_response",
	    "p1", &cause);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK(dmsg_parse(ping, strlen(ping), "trust_ping/1.0/ping_response",
	    "p2", &cause) == NULL && strstr(cause, "not in its thread"));
	CHECK(dmsg_parse(ping, strlen(ping), "1.0/ping", NULL, &cause) ==
	    NULL && strstr(cause, "got trust_ping/1.0/ping_response"));
	o = dmsg_parse(ping, strlen(ping), "ping_response", NULL, NULL);
	CHECK(o != NULL);
	json_object_put(o);
	CHECK(dmsg_parse(pr, strlen(pr), "mediate-grant", NULL, &cause) ==
	    NULL);
	CHECK_STR(cause, "problem report: Mediation request already exists?[2J");
	CHECK(dmsg_parse(ping, 20, "ping_response", NULL, &cause) == NULL &&
	    strstr(cause, "not a DIDComm message"));
	CHECK(dmsg_parse("{\"@type\": \"x/1.0/y\"}", 20, "y", NULL, &cause) ==
	    NULL);
	free(cause);
}

/* Grants and keylist results. */
static void
test_mediation_answers(void)
{
	static const char grant[] = "{\"endpoint\": \"http://m\", "
	    "\"routing_keys\": [\"did:key:z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mX"
	    "F5yci5ab7th#z6MkmjY8GnV5i9YTDtPETC2uUAW6ejw3nk5mXF5yci5ab7th\"]}";
	struct dcrypto_key k;
	struct json_object *o;
	unsigned char rk[32];
	char dk[DCRYPTO_DIDKEY_MAX], *t, *cause = NULL;
	size_t n;

	o = json_tokener_parse(grant);
	CHECK(dmsg_grant(o, rk, &n, &cause) == 0 && n == 1);
	json_object_put(o);
	o = json_tokener_parse("{\"routing_keys\": [\"z6Mk\"]}");
	CHECK(dmsg_grant(o, rk, &n, &cause) == -1);
	json_object_put(o);
	dcrypto_derive(test_rk, 1, DCRYPTO_RECIPIENT, &k);
	dcrypto_did_key(dcrypto_pk(&k), dk);
	t = util_printf("{\"updated\": [{\"recipient_key\": \"%s\", \"action\": "
	    "\"add\", \"result\": \"success\"}]}", dk);
	o = json_tokener_parse(t);
	CHECK(dmsg_keylist_result(o, dcrypto_pk(&k), &cause) == 0);
	json_object_put(o);
	memcpy(strstr(t, "success"), "sUccess", 7);
	o = json_tokener_parse(t);
	CHECK(dmsg_keylist_result(o, dcrypto_pk(&k), &cause) == -1 &&
	    strstr(cause, "sUccess"));
	json_object_put(o);
	dcrypto_derive(test_rk, 2, DCRYPTO_RECIPIENT, &k);
	o = json_tokener_parse(t);
	CHECK(dmsg_keylist_result(o, dcrypto_pk(&k), &cause) == -1 &&
	    strstr(cause, "not in the answer"));
	json_object_put(o);
	free(t);
	free(cause);
}

/* The other messages: type, id and return route. */
static void
test_other_messages(void)
{
	struct dmsg_invitation inv;
	struct dcrypto_key k;
	char dk[DCRYPTO_DIDKEY_MAX], *m[4];
	struct json_object *o;
	size_t i;

	dmsg_invitation_read(test_ci, &inv, NULL);
	dcrypto_derive(test_rk, 1, DCRYPTO_RECIPIENT, &k);
	dcrypto_did_key(dcrypto_pk(&k), dk);
	m[0] = dmsg_mediate_request("a");
	m[1] = dmsg_keylist_add("a", dcrypto_pk(&k));
	m[2] = dmsg_ping("a", "c");
	inv.handshake = DMSG_DIDX_10;
	m[3] = dmsg_complete("a", "t", &inv);
	for (i = 0; i < 4; i++) {
		o = json_tokener_parse(m[i]);
		CHECK_STR(jx_str(jx_get(o, "@id"), NULL), "a");
		CHECK_STR(jx_str(jx_get(o, "~transport.return_route"), NULL),
		    "all");
		if (i == 1)
			CHECK_STR(jx_str(jx_get(jx_at(jx_get(o, "updates"), 0),
			    "recipient_key"), NULL), dk);
		if (i == 3)
			CHECK_STR(jx_str(jx_get(o, "@type"), NULL),
			    "https://didcomm.org/didexchange/1.0/complete");
		json_object_put(o);
		free(m[i]);
	}
	dmsg_invitation_release(&inv);
}

int
main(void)
{
	if (dcrypto_init(NULL) == -1)
		return 1;
	dcrypto_run_key("unit", 1, test_rk);
	RUN(test_invitations);
	RUN(test_invitation_refusals);
	RUN(test_connections_request);
	RUN(test_didx_request);
	RUN(test_connections_response);
	RUN(test_parse);
	RUN(test_mediation_answers);
	RUN(test_other_messages);
	return CHECK_EXIT();
}
