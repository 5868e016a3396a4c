// SPDX-License-Identifier: GPL-2.0
/*
 * gVisor's clone and unshare rules, enforced on real system calls.
 *
 * Every flag bit of every operation, every rule row, the three modes and the
 * two profiles. A denied call must fail with the seed's errno, create
 * nothing (no child, no namespace) and count once in its rule's counter.
 */
#include "common.h"

#include <pthread.h>
#include "harness.h"

enum op { OP_CLONE, OP_CLONE3, OP_FORK, OP_VFORK, OP_UNSHARE };
static const char *const op_names[] = {
	"clone", "clone3", "fork", "vfork", "unshare"
};

/* What a single call is expected to meet under gvisor + enforce. */
struct expect {
	const char *rule;	/* rule that denies it, or NULL */
	int err;		/* errno of the deny, or of Linux's own check */
	int linux_first;	/* Linux rejects it before clonegate sees it */
};

static const struct expect allow = { NULL, 0, 0 };

/* One call's result: the return value and errno. */
struct result {
	long ret;
	int err;
};

static int ptid, ctid, pidfd_out;

static struct result call(enum op op, uint64_t flags, int exit_signal)
{
	struct result r = { 0, 0 };
	struct cg_clone_args args = {
		.flags = flags,
		.exit_signal = exit_signal,
		.pidfd = (uintptr_t)&pidfd_out,
		.child_tid = (uintptr_t)&ctid,
		.parent_tid = (uintptr_t)&ptid,
	};

	switch (op) {
	case OP_CLONE:
		r.ret = cg_raw_clone((unsigned long)flags | (exit_signal & 0xff),
				     NULL, &ptid, &ctid, 0);
		break;
	case OP_CLONE3:
		r.ret = cg_raw_clone3(&args, sizeof(args));
		break;
	case OP_FORK:
		/* glibc's fork() is a clone: use the real fork syscall */
		r.ret = syscall(__NR_fork);
		if (r.ret == 0)
			_exit(0);
		if (r.ret < 0)
			r.ret = -errno;
		break;
	case OP_VFORK:
		r.ret = vfork();
		if (r.ret == 0)
			_exit(0);
		if (r.ret < 0)
			r.ret = -errno;
		break;
	case OP_UNSHARE:
		r.ret = syscall(__NR_unshare, (unsigned long)flags);
		if (r.ret < 0)
			r.ret = -errno;
		break;
	}
	if (r.ret < 0) {
		r.err = -r.ret;
		r.ret = -1;
	}
	return r;
}

/* Counters one call may move. */
struct counts {
	long long rule, denied, audited, allowed;
};

static void counts_read(struct counts *c, enum op op, const char *rule)
{
	char name[64];

	c->rule = rule ? cg_rule_hits(rule) : 0;
	snprintf(name, sizeof(name), "%s_denied", op_names[op]);
	c->denied = cg_stat(name);
	snprintf(name, sizeof(name), "%s_audited", op_names[op]);
	c->audited = cg_stat(name);
	snprintf(name, sizeof(name), "%s_allowed", op_names[op]);
	c->allowed = cg_stat(name);
}

/* Sum of all rule counters: grows whenever any rule fired. */
static long long all_rule_hits(void)
{
	long long sum = 0, hits;
	size_t i;

	for (i = 0; i < CG_N_RULES; i++) {
		hits = cg_rule_hits(cg_rule_names[i]);
		if (hits < 0)
			return -1;
		sum += hits;
	}
	return sum;
}

/*
 * clone3 flags past CLONE_INTO_CGROUP: newer kernels know some of them,
 * and a call with one reaches clonegate before Linux judges it further
 */
static int linux_takes_clone3_bit(int bit)
{
	static uint64_t took;
	static int asked;

	if (!asked) {
		took = cg_linux_takes(1, ~0ULL << 34, SIGCHLD);
		asked = 1;
	}
	return !!(took & (1ULL << bit));
}

static struct expect clone3_bit(int bit)
{
	uint64_t f = 1ULL << bit;

	if (bit < 7 || f == 0x00400000)	/* CSIGNAL, DETACHED */
		return (struct expect){ NULL, EINVAL, 1 };
	if (bit > 33)
		return linux_takes_clone3_bit(bit) ?
			(struct expect){ "unsupported_flag", EINVAL, 0 } :
			(struct expect){ NULL, EINVAL, 1 };
	if (f & (CLONE_NEWTIME | CLONE_PIDFD | CLONE_NEWCGROUP |
		 CLONE_CLEAR_SIGHAND_ | CLONE_INTO_CGROUP_))
		return (struct expect){ "unsupported_flag", EINVAL, 0 };
	if (f == CLONE_SIGHAND)
		return (struct expect){ "sighand_without_vm", EINVAL, 0 };
	if (f == CLONE_THREAD)
		return (struct expect){ "thread_without_sighand", EINVAL, 0 };
	return allow;
}

/* Legacy clone: bits 0-7 are the exit signal, 8-31 the flags. */
static struct expect clone_bit(int bit)
{
	uint64_t f = 1ULL << bit;

	if (f & (CLONE_PIDFD | CLONE_NEWCGROUP))
		return (struct expect){ "unsupported_flag", EINVAL, 0 };
	if (f == CLONE_SIGHAND)
		return (struct expect){ "sighand_without_vm", EINVAL, 0 };
	if (f == CLONE_THREAD)
		return (struct expect){ "thread_without_sighand", EINVAL, 0 };
	return allow;
}

static struct expect unshare_bit(int bit)
{
	const uint64_t gvisor = CLONE_THREAD | CLONE_FS | CLONE_NEWNS |
		CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM |
		CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |
		CLONE_NEWPID;
	uint64_t f = 1ULL << bit;

	if (!(f & gvisor))
		return (struct expect){ "unsupported_flag", EINVAL, 0 };
	if (f & (CLONE_VM | CLONE_SIGHAND))
		return (struct expect){ "unshare_vm_sighand", EINVAL, 0 };
	return allow;
}

/*
 * Make one call in a fresh process (unshare and CLONE_PARENT change or
 * involve the caller) and check it there. Exit status: 0 as expected,
 * 1 wrong result, 2 a namespace appeared, 3 a child appeared, 4 a call
 * that must succeed failed.
 */
struct probe {
	enum op op;
	uint64_t flags;
	int exit_signal;
	struct expect e;
	int must_succeed;
	struct result r;
};

static int probe_call(void *arg)
{
	struct probe *p = arg;
	unsigned long ns[CG_NS_COUNT];
	const char *changed;

	cg_ns_snapshot(ns);
	p->r = call(p->op, p->flags, p->exit_signal);
	if (!p->e.rule && !p->e.linux_first) {
		if (p->must_succeed && p->r.ret < 0) {
			fprintf(stderr, "# %s 0x%llx: errno %d\n",
				op_names[p->op], (unsigned long long)p->flags,
				p->r.err);
			return 4;
		}
		cg_reap_all();
		return 0;	/* allowed: Linux decides the rest */
	}
	if (p->r.ret != -1 || p->r.err != p->e.err) {
		fprintf(stderr, "# %s 0x%llx: ret %ld errno %d, want errno %d\n",
			op_names[p->op], (unsigned long long)p->flags, p->r.ret,
			p->r.err, p->e.err);
		return 1;
	}
	changed = cg_ns_changed(ns);
	if (changed) {
		fprintf(stderr, "# %s 0x%llx: %s namespace changed\n",
			op_names[p->op], (unsigned long long)p->flags, changed);
		return 2;
	}
	return cg_no_children() ? 0 : 3;
}

/*
 * Check one call: its result in a child process, and the counters here:
 * a deny moves its rule and the op's denied counter by one; an allowed call
 * moves the op's allowed counter by one and no rule; a call Linux rejects
 * before clonegate sees it moves nothing. A window in which another task
 * moved the counters is measured again.
 */
static int check_call(struct __test_metadata *_metadata, enum op op,
		      uint64_t flags, int exit_signal, struct expect e)
{
	struct probe p = { op, flags, exit_signal, e };
	struct counts before, after;
	long long rules_before, rules_after;
	int attempt, status = -1;
	/* the probe process itself comes from glibc's fork(): a clone */
	long long want_allowed = (!e.rule && !e.linux_first) +
				 (op == OP_CLONE);
	long long want_denied = e.rule ? 1 : 0;

	for (attempt = 0; attempt < 3; attempt++) {
		counts_read(&before, op, e.rule);
		rules_before = all_rule_hits();
		status = cg_in_child(probe_call, &p);
		counts_read(&after, op, e.rule);
		rules_after = all_rule_hits();
		if (status == 0 && after.rule - before.rule == want_denied &&
		    rules_after - rules_before == want_denied &&
		    after.denied - before.denied == want_denied &&
		    after.allowed - before.allowed == want_allowed)
			return 0;
	}
	TH_LOG("%s flags 0x%llx: child status %d, rule %s +%lld, all rules +%lld, denied +%lld, allowed +%lld",
	       op_names[op], (unsigned long long)flags, status,
	       e.rule ? e.rule : "(none)", after.rule - before.rule,
	       rules_after - rules_before, after.denied - before.denied,
	       after.allowed - before.allowed);
	return -1;
}

FIXTURE(gate) {
};

FIXTURE_VARIANT(gate) {
	enum op op;
	int bits;
};

FIXTURE_VARIANT_ADD(gate, clone) { .op = OP_CLONE, .bits = 32 };
FIXTURE_VARIANT_ADD(gate, clone3) { .op = OP_CLONE3, .bits = 64 };
FIXTURE_VARIANT_ADD(gate, fork) { .op = OP_FORK, .bits = 0 };
FIXTURE_VARIANT_ADD(gate, vfork) { .op = OP_VFORK, .bits = 0 };
FIXTURE_VARIANT_ADD(gate, unshare) { .op = OP_UNSHARE,
				     .bits = 8 * sizeof(long) };

FIXTURE_SETUP(gate)
{
	if (!cg_loaded())
		SKIP(return, "clonegate is not loaded");
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
}

FIXTURE_TEARDOWN(gate)
{
	cg_policy("gvisor", "audit");
}

static struct expect expect_for(enum op op, int bit)
{
	switch (op) {
	case OP_CLONE:
		return clone_bit(bit);
	case OP_CLONE3:
		return clone3_bit(bit);
	case OP_UNSHARE:
		return unshare_bit(bit);
	default:
		return allow;
	}
}

static int exit_signal_for(enum op op, uint64_t flags)
{
	/* clone3 refuses an exit signal with CLONE_THREAD or CLONE_PARENT */
	if (op == OP_CLONE3 && (flags & (CLONE_THREAD | CLONE_PARENT)))
		return 0;
	return SIGCHLD;
}

/* Every flag bit alone, under gvisor + enforce. */
TEST_F(gate, each_flag_bit_gets_the_seeds_verdict)
{
	int bit, first = variant->op == OP_CLONE ? 8 : 0, failed = 0;

	if (!variant->bits) {
		ASSERT_EQ(0, check_call(_metadata, variant->op, 0, SIGCHLD,
					allow));
		return;
	}
	for (bit = first; bit < variant->bits; bit++) {
		uint64_t f = 1ULL << bit;

		if (check_call(_metadata, variant->op, f,
			       exit_signal_for(variant->op, f),
			       expect_for(variant->op, bit)))
			failed++;
	}
	ASSERT_EQ(0, failed);
}

/* Linux's own unshare(2) flags: any other bit is EINVAL on plain Linux. */
#define LINUX_UNSHARE_FLAGS (CLONE_THREAD | CLONE_FS | CLONE_NEWNS |	\
	CLONE_SIGHAND | CLONE_VM | CLONE_FILES | CLONE_SYSVSEM |	\
	CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |	\
	CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME)

/*
 * The same bits under permissive + enforce: clonegate denies nothing Linux
 * accepts. Its flag check stays on, so an unshare bit Linux does not know
 * is refused by clonegate with Linux's own EINVAL.
 */
TEST_F(gate, permissive_denies_nothing_linux_allows)
{
	int bit, first = variant->op == OP_CLONE ? 8 : 0, failed = 0;

	ASSERT_EQ(0, cg_policy("permissive", "enforce"));
	for (bit = first; bit < (variant->bits ? variant->bits : 1); bit++) {
		uint64_t f = variant->bits ? 1ULL << bit : 0;
		struct expect e = allow;

		if (variant->op == OP_UNSHARE && !(f & LINUX_UNSHARE_FLAGS))
			e = (struct expect){ "unsupported_flag", EINVAL, 0 };
		else if (variant->op == OP_CLONE3)
			e = clone3_bit(bit).linux_first ? clone3_bit(bit) :
							  allow;
		if (check_call(_metadata, variant->op, f,
			       exit_signal_for(variant->op, f), e))
			failed++;
	}
	ASSERT_EQ(0, failed);
}

static int unshare_new_cgroup_ns(void *arg)
{
	unsigned long ino = cg_ns_ino("cgroup");

	if (unshare(CLONE_NEWCGROUP))
		return 1;
	return cg_ns_ino("cgroup") == ino ? 2 : 0;
}

/* Under audit a call behaves as on plain Linux and is counted audited. */
TEST_F(gate, audit_counts_but_never_denies)
{
	struct counts before, after;
	struct result r;
	uint64_t f;

	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	switch (variant->op) {
	case OP_CLONE:
		f = 0;	/* exit signal 100: Linux takes it, gVisor does not */
		if (!cg_linux_takes(0, 0, 100))
			SKIP(return, "Linux refuses exit signal 100 itself");
		counts_read(&before, variant->op, "bad_exit_signal");
		r = call(OP_CLONE, f, 100);
		break;
	case OP_CLONE3:
		f = CLONE_NEWCGROUP;
		counts_read(&before, variant->op, "unsupported_flag");
		r = call(OP_CLONE3, f, SIGCHLD);
		break;
	case OP_UNSHARE:
		f = CLONE_NEWCGROUP;
		counts_read(&before, variant->op, "unsupported_flag");
		ASSERT_EQ(0, cg_in_child(unshare_new_cgroup_ns, NULL));
		counts_read(&after, variant->op, "unsupported_flag");
		EXPECT_EQ(before.rule + 1, after.rule);
		EXPECT_EQ(before.audited + 1, after.audited);
		EXPECT_EQ(before.denied, after.denied);
		return;
	default:
		/* fork and vfork take no flags: allowed, nothing audited */
		ASSERT_EQ(0, check_call(_metadata, variant->op, 0, SIGCHLD,
					allow));
		return;
	}
	ASSERT_GT(r.ret, 0) TH_LOG("errno %d", r.err);
	EXPECT_EQ(1, cg_reap_all());
	counts_read(&after, variant->op,
		    variant->op == OP_CLONE ? "bad_exit_signal" :
					      "unsupported_flag");
	EXPECT_EQ(before.rule + 1, after.rule);
	EXPECT_EQ(before.audited + 1, after.audited);
	EXPECT_EQ(before.denied, after.denied);
}

/* Under off nothing is decided: no verdict counter moves, calls do. */
TEST_F(gate, off_decides_nothing)
{
	struct counts before, after;
	long long rules_before, calls_before;
	const char *calls = variant->op == OP_UNSHARE ? "unshare_calls" :
							"clone_calls";
	struct probe p = { variant->op, 0, SIGCHLD, allow, 1 };

	ASSERT_EQ(0, cg_policy("gvisor", "off"));
	counts_read(&before, variant->op, NULL);
	rules_before = all_rule_hits();
	calls_before = cg_stat(calls);
	if (variant->op == OP_CLONE3 || variant->op == OP_UNSHARE)
		p.flags = CLONE_NEWCGROUP;
	ASSERT_EQ(0, cg_in_child(probe_call, &p));
	counts_read(&after, variant->op, NULL);
	EXPECT_EQ(before.allowed, after.allowed);
	EXPECT_EQ(before.denied, after.denied);
	EXPECT_EQ(before.audited, after.audited);
	EXPECT_EQ(rules_before, all_rule_hits());
	/* the probe's own fork is a clone-family call too */
	EXPECT_LE(calls_before + 1, cg_stat(calls));
}

/* --- every rule row, triggered by a real call ------------------------------ */

FIXTURE(rule) {
};

FIXTURE_SETUP(rule)
{
	if (!cg_loaded())
		SKIP(return, "clonegate is not loaded");
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
}

FIXTURE_TEARDOWN(rule)
{
	cg_policy("gvisor", "audit");
}

#define RULE(r, e) ((struct expect){ r, e, 0 })

TEST_F(rule, unsupported_flag_clone3_newcgroup)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE3, CLONE_NEWCGROUP, SIGCHLD,
				RULE("unsupported_flag", EINVAL)));
}

TEST_F(rule, unsupported_flag_unshare_newtime)
{
	ASSERT_EQ(0, check_call(_metadata, OP_UNSHARE, CLONE_NEWTIME, 0,
				RULE("unsupported_flag", EINVAL)));
}

TEST_F(rule, sighand_without_vm)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE, CLONE_SIGHAND, SIGCHLD,
				RULE("sighand_without_vm", EINVAL)));
}

TEST_F(rule, set_tid_is_not_supported)
{
	pid_t tid = 4000;
	struct counts before, after;
	struct cg_clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};
	long ret;

	counts_read(&before, OP_CLONE3, "set_tid");
	ret = cg_raw_clone3(&args, sizeof(args));
	counts_read(&after, OP_CLONE3, "set_tid");
	ASSERT_EQ(-EOPNOTSUPP, ret);
	ASSERT_TRUE(cg_no_children());
	ASSERT_EQ(before.rule + 1, after.rule);
	ASSERT_EQ(before.denied + 1, after.denied);
}

TEST_F(rule, thread_without_sighand)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE, CLONE_THREAD | CLONE_VM, 0,
				RULE("thread_without_sighand", EINVAL)));
}

#define THREAD_FLAGS (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)

TEST_F(rule, thread_newpid)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE,
				THREAD_FLAGS | CLONE_NEWPID, 0,
				RULE("thread_newpid", EINVAL)));
}

/* Run a check after unshare(CLONE_NEWPID) left a pid namespace pending. */
static int pending_then(void *arg)
{
	struct probe *p = arg;

	if (unshare(CLONE_NEWPID))
		return 10;
	return probe_call(p);
}

static void check_pending(struct __test_metadata *_metadata, uint64_t flags,
			  int exit_signal, const char *rule)
{
	struct probe p = { OP_CLONE, flags, exit_signal, RULE(rule, EINVAL) };
	long long before = cg_rule_hits(rule);

	ASSERT_EQ(0, cg_in_child(pending_then, &p));
	ASSERT_EQ(before + 1, cg_rule_hits(rule));
}

TEST_F(rule, thread_newpid_when_pid_namespace_pending)
{
	check_pending(_metadata, THREAD_FLAGS, 0, "thread_newpid");
}

TEST_F(rule, newpid_pending)
{
	check_pending(_metadata, CLONE_NEWPID, SIGCHLD, "newpid_pending");
}

TEST_F(rule, newuser_thread_fs)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE, CLONE_NEWUSER | CLONE_FS,
				SIGCHLD, RULE("newuser_thread_fs", EINVAL)));
}

TEST_F(rule, bad_exit_signal)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE, 0, 100,
				RULE("bad_exit_signal", EINVAL)));
}

TEST_F(rule, fs_newns)
{
	ASSERT_EQ(0, check_call(_metadata, OP_CLONE, CLONE_FS | CLONE_NEWNS,
				SIGCHLD, RULE("fs_newns", EINVAL)));
}

TEST_F(rule, unshare_vm_sighand)
{
	ASSERT_EQ(0, check_call(_metadata, OP_UNSHARE, CLONE_VM, 0,
				RULE("unshare_vm_sighand", EINVAL)));
	ASSERT_EQ(0, check_call(_metadata, OP_UNSHARE, CLONE_SIGHAND, 0,
				RULE("unshare_vm_sighand", EINVAL)));
}

static void *idle_thread(void *arg)
{
	pause();
	return NULL;
}

static int multithreaded_unshare_thread(void *arg)
{
	struct probe *p = arg;
	pthread_t t;

	if (pthread_create(&t, NULL, idle_thread, NULL))
		return 10;
	return probe_call(p);
}

TEST_F(rule, unshare_thread_multithreaded)
{
	struct probe p = { OP_UNSHARE, CLONE_THREAD, 0,
			   RULE("unshare_thread_multithreaded", EINVAL) };
	long long before = cg_rule_hits(p.e.rule);

	ASSERT_EQ(0, cg_in_child(multithreaded_unshare_thread, &p));
	ASSERT_EQ(before + 1, cg_rule_hits(p.e.rule));
}

TEST_F(rule, unshare_thread_single_threaded_is_allowed)
{
	ASSERT_EQ(0, check_call(_metadata, OP_UNSHARE, CLONE_THREAD, 0, allow));
}

static int chrooted_then(void *arg)
{
	struct probe *p = arg;

	mkdir("/tmp/jail", 0755);
	if (chroot("/tmp/jail") || chdir("/"))
		return 10;
	return probe_call(p);
}

/*
 * A chrooted caller's CLONE_NEWUSER is Linux's to refuse (create_user_ns(),
 * EPERM, as gVisor does): clonegate has no rule for it, allows and counts
 * the call, and no rule fires.
 */
TEST_F(rule, newuser_in_chroot_is_left_to_linux)
{
	struct probe clone_p = { OP_CLONE, CLONE_NEWUSER, SIGCHLD,
				 { NULL, EPERM, 1 } };
	struct probe unshare_p = { OP_UNSHARE, CLONE_NEWUSER, 0,
				   { NULL, EPERM, 1 } };
	long long rules = all_rule_hits();

	ASSERT_GE(rules, 0);
	ASSERT_EQ(0, cg_in_child(chrooted_then, &clone_p));
	ASSERT_EQ(0, cg_in_child(chrooted_then, &unshare_p));
	ASSERT_EQ(rules, all_rule_hits());
}

TEST_F(rule, newuser_outside_chroot_is_allowed)
{
	ASSERT_EQ(0, check_call(_metadata, OP_UNSHARE, CLONE_NEWUSER, 0,
				allow));
}

static int unprivileged_then(void *arg)
{
	struct probe *p = arg;

	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 10;
	return probe_call(p);
}

TEST_F(rule, ns_needs_cap)
{
	struct probe unshare_p = { OP_UNSHARE, CLONE_NEWUTS, 0,
				   RULE("ns_needs_cap", EPERM) };
	struct probe clone_p = { OP_CLONE, CLONE_NEWNET, SIGCHLD,
				 RULE("ns_needs_cap", EPERM) };
	struct probe mnt_p = { OP_UNSHARE, CLONE_NEWNS, 0,
			       RULE("ns_needs_cap", EPERM) };
	long long before = cg_rule_hits("ns_needs_cap");

	ASSERT_EQ(0, cg_in_child(unprivileged_then, &unshare_p));
	ASSERT_EQ(0, cg_in_child(unprivileged_then, &clone_p));
	ASSERT_EQ(0, cg_in_child(unprivileged_then, &mnt_p));
	ASSERT_EQ(before + 3, cg_rule_hits("ns_needs_cap"));
}

/* With the user namespace made first, the caller has the capability. */
TEST_F(rule, ns_with_newuser_needs_no_cap)
{
	struct probe p = { OP_UNSHARE, CLONE_NEWUSER | CLONE_NEWUTS, 0, allow,
			   1 };
	long long before = cg_rule_hits("ns_needs_cap");

	ASSERT_EQ(0, cg_in_child(unprivileged_then, &p));
	ASSERT_EQ(before, cg_rule_hits("ns_needs_cap"));
}

/* A disabled rule row lets its calls through to Linux. */
TEST_F(rule, disabled_rule_does_not_fire)
{
	long long before = cg_rule_hits("bad_exit_signal");
	struct result r;

	if (!cg_linux_takes(0, 0, 100))
		SKIP(return, "Linux refuses exit signal 100 itself");
	ASSERT_EQ(0, cg_write(CG "rules", "-bad_exit_signal\n"));
	r = call(OP_CLONE, 0, 100);
	cg_write(CG "rules", "+bad_exit_signal\n");
	ASSERT_GT(r.ret, 0);
	EXPECT_EQ(1, cg_reap_all());
	EXPECT_EQ(before, cg_rule_hits("bad_exit_signal"));
}

TEST_HARNESS_MAIN
