/* test_csv.c: the CSV reader: quoting, line ends, bounds, bad input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "csv.h"

/*
 * Reads every record of text, joining fields with '|' and records with
 * ';' (caller frees). With a bad input, returns "ERR " and the message.
 */
static char *
parse(const char *text, size_t max_field, size_t max_fields)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct csv *c = csv_from(f, "t.csv");
	char **fl, *cause = NULL, *buf = NULL;
	size_t n, i, len = 0;
	FILE *out = open_memstream(&buf, &len);
	int rc;

	if (max_field > 0)
		csv_limits(c, max_field, max_fields);
	while ((rc = csv_next(c, &fl, &n, &cause)) == 1) {
		for (i = 0; i < n; i++)
			fprintf(out, "%s%s", i ? "|" : "", fl[i]);
		fprintf(out, "@%llu;", csv_line(c));
	}
	if (rc == -1)
		fprintf(out, "ERR %s", cause);
	fclose(out);
	free(cause);
	csv_close(c);
	fclose(f);
	return buf;
}

/* Checks that text parses to want. */
#define PARSES(text, want) do {					\
		char *got_ = parse((text), 0, 0);			\
		CHECK_STR(got_, (want));				\
		free(got_);						\
	} while (0)

static void
test_plain(void)
{
	PARSES("a,b,c\r\n1,2,3\r\n", "a|b|c@1;1|2|3@2;");
	PARSES("a,b\n1,2\n", "a|b@1;1|2@2;");
	PARSES("", "");
	PARSES(",,\r\n", "||@1;");
	PARSES("\r\nx\r\n", "@1;x@2;");
}

static void
test_quoting(void)
{
	/* Python: csv.writer().writerow(['a,b', 'say "hi"', '', 'x']) */
	PARSES("\"a,b\",\"say \"\"hi\"\"\",,x\r\n", "a,b|say \"hi\"||x@1;");
	PARSES("\"\"\r\n", "@1;");
	PARSES("\"\"\"\"\r\n", "\"@1;");
	/* a newline inside a quoted field; the next record's line follows */
	PARSES("\"one\ntwo\",3\r\nnext\r\n", "one\ntwo|3@1;next@3;");
	PARSES("\"cr\r\nlf\"\r\n", "cr\r\nlf@1;");
}

static void
test_bad_input(void)
{
	PARSES("a,b\r\n\"open,1\r\n2,3\r\n",
	    "a|b@1;ERR t.csv:4: the file ends inside the quoted field begun "
	    "on line 2 (cut short?)");
	PARSES("a,b\r\n1,2", "a|b@1;ERR t.csv:2: the last line has no line "
	    "end (cut short?)");
	PARSES("a,b\r\n1,2,", "a|b@1;ERR t.csv:2: the last line has no line "
	    "end (cut short?)");
	PARSES("x\r\na\"b\r\n", "x@1;ERR t.csv:2: a quote inside an unquoted "
	    "field");
	PARSES("x\r\n\"ab\"c\r\n", "x@1;ERR t.csv:2: text after a closing "
	    "quote");
	PARSES("a\rb\r\n", "ERR t.csv:1: a carriage return not followed by a "
	    "line feed");
	PARSES("\"x\ny\nz\"q\r\n", "ERR t.csv:3: text after a closing quote");
}

static void
test_nul(void)
{
	static const char text[] = "ok\r\na\0b\r\n";
	FILE *f = fmemopen((void *)text, sizeof(text) - 1, "r");
	struct csv *c = csv_from(f, "nul.csv");
	char **fl, *cause = NULL;
	size_t n;

	CHECK(csv_next(c, &fl, &n, &cause) == 1);
	CHECK(csv_next(c, &fl, &n, &cause) == -1);
	CHECK_STR(cause, "nul.csv:2: a NUL byte");
	free(cause);
	csv_close(c);
	fclose(f);
}

static void
test_bounds(void)
{
	char *got = parse("abcd,e\r\n", 4, 8);

	CHECK_STR(got, "abcd|e@1;");
	free(got);
	got = parse("ok\r\nabcde,e\r\n", 4, 8);
	CHECK_STR(got, "ok@1;ERR t.csv:2: a field longer than 4 bytes");
	free(got);
	got = parse("\"abc\"\"\"\r\n\"abc\"\"d\"\r\n", 4, 8);
	CHECK_STR(got, "abc\"@1;ERR t.csv:2: a field longer than 4 bytes");
	free(got);
	got = parse("a,b,c\r\na,b,c,d\r\n", 4, 3);
	CHECK_STR(got, "a|b|c@1;ERR t.csv:2: more than 3 fields in a record");
	free(got);
}

static void
test_open_missing(void)
{
	struct csv *c = NULL;
	char *cause = NULL;

	CHECK(csv_open("/nonexistent/x_stats.csv", &c, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "/nonexistent/x_stats.csv: No "
	    "such file") == cause);
	free(cause);
	csv_close(c);
}

int
main(void)
{
	RUN(test_plain);
	RUN(test_quoting);
	RUN(test_bad_input);
	RUN(test_nul);
	RUN(test_bounds);
	RUN(test_open_missing);
	return CHECK_EXIT();
}
