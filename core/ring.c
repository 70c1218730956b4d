/* ring.c: slot numbers handed from one thread to others. */
#include "ring.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void
ring_init(struct ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	r->item = util_calloc(cap ? cap : 1, sizeof(*r->item));
	r->cap = cap ? cap : 1;
}

void
ring_release(struct ring *r)
{
	free(r->item);
	memset(r, 0, sizeof(*r));
}

void
ring_push(struct ring *r, size_t v)
{
	r->item[(r->head + r->len++) % r->cap] = v;
}

int
ring_wait(struct ring *r, pthread_cond_t *cond, pthread_mutex_t *lock,
    const int *closing, size_t *v)
{
	while (r->len == 0 && !*closing)
		pthread_cond_wait(cond, lock);
	if (r->len == 0)
		return 0;
	*v = r->item[r->head];
	r->head = (r->head + 1) % r->cap;
	r->len--;
	return 1;
}
