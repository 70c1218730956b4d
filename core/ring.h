/*
 * ring.h: a bounded first-in first-out list of slot numbers that one
 * thread hands to others under the caller's mutex: the reading thread
 * pushes the chunks to work on, the worker threads wait for them (the
 * parsing threads of analyze, the builders of ingest).
 */
#ifndef MEDLOAD_RING_H
#define MEDLOAD_RING_H

#include <pthread.h>
#include <stddef.h>

struct ring {
	size_t *item;		/* owned */
	size_t cap, head, len;
};

/* Sets r up empty, with room for cap items. */
void ring_init(struct ring *r, size_t cap);

/* Frees what r holds. */
void ring_release(struct ring *r);

/* Appends v; r has room (fewer than cap items). Caller holds the lock. */
void ring_push(struct ring *r, size_t v);

/*
 * Takes the first item into *v, waiting on cond (lock held, as
 * pthread_cond_wait wants it) while r is empty and *closing is 0.
 * Returns 1 with an item, 0 when closing with none left.
 */
int ring_wait(struct ring *r, pthread_cond_t *cond, pthread_mutex_t *lock,
    const int *closing, size_t *v);

#endif
