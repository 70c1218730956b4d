/*
 * es.h: what medload needs of Elasticsearch 7/8 and OpenSearch 2: server
 * detection, field capabilities, search, scroll, bulk indexing and index
 * templates, over core/http.
 */
#ifndef MEDLOAD_ES_H
#define MEDLOAD_ES_H

#include <stddef.h>

#include "http.h"

struct json_object;
struct strbuf;

enum es_kind { ES_ELASTICSEARCH, ES_OPENSEARCH };

struct es {
	struct http_client *http;
	char *url;		/* base URL without a trailing '/' */
	enum es_kind kind;
	char *version;		/* "8.15.0" */
	int major;
};

/*
 * Connects to url (GET /) and detects the server. o is borrowed only
 * during the call's lifetime of the returned handle. Returns 0 or -1 with
 * *cause.
 */
int es_open(const char *url, const struct http_opts *o, struct es **out,
    char **cause);

/* Frees the handle; NULL is accepted. */
void es_free(struct es *es);

/* "Elasticsearch 8.15.0" / "OpenSearch 2.19.1" (static buffer). */
const char *es_server_name(const struct es *es);

/*
 * Checks an index name or pattern ("logs-*,medload-traces"): lowercase
 * letters, digits and - _ . , * + only. Returns 0 or -1 with *cause.
 */
int es_check_index(const char *index, char **cause);

/*
 * The most bytes of one answer es_call reads: it parses answers whole into
 * a tree, some 70 times their size in memory. Answers that can be larger
 * are read as text with es_call_text and walked with core/jscan.
 */
#define ES_ANSWER_MAX ((size_t)4 << 20)

/* The most bytes of a _bulk answer (read item by item, not as a tree). */
#define ES_BULK_ANSWER_MAX ((size_t)64 << 20)

/*
 * Sends method path (relative to the base URL) with an optional JSON body
 * and leaves the answer's text in r (initialised here; the caller
 * releases it with http_response_release, on errors too). At most max
 * bytes are read: a larger answer is an error saying so. Statuses >= 300
 * are errors with the server's reason on one line in *cause (r->status
 * tells which). Returns 0 or -1 with *cause.
 */
int es_call_text(struct es *es, const char *method, const char *path,
    struct json_object *body, size_t max, struct http_response *r,
    char **cause);

/*
 * Sends method path (relative to the base URL) with an optional JSON body
 * and parses the JSON answer (at most ES_ANSWER_MAX bytes) into *out
 * (caller puts). Statuses >= 300 are errors with the server's reason on
 * one line in *cause. ok404 makes a 404 a success with *out NULL.
 */
int es_call(struct es *es, const char *method, const char *path,
    struct json_object *body, int ok404, struct json_object **out,
    char **cause);

/* The type of one field across indices, from _field_caps. */
struct es_field {
	int exists;
	int keyword;		/* aggregatable as keyword */
	int text_keyword;	/* text with a .keyword sub-field */
	int numeric;
	int date;
	int text;		/* text (analyzed: a term query misses) */
	int conflict;		/* different types in different indices */
};

/*
 * Looks up the capabilities of fields[0..n) in index. Returns 0 or -1.
 */
int es_field_caps(struct es *es, const char *index, const char *const *fields,
    size_t n, struct es_field *out, char **cause);

/*
 * Sends an NDJSON _bulk body. Counts item results: *ok (created or
 * updated), *failed; when retry is not NULL, items refused for a passing
 * reason (429, 502, 503, 504: a full queue, a write block, a shard not
 * ready) count in *retry instead of *failed. The first few item errors go
 * to errors (an array, caller puts; may be NULL). The answer is filtered
 * to the statuses and errors and read item by item (at most
 * ES_BULK_ANSWER_MAX bytes). Returns 0 when the
 * request itself succeeded.
 */
int es_bulk(struct es *es, const char *body, size_t len, size_t *ok,
    size_t *failed, size_t *retry, struct json_object *errors, char **cause);

/*
 * es_bulk for a body of nitems actions whose refused-for-now items are
 * sent again: their ordinals (0-based, in the body's order) go to
 * again[0..*nagain), again having room for nitems. An answer with more
 * items than sent counts the extra ones as failed.
 */
int es_bulk_again(struct es *es, const char *body, size_t len, size_t nitems,
    size_t *ok, size_t *failed, size_t *again, size_t *nagain,
    struct json_object *errors, char **cause);

/*
 * Installs the trace index template (queries/trace-index-template.json,
 * embedded; MEDLOAD_QUERIES overrides) as "medload-<index>" for exactly
 * that index. Returns 0 or -1 with *cause.
 */
int es_install_template(struct es *es, const char *index, char **cause);

/*
 * Counts in *n the data streams, aliases and indices that pattern (one
 * name or wildcard pattern) matches, hidden ones left out, with
 * GET /_resolve/index (Elasticsearch 7.9+, OpenSearch). When names is not
 * NULL, the first show of them are appended to it, ", "-separated and
 * terminal-safe. Returns 0, or -1 with *cause.
 */
int es_resolve(struct es *es, const char *pattern, size_t show, size_t *n,
    struct strbuf *names, char **cause);

/* Releases a scroll context. */
int es_scroll_clear(struct es *es, const char *scroll_id, char **cause);

#endif
