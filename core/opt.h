/*
 * opt.h: command-line options from tables. Each subcommand describes its
 * options once, in tables of struct opt with their help text; the parser,
 * `--help` and the man page test all read those tables, so they cannot
 * drift (after tmux's cmd_entry and curl's tool_getparam tables).
 *
 * Long options are matched exactly (no abbreviations): `--password wrong`
 * is an unknown option, not `--password-file`, and a value is never shown
 * in a message. `--name=value` and `--name value` both work; short options
 * take `-o value` or `-ovalue`; `--` ends the options; `-` is an operand.
 * An option not marked OPT_MANY may be given once.
 */
#ifndef MEDLOAD_OPT_H
#define MEDLOAD_OPT_H

#include <stddef.h>
#include <stdio.h>

enum {
	OPT_MANY = 1,	/* may be given more than once */
};

/*
 * One option. A table ends with an entry whose name and help are NULL; an
 * entry with a NULL name and a help text is a heading in --help.
 */
struct opt {
	const char *name;	/* long name, without "--" */
	char letter;		/* short name, or 0 */
	const char *arg;	/* the value's placeholder ("FILE"), NULL: a flag */
	int id;			/* handed to the group's handler */
	unsigned flags;		/* OPT_MANY */
	const char *help;	/* help text; '\n' separates its lines */
};

/*
 * Called for each option found, in command-line order, with the value
 * (NULL for a flag). Returns 0, or -1 with *cause (the parser adds nothing
 * to the message, so name the option in it).
 */
typedef int (*opt_fn)(void *ctx, int id, const char *value, char **cause);

/* A table of options and the handler that takes them. */
struct opt_group {
	const struct opt *opts;
	opt_fn fn;
	void *ctx;
};

/*
 * Parses argv[1..argc) against the groups. Operands (arguments that are
 * not options) are collected in order into *operands (a new array of
 * borrowed argv strings; caller frees the array) and counted in *nops.
 * Returns 0, or -1 with *cause (an unknown option with the nearest known
 * one suggested, a missing value, an option given twice, or the handler's
 * message).
 */
int opt_parse(const struct opt_group *groups, size_t ngroups, int argc,
    char **argv, char ***operands, size_t *nops, char **cause);

/* Prints the options of the groups as --help shows them. */
void opt_help(FILE *out, const struct opt_group *groups, size_t ngroups);

/*
 * Parses a count for option name: a whole number from min to max.
 * Returns 0, or -1 with *cause naming the option and the range.
 */
int opt_count(const char *name, const char *value, unsigned long long min,
    unsigned long long max, unsigned long long *out, char **cause);

/*
 * Parses a duration for option name (10s, 1m, 250ms, 2h; a plain number is
 * seconds) from min to max seconds. Returns 0, or -1 with *cause.
 */
int opt_duration(const char *name, const char *value, double min, double max,
    double *out, char **cause);

/*
 * Parses value as one of the NULL-terminated choices; *out gets its index.
 * Returns 0, or -1 with *cause listing the choices.
 */
int opt_choice(const char *name, const char *value,
    const char *const *choices, int *out, char **cause);

#endif
