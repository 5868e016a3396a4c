// SPDX-License-Identifier: GPL-2.0
/*
 * Deciding a call does not change the caller. The rule that asks whether
 * the caller holds CAP_SYS_ADMIN reads its effective set: it must not mark
 * the task as having used a privilege (PF_SUPERPRIV, which /proc shows
 * and process accounting records as ASU) when nothing was granted.
 */
#include "common.h"

#include "harness.h"

#define PF_SUPERPRIV	0x00000100

/* The flags field of /proc/self/stat (the 9th), or -1. */
static long task_flags(void)
{
	char buf[1024], *p;
	int i;
	FILE *f = fopen("/proc/self/stat", "r");

	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return -1;
	}
	fclose(f);
	/* past the command name, which may hold spaces */
	p = strrchr(buf, ')');
	for (i = 0; p && i < 7; i++)
		p = strchr(p + 1, ' ');
	return p ? strtol(p + 1, NULL, 10) : -1;
}

/*
 * unshare(CLONE_NEWNET | CLONE_SIGHAND) needs the capability fact (a new
 * network namespace) and is refused by another rule (CLONE_SIGHAND) before
 * Linux looks at anything: only clonegate ran.
 */
static int check_in_child(void *arg)
{
	long before = task_flags(), after;

	if (before < 0 || (before & PF_SUPERPRIV))
		return 2;
	if (!syscall(__NR_unshare, CLONE_NEWNET | CLONE_SIGHAND) ||
	    errno != EINVAL)
		return 3;
	after = task_flags();
	return after < 0 ? 2 : !!(after & PF_SUPERPRIV);
}

TEST(deciding_a_call_marks_no_privilege_used)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	ASSERT_EQ(0, geteuid()) TH_LOG("needs root: the capability is held");
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
	EXPECT_EQ(0, cg_in_child(check_in_child, NULL));
	cg_policy("gvisor", "audit");
}

TEST_HARNESS_MAIN
