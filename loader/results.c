/* results.c: the run directory's files: settings, schedule, results. */
#include "results.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cli.h"
#include "config.h"
#include "engine.h"
#include "files.h"
#include "hist.h"
#include "interrupt.h"
#include "edge_steps.h"
#include "edge_ws.h"
#include "journal.h"
#include "jx.h"
#include "schedule.h"
#include "shape.h"
#include "stats.h"
#include "stats_csv.h"
#include "status.h"
#include "util.h"
#include "workflow.h"

/* Writes text to dir/name, a file medload names. 0, or -1 with *cause. */
static int
results_write_text(const char *dir, const char *name, const char *text,
    char **cause)
{
	char *path = util_printf("%s/%s", dir, name);
	int rc = files_write(path, FILES_OWN, text, strlen(text), cause);

	free(path);
	return rc;
}

/* What print writes for c, as a string (caller frees). */
static char *
results_capture(void (*print)(const struct config *, FILE *),
    const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return util_strdup("");
	print(c, f);
	fclose(f);
	return buf;
}

/* Writes text captured from print for c to dir/name. */
static int
results_write_capture(const char *dir, const char *name,
    void (*print)(const struct config *, FILE *), const struct config *c,
    char **cause)
{
	char *text = results_capture(print, c);
	int rc = results_write_text(dir, name, text, cause);

	free(text);
	return rc;
}

int
results_start(const struct run *r, char **cause)
{
	if (results_write_capture(r->dir, "config.yaml", config_print, r->c,
	    cause) == -1)
		return -1;
	return results_write_capture(r->dir, "schedule.txt", schedule_print,
	    r->c, cause);
}

/* The task start lateness block of the meta. */
static struct json_object *
results_lateness(const struct hist *h)
{
	static const double q[] = { 50, 99, 99.9 };
	struct json_object *lat = json_object_new_object();
	double p[3];

	hist_percentiles(h, q, 3, p);
	json_object_object_add(lat, "count", json_object_new_int64(
	    (int64_t)hist_count(h)));
	json_object_object_add(lat, "p50", json_object_new_double(p[0]));
	json_object_object_add(lat, "p99", json_object_new_double(p[1]));
	json_object_object_add(lat, "p99.9", json_object_new_double(p[2]));
	json_object_object_add(lat, "max", json_object_new_double(
	    hist_max(h)));
	return lat;
}

/* Adds the integer member key = v to o. */
static void
results_int(struct json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, json_object_new_int64(v));
}

/*
 * The seed's users are ready with their wallet; those whose mediator
 * connection never became active are counted by the request they were
 * at: 001 (no connection) or 002 (never listed as active).
 */
static void
results_never_connected(const struct run *r, struct json_object *m)
{
	int64_t none = 0, inactive = 0;
	struct json_object *by = json_object_new_object();
	size_t i;

	for (i = 0; i < r->ntenants; i++) {
		const struct tenant *t = r->tenants[i];

		if (t == NULL || !t->was_ready || t->med_active)
			continue;
		if (t->med_conn[0] == '\0')
			none++;
		else
			inactive++;
	}
	if (none > 0)
		results_int(by, "001_connect_to_mediator", none);
	if (inactive > 0)
		results_int(by, "002_connections_list", inactive);
	results_int(m, "users_never_connected", none + inactive);
	json_object_object_add(m, "users_never_connected_by_step", by);
}

/*
 * Counts the users that never finished their setup, by the step they were
 * at (still at it when the run ended, or given up after retries).
 */
static void
results_never_ready(const struct run *r, struct json_object *m)
{
	struct json_object *by = json_object_new_object(), *v;
	const char *name;
	int64_t n = 0;
	size_t i;

	for (i = 0; i < r->ntenants; i++) {
		const struct tenant *t = r->tenants[i];

		if (t == NULL || t->was_ready)
			continue;
		name = t->step < r->wf->nsteps ? r->wf->steps[t->step]->name :
		    "setup";
		v = json_object_object_get(by, name);
		json_object_object_add(by, name, json_object_new_int64(
		    (v != NULL ? json_object_get_int64(v) : 0) + 1));
		n++;
	}
	results_int(m, "users_never_ready", n);
	json_object_object_add(m, "users_never_ready_by_step", by);
	if (r->c->scenario == CONFIG_SCENARIO_SEED)
		results_never_connected(r, m);
}

/*
 * What the step judge (run --find-knee) decided: the step after which it
 * stopped the run and why, or that it never did.
 */
static struct json_object *
results_judge(const struct run *r)
{
	struct json_object *j = json_object_new_object();

	results_int(j, "steps_judged", r->judged_step);
	json_object_object_add(j, "stopped", json_object_new_boolean(
	    r->stop_why != NULL));
	if (r->stop_why != NULL) {
		results_int(j, "step", r->stop_step);
		json_object_object_add(j, "why", json_object_new_string(
		    r->stop_why));
	}
	return j;
}

/*
 * --max-setups: the cap (this shard's), how often and for how long in all
 * the spawner waited for a setup to end before starting a user.
 */
static struct json_object *
results_ramp(const struct run *r)
{
	struct json_object *o = json_object_new_object();

	results_int(o, "max_setups", (int64_t)r->setup_cap);
	results_int(o, "spawns_held", (int64_t)r->spawn_held);
	json_object_object_add(o, "held_s", json_object_new_double(
	    r->spawn_held_s));
	return o;
}

struct json_object *
results_meta(const struct run *r)
{
	struct json_object *m = json_object_new_object(), *s;

	json_object_object_add(m, "run_id", json_object_new_string(
	    r->run_id));
	json_object_object_add(m, "config", config_json(r->c));
	json_object_object_add(m, "scenario", json_object_new_string(
	    config_scenario_name(r->c->scenario)));
	json_object_object_add(m, "protocol", json_object_new_string(
	    r->c->scenario == CONFIG_SCENARIO_HTTP ? "http" :
	    config_protocol_name(r->protocol)));
	results_int(m, "shard", r->shard + 1);
	results_int(m, "shards", r->nshards ? r->nshards : 1);
	results_int(m, "users_started", (int64_t)r->ntenants);
	results_int(m, "users_gave_up", (int64_t)r->gave_up);
	results_never_ready(r, m);
	results_int(m, "tasks_skipped_no_ready_user",
	    (int64_t)r->tasks_skipped);
	if (r->setup_cap != 0)
		json_object_object_add(m, "ramp", results_ramp(r));
	results_int(m, "journal_lines", (int64_t)journal_lines(r->journal));
	json_object_object_add(m, "interrupted", json_object_new_boolean(
	    interrupt_seen() > 0));
	json_object_object_add(m, "planned_seconds", json_object_new_double(
	    (double)(r->end_at - r->start) / 1e6));
	json_object_object_add(m, "elapsed_seconds", json_object_new_double(
	    (double)(eng_now() - r->start) / 1e6));
	json_object_object_add(m, "task_start_lateness_us",
	    results_lateness(r->lateness));
	if (r->c->step_judge != NULL)
		json_object_object_add(m, "step_judge", results_judge(r));
	if ((s = edge_ws_results(r)) != NULL)
		json_object_object_add(m, "edge_sessions", s);
	if ((s = edge_steps_results(r)) != NULL)
		json_object_object_add(m, "edge_steps", s);
	return m;
}

/* Prints ", N never WHAT (step: n, ...)" when meta has key. */
static void
results_print_by(struct json_object *meta, const char *key, const char *what,
    FILE *out)
{
	struct json_object *by;
	char *bykey;
	const char *sep = " (";

	if (jx_get(meta, key) == NULL)
		return;
	fprintf(out, ", %lld never %s", jx_int(meta, key, 0), what);
	bykey = util_printf("%s_by_step", key);
	by = jx_get(meta, bykey);
	free(bykey);
	if (jx_is_object(by)) {
		json_object_object_foreach(by, name, n) {
			fprintf(out, "%s%s: %lld", sep, name,
			    (long long)json_object_get_int64(n));
			sep = ", ";
		}
	}
	if (*sep == ',')
		fputc(')', out);
}

/* Prints the users who never became ready and an interruption. */
static void
results_print_users(struct json_object *meta, FILE *out)
{
	long long started = jx_int(meta, "users_started", 0);
	struct json_object *ramp;

	fprintf(out, "\nUsers: %lld started, %lld became ready", started,
	    started - jx_int(meta, "users_never_ready", 0));
	results_print_by(meta, "users_never_ready", "ready", out);
	results_print_by(meta, "users_never_connected", "connected to the "
	    "mediator", out);
	fputc('\n', out);
	if ((ramp = jx_get(meta, "ramp")) != NULL)
		fprintf(out, "Ramp: at most %lld users setting up at once "
		    "(--max-setups): starts waited %.0f s in all for a setup "
		    "to end (the mediator's pace)\n", jx_int(ramp,
		    "max_setups", 0), json_object_get_double(jx_get(ramp,
		    "held_s")));
	if (json_object_get_boolean(json_object_object_get(meta,
	    "interrupted")))
		fprintf(out, "Interrupted at %.0f s of %.0f s planned: the "
		    "results cover what ran.\n", json_object_get_double(
		    json_object_object_get(meta, "elapsed_seconds")),
		    json_object_get_double(json_object_object_get(meta,
		    "planned_seconds")));
}

/*
 * The end table (both timings with actual_too), the users line and an
 * interruption, on out.
 */
static void
results_print(const struct stats *st, struct json_object *meta,
    int actual_too, FILE *out)
{
	stats_print_table(st, actual_too, out);
	if (meta != NULL)
		results_print_users(meta, out);
	if (json_object_object_get(meta, "edge_steps") != NULL)
		edge_steps_print(json_object_object_get(meta, "edge_steps"),
		    out);
}

/* Writes the end table to dir/summary.txt. */
static int
results_summary(const struct stats *st, struct json_object *meta,
    const char *dir, char **cause)
{
	struct files_out o;
	char *path = util_printf("%s/summary.txt", dir);
	int rc = files_open(&o, path, FILES_OWN, cause);

	free(path);
	if (rc == -1)
		return -1;
	results_print(st, meta, 1, o.f);
	return files_close(&o, 1, cause);
}

/* Writes results.json: the stats document with meta; *out gets it. */
static int
results_json(const struct stats *st, struct json_object *meta,
    const char *dir, struct json_object **out, char **cause)
{
	struct json_object *doc = stats_json(st, meta);
	struct strbuf b;
	int rc;

	strbuf_init(&b, 0);
	strbuf_adds(&b, json_object_to_json_string_ext(doc,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	    JSON_C_TO_STRING_NOSLASHESCAPE));
	strbuf_addc(&b, '\n');
	rc = results_write_text(dir, "results.json", b.data, cause);
	strbuf_release(&b);
	if (out != NULL)
		*out = doc;
	else
		json_object_put(doc);
	return rc;
}

int
results_write(const struct stats *st, struct json_object *meta,
    const char *dir, const char *csv_prefix, FILE *out,
    struct json_object **doc, char **cause)
{
	char *prefix;
	int rc;

	if (out != NULL) {
		results_print(st, meta, 0, out);
		fflush(out);
	}
	if (results_summary(st, meta, dir, cause) == -1)
		return -1;
	prefix = csv_prefix ? util_strdup(csv_prefix) :
	    util_printf("%s/medload", dir);
	rc = stats_csv_write(st, prefix, csv_prefix ? FILES_USER : FILES_OWN,
	    cause);
	free(prefix);
	if (rc == -1)
		return -1;
	return results_json(st, meta, dir, doc, cause);
}

/*
 * Reads the headers of the journals in dirs: their common run id goes to
 * *first, each one's start to starts[i], the earliest to *start. Returns
 * an exit status.
 */
static int
results_merge_info(char **dirs, int ndirs, struct journal_info *first,
    int64_t *starts, int64_t *start, char **cause)
{
	struct journal_info info;
	char *path;
	int i;

	*start = INT64_MAX;
	for (i = 0; i < ndirs; i++) {
		path = util_printf("%s/journal.tsv", dirs[i]);
		if (journal_read_info(path, &info, cause) == -1) {
			free(path);
			return STATUS_IO;
		}
		free(path);
		if (i == 0)
			*first = info;
		else if (strcmp(info.run_id, first->run_id) != 0) {
			util_fail(cause, "%s has run id %s, %s has %s",
			    dirs[i], info.run_id, dirs[0], first->run_id);
			return STATUS_USAGE;
		}
		starts[i] = info.start_us;
		if (info.start_us < *start)
			*start = info.start_us;
	}
	return STATUS_OK;
}

/* The meta block of a merged result. */
static struct json_object *
results_merge_meta(const char *run_id, int ndirs, uint64_t lines,
    uint64_t bad)
{
	struct json_object *meta = json_object_new_object();

	json_object_object_add(meta, "run_id", json_object_new_string(
	    run_id));
	results_int(meta, "merged_from", ndirs);
	results_int(meta, "journal_lines", (int64_t)lines);
	results_int(meta, "journal_lines_skipped", (int64_t)bad);
	return meta;
}

/*
 * Where a shard's last load step ended, in seconds from its start, as
 * its results.json says; -1 without them (a shard killed before it wrote
 * them: its journal then tells).
 */
static double
results_shard_end(const char *dir)
{
	struct json_object *doc, *steps;
	char *path = util_printf("%s/results.json", dir), *cause = NULL;
	double end = -1;

	doc = jx_load(path, "medload.run/1", 0, &cause);
	steps = jx_get(doc, "steps");
	if (jx_len(steps) > 0)
		end = json_object_get_double(jx_get(jx_at(steps,
		    jx_len(steps) - 1), "end_s"));
	json_object_put(doc);
	free(cause);
	free(path);
	return end;
}

/*
 * Counts requests per load step as the first shard's config.yaml plans
 * them (the shards of a run share the shape), each shard's from its own
 * start (starts[i]); without a readable config.yaml the merged results
 * have no steps, and stderr says why.
 */
static void
results_merge_steps(struct stats *st, char **dirs, int ndirs,
    const int64_t *starts)
{
	struct shape_step *steps;
	struct config sc;
	char *path, *cause = NULL;
	size_t n;
	int i;

	config_init(&sc);
	path = util_printf("%s/config.yaml", dirs[0]);
	if (config_load_yaml(&sc, path, &cause) == -1) {
		cli_error("run --merge: no per-step figures: %s", cause);
	} else {
		n = shape_load_steps(&sc.shape, &steps);
		stats_set_steps(st, steps, n);
		free(steps);
		for (i = 0; i < ndirs; i++)
			stats_align_shard(st, (unsigned)i, starts[i],
			    results_shard_end(dirs[i]));
	}
	config_release(&sc);
	free(path);
	free(cause);
}

/* Replays the journals of dirs into st, counting lines. 0 or -1. */
static int
results_replay(struct stats *st, char **dirs, int ndirs, uint64_t *lines,
    uint64_t *bad, char **cause)
{
	char **paths = util_calloc((size_t)ndirs + 1, sizeof(*paths));
	int i, rc;

	for (i = 0; i < ndirs; i++)
		paths[i] = util_printf("%s/journal.tsv", dirs[i]);
	rc = journal_replay(paths, (size_t)ndirs, st, lines, bad, cause);
	for (i = 0; i < ndirs; i++)
		free(paths[i]);
	free(paths);
	return rc;
}

int
results_merge(const struct config *c, char **dirs, int ndirs, FILE *out)
{
	struct journal_info first;
	struct stats *st = NULL;
	struct json_object *meta;
	char *cause = NULL, *dir = NULL;
	uint64_t lines = 0, bad = 0;
	int64_t start, *starts = util_calloc((size_t)ndirs, sizeof(*starts));
	int status;

	status = results_merge_info(dirs, ndirs, &first, starts, &start,
	    &cause);
	if (status != STATUS_OK)
		goto done;
	status = STATUS_IO;
	st = stats_new(start);
	results_merge_steps(st, dirs, ndirs, starts);
	if (results_replay(st, dirs, ndirs, &lines, &bad, &cause) == -1)
		goto done;
	dir = util_printf("%s/%s", c->out_dir, first.run_id);
	if (files_mkdirs(dir, &cause) == -1)
		goto done;
	meta = results_merge_meta(first.run_id, ndirs, lines, bad);
	if (bad > 0)
		cli_error("run --merge: skipped %llu line%s that %s not "
		    "journal lines", (unsigned long long)bad, bad == 1 ? "" :
		    "s", bad == 1 ? "is" : "are");
	if (results_write(st, meta, dir, NULL, out, NULL, &cause) == 0) {
		status = STATUS_OK;
		fprintf(stderr, "medload run: merged %d journals (%llu "
		    "requests) into %s\n", ndirs, (unsigned long long)lines,
		    dir);
	}
	json_object_put(meta);
done:
	if (cause != NULL)
		cli_error("run --merge: %s", cause);
	free(cause);
	stats_free(st);
	free(starts);
	free(dir);
	return status;
}
