/*
 * journal.h: the run's journal, one line per finished request, written
 * with write(2) as the run goes (small batches, flushed after every turn
 * of the event loop), so a crash or kill -9 keeps everything up to then.
 *
 * Format "medload.journal/1", tab-separated:
 *   # medload.journal/1 run_id=ID shard=I/N start_us=T
 *   R sched_us start_us end_us method name tenant status error_kind error
 *     detail bytes
 *   U t_us target_users actual_users
 * Times are microseconds since the epoch; "-" stands for an empty field;
 * tabs and newlines in text become spaces. No secret is ever written.
 */
#ifndef MEDLOAD_JOURNAL_H
#define MEDLOAD_JOURNAL_H

#include <stdint.h>

#include "stats.h"

struct journal;

/* Creates path (which must not exist). -1 with *cause. Caller frees. */
int journal_open(const char *path, const char *run_id, unsigned shard,
    unsigned nshards, int64_t start_us, struct journal **out, char **cause);

/* Appends one request line (buffered). */
void journal_request(struct journal *j, const struct stats_rec *r);

/* Appends one user-count sample (buffered). */
void journal_users(struct journal *j, int64_t t_us, unsigned target,
    unsigned actual);

/* Writes what is buffered. Returns 0, or -1 on the first write error. */
int journal_flush(struct journal *j);

/* Lines written; write errors seen. */
uint64_t journal_lines(const struct journal *j);

/* Flushes, closes and frees; NULL is accepted. -1 on a write error. */
int journal_close(struct journal *j, char **cause);

/* What a journal's header says. */
struct journal_info {
	char run_id[80];
	unsigned shard, nshards;
	int64_t start_us;
};

/*
 * Replays the n journals at paths into st (created by the caller with the
 * earliest start from journal_read_info), their lines merged in time order
 * as the run went (so each second's percentiles see every shard); journal
 * i is shard slot i (its user samples, its requests' shard). Adds the
 * request lines read to *lines and the lines that are not journal lines
 * (skipped; the first few named on stderr) to *bad. Returns 0, or -1 with
 * *cause when a file cannot be read.
 */
int journal_replay(char *const *paths, size_t n, struct stats *st,
    uint64_t *lines, uint64_t *bad, char **cause);

/* Reads a journal's header. */
int journal_read_info(const char *path, struct journal_info *info,
    char **cause);

#endif
