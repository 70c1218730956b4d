/*
 * workflow.h: what a simulated user sends: the body of its wallet, the
 * connection lists it reads, and the task a ready user repeats.
 */
#ifndef MEDLOAD_WORKFLOW_H
#define MEDLOAD_WORKFLOW_H

#include <stdint.h>

#include "run_private.h"

struct json_object;

/*
 * The body of 000_create_wallet for t: a managed askar wallet with a new
 * random key (caller wipes and frees).
 */
char *workflow_wallet_body(const struct tenant *t);

/*
 * Finds a connection record in a list answer ({"results": [...]}): the one
 * with connection id id, or the first when id is NULL. Returns its state
 * and sets *found to its id (both borrowed from o), or NULL.
 */
const char *workflow_find_conn(struct json_object *o, const char *id,
    const char **found);

/*
 * Starts one task of ready user t intended at sched: a trust ping (the
 * agent scenarios) or a GET of the configured URL (http).
 */
void workflow_task(struct tenant *t, int64_t sched);

#endif
