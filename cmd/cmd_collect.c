/* cmd_collect.c: `medload collect`: a trace sink for ACA-Py agents. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "es.h"
#include "es_cli.h"
#include "interrupt.h"
#include "live.h"
#include "timeutil.h"
#include "util.h"

static const char collect_usage[] =
"usage: medload collect [options]\n"
"\n"
"Receives ACA-Py trace events the way Logstash's http input does: point\n"
"the agents at it with --trace-target http://127.0.0.1:9700/ and\n"
"--trace-tag acapy.events. Each POSTed JSON object is appended to an\n"
"NDJSON file, with medload.received (the receive time), medload.path (the\n"
"URL path, which carries the trace tag) and @timestamp (the event time),\n"
"before the answer goes out: an event answered with 200 stays in the file\n"
"even if medload is killed. With --es, the file is also a spool that is\n"
"forwarded in _bulk batches; while the server is down, events wait and go\n"
"when it returns (the forwarded offset is kept in FILE.offset).\n"
"\n"
"Answers: 200 stored; 400 the body is not one JSON object; 413 the body\n"
"is larger than --max-body; 503 with Retry-After while the file cannot be\n"
"written (a full disk: nothing of the event stays in it); 404 other GET\n"
"paths; 405 other methods; GET / or /_status returns the counters as JSON.\n"
"A last line without its newline in an existing file is cut off at start.\n"
"\n"
"With --metrics ADDR:PORT, GET /metrics there gives Prometheus text (events\n"
"received, spooled, refused and forwarded by trace label, outcome latency\n"
"histograms, spool size, forward backlog; see medload(1)) and GET / a page\n"
"with the counts, refreshed every second.\n";

static const char collect_after[] =
"Exit status: 0 after SIGINT/SIGTERM or --duration, 2 on a usage error,\n"
"3 when the address or the file cannot be used.\n";

enum { C_LISTEN, C_OUT, C_FSYNC, C_MAXBODY, C_MAXCONN, C_RUNID, C_ES,
    C_INDEX, C_BATCH, C_DRAIN, C_DURATION, C_METRICS, C_REMOTE };

static const struct opt collect_options[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "listen", 0, "ADDR:PORT", C_LISTEN, 0, "where to listen (default "
	    "127.0.0.1:9700)" },
	{ "out", 'o', "FILE", C_OUT, 0, "the NDJSON file (default "
	    "traces.ndjson)" },
	{ "fsync", 0, "MODE", C_FSYNC, 0, "when to sync the file to disk: "
	    "interval (default;\nat most 1 s of acknowledged events at risk on "
	    "power\nloss, none on a crash or kill), always (before every\n"
	    "answer), none (leave it to the kernel)" },
	{ "max-body", 0, "BYTES", C_MAXBODY, 0, "largest event accepted "
	    "(default 1048576)" },
	{ "max-connections", 0, "N", C_MAXCONN, 0, "concurrent connections "
	    "(default 512)" },
	{ "run-id", 0, "ID", C_RUNID, 0, "tag every event with "
	    "medload.run_id" },
	{ "es", 0, "URL", C_ES, 0, "also forward to Elasticsearch or "
	    "OpenSearch" },
	{ "index", 0, "NAME", C_INDEX, 0, "index to forward to (default "
	    "medload-traces)" },
	{ "batch-bytes", 0, "N", C_BATCH, 0, "_bulk request size (default "
	    "5000000)" },
	{ "drain", 0, "DUR", C_DRAIN, 0, "on exit, keep forwarding for up to "
	    "DUR (default 10s)" },
	{ "duration", 0, "DUR", C_DURATION, 0, "stop by itself after DUR "
	    "(default: run until\nSIGINT or SIGTERM)" },
	{ "metrics", 0, "ADDR:PORT", C_METRICS, 0, "serve Prometheus text on "
	    "/metrics and a page on /\n(loopback only, unless "
	    "--allow-remote)" },
	{ "allow-remote", 0, NULL, C_REMOTE, 0, "let --metrics listen on an "
	    "address other machines\ncan reach" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* --fsync's values, and the modes they stand for. */
static const char *const collect_fsync_names[] = { "always", "interval",
    "none", NULL };
static const enum collect_fsync collect_fsync_modes[] = {
    COLLECT_FSYNC_ALWAYS, COLLECT_FSYNC_INTERVAL, COLLECT_FSYNC_NONE };

/* The longest --drain or --duration, in seconds (about 31 years). */
#define COLLECT_MAX_SECONDS 1e9

/* The largest --max-body, --max-connections or --batch-bytes. */
#define COLLECT_MAX_COUNT (1ULL << 30)

/* What the command line says. */
struct collect_cmd {
	struct collect_opts o;	/* its strings borrow argv or host */
	struct es_cli es;
	char *host;		/* from --listen; owned */
	unsigned long long max_body, max_conn, batch_bytes; /* 0: default */
	double drain, duration;	/* seconds; duration 0: until a signal */
	const char *metrics;	/* --metrics ADDR:PORT, or NULL */
	int allow_remote;
	int help;
};

/* Takes one option. */
static int
collect_take(void *ctx, int id, const char *value, char **cause)
{
	struct collect_cmd *c = ctx;
	int i;

	switch (id) {
	case C_LISTEN:
		if (collect_parse_listen(value, &c->host, &c->o.port) == -1)
			return util_fail(cause, "--listen: \"%.80s\" is not "
			    "ADDR:PORT", value);
		return 0;
	case C_OUT: c->o.out = value; return 0;
	case C_FSYNC:
		if (opt_choice("fsync", value, collect_fsync_names, &i,
		    cause) == -1)
			return -1;
		c->o.fsync = collect_fsync_modes[i];
		return 0;
	case C_MAXBODY:
		return opt_count("max-body", value, 1, COLLECT_MAX_COUNT,
		    &c->max_body, cause);
	case C_MAXCONN:
		return opt_count("max-connections", value, 1,
		    COLLECT_MAX_COUNT, &c->max_conn, cause);
	case C_BATCH:
		return opt_count("batch-bytes", value, 1, COLLECT_MAX_COUNT,
		    &c->batch_bytes, cause);
	case C_RUNID: c->o.run_id = value; return 0;
	case C_ES: c->o.es_url = value; return 0;
	case C_INDEX: c->o.index = value; return 0;
	case C_DRAIN:
		return opt_duration("drain", value, 0, COLLECT_MAX_SECONDS,
		    &c->drain, cause);
	case C_DURATION:
		return opt_duration("duration", value, 0, COLLECT_MAX_SECONDS,
		    &c->duration, cause);
	case C_METRICS: c->metrics = value; return 0;
	case C_REMOTE: c->allow_remote = 1; return 0;
	}
	return 0;
}

/* Fills groups for c; returns their number. */
static size_t
collect_groups(struct collect_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ collect_options, collect_take, c };
	g[1] = (struct opt_group)ES_CLI_GROUP(&c->es);
	g[2] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	return 3;
}

void
cmd_collect_help(FILE *out)
{
	struct collect_cmd c;
	struct opt_group g[3];

	cmd_help(out, collect_usage, g, collect_groups(&c, g), collect_after);
}

/* Parses the command line into c (released by collect_release); 0 or -1. */
static int
collect_parse(struct collect_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[3];
	char **ops;
	size_t n;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	c->o.port = 9700;
	c->o.out = "traces.ndjson";
	c->o.fsync = COLLECT_FSYNC_INTERVAL;
	c->drain = 10;
	es_cli_init(&c->es);
	if (opt_parse(g, collect_groups(c, g), argc, argv, &ops, &n,
	    cause) == -1)
		return -1;
	if (n > 0 && !c->help)
		rc = util_fail(cause, "unexpected argument '%.80s'", ops[0]);
	free(ops);
	return rc;
}

/* Checks the options together and reads the secrets; 0 or -1. */
static int
collect_check(struct collect_cmd *c, char **cause)
{
	if (c->o.index != NULL && (es_check_index(c->o.index, cause) == -1 ||
	    strpbrk(c->o.index, "*,") != NULL)) {
		if (*cause == NULL)
			util_fail(cause, "--index: one index name, without * "
			    "or ,");
		return -1;
	}
	if (c->o.es_url != NULL && es_cli_finish(&c->es, cause) == -1)
		return -1;
	if (c->metrics != NULL && live_check(c->metrics, c->allow_remote,
	    cause) == -1)
		return -1;
	return 0;
}

/* Prints what the collector received and did. */
static void
collect_summary(const struct collect_cmd *c, const struct collect_stats *st)
{
	fprintf(stderr, "medload: received %llu, stored %llu, bad %llu, too "
	    "large %llu, refused %llu, failed %llu", st->received, st->written,
	    st->bad_json, st->too_large, st->refused, st->failed);
	if (c->o.es_url != NULL)
		fprintf(stderr, "; forwarded %llu, %llu bytes left in the "
		    "spool", st->forwarded, st->pending);
	fputc('\n', stderr);
}

/* Starts the --metrics server into *live (NULL without); 0 or -1. */
static int
collect_live_start(struct collect_cmd *c, struct live **live)
{
	char *cause = NULL;

	*live = NULL;
	if (c->metrics == NULL)
		return 0;
	if (live_start(c->metrics, c->allow_remote, live, &cause) == 0)
		return 0;
	cli_error_safe(cause);
	free(cause);
	return -1;
}

/* Runs the collector until a signal or --duration; an exit status. */
static int
collect_execute(struct collect_cmd *c)
{
	struct collect_stats st;
	struct collector *col;
	struct live *live;
	struct timespec tick = { 0, 100000000 };
	char *cause = NULL;
	double start, next;

	c->o.host = c->host != NULL ? c->host : "127.0.0.1";
	c->o.max_body = c->max_body;
	c->o.max_connections = (unsigned)c->max_conn;
	c->o.batch_bytes = c->batch_bytes;
	c->o.http = &c->es.http;
	interrupt_catch();
	c->es.http.ignore_interrupt = 1;	/* flush after Ctrl-C */
	if (collect_live_start(c, &live) == -1)
		return STATUS_IO;
	c->o.live = live;
	if (collector_start(&c->o, &col, &cause) == -1) {
		cli_error_safe(cause);
		free(cause);
		live_stop(live);
		return STATUS_IO;
	}
	if (collector_note(col) != NULL)
		cli_error_safe(collector_note(col));
	cli_error("collecting on http://%s:%u/ into %s%s%s", c->o.host,
	    collector_port(col), c->o.out, c->o.es_url ? ", forwarding to " :
	    "", c->o.es_url ? c->o.index ? c->o.index : "medload-traces" : "");
	if (live != NULL)	/* the port bound, when 0 was asked */
		cli_error("metrics on http://%.*s:%u/metrics", (int)(strrchr(
		    c->metrics, ':') - c->metrics), c->metrics,
		    live_port(live));
	start = next = time_now();
	while (!interrupt_pending() && (c->duration <= 0 ||
	    time_now() - start < c->duration)) {
		if (time_now() >= next) {
			collector_publish(col);
			next += 1;
		}
		nanosleep(&tick, NULL);
	}
	collector_stop(col, c->drain, &st);
	if (live != NULL) {
		live_linger(live, 2);	/* a scraper gets the last figures */
		live_stop(live);
	}
	collect_summary(c, &st);
	return STATUS_OK;
}

int
cmd_collect(int argc, char **argv)
{
	struct collect_cmd c;
	char *cause = NULL;
	int status;

	if (collect_parse(&c, argc, argv, &cause) == -1 ||
	    (!c.help && collect_check(&c, &cause) == -1))
		status = cli_usage_error("collect", "%s", cause);
	else if (c.help) {
		cmd_collect_help(stdout);
		status = STATUS_OK;
	} else
		status = collect_execute(&c);
	free(cause);
	free(c.host);
	es_cli_release(&c.es);
	return status;
}
