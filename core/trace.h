/*
 * trace.h: the ACA-Py trace event model and the parser that turns one line
 * of input into an event.
 *
 * A line may hold (detected per line):
 *   1. an ACA-Py trace event object;
 *   2. a Logstash document (the same fields beside @timestamp, @version ...);
 *   3. an Elasticsearch hit ({"_index", "_id", "_source": 1 or 2});
 *   4. an ACA-Py log line: any text, then the JSON object that starts at
 *      the line's first '{'.
 */
#ifndef MEDLOAD_TRACE_H
#define MEDLOAD_TRACE_H

#include <stddef.h>

struct json_object;
struct strbuf;

enum trace_shape {
	TRACE_SHAPE_EVENT = 1,
	TRACE_SHAPE_LOGSTASH = 2,
	TRACE_SHAPE_HIT = 3,
	TRACE_SHAPE_LOG = 4
};

/* The latest event time accepted: 9999-12-31T23:59:59Z, epoch seconds. */
#define TRACE_TIME_MAX 253402300799.0

/*
 * The largest elapsed value accepted, in ms: one day. Larger (or not
 * finite) values are damage, rejected as bad_elapsed.
 */
#define TRACE_ELAPSED_MAX 86400000.0

/*
 * Why a record was rejected; TRACE_OK when it was not. TRACE_SKIP is no
 * rejection: the line is log text with no trace event in it.
 */
enum trace_reject {
	TRACE_OK = 0,
	TRACE_REJ_INVALID_JSON,
	TRACE_REJ_NO_JSON_OBJECT,
	TRACE_REJ_NOT_OBJECT,
	TRACE_REJ_NO_ELAPSED,
	TRACE_REJ_BAD_ELAPSED,
	TRACE_REJ_NO_TIME,
	TRACE_REJ_BAD_TIME,
	TRACE_REJ_TOO_LONG,
	TRACE_REJ_COUNT,
	TRACE_SKIP = 100
};

/*
 * One trace event. Every string is borrowed from the parser and valid until
 * its next parse; NULL when the record lacks the field. A NUL escaped in
 * the JSON (\u0000) is kept as the six characters "\u0000", so a string is
 * never cut short.
 */
struct trace_event {
	const char *label;	/* explicit "label", else "handler" */
	const char *handler;
	const char *outcome;
	const char *traced_type;
	const char *msg_id;
	const char *thread_id;
	const char *endpoint;	/* where a DELIVER outcome went, or NULL */
	int probe;		/* an agent's start-up probe, not workflow */
	double elapsed_ms;	/* ellapsed_milli or elapsed_milli, >= 0 */
	double time;		/* epoch seconds */
	enum trace_shape shape;
	const char *doc;	/* the event object's JSON text, borrowed */
	size_t doc_len;
};

struct trace_parser;

/* Creates a parser. Caller frees with trace_parser_free. */
struct trace_parser *trace_parser_new(void);

/*
 * With raw set, the parser keeps message types and outcomes as the agent
 * wrote them. By default it normalises them so that releases line up: the
 * "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/" prefix of ACA-Py 0.8 becomes
 * "https://didcomm.org/", and an outcome ending with an endpoint
 * ("OutboundTransportManager.DELIVER.END.http://127.0.0.1:9004") loses it
 * to ev->endpoint.
 */
void trace_parser_raw(struct trace_parser *p, int raw);

/*
 * With lean set, events come without msg_id and thread_id (NULL; the
 * record is checked all the same), for readers that only aggregate:
 * two copies fewer per event.
 */
void trace_parser_lean(struct trace_parser *p, int lean);

/*
 * An agent's start-up probe (its first trace, no workflow): this handler,
 * or this outcome. ev->probe says so; every source sets probes aside.
 */
#define TRACE_PROBE_HANDLER "ArgParse"
#define TRACE_PROBE_OUTCOME "Successfully_configured_aca-py"

/* The message type prefix of ACA-Py 0.8 and older, and what it becomes. */
#define TRACE_TYPE_OLD_PREFIX "did:sov:BzCbsNYhMrjHiqZDTUASHg;spec/"
#define TRACE_TYPE_PREFIX "https://didcomm.org/"

/*
 * Where an endpoint written at the end of an outcome starts (".http://",
 * ".https://", ".ws://", ".wss://"), in the order they are tried; NULL
 * ends the list.
 */
extern const char *const trace_endpoint_schemes[];

/* The values that releases write differently. */
enum trace_value { TRACE_VALUE_TYPE, TRACE_VALUE_OUTCOME };

/*
 * The normal form of one value as an agent wrote it: what the parser
 * gives unless raw, and what every source that reads values another way
 * (the search engine's aggregations) uses, so the two cannot drift. A
 * type starting with TRACE_TYPE_OLD_PREFIX gets TRACE_TYPE_PREFIX
 * instead; an outcome holding one of trace_endpoint_schemes after its
 * first character (the first scheme of the list found, at its first
 * place) is cut there: "OutboundTransportManager.DELIVER.END.http://
 * 127.0.0.1:9004" becomes "OutboundTransportManager.DELIVER.END" and the
 * endpoint "http://127.0.0.1:9004". value is NUL-terminated; out is reset
 * and receives the normal value (NUL-terminated), then, for a cut
 * outcome, the endpoint after it: *endpoint (when endpoint is not NULL)
 * points to that in out, else is set to NULL. Returns 1 when the value
 * changed, else 0 (out then holds a copy).
 */
int trace_normal_value(enum trace_value which, const char *value,
    struct strbuf *out, const char **endpoint);

/* Frees the parser; NULL is accepted. */
void trace_parser_free(struct trace_parser *p);

/*
 * Parses one record of len bytes (no newline). Fills *ev and returns
 * TRACE_OK, or returns the reason the record is rejected; then *detail (if
 * not NULL) points to a static phrase saying more. Returns TRACE_SKIP for
 * a line of log text that holds no trace event: no '{' at all, or text
 * before a '{' that starts no trace (not JSON and no trace field name in
 * it, or a JSON object with none of the trace fields).
 */
enum trace_reject trace_parse(struct trace_parser *p, const char *line,
    size_t len, struct trace_event *ev, const char **detail);

/*
 * The last event's object as a json-c document (borrowed; valid until the
 * next parse), built on first request; NULL when the last parse failed.
 */
struct json_object *trace_parser_doc(struct trace_parser *p);

/* The short machine name of a reason ("invalid_json", ...). */
const char *trace_reject_name(enum trace_reject r);

/* A name for a shape ("event", "logstash", "hit", "log"). */
const char *trace_shape_name(enum trace_shape s);

/*
 * Parses an elapsed value written as text ("12", "12.5"): decimal digits,
 * an optional fraction and exponent, nothing else. Returns 0 or -1.
 */
int trace_parse_decimal(const char *s, double *out);

#endif
