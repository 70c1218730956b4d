/*
 * history.h: the nightly history, one summary per night (schema
 * "medload.night/1"), kept in a JSON Lines file or an Elasticsearch /
 * OpenSearch index so a team shares one, and the trend views drawn from it.
 *
 * A night: { "schema", "time", "verdict": "pass"|"fail", "analysis" (its
 * path), "report" (the report folder), "events", "window", "baseline",
 * "regressions", "thresholds": {passed, failed, skipped}, "labels": [ {
 * "label", "count", "rate", "error_share", "group", "p50", "p95", "p99" } ]
 * }. A label's latency figures are those of its heaviest group (largest
 * count x mean: Dispatcher.handle_message.END in ACA-Py traces), named in
 * "group". In an index the night also carries the whole analysis as the
 * string "analysis_json", so a baseline can be taken from another machine.
 */
#ifndef MEDLOAD_HISTORY_H
#define MEDLOAD_HISTORY_H

#include <stddef.h>
#include <stdio.h>

#include "files.h"

struct json_object;
struct es;

#define HISTORY_SCHEMA "medload.night/1"

/* What a night summary is made from (all borrowed). */
struct history_input {
	struct json_object *analysis;	/* the night's analysis document */
	const char *analysis_path;
	const char *report_dir;
	double when;			/* epoch seconds */
	struct json_object *thresholds;	/* block, or NULL */
	struct json_object *compare;	/* comparison, or NULL */
	const char *baseline;		/* its name, or NULL */
	int pass;
};

/* Builds a night summary (caller puts). */
struct json_object *history_night(const struct history_input *in);

/*
 * Reads a history file into *nights (an array, oldest first; caller puts).
 * A missing file is an empty history. A line that is not a night record
 * is skipped and reported in warnings (an array of "file:line: why"
 * strings) without losing the others. Returns 0, or -1 with *cause when
 * the file cannot be read.
 */
int history_file_read(const char *path, struct json_object **nights,
    struct json_object *warnings, char **cause);

/*
 * Appends a night as one line (a newline is written first when the file
 * ends in a partial line), with one write and fsync. 0 or -1 with *cause.
 */
int history_file_append(const char *path, struct json_object *night,
    char **cause);

/*
 * Reads the newest max nights of an index into *nights (oldest first;
 * caller puts), a page of them at a time and without their
 * "analysis_json" (history_es_analysis fetches one), and their document
 * ids into *ids (strings, in the same order; caller puts). A missing
 * index is an empty history. A document that is not a night record is
 * skipped and reported in warnings ("index/_doc/ID: why"; may be NULL).
 * 0 or -1 with *cause.
 */
int history_es_read(struct es *es, const char *index, size_t max,
    struct json_object **nights, struct json_object **ids,
    struct json_object *warnings, char **cause);

/*
 * The "analysis_json" text of the night with document id in index
 * (caller frees; at most 32 MiB are read), or NULL: without *cause when
 * the night has none, with *cause when it could not be read.
 */
char *history_es_analysis(struct es *es, const char *index, const char *id,
    char **cause);

/*
 * Indexes a night (with analysis, borrowed, as "analysis_json"), creating
 * the index with its mapping first when needed. 0 or -1 with *cause.
 */
int history_es_append(struct es *es, const char *index,
    struct json_object *night, struct json_object *analysis, char **cause);

/*
 * The newest night whose verdict is "pass" (borrowed from nights), or
 * NULL.
 */
struct json_object *history_last_passing(struct json_object *nights);

/*
 * The trend view of the last n nights: { "nights": [...], "labels": [ {
 * "label", "points": [ { "time", "p50", "p95", "p99", "rate",
 * "error_share", "count", "verdict" } ] } ] } (caller puts).
 */
struct json_object *history_trend(struct json_object *nights, size_t n);

/*
 * Renders report-templates/nightly.md.tmpl over view (borrowed) into path,
 * opened as kind says (files.h: FILES_USER for a path the user named,
 * FILES_OWN for a name medload chose inside its folder). 0 or -1 with
 * *cause.
 */
int history_render_md_to(struct json_object *view, const char *templates,
    const char *path, enum files_kind kind, char **cause);

/* history_render_md_to with FILES_USER. */
int history_render_md(struct json_object *view, const char *templates,
    const char *path, char **cause);

/*
 * Draws the trend charts of a trend view into dir with gnuplot (see
 * chart.h): trend-latency-N (p50, p95, p99 of the Nth label drawn),
 * trend-rate and trend-errors, each night at its place on the x axis. The
 * CHART_TOP_LABELS labels with the most events over the trend are drawn
 * one by one; the others as one: trend-latency-others (the highest p50,
 * p95, p99 among them), one rate line (added up) and one error share
 * line (weighted by their counts). Appends {title, file} for each chart
 * drawn to list and a message for each failure to problems. Returns the
 * number drawn.
 */
int history_charts(struct json_object *trend, const char *dir,
    const char *templates, struct json_object *list,
    struct json_object *problems);

#endif
