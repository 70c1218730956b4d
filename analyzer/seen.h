/*
 * seen.h: what a source holds that the filters left out: the labels,
 * outcomes and message types of the valid events they dropped (the most
 * frequent few) and their time range, so that "0 events accepted" comes
 * with a hint of what --label, --outcome, --traced-type, --since and
 * --until could have matched.
 */
#ifndef MEDLOAD_SEEN_H
#define MEDLOAD_SEEN_H

#include <stddef.h>

struct filter;
struct hmap;
struct strbuf;
struct trace_event;

#define SEEN_MAX 6

/* A few distinct values with their counts; the rest counted together. */
struct seen_values {
	char *name[SEEN_MAX];		/* owned */
	unsigned long long count[SEEN_MAX];
	size_t n;
	unsigned long long others;	/* events with another value */
};

struct seen {
	struct seen_values labels, outcomes, types;
	unsigned long long n;		/* events noted */
	double first, last;		/* their time range (n > 0) */
	int timeless;			/* the source has no time field */
};

/*
 * What one stretch of the input left out, every distinct value kept with
 * its count in the order of first appearance, so that stretches read
 * apart (on several threads) add up to what one reading in order notes:
 * seen_log_apply them in input order. Memory grows with the distinct
 * values of the stretch, so keep stretches bounded.
 */
struct seen_log_values {
	struct hmap *index;	/* name -> position + 1 */
	char **name;		/* owned, in order of first appearance */
	unsigned long long *count;
	size_t n, cap;
};

struct seen_log {
	struct seen_log_values labels, outcomes, types;
	unsigned long long n;
	double first, last;
};

/* Notes a valid event the filters dropped; l starts zeroed. */
void seen_log_add(struct seen_log *l, const struct trace_event *ev);

/* Adds what l noted into s, as seen_add of its events in order would. */
void seen_log_apply(struct seen *s, const struct seen_log *l);

/* Frees what l holds and zeroes it for reuse. */
void seen_log_release(struct seen_log *l);

/* Notes a valid event the filters dropped. */
void seen_add(struct seen *s, const struct trace_event *ev);

/* Adds src into dst. */
void seen_merge(struct seen *dst, const struct seen *src);

/* Frees the names; s may be reused after a memset to 0. */
void seen_release(struct seen *s);

/*
 * One line saying what the filters of f left out, for the filters used:
 * the labels for --label, the outcomes for --outcome, the message types
 * for --traced-type, the time range for --since and --until ("the filters
 * left out 126 valid events: labels mediator.trace (126); times ... to
 * ..."), terminal-safe, or NULL when nothing was noted. Caller frees.
 */
char *seen_hint(const struct seen *s, const struct filter *f);

/*
 * The same line with lead (borrowed, terminal-safe) before the colon in
 * place of "the filters left out N valid events"; s->n may be 0 when s
 * holds values and a time range all the same. Caller frees.
 */
char *seen_hint_lead(const struct seen *s, const struct filter *f,
    const char *lead);

/*
 * Appends "what a (n), b (m)" and the count of other values to b, the
 * values terminal-safe.
 */
void seen_values_append(struct strbuf *b, const char *what,
    const struct seen_values *v);

#endif
