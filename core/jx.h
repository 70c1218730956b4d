/*
 * jx.h: reading json-c documents that came from elsewhere (a server, an
 * agent, a file) without trusting their shape. json-c's array and object
 * accessors abort the process when given a value of another type; these
 * answer "empty" instead, so a damaged document is a missing value, never
 * a crash.
 */
#ifndef MEDLOAD_JX_H
#define MEDLOAD_JX_H

#include <stddef.h>

struct json_object;
struct strbuf;

/* The length of array a; 0 when a is NULL or not an array. */
size_t jx_len(const struct json_object *a);

/* Element i of array a; NULL when a is not an array or i is past its end. */
struct json_object *jx_at(const struct json_object *a, size_t i);

/* The number of members of object o; 0 when o is NULL or not an object. */
size_t jx_members(const struct json_object *o);

/*
 * The text of o (json_object_get_string: a string's value, another type's
 * JSON), or dflt when o is NULL (a missing member or a JSON null).
 */
const char *jx_str(const struct json_object *o, const char *dflt);

/*
 * Appends the values of object o's members to b, sep between them, "-"
 * for a null value; "-" alone when o is not an object (a group key for
 * display).
 */
void jx_join_values(struct strbuf *b, const struct json_object *o,
    const char *sep);

/* Whether o is an object whose "schema" member is the string name. */
int jx_schema_is(const struct json_object *o, const char *name);

/*
 * The member at a dotted path ("events.accepted") of object o, borrowed;
 * NULL when a step is missing or not an object.
 */
struct json_object *jx_get(const struct json_object *o, const char *path);

/* The number at path as a 64-bit integer, or dflt when missing. */
long long jx_int(const struct json_object *o, const char *path,
    long long dflt);

/*
 * Parses text[0..len) as one JSON value with only white space after it
 * (a part of a larger text, such as one element of an array found with
 * core/jscan). Returns the value (caller puts), or NULL with *cause
 * naming what.
 */
struct json_object *jx_parse(const char *text, size_t len, const char *what,
    char **cause);

/*
 * Loads the JSON document at path ("-" for standard input; at most max
 * bytes, 0 for 256 MiB): one JSON value and nothing but white space after
 * it. With schema not NULL, the document must be an object whose "schema"
 * member is that string; the message names the schema found instead.
 * Returns the document (caller puts), or NULL with *cause naming the file.
 */
struct json_object *jx_load(const char *path, const char *schema,
    size_t max, char **cause);

/*
 * The lines of s (split at '\n', a last empty line left out) as a new
 * JSON array of strings (caller puts): multi-line text a template shows
 * line by line.
 */
struct json_object *jx_lines(const char *s);

/* The number at path as a double, or dflt when missing or not a number. */
double jx_num(const struct json_object *o, const char *path, double dflt);

/*
 * Parses text[0..len) (not NUL-terminated) as one JSON value with only
 * white space after it, nesting at most depth levels (0: json-c's
 * default). Returns the value (caller puts), or NULL with *cause: "not a
 * JSON document" and why ("cut short" for a truncated text).
 */
struct json_object *jx_parse_depth(const char *text, size_t len,
    int depth, char **cause);

/* Whether o is a JSON object (json_object_object_foreach needs one). */
int jx_is_object(const struct json_object *o);

#endif
