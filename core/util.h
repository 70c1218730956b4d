/* util.h: small helpers shared by every module (memory, strings, errors). */
#ifndef MEDLOAD_UTIL_H
#define MEDLOAD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#if defined(__GNUC__)
#define UTIL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define UTIL_PRINTF(f, a)
/*
 * A 128-bit digest of data as 32 hex digits in out (not cryptographic:
 * for deterministic document ids).
 */
void util_hash128(const void *data, size_t len, char out[33]);

#endif

/*
 * Allocation wrappers: on out-of-memory they print one line and abort, since
 * no caller can do better. Results are owned by the caller.
 */
void *util_malloc(size_t size);
void *util_calloc(size_t n, size_t size);
void *util_realloc(void *ptr, size_t size);
char *util_strdup(const char *s);
char *util_strndup(const char *s, size_t n);

/* Formats a new string (caller frees). */
char *util_printf(const char *fmt, ...) UTIL_PRINTF(1, 2);

/*
 * Sets *cause to a newly formatted message when cause is not NULL (an old
 * message is freed first). Returns -1 so callers can `return util_fail(...)`.
 */
int util_fail(char **cause, const char *fmt, ...) UTIL_PRINTF(2, 3);

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
int strbuf_addf(struct strbuf *b, const char *fmt, ...) UTIL_PRINTF(2, 3);
/* Appends a signed integer in decimal (no locale, no allocation). */
int strbuf_add_int(struct strbuf *b, int64_t v);
/* Takes the buffer's string (caller frees) and leaves the buffer empty. */
char *strbuf_detach(struct strbuf *b);

/*
 * Writes s to out with every control character (C0, DEL, C1) and Unicode
 * bidirectional override shown as a visible escape (\xNN or \u{NNNN}),
 * so untrusted text cannot move the cursor or reorder a terminal line.
 */
void util_fput_safe(const char *s, FILE *out);

/* Same as util_fput_safe into a strbuf. */
void util_safe_append(struct strbuf *b, const char *s);

/* Returns 1 when s is valid UTF-8 of length n, else 0. */
int util_utf8_valid(const char *s, size_t n);

/*
 * Formats a double the way medload writes numbers: integral values with no
 * fraction, others with up to 9 significant digits. buf must hold 32 bytes.
 */
const char *util_num(double v, char buf[32]);

/* Parses a whole string as a finite double; returns 0 or -1. */
int util_parse_double(const char *s, double *out);

/* Parses a whole string as a non-negative integer <= max; 0 or -1. */
int util_parse_uint(const char *s, unsigned long long max,
    unsigned long long *out);

/*
 * A 128-bit digest of data as 32 hex digits in out (not cryptographic:
 * for deterministic document ids).
 */
void util_hash128(const void *data, size_t len, char out[33]);

#endif
