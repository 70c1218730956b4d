/*
 * junit.h: threshold results as JUnit XML for CI systems (Jenkins, GitLab,
 * GitHub test reporters): <testsuites><testsuite><testcase> per threshold,
 * <failure> with the measured value when it failed, <skipped> when it
 * could not be evaluated.
 */
#ifndef MEDLOAD_JUNIT_H
#define MEDLOAD_JUNIT_H

#include <stdio.h>

#include "files.h"

struct json_object;
struct strbuf;

/*
 * Writes block (a "thresholds" block from threshold_evaluate, borrowed) as
 * one test suite named suite. extra (borrowed, may be NULL) is an array of
 * further results of the same shape ({expr, status, message}), such as
 * regressions found by compare. Returns 0 or -1 on a write error.
 */
int junit_write(FILE *out, const char *suite, struct json_object *block,
    struct json_object *extra);

/*
 * Appends s escaped for XML 1.0 text and attributes: & < > " ' as
 * entities, tab, newline and carriage return as character references,
 * other characters XML 1.0 forbids (C0 controls, U+FFFE, U+FFFF, invalid
 * UTF-8) dropped.
 */
void junit_escape(struct strbuf *b, const char *s);

/*
 * Writes results to path atomically, opened as kind says (files.h:
 * FILES_USER for a path the user named, "-" being stdout; FILES_OWN for a
 * name medload chose inside its folder). Returns 0 or -1 with *cause.
 */
int junit_write_to(const char *path, enum files_kind kind, const char *suite,
    struct json_object *block, struct json_object *extra, char **cause);

/* junit_write_to with FILES_USER. */
int junit_write_file(const char *path, const char *suite,
    struct json_object *block, struct json_object *extra, char **cause);

#endif
