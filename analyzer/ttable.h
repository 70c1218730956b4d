/*
 * ttable.h: a table of strings as the report templates read it: a header
 * row and rows of cells, each cell with its value "v" (for Markdown and
 * HTML), its text "t" padded to the column's width (left-aligned in a key
 * column, right-aligned in a number column) and "num" (a number column).
 */
#ifndef MEDLOAD_TTABLE_H
#define MEDLOAD_TTABLE_H

#include <stddef.h>

struct json_object;
struct ttable;

/*
 * A new table of ncols columns; the first nkey of them are key columns
 * (left-aligned), the rest numbers. Caller frees with ttable_free.
 */
struct ttable *ttable_new(size_t ncols, size_t nkey);

/* Frees t; NULL is accepted. */
void ttable_free(struct ttable *t);

/* Sets header cell col to s (copied). */
void ttable_head(struct ttable *t, size_t col, const char *s);

/* Starts a new row; its cells are "" until set. */
void ttable_row(struct ttable *t);

/* Sets cell col of the last row to s (copied). */
void ttable_cell(struct ttable *t, size_t col, const char *s);

/* Sets cell col of the last row to a printf-formatted string. */
void ttable_cellf(struct ttable *t, size_t col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The number of rows so far. */
size_t ttable_rows(const struct ttable *t);

/*
 * The table as {"head": [cell], "rows": [{"cells": [cell]}], "ncols": n}
 * (caller puts), each cell {"v", "t", "num"}; widths count characters
 * after terminal escaping.
 */
struct json_object *ttable_json(const struct ttable *t);

#endif
