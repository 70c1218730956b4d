/*
 * render_fold.h: how a report shows an analysis' groups to people: each
 * START group folded into its END group (the same key but the outcome's
 * ".START" read as ".END"; ACA-Py writes 0 ms for every START, so its row
 * says nothing but its count), and the handler column left out when every
 * group's handler repeats its label. The document itself is untouched:
 * JSON and CSV keep every group.
 */
#ifndef MEDLOAD_RENDER_FOLD_H
#define MEDLOAD_RENDER_FOLD_H

#include <stddef.h>

struct json_object;

struct render_fold {
	size_t n;		/* the document's groups */
	long *into;		/* per group: the END group its START row
				   folds into, or -1 (a row of its own) */
	double *starts;		/* per group: the START count folded into
				   it, or -1 */
	int folded;		/* some START was folded */
	long hide;		/* the index in "by" of a handler column
				   that repeats the label, or -1 */
};

/*
 * Plans the fold of doc's groups (borrowed) into f. With fold 0 nothing
 * is folded or hidden. Release f with render_fold_release.
 */
void render_fold_plan(struct json_object *doc, int fold,
    struct render_fold *f);

/* Frees what f holds. */
void render_fold_release(struct render_fold *f);

#endif
