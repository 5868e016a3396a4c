// SPDX-License-Identifier: GPL-2.0
/*
 * Floods: an unprivileged user makes many calls the policy refuses. Every
 * call is refused; the records of them are bounded by the rate limit; and
 * none goes missing without a count: records sent plus records held back
 * equals calls refused, and the held-back ones are named by the next
 * record that goes out.
 */
#include "common.h"
#include "../include/uapi/linux/clonegate.h"

#include <sched.h>
#include <time.h>
#include "harness.h"

#define NOBODY	65534
#define FLOODER	4242	/* another user, in another bucket */
#define BURST	5
#define RATE	2

/* events/suppressed: records held back by the rate limit so far. */
static long long suppressed(void)
{
	char buf[64];

	if (cg_read(CG "events/suppressed", buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * @n refused calls (EINVAL) as @uid from each of @cpus children, one
 * pinned to each CPU from 0 on, started together; returns how many were
 * refused in all.
 */
static int flood(uid_t uid, int n, int cpus)
{
	int go[2], p[2], refused = 0, got, i, k;
	pid_t pid[8];
	cpu_set_t set;
	char c;

	if (cpus > 8 || pipe(go) || pipe(p))
		return -1;
	for (k = 0; k < cpus; k++) {
		pid[k] = fork();
		if (pid[k])
			continue;
		CPU_ZERO(&set);
		CPU_SET(k, &set);
		if (sched_setaffinity(0, sizeof(set), &set) ||
		    setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
			_exit(1);
		close(go[1]);
		read(go[0], &c, 1);	/* until the parent closes it */
		for (i = 0; i < n; i++)
			if (syscall(__NR_unshare, CLONE_NEWCGROUP) &&
			    errno == EINVAL)
				refused++;
		write(p[1], &refused, sizeof(refused));
		_exit(0);
	}
	close(go[0]);
	close(go[1]);
	close(p[1]);
	for (k = 0; k < cpus; k++) {
		if (read(p[0], &got, sizeof(got)) != sizeof(got))
			refused = -1;
		else if (refused >= 0)
			refused += got;
	}
	close(p[0]);
	for (k = 0; k < cpus; k++)
		waitpid(pid[k], NULL, 0);
	return refused;
}

/*
 * Waits until a bucket an earlier test (or the other word size's run of
 * this one) emptied holds a whole burst again: it refills by the clock.
 */
static void until_refilled(void)
{
	usleep((BURST * 1000000 + RATE - 1) / RATE + 500000);
}

/* Records of nobody's unshare calls on @fd: how many, and what they name. */
struct seen {
	int records;
	long long carried;	/* sum of their suppressed fields */
	unsigned int last;	/* the last one's */
};

static void read_records(int fd, struct seen *s)
{
	struct clonegate_event ev[64];
	int n, i;

	while ((n = read(fd, ev, sizeof(ev))) > 0)
		for (i = 0; i < n / (int)sizeof(ev[0]); i++) {
			if (ev[i].op != CLONEGATE_EV_OP_UNSHARE ||
			    ev[i].uid != NOBODY)
				continue;
			s->records++;
			s->carried += ev[i].suppressed;
			s->last = ev[i].suppressed;
		}
}

FIXTURE(ratelimit) {
	int fd;
};

FIXTURE_SETUP(ratelimit)
{
	struct seen drain = {};

	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
	self->fd = open("/dev/clonegate", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, self->fd) TH_LOG("/dev/clonegate: %m");
	read_records(self->fd, &drain);
}

FIXTURE_TEARDOWN(ratelimit)
{
	close(self->fd);
	cg_write(CG "events/ratelimit", "100 20");
	cg_policy("gvisor", "audit");
}

/* What one flood under the limit came to. */
struct flood_run {
	int refused;		/* calls refused (EINVAL) */
	long long held;		/* records the module held back meanwhile */
	double took;		/* seconds */
	int bound;		/* the most records the limit lets out in that */
};

/*
 * With the limit at BURST RATE and @uid's bucket full, @n refused calls as
 * @uid from each of @cpus CPUs (flood()). Return: 0, or -errno of setting
 * the limit.
 */
static int limited_flood(uid_t uid, int n, int cpus, struct flood_run *r)
{
	char value[32];
	long long held0;
	double start;
	int err;

	snprintf(value, sizeof(value), "%d %d", BURST, RATE);
	err = cg_write(CG "events/ratelimit", value);
	if (err)
		return err;
	until_refilled();
	held0 = suppressed();
	start = seconds();
	r->refused = flood(uid, n, cpus);
	r->took = seconds() - start;
	r->held = suppressed() - held0;
	r->bound = BURST + (int)(RATE * r->took) + 1;
	return 0;
}

TEST_F(ratelimit, a_flood_is_refused_whole_and_reported_within_the_rate)
{
	struct seen s = {};
	struct flood_run f;
	const int n = 2000;

	ASSERT_EQ(0, limited_flood(NOBODY, n, 1, &f));
	read_records(self->fd, &s);

	/* denial is never rate-limited */
	EXPECT_EQ(n, f.refused);
	/* the records are bounded by the rate */
	TH_LOG("%d calls in %.1f s: %d records (at most %d), %lld held back",
	       n, f.took, s.records, f.bound, f.held);
	EXPECT_LE(s.records, f.bound);
	EXPECT_LE(BURST, s.records);
	/* nothing lost without a count */
	EXPECT_EQ(n, s.records + f.held);

	/* after a pause, the next record names every one held back since */
	usleep(1000000 / RATE + 100000);
	ASSERT_EQ(1, flood(NOBODY, 1, 1));
	s.last = 0;
	read_records(self->fd, &s);
	EXPECT_EQ(f.held, s.carried) TH_LOG("the records named %lld of %lld",
					     s.carried, f.held);
}

/*
 * One user's flood from two CPUs at once: the two take turns at the same
 * bucket. A turn that read the time before the other's refill once
 * counted as a whole burst's wait; under emulation that race did not show
 * in these calls (KUnit's clonegate_ratelimit feeds the bucket such a
 * time), so this checks the bound on two CPUs.
 */
TEST_F(ratelimit, a_flood_from_two_cpus_stays_within_the_rate)
{
	struct flood_run f;
	const int n = 2000;
	int sent;

	/* the debug lane's VM has one CPU */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU: no two calls at once");
	ASSERT_EQ(0, limited_flood(FLOODER, n, 2, &f));

	EXPECT_EQ(2 * n, f.refused);
	/* what went out, counted by the module: the ring may drop some */
	sent = 2 * n - f.held;
	TH_LOG("%d calls on two CPUs in %.1f s: %d records sent (at most %d)",
	       2 * n, f.took, sent, f.bound);
	EXPECT_LE(sent, f.bound);
	EXPECT_LE(BURST, sent);
}

TEST_F(ratelimit, no_limit_reports_every_call)
{
	struct seen s = {};
	long long held0 = suppressed();
	const int n = 100;	/* fits one CPU's ring */

	ASSERT_EQ(0, cg_write(CG "events/ratelimit", "0"));
	ASSERT_EQ(n, flood(NOBODY, n, 1));
	read_records(self->fd, &s);
	EXPECT_EQ(n, s.records);
	EXPECT_EQ(0, s.carried);
	EXPECT_EQ(held0, suppressed());
}

/* The setting refuses what it cannot mean, and keeps its value. */
FIXTURE(ratelimit_input) {
};

FIXTURE_VARIANT(ratelimit_input) {
	const char *value;
	int err;
};

FIXTURE_VARIANT_ADD(ratelimit_input, burst_without_rate) { "5", EINVAL };
FIXTURE_VARIANT_ADD(ratelimit_input, rate_zero) { "5 0", EINVAL };
FIXTURE_VARIANT_ADD(ratelimit_input, burst_zero) { "0 5", EINVAL };
FIXTURE_VARIANT_ADD(ratelimit_input, three_numbers) { "1 2 3", EINVAL };
FIXTURE_VARIANT_ADD(ratelimit_input, not_a_number) { "many", EINVAL };
FIXTURE_VARIANT_ADD(ratelimit_input, negative) { "-1 5", EINVAL };
FIXTURE_VARIANT_ADD(ratelimit_input, over_32_bits) { "4294967296 1", ERANGE };

FIXTURE_SETUP(ratelimit_input)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	ASSERT_EQ(0, cg_write(CG "events/ratelimit", "7 3"));
}

FIXTURE_TEARDOWN(ratelimit_input)
{
	cg_write(CG "events/ratelimit", "100 20");
}

TEST_F(ratelimit_input, refused_and_unchanged)
{
	char buf[64];

	EXPECT_EQ(-variant->err, cg_write(CG "events/ratelimit",
					  variant->value));
	ASSERT_LT(0, cg_read(CG "events/ratelimit", buf, sizeof(buf)));
	EXPECT_STREQ("7 3\n", buf);
}

TEST_HARNESS_MAIN
