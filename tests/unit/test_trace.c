/* test_trace.c: input shapes, field rules and rejection reasons. */
#include "trace.h"

#include "check.h"
#include "strbuf.h"

static struct trace_parser *p;

/* Parses a literal line. */
static enum trace_reject
parse(const char *line, struct trace_event *ev)
{
	return trace_parse(p, line, strlen(line), ev, NULL);
}

static void
test_event_shape(void)
{
	struct trace_event ev;

	CHECK(parse("{\"msg_id\":\"m\",\"thread_id\":\"t\",\"traced_type\":"
	    "\"https://didcomm.org/trust_ping/1.0/ping\",\"timestamp\":"
	    "1700000000.5,\"str_time\":\"2023-11-14 22:13:20.500000\","
	    "\"handler\":\"mediator.trace\",\"ellapsed_milli\":12,"
	    "\"outcome\":\"Dispatcher.handle_message.END\"}", &ev) == TRACE_OK);
	CHECK(ev.shape == TRACE_SHAPE_EVENT);
	CHECK_STR(ev.label, "mediator.trace");
	CHECK_STR(ev.handler, "mediator.trace");
	CHECK_STR(ev.outcome, "Dispatcher.handle_message.END");
	CHECK_STR(ev.msg_id, "m");
	CHECK_STR(ev.thread_id, "t");
	CHECK_NUM(ev.elapsed_ms, 12, 0);
	CHECK_NUM(ev.time, 1700000000.5, 1e-6);
}

static void
test_field_rules(void)
{
	struct trace_event ev;

	/* New name, string elapsed, str_time with +0000, explicit label. */
	CHECK(parse("{\"elapsed_milli\":\"7.5\",\"str_time\":"
	    "\"2023-11-14 22:13:20.000000+0000\",\"handler\":\"h\","
	    "\"label\":\"L\"}", &ev) == TRACE_OK);
	CHECK_NUM(ev.elapsed_ms, 7.5, 0);
	CHECK_NUM(ev.time, 1700000000, 1e-6);
	CHECK_STR(ev.label, "L");
	CHECK_STR(ev.handler, "h");
	CHECK(ev.outcome == NULL);
	/* @timestamp when there is no timestamp or str_time. */
	CHECK(parse("{\"ellapsed_milli\":3,\"@timestamp\":"
	    "\"2023-11-14T22:13:20.000Z\",\"@version\":\"1\",\"handler\":\"h\"}",
	    &ev) == TRACE_OK);
	CHECK(ev.shape == TRACE_SHAPE_LOGSTASH);
	CHECK_NUM(ev.time, 1700000000, 1e-6);
	/* timestamp wins over str_time. */
	CHECK(parse("{\"ellapsed_milli\":3,\"timestamp\":5,\"str_time\":"
	    "\"2023-11-14 22:13:20\"}", &ev) == TRACE_OK);
	CHECK_NUM(ev.time, 5, 0);
}

static void
test_hit_and_log_shapes(void)
{
	struct trace_event ev;

	CHECK(parse("{\"_index\":\"i\",\"_id\":\"1\",\"_source\":{\"handler\":"
	    "\"x\",\"ellapsed_milli\":9,\"timestamp\":1}}", &ev) == TRACE_OK);
	CHECK(ev.shape == TRACE_SHAPE_HIT);
	CHECK_NUM(ev.elapsed_ms, 9, 0);
	CHECK_STR(ev.handler, "x");
	CHECK(parse("2024-01-01 10:00:00,123 aries_cloudagent.core.event_bus "
	    "INFO acapy.events {\"handler\":\"y\",\"ellapsed_milli\":4,"
	    "\"timestamp\":2}", &ev) == TRACE_OK);
	CHECK(ev.shape == TRACE_SHAPE_LOG);
	CHECK_STR(ev.handler, "y");
}

static void
test_rejections(void)
{
	struct trace_event ev;

	CHECK(parse("{\"a\":", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":1} trailing", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":01}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":[1,]}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{'a':1}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":NaN}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":\"\\x\"}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":\"tab\there\"}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":1,}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":-}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":1.}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"a\":tru}", &ev) == TRACE_REJ_INVALID_JSON);
	/* Valid JSON, but an elapsed too large for a double. */
	CHECK(parse("{\"ellapsed_milli\":1e999,\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"a\":\"\xff\"}", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("plain log line", &ev) == TRACE_SKIP);
	CHECK(parse("[1,2]", &ev) == TRACE_REJ_NOT_OBJECT);
	CHECK(parse("42", &ev) == TRACE_REJ_NOT_OBJECT);
	CHECK(parse("{\"timestamp\":1}", &ev) == TRACE_REJ_NO_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":-1,\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":\"fast\",\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":\"0x10\",\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":null,\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":1}", &ev) == TRACE_REJ_NO_TIME);
	CHECK(parse("{\"ellapsed_milli\":1,\"str_time\":\"nope\"}", &ev) ==
	    TRACE_REJ_BAD_TIME);
	CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":-5}", &ev) ==
	    TRACE_REJ_BAD_TIME);
	/* a damaged or millisecond timestamp is not a time in seconds */
	CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":1e300}", &ev) ==
	    TRACE_REJ_BAD_TIME);
	CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":1795938957907}",
	    &ev) == TRACE_REJ_BAD_TIME);
	CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":253402300799}",
	    &ev) == TRACE_OK);
	CHECK_STR(trace_reject_name(TRACE_REJ_BAD_TIME), "bad_time");
}

static void
test_escapes_and_duplicates(void)
{
	struct trace_event ev;

	/* Escaped keys and values are read as json-c would. */
	CHECK(parse("{\"handl\\u0065r\":\"a\\\"b\\u00e9\\ud83d\\ude00\","
	    "\"ellapsed_milli\":1,\"timestamp\":1}", &ev) == TRACE_OK);
	CHECK_STR(ev.handler, "a\"b\xc3\xa9\xf0\x9f\x98\x80");
	/* The last of duplicate members wins. */
	CHECK(parse("{\"handler\":\"x\",\"ellapsed_milli\":1,\"handler\":\"y\","
	    "\"timestamp\":1}", &ev) == TRACE_OK);
	CHECK_STR(ev.handler, "y");
	/* Non-string values of string fields are their text; null is absent. */
	CHECK(parse("{\"handler\":null,\"msg_id\":42,\"ellapsed_milli\":1,"
	    "\"timestamp\":1}", &ev) == TRACE_OK);
	CHECK(ev.handler == NULL);
	CHECK_STR(ev.msg_id, "42");
	/* Objects with many members still find their fields. */
	{
		char big[8192];
		int i, o = 0;

		o += snprintf(big + o, sizeof(big) - (size_t)o, "{");
		for (i = 0; i < 200; i++)
			o += snprintf(big + o, sizeof(big) - (size_t)o,
			    "\"k%d\":%d,", i, i);
		snprintf(big + o, sizeof(big) - (size_t)o,
		    "\"handler\":\"late\",\"ellapsed_milli\":3,\"timestamp\":1}");
		CHECK(parse(big, &ev) == TRACE_OK);
		CHECK_STR(ev.handler, "late");
	}
}

static void
test_parser_reuse(void)
{
	struct trace_event ev;
	int i;

	/* A failed parse must not poison the next one. */
	for (i = 0; i < 3; i++) {
		CHECK(parse("{\"x\":", &ev) == TRACE_REJ_INVALID_JSON);
		CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":1}", &ev) ==
		    TRACE_OK);
	}
}

/* Values beyond the documented bounds are damage. */
static void
test_bounds(void)
{
	struct trace_event ev;

	CHECK(parse("{\"ellapsed_milli\":1e100,\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":86400001,\"timestamp\":1}", &ev) ==
	    TRACE_REJ_BAD_ELAPSED);
	CHECK(parse("{\"ellapsed_milli\":86400000,\"timestamp\":1}", &ev) ==
	    TRACE_OK);
	CHECK(parse("{\"ellapsed_milli\":1,\"str_time\":\"0000-01-01 "
	    "00:00:00.000000Z\"}", &ev) == TRACE_REJ_BAD_TIME);
	CHECK(parse("{\"ellapsed_milli\":1,\"@timestamp\":\"1969-12-31T23:"
	    "59:59Z\"}", &ev) == TRACE_REJ_BAD_TIME);
	CHECK(parse("{\"ellapsed_milli\":1,\"str_time\":\"2026-11-29 07:00:"
	    "00.000000Z\"}", &ev) == TRACE_OK);
}

/* Log text is skipped, a damaged trace in a log line is still rejected. */
static void
test_log_text(void)
{
	struct trace_event ev;

	CHECK(parse("2026-12-02 04:19:55,162 aries_cloudagent.resolver "
	    "WARNING Ledger is not configured", &ev) == TRACE_SKIP);
	CHECK(parse("INFO settings {'wallet': 'askar'}", &ev) == TRACE_SKIP);
	CHECK(parse("INFO webhook {\"topic\": \"connections\"}", &ev) ==
	    TRACE_SKIP);
	CHECK(parse("INFO acapy.events {\"msg_id\": \"m\", \"ellapsed_mi",
	    &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("INFO acapy.events {\"outcome\": \"x.END\", "
	    "\"timestamp\": 1}", &ev) == TRACE_REJ_NO_ELAPSED);
	CHECK(parse("{\"topic\": \"connections\"}", &ev) ==
	    TRACE_REJ_NO_ELAPSED);
	/* ACA-Py's ws transport quotes each envelope it receives */
	CHECK(parse("2026-12-02 16:14:12,311 aries_cloudagent.transport."
	    "inbound.ws INFO Websocket received message: b'{\"protected\":"
	    "\"eyJ\",\"iv\":\"a\",\"ciphertext\":\"b\",\"tag\":\"c\"}'",
	    &ev) == TRACE_SKIP);
	/* a trace event with text after it is damage, not log text */
	CHECK(parse("INFO acapy.events {\"msg_id\": \"m\", \"ellapsed_milli\""
	    ": 1, \"timestamp\": 1} trailing", &ev) == TRACE_REJ_INVALID_JSON);
	CHECK(parse("{\"msg_id\": \"m\", \"ellapsed_milli\": 1} x", &ev) ==
	    TRACE_REJ_INVALID_JSON);
}

/* "a\u0000b" stays three characters apart, never the group "a". */
static void
test_nul_kept(void)
{
	struct trace_event ev;

	CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":1,\"handler\":"
	    "\"a\\u0000b\"}", &ev) == TRACE_OK);
	CHECK_STR(ev.handler, "a\\u0000b");
}

/* Releases line up: old types, endpoints in outcomes, start-up probes. */
static void
test_normalised(void)
{
	struct trace_event ev;
	const char *old = "{\"traced_type\":\"did:sov:BzCbsNYhMrjHiqZDTUASHg;"
	    "spec/trust_ping/1.0/ping\",\"outcome\":\"OutboundTransport"
	    "Manager.DELIVER.END.http://127.0.0.1:9004\",\"handler\":\"m\","
	    "\"ellapsed_milli\":1,\"timestamp\":1}";

	CHECK(parse(old, &ev) == TRACE_OK);
	CHECK_STR(ev.traced_type, "https://didcomm.org/trust_ping/1.0/ping");
	CHECK_STR(ev.outcome, "OutboundTransportManager.DELIVER.END");
	CHECK_STR(ev.endpoint, "http://127.0.0.1:9004");
	CHECK(!ev.probe);
	trace_parser_raw(p, 1);
	CHECK(parse(old, &ev) == TRACE_OK);
	CHECK_STR(ev.traced_type, "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/"
	    "trust_ping/1.0/ping");
	CHECK_STR(ev.outcome, "OutboundTransportManager.DELIVER.END."
	    "http://127.0.0.1:9004");
	CHECK(ev.endpoint == NULL);
	trace_parser_raw(p, 0);
	CHECK(parse("{\"outcome\":\"x.END\",\"handler\":\"m\","
	    "\"ellapsed_milli\":1,\"timestamp\":1}", &ev) == TRACE_OK);
	CHECK(ev.endpoint == NULL);
	CHECK_STR(ev.outcome, "x.END");
	CHECK(parse("{\"msg_id\":\"N/A\",\"traced_type\":\"NoneType\","
	    "\"timestamp\":1,\"handler\":\"ArgParse\",\"ellapsed_milli\":0,"
	    "\"outcome\":\"Successfully_configured_aca-py\"}", &ev) ==
	    TRACE_OK);
	CHECK(ev.probe);
}

/* The one normal form: each rule, the scheme order, what stays alone. */
static void
test_normal_value(void)
{
	struct strbuf b;
	const char *ep = "set";

	strbuf_init(&b, 0);
	CHECK(trace_normal_value(TRACE_VALUE_TYPE, "did:sov:BzCbsNYhMrjHiqZDTU"
	    "ASHg;spec/routing/1.0/forward", &b, &ep) == 1);
	CHECK_STR(b.data, "https://didcomm.org/routing/1.0/forward");
	CHECK(ep == NULL);
	CHECK(trace_normal_value(TRACE_VALUE_TYPE, "OutboundMessage", &b,
	    NULL) == 0);
	CHECK_STR(b.data, "OutboundMessage");
	/* A type is never cut, an outcome never gets a new prefix. */
	CHECK(trace_normal_value(TRACE_VALUE_TYPE, "a.http://b", &b, &ep) == 0);
	CHECK_STR(b.data, "a.http://b");
	CHECK(trace_normal_value(TRACE_VALUE_OUTCOME, "did:sov:BzCbsNYhMrjHiq"
	    "ZDTUASHg;spec/x", &b, NULL) == 0);
	CHECK(trace_normal_value(TRACE_VALUE_OUTCOME, "X.DELIVER.START.wss://"
	    "h:1/p", &b, &ep) == 1);
	CHECK_STR(b.data, "X.DELIVER.START");
	CHECK_STR(ep, "wss://h:1/p");
	CHECK(b.len == strlen("X.DELIVER.START") + 1 + strlen("wss://h:1/p"));
	/* http is tried first, wherever it is. */
	CHECK(trace_normal_value(TRACE_VALUE_OUTCOME, "A.ws://x.http://y", &b,
	    &ep) == 1);
	CHECK_STR(b.data, "A.ws://x");
	CHECK_STR(ep, "http://y");
	/* Nothing before the endpoint: left as written. */
	CHECK(trace_normal_value(TRACE_VALUE_OUTCOME, ".https://h", &b,
	    &ep) == 0);
	CHECK_STR(b.data, ".https://h");
	CHECK(ep == NULL);
	CHECK(trace_normal_value(TRACE_VALUE_OUTCOME, "", &b, &ep) == 0);
	CHECK_STR(b.data, "");
	strbuf_release(&b);
}

/*
 * trace_parser_doc gives the event's object after a success only, and
 * reads every object trace_parse accepts, nested as deep as it may be
 * (found by tests/fuzz/fuzz_trace).
 */
static void
test_doc_follows_parse(void)
{
	struct trace_event ev;
	char line[400];
	int i, n = 0;

	CHECK(parse("{\"ellapsed_milli\":1,\"timestamp\":1}", &ev) ==
	    TRACE_OK);
	CHECK(trace_parser_doc(p) != NULL);
	CHECK(parse("{\"outcome\": \"x.END\", \"timestamp\": 1}", &ev) ==
	    TRACE_REJ_NO_ELAPSED);
	CHECK(trace_parser_doc(p) == NULL);
	n += snprintf(line, sizeof(line), "{\"ellapsed_milli\":1,"
	    "\"timestamp\":1,\"x\":");
	for (i = 0; i < 40; i++)
		line[n++] = '[';
	for (i = 0; i < 40; i++)
		line[n++] = ']';
	line[n++] = '}';
	line[n] = '\0';
	CHECK(parse(line, &ev) == TRACE_OK);
	CHECK(trace_parser_doc(p) != NULL);
}

int
main(void)
{
	p = trace_parser_new();
	RUN(test_event_shape);
	RUN(test_field_rules);
	RUN(test_hit_and_log_shapes);
	RUN(test_rejections);
	RUN(test_bounds);
	RUN(test_log_text);
	RUN(test_nul_kept);
	RUN(test_normalised);
	RUN(test_normal_value);
	RUN(test_escapes_and_duplicates);
	RUN(test_parser_reuse);
	RUN(test_doc_follows_parse);
	trace_parser_free(p);
	return CHECK_EXIT();
}
