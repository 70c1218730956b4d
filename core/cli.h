/* cli.h: messages to the user of the command line. */
#ifndef MEDLOAD_CLI_H
#define MEDLOAD_CLI_H

#include <signal.h>
#include <stdio.h>

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

/*
 * Prints "medload: <msg>" on stderr with control characters made visible:
 * for messages that quote a file, a server or a trace.
 */
void cli_error_safe(const char *msg);

/*
 * The cause of a getopt_long error: c is ':' for a missing value, anything
 * else for an unknown option. Returns -1.
 */
int cli_bad_option(int c, char *const argv[], char **cause);

/* Prints a usage error for cmd and returns STATUS_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/*
 * Opens an output: "-" or NULL is stdout; anything else is written to a
 * temporary file renamed into place by cli_output_close. NULL on error
 * with *cause set.
 */
FILE *cli_output_open(const char *path, char **tmp, char **cause);

/* Closes an output; renames the temporary when ok, else removes it. */
int cli_output_close(FILE *f, const char *path, char *tmp, int ok,
    char **cause);

#endif
