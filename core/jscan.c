/* jscan.c: strict JSON validation and member spans in one pass. */
#include "jscan.h"

#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "util.h"

#define JSCAN_DEPTH JSCAN_MAX_DEPTH

struct jscan {
	const char *s;
	size_t len;
	size_t i;
	const char *err;
	int depth;
};

/* Skips JSON whitespace. */
static void
jscan_ws(struct jscan *j)
{
	while (j->i < j->len) {
		char c = j->s[j->i];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		j->i++;
	}
}

/* Fails with a reason. */
static int
jscan_fail(struct jscan *j, const char *why)
{
	if (j->err == NULL)
		j->err = why;
	return -1;
}

/* Value of a hex digit, or -1. */
static int
jscan_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Length of a valid UTF-8 sequence at p (n bytes left), or 0. */
static size_t
jscan_utf8(const unsigned char *p, size_t n)
{
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (p[0] >= 0xe0 && p[0] <= 0xef) {
		if (n < 3 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xe0 && p[1] < 0xa0) ||
		    (p[0] == 0xed && p[1] > 0x9f))
			return 0;
		return 3;
	}
	if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		if (n < 4 || (p[1] & 0xc0) != 0x80 || (p[2] & 0xc0) != 0x80 ||
		    (p[3] & 0xc0) != 0x80)
			return 0;
		if ((p[0] == 0xf0 && p[1] < 0x90) ||
		    (p[0] == 0xf4 && p[1] > 0x8f))
			return 0;
		return 4;
	}
	return 0;
}

/* Says whether any byte of w is < 0x20, '"', '\\' or >= 0x80 (SWAR). */
static inline int
jscan_special8(unsigned long long w)
{
	const unsigned long long ones = 0x0101010101010101ULL;
	const unsigned long long high = 0x8080808080808080ULL;
	unsigned long long q = w ^ (ones * '"'), b = w ^ (ones * '\\');

	return (((w - ones * 0x20) | ((q - ones) & ~q) | ((b - ones) & ~b) |
	    w) & high) != 0;
}

#if defined(__SSE2__)
/*
 * Skips plain ASCII from i, 16 bytes at a time (SSE2): stops at the
 * first block holding a byte < 0x20, '"', '\\' or >= 0x80, on the byte.
 */
static size_t
jscan_plain(const unsigned char *s, size_t i, size_t len)
{
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i bslash = _mm_set1_epi8('\\');
	const __m128i space = _mm_set1_epi8(0x20);
	__m128i v, m;
	int bits;

	while (i + 16 <= len) {
		v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		/* signed: bytes >= 0x80 are negative, so below 0x20 too */
		m = _mm_or_si128(_mm_cmplt_epi8(v, space), _mm_or_si128(
		    _mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)));
		bits = _mm_movemask_epi8(m);
		if (bits != 0)
			return i + (size_t)__builtin_ctz((unsigned)bits);
		i += 16;
	}
	return i;
}
#else
/* Skips nothing: the portable loops of jscan_string do the work. */
static size_t
jscan_plain(const unsigned char *s, size_t i, size_t len)
{
	(void)s;
	(void)len;
	return i;
}
#endif

/* Scans a string (at the opening quote); sets its body span. */
static int
jscan_string(struct jscan *j, const char **body, size_t *blen, int *escaped)
{
	const unsigned char *s = (const unsigned char *)j->s;
	size_t i = j->i + 1, l;
	int k;

	*escaped = 0;
	*body = j->s + i;
	for (;;) {
		/* The common case: plain ASCII, many bytes at a time. */
		i = jscan_plain(s, i, j->len);
		while (i + 8 <= j->len) {
			unsigned long long w;

			memcpy(&w, s + i, 8);
			if (jscan_special8(w))
				break;
			i += 8;
		}
		while (i < j->len && s[i] >= 0x20 && s[i] < 0x80 &&
		    s[i] != '"' && s[i] != '\\')
			i++;
		if (i >= j->len)
			return jscan_fail(j, "unterminated string");
		if (s[i] == '"')
			break;
		if (s[i] < 0x20)
			return jscan_fail(j, "control character in a string");
		if (s[i] == '\\') {
			*escaped = 1;
			if (i + 1 >= j->len)
				return jscan_fail(j, "unterminated string");
			switch (s[i + 1]) {
			case '"': case '\\': case '/': case 'b': case 'f':
			case 'n': case 'r': case 't':
				i += 2;
				break;
			case 'u':
				if (i + 5 >= j->len)
					return jscan_fail(j, "bad \\u escape");
				for (k = 2; k < 6; k++)
					if (jscan_hex((char)s[i + k]) < 0)
						return jscan_fail(j,
						    "bad \\u escape");
				i += 6;
				break;
			default:
				return jscan_fail(j, "bad escape in a string");
			}
			continue;
		}
		l = jscan_utf8(s + i, j->len - i);
		if (l == 0)
			return jscan_fail(j, "invalid UTF-8 in a string");
		i += l;
	}
	*blen = (size_t)(j->s + i - *body);
	j->i = i + 1;
	return 0;
}

/* Scans a number per RFC 8259's grammar. */
static int
jscan_number(struct jscan *j)
{
	const char *s = j->s;
	size_t i = j->i;

	if (i < j->len && s[i] == '-')
		i++;
	if (i >= j->len)
		return jscan_fail(j, "bad number");
	if (s[i] == '0')
		i++;
	else if (s[i] >= '1' && s[i] <= '9')
		while (i < j->len && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return jscan_fail(j, "bad number");
	if (i < j->len && s[i] == '.') {
		i++;
		if (i >= j->len || s[i] < '0' || s[i] > '9')
			return jscan_fail(j, "bad number");
		while (i < j->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	if (i < j->len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < j->len && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= j->len || s[i] < '0' || s[i] > '9')
			return jscan_fail(j, "bad number");
		while (i < j->len && s[i] >= '0' && s[i] <= '9')
			i++;
	}
	j->i = i;
	return 0;
}

/* Scans a literal word. */
static int
jscan_word(struct jscan *j, const char *w)
{
	size_t n = strlen(w);

	if (j->len - j->i < n || memcmp(j->s + j->i, w, n) != 0)
		return jscan_fail(j, "unexpected character");
	j->i += n;
	return 0;
}

static int jscan_any(struct jscan *j, enum jscan_type *type,
    struct jscan_member *members, size_t max, size_t *n);

/* Scans an object (at '{'), recording members when asked. */
static int
jscan_object(struct jscan *j, struct jscan_member *members, size_t max,
    size_t *n)
{
	struct jscan_member scratch, *m;
	enum jscan_type t;
	size_t start;

	if (++j->depth > JSCAN_DEPTH)
		return jscan_fail(j, "nested too deep");
	j->i++;
	jscan_ws(j);
	if (j->i < j->len && j->s[j->i] == '}') {
		j->i++;
		j->depth--;
		return 0;
	}
	for (;;) {
		/* Written in place: a copy of a fresh struct stalls stores. */
		m = members != NULL && *n < max ? &members[*n] : &scratch;
		jscan_ws(j);
		if (j->i >= j->len || j->s[j->i] != '"')
			return jscan_fail(j, j->i >= j->len ?
			    "the JSON ends before the line does" :
			    "expected a quoted member name");
		if (jscan_string(j, &m->key, &m->klen, &m->kescaped) == -1)
			return -1;
		jscan_ws(j);
		if (j->i >= j->len || j->s[j->i] != ':')
			return jscan_fail(j, "expected ':'");
		j->i++;
		jscan_ws(j);
		start = j->i;
		m->escaped = 0;
		if (j->i < j->len && j->s[j->i] == '"') {
			/* A string: its scan says whether it holds escapes. */
			t = JSCAN_STRING;
			if (jscan_string(j, &m->val, &m->vlen, &m->escaped) ==
			    -1)
				return -1;
		} else if (jscan_any(j, &t, NULL, 0, NULL) == -1)
			return -1;
		m->type = t;
		if (t != JSCAN_STRING) {
			m->val = j->s + start;
			m->vlen = j->i - start;
		}
		if (members != NULL && *n <= max)
			(*n)++;
		jscan_ws(j);
		if (j->i >= j->len)
			return jscan_fail(j, "the JSON ends before the line does");
		if (j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->s[j->i] == '}') {
			j->i++;
			j->depth--;
			return 0;
		}
		return jscan_fail(j, "expected ',' or '}'");
	}
}

/*
 * Scans an array (at '['), calling fn (when not NULL) with each element's
 * text. Returns 0 at the end, 1 when fn asked to stop, -1 on an error.
 */
static int
jscan_array(struct jscan *j, int (*fn)(const char *, size_t, void *),
    void *arg)
{
	enum jscan_type t;
	size_t start;

	if (++j->depth > JSCAN_DEPTH)
		return jscan_fail(j, "nested too deep");
	j->i++;
	jscan_ws(j);
	if (j->i < j->len && j->s[j->i] == ']') {
		j->i++;
		j->depth--;
		return 0;
	}
	for (;;) {
		jscan_ws(j);
		start = j->i;
		if (jscan_any(j, &t, NULL, 0, NULL) == -1)
			return -1;
		if (fn != NULL && fn(j->s + start, j->i - start, arg) != 0)
			return 1;
		jscan_ws(j);
		if (j->i >= j->len)
			return jscan_fail(j, "the JSON ends before the line does");
		if (j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->s[j->i] == ']') {
			j->i++;
			j->depth--;
			return 0;
		}
		return jscan_fail(j, "expected ',' or ']'");
	}
}

/* Scans any value at the current position. */
static int
jscan_any(struct jscan *j, enum jscan_type *type,
    struct jscan_member *members, size_t max, size_t *n)
{
	const char *b;
	size_t bl;
	int esc;

	if (j->i >= j->len)
		return jscan_fail(j, "the JSON ends before the line does");
	switch (j->s[j->i]) {
	case '{':
		*type = JSCAN_OBJECT;
		return jscan_object(j, members, max, n);
	case '[':
		*type = JSCAN_ARRAY;
		return jscan_array(j, NULL, NULL);
	case '"':
		*type = JSCAN_STRING;
		return jscan_string(j, &b, &bl, &esc);
	case 't':
		*type = JSCAN_TRUE;
		return jscan_word(j, "true");
	case 'f':
		*type = JSCAN_FALSE;
		return jscan_word(j, "false");
	case 'n':
		*type = JSCAN_NULL;
		return jscan_word(j, "null");
	default:
		*type = JSCAN_NUMBER;
		return jscan_number(j);
	}
}

int
jscan_value(const char *s, size_t len, enum jscan_type *type, size_t *end,
    struct jscan_member *members, size_t max, size_t *n, const char **err)
{
	struct jscan j;

	j.s = s;
	j.len = len;
	j.i = 0;
	j.err = NULL;
	j.depth = 0;
	if (n != NULL)
		*n = 0;
	jscan_ws(&j);
	if (jscan_any(&j, type, members, max, n) == -1) {
		*err = j.err;
		return -1;
	}
	*end = j.i;
	return 0;
}

/*
 * Walks the members of the object at j's position; for each, *key and
 * *klen are set and visit(j, key, klen, arg) decides: 1 = it consumed the
 * value and the walk stops, 0 = skip the value, -1 = error.
 */
static int
jscan_walk(struct jscan *j, int (*visit)(struct jscan *j, const char *key,
    size_t klen, int kesc, void *arg), void *arg)
{
	const char *key;
	size_t klen;
	int kesc, rc;
	enum jscan_type t;

	jscan_ws(j);
	if (j->i >= j->len || j->s[j->i] != '{')
		return jscan_fail(j, "not an object");
	j->i++;
	jscan_ws(j);
	if (j->i < j->len && j->s[j->i] == '}')
		return 0;
	for (;;) {
		jscan_ws(j);
		if (j->i >= j->len || j->s[j->i] != '"')
			return jscan_fail(j, "expected a quoted member name");
		if (jscan_string(j, &key, &klen, &kesc) == -1)
			return -1;
		jscan_ws(j);
		if (j->i >= j->len || j->s[j->i] != ':')
			return jscan_fail(j, "expected ':'");
		j->i++;
		jscan_ws(j);
		rc = visit(j, key, klen, kesc, arg);
		if (rc != 0)
			return rc;
		if (jscan_any(j, &t, NULL, 0, NULL) == -1)
			return -1;
		jscan_ws(j);
		if (j->i < j->len && j->s[j->i] == ',') {
			j->i++;
			continue;
		}
		if (j->i < j->len && j->s[j->i] == '}')
			return 0;
		return jscan_fail(j, "expected ',' or '}'");
	}
}

/* State of jscan_path_each. */
struct jscan_path {
	const char *const *path;
	size_t n;
	size_t depth;
	int (*fn)(const char *, size_t, void *);
	void *arg;
	int done;
};

/* Visits one member on the path. */
static int
jscan_path_visit(struct jscan *j, const char *key, size_t klen, int kesc,
    void *arg)
{
	struct jscan_path *p = arg;
	const char *want = p->path[p->depth];

	if (kesc || klen != strlen(want) || memcmp(key, want, klen) != 0)
		return 0;
	if (p->depth + 1 < p->n) {
		p->depth++;
		return jscan_walk(j, jscan_path_visit, p) == -1 ? -1 : 1;
	}
	if (j->i >= j->len || j->s[j->i] != '[')
		return jscan_fail(j, "not an array");
	p->done = 1;
	return jscan_array(j, p->fn, p->arg) == -1 ? -1 : 1;
}

int
jscan_path_each(const char *s, size_t len, const char *const *path,
    size_t n, int (*fn)(const char *item, size_t len, void *arg), void *arg,
    const char **err)
{
	struct jscan j = { s, len, 0, NULL, 1 };
	struct jscan_path p = { path, n, 0, fn, arg, 0 };

	if (n == 0 || jscan_walk(&j, jscan_path_visit, &p) == -1) {
		*err = j.err ? j.err : "no path";
		return -1;
	}
	if (!p.done) {
		*err = "the path is not in the document";
		return -1;
	}
	return 0;
}

/* State of jscan_member. */
struct jscan_find {
	const char *key;
	struct jscan_member *m;
	int found;
};

/* Visits one member looking for a key. */
static int
jscan_find_visit(struct jscan *j, const char *key, size_t klen, int kesc,
    void *arg)
{
	struct jscan_find *f = arg;
	enum jscan_type t;
	size_t start = j->i;

	if (kesc || klen != strlen(f->key) || memcmp(key, f->key, klen) != 0)
		return 0;
	if (jscan_any(j, &t, NULL, 0, NULL) == -1)
		return -1;
	f->m->key = key;
	f->m->klen = klen;
	f->m->kescaped = 0;
	f->m->type = t;
	if (t == JSCAN_STRING) {
		f->m->val = j->s + start + 1;
		f->m->vlen = j->i - start - 2;
		f->m->escaped = memchr(f->m->val, '\\', f->m->vlen) != NULL;
	} else {
		f->m->val = j->s + start;
		f->m->vlen = j->i - start;
		f->m->escaped = 0;
	}
	f->found = 1;
	return 1;
}

int
jscan_member(const char *s, size_t len, const char *key,
    struct jscan_member *m)
{
	struct jscan j = { s, len, 0, NULL, 1 };
	struct jscan_find f = { key, m, 0 };

	if (jscan_walk(&j, jscan_find_visit, &f) == -1)
		return -1;
	return f.found;
}

int
jscan_array_each(const char *s, size_t len,
    int (*fn)(const char *item, size_t n, void *arg), void *arg,
    const char **err)
{
	struct jscan j = { s, len, 0, NULL, 0 };

	jscan_ws(&j);
	if (j.i >= len || s[j.i] != '[') {
		*err = "not an array";
		return -1;
	}
	if (jscan_array(&j, fn, arg) == -1) {
		*err = j.err;
		return -1;
	}
	return 0;
}

/* Appends a code point as UTF-8. */
static void
jscan_put_cp(struct strbuf *out, unsigned cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		strbuf_add(out, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(out, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(out, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		strbuf_add(out, b, 4);
	}
}

/* Reads four hex digits (already validated). */
static unsigned
jscan_u4(const char *p)
{
	return (unsigned)(jscan_hex(p[0]) << 12 | jscan_hex(p[1]) << 8 |
	    jscan_hex(p[2]) << 4 | jscan_hex(p[3]));
}

void
jscan_unescape(const char *raw, size_t len, struct strbuf *out)
{
	size_t i = 0, start;
	unsigned cp, lo;

	while (i < len) {
		start = i;
		while (i < len && raw[i] != '\\')
			i++;
		strbuf_add(out, raw + start, i - start);
		if (i + 1 >= len)
			break;
		switch (raw[i + 1]) {
		case 'b': strbuf_addc(out, '\b'); break;
		case 'f': strbuf_addc(out, '\f'); break;
		case 'n': strbuf_addc(out, '\n'); break;
		case 'r': strbuf_addc(out, '\r'); break;
		case 't': strbuf_addc(out, '\t'); break;
		case 'u':
			cp = jscan_u4(raw + i + 2);
			i += 6;
			if (cp >= 0xd800 && cp <= 0xdbff && i + 5 < len &&
			    raw[i] == '\\' && raw[i + 1] == 'u' &&
			    (lo = jscan_u4(raw + i + 2)) >= 0xdc00 &&
			    lo <= 0xdfff) {
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
				i += 6;
			} else if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			jscan_put_cp(out, cp);
			continue;
		default:
			strbuf_addc(out, raw[i + 1]);
			break;
		}
		i += 2;
	}
}

int
jscan_key_is(const struct jscan_member *m, const char *name)
{
	struct strbuf b;
	int eq;

	if (!m->kescaped)
		return m->klen == strlen(name) &&
		    memcmp(m->key, name, m->klen) == 0;
	strbuf_init(&b, 0);
	jscan_unescape(m->key, m->klen, &b);
	eq = b.data != NULL && strcmp(b.data, name) == 0 &&
	    b.len == strlen(name);
	strbuf_release(&b);
	return eq;
}
