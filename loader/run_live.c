/* run_live.c: the run's figures as Prometheus text and a live page. */
#include "run_live.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "hist.h"
#include "live.h"
#include "prom.h"
#include "shape.h"
#include "stats.h"
#include "strbuf.h"
#include "tmpl.h"
#include "util.h"

#define RUN_LIVE_SAMPLES 180	/* seconds drawn on the page */
#define RUN_LIVE_NAMES 8	/* request names with a p95 line */

/* One second of the page's charts. */
struct run_live_sample {
	double t;			/* seconds since the start */
	unsigned target, actual;
	double rps;
	double p95[RUN_LIVE_NAMES];	/* ms, cumulative, per name; NAN: none */
};

struct run_live {
	struct live *srv;
	struct run_live_sample ring[RUN_LIVE_SAMPLES];
	size_t n, head;			/* samples held, next slot */
	char *names[RUN_LIVE_NAMES];	/* the names with a p95 line */
	size_t nnames;
};

int
run_live_start(struct run *r, const char *listen, char **cause)
{
	struct run_live *l = util_calloc(1, sizeof(*l));

	if (live_start(listen, r->c->allow_remote, &l->srv, cause) == -1) {
		free(l);
		return -1;
	}
	r->live = l;
	return 0;
}

/* Appends the labels of a request name: run_id,method,name (no braces). */
static void
run_live_labels(struct strbuf *b, const struct run *r,
    const struct stats_view *v)
{
	strbuf_adds(b, "run_id=\"");
	prom_label_value(b, r->run_id);
	if (v != NULL) {
		strbuf_adds(b, "\",method=\"");
		prom_label_value(b, v->method);
		strbuf_adds(b, "\",name=\"");
		prom_label_value(b, v->name);
	}
	strbuf_addc(b, '"');
}

/* Adds one value (microseconds) of a histogram to the buckets. */
static int
run_live_bucket(double us, uint64_t count, void *arg)
{
	prom_observe(arg, us / 1e6, count);
	return 0;
}

/* The metric lines of one request name (three families in turn). */
struct run_live_family {
	struct strbuf *b;
	const struct run *r;
	int which;		/* 0 requests, 1 failures, 2 histogram */
};

/* Appends one request name's lines of the current family. */
static void
run_live_name(const struct stats_view *v, void *arg)
{
	struct run_live_family *f = arg;
	struct prom_hist h;
	struct strbuf labels;

	strbuf_init(&labels, 0);
	run_live_labels(&labels, f->r, v);
	if (f->which < 2) {
		strbuf_addf(f->b, "%s{%s} %llu\n", f->which == 0 ?
		    "medload_requests_total" :
		    "medload_request_failures_total", labels.data,
		    (unsigned long long)(f->which == 0 ? v->count :
		    v->failures));
	} else {
		memset(&h, 0, sizeof(h));
		hist_foreach(v->intended_us, run_live_bucket, &h);
		/* the histogram's own count, whatever the rounding */
		h.count = hist_count(v->intended_us);
		prom_hist_lines(f->b, "medload_request_duration_seconds",
		    labels.data, &h);
	}
	strbuf_release(&labels);
}

/* Users who never finished their setup so far (left, or gave up). */
static unsigned
run_live_never_ready(const struct run *r)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < r->ntenants; i++)
		if (r->tenants[i] != NULL && !r->tenants[i]->was_ready &&
		    r->tenants[i]->state != TENANT_SETUP)
			n++;
	return n;
}

/* Appends one gauge or counter of the run. */
static void
run_live_scalar(struct strbuf *b, const struct run *r, const char *name,
    const char *type, const char *help, double v)
{
	char num[32];

	prom_family(b, name, type, help);
	strbuf_addf(b, "%s{", name);
	run_live_labels(b, r, NULL);
	strbuf_addf(b, "} %s\n", util_num(v, num));
}

/* The families of the per-name lines, in the order they are written. */
static const struct {
	const char *name, *type, *help;
} run_live_families[] = {
	{ "medload_requests_total", "counter", "Requests (and state waits) "
	    "that ended, by request name." },
	{ "medload_request_failures_total", "counter", "Requests that failed, "
	    "by request name (errors, HTTP errors, timeouts, waits that timed "
	    "out)." },
	{ "medload_request_duration_seconds", "histogram", "Latency from the "
	    "intended start, by request name." },
};

/* The Prometheus text of the run (caller frees). */
static char *
run_live_metrics(const struct run *r, double elapsed)
{
	struct run_live_family f;
	struct strbuf b;

	strbuf_init(&b, 0);
	run_live_scalar(&b, r, "medload_up", "gauge", "1 while the run goes.",
	    1);
	run_live_scalar(&b, r, "medload_elapsed_seconds", "gauge", "Seconds "
	    "since the run started.", elapsed);
	run_live_scalar(&b, r, "medload_step", "gauge", "The load step now "
	    "(1-based).", shape_step_at(&r->c->shape, elapsed));
	run_live_scalar(&b, r, "medload_users_target", "gauge", "Users the "
	    "load shape asks for.", r->target);
	run_live_scalar(&b, r, "medload_users_actual", "gauge", "Users "
	    "running.", r->actual);
	run_live_scalar(&b, r, "medload_users_started_total", "counter",
	    "Users started.", (double)r->ntenants);
	run_live_scalar(&b, r, "medload_users_never_ready_total", "counter",
	    "Users that left or gave up before finishing their setup.",
	    run_live_never_ready(r));
	run_live_scalar(&b, r, "medload_users_setting_up", "gauge", "Users "
	    "setting up now (at most --max-setups).", r->in_setup);
	for (f.which = 0; f.which < 3; f.which++) {
		prom_family(&b, run_live_families[f.which].name,
		    run_live_families[f.which].type,
		    run_live_families[f.which].help);
		f.b = &b;
		f.r = r;
		stats_each(r->stats, run_live_name, &f);
	}
	return strbuf_detach(&b);
}

/* Notes the cumulative p95 of a name that has a line on the page. */
static void
run_live_p95(const struct stats_view *v, void *arg)
{
	struct run_live *l = ((void **)arg)[0];
	struct run_live_sample *s = ((void **)arg)[1];
	static const double q = 95;
	size_t i;

	for (i = 0; i < l->nnames; i++)
		if (strcmp(l->names[i], v->name) == 0)
			break;
	if (i == l->nnames && l->nnames < RUN_LIVE_NAMES &&
	    strcmp(v->method, "WAIT") != 0)
		l->names[l->nnames++] = util_strdup(v->name);
	if (i < l->nnames && strcmp(v->method, "WAIT") != 0 &&
	    hist_count(v->intended_us) > 0) {
		hist_percentiles(v->intended_us, &q, 1, &s->p95[i]);
		s->p95[i] /= 1000;
	}
}

/* Records this second's sample for the page. */
static void
run_live_sample(struct run *r, double elapsed, int64_t now)
{
	struct run_live *l = r->live;
	struct run_live_sample *s = &l->ring[l->head];
	void *args[2] = { l, s };
	size_t i;

	s->t = elapsed;
	s->target = r->target;
	s->actual = r->actual;
	s->rps = stats_recent_rate(r->stats, eng_epoch_us(r->eng, now));
	for (i = 0; i < RUN_LIVE_NAMES; i++)
		s->p95[i] = NAN;
	stats_each(r->stats, run_live_p95, args);
	l->head = (l->head + 1) % RUN_LIVE_SAMPLES;
	if (l->n < RUN_LIVE_SAMPLES)
		l->n++;
}

/* A value of a sample to draw: line i of a chart. */
typedef double (*run_live_value_fn)(const struct run_live_sample *s,
    size_t i);

static double
run_live_target(const struct run_live_sample *s, size_t i)
{
	return i == 0 ? s->target : s->actual;
}

static double
run_live_rps(const struct run_live_sample *s, size_t i)
{
	(void)i;
	return s->rps;
}

static double
run_live_p95_of(const struct run_live_sample *s, size_t i)
{
	return s->p95[i];
}

/* The i-th oldest sample held. */
static const struct run_live_sample *
run_live_at(const struct run_live *l, size_t i)
{
	return &l->ring[(l->head + RUN_LIVE_SAMPLES - l->n + i) %
	    RUN_LIVE_SAMPLES];
}

/* The largest value of lines [0, nlines) (1 at least). */
static double
run_live_max(const struct run_live *l, size_t nlines, run_live_value_fn fn)
{
	double m = 1, v;
	size_t i, k;

	for (i = 0; i < l->n; i++)
		for (k = 0; k < nlines; k++)
			if (!isnan(v = fn(run_live_at(l, i), k)) && v > m)
				m = v;
	return m * 1.1;
}

/* Appends an SVG chart of nlines lines over the samples held. */
static void
run_live_svg(struct strbuf *b, const struct run_live *l, const char *title,
    const char *const *names, size_t nlines, run_live_value_fn fn)
{
	static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c",
	    "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#7f7f7f" };
	double max = run_live_max(l, nlines, fn), t0, t1, v;
	const struct run_live_sample *s;
	char num[32];
	size_t i, k;

	t0 = l->n ? run_live_at(l, 0)->t : 0;
	t1 = l->n ? run_live_at(l, l->n - 1)->t : 1;
	strbuf_adds(b, "<figure><figcaption>");
	tmpl_escape(TMPL_HTML, title, b);
	strbuf_addf(b, " (max %s)</figcaption><svg viewBox=\"0 0 400 150\" "
	    "width=\"400\" height=\"150\" role=\"img\"><rect width=\"400\" "
	    "height=\"150\" fill=\"#fafafa\" stroke=\"#ccc\"/>",
	    util_num(round(max / 1.1 * 10) / 10, num));
	for (k = 0; k < nlines; k++) {
		strbuf_addf(b, "<polyline fill=\"none\" stroke=\"%s\" "
		    "stroke-width=\"1.5\" points=\"", colors[k % 8]);
		for (i = 0; i < l->n; i++) {
			s = run_live_at(l, i);
			if (isnan(v = fn(s, k)))
				continue;
			strbuf_addf(b, "%.1f,%.1f ", t1 > t0 ? (s->t - t0) /
			    (t1 - t0) * 396 + 2 : 2, 148 - v / max * 146);
		}
		strbuf_adds(b, "\"/>");
	}
	strbuf_adds(b, "</svg><div class=\"legend\">");
	for (k = 0; k < nlines; k++) {
		strbuf_addf(b, "<span style=\"color:%s\">&#9632; ", colors[k % 8]);
		tmpl_escape(TMPL_HTML, names[k], b);
		strbuf_adds(b, "</span> ");
	}
	strbuf_adds(b, "</div></figure>");
}

/* Appends one row of the request table. */
static void
run_live_row(const struct stats_view *v, void *arg)
{
	static const double q[] = { 50, 95, 99 };
	struct strbuf *b = arg;
	double p[3];

	hist_percentiles(v->intended_us, q, 3, p);
	strbuf_adds(b, "<tr><td>");
	tmpl_escape(TMPL_HTML, v->method, b);
	strbuf_adds(b, "</td><td>");
	tmpl_escape(TMPL_HTML, v->name, b);
	strbuf_addf(b, "</td><td>%llu</td><td%s>%llu</td><td>%.0f</td>"
	    "<td>%.0f</td><td>%.0f</td></tr>", (unsigned long long)v->count,
	    v->failures ? " class=\"fail\"" : "",
	    (unsigned long long)v->failures, p[0] / 1000, p[1] / 1000,
	    p[2] / 1000);
}

/* The live page (caller frees). */
static char *
run_live_page(const struct run *r, double elapsed)
{
	static const char *const users[] = { "target", "actual" };
	static const char *const rps[] = { "requests/s" };
	const struct run_live *l = r->live;
	struct strbuf b;

	strbuf_init(&b, 0);
	strbuf_adds(&b, "<!doctype html><html lang=\"en\"><head><meta "
	    "charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"1\">"
	    "<title>medload run ");
	tmpl_escape(TMPL_HTML, r->run_id, &b);
	strbuf_adds(&b, " (live)</title><style>body{font:14px sans-serif;"
	    "margin:1em}figure{display:inline-block;margin:0 1em 1em 0}"
	    "td,th{padding:2px 8px;text-align:right}td:nth-child(2),"
	    "th:nth-child(2){text-align:left}.fail{color:#c00;font-weight:"
	    "bold}.legend{font-size:12px}</style></head><body><h1>"
	    "medload run <code>");
	tmpl_escape(TMPL_HTML, r->run_id, &b);
	strbuf_addf(&b, "</code>, live</h1><p id=\"summary\">%.0f s of %.0f s"
	    " &middot; step %u &middot; users %u of %u &middot; %.1f req/s "
	    "&middot; %llu requests &middot; <span%s>%llu failures</span>"
	    "</p>", elapsed, (double)(r->end_at - r->start) / 1e6,
	    shape_step_at(&r->c->shape, elapsed), r->actual, r->target,
	    l->n ? run_live_at(l, l->n - 1)->rps : 0,
	    (unsigned long long)stats_count(r->stats),
	    stats_failures(r->stats) ? " class=\"fail\"" : "",
	    (unsigned long long)stats_failures(r->stats));
	run_live_svg(&b, l, "users", users, 2, run_live_target);
	run_live_svg(&b, l, "requests per second", rps, 1, run_live_rps);
	run_live_svg(&b, l, "p95 per request name, ms (since the start)",
	    (const char *const *)l->names, l->nnames, run_live_p95_of);
	strbuf_adds(&b, "<table><tr><th>method</th><th>name</th><th>count"
	    "</th><th>failures</th><th>p50 ms</th><th>p95 ms</th><th>p99 ms"
	    "</th></tr>");
	stats_each(r->stats, run_live_row, &b);
	strbuf_adds(&b, "</table><p>Prometheus text: <a href=\"/metrics\">"
	    "/metrics</a></p></body></html>\n");
	return strbuf_detach(&b);
}

void
run_live_tick(struct run *r, int64_t now)
{
	double elapsed = (double)(now - r->start) / 1e6;
	char *metrics, *page;

	if (r->live == NULL)
		return;
	run_live_sample(r, elapsed, now);
	metrics = run_live_metrics(r, elapsed);
	page = run_live_page(r, elapsed);
	live_publish(r->live->srv, metrics, page);
	free(metrics);
	free(page);
}

void
run_live_stop(struct run *r)
{
	struct run_live *l = r->live;
	size_t i;

	if (l == NULL)
		return;
	run_live_tick(r, eng_now());
	live_linger(l->srv, 2);	/* a scraper gets the final figures */
	live_stop(l->srv);
	for (i = 0; i < l->nnames; i++)
		free(l->names[i]);
	free(l);
	r->live = NULL;
}
