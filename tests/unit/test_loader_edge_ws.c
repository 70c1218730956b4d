/*
 * test_loader_edge_ws.c: the reconnect backoff of edge agents' sessions:
 * 0.5 s after a drop, doubling with each failure in a row, at most 30 s,
 * spread by 0.5 to 1.5 times.
 */
#include <stdint.h>

#include "check.h"
#include "edge_ws.h"

static void
test_backoff(void)
{
	CHECK(edge_ws_backoff(0, 0.5) == 500000);
	CHECK(edge_ws_backoff(1, 0.5) == 1000000);
	CHECK(edge_ws_backoff(5, 0.5) == 16000000);
	CHECK(edge_ws_backoff(6, 0.5) == 30000000);	/* capped */
	CHECK(edge_ws_backoff(200, 0.5) == 30000000);	/* no overflow */
	CHECK(edge_ws_backoff(0, 0) == 250000);
	CHECK(edge_ws_backoff(200, 0.999999) < 45000000);
	CHECK(edge_ws_backoff(200, 0) == 15000000);
}

int
main(void)
{
	RUN(test_backoff);
	return CHECK_EXIT();
}
