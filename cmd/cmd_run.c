/* cmd_run.c: `medload run`: the load driver's command line. */
#include "cmd.h"

#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "collect.h"
#include "compare.h"
#include "config.h"
#include "es_cli.h"
#include "interrupt.h"
#include "run_report.h"
#include "run.h"
#include "threshold.h"
#include "timeutil.h"
#include "util.h"

static const char cmd_run_help_text[] =
"usage: medload run [options]\n"
"       medload run --merge [--out-dir DIR] RUNDIR...\n"
"\n"
"Drives the seed's tenant and mediation workflow against a multi-tenant\n"
"ACA-Py with the seed's step load shape. Results go to OUT_DIR/RUN_ID/:\n"
"config.yaml, schedule.txt, journal.tsv, summary.txt, results.json and\n"
"Locust-compatible medload_{stats,stats_history,failures}.csv.\n"
"\n"
"Settings (flags > environment > --env-file > --config > defaults; YAML\n"
"keys are the flag names with _ for -; see medload(1)):\n"
"  --admin-url URL        multi-tenant admin API (env LOCUST_HOST)\n"
"  --admin-api-key-file F x-api-key (or env MEDLOAD_ADMIN_API_KEY)\n"
"  --invitation-url URL   ?c_i= or ?oob= (env MEDIATOR_INVITATION_URL)\n"
"  --mediator-admin-url URL, --mediator-admin-api-key-file F\n"
"                         create a multi-use invitation on the mediator\n"
"  --scenario S           mediation (default), seed, http (GET --url)\n"
"  --protocol P           auto, connections, oob\n"
"  --step-time DUR --step-load N --spawn-rate R --time-limit DUR\n"
"                         the step shape (env STEP_TIME, STEP_LOAD,\n"
"                         SPAWN_RATE, TIME_LIMIT; 30s 10 10 300s)\n"
"  --max-users N          user cap (0 = none)\n"
"  --ramp-down DUR        lower users to 0 over DUR after the end\n"
"  --stages LIST          DUR:USERS[:RATE],... instead of the formula\n"
"  --pacing P             think (2-5 s between tasks) or open\n"
"  --active-fraction F    open: share of ready users starting a task/s\n"
"  --rate R               open: fixed tasks per second\n"
"  --think-min DUR --think-max DUR\n"
"  --request-timeout DUR --wait-timeout DUR --poll-interval DUR\n"
"  --retries N            retries of a failed setup step (2)\n"
"  --connections N        max connections to the host (100)\n"
"  --grace DUR            time for requests in flight at the end (10s)\n"
"  --insecure, --cacert FILE   TLS verification\n"
"  --allow-remote         load hosts other than 127.0.0.1/localhost/[::1] (env\n"
"                         MEDLOAD_ALLOW_REMOTE=1); without it, medload\n"
"                         refuses to send load anywhere else\n"
"  --out-dir DIR --run-id ID --csv PREFIX --label-prefix P\n"
"  --shard I/N            shard I of N (needs --run-id)\n"
"  --progress P           auto, tty, plain, none\n"
"  --seed N               random seed for think times\n"
"\n"
"Run and report (one shot):\n"
"  --report DIR           after the run, analyze this run's traces and write\n"
"                         the report folder DIR (medload report's outputs)\n"
"  --collect ADDR:PORT    receive the agents' traces (their --trace-target)\n"
"                         during the run, tagged, to the run directory\n"
"  --traces FILE          or read them from a file another collector writes\n"
"  --es URL [--index P]   or from Elasticsearch/OpenSearch (the run's window\n"
"                         and, when mapped, its medload.run_id)\n"
ES_CLI_HELP
"  --report-wait DUR      wait for late traces after the run (default 2s)\n"
"  --title TEXT           the report's title\n"
"  --templates DIR        report templates to use first\n"
"  --threshold EXPR       judge the analysis: 'p95<250' (repeatable; or\n"
"                         thresholds: in --config; see medload compare)\n"
"  --thresholds FILE --baseline ANALYSIS --junit FILE\n"
"\n"
"Other options:\n"
"  --config FILE          YAML settings\n"
"  --env-file PATH        the seed's .env\n"
"  --print-config         show the settings, secrets masked, and sources\n"
"  --dry-run              print the planned schedule and exit\n"
"  --merge                merge the journals of RUNDIR... (shards)\n"
"  -h, --help             show this help\n"
"\n"
"SIGINT/SIGTERM: stop starting work, wait --grace for requests in flight,\n"
"write the results; a second SIGINT stops at once.\n"
"\n"
"Exit status: 0 run completed (even with request failures), 2 usage or\n"
"configuration error, 3 run directory or report not writable, 5 a\n"
"threshold breached, 6 admin API unreachable at start.\n";

/* getenv for config_load_env. */
static const char *
cmd_run_getenv(const char *name, void *arg)
{
	(void)arg;
	return getenv(name);
}

struct cmd_run_flag {
	const char *name;
	const char *value;
};

int
cmd_run(int argc, char **argv)
{
	enum { OPT_CONFIG = 1000, OPT_ENV_FILE, OPT_PRINT, OPT_DRY, OPT_MERGE,
	    OPT_REPORT, OPT_COLLECT, OPT_TRACES, OPT_ES, OPT_INDEX, OPT_WAIT,
	    OPT_TITLE, OPT_TEMPLATES,
	    OPT_BASELINE, OPT_JUNIT, OPT_SETTING = 2000 };
	static const struct option shared_opts[] = { ES_CLI_OPTIONS,
	    THRESHOLD_CLI_OPTIONS };
	struct oneshot_opts os;
	struct threshold_set ts;
	struct json_object *baseline = NULL;
	const char *baseline_path = NULL;
	struct collector *col = NULL;
	struct es_cli ec;
	char *run_dir = NULL;
	const char *const *names = config_flag_names();
	const char *config_path = NULL, *env_file = NULL;
	struct cmd_run_flag *flags;
	struct option *opts;
	struct config cfg;
	char *cause = NULL;
	size_t nnames, nflags = 0, i, cli_thresholds;
	int c, print = 0, dry = 0, merge = 0, status, th;

	for (nnames = 0; names[nnames] != NULL; nnames++)
		;
	opts = util_calloc(nnames + 24, sizeof(*opts));
	memset(&os, 0, sizeof(os));
	threshold_set_init(&ts);
	os.wait_s = 2;
	es_cli_init(&ec);
	flags = util_calloc((size_t)argc + 1, sizeof(*flags));
	for (i = 0; i < nnames; i++) {
		opts[i].name = names[i];
		opts[i].has_arg = strcmp(names[i], "insecure") == 0 ||
		    strcmp(names[i], "allow-remote") == 0 ? no_argument :
		    required_argument;
		opts[i].val = OPT_SETTING + (int)i;
	}
	opts[i++] = (struct option){ "config", required_argument, NULL,
	    OPT_CONFIG };
	opts[i++] = (struct option){ "env-file", required_argument, NULL,
	    OPT_ENV_FILE };
	opts[i++] = (struct option){ "print-config", no_argument, NULL,
	    OPT_PRINT };
	opts[i++] = (struct option){ "dry-run", no_argument, NULL, OPT_DRY };
	opts[i++] = (struct option){ "merge", no_argument, NULL, OPT_MERGE };
	opts[i++] = (struct option){ "report", required_argument, NULL,
	    OPT_REPORT };
	opts[i++] = (struct option){ "collect", required_argument, NULL,
	    OPT_COLLECT };
	opts[i++] = (struct option){ "traces", required_argument, NULL,
	    OPT_TRACES };
	opts[i++] = (struct option){ "es", required_argument, NULL, OPT_ES };
	opts[i++] = (struct option){ "index", required_argument, NULL,
	    OPT_INDEX };
	opts[i++] = (struct option){ "report-wait", required_argument, NULL,
	    OPT_WAIT };
	opts[i++] = (struct option){ "title", required_argument, NULL,
	    OPT_TITLE };
	opts[i++] = (struct option){ "templates", required_argument, NULL,
	    OPT_TEMPLATES };
	opts[i++] = (struct option){ "baseline", required_argument, NULL,
	    OPT_BASELINE };
	opts[i++] = (struct option){ "junit", required_argument, NULL,
	    OPT_JUNIT };
	for (size_t k = 0; k < sizeof(shared_opts) / sizeof(shared_opts[0]);
	    k++)
		opts[i++] = shared_opts[k];
	opts[i++] = (struct option){ "help", no_argument, NULL, 'h' };
	config_init(&cfg);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (es_cli_option(&ec, c, optarg))
			continue;
		if ((th = threshold_cli_option(&ts, c, optarg, &cause)) != 0) {
			if (th == -1)
				goto usage;
			continue;
		}
		switch (c) {
		case OPT_REPORT:
			os.report_dir = optarg;
			break;
		case OPT_COLLECT:
			os.collect = optarg;
			break;
		case OPT_TRACES:
			os.traces = optarg;
			break;
		case OPT_ES:
			os.es_url = optarg;
			break;
		case OPT_INDEX:
			os.es_index = optarg;
			break;
		case OPT_WAIT:
			if (time_parse_duration(optarg, &os.wait_s) == -1 ||
			    os.wait_s > 600) {
				util_fail(&cause, "--report-wait: \"%s\" is not "
				    "a duration up to 10m", optarg);
				goto usage;
			}
			break;
		case OPT_TITLE:
			os.title = optarg;
			break;
		case OPT_TEMPLATES:
			os.templates = optarg;
			break;
		case OPT_BASELINE:
			baseline_path = optarg;
			break;
		case OPT_JUNIT:
			os.junit = optarg;
			break;
		case OPT_CONFIG:
			config_path = optarg;
			break;
		case OPT_ENV_FILE:
			env_file = optarg;
			break;
		case OPT_PRINT:
			print = 1;
			break;
		case OPT_DRY:
			dry = 1;
			break;
		case OPT_MERGE:
			merge = 1;
			break;
		case 'h':
			cmd_run_help(stdout);
			status = STATUS_OK;
			goto out;
		case ':':
		default:
			if (c >= OPT_SETTING && c < OPT_SETTING + (int)nnames) {
				flags[nflags].name = names[c - OPT_SETTING];
				flags[nflags++].value = optarg ? optarg :
				    "true";
				break;
			}
			cli_bad_option(c, argv, &cause);
			goto usage;
		}
	}
	if (optind < argc && !merge) {
		util_fail(&cause, "unexpected argument '%s'", argv[optind]);
		goto usage;
	}
	cli_thresholds = ts.n;
	if (config_path != NULL &&
	    (config_load_yaml(&cfg, config_path, &cause) == -1 ||
	    threshold_set_load_config(&ts, config_path, &cause) == -1))
		goto usage;
	if (env_file != NULL &&
	    config_load_env_file(&cfg, env_file, &cause) == -1)
		goto usage;
	if (config_load_env(&cfg, cmd_run_getenv, NULL, "env", &cause) == -1)
		goto usage;
	for (i = 0; i < nflags; i++) {
		char *src = util_printf("flag --%s", flags[i].name);
		int rc = config_set(&cfg, flags[i].name, flags[i].value, src,
		    &cause);

		free(src);
		if (rc == -1)
			goto usage;
	}
	if (merge) {
		if (optind >= argc) {
			util_fail(&cause, "--merge needs run directories");
			goto usage;
		}
		status = run_merge(&cfg, argv + optind, argc - optind, stdout);
		goto out;
	}
	if (config_finish(&cfg, !(print || dry), &cause) == -1) {
		if (print)
			config_print(&cfg, stdout);
		goto usage;
	}
	if (print || dry) {
		if (print)
			config_print(&cfg, stdout);
		if (dry)
			run_print_schedule(&cfg, stdout);
		status = STATUS_OK;
		goto out;
	}
	if (os.report_dir == NULL && (os.collect || os.traces || os.es_url)) {
		util_fail(&cause, "--collect, --traces and --es go with "
		    "--report DIR");
		goto usage;
	}
	if (os.report_dir == NULL && (cli_thresholds > 0 || os.junit ||
	    baseline_path)) {
		util_fail(&cause, "--threshold(s), --baseline and --junit go "
		    "with --report DIR (they judge the run's analysis)");
		goto usage;
	}
	if (os.report_dir == NULL && ts.n > 0)
		cli_error("the thresholds of %s are not evaluated without "
		    "--report DIR", config_path);
	if (!!os.collect + !!os.traces + !!os.es_url > 1) {
		util_fail(&cause, "give one of --collect, --traces, --es");
		goto usage;
	}
	if (os.report_dir != NULL) {
		if (cfg.shard_count > 0) {
			util_fail(&cause, "--report works on a whole run: merge "
			    "the shards, then use medload report");
			goto usage;
		}
		if (cfg.run_id == NULL) {
			char *id = run_new_id();

			config_set(&cfg, "run-id", id, "generated", &cause);
			free(id);
		}
		if (os.es_url != NULL && es_cli_finish(&ec, &cause) == -1)
			goto usage;
		os.http = &ec.http;
		if (baseline_path != NULL) {
			baseline = compare_load(baseline_path, &cause);
			if (baseline == NULL) {
				cli_error("run: --baseline: %s", cause);
				status = STATUS_IO;
				goto out;
			}
		} else if (threshold_set_relative(&ts))
			cli_error("thresholds relative to a baseline are "
			    "skipped without --baseline");
		os.thresholds = &ts;
		os.baseline = baseline;
		run_dir = util_printf("%s/%s", cfg.out_dir, cfg.run_id);
		if (oneshot_collect_start(&os, run_dir, cfg.run_id, &col,
		    &cause) == -1) {
			cli_error("run: %s", cause);
			status = STATUS_IO;
			goto out;
		}
	}
	interrupt_catch();
	status = run_execute(&cfg, stdout, stderr);
	if (os.report_dir != NULL) {
		int rs;

		fflush(stdout);
		if (status != STATUS_OK && status != STATUS_PARTIAL) {
			/* The run did not happen: nothing to report on. */
			collector_stop(col, 0, NULL);
			goto out;
		}
		rs = oneshot_report(&os, run_dir, col);
		if (status == STATUS_OK)
			status = rs;
	}
	goto out;
usage:
	status = cli_usage_error("run", "%s", cause);
out:
	json_object_put(baseline);
	threshold_set_release(&ts);
	free(run_dir);
	es_cli_release(&ec);
	free(cause);
	free(opts);
	free(flags);
	config_release(&cfg);
	return status;
}

/* Prints the help (transitional). */
void
cmd_run_help(FILE *out)
{
	fputs(cmd_run_help_text, out);
}
