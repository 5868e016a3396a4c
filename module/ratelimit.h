/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate's rate limit of records, the pure part: one token bucket. The
 * caller picks the bucket (events.c: one per user, hashed by uid), holds
 * its lock and reads the clock.
 */
#ifndef _CLONEGATE_RATELIMIT_H
#define _CLONEGATE_RATELIMIT_H

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/time64.h>
#include <linux/types.h>

/**
 * struct clonegate_bucket - a token bucket
 * @units: tokens, in NSEC_PER_SEC units each, so that a rate in records per
 *	second refills one unit per nanosecond per record
 * @last_ns: when @units was last refilled
 * @held: records held back since the last one sent
 */
struct clonegate_bucket {
	u64 units;
	u64 last_ns;
	u32 held;
};

/**
 * clonegate_bucket_take() - take a token for one record
 * @b: the bucket
 * @now: the time, in nanoseconds of a monotonic clock
 * @burst: the records that may go at once, not 0
 * @rate: the records per second earned back, not 0
 *
 * A time older than the last refill (read on another CPU before that
 * refill, or a clock that stepped back) refills nothing: the difference
 * would wrap into a full bucket.
 *
 * Return: the number of records held back before this one, which may go
 * out, or -1 to hold this one back too.
 */
static inline s64 clonegate_bucket_take(struct clonegate_bucket *b, u64 now,
					u32 burst, u32 rate)
{
	u64 cap = (u64)burst * NSEC_PER_SEC, elapsed = 0;
	s64 held;

	if (time_after64(now, b->last_ns)) {
		elapsed = now - b->last_ns;
		b->last_ns = now;
	}
	if (elapsed >= (cap - min(b->units, cap)) / rate)
		b->units = cap;
	else
		b->units += elapsed * rate;
	if (b->units < NSEC_PER_SEC) {
		b->held++;
		return -1;
	}
	b->units -= NSEC_PER_SEC;
	held = b->held;
	b->held = 0;
	return held;
}

#endif /* _CLONEGATE_RATELIMIT_H */
