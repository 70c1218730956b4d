/* tmpl.c: parsing and rendering of medload's templates. */
#include "tmpl.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "assets.h"
#include "jx.h"
#include "util.h"

#define TMPL_DEPTH 32

enum tmpl_kind {
	TMPL_TOK_TEXT,
	TMPL_TOK_VAR,
	TMPL_TOK_RAW,		/* & : inserted without escaping */
	TMPL_TOK_SECTION,	/* # */
	TMPL_TOK_INVERTED,	/* ^ */
	TMPL_TOK_MEMBERS,	/* % */
	TMPL_TOK_CLOSE,
};

struct tmpl_tok {
	enum tmpl_kind kind;
	char *text;		/* literal text or path */
	char *fmt;		/* NULL or the format after '|' */
	size_t len;
	size_t end;		/* for sections: index of the matching close */
	int line;
};

struct tmpl {
	char *name;
	enum tmpl_escape esc;
	struct tmpl_tok *toks;
	size_t ntoks;
};

/* One level of the context stack. */
struct tmpl_frame {
	struct json_object *value;
	const char *key;	/* member name in a {{%...}} section */
};

struct tmpl_ctx {
	const struct tmpl *t;
	struct tmpl_frame stack[TMPL_DEPTH];
	int depth;
	struct strbuf *out;
	char **cause;
};

void
tmpl_free(struct tmpl *t)
{
	size_t i;

	if (t == NULL)
		return;
	for (i = 0; i < t->ntoks; i++) {
		free(t->toks[i].text);
		free(t->toks[i].fmt);
	}
	free(t->toks);
	free(t->name);
	free(t);
}

/* Appends a token. */
static struct tmpl_tok *
tmpl_push(struct tmpl *t, enum tmpl_kind kind, const char *s, size_t n,
    int line)
{
	struct tmpl_tok *k;

	t->toks = util_realloc(t->toks, (t->ntoks + 1) * sizeof(*t->toks));
	k = &t->toks[t->ntoks++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->text = util_strndup(s, n);
	k->len = n;
	k->line = line;
	return k;
}

/* Checks a format: %[-][width|{path}][.prec](s|d|f|g). */
static int
tmpl_check_fmt(const char *f)
{
	const char *p = f;

	if (*p++ != '%')
		return -1;
	if (*p == '-')
		p++;
	if (*p == '{') {
		p = strchr(p, '}');
		if (p == NULL)
			return -1;
		p++;
	} else
		while (isdigit((unsigned char)*p))
			p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p))
			p++;
	}
	if (*p != 's' && *p != 'd' && *p != 'f' && *p != 'g')
		return -1;
	return p[1] == '\0' ? 0 : -1;
}

/* Trims spaces around [s, s+n) in place; returns the new length. */
static size_t
tmpl_trim(const char **s, size_t n)
{
	while (n > 0 && isspace((unsigned char)**s)) {
		(*s)++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)(*s)[n - 1]))
		n--;
	return n;
}

/* Says whether [a, b) holds only spaces and tabs. */
static int
tmpl_blank(const char *a, const char *b)
{
	for (; a < b; a++)
		if (*a != ' ' && *a != '\t')
			return 0;
	return 1;
}

/* The parser's state. */
struct tmpl_parser {
	struct tmpl *t;
	size_t stack[TMPL_DEPTH];	/* open sections (token indices) */
	size_t depth;
	int line;
	char **cause;
};

/* The kind of a tag from its first character; *in moves past a sigil. */
static enum tmpl_kind
tmpl_tag_kind(const char **in)
{
	char sigil = **in;

	if (sigil == '&') {
		(*in)++;
		return TMPL_TOK_RAW;
	}
	if (sigil == '#' || sigil == '^' || sigil == '%' || sigil == '/' ||
	    sigil == '!') {
		(*in)++;
		return sigil == '#' ? TMPL_TOK_SECTION : sigil == '^' ?
		    TMPL_TOK_INVERTED : sigil == '%' ? TMPL_TOK_MEMBERS :
		    TMPL_TOK_CLOSE;
	}
	return TMPL_TOK_VAR;
}

/*
 * Says whether the tag [open, close + 2) of kind stands alone on its line
 * (a section or comment tag with only blanks around it): then the line
 * goes with it. *ls gets the line's start, *le the end of the blanks after
 * the tag; p is where the text not yet consumed starts.
 */
static int
tmpl_standalone(const char *text, const char *p, const char *open,
    const char *close, enum tmpl_kind kind, const char **ls, const char **le)
{
	*ls = open;
	while (*ls > p && (*ls)[-1] != '\n')
		(*ls)--;
	*le = close + 2;
	while (**le == ' ' || **le == '\t' || **le == '\r')
		(*le)++;
	return kind != TMPL_TOK_VAR && kind != TMPL_TOK_RAW &&
	    (*ls > p || *ls == text || (*ls)[-1] == '\n') &&
	    tmpl_blank(*ls, open) && (**le == '\n' || **le == '\0');
}

/* Splits the format off a {{path|fmt}} token [in, in + n) and checks it. */
static int
tmpl_tag_format(struct tmpl_parser *ps, struct tmpl_tok *k, const char *in,
    size_t n)
{
	const char *bar = memchr(in, '|', n), *f;
	size_t fl;

	if (bar == NULL)
		return 0;
	f = bar + 1;
	fl = tmpl_trim(&f, (size_t)(in + n - f));
	k->fmt = util_strndup(f, fl);
	free(k->text);
	n = tmpl_trim(&in, (size_t)(bar - in));
	k->text = util_strndup(in, n);
	k->len = n;
	if (tmpl_check_fmt(k->fmt) == -1)
		return util_fail(ps->cause, "%s:%d: bad format \"%s\" "
		    "(expected %%[-][width][.prec](s|d|f|g))", ps->t->name,
		    ps->line, k->fmt);
	return 0;
}

/* Opens a section at token k (the last one), or closes one. */
static int
tmpl_tag_nest(struct tmpl_parser *ps, const struct tmpl_tok *k)
{
	struct tmpl *t = ps->t;

	if (k->kind == TMPL_TOK_SECTION || k->kind == TMPL_TOK_INVERTED ||
	    k->kind == TMPL_TOK_MEMBERS) {
		if (ps->depth == TMPL_DEPTH)
			return util_fail(ps->cause, "%s:%d: sections nested "
			    "too deep", t->name, ps->line);
		ps->stack[ps->depth++] = t->ntoks - 1;
	} else if (k->kind == TMPL_TOK_CLOSE) {
		if (ps->depth == 0 || strcmp(t->toks[ps->stack[ps->depth -
		    1]].text, k->text) != 0)
			return util_fail(ps->cause, "%s:%d: {{/%s}} closes no "
			    "open section", t->name, ps->line, k->text);
		t->toks[ps->stack[--ps->depth]].end = t->ntoks - 1;
	}
	return 0;
}

/* Adds one tag, its inside [in, in + n) trimmed, to the template. */
static int
tmpl_tag(struct tmpl_parser *ps, char sigil, enum tmpl_kind kind,
    const char *in, size_t n)
{
	struct tmpl_tok *k;

	if (sigil == '!') {
		/* A tag inside a comment would end it early. */
		if (memmem(in, n, "{{", 2) != NULL)
			return util_fail(ps->cause, "%s:%d: a comment holds "
			    "\"{{\"", ps->t->name, ps->line);
		return 0;
	}
	if (n == 0)
		return util_fail(ps->cause, "%s:%d: empty tag", ps->t->name,
		    ps->line);
	k = tmpl_push(ps->t, kind, in, n, ps->line);
	if (kind == TMPL_TOK_VAR && tmpl_tag_format(ps, k, in, n) == -1)
		return -1;
	return tmpl_tag_nest(ps, k);
}

int
tmpl_parse(const char *name, const char *text, enum tmpl_escape esc,
    struct tmpl **out, char **cause)
{
	struct tmpl_parser ps;
	const char *p = text, *open, *close, *in, *ls, *le;
	enum tmpl_kind kind;
	int standalone;
	char sigil;
	size_t n;

	memset(&ps, 0, sizeof(ps));
	ps.t = util_calloc(1, sizeof(*ps.t));
	ps.t->name = util_strdup(name);
	ps.t->esc = esc;
	ps.line = 1;
	ps.cause = cause;
	while (*p != '\0') {
		open = strstr(p, "{{");
		if (open == NULL) {
			tmpl_push(ps.t, TMPL_TOK_TEXT, p, strlen(p), ps.line);
			break;
		}
		close = strstr(open + 2, "}}");
		if (close == NULL) {
			util_fail(cause, "%s:%d: \"{{\" without \"}}\"", name,
			    ps.line);
			goto fail;
		}
		in = open + 2;
		sigil = *in;
		kind = tmpl_tag_kind(&in);
		standalone = tmpl_standalone(text, p, open, close, kind, &ls,
		    &le);
		if (!standalone)
			ls = open;
		if (ls > p)
			tmpl_push(ps.t, TMPL_TOK_TEXT, p, (size_t)(ls - p),
			    ps.line);
		for (const char *c = p; c < open; c++)
			ps.line += *c == '\n';
		n = tmpl_trim(&in, (size_t)(close - in));
		if (tmpl_tag(&ps, sigil, kind, in, n) == -1)
			goto fail;
		for (const char *c = open; c < close; c++)
			ps.line += *c == '\n';
		p = close + 2;
		if (standalone) {
			p = le;
			if (*p == '\n') {
				p++;
				ps.line++;
			}
		}
	}
	if (ps.depth > 0) {
		util_fail(cause, "%s:%d: section \"%s\" is never closed", name,
		    ps.t->toks[ps.stack[ps.depth - 1]].line,
		    ps.t->toks[ps.stack[ps.depth - 1]].text);
		goto fail;
	}
	*out = ps.t;
	return 0;
fail:
	tmpl_free(ps.t);
	return -1;
}

/* Looks up a dotted path below one value; keys may themselves hold dots. */
static struct json_object *
tmpl_walk(struct json_object *o, const char *path)
{
	struct json_object *v;
	const char *dot;
	char *key;
	size_t n;

	if (*path == '\0')
		return o;
	if (!json_object_is_type(o, json_type_object))
		return NULL;
	/* Try the longest prefix first so "p99.9" finds its member. */
	n = strlen(path);
	for (;;) {
		key = util_strndup(path, n);
		if (json_object_object_get_ex(o, key, &v)) {
			free(key);
			if (path[n] == '\0')
				return v;
			v = tmpl_walk(v, path + n + 1);
			if (v != NULL)
				return v;
		} else
			free(key);
		dot = NULL;
		for (size_t i = n; i > 0; i--) {
			if (path[i - 1] == '.') {
				dot = path + i - 1;
				break;
			}
		}
		if (dot == NULL)
			return NULL;
		n = (size_t)(dot - path);
	}
}

/* Resolves a path against the stack; *found says whether it exists. */
static struct json_object *
tmpl_lookup(const struct tmpl_ctx *c, const char *path, int *found,
    const char **keyname)
{
	struct json_object *v;
	int i;

	*found = 0;
	*keyname = NULL;
	if (strcmp(path, ".") == 0) {
		*found = 1;
		return c->stack[c->depth - 1].value;
	}
	if (strcmp(path, "@key") == 0) {
		for (i = c->depth - 1; i >= 0; i--) {
			if (c->stack[i].key != NULL) {
				*found = 1;
				*keyname = c->stack[i].key;
				return NULL;
			}
		}
		return NULL;
	}
	for (i = c->depth - 1; i >= 0; i--) {
		if (!json_object_is_type(c->stack[i].value, json_type_object))
			continue;
		v = tmpl_walk(c->stack[i].value, path);
		if (v != NULL || (json_object_object_get_ex(c->stack[i].value,
		    path, NULL))) {
			*found = 1;
			return v;
		}
	}
	return NULL;
}

/* Says whether a value makes a {{#...}} section render. */
static int
tmpl_truthy(struct json_object *v, int found)
{
	if (!found || v == NULL)
		return 0;
	switch (json_object_get_type(v)) {
	case json_type_boolean:
		return json_object_get_boolean(v);
	case json_type_int:
	case json_type_double:
		return json_object_get_double(v) != 0;
	case json_type_string:
		return json_object_get_string_len(v) > 0;
	case json_type_array:
		return jx_len(v) > 0;
	default:
		return 1;
	}
}

/*
 * Appends c for a gnuplot double-quoted string, which gnuplot also reads
 * as a quoted data file column: the quote, the backslash, the backtick
 * (command substitution) and @ (macros) become octal escapes, the quote
 * with four digits so a digit after it is not read as part of it.
 */
static void
tmpl_escape_gnuplot(char c, struct strbuf *out)
{
	if (c == '"')
		strbuf_adds(out, "\\0042");
	else if (c == '\\')
		strbuf_adds(out, "\\134");
	else if (c == '`')
		strbuf_adds(out, "\\140");
	else if (c == '@')
		strbuf_adds(out, "\\100");
	else
		strbuf_addc(out, c);
}

void
tmpl_escape(enum tmpl_escape esc, const char *s, struct strbuf *out)
{
	struct strbuf safe;
	const char *p;

	strbuf_init(&safe, 0);
	util_safe_append(&safe, s);
	for (p = safe.data ? safe.data : ""; *p != '\0'; p++) {
		switch (esc) {
		case TMPL_TEXT:
			strbuf_addc(out, *p);
			break;
		case TMPL_MARKDOWN:
			if (strchr("\\`*_[]<>|~", *p) != NULL)
				strbuf_addc(out, '\\');
			strbuf_addc(out, *p);
			break;
		case TMPL_HTML:
			if (*p == '&')
				strbuf_adds(out, "&amp;");
			else if (*p == '<')
				strbuf_adds(out, "&lt;");
			else if (*p == '>')
				strbuf_adds(out, "&gt;");
			else if (*p == '"')
				strbuf_adds(out, "&quot;");
			else if (*p == '\'')
				strbuf_adds(out, "&#39;");
			else
				strbuf_addc(out, *p);
			break;
		case TMPL_GNUPLOT:
			tmpl_escape_gnuplot(*p, out);
			break;
		}
	}
	strbuf_release(&safe);
}

/* Number of UTF-8 code points in s. */
static size_t
tmpl_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Reads the width of a format, resolving {path}; -1 when absent. */
static long
tmpl_fmt_width(const struct tmpl_ctx *c, const char *f, int *left,
    const char **rest)
{
	struct json_object *v;
	const char *kn, *e;
	char *path;
	long w = -1;
	int found;

	f++;
	*left = *f == '-';
	if (*left)
		f++;
	if (*f == '{') {
		e = strchr(f, '}');
		path = util_strndup(f + 1, (size_t)(e - f - 1));
		v = tmpl_lookup(c, path, &found, &kn);
		free(path);
		if (v != NULL)
			w = (long)json_object_get_int64(v);
		f = e + 1;
	} else if (isdigit((unsigned char)*f)) {
		w = strtol(f, (char **)&e, 10);
		f = e;
	}
	*rest = f;
	if (w > 1000)
		w = 1000;
	return w;
}

/* Inserts one value. */
static int
tmpl_emit_var(struct tmpl_ctx *c, const struct tmpl_tok *k)
{
	struct json_object *v;
	const char *kn, *rest, *raw;
	struct strbuf val, esc;
	char numbuf[64], conv;
	long width, prec = -1;
	int found, left, is_num;
	size_t w;

	v = tmpl_lookup(c, k->text, &found, &kn);
	strbuf_init(&val, 0);
	is_num = v != NULL && (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double));
	width = -1;
	left = 0;
	conv = 's';
	if (k->fmt != NULL) {
		width = tmpl_fmt_width(c, k->fmt, &left, &rest);
		if (*rest == '.') {
			prec = strtol(rest + 1, (char **)&rest, 10);
			if (prec > 1000)
				prec = 1000;
		}
		conv = *rest;
	}
	if (kn != NULL)
		raw = kn;
	else if (v == NULL)
		raw = "";
	else if (is_num && conv == 'd')
		raw = (snprintf(numbuf, sizeof(numbuf), "%.0f",
		    json_object_get_double(v)), numbuf);
	else if (is_num && (conv == 'f' || conv == 'g'))
		raw = (snprintf(numbuf, sizeof(numbuf), conv == 'f' ? "%.*f" :
		    "%.*g", (int)(prec < 0 ? 6 : prec > 20 ? 20 : prec),
		    json_object_get_double(v)), numbuf);
	else if (is_num)
		raw = util_num(json_object_get_double(v), numbuf);
	else
		raw = json_object_get_string(v);
	if (conv != 's' && !is_num && v != NULL && kn == NULL) {
		strbuf_release(&val);
		return util_fail(c->cause, "%s:%d: %s is not a number for "
		    "format %s", c->t->name, k->line, k->text, k->fmt);
	}
	strbuf_adds(&val, raw);
	if (conv == 's' && prec >= 0 && tmpl_width(val.data) > (size_t)prec) {
		/* Cut at a code point boundary. */
		size_t i = 0, cps = 0;

		while (val.data[i] != '\0' && cps < (size_t)prec) {
			i++;
			while (((unsigned char)val.data[i] & 0xc0) == 0x80)
				i++;
			cps++;
		}
		val.data[i] = '\0';
		val.len = i;
	}
	strbuf_init(&esc, 0);
	tmpl_escape(c->t->esc, val.data, &esc);
	w = tmpl_width(esc.data ? esc.data : "");
	if (!left)
		for (; width > 0 && w < (size_t)width; w++)
			strbuf_addc(c->out, ' ');
	if (esc.data != NULL)
		strbuf_add(c->out, esc.data, esc.len);
	if (left)
		for (; width > 0 && w < (size_t)width; w++)
			strbuf_addc(c->out, ' ');
	strbuf_release(&esc);
	strbuf_release(&val);
	return 0;
}

/* Renders tokens [from, to). */
static int
tmpl_run(struct tmpl_ctx *c, size_t from, size_t to)
{
	const struct tmpl_tok *k;
	struct json_object *v;
	const char *kn;
	size_t i, j;
	int found;

	for (i = from; i < to; i++) {
		k = &c->t->toks[i];
		switch (k->kind) {
		case TMPL_TOK_TEXT:
			strbuf_add(c->out, k->text, k->len);
			break;
		case TMPL_TOK_VAR:
			if (tmpl_emit_var(c, k) == -1)
				return -1;
			break;
		case TMPL_TOK_RAW:
			v = tmpl_lookup(c, k->text, &found, &kn);
			if (v != NULL && json_object_is_type(v,
			    json_type_string))
				strbuf_add(c->out, json_object_get_string(v),
				    (size_t)json_object_get_string_len(v));
			break;
		case TMPL_TOK_CLOSE:
			break;
		case TMPL_TOK_INVERTED:
			v = tmpl_lookup(c, k->text, &found, &kn);
			if (!tmpl_truthy(v, found) && tmpl_run(c, i + 1,
			    k->end) == -1)
				return -1;
			i = k->end;
			break;
		case TMPL_TOK_SECTION:
		case TMPL_TOK_MEMBERS:
			v = tmpl_lookup(c, k->text, &found, &kn);
			if (c->depth == TMPL_DEPTH)
				return util_fail(c->cause, "%s:%d: too deep",
				    c->t->name, k->line);
			if (k->kind == TMPL_TOK_MEMBERS) {
				if (v != NULL && json_object_is_type(v,
				    json_type_object)) {
					json_object_object_foreach(v, mk, mv) {
						c->stack[c->depth].value = mv;
						c->stack[c->depth++].key = mk;
						if (tmpl_run(c, i + 1,
						    k->end) == -1)
							return -1;
						c->depth--;
					}
				}
			} else if (v != NULL && json_object_is_type(v,
			    json_type_array)) {
				for (j = 0; j < jx_len(v);
				    j++) {
					c->stack[c->depth].value =
					    jx_at(v, j);
					c->stack[c->depth++].key = NULL;
					if (tmpl_run(c, i + 1, k->end) == -1)
						return -1;
					c->depth--;
				}
			} else if (tmpl_truthy(v, found)) {
				c->stack[c->depth].value = v;
				c->stack[c->depth++].key = NULL;
				if (tmpl_run(c, i + 1, k->end) == -1)
					return -1;
				c->depth--;
			}
			i = k->end;
			break;
		}
	}
	return 0;
}

int
tmpl_render(const struct tmpl *t, struct json_object *doc,
    struct strbuf *out, char **cause)
{
	struct tmpl_ctx c;

	memset(&c, 0, sizeof(c));
	c.t = t;
	c.out = out;
	c.cause = cause;
	c.stack[0].value = doc;
	c.depth = 1;
	return tmpl_run(&c, 0, t->ntoks);
}

int
tmpl_render_asset(const char *dir, const char *path, enum tmpl_escape esc,
    struct json_object *doc, struct strbuf *out, char **cause)
{
	struct tmpl *t;
	char *text = assets_load(dir, path, NULL, cause);
	int rc;

	if (text == NULL)
		return -1;
	rc = tmpl_parse(path, text, esc, &t, cause);
	free(text);
	if (rc == -1)
		return -1;
	rc = tmpl_render(t, doc, out, cause);
	tmpl_free(t);
	return rc;
}
