/*
 * edge_ws.h: edge agents' WebSocket sessions to the mediator (--edge-ws),
 * as a mobile wallet holds one. Once an agent is set up (over HTTP), it
 * opens a session (wsconn.h) and sends every later message on it,
 * Authcrypt with "~transport": {"return_route": "all"}, so ACA-Py replies
 * and pushes on that socket.
 *
 *   WS 120_edge_session         connect, handshake and an opening trust
 *                               ping answered on the session
 *   WS 110_edge_ping_mediator   the task: a ping answered on the session
 *   WS 130_edge_ping_peer       the task with --edge-task peer: a ping to
 *                               the pair's other agent, wrapped in a
 *                               forward for the mediator's routing key,
 *                               answered by the peer the same way: send
 *                               -> response on the sender's session
 *   DELIVER 131_edge_peer_delivered
 *                               send -> the ping on the peer's session
 *                               (one process, one clock: no correction)
 *
 *   DELIVER 132_edge_offline_delivered
 *                               with --edge-offline: a ping sent while the
 *                               peer was offline -> its arrival once the
 *                               peer is back (edge_pickup.h)
 *
 * With Pickup 2.0 (--edge-pickup, edge_pickup.h) the agent asks for
 * deliveries instead of the polls below.
 * Pickup: ACA-Py core pushes at most one queued message after each
 * message it dispatches from a session with no reply buffered (implicit
 * pickup). After every message from another agent the receiver sends a
 * ping asking for no response (a "poll"), which releases the next queued
 * one; a session that opens polls once for what queued while it was away.
 * A dropped session is opened again after a backoff (0.5 s doubling to
 * 30 s, jittered); drops, reconnects and the rest are counted
 * (edge_ws_results).
 */
#ifndef MEDLOAD_EDGE_WS_H
#define MEDLOAD_EDGE_WS_H

#include <stdint.h>

#include "run_private.h"

struct json_object;

/* Reads --edge-ws into r->edge (set). Returns 0, or -1 with *cause. */
int edge_ws_init(struct run *r, char **cause);

/* t finished its setup: its first session starts. */
void edge_ws_start(struct tenant *t);

/*
 * The task of ready agent t over its session (to its peer with
 * --edge-task peer when the peer is set up, else to the mediator).
 */
void edge_ws_task(struct tenant *t, int64_t sched);

/*
 * Closes t's session for good (a stopped user, the run's end): an open one
 * with the closing handshake (edge_ws_closing counts it until the
 * mediator's close comes back or the socket ends), one still opening at
 * once. What it waits for stays in flight, never recorded.
 */
void edge_ws_stop(struct tenant *t);

/*
 * The run's end: every session closes (edge_ws_stop), held_now in the
 * results stays what was held when the end began. Returns the closing
 * handshakes under way, for the caller to wait on (eng_poll) a while.
 */
unsigned edge_ws_end_all(struct run *r);

/* Closing handshakes under way. */
unsigned edge_ws_closing(const struct run *r);

/*
 * Closes every session (before the engine is freed); handshakes not
 * answered by now count as closes_unanswered.
 */
void edge_ws_close_all(struct run *r);

/*
 * The wait before a session is opened again after fails failures in a row
 * (0 after a drop): 0.5 s doubling up to 30 s, times 0.5 + u (u in [0, 1),
 * random). Microseconds.
 */
int64_t edge_ws_backoff(unsigned fails, double u);

/* The session figures as JSON (caller puts), or NULL without sessions. */
struct json_object *edge_ws_results(const struct run *r);

#endif
