// SPDX-License-Identifier: GPL-2.0
/*
 * Scopes: a policy per cgroup v2 subtree.
 *
 * The host policy stays in audit; scopes bound to cgroups under a test
 * tree enforce. A process moves itself into a cgroup and calls
 * unshare(CLONE_NEWCGROUP), which gvisor refuses: EINVAL shows that an
 * enforcing scope decided, 0 that an auditing policy did, and the
 * counters of each policy say which one.
 */
#include "common.h"
#include "../include/uapi/linux/clonegate.h"

#include <pthread.h>
#include "harness.h"

#define CGROOT	"/sys/fs/cgroup"
#define TREE	"/cgtest"
#define SCOPES	CG "scopes/"

static int mkcg(const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), CGROOT "%s", path);
	return mkdir(full, 0755) && errno != EEXIST ? -errno : 0;
}

static int rmcg(const char *path)
{
	char full[256];

	snprintf(full, sizeof(full), CGROOT "%s", path);
	return rmdir(full) ? -errno : 0;
}

static int scope_write(const char *scope, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), SCOPES "%s/%s", scope, file);
	return cg_write(path, val);
}

static int scope_read(const char *scope, const char *file, char *buf,
		      size_t size)
{
	char path[256];
	int n;

	snprintf(path, sizeof(path), SCOPES "%s/%s", scope, file);
	n = cg_read(path, buf, size);
	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return n;
}

static long long scope_stat(const char *scope, const char *name)
{
	char buf[64];

	if (scope_read(scope, name, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

/* A scope on @cgroup with @mode; 0 or -errno. */
static int scope_add(const char *name, const char *cgroup, const char *mode)
{
	int err = cg_write(SCOPES "add", name);

	if (!err && cgroup)
		err = scope_write(name, "cgroup", cgroup);
	if (!err && mode)
		err = scope_write(name, "mode", mode);
	return err;
}

/* Remove every scope of this test's, and the cgroup tree. */
static void cleanup(void)
{
	static const char *const names[] = {
		"outer", "inner", "moved", "gone", "copy", "ev", "race",
	};
	static const char *const cgroups[] = {
		TREE "/a/b/c", TREE "/a/b", TREE "/a", TREE "/x", TREE,
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		cg_write(SCOPES "remove", names[i]);
	for (i = 0; i < sizeof(cgroups) / sizeof(cgroups[0]); i++)
		rmcg(cgroups[i]);
}

/* unshare(CLONE_NEWCGROUP) in a child that first moves into @cgroup. */
static int unshare_in(const char *cgroup)
{
	char procs[256];
	pid_t pid;
	int status;

	snprintf(procs, sizeof(procs), CGROOT "%s/cgroup.procs", cgroup);
	pid = fork();
	if (pid < 0)
		return -1000;
	if (pid == 0) {
		if (cg_write(procs, "0"))
			_exit(200);
		_exit(syscall(__NR_unshare, CLONE_NEWCGROUP) ? errno : 0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) == 200)
		return -1000;
	return WEXITSTATUS(status);
}

FIXTURE(scope) {
};

FIXTURE_SETUP(scope)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	ASSERT_EQ(0, access(CGROOT "/cgroup.procs", W_OK))
		TH_LOG("no cgroup v2 hierarchy at " CGROOT);
	cleanup();
	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	ASSERT_EQ(0, mkcg(TREE));
	ASSERT_EQ(0, mkcg(TREE "/a"));
	ASSERT_EQ(0, mkcg(TREE "/x"));
}

FIXTURE_TEARDOWN(scope)
{
	cleanup();
}

/* The scope covers its cgroup and cgroups made below it later. */
TEST_F(scope, a_subtree_made_after_the_scope_is_in_it)
{
	ASSERT_EQ(0, scope_add("outer", TREE "/a", "enforce"));
	ASSERT_EQ(0, mkcg(TREE "/a/b"));
	ASSERT_EQ(0, mkcg(TREE "/a/b/c"));
	EXPECT_EQ(EINVAL, unshare_in(TREE "/a"));
	EXPECT_EQ(EINVAL, unshare_in(TREE "/a/b/c"));
	EXPECT_EQ(2, scope_stat("outer", "stats/unshare_denied"));
	/* the host policy, in audit, lets a task outside go */
	EXPECT_EQ(0, unshare_in(TREE "/x"));
}

TEST_F(scope, the_deepest_scope_decides)
{
	long long host0 = cg_stat("unshare_audited");

	ASSERT_EQ(0, mkcg(TREE "/a/b"));
	ASSERT_EQ(0, mkcg(TREE "/a/b/c"));
	ASSERT_EQ(0, scope_add("outer", TREE "/a", "enforce"));
	ASSERT_EQ(0, scope_add("inner", TREE "/a/b", "audit"));
	EXPECT_EQ(0, unshare_in(TREE "/a/b/c"));
	EXPECT_EQ(0, unshare_in(TREE "/a/b"));
	EXPECT_EQ(EINVAL, unshare_in(TREE "/a"));
	EXPECT_EQ(2, scope_stat("inner", "stats/unshare_audited"));
	EXPECT_EQ(1, scope_stat("outer", "stats/unshare_denied"));
	EXPECT_EQ(0, scope_stat("outer", "stats/unshare_audited"));
	/* and the host counted none of them */
	EXPECT_EQ(host0, cg_stat("unshare_audited"));
}

/* A fork and an unshare(0) in a scope count there, not in the host's. */
static int plain_calls_in(const char *cgroup)
{
	char procs[256];
	pid_t pid, child;
	int status;

	snprintf(procs, sizeof(procs), CGROOT "%s/cgroup.procs", cgroup);
	pid = fork();
	if (pid == 0) {
		if (cg_write(procs, "0"))
			_exit(200);
		child = syscall(__NR_fork);
		if (child == 0)
			_exit(0);
		waitpid(child, NULL, 0);
		_exit(syscall(__NR_unshare, 0) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(scope, plain_calls_in_a_scope_count_in_it)
{
	long long host_fork, host_unshare;

	ASSERT_EQ(0, scope_add("copy", TREE "/a", "enforce"));
	host_fork = cg_stat("fork_allowed");
	host_unshare = cg_stat("unshare_allowed");
	ASSERT_EQ(0, plain_calls_in(TREE "/a"));
	EXPECT_EQ(1, scope_stat("copy", "stats/fork_allowed"));
	EXPECT_EQ(1, scope_stat("copy", "stats/unshare_allowed"));
	EXPECT_EQ(host_fork, cg_stat("fork_allowed"));
	EXPECT_EQ(host_unshare, cg_stat("unshare_allowed"));
}

/* A task is decided by the scope of its cgroup at the time of the call. */
TEST_F(scope, a_task_moved_out_goes_back_to_the_host)
{
	char a[256], x[256], s[32];
	int p[2], q[2], status;
	pid_t pid;
	char c;

	ASSERT_EQ(0, scope_add("moved", TREE "/a", "enforce"));
	snprintf(a, sizeof(a), CGROOT TREE "/a/cgroup.procs");
	snprintf(x, sizeof(x), CGROOT TREE "/x/cgroup.procs");
	ASSERT_EQ(0, pipe(p));
	ASSERT_EQ(0, pipe(q));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int in_a, in_x;

		if (cg_write(a, "0"))
			_exit(200);
		in_a = syscall(__NR_unshare, CLONE_NEWCGROUP) ? errno : 0;
		/* the parent moves us */
		write(q[1], "m", 1);
		read(p[0], &c, 1);
		in_x = syscall(__NR_unshare, CLONE_NEWCGROUP) ? errno : 0;
		_exit(in_a == EINVAL && in_x == 0 ? 0 : 1);
	}
	ASSERT_EQ(1, read(q[0], &c, 1));
	snprintf(s, sizeof(s), "%d", pid);
	ASSERT_EQ(0, cg_write(x, s));
	ASSERT_EQ(1, write(p[1], "g", 1));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_F(scope, a_removed_scope_decides_nothing)
{
	ASSERT_EQ(0, scope_add("gone", TREE "/a", "enforce"));
	EXPECT_EQ(EINVAL, unshare_in(TREE "/a"));
	ASSERT_EQ(0, cg_write(SCOPES "remove", "gone"));
	EXPECT_NE(0, access(SCOPES "gone", F_OK));
	EXPECT_EQ(0, unshare_in(TREE "/a"));
	EXPECT_EQ(-ENOENT, cg_write(SCOPES "remove", "gone"));
}

TEST_F(scope, a_scope_whose_cgroup_was_removed_matches_nothing)
{
	char buf[256];

	ASSERT_EQ(0, mkcg(TREE "/a/b"));
	ASSERT_EQ(0, scope_add("gone", TREE "/a/b", "enforce"));
	ASSERT_LT(0, scope_read("gone", "cgroup", buf, sizeof(buf)));
	EXPECT_STREQ(TREE "/a/b", buf);
	ASSERT_EQ(0, rmcg(TREE "/a/b"));
	ASSERT_LT(0, scope_read("gone", "cgroup", buf, sizeof(buf)));
	EXPECT_STREQ(TREE "/a/b (removed)", buf);
	/* a new cgroup of the same name is another cgroup */
	ASSERT_EQ(0, mkcg(TREE "/a/b"));
	EXPECT_EQ(0, unshare_in(TREE "/a/b"));
	EXPECT_EQ(0, scope_stat("gone", "stats/unshare_calls"));
}

TEST_F(scope, a_scope_without_a_cgroup_matches_nothing)
{
	char buf[64];

	ASSERT_EQ(0, scope_add("gone", NULL, "enforce"));
	ASSERT_LT(0, scope_read("gone", "cgroup", buf, sizeof(buf)));
	EXPECT_STREQ("none", buf);
	EXPECT_EQ(0, unshare_in(TREE "/a"));
	EXPECT_EQ(0, scope_stat("gone", "stats/unshare_calls"));
}

/* A new scope starts as a copy of the host policy, every file of it. */
TEST_F(scope, a_new_scope_copies_the_host_policy)
{
	static const char *const files[] = {
		"mode", "profile", "clone_flags", "unshare_flags",
		"setns_types", "rules",
	};
	char host[1024], copy[1024], path[128];
	size_t i;
	int n;

	ASSERT_EQ(0, cg_write(CG "clone_flags", "-newuser"));
	ASSERT_EQ(0, cg_write(CG "rules", "-set_tid"));
	ASSERT_EQ(0, cg_write(SCOPES "add", "copy"));
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), CG "%s", files[i]);
		n = cg_read(path, host, sizeof(host));
		ASSERT_LT(0, n);
		if (host[n - 1] == '\n')
			host[n - 1] = '\0';
		ASSERT_LT(0, scope_read("copy", files[i], copy, sizeof(copy)));
		/* the whole text: rules and the flag sets are many lines */
		EXPECT_STREQ(host, copy) TH_LOG("%s", files[i]);
	}
	/* the edits above are in what was compared */
	ASSERT_LT(0, scope_read("copy", "rules", copy, sizeof(copy)));
	EXPECT_TRUE(strstr(copy, "-set_tid") != NULL) TH_LOG("rules: %s", copy);
	cg_write(CG "profile", "gvisor");
}

/* A scope's files take the host files' values and refuse their errors. */
TEST_F(scope, scope_files_work_like_the_host_files)
{
	char buf[256];

	ASSERT_EQ(0, scope_add("copy", TREE "/a", NULL));
	EXPECT_EQ(0, scope_write("copy", "mode", "enforce"));
	EXPECT_EQ(0, scope_write("copy", "setns_types", "-mnt"));
	EXPECT_EQ(-EINVAL, scope_write("copy", "mode", "strict"));
	EXPECT_EQ(-EINVAL, scope_write("copy", "clone_flags", "+bogus"));
	EXPECT_EQ(-EINVAL, scope_write("copy", "profile", "custom"));
	ASSERT_LT(0, scope_read("copy", "mode", buf, sizeof(buf)));
	EXPECT_STREQ("enforce", buf);
	ASSERT_LT(0, scope_read("copy", "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("uts ipc net", buf);
	ASSERT_LT(0, scope_read("copy", "profile", buf, sizeof(buf)));
	EXPECT_STREQ("custom", buf);
	/* the host policy did not move */
	ASSERT_LT(0, cg_read(CG "mode", buf, sizeof(buf)));
	EXPECT_STREQ("audit\n", buf);
}

/* Records name the scope that decided, or "host". */
TEST_F(scope, records_name_the_deciding_scope)
{
	struct clonegate_event ev[64];
	int fd, n, i, in_scope = 0, in_host = 0;

	ASSERT_EQ(0, scope_add("ev", TREE "/a", "enforce"));
	fd = open("/dev/clonegate", O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd) TH_LOG("/dev/clonegate: %m");
	while (read(fd, ev, sizeof(ev)) > 0)
		;
	EXPECT_EQ(EINVAL, unshare_in(TREE "/a"));
	EXPECT_EQ(0, unshare_in(TREE "/x"));
	n = read(fd, ev, sizeof(ev));
	close(fd);
	ASSERT_LT(0, n);
	for (i = 0; i < n / (int)sizeof(ev[0]); i++) {
		if (ev[i].op != CLONEGATE_EV_OP_UNSHARE ||
		    ev[i].flags != CLONE_NEWCGROUP)
			continue;
		if (ev[i].decision == CLONEGATE_EV_DENIED &&
		    !strcmp(ev[i].scope, "ev"))
			in_scope++;
		if (ev[i].decision == CLONEGATE_EV_AUDITED &&
		    !strcmp(ev[i].scope, "host"))
			in_host++;
	}
	EXPECT_EQ(1, in_scope);
	EXPECT_EQ(1, in_host);
}

/* Every bad input gets its errno and changes nothing. */
struct bad {
	const char *file;
	const char *value;
	int err;
};

FIXTURE(scope_input) {
};

FIXTURE_VARIANT(scope_input) {
	struct bad bad;
};

#define BAD(id, f, v, e)						\
	FIXTURE_VARIANT_ADD(scope_input, id) { .bad = { f, v, e } }

BAD(add_empty, "add", "\n", EINVAL);
BAD(add_upper_case, "add", "Outer", EINVAL);
BAD(add_slash, "add", "a/b", EINVAL);
BAD(add_space, "add", "a b", EINVAL);
BAD(add_dot, "add", "..", EINVAL);
BAD(add_33_chars, "add", "abcdefghijabcdefghijabcdefghijabc", EINVAL);
BAD(add_host, "add", "host", EINVAL);
BAD(add_add, "add", "add", EINVAL);
BAD(add_remove, "add", "remove\n", EINVAL);
BAD(add_existing, "add", "copy", EEXIST);
BAD(remove_unknown, "remove", "nosuchscope", ENOENT);
BAD(remove_bad_name, "remove", "No/Such", EINVAL);
BAD(cgroup_relative, "copy/cgroup", "cgtest/a", EINVAL);
BAD(cgroup_dotdot, "copy/cgroup", TREE "/a/../x", EINVAL);
BAD(cgroup_dot, "copy/cgroup", TREE "/./a", EINVAL);
BAD(cgroup_empty_part, "copy/cgroup", TREE "//a", EINVAL);
BAD(cgroup_missing, "copy/cgroup", TREE "/nosuch", ENOENT);
BAD(cgroup_a_file, "copy/cgroup", TREE "/a/cgroup.procs", ENOTDIR);
BAD(cgroup_nul, "copy/cgroup", "", EINVAL);

FIXTURE_SETUP(scope_input)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	cleanup();
	ASSERT_EQ(0, mkcg(TREE));
	ASSERT_EQ(0, mkcg(TREE "/a"));
	ASSERT_EQ(0, mkcg(TREE "/x"));
	ASSERT_EQ(0, scope_add("copy", TREE "/x", "enforce"));
}

FIXTURE_TEARDOWN(scope_input)
{
	cleanup();
}

static void list_scopes(char *buf, size_t size)
{
	FILE *ls = popen("ls " SCOPES " ; cat " SCOPES "copy/cgroup", "r");
	size_t n = ls ? fread(buf, 1, size - 1, ls) : 0;

	buf[n] = '\0';
	if (ls)
		pclose(ls);
}

TEST_F(scope_input, refused_and_nothing_changes)
{
	char path[256], before[1024], after[1024];
	const struct bad *b = &variant->bad;
	int err;

	list_scopes(before, sizeof(before));
	snprintf(path, sizeof(path), SCOPES "%s", b->file);
	if (*b->value)
		err = cg_write(path, b->value);
	else
		err = cg_write_n(path, "/a\0b", 4);
	EXPECT_EQ(-b->err, err);
	list_scopes(after, sizeof(after));
	EXPECT_STREQ(before, after);
}

TEST_F(scope, a_long_cgroup_path_is_too_long)
{
	char path[300];

	ASSERT_EQ(0, cg_write(SCOPES "add", "copy"));
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, scope_write("copy", "cgroup", path));
}

/* 64 scopes at most; the 65th is ENOSPC and the 64 stay. */
TEST_F(scope, at_most_64_scopes)
{
	char name[16];
	int i, made = 1;

	ASSERT_EQ(0, cg_write(SCOPES "add", "copy"));
	for (i = 0; i < 70 && made < 64; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		if (!cg_write(SCOPES "add", name))
			made++;
	}
	EXPECT_EQ(64, made);
	EXPECT_EQ(-ENOSPC, cg_write(SCOPES "add", "onetoomany"));
	EXPECT_NE(0, access(SCOPES "onetoomany", F_OK));
	for (i = 0; i < 70; i++) {
		snprintf(name, sizeof(name), "s%d", i);
		cg_write(SCOPES "remove", name);
	}
}

/*
 * Tasks move between cgroups and call unshare while scopes come and go:
 * each call is decided by one policy or the other, whole (EINVAL by the
 * enforcing scope, 0 by the host in audit), and nothing splats.
 */
struct mover {
	int calls, refused, allowed, other;
	volatile int *stop;
};

static void *mover(void *arg)
{
	struct mover *m = arg;

	while (!*m->stop) {
		int r = unshare_in(m->calls % 2 ? TREE "/a/b" : TREE "/x");

		m->calls++;
		if (r == EINVAL)
			m->refused++;
		else if (r == 0)
			m->allowed++;
		else
			m->other++;
	}
	return NULL;
}

/*
 * Bounded work: ROUNDS rounds of two adds, a cgroup, a mode and two
 * removes, each remove waiting for an RCU grace period. A round took up
 * to 3 s on the debug kernel (KASAN, lockdep) under emulation with the
 * host busy; the limit gives each round four times that.
 */
#define ROUNDS	20

TEST_F_TIMEOUT(scope, tasks_move_and_call_while_scopes_come_and_go,
	       ROUNDS * 30)
{
	volatile int stop = 0;
	struct mover m[2] = { { .stop = &stop }, { .stop = &stop } };
	pthread_t th[2];
	int i, rounds = ROUNDS;

	ASSERT_EQ(0, mkcg(TREE "/a/b"));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&th[i], NULL, mover, &m[i]));
	for (i = 0; i < rounds; i++) {
		ASSERT_EQ(0, scope_add("race", TREE "/a", "enforce"));
		ASSERT_EQ(0, scope_add("inner", TREE "/a/b", "enforce"));
		ASSERT_EQ(0, scope_write("race", "mode", "audit"));
		ASSERT_EQ(0, cg_write(SCOPES "remove", "inner"));
		ASSERT_EQ(0, cg_write(SCOPES "remove", "race"));
	}
	stop = 1;
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	TH_LOG("%d rounds; calls %d+%d: refused %d, allowed %d", rounds,
	       m[0].calls, m[1].calls, m[0].refused + m[1].refused,
	       m[0].allowed + m[1].allowed);
	EXPECT_EQ(0, m[0].other + m[1].other);
	EXPECT_LT(0, m[0].calls + m[1].calls);
}

TEST_HARNESS_MAIN
