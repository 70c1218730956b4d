/* cmd_ingest.c: `medload ingest`: trace files -> Elasticsearch. */
#include "cmd.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "es.h"
#include "es_cli.h"
#include "ingest_par.h"
#include "interrupt.h"
#include "jx.h"
#include "source_par.h"
#include "util.h"

/* Sends of a _bulk item the server refuses for now (429 and the like). */
#define INGEST_TRIES 6

static const char ingest_usage[] =
"usage: medload ingest [options] --es URL --index NAME FILE...\n"
"\n"
"Loads trace files (every input shape `medload analyze` reads) into\n"
"Elasticsearch or OpenSearch with _bulk, after installing the index\n"
"template for the trace fields (queries/trace-index-template.json) for\n"
"NAME. Document ids are derived from each event's content, so loading\n"
"the same file twice does not duplicate events. Each document keeps the\n"
"event's fields and gains medload.source, medload.line, medload.run_id\n"
"(with --run-id) and @timestamp (the event time) when it has none.\n"
"Items the server refuses for now (429 and the like: a full write queue,\n"
"an index write block) are sent again after 0.5, 1, 2, 4 and 8 s.\n"
"The requests are built on every core (--threads N) and sent by one\n"
"thread in input order: the same requests whatever N.\n";

static const char ingest_after[] =
"Exit status: 0 when every event was indexed, 1 when the files held no\n"
"event, 2 on a usage error, 3 when a file or the server could not be used,\n"
"4 when some events were not indexed (the summary says how many).\n";

enum { I_ES, I_INDEX, I_RUNID, I_NOTPL, I_BATCH, I_SHOW, I_THREADS };

static const struct opt ingest_options[] = {
	{ NULL, 0, NULL, 0, 0, "Options:" },
	{ "es", 0, "URL", I_ES, 0, "the server (required)" },
	{ "index", 0, "NAME", I_INDEX, 0, "the index to write (required; no "
	    "wildcards)" },
	{ "run-id", 0, "ID", I_RUNID, 0, "tag every document with "
	    "medload.run_id" },
	{ "no-template", 0, NULL, I_NOTPL, 0, "do not install the index "
	    "template" },
	{ "batch-bytes", 0, "N", I_BATCH, 0, "_bulk request size (default "
	    "5000000)" },
	{ "show-errors", 0, "N", I_SHOW, 0, "print the first N rejected or "
	    "failed events\n(default 5)" },
	{ "threads", 0, "N", I_THREADS, 0, "build the _bulk requests on N "
	    "threads (default:\none per online core, or MEDLOAD_THREADS); "
	    "one\nmore sends them, in input order" },
	{ NULL, 0, NULL, 0, 0, NULL },
};

/* What the command line says. */
struct ingest_cmd {
	const char *url, *index, *run_id;
	char **files;		/* the operands: array owned, strings borrowed */
	size_t nfiles;
	unsigned long long batch_bytes, show_max, threads;
	int no_template, help;
	struct es_cli es;
};

/* The state of a load into the server. */
struct ingest {
	struct es *es;
	const char *index;
	const char *const *files;
	const char *path;
	struct strbuf bulk;
	size_t *starts;		/* where each queued item begins in bulk */
	size_t starts_cap;
	size_t batch_bytes;
	size_t nqueued;
	unsigned long long read, queued, indexed, rejected, failed, skipped;
	unsigned long long shown, show_max;
	int request_failed;
	int status;		/* STATUS_IO when an input could not be read */
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

/* Prints the first few item errors of a _bulk answer. */
static void
ingest_errors(struct ingest *in, struct json_object *errors)
{
	struct json_object *e, *r, *t;
	size_t i;

	for (i = 0; i < jx_len(errors); i++) {
		e = jx_at(errors, i);
		r = json_object_object_get(e, "reason");
		t = json_object_object_get(e, "type");
		ingest_problem(in, 0, "refused by the server",
		    r ? json_object_get_string(r) : t ?
		    json_object_get_string(t) : "unknown error");
	}
}

/* Keeps only the queued items again[0..n) (ascending), in order. */
static void
ingest_keep(struct ingest *in, const size_t *again, size_t n)
{
	struct strbuf b;
	size_t i, k, from, to;

	strbuf_init(&b, 0);
	for (i = 0; i < n; i++) {
		k = again[i];
		from = in->starts[k];
		to = k + 1 < in->nqueued ? in->starts[k + 1] : in->bulk.len;
		in->starts[i] = b.len;	/* i <= k: read before written */
		strbuf_add(&b, in->bulk.data + from, to - from);
	}
	strbuf_release(&in->bulk);
	in->bulk = b;
	in->nqueued = n;
}

/*
 * Sends the queued documents. Items refused for now (429 and the like:
 * a full write queue, an index write block) go again after 0.5, 1, 2,
 * 4 and 8 s; those still refused then count as failed.
 */
static int
ingest_flush(struct ingest *in)
{
	struct json_object *errors;
	size_t ok, failed, nagain = 0, *again, tries = 0;
	double wait_ms = 500;
	int rc = 0;

	if (in->nqueued == 0)
		return 0;
	again = util_calloc(in->nqueued, sizeof(*again));
	do {
		if (tries > 0 && interrupt_sleep(wait_ms) == -1)
			break;
		wait_ms *= 2;
		ok = failed = 0;
		errors = json_object_new_array();
		rc = es_bulk_again(in->es, in->bulk.data, in->bulk.len,
		    in->nqueued, &ok, &failed, again, &nagain, errors,
		    &in->cause);
		if (rc == 0) {
			in->indexed += ok;
			in->failed += failed;
			ingest_errors(in, errors);
			ingest_keep(in, again, nagain);
		}
		json_object_put(errors);
	} while (rc == 0 && nagain > 0 && ++tries < INGEST_TRIES);
	if (rc == -1) {
		in->request_failed = 1;
		in->failed += in->nqueued;
	} else if (nagain > 0) {
		in->failed += nagain;
		ingest_problem(in, 0, "refused by the server", interrupt_pending() ?
		    "refused for now (429 or 5xx) when interrupted" :
		    "refused for now (429 or 5xx) on each of 6 sends over 15 s");
	}
	free(again);
	strbuf_reset(&in->bulk);
	in->nqueued = 0;
	return rc;
}

/* Queues item i of b; 0, or -1 when a request failed. */
static int
ingest_queue(struct ingest *in, const struct ingest_bulk *b, size_t i)
{
	if (in->nqueued == in->starts_cap) {
		in->starts_cap = in->starts_cap ? 2 * in->starts_cap : 256;
		in->starts = util_realloc(in->starts, in->starts_cap *
		    sizeof(*in->starts));
	}
	in->starts[in->nqueued] = in->bulk.len;
	strbuf_add(&in->bulk, b->body.data + b->starts[i],
	    ingest_bulk_item_len(b, i));
	in->queued++;
	in->nqueued++;
	if (in->bulk.len >= in->batch_bytes && ingest_flush(in) == -1)
		return -1;
	return 0;
}

/*
 * Takes the items of a chunk in input order (an ingest_par take): its
 * rejects shown where they came, its items queued and sent by the batch.
 * Items left when a request failed count as failed.
 */
static int
ingest_take(void *arg, size_t input, struct ingest_bulk *b)
{
	struct ingest *in = arg;
	const struct ingest_bulk_reject *r;
	size_t i, k = 0;

	in->path = in->files[input];
	in->read += b->read;
	in->rejected += b->rejected;
	in->skipped += b->skipped;
	for (i = 0; i <= b->n; i++) {
		for (; k < b->nrejects && b->rejects[k].item <= i; k++) {
			r = &b->rejects[k];
			ingest_problem(in, r->lineno, r->what, r->detail);
		}
		if (i < b->n && ingest_queue(in, b, i) == -1) {
			in->failed += b->n - i - 1;
			return 1;
		}
	}
	return interrupt_pending() ? 1 : 0;
}

/* An input ended (an ingest_par end): its error, then what is queued. */
static void
ingest_end(void *arg, size_t input, const char *cause)
{
	struct ingest *in = arg;

	(void)input;
	if (cause != NULL) {
		cli_error_safe(cause);
		in->status = STATUS_IO;
	}
	if (!in->request_failed)
		ingest_flush(in);
}

/* Takes one option. */
static int
ingest_option(void *ctx, int id, const char *value, char **cause)
{
	struct ingest_cmd *c = ctx;

	switch (id) {
	case I_ES: c->url = value; break;
	case I_INDEX: c->index = value; break;
	case I_RUNID: c->run_id = value; break;
	case I_NOTPL: c->no_template = 1; break;
	case I_BATCH:
		return opt_count("batch-bytes", value, 1024, 1ULL << 30,
		    &c->batch_bytes, cause);
	case I_SHOW:
		return opt_count("show-errors", value, 0, 1ULL << 30,
		    &c->show_max, cause);
	case I_THREADS:
		return opt_count("threads", value, 1, SOURCE_PAR_MAX_THREADS,
		    &c->threads, cause);
	}
	return 0;
}

/* Fills groups for c; returns their number. */
static size_t
ingest_groups(struct ingest_cmd *c, struct opt_group *g)
{
	g[0] = (struct opt_group){ ingest_options, ingest_option, c };
	g[1] = (struct opt_group)ES_CLI_GROUP(&c->es);
	g[2] = (struct opt_group)CMD_HELP_GROUP(&c->help);
	return 3;
}

void
cmd_ingest_help(FILE *out)
{
	struct ingest_cmd c;
	struct opt_group g[3];

	cmd_help(out, ingest_usage, g, ingest_groups(&c, g), ingest_after);
}

/* Parses the command line into c (released by cmd_ingest); 0 or -1. */
static int
ingest_parse(struct ingest_cmd *c, int argc, char **argv, char **cause)
{
	struct opt_group g[3];

	memset(c, 0, sizeof(*c));
	c->batch_bytes = 5000000;
	c->show_max = 5;
	c->threads = source_par_env("MEDLOAD_THREADS", SOURCE_PAR_MAX_THREADS);
	es_cli_init(&c->es);
	return opt_parse(g, ingest_groups(c, g), argc, argv, &c->files,
	    &c->nfiles, cause);
}

/* Checks the options together and reads the secrets; 0 or -1. */
static int
ingest_check(struct ingest_cmd *c, char **cause)
{
	if (c->url == NULL || c->index == NULL)
		return util_fail(cause, "--es URL and --index NAME are "
		    "required");
	if (c->nfiles == 0)
		return util_fail(cause, "no input files (use '-' for standard "
		    "input)");
	if (es_check_index(c->index, cause) == -1)
		return -1;
	if (strpbrk(c->index, "*,") != NULL)
		return util_fail(cause, "--index %s: one index name, without * "
		    "or ,", c->index);
	return es_cli_finish(&c->es, cause);
}

/*
 * Sends every file, the requests built on c->threads threads; STATUS_IO
 * when one could not be read, else STATUS_OK.
 */
static int
ingest_files(struct ingest *in, const struct ingest_cmd *c)
{
	struct ingest_bulk_opts o;
	struct ingest_par_ops ops = { ingest_take, ingest_end, in };

	o.index = c->index;
	o.run_id = c->run_id;
	o.show_max = c->show_max;
	in->files = (const char *const *)c->files;
	in->status = STATUS_OK;
	ingest_par_run(in->files, c->nfiles, c->threads ? (unsigned)c->threads :
	    source_par_cores(), source_par_env("MEDLOAD_CHUNK_BYTES",
	    (size_t)1 << 30), &o, &ops);
	if (!in->request_failed)
		ingest_flush(in);	/* what an interrupt left queued */
	return in->status;
}

/* Makes the documents searchable and prints the summary; an exit status. */
static int
ingest_finish(struct ingest *in, int status)
{
	struct json_object *res = NULL;
	char *cause = NULL, *path;

	if (in->request_failed) {
		cli_error_safe(in->cause);
		status = STATUS_PARTIAL;
	} else {
		path = util_printf("/%s/_refresh", in->index);
		if (es_call(in->es, "POST", path, NULL, 0, &res, &cause) == -1) {
			cli_error_safe(cause);
			status = STATUS_IO;
		}
		json_object_put(res);
		free(path);
		free(cause);
	}
	printf("%s: indexed %llu, rejected %llu (not trace events), failed "
	    "%llu (not indexed) of %llu records", in->index, in->indexed,
	    in->rejected, in->failed, in->read);
	if (in->skipped > 0)
		printf("; %llu log lines without a trace skipped", in->skipped);
	putchar('\n');
	if (status == STATUS_OK && in->failed > 0)
		status = STATUS_PARTIAL;
	if (status == STATUS_OK && in->queued == 0)
		status = STATUS_NO_EVENTS;
	if (interrupt_pending() && status == STATUS_OK)
		status = STATUS_PARTIAL;
	return status;
}

/* Loads the files into the index; returns an exit status. */
static int
ingest_execute(const struct ingest_cmd *c)
{
	struct ingest in;
	char *cause = NULL;
	int status = STATUS_IO;

	memset(&in, 0, sizeof(in));
	in.index = c->index;
	in.batch_bytes = c->batch_bytes;
	in.show_max = c->show_max;
	strbuf_init(&in.bulk, 0);
	interrupt_catch();
	if (es_open(c->url, &c->es.http, &in.es, &cause) == -1 ||
	    (!c->no_template && es_install_template(in.es, in.index,
	    &cause) == -1)) {
		cli_error_safe(cause);
		goto out;
	}
	status = ingest_finish(&in, ingest_files(&in, c));
out:
	strbuf_release(&in.bulk);
	free(in.starts);
	es_free(in.es);
	free(in.cause);
	free(cause);
	return status;
}

int
cmd_ingest(int argc, char **argv)
{
	struct ingest_cmd c;
	char *cause = NULL;
	int status;

	if (ingest_parse(&c, argc, argv, &cause) == -1 ||
	    (!c.help && ingest_check(&c, &cause) == -1))
		status = cli_usage_error("ingest", "%s", cause);
	else if (c.help) {
		cmd_ingest_help(stdout);
		status = STATUS_OK;
	} else
		status = ingest_execute(&c);
	free(cause);
	free(c.files);
	es_cli_release(&c.es);
	return status;
}
