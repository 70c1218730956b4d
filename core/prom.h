/*
 * prom.h: pieces of the Prometheus text format (version 0.0.4) shared by
 * the live views of `run --metrics` and `collect --metrics`: the family
 * header, label values made safe (valid UTF-8, no control character,
 * quotes and backslashes escaped), and the histogram buckets both use, in
 * seconds, cumulative as Prometheus aggregates them.
 *
 * Module prefix: prom_.
 */
#ifndef MEDLOAD_PROM_H
#define MEDLOAD_PROM_H

#include <stdint.h>

#include "strbuf.h"

/* The upper bounds of the histograms, seconds (without +Inf). */
extern const double prom_le[];
#define PROM_NLE 13

/* A histogram: cumulative bucket counts, the count and the sum. */
struct prom_hist {
	uint64_t le[PROM_NLE];	/* observations <= prom_le[i] */
	uint64_t count;
	double sum;		/* seconds */
};

/* Adds count observations of seconds to h. */
void prom_observe(struct prom_hist *h, double seconds, uint64_t count);

/* Appends "# HELP name help\n# TYPE name type\n". */
void prom_family(struct strbuf *b, const char *name, const char *type,
    const char *help);

/*
 * Appends a label value (untrusted text): invalid UTF-8 and control
 * characters as visible \xNN (util_safe_append), then '\\' and '"'
 * escaped, so one hostile value cannot break a scrape.
 */
void prom_label_value(struct strbuf *b, const char *v);

/*
 * Appends the lines of histogram h of family name, labels being the
 * text inside the braces without them ("label=\"x\"", may be ""):
 * name_bucket{labels,le="..."} for each bound and +Inf, name_sum and
 * name_count.
 */
void prom_hist_lines(struct strbuf *b, const char *name, const char *labels,
    const struct prom_hist *h);

#endif
