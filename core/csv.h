/*
 * csv.h: a strict, bounded reader of comma-separated values as Python's
 * csv module writes them (Locust's --csv files): fields separated by
 * commas, records ended by CR LF (or LF); a field holding a comma, a quote
 * or a line end is quoted with '"', a quote inside it doubled. Anything
 * else is an error naming the file and the line: a quote inside an
 * unquoted field, text after a closing quote, a CR not followed by LF, a
 * NUL byte, a quoted field the file ends in, a last record with no line
 * end (a file cut short), a field or a record past the bounds.
 */
#ifndef MEDLOAD_CSV_H
#define MEDLOAD_CSV_H

#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELD (1024 * 1024)	/* default bytes of one field */
#define CSV_MAX_FIELDS 1024		/* default fields of one record */

struct csv;

/*
 * Opens path for reading. Returns 0 and *out (caller frees with
 * csv_close), or -1 with *cause naming the file.
 */
int csv_open(const char *path, struct csv **out, char **cause);

/*
 * A reader of f (borrowed: csv_close leaves it open), called name in
 * messages (copied). Caller frees with csv_close.
 */
struct csv *csv_from(FILE *f, const char *name);

/* Sets the bounds: bytes of one field, fields of one record. */
void csv_limits(struct csv *c, size_t max_field, size_t max_fields);

/*
 * Reads the next record. Returns 1 with *fields (an array of *n strings,
 * NUL-terminated, borrowed until the next call; an empty line has no
 * field), 0 at the end of the file, or -1 with *cause ("NAME:LINE: what").
 */
int csv_next(struct csv *c, char ***fields, size_t *n, char **cause);

/* The line (1-based) the last record read began on. */
unsigned long long csv_line(const struct csv *c);

/* The name given to csv_open or csv_from (borrowed). */
const char *csv_name(const struct csv *c);

/* Closes the file csv_open opened and frees c; NULL is accepted. */
void csv_close(struct csv *c);

#endif
