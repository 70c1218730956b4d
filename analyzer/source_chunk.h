/*
 * source_chunk.h: one input (a file, gzip detected, or standard input)
 * cut into chunks of whole lines, for parsing on several threads. The
 * lines are those source_file hands out: a line longer than
 * SOURCE_LINE_MAX comes as a chunk of its own marked too long.
 */
#ifndef MEDLOAD_SOURCE_CHUNK_H
#define MEDLOAD_SOURCE_CHUNK_H

#include <stddef.h>

#include "source_file.h"

/* The default size of a chunk. */
#define SOURCE_CHUNK_BYTES ((size_t)1 << 20)

enum source_chunk_kind {
	SOURCE_CHUNK_LINES,	/* data holds whole lines */
	SOURCE_CHUNK_LONG,	/* one line longer than SOURCE_LINE_MAX */
};

/*
 * A chunk: data (owned, grown as needed, reused from call to call) holds
 * len bytes of whole lines, each ending with a newline but the input's
 * last one.
 */
struct source_chunk {
	enum source_chunk_kind kind;
	char *data;
	size_t len, cap;
};

/*
 * Hands the non-blank lines of data (len bytes of whole lines, the last
 * one's newline missing only at the input's end) to fn as source_file
 * does: numbered from 1 within data (blank lines counted), a trailing CR
 * dropped, never too long. Stops when fn returns non-zero. Returns the
 * number of lines, to the one fn stopped at.
 */
unsigned long long source_chunk_lines(const char *data, size_t len,
    source_line_fn fn, void *arg);

/* Frees a chunk's buffer and zeroes it. */
void source_chunk_release(struct source_chunk *c);

struct source_chunk_reader;

/*
 * Opens path ("-" for standard input) for reading in chunks of about
 * bytes (at least 1). Returns 0 and *out (caller closes), or -1 with
 * *cause ("PATH: cannot open: ..."; caller frees).
 */
int source_chunk_open(const char *path, size_t bytes,
    struct source_chunk_reader **out, char **cause);

/*
 * Fills c with the next chunk. Returns 1 with one, 0 at the end, 2 when a
 * signal interrupted the read (interrupt_pending; c then holds the bytes
 * read of the chunk so far, the last line perhaps cut), -1 on a read error or
 * corrupt compressed data: then *what is "read error" or "corrupt
 * compressed data" and *detail says more (caller frees); the lines
 * before the error have all been handed out, the error's own line is
 * dropped, as source_file does.
 */
int source_chunk_next(struct source_chunk_reader *r, struct source_chunk *c,
    const char **what, char **detail);

/* Closes the reader; NULL is accepted. */
void source_chunk_close(struct source_chunk_reader *r);

#endif
