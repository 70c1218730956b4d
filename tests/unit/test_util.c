/* test_util.c: buffers with caps, terminal-safe text, numbers, JSON scan. */
#include "util.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "hmap.h"
#include "http.h"
#include "jscan.h"

static void
test_strbuf_cap(void)
{
	struct strbuf b;

	strbuf_init(&b, 8);
	CHECK(strbuf_adds(&b, "12345678") == 0);
	CHECK(strbuf_addc(&b, '9') == -1);
	CHECK(b.toobig);
	CHECK(b.len == 8);
	CHECK_STR(b.data, "12345678");
	strbuf_release(&b);
}

/* strbuf_addf formats in place, grows past the first block, keeps the cap. */
static void
test_strbuf_addf(void)
{
	struct strbuf b;
	size_t i;

	strbuf_init(&b, 0);
	for (i = 0; i < 100; i++)
		CHECK(strbuf_addf(&b, "%zu,", i) == 0);
	CHECK(b.len == 290);
	CHECK(strncmp(b.data, "0,1,2,", 6) == 0);
	CHECK(strcmp(b.data + b.len - 6, "98,99,") == 0);
	strbuf_release(&b);
	strbuf_init(&b, 10);
	CHECK(strbuf_addf(&b, "%s", "abc") == 0);
	/* fits in the spare allocation but not under the cap */
	CHECK(strbuf_addf(&b, "%d", 12345678) == -1);
	CHECK(b.toobig);
	CHECK_STR(b.data, "abc");
	CHECK(strbuf_addf(&b, "%d", 1234567) == 0);
	CHECK_STR(b.data, "abc1234567");
	strbuf_release(&b);
}

/* strbuf_add_int writes every int64_t, the extremes too. */
static void
test_strbuf_add_int(void)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	strbuf_add_int(&b, 0);
	strbuf_addc(&b, ' ');
	strbuf_add_int(&b, -7);
	strbuf_addc(&b, ' ');
	strbuf_add_int(&b, 1700000000123456);
	strbuf_addc(&b, ' ');
	strbuf_add_int(&b, INT64_MIN);
	strbuf_addc(&b, ' ');
	strbuf_add_int(&b, INT64_MAX);
	CHECK_STR(b.data, "0 -7 1700000000123456 -9223372036854775808 "
	    "9223372036854775807");
	strbuf_release(&b);
}

static void
test_safe_text(void)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	util_safe_append(&b, "ok \x1b[2J\n\t\xc2\x9b \xe2\x80\xae \xff caf\xc3\xa9");
	CHECK_STR(b.data, "ok \\x1b[2J\\x0a\\x09\\x9b \\u{202e} \\xff caf\xc3\xa9");
	strbuf_release(&b);
	CHECK(util_utf8_valid("caf\xc3\xa9", 5));
	CHECK(!util_utf8_valid("\xed\xa0\x80", 3));	/* a surrogate */
	CHECK(!util_utf8_valid("\xc0\xaf", 2));		/* overlong */
}

/* Absent strings sort first, present ones as strcmp does. */
static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

/*
 * util_sort takes the empty table whose array was never allocated (a NULL
 * base, which qsort must not be given: fuzz_es found it in source_es_cells),
 * and sorts what it is given.
 */
static void
test_sort(void)
{
	int one[] = { 7 }, v[] = { 3, -1, 2, 2, 9 };

	util_sort(NULL, 0, sizeof(int), cmp_int);
	util_sort(one, 1, sizeof(int), cmp_int);
	CHECK(one[0] == 7);
	util_sort(v, 5, sizeof(int), cmp_int);
	CHECK(v[0] == -1 && v[1] == 2 && v[2] == 2 && v[3] == 3 && v[4] == 9);
}

static void
test_strcmp_null(void)
{
	CHECK(util_strcmp_null(NULL, NULL) == 0);
	CHECK(util_strcmp_null(NULL, "") < 0);
	CHECK(util_strcmp_null("", NULL) > 0);
	CHECK(util_strcmp_null("a", "b") < 0);
	CHECK(util_strcmp_null("b", "a") > 0);
	CHECK(util_strcmp_null("a", "a") == 0);
}

static void
test_numbers(void)
{
	char buf[32];
	double d;
	unsigned long long u;

	CHECK_STR(util_num(12, buf), "12");
	CHECK_STR(util_num(12.5, buf), "12.5");
	CHECK_STR(util_num(0.1 + 0.2, buf), "0.3");
	CHECK(util_parse_double("1e3", &d) == 0 && d == 1000);
	CHECK(util_parse_double("inf", &d) == -1);
	CHECK(util_parse_double("12x", &d) == -1);
	CHECK(util_parse_uint("42", 100, &u) == 0 && u == 42);
	CHECK(util_parse_uint("-1", 100, &u) == -1);
	CHECK(util_parse_uint("101", 100, &u) == -1);
}

static void
test_hash_deterministic(void)
{
	char a[33], b[33], c[33];

	util_hash128("event", 5, a);
	util_hash128("event", 5, b);
	util_hash128("evenu", 5, c);
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	CHECK(strlen(a) == 32);
}

/* Collects array items' texts. */
static int
collect(const char *item, size_t n, void *arg)
{
	struct strbuf *b = arg;

	strbuf_add(b, item, n);
	strbuf_addc(b, '|');
	return 0;
}

static void
test_jscan(void)
{
	struct jscan_member m[4];
	enum jscan_type t;
	struct strbuf b;
	const char *err;
	size_t end, n;

	CHECK(jscan_value(" {\"a\": [1, {\"b\": null}], \"c\": \"x\\u00e9\"} ",
	    41, &t, &end, m, 4, &n, &err) == 0);
	CHECK(t == JSCAN_OBJECT && n == 2);
	CHECK(m[0].type == JSCAN_ARRAY && m[1].type == JSCAN_STRING);
	CHECK(m[1].escaped);
	strbuf_init(&b, 0);
	jscan_unescape(m[1].val, m[1].vlen, &b);
	CHECK_STR(b.data, "x\xc3\xa9");
	strbuf_reset(&b);
	CHECK(jscan_array_each("[1, \"a\", {\"k\": [2]}]", 20, collect, &b,
	    &err) == 0);
	CHECK_STR(b.data, "1|\"a\"|{\"k\": [2]}|");
	strbuf_release(&b);
	CHECK(jscan_value("{\"a\":1", 6, &t, &end, NULL, 0, NULL, &err) == -1);
	CHECK(jscan_value("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	    "[[[[[[[[[[[[[[[1]", 72, &t, &end, NULL, 0, NULL, &err) == -1);
	CHECK(err != NULL && strstr(err, "deep") != NULL);
}

/* A secret's file named on the command line beats the environment. */
static void
test_secret_precedence(void)
{
	char path[] = "/tmp/medload-secret-XXXXXX", *cause = NULL, *v;
	int fd = mkstemp(path);

	CHECK(fd != -1 && write(fd, "from-file\n", 10) == 10);
	close(fd);
	setenv("MEDLOAD_TEST_SECRET", "from-env", 1);
	v = http_read_secret("MEDLOAD_TEST_SECRET", path, &cause);
	CHECK_STR(v, "from-file");
	free(v);
	v = http_read_secret("MEDLOAD_TEST_SECRET", NULL, &cause);
	CHECK_STR(v, "from-env");
	free(v);
	unsetenv("MEDLOAD_TEST_SECRET");
	CHECK(http_read_secret("MEDLOAD_TEST_SECRET", NULL, &cause) == NULL);
	unlink(path);
	free(cause);
}

/*
 * hmap_del: random puts and deletes against a plain array; every key
 * still present is found after each step (backward shift keeps runs whole).
 */
static void
test_hmap_del(void)
{
	enum { N = 600 };
	static intptr_t ref[N];
	struct hmap *m = hmap_new();
	unsigned long long s = 12345;
	char key[16];
	size_t step, i, live = 0;
	intptr_t v;

	memset(ref, 0, sizeof(ref));
	for (step = 0; step < 20000; step++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		i = (size_t)(s >> 33) % N;
		snprintf(key, sizeof(key), "k%zu", i);
		if (ref[i] == 0) {
			ref[i] = (intptr_t)step + 1;
			CHECK(hmap_put(m, key, strlen(key), (void *)ref[i]) ==
			    NULL);
			live++;
		} else {
			v = (intptr_t)hmap_del(m, key, strlen(key));
			CHECK(v == ref[i]);
			ref[i] = 0;
			live--;
		}
		if (step % 997 != 0)
			continue;
		for (i = 0; i < N; i++) {
			snprintf(key, sizeof(key), "k%zu", i);
			CHECK((intptr_t)hmap_get(m, key, strlen(key)) ==
			    ref[i]);
		}
	}
	CHECK(hmap_size(m) == live);
	CHECK(hmap_del(m, "absent", 6) == NULL);
	hmap_free(m, NULL);
}

int
main(void)
{
	RUN(test_strbuf_cap);
	RUN(test_strbuf_addf);
	RUN(test_strbuf_add_int);
	RUN(test_safe_text);
	RUN(test_numbers);
	RUN(test_strcmp_null);
	RUN(test_sort);
	RUN(test_hash_deterministic);
	RUN(test_jscan);
	RUN(test_secret_precedence);
	RUN(test_hmap_del);
	return CHECK_EXIT();
}
