/* trace.c: one line of input -> one trace event, or a reason it is not. */
#include "trace.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jscan.h"
#include "strbuf.h"
#include "timeutil.h"
#include "util.h"

#define TRACE_MEMBERS 64

/* The string fields an event carries. */
enum trace_field {
	TF_LABEL, TF_HANDLER, TF_OUTCOME, TF_TYPE, TF_MSG_ID, TF_THREAD_ID,
	TF_COUNT
};

struct trace_parser {
	struct jscan_member *members;
	size_t max;
	struct strbuf fields[TF_COUNT];
	struct strbuf scratch;
	struct json_tokener *tok;
	struct json_object *doc;	/* built on request */
	const char *doc_text;
	size_t doc_len;
	int raw;		/* keep types and outcomes as written */
	int lean;		/* no msg_id and thread_id */
};

/* Where an endpoint starts in an outcome, in the order they are tried. */
const char *const trace_endpoint_schemes[] = { ".http://", ".https://",
    ".ws://", ".wss://", NULL };

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
	int i;

	p->max = TRACE_MEMBERS;
	p->members = util_calloc(p->max, sizeof(*p->members));
	for (i = 0; i < TF_COUNT; i++)
		strbuf_init(&p->fields[i], 0);
	strbuf_init(&p->scratch, 0);
	return p;
}

void
trace_parser_raw(struct trace_parser *p, int raw)
{
	p->raw = raw;
}

void
trace_parser_lean(struct trace_parser *p, int lean)
{
	p->lean = lean;
}

void
trace_parser_free(struct trace_parser *p)
{
	int i;

	if (p == NULL)
		return;
	for (i = 0; i < TF_COUNT; i++)
		strbuf_release(&p->fields[i]);
	strbuf_release(&p->scratch);
	json_object_put(p->doc);
	if (p->tok != NULL)
		json_tokener_free(p->tok);
	free(p->members);
	free(p);
}

struct json_object *
trace_parser_doc(struct trace_parser *p)
{
	if (p->doc != NULL || p->doc_text == NULL)
		return p->doc;
	if (p->tok == NULL)
		p->tok = json_tokener_new_ex(JSCAN_MAX_DEPTH);
	json_tokener_reset(p->tok);
	p->doc = json_tokener_parse_ex(p->tok, p->doc_text, (int)p->doc_len);
	return p->doc;
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

/*
 * Scans the object at s into p->members, growing the array when the
 * object has more members than it holds. Returns the number or -1.
 */
static int
trace_scan(struct trace_parser *p, const char *s, size_t len, size_t *end,
    enum jscan_type *type, const char **err)
{
	size_t n;

	for (;;) {
		if (jscan_value(s, len, type, end, p->members, p->max, &n,
		    err) == -1)
			return -1;
		if (n <= p->max)
			return (int)n;
		p->max *= 4;
		p->members = util_realloc(p->members,
		    p->max * sizeof(*p->members));
	}
}

/* The text of a string member, unescaped into buf; NULL if not a string. */
/* Replaces each NUL of buf's text by the six characters "\u0000". */
static void
trace_show_nuls(struct strbuf *buf)
{
	struct strbuf out;
	size_t i;

	strbuf_init(&out, buf->cap);
	for (i = 0; i < buf->len; i++) {
		if (buf->data[i] == '\0')
			strbuf_adds(&out, "\\u0000");
		else
			strbuf_addc(&out, buf->data[i]);
	}
	strbuf_release(buf);
	*buf = out;
}

static const char *
trace_text(const struct jscan_member *m, struct strbuf *buf)
{
	strbuf_reset(buf);
	switch (m->type) {
	case JSCAN_STRING:
		if (m->escaped)
			jscan_unescape(m->val, m->vlen, buf);
		else
			strbuf_add(buf, m->val, m->vlen);
		break;
	case JSCAN_NUMBER:
	case JSCAN_TRUE:
	case JSCAN_FALSE:
		strbuf_add(buf, m->val, m->vlen);
		break;
	default:
		return NULL;
	}
	/* A NUL comes only from an escape: the scanner refuses raw ones. */
	if (m->escaped && buf->data != NULL && strlen(buf->data) != buf->len)
		trace_show_nuls(buf);
	return buf->data ? buf->data : "";
}

/*
 * Parses a JSON number's text. Up to 15 integer digits and 15 fraction
 * digits are combined exactly enough for times and milliseconds without
 * strtod; longer or exponent forms go to strtod.
 */
static int
trace_number(struct trace_parser *p, const char *s, size_t n, double *out)
{
	static const double pow10[] = { 1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
	    1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
	unsigned long long ip = 0, fp = 0;
	size_t i = 0, id = 0, fd = 0;
	int neg = 0;

	if (i < n && s[i] == '-') {
		neg = 1;
		i++;
	}
	while (i < n && s[i] >= '0' && s[i] <= '9' && id < 16) {
		ip = ip * 10 + (unsigned)(s[i++] - '0');
		id++;
	}
	if (i < n && s[i] == '.') {
		i++;
		while (i < n && s[i] >= '0' && s[i] <= '9' && fd < 15) {
			fp = fp * 10 + (unsigned)(s[i++] - '0');
			fd++;
		}
	}
	if (i == n && id > 0 && id <= 15) {
		*out = (double)ip + (fd ? (double)fp / pow10[fd] : 0);
		if (neg)
			*out = -*out;
		return 0;
	}
	strbuf_reset(&p->scratch);
	strbuf_add(&p->scratch, s, n);
	return util_parse_double(p->scratch.data, out);
}

/* Reads a numeric member (number or decimal string): 1 ok, -1 bad. */
static int
trace_num(struct trace_parser *p, const struct jscan_member *m, double *out)
{
	const char *t;

	if (m->type == JSCAN_NUMBER)
		return trace_number(p, m->val, m->vlen, out) == 0 ? 1 : -1;
	if (m->type == JSCAN_STRING) {
		t = trace_text(m, &p->scratch);
		return trace_parse_decimal(t, out) == 0 ? 1 : -1;
	}
	return -1;
}

/* Where the interesting members of an event object are. */
struct trace_found {
	const struct jscan_member *field[TF_COUNT];
	const struct jscan_member *ellapsed, *elapsed, *timestamp, *str_time;
	const struct jscan_member *at_timestamp, *at_version, *source;
	int has_index;
};

/* Says whether an unescaped key of klen bytes is name. */
#define TRACE_KEY(x, name) ((x)->klen == sizeof(name) - 1 && \
	memcmp((x)->key, name, sizeof(name) - 1) == 0)

/* Records one member if its (unescaped) key is one we read. */
static void
trace_note(const struct jscan_member *x, const char *key, size_t klen,
    struct trace_found *f)
{
	struct jscan_member k = *x;

	k.key = key;
	k.klen = klen;
	switch (klen) {
	case 3:
		if (TRACE_KEY(&k, "_id"))
			f->has_index = 1;
		break;
	case 5:
		if (TRACE_KEY(&k, "label"))
			f->field[TF_LABEL] = x;
		break;
	case 6:
		if (TRACE_KEY(&k, "msg_id"))
			f->field[TF_MSG_ID] = x;
		else if (TRACE_KEY(&k, "_index"))
			f->has_index = 1;
		break;
	case 7:
		if (TRACE_KEY(&k, "handler"))
			f->field[TF_HANDLER] = x;
		else if (TRACE_KEY(&k, "outcome"))
			f->field[TF_OUTCOME] = x;
		else if (TRACE_KEY(&k, "_source"))
			f->source = x;
		break;
	case 8:
		if (TRACE_KEY(&k, "str_time"))
			f->str_time = x;
		else if (TRACE_KEY(&k, "@version"))
			f->at_version = x;
		break;
	case 9:
		if (TRACE_KEY(&k, "thread_id"))
			f->field[TF_THREAD_ID] = x;
		else if (TRACE_KEY(&k, "timestamp"))
			f->timestamp = x;
		break;
	case 10:
		if (TRACE_KEY(&k, "@timestamp"))
			f->at_timestamp = x;
		break;
	case 11:
		if (TRACE_KEY(&k, "traced_type"))
			f->field[TF_TYPE] = x;
		break;
	case 13:
		if (TRACE_KEY(&k, "elapsed_milli"))
			f->elapsed = x;
		break;
	case 14:
		if (TRACE_KEY(&k, "ellapsed_milli"))
			f->ellapsed = x;
		break;
	}
}

/* Indexes members by name (the last of duplicates wins, as in json-c). */
static void
trace_find(struct trace_parser *p, const struct jscan_member *m, size_t n,
    struct trace_found *f)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < n; i++) {
		if (!m[i].kescaped) {
			trace_note(&m[i], m[i].key, m[i].klen, f);
			continue;
		}
		strbuf_reset(&p->scratch);
		jscan_unescape(m[i].key, m[i].klen, &p->scratch);
		if (p->scratch.data != NULL &&
		    strlen(p->scratch.data) == p->scratch.len)
			trace_note(&m[i], p->scratch.data, p->scratch.len, f);
	}
}

/* Finds the event time: timestamp, else str_time, else @timestamp. */
static enum trace_reject
trace_time(struct trace_parser *p, const struct trace_found *f, double *t,
    const char **detail)
{
	const char *s;

	if (f->timestamp != NULL) {
		if (trace_num(p, f->timestamp, t) == 1 && *t >= 0 &&
		    *t <= TRACE_TIME_MAX)
			return TRACE_OK;
		*detail = "\"timestamp\" is not a number of seconds from 1970 "
		    "to 9999";
		return TRACE_REJ_BAD_TIME;
	}
	if (f->str_time != NULL) {
		s = trace_text(f->str_time, &p->scratch);
		if (s != NULL && time_parse(s, t) == 0 && *t >= 0 &&
		    *t <= TRACE_TIME_MAX)
			return TRACE_OK;
		*detail = "\"str_time\" is not a time from 1970 to 9999";
		return TRACE_REJ_BAD_TIME;
	}
	if (f->at_timestamp != NULL) {
		s = trace_text(f->at_timestamp, &p->scratch);
		if (s != NULL && time_parse(s, t) == 0 && *t >= 0 &&
		    *t <= TRACE_TIME_MAX)
			return TRACE_OK;
		*detail = "\"@timestamp\" is not a time from 1970 to 9999";
		return TRACE_REJ_BAD_TIME;
	}
	*detail = "no \"timestamp\", \"str_time\" or \"@timestamp\"";
	return TRACE_REJ_NO_TIME;
}

/*
 * The start-up probe an agent sends to its trace target: handler
 * ArgParse, outcome Successfully_configured_aca-py, no message.
 */
static int
trace_is_probe(const struct trace_event *ev)
{
	return (ev->handler != NULL && strcmp(ev->handler,
	    TRACE_PROBE_HANDLER) == 0) || (ev->outcome != NULL &&
	    strcmp(ev->outcome, TRACE_PROBE_OUTCOME) == 0);
}

int
trace_normal_value(enum trace_value which, const char *value,
    struct strbuf *out, const char **endpoint)
{
	static const char old[] = TRACE_TYPE_OLD_PREFIX;
	const char *const *scheme;
	const char *at;

	strbuf_reset(out);
	if (endpoint != NULL)
		*endpoint = NULL;
	if (which == TRACE_VALUE_TYPE &&
	    strncmp(value, old, sizeof(old) - 1) == 0) {
		strbuf_adds(out, TRACE_TYPE_PREFIX);
		strbuf_adds(out, value + sizeof(old) - 1);
		return 1;
	}
	/* Every scheme holds "://": most outcomes are done with one look. */
	for (scheme = trace_endpoint_schemes; which == TRACE_VALUE_OUTCOME &&
	    *scheme != NULL && strstr(value, "://") != NULL; scheme++) {
		at = strstr(value, *scheme);
		if (at == NULL || at == value)
			continue;
		strbuf_add(out, value, (size_t)(at - value));
		strbuf_addc(out, '\0');
		strbuf_adds(out, at + 1);
		if (endpoint != NULL)
			*endpoint = out->data + (at - value) + 1;
		return 1;
	}
	strbuf_adds(out, value);
	return 0;
}

/*
 * Puts the normal form of *v (a field's text in *field) in place: the
 * parser's scratch buffer and the field's swap, so the event's strings
 * stay the parser's own. Returns what trace_normal_value returns.
 */
static int
trace_normal_field(struct trace_parser *p, enum trace_value which,
    struct strbuf *field, const char **v, const char **endpoint)
{
	struct strbuf t;

	if (*v == NULL ||
	    !trace_normal_value(which, *v, &p->scratch, endpoint))
		return 0;
	t = *field;
	*field = p->scratch;
	p->scratch = t;
	*v = field->data;
	return 1;
}

/*
 * One type and one outcome, whatever the release (trace_normal_value),
 * rewritten in the parser's own buffers.
 */
static void
trace_normalise(struct trace_parser *p, struct trace_event *ev)
{
	trace_normal_field(p, TRACE_VALUE_TYPE, &p->fields[TF_TYPE],
	    &ev->traced_type, NULL);
	trace_normal_field(p, TRACE_VALUE_OUTCOME, &p->fields[TF_OUTCOME],
	    &ev->outcome, &ev->endpoint);
}

/* Fills ev from an event object's members. */
static enum trace_reject
trace_fill(struct trace_parser *p, const struct trace_found *f,
    struct trace_event *ev, const char **detail)
{
	const struct jscan_member *el = f->ellapsed ? f->ellapsed : f->elapsed;
	const char **dst[TF_COUNT] = { &ev->label, &ev->handler, &ev->outcome,
	    &ev->traced_type, &ev->msg_id, &ev->thread_id };
	int k;

	if (el == NULL) {
		*detail = "no \"ellapsed_milli\" or \"elapsed_milli\"";
		return TRACE_REJ_NO_ELAPSED;
	}
	if (trace_num(p, el, &ev->elapsed_ms) == -1) {
		*detail = "elapsed is not a number";
		return TRACE_REJ_BAD_ELAPSED;
	}
	if (ev->elapsed_ms < 0) {
		*detail = "elapsed is negative";
		return TRACE_REJ_BAD_ELAPSED;
	}
	if (!(ev->elapsed_ms <= TRACE_ELAPSED_MAX)) {
		*detail = "elapsed is over a day (86400000 ms) or not finite";
		return TRACE_REJ_BAD_ELAPSED;
	}
	for (k = 0; k < TF_COUNT; k++)
		*dst[k] = f->field[k] && !(p->lean && k >= TF_MSG_ID) ?
		    trace_text(f->field[k], &p->fields[k]) : NULL;
	if (ev->label == NULL)
		ev->label = ev->handler;
	ev->probe = trace_is_probe(ev);
	if (!p->raw)
		trace_normalise(p, ev);
	return trace_time(p, f, &ev->time, detail);
}

/*
 * Says whether text (a log line from its first '{') names a trace field,
 * so that damaged JSON there is a damaged trace event, not log text.
 */
static int
trace_names_a_field(const char *s, size_t n)
{
	static const char *const names[] = { "\"msg_id\"", "_milli\"",
	    "\"outcome\"", "\"traced_type\"" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (memmem(s, n, names[i], strlen(names[i])) != NULL)
			return 1;
	return 0;
}

/* Checks that only whitespace follows a value. */
static int
trace_rest_blank(const char *s, size_t len, size_t end)
{
	while (end < len && isspace((unsigned char)s[end]))
		end++;
	return end == len;
}

enum trace_reject
trace_parse(struct trace_parser *p, const char *line, size_t len,
    struct trace_event *ev, const char **detail)
{
	const char *dummy, *err = NULL, *obj, *brace;
	struct trace_found f;
	enum jscan_type type;
	enum trace_reject rej;
	size_t i = 0, end, olen;
	int n, rest_blank;

	if (detail == NULL)
		detail = &dummy;
	*detail = "";
	memset(ev, 0, sizeof(*ev));
	json_object_put(p->doc);
	p->doc = NULL;
	p->doc_text = NULL;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	ev->shape = TRACE_SHAPE_EVENT;
	obj = line + i;
	olen = len - i;
	if (i < len && line[i] != '{') {
		/* Valid JSON that is no object, or a log line. */
		if (jscan_value(obj, olen, &type, &end, NULL, 0, NULL,
		    &err) == 0 && trace_rest_blank(obj, olen, end)) {
			*detail = "a JSON value that is not an object";
			return TRACE_REJ_NOT_OBJECT;
		}
		brace = memchr(line, '{', len);
		if (brace == NULL) {
			*detail = "no '{' on the line";
			return TRACE_SKIP;
		}
		ev->shape = TRACE_SHAPE_LOG;
		obj = brace;
		olen = len - (size_t)(brace - line);
	}
	n = trace_scan(p, obj, olen, &end, &type, &err);
	if (n == -1 && ev->shape == TRACE_SHAPE_LOG &&
	    !trace_names_a_field(obj, olen))
		return TRACE_SKIP;
	if (n == -1) {
		*detail = err;
		return TRACE_REJ_INVALID_JSON;
	}
	rest_blank = trace_rest_blank(obj, olen, end);
	if (!rest_blank && ev->shape != TRACE_SHAPE_LOG) {
		*detail = "text after the JSON object";
		return TRACE_REJ_INVALID_JSON;
	}
	if (type != JSCAN_OBJECT) {
		*detail = "a JSON value that is not an object";
		return TRACE_REJ_NOT_OBJECT;
	}
	trace_find(p, p->members, (size_t)n, &f);
	if (f.source != NULL && f.source->type == JSCAN_OBJECT && f.has_index) {
		obj = f.source->val;
		olen = f.source->vlen;
		n = trace_scan(p, obj, olen, &end, &type, &err);
		if (n == -1) {
			*detail = err;
			return TRACE_REJ_INVALID_JSON;
		}
		trace_find(p, p->members, (size_t)n, &f);
		ev->shape = TRACE_SHAPE_HIT;
	} else if (ev->shape == TRACE_SHAPE_EVENT &&
	    (f.at_timestamp != NULL || f.at_version != NULL))
		ev->shape = TRACE_SHAPE_LOGSTASH;
	if (ev->shape == TRACE_SHAPE_LOG && f.ellapsed == NULL &&
	    f.elapsed == NULL && f.field[TF_OUTCOME] == NULL &&
	    f.field[TF_MSG_ID] == NULL && f.field[TF_TYPE] == NULL)
		return TRACE_SKIP;	/* JSON in a log line, not a trace */
	/*
	 * A log line that quotes a JSON object and goes on (ACA-Py's ws
	 * transport logs each message it receives as b'{...}') is skipped
	 * above; one whose object is a trace event must end with it.
	 */
	if (!rest_blank) {
		*detail = "text after the JSON object";
		return TRACE_REJ_INVALID_JSON;
	}
	ev->doc = obj;
	ev->doc_len = end;
	rej = trace_fill(p, &f, ev, detail);
	if (rej == TRACE_OK) {
		/* trace_parser_doc: the event's object, after success only. */
		p->doc_text = obj;
		p->doc_len = end;
	}
	return rej;
}
