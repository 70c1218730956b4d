/* seen.c: the values of the events the filters left out, for hints. */
#include "seen.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "filter.h"
#include "hmap.h"
#include "timeutil.h"
#include "trace.h"
#include "util.h"

/* Counts one value (NULL is shown as "-"). */
static void
seen_value(struct seen_values *v, const char *name, unsigned long long k)
{
	size_t i;

	if (name == NULL)
		name = "-";
	for (i = 0; i < v->n; i++) {
		if (strcmp(v->name[i], name) == 0) {
			v->count[i] += k;
			return;
		}
	}
	if (v->n < SEEN_MAX) {
		v->name[v->n] = util_strdup(name);
		v->count[v->n++] = k;
	} else
		v->others += k;
}

void
seen_add(struct seen *s, const struct trace_event *ev)
{
	seen_value(&s->labels, ev->label, 1);
	seen_value(&s->outcomes, ev->outcome, 1);
	seen_value(&s->types, ev->traced_type, 1);
	if (s->n == 0 || ev->time < s->first)
		s->first = ev->time;
	if (s->n == 0 || ev->time > s->last)
		s->last = ev->time;
	s->n++;
}

/* Counts one value of a log (NULL is noted as "-"). */
static void
seen_log_value(struct seen_log_values *v, const char *name)
{
	size_t pos, len;

	if (name == NULL)
		name = "-";
	len = strlen(name);
	if (v->index == NULL)
		v->index = hmap_new();
	pos = (size_t)(uintptr_t)hmap_get(v->index, name, len);
	if (pos != 0) {
		v->count[pos - 1]++;
		return;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 8;
		v->name = util_realloc(v->name, v->cap * sizeof(*v->name));
		v->count = util_realloc(v->count, v->cap * sizeof(*v->count));
	}
	v->name[v->n] = util_strdup(name);
	v->count[v->n++] = 1;
	hmap_put(v->index, name, len, (void *)(uintptr_t)v->n);
}

void
seen_log_add(struct seen_log *l, const struct trace_event *ev)
{
	seen_log_value(&l->labels, ev->label);
	seen_log_value(&l->outcomes, ev->outcome);
	seen_log_value(&l->types, ev->traced_type);
	if (l->n == 0 || ev->time < l->first)
		l->first = ev->time;
	if (l->n == 0 || ev->time > l->last)
		l->last = ev->time;
	l->n++;
}

/* Adds a log's values, in order of first appearance, into dst. */
static void
seen_log_values_apply(struct seen_values *dst,
    const struct seen_log_values *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		seen_value(dst, v->name[i], v->count[i]);
}

void
seen_log_apply(struct seen *s, const struct seen_log *l)
{
	if (l->n == 0)
		return;
	seen_log_values_apply(&s->labels, &l->labels);
	seen_log_values_apply(&s->outcomes, &l->outcomes);
	seen_log_values_apply(&s->types, &l->types);
	if (s->n == 0 || l->first < s->first)
		s->first = l->first;
	if (s->n == 0 || l->last > s->last)
		s->last = l->last;
	s->n += l->n;
}

/* Frees one list of a log. */
static void
seen_log_values_release(struct seen_log_values *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->name[i]);
	free(v->name);
	free(v->count);
	hmap_free(v->index, NULL);
	memset(v, 0, sizeof(*v));
}

void
seen_log_release(struct seen_log *l)
{
	seen_log_values_release(&l->labels);
	seen_log_values_release(&l->outcomes);
	seen_log_values_release(&l->types);
	memset(l, 0, sizeof(*l));
}

/* Adds src's values into dst's. */
static void
seen_values_merge(struct seen_values *dst, const struct seen_values *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		seen_value(dst, src->name[i], src->count[i]);
	dst->others += src->others;
}

void
seen_merge(struct seen *dst, const struct seen *src)
{
	if (src->n == 0)
		return;
	seen_values_merge(&dst->labels, &src->labels);
	seen_values_merge(&dst->outcomes, &src->outcomes);
	seen_values_merge(&dst->types, &src->types);
	if (dst->n == 0 || src->first < dst->first)
		dst->first = src->first;
	if (dst->n == 0 || src->last > dst->last)
		dst->last = src->last;
	dst->n += src->n;
}

/* Frees one list's names. */
static void
seen_values_release(struct seen_values *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->name[i]);
	memset(v, 0, sizeof(*v));
}

void
seen_release(struct seen *s)
{
	seen_values_release(&s->labels);
	seen_values_release(&s->outcomes);
	seen_values_release(&s->types);
	s->n = 0;
}

void
seen_values_append(struct strbuf *b, const char *what,
    const struct seen_values *v)
{
	size_t i;

	strbuf_addf(b, "%s ", what);
	if (v->n == 0 && v->others == 0)
		strbuf_adds(b, "none");
	for (i = 0; i < v->n; i++) {
		strbuf_adds(b, i > 0 ? ", " : "");
		util_safe_append(b, v->name[i]);
		strbuf_addf(b, " (%llu)", v->count[i]);
	}
	if (v->others > 0)
		strbuf_addf(b, " and %llu more events with other values",
		    v->others);
}

char *
seen_hint(const struct seen *s, const struct filter *f)
{
	char *lead, *hint;

	if (s->n == 0)
		return NULL;
	lead = util_printf("the filters left out %llu valid events", s->n);
	hint = seen_hint_lead(s, f, lead);
	free(lead);
	return hint;
}

char *
seen_hint_lead(const struct seen *s, const struct filter *f,
    const char *lead)
{
	struct strbuf b;
	char t1[TIME_BUF], t2[TIME_BUF];
	const char *sep = "";

	strbuf_init(&b, 0);
	strbuf_addf(&b, "%s: ", lead);
	if (f->nlabels > 0 || (f->noutcomes == 0 && f->ntypes == 0 &&
	    !f->has_since && !f->has_until)) {
		seen_values_append(&b, "labels", &s->labels);
		sep = "; ";
	}
	if (f->noutcomes > 0) {
		strbuf_adds(&b, sep);
		seen_values_append(&b, "outcomes", &s->outcomes);
		sep = "; ";
	}
	if (f->ntypes > 0) {
		strbuf_adds(&b, sep);
		seen_values_append(&b, "traced types", &s->types);
		sep = "; ";
	}
	if (s->timeless)
		strbuf_addf(&b, "%sno time field", sep);
	else
		strbuf_addf(&b, "%stimes %s to %s", sep, time_format(s->first,
		    t1), time_format(s->last, t2));
	return strbuf_detach(&b);
}
