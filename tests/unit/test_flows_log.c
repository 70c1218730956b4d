/* test_flows_log.c: events noted for the flows engine and replayed. */
#include "flows_log.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "flows.h"
#include "trace.h"

#define T0 1795939000.0

static const double pcts[] = { 50, 100 };

/* One event of a ping and its response, ids absent or odd at times. */
static void
event(struct trace_event *e, int i)
{
	static const char *const outcomes[] = {
		"OutboundTransportManager.ENCODE.START",
		"OutboundTransportManager.ENCODE.END",
		"OutboundTransportManager.DELIVER.START",
		"OutboundTransportManager.DELIVER.END",
		"Dispatcher.handle_message.START",
		"Dispatcher.handle_message.END",
	};
	static char ids[64][16];
	int x = i / 12, resp = (i / 6) % 2;

	memset(e, 0, sizeof(*e));
	snprintf(ids[i % 64], sizeof(ids[0]), "m%d%s", x, resp ? "r" : "");
	e->label = e->handler = (i % 6 < 4) == !resp ? "multi" : "med";
	e->outcome = i % 23 == 0 ? "mediator.other.END" : outcomes[i % 6];
	e->traced_type = resp ? "https://didcomm.org/trust_ping/1.0/"
	    "ping_response" : "https://didcomm.org/trust_ping/1.0/ping";
	e->msg_id = i % 17 == 0 ? NULL : i % 19 == 0 ? "N/A" : ids[i % 64];
	e->thread_id = resp ? ids[(i - 6) % 64] : NULL;
	e->endpoint = i % 6 == 2 ? "http://127.0.0.1:3000" : NULL;
	e->time = T0 + i * 0.001;
	e->elapsed_ms = i % 5;
}

/* The flows document as text (caller frees). */
static char *
doc_text(struct flows *f)
{
	struct json_object *d = flows_doc(f, pcts, 2);
	char *s = strdup(json_object_to_json_string_ext(d,
	    JSON_C_TO_STRING_PLAIN));

	json_object_put(d);
	return s;
}

/* Replayed from logs of any length, the events give what they give. */
static void
test_replay_equals_direct(void)
{
	struct flows *direct = flows_new(0.05), *replayed = flows_new(0.05);
	struct flows_log l;
	struct trace_event e;
	char *a, *b;
	int i;

	memset(&l, 0, sizeof(l));
	for (i = 0; i < 600; i++) {
		event(&e, i);
		flows_add(direct, &e);
		flows_log_add(&l, &e);
		if (i % 7 == 6) {	/* a chunk ends */
			flows_log_replay(&l, replayed);
			flows_log_clear(&l);
			CHECK(l.n == 0 && l.len == 0);
		}
	}
	flows_log_replay(&l, replayed);
	a = doc_text(direct);
	b = doc_text(replayed);
	CHECK_STR(b, a);
	CHECK(strstr(a, "\"complete\":0") == NULL);
	free(a);
	free(b);
	flows_log_release(&l);
	CHECK(l.ev == NULL && l.text == NULL);
	flows_free(direct);
	flows_free(replayed);
}

/* What flows only counts is noted without strings. */
static void
test_counted_only(void)
{
	struct flows_log l;
	struct trace_event e;

	memset(&l, 0, sizeof(l));
	event(&e, 23);		/* an outcome that marks no message */
	flows_log_add(&l, &e);
	CHECK(l.n == 1 && l.len == 0 && l.ev[0].outcome == 0);
	event(&e, 12);
	e.thread_id = NULL;
	flows_log_add(&l, &e);
	CHECK(l.n == 2 && l.ev[1].thread_id == 0 && l.ev[1].msg_id != 0);
	CHECK_STR(l.text + l.ev[1].outcome - 1,
	    "OutboundTransportManager.ENCODE.START");
	CHECK(!flows_follows(NULL) && !flows_follows("x.END") &&
	    flows_follows("OutboundTransportManager.DELIVER.END.http://a"));
	flows_log_release(&l);
}

/* Noted whole, any event comes back as it went in, one by one. */
static void
test_all_and_event(void)
{
	struct flows_log l;
	struct trace_event e, got;

	memset(&l, 0, sizeof(l));
	event(&e, 23);		/* counted only by flows, kept whole here */
	e.msg_id = NULL;
	flows_log_add_all(&l, &e);
	event(&e, 12);
	flows_log_add(&l, &e);
	CHECK(l.n == 2);
	flows_log_event(&l, 0, &got);
	CHECK_STR(got.outcome, "mediator.other.END");
	CHECK_STR(got.label, "multi");
	CHECK(got.handler == got.label && got.msg_id == NULL &&
	    got.endpoint == NULL && got.elapsed_ms == 0);
	CHECK_NUM(got.time, T0 + 23 * 0.001, 0);
	flows_log_event(&l, 1, &got);
	CHECK_STR(got.outcome, e.outcome);
	CHECK_STR(got.msg_id, e.msg_id);
	CHECK_STR(got.traced_type, e.traced_type);
	CHECK(got.thread_id == NULL);
	flows_log_release(&l);
}

int
main(void)
{
	RUN(test_replay_equals_direct);
	RUN(test_counted_only);
	RUN(test_all_and_event);
	return CHECK_EXIT();
}
