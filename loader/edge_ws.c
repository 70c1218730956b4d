/* edge_ws.c: edge agents' sessions, pickup and traffic between agents. */
#include "edge_ws.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "call.h"
#include "didcomm_envelope.h"
#include "edge.h"
#include "edge_pickup.h"
#include "edge_private.h"
#include "edge_steps.h"
#include "engine.h"
#include "jx.h"
#include "tenant.h"
#include "util.h"
#include "workflow.h"

#define EDGE_WS_BACKOFF_MIN 500000	/* us */
#define EDGE_WS_BACKOFF_MAX 30000000
#define EDGE_WS_WAIT_POLL 1000000	/* us: Pickup 2.0 poll while waiting */

static const char edge_ws_open_name[] = "120_edge_session";
static const char edge_ws_med_name[] = "110_edge_ping_mediator";
static const char edge_ws_peer_name[] = "130_edge_ping_peer";
static const char edge_ws_dlv_name[] = "131_edge_peer_delivered";
static const char edge_ws_off_name[] = "132_edge_offline_delivered";
#define EDGE_WS_OFFLINE_TAG "medload offline "

static void edge_ws_connect(struct tenant *t);
static void edge_ws_open(struct tenant *t);
void edge_ws_task(struct tenant *t, int64_t sched);

/* The run's session figures. */
static struct edge_ws_counts *
edge_ws_n(struct tenant *t)
{
	return &t->run->edge->n;
}

/* The request timeout, us. */
static int64_t
edge_ws_timeout(const struct tenant *t)
{
	return (int64_t)(t->run->c->request_timeout * 1e6);
}

void
edge_ws_record(struct tenant *t, const char *method, const char *name,
    int64_t sched, int64_t start, enum stats_err err, const char *msg,
    uint32_t seq)
{
	char id[DCRYPTO_ID_MAX];

	edge_id(t, seq, id);
	call_record(t->run, method, name, t, sched, start, eng_now(),
	    err == STATS_OK ? 101 : 0, err, err == STATS_OK ? NULL : msg, id,
	    0);
}

/* t's pair: the other agent of its two (k ^ 1), set up, or NULL. */
static struct tenant *
edge_ws_peer(struct tenant *t)
{
	struct run *r = t->run;
	struct tenant *p;

	if (r->c->edge_task != CONFIG_EDGE_TASK_PEER ||
	    (t->k ^ 1u) >= r->ntenants)
		return NULL;
	p = r->tenants[t->k ^ 1u];
	return p->edge != NULL && p->was_ready && p->state !=
	    TENANT_FAILED ? p : NULL;
}

int
edge_ws_send_mediator(struct tenant *t, char *msg, char **cause)
{
	struct edge_agent *a = t->edge;
	char *env;
	size_t len;
	int rc = -1;

	env = denv_pack(msg, strlen(msg), (const unsigned char (*)[32])
	    a->their, 1, &a->key, &len, cause);
	free(msg);
	if (env != NULL && (rc = wsc_send(a->ws, env, len)) == -1)
		util_fail(cause, "the session is closed");
	free(env);
	return rc;
}

/*
 * Sends msg (freed) on t's session to agent p: Authcrypt from t's
 * recipient key to p's, in a forward to p's key for the mediator's
 * routing key (p's DID document: its recipient key, the mediator's
 * routing key; the two agents share them in this process).
 */
static int
edge_ws_send_peer(struct tenant *t, struct tenant *p, char *msg,
    char **cause)
{
	struct edge_agent *a = t->edge;
	const unsigned char *to = dcrypto_pk(&edge_agent(p)->recip);
	char *env, *fw = NULL, id[DCRYPTO_ID_MAX];
	size_t len;
	int rc = -1;

	env = denv_pack(msg, strlen(msg), (const unsigned char (*)[32])to, 1,
	    &a->recip, &len, cause);
	free(msg);
	if (env != NULL) {
		edge_id(t, ++a->seq, id);
		fw = denv_forward_route(env, len, to, a->routing, id, 1,
		    &len, cause);
	}
	if (fw != NULL && (rc = wsc_send(a->ws, fw, len)) == -1)
		util_fail(cause, "the session is closed");
	free(env);
	free(fw);
	return rc;
}

void
edge_ws_poll(struct tenant *t)
{
	struct edge_agent *a = t->edge;
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	edge_id(t, ++a->seq, id);
	if (edge_ws_send_mediator(t, dmsg_ping_quiet(id, "medload pickup"),
	    &cause) == 0) {
		edge_ws_n(t)->polls++;
		a->polling = 1;
	}
	free(cause);
}

/* Fails what t waits for on its session (it closed, or time ran out). */
static void
edge_ws_fail_pending(struct tenant *t, enum stats_err err, const char *why,
    int64_t older)
{
	struct edge_agent *a = t->edge;
	int over = 0;

	if (a->pend_seq != 0 && a->pend_start <= older) {
		edge_ws_record(t, "WS", edge_ws_med_name, a->pend_sched,
		    a->pend_start, err, why, a->pend_seq);
		a->pend_seq = 0;
		over = 1;
	}
	if (a->peer_seq != 0 && a->peer_start <= older) {
		edge_ws_record(t, "WS", edge_ws_peer_name, a->peer_sched,
		    a->peer_start, err, why, a->peer_seq);
		a->peer_seq = 0;
		over = 1;
	}
	if (over)
		workflow_task_over(t, eng_now());
}

/* A session's deadlines: its opening ping, the task's answer. */
static void
edge_ws_due(void *arg, int64_t at)
{
	struct tenant *t = arg;
	struct edge_agent *a = t->edge;
	int64_t older = at - edge_ws_timeout(t) + 1000;

	if (a == NULL || a->stopped)
		return;		/* what it waited for was left in flight */
	edge_ws_fail_pending(t, STATS_ERR_TIMEOUT, "timeout: no answer on "
	    "the session", older);
	if (a->ws != NULL && !a->ws_up && a->ws_start <= older) {
		wsc_free(a->ws);
		a->ws = NULL;
		edge_ws_n(t)->open_failures++;
		edge_ws_record(t, "WS", edge_ws_open_name, a->ws_start,
		    a->ws_start, STATS_ERR_TIMEOUT, "timeout: the session did "
		    "not open", a->hello_seq);
		a->ws_fails++;
		edge_ws_connect(t);
	}
}

/* A scheduled reconnect is due. */
static void
edge_ws_retry_due(void *arg, int64_t at)
{
	struct tenant *t = arg;

	(void)at;
	t->edge->ws_retry = 0;
	if (!t->edge->stopped && !t->run->stopping && t->edge->ws == NULL &&
	    !t->edge->offline && t->state == TENANT_READY)
		edge_ws_open(t);
}

/* The session opened: its opening ping goes out. */
static void
edge_ws_opened(void *arg)
{
	struct tenant *t = arg;
	struct edge_agent *a = t->edge;
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	a->hello_seq = ++a->seq;
	edge_id(t, a->hello_seq, id);
	if (edge_ws_send_mediator(t, dmsg_ping(id, "medload session"),
	    &cause) == -1)
		edge_ws_n(t)->unexpected++;	/* cannot happen: it is open */
	free(cause);
}

static void edge_ws_hang_up(struct tenant *t);

/*
 * A session medload closed (the user stopped, the run ended) is over:
 * counted, answered or not; what it waited for stays in flight.
 */
static void
edge_ws_closed_by_us(struct tenant *t, const char *why)
{
	struct edge_agent *a = t->edge;
	struct edge_ws_counts *n = edge_ws_n(t);

	if (a->closing) {
		a->closing = 0;
		n->closing--;
		if (strncmp(why, WSC_CLOSE_ANSWERED,
		    strlen(WSC_CLOSE_ANSWERED)) == 0)
			n->closes_answered++;
		else
			n->closes_unanswered++;
	}
	edge_ws_hang_up(t);
}

/* The session ended: what waited fails, a reconnect is scheduled. */
static void
edge_ws_closed(void *arg, const char *why)
{
	struct tenant *t = arg;
	struct edge_agent *a = t->edge;
	struct edge_ws_counts *n = edge_ws_n(t);
	char msg[160];

	if (a->stopped) {
		edge_ws_closed_by_us(t, why);
		return;
	}
	n->bytes_in += wsc_bytes_in(a->ws);
	n->bytes_out += wsc_bytes_out(a->ws);
	snprintf(msg, sizeof(msg), "%s: %s", a->ws_up ? "session closed" :
	    "session", why);
	if (a->ws_up) {
		n->drops++;
		n->held--;
		a->ws_up = 0;
		edge_ws_fail_pending(t, STATS_ERR_CONNECTION, msg, INT64_MAX);
		edge_pickup_fail(t, STATS_ERR_CONNECTION, msg, INT64_MAX);
	} else {
		n->open_failures++;
		edge_ws_record(t, "WS", edge_ws_open_name, a->ws_start,
		    a->ws_start, STATS_ERR_CONNECTION, msg, a->hello_seq);
		a->ws_fails++;
	}
	wsc_free(a->ws);
	a->ws = NULL;
	a->polling = 0;
	edge_ws_connect(t);
}

/* Counts t's session's bytes and closes it (not a drop). */
static void
edge_ws_hang_up(struct tenant *t)
{
	struct edge_agent *a = t->edge;

	edge_ws_n(t)->bytes_in += wsc_bytes_in(a->ws);
	edge_ws_n(t)->bytes_out += wsc_bytes_out(a->ws);
	if (a->ws_up)
		edge_ws_n(t)->held--;
	a->ws_up = 0;
	a->polling = 0;
	wsc_free(a->ws);
	a->ws = NULL;
}

/*
 * --edge-offline: t goes offline (when nothing is in flight on its
 * session, else a little later) or comes back, as planned for at.
 */
static void
edge_ws_offline_due(void *arg, int64_t at)
{
	struct tenant *t = arg;
	struct edge_agent *a = t->edge;
	int64_t d = (int64_t)(t->run->c->edge_offline * 1e6);

	if (a == NULL || at != a->off_at || a->stopped || t->run->stopping)
		return;
	if (a->offline) {
		edge_ws_open(t);	/* offline until it is up */
		return;
	}
	if (!a->ws_up || at + 2 * d > t->run->end_at)
		return;		/* dropped (the next session plans again), or
				 * it would not be back in time to drain */
	if (a->pend_seq != 0 || a->peer_seq != 0 || a->pk_seq != 0)
		d = 200000;	/* busy: try again soon */
	else {
		edge_ws_hang_up(t);
		a->offline = 1;
		edge_ws_n(t)->pk.offline_periods++;
	}
	a->off_at = at + d;
	eng_timer(t->run->eng, a->off_at, edge_ws_offline_due, t);
}

/* With --edge-offline, the pair's second agent goes offline in a while. */
static void
edge_ws_offline_plan(struct tenant *t)
{
	struct edge_agent *a = t->edge;

	if (t->run->c->edge_offline <= 0 || (t->k & 1u) == 0)
		return;
	a->off_at = eng_now() + (int64_t)(t->run->c->edge_offline * 1e6);
	eng_timer(t->run->eng, a->off_at, edge_ws_offline_due, t);
}

/* The opening ping's answer: the session is up. */
static void
edge_ws_up(struct tenant *t)
{
	struct edge_agent *a = t->edge;
	struct edge_ws_counts *n = edge_ws_n(t);

	edge_ws_record(t, "WS", edge_ws_open_name, a->ws_start, a->ws_start,
	    STATS_OK, NULL, a->hello_seq);
	a->hello_seq = 0;
	a->ws_up = 1;
	a->offline = 0;
	a->ws_fails = 0;
	n->opened++;
	if (a->ws_was_open)
		n->reconnects++;
	a->ws_was_open = 1;
	if (++n->held > n->held_peak)
		n->held_peak = n->held;
	edge_pickup_up(t);	/* what queued while it was away */
	edge_ws_offline_plan(t);
	if (a->task_wait) {
		a->task_wait = 0;
		edge_ws_task(t, a->task_sched);
	}
}

void
edge_ws_from_mediator(struct tenant *t, const struct denv_opened *op)
{
	struct edge_agent *a = t->edge;
	struct json_object *o;
	char id[DCRYPTO_ID_MAX], *cause = NULL;
	uint32_t seq = a->hello_seq ? a->hello_seq : a->pend_seq;

	if (edge_pickup_answer(t, op))
		return;
	edge_id(t, seq, id);
	o = !op->authcrypt || memcmp(op->sender, a->their, DCRYPTO_PK) ||
	    seq == 0 ? NULL : dmsg_parse(op->msg, op->len,
	    "trust_ping/1.0/ping_response", id, &cause);
	free(cause);
	if (o == NULL) {
		edge_ws_n(t)->unexpected++;
		return;
	}
	json_object_put(o);
	if (a->hello_seq != 0) {
		edge_ws_up(t);
		return;
	}
	edge_ws_record(t, "WS", edge_ws_med_name, a->pend_sched,
	    a->pend_start, STATS_OK, NULL, a->pend_seq);
	a->pend_seq = 0;
	workflow_task_over(t, eng_now());
}

/*
 * Whether ping o is one p sent while t was offline ("medload offline SEQ
 * SENT", SENT on the one clock): then its delivery is recorded on p's
 * figures and counted, and it wants no answer.
 */
static int
edge_ws_offline_ping(struct tenant *t, struct tenant *p,
    struct json_object *o)
{
	const char *cm = jx_str(jx_get(o, "comment"), NULL);
	size_t tl = strlen(EDGE_WS_OFFLINE_TAG);
	unsigned long long seq, at;
	char *end;

	if (cm == NULL || strncmp(cm, EDGE_WS_OFFLINE_TAG, tl) != 0)
		return 0;
	seq = strtoull(cm + tl, &end, 10);
	if (*end != ' ' || seq == 0 || seq > UINT32_MAX)
		return 0;
	at = strtoull(end + 1, &end, 10);
	if (*end != '\0' || at == 0 || at > (unsigned long long)eng_now())
		return 0;
	edge_ws_record(p, "DELIVER", edge_ws_off_name, (int64_t)at,
	    (int64_t)at, STATS_OK, NULL, (uint32_t)seq);
	edge_ws_n(t)->pk.drained_on_reconnect++;
	if (t->edge->off_sent > 0)
		t->edge->off_sent--;
	return 1;
}

/* Peer p's ping o reached t: delivered (on p's clock), answered. */
static void
edge_ws_pinged(struct tenant *t, struct tenant *p, struct json_object *o)
{
	struct edge_agent *pa = p->edge;
	const char *mid = jx_str(jx_get(o, "@id"), NULL);
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	if (mid == NULL || strlen(mid) >= DCRYPTO_ID_MAX ||
	    edge_ws_offline_ping(t, p, o))
		return;
	edge_id(p, pa->peer_seq, id);
	if (pa->peer_seq != 0 && strcmp(id, mid) == 0) {
		edge_ws_record(p, "DELIVER", edge_ws_dlv_name, pa->peer_sched,
		    pa->peer_start, STATS_OK, NULL, pa->peer_seq);
		edge_ws_n(t)->peer_delivered++;
	}
	edge_id(t, ++t->edge->seq, id);
	if (edge_ws_send_peer(t, p, dmsg_ping_response(id, mid), &cause) ==
	    -1)
		edge_ws_n(t)->unexpected++;
	free(cause);
}

/* Whether op is the answer to t's ping to its peer, with @id id. */
static int
edge_ws_answer(struct tenant *t, const struct denv_opened *op,
    const char *id)
{
	struct json_object *o;
	char *cause = NULL;

	if (t->edge->peer_seq == 0)
		return 0;
	o = dmsg_parse(op->msg, op->len, "trust_ping/1.0/ping_response", id,
	    &cause);
	int ok;

	free(cause);
	ok = o != NULL;
	json_object_put(o);
	return ok;
}

int
edge_ws_from_agent(struct tenant *t, const struct denv_opened *op,
    int delivered)
{
	struct edge_agent *a = t->edge;
	struct tenant *p = edge_ws_peer(t);
	struct json_object *o = NULL;
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	if (p == NULL || !op->authcrypt || memcmp(op->sender,
	    dcrypto_pk(&p->edge->recip), DCRYPTO_PK) != 0)
		return -1;
	if (delivered)
		;	/* counted by edge_pickup */
	else if (a->polling)
		edge_ws_n(t)->drained++;
	else
		edge_ws_n(t)->pushed++;
	a->polling = 0;
	edge_id(t, a->peer_seq, id);
	if ((o = dmsg_parse(op->msg, op->len, "trust_ping/1.0/ping", NULL,
	    &cause)) != NULL)
		edge_ws_pinged(t, p, o);
	else if (edge_ws_answer(t, op, id)) {
		edge_ws_record(t, "WS", edge_ws_peer_name, a->peer_sched,
		    a->peer_start, STATS_OK, NULL, a->peer_seq);
		edge_ws_n(t)->peer_answered++;
		a->peer_seq = 0;
		workflow_task_over(t, eng_now());
	} else
		edge_ws_n(t)->unexpected++;
	json_object_put(o);
	free(cause);
	if (!a->ws_up || delivered)
		return 0;
	if (edge_pickup_on(t))
		edge_pickup_poll(t);
	else
		edge_ws_poll(t);	/* the next queued one, if any */
	return 0;
}

/* One frame on t's session: for its connection key, or its routing key. */
static void
edge_ws_message(void *arg, const unsigned char *p, size_t n)
{
	struct tenant *t = arg;
	struct denv_opened op;
	char *cause = NULL;

	if (denv_unpack((const char *)p, n, &t->edge->key, &op, &cause) ==
	    0) {
		edge_ws_from_mediator(t, &op);
		denv_opened_release(&op);
		return;
	}
	free(cause);
	cause = NULL;
	if (edge_pickup_dup(t, p, n))
		return;
	if (denv_unpack((const char *)p, n, &t->edge->recip, &op, &cause) ==
	    -1 || edge_ws_from_agent(t, &op, 0) == -1)
		edge_ws_n(t)->unexpected++;
	denv_opened_release(&op);
	free(cause);
}

static const struct wsc_cb edge_ws_cb = {
	edge_ws_opened, edge_ws_message, edge_ws_closed
};

/* Opens t's session now. */
static void
edge_ws_open(struct tenant *t)
{
	struct edge_agent *a = t->edge;
	struct run *r = t->run;
	int64_t now = eng_now();
	char *cause = NULL;

	a->ws_start = now;
	a->hello_seq = ++a->seq;
	r->edge->n.connects++;
	a->ws = wsc_open(r->eng, &r->edge->ws, DENV_MAX, &edge_ws_cb, t,
	    &cause);
	if (a->ws == NULL) {
		r->edge->n.open_failures++;
		edge_ws_record(t, "WS", edge_ws_open_name, now, now,
		    STATS_ERR_CONNECTION, cause, a->hello_seq);
		free(cause);
		a->ws_fails++;
		edge_ws_connect(t);
		return;
	}
	eng_timer(r->eng, now + edge_ws_timeout(t), edge_ws_due, t);
}

int64_t
edge_ws_backoff(unsigned fails, double u)
{
	int64_t d = (int64_t)EDGE_WS_BACKOFF_MIN << (fails < 6 ? fails : 6);

	if (d > EDGE_WS_BACKOFF_MAX)
		d = EDGE_WS_BACKOFF_MAX;
	return (int64_t)((double)d * (0.5 + u));
}

/* Opens t's session: at once the first time, else after the backoff. */
static void
edge_ws_connect(struct tenant *t)
{
	struct edge_agent *a = t->edge;
	struct run *r = t->run;
	int64_t d;

	if (a->stopped || r->stopping || a->ws != NULL || a->ws_retry ||
	    t->state != TENANT_READY)
		return;
	if (a->ws_fails == 0 && !a->ws_was_open) {
		edge_ws_open(t);
		return;
	}
	d = edge_ws_backoff(a->ws_fails, run_rand(r));
	a->ws_retry = 1;
	eng_timer(r->eng, eng_now() + d, edge_ws_retry_due, t);
}

int
edge_ws_init(struct run *r, char **cause)
{
	if (r->c->edge_ws == NULL) {
		if (r->c->edge_task == CONFIG_EDGE_TASK_PEER)
			return util_fail(cause, "edge_task peer needs edge_ws "
			    "(agents reach each other on their sessions)");
		return 0;
	}
	if (wsc_target_parse(r->c->edge_ws, r->c->cacert,
	    r->c->insecure, &r->edge->ws, cause) == -1 ||
	    edge_steps_limit(r, cause) == -1)
		return -1;
	r->edge->sessions = 1;
	r->edge->pickup_known = -1;
	return 0;
}

void
edge_ws_start(struct tenant *t)
{
	if (t->run->edge->sessions)
		edge_ws_connect(t);
}

/*
 * Sends t's ping to peer p, offline (--edge-offline): it wants no answer
 * and says when it left, so p times its delivery when it comes back.
 */
static int
edge_ws_ping_offline(struct tenant *t, struct tenant *p, char **cause)
{
	struct edge_agent *a = t->edge;
	char id[DCRYPTO_ID_MAX], comment[80];
	uint32_t seq = ++a->seq;

	edge_id(t, seq, id);
	snprintf(comment, sizeof(comment), EDGE_WS_OFFLINE_TAG "%u %lld",
	    (unsigned)seq, (long long)eng_now());
	if (edge_ws_send_peer(t, p, dmsg_ping_quiet(id, comment), cause) ==
	    -1)
		return -1;
	edge_ws_n(t)->pk.offline_sent++;
	p->edge->off_sent++;
	return 0;
}

/*
 * Pickup 2.0: t still waits for its peer's answer, which may wait in the
 * mediator's queue (ACA-Py queues what comes while the session's one
 * reply buffer is busy, and pushes it only after t's next message): a
 * delivery-request every second of the wait. at tells the ping apart.
 */
static void
edge_ws_wait_poll(void *arg, int64_t at)
{
	struct tenant *t = arg;
	struct edge_agent *a = t->edge;

	if (a == NULL || a->stopped || a->peer_seq == 0 || !a->ws_up ||
	    at <= a->peer_start || (at - a->peer_start) % EDGE_WS_WAIT_POLL != 0 ||
	    at - a->peer_start >= edge_ws_timeout(t))
		return;
	edge_pickup_poll(t);
	eng_timer(t->run->eng, at + EDGE_WS_WAIT_POLL, edge_ws_wait_poll, t);
}

/* Sends t's ping to peer p (or, without one, to the mediator). */
static int
edge_ws_ping(struct tenant *t, struct tenant *p, int64_t sched,
    char **cause)
{
	struct edge_agent *a = t->edge;
	char id[DCRYPTO_ID_MAX], comment[160];
	uint32_t seq = ++a->seq;

	edge_id(t, seq, id);
	snprintf(comment, sizeof(comment), "medload %s ping %s",
	    t->run->run_id, p ? "peer" : "mediator");
	if (p == NULL) {
		a->pend_seq = seq;
		a->pend_sched = sched;
		a->pend_start = eng_now();
		return edge_ws_send_mediator(t, dmsg_ping(id, comment), cause);
	}
	a->peer_seq = seq;
	a->peer_sched = sched;
	a->peer_start = eng_now();
	edge_ws_n(t)->peer_sent++;
	if (edge_pickup_on(t))
		eng_timer(t->run->eng, a->peer_start + EDGE_WS_WAIT_POLL,
		    edge_ws_wait_poll, t);
	return edge_ws_send_peer(t, p, dmsg_ping(id, comment), cause);
}

void
edge_ws_task(struct tenant *t, int64_t sched)
{
	struct edge_agent *a = edge_agent(t);
	struct tenant *p = edge_ws_peer(t);
	char *cause = NULL;

	if (a->pend_seq != 0 || a->peer_seq != 0) {
		t->run->tasks_skipped++;	/* open pacing: still busy */
		return;
	}
	if (a->offline || (a->ws_up && p != NULL && p->edge->offline)) {
		if (!a->offline && edge_ws_ping_offline(t, p, &cause) == -1) {
			edge_ws_n(t)->unexpected++;	/* it is open */
			free(cause);
		}
		workflow_task_over(t, eng_now());	/* nothing to wait for */
		return;
	}
	if (!a->ws_up && !a->ws_was_open) {
		a->task_wait = 1;	/* the first session is on its way */
		a->task_sched = sched;
		return;
	}
	if (!a->ws_up) {
		edge_ws_record(t, "WS", p ? edge_ws_peer_name :
		    edge_ws_med_name, sched, eng_now(), STATS_ERR_CONNECTION,
		    "no session (reconnecting)", ++a->seq);
		workflow_task_over(t, eng_now());
		return;
	}
	if (edge_ws_ping(t, p, sched, &cause) == -1) {
		edge_ws_fail_pending(t, STATS_ERR_OTHER, cause, INT64_MAX);
		free(cause);
		return;
	}
	eng_timer(t->run->eng, eng_now() + edge_ws_timeout(t), edge_ws_due,
	    t);
}

void
edge_ws_stop(struct tenant *t)
{
	struct edge_agent *a = t->edge;

	if (a == NULL || a->stopped)
		return;
	a->stopped = 1;
	if (a->ws == NULL)
		return;
	if (!a->ws_up) {
		edge_ws_hang_up(t);
		return;
	}
	/* a closing handshake, as an app that quits does it: the mediator
	 * is not left writing to a socket that is gone */
	a->closing = 1;
	edge_ws_n(t)->closing++;
	if (wsc_close(a->ws, 1000, "medload: the session ends") == -1)
		edge_ws_closed_by_us(t, "not open");
}

unsigned
edge_ws_end_all(struct run *r)
{
	size_t i;

	if (r->edge == NULL || !r->edge->sessions)
		return 0;
	if (!r->edge->n.ended) {
		r->edge->n.ended = 1;
		r->edge->n.held_end = r->edge->n.held;
	}
	for (i = 0; i < r->ntenants; i++)
		edge_ws_stop(r->tenants[i]);
	return r->edge->n.closing;
}

unsigned
edge_ws_closing(const struct run *r)
{
	return r->edge == NULL ? 0 : r->edge->n.closing;
}

void
edge_ws_close_all(struct run *r)
{
	size_t i;

	if (r->edge == NULL || !r->edge->sessions)
		return;
	(void)edge_ws_end_all(r);
	for (i = 0; i < r->ntenants; i++)
		if (r->tenants[i]->edge != NULL &&
		    r->tenants[i]->edge->ws != NULL)
			edge_ws_closed_by_us(r->tenants[i], "not answered");
}

/* Adds counter v as key to o. */
static void
edge_ws_add(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

struct json_object *
edge_ws_results(const struct run *r)
{
	const struct edge_ws_counts *n;
	struct json_object *o;
	uint64_t in, out;
	size_t i;

	if (r->edge == NULL || !r->edge->sessions)
		return NULL;
	n = &r->edge->n;
	o = json_object_new_object();
	edge_ws_add(o, "held_now", n->ended ? n->held_end : n->held);
	edge_ws_add(o, "held_peak", n->held_peak);
	edge_ws_add(o, "connects", n->connects);
	edge_ws_add(o, "opened", n->opened);
	edge_ws_add(o, "open_failures", n->open_failures);
	edge_ws_add(o, "drops", n->drops);
	edge_ws_add(o, "reconnects", n->reconnects);
	edge_ws_add(o, "pushed", n->pushed);
	edge_ws_add(o, "polls", n->polls);
	edge_ws_add(o, "drained", n->drained);
	edge_ws_add(o, "unexpected_frames", n->unexpected);
	edge_ws_add(o, "peer_pings_sent", n->peer_sent);
	edge_ws_add(o, "peer_pings_delivered", n->peer_delivered);
	edge_ws_add(o, "peer_pings_answered", n->peer_answered);
	in = n->bytes_in;
	out = n->bytes_out;
	for (i = 0; i < r->ntenants; i++)
		if (r->tenants[i]->edge != NULL &&
		    r->tenants[i]->edge->ws != NULL) {
			in += wsc_bytes_in(r->tenants[i]->edge->ws);
			out += wsc_bytes_out(r->tenants[i]->edge->ws);
		}
	edge_ws_add(o, "closes_answered", n->closes_answered);
	edge_ws_add(o, "closes_unanswered", n->closes_unanswered);
	edge_ws_add(o, "bytes_in", in);
	edge_ws_add(o, "bytes_out", out);
	json_object_object_add(o, "pickup", edge_pickup_results(r));
	return o;
}
