/* interrupt.c: SIGINT and SIGTERM counted into one flag. */
#include "interrupt.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

volatile sig_atomic_t interrupt_count;
static sig_atomic_t interrupt_floor;

/* Counts the signal; the work loops do the rest. */
static void
interrupt_on_signal(int sig)
{
	(void)sig;
	/* Atomic (lock-free, so signal-safe): other threads read it. */
	if (__atomic_load_n(&interrupt_count, __ATOMIC_RELAXED) < 100)
		__atomic_add_fetch(&interrupt_count, 1, __ATOMIC_RELAXED);
}

void
interrupt_catch(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = interrupt_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void
interrupt_block(sigset_t *old)
{
	sigset_t block;

	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &block, old);
}

void
interrupt_unblock(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int
interrupt_seen(void)
{
	return __atomic_load_n(&interrupt_count, __ATOMIC_RELAXED) -
	    __atomic_load_n(&interrupt_floor, __ATOMIC_RELAXED);
}

int
interrupt_pending(void)
{
	return interrupt_seen() > 0;
}

void
interrupt_rearm(void)
{
	__atomic_store_n(&interrupt_floor, __atomic_load_n(&interrupt_count,
	    __ATOMIC_RELAXED), __ATOMIC_RELAXED);
}

int
interrupt_sleep(double ms)
{
	struct timespec ts;
	double step;

	while (ms > 0 && !interrupt_pending()) {
		step = ms > 100 ? 100 : ms;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(step * 1e6);
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return interrupt_pending() ? -1 : 0;
}
