/*
 * jscan.h: a strict, allocation-free JSON (RFC 8259) validator that also
 * reports the members of an object, for reading millions of trace events
 * a second without building a document tree.
 */
#ifndef MEDLOAD_JSCAN_H
#define MEDLOAD_JSCAN_H

#include <stddef.h>

struct strbuf;

/*
 * The deepest nesting of arrays and objects accepted. Code that parses
 * again with json-c what jscan accepted gives json-c this depth too (its
 * default is 32), so both accept the same documents.
 */
#define JSCAN_MAX_DEPTH 64

enum jscan_type {
	JSCAN_STRING = 1,
	JSCAN_NUMBER,
	JSCAN_TRUE,
	JSCAN_FALSE,
	JSCAN_NULL,
	JSCAN_OBJECT,
	JSCAN_ARRAY
};

/*
 * One member of an object. key/val point into the scanned text (borrowed):
 * for strings, the bytes between the quotes, still escaped when escaped is
 * set; for other values, the value's whole text.
 */
struct jscan_member {
	const char *key;
	size_t klen;
	int kescaped;
	enum jscan_type type;
	const char *val;
	size_t vlen;
	int escaped;
};

/*
 * Validates one JSON value at s (len bytes, leading whitespace allowed).
 * On success returns 0, sets *type and *end (offset just past the value).
 * When the value is an object and members is not NULL, its members are
 * stored in members[0..*n) (at most max; more are validated but not
 * stored, and *n is set to max + 1 to say so). On error returns -1 and sets
 * *err to a static phrase.
 */
int jscan_value(const char *s, size_t len, enum jscan_type *type,
    size_t *end, struct jscan_member *members, size_t max, size_t *n,
    const char **err);

/*
 * Calls fn for each element of the JSON array at s (len bytes), with the
 * element's text. Stops early when fn returns non-zero. Returns 0, or -1
 * with *err when s is not a valid array.
 */
int jscan_array_each(const char *s, size_t len,
    int (*fn)(const char *item, size_t n, void *arg), void *arg,
    const char **err);

/*
 * Descends from the object at s through members named path[0..n-1]
 * (objects all but the last, which must be an array) and calls fn for each
 * element of that array, scanning nothing else twice: for search answers
 * ("hits", "hits"). Members before the path are skipped (validated);
 * members after it are not read. Returns 0, or -1 with *err.
 */
int jscan_path_each(const char *s, size_t len, const char *const *path,
    size_t n, int (*fn)(const char *item, size_t len, void *arg), void *arg,
    const char **err);

/*
 * Finds the first member named key of the object at s, stopping there.
 * Returns 1 and sets *m, 0 when absent, -1 on invalid JSON.
 */
int jscan_member(const char *s, size_t len, const char *key,
    struct jscan_member *m);

/*
 * Appends the unescaped text of a validated string body to out (UTF-8; a
 * lone surrogate becomes U+FFFD).
 */
void jscan_unescape(const char *raw, size_t len, struct strbuf *out);

/* Says whether a member's key equals name (handles escaped keys). */
int jscan_key_is(const struct jscan_member *m, const char *name);

#endif
