/* test_ingest_bulk.c: the _bulk items of a stretch of trace lines. */
#include "ingest_bulk.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"
#include "ring.h"
#include "trace.h"

#define EV(id, ms) "{\"msg_id\":\"" id "\",\"timestamp\":1795939000.5," \
	"\"handler\":\"mediator.trace\",\"outcome\":\"x.END\"," \
	"\"ellapsed_milli\":" ms "}"

/* Item i of b parsed back: its action and document (caller puts both). */
static void
item(const struct ingest_bulk *b, size_t i, struct json_object **action,
    struct json_object **doc)
{
	char *s = strndup(b->body.data + b->starts[i],
	    ingest_bulk_item_len(b, i));
	char *nl = strchr(s, '\n');

	*nl = '\0';
	*action = json_tokener_parse(s);
	*doc = json_tokener_parse(nl + 1);
	CHECK(nl[strlen(nl + 1)] == '\n');	/* the item ends a line */
	free(s);
}

/* Lines numbered from the base; rejects noted where they came. */
static void
test_lines(void)
{
	static const char data[] = EV("a", "5") "\r\n"
	    "\n"
	    "{\"msg_id\":\n"
	    "plain log text\n"
	    EV("b", "7") "\n"
	    "{\"msg_id\":\"x\",\"handler\":\"h\"}\n"
	    EV("c", "9");
	struct ingest_bulk_opts o = { "idx", "run-1", 1 };
	struct ingest_bulk b;
	struct json_object *a, *d;
	unsigned long long n;

	ingest_bulk_init(&b);
	b.o = &o;
	b.parser = trace_parser_new();
	b.source = "f.ndjson";
	b.base = 100;
	n = ingest_bulk_lines(&b, data, sizeof(data) - 1);
	CHECK(n == 7);
	CHECK(b.n == 3 && b.read == 6 && b.skipped == 1 && b.rejected == 2);
	/* show_max 1: the first reject only, after one item, line 103 */
	CHECK(b.nrejects == 1 && b.rejects[0].lineno == 103 &&
	    b.rejects[0].item == 1);
	CHECK_STR(b.rejects[0].what, "invalid_json");
	item(&b, 1, &a, &d);
	CHECK_STR(jx_str(jx_get(a, "index._index"), ""), "idx");
	CHECK(strlen(jx_str(jx_get(a, "index._id"), "")) == 32);
	CHECK_STR(jx_str(jx_get(d, "msg_id"), ""), "b");
	CHECK_STR(jx_str(jx_get(d, "medload.source"), ""), "f.ndjson");
	CHECK_STR(jx_str(jx_get(d, "medload.run_id"), ""), "run-1");
	CHECK(jx_int(d, "medload.line", 0) == 105);
	CHECK(jx_get(d, "@timestamp") != NULL);
	json_object_put(a);
	json_object_put(d);
	item(&b, 2, &a, &d);
	CHECK(jx_int(d, "medload.line", 0) == 107);	/* no final newline */
	json_object_put(a);
	json_object_put(d);
	ingest_bulk_clear(&b);
	CHECK(b.n == 0 && b.body.len == 0 && b.read == 0 && b.nrejects == 0);
	CHECK(ingest_bulk_line("", 0, 1, 1, &b) == 0);	/* too long */
	CHECK(b.rejected == 1 && b.rejects[0].lineno == 101);
	CHECK_STR(b.rejects[0].what, "line_too_long");
	trace_parser_free(b.parser);
	ingest_bulk_release(&b);
}

/* The same event gives the same id, another event another one. */
static void
test_ids(void)
{
	static const char data[] = EV("a", "5") "\n" EV("a", "5") "\n"
	    EV("a", "6") "\n";
	struct ingest_bulk_opts o = { "idx", NULL, 5 };
	struct ingest_bulk b;
	struct json_object *a[3], *d[3];
	int i;

	ingest_bulk_init(&b);
	b.o = &o;
	b.parser = trace_parser_new();
	b.source = "g";
	ingest_bulk_lines(&b, data, sizeof(data) - 1);
	CHECK(b.n == 3);
	for (i = 0; i < 3; i++)
		item(&b, (size_t)i, &a[i], &d[i]);
	CHECK_STR(jx_str(jx_get(a[0], "index._id"), "0"),
	    jx_str(jx_get(a[1], "index._id"), "1"));
	CHECK(strcmp(jx_str(jx_get(a[0], "index._id"), "0"),
	    jx_str(jx_get(a[2], "index._id"), "2")) != 0);
	CHECK(jx_get(d[0], "medload.run_id") == NULL);
	CHECK(jx_int(d[1], "medload.line", 0) == 2);
	for (i = 0; i < 3; i++) {
		json_object_put(a[i]);
		json_object_put(d[i]);
	}
	trace_parser_free(b.parser);
	ingest_bulk_release(&b);
}

/* The ring hands its items out in order, wrapping, and ends closing. */
static void
test_ring(void)
{
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
	struct ring r;
	int closing = 0;
	size_t v, i, got = 0;

	ring_init(&r, 3);
	pthread_mutex_lock(&lock);
	for (i = 0; i < 10; i++) {
		ring_push(&r, i);
		if (i % 2 == 1) {
			CHECK(ring_wait(&r, &cond, &lock, &closing, &v) &&
			    v == got++);
			CHECK(ring_wait(&r, &cond, &lock, &closing, &v) &&
			    v == got++);
		}
	}
	closing = 1;
	CHECK(ring_wait(&r, &cond, &lock, &closing, &v) == 0);
	pthread_mutex_unlock(&lock);
	CHECK(got == 10);
	ring_release(&r);
}

int
main(void)
{
	RUN(test_lines);
	RUN(test_ids);
	RUN(test_ring);
	return CHECK_EXIT();
}
