/* collect_metrics.c: the collector's figures by label, as Prometheus text. */
#include "collect_metrics.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hmap.h"
#include "prom.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"

/* The reasons of refusals, by fate (CMET_SPOOLED has none). */
static const char *const cmet_reasons[CMET_NFATES] = { NULL, "not_json",
    "too_large", "unwritable" };

struct cmet_label {
	char *name;
	unsigned long long received, spooled, forwarded;
	unsigned long long refused[CMET_NFATES];
};

struct cmet_series {
	const struct cmet_label *label;
	char *outcome;
	struct prom_hist h;
};

struct cmet {
	struct hmap *labels;		/* name -> struct cmet_label */
	struct cmet_label **lv;		/* in order of arrival */
	size_t nl;
	struct hmap *series;		/* label "\0" outcome -> series */
	struct cmet_series **sv;
	size_t ns;
};

struct cmet *
cmet_new(void)
{
	struct cmet *m = util_calloc(1, sizeof(*m));

	m->labels = hmap_new();
	m->series = hmap_new();
	return m;
}

void
cmet_free(struct cmet *m)
{
	size_t i;

	if (m == NULL)
		return;
	for (i = 0; i < m->nl; i++) {
		free(m->lv[i]->name);
		free(m->lv[i]);
	}
	for (i = 0; i < m->ns; i++) {
		free(m->sv[i]->outcome);
		free(m->sv[i]);
	}
	hmap_free(m->labels, NULL);
	hmap_free(m->series, NULL);
	free(m->lv);
	free(m->sv);
	free(m);
}

/* The entry of label name, made on first use (CMET_OTHER past the cap). */
static struct cmet_label *
cmet_label(struct cmet *m, const char *name)
{
	struct cmet_label *l;

	if (name == NULL)
		name = "";
	l = hmap_get(m->labels, name, strlen(name));
	if (l != NULL)
		return l;
	if (m->nl >= CMET_MAX_LABELS && strcmp(name, CMET_OTHER) != 0)
		return cmet_label(m, CMET_OTHER);
	l = util_calloc(1, sizeof(*l));
	l->name = util_strdup(name);
	hmap_put(m->labels, l->name, strlen(name), l);
	m->lv = util_realloc(m->lv, (m->nl + 1) * sizeof(*m->lv));
	m->lv[m->nl++] = l;
	return l;
}

/* The histogram of (l, outcome), made on first use (or CMET_OTHER's). */
static struct cmet_series *
cmet_series(struct cmet *m, const struct cmet_label *l, const char *outcome)
{
	struct cmet_series *s;
	char *key;
	size_t ln = strlen(l->name), n = ln + 1 + strlen(outcome);

	key = util_malloc(n + 1);
	memcpy(key, l->name, ln + 1);
	strcpy(key + ln + 1, outcome);
	s = hmap_get(m->series, key, n);
	if (s == NULL && m->ns >= CMET_MAX_SERIES &&
	    (strcmp(l->name, CMET_OTHER) != 0 || strcmp(outcome, CMET_OTHER))) {
		free(key);
		return cmet_series(m, cmet_label(m, CMET_OTHER), CMET_OTHER);
	}
	if (s == NULL) {
		s = util_calloc(1, sizeof(*s));
		s->label = l;
		s->outcome = util_strdup(outcome);
		m->sv = util_realloc(m->sv, (m->ns + 1) * sizeof(*m->sv));
		m->sv[m->ns++] = s;
		hmap_put(m->series, key, n, s);
	}
	free(key);
	return s;
}

void
cmet_event(struct cmet *m, const struct trace_event *ev, enum cmet_fate fate)
{
	struct cmet_label *l = cmet_label(m, ev != NULL ? ev->label : NULL);

	l->received++;
	if (fate != CMET_SPOOLED) {
		l->refused[fate]++;
		return;
	}
	l->spooled++;
	if (ev != NULL && !ev->probe && ev->outcome != NULL)
		prom_observe(&cmet_series(m, l, ev->outcome)->h,
		    ev->elapsed_ms / 1000, 1);
}

void
cmet_forwarded(struct cmet *m, const char *label, unsigned long long n)
{
	cmet_label(m, label)->forwarded += n;
}

/* Appends label="l"[,outcome|reason="v"] (no braces). */
static void
cmet_labels(struct strbuf *b, const char *label, const char *key,
    const char *v)
{
	strbuf_adds(b, "label=\"");
	prom_label_value(b, label);
	strbuf_addc(b, '"');
	if (key != NULL) {
		strbuf_addf(b, ",%s=\"", key);
		prom_label_value(b, v);
		strbuf_addc(b, '"');
	}
}

/* A counter family with one line per label: field of struct cmet_label. */
static void
cmet_counter(struct strbuf *b, const struct cmet *m, const char *name,
    const char *help, size_t field)
{
	size_t i;

	prom_family(b, name, "counter", help);
	for (i = 0; i < m->nl; i++) {
		strbuf_addf(b, "%s{", name);
		cmet_labels(b, m->lv[i]->name, NULL, NULL);
		strbuf_addf(b, "} %llu\n", *(const unsigned long long *)
		    ((const char *)m->lv[i] + field));
	}
}

/* One gauge without labels. */
static void
cmet_gauge(struct strbuf *b, const char *name, const char *help,
    unsigned long long v)
{
	prom_family(b, name, "gauge", help);
	strbuf_addf(b, "%s %llu\n", name, v);
}

/* The refusals by label and reason. */
static void
cmet_refused(struct strbuf *b, const struct cmet *m)
{
	size_t i;
	int f;

	prom_family(b, "medload_collect_events_refused_total", "counter",
	    "Events not stored, by trace label (\"\" when the body is no "
	    "trace event) and reason: not_json (400), too_large (413), "
	    "unwritable (503).");
	for (i = 0; i < m->nl; i++)
		for (f = CMET_NOT_JSON; f < CMET_NFATES; f++) {
			if (m->lv[i]->refused[f] == 0)
				continue;
			strbuf_adds(b, "medload_collect_events_refused_total{");
			cmet_labels(b, m->lv[i]->name, "reason",
			    cmet_reasons[f]);
			strbuf_addf(b, "} %llu\n", m->lv[i]->refused[f]);
		}
}

/* The outcome histograms. */
static void
cmet_histograms(struct strbuf *b, const struct cmet *m)
{
	struct strbuf labels;
	size_t i;

	prom_family(b, "medload_collect_outcome_duration_seconds",
	    "histogram", "The elapsed time trace events report (elapsed_milli"
	    "), by trace label and outcome, as they arrive.");
	strbuf_init(&labels, 0);
	for (i = 0; i < m->ns; i++) {
		strbuf_reset(&labels);
		cmet_labels(&labels, m->sv[i]->label->name, "outcome",
		    m->sv[i]->outcome);
		prom_hist_lines(b, "medload_collect_outcome_duration_seconds",
		    labels.data, &m->sv[i]->h);
	}
	strbuf_release(&labels);
}

char *
cmet_text(const struct cmet *m, const struct cmet_gauges *g)
{
	struct strbuf b;

	strbuf_init(&b, 0);
	cmet_gauge(&b, "medload_collect_up", "1 while the collector serves "
	    "its metrics.", 1);
	cmet_gauge(&b, "medload_collect_stopping", "1 once the collector "
	    "stopped listening (draining the spool to the server).",
	    (unsigned long long)g->stopping);
	cmet_counter(&b, m, "medload_collect_events_received_total",
	    "Events POSTed, by trace label (\"\" when the body is no trace "
	    "event).", offsetof(struct cmet_label, received));
	cmet_counter(&b, m, "medload_collect_events_spooled_total", "Events "
	    "stored in the file (answered 200), by trace label.",
	    offsetof(struct cmet_label, spooled));
	cmet_refused(&b, m);
	cmet_histograms(&b, m);
	cmet_gauge(&b, "medload_collect_spool_bytes", "Bytes of whole lines "
	    "in the file (the spool).", g->spool_bytes);
	cmet_gauge(&b, "medload_collect_spool_writable", "1 while the file "
	    "takes events, 0 while it cannot (503 answers).",
	    (unsigned long long)g->spool_writable);
	if (!g->forwarding)
		return strbuf_detach(&b);
	cmet_counter(&b, m, "medload_collect_events_forwarded_total", "Events "
	    "indexed by the search engine, by trace label (\"\" for a batch "
	    "in which the server refused some items).",
	    offsetof(struct cmet_label, forwarded));
	prom_family(&b, "medload_collect_events_forward_failed_total",
	    "counter", "Events the search engine refused for good.");
	strbuf_addf(&b, "medload_collect_events_forward_failed_total %llu\n",
	    g->forward_failed);
	cmet_gauge(&b, "medload_collect_forward_backlog_bytes", "Bytes of "
	    "the spool not yet forwarded.", g->backlog_bytes);
	cmet_gauge(&b, "medload_collect_forward_up", "1 when the last _bulk "
	    "request went through (or nothing waits), 0 while the server "
	    "cannot be reached or refuses.",
	    (unsigned long long)g->forward_up);
	return strbuf_detach(&b);
}

char *
cmet_page(const struct cmet *m, const struct cmet_gauges *g)
{
	struct strbuf b;
	const struct cmet_label *l;
	size_t i;

	strbuf_init(&b, 0);
	strbuf_adds(&b, "<!doctype html><html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"1\">"
	    "<title>medload collect (live)</title><style>body{font:14px "
	    "sans-serif;margin:1em}td,th{padding:2px 8px;text-align:right}"
	    "td:first-child,th:first-child{text-align:left}</style></head>"
	    "<body><h1>medload collect, live</h1>");
	strbuf_addf(&b, "<p>spool %llu bytes%s%s", g->spool_bytes,
	    g->spool_writable ? "" : " (cannot be written: answering 503)",
	    g->stopping ? " &middot; stopping" : "");
	if (g->forwarding)
		strbuf_addf(&b, " &middot; forward backlog %llu bytes%s",
		    g->backlog_bytes, g->forward_up ? "" : " (server away)");
	strbuf_adds(&b, "</p><table><tr><th>label</th><th>received</th><th>"
	    "spooled</th><th>refused</th><th>forwarded</th></tr>");
	for (i = 0; i < m->nl; i++) {
		l = m->lv[i];
		strbuf_adds(&b, "<tr><td>");
		tmpl_escape(TMPL_HTML, l->name[0] ? l->name : "(no trace "
		    "event)", &b);
		strbuf_addf(&b, "</td><td>%llu</td><td>%llu</td><td>%llu</td>"
		    "<td>%llu</td></tr>", l->received, l->spooled, l->received -
		    l->spooled, l->forwarded);
	}
	strbuf_adds(&b, "</table><p>Prometheus text: <a href=\"/metrics\">"
	    "/metrics</a></p></body></html>\n");
	return strbuf_detach(&b);
}

/* One label's lines in a batch. */
struct cmet_batch_label {
	char *name;
	unsigned long long n;
};

struct cmet_batch {
	struct trace_parser *parser;
	struct cmet_batch_label *v;
	size_t n;
};

struct cmet_batch *
cmet_batch_new(void)
{
	struct cmet_batch *b = util_calloc(1, sizeof(*b));

	b->parser = trace_parser_new();
	return b;
}

void
cmet_batch_reset(struct cmet_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i].name);
	b->n = 0;
}

void
cmet_batch_free(struct cmet_batch *b)
{
	if (b == NULL)
		return;
	cmet_batch_reset(b);
	free(b->v);
	trace_parser_free(b->parser);
	free(b);
}

void
cmet_batch_line(struct cmet_batch *b, const char *line, size_t len)
{
	struct trace_event ev;
	const char *label = "";
	size_t i;

	if (trace_parse(b->parser, line, len, &ev, NULL) == TRACE_OK &&
	    ev.label != NULL)
		label = ev.label;
	for (i = 0; i < b->n; i++)
		if (strcmp(b->v[i].name, label) == 0)
			break;
	if (i == b->n) {
		/* a batch has few labels; past the cap they count as one */
		if (b->n >= CMET_MAX_LABELS)
			label = CMET_OTHER;
		for (i = 0; i < b->n; i++)
			if (strcmp(b->v[i].name, label) == 0)
				break;
	}
	if (i == b->n) {
		b->v = util_realloc(b->v, (b->n + 1) * sizeof(*b->v));
		b->v[b->n].name = util_strdup(label);
		b->v[b->n++].n = 0;
	}
	b->v[i].n++;
}

void
cmet_batch_commit(struct cmet *m, const struct cmet_batch *b,
    unsigned long long ok, unsigned long long failed)
{
	unsigned long long lines = 0;
	size_t i;

	for (i = 0; i < b->n; i++)
		lines += b->v[i].n;
	if (failed > 0 || ok != lines) {
		cmet_forwarded(m, "", ok);
		return;
	}
	for (i = 0; i < b->n; i++)
		cmet_forwarded(m, b->v[i].name, b->v[i].n);
}
