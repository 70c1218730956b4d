/* hmap.c: open-addressing hash map with FNV-1a hashing. */
#include "hmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct hmap_entry {
	uint64_t hash;
	char *key;
	size_t len;
	void *value;
};

struct hmap {
	struct hmap_entry *e;
	size_t cap;		/* power of two */
	size_t used;
};

/* Hashes the key eight bytes at a time. */
static uint64_t
hmap_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = util_mix64(h ^ w);
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = util_mix64(h ^ w ^ ((uint64_t)(len - i) << 56));
	}
	return h;
}

struct hmap *
hmap_new(void)
{
	struct hmap *m = util_calloc(1, sizeof(*m));

	m->cap = 16;
	m->e = util_calloc(m->cap, sizeof(*m->e));
	return m;
}

void
hmap_free(struct hmap *m, void (*free_value)(void *))
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->cap; i++) {
		if (m->e[i].key == NULL)
			continue;
		free(m->e[i].key);
		if (free_value != NULL)
			free_value(m->e[i].value);
	}
	free(m->e);
	free(m);
}

/* Finds the slot for key: its entry or the empty slot it would take. */
static struct hmap_entry *
hmap_slot(const struct hmap *m, uint64_t h, const void *key, size_t len)
{
	size_t i = (size_t)h & (m->cap - 1);
	struct hmap_entry *e;

	for (;;) {
		e = &m->e[i];
		if (e->key == NULL || (e->hash == h && e->len == len &&
		    memcmp(e->key, key, len) == 0))
			return e;
		i = (i + 1) & (m->cap - 1);
	}
}

/* Doubles the table. */
static void
hmap_grow(struct hmap *m)
{
	struct hmap_entry *old = m->e, *e;
	size_t oldcap = m->cap, i;

	m->cap *= 2;
	m->e = util_calloc(m->cap, sizeof(*m->e));
	for (i = 0; i < oldcap; i++) {
		if (old[i].key == NULL)
			continue;
		e = hmap_slot(m, old[i].hash, old[i].key, old[i].len);
		*e = old[i];
	}
	free(old);
}

void *
hmap_get(const struct hmap *m, const void *key, size_t len)
{
	struct hmap_entry *e = hmap_slot(m, hmap_hash(key, len), key, len);

	return e->key != NULL ? e->value : NULL;
}

void *
hmap_put(struct hmap *m, const void *key, size_t len, void *value)
{
	uint64_t h = hmap_hash(key, len);
	struct hmap_entry *e = hmap_slot(m, h, key, len);
	void *old;

	if (e->key != NULL) {
		old = e->value;
		e->value = value;
		return old;
	}
	if ((m->used + 1) * 4 > m->cap * 3) {
		hmap_grow(m);
		e = hmap_slot(m, h, key, len);
	}
	e->hash = h;
	e->key = util_malloc(len + 1);
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->len = len;
	e->value = value;
	m->used++;
	return NULL;
}

/* Says whether slot i lies cyclically in (from, to]. */
static int
hmap_between(size_t from, size_t i, size_t to)
{
	return from <= to ? from < i && i <= to : from < i || i <= to;
}

void *
hmap_del(struct hmap *m, const void *key, size_t len)
{
	struct hmap_entry *e = hmap_slot(m, hmap_hash(key, len), key, len);
	size_t hole = (size_t)(e - m->e), i = hole, home;
	void *value = e->value;

	if (e->key == NULL)
		return NULL;
	free(e->key);
	/* Backward shift: move later entries of the run into the hole. */
	for (;;) {
		i = (i + 1) & (m->cap - 1);
		if (m->e[i].key == NULL)
			break;
		home = (size_t)m->e[i].hash & (m->cap - 1);
		if (hmap_between(hole, home, i))
			continue;
		m->e[hole] = m->e[i];
		hole = i;
	}
	memset(&m->e[hole], 0, sizeof(m->e[hole]));
	m->used--;
	return value;
}

size_t
hmap_size(const struct hmap *m)
{
	return m->used;
}

int
hmap_next(const struct hmap *m, size_t *pos, const void **key, size_t *len,
    void **value)
{
	while (*pos < m->cap) {
		struct hmap_entry *e = &m->e[(*pos)++];

		if (e->key == NULL)
			continue;
		*key = e->key;
		*len = e->len;
		*value = e->value;
		return 1;
	}
	return 0;
}
