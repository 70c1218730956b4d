/* hmap.h: a hash map from byte-string keys to pointers. */
#ifndef MEDLOAD_HMAP_H
#define MEDLOAD_HMAP_H

#include <stddef.h>

struct hmap;

/* Creates an empty map. Caller frees with hmap_free. */
struct hmap *hmap_new(void);

/*
 * Frees the map and its copies of the keys; calls free_value on every value
 * when it is not NULL. NULL is accepted.
 */
void hmap_free(struct hmap *m, void (*free_value)(void *));

/* Returns the value stored under key (borrowed), or NULL. */
void *hmap_get(const struct hmap *m, const void *key, size_t len);

/*
 * Stores value under key (the map copies the key; the value's ownership
 * passes to the map's user, not the map). Replaces an existing value and
 * returns the old one, else NULL.
 */
void *hmap_put(struct hmap *m, const void *key, size_t len, void *value);

/*
 * Removes the entry stored under key and returns its value (the caller
 * disposes of it), or NULL when there is none. Iterations in progress
 * must not continue after a removal.
 */
void *hmap_del(struct hmap *m, const void *key, size_t len);

/* Number of entries. */
size_t hmap_size(const struct hmap *m);

/*
 * Iterates: start with *pos = 0; returns 1 and sets key, len and value for
 * the next entry, 0 at the end. The map must not change meanwhile.
 */
int hmap_next(const struct hmap *m, size_t *pos, const void **key,
    size_t *len, void **value);

#endif
