/* util.c: memory, string and error helpers. */
#include "util.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Reports out-of-memory and aborts. */
static void
util_oom(size_t size)
{
	fprintf(stderr, "medload: out of memory allocating %zu bytes\n", size);
	abort();
}

void *
util_malloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		util_oom(size);
	return p;
}

void *
util_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL)
		util_oom(n * size);
	return p;
}

void *
util_realloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		util_oom(size);
	return p;
}

char *
util_strdup(const char *s)
{
	return util_strndup(s, strlen(s));
}

char *
util_strndup(const char *s, size_t n)
{
	char *p = util_malloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

int
util_strcmp_null(const char *x, const char *y)
{
	if (x == NULL || y == NULL)
		return (x != NULL) - (y != NULL);
	return strcmp(x, y);
}

void
util_sort(void *base, size_t n, size_t size,
    int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

/* Formats into a new string from a va_list. */
char *
util_vprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	int n;
	char *p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		n = 0;
	p = util_malloc((size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
util_printf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = util_vprintf(fmt, ap);
	va_end(ap);
	return p;
}

int
util_fail(char **cause, const char *fmt, ...)
{
	va_list ap;

	if (cause == NULL)
		return -1;
	free(*cause);
	va_start(ap, fmt);
	*cause = util_vprintf(fmt, ap);
	va_end(ap);
	return -1;
}

/*
 * Decodes one UTF-8 sequence at s (n bytes left). Returns its length and
 * the code point in *cp, or 0 when the bytes are not valid UTF-8.
 */
static size_t
util_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	uint32_t c;
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

int
util_utf8_valid(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, l;
	uint32_t cp;

	while (i < n) {
		l = util_utf8_decode(p + i, n - i, &cp);
		if (l == 0)
			return 0;
		i += l;
	}
	return 1;
}

/* Says whether a code point must not reach a terminal as is. */
static int
util_cp_unsafe(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f) ||
	    (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) ||
	    cp == 0x200e || cp == 0x200f || cp == 0x061c;
}

void
util_safe_append(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, l;
	uint32_t cp;

	while (i < n) {
		l = util_utf8_decode(p + i, n - i, &cp);
		if (l == 0) {
			strbuf_addf(b, "\\x%02x", p[i]);
			i++;
			continue;
		}
		if (util_cp_unsafe(cp)) {
			if (cp < 0x100)
				strbuf_addf(b, "\\x%02x", (unsigned)cp);
			else
				strbuf_addf(b, "\\u{%04x}", (unsigned)cp);
		} else
			strbuf_add(b, p + i, l);
		i += l;
	}
}

void
util_fput_safe(const char *s, FILE *out)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	util_safe_append(&b, s);
	if (b.data != NULL)
		fputs(b.data, out);
	strbuf_release(&b);
}

const char *
util_num(double v, char buf[32])
{
	if (isnan(v) || isinf(v))
		snprintf(buf, 32, "0");
	else if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, 32, "%.0f", v);
	else
		snprintf(buf, 32, "%.9g", v);
	return buf;
}

int
util_parse_double(const char *s, double *out)
{
	char *end;
	double v;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || end == s || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

int
util_parse_uint(const char *s, unsigned long long max,
    unsigned long long *out)
{
	char *end;
	unsigned long long v;

	if (s == NULL || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

uint64_t
util_mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

void
util_hash128(const void *data, size_t len, char out[33])
{
	const unsigned char *p = data;
	uint64_t a = 0x243f6a8885a308d3ULL ^ len, b = 0x13198a2e03707344ULL;
	uint64_t w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		a = util_mix64(a ^ w) + b;
		b = util_mix64(b + w * 0x9e3779b97f4a7c15ULL) ^ a;
	}
	w = 0;
	memcpy(&w, p + i, len - i);
	a = util_mix64(a ^ w ^ 0xa4093822299f31d0ULL);
	b = util_mix64(b ^ w ^ a);
	snprintf(out, 33, "%016llx%016llx", (unsigned long long)a,
	    (unsigned long long)b);
}

int
util_b64_value(unsigned char c, int url_ok, int std_ok)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if ((c == '+' && std_ok) || (c == '-' && url_ok))
		return 62;
	if ((c == '/' && std_ok) || (c == '_' && url_ok))
		return 63;
	return -1;
}
