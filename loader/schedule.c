/* schedule.c: the spawner, task pacing, ticks and progress of a run. */
#include "schedule.h"

#include <math.h>
#include <stdlib.h>

#include "engine.h"
#include "hist.h"
#include "journal.h"
#include "run.h"
#include "run_live.h"
#include "shape.h"
#include "stats.h"
#include "tenant.h"
#include "util.h"
#include "workflow.h"

/* Starts one task of ready user t, intended at sched. */
static void
schedule_task(struct tenant *t, int64_t sched)
{
	struct run *r = t->run;
	int64_t now = eng_now();

	hist_record(r->lateness, (double)(now > sched ? now - sched : 0));
	r->wf->task(t, sched);
}

/* Timer: a think-paced user's next task. */
static void
schedule_think_timer(void *arg, int64_t at)
{
	struct tenant *t = arg;

	if (t->state == TENANT_READY && !t->run->stopping)
		schedule_task(t, at);
}

void
schedule_task_at(struct tenant *t, int64_t at)
{
	if (t->run->c->pacing == CONFIG_PACING_THINK)
		eng_timer(t->run->eng, at, schedule_think_timer, t);
}

void
schedule_think(struct tenant *t, int64_t from)
{
	struct run *r = t->run;
	const struct config *c = r->c;

	if (c->pacing != CONFIG_PACING_THINK)
		return;
	eng_timer(r->eng, from + (int64_t)(1e6 * (c->think_min +
	    run_rand(r) * (c->think_max - c->think_min))),
	    schedule_think_timer, t);
}

/* The open model's task starts in the second beginning at r->open_sec. */
static void
schedule_open_second(struct run *r, int64_t at)
{
	double lambda;

	if (at >= r->open_sec + 1000000)
		r->open_sec += 1000000 * ((at - r->open_sec) / 1000000);
	lambda = r->c->rate > 0 ? r->c->rate / (r->nshards ? r->nshards :
	    1) : r->c->active_fraction * (double)r->nready;
	lambda += r->open_carry;
	r->open_n = (unsigned)floor(lambda);
	r->open_carry = lambda - r->open_n;
	r->open_i = 0;
}

/* Timer: the open model's next task start, round-robin over ready users. */
static void
schedule_open_tick(void *arg, int64_t at)
{
	struct run *r = arg;

	if (r->stopping)
		return;
	if (at >= r->open_sec + 1000000 || r->open_n == 0 ||
	    r->open_i >= r->open_n) {
		schedule_open_second(r, at);
		if (r->open_n == 0) {
			r->open_sec += 1000000;
			eng_timer(r->eng, r->open_sec, schedule_open_tick, r);
			return;
		}
	}
	if (r->nready > 0)
		schedule_task(r->ready[r->rr++ % r->nready], at);
	else
		r->tasks_skipped++;
	r->open_i++;
	if (r->open_i < r->open_n)
		eng_timer(r->eng, r->open_sec + (int64_t)r->open_i * 1000000 /
		    r->open_n, schedule_open_tick, r);
	else {
		r->open_sec += 1000000;
		r->open_n = 0;
		eng_timer(r->eng, r->open_sec, schedule_open_tick, r);
	}
}

/* Records the user counts (journal only when they change or each second). */
static void
schedule_sample(struct run *r, int64_t now)
{
	int64_t sec = (now - r->start) / 1000000;
	int64_t ep = eng_epoch_us(r->eng, now);

	stats_users(r->stats, ep, r->target, r->actual, 0);
	if (sec != r->last_sample_sec || r->target != r->last_target ||
	    r->actual != r->last_actual) {
		journal_users(r->journal, ep, r->target, r->actual);
		r->last_sample_sec = sec;
		r->last_target = r->target;
		r->last_actual = r->actual;
	}
}

/* Starts a new simulated user. */
static void
schedule_spawn(struct run *r, int64_t now)
{
	struct tenant *t = tenant_new(r);

	r->top = r->ntenants;
	r->actual++;
	tenant_start(t, now);
}

/* Stops the most recently started active user. */
static void
schedule_unspawn(struct run *r)
{
	while (r->top > 0) {
		struct tenant *t = r->tenants[r->top - 1];

		if (t->state == TENANT_SETUP || t->state == TENANT_READY) {
			tenant_leave(t, TENANT_STOPPED);
			return;
		}
		r->top--;
	}
}

/*
 * Seconds from the start at which the target may next differ from its
 * value at t (t in the main part; the ramp-down changes it all the time).
 */
static double
schedule_span_end(const struct shape *s, double t)
{
	double end = shape_main_end(s), acc = 0, next;
	size_t i;

	if (s->nstages == 0)
		next = (floor(t / s->step_time) + 1) * s->step_time;
	else {
		next = end;
		for (i = 0; i < s->nstages; i++) {
			acc += s->stages[i].duration;
			if (acc > t) {
				next = acc;
				break;
			}
		}
	}
	return next < end ? next : end;
}

/* Timer: one spawn tick of the shape. */
static void
schedule_spawn_tick(void *arg, int64_t at)
{
	struct run *r = arg;
	double t = (double)(at - r->start) / 1e6, rate;
	unsigned target;
	int64_t d, next, until;

	if (r->stopping || at != r->spawn_at)
		return;		/* stopped, or superseded by schedule_wake */
	if (shape_target(&r->c->shape, t, &target, &rate) == -1) {
		schedule_stop(r);
		return;
	}
	r->target = run_shard_share(target, r->nshards, r->shard);
	if (r->target > r->peak_target)
		r->peak_target = r->target;
	/* the rate is the whole run's: N shards share it, as the users */
	d = (int64_t)(1e6 * (r->nshards ? r->nshards : 1) / rate);
	if (r->actual < r->target && r->setup_cap != 0 &&
	    r->in_setup >= r->setup_cap) {
		r->spawn_held++;	/* --max-setups: wait a tick */
		r->spawn_held_s += (double)d / 1e6;
	} else if (r->actual < r->target)
		schedule_spawn(r, at);
	else if (r->actual > r->target)
		schedule_unspawn(r);
	schedule_sample(r, at);
	next = at + d;
	/*
	 * At the target, the ticks until the target can change would do
	 * nothing: skip to the first of them at or after that moment, on the
	 * same grid (schedule_wake brings it forward when a user leaves).
	 */
	if (r->actual == r->target && d > 0 && t < shape_main_end(
	    &r->c->shape)) {
		until = r->start + (int64_t)(1e6 * schedule_span_end(
		    &r->c->shape, t)) - 1;
		if (until > next)
			next = at + (until - at + d - 1) / d * d;
	}
	r->spawn_last = at;
	r->spawn_d = d;
	r->spawn_at = next;
	eng_timer(r->eng, next, schedule_spawn_tick, r);
}

void
schedule_wake(struct run *r)
{
	int64_t now = eng_now(), next;

	if (r->stopping || r->spawn_d <= 0 || r->spawn_at <= now)
		return;
	next = r->spawn_last + ((now - r->spawn_last + r->spawn_d - 1) /
	    r->spawn_d) * r->spawn_d;
	if (next <= r->spawn_last)
		next = r->spawn_last + r->spawn_d;
	if (next < r->spawn_at) {
		r->spawn_at = next;
		eng_timer(r->eng, next, schedule_spawn_tick, r);
	}
}

/* Timer: only wakes the loop up. */
static void
schedule_noop(void *arg, int64_t at)
{
	(void)arg;
	(void)at;
}

void
schedule_stop(struct run *r)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	stats_set_stop(r->stats, eng_epoch_us(r->eng, eng_now()));
	r->stop_deadline = eng_now() + (int64_t)(r->c->grace * 1e6);
	r->stop_target = r->target;
	r->target = 0;
	eng_timer(r->eng, r->stop_deadline, schedule_noop, r);
}

/* The load step at el seconds, the last one once the shape has ended. */
static unsigned
schedule_step_now(const struct run *r, double el)
{
	double end = shape_end(&r->c->shape);

	return shape_step_at(&r->c->shape, el < end ? el : end - 0.001);
}

/* The progress line: running, stopping, or done (final). */
static void
schedule_line(struct run *r, int64_t now, int final, int color, char *line,
    size_t size)
{
	double el = (double)(now - r->start) / 1e6;
	int64_t ep = eng_epoch_us(r->eng, now);
	unsigned long long n = stats_count(r->stats);
	unsigned long long fails = stats_failures(r->stats);
	const char *red = color ? "\033[31m" : "", *off = color ? "\033[0m" : "";

	if (final)
		snprintf(line, size, "done in %.0fs: requests %llu failures "
		    "%s%llu%s, users %u at the end (at most %u planned)", el, n,
		    red, fails, off, r->actual, r->peak_target);
	else if (r->stopping)
		snprintf(line, size, "%5.0fs stopping: users %u, requests in "
		    "flight %u, requests %llu failures %s%llu%s", el,
		    r->actual, eng_inflight(r->eng), n, red, fails, off);
	else
		snprintf(line, size, "%5.0fs step %u users %u/%u req/s %.1f "
		    "requests %llu failures %s%llu%s p95 %.0fms", el,
		    schedule_step_now(r, el), r->actual, r->target,
		    stats_recent_rate(r->stats, ep), n, red, fails, off,
		    stats_recent_p95(r->stats, ep));
}

void
schedule_progress(struct run *r, int64_t now, int final)
{
	char line[256];
	const char *nc = getenv("NO_COLOR");
	int color = r->tty && (nc == NULL || *nc == '\0') &&
	    stats_failures(r->stats) > 0;

	schedule_line(r, now, final, color, line, sizeof(line));
	if (r->tty) {
		fprintf(r->err, "\r\033[K%s%s", line, final ? "\n" : "");
	} else if (final || now - r->last_plain >= 10000000) {
		fprintf(r->err, "medload run: %s\n", line);
		r->last_plain = now;
	}
	fflush(r->err);
}

/* Timer: once a second, progress and a users sample. */
static void
schedule_second_tick(void *arg, int64_t at)
{
	struct run *r = arg;

	schedule_sample(r, at);
	run_live_tick(r, at);
	if (r->c->progress != CONFIG_PROGRESS_NONE)
		schedule_progress(r, at, 0);
	if (!r->finished)
		eng_timer(r->eng, at + 1000000, schedule_second_tick, r);
}

void
schedule_start(struct run *r)
{
	r->spawn_at = r->start;
	eng_timer(r->eng, r->start, schedule_spawn_tick, r);
	eng_timer(r->eng, r->start + 1000000, schedule_second_tick, r);
	if (r->c->pacing == CONFIG_PACING_OPEN) {
		r->open_sec = r->start;
		eng_timer(r->eng, r->start, schedule_open_tick, r);
	}
	r->end_at = r->start + (int64_t)(shape_end(&r->c->shape) * 1e6);
}

void
schedule_print(const struct config *c, FILE *out)
{
	struct shape_step *steps;
	size_t n, i, max = 100000;
	char a[32], b[32];
	double think = (c->think_min + c->think_max) / 2, rate;

	steps = util_calloc(max, sizeof(*steps));
	n = shape_steps(&c->shape, steps, max);
	fprintf(out, "# medload run: planned schedule (%s shape, spawn rate "
	    "%s users/s, pacing %s%s)\n", c->shape.nstages ? "stages" :
	    "step", util_num(c->shape.spawn_rate, a),
	    config_pacing_name(c->pacing), c->shape.max_users ? ", capped" :
	    "");
	fprintf(out, "%-5s %9s %9s %7s %14s\n", "step", "start_s", "end_s",
	    "users", "tasks_per_s");
	for (i = 0; i < n && i < max; i++) {
		if (c->pacing == CONFIG_PACING_OPEN)
			rate = c->rate > 0 ? c->rate : c->active_fraction *
			    steps[i].users;
		else
			rate = steps[i].users / (think > 0 ? think : 1);
		fprintf(out, "%-5zu %9s %9s %7u %14.2f\n", i + 1,
		    util_num(steps[i].start, a), util_num(steps[i].end, b),
		    steps[i].users, c->scenario == CONFIG_SCENARIO_HTTP ||
		    c->pacing == CONFIG_PACING_OPEN || c->think_max > 0 ?
		    rate : 0);
	}
	fprintf(out, "# end %ss\n", util_num(shape_end(&c->shape), a));
	free(steps);
}
