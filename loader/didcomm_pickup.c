/* didcomm_pickup.c: Pickup 2.0 messages built and answers read. */
#include "didcomm_pickup.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "didcomm_crypto.h"
#include "didcomm_msg.h"
#include "jx.h"
#include "util.h"

#define DPICK_DEPTH 16		/* JSON nesting of an answer */

static const char *const dpick_att_names[DPICK_ATT_NERR] = {
	"ok", "id", "data", "base64", "size",
};

char *
dpick_status_request(const char *id)
{
	return dmsg_finish(dmsg_new("messagepickup/2.0/status-request", id));
}

char *
dpick_delivery_request(const char *id, unsigned limit)
{
	struct json_object *o = dmsg_new("messagepickup/2.0/delivery-request",
	    id);

	if (limit < 1)
		limit = 1;
	if (limit > DPICK_LIMIT_MAX)
		limit = DPICK_LIMIT_MAX;
	json_object_object_add(o, "limit", json_object_new_int((int)limit));
	return dmsg_finish(o);
}

char *
dpick_messages_received(const char *id, const char *const *ids, size_t n)
{
	struct json_object *o = dmsg_new("messagepickup/2.0/messages-received",
	    id);
	struct json_object *l = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(l, json_object_new_string(ids[i]));
	json_object_object_add(o, "message_id_list", l);
	return dmsg_finish(o);
}

char *
dpick_live_change(const char *id, int live)
{
	struct json_object *o = dmsg_new(
	    "messagepickup/2.0/live-delivery-change", id);

	json_object_object_add(o, "live_delivery",
	    json_object_new_boolean(live != 0));
	return dmsg_finish(o);
}

char *
dpick_discover(const char *id)
{
	struct json_object *o = dmsg_new("discover-features/1.0/query", id);

	json_object_object_add(o, "query",
	    json_object_new_string(DPICK_PROTOCOL));
	return dmsg_finish(o);
}

/* Whether protocol id p is messagepickup/2.0 (either prefix). */
static int
dpick_is_pickup2(const char *p)
{
	return strcmp(p, DPICK_PROTOCOL) == 0 || strcmp(p,
	    "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/messagepickup/2.0") == 0;
}

/* Reads a status into a: message_count bounded, live_mode if there. */
static int
dpick_status(struct dpick_answer *a, char **cause)
{
	struct json_object *c = jx_get(a->o, "message_count");
	struct json_object *l = jx_get(a->o, "live_mode");

	if (!json_object_is_type(c, json_type_int))
		return util_fail(cause, "status: no message_count");
	a->count = json_object_get_int64(c);
	if (a->count < 0 || a->count > DPICK_COUNT_MAX)
		return util_fail(cause, "status: message_count out of range");
	if (json_object_is_type(l, json_type_boolean))
		a->live = json_object_get_boolean(l);
	return 0;
}

/* Reads a delivery into a: "~attach", 1..DPICK_LIMIT_MAX entries. */
static int
dpick_delivery(struct dpick_answer *a, char **cause)
{
	struct json_object *l = jx_get(a->o, "~attach");

	if (!json_object_is_type(l, json_type_array))
		return util_fail(cause, "delivery: no ~attach list");
	a->natt = jx_len(l);
	if (a->natt > DPICK_LIMIT_MAX)
		return util_fail(cause, "delivery: %zu attachments (at most "
		    "%d)", a->natt, DPICK_LIMIT_MAX);
	return 0;
}

/* Reads a disclose into a: whether it lists messagepickup/2.0. */
static void
dpick_disclose(struct dpick_answer *a)
{
	struct json_object *l = jx_get(a->o, "protocols");
	size_t i, n = jx_len(l);

	for (i = 0; i < n && i < 1000 && !a->pickup2; i++) {
		struct json_object *p = jx_get(jx_at(l, i), "pid");

		a->pickup2 = json_object_is_type(p, json_type_string) &&
		    dpick_is_pickup2(json_object_get_string(p));
	}
}

/* Reads a->o by its type t. */
static int
dpick_kind(struct dpick_answer *a, const char *t, char **cause)
{
	char *why = NULL;

	if (strcmp(t, "messagepickup/2.0/status") == 0) {
		a->kind = DPICK_STATUS;
		return dpick_status(a, cause);
	}
	if (strcmp(t, "messagepickup/2.0/delivery") == 0) {
		a->kind = DPICK_DELIVERY;
		return dpick_delivery(a, cause);
	}
	if (strcmp(t, "discover-features/1.0/disclose") == 0) {
		a->kind = DPICK_DISCLOSE;
		dpick_disclose(a);
		return 0;
	}
	if (strlen(t) >= 15 && strcmp(t + strlen(t) - 15,
	    "/problem-report") == 0) {
		a->kind = DPICK_PROBLEM;
		dmsg_problem(a->o, &why);
		snprintf(a->why, sizeof(a->why), "%s", why);
		free(why);
		return 0;
	}
	return util_fail(cause, "message: not a pickup answer");
}

int
dpick_read(const char *text, size_t len, const char *thid,
    struct dpick_answer *a, char **cause)
{
	struct json_object *th;
	const char *t;

	memset(a, 0, sizeof(*a));
	a->live = -1;
	a->o = jx_parse_depth(text, len, DPICK_DEPTH, NULL);
	t = dmsg_type(a->o);
	th = jx_get(jx_get(a->o, "~thread"), "thid");
	if (!jx_is_object(a->o) || t == NULL)
		util_fail(cause, "message: not a DIDComm message");
	else if (!json_object_is_type(th, json_type_string) ||
	    strcmp(json_object_get_string(th), thid) != 0)
		util_fail(cause, "message: not in the request's thread");
	else if (dpick_kind(a, t, cause) == 0)
		return 0;
	dpick_answer_release(a);
	return -1;
}

void
dpick_answer_release(struct dpick_answer *a)
{
	json_object_put(a->o);
	a->o = NULL;
}

const char *
dpick_att_name(enum dpick_att_err err)
{
	return err < DPICK_ATT_NERR ? dpick_att_names[err] : "?";
}

/* Copies attachment x's @id into id: printable, bounded. */
static int
dpick_att_id(struct json_object *x, char id[DPICK_ATT_ID_MAX])
{
	struct json_object *v = jx_get(x, "@id");
	const char *s;
	size_t i, n;

	id[0] = '\0';
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= DPICK_ATT_ID_MAX)
		return -1;
	for (i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return -1;
	memcpy(id, s, n + 1);
	return 0;
}

enum dpick_att_err
dpick_attachment(const struct dpick_answer *a, size_t i, size_t max,
    char id[DPICK_ATT_ID_MAX], char **data, size_t *n)
{
	struct json_object *x = jx_at(jx_get(a->o, "~attach"), i);
	struct json_object *b = jx_get(jx_get(x, "data"), "base64");
	const char *s;
	size_t sl, room;
	unsigned char *out;

	*data = NULL;
	*n = 0;
	if (dpick_att_id(x, id) == -1)
		return DPICK_ATT_ID;
	if (!json_object_is_type(b, json_type_string))
		return DPICK_ATT_DATA;
	s = json_object_get_string(b);
	sl = (size_t)json_object_get_string_len(b);
	if (sl == 0 || sl / 4 * 3 > max + 3)
		return DPICK_ATT_SIZE;
	room = sl / 4 * 3 + 3;
	out = util_malloc(room + 1);
	if (dcrypto_b64_decode(s, sl, 0, out, room, n) == -1 &&
	    dcrypto_b64_decode(s, sl, 1, out, room, n) == -1) {
		free(out);
		return DPICK_ATT_BASE64;
	}
	if (*n == 0 || *n > max) {
		free(out);
		*n = 0;
		return DPICK_ATT_SIZE;
	}
	out[*n] = '\0';
	*data = (char *)out;
	return DPICK_ATT_OK;
}
