/* chart.c: gnuplot charts from data files and templated scripts. */
#include "chart.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "assets.h"
#include "jx.h"
#include "tmpl.h"
#include "util.h"

#define CHART_MAX_DATA 16
#define CHART_TIMEOUT_S 60

struct chart {
	char *dir;
	char *name;
	struct json_object *data;	/* suffix -> file name */
	FILE *files[CHART_MAX_DATA];
	int nfiles;
};

/* The gnuplot program to run. */
static const char *
chart_program(void)
{
	const char *g = getenv("GNUPLOT");

	return g != NULL && *g != '\0' ? g : "gnuplot";
}

/*
 * Runs argv in dir with stdin from /dev/null and stdout+stderr appended to
 * logpath; kills it after the timeout. Returns its exit status, or -1.
 */
static int
chart_exec(const char *dir, char *const argv[], const char *logpath)
{
	struct timespec ts = { 0, 50000000 };
	pid_t pid, w;
	int status = 0, fd, i;

	pid = fork();
	if (pid == -1)
		return -1;
	if (pid == 0) {
		if (dir != NULL && chdir(dir) == -1)
			_exit(126);
		fd = open("/dev/null", O_RDONLY);
		if (fd != -1)
			dup2(fd, 0);
		fd = logpath ? open(logpath, O_WRONLY | O_CREAT | O_APPEND,
		    0644) : open("/dev/null", O_WRONLY);
		if (fd != -1) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	for (i = 0; i < CHART_TIMEOUT_S * 20; i++) {
		w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
		if (w == -1 && errno != EINTR)
			return -1;
		nanosleep(&ts, NULL);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

int
chart_available(char **why)
{
	char *argv[] = { (char *)chart_program(), (char *)"--version", NULL };
	int rc = chart_exec(NULL, argv, NULL);

	if (rc == 0)
		return 1;
	if (why != NULL)
		*why = util_printf("gnuplot (%s) %s", argv[0], rc == 127 ?
		    "is not installed (Debian: apt-get install gnuplot-nox)" :
		    "does not run");
	return 0;
}

struct chart *
chart_new(const char *dir, const char *name)
{
	struct chart *c = util_calloc(1, sizeof(*c));

	c->dir = util_strdup(dir);
	c->name = util_strdup(name);
	c->data = json_object_new_object();
	return c;
}

/* Closes every data file. */
static int
chart_close_files(struct chart *c)
{
	int i, rc = 0;

	for (i = 0; i < c->nfiles; i++)
		if (c->files[i] != NULL && fclose(c->files[i]) == EOF)
			rc = -1;
	c->nfiles = 0;
	return rc;
}

void
chart_free(struct chart *c)
{
	if (c == NULL)
		return;
	chart_close_files(c);
	json_object_put(c->data);
	free(c->dir);
	free(c->name);
	free(c);
}

FILE *
chart_data(struct chart *c, const char *suffix, char **cause)
{
	char *file, *path;
	FILE *f;

	if (c->nfiles == CHART_MAX_DATA) {
		util_fail(cause, "%s: too many data files", c->name);
		return NULL;
	}
	file = util_printf("%s-%s.dat", c->name, suffix);
	path = util_printf("%s/%s", c->dir, file);
	f = fopen(path, "w");
	if (f == NULL) {
		util_fail(cause, "%s: cannot write: %s", path, strerror(errno));
	} else {
		c->files[c->nfiles++] = f;
		json_object_object_add(c->data, suffix,
		    json_object_new_string(file));
	}
	free(file);
	free(path);
	return f;
}

void
chart_data_string(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	for (; *p != '\0'; p++)
		fputc(*p == '"' ? '\'' : *p == '\\' ? '/' : *p < 0x20 ||
		    *p == 0x7f ? ' ' : *p, f);
	fputc('"', f);
}

int
chart_render(struct chart *c, const char *tmpl_path,
    const char *templates_dir, struct json_object *params, char **cause)
{
	struct json_object *ctx = json_object_new_object();
	struct tmpl *t = NULL;
	struct strbuf b;
	char *text, *gp = NULL, *log = NULL, *set = NULL;
	int rc = -1, i;
	FILE *f;
	static const char *const term[2][2] = {
		{ "pngcairo size 1100,520 font 'DejaVu Sans,10' background "
		    "rgb 'white'", "png" },
		{ "svg size 1100,520 dynamic font 'DejaVu Sans,10' background "
		    "rgb 'white'", "svg" },
	};

	strbuf_init(&b, 0);
	if (chart_close_files(c) == -1) {
		util_fail(cause, "%s: cannot write its data", c->name);
		goto out;
	}
	if (jx_is_object(params)) {
		json_object_object_foreach(params, k, v)
			json_object_object_add(ctx, k, json_object_get(v));
	}
	json_object_object_add(ctx, "name", json_object_new_string(c->name));
	json_object_object_add(ctx, "data", json_object_get(c->data));
	text = assets_load(templates_dir, tmpl_path, NULL, cause);
	if (text == NULL)
		goto out;
	rc = tmpl_parse(tmpl_path, text, TMPL_GNUPLOT, &t, cause);
	free(text);
	if (rc == -1 || tmpl_render(t, ctx, &b, cause) == -1) {
		rc = -1;
		goto out;
	}
	rc = -1;
	gp = util_printf("%s/%s.gp", c->dir, c->name);
	f = fopen(gp, "w");
	if (f == NULL || fwrite(b.data ? b.data : "", 1, b.len, f) != b.len ||
	    fclose(f) == EOF) {
		util_fail(cause, "%s: cannot write: %s", gp, strerror(errno));
		goto out;
	}
	log = util_printf("%s/%s.log", c->dir, c->name);
	unlink(log);
	for (i = 0; i < 2; i++) {
		char *script = util_printf("%s.gp", c->name);
		char *argv[] = { (char *)chart_program(), (char *)"-e", NULL,
		    script, NULL };
		int st;

		free(set);
		set = util_printf("set terminal %s; set output '%s.%s'",
		    term[i][0], c->name, term[i][1]);
		argv[2] = set;
		st = chart_exec(c->dir, argv, log);
		free(script);
		if (st != 0) {
			util_fail(cause, "%s.%s: gnuplot %s (see %s)", c->name,
			    term[i][1], st == -1 ? "failed or timed out" :
			    "reported an error", log);
			goto out;
		}
	}
	rc = 0;
out:
	strbuf_release(&b);
	tmpl_free(t);
	json_object_put(ctx);
	free(gp);
	free(log);
	free(set);
	return rc;
}

struct json_object *
chart_render_listed(struct chart *c, const char *name, const char *title,
    const char *tmpl_path, const char *templates_dir,
    struct json_object *params, struct json_object *list,
    struct json_object *problems)
{
	struct json_object *e;
	char *cause = NULL;

	json_object_object_add(params, "title", json_object_new_string(title));
	if (chart_render(c, tmpl_path, templates_dir, params, &cause) == -1) {
		json_object_array_add(problems, json_object_new_string(
		    cause ? cause : name));
		free(cause);
		return NULL;
	}
	e = json_object_new_object();
	json_object_object_add(e, "title", json_object_new_string(title));
	json_object_object_add(e, "file", json_object_new_string(name));
	json_object_array_add(list, e);
	return e;
}
