/* nightly.c: one night: analysis, baseline, verdict, history, report. */
#include "nightly.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "analyze.h"
#include "chart.h"
#include "cli.h"
#include "collect.h"
#include "config.h"
#include "es.h"
#include "files.h"
#include "history.h"
#include "interrupt.h"
#include "junit.h"
#include "jx.h"
#include "render.h"
#include "run.h"
#include "run_report.h"
#include "status.h"
#include "timeutil.h"
#include "util.h"

/* Everything one night produces. */
struct nightly_state {
	struct json_object *doc, *base, *cmp, *tblock, *nights, *night;
	struct json_object *results;	/* the run's, with --run-config */
	struct json_object *warnings, *trend, *charts, *problems;
	struct json_object *ids;	/* --history-es: the nights' ids */
	struct es *hes;
	char *base_name, *out, *apath, *hist, *run_id;
	int pass;
};

void
nightly_init(struct nightly *n)
{
	memset(n, 0, sizeof(*n));
	compare_opts_init(&n->co);
	threshold_set_init(&n->ts);
	es_cli_init(&n->ec);
	n->charts = 1;
	n->trend = 30;
	n->when = time_now();
}

void
nightly_release(struct nightly *n)
{
	threshold_set_release(&n->ts);
	es_cli_release(&n->ec);
	free(n->traces);
	free(n->files);
}

/* Frees a night's state. */
static void
nightly_state_release(struct nightly_state *st)
{
	json_object_put(st->doc);
	json_object_put(st->results);
	json_object_put(st->base);
	json_object_put(st->cmp);
	json_object_put(st->tblock);
	json_object_put(st->nights);
	json_object_put(st->ids);
	json_object_put(st->night);
	json_object_put(st->warnings);
	json_object_put(st->trend);
	json_object_put(st->charts);
	json_object_put(st->problems);
	es_free(st->hes);
	free(st->base_name);
	free(st->out);
	free(st->apath);
	free(st->hist);
	free(st->run_id);
}

/* An absolute path for the history (caller frees). */
static char *
nightly_abs(const char *path)
{
	char *r = realpath(path, NULL);

	return r != NULL ? r : util_strdup(path);
}

/* Writes a JSON document to a file of the report folder. */
static int
nightly_write_json(const char *path, struct json_object *doc, char **cause)
{
	struct files_out o;
	int rc;

	if (files_open(&o, path, FILES_OWN, cause) == -1)
		return -1;
	rc = render_json(doc, o.f);
	if (rc == -1)
		util_fail(cause, "%s: write error", path);
	if (files_close(&o, rc == 0, rc == 0 ? cause : NULL) == -1)
		rc = -1;
	return rc;
}

/* Writes a comparison rendering to a file of the report folder. */
static int
nightly_write_compare(const char *path, struct json_object *cmp,
    enum compare_format fmt, const char *templates, char **cause)
{
	struct files_out o;
	int rc;

	if (files_open(&o, path, FILES_OWN, cause) == -1)
		return -1;
	rc = compare_render(cmp, fmt, templates, o.f, cause);
	if (files_close(&o, rc == 0, rc == 0 ? cause : NULL) == -1)
		rc = -1;
	return rc;
}

/* The report folder's default name, from the night's time (caller frees). */
static char *
nightly_out_name(double when)
{
	char buf[TIME_BUF], *p;

	time_format(when, buf);
	buf[19] = '\0';
	for (p = buf; *p != '\0'; p++)
		if (*p == ':')
			*p = '-';
	return util_printf("medload-nightly/%s", buf);
}

/* --- the plan of --dry-run ------------------------------------------- */

/* Prints one word of a planned command, escaped. */
static void
nightly_word(const char *w)
{
	putchar(' ');
	util_fput_safe(w, stdout);
}

/* Prints the `medload run` that the night amounts to. */
static void
nightly_plan_run(const struct nightly *n, const struct nightly_state *st)
{
	size_t i;

	printf("run:");
	nightly_word("run");
	nightly_word("--config");
	nightly_word(n->run_config);
	nightly_word("--run-id");
	nightly_word(st->run_id);
	if (n->collect == NULL && n->ntraces == 0) {
		putchar('\n');
		return;
	}
	for (i = 0; i < n->ntraces; i++) {
		nightly_word("--traces");
		nightly_word(n->traces[i]);
	}
	if (n->collect != NULL) {
		nightly_word("--collect");
		nightly_word(n->collect);
	}
	printf(" --report ");
	util_fput_safe(st->out, stdout);
	printf("/run-report --out-dir ");
	util_fput_safe(st->out, stdout);
	printf("/runs\nanalysis: ");
	util_fput_safe(st->out, stdout);
	printf("/runs/");
	util_fput_safe(st->run_id, stdout);
	printf("/analysis.json (copied to analysis.json)\n");
}

/* Prints the `medload analyze` that the night amounts to. */
static void
nightly_plan_analyze(const struct nightly *n, const struct nightly_state *st)
{
	const char *run_id = n->run_config ? st->run_id : n->run_id;
	size_t i;

	printf("analyze: analyze --format json -o ");
	util_fput_safe(st->apath, stdout);
	if (n->es_url != NULL) {
		nightly_word("--es");
		nightly_word(n->es_url);
		if (n->index != NULL) {
			nightly_word("--index");
			nightly_word(n->index);
		}
		if (run_id != NULL) {
			nightly_word("--run-id");
			nightly_word(run_id);
		}
	}
	if (n->since != NULL || (n->es_url != NULL && n->run_config == NULL)) {
		nightly_word("--since");
		nightly_word(n->since ? n->since : "-24h");
	}
	if (n->until != NULL) {
		nightly_word("--until");
		nightly_word(n->until);
	}
	for (i = 0; i < n->nfiles; i++)
		nightly_word(n->files[i]);
	putchar('\n');
}

/* Prints the plan of a --dry-run. */
static void
nightly_plan(const struct nightly *n, const struct nightly_state *st)
{
	size_t i;

	printf("medload nightly --dry-run: nothing is changed\n");
	printf("report folder: ");
	util_fput_safe(st->out, stdout);
	putchar('\n');
	if (n->run_config != NULL)
		nightly_plan_run(n, st);
	if (n->analysis != NULL) {
		printf("analysis: ");
		util_fput_safe(n->analysis, stdout);
		printf(" (copied to analysis.json)\n");
	} else if (n->collect == NULL && n->ntraces == 0)
		nightly_plan_analyze(n, st);
	printf("baseline: ");
	util_fput_safe(n->baseline ? n->baseline :
	    "the last passing night of the history", stdout);
	printf("\nhistory: ");
	util_fput_safe(st->hist, stdout);
	printf("%s\n", n->history_es ? " (index)" : "");
	printf("thresholds: %zu\n", n->ts.n);
	for (i = 0; i < n->ts.n; i++) {
		printf("  ");
		util_fput_safe(threshold_expr(n->ts.v[i]), stdout);
		putchar('\n');
	}
	printf("verdict: fail on a breached threshold%s\n", n->failreg ?
	    " or a regression beyond the noise margin" : "");
}

/* --- tonight's analysis ---------------------------------------------- */

/* The analysis request of --es or trace files; 0 or -1 with *cause. */
static int
nightly_request(const struct nightly *n, const char *run_id,
    struct analyze_request *r, char **cause)
{
	const char *since = n->since;
	double now = time_now();

	analyze_request_init(r);
	if (since == NULL && n->es_url != NULL && n->run_config == NULL)
		since = "-24h";
	if (since != NULL && time_parse_when(since, now,
	    &r->filter.since) == -1)
		return util_fail(cause, "--since: \"%s\" is not a time", since);
	if (n->until != NULL && time_parse_when(n->until, now,
	    &r->filter.until) == -1)
		return util_fail(cause, "--until: \"%s\" is not a time",
		    n->until);
	r->filter.has_since = since != NULL;
	r->filter.has_until = n->until != NULL;
	r->run_id = run_id;
	r->run_id_optional = n->run_config != NULL;	/* tonight's run */
	r->source = n->es_url != NULL ? ANALYZE_ES : ANALYZE_FILES;
	r->files = (const char *const *)n->files;
	r->nfiles = n->nfiles;
	r->es.url = n->es_url;
	r->es.http = &n->ec.http;
	if (n->index != NULL)
		r->es.index = n->index;
	if (n->mode != NULL)
		r->es.mode = strcmp(n->mode, "raw") == 0 ? SOURCE_ES_RAW :
		    strcmp(n->mode, "aggs") == 0 ? SOURCE_ES_AGGS :
		    SOURCE_ES_AUTO;
	return 0;
}

/* Analyzes trace files or the search engine; returns an exit status. */
static int
nightly_analyze(const struct nightly *n, struct nightly_state *st)
{
	struct analyze_request r;
	struct analyze_result res;
	char *cause = NULL;

	if (nightly_request(n, n->run_config ? st->run_id : n->run_id, &r,
	    &cause) == -1 || analyze_run(&r, &res, &cause) == -1) {
		cli_error("the analysis failed: %s", cause);
		free(cause);
		return STATUS_IO;
	}
	st->doc = res.doc;
	if (res.accepted == 0) {
		cli_error("the analysis failed: no events accepted");
		if (res.hint != NULL)
			cli_error("hint: %s", res.hint);
		free(res.hint);
		return STATUS_NO_EVENTS;
	}
	free(res.hint);
	if (res.unreadable > 0)
		return STATUS_IO;
	return res.partial ? STATUS_PARTIAL : STATUS_OK;
}

/* The run's settings: its config file, a fresh id, the night's folders. */
static int
nightly_run_config(const struct nightly *n, const struct nightly_state *st,
    struct config *cfg, char **cause)
{
	char *runs = util_printf("%s/runs", st->out);
	int rc;

	rc = run_report_config(cfg, n->run_config, NULL, cause);
	if (rc == 0)
		rc = config_set(cfg, "run-id", st->run_id, "nightly", cause);
	if (rc == 0 && (n->collect != NULL || n->ntraces > 0))
		rc = config_set(cfg, "out-dir", runs, "nightly", cause);
	if (rc == 0)
		rc = config_finish(cfg, 1, cause);
	free(runs);
	return rc;
}

/* The load run of --run-config and its report; returns an exit status. */
static int
nightly_run(const struct nightly *n, struct nightly_state *st)
{
	struct run_report_opts rep;
	struct threshold_set own;	/* the config's: the run report's */
	struct collector *col = NULL;
	struct json_object *results;
	struct config cfg;
	char *cause = NULL, *dir = NULL, *rdir;
	int status;

	config_init(&cfg);
	threshold_set_init(&own);
	memset(&rep, 0, sizeof(rep));
	rdir = util_printf("%s/run-report", st->out);
	rep.report_dir = rdir;
	rep.collect = n->collect;
	rep.traces = n->traces;
	rep.ntraces = n->ntraces;
	rep.wait_s = 2;
	rep.thresholds = &own;
	if (nightly_run_config(n, st, &cfg, &cause) == -1 ||
	    threshold_set_load_config(&own, n->run_config, &cause) == -1) {
		status = cli_usage_error("nightly", "--run-config: %s", cause);
		goto out;
	}
	dir = util_printf("%s/%s", cfg.out_dir, cfg.run_id);
	rep.cfg = &cfg;
	if (run_report_start(&rep, dir, cfg.run_id, &col, &cause) == -1) {
		cli_error("run: %s", cause);
		status = STATUS_IO;
		goto out;
	}
	interrupt_catch();
	status = run_execute(&cfg, stdout, stderr, &results);
	fflush(stdout);
	if (interrupt_seen() > 0 && status != STATUS_IO) {
		/* a cut-short night must not become a baseline */
		collector_stop(col, 0, NULL);
		cli_error("the run was interrupted: no night is recorded");
		json_object_put(results);
		status = STATUS_INTERRUPTED;
		goto out;
	}
	if (status != STATUS_OK && status != STATUS_PARTIAL) {
		collector_stop(col, 0, NULL);
		cli_error("the run failed (status %d)", status);
	} else if (n->collect != NULL || n->ntraces > 0) {
		int rs = run_report_finish(&rep, dir, col, results, &st->doc);

		/* the config's thresholds are judged below with the night's */
		if (st->doc != NULL)
			json_object_object_del(st->doc, "thresholds");
		if (rs != STATUS_OK && rs != STATUS_THRESHOLD)
			status = rs;
	}
	st->results = results;	/* the night's thresholds read it too */
out:
	free(cause);
	free(dir);
	free(rdir);
	threshold_set_release(&own);
	config_release(&cfg);
	return status;
}

/* Tonight's analysis, written to the folder; returns an exit status. */
static int
nightly_tonight(const struct nightly *n, struct nightly_state *st)
{
	char *cause = NULL;
	int status = STATUS_OK, rs;

	if (n->run_config != NULL) {
		status = nightly_run(n, st);
		if (status != STATUS_OK && status != STATUS_PARTIAL)
			return status;
	}
	if (n->analysis != NULL)
		st->doc = jx_load(n->analysis, "medload.analysis/1", 0, &cause);
	else if (st->doc == NULL) {
		rs = nightly_analyze(n, st);
		if (rs != STATUS_OK && rs != STATUS_PARTIAL)
			return rs;
		if (rs == STATUS_PARTIAL)
			status = rs;
	}
	if (st->doc == NULL || nightly_write_json(st->apath, st->doc,
	    &cause) == -1) {
		cli_error("%s", cause ? cause : "no analysis");
		free(cause);
		return STATUS_IO;
	}
	return status;
}

/* --- baseline, history, verdict, report ------------------------------ */

/*
 * The analysis stored with night i of the history (caller frees): in the
 * index, fetched alone; in a file, its "analysis_json". NULL when there is
 * none, or with *cause when it cannot be read.
 */
static char *
nightly_night_stored(const struct nightly *n, const struct nightly_state *st,
    size_t i, char **cause)
{
	struct json_object *v;

	if (st->hes != NULL)
		return history_es_analysis(st->hes, n->history_index,
		    jx_str(jx_at(st->ids, i), ""), cause);
	if (json_object_object_get_ex(jx_at(st->nights, i), "analysis_json",
	    &v) && json_object_is_type(v, json_type_string))
		return util_strdup(json_object_get_string(v));
	return NULL;
}

/* The analysis night i refers to (caller puts), or NULL with *cause. */
static struct json_object *
nightly_night_analysis(const struct nightly *n,
    const struct nightly_state *st, size_t i, char **name, char **cause)
{
	struct json_object *night = jx_at(st->nights, i), *v, *doc;
	const char *when = jx_str(json_object_object_get(night, "time"),
	    "(no time)");
	char *why = NULL, *stored;

	stored = nightly_night_stored(n, st, i, &why);
	if (why != NULL) {
		util_fail(cause, "history night %s: %s", when, why);
		free(why);
		return NULL;
	}
	if (stored != NULL) {
		doc = json_tokener_parse(stored);
		free(stored);
		if (jx_schema_is(doc, "medload.analysis/1") &&
		    json_object_is_type(json_object_object_get(doc, "groups"),
		    json_type_array)) {
			*name = util_printf("history night %s", when);
			return doc;
		}
		json_object_put(doc);
	}
	if (!json_object_object_get_ex(night, "analysis", &v) ||
	    !json_object_is_type(v, json_type_string)) {
		util_fail(cause, "history night %s: no usable analysis", when);
		return NULL;
	}
	doc = jx_load(json_object_get_string(v), "medload.analysis/1", 0, &why);
	if (doc != NULL)
		*name = util_strdup(json_object_get_string(v));
	else
		util_fail(cause, "history night %s: %s", when, why);
	free(why);
	return doc;
}

/*
 * Loads the baseline: pinned, else the analysis of the newest passing
 * night of the history that can still be read (nights whose analysis is
 * gone or corrupt are reported in warnings and passed over).
 */
static struct json_object *
nightly_baseline(const struct nightly *n, struct nightly_state *st,
    char **cause)
{
	struct json_object *night, *doc;
	char *why = NULL;
	size_t i;

	if (n->baseline != NULL) {
		st->base_name = util_strdup(n->baseline);
		return jx_load(n->baseline, "medload.analysis/1", 0, cause);
	}
	for (i = jx_len(st->nights); i-- > 0;) {
		night = jx_at(st->nights, i);
		if (strcmp(jx_str(jx_get(night, "verdict"), ""), "pass") != 0)
			continue;
		doc = nightly_night_analysis(n, st, i, &st->base_name, &why);
		if (doc != NULL)
			return doc;
		json_object_array_add(st->warnings, json_object_new_string(why));
		free(why);
		why = NULL;
	}
	return NULL;
}

/* Reads the history; returns an exit status. */
static int
nightly_read_history(const struct nightly *n, struct nightly_state *st)
{
	char *cause = NULL;
	int rc;

	if (n->history_es != NULL)
		rc = es_open(n->history_es, &n->ec.http, &st->hes, &cause) ==
		    -1 ? -1 : history_es_read(st->hes, n->history_index,
		    n->trend + 365, &st->nights, &st->ids, st->warnings,
		    &cause);
	else
		rc = history_file_read(st->hist, &st->nights, st->warnings,
		    &cause);
	if (rc == -1) {
		cli_error("history: %s", cause);
		free(cause);
		return STATUS_IO;
	}
	return STATUS_OK;
}

/* The baseline and the comparison; returns an exit status. */
static int
nightly_compare(const struct nightly *n, struct nightly_state *st)
{
	char *cause = NULL;
	size_t i;

	st->base = nightly_baseline(n, st, &cause);
	for (i = 0; i < jx_len(st->warnings); i++)
		cli_error("%s (skipped)", jx_str(jx_at(st->warnings, i), ""));
	if (st->base == NULL && cause != NULL) {
		if (n->baseline != NULL) {
			cli_error("%s", cause);
			free(cause);
			return STATUS_IO;
		}
		cli_error("baseline from the history: %s; no comparison", cause);
	}
	free(cause);
	cause = NULL;
	if (st->base != NULL) {
		st->cmp = compare_build(st->base, st->doc, &n->co,
		    st->base_name, st->apath, &cause);
		if (st->cmp == NULL)
			cli_error("%s; no comparison", cause);
	}
	free(cause);
	return STATUS_OK;
}

/* The thresholds and the verdict. */
static void
nightly_judge(const struct nightly *n, struct nightly_state *st)
{
	st->tblock = threshold_evaluate(&n->ts, st->doc, st->base,
	    st->results);
	if (st->cmp != NULL)
		json_object_object_add(st->cmp, "thresholds",
		    json_object_get(st->tblock));
	st->pass = threshold_block_failed(st->tblock) == 0 && !(n->failreg &&
	    st->cmp != NULL && compare_regressions(st->cmp) > 0);
}

/* Appends tonight to the history; returns an exit status. */
static int
nightly_append(const struct nightly *n, struct nightly_state *st)
{
	struct history_input in;
	char *abs_a = nightly_abs(st->apath), *abs_o = nightly_abs(st->out);
	char *cause = NULL;
	int rc;

	memset(&in, 0, sizeof(in));
	in.analysis = st->doc;
	in.analysis_path = abs_a;
	in.report_dir = abs_o;
	in.when = n->when;
	in.thresholds = st->tblock;
	in.compare = st->cmp;
	in.baseline = st->base_name;
	in.pass = st->pass;
	st->night = history_night(&in);
	free(abs_a);
	free(abs_o);
	if (st->hes != NULL)
		rc = history_es_append(st->hes, n->history_index, st->night,
		    st->doc, &cause);
	else
		rc = history_file_append(st->hist, st->night, &cause);
	if (rc == -1)
		cli_error("history: %s", cause);
	free(cause);
	json_object_array_add(st->nights, json_object_get(st->night));
	st->trend = history_trend(st->nights, n->trend);
	return rc == -1 ? STATUS_IO : STATUS_OK;
}

/* Draws the trend and comparison charts; problems are warnings only. */
static void
nightly_charts(const struct nightly *n, struct nightly_state *st)
{
	char *why = NULL;
	size_t i;

	if (!chart_available(&why)) {
		cli_error("charts skipped: %s", why);
		json_object_array_add(st->problems, json_object_new_string(why));
		free(why);
		return;
	}
	history_charts(st->trend, st->out, n->templates, st->charts,
	    st->problems);
	if (st->cmp != NULL)
		compare_charts(st->cmp, st->base, st->doc, st->out,
		    n->templates, st->charts, st->problems);
	for (i = 0; i < jx_len(st->problems); i++)
		cli_error("chart: %s", jx_str(jx_at(st->problems, i), ""));
}

/* Writes nightly.md from the view of the night and its trend. */
static int
nightly_write_md(const struct nightly *n, struct nightly_state *st,
    char **cause)
{
	struct json_object *view = json_object_new_object();
	char *path = util_printf("%s/nightly.md", st->out);
	int rc;

	json_object_object_add(view, "night", json_object_get(st->night));
	json_object_object_add(view, "trend", json_object_get(st->trend));
	json_object_object_add(view, "compare", json_object_get(st->cmp));
	json_object_object_add(view, "thresholds",
	    json_object_get(st->tblock));
	json_object_object_add(view, "warnings",
	    json_object_get(st->warnings));
	json_object_object_add(view, "has_warnings", json_object_new_boolean(
	    jx_len(st->warnings) > 0));
	json_object_object_add(view, "charts", json_object_get(st->charts));
	json_object_object_add(view, "chart_problems",
	    json_object_get(st->problems));
	rc = history_render_md_to(view, n->templates, path, FILES_OWN, cause);
	json_object_put(view);
	free(path);
	return rc;
}

/* Writes a JSON file or a comparison rendering unless an error came first. */
static int
nightly_file(int rc, const struct nightly *n, struct nightly_state *st,
    const char *name, struct json_object *doc, int fmt, char **cause)
{
	char *path;

	if (rc == -1)
		return -1;
	path = util_printf("%s/%s", st->out, name);
	if (fmt < 0)
		rc = nightly_write_json(path, doc, cause);
	else
		rc = nightly_write_compare(path, doc, (enum compare_format)fmt,
		    n->templates, cause);
	free(path);
	return rc;
}

/* Writes the report folder; returns an exit status. */
static int
nightly_folder(const struct nightly *n, struct nightly_state *st)
{
	char *cause = NULL, *p;
	int rc;

	rc = nightly_file(0, n, st, "thresholds.json", st->tblock, -1, &cause);
	p = util_printf("%s/junit.xml", st->out);
	if (rc == 0)
		rc = junit_write_to(p, FILES_OWN, "medload nightly",
		    st->tblock, NULL, &cause);
	free(p);
	rc = nightly_file(rc, n, st, "trend.json", st->trend, -1, &cause);
	if (st->cmp != NULL) {
		rc = nightly_file(rc, n, st, "compare.json", st->cmp, -1,
		    &cause);
		rc = nightly_file(rc, n, st, "compare.md", st->cmp,
		    COMPARE_MARKDOWN, &cause);
		rc = nightly_file(rc, n, st, "compare.txt", st->cmp,
		    COMPARE_TEXT, &cause);
	}
	if (rc == 0 && n->charts)
		nightly_charts(n, st);
	if (rc == 0)
		rc = nightly_write_md(n, st, &cause);
	if (rc == -1)
		cli_error("%s", cause);
	free(cause);
	return rc == -1 ? STATUS_IO : STATUS_OK;
}

/* Prints the verdict line. */
static void
nightly_verdict(const struct nightly *n, const struct nightly_state *st)
{
	printf("medload nightly: %s", st->pass ? "pass" : "FAIL");
	printf(" (%d of %zu thresholds breached, %d regressions",
	    threshold_block_failed(st->tblock), n->ts.n, st->cmp ?
	    compare_regressions(st->cmp) : 0);
	printf("; baseline: ");
	util_fput_safe(st->base_name ? st->base_name : "none", stdout);
	printf("); report: ");
	util_fput_safe(st->out, stdout);
	putchar('\n');
}

/* Names the night's folder, history and run; 0 or STATUS_USAGE. */
static int
nightly_prepare(struct nightly *n, struct nightly_state *st)
{
	char *cause = NULL;

	if (n->templates == NULL)
		n->templates = getenv("MEDLOAD_TEMPLATES");
	if (n->history_index == NULL)
		n->history_index = "medload-history";
	st->out = n->out != NULL ? util_strdup(n->out) :
	    nightly_out_name(n->when);
	st->hist = n->history_es ? util_printf("%s/%s", n->history_es,
	    n->history_index) : util_strdup(n->history ? n->history :
	    "medload-history.jsonl");
	if (n->run_config != NULL)
		st->run_id = n->run_id ? util_strdup(n->run_id) :
		    util_printf("nightly-%.0f", n->when);
	st->apath = util_printf("%s/analysis.json", st->out);
	if (n->dry)
		return STATUS_OK;
	if ((n->es_url != NULL || n->history_es != NULL) &&
	    es_cli_finish(&n->ec, &cause) == -1) {
		cli_usage_error("nightly", "%s", cause);
		free(cause);
		return STATUS_USAGE;
	}
	return STATUS_OK;
}

int
nightly_execute(struct nightly *n)
{
	struct nightly_state st;
	char *cause = NULL;
	int status, rs;

	memset(&st, 0, sizeof(st));
	status = nightly_prepare(n, &st);
	if (status != STATUS_OK || n->dry) {
		if (n->dry)
			nightly_plan(n, &st);
		nightly_state_release(&st);
		return status;
	}
	if (files_mkdirs(st.out, &cause) == -1 ||
	    files_check_dir(st.out, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		nightly_state_release(&st);
		return STATUS_IO;
	}
	st.warnings = json_object_new_array();
	st.charts = json_object_new_array();
	st.problems = json_object_new_array();
	status = nightly_tonight(n, &st);
	if (status == STATUS_OK || status == STATUS_PARTIAL) {
		rs = nightly_read_history(n, &st);
		if (rs == STATUS_OK)
			rs = nightly_compare(n, &st);
		if (rs == STATUS_OK) {
			nightly_judge(n, &st);
			rs = nightly_append(n, &st);
			if (nightly_folder(n, &st) != STATUS_OK)
				rs = STATUS_IO;
			nightly_verdict(n, &st);
		}
		if (rs != STATUS_OK)
			status = rs;
		else if (!st.pass && status == STATUS_OK)
			status = STATUS_THRESHOLD;
	}
	nightly_state_release(&st);
	return status;
}
