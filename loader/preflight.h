/*
 * preflight.h: before a load run starts: the multi-tenant agent's admin
 * API must answer, and when no mediator invitation is given, one is
 * created on the mediator's admin API. Requests go through the core HTTP
 * client straight to the agents (proxy variables ignored, as for the
 * load), with the run's TLS settings, 10 s each and no retry.
 */
#ifndef MEDLOAD_PREFLIGHT_H
#define MEDLOAD_PREFLIGHT_H

#include "config.h"

/*
 * Checks the admin API of c (nothing for the http and edge scenarios:
 * edge agents talk to the mediator alone) and fills
 * c->invitation_url from c->mediator_admin_url when it is not set.
 * Returns 0, or -1 with *cause and the exit status in *status.
 */
int preflight_check(struct config *c, int *status, char **cause);

/*
 * Asks an agent where it sends its trace events (GET /status/config):
 * the multi-tenant agent, or the mediator when mediator is set (it needs
 * c->mediator_admin_url). Returns a new line such as "traces to log
 * (label mediator.trace)", "does not trace" or why it could not be asked
 * (caller frees); every string from the agent is made terminal-safe.
 */
char *preflight_trace_target(const struct config *c, int mediator);

#endif
