/* cmd_collect.c: `medload collect`: a trace sink for ACA-Py agents. */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "collect.h"
#include "es.h"
#include "es_cli.h"
#include "timeutil.h"
#include "interrupt.h"
#include "util.h"

static const char cmd_collect_help_text[] =
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
"is larger than --max-body; 404 other GET paths; 405 other methods;\n"
"GET / or /_status returns the counters as JSON.\n"
"\n"
"Options:\n"
"  --listen ADDR:PORT  where to listen (default 127.0.0.1:9700)\n"
"  -o, --out FILE      the NDJSON file (default traces.ndjson)\n"
"  --fsync MODE        when to sync the file to disk: interval (default;\n"
"                      at most 1 s of acknowledged events at risk on power\n"
"                      loss, none on a crash or kill), always (before every\n"
"                      answer), none (leave it to the kernel)\n"
"  --max-body BYTES    largest event accepted (default 1048576)\n"
"  --max-connections N concurrent connections (default 512)\n"
"  --run-id ID         tag every event with medload.run_id\n"
"  --es URL            also forward to Elasticsearch or OpenSearch\n"
"  --index NAME        index to forward to (default medload-traces)\n"
"  --batch-bytes N     _bulk request size (default 5000000)\n"
"  --drain DUR         on exit, keep forwarding for up to DUR (default 10s)\n"
"  --duration DUR      stop by itself after DUR (default: run until\n"
"                      SIGINT or SIGTERM)\n"
ES_CLI_HELP
"  -h, --help          show this help\n"
"\n"
"Exit status: 0 after SIGINT/SIGTERM or --duration, 2 on a usage error,\n"
"3 when the address or the file cannot be used.\n";

int
cmd_collect(int argc, char **argv)
{
	enum { OPT_LISTEN = 256, OPT_FSYNC, OPT_MAXBODY, OPT_MAXCONN,
	    OPT_RUNID, OPT_ES, OPT_INDEX, OPT_BATCH, OPT_DRAIN, OPT_DURATION };
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "out", required_argument, NULL, 'o' },
		{ "fsync", required_argument, NULL, OPT_FSYNC },
		{ "max-body", required_argument, NULL, OPT_MAXBODY },
		{ "max-connections", required_argument, NULL, OPT_MAXCONN },
		{ "run-id", required_argument, NULL, OPT_RUNID },
		{ "es", required_argument, NULL, OPT_ES },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "batch-bytes", required_argument, NULL, OPT_BATCH },
		{ "drain", required_argument, NULL, OPT_DRAIN },
		{ "duration", required_argument, NULL, OPT_DURATION },
		ES_CLI_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct collect_opts o;
	struct collect_stats st;
	struct collector *col;
	struct es_cli ec;
	char *host = NULL, *cause = NULL;
	unsigned long long ull;
	double drain = 10, duration = 0, start;
	struct timespec ts = { 0, 100000000 };
	int c, status;

	memset(&o, 0, sizeof(o));
	o.port = 9700;
	o.out = "traces.ndjson";
	o.fsync = COLLECT_FSYNC_INTERVAL;
	es_cli_init(&ec);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", opts, NULL)) != -1) {
		if (es_cli_option(&ec, c, optarg))
			continue;
		switch (c) {
		case OPT_LISTEN:
			free(host);
			host = NULL;
			if (collect_parse_listen(optarg, &host, &o.port) == -1) {
				util_fail(&cause, "--listen: \"%s\" is not "
				    "ADDR:PORT", optarg);
				goto usage;
			}
			break;
		case 'o':
			o.out = optarg;
			break;
		case OPT_FSYNC:
			if (strcmp(optarg, "always") == 0)
				o.fsync = COLLECT_FSYNC_ALWAYS;
			else if (strcmp(optarg, "interval") == 0)
				o.fsync = COLLECT_FSYNC_INTERVAL;
			else if (strcmp(optarg, "none") == 0)
				o.fsync = COLLECT_FSYNC_NONE;
			else {
				util_fail(&cause, "--fsync: \"%s\" is not "
				    "always, interval or none", optarg);
				goto usage;
			}
			break;
		case OPT_MAXBODY:
		case OPT_MAXCONN:
		case OPT_BATCH:
			if (util_parse_uint(optarg, 1ULL << 30, &ull) == -1 ||
			    ull == 0) {
				util_fail(&cause, "%s: \"%s\" is not a positive "
				    "number", argv[optind - 1], optarg);
				goto usage;
			}
			if (c == OPT_MAXBODY)
				o.max_body = ull;
			else if (c == OPT_MAXCONN)
				o.max_connections = (unsigned)ull;
			else
				o.batch_bytes = ull;
			break;
		case OPT_RUNID:
			o.run_id = optarg;
			break;
		case OPT_ES:
			o.es_url = optarg;
			break;
		case OPT_INDEX:
			o.index = optarg;
			break;
		case OPT_DRAIN:
		case OPT_DURATION:
			if (time_parse_duration(optarg, c == OPT_DRAIN ? &drain :
			    &duration) == -1) {
				util_fail(&cause, "%s: \"%s\" is not a duration",
				    argv[optind - 1], optarg);
				goto usage;
			}
			break;
		case 'h':
			cmd_collect_help(stdout);
			free(host);
			return STATUS_OK;
		case ':':
		default:
			cli_bad_option(c, argv, &cause);
			goto usage;
		}
	}
	if (optind < argc) {
		util_fail(&cause, "unexpected argument '%s'", argv[optind]);
		goto usage;
	}
	if (o.index != NULL && (es_check_index(o.index, &cause) == -1 ||
	    strpbrk(o.index, "*,") != NULL)) {
		if (cause == NULL)
			util_fail(&cause, "--index: one index name, without * "
			    "or ,");
		goto usage;
	}
	if (o.es_url != NULL && es_cli_finish(&ec, &cause) == -1) {
		es_cli_release(&ec);
		goto usage;
	}
	o.host = host ? host : "127.0.0.1";
	o.http = &ec.http;
	interrupt_catch();
	ec.http.ignore_interrupt = 1;	/* flush after Ctrl-C */
	if (collector_start(&o, &col, &cause) == -1) {
		cli_error("%s", cause);
		free(cause);
		free(host);
		es_cli_release(&ec);
		return STATUS_IO;
	}
	fprintf(stderr, "medload: collecting on http://%s:%u/ into %s%s%s\n",
	    o.host, collector_port(col), o.out, o.es_url ? ", forwarding to " :
	    "", o.es_url ? o.index ? o.index : "medload-traces" : "");
	start = time_now();
	while (!interrupt_pending() && (duration <= 0 ||
	    time_now() - start < duration))
		nanosleep(&ts, NULL);
	collector_stop(col, drain, &st);
	fprintf(stderr, "medload: received %llu, stored %llu, bad %llu, too "
	    "large %llu, refused %llu, failed %llu", st.received, st.written,
	    st.bad_json, st.too_large, st.refused, st.failed);
	if (o.es_url != NULL)
		fprintf(stderr, "; forwarded %llu, %llu bytes left in the "
		    "spool", st.forwarded, st.pending);
	fputc('\n', stderr);
	free(host);
	es_cli_release(&ec);
	return STATUS_OK;
usage:
	free(host);
	status = cli_usage_error("collect", "%s", cause);
	free(cause);
	return status;
}

/* Prints the help (transitional). */
void
cmd_collect_help(FILE *out)
{
	fputs(cmd_collect_help_text, out);
}
