// SPDX-License-Identifier: GPL-2.0
/*
 * Loading and unloading: module parameters set the policy at load, bad
 * ones refuse the load, and unloading is safe while calls are in flight,
 * vfork parents sleep inside kernel_clone(), and other tasks clone and
 * unshare in a loop.
 *
 * Needs CLONEGATE_KO, the path of clonegate.ko. Every test leaves the
 * module loaded with its defaults.
 */
#include "common.h"

#include <sys/mman.h>
#include <time.h>

#include "harness.h"

static const char *ko(void)
{
	return getenv("CLONEGATE_KO");
}

static int load(const char *params)
{
	int fd = open(ko(), O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int unload(void)
{
	return syscall(__NR_delete_module, "clonegate", O_NONBLOCK) ? -errno : 0;
}

static void read_trimmed(const char *path, char *buf, size_t size)
{
	int n = cg_read(path, buf, size);

	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (n < 0)
		snprintf(buf, size, "(error %d)", n);
}

FIXTURE(lifecycle) {
};

/* Why a test that loads and unloads the module cannot run, or NULL. */
static const char *cannot_reload(void)
{
	if (!ko() || access(ko(), R_OK))
		return "CLONEGATE_KO does not name a readable module";
	if (!cg_loaded())
		return "clonegate is not loaded";
	return NULL;
}

FIXTURE_SETUP(lifecycle)
{
	if (cannot_reload())
		SKIP(return, "%s", cannot_reload());
}

FIXTURE_TEARDOWN(lifecycle)
{
	if (!cg_loaded())
		load("");
}

TEST_F(lifecycle, params_set_the_policy_at_load)
{
	char buf[512];

	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load("mode=enforce profile=permissive clone_flags=-newuser unshare_flags=newns,newuts rules=-unsupported_flag,+set_tid"));
	read_trimmed(CG "mode", buf, sizeof(buf));
	EXPECT_STREQ("enforce", buf);
	read_trimmed(CG "profile", buf, sizeof(buf));
	EXPECT_STREQ("custom", buf);
	read_trimmed(CG "clone_flags", buf, sizeof(buf));
	EXPECT_TRUE(strstr(buf, "newuser") == NULL);
	EXPECT_TRUE(strstr(buf, "newcgroup") != NULL);
	read_trimmed(CG "unshare_flags", buf, sizeof(buf));
	EXPECT_STREQ("newns newuts", buf);
	read_trimmed(CG "rules", buf, sizeof(buf));
	EXPECT_TRUE(strstr(buf, "-unsupported_flag\n") != NULL) TH_LOG("%s", buf);
	EXPECT_TRUE(strstr(buf, "+set_tid\n") != NULL) TH_LOG("%s", buf);
	EXPECT_TRUE(strstr(buf, "-fs_newns") != NULL) TH_LOG("%s", buf);
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
}

TEST_F(lifecycle, defaults_are_audit_and_gvisor)
{
	char buf[64];

	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
	read_trimmed(CG "mode", buf, sizeof(buf));
	EXPECT_STREQ("audit", buf);
	read_trimmed(CG "profile", buf, sizeof(buf));
	EXPECT_STREQ("gvisor", buf);
	read_trimmed(CG "locked", buf, sizeof(buf));
	EXPECT_STREQ("0", buf);
}

/* One bad parameter per row: the load fails with its errno, nothing stays. */
FIXTURE(bad_param) {
};

FIXTURE_VARIANT(bad_param) {
	const char *params;
	int err;
};

#define BAD(id, p, e)							\
	FIXTURE_VARIANT_ADD(bad_param, id) { .params = p, .err = e }

BAD(mode_unknown, "mode=bogus", EINVAL);
BAD(mode_empty, "mode=", EINVAL);
BAD(profile_custom, "profile=custom", EINVAL);
BAD(profile_case, "profile=gVisor", EINVAL);
BAD(clone_flags_unknown, "clone_flags=+nosuch", EINVAL);
BAD(clone_flags_empty, "clone_flags=", EINVAL);
BAD(clone_flags_number, "clone_flags=0x1", EINVAL);
BAD(clone_flags_overflow, "clone_flags=0x10000000000000000", ERANGE);
BAD(unshare_flags_clone_only, "unshare_flags=pidfd", EINVAL);
BAD(unshare_flags_mixed_forms, "unshare_flags=+newuser,newnet", EINVAL);
BAD(unshare_flags_twice, "unshare_flags=vm,vm", EINVAL);
BAD(setns_types_unknown, "setns_types=nosuch", EINVAL);
BAD(setns_types_a_flag, "setns_types=vm", EINVAL);
BAD(rules_no_sign, "rules=set_tid", EINVAL);
BAD(rules_unknown, "rules=-nosuch", EINVAL);
BAD(rules_mixed, "rules=+set_tid,set_tid", EINVAL);
BAD(rules_removed_row, "rules=-newuser_chroot", EINVAL);
BAD(event_ring_small, "event_ring=15", EINVAL);
BAD(event_ring_large, "event_ring=65537", EINVAL);
BAD(hook_backend_unknown, "hook_backend=bpf", EINVAL);

FIXTURE_SETUP(bad_param)
{
	if (cannot_reload())
		SKIP(return, "%s", cannot_reload());
}

FIXTURE_TEARDOWN(bad_param)
{
	if (!cg_loaded())
		load("");
}

TEST_F(bad_param, refuses_the_load)
{
	int ret;

	ASSERT_EQ(0, unload());
	ret = load(variant->params);
	EXPECT_EQ(-variant->err, ret) TH_LOG("%s", variant->params);
	EXPECT_FALSE(cg_loaded());
	if (cg_loaded())
		unload();
	ASSERT_EQ(0, load(""));
}

/*
 * A vfork child that waits keeps its parent inside kernel_clone(): the
 * child blocks reading @go, a pipe, until the test closes its other end.
 */
static int vfork_parent(int go)
{
	char c;
	pid_t pid = vfork();

	if (pid == 0) {
		syscall(__NR_read, go, &c, 1);
		syscall(__NR_exit, 0);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : 1;
}

TEST_F(lifecycle, rmmod_while_vfork_parents_sleep_in_clone)
{
	pid_t parents[4];
	int i, status, go[2];

	ASSERT_EQ(0, pipe(go));
	for (i = 0; i < 4; i++) {
		parents[i] = fork();
		if (parents[i] == 0) {
			close(go[1]);
			_exit(vfork_parent(go[0]));
		}
	}
	close(go[0]);
	/* each parent waits for its vfork child, inside kernel_clone() */
	for (i = 0; i < 4; i++) {
		EXPECT_EQ(0, cg_wait_state(parents[i], parents[i], 'D', NULL))
			TH_LOG("parent %d never waited for its vfork child", i);
	}
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
	close(go[1]);
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(parents[i], waitpid(parents[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/*
 * The reload loop's bounded work: RELOADS loads and unloads while four
 * workers each make up to WORKER_CALLS clone, clone3, vfork or unshare
 * calls (they stop early once the reloads are done). Under TCG on a busy
 * host a reload takes up to several seconds (ftrace patches text with
 * every CPU stopped), so the time limit is sized from the work:
 * RELOADS x 2 loads x 15 s, with margin.
 */
#define RELOADS		10
#define WORKER_CALLS	5000
#define RELOAD_TIMEOUT	(RELOADS * 2 * 15 + 120)

/* A vfork whose child exits at once, kept out of the caller's frame. */
static __attribute__((noinline)) pid_t vfork_exit(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* Clone, clone3, vfork or unshare; returns how many calls failed. */
static int worker(int kind, volatile int *stop)
{
	struct cg_clone_args args = { .exit_signal = SIGCHLD };
	int i, status, failed = 0;

	for (i = 0; i < WORKER_CALLS && !*stop; i++) {
		pid_t pid;

		switch (kind) {
		case 0:
			pid = fork();
			if (pid == 0)
				_exit(0);
			break;
		case 1:
			pid = cg_raw_clone3(&args, sizeof(args));
			break;
		case 2:
			pid = vfork_exit();
			break;
		default:
			pid = fork();
			if (pid == 0)
				_exit(unshare(CLONE_NEWUTS | CLONE_NEWIPC) ? 1 : 0);
			break;
		}
		/* every call is one the policy allows, loaded or not */
		if (pid < 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	return failed;
}

TEST_F_TIMEOUT(lifecycle, reload_loop_while_others_clone_and_unshare,
	       RELOAD_TIMEOUT)
{
	volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t workers[4], pid;
	int i, status;

	ASSERT_TRUE((void *)stop != MAP_FAILED);
	*stop = 0;
	for (i = 0; i < 4; i++) {
		workers[i] = fork();
		if (workers[i] == 0)
			_exit(worker(i, stop) ? 1 : 0);
	}
	for (i = 0; i < RELOADS; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("reload %d: unload", i);
		ASSERT_EQ(0, load(i % 2 ? "mode=enforce" : ""))
			TH_LOG("reload %d: load", i);
	}
	*stop = 1;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(workers[i], waitpid(workers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
			TH_LOG("worker %d: a call failed", i);
	}
	/* the module loaded last still counts calls */
	i = cg_stat("clone_calls");
	ASSERT_GE(i, 0);
	pid = vfork_exit();
	ASSERT_LT(0, pid);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	ASSERT_GT(cg_stat("clone_calls"), i);
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
}

TEST_HARNESS_MAIN
