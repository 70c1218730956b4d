/*
 * assets.h: the files medload ships beside its code (report templates,
 * Elasticsearch queries), embedded at build time and overridable on disk.
 */
#ifndef MEDLOAD_ASSETS_H
#define MEDLOAD_ASSETS_H

#include <stddef.h>

struct asset {
	const char *path;	/* relative to the source tree */
	const char *data;
	size_t len;
};

/* Every embedded file, ended by an entry whose path is NULL. */
extern const struct asset assets_embedded[];

/*
 * Loads an asset by its source path ("report-templates/analysis.txt.tmpl").
 * When dir is not NULL and dir/<basename> exists, that file is read
 * instead (a user's override); otherwise the embedded copy is used.
 * Returns a new NUL-terminated string (caller frees) or NULL with *cause.
 */
char *assets_load(const char *dir, const char *path, size_t *len,
    char **cause);

#endif
