/*
 * collect_metrics.h: the figures of `medload collect --metrics` by trace
 * label: events received, spooled, refused (by reason) and forwarded,
 * and a histogram of the elapsed time of each (label, outcome) as events
 * arrive, written as Prometheus text (core/prom.h) with the spool's
 * gauges. Labels and outcomes come from whoever can POST: past
 * CMET_MAX_LABELS labels or CMET_MAX_SERIES (label, outcome) pairs, new
 * ones count under CMET_OTHER, so a flood of names cannot exhaust memory
 * or a Prometheus server.
 *
 * Not thread-safe: the collector calls it under its lock. Module prefix:
 * cmet_.
 */
#ifndef MEDLOAD_COLLECT_METRICS_H
#define MEDLOAD_COLLECT_METRICS_H

#include "trace.h"

#define CMET_MAX_LABELS 64
#define CMET_MAX_SERIES 1024
#define CMET_OTHER "_other"

/* What became of a POSTed event. */
enum cmet_fate {
	CMET_SPOOLED,		/* 200: in the file */
	CMET_NOT_JSON,		/* 400 */
	CMET_TOO_LARGE,		/* 413 */
	CMET_UNWRITABLE,	/* 503: the file could not take it */
	CMET_NFATES
};

/* The collector's state that the text shows besides the counts. */
struct cmet_gauges {
	unsigned long long spool_bytes;	/* whole lines in the file */
	int spool_writable;
	int forwarding;			/* --es given */
	unsigned long long backlog_bytes;	/* not yet forwarded */
	unsigned long long forward_failed;	/* items refused for good */
	int forward_up;			/* the last forward attempt worked */
	int stopping;			/* no longer listening: draining */
};

struct cmet;

/* A new, empty set of figures (cmet_free frees it). */
struct cmet *cmet_new(void);

void cmet_free(struct cmet *m);

/*
 * Counts one POST that met fate; ev is its trace event (borrowed), or
 * NULL when the body is none (label ""). A spooled event that is no
 * start-up probe adds its elapsed time to its (label, outcome) histogram.
 */
void cmet_event(struct cmet *m, const struct trace_event *ev,
    enum cmet_fate fate);

/* Counts n events of label (NULL: "") indexed by the server. */
void cmet_forwarded(struct cmet *m, const char *label, unsigned long long n);

/* The Prometheus text of m and g (caller frees). */
char *cmet_text(const struct cmet *m, const struct cmet_gauges *g);

/* A small HTML page with the counts by label (caller frees). */
char *cmet_page(const struct cmet *m, const struct cmet_gauges *g);

/*
 * The labels of one forwarder batch: the lines are counted by label as
 * they are added, then credited to m when the server took them.
 */
struct cmet_batch;

struct cmet_batch *cmet_batch_new(void);

void cmet_batch_free(struct cmet_batch *b);

/* Forgets the lines counted. */
void cmet_batch_reset(struct cmet_batch *b);

/* Counts one stored line (len bytes, no newline) by its label. */
void cmet_batch_line(struct cmet_batch *b, const char *line, size_t len);

/*
 * Credits the batch to m: each label its lines when the server took
 * them all (ok is the number of lines, failed 0), else the ok items under
 * label "" (the answer does not say which label each one had).
 */
void cmet_batch_commit(struct cmet *m, const struct cmet_batch *b,
    unsigned long long ok, unsigned long long failed);

#endif
