/* strbuf.h: a growable byte buffer with a hard cap (after curl's dynbuf). */
#ifndef MEDLOAD_STRBUF_H
#define MEDLOAD_STRBUF_H

#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__)
#define STRBUF_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define STRBUF_PRINTF(f, a)
#endif

/*
 * A growable byte buffer with a hard cap. data is always NUL-terminated.
 * Appending past cap fails with -1 and sets toobig.
 */
struct strbuf {
	char *data;
	size_t len;
	size_t alloc;
	size_t cap;
	int toobig;
};

/* Initialises an empty buffer that may grow to cap bytes (0 = 1 GiB). */
void strbuf_init(struct strbuf *b, size_t cap);
/* Frees the buffer's memory; the struct may be reused after strbuf_init. */
void strbuf_release(struct strbuf *b);
/* Empties the buffer, keeping its memory. */
void strbuf_reset(struct strbuf *b);
/* Appends n bytes. Returns 0, or -1 when the cap would be exceeded. */
int strbuf_add(struct strbuf *b, const void *p, size_t n);
/* Appends a NUL-terminated string. */
int strbuf_adds(struct strbuf *b, const char *s);
/* Appends one byte. */
int strbuf_addc(struct strbuf *b, char c);
/* Appends formatted text. */
int strbuf_addf(struct strbuf *b, const char *fmt, ...) STRBUF_PRINTF(2, 3);
/* Appends a signed integer in decimal (no locale, no allocation). */
int strbuf_add_int(struct strbuf *b, int64_t v);
/* Takes the buffer's string (caller frees) and leaves the buffer empty. */
char *strbuf_detach(struct strbuf *b);

#endif
