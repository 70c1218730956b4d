/* timeutil.h: parsing and formatting of the times traces and users write. */
#ifndef MEDLOAD_TIMEUTIL_H
#define MEDLOAD_TIMEUTIL_H

#include <stddef.h>

#define TIME_BUF 64

/*
 * Parses a calendar time to seconds since the epoch: RFC 3339
 * ("2024-05-01T12:00:00.123Z", "+02:00"), ACA-Py's str_time
 * ("2024-05-01 12:00:00.123456", optionally " +0000"), or a bare date.
 * A time without a zone is UTC. Returns 0, or -1 when s is not such a time.
 */
int time_parse(const char *s, double *out);

/*
 * Parses a --since/--until value: a calendar time as time_parse accepts,
 * "now", or a duration before now such as "-90s", "-30m", "-2h", "-1d".
 * Returns 0 or -1.
 */
int time_parse_when(const char *s, double now, double *out);

/*
 * Parses a duration such as "30", "30s", "5m", "2h", "1d", "250ms" to
 * seconds (0 or more; callers that need more than 0 check). Returns 0 or
 * -1.
 */
int time_parse_duration(const char *s, double *out);

/*
 * Formats epoch seconds as RFC 3339 UTC with microseconds into buf; a
 * time gmtime cannot take (not finite, or from a damaged answer: 1e67) is
 * written as 1970-01-01T00:00:00.000000Z.
 */
const char *time_format(double epoch, char buf[TIME_BUF]);

/* The current time in epoch seconds (wall clock). */
double time_now(void);

/*
 * The time to stamp on generated documents: SOURCE_DATE_EPOCH when set
 * (reproducible builds and golden tests), else the current time.
 */
double time_generated(void);

#endif
