/* tenant.c: a simulated user's state machine over its workflow's steps. */
#include "tenant.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "call.h"
#include "edge.h"
#include "edge_ws.h"
#include "engine.h"
#include "schedule.h"
#include "strbuf.h"
#include "util.h"
#include "workflow.h"

static void tenant_step_run(struct tenant *t, int64_t sched);

const char *
tenant_name(const struct tenant *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s-%u", t->run->c->label_prefix,
	    t->run->run_id, t->num);
	return buf;
}

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
	edge_agent_free(t->edge);
	free(t);
}

/* Removes a user from the ready list. */
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
tenant_leave(struct tenant *t, enum tenant_state why)
{
	struct run *r = t->run;

	if (t->state == TENANT_STOPPED || t->state == TENANT_FAILED)
		return;
	tenant_unready(t);
	edge_ws_stop(t);
	if (t->state == TENANT_SETUP && r->in_setup > 0)
		r->in_setup--;
	t->state = why;
	r->actual--;
	if (why == TENANT_FAILED)
		r->gave_up++;
	schedule_wake(r);
}

/* The step t is at (borrowed from the workflow), or NULL past the last. */
static const struct workflow_step *
tenant_step(const struct tenant *t)
{
	const struct workflow *w = t->run->wf;

	return t->step < w->nsteps ? w->steps[t->step] : NULL;
}

/*
 * The first step from step i on that t runs (the workflow's length when
 * none): odd users are invited, never invite, so they skip the peering
 * steps.
 */
static size_t
tenant_from(const struct tenant *t, size_t i)
{
	const struct workflow *w = t->run->wf;

	for (; i < w->nsteps; i++)
		if (!w->steps[i]->peering || t->num % 2 == 0)
			break;
	return i;
}

/* Timer: run the user's current step. */
static void
tenant_timer(void *arg, int64_t at)
{
	struct tenant *t = arg;

	if (t->state == TENANT_SETUP && !t->run->stopping)
		tenant_step_run(t, at);
}

/* The user finished its setup: it is ready for tasks. */
static void
tenant_ready(struct tenant *t, int64_t now)
{
	struct run *r = t->run;

	if (r->in_setup > 0)
		r->in_setup--;
	t->state = TENANT_READY;
	t->was_ready = 1;
	t->ready_idx = (int)r->nready;
	r->ready[r->nready++] = t;
	if (r->wf->task_at_once)
		schedule_task_at(t, now);
	else
		schedule_think(t, now);
}

/* Moves on to step i now (past the last: ready). */
static void
tenant_advance(struct tenant *t, size_t i, int64_t now)
{
	t->step = (uint8_t)i;
	t->tries = 0;
	t->wait_start = 0;
	if (i >= t->run->wf->nsteps) {
		free(t->inv);
		t->inv = NULL;
		tenant_ready(t, now);
		return;
	}
	tenant_step_run(t, now);
}

void
tenant_start(struct tenant *t, int64_t now)
{
	t->state = TENANT_SETUP;
	t->run->in_setup++;
	tenant_advance(t, tenant_from(t, 0), now);
}

/* The user goes on to its tasks, its setup over. */
static void
tenant_finish(struct tenant *t, int64_t now)
{
	tenant_advance(t, t->run->wf->nsteps, now);
}

/* The step failed: retry after a backoff, or give up. */
static void
tenant_step_failed(struct tenant *t, int64_t now)
{
	struct run *r = t->run;
	const struct workflow_step *s = tenant_step(t);

	if (s != NULL && s->peering) {
		/* peering failed: carry on without a peer */
		t->peer_ok = 0;
		tenant_finish(t, now);
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
	tenant_advance(t, tenant_from(t, t->step + 1u), now);
}

/* Waits for the peer to finish its setup before inviting it. */
static void
tenant_peer_wait(struct tenant *t, int64_t now)
{
	struct tenant *peer = tenant_peer(t);

	if (peer == NULL || peer->state == TENANT_STOPPED ||
	    peer->state == TENANT_FAILED) {
		tenant_finish(t, now);
		return;
	}
	if (peer->state == TENANT_READY) {
		tenant_advance(t, tenant_from(t, t->step + 1u), now);
		return;
	}
	tenant_wait_begin(t, now);
	if (now >= t->wait_deadline) {
		tenant_finish(t, now);
		return;
	}
	eng_timer(t->run->eng, now + 250000, tenant_timer, t);
}

/*
 * Reads a good answer o of step s into t. Returns whether a polling
 * step's state was reached; an unusable answer sets *err and msg.
 */
static int
tenant_take(struct tenant *t, const struct workflow_step *s,
    struct json_object *o, enum stats_err *err, char *msg, size_t size)
{
	const char *state = NULL;

	if (s->take != NULL && s->take(t, o, &state) == -1) {
		*err = STATS_ERR_BODY;
		snprintf(msg, size, "body: no usable %s", s->field);
		return 0;
	}
	return s->kind != WORKFLOW_POLL || workflow_reached(s, state);
}

/* A setup step's request ended. */
static void
tenant_done(void *arg, const struct eng_result *res)
{
	struct call *cl = arg;
	struct tenant *t = cl->t;
	struct run *r = t->run;
	const struct workflow_step *s;
	struct json_object *o;
	enum stats_err err;
	char msg[160];
	int reached = 1;

	if (res == NULL) {	/* abandoned at the end of the run */
		free(cl);
		return;
	}
	s = tenant_step(t);
	o = call_classify(res, &err, msg, sizeof(msg));
	if (o != NULL && !r->stopping && t->state == TENANT_SETUP)
		reached = tenant_take(t, s, o, &err, msg, sizeof(msg));
	call_record_result(cl, res, err, msg, NULL);
	json_object_put(o);
	free(cl);
	if (r->stopping || t->state != TENANT_SETUP)
		return;
	if (err != STATS_OK)
		tenant_step_failed(t, res->end_us);
	else if (!reached)
		tenant_wait_more(t, s->name, res->end_us);
	else {
		if (s->reached != NULL)
			s->reached(t);
		if (s->kind == WORKFLOW_POLL)
			tenant_wait_done(t, s->name, res->end_us);
		else
			tenant_advance(t, tenant_from(t, t->step + 1u),
			    res->end_us);
	}
}

void
tenant_step_end(struct tenant *t, int ok, int64_t end)
{
	if (t->run->stopping || t->state != TENANT_SETUP)
		return;
	if (!ok)
		tenant_step_failed(t, end);
	else
		tenant_advance(t, tenant_from(t, t->step + 1u), end);
}

/* Runs the user's current step: sends its request, or waits. */
static void
tenant_step_run(struct tenant *t, int64_t sched)
{
	const struct workflow_step *s = tenant_step(t);
	struct strbuf path, body;

	if (s->kind == WORKFLOW_AWAIT_PEER) {
		tenant_peer_wait(t, sched);
		return;
	}
	if (s->send != NULL) {
		s->send(t, s, sched);
		return;
	}
	if (s->kind == WORKFLOW_POLL)
		tenant_wait_begin(t, sched);
	strbuf_init(&path, 0);
	strbuf_init(&body, 0);
	s->path(t, &path);
	if (s->body != NULL)
		s->body(t, &body);
	call_send(t, s->as == WORKFLOW_AS_PEER ? tenant_peer(t) : t,
	    s->method, s->name, path.data, s->body == NULL ? NULL :
	    body.data != NULL ? body.data : "", sched, tenant_done);
	/* a body may hold a secret (the wallet key) */
	if (body.data != NULL)
		memset(body.data, 0, body.len);
	strbuf_release(&body);
	strbuf_release(&path);
}
