// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc time helpers: deadlines are absolute CLOCK_MONOTONIC nanoseconds.
 */
#include <stdint.h>
#include <time.h>

#include <kipc.h>

#define KIPC_NSEC_PER_SEC	1000000000ULL

uint64_t kipc_deadline(uint64_t timeout_ns)
{
	struct timespec ts;
	uint64_t now;

	/* cannot fail on Linux; if it did, 0 is a deadline already passed */
	if (clock_gettime(CLOCK_MONOTONIC, &ts))
		return 0;
	now = (uint64_t)ts.tv_sec * KIPC_NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	if (timeout_ns > UINT64_MAX - now)
		return UINT64_MAX;
	return now + timeout_ns;
}
