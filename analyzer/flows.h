/*
 * flows.h: follows each DIDComm exchange across the agents that traced
 * it, hop by hop, and says where its time went.
 *
 * An ACA-Py agent traces a message it sends with
 * OutboundTransportManager.ENCODE.START/END and DELIVER.START/END, and a
 * message it receives with Dispatcher.handle_message.START/END, each with
 * the message's msg_id, its thread_id and a timestamp from the agent's
 * own clock. A message is one leg; an exchange is a request and its
 * response, joined by the response's thread_id (= the request's msg_id),
 * or a one-way message, or a forward handled by a mediator with the relay
 * of its payload.
 *
 * Hops (milliseconds, over complete exchanges only):
 *   request.encode   ENCODE.START -> DELIVER.START, sender      exact
 *   request.deliver  DELIVER.START -> END, sender               exact
 *   request.transit  DELIVER.START -> handle START, across      corrected
 *   request.handle   handle START -> END, receiver              exact
 *   response.queue   request handle END -> response ENCODE.START exact
 *   response.*       the same four for the response             as above
 *   round trip       request ENCODE.START -> response handle END
 *                    (requester's clock)                        exact
 *   forward.handle   handle START -> END of routing/1.0/forward exact
 *   forward.relay    its END -> the relay's DELIVER.START       paired
 *   forward.deliver  the relay's DELIVER.START -> END           paired
 * ACA-Py's ENCODE and DELIVER events bracket only the start of a task,
 * not the packing or the HTTP POST: DELIVER.END follows DELIVER.START
 * by well under a millisecond, and the POST, the receiver's unpacking and
 * its inbound queue all lie in the transit hop. Stacked, the encode,
 * transit, handle, queue, encode, transit and handle hops add up to the
 * round trip (their means do exactly; deliver overlaps transit).
 *
 * A hop across two agents is corrected by their clock offset, estimated
 * as NTP does from every complete request/response pair between them:
 * the request's transit bounds the offset from above, the response's
 * from below, and the estimate is the middle of the intersection of all
 * pairs' bounds, give or take half its width (never wider than half the
 * least round trip less the responder's time); when the bounds disagree
 * (a clock that drifted or stepped), the pair with the least round trip
 * gives it. Messages between tenants of one agent need no correction.
 *
 * Responses without a ~thread (mediate-grant, keylist) are paired with
 * the oldest request of that protocol the same agent handled before it
 * encoded the response. A forward's payload is encrypted and relayed with
 * msg_id "N/A": the relay (a DELIVER without ENCODE) is paired with the
 * forward that same agent handled whose handling ended last before the
 * relay, or else the one started last of those still being handled (so
 * a forward never relayed cannot shift later pairings; two forwards
 * relayed in one burst may swap); the inner message
 * itself is followed end to end at its sender and receiver, the
 * mediator's part of its transit not split out.
 *
 * An exchange open flow_timeout seconds after its first event is
 * incomplete, unless the input's window ends within flow_timeout of it
 * (undecided). Memory holds the open exchanges only: events must come
 * in time order to within flow_timeout (merge per-agent files; sort
 * search engine reads).
 */
#ifndef MEDLOAD_FLOWS_H
#define MEDLOAD_FLOWS_H

#include <stddef.h>

struct json_object;
struct trace_event;

#define FLOWS_TIMEOUT_DEFAULT 30.0

struct flows;

/* Starts following exchanges. Caller frees with flows_free. */
struct flows *flows_new(double timeout_s);

/* Frees everything; NULL is accepted. */
void flows_free(struct flows *f);

/* Takes one accepted event (borrowed; nothing is kept of it). */
void flows_add(struct flows *f, const struct trace_event *ev);

/*
 * Says whether flows_add reads more of an event with this outcome (NULL
 * accepted) than that it came: 1 when it marks a moment of a message
 * (handle, encode or deliver START or END), else 0, and flows_add only
 * counts it.
 */
int flows_follows(const char *outcome);

/* Exchanges open now, and the most ever open at once. */
size_t flows_open(const struct flows *f);
size_t flows_open_max(const struct flows *f);

/*
 * Decides what is still open and builds the "flows" object of the
 * analysis document (caller puts): "clock", "exchanges", "incomplete",
 * "examples", "unobserved", "warnings" and counts. pcts are the
 * percentiles to report. f takes no more events afterwards.
 */
struct json_object *flows_doc(struct flows *f, const double *pcts,
    size_t npcts);

#endif
