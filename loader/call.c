/* call.c: one request of a load run: sent, classified, recorded. */
#include "call.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "journal.h"
#include "tenant.h"
#include "util.h"

void
call_record(struct run *r, const char *method, const char *name,
    const struct tenant *as, int64_t sched, int64_t start, int64_t end,
    int status, enum stats_err err, const char *error, const char *detail,
    uint64_t bytes)
{
	struct stats_rec rec;
	char tn[160];

	memset(&rec, 0, sizeof(rec));
	rec.method = method;
	rec.name = name;
	rec.tenant = as != NULL ? tenant_name(as, tn, sizeof(tn)) : "-";
	rec.sched_us = eng_epoch_us(r->eng, sched);
	rec.start_us = eng_epoch_us(r->eng, start);
	rec.end_us = eng_epoch_us(r->eng, end);
	rec.status = status;
	rec.err = err;
	rec.error = error;
	rec.detail = detail;
	rec.bytes = bytes;
	stats_record(r->stats, &rec);
	journal_request(r->journal, &rec);
}

void
call_record_result(const struct call *cl, const struct eng_result *res,
    enum stats_err err, const char *msg, const char *detail)
{
	call_record(cl->t->run, cl->method, cl->name, cl->as, res->sched_us,
	    res->start_us, res->end_us, (int)res->status, err,
	    err != STATS_OK ? msg : NULL, detail, res->len);
}

/*
 * Hands ec to the engine for a new call; fn gets its result (a transfer
 * that could not start is a failure like any other).
 */
static void
call_start(struct tenant *t, struct tenant *as, const char *method,
    const char *name, const struct eng_call *ec, uint32_t seq,
    eng_done_fn fn)
{
	struct call *cl = util_calloc(1, sizeof(*cl));

	cl->seq = seq;
	cl->t = t;
	cl->as = as;
	cl->method = method;
	cl->name = name;
	eng_request(t->run->eng, ec, fn, cl);
}

void
call_send(struct tenant *t, struct tenant *as, const char *method,
    const char *name, const char *path, const char *body, int64_t sched,
    eng_done_fn fn)
{
	struct run *r = t->run;
	struct eng_call ec;
	char *url = util_printf("%s%s", r->c->admin_url, path);
	char *bearer = NULL;

	memset(&ec, 0, sizeof(ec));
	ec.method = method;
	ec.url = url;
	ec.body = body;
	ec.api_key = r->c->admin_api_key;
	if (as != NULL && as->token != NULL)
		bearer = util_printf("Bearer %s", as->token);
	ec.token = bearer;
	ec.sched_us = sched;
	call_start(t, as, method, name, &ec, 0, fn);
	if (bearer != NULL) {
		memset(bearer, 0, strlen(bearer));
		free(bearer);
	}
	free(url);
}

void
call_send_url(struct tenant *t, const char *name, const char *url,
    int64_t sched, eng_done_fn fn)
{
	struct eng_call ec;

	memset(&ec, 0, sizeof(ec));
	ec.method = "GET";
	ec.url = url;
	ec.sched_us = sched;
	call_start(t, NULL, "GET", name, &ec, 0, fn);
}

void
call_post(struct tenant *t, const char *name, const char *url,
    const char *body, uint32_t seq, int64_t sched, eng_done_fn fn)
{
	struct eng_call ec;

	memset(&ec, 0, sizeof(ec));
	ec.method = "POST";
	ec.url = url;
	ec.body = body;
	ec.envelope = 1;
	ec.sched_us = sched;
	call_start(t, t, "POST", name, &ec, seq, fn);
}

struct json_object *
call_classify(const struct eng_result *res, enum stats_err *err,
    char *msg, size_t size)
{
	struct json_object *o;

	*err = STATS_OK;
	msg[0] = '\0';
	if (res->curl_code == CURLE_FAILED_INIT) {
		*err = STATS_ERR_OTHER;
		snprintf(msg, size, "could not start a transfer");
		return NULL;
	}
	if (res->curl_code != CURLE_OK) {
		*err = res->curl_code == CURLE_OPERATION_TIMEDOUT ?
		    STATS_ERR_TIMEOUT : res->curl_code == CURLE_WRITE_ERROR ?
		    STATS_ERR_BODY : STATS_ERR_CONNECTION;
		snprintf(msg, size, "%s: %s", *err == STATS_ERR_TIMEOUT ?
		    "timeout" : *err == STATS_ERR_BODY ? "body" : "connection",
		    curl_easy_strerror((CURLcode)res->curl_code));
		return NULL;
	}
	if (res->status < 200 || res->status > 299) {
		*err = STATS_ERR_HTTP;
		snprintf(msg, size, "HTTP %ld", res->status);
		return NULL;
	}
	o = json_tokener_parse(res->body);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*err = STATS_ERR_BODY;
		snprintf(msg, size, "body: not a JSON object");
		return NULL;
	}
	return o;
}

const char *
call_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

int
call_copy_id(char *dst, const char *src)
{
	size_t n;

	if (src == NULL || (n = strlen(src)) == 0 || n >= TENANT_ID_LEN ||
	    strspn(src, "0123456789abcdefABCDEF-") != n)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}
