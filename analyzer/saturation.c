/* saturation.c: the knee of a stepped run and the agent that broke first. */
#include "saturation.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "jx.h"
#include "util.h"

/* compare's noise rules (compare_opts_init) */
#define SAT_MIN_SAMPLES 20
#define SAT_MIN_DELTA 1.0	/* ms */
#define SAT_MARGIN 0.05
#define SAT_Z 3.0
/* a label saturated once its p95 reached this many times its first */
#define SAT_GROWTH 2.0
/* the first step failed most of its requests: saturated from the start */
#define SAT_FIRST_FAILED 0.5
/* throughput stalled: it rose by less than this share of the users' rise */
#define SAT_STALL 0.5

/* One quantile's test: the value and its standard error. */
struct sat_q {
	double v, se;
	int ok;		/* enough samples beyond it on each side */
};

/* The number at key of o, or dflt. */
static double
sat_num(struct json_object *o, const char *key, double dflt)
{
	struct json_object *v = jx_get(o, key);

	if (v == NULL || (!json_object_is_type(v, json_type_double) &&
	    !json_object_is_type(v, json_type_int)))
		return dflt;
	return json_object_get_double(v);
}

/* The quantiles a step holds, in order; the inner ones are tested. */
static const char *const sat_qname[] = { "p25", "p50", "p75", "p90",
	"p95", "p99" };
static const double sat_qp[] = { 0.25, 0.50, 0.75, 0.90, 0.95, 0.99 };
#define SAT_NQ 6

/*
 * Quantile i (1 .. SAT_NQ - 2) of figures f (count, percentiles in ms)
 * with the standard error of a sample quantile, as compare has it: the
 * density from the neighbouring quantiles i - 1 and i + 1.
 */
static struct sat_q
sat_quantile(struct json_object *f, size_t i)
{
	struct sat_q q = { 0, 0, 0 };
	double n = sat_num(f, "count", 0), pr = sat_qp[i], lo, hi;

	q.v = sat_num(f, sat_qname[i], NAN);
	lo = sat_num(f, sat_qname[i - 1], NAN);
	hi = sat_num(f, sat_qname[i + 1], NAN);
	if (n < SAT_MIN_SAMPLES || n * (1 - pr) < 5 || n * pr < 5 ||
	    !isfinite(q.v) || !isfinite(lo) || !isfinite(hi))
		return q;
	q.se = sqrt(pr * (1 - pr) / n) * fmax(hi - lo, SAT_MIN_DELTA) /
	    (sat_qp[i + 1] - sat_qp[i - 1]);
	q.ok = 1;
	return q;
}

/* Whether b rose from a beyond the noise; *z gets the statistic. */
static int
sat_rose(struct sat_q a, struct sat_q b, double *z)
{
	double diff = b.v - a.v, se = sqrt(a.se * a.se + b.se * b.se);

	*z = 0;
	if (!a.ok || !b.ok || diff < SAT_MIN_DELTA || diff <= a.v * SAT_MARGIN)
		return 0;
	*z = se > 0 ? diff / se : HUGE_VAL;
	return *z >= SAT_Z;
}

/*
 * Whether figures b (a later step) rose from a beyond the noise at p95,
 * else p90, p75 or the median (the highest with 5 samples beyond it on
 * both sides that rose): that one goes to *qi, its z to *z.
 */
static int
sat_figures_rose(struct json_object *a, struct json_object *b, size_t *qi,
    double *z)
{
	size_t i;

	for (i = SAT_NQ - 2; i >= 1; i--) {
		if (sat_rose(sat_quantile(a, i), sat_quantile(b, i), z)) {
			*qi = i;
			return 1;
		}
	}
	*qi = SAT_NQ - 2;
	return 0;
}

/* Formats ms for a sentence: "1,408", "58", "4.5". */
static const char *
sat_ms(double v, char buf[32])
{
	long long n = llround(v);

	if (!isfinite(v))
		snprintf(buf, 32, "?");
	else if (v < 10)
		snprintf(buf, 32, "%.1f", v);
	else if (n < 1000)
		snprintf(buf, 32, "%lld", n);
	else if (n < 1000000)
		snprintf(buf, 32, "%lld,%03lld", n / 1000, n % 1000);
	else
		snprintf(buf, 32, "%lld,%03lld,%03lld", n / 1000000,
		    n / 1000 % 1000, n % 1000);
	return buf;
}

/*
 * The users step s put to work: the most running in it (users_actual),
 * which stays under the target when the ramp lagged (the mediator set the
 * pace, or --max-setups held it back); the target in results without it.
 */
static double
sat_users(struct json_object *s)
{
	double a = sat_num(s, "users_actual", 0);

	return a > 0 ? a : sat_num(s, "users_target", 0);
}

/* Whether step s can be judged: complete, with users. */
static int
sat_judged(struct json_object *s)
{
	return json_object_get_boolean(jx_get(s, "complete")) &&
	    sat_num(s, "users_target", 0) > 0;
}

/* What the knee test found at one pair of steps. */
struct sat_rise {
	const char *metric;	/* request name, "failures", or NULL */
	size_t qi;		/* the quantile (sat_qname) */
	double from, to, z;
};

/*
 * The request of step b whose latency rose most from step a beyond the
 * noise (largest z), into *r.
 */
static void
sat_latency_rise(struct json_object *a, struct json_object *b,
    struct sat_rise *r)
{
	struct json_object *ca = jx_get(a, "client"), *cb = jx_get(b,
	    "client"), *fa;
	size_t qi;
	double z;

	if (!jx_is_object(ca) || !jx_is_object(cb))
		return;
	json_object_object_foreach(cb, name, fb) {
		fa = json_object_object_get(ca, name);
		if (fa == NULL || !sat_figures_rose(fa, fb, &qi, &z) ||
		    (r->metric != NULL && z <= r->z))
			continue;
		r->metric = name;
		r->qi = qi;
		r->z = z;
		r->from = sat_num(fa, sat_qname[qi], 0);
		r->to = sat_num(fb, sat_qname[qi], 0);
	}
}

/* Whether the failure share rose from step a to b beyond the noise. */
static void
sat_failure_rise(struct json_object *a, struct json_object *b,
    struct sat_rise *r)
{
	double na = sat_num(a, "requests", 0), nb = sat_num(b, "requests", 0);
	double fa = sat_num(a, "failures", 0), fb = sat_num(b, "failures", 0);
	double sa, sb, pooled, se, z;

	if (na < SAT_MIN_SAMPLES || nb < SAT_MIN_SAMPLES)
		return;
	sa = fmin(fa / na, 1);
	sb = fmin(fb / nb, 1);
	pooled = (fa + fb) / (na + nb);
	if (sb - sa <= SAT_MARGIN * sb || pooled <= 0 || pooled >= 1)
		return;
	se = sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb));
	z = (sb - sa) / se;
	if (z < SAT_Z)
		return;
	r->metric = "failures";
	r->from = sa * 100;
	r->to = sb * 100;
	r->z = z;
}

/* Adds the number key = v, rounded to a tenth, to o. */
static void
sat_put(struct json_object *o, const char *key, double v)
{
	json_object_object_add(o, key, json_object_new_double(
	    isfinite(v) ? round(v * 10) / 10 : 0));
}

/* A knee object at step s, what rose named by metric. */
static struct json_object *
sat_knee_head(struct json_object *s, const char *metric)
{
	struct json_object *k = json_object_new_object();

	json_object_object_add(k, "step", json_object_new_int64(
	    jx_int(s, "step", 0)));
	json_object_object_add(k, "users", json_object_new_int64(
	    (long long)sat_users(s)));
	json_object_object_add(k, "users_target", json_object_new_int64(
	    jx_int(s, "users_target", 0)));
	sat_put(k, "rps", sat_num(s, "achieved_rps", 0));
	json_object_object_add(k, "metric", json_object_new_string(metric));
	return k;
}

/* The knee object of step b with the rise r. */
static struct json_object *
sat_knee_json(struct json_object *b, const struct sat_rise *r, double du,
    double dr)
{
	struct json_object *k = sat_knee_head(b, r->metric);
	int fail = strcmp(r->metric, "failures") == 0;

	if (!fail)
		json_object_object_add(k, "quantile", json_object_new_string(
		    sat_qname[r->qi]));
	sat_put(k, fail ? "from_pct" : "from_ms", r->from);
	sat_put(k, fail ? "to_pct" : "to_ms", r->to);
	json_object_object_add(k, "throughput_change_pct",
	    json_object_new_int64(isfinite(dr) ? llround(dr * 100) : 0));
	json_object_object_add(k, "users_change_pct",
	    json_object_new_int64(llround(du * 100)));
	sat_put(k, "z", isfinite(r->z) ? r->z : 1e9);
	return k;
}

/*
 * Whether b's throughput kept up with its users against step a: it rose
 * by at least SAT_STALL of the users' relative rise. *du, *dr get both.
 */
static int
sat_scaled(struct json_object *a, struct json_object *b, double *du,
    double *dr)
{
	double ua = sat_users(a);
	double ub = sat_users(b);
	double ra = sat_num(a, "achieved_rps", 0);
	double rb = sat_num(b, "achieved_rps", 0);

	*du = ua > 0 ? ub / ua - 1 : 0;
	*dr = ra > 0 ? rb / ra - 1 : rb > 0 ? HUGE_VAL : 0;
	return *dr >= SAT_STALL * *du;
}

/*
 * Tests step b against the judged step a before it: the knee object when
 * b's added users stopped adding throughput while latency or failures
 * rose, else NULL.
 */
static struct json_object *
sat_knee_at(struct json_object *a, struct json_object *b)
{
	struct sat_rise r = { NULL, 0, 0, 0, 0 };
	double du, dr;

	if (sat_users(b) <= sat_users(a) || sat_scaled(a, b, &du, &dr))
		return NULL;
	sat_latency_rise(a, b, &r);
	if (r.metric == NULL)
		sat_failure_rise(a, b, &r);
	if (r.metric == NULL)
		return NULL;
	return sat_knee_json(b, &r, du, dr);
}

/*
 * Whether a judged step after index k scaled again against base (the
 * step before the knee): then the stall at k was transient.
 */
static int
sat_recovered(struct json_object *steps, size_t k, struct json_object *base)
{
	struct json_object *s;
	double du, dr;
	size_t i;

	for (i = k + 1; i < jx_len(steps); i++) {
		s = jx_at(steps, i);
		if (sat_judged(s) && sat_users(s) > sat_users(base) &&
		    sat_scaled(base, s, &du, &dr))
			return 1;
	}
	return 0;
}

/*
 * The knee at the first judged step s when most of its requests (of at
 * least SAT_MIN_SAMPLES) failed: saturated from the start. Else NULL.
 */
static struct json_object *
sat_knee_first(struct json_object *s)
{
	double n = sat_num(s, "requests", 0), f = sat_num(s, "failures", 0);
	struct json_object *k;

	if (n < SAT_MIN_SAMPLES || f <= SAT_FIRST_FAILED * n)
		return NULL;
	k = sat_knee_head(s, "failures");
	json_object_object_add(k, "first_step", json_object_new_boolean(1));
	sat_put(k, "to_pct", fmin(f / n, 1) * 100);
	return k;
}

/*
 * The knee at the first step when no user of the run finished its setup
 * (run's users_never_ready equals its users_started), else NULL.
 */
static struct json_object *
sat_knee_never_ready(struct json_object *run, struct json_object *steps)
{
	long long started = jx_int(run, "users_started", 0);
	struct json_object *k;

	if (started <= 0 || jx_int(run, "users_never_ready", -1) != started ||
	    jx_len(steps) == 0)
		return NULL;
	k = sat_knee_head(jx_at(steps, 0), "setup");
	json_object_object_add(k, "first_step", json_object_new_boolean(1));
	return k;
}

/*
 * The first knee of steps (an array) that later steps do not contradict,
 * or NULL; *judged counts the judged steps, transient stalls go to notes.
 */
static struct json_object *
sat_knee(struct json_object *steps, int *judged, struct json_object *notes)
{
	struct json_object *prev = NULL, *s, *k = NULL, *c;
	char *note;
	size_t i;

	*judged = 0;
	for (i = 0; i < jx_len(steps); i++) {
		s = jx_at(steps, i);
		if (!sat_judged(s))
			continue;
		(*judged)++;
		if (prev == NULL)
			k = sat_knee_first(s);
		if (k == NULL && prev != NULL &&
		    (c = sat_knee_at(prev, s)) != NULL) {
			if (!sat_recovered(steps, i, prev))
				k = c;
			else {
				note = util_printf("step %lld: throughput "
				    "stalled, then rose again with more users: "
				    "not a knee", jx_int(s, "step", 0));
				json_object_array_add(notes,
				    json_object_new_string(note));
				free(note);
				json_object_put(c);
			}
		}
		prev = s;
	}
	return k;
}

/* What rose at a knee (caller frees). */
static char *
sat_knee_what(struct json_object *k)
{
	char a[32], b[32];
	long long dr = jx_int(k, "throughput_change_pct", 0);
	const char *metric = jx_str(jx_get(k, "metric"), "");

	if (strcmp(metric, "setup") == 0)
		return util_strdup("no user finished its setup, the agents "
		    "were saturated (or broken) from the start; lower "
		    "--step-load");
	if (json_object_get_boolean(jx_get(k, "first_step")))
		return util_printf("%.0f%% of its requests failed from the "
		    "start; lower --step-load to find the knee", sat_num(k,
		    "to_pct", 0));
	if (strcmp(metric, "failures") == 0)
		return util_printf("failures rose from %.1f%% to %.1f%% of "
		    "requests while throughput %s %lld%%", sat_num(k,
		    "from_pct", 0), sat_num(k, "to_pct", 0), dr < 0 ? "fell" :
		    "rose", dr < 0 ? -dr : dr);
	return util_printf("%s of %s rose from %s to %s ms while throughput "
	    "%s %lld%%", jx_str(jx_get(k, "quantile"), "p95"), metric,
	    sat_ms(sat_num(k, "from_ms", 0), a), sat_ms(sat_num(k, "to_ms",
	    0), b), dr < 0 ? "fell" : "rose", dr < 0 ? -dr : dr);
}

/* The sentence of a knee (caller frees). */
static char *
sat_knee_sentence(struct json_object *k)
{
	char rps[32];
	long long users = jx_int(k, "users", 0);
	long long target = jx_int(k, "users_target", users);
	char *what = sat_knee_what(k), *s, *of;

	util_num(sat_num(k, "rps", 0), rps);
	of = target > users ? util_printf(" of %lld asked", target) :
	    util_strdup("");
	s = util_printf("saturation at step %lld (%lld user%s%s, %s req/s): "
	    "%s", jx_int(k, "step", 0), users, users == 1 ? "" : "s", of, rps,
	    what);
	free(of);
	free(what);
	return s;
}

/* A label's latency-carrying figures in step s, or NULL. */
static struct json_object *
sat_trace_of(struct json_object *s, const char *label)
{
	struct json_object *t = jx_get(s, "trace");

	/* labels hold dots: no jx_get path */
	return jx_is_object(t) ? json_object_object_get(t, label) : NULL;
}

/* Where one label's latency went. */
struct sat_label {
	const char *label;
	long long step;		/* where it saturated; 0: it did not */
	long long first_step, last_step;
	double first, at, last;	/* p95 at the first, saturating and last
				 * judged steps */
	double growth;		/* at / first */
};

/*
 * Whether label's p95 stays at SAT_GROWTH times first in every judged
 * step from index k on.
 */
static int
sat_label_stays(struct json_object *steps, size_t k, const char *label,
    double first)
{
	struct json_object *f;

	for (; k < jx_len(steps); k++) {
		f = sat_trace_of(jx_at(steps, k), label);
		if (sat_judged(jx_at(steps, k)) && f != NULL &&
		    sat_num(f, "p95", 0) < SAT_GROWTH * first)
			return 0;
	}
	return 1;
}

/*
 * Finds where l->label saturated: the first judged step where its
 * latency rose beyond the noise against the first step's and its p95
 * reached SAT_GROWTH times the first's, and stayed there.
 */
static void
sat_label_scan(struct json_object *steps, struct sat_label *l)
{
	struct json_object *s, *f, *ff = NULL;
	double z;
	size_t i, qi;

	l->step = l->first_step = 0;
	l->first = l->at = l->last = NAN;
	for (i = 0; i < jx_len(steps); i++) {
		s = jx_at(steps, i);
		f = sat_trace_of(s, l->label);
		if (!sat_judged(s) || f == NULL)
			continue;
		if (ff == NULL) {
			ff = f;
			l->first = sat_num(f, "p95", NAN);
			l->first_step = jx_int(s, "step", 0);
		}
		l->last = sat_num(f, "p95", NAN);
		l->last_step = jx_int(s, "step", 0);
		if (l->step == 0 && ff != f &&
		    sat_figures_rose(ff, f, &qi, &z) &&
		    l->last >= SAT_GROWTH * l->first &&
		    sat_label_stays(steps, i, l->label, l->first)) {
			l->step = l->last_step;
			l->at = l->last;
		}
	}
	l->growth = l->first > 0 && l->step ? l->at / l->first : 0;
}

/* Whether a label names the mediator. */
static int
sat_is_mediator(const char *label)
{
	return strcasestr(label, "mediator") != NULL;
}

size_t
saturation_labels(struct json_object *steps, const char **out, size_t max)
{
	struct json_object *t;
	size_t i, j, n = 0;

	for (i = 0; i < jx_len(steps); i++) {
		t = jx_get(jx_at(steps, i), "trace");
		if (!jx_is_object(t))
			continue;
		json_object_object_foreach(t, label, v) {
			(void)v;
			for (j = 0; j < n && strcmp(out[j], label); j++)
				;
			if (j == n && n < max)
				out[n++] = label;
		}
	}
	return n;
}

/* The labels that carry trace figures in any step, scanned. */
static size_t
sat_labels(struct json_object *steps, struct sat_label *out, size_t max)
{
	const char *names[16];
	size_t i, n = saturation_labels(steps, names, max < 16 ? max : 16);

	for (i = 0; i < n; i++) {
		out[i].label = names[i];
		sat_label_scan(steps, &out[i]);
	}
	return n;
}

/* Why no knee was found: the sentence (caller frees). */
static char *
sat_words_none(int has_steps, int judged)
{
	if (!has_steps)
		return util_strdup("saturation not assessed: the run's "
		    "results have no per-step figures");
	if (judged < 2)
		return util_printf("saturation not assessed: the run has %d "
		    "complete load step%s, it takes two or more", judged,
		    judged == 1 ? "" : "s");
	return util_strdup("no saturation within the run: raise "
	    "--max-users");
}

/* The advice for a bottleneck (caller frees). */
static char *
sat_words_advice(int mediator, struct json_object *knee)
{
	char rps[32];

	if (!mediator)
		return util_strdup("to load the mediator harder, run more "
		    "multi-agent instances (shards on other machines), "
		    "create fewer wallets per step (a lower --step-load or "
		    "--spawn-rate), or drive the mediator with native edge "
		    "agents (--scenario edge)");
	if (knee == NULL)
		return util_strdup("the mediator is the limit at this load: "
		    "scale it (more instances, a faster wallet store) or "
		    "profile it before raising the load");
	util_num(sat_num(knee, "rps", 0), rps);
	return util_printf("the mediator is the limit: about %lld users "
	    "(%s req/s) on this machine; scale it (more instances, a faster "
	    "wallet store) or profile it before raising the load",
	    jx_int(knee, "users", 0), rps);
}

/* ", while OTHER's p95 went from A ms at step i to B ms at step j". */
static char *
sat_words_other(const struct sat_label *o)
{
	char u[32], v[32];

	if (o == NULL || !isfinite(o->first) || !isfinite(o->last))
		return util_strdup("");
	return util_printf(", while %s's went from %s ms at step %lld to %s "
	    "ms at step %lld", o->label, sat_ms(o->first, u), o->first_step,
	    sat_ms(o->last, v), o->last_step);
}

/* The evidence of a label that saturated (caller frees). */
static char *
sat_words_trace(const struct sat_label *f)
{
	char x[32], y[32];

	return util_printf("its %s p95 rose from %s ms at step %lld to %s ms "
	    "at step %lld and stayed above twice its first",
	    SATURATION_TRACE_GROUP, sat_ms(f->first, x), f->first_step,
	    sat_ms(f->at, y), f->step);
}

/*
 * The evidence of a knee in the client's requests (caller frees): those
 * the multi-agent's admin API answers, or with edge agents (edge) those
 * they send the mediator itself.
 */
static char *
sat_words_client(struct json_object *knee, int edge)
{
	const char *reqs = edge ? "the edge agents' requests to it" :
	    "the requests its admin API answers";
	char x[32], y[32];

	if (strcmp(jx_str(jx_get(knee, "metric"), ""), "setup") == 0)
		return util_strdup(edge ? "no edge agent finished its setup "
		    "with it (connection, mediation, keylist)" : "no user "
		    "finished the setup its admin API serves (wallets, "
		    "connections)");
	if (strcmp(jx_str(jx_get(knee, "metric"), ""), "failures") == 0)
		return util_printf("%s failed more at step %lld (%.1f%% to "
		    "%.1f%%)", reqs, jx_int(knee, "step", 0), sat_num(knee,
		    "from_pct", 0), sat_num(knee, "to_pct", 0));
	return util_printf("%s slowed at step %lld (%s of %s rose from %s to "
	    "%s ms)", reqs, jx_int(knee, "step", 0), jx_str(jx_get(knee,
	    "quantile"), "p95"), jx_str(jx_get(knee, "metric"), ""),
	    sat_ms(sat_num(knee, "from_ms", 0), x), sat_ms(sat_num(knee,
	    "to_ms", 0), y));
}

/* A bottleneck object of these members. */
static struct json_object *
sat_bottleneck_json(const char *agent, const char *role, const char *evidence,
    long long step, const char *sentence, const char *advice)
{
	struct json_object *b = json_object_new_object();

	json_object_object_add(b, "agent", json_object_new_string(agent));
	json_object_object_add(b, "role", json_object_new_string(role));
	json_object_object_add(b, "evidence", json_object_new_string(
	    evidence));
	json_object_object_add(b, "step", json_object_new_int64(step));
	json_object_object_add(b, "sentence", json_object_new_string(
	    sentence));
	json_object_object_add(b, "advice", json_object_new_string(advice));
	return b;
}

/*
 * The bottleneck object: agent (a label, or "multi-agent" without
 * traces) with its role; f the label that saturated (NULL: the knee of
 * the client's requests says it), o the other agent's label or NULL.
 */
static struct json_object *
sat_words_bottleneck(const char *agent, int mediator,
    const struct sat_label *f, const struct sat_label *o,
    struct json_object *knee, int edge)
{
	struct json_object *b;
	char *ev = f ? sat_words_trace(f) : sat_words_client(knee, edge);
	char *other = sat_words_other(o), *s;
	char *advice = sat_words_advice(mediator, knee);
	int named;

	named = strcmp(agent, "multi-agent") != 0 && strcmp(agent,
	    "mediator") != 0;
	s = util_printf("the %s%s%s%s saturated first: %s%s%s",
	    mediator ? "mediator" : "multi-agent", named ? " (" : "",
	    named ? agent : "", named ? ")" : "", ev, other,
	    mediator ? "" : "; the run measured the load platform more than "
	    "the mediator");
	b = sat_bottleneck_json(agent, mediator ? "mediator" : "load platform",
	    f ? "trace" : "client", f ? f->step : jx_int(knee, "step", 0), s,
	    advice);
	if (f != NULL) {
		sat_put(b, "from_ms", f->first);
		sat_put(b, "to_ms", f->at);
	}
	free(ev);
	free(other);
	free(s);
	free(advice);
	return b;
}

/* What edge_steps names the limit of step (medload, machine), or NULL. */
static const char *
sat_edge_limit(struct json_object *run, long long step)
{
	struct json_object *st = jx_get(jx_get(run, "edge_steps"), "steps");
	size_t i;

	for (i = 0; i < jx_len(st); i++)
		if (jx_int(jx_at(st, i), "step", -1) == step)
			return jx_str(jx_get(jx_at(st, i), "limit"), NULL);
	return NULL;
}

/*
 * The bottleneck of an edge run whose knee is in the client's requests:
 * they go to the mediator itself, so it is the mediator, unless the
 * sessions' samples say medload or the machine's other work took the CPU
 * in that step.
 */
static struct json_object *
sat_words_edge(struct json_object *run, const struct sat_label *med,
    struct json_object *knee)
{
	long long step = jx_int(knee, "step", 0);
	const char *lim = sat_edge_limit(run, step);
	struct json_object *b;
	int self;
	char *ev, *s;

	if (lim == NULL || (strcmp(lim, "medload") != 0 &&
	    strcmp(lim, "machine") != 0))
		return sat_words_bottleneck(med ? med->label : "mediator", 1,
		    NULL, NULL, knee, 1);
	self = strcmp(lim, "medload") == 0;
	ev = sat_words_client(knee, 1);
	s = util_printf("%s was the limit at step %lld, not the mediator: "
	    "%s; %s", self ? "medload itself" : "the machine", step, self ?
	    "it used 90 % of a core or more" : "its cores were busy with "
	    "other work while neither medload nor the mediator used 90 % of "
	    "one", ev);
	b = sat_bottleneck_json(lim, self ? "load platform" : "machine",
	    "client", step, s, self ? "split the agents across processes or "
	    "machines (--shard I/N) and run again" : "run again on a machine "
	    "of its own, or give the mediator and medload cores no other "
	    "work takes");
	free(ev);
	free(s);
	return b;
}

/* The first label of l (n) whose role is mediator (or not), or NULL. */
static struct sat_label *
sat_role(struct sat_label *l, size_t n, int mediator)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (sat_is_mediator(l[i].label) == mediator)
			return &l[i];
	return NULL;
}

/*
 * The bottleneck object, or NULL: the label that saturated first; when
 * none did by the knee, the multi-agent, whose admin API answers the
 * client's requests, when they made the knee.
 */
static struct json_object *
sat_bottleneck(struct json_object *run, struct json_object *steps,
    struct json_object *knee)
{
	struct sat_label l[16], *first = NULL, *plat, *med;
	size_t n = sat_labels(steps, l, 16), i;
	int m, edge = strcmp(jx_str(jx_get(run, "scenario"), ""), "edge") == 0;

	for (i = 0; i < n; i++) {
		if (l[i].step == 0)
			continue;
		if (first == NULL || l[i].step < first->step ||
		    (l[i].step == first->step && l[i].growth > first->growth))
			first = &l[i];
	}
	plat = sat_role(l, n, 0);
	med = sat_role(l, n, 1);
	if (first != NULL && (knee == NULL || first->step <= jx_int(knee,
	    "step", 0))) {
		m = sat_is_mediator(first->label);
		return sat_words_bottleneck(first->label, m, first,
		    m ? plat : med, knee, edge);
	}
	if (knee == NULL)
		return NULL;
	if (edge)
		return sat_words_edge(run, med, knee);
	return sat_words_bottleneck(plat ? plat->label : "multi-agent", 0,
	    NULL, med, knee, 0);
}

/* A copy of the results' steps with each step's trace figures added. */
static struct json_object *
sat_steps(struct json_object *run, struct json_object *analysis)
{
	struct json_object *in = jx_get(run, "steps"), *by = jx_get(analysis,
	    "by_step"), *out = json_object_new_array(), *s, *c, *b;
	size_t i, j;

	for (i = 0; i < jx_len(in); i++) {
		s = jx_at(in, i);
		if (!jx_is_object(s))
			continue;
		c = NULL;
		json_object_deep_copy(s, &c, NULL);
		for (j = 0; j < jx_len(by); j++) {
			b = jx_at(by, j);
			if (jx_int(b, "step", -1) == jx_int(s, "step", -2) &&
			    jx_is_object(jx_get(b, "labels")))
				json_object_object_add(c, "trace",
				    json_object_get(jx_get(b, "labels")));
		}
		json_object_array_add(out, c);
	}
	return out;
}

/* Notes on steps left out of the judgement. */
static struct json_object *
sat_notes(struct json_object *steps)
{
	struct json_object *notes = json_object_new_array(), *s;
	char *note;
	size_t i;

	for (i = 0; i < jx_len(steps); i++) {
		s = jx_at(steps, i);
		if (json_object_get_boolean(jx_get(s, "complete")))
			continue;
		note = util_printf("step %lld was cut short (the run ended "
		    "%.0f s into it) and is not judged", jx_int(s, "step", 0),
		    sat_num(s, "end_s", 0) - sat_num(s, "start_s", 0));
		json_object_array_add(notes, json_object_new_string(note));
		free(note);
	}
	return notes;
}

struct json_object *
saturation_assess(struct json_object *run, struct json_object *analysis,
    char **cause)
{
	struct json_object *a, *steps, *knee, *notes;
	int judged;
	char *sentence;

	if (!jx_is_object(run)) {
		util_fail(cause, "saturation: the run's results are not an "
		    "object");
		return NULL;
	}
	a = json_object_new_object();
	steps = sat_steps(run, analysis);
	notes = sat_notes(steps);
	knee = sat_knee(steps, &judged, notes);
	if (knee == NULL)
		knee = sat_knee_never_ready(run, steps);
	if (knee != NULL)
		sentence = sat_knee_sentence(knee);
	else
		sentence = sat_words_none(json_object_is_type(jx_get(run,
		    "steps"), json_type_array), judged);
	json_object_object_add(a, "steps", steps);
	json_object_object_add(a, "knee", knee);
	json_object_object_add(a, "sentence", json_object_new_string(
	    sentence));
	free(sentence);
	json_object_object_add(a, "bottleneck", sat_bottleneck(run, steps,
	    knee));
	json_object_object_add(a, "notes", notes);
	return a;
}

/* Prints "prefix: text" made safe, and a newline. */
static void
sat_print_line(const char *prefix, const char *text, FILE *out)
{
	if (text == NULL)
		return;
	fputs(prefix, out);
	util_fput_safe(text, out);
	fputc('\n', out);
}

void
saturation_print(struct json_object *assessment, FILE *out)
{
	struct json_object *b = jx_get(assessment, "bottleneck");
	struct json_object *notes = jx_get(assessment, "notes");
	size_t i;

	sat_print_line("medload: saturation: ", jx_str(jx_get(assessment,
	    "sentence"), NULL), out);
	if (b != NULL) {
		sat_print_line("medload: bottleneck: ", jx_str(jx_get(b,
		    "sentence"), NULL), out);
		sat_print_line("medload: advice: ", jx_str(jx_get(b,
		    "advice"), NULL), out);
	}
	for (i = 0; i < jx_len(notes); i++)
		sat_print_line("medload: note: ", jx_str(jx_at(notes, i),
		    NULL), out);
}
