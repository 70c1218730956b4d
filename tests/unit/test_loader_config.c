/* test_loader_config.c: precedence, YAML errors, .env parsing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

/* Writes text to a new temporary file; returns its path (caller frees). */
static char *
tmpfile_with(const char *text)
{
	char *path = strdup("/tmp/medload-test-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

/* Environment table for config_load_env. */
static const char *
fake_env(const char *name, void *arg)
{
	const char *const *kv = arg;

	for (; kv[0] != NULL; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

/* The printed line of one key. */
static char *
printed(const struct config *c, const char *key)
{
	char *buf = NULL, *line, *end, *out;
	size_t len = 0, n = strlen(key);
	FILE *f = open_memstream(&buf, &len);

	config_print(c, f);
	fclose(f);
	for (line = buf; line != NULL && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (strncmp(line, key, n) == 0 && line[n] == ':') {
			out = strndup(line, end ? (size_t)(end - line) :
			    strlen(line));
			free(buf);
			return out;
		}
	}
	free(buf);
	return NULL;
}

static void
test_precedence(void)
{
	struct config c;
	char *cause = NULL, *yaml, *envf, *line;
	const char *env[] = { "STEP_TIME", "45", "LOCUST_HOST",
	    "http://127.0.0.1:9999", NULL, NULL };

	yaml = tmpfile_with("step_time: 10s\nstep_load: 3\nspawn_rate: 2\n"
	    "time_limit: 2m\nmax_users: 50\n");
	envf = tmpfile_with("STEP_TIME=20\nSTEP_LOAD=4\nSPAWN_RATE=5\n");
	config_init(&c);
	CHECK(c.shape.step_time == 30 && c.shape.step_load == 10);
	CHECK(config_load_yaml(&c, yaml, &cause) == 0);
	CHECK(config_load_env_file(&c, envf, &cause) == 0);
	CHECK(config_load_env(&c, fake_env, (void *)env, "env",
	    &cause) == 0);
	CHECK(config_set(&c, "spawn-rate", "7", "flag --spawn-rate",
	    &cause) == 0);
	/* flags > env > env-file > file > defaults */
	CHECK_NUM(c.shape.spawn_rate, 7, 0);
	CHECK_NUM(c.shape.step_time, 45, 0);
	CHECK(c.shape.step_load == 4);
	CHECK_NUM(c.shape.time_limit, 120, 0);
	CHECK(c.shape.max_users == 50);
	CHECK_NUM(c.request_timeout, 30, 0);
	CHECK_STR(c.admin_url, "http://127.0.0.1:9999");
	line = printed(&c, "step_time");
	CHECK_STR(line, "step_time: \"45s\"  # env STEP_TIME");
	free(line);
	line = printed(&c, "step_load");
	CHECK(line != NULL && strstr(line, "# env-file ") != NULL);
	free(line);
	line = printed(&c, "max_users");
	CHECK(line != NULL && strstr(line, ":5  ") == NULL &&
	    strstr(line, "# file ") != NULL && strstr(line, ":5\"") == NULL);
	free(line);
	line = printed(&c, "spawn_rate");
	CHECK_STR(line, "spawn_rate: \"7\"  # flag --spawn-rate");
	free(line);
	line = printed(&c, "request_timeout");
	CHECK_STR(line, "request_timeout: \"30s\"  # default");
	free(line);
	config_release(&c);
	unlink(yaml);
	unlink(envf);
	free(yaml);
	free(envf);
	free(cause);
}

/* Loads YAML text; returns the error (caller frees) or NULL. */
static char *
yaml_error(const char *text, struct config *c)
{
	char *path = tmpfile_with(text), *cause = NULL, *msg;
	size_t n = strlen(path);

	if (config_load_yaml(c, path, &cause) == 0) {
		unlink(path);
		free(path);
		return NULL;
	}
	/* drop the temporary path prefix for comparison */
	msg = strncmp(cause, path, n) == 0 ? strdup(cause + n) :
	    strdup(cause);
	free(cause);
	unlink(path);
	free(path);
	return msg;
}

static void
test_yaml_errors(void)
{
	struct config c;
	char *e;

	config_init(&c);
	e = yaml_error("step_time: 30s\nstep_load: ten\n", &c);
	CHECK_STR(e, ":2:12: step_load: expected a whole number from 0 to "
	    "10000000, got \"ten\"");
	free(e);
	e = yaml_error("scenario: x\n", &c);
	CHECK_STR(e, ":1:11: scenario: expected one of mediation|seed|http|"
	    "edge, got \"x\"");
	free(e);
	e = yaml_error("\n\n  time_limit: {a: 1}\n", &c);
	CHECK_STR(e, ":3:15: time_limit: expected a duration (like 30s), got "
	    "a mapping");
	free(e);
	e = yaml_error("nope: 1\n", &c);
	CHECK_STR(e, ":1:1: unknown setting \"nope\"");
	free(e);
	e = yaml_error("- 1\n", &c);
	CHECK_STR(e, ":1:1: expected a mapping of settings, got a sequence");
	free(e);
	e = yaml_error("step_time: 3\nstep_load: \"unclosed\n", &c);
	CHECK(e != NULL && strstr(e, "YAML syntax error") != NULL);
	free(e);
	e = yaml_error("stages:\n  - {duration: 30s, users: x}\n", &c);
	CHECK_STR(e, ":2:28: stages[0].users: expected a whole number, got "
	    "\"x\"");
	free(e);
	/* flag names are not YAML keys */
	e = yaml_error("step-time: 3\n", &c);
	CHECK_STR(e, ":1:1: unknown setting \"step-time\"");
	free(e);
	config_release(&c);
}

static void
test_yaml_stages(void)
{
	struct config c;
	char *e;

	config_init(&c);
	e = yaml_error("stages:\n  - duration: 30s\n    users: 10\n"
	    "  - {duration: 1m, users: 20, spawn_rate: 2}\nramp_down: 0\n",
	    &c);
	CHECK(e == NULL);
	free(e);
	e = NULL;
	CHECK(c.shape.nstages == 2);
	CHECK_NUM(c.shape.stages[1].duration, 60, 0);
	CHECK(c.shape.stages[1].users == 20);
	CHECK_NUM(c.shape.stages[1].spawn_rate, 2, 0);
	/* the flag form */
	CHECK(config_set(&c, "stages", "10s:1,20s:5:2.5", "flag", &e) == 0);
	CHECK(c.shape.nstages == 2);
	CHECK_NUM(c.shape.stages[1].spawn_rate, 2.5, 0);
	CHECK(config_set(&c, "stages", "10s", "flag", &e) == -1);
	free(e);
	config_release(&c);
}

/* Collects .env assignments as "K=V;". */
static int
collect(const char *k, const char *v, unsigned line, void *arg)
{
	char *buf = arg;

	(void)line;
	strcat(buf, k);
	strcat(buf, "=");
	strcat(buf, v);
	strcat(buf, ";");
	return 0;
}

static void
test_env_text(void)
{
	char buf[512] = "", *cause = NULL;

	CHECK(config_parse_env_text("x", "# comment\n\nA=1\nexport B = two\n"
	    "C=\"quoted # not a comment\"\nD='single'\nE=plain # comment\n"
	    "F=\r\nG=a=b\n", collect, buf, &cause) == 0);
	CHECK_STR(buf, "A=1;B=two;C=quoted # not a comment;D=single;E=plain;"
	    "F=;G=a=b;");
	CHECK(config_parse_env_text("x", "A=1\nnot an assignment\n", collect,
	    buf, &cause) == -1);
	CHECK_STR(cause, "x:2: expected KEY=VALUE");
	CHECK(config_parse_env_text("x", "A=\"open\n", collect, buf,
	    &cause) == -1);
	CHECK_STR(cause, "x:1: unterminated quote");
	/* the message quotes the bad name (once read after it was freed) */
	CHECK(config_parse_env_text("x", "A=1\nMY-VAR=2\n", collect, buf,
	    &cause) == -1);
	CHECK_STR(cause, "x:2: \"MY-VAR\" is not a variable name");
	CHECK(config_parse_env_text("x", " = 90\n", collect, buf, &cause) ==
	    -1);
	CHECK_STR(cause, "x:1: no variable name before '='");
	free(cause);
}

static void
test_finish(void)
{
	struct config c;
	char *cause = NULL;

	config_init(&c);
	CHECK(config_finish(&c, 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "MEDIATOR_INVITATION_URL"));
	CHECK(config_set(&c, "invitation-url", "http://127.0.0.1:3000?c_i=e30",
	    "flag", &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == 0);
	CHECK(config_set(&c, "admin-url", "http://example.com:9014", "flag",
	    &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "127.0.0.1") != NULL);
	/* user information does not make a remote host local */
	CHECK(config_set(&c, "admin-url", "http://localhost:80@example.com/",
	    "flag", &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "not on this machine") != NULL);
	CHECK(config_set(&c, "admin-url", "http://127.0.0.1:9014/a b", "flag",
	    &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "admin_url: \"http://127.0.0.1:"
	    "9014/a b\" is not a valid URL (") != NULL);
	CHECK(config_set(&c, "admin-url", "ftp://127.0.0.1:9014", "flag",
	    &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "not an http://") != NULL);
	CHECK(config_set(&c, "admin-url", "http://[::1]:9014", "flag",
	    &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == 0);
	CHECK(config_set(&c, "admin-url", "http://127.0.0.1:9014", "flag",
	    &cause) == 0);
	CHECK(config_set(&c, "shard", "2/3", "flag", &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "--run-id") != NULL);
	CHECK(config_set(&c, "shard", "4/3", "flag", &cause) == -1);
	/* "" is no shard, as a run's config.yaml writes it */
	CHECK(config_set(&c, "shard", "", "flag", &cause) == 0);
	CHECK(c.shard_count == 0 && c.shard_index == 0);
	CHECK(config_set(&c, "active-fraction", "1.5", "flag", &cause) == -1);
	CHECK_STR(cause, "active_fraction: expected a fraction from 0 to 1, "
	    "got \"1.5\"");
	free(cause);
	config_release(&c);
}

/* A key file named by a flag beats the environment; one from YAML not. */
static void
test_secret_precedence(void)
{
	struct config c;
	char *cause = NULL, *file = tmpfile_with("from-file\n");

	setenv("MEDLOAD_ADMIN_API_KEY", "from-env", 1);
	config_init(&c);
	CHECK(config_set(&c, "invitation-url", "http://127.0.0.1:3000?c_i=e30",
	    "flag", &cause) == 0);
	CHECK(config_set(&c, "admin_api_key_file", file, "file c.yaml:1",
	    &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == 0);
	CHECK_STR(c.admin_api_key, "from-env");
	config_release(&c);
	config_init(&c);
	CHECK(config_set(&c, "invitation-url", "http://127.0.0.1:3000?c_i=e30",
	    "flag", &cause) == 0);
	CHECK(config_set(&c, "admin-api-key-file", file,
	    "flag --admin-api-key-file", &cause) == 0);
	CHECK(config_finish(&c, 1, &cause) == 0);
	CHECK_STR(c.admin_api_key, "from-file");
	config_release(&c);
	unsetenv("MEDLOAD_ADMIN_API_KEY");
	unlink(file);
	free(file);
	free(cause);
}

int
main(void)
{
	RUN(test_precedence);
	RUN(test_yaml_errors);
	RUN(test_yaml_stages);
	RUN(test_env_text);
	RUN(test_finish);
	RUN(test_secret_precedence);
	return CHECK_EXIT();
}
