/*
 * chart_knee.h: the chart of a stepped run's saturation: achieved and
 * offered requests per second and p95 latencies (the client's request
 * that made the knee, or its busiest one, and each trace label's
 * latency-carrying group) against the load steps' users, with the knee
 * marked. Reads the assessment block (analyzer/saturation.h).
 */
#ifndef MEDLOAD_CHART_KNEE_H
#define MEDLOAD_CHART_KNEE_H

#include "chart.h"

#define CHART_KNEE_TEMPLATE "report-templates/chart-knee.gp.tmpl"
#define CHART_KNEE_TITLE "Throughput and p95 latency against users " \
	"(saturation)"

struct json_object;

/*
 * Writes the data file of chart c (NAME-steps.dat) from assessment
 * (borrowed; steps cut short left out) and sets params (borrowed):
 * "ncols", "knee" (bool), "knee_users", "knee_label". Returns 1 when
 * there is a chart (two or more complete steps), 0 when not, -1 with
 * *cause when the file cannot be written.
 */
int chart_knee_data(struct json_object *assessment, struct chart *c,
    struct json_object *params, char **cause);

#endif
