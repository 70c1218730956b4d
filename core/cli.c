/* cli.c: messages to the user, control characters made visible. */
#include "cli.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

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
