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
#include "files.h"
#include "jx.h"
#include "strbuf.h"
#include "svg.h"
#include "tmpl.h"
#include "util.h"

#define CHART_MAX_DATA 16
#define CHART_TIMEOUT_S 60
#define CHART_MAX_SVG ((size_t)16 << 20)

struct chart {
	char *dir;
	char *name;
	struct json_object *data;	/* suffix -> file name */
	struct files_out files[CHART_MAX_DATA];
	int nfiles;
	char *svg;		/* the SVG as checked and kept, or NULL */
	char *svg_left_out;	/* why the SVG was left out, or NULL */
};

/*
 * The gnuplot program to run (caller frees): GNUPLOT, a relative path in
 * it made absolute (gnuplot runs in the chart folder), or "gnuplot".
 */
static char *
chart_program(void)
{
	const char *g = getenv("GNUPLOT");
	char *cwd;
	char *p;

	if (g == NULL || *g == '\0')
		return util_strdup("gnuplot");
	if (g[0] == '/' || strchr(g, '/') == NULL ||
	    (cwd = getcwd(NULL, 0)) == NULL)
		return util_strdup(g);
	p = util_printf("%s/%s", cwd, g);
	free(cwd);
	return p;
}

/* Why gnuplot exited with st, for a chart's message. */
static const char *
chart_why(int st)
{
	switch (st) {
	case -1:
		return "failed or timed out";
	case 126:
		return "could not run in the chart folder";
	case 127:
		return "could not be started";
	default:
		return "reported an error";
	}
}

/*
 * Runs argv in dir with stdin from /dev/null and stdout+stderr to logfd
 * (/dev/null when -1); kills it after the timeout. Returns its exit
 * status, or -1.
 */
static int
chart_exec(const char *dir, char *const argv[], int logfd)
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
		fd = logfd != -1 ? logfd : open("/dev/null", O_WRONLY);
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
	char *argv[] = { chart_program(), (char *)"--version", NULL };
	int rc = chart_exec(NULL, argv, -1);

	if (rc != 0 && why != NULL)
		*why = util_printf("gnuplot (%s) %s", argv[0], rc == 127 ?
		    "is not installed (Debian: apt-get install gnuplot-nox)" :
		    "does not run");
	free(argv[0]);
	return rc == 0;
}

int
chart_check_dir(const char *dir, struct json_object *problems)
{
	char *cause = NULL;

	if (files_check_dir(dir, &cause) == 0)
		return 0;
	json_object_array_add(problems, json_object_new_string(cause));
	free(cause);
	return -1;
}

/* An item while chart_top ranks them. */
struct chart_rank {
	struct json_object *item;
	double count;
	size_t index;
};

/* Orders by count, largest first; ties by the original index. */
static int
chart_rank_cmp(const void *pa, const void *pb)
{
	const struct chart_rank *a = pa, *b = pb;

	if (a->count != b->count)
		return a->count < b->count ? 1 : -1;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Orders by the original index. */
static int
chart_index_cmp(const void *pa, const void *pb)
{
	const struct chart_rank *a = pa, *b = pb;

	return a->index < b->index ? -1 : a->index > b->index;
}

size_t
chart_top(struct json_object **items, const double *counts, size_t n,
    size_t keep)
{
	struct chart_rank *r;
	size_t i;

	if (n <= keep)
		return n;
	r = util_calloc(n, sizeof(*r));
	for (i = 0; i < n; i++) {
		r[i].item = items[i];
		r[i].count = counts[i];
		r[i].index = i;
	}
	util_sort(r, n, sizeof(*r), chart_rank_cmp);
	util_sort(r, keep, sizeof(*r), chart_index_cmp);
	for (i = 0; i < n; i++)
		items[i] = r[i].item;
	free(r);
	return keep;
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

/* Moves every data file into place; -1 with *cause when one failed. */
static int
chart_close_files(struct chart *c, char **cause)
{
	int i, rc = 0;

	for (i = 0; i < c->nfiles; i++)
		if (files_close(&c->files[i], 1, rc == 0 ? cause : NULL) == -1)
			rc = -1;
	c->nfiles = 0;
	return rc;
}

void
chart_free(struct chart *c)
{
	if (c == NULL)
		return;
	chart_close_files(c, NULL);
	json_object_put(c->data);
	free(c->svg);
	free(c->svg_left_out);
	free(c->dir);
	free(c->name);
	free(c);
}

FILE *
chart_data(struct chart *c, const char *suffix, char **cause)
{
	struct files_out *o = &c->files[c->nfiles];
	char *file, *path;
	FILE *f = NULL;

	if (c->nfiles == CHART_MAX_DATA) {
		util_fail(cause, "%s: too many data files", c->name);
		return NULL;
	}
	file = util_printf("%s-%s.dat", c->name, suffix);
	path = util_printf("%s/%s", c->dir, file);
	if (files_open(o, path, FILES_OWN, cause) == 0) {
		f = o->f;
		c->nfiles++;
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
	struct strbuf b;

	strbuf_init(&b, 0);
	tmpl_escape(TMPL_GNUPLOT, s ? s : "", &b);
	fputc('"', f);
	if (b.len > 0)
		fwrite(b.data, 1, b.len, f);
	fputc('"', f);
	strbuf_release(&b);
}

/*
 * Puts gnuplot's SVG at from into place at to through svg_clean, keeping
 * the tidied text in c->svg. An SVG svg_clean refuses is left out (an
 * older one at to removed), the reason in c->svg_left_out. -1 with
 * *cause only when a file cannot be read or written.
 */
static int
chart_keep_svg(struct chart *c, const char *from, const char *to,
    char **cause)
{
	char *text, *why = NULL;
	size_t len;

	text = files_read(from, CHART_MAX_SVG, &len, cause);
	if (text == NULL)
		return -1;
	free(c->svg);
	c->svg = svg_clean(text, len, &why);
	free(text);
	if (c->svg == NULL) {
		free(c->svg_left_out);
		c->svg_left_out = util_printf("%s.svg left out: %s", c->name,
		    why ? why : "not a drawing");
		free(why);
		unlink(to);
		return 0;
	}
	return files_write(to, FILES_OWN, c->svg, strlen(c->svg), cause);
}

/*
 * Runs gnuplot on NAME.gp for NAME.png and NAME.svg, its messages to
 * logfd. gnuplot writes each image into a fresh private folder (mkdtemp)
 * and the image is renamed into place from there, so whatever is at
 * NAME.png (a link planted there too) is replaced, never written through.
 */
static int
chart_plot(struct chart *c, int logfd, const char *log, char **cause)
{
	static const char *const term[2][2] = {
		{ "pngcairo size 1100,520 font 'DejaVu Sans,10' background "
		    "rgb 'white'", "png" },
		{ "svg size 1100,520 dynamic font 'DejaVu Sans,10' background "
		    "rgb 'white'", "svg" },
	};
	char *tmp = util_printf("%s/.%s.XXXXXX", c->dir, c->name);
	char *script = util_printf("%s.gp", c->name), *set, *from, *to;
	char *argv[] = { chart_program(), (char *)"-e", NULL, script, NULL };
	int i, st, rc = 0;

	if (mkdtemp(tmp) == NULL) {
		rc = util_fail(cause, "%s: cannot create a folder for gnuplot: "
		    "%s", c->dir, strerror(errno));
		free(tmp);
		free(script);
		free(argv[0]);
		return rc;
	}
	for (i = 0; i < 2 && rc == 0; i++) {
		/* relative to c->dir, where gnuplot runs */
		set = util_printf("set terminal %s; set output '%s/%s.%s'",
		    term[i][0], strrchr(tmp, '/') + 1, c->name, term[i][1]);
		argv[2] = set;
		st = chart_exec(c->dir, argv, logfd);
		free(set);
		if (st == 126 || st == 127) {
			rc = util_fail(cause, "%s.%s: gnuplot (%s) %s",
			    c->name, term[i][1], argv[0], chart_why(st));
			break;
		} else if (st != 0) {
			rc = util_fail(cause, "%s.%s: gnuplot %s (see %s)",
			    c->name, term[i][1], chart_why(st), log);
			break;
		}
		from = util_printf("%s/%s.%s", tmp, c->name, term[i][1]);
		to = util_printf("%s/%s.%s", c->dir, c->name, term[i][1]);
		if (i == 1)
			rc = chart_keep_svg(c, from, to, cause);
		else if (rename(from, to) == -1)
			rc = util_fail(cause, "%s: %s", to, strerror(errno));
		free(from);
		free(to);
	}
	for (i = 0; i < 2; i++) {
		from = util_printf("%s/%s.%s", tmp, c->name, term[i][1]);
		unlink(from);
		free(from);
	}
	rmdir(tmp);
	free(tmp);
	free(script);
	free(argv[0]);
	return rc;
}

int
chart_render(struct chart *c, const char *tmpl_path,
    const char *templates_dir, struct json_object *params, char **cause)
{
	struct json_object *ctx = json_object_new_object();
	struct files_out lo;
	struct strbuf b;
	char *gp = NULL, *log = NULL;
	int rc = -1;

	strbuf_init(&b, 0);
	if (chart_close_files(c, cause) == -1)
		goto out;
	if (jx_is_object(params)) {
		json_object_object_foreach(params, k, v)
			json_object_object_add(ctx, k, json_object_get(v));
	}
	json_object_object_add(ctx, "name", json_object_new_string(c->name));
	json_object_object_add(ctx, "data", json_object_get(c->data));
	if (tmpl_render_asset(templates_dir, tmpl_path, TMPL_GNUPLOT, ctx, &b,
	    cause) == -1)
		goto out;
	gp = util_printf("%s/%s.gp", c->dir, c->name);
	if (files_write(gp, FILES_OWN, b.data, b.len, cause) == -1)
		goto out;
	log = util_printf("%s/%s.log", c->dir, c->name);
	if (files_open(&lo, log, FILES_OWN, cause) == -1)
		goto out;
	rc = chart_plot(c, fileno(lo.f), log, cause);
	if (files_close(&lo, 1, rc == 0 ? cause : NULL) == -1)
		rc = -1;
out:
	strbuf_release(&b);
	json_object_put(ctx);
	free(gp);
	free(log);
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
	if (c->svg_left_out != NULL)
		json_object_object_add(e, "svg_left_out",
		    json_object_new_string(c->svg_left_out));
	json_object_array_add(list, e);
	return e;
}

const char *
chart_svg(const struct chart *c)
{
	return svg_root(c->svg);
}

const char *
chart_svg_left_out(const struct chart *c)
{
	return c->svg_left_out;
}

int
chart_draw(struct chart *c, const char *name, const char *title,
    const char *tmpl_path, const char *templates_dir,
    struct json_object *params, struct json_object *list,
    struct json_object *problems)
{
	int drawn = chart_render_listed(c, name, title, tmpl_path,
	    templates_dir, params, list, problems) != NULL;

	if (drawn && c->svg_left_out != NULL)
		json_object_array_add(problems,
		    json_object_new_string(c->svg_left_out));
	json_object_put(params);
	chart_free(c);
	return drawn;
}

int
chart_fail(struct chart *c, char *cause, struct json_object *problems)
{
	json_object_array_add(problems, json_object_new_string(cause ?
	    cause : "cannot write chart data"));
	free(cause);
	chart_free(c);
	return 0;
}
