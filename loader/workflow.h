/*
 * workflow.h: what a simulated user does, as data. One table describes
 * every setup step (its request name, method, how its path and body are
 * built, what it reads from the answer, whether it polls and until which
 * state, whose token it uses); a scenario lists the steps it runs, in
 * order, and names the task a ready user repeats. tenant.h runs them.
 *
 * Adding a step: a row in the table (workflow.c) with its builders.
 * Adding a scenario: a list of steps and a task, returned by workflow_for.
 * The edge scenario's rows and task are in edge.c.
 */
#ifndef MEDLOAD_WORKFLOW_H
#define MEDLOAD_WORKFLOW_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "run_private.h"

struct json_object;
struct strbuf;

/* How a step runs. */
enum workflow_kind {
	WORKFLOW_REQUEST,	/* one request; a good answer moves on */
	WORKFLOW_POLL,		/* a GET repeated until the state is reached,
				 * also recorded as a WAIT of the same name */
	WORKFLOW_AWAIT_PEER,	/* no request: waits until the peer is ready
				 * (or gone, or wait_timeout passed) */
};

/* Whose token a step's request carries. */
enum workflow_as {
	WORKFLOW_AS_SELF,
	WORKFLOW_AS_PEER,	/* the peer's (tenant_peer) */
};

/* One setup step. Strings are static. */
struct workflow_step {
	const char *name;		/* request name: "000_create_wallet" */
	const char *method;		/* GET, POST, PUT */
	enum workflow_kind kind;
	enum workflow_as as;
	/*
	 * A peering step: only the inviting user of a pair (even number)
	 * runs it, and its failure ends the peering (the user goes on to
	 * its tasks without a peer) instead of the user.
	 */
	int peering;
	/* Appends the path after the admin URL ("/multitenancy/wallet"). */
	void (*path)(const struct tenant *t, struct strbuf *b);
	/* Appends the JSON body; NULL: no body. */
	void (*body)(const struct tenant *t, struct strbuf *b);
	/*
	 * Reads the answer (a JSON object, borrowed) into t; NULL reads
	 * nothing. Returns 0, or -1 when the member named by field is
	 * missing or unusable. A polling step sets *state to the state seen
	 * (borrowed from o; NULL when none).
	 */
	int (*take)(struct tenant *t, struct json_object *o,
	    const char **state);
	const char *field;	/* named in "body: no usable FIELD" */
	const char *until;	/* poll: the states that end the wait,
				 * space-separated ("active completed") */
	void (*reached)(struct tenant *t);	/* after success, or NULL */
	/*
	 * Sends the step's request itself instead of path and body to the
	 * admin API (edge agents post envelopes to the mediator: edge.h),
	 * and reports its outcome with tenant_step_end. NULL: an admin step.
	 */
	void (*send)(struct tenant *t, const struct workflow_step *s,
	    int64_t sched);
};

/* A scenario: the setup steps in order, then the task of a ready user. */
struct workflow {
	const struct workflow_step *const *steps;
	size_t nsteps;
	/* Starts one task of ready user t intended at sched. */
	void (*task)(struct tenant *t, int64_t sched);
	/* The first task starts as soon as the user is ready (think
	 * pacing), as a Locust user's first task does; else after a think. */
	int task_at_once;
};

/*
 * The workflow of scenario s (static). For the edge scenario,
 * edge_run_init then picks the one of the invitation's handshake.
 */
const struct workflow *workflow_for(enum config_scenario s);

/* The first row of the step table named name (static), or NULL. */
const struct workflow_step *workflow_step(const char *name);

/*
 * A ready user's task ended at end: the next one comes after a think
 * (think pacing) or when the open model starts it.
 */
void workflow_task_over(struct tenant *t, int64_t end);

/* Whether a connection state is "active" (or DID exchange "completed"). */
int workflow_active(const char *state);

/* Whether state (NULL: none seen) ends the wait of polling step s. */
int workflow_reached(const struct workflow_step *s, const char *state);

#endif
