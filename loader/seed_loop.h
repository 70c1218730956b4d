/*
 * seed_loop.h: the seed's Locust user, request for request. After the
 * wallet (its on_start), a user loops over four tasks, each followed by a
 * think time (Locust's wait_time = between(2, 5)):
 *
 *   1. connect to the mediator unless connected (001_connect_to_mediator);
 *   2. list the connections, refreshing what the user knows of them
 *      (002_connections_list);
 *   3. even users only: invite the previous user unless connected to it
 *      (011_create_invitation, 012_receive_invitation with its token),
 *      then fetch that connection (013_connection_fetch);
 *   4. ping every connection that is active (021_ping_mediator,
 *      022_ping_other).
 *
 * Where the seed has bugs, medload keeps its correct behaviour (README:
 * "--scenario seed and the seed's Locust test").
 */
#ifndef MEDLOAD_SEED_LOOP_H
#define MEDLOAD_SEED_LOOP_H

#include <stdint.h>

#include "run_private.h"

/* Runs ready user t's next task of the loop, intended at sched. */
void seed_loop_task(struct tenant *t, int64_t sched);

#endif
