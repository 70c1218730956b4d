/* topk.c: the K smallest keys of a stream, in a max-heap. */
#include "topk.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
topk_init(struct topk *t, size_t max)
{
	memset(t, 0, sizeof(*t));
	t->max = max;
}

void
topk_release(struct topk *t)
{
	free(t->heap);
	memset(t, 0, sizeof(*t));
}

int
topk_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Says whether heap item i sorts after item j. */
static int
topk_after(const struct topk *t, size_t i, size_t j)
{
	return topk_cmp(t->heap[i]->key, t->heap[i]->klen, t->heap[j]->key,
	    t->heap[j]->klen) > 0;
}

/* Swaps two heap places. */
static void
topk_swap(struct topk *t, size_t i, size_t j)
{
	struct topk_item *x = t->heap[i];

	t->heap[i] = t->heap[j];
	t->heap[j] = x;
	t->heap[i]->pos = i;
	t->heap[j]->pos = j;
}

/* Moves item i down to its place. */
static void
topk_down(struct topk *t, size_t i)
{
	size_t l, r, m;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		m = i;
		if (l < t->n && topk_after(t, l, m))
			m = l;
		if (r < t->n && topk_after(t, r, m))
			m = r;
		if (m == i)
			return;
		topk_swap(t, i, m);
		i = m;
	}
}

int
topk_admit(struct topk *t, const char *key, size_t klen,
    struct topk_item **evicted)
{
	struct topk_item *top;

	*evicted = NULL;
	if (t->max == 0 || t->n < t->max)
		return 1;
	top = t->heap[0];
	if (topk_cmp(key, klen, top->key, top->klen) > 0)
		return 0;
	t->heap[0] = t->heap[--t->n];
	t->heap[0]->pos = 0;
	topk_down(t, 0);
	*evicted = top;
	return 1;
}

void
topk_push(struct topk *t, struct topk_item *it)
{
	size_t i, up;

	if (t->max == 0)
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->heap = util_realloc(t->heap, t->cap * sizeof(*t->heap));
	}
	i = t->n++;
	t->heap[i] = it;
	it->pos = i;
	while (i > 0) {
		up = (i - 1) / 2;
		if (!topk_after(t, i, up))
			break;
		topk_swap(t, i, up);
		i = up;
	}
}
