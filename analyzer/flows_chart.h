/*
 * flows_chart.h: the chart of where each exchange's time goes, from the
 * "flows" object of an analysis document: one stacked bar per exchange
 * group (message type, requester -> responder), one segment per hop that
 * adds up to the round trip (mean ms over complete exchanges), drawn by
 * gnuplot from report-templates/chart-flows.gp.tmpl (see chart.h).
 * report.c draws it in a report folder when the analysis has flows.
 */
#ifndef MEDLOAD_FLOWS_CHART_H
#define MEDLOAD_FLOWS_CHART_H

struct chart;
struct json_object;

#define FLOWS_CHART_TEMPLATE "report-templates/chart-flows.gp.tmpl"
#define FLOWS_CHART_TITLE "Where each exchange's time goes: mean ms per " \
	"hop over complete exchanges (bar = mean round trip)"

/*
 * Writes the chart's data file (suffix "hops") through c and sets
 * params' "ncols". Returns 1 when there is a bar to draw, 0 when the
 * document holds no complete exchange with hops (nothing written), -1
 * with *cause (caller frees) when the data file cannot be written.
 */
int flows_chart_data(struct json_object *analysis, struct chart *c,
    struct json_object *params, char **cause);

/*
 * Draws the chart alone as dir/flows.png and dir/flows.svg (with its
 * script, data and log), dir created when missing. Returns 1 when drawn,
 * 0 when there was nothing to draw, -1 with *cause.
 */
int flows_chart_write(struct json_object *analysis, const char *dir,
    const char *templates_dir, char **cause);

#endif
