/* cmd_ingest.c: `medload ingest`: trace files -> Elasticsearch. */
#include "cmd.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "es.h"
#include "es_cli.h"
#include "jx.h"
#include "source_file.h"
#include "timeutil.h"
#include "trace.h"
#include "interrupt.h"
#include "util.h"

static const char cmd_ingest_help_text[] =
"usage: medload ingest [options] --es URL --index NAME FILE...\n"
"\n"
"Loads trace files (every input shape `medload analyze` reads) into\n"
"Elasticsearch or OpenSearch with _bulk, after installing the index\n"
"template for the trace fields (queries/trace-index-template.json) for\n"
"NAME. Document ids are derived from each event's content, so loading\n"
"the same file twice does not duplicate events. Each document keeps the\n"
"event's fields and gains medload.source, medload.line, medload.run_id\n"
"(with --run-id) and @timestamp (the event time) when it has none.\n"
"\n"
"Options:\n"
"  --es URL            the server (required)\n"
"  --index NAME        the index to write (required; no wildcards)\n"
"  --run-id ID         tag every document with medload.run_id\n"
"  --no-template       do not install the index template\n"
"  --batch-bytes N     _bulk request size (default 5000000)\n"
"  --show-errors N     print the first N rejected or failed events\n"
"                      (default 5)\n"
ES_CLI_HELP
"  -h, --help          show this help\n"
"\n"
"Exit status: 0 when every event was indexed, 1 when the files held no\n"
"event, 2 on a usage error, 3 when a file or the server could not be used,\n"
"4 when some events were not indexed (the summary says how many).\n";

struct ingest {
	struct es *es;
	struct trace_parser *parser;
	const char *index;
	const char *run_id;
	const char *path;
	struct strbuf bulk;
	size_t batch_bytes;
	unsigned long long *lines;	/* line of each queued document */
	size_t nqueued;
	size_t cap;
	unsigned long long read, queued, indexed, rejected, failed;
	unsigned long long shown, show_max;
	int request_failed;
	char *cause;
};

/* Prints a problem with one line of input (first few only). */
static void
ingest_problem(struct ingest *in, unsigned long long line, const char *what,
    const char *why)
{
	struct strbuf b;

	if (in->shown++ >= in->show_max)
		return;
	strbuf_init(&b, 0);
	util_safe_append(&b, in->path);
	strbuf_addf(&b, ":%llu: %s: ", line, what);
	util_safe_append(&b, why);
	cli_error("%s", b.data);
	strbuf_release(&b);
}

/* Sends the queued documents. */
static int
ingest_flush(struct ingest *in)
{
	struct json_object *errors;
	size_t ok = 0, failed = 0, i;

	if (in->nqueued == 0)
		return 0;
	errors = json_object_new_array();
	if (es_bulk(in->es, in->bulk.data, in->bulk.len, &ok, &failed, errors,
	    &in->cause) == -1) {
		in->failed += in->nqueued;
		in->request_failed = 1;
		json_object_put(errors);
		strbuf_reset(&in->bulk);
		in->nqueued = 0;
		return -1;
	}
	in->indexed += ok;
	in->failed += failed;
	for (i = 0; i < jx_len(errors); i++) {
		struct json_object *e = jx_at(errors, i);
		struct json_object *r = NULL, *t = NULL;

		json_object_object_get_ex(e, "reason", &r);
		json_object_object_get_ex(e, "type", &t);
		ingest_problem(in, 0, "refused by the server",
		    r ? json_object_get_string(r) : t ?
		    json_object_get_string(t) : "unknown error");
	}
	json_object_put(errors);
	strbuf_reset(&in->bulk);
	in->nqueued = 0;
	return 0;
}

/* Queues one record as an index action. */
static int
ingest_line(const char *line, size_t len, unsigned long long lineno,
    int too_long, void *arg)
{
	struct ingest *in = arg;
	struct json_object *doc, *meta, *action, *op, *v;
	struct trace_event ev;
	enum trace_reject rej;
	const char *detail = "", *text, *base;
	char id[33], tbuf[TIME_BUF];

	in->read++;
	rej = too_long ? TRACE_REJ_TOO_LONG :
	    trace_parse(in->parser, line, len, &ev, &detail);
	if (rej != TRACE_OK) {
		in->rejected++;
		ingest_problem(in, lineno, trace_reject_name(rej), detail);
		return 0;
	}
	doc = trace_parser_doc(in->parser);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		in->rejected++;
		return 0;
	}
	util_hash128(ev.doc, ev.doc_len, id);
	base = strrchr(in->path, '/');
	meta = json_object_new_object();
	json_object_object_add(meta, "source",
	    json_object_new_string(base ? base + 1 : in->path));
	json_object_object_add(meta, "line",
	    json_object_new_int64((int64_t)lineno));
	if (in->run_id != NULL)
		json_object_object_add(meta, "run_id",
		    json_object_new_string(in->run_id));
	json_object_object_add(doc, "medload", meta);
	if (!json_object_object_get_ex(doc, "@timestamp", &v))
		json_object_object_add(doc, "@timestamp",
		    json_object_new_string(time_format(ev.time, tbuf)));
	action = json_object_new_object();
	op = json_object_new_object();
	json_object_object_add(op, "_index", json_object_new_string(in->index));
	json_object_object_add(op, "_id", json_object_new_string(id));
	json_object_object_add(action, "index", op);
	strbuf_adds(&in->bulk, json_object_to_json_string_ext(action,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	strbuf_addc(&in->bulk, '\n');
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE);
	strbuf_adds(&in->bulk, text);
	strbuf_addc(&in->bulk, '\n');
	json_object_put(action);
	in->queued++;
	in->nqueued++;
	if (in->bulk.len >= in->batch_bytes && ingest_flush(in) == -1)
		return 1;
	return interrupt_pending() ? 1 : 0;
}

int
cmd_ingest(int argc, char **argv)
{
	enum { OPT_ES = 256, OPT_INDEX, OPT_RUNID, OPT_NOTPL, OPT_BATCH,
	    OPT_SHOW };
	static const struct option opts[] = {
		{ "es", required_argument, NULL, OPT_ES },
		{ "index", required_argument, NULL, OPT_INDEX },
		{ "run-id", required_argument, NULL, OPT_RUNID },
		{ "no-template", no_argument, NULL, OPT_NOTPL },
		{ "batch-bytes", required_argument, NULL, OPT_BATCH },
		{ "show-errors", required_argument, NULL, OPT_SHOW },
		ES_CLI_OPTIONS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct ingest in;
	struct es_cli ec;
	const char *url = NULL;
	unsigned long long ull;
	char *cause = NULL, *path;
	int c, i, template = 1, status = STATUS_OK;
	struct json_object *res = NULL;

	memset(&in, 0, sizeof(in));
	in.batch_bytes = 5000000;
	in.show_max = 5;
	es_cli_init(&ec);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", opts, NULL)) != -1) {
		if (es_cli_option(&ec, c, optarg))
			continue;
		switch (c) {
		case OPT_ES:
			url = optarg;
			break;
		case OPT_INDEX:
			in.index = optarg;
			break;
		case OPT_RUNID:
			in.run_id = optarg;
			break;
		case OPT_NOTPL:
			template = 0;
			break;
		case OPT_BATCH:
		case OPT_SHOW:
			if (util_parse_uint(optarg, 1ULL << 30, &ull) == -1 ||
			    (c == OPT_BATCH && ull < 1024)) {
				util_fail(&cause, "%s: \"%s\" is not a %s",
				    argv[optind - 1], optarg, c == OPT_BATCH ?
				    "size of at least 1024 bytes" : "count");
				goto usage;
			}
			if (c == OPT_BATCH)
				in.batch_bytes = ull;
			else
				in.show_max = ull;
			break;
		case 'h':
			cmd_ingest_help(stdout);
			return STATUS_OK;
		case ':':
		default:
			cli_bad_option(c, argv, &cause);
			goto usage;
		}
	}
	if (url == NULL || in.index == NULL) {
		util_fail(&cause, "--es URL and --index NAME are required");
		goto usage;
	}
	if (optind >= argc) {
		util_fail(&cause, "no input files (use '-' for standard input)");
		goto usage;
	}
	if (es_check_index(in.index, &cause) == -1)
		goto usage;
	if (strpbrk(in.index, "*,") != NULL) {
		util_fail(&cause, "--index %s: one index name, without * or ,",
		    in.index);
		goto usage;
	}
	if (es_cli_finish(&ec, &cause) == -1) {
		es_cli_release(&ec);
		goto usage;
	}
	interrupt_catch();
	if (es_open(url, &ec.http, &in.es, &cause) == -1 ||
	    (template && es_install_template(in.es, in.index, &cause) == -1)) {
		cli_error("%s", cause);
		free(cause);
		es_free(in.es);
		es_cli_release(&ec);
		return STATUS_IO;
	}
	in.parser = trace_parser_new();
	strbuf_init(&in.bulk, 0);
	for (i = optind; i < argc && !interrupt_pending() && !in.request_failed;
	    i++) {
		in.path = argv[i];
		if (source_file_read(argv[i], ingest_line, &in, &cause) == -1) {
			cli_error("%s", cause);
			free(cause);
			cause = NULL;
			status = STATUS_IO;
		}
		if (!in.request_failed)
			ingest_flush(&in);
	}
	if (in.request_failed) {
		cli_error("%s", in.cause);
		status = STATUS_PARTIAL;
	} else {
		path = util_printf("/%s/_refresh", in.index);
		if (es_call(in.es, "POST", path, NULL, 0, &res, &cause) == -1) {
			cli_error("%s", cause);
			status = STATUS_IO;
		}
		json_object_put(res);
		free(path);
	}
	printf("%s: indexed %llu, rejected %llu (not trace events), failed "
	    "%llu (not indexed) of %llu records\n", in.index, in.indexed,
	    in.rejected, in.failed, in.read);
	if (status == STATUS_OK && in.failed > 0)
		status = STATUS_PARTIAL;
	if (status == STATUS_OK && in.queued == 0)
		status = STATUS_NO_EVENTS;
	if (interrupt_pending() && status == STATUS_OK)
		status = STATUS_PARTIAL;
	strbuf_release(&in.bulk);
	trace_parser_free(in.parser);
	es_free(in.es);
	es_cli_release(&ec);
	free(in.cause);
	free(in.lines);
	free(cause);
	return status;
usage:
	status = cli_usage_error("ingest", "%s", cause);
	free(cause);
	return status;
}

/* Prints the help (transitional). */
void
cmd_ingest_help(FILE *out)
{
	fputs(cmd_ingest_help_text, out);
}
