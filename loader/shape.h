/*
 * shape.h: the load shape of `medload run`: how many simulated users there
 * should be at each moment, and how the driver gets there.
 *
 * Step shape (the seed's LoadTestShape): for 0 <= t <= time_limit,
 *   users(t) = (floor(t / step_time) + 1) * step_load
 * capped at max_users (0 = no cap). A custom list of stages replaces the
 * formula: stage i lasts its duration and holds its user count. After the
 * last moment an optional ramp-down lowers the target linearly to 0 over
 * ramp_down seconds; then the run is over.
 *
 * The driver moves the actual user count towards the target one user per
 * spawn tick; ticks come every 1/spawn_rate seconds (the stage's rate when
 * it has one).
 */
#ifndef MEDLOAD_SHAPE_H
#define MEDLOAD_SHAPE_H

#include <stddef.h>

#define SHAPE_MAX_STAGES 256

struct shape_stage {
	double duration;	/* seconds, > 0 */
	unsigned users;
	double spawn_rate;	/* users/s; 0 = the shape's rate */
};

struct shape {
	double step_time;	/* seconds, > 0 */
	unsigned step_load;
	double spawn_rate;	/* users/s, > 0 */
	double time_limit;	/* seconds, > 0 */
	unsigned max_users;	/* 0 = no cap */
	double ramp_down;	/* seconds, 0 = none */
	size_t nstages;		/* 0 = step formula */
	struct shape_stage stages[SHAPE_MAX_STAGES];
};

/* Seconds from the start at which the target first drops for good. */
double shape_main_end(const struct shape *s);

/* Seconds from the start at which the run ends (after any ramp-down). */
double shape_end(const struct shape *s);

/*
 * Target user count at t seconds after the start. Returns 0 and sets
 * *users (and *rate, the spawn rate in force, when not NULL), or -1 when
 * the run is over at t.
 */
int shape_target(const struct shape *s, double t, unsigned *users,
    double *rate);

/*
 * The actual user count a driver following the shape has at t: starting
 * from 0 at t = 0, one user added or removed at each spawn tick (t = 0,
 * 1/rate, 2/rate, ...) while the count differs from the target. Returns the
 * count; 0 once the run is over.
 */
unsigned shape_actual_at(const struct shape *s, double t);

/* One step of the planned schedule (a span with a constant target). */
struct shape_step {
	double start, end;	/* seconds from the start */
	unsigned users;		/* target */
};

/*
 * Lists the spans of constant target, ramp-down seconds as steps of their
 * own. Writes at most max steps to out; returns the number there are.
 */
size_t shape_steps(const struct shape *s, struct shape_step *out,
    size_t max);

/*
 * The load steps of the shape with the ramp-down left out, in *out
 * (caller frees); returns their number.
 */
size_t shape_load_steps(const struct shape *s, struct shape_step **out);

/* Checks a shape's values; -1 with *cause naming the setting. */
int shape_check(const struct shape *s, char **cause);

/* The load step (1-based) at el seconds from the start. */
unsigned shape_step_at(const struct shape *s, double el);

#endif
