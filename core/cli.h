/* cli.h: messages to the user of the command line. */
#ifndef MEDLOAD_CLI_H
#define MEDLOAD_CLI_H

#include "status.h"

/*
 * Prints "medload: <msg>" on stderr, control characters made visible (a
 * message may quote a file name, a server or a trace).
 */
void cli_error(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

/* The same for a message already formatted (NULL: "failed"). */
void cli_error_safe(const char *msg);

/* Prints a usage error for cmd and returns STATUS_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
