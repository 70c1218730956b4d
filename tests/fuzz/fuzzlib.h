/*
 * fuzzlib.h: what the libFuzzer harnesses of tests/fuzz/ share: the entry
 * point libFuzzer calls, the input cut into parts (several answers of a
 * server, a template and its document), and a private folder for the
 * parsers that read files.
 */
#ifndef MEDLOAD_FUZZLIB_H
#define MEDLOAD_FUZZLIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Separates the parts of one input: "\n=====\n". */
#define FUZZLIB_SEP "\n=====\n"

/* libFuzzer's entry point, defined by each harness. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A NUL-terminated copy of data[0..size) (caller frees). */
char *fuzzlib_cstr(const uint8_t *data, size_t size);

/*
 * Cuts the next part off *data (*size bytes) at FUZZLIB_SEP: sets *part
 * and *len (borrowed) and advances *data past the separator. Returns 0,
 * or -1 when nothing is left.
 */
int fuzzlib_next(const uint8_t **data, size_t *size, const uint8_t **part,
    size_t *len);

/*
 * The harness's private folder, made on first use (mode 0700, under
 * TMPDIR or /tmp) and removed with its files at exit. Borrowed.
 */
const char *fuzzlib_dir(void);

/*
 * Writes data[0..size) to the file NAME in fuzzlib_dir(), replacing it.
 * Returns its path (caller frees); aborts when it cannot be written.
 */
char *fuzzlib_file(const char *name, const uint8_t *data, size_t size);

/* A stream open on /dev/null for renderers' output (borrowed). */
FILE *fuzzlib_null(void);

/*
 * Applies edits e[0..n) to the text *t (*len bytes, reallocated): 4 bytes
 * each (offset high, offset low, operation, byte), replacing, deleting or
 * inserting one byte; at most FUZZLIB_EDITS of them.
 */
#define FUZZLIB_EDITS 16
void fuzzlib_edit(char **t, size_t *len, const uint8_t *e, size_t n);

/*
 * Writes lead, then data[0..n), to the file the environment variable var
 * names (when it is set): what a harness built, for tests/fuzz/seeds.py.
 */
void fuzzlib_dump(const char *var, uint8_t lead, const char *data,
    size_t n);

/* Aborts with a message: an oracle of a harness found a broken answer. */
void fuzzlib_fail(const char *what, const char *detail);

/*
 * A refusal must say why, in printable ASCII: fails otherwise. Frees
 * cause.
 */
void fuzzlib_cause(char *cause);

#endif
