/* source_chunk.c: an input cut into chunks of whole lines. */
#include "source_chunk.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "interrupt.h"
#include "source_file.h"
#include "util.h"

enum { SOURCE_CHUNK_READING, SOURCE_CHUNK_FAILED, SOURCE_CHUNK_ENDED };

struct source_chunk_reader {
	gzFile gz;
	size_t bytes;
	char *carry;		/* a line's start, cut by a chunk's end */
	size_t carry_len, carry_cap;
	int state;
	const char *what;	/* SOURCE_CHUNK_FAILED: the error */
	char *detail;
};

/* Hands one line to fn unless blank; fn's answer, or 0. */
static int
source_chunk_one(const char *s, size_t n, unsigned long long lineno,
    source_line_fn fn, void *arg)
{
	size_t i;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return fn(s, n, lineno, 0, arg);
	return 0;
}

unsigned long long
source_chunk_lines(const char *data, size_t len, source_line_fn fn,
    void *arg)
{
	const char *s = data, *end = data + len, *nl;
	unsigned long long lineno = 0;
	size_t n;

	while (s < end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		n = nl == NULL ? (size_t)(end - s) : (size_t)(nl - s);
		if (source_chunk_one(s, n, ++lineno, fn, arg) != 0 ||
		    nl == NULL)
			break;
		s = nl + 1;
	}
	return lineno;
}

void
source_chunk_release(struct source_chunk *c)
{
	free(c->data);
	memset(c, 0, sizeof(*c));
}

int
source_chunk_open(const char *path, size_t bytes,
    struct source_chunk_reader **out, char **cause)
{
	struct source_chunk_reader *r;
	gzFile gz;

	if (source_file_gzopen(path, &gz, cause) == -1)
		return -1;
	r = util_calloc(1, sizeof(*r));
	r->gz = gz;
	r->bytes = bytes ? bytes : 1;
	*out = r;
	return 0;
}

void
source_chunk_close(struct source_chunk_reader *r)
{
	if (r == NULL)
		return;
	gzclose(r->gz);
	free(r->carry);
	free(r->detail);
	free(r);
}

/* Gives c at least cap bytes (and no more than needed when it grew). */
static void
source_chunk_reserve(struct source_chunk *c, size_t cap)
{
	if (c->cap == cap)
		return;
	c->data = util_realloc(c->data, cap);
	c->cap = cap;
}

/* Keeps data[0..n) as the start of the next chunk. */
static void
source_chunk_keep(struct source_chunk_reader *r, const char *data, size_t n)
{
	r->carry_len = n;
	if (n == 0)
		return;
	if (n > r->carry_cap) {
		r->carry = util_realloc(r->carry, n);
		r->carry_cap = n;
	}
	memcpy(r->carry, data, n);
}

/*
 * Notes the input's end after a read returned n: an error when zlib
 * reports one (a truncated gzip stream ends with Z_BUF_ERROR, not at
 * EOF). Returns 1 on an error.
 */
static int
source_chunk_failed(struct source_chunk_reader *r, int n)
{
	int errnum;
	const char *msg = gzerror(r->gz, &errnum);

	r->state = SOURCE_CHUNK_ENDED;
	if (n >= 0 && errnum == Z_OK)
		return 0;
	r->state = SOURCE_CHUNK_FAILED;
	r->what = errnum == Z_ERRNO ? "read error" : "corrupt compressed data";
	r->detail = util_strdup(errnum == Z_ERRNO ? strerror(errno) : msg);
	return 1;
}

/* Hands the pending error over; the reader has ended. */
static int
source_chunk_error(struct source_chunk_reader *r, const char **what,
    char **detail)
{
	*what = r->what;
	*detail = r->detail;
	r->detail = NULL;
	r->state = SOURCE_CHUNK_ENDED;
	return -1;
}

/*
 * The line at c's start is longer than SOURCE_LINE_MAX: reads on to its
 * newline, dropping it, and makes c a SOURCE_CHUNK_LONG chunk.
 */
static int
source_chunk_skip(struct source_chunk_reader *r, struct source_chunk *c,
    const char **what, char **detail)
{
	const char *nl;
	int n;

	for (;;) {
		if (interrupt_pending()) {
			c->len = 0;	/* nothing of the long line kept */
			return 2;
		}
		n = gzread(r->gz, c->data, (unsigned)c->cap);
		if (n <= 0) {
			if (source_chunk_failed(r, n))
				return source_chunk_error(r, what, detail);
			break;
		}
		nl = memchr(c->data, '\n', (size_t)n);
		if (nl != NULL) {
			nl++;
			source_chunk_keep(r, nl, (size_t)(c->data + n - nl));
			break;
		}
	}
	c->kind = SOURCE_CHUNK_LONG;
	c->len = 0;
	return 1;
}

/* The input ended after c's bytes (n from the last read). */
static int
source_chunk_end(struct source_chunk_reader *r, struct source_chunk *c,
    int n, const char **what, char **detail)
{
	const char *nl;

	if (!source_chunk_failed(r, n))
		return c->len > 0 ? 1 : 0;
	/* The lines before the error count; the cut one is dropped. */
	nl = c->len ? memrchr(c->data, '\n', c->len) : NULL;
	c->len = nl ? (size_t)(nl - c->data) + 1 : 0;
	if (c->len > 0)
		return 1;
	return source_chunk_error(r, what, detail);
}

/* c is full: cuts it after its last newline, or grows it. 1 when cut. */
static int
source_chunk_cut(struct source_chunk_reader *r, struct source_chunk *c)
{
	const char *nl = memrchr(c->data, '\n', c->len);
	size_t cap;

	if (nl != NULL) {
		nl++;
		source_chunk_keep(r, nl, (size_t)(c->data + c->len - nl));
		c->len = (size_t)(nl - c->data);
		return 1;
	}
	cap = c->cap * 2 < SOURCE_LINE_MAX + 1 ? c->cap * 2 :
	    SOURCE_LINE_MAX + 1;
	source_chunk_reserve(c, cap);
	return 0;
}

int
source_chunk_next(struct source_chunk_reader *r, struct source_chunk *c,
    const char **what, char **detail)
{
	int n;

	if (r->state == SOURCE_CHUNK_FAILED)
		return source_chunk_error(r, what, detail);
	if (r->state == SOURCE_CHUNK_ENDED)
		return 0;
	c->kind = SOURCE_CHUNK_LINES;
	/* A chunk grown for a long line shrinks back. */
	if (r->carry_len < r->bytes)
		source_chunk_reserve(c, r->bytes);
	else
		source_chunk_reserve(c, r->carry_len + r->bytes <
		    SOURCE_LINE_MAX + 1 ? r->carry_len + r->bytes :
		    SOURCE_LINE_MAX + 1);
	if (r->carry_len > 0)
		memcpy(c->data, r->carry, r->carry_len);
	c->len = r->carry_len;
	r->carry_len = 0;
	for (;;) {
		if (c->len == c->cap) {
			if (source_chunk_cut(r, c))
				return 1;
			if (c->len > SOURCE_LINE_MAX)
				return source_chunk_skip(r, c, what, detail);
		}
		if (interrupt_pending())
			return 2;
		n = gzread(r->gz, c->data + c->len,
		    (unsigned)(c->cap - c->len));
		if (n <= 0)
			return source_chunk_end(r, c, n, what, detail);
		c->len += (size_t)n;
	}
}
