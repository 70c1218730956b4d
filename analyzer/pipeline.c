/* pipeline.c: parse, filter and aggregate trace records. */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "flows.h"
#include "flows_log.h"
#include "source_chunk.h"
#include "trace.h"
#include "util.h"

void
pipeline_init(struct pipeline *p, const enum agg_key *keys, size_t nkeys,
    double interval, const struct filter *f, unsigned long long show_max)
{
	memset(p, 0, sizeof(*p));
	p->parser = trace_parser_new();
	p->agg = agg_new(keys, nkeys, interval);
	p->filter = f;
	p->show_max = show_max;
	p->where = "-";
	memcpy(p->keys, keys, nkeys * sizeof(*keys));
	p->nkeys = nkeys;
	p->interval = interval;
}

void
pipeline_raw(struct pipeline *p, int raw)
{
	p->raw = raw;
	trace_parser_raw(p->parser, raw);
}

void
pipeline_limit(struct pipeline *p, size_t max_groups)
{
	p->max_groups = max_groups;
	agg_limit(p->agg, max_groups);
}

void
pipeline_init_like(struct pipeline *dst, const struct pipeline *src)
{
	pipeline_init(dst, src->keys, src->nkeys, src->interval, src->filter,
	    src->show_max);
	pipeline_raw(dst, src->raw);
	pipeline_limit(dst, src->max_groups);
}

void
pipeline_notes_release(struct pipeline_notes *n)
{
	free(n->rejects);
	seen_log_release(&n->left_out);
	free(n->valid);
	flows_log_release(&n->left);
	memset(n, 0, sizeof(*n));
}

/* Prints a reject (p->where and lineno name it) while fewer are shown. */
static void
pipeline_show_reject(struct pipeline *p, enum trace_reject rej,
    const char *detail, unsigned long long lineno)
{
	struct strbuf b;

	if (p->shown >= p->show_max)
		return;
	strbuf_init(&b, 0);
	util_safe_append(&b, p->where);
	cli_error("%s:%llu: record rejected (%s): %s", b.data ? b.data : "",
	    lineno, trace_reject_name(rej), detail);
	strbuf_release(&b);
	p->shown++;
}

void
pipeline_notes_merge(struct pipeline *p, const struct pipeline_notes *n,
    unsigned long long base)
{
	size_t i;

	for (i = 0; i < n->nrejects; i++)
		pipeline_show_reject(p, n->rejects[i].rej, n->rejects[i].detail,
		    base + n->rejects[i].lineno);
	seen_log_apply(&p->left_out, &n->left_out);
}

void
pipeline_notes_show(struct pipeline *p, const struct pipeline_notes *n,
    size_t *next, size_t valid, unsigned long long base)
{
	const struct pipeline_reject *r;

	for (; *next < n->nrejects && n->rejects[*next].valid <= valid;
	    (*next)++) {
		r = &n->rejects[*next];
		pipeline_show_reject(p, r->rej, r->detail, base + r->lineno);
	}
}

void
pipeline_notes_valid(struct pipeline *p, const struct pipeline_notes *n,
    size_t i, const struct flows_log *log, size_t *left, size_t *accepted)
{
	struct trace_event ev;

	if (n->valid[i].fate == PIPELINE_LEFT_OUT) {
		flows_log_event(&n->left, (*left)++, &ev);
		seen_add(&p->left_out, &ev);
	} else if (n->valid[i].fate == PIPELINE_ACCEPTED && p->flows != NULL) {
		flows_log_event(log, (*accepted)++, &ev);
		flows_add(p->flows, &ev);
	}
}

/* Notes a valid record's time and fate in timed notes. */
static void
pipeline_note_valid(struct pipeline *p, const struct trace_event *ev,
    enum pipeline_fate fate)
{
	struct pipeline_notes *n = p->notes;

	if (n == NULL || !n->timed)
		return;
	if (n->nvalid == n->vcap) {
		n->vcap = n->vcap ? n->vcap * 2 : 256;
		n->valid = util_realloc(n->valid, n->vcap * sizeof(*n->valid));
	}
	n->valid[n->nvalid].time = ev->time;
	n->valid[n->nvalid++].fate = fate;
}

/* Notes a reject for showing after the merge. */
static void
pipeline_note_reject(struct pipeline *p, enum trace_reject rej,
    const char *detail, unsigned long long lineno)
{
	struct pipeline_notes *n = p->notes;

	if (n->nrejects >= p->show_max)
		return;
	if (n->nrejects == n->cap) {
		n->cap = n->cap ? n->cap * 2 : 8;
		n->rejects = util_realloc(n->rejects,
		    n->cap * sizeof(*n->rejects));
	}
	n->rejects[n->nrejects].lineno = lineno;
	n->rejects[n->nrejects].valid = n->nvalid;
	n->rejects[n->nrejects].rej = rej;
	n->rejects[n->nrejects++].detail = detail;
}

void
pipeline_release(struct pipeline *p)
{
	trace_parser_free(p->parser);
	agg_free(p->agg);
	seen_release(&p->left_out);
	p->parser = NULL;
	p->agg = NULL;
}

enum trace_reject
pipeline_parse(struct pipeline *p, struct trace_parser *parser,
    const char *line, size_t len, int too_long, struct trace_event *ev,
    const char **detail)
{
	p->counts.read++;
	*detail = "";
	if (too_long) {
		*detail = "longer than 16 MiB";
		return TRACE_REJ_TOO_LONG;
	}
	return trace_parse(parser, line, len, ev, detail);
}

int
pipeline_take(struct pipeline *p, enum trace_reject rej,
    const struct trace_event *ev, const char *detail,
    unsigned long long lineno)
{
	if (rej == TRACE_SKIP) {
		p->counts.skipped++;
		return 0;
	}
	if (rej != TRACE_OK) {
		p->counts.rejected++;
		p->counts.by_reason[rej]++;
		if (p->notes != NULL)
			pipeline_note_reject(p, rej, detail, lineno);
		else
			pipeline_show_reject(p, rej, detail, lineno);
		return 0;
	}
	if (ev->probe) {
		p->counts.agent_starts++;	/* no workflow: set aside */
		pipeline_note_valid(p, ev, PIPELINE_PROBE);
		return 0;
	}
	if (p->filter != NULL && !filter_match(p->filter, ev)) {
		p->counts.filtered++;
		pipeline_note_valid(p, ev, PIPELINE_LEFT_OUT);
		if (p->notes != NULL && p->notes->timed)
			flows_log_add_all(&p->notes->left, ev);
		else if (p->notes != NULL)
			seen_log_add(&p->notes->left_out, ev);
		else
			seen_add(&p->left_out, ev);
		return 0;
	}
	pipeline_note_valid(p, ev, PIPELINE_ACCEPTED);
	p->counts.accepted++;
	p->counts.by_shape[ev->shape]++;
	agg_add(p->agg, ev);
	if (p->flows != NULL)
		flows_add(p->flows, ev);
	else if (p->flows_log != NULL)
		flows_log_add(p->flows_log, ev);
	return 0;
}

int
pipeline_line(const char *line, size_t len, unsigned long long lineno,
    int too_long, void *arg)
{
	struct pipeline *p = arg;
	struct trace_event ev;
	const char *detail;
	enum trace_reject rej;

	rej = pipeline_parse(p, p->parser, line, len, too_long, &ev, &detail);
	return pipeline_take(p, rej, &ev, detail, lineno);
}

unsigned long long
pipeline_lines(struct pipeline *p, const char *data, size_t len)
{
	return source_chunk_lines(data, len, pipeline_line, p);
}

void
pipeline_merge(struct pipeline *dst, const struct pipeline *src)
{
	size_t i;

	dst->counts.read += src->counts.read;
	dst->counts.accepted += src->counts.accepted;
	dst->counts.rejected += src->counts.rejected;
	dst->counts.filtered += src->counts.filtered;
	dst->counts.skipped += src->counts.skipped;
	dst->counts.agent_starts += src->counts.agent_starts;
	for (i = 0; i < TRACE_REJ_COUNT; i++)
		dst->counts.by_reason[i] += src->counts.by_reason[i];
	for (i = 0; i < 5; i++)
		dst->counts.by_shape[i] += src->counts.by_shape[i];
	dst->shown += src->shown;
	seen_merge(&dst->left_out, &src->left_out);
	agg_merge(dst->agg, src->agg);
}

void
pipeline_reject_summary(const struct pipeline *p)
{
	struct strbuf b;
	int i;

	if (p->quiet || p->counts.rejected == 0 ||
	    p->counts.rejected <= p->shown)
		return;
	strbuf_init(&b, 0);
	for (i = 1; i < TRACE_REJ_COUNT; i++)
		if (p->counts.by_reason[i] > 0)
			strbuf_addf(&b, "%s%s %llu", b.len ? ", " : "",
			    trace_reject_name((enum trace_reject)i),
			    p->counts.by_reason[i]);
	cli_error("%llu records rejected in all (%s)", p->counts.rejected,
	    b.data);
	strbuf_release(&b);
}
