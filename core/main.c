/* main.c: medload's entry point and subcommand dispatch. */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"
#include "version.h"

const struct cli_cmd cli_cmds[] = {
	{ "analyze", cmd_analyze,
	    "aggregate ACA-Py trace events from files by label, handler, outcome",
	    cmd_analyze_help },
	{ NULL, NULL, NULL, NULL },
};

void
cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("medload: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "medload %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'medload help %s'.\n", cmd);
	return EXIT_USAGE;
}

FILE *
cli_output_open(const char *path, char **tmp, char **cause)
{
	FILE *f;
	int fd;

	*tmp = NULL;
	if (path == NULL || strcmp(path, "-") == 0)
		return stdout;
	*tmp = util_printf("%s.tmp.XXXXXX", path);
	fd = mkstemp(*tmp);
	if (fd == -1 || (f = fdopen(fd, "w")) == NULL) {
		util_fail(cause, "%s: cannot write: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(*tmp);
		}
		free(*tmp);
		*tmp = NULL;
		return NULL;
	}
	return f;
}

int
cli_output_close(FILE *f, const char *path, char *tmp, int ok, char **cause)
{
	int rc = 0;

	if (f == stdout) {
		if (fflush(stdout) == EOF)
			rc = util_fail(cause, "standard output: %s",
			    strerror(errno));
		return rc;
	}
	if (fclose(f) == EOF)
		rc = util_fail(cause, "%s: %s", path, strerror(errno));
	if (rc == 0 && ok && rename(tmp, path) == -1)
		rc = util_fail(cause, "%s: %s", path, strerror(errno));
	if (rc == -1 || !ok)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Prints the top-level help. */
static void
main_help(FILE *out)
{
	const struct cli_cmd *c;

	fprintf(out,
	    "usage: medload [--version] [--help] COMMAND [ARGS]\n"
	    "\n"
	    "Load-test DIDComm mediators and analyze ACA-Py trace events.\n"
	    "\n"
	    "Commands:\n");
	for (c = cli_cmds; c->name != NULL; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->summary);
	fprintf(out,
	    "  %-10s %s\n"
	    "\n"
	    "'medload help COMMAND' or 'medload COMMAND --help' shows a "
	    "command's options.\nSee medload(1) for exit statuses and "
	    "examples.\n", "help", "show help for a command");
}

/* Finds a command by name. */
static const struct cli_cmd *
main_find(const char *name)
{
	const struct cli_cmd *c;

	for (c = cli_cmds; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *c;

	if (argc < 2) {
		main_help(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		main_help(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		printf("medload %s\n", MEDLOAD_VERSION);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			main_help(stdout);
			return EXIT_OK;
		}
		c = main_find(argv[2]);
		if (c == NULL) {
			cli_error("no such command: '%s'", argv[2]);
			return EXIT_USAGE;
		}
		fputs(c->help, stdout);
		return EXIT_OK;
	}
	if (argv[1][0] == '-') {
		cli_error("unknown option '%s'", argv[1]);
		main_help(stderr);
		return EXIT_USAGE;
	}
	c = main_find(argv[1]);
	if (c == NULL) {
		cli_error("no such command: '%s' (see 'medload --help')",
		    argv[1]);
		return EXIT_USAGE;
	}
	return c->run(argc - 1, argv + 1);
}
