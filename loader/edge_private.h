/*
 * edge_private.h: the state edge agents share between edge.c (setup over
 * HTTP, the task) and edge_ws.c (WebSocket sessions, pickup, traffic
 * between agents). Private to loader/.
 */
#ifndef MEDLOAD_EDGE_PRIVATE_H
#define MEDLOAD_EDGE_PRIVATE_H

#include <stdint.h>

#include "didcomm_crypto.h"
#include "didcomm_envelope.h"
#include "didcomm_msg.h"
#include "didcomm_pickup.h"
#include "stats.h"
#include "wsconn.h"

struct edge_steps;
struct tenant;

/* Attachment errors beyond enum dpick_att_err's. */
enum edge_pickup_err {
	EDGE_PICKUP_ENVELOPE = DPICK_ATT_NERR,	/* does not open */
	EDGE_PICKUP_SENDER,	/* opens, not from the agent's peer */
	EDGE_PICKUP_NERR
};

/* Pickup 2.0 and offline figures of the run (edge_pickup.c). */
struct edge_pickup_counts {
	uint64_t discover, discover_v2;	/* queries sent, answered "v2" */
	uint64_t status_requests, status;	/* sent, answered */
	uint64_t delivery_requests, batches;	/* sent, deliveries read */
	uint64_t delivered, duplicates;	/* messages in them; seen before */
	uint64_t empty;			/* deliveries of no attachment */
	uint64_t acks, ack_status;	/* messages-received sent, answered */
	uint64_t refused, timeouts;	/* problem reports, no answers */
	uint64_t live_requests, live_on, live_refused;
	uint64_t offline_periods, offline_sent, drained_on_reconnect;
	uint64_t att_errors[EDGE_PICKUP_NERR];
};

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
	unsigned held_end;		/* open when the run's end began */
	unsigned closing;		/* closing handshakes under way */
	uint64_t closes_answered;	/* ours, the server's close came back */
	uint64_t closes_unanswered;	/* ours, ended without it */
	int ended;			/* edge_ws_end_all was called */
	struct edge_pickup_counts pk;
};

/* The run's side: the mediator's invitation and the run key. */
struct edge_run {
	struct dmsg_invitation inv;
	unsigned char run_key[DCRYPTO_RUN_KEY];
	int keyed;			/* run_key is set */
	int sessions;			/* --edge-ws: ws is set */
	struct wsc_target ws;
	struct edge_ws_counts n;
	int pickup_known;		/* auto: -1 not yet, 0 implicit, 1 v2 */
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
	int64_t pk_start;		/* the pickup request's send */
	int64_t off_at;			/* the offline cycle's next switch */
	uint32_t pk_seq;		/* pickup request in flight, or 0 */
	uint32_t live_seq;		/* live-delivery-change unanswered */
	uint32_t off_sent;		/* sent to it offline, not yet back */
	struct edge_pickup_seen *seen;	/* envelopes seen (v2), or NULL */
	uint8_t pk_kind;		/* enum edge_pickup_kind in flight */
	uint8_t pk_batches;		/* deliveries in this drain */
	uint8_t live_asked;		/* live mode asked on this session */
	uint8_t offline;		/* closed by --edge-offline */
	uint8_t step;			/* enum edge_kind in flight (setup) */
	uint8_t connected, granted, nrouting;
	uint8_t ws_fails;		/* sessions failed in a row */
	uint8_t ws_up;			/* the session opened (ping answered) */
	uint8_t ws_was_open;		/* a session was open before */
	uint8_t ws_retry;		/* a reconnect is scheduled */
	uint8_t polling;		/* a pickup poll is out */
	uint8_t stopped;		/* no more sessions */
	uint8_t closing;		/* its session's close waits for the echo */
	uint8_t task_wait;		/* a task waits for the first session */
};

/* Sends msg (freed) on t's session, Authcrypt for the mediator. */
int edge_ws_send_mediator(struct tenant *t, char *msg, char **cause);

/* Records a session request of t ("WS", or "DELIVER"), message seq. */
void edge_ws_record(struct tenant *t, const char *method, const char *name,
    int64_t sched, int64_t start, enum stats_err err, const char *msg,
    uint32_t seq);

/* A message op for t's connection key: an answer of its mediator's. */
void edge_ws_from_mediator(struct tenant *t, const struct denv_opened *op);

/* Asks the mediator for one queued message (implicit pickup). */
void edge_ws_poll(struct tenant *t);

/*
 * A message op from another agent (pushed, or delivered in a batch):
 * handled as its peer's. Returns 0, or -1 when it is not from t's peer.
 */
int edge_ws_from_agent(struct tenant *t, const struct denv_opened *op,
    int delivered);

#endif
