/* prom.c: Prometheus text format pieces: families, labels, histograms. */
#include "prom.h"

#include "util.h"

const double prom_le[PROM_NLE] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
    0.5, 1, 2.5, 5, 10, 30, 60 };

void
prom_observe(struct prom_hist *h, double seconds, uint64_t count)
{
	size_t i;

	for (i = 0; i < PROM_NLE; i++)
		if (seconds <= prom_le[i])
			h->le[i] += count;
	h->count += count;
	h->sum += seconds * (double)count;
}

void
prom_family(struct strbuf *b, const char *name, const char *type,
    const char *help)
{
	strbuf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

void
prom_label_value(struct strbuf *b, const char *v)
{
	struct strbuf safe;
	const char *p;

	strbuf_init(&safe, 0);
	util_safe_append(&safe, v);
	for (p = safe.data; p != NULL && *p != '\0'; p++) {
		if (*p == '\\' || *p == '"')
			strbuf_addc(b, '\\');
		strbuf_addc(b, *p);
	}
	strbuf_release(&safe);
}

void
prom_hist_lines(struct strbuf *b, const char *name, const char *labels,
    const struct prom_hist *h)
{
	const char *sep = labels[0] != '\0' ? "," : "";
	char le[32];
	size_t i;

	for (i = 0; i <= PROM_NLE; i++)
		strbuf_addf(b, "%s_bucket{%s%sle=\"%s\"} %llu\n", name, labels,
		    sep, i < PROM_NLE ? util_num(prom_le[i], le) : "+Inf",
		    (unsigned long long)(i < PROM_NLE ? h->le[i] : h->count));
	strbuf_addf(b, "%s_sum%s%s%s %.6f\n", name, labels[0] ? "{" : "",
	    labels, labels[0] ? "}" : "", h->sum);
	strbuf_addf(b, "%s_count%s%s%s %llu\n", name, labels[0] ? "{" : "",
	    labels, labels[0] ? "}" : "", (unsigned long long)h->count);
}
