/* journal.c: the append-only per-request journal and its replay. */
#include "journal.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define JOURNAL_BATCH (64 * 1024)
#define JOURNAL_BAD_SHOWN 5	/* bad lines named on stderr */

struct journal {
	int fd;
	char *path;
	struct strbuf buf;
	uint64_t lines;
	int err;
};

int
journal_open(const char *path, const char *run_id, unsigned shard,
    unsigned nshards, int64_t start_us, struct journal **out, char **cause)
{
	struct journal *j;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC,
	    0644);
	if (fd == -1)
		return util_fail(cause, "%s: %s", path, strerror(errno));
	j = util_calloc(1, sizeof(*j));
	j->fd = fd;
	j->path = util_strdup(path);
	strbuf_init(&j->buf, 0);
	strbuf_addf(&j->buf, "# medload.journal/1 run_id=%s shard=%u/%u "
	    "start_us=%" PRId64 "\n", run_id, shard, nshards, start_us);
	*out = j;
	return journal_flush(j) == -1 ? (journal_close(j, cause), -1) : 0;
}

/*
 * Appends a field's text ("-" when empty) with every control character,
 * tab and newline included, made visible (util_safe_append: an answer's
 * text never moves a terminal's cursor nor splits a field), and the tab
 * that ends it.
 */
static void
journal_text(struct strbuf *b, const char *s)
{
	if (s == NULL || *s == '\0')
		strbuf_addc(b, '-');
	else
		util_safe_append(b, s);
	strbuf_addc(b, '\t');
}

/* Appends a number field and its tab. */
static void
journal_int(struct strbuf *b, int64_t v)
{
	strbuf_add_int(b, v);
	strbuf_addc(b, '\t');
}

void
journal_request(struct journal *j, const struct stats_rec *r)
{
	struct strbuf *b = &j->buf;

	/* hand-formatted: this runs once per request on the load loop */
	strbuf_add(b, "R\t", 2);
	journal_int(b, r->sched_us);
	journal_int(b, r->start_us);
	journal_int(b, r->end_us);
	journal_text(b, r->method);
	journal_text(b, r->name);
	journal_text(b, r->tenant);
	journal_int(b, r->status);
	journal_text(b, stats_err_name(r->err));
	journal_text(b, r->err != STATS_OK ? r->error : NULL);
	journal_text(b, r->detail);
	strbuf_add_int(b, (int64_t)r->bytes);
	strbuf_addc(b, '\n');
	j->lines++;
	if (b->len >= JOURNAL_BATCH)
		journal_flush(j);
}

void
journal_users(struct journal *j, int64_t t_us, unsigned target,
    unsigned actual)
{
	strbuf_addf(&j->buf, "U\t%" PRId64 "\t%u\t%u\n", t_us, target, actual);
	if (j->buf.len >= JOURNAL_BATCH)
		journal_flush(j);
}

int
journal_flush(struct journal *j)
{
	size_t off = 0;

	while (off < j->buf.len) {
		ssize_t n = write(j->fd, j->buf.data + off, j->buf.len - off);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (j->err == 0)
				j->err = errno;
			break;
		}
		off += (size_t)n;
	}
	strbuf_reset(&j->buf);
	return j->err ? -1 : 0;
}

uint64_t
journal_lines(const struct journal *j)
{
	return j->lines;
}

int
journal_close(struct journal *j, char **cause)
{
	int rc = 0;

	if (j == NULL)
		return 0;
	journal_flush(j);
	if (close(j->fd) == -1 && j->err == 0)
		j->err = errno;
	if (j->err)
		rc = util_fail(cause, "%s: %s", j->path, strerror(j->err));
	strbuf_release(&j->buf);
	free(j->path);
	free(j);
	return rc;
}

int
journal_read_info(const char *path, struct journal_info *info, char **cause)
{
	char line[512];
	FILE *f = fopen(path, "r");
	long long start;

	if (f == NULL)
		return util_fail(cause, "%s: %s", path, strerror(errno));
	memset(info, 0, sizeof(*info));
	if (fgets(line, sizeof(line), f) == NULL ||
	    sscanf(line, "# medload.journal/1 run_id=%79s shard=%u/%u "
	    "start_us=%lld", info->run_id, &info->shard, &info->nshards,
	    &start) != 4) {
		fclose(f);
		return util_fail(cause, "%s:1: not a medload.journal/1 header",
		    path);
	}
	info->start_us = start;
	fclose(f);
	return 0;
}

/* Splits a line at tabs in place; returns the field count. */
static size_t
journal_split(char *s, char **f, size_t max)
{
	size_t n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '\t');
		if (s == NULL)
			break;
		*s++ = '\0';
	}
	return n;
}

/* Error kind from its name. */
static enum stats_err
journal_err(const char *s)
{
	int k;

	for (k = 0; k < STATS_ERR_COUNT; k++)
		if (strcmp(stats_err_name((enum stats_err)k), s) == 0)
			return (enum stats_err)k;
	return STATS_ERR_OTHER;
}

/* An HTTP status from its text: 0 unless 1-999. */
static int
journal_status(const char *s)
{
	long v = strtol(s, NULL, 10);

	return v > 0 && v < 1000 ? (int)v : 0;
}

/* One journal being replayed: its next line, parsed. */
struct journal_in {
	FILE *fp;
	const char *path;
	unsigned slot;
	char *line;
	size_t cap;
	unsigned long long lineno;
	int kind;		/* 'R', 'U', or 0 at the end */
	int64_t t;		/* when: a request's end, a sample's time */
	struct stats_rec rec;
	unsigned target, actual;
};

/* Parses a request line's fields into in->rec. */
static void
journal_in_request(struct journal_in *in, char **f)
{
	struct stats_rec *r = &in->rec;

	memset(r, 0, sizeof(*r));
	r->sched_us = strtoll(f[1], NULL, 10);
	r->start_us = strtoll(f[2], NULL, 10);
	r->end_us = strtoll(f[3], NULL, 10);
	r->method = f[4];
	r->name = f[5];
	r->tenant = f[6];
	r->status = journal_status(f[7]);
	r->err = journal_err(f[8]);
	r->error = strcmp(f[9], "-") ? f[9] : NULL;
	r->detail = strcmp(f[10], "-") ? f[10] : NULL;
	r->bytes = strtoull(f[11], NULL, 10);
	r->shard = in->slot;
	in->t = r->end_us;
}

/*
 * Reads in's next request or user line (kind 0 at the end or at a torn
 * last line); other lines are counted in *bad, the first few named.
 */
static void
journal_in_next(struct journal_in *in, uint64_t *bad)
{
	char *f[12];
	ssize_t len;
	size_t n;

	in->kind = 0;
	while ((len = getline(&in->line, &in->cap, in->fp)) != -1) {
		in->lineno++;
		if (len > 0 && in->line[len - 1] == '\n')
			in->line[len - 1] = '\0';
		else
			return;	/* a torn last line (killed mid-write) */
		if (in->line[0] == '#' || in->line[0] == '\0')
			continue;
		n = journal_split(in->line, f, 12);
		if (f[0][0] == 'R' && n == 12) {
			journal_in_request(in, f);
			in->kind = 'R';
			return;
		} else if (f[0][0] == 'U' && n == 4) {
			in->t = strtoll(f[1], NULL, 10);
			in->target = (unsigned)strtoul(f[2], NULL, 10);
			in->actual = (unsigned)strtoul(f[3], NULL, 10);
			in->kind = 'U';
			return;
		} else if (++*bad <= JOURNAL_BAD_SHOWN)
			cli_error("%s:%llu: not a journal line (skipped)",
			    in->path, in->lineno);
	}
}

/* Closes the journals opened so far. */
static void
journal_in_close(struct journal_in *in, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		fclose(in[i].fp);
		free(in[i].line);
	}
	free(in);
}

int
journal_replay(char *const *paths, size_t n, struct stats *st,
    uint64_t *lines, uint64_t *bad, char **cause)
{
	struct journal_in *in = util_calloc(n + 1, sizeof(*in)), *next;
	size_t i;

	for (i = 0; i < n; i++) {
		in[i].fp = fopen(paths[i], "r");
		if (in[i].fp == NULL) {
			util_fail(cause, "%s: %s", paths[i], strerror(errno));
			journal_in_close(in, i);
			return -1;
		}
		in[i].path = paths[i];
		in[i].slot = (unsigned)i;
		journal_in_next(&in[i], bad);
	}
	for (;;) {		/* the earliest line of all, as the run went */
		next = NULL;
		for (i = 0; i < n; i++)
			if (in[i].kind != 0 && (next == NULL ||
			    in[i].t < next->t))
				next = &in[i];
		if (next == NULL)
			break;
		if (next->kind == 'R') {
			stats_record(st, &next->rec);
			(*lines)++;
		} else
			stats_users(st, next->t, next->target, next->actual,
			    next->slot);
		journal_in_next(next, bad);
	}
	journal_in_close(in, n);
	return 0;
}
