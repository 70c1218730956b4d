/* ingest_bulk.c: the _bulk items of a stretch of trace lines. */
#include "ingest_bulk.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "source_chunk.h"
#include "timeutil.h"
#include "trace.h"
#include "util.h"

void
ingest_bulk_init(struct ingest_bulk *b)
{
	memset(b, 0, sizeof(*b));
	strbuf_init(&b->body, 0);
}

void
ingest_bulk_clear(struct ingest_bulk *b)
{
	strbuf_reset(&b->body);
	b->n = b->nrejects = 0;
	b->read = b->rejected = b->skipped = 0;
}

void
ingest_bulk_release(struct ingest_bulk *b)
{
	strbuf_release(&b->body);
	free(b->starts);
	free(b->rejects);
	memset(b, 0, sizeof(*b));
}

/* Notes a rejected line while fewer than show_max are noted. */
static void
ingest_bulk_reject(struct ingest_bulk *b, unsigned long long lineno,
    const char *what, const char *detail)
{
	b->rejected++;
	if (b->nrejects >= b->o->show_max)
		return;
	if (b->nrejects == b->rcap) {
		b->rcap = b->rcap ? 2 * b->rcap : 8;
		b->rejects = util_realloc(b->rejects, b->rcap *
		    sizeof(*b->rejects));
	}
	b->rejects[b->nrejects].lineno = lineno;
	b->rejects[b->nrejects].what = what;
	b->rejects[b->nrejects].item = b->n;
	b->rejects[b->nrejects++].detail = detail;
}

/* Appends doc's index action and doc (content-derived id) as an item. */
static void
ingest_bulk_add(struct ingest_bulk *b, struct json_object *doc,
    const char *id)
{
	struct json_object *action = json_object_new_object();
	struct json_object *op = json_object_new_object();
	const int flags = JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE;

	if (b->n == b->cap) {
		b->cap = b->cap ? 2 * b->cap : 256;
		b->starts = util_realloc(b->starts, b->cap *
		    sizeof(*b->starts));
	}
	b->starts[b->n++] = b->body.len;
	json_object_object_add(op, "_index", json_object_new_string(
	    b->o->index));
	json_object_object_add(op, "_id", json_object_new_string(id));
	json_object_object_add(action, "index", op);
	strbuf_adds(&b->body, json_object_to_json_string_ext(action, flags));
	strbuf_addc(&b->body, '\n');
	strbuf_adds(&b->body, json_object_to_json_string_ext(doc, flags));
	strbuf_addc(&b->body, '\n');
	json_object_put(action);
}

int
ingest_bulk_line(const char *line, size_t len, unsigned long long lineno,
    int too_long, void *arg)
{
	struct ingest_bulk *b = arg;
	struct json_object *doc, *meta, *v;
	struct trace_event ev;
	enum trace_reject rej;
	const char *detail = "";
	char id[33], tbuf[TIME_BUF];

	b->read++;
	lineno += b->base;
	rej = too_long ? TRACE_REJ_TOO_LONG :
	    trace_parse(b->parser, line, len, &ev, &detail);
	if (rej == TRACE_SKIP) {
		b->skipped++;	/* log text, no trace in it */
		return 0;
	}
	if (rej != TRACE_OK) {
		ingest_bulk_reject(b, lineno, trace_reject_name(rej), detail);
		return 0;
	}
	doc = trace_parser_doc(b->parser);
	if (doc == NULL || !json_object_is_type(doc, json_type_object)) {
		b->rejected++;
		return 0;
	}
	util_hash128(ev.doc, ev.doc_len, id);
	meta = json_object_new_object();
	json_object_object_add(meta, "source",
	    json_object_new_string(b->source));
	json_object_object_add(meta, "line",
	    json_object_new_int64((int64_t)lineno));
	if (b->o->run_id != NULL)
		json_object_object_add(meta, "run_id",
		    json_object_new_string(b->o->run_id));
	json_object_object_add(doc, "medload", meta);
	if (!json_object_object_get_ex(doc, "@timestamp", &v))
		json_object_object_add(doc, "@timestamp",
		    json_object_new_string(time_format(ev.time, tbuf)));
	ingest_bulk_add(b, doc, id);
	return 0;
}

unsigned long long
ingest_bulk_lines(struct ingest_bulk *b, const char *data, size_t len)
{
	return source_chunk_lines(data, len, ingest_bulk_line, b);
}

size_t
ingest_bulk_item_len(const struct ingest_bulk *b, size_t i)
{
	return (i + 1 < b->n ? b->starts[i + 1] : b->body.len) - b->starts[i];
}
