/*
 * source_merge.h: several trace files read as one stream in event-time
 * order: each file in its own order, the input whose next event is the
 * earliest going first. What follows exchanges across agents whose
 * traces lie in separate files (one log per agent) then holds only the
 * exchanges open at once, not a whole file's worth.
 */
#ifndef MEDLOAD_SOURCE_MERGE_H
#define MEDLOAD_SOURCE_MERGE_H

#include <stddef.h>

struct json_object;
struct pipeline;

/*
 * Reads paths[0..n) through p (each record counted and checked as
 * pipeline_line does), the valid events in time order; raw keeps message
 * types and outcomes as written. An input that cannot be read is
 * reported on stderr, its message appended to errors and counted in
 * *unreadable. Returns 0, or 1 when a signal interrupted the read.
 */
int source_merge_read(const char *const *paths, size_t n, int raw,
    struct pipeline *p, struct json_object *errors, unsigned *unreadable);

#endif
