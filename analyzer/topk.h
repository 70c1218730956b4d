/*
 * topk.h: the K smallest keys (bytewise) of a stream of distinct keys,
 * whatever their order: a max-heap of the items kept. A key that sorts
 * after the K kept is turned away; one that sorts before takes the place
 * of the largest, which is handed back. Streams split anywhere and
 * merged through the same rule keep the same K keys, so bounds built on
 * it do not depend on order or threads.
 */
#ifndef MEDLOAD_TOPK_H
#define MEDLOAD_TOPK_H

#include <stddef.h>

/* An item kept; the first member of the caller's struct. */
struct topk_item {
	char *key;		/* owned by the caller's struct */
	size_t klen;
	size_t pos;		/* internal: place in the heap */
};

struct topk {
	struct topk_item **heap;	/* owned array; items borrowed */
	size_t n, cap;
	size_t max;			/* 0: no bound */
};

/* Sets up an empty set keeping at most max keys (0: all). */
void topk_init(struct topk *t, size_t max);

/* Frees the heap (not the items). */
void topk_release(struct topk *t);

/*
 * Says whether key (klen bytes, not yet kept) gets a place: 1, with
 * *evicted the largest kept item (removed; the caller disposes of it) or
 * NULL when there was room; 0 when it sorts after every kept key and the
 * set is full. The caller then topk_pushes its new item.
 */
int topk_admit(struct topk *t, const char *key, size_t klen,
    struct topk_item **evicted);

/* Keeps it (after topk_admit said yes); it->key and klen set. */
void topk_push(struct topk *t, struct topk_item *it);

/* Orders two keys bytewise, a prefix first. */
int topk_cmp(const char *a, size_t alen, const char *b, size_t blen);

#endif
