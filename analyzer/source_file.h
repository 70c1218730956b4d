/* source_file.h: reads trace records, one per line, from files or stdin. */
#ifndef MEDLOAD_SOURCE_FILE_H
#define MEDLOAD_SOURCE_FILE_H

#include <stddef.h>

/* Longest record kept whole; longer lines are reported as too long. */
#define SOURCE_LINE_MAX ((size_t)16 << 20)

/*
 * Called for every non-empty line. line is borrowed (len bytes, no newline,
 * not NUL-terminated) and valid only during the call; too_long is set when the line
 * exceeded SOURCE_LINE_MAX (line then holds its first bytes). Return 0 to go
 * on, non-zero to stop reading.
 */
typedef int (*source_line_fn)(const char *line, size_t len,
    unsigned long long lineno, int too_long, void *arg);

/*
 * Reads path ("-" for standard input; gzip-compressed input is detected and
 * decompressed) line by line. Returns 0 when the whole file was read, 1 when
 * fn asked to stop or a signal interrupted the read (interrupt_pending;
 * a read blocked on a pipe returns at once), -1 on an I/O error with
 * *cause set (caller frees).
 * Memory stays bounded by SOURCE_LINE_MAX whatever the file's size.
 */
int source_file_read(const char *path, source_line_fn fn, void *arg,
    char **cause);

struct source_file;
struct gzFile_s;

/*
 * Opens path ("-": a copy of standard input) for zlib to read, gzip
 * detected, with a 256 KiB buffer. Returns 0 and *out (caller gzcloses),
 * or -1 with *cause ("PATH: cannot open: ..."; caller frees).
 */
int source_file_gzopen(const char *path, struct gzFile_s **out,
    char **cause);

/* One line handed out by source_file_next. */
struct source_line {
	const char *data;	/* borrowed until the next call; no newline */
	size_t len;
	unsigned long long lineno;
	int too_long;		/* data holds the line's first bytes */
};

/*
 * Opens path ("-" for standard input; gzip detected) for reading line by
 * line. Returns 0 and *out (caller closes with source_file_close), or -1
 * with *cause set (caller frees).
 */
int source_file_open(const char *path, struct source_file **out,
    char **cause);

/*
 * The next non-blank line into *l. Returns 1 with a line, 0 at the end,
 * 2 when a signal interrupted the read (interrupt_pending), -1 on an I/O
 * error with *cause set (caller frees). Memory stays bounded by
 * SOURCE_LINE_MAX whatever the file's size.
 */
int source_file_next(struct source_file *sf, struct source_line *l,
    char **cause);

/* Closes the file; NULL is accepted. */
void source_file_close(struct source_file *sf);

#endif
