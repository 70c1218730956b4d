/*
 * render.h: writes an analysis document as JSON, CSV or text. Renderers
 * read only the document, so a fresh analysis and one loaded from a file
 * render the same way.
 */
#ifndef MEDLOAD_RENDER_H
#define MEDLOAD_RENDER_H

#include <stdio.h>

struct json_object;

enum render_format { RENDER_TEXT, RENDER_JSON, RENDER_CSV };

/* Parses "text", "json" or "csv"; 0 or -1. */
int render_format_parse(const char *s, enum render_format *out);

/* Pretty-printed JSON with a final newline. */
int render_json(struct json_object *doc, FILE *out);

/*
 * One CSV row per group (RFC 4180 quoting; cells starting with = + - @
 * get a leading ' so spreadsheets do not run them as formulas).
 */
int render_csv(struct json_object *doc, FILE *out);

/*
 * The hops table of the document's "flows" (analyze --flows): one row
 * per exchange group and hop, the round trip first: type, from, to,
 * endpoint, hop, clock, count, min, max, mean, stddev, the percentiles,
 * clamped; quoted as render_csv does. -1 when doc holds no "flows" or on
 * a write error.
 */
int render_flows_csv(struct json_object *doc, FILE *out);

/*
 * The text report from the template analysis.txt.tmpl (templates_dir
 * overrides the embedded one), then, when the document has "flows", the
 * exchanges section from flows.txt.tmpl. Returns 0 or -1 with *cause.
 */
int render_text(struct json_object *doc, const char *templates_dir,
    FILE *out, char **cause);

/*
 * The view the report templates read: the document's members plus
 * "columns" (the group key names and their text widths), "rows" (per
 * group: "cells" with each key value "v" and width "w", and the group
 * "g"), "pcts" (percentile names) and "has_rejects". Caller puts.
 */
struct json_object *render_view(struct json_object *doc);

/* Characters s takes on a terminal once escaped for text (TMPL_TEXT). */
size_t render_text_width(const char *s);

/* render_view_flags and render_text_flags: how the groups are shown. */
#define RENDER_FOLD 1	/* START groups folded into their END group (a
			   row's "starts" says how many), and a handler
			   that repeats the label left out (render_fold.h) */

/*
 * render_view, with flags: with RENDER_FOLD the view also has "folded"
 * (whether a START was folded) and each row "starts" (the START events
 * folded into it, or "-"). Caller puts.
 */
struct json_object *render_view_flags(struct json_object *doc, int flags);

/* render_text, with flags as render_view_flags takes them. */
int render_text_flags(struct json_object *doc, const char *templates_dir,
    int flags, FILE *out, char **cause);

/* Dispatches on format. */
int render(struct json_object *doc, enum render_format f,
    const char *templates_dir, FILE *out, char **cause);

#endif
