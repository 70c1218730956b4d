/* run.c: the load driver: tenants, spawner, pacing, journal, results. */
#include "run.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "cli.h"
#include "engine.h"
#include "files.h"
#include "hist.h"
#include "invite.h"
#include "interrupt.h"
#include "journal.h"
#include "jx.h"
#include "preflight.h"
#include "stats.h"
#include "timeutil.h"
#include "util.h"

enum tenant_state { TS_SETUP, TS_READY, TS_STOPPED, TS_FAILED };

/* Setup steps, in order; some are skipped by scenario or protocol. */
enum tenant_step {
	STEP_WALLET,		/* 000_create_wallet */
	STEP_CONNECT,		/* 001_connect_to_mediator */
	STEP_MED_ACTIVE,	/* 002_connections_list until active */
	STEP_REQ_MED,		/* 003_request_mediation */
	STEP_GRANTED,		/* 004_mediation_granted (poll) */
	STEP_DEFAULT,		/* 005_default_mediator */
	STEP_PEER_WAIT,		/* the peer finished its setup */
	STEP_CREATE_INV,	/* 011_create_invitation */
	STEP_RECEIVE_INV,	/* 012_receive_invitation (peer's token) */
	STEP_FETCH_OWN,		/* 013_connection_fetch, own side */
	STEP_FETCH_PEER,	/* 013_connection_fetch, peer's side */
	STEP_DONE,
};

#define ID_LEN 48

struct tenant {
	struct run *run;
	char *token;		/* secret */
	char *inv;		/* invitation JSON while peering */
	int64_t wait_start, wait_deadline, poll_delay;
	unsigned num;		/* global user number, 1-based */
	unsigned k;		/* index among this shard's users */
	int ready_idx;
	uint8_t state, step, tries, peer_ok, parity;
	char med_conn[ID_LEN], med_id[ID_LEN], peer_conn[ID_LEN];
};

struct run {
	struct config *c;
	struct eng *eng;
	struct stats *stats;
	struct journal *journal;
	struct hist *lateness;		/* task start - intended, us */
	FILE *out, *err;
	char *dir;
	char *run_id;
	char *inv_json;			/* the mediator invitation */
	int protocol;			/* CONFIG_PROTOCOL_CONNECTIONS or _OOB */
	int64_t start;			/* mono */
	int64_t end_at;			/* mono; shape end */
	int64_t stop_deadline;
	int stopping, finished, io_error;
	unsigned shard, nshards;	/* 0-based shard */
	struct tenant **tenants;	/* in spawn order */
	size_t ntenants, atenants;
	unsigned actual;
	unsigned target;
	/* spawn ticks: the last one run, the next one due, their spacing */
	int64_t spawn_last, spawn_at, spawn_d;
	size_t top;			/* tenants[0..top) may be active */
	struct tenant **ready;
	size_t nready, rr;
	/* open pacing */
	int64_t open_sec;
	unsigned open_n, open_i;
	double open_carry;
	/* users samples */
	unsigned last_target, last_actual;
	int64_t last_sample_sec;
	/* progress */
	int tty;
	int64_t last_plain;
	uint64_t tasks_skipped, gave_up;
	unsigned long long rng;
};

/* One request in flight. */
struct call {
	struct tenant *t;	/* the tenant whose workflow it serves */
	struct tenant *as;	/* the tenant whose token it uses */
	const char *method, *name;
	int task;		/* a ping (not a setup step) */
};

static void tenant_step_run(struct tenant *t, int64_t sched);
static void run_begin_stop(struct run *r);
static void run_spawn_wake(struct run *r);

/* xorshift64*: think times. */
static double
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

/* Global user number of this shard's k-th user. */
static unsigned
run_user_num(const struct run *r, unsigned k)
{
	unsigned pair = (k / 2) * (r->nshards ? r->nshards : 1) + r->shard;

	return 2 * pair + 1 + k % 2;
}

/* Writes the tenant's wallet name into buf. */
static const char *
tenant_name(const struct tenant *t, char *buf, size_t size)
{
	snprintf(buf, size, "%s-%s-%u", t->run->c->label_prefix,
	    t->run->run_id, t->num);
	return buf;
}

/* Records a finished request or wait. */
static void
run_record(struct run *r, const char *method, const char *name,
    const struct tenant *as, int64_t sched, int64_t start, int64_t end,
    int status, enum stats_err err, const char *error, const char *detail,
    uint64_t bytes)
{
	struct stats_rec rec;
	char tn[160];

	memset(&rec, 0, sizeof(rec));
	rec.method = method;
	rec.name = name;
	rec.tenant = as != NULL ? tenant_name(as, tn, sizeof(tn)) : "-";
	rec.sched_us = eng_epoch_us(r->eng, sched);
	rec.start_us = eng_epoch_us(r->eng, start);
	rec.end_us = eng_epoch_us(r->eng, end);
	rec.status = status;
	rec.err = err;
	rec.error = error;
	rec.detail = detail;
	rec.bytes = bytes;
	stats_record(r->stats, &rec);
	journal_request(r->journal, &rec);
}

/* Removes a tenant from the ready list. */
static void
run_unready(struct run *r, struct tenant *t)
{
	if (t->ready_idx < 0)
		return;
	r->ready[t->ready_idx] = r->ready[--r->nready];
	r->ready[t->ready_idx]->ready_idx = t->ready_idx;
	t->ready_idx = -1;
}

/* Frees a tenant's secrets and scratch. */
static void
tenant_clear(struct tenant *t)
{
	if (t->token != NULL) {
		memset(t->token, 0, strlen(t->token));
		free(t->token);
		t->token = NULL;
	}
	free(t->inv);
	t->inv = NULL;
}

/* A tenant leaves the user count (stopped or gave up). */
static void
tenant_leave(struct tenant *t, enum tenant_state why)
{
	struct run *r = t->run;

	if (t->state == TS_STOPPED || t->state == TS_FAILED)
		return;
	run_unready(r, t);
	t->state = why;
	r->actual--;
	if (why == TS_FAILED)
		r->gave_up++;
	run_spawn_wake(r);
}

/* Classifies a transfer's result; returns the parsed body or NULL. */
static struct json_object *
run_classify(const struct eng_result *res, enum stats_err *err,
    char *msg, size_t size)
{
	struct json_object *o;

	*err = STATS_OK;
	msg[0] = '\0';
	if (res->curl_code != CURLE_OK) {
		*err = res->curl_code == CURLE_OPERATION_TIMEDOUT ?
		    STATS_ERR_TIMEOUT : res->curl_code == CURLE_WRITE_ERROR ?
		    STATS_ERR_BODY : STATS_ERR_CONNECTION;
		snprintf(msg, size, "%s: %s", *err == STATS_ERR_TIMEOUT ?
		    "timeout" : *err == STATS_ERR_BODY ? "body" : "connection",
		    curl_easy_strerror((CURLcode)res->curl_code));
		return NULL;
	}
	if (res->status < 200 || res->status > 299) {
		*err = STATS_ERR_HTTP;
		snprintf(msg, size, "HTTP %ld", res->status);
		return NULL;
	}
	o = json_tokener_parse(res->body);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*err = STATS_ERR_BODY;
		snprintf(msg, size, "body: not a JSON object");
		return NULL;
	}
	return o;
}

/* A string member of o, or NULL (borrowed). */
static const char *
run_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Copies an identifier into a fixed field; 0, or -1 when unusable. */
static int
run_copy_id(char *dst, const char *src)
{
	size_t n;

	if (src == NULL || (n = strlen(src)) == 0 || n >= ID_LEN ||
	    strspn(src, "0123456789abcdefABCDEF-") != n)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

/* Says whether a connection state means ready. */
static int
run_conn_active(const char *state)
{
	return state != NULL && (strcmp(state, "active") == 0 ||
	    strcmp(state, "completed") == 0);
}

/* Sends a request for tenant t using as's token. */
static void
run_send(struct tenant *t, struct tenant *as, const char *method,
    const char *name, const char *path, const char *body, int64_t sched,
    int task, eng_done_fn fn)
{
	struct run *r = t->run;
	struct eng_call ec;
	struct call *cl = util_calloc(1, sizeof(*cl));
	char *url = util_printf("%s%s", r->c->admin_url, path);
	char *bearer = NULL;

	cl->t = t;
	cl->as = as;
	cl->method = method;
	cl->name = name;
	cl->task = task;
	memset(&ec, 0, sizeof(ec));
	ec.method = method;
	ec.url = url;
	ec.body = body;
	ec.api_key = r->c->admin_api_key;
	if (as != NULL && as->token != NULL)
		bearer = util_printf("Bearer %s", as->token);
	ec.token = bearer;
	ec.sched_us = sched;
	if (eng_request(r->eng, &ec, fn, cl) == -1) {
		int64_t now = eng_now();

		run_record(r, method, name, as, sched, now, now, 0,
		    STATS_ERR_OTHER, "could not start a transfer", NULL, 0);
		free(cl);
	}
	if (bearer != NULL) {
		memset(bearer, 0, strlen(bearer));
		free(bearer);
	}
	free(url);
}

/* Next setup step after s for this run's scenario. */
static enum tenant_step
run_next_step(const struct tenant *t, enum tenant_step s)
{
	const struct run *r = t->run;

	s++;
	if (r->c->scenario == CONFIG_SCENARIO_SEED &&
	    (s == STEP_REQ_MED || s == STEP_GRANTED || s == STEP_DEFAULT))
		s = STEP_PEER_WAIT;
	if (s == STEP_PEER_WAIT && t->num % 2 == 1)
		s = STEP_DONE;	/* odd users are invited, never invite */
	return s;
}

/* Timer: run the tenant's current step. */
static void
tenant_timer(void *arg, int64_t at)
{
	struct tenant *t = arg;

	if (t->state == TS_SETUP && !t->run->stopping)
		tenant_step_run(t, at);
}

/* Schedules the next task of a think-paced tenant. */
static void run_task_timer(void *arg, int64_t at);

/* The tenant finished its setup. */
static void
tenant_ready(struct tenant *t, int64_t now)
{
	struct run *r = t->run;

	t->state = TS_READY;
	t->ready_idx = (int)r->nready;
	r->ready[r->nready++] = t;
	if (r->c->pacing == CONFIG_PACING_THINK)
		eng_timer(r->eng, now + (int64_t)(1e6 * (r->c->think_min +
		    run_rand(r) * (r->c->think_max - r->c->think_min))),
		    run_task_timer, t);
}

/* Moves on to step s now. */
static void
tenant_advance(struct tenant *t, enum tenant_step s, int64_t now)
{
	t->step = (uint8_t)s;
	t->tries = 0;
	t->wait_start = 0;
	if (s == STEP_DONE) {
		free(t->inv);
		t->inv = NULL;
		tenant_ready(t, now);
		return;
	}
	tenant_step_run(t, now);
}

/* The step failed: retry after a backoff, or give up. */
static void
tenant_step_failed(struct tenant *t, int64_t now)
{
	struct run *r = t->run;

	if (t->step >= STEP_PEER_WAIT) {
		/* peering failed: carry on without a peer */
		t->peer_ok = 0;
		tenant_advance(t, STEP_DONE, now);
		return;
	}
	if (t->tries < r->c->retries) {
		t->tries++;
		eng_timer(r->eng, now + 1000000LL * t->tries, tenant_timer, t);
		return;
	}
	tenant_leave(t, TS_FAILED);
	tenant_clear(t);
}

/* A state wait saw "not yet": poll again, or time out. */
static void
tenant_wait_more(struct tenant *t, const char *name, int64_t now)
{
	struct run *r = t->run;

	if (now >= t->wait_deadline) {
		char msg[64];

		snprintf(msg, sizeof(msg), "timeout: no state change in %gs",
		    r->c->wait_timeout);
		run_record(r, "WAIT", name, t, t->wait_start, t->wait_start,
		    now, 0, STATS_ERR_TIMEOUT, msg, NULL, 0);
		t->wait_start = 0;
		tenant_step_failed(t, now);
		return;
	}
	eng_timer(r->eng, now + t->poll_delay, tenant_timer, t);
	t->poll_delay *= 2;
	if (t->poll_delay > 2000000)
		t->poll_delay = 2000000;
}

/* A state wait ended well: record its duration and advance. */
static void
tenant_wait_done(struct tenant *t, const char *name, int64_t now)
{
	run_record(t->run, "WAIT", name, t, t->wait_start, t->wait_start,
	    now, 200, STATS_OK, NULL, NULL, 0);
	tenant_advance(t, run_next_step(t, (enum tenant_step)t->step), now);
}

/* Finds a connection record in a list answer; returns its state. */
static const char *
run_find_conn(struct json_object *o, const char *id, const char **found)
{
	struct json_object *res, *e;
	size_t i, n;

	*found = NULL;
	if (!json_object_object_get_ex(o, "results", &res) ||
	    !json_object_is_type(res, json_type_array))
		return NULL;
	n = jx_len(res);
	for (i = 0; i < n; i++) {
		const char *cid;

		e = jx_at(res, i);
		cid = run_str(e, "connection_id");
		if (cid == NULL)
			continue;
		if (id == NULL || strcmp(cid, id) == 0) {
			*found = cid;
			return run_str(e, "state");
		}
	}
	return NULL;
}

/* A setup request ended. */
static void
tenant_done(void *arg, const struct eng_result *res)
{
	struct call *cl = arg;
	struct tenant *t = cl->t, *peer;
	struct run *r = t->run;
	struct json_object *o;
	enum stats_err err;
	const char *v = NULL, *state;
	char msg[160];
	int ok = 1, reached = 1;

	if (res == NULL) {	/* abandoned at the end of the run */
		free(cl);
		return;
	}
	o = run_classify(res, &err, msg, sizeof(msg));
	if (o != NULL && !r->stopping && t->state == TS_SETUP) {
		switch ((enum tenant_step)t->step) {
		case STEP_WALLET:
			v = run_str(o, "token");
			if (v == NULL || *v == '\0')
				ok = 0;
			else {
				tenant_clear(t);
				t->token = util_strdup(v);
			}
			break;
		case STEP_CONNECT:
			ok = run_copy_id(t->med_conn,
			    run_str(o, "connection_id")) == 0;
			break;
		case STEP_MED_ACTIVE:
			state = run_find_conn(o, t->med_conn, &v);
			reached = run_conn_active(state);
			break;
		case STEP_REQ_MED:
			ok = run_copy_id(t->med_id,
			    run_str(o, "mediation_id")) == 0;
			break;
		case STEP_GRANTED:
			state = run_str(o, "state");
			reached = state != NULL && strcmp(state, "granted") == 0;
			break;
		case STEP_DEFAULT:
			break;
		case STEP_CREATE_INV: {
			struct json_object *inv;

			ok = json_object_object_get_ex(o, "invitation", &inv)
			    && json_object_is_type(inv, json_type_object);
			if (ok) {
				free(t->inv);
				t->inv = util_strdup(
				    json_object_to_json_string_ext(inv,
				    JSON_C_TO_STRING_PLAIN));
			}
			if (ok && r->protocol == CONFIG_PROTOCOL_CONNECTIONS)
				ok = run_copy_id(t->peer_conn,
				    run_str(o, "connection_id")) == 0;
			break;
		}
		case STEP_RECEIVE_INV:
			peer = r->tenants[t->k - 1];
			ok = run_copy_id(peer->peer_conn,
			    run_str(o, "connection_id")) == 0;
			break;
		case STEP_FETCH_OWN:
			if (r->protocol == CONFIG_PROTOCOL_OOB) {
				state = run_find_conn(o, NULL, &v);
				if (v != NULL)
					run_copy_id(t->peer_conn, v);
			} else
				state = run_str(o, "state");
			reached = run_conn_active(state);
			break;
		case STEP_FETCH_PEER:
			reached = run_conn_active(run_str(o, "state"));
			break;
		default:
			break;
		}
		if (!ok) {
			err = STATS_ERR_BODY;
			snprintf(msg, sizeof(msg), "body: no usable %s",
			    t->step == STEP_WALLET ? "token" :
			    t->step == STEP_CREATE_INV ? "invitation" :
			    t->step == STEP_REQ_MED ? "mediation_id" :
			    "connection_id");
		}
	}
	run_record(r, cl->method, cl->name, cl->as, res->sched_us,
	    res->start_us, res->end_us, (int)res->status, err,
	    err != STATS_OK ? msg : NULL, NULL, res->len);
	json_object_put(o);
	free(cl);
	if (r->stopping || t->state != TS_SETUP)
		return;
	if (err != STATS_OK) {
		tenant_step_failed(t, res->end_us);
		return;
	}
	switch ((enum tenant_step)t->step) {
	case STEP_MED_ACTIVE:
	case STEP_GRANTED:
	case STEP_FETCH_OWN:
	case STEP_FETCH_PEER:
		if (!reached) {
			tenant_wait_more(t, t->step == STEP_MED_ACTIVE ?
			    "002_connections_list" : t->step == STEP_GRANTED ?
			    "004_mediation_granted" : "013_connection_fetch",
			    res->end_us);
			return;
		}
		if (t->step == STEP_FETCH_PEER) {
			peer = r->tenants[t->k - 1];
			t->peer_ok = 1;
			peer->peer_ok = 1;
		}
		tenant_wait_done(t, t->step == STEP_MED_ACTIVE ?
		    "002_connections_list" : t->step == STEP_GRANTED ?
		    "004_mediation_granted" : "013_connection_fetch",
		    res->end_us);
		return;
	default:
		tenant_advance(t, run_next_step(t, (enum tenant_step)t->step),
		    res->end_us);
	}
}

/* Starts a wait when it is not running yet. */
static void
tenant_wait_begin(struct tenant *t, int64_t now)
{
	if (t->wait_start != 0)
		return;
	t->wait_start = now;
	t->wait_deadline = now + (int64_t)(t->run->c->wait_timeout * 1e6);
	t->poll_delay = (int64_t)(t->run->c->poll_interval * 1e6);
}

/* Builds the wallet creation body. */
static char *
run_wallet_body(const struct tenant *t)
{
	unsigned char b[16];
	char key[40], name[160], *s;
	struct json_object *o = json_object_new_object();

	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		size_t i;

		for (i = 0; i < sizeof(b); i++)
			b[i] = (unsigned char)(run_rand(t->run) * 256);
	}
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(key, sizeof(key), "%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3],
	    b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13],
	    b[14], b[15]);
	tenant_name(t, name, sizeof(name));
	json_object_object_add(o, "key_management_mode",
	    json_object_new_string("managed"));
	json_object_object_add(o, "wallet_dispatch_type",
	    json_object_new_string("default"));
	json_object_object_add(o, "wallet_name", json_object_new_string(name));
	json_object_object_add(o, "wallet_key", json_object_new_string(key));
	json_object_object_add(o, "label", json_object_new_string(name));
	json_object_object_add(o, "wallet_type",
	    json_object_new_string("askar"));
	json_object_object_add(o, "wallet_webhook_urls",
	    json_object_new_array());
	s = util_strdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	memset(key, 0, sizeof(key));
	return s;
}

/* Checks the peer's progress before inviting it. */
static void
tenant_peer_wait(struct tenant *t, int64_t now)
{
	struct run *r = t->run;
	struct tenant *peer = t->k > 0 ? r->tenants[t->k - 1] : NULL;

	if (peer == NULL || peer->state == TS_STOPPED ||
	    peer->state == TS_FAILED) {
		tenant_advance(t, STEP_DONE, now);
		return;
	}
	if (peer->state == TS_READY) {
		tenant_advance(t, STEP_CREATE_INV, now);
		return;
	}
	tenant_wait_begin(t, now);
	if (now >= t->wait_deadline) {
		tenant_advance(t, STEP_DONE, now);
		return;
	}
	eng_timer(r->eng, now + 250000, tenant_timer, t);
}

/* Issues the request of the tenant's current step. */
static void
tenant_step_run(struct tenant *t, int64_t sched)
{
	struct run *r = t->run;
	struct tenant *peer = t->k > 0 ? r->tenants[t->k - 1] : NULL;
	int oob = r->protocol == CONFIG_PROTOCOL_OOB;
	char path[512], name[160], pname[160];
	struct json_object *o;
	char *body;

	switch ((enum tenant_step)t->step) {
	case STEP_WALLET:
		body = run_wallet_body(t);
		run_send(t, t, "POST", "000_create_wallet",
		    "/multitenancy/wallet", body, sched, 0, tenant_done);
		memset(body, 0, strlen(body));
		free(body);
		break;
	case STEP_CONNECT:
		run_send(t, t, "POST", "001_connect_to_mediator", oob ?
		    "/out-of-band/receive-invitation?alias=mediator&"
		    "auto_accept=true" : "/connections/receive-invitation?"
		    "alias=mediator&auto_accept=true", r->inv_json, sched, 0,
		    tenant_done);
		break;
	case STEP_MED_ACTIVE:
		tenant_wait_begin(t, sched);
		run_send(t, t, "GET", "002_connections_list",
		    "/connections?alias=mediator", NULL, sched, 0,
		    tenant_done);
		break;
	case STEP_REQ_MED:
		snprintf(path, sizeof(path), "/mediation/request/%s",
		    t->med_conn);
		run_send(t, t, "POST", "003_request_mediation", path, "{}",
		    sched, 0, tenant_done);
		break;
	case STEP_GRANTED:
		tenant_wait_begin(t, sched);
		snprintf(path, sizeof(path), "/mediation/requests/%s",
		    t->med_id);
		run_send(t, t, "GET", "004_mediation_granted", path, NULL,
		    sched, 0, tenant_done);
		break;
	case STEP_DEFAULT:
		snprintf(path, sizeof(path), "/mediation/%s/default-mediator",
		    t->med_id);
		run_send(t, t, "PUT", "005_default_mediator", path, NULL,
		    sched, 0, tenant_done);
		break;
	case STEP_PEER_WAIT:
		tenant_peer_wait(t, sched);
		break;
	case STEP_CREATE_INV:
		tenant_name(t, name, sizeof(name));
		tenant_name(peer, pname, sizeof(pname));
		o = json_object_new_object();
		json_object_object_add(o, "my_label",
		    json_object_new_string(name));
		if (r->c->scenario == CONFIG_SCENARIO_MEDIATION)
			json_object_object_add(o, "mediation_id",
			    json_object_new_string(t->med_id));
		if (oob) {
			struct json_object *hp = json_object_new_array();

			json_object_object_add(o, "alias",
			    json_object_new_string(pname));
			json_object_array_add(hp, json_object_new_string(
			    "https://didcomm.org/didexchange/1.1"));
			json_object_object_add(o, "handshake_protocols", hp);
			json_object_object_add(o, "use_public_did",
			    json_object_new_boolean(0));
			snprintf(path, sizeof(path), "/out-of-band/"
			    "create-invitation?auto_accept=true");
		} else
			snprintf(path, sizeof(path), "/connections/"
			    "create-invitation?alias=%s&auto_accept=true",
			    pname);
		run_send(t, t, "POST", "011_create_invitation", path,
		    json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN),
		    sched, 0, tenant_done);
		json_object_put(o);
		break;
	case STEP_RECEIVE_INV:
		tenant_name(t, name, sizeof(name));
		snprintf(path, sizeof(path), "/%s/receive-invitation?alias=%s&"
		    "auto_accept=true%s%s", oob ? "out-of-band" :
		    "connections", name,
		    r->c->scenario == CONFIG_SCENARIO_MEDIATION ? "&mediation_id=" :
		    "", r->c->scenario == CONFIG_SCENARIO_MEDIATION ? peer->med_id :
		    "");
		run_send(t, peer, "POST", "012_receive_invitation", path,
		    t->inv, sched, 0, tenant_done);
		break;
	case STEP_FETCH_OWN:
		tenant_wait_begin(t, sched);
		if (oob) {
			tenant_name(peer, pname, sizeof(pname));
			snprintf(path, sizeof(path), "/connections?alias=%s",
			    pname);
		} else
			snprintf(path, sizeof(path), "/connections/%s",
			    t->peer_conn);
		run_send(t, t, "GET", "013_connection_fetch", path, NULL,
		    sched, 0, tenant_done);
		break;
	case STEP_FETCH_PEER:
		tenant_wait_begin(t, sched);
		snprintf(path, sizeof(path), "/connections/%s",
		    peer->peer_conn);
		run_send(t, peer, "GET", "013_connection_fetch", path, NULL,
		    sched, 0, tenant_done);
		break;
	case STEP_DONE:
		break;
	}
}

/* A task (ping or GET) ended. */
static void
run_task_done(void *arg, const struct eng_result *res)
{
	struct call *cl = arg;
	struct tenant *t = cl->t;
	struct run *r = t->run;
	struct json_object *o = NULL;
	enum stats_err err;
	char msg[160];
	const char *tid = NULL;

	if (res == NULL) {	/* abandoned at the end of the run */
		free(cl);
		return;
	}
	if (r->c->scenario == CONFIG_SCENARIO_HTTP) {
		err = STATS_OK;
		msg[0] = '\0';
		if (res->curl_code != CURLE_OK || res->status < 200 ||
		    res->status > 399)
			json_object_put(run_classify(res, &err, msg,
			    sizeof(msg)));
	} else {
		o = run_classify(res, &err, msg, sizeof(msg));
		tid = run_str(o, "thread_id");
	}
	run_record(r, cl->method, cl->name, cl->as, res->sched_us,
	    res->start_us, res->end_us, (int)res->status, err,
	    err != STATS_OK ? msg : NULL, tid, res->len);
	json_object_put(o);
	free(cl);
	if (r->c->pacing == CONFIG_PACING_THINK && t->state == TS_READY &&
	    !r->stopping)
		eng_timer(r->eng, res->end_us + (int64_t)(1e6 *
		    (r->c->think_min + run_rand(r) * (r->c->think_max -
		    r->c->think_min))), run_task_timer, t);
}

/* Starts one task of tenant t, intended at sched. */
static void
run_task(struct tenant *t, int64_t sched)
{
	struct run *r = t->run;
	char path[256], body[160];
	int other;

	hist_record(r->lateness, (double)(eng_now() > sched ?
	    eng_now() - sched : 0));
	if (r->c->scenario == CONFIG_SCENARIO_HTTP) {
		struct eng_call ec;
		struct call *cl = util_calloc(1, sizeof(*cl));

		cl->t = t;
		cl->method = "GET";
		cl->name = "http_get";
		cl->task = 1;
		memset(&ec, 0, sizeof(ec));
		ec.method = "GET";
		ec.url = r->c->url;
		ec.sched_us = sched;
		if (eng_request(r->eng, &ec, run_task_done, cl) == -1) {
			run_record(r, "GET", "http_get", NULL, sched, sched,
			    eng_now(), 0, STATS_ERR_OTHER,
			    "could not start a transfer", NULL, 0);
			free(cl);
		}
		return;
	}
	other = t->parity && t->peer_ok && t->peer_conn[0] != '\0';
	t->parity ^= 1;
	snprintf(path, sizeof(path), "/connections/%s/send-ping", other ?
	    t->peer_conn : t->med_conn);
	snprintf(body, sizeof(body), "{\"comment\":\"medload %s ping %s\"}",
	    r->run_id, other ? "other" : "mediator");
	run_send(t, t, "POST", other ? "022_ping_other" : "021_ping_mediator",
	    path, body, sched, 1, run_task_done);
}

/* Timer: a think-paced tenant's next task. */
static void
run_task_timer(void *arg, int64_t at)
{
	struct tenant *t = arg;

	if (t->state == TS_READY && !t->run->stopping)
		run_task(t, at);
}

/* Timer: the open model's next task start. */
static void
run_open_tick(void *arg, int64_t at)
{
	struct run *r = arg;

	if (r->stopping)
		return;
	if (at >= r->open_sec + 1000000 || r->open_n == 0 ||
	    r->open_i >= r->open_n) {
		double lambda;

		if (at >= r->open_sec + 1000000)
			r->open_sec += 1000000 *
			    ((at - r->open_sec) / 1000000);
		lambda = r->c->rate > 0 ? r->c->rate / (r->nshards ?
		    r->nshards : 1) : r->c->active_fraction *
		    (double)r->nready;
		lambda += r->open_carry;
		r->open_n = (unsigned)floor(lambda);
		r->open_carry = lambda - r->open_n;
		r->open_i = 0;
		if (r->open_n == 0) {
			r->open_sec += 1000000;
			eng_timer(r->eng, r->open_sec, run_open_tick, r);
			return;
		}
	}
	if (r->nready > 0) {
		struct tenant *t = r->ready[r->rr++ % r->nready];

		run_task(t, at);
	} else
		r->tasks_skipped++;
	r->open_i++;
	if (r->open_i < r->open_n)
		eng_timer(r->eng, r->open_sec + (int64_t)r->open_i * 1000000 /
		    r->open_n, run_open_tick, r);
	else {
		r->open_sec += 1000000;
		r->open_n = 0;
		eng_timer(r->eng, r->open_sec, run_open_tick, r);
	}
}

/* Records the user counts (journal only when they change or each second). */
static void
run_sample(struct run *r, int64_t now)
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
run_spawn(struct run *r, int64_t now)
{
	struct tenant *t;

	if (r->ntenants == r->atenants) {
		r->atenants = r->atenants ? r->atenants * 2 : 64;
		r->tenants = util_realloc(r->tenants, r->atenants *
		    sizeof(*r->tenants));
		r->ready = util_realloc(r->ready, r->atenants *
		    sizeof(*r->ready));
	}
	t = util_calloc(1, sizeof(*t));
	t->run = r;
	t->k = (unsigned)r->ntenants;
	t->num = run_user_num(r, t->k);
	t->ready_idx = -1;
	r->tenants[r->ntenants++] = t;
	r->top = r->ntenants;
	r->actual++;
	if (r->c->scenario == CONFIG_SCENARIO_HTTP) {
		tenant_ready(t, now);
		return;
	}
	t->state = TS_SETUP;
	t->step = STEP_WALLET;
	tenant_step_run(t, now);
}

/* Stops the most recently started active user. */
static void
run_unspawn(struct run *r)
{
	while (r->top > 0) {
		struct tenant *t = r->tenants[r->top - 1];

		if (t->state == TS_SETUP || t->state == TS_READY) {
			tenant_leave(t, TS_STOPPED);
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
run_span_end(const struct shape *s, double t)
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
run_spawn_tick(void *arg, int64_t at)
{
	struct run *r = arg;
	double t = (double)(at - r->start) / 1e6, rate;
	unsigned target;
	int64_t d, next, until;

	if (r->stopping || at != r->spawn_at)
		return;		/* stopped, or superseded by run_spawn_wake */
	if (shape_target(&r->c->shape, t, &target, &rate) == -1) {
		run_begin_stop(r);
		return;
	}
	r->target = run_shard_share(target, r->nshards, r->shard);
	if (r->actual < r->target)
		run_spawn(r, at);
	else if (r->actual > r->target)
		run_unspawn(r);
	run_sample(r, at);
	d = (int64_t)(1e6 / rate);
	next = at + d;
	/*
	 * At the target, the ticks until the target can change would do
	 * nothing: skip to the first of them at or after that moment, on the
	 * same grid (run_spawn_wake brings it forward when a user leaves).
	 */
	if (r->actual == r->target && d > 0 && t < shape_main_end(
	    &r->c->shape)) {
		until = r->start + (int64_t)(1e6 * run_span_end(&r->c->shape,
		    t)) - 1;
		if (until > next)
			next = at + (until - at + d - 1) / d * d;
	}
	r->spawn_last = at;
	r->spawn_d = d;
	r->spawn_at = next;
	eng_timer(r->eng, next, run_spawn_tick, r);
}

/* The user count dropped: the spawn tick due next on the grid runs. */
static void
run_spawn_wake(struct run *r)
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
		eng_timer(r->eng, next, run_spawn_tick, r);
	}
}

/* Timer: only wakes the loop up. */
static void
run_noop(void *arg, int64_t at)
{
	(void)arg;
	(void)at;
}

/* Stops starting work; in-flight requests get the grace period. */
static void
run_begin_stop(struct run *r)
{
	if (r->stopping)
		return;
	r->stopping = 1;
	r->stop_deadline = eng_now() + (int64_t)(r->c->grace * 1e6);
	r->target = 0;
	eng_timer(r->eng, r->stop_deadline, run_noop, r);
}

/* Prints the progress line. */
static void
run_progress(struct run *r, int64_t now, int final)
{
	double el = (double)(now - r->start) / 1e6;
	int64_t ep = eng_epoch_us(r->eng, now);
	unsigned step = r->c->shape.nstages == 0 ?
	    (unsigned)(el / r->c->shape.step_time) + 1 : 0;
	char line[256];
	uint64_t fails = stats_failures(r->stats);
	const char *nc = getenv("NO_COLOR");
	int color = r->tty && (nc == NULL || *nc == '\0') && fails > 0;

	if (r->c->shape.nstages > 0) {
		double acc = 0;
		size_t i;

		for (i = 0; i < r->c->shape.nstages; i++) {
			acc += r->c->shape.stages[i].duration;
			step = (unsigned)i + 1;
			if (el < acc)
				break;
		}
	}
	snprintf(line, sizeof(line), "%5.0fs step %u users %u/%u req/s %.1f "
	    "requests %llu failures %s%llu%s p95 %.0fms%s", el, step,
	    r->actual, r->target, stats_recent_rate(r->stats, ep),
	    (unsigned long long)stats_count(r->stats), color ? "\033[31m" :
	    "", (unsigned long long)fails, color ? "\033[0m" : "",
	    stats_recent_p95(r->stats, ep), r->stopping ? " (stopping)" : "");
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
run_second_tick(void *arg, int64_t at)
{
	struct run *r = arg;

	run_sample(r, at);
	if (r->c->progress != PROGRESS_NONE)
		run_progress(r, at, 0);
	if (!r->finished)
		eng_timer(r->eng, at + 1000000, run_second_tick, r);
}

/* Prints the planned schedule. */
void
run_print_schedule(const struct config *c, FILE *out)
{
	struct shape_step *steps;
	size_t n, i, max = 100000;
	char a[32], b[32];

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
		double rate;

		if (c->pacing == CONFIG_PACING_OPEN)
			rate = c->rate > 0 ? c->rate : c->active_fraction *
			    steps[i].users;
		else
			rate = steps[i].users / ((c->think_min +
			    c->think_max) / 2 > 0 ? (c->think_min +
			    c->think_max) / 2 : 1);
		fprintf(out, "%-5zu %9s %9s %7u %14.2f\n", i + 1,
		    util_num(steps[i].start, a), util_num(steps[i].end, b),
		    steps[i].users, c->scenario == CONFIG_SCENARIO_HTTP ||
		    c->pacing == CONFIG_PACING_OPEN || c->think_max > 0 ? rate : 0);
	}
	fprintf(out, "# end %ss\n", util_num(shape_end(&c->shape), a));
	free(steps);
}

/* Writes text to path, a file medload names (0, or -1 with *cause). */
static int
run_write_file(const char *path, const char *text, char **cause)
{
	return files_write(path, FILES_OWN, text, strlen(text), cause);
}

int
run_mkdirs(const char *path, char **cause)
{
	return files_mkdirs(path, cause);
}

/* Writes the end results: table, CSV files, results.json, summary.txt. */
static int
run_results(struct stats *st, struct json_object *meta, const char *dir,
    const char *csv_prefix, FILE *out, char **cause)
{
	struct json_object *doc;
	struct files_out fo;
	char *path, *prefix;
	int rc;

	stats_print_table(st, out);
	fflush(out);
	path = util_printf("%s/summary.txt", dir);
	rc = files_open(&fo, path, FILES_OWN, cause);
	if (rc == 0) {
		stats_print_table(st, fo.f);
		rc = files_close(&fo, 1, cause);
	}
	free(path);
	prefix = csv_prefix ? util_strdup(csv_prefix) :
	    util_printf("%s/medload", dir);
	if (rc == 0 && stats_write_csv(st, prefix, csv_prefix ? FILES_USER :
	    FILES_OWN, cause) == -1)
		rc = -1;
	free(prefix);
	doc = stats_json(st, meta);
	path = util_printf("%s/results.json", dir);
	if (rc == 0) {
		struct strbuf b;

		strbuf_init(&b, 0);
		strbuf_adds(&b, json_object_to_json_string_ext(doc,
		    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
		    JSON_C_TO_STRING_NOSLASHESCAPE));
		strbuf_addc(&b, '\n');
		rc = run_write_file(path, b.data, cause);
		strbuf_release(&b);
	}
	free(path);
	json_object_put(doc);
	return rc;
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

/* Capture of config_print into a string (caller frees). */
static char *
run_config_text(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	config_print(c, f);
	fclose(f);
	return buf;
}

/* Schedule text (caller frees). */
static char *
run_schedule_text(const struct config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	run_print_schedule(c, f);
	fclose(f);
	return buf;
}

/* The meta block of results.json. */
static struct json_object *
run_meta(const struct run *r)
{
	struct json_object *m = json_object_new_object(), *cfg, *lat;
	static const double q[] = { 50, 99, 99.9 };
	double p[3];

	json_object_object_add(m, "run_id", json_object_new_string(
	    r->run_id));
	cfg = config_json(r->c);
	json_object_object_add(m, "config", cfg);
	json_object_object_add(m, "scenario", json_object_new_string(
	    config_scenario_name(r->c->scenario)));
	json_object_object_add(m, "protocol", json_object_new_string(
	    r->c->scenario == CONFIG_SCENARIO_HTTP ? "http" :
	    config_protocol_name(r->protocol)));
	json_object_object_add(m, "shard", json_object_new_int64(
	    r->shard + 1));
	json_object_object_add(m, "shards", json_object_new_int64(
	    r->nshards ? r->nshards : 1));
	json_object_object_add(m, "users_started", json_object_new_int64(
	    (int64_t)r->ntenants));
	json_object_object_add(m, "users_gave_up", json_object_new_int64(
	    (int64_t)r->gave_up));
	json_object_object_add(m, "tasks_skipped_no_ready_user",
	    json_object_new_int64((int64_t)r->tasks_skipped));
	json_object_object_add(m, "journal_lines", json_object_new_int64(
	    (int64_t)journal_lines(r->journal)));
	json_object_object_add(m, "interrupted", json_object_new_boolean(
	    interrupt_seen() > 0));
	hist_percentiles(r->lateness, q, 3, p);
	lat = json_object_new_object();
	json_object_object_add(lat, "count", json_object_new_int64(
	    (int64_t)hist_count(r->lateness)));
	json_object_object_add(lat, "p50", json_object_new_double(p[0]));
	json_object_object_add(lat, "p99", json_object_new_double(p[1]));
	json_object_object_add(lat, "p99.9", json_object_new_double(p[2]));
	json_object_object_add(lat, "max", json_object_new_double(
	    hist_max(r->lateness)));
	json_object_object_add(m, "task_start_lateness_us", lat);
	return m;
}

int
run_execute(struct config *c, FILE *out, FILE *err)
{
	struct eng_opts eo;
	struct run r;
	struct json_object *meta;
	enum invite_kind kind = INVITE_CONNECTIONS;
	char *cause = NULL, *text, *path, *base;
	int status = STATUS_OK, st;
	size_t i;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.out = out;
	r.err = err;
	r.shard = c->shard_count ? c->shard_index - 1 : 0;
	r.nshards = c->shard_count ? c->shard_count : 1;
	r.last_sample_sec = -1;
	if (preflight_check(c, &st, &cause) == -1) {
		cli_error("run: %s", cause);
		free(cause);
		return st;
	}
	if (c->scenario != CONFIG_SCENARIO_HTTP) {
		if (invite_decode(c->invitation_url, &kind, &r.inv_json,
		    &cause) == -1) {
			cli_error("run: mediator invitation URL: %s", cause);
			free(cause);
			return STATUS_USAGE;
		}
		r.protocol = c->protocol != CONFIG_PROTOCOL_AUTO ? c->protocol :
		    kind == INVITE_OOB ? CONFIG_PROTOCOL_OOB : CONFIG_PROTOCOL_CONNECTIONS;
		if (kind == INVITE_OOB && r.protocol == CONFIG_PROTOCOL_CONNECTIONS) {
			cli_error("run: --protocol connections needs a c_i= "
			    "invitation, got oob=");
			free(r.inv_json);
			return STATUS_USAGE;
		}
	}
	r.run_id = c->run_id ? util_strdup(c->run_id) : run_new_id();
	base = util_printf("%s/%s", c->out_dir, r.run_id);
	r.dir = c->shard_count ? util_printf("%s/shard-%u", base,
	    c->shard_index) : util_strdup(base);
	free(base);
	if (run_mkdirs(r.dir, &cause) == -1)
		goto io;
	r.rng = c->seed ? c->seed : (unsigned long long)eng_now() ^
	    ((unsigned long long)getpid() << 32);
	if (r.rng == 0)
		r.rng = 1;
	memset(&eo, 0, sizeof(eo));
	eo.max_host_connections = c->connections;
	eo.timeout_ms = (long)(c->request_timeout * 1000);
	eo.insecure = c->insecure;
	eo.cacert = c->cacert;
	eo.max_body = 1 << 20;
	if (eng_init(&eo, &r.eng, &cause) == -1) {
		cli_error("run: %s", cause);
		free(cause);
		free(r.dir);
		free(r.run_id);
		free(r.inv_json);
		return STATUS_IO;
	}
	r.start = eng_now();
	r.stats = stats_new(eng_epoch_us(r.eng, r.start));
	r.lateness = hist_new();
	path = util_printf("%s/journal.tsv", r.dir);
	if (journal_open(path, r.run_id, r.shard + 1, r.nshards,
	    eng_epoch_us(r.eng, r.start), &r.journal, &cause) == -1) {
		free(path);
		goto io;
	}
	free(path);
	text = run_config_text(c);
	path = util_printf("%s/config.yaml", r.dir);
	st = run_write_file(path, text, &cause);
	free(path);
	free(text);
	if (st == -1)
		goto io;
	text = run_schedule_text(c);
	path = util_printf("%s/schedule.txt", r.dir);
	st = run_write_file(path, text, &cause);
	free(path);
	free(text);
	if (st == -1)
		goto io;

	r.tty = c->progress == PROGRESS_TTY || (c->progress == PROGRESS_AUTO
	    && isatty(fileno(err)));
	fprintf(err, "medload run: run %s, scenario %s%s%s, results in %s\n",
	    r.run_id, config_scenario_name(c->scenario),
	    c->scenario == CONFIG_SCENARIO_HTTP ? "" : ", protocol ",
	    c->scenario == CONFIG_SCENARIO_HTTP ? "" :
	    config_protocol_name(r.protocol), r.dir);
	r.spawn_at = r.start;
	eng_timer(r.eng, r.start, run_spawn_tick, &r);
	eng_timer(r.eng, r.start + 1000000, run_second_tick, &r);
	if (c->pacing == CONFIG_PACING_OPEN) {
		r.open_sec = r.start;
		eng_timer(r.eng, r.start, run_open_tick, &r);
	}
	r.end_at = r.start + (int64_t)(shape_end(&c->shape) * 1e6);
	/* the loop: bounded by the shape's end plus the grace period */
	for (;;) {
		int64_t now;

		if (eng_poll(r.eng) == -1 && !interrupt_pending())
			continue;
		if (journal_flush(r.journal) == -1 && !r.io_error) {
			r.io_error = 1;
			cli_error("run: journal: write error");
		}
		now = eng_now();
		if (interrupt_seen() >= 2)
			break;
		if (interrupt_seen() == 1 && !r.stopping) {
			if (r.tty)
				fputc('\n', err);
			fprintf(err, "medload run: interrupted: stopping, "
			    "waiting up to %gs for %u requests in flight "
			    "(interrupt again to stop at once)\n", c->grace,
			    eng_inflight(r.eng));
			run_begin_stop(&r);
		}
		if (!r.stopping && now > r.end_at + 2000000)
			run_begin_stop(&r);	/* a safety net */
		if (r.stopping && (eng_inflight(r.eng) == 0 ||
		    now >= r.stop_deadline))
			break;
	}
	r.finished = 1;
	stats_users(r.stats, eng_epoch_us(r.eng, eng_now()), 0, r.actual, 0);
	stats_set_end(r.stats, eng_epoch_us(r.eng, eng_now()));
	if (c->progress != PROGRESS_NONE)
		run_progress(&r, eng_now(), 1);
	if (eng_inflight(r.eng) > 0)
		fprintf(err, "medload run: %u requests still in flight were "
		    "abandoned\n", eng_inflight(r.eng));
	meta = run_meta(&r);
	if (journal_close(r.journal, &cause) == -1) {
		cli_error("run: %s", cause);
		free(cause);
		cause = NULL;
		status = STATUS_IO;
	}
	r.journal = NULL;
	if (run_results(r.stats, meta, r.dir, c->csv_prefix, out,
	    &cause) == -1) {
		cli_error("run: %s", cause);
		free(cause);
		cause = NULL;
		status = STATUS_IO;
	}
	json_object_put(meta);
	if (r.io_error)
		status = STATUS_IO;
	fprintf(err, "medload run: results in %s\n", r.dir);
	goto done;
io:
	cli_error("run: %s", cause);
	free(cause);
	cause = NULL;
	status = STATUS_IO;
done:
	eng_free(r.eng);
	if (r.journal != NULL)
		journal_close(r.journal, NULL);
	stats_free(r.stats);
	hist_free(r.lateness);
	for (i = 0; i < r.ntenants; i++) {
		tenant_clear(r.tenants[i]);
		free(r.tenants[i]);
	}
	free(r.tenants);
	free(r.ready);
	free(r.dir);
	free(r.run_id);
	free(r.inv_json);
	free(cause);
	return status;
}

int
run_merge(const struct config *c, char **dirs, int ndirs, FILE *out)
{
	struct journal_info info, first;
	struct stats *st = NULL;
	struct json_object *meta;
	char *cause = NULL, *path, *dir = NULL;
	uint64_t lines = 0, bad = 0;
	int64_t start = INT64_MAX;
	int i, status = STATUS_OK;

	for (i = 0; i < ndirs; i++) {
		path = util_printf("%s/journal.tsv", dirs[i]);
		if (journal_read_info(path, &info, &cause) == -1) {
			free(path);
			goto io;
		}
		free(path);
		if (i == 0)
			first = info;
		else if (strcmp(info.run_id, first.run_id) != 0) {
			cli_error("run --merge: %s has run id %s, %s has %s",
			    dirs[i], info.run_id, dirs[0], first.run_id);
			return STATUS_USAGE;
		}
		if (info.start_us < start)
			start = info.start_us;
	}
	st = stats_new(start);
	for (i = 0; i < ndirs; i++) {
		path = util_printf("%s/journal.tsv", dirs[i]);
		if (journal_replay(path, st, (unsigned)i, &lines, &bad,
		    &cause) == -1) {
			free(path);
			goto io;
		}
		free(path);
	}
	dir = util_printf("%s/%s", c->out_dir, first.run_id);
	if (run_mkdirs(dir, &cause) == -1)
		goto io;
	meta = json_object_new_object();
	json_object_object_add(meta, "run_id", json_object_new_string(
	    first.run_id));
	json_object_object_add(meta, "merged_from", json_object_new_int64(
	    ndirs));
	json_object_object_add(meta, "journal_lines", json_object_new_int64(
	    (int64_t)lines));
	json_object_object_add(meta, "journal_lines_skipped",
	    json_object_new_int64((int64_t)bad));
	if (bad > 0)
		cli_error("run --merge: skipped %llu line%s that %s not "
		    "journal lines", (unsigned long long)bad, bad == 1 ? "" :
		    "s", bad == 1 ? "is" : "are");
	if (run_results(st, meta, dir, NULL, out, &cause) == -1) {
		json_object_put(meta);
		goto io;
	}
	json_object_put(meta);
	fprintf(stderr, "medload run: merged %d journals (%llu requests) into "
	    "%s\n", ndirs, (unsigned long long)lines, dir);
	goto done;
io:
	cli_error("run --merge: %s", cause);
	free(cause);
	status = STATUS_IO;
done:
	stats_free(st);
	free(dir);
	return status;
}
