/*
 * ingest_bulk.h: the _bulk items of a stretch of trace lines, for
 * `medload ingest`: each valid event becomes an index action and its
 * document (the event's fields, plus medload.source, medload.line,
 * medload.run_id and @timestamp when it has none), its _id derived from
 * the event's content; the lines rejected are counted and the first few
 * noted with their reasons, to be shown in input order.
 */
#ifndef MEDLOAD_INGEST_BULK_H
#define MEDLOAD_INGEST_BULK_H

#include <stddef.h>

#include "strbuf.h"

struct trace_parser;

/* What every document of a load carries. */
struct ingest_bulk_opts {
	const char *index;		/* borrowed */
	const char *run_id;		/* borrowed; NULL: none */
	unsigned long long show_max;	/* rejects noted at most */
};

/* A line rejected, noted for showing. */
struct ingest_bulk_reject {
	unsigned long long lineno;	/* within its input */
	const char *what;		/* static: the reason's name */
	const char *detail;		/* static */
	size_t item;			/* items of the stretch before it */
};

/*
 * The items of a stretch: body holds n actions with their documents,
 * item i from starts[i]. Set o, parser, source and base before adding
 * lines; ingest_bulk_clear forgets the items, keeping the memory.
 */
struct ingest_bulk {
	const struct ingest_bulk_opts *o;	/* borrowed */
	struct trace_parser *parser;		/* borrowed */
	const char *source;	/* medload.source (borrowed) */
	unsigned long long base;	/* lines of the input before it */
	struct strbuf body;
	size_t *starts;
	size_t n, cap;
	unsigned long long read, rejected, skipped;
	struct ingest_bulk_reject *rejects;
	size_t nrejects, rcap;
};

/* Sets b up empty. */
void ingest_bulk_init(struct ingest_bulk *b);

/* Forgets b's items, counts and rejects, keeping its memory. */
void ingest_bulk_clear(struct ingest_bulk *b);

/* Frees what b holds. */
void ingest_bulk_release(struct ingest_bulk *b);

/*
 * Adds one record (a source_line_fn; arg is the ingest_bulk, lineno
 * within the stretch, too_long: a line over SOURCE_LINE_MAX). Returns 0.
 */
int ingest_bulk_line(const char *line, size_t len, unsigned long long lineno,
    int too_long, void *arg);

/*
 * Adds the records of data (len bytes of whole lines, as a chunk holds
 * them). Returns the number of lines (blank ones counted).
 */
unsigned long long ingest_bulk_lines(struct ingest_bulk *b, const char *data,
    size_t len);

/* The size of item i of b in bytes (its action and document). */
size_t ingest_bulk_item_len(const struct ingest_bulk *b, size_t i);

#endif
