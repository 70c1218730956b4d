/*
 * test_loader_didcomm_pickup.c: Pickup 2.0 messages as acapy-plugin-pickup
 * 0.2.0 reads them, and the reading of its answers (status, delivery and
 * its attachments, disclose, problem reports), hostile ones included.
 */
#include "didcomm_pickup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "didcomm_crypto.h"
#include "jx.h"
#include "util.h"

/* Parses built message s (freed) and checks its type and return route. */
static struct json_object *
test_built(char *s, const char *type)
{
	struct json_object *o = json_tokener_parse(s);

	free(s);
	CHECK(o != NULL);
	CHECK_STR(jx_str(jx_get(o, "@type"), NULL), type);
	CHECK_STR(jx_str(jx_get(o, "@id"), NULL), "m-1");
	CHECK_STR(jx_str(jx_get(jx_get(o, "~transport"), "return_route"),
	    NULL), "all");
	return o;
}

static void
test_build(void)
{
	const char *ids[2] = { "tag-a", "tag-b" };
	struct json_object *o;

	o = test_built(dpick_status_request("m-1"),
	    "https://didcomm.org/messagepickup/2.0/status-request");
	CHECK(jx_members(o) == 3);
	json_object_put(o);
	o = test_built(dpick_delivery_request("m-1", 7),
	    "https://didcomm.org/messagepickup/2.0/delivery-request");
	CHECK(jx_int(o, "limit", -1) == 7);
	json_object_put(o);
	o = test_built(dpick_delivery_request("m-1", 0), "https://didcomm.org/"
	    "messagepickup/2.0/delivery-request");
	CHECK(jx_int(o, "limit", -1) == 1);	/* clamped */
	json_object_put(o);
	o = test_built(dpick_delivery_request("m-1", 5000), "https://didcomm."
	    "org/messagepickup/2.0/delivery-request");
	CHECK(jx_int(o, "limit", -1) == DPICK_LIMIT_MAX);
	json_object_put(o);
	o = test_built(dpick_messages_received("m-1", ids, 2), "https://"
	    "didcomm.org/messagepickup/2.0/messages-received");
	CHECK(jx_len(jx_get(o, "message_id_list")) == 2);
	CHECK_STR(jx_str(jx_at(jx_get(o, "message_id_list"), 1), NULL),
	    "tag-b");
	json_object_put(o);
	o = test_built(dpick_live_change("m-1", 1), "https://didcomm.org/"
	    "messagepickup/2.0/live-delivery-change");
	CHECK(json_object_get_boolean(jx_get(o, "live_delivery")));
	json_object_put(o);
	o = test_built(dpick_discover("m-1"),
	    "https://didcomm.org/discover-features/1.0/query");
	CHECK_STR(jx_str(jx_get(o, "query"), NULL), DPICK_PROTOCOL);
	json_object_put(o);
}

/* Reads text in thread "req-1": 0 with *a, or -1 with the cause checked. */
static int
test_read(const char *text, struct dpick_answer *a, const char *want)
{
	char *cause = NULL;
	int rc = dpick_read(text, strlen(text), "req-1", a, &cause);

	if (want != NULL) {
		CHECK(rc == -1);
		CHECK(cause != NULL && strstr(cause, want) != NULL);
		if (cause != NULL && strstr(cause, want) == NULL)
			fprintf(stderr, "  cause: %s\n", cause);
	}
	free(cause);
	return rc;
}

#define TH ", \"~thread\": {\"thid\": \"req-1\"}"
#define PU "\"@type\": \"https://didcomm.org/messagepickup/2.0/"

static void
test_status(void)
{
	struct dpick_answer a;

	CHECK(test_read("{" PU "status\", \"@id\": \"x\", \"message_count\": 3"
	    TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_STATUS && a.count == 3 && a.live == -1);
	dpick_answer_release(&a);
	CHECK(test_read("{\"@type\": \"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/"
	    "messagepickup/2.0/status\", \"message_count\": 0, \"live_mode\": "
	    "true" TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_STATUS && a.count == 0 && a.live == 1);
	dpick_answer_release(&a);
	test_read("{" PU "status\", \"message_count\": -1" TH "}", &a,
	    "out of range");
	test_read("{" PU "status\", \"message_count\": 99999999999" TH "}",
	    &a, "out of range");
	test_read("{" PU "status\", \"message_count\": \"3\"" TH "}", &a,
	    "no message_count");
	test_read("{" PU "status\", \"message_count\": 3.5" TH "}", &a,
	    "no message_count");
	test_read("{" PU "status\"" TH "}", &a, "no message_count");
	test_read("{" PU "status\", \"message_count\": 1}", &a,
	    "not in the request's thread");
	test_read("{" PU "status\", \"message_count\": 1, \"~thread\": "
	    "{\"thid\": \"req-2\"}}", &a, "not in the request's thread");
	test_read("{" PU "status\", \"message_count\": 1, \"~thread\": "
	    "{\"thid\": 7}}", &a, "not in the request's thread");
	test_read("{\"@type\": \"https://didcomm.org/trust_ping/1.0/ping_"
	    "response\"" TH "}", &a, "not a pickup answer");
	test_read("{\"@type\": \"https://example.org/messagepickup/2.0/"
	    "status\", \"message_count\": 1" TH "}", &a, "not a DIDComm");
	test_read("[1, 2]", &a, "not a DIDComm");
	test_read("{" PU "status\", \"message_count\": 1" TH, &a,
	    "not a DIDComm");
	test_read("", &a, "not a DIDComm");
}

/* An attachment of data b64 with @id id, as the plugin writes one. */
static char *
test_att(const char *id, const char *b64)
{
	return util_printf("{\"@id\": \"%s\", \"mime-type\": \"application/"
	    "json\", \"data\": {\"base64\": \"%s\"}}", id, b64);
}

static void
test_delivery(void)
{
	const char env[] = "{\"protected\": \"e30\", \"tag\": \"t1\"}";
	char b64[128], id[DPICK_ATT_ID_MAX], *data, *a1, *a2, *a3, *a4, *a5,
	    *msg;
	struct dpick_answer a;
	size_t n;

	dcrypto_b64_encode((const unsigned char *)env, strlen(env), 0, 1,
	    b64, sizeof(b64));
	a1 = test_att("t1", b64);
	dcrypto_b64_encode((const unsigned char *)env, strlen(env), 1, 0,
	    b64, sizeof(b64));
	a2 = test_att("t2", b64);	/* base64url, unpadded */
	a3 = test_att("t3", "!!!not base64");
	a4 = util_printf("{\"@id\": \"t4\", \"data\": {\"json\": {}}}");
	a5 = test_att("bad\\u0001id", b64);
	msg = util_printf("{" PU "delivery\", \"@id\": \"d\", \"~attach\": "
	    "[%s, %s, %s, %s, %s, 7]" TH "}", a1, a2, a3, a4, a5);
	CHECK(test_read(msg, &a, NULL) == 0);
	CHECK(a.kind == DPICK_DELIVERY && a.natt == 6);
	CHECK(dpick_attachment(&a, 0, 4096, id, &data, &n) == DPICK_ATT_OK);
	CHECK_STR(id, "t1");
	CHECK(data != NULL && n == strlen(env) && strcmp(data, env) == 0);
	free(data);
	CHECK(dpick_attachment(&a, 1, 4096, id, &data, &n) == DPICK_ATT_OK);
	CHECK(data != NULL && strcmp(data, env) == 0);
	free(data);
	CHECK(dpick_attachment(&a, 1, 10, id, &data, &n) == DPICK_ATT_SIZE);
	CHECK(data == NULL && strcmp(id, "t2") == 0);	/* still acked */
	CHECK(dpick_attachment(&a, 2, 4096, id, &data, &n) ==
	    DPICK_ATT_BASE64);
	CHECK_STR(id, "t3");
	CHECK(dpick_attachment(&a, 3, 4096, id, &data, &n) == DPICK_ATT_DATA);
	CHECK(dpick_attachment(&a, 4, 4096, id, &data, &n) == DPICK_ATT_ID);
	CHECK(id[0] == '\0' && data == NULL);
	CHECK(dpick_attachment(&a, 5, 4096, id, &data, &n) == DPICK_ATT_ID);
	CHECK_STR(dpick_att_name(DPICK_ATT_BASE64), "base64");
	dpick_answer_release(&a);
	free(a1);
	free(a2);
	free(a3);
	free(a4);
	free(a5);
	free(msg);
}

static void
test_delivery_bounds(void)
{
	struct dpick_answer a;
	char *msg, *list, *one, id[DPICK_ATT_ID_MAX], *data, *longid;
	size_t i, n;

	/* acapy-plugin-pickup 0.2.0 sends this one now and then */
	CHECK(test_read("{" PU "delivery\", \"@id\": \"f3\", \"~attach\": []"
	    TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_DELIVERY && a.natt == 0);
	dpick_answer_release(&a);
	test_read("{" PU "delivery\", \"~attach\": {}" TH "}", &a,
	    "no ~attach");
	test_read("{" PU "delivery\"" TH "}", &a, "no ~attach");
	list = util_strdup("1");
	for (i = 0; i < DPICK_LIMIT_MAX; i++) {
		one = util_printf("%s, 1", list);
		free(list);
		list = one;
	}
	msg = util_printf("{" PU "delivery\", \"~attach\": [%s]" TH "}", list);
	test_read(msg, &a, "101 attachments (at most 100)");
	free(msg);
	free(list);
	longid = util_malloc(DPICK_ATT_ID_MAX + 1);
	memset(longid, 'x', DPICK_ATT_ID_MAX);
	longid[DPICK_ATT_ID_MAX] = '\0';
	one = test_att(longid, "e30=");
	msg = util_printf("{" PU "delivery\", \"~attach\": [%s, %s]" TH "}",
	    one, "{\"@id\": \"e\", \"data\": {\"base64\": \"\"}}");
	CHECK(test_read(msg, &a, NULL) == 0);
	CHECK(dpick_attachment(&a, 0, 4096, id, &data, &n) == DPICK_ATT_ID);
	CHECK(dpick_attachment(&a, 1, 4096, id, &data, &n) == DPICK_ATT_SIZE);
	CHECK(dpick_attachment(&a, 9, 4096, id, &data, &n) == DPICK_ATT_ID);
	dpick_answer_release(&a);
	free(msg);
	free(one);
	free(longid);
}

static void
test_disclose_problem(void)
{
	struct dpick_answer a;

	CHECK(test_read("{\"@type\": \"https://didcomm.org/discover-features/"
	    "1.0/disclose\", \"protocols\": [{\"pid\": \"https://didcomm.org/"
	    "trust_ping/1.0\"}, {\"pid\": \"https://didcomm.org/messagepickup/"
	    "2.0\", \"roles\": null}]" TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_DISCLOSE && a.pickup2 == 1);
	dpick_answer_release(&a);
	CHECK(test_read("{\"@type\": \"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/"
	    "discover-features/1.0/disclose\", \"protocols\": [{\"pid\": "
	    "\"did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/messagepickup/2.0\"}]" TH
	    "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_DISCLOSE && a.pickup2 == 1);
	dpick_answer_release(&a);
	CHECK(test_read("{\"@type\": \"https://didcomm.org/discover-features/"
	    "1.0/disclose\", \"protocols\": [{\"pid\": \"https://didcomm.org/"
	    "messagepickup/2.0x\"}, {\"pid\": 2}, 3]" TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_DISCLOSE && a.pickup2 == 0);
	dpick_answer_release(&a);
	CHECK(test_read("{\"@type\": \"https://didcomm.org/discover-features/"
	    "1.0/disclose\", \"protocols\": \"all\"" TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_DISCLOSE && a.pickup2 == 0);
	dpick_answer_release(&a);
	CHECK(test_read("{\"@type\": \"https://didcomm.org/notification/1.0/"
	    "problem-report\", \"description\": {\"en\": \"no\\nway\", "
	    "\"code\": \"message-parse-failure\"}" TH "}", &a, NULL) == 0);
	CHECK(a.kind == DPICK_PROBLEM);
	CHECK_STR(a.why, "problem report: no?way");
	dpick_answer_release(&a);
}

int
main(void)
{
	RUN(test_build);
	RUN(test_status);
	RUN(test_delivery);
	RUN(test_delivery_bounds);
	RUN(test_disclose_problem);
	return CHECK_EXIT();
}
