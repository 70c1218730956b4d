/* shape.c: the step load shape, stages, cap and ramp-down. */
#include "shape.h"

#include <math.h>

#include "util.h"

double
shape_main_end(const struct shape *s)
{
	double t = 0;
	size_t i;

	if (s->nstages == 0)
		return s->time_limit;
	for (i = 0; i < s->nstages; i++)
		t += s->stages[i].duration;
	return t;
}

double
shape_end(const struct shape *s)
{
	return shape_main_end(s) + s->ramp_down;
}

/* Applies the cap. */
static unsigned
shape_cap(const struct shape *s, unsigned users)
{
	if (s->max_users > 0 && users > s->max_users)
		return s->max_users;
	return users;
}

/* Target and rate during the main part (0 <= t <= main end). */
static void
shape_main(const struct shape *s, double t, unsigned *users, double *rate)
{
	double start = 0;
	size_t i;

	*rate = s->spawn_rate;
	if (s->nstages == 0) {
		double k = floor(t / s->step_time) + 1;

		/* the seed evaluates the formula at the time limit itself */
		*users = shape_cap(s, (unsigned)fmin(k * s->step_load,
		    4294967295.0));
		return;
	}
	for (i = 0; i < s->nstages; i++) {
		const struct shape_stage *st = &s->stages[i];

		if (t < start + st->duration || i + 1 == s->nstages) {
			*users = shape_cap(s, st->users);
			if (st->spawn_rate > 0)
				*rate = st->spawn_rate;
			return;
		}
		start += st->duration;
	}
	*users = 0;
}

int
shape_target(const struct shape *s, double t, unsigned *users, double *rate)
{
	double end = shape_main_end(s), r;
	unsigned u;

	/* the main part is [0, end): the seed stops once run_time passes
	 * the time limit, so the formula's value at the limit never runs */
	if (t < 0 || t >= end + s->ramp_down)
		return -1;
	if (t < end) {
		shape_main(s, t, &u, &r);
	} else {
		unsigned last;

		shape_main(s, end - 1e-6, &last, &r);
		u = (unsigned)ceil(last * (1 - (t - end) / s->ramp_down) -
		    1e-9);
	}
	*users = u;
	if (rate != NULL)
		*rate = r;
	return 0;
}

unsigned
shape_actual_at(const struct shape *s, double t)
{
	unsigned actual = 0, target;
	double tick = 0, rate;

	if (t < 0 || t >= shape_end(s))
		return 0;
	/* bounded: ticks up to t, at most rate * t of them */
	while (tick <= t + 1e-9) {
		if (shape_target(s, tick, &target, &rate) == -1)
			break;
		if (actual < target)
			actual++;
		else if (actual > target)
			actual--;
		tick += 1 / rate;
	}
	return actual;
}

size_t
shape_steps(const struct shape *s, struct shape_step *out, size_t max)
{
	double end = shape_main_end(s), t = 0, next, r;
	size_t n = 0, i;
	unsigned u;

	while (t < end) {
		if (s->nstages == 0) {
			next = (floor(t / s->step_time) + 1) * s->step_time;
		} else {
			double acc = 0;

			next = end;
			for (i = 0; i < s->nstages; i++) {
				acc += s->stages[i].duration;
				if (acc > t + 1e-9) {
					next = acc;
					break;
				}
			}
		}
		if (next > end)
			next = end;
		shape_main(s, t, &u, &r);
		if (n > 0 && n <= max && out[n - 1].users == u)
			out[n - 1].end = next;
		else {
			if (n < max) {
				out[n].start = t;
				out[n].end = next;
				out[n].users = u;
			}
			n++;
		}
		t = next;
	}
	/* ramp-down: one step per second */
	for (t = end; t < end + s->ramp_down - 1e-9; t += 1) {
		next = fmin(t + 1, end + s->ramp_down);
		shape_target(s, t, &u, NULL);
		if (n < max) {
			out[n].start = t;
			out[n].end = next;
			out[n].users = u;
		}
		n++;
	}
	return n;
}

int
shape_check(const struct shape *s, char **cause)
{
	size_t i;

	if (!(s->spawn_rate > 0) || s->spawn_rate > 100000)
		return util_fail(cause, "spawn_rate: must be in (0, 100000] "
		    "users/s");
	if (s->nstages == 0) {
		if (!(s->step_time > 0))
			return util_fail(cause, "step_time: must be > 0");
		if (!(s->time_limit > 0))
			return util_fail(cause, "time_limit: must be > 0");
		if (s->time_limit / s->step_time > 1e6)
			return util_fail(cause, "time_limit / step_time: more "
			    "than a million steps");
	}
	for (i = 0; i < s->nstages; i++)
		if (!(s->stages[i].duration > 0))
			return util_fail(cause, "stages[%zu].duration: must "
			    "be > 0", i);
	if (s->ramp_down < 0)
		return util_fail(cause, "ramp_down: must be >= 0");
	if (shape_end(s) > 30 * 86400.0)
		return util_fail(cause, "the run would last more than 30 "
		    "days");
	return 0;
}

unsigned
shape_step_at(const struct shape *s, double el)
{
	double acc = 0;
	unsigned step = 0;
	size_t i;

	if (s->nstages == 0)
		return (unsigned)(el / s->step_time) + 1;
	for (i = 0; i < s->nstages; i++) {
		acc += s->stages[i].duration;
		step = (unsigned)i + 1;
		if (el < acc)
			break;
	}
	return step;
}

size_t
shape_load_steps(const struct shape *s, struct shape_step **out)
{
	size_t n = shape_steps(s, NULL, 0), k = 0;
	double end = shape_main_end(s);

	*out = util_calloc(n ? n : 1, sizeof(**out));
	n = shape_steps(s, *out, n);
	while (k < n && (*out)[k].start < end - 1e-9)
		k++;
	return k;
}
