/*
 * fuzz_tmpl.c: report templates (core/tmpl.c), which users may override
 * with --templates: the template text, then FUZZLIB_SEP and the JSON
 * document it is rendered over (the built-in analysis sample when
 * absent). The first byte picks the escaping (text, Markdown, HTML,
 * gnuplot). Oracles: a refusal says why; what an HTML template inserts
 * from the document never opens a tag; a gnuplot template's inserted
 * strings never end their quotes.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "strbuf.h"
#include "tmpl.h"

/* A document like the analysis the templates are rendered over. */
static const char fuzz_tmpl_doc[] =
    "{\"schema\":\"medload.analysis/1\",\"title\":\"<b>'x'</b> & |y|\","
    "\"events\":{\"read\":276,\"accepted\":120},\"n\":-0.5,"
    "\"groups\":[{\"key\":{\"label\":\"mediator.trace\",\"outcome\":null},"
    "\"count\":60,\"percentiles\":{\"p50\":4,\"p99.9\":59.5}},"
    "{\"key\":{\"label\":\"a\\nb\\u202e\"},\"count\":0,\"rate\":1e300}],"
    "\"ok\":true,\"none\":[],\"w\":12}";

/* Whether an escaped string can break out of where it is inserted. */
static int
fuzz_tmpl_breaks(enum tmpl_escape esc, const char *e)
{
	for (; *e != '\0'; e++) {
		if ((unsigned char)*e < 0x20 || *e == 0x7f)
			return 1;	/* controls are made visible */
		if (esc == TMPL_HTML && strchr("<>\"'", *e) != NULL)
			return 1;
		if (esc != TMPL_GNUPLOT)
			continue;
		/* Inside "...": no quote, backtick or @; \ only as octal. */
		if (*e == '"' || *e == '`' || *e == '@')
			return 1;
		if (*e == '\\') {
			if (strspn(e + 1, "01234567") < 3)
				return 1;
			e += 3;
		}
	}
	return 0;
}

/* Checks the escaping of one string the way the template would. */
static void
fuzz_tmpl_escape(enum tmpl_escape esc, const char *s)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	tmpl_escape(esc, s, &b);
	if (b.data != NULL && fuzz_tmpl_breaks(esc, b.data))
		fuzzlib_fail("an escaped string breaks out", b.data);
	strbuf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *part, *rest;
	size_t len, rlen;
	struct json_object *doc;
	enum tmpl_escape esc;
	struct tmpl *t = NULL;
	struct strbuf out;
	char *text, *dtext, *cause = NULL;

	if (size < 1)
		return 0;
	esc = (enum tmpl_escape)(data[0] & 3);
	rest = data + 1;
	rlen = size - 1;
	fuzzlib_next(&rest, &rlen, &part, &len);
	text = fuzzlib_cstr(part, len);
	dtext = rest != NULL ? fuzzlib_cstr(rest, rlen) : NULL;
	doc = json_tokener_parse(dtext != NULL ? dtext : fuzz_tmpl_doc);
	free(dtext);
	if (doc == NULL)
		doc = json_tokener_parse(fuzz_tmpl_doc);
	if (tmpl_parse("fuzz", text, esc, &t, &cause) == 0) {
		strbuf_init(&out, 1 << 20);
		if (tmpl_render(t, doc, &out, &cause) == -1 && cause == NULL)
			fuzzlib_fail("a render refused without a reason", text);
		strbuf_release(&out);
	} else if (cause == NULL)
		fuzzlib_fail("a template refused without a reason", text);
	fuzz_tmpl_escape(esc, text);
	tmpl_free(t);
	json_object_put(doc);
	free(cause);
	free(text);
	return 0;
}
