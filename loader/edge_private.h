/*
 * edge_private.h: the state edge agents share between edge.c (setup over
 * HTTP, the task) and edge_ws.c (WebSocket sessions, pickup, traffic
 * between agents). Private to loader/.
 */
#ifndef MEDLOAD_EDGE_PRIVATE_H
#define MEDLOAD_EDGE_PRIVATE_H

#include <stdint.h>

#include "didcomm_crypto.h"
#include "didcomm_msg.h"
#include "wsconn.h"

struct edge_steps;

/* Session figures of the run (edge_ws.c keeps them). */
struct edge_ws_counts {
	uint64_t connects;	/* sessions attempted */
	uint64_t opened;	/* handshakes done, opening ping answered */
	uint64_t open_failures;	/* ended before they opened */
	uint64_t drops;		/* open sessions that ended */
	uint64_t reconnects;	/* sessions opened again after a drop */
	uint64_t pushed;	/* agent messages pushed unasked */
	uint64_t polls;		/* pickup pings sent */
	uint64_t drained;	/* agent messages that came after a poll */
	uint64_t unexpected;	/* frames nobody waited for */
	uint64_t peer_sent, peer_delivered, peer_answered;
	uint64_t bytes_in, bytes_out;	/* of sessions that ended */
	unsigned held, held_peak;	/* sessions open now, at most */
};

/* The run's side: the mediator's invitation and the run key. */
struct edge_run {
	struct dmsg_invitation inv;
	unsigned char run_key[DCRYPTO_RUN_KEY];
	int keyed;			/* run_key is set */
	int sessions;			/* --edge-ws: ws is set */
	struct wsc_target ws;
	struct edge_ws_counts n;
	struct edge_steps *steps;	/* samples (edge_steps.h), or NULL */
};

/* One agent. */
struct edge_agent {
	struct dcrypto_key key;		/* its key on the mediator connection */
	struct dcrypto_key recip;	/* the key it routes via the mediator */
	unsigned char their[DCRYPTO_PK];	/* the mediator's, connected */
	unsigned char routing[DCRYPTO_PK];	/* the grant's routing key */
	struct wsc *ws;			/* its session, or NULL */
	int64_t ws_start;		/* when the session's connect began */
	int64_t pend_start, pend_sched;	/* mediator ping on the session */
	int64_t peer_start, peer_sched;	/* ping to the peer */
	int64_t task_sched;		/* the task waiting for the session */
	uint32_t seq;			/* messages sent */
	uint32_t conn_seq;		/* the connection request's number */
	uint32_t hello_seq;		/* the session's opening ping */
	uint32_t pend_seq, peer_seq;	/* in flight, or 0 */
	uint8_t step;			/* enum edge_kind in flight (setup) */
	uint8_t connected, granted, nrouting;
	uint8_t ws_fails;		/* sessions failed in a row */
	uint8_t ws_up;			/* the session opened (ping answered) */
	uint8_t ws_was_open;		/* a session was open before */
	uint8_t ws_retry;		/* a reconnect is scheduled */
	uint8_t polling;		/* a pickup poll is out */
	uint8_t stopped;		/* no more sessions */
	uint8_t task_wait;		/* a task waits for the first session */
};

#endif
