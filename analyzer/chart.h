/*
 * chart.h: charts drawn by gnuplot, run as a separate process. The data
 * go into files (NAME-*.dat) beside a terminal-independent script
 * (NAME.gp, rendered from a template in report-templates/ with every
 * inserted string escaped for gnuplot), and gnuplot writes NAME.png and
 * NAME.svg; users can re-plot or restyle from what is left in the folder.
 * Nothing from a trace is ever pasted into a script: strings reach the
 * script only through the template's escaping, and data only through
 * files. Every file lands in the folder through core/files.h (FILES_OWN)
 * or, for gnuplot's PNG, a rename out of a private folder, so a link
 * planted under a chart's name is replaced, never written through; the
 * SVG is read back from that folder and kept only as svg_clean (svg.h)
 * passes it.
 */
#ifndef MEDLOAD_CHART_H
#define MEDLOAD_CHART_H

#include <stdio.h>

struct json_object;

/*
 * Says whether gnuplot can be run: 1, or 0 with *why (caller frees) saying
 * why not. GNUPLOT names the program (default "gnuplot").
 */
int chart_available(char **why);

/*
 * Checks that dir is a folder the charts may go into (files_check_dir);
 * when not, appends the reason to problems (an array) and returns -1.
 */
int chart_check_dir(const char *dir, struct json_object *problems);

/*
 * How many labels (or series) a chart shows one by one; the rest are
 * merged into one "others" line, so any number of labels can be drawn.
 */
#define CHART_TOP_LABELS 8

/*
 * Orders items[0..n) so the keep busiest (counts[i] is the event count of
 * items[i]; ties go to the earlier one) come first, in their original
 * order, and the others follow, busiest first. Returns how many are kept:
 * n, or keep when there are more.
 */
size_t chart_top(struct json_object **items, const double *counts, size_t n,
    size_t keep);

struct chart;

/*
 * Starts a chart NAME in directory dir (which must exist). Caller frees
 * with chart_free.
 */
struct chart *chart_new(const char *dir, const char *name);

/* Frees the chart (and closes its data files); NULL is accepted. */
void chart_free(struct chart *c);

/*
 * Opens the data file NAME-suffix.dat for writing (borrowed; closed by
 * chart_render or chart_free). Its relative name is available to the
 * template as {{data.suffix}}. NULL with *cause on error.
 */
FILE *chart_data(struct chart *c, const char *suffix, char **cause);

/*
 * Writes one string cell for a data file: double-quoted and escaped as
 * the templates escape strings (TMPL_GNUPLOT: control characters made
 * visible, quotes and backslashes as octal escapes gnuplot reads back),
 * so a name can never break the file's columns and shows as it is.
 */
void chart_data_string(FILE *f, const char *s);

/*
 * Renders the script from the template at tmpl_path (an asset path;
 * templates_dir overrides) over params (borrowed; the chart adds "name"
 * and "data"), writes NAME.gp, and runs gnuplot for NAME.png and
 * NAME.svg (each bounded to 60 s; its messages in NAME.log). The SVG is
 * kept only as svg_clean passes it (svg.h): one it refuses is left out
 * and chart_svg_left_out says why; the chart still counts as drawn.
 * Returns 0, or -1 with *cause.
 */
int chart_render(struct chart *c, const char *tmpl_path,
    const char *templates_dir, struct json_object *params, char **cause);

/*
 * The SVG chart_render kept, from its <svg> tag on (borrowed; valid until
 * chart_free), or NULL.
 */
const char *chart_svg(const struct chart *c);

/* Why chart_render left the SVG out (borrowed), or NULL. */
const char *chart_svg_left_out(const struct chart *c);

/*
 * chart_render with params' "title" set, then the outcome recorded for a
 * report: on success {"title", "file": name} (and "svg_left_out" with the
 * reason when the SVG was left out) is appended to list and returned
 * (borrowed); on failure the reason goes to problems and NULL is
 * returned.
 */
struct json_object *chart_render_listed(struct chart *c, const char *name,
    const char *title, const char *tmpl_path, const char *templates_dir,
    struct json_object *params, struct json_object *list,
    struct json_object *problems);

/*
 * Gives up on chart c: appends cause (taken; a message of chart_data) to
 * problems and frees c and cause. Returns 0, the number drawn.
 */
int chart_fail(struct chart *c, char *cause, struct json_object *problems);

/*
 * chart_render_listed, then c and params (both taken) released; an SVG
 * left out is also said in problems. Returns 1 when the chart was drawn,
 * else 0.
 */
int chart_draw(struct chart *c, const char *name, const char *title,
    const char *tmpl_path, const char *templates_dir,
    struct json_object *params, struct json_object *list,
    struct json_object *problems);

#endif
