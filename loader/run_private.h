/*
 * run_private.h: the state the parts of one load run share (private to
 * loader/). run.c orchestrates a run; tenant.c is a simulated user's state
 * machine; workflow.c the steps and tasks it runs; call.c sends and
 * records one request; schedule.c decides when users start and tasks run;
 * results.c writes the run's files; preflight.c checks the agents first.
 */
#ifndef MEDLOAD_RUN_PRIVATE_H
#define MEDLOAD_RUN_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

struct edge_agent;
struct edge_run;
struct eng;
struct hist;
struct journal;
struct run_live;
struct stats;
struct workflow;

/* Where a simulated user is in its life. */
enum tenant_state {
	TENANT_SETUP,		/* running its workflow's setup steps */
	TENANT_READY,		/* set up: runs tasks */
	TENANT_STOPPED,		/* stopped by the spawner */
	TENANT_FAILED,		/* gave up on a setup step */
};

/* Room for an identifier an agent gave us (a UUID). */
#define TENANT_ID_LEN 48

/*
 * One simulated user: a tenant wallet on the multi-tenant agent, or (the
 * edge scenario) a DIDComm agent of its own.
 */
struct tenant {
	struct run *run;
	struct edge_agent *edge;	/* edge scenario: its state (owned) */
	char *token;		/* secret */
	char *inv;		/* invitation JSON while peering */
	int64_t wait_start, wait_deadline, poll_delay;
	unsigned num;		/* global user number, 1-based */
	unsigned k;		/* index among this shard's users */
	int ready_idx;		/* in run.ready, or -1 */
	uint8_t state;		/* enum tenant_state */
	uint8_t step;		/* index in the workflow's steps */
	uint8_t tries, peer_ok, parity;
	uint8_t was_ready;	/* finished its setup at some point */
	uint8_t phase;		/* seed loop: the task it runs next */
	uint8_t ping_i;		/* seed loop: pings sent in this task */
	uint8_t med_active;	/* its mediator connection is active */
	uint8_t peer_active;	/* its side of the pair's connection too */
	char med_conn[TENANT_ID_LEN], med_id[TENANT_ID_LEN];
	char peer_conn[TENANT_ID_LEN];
};

/* One load run (one shard of it). */
struct run {
	struct config *c;
	const struct workflow *wf;	/* the scenario's steps and task */
	struct eng *eng;
	struct stats *stats;
	struct journal *journal;
	struct run_live *live;		/* --metrics, or NULL */
	struct hist *lateness;		/* task start - intended, us */
	FILE *out, *err;
	char *dir;
	char *run_id;
	char *inv_json;			/* the mediator invitation */
	int protocol;			/* CONFIG_PROTOCOL_CONNECTIONS, _OOB */
	struct edge_run *edge;		/* edge scenario: the mediator */
	int64_t start;			/* mono */
	int64_t end_at;			/* mono; shape end */
	int64_t stop_deadline;
	int stopping, finished, io_error;
	unsigned shard, nshards;	/* 0-based shard */
	struct tenant **tenants;	/* in spawn order */
	size_t ntenants, atenants;
	unsigned actual;
	unsigned in_setup;		/* users in TENANT_SETUP */
	unsigned setup_cap;		/* this shard's --max-setups; 0 = none */
	uint64_t spawn_held;		/* spawn ticks that waited for the cap */
	double spawn_held_s;		/* their spacing, summed */
	unsigned target;
	unsigned stop_target;		/* the target when the stop began */
	unsigned peak_target;	/* the most users the shape asked for */
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
	/* c->step_judge: the last step judged, and why the run stopped */
	unsigned judged_step;
	unsigned stop_step;
	char *stop_why;
	unsigned long long rng;
};

/* A uniform random number in [0, 1) from the run's generator. */
double run_rand(struct run *r);

/* Global user number of this shard's k-th user (0-based k). */
unsigned run_user_num(const struct run *r, unsigned k);

#endif
