/*
 * stats_csv.h: a run's statistics as the CSV files Locust's --csv and
 * --csv-full-history write, same names, same headers byte for byte, same
 * quoting and CR LF line ends (Python's csv module):
 *
 *   PREFIX_stats.csv          one row per request name, then Aggregated:
 *                             the sum of exactly those rows
 *   PREFIX_waits.csv          the same for medload's state waits (WAIT),
 *                             kept apart so that summing the stats rows
 *                             never counts a wait and its polls twice
 *   PREFIX_stats_history.csv  per second, a row per request name seen so
 *                             far and the Aggregated row: that second's
 *                             rates and percentiles, the totals up to it
 *   PREFIX_failures.csv       per name and error text: occurrences, first
 *                             and last seen (UTC)
 *   PREFIX_exceptions.csv     medload's exceptions: requests that could
 *                             not start and transport errors, by text,
 *                             "Traceback" the requests they hit
 *
 * Latencies are in ms from the intended start (free of coordinated
 * omission), to the microsecond.
 */
#ifndef MEDLOAD_STATS_CSV_H
#define MEDLOAD_STATS_CSV_H

#include <stdio.h>

#include "files.h"

struct stats;

/*
 * Writes the five files; kind says whose the prefix is (files_open:
 * FILES_USER for --csv, FILES_OWN inside the run directory). 0, or -1
 * with *cause.
 */
int stats_csv_write(const struct stats *st, const char *prefix,
    enum files_kind kind, char **cause);

/*
 * Writes one CSV field, quoted as Python's csv module does, control
 * characters but newlines made visible first (util_safe_append).
 */
void stats_csv_field(FILE *out, const char *s);

#endif
