/* source_par.c: trace files parsed on several threads, merged in order. */
#include "source_par.h"
#include "source_par_priv.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "flows_log.h"
#include "interrupt.h"
#include "pipeline.h"
#include "source_chunk.h"
#include "trace.h"
#include "util.h"

size_t
source_par_env(const char *name, size_t max)
{
	const char *v = getenv(name);
	char *end;
	unsigned long long n;

	if (v == NULL || *v < '0' || *v > '9')
		return 0;
	n = strtoull(v, &end, 10);
	return *end == '\0' && n >= 1 && n <= max ? (size_t)n : 0;
}

unsigned
source_par_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 1)
		return 1;
	return n > SOURCE_PAR_MAX_THREADS ? SOURCE_PAR_MAX_THREADS :
	    (unsigned)n;
}

/*
 * Parses a chunk's lines through p, noting what needs the input order:
 * on a worker's pipeline, the events for the exchanges followed too.
 */
static void
source_par_parse(const struct source_par *sp, struct pipeline *p,
    struct source_par_slot *s)
{
	p->notes = &s->notes;
	if (p->flows == NULL && sp->p->flows != NULL)
		p->flows_log = &s->flows;
	if (s->c.kind == SOURCE_CHUNK_LONG) {
		pipeline_line("", 0, 1, 1, p);
		s->nlines = 1;
	} else
		s->nlines = pipeline_lines(p, s->c.data, s->c.len);
	p->notes = NULL;
	p->flows_log = NULL;
}

/* Reports an input's error, its line number known now. */
static void
source_par_error(struct source_par *sp, struct source_par_slot *s)
{
	char *msg;

	if (s->what != NULL)
		msg = util_printf("%s: %s after line %llu: %s",
		    sp->paths[s->input], s->what, sp->lines[s->input],
		    s->error);
	else
		msg = util_strdup(s->error);
	cli_error("%s", msg);
	json_object_array_add(sp->errors, json_object_new_string(msg));
	free(msg);
	(*sp->unreadable)++;
}

/* Merges a parsed slot, the next in input order, and frees it. */
static void
source_par_merge(struct source_par *sp, struct source_par_slot *s)
{
	sp->p->where = sp->paths[s->input];
	pipeline_notes_merge(sp->p, &s->notes, sp->lines[s->input]);
	if (sp->p->flows != NULL)
		flows_log_replay(&s->flows, sp->p->flows);
	source_par_close(sp, s);
}

void
source_par_close(struct source_par *sp, struct source_par_slot *s)
{
	flows_log_clear(&s->flows);
	sp->lines[s->input] += s->nlines;
	if (s->error != NULL)
		source_par_error(sp, s);
	pipeline_notes_release(&s->notes);
	free(s->error);
	s->error = NULL;
	s->what = NULL;
	s->nlines = 0;
}

/* The slot holding the next chunk in order, when parsed; else NULL. */
static struct source_par_slot *
source_par_next_done(struct source_par *sp)
{
	size_t i;

	for (i = 0; i < sp->nslots; i++)
		if (sp->slots[i].state == SOURCE_PAR_DONE &&
		    sp->slots[i].seq == sp->merge_seq)
			return &sp->slots[i];
	return NULL;
}

/*
 * Merges every parsed slot that is next in order, on the first thread to
 * come (the reader or a worker), one thread at a time; lock held. Each
 * slot freed wakes the reader.
 */
static void
source_par_merge_ready(struct source_par *sp)
{
	struct source_par_slot *s;

	if (sp->merging || sp->timed)
		return;		/* that thread merges what comes next */
	sp->merging = 1;
	while ((s = source_par_next_done(sp)) != NULL) {
		pthread_mutex_unlock(&sp->lock);
		source_par_merge(sp, s);
		pthread_mutex_lock(&sp->lock);
		s->state = SOURCE_PAR_FREE;
		sp->merge_seq++;
		pthread_cond_broadcast(&sp->done);
	}
	sp->merging = 0;
}

/* A free slot, merging (and waiting for the workers) to get one. */
static struct source_par_slot *
source_par_get(struct source_par *sp)
{
	size_t i;

	pthread_mutex_lock(&sp->lock);
	for (;;) {
		source_par_merge_ready(sp);
		for (i = 0; i < sp->nslots; i++) {
			if (sp->slots[i].state == SOURCE_PAR_FREE) {
				pthread_mutex_unlock(&sp->lock);
				return &sp->slots[i];
			}
		}
		pthread_cond_wait(&sp->done, &sp->lock);
	}
}

void
source_par_submit(struct source_par *sp, struct source_par_slot *s,
    size_t input, int parse)
{
	s->input = input;
	pthread_mutex_lock(&sp->lock);
	s->seq = sp->next_seq++;
	if (parse && sp->nworkers > 0) {
		s->state = SOURCE_PAR_QUEUED;
		ring_push(&sp->queue, (size_t)(s - sp->slots));
		pthread_cond_signal(&sp->work);
	} else {
		pthread_mutex_unlock(&sp->lock);
		if (parse)
			source_par_parse(sp, sp->p, s);
		pthread_mutex_lock(&sp->lock);
		s->state = SOURCE_PAR_DONE;
		source_par_merge_ready(sp);
	}
	pthread_mutex_unlock(&sp->lock);
}

/* A worker: parses queued chunks until told to close. */
static void *
source_par_work(void *arg)
{
	struct source_par_worker *w = arg;
	struct source_par *sp = w->sp;
	struct source_par_slot *s;
	size_t k;

	pthread_mutex_lock(&sp->lock);
	while (ring_wait(&sp->queue, &sp->work, &sp->lock, &sp->closing,
	    &k)) {
		s = &sp->slots[k];
		pthread_mutex_unlock(&sp->lock);
		source_par_parse(sp, &w->p, s);
		pthread_mutex_lock(&sp->lock);
		s->state = SOURCE_PAR_DONE;
		pthread_cond_signal(&sp->done);
		source_par_merge_ready(sp);
	}
	pthread_mutex_unlock(&sp->lock);
	return NULL;
}

/* Reads one input into chunks. Returns 1 when interrupted, else 0. */
static int
source_par_input(struct source_par *sp, size_t i)
{
	struct source_chunk_reader *r;
	struct source_par_slot *s;
	const char *what = NULL;
	char *detail = NULL;
	int rc;

	s = source_par_get(sp);
	if (source_chunk_open(sp->paths[i], sp->chunk, &r, &s->error) == -1) {
		source_par_submit(sp, s, i, 0);
		return 0;
	}
	for (;;) {
		rc = source_chunk_next(r, &s->c, &what, &detail);
		if (rc != 1)
			break;
		source_par_submit(sp, s, i, 1);
		s = source_par_get(sp);
	}
	if (rc == -1) {
		s->error = detail;
		s->what = what;
		source_par_submit(sp, s, i, 0);
	}
	source_chunk_close(r);
	return rc == 2;
}

/* Starts up to n workers with the signals left to this thread. */
static void
source_par_start(struct source_par *sp, unsigned n)
{
	sigset_t old;
	unsigned i;

	sp->workers = util_calloc(n, sizeof(*sp->workers));
	interrupt_block(&old);
	for (i = 0; i < n; i++) {
		sp->workers[i].sp = sp;
		pipeline_init_like(&sp->workers[i].p, sp->p);
		trace_parser_lean(sp->workers[i].p.parser, sp->p->flows ==
		    NULL);
		if (pthread_create(&sp->workers[i].tid, NULL, source_par_work,
		    &sp->workers[i]) != 0) {
			pipeline_release(&sp->workers[i].p);
			break;
		}
	}
	sp->nworkers = i;
	interrupt_unblock(&old);
}

/* Waits for every chunk to be parsed and merged in order. */
static void
source_par_finish(struct source_par *sp)
{
	pthread_mutex_lock(&sp->lock);
	for (;;) {
		source_par_merge_ready(sp);
		if (sp->merge_seq == sp->next_seq)
			break;
		pthread_cond_wait(&sp->done, &sp->lock);
	}
	pthread_mutex_unlock(&sp->lock);
}

void
source_par_teardown(struct source_par *sp)
{
	unsigned i;

	pthread_mutex_lock(&sp->lock);
	sp->closing = 1;
	pthread_cond_broadcast(&sp->work);
	pthread_mutex_unlock(&sp->lock);
	for (i = 0; i < sp->nworkers; i++) {
		pthread_join(sp->workers[i].tid, NULL);
		pipeline_merge(sp->p, &sp->workers[i].p);
		pipeline_release(&sp->workers[i].p);
	}
	free(sp->workers);
	for (i = 0; i < sp->nslots; i++) {
		source_chunk_release(&sp->slots[i].c);
		flows_log_release(&sp->slots[i].flows);
		pipeline_notes_release(&sp->slots[i].notes);
		free(sp->slots[i].error);
	}
	pthread_cond_destroy(&sp->done);
	pthread_cond_destroy(&sp->work);
	pthread_mutex_destroy(&sp->lock);
	ring_release(&sp->queue);
	free(sp->slots);
	free(sp->lines);
}

void
source_par_setup(struct source_par *sp, const char *const *paths, size_t n,
    unsigned threads, size_t chunk, size_t nslots, int timed,
    struct pipeline *p, struct json_object *errors, unsigned *unreadable)
{
	memset(sp, 0, sizeof(*sp));
	sp->timed = timed;
	sp->paths = paths;
	sp->chunk = chunk ? chunk : SOURCE_CHUNK_BYTES;
	sp->p = p;
	sp->errors = errors;
	sp->unreadable = unreadable;
	sp->lines = util_calloc(n + 1, sizeof(*sp->lines));
	sp->nslots = nslots;
	sp->slots = util_calloc(sp->nslots, sizeof(*sp->slots));
	ring_init(&sp->queue, sp->nslots);
	pthread_mutex_init(&sp->lock, NULL);
	pthread_cond_init(&sp->work, NULL);
	pthread_cond_init(&sp->done, NULL);
	/* Without exchanges to follow, nothing reads the message ids. */
	trace_parser_lean(p->parser, p->flows == NULL);
	if (threads > 1)
		source_par_start(sp, threads);
}

int
source_par_read(const char *const *paths, size_t n, unsigned threads,
    size_t chunk, struct pipeline *p, struct json_object *errors,
    unsigned *unreadable)
{
	struct source_par sp;
	int stopped = 0;
	size_t i;

	if (threads < 1)
		threads = 1;
	if (threads > SOURCE_PAR_MAX_THREADS)
		threads = SOURCE_PAR_MAX_THREADS;
	source_par_setup(&sp, paths, n, threads, chunk,
	    threads == 1 ? 1 : 2 * (size_t)threads + 1, 0, p, errors,
	    unreadable);
	for (i = 0; i < n && !stopped && !interrupt_pending(); i++)
		stopped = source_par_input(&sp, i);
	source_par_finish(&sp);
	source_par_teardown(&sp);
	return stopped || interrupt_pending() ? 1 : 0;
}
