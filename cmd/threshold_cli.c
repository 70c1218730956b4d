/* threshold_cli.c: the threshold options every judging command shares. */
#include "threshold_cli.h"

enum { THRESHOLD_CLI_EXPR, THRESHOLD_CLI_LIST };

const struct opt threshold_cli_opts[] = {
	{ "threshold", 0, "EXPR", THRESHOLD_CLI_EXPR, OPT_MANY,
	    "pass/fail threshold, k6-like: 'p95<250',\n"
	    "'label=mediator.trace outcome=*END p99<1s',\n"
	    "'error_rate<1%', 'rate>50' (repeatable; see\n"
	    "medload(1)); a breach exits with status 5" },
	{ "thresholds", 0, "FILE", THRESHOLD_CLI_LIST, OPT_MANY,
	    "thresholds from FILE (one a line, or YAML with a\n"
	    "'thresholds:' list)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

int
threshold_cli_take(void *ctx, int id, const char *value, char **cause)
{
	struct threshold_set *s = ctx;

	if (id == THRESHOLD_CLI_EXPR)
		return threshold_set_add(s, value, cause);
	return threshold_set_load(s, value, cause);
}
