/* es.c: Elasticsearch / OpenSearch requests. */
#include "es.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "assets.h"
#include "jscan.h"
#include "jx.h"
#include "util.h"

#define ES_ERRORS_KEPT 5
#define ES_ERROR_MAX ((size_t)64 << 10)	/* an item's error, parsed */

int
es_check_index(const char *index, char **cause)
{
	const char *p;

	if (index == NULL || *index == '\0')
		return util_fail(cause, "empty index name");
	for (p = index; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    strchr("-_.,*+", *p) != NULL)
			continue;
		return util_fail(cause, "index \"%s\": character '%c' is not "
		    "allowed (lowercase letters, digits, - _ . , * +)", index,
		    (*p >= 0x20 && *p < 0x7f) ? *p : '?');
	}
	if (index[0] == '-' || index[0] == '_' || index[0] == '+')
		return util_fail(cause, "index \"%s\" must not start with "
		    "'%c'", index, index[0]);
	return 0;
}

int
es_call_text(struct es *es, const char *method, const char *path,
    struct json_object *body, size_t max, struct http_response *r,
    char **cause)
{
	const char *text = NULL;
	char *url, *line;
	int rc = 0;

	if (body != NULL)
		text = json_object_to_json_string_ext(body,
		    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	url = util_printf("%s%s", es->url, path);
	http_response_init(r);
	http_response_limit(r, max);
	if (http_request(es->http, method, url, text ? "application/json" :
	    NULL, text, text ? strlen(text) : 0, r, cause) == -1) {
		rc = -1;
	} else if (r->status < 200 || r->status >= 300) {
		line = http_error_line(r);
		util_fail(cause, "%s %s: %s", method, path, line);
		free(line);
		rc = -1;
	}
	free(url);
	return rc;
}

int
es_call(struct es *es, const char *method, const char *path,
    struct json_object *body, int ok404, struct json_object **out,
    char **cause)
{
	struct http_response r;
	char *why = NULL;
	int rc = 0;

	*out = NULL;
	if (es_call_text(es, method, path, body, ES_ANSWER_MAX, &r,
	    &why) == -1) {
		if (r.status != 404 || !ok404)
			rc = util_fail(cause, "%s", why);
		free(why);
	} else {
		*out = r.body.data ? json_tokener_parse(r.body.data) : NULL;
		if (*out == NULL && strcmp(method, "HEAD") != 0) {
			util_fail(cause, "%s %s: the answer is not JSON", method,
			    path);
			rc = -1;
		}
	}
	http_response_release(&r);
	return rc;
}

int
es_open(const char *url, const struct http_opts *o, struct es **out,
    char **cause)
{
	struct json_object *root = NULL, *ver, *v;
	struct es *es = util_calloc(1, sizeof(*es));
	size_t n;
	const char *dist = NULL;

	if (strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0)
		return free(es), util_fail(cause, "--es %s: not an http(s) URL",
		    url);
	if (strchr(url, '@') != NULL)
		return free(es), util_fail(cause, "--es: put credentials in "
		    "--user and MEDLOAD_ES_PASSWORD, not in the URL");
	es->url = util_strdup(url);
	n = strlen(es->url);
	while (n > 0 && es->url[n - 1] == '/')
		es->url[--n] = '\0';
	if (http_client_new(o, &es->http, cause) == -1) {
		es_free(es);
		return -1;
	}
	if (es_call(es, "GET", "/", NULL, 0, &root, cause) == -1) {
		es_free(es);
		return -1;
	}
	if (!json_object_object_get_ex(root, "version", &ver) ||
	    !json_object_object_get_ex(ver, "number", &v)) {
		json_object_put(root);
		es_free(es);
		return util_fail(cause, "%s: not Elasticsearch or OpenSearch "
		    "(no version.number in GET /)", url);
	}
	es->version = util_strdup(json_object_get_string(v));
	es->major = atoi(es->version);
	if (json_object_object_get_ex(ver, "distribution", &v))
		dist = json_object_get_string(v);
	es->kind = dist && strcmp(dist, "opensearch") == 0 ? ES_OPENSEARCH :
	    ES_ELASTICSEARCH;
	json_object_put(root);
	if (es->kind == ES_ELASTICSEARCH && es->major < 7) {
		util_fail(cause, "%s: Elasticsearch %s is too old (7.x or "
		    "later needed)", url, es->version);
		es_free(es);
		return -1;
	}
	*out = es;
	return 0;
}

void
es_free(struct es *es)
{
	if (es == NULL)
		return;
	http_client_free(es->http);
	free(es->url);
	free(es->version);
	free(es);
}

const char *
es_server_name(const struct es *es)
{
	static char buf[64];

	snprintf(buf, sizeof(buf), "%s %s", es->kind == ES_OPENSEARCH ?
	    "OpenSearch" : "Elasticsearch", es->version);
	return buf;
}

/* Folds one type name into a field's capabilities. */
static void
es_field_type(struct es_field *f, const char *type)
{
	if (strcmp(type, "keyword") == 0 ||
	    strcmp(type, "constant_keyword") == 0)
		f->keyword = 1;
	else if (strcmp(type, "long") == 0 || strcmp(type, "integer") == 0 ||
	    strcmp(type, "double") == 0 || strcmp(type, "float") == 0 ||
	    strcmp(type, "half_float") == 0 ||
	    strcmp(type, "scaled_float") == 0 || strcmp(type, "short") == 0)
		f->numeric = 1;
	else if (strcmp(type, "date") == 0 || strcmp(type, "date_nanos") == 0)
		f->date = 1;
	else if (strcmp(type, "text") == 0 ||
	    strcmp(type, "match_only_text") == 0)
		f->text = 1;
}

int
es_field_caps(struct es *es, const char *index, const char *const *fields,
    size_t n, struct es_field *out, char **cause)
{
	struct json_object *root, *caps, *fc, *kw;
	struct strbuf path;
	size_t i;
	int kinds;

	strbuf_init(&path, 0);
	strbuf_addf(&path, "/%s/_field_caps?ignore_unavailable=true&"
	    "allow_no_indices=true&fields=", index);
	for (i = 0; i < n; i++)
		strbuf_addf(&path, "%s%s,%s.keyword", i ? "," : "", fields[i],
		    fields[i]);
	if (es_call(es, "GET", path.data, NULL, 0, &root, cause) == -1) {
		strbuf_release(&path);
		return -1;
	}
	strbuf_release(&path);
	memset(out, 0, n * sizeof(*out));
	if (!json_object_object_get_ex(root, "fields", &caps)) {
		json_object_put(root);
		return 0;
	}
	for (i = 0; i < n; i++) {
		struct es_field *f = &out[i];
		char *sub;

		if (!json_object_object_get_ex(caps, fields[i], &fc) ||
		    !jx_is_object(fc))
			continue;
		f->exists = 1;
		kinds = 0;
		json_object_object_foreach(fc, type, info) {
			(void)info;
			es_field_type(f, type);
			kinds++;
		}
		sub = util_printf("%s.keyword", fields[i]);
		if (json_object_object_get_ex(caps, sub, &kw) &&
		    json_object_object_get_ex(kw, "keyword", NULL))
			f->text_keyword = 1;
		free(sub);
		/* "unmapped" shows up for indices without the field. */
		if (kinds - json_object_object_get_ex(fc, "unmapped", NULL) > 1)
			f->conflict = 1;
	}
	json_object_put(root);
	return 0;
}

/* What a _bulk answer's items add up to. */
struct es_bulk_count {
	size_t *ok;
	size_t *failed;
	size_t *retry;			/* NULL: passing refusals fail */
	struct json_object *errors;	/* borrowed; NULL: not kept */
	size_t item;			/* the ordinal of the item read */
	size_t *again;			/* the retry items' ordinals, or NULL */
	size_t again_max;		/* the items sent: room in again */
};

/* Counts one item of a _bulk answer: {"index": {"status", "error"}}. */
static int
es_bulk_item(const char *item, size_t n, void *arg)
{
	struct es_bulk_count *c = arg;
	struct jscan_member m[1], st, err;
	struct json_object *e;
	enum jscan_type t;
	size_t end, nm;
	const char *why;
	long status = 0;

	if (jscan_value(item, n, &t, &end, m, 1, &nm, &why) == 0 &&
	    t == JSCAN_OBJECT && nm >= 1 && m[0].type == JSCAN_OBJECT &&
	    jscan_member(m[0].val, m[0].vlen, "status", &st) == 1 &&
	    st.type == JSCAN_NUMBER)
		status = strtol(st.val, NULL, 10);
	c->item++;
	if (status >= 200 && status < 300) {
		(*c->ok)++;
		return 0;
	}
	if (c->retry != NULL && http_retryable(status) && (c->again == NULL ||
	    (*c->retry < c->again_max && c->item <= c->again_max))) {
		if (c->again != NULL)
			c->again[*c->retry] = c->item - 1;
		(*c->retry)++;	/* a full queue, a write block: send again */
		return 0;
	}
	(*c->failed)++;
	if (c->errors != NULL && jx_len(c->errors) < ES_ERRORS_KEPT &&
	    nm >= 1 && m[0].type == JSCAN_OBJECT &&
	    jscan_member(m[0].val, m[0].vlen, "error", &err) == 1 &&
	    err.type == JSCAN_OBJECT && err.vlen <= ES_ERROR_MAX &&
	    (e = jx_parse(err.val, err.vlen, "error", NULL)) != NULL)
		json_object_array_add(c->errors, e);
	return 0;
}

/* Sends a _bulk body and counts its answer's items into c. */
static int
es_bulk_send(struct es *es, const char *body, size_t len,
    struct es_bulk_count *c, char **cause)
{
	static const char *const items[] = { "items" };
	struct http_response r;
	char *url, *line;
	const char *why;
	int rc = 0;

	/* Only what is counted comes back; the items are read one by one. */
	url = util_printf("%s/_bulk?filter_path=errors,items.*.status,"
	    "items.*.error", es->url);
	http_response_init(&r);
	http_response_limit(&r, ES_BULK_ANSWER_MAX);
	if (http_request(es->http, "POST", url, "application/x-ndjson", body,
	    len, &r, cause) == -1) {
		rc = -1;
	} else if (r.status < 200 || r.status >= 300) {
		line = http_error_line(&r);
		rc = util_fail(cause, "POST /_bulk: %s", line);
		free(line);
	} else if (r.body.data == NULL || jscan_path_each(r.body.data,
	    r.body.len, items, 1, es_bulk_item, c, &why) == -1)
		rc = util_fail(cause, "POST /_bulk: the answer has no items");
	http_response_release(&r);
	free(url);
	return rc;
}

int
es_bulk(struct es *es, const char *body, size_t len, size_t *ok,
    size_t *failed, size_t *retry, struct json_object *errors, char **cause)
{
	struct es_bulk_count c = { ok, failed, retry, errors, 0, NULL, 0 };

	return es_bulk_send(es, body, len, &c, cause);
}

int
es_bulk_again(struct es *es, const char *body, size_t len, size_t nitems,
    size_t *ok, size_t *failed, size_t *again, size_t *nagain,
    struct json_object *errors, char **cause)
{
	struct es_bulk_count c = { ok, failed, nagain, errors, 0, again,
	    nitems };

	*nagain = 0;
	return es_bulk_send(es, body, len, &c, cause);
}

int
es_scroll_clear(struct es *es, const char *scroll_id, char **cause)
{
	struct json_object *body = json_object_new_object(), *root = NULL;
	int rc;

	json_object_object_add(body, "scroll_id",
	    json_object_new_string(scroll_id));
	rc = es_call(es, "DELETE", "/_search/scroll", body, 1, &root, cause);
	json_object_put(body);
	json_object_put(root);
	return rc;
}

int
es_install_template(struct es *es, const char *index, char **cause)
{
	struct json_object *tpl, *pats, *res = NULL;
	char *text, *path;
	int rc;

	text = assets_load(getenv("MEDLOAD_QUERIES"),
	    "queries/trace-index-template.json", NULL, cause);
	if (text == NULL)
		return -1;
	tpl = json_tokener_parse(text);
	free(text);
	if (tpl == NULL)
		return util_fail(cause, "trace-index-template.json: not JSON");
	pats = json_object_new_array();
	json_object_array_add(pats, json_object_new_string(index));
	json_object_object_add(tpl, "index_patterns", pats);
	path = util_printf("/_index_template/medload-%s", index);
	rc = es_call(es, "PUT", path, tpl, 0, &res, cause);
	free(path);
	json_object_put(res);
	json_object_put(tpl);
	return rc;
}

/* Appends up to show names of list (an array of {"name"}) to names. */
static void
es_resolve_names(struct json_object *list, size_t *shown, size_t show,
    struct strbuf *names)
{
	size_t i;

	for (i = 0; i < jx_len(list) && *shown < show; i++, (*shown)++) {
		strbuf_adds(names, *shown > 0 ? ", " : "");
		util_safe_append(names, jx_str(json_object_object_get(
		    jx_at(list, i), "name"), "?"));
	}
}

int
es_resolve(struct es *es, const char *pattern, size_t show, size_t *n,
    struct strbuf *names, char **cause)
{
	static const char *const kinds[] = { "data_streams", "aliases",
	    "indices" };
	struct json_object *res = NULL, *list;
	size_t k, shown = 0;
	char *path;

	*n = 0;
	path = util_printf("/_resolve/index/%s?ignore_unavailable=true",
	    pattern);
	if (es_call(es, "GET", path, NULL, 0, &res, cause) == -1) {
		free(path);
		return -1;
	}
	free(path);
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		list = json_object_object_get(res, kinds[k]);
		*n += jx_len(list);
		if (names != NULL)
			es_resolve_names(list, &shown, show, names);
	}
	json_object_put(res);
	return 0;
}
