/* threshold.c: parsing and evaluating k6-like thresholds. */
#include "threshold.h"

#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <yaml.h>

#include "analysis.h"
#include "compare.h"
#include "jx.h"
#include "util.h"

#define THRESHOLD_MAX_SEL 4
#define THRESHOLD_MAX_EXPR 1024
#define THRESHOLD_MAX_COUNT 1000

enum threshold_op { OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE };

/* How a metric is measured. */
enum threshold_kind {
	THRESHOLD_GROUP,	/* a latency, judged group by group */
	THRESHOLD_SUMMED,	/* count, rate: summed over the groups */
	THRESHOLD_ERRORS,	/* error_rate: client and trace together */
	THRESHOLD_TRACE_ERRORS,	/* trace_error_rate */
	THRESHOLD_CLIENT_ERRORS,	/* client_error_rate: the run's */
	THRESHOLD_NEVER_READY	/* users_never_ready: the run's */
};

static const char *const threshold_op_names[] = { "<", "<=", ">", ">=",
	"==", "!=" };

struct threshold {
	char *expr;
	char *metric;			/* canonical: p95, mean, error_rate */
	enum threshold_kind kind;
	struct {
		char *key;
		char *glob;
	} sel[THRESHOLD_MAX_SEL];
	size_t nsel;
	enum threshold_op op;
	int relative;
	char rel_op;			/* '*', '+', '-' or 0 */
	double value;			/* the limit, or the factor/offset */
	char *text;			/* the limit as written */
};

/* Parser state over one expression. */
struct threshold_lex {
	const char *s;
	size_t pos;
	const char *expr;
	char **cause;
};

/* Fails with the expression and the 1-based column of the position. */
static int
threshold_lex_fail(struct threshold_lex *l, const char *what)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	util_safe_append(&b, l->expr);
	util_fail(l->cause, "threshold \"%s\": column %zu: %s", b.data ?
	    b.data : "", l->pos + 1, what);
	strbuf_release(&b);
	return -1;
}

/* Skips blanks. */
static void
threshold_lex_ws(struct threshold_lex *l)
{
	while (l->s[l->pos] == ' ' || l->s[l->pos] == '\t')
		l->pos++;
}

/* Length of an identifier (letters, digits, _ . ( )) at the position. */
static size_t
threshold_lex_ident(const struct threshold_lex *l)
{
	size_t n = 0;
	char c;

	while ((c = l->s[l->pos + n]) != '\0' && (isalnum((unsigned char)c) ||
	    c == '_' || c == '.' || c == '(' || c == ')'))
		n++;
	return n;
}

/* Reads a selector value: "quoted" or up to a blank. Caller frees. */
static char *
threshold_lex_value(struct threshold_lex *l)
{
	struct strbuf b;
	const char *s = l->s;

	strbuf_init(&b, THRESHOLD_MAX_EXPR);
	if (s[l->pos] == '"') {
		l->pos++;
		while (s[l->pos] != '"') {
			if (s[l->pos] == '\0') {
				strbuf_release(&b);
				threshold_lex_fail(l, "unterminated quote");
				return NULL;
			}
			if (s[l->pos] == '\\' && s[l->pos + 1] != '\0')
				l->pos++;
			strbuf_addc(&b, s[l->pos++]);
		}
		l->pos++;
	} else {
		while (s[l->pos] != '\0' && s[l->pos] != ' ' &&
		    s[l->pos] != '\t')
			strbuf_addc(&b, s[l->pos++]);
	}
	if (b.len == 0) {
		strbuf_release(&b);
		threshold_lex_fail(l, "empty selector value");
		return NULL;
	}
	return strbuf_detach(&b);
}

/* Canonical metric name, or NULL when name is not a metric. */
static char *
threshold_metric(const char *name, size_t n)
{
	static const char *const plain[] = { "count", "rate", "mean", "min",
	    "max", "stddev", "error_rate", "trace_error_rate",
	    "client_error_rate", "users_never_ready" };
	char *m = util_strndup(name, n), *r = NULL, *end;
	double q;
	size_t i;

	if (strcmp(m, "avg") == 0)
		r = util_strdup("mean");
	else if (strcmp(m, "med") == 0)
		r = util_strdup("p50");
	else if (strcmp(m, "error_share") == 0)
		r = util_strdup("error_rate");
	for (i = 0; r == NULL && i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(m, plain[i]) == 0)
			r = util_strdup(m);
	if (r == NULL && m[0] == 'p' && m[1] != '\0') {
		const char *num = m + 1;
		size_t len = strlen(num);
		char buf[32], *digits;

		if (num[0] == '(' && len > 2 && num[len - 1] == ')') {
			digits = util_strndup(num + 1, len - 2);
		} else
			digits = util_strdup(num);
		q = strtod(digits, &end);
		if (*end == '\0' && end != digits && isdigit(
		    (unsigned char)digits[0]) && q > 0 && q < 100)
			r = util_strdup(analysis_pct_name(q, buf));
		free(digits);
	}
	free(m);
	return r;
}

/* Parses a number with an optional unit: ms, s, %, /s. */
static int
threshold_lex_number(struct threshold_lex *l, double *out)
{
	const char *start = l->s + l->pos;
	char *end;
	double v;

	if (!isdigit((unsigned char)*start) && *start != '.' &&
	    *start != '-' && *start != '+')
		return threshold_lex_fail(l, "expected a number or "
		    "\"baseline\"");
	v = strtod(start, &end);
	if (end == start || !isfinite(v))
		return threshold_lex_fail(l, "expected a number or "
		    "\"baseline\"");
	l->pos += (size_t)(end - start);
	if (strncmp(l->s + l->pos, "ms", 2) == 0)
		l->pos += 2;
	else if (l->s[l->pos] == 's' &&
	    !isalnum((unsigned char)l->s[l->pos + 1])) {
		v *= 1000;
		l->pos++;
	} else if (l->s[l->pos] == '%') {
		v /= 100;
		l->pos++;
	} else if (strncmp(l->s + l->pos, "/s", 2) == 0)
		l->pos += 2;
	*out = v;
	return 0;
}

/* The kind of a canonical metric name. */
static enum threshold_kind
threshold_kind_of(const char *metric)
{
	if (strcmp(metric, "count") == 0 || strcmp(metric, "rate") == 0)
		return THRESHOLD_SUMMED;
	if (strcmp(metric, "error_rate") == 0)
		return THRESHOLD_ERRORS;
	if (strcmp(metric, "trace_error_rate") == 0)
		return THRESHOLD_TRACE_ERRORS;
	if (strcmp(metric, "client_error_rate") == 0)
		return THRESHOLD_CLIENT_ERRORS;
	if (strcmp(metric, "users_never_ready") == 0)
		return THRESHOLD_NEVER_READY;
	return THRESHOLD_GROUP;
}

/* Returns 1 when t reads the run's results, not the traces. */
static int
threshold_client(const struct threshold *t)
{
	return t->kind == THRESHOLD_CLIENT_ERRORS ||
	    t->kind == THRESHOLD_NEVER_READY;
}

/* Reads the metric (n bytes at the position) into t; 0 or -1. */
static int
threshold_parse_metric(struct threshold_lex *l, struct threshold *t,
    size_t n)
{
	t->metric = threshold_metric(l->s + l->pos, n);
	if (t->metric == NULL)
		return threshold_lex_fail(l, "unknown metric (expected count, "
		    "rate, mean, min, max, stddev, pNN, error_rate, "
		    "trace_error_rate, client_error_rate or "
		    "users_never_ready)");
	t->kind = threshold_kind_of(t->metric);
	if (threshold_client(t) && t->nsel > 0)
		return threshold_lex_fail(l, "this metric takes no selector: "
		    "the client's requests have no label, handler or outcome");
	l->pos += n;
	return 0;
}

/* Reads the operator and the limit into t; 0 or -1. */
static int
threshold_parse_limit(struct threshold_lex *l, struct threshold *t)
{
	const char *expr = l->s;
	size_t i, n;

	threshold_lex_ws(l);
	for (i = 6; i-- > 0;) {
		n = strlen(threshold_op_names[i]);
		if (strncmp(expr + l->pos, threshold_op_names[i], n) == 0)
			break;
	}
	if (i == (size_t)-1 || (i == OP_LT && expr[l->pos + 1] == '=') ||
	    (i == OP_GT && expr[l->pos + 1] == '='))
		return threshold_lex_fail(l, "expected an operator (<, <=, >, "
		    ">=, ==, !=)");
	t->op = (enum threshold_op)i;
	l->pos += strlen(threshold_op_names[i]);
	threshold_lex_ws(l);
	n = l->pos;
	if (strncmp(expr + l->pos, "baseline", 8) == 0 &&
	    !isalnum((unsigned char)expr[l->pos + 8])) {
		if (threshold_client(t))
			return threshold_lex_fail(l, "this metric cannot refer "
			    "to a baseline: a baseline is an analysis, without "
			    "the run's results");
		t->relative = 1;
		t->value = 1;
		l->pos += 8;
		threshold_lex_ws(l);
		if (strchr("*+-", expr[l->pos]) != NULL && expr[l->pos]) {
			t->rel_op = expr[l->pos++];
			threshold_lex_ws(l);
			if (threshold_lex_number(l, &t->value) == -1)
				return -1;
		}
	} else if (threshold_lex_number(l, &t->value) == -1)
		return -1;
	t->text = util_strndup(expr + n, l->pos - n);
	return 0;
}

int
threshold_parse(const char *expr, struct threshold **out, char **cause)
{
	struct threshold_lex l = { expr, 0, expr, cause };
	struct threshold *t;
	size_t n, i;
	char *key;

	*out = NULL;
	if (strlen(expr) > THRESHOLD_MAX_EXPR)
		return util_fail(cause, "threshold longer than %d bytes",
		    THRESHOLD_MAX_EXPR);
	for (i = 0; expr[i] != '\0'; i++) {
		if ((unsigned char)expr[i] < 0x20 && expr[i] != '\t') {
			l.pos = i;
			return threshold_lex_fail(&l, "control character");
		}
	}
	t = util_calloc(1, sizeof(*t));
	t->expr = util_strdup(expr);
	for (;;) {
		threshold_lex_ws(&l);
		n = threshold_lex_ident(&l);
		if (n == 0) {
			threshold_lex_fail(&l, expr[l.pos] == '\0' ?
			    "expected a metric (p95, mean, rate, count, "
			    "error_rate, ...)" : "expected a selector "
			    "(label=..., outcome=...) or a metric");
			goto fail;
		}
		if (expr[l.pos + n] != '=' || expr[l.pos + n + 1] == '=')
			break;
		key = util_strndup(expr + l.pos, n);
		if (strcmp(key, "label") != 0 && strcmp(key, "handler") != 0 &&
		    strcmp(key, "outcome") != 0 &&
		    strcmp(key, "traced_type") != 0) {
			free(key);
			threshold_lex_fail(&l, "unknown selector key (expected "
			    "label, handler, outcome or traced_type)");
			goto fail;
		}
		if (t->nsel == THRESHOLD_MAX_SEL) {
			free(key);
			threshold_lex_fail(&l, "too many selectors");
			goto fail;
		}
		l.pos += n + 1;
		t->sel[t->nsel].key = key;
		t->sel[t->nsel].glob = threshold_lex_value(&l);
		if (t->sel[t->nsel++].glob == NULL)
			goto fail;
	}
	if (threshold_parse_metric(&l, t, n) == -1 ||
	    threshold_parse_limit(&l, t) == -1)
		goto fail;
	threshold_lex_ws(&l);
	if (expr[l.pos] != '\0') {
		threshold_lex_fail(&l, "unexpected text after the limit");
		goto fail;
	}
	*out = t;
	return 0;
fail:
	threshold_free(t);
	return -1;
}

void
threshold_free(struct threshold *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nsel; i++) {
		free(t->sel[i].key);
		free(t->sel[i].glob);
	}
	free(t->expr);
	free(t->metric);
	free(t->text);
	free(t);
}

const char *
threshold_expr(const struct threshold *t)
{
	return t->expr;
}

int
threshold_relative(const struct threshold *t)
{
	return t->relative;
}

void
threshold_set_init(struct threshold_set *s)
{
	s->v = NULL;
	s->n = 0;
}

void
threshold_set_release(struct threshold_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		threshold_free(s->v[i]);
	free(s->v);
	threshold_set_init(s);
}

int
threshold_set_add(struct threshold_set *s, const char *expr, char **cause)
{
	struct threshold *t;

	if (s->n >= THRESHOLD_MAX_COUNT)
		return util_fail(cause, "more than %d thresholds",
		    THRESHOLD_MAX_COUNT);
	if (threshold_parse(expr, &t, cause) == -1)
		return -1;
	s->v = util_realloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = t;
	return 0;
}

/* Adds one expression read at path:line, column offset col. */
static int
threshold_set_add_at(struct threshold_set *s, const char *expr,
    const char *path, size_t line, size_t col, char **cause)
{
	char *inner = NULL;

	if (threshold_set_add(s, expr, &inner) == 0)
		return 0;
	util_fail(cause, "%s:%zu:%zu: %s", path, line, col, inner);
	free(inner);
	return -1;
}

/* Reads a text file of expressions. */
static int
threshold_load_text(struct threshold_set *s, const char *path, FILE *f,
    char **cause)
{
	char *line = NULL, *p, *e;
	size_t cap = 0, lineno = 0;
	ssize_t len;
	int rc = 0;

	while (rc == 0 && (len = getline(&line, &cap, f)) != -1) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' ||
		    line[len - 1] == '\r'))
			line[--len] = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '\0' || *p == '#')
			continue;
		for (e = p + strlen(p); e > p && (e[-1] == ' ' ||
		    e[-1] == '\t'); e--)
			;
		*e = '\0';
		rc = threshold_set_add_at(s, p, path, lineno,
		    (size_t)(p - line) + 1, cause);
	}
	free(line);
	if (rc == 0 && ferror(f))
		rc = util_fail(cause, "%s: read error", path);
	return rc;
}

/* Reads a YAML file: "thresholds: [..]" or a top-level sequence. */
static int
threshold_load_yaml(struct threshold_set *s, const char *path, FILE *f,
    int optional, char **cause)
{
	yaml_parser_t parser;
	yaml_event_t ev;
	int depth = 0, in_list = 0, want_key = 0, next_is_list = 0, rc = 0;
	int done = 0, seen = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	while (!done && rc == 0) {
		if (!yaml_parser_parse(&parser, &ev)) {
			rc = util_fail(cause, "%s:%zu:%zu: %s", path,
			    parser.problem_mark.line + 1,
			    parser.problem_mark.column + 1,
			    parser.problem ? parser.problem : "YAML error");
			break;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_MAPPING_START_EVENT:
			depth++;
			want_key = depth == 1;
			break;
		case YAML_MAPPING_END_EVENT:
			depth--;
			want_key = depth == 1;
			break;
		case YAML_SEQUENCE_START_EVENT:
			depth++;
			if (depth == 1 || (depth == 2 && next_is_list)) {
				in_list = depth;
				seen = 1;
			}
			next_is_list = 0;
			break;
		case YAML_SEQUENCE_END_EVENT:
			if (in_list == depth)
				in_list = 0;
			depth--;
			want_key = depth == 1;
			break;
		case YAML_SCALAR_EVENT:
			if (in_list != 0 && in_list == depth) {
				rc = threshold_set_add_at(s,
				    (const char *)ev.data.scalar.value, path,
				    ev.start_mark.line + 1,
				    ev.start_mark.column + 1, cause);
			} else if (depth == 1 && want_key) {
				next_is_list = strcmp((const char *)
				    ev.data.scalar.value, "thresholds") == 0;
				want_key = 0;
				if (next_is_list)
					seen = 1;
			} else if (depth == 1) {
				if (next_is_list && ev.data.scalar.length > 0)
					rc = util_fail(cause, "%s:%zu:%zu: "
					    "thresholds: expected a sequence "
					    "of expressions", path,
					    ev.start_mark.line + 1,
					    ev.start_mark.column + 1);
				next_is_list = 0;
				want_key = 1;
			}
			break;
		default:
			break;
		}
		if (ev.type != YAML_SEQUENCE_START_EVENT &&
		    ev.type != YAML_MAPPING_START_EVENT && depth == 1 &&
		    ev.type != YAML_SCALAR_EVENT)
			want_key = 1;
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	if (rc == 0 && !seen && !optional)
		rc = util_fail(cause, "%s: no \"thresholds\" sequence", path);
	return rc;
}

int
threshold_set_load(struct threshold_set *s, const char *path, char **cause)
{
	size_t len = strlen(path);
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL)
		return util_fail(cause, "%s: cannot open: %s", path,
		    strerror(errno));
	if ((len > 5 && strcmp(path + len - 5, ".yaml") == 0) ||
	    (len > 4 && strcmp(path + len - 4, ".yml") == 0))
		rc = threshold_load_yaml(s, path, f, 0, cause);
	else
		rc = threshold_load_text(s, path, f, cause);
	fclose(f);
	return rc;
}

int
threshold_set_load_config(struct threshold_set *s, const char *path,
    char **cause)
{
	FILE *f = fopen(path, "r");
	int rc;

	if (f == NULL)
		return util_fail(cause, "%s: cannot open: %s", path,
		    strerror(errno));
	rc = threshold_load_yaml(s, path, f, 1, cause);
	fclose(f);
	return rc;
}

int
threshold_set_relative(const struct threshold_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->v[i]->relative)
			return 1;
	return 0;
}

/* Returns 1 when group g matches every selector of t. */
static int
threshold_selects(const struct threshold *t, struct json_object *g)
{
	struct json_object *key, *v;
	size_t i;

	if (!json_object_object_get_ex(g, "key", &key))
		return 0;
	for (i = 0; i < t->nsel; i++) {
		if (!json_object_object_get_ex(key, t->sel[i].key, &v) ||
		    v == NULL ||	/* a null value (missing_bucket) */
		    fnmatch(t->sel[i].glob, json_object_get_string(v), 0) != 0)
			return 0;
	}
	return 1;
}

/* Returns 1 when v satisfies op limit. */
static int
threshold_holds(enum threshold_op op, double v, double limit)
{
	switch (op) {
	case OP_LT: return v < limit;
	case OP_LE: return v <= limit;
	case OP_GT: return v > limit;
	case OP_GE: return v >= limit;
	case OP_EQ: return v == limit;
	case OP_NE: return v != limit;
	}
	return 0;
}

/* What one threshold measured on one document. */
struct threshold_measure {
	int status;		/* 0 measured, 1 skip, -1 fail: why says */
	char why[240];
	double value;
	size_t groups;		/* the groups judged */
	size_t quiet;		/* groups left out: 0 ms throughout */
	int all_quiet;		/* no selected group carries a latency */
	struct json_object *group;	/* the deciding group (borrowed) */
	double errors, events;	/* the trace's error events and events */
	double failures, requests;	/* the client's, when counted */
	int client;		/* 1 when the client's figures are in */
	const char *trace_only;	/* why error_rate counts traces only */
	struct json_object *by_step;	/* users never ready (borrowed) */
};

/* Stops a measurement: a skip (st 1) or a failure (-1), and why. */
static void
threshold_stop(struct threshold_measure *m, int st, const char *fmt, ...)
{
	va_list ap;

	m->status = st;
	va_start(ap, fmt);
	vsnprintf(m->why, sizeof(m->why), fmt, ap);
	va_end(ap);
}

/* Returns 1 when a group of groups that t selects carries a latency. */
static int
threshold_any_latency(const struct threshold *t, struct json_object *groups)
{
	size_t i;

	for (i = 0; i < jx_len(groups); i++)
		if (threshold_selects(t, jx_at(groups, i)) &&
		    !compare_group_no_latency(jx_at(groups, i)))
			return 1;
	return 0;
}

/*
 * Measures count, rate or a latency over the groups of doc that t
 * selects: the sum, or the worst group. Groups at 0 ms throughout (START
 * events) are left out of a latency when other groups carry one.
 */
static void
threshold_measure_groups(const struct threshold *t, struct json_object *doc,
    struct threshold_measure *m)
{
	struct json_object *groups = jx_get(doc, "groups"), *g, *key;
	int summed = t->kind == THRESHOLD_SUMMED;
	int high = t->op == OP_LT || t->op == OP_LE || t->op == OP_EQ ||
	    t->op == OP_NE;
	int skip_quiet = !summed && threshold_any_latency(t, groups);
	double v;
	size_t i;

	m->all_quiet = !summed && !skip_quiet;
	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (!threshold_selects(t, g))
			continue;
		if (skip_quiet && compare_group_no_latency(g)) {
			m->quiet++;
			continue;
		}
		if (compare_group_metric(g, t->metric, &v) == -1) {
			threshold_stop(m, -1, "%s is not in the analysis",
			    t->metric);
			return;
		}
		key = json_object_object_get(g, "key");
		if (summed) {
			m->value += v;
			m->group = m->groups == 0 ? key : NULL;
		} else if (m->groups == 0 || (high ? v > m->value :
		    v < m->value)) {
			m->value = v;
			m->group = key;
		}
		m->groups++;
	}
	if (m->groups == 0)
		threshold_stop(m, -1, "no group matches");
}

/* The run's requests and waits and their failures into m; 0 or -1. */
static int
threshold_client_totals(struct json_object *run, struct threshold_measure *m)
{
	struct json_object *total = jx_get(run, "total");
	long long n = jx_int(total, "count", -1);
	long long f = jx_int(total, "failures", -1);

	if (n < 0 || f < 0)
		return -1;
	m->requests = (double)n;
	m->failures = (double)f;
	m->client = 1;
	return 0;
}

/*
 * Measures an error share: the trace's error events among the events of
 * the groups t selects and, for error_rate over a run's results (run not
 * NULL) without a selector, the client's failed requests and waits too.
 */
static void
threshold_measure_errors(const struct threshold *t, struct json_object *doc,
    struct json_object *run, struct threshold_measure *m)
{
	struct json_object *groups = jx_get(doc, "groups"), *g, *key;
	double v;
	size_t i;

	if (!compare_doc_knows_errors(doc)) {
		threshold_stop(m, -1, "%s needs an analysis grouped by outcome "
		    "or traced_type", t->metric);
		return;
	}
	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		if (!threshold_selects(t, g))
			continue;
		key = json_object_object_get(g, "key");
		if (compare_group_metric(g, "count", &v) == 0)
			compare_share_add(key, v, &m->events, &m->errors);
		m->group = m->groups++ == 0 ? key : NULL;
	}
	if (t->kind == THRESHOLD_ERRORS) {
		if (t->relative)
			m->trace_only = "the baseline is an analysis, without "
			    "client requests";
		else if (run == NULL)
			m->trace_only = "no run results here";
		else if (t->nsel > 0)
			m->trace_only = "a selector picks trace groups";
		else if (threshold_client_totals(run, m) == -1) {
			threshold_stop(m, -1, "the run's results have no "
			    "total");
			return;
		}
	}
	if (m->groups == 0 && !m->client)
		threshold_stop(m, -1, "no group matches");
	else if (m->events + m->requests == 0)
		threshold_stop(m, -1, "no event and no request to judge");
	else
		m->value = (m->errors + m->failures) /
		    (m->events + m->requests);
}

/* Measures client_error_rate or users_never_ready from run's results. */
static void
threshold_measure_client(const struct threshold *t, struct json_object *run,
    struct threshold_measure *m)
{
	struct json_object *v;

	if (run == NULL) {
		threshold_stop(m, 1, "%s needs the run's results (medload run "
		    "--report, nightly --run-config): analyze and compare "
		    "see traces only", t->metric);
		return;
	}
	if (t->kind == THRESHOLD_NEVER_READY) {
		if (!json_object_object_get_ex(run, "users_never_ready", &v) ||
		    !(json_object_is_type(v, json_type_int) ||
		    json_object_is_type(v, json_type_double))) {
			threshold_stop(m, 1, "the run's results do not count "
			    "the users never ready");
			return;
		}
		m->value = json_object_get_double(v);
		m->by_step = jx_get(run, "users_never_ready_by_step");
		return;
	}
	if (threshold_client_totals(run, m) == -1)
		threshold_stop(m, -1, "the run's results have no total");
	else if (m->requests == 0)
		threshold_stop(m, -1, "the run made no request");
	else
		m->value = m->failures / m->requests;
}

/* Measures t's metric on doc and run (the run's results, or NULL). */
static void
threshold_measure(const struct threshold *t, struct json_object *doc,
    struct json_object *run, struct threshold_measure *m)
{
	memset(m, 0, sizeof(*m));
	if (threshold_client(t))
		threshold_measure_client(t, run, m);
	else if (t->kind == THRESHOLD_ERRORS ||
	    t->kind == THRESHOLD_TRACE_ERRORS)
		threshold_measure_errors(t, doc, run, m);
	else
		threshold_measure_groups(t, doc, m);
}

/* Appends a value in the metric's unit. */
static void
threshold_show(struct strbuf *b, const struct threshold *t, double v)
{
	char buf[32];

	switch (t->kind) {
	case THRESHOLD_ERRORS:
	case THRESHOLD_TRACE_ERRORS:
	case THRESHOLD_CLIENT_ERRORS:
		strbuf_addf(b, "%s%%", util_num(v * 100, buf));
		break;
	case THRESHOLD_NEVER_READY:
		strbuf_adds(b, util_num(v, buf));
		break;
	case THRESHOLD_SUMMED:
		strbuf_addf(b, "%s%s", util_num(v, buf),
		    strcmp(t->metric, "rate") == 0 ? "/s" : "");
		break;
	case THRESHOLD_GROUP:
		strbuf_addf(b, "%s ms", util_num(v, buf));
		break;
	}
}

/* Appends the counts behind an error share. */
static void
threshold_describe_errors(const struct threshold_measure *m,
    struct strbuf *b)
{
	char n1[32], n2[32];

	strbuf_adds(b, " (");
	if (m->client)
		strbuf_addf(b, "client: %s failed of %s requests and waits; ",
		    util_num(m->failures, n1), util_num(m->requests, n2));
	strbuf_addf(b, "trace: %s errors of %s non-START events",
	    util_num(m->errors, n1), util_num(m->events, n2));
	if (m->groups == 1 && m->group != NULL) {
		strbuf_adds(b, " in ");
		jx_join_values(b, m->group, "/");
	} else if (m->groups > 1)
		strbuf_addf(b, " in %zu groups", m->groups);
	if (m->trace_only != NULL)
		strbuf_addf(b, "; trace events only: %s", m->trace_only);
	strbuf_adds(b, ")");
}

/* Appends what decided a measurement: its group or groups, its counts. */
static void
threshold_describe(const struct threshold *t,
    const struct threshold_measure *m, struct strbuf *b)
{
	char n1[32], n2[32];
	const char *sep = " (at ";

	if (t->kind == THRESHOLD_ERRORS || t->kind == THRESHOLD_TRACE_ERRORS) {
		threshold_describe_errors(m, b);
	} else if (t->kind == THRESHOLD_CLIENT_ERRORS) {
		strbuf_addf(b, " (%s failed of %s requests and waits)",
		    util_num(m->failures, n1), util_num(m->requests, n2));
	} else if (t->kind == THRESHOLD_NEVER_READY) {
		if (jx_is_object(m->by_step)) {
			json_object_object_foreach(m->by_step, step, n) {
				strbuf_addf(b, "%s%s: %s", sep, step,
				    util_num(json_object_get_double(n), n1));
				sep = ", ";
			}
		}
		if (*sep == ',')
			strbuf_adds(b, ")");
	} else if (m->all_quiet && m->groups > 0) {
		strbuf_addf(b, " (no latency: %s 0 ms throughout)",
		    m->groups == 1 ? "the selected group is" :
		    "every selected group is");
	} else if (m->group != NULL) {
		strbuf_adds(b, " (");
		if (m->groups > 1)
			strbuf_addf(b, "worst of %zu groups: ", m->groups);
		jx_join_values(b, m->group, "/");
		if (m->quiet > 0)
			strbuf_addf(b, "; %zu group%s at 0 ms left out",
			    m->quiet, m->quiet == 1 ? "" : "s");
		strbuf_adds(b, ")");
	} else if (m->groups > 1)
		strbuf_addf(b, " (over %zu groups)", m->groups);
}

/* The limit a relative threshold sets from a baseline value. */
static double
threshold_limit(const struct threshold *t, double base)
{
	return t->rel_op == '*' ? base * t->value :
	    t->rel_op == '+' ? base + t->value :
	    t->rel_op == '-' ? base - t->value : base;
}

/* One group of a relative threshold against its baseline. */
struct threshold_pair {
	struct json_object *key;
	double v, base, limit;
	double excess;		/* beyond the limit, in the metric's unit
				   (below it when negative) */
	int ok;
	int quiet;		/* 0 ms throughout on both sides */
};

/* Pairs group g of the analysis with the baseline's; 0 or -1. */
static int
threshold_pair(const struct threshold *t, struct json_object *g,
    struct json_object *baseline, struct threshold_pair *p)
{
	struct json_object *bg;

	if (!threshold_selects(t, g) ||
	    !json_object_object_get_ex(g, "key", &p->key) ||
	    compare_group_metric(g, t->metric, &p->v) == -1 ||
	    (bg = analysis_find_group(baseline, p->key)) == NULL ||
	    compare_group_metric(bg, t->metric, &p->base) == -1)
		return -1;
	p->quiet = compare_group_no_latency(g) && compare_group_no_latency(bg);
	p->limit = threshold_limit(t, p->base);
	p->ok = (p->v == 0 && p->base == 0) ||
	    threshold_holds(t->op, p->v, p->limit);
	p->excess = t->op == OP_GT || t->op == OP_GE ? p->limit - p->v :
	    p->v - p->limit;
	return 0;
}

/* The groups of a relative threshold: how many, and the worst. */
struct threshold_pairs {
	struct threshold_pair worst;
	size_t judged, failed, quiet;
};

/*
 * Pairs every group of doc that t selects with the baseline's. Groups at
 * 0 ms on both sides are left out when others carry a latency. The worst
 * is the group that breaks the limit by the most, else the closest to it.
 */
static void
threshold_pairs(const struct threshold *t, struct json_object *doc,
    struct json_object *baseline, struct threshold_pairs *ps)
{
	struct json_object *groups = jx_get(doc, "groups");
	struct threshold_pair p;
	int any = 0;
	size_t i;

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < jx_len(groups) && !any; i++)
		any = threshold_pair(t, jx_at(groups, i), baseline, &p) == 0 &&
		    !p.quiet;
	for (i = 0; i < jx_len(groups); i++) {
		if (threshold_pair(t, jx_at(groups, i), baseline, &p) == -1)
			continue;
		if (any && p.quiet) {
			ps->quiet++;
			continue;
		}
		if (ps->judged++ == 0 || (!p.ok && ps->worst.ok) ||
		    (p.ok == ps->worst.ok && p.excess > ps->worst.excess))
			ps->worst = p;
		ps->failed += !p.ok;
	}
}

/*
 * A relative threshold on a per-group metric: each selected group of doc
 * against the same group of the baseline. A group that is 0 on both sides
 * passes; groups missing from the baseline are not judged. Returns the
 * status and fills r and msg with the worst group.
 */
static int
threshold_relative_groups(const struct threshold *t, struct json_object *doc,
    struct json_object *baseline, struct json_object *r, struct strbuf *msg)
{
	struct threshold_pairs ps;
	const struct threshold_pair *w = &ps.worst;

	threshold_pairs(t, doc, baseline, &ps);
	if (ps.judged == 0) {
		strbuf_adds(msg, "no group found in both the analysis and the "
		    "baseline");
		return 1;
	}
	json_object_object_add(r, "limit", analysis_num(w->limit));
	json_object_object_add(r, "baseline", analysis_num(w->base));
	json_object_object_add(r, "value", analysis_num(w->v));
	json_object_object_add(r, "groups", json_object_new_int64(
	    (int64_t)ps.judged));
	json_object_object_add(r, "failed_groups", json_object_new_int64(
	    (int64_t)ps.failed));
	json_object_object_add(r, "groups_at_zero", json_object_new_int64(
	    (int64_t)ps.quiet));
	json_object_object_add(r, "group", json_object_get(w->key));
	if (w->quiet) {
		strbuf_addf(msg, "no latency: %s 0 ms on both sides; %zu of "
		    "%zu groups break it", ps.judged == 1 ? "the group is" :
		    "every group is", ps.failed, ps.judged);
		return ps.failed > 0 ? -1 : 0;
	}
	strbuf_addf(msg, "%s = ", t->metric);
	threshold_show(msg, t, w->v);
	strbuf_adds(msg, " (");
	if (ps.judged > 1)
		strbuf_adds(msg, ps.failed > 0 ? "worst: " : "closest: ");
	jx_join_values(msg, w->key, "/");
	strbuf_addf(msg, "), %s %s ", w->ok ? "within" : "breaks",
	    threshold_op_names[t->op]);
	threshold_show(msg, t, w->limit);
	strbuf_adds(msg, " (baseline ");
	threshold_show(msg, t, w->base);
	strbuf_addf(msg, "); %zu of %zu groups break it", ps.failed,
	    ps.judged);
	if (ps.quiet > 0)
		strbuf_addf(msg, "; %zu group%s at 0 ms on both sides left out",
		    ps.quiet, ps.quiet == 1 ? "" : "s");
	return ps.failed > 0 ? -1 : 0;
}

/* A result object naming t: its expression, metric, operator, selector. */
static struct json_object *
threshold_result_new(const struct threshold *t)
{
	struct json_object *r = json_object_new_object(), *sel;
	size_t i;

	json_object_object_add(r, "expr", json_object_new_string(t->expr));
	json_object_object_add(r, "metric", json_object_new_string(t->metric));
	json_object_object_add(r, "op",
	    json_object_new_string(threshold_op_names[t->op]));
	sel = json_object_new_object();
	for (i = 0; i < t->nsel; i++)
		json_object_object_add(sel, t->sel[i].key,
		    json_object_new_string(t->sel[i].glob));
	json_object_object_add(r, "selector", sel);
	return r;
}

/* Adds what m measured to a result object. */
static void
threshold_result_measure(struct json_object *r,
    const struct threshold_measure *m)
{
	struct json_object *o;

	json_object_object_add(r, "value", analysis_num(m->value));
	json_object_object_add(r, "groups",
	    json_object_new_int64((int64_t)m->groups));
	if (m->quiet > 0)
		json_object_object_add(r, "groups_at_zero",
		    json_object_new_int64((int64_t)m->quiet));
	if (m->group != NULL)
		json_object_object_add(r, "group", json_object_get(m->group));
	if (m->client) {
		o = json_object_new_object();
		json_object_object_add(o, "requests", analysis_num(
		    m->requests));
		json_object_object_add(o, "failures", analysis_num(
		    m->failures));
		json_object_object_add(r, "client", o);
	}
	if (m->events > 0 || m->errors > 0 || m->trace_only != NULL) {
		o = json_object_new_object();
		json_object_object_add(o, "events", analysis_num(m->events));
		json_object_object_add(o, "errors", analysis_num(m->errors));
		json_object_object_add(r, "trace", o);
	}
	if (m->by_step != NULL)
		json_object_object_add(r, "by_step",
		    json_object_get(m->by_step));
}

/*
 * The limit of t into *limit: its number, or from the baseline's
 * measurement for a relative one. Returns 0, or 1 (skip) with msg.
 */
static int
threshold_limit_of(const struct threshold *t, struct json_object *baseline,
    struct json_object *r, double *limit, double *base, struct strbuf *msg)
{
	struct threshold_measure bm;

	*limit = t->value;
	if (t->relative) {
		if (baseline == NULL) {
			strbuf_adds(msg, "no baseline to compare with");
			return 1;
		}
		threshold_measure(t, baseline, NULL, &bm);
		if (bm.status != 0) {
			strbuf_adds(msg, "no baseline value (no matching "
			    "group in the baseline)");
			return 1;
		}
		json_object_object_add(r, "baseline", analysis_num(bm.value));
		*base = bm.value;
		*limit = threshold_limit(t, bm.value);
	}
	json_object_object_add(r, "limit", analysis_num(*limit));
	return 0;
}

/* Judges a measurement m against limit; returns the status, says why. */
static int
threshold_judge(const struct threshold *t, const struct threshold_measure *m,
    double limit, double base, struct json_object *r, struct strbuf *msg)
{
	int status;

	if (m->status != 0) {
		strbuf_adds(msg, m->why);
		return m->status;
	}
	threshold_result_measure(r, m);
	status = threshold_holds(t->op, m->value, limit) ? 0 : -1;
	strbuf_addf(msg, "%s = ", t->metric);
	threshold_show(msg, t, m->value);
	threshold_describe(t, m, msg);
	strbuf_addf(msg, ", %s %s ", status == 0 ? "within" : "breaks",
	    threshold_op_names[t->op]);
	threshold_show(msg, t, limit);
	if (t->relative) {
		strbuf_adds(msg, " (baseline ");
		threshold_show(msg, t, base);
		strbuf_adds(msg, ")");
	}
	return status;
}

/* Evaluates one threshold into a result object. */
static struct json_object *
threshold_eval_one(const struct threshold *t, struct json_object *doc,
    struct json_object *baseline, struct json_object *run, int *status)
{
	struct json_object *r = threshold_result_new(t);
	struct threshold_measure m;
	double limit, base = 0;
	struct strbuf msg;
	const char *st;

	strbuf_init(&msg, 0);
	/* a baseline is an analysis: a relative one compares traces only */
	threshold_measure(t, doc, t->relative ? NULL : run, &m);
	if (t->relative && baseline != NULL && m.status == 0 &&
	    t->kind == THRESHOLD_GROUP)
		*status = threshold_relative_groups(t, doc, baseline, r, &msg);
	else if ((*status = threshold_limit_of(t, baseline, r, &limit, &base,
	    &msg)) == 0)
		*status = threshold_judge(t, &m, limit, base, r, &msg);
	st = *status == 0 ? "pass" : *status > 0 ? "skip" : "fail";
	json_object_object_add(r, "status", json_object_new_string(st));
	json_object_object_add(r, "message",
	    json_object_new_string(msg.data ? msg.data : ""));
	strbuf_release(&msg);
	return r;
}

struct json_object *
threshold_evaluate(const struct threshold_set *s, struct json_object *doc,
    struct json_object *baseline, struct json_object *run)
{
	struct json_object *block = json_object_new_object();
	struct json_object *results = json_object_new_array();
	int passed = 0, failed = 0, skipped = 0, st;
	size_t i;

	for (i = 0; i < s->n; i++) {
		json_object_array_add(results, threshold_eval_one(s->v[i], doc,
		    baseline, run, &st));
		if (st == 0)
			passed++;
		else if (st > 0)
			skipped++;
		else
			failed++;
	}
	json_object_object_add(block, "passed", json_object_new_int(passed));
	json_object_object_add(block, "failed", json_object_new_int(failed));
	json_object_object_add(block, "skipped",
	    json_object_new_int(skipped));
	json_object_object_add(block, "ok",
	    json_object_new_boolean(failed == 0));
	json_object_object_add(block, "results", results);
	return block;
}

int
threshold_block_failed(struct json_object *block)
{
	struct json_object *v;

	if (block == NULL || !json_object_object_get_ex(block, "failed", &v))
		return 0;
	return json_object_get_int(v);
}

void
threshold_print_text(struct json_object *block, FILE *out)
{
	struct json_object *results, *r, *v;
	size_t i, n;

	if (block == NULL || !json_object_object_get_ex(block, "results",
	    &results))
		return;
	n = jx_len(results);
	fprintf(out, "thresholds: %d passed, %d failed, %d skipped\n",
	    json_object_get_int(json_object_object_get(block, "passed")),
	    json_object_get_int(json_object_object_get(block, "failed")),
	    json_object_get_int(json_object_object_get(block, "skipped")));
	for (i = 0; i < n; i++) {
		r = jx_at(results, i);
		v = json_object_object_get(r, "status");
		fprintf(out, "  %-4s  ", strcmp(json_object_get_string(v),
		    "pass") == 0 ? "PASS" : strcmp(json_object_get_string(v),
		    "fail") == 0 ? "FAIL" : "SKIP");
		util_fput_safe(json_object_get_string(
		    json_object_object_get(r, "expr")), out);
		fputs(": ", out);
		util_fput_safe(json_object_get_string(
		    json_object_object_get(r, "message")), out);
		fputc('\n', out);
	}
}
