// SPDX-License-Identifier: GPL-2.0
/*
 * setns(2) under gVisor's Task.Setns rules, on real system calls.
 *
 * A target process sits in a namespace of every type; the test joins one
 * of them, through a namespace file (nsfd) or a pidfd, in a fresh child
 * process. Under gvisor + enforce, nsfd joins of net, ipc, mnt and uts go
 * through, every other type and every pidfd join fail with EINVAL, and
 * nothing is joined. Under audit the result is exactly the one with
 * clonegate switched off.
 */
#include "common.h"

#include <pthread.h>
#include "harness.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

/* Every namespace type, and the flags that create and join it. */
struct ns_type {
	const char *name;	/* in /proc/PID/ns/ and in setns_types */
	unsigned long flag;
	int gvisor_allows;
};

static const struct ns_type ns_types[] = {
	{ "net", CLONE_NEWNET, 1 },
	{ "ipc", CLONE_NEWIPC, 1 },
	{ "mnt", CLONE_NEWNS, 1 },
	{ "uts", CLONE_NEWUTS, 1 },
	{ "user", CLONE_NEWUSER, 0 },
	{ "pid", CLONE_NEWPID, 0 },
	{ "cgroup", CLONE_NEWCGROUP, 0 },
	{ "time", CLONE_NEWTIME, 0 },
};

#define ALL_NEW (CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWUTS | \
		 CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)

/* /proc/<pid>/ns/<name> of a target, or the caller's own (pid 0). */
static unsigned long ns_ino_of(pid_t pid, const char *name)
{
	char path[128];
	struct stat st;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, name);
	else
		snprintf(path, sizeof(path), "/proc/thread-self/ns/%s", name);
	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * A process in new namespaces of every type, made with clonegate off by
 * clone3 (the legacy clone has no room for CLONE_NEWTIME). It waits until
 * its pipe closes.
 */
struct target {
	pid_t pid;
	int hold;
};

static int target_start(struct target *t)
{
	struct cg_clone_args args = {
		.flags = ALL_NEW,
		.exit_signal = SIGCHLD,
	};
	int p[2];
	pid_t pid;
	char c;

	if (pipe(p))
		return -1;
	pid = syscall(__NR_clone3, &args, sizeof(args));
	if (pid < 0)
		return -1;
	if (pid == 0) {
		close(p[1]);
		read(p[0], &c, 1);
		_exit(0);
	}
	close(p[0]);
	t->hold = p[1];
	t->pid = pid;
	return 0;
}

static void target_stop(struct target *t)
{
	close(t->hold);
	cg_reap_all();
}

/* setns() in a fresh child: 0 or errno, and whether the ns was joined. */
struct join {
	pid_t target;
	const struct ns_type *type;
	int pidfd;		/* join through a pidfd, else an nsfd */
	unsigned long flags;	/* pidfd: the namespaces to join */
	int err;
	int joined;
};

static int join_in_child(void *arg)
{
	struct join *j = arg;
	unsigned long before = ns_ino_of(0, j->type->name);
	unsigned long want = ns_ino_of(j->target, j->type->name);
	char path[64];
	int fd, ret;

	if (j->pidfd) {
		fd = syscall(__NR_pidfd_open, j->target, 0);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", j->target,
			 j->type->name);
		fd = open(path, O_RDONLY);
	}
	if (fd < 0)
		return 250;
	ret = setns(fd, j->pidfd ? (int)j->flags : 0);
	j->err = ret ? errno : 0;
	/* the pid and time namespaces apply to children */
	if (!strcmp(j->type->name, "pid") || !strcmp(j->type->name, "time")) {
		snprintf(path, sizeof(path), "%s_for_children", j->type->name);
		j->joined = ns_ino_of(0, path) == want;
	} else {
		j->joined = ns_ino_of(0, j->type->name) == want;
	}
	if (!j->joined && ns_ino_of(0, j->type->name) != before)
		return 251;
	return (j->err & 0x3f) | (j->joined << 6);
}

/* Run one join in a child; returns 0 and fills err and joined. */
static int join(struct join *j)
{
	int status = cg_in_child(join_in_child, j);

	if (status >= 128)
		return -1;
	j->err = status & 0x3f;
	j->joined = !!(status & 0x40);
	return 0;
}

FIXTURE(setns) {
	struct target t;
};

FIXTURE_VARIANT(setns) {
	const char *mode;
	int pidfd;
};

FIXTURE_VARIANT_ADD(setns, nsfd_enforce) { .mode = "enforce" };
FIXTURE_VARIANT_ADD(setns, nsfd_audit) { .mode = "audit" };
FIXTURE_VARIANT_ADD(setns, pidfd_enforce) { .mode = "enforce", .pidfd = 1 };
FIXTURE_VARIANT_ADD(setns, pidfd_audit) { .mode = "audit", .pidfd = 1 };

FIXTURE_SETUP(setns)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	ASSERT_EQ(0, cg_policy("gvisor", "off"));
	ASSERT_EQ(0, target_start(&self->t)) TH_LOG("no target: %m");
}

FIXTURE_TEARDOWN(setns)
{
	target_stop(&self->t);
	cg_policy("gvisor", "audit");
}

/*
 * Each namespace type alone: under enforce, as the seed says; under audit,
 * exactly as with clonegate off, and counted as audited where enforce
 * would have refused.
 */
TEST_F(setns, each_type_as_the_seed_says)
{
	size_t i;

	for (i = 0; i < sizeof(ns_types) / sizeof(ns_types[0]); i++) {
		const struct ns_type *ty = &ns_types[i];
		struct join off = { self->t.pid, ty, variant->pidfd, ty->flag };
		struct join on = off;
		int refuse = variant->pidfd || !ty->gvisor_allows;
		long long den0, aud0, den1, aud1;

		ASSERT_EQ(0, cg_write(CG "mode", "off"));
		ASSERT_EQ(0, join(&off)) TH_LOG("%s: no join", ty->name);
		ASSERT_EQ(0, cg_write(CG "mode", variant->mode));
		den0 = cg_stat("setns_denied");
		aud0 = cg_stat("setns_audited");
		ASSERT_EQ(0, join(&on)) TH_LOG("%s: no join", ty->name);
		den1 = cg_stat("setns_denied");
		aud1 = cg_stat("setns_audited");
		if (!strcmp(variant->mode, "audit") || !refuse) {
			EXPECT_EQ(off.err, on.err) TH_LOG("%s", ty->name);
			EXPECT_EQ(off.joined, on.joined) TH_LOG("%s", ty->name);
		} else {
			EXPECT_EQ(EINVAL, on.err) TH_LOG("%s", ty->name);
			EXPECT_EQ(0, on.joined) TH_LOG("%s", ty->name);
		}
		if (!strcmp(variant->mode, "enforce")) {
			EXPECT_EQ(refuse, den1 - den0) TH_LOG("%s", ty->name);
		} else {
			EXPECT_EQ(refuse, aud1 - aud0) TH_LOG("%s", ty->name);
			EXPECT_EQ(0, den1 - den0) TH_LOG("%s", ty->name);
		}
	}
}

/* The same target, under gvisor + enforce, for the tests below. */
FIXTURE(setns_enforce) {
	struct target t;
};

FIXTURE_SETUP(setns_enforce)
{
	ASSERT_TRUE(cg_loaded()) TH_LOG("clonegate is not loaded");
	ASSERT_EQ(0, cg_policy("gvisor", "off"));
	ASSERT_EQ(0, target_start(&self->t)) TH_LOG("no target: %m");
	ASSERT_EQ(0, cg_write(CG "mode", "enforce"));
}

FIXTURE_TEARDOWN(setns_enforce)
{
	target_stop(&self->t);
	cg_policy("gvisor", "audit");
}

/* Linux's own checks keep Linux's errno: a type that does not match. */
TEST_F(setns_enforce, a_mismatched_type_is_linuxs_einval)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", self->t.pid);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	/* a net namespace file named as a UTS one: EINVAL before any hook */
	EXPECT_EQ(-1, setns(fd, CLONE_NEWUTS));
	EXPECT_EQ(EINVAL, errno);
	close(fd);
}

/* The setns_pidfd row can be switched off; the types still apply. */
TEST_F(setns_enforce, pidfd_row_off_leaves_the_types)
{
	struct join net = { self->t.pid, &ns_types[0], 1, CLONE_NEWNET };
	struct join user = { self->t.pid, &ns_types[4], 1, CLONE_NEWUSER };

	ASSERT_EQ(0, cg_write(CG "rules", "-setns_pidfd"));
	ASSERT_EQ(0, join(&net));
	ASSERT_EQ(0, join(&user));
	EXPECT_EQ(0, net.err);
	EXPECT_EQ(1, net.joined);
	EXPECT_EQ(EINVAL, user.err);
	EXPECT_EQ(0, user.joined);
}

/* setns_types takes the same forms and errors as clone_flags. */
TEST(setns_types_forms)
{
	char buf[256];

	ASSERT_TRUE(cg_loaded());
	ASSERT_EQ(0, cg_write(CG "profile", "gvisor"));
	ASSERT_LT(0, cg_read(CG "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("mnt uts ipc net\n", buf);
	EXPECT_EQ(0, cg_write(CG "setns_types", "+user -mnt"));
	ASSERT_LT(0, cg_read(CG "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("uts ipc user net\n", buf);
	ASSERT_LT(0, cg_read(CG "profile", buf, sizeof(buf)));
	EXPECT_STREQ("custom\n", buf);
	EXPECT_EQ(0, cg_write(CG "setns_types", "none"));
	ASSERT_LT(0, cg_read(CG "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("none\n", buf);
	EXPECT_EQ(0, cg_write(CG "setns_types", "0x40000000"));
	ASSERT_LT(0, cg_read(CG "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("net\n", buf);
	/* a clone flag that is not a namespace, an unknown name, a mix */
	EXPECT_EQ(-EINVAL, cg_write(CG "setns_types", "vm"));
	EXPECT_EQ(-EINVAL, cg_write(CG "setns_types", "0x100"));
	EXPECT_EQ(-EINVAL, cg_write(CG "setns_types", "net +ipc"));
	ASSERT_LT(0, cg_read(CG "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("net\n", buf);
	ASSERT_EQ(0, cg_write(CG "profile", "permissive"));
	ASSERT_LT(0, cg_read(CG "setns_types", buf, sizeof(buf)));
	EXPECT_STREQ("time mnt cgroup uts ipc user pid net\n", buf);
	cg_write(CG "profile", "gvisor");
}

/*
 * Another thread swaps the fd between a namespace file the policy allows
 * (net) and one it refuses (cgroup) while this thread calls setns: the
 * check reads the namespace setns resolved, so the cgroup namespace is
 * never joined, however the race falls.
 */
struct swap {
	int fd, allowed, refused;
	volatile int stop;
};

static void *swapper(void *arg)
{
	struct swap *s = arg;

	while (!s->stop) {
		dup2(s->refused, s->fd);
		dup2(s->allowed, s->fd);
	}
	return NULL;
}

static int race_in_child(void *arg)
{
	pid_t target = *(pid_t *)arg;
	unsigned long own = ns_ino_of(0, "cgroup");
	struct swap s = { .fd = 100 };
	char path[64];
	pthread_t th;
	int i, joined = 0, refused = 0;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", target);
	s.allowed = open(path, O_RDONLY);
	snprintf(path, sizeof(path), "/proc/%d/ns/cgroup", target);
	s.refused = open(path, O_RDONLY);
	if (s.allowed < 0 || s.refused < 0 || dup2(s.allowed, s.fd) < 0)
		return 250;
	if (pthread_create(&th, NULL, swapper, &s))
		return 250;
	/* on until both outcomes were seen, or the race never happened */
	for (i = 0; i < 2000 || ((!joined || !refused) && i < 10000); i++) {
		if (!setns(s.fd, 0))
			joined++;
		else if (errno == EINVAL)
			refused++;
		if (ns_ino_of(0, "cgroup") != own)
			break;
	}
	s.stop = 1;
	pthread_join(th, NULL);
	fprintf(stderr, "# %d joins of net, %d refusals of cgroup\n", joined,
		refused);
	if (ns_ino_of(0, "cgroup") != own)
		return 1;
	return joined && refused ? 0 : 2;
}

TEST_F(setns_enforce, fd_swapped_during_setns_never_joins_a_refused_type)
{
	int rc = cg_in_child(race_in_child, &self->t.pid);

	EXPECT_EQ(0, rc) TH_LOG("%s", rc == 1 ? "the cgroup namespace was joined" :
			       rc == 2 ? "one outcome only: the race never happened" :
			       "the race could not be set up");
}

TEST_HARNESS_MAIN
