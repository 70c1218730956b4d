/*
 * compare_render.h: a comparison document ("medload.compare/1", built by
 * compare.h) rendered for people and machines: text and Markdown from
 * report-templates/compare.{txt,md}.tmpl, JSON as it is, and the
 * comparison charts drawn with gnuplot (chart.h).
 */
#ifndef MEDLOAD_COMPARE_RENDER_H
#define MEDLOAD_COMPARE_RENDER_H

#include <stdio.h>

struct json_object;

enum compare_format { COMPARE_TEXT, COMPARE_MARKDOWN, COMPARE_JSON };

/*
 * Writes a comparison document cmp (borrowed) to out in format f. Text
 * and Markdown come from report-templates/compare.{txt,md}.tmpl
 * (templates, when not NULL, overrides the embedded ones). Returns 0 or
 * -1 with *cause.
 */
int compare_render(struct json_object *cmp, enum compare_format f,
    const char *templates, FILE *out, char **cause);

/*
 * Draws the comparison charts into dir with gnuplot (see chart.h):
 * compare-spectrum (baseline vs contender percentiles of the groups that
 * changed most; base and cont are the analyses, borrowed) and compare-p95
 * (p95 change per group). dir must be a folder of the user's own
 * (files_check_dir). Appends {title, file} per chart to list and failures
 * to problems. Returns the number drawn.
 */
int compare_charts(struct json_object *cmp, struct json_object *base,
    struct json_object *cont, const char *dir, const char *templates,
    struct json_object *list, struct json_object *problems);

#endif
