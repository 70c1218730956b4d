/*
 * files.h: creating folders and writing output files safely. An output is
 * written to a temporary file made with mkstemp in its own folder and
 * renamed into place when complete, so a reader never sees half a file and
 * a link planted under a name medload chose is replaced, never followed.
 * Special files (a terminal, /dev/null, a pipe) are written in place.
 */
#ifndef MEDLOAD_FILES_H
#define MEDLOAD_FILES_H

#include <stdio.h>

/* How files_open treats what is already at the path. */
enum files_kind {
	/*
	 * A path the user named (-o, --junit): "-" is standard output; a
	 * symbolic link is followed to what it names; a special file is
	 * written in place; a regular file is replaced.
	 */
	FILES_USER,
	/*
	 * A name medload chose inside a folder it writes (report files,
	 * charts, spools): whatever is there, a link included, is replaced.
	 */
	FILES_OWN,
};

/* An output being written. */
struct files_out {
	FILE *f;		/* write here */
	char *path;		/* where it ends up */
	char *tmp;		/* the temporary, or NULL when in place */
	int mode;		/* permissions of the result */
};

/*
 * Opens path for writing as kind says. Returns 0 with o->f set, or -1 with
 * *cause naming the path and the reason.
 */
int files_open(struct files_out *o, const char *path, enum files_kind kind,
    char **cause);

/*
 * Finishes an output: when ok, flushes it and moves the temporary into
 * place; otherwise (or on a write error) removes the temporary and leaves
 * what was at the path untouched. Returns 0, or -1 with *cause (when cause
 * is not NULL). o is released either way.
 */
int files_close(struct files_out *o, int ok, char **cause);

/*
 * Writes len bytes of data to path in one go (files_open, fwrite,
 * files_close). Returns 0 or -1 with *cause.
 */
int files_write(const char *path, enum files_kind kind, const void *data,
    size_t len, char **cause);

/*
 * Creates dir and its missing parents (mode 0755 before the umask).
 * Returns 0, or -1 with *cause naming the folder that could not be made.
 */
int files_mkdirs(const char *dir, char **cause);

/*
 * Checks that dir is a folder medload may fill with files of its own: it
 * must not be writable by every user unless it has the sticky bit (as
 * /tmp does), since another user could then swap what medload writes.
 * Returns 0, or -1 with *cause saying why.
 */
int files_check_dir(const char *dir, char **cause);

/*
 * Reads a whole file ("-" is standard input) into a new NUL-terminated
 * buffer (caller frees) of at most max bytes; *len gets its length.
 * Returns NULL with *cause naming the file when it cannot be read or is
 * larger than max.
 */
char *files_read(const char *path, size_t max, size_t *len, char **cause);

#endif
