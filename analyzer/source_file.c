/* source_file.c: line reader over plain or gzip files and stdin. */
#include "source_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "interrupt.h"
#include "util.h"

#define SOURCE_CHUNK (256 * 1024)

struct source_file {
	char *path;
	gzFile gz;
	char *chunk;
	const char *start;	/* unread part of the chunk */
	const char *end;
	struct strbuf line;	/* a line spanning chunks */
	int too_long;
	int reset;		/* line was handed out: empty it first */
	int n;			/* the last gzread's result */
	int eof;
	unsigned long long lineno;
};

int
source_file_gzopen(const char *path, gzFile *out, char **cause)
{
	gzFile gz;
	int fd;

	if (strcmp(path, "-") == 0)
		fd = dup(STDIN_FILENO);
	else
		fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd == -1)
		return util_fail(cause, "%s: cannot open: %s", path,
		    strerror(errno));
	gz = gzdopen(fd, "rb");
	if (gz == NULL) {
		close(fd);
		return util_fail(cause, "%s: cannot read: out of memory", path);
	}
	gzbuffer(gz, SOURCE_CHUNK);
	*out = gz;
	return 0;
}

int
source_file_open(const char *path, struct source_file **out, char **cause)
{
	struct source_file *sf;
	gzFile gz;

	if (source_file_gzopen(path, &gz, cause) == -1)
		return -1;
	sf = util_calloc(1, sizeof(*sf));
	sf->path = util_strdup(path);
	sf->gz = gz;
	sf->chunk = util_malloc(SOURCE_CHUNK);
	sf->start = sf->end = sf->chunk;
	strbuf_init(&sf->line, SOURCE_LINE_MAX);
	*out = sf;
	return 0;
}

void
source_file_close(struct source_file *sf)
{
	if (sf == NULL)
		return;
	strbuf_release(&sf->line);
	free(sf->chunk);
	gzclose(sf->gz);
	free(sf->path);
	free(sf);
}

/*
 * Fills *l with a line (a trailing CR dropped) unless it is blank; 1
 * when it was filled.
 */
static int
source_take(struct source_file *sf, const char *s, size_t n, int too_long,
    struct source_line *l)
{
	size_t i;

	sf->lineno++;
	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			break;
	if (i == n && !too_long)
		return 0;
	l->data = s;
	l->len = n;
	l->lineno = sf->lineno;
	l->too_long = too_long;
	return 1;
}

/* Adds a segment to the line spanning chunks, keeping only its head. */
static void
source_grow(struct source_file *sf, const char *s, size_t seg)
{
	if (sf->too_long)
		return;
	if (seg > SOURCE_LINE_MAX - sf->line.len) {
		strbuf_add(&sf->line, s, SOURCE_LINE_MAX - sf->line.len);
		sf->too_long = 1;
	} else
		strbuf_add(&sf->line, s, seg);
}

/* The end of the input: the last unterminated line, or 0, or -1. */
static int
source_end(struct source_file *sf, struct source_line *l, char **cause)
{
	int errnum;
	const char *msg = gzerror(sf->gz, &errnum);

	/* A truncated gzip stream ends with Z_BUF_ERROR, not at EOF. */
	if (sf->n < 0 || errnum != Z_OK)
		return util_fail(cause, "%s: %s after line %llu: %s", sf->path,
		    errnum == Z_ERRNO ? "read error" : "corrupt compressed data",
		    sf->lineno, errnum == Z_ERRNO ? strerror(errno) : msg);
	if (sf->line.len > 0 || sf->too_long) {
		sf->reset = 1;
		if (source_take(sf, sf->line.data ? sf->line.data : "",
		    sf->line.len, sf->too_long, l))
			return 1;
	}
	return 0;
}

int
source_file_next(struct source_file *sf, struct source_line *l, char **cause)
{
	const char *nl;
	size_t seg;

	if (sf->reset) {
		strbuf_reset(&sf->line);
		sf->too_long = sf->reset = 0;
	}
	for (;;) {
		if (sf->start < sf->end) {
			nl = memchr(sf->start, '\n', (size_t)(sf->end -
			    sf->start));
			seg = (size_t)((nl ? nl : sf->end) - sf->start);
			if (nl != NULL && sf->line.len == 0 && !sf->too_long) {
				/* A whole line inside the chunk: no copy. */
				const char *s = sf->start;

				sf->start = nl + 1;
				if (source_take(sf, s, seg, 0, l))
					return 1;
				continue;
			}
			source_grow(sf, sf->start, seg);
			sf->start += seg;
			if (nl == NULL)
				continue;
			sf->start++;
			sf->reset = 1;
			if (source_take(sf, sf->line.data ? sf->line.data : "",
			    sf->line.len, sf->too_long, l))
				return 1;
			strbuf_reset(&sf->line);
			sf->too_long = sf->reset = 0;
			continue;
		}
		if (sf->eof)
			return 0;
		if (interrupt_pending())
			return 2;
		sf->n = gzread(sf->gz, sf->chunk, SOURCE_CHUNK);
		if (sf->n <= 0) {
			sf->eof = 1;
			return source_end(sf, l, cause);
		}
		sf->start = sf->chunk;
		sf->end = sf->chunk + sf->n;
	}
}

int
source_file_read(const char *path, source_line_fn fn, void *arg,
    char **cause)
{
	struct source_file *sf;
	struct source_line l;
	int rc;

	if (source_file_open(path, &sf, cause) == -1)
		return -1;
	while ((rc = source_file_next(sf, &l, cause)) == 1)
		if (fn(l.data, l.len, l.lineno, l.too_long, arg) != 0)
			break;
	if (rc == 1 || rc == 2)
		rc = 1;		/* stopped, or Ctrl-C: what was read counts */
	else if (rc == 0 && interrupt_pending())
		rc = 1;
	source_file_close(sf);
	return rc;
}
