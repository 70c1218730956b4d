/* preflight.c: the admin API answers; the mediator's invitation. */
#include "preflight.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "http.h"
#include "jx.h"
#include "status.h"
#include "util.h"

/* The mediator's invitation for medload's clients, per protocol. */
#define PREFLIGHT_INV_CONNECTIONS "/connections/create-invitation?" \
	"multi_use=true&alias=medload-clients"
#define PREFLIGHT_INV_CONNECTIONS_BODY "{\"my_label\":\"medload-mediator\"}"
#define PREFLIGHT_INV_OOB "/out-of-band/create-invitation?multi_use=true"
#define PREFLIGHT_INV_OOB_BODY "{\"alias\":\"medload-clients\"," \
	"\"my_label\":\"medload-mediator\",\"handshake_protocols\":" \
	"[\"https://didcomm.org/didexchange/1.1\"],\"use_public_did\":false}"

/*
 * One request to an admin API (api_key in x-api-key when not NULL; body
 * may be NULL): straight to the agent whatever http_proxy says, with c's
 * TLS settings, 10 s, no retry. A Ctrl-C does not cut it short: the run
 * that follows sees the interrupt and stops cleanly. Returns 0 with resp
 * filled (any status), or -1 with *cause naming the URL.
 */
static int
preflight_request(const struct config *c, const char *method,
    const char *url, const char *api_key, const char *body,
    struct http_response *resp, char **cause)
{
	struct http_client *h;
	struct http_opts o;
	int rc;

	memset(&o, 0, sizeof(o));
	o.cacert = c->cacert;
	o.insecure = c->insecure;
	o.api_key = api_key;
	o.api_key_header = "x-api-key";
	o.timeout_ms = 10000;
	o.retries = 0;
	o.noproxy = 1;
	o.ignore_interrupt = 1;
	if (http_client_new(&o, &h, cause) == -1)
		return -1;
	rc = http_request(h, method, url, body != NULL ? "application/json" :
	    NULL, body, body != NULL ? strlen(body) : 0, resp, cause);
	http_client_free(h);
	return rc;
}

/*
 * Asks the mediator for a multi-use invitation, out-of-band or not.
 * Returns 0 with c->invitation_url set; -1 with *cause, and *answered set
 * when the mediator answered but without an invitation.
 */
static int
preflight_invitation_as(struct config *c, int oob, int *answered,
    char **cause)
{
	struct http_response resp;
	struct json_object *o, *url;
	char *u = util_printf("%s%s", c->mediator_admin_url, oob ?
	    PREFLIGHT_INV_OOB : PREFLIGHT_INV_CONNECTIONS);
	int rc;

	http_response_init(&resp);
	rc = preflight_request(c, "POST", u, c->mediator_api_key, oob ?
	    PREFLIGHT_INV_OOB_BODY : PREFLIGHT_INV_CONNECTIONS_BODY, &resp,
	    cause);
	free(u);
	*answered = rc == 0;
	if (rc == 0 && (resp.status < 200 || resp.status > 299))
		rc = util_fail(cause, "%s: creating an invitation: HTTP %ld",
		    c->mediator_admin_url, resp.status);
	else if (rc == 0) {
		o = json_tokener_parse(resp.body.data ? resp.body.data : "");
		if (json_object_object_get_ex(o, "invitation_url", &url) &&
		    json_object_is_type(url, json_type_string)) {
			free(c->invitation_url);
			c->invitation_url = util_strdup(
			    json_object_get_string(url));
		} else
			rc = util_fail(cause, "%s: no invitation_url in the "
			    "answer", c->mediator_admin_url);
		json_object_put(o);
	}
	http_response_release(&resp);
	return rc;
}

/*
 * Creates a multi-use invitation on the mediator's admin API: with the
 * protocol asked for, else Connections 1.0 first and out-of-band when the
 * mediator gives none (ACA-Py 1.x has no Connections protocol).
 */
static int
preflight_invitation(struct config *c, char **cause)
{
	int answered;

	if (c->protocol != CONFIG_PROTOCOL_AUTO)
		return preflight_invitation_as(c, c->protocol ==
		    CONFIG_PROTOCOL_OOB, &answered, cause);
	if (preflight_invitation_as(c, 0, &answered, cause) == 0)
		return 0;
	if (!answered)
		return -1;
	free(*cause);	/* the first attempt's */
	*cause = NULL;
	return preflight_invitation_as(c, 1, &answered, cause);
}

int
preflight_check(struct config *c, int *status, char **cause)
{
	struct http_response resp;
	char *u, *m;
	int rc;

	*status = STATUS_UNREACHABLE;
	if (c->scenario == CONFIG_SCENARIO_HTTP)
		return 0;
	if (c->scenario == CONFIG_SCENARIO_EDGE)	/* no multi-tenant agent */
		return c->invitation_url == NULL && c->mediator_admin_url !=
		    NULL ? preflight_invitation(c, cause) : 0;
	u = util_printf("%s/status/ready", c->admin_url);
	http_response_init(&resp);
	rc = preflight_request(c, "GET", u, c->admin_api_key, NULL, &resp,
	    cause);
	if (rc == -1) {
		m = *cause;
		*cause = util_printf("admin API unreachable: %s", m);
		free(m);
	} else if (resp.status < 200 || resp.status > 299)
		rc = util_fail(cause, "admin API %s answered HTTP %ld%s", u,
		    resp.status, resp.status == 401 ? " (API key missing or "
		    "wrong: --admin-api-key-file or MEDLOAD_ADMIN_API_KEY)" :
		    "");
	http_response_release(&resp);
	free(u);
	if (rc == 0 && c->invitation_url == NULL &&
	    c->mediator_admin_url != NULL)
		rc = preflight_invitation(c, cause);
	return rc;
}

/* The trace settings of an answer of /status/config, as a line. */
static char *
preflight_trace_line(struct json_object *conf)
{
	struct json_object *en = jx_get(conf, "config"), *v;
	struct strbuf b;

	if (!jx_is_object(en))
		return util_strdup("gave no configuration");
	v = json_object_object_get(en, "trace.enabled");
	if (v == NULL || !json_object_get_boolean(v))
		return util_strdup("does not trace (no --trace)");
	strbuf_init(&b, 0);
	strbuf_adds(&b, "traces to ");
	util_safe_append(&b, jx_str(json_object_object_get(en,
	    "trace.target"), "(no target)"));
	strbuf_adds(&b, " (label ");
	util_safe_append(&b, jx_str(json_object_object_get(en,
	    "trace.label"), "-"));
	strbuf_adds(&b, ")");
	return strbuf_detach(&b);
}

char *
preflight_trace_target(const struct config *c, int mediator)
{
	struct http_response resp;
	struct json_object *conf;
	char *url, *cause = NULL, *line;
	const char *base = mediator ? c->mediator_admin_url : c->admin_url;

	if (base == NULL)
		return util_strdup("could not be asked (no admin URL)");
	url = util_printf("%s/status/config", base);
	http_response_init(&resp);
	if (preflight_request(c, "GET", url, mediator ? c->mediator_api_key :
	    c->admin_api_key, NULL, &resp, &cause) == -1 ||
	    resp.status != 200) {
		line = util_printf("could not be asked (%s)", cause ? cause :
		    "its admin API refused GET /status/config");
		free(cause);
	} else {
		conf = json_tokener_parse(resp.body.data ? resp.body.data : "");
		line = preflight_trace_line(conf);
		json_object_put(conf);
	}
	http_response_release(&resp);
	free(url);
	return line;
}
