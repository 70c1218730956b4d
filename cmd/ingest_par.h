/*
 * ingest_par.h: trace files made into _bulk items on several threads
 * for one sender. This thread reads each input in turn (gzip inflated,
 * standard input too) and cuts it into chunks of whole lines, numbering
 * their lines; parsing threads build each chunk's items (ingest_bulk);
 * one sending thread takes the chunks in input order, so what it sends,
 * prints and counts is what one thread reading the inputs in order
 * would, chunk after chunk. The chunks on their way are bounded (two per
 * thread and one), and so is the memory.
 */
#ifndef MEDLOAD_INGEST_PAR_H
#define MEDLOAD_INGEST_PAR_H

#include <stddef.h>

#include "ingest_bulk.h"

/* What the sender does with the inputs, in input order. */
struct ingest_par_ops {
	/*
	 * Takes the items of input's next chunk (borrowed for the call).
	 * Returns 0, or non-zero to stop the load (a request failed).
	 */
	int (*take)(void *arg, size_t input, struct ingest_bulk *b);
	/*
	 * Input has ended; cause (borrowed, NULL when it was read whole)
	 * says why it could not be read or was cut short.
	 */
	void (*end)(void *arg, size_t input, const char *cause);
	void *arg;
};

/*
 * Loads paths[0..n) through ops on `threads` threads (1: this thread
 * reads, builds and sends in turn; else this thread reads, `threads`
 * threads build, one more sends), in chunks of about chunk bytes (0:
 * the default). Stops early when take asks (what comes after is
 * dropped) or a signal comes (interrupt_pending: the reading stops, and
 * the whole lines read by then are still taken until take asks to
 * stop). Returns 0, or 1 when stopped early.
 */
int ingest_par_run(const char *const *paths, size_t n, unsigned threads,
    size_t chunk, const struct ingest_bulk_opts *o,
    const struct ingest_par_ops *ops);

#endif
