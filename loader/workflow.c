/* workflow.c: the setup steps as one table, the scenarios and tasks. */
#include "workflow.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "call.h"
#include "edge.h"
#include "jx.h"
#include "schedule.h"
#include "seed_loop.h"
#include "strbuf.h"
#include "tenant.h"
#include "util.h"

/* The rows of the step table. */
enum workflow_id {
	STEP_WALLET,
	STEP_CONNECT,
	STEP_MED_ACTIVE,
	STEP_REQ_MED,
	STEP_GRANTED,
	STEP_DEFAULT,
	STEP_PEER_WAIT,
	STEP_CREATE_INV,
	STEP_RECEIVE_INV,
	STEP_FETCH_OWN,
	STEP_FETCH_PEER,
};

/* Whether the run speaks out-of-band (else Connections 1.0). */
static int
workflow_oob(const struct tenant *t)
{
	return t->run->protocol == CONFIG_PROTOCOL_OOB;
}

/* Appends t's wallet name. */
static void
workflow_add_name(struct strbuf *b, const struct tenant *t)
{
	char name[160];

	strbuf_adds(b, tenant_name(t, name, sizeof(name)));
}

/* A new wallet key: a random UUID (version 4 layout) in key. */
static void
workflow_wallet_key(struct run *r, char *key, size_t size)
{
	unsigned char b[16];

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		size_t i;

		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(run_rand(r) * 256);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(key, size, "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
	memset(b, 0, sizeof(b));
}

/* Appends o as plain JSON and releases it. */
static void
workflow_add_json(struct strbuf *b, struct json_object *o)
{
	strbuf_adds(b, json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

/* Body of 000_create_wallet: a managed askar wallet (holds its key). */
static void
workflow_body_wallet(const struct tenant *t, struct strbuf *b)
{
	struct json_object *o = json_object_new_object();
	char key[40], name[160];

	workflow_wallet_key(t->run, key, sizeof(key));
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
	workflow_add_json(b, o);
	memset(key, 0, sizeof(key));
}

/* Body: the mediator's invitation. */
static void
workflow_body_mediator_invitation(const struct tenant *t, struct strbuf *b)
{
	strbuf_adds(b, t->run->inv_json);
}

/* Body: an empty object. */
static void
workflow_body_empty(const struct tenant *t, struct strbuf *b)
{
	(void)t;
	strbuf_adds(b, "{}");
}

/*
 * Body of 011_create_invitation. A user with a granted mediation has the
 * connection routed through the mediator.
 */
static void
workflow_body_create_invitation(const struct tenant *t, struct strbuf *b)
{
	struct json_object *o = json_object_new_object(), *hp;
	char name[160], pname[160];

	tenant_name(t, name, sizeof(name));
	tenant_name(tenant_peer(t), pname, sizeof(pname));
	json_object_object_add(o, "my_label", json_object_new_string(name));
	if (t->med_id[0] != '\0')
		json_object_object_add(o, "mediation_id",
		    json_object_new_string(t->med_id));
	if (workflow_oob(t)) {
		hp = json_object_new_array();
		json_object_object_add(o, "alias",
		    json_object_new_string(pname));
		json_object_array_add(hp, json_object_new_string(
		    "https://didcomm.org/didexchange/1.1"));
		json_object_object_add(o, "handshake_protocols", hp);
		json_object_object_add(o, "use_public_did",
		    json_object_new_boolean(0));
	}
	workflow_add_json(b, o);
}

/* Body of 012_receive_invitation: the invitation t created. */
static void
workflow_body_invitation(const struct tenant *t, struct strbuf *b)
{
	if (t->inv != NULL)
		strbuf_adds(b, t->inv);
}

/* Path of 000_create_wallet. */
static void
workflow_path_wallet(const struct tenant *t, struct strbuf *b)
{
	(void)t;
	strbuf_adds(b, "/multitenancy/wallet");
}

/* Path of 001_connect_to_mediator. */
static void
workflow_path_connect(const struct tenant *t, struct strbuf *b)
{
	strbuf_addf(b, "/%s/receive-invitation?alias=mediator&auto_accept=true",
	    workflow_oob(t) ? "out-of-band" : "connections");
}

/* Path of 002_connections_list. */
static void
workflow_path_mediator_connections(const struct tenant *t, struct strbuf *b)
{
	(void)t;
	strbuf_adds(b, "/connections?alias=mediator");
}

/* Path of 003_request_mediation. */
static void
workflow_path_request_mediation(const struct tenant *t, struct strbuf *b)
{
	strbuf_addf(b, "/mediation/request/%s", t->med_conn);
}

/* Path of 004_mediation_granted. */
static void
workflow_path_mediation_record(const struct tenant *t, struct strbuf *b)
{
	strbuf_addf(b, "/mediation/requests/%s", t->med_id);
}

/* Path of 005_default_mediator. */
static void
workflow_path_default_mediator(const struct tenant *t, struct strbuf *b)
{
	strbuf_addf(b, "/mediation/%s/default-mediator", t->med_id);
}

/* Path of 011_create_invitation. */
static void
workflow_path_create_invitation(const struct tenant *t, struct strbuf *b)
{
	if (workflow_oob(t)) {
		strbuf_adds(b, "/out-of-band/create-invitation?"
		    "auto_accept=true");
		return;
	}
	strbuf_adds(b, "/connections/create-invitation?alias=");
	workflow_add_name(b, tenant_peer(t));
	strbuf_adds(b, "&auto_accept=true");
}

/*
 * Path of 012_receive_invitation (sent with the peer's token); a peer with
 * a granted mediation receives through the mediator.
 */
static void
workflow_path_receive_invitation(const struct tenant *t, struct strbuf *b)
{
	const struct tenant *peer = tenant_peer(t);

	strbuf_addf(b, "/%s/receive-invitation?alias=", workflow_oob(t) ?
	    "out-of-band" : "connections");
	workflow_add_name(b, t);
	strbuf_adds(b, "&auto_accept=true");
	if (peer->med_id[0] != '\0')
		strbuf_addf(b, "&mediation_id=%s", peer->med_id);
}

/* Path of 013_connection_fetch, t's side of the pair's connection. */
static void
workflow_path_own_connection(const struct tenant *t, struct strbuf *b)
{
	if (workflow_oob(t)) {
		strbuf_adds(b, "/connections?alias=");
		workflow_add_name(b, tenant_peer(t));
	} else
		strbuf_addf(b, "/connections/%s", t->peer_conn);
}

/* Path of 013_connection_fetch, the peer's side. */
static void
workflow_path_peer_connection(const struct tenant *t, struct strbuf *b)
{
	strbuf_addf(b, "/connections/%s", tenant_peer(t)->peer_conn);
}

/*
 * Finds a connection record in a list answer ({"results": [...]}): the one
 * with connection id id, or the first when id is NULL. Returns its state
 * and sets *found to its id (both borrowed from o), or NULL.
 */
static const char *
workflow_find_conn(struct json_object *o, const char *id,
    const char **found)
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

/* Takes the new wallet's token. */
static int
workflow_take_token(struct tenant *t, struct json_object *o,
    const char **state)
{
	const char *v = call_str(o, "token");

	(void)state;
	if (v == NULL || *v == '\0')
		return -1;
	tenant_clear(t);
	t->token = util_strdup(v);
	return 0;
}

/* Takes the connection to the mediator. */
static int
workflow_take_mediator_connection(struct tenant *t, struct json_object *o,
    const char **state)
{
	(void)state;
	return call_copy_id(t->med_conn, call_str(o, "connection_id"));
}

/* Takes the state of the connection to the mediator from the list. */
static int
workflow_take_mediator_state(struct tenant *t, struct json_object *o,
    const char **state)
{
	const char *found;

	*state = workflow_find_conn(o, t->med_conn, &found);
	return 0;
}

/* Takes the mediation request's id. */
static int
workflow_take_mediation_id(struct tenant *t, struct json_object *o,
    const char **state)
{
	(void)state;
	return call_copy_id(t->med_id, call_str(o, "mediation_id"));
}

/* Takes a record's "state". */
static int
workflow_take_state(struct tenant *t, struct json_object *o,
    const char **state)
{
	(void)t;
	*state = call_str(o, "state");
	return 0;
}

/* Takes the invitation (and, Connections 1.0, t's side's connection). */
static int
workflow_take_invitation(struct tenant *t, struct json_object *o,
    const char **state)
{
	struct json_object *inv;

	(void)state;
	if (!json_object_object_get_ex(o, "invitation", &inv) ||
	    !json_object_is_type(inv, json_type_object))
		return -1;
	free(t->inv);
	t->inv = util_strdup(json_object_to_json_string_ext(inv,
	    JSON_C_TO_STRING_PLAIN));
	if (workflow_oob(t))
		return 0;
	return call_copy_id(t->peer_conn, call_str(o, "connection_id"));
}

/* Takes the peer's side of the connection (it received the invitation). */
static int
workflow_take_peer_connection(struct tenant *t, struct json_object *o,
    const char **state)
{
	(void)state;
	return call_copy_id(tenant_peer(t)->peer_conn,
	    call_str(o, "connection_id"));
}

/*
 * Takes the state of t's side; out-of-band, t learns its connection id
 * from the list found by alias.
 */
static int
workflow_take_own_connection(struct tenant *t, struct json_object *o,
    const char **state)
{
	const char *found;

	if (!workflow_oob(t)) {
		*state = call_str(o, "state");
		return 0;
	}
	*state = workflow_find_conn(o, NULL, &found);
	if (found != NULL)
		call_copy_id(t->peer_conn, found);
	return 0;
}

/* Both sides of the pair's connection are active: pings may go to peers. */
static void
workflow_peered(struct tenant *t)
{
	t->peer_ok = 1;
	tenant_peer(t)->peer_ok = 1;
}

/* Every setup step, one row each; the scenarios below pick and order. */
static const struct workflow_step workflow_steps[] = {
	[STEP_WALLET] = {
		.name = "000_create_wallet", .method = "POST",
		.path = workflow_path_wallet,
		.body = workflow_body_wallet,
		.take = workflow_take_token, .field = "token",
	},
	[STEP_CONNECT] = {
		.name = "001_connect_to_mediator", .method = "POST",
		.path = workflow_path_connect,
		.body = workflow_body_mediator_invitation,
		.take = workflow_take_mediator_connection,
		.field = "connection_id",
	},
	[STEP_MED_ACTIVE] = {
		.name = "002_connections_list", .method = "GET",
		.kind = WORKFLOW_POLL,
		.path = workflow_path_mediator_connections,
		.take = workflow_take_mediator_state,
		.until = "active completed",
	},
	[STEP_REQ_MED] = {
		.name = "003_request_mediation", .method = "POST",
		.path = workflow_path_request_mediation,
		.body = workflow_body_empty,
		.take = workflow_take_mediation_id, .field = "mediation_id",
	},
	[STEP_GRANTED] = {
		.name = "004_mediation_granted", .method = "GET",
		.kind = WORKFLOW_POLL,
		.path = workflow_path_mediation_record,
		.take = workflow_take_state, .until = "granted",
	},
	[STEP_DEFAULT] = {
		.name = "005_default_mediator", .method = "PUT",
		.path = workflow_path_default_mediator,
	},
	[STEP_PEER_WAIT] = {
		.name = "peer_ready", .kind = WORKFLOW_AWAIT_PEER,
		.peering = 1,
	},
	[STEP_CREATE_INV] = {
		.name = "011_create_invitation", .method = "POST",
		.peering = 1,
		.path = workflow_path_create_invitation,
		.body = workflow_body_create_invitation,
		.take = workflow_take_invitation, .field = "invitation",
	},
	[STEP_RECEIVE_INV] = {
		.name = "012_receive_invitation", .method = "POST",
		.as = WORKFLOW_AS_PEER, .peering = 1,
		.path = workflow_path_receive_invitation,
		.body = workflow_body_invitation,
		.take = workflow_take_peer_connection,
		.field = "connection_id",
	},
	[STEP_FETCH_OWN] = {
		.name = "013_connection_fetch", .method = "GET",
		.kind = WORKFLOW_POLL, .peering = 1,
		.path = workflow_path_own_connection,
		.take = workflow_take_own_connection,
		.until = "active completed",
	},
	[STEP_FETCH_PEER] = {
		.name = "013_connection_fetch", .method = "GET",
		.kind = WORKFLOW_POLL, .as = WORKFLOW_AS_PEER, .peering = 1,
		.path = workflow_path_peer_connection,
		.take = workflow_take_state, .until = "active completed",
		.reached = workflow_peered,
	},
};

void
workflow_task_over(struct tenant *t, int64_t end)
{
	if (t->state == TENANT_READY && !t->run->stopping)
		schedule_think(t, end);
}

/* A ready user's task ended: record it, pace the user's next one. */
static void
workflow_task_end(struct call *cl, const struct eng_result *res,
    enum stats_err err, const char *msg, const char *detail)
{
	struct tenant *t = cl->t;

	call_record_result(cl, res, err, msg, detail);
	free(cl);
	workflow_task_over(t, res->end_us);
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

/* The mediation scenario: the full mediator workflow, then pings. */
static const struct workflow_step *const workflow_mediation_steps[] = {
	&workflow_steps[STEP_WALLET],
	&workflow_steps[STEP_CONNECT],
	&workflow_steps[STEP_MED_ACTIVE],
	&workflow_steps[STEP_REQ_MED],
	&workflow_steps[STEP_GRANTED],
	&workflow_steps[STEP_DEFAULT],
	&workflow_steps[STEP_PEER_WAIT],
	&workflow_steps[STEP_CREATE_INV],
	&workflow_steps[STEP_RECEIVE_INV],
	&workflow_steps[STEP_FETCH_OWN],
	&workflow_steps[STEP_FETCH_PEER],
};

/*
 * The seed scenario: the wallet is the seed's on_start; everything else is
 * its loop of four tasks (seed_loop.c).
 */
static const struct workflow_step *const workflow_seed_steps[] = {
	&workflow_steps[STEP_WALLET],
};

#define WORKFLOW_N(a) (sizeof(a) / sizeof((a)[0]))

static const struct workflow workflow_mediation = {
	workflow_mediation_steps, WORKFLOW_N(workflow_mediation_steps),
	workflow_ping, 0,
};
static const struct workflow workflow_seed = {
	workflow_seed_steps, WORKFLOW_N(workflow_seed_steps), seed_loop_task,
	1,
};
static const struct workflow workflow_http = {
	NULL, 0, workflow_http_get, 0,
};

const struct workflow *
workflow_for(enum config_scenario s)
{
	switch (s) {
	case CONFIG_SCENARIO_SEED:
		return &workflow_seed;
	case CONFIG_SCENARIO_HTTP:
		return &workflow_http;
	case CONFIG_SCENARIO_EDGE:
		return edge_workflow();
	case CONFIG_SCENARIO_MEDIATION:
		break;
	}
	return &workflow_mediation;
}

const struct workflow_step *
workflow_step(const char *name)
{
	size_t i;

	for (i = 0; i < WORKFLOW_N(workflow_steps); i++)
		if (strcmp(workflow_steps[i].name, name) == 0)
			return &workflow_steps[i];
	return NULL;
}

int
workflow_active(const char *state)
{
	return state != NULL && (strcmp(state, "active") == 0 ||
	    strcmp(state, "completed") == 0);
}

int
workflow_reached(const struct workflow_step *s, const char *state)
{
	const char *p = s->until;
	size_t n;

	if (p == NULL)
		return 1;
	if (state == NULL)
		return 0;
	n = strlen(state);
	while (*p != '\0') {
		size_t w = strcspn(p, " ");

		if (w == n && strncmp(p, state, n) == 0)
			return 1;
		p += w + (p[w] == ' ');
	}
	return 0;
}
