/*
 * edge.h: the edge scenario: each simulated user is a native DIDComm v1
 * agent, as a mobile wallet is, with its own keys (derived from the run
 * key and its user number: didcomm_crypto.h), talking straight to the
 * mediator's HTTP endpoint through the engine. No multi-tenant agent is
 * involved: the load and the latency are the mediator's.
 *
 * Setup (one row each in the edge workflow; every message is Authcrypt
 * from the agent's key and asks for its answer in the HTTP response):
 *   100_edge_connect           connection request (Connections 1.0 or DID
 *                              exchange) -> response from the invitation
 *                              key, signature checked
 *   100_edge_connect_complete  DID exchange only: complete (no answer)
 *   101_edge_mediate           mediate-request -> mediate-grant
 *   102_edge_keylist           keylist-update adding the agent's
 *                              recipient key -> keylist-update-response
 * Task: 110_edge_ping_mediator, a trust ping -> its ping_response; the
 * first as soon as the agent is set up (it checks its new connection).
 *
 * Each request's journal detail is its message @id, which the mediator's
 * trace events carry as msg_id/thread_id.
 */
#ifndef MEDLOAD_EDGE_H
#define MEDLOAD_EDGE_H

#include <stddef.h>
#include <stdint.h>

#include "run_private.h"

struct tenant;
struct workflow;

/*
 * Reads the mediator's invitation (r->inv_json) and checks its endpoint
 * (http(s), on this machine unless remote targets are allowed); sets
 * r->edge and r->wf (the workflow of the invitation's handshake).
 * Returns 0, or -1 with *cause.
 */
int edge_run_init(struct run *r, char **cause);

/* Frees r->edge's state; NULL is accepted. */
void edge_run_free(struct edge_run *e);

/* The edge workflow with a DID exchange handshake (static). */
const struct workflow *edge_workflow(void);

/* t's agent, its keys derived on first use. */
struct edge_agent *edge_agent(struct tenant *t);

/* The @id of t's message number seq (DCRYPTO_ID_MAX bytes). */
void edge_id(struct tenant *t, uint32_t seq, char *id);

/* Frees an agent's state (keys wiped); NULL is accepted. */
void edge_agent_free(struct edge_agent *a);

/* Bytes of one agent's state, for the benchmark's accounting. */
size_t edge_agent_size(void);

#endif
