/* threshold_cli.h: --threshold and --thresholds, for every command. */
#ifndef MEDLOAD_THRESHOLD_CLI_H
#define MEDLOAD_THRESHOLD_CLI_H

#include "opt.h"
#include "threshold.h"

/* The options' table, with their help text. */
extern const struct opt threshold_cli_opts[];

/* The opt_fn of threshold_cli_opts; ctx is a struct threshold_set. */
int threshold_cli_take(void *ctx, int id, const char *value, char **cause);

/* An opt_group adding to the threshold set s. */
#define THRESHOLD_CLI_GROUP(s) { threshold_cli_opts, threshold_cli_take, (s) }

#endif
