/*
 * flows_priv.h: what the parts of the flows analysis share, private to
 * analyzer/flows*.c. flows.c takes events in and follows exchanges until
 * they complete or time out, folding each into its group; flows_build.c
 * estimates the clock offsets and writes the "flows" object.
 */
#ifndef MEDLOAD_FLOWS_PRIV_H
#define MEDLOAD_FLOWS_PRIV_H

#include <stddef.h>
#include <stdint.h>

#include "flows.h"

struct hist;
struct hmap;

#define FLOWS_AGENTS_MAX 256	/* trace labels told apart */
#define FLOWS_NAMES_MAX 4096	/* message types, endpoints told apart */
#define FLOWS_GROUPS_MAX 4096	/* exchange groups kept */
#define FLOWS_EXAMPLES 3	/* examples kept per kind of loss */

/* The moments of a message the events mark. */
enum flows_mark {
	FLOWS_ENC_S,		/* OutboundTransportManager.ENCODE.START */
	FLOWS_ENC_E,		/* ... ENCODE.END */
	FLOWS_DEL_S,		/* ... DELIVER.START */
	FLOWS_DEL_E,		/* ... DELIVER.END */
	FLOWS_H_S,		/* Dispatcher.handle_message.START */
	FLOWS_H_E,		/* ... END */
	FLOWS_NMARKS
};

/* What an exchange is. */
enum flows_xkind {
	FLOWS_X_ONEWAY,		/* a message no response is known for */
	FLOWS_X_REQUEST,	/* a request awaiting or holding its response */
	FLOWS_X_FORWARD,	/* a forward and the relay of its payload */
	FLOWS_X_ORPHAN,		/* a response whose request was not seen */
	FLOWS_X_LOOSE,		/* an unthreaded response not yet paired */
};

/* Why an exchange is incomplete. */
enum flows_lost {
	FLOWS_LOST_START_WITHOUT_END,	/* handle or encode START, no END */
	FLOWS_LOST_DELIVER_WITHOUT_END,
	FLOWS_LOST_NEVER_SENT,		/* encoded, never delivered */
	FLOWS_LOST_NEVER_HANDLED,	/* delivered, never handled */
	FLOWS_LOST_NO_RESPONSE,
	FLOWS_LOST_FORWARD_UNDELIVERED,
	FLOWS_LOST_END_WITHOUT_START,
	FLOWS_LOST_ORPHAN_RESPONSE,	/* a response without its request */
	FLOWS_LOST_COUNT,
	/* not losses: what the traces cannot tell */
	FLOWS_UNOBSERVED_RECEIVER = FLOWS_LOST_COUNT,
	FLOWS_UNOBSERVED_RELAY,
	FLOWS_VERDICT_COUNT
};

/* The hops measured; flows_hop_defs describes each. */
enum flows_hop {
	FLOWS_HOP_REQ_ENCODE,
	FLOWS_HOP_REQ_DELIVER,
	FLOWS_HOP_REQ_TRANSIT,
	FLOWS_HOP_REQ_HANDLE,
	FLOWS_HOP_RESP_QUEUE,
	FLOWS_HOP_RESP_ENCODE,
	FLOWS_HOP_RESP_DELIVER,
	FLOWS_HOP_RESP_TRANSIT,
	FLOWS_HOP_RESP_HANDLE,
	FLOWS_HOP_FWD_HANDLE,
	FLOWS_HOP_FWD_RELAY,
	FLOWS_HOP_FWD_DELIVER,
	FLOWS_NHOPS
};

/* A hop: from one mark of a leg to another mark of a leg. */
struct flows_hop_def {
	const char *name;
	int la, ma;		/* leg and mark it starts at */
	int lb, mb;		/* leg and mark it ends at */
	int dir;		/* +1: requester -> responder clocks, -1 back */
	int stacked;		/* part of the round trip's stack */
	const char *what;	/* one line for the documentation */
};

extern const struct flows_hop_def flows_hop_defs[FLOWS_NHOPS];

/* One DIDComm message: the marks its sender and receiver traced. */
struct flows_leg {
	double t[FLOWS_NMARKS];
	unsigned seen;		/* bit per mark */
	int type;		/* index in f->types */
	int sender;		/* agent index, -1 unknown */
	int receiver;
	int endpoint;		/* index in f->endpoints, -1 unknown */
	unsigned redelivered;	/* DELIVER STARTs after the first */
	char *id;		/* msg_id, owned; NULL for a relay */
};

/* The lists an exchange is on: by age, and an agent's waiting list. */
enum flows_lists { FLOWS_AGE, FLOWS_WAIT };

struct flows_x;

/* A place on a list, and a list (intrusive, doubly linked). */
struct flows_link {
	struct flows_x *prev, *next;
};
struct flows_list {
	struct flows_x *head, *tail;
};

/* One exchange being followed. */
struct flows_x {
	struct flows_leg leg[2];
	int nlegs;
	enum flows_xkind kind;
	int proto;		/* index in flows_protos, -1 */
	double first;		/* earliest and latest event */
	double last;
	struct flows_link link[2];	/* FLOWS_AGE, FLOWS_WAIT */
	int wagent;		/* whose waiting list, -1 for none */
};

/* An agent (trace label). */
struct flows_agent {
	struct flows_list wait;		/* forwards awaiting their relay,
					 * requests awaiting an unthreaded
					 * response, in handling order */
	struct flows_x *last_relay;	/* the relay whose END is due */
	double early_end;		/* a relay END seen before its START
					 * at the same time (a sort's tie), or
					 * -1 */
	unsigned long long relays;	/* relays seen (DELIVER START, N/A) */
};

/* Interned strings. */
struct flows_names {
	struct hmap *map;	/* string -> index + 1 */
	char **v;
	int n;
	int cap;
};

/* Distributions of one exchange group: type, requester, responder. */
struct flows_group {
	int type, from, to;
	int endpoint;		/* the first request's endpoint */
	int paired;		/* the response is paired by time */
	uint64_t count, complete, lost, undecided, irregular;
	struct hist *rt;	/* round trip, ms */
	struct hist *pos[FLOWS_NHOPS];	/* ms; raw when cross-agent */
	struct hist *neg[FLOWS_NHOPS];	/* negated raw cross-agent values */
	uint64_t clamped[FLOWS_NHOPS];	/* same-agent values below 0 */
};

/* Bounds on clock(b) - clock(a) from request/response pairs, in us. */
struct flows_clock {
	int a, b;		/* agent indexes, a < b */
	double lo, hi;		/* the intersection of every pair's bounds */
	double best_delay;	/* the pair with the least round trip */
	double best_mid;
	uint64_t pairs;
};

/* An example of a loss. */
struct flows_example {
	char *msg_id;
	int type, agent;
	double first, last;
	unsigned seen;
	int leg;
};

struct flows {
	double timeout;		/* seconds */
	struct hmap *msgs;	/* msg_id -> struct flows_x */
	struct flows_list age;		/* the exchanges, oldest first */
	size_t open, open_max;
	struct flows_names agents, types, endpoints;
	int last_agent[2];	/* the labels seen last (-1: none) */
	struct flows_agent agent[FLOWS_AGENTS_MAX + 1];
	int *role, *proto;	/* per type */
	int roles_cap;
	unsigned char *ep_handled;	/* per endpoint: a receiver traced */
	int ep_cap;
	struct hmap *groups;	/* key -> struct flows_group */
	struct flows_clock *clocks;
	size_t nclocks;
	double min_time, max_time;
	int any;
	uint64_t events, ignored, relays_unmatched;
	uint64_t late;		/* events older than the latest by more
				 * than the timeout: input out of order */
	uint64_t verdicts[FLOWS_VERDICT_COUNT];
	uint64_t undecided;
	struct flows_example examples[FLOWS_LOST_COUNT][FLOWS_EXAMPLES];
	int nexamples[FLOWS_LOST_COUNT];
};

/* The name of index i of t ("(other)" past the cap, NULL for -1). */
const char *flows_name(const struct flows_names *t, int i);

/* The name of a verdict ("never_handled", ...). */
const char *flows_verdict_name(int v);

/* Decides every exchange still open, as at the end of the input. */
void flows_drain(struct flows *f);

/* The groups sorted by type, requester, responder (caller frees). */
struct flows_group **flows_groups_sorted(struct flows *f, size_t *n);

#endif
