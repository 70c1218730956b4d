/* ttable.c: a table of strings with its text column widths. */
#include "ttable.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "render.h"
#include "strbuf.h"
#include "util.h"

struct ttable {
	size_t ncols, nkey, nrows, cap;
	char **head;		/* ncols */
	char ***rows;		/* nrows x ncols */
};

struct ttable *
ttable_new(size_t ncols, size_t nkey)
{
	struct ttable *t = util_calloc(1, sizeof(*t));

	t->ncols = ncols;
	t->nkey = nkey;
	t->head = util_calloc(ncols ? ncols : 1, sizeof(*t->head));
	return t;
}

void
ttable_free(struct ttable *t)
{
	size_t i, j;

	if (t == NULL)
		return;
	for (j = 0; j < t->ncols; j++)
		free(t->head[j]);
	for (i = 0; i < t->nrows; i++) {
		for (j = 0; j < t->ncols; j++)
			free(t->rows[i][j]);
		free(t->rows[i]);
	}
	free(t->rows);
	free(t->head);
	free(t);
}

void
ttable_head(struct ttable *t, size_t col, const char *s)
{
	if (col >= t->ncols)
		return;
	free(t->head[col]);
	t->head[col] = util_strdup(s);
}

void
ttable_row(struct ttable *t)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->rows = util_realloc(t->rows, t->cap * sizeof(*t->rows));
	}
	t->rows[t->nrows++] = util_calloc(t->ncols ? t->ncols : 1,
	    sizeof(char *));
}

void
ttable_cell(struct ttable *t, size_t col, const char *s)
{
	if (t->nrows == 0 || col >= t->ncols)
		return;
	free(t->rows[t->nrows - 1][col]);
	t->rows[t->nrows - 1][col] = util_strdup(s);
}

void
ttable_cellf(struct ttable *t, size_t col, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	ttable_cell(t, col, s ? s : "");
	free(s);
}

size_t
ttable_rows(const struct ttable *t)
{
	return t->nrows;
}

/* One cell: its value and its text padded to width w. */
static struct json_object *
ttable_cell_json(const char *s, size_t w, int num)
{
	struct json_object *c = json_object_new_object();
	struct strbuf b;
	size_t have = render_text_width(s ? s : "");

	strbuf_init(&b, 0);
	if (num)
		for (; have < w; have++)
			strbuf_addc(&b, ' ');
	strbuf_adds(&b, s ? s : "");
	if (!num)
		for (; have < w; have++)
			strbuf_addc(&b, ' ');
	json_object_object_add(c, "v", json_object_new_string(s ? s : ""));
	json_object_object_add(c, "t", json_object_new_string(b.data ?
	    b.data : ""));
	json_object_object_add(c, "num", json_object_new_boolean(num));
	strbuf_release(&b);
	return c;
}

/* The cells of one row (head when row is the header) as an array. */
static struct json_object *
ttable_cells(const struct ttable *t, char **row, const size_t *w)
{
	struct json_object *a = json_object_new_array();
	size_t j;

	for (j = 0; j < t->ncols; j++)
		json_object_array_add(a, ttable_cell_json(row[j], w[j],
		    j >= t->nkey));
	return a;
}

struct json_object *
ttable_json(const struct ttable *t)
{
	struct json_object *o = json_object_new_object(), *rows, *r;
	size_t *w = util_calloc(t->ncols ? t->ncols : 1, sizeof(*w));
	size_t i, j, x;

	for (j = 0; j < t->ncols; j++)
		w[j] = render_text_width(t->head[j] ? t->head[j] : "");
	for (i = 0; i < t->nrows; i++)
		for (j = 0; j < t->ncols; j++)
			if ((x = render_text_width(t->rows[i][j] ?
			    t->rows[i][j] : "")) > w[j])
				w[j] = x;
	json_object_object_add(o, "head", ttable_cells(t, t->head, w));
	rows = json_object_new_array();
	for (i = 0; i < t->nrows; i++) {
		r = json_object_new_object();
		json_object_object_add(r, "cells", ttable_cells(t, t->rows[i],
		    w));
		json_object_array_add(rows, r);
	}
	json_object_object_add(o, "rows", rows);
	json_object_object_add(o, "ncols", json_object_new_int64(
	    (int64_t)t->ncols));
	free(w);
	return o;
}
