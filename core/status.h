/* status.h: medload's exit statuses (documented in medload(1)). */
#ifndef MEDLOAD_STATUS_H
#define MEDLOAD_STATUS_H

enum status {
	STATUS_OK = 0,
	STATUS_NO_EVENTS = 1,	/* no usable event; run: no user got ready */
	STATUS_USAGE = 2,	/* bad command line or configuration */
	STATUS_IO = 3,		/* an input or output could not be used */
	STATUS_PARTIAL = 4,	/* a source stopped early: the result is partial */
	STATUS_THRESHOLD = 5,	/* a threshold was breached */
	STATUS_UNREACHABLE = 6,	/* run: the admin API unreachable at start */
	STATUS_INTERRUPTED = 130,	/* run: SIGINT or SIGTERM cut it short */
};

#endif
