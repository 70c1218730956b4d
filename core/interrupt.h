/*
 * interrupt.h: the program's one interrupt flag. SIGINT and SIGTERM are
 * counted instead of killing medload; every loop that can take long (file
 * reads, search engine requests, the load run, the collector) looks at the
 * count and stops cleanly, keeping what it has. A second signal means
 * "stop now" where a first one only asks for a clean stop.
 */
#ifndef MEDLOAD_INTERRUPT_H
#define MEDLOAD_INTERRUPT_H

#include <signal.h>

/* The number of SIGINT/SIGTERM received (capped); see interrupt_seen. */
extern volatile sig_atomic_t interrupt_count;

/*
 * Makes SIGINT and SIGTERM increment interrupt_count, and ignores SIGPIPE
 * (a closed reader is a write error, not a death). Commands call it in
 * their execute step when they poll the count.
 */
void interrupt_catch(void);

/* Signals received since the last interrupt_rearm (0 at first). */
int interrupt_seen(void);

/* Whether a signal asks the current work to stop: interrupt_seen() > 0. */
int interrupt_pending(void);

/*
 * Marks the signals so far as handled: after a first Ctrl-C stopped a load
 * run, the report of what was collected still runs, and only a further
 * signal interrupts it.
 */
void interrupt_rearm(void);

/*
 * Blocks SIGINT and SIGTERM in this thread, the mask before saved in
 * *old: threads started until interrupt_unblock leave the signals to
 * this one, whose blocking reads they cut short.
 */
void interrupt_block(sigset_t *old);

/* Restores the mask interrupt_block saved. */
void interrupt_unblock(const sigset_t *old);

/* Sleeps ms milliseconds in 100 ms naps; -1 when a signal cut it short. */
int interrupt_sleep(double ms);

#endif
