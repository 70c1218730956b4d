/* ingest_par.c: _bulk items built on several threads, sent in order. */
#include "ingest_par.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "interrupt.h"
#include "ring.h"
#include "source_chunk.h"
#include "trace.h"
#include "util.h"

enum { INGEST_PAR_FREE, INGEST_PAR_QUEUED, INGEST_PAR_DONE };

/* A chunk on its way, or an input's end (with its error, if any). */
struct ingest_par_slot {
	struct source_chunk c;
	struct ingest_bulk b;
	size_t input;
	unsigned long long seq;
	int state;
	int end;
	char *error;		/* owned */
};

struct ingest_par {
	const char *const *paths;
	const struct ingest_bulk_opts *o;
	const struct ingest_par_ops *ops;
	size_t chunk;
	struct trace_parser *parser;	/* this thread's, with no workers */
	struct ingest_par_slot *slots;
	size_t nslots;
	struct ring queue;		/* the slots to build */
	unsigned long long next_seq, send_seq;
	int stopped;			/* take asked, or a signal came */
	int closing;
	pthread_mutex_t lock;
	pthread_cond_t work, done, freed;
	pthread_t *tids;		/* the builders, then the sender */
	unsigned nbuilders;
	int sending;			/* the sender thread runs */
};

/* The base name of path, what medload.source says. */
static const char *
ingest_par_source(const char *path)
{
	const char *base = strrchr(path, '/');

	return base ? base + 1 : path;
}

/* Builds a chunk's items with parser. */
static void
ingest_par_build(struct ingest_par *ip, struct ingest_par_slot *s,
    struct trace_parser *parser)
{
	ingest_bulk_clear(&s->b);
	s->b.o = ip->o;
	s->b.parser = parser;
	s->b.source = ingest_par_source(ip->paths[s->input]);
	if (s->c.kind == SOURCE_CHUNK_LONG)
		ingest_bulk_line("", 0, 1, 1, &s->b);
	else
		ingest_bulk_lines(&s->b, s->c.data, s->c.len);
}

/*
 * Hands a built slot to the sender's callbacks unless the load stopped
 * (read on the sending thread, which alone sets it).
 */
static int
ingest_par_send(struct ingest_par *ip, struct ingest_par_slot *s)
{
	if (ip->stopped)
		return 1;
	if (s->end) {
		ip->ops->end(ip->ops->arg, s->input, s->error);
		return 0;
	}
	return ip->ops->take(ip->ops->arg, s->input, &s->b) != 0;
}

/* Frees a slot after sending, stopping the load when told; lock held. */
static void
ingest_par_recycle(struct ingest_par *ip, struct ingest_par_slot *s,
    int stop)
{
	if (stop)
		ip->stopped = 1;
	free(s->error);
	s->error = NULL;
	s->end = 0;
	s->state = INGEST_PAR_FREE;
	ip->send_seq++;
	pthread_cond_broadcast(&ip->freed);
}

/* The slot of the next chunk in order once built, else NULL; lock held. */
static struct ingest_par_slot *
ingest_par_next(struct ingest_par *ip)
{
	size_t i;

	for (i = 0; i < ip->nslots; i++)
		if (ip->slots[i].state == INGEST_PAR_DONE &&
		    ip->slots[i].seq == ip->send_seq)
			return &ip->slots[i];
	return NULL;
}

/* The sender: takes the built slots in order until told to close. */
static void *
ingest_par_sender(void *arg)
{
	struct ingest_par *ip = arg;
	struct ingest_par_slot *s;
	int stop;

	pthread_mutex_lock(&ip->lock);
	for (;;) {
		if ((s = ingest_par_next(ip)) == NULL) {
			if (ip->closing && ip->send_seq == ip->next_seq)
				break;
			pthread_cond_wait(&ip->done, &ip->lock);
			continue;
		}
		pthread_mutex_unlock(&ip->lock);
		stop = ingest_par_send(ip, s);
		pthread_mutex_lock(&ip->lock);
		ingest_par_recycle(ip, s, stop);
	}
	pthread_mutex_unlock(&ip->lock);
	return NULL;
}

/* A builder: builds queued chunks with a parser of its own. */
static void *
ingest_par_builder(void *arg)
{
	struct ingest_par *ip = arg;
	struct trace_parser *parser = trace_parser_new();
	struct ingest_par_slot *s;
	size_t k;

	pthread_mutex_lock(&ip->lock);
	while (ring_wait(&ip->queue, &ip->work, &ip->lock, &ip->closing,
	    &k)) {
		s = &ip->slots[k];
		pthread_mutex_unlock(&ip->lock);
		ingest_par_build(ip, s, parser);
		pthread_mutex_lock(&ip->lock);
		s->state = INGEST_PAR_DONE;
		pthread_cond_broadcast(&ip->done);
	}
	pthread_mutex_unlock(&ip->lock);
	trace_parser_free(parser);
	return NULL;
}

/*
 * A free slot, waiting for the sender to free one; NULL once the load
 * stopped.
 */
static struct ingest_par_slot *
ingest_par_get(struct ingest_par *ip)
{
	size_t i;

	pthread_mutex_lock(&ip->lock);
	while (!ip->stopped) {
		for (i = 0; i < ip->nslots; i++) {
			if (ip->slots[i].state == INGEST_PAR_FREE) {
				pthread_mutex_unlock(&ip->lock);
				return &ip->slots[i];
			}
		}
		pthread_cond_wait(&ip->freed, &ip->lock);
	}
	pthread_mutex_unlock(&ip->lock);
	return NULL;
}

/*
 * Gives a slot its place in the order: a chunk is queued for the
 * builders, an end is ready; with no threads both are handled here.
 */
static void
ingest_par_submit(struct ingest_par *ip, struct ingest_par_slot *s)
{
	if (!ip->sending) {
		if (!s->end)
			ingest_par_build(ip, s, ip->parser);
		ingest_par_recycle(ip, s, ingest_par_send(ip, s));
		return;
	}
	pthread_mutex_lock(&ip->lock);
	s->seq = ip->next_seq++;
	if (s->end) {
		s->state = INGEST_PAR_DONE;
		pthread_cond_broadcast(&ip->done);
	} else {
		s->state = INGEST_PAR_QUEUED;
		ring_push(&ip->queue, (size_t)(s - ip->slots));
		pthread_cond_signal(&ip->work);
	}
	pthread_mutex_unlock(&ip->lock);
}

/* The number of lines in a chunk (blank ones counted). */
static unsigned long long
ingest_par_count(const struct source_chunk *c)
{
	unsigned long long n = 0;
	const char *s = c->data, *end = c->data + c->len;

	if (c->kind == SOURCE_CHUNK_LONG)
		return 1;
	while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		n++;
		s++;
	}
	return n + (c->len > 0 && c->data[c->len - 1] != '\n');
}

/*
 * Keeps the whole lines of a chunk a signal cut short, so that what was
 * read counts; 1 when there are some.
 */
static int
ingest_par_whole(struct source_chunk *c)
{
	const char *nl;

	if (c->kind != SOURCE_CHUNK_LINES || c->len == 0)
		return 0;
	nl = memrchr(c->data, '\n', c->len);
	c->len = nl ? (size_t)(nl - c->data) + 1 : 0;
	return c->len > 0;
}

/* Whether the load stopped (take asked, or a signal came). */
static int
ingest_par_stopped(struct ingest_par *ip)
{
	int stopped;

	pthread_mutex_lock(&ip->lock);
	stopped = ip->stopped;
	pthread_mutex_unlock(&ip->lock);
	return stopped;
}

/* Reads input i into chunks, then its end. */
static void
ingest_par_input(struct ingest_par *ip, size_t i)
{
	struct source_chunk_reader *r = NULL;
	struct ingest_par_slot *s;
	unsigned long long lines = 0;
	const char *what = NULL;
	char *detail = NULL, *error = NULL;
	int rc = 0;

	if (source_chunk_open(ip->paths[i], ip->chunk, &r, &error) == 0) {
		while ((s = ingest_par_get(ip)) != NULL &&
		    ((rc = source_chunk_next(r, &s->c, &what, &detail)) == 1 ||
		    (rc == 2 && ingest_par_whole(&s->c)))) {
			s->input = i;
			s->b.base = lines;
			lines += ingest_par_count(&s->c);
			ingest_par_submit(ip, s);
			if (rc == 2)
				break;
		}
		source_chunk_close(r);
	}
	if (rc == -1) {
		error = util_printf("%s: %s after line %llu: %s",
		    ip->paths[i], what, lines, detail);
		free(detail);
	}
	if (rc != 2 && (s = ingest_par_get(ip)) != NULL) {
		s->input = i;
		s->end = 1;
		s->error = error;
		error = NULL;
		ingest_par_submit(ip, s);
	}
	free(error);
}

/* Starts the builders and the sender with the signals left to this thread. */
static void
ingest_par_start(struct ingest_par *ip, unsigned n)
{
	sigset_t old;
	unsigned i;

	ip->tids = util_calloc(n + 1, sizeof(*ip->tids));
	interrupt_block(&old);
	for (i = 0; i < n; i++)
		if (pthread_create(&ip->tids[i], NULL, ingest_par_builder,
		    ip) != 0)
			break;
	ip->nbuilders = i;
	if (i > 0 && pthread_create(&ip->tids[i], NULL, ingest_par_sender,
	    ip) == 0)
		ip->sending = 1;
	interrupt_unblock(&old);
}

/* Lets the threads finish what is queued and joins them. */
static void
ingest_par_stop(struct ingest_par *ip)
{
	unsigned i;

	pthread_mutex_lock(&ip->lock);
	ip->closing = 1;
	pthread_cond_broadcast(&ip->work);
	pthread_cond_broadcast(&ip->done);
	pthread_mutex_unlock(&ip->lock);
	if (ip->sending)
		pthread_join(ip->tids[ip->nbuilders], NULL);
	for (i = 0; i < ip->nbuilders; i++)
		pthread_join(ip->tids[i], NULL);
	free(ip->tids);
}

int
ingest_par_run(const char *const *paths, size_t n, unsigned threads,
    size_t chunk, const struct ingest_bulk_opts *o,
    const struct ingest_par_ops *ops)
{
	struct ingest_par ip;
	size_t i;

	memset(&ip, 0, sizeof(ip));
	ip.paths = paths;
	ip.o = o;
	ip.ops = ops;
	ip.chunk = chunk ? chunk : SOURCE_CHUNK_BYTES;
	ip.parser = trace_parser_new();
	ip.nslots = threads > 1 ? 2 * (size_t)threads + 1 : 1;
	ip.slots = util_calloc(ip.nslots, sizeof(*ip.slots));
	ring_init(&ip.queue, ip.nslots);
	for (i = 0; i < ip.nslots; i++)
		ingest_bulk_init(&ip.slots[i].b);
	pthread_mutex_init(&ip.lock, NULL);
	pthread_cond_init(&ip.work, NULL);
	pthread_cond_init(&ip.done, NULL);
	pthread_cond_init(&ip.freed, NULL);
	if (threads > 1)
		ingest_par_start(&ip, threads);
	for (i = 0; i < n && !interrupt_pending() && !ingest_par_stopped(&ip);
	    i++)
		ingest_par_input(&ip, i);
	ingest_par_stop(&ip);
	for (i = 0; i < ip.nslots; i++) {
		source_chunk_release(&ip.slots[i].c);
		ingest_bulk_release(&ip.slots[i].b);
		free(ip.slots[i].error);
	}
	pthread_cond_destroy(&ip.freed);
	pthread_cond_destroy(&ip.done);
	pthread_cond_destroy(&ip.work);
	pthread_mutex_destroy(&ip.lock);
	trace_parser_free(ip.parser);
	ring_release(&ip.queue);
	free(ip.slots);
	return ip.stopped || interrupt_pending() ? 1 : 0;	/* joined */
}
