/* edge_steps.c: CPU and memory of medload and the mediator, per step. */
#include "edge_steps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <json-c/json.h>

#include "edge_private.h"
#include "engine.h"
#include "jx.h"
#include "run.h"
#include "shape.h"
#include "util.h"

#define EDGE_STEPS_EVERY 5000000	/* us between samples */
#define EDGE_STEPS_FDS 256		/* descriptors beside the sessions */
#define EDGE_STEPS_BUSY 0.9		/* a CPU share that is the limit */
#define EDGE_STEPS_FULL 0.95		/* the machine's cores all busy */

/* One process's counters at a sample. */
struct edge_proc {
	double cpu_s;		/* user + system seconds; < 0: unreadable */
	double rss_kib;
};

/* The machine's CPU time in clock ticks (/proc/stat's "cpu" line). */
struct edge_machine {
	double busy, total;	/* total < 0: unreadable */
};

struct edge_sample {
	double t;		/* seconds from the start */
	unsigned step, users, held;
	struct edge_proc me, med;
	struct edge_machine sys;
	double me_share, med_share;	/* CPU over the last interval */
	double sys_busy;	/* share of all cores busy then; < 0 unknown */
};

struct edge_steps {
	struct edge_sample *v;
	size_t n, a;
	int64_t last_at;
};

/* Reads process pid's CPU seconds and RSS; cpu_s < 0 when unreadable. */
static void
edge_proc_read(long pid, struct edge_proc *p)
{
	char path[64], buf[1024], *s;
	unsigned long long ut, st, pages;
	FILE *f;
	size_t n;

	p->cpu_s = -1;
	p->rss_kib = 0;
	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* after the command's closing parenthesis: state, then fields 4.. */
	if ((s = strrchr(buf, ')')) == NULL || sscanf(s + 1, " %*c %*d %*d "
	    "%*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return;
	snprintf(path, sizeof(path), "/proc/%ld/statm", pid);
	if ((f = fopen(path, "r")) == NULL)
		return;
	if (fscanf(f, "%*u %llu", &pages) != 1)
		pages = 0;
	fclose(f);
	p->cpu_s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	p->rss_kib = (double)pages * (double)sysconf(_SC_PAGESIZE) / 1024;
}

/*
 * Reads the machine's CPU time: busy is everything but idle and iowait
 * (steal included: a core the hypervisor gave to another guest did not
 * run this one's work).
 */
static void
edge_machine_read(struct edge_machine *m)
{
	unsigned long long v[8] = { 0 };
	FILE *f = fopen("/proc/stat", "r");
	int n = 0;
	size_t i;

	m->busy = 0;
	m->total = -1;
	if (f != NULL) {
		n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
		    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
		fclose(f);
	}
	if (n < 5)
		return;
	m->total = 0;
	for (i = 0; i < 8; i++)
		m->total += (double)v[i];
	m->busy = m->total - (double)v[3] - (double)v[4];
}

/* CPU share between two readings dt seconds apart; -1 if unknown. */
static double
edge_share(const struct edge_proc *a, const struct edge_proc *b, double dt)
{
	if (a->cpu_s < 0 || b->cpu_s < 0 || dt <= 0)
		return -1;
	return (b->cpu_s - a->cpu_s) / dt;
}

/* Takes a sample; again in EDGE_STEPS_EVERY while the run goes on. */
static void
edge_steps_tick(void *arg, int64_t at)
{
	struct run *r = arg;
	struct edge_steps *s = r->edge->steps;
	struct edge_sample *x, *p;
	double el = (double)(eng_now() - r->start) / 1e6;

	if (s->n == s->a) {
		s->a = s->a ? s->a * 2 : 64;
		s->v = util_realloc(s->v, s->a * sizeof(*s->v));
	}
	x = &s->v[s->n++];
	memset(x, 0, sizeof(*x));
	x->t = el;
	x->step = shape_step_at(&r->c->shape, el);
	x->users = r->actual;
	x->held = r->edge->n.held;
	edge_proc_read((long)getpid(), &x->me);
	x->med.cpu_s = -1;
	if (r->c->mediator_pid != 0)
		edge_proc_read((long)r->c->mediator_pid, &x->med);
	edge_machine_read(&x->sys);
	x->me_share = x->med_share = x->sys_busy = -1;
	if (s->n > 1) {
		p = x - 1;
		x->me_share = edge_share(&p->me, &x->me, x->t - p->t);
		x->med_share = edge_share(&p->med, &x->med, x->t - p->t);
		if (p->sys.total >= 0 && x->sys.total > p->sys.total)
			x->sys_busy = (x->sys.busy - p->sys.busy) /
			    (x->sys.total - p->sys.total);
	}
	if (!r->finished && !r->stopping)
		eng_timer(r->eng, at + EDGE_STEPS_EVERY, edge_steps_tick, r);
}

/* The largest user count the run's shape reaches in this shard. */
static unsigned
edge_steps_peak(const struct run *r)
{
	const struct shape *sh = &r->c->shape;
	struct shape_step st[256];
	size_t n = shape_steps(sh, st, 256), i;
	unsigned m = 0;

	for (i = 0; i < n && i < 256; i++)
		if (st[i].users > m)
			m = st[i].users;
	if (sh->max_users != 0 && sh->max_users < m)
		m = sh->max_users;
	return run_shard_share(m, r->nshards, r->shard);
}

int
edge_steps_limit(struct run *r, char **cause)
{
	struct rlimit rl;
	rlim_t need = (rlim_t)edge_steps_peak(r) + EDGE_STEPS_FDS;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return util_fail(cause, "getrlimit: %s", strerror(errno));
	if (rl.rlim_cur < need) {
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
			return util_fail(cause, "%llu agents holding sessions "
			    "need about %llu open files, and this process may "
			    "open at most %llu (the hard limit): raise it "
			    "(ulimit -Hn as root, LimitNOFILE= in systemd, "
			    "nofile in /etc/security/limits.conf) or run fewer "
			    "agents per process (--shard)", (unsigned long long)
			    (need - EDGE_STEPS_FDS), (unsigned long long)need,
			    (unsigned long long)rl.rlim_max);
		rl.rlim_cur = need;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			return util_fail(cause, "setrlimit to %llu open files: "
			    "%s", (unsigned long long)need, strerror(errno));
	}
	return 0;
}

void
edge_steps_start(struct run *r)
{
	if (r->edge == NULL || !r->edge->sessions)
		return;
	r->edge->steps = util_calloc(1, sizeof(*r->edge->steps));
	eng_timer(r->eng, eng_now(), edge_steps_tick, r);
}

/* Adds v as key to o, null when negative (unknown). */
static void
edge_steps_num(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, v < 0 ? NULL :
	    json_object_new_double(v));
}

/*
 * Adds the step's limit to o: the process that used 90 % of a core or
 * more, or "machine" when neither did while every core was busy (other
 * work took the CPU, so the step measured the machine, not the mediator),
 * or null.
 */
static void
edge_steps_add_limit(struct json_object *o, double me, double med,
    double sys)
{
	const char *limit = NULL;

	if (me >= EDGE_STEPS_BUSY)
		limit = "medload";
	else if (med >= EDGE_STEPS_BUSY)
		limit = "mediator";
	else if (sys >= EDGE_STEPS_FULL)
		limit = "machine";
	json_object_object_add(o, "limit", limit ? json_object_new_string(
	    limit) : NULL);
}

/* The summary of step samples v[0..n) as JSON. */
static struct json_object *
edge_steps_one(const struct edge_sample *v, size_t n, double rss0)
{
	struct json_object *o = json_object_new_object();
	double me = 0, med = 0, sys = 0, rss = 0, mrss = 0;
	size_t i, nme = 0, nmed = 0, nsys = 0;

	for (i = 0; i < n; i++) {
		if (v[i].me_share >= 0)
			me += v[i].me_share, nme++;
		if (v[i].med_share >= 0)
			med += v[i].med_share, nmed++;
		if (v[i].sys_busy >= 0)
			sys += v[i].sys_busy, nsys++;
		rss = v[i].me.rss_kib > rss ? v[i].me.rss_kib : rss;
		mrss = v[i].med.rss_kib > mrss ? v[i].med.rss_kib : mrss;
	}
	me = nme ? me / (double)nme : -1;
	med = nmed ? med / (double)nmed : -1;
	sys = nsys ? sys / (double)nsys : -1;
	json_object_object_add(o, "step", json_object_new_int(
	    (int)v[0].step));
	edge_steps_num(o, "end_s", v[n - 1].t);
	json_object_object_add(o, "users", json_object_new_int(
	    (int)v[n - 1].users));
	json_object_object_add(o, "sessions_held", json_object_new_int(
	    (int)v[n - 1].held));
	edge_steps_num(o, "medload_cpu_share", me);
	edge_steps_num(o, "medload_rss_kib", rss);
	edge_steps_num(o, "medload_bytes_per_session", v[n - 1].held ?
	    (v[n - 1].me.rss_kib - rss0) * 1024 / v[n - 1].held : -1);
	edge_steps_num(o, "mediator_cpu_share", med);
	edge_steps_num(o, "mediator_rss_kib", nmed || mrss > 0 ? mrss : -1);
	edge_steps_num(o, "machine_cpu_busy", sys);
	edge_steps_add_limit(o, me, med, sys);
	return o;
}

struct json_object *
edge_steps_results(const struct run *r)
{
	const struct edge_steps *s = r->edge != NULL ? r->edge->steps : NULL;
	struct json_object *o, *steps;
	size_t i, j;

	if (s == NULL || s->n == 0)
		return NULL;
	o = json_object_new_object();
	steps = json_object_new_array();
	for (i = 0; i < s->n; i = j) {
		for (j = i; j < s->n && s->v[j].step == s->v[i].step; j++)
			;
		json_object_array_add(steps, edge_steps_one(s->v + i, j - i,
		    s->v[0].me.rss_kib));
	}
	json_object_object_add(o, "every_s", json_object_new_double(
	    EDGE_STEPS_EVERY / 1e6));
	json_object_object_add(o, "steps", steps);
	return o;
}

/* A number of o's member key, or -1 when null or absent. */
static double
edge_steps_get(struct json_object *o, const char *key)
{
	struct json_object *v = json_object_object_get(o, key);

	return v == NULL ? -1 : json_object_get_double(v);
}

/* Prints member key of o as %*.*f (scaled by div), or "-" if unknown. */
static void
edge_steps_col(struct json_object *o, const char *key, int w, int prec,
    double div, FILE *out)
{
	double v = edge_steps_get(o, key);

	if (v < 0)
		fprintf(out, " %*s", w, "-");
	else
		fprintf(out, " %*.*f", w, prec, v / div);
}

void
edge_steps_print(struct json_object *o, FILE *out)
{
	struct json_object *st = json_object_object_get(o, "steps"), *x;
	size_t i;

	if (json_object_array_length(st) == 0)
		return;
	fprintf(out, "\nSessions per step (CPU: share of one core; machine: "
	    "share of all its cores busy):\n"
	    "step  users   held  medload cpu  rss MiB  B/session  "
	    "mediator cpu  rss MiB  machine cpu  limit\n");
	for (i = 0; i < json_object_array_length(st); i++) {
		x = json_object_array_get_idx(st, i);
		edge_steps_col(x, "step", 3, 0, 1, out);
		edge_steps_col(x, "users", 6, 0, 1, out);
		edge_steps_col(x, "sessions_held", 6, 0, 1, out);
		edge_steps_col(x, "medload_cpu_share", 12, 2, 1, out);
		edge_steps_col(x, "medload_rss_kib", 8, 1, 1024, out);
		edge_steps_col(x, "medload_bytes_per_session", 10, 0, 1, out);
		edge_steps_col(x, "mediator_cpu_share", 13, 2, 1, out);
		edge_steps_col(x, "mediator_rss_kib", 8, 1, 1024, out);
		edge_steps_col(x, "machine_cpu_busy", 12, 2, 1, out);
		fprintf(out, "  %s\n", jx_str(json_object_object_get(x,
		    "limit"), "-"));
	}
}

void
edge_steps_free(struct edge_steps *s)
{
	if (s == NULL)
		return;
	free(s->v);
	free(s);
}
