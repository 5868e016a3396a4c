// SPDX-License-Identifier: GPL-2.0
/*
 * The module is there, and it sees every clone-family and unshare call a
 * user-space task makes: the counters grow by exactly the calls made.
 */
#include "common.h"
#include "harness.h"

#define CALLS 20

/*
 * Other tasks may clone at any time; a window in which the counter grew by
 * anything but our calls is measured again. A module that miscounts fails
 * every window. An unreadable counter is -1, never a delta.
 */
static long long delta_of(const char *stat, void (*op)(void), long long want)
{
	long long before, after, delta = -1;
	int attempt, i;

	for (attempt = 0; attempt < 5; attempt++) {
		before = cg_stat(stat);
		for (i = 0; i < CALLS; i++)
			op();
		after = cg_stat(stat);
		if (before < 0 || after < 0)
			return -1;
		delta = after - before;
		if (delta == want)
			break;
	}
	return delta;
}

static void do_fork(void)
{
	/* glibc's fork() is a clone: call the fork syscall itself */
	pid_t pid = syscall(__NR_fork);

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void do_vfork(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
}

static void do_clone(void)
{
	long pid = cg_raw_clone(SIGCHLD, NULL, NULL, NULL, 0);

	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void do_clone3(void)
{
	struct cg_clone_args args = { .exit_signal = SIGCHLD };
	long pid = cg_raw_clone3(&args, sizeof(args));

	if (pid > 0)
		waitpid(pid, NULL, 0);
}

static void do_unshare(void)
{
	unshare(0);
}

TEST(module_is_loaded)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("no " CG "version: is clonegate loaded?");
}

TEST(version_reads_back)
{
	char buf[64];
	int major, minor, patch;

	ASSERT_GT(cg_read(CG "version", buf, sizeof(buf)), 0);
	ASSERT_EQ(3, sscanf(buf, "%d.%d.%d", &major, &minor, &patch))
		TH_LOG("version is '%s'", buf);
}

TEST(version_is_read_only)
{
	char before[64], after[64];

	ASSERT_GT(cg_read(CG "version", before, sizeof(before)), 0);
	ASSERT_EQ(-EACCES, cg_write(CG "version", "9.9.9\n"));
	ASSERT_GT(cg_read(CG "version", after, sizeof(after)), 0);
	ASSERT_STREQ(before, after);
}

TEST(fork_counted_once_each)
{
	ASSERT_EQ(CALLS, delta_of("clone_calls", do_fork, CALLS));
}

TEST(vfork_counted_once_each)
{
	ASSERT_EQ(CALLS, delta_of("clone_calls", do_vfork, CALLS));
}

TEST(clone_counted_once_each)
{
	ASSERT_EQ(CALLS, delta_of("clone_calls", do_clone, CALLS));
}

TEST(clone3_counted_once_each)
{
	ASSERT_EQ(CALLS, delta_of("clone_calls", do_clone3, CALLS));
}

TEST(unshare_counted_once_each)
{
	ASSERT_EQ(CALLS, delta_of("unshare_calls", do_unshare, CALLS));
}

/* The fork is seen, as a clone, and not as an unshare. */
TEST(clone_calls_not_counted_as_unshare)
{
	long long clones = cg_stat("clone_calls");

	ASSERT_GE(clones, 0);
	ASSERT_EQ(0, delta_of("unshare_calls", do_fork, 0));
	ASSERT_GE(cg_stat("clone_calls") - clones, CALLS);
}

TEST_HARNESS_MAIN
