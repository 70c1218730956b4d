/*
 * timeaxis.h: the one time axis of a run's report: every time chart
 * (users and requests, latency over time, outcomes) counts seconds since
 * the run's start over the same range, marks each load step with a
 * vertical line and its label, and leaves out the trace events before
 * the start or after the end (counted, and said under the charts).
 */
#ifndef MEDLOAD_TIMEAXIS_H
#define MEDLOAD_TIMEAXIS_H

struct json_object;

struct timeaxis {
	int on;			/* a run with a window: the axis applies */
	double start;		/* the run's start, epoch seconds */
	double end_s;		/* its length in seconds */
	struct json_object *steps;	/* [{"t", "label"}] (owned) */
	double before, after;	/* series events outside the window */
	double inside;		/* and within it */
};

/*
 * Sets a up from the run's results document (window_start, duration_s,
 * series with target_users) and counts the analysis' series events
 * outside the window; both borrowed, either may be NULL (then a->on is
 * 0 and the charts keep their own axes). Release with timeaxis_release.
 */
void timeaxis_init(struct timeaxis *a, struct json_object *run,
    struct json_object *analysis);

/* Frees what a holds. */
void timeaxis_release(struct timeaxis *a);

/*
 * The axis the trace charts use: a itself, or, when no series event
 * falls within the run's window (traces of another time), NULL: they
 * keep their own time axis and the note says why.
 */
const struct timeaxis *timeaxis_traces(const struct timeaxis *a);

/*
 * Whether epoch time ts is on the axis (always, when it is off): 0 on
 * it, -1 before the start, 1 after the end.
 */
int timeaxis_where(const struct timeaxis *a, double ts);

/*
 * Adds to a chart's template params "has_axis", "xmax" (the run's
 * length) and "steps" ([{"t", "label"}]) when the axis is on.
 */
void timeaxis_params(const struct timeaxis *a, struct json_object *params);

/*
 * The note under a time chart: how many trace events fell before the
 * start or after the end and were left out, or that none fell within
 * (caller frees); NULL when there is nothing to say.
 */
char *timeaxis_note(const struct timeaxis *a);

#endif
