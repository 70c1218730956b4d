/* test_history.c: the nightly history file and trend view. */
#include "history.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"

static const char analysis[] =
    "{\"schema\":\"medload.analysis/1\",\"by\":[\"label\",\"handler\","
    "\"outcome\"],\"events\":{\"accepted\":110},\"groups\":["
    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"A.START\"},"
    "\"count\":50,\"mean\":0,\"rate\":5,\"percentiles\":{\"p50\":0,"
    "\"p95\":0,\"p99\":0}},"
    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"A.END\"},"
    "\"count\":50,\"mean\":30,\"rate\":5,\"percentiles\":{\"p50\":25,"
    "\"p95\":70,\"p99\":90}},"
    "{\"key\":{\"label\":\"m\",\"handler\":\"m\",\"outcome\":\"x.error\"},"
    "\"count\":10,\"mean\":1,\"rate\":1,\"percentiles\":{\"p50\":1,"
    "\"p95\":1,\"p99\":1}}]}";

/* Builds a night at time t with verdict pass. */
static struct json_object *
night(double t, int pass)
{
	struct json_object *a = json_tokener_parse(analysis), *n;
	struct history_input in;

	memset(&in, 0, sizeof(in));
	in.analysis = a;
	in.analysis_path = "/x/analysis.json";
	in.when = t;
	in.pass = pass;
	n = history_night(&in);
	json_object_put(a);
	return n;
}

static void
test_night_summary(void)
{
	struct json_object *n = night(0, 1), *l;

	l = json_object_array_get_idx(json_object_object_get(n, "labels"), 0);
	CHECK_STR(json_object_get_string(json_object_object_get(l, "label")),
	    "m");
	/* the heaviest group gives the latency */
	CHECK_NUM(json_object_get_double(json_object_object_get(l, "p95")),
	    70, 0);
	/* errors among the events less the START ones (50 + 10) */
	CHECK_NUM(json_object_get_double(json_object_object_get(l,
	    "error_share")), 10.0 / 60, 1e-9);
	CHECK_NUM(json_object_get_double(json_object_object_get(l, "rate")),
	    11, 1e-9);
	json_object_put(n);
}

static void
test_file_corrupt_line(void)
{
	char path[] = "/tmp/medload-hist-XXXXXX", *cause = NULL;
	int fd = mkstemp(path);
	struct json_object *n, *nights = NULL, *warn = json_object_new_array();
	FILE *f;

	close(fd);
	n = night(86400, 1);
	CHECK(history_file_append(path, n, &cause) == 0);
	json_object_put(n);
	/* a crash mid-line, then a corrupt line */
	f = fopen(path, "a");
	fputs("{\"schema\":\"medload.night/1\",\"ti", f);
	fclose(f);
	n = night(2 * 86400, 0);
	CHECK(history_file_append(path, n, &cause) == 0);
	json_object_put(n);
	f = fopen(path, "a");
	fputs("[1,2]\n", f);
	fclose(f);
	n = night(3 * 86400, 1);
	CHECK(history_file_append(path, n, &cause) == 0);
	json_object_put(n);
	CHECK(history_file_read(path, &nights, warn, &cause) == 0);
	CHECK(json_object_array_length(nights) == 3);
	CHECK(json_object_array_length(warn) == 2);
	if (json_object_array_length(warn) == 2) {
		CHECK(strstr(json_object_get_string(json_object_array_get_idx(
		    warn, 0)), ":2: not JSON") != NULL);
		CHECK(strstr(json_object_get_string(json_object_array_get_idx(
		    warn, 1)), ":4: not a night record") != NULL);
	}
	/* the last passing night is the newest passing one */
	n = history_last_passing(nights);
	CHECK(n != NULL);
	if (n != NULL)
		CHECK_STR(json_object_get_string(json_object_object_get(n,
		    "time")), "1970-01-04T00:00:00.000000Z");
	json_object_put(nights);
	json_object_put(warn);
	unlink(path);
	/* a missing file is an empty history */
	CHECK(history_file_read(path, &nights, NULL, &cause) == 0);
	CHECK(json_object_array_length(nights) == 0);
	json_object_put(nights);
	free(cause);
}

static void
test_trend(void)
{
	struct json_object *nights = json_object_new_array(), *t, *l, *pts;
	int i;

	for (i = 0; i < 5; i++)
		json_object_array_add(nights, night(i * 86400.0, 1));
	t = history_trend(nights, 3);
	CHECK(json_object_array_length(json_object_object_get(t, "nights"))
	    == 3);
	l = json_object_array_get_idx(json_object_object_get(t, "labels"), 0);
	pts = json_object_object_get(l, "points");
	CHECK(json_object_array_length(pts) == 3);
	CHECK_STR(json_object_get_string(json_object_object_get(
	    json_object_array_get_idx(pts, 0), "time")),
	    "1970-01-03T00:00:00.000000Z");
	json_object_put(t);
	json_object_put(nights);
}

int
main(void)
{
	RUN(test_night_summary);
	RUN(test_file_corrupt_line);
	RUN(test_trend);
	return CHECK_EXIT();
}
