/* render.c: analysis document -> JSON, CSV, text. */
#include "render.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jx.h"
#include "render_fold.h"
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

/* Writes one row of the flows CSV: the group, the hop, its stats. */
static void
render_flows_csv_row(struct json_object *x, const char *hop,
    const char *clock, struct json_object *s, FILE *out)
{
	static const char *const keys[] = { "type", "from", "to",
	    "endpoint" };
	static const char *const stats[] = { "count", "min", "max", "mean",
	    "stddev" };
	struct json_object *pcts = jx_get(s, "percentiles");
	size_t i;

	for (i = 0; i < 4; i++) {
		render_csv_value(jx_get(x, keys[i]), out);
		fputc(',', out);
	}
	render_csv_cell(hop, 1, out);
	fputc(',', out);
	render_csv_cell(clock, 1, out);
	for (i = 0; i < 5; i++) {
		fputc(',', out);
		render_csv_value(jx_get(s, stats[i]), out);
	}
	if (jx_is_object(pcts)) {
		json_object_object_foreach(pcts, name, pv) {
			(void)name;
			fputc(',', out);
			render_csv_value(pv, out);
		}
	}
	fputc(',', out);
	render_csv_value(jx_get(s, "clamped"), out);
	fputc('\n', out);
}

int
render_flows_csv(struct json_object *doc, FILE *out)
{
	struct json_object *xs = jx_get(doc, "flows.exchanges"), *x, *h, *p;
	size_t i, j;

	if (!jx_is_object(jx_get(doc, "flows")))
		return -1;
	fputs("type,from,to,endpoint,hop,clock,count,min,max,mean,stddev",
	    out);
	for (i = 0; i < jx_len(xs) && jx_len(jx_get(jx_at(xs, i), "hops")) ==
	    0; i++)
		;
	p = jx_get(jx_at(jx_get(jx_at(xs, i), "hops"), 0), "percentiles");
	if (jx_is_object(p)) {
		json_object_object_foreach(p, name, pv) {
			(void)pv;
			fprintf(out, ",%s", name);
		}
	}
	fputs(",clamped\n", out);
	for (i = 0; i < jx_len(xs); i++) {
		x = jx_at(xs, i);
		if (jx_is_object(jx_get(x, "round_trip")))
			render_flows_csv_row(x, "round_trip", "requester",
			    jx_get(x, "round_trip"), out);
		for (j = 0; j < jx_len(jx_get(x, "hops")); j++) {
			h = jx_at(jx_get(x, "hops"), j);
			render_flows_csv_row(x, jx_str(jx_get(h, "name"), ""),
			    jx_str(jx_get(h, "clock"), ""), h, out);
		}
	}
	return ferror(out) ? -1 : 0;
}

size_t
render_text_width(const char *s)
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

/* Key column widths (of the rows f does not fold) into widths. */
static size_t
render_view_widths(struct json_object *by, struct json_object *groups,
    const struct render_fold *f, size_t widths[16])
{
	struct json_object *key, *v;
	size_t nby = jx_len(by), i, j, w;

	if (nby > 16)
		nby = 16;
	for (i = 0; i < nby; i++)
		widths[i] = strlen(json_object_get_string(jx_at(by, i)));
	for (j = 0; j < jx_len(groups); j++) {
		if (j < f->n && f->into[j] >= 0)
			continue;	/* folded into its END row */
		key = jx_get(jx_at(groups, j), "key");
		for (i = 0; i < nby; i++) {
			v = json_object_object_get(key, json_object_get_string(
			    jx_at(by, i)));
			w = render_text_width(v ? json_object_get_string(v) :
			    "-");
			if (w > widths[i])
				widths[i] = w > RENDER_COL_MAX ? RENDER_COL_MAX : w;
		}
	}
	return nby;
}

/* The "columns" array: key names and widths, f's hidden one left out. */
static struct json_object *
render_view_columns(struct json_object *by, size_t nby,
    const size_t *widths, const struct render_fold *f)
{
	struct json_object *cols = json_object_new_array(), *cell;
	size_t i;

	for (i = 0; i < nby; i++) {
		if ((long)i == f->hide)
			continue;
		cell = json_object_new_object();
		json_object_object_add(cell, "name", json_object_get(
		    jx_at(by, i)));
		json_object_object_add(cell, "width",
		    json_object_new_int64((int64_t)widths[i]));
		json_object_array_add(cols, cell);
	}
	return cols;
}

/* One row: its cells, the group, and "starts" (folded START events). */
static struct json_object *
render_view_row(struct json_object *by, size_t nby, const size_t *widths,
    struct json_object *g, const struct render_fold *f, size_t j)
{
	struct json_object *row = json_object_new_object(), *cells, *cell, *v;
	struct json_object *key = jx_get(g, "key");
	char *starts;
	size_t i;

	cells = json_object_new_array();
	for (i = 0; i < nby; i++) {
		if ((long)i == f->hide)
			continue;
		v = json_object_object_get(key, json_object_get_string(
		    jx_at(by, i)));
		cell = json_object_new_object();
		json_object_object_add(cell, "v", v ? json_object_get(v) :
		    json_object_new_string("-"));
		json_object_object_add(cell, "w",
		    json_object_new_int64((int64_t)widths[i]));
		json_object_array_add(cells, cell);
	}
	json_object_object_add(row, "cells", cells);
	json_object_object_add(row, "g", json_object_get(g));
	starts = f->starts[j] >= 0 ? util_printf("%.0f", f->starts[j]) :
	    util_strdup("-");
	json_object_object_add(row, "starts", json_object_new_string(starts));
	free(starts);
	return row;
}

/* The percentile names of group g. */
static struct json_object *
render_view_pcts(struct json_object *g)
{
	struct json_object *names = json_object_new_array();
	struct json_object *pcts = jx_get(g, "percentiles");

	if (jx_is_object(pcts)) {
		json_object_object_foreach(pcts, pn, pv) {
			(void)pv;
			json_object_array_add(names,
			    json_object_new_string(pn));
		}
	}
	return names;
}

struct json_object *
render_view(struct json_object *doc)
{
	return render_view_flags(doc, 0);
}

struct json_object *
render_view_flags(struct json_object *doc, int flags)
{
	struct json_object *view = json_object_new_object(), *by, *groups;
	struct json_object *rows, *rej;
	struct render_fold f;
	size_t nby, j, widths[16];

	if (!jx_is_object(doc))
		return view;
	json_object_object_foreach(doc, k, val)
		json_object_object_add(view, k, json_object_get(val));
	by = jx_get(doc, "by");
	groups = jx_get(doc, "groups");
	if (by == NULL || groups == NULL)
		return view;
	render_fold_plan(doc, (flags & RENDER_FOLD) != 0, &f);
	nby = render_view_widths(by, groups, &f, widths);
	json_object_object_add(view, "columns", render_view_columns(by, nby,
	    widths, &f));
	rows = json_object_new_array();
	for (j = 0; j < f.n; j++)
		if (f.into[j] < 0)
			json_object_array_add(rows, render_view_row(by, nby,
			    widths, jx_at(groups, j), &f, j));
	json_object_object_add(view, "rows", rows);
	json_object_object_add(view, "pcts", render_view_pcts(jx_at(groups,
	    0)));
	json_object_object_add(view, "folded", json_object_new_boolean(
	    f.folded));
	rej = jx_get(doc, "events.rejected_by_reason");
	if (rej != NULL)
		json_object_object_add(view, "has_rejects",
		    json_object_new_boolean(jx_members(rej) > 0));
	render_fold_release(&f);
	return view;
}

/* The display name of a message type: without https://didcomm.org/. */
static struct json_object *
render_short_type(struct json_object *type)
{
	static const char prefix[] = "https://didcomm.org/";
	const char *s = json_object_get_string(type);

	if (s == NULL)
		return json_object_new_string("(no type)");
	if (strncmp(s, prefix, sizeof(prefix) - 1) == 0 &&
	    s[sizeof(prefix) - 1] != '\0')
		s += sizeof(prefix) - 1;
	return json_object_new_string(s);
}

/* A row of an exchange's table: name, clock and the stats s. */
static void
render_flows_row(struct json_object *rows, const char *name,
    const char *clock, struct json_object *s)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "name", json_object_new_string(name));
	json_object_object_add(r, "clock", json_object_new_string(clock));
	json_object_object_add(r, "s", json_object_get(s));
	json_object_array_add(rows, r);
}

/* An exchange with "short", "by_time" and "rows" added (caller puts). */
static struct json_object *
render_flows_exchange(struct json_object *x, struct json_object *pcts)
{
	struct json_object *v = json_object_new_object(), *rows, *hops, *h;
	struct json_object *rt = jx_get(x, "round_trip");
	size_t i;

	json_object_object_foreach(x, k, val)
		json_object_object_add(v, k, json_object_get(val));
	json_object_object_add(v, "short", render_short_type(jx_get(x,
	    "type")));
	if (jx_get(x, "from") == NULL)
		json_object_object_add(v, "from",
		    json_object_new_string("(untraced sender)"));
	if (jx_get(x, "to") == NULL)
		json_object_object_add(v, "to",
		    json_object_new_string("(no receiver seen)"));
	json_object_object_add(v, "by_time", json_object_new_boolean(
	    strcmp(jx_str(jx_get(x, "pairing"), ""), "time") == 0));
	rows = json_object_new_array();
	if (jx_is_object(rt))
		render_flows_row(rows, "round trip", "requester", rt);
	hops = jx_get(x, "hops");
	for (i = 0; i < jx_len(hops); i++) {
		h = jx_at(hops, i);
		render_flows_row(rows, jx_str(jx_get(h, "name"), ""),
		    jx_str(jx_get(h, "clock"), ""), h);
	}
	if (jx_len(pcts) == 0 && jx_len(rows) > 0) {
		struct json_object *p = jx_get(jx_get(jx_at(rows, 0), "s"),
		    "percentiles");

		if (jx_is_object(p)) {
			json_object_object_foreach(p, pn, pv) {
				(void)pv;
				json_object_array_add(pcts,
				    json_object_new_string(pn));
			}
		}
	}
	json_object_object_add(v, "has_rows",
	    json_object_new_boolean(jx_len(rows) > 0));
	json_object_object_add(v, "rows", rows);
	return v;
}

/* The examples of losses as one list: kind plus the example's fields. */
static struct json_object *
render_flows_cases(struct json_object *examples)
{
	struct json_object *cases = json_object_new_array(), *c;
	size_t i;

	if (!jx_is_object(examples))
		return cases;
	json_object_object_foreach(examples, kind, list) {
		for (i = 0; i < jx_len(list); i++) {
			c = json_object_new_object();
			json_object_object_add(c, "kind",
			    json_object_new_string(kind));
			json_object_object_foreach(jx_at(list, i), ek, ev)
				json_object_object_add(c, ek,
				    json_object_get(ev));
			json_object_object_add(c, "type", render_short_type(
			    jx_get(jx_at(list, i), "type")));
			json_object_array_add(cases, c);
		}
	}
	return cases;
}

/*
 * The flows template's view: the "flows" object plus "pcts", per
 * exchange "short", "by_time" and "rows", "losses" and "cases".
 */
static struct json_object *
render_flows_view(struct json_object *flows)
{
	struct json_object *v = json_object_new_object(), *xs, *pcts, *l, *o;
	size_t i;

	json_object_object_foreach(flows, fk, fval)
		json_object_object_add(v, fk, json_object_get(fval));
	pcts = json_object_new_array();
	xs = json_object_new_array();
	for (i = 0; i < jx_len(jx_get(flows, "exchanges")); i++)
		json_object_array_add(xs, render_flows_exchange(jx_at(
		    jx_get(flows, "exchanges"), i), pcts));
	json_object_object_add(v, "exchanges", xs);
	json_object_object_add(v, "pcts", pcts);
	l = json_object_new_array();
	if (jx_is_object(jx_get(flows, "incomplete"))) {
		json_object_object_foreach(jx_get(flows, "incomplete"), k, n) {
			if (strcmp(k, "undecided") == 0)
				continue;
			o = json_object_new_object();
			json_object_object_add(o, "kind",
			    json_object_new_string(k));
			json_object_object_add(o, "n", json_object_get(n));
			json_object_array_add(l, o);
		}
	}
	json_object_object_add(v, "losses", l);
	json_object_object_add(v, "cases", render_flows_cases(jx_get(flows,
	    "examples")));
	return v;
}

int
render_text(struct json_object *doc, const char *templates_dir, FILE *out,
    char **cause)
{
	return render_text_flags(doc, templates_dir, 0, out, cause);
}

int
render_text_flags(struct json_object *doc, const char *templates_dir,
    int flags, FILE *out, char **cause)
{
	static const char path[] = "report-templates/analysis.txt.tmpl";
	static const char fpath[] = "report-templates/flows.txt.tmpl";
	struct json_object *view = render_view_flags(doc, flags), *fv;
	struct strbuf b;
	int rc;

	strbuf_init(&b, 0);
	rc = tmpl_render_asset(templates_dir, path, TMPL_TEXT, view, &b,
	    cause);
	if (rc == 0 && jx_is_object(jx_get(doc, "flows"))) {
		fv = render_flows_view(jx_get(doc, "flows"));
		rc = tmpl_render_asset(templates_dir, fpath, TMPL_TEXT, fv, &b,
		    cause);
		json_object_put(fv);
	}
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
