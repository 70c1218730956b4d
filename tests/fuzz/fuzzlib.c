/* fuzzlib.c: the helpers every harness of tests/fuzz/ shares. */
#include "fuzzlib.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char *fuzzlib_tmp;

char *
fuzzlib_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int
fuzzlib_next(const uint8_t **data, size_t *size, const uint8_t **part,
    size_t *len)
{
	const size_t seplen = sizeof(FUZZLIB_SEP) - 1;
	const uint8_t *sep;

	if (*data == NULL)
		return -1;
	*part = *data;
	sep = *size >= seplen ? memmem(*data, *size, FUZZLIB_SEP, seplen) :
	    NULL;
	if (sep == NULL) {
		*len = *size;
		*data = NULL;
		*size = 0;
		return 0;
	}
	*len = (size_t)(sep - *data);
	*size -= *len + seplen;
	*data = sep + seplen;
	return 0;
}

/* Removes one entry of the private folder (an nftw callback). */
static int
fuzzlib_rm(const char *path, const struct stat *st, int flag,
    struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) == -1)
		perror(path);
	return 0;
}

/* Removes the private folder and what the harness left in it. */
static void
fuzzlib_cleanup(void)
{
	if (fuzzlib_tmp != NULL)
		nftw(fuzzlib_tmp, fuzzlib_rm, 16, FTW_DEPTH | FTW_PHYS);
}

const char *
fuzzlib_dir(void)
{
	const char *t = getenv("TMPDIR");

	if (fuzzlib_tmp != NULL)
		return fuzzlib_tmp;
	fuzzlib_tmp = util_printf("%s/medload-fuzz.XXXXXX",
	    t && *t ? t : "/tmp");
	if (mkdtemp(fuzzlib_tmp) == NULL) {
		perror(fuzzlib_tmp);
		abort();
	}
	atexit(fuzzlib_cleanup);
	return fuzzlib_tmp;
}

char *
fuzzlib_file(const char *name, const uint8_t *data, size_t size)
{
	char *path = util_printf("%s/%s", fuzzlib_dir(), name);
	FILE *f = fopen(path, "wb");

	if (f == NULL || (size > 0 && fwrite(data, 1, size, f) != size) ||
	    fclose(f) != 0) {
		perror(path);
		abort();
	}
	return path;
}

FILE *
fuzzlib_null(void)
{
	static FILE *null;

	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	return null;
}

void
fuzzlib_fail(const char *what, const char *detail)
{
	const char *log = getenv("FUZZ_ORACLE_LOG");
	FILE *f = log != NULL ? fopen(log, "a") : NULL;

	/* tests/fuzz/run closes stderr (-close_fd_mask): a file then. */
	fprintf(f ? f : stderr, "fuzz oracle: %s: %.500s\n", what,
	    detail ? detail : "");
	if (f != NULL)
		fclose(f);
	abort();
}

void
fuzzlib_edit(char **t, size_t *len, const uint8_t *e, size_t n)
{
	size_t i, at;

	for (i = 0; i + 4 <= n && i / 4 < FUZZLIB_EDITS && *len > 0; i += 4) {
		at = ((size_t)e[i] << 8 | e[i + 1]) % *len;
		if (e[i + 2] % 3 == 0)
			(*t)[at] = (char)e[i + 3];
		else if (e[i + 2] % 3 == 1) {
			memmove(*t + at, *t + at + 1, *len - at - 1);
			(*len)--;
		} else {
			*t = util_realloc(*t, *len + 1);
			memmove(*t + at + 1, *t + at, *len - at);
			(*t)[at] = (char)e[i + 3];
			(*len)++;
		}
	}
}

void
fuzzlib_dump(const char *var, uint8_t lead, const char *data, size_t n)
{
	const char *path = getenv(var);
	FILE *f;

	if (path == NULL || (f = fopen(path, "wb")) == NULL)
		return;
	fputc(lead, f);
	fwrite(data, 1, n, f);
	fclose(f);
}

void
fuzzlib_cause(char *cause)
{
	size_t i;

	if (cause == NULL || cause[0] == '\0')
		fuzzlib_fail("a refusal without a reason", NULL);
	for (i = 0; cause[i] != '\0'; i++)
		if ((unsigned char)cause[i] < 0x20 || cause[i] == 0x7f)
			fuzzlib_fail("a refusal with a control character",
			    cause);
	free(cause);
}
