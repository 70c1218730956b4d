/*
 * fuzz_jscan.c: the allocation-free JSON scanner (core/jscan.c) that
 * reads trace events, search answers and collector bodies: a value with
 * its members, an array's elements, the ("hits", "hits") path of a search
 * answer, one member, and the unescaping of every string member. Oracles:
 * what the scanner reports lies within the text, a valid value's members
 * are themselves valid values of the type reported, and the unescaped
 * text of a valid string is valid UTF-8.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include "jscan.h"
#include "strbuf.h"

#define FUZZ_JSCAN_MAX 8

/* Whether s[0..n) is well-formed UTF-8 (no surrogates, shortest form). */
static int
fuzz_jscan_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0, k, need;
	unsigned cp, min;

	while (i < n) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			need = 1, cp = s[i] & 0x1f, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			need = 2, cp = s[i] & 0x0f, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			need = 3, cp = s[i] & 0x07, min = 0x10000;
		else
			return 0;
		for (k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += need + 1;
	}
	return 1;
}

/* Checks one member the scanner stored. */
static void
fuzz_jscan_member(const char *s, size_t len, const struct jscan_member *m)
{
	enum jscan_type t;
	size_t end, n;
	const char *err;
	struct strbuf b;

	if (m->key < s || m->key + m->klen > s + len || m->val < s ||
	    m->val + m->vlen > s + len)
		fuzzlib_fail("a member outside the text", NULL);
	(void)jscan_key_is(m, "hits");
	if (m->type != JSCAN_STRING) {
		if (jscan_value(m->val, m->vlen, &t, &end, NULL, 0, &n,
		    &err) == -1 || t != m->type || end != m->vlen)
			fuzzlib_fail("a member's value does not scan again",
			    NULL);
		return;
	}
	strbuf_init(&b, 0);
	jscan_unescape(m->val, m->vlen, &b);
	if (!fuzz_jscan_utf8((const unsigned char *)(b.data ? b.data : ""),
	    b.len))
		fuzzlib_fail("an unescaped string is not UTF-8", NULL);
	strbuf_release(&b);
}

/* Counts array elements; checks that each lies within the text. */
static int
fuzz_jscan_item(const char *item, size_t n, void *arg)
{
	const char *const *bounds = arg;

	if (item < bounds[0] || item + n > bounds[1])
		fuzzlib_fail("an element outside the text", NULL);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const path[] = { "hits", "hits" };
	struct jscan_member m[FUZZ_JSCAN_MAX], one;
	enum jscan_type t;
	size_t end, n = 0, i;
	const char *err, *bounds[2];
	char *s = malloc(size ? size : 1);

	/* Exactly size bytes, no NUL after them: a read past is caught. */
	memcpy(s, data, size);
	bounds[0] = s;
	bounds[1] = s + size;
	if (jscan_value(s, size, &t, &end, m, FUZZ_JSCAN_MAX, &n, &err) == 0) {
		if (end > size || n > FUZZ_JSCAN_MAX + 1)
			fuzzlib_fail("a value past its end", NULL);
		for (i = 0; t == JSCAN_OBJECT && i < n && i < FUZZ_JSCAN_MAX;
		    i++)
			fuzz_jscan_member(s, size, &m[i]);
	} else if (err == NULL)
		fuzzlib_fail("an error without a reason", NULL);
	(void)jscan_array_each(s, size, fuzz_jscan_item, bounds, &err);
	(void)jscan_path_each(s, size, path, 2, fuzz_jscan_item, bounds,
	    &err);
	if (jscan_member(s, size, "_scroll_id", &one) == 1)
		fuzz_jscan_member(s, size, &one);
	free(s);
	return 0;
}
