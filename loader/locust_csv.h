/*
 * locust_csv.h: a Locust run's CSV files (locust --csv PREFIX, with or
 * without --csv-full-history) read into a run document of the schema
 * medload run writes (medload.run/1), so a report reads both alike:
 *
 *   PREFIX_stats.csv          "stats" (one object per row) and "total"
 *                             (the Aggregated row; "total_requests" too)
 *   PREFIX_waits.csv          when there is one (medload's files): more
 *                             "stats" and "total_waits"
 *   PREFIX_failures.csv       each row's "error_texts"
 *   PREFIX_exceptions.csv     "exceptions" (count and list)
 *   PREFIX_stats_history.csv  "series" from the Aggregated rows (users,
 *                             requests/s, failures/s, p50/p95/p99), and the
 *                             window (window_start, window_end, duration_s)
 *
 * The document says where it came from ("source": kind "locust" and the
 * prefix) and leaves out what Locust does not measure: the latency from
 * when each request was due (only "latency_actual_ms", Locust's figures
 * from the actual start, with "latency_note" saying so), target users,
 * failures by kind, the run id. Files are read with core/csv.h: any
 * damage is an error naming the file and the line.
 */
#ifndef MEDLOAD_LOCUST_CSV_H
#define MEDLOAD_LOCUST_CSV_H

struct json_object;

/*
 * Reads the four files of prefix. Returns the document (caller puts), or
 * NULL with *cause naming the file (and line) that could not be used.
 */
struct json_object *locust_csv_load(const char *prefix, char **cause);

#endif
