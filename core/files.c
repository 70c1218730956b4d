/* files.c: folders and output files written safely. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

/* The permissions a new file gets: 0666 less the process umask. */
static int
files_new_mode(void)
{
	static int mode = -1;

	if (mode == -1) {
		mode_t m = umask(022);

		umask(m);
		mode = 0666 & ~(int)m;
	}
	return mode;
}

/* The folder part of path (caller frees). */
static char *
files_dirname(const char *path)
{
	char *copy = util_strdup(path), *d = util_strdup(dirname(copy));

	free(copy);
	return d;
}

/* Opens a temporary beside path; 0 or -1 with *cause. */
static int
files_open_tmp(struct files_out *o, const char *path, int mode,
    char **cause)
{
	char *dir = files_dirname(path), *copy = util_strdup(path);
	int fd;

	o->tmp = util_printf("%s/.%s.tmp.XXXXXX", dir, basename(copy));
	free(copy);
	free(dir);
	fd = mkstemp(o->tmp);
	if (fd == -1 || (o->f = fdopen(fd, "w")) == NULL) {
		util_fail(cause, "%s: cannot write: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(o->tmp);
		}
		free(o->tmp);
		o->tmp = NULL;
		return -1;
	}
	o->path = util_strdup(path);
	o->mode = mode;
	return 0;
}

/* Opens a special file (device, pipe, socket) for writing in place. */
static int
files_open_in_place(struct files_out *o, const char *path, char **cause)
{
	int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);

	if (fd == -1 || (o->f = fdopen(fd, "w")) == NULL) {
		util_fail(cause, "%s: cannot write: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	o->path = util_strdup(path);
	return 0;
}

/* A path the user named: follow a link, keep special files in place. */
static int
files_open_user(struct files_out *o, const char *path, char **cause)
{
	struct stat st;
	char *real;
	int rc;

	if (lstat(path, &st) == -1) {
		if (errno != ENOENT)
			return util_fail(cause, "%s: %s", path,
			    strerror(errno));
		return files_open_tmp(o, path, files_new_mode(), cause);
	}
	if (S_ISLNK(st.st_mode)) {
		real = realpath(path, NULL);
		if (real == NULL)
			return util_fail(cause, "%s: a link to nothing usable: "
			    "%s", path, strerror(errno));
		if (lstat(real, &st) == -1) {
			free(real);
			return util_fail(cause, "%s: %s", path,
			    strerror(errno));
		}
		rc = S_ISDIR(st.st_mode) ? util_fail(cause, "%s: is a folder",
		    path) : S_ISREG(st.st_mode) ? files_open_tmp(o, real,
		    (int)(st.st_mode & 07777), cause) :
		    files_open_in_place(o, real, cause);
		free(real);
		return rc;
	}
	if (S_ISDIR(st.st_mode))
		return util_fail(cause, "%s: is a folder", path);
	if (S_ISREG(st.st_mode))
		return files_open_tmp(o, path, (int)(st.st_mode & 07777),
		    cause);
	return files_open_in_place(o, path, cause);
}

int
files_open(struct files_out *o, const char *path, enum files_kind kind,
    char **cause)
{
	struct stat st;

	memset(o, 0, sizeof(*o));
	if (kind == FILES_USER && (path == NULL || strcmp(path, "-") == 0)) {
		o->f = stdout;
		return 0;
	}
	if (kind == FILES_USER)
		return files_open_user(o, path, cause);
	if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return util_fail(cause, "%s: is a folder", path);
	return files_open_tmp(o, path, files_new_mode(), cause);
}

int
files_close(struct files_out *o, int ok, char **cause)
{
	const char *name = o->path != NULL ? o->path : "standard output";
	int rc = 0, err;

	if (o->f == NULL)
		return 0;
	if (o->f == stdout) {
		if (fflush(stdout) == EOF || ferror(stdout))
			rc = util_fail(cause, "%s: %s", name, strerror(errno));
		o->f = NULL;
		return rc;
	}
	if (o->tmp != NULL && fchmod(fileno(o->f), (mode_t)o->mode) == -1)
		ok = 0;
	err = ferror(o->f);
	if (fclose(o->f) == EOF || err) {
		if (ok)
			rc = util_fail(cause, "%s: cannot write: %s", name,
			    strerror(errno ? errno : EIO));
		ok = 0;
	}
	if (o->tmp != NULL) {
		if (ok && rename(o->tmp, o->path) == -1) {
			rc = util_fail(cause, "%s: %s", name, strerror(errno));
			ok = 0;
		}
		if (!ok)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->path);
	memset(o, 0, sizeof(*o));
	return rc;
}

int
files_write(const char *path, enum files_kind kind, const void *data,
    size_t len, char **cause)
{
	struct files_out o;
	int ok;

	if (files_open(&o, path, kind, cause) == -1)
		return -1;
	ok = len == 0 || fwrite(data, 1, len, o.f) == len;
	if (!ok && cause != NULL)
		util_fail(cause, "%s: cannot write: %s", path, strerror(errno));
	if (files_close(&o, ok, ok ? cause : NULL) == -1 || !ok)
		return -1;
	return 0;
}

/* Makes one folder; an existing folder is fine. */
static int
files_mkdir_one(const char *p, char **cause)
{
	struct stat st;

	if (mkdir(p, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return util_fail(cause, "%s: cannot create the folder: %s", p,
	    errno == EEXIST ? "a file is in the way" : strerror(errno));
}

int
files_mkdirs(const char *dir, char **cause)
{
	char *p = util_strdup(dir), *s;
	int rc = 0;

	for (s = p + 1; *s != '\0' && rc == 0; s++) {
		if (*s != '/' || s[-1] == '/')
			continue;
		*s = '\0';
		rc = files_mkdir_one(p, cause);
		*s = '/';
	}
	if (rc == 0)
		rc = files_mkdir_one(p, cause);
	free(p);
	return rc;
}

int
files_check_dir(const char *dir, char **cause)
{
	struct stat st;

	if (stat(dir, &st) == -1)
		return util_fail(cause, "%s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return util_fail(cause, "%s: not a folder", dir);
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		return util_fail(cause, "%s: every user may write in this "
		    "folder (mode %04o, no sticky bit), so another user could "
		    "swap the files medload writes there; use a folder of "
		    "your own", dir, (unsigned)(st.st_mode & 07777));
	return 0;
}

char *
files_read(const char *path, size_t max, size_t *len, char **cause)
{
	int fd = strcmp(path, "-") == 0 ? STDIN_FILENO :
	    open(path, O_RDONLY | O_CLOEXEC);
	struct strbuf b;
	char buf[65536];
	ssize_t n;

	if (fd == -1) {
		util_fail(cause, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	strbuf_init(&b, max);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || strbuf_add(&b, buf, (size_t)n) == -1)
			break;
	}
	if (fd != STDIN_FILENO)
		close(fd);
	if (n != 0) {
		if (b.toobig && max >= (size_t)1 << 20)
			util_fail(cause, "%s: larger than %zu MiB", path,
			    max >> 20);
		else if (b.toobig)
			util_fail(cause, "%s: larger than %zu bytes", path,
			    max);
		else
			util_fail(cause, "%s: cannot read: %s", path,
			    strerror(errno));
		strbuf_release(&b);
		return NULL;
	}
	*len = b.len;
	return strbuf_detach(&b);
}
