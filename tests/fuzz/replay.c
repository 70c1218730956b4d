/*
 * replay.c: a main for the harnesses without libFuzzer, so `make check`
 * replays the kept corpora and the inputs of every crash found
 * (tests/fuzz/corpus/NAME, tests/fuzz/regress/NAME) with the normal
 * compiler, under the sanitizers in CI's sanitizer pass. Each argument is
 * a file or a folder of files; a broken oracle or a sanitizer ends the
 * process. Prints the number of inputs replayed on stderr (a harness may
 * send its standard output to /dev/null).
 */
#include "fuzzlib.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

/* Replays one file; returns 1, or 0 when it cannot be read. */
static int
replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (f == NULL) {
		perror(path);
		return 0;
	}
	do {
		if (len == cap) {
			cap = cap ? cap * 2 : 4096;
			buf = realloc(buf, cap);
			if (buf == NULL)
				abort();
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	fclose(f);
	/* A copy of exactly len bytes, as libFuzzer hands them. */
	LLVMFuzzerTestOneInput(len ? buf : (const uint8_t *)"", len);
	free(buf);
	return 1;
}

/* Replays a file, or every file of a folder in name order. */
static long
replay_path(const char *path)
{
	struct dirent **names;
	struct stat st;
	char *p;
	long done = 0;
	int i, n;

	if (stat(path, &st) == -1)
		return 0;	/* a harness without regressions yet */
	if (!S_ISDIR(st.st_mode))
		return replay_file(path);
	n = scandir(path, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			p = util_printf("%s/%s", path, names[i]->d_name);
			done += replay_file(p);
			free(p);
		}
		free(names[i]);
	}
	free(n >= 0 ? names : NULL);
	return done;
}

int
main(int argc, char **argv)
{
	long done = 0;
	int i;

	for (i = 1; i < argc; i++)
		done += replay_path(argv[i]);
	fprintf(stderr, "%ld inputs replayed\n", done);
	return 0;
}
