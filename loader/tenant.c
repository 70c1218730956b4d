/* tenant.c: a simulated user's state machine through its setup steps. */
#include "tenant.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "call.h"
#include "engine.h"
#include "schedule.h"
#include "util.h"
#include "workflow.h"

/* Setup steps, in order; some are skipped by scenario or protocol. */
enum tenant_step {
	STEP_WALLET,		/* 000_create_wallet */
	STEP_CONNECT,		/* 001_connect_to_mediator */
	STEP_MED_ACTIVE,	/* 002_connections_list until active */
	STEP_REQ_MED,		/* 003_request_mediation */
	STEP_GRANTED,		/* 004_mediation_granted (poll) */
	STEP_DEFAULT,		/* 005_default_mediator */
	STEP_PEER_WAIT,		/* the peer finished its setup */
	STEP_CREATE_INV,	/* 011_create_invitation */
	STEP_RECEIVE_INV,	/* 012_receive_invitation (peer's token) */
	STEP_FETCH_OWN,		/* 013_connection_fetch, own side */
	STEP_FETCH_PEER,	/* 013_connection_fetch, peer's side */
	STEP_DONE,
};

static void tenant_step_run(struct tenant *t, int64_t sched);

struct tenant *
tenant_peer(const struct tenant *t)
{
	return t->k > 0 ? t->run->tenants[t->k - 1] : NULL;
}

struct tenant *
tenant_new(struct run *r)
{
	struct tenant *t;

	if (r->ntenants == r->atenants) {
		r->atenants = r->atenants ? r->atenants * 2 : 64;
		r->tenants = util_realloc(r->tenants, r->atenants *
		    sizeof(*r->tenants));
		r->ready = util_realloc(r->ready, r->atenants *
		    sizeof(*r->ready));
	}
	t = util_calloc(1, sizeof(*t));
	t->run = r;
	t->k = (unsigned)r->ntenants;
	t->num = run_user_num(r, t->k);
	t->ready_idx = -1;
	t->state = TENANT_SETUP;
	r->tenants[r->ntenants++] = t;
	return t;
}

const char *
tenant_name(const struct tenant *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s-%u", t->run->c->label_prefix,
	    t->run->run_id, t->num);
	return buf;
}

/* Removes a tenant from the ready list. */
static void
tenant_unready(struct tenant *t)
{
	struct run *r = t->run;

	if (t->ready_idx < 0)
		return;
	r->ready[t->ready_idx] = r->ready[--r->nready];
	r->ready[t->ready_idx]->ready_idx = t->ready_idx;
	t->ready_idx = -1;
}

void
tenant_clear(struct tenant *t)
{
	if (t->token != NULL) {
		memset(t->token, 0, strlen(t->token));
		free(t->token);
		t->token = NULL;
	}
	free(t->inv);
	t->inv = NULL;
}

void
tenant_free(struct tenant *t)
{
	if (t == NULL)
		return;
	tenant_clear(t);
	free(t);
}

void
tenant_leave(struct tenant *t, enum tenant_state why)
{
	struct run *r = t->run;

	if (t->state == TENANT_STOPPED || t->state == TENANT_FAILED)
		return;
	tenant_unready(t);
	t->state = why;
	r->actual--;
	if (why == TENANT_FAILED)
		r->gave_up++;
	schedule_wake(r);
}

/* Next setup step after s for this run's scenario. */
static enum tenant_step
tenant_next_step(const struct tenant *t, enum tenant_step s)
{
	const struct run *r = t->run;

	s++;
	if (r->c->scenario == CONFIG_SCENARIO_SEED &&
	    (s == STEP_REQ_MED || s == STEP_GRANTED || s == STEP_DEFAULT))
		s = STEP_PEER_WAIT;
	if (s == STEP_PEER_WAIT && t->num % 2 == 1)
		s = STEP_DONE;	/* odd users are invited, never invite */
	return s;
}

/* Timer: run the tenant's current step. */
static void
tenant_timer(void *arg, int64_t at)
{
	struct tenant *t = arg;

	if (t->state == TENANT_SETUP && !t->run->stopping)
		tenant_step_run(t, at);
}

/* The tenant finished its setup. */
static void
tenant_ready(struct tenant *t, int64_t now)
{
	struct run *r = t->run;

	t->state = TENANT_READY;
	t->ready_idx = (int)r->nready;
	r->ready[r->nready++] = t;
	schedule_think(t, now);
}

/* Moves on to step s now. */
static void
tenant_advance(struct tenant *t, enum tenant_step s, int64_t now)
{
	t->step = (uint8_t)s;
	t->tries = 0;
	t->wait_start = 0;
	if (s == STEP_DONE) {
		free(t->inv);
		t->inv = NULL;
		tenant_ready(t, now);
		return;
	}
	tenant_step_run(t, now);
}

/* The step failed: retry after a backoff, or give up. */
static void
tenant_step_failed(struct tenant *t, int64_t now)
{
	struct run *r = t->run;

	if (t->step >= STEP_PEER_WAIT) {
		/* peering failed: carry on without a peer */
		t->peer_ok = 0;
		tenant_advance(t, STEP_DONE, now);
		return;
	}
	if (t->tries < r->c->retries) {
		t->tries++;
		eng_timer(r->eng, now + 1000000LL * t->tries, tenant_timer, t);
		return;
	}
	tenant_leave(t, TENANT_FAILED);
	tenant_clear(t);
}

/* A state wait saw "not yet": poll again, or time out. */
static void
tenant_wait_more(struct tenant *t, const char *name, int64_t now)
{
	struct run *r = t->run;

	if (now >= t->wait_deadline) {
		char msg[64];

		snprintf(msg, sizeof(msg), "timeout: no state change in %gs",
		    r->c->wait_timeout);
		call_record(r, "WAIT", name, t, t->wait_start, t->wait_start,
		    now, 0, STATS_ERR_TIMEOUT, msg, NULL, 0);
		t->wait_start = 0;
		tenant_step_failed(t, now);
		return;
	}
	eng_timer(r->eng, now + t->poll_delay, tenant_timer, t);
	t->poll_delay *= 2;
	if (t->poll_delay > 2000000)
		t->poll_delay = 2000000;
}

/* A state wait ended well: record its duration and advance. */
static void
tenant_wait_done(struct tenant *t, const char *name, int64_t now)
{
	call_record(t->run, "WAIT", name, t, t->wait_start, t->wait_start,
	    now, 200, STATS_OK, NULL, NULL, 0);
	tenant_advance(t, tenant_next_step(t, (enum tenant_step)t->step), now);
}

/* Says whether a connection state means ready. */
static int
tenant_conn_active(const char *state)
{
	return state != NULL && (strcmp(state, "active") == 0 ||
	    strcmp(state, "completed") == 0);
}

/* A setup request ended. */
static void
tenant_done(void *arg, const struct eng_result *res)
{
	struct call *cl = arg;
	struct tenant *t = cl->t, *peer;
	struct run *r = t->run;
	struct json_object *o;
	enum stats_err err;
	const char *v = NULL, *state;
	char msg[160];
	int ok = 1, reached = 1;

	if (res == NULL) {	/* abandoned at the end of the run */
		free(cl);
		return;
	}
	o = call_classify(res, &err, msg, sizeof(msg));
	if (o != NULL && !r->stopping && t->state == TENANT_SETUP) {
		switch ((enum tenant_step)t->step) {
		case STEP_WALLET:
			v = call_str(o, "token");
			if (v == NULL || *v == '\0')
				ok = 0;
			else {
				tenant_clear(t);
				t->token = util_strdup(v);
			}
			break;
		case STEP_CONNECT:
			ok = call_copy_id(t->med_conn,
			    call_str(o, "connection_id")) == 0;
			break;
		case STEP_MED_ACTIVE:
			state = workflow_find_conn(o, t->med_conn, &v);
			reached = tenant_conn_active(state);
			break;
		case STEP_REQ_MED:
			ok = call_copy_id(t->med_id,
			    call_str(o, "mediation_id")) == 0;
			break;
		case STEP_GRANTED:
			state = call_str(o, "state");
			reached = state != NULL && strcmp(state, "granted") == 0;
			break;
		case STEP_DEFAULT:
			break;
		case STEP_CREATE_INV: {
			struct json_object *inv;

			ok = json_object_object_get_ex(o, "invitation", &inv)
			    && json_object_is_type(inv, json_type_object);
			if (ok) {
				free(t->inv);
				t->inv = util_strdup(
				    json_object_to_json_string_ext(inv,
				    JSON_C_TO_STRING_PLAIN));
			}
			if (ok && r->protocol == CONFIG_PROTOCOL_CONNECTIONS)
				ok = call_copy_id(t->peer_conn,
				    call_str(o, "connection_id")) == 0;
			break;
		}
		case STEP_RECEIVE_INV:
			peer = r->tenants[t->k - 1];
			ok = call_copy_id(peer->peer_conn,
			    call_str(o, "connection_id")) == 0;
			break;
		case STEP_FETCH_OWN:
			if (r->protocol == CONFIG_PROTOCOL_OOB) {
				state = workflow_find_conn(o, NULL, &v);
				if (v != NULL)
					call_copy_id(t->peer_conn, v);
			} else
				state = call_str(o, "state");
			reached = tenant_conn_active(state);
			break;
		case STEP_FETCH_PEER:
			reached = tenant_conn_active(call_str(o, "state"));
			break;
		default:
			break;
		}
		if (!ok) {
			err = STATS_ERR_BODY;
			snprintf(msg, sizeof(msg), "body: no usable %s",
			    t->step == STEP_WALLET ? "token" :
			    t->step == STEP_CREATE_INV ? "invitation" :
			    t->step == STEP_REQ_MED ? "mediation_id" :
			    "connection_id");
		}
	}
	call_record_result(cl, res, err, msg, NULL);
	json_object_put(o);
	free(cl);
	if (r->stopping || t->state != TENANT_SETUP)
		return;
	if (err != STATS_OK) {
		tenant_step_failed(t, res->end_us);
		return;
	}
	switch ((enum tenant_step)t->step) {
	case STEP_MED_ACTIVE:
	case STEP_GRANTED:
	case STEP_FETCH_OWN:
	case STEP_FETCH_PEER:
		if (!reached) {
			tenant_wait_more(t, t->step == STEP_MED_ACTIVE ?
			    "002_connections_list" : t->step == STEP_GRANTED ?
			    "004_mediation_granted" : "013_connection_fetch",
			    res->end_us);
			return;
		}
		if (t->step == STEP_FETCH_PEER) {
			peer = r->tenants[t->k - 1];
			t->peer_ok = 1;
			peer->peer_ok = 1;
		}
		tenant_wait_done(t, t->step == STEP_MED_ACTIVE ?
		    "002_connections_list" : t->step == STEP_GRANTED ?
		    "004_mediation_granted" : "013_connection_fetch",
		    res->end_us);
		return;
	default:
		tenant_advance(t, tenant_next_step(t, (enum tenant_step)t->step),
		    res->end_us);
	}
}

/* Starts a wait when it is not running yet. */
static void
tenant_wait_begin(struct tenant *t, int64_t now)
{
	if (t->wait_start != 0)
		return;
	t->wait_start = now;
	t->wait_deadline = now + (int64_t)(t->run->c->wait_timeout * 1e6);
	t->poll_delay = (int64_t)(t->run->c->poll_interval * 1e6);
}

/* Checks the peer's progress before inviting it. */
static void
tenant_peer_wait(struct tenant *t, int64_t now)
{
	struct run *r = t->run;
	struct tenant *peer = tenant_peer(t);

	if (peer == NULL || peer->state == TENANT_STOPPED ||
	    peer->state == TENANT_FAILED) {
		tenant_advance(t, STEP_DONE, now);
		return;
	}
	if (peer->state == TENANT_READY) {
		tenant_advance(t, STEP_CREATE_INV, now);
		return;
	}
	tenant_wait_begin(t, now);
	if (now >= t->wait_deadline) {
		tenant_advance(t, STEP_DONE, now);
		return;
	}
	eng_timer(r->eng, now + 250000, tenant_timer, t);
}

/* Issues the request of the tenant's current step. */
static void
tenant_step_run(struct tenant *t, int64_t sched)
{
	struct run *r = t->run;
	struct tenant *peer = tenant_peer(t);
	int oob = r->protocol == CONFIG_PROTOCOL_OOB;
	char path[512], name[160], pname[160];
	struct json_object *o;
	char *body;

	switch ((enum tenant_step)t->step) {
	case STEP_WALLET:
		body = workflow_wallet_body(t);
		call_send(t, t, "POST", "000_create_wallet",
		    "/multitenancy/wallet", body, sched, tenant_done);
		memset(body, 0, strlen(body));
		free(body);
		break;
	case STEP_CONNECT:
		call_send(t, t, "POST", "001_connect_to_mediator", oob ?
		    "/out-of-band/receive-invitation?alias=mediator&"
		    "auto_accept=true" : "/connections/receive-invitation?"
		    "alias=mediator&auto_accept=true", r->inv_json, sched,
		    tenant_done);
		break;
	case STEP_MED_ACTIVE:
		tenant_wait_begin(t, sched);
		call_send(t, t, "GET", "002_connections_list",
		    "/connections?alias=mediator", NULL, sched,
		    tenant_done);
		break;
	case STEP_REQ_MED:
		snprintf(path, sizeof(path), "/mediation/request/%s",
		    t->med_conn);
		call_send(t, t, "POST", "003_request_mediation", path, "{}",
		    sched, tenant_done);
		break;
	case STEP_GRANTED:
		tenant_wait_begin(t, sched);
		snprintf(path, sizeof(path), "/mediation/requests/%s",
		    t->med_id);
		call_send(t, t, "GET", "004_mediation_granted", path, NULL,
		    sched, tenant_done);
		break;
	case STEP_DEFAULT:
		snprintf(path, sizeof(path), "/mediation/%s/default-mediator",
		    t->med_id);
		call_send(t, t, "PUT", "005_default_mediator", path, NULL,
		    sched, tenant_done);
		break;
	case STEP_PEER_WAIT:
		tenant_peer_wait(t, sched);
		break;
	case STEP_CREATE_INV:
		tenant_name(t, name, sizeof(name));
		tenant_name(peer, pname, sizeof(pname));
		o = json_object_new_object();
		json_object_object_add(o, "my_label",
		    json_object_new_string(name));
		if (r->c->scenario == CONFIG_SCENARIO_MEDIATION)
			json_object_object_add(o, "mediation_id",
			    json_object_new_string(t->med_id));
		if (oob) {
			struct json_object *hp = json_object_new_array();

			json_object_object_add(o, "alias",
			    json_object_new_string(pname));
			json_object_array_add(hp, json_object_new_string(
			    "https://didcomm.org/didexchange/1.1"));
			json_object_object_add(o, "handshake_protocols", hp);
			json_object_object_add(o, "use_public_did",
			    json_object_new_boolean(0));
			snprintf(path, sizeof(path), "/out-of-band/"
			    "create-invitation?auto_accept=true");
		} else
			snprintf(path, sizeof(path), "/connections/"
			    "create-invitation?alias=%s&auto_accept=true",
			    pname);
		call_send(t, t, "POST", "011_create_invitation", path,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		    sched, tenant_done);
		json_object_put(o);
		break;
	case STEP_RECEIVE_INV:
		tenant_name(t, name, sizeof(name));
		snprintf(path, sizeof(path), "/%s/receive-invitation?alias=%s&"
		    "auto_accept=true%s%s", oob ? "out-of-band" :
		    "connections", name,
		    r->c->scenario == CONFIG_SCENARIO_MEDIATION ? "&mediation_id=" :
		    "", r->c->scenario == CONFIG_SCENARIO_MEDIATION ? peer->med_id :
		    "");
		call_send(t, peer, "POST", "012_receive_invitation", path,
		    t->inv, sched, tenant_done);
		break;
	case STEP_FETCH_OWN:
		tenant_wait_begin(t, sched);
		if (oob) {
			tenant_name(peer, pname, sizeof(pname));
			snprintf(path, sizeof(path), "/connections?alias=%s",
			    pname);
		} else
			snprintf(path, sizeof(path), "/connections/%s",
			    t->peer_conn);
		call_send(t, t, "GET", "013_connection_fetch", path, NULL,
		    sched, tenant_done);
		break;
	case STEP_FETCH_PEER:
		tenant_wait_begin(t, sched);
		snprintf(path, sizeof(path), "/connections/%s",
		    peer->peer_conn);
		call_send(t, peer, "GET", "013_connection_fetch", path, NULL,
		    sched, tenant_done);
		break;
	case STEP_DONE:
		break;
	}
}

void
tenant_start(struct tenant *t, int64_t now)
{
	t->state = TENANT_SETUP;
	if (t->run->c->scenario == CONFIG_SCENARIO_HTTP) {
		tenant_ready(t, now);
		return;
	}
	t->step = STEP_WALLET;
	tenant_step_run(t, now);
}
