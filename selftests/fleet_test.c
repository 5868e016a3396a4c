// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate on a fleet: clonegatectl against the live module, and denials
 * in the kernel log on a host without an audit daemon.
 *
 * The tools are found in PATH (the VM puts them in /bin). Every test puts
 * the module's defaults back when it ends.
 */
#include "common.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/klog.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include "harness.h"

/* A SKIP in a fixture's setup does not keep this harness from the test. */
#define RETURN_IF_SKIPPED()						\
	do {								\
		if (_metadata->skip)					\
			return;						\
	} while (0)

#define CONF "/tmp/fleet-test.conf"

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static int find_tool(const char *name, char *out, size_t size)
{
	const char *dirs[] = { "/bin", "/usr/local/sbin", "/usr/sbin" };
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(out, size, "%s/%s", dirs[i], name);
		if (access(out, X_OK) == 0)
			return 0;
	}
	return -1;
}

/* --- running a tool ---------------------------------------------------------- */

struct run {
	char text[65536];
	int status;
};

/*
 * Run @argv (NULL-terminated) with stdout and stderr collected, or stdout
 * to @out_file when given; @env_kv is NAME=VALUE words separated by
 * spaces, or NULL. Return: the exit status, 128 + signal, or -1.
 */
static int run_tool(struct run *r, const char *out_file, const char *env_kv,
		    char *const argv[])
{
	int p[2], fd;
	size_t len = 0;
	int64_t end = now_ms() + 60000;
	struct pollfd pf;
	pid_t pid;
	ssize_t n;

	memset(r, 0, sizeof(*r));
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 2);
		if (out_file) {
			fd = open(out_file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
			if (fd < 0)
				_exit(97);
			dup2(fd, 1);
		} else {
			dup2(p[1], 1);
		}
		close(p[0]);
		if (env_kv) {
			char *kv = strdup(env_kv), *save = NULL, *one;

			for (one = kv ? strtok_r(kv, " ", &save) : NULL; one;
			     one = strtok_r(NULL, " ", &save))
				putenv(one);
		}
		execv(argv[0], argv);
		_exit(98);
	}
	close(p[1]);
	pf.fd = p[0];
	pf.events = POLLIN;
	for (;;) {
		int64_t left = end - now_ms();

		if (left <= 0 || poll(&pf, 1, left) <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(p[0], r->text + len, sizeof(r->text) - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	r->text[len] = '\0';
	close(p[0]);
	waitpid(pid, &r->status, 0);
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) :
				      128 + WTERMSIG(r->status);
}

static int ctl(struct run *r, const char *env_kv, const char *a1,
	       const char *a2, const char *a3)
{
	char tool[256];
	char *argv[] = { tool, (char *)a1, (char *)a2, (char *)a3, NULL };

	if (find_tool("clonegatectl", tool, sizeof(tool)))
		return -1;
	return run_tool(r, NULL, env_kv, argv);
}

static int write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* --- the policy, as sysfs reads it ---------------------------------------------- */

static const char *const watched[] = {
	"mode", "profile", "clone_flags", "unshare_flags", "setns_types",
	"rules", "locked", "events/decisions", "events/channels",
	"events/context_fields", "events/ratelimit",
};
#define N_WATCHED (sizeof(watched) / sizeof(watched[0]))

/* Every policy and event setting, one "name=value" a line. */
static void snapshot(char *out, size_t size)
{
	size_t i, len = 0;
	char path[128], val[2048];

	out[0] = '\0';
	for (i = 0; i < N_WATCHED; i++) {
		snprintf(path, sizeof(path), CG "%s", watched[i]);
		if (cg_read(path, val, sizeof(val)) < 0)
			continue;
		len += snprintf(out + len, size - len, "%s=%s", watched[i], val);
	}
}

/*
 * An inotify watch on every setting: a write to any shows as an event.
 * Return: the watch, or -errno (-ENOSYS: a kernel without inotify).
 */
static int watch_start(void)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);

	if (fd < 0)
		return -errno;
	char path[128];
	size_t i;

	for (i = 0; fd >= 0 && i < N_WATCHED; i++) {
		snprintf(path, sizeof(path), CG "%s", watched[i]);
		if (access(path, F_OK))
			continue;	/* a module without this file */
		if (inotify_add_watch(fd, path,
				      IN_MODIFY | IN_CLOSE_WRITE) < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
	}
	return fd;
}

static int watch_count(int fd);

/*
 * Whether inotify sees a write to the settings: 1 if a write of mode's
 * own value shows, 0 for a kernel without inotify (the debug kernel),
 * -errno if a watch cannot be made or saw nothing. A silent watch proves
 * nothing until this says 1.
 */
static int watch_works(void)
{
	int w = watch_start();
	char mode[32];

	if (w == -ENOSYS)
		return 0;
	if (w < 0)
		return w;
	if (cg_read(CG "mode", mode, sizeof(mode)) <= 0 ||
	    cg_write(CG "mode", mode)) {
		close(w);
		return -EIO;
	}
	return watch_count(w) > 0 ? 1 : -ENODATA;
}

/* For the tests that check nothing else: skip without inotify. */
#define NEED_INOTIFY()							\
	do {								\
		int __ok = watch_works();				\
									\
		if (!__ok)						\
			SKIP(return, "no inotify: writes cannot be watched"); \
		ASSERT_EQ(1, __ok) TH_LOG("inotify: %s", strerror(-__ok)); \
	} while (0)

/*
 * A watch for a test that checks a snapshot too: -ENOSYS without inotify,
 * and a failure if inotify exists and does not work.
 */
#define CHECKED_WATCH(w)						\
	do {								\
		int __ok = watch_works();				\
									\
		ASSERT_LE(0, __ok) TH_LOG("inotify: %s", strerror(-__ok)); \
		(w) = __ok ? watch_start() : -ENOSYS;			\
		ASSERT_TRUE((w) >= 0 || (w) == -ENOSYS)			\
			TH_LOG("inotify: %s", strerror(-(w)));		\
	} while (0)

/* How many writes were seen since watch_start(). */
static int watch_count(int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int events = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		char *p;

		for (p = buf; p < buf + n;
		     p += sizeof(struct inotify_event) +
			  ((struct inotify_event *)p)->len)
			events++;
	}
	close(fd);
	return events;
}

/* events/ratelimit as the lane found it (a module without it: "") */
static char ratelimit[64];

static void defaults(void)
{
	if (!ratelimit[0] && cg_read(CG "events/ratelimit", ratelimit,
				     sizeof(ratelimit)) < 0)
		ratelimit[0] = '\0';
	if (ratelimit[0])
		cg_write(CG "events/ratelimit", ratelimit);
	cg_write(CG "profile", "gvisor");
	cg_write(CG "mode", "audit");
	cg_write(CG "events/decisions", "denied audited");
	cg_write(CG "events/channels", "audit trace dev");
	cg_write(CG "events/context_fields", "-cwd");
}

static int read_is(const char *file, const char *want)
{
	char path[128], val[2048];

	snprintf(path, sizeof(path), CG "%s", file);
	if (cg_read(path, val, sizeof(val)) < 0)
		return 0;
	val[strcspn(val, "\n")] = '\0';
	return !strcmp(val, want);
}

/* --- calls, from a child with a chosen name ---------------------------------------- */

struct call {
	const char *comm;
	unsigned long flags;
	int clone3;	/* else unshare */
	int times;
};

static int do_call(void *arg)
{
	struct call *c = arg;
	int i, err = 0;

	prctl(PR_SET_NAME, c->comm);
	for (i = 0; i < c->times; i++) {
		if (c->clone3) {
			struct cg_clone_args a = {
				.flags = c->flags, .exit_signal = SIGCHLD,
			};
			long ret = cg_raw_clone3(&a, sizeof(a));

			if (ret > 0)
				waitpid(ret, NULL, 0);
			else
				err = -ret;
		} else if (unshare(c->flags)) {
			err = errno;
		}
	}
	return err;
}

/* The errno the last call failed with, 0 if it succeeded. */
static int call_as(const char *comm, int clone3, unsigned long flags,
		   int times)
{
	struct call c = { comm, flags, clone3, times };

	return cg_in_child(do_call, &c);
}

static void drain_device(void)
{
	static char buf[1 << 16];
	int fd = open("/dev/clonegate", O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return;
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	close(fd);
}

/* --- clonegatectl check and apply ----------------------------------------------------- */

FIXTURE(ctl) {
	char tool[256];
	char before[8192];
};

static int fleet_setup(struct __test_metadata *_metadata, char *tool,
		     size_t size, char *before, size_t bsize)
{
	if (!cg_loaded())
		SKIP(return -1, "clonegate is not loaded");
	CG_NEED(!find_tool("clonegatectl", tool, size), return -1,
		"clonegatectl is not installed");
	if (read_is("locked", "1"))
		SKIP(return -1, "the policy is locked");
	defaults();
	snapshot(before, bsize);
	return 0;
}

FIXTURE_SETUP(ctl)
{
	fleet_setup(_metadata, self->tool, sizeof(self->tool), self->before,
		  sizeof(self->before));
}

FIXTURE_TEARDOWN(ctl)
{
	defaults();
	unlink(CONF);
}

/* Every bad line is named with the file and its number; nothing is written. */
TEST_F(ctl, check_names_file_and_line)
{
	char now[8192];
	struct run r;
	int w;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, write_text(CONF,
		"mode = enforce\n"
		"clone_flags = -newuser +newfoo\n"
		"[scope x\n"
		"rules = set_tid\n"
		"profile = custom\n"));
	CHECKED_WATCH(w);
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL));
	EXPECT_EQ(1, ctl(&r, NULL, "apply", CONF, NULL));
	/* without inotify (the debug kernel), the snapshot below still checks */
	if (w >= 0)
		EXPECT_EQ(0, watch_count(w)) TH_LOG("a bad file was written");
	EXPECT_TRUE(strstr(r.text, CONF ":2: clone_flags = -newuser +newfoo: unknown clone flag 'newfoo'") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":3: a section is [scope NAME]") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":4: rules = set_tid: ") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":5: profile = custom: ") != NULL)
		TH_LOG("%s", r.text);
	snapshot(now, sizeof(now));
	EXPECT_STREQ(self->before, now);
}

/* A NUL byte would cut its line short unseen: it is not text. */
TEST_F(ctl, check_refuses_a_nul_byte)
{
	static const char text[] = "profile = gvisor\nmode = audit\0enforce\n";
	char now[8192];
	struct run r;
	FILE *f;

	RETURN_IF_SKIPPED();

	f = fopen(CONF, "w");
	ASSERT_TRUE(f != NULL);
	ASSERT_EQ(1, fwrite(text, sizeof(text) - 1, 1, f));
	ASSERT_EQ(0, fclose(f));
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":2: not text") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_EQ(1, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	snapshot(now, sizeof(now));
	EXPECT_STREQ(self->before, now);
}

/*
 * check takes what the module takes and refuses what it refuses: the
 * edges of the rate limit's numbers, of cgroup paths and of scope names.
 */
TEST_F(ctl, check_follows_the_module_grammar)
{
	static const char deep[] = "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p"
				   "/q/r/s/t/u/v/w/x/y/z/0/1/2/3/4/5";
	struct run r;
	char text[512];

	RETURN_IF_SKIPPED();
	CG_NEED(access(CG "events/ratelimit", F_OK) == 0, return,
		"no events/ratelimit");

	/* a sign and leading zeros, as the module takes them */
	ASSERT_EQ(0, write_text(CONF, "events/ratelimit = +20 0000000000005\n"));
	EXPECT_EQ(0, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	ASSERT_EQ(0, cg_write(CG "events/ratelimit", "+20 0000000000005"));
	ASSERT_EQ(0, write_text(CONF, "events/ratelimit = 20 00004294967296\n"));
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_EQ(-ERANGE, cg_write(CG "events/ratelimit", "20 00004294967296"));

	/* 32 levels are taken, 33 are not; a tab is not printable */
	snprintf(text, sizeof(text), "[scope deep]\ncgroup = %s\n", deep);
	ASSERT_EQ(0, write_text(CONF, text));
	EXPECT_EQ(0, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	snprintf(text, sizeof(text), "[scope deep]\ncgroup = %s/6\n", deep);
	ASSERT_EQ(0, write_text(CONF, text));
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":2: ") != NULL) TH_LOG("%s", r.text);
	ASSERT_EQ(0, write_text(CONF, "[scope tab]\ncgroup = /a\tb\n"));
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":2: ") != NULL) TH_LOG("%s", r.text);

	/* the names of the files beside the scopes */
	ASSERT_EQ(0, write_text(CONF, "[scope add]\ncgroup = /a\n"));
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, CONF ":1: 'add'") != NULL) TH_LOG("%s", r.text);
	ASSERT_EQ(0, write_text(CONF, "[scope remove]\ncgroup = /a\n"));
	EXPECT_EQ(1, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_EQ(-EINVAL, cg_write(CG "scopes/add", "remove"));
}

/* A good file, in the safe order: profile, flags, then mode. */
TEST_F(ctl, apply_sets_the_policy_in_order)
{
	int setns = access(CG "setns_types", F_OK) == 0;
	const char *p, *f, *m;
	struct run r;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, write_text(CONF, setns ?
		"# no user namespaces for anyone\n"
		"mode = enforce\n"
		"unshare_flags = -newuser\n"
		"setns_types = -user\n"
		"clone_flags = -newuser   # and not in clone either\n"
		"profile = permissive\n" :
		"mode = enforce\n"
		"unshare_flags = -newuser\n"
		"clone_flags = -newuser   # and not in clone either\n"
		"profile = permissive\n"));
	ASSERT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(read_is("mode", "enforce"));
	EXPECT_TRUE(read_is("profile", "custom"));
	EXPECT_TRUE(read_is("unshare_flags",
		"newtime vm fs files sighand thread newns sysvsem newcgroup newuts newipc newpid newnet"));
	if (setns)
		EXPECT_TRUE(read_is("setns_types", "time mnt cgroup uts ipc pid net"));
	p = strstr(r.text, "host: profile = permissive");
	f = strstr(r.text, "host: clone_flags = -newuser");
	m = strstr(r.text, "host: mode = enforce");
	ASSERT_TRUE(p && f && m) TH_LOG("%s", r.text);
	EXPECT_TRUE(p < f && f < m) TH_LOG("out of order: %s", r.text);
	/* and it is in force */
	EXPECT_EQ(EINVAL, call_as("fleet-newuser", 0, CLONE_NEWUSER, 1));
	EXPECT_EQ(0, call_as("fleet-newnet", 0, CLONE_NEWNET, 1));
}

/* The policy the module already runs: no write at all, not even a same value. */
TEST_F(ctl, apply_again_writes_nothing)
{
	int has_ratelimit = access(CG "events/ratelimit", F_OK) == 0;
	struct run r;
	int w;

	RETURN_IF_SKIPPED();
	NEED_INOTIFY();

	ASSERT_EQ(0, write_text(CONF, has_ratelimit ?
		"mode = enforce\n"
		"profile = gvisor\n"
		"clone_flags = -newuser +pidfd\n"
		"rules = -set_tid\n"
		"events/decisions = +allowed\n"
		"events/ratelimit = 50 10\n" :
		"mode = enforce\n"
		"profile = gvisor\n"
		"clone_flags = -newuser +pidfd\n"
		"rules = -set_tid\n"
		"events/decisions = +allowed\n"));
	ASSERT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	w = watch_start();
	ASSERT_LE(0, w);
	EXPECT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "nothing to change") != NULL) TH_LOG("%s", r.text);
	EXPECT_EQ(0, ctl(&r, NULL, "check", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "nothing to change") != NULL) TH_LOG("%s", r.text);
	EXPECT_EQ(0, watch_count(w)) TH_LOG("the second apply wrote");

	/* the module's defaults, said in full, are nothing to change either */
	defaults();
	ASSERT_EQ(0, write_text(CONF, "mode = audit\nprofile = gvisor\n"));
	w = watch_start();
	ASSERT_LE(0, w);
	EXPECT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_EQ(0, watch_count(w)) TH_LOG("%s", r.text);
}

/*
 * A write the module refuses midway: everything already written goes back
 * to what it read, a custom policy included. CLONEGATECTL_FAIL_WRITE makes
 * the module's refusal happen at a chosen file.
 */
FIXTURE(rollback) {
	char tool[256];
	char before[8192];
};

FIXTURE_VARIANT(rollback) {
	const char *fail_at;
	int line;
};

FIXTURE_VARIANT_ADD(rollback, at_rules) { .fail_at = "rules", .line = 4 };
FIXTURE_VARIANT_ADD(rollback, at_mode) { .fail_at = "mode", .line = 5 };
FIXTURE_VARIANT_ADD(rollback, at_events) { .fail_at = "events/decisions", .line = 6 };

FIXTURE_SETUP(rollback)
{
	fleet_setup(_metadata, self->tool, sizeof(self->tool), self->before,
		  sizeof(self->before));
}

FIXTURE_TEARDOWN(rollback)
{
	defaults();
	unlink(CONF);
}

TEST_F(rollback, failed_write_rolls_everything_back)
{
	char env[128], want[256], before[8192], now[8192];
	struct run r;

	RETURN_IF_SKIPPED();

	/* start from a custom policy: no profile write can restore it */
	ASSERT_EQ(0, cg_write(CG "profile", "permissive"));
	ASSERT_EQ(0, cg_write(CG "clone_flags", "-newnet -pidfd"));
	ASSERT_EQ(0, cg_write(CG "rules", "+fs_newns"));
	snapshot(before, sizeof(before));
	ASSERT_EQ(0, write_text(CONF,
		"profile = gvisor\n"
		"clone_flags = +pidfd\n"
		"unshare_flags = -newuser\n"
		"rules = -set_tid\n"
		"mode = enforce\n"
		"events/decisions = +allowed\n"));
	snprintf(env, sizeof(env), "CLONEGATECTL_FAIL_WRITE=%s", variant->fail_at);
	EXPECT_EQ(1, ctl(&r, env, "apply", CONF, NULL));
	snprintf(want, sizeof(want), CONF ":%d: the module refused ", variant->line);
	EXPECT_TRUE(strstr(r.text, want) != NULL) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "rolled back") != NULL) TH_LOG("%s", r.text);
	snapshot(now, sizeof(now));
	EXPECT_STREQ(before, now);

	/* and without the failure, the same file applies */
	EXPECT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(read_is("mode", "enforce"));
}

/*
 * locked is written last, after the policy read back as worked out: a
 * read-back that differs is rolled back while that is still possible,
 * and the lock is never tried. (Its write is made to fail too, so that
 * an apply that tried it leaves the lane unlocked.)
 */
TEST_F(ctl, lock_waits_for_the_read_back)
{
	char now[8192];
	struct run r;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, write_text(CONF, "mode = enforce\nlocked = 1\n"));
	EXPECT_EQ(1, ctl(&r, "CLONEGATECTL_FAIL_VERIFY=1 CLONEGATECTL_FAIL_WRITE=locked",
			 "apply", CONF, NULL));
	EXPECT_TRUE(strstr(r.text, "host: mode = enforce") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "reads back other than") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "locked = 1") == NULL)
		TH_LOG("the lock was tried before the read-back: %s", r.text);
	EXPECT_TRUE(strstr(r.text, "rolled back: the policy is as it was before") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(read_is("locked", "0"));
	snapshot(now, sizeof(now));
	EXPECT_STREQ(self->before, now);
}

/* status: the version, the policy, the counters; --json says the same. */
TEST_F(ctl, status_shows_the_policy)
{
	char version[64], want[128];
	struct run r;

	RETURN_IF_SKIPPED();

	ASSERT_LT(0, cg_read(CG "version", version, sizeof(version)));
	version[strcspn(version, "\n")] = '\0';
	ASSERT_EQ(0, cg_write(CG "mode", "enforce"));
	ASSERT_EQ(0, ctl(&r, NULL, "status", NULL, NULL)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "clonegate %s: health ", version);
	EXPECT_TRUE(strstr(r.text, want) != NULL) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "\nhost\n") != NULL) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "  mode           enforce\n") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "clone_calls ") != NULL) TH_LOG("%s", r.text);
	ASSERT_EQ(0, ctl(&r, NULL, "status", "--json", NULL)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "{\"version\":\"%s\",", version);
	EXPECT_EQ(0, strncmp(r.text, want, strlen(want))) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "\"mode\":\"enforce\"") != NULL) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "\"unshare_calls\":") != NULL) TH_LOG("%s", r.text);
	EXPECT_EQ('\n', r.text[strlen(r.text) - 1]);
	EXPECT_EQ('}', r.text[strlen(r.text) - 2]);
}

/* Output that could not be written is an error: stdout on a full disk. */
TEST_F(ctl, full_stdout_is_an_error)
{
	const char *const cmds[][3] = {
		{ "status", NULL }, { "status", "--json" }, { "metrics", NULL },
		{ "report", NULL }, { "check", CONF }, { "apply", CONF },
	};
	char *argv[4] = { self->tool };
	struct run r;
	size_t i;

	RETURN_IF_SKIPPED();

	/* the policy the fixture set: apply has nothing to change */
	ASSERT_EQ(0, write_text(CONF, "mode = audit\n"));
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		argv[1] = (char *)cmds[i][0];
		argv[2] = (char *)cmds[i][1];
		EXPECT_EQ(1, run_tool(&r, "/dev/full", NULL, argv))
			TH_LOG("%s %s: %s", cmds[i][0], cmds[i][1] ?: "", r.text);
		EXPECT_TRUE(strstr(r.text, "clonegatectl: stdout: ") != NULL)
			TH_LOG("%s %s: %s", cmds[i][0], cmds[i][1] ?: "", r.text);
	}
}

/*
 * metrics: the text exposition format, line by line: HELP and TYPE once
 * per family and before its samples, counters named _total, and the
 * values the sysfs files hold.
 */
static int check_exposition(const char *text, char *why, size_t size)
{
	char families[64][80], line[1024];
	const char *p = text;
	int n_fam = 0, typed = 0, i;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char name[80], type[16];
		double v;

		if (!nl) {
			snprintf(why, size, "no newline at the end");
			return -1;
		}
		snprintf(line, sizeof(line), "%.*s", (int)(nl - p), p);
		p = nl + 1;
		if (sscanf(line, "# HELP %79s ", name) == 1) {
			for (i = 0; i < n_fam; i++)
				if (!strcmp(families[i], name)) {
					snprintf(why, size, "HELP twice: %s", line);
					return -1;
				}
			if (n_fam == 64)
				return -1;
			strcpy(families[n_fam++], name);
			typed = 0;
			continue;
		}
		if (sscanf(line, "# TYPE %79s %15s", name, type) == 2) {
			if (!n_fam || strcmp(name, families[n_fam - 1]) ||
			    (strcmp(type, "counter") && strcmp(type, "gauge"))) {
				snprintf(why, size, "TYPE without its HELP: %s", line);
				return -1;
			}
			if (!strcmp(type, "counter") &&
			    strcmp(name + strlen(name) - 6, "_total")) {
				snprintf(why, size, "a counter not named _total: %s", line);
				return -1;
			}
			typed = 1;
			continue;
		}
		/* a sample: NAME[{k="v",...}] VALUE, of the family just typed */
		name[0] = '\0';
		sscanf(line, "%79[a-z_]", name);
		if (!n_fam || !typed || strcmp(name, families[n_fam - 1])) {
			snprintf(why, size, "a sample outside its family: %s", line);
			return -1;
		}
		if (line[strlen(name)] == '{' && !strstr(line, "} ")) {
			snprintf(why, size, "bad labels: %s", line);
			return -1;
		}
		if (sscanf(strrchr(line, ' '), " %lf", &v) != 1) {
			snprintf(why, size, "no value: %s", line);
			return -1;
		}
	}
	return n_fam ? 0 : -1;
}

static long long metric(const char *text, const char *series)
{
	char want[512];
	const char *p;

	snprintf(want, sizeof(want), "\n%s ", series);
	p = strstr(text, want);
	return p ? strtoll(p + strlen(want), NULL, 10) : -1;
}

TEST_F(ctl, metrics_are_prometheus_text)
{
	char why[1200] = "", rules[1024], version[64], want[256], *save, *l;
	long long before, after;
	struct run r;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
	ASSERT_EQ(EINVAL, call_as("fleet-metrics", 0, CLONE_NEWCGROUP, 2));
	before = cg_stat("unshare_denied");
	ASSERT_EQ(0, ctl(&r, NULL, "metrics", NULL, NULL)) TH_LOG("%s", r.text);
	after = cg_stat("unshare_denied");
	EXPECT_EQ(0, check_exposition(r.text, why, sizeof(why))) TH_LOG("%s", why);

	EXPECT_EQ(1, metric(r.text, "clonegate_up"));
	EXPECT_EQ(1, metric(r.text, "clonegate_health"));
	EXPECT_EQ(0, metric(r.text, "clonegate_locked"));
	ASSERT_LT(0, cg_read(CG "version", version, sizeof(version)));
	version[strcspn(version, "\n")] = '\0';
	snprintf(want, sizeof(want), "clonegate_info{version=\"%s\",", version);
	EXPECT_TRUE(strstr(r.text, want) != NULL) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "clonegate_policy_info{scope=\"host\",mode=\"enforce\",profile=\"gvisor\"} 1\n") != NULL);
	EXPECT_LE(2, before);
	EXPECT_LE(before, metric(r.text,
		"clonegate_decisions_total{scope=\"host\",op=\"unshare\",decision=\"denied\"}"));
	EXPECT_GE(after, metric(r.text,
		"clonegate_decisions_total{scope=\"host\",op=\"unshare\",decision=\"denied\"}"));
	EXPECT_LE(0, metric(r.text, "clonegate_calls_total{scope=\"host\",op=\"clone_family\"}"));
	EXPECT_LE(0, metric(r.text, "clonegate_exempt_calls_total"));
	EXPECT_LE(0, metric(r.text, "clonegate_events_dropped_total{reason=\"ring_full\"}"));
	/* one series per rule row */
	ASSERT_LT(0, cg_read(CG "rules", rules, sizeof(rules)));
	for (l = strtok_r(rules, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		snprintf(want, sizeof(want),
			 "clonegate_rule_matches_total{scope=\"host\",rule=\"%s\"}",
			 l + 1);
		EXPECT_LE(0, metric(r.text, want)) TH_LOG("no series %s", want);
	}
	EXPECT_LE(2, metric(r.text,
		"clonegate_rule_matches_total{scope=\"host\",rule=\"unsupported_flag\"}"));
}

/*
 * report: the calls gVisor would refuse, by program and flag, most frequent
 * first; from the device, and from clonegate-events' JSON lines.
 */
static const char *row_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);

	while (p && p > text && p[-1] != '\n')
		p--;
	return p;
}

TEST_F(ctl, report_counts_refusals_by_program)
{
	char events[256], json[] = "/tmp/fleet-events.json", want[256];
	char *ev_argv[] = { events, NULL };
	const char *a, *b;
	struct run r, e;
	int pass;

	RETURN_IF_SKIPPED();

	CG_NEED(!find_tool("clonegate-events", events, sizeof(events)), return,
		"clonegate-events is not installed");
	for (pass = 0; pass < 2; pass++) {
		drain_device();
		ASSERT_EQ(0, cg_policy("gvisor", "audit"));
		/* audited: they go through */
		ASSERT_EQ(0, call_as("fleet-pre-a", 0, CLONE_NEWCGROUP, 3));
		call_as("fleet-pre-b", 1, CLONE_NEWCGROUP | CLONE_PIDFD, 1);
		if (pass == 0) {
			ASSERT_EQ(0, ctl(&r, NULL, "report", NULL, NULL))
				TH_LOG("%s", r.text);
		} else {
			ASSERT_EQ(0, run_tool(&e, json, NULL, ev_argv));
			ASSERT_EQ(0, ctl(&r, NULL, "report", "--events", json))
				TH_LOG("%s", r.text);
		}
		a = row_of(r.text, "fleet-pre-a");
		b = row_of(r.text, "fleet-pre-b");
		ASSERT_TRUE(a && b) TH_LOG("%s", r.text);
		EXPECT_TRUE(a < b) TH_LOG("not sorted by count: %s", r.text);
		snprintf(want, sizeof(want), "%7d  %-16s %-8s %-28s %-20s %s\n",
			 3, "fleet-pre-a", "unshare", "unsupported_flag",
			 "newcgroup", "/");
		EXPECT_EQ(0, strncmp(a, want, strlen(want))) TH_LOG("%s", r.text);
		snprintf(want, sizeof(want), "%7d  %-16s %-8s %-28s %-20s %s\n",
			 1, "fleet-pre-b", "clone3", "unsupported_flag",
			 "pidfd,newcgroup", "/");
		EXPECT_EQ(0, strncmp(b, want, strlen(want))) TH_LOG("%s", r.text);
		EXPECT_TRUE(strstr(r.text, "4 calls by 2 programs would be refused") != NULL)
			TH_LOG("%s", r.text);
	}
	unlink(json);
}

/*
 * clone3's flags hold no exit signal: its bit 7 is newtime, which the
 * gvisor profile does not allow, and report names it.
 */
TEST_F(ctl, report_names_newtime_of_clone3)
{
	char want[256];
	const char *t;
	struct run r;

	RETURN_IF_SKIPPED();

	drain_device();
	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	/* audited: decided before the kernel looks at time namespaces */
	call_as("fleet-pre-t", 1, CLONE_NEWTIME, 1);
	ASSERT_EQ(0, ctl(&r, NULL, "report", NULL, NULL)) TH_LOG("%s", r.text);
	t = row_of(r.text, "fleet-pre-t");
	ASSERT_TRUE(t != NULL) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "%7d  %-16s %-8s %-28s %-20s %s\n",
		 1, "fleet-pre-t", "clone3", "unsupported_flag", "newtime",
		 "/");
	EXPECT_EQ(0, strncmp(t, want, strlen(want))) TH_LOG("%s", r.text);
}

/* --- scopes: [scope NAME] sections ------------------------------------------------ */

#define CGROOT "/sys/fs/cgroup"

FIXTURE(scopes) {
	char tool[256];
	char before[8192];
};

static void remove_scopes(void)
{
	cg_write(CG "scopes/remove", "fleet-a");
	cg_write(CG "scopes/remove", "fleet-b");
}

FIXTURE_SETUP(scopes)
{
	if (fleet_setup(_metadata, self->tool, sizeof(self->tool),
			self->before, sizeof(self->before)))
		return;
	if (access(CG "scopes/add", F_OK))
		SKIP(return, "this module has no scopes");
	if (access(CGROOT "/cgroup.procs", F_OK))
		SKIP(return, "no cgroup v2 at " CGROOT);
	remove_scopes();
	mkdir(CGROOT "/fleet-a", 0755);
}

FIXTURE_TEARDOWN(scopes)
{
	remove_scopes();
	rmdir(CGROOT "/fleet-a");
	defaults();
	unlink(CONF);
}

static int scope_is(const char *scope, const char *file, const char *want)
{
	char rel[128];

	snprintf(rel, sizeof(rel), "scopes/%s/%s", scope, file);
	return read_is(rel, want);
}

struct cg_call {
	const char *procs, *comm;
	unsigned long flags;
};

static int do_call_in_cgroup(void *arg)
{
	struct cg_call *c = arg;

	if (cg_write(c->procs, "0"))
		return 99;
	prctl(PR_SET_NAME, c->comm);
	return unshare(c->flags) ? errno : 0;
}

/* unshare(@flags) from a child moved into the cgroup of @procs. */
static int call_in_cgroup(const char *procs, const char *comm,
			  unsigned long flags)
{
	struct cg_call c = { procs, comm, flags };

	return cg_in_child(do_call_in_cgroup, &c);
}

/* Sections create their scopes; again is nothing; --prune removes. */
TEST_F(scopes, apply_creates_and_prunes_scopes)
{
	struct run r;
	int w;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, write_text(CONF,
		"mode = audit\n"
		"[scope fleet-a]\n"
		"mode = enforce\n"
		"cgroup = /fleet-a\n"
		"profile = gvisor\n"
		"clone_flags = -newuser\n"));
	ASSERT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "scope fleet-a: created") != NULL) TH_LOG("%s", r.text);
	EXPECT_TRUE(scope_is("fleet-a", "cgroup", "/fleet-a"));
	EXPECT_TRUE(scope_is("fleet-a", "mode", "enforce"));
	EXPECT_TRUE(scope_is("fleet-a", "profile", "custom"));
	EXPECT_TRUE(read_is("mode", "audit"));
	/* in the order: cgroup first, mode last */
	EXPECT_TRUE(strstr(r.text, "scope fleet-a: cgroup") <
		    strstr(r.text, "scope fleet-a: profile"));
	EXPECT_TRUE(strstr(r.text, "scope fleet-a: clone_flags") <
		    strstr(r.text, "scope fleet-a: mode"));

	/* the scope decides for its cgroup, and says so in status and metrics */
	EXPECT_EQ(EINVAL, call_in_cgroup(CGROOT "/fleet-a/cgroup.procs",
					 "fleet-in-scope", CLONE_NEWCGROUP));
	EXPECT_EQ(0, call_as("fleet-on-host", 0, CLONE_NEWCGROUP, 1));
	ASSERT_EQ(0, ctl(&r, NULL, "status", NULL, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "scope fleet-a\n  cgroup         /fleet-a\n") != NULL)
		TH_LOG("%s", r.text);
	ASSERT_EQ(0, ctl(&r, NULL, "metrics", NULL, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "clonegate_policy_info{scope=\"fleet-a\",mode=\"enforce\",profile=\"custom\"} 1\n") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_EQ(1, metric(r.text,
		"clonegate_decisions_total{scope=\"fleet-a\",op=\"unshare\",decision=\"denied\"}"))
		TH_LOG("%s", r.text);

	/* without inotify (the debug kernel), only what apply says is checked */
	CHECKED_WATCH(w);
	if (w >= 0) {
		EXPECT_LE(0, inotify_add_watch(w, CG "scopes/fleet-a/mode",
					       IN_MODIFY | IN_CLOSE_WRITE));
		EXPECT_LE(0, inotify_add_watch(w, CG "scopes/fleet-a/clone_flags",
					       IN_MODIFY | IN_CLOSE_WRITE));
		EXPECT_LE(0, inotify_add_watch(w, CG "scopes/add",
					       IN_MODIFY | IN_CLOSE_WRITE));
	}
	EXPECT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "nothing to change") != NULL) TH_LOG("%s", r.text);
	if (w >= 0)
		EXPECT_EQ(0, watch_count(w));

	ASSERT_EQ(0, write_text(CONF, "mode = audit\n"));
	EXPECT_EQ(0, ctl(&r, NULL, "apply", CONF, NULL)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "scope fleet-a: not in") != NULL) TH_LOG("%s", r.text);
	EXPECT_EQ(0, access(CG "scopes/fleet-a", F_OK));
	EXPECT_EQ(0, ctl(&r, NULL, "apply", "--prune", CONF)) TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "scope fleet-a: removed") != NULL) TH_LOG("%s", r.text);
	EXPECT_NE(0, access(CG "scopes/fleet-a", F_OK));
}

/*
 * The module refuses a cgroup that does not exist (ENOENT): the scopes
 * created before it are removed, the host is put back.
 */
TEST_F(scopes, refused_cgroup_rolls_everything_back)
{
	char now[8192];
	struct run r;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, write_text(CONF,
		"mode = enforce\n"
		"[scope fleet-a]\n"
		"cgroup = /fleet-a\n"
		"[scope fleet-b]\n"
		"cgroup = /fleet-no-such-cgroup\n"));
	EXPECT_EQ(1, ctl(&r, NULL, "apply", CONF, NULL));
	EXPECT_TRUE(strstr(r.text, CONF ":5: the module refused scope fleet-b: cgroup") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "rolled back") != NULL) TH_LOG("%s", r.text);
	EXPECT_NE(0, access(CG "scopes/fleet-a", F_OK));
	EXPECT_NE(0, access(CG "scopes/fleet-b", F_OK));
	snapshot(now, sizeof(now));
	EXPECT_STREQ(self->before, now);
}

/*
 * A scope made by hand is bound to no cgroup ("none"), and no write to its
 * cgroup file unbinds it: a rollback that would have to says it is
 * incomplete, names the scope, and fails.
 */
TEST_F(scopes, unbound_scope_rollback_is_incomplete)
{
	struct run r;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, cg_write(CG "scopes/add", "fleet-a"));
	ASSERT_TRUE(scope_is("fleet-a", "cgroup", "none"));
	ASSERT_EQ(0, write_text(CONF,
		"[scope fleet-a]\n"
		"cgroup = /fleet-a\n"
		"mode = enforce\n"));
	EXPECT_EQ(1, ctl(&r, "CLONEGATECTL_FAIL_WRITE=scopes/fleet-a/mode",
			 "apply", CONF, NULL));
	EXPECT_TRUE(strstr(r.text, CONF ":3: the module refused scope fleet-a: mode") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "ROLLBACK INCOMPLETE: scope fleet-a: its cgroup was none") != NULL)
		TH_LOG("%s", r.text);
	EXPECT_TRUE(strstr(r.text, "as it was before") == NULL)
		TH_LOG("%s", r.text);
	/* the rest went back */
	EXPECT_TRUE(scope_is("fleet-a", "mode", "audit"));
}

/* --- the audit channel with audit off ----------------------------------------------------- */

/* audit's own status: enabled, and the pid of a registered daemon. */
static int audit_status(struct audit_status *st)
{
	struct {
		struct nlmsghdr nh;
		struct audit_status st;
	} req = {
		.nh = { .nlmsg_len = NLMSG_LENGTH(0), .nlmsg_type = AUDIT_GET,
			.nlmsg_flags = NLM_F_REQUEST, .nlmsg_seq = 1 },
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	char buf[8192];
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	int64_t end = now_ms() + 5000;

	if (fd < 0)
		return -1;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		goto fail;
	while (now_ms() < end) {
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < (ssize_t)NLMSG_HDRLEN)
			goto fail;
		if (nh->nlmsg_type == AUDIT_GET) {
			memcpy(st, NLMSG_DATA(nh), sizeof(*st));
			close(fd);
			return 0;
		}
	}
fail:
	close(fd);
	return -1;
}

/* Wait up to @ms for a kernel log line with all of @a, @b, @c. */
static int klog_has(const char *a, const char *b, const char *c, int ms)
{
	int64_t end = now_ms() + ms;
	int size = klogctl(10, NULL, 0);	/* SYSLOG_ACTION_SIZE_BUFFER */
	char *buf;
	int found = 0;

	if (size <= 0)
		size = 1 << 20;
	buf = malloc(size + 1);
	if (!buf)
		return -1;
	do {
		int n = klogctl(3, buf, size);	/* SYSLOG_ACTION_READ_ALL */
		char *line, *save = NULL;

		if (n < 0)
			break;
		buf[n] = '\0';
		for (line = strtok_r(buf, "\n", &save); line && !found;
		     line = strtok_r(NULL, "\n", &save))
			found = strstr(line, a) && strstr(line, b) &&
				strstr(line, c);
		if (!found)
			usleep(100000);
	} while (!found && now_ms() < end);
	free(buf);
	return found;
}

FIXTURE(auditlog) {
	int dummy;
};

FIXTURE_SETUP(auditlog)
{
	struct audit_status st;

	if (!cg_loaded())
		SKIP(return, "clonegate is not loaded");
	if (read_is("locked", "1"))
		SKIP(return, "the policy is locked");
	if (audit_status(&st))
		SKIP(return, "no audit netlink socket: a kernel without audit, or audit=0");
	/* the lanes boot with audit off: on, a test before left it so */
	CG_NEED(!st.enabled && !st.pid, return,
		"audit is on (enabled %u, daemon pid %u): this checks a host with audit off",
		st.enabled, st.pid);
	defaults();
	ASSERT_EQ(0, cg_write(CG "events/channels", "audit"));
}

FIXTURE_TEARDOWN(auditlog)
{
	defaults();
}

/*
 * Denials of CLONE_NEWCGROUP, each under a new name (@prefix and a
 * number), until one's audit record is in the kernel log, at most four.
 * Without an audit daemon the kernel prints audit records under the
 * global printk_ratelimit() (10 lines per 5 s), which the tests before
 * may have used up: a denial whose line is held back is made again once
 * the window has passed. @denials: how many were made.
 * Return: 1 once one was logged, 0 if none was, -1 if a call went through.
 */
static int deny_until_logged(const char *prefix, int *denials)
{
	char comm[16], quoted[32];

	for (*denials = 0; *denials < 4;) {
		snprintf(comm, sizeof(comm), "%s%d", prefix, *denials);
		snprintf(quoted, sizeof(quoted), "comm=\"%s\"", comm);
		if (call_as(comm, 1, CLONE_NEWCGROUP, 1) != EINVAL)
			return -1;
		++*denials;
		if (klog_has("type=1316", "decision=denied", quoted, 6000))
			return 1;
	}
	return 0;
}

/*
 * With audit off and no audit daemon, a denial still reaches the kernel
 * log as an AUDIT_KERNEL_OTHER (1316) record, as an LSM's denial does.
 */
TEST_F(auditlog, denied_call_is_logged_with_audit_off)
{
	long long records = cg_stat("../events/audit_records");
	int denials, logged;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
	logged = deny_until_logged("fleet-audit-d", &denials);
	ASSERT_LE(0, logged) TH_LOG("a denial was not refused with EINVAL");
	EXPECT_EQ(1, logged)
		TH_LOG("no audit record of %d denials in the kernel log", denials);
	EXPECT_EQ(records + denials, cg_stat("../events/audit_records"));
}

/*
 * Audited and allowed calls still follow audit's switch: with audit off,
 * no record. A denial made after them is the marker that the kernel log
 * has caught up.
 */
TEST_F(auditlog, audited_and_allowed_follow_the_switch)
{
	long long records;
	int markers, logged;

	RETURN_IF_SKIPPED();

	ASSERT_EQ(0, cg_write(CG "events/decisions", "allowed denied audited"));
	records = cg_stat("../events/audit_records");
	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	ASSERT_EQ(0, call_as("fleet-audit-aud", 1, CLONE_NEWCGROUP, 1));
	ASSERT_EQ(0, call_as("fleet-audit-all", 1, 0, 1));
	ASSERT_EQ(0, cg_write(CG "mode", "enforce"));
	logged = deny_until_logged("fleet-audit-m", &markers);
	ASSERT_EQ(1, logged)
		TH_LOG("the marker denial never reached the kernel log (%d made)",
		       markers);
	EXPECT_EQ(0, klog_has("type=1316", "comm=\"fleet-audit-aud\"", "", 0));
	EXPECT_EQ(0, klog_has("type=1316", "comm=\"fleet-audit-all\"", "", 0));
	/* only the markers were handed to audit */
	EXPECT_EQ(records + markers, cg_stat("../events/audit_records"));
}

TEST_HARNESS_MAIN
