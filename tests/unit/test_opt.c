/* test_opt.c: option tables: exact names, values, counts, help text. */
#include "opt.h"

#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util.h"

enum { T_OUT, T_BY, T_LABEL, T_QUIET, T_PWFILE, T_HELP };

static const struct opt test_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "out", 'o', "FILE", T_OUT, 0, "write to FILE" },
	{ "by", 0, "KEYS", T_BY, 0, "group keys,\ncomma-separated" },
	{ "label", 0, "GLOB", T_LABEL, OPT_MANY, "keep labels (repeatable)" },
	{ "quiet", 'q', NULL, T_QUIET, 0, "say less" },
	{ "password-file", 0, "F", T_PWFILE, 0, "the password's file" },
	{ "help", 'h', NULL, T_HELP, 0, "show this help" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* What the handler saw. */
struct seen {
	char log[512];
	int fail_on;
};

static int
test_take(void *ctx, int id, const char *value, char **cause)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);

	if (id == s->fail_on)
		return util_fail(cause, "--by: bad keys");
	snprintf(s->log + n, sizeof(s->log) - n, "%d=%s;", id,
	    value ? value : "-");
	return 0;
}

/* Parses argv (NULL-terminated, argv[0] a command name). */
static int
test_parse(struct seen *s, const char **argv, char ***ops, size_t *nops,
    char **cause)
{
	struct opt_group g = { test_opts, test_take, s };
	int argc = 0;

	while (argv[argc] != NULL)
		argc++;
	memset(s->log, 0, sizeof(s->log));
	return opt_parse(&g, 1, argc, (char **)argv, ops, nops, cause);
}

static void
test_forms(void)
{
	const char *argv[] = { "x", "a.json", "--out=r.txt", "--by", "label",
	    "-qh", "--label", "m*", "--label=n*", "-", "--", "--by", NULL };
	struct seen s = { .fail_on = -1 };
	char **ops, *cause = NULL;
	size_t n;

	CHECK(test_parse(&s, argv, &ops, &n, &cause) == 0);
	CHECK_STR(s.log, "0=r.txt;1=label;3=-;5=-;2=m*;2=n*;");
	CHECK(n == 3);
	CHECK_STR(ops[0], "a.json");
	CHECK_STR(ops[1], "-");
	CHECK_STR(ops[2], "--by");
	free(ops);
	free(cause);
}

static void
test_short_values(void)
{
	const char *a1[] = { "x", "-or.txt", NULL }, *a2[] = { "x", "-qo", "f",
	    NULL };
	struct seen s = { .fail_on = -1 };
	char **ops, *cause = NULL;
	size_t n;

	CHECK(test_parse(&s, a1, &ops, &n, &cause) == 0);
	CHECK_STR(s.log, "0=r.txt;");
	free(ops);
	CHECK(test_parse(&s, a2, &ops, &n, &cause) == 0);
	CHECK_STR(s.log, "3=-;0=f;");
	free(ops);
	free(cause);
}

/* No abbreviations, and never the value in the message. */
static void
test_exact_names(void)
{
	const char *argv[] = { "x", "--password", "wrong", NULL };
	const char *a2[] = { "x", "--pasword-file=secret", NULL };
	struct seen s = { .fail_on = -1 };
	char **ops, *cause = NULL;
	size_t n;

	CHECK(test_parse(&s, argv, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "unknown option '--password' (did you mean "
	    "'--password-file'?)");
	CHECK(strstr(cause, "wrong") == NULL);
	CHECK(ops == NULL);
	CHECK(test_parse(&s, a2, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "unknown option '--pasword-file' (did you mean "
	    "'--password-file'?)");
	CHECK(strstr(s.log, "secret") == NULL);
	free(cause);
}

static void
test_errors(void)
{
	const char *twice[] = { "x", "--out", "a", "-o", "b", NULL };
	const char *missing[] = { "x", "--by", NULL };
	const char *flagval[] = { "x", "--quiet=yes", NULL };
	const char *shortunk[] = { "x", "-z", NULL };
	const char *handler[] = { "x", "--by", "nope", NULL };
	const char *far[] = { "x", "--zzzzzzzz", NULL };
	struct seen s = { .fail_on = T_BY };
	char **ops, *cause = NULL;
	size_t n;

	CHECK(test_parse(&s, twice, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "option '--out' given twice (it takes one value)");
	CHECK(test_parse(&s, missing, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "option '--by' needs a value (KEYS)");
	CHECK(test_parse(&s, flagval, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "option '--quiet' takes no value");
	CHECK(test_parse(&s, shortunk, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "unknown option '-z'");
	CHECK(test_parse(&s, handler, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "--by: bad keys");
	CHECK(test_parse(&s, far, &ops, &n, &cause) == -1);
	CHECK_STR(cause, "unknown option '--zzzzzzzz'");
	free(cause);
}

static void
test_help_text(void)
{
	struct opt_group g = { test_opts, test_take, NULL };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	opt_help(f, &g, 1);
	fclose(f);
	CHECK_STR(buf,
	    "\nOptions:\n"
	    "  -o, --out FILE      write to FILE\n"
	    "  --by KEYS           group keys,\n"
	    "                      comma-separated\n"
	    "  --label GLOB        keep labels (repeatable)\n"
	    "  -q, --quiet         say less\n"
	    "  --password-file F   the password's file\n"
	    "  -h, --help          show this help\n");
	free(buf);
}

static void
test_values(void)
{
	static const char *const modes[] = { "raw", "aggs", "auto", NULL };
	unsigned long long u;
	double d;
	char *cause = NULL;
	int i;

	CHECK(opt_count("slices", "4", 1, 64, &u, &cause) == 0 && u == 4);
	CHECK(opt_count("slices", "0", 1, 64, &u, &cause) == -1);
	CHECK_STR(cause, "--slices: \"0\" is not a whole number from 1 to 64");
	CHECK(opt_count("slices", "\x1b[2J", 1, 64, &u, &cause) == -1);
	CHECK(strchr(cause, '\x1b') == NULL);
	CHECK(opt_duration("interval", "1m", 1, 3600, &d, &cause) == 0);
	CHECK_NUM(d, 60, 0);
	CHECK(opt_duration("interval", "0.5s", 1, 3600, &d, &cause) == -1);
	CHECK_STR(cause, "--interval: \"0.5s\" is not a duration from 1s to "
	    "3600s (like 500ms, 10s, 5m)");
	CHECK(opt_choice("mode", "aggs", modes, &i, &cause) == 0 && i == 1);
	CHECK(opt_choice("mode", "fast", modes, &i, &cause) == -1);
	CHECK_STR(cause, "--mode: \"fast\" is not raw, aggs or auto");
	free(cause);
}

int
main(void)
{
	RUN(test_forms);
	RUN(test_short_values);
	RUN(test_exact_names);
	RUN(test_errors);
	RUN(test_help_text);
	RUN(test_values);
	return CHECK_EXIT();
}
