/*
 * es_cli.h: the command-line options every subcommand that talks to a
 * search engine shares: --user, --password-file, --api-key-file, --cacert,
 * --insecure. Secrets come from files or the environment, never argv.
 */
#ifndef MEDLOAD_ES_CLI_H
#define MEDLOAD_ES_CLI_H

#include <getopt.h>

#include "http.h"

enum {
	ES_CLI_USER = 5000,
	ES_CLI_PWFILE,
	ES_CLI_KEYFILE,
	ES_CLI_CACERT,
	ES_CLI_INSECURE,
};

/* Entries for a getopt_long table. */
#define ES_CLI_OPTIONS							\
	{ "user", required_argument, NULL, ES_CLI_USER },		\
	{ "password-file", required_argument, NULL, ES_CLI_PWFILE },	\
	{ "api-key-file", required_argument, NULL, ES_CLI_KEYFILE },	\
	{ "cacert", required_argument, NULL, ES_CLI_CACERT },		\
	{ "insecure", no_argument, NULL, ES_CLI_INSECURE }

/* The help lines of those options. */
#define ES_CLI_HELP							\
"  --user USER         basic auth user; the password comes from the\n"	\
"                      environment variable MEDLOAD_ES_PASSWORD or\n"	\
"                      --password-file, never from the command line\n"	\
"  --password-file F   read the basic auth password from F\n"		\
"  --api-key-file F    send 'Authorization: ApiKey' with the key in F (or\n" \
"                      MEDLOAD_ES_API_KEY)\n"				\
"  --cacert FILE       trust this CA bundle for https\n"		\
"  --insecure          do not verify TLS certificates (not recommended)\n"

struct es_cli {
	struct http_opts http;
	const char *pwfile;
	const char *keyfile;
	char *password;
	char *api_key;
};

/* Starts with TLS verification on and default retries. */
void es_cli_init(struct es_cli *e);

/* Takes one option; returns 1 when it was one of ours, else 0. */
int es_cli_option(struct es_cli *e, int c, const char *arg);

/* Reads the secrets named; 0, or -1 with *cause (a usage error). */
int es_cli_finish(struct es_cli *e, char **cause);

/* Wipes and frees the secrets. */
void es_cli_release(struct es_cli *e);

#endif
