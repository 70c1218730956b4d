/* seed_loop.c: the seed's Locust user loop, task by task. */
#include "seed_loop.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "call.h"
#include "jx.h"
#include "strbuf.h"
#include "tenant.h"
#include "util.h"
#include "workflow.h"

/* The four tasks of the loop, in order. */
enum seed_loop_step {
	SEED_CONNECT,
	SEED_LIST,
	SEED_OTHER,
	SEED_PING,
	SEED_STEPS
};

/* Whether t goes on with its loop (still ready, the run not stopping). */
static int
seed_loop_alive(const struct tenant *t)
{
	return t->state == TENANT_READY && !t->run->stopping;
}

/* The current task ended at end: the next one follows a think. */
static void
seed_loop_next(struct tenant *t, int64_t end)
{
	t->phase = (uint8_t)((t->phase + 1) % SEED_STEPS);
	workflow_task_over(t, end);
}

/*
 * Records a request of the loop that ended; returns its answer (caller
 * puts) when it succeeded, else NULL. *t gets the user; *end the end time.
 * The call is freed. Returns NULL with *t NULL for a request abandoned at
 * the end of the run.
 */
static struct json_object *
seed_loop_result(void *arg, const struct eng_result *res, struct tenant **t,
    int64_t *end)
{
	struct call *cl = arg;
	struct json_object *o;
	enum stats_err err;
	char msg[160];

	*t = NULL;
	if (res == NULL) {
		free(cl);
		return NULL;
	}
	o = call_classify(res, &err, msg, sizeof(msg));
	call_record_result(cl, res, err, msg, NULL);
	*t = cl->t;
	*end = res->end_us;
	free(cl);
	if (o != NULL && err != STATS_OK) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* Sends step s of the table for t (with as's token) at sched. */
static void
seed_loop_send(struct tenant *t, struct tenant *as, const char *name,
    int64_t sched, eng_done_fn fn)
{
	const struct workflow_step *s = workflow_step(name);
	struct strbuf path, body;

	strbuf_init(&path, 0);
	strbuf_init(&body, 0);
	s->path(t, &path);
	if (s->body != NULL)
		s->body(t, &body);
	call_send(t, as, s->method, s->name, path.data, s->body != NULL ?
	    (body.data != NULL ? body.data : "") : NULL, sched, fn);
	strbuf_release(&path);
	strbuf_release(&body);
}

/* 001 ended: the mediator connection is known (its state too). */
static void
seed_loop_connected(void *arg, const struct eng_result *res)
{
	const struct workflow_step *s = workflow_step("001_connect_to_mediator");
	struct tenant *t;
	int64_t end;
	struct json_object *o = seed_loop_result(arg, res, &t, &end);

	if (t == NULL)
		return;
	if (o != NULL && s->take(t, o, NULL) == 0)
		t->med_active = (uint8_t)workflow_active(call_str(o, "state"));
	json_object_put(o);
	seed_loop_next(t, end);
}

/*
 * Refreshes what t knows of its connections from a list answer, as the
 * seed indexes them by alias: "mediator", else the pair's connection.
 */
static void
seed_loop_learn(struct tenant *t, struct json_object *o)
{
	struct json_object *res = jx_get(o, "results"), *e;
	const char *alias, *id;
	size_t i;

	for (i = 0; i < jx_len(res); i++) {
		e = jx_at(res, i);
		alias = call_str(e, "alias");
		id = call_str(e, "connection_id");
		if (alias == NULL || id == NULL)
			continue;
		if (strcmp(alias, "mediator") == 0) {
			if (t->med_conn[0] == '\0' ||
			    strcmp(t->med_conn, id) == 0) {
				call_copy_id(t->med_conn, id);
				t->med_active = (uint8_t)workflow_active(
				    call_str(e, "state"));
			}
		} else if (t->peer_conn[0] == '\0' ||
		    strcmp(t->peer_conn, id) == 0) {
			call_copy_id(t->peer_conn, id);
			t->peer_active = (uint8_t)workflow_active(
			    call_str(e, "state"));
		}
	}
}

/* 002 ended. */
static void
seed_loop_listed(void *arg, const struct eng_result *res)
{
	struct tenant *t;
	int64_t end;
	struct json_object *o = seed_loop_result(arg, res, &t, &end);

	if (t == NULL)
		return;
	if (o != NULL)
		seed_loop_learn(t, o);
	json_object_put(o);
	seed_loop_next(t, end);
}

/* 013 ended: the state of t's side of the pair's connection. */
static void
seed_loop_fetched(void *arg, const struct eng_result *res)
{
	const struct workflow_step *s = workflow_step("013_connection_fetch");
	const char *state = NULL;
	struct tenant *t;
	int64_t end;
	struct json_object *o = seed_loop_result(arg, res, &t, &end);

	if (t == NULL)
		return;
	if (o != NULL && s->take(t, o, &state) == 0)
		t->peer_active = (uint8_t)workflow_active(state);
	json_object_put(o);
	seed_loop_next(t, end);
}

/*
 * Records a request of the loop and lets step name's row take its answer.
 * Returns whether it did; *t is NULL for a request abandoned at the end.
 */
static int
seed_loop_took(void *arg, const struct eng_result *res, const char *name,
    struct tenant **t, int64_t *end)
{
	const struct workflow_step *s = workflow_step(name);
	struct json_object *o = seed_loop_result(arg, res, t, end);
	int ok = o != NULL && s->take(*t, o, NULL) == 0;

	json_object_put(o);
	return ok && *t != NULL && seed_loop_alive(*t);
}

/* 012 ended: the peer holds the invitation; t fetches its connection. */
static void
seed_loop_received(void *arg, const struct eng_result *res)
{
	struct tenant *t;
	int64_t end;

	if (seed_loop_took(arg, res, "012_receive_invitation", &t, &end))
		seed_loop_send(t, t, "013_connection_fetch", end,
		    seed_loop_fetched);
	else if (t != NULL)
		seed_loop_next(t, end);
}

/* 011 ended: the peer receives the invitation with its own token. */
static void
seed_loop_invited(void *arg, const struct eng_result *res)
{
	struct tenant *t;
	int64_t end;

	if (seed_loop_took(arg, res, "011_create_invitation", &t, &end) &&
	    tenant_peer(t) != NULL && tenant_peer(t)->token != NULL)
		seed_loop_send(t, tenant_peer(t), "012_receive_invitation", end,
		    seed_loop_received);
	else if (t != NULL)
		seed_loop_next(t, end);
}

/* Task 3: even users invite the previous user, then fetch the pair. */
static void
seed_loop_other(struct tenant *t, int64_t sched)
{
	const struct tenant *peer = tenant_peer(t);

	if (t->num % 2 == 1 || peer == NULL || peer->token == NULL) {
		seed_loop_next(t, sched);	/* nothing to do this time */
		return;
	}
	if (t->peer_conn[0] == '\0')
		seed_loop_send(t, t, "011_create_invitation", sched,
		    seed_loop_invited);
	else
		seed_loop_send(t, t, "013_connection_fetch", sched,
		    seed_loop_fetched);
}

static void seed_loop_ping(struct tenant *t, int64_t sched);

/* A ping ended; the next active connection is pinged. */
static void
seed_loop_pinged(void *arg, const struct eng_result *res)
{
	struct tenant *t;
	int64_t end;
	struct json_object *o = seed_loop_result(arg, res, &t, &end);

	json_object_put(o);
	if (t == NULL)
		return;
	t->ping_i++;
	if (seed_loop_alive(t))
		seed_loop_ping(t, end);
	else
		seed_loop_next(t, end);
}

/* Task 4: pings every active connection, one after the other. */
static void
seed_loop_ping(struct tenant *t, int64_t sched)
{
	char path[128], body[256], name[160];
	int med = 1;

	for (; t->ping_i < 2; t->ping_i++) {
		med = t->ping_i == 0;
		if (med ? t->med_active && t->med_conn[0] != '\0' :
		    t->peer_active && t->peer_conn[0] != '\0')
			break;
	}
	if (t->ping_i >= 2) {
		seed_loop_next(t, sched);
		return;
	}
	snprintf(path, sizeof(path), "/connections/%s/send-ping", med ?
	    t->med_conn : t->peer_conn);
	snprintf(body, sizeof(body), "{\"comment\":\"%s pinging...\"}",
	    tenant_name(t, name, sizeof(name)));
	call_send(t, t, "POST", med ? "021_ping_mediator" : "022_ping_other",
	    path, body, sched, seed_loop_pinged);
}

void
seed_loop_task(struct tenant *t, int64_t sched)
{
	switch ((enum seed_loop_step)t->phase) {
	case SEED_CONNECT:
		if (t->med_conn[0] != '\0')
			seed_loop_next(t, sched);
		else
			seed_loop_send(t, t, "001_connect_to_mediator", sched,
			    seed_loop_connected);
		break;
	case SEED_LIST:
		call_send(t, t, "GET", "002_connections_list", "/connections",
		    NULL, sched, seed_loop_listed);
		break;
	case SEED_OTHER:
		seed_loop_other(t, sched);
		break;
	default:
		t->ping_i = 0;
		seed_loop_ping(t, sched);
		break;
	}
}
