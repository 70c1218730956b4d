/* cmd.c: what every subcommand shares: --help and its printing. */
#include "cmd.h"

const struct opt cmd_help_opts[] = {
	{ "help", 'h', NULL, 0, OPT_MANY, "show this help" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

int
cmd_help_take(void *ctx, int id, const char *value, char **cause)
{
	(void)id;
	(void)value;
	(void)cause;
	*(int *)ctx = 1;
	return 0;
}

void
cmd_help(FILE *out, const char *usage, const struct opt_group *groups,
    size_t ngroups, const char *after)
{
	fputs(usage, out);
	opt_help(out, groups, ngroups);
	if (after != NULL) {
		fputc('\n', out);
		fputs(after, out);
	}
}
