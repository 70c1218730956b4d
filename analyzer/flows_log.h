/*
 * flows_log.h: the accepted events of a stretch of input noted for the
 * flows engine, to be fed to it later in input order. A parsing thread
 * notes each event it accepts (what flows_add reads of it: label,
 * outcome, time, message type, msg_id, thread_id, endpoint, its strings
 * copied into one arena); the thread that follows the exchanges replays
 * the logs of the stretches one after the other, so flows sees the
 * events one thread would have handed it, in the same order.
 */
#ifndef MEDLOAD_FLOWS_LOG_H
#define MEDLOAD_FLOWS_LOG_H

#include <stddef.h>

struct flows;
struct trace_event;

/* One event noted: its time and its strings' places in the arena. */
struct flows_log_ev {
	double time;
	/* offset + 1 in text of each string; 0 for NULL */
	size_t label, outcome, type, msg_id, thread_id, endpoint;
};

/* The events of a stretch. Starts zeroed. */
struct flows_log {
	struct flows_log_ev *ev;
	size_t n, cap;
	char *text;		/* NUL-terminated strings, back to back */
	size_t len, tcap;
};

/*
 * Notes ev (borrowed; its strings are copied). An event flows only
 * counts (an outcome that marks no message) is noted without strings.
 */
void flows_log_add(struct flows_log *l, const struct trace_event *ev);

/*
 * Notes ev (borrowed; its strings are copied) whole, whatever its
 * outcome: for readers other than flows (the events the filters left
 * out, replayed into seen_add in a merge by event time).
 */
void flows_log_add_all(struct flows_log *l, const struct trace_event *ev);

/*
 * Fills ev with the i-th event noted (i < l->n): its time and strings
 * (borrowed from l, valid until l changes), the label as handler too;
 * the other fields zero.
 */
void flows_log_event(const struct flows_log *l, size_t i,
    struct trace_event *ev);

/* Hands the events noted to f with flows_add, in the order noted. */
void flows_log_replay(const struct flows_log *l, struct flows *f);

/* Forgets the events noted, keeping the memory for the next stretch. */
void flows_log_clear(struct flows_log *l);

/* Frees what l holds and zeroes it. */
void flows_log_release(struct flows_log *l);

#endif
