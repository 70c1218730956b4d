/*
 * check.h: the unit tests' harness. Each test function runs under RUN();
 * it prints "PASS name" or "FAIL name" (the format tests/run counts), and
 * every failed CHECK says where and what on stderr.
 */
#ifndef MEDLOAD_CHECK_H
#define MEDLOAD_CHECK_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int check_failed;
static int check_total_failed;
static const char *check_name;

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s: failed: %s\n",	\
			    __FILE__, __LINE__, check_name, #cond);	\
			check_failed = 1;				\
		}							\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (g_ == NULL || w_ == NULL ? g_ != w_ :		\
		    strcmp(g_, w_) != 0) {				\
			fprintf(stderr, "%s:%d: %s: got \"%s\", want "	\
			    "\"%s\"\n", __FILE__, __LINE__, check_name,	\
			    g_ ? g_ : "(null)", w_ ? w_ : "(null)");	\
			check_failed = 1;				\
		}							\
	} while (0)

#define CHECK_NUM(got, want, tol)					\
	do {								\
		double g_ = (got), w_ = (want);				\
		if (!(fabs(g_ - w_) <= (tol))) {			\
			fprintf(stderr, "%s:%d: %s: got %.9g, want "	\
			    "%.9g (tolerance %g)\n", __FILE__, __LINE__,	\
			    check_name, g_, w_, (double)(tol));		\
			check_failed = 1;				\
		}							\
	} while (0)

#define RUN(fn)								\
	do {								\
		check_failed = 0;					\
		check_name = #fn;					\
		fn();							\
		printf("%s %s\n", check_failed ? "FAIL" : "PASS", #fn);	\
		check_total_failed += check_failed;			\
	} while (0)

#define CHECK_EXIT() (check_total_failed ? 1 : 0)

#endif
