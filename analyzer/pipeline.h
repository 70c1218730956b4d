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
#include "flows_log.h"
#include "seen.h"
#include "trace.h"

struct flows;
struct trace_parser;

/* A rejected record noted for showing later. */
struct pipeline_reject {
	unsigned long long lineno;	/* within its stretch of input */
	enum trace_reject rej;
	const char *detail;		/* static */
	size_t valid;			/* valid records before it */
};

/* What became of a valid record (timed notes). */
enum pipeline_fate {
	PIPELINE_PROBE,		/* set aside */
	PIPELINE_LEFT_OUT,	/* the filters dropped it */
	PIPELINE_ACCEPTED,
};

/* A valid record noted with its time (timed notes). */
struct pipeline_valid {
	double time;
	enum pipeline_fate fate;
};

/*
 * What a stretch of input read apart from the rest (on another thread)
 * leaves to its merge in input order: the first rejects to show and the
 * events the filters left out. Starts zeroed.
 */
struct pipeline_notes {
	struct pipeline_reject *rejects;	/* owned; at most show_max */
	size_t nrejects, cap;
	struct seen_log left_out;
	/*
	 * Set (before the stretch is read): the notes serve a merge by
	 * event time, which interleaves stretches of several inputs record
	 * by record. Every valid record is noted in valid (its time and
	 * fate) and each left-out event in left (its strings), in place of
	 * left_out; the merge takes them with pipeline_notes_show and
	 * pipeline_notes_valid.
	 */
	int timed;
	struct pipeline_valid *valid;		/* owned */
	size_t nvalid, vcap;
	struct flows_log left;
};

/* Frees what notes hold and zeroes them for reuse. */
void pipeline_notes_release(struct pipeline_notes *n);

struct pipeline;

/*
 * Takes n, the notes of the next stretch of input in order, into p: the
 * rejects are shown (as pipeline_take shows them, numbered from base
 * within p->where) and the left-out events noted.
 */
void pipeline_notes_merge(struct pipeline *p,
    const struct pipeline_notes *n, unsigned long long base);

/*
 * Shows timed notes' rejects from *next on (p->where and base + their
 * line number naming them) that came before valid record `valid` (all
 * that are left when valid is n->nvalid); *next moves past them.
 */
void pipeline_notes_show(struct pipeline *p, const struct pipeline_notes *n,
    size_t *next, size_t valid, unsigned long long base);

/*
 * Takes valid record i of timed notes into p in its turn: a left-out
 * event (the next one from *left on, which moves past it) is noted for
 * the hint, an accepted one (the next from *accepted on in log, the
 * stretch's flows_log) handed to p->flows. Counts were made by the
 * thread that read the stretch.
 */
void pipeline_notes_valid(struct pipeline *p, const struct pipeline_notes *n,
    size_t i, const struct flows_log *log, size_t *left, size_t *accepted);

struct pipeline {
	struct trace_parser *parser;
	struct agg *agg;
	const struct filter *filter;	/* borrowed */
	struct analysis_counts counts;
	const char *where;		/* file name shown with rejects */
	unsigned long long shown;
	unsigned long long show_max;	/* rejects printed at most */
	int quiet;	/* no summary of rejects: a re-read already gave it */
	struct seen left_out;		/* what the filters dropped */
	struct flows *flows;		/* borrowed; NULL: no flows */
	/*
	 * Set (with flows NULL): the accepted events are noted there for
	 * the flows engine, to be replayed in input order (borrowed).
	 */
	struct flows_log *flows_log;
	/* Set: rejects and left-out events are noted there (borrowed). */
	struct pipeline_notes *notes;
	enum agg_key keys[AGG_KEY_COUNT];	/* as given to pipeline_init */
	size_t nkeys;
	double interval;
	int raw;
	size_t max_groups;
};

/* Sets up a pipeline aggregating by keys (see agg_new). */
void pipeline_init(struct pipeline *p, const enum agg_key *keys,
    size_t nkeys, double interval, const struct filter *f,
    unsigned long long show_max);

/* Bounds the groups of p's aggregate (agg_limit); before any record. */
void pipeline_limit(struct pipeline *p, size_t max_groups);

/* Keeps message types and outcomes as written (trace_parser_raw). */
void pipeline_raw(struct pipeline *p, int raw);

/* Sets up dst as src was set up (keys, filter, rejects shown, raw). */
void pipeline_init_like(struct pipeline *dst, const struct pipeline *src);

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

/*
 * Handles the records of a stretch of input: data (len bytes) holds
 * whole lines, the last one's newline missing only at the input's end; a
 * trailing CR is dropped and blank lines are skipped, as source_file
 * does. Line numbers start at 1 within the stretch. Returns the number
 * of lines.
 */
unsigned long long pipeline_lines(struct pipeline *p, const char *data,
    size_t len);

/* Adds src's counts and aggregate into dst (same keys). */
void pipeline_merge(struct pipeline *dst, const struct pipeline *src);

/* Prints a one-line summary of rejects when more were rejected than shown. */
void pipeline_reject_summary(const struct pipeline *p);

#endif
