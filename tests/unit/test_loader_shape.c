/* test_loader_shape.c: the step shape, stages, cap, ramp-down, spawn rate. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "run.h"
#include "shape.h"

/* The seed's defaults. */
static void
seed_shape(struct shape *s)
{
	memset(s, 0, sizeof(*s));
	s->step_time = 30;
	s->step_load = 10;
	s->spawn_rate = 10;
	s->time_limit = 300;
}

static void
test_step_formula(void)
{
	struct shape s;
	unsigned u = 0;
	double t;

	seed_shape(&s);
	/* users(t) = (floor(t / STEP_TIME) + 1) * STEP_LOAD */
	for (t = 0; t < 300; t += 0.5) {
		CHECK(shape_target(&s, t, &u, NULL) == 0);
		CHECK(u == ((unsigned)(t / 30) + 1) * 10);
	}
	CHECK(shape_target(&s, 29.999, &u, NULL) == 0 && u == 10);
	CHECK(shape_target(&s, 30, &u, NULL) == 0 && u == 20);
	CHECK(shape_target(&s, 299.9, &u, NULL) == 0 && u == 100);
	CHECK(shape_target(&s, 300, &u, NULL) == -1);
	CHECK(shape_target(&s, 300.5, &u, NULL) == -1);
	CHECK(shape_target(&s, -1, &u, NULL) == -1);
	CHECK_NUM(shape_end(&s), 300, 0);
}

static void
test_cap(void)
{
	struct shape s;
	unsigned u = 0;

	seed_shape(&s);
	s.max_users = 35;
	CHECK(shape_target(&s, 10, &u, NULL) == 0 && u == 10);
	CHECK(shape_target(&s, 95, &u, NULL) == 0 && u == 35);
	CHECK(shape_target(&s, 299, &u, NULL) == 0 && u == 35);
}

static void
test_spawn_rate(void)
{
	struct shape s;

	seed_shape(&s);
	/* ticks at 0, 0.1, ...: one user each */
	CHECK(shape_actual_at(&s, 0) == 1);
	CHECK(shape_actual_at(&s, 0.45) == 5);
	CHECK(shape_actual_at(&s, 0.95) == 10);
	CHECK(shape_actual_at(&s, 5) == 10);
	CHECK(shape_actual_at(&s, 30.45) == 15);
	CHECK(shape_actual_at(&s, 31.5) == 20);
	s.spawn_rate = 2;
	CHECK(shape_actual_at(&s, 2.2) == 5);
	CHECK(shape_actual_at(&s, 4.6) == 10);
	CHECK(shape_actual_at(&s, 300) == 0);
}

static void
test_stages(void)
{
	struct shape s;
	struct shape_step st[8];
	unsigned u = 0;
	double r = 0;

	seed_shape(&s);
	s.nstages = 3;
	s.stages[0].duration = 10;
	s.stages[0].users = 5;
	s.stages[1].duration = 20;
	s.stages[1].users = 12;
	s.stages[1].spawn_rate = 3;
	s.stages[2].duration = 5;
	s.stages[2].users = 2;
	CHECK_NUM(shape_end(&s), 35, 0);
	CHECK(shape_target(&s, 9.9, &u, &r) == 0 && u == 5);
	CHECK_NUM(r, 10, 0);
	CHECK(shape_target(&s, 10, &u, &r) == 0 && u == 12);
	CHECK_NUM(r, 3, 0);
	CHECK(shape_target(&s, 34, &u, NULL) == 0 && u == 2);
	CHECK(shape_target(&s, 35, &u, NULL) == -1);
	/* down from 12 to 2 at 10 users/s after t = 30 */
	CHECK(shape_actual_at(&s, 30.55) >= 6 &&
	    shape_actual_at(&s, 30.55) <= 7);
	CHECK(shape_actual_at(&s, 31.5) == 2);
	/* up from 5 to 12 at 3 users/s after t = 10 */
	CHECK(shape_actual_at(&s, 11.1) == 9);
	CHECK(shape_steps(&s, st, 8) == 3);
	CHECK(st[1].users == 12);
	CHECK_NUM(st[1].start, 10, 0);
	CHECK_NUM(st[1].end, 30, 0);
}

static void
test_ramp_down(void)
{
	struct shape s;
	struct shape_step st[32];
	unsigned u = 0;

	seed_shape(&s);
	s.ramp_down = 10;
	CHECK_NUM(shape_end(&s), 310, 0);
	CHECK(shape_target(&s, 300, &u, NULL) == 0 && u == 100);
	CHECK(shape_target(&s, 305, &u, NULL) == 0 && u == 50);
	CHECK(shape_target(&s, 309.5, &u, NULL) == 0 && u == 5);
	CHECK(shape_target(&s, 310, &u, NULL) == -1);
	/* 10 steps of the formula, then one per ramp-down second */
	CHECK(shape_steps(&s, st, 32) == 20);
	CHECK(st[9].users == 100);
	CHECK(st[10].users == 100);
	CHECK(st[19].users == 10);
}

static void
test_steps_merge(void)
{
	struct shape s;
	struct shape_step st[16];

	seed_shape(&s);
	s.max_users = 20;
	/* 10, then 20 capped for every later step: merged into one */
	CHECK(shape_steps(&s, st, 16) == 2);
	CHECK_NUM(st[1].start, 30, 0);
	CHECK_NUM(st[1].end, 300, 0);
}

static void
test_shard_share(void)
{
	unsigned total, n, s, sum;

	for (n = 1; n <= 5; n++)
		for (total = 0; total <= 41; total++) {
			sum = 0;
			for (s = 0; s < n; s++)
				sum += run_shard_share(total, n, s);
			CHECK(sum == total);
		}
	/* pairs (1,2) (3,4) (5,6) ...: shard 0 of 2 has 1,2,5,6,9 */
	CHECK(run_shard_share(9, 2, 0) == 5);
	CHECK(run_shard_share(9, 2, 1) == 4);
	CHECK(run_shard_share(3, 2, 1) == 1);
}

static void
test_check(void)
{
	struct shape s;
	char *cause = NULL;

	seed_shape(&s);
	CHECK(shape_check(&s, &cause) == 0);
	s.spawn_rate = 0;
	CHECK(shape_check(&s, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "spawn_rate") != NULL);
	free(cause);
}

int
main(void)
{
	RUN(test_step_formula);
	RUN(test_cap);
	RUN(test_spawn_rate);
	RUN(test_stages);
	RUN(test_ramp_down);
	RUN(test_steps_merge);
	RUN(test_shard_share);
	RUN(test_check);
	return CHECK_EXIT();
}
