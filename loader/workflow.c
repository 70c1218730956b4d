/* workflow.c: what a simulated user sends: wallet body, tasks. */
#include "workflow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "call.h"
#include "jx.h"
#include "schedule.h"
#include "tenant.h"
#include "util.h"

char *
workflow_wallet_body(const struct tenant *t)
{
	unsigned char b[16];
	char key[40], name[160], *s;
	struct json_object *o = json_object_new_object();

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		size_t i;

		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(run_rand(t->run) * 256);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(key, sizeof(key), "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
	tenant_name(t, name, sizeof(name));
	json_object_object_add(o, "key_management_mode",
	    json_object_new_string("managed"));
	json_object_object_add(o, "wallet_dispatch_type",
	    json_object_new_string("default"));
	json_object_object_add(o, "wallet_name", json_object_new_string(name));
	json_object_object_add(o, "wallet_key", json_object_new_string(key));
	json_object_object_add(o, "label", json_object_new_string(name));
	json_object_object_add(o, "wallet_type",
	    json_object_new_string("askar"));
	json_object_object_add(o, "wallet_webhook_urls",
	    json_object_new_array());
	s = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	memset(key, 0, sizeof(key));
	return s;
}

const char *
workflow_find_conn(struct json_object *o, const char *id, const char **found)
{
	struct json_object *res, *e;
	size_t i, n;

	*found = NULL;
	if (!json_object_object_get_ex(o, "results", &res) ||
	    !json_object_is_type(res, json_type_array))
		return NULL;
	n = jx_len(res);
	for (i = 0; i < n; i++) {
		const char *cid;

		e = jx_at(res, i);
		cid = call_str(e, "connection_id");
		if (cid == NULL)
			continue;
		if (id == NULL || strcmp(cid, id) == 0) {
			*found = cid;
			return call_str(e, "state");
		}
	}
	return NULL;
}

/* A ready user's task ended: record it, pace the user's next one. */
static void
workflow_task_end(struct call *cl, const struct eng_result *res,
    enum stats_err err, const char *msg, const char *detail)
{
	struct tenant *t = cl->t;

	call_record_result(cl, res, err, msg, detail);
	free(cl);
	if (t->state == TENANT_READY && !t->run->stopping)
		schedule_think(t, res->end_us);
}

/* A ping ended; its thread id goes to the journal. */
static void
workflow_ping_done(void *arg, const struct eng_result *res)
{
	struct json_object *o;
	enum stats_err err;
	char msg[160];

	if (res == NULL) {	/* abandoned at the end of the run */
		free(arg);
		return;
	}
	o = call_classify(res, &err, msg, sizeof(msg));
	workflow_task_end(arg, res, err, msg, call_str(o, "thread_id"));
	json_object_put(o);
}

/*
 * Task of the agent scenarios: a trust ping, every other one to the peer
 * once the pair is connected, else to the mediator.
 */
static void
workflow_ping(struct tenant *t, int64_t sched)
{
	char path[256], body[160];
	int other = t->parity && t->peer_ok && t->peer_conn[0] != '\0';

	t->parity ^= 1;
	snprintf(path, sizeof(path), "/connections/%s/send-ping", other ?
	    t->peer_conn : t->med_conn);
	snprintf(body, sizeof(body), "{\"comment\":\"medload %s ping %s\"}",
	    t->run->run_id, other ? "other" : "mediator");
	call_send(t, t, "POST", other ? "022_ping_other" :
	    "021_ping_mediator", path, body, sched, workflow_ping_done);
}

/* A plain GET ended: any 2xx or 3xx answer is a success. */
static void
workflow_http_done(void *arg, const struct eng_result *res)
{
	enum stats_err err = STATS_OK;
	char msg[160] = "";

	if (res == NULL) {	/* abandoned at the end of the run */
		free(arg);
		return;
	}
	if (res->curl_code != CURLE_OK || res->status < 200 ||
	    res->status > 399)
		json_object_put(call_classify(res, &err, msg, sizeof(msg)));
	workflow_task_end(arg, res, err, msg, NULL);
}

/* Task of the http scenario: GET the configured URL. */
static void
workflow_http_get(struct tenant *t, int64_t sched)
{
	call_send_url(t, "http_get", t->run->c->url, sched,
	    workflow_http_done);
}

void
workflow_task(struct tenant *t, int64_t sched)
{
	if (t->run->c->scenario == CONFIG_SCENARIO_HTTP)
		workflow_http_get(t, sched);
	else
		workflow_ping(t, sched);
}
