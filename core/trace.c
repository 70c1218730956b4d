/* trace.c: one line of input -> one trace event, or a reason it is not. */
#include "trace.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "timeutil.h"
#include "util.h"

struct trace_parser {
	struct json_tokener *tok;
	struct json_object *root;	/* the current record, owned */
};

static const char *const trace_reject_names[TRACE_REJ_COUNT] = {
	"ok", "invalid_json", "no_json_object", "not_object", "no_elapsed",
	"bad_elapsed", "no_time", "bad_time", "line_too_long",
};

const char *
trace_reject_name(enum trace_reject r)
{
	if ((int)r < 0 || r >= TRACE_REJ_COUNT)
		return "unknown";
	return trace_reject_names[r];
}

const char *
trace_shape_name(enum trace_shape s)
{
	switch (s) {
	case TRACE_SHAPE_EVENT:
		return "event";
	case TRACE_SHAPE_LOGSTASH:
		return "logstash";
	case TRACE_SHAPE_HIT:
		return "hit";
	case TRACE_SHAPE_LOG:
		return "log";
	}
	return "unknown";
}

struct trace_parser *
trace_parser_new(void)
{
	struct trace_parser *p = util_calloc(1, sizeof(*p));

	p->tok = json_tokener_new_ex(64);
	if (p->tok == NULL) {
		free(p);
		return NULL;
	}
	json_tokener_set_flags(p->tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	return p;
}

void
trace_parser_free(struct trace_parser *p)
{
	if (p == NULL)
		return;
	json_object_put(p->root);
	json_tokener_free(p->tok);
	free(p);
}

/*
 * Parses exactly one JSON value from s (len bytes) followed by nothing but
 * whitespace. Returns the value (owned) or NULL.
 */
static struct json_object *
trace_json(struct trace_parser *p, const char *s, size_t len)
{
	struct json_object *o;
	size_t end;

	json_tokener_reset(p->tok);
	o = json_tokener_parse_ex(p->tok, s, (int)len);
	if (o == NULL && json_tokener_get_error(p->tok) ==
	    json_tokener_continue) {
		/* Numbers at the very end need a terminator to complete. */
		o = json_tokener_parse_ex(p->tok, " ", 1);
		if (o != NULL)
			return o;
	}
	if (o == NULL)
		return NULL;
	end = json_tokener_get_parse_end(p->tok);
	while (end < len && isspace((unsigned char)s[end]))
		end++;
	if (end != len) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* Says why the last parse failed. */
static const char *
trace_json_error(struct trace_parser *p)
{
	enum json_tokener_error e = json_tokener_get_error(p->tok);

	if (e == json_tokener_continue)
		return "the JSON ends before the line does";
	if (e == json_tokener_success)
		return "text after the JSON value";
	return json_tokener_error_desc(e);
}

int
trace_parse_decimal(const char *s, double *out)
{
	const char *p = s;
	int digits = 0;

	while (*p == ' ')
		p++;
	if (*p == '+' || *p == '-')
		p++;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits++;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits++;
		}
	}
	if (digits == 0)
		return -1;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return -1;
	return util_parse_double(s, out);
}

/* A string field of o, or NULL (numbers are given as their text). */
static const char *
trace_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return NULL;
	if (json_object_is_type(v, json_type_object) ||
	    json_object_is_type(v, json_type_array))
		return NULL;
	return json_object_get_string(v);
}

/* Reads a numeric field (number or decimal string): 1 ok, 0 absent, -1 bad. */
static int
trace_num(struct json_object *o, const char *key, double *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return 0;
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) {
		*out = json_object_get_double(v);
		return isfinite(*out) ? 1 : -1;
	}
	if (json_object_is_type(v, json_type_string))
		return trace_parse_decimal(json_object_get_string(v), out) == 0 ?
		    1 : -1;
	return -1;
}

/* Finds the event time: timestamp, else str_time, else @timestamp. */
static enum trace_reject
trace_time(struct json_object *o, double *t, const char **detail)
{
	const char *s;
	int rc;

	rc = trace_num(o, "timestamp", t);
	if (rc == 1 && *t >= 0)
		return TRACE_OK;
	if (rc != 0) {
		*detail = "\"timestamp\" is not a non-negative number";
		return TRACE_REJ_BAD_TIME;
	}
	if ((s = trace_str(o, "str_time")) != NULL) {
		if (time_parse(s, t) == 0)
			return TRACE_OK;
		*detail = "\"str_time\" is not a time";
		return TRACE_REJ_BAD_TIME;
	}
	if ((s = trace_str(o, "@timestamp")) != NULL) {
		if (time_parse(s, t) == 0)
			return TRACE_OK;
		*detail = "\"@timestamp\" is not a time";
		return TRACE_REJ_BAD_TIME;
	}
	*detail = "no \"timestamp\", \"str_time\" or \"@timestamp\"";
	return TRACE_REJ_NO_TIME;
}

/* Fills ev from the event object o. */
static enum trace_reject
trace_fill(struct json_object *o, struct trace_event *ev, const char **detail)
{
	int rc;

	rc = trace_num(o, "ellapsed_milli", &ev->elapsed_ms);
	if (rc == 0)
		rc = trace_num(o, "elapsed_milli", &ev->elapsed_ms);
	if (rc == 0) {
		*detail = "no \"ellapsed_milli\" or \"elapsed_milli\"";
		return TRACE_REJ_NO_ELAPSED;
	}
	if (rc < 0) {
		*detail = "elapsed is not a number";
		return TRACE_REJ_BAD_ELAPSED;
	}
	if (ev->elapsed_ms < 0) {
		*detail = "elapsed is negative";
		return TRACE_REJ_BAD_ELAPSED;
	}
	ev->handler = trace_str(o, "handler");
	ev->label = trace_str(o, "label");
	if (ev->label == NULL)
		ev->label = ev->handler;
	ev->outcome = trace_str(o, "outcome");
	ev->traced_type = trace_str(o, "traced_type");
	ev->msg_id = trace_str(o, "msg_id");
	ev->thread_id = trace_str(o, "thread_id");
	ev->doc = o;
	return trace_time(o, &ev->time, detail);
}

enum trace_reject
trace_parse(struct trace_parser *p, const char *line, size_t len,
    struct trace_event *ev, const char **detail)
{
	const char *dummy, *brace;
	struct json_object *o, *src;
	size_t i = 0;

	if (detail == NULL)
		detail = &dummy;
	*detail = "";
	memset(ev, 0, sizeof(*ev));
	json_object_put(p->root);
	p->root = NULL;
	if (len > (size_t)0x7fffffff) {
		*detail = "record longer than 2 GiB";
		return TRACE_REJ_TOO_LONG;
	}
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	ev->shape = TRACE_SHAPE_EVENT;
	if (i < len && line[i] == '{') {
		p->root = trace_json(p, line + i, len - i);
		if (p->root == NULL) {
			*detail = trace_json_error(p);
			return TRACE_REJ_INVALID_JSON;
		}
	} else {
		p->root = trace_json(p, line + i, len - i);
		if (p->root != NULL) {
			*detail = "a JSON value that is not an object";
			return TRACE_REJ_NOT_OBJECT;
		}
		brace = memchr(line, '{', len);
		if (brace == NULL) {
			*detail = "no '{' on the line";
			return TRACE_REJ_NO_JSON_OBJECT;
		}
		ev->shape = TRACE_SHAPE_LOG;
		p->root = trace_json(p, brace, len - (size_t)(brace - line));
		if (p->root == NULL) {
			*detail = trace_json_error(p);
			return TRACE_REJ_INVALID_JSON;
		}
	}
	if (!json_object_is_type(p->root, json_type_object)) {
		*detail = "a JSON value that is not an object";
		return TRACE_REJ_NOT_OBJECT;
	}
	o = p->root;
	if (json_object_object_get_ex(o, "_source", &src) &&
	    json_object_is_type(src, json_type_object) &&
	    (json_object_object_get_ex(o, "_index", NULL) ||
	    json_object_object_get_ex(o, "_id", NULL))) {
		o = src;
		ev->shape = TRACE_SHAPE_HIT;
	} else if (ev->shape == TRACE_SHAPE_EVENT &&
	    (json_object_object_get_ex(o, "@timestamp", NULL) ||
	    json_object_object_get_ex(o, "@version", NULL)))
		ev->shape = TRACE_SHAPE_LOGSTASH;
	return trace_fill(o, ev, detail);
}
