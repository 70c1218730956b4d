/*
 * source_par_priv.h: what the two readers of source_par share, private
 * to analyzer/source_par*.c: the slots that carry a chunk from the
 * reading thread to a parsing thread and back, and the parsing threads.
 * source_par.c merges chunks in input order (any thread, one at a time);
 * source_par_time.c merges several inputs by event time on the reading
 * thread, record by record.
 */
#ifndef MEDLOAD_SOURCE_PAR_PRIV_H
#define MEDLOAD_SOURCE_PAR_PRIV_H

#include <pthread.h>
#include <stddef.h>

#include "flows_log.h"
#include "pipeline.h"
#include "ring.h"
#include "source_chunk.h"

struct json_object;

enum { SOURCE_PAR_FREE, SOURCE_PAR_QUEUED, SOURCE_PAR_DONE };

/* One chunk on its way: read, parsed, merged in input order. */
struct source_par_slot {
	struct source_chunk c;
	struct pipeline_notes notes;
	struct flows_log flows;	/* its accepted events, when followed */
	unsigned long long seq;		/* its place in input order */
	unsigned long long nlines;
	size_t input;
	int state;
	char *error;		/* the input's error (owned), or NULL */
	const char *what;	/* set: error is the detail of a read error */
};

struct source_par;

/* A parsing thread and its own pipeline. */
struct source_par_worker {
	struct source_par *sp;
	struct pipeline p;
	pthread_t tid;
};

struct source_par {
	const char *const *paths;
	size_t chunk;
	struct pipeline *p;		/* where it all ends up (borrowed) */
	struct json_object *errors;	/* borrowed */
	unsigned *unreadable;
	unsigned long long *lines;	/* per input: lines merged so far */
	struct source_par_slot *slots;
	size_t nslots;
	struct ring queue;		/* the slots to parse */
	unsigned long long next_seq, merge_seq;
	int merging;			/* a thread is merging */
	int timed;			/* the reading thread merges by time */
	int closing;
	pthread_mutex_t lock;
	pthread_cond_t work, done;
	struct source_par_worker *workers;
	unsigned nworkers;
};

/*
 * Sets sp up for n inputs (paths and the rest borrowed) with nslots
 * slots of chunks of about chunk bytes (0: the default) and starts
 * `threads` parsing threads (none for 1); timed: the reading thread
 * merges the chunks itself (by event time), the parsing threads only
 * parse.
 */
void source_par_setup(struct source_par *sp, const char *const *paths,
    size_t n, unsigned threads, size_t chunk, size_t nslots, int timed,
    struct pipeline *p, struct json_object *errors, unsigned *unreadable);

/*
 * Gives a slot its place in the order: parsed already (an error) or now
 * on this thread when there are no workers, else queued for them.
 */
void source_par_submit(struct source_par *sp, struct source_par_slot *s,
    size_t input, int parse);

/*
 * Ends a merged slot: counts its lines in its input, reports its input's
 * error (its line number known now) and frees what it holds, the slot
 * itself left to the caller to free.
 */
void source_par_close(struct source_par *sp, struct source_par_slot *s);

/*
 * Stops the parsing threads once the chunks queued are parsed, merges
 * their pipelines into sp->p and frees what sp holds.
 */
void source_par_teardown(struct source_par *sp);

#endif
