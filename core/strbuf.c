/* strbuf.c: a growable byte buffer with a hard cap. */
#include "strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void
strbuf_init(struct strbuf *b, size_t cap)
{
	b->data = NULL;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : (size_t)1 << 30;
	b->toobig = 0;
}

void
strbuf_release(struct strbuf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->alloc = 0;
	b->toobig = 0;
}

void
strbuf_reset(struct strbuf *b)
{
	b->len = 0;
	b->toobig = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* Makes room for n more bytes plus the terminator. */
static int
strbuf_grow(struct strbuf *b, size_t n)
{
	size_t need, na;

	if (n > b->cap || b->len > b->cap - n) {
		b->toobig = 1;
		return -1;
	}
	need = b->len + n + 1;
	if (need <= b->alloc)
		return 0;
	na = b->alloc ? b->alloc : 256;
	while (na < need)
		na *= 2;
	b->data = util_realloc(b->data, na);
	b->alloc = na;
	return 0;
}

int
strbuf_add(struct strbuf *b, const void *p, size_t n)
{
	if (strbuf_grow(b, n) == -1)
		return -1;
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int
strbuf_adds(struct strbuf *b, const char *s)
{
	return strbuf_add(b, s, strlen(s));
}

int
strbuf_addc(struct strbuf *b, char c)
{
	return strbuf_add(b, &c, 1);
}

int
strbuf_addf(struct strbuf *b, const char *fmt, ...)
{
	size_t room = b->alloc > b->len ? b->alloc - b->len : 0;
	va_list ap;
	int n;

	/* format into the spare room; only text that does not fit formats
	 * twice */
	va_start(ap, fmt);
	n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= room || b->len + (size_t)n > b->cap) {
		/* undo a partial write; strbuf_grow enforces the cap */
		if (b->data != NULL)
			b->data[b->len] = '\0';
		if (strbuf_grow(b, (size_t)n) == -1)
			return -1;
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
	return 0;
}

int
strbuf_add_int(struct strbuf *b, int64_t v)
{
	char tmp[24];
	size_t i = sizeof(tmp);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		tmp[--i] = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		tmp[--i] = '-';
	return strbuf_add(b, tmp + i, sizeof(tmp) - i);
}

char *
strbuf_detach(struct strbuf *b)
{
	char *p = b->data;

	if (p == NULL)
		p = util_strdup("");
	b->data = NULL;
	b->len = b->alloc = 0;
	return p;
}
