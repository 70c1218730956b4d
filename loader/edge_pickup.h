/*
 * edge_pickup.h: edge agents fetching what their mediator queued for them
 * with Pickup 2.0 (didcomm_pickup.h; --edge-pickup), on their sessions
 * (edge_ws.h). When a session opens (again), the agent asks for a status;
 * while messages are queued it asks for a delivery of at most
 * --edge-pickup-limit, reads each attachment as a message pushed to it
 * (an envelope for its recipient key, from its peer) and acknowledges the
 * batch with messages-received, whose status answer says whether to go
 * on; then it asks for live mode once per session. After each message
 * pushed to it, it asks for a delivery (the explicit form of the implicit
 * pickup ping). With auto, the first sessions ask the mediator's
 * discover-features for messagepickup/2.0 and the run keeps the answer;
 * without it, agents fall back to implicit pickup (edge_ws_poll).
 *
 *   WS 140_edge_pickup_status    status-request -> status
 *   WS 141_edge_pickup_delivery  delivery-request -> delivery or status
 *   WS 142_edge_pickup_received  messages-received -> status
 *
 * ACA-Py with acapy-plugin-pickup also pushes one queued message after
 * each request it dispatches (implicit pickup stays on), so a message can
 * come twice, pushed and in a batch: each agent keeps the hashes of the
 * last envelopes it read and counts a repeat as a duplicate. Attachments
 * are untrusted: one that cannot be read, opened, or is not from the
 * agent's peer is counted by reason (results.json edge_sessions.pickup).
 */
#ifndef MEDLOAD_EDGE_PICKUP_H
#define MEDLOAD_EDGE_PICKUP_H

#include <stddef.h>
#include <stdint.h>

#include "run_private.h"
#include "stats.h"

struct denv_opened;
struct json_object;
struct tenant;

/* Whether t's run fetches with Pickup 2.0 now (v2, or auto said so). */
int edge_pickup_on(const struct tenant *t);

/*
 * t's session is up: its pickup starts (the discover-features query, a
 * status-request, or the implicit poll).
 */
void edge_pickup_up(struct tenant *t);

/* After a message pushed to t: a delivery-request, unless one is out. */
void edge_pickup_poll(struct tenant *t);

/*
 * Whether op, from t's mediator, answers t's pickup request (then it is
 * handled: 1) or not (0).
 */
int edge_pickup_answer(struct tenant *t, const struct denv_opened *op);

/*
 * With Pickup 2.0 on: whether t read envelope env[0..n) before (counted
 * as a duplicate); else 0. Remembers it.
 */
int edge_pickup_dup(struct tenant *t, const void *env, size_t n);

/*
 * t's pickup request, if sent at or before older, fails with err and why
 * (its session closed, or time ran out).
 */
void edge_pickup_fail(struct tenant *t, enum stats_err err, const char *why,
    int64_t older);

/* Frees what agent a keeps for pickup. */
void edge_pickup_free(struct edge_agent *a);

/*
 * The run's pickup figures as JSON (caller puts); offline_undrained adds
 * up what agents still wait for.
 */
struct json_object *edge_pickup_results(const struct run *r);

#endif
