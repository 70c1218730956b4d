/*
 * fuzz_opt.c: command lines (core/opt.c and every command's option
 * handlers): the input is the arguments, one a line, for the command the
 * first byte picks. --help comes first, so each command parses its whole
 * line (counts, durations, times, choices, URLs, thresholds, percentiles)
 * and then prints its help instead of running. Inputs naming /dev, /proc
 * or /sys are skipped (a handler may read a file a value names).
 * Oracle: the parse returns a usage error or success, never anything
 * else.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#define FUZZ_OPT_MAX 64

/* The commands, as cmd/main.c dispatches them. */
static int (*const fuzz_opt_cmds[])(int, char **) = { cmd_run, cmd_analyze,
    cmd_report, cmd_compare, cmd_nightly, cmd_collect, cmd_ingest };

/* Whether the input names a special file system. */
static int
fuzz_opt_special(const uint8_t *data, size_t size)
{
	return memmem(data, size, "/dev", 4) != NULL ||
	    memmem(data, size, "/proc", 5) != NULL ||
	    memmem(data, size, "/sys", 4) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char name[] = "medload-fuzz", help[] = "--help";
	static int ready;
	char *text, *argv[FUZZ_OPT_MAX + 3], *p, *nl;
	int argc = 0, status;

	if (size < 1 || fuzz_opt_special(data, size))
		return 0;
	if (!ready) {
		/* Help text to nowhere; "-" reads nothing; files stay here. */
		if (freopen("/dev/null", "w", stdout) == NULL ||
		    freopen("/dev/null", "r", stdin) == NULL ||
		    chdir(fuzzlib_dir()) == -1)
			abort();
		ready = 1;
	}
	text = fuzzlib_cstr(data + 1, size - 1);
	argv[argc++] = name;
	argv[argc++] = help;
	for (p = text; argc < FUZZ_OPT_MAX + 2; p = nl + 1) {
		argv[argc++] = p;
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		*nl = '\0';
	}
	argv[argc] = NULL;
	status = fuzz_opt_cmds[data[0] % (sizeof(fuzz_opt_cmds) /
	    sizeof(fuzz_opt_cmds[0]))](argc, argv);
	if (status != STATUS_OK && status != STATUS_USAGE)
		fuzzlib_fail("a parse that neither succeeds nor refuses",
		    NULL);
	free(text);
	return 0;
}
