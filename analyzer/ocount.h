/*
 * ocount.h: how many events had each (label, outcome) pair in each time
 * bin, for the outcomes over time. At most max pairs are kept, the first
 * in bytewise order of their keys (topk), so the pairs kept and their
 * figures do not depend on the order of the events or on merges; the
 * events of the other pairs are counted together.
 */
#ifndef MEDLOAD_OCOUNT_H
#define MEDLOAD_OCOUNT_H

#include <stddef.h>
#include <stdint.h>

struct ocount;
struct ocount_pair;

/* Creates an empty count keeping at most max pairs (0: all). */
struct ocount *ocount_new(size_t max);

/* Frees it; NULL is accepted. */
void ocount_free(struct ocount *o);

/*
 * The pair under key (klen bytes, copied), made when new and admitted,
 * or NULL when it is turned away (its events go to the overflow).
 * Borrowed: valid while ocount_gen stays the same.
 */
struct ocount_pair *ocount_pair(struct ocount *o, const char *key,
    size_t klen);

/* Adds n events to p's bin idx (p NULL: to the overflow). */
void ocount_add(struct ocount *o, struct ocount_pair *p, long long idx,
    uint64_t n);

/* Changes whenever pairs handed out may have been freed. */
unsigned long ocount_gen(const struct ocount *o);

/* Moves every bin index i to floor(i / ratio) (ratio >= 1). */
void ocount_rebin(struct ocount *o, double ratio);

/* Adds src into dst, src's bin indices divided by ratio (>= 1). */
void ocount_merge(struct ocount *dst, const struct ocount *src,
    double ratio);

/* Number of (pair, bin) cells. */
size_t ocount_cells(const struct ocount *o);

/* Events of the pairs turned away. */
unsigned long long ocount_overflow(const struct ocount *o);

/*
 * Calls fn for every cell: the pair's key (borrowed), the bin and the
 * count, in no particular order.
 */
void ocount_each(const struct ocount *o, void (*fn)(const char *key,
    size_t klen, long long idx, uint64_t n, void *arg), void *arg);

#endif
