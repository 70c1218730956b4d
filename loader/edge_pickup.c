/* edge_pickup.c: edge agents fetching queued messages with Pickup 2.0. */
#include "edge_pickup.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "edge.h"
#include "edge_private.h"
#include "engine.h"
#include "tenant.h"
#include "util.h"

#define EDGE_PICKUP_SEEN 16	/* envelopes remembered per agent */
#define EDGE_PICKUP_BATCHES 50	/* deliveries in one drain, at most */

/* The request in flight (edge_agent.pk_kind). */
enum edge_pickup_kind {
	EDGE_PICKUP_NONE,
	EDGE_PICKUP_DISCOVER,	/* discover-features query */
	EDGE_PICKUP_STATUS,	/* status-request */
	EDGE_PICKUP_DELIVERY,	/* delivery-request */
	EDGE_PICKUP_RECEIVED,	/* messages-received */
};

/* The hashes of the envelopes an agent read last. */
struct edge_pickup_seen {
	uint64_t h[EDGE_PICKUP_SEEN];
	unsigned at;
};

static const char *const edge_pickup_names[] = {
	NULL, NULL, "140_edge_pickup_status", "141_edge_pickup_delivery",
	"142_edge_pickup_received",
};

static const char *const edge_pickup_err_names[EDGE_PICKUP_NERR] = {
	"ok", "id", "data", "base64", "size", "envelope", "sender",
};

/* The run's pickup figures. */
static struct edge_pickup_counts *
edge_pickup_n(struct tenant *t)
{
	return &t->run->edge->n.pk;
}

/* The request timeout, us. */
static int64_t
edge_pickup_timeout(const struct tenant *t)
{
	return (int64_t)(t->run->c->request_timeout * 1e6);
}

int
edge_pickup_on(const struct tenant *t)
{
	int mode = t->run->c->edge_pickup;

	return mode == CONFIG_EDGE_PICKUP_V2 || (mode ==
	    CONFIG_EDGE_PICKUP_AUTO && t->run->edge->pickup_known == 1);
}

/* A pickup request's deadline. */
static void
edge_pickup_due(void *arg, int64_t at)
{
	struct tenant *t = arg;

	if (t->edge != NULL && !t->edge->stopped)
		edge_pickup_fail(t, STATS_ERR_TIMEOUT, "timeout: no answer on "
		    "the session", at - edge_pickup_timeout(t) + 1000);
}

/* Sends t's pickup request msg (freed) of kind k with message seq. */
static void
edge_pickup_send(struct tenant *t, char *msg, enum edge_pickup_kind k,
    uint32_t seq)
{
	struct edge_agent *a = t->edge;
	char *cause = NULL;

	a->pk_seq = seq;
	a->pk_kind = (uint8_t)k;
	a->pk_start = eng_now();
	if (edge_ws_send_mediator(t, msg, &cause) == -1) {
		edge_pickup_fail(t, STATS_ERR_CONNECTION, cause, INT64_MAX);
		free(cause);
		return;
	}
	eng_timer(t->run->eng, a->pk_start + edge_pickup_timeout(t),
	    edge_pickup_due, t);
}

/* Sends t's request of kind k (the messages-received: ids[0..n)). */
static void
edge_pickup_ask(struct tenant *t, enum edge_pickup_kind k,
    const char *const *ids, size_t n)
{
	struct edge_pickup_counts *c = edge_pickup_n(t);
	uint32_t seq = ++t->edge->seq;
	char id[DCRYPTO_ID_MAX], *msg;

	edge_id(t, seq, id);
	if (k == EDGE_PICKUP_DISCOVER) {
		c->discover++;
		msg = dpick_discover(id);
	} else if (k == EDGE_PICKUP_STATUS) {
		c->status_requests++;
		msg = dpick_status_request(id);
	} else if (k == EDGE_PICKUP_DELIVERY) {
		c->delivery_requests++;
		msg = dpick_delivery_request(id, t->run->c->edge_pickup_limit);
	} else {
		c->acks++;
		msg = dpick_messages_received(id, ids, n);
	}
	edge_pickup_send(t, msg, k, seq);
}

void
edge_pickup_up(struct tenant *t)
{
	int mode = t->run->c->edge_pickup;
	int known = t->run->edge->pickup_known;

	t->edge->live_asked = 0;
	t->edge->live_seq = 0;
	t->edge->pk_batches = 0;
	if (mode == CONFIG_EDGE_PICKUP_IMPLICIT ||
	    (mode == CONFIG_EDGE_PICKUP_AUTO && known == 0))
		edge_ws_poll(t);
	else if (mode == CONFIG_EDGE_PICKUP_AUTO && known < 0)
		edge_pickup_ask(t, EDGE_PICKUP_DISCOVER, NULL, 0);
	else
		edge_pickup_ask(t, EDGE_PICKUP_STATUS, NULL, 0);
}

void
edge_pickup_poll(struct tenant *t)
{
	if (t->edge->pk_seq != 0)
		return;		/* the drain under way asks again */
	t->edge->pk_batches = 0;
	edge_pickup_ask(t, EDGE_PICKUP_DELIVERY, NULL, 0);
}

/* Records t's request in flight as over (err, why) and clears it. */
static void
edge_pickup_over(struct tenant *t, enum stats_err err, const char *why)
{
	struct edge_agent *a = t->edge;
	const char *name = edge_pickup_names[a->pk_kind];

	if (name != NULL)
		edge_ws_record(t, "WS", name, a->pk_start, a->pk_start, err, why,
		    a->pk_seq);
	a->pk_seq = 0;
	a->pk_kind = EDGE_PICKUP_NONE;
}

void
edge_pickup_fail(struct tenant *t, enum stats_err err, const char *why,
    int64_t older)
{
	struct edge_agent *a = t->edge;

	if (a->pk_seq == 0 || a->pk_start > older)
		return;
	if (err == STATS_ERR_TIMEOUT)
		edge_pickup_n(t)->timeouts++;
	edge_pickup_over(t, err, why);
}

/* The queue is empty (or the drain went far enough): live mode, once. */
static void
edge_pickup_drained(struct tenant *t)
{
	struct edge_agent *a = t->edge;
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	a->pk_batches = 0;
	if (a->live_asked)
		return;
	a->live_asked = 1;
	a->live_seq = ++a->seq;
	edge_id(t, a->live_seq, id);
	if (edge_ws_send_mediator(t, dpick_live_change(id, 1), &cause) == 0)
		edge_pickup_n(t)->live_requests++;
	free(cause);
}

/* 64-bit FNV-1a of p[0..n). */
static uint64_t
edge_pickup_hash(const unsigned char *p, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int
edge_pickup_dup(struct tenant *t, const void *env, size_t n)
{
	struct edge_agent *a = t->edge;
	uint64_t h;
	unsigned i;

	if (!edge_pickup_on(t))
		return 0;
	if (a->seen == NULL)
		a->seen = util_calloc(1, sizeof(*a->seen));
	h = edge_pickup_hash(env, n);
	for (i = 0; i < EDGE_PICKUP_SEEN; i++)
		if (a->seen->h[i] == h) {
			edge_pickup_n(t)->duplicates++;
			return 1;
		}
	a->seen->h[a->seen->at++ % EDGE_PICKUP_SEEN] = h;
	return 0;
}

/*
 * Delivered envelope env[0..n) for t: opened, handled as its peer's (or,
 * for its connection key, as the mediator's: an answer that was queued
 * while the session's reply buffer was busy).
 */
static void
edge_pickup_open(struct tenant *t, const char *env, size_t n)
{
	struct edge_pickup_counts *c = edge_pickup_n(t);
	struct denv_opened op;
	char *cause = NULL;

	if (edge_pickup_dup(t, env, n))
		return;
	if (denv_unpack(env, n, &t->edge->recip, &op, &cause) == 0) {
		if (edge_ws_from_agent(t, &op, 1) == -1)
			c->att_errors[EDGE_PICKUP_SENDER]++;
		else
			c->delivered++;
		denv_opened_release(&op);
		return;
	}
	free(cause);
	cause = NULL;
	if (denv_unpack(env, n, &t->edge->key, &op, &cause) == 0 &&
	    op.authcrypt && memcmp(op.sender, t->edge->their,
	    DCRYPTO_PK) == 0) {
		c->delivered++;		/* the mediator's, queued for t */
		edge_ws_from_mediator(t, &op);
	} else
		c->att_errors[EDGE_PICKUP_ENVELOPE]++;
	denv_opened_release(&op);
	free(cause);
}

/* A delivery: each attachment read, the batch acknowledged. */
static void
edge_pickup_batch(struct tenant *t, const struct dpick_answer *ans)
{
	char ids[DPICK_LIMIT_MAX][DPICK_ATT_ID_MAX];
	const char *idp[DPICK_LIMIT_MAX];
	struct edge_pickup_counts *c = edge_pickup_n(t);
	enum dpick_att_err err;
	size_t i, nid = 0, n;
	char *env;

	if (ans->natt == 0) {
		c->empty++;	/* implicit pickup took them meanwhile */
		edge_pickup_drained(t);
		return;
	}
	c->batches++;
	t->edge->pk_batches++;
	for (i = 0; i < ans->natt && i < DPICK_LIMIT_MAX; i++) {
		err = dpick_attachment(ans, i, DENV_MAX, ids[nid], &env, &n);
		if (ids[nid][0] != '\0') {
			idp[nid] = ids[nid];
			nid++;
		}
		if (err != DPICK_ATT_OK) {
			c->att_errors[err]++;
			continue;
		}
		edge_pickup_open(t, env, n);
		free(env);
	}
	if (nid > 0 && t->edge->ws_up)
		edge_pickup_ask(t, EDGE_PICKUP_RECEIVED, idp, nid);
	else
		edge_pickup_drained(t);
}

/* More queued (count): another delivery, unless the drain went far. */
static void
edge_pickup_more(struct tenant *t, long long count)
{
	if (count > 0 && t->edge->pk_batches < EDGE_PICKUP_BATCHES)
		edge_pickup_ask(t, EDGE_PICKUP_DELIVERY, NULL, 0);
	else
		edge_pickup_drained(t);
}

/* The discover-features answer: the run knows; t goes on either way. */
static void
edge_pickup_disclosed(struct tenant *t, const struct dpick_answer *ans)
{
	int v2 = ans->kind == DPICK_DISCLOSE && ans->pickup2;

	t->run->edge->pickup_known = v2;
	edge_pickup_n(t)->discover_v2 += (uint64_t)v2;
	edge_pickup_over(t, STATS_OK, NULL);
	if (v2)
		edge_pickup_ask(t, EDGE_PICKUP_STATUS, NULL, 0);
	else
		edge_ws_poll(t);
}

/* An answer ans to t's request in flight, kind k. */
static void
edge_pickup_got(struct tenant *t, const struct dpick_answer *ans,
    enum edge_pickup_kind k)
{
	struct edge_pickup_counts *c = edge_pickup_n(t);
	char why[120];

	if (k == EDGE_PICKUP_DISCOVER) {
		edge_pickup_disclosed(t, ans);
		return;
	}
	if (ans->kind == DPICK_PROBLEM || ans->kind == DPICK_DISCLOSE) {
		snprintf(why, sizeof(why), "%s", ans->kind == DPICK_PROBLEM ?
		    ans->why : "message: a disclose, not a pickup answer");
		c->refused++;
		edge_pickup_over(t, STATS_ERR_OTHER, why);
		edge_ws_poll(t);	/* implicit pickup, as without */
		return;
	}
	edge_pickup_over(t, STATS_OK, NULL);
	if (ans->kind == DPICK_DELIVERY) {
		edge_pickup_batch(t, ans);
		return;
	}
	if (k == EDGE_PICKUP_STATUS)
		c->status++;
	else if (k == EDGE_PICKUP_RECEIVED)
		c->ack_status++;
	edge_pickup_more(t, k == EDGE_PICKUP_DELIVERY ? 0 : ans->count);
}

/* Whether op answers t's live-delivery-change (then counted). */
static int
edge_pickup_live(struct tenant *t, const struct denv_opened *op)
{
	struct edge_agent *a = t->edge;
	struct dpick_answer ans;
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	edge_id(t, a->live_seq, id);
	if (dpick_read(op->msg, op->len, id, &ans, &cause) == -1) {
		free(cause);
		return 0;
	}
	if (ans.kind == DPICK_STATUS && ans.live != 0)
		edge_pickup_n(t)->live_on++;
	else
		edge_pickup_n(t)->live_refused++;
	a->live_seq = 0;
	dpick_answer_release(&ans);
	return 1;
}

int
edge_pickup_answer(struct tenant *t, const struct denv_opened *op)
{
	struct edge_agent *a = t->edge;
	struct dpick_answer ans;
	char id[DCRYPTO_ID_MAX], *cause = NULL;

	if ((a->pk_seq == 0 && a->live_seq == 0) || !op->authcrypt ||
	    memcmp(op->sender, a->their, DCRYPTO_PK) != 0)
		return 0;
	if (a->pk_seq != 0) {
		edge_id(t, a->pk_seq, id);
		if (dpick_read(op->msg, op->len, id, &ans, &cause) == 0) {
			edge_pickup_got(t, &ans, (enum edge_pickup_kind)
			    a->pk_kind);
			dpick_answer_release(&ans);
			return 1;
		}
		free(cause);
	}
	return a->live_seq != 0 && edge_pickup_live(t, op);
}

void
edge_pickup_free(struct edge_agent *a)
{
	free(a->seen);
	a->seen = NULL;
}

/* Adds counter v as key to o. */
static void
edge_pickup_add(struct json_object *o, const char *key, uint64_t v)
{
	json_object_object_add(o, key, json_object_new_int64((int64_t)v));
}

/* The mode the run used: "v2", "implicit", or "auto" (never asked). */
static const char *
edge_pickup_mode(const struct run *r)
{
	if (r->c->edge_pickup == CONFIG_EDGE_PICKUP_V2)
		return "v2";
	if (r->c->edge_pickup == CONFIG_EDGE_PICKUP_IMPLICIT)
		return "implicit";
	return r->edge->pickup_known < 0 ? "auto" :
	    r->edge->pickup_known ? "v2" : "implicit";
}

/* The offline figures into o. */
static void
edge_pickup_offline(const struct run *r, struct json_object *o)
{
	const struct edge_pickup_counts *c = &r->edge->n.pk;
	uint64_t left = 0, left_on = 0, off = 0;
	const struct edge_agent *a;
	size_t i;

	for (i = 0; i < r->ntenants; i++)
		if ((a = r->tenants[i]->edge) != NULL) {
			left += a->off_sent;
			left_on += a->offline ? 0 : a->off_sent;
			off += a->offline;
		}
	edge_pickup_add(o, "offline_periods", c->offline_periods);
	edge_pickup_add(o, "offline_now", off);
	edge_pickup_add(o, "offline_sent", c->offline_sent);
	edge_pickup_add(o, "drained_on_reconnect", c->drained_on_reconnect);
	edge_pickup_add(o, "offline_undrained", left);
	edge_pickup_add(o, "offline_undrained_online", left_on);
}

struct json_object *
edge_pickup_results(const struct run *r)
{
	const struct edge_pickup_counts *c = &r->edge->n.pk;
	struct json_object *o = json_object_new_object();
	struct json_object *e = json_object_new_object();
	int i;

	json_object_object_add(o, "mode", json_object_new_string(
	    edge_pickup_mode(r)));
	edge_pickup_add(o, "discover_queries", c->discover);
	edge_pickup_add(o, "discover_v2", c->discover_v2);
	edge_pickup_add(o, "status_requests", c->status_requests);
	edge_pickup_add(o, "pickup_status", c->status);
	edge_pickup_add(o, "delivery_requests", c->delivery_requests);
	edge_pickup_add(o, "delivered_batches", c->batches);
	edge_pickup_add(o, "delivered_messages", c->delivered);
	edge_pickup_add(o, "empty_deliveries", c->empty);
	edge_pickup_add(o, "duplicates", c->duplicates);
	edge_pickup_add(o, "messages_received", c->acks);
	edge_pickup_add(o, "messages_received_status", c->ack_status);
	edge_pickup_add(o, "refused", c->refused);
	edge_pickup_add(o, "timeouts", c->timeouts);
	edge_pickup_add(o, "live_requests", c->live_requests);
	edge_pickup_add(o, "live_on", c->live_on);
	edge_pickup_add(o, "live_refused", c->live_refused);
	edge_pickup_offline(r, o);
	for (i = 1; i < EDGE_PICKUP_NERR; i++)
		edge_pickup_add(e, edge_pickup_err_names[i], c->att_errors[i]);
	json_object_object_add(o, "attachment_errors", e);
	return o;
}
