/* cmd_run.c: `medload run`: the load driver and its one-shot report. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect.h"
#include "config.h"
#include "es_cli.h"
#include "interrupt.h"
#include "jx.h"
#include "run.h"
#include "run_knee.h"
#include "run_overhead.h"
#include "run_report.h"
#include "threshold_cli.h"
#include "util.h"

static const char run_usage[] =
"usage: medload run [options]\n"
"       medload run --merge [--out-dir DIR] RUNDIR...\n"
"\n"
"Drives the seed's tenant and mediation workflow against a multi-tenant\n"
"ACA-Py with the seed's step load shape. Results go to OUT_DIR/RUN_ID/:\n"
"config.yaml, schedule.txt, journal.tsv, summary.txt, results.json and\n"
"the CSV files of Locust's --csv-full-history (medload_stats.csv with the\n"
"requests, medload_waits.csv with the state waits, _stats_history.csv,\n"
"_failures.csv, _exceptions.csv).\n"
"\n"
"At the end it prints one request table, timed from when each request\n"
"was due (the files also hold the figures from the actual start); with\n"
"--report, the report's summary instead: the verdict (thresholds,\n"
"failures, users, req/s, the agents' latency side by side) and that\n"
"table, in colour on a terminal unless NO_COLOR is set.\n";

static const char run_after[] =
"SIGINT/SIGTERM: stop starting work, wait --grace for requests in flight,\n"
"write the results (and the report); a second SIGINT stops at once.\n"
"\n"
"Exit status: 0 run completed (even with request failures), 1 no user\n"
"finished its setup (nothing was measured), 2 usage or configuration\n"
"error, 3 run directory or report not writable, 5 a threshold breached,\n"
"6 admin API unreachable at start, 130 interrupted by SIGINT or SIGTERM\n"
"(the results and the report cover what ran).\n";

enum { R_REPORT, R_COLLECT, R_TRACES, R_ES, R_INDEX, R_WAIT, R_TITLE,
    R_TEMPLATES, R_BASELINE, R_JUNIT, R_CONFIG, R_ENV_FILE, R_PRINT, R_DRY,
    R_MERGE, R_OVERHEAD, R_RESTART, R_FIND_KNEE, R_SLO, R_RAW };

static const struct opt run_report_opts_table[] = {
	{ NULL, 0, NULL, 0, 0, "Run and report (one shot):" },
	{ "report", 0, "DIR", R_REPORT, 0, "after the run, analyze this run's "
	    "traces and write\nthe report folder DIR (medload report's "
	    "outputs)" },
	{ "collect", 0, "ADDR:PORT", R_COLLECT, 0, "receive the agents' "
	    "traces (their --trace-target)\nduring the run, tagged, to the "
	    "run directory" },
	{ "traces", 0, "FILE", R_TRACES, OPT_MANY, "or read them from files "
	    "another collector writes\n(repeatable)" },
	{ "es", 0, "URL", R_ES, 0, "or from Elasticsearch/OpenSearch (the "
	    "run's window\nand, when mapped, its medload.run_id)" },
	{ "index", 0, "PATTERN", R_INDEX, 0, "the indices of --es" },
	{ "report-wait", 0, "DUR", R_WAIT, 0, "wait for late traces after the "
	    "run (default 2s)" },
	{ "title", 0, "TEXT", R_TITLE, 0, "the report's title" },
	{ "raw-groups", 0, NULL, R_RAW, 0, "a row for every trace group "
	    "(START rows, the\nhandler column) in the traces table" },
	{ "templates", 0, "DIR", R_TEMPLATES, 0, "report templates to use "
	    "first" },
	{ "baseline", 0, "ANALYSIS", R_BASELINE, 0, "the analysis relative "
	    "thresholds compare with" },
	{ "junit", 0, "FILE", R_JUNIT, 0, "write the threshold results as "
	    "JUnit XML" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt run_overhead_opts_table[] = {
	{ NULL, 0, NULL, 0, 0, "Tracing's own cost:" },
	{ "trace-overhead", 0, NULL, R_OVERHEAD, 0, "run the load twice, the "
	    "agents tracing to --collect,\nthen not tracing, and compare the "
	    "client latencies\n(compare's noise rules)" },
	{ "agents-restart", 0, "CMD", R_RESTART, 0, "shell command that "
	    "restarts the agents and waits\nuntil they answer, tracing to "
	    "$MEDLOAD_TRACE_TARGET\n(a URL, or none)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt run_knee_opts_table[] = {
	{ NULL, 0, NULL, 0, 0, "Finding the knee:" },
	{ "find-knee", 0, NULL, R_FIND_KNEE, 0, "add steps of --step-load "
	    "users every --step-time until\nthe knee (throughput stops "
	    "rising while latency or\nfailures rise), an --slo fails, or "
	    "--max-users\n(required; at most 40 steps)" },
	{ "slo", 0, "EXPR", R_SLO, OPT_MANY, "with --find-knee: stop at the "
	    "first step that\nfails EXPR (threshold syntax over the step's "
	    "client\nrequests: label client, outcome the request name;\n"
	    "repeatable), e.g. 'outcome=022_ping_other p95<500'" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

static const struct opt run_other_opts[] = {
	{ NULL, 0, NULL, 0, 0, "Other options:" },
	{ "config", 0, "FILE", R_CONFIG, 0, "YAML settings (and a "
	    "'thresholds:' list)" },
	{ "env-file", 0, "PATH", R_ENV_FILE, 0, "the seed's .env" },
	{ "print-config", 0, NULL, R_PRINT, 0, "show the settings, secrets "
	    "masked, and sources" },
	{ "dry-run", 0, NULL, R_DRY, 0, "print the planned schedule and exit" },
	{ "merge", 0, NULL, R_MERGE, 0, "merge the journals of RUNDIR... "
	    "(shards)" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

#define RUN_MAX_SETTINGS 63

/* A setting given on the command line. */
struct run_flag {
	const char *name;
	const char *value;
};

/* What the command line says. */
struct run_cmd {
	struct run_report_opts rep;
	struct threshold_set ts;
	struct es_cli ec;
	const char *config_path, *env_file, *baseline_path, *es_only;
	const char *restart;	/* --agents-restart */
	struct run_flag *flags;
	struct threshold_set slo;	/* --slo */
	struct run_knee knee;
	size_t nflags, cli_thresholds, ntraces;
	const char **traces;
	char **operands;
	size_t noperands;
	int print, dry, merge, help, overhead, find_knee;
};

/* The settings' table, made once from the config module's. */
static const struct opt *
run_setting_opts(void)
{
	static struct opt t[RUN_MAX_SETTINGS + 2];
	const char *flag, *arg, *help;
	size_t i;

	if (t[0].help != NULL)
		return t;
	t[0].help = "Settings (flags > environment > --env-file > --config > "
	    "defaults;\nYAML keys are the flag names with _ for -; see "
	    "medload(1)):";
	for (i = 0; i < RUN_MAX_SETTINGS && config_flag(i, &flag, &arg,
	    &help) == 0; i++)
		t[i + 1] = (struct opt){ flag, 0, arg, (int)i, 0, help };
	return t;
}

/* Takes a setting: applied later, above every other source. */
static int
run_take_setting(void *ctx, int id, const char *value, char **cause)
{
	struct run_cmd *c = ctx;

	(void)cause;
	c->flags[c->nflags].name = run_setting_opts()[id + 1].name;
	c->flags[c->nflags++].value = value != NULL ? value : "true";
	return 0;
}

/* Takes one of the report and other options. */
static int
run_take(void *ctx, int id, const char *v, char **cause)
{
	struct run_cmd *c = ctx;

	if (id == R_INDEX && c->es_only == NULL)
		c->es_only = "--index";
	switch (id) {
	case R_REPORT: c->rep.report_dir = v; break;
	case R_COLLECT: c->rep.collect = v; break;
	case R_TRACES: c->traces[c->ntraces++] = v; break;
	case R_ES: c->rep.es_url = v; break;
	case R_INDEX: c->rep.es_index = v; break;
	case R_WAIT:
		return opt_duration("report-wait", v, 0, 600, &c->rep.wait_s,
		    cause);
	case R_TITLE: c->rep.title = v; break;
	case R_RAW: c->rep.raw_groups = 1; break;
	case R_TEMPLATES: c->rep.templates = v; break;
	case R_BASELINE: c->baseline_path = v; break;
	case R_JUNIT: c->rep.junit = v; break;
	case R_CONFIG: c->config_path = v; break;
	case R_ENV_FILE: c->env_file = v; break;
	case R_PRINT: c->print = 1; break;
	case R_DRY: c->dry = 1; break;
	case R_MERGE: c->merge = 1; break;
	case R_OVERHEAD: c->overhead = 1; break;
	case R_RESTART: c->restart = v; break;
	case R_FIND_KNEE: c->find_knee = 1; break;
	case R_SLO: return threshold_set_add(&c->slo, v, cause);
	}
	return 0;
}

/* Takes an authentication option of --es. */
static int
run_take_auth(void *ctx, int id, const char *value, char **cause)
{
	struct run_cmd *c = ctx;

	if (c->es_only == NULL)
		c->es_only = "--user, --password-file and --api-key-file";
	return es_cli_take(&c->ec, id, value, cause);
}

/* Fills groups for c; returns their number. */
static size_t
run_groups(struct run_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ run_setting_opts(), run_take_setting, c };
	g[1] = (struct opt_group){ run_report_opts_table, run_take, c };
	g[2] = (struct opt_group){ es_cli_auth_opts, run_take_auth, c };
	g[3] = (struct opt_group)THRESHOLD_CLI_GROUP(&c->ts);
	g[4] = (struct opt_group){ run_overhead_opts_table, run_take, c };
	g[5] = (struct opt_group){ run_knee_opts_table, run_take, c };
	g[6] = (struct opt_group){ run_other_opts, run_take, c };
	g[7] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	return 8;
}

void
cmd_run_help(FILE *out)
{
	struct run_cmd c;
	struct opt_group g[8];

	cmd_help(out, run_usage, g, run_groups(&c, g), run_after);
}

/* Sets the defaults; argc bounds the lists the options fill. */
static void
run_init(struct run_cmd *c, int argc)
{
	memset(c, 0, sizeof(*c));
	threshold_set_init(&c->ts);
	threshold_set_init(&c->slo);
	c->knee.slo = &c->slo;
	es_cli_init(&c->ec);
	c->rep.wait_s = 2;
	c->flags = util_calloc((size_t)argc + 1, sizeof(*c->flags));
	c->traces = util_calloc((size_t)argc + 1, sizeof(*c->traces));
}

/* Releases what parsing and the run made. */
static void
run_release(struct run_cmd *c)
{
	threshold_set_release(&c->ts);
	threshold_set_release(&c->slo);
	es_cli_release(&c->ec);
	json_object_put(c->rep.baseline);
	free(c->flags);
	free(c->traces);
	free(c->operands);
}

/* The rules between the report's options; 0 or -1 with *cause. */
static int
run_check_report(struct run_cmd *c, char **cause)
{
	const struct run_report_opts *r = &c->rep;

	if (c->overhead != (c->restart != NULL))
		return util_fail(cause, "--trace-overhead and --agents-restart "
		    "go together");
	if (c->overhead && (r->collect == NULL || c->ntraces || r->es_url ||
	    c->merge))
		return util_fail(cause, "--trace-overhead needs --collect "
		    "ADDR:PORT (the agents trace there), not --traces, --es or "
		    "--merge");
	if (r->report_dir == NULL && !c->overhead && (r->collect ||
	    c->ntraces || r->es_url))
		return util_fail(cause, "--collect, --traces and --es go with "
		    "--report DIR");
	if (r->report_dir == NULL && (c->cli_thresholds > 0 || r->junit ||
	    c->baseline_path))
		return util_fail(cause, "--threshold(s), --baseline and --junit "
		    "go with --report DIR (they judge the run's analysis)");
	if (!!r->collect + !!c->ntraces + !!r->es_url > 1)
		return util_fail(cause, "give one of --collect, --traces, --es");
	if (r->es_url == NULL && c->es_only != NULL)
		return util_fail(cause, "%s go with --es URL", c->es_only);
	if (c->merge && (r->report_dir != NULL || c->print || c->dry))
		return util_fail(cause, "--merge goes alone (with --out-dir): "
		    "merge the shards, then use medload report");
	if (c->noperands > 0 && !c->merge)
		return util_fail(cause, "unexpected argument '%s'",
		    c->operands[0]);
	if (c->merge && c->noperands == 0)
		return util_fail(cause, "--merge needs run directories");
	if (c->slo.n > 0 && !c->find_knee)
		return util_fail(cause, "--slo goes with --find-knee");
	if (c->find_knee && (c->merge || c->overhead))
		return util_fail(cause, "--find-knee goes with neither --merge "
		    "nor --trace-overhead");
	return 0;
}

/* Parses and checks the command line; 0, or -1 with *cause. */
static int
run_parse(struct run_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[8];

	if (opt_parse(g, run_groups(c, g), argc, argv, &c->operands,
	    &c->noperands, cause) == -1)
		return -1;
	c->rep.traces = c->traces;
	c->rep.ntraces = c->ntraces;
	c->cli_thresholds = c->ts.n;
	if (c->help)
		return 0;
	return run_check_report(c, cause);
}

/* The settings from every source, flags last; 0 or -1 with *cause. */
static int
run_settings(struct run_cmd *c, struct config *cfg, char **cause)
{
	size_t i;
	int rc = 0;

	if (run_report_config(cfg, c->config_path, c->env_file, cause) == -1 ||
	    (c->config_path != NULL && threshold_set_load_config(&c->ts,
	    c->config_path, cause) == -1))
		return -1;
	for (i = 0; i < c->nflags && rc == 0; i++) {
		char *src = util_printf("flag --%s", c->flags[i].name);

		rc = config_set(cfg, c->flags[i].name, c->flags[i].value, src,
		    cause);
		free(src);
	}
	return rc;
}

/*
 * Gets the report's inputs ready before the load starts. Returns 0,
 * STATUS_USAGE with *cause, or STATUS_IO after a message.
 */
static int
run_prepare_report(struct run_cmd *c, struct config *cfg, char **cause)
{
	char *id;

	if (cfg->shard_count > 0) {
		util_fail(cause, "--report works on a whole run: merge the "
		    "shards, then use medload report");
		return STATUS_USAGE;
	}
	if (cfg->run_id == NULL) {
		id = run_new_id();
		config_set(cfg, "run-id", id, "generated", cause);
		free(id);
	}
	c->ec.http.cacert = cfg->cacert;
	c->ec.http.insecure = cfg->insecure;
	if (c->rep.es_url != NULL && es_cli_finish(&c->ec, cause) == -1)
		return STATUS_USAGE;
	c->rep.http = &c->ec.http;
	c->rep.thresholds = &c->ts;
	c->rep.cfg = cfg;
	if (c->baseline_path != NULL) {
		c->rep.baseline = jx_load(c->baseline_path,
		    "medload.analysis/1", 0, cause);
		if (c->rep.baseline == NULL) {
			cli_error("run: --baseline: %s", *cause);
			return STATUS_IO;
		}
	} else if (threshold_set_relative(&c->ts))
		cli_error("thresholds relative to a baseline are skipped "
		    "without --baseline");
	return 0;
}

/* Prints the run's end table kept in memory (when there is no report). */
static void
cmd_run_table(const char *table, size_t len)
{
	if (table != NULL && len > 0) {
		fputc('\n', stdout);
		fwrite(table, 1, len, stdout);
		fflush(stdout);
	}
}

/* Runs the load and, when asked, the report; returns an exit status. */
static int
run_load(struct run_cmd *c, struct config *cfg)
{
	struct collector *col = NULL;
	struct json_object *results = NULL;
	char *dir = util_printf("%s/%s", cfg->out_dir, cfg->run_id), *cause = NULL;
	char *table = NULL;
	size_t len = 0;
	FILE *mem;
	int status, interrupted;

	if (c->rep.report_dir != NULL && run_report_start(&c->rep, dir,
	    cfg->run_id, &col, &cause) == -1) {
		cli_error("run: %s", cause);
		free(cause);
		free(dir);
		return STATUS_IO;
	}
	interrupt_catch();
	/* with a report, its summary is the end table; this one is kept
	   for when there is no report */
	mem = c->rep.report_dir != NULL ? open_memstream(&table, &len) : NULL;
	status = run_execute(cfg, mem ? mem : stdout, stderr, &results);
	if (mem != NULL)
		fclose(mem);
	interrupted = interrupt_seen() > 0;
	fflush(stdout);
	/* A run where no user got ready is reported too: the agents' traces
	 * may say why. Without results there is nothing to report on. */
	if (c->rep.report_dir != NULL && (results == NULL ||
	    (status != STATUS_OK && status != STATUS_PARTIAL &&
	    status != STATUS_NO_EVENTS))) {
		collector_stop(col, 0, NULL);
		cmd_run_table(table, len);
	} else if (c->rep.report_dir != NULL) {
		int rs = run_report_finish(&c->rep, dir, col, results, NULL);

		if (rs == STATUS_IO && !c->rep.quiet)
			cmd_run_table(table, len);	/* maybe no report */
		if (status == STATUS_OK)
			status = rs;
		/* Ctrl-C during the report: a read it cut is no I/O error. */
		if (interrupt_seen() > 0) {
			interrupted = 1;
			if (status == STATUS_IO)
				status = STATUS_INTERRUPTED;
		}
	}
	json_object_put(results);
	free(table);
	free(dir);
	/* a read cut short by Ctrl-C fails as an input: still an interrupt */
	if (interrupted && status != STATUS_USAGE &&
	    status != STATUS_UNREACHABLE)
		status = STATUS_INTERRUPTED;
	return status;
}

/* The traced and untraced runs of --trace-overhead; an exit status. */
static int
run_overhead_cmd(struct run_cmd *c, struct config *cfg, char **cause)
{
	struct run_overhead_opts o;

	if (cfg->shard_count > 0) {
		util_fail(cause, "--trace-overhead works on a whole run, not "
		    "a shard");
		return STATUS_USAGE;
	}
	memset(&o, 0, sizeof(o));
	o.restart = c->restart;
	o.rep = &c->rep;
	compare_opts_init(&o.cmp);
	return run_overhead_execute(cfg, &o, stdout);
}

/* Everything after the command line; returns an exit status. */
static int
run_execute_cmd(struct run_cmd *c)
{
	struct config cfg;
	char *cause = NULL;
	int status = STATUS_OK, finished;

	config_init(&cfg);
	if (run_settings(c, &cfg, &cause) == -1)
		goto usage;
	if (c->merge) {
		status = run_merge(&cfg, c->operands, (int)c->noperands,
		    stdout);
		goto out;
	}
	finished = config_finish(&cfg, !(c->print || c->dry), &cause) == 0;
	if (c->print)
		config_print(&cfg, stdout);
	if (!finished)
		goto usage;
	if (c->find_knee && (cfg.shard_count > 0 || run_knee_setup(&cfg,
	    &c->knee, stderr, &cause) == -1)) {
		if (cfg.shard_count > 0)
			util_fail(&cause, "--find-knee works on a whole run, "
			    "not a shard");
		goto usage;
	}
	if (c->dry)
		run_print_schedule(&cfg, stdout);
	if (c->print || c->dry)
		goto out;
	if (c->rep.report_dir == NULL && c->ts.n > c->cli_thresholds)
		cli_error("the thresholds of %s are not evaluated without "
		    "--report DIR", c->config_path);
	if (c->rep.report_dir != NULL)
		status = run_prepare_report(c, &cfg, &cause);
	if (status == STATUS_USAGE)
		goto usage;
	if (status == STATUS_OK && c->overhead)
		status = run_overhead_cmd(c, &cfg, &cause);
	else if (status == STATUS_OK)
		status = run_load(c, &cfg);
	/* run_load has said what was wrong (no cause comes back) */
	if (status == STATUS_USAGE && cause != NULL)
		goto usage;
	goto out;
usage:
	/* without a cause, the run said what was wrong itself */
	status = cause != NULL ? cli_usage_error("run", "%s", cause) :
	    STATUS_USAGE;
out:
	free(cause);
	config_release(&cfg);
	return status;
}

int
cmd_run(int argc, char **argv)
{
	struct run_cmd c;
	char *cause = NULL;
	int status;

	run_init(&c, argc);
	if (run_parse(&c, argc, argv, &cause) == -1)
		status = cli_usage_error("run", "%s", cause);
	else if (c.help) {
		cmd_run_help(stdout);
		status = STATUS_OK;
	} else
		status = run_execute_cmd(&c);
	free(cause);
	run_release(&c);
	return status;
}
