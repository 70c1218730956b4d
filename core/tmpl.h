/*
 * tmpl.h: a small logic-less template language over JSON documents, used
 * for every text, Markdown, HTML and gnuplot output medload writes.
 *
 *   {{path}}            a value; path is dot-separated keys ("events.read",
 *                       "percentiles.p99.9"), "." the current value, "@key"
 *                       the current member's name in a {{%...}} section
 *   {{path|fmt}}        formatted: %[-][width][.prec](s|d|f|g); the width
 *                       may be {path} to take it from the document
 *   {{&path}}           a string inserted as is, unescaped: only for text
 *                       medload rendered itself (never for trace data)
 *   {{#path}}..{{/path}} once per array element, once for a truthy value
 *   {{^path}}..{{/path}} once when the value is missing, false, null, 0,
 *                       "" or []
 *   {{%path}}..{{/path}} once per member of an object
 *   {{! comment }}
 * A line holding only a section tag or a comment is dropped whole. Every
 * string inserted is escaped for the template's output format.
 */
#ifndef MEDLOAD_TMPL_H
#define MEDLOAD_TMPL_H

#include <stdio.h>

struct json_object;
struct strbuf;

/* How inserted strings are escaped. */
enum tmpl_escape {
	TMPL_TEXT,	/* control and bidi characters made visible */
	TMPL_MARKDOWN,	/* Markdown punctuation and | escaped, one line */
	TMPL_HTML,	/* & < > " ' as entities */
	TMPL_GNUPLOT,	/* inside a gnuplot double-quoted string ("..."),
			   which also reads as a quoted data file column:
			   " \\ ` @ as octal escapes */
};

struct tmpl;

/*
 * Parses template text. name names it in error messages. Returns 0 and
 * *out (caller frees with tmpl_free), or -1 with *cause set.
 */
int tmpl_parse(const char *name, const char *text, enum tmpl_escape esc,
    struct tmpl **out, char **cause);

/* Frees a template; NULL is accepted. */
void tmpl_free(struct tmpl *t);

/*
 * Renders t over doc (borrowed) into out. Returns 0, or -1 with *cause set
 * when a format cannot apply to a value.
 */
int tmpl_render(const struct tmpl *t, struct json_object *doc,
    struct strbuf *out, char **cause);

/*
 * Loads the template at path (an asset path such as
 * "report-templates/report.md.tmpl"; dir, when not NULL, overrides the
 * embedded copy as assets_load says), parses it for esc and renders it
 * over doc (borrowed), appending to out. Returns 0, or -1 with *cause.
 */
int tmpl_render_asset(const char *dir, const char *path, enum tmpl_escape esc,
    struct json_object *doc, struct strbuf *out, char **cause);

/* Appends s escaped for esc to out. */
void tmpl_escape(enum tmpl_escape esc, const char *s, struct strbuf *out);

#endif
