/* http.c: libcurl requests with retries and careful credentials. */
#include "http.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "interrupt.h"
#include "jx.h"

#define HTTP_BODY_MAX ((size_t)512 << 20)
#define HTTP_ERROR_DOC_MAX ((size_t)64 << 10)	/* error bodies parsed */

struct http_client {
	CURL *easy;
	struct http_opts o;
	char *auth_header;
	int uninterruptible;
	char errbuf[CURL_ERROR_SIZE];
};

void
http_response_init(struct http_response *r)
{
	memset(r, 0, sizeof(*r));
	strbuf_init(&r->body, HTTP_BODY_MAX);
}

void
http_response_limit(struct http_response *r, size_t max)
{
	r->body.cap = max < HTTP_BODY_MAX ? max : HTTP_BODY_MAX;
}

void
http_response_release(struct http_response *r)
{
	strbuf_release(&r->body);
}

int
http_client_new(const struct http_opts *o, struct http_client **out,
    char **cause)
{
	static int global_done;
	struct http_client *c;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
			return util_fail(cause, "cannot initialise libcurl");
		global_done = 1;
	}
	c = util_calloc(1, sizeof(*c));
	c->o = *o;
	if (c->o.timeout_ms <= 0)
		c->o.timeout_ms = 60000;
	if (c->o.retries < 0)
		c->o.retries = 5;
	if (c->o.retry_budget_ms <= 0)
		c->o.retry_budget_ms = 60000;
	c->easy = curl_easy_init();
	if (c->easy == NULL) {
		free(c);
		return util_fail(cause, "cannot create an HTTP handle");
	}
	if (o->api_key != NULL && o->api_key_header != NULL)
		c->auth_header = util_printf("%s: %s", o->api_key_header,
		    o->api_key);
	else if (o->api_key != NULL)
		c->auth_header = util_printf("Authorization: ApiKey %s",
		    o->api_key);
	*out = c;
	return 0;
}

void
http_client_free(struct http_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->easy);
	if (c->auth_header != NULL) {
		memset(c->auth_header, 0, strlen(c->auth_header));
		free(c->auth_header);
	}
	free(c);
}

/* Appends received bytes to the response body (capped). */
static size_t
http_write(char *p, size_t size, size_t n, void *arg)
{
	struct http_response *r = arg;

	if (strbuf_add(&r->body, p, size * n) == -1)
		return 0;
	return size * n;
}

/* Reads Retry-After from the headers. */
static size_t
http_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_response *r = arg;
	size_t len = size * n;
	char buf[64];

	if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
		size_t l = len - 12 < sizeof(buf) - 1 ? len - 12 :
		    sizeof(buf) - 1;

		memcpy(buf, p + 12, l);
		buf[l] = '\0';
		r->retry_after = strtod(buf, NULL);
		if (!(r->retry_after > 0) || r->retry_after > 300)
			r->retry_after = 0;
	}
	return len;
}

void
http_client_uninterruptible(struct http_client *c, int on)
{
	c->uninterruptible = on;
}

/* Says whether the client should give up now. */
static int
http_stopped(const struct http_client *c)
{
	if (c->o.cancel != NULL && c->o.cancel(c->o.cancel_arg))
		return 1;
	return !c->uninterruptible && !c->o.ignore_interrupt &&
	    interrupt_pending();
}

/* Aborts transfers when interrupted. */
static int
http_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return http_stopped(arg);
}

int
http_retryable(long status)
{
	return status == 429 || status == 502 || status == 503 ||
	    status == 504;
}

/* Milliseconds on a monotonic clock. */
static double
http_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Sleeps ms milliseconds unless interrupted. */
static void
http_sleep(const struct http_client *c, double ms)
{
	struct timespec ts;

	while (ms > 0 && !http_stopped(c)) {
		double step = ms > 100 ? 100 : ms;

		ts.tv_sec = 0;
		ts.tv_nsec = (long)(step * 1e6);
		nanosleep(&ts, NULL);
		ms -= step;
	}
}

char *
http_redact_url(const char *url)
{
	const char *scheme = strstr(url, "://"), *at, *slash;

	if (scheme == NULL)
		return util_strdup(url);
	scheme += 3;
	slash = strchr(scheme, '/');
	at = memchr(scheme, '@', slash ? (size_t)(slash - scheme) :
	    strlen(scheme));
	if (at == NULL)
		return util_strdup(url);
	return util_printf("%.*s%s", (int)(scheme - url), url, at + 1);
}

/* Says whether a URL's host is this machine. */
static int
http_loopback(const char *url)
{
	static const char *const hosts[] = { "127.", "localhost", "[::1]" };
	const char *h = strstr(url, "://");
	size_t i;

	if (h == NULL)
		return 0;
	h += 3;
	for (i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strncmp(h, hosts[i], strlen(hosts[i])) == 0)
			return 1;
	return 0;
}

void
http_easy_setup(void *easy, const struct http_opts *o)
{
	CURL *e = easy;
	long timeout = o->timeout_ms > 0 ? o->timeout_ms : 60000;

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
	    timeout < 10000 ? timeout : 10000L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	if (o->noproxy)
		curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	if (o->cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, o->cacert);
	if (o->insecure) {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
}

/* One attempt. */
static CURLcode
http_once(struct http_client *c, const char *method, const char *url,
    struct curl_slist *hdrs, const char *body, size_t len,
    struct http_response *resp)
{
	CURL *e = c->easy;
	CURLcode rc;

	curl_easy_reset(e);
	strbuf_reset(&resp->body);
	resp->status = 0;
	resp->retry_after = 0;
	c->errbuf[0] = '\0';
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
	if (strcmp(method, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	if (body != NULL) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
	}
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, http_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, resp);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
	http_easy_setup(e, &c->o);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, http_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, c);
	/* Compression pays over a network, not over loopback, where it
	 * only doubles the server's work. */
	if (!http_loopback(url))
		curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_USERAGENT, "medload");
	if (c->o.user != NULL) {
		curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(e, CURLOPT_USERNAME, c->o.user);
		curl_easy_setopt(e, CURLOPT_PASSWORD,
		    c->o.password ? c->o.password : "");
	}
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
	/* Forget the credentials between requests. */
	curl_easy_setopt(e, CURLOPT_PASSWORD, "");
	return rc;
}

int
http_request(struct http_client *c, const char *method, const char *url,
    const char *content_type, const char *body, size_t len,
    struct http_response *resp, char **cause)
{
	struct curl_slist *hdrs = NULL;
	double start = http_now_ms(), wait, backoff = 200;
	char *ct = NULL, *safe;
	CURLcode rc = CURLE_OK;
	int attempt;

	if (content_type != NULL) {
		ct = util_printf("Content-Type: %s", content_type);
		hdrs = curl_slist_append(hdrs, ct);
	}
	hdrs = curl_slist_append(hdrs, "Accept: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	if (c->auth_header != NULL)
		hdrs = curl_slist_append(hdrs, c->auth_header);
	for (attempt = 0;; attempt++) {
		resp->attempts = attempt + 1;
		rc = http_once(c, method, url, hdrs, body, len, resp);
		if (http_stopped(c))
			break;
		if (rc == CURLE_OK && !http_retryable(resp->status))
			break;
		if (rc != CURLE_OK && rc != CURLE_COULDNT_CONNECT &&
		    rc != CURLE_OPERATION_TIMEDOUT && rc != CURLE_RECV_ERROR &&
		    rc != CURLE_SEND_ERROR && rc != CURLE_GOT_NOTHING &&
		    rc != CURLE_PARTIAL_FILE)
			break;
		if (attempt >= c->o.retries)
			break;
		/* Exponential backoff with full jitter, or Retry-After. */
		wait = resp->retry_after > 0 ? resp->retry_after * 1000 :
		    backoff * (0.5 + (double)rand() / RAND_MAX / 2);
		if (http_now_ms() - start + wait > (double)c->o.retry_budget_ms)
			break;
		http_sleep(c, wait);
		backoff = backoff * 2 > 10000 ? 10000 : backoff * 2;
	}
	curl_slist_free_all(hdrs);
	free(ct);
	if (rc == CURLE_OK)
		return 0;
	safe = http_redact_url(url);
	if (http_stopped(c))
		util_fail(cause, "%s %s: interrupted", method, safe);
	else if (rc == CURLE_WRITE_ERROR && resp->body.toobig)
		util_fail(cause, "%s %s: the answer is larger than %zu %s, "
		    "the most medload reads of it", method, safe,
		    resp->body.cap >= (1u << 20) ? resp->body.cap >> 20 :
		    resp->body.cap >> 10, resp->body.cap >= (1u << 20) ?
		    "MiB" : "KiB");
	else
		util_fail(cause, "%s %s: %s (after %d attempt%s)", method, safe,
		    c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc),
		    resp->attempts, resp->attempts == 1 ? "" : "s");
	free(safe);
	return -1;
}

char *
http_error_line(const struct http_response *r)
{
	struct json_object *doc, *err, *v;
	const char *type = NULL, *reason = NULL;
	struct strbuf b;
	char *line;

	doc = r->body.data && r->body.len <= HTTP_ERROR_DOC_MAX ?
	    json_tokener_parse(r->body.data) : NULL;
	if (doc != NULL && json_object_object_get_ex(doc, "error", &err)) {
		if (json_object_is_type(err, json_type_object)) {
			struct json_object *rc;

			/* The root cause says more than the wrapper. */
			if (json_object_object_get_ex(err, "root_cause", &rc) &&
			    jx_len(rc) > 0)
				err = jx_at(rc, 0);
			if (json_object_object_get_ex(err, "type", &v))
				type = json_object_get_string(v);
			if (json_object_object_get_ex(err, "reason", &v))
				reason = json_object_get_string(v);
		} else
			reason = json_object_get_string(err);
	}
	strbuf_init(&b, 0);
	strbuf_addf(&b, "HTTP %ld", r->status);
	if (type != NULL || reason != NULL)
		strbuf_addf(&b, ": %s%s%s", type ? type : "",
		    type && reason ? ": " : "", reason ? reason : "");
	else if (r->body.len > 0)
		strbuf_addf(&b, ": %.200s", r->body.data);
	json_object_put(doc);
	for (char *p = b.data; p != NULL && *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	line = util_strdup(b.data ? b.data : "");
	strbuf_release(&b);
	return line;
}

char *
http_read_secret(const char *env, const char *file, char **cause)
{
	const char *v = env ? getenv(env) : NULL;
	char buf[4096], *nl, *secret;
	FILE *f;

	if (file == NULL)
		return v != NULL && *v != '\0' ? util_strdup(v) : NULL;
	f = fopen(file, "r");
	if (f == NULL) {
		util_fail(cause, "%s: cannot read: %s", file, strerror(errno));
		return NULL;
	}
	if (fgets(buf, sizeof(buf), f) == NULL)
		buf[0] = '\0';
	fclose(f);
	nl = strpbrk(buf, "\r\n");
	if (nl != NULL)
		*nl = '\0';
	if (buf[0] == '\0') {
		util_fail(cause, "%s: empty", file);
		return NULL;
	}
	secret = util_strdup(buf);
	memset(buf, 0, sizeof(buf));
	return secret;
}
