/*
 * fuzz_es.c: the answers of Elasticsearch and OpenSearch, as medload
 * reads them: server detection (GET /), field capabilities, counts, the
 * raw export (search and scroll pages), the aggregations (count window,
 * composite groups, series, outcomes), bulk results, the history index,
 * and error documents. The transport is the one thing replaced: the link
 * wraps http_request (-Wl,--wrap=http_request) so that each request gets
 * the next answer of the input; everything else, from es_call to the
 * analysis document, is medload's own code (usleep is wrapped too, so
 * the raw export's 100 ms polls take 0.2 ms).
 *
 * Input: one byte of choices, then the answers separated by FUZZLIB_SEP;
 * an answer may start with "NNN\n" to give its HTTP status (else 200).
 * When the answers run out, the server is gone (no response).
 * Oracles: every JSON request medload sends is valid JSON, and an
 * analysis that succeeds is a "medload.analysis/1" document.
 */
#include "fuzzlib.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "analyze.h"
#include "es.h"
#include "history.h"
#include "http.h"
#include "jx.h"
#include "util.h"

int __wrap_http_request(struct http_client *c, const char *method,
    const char *url, const char *content_type, const char *body, size_t len,
    struct http_response *resp, char **cause);
int __wrap_usleep(useconds_t us);
int __real_usleep(useconds_t us);

/* The answers left to give (the raw export asks from its own thread). */
static pthread_mutex_t fuzz_es_lock = PTHREAD_MUTEX_INITIALIZER;
static const uint8_t *fuzz_es_data;
static size_t fuzz_es_size;

/* Stands for the server: the next answer of the input, or no response. */
int
__wrap_http_request(struct http_client *c, const char *method,
    const char *url, const char *content_type, const char *body, size_t len,
    struct http_response *resp, char **cause)
{
	struct json_object *req;
	const uint8_t *part;
	size_t n;
	int rc;

	(void)c;
	if (getenv("FUZZ_ES_TRACE") != NULL)	/* to write seeds by hand */
		fprintf(stderr, "fuzz_es: %s %s %.300s\n", method, url,
		    body ? body : "");
	if (content_type != NULL && strcmp(content_type,
	    "application/json") == 0) {
		req = json_tokener_parse(body);
		if (req == NULL || strlen(body) != len)
			fuzzlib_fail("a request body that is not JSON", body);
		json_object_put(req);
	}
	pthread_mutex_lock(&fuzz_es_lock);
	rc = fuzzlib_next(&fuzz_es_data, &fuzz_es_size, &part, &n);
	pthread_mutex_unlock(&fuzz_es_lock);
	if (rc == -1)
		return util_fail(cause, "%s: no answer (fuzz input ended)",
		    url);
	resp->status = 200;
	if (n >= 4 && part[3] == '\n' && part[0] >= '1' && part[0] <= '5' &&
	    part[1] >= '0' && part[1] <= '9' && part[2] >= '0' &&
	    part[2] <= '9') {
		resp->status = (part[0] - '0') * 100 + (part[1] - '0') * 10 +
		    (part[2] - '0');
		part += 4;
		n -= 4;
	}
	resp->attempts = 1;
	if (strbuf_add(&resp->body, part, n) == -1)
		return util_fail(cause, "%s: answer too large", url);
	return 0;
}

/* Shortens the raw export's polls: an answer here takes no time. */
int
__wrap_usleep(useconds_t us)
{
	return __real_usleep(us > 200 ? 200 : us);
}

/* The analysis, raw or aggs as the choices say. */
static void
fuzz_es_analyze(unsigned choice)
{
	static const enum agg_key keys[] = { AGG_KEY_LABEL, AGG_KEY_OUTCOME,
	    AGG_KEY_TRACED_TYPE, AGG_KEY_HANDLER };
	static const struct http_opts http = { .retries = 0 };
	struct analyze_request r;
	struct analyze_result res;
	char *cause = NULL;

	analyze_request_init(&r);
	r.source = ANALYZE_ES;
	r.es.url = "http://127.0.0.1:9/";
	r.es.http = &http;
	r.es.index = "medload-traces";
	r.es.mode = (choice & 3) == 1 ? SOURCE_ES_RAW : (choice & 3) == 2 ?
	    SOURCE_ES_AGGS : SOURCE_ES_AUTO;
	r.es.hdr = (choice & 4) != 0;
	r.es.batch = 100;
	r.es.auto_raw_max = 1000;
	r.nkeys = 1 + (choice >> 3 & 3);
	memcpy(r.keys, keys, sizeof(keys));
	r.show_rejects = 0;
	r.run_id = (choice & 0x20) ? "run-1" : NULL;
	if (choice & 0x40) {
		r.filter.since = 1795938000;
		r.filter.has_since = 1;
	}
	memset(&res, 0, sizeof(res));
	if (analyze_run(&r, &res, &cause) == 0 &&
	    !jx_schema_is(res.doc, "medload.analysis/1"))
		fuzzlib_fail("an analysis that is no analysis document", NULL);
	analyze_result_release(&res);
	free(cause);
}

/*
 * es_bulk_again on a body of two items: whatever the answer, the items
 * to send again are at most the two sent, in order, each once.
 */
static void
fuzz_es_again(struct es *es, struct json_object *errors)
{
	static const char body[] = "{\"index\":{}}\n{\"a\":1}\n"
	    "{\"index\":{}}\n{\"a\":2}\n";
	size_t ok = 0, failed = 0, again[2] = { 0, 0 }, nagain = 0, i;
	char *cause = NULL;

	(void)es_bulk_again(es, body, sizeof(body) - 1, 2, &ok, &failed,
	    again, &nagain, errors, &cause);
	free(cause);
	if (nagain > 2)
		fuzzlib_fail("es_bulk_again", "more items again than sent");
	for (i = 0; i < nagain; i++)
		if (again[i] >= 2 || (i > 0 && again[i] <= again[i - 1]))
			fuzzlib_fail("es_bulk_again", "an ordinal out of order");
}

/* Bulk results and the history index, after GET /. */
static void
fuzz_es_other(void)
{
	static const struct http_opts http = { .retries = 0 };
	static const char line[] = "{\"create\":{}}\n{\"a\":1}\n";
	struct json_object *errors, *nights = NULL, *ids = NULL, *warnings;
	struct es *es;
	char *cause = NULL;
	size_t ok = 0, failed = 0, retry = 0;

	if (es_open("http://127.0.0.1:9", &http, &es, &cause) == -1) {
		free(cause);
		return;
	}
	(void)es_server_name(es);
	errors = json_object_new_array();
	(void)es_bulk(es, line, sizeof(line) - 1, &ok, &failed, &retry,
	    errors, &cause);
	free(cause);
	cause = NULL;
	fuzz_es_again(es, errors);
	warnings = json_object_new_array();
	if (history_es_read(es, "medload-history", 30, &nights, &ids,
	    warnings, &cause) == 0)
		json_object_put(history_trend(nights, 30));
	json_object_put(nights);
	json_object_put(ids);
	json_object_put(warnings);
	json_object_put(errors);
	free(cause);
	es_free(es);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned choice;

	if (size < 1)
		return 0;
	choice = data[0];
	fuzz_es_data = data + 1;
	fuzz_es_size = size - 1;
	if ((choice & 0x83) == 0x83)
		fuzz_es_other();
	else
		fuzz_es_analyze(choice);
	fuzz_es_data = NULL;
	return 0;
}
