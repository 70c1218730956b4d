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

/* Delivers one line unless it is blank; 1 when fn asks to stop. */
static int
source_emit(const char *s, size_t n, int too_long, unsigned long long lineno,
    source_line_fn fn, void *arg)
{
	size_t i;

	if (n > 0 && s[n - 1] == '\r')
		n--;
	for (i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			break;
	if (i == n && !too_long)
		return 0;
	return fn(s, n, lineno, too_long, arg) ? 1 : 0;
}

int
source_file_read(const char *path, source_line_fn fn, void *arg,
    char **cause)
{
	struct strbuf line;
	char *chunk;
	gzFile gz;
	int fd, n = 0, errnum, too_long = 0, rc = 0;
	unsigned long long lineno = 0;
	size_t seg;
	const char *start, *nl, *end;

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
	chunk = util_malloc(SOURCE_CHUNK);
	strbuf_init(&line, SOURCE_LINE_MAX);
	while (rc == 0 && !interrupt_pending() &&
	    (n = gzread(gz, chunk, SOURCE_CHUNK)) > 0) {
		start = chunk;
		end = chunk + n;
		while (rc == 0 && start < end) {
			nl = memchr(start, '\n', (size_t)(end - start));
			seg = (size_t)((nl ? nl : end) - start);
			if (nl != NULL && line.len == 0 && !too_long) {
				/* A whole line inside the chunk: no copy. */
				lineno++;
				rc = source_emit(start, seg, 0, lineno, fn, arg);
				start = nl + 1;
				continue;
			}
			if (!too_long && seg > SOURCE_LINE_MAX - line.len) {
				/* Keep the head of an oversized line only. */
				strbuf_add(&line, start, SOURCE_LINE_MAX -
				    line.len);
				too_long = 1;
			} else if (!too_long)
				strbuf_add(&line, start, seg);
			if (nl == NULL)
				break;
			lineno++;
			rc = source_emit(line.data ? line.data : "", line.len,
			    too_long, lineno, fn, arg);
			strbuf_reset(&line);
			too_long = 0;
			start = nl + 1;
		}
	}
	if (rc == 0 && interrupt_pending())
		rc = 1;		/* Ctrl-C: what was read so far counts */
	if (rc == 0) {
		/* A truncated gzip stream ends with Z_BUF_ERROR, not at EOF. */
		const char *msg = gzerror(gz, &errnum);

		if (n < 0 || errnum != Z_OK)
			rc = util_fail(cause, "%s: %s after line %llu: %s", path,
			    errnum == Z_ERRNO ? "read error" :
			    "corrupt compressed data", lineno,
			    errnum == Z_ERRNO ? strerror(errno) : msg);
		else if (line.len > 0) {
			lineno++;
			rc = source_emit(line.data, line.len, too_long, lineno,
			    fn, arg);
		}
	}
	strbuf_release(&line);
	free(chunk);
	gzclose(gz);
	return rc;
}
