/* compare_render.c: a comparison as text, Markdown or JSON, and charts. */
#include "compare_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analysis.h"
#include "chart.h"
#include "compare.h"
#include "jx.h"
#include "render.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"

/* Sets flag in view when the array member name is not empty. */
static void
compare_render_flag(struct json_object *view, const char *name,
    const char *flag)
{
	struct json_object *a;

	json_object_object_add(view, flag, json_object_new_boolean(
	    json_object_object_get_ex(view, name, &a) &&
	    json_object_is_type(a, json_type_array) &&
	    jx_len(a) > 0));
}

/*
 * The groups a report lists: those that got worse or better (unchanged
 * and not judged ones are counted in the summary, not listed).
 */
static struct json_object *
compare_render_listed(struct json_object *cmp)
{
	struct json_object *out = json_object_new_array(), *groups, *g;
	const char *v;
	size_t i;

	groups = jx_get(cmp, "groups");
	for (i = 0; i < jx_len(groups); i++) {
		g = jx_at(groups, i);
		v = jx_str(jx_get(g, "verdict"), "");
		if (strcmp(v, "worse") == 0 || strcmp(v, "better") == 0)
			json_object_array_add(out, json_object_get(g));
	}
	return out;
}

int
compare_render(struct json_object *cmp, enum compare_format f,
    const char *templates, FILE *out, char **cause)
{
	const char *path = f == COMPARE_MARKDOWN ?
	    "report-templates/compare.md.tmpl" :
	    "report-templates/compare.txt.tmpl";
	struct json_object *view;
	struct strbuf b;
	int rc;

	if (f == COMPARE_JSON)
		return render_json(cmp, out);
	view = json_object_new_object();
	json_object_object_foreach(cmp, k, v)
		json_object_object_add(view, k, json_object_get(v));
	json_object_object_add(view, "listed", compare_render_listed(cmp));
	json_object_object_add(view, "load_changes", json_object_get(
	    jx_get(cmp, "load.changes")));
	compare_render_flag(view, "listed", "has_listed");
	compare_render_flag(view, "load_changes", "has_load_changes");
	compare_render_flag(view, "labels", "has_labels");
	compare_render_flag(view, "baseline_only", "has_baseline_only");
	compare_render_flag(view, "contender_only", "has_contender_only");
	strbuf_init(&b, 0);
	rc = tmpl_render_asset(templates, path, f == COMPARE_MARKDOWN ?
	    TMPL_MARKDOWN : TMPL_TEXT, view, &b, cause);
	json_object_put(view);
	if (rc == 0 && b.len > 0)
		fwrite(b.data, 1, b.len, out);
	strbuf_release(&b);
	if (rc == 0 && ferror(out))
		rc = util_fail(cause, "write error");
	return rc;
}

/* Writes a group's percentile spectrum (q, 1/(1-q), value). */
static void
compare_render_spectrum_data(FILE *f, struct json_object *g)
{
	double p[COMPARE_MAX_PCTS], q[COMPARE_MAX_PCTS];
	size_t n = compare_quantiles(g, p, q), i;
	char num[32];

	for (i = 0; i < n; i++) {
		if (p[i] >= 1)
			continue;
		fprintf(f, "%g %g %s\n", p[i], 1 / (1 - p[i]),
		    util_num(q[i], num));
	}
}

/* Returns 1 when a group of the comparison was judged on its latency. */
static int
compare_render_judged(struct json_object *g)
{
	return strcmp(jx_str(jx_get(g, "verdict"), ""), "not judged") != 0;
}

/* The spectrum chart of the (up to three) judged groups listed first. */
static int
compare_render_spectrum(struct json_object *cmp, struct json_object *base,
    struct json_object *cont, const char *dir, const char *templates,
    struct json_object *list, struct json_object *problems)
{
	struct json_object *groups, *params, *series, *s, *g, *key;
	struct chart *c = chart_new(dir, "compare-spectrum");
	size_t i, side, ns = 0, shown = 0;
	char suffix[16], *file, *cause = NULL;
	FILE *f;

	json_object_object_get_ex(cmp, "groups", &groups);
	params = json_object_new_object();
	series = json_object_new_array();
	for (i = 0; i < jx_len(groups) && shown < 3; i++) {
		if (!compare_render_judged(jx_at(groups, i)))
			continue;
		shown++;
		json_object_object_get_ex(jx_at(groups, i),
		    "key", &key);
		for (side = 0; side < 2; side++) {
			g = analysis_find_group(side ? cont : base, key);
			if (g == NULL)
				continue;
			snprintf(suffix, sizeof(suffix), "s%zu", ns);
			f = chart_data(c, suffix, &cause);
			if (f == NULL) {
				json_object_put(series);
				json_object_put(params);
				return chart_fail(c, cause, problems);
			}
			compare_render_spectrum_data(f, g);
			s = json_object_new_object();
			file = util_printf("compare-spectrum-%s.dat", suffix);
			json_object_object_add(s, "file",
			    json_object_new_string(file));
			free(file);
			file = compare_key_title(key);
			json_object_object_add(s, "title",
			    json_object_new_string(side ? file : "baseline"));
			free(file);
			json_object_object_add(s, "color",
			    json_object_new_int((int)shown));
			json_object_object_add(s, "dash",
			    json_object_new_int(side ? 1 : 2));
			json_object_array_add(series, s);
			ns++;
		}
	}
	json_object_object_add(params, "series", series);
	if (ns == 0) {
		json_object_put(params);
		return chart_fail(c, util_strdup("compare-spectrum: no group "
		    "is in both analyses: nothing to draw"), problems);
	}
	return chart_draw(c, "compare-spectrum", "Latency by percentile: "
	    "baseline (dashed) vs contender",
	    "report-templates/compare.spectrum.gp.tmpl", templates, params,
	    list, problems);
}

/* Writes a title cut to 48 bytes (at a character boundary). */
static void
compare_render_short_title(FILE *f, const char *title)
{
	size_t n = strlen(title);
	char *s;

	if (n <= 48) {
		chart_data_string(f, title);
		return;
	}
	n = 45;
	while (n > 0 && ((unsigned char)title[n] & 0xc0) == 0x80)
		n--;
	s = util_printf("%.*s...", (int)n, title);
	chart_data_string(f, s);
	free(s);
}

/* The p95 change bars. */
static int
compare_render_p95(struct json_object *cmp, const char *dir,
    const char *templates, struct json_object *list,
    struct json_object *problems)
{
	struct json_object *groups, *g, *metrics, *m, *pct;
	struct chart *c = chart_new(dir, "compare-p95");
	char *cause = NULL, num[32];
	size_t i, j, k = 0;
	const char *verdict;
	FILE *f;

	f = chart_data(c, "bars", &cause);
	if (f == NULL)
		return chart_fail(c, cause, problems);
	json_object_object_get_ex(cmp, "groups", &groups);
	for (i = 0; i < jx_len(groups) && k < 30; i++) {
		g = jx_at(groups, i);
		if (!compare_render_judged(g))
			continue;
		json_object_object_get_ex(g, "metrics", &metrics);
		for (j = 0; j < jx_len(metrics); j++) {
			m = jx_at(metrics, j);
			if (strcmp(json_object_get_string(
			    json_object_object_get(m, "metric")), "p95") != 0 ||
			    !json_object_object_get_ex(m, "pct", &pct) ||
			    pct == NULL)
				continue;
			verdict = json_object_get_string(
			    json_object_object_get(m, "verdict"));
			fprintf(f, "%zu ", k++);
			compare_render_short_title(f, json_object_get_string(
			    json_object_object_get(g, "title")));
			fprintf(f, " %s %d\n", util_num(json_object_get_double(
			    pct), num), strcmp(verdict, "worse") == 0 ?
			    0xd62728 : strcmp(verdict, "better") == 0 ?
			    0x2ca02c : 0x9e9e9e);
		}
	}
	if (k == 0)
		return chart_fail(c, util_strdup("compare-p95: no group has a "
		    "p95 in both analyses: nothing to draw"), problems);
	return chart_draw(c, "compare-p95", "p95 change per group (red: "
	    "worse, green: better, grey: noise)",
	    "report-templates/compare.p95.gp.tmpl", templates,
	    json_object_new_object(), list, problems);
}

int
compare_charts(struct json_object *cmp, struct json_object *base,
    struct json_object *cont, const char *dir, const char *templates,
    struct json_object *list, struct json_object *problems)
{
	if (chart_check_dir(dir, problems) == -1)
		return 0;
	return compare_render_spectrum(cmp, base, cont, dir, templates, list,
	    problems) + compare_render_p95(cmp, dir, templates, list, problems);
}
