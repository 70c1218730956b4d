/* flows_chart.c: a stacked bar per exchange group: where the time goes. */
#include "flows_chart.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "chart.h"
#include "files.h"
#include "jx.h"
#include "util.h"

/* The hops a bar stacks, in order (they add up to the round trip). */
static const char *const flows_chart_hops[] = {
	"request.encode", "request.transit", "request.handle",
	"response.queue", "response.encode", "response.transit",
	"response.handle", "forward.handle", "forward.relay",
	"forward.deliver",
};
#define FLOWS_CHART_NHOPS (sizeof(flows_chart_hops) / \
	sizeof(flows_chart_hops[0]))

/* The mean of hop name in exchange x, or -1 when it has none. */
static double
flows_chart_mean(struct json_object *x, const char *name)
{
	struct json_object *hops = jx_get(x, "hops"), *h;
	size_t i;

	for (i = 0; i < jx_len(hops); i++) {
		h = jx_at(hops, i);
		if (strcmp(jx_str(jx_get(h, "name"), ""), name) == 0 &&
		    jx_int(h, "count", 0) > 0)
			return json_object_get_double(jx_get(h, "mean"));
	}
	return -1;
}

/* Writes one bar: its label, then the mean of every stacked hop. */
static void
flows_chart_row(FILE *f, struct json_object *x)
{
	static const char prefix[] = "https://didcomm.org/";
	const char *type = jx_str(jx_get(x, "type"), "(no type)");
	char *label;
	double m;
	size_t i;

	if (strncmp(type, prefix, sizeof(prefix) - 1) == 0)
		type += sizeof(prefix) - 1;
	label = util_printf("%s %s -> %s", type, jx_str(jx_get(x, "from"),
	    "?"), jx_str(jx_get(x, "to"), "?"));
	chart_data_string(f, label);
	free(label);
	for (i = 0; i < FLOWS_CHART_NHOPS; i++) {
		m = flows_chart_mean(x, flows_chart_hops[i]);
		fprintf(f, " %.6g", m < 0 ? 0 : m);
	}
	fputc('\n', f);
}

int
flows_chart_data(struct json_object *analysis, struct chart *c,
    struct json_object *params, char **cause)
{
	struct json_object *xs = jx_get(analysis, "flows.exchanges"), *x;
	size_t i, j, bars = 0;
	FILE *f = NULL;

	for (i = 0; i < jx_len(xs); i++) {
		x = jx_at(xs, i);
		for (j = 0; j < FLOWS_CHART_NHOPS; j++)
			if (flows_chart_mean(x, flows_chart_hops[j]) >= 0)
				break;
		if (j == FLOWS_CHART_NHOPS)
			continue;
		if (f == NULL) {
			if ((f = chart_data(c, "hops", cause)) == NULL)
				return -1;
			chart_data_string(f, "exchange");
			for (j = 0; j < FLOWS_CHART_NHOPS; j++) {
				fputc(' ', f);
				chart_data_string(f, flows_chart_hops[j]);
			}
			fputc('\n', f);
		}
		flows_chart_row(f, x);
		bars++;
	}
	json_object_object_add(params, "ncols",
	    json_object_new_int((int)FLOWS_CHART_NHOPS + 1));
	return bars > 0 ? 1 : 0;
}

int
flows_chart_write(struct json_object *analysis, const char *dir,
    const char *templates_dir, char **cause)
{
	struct json_object *params;
	struct chart *c;
	int rc;

	if (files_mkdirs(dir, cause) == -1 || files_check_dir(dir, cause) == -1)
		return -1;
	params = json_object_new_object();
	c = chart_new(dir, "flows");
	rc = flows_chart_data(analysis, c, params, cause);
	if (rc == 1) {
		json_object_object_add(params, "title",
		    json_object_new_string(FLOWS_CHART_TITLE));
		if (chart_render(c, FLOWS_CHART_TEMPLATE, templates_dir, params,
		    cause) == -1)
			rc = -1;
	}
	json_object_put(params);
	chart_free(c);
	return rc;
}
