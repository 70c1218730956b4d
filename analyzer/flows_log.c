/* flows_log.c: accepted events noted for the flows engine, replayed. */
#include "flows_log.h"

#include <stdlib.h>
#include <string.h>

#include "flows.h"
#include "trace.h"
#include "util.h"

/* Copies s into l's arena; returns its offset + 1, or 0 for NULL. */
static size_t
flows_log_str(struct flows_log *l, const char *s)
{
	size_t n, at;

	if (s == NULL)
		return 0;
	n = strlen(s) + 1;
	if (l->len + n > l->tcap) {
		l->tcap = l->tcap ? l->tcap * 2 : 4096;
		while (l->len + n > l->tcap)
			l->tcap *= 2;
		l->text = util_realloc(l->text, l->tcap);
	}
	at = l->len;
	memcpy(l->text + at, s, n);
	l->len += n;
	return at + 1;
}

/* Notes ev, its strings too when all is set. */
static void
flows_log_note(struct flows_log *l, const struct trace_event *ev, int all)
{
	struct flows_log_ev *e;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->ev = util_realloc(l->ev, l->cap * sizeof(*l->ev));
	}
	e = &l->ev[l->n++];
	memset(e, 0, sizeof(*e));
	e->time = ev->time;
	if (!all)
		return;
	e->label = flows_log_str(l, ev->label);
	e->outcome = flows_log_str(l, ev->outcome);
	e->type = flows_log_str(l, ev->traced_type);
	e->msg_id = flows_log_str(l, ev->msg_id);
	e->thread_id = flows_log_str(l, ev->thread_id);
	e->endpoint = flows_log_str(l, ev->endpoint);
}

void
flows_log_add(struct flows_log *l, const struct trace_event *ev)
{
	/* An event flows only counts needs no strings. */
	flows_log_note(l, ev, flows_follows(ev->outcome));
}

void
flows_log_add_all(struct flows_log *l, const struct trace_event *ev)
{
	flows_log_note(l, ev, 1);
}

/* The string at offset + 1 off of l's arena, or NULL for 0. */
static const char *
flows_log_at(const struct flows_log *l, size_t off)
{
	return off == 0 ? NULL : l->text + off - 1;
}

void
flows_log_event(const struct flows_log *l, size_t i, struct trace_event *ev)
{
	const struct flows_log_ev *e = &l->ev[i];

	memset(ev, 0, sizeof(*ev));
	ev->time = e->time;
	ev->label = ev->handler = flows_log_at(l, e->label);
	ev->outcome = flows_log_at(l, e->outcome);
	ev->traced_type = flows_log_at(l, e->type);
	ev->msg_id = flows_log_at(l, e->msg_id);
	ev->thread_id = flows_log_at(l, e->thread_id);
	ev->endpoint = flows_log_at(l, e->endpoint);
}

void
flows_log_replay(const struct flows_log *l, struct flows *f)
{
	struct trace_event ev;
	size_t i;

	for (i = 0; i < l->n; i++) {
		flows_log_event(l, i, &ev);
		flows_add(f, &ev);
	}
}

void
flows_log_clear(struct flows_log *l)
{
	l->n = 0;
	l->len = 0;
}

void
flows_log_release(struct flows_log *l)
{
	free(l->ev);
	free(l->text);
	memset(l, 0, sizeof(*l));
}
