/* es_cli.c: shared search-engine options. */
#include "es_cli.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
es_cli_init(struct es_cli *e)
{
	memset(e, 0, sizeof(*e));
	e->http.retries = -1;
}

int
es_cli_option(struct es_cli *e, int c, const char *arg)
{
	switch (c) {
	case ES_CLI_USER:
		e->http.user = arg;
		return 1;
	case ES_CLI_PWFILE:
		e->pwfile = arg;
		return 1;
	case ES_CLI_KEYFILE:
		e->keyfile = arg;
		return 1;
	case ES_CLI_CACERT:
		e->http.cacert = arg;
		return 1;
	case ES_CLI_INSECURE:
		e->http.insecure = 1;
		return 1;
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
				util_fail(cause, "--user needs a password: set "
				    "MEDLOAD_ES_PASSWORD or give --password-file");
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
