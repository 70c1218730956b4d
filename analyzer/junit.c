/* junit.c: JUnit XML from threshold results. */
#include "junit.h"

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "files.h"
#include "jx.h"
#include "util.h"

/* Length of the valid UTF-8 sequence at s, or 0. */
static size_t
junit_utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 :
	    s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
	if (n == 0 || (n == 3 && s[0] >= 0xf0))
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return util_utf8_valid((const char *)s, n) ? n : 0;
}

void
junit_escape(struct strbuf *b, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		switch (*p) {
		case '&': strbuf_adds(b, "&amp;"); p++; continue;
		case '<': strbuf_adds(b, "&lt;"); p++; continue;
		case '>': strbuf_adds(b, "&gt;"); p++; continue;
		case '"': strbuf_adds(b, "&quot;"); p++; continue;
		case '\'': strbuf_adds(b, "&apos;"); p++; continue;
		case '\t': strbuf_adds(b, "&#9;"); p++; continue;
		case '\n': strbuf_adds(b, "&#10;"); p++; continue;
		case '\r': strbuf_adds(b, "&#13;"); p++; continue;
		default: break;
		}
		if (*p < 0x20) {
			p++;
			continue;
		}
		n = junit_utf8_len(p);
		if (n == 0) {
			p++;
			continue;
		}
		/* U+FFFE and U+FFFF are not XML characters */
		if (n == 3 && p[0] == 0xef && p[1] == 0xbf &&
		    (p[2] == 0xbe || p[2] == 0xbf)) {
			p += 3;
			continue;
		}
		strbuf_add(b, p, n);
		p += n;
	}
}

/* Appends one testcase. */
static void
junit_case(struct strbuf *b, const char *suite, struct json_object *r,
    int *failures, int *skipped, int *tests)
{
	const char *expr = json_object_get_string(json_object_object_get(r,
	    "expr"));
	const char *status = json_object_get_string(json_object_object_get(r,
	    "status"));
	const char *msg = json_object_get_string(json_object_object_get(r,
	    "message"));

	(*tests)++;
	strbuf_adds(b, "    <testcase classname=\"");
	junit_escape(b, suite);
	strbuf_adds(b, "\" name=\"");
	junit_escape(b, expr ? expr : "");
	strbuf_adds(b, "\" time=\"0\"");
	if (status != NULL && strcmp(status, "fail") == 0) {
		(*failures)++;
		strbuf_adds(b, ">\n      <failure type=\"threshold\" "
		    "message=\"");
		junit_escape(b, msg ? msg : "");
		strbuf_adds(b, "\">");
		junit_escape(b, msg ? msg : "");
		strbuf_adds(b, "</failure>\n    </testcase>\n");
	} else if (status != NULL && strcmp(status, "skip") == 0) {
		(*skipped)++;
		strbuf_adds(b, ">\n      <skipped message=\"");
		junit_escape(b, msg ? msg : "");
		strbuf_adds(b, "\"/>\n    </testcase>\n");
	} else {
		strbuf_adds(b, ">\n      <system-out>");
		junit_escape(b, msg ? msg : "");
		strbuf_adds(b, "</system-out>\n    </testcase>\n");
	}
}

int
junit_write(FILE *out, const char *suite, struct json_object *block,
    struct json_object *extra)
{
	struct json_object *results = NULL;
	struct strbuf cases, head;
	int failures = 0, skipped = 0, tests = 0;
	size_t i;

	strbuf_init(&cases, 0);
	if (block != NULL)
		json_object_object_get_ex(block, "results", &results);
	for (i = 0; results != NULL && i < jx_len(results);
	    i++)
		junit_case(&cases, suite, jx_at(results, i),
		    &failures, &skipped, &tests);
	for (i = 0; extra != NULL && i < jx_len(extra); i++)
		junit_case(&cases, suite, jx_at(extra, i),
		    &failures, &skipped, &tests);
	strbuf_init(&head, 0);
	strbuf_addf(&head, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<testsuites name=\"medload\" tests=\"%d\" failures=\"%d\" "
	    "errors=\"0\" skipped=\"%d\">\n  <testsuite name=\"", tests,
	    failures, skipped);
	junit_escape(&head, suite);
	strbuf_addf(&head, "\" tests=\"%d\" failures=\"%d\" errors=\"0\" "
	    "skipped=\"%d\">\n", tests, failures, skipped);
	fputs(head.data, out);
	if (cases.len > 0)
		fputs(cases.data, out);
	fputs("  </testsuite>\n</testsuites>\n", out);
	strbuf_release(&head);
	strbuf_release(&cases);
	return ferror(out) ? -1 : 0;
}

int
junit_write_to(const char *path, enum files_kind kind, const char *suite,
    struct json_object *block, struct json_object *extra, char **cause)
{
	struct files_out o;
	int rc;

	if (files_open(&o, path, kind, cause) == -1)
		return -1;
	rc = junit_write(o.f, suite, block, extra);
	if (rc == -1)
		util_fail(cause, "%s: write error", path);
	if (files_close(&o, rc == 0, rc == 0 ? cause : NULL) == -1)
		rc = -1;
	return rc;
}

int
junit_write_file(const char *path, const char *suite,
    struct json_object *block, struct json_object *extra, char **cause)
{
	return junit_write_to(path, FILES_USER, suite, block, extra, cause);
}
