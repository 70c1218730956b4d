/* filter.h: which events an analysis keeps. */
#ifndef MEDLOAD_FILTER_H
#define MEDLOAD_FILTER_H

#include <stddef.h>

struct json_object;
struct trace_event;

/* Glob lists (any may match; empty = all) and a time window. */
struct filter {
	const char **labels;	/* borrowed strings */
	size_t nlabels;
	const char **outcomes;
	size_t noutcomes;
	const char **types;
	size_t ntypes;
	double since;		/* inclusive, when has_since */
	double until;		/* exclusive, when has_until */
	int has_since;
	int has_until;
};

/* Returns 1 when ev passes every filter, else 0. */
int filter_match(const struct filter *f, const struct trace_event *ev);

/* Appends a borrowed pattern to one of the lists. */
void filter_add(const char ***list, size_t *n, const char *pattern);

/* The "filters" block of an analysis document (caller puts). */
struct json_object *filter_doc(const struct filter *f);

/* Frees the lists (not the strings). */
void filter_release(struct filter *f);

#endif
