/* source_par_time.c: trace files parsed on several threads, merged by time. */
#include "source_par.h"
#include "source_par_priv.h"

#include <stdlib.h>
#include <string.h>

#include "interrupt.h"
#include "pipeline.h"
#include "source_chunk.h"
#include "util.h"

/* One input: its reader and where the merge stands in it. */
struct source_par_in {
	struct source_chunk_reader *r;	/* NULL: read to its end */
	size_t held;			/* its slots not merged yet */
	struct source_par_slot *cur;	/* the chunk the merge is in */
	size_t valid;			/* cur's next valid record */
	size_t reject, left, accepted;	/* cur's next of each */
	int live;			/* cur holds valid record `valid` */
};

/* The merge by time: the inputs, the slots free, the read stopped. */
struct source_par_time {
	struct source_par sp;
	struct source_par_in *in;
	size_t n;
	size_t nfree;
	int stopped;		/* a signal cut a read short */
};

/* A free slot (one exists: see source_par_time_pick). */
static struct source_par_slot *
source_par_time_free(struct source_par_time *t)
{
	struct source_par_slot *s = NULL;
	size_t i;

	pthread_mutex_lock(&t->sp.lock);
	for (i = 0; i < t->sp.nslots && s == NULL; i++)
		if (t->sp.slots[i].state == SOURCE_PAR_FREE)
			s = &t->sp.slots[i];
	pthread_mutex_unlock(&t->sp.lock);
	return s;
}

/* Queues s for input j: parsed by a worker, or an error already. */
static void
source_par_time_queue(struct source_par_time *t, struct source_par_slot *s,
    size_t j, int parse)
{
	t->nfree--;
	t->in[j].held++;
	s->notes.timed = 1;
	source_par_submit(&t->sp, s, j, parse);
}

/* Reads input j's next chunk into a free slot; at its end, closes it. */
static void
source_par_time_read(struct source_par_time *t, size_t j)
{
	struct source_par_in *in = &t->in[j];
	struct source_par_slot *s = source_par_time_free(t);
	const char *what = NULL;
	char *detail = NULL;
	int rc;

	rc = source_chunk_next(in->r, &s->c, &what, &detail);
	if (rc == 1) {
		source_par_time_queue(t, s, j, 1);
		return;
	}
	if (rc == -1) {
		s->error = detail;
		s->what = what;
		source_par_time_queue(t, s, j, 0);
	}
	if (rc == 2)
		t->stopped = 1;
	source_chunk_close(in->r);
	in->r = NULL;
}

/*
 * The input to read a chunk of next, or n: one still being read that
 * holds no slot (each always can have one: the slots outnumber the
 * inputs, and only these take the last free ones), else the one holding
 * the fewest.
 */
static size_t
source_par_time_pick(const struct source_par_time *t)
{
	size_t j, best = t->n;

	if (t->nfree == 0 || t->stopped || interrupt_pending())
		return t->n;
	for (j = 0; j < t->n; j++) {
		if (t->in[j].r == NULL)
			continue;
		if (t->in[j].held == 0)
			return j;
		if (best == t->n || t->in[j].held < t->in[best].held)
			best = j;
	}
	return best;
}

/* Reads ahead into every free slot. */
static void
source_par_time_fill(struct source_par_time *t)
{
	size_t j;

	while ((j = source_par_time_pick(t)) < t->n)
		source_par_time_read(t, j);
}

/* Input i's next slot in its order, waited for until parsed; or NULL. */
static struct source_par_slot *
source_par_time_head(struct source_par_time *t, size_t i)
{
	struct source_par *sp = &t->sp;
	struct source_par_slot *s = NULL;
	size_t k, j;

	while (t->in[i].held == 0) {
		if (t->in[i].r == NULL || t->stopped || interrupt_pending())
			return NULL;
		source_par_time_read(t, i);
	}
	pthread_mutex_lock(&sp->lock);
	for (k = 0; k < sp->nslots; k++)
		if (sp->slots[k].state != SOURCE_PAR_FREE &&
		    sp->slots[k].input == i &&
		    (s == NULL || sp->slots[k].seq < s->seq))
			s = &sp->slots[k];
	while (s->state != SOURCE_PAR_DONE) {
		pthread_mutex_unlock(&sp->lock);
		if ((j = source_par_time_pick(t)) < t->n)
			source_par_time_read(t, j);
		pthread_mutex_lock(&sp->lock);
		if (j == t->n && s->state != SOURCE_PAR_DONE)
			pthread_cond_wait(&sp->done, &sp->lock);
	}
	pthread_mutex_unlock(&sp->lock);
	return s;
}

/* Ends the chunk input i's merge is in, frees its slot, reads ahead. */
static void
source_par_time_next(struct source_par_time *t, size_t i)
{
	struct source_par_in *in = &t->in[i];

	source_par_close(&t->sp, in->cur);
	pthread_mutex_lock(&t->sp.lock);
	in->cur->state = SOURCE_PAR_FREE;
	pthread_mutex_unlock(&t->sp.lock);
	t->nfree++;
	in->held--;
	in->cur = NULL;
	in->valid = in->reject = in->left = in->accepted = 0;
	source_par_time_fill(t);
}

/*
 * Moves input i on to its next valid record, showing the rejects and
 * reporting the error met on the way, as source_merge does.
 */
static void
source_par_time_advance(struct source_par_time *t, size_t i)
{
	struct source_par_in *in = &t->in[i];
	struct pipeline *p = t->sp.p;

	in->live = 0;
	for (;;) {
		if (in->cur == NULL &&
		    (in->cur = source_par_time_head(t, i)) == NULL)
			return;
		p->where = t->sp.paths[i];
		pipeline_notes_show(p, &in->cur->notes, &in->reject,
		    in->valid, t->sp.lines[i]);
		if (in->valid < in->cur->notes.nvalid) {
			in->live = 1;
			return;
		}
		source_par_time_next(t, i);
	}
}

/* The live input holding the earliest record, or n. */
static size_t
source_par_time_earliest(const struct source_par_time *t)
{
	const struct source_par_in *in;
	size_t i, best = t->n;
	double at, best_at = 0;

	for (i = 0; i < t->n; i++) {
		in = &t->in[i];
		if (!in->live)
			continue;
		at = in->cur->notes.valid[in->valid].time;
		if (best == t->n || at < best_at) {
			best = i;
			best_at = at;
		}
	}
	return best;
}

/* Opens every input, an error in a slot of its own for its turn. */
static void
source_par_time_open(struct source_par_time *t)
{
	struct source_par_slot *s;
	char *cause = NULL;
	size_t i;

	for (i = 0; i < t->n; i++) {
		if (source_chunk_open(t->sp.paths[i], t->sp.chunk, &t->in[i].r,
		    &cause) == 0)
			continue;
		t->in[i].r = NULL;
		s = source_par_time_free(t);
		s->error = cause;
		cause = NULL;
		source_par_time_queue(t, s, i, 0);
	}
}

int
source_par_read_timed(const char *const *paths, size_t n, unsigned threads,
    size_t chunk, struct pipeline *p, struct json_object *errors,
    unsigned *unreadable)
{
	struct source_par_time t;
	struct source_par_in *in;
	size_t i;

	if (threads > SOURCE_PAR_MAX_THREADS)
		threads = SOURCE_PAR_MAX_THREADS;
	memset(&t, 0, sizeof(t));
	t.n = n;
	t.in = util_calloc(n, sizeof(*t.in));
	t.nfree = n + 2 * (size_t)threads + 1;
	source_par_setup(&t.sp, paths, n, threads, chunk, t.nfree, 1, p,
	    errors, unreadable);
	source_par_time_open(&t);
	source_par_time_fill(&t);
	for (i = 0; i < n && !t.stopped && !interrupt_pending(); i++)
		source_par_time_advance(&t, i);
	while (!t.stopped && !interrupt_pending() &&
	    (i = source_par_time_earliest(&t)) < n) {
		in = &t.in[i];
		pipeline_notes_valid(p, &in->cur->notes, in->valid,
		    &in->cur->flows, &in->left, &in->accepted);
		in->valid++;
		source_par_time_advance(&t, i);
	}
	for (i = 0; i < n; i++)
		source_chunk_close(t.in[i].r);
	source_par_teardown(&t.sp);
	free(t.in);
	return t.stopped || interrupt_pending() ? 1 : 0;
}
