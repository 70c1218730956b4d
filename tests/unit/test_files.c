/* test_files.c: outputs written safely, folders, documents loaded whole. */
#include "files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "check.h"
#include "jx.h"
#include "util.h"

static char test_dir[] = "/tmp/medload-test-files.XXXXXX";

/* A path in the test folder (caller frees). */
static char *
test_path(const char *name)
{
	return util_printf("%s/%s", test_dir, name);
}

/* The contents of a file (caller frees), or NULL. */
static char *
test_slurp(const char *path)
{
	char *cause = NULL, *s;
	size_t len;

	s = files_read(path, 1 << 20, &len, &cause);
	free(cause);
	return s;
}

/* A planted link under a name medload chose is replaced, not followed. */
static void
test_own_replaces_link(void)
{
	char *victim = test_path("victim"), *name = test_path("chart.gp");
	char *cause = NULL, *got;
	struct stat st;

	CHECK(files_write(victim, FILES_OWN, "secret\n", 7, &cause) == 0);
	CHECK(symlink(victim, name) == 0);
	CHECK(files_write(name, FILES_OWN, "plot\n", 5, &cause) == 0);
	got = test_slurp(victim);
	CHECK_STR(got, "secret\n");
	free(got);
	CHECK(lstat(name, &st) == 0 && S_ISREG(st.st_mode));
	got = test_slurp(name);
	CHECK_STR(got, "plot\n");
	free(got);
	free(victim);
	free(name);
	free(cause);
}

/* -o given a link writes through it; a device is written in place. */
static void
test_user_paths(void)
{
	char *target = test_path("target"), *link = test_path("link");
	char *cause = NULL, *got;
	struct stat st, before;

	CHECK(files_write(target, FILES_USER, "old", 3, &cause) == 0);
	CHECK(chmod(target, 0640) == 0);
	CHECK(symlink(target, link) == 0);
	CHECK(files_write(link, FILES_USER, "new", 3, &cause) == 0);
	CHECK(lstat(link, &st) == 0 && S_ISLNK(st.st_mode));
	got = test_slurp(target);
	CHECK_STR(got, "new");
	free(got);
	CHECK(stat(target, &st) == 0 && (st.st_mode & 07777) == 0640);
	CHECK(stat("/dev/null", &before) == 0);
	CHECK(files_write("/dev/null", FILES_USER, "x", 1, &cause) == 0);
	CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode) &&
	    st.st_ino == before.st_ino);
	CHECK(files_write(test_dir, FILES_USER, "x", 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "is a folder") != NULL);
	free(target);
	free(link);
	free(cause);
}

/* A failed output leaves what was there and no temporary behind. */
static void
test_failed_output_keeps_old(void)
{
	char *path = test_path("keep"), *cause = NULL, *got;
	struct files_out o;

	CHECK(files_write(path, FILES_USER, "v1", 2, &cause) == 0);
	CHECK(files_open(&o, path, FILES_USER, &cause) == 0);
	fputs("half", o.f);
	CHECK(files_close(&o, 0, &cause) == 0);
	got = test_slurp(path);
	CHECK_STR(got, "v1");
	free(got);
	{
		char *cmd = util_printf("test $(ls -A %s | grep -c tmp) -eq 0",
		    test_dir);

		CHECK(system(cmd) == 0);
		free(cmd);
	}
	free(path);
	free(cause);
}

static void
test_mkdirs_and_check(void)
{
	char *deep = test_path("a/b//c"), *file = test_path("victim");
	char *blocked = test_path("victim/x"), *open_dir = test_path("open");
	char *cause = NULL;
	struct stat st;

	CHECK(files_mkdirs(deep, &cause) == 0);
	CHECK(stat(deep, &st) == 0 && S_ISDIR(st.st_mode));
	CHECK(files_mkdirs(deep, &cause) == 0);
	CHECK(files_mkdirs(blocked, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "victim") != NULL);
	CHECK(files_mkdirs(open_dir, &cause) == 0);
	CHECK(chmod(open_dir, 0777) == 0);
	CHECK(files_check_dir(open_dir, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "every user may write") != NULL);
	CHECK(chmod(open_dir, 01777) == 0);
	CHECK(files_check_dir(open_dir, &cause) == 0);
	CHECK(files_check_dir(deep, &cause) == 0);
	free(deep);
	free(file);
	free(blocked);
	free(open_dir);
	free(cause);
}

static void
test_jx_load(void)
{
	char *p = test_path("doc.json"), *cause = NULL;
	struct json_object *doc;
	const char *good = "{\"schema\":\"medload.analysis/1\",\"events\":"
	    "{\"accepted\":7}}\n";
	const char *wrong = "{\"schema\":\"x\\u001b[2Jy\"}";

	CHECK(files_write(p, FILES_OWN, good, strlen(good), &cause) == 0);
	doc = jx_load(p, "medload.analysis/1", 0, &cause);
	CHECK(doc != NULL);
	CHECK(jx_int(doc, "events.accepted", -1) == 7);
	CHECK(jx_int(doc, "events.read", -1) == -1);
	CHECK(jx_get(doc, "events.accepted.x") == NULL);
	json_object_put(doc);
	CHECK(jx_load(p, "medload.run/1", 0, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "its schema is "
	    "\"medload.analysis/1\"") != NULL);
	CHECK(files_write(p, FILES_OWN, wrong, strlen(wrong), &cause) == 0);
	CHECK(jx_load(p, "medload.run/1", 0, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "\"x\\x1b[2Jy\"") != NULL);
	CHECK(files_write(p, FILES_OWN, "{} x", 4, &cause) == 0);
	CHECK(jx_load(p, NULL, 0, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "text after the end") != NULL);
	CHECK(files_write(p, FILES_OWN, "[1,2,3]", 7, &cause) == 0);
	CHECK(jx_load(p, NULL, 4, &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "larger than") != NULL);
	free(p);
	free(cause);
}

/* jx_parse reads one value out of a larger text, numbers at its end too. */
static void
test_jx_parse(void)
{
	const char *text = "[{\"k\":1},42,\"s\"] tail";
	struct json_object *v;
	char *cause = NULL;

	v = jx_parse(text + 1, 7, "bucket", &cause);
	CHECK(v != NULL && jx_int(v, "k", -1) == 1);
	json_object_put(v);
	v = jx_parse(text + 9, 2, "number", &cause);
	CHECK(v != NULL && json_object_get_int(v) == 42);
	json_object_put(v);
	v = jx_parse(text + 12, 3, "string", &cause);
	CHECK(v != NULL && strcmp(json_object_get_string(v), "s") == 0);
	json_object_put(v);
	CHECK(jx_parse(text + 1, 6, "cut", &cause) == NULL);
	CHECK(cause != NULL && strncmp(cause, "cut: not a JSON document",
	    24) == 0);
	CHECK(jx_parse(text, strlen(text), "whole", &cause) == NULL);
	CHECK(cause != NULL && strstr(cause, "text after the end") != NULL);
	free(cause);
}

int
main(void)
{
	if (mkdtemp(test_dir) == NULL)
		return 1;
	RUN(test_own_replaces_link);
	RUN(test_user_paths);
	RUN(test_failed_output_keeps_old);
	RUN(test_mkdirs_and_check);
	RUN(test_jx_load);
	RUN(test_jx_parse);
	{
		char *cmd = util_printf("rm -rf %s", test_dir);
		int rc = system(cmd);

		free(cmd);
		if (rc != 0)
			return 1;
	}
	return CHECK_EXIT();
}
