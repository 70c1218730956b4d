/* test_seen.c: what the filters left out, noted in one pass or in logs. */
#include "check.h"

#include <stdio.h>
#include <stdlib.h>

#include "seen.h"
#include "trace.h"

/* Says whether two lists of values hold the same names and counts. */
static int
same_values(const struct seen_values *x, const struct seen_values *y)
{
	size_t i;

	if (x->n != y->n || x->others != y->others)
		return 0;
	for (i = 0; i < x->n; i++)
		if (strcmp(x->name[i], y->name[i]) != 0 ||
		    x->count[i] != y->count[i])
			return 0;
	return 1;
}

/*
 * Events noted in logs of stretches applied in order equal the events
 * noted one by one, for stretches of every length: values first seen
 * after the six slots filled stay "others" even when a later stretch
 * sees them first.
 */
static void
test_logs_equal_one_pass(void)
{
	char labels[40][16], outcomes[40][16];
	struct trace_event ev[600];
	struct seen one, parts;
	struct seen_log log;
	unsigned seed = 3;
	size_t i, j, len;

	for (i = 0; i < 40; i++) {
		snprintf(labels[i], sizeof(labels[i]), "l%zu", i);
		snprintf(outcomes[i], sizeof(outcomes[i]), "o%zu", i % 9);
	}
	memset(ev, 0, sizeof(ev));
	for (i = 0; i < 600; i++) {
		seed = seed * 1103515245u + 12345u;
		ev[i].label = labels[(seed >> 8) % (i < 50 ? 3 : 40)];
		ev[i].outcome = i % 7 ? outcomes[(seed >> 4) % 40] : NULL;
		ev[i].time = 1000 + (double)((seed >> 12) % 500);
	}
	for (len = 1; len <= 601; len += len < 10 ? 1 : 97) {
		memset(&one, 0, sizeof(one));
		memset(&parts, 0, sizeof(parts));
		for (i = 0; i < 600; i += len) {
			memset(&log, 0, sizeof(log));
			for (j = i; j < i + len && j < 600; j++) {
				seen_add(&one, &ev[j]);
				seen_log_add(&log, &ev[j]);
			}
			seen_log_apply(&parts, &log);
			seen_log_release(&log);
		}
		CHECK(same_values(&one.labels, &parts.labels));
		CHECK(same_values(&one.outcomes, &parts.outcomes));
		CHECK(same_values(&one.types, &parts.types));
		CHECK(one.n == parts.n && one.n == 600);
		CHECK(one.first == parts.first && one.last == parts.last);
		CHECK(one.labels.others > 0);
		seen_release(&one);
		seen_release(&parts);
	}
}

int
main(void)
{
	RUN(test_logs_equal_one_pass);
	return CHECK_EXIT();
}
