/* test_tmpl.c: the template language and its escaping. */
#include "tmpl.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "check.h"
#include "util.h"

/* Renders template text over a JSON document; returns a new string. */
static char *
render(const char *text, const char *json, enum tmpl_escape esc)
{
	struct json_object *doc = json_tokener_parse(json);
	struct tmpl *t;
	struct strbuf b;
	char *cause = NULL;

	if (tmpl_parse("t", text, esc, &t, &cause) == -1) {
		fprintf(stderr, "parse: %s\n", cause);
		free(cause);
		json_object_put(doc);
		return NULL;
	}
	strbuf_init(&b, 0);
	if (tmpl_render(t, doc, &b, &cause) == -1) {
		/* Expected by some checks: the caller looks at NULL. */
		free(cause);
		strbuf_release(&b);
		tmpl_free(t);
		json_object_put(doc);
		return NULL;
	}
	tmpl_free(t);
	json_object_put(doc);
	return strbuf_detach(&b);
}

#define CHECK_RENDER(text, json, esc, want)			\
	do {							\
		char *got_ = render(text, json, esc);		\
		CHECK_STR(got_, want);				\
		free(got_);					\
	} while (0)

static void
test_values_and_paths(void)
{
	CHECK_RENDER("a={{a}} b={{x.y}} p={{p.p99.9}}",
	    "{\"a\":1,\"x\":{\"y\":\"z\"},\"p\":{\"p99\":1,\"p99.9\":2}}",
	    TMPL_TEXT, "a=1 b=z p=2");
	CHECK_RENDER("[{{missing}}]", "{}", TMPL_TEXT, "[]");
	CHECK_RENDER("{{n}}", "{\"n\":12.5}", TMPL_TEXT, "12.5");
}

static void
test_sections(void)
{
	CHECK_RENDER("{{#xs}}<{{.}}>{{/xs}}", "{\"xs\":[1,2,3]}", TMPL_TEXT,
	    "<1><2><3>");
	CHECK_RENDER("{{#xs}}{{n}}{{top}}{{/xs}}",
	    "{\"top\":\"T\",\"xs\":[{\"n\":1},{\"n\":2}]}", TMPL_TEXT, "1T2T");
	CHECK_RENDER("{{^xs}}none{{/xs}}", "{\"xs\":[]}", TMPL_TEXT, "none");
	CHECK_RENDER("{{#f}}yes{{/f}}{{^f}}no{{/f}}", "{\"f\":false}",
	    TMPL_TEXT, "no");
	CHECK_RENDER("{{%o}}{{@key}}={{.}};{{/o}}", "{\"o\":{\"a\":1,\"b\":2}}",
	    TMPL_TEXT, "a=1;b=2;");
	/* Standalone section lines vanish with their newline. */
	CHECK_RENDER("x\n{{#xs}}\n- {{.}}\n{{/xs}}\ny\n", "{\"xs\":[1,2]}",
	    TMPL_TEXT, "x\n- 1\n- 2\ny\n");
	CHECK_RENDER("{{! comment }}\nz", "{}", TMPL_TEXT, "z");
}

static void
test_formats(void)
{
	CHECK_RENDER("[{{s|%-5s}}][{{s|%5s}}][{{s|%.2s}}]", "{\"s\":\"abc\"}",
	    TMPL_TEXT, "[abc  ][  abc][ab]");
	CHECK_RENDER("[{{n|%6.2f}}][{{n|%d}}][{{n|%g}}]", "{\"n\":3.14159}",
	    TMPL_TEXT, "[  3.14][3][3.14159]");
	CHECK_RENDER("[{{s|%-{w}s}}]", "{\"s\":\"ab\",\"w\":4}", TMPL_TEXT,
	    "[ab  ]");
	/* Width counts characters, not bytes. */
	CHECK_RENDER("[{{s|%-4s}}]", "{\"s\":\"\xc3\xa9t\xc3\xa9\"}", TMPL_TEXT,
	    "[\xc3\xa9t\xc3\xa9 ]");
	CHECK(render("{{s|%d}}", "{\"s\":\"abc\"}", TMPL_TEXT) == NULL);
}

static void
test_parse_errors(void)
{
	struct tmpl *t;
	char *cause = NULL;

	CHECK(tmpl_parse("t", "a\n{{#x}}", TMPL_TEXT, &t, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "t:2:") != NULL);
	CHECK(tmpl_parse("t", "{{#x}}{{/y}}", TMPL_TEXT, &t, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "closes no open") != NULL);
	CHECK(tmpl_parse("t", "{{a|%n}}", TMPL_TEXT, &t, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "bad format") != NULL);
	CHECK(tmpl_parse("t", "{{a|%s%s}}", TMPL_TEXT, &t, &cause) == -1);
	CHECK(tmpl_parse("t", "{{a", TMPL_TEXT, &t, &cause) == -1);
	free(cause);
}

static void
test_escaping(void)
{
	const char *hostile = "{\"s\":\"<script>alert('x')</script>|`ls`\\n"
	    "@x\\u001b[2J\\u202e\"}";

	CHECK_RENDER("{{s}}", hostile, TMPL_HTML,
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;|`ls`\\x0a@x"
	    "\\x1b[2J\\u{202e}");
	CHECK_RENDER("{{s}}", hostile, TMPL_TEXT,
	    "<script>alert('x')</script>|`ls`\\x0a@x\\x1b[2J\\u{202e}");
	CHECK_RENDER("{{s}}", "{\"s\":\"a|b*c_d`e<f\"}", TMPL_MARKDOWN,
	    "a\\|b\\*c\\_d\\`e\\<f");
	CHECK_RENDER("\"{{s}}\"", "{\"s\":\"it's `x` @y \\\"1\\\\2\"}",
	    TMPL_GNUPLOT, "\"it's \\140x\\140 \\100y \\00421\\1342\"");
	CHECK_RENDER("\"{{s}}\"", "{\"s\":\"'a''b\\nc\"}", TMPL_GNUPLOT,
	    "\"'a''b\\134x0ac\"");
}

int
main(void)
{
	RUN(test_values_and_paths);
	RUN(test_sections);
	RUN(test_formats);
	RUN(test_parse_errors);
	RUN(test_escaping);
	return CHECK_EXIT();
}
