/*
 * run.c: one load run from start to end: checks and run directory, the
 * engine, the event loop until the shape ends (or an interrupt), results.
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cli.h"
#include "edge.h"
#include "edge_steps.h"
#include "edge_ws.h"
#include "engine.h"
#include "files.h"
#include "hist.h"
#include "interrupt.h"
#include "invite.h"
#include "journal.h"
#include "run_live.h"
#include "jx.h"
#include "preflight.h"
#include "results.h"
#include "run_private.h"
#include "schedule.h"
#include "stats.h"
#include "tenant.h"
#include "util.h"
#include "workflow.h"

/* How long the sessions' closing handshakes are waited for at the end. */
#define RUN_CLOSE_WAIT 5000000

/* xorshift64*: think times. */
double
run_rand(struct run *r)
{
	r->rng ^= r->rng >> 12;
	r->rng ^= r->rng << 25;
	r->rng ^= r->rng >> 27;
	return (double)((r->rng * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0;
}

unsigned
run_shard_share(unsigned total, unsigned n, unsigned shard)
{
	unsigned full, rem, cnt;

	if (n <= 1)
		return total;
	full = total / 2;
	rem = total % 2;
	cnt = full / n + (full % n > shard ? 1 : 0);
	return 2 * cnt + (rem && full % n == shard ? 1 : 0);
}

unsigned
run_user_num(const struct run *r, unsigned k)
{
	unsigned pair = (k / 2) * (r->nshards ? r->nshards : 1) + r->shard;

	return 2 * pair + 1 + k % 2;
}

void
run_print_schedule(const struct config *c, FILE *out)
{
	schedule_print(c, out);
}

int
run_mkdirs(const char *path, char **cause)
{
	return files_mkdirs(path, cause);
}

int
run_merge(const struct config *c, char **dirs, int ndirs, FILE *out)
{
	return results_merge(c, dirs, ndirs, out);
}

char *
run_new_id(void)
{
	time_t now = time(NULL);
	struct tm tm;
	unsigned short rnd = 0;
	char buf[64];

	gmtime_r(&now, &tm);
	if (getrandom(&rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		rnd = (unsigned short)getpid();
	strftime(buf, sizeof(buf), "%Y%m%dT%H%M%SZ", &tm);
	return util_printf("%s-%04x", buf, rnd);
}

/*
 * The agents answer and the mediator invitation is usable: r->inv_json
 * and r->protocol are set. Returns an exit status (printed its error).
 */
static int
run_check(struct run *r)
{
	struct config *c = r->c;
	enum invite_kind kind = INVITE_CONNECTIONS;
	char *cause = NULL;
	int st;

	if (preflight_check(c, &st, &cause) == -1) {
		cli_error("run: %s", cause);
		free(cause);
		return st;
	}
	if (c->scenario == CONFIG_SCENARIO_HTTP)
		return STATUS_OK;
	if (invite_decode(c->invitation_url, &kind, &r->inv_json,
	    &cause) == -1) {
		cli_error("run: mediator invitation URL: %s", cause);
		free(cause);
		return STATUS_USAGE;
	}
	r->protocol = c->protocol != CONFIG_PROTOCOL_AUTO ? c->protocol :
	    kind == INVITE_OOB ? CONFIG_PROTOCOL_OOB :
	    CONFIG_PROTOCOL_CONNECTIONS;
	if (kind == INVITE_OOB && r->protocol == CONFIG_PROTOCOL_CONNECTIONS) {
		cli_error("run: --protocol connections needs a c_i= "
		    "invitation, got oob=");
		return STATUS_USAGE;
	}
	if (c->scenario == CONFIG_SCENARIO_EDGE && edge_run_init(r,
	    &cause) == -1) {
		cli_error("run: mediator invitation: %s", cause);
		free(cause);
		return STATUS_USAGE;
	}
	if (c->scenario == CONFIG_SCENARIO_EDGE && edge_ws_init(r, &cause) ==
	    -1) {
		cli_error("run: edge_ws: %s", cause);
		free(cause);
		return STATUS_USAGE;
	}
	return STATUS_OK;
}

/* The load steps of the shape (ramp-down left out) for the stats. */
static void
run_steps(struct run *r)
{
	struct shape_step *steps;
	size_t n = shape_load_steps(&r->c->shape, &steps);

	stats_set_steps(r->stats, steps, n);
	free(steps);
}

/*
 * Sets up what the loop needs: run directory, engine, stats, journal,
 * config.yaml and schedule.txt. 0, or -1 with *cause (an I/O error).
 */
static int
run_open(struct run *r, char **cause)
{
	const struct config *c = r->c;
	struct eng_opts eo;
	char *base, *path;
	int rc;

	if (c->metrics != NULL && run_live_start(r, c->metrics, cause) == -1)
		return -1;
	r->run_id = c->run_id ? util_strdup(c->run_id) : run_new_id();
	base = util_printf("%s/%s", c->out_dir, r->run_id);
	r->dir = c->shard_count ? util_printf("%s/shard-%u", base,
	    c->shard_index) : util_strdup(base);
	free(base);
	if (files_mkdirs(r->dir, cause) == -1)
		return -1;
	r->rng = c->seed ? c->seed : (unsigned long long)eng_now() ^
	    ((unsigned long long)getpid() << 32);
	if (r->rng == 0)
		r->rng = 1;
	memset(&eo, 0, sizeof(eo));
	eo.max_host_connections = c->connections;
	eo.timeout_ms = (long)(c->request_timeout * 1000);
	eo.insecure = c->insecure;
	eo.cacert = c->cacert;
	eo.max_body = 1 << 20;
	if (eng_init(&eo, &r->eng, cause) == -1)
		return -1;
	r->start = eng_now();
	edge_steps_start(r);
	r->stats = stats_new(eng_epoch_us(r->eng, r->start));
	run_steps(r);
	r->lateness = hist_new();
	path = util_printf("%s/journal.tsv", r->dir);
	rc = journal_open(path, r->run_id, r->shard + 1, r->nshards,
	    eng_epoch_us(r->eng, r->start), &r->journal, cause);
	free(path);
	if (rc == -1)
		return -1;
	return results_start(r, cause);
}

/*
 * Calls c->step_judge for the last step that ended at least half a step
 * ago, once; stops the run when it says so.
 */
static void
run_judge(struct run *r, int64_t now)
{
	const struct shape *s = &r->c->shape;
	double el = (double)(now - r->start) / 1e6;
	unsigned k = shape_step_at(s, el - s->step_time / 2);
	struct json_object *steps;
	char *why = NULL;

	if (r->c->step_judge == NULL || r->stopping || el < s->step_time *
	    1.5 || k < 2 || k - 1 <= r->judged_step)
		return;
	r->judged_step = k - 1;
	steps = stats_steps_now(r->stats, eng_epoch_us(r->eng, now));
	if (steps != NULL && r->c->step_judge(r->c->step_judge_arg, steps,
	    r->judged_step, &why) == 1) {
		if (r->tty)
			fputc('\n', r->err);
		fprintf(r->err, "medload run: stopping after step %u: %s\n",
		    r->judged_step, why ? why : "the judge said so");
		r->stop_step = r->judged_step;
		r->stop_why = why;
		why = NULL;
		schedule_stop(r);
	}
	free(why);
	json_object_put(steps);
}

/*
 * The event loop, bounded by the shape's end plus the grace period: a
 * first interrupt stops starting work, a second one ends the loop.
 */
static void
run_loop(struct run *r)
{
	int64_t now;

	for (;;) {
		if (eng_poll(r->eng) == -1 && !interrupt_pending())
			continue;
		if (journal_flush(r->journal) == -1 && !r->io_error) {
			r->io_error = 1;
			cli_error("run: journal: write error");
		}
		now = eng_now();
		if (interrupt_seen() >= 2)
			break;
		if (interrupt_seen() == 1 && !r->stopping) {
			if (r->tty)
				fputc('\n', r->err);
			if (eng_inflight(r->eng) == 0)
				fprintf(r->err, "medload run: interrupted: "
				    "stopping (no request in flight)\n");
			else
				fprintf(r->err, "medload run: interrupted: "
				    "stopping, waiting up to %gs for %u "
				    "requests in flight (interrupt again to "
				    "stop at once)\n", r->c->grace,
				    eng_inflight(r->eng));
			schedule_stop(r);
		}
		if (!r->stopping && now > r->end_at + 2000000)
			schedule_stop(r);	/* a safety net */
		run_judge(r, now);
		if (r->stopping && (eng_inflight(r->eng) == 0 ||
		    now >= r->stop_deadline))
			break;
	}
}

/* Timer: only wakes the loop up. */
static void
run_wake(void *arg, int64_t at)
{
	(void)arg;
	(void)at;
}

/*
 * After the loop: the edge agents' sessions close with the closing
 * handshake, waited for up to RUN_CLOSE_WAIT (a second interrupt ends the
 * wait); those not answered by then are counted and closed at once.
 */
static void
run_end_sessions(struct run *r)
{
	int64_t deadline = eng_now() + RUN_CLOSE_WAIT;
	unsigned n;

	if (interrupt_seen() >= 2 || (n = edge_ws_end_all(r)) == 0)
		return;
	eng_timer(r->eng, deadline, run_wake, r);
	while (edge_ws_closing(r) > 0 && eng_now() < deadline &&
	    interrupt_seen() < 2)
		(void)eng_poll(r->eng);
	if ((n = edge_ws_closing(r)) > 0)
		fprintf(r->err, "medload run: %u sessions did not answer the "
		    "close within %llds; closed anyway\n", n,
		    (long long)(RUN_CLOSE_WAIT / 1000000));
	edge_ws_close_all(r);
}

/* Reports a failure of run_finish's step; the status becomes STATUS_IO. */
static int
run_io_error(char **cause)
{
	cli_error("run: %s", *cause);
	free(*cause);
	*cause = NULL;
	return STATUS_IO;
}

/*
 * After the loop: the last progress line, the journal closed, the results
 * written. Returns an exit status.
 */
static int
run_finish(struct run *r, struct json_object **results)
{
	struct json_object *meta;
	char *cause = NULL;
	int status = STATUS_OK;

	r->finished = 1;
	stats_users(r->stats, eng_epoch_us(r->eng, eng_now()), 0, r->actual,
	    0);
	stats_set_end(r->stats, eng_epoch_us(r->eng, eng_now()));
	if (r->c->progress != CONFIG_PROGRESS_NONE)
		schedule_progress(r, eng_now(), 1);
	if (eng_inflight(r->eng) > 0)
		fprintf(r->err, "medload run: %u requests still in flight were "
		    "abandoned\n", eng_inflight(r->eng));
	meta = results_meta(r);
	if (journal_close(r->journal, &cause) == -1)
		status = run_io_error(&cause);
	r->journal = NULL;
	if (results_write(r->stats, meta, r->dir, r->c->csv_prefix, r->out,
	    results, &cause) == -1)
		status = run_io_error(&cause);
	if (status == STATUS_OK && r->ntenants > 0 &&
	    jx_int(meta, "users_never_ready", 0) == (long long)r->ntenants) {
		fprintf(r->err, "medload run: no user finished its setup: "
		    "nothing was measured\n");
		status = STATUS_NO_EVENTS;
	}
	json_object_put(meta);
	if (r->io_error)
		status = STATUS_IO;
	fprintf(r->err, "medload run: results in %s\n", r->dir);
	return status;
}

/* Frees what run_check and run_open made. */
static void
run_close(struct run *r)
{
	size_t i;

	run_live_stop(r);
	edge_ws_close_all(r);
	eng_free(r->eng);
	if (r->journal != NULL)
		journal_close(r->journal, NULL);
	stats_free(r->stats);
	hist_free(r->lateness);
	for (i = 0; i < r->ntenants; i++)
		tenant_free(r->tenants[i]);
	free(r->tenants);
	free(r->ready);
	free(r->dir);
	free(r->run_id);
	free(r->inv_json);
	free(r->stop_why);
	edge_run_free(r->edge);
}

int
run_execute(struct config *c, FILE *out, FILE *err,
    struct json_object **results)
{
	struct run r;
	char *cause = NULL;
	int status;

	memset(&r, 0, sizeof(r));
	if (results != NULL)
		*results = NULL;
	r.c = c;
	r.wf = workflow_for((enum config_scenario)c->scenario);
	r.out = out;
	r.err = err;
	r.shard = c->shard_count ? c->shard_index - 1 : 0;
	r.nshards = c->shard_count ? c->shard_count : 1;
	/* --max-setups is the whole run's: each shard its share, one at least */
	r.setup_cap = c->max_setups == 0 ? 0 : (c->max_setups + r.nshards - 1 -
	    r.shard) / r.nshards;
	if (c->max_setups != 0 && r.setup_cap == 0)
		r.setup_cap = 1;
	r.last_sample_sec = -1;
	status = run_check(&r);
	if (status != STATUS_OK) {
		run_close(&r);
		return status;
	}
	if (run_open(&r, &cause) == -1) {
		status = run_io_error(&cause);
		run_close(&r);
		return status;
	}
	r.tty = c->progress == CONFIG_PROGRESS_TTY || (c->progress == CONFIG_PROGRESS_AUTO
	    && isatty(fileno(err)));
	fprintf(err, "medload run: run %s, scenario %s%s%s, results in %s\n",
	    r.run_id, config_scenario_name(c->scenario),
	    c->scenario == CONFIG_SCENARIO_HTTP ? "" : ", protocol ",
	    c->scenario == CONFIG_SCENARIO_HTTP ? "" :
	    config_protocol_name(r.protocol), r.dir);
	schedule_start(&r);
	run_loop(&r);
	run_end_sessions(&r);
	status = run_finish(&r, results);
	run_close(&r);
	return status;
}
