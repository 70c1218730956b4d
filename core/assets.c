/* assets.c: embedded files with on-disk overrides. */
#include "assets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Largest override file read. */
#define ASSETS_MAX ((size_t)4 << 20)

/* Reads a whole file; NULL with errno set when it cannot. */
static char *
assets_read_file(const char *file, size_t *len, char **cause)
{
	struct strbuf b;
	char buf[8192];
	size_t n;
	FILE *f;

	f = fopen(file, "rb");
	if (f == NULL)
		return NULL;
	strbuf_init(&b, ASSETS_MAX);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		if (strbuf_add(&b, buf, n) == -1) {
			util_fail(cause, "%s: larger than %zu bytes", file,
			    ASSETS_MAX);
			fclose(f);
			strbuf_release(&b);
			errno = EFBIG;
			return NULL;
		}
	}
	if (ferror(f)) {
		util_fail(cause, "%s: read error: %s", file, strerror(errno));
		fclose(f);
		strbuf_release(&b);
		errno = EIO;
		return NULL;
	}
	fclose(f);
	*len = b.len;
	return strbuf_detach(&b);
}

char *
assets_load(const char *dir, const char *path, size_t *len, char **cause)
{
	const struct asset *a;
	const char *base = strrchr(path, '/');
	char *file, *data;
	size_t dummy;

	if (len == NULL)
		len = &dummy;
	base = base ? base + 1 : path;
	if (dir != NULL) {
		file = util_printf("%s/%s", dir, base);
		data = assets_read_file(file, len, cause);
		if (data == NULL && errno != ENOENT) {
			if (cause != NULL && *cause == NULL)
				util_fail(cause, "%s: %s", file,
				    strerror(errno));
			free(file);
			return NULL;
		}
		free(file);
		if (data != NULL)
			return data;
	}
	for (a = assets_embedded; a->path != NULL; a++) {
		if (strcmp(a->path, path) == 0) {
			*len = a->len;
			return util_strndup(a->data, a->len);
		}
	}
	util_fail(cause, "%s: no such template or query", path);
	return NULL;
}
