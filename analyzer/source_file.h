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

#endif
