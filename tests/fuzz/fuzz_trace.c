/*
 * fuzz_trace.c: trace records of every shape (event object, Logstash
 * document, search hit, log line with JSON after text) through
 * trace_parse, one record a line as the sources hand them. Oracles: an
 * accepted event has a finite elapsed time within the documented bounds,
 * its strings lie NUL-terminated in the parser, its object lies within the
 * line, and trace_parser_doc builds that object (it is NULL only after a
 * failed parse); a rejection names its reason.
 */
#include "fuzzlib.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

static struct trace_parser *fuzz_trace_parser;

/* Checks what trace_parse said about one record. */
static void
fuzz_trace_check(const char *line, size_t len, enum trace_reject r,
    const struct trace_event *ev, const char *detail)
{
	if (r == TRACE_SKIP)
		return;
	if (r != TRACE_OK) {
		if (r >= TRACE_REJ_COUNT || strcmp(trace_reject_name(r),
		    "unknown") == 0 || detail == NULL)
			fuzzlib_fail("a rejection without its reason", NULL);
		if (trace_parser_doc(fuzz_trace_parser) != NULL)
			fuzzlib_fail("a document after a rejection", NULL);
		return;
	}
	if (!(ev->elapsed_ms >= 0 && ev->elapsed_ms <= TRACE_ELAPSED_MAX) ||
	    !isfinite(ev->time) || ev->time > TRACE_TIME_MAX)
		fuzzlib_fail("an accepted event out of bounds", NULL);
	if (ev->doc < line || ev->doc_len > len ||
	    (size_t)(ev->doc - line) > len - ev->doc_len)
		fuzzlib_fail("the event's object outside its line", NULL);
	if (ev->label != NULL)
		(void)strlen(ev->label);
	if (ev->outcome != NULL)
		(void)strlen(ev->outcome);
	if (ev->traced_type != NULL && ev->msg_id != NULL &&
	    ev->thread_id != NULL && ev->handler != NULL)
		(void)(strlen(ev->traced_type) + strlen(ev->msg_id) +
		    strlen(ev->thread_id) + strlen(ev->handler));
	(void)trace_shape_name(ev->shape);
	if (trace_parser_doc(fuzz_trace_parser) == NULL)
		fuzzlib_fail("json-c refuses an accepted event", NULL);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzzlib_cstr(data, size), *p = text, *nl, *line;
	struct trace_event ev;
	const char *detail;
	enum trace_reject r;
	double d;
	size_t len;

	if (fuzz_trace_parser == NULL)
		fuzz_trace_parser = trace_parser_new();
	for (;;) {
		nl = memchr(p, '\n', size - (size_t)(p - text));
		len = nl ? (size_t)(nl - p) : size - (size_t)(p - text);
		/* A copy of exactly len bytes: a read past it is caught. */
		line = malloc(len ? len : 1);
		memcpy(line, p, len);

		detail = NULL;
		r = trace_parse(fuzz_trace_parser, line, len, &ev, &detail);
		fuzz_trace_check(line, len, r, &ev, detail);
		free(line);
		if (trace_parse_decimal(p, &d) == 0 && isnan(d))
			fuzzlib_fail("a decimal that is not a number", p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	free(text);
	return 0;
}
