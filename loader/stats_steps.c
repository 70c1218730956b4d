/* stats_steps.c: the client's figures per load step. */
#include "stats_steps.h"

#include <string.h>

#include <json-c/json.h>

#include "hist.h"
#include "stats_priv.h"
#include "util.h"

/* One request name (or wait) in one step. */
struct stats_steps_name {
	char *method, *name;
	struct hist *us;	/* latency from the intended start */
	uint64_t failures;
};

/* One load step. */
struct stats_steps_step {
	struct shape_step span;
	unsigned users_actual[STATS_MAX_SHARDS];	/* highest, by shard */
	uint64_t requests, failures, ended_ok;
	struct stats_steps_name *names;
	size_t nnames, anames;
};

/*
 * Steps are timed from the run's start; after stats_steps_align (a merge
 * of shards), each shard's requests from that shard's own start, and a
 * step is complete when every shard lasted through it.
 */
struct stats_steps {
	int64_t start_us;
	struct stats_steps_step *steps;
	size_t n;
	unsigned naligned;			/* shards aligned; 0: none */
	int64_t shard_start[STATS_MAX_SHARDS];	/* epoch us */
	int64_t shard_last[STATS_MAX_SHARDS];	/* latest time seen */
	double shard_end[STATS_MAX_SHARDS];	/* s, as it said; < 0: ? */
};

struct stats_steps *
stats_steps_new(int64_t start_us, const struct shape_step *steps, size_t n)
{
	struct stats_steps *ss = util_calloc(1, sizeof(*ss));
	size_t i;

	ss->start_us = start_us;
	ss->steps = util_calloc(n ? n : 1, sizeof(*ss->steps));
	ss->n = n;
	for (i = 0; i < n; i++)
		ss->steps[i].span = steps[i];
	return ss;
}

void
stats_steps_free(struct stats_steps *ss)
{
	size_t i, j;

	if (ss == NULL)
		return;
	for (i = 0; i < ss->n; i++) {
		for (j = 0; j < ss->steps[i].nnames; j++) {
			free(ss->steps[i].names[j].method);
			free(ss->steps[i].names[j].name);
			hist_free(ss->steps[i].names[j].us);
		}
		free(ss->steps[i].names);
	}
	free(ss->steps);
	free(ss);
}

void
stats_steps_align(struct stats_steps *ss, unsigned shard, int64_t start_us,
    double end_s)
{
	if (shard >= STATS_MAX_SHARDS)
		return;
	ss->shard_start[shard] = start_us;
	ss->shard_last[shard] = start_us;
	ss->shard_end[shard] = end_s;
	if (shard + 1 > ss->naligned)
		ss->naligned = shard + 1;
}

/* The slot of shard, and notes t_us as the latest time it was seen. */
static unsigned
stats_steps_seen(struct stats_steps *ss, unsigned shard, int64_t t_us)
{
	if (shard >= STATS_MAX_SHARDS)
		shard = 0;
	if (t_us > ss->shard_last[shard])
		ss->shard_last[shard] = t_us;
	return shard;
}

/*
 * The step holding t_us (from shard's start once aligned), or NULL
 * before the first or after the last.
 */
static struct stats_steps_step *
stats_steps_at(struct stats_steps *ss, int64_t t_us, unsigned shard)
{
	int64_t base = shard < ss->naligned ? ss->shard_start[shard] :
	    ss->start_us;
	double t = (double)(t_us - base) / 1e6;
	size_t i;

	for (i = ss->n; i > 0; i--) {
		if (t >= ss->steps[i - 1].span.start) {
			if (t < ss->steps[i - 1].span.end)
				return &ss->steps[i - 1];
			return NULL;
		}
	}
	return NULL;
}

/* The entry of method and name in step s, made on first use. */
static struct stats_steps_name *
stats_steps_name_of(struct stats_steps_step *s, const char *method,
    const char *name)
{
	struct stats_steps_name *e;
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i].name, name) == 0 &&
		    strcmp(s->names[i].method, method) == 0)
			return &s->names[i];
	if (s->nnames == s->anames) {
		s->anames = s->anames ? s->anames * 2 : 16;
		s->names = util_realloc(s->names, s->anames *
		    sizeof(*s->names));
	}
	e = &s->names[s->nnames++];
	e->method = util_strdup(method);
	e->name = util_strdup(name);
	e->us = hist_new();
	e->failures = 0;
	return e;
}

void
stats_steps_record(struct stats_steps *ss, const struct stats_rec *r)
{
	unsigned k = stats_steps_seen(ss, r->shard, r->end_us);
	struct stats_steps_step *due = stats_steps_at(ss, r->sched_us, k);
	struct stats_steps_step *ended = stats_steps_at(ss, r->end_us, k);
	int wait = strcmp(r->method, "WAIT") == 0;
	struct stats_steps_name *e;
	int64_t li = r->end_us - r->sched_us;

	if (ended != NULL && !wait && r->err == STATS_OK)
		ended->ended_ok++;
	if (due == NULL)
		return;
	if (!wait)
		due->requests++;
	e = stats_steps_name_of(due, r->method, r->name);
	hist_record(e->us, (double)(li > 0 ? li : 0));
	if (r->err != STATS_OK) {
		due->failures++;
		e->failures++;
	}
}

void
stats_steps_users(struct stats_steps *ss, int64_t t_us, unsigned actual,
    unsigned shard)
{
	unsigned k = stats_steps_seen(ss, shard, t_us);
	struct stats_steps_step *s = stats_steps_at(ss, t_us, k);

	if (s != NULL && actual > s->users_actual[k])
		s->users_actual[k] = actual;
}

/* A step's users: the sum of each shard's highest count. */
static int64_t
stats_steps_users_of(const struct stats_steps_step *s)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < STATS_MAX_SHARDS; i++)
		n += s->users_actual[i];
	return n;
}

/* Adds the number key = v to o. */
static void
stats_steps_num(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(v));
}

/* One name's figures in a step, in ms. */
static struct json_object *
stats_steps_name_json(const struct stats_steps_name *e)
{
	static const double q[] = { 25, 50, 75, 90, 95, 99 };
	static const char *const qn[] = { "p25", "p50", "p75", "p90", "p95",
		"p99" };
	struct json_object *o = json_object_new_object();
	double p[6];
	size_t i;

	hist_percentiles(e->us, q, 6, p);
	json_object_object_add(o, "count", json_object_new_int64(
	    (int64_t)hist_count(e->us)));
	json_object_object_add(o, "failures", json_object_new_int64(
	    (int64_t)e->failures));
	for (i = 0; i < 6; i++)
		stats_steps_num(o, qn[i], p[i] / 1000);
	stats_steps_num(o, "mean", hist_mean(e->us) / 1000);
	stats_steps_num(o, "max", hist_max(e->us) / 1000);
	return o;
}

/* Adds step s's names to client (requests) and waits. */
static void
stats_steps_names_json(const struct stats_steps_step *s,
    struct json_object *client, struct json_object *waits)
{
	const struct stats_steps_name *e;
	struct json_object *to;
	char *key;
	size_t i;

	for (i = 0; i < s->nnames; i++) {
		e = &s->names[i];
		to = strcmp(e->method, "WAIT") == 0 ? waits : client;
		/* the same name under two methods: the method tells them
		 * apart */
		key = json_object_object_get(to, e->name) == NULL ?
		    util_strdup(e->name) : util_printf("%s %s", e->method,
		    e->name);
		json_object_object_add(to, key, stats_steps_name_json(e));
		free(key);
	}
}

/* Step i's object, for a window ending at end_s from the start. */
static struct json_object *
stats_steps_step_json(const struct stats_steps_step *s, size_t i,
    double end_s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *client = json_object_new_object();
	struct json_object *waits = json_object_new_object();
	int complete = end_s >= s->span.end - 0.5;
	double end = complete ? s->span.end : end_s;
	double secs = end - s->span.start;

	if (secs < 1e-3)
		secs = 1e-3;
	json_object_object_add(o, "step", json_object_new_int64(
	    (int64_t)i + 1));
	json_object_object_add(o, "users_target", json_object_new_int64(
	    s->span.users));
	json_object_object_add(o, "users_actual", json_object_new_int64(
	    stats_steps_users_of(s)));
	stats_steps_num(o, "start_s", s->span.start);
	stats_steps_num(o, "end_s", end);
	json_object_object_add(o, "complete",
	    json_object_new_boolean(complete));
	json_object_object_add(o, "requests", json_object_new_int64(
	    (int64_t)s->requests));
	json_object_object_add(o, "failures", json_object_new_int64(
	    (int64_t)s->failures));
	stats_steps_num(o, "offered_rps", (double)s->requests / secs);
	stats_steps_num(o, "achieved_rps", (double)s->ended_ok / secs);
	stats_steps_names_json(s, client, waits);
	json_object_object_add(o, "client", client);
	json_object_object_add(o, "waits", waits);
	return o;
}

struct json_object *
stats_steps_json(const struct stats_steps *ss, int64_t end_us,
    int64_t stop_us)
{
	struct json_object *arr = json_object_new_array();
	int64_t upto = stop_us > 0 && stop_us < end_us ? stop_us : end_us;
	double end_s = (double)(upto - ss->start_us) / 1e6, e;
	size_t i;

	/* merged shards: the steps every shard lasted through */
	for (i = 0; i < ss->naligned; i++) {
		e = ss->shard_end[i] >= 0 ? ss->shard_end[i] :
		    (double)(ss->shard_last[i] - ss->shard_start[i]) / 1e6;
		if (i == 0 || e < end_s)
			end_s = e;
	}
	for (i = 0; i < ss->n && ss->steps[i].span.start < end_s; i++)
		json_object_array_add(arr, stats_steps_step_json(
		    &ss->steps[i], i, end_s));
	return arr;
}
