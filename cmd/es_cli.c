/* es_cli.c: shared search-engine options. */
#include "es_cli.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

enum { ES_CLI_USER, ES_CLI_PWFILE, ES_CLI_KEYFILE, ES_CLI_CACERT,
    ES_CLI_INSECURE };

const struct opt es_cli_opts[] = {
	{ "cacert", 0, "FILE", ES_CLI_CACERT, 0, "trust this CA bundle for "
	    "https" },
	{ "insecure", 0, NULL, ES_CLI_INSECURE, 0, "do not verify TLS "
	    "certificates (not recommended)" },
	{ "user", 0, "USER", ES_CLI_USER, 0, "basic auth user; the password "
	    "comes from\n--password-file or the environment variable\n"
	    "MEDLOAD_ES_PASSWORD, never from the command line" },
	{ "password-file", 0, "F", ES_CLI_PWFILE, 0, "read the basic auth "
	    "password from F" },
	{ "api-key-file", 0, "F", ES_CLI_KEYFILE, 0, "send 'Authorization: "
	    "ApiKey' with the key in F (or\nMEDLOAD_ES_API_KEY)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct opt *const es_cli_auth_opts = es_cli_opts + 2;

void
es_cli_init(struct es_cli *e)
{
	memset(e, 0, sizeof(*e));
	e->http.retries = -1;
}

int
es_cli_take(void *ctx, int id, const char *value, char **cause)
{
	struct es_cli *e = ctx;

	(void)cause;
	switch (id) {
	case ES_CLI_USER:
		e->http.user = value;
		break;
	case ES_CLI_PWFILE:
		e->pwfile = value;
		break;
	case ES_CLI_KEYFILE:
		e->keyfile = value;
		break;
	case ES_CLI_CACERT:
		e->http.cacert = value;
		break;
	case ES_CLI_INSECURE:
		e->http.insecure = 1;
		break;
	}
	return 0;
}

int
es_cli_finish(struct es_cli *e, char **cause)
{
	if (e->http.user != NULL) {
		e->password = http_read_secret("MEDLOAD_ES_PASSWORD", e->pwfile,
		    cause);
		if (e->password == NULL) {
			if (cause != NULL && *cause == NULL)
				util_fail(cause, "--user needs a password: give "
				    "--password-file or set MEDLOAD_ES_PASSWORD");
			return -1;
		}
		e->http.password = e->password;
	}
	e->api_key = http_read_secret("MEDLOAD_ES_API_KEY", e->keyfile, cause);
	if (e->api_key == NULL && cause != NULL && *cause != NULL)
		return -1;
	e->http.api_key = e->api_key;
	return 0;
}

/* Overwrites and frees a secret. */
static void
es_cli_wipe(char *s)
{
	if (s == NULL)
		return;
	memset(s, 0, strlen(s));
	free(s);
}

void
es_cli_release(struct es_cli *e)
{
	es_cli_wipe(e->password);
	es_cli_wipe(e->api_key);
	e->password = e->api_key = NULL;
}
