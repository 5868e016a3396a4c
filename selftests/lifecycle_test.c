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

#include "kselftest_harness.h"

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

FIXTURE_SETUP(lifecycle)
{
	if (!ko() || access(ko(), R_OK))
		SKIP(return, "CLONEGATE_KO does not name a readable module");
	if (!cg_loaded())
		SKIP(return, "clonegate is not loaded");
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

TEST_F(lifecycle, bad_params_refuse_the_load)
{
	static const char *const bad[] = {
		"mode=bogus", "mode=", "profile=custom", "profile=gVisor",
		"clone_flags=+nosuch", "clone_flags=", "clone_flags=0x1",
		"unshare_flags=pidfd", "unshare_flags=+newuser,newnet",
		"clone_flags=0x10000000000000000", "unshare_flags=vm,vm",
		"rules=set_tid", "rules=-nosuch", "rules=+set_tid,set_tid",
		"event_ring=15", "event_ring=65537",
	};
	size_t i;

	ASSERT_EQ(0, unload());
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = load(bad[i]);

		EXPECT_TRUE(ret == -EINVAL || ret == -ERANGE)
			TH_LOG("%s: load returned %d", bad[i], ret);
		EXPECT_FALSE(cg_loaded()) TH_LOG("%s loaded", bad[i]);
		if (cg_loaded())
			unload();
	}
	ASSERT_EQ(0, load(""));
}

/* A vfork child that sleeps keeps its parent inside kernel_clone(). */
static int vfork_parent(void *arg)
{
	struct timespec ts = { 1, 500000000 };
	pid_t pid = vfork();

	if (pid == 0) {
		syscall(__NR_nanosleep, &ts, NULL);
		syscall(__NR_exit, 0);
	}
	return pid > 0 && waitpid(pid, NULL, 0) == pid ? 0 : 1;
}

TEST_F(lifecycle, rmmod_while_vfork_parents_sleep_in_clone)
{
	struct timespec settle = { 0, 300000000 };
	pid_t parents[4];
	int i, status;

	for (i = 0; i < 4; i++) {
		parents[i] = fork();
		if (parents[i] == 0)
			_exit(vfork_parent(NULL));
	}
	nanosleep(&settle, NULL);
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(parents[i], waitpid(parents[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

/* Clone, clone3, vfork and unshare in a loop until told to stop. */
static void worker(int kind, volatile int *stop)
{
	struct cg_clone_args args = { .exit_signal = SIGCHLD };

	while (!*stop) {
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
			pid = vfork();
			if (pid == 0)
				_exit(0);
			break;
		default:
			pid = fork();
			if (pid == 0)
				_exit(unshare(CLONE_NEWUTS | CLONE_NEWIPC) ? 1 : 0);
			break;
		}
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
}

TEST_F(lifecycle, reload_loop_while_others_clone_and_unshare)
{
	volatile int *stop = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int rounds = getenv("CLONEGATE_RELOADS") ?
		     atoi(getenv("CLONEGATE_RELOADS")) : 20;
	pid_t workers[4];
	int i, status;

	ASSERT_NE(MAP_FAILED, (void *)stop);
	*stop = 0;
	for (i = 0; i < 4; i++) {
		workers[i] = fork();
		if (workers[i] == 0) {
			worker(i, stop);
			_exit(0);
		}
	}
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, unload()) TH_LOG("round %d", i);
		ASSERT_EQ(0, load(i % 2 ? "mode=enforce" : "")) TH_LOG("round %d", i);
	}
	*stop = 1;
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(workers[i], waitpid(workers[i], &status, 0));
		EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ASSERT_EQ(0, unload());
	ASSERT_EQ(0, load(""));
}

TEST_HARNESS_MAIN
