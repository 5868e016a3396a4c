// SPDX-License-Identifier: GPL-2.0
/*
 * Hook health: clonegate notices, on its own, when its hooks stop checking
 * calls, and says so in the health file, the kernel log, audit and an
 * event.
 *
 * With the ftrace backend (the default) neither switch reaches the hooks:
 * kprobes disarmed through debugfs leave them alone, and function tracing
 * cannot be switched off under them. With the kprobe backend both stop
 * the hooks: the test flips each switch, waits for the once-a-second check
 * to notice (without reading the health file, which checks on its own),
 * and flips it back.
 *
 * Needs CLONEGATE_KO, the path of clonegate.ko, to reload the module with
 * hook_backend=kprobe; the module is loaded as it was when a test ends.
 */
#include "common.h"
#include "../include/uapi/linux/clonegate.h"

#include <sys/klog.h>
#include <time.h>
#include "harness.h"

#define KPROBES_ENABLED	"/sys/kernel/debug/kprobes/enabled"
#define FTRACE_ENABLED	"/proc/sys/kernel/ftrace_enabled"

/*
 * The once-a-second check runs on a workqueue: under emulation, with the
 * machine busy, it can run late, but not this late.
 */
#define NOTICE_LIMIT_S	30

static int module_load(const char *params)
{
	const char *ko = getenv("CLONEGATE_KO");
	int fd, ret;

	if (!ko)
		return -ENOENT;
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

static int module_unload(void)
{
	return syscall(__NR_delete_module, "clonegate", O_NONBLOCK) ? -errno :
								     0;
}

static void read_line(const char *path, char *buf, size_t size)
{
	int n = cg_read(path, buf, size);

	if (n <= 0)
		buf[0] = '\0';
	else if (buf[n - 1] == '\n')
		buf[n - 1] = '\0';
}

/* unshare(CLONE_NEWCGROUP) in a child: gvisor refuses it. 0 or errno. */
static int refused_call(void)
{
	pid_t pid = fork();
	int status;

	if (pid == 0)
		_exit(syscall(__NR_unshare, CLONE_NEWCGROUP) ? errno : 0);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait until stats/health_changes passes @from; seconds taken, or -1. */
static double wait_for_change(long long from)
{
	double start = seconds();

	while (seconds() - start < NOTICE_LIMIT_S) {
		if (cg_stat("health_changes") > from)
			return seconds() - start;
		usleep(50000);
	}
	return -1;
}

/* Whether the kernel log has a line with both strings. */
static int klog_has(const char *a, const char *b)
{
	int len = klogctl(10 /* SYSLOG_ACTION_SIZE_BUFFER */, NULL, 0);
	char *buf, *line;
	int n, found = 0;

	if (len <= 0)
		return 0;
	buf = malloc(len + 1);
	n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, len);
	if (n < 0)
		n = 0;
	buf[n] = '\0';
	for (line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
		if (strstr(line, a) && strstr(line, b))
			found = 1;
	free(buf);
	return found;
}

/* The default backend: the switches do not reach it. */
FIXTURE(health_ftrace) {
};

FIXTURE_SETUP(health_ftrace)
{
	char buf[64];

	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	read_line(CG "hook_backend", buf, sizeof(buf));
	if (strcmp(buf, "ftrace"))
		SKIP(return, "hooks are on %s, not ftrace", buf);
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
}

FIXTURE_TEARDOWN(health_ftrace)
{
	cg_write(KPROBES_ENABLED, "1");
	cg_policy("gvisor", "audit");
}

TEST_F(health_ftrace, reads_ok_while_every_hook_fires)
{
	char buf[128];

	read_line(CG "health", buf, sizeof(buf));
	EXPECT_STREQ("ok", buf);
}

TEST_F(health_ftrace, disarming_kprobes_leaves_the_hooks_checking)
{
	char buf[128];

	CG_NEED(!access(KPROBES_ENABLED, W_OK), return, "no %s (debugfs)",
		KPROBES_ENABLED);
	ASSERT_EQ(0, cg_write(KPROBES_ENABLED, "0"));
	EXPECT_EQ(EINVAL, refused_call());
	read_line(CG "health", buf, sizeof(buf));
	EXPECT_STREQ("ok", buf);
	ASSERT_EQ(0, cg_write(KPROBES_ENABLED, "1"));
}

/*
 * Newer kernels (7.x) refuse kernel.ftrace_enabled=0 to everyone with
 * EOPNOTSUPP: there function tracing cannot be stopped at all, and there
 * is nothing for clonegate to hold.
 */
#define FTRACE_UNSTOPPABLE "this kernel never lets function tracing be switched off (EOPNOTSUPP)"

TEST_F(health_ftrace, function_tracing_cannot_be_switched_off)
{
	char buf[16];
	int err = cg_write(FTRACE_ENABLED, "0");

	if (err == -EOPNOTSUPP)
		SKIP(return, FTRACE_UNSTOPPABLE);
	EXPECT_EQ(-EBUSY, err);
	read_line(FTRACE_ENABLED, buf, sizeof(buf));
	EXPECT_STREQ("1", buf);
	EXPECT_EQ(EINVAL, refused_call());
}

/* The kprobe backend: each switch stops the hooks, and health says so. */
FIXTURE(health_kprobe) {
	char restore[16];
};

FIXTURE_VARIANT(health_kprobe) {
	const char *knob;	/* the switch */
	const char *state;	/* what health reads while it is off */
};

FIXTURE_VARIANT_ADD(health_kprobe, kprobes_disarmed) {
	.knob = KPROBES_ENABLED,
	.state = "kprobes disarmed",
};

FIXTURE_VARIANT_ADD(health_kprobe, function_tracing_stopped) {
	.knob = FTRACE_ENABLED,
	.state = "function tracing stopped",
};

FIXTURE_SETUP(health_kprobe)
{
	char buf[64];

	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	if (!getenv("CLONEGATE_KO"))
		SKIP(return, "CLONEGATE_KO does not name the module");
	CG_NEED(!access(variant->knob, W_OK), return, "no %s", variant->knob);
	read_line(CG "hook_backend", self->restore, sizeof(self->restore));
	ASSERT_EQ(0, module_unload());
	ASSERT_EQ(0, module_load("hook_backend=kprobe mode=enforce"));
	read_line(CG "hook_backend", buf, sizeof(buf));
	ASSERT_STREQ("kprobe", buf);
}

FIXTURE_TEARDOWN(health_kprobe)
{
	char params[64];

	cg_write(variant->knob, "1");
	if (!self->restore[0])
		return;
	module_unload();
	snprintf(params, sizeof(params), "hook_backend=%s", self->restore);
	module_load(params);
}

TEST_F(health_kprobe, noticed_within_seconds_and_reported_everywhere)
{
	struct clonegate_event ev[32];
	char buf[128];
	long long c0 = cg_stat("health_changes");
	long long audit0 = cg_stat("../events/audit_records");
	double took;
	int fd, n, i, events = 0;

	read_line(CG "health", buf, sizeof(buf));
	ASSERT_STREQ("ok", buf);
	ASSERT_EQ(EINVAL, refused_call());
	fd = open("/dev/clonegate", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	while (read(fd, ev, sizeof(ev)) > 0)
		;

	i = cg_write(variant->knob, "0");
	if (i == -EOPNOTSUPP && !strcmp(variant->knob, FTRACE_ENABLED))
		SKIP(close(fd); return, FTRACE_UNSTOPPABLE);
	ASSERT_EQ(0, i);
	took = wait_for_change(c0);
	ASSERT_LE(0, took) TH_LOG("not noticed in %d s", NOTICE_LIMIT_S);
	TH_LOG("\"%s\" noticed after %.1f s", variant->state, took);
	read_line(CG "health", buf, sizeof(buf));
	EXPECT_STREQ(variant->state, buf);
	/* what health reports: the hooks check nothing now */
	EXPECT_EQ(0, refused_call());
	EXPECT_TRUE(klog_has("clonegate: health:", variant->state));
	/*
	 * The audit record went to audit. Its kernel-log line is not
	 * looked for: with no audit daemon the kernel prints audit records
	 * under the global printk_ratelimit(), which the tests before this
	 * one may have used up (fleet_test checks that line, with retries).
	 */
	ASSERT_LE(0, audit0);
	EXPECT_LT(audit0, cg_stat("../events/audit_records"));

	ASSERT_EQ(0, cg_write(variant->knob, "1"));
	took = wait_for_change(c0 + 1);
	ASSERT_LE(0, took) TH_LOG("recovery not noticed in %d s",
				  NOTICE_LIMIT_S);
	TH_LOG("\"ok\" noticed after %.1f s", took);
	read_line(CG "health", buf, sizeof(buf));
	EXPECT_STREQ("ok", buf);
	EXPECT_EQ(EINVAL, refused_call());

	n = read(fd, ev, sizeof(ev));
	close(fd);
	for (i = 0; n > 0 && i < n / (int)sizeof(ev[0]); i++) {
		if (ev[i].op != CLONEGATE_EV_OP_HEALTH)
			continue;
		if (events == 0)
			EXPECT_STREQ(variant->state, ev[i].message);
		if (events == 1)
			EXPECT_STREQ("ok", ev[i].message);
		events++;
	}
	EXPECT_EQ(2, events);
	EXPECT_EQ(c0 + 2, cg_stat("health_changes"));
}

TEST_HARNESS_MAIN
