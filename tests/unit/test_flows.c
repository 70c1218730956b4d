/* test_flows.c: the flows engine on hand-made event sequences. */
#include "flows.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"
#include "trace.h"

#define MED "mediator.trace"
#define MULTI "multi.agent.trace"
#define PING "https://didcomm.org/trust_ping/1.0/ping"
#define PONG "https://didcomm.org/trust_ping/1.0/ping_response"
#define FWD "https://didcomm.org/routing/1.0/forward"
#define T0 1795939000.0

static const double pcts[] = { 50, 100 };

/* Feeds one event: agent, ms after T0, ids, type, outcome, endpoint. */
static void
ev(struct flows *f, const char *agent, double ms, const char *id,
    const char *thid, const char *type, const char *outcome, const char *ep)
{
	struct trace_event e;

	memset(&e, 0, sizeof(e));
	e.label = e.handler = agent;
	e.time = T0 + ms / 1000;
	e.msg_id = id;
	e.thread_id = thid;
	e.traced_type = type;
	e.outcome = outcome;
	e.endpoint = ep;
	flows_add(f, &e);
}

/* The sender's four events from ms (encode 1 ms, deliver at once). */
static void
send(struct flows *f, const char *agent, double ms, const char *id,
    const char *thid, const char *type, const char *ep)
{
	ev(f, agent, ms, id, thid, type, "OutboundTransportManager.ENCODE.START",
	    NULL);
	ev(f, agent, ms, id, thid, type, "OutboundTransportManager.ENCODE.END",
	    NULL);
	ev(f, agent, ms + 1, id, thid, type,
	    "OutboundTransportManager.DELIVER.START", ep);
	ev(f, agent, ms + 1, id, thid, type,
	    "OutboundTransportManager.DELIVER.END", ep);
}

/* The receiver's handling from ms for dur ms. */
static void
handle(struct flows *f, const char *agent, double ms, double dur,
    const char *id, const char *thid, const char *type)
{
	ev(f, agent, ms, id, thid, type, "Dispatcher.handle_message.START",
	    NULL);
	ev(f, agent, ms + dur, id, thid, type, "Dispatcher.handle_message.END",
	    NULL);
}

/* The exchange group of type from -> to in doc, or NULL. */
static struct json_object *
group(struct json_object *doc, const char *type, const char *from,
    const char *to)
{
	struct json_object *xs = jx_get(doc, "exchanges"), *x;
	size_t i;

	for (i = 0; i < jx_len(xs); i++) {
		x = jx_at(xs, i);
		if (strcmp(jx_str(jx_get(x, "type"), ""), type) == 0 &&
		    strcmp(jx_str(jx_get(x, "from"), "-"), from) == 0 &&
		    strcmp(jx_str(jx_get(x, "to"), "-"), to) == 0)
			return x;
	}
	return NULL;
}

/* The value at path under hop name of group x, or -1. */
static double
hop(struct json_object *x, const char *name, const char *path)
{
	struct json_object *hops = jx_get(x, "hops"), *h;
	size_t i;

	for (i = 0; i < jx_len(hops); i++) {
		h = jx_at(hops, i);
		if (strcmp(jx_str(jx_get(h, "name"), ""), name) == 0)
			return json_object_get_double(jx_get(h, path));
	}
	return -1;
}

/* The value at path of the first clock entry. */
static struct json_object *
clock0(struct json_object *doc, const char *path)
{
	return jx_get(jx_at(jx_get(doc, "clock"), 0), path);
}

/* Ends the input at ms with an event nothing joins, then the document. */
static struct json_object *
finish(struct flows *f, double end_ms)
{
	ev(f, MULTI, end_ms, "N/A", "N/A", "NoneType",
	    "OutboundTransportManager.ENCODE.START", NULL);
	return flows_doc(f, pcts, 2);
}

/*
 * A forward dropped (handled for a second, never relayed) beside two that
 * are: a relay during handling goes to the forward started last, a relay
 * after handling to the one that ended last; the dropped one is lost.
 */
static void
test_relay_pairing(void)
{
	struct flows *f = flows_new(30);
	struct json_object *doc, *x;

	ev(f, MED, 100, "d", "d", FWD, "Dispatcher.handle_message.START",
	    NULL);
	ev(f, MED, 200, "b", "b", FWD, "Dispatcher.handle_message.START",
	    NULL);
	ev(f, MED, 202, "N/A", "N/A", "OutboundMessage",
	    "OutboundTransportManager.DELIVER.START", "http://x");
	ev(f, MED, 202, "N/A", "N/A", "OutboundMessage",
	    "OutboundTransportManager.DELIVER.END", "http://x");
	ev(f, MED, 204, "b", "b", FWD, "Dispatcher.handle_message.END",
	    NULL);
	handle(f, MED, 1050, 3, "a", "a", FWD);
	ev(f, MED, 1053.5, "N/A", "N/A", "OutboundMessage",
	    "OutboundTransportManager.DELIVER.START", "http://x");
	ev(f, MED, 1053.6, "N/A", "N/A", "OutboundMessage",
	    "OutboundTransportManager.DELIVER.END", "http://x");
	ev(f, MED, 1100, "d", "d", FWD, "Dispatcher.handle_message.END",
	    NULL);
	CHECK(flows_open(f) == 1);	/* the dropped one */
	doc = finish(f, 100000);
	x = group(doc, FWD, "-", MED);
	CHECK(x != NULL);
	CHECK(jx_int(x, "complete", 0) == 2);
	CHECK(jx_int(x, "incomplete", 0) == 1);
	CHECK_NUM(hop(x, "forward.handle", "max"), 4, 0);
	CHECK_NUM(hop(x, "forward.relay", "max"), 0.5, 1e-9);
	CHECK_NUM(hop(x, "forward.relay", "clamped"), 1, 0);	/* b */
	CHECK_NUM(hop(x, "forward.deliver", "max"), 0.1, 1e-9);
	CHECK(jx_int(doc, "incomplete.forward_not_delivered", 0) == 1);
	CHECK_STR(jx_str(jx_get(jx_at(jx_get(doc,
	    "examples.forward_not_delivered"), 0), "msg_id"), ""), "d");
	json_object_put(doc);
	flows_free(f);
}

/*
 * A relay's END sorted before its START (the same timestamp: a tie a
 * search engine's sort may break either way) still completes the relay.
 */
static void
test_relay_tie(void)
{
	struct flows *f = flows_new(30);
	struct json_object *doc, *x;

	handle(f, MED, 100, 3, "a", "a", FWD);
	ev(f, MED, 103.5, "N/A", "N/A", "OutboundMessage",
	    "OutboundTransportManager.DELIVER.END", "http://x");
	ev(f, MED, 103.5, "N/A", "N/A", "OutboundMessage",
	    "OutboundTransportManager.DELIVER.START", "http://x");
	CHECK(flows_open(f) == 0);
	doc = finish(f, 100000);
	x = group(doc, FWD, "-", MED);
	CHECK(jx_int(x, "complete", 0) == 1);
	CHECK_NUM(hop(x, "forward.deliver", "max"), 0, 0);
	json_object_put(doc);
	flows_free(f);
}

/*
 * A ping answered by a problem-report is complete; a message of an
 * unknown type is a one-way exchange; a ping sent twice counts the
 * redelivery and keeps the first DELIVER.START.
 */
static void
test_problem_report_and_oneway(void)
{
	struct flows *f = flows_new(30);
	struct json_object *doc, *x;

	send(f, MULTI, 0, "p", "p", PING, "http://m");
	handle(f, MED, 10, 5, "p", "p", PING);
	send(f, MED, 16, "r", "p",
	    "https://didcomm.org/notification/1.0/problem-report", "http://u");
	handle(f, MULTI, 30, 2, "r", "p",
	    "https://didcomm.org/notification/1.0/problem-report");
	send(f, MULTI, 100, "o", "o", "https://example.org/x/1.0/hello",
	    "http://m");
	ev(f, MULTI, 200, "o", "o", "https://example.org/x/1.0/hello",
	    "OutboundTransportManager.DELIVER.START", "http://m");
	handle(f, MED, 210, 3, "o", "o", "https://example.org/x/1.0/hello");
	CHECK(flows_open(f) == 0);
	doc = finish(f, 100000);
	x = group(doc, PING, MULTI, MED);
	CHECK(jx_int(x, "complete", 0) == 1);
	CHECK_NUM(json_object_get_double(jx_get(x, "round_trip.max")), 32, 0);
	x = group(doc, "https://example.org/x/1.0/hello", MULTI, MED);
	CHECK(jx_int(x, "complete", 0) == 1);
	CHECK(jx_get(x, "round_trip") == NULL);
	/*
	 * transit from the first DELIVER.START, 101 -> 210, less the
	 * offset the ping bounds to [-13, 9]: 109 + 2
	 */
	CHECK_NUM(hop(x, "request.transit", "max"), 111, 0);
	CHECK_NUM(json_object_get_double(clock0(doc, "offset_ms")),
	    2, 0);
	json_object_put(doc);
	flows_free(f);
}

/*
 * Near the window's start, an END without START is undecided; later it
 * is lost. A response without its request, likewise. A message to an
 * endpoint no traced agent handles is not called lost.
 */
static void
test_window_ends_and_untraced(void)
{
	struct flows *f = flows_new(30);
	struct json_object *doc;

	ev(f, MED, 0, "e1", "e1", PING, "Dispatcher.handle_message.END", NULL);
	ev(f, MED, 40000, "e2", "e2", PING, "Dispatcher.handle_message.END",
	    NULL);
	handle(f, MULTI, 41000, 2, "r2", "zz", PONG);
	send(f, MULTI, 42000, "u", "u", PING, "http://nobody");
	send(f, MULTI, 43000, "n", "n", PING, "http://m");
	send(f, MULTI, 43100, "h", "h", PING, "http://m");
	handle(f, MED, 43110, 1, "h", "h", PING);	/* m is traced */
	doc = finish(f, 200000);
	CHECK(jx_int(doc, "incomplete.undecided", 0) == 1);
	CHECK(jx_int(doc, "incomplete.end_without_start", 0) == 1);
	CHECK(jx_int(doc, "incomplete.response_without_request", 0) == 1);
	CHECK(jx_int(doc, "incomplete.never_handled", 0) == 1);
	CHECK(jx_int(doc, "incomplete.no_response", 0) == 1);
	CHECK(jx_int(doc, "unobserved.receiver_untraced", 0) == 1);
	json_object_put(doc);
	flows_free(f);
}

/* One complete ping between two agents at times a..d (ms, own clocks). */
static void
ping(struct flows *f, int i, double t1, double t2, double t3, double t4)
{
	char p[16], r[16];

	snprintf(p, sizeof(p), "p%d", i);
	snprintf(r, sizeof(r), "r%d", i);
	send(f, MULTI, t1 - 1, p, p, PING, "http://m");
	handle(f, MED, t2, 1, p, p, PING);
	send(f, MED, t3 - 1, r, p, PONG, "http://u");
	handle(f, MULTI, t4, 1, r, p, PONG);
}

/*
 * The offset: the intersection of the pairs' bounds; when they disagree
 * (a clock stepped), the pair with the least round trip.
 */
static void
test_clock(void)
{
	struct flows *f = flows_new(30);
	struct json_object *doc;

	/* mediator = multi + 100 ms; transits 3 and 5, then 4 and 3 */
	ping(f, 0, 0, 103, 110, 15);
	ping(f, 1, 1000, 1104, 1110, 1013);
	doc = finish(f, 100000);
	/* up = min(103 - 0, 1104 - 1000), lo = max(110 - 15, 1110 - 1013) */
	CHECK_NUM(json_object_get_double(clock0(doc, "offset_ms")),
	    -100, 0);		/* multi - mediator, named in order */
	CHECK_NUM(json_object_get_double(clock0(doc, "uncertainty_ms")), 3, 0);
	CHECK(json_object_get_int(clock0(doc, "pairs")) == 2);
	CHECK_STR(jx_str(clock0(doc, "method"), ""), "bounds");
	json_object_put(doc);
	flows_free(f);

	f = flows_new(30);
	ping(f, 0, 0, 103, 110, 15);		/* offset 100, delay 8 */
	ping(f, 1, 1000, 1303, 1310, 1017);	/* offset 298, delay 10 */
	doc = finish(f, 100000);
	CHECK_STR(jx_str(clock0(doc, "method"), ""), "min-delay");
	CHECK_NUM(json_object_get_double(clock0(doc, "offset_ms")),
	    -99, 0);
	CHECK_NUM(json_object_get_double(clock0(doc, "uncertainty_ms")), 4, 0);
	CHECK(jx_len(jx_get(doc, "warnings")) >= 1);
	json_object_put(doc);
	flows_free(f);
}

/* Every map entry goes when its exchange ends: memory holds open ones. */
static void
test_memory_bounded(void)
{
	struct flows *f = flows_new(1);
	struct json_object *doc;
	int i;

	for (i = 0; i < 20000; i++) {
		ping(f, i, i * 50.0, i * 50.0 + 105, i * 50.0 + 110,
		    i * 50.0 + 15);
		if (i % 100 == 0) {	/* a lost one now and then */
			char id[16];

			snprintf(id, sizeof(id), "lost%d", i);
			send(f, MULTI, i * 50.0, id, id, PING, "http://m");
		}
	}
	CHECK(flows_open_max(f) < 200);
	doc = finish(f, 20000 * 50.0 + 5000);
	CHECK(jx_int(doc, "complete", 0) == 20000);
	CHECK(jx_int(doc, "incomplete.never_handled", 0) == 200);
	CHECK(flows_open(f) == 0);
	json_object_put(doc);
	flows_free(f);
}

int
main(void)
{
	RUN(test_relay_pairing);
	RUN(test_relay_tie);
	RUN(test_problem_report_and_oneway);
	RUN(test_window_ends_and_untraced);
	RUN(test_clock);
	RUN(test_memory_bounded);
	return CHECK_EXIT();
}
