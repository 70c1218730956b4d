/*
 * fuzz_didcomm_pickup.c: what an edge agent reads from a mediator that
 * speaks Pickup 2.0 (loader/didcomm_pickup.c). The first byte chooses
 * (mod 2):
 *
 *   0: the rest is an answer in thread "req-1" (dpick_read): a status,
 *      a delivery (every attachment read, with a bound from bits 1-7:
 *      0..127 bytes, or 1 MiB for 0), a disclose, a problem report;
 *   1: the rest is an attachment @id: a delivery built around it (the
 *      harness's own envelope text, standard base64) and a
 *      messages-received acknowledging it are read back.
 *
 * Oracles: an answer accepted is of one of the four kinds, in the thread
 * asked for, its numbers in range (a status count 0..DPICK_COUNT_MAX, a
 * delivery at most DPICK_LIMIT_MAX attachments); an attachment read is within
 * its bound, NUL-terminated, its @id printable and bounded, and one not
 * read hands back no data; the same input read twice gives the same
 * answer; a refusal says why, in printable ASCII; a delivery built around
 * an acceptable @id hands back that @id and the envelope text exactly.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "didcomm_crypto.h"
#include "didcomm_pickup.h"
#include "jx.h"
#include "util.h"

static const char fuzz_env[] = "{\"protected\": \"e30\", \"iv\": \"a\", "
    "\"ciphertext\": \"b\", \"tag\": \"c\"}";

/* Attachment i of a, read with bound max, within the contract. */
static void
fuzz_attachment(const struct dpick_answer *a, size_t i, size_t max)
{
	char id[DPICK_ATT_ID_MAX], *data;
	enum dpick_att_err err;
	size_t n, k;

	err = dpick_attachment(a, i, max, id, &data, &n);
	if (err >= DPICK_ATT_NERR)
		fuzzlib_fail("an attachment error out of range", NULL);
	for (k = 0; id[k] != '\0'; k++)
		if (k >= DPICK_ATT_ID_MAX - 1 || (unsigned char)id[k] <= 0x20 ||
		    id[k] == 0x7f)
			fuzzlib_fail("an attachment @id not printable", id);
	if (err != DPICK_ATT_OK && data != NULL)
		fuzzlib_fail("a refused attachment with data", NULL);
	if (err == DPICK_ATT_OK && (data == NULL || n == 0 || n > max ||
	    data[n] != '\0' || id[0] == '\0'))
		fuzzlib_fail("an attachment out of its bound", NULL);
	free(data);
}

/* Reads the answer text[0..len) twice, checks it. */
static void
fuzz_answer(const char *text, size_t len, size_t max)
{
	struct dpick_answer a, b;
	char *cause = NULL;
	int rc = dpick_read(text, len, "req-1", &a, &cause);
	size_t i;

	if (rc != dpick_read(text, len, "req-1", &b, NULL))
		fuzzlib_fail("an answer read twice differently", NULL);
	if (rc == -1) {
		fuzzlib_cause(cause);
		return;
	}
	if (a.kind != b.kind || a.count != b.count || a.natt != b.natt ||
	    a.pickup2 != b.pickup2)
		fuzzlib_fail("an answer read twice differently", NULL);
	if (a.kind == DPICK_STATUS && (a.count < 0 || a.count >
	    DPICK_COUNT_MAX))
		fuzzlib_fail("a status count out of range", NULL);
	if (a.kind == DPICK_DELIVERY && a.natt > DPICK_LIMIT_MAX)
		fuzzlib_fail("a delivery of too many attachments", NULL);
	if (strcmp(jx_str(jx_get(jx_get(a.o, "~thread"), "thid"), ""),
	    "req-1") != 0)
		fuzzlib_fail("an answer of another thread", NULL);
	for (i = 0; a.kind == DPICK_DELIVERY && i < a.natt; i++)
		fuzz_attachment(&a, i, max);
	dpick_answer_release(&a);
	dpick_answer_release(&b);
}

/* A delivery around @id id reads back into id and the envelope. */
static void
fuzz_built(const char *id)
{
	char b64[DCRYPTO_B64_LEN(sizeof(fuzz_env))], got[DPICK_ATT_ID_MAX];
	struct json_object *att, *data, *o;
	struct dpick_answer a;
	const char *idp[1] = { id };
	char *s, *cause = NULL, *env;
	size_t n;

	dcrypto_b64_encode((const unsigned char *)fuzz_env,
	    strlen(fuzz_env), 0, 1, b64, sizeof(b64));
	o = json_object_new_object();
	att = json_object_new_object();
	data = json_object_new_object();
	json_object_object_add(data, "base64", json_object_new_string(b64));
	json_object_object_add(att, "@id", json_object_new_string(id));
	json_object_object_add(att, "data", data);
	json_object_object_add(o, "~attach", json_object_new_array());
	json_object_array_add(jx_get(o, "~attach"), att);
	json_object_object_add(o, "@type", json_object_new_string(
	    DPICK_PROTOCOL "/delivery"));
	json_object_object_add(o, "~thread", json_tokener_parse(
	    "{\"thid\": \"req-1\"}"));
	s = util_strdup(json_object_to_json_string(o));
	json_object_put(o);
	if (dpick_read(s, strlen(s), "req-1", &a, &cause) == -1)
		fuzzlib_fail("a built delivery refused", cause);
	if (dpick_attachment(&a, 0, 4096, got, &env, &n) == DPICK_ATT_OK &&
	    (strcmp(got, id) != 0 || strcmp(env, fuzz_env) != 0))
		fuzzlib_fail("a built delivery read back otherwise", id);
	free(env);
	dpick_answer_release(&a);
	free(s);
	s = dpick_messages_received("m-1", idp, 1);
	o = jx_parse(s, strlen(s), "built", NULL);
	if (o == NULL || strcmp(jx_str(jx_at(jx_get(o, "message_id_list"), 0),
	    ""), id) != 0)
		fuzzlib_fail("messages-received lost its @id", id);
	json_object_put(o);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text;
	size_t max;

	if (size < 1)
		return 0;
	text = fuzzlib_cstr(data + 1, size - 1);
	if (data[0] % 2 == 0) {
		max = (size_t)(data[0] >> 1);
		fuzz_answer(text, size - 1, max ? max : (size_t)1 << 20);
	} else if (strlen(text) == size - 1)
		fuzz_built(text);
	free(text);
	return 0;
}
