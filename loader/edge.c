/* edge.c: native DIDComm edge agents: their state, steps and task. */
#include "edge.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <sodium.h>

#include "call.h"
#include "config.h"
#include "didcomm_envelope.h"
#include "didcomm_msg.h"
#include "edge_private.h"
#include "edge_steps.h"
#include "edge_pickup.h"
#include "edge_ws.h"
#include "tenant.h"
#include "util.h"
#include "workflow.h"

/* What a setup step sends and expects. */
enum edge_kind {
	EDGE_CONNECT, EDGE_COMPLETE, EDGE_MEDIATE, EDGE_KEYLIST, EDGE_KINDS
};

/* The run key, made on first use (the run id is known by then). */
static const unsigned char *
edge_run_key(struct run *r)
{
	if (!r->edge->keyed) {
		dcrypto_run_key(r->run_id, r->c->seed, r->edge->run_key);
		r->edge->keyed = 1;
	}
	return r->edge->run_key;
}

struct edge_agent *
edge_agent(struct tenant *t)
{
	const unsigned char *rk;

	if (t->edge == NULL) {
		rk = edge_run_key(t->run);
		t->edge = util_calloc(1, sizeof(*t->edge));
		dcrypto_derive(rk, t->num, DCRYPTO_CONNECTION, &t->edge->key);
		dcrypto_derive(rk, t->num, DCRYPTO_RECIPIENT, &t->edge->recip);
	}
	return t->edge;
}

void
edge_id(struct tenant *t, uint32_t seq, char *id)
{
	dcrypto_msg_id(edge_run_key(t->run), t->num, seq, id);
}

/*
 * Packs msg (freed) for the mediator from t's key (to the invitation key
 * before t is connected) and posts it as request name; fn gets the call.
 * Returns 0, or -1 after recording a message that could not be packed.
 */
static int
edge_post(struct tenant *t, const char *name, char *msg, uint32_t seq,
    int64_t sched, eng_done_fn fn)
{
	struct edge_agent *a = edge_agent(t);
	struct dmsg_invitation *inv = &t->run->edge->inv;
	const unsigned char *to = a->connected ? a->their : inv->key;
	char *env, *fw, *cause = NULL, id[DCRYPTO_ID_MAX];
	size_t len, i;

	env = denv_pack(msg, strlen(msg), (const unsigned char (*)[32])to, 1,
	    &a->key, &len, &cause);
	for (i = 0; env != NULL && !a->connected && i < inv->nrouting; i++) {
		edge_id(t, ++a->seq, id);
		fw = denv_forward(env, len, i ? inv->routing[i - 1] : to,
		    inv->routing[i], id, &len, &cause);
		free(env);
		env = fw;
	}
	free(msg);
	if (env == NULL) {
		call_record(t->run, "POST", name, t, sched, eng_now(),
		    eng_now(), 0, STATS_ERR_OTHER, cause, NULL, 0);
		free(cause);
		return -1;
	}
	call_post(t, name, inv->endpoint, env, seq, sched, fn);
	free(env);
	return 0;
}

/*
 * Reads the answer of a call: a 2xx response carrying an envelope for
 * t from key from with a message of type want (thread thid unless
 * NULL). Returns STATS_OK with *o (caller puts), or the failure's kind
 * with its text in msg.
 */
static enum stats_err
edge_answer(struct tenant *t, const struct eng_result *res,
    const unsigned char *from, const char *want, const char *thid,
    struct json_object **o, char *msg, size_t size)
{
	struct denv_opened op;
	enum stats_err err = STATS_ERR_BODY;
	char *cause = NULL;

	*o = NULL;
	if (res->curl_code != CURLE_OK || res->status < 200 ||
	    res->status > 299) {
		json_object_put(call_classify(res, &err, msg, size));
		return err;
	}
	if (res->len == 0) {
		snprintf(msg, size, "body: no answer on the return route");
		return STATS_ERR_BODY;
	}
	if (denv_unpack(res->body, res->len, &edge_agent(t)->key, &op,
	    &cause) == -1)
		;
	else if (!op.authcrypt || memcmp(op.sender, from, DCRYPTO_PK) != 0)
		cause = util_strdup("envelope: not from the mediator's key");
	else if ((*o = dmsg_parse(op.msg, op.len, want, thid, &cause)) != NULL)
		err = STATS_OK;
	denv_opened_release(&op);
	if (cause != NULL)
		snprintf(msg, size, "%s", cause);
	free(cause);
	return err;
}

/* Takes the answer o of t's current setup step; 0, or -1 with *cause. */
static int
edge_take(struct tenant *t, struct json_object *o, char **cause)
{
	struct edge_agent *a = t->edge;
	size_t n;

	switch ((enum edge_kind)a->step) {
	case EDGE_CONNECT:
		if (dmsg_response_key(o, t->run->edge->inv.handshake,
		    t->run->edge->inv.key, a->their, cause) == -1)
			return -1;
		a->connected = 1;
		return 0;
	case EDGE_MEDIATE:
		if (dmsg_grant(o, a->routing, &n, cause) == -1)
			return -1;
		a->nrouting = (uint8_t)n;
		a->granted = 1;
		return 0;
	case EDGE_KEYLIST:
		return dmsg_keylist_result(o, dcrypto_pk(&a->recip), cause);
	case EDGE_COMPLETE:
	case EDGE_KINDS:
		break;
	}
	return 0;
}

/* What answers step kind k: its type (NULL: none) and whether threaded. */
static const char *
edge_want(const struct tenant *t, enum edge_kind k, int *threaded)
{
	*threaded = k != EDGE_MEDIATE;
	switch (k) {
	case EDGE_CONNECT:
		return dmsg_handshake_type(t->run->edge->inv.handshake,
		    "response");
	case EDGE_MEDIATE:
		return "coordinate-mediation/1.0/mediate-grant";
	case EDGE_KEYLIST:
		return "coordinate-mediation/1.0/keylist-update-response";
	case EDGE_COMPLETE:
	case EDGE_KINDS:
		break;
	}
	return NULL;
}

/* A setup step's answer: taken, recorded; the user moves on or retries. */
static void
edge_step_done(void *arg, const struct eng_result *res)
{
	struct call *cl = arg;
	struct tenant *t;
	struct json_object *o = NULL;
	enum stats_err err = STATS_OK;
	char msg[200] = "", id[DCRYPTO_ID_MAX], *cause = NULL;
	const char *want;
	int threaded;

	if (res == NULL) {	/* abandoned at the end of the run */
		free(cl);
		return;
	}
	t = cl->t;
	edge_id(t, cl->seq, id);
	want = edge_want(t, (enum edge_kind)t->edge->step, &threaded);
	if (want == NULL) {
		if (res->curl_code != CURLE_OK || res->status < 200 ||
		    res->status > 299)
			json_object_put(call_classify(res, &err, msg,
			    sizeof(msg)));
	} else if ((err = edge_answer(t, res, t->edge->step == EDGE_CONNECT ?
	    t->run->edge->inv.key : t->edge->their, want, threaded ? id : NULL,
	    &o, msg, sizeof(msg))) == STATS_OK && edge_take(t, o, &cause) ==
	    -1) {
		err = STATS_ERR_BODY;
		snprintf(msg, sizeof(msg), "%s", cause);
	}
	json_object_put(o);
	free(cause);
	call_record_result(cl, res, err, msg, id);
	free(cl);
	tenant_step_end(t, err == STATS_OK, res->end_us);
	if (err == STATS_OK && t->edge->step == EDGE_KEYLIST)
		edge_ws_start(t);	/* with --edge-ws */
}

static const struct workflow_step edge_steps[EDGE_KINDS];

/* Sends setup step s of t (a row of edge_steps): its message, posted. */
static void
edge_send(struct tenant *t, const struct workflow_step *s, int64_t sched)
{
	struct edge_agent *a = edge_agent(t);
	struct run *r = t->run;
	enum edge_kind k = (enum edge_kind)(s - edge_steps);
	char id[DCRYPTO_ID_MAX], thid[DCRYPTO_ID_MAX], label[160], *msg;
	uint32_t seq = ++a->seq;

	a->step = (uint8_t)k;
	edge_id(t, seq, id);
	switch (k) {
	case EDGE_CONNECT:
		a->connected = 0;
		a->conn_seq = seq;
		msg = dmsg_request(&a->key, tenant_name(t, label,
		    sizeof(label)), id, &r->edge->inv);
		break;
	case EDGE_COMPLETE:
		edge_id(t, a->conn_seq, thid);
		msg = dmsg_complete(id, thid, &r->edge->inv);
		break;
	case EDGE_MEDIATE:
		msg = dmsg_mediate_request(id);
		break;
	default:
		msg = dmsg_keylist_add(id, dcrypto_pk(&a->recip));
		break;
	}
	if (edge_post(t, s->name, msg, seq, sched, edge_step_done) == -1)
		tenant_step_end(t, 0, eng_now());
}

/* A ping's answer: its response, in the ping's thread, from the mediator. */
static void
edge_ping_done(void *arg, const struct eng_result *res)
{
	struct call *cl = arg;
	struct tenant *t;
	struct json_object *o;
	enum stats_err err;
	char msg[200] = "", id[DCRYPTO_ID_MAX];

	if (res == NULL) {	/* abandoned at the end of the run */
		free(cl);
		return;
	}
	t = cl->t;
	edge_id(t, cl->seq, id);
	err = edge_answer(t, res, t->edge->their,
	    "trust_ping/1.0/ping_response", id, &o, msg, sizeof(msg));
	json_object_put(o);
	call_record_result(cl, res, err, msg, id);
	free(cl);
	workflow_task_over(t, res->end_us);
}

/* The task of a ready agent: a trust ping to the mediator. */
static void
edge_ping(struct tenant *t, int64_t sched)
{
	struct edge_agent *a = edge_agent(t);
	char id[DCRYPTO_ID_MAX], comment[160];
	uint32_t seq;

	if (t->run->edge->sessions) {
		edge_ws_task(t, sched);
		return;
	}
	seq = ++a->seq;
	edge_id(t, seq, id);
	snprintf(comment, sizeof(comment), "medload %s ping mediator",
	    t->run->run_id);
	if (edge_post(t, "110_edge_ping_mediator", dmsg_ping(id, comment),
	    seq, sched, edge_ping_done) == -1)
		workflow_task_over(t, eng_now());
}

/* The steps, one row each, in the order of enum edge_kind. */
static const struct workflow_step edge_steps[EDGE_KINDS] = {
	[EDGE_CONNECT] = { .name = "100_edge_connect", .method = "POST",
	    .send = edge_send },
	[EDGE_COMPLETE] = { .name = "100_edge_connect_complete",
	    .method = "POST", .send = edge_send },
	[EDGE_MEDIATE] = { .name = "101_edge_mediate", .method = "POST",
	    .send = edge_send },
	[EDGE_KEYLIST] = { .name = "102_edge_keylist", .method = "POST",
	    .send = edge_send },
};

static const struct workflow_step *const edge_didx_steps[] = {
	&edge_steps[EDGE_CONNECT], &edge_steps[EDGE_COMPLETE],
	&edge_steps[EDGE_MEDIATE], &edge_steps[EDGE_KEYLIST],
};
static const struct workflow_step *const edge_conn_steps[] = {
	&edge_steps[EDGE_CONNECT], &edge_steps[EDGE_MEDIATE],
	&edge_steps[EDGE_KEYLIST],
};
static const struct workflow edge_didx = { edge_didx_steps, 4, edge_ping, 1 };
static const struct workflow edge_conn = { edge_conn_steps, 3, edge_ping, 1 };

const struct workflow *
edge_workflow(void)
{
	return &edge_didx;
}

int
edge_run_init(struct run *r, char **cause)
{
	struct edge_run *e;
	char *m;

	if (dcrypto_init(cause) == -1)
		return -1;
	e = util_calloc(1, sizeof(*e));
	if (dmsg_invitation_read(r->inv_json, &e->inv, cause) == -1 ||
	    config_check_url(r->c, "the invitation's serviceEndpoint",
	    e->inv.endpoint, cause) == -1) {
		if (*cause != NULL && strncmp(*cause, "invitation", 10) != 0) {
			m = *cause;
			*cause = util_printf("%s (edge agents post to the "
			    "mediator over HTTP)", m);
			free(m);
		}
		edge_run_free(e);
		return -1;
	}
	r->edge = e;
	r->wf = e->inv.handshake == DMSG_CONNECTIONS ? &edge_conn : &edge_didx;
	return 0;
}

void
edge_run_free(struct edge_run *e)
{
	if (e == NULL)
		return;
	dmsg_invitation_release(&e->inv);
	wsc_target_release(&e->ws);
	edge_steps_free(e->steps);
	sodium_memzero(e->run_key, sizeof(e->run_key));
	free(e);
}

void
edge_agent_free(struct edge_agent *a)
{
	if (a == NULL)
		return;
	edge_pickup_free(a);
	sodium_memzero(a, sizeof(*a));
	free(a);
}

size_t
edge_agent_size(void)
{
	return sizeof(struct edge_agent);
}
