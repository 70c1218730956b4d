/* render.c: analysis document -> JSON, CSV, text. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "tmpl.h"
#include "util.h"

#define RENDER_COL_MAX 96

int
render_format_parse(const char *s, enum render_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = RENDER_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = RENDER_JSON;
	else if (strcmp(s, "csv") == 0)
		*out = RENDER_CSV;
	else
		return -1;
	return 0;
}

int
render_json(struct json_object *doc, FILE *out)
{
	const char *s = json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE);

	fputs(s, out);
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

/* Writes one CSV cell. */
static void
render_csv_cell(const char *s, int is_string, FILE *out)
{
	int quote = 0;
	const char *c;

	for (c = s; *c != '\0' && !quote; c++)
		quote = *c == ',' || *c == '"' || (unsigned char)*c < 0x20 ||
		    *c == 0x7f;
	int guard = is_string && strchr("=+-@\t\r", s[0]) != NULL && s[0];

	if (!quote && !guard) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	if (guard)
		fputc('\'', out);
	for (; *s != '\0'; s++) {
		if (*s == '"')
			fputc('"', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Writes a JSON value as a CSV cell ("" for null). */
static void
render_csv_value(struct json_object *v, FILE *out)
{
	if (v == NULL)
		return;
	render_csv_cell(json_object_get_string(v),
	    json_object_is_type(v, json_type_string), out);
}

int
render_csv(struct json_object *doc, FILE *out)
{
	static const char *const stats[] = { "count", "min", "max", "mean",
	    "stddev" };
	static const char *const tail[] = { "first", "last", "rate" };
	struct json_object *by, *groups, *g, *v, *pcts;
	size_t i, j, k;

	if (!json_object_object_get_ex(doc, "by", &by) ||
	    !json_object_object_get_ex(doc, "groups", &groups))
		return -1;
	for (i = 0; i < jx_len(by); i++) {
		render_csv_value(jx_at(by, i), out);
		fputc(',', out);
	}
	for (i = 0; i < 5; i++)
		fprintf(out, "%s,", stats[i]);
	g = jx_at(groups, 0);
	pcts = NULL;
	if (json_object_object_get_ex(g, "percentiles", &pcts) &&
	    jx_is_object(pcts)) {
		json_object_object_foreach(pcts, name, pv) {
			(void)pv;
			fprintf(out, "%s,", name);
		}
	}
	fputs("first,last,rate\n", out);
	for (j = 0; j < jx_len(groups); j++) {
		struct json_object *key;

		g = jx_at(groups, j);
		json_object_object_get_ex(g, "key", &key);
		for (i = 0; i < jx_len(by); i++) {
			v = NULL;
			json_object_object_get_ex(key, json_object_get_string(
			    jx_at(by, i)), &v);
			render_csv_value(v, out);
			fputc(',', out);
		}
		for (k = 0; k < 5; k++) {
			json_object_object_get_ex(g, stats[k], &v);
			render_csv_value(v, out);
			fputc(',', out);
		}
		if (json_object_object_get_ex(g, "percentiles", &pcts) &&
		    jx_is_object(pcts)) {
			json_object_object_foreach(pcts, name, pv) {
				(void)name;
				render_csv_value(pv, out);
				fputc(',', out);
			}
		}
		for (k = 0; k < 3; k++) {
			v = NULL;
			json_object_object_get_ex(g, tail[k], &v);
			render_csv_value(v, out);
			fputc(k < 2 ? ',' : '\n', out);
		}
	}
	return ferror(out) ? -1 : 0;
}

/* Display width of a cell after the text escaping. */
static size_t
render_cell_width(const char *s)
{
	struct strbuf b;
	size_t w = 0;
	const char *p;

	strbuf_init(&b, 0);
	tmpl_escape(TMPL_TEXT, s, &b);
	for (p = b.data ? b.data : ""; *p != '\0'; p++)
		w += ((unsigned char)*p & 0xc0) != 0x80;
	strbuf_release(&b);
	return w;
}

/*
 * The text template's view: the document's members plus "columns" (key
 * names and widths), "rows" (cells and the group) and "pcts".
 */
struct json_object *
render_view(struct json_object *doc)
{
	struct json_object *view = json_object_new_object(), *by, *groups;
	struct json_object *cols, *rows, *row, *cells, *cell, *key, *v, *pcts;
	struct json_object *names, *ev, *rej;
	size_t nby, ng, i, j, w, widths[16];

	if (!jx_is_object(doc))
		return view;
	json_object_object_foreach(doc, k, val)
		json_object_object_add(view, k, json_object_get(val));
	if (!json_object_object_get_ex(doc, "by", &by) ||
	    !json_object_object_get_ex(doc, "groups", &groups))
		return view;
	nby = jx_len(by);
	if (nby > 16)
		nby = 16;
	ng = jx_len(groups);
	for (i = 0; i < nby; i++)
		widths[i] = strlen(json_object_get_string(
		    jx_at(by, i)));
	for (j = 0; j < ng; j++) {
		json_object_object_get_ex(jx_at(groups, j),
		    "key", &key);
		for (i = 0; i < nby; i++) {
			v = NULL;
			json_object_object_get_ex(key, json_object_get_string(
			    jx_at(by, i)), &v);
			w = render_cell_width(v ? json_object_get_string(v) :
			    "-");
			if (w > widths[i])
				widths[i] = w > RENDER_COL_MAX ? RENDER_COL_MAX : w;
		}
	}
	cols = json_object_new_array();
	for (i = 0; i < nby; i++) {
		cell = json_object_new_object();
		json_object_object_add(cell, "name", json_object_get(
		    jx_at(by, i)));
		json_object_object_add(cell, "width",
		    json_object_new_int64((int64_t)widths[i]));
		json_object_array_add(cols, cell);
	}
	json_object_object_add(view, "columns", cols);
	rows = json_object_new_array();
	names = json_object_new_array();
	for (j = 0; j < ng; j++) {
		struct json_object *g = jx_at(groups, j);

		json_object_object_get_ex(g, "key", &key);
		row = json_object_new_object();
		cells = json_object_new_array();
		for (i = 0; i < nby; i++) {
			v = NULL;
			json_object_object_get_ex(key, json_object_get_string(
			    jx_at(by, i)), &v);
			cell = json_object_new_object();
			json_object_object_add(cell, "v", v ?
			    json_object_get(v) : json_object_new_string("-"));
			json_object_object_add(cell, "w",
			    json_object_new_int64((int64_t)widths[i]));
			json_object_array_add(cells, cell);
		}
		json_object_object_add(row, "cells", cells);
		json_object_object_add(row, "g", json_object_get(g));
		json_object_array_add(rows, row);
		if (j == 0 && json_object_object_get_ex(g, "percentiles",
		    &pcts) && jx_is_object(pcts)) {
			json_object_object_foreach(pcts, pn, pv) {
				(void)pv;
				json_object_array_add(names,
				    json_object_new_string(pn));
			}
		}
	}
	json_object_object_add(view, "rows", rows);
	json_object_object_add(view, "pcts", names);
	if (json_object_object_get_ex(doc, "events", &ev) &&
	    json_object_object_get_ex(ev, "rejected_by_reason", &rej))
		json_object_object_add(view, "has_rejects",
		    json_object_new_boolean(jx_members(rej) > 0));
	return view;
}

int
render_text(struct json_object *doc, const char *templates_dir, FILE *out,
    char **cause)
{
	static const char path[] = "report-templates/analysis.txt.tmpl";
	struct json_object *view = render_view(doc);
	struct strbuf b;
	int rc;

	strbuf_init(&b, 0);
	rc = tmpl_render_asset(templates_dir, path, TMPL_TEXT, view, &b,
	    cause);
	if (rc == 0 && b.data != NULL)
		fwrite(b.data, 1, b.len, out);
	strbuf_release(&b);
	json_object_put(view);
	if (rc == 0 && ferror(out))
		rc = util_fail(cause, "write error");
	return rc;
}

int
render(struct json_object *doc, enum render_format f,
    const char *templates_dir, FILE *out, char **cause)
{
	switch (f) {
	case RENDER_JSON:
		if (render_json(doc, out) == -1)
			return util_fail(cause, "write error");
		return 0;
	case RENDER_CSV:
		if (render_csv(doc, out) == -1)
			return util_fail(cause, "not an analysis document or "
			    "write error");
		return 0;
	case RENDER_TEXT:
		return render_text(doc, templates_dir, out, cause);
	}
	return util_fail(cause, "unknown format");
}
