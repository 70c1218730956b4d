/* source_merge.c: trace files merged by event time. */
#include "source_merge.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "cli.h"
#include "interrupt.h"
#include "pipeline.h"
#include "source_file.h"
#include "trace.h"
#include "util.h"

/* One input and the event it holds next. */
struct source_merge_in {
	const char *path;
	struct source_file *sf;
	struct trace_parser *parser;
	struct trace_event ev;	/* valid while live */
	unsigned long long lineno;
	int live;
};

/* Reports an input that failed and stops reading it. */
static void
source_merge_fail(struct source_merge_in *in, char *cause,
    struct json_object *errors, unsigned *unreadable)
{
	cli_error("%s", cause);
	json_object_array_add(errors, json_object_new_string(cause));
	free(cause);
	(*unreadable)++;
	in->live = 0;
}

/*
 * Reads input in up to its next valid event (rejects and skipped lines
 * go to the pipeline on the way). Returns 1 with an event held, 0 at the
 * end, 2 when interrupted, -1 with *cause.
 */
static int
source_merge_advance(struct source_merge_in *in, struct pipeline *p,
    char **cause)
{
	struct source_line l;
	enum trace_reject rej;
	const char *detail;
	int rc;

	in->live = 0;
	while ((rc = source_file_next(in->sf, &l, cause)) == 1) {
		rej = pipeline_parse(p, in->parser, l.data, l.len, l.too_long,
		    &in->ev, &detail);
		if (rej == TRACE_OK) {
			in->lineno = l.lineno;
			in->live = 1;
			return 1;
		}
		p->where = in->path;
		pipeline_take(p, rej, &in->ev, detail, l.lineno);
	}
	return rc;
}

/* The live input holding the earliest event, or NULL. */
static struct source_merge_in *
source_merge_earliest(struct source_merge_in *in, size_t n)
{
	struct source_merge_in *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (in[i].live && (best == NULL || in[i].ev.time < best->ev.time))
			best = &in[i];
	return best;
}

int
source_merge_read(const char *const *paths, size_t n, int raw,
    struct pipeline *p, struct json_object *errors, unsigned *unreadable)
{
	struct source_merge_in *in = util_calloc(n, sizeof(*in)), *e;
	char *cause = NULL;
	int rc = 0;
	size_t i;

	for (i = 0; i < n && rc != 2; i++) {
		in[i].path = paths[i];
		if (source_file_open(paths[i], &in[i].sf, &cause) == -1) {
			source_merge_fail(&in[i], cause, errors, unreadable);
			cause = NULL;
			continue;
		}
		in[i].parser = trace_parser_new();
		trace_parser_raw(in[i].parser, raw);
		if ((rc = source_merge_advance(&in[i], p, &cause)) == -1)
			source_merge_fail(&in[i], cause, errors, unreadable);
		cause = NULL;
	}
	while (rc != 2 && !interrupt_pending() &&
	    (e = source_merge_earliest(in, n)) != NULL) {
		p->where = e->path;
		pipeline_take(p, TRACE_OK, &e->ev, "", e->lineno);
		if ((rc = source_merge_advance(e, p, &cause)) == -1)
			source_merge_fail(e, cause, errors, unreadable);
		cause = NULL;
	}
	for (i = 0; i < n; i++) {
		source_file_close(in[i].sf);
		trace_parser_free(in[i].parser);
	}
	free(in);
	return rc == 2 || interrupt_pending() ? 1 : 0;
}
