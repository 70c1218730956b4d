/* test_timeutil.c: time parsing and formatting. */
#include "timeutil.h"

#include "check.h"

static void
test_parse_forms(void)
{
	double t;

	CHECK(time_parse("2023-11-14T22:13:20Z", &t) == 0);
	CHECK_NUM(t, 1700000000, 0);
	CHECK(time_parse("2023-11-14T22:13:20.5Z", &t) == 0);
	CHECK_NUM(t, 1700000000.5, 1e-6);
	/* ACA-Py str_time, before and after 1.2.0. */
	CHECK(time_parse("2023-11-14 22:13:20.250000", &t) == 0);
	CHECK_NUM(t, 1700000000.25, 1e-6);
	CHECK(time_parse("2023-11-14 22:13:20.250000+0000", &t) == 0);
	CHECK_NUM(t, 1700000000.25, 1e-6);
	CHECK(time_parse("2023-11-14 22:13:20.250000 +0000", &t) == 0);
	CHECK_NUM(t, 1700000000.25, 1e-6);
	CHECK(time_parse("2023-11-15T00:13:20+02:00", &t) == 0);
	CHECK_NUM(t, 1700000000, 0);
	CHECK(time_parse("2023-11-14T17:13:20-0500", &t) == 0);
	CHECK_NUM(t, 1700000000, 0);
	CHECK(time_parse("2024-02-29", &t) == 0);
	CHECK_NUM(t, 1709164800, 0);
	CHECK(time_parse("1969-12-31T23:59:59Z", &t) == 0);
	CHECK_NUM(t, -1, 0);
}

static void
test_parse_rejects(void)
{
	double t;

	CHECK(time_parse("2023-02-29", &t) == -1);
	CHECK(time_parse("2023-13-01", &t) == -1);
	CHECK(time_parse("2023-11-14T25:00:00Z", &t) == -1);
	CHECK(time_parse("2023-11-14T22:13:20Zjunk", &t) == -1);
	CHECK(time_parse("yesterday", &t) == -1);
	CHECK(time_parse("", &t) == -1);
	CHECK(time_parse("2023-11-14T22:13:20.Z", &t) == -1);
}

static void
test_when_and_duration(void)
{
	double t, d;

	CHECK(time_parse_when("-2h", 10000, &t) == 0);
	CHECK_NUM(t, 10000 - 7200, 0);
	CHECK(time_parse_when("-30m", 10000, &t) == 0);
	CHECK_NUM(t, 10000 - 1800, 0);
	CHECK(time_parse_when("now", 10000, &t) == 0);
	CHECK_NUM(t, 10000, 0);
	CHECK(time_parse_when("-2x", 10000, &t) == -1);
	CHECK(time_parse_duration("250ms", &d) == 0);
	CHECK_NUM(d, 0.25, 1e-12);
	CHECK(time_parse_duration("1d", &d) == 0);
	CHECK_NUM(d, 86400, 0);
	CHECK(time_parse_duration("0s", &d) == 0 && d == 0);
	CHECK(time_parse_duration("-5s", &d) == -1);
	CHECK(time_parse_duration("5 s", &d) == -1);
}

static void
test_format(void)
{
	char buf[TIME_BUF];

	CHECK_STR(time_format(1700000000.25, buf),
	    "2023-11-14T22:13:20.250000Z");
	CHECK_STR(time_format(0, buf), "1970-01-01T00:00:00.000000Z");
	CHECK_STR(time_format(1700000000.9999999, buf),
	    "2023-11-14T22:13:21.000000Z");
	/* Times from damaged answers (tests/fuzz/fuzz_es): no UB. */
	CHECK_STR(time_format(1.79597e67, buf), "1970-01-01T00:00:00.000000Z");
	CHECK_STR(time_format(-1e300, buf), "1970-01-01T00:00:00.000000Z");
	CHECK_STR(time_format(NAN, buf), "1970-01-01T00:00:00.000000Z");
	CHECK_STR(time_format(1e19, buf), "1970-01-01T00:00:00.000000Z");
}

int
main(void)
{
	RUN(test_parse_forms);
	RUN(test_parse_rejects);
	RUN(test_when_and_duration);
	RUN(test_format);
	return CHECK_EXIT();
}
