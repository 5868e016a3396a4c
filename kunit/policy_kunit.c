// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for clonegate's policy: the rule table, the profiles and the
 * facts a decision reads.
 *
 * module/policy.c is compiled into this file, so the tests see its static
 * rule table and share no object with clonegate.ko.
 *
 * Suites:
 *   clonegate_policy   clonegate_decide() against every rule row
 *   clonegate_flags    every flag bit, 0 to 63, under both profiles
 *   clonegate_needs    clonegate_call_needs()
 *   clonegate_profile  clonegate_policy_init() and the names tables
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "../module/policy.c"

#define F_CHROOT	CLONEGATE_FACT_CHROOTED
#define F_SINGLE	CLONEGATE_FACT_SINGLE_THREADED
#define F_PENDING	CLONEGATE_FACT_PIDNS_PENDING
#define F_CAP		CLONEGATE_FACT_CAP_SYS_ADMIN
#define F_ALL		(F_CHROOT | F_SINGLE | F_PENDING | F_CAP)

/* What pthread_create() passes to clone(). */
#define PTHREAD_FLAGS							\
	((u64)(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |	\
	       CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |		\
	       CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID))

/* The namespaces whose creation needs CAP_SYS_ADMIN without a new userns. */
#define NS_CAP_CLONE	((u64)(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | \
			       CLONE_NEWIPC))
#define NS_CAP_UNSHARE	(NS_CAP_CLONE | CLONE_NEWNS)

static const enum clonegate_op clone_family[] = {
	CLONEGATE_OP_CLONE, CLONEGATE_OP_CLONE3, CLONEGATE_OP_FORK,
	CLONEGATE_OP_VFORK,
};

static const enum clonegate_op all_ops[] = {
	CLONEGATE_OP_CLONE, CLONEGATE_OP_CLONE3, CLONEGATE_OP_FORK,
	CLONEGATE_OP_VFORK, CLONEGATE_OP_UNSHARE,
};

static bool is_clone_family(enum clonegate_op op)
{
	return op != CLONEGATE_OP_UNSHARE;
}

/* ---- clonegate_policy: the decision against every rule row ------------ */

/**
 * struct decide_row - one call and what the policy says about it
 * @name: what the row shows; also the parameter's description
 * @profile: the profile the policy is built from (gvisor by default)
 * @disable: rule bits switched off in that policy
 * @op: the call
 * @flags: its flags
 * @exit_signal: its exit signal
 * @set_tid_size: its set_tid array size
 * @facts: the caller facts
 * @err: the errno expected (0 to allow)
 * @rule: the rule expected to fire, or CLONEGATE_RULE_NONE
 */
struct decide_row {
	const char *name;
	enum clonegate_profile profile;
	u32 disable;
	enum clonegate_op op;
	u64 flags;
	int exit_signal;
	u64 set_tid_size;
	u32 facts;
	int err;
	enum clonegate_rule rule;
};

#define ALLOW		.err = 0, .rule = CLONEGATE_RULE_NONE
#define DENY(r, e)	.err = -(e), .rule = CLONEGATE_RULE_##r
#define OP(o)		.op = CLONEGATE_OP_##o
#define RULE(r)		BIT(CLONEGATE_RULE_##r)

static const struct decide_row decide_table[] = {
	/* unsupported_flag */
	{ "unsupported_flag_clone_newcgroup", OP(CLONE),
	  .flags = CLONE_NEWCGROUP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_pidfd", OP(CLONE3),
	  .flags = CLONE_PIDFD, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_into_cgroup", OP(CLONE3),
	  .flags = CLONE_INTO_CGROUP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_clear_sighand", OP(CLONE3),
	  .flags = CLONE_CLEAR_SIGHAND, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_fork_undefined_bit", OP(FORK),
	  .flags = BIT_ULL(40), DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_unshare_newtime", OP(UNSHARE),
	  .flags = CLONE_NEWTIME, .facts = F_CAP,
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_unshare_newcgroup", OP(UNSHARE),
	  .flags = CLONE_NEWCGROUP, .facts = F_CAP,
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_unshare_clone_only_flag", OP(UNSHARE),
	  .flags = CLONE_PARENT, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_near_miss_pthread", OP(CLONE),
	  .flags = PTHREAD_FLAGS, ALLOW },
	{ "unsupported_flag_near_miss_unshare_gvisor_set", OP(UNSHARE),
	  .flags = CLONE_FS | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWNS |
		   CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID,
	  .facts = F_CAP, ALLOW },

	/* sighand_without_vm */
	{ "sighand_without_vm_fires", OP(CLONE),
	  .flags = CLONE_SIGHAND, DENY(SIGHAND_WITHOUT_VM, EINVAL) },
	{ "sighand_without_vm_fires_vfork", OP(VFORK),
	  .flags = CLONE_SIGHAND | CLONE_VFORK,
	  DENY(SIGHAND_WITHOUT_VM, EINVAL) },
	{ "sighand_without_vm_near_miss_with_vm", OP(CLONE),
	  .flags = CLONE_SIGHAND | CLONE_VM, ALLOW },

	/* set_tid */
	{ "set_tid_fires", OP(CLONE3), .set_tid_size = 1,
	  DENY(SET_TID, EOPNOTSUPP) },
	{ "set_tid_near_miss_empty", OP(CLONE3), .set_tid_size = 0, ALLOW },

	/* thread_without_sighand */
	{ "thread_without_sighand_fires", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_VM,
	  DENY(THREAD_WITHOUT_SIGHAND, EINVAL) },
	{ "thread_without_sighand_near_miss", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM, ALLOW },

	/* thread_newpid */
	{ "thread_newpid_fires_flag", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID,
	  .facts = F_CAP, DENY(THREAD_NEWPID, EINVAL) },
	{ "thread_newpid_fires_pending", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
	  .facts = F_PENDING, DENY(THREAD_NEWPID, EINVAL) },
	{ "thread_newpid_near_miss_not_pending", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
	  .facts = F_CHROOT | F_CAP, ALLOW },

	/* newpid_pending */
	{ "newpid_pending_fires", OP(CLONE), .flags = CLONE_NEWPID,
	  .facts = F_PENDING | F_CAP, DENY(NEWPID_PENDING, EINVAL) },
	{ "newpid_pending_near_miss_not_pending", OP(CLONE3),
	  .flags = CLONE_NEWPID, .facts = F_CAP, ALLOW },
	{ "newpid_pending_near_miss_pending_fork", OP(FORK),
	  .facts = F_PENDING, ALLOW },

	/* newuser_thread_fs */
	{ "newuser_thread_fs_fires_fs", OP(CLONE),
	  .flags = CLONE_NEWUSER | CLONE_FS, DENY(NEWUSER_THREAD_FS, EINVAL) },
	{ "newuser_thread_fs_fires_thread", OP(CLONE),
	  .flags = CLONE_NEWUSER | CLONE_THREAD | CLONE_SIGHAND | CLONE_VM,
	  DENY(NEWUSER_THREAD_FS, EINVAL) },
	{ "newuser_thread_fs_near_miss_files", OP(CLONE),
	  .flags = CLONE_NEWUSER | CLONE_FILES, ALLOW },

	/* bad_exit_signal */
	{ "bad_exit_signal_fires_above_nsig", OP(CLONE3),
	  .exit_signal = _NSIG + 1, DENY(BAD_EXIT_SIGNAL, EINVAL) },
	{ "bad_exit_signal_fires_negative", OP(CLONE),
	  .exit_signal = -1, DENY(BAD_EXIT_SIGNAL, EINVAL) },
	{ "bad_exit_signal_near_miss_nsig", OP(CLONE3),
	  .exit_signal = _NSIG, ALLOW },
	{ "bad_exit_signal_near_miss_sigchld", OP(FORK),
	  .exit_signal = SIGCHLD, ALLOW },

	/* fs_newns */
	{ "fs_newns_fires", OP(CLONE), .flags = CLONE_FS | CLONE_NEWNS,
	  .facts = F_CAP, DENY(FS_NEWNS, EINVAL) },
	{ "fs_newns_near_miss_newns_alone", OP(CLONE),
	  .flags = CLONE_NEWNS, ALLOW },
	{ "fs_newns_near_miss_fs_alone", OP(CLONE), .flags = CLONE_FS,
	  ALLOW },

	/* unshare_vm_sighand */
	{ "unshare_vm_sighand_fires_vm", OP(UNSHARE), .flags = CLONE_VM,
	  DENY(UNSHARE_VM_SIGHAND, EINVAL) },
	{ "unshare_vm_sighand_fires_sighand", OP(UNSHARE),
	  .flags = CLONE_SIGHAND, DENY(UNSHARE_VM_SIGHAND, EINVAL) },
	{ "unshare_vm_sighand_near_miss_files", OP(UNSHARE),
	  .flags = CLONE_FILES | CLONE_FS | CLONE_SYSVSEM, ALLOW },

	/* unshare_thread_multithreaded */
	{ "unshare_thread_multithreaded_fires", OP(UNSHARE),
	  .flags = CLONE_THREAD, DENY(UNSHARE_THREAD_MULTITHREADED, EINVAL) },
	{ "unshare_thread_multithreaded_near_miss_single", OP(UNSHARE),
	  .flags = CLONE_THREAD, .facts = F_SINGLE, ALLOW },

	/* newuser_chroot */
	{ "newuser_chroot_fires_clone", OP(CLONE), .flags = CLONE_NEWUSER,
	  .facts = F_CHROOT, DENY(NEWUSER_CHROOT, EPERM) },
	{ "newuser_chroot_fires_unshare", OP(UNSHARE),
	  .flags = CLONE_NEWUSER, .facts = F_CHROOT | F_CAP,
	  DENY(NEWUSER_CHROOT, EPERM) },
	{ "newuser_chroot_near_miss_not_chrooted", OP(CLONE),
	  .flags = CLONE_NEWUSER, ALLOW },

	/* ns_needs_cap */
	{ "ns_needs_cap_fires_newnet", OP(CLONE), .flags = CLONE_NEWNET,
	  DENY(NS_NEEDS_CAP, EPERM) },
	{ "ns_needs_cap_fires_newuts", OP(CLONE3), .flags = CLONE_NEWUTS,
	  DENY(NS_NEEDS_CAP, EPERM) },
	{ "ns_needs_cap_fires_newipc", OP(FORK), .flags = CLONE_NEWIPC,
	  DENY(NS_NEEDS_CAP, EPERM) },
	{ "ns_needs_cap_fires_newpid", OP(CLONE), .flags = CLONE_NEWPID,
	  DENY(NS_NEEDS_CAP, EPERM) },
	{ "ns_needs_cap_fires_unshare_newns", OP(UNSHARE),
	  .flags = CLONE_NEWNS, DENY(NS_NEEDS_CAP, EPERM) },
	{ "ns_needs_cap_near_miss_cap", OP(CLONE), .flags = NS_CAP_CLONE,
	  .facts = F_CAP, ALLOW },
	{ "ns_needs_cap_near_miss_newuser", OP(CLONE),
	  .flags = NS_CAP_CLONE | CLONE_NEWUSER, ALLOW },
	{ "ns_needs_cap_near_miss_unshare_newuser", OP(UNSHARE),
	  .flags = NS_CAP_UNSHARE | CLONE_NEWUSER, ALLOW },
	{ "ns_needs_cap_near_miss_clone_newns", OP(CLONE),
	  .flags = CLONE_NEWNS, ALLOW },

	/* the first matching row decides */
	{ "order_unsupported_flag_before_sighand_without_vm", OP(CLONE),
	  .flags = CLONE_SIGHAND | CLONE_NEWCGROUP,
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "order_sighand_without_vm_before_set_tid", OP(CLONE3),
	  .flags = CLONE_SIGHAND, .set_tid_size = 1,
	  DENY(SIGHAND_WITHOUT_VM, EINVAL) },
	{ "order_set_tid_before_thread_without_sighand", OP(CLONE3),
	  .flags = CLONE_THREAD | CLONE_VM, .set_tid_size = 1,
	  DENY(SET_TID, EOPNOTSUPP) },
	{ "order_thread_without_sighand_before_thread_newpid", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_VM | CLONE_NEWPID, .facts = F_CAP,
	  DENY(THREAD_WITHOUT_SIGHAND, EINVAL) },
	{ "order_thread_newpid_before_newpid_pending", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID,
	  .facts = F_PENDING | F_CAP, DENY(THREAD_NEWPID, EINVAL) },
	{ "order_newpid_pending_before_newuser_thread_fs", OP(CLONE),
	  .flags = CLONE_NEWPID | CLONE_NEWUSER | CLONE_FS,
	  .facts = F_PENDING, DENY(NEWPID_PENDING, EINVAL) },
	{ "order_newuser_thread_fs_before_bad_exit_signal", OP(CLONE),
	  .flags = CLONE_NEWUSER | CLONE_FS, .exit_signal = _NSIG + 1,
	  DENY(NEWUSER_THREAD_FS, EINVAL) },
	{ "order_bad_exit_signal_before_fs_newns", OP(CLONE),
	  .flags = CLONE_FS | CLONE_NEWNS, .exit_signal = _NSIG + 1,
	  .facts = F_CAP, DENY(BAD_EXIT_SIGNAL, EINVAL) },
	{ "order_bad_exit_signal_before_newuser_chroot", OP(CLONE),
	  .flags = CLONE_NEWUSER, .exit_signal = -1, .facts = F_CHROOT,
	  DENY(BAD_EXIT_SIGNAL, EINVAL) },
	{ "order_fs_newns_before_ns_needs_cap", OP(CLONE),
	  .flags = CLONE_FS | CLONE_NEWNS | CLONE_NEWNET,
	  DENY(FS_NEWNS, EINVAL) },
	{ "order_unsupported_flag_before_unshare_vm_sighand", OP(UNSHARE),
	  .flags = CLONE_VM | CLONE_NEWCGROUP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "order_unshare_vm_sighand_before_multithreaded", OP(UNSHARE),
	  .flags = CLONE_VM | CLONE_THREAD,
	  DENY(UNSHARE_VM_SIGHAND, EINVAL) },
	{ "order_multithreaded_before_newuser_chroot", OP(UNSHARE),
	  .flags = CLONE_THREAD | CLONE_NEWUSER, .facts = F_CHROOT,
	  DENY(UNSHARE_THREAD_MULTITHREADED, EINVAL) },
	{ "order_newuser_chroot_before_ns_needs_cap", OP(UNSHARE),
	  .flags = CLONE_NEWUSER | CLONE_NEWNET, .facts = F_CHROOT,
	  DENY(NEWUSER_CHROOT, EPERM) },

	/* switched-off rows never fire; the next one that matches decides */
	{ "disabled_unsupported_flag_allows", OP(CLONE),
	  .disable = RULE(UNSUPPORTED_FLAG), .flags = CLONE_NEWCGROUP, ALLOW },
	{ "disabled_unsupported_flag_next_row", OP(CLONE),
	  .disable = RULE(UNSUPPORTED_FLAG),
	  .flags = CLONE_SIGHAND | CLONE_NEWCGROUP,
	  DENY(SIGHAND_WITHOUT_VM, EINVAL) },
	{ "disabled_set_tid_allows", OP(CLONE3), .disable = RULE(SET_TID),
	  .set_tid_size = 3, ALLOW },
	{ "disabled_thread_newpid_next_row", OP(CLONE),
	  .disable = RULE(THREAD_NEWPID),
	  .flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | CLONE_NEWPID,
	  .facts = F_PENDING | F_CAP, DENY(NEWPID_PENDING, EINVAL) },
	{ "disabled_ns_needs_cap_allows", OP(UNSHARE),
	  .disable = RULE(NS_NEEDS_CAP), .flags = NS_CAP_UNSHARE, ALLOW },
	{ "disabled_newuser_chroot_allows", OP(UNSHARE),
	  .disable = RULE(NEWUSER_CHROOT), .flags = CLONE_NEWUSER,
	  .facts = F_CHROOT, ALLOW },
	{ "disabled_every_rule_allows", OP(CLONE3),
	  .disable = CLONEGATE_RULES_ALL,
	  .flags = CLONE_SIGHAND | CLONE_NEWCGROUP | CLONE_THREAD |
		   CLONE_NEWPID | BIT_ULL(50),
	  .exit_signal = -1, .set_tid_size = 2, .facts = F_PENDING, ALLOW },

	/* a fact changes only the rows that read it */
	{ "fact_chrooted_ignored_without_newuser", OP(CLONE),
	  .flags = CLONE_NEWNET, .facts = F_CHROOT, DENY(NS_NEEDS_CAP, EPERM) },
	{ "fact_chrooted_plain_fork", OP(FORK), .facts = F_CHROOT, ALLOW },
	{ "fact_single_threaded_ignored_by_clone", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_VM, .facts = F_SINGLE,
	  DENY(THREAD_WITHOUT_SIGHAND, EINVAL) },
	{ "fact_single_threaded_unshare_without_thread", OP(UNSHARE),
	  .flags = CLONE_NEWNET, .facts = F_SINGLE,
	  DENY(NS_NEEDS_CAP, EPERM) },
	{ "fact_pidns_pending_ignored_by_unshare", OP(UNSHARE),
	  .flags = CLONE_NEWPID, .facts = F_PENDING | F_CAP, ALLOW },
	{ "fact_cap_ignored_by_other_rows", OP(CLONE),
	  .flags = CLONE_NEWUSER, .facts = F_CHROOT | F_CAP,
	  DENY(NEWUSER_CHROOT, EPERM) },
	{ "fact_all_set_plain_vfork", OP(VFORK),
	  .flags = CLONE_VM | CLONE_VFORK, .facts = F_ALL, ALLOW },

	/* clone rows never fire for unshare, unshare rows never for clone */
	{ "ops_unshare_vm_sighand_not_for_clone", OP(CLONE),
	  .flags = CLONE_VM, ALLOW },
	{ "ops_multithreaded_not_for_clone", OP(CLONE),
	  .flags = PTHREAD_FLAGS, ALLOW },
	{ "ops_sighand_without_vm_not_for_unshare", OP(UNSHARE),
	  .flags = CLONE_SIGHAND, DENY(UNSHARE_VM_SIGHAND, EINVAL) },
	{ "ops_thread_without_sighand_not_for_unshare", OP(UNSHARE),
	  .flags = CLONE_THREAD, .facts = F_SINGLE, ALLOW },
	{ "ops_set_tid_not_for_unshare", OP(UNSHARE), .set_tid_size = 1,
	  ALLOW },
	{ "ops_bad_exit_signal_not_for_unshare", OP(UNSHARE),
	  .exit_signal = _NSIG + 1, ALLOW },
	{ "ops_fs_newns_not_for_unshare", OP(UNSHARE),
	  .flags = CLONE_FS | CLONE_NEWNS, .facts = F_CAP, ALLOW },
	{ "ops_newuser_thread_fs_not_for_unshare", OP(UNSHARE),
	  .flags = CLONE_NEWUSER | CLONE_FS, ALLOW },
	{ "ops_newpid_pending_not_for_unshare", OP(UNSHARE),
	  .flags = CLONE_NEWPID, .facts = F_PENDING | F_CAP, ALLOW },

	/* permissive keeps only the flag check, against Linux's own flags */
	{ "permissive_clone_anything", .profile = CLONEGATE_PROFILE_PERMISSIVE,
	  OP(CLONE3), .flags = CLONE_SIGHAND | CLONE_NEWCGROUP | CLONE_NEWTIME |
	  CLONE_THREAD | CLONE_NEWPID | CLONE_NEWUSER | CLONE_FS,
	  .exit_signal = -1, .set_tid_size = 1, .facts = F_CHROOT | F_PENDING,
	  ALLOW },
	{ "permissive_unshare_anything",
	  .profile = CLONEGATE_PROFILE_PERMISSIVE, OP(UNSHARE),
	  .flags = CLONE_VM | CLONE_THREAD | CLONE_NEWNS | CLONE_NEWCGROUP |
		   CLONE_NEWUSER, .facts = F_CHROOT, ALLOW },
	{ "permissive_undefined_bit", .profile = CLONEGATE_PROFILE_PERMISSIVE,
	  OP(CLONE3), .flags = CLONE_VM | BIT_ULL(34),
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "permissive_unshare_clone_only_flag",
	  .profile = CLONEGATE_PROFILE_PERMISSIVE, OP(UNSHARE),
	  .flags = CLONE_NEWNS | CLONE_PIDFD, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "permissive_without_flag_check", .profile = CLONEGATE_PROFILE_PERMISSIVE,
	  .disable = RULE(UNSUPPORTED_FLAG), OP(CLONE),
	  .flags = BIT_ULL(63) | BIT_ULL(0), ALLOW },
};

static void decide_row_desc(const struct decide_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(decide_table, decide_table, decide_row_desc);

static void row_policy(const struct decide_row *row,
		       struct clonegate_policy *p)
{
	clonegate_policy_init(p, row->profile, CLONEGATE_MODE_ENFORCE);
	p->rules &= ~row->disable;
}

static struct clonegate_call row_call(const struct decide_row *row)
{
	struct clonegate_call call = {
		.op = row->op,
		.flags = row->flags,
		.exit_signal = row->exit_signal,
		.set_tid_size = row->set_tid_size,
		.facts = row->facts,
	};

	return call;
}

static void decide_rule_rows(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_policy p;
	struct clonegate_call call = row_call(row);
	struct clonegate_verdict v;

	row_policy(row, &p);
	v = clonegate_decide(&p, &call);
	KUNIT_EXPECT_EQ_MSG(test, v.err, row->err, "%s", row->name);
	KUNIT_EXPECT_STREQ_MSG(test, clonegate_rule_name(v.rule),
			       clonegate_rule_name(row->rule), "%s", row->name);
	/* the verdict carries the errno of its rule, and 0 with no rule */
	KUNIT_EXPECT_EQ(test, v.err, clonegate_rule_errno(v.rule));
}

/* Every row is covered by at least one row of decide_table that fires it. */
static void decide_every_rule_has_a_firing_row(struct kunit *test)
{
	u32 fired = 0;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++)
		if (decide_table[i].rule != CLONEGATE_RULE_NONE)
			fired |= BIT(decide_table[i].rule);
	KUNIT_EXPECT_EQ(test, fired, (u32)CLONEGATE_RULES_ALL);
}

/* A firing row fires on its own, with every other row switched off. */
static void decide_rule_fires_alone(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++) {
		const struct decide_row *row = &decide_table[i];
		struct clonegate_call call = row_call(row);
		struct clonegate_policy p;
		struct clonegate_verdict v;

		if (row->rule == CLONEGATE_RULE_NONE)
			continue;
		row_policy(row, &p);
		p.rules = BIT(row->rule);
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ_MSG(test, v.rule, row->rule, "%s", row->name);
		KUNIT_EXPECT_EQ_MSG(test, v.err, row->err, "%s", row->name);
	}
}

/* A switched-off row never fires, whatever the call. */
static void decide_disabled_rule_never_fires(struct kunit *test)
{
	size_t i;
	int r;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++) {
		const struct decide_row *row = &decide_table[i];
		struct clonegate_call call = row_call(row);
		struct clonegate_policy p;
		struct clonegate_verdict v;

		for (r = 0; r < CLONEGATE_RULE_COUNT; r++) {
			row_policy(row, &p);
			p.rules &= ~BIT(r);
			v = clonegate_decide(&p, &call);
			KUNIT_EXPECT_NE_MSG(test, v.rule, (enum clonegate_rule)r,
					    "%s without %s", row->name,
					    clonegate_rule_name(r));
		}
		row_policy(row, &p);
		p.rules = 0;
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ_MSG(test, v.err, 0, "%s, no rules", row->name);
		KUNIT_EXPECT_EQ_MSG(test, v.rule, CLONEGATE_RULE_NONE,
				    "%s, no rules", row->name);
	}
}

/* Clone, clone3, fork and vfork are one family: same call, same verdict. */
static void decide_clone_family_agrees(struct kunit *test)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++) {
		const struct decide_row *row = &decide_table[i];
		struct clonegate_call call = row_call(row);
		struct clonegate_policy p;
		struct clonegate_verdict v;

		if (!is_clone_family(row->op))
			continue;
		row_policy(row, &p);
		for (j = 0; j < ARRAY_SIZE(clone_family); j++) {
			call.op = clone_family[j];
			v = clonegate_decide(&p, &call);
			KUNIT_EXPECT_EQ_MSG(test, v.rule, row->rule, "%s as %s",
					    row->name,
					    clonegate_op_names[call.op]);
			KUNIT_EXPECT_EQ_MSG(test, v.err, row->err, "%s as %s",
					    row->name,
					    clonegate_op_names[call.op]);
		}
	}
}

/*
 * Whatever the call and the op it is replayed as, the row that fires is
 * one that applies to that op: clone rows never decide an unshare, unshare
 * rows never decide a clone.
 */
static void decide_rule_only_for_its_ops(struct kunit *test)
{
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++) {
		const struct decide_row *row = &decide_table[i];
		struct clonegate_call call = row_call(row);
		struct clonegate_policy p;
		struct clonegate_verdict v;

		row_policy(row, &p);
		for (j = 0; j < ARRAY_SIZE(all_ops); j++) {
			call.op = all_ops[j];
			v = clonegate_decide(&p, &call);
			if (v.rule == CLONEGATE_RULE_NONE)
				continue;
			KUNIT_EXPECT_TRUE_MSG(test,
					      rules[v.rule].ops & BIT(call.op),
					      "%s as %s: %s fired", row->name,
					      clonegate_op_names[call.op],
					      clonegate_rule_name(v.rule));
		}
	}
}

/* The verdict says what enforce would do: the mode does not change it. */
static void decide_ignores_mode(struct kunit *test)
{
	size_t i;
	int m;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++) {
		const struct decide_row *row = &decide_table[i];
		struct clonegate_call call = row_call(row);
		struct clonegate_policy p;
		struct clonegate_verdict v;

		for (m = 0; m < CLONEGATE_MODE_COUNT; m++) {
			row_policy(row, &p);
			p.mode = m;
			v = clonegate_decide(&p, &call);
			KUNIT_EXPECT_EQ_MSG(test, v.err, row->err, "%s in %s",
					    row->name, clonegate_mode_names[m]);
		}
	}
}

/* The policy and the call are read, never written. */
static void decide_leaves_inputs_alone(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(decide_table); i++) {
		const struct decide_row *row = &decide_table[i];
		struct clonegate_call call = row_call(row), before;
		struct clonegate_policy p, pbefore;

		row_policy(row, &p);
		before = call;
		pbefore = p;
		clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&call, &before, sizeof(call)),
				    0, "%s", row->name);
		KUNIT_EXPECT_EQ_MSG(test, memcmp(&p, &pbefore, sizeof(p)), 0,
				    "%s", row->name);
	}
}

/*
 * clonegate_decide() skips a row for a call with none of the row's "when"
 * flags, without asking its predicate: that is only right if the predicate
 * would have said no. Ask each predicate directly, for every single flag,
 * every decide_table call and every facts, under both profiles.
 */
static void check_when(struct kunit *test, const struct clonegate_call *c)
{
	enum clonegate_profile prof;
	int r;

	for (prof = 0; prof < CLONEGATE_PROFILE_CUSTOM; prof++) {
		struct clonegate_policy p;

		clonegate_policy_init(&p, prof, CLONEGATE_MODE_ENFORCE);
		for (r = 0; r < CLONEGATE_RULE_COUNT; r++) {
			if (!rules[r].when || (c->flags & rules[r].when) ||
			    !(rules[r].ops & BIT(c->op)))
				continue;
			KUNIT_EXPECT_FALSE_MSG(test, rules[r].match(&p, c),
					       "%s matches %s %#llx facts %#x",
					       rules[r].name,
					       clonegate_op_names[c->op],
					       c->flags, c->facts);
		}
	}
}

static void decide_skipped_rows_never_match(struct kunit *test)
{
	struct clonegate_call c = { .exit_signal = SIGCHLD };
	unsigned int bit;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		c.op = all_ops[i];
		for (c.facts = 0; c.facts <= F_ALL; c.facts++) {
			c.flags = 0;
			check_when(test, &c);
			for (bit = 0; bit < 64; bit++) {
				c.flags = BIT_ULL(bit);
				check_when(test, &c);
			}
		}
	}
	for (j = 0; j < ARRAY_SIZE(decide_table); j++) {
		c = row_call(&decide_table[j]);
		for (c.facts = 0; c.facts <= F_ALL; c.facts++)
			check_when(test, &c);
	}
}

static struct kunit_case clonegate_policy_cases[] = {
	KUNIT_CASE_PARAM(decide_rule_rows, decide_table_gen_params),
	KUNIT_CASE(decide_every_rule_has_a_firing_row),
	KUNIT_CASE(decide_rule_fires_alone),
	KUNIT_CASE(decide_disabled_rule_never_fires),
	KUNIT_CASE(decide_clone_family_agrees),
	KUNIT_CASE(decide_rule_only_for_its_ops),
	KUNIT_CASE(decide_ignores_mode),
	KUNIT_CASE(decide_leaves_inputs_alone),
	KUNIT_CASE(decide_skipped_rows_never_match),
	{}
};

static struct kunit_suite clonegate_policy_suite = {
	.name = "clonegate_policy",
	.test_cases = clonegate_policy_cases,
};

/* ---- clonegate_flags: every bit, 0 to 63 ------------------------------ */

static const unsigned int flag_bits[] = {
	0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15,
	16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31,
	32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47,
	48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63,
};

static_assert(ARRAY_SIZE(flag_bits) == 64);

static void flag_bit_desc(const unsigned int *bit, char *desc)
{
	const char *name = clonegate_flag_name(*bit);

	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "bit%u_%s", *bit,
		 name ? name : "undefined");
}

KUNIT_ARRAY_PARAM(flag_bits, flag_bits, flag_bit_desc);

static struct clonegate_verdict decide_one(enum clonegate_profile profile,
					   enum clonegate_op op, u64 flags,
					   u32 facts)
{
	struct clonegate_policy p;
	struct clonegate_call call = {
		.op = op, .flags = flags, .exit_signal = SIGCHLD,
		.facts = facts,
	};

	clonegate_policy_init(&p, profile, CLONEGATE_MODE_ENFORCE);
	return clonegate_decide(&p, &call);
}

static void expect_verdict(struct kunit *test, struct clonegate_verdict v,
			   int err, enum clonegate_rule rule, const char *what)
{
	KUNIT_EXPECT_EQ_MSG(test, v.err, err, "%s", what);
	KUNIT_EXPECT_STREQ_MSG(test, clonegate_rule_name(v.rule),
			       clonegate_rule_name(rule), "%s", what);
}

/*
 * Under gvisor a single clone flag is denied by unsupported_flag unless
 * gVisor supports it; of the supported ones, sighand and thread alone are
 * malformed, and the namespaces of NS_CAP_CLONE need the capability.
 */
static void decide_clone_bit_gvisor(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	u64 flag = BIT_ULL(bit);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(clone_family); i++) {
		enum clonegate_op op = clone_family[i];
		const char *what = clonegate_op_names[op];
		struct clonegate_verdict cap, nocap;

		cap = decide_one(CLONEGATE_PROFILE_GVISOR, op, flag, F_CAP);
		nocap = decide_one(CLONEGATE_PROFILE_GVISOR, op, flag, 0);
		if (!(flag & CLONEGATE_GVISOR_CLONE_FLAGS)) {
			expect_verdict(test, cap, -EINVAL,
				       CLONEGATE_RULE_UNSUPPORTED_FLAG, what);
			expect_verdict(test, nocap, -EINVAL,
				       CLONEGATE_RULE_UNSUPPORTED_FLAG, what);
		} else if (flag == CLONE_SIGHAND) {
			expect_verdict(test, cap, -EINVAL,
				       CLONEGATE_RULE_SIGHAND_WITHOUT_VM, what);
		} else if (flag == CLONE_THREAD) {
			expect_verdict(test, cap, -EINVAL,
				       CLONEGATE_RULE_THREAD_WITHOUT_SIGHAND,
				       what);
		} else {
			expect_verdict(test, cap, 0, CLONEGATE_RULE_NONE, what);
			if (flag & NS_CAP_CLONE)
				expect_verdict(test, nocap, -EPERM,
					       CLONEGATE_RULE_NS_NEEDS_CAP,
					       what);
			else
				expect_verdict(test, nocap, 0,
					       CLONEGATE_RULE_NONE, what);
		}
	}
}

static void decide_unshare_bit_gvisor(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	u64 flag = BIT_ULL(bit);
	struct clonegate_verdict ok, none;

	ok = decide_one(CLONEGATE_PROFILE_GVISOR, CLONEGATE_OP_UNSHARE, flag,
			F_CAP | F_SINGLE);
	none = decide_one(CLONEGATE_PROFILE_GVISOR, CLONEGATE_OP_UNSHARE, flag,
			  0);
	if (!(flag & CLONEGATE_GVISOR_UNSHARE_FLAGS)) {
		expect_verdict(test, ok, -EINVAL,
			       CLONEGATE_RULE_UNSUPPORTED_FLAG, "cap, single");
		expect_verdict(test, none, -EINVAL,
			       CLONEGATE_RULE_UNSUPPORTED_FLAG, "no facts");
	} else if (flag & (CLONE_VM | CLONE_SIGHAND)) {
		expect_verdict(test, ok, -EINVAL,
			       CLONEGATE_RULE_UNSHARE_VM_SIGHAND, "cap, single");
	} else {
		expect_verdict(test, ok, 0, CLONEGATE_RULE_NONE, "cap, single");
		if (flag == CLONE_THREAD)
			expect_verdict(test, none, -EINVAL,
				       CLONEGATE_RULE_UNSHARE_THREAD_MULTITHREADED,
				       "no facts");
		else if (flag & NS_CAP_UNSHARE)
			expect_verdict(test, none, -EPERM,
				       CLONEGATE_RULE_NS_NEEDS_CAP, "no facts");
		else
			expect_verdict(test, none, 0, CLONEGATE_RULE_NONE,
				       "no facts");
	}
}

/*
 * Permissive allows every flag Linux defines for the call, whatever the
 * facts: it keeps only the flag check, which refuses the bits Linux does
 * not define for it (as the kernel would, after the hook).
 */
static void decide_bit_permissive(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	u64 flag = BIT_ULL(bit);
	size_t i;
	u32 facts;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		enum clonegate_op op = all_ops[i];
		u64 linux_set = is_clone_family(op) ?
				CLONEGATE_LINUX_FLAGS :
				CLONEGATE_LINUX_UNSHARE_FLAGS;

		for (facts = 0; facts <= F_ALL; facts++) {
			struct clonegate_verdict v;
			char what[48];

			snprintf(what, sizeof(what), "%s, facts %#x",
				 clonegate_op_names[op], facts);
			v = decide_one(CLONEGATE_PROFILE_PERMISSIVE, op, flag,
				       facts);
			if (flag & linux_set)
				expect_verdict(test, v, 0, CLONEGATE_RULE_NONE,
					       what);
			else
				expect_verdict(test, v, -EINVAL,
					       CLONEGATE_RULE_UNSUPPORTED_FLAG,
					       what);
		}
	}
}

/* The flag names are ABI: the flag files show them and take them. */
static const char *const abi_flag_names[64] = {
	[7] = "newtime",	[8] = "vm",		[9] = "fs",
	[10] = "files",		[11] = "sighand",	[12] = "pidfd",
	[13] = "ptrace",	[14] = "vfork",		[15] = "parent",
	[16] = "thread",	[17] = "newns",		[18] = "sysvsem",
	[19] = "settls",	[20] = "parent_settid",	[21] = "child_cleartid",
	[22] = "detached",	[23] = "untraced",	[24] = "child_settid",
	[25] = "newcgroup",	[26] = "newuts",	[27] = "newipc",
	[28] = "newuser",	[29] = "newpid",	[30] = "newnet",
	[31] = "io",		[32] = "clear_sighand",	[33] = "into_cgroup",
};

/* Linux names bits 7 to 33, and only those, each as the ABI says. */
static void flag_name_bit(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	const char *name = clonegate_flag_name(bit);

	if (BIT_ULL(bit) & CLONEGATE_LINUX_FLAGS) {
		KUNIT_ASSERT_NOT_NULL(test, name);
		KUNIT_EXPECT_STREQ(test, name, abi_flag_names[bit]);
	} else {
		KUNIT_EXPECT_NULL(test, name);
		KUNIT_EXPECT_NULL(test, abi_flag_names[bit]);
	}
	/* past the table */
	KUNIT_EXPECT_NULL(test, clonegate_flag_name(bit + 64));
}

/* A named bit reads back as its name and parses back to itself. */
static void format_flags_bit_round_trip(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	const u64 sentinel = 0x5a5a5a5a5a5a5a5aULL;
	u64 flag = BIT_ULL(bit), out = sentinel;
	char buf[64], hex[24];
	int len, err;

	len = clonegate_format_flags(buf, sizeof(buf), flag);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
	scnprintf(hex, sizeof(hex), "0x%llx", flag);
	if (!(flag & CLONEGATE_LINUX_FLAGS)) {
		/* no name: the flag is not shown, and cannot be written */
		KUNIT_EXPECT_STREQ(test, buf, "none\n");
		err = clonegate_parse_flags(hex, strlen(hex),
					    CLONEGATE_LINUX_FLAGS, 0, &out);
		KUNIT_EXPECT_EQ(test, err, -EINVAL);
		KUNIT_EXPECT_EQ(test, out, sentinel);
		return;
	}
	KUNIT_EXPECT_EQ(test, buf[len - 1], '\n');
	KUNIT_EXPECT_EQ(test, strncmp(buf, clonegate_flag_name(bit), len - 1),
			0);
	KUNIT_EXPECT_EQ(test, clonegate_parse_flags(buf, len,
						    CLONEGATE_LINUX_FLAGS, 0,
						    &out), 0);
	KUNIT_EXPECT_EQ(test, out, flag);
	out = sentinel;
	KUNIT_EXPECT_EQ(test, clonegate_parse_flags(hex, strlen(hex),
						    CLONEGATE_LINUX_FLAGS, 0,
						    &out), 0);
	KUNIT_EXPECT_EQ(test, out, flag);
}

static struct kunit_case clonegate_flags_cases[] = {
	KUNIT_CASE_PARAM(decide_clone_bit_gvisor,
			 flag_bits_gen_params),
	KUNIT_CASE_PARAM(decide_unshare_bit_gvisor,
			 flag_bits_gen_params),
	KUNIT_CASE_PARAM(decide_bit_permissive,
			 flag_bits_gen_params),
	KUNIT_CASE_PARAM(flag_name_bit, flag_bits_gen_params),
	KUNIT_CASE_PARAM(format_flags_bit_round_trip,
			 flag_bits_gen_params),
	{}
};

static struct kunit_suite clonegate_flags_suite = {
	.name = "clonegate_flags",
	.test_cases = clonegate_flags_cases,
};

/* ---- clonegate_needs: the facts a decision reads ---------------------- */

/* The flags glibc's fork() and posix_spawn() pass, and no flags at all. */
static void call_needs_plain_fork_needs_nothing(struct kunit *test)
{
	static const u64 plain[] = {
		0,
		CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID,
		CLONE_VM | CLONE_VFORK,
		CLONE_FILES | CLONE_SYSVSEM | CLONE_PARENT_SETTID,
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++)
		for (j = 0; j < ARRAY_SIZE(plain); j++)
			KUNIT_EXPECT_EQ_MSG(test,
					    clonegate_call_needs(all_ops[i],
								 plain[j]),
					    0U, "%s %#llx",
					    clonegate_op_names[all_ops[i]],
					    plain[j]);
}

static void call_needs_newuser_needs_chrooted(struct kunit *test)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++)
		KUNIT_EXPECT_EQ_MSG(test, clonegate_call_needs(all_ops[i],
							       CLONE_NEWUSER),
				    (u32)F_CHROOT, "%s",
				    clonegate_op_names[all_ops[i]]);
}

static void call_needs_newpid(struct kunit *test)
{
	/* a clone reads a pending pid namespace; unshare replaces it */
	KUNIT_EXPECT_EQ(test, clonegate_call_needs(CLONEGATE_OP_CLONE3,
						   CLONE_NEWPID),
			(u32)(F_PENDING | F_CAP));
	KUNIT_EXPECT_EQ(test, clonegate_call_needs(CLONEGATE_OP_UNSHARE,
						   CLONE_NEWPID),
			(u32)F_CAP);
}

static void call_needs_thread(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, clonegate_call_needs(CLONEGATE_OP_CLONE,
						   PTHREAD_FLAGS),
			(u32)F_PENDING);
	KUNIT_EXPECT_EQ(test, clonegate_call_needs(CLONEGATE_OP_UNSHARE,
						   CLONE_THREAD),
			(u32)F_SINGLE);
}

static void call_needs_namespaces_need_cap(struct kunit *test)
{
	static const u64 ns[] = {
		CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC,
	};
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++)
		for (j = 0; j < ARRAY_SIZE(ns); j++)
			KUNIT_EXPECT_EQ_MSG(test,
					    clonegate_call_needs(all_ops[i],
								 ns[j]),
					    (u32)F_CAP, "%s %#llx",
					    clonegate_op_names[all_ops[i]],
					    ns[j]);
	KUNIT_EXPECT_TRUE(test, clonegate_call_needs(CLONEGATE_OP_UNSHARE,
						     CLONE_NEWNS) & F_CAP);
	/* flags no rule reads a fact for, even ones gVisor refuses */
	KUNIT_EXPECT_EQ(test, clonegate_call_needs(CLONEGATE_OP_CLONE,
						   CLONE_NEWCGROUP |
						   CLONE_PIDFD | BIT_ULL(63)),
			0U);
}

/*
 * The soundness of the shortcut the hooks take: a fact clonegate_call_needs()
 * leaves out never changes a verdict, for any call and any other facts.
 * Checked for every single flag bit, every decide_table call, and a few
 * combinations, under both profiles.
 */
static void check_needs_sound(struct kunit *test, enum clonegate_op op,
			      u64 flags, int exit_signal, u64 set_tid_size)
{
	u32 needs = clonegate_call_needs(op, flags), facts, f;
	enum clonegate_profile prof;

	for (prof = 0; prof < CLONEGATE_PROFILE_CUSTOM; prof++) {
		struct clonegate_policy p;

		clonegate_policy_init(&p, prof, CLONEGATE_MODE_ENFORCE);
		for (facts = 0; facts <= F_ALL; facts++) {
			struct clonegate_call a = {
				.op = op, .flags = flags,
				.exit_signal = exit_signal,
				.set_tid_size = set_tid_size, .facts = facts,
			};
			struct clonegate_verdict va = clonegate_decide(&p, &a);

			for (f = 1; f <= F_ALL; f <<= 1) {
				struct clonegate_call b = a;
				struct clonegate_verdict vb;

				if (needs & f)
					continue;
				b.facts ^= f;
				vb = clonegate_decide(&p, &b);
				KUNIT_EXPECT_EQ_MSG(test, va.rule, vb.rule,
						    "%s %#llx: fact %#x changes the verdict but is not needed",
						    clonegate_op_names[op],
						    flags, f);
			}
		}
	}
}

static void call_needs_covers_every_fact_read(struct kunit *test)
{
	static const u64 combos[] = {
		PTHREAD_FLAGS,
		PTHREAD_FLAGS | CLONE_NEWPID,
		CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET,
		CLONE_NEWUTS | CLONE_NEWIPC | CLONE_FS,
		CLONE_THREAD | CLONE_NEWUSER,
		CLONE_THREAD | CLONE_NEWNS,
	};
	unsigned int bit;
	size_t i, j;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		for (bit = 0; bit < 64; bit++)
			check_needs_sound(test, all_ops[i], BIT_ULL(bit),
					  SIGCHLD, 0);
		for (j = 0; j < ARRAY_SIZE(combos); j++)
			check_needs_sound(test, all_ops[i], combos[j], SIGCHLD,
					  0);
	}
	for (j = 0; j < ARRAY_SIZE(decide_table); j++)
		check_needs_sound(test, decide_table[j].op, decide_table[j].flags,
				  decide_table[j].exit_signal,
				  decide_table[j].set_tid_size);
}

static struct kunit_case clonegate_needs_cases[] = {
	KUNIT_CASE(call_needs_plain_fork_needs_nothing),
	KUNIT_CASE(call_needs_newuser_needs_chrooted),
	KUNIT_CASE(call_needs_newpid),
	KUNIT_CASE(call_needs_thread),
	KUNIT_CASE(call_needs_namespaces_need_cap),
	KUNIT_CASE(call_needs_covers_every_fact_read),
	{}
};

static struct kunit_suite clonegate_needs_suite = {
	.name = "clonegate_needs",
	.test_cases = clonegate_needs_cases,
};

/* ---- clonegate_profile: the profiles and the names tables ------------- */

static void policy_init_gvisor(struct kunit *test)
{
	struct clonegate_policy p;

	clonegate_policy_init(&p, CLONEGATE_PROFILE_GVISOR,
			      CLONEGATE_MODE_AUDIT);
	KUNIT_EXPECT_EQ(test, p.profile, CLONEGATE_PROFILE_GVISOR);
	KUNIT_EXPECT_EQ(test, p.mode, CLONEGATE_MODE_AUDIT);
	KUNIT_EXPECT_EQ(test, p.clone_flags, CLONEGATE_GVISOR_CLONE_FLAGS);
	KUNIT_EXPECT_EQ(test, p.unshare_flags, CLONEGATE_GVISOR_UNSHARE_FLAGS);
	KUNIT_EXPECT_EQ(test, p.rules, (u32)CLONEGATE_RULES_ALL);
	/* what gVisor leaves out of Linux's set */
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_FLAGS & ~p.clone_flags,
			(u64)(CLONE_NEWTIME | CLONE_PIDFD | CLONE_NEWCGROUP |
			      CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP));
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_UNSHARE_FLAGS & ~p.unshare_flags,
			(u64)(CLONE_NEWTIME | CLONE_NEWCGROUP));
}

static void policy_init_permissive(struct kunit *test)
{
	struct clonegate_policy p;

	clonegate_policy_init(&p, CLONEGATE_PROFILE_PERMISSIVE,
			      CLONEGATE_MODE_ENFORCE);
	KUNIT_EXPECT_EQ(test, p.profile, CLONEGATE_PROFILE_PERMISSIVE);
	KUNIT_EXPECT_EQ(test, p.mode, CLONEGATE_MODE_ENFORCE);
	KUNIT_EXPECT_EQ(test, p.clone_flags, CLONEGATE_LINUX_FLAGS);
	KUNIT_EXPECT_EQ(test, p.unshare_flags, CLONEGATE_LINUX_UNSHARE_FLAGS);
	/* only the flag check, so a flag taken out of a mask takes effect */
	KUNIT_EXPECT_EQ(test, p.rules, (u32)BIT(CLONEGATE_RULE_UNSUPPORTED_FLAG));
}

/* Custom is what an edited profile becomes; built from, it is gvisor. */
static void policy_init_custom_is_gvisor(struct kunit *test)
{
	struct clonegate_policy p, g;

	clonegate_policy_init(&p, CLONEGATE_PROFILE_CUSTOM,
			      CLONEGATE_MODE_OFF);
	clonegate_policy_init(&g, CLONEGATE_PROFILE_GVISOR,
			      CLONEGATE_MODE_OFF);
	KUNIT_EXPECT_EQ(test, memcmp(&p, &g, sizeof(p)), 0);
}

/* Every field is set, whatever was there before, and the mode is kept. */
static void policy_init_overwrites_everything(struct kunit *test)
{
	enum clonegate_profile prof;
	enum clonegate_mode m;

	for (prof = 0; prof < CLONEGATE_PROFILE_COUNT; prof++) {
		for (m = 0; m < CLONEGATE_MODE_COUNT; m++) {
			struct clonegate_policy a, b;

			memset(&a, 0xa5, sizeof(a));
			memset(&b, 0x00, sizeof(b));
			clonegate_policy_init(&a, prof, m);
			clonegate_policy_init(&b, prof, m);
			KUNIT_EXPECT_EQ(test, memcmp(&a, &b, sizeof(a)), 0);
			KUNIT_EXPECT_EQ(test, a.mode, m);
		}
	}
}

static void policy_masks_nest(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_FLAGS, GENMASK_ULL(33, 7));
	KUNIT_EXPECT_EQ(test, CLONEGATE_GVISOR_CLONE_FLAGS &
			~CLONEGATE_LINUX_FLAGS, 0ULL);
	KUNIT_EXPECT_EQ(test, CLONEGATE_GVISOR_UNSHARE_FLAGS &
			~CLONEGATE_LINUX_UNSHARE_FLAGS, 0ULL);
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_UNSHARE_FLAGS &
			~CLONEGATE_LINUX_FLAGS, 0ULL);
	KUNIT_EXPECT_EQ(test, CLONEGATE_OPS_CLONE_FAMILY &
			CLONEGATE_OPS_UNSHARE, 0UL);
}

/* Rule names are ABI: sysfs files under stats/rules/ and the rules file. */
static void rule_name_stable(struct kunit *test)
{
	static const char *const names[CLONEGATE_RULE_COUNT] = {
		"unsupported_flag", "sighand_without_vm", "set_tid",
		"thread_without_sighand", "thread_newpid", "newpid_pending",
		"newuser_thread_fs", "bad_exit_signal", "fs_newns",
		"unshare_vm_sighand", "unshare_thread_multithreaded",
		"newuser_chroot", "ns_needs_cap",
	};
	int i;

	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		KUNIT_EXPECT_STREQ(test, clonegate_rule_name(i), names[i]);
	KUNIT_EXPECT_STREQ(test, clonegate_rule_name(CLONEGATE_RULE_NONE),
			   "none");
	KUNIT_EXPECT_STREQ(test, clonegate_rule_name(CLONEGATE_RULE_NONE + 7),
			   "none");
}

static void rule_errno_values(struct kunit *test)
{
	int i;

	for (i = 0; i < CLONEGATE_RULE_COUNT; i++) {
		int err = clonegate_rule_errno(i);

		switch (i) {
		case CLONEGATE_RULE_SET_TID:
			KUNIT_EXPECT_EQ(test, err, -EOPNOTSUPP);
			break;
		case CLONEGATE_RULE_NEWUSER_CHROOT:
		case CLONEGATE_RULE_NS_NEEDS_CAP:
			KUNIT_EXPECT_EQ(test, err, -EPERM);
			break;
		default:
			KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "%s",
					    clonegate_rule_name(i));
		}
	}
	KUNIT_EXPECT_EQ(test, clonegate_rule_errno(CLONEGATE_RULE_NONE), 0);
}

static void names_tables(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, clonegate_op_names[CLONEGATE_OP_CLONE],
			   "clone");
	KUNIT_EXPECT_STREQ(test, clonegate_op_names[CLONEGATE_OP_CLONE3],
			   "clone3");
	KUNIT_EXPECT_STREQ(test, clonegate_op_names[CLONEGATE_OP_FORK],
			   "fork");
	KUNIT_EXPECT_STREQ(test, clonegate_op_names[CLONEGATE_OP_VFORK],
			   "vfork");
	KUNIT_EXPECT_STREQ(test, clonegate_op_names[CLONEGATE_OP_UNSHARE],
			   "unshare");
	KUNIT_EXPECT_STREQ(test, clonegate_mode_names[CLONEGATE_MODE_OFF],
			   "off");
	KUNIT_EXPECT_STREQ(test, clonegate_mode_names[CLONEGATE_MODE_AUDIT],
			   "audit");
	KUNIT_EXPECT_STREQ(test, clonegate_mode_names[CLONEGATE_MODE_ENFORCE],
			   "enforce");
	KUNIT_EXPECT_STREQ(test,
			   clonegate_profile_names[CLONEGATE_PROFILE_GVISOR],
			   "gvisor");
	KUNIT_EXPECT_STREQ(test,
			   clonegate_profile_names[CLONEGATE_PROFILE_PERMISSIVE],
			   "permissive");
	KUNIT_EXPECT_STREQ(test,
			   clonegate_profile_names[CLONEGATE_PROFILE_CUSTOM],
			   "custom");
}

static struct kunit_case clonegate_profile_cases[] = {
	KUNIT_CASE(policy_init_gvisor),
	KUNIT_CASE(policy_init_permissive),
	KUNIT_CASE(policy_init_custom_is_gvisor),
	KUNIT_CASE(policy_init_overwrites_everything),
	KUNIT_CASE(policy_masks_nest),
	KUNIT_CASE(rule_name_stable),
	KUNIT_CASE(rule_errno_values),
	KUNIT_CASE(names_tables),
	{}
};

static struct kunit_suite clonegate_profile_suite = {
	.name = "clonegate_profile",
	.test_cases = clonegate_profile_cases,
};

kunit_test_suites(&clonegate_policy_suite, &clonegate_flags_suite,
		  &clonegate_needs_suite, &clonegate_profile_suite);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("KUnit tests for clonegate's policy, flags and parsers");
