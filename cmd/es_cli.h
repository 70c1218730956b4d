/*
 * es_cli.h: the options every subcommand that talks to a search engine
 * shares: --user, --password-file, --api-key-file, --cacert, --insecure.
 * Secrets come from files or the environment, never argv; a file named
 * on the command line beats the environment.
 */
#ifndef MEDLOAD_ES_CLI_H
#define MEDLOAD_ES_CLI_H

#include "http.h"
#include "opt.h"

struct es_cli {
	struct http_opts http;
	const char *pwfile;
	const char *keyfile;
	char *password;
	char *api_key;
};

/* The options' table, with their help text. */
extern const struct opt es_cli_opts[];

/* The opt_fn of es_cli_opts; ctx is a struct es_cli. */
int es_cli_take(void *ctx, int id, const char *value, char **cause);

/*
 * The same without --cacert and --insecure, for a command whose own
 * settings hold those (medload run).
 */
extern const struct opt *const es_cli_auth_opts;

/* An opt_group for e. */
#define ES_CLI_GROUP(e) { es_cli_opts, es_cli_take, (e) }

/* Starts with TLS verification on and default retries. */
void es_cli_init(struct es_cli *e);

/* Reads the secrets named; 0, or -1 with *cause (a usage error). */
int es_cli_finish(struct es_cli *e, char **cause);

/* Wipes and frees the secrets. */
void es_cli_release(struct es_cli *e);

#endif
