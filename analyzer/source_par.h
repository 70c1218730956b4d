/*
 * source_par.h: trace files read on several threads. This thread reads
 * each input in turn (inflating gzip), cuts it into chunks of whole lines
 * (source_chunk) and hands them to worker threads, each parsing into a
 * pipeline of its own; what depends on the order of the lines (the
 * rejects shown, line numbers, what the filters left out, the errors of
 * inputs, and the accepted events when p follows exchanges: flows_log)
 * is merged back in input order, one chunk after the other, by whichever
 * thread finds the next chunk parsed (one thread at a time), and the
 * workers' aggregates are merged at the end, so the result is the one a
 * single thread reading the inputs one after the other gets, figure for
 * figure.
 */
#ifndef MEDLOAD_SOURCE_PAR_H
#define MEDLOAD_SOURCE_PAR_H

#include <stddef.h>

struct json_object;
struct pipeline;

/* The most parsing threads. */
#define SOURCE_PAR_MAX_THREADS 256

/*
 * Reads paths[0..n) in order through p. threads is the number of parsing
 * threads (1: this thread reads and parses in turn; else, when p follows
 * exchanges, the merges feed them the events the others parsed, chunk
 * after chunk); chunk the bytes of a chunk (0: the default). An
 * input that cannot be read is reported on stderr, its message appended
 * to errors and counted in *unreadable. Returns 0, or 1 when a signal
 * cut the reading short (what was read counts).
 */
int source_par_read(const char *const *paths, size_t n, unsigned threads,
    size_t chunk, struct pipeline *p, struct json_object *errors,
    unsigned *unreadable);

/*
 * Reads paths[0..n) through p as source_merge_read does (each input in
 * its own order, the one whose next valid record is the earliest going
 * first; the rejects shown, the errors, what the filters left out and
 * the events handed to p->flows come in that order), the chunks of every
 * input parsed on `threads` threads and merged by time on this one,
 * record by record. Each input holds a chunk or more at a time, so the
 * memory grows with n (about n + 2 * threads + 1 chunks of `chunk`
 * bytes, 0: the default). Returns 0, or 1 when a signal cut the reading
 * short.
 */
int source_par_read_timed(const char *const *paths, size_t n,
    unsigned threads, size_t chunk, struct pipeline *p,
    struct json_object *errors, unsigned *unreadable);

/*
 * A whole number from 1 to max in the environment variable name, else 0
 * (MEDLOAD_THREADS: the default threads; MEDLOAD_CHUNK_BYTES: the size
 * of the chunks, for tests).
 */
size_t source_par_env(const char *name, size_t max);

/* The number of online processors (at least 1). */
unsigned source_par_cores(void);

#endif
