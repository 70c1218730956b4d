/*
 * failtable.h: every failure of a run in one table: the client's failed
 * requests by error text, and the trace groups whose outcome is an error
 * (analysis_outcome_is_error), with when each was first seen.
 */
#ifndef MEDLOAD_FAILTABLE_H
#define MEDLOAD_FAILTABLE_H

struct json_object;

/*
 * The failures of run (its stats' error_texts and error_first_s) and of
 * analysis (error groups), both borrowed and either may be NULL, as a
 * ttable (ttable.h) of name, error, count and first seen (seconds after
 * the run's start, or the trace's time without a run), the most frequent
 * first; NULL when there is none. Caller puts.
 */
struct json_object *failtable_build(struct json_object *analysis,
    struct json_object *run);

#endif
