/* csv.c: a strict, bounded reader of Python csv module output. */
#include "csv.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

struct csv {
	FILE *f;
	int own;			/* csv_open opened f */
	char *name;
	size_t max_field, max_fields;
	unsigned long long line;	/* the line being read */
	unsigned long long start;	/* the line the last record began on */
	struct strbuf buf;		/* the record's fields, NUL-separated */
	size_t *offs;			/* where each field begins in buf */
	char **fields;
	size_t n, alloc;
};

struct csv *
csv_from(FILE *f, const char *name)
{
	struct csv *c = util_calloc(1, sizeof(*c));

	c->f = f;
	c->name = util_strdup(name);
	c->max_field = CSV_MAX_FIELD;
	c->max_fields = CSV_MAX_FIELDS;
	c->line = 1;
	strbuf_init(&c->buf, 0);
	return c;
}

int
csv_open(const char *path, struct csv **out, char **cause)
{
	FILE *f = fopen(path, "r");

	if (f == NULL)
		return util_fail(cause, "%s: %s", path, strerror(errno));
	*out = csv_from(f, path);
	(*out)->own = 1;
	return 0;
}

void
csv_limits(struct csv *c, size_t max_field, size_t max_fields)
{
	c->max_field = max_field;
	c->max_fields = max_fields;
}

unsigned long long
csv_line(const struct csv *c)
{
	return c->start;
}

const char *
csv_name(const struct csv *c)
{
	return c->name;
}

void
csv_close(struct csv *c)
{
	if (c == NULL)
		return;
	if (c->own)
		fclose(c->f);
	free(c->name);
	strbuf_release(&c->buf);
	free(c->offs);
	free(c->fields);
	free(c);
}

/* Sets *cause to "NAME:LINE: msg" and returns -1. */
static int
csv_err(const struct csv *c, char **cause, const char *msg)
{
	return util_fail(cause, "%s:%llu: %s", c->name, c->line, msg);
}

/* Starts a new field; -1 with *cause past the field bound. */
static int
csv_field_begin(struct csv *c, char **cause)
{
	if (c->n == c->max_fields)
		return util_fail(cause, "%s:%llu: more than %zu fields in a "
		    "record", c->name, c->line, c->max_fields);
	if (c->n == c->alloc) {
		c->alloc = c->alloc ? c->alloc * 2 : 32;
		c->offs = util_realloc(c->offs, c->alloc * sizeof(*c->offs));
	}
	c->offs[c->n++] = c->buf.len;
	return 0;
}

/* Adds one byte to the current field; -1 with *cause past its bound. */
static int
csv_add(struct csv *c, int ch, char **cause)
{
	if (c->buf.len - c->offs[c->n - 1] >= c->max_field)
		return util_fail(cause, "%s:%llu: a field longer than %zu "
		    "bytes", c->name, c->line, c->max_field);
	if (strbuf_addc(&c->buf, (char)ch) == -1)
		return csv_err(c, cause, "a record too large");
	return 0;
}

/*
 * Reads a line end after its first byte ch ('\r' or '\n'); -1 with
 * *cause for a CR without its LF.
 */
static int
csv_eol(struct csv *c, int ch, char **cause)
{
	if (ch == '\r' && getc(c->f) != '\n')
		return csv_err(c, cause, "a carriage return not followed by "
		    "a line feed");
	c->line++;
	return 0;
}

/*
 * Reads the rest of a quoted field; *after gets the byte after its
 * closing quote. -1 with *cause.
 */
static int
csv_quoted(struct csv *c, int *after, char **cause)
{
	unsigned long long from = c->line;
	int ch;

	for (;;) {
		ch = getc(c->f);
		if (ch == EOF)
			return util_fail(cause, "%s:%llu: the file ends inside "
			    "the quoted field begun on line %llu (cut short?)",
			    c->name, c->line, from);
		if (ch == '\0')
			return csv_err(c, cause, "a NUL byte");
		if (ch == '"') {
			ch = getc(c->f);
			if (ch != '"') {
				*after = ch;
				return 0;
			}
		} else if (ch == '\n')
			c->line++;
		if (csv_add(c, ch, cause) == -1)
			return -1;
	}
}

/*
 * Reads one field whose first byte is ch; *end gets the byte that ended
 * it (',', '\r', '\n' or EOF). -1 with *cause.
 */
static int
csv_field(struct csv *c, int ch, int *end, char **cause)
{
	if (csv_field_begin(c, cause) == -1)
		return -1;
	if (ch == '"') {
		if (csv_quoted(c, &ch, cause) == -1)
			return -1;
		if (ch != ',' && ch != '\r' && ch != '\n' && ch != EOF)
			return csv_err(c, cause, "text after a closing quote");
	} else {
		while (ch != ',' && ch != '\r' && ch != '\n' && ch != EOF) {
			if (ch == '"')
				return csv_err(c, cause, "a quote inside an "
				    "unquoted field");
			if (ch == '\0')
				return csv_err(c, cause, "a NUL byte");
			if (csv_add(c, ch, cause) == -1)
				return -1;
			ch = getc(c->f);
		}
	}
	*end = ch;
	return strbuf_addc(&c->buf, '\0') == -1 ?
	    csv_err(c, cause, "a record too large") : 0;
}

/* Points fields at the record's strings. */
static void
csv_finish(struct csv *c)
{
	size_t i;

	c->fields = util_realloc(c->fields, (c->n + 1) * sizeof(*c->fields));
	for (i = 0; i < c->n; i++)
		c->fields[i] = c->buf.data + c->offs[i];
	c->fields[c->n] = NULL;
}

int
csv_next(struct csv *c, char ***fields, size_t *n, char **cause)
{
	int ch = getc(c->f), end;

	strbuf_reset(&c->buf);
	c->n = 0;
	c->start = c->line;
	if (ch == EOF)
		return ferror(c->f) ? util_fail(cause, "%s: %s", c->name,
		    strerror(errno)) : 0;
	if (ch != '\r' && ch != '\n') {
		for (;;) {
			if (csv_field(c, ch, &end, cause) == -1)
				return -1;
			if (end != ',')
				break;
			ch = getc(c->f);
		}
		if (end == EOF)
			return csv_err(c, cause, ferror(c->f) ? strerror(errno) :
			    "the last line has no line end (cut short?)");
		ch = end;
	}
	if (csv_eol(c, ch, cause) == -1)
		return -1;
	csv_finish(c);
	*fields = c->fields;
	*n = c->n;
	return 1;
}
