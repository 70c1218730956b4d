/*
 * call.h: one request of a load run: sent on the engine for a simulated
 * user with a user's token, its result classified by kind of failure, and
 * recorded in the run's stats and journal.
 */
#ifndef MEDLOAD_CALL_H
#define MEDLOAD_CALL_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "run_private.h"
#include "stats.h"

struct json_object;

/* One request in flight (the engine callback's argument; callee frees). */
struct call {
	struct tenant *t;	/* the tenant whose workflow it serves */
	struct tenant *as;	/* the tenant whose token it uses, or NULL */
	const char *method;	/* static */
	const char *name;	/* static: the request name */
	uint32_t seq;		/* the caller's: an edge agent's message */
};

/*
 * Sends method admin_url+path (body may be NULL) for tenant t with as's
 * token (as may be NULL), intended at sched; fn gets a struct call (which
 * it frees) and the result. A transfer that cannot start is recorded as a
 * failure at once and fn is not called. Strings are copied.
 */
void call_send(struct tenant *t, struct tenant *as, const char *method,
    const char *name, const char *path, const char *body, int64_t sched,
    eng_done_fn fn);

/*
 * Sends GET url (not the admin API, no credentials) for tenant t as
 * request name; otherwise as call_send.
 */
void call_send_url(struct tenant *t, const char *name, const char *url,
    int64_t sched, eng_done_fn fn);

/*
 * Posts a DIDComm envelope body (copied) to url (a mediator's endpoint,
 * no credentials, Content-Type application/didcomm-envelope-enc) for
 * tenant t as request name; the call carries seq. Otherwise as call_send.
 */
void call_post(struct tenant *t, const char *name, const char *url,
    const char *body, uint32_t seq, int64_t sched, eng_done_fn fn);

/*
 * Classifies a transfer's result: *err gets the kind (STATS_OK for a 2xx
 * answer whose body is a JSON object) and msg its text. Returns the
 * parsed body (caller puts), or NULL when *err is not STATS_OK.
 */
struct json_object *call_classify(const struct eng_result *res,
    enum stats_err *err, char *msg, size_t size);

/*
 * Records a finished request or state wait (method "WAIT") in the stats
 * and the journal. as names the tenant (NULL: "-"); times are mono.
 * error and detail are borrowed; error is kept only when err is a failure.
 */
void call_record(struct run *r, const char *method, const char *name,
    const struct tenant *as, int64_t sched, int64_t start, int64_t end,
    int status, enum stats_err err, const char *error, const char *detail,
    uint64_t bytes);

/* Records a finished transfer of cl with its result (see call_record). */
void call_record_result(const struct call *cl, const struct eng_result *res,
    enum stats_err err, const char *msg, const char *detail);

/* The string member key of object o, or NULL (borrowed from o). */
const char *call_str(struct json_object *o, const char *key);

/*
 * Copies an identifier (hex digits and dashes, shorter than
 * TENANT_ID_LEN) into dst; 0, or -1 when src is NULL or unusable.
 */
int call_copy_id(char *dst, const char *src);

#endif
