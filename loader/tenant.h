/*
 * tenant.h: a simulated user's state machine. A new user runs its
 * workflow's setup steps in order (workflow.h says what each one sends and
 * reads back), retrying a failed step after a backoff, polling state waits
 * with a growing delay, waiting for its peer before inviting it; then it
 * is ready and the schedule gives it tasks until it is stopped.
 */
#ifndef MEDLOAD_TENANT_H
#define MEDLOAD_TENANT_H

#include <stddef.h>
#include <stdint.h>

#include "run_private.h"

/*
 * Adds the run's next user to r->tenants (in spawn order) in state
 * TENANT_SETUP, not started. The run owns it; tenant_free releases it.
 */
struct tenant *tenant_new(struct run *r);

/* Starts t's setup at now; with no setup steps, t is ready at once. */
void tenant_start(struct tenant *t, int64_t now);

/*
 * t leaves the user count (why: TENANT_STOPPED or TENANT_FAILED); a user
 * that already left is left alone.
 */
void tenant_leave(struct tenant *t, enum tenant_state why);

/*
 * A step that sends its own request (workflow_step.send) ended at end:
 * ok moves t on to its next step, else the step is retried after a
 * backoff or t gives up. Nothing happens when the run is stopping or t
 * is no longer setting up.
 */
void tenant_step_end(struct tenant *t, int ok, int64_t end);

/* Wipes and frees t's token and scratch (t stays usable). */
void tenant_clear(struct tenant *t);

/* Clears and frees t; NULL is accepted. */
void tenant_free(struct tenant *t);

/* Writes t's wallet name (label-prefix-runid-num) into buf; returns buf. */
const char *tenant_name(const struct tenant *t, char *buf, size_t size);

/* The user t invites (the one spawned before it), or NULL (borrowed). */
struct tenant *tenant_peer(const struct tenant *t);

#endif
