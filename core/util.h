/* util.h: small helpers shared by every module (memory, strings, errors). */
#ifndef MEDLOAD_UTIL_H
#define MEDLOAD_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "strbuf.h"

#if defined(__GNUC__)
#define UTIL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define UTIL_PRINTF(f, a)
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

/*
 * Orders strings as strcmp does, an absent (NULL) one first: how groups,
 * series and outcomes are sorted, whatever their source.
 */
int util_strcmp_null(const char *x, const char *y);

/*
 * qsort that accepts an empty array whose pointer is NULL (qsort's is
 * declared never NULL, and an empty table's array is often not allocated).
 */
void util_sort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *));

/* Formats a new string (caller frees). */
char *util_printf(const char *fmt, ...) UTIL_PRINTF(1, 2);

/* The same from a va_list (caller frees). */
char *util_vprintf(const char *fmt, va_list ap) UTIL_PRINTF(1, 0);

/*
 * Sets *cause to a newly formatted message when cause is not NULL (an old
 * message is freed first). Returns -1 so callers can `return util_fail(...)`.
 */
int util_fail(char **cause, const char *fmt, ...) UTIL_PRINTF(2, 3);

/*
 * Writes s to out with every control character (C0, DEL, C1) and Unicode
 * bidirectional override shown as a visible escape (\xNN or \u{NNNN}),
 * so untrusted text cannot move the cursor or reorder a terminal line.
 */
void util_fput_safe(const char *s, FILE *out);

/* Same as util_fput_safe into a strbuf. */
void util_safe_append(struct strbuf *b, const char *s);

/*
 * The value of base64 character c, or -1: url_ok admits the URL-safe
 * alphabet's "-_", std_ok the standard one's "+/".
 */
int util_b64_value(unsigned char c, int url_ok, int std_ok);

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

/* SplitMix64's finaliser: mixes the 64 bits of x (for hashing). */
uint64_t util_mix64(uint64_t x);

/*
 * A 128-bit digest of data as 32 hex digits in out (not cryptographic:
 * for deterministic document ids).
 */
void util_hash128(const void *data, size_t len, char out[33]);

#endif
