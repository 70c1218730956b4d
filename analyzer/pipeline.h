/*
 * pipeline.h: the path every trace record takes, whatever its source:
 * parse -> reject or filter -> aggregate, with the counts the analysis
 * document reports. Sources hand records to pipeline_line.
 */
#ifndef MEDLOAD_PIPELINE_H
#define MEDLOAD_PIPELINE_H

#include <stddef.h>

#include "aggregate.h"
#include "analysis.h"
#include "filter.h"
#include "seen.h"
#include "trace.h"

struct flows;
struct trace_parser;

struct pipeline {
	struct trace_parser *parser;
	struct agg *agg;
	const struct filter *filter;	/* borrowed */
	struct analysis_counts counts;
	const char *where;		/* file name shown with rejects */
	unsigned long long shown;
	unsigned long long show_max;	/* rejects printed at most */
	struct seen left_out;		/* what the filters dropped */
	struct flows *flows;		/* borrowed; NULL: no flows */
};

/* Sets up a pipeline aggregating by keys (see agg_new). */
void pipeline_init(struct pipeline *p, const enum agg_key *keys,
    size_t nkeys, double interval, const struct filter *f,
    unsigned long long show_max);

/* Releases what pipeline_init made. */
void pipeline_release(struct pipeline *p);

/*
 * Counts one record read and parses it with parser (p's own, or one of
 * a merge's). Returns what trace_parse does; *detail says why a record
 * was rejected.
 */
enum trace_reject pipeline_parse(struct pipeline *p,
    struct trace_parser *parser, const char *line, size_t len, int too_long,
    struct trace_event *ev, const char **detail);

/*
 * Takes a parsed record: counts a skip or a reject (printing the first
 * rejects, p->where and lineno naming them), or filters and aggregates
 * ev. Always returns 0.
 */
int pipeline_take(struct pipeline *p, enum trace_reject rej,
    const struct trace_event *ev, const char *detail,
    unsigned long long lineno);

/*
 * Handles one record (a source_line_fn): counts it, reports the first
 * rejects on stderr, aggregates what passes the filter. Always returns 0.
 */
int pipeline_line(const char *line, size_t len, unsigned long long lineno,
    int too_long, void *arg);

/* Adds src's counts and aggregate into dst (same keys). */
void pipeline_merge(struct pipeline *dst, const struct pipeline *src);

/* Prints a one-line summary of rejects when more were rejected than shown. */
void pipeline_reject_summary(const struct pipeline *p);

#endif
