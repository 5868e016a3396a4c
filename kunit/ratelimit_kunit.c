// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for clonegate's rate limit of records: one token bucket, fed
 * made-up times.
 *
 * Suite: clonegate_ratelimit
 */
#include <kunit/test.h>

#include "../module/ratelimit.h"

#define BURST	5
#define RATE	2
/* a time well after 0, where a fresh bucket starts full */
#define T0	(1000ULL * NSEC_PER_SEC)

/* Takes @n tokens at @now; returns how many were given. */
static int take_n(struct clonegate_bucket *b, u64 now, int n)
{
	int given = 0;

	while (n--)
		given += clonegate_bucket_take(b, now, BURST, RATE) >= 0;
	return given;
}

/* A fresh bucket gives a burst, then holds back and counts. */
static void ratelimit_burst_then_held(struct kunit *test)
{
	struct clonegate_bucket b = {};

	KUNIT_EXPECT_EQ(test, BURST, take_n(&b, T0, BURST + 3));
	KUNIT_EXPECT_EQ(test, 3U, b.held);
}

/* A token comes back after 1 / RATE s, not before; it names the held. */
static void ratelimit_refill_at_the_rate(struct kunit *test)
{
	struct clonegate_bucket b = {};
	const u64 period = NSEC_PER_SEC / RATE;

	take_n(&b, T0, BURST + 4);
	KUNIT_EXPECT_EQ(test, -1,
			clonegate_bucket_take(&b, T0 + period - 1, BURST, RATE));
	KUNIT_EXPECT_EQ(test, 5,
			clonegate_bucket_take(&b, T0 + period, BURST, RATE));
	KUNIT_EXPECT_EQ(test, 0U, b.held);
	KUNIT_EXPECT_EQ(test, -1,
			clonegate_bucket_take(&b, T0 + period, BURST, RATE));
}

/* However long the pause, the bucket holds one burst. */
static void ratelimit_pause_caps_at_burst(struct kunit *test)
{
	struct clonegate_bucket b = {};

	take_n(&b, T0, BURST);
	KUNIT_EXPECT_EQ(test, BURST,
			take_n(&b, T0 + 3600 * NSEC_PER_SEC, 2 * BURST));
}

/*
 * A time older than the last refill, as a CPU that read the clock before
 * waiting for the bucket's lock sees it: nothing is refilled (the
 * difference must not wrap into a full bucket), and the bucket's time does
 * not go back.
 */
static void ratelimit_older_time_refills_nothing(struct kunit *test)
{
	struct clonegate_bucket b = {};

	take_n(&b, T0, BURST);
	KUNIT_EXPECT_EQ(test, 0, take_n(&b, T0 - 1, BURST));
	KUNIT_EXPECT_EQ(test, 0, take_n(&b, T0 - NSEC_PER_SEC, BURST));
	KUNIT_EXPECT_EQ(test, (u64)T0, b.last_ns);
	/* and time goes on from the newest refill */
	KUNIT_EXPECT_EQ(test, 1,
			take_n(&b, T0 + NSEC_PER_SEC / RATE, BURST));
}

/* The largest burst and rate neither overflow nor stall. */
static void ratelimit_largest_values(struct kunit *test)
{
	struct clonegate_bucket b = {};
	int i, given = 0;

	for (i = 0; i < 1000; i++)
		given += clonegate_bucket_take(&b, T0 + i, U32_MAX, U32_MAX) >= 0;
	KUNIT_EXPECT_EQ(test, 1000, given);
}

static struct kunit_case clonegate_ratelimit_test_cases[] = {
	KUNIT_CASE(ratelimit_burst_then_held),
	KUNIT_CASE(ratelimit_refill_at_the_rate),
	KUNIT_CASE(ratelimit_pause_caps_at_burst),
	KUNIT_CASE(ratelimit_older_time_refills_nothing),
	KUNIT_CASE(ratelimit_largest_values),
	{}
};

static struct kunit_suite clonegate_ratelimit_test_suite = {
	.name = "clonegate_ratelimit",
	.test_cases = clonegate_ratelimit_test_cases,
};

kunit_test_suite(clonegate_ratelimit_test_suite);
