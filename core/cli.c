/* cli.c: helpers every subcommand uses for errors and outputs. */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

void
cli_error(const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = util_vprintf(fmt, ap);
	va_end(ap);
	cli_error_safe(msg);
	free(msg);
}

void
cli_error_safe(const char *msg)
{
	fputs("medload: ", stderr);
	util_fput_safe(msg != NULL ? msg : "failed", stderr);
	fputc('\n', stderr);
}

int
cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	va_start(ap, fmt);
	msg = util_vprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, "medload %s: ", cmd);
	util_fput_safe(msg, stderr);
	fprintf(stderr, "\nTry 'medload help %s'.\n", cmd);
	free(msg);
	return STATUS_USAGE;
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

int
cli_bad_option(int c, char *const argv[], char **cause)
{
	return util_fail(cause, c == ':' ? "option '%s' needs a value" :
	    "unknown option '%s'", argv[optind - 1]);
}
