/*
 * nightly.h: the steps of one night of `medload nightly`: tonight's
 * analysis (an analysis file, trace files, a search engine window, or a
 * load run and its traces), the baseline and the comparison, the
 * thresholds, the history, the report folder and the verdict.
 */
#ifndef MEDLOAD_NIGHTLY_H
#define MEDLOAD_NIGHTLY_H

#include <stddef.h>

#include "compare.h"
#include "es_cli.h"
#include "threshold.h"

/* Everything the command line says (strings borrowed from argv). */
struct nightly {
	const char *analysis, *es_url, *index, *since, *until, *run_id;
	const char *mode, *run_config, *baseline, *history, *history_es;
	const char *history_index, *out, *templates, *when_s;
	const char *collect;		/* --run-config: the run's traces */
	const char **traces;		/* array owned */
	size_t ntraces;
	int failreg, dry, charts, help;
	size_t trend;
	double when;
	struct compare_opts co;
	struct threshold_set ts;
	struct es_cli ec;
	char **files;			/* trace file operands; array owned */
	size_t nfiles;
};

/* Sets the defaults. */
void nightly_init(struct nightly *n);

/* Releases what the options hold. */
void nightly_release(struct nightly *n);

/* Runs the night (or prints its plan); returns an exit status. */
int nightly_execute(struct nightly *n);

#endif
