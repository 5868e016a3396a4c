// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for clonegate's policy: the rule table, the profiles, the
 * facts a decision reads and the flags that keep a call off the fast path.
 *
 * module/policy.c is compiled into this file, so the tests see its static
 * rule table and predicates, and share no object with clonegate.ko. The
 * name tables come from module/parse.c, which parse_kunit.c compiles in.
 *
 * Suites:
 *   clonegate_policy   clonegate_decide() against every rule row of clone,
 *                      unshare and setns: each row of decide_table alone,
 *                      in order, switched off, replayed under every op and
 *                      mode; the rows decide skips never match
 *   clonegate_flags    every flag bit, 0 to 63, under both profiles, for
 *                      the clone family, unshare and setns (either form);
 *                      the flag and namespace type names of each bit
 *   clonegate_needs    clonegate_call_needs(): the facts a call needs, and
 *                      that a fact left out never changes a verdict;
 *                      clonegate_slow_flags(): a call with none of them is
 *                      allowed by every rule, whatever its facts
 *   clonegate_profile  clonegate_policy_init(), the profiles' masks, rule
 *                      names and errnos, and the name tables
 */
#include <kunit/test.h>
#include <linux/module.h>
#include <linux/prandom.h>

#include "../module/policy.c"
#include "parse.h"

#define F_SINGLE	CLONEGATE_FACT_SINGLE_THREADED
#define F_PENDING	CLONEGATE_FACT_PIDNS_PENDING
#define F_CAP		CLONEGATE_FACT_CAP_SYS_ADMIN
#define F_ALL		(F_SINGLE | F_PENDING | F_CAP)

/* "for (facts = 0; facts <= F_ALL; facts++)" is every combination */
static_assert(F_ALL == BIT(3) - 1);

/* What pthread_create() passes to clone(). */
#define PTHREAD_FLAGS							\
	((u64)(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND |	\
	       CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |		\
	       CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID))

/* The namespaces whose creation needs CAP_SYS_ADMIN without a new userns. */
#define NS_CAP_CLONE	((u64)(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | \
			       CLONE_NEWIPC))
#define NS_CAP_UNSHARE	(NS_CAP_CLONE | CLONE_NEWNS)

/* 7.x's clone3 flags, bits 34 to 37 */
#define CLONE3_7X	(CLONE_AUTOREAP | CLONE_NNP | CLONE_PIDFD_AUTOKILL | \
			 CLONE_EMPTY_MNTNS)

#define NS_GVISOR	CLONEGATE_GVISOR_NS_TYPES
#define NS_LINUX	CLONEGATE_LINUX_NS_TYPES

static const enum clonegate_op clone_family[] = {
	CLONEGATE_OP_CLONE, CLONEGATE_OP_CLONE3, CLONEGATE_OP_FORK,
	CLONEGATE_OP_VFORK,
};

static const enum clonegate_op all_ops[] = {
	CLONEGATE_OP_CLONE, CLONEGATE_OP_CLONE3, CLONEGATE_OP_FORK,
	CLONEGATE_OP_VFORK, CLONEGATE_OP_UNSHARE, CLONEGATE_OP_SETNS,
};

static_assert(ARRAY_SIZE(all_ops) == CLONEGATE_OP_COUNT);

static bool is_clone_family(enum clonegate_op op)
{
	return CLONEGATE_OPS_CLONE_FAMILY & BIT(op);
}

/* The forms a call of @op comes in: setns names its target two ways. */
static u16 forms_of(enum clonegate_op op)
{
	return op == CLONEGATE_OP_SETNS ? 2 : 1;
}

/* Linux's own set of flags for @op: what the permissive profile allows. */
static u64 linux_set(enum clonegate_op op)
{
	switch (op) {
	case CLONEGATE_OP_UNSHARE:
		return CLONEGATE_LINUX_UNSHARE_FLAGS;
	case CLONEGATE_OP_SETNS:
		return NS_LINUX;
	default:
		return CLONEGATE_LINUX_FLAGS;
	}
}

/* ---- clonegate_policy: the decision against every rule row ------------ */

/**
 * struct decide_row - one call and what the policy says about it
 * @name: what the row shows; also the parameter's description
 * @profile: the profile the policy is built from (gvisor by default)
 * @disable: rule bits switched off in that policy
 * @no_types: namespace types taken out of its setns_types
 * @op: the call
 * @flags: its flags; for setns, the CLONE_NEW* flags of the types joined
 * @exit_signal: its exit signal
 * @set_tid_size: its set_tid array size
 * @facts: the caller facts
 * @form: setns: how the target was named (nsfd by default)
 * @ns_inum: setns: the inode of the namespace joined
 * @err: the errno expected (0 to allow)
 * @rule: the rule expected to fire, or CLONEGATE_RULE_NONE
 */
struct decide_row {
	const char *name;
	enum clonegate_profile profile;
	u32 disable;
	u64 no_types;
	enum clonegate_op op;
	u64 flags;
	int exit_signal;
	u64 set_tid_size;
	u32 facts;
	u16 form;
	u64 ns_inum;
	int err;
	enum clonegate_rule rule;
};

#define ALLOW		.err = 0, .rule = CLONEGATE_RULE_NONE
#define DENY(r, e)	.err = -(e), .rule = CLONEGATE_RULE_##r
#define OP(o)		.op = CLONEGATE_OP_##o
#define RULE(r)		BIT(CLONEGATE_RULE_##r)
#define PERMISSIVE	.profile = CLONEGATE_PROFILE_PERMISSIVE
#define NSFD		.op = CLONEGATE_OP_SETNS, .form = CLONEGATE_SETNS_NSFD
#define PIDFD		.op = CLONEGATE_OP_SETNS, .form = CLONEGATE_SETNS_PIDFD

static const struct decide_row decide_table[] = {
	/* setns_pidfd: gVisor joins only through a namespace file */
	{ "setns_pidfd_net", PIDFD, .flags = CLONE_NEWNET,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_ipc", PIDFD, .flags = CLONE_NEWIPC,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_mnt", PIDFD, .flags = CLONE_NEWNS,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_uts", PIDFD, .flags = CLONE_NEWUTS,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_user", PIDFD, .flags = CLONE_NEWUSER,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_pid", PIDFD, .flags = CLONE_NEWPID,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_cgroup", PIDFD, .flags = CLONE_NEWCGROUP,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_time", PIDFD, .flags = CLONE_NEWTIME,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_gvisor_types", PIDFD, .flags = NS_GVISOR,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_every_type", PIDFD, .flags = NS_LINUX,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_no_type", PIDFD, .flags = 0,
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_every_fact", PIDFD, .flags = CLONE_NEWNET,
	  .facts = F_ALL, DENY(SETNS_PIDFD, EINVAL) },
	{ "setns_pidfd_near_miss_nsfd", NSFD, .flags = CLONE_NEWNET, ALLOW },

	/* unsupported_flag for setns: setns_types, gVisor's net ipc mnt uts */
	{ "setns_nsfd_net", NSFD, .flags = CLONE_NEWNET,
	  .ns_inum = 4026531840ULL, ALLOW },
	{ "setns_nsfd_ipc", NSFD, .flags = CLONE_NEWIPC,
	  .ns_inum = 4026531839ULL, ALLOW },
	{ "setns_nsfd_mnt", NSFD, .flags = CLONE_NEWNS,
	  .ns_inum = 4026531841ULL, ALLOW },
	{ "setns_nsfd_uts", NSFD, .flags = CLONE_NEWUTS,
	  .ns_inum = 4026531838ULL, ALLOW },
	{ "setns_nsfd_user", NSFD, .flags = CLONE_NEWUSER,
	  .ns_inum = 4026531837ULL, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_nsfd_pid", NSFD, .flags = CLONE_NEWPID,
	  .ns_inum = 4026531836ULL, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_nsfd_cgroup", NSFD, .flags = CLONE_NEWCGROUP,
	  .ns_inum = 4026531835ULL, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_nsfd_time", NSFD, .flags = CLONE_NEWTIME,
	  .ns_inum = 4026531834ULL, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_nsfd_user_every_fact", NSFD, .flags = CLONE_NEWUSER,
	  .facts = F_ALL, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_nsfd_net_every_fact", NSFD, .flags = CLONE_NEWNET,
	  .facts = F_ALL, ALLOW },
	{ "setns_nsfd_not_a_type", NSFD, .flags = CLONE_VM,
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_nsfd_no_type", NSFD, .flags = 0, ALLOW },

	/* unsupported_flag for the clone family and unshare */
	{ "unsupported_flag_clone_newcgroup", OP(CLONE),
	  .flags = CLONE_NEWCGROUP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_pidfd", OP(CLONE3),
	  .flags = CLONE_PIDFD, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_into_cgroup", OP(CLONE3),
	  .flags = CLONE_INTO_CGROUP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_clear_sighand", OP(CLONE3),
	  .flags = CLONE_CLEAR_SIGHAND, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_autoreap", OP(CLONE3),
	  .flags = CLONE_AUTOREAP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_nnp", OP(CLONE3),
	  .flags = CLONE_NNP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_pidfd_autokill", OP(CLONE3),
	  .flags = CLONE_PIDFD_AUTOKILL, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "unsupported_flag_clone3_empty_mntns", OP(CLONE3),
	  .flags = CLONE_EMPTY_MNTNS, DENY(UNSUPPORTED_FLAG, EINVAL) },
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
	  .facts = F_SINGLE | F_CAP, ALLOW },

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
	{ "order_setns_pidfd_before_unsupported_flag", PIDFD,
	  .flags = CLONE_NEWUSER | CLONE_VM, DENY(SETNS_PIDFD, EINVAL) },
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
	{ "order_bad_exit_signal_before_ns_needs_cap", OP(CLONE),
	  .flags = CLONE_NEWNET, .exit_signal = -1,
	  DENY(BAD_EXIT_SIGNAL, EINVAL) },
	{ "order_fs_newns_before_ns_needs_cap", OP(CLONE),
	  .flags = CLONE_FS | CLONE_NEWNS | CLONE_NEWNET,
	  DENY(FS_NEWNS, EINVAL) },
	{ "order_unsupported_flag_before_unshare_vm_sighand", OP(UNSHARE),
	  .flags = CLONE_VM | CLONE_NEWCGROUP, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "order_unshare_vm_sighand_before_multithreaded", OP(UNSHARE),
	  .flags = CLONE_VM | CLONE_THREAD,
	  DENY(UNSHARE_VM_SIGHAND, EINVAL) },
	{ "order_multithreaded_before_ns_needs_cap", OP(UNSHARE),
	  .flags = CLONE_THREAD | CLONE_NEWNET,
	  DENY(UNSHARE_THREAD_MULTITHREADED, EINVAL) },

	/* switched-off rows never fire; the next one that matches decides */
	{ "disabled_setns_pidfd_allows_net", PIDFD, .flags = CLONE_NEWNET,
	  .disable = RULE(SETNS_PIDFD), ALLOW },
	{ "disabled_setns_pidfd_allows_gvisor_types", PIDFD,
	  .flags = NS_GVISOR, .disable = RULE(SETNS_PIDFD), ALLOW },
	{ "disabled_setns_pidfd_next_row", PIDFD, .flags = CLONE_NEWUSER,
	  .disable = RULE(SETNS_PIDFD), DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "disabled_setns_pidfd_every_type_next_row", PIDFD,
	  .flags = NS_LINUX, .disable = RULE(SETNS_PIDFD),
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "disabled_unsupported_flag_setns_nsfd_user", NSFD,
	  .flags = CLONE_NEWUSER, .disable = RULE(UNSUPPORTED_FLAG), ALLOW },
	{ "disabled_unsupported_flag_setns_nsfd_time", NSFD,
	  .flags = CLONE_NEWTIME, .disable = RULE(UNSUPPORTED_FLAG), ALLOW },
	{ "disabled_unsupported_flag_setns_pidfd_refused", PIDFD,
	  .flags = CLONE_NEWUSER, .disable = RULE(UNSUPPORTED_FLAG),
	  DENY(SETNS_PIDFD, EINVAL) },
	{ "disabled_unsupported_flag_allows", OP(CLONE),
	  .disable = RULE(UNSUPPORTED_FLAG), .flags = CLONE_NEWCGROUP, ALLOW },
	{ "disabled_unsupported_flag_clone3_7x", OP(CLONE3),
	  .disable = RULE(UNSUPPORTED_FLAG), .flags = CLONE3_7X, ALLOW },
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
	{ "disabled_every_rule_allows", OP(CLONE3),
	  .disable = CLONEGATE_RULES_ALL,
	  .flags = CLONE_SIGHAND | CLONE_NEWCGROUP | CLONE_THREAD |
		   CLONE_NEWPID | BIT_ULL(50),
	  .exit_signal = -1, .set_tid_size = 2, .facts = F_PENDING, ALLOW },
	{ "disabled_every_rule_setns_pidfd", PIDFD,
	  .disable = CLONEGATE_RULES_ALL, .flags = NS_LINUX | CLONE_VM,
	  ALLOW },

	/* setns_types edited: a type taken out is refused, the others not */
	{ "setns_types_without_net_nsfd_net", NSFD, .flags = CLONE_NEWNET,
	  .no_types = CLONE_NEWNET, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_types_without_net_nsfd_ipc", NSFD, .flags = CLONE_NEWIPC,
	  .no_types = CLONE_NEWNET, ALLOW },
	{ "setns_types_none_nsfd_mnt", NSFD, .flags = CLONE_NEWNS,
	  .no_types = NS_LINUX, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_types_permissive_without_user_nsfd", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWUSER, .no_types = CLONE_NEWUSER,
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_types_permissive_without_user_pidfd", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWUSER | CLONE_NEWNET, .no_types = CLONE_NEWUSER,
	  DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "setns_types_permissive_without_user_pidfd_pid", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWPID, .no_types = CLONE_NEWUSER, ALLOW },

	/* a fact changes only the rows that read it */
	{ "fact_single_threaded_ignored_by_clone", OP(CLONE),
	  .flags = CLONE_THREAD | CLONE_VM, .facts = F_SINGLE,
	  DENY(THREAD_WITHOUT_SIGHAND, EINVAL) },
	{ "fact_single_threaded_unshare_without_thread", OP(UNSHARE),
	  .flags = CLONE_NEWNET, .facts = F_SINGLE,
	  DENY(NS_NEEDS_CAP, EPERM) },
	{ "fact_pidns_pending_ignored_by_unshare", OP(UNSHARE),
	  .flags = CLONE_NEWPID, .facts = F_PENDING | F_CAP, ALLOW },
	{ "fact_cap_ignored_by_other_rows", OP(CLONE),
	  .flags = CLONE_NEWUSER | CLONE_FS, .facts = F_CAP,
	  DENY(NEWUSER_THREAD_FS, EINVAL) },
	{ "fact_all_set_plain_vfork", OP(VFORK),
	  .flags = CLONE_VM | CLONE_VFORK, .facts = F_ALL, ALLOW },

	/* a row decides only the ops it is about */
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
	{ "ops_setns_pidfd_not_for_clone", OP(CLONE),
	  .form = CLONEGATE_SETNS_PIDFD, ALLOW },
	{ "ops_setns_pidfd_not_for_unshare", OP(UNSHARE),
	  .form = CLONEGATE_SETNS_PIDFD, ALLOW },
	{ "ops_ns_needs_cap_not_for_setns", NSFD, .flags = CLONE_NEWUTS,
	  ALLOW },
	{ "ops_ns_needs_cap_not_for_setns_pid", NSFD, .flags = CLONE_NEWPID,
	  .disable = RULE(UNSUPPORTED_FLAG), ALLOW },
	{ "ops_newpid_pending_not_for_setns", NSFD, .flags = CLONE_NEWPID,
	  .facts = F_PENDING, .disable = RULE(UNSUPPORTED_FLAG), ALLOW },
	{ "ops_set_tid_not_for_setns", NSFD, .flags = CLONE_NEWNET,
	  .set_tid_size = 1, ALLOW },
	{ "ops_bad_exit_signal_not_for_setns", NSFD, .flags = CLONE_NEWNET,
	  .exit_signal = -1, ALLOW },
	{ "ops_unshare_vm_sighand_not_for_setns", NSFD, .flags = CLONE_VM,
	  .disable = RULE(UNSUPPORTED_FLAG), ALLOW },

	/* permissive keeps only the flag check, against Linux's own flags */
	{ "permissive_clone_anything", PERMISSIVE, OP(CLONE3),
	  .flags = CLONE_SIGHAND | CLONE_NEWCGROUP | CLONE_NEWTIME |
		   CLONE_THREAD | CLONE_NEWPID | CLONE_NEWUSER | CLONE_FS,
	  .exit_signal = -1, .set_tid_size = 1, .facts = F_PENDING, ALLOW },
	{ "permissive_unshare_anything", PERMISSIVE, OP(UNSHARE),
	  .flags = CLONE_VM | CLONE_THREAD | CLONE_NEWNS | CLONE_NEWCGROUP |
		   CLONE_NEWUSER, ALLOW },
	{ "permissive_clone3_autoreap", PERMISSIVE, OP(CLONE3),
	  .flags = CLONE_AUTOREAP, ALLOW },
	{ "permissive_clone3_nnp", PERMISSIVE, OP(CLONE3),
	  .flags = CLONE_NNP, ALLOW },
	{ "permissive_clone3_pidfd_autokill", PERMISSIVE, OP(CLONE3),
	  .flags = CLONE_PIDFD_AUTOKILL | CLONE_PIDFD, ALLOW },
	{ "permissive_clone3_empty_mntns", PERMISSIVE, OP(CLONE3),
	  .flags = CLONE_EMPTY_MNTNS | CLONE_NEWNS, ALLOW },
	{ "permissive_clone3_every_linux_flag", PERMISSIVE, OP(CLONE3),
	  .flags = CLONEGATE_LINUX_FLAGS, ALLOW },
	{ "permissive_undefined_bit", PERMISSIVE, OP(CLONE3),
	  .flags = CLONE_VM | BIT_ULL(38), DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "permissive_unshare_clone_only_flag", PERMISSIVE, OP(UNSHARE),
	  .flags = CLONE_NEWNS | CLONE_PIDFD, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "permissive_unshare_clone3_7x_flag", PERMISSIVE, OP(UNSHARE),
	  .flags = CLONE_EMPTY_MNTNS, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "permissive_without_flag_check", PERMISSIVE, OP(CLONE),
	  .disable = RULE(UNSUPPORTED_FLAG),
	  .flags = BIT_ULL(63) | BIT_ULL(0), ALLOW },
	{ "permissive_setns_nsfd_net", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWNET, ALLOW },
	{ "permissive_setns_nsfd_ipc", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWIPC, ALLOW },
	{ "permissive_setns_nsfd_mnt", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWNS, ALLOW },
	{ "permissive_setns_nsfd_uts", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWUTS, ALLOW },
	{ "permissive_setns_nsfd_user", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWUSER, ALLOW },
	{ "permissive_setns_nsfd_pid", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWPID, ALLOW },
	{ "permissive_setns_nsfd_cgroup", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWCGROUP, ALLOW },
	{ "permissive_setns_nsfd_time", PERMISSIVE, NSFD,
	  .flags = CLONE_NEWTIME, ALLOW },
	{ "permissive_setns_pidfd_net", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWNET, ALLOW },
	{ "permissive_setns_pidfd_ipc", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWIPC, ALLOW },
	{ "permissive_setns_pidfd_mnt", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWNS, ALLOW },
	{ "permissive_setns_pidfd_uts", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWUTS, ALLOW },
	{ "permissive_setns_pidfd_user", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWUSER, ALLOW },
	{ "permissive_setns_pidfd_pid", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWPID, ALLOW },
	{ "permissive_setns_pidfd_cgroup", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWCGROUP, ALLOW },
	{ "permissive_setns_pidfd_time", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWTIME, ALLOW },
	{ "permissive_setns_pidfd_every_type", PERMISSIVE, PIDFD,
	  .flags = NS_LINUX, ALLOW },
	{ "permissive_setns_pidfd_no_type", PERMISSIVE, PIDFD, .flags = 0,
	  ALLOW },
	{ "permissive_setns_nsfd_not_a_type", PERMISSIVE, NSFD,
	  .flags = CLONE_VM, DENY(UNSUPPORTED_FLAG, EINVAL) },
	{ "permissive_setns_pidfd_not_a_type", PERMISSIVE, PIDFD,
	  .flags = CLONE_NEWNET | CLONE_THREAD, DENY(UNSUPPORTED_FLAG, EINVAL) },
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
	p->setns_types &= ~row->no_types;
}

static struct clonegate_call row_call(const struct decide_row *row)
{
	struct clonegate_call call = {
		.op = row->op,
		.flags = row->flags,
		.exit_signal = row->exit_signal,
		.set_tid_size = row->set_tid_size,
		.facts = row->facts,
		.setns_form = row->form,
		.ns_inum = row->ns_inum,
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

/*
 * A firing row fires on its own, with every other row switched off; a call
 * the policy allows is allowed by each of its rows alone.
 */
static void decide_rule_fires_alone(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call call = row_call(row);
	struct clonegate_policy p;
	struct clonegate_verdict v;
	int r;

	if (row->rule != CLONEGATE_RULE_NONE) {
		row_policy(row, &p);
		p.rules = BIT(row->rule);
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ(test, v.rule, row->rule);
		KUNIT_EXPECT_EQ(test, v.err, row->err);
		return;
	}
	for (r = 0; r < CLONEGATE_RULE_COUNT; r++) {
		row_policy(row, &p);
		if (!(p.rules & BIT(r)))
			continue;
		p.rules = BIT(r);
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ_MSG(test, v.rule, CLONEGATE_RULE_NONE,
				    "%s alone", clonegate_rule_name(r));
	}
}

/* A switched-off row never fires, whatever the call. */
static void decide_disabled_rule_never_fires(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call call = row_call(row);
	struct clonegate_policy p;
	struct clonegate_verdict v;
	int r;

	for (r = 0; r < CLONEGATE_RULE_COUNT; r++) {
		row_policy(row, &p);
		p.rules &= ~BIT(r);
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_NE_MSG(test, v.rule, (enum clonegate_rule)r,
				    "without %s", clonegate_rule_name(r));
	}
	row_policy(row, &p);
	p.rules = 0;
	v = clonegate_decide(&p, &call);
	KUNIT_EXPECT_EQ_MSG(test, v.err, 0, "no rules");
	KUNIT_EXPECT_EQ_MSG(test, v.rule, CLONEGATE_RULE_NONE, "no rules");
}

/* decide_table's rows of the clone family only */
static const void *clone_rows_gen_params(const void *prev, char *desc)
{
	const struct decide_row *row = prev ?
		(const struct decide_row *)prev + 1 : decide_table;

	for (; row < decide_table + ARRAY_SIZE(decide_table); row++) {
		if (is_clone_family(row->op)) {
			decide_row_desc(row, desc);
			return row;
		}
	}
	return NULL;
}

/* Clone, clone3, fork and vfork are one family: same call, same verdict. */
static void decide_clone_family_agrees(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call call = row_call(row);
	struct clonegate_policy p;
	struct clonegate_verdict v;
	size_t j;

	row_policy(row, &p);
	for (j = 0; j < ARRAY_SIZE(clone_family); j++) {
		call.op = clone_family[j];
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ_MSG(test, v.rule, row->rule, "as %s",
				    clonegate_op_names[call.op]);
		KUNIT_EXPECT_EQ_MSG(test, v.err, row->err, "as %s",
				    clonegate_op_names[call.op]);
	}
}

/*
 * Whatever the call and the op it is replayed as, the row that fires is
 * one that applies to that op: clone rows never decide an unshare or a
 * setns, setns_pidfd never decides anything but a setns.
 */
static void decide_rule_only_for_its_ops(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call call = row_call(row);
	struct clonegate_policy p;
	struct clonegate_verdict v;
	size_t j;

	row_policy(row, &p);
	for (j = 0; j < ARRAY_SIZE(all_ops); j++) {
		call.op = all_ops[j];
		v = clonegate_decide(&p, &call);
		if (v.rule == CLONEGATE_RULE_NONE)
			continue;
		KUNIT_EXPECT_TRUE_MSG(test, rules[v.rule].ops & BIT(call.op),
				      "as %s: %s fired",
				      clonegate_op_names[call.op],
				      clonegate_rule_name(v.rule));
	}
}

/* The verdict says what enforce would do: the mode does not change it. */
static void decide_ignores_mode(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call call = row_call(row);
	struct clonegate_policy p;
	struct clonegate_verdict v;
	int m;

	for (m = 0; m < CLONEGATE_MODE_COUNT; m++) {
		row_policy(row, &p);
		p.mode = m;
		v = clonegate_decide(&p, &call);
		KUNIT_EXPECT_EQ_MSG(test, v.err, row->err, "in %s",
				    clonegate_mode_names[m]);
		KUNIT_EXPECT_EQ_MSG(test, v.rule, row->rule, "in %s",
				    clonegate_mode_names[m]);
	}
}

/* The policy and the call are read, never written. */
static void decide_leaves_inputs_alone(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call call = row_call(row), before;
	struct clonegate_policy p, pbefore;

	row_policy(row, &p);
	before = call;
	pbefore = p;
	clonegate_decide(&p, &call);
	KUNIT_EXPECT_EQ(test, memcmp(&call, &before, sizeof(call)), 0);
	KUNIT_EXPECT_EQ(test, memcmp(&p, &pbefore, sizeof(p)), 0);
}

/*
 * clonegate_decide() skips a row for a call with none of the row's "when"
 * flags, without asking its predicate: that is only right if the predicate
 * would have said no. Ask each predicate directly, under both profiles.
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
			KUNIT_EXPECT_FALSE_MSG(test, match(r, &p, c),
					       "%s matches %s %#llx facts %#x form %u",
					       clonegate_rule_name(r),
					       clonegate_op_names[c->op],
					       c->flags, c->facts,
					       c->setns_form);
		}
	}
}

/* decide_table's calls, with every facts. */
static void decide_skipped_rows_never_match(struct kunit *test)
{
	const struct decide_row *row = test->param_value;
	struct clonegate_call c = row_call(row);

	for (c.facts = 0; c.facts <= F_ALL; c.facts++)
		check_when(test, &c);
}

static struct kunit_case clonegate_policy_cases[] = {
	KUNIT_CASE_PARAM(decide_rule_rows, decide_table_gen_params),
	KUNIT_CASE(decide_every_rule_has_a_firing_row),
	KUNIT_CASE_PARAM(decide_rule_fires_alone, decide_table_gen_params),
	KUNIT_CASE_PARAM(decide_disabled_rule_never_fires,
			 decide_table_gen_params),
	KUNIT_CASE_PARAM(decide_clone_family_agrees, clone_rows_gen_params),
	KUNIT_CASE_PARAM(decide_rule_only_for_its_ops,
			 decide_table_gen_params),
	KUNIT_CASE_PARAM(decide_ignores_mode, decide_table_gen_params),
	KUNIT_CASE_PARAM(decide_leaves_inputs_alone, decide_table_gen_params),
	KUNIT_CASE_PARAM(decide_skipped_rows_never_match,
			 decide_table_gen_params),
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
					   u32 disable, enum clonegate_op op,
					   u16 form, u64 flags, u32 facts)
{
	struct clonegate_policy p;
	struct clonegate_call call = {
		.op = op, .flags = flags,
		.exit_signal = is_clone_family(op) ? SIGCHLD : 0,
		.facts = facts, .setns_form = form,
	};

	clonegate_policy_init(&p, profile, CLONEGATE_MODE_ENFORCE);
	p.rules &= ~disable;
	return clonegate_decide(&p, &call);
}

static void expect_verdict(struct kunit *test, struct clonegate_verdict v,
			   int err, enum clonegate_rule rule, const char *what)
{
	KUNIT_EXPECT_EQ_MSG(test, v.err, err, "%s", what);
	KUNIT_EXPECT_STREQ_MSG(test, clonegate_rule_name(v.rule),
			       clonegate_rule_name(rule), "%s", what);
}

#define GVISOR		CLONEGATE_PROFILE_GVISOR
#define FORM_NSFD		CLONEGATE_SETNS_NSFD
#define FORM_PIDFD		CLONEGATE_SETNS_PIDFD

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

		cap = decide_one(GVISOR, 0, op, FORM_NSFD, flag, F_CAP);
		nocap = decide_one(GVISOR, 0, op, FORM_NSFD, flag, 0);
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

	ok = decide_one(GVISOR, 0, CLONEGATE_OP_UNSHARE, FORM_NSFD, flag,
			F_CAP | F_SINGLE);
	none = decide_one(GVISOR, 0, CLONEGATE_OP_UNSHARE, FORM_NSFD, flag, 0);
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
 * Under gvisor a join through a namespace file is allowed for net, ipc,
 * mnt and uts and refused by unsupported_flag for anything else; a join
 * through a pidfd is refused by setns_pidfd whatever it names, and, with
 * that row off, decided as a join through a file. No fact matters.
 */
static void decide_setns_bit_gvisor(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	u64 flag = BIT_ULL(bit);
	u32 facts;

	for (facts = 0; facts <= F_ALL; facts++) {
		struct clonegate_verdict nsfd, pidfd, pidfd_off;
		char what[32];

		nsfd = decide_one(GVISOR, 0, CLONEGATE_OP_SETNS, FORM_NSFD, flag,
				  facts);
		pidfd = decide_one(GVISOR, 0, CLONEGATE_OP_SETNS, FORM_PIDFD, flag,
				   facts);
		pidfd_off = decide_one(GVISOR, RULE(SETNS_PIDFD),
				       CLONEGATE_OP_SETNS, FORM_PIDFD, flag,
				       facts);
		snprintf(what, sizeof(what), "nsfd, facts %#x", facts);
		if (flag & NS_GVISOR)
			expect_verdict(test, nsfd, 0, CLONEGATE_RULE_NONE, what);
		else
			expect_verdict(test, nsfd, -EINVAL,
				       CLONEGATE_RULE_UNSUPPORTED_FLAG, what);
		snprintf(what, sizeof(what), "pidfd, facts %#x", facts);
		expect_verdict(test, pidfd, -EINVAL, CLONEGATE_RULE_SETNS_PIDFD,
			       what);
		snprintf(what, sizeof(what), "pidfd, row off, facts %#x",
			 facts);
		expect_verdict(test, pidfd_off, nsfd.err, nsfd.rule, what);
	}
}

/*
 * Permissive allows every flag Linux defines for the call, whatever the
 * facts and, for setns, the form: it keeps only the flag check, which
 * refuses the bits Linux does not define for it (as the kernel would,
 * after the hook).
 */
static void decide_bit_permissive(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	u64 flag = BIT_ULL(bit);
	size_t i;
	u32 facts;
	u16 form;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		enum clonegate_op op = all_ops[i];

		for (form = 0; form < forms_of(op); form++) {
			for (facts = 0; facts <= F_ALL; facts++) {
				struct clonegate_verdict v;
				char what[48];

				snprintf(what, sizeof(what),
					 "%s, form %u, facts %#x",
					 clonegate_op_names[op], form, facts);
				v = decide_one(CLONEGATE_PROFILE_PERMISSIVE, 0,
					       op, form, flag, facts);
				if (flag & linux_set(op))
					expect_verdict(test, v, 0,
						       CLONEGATE_RULE_NONE,
						       what);
				else
					expect_verdict(test, v, -EINVAL,
						       CLONEGATE_RULE_UNSUPPORTED_FLAG,
						       what);
			}
		}
	}
}

/* The rows decide skips for a call of this one flag never match it. */
static void decide_skipped_rows_never_match_bit(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	struct clonegate_call c = { .flags = BIT_ULL(bit) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		c.op = all_ops[i];
		c.exit_signal = is_clone_family(c.op) ? SIGCHLD : 0;
		for (c.setns_form = 0; c.setns_form < forms_of(c.op);
		     c.setns_form++)
			for (c.facts = 0; c.facts <= F_ALL; c.facts++)
				check_when(test, &c);
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
	[34] = "autoreap",	[35] = "nnp",		[36] = "pidfd_autokill",
	[37] = "empty_mntns",
};

/* So are the namespace type names: setns_types shows and takes them. */
static const char *const abi_ns_names[64] = {
	[7] = "time",	[17] = "mnt",	[25] = "cgroup", [26] = "uts",
	[27] = "ipc",	[28] = "user",	[29] = "pid",	 [30] = "net",
};

/* Linux names bits 7 to 37, and only those, each as the ABI says. */
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

/* The eight namespace types are named at their CLONE_NEW* bit, no other. */
static void ns_name_bit(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	const char *name = clonegate_ns_name(bit);

	if (BIT_ULL(bit) & NS_LINUX) {
		KUNIT_ASSERT_NOT_NULL(test, name);
		KUNIT_EXPECT_STREQ(test, name, abi_ns_names[bit]);
	} else {
		KUNIT_EXPECT_NULL(test, name);
		KUNIT_EXPECT_NULL(test, abi_ns_names[bit]);
	}
	KUNIT_EXPECT_NULL(test, clonegate_ns_name(bit + 64));
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

/* The same for setns_types: a type shows as its name and parses back. */
static void format_ns_types_bit_round_trip(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	const u64 sentinel = 0x5a5a5a5a5a5a5a5aULL;
	u64 flag = BIT_ULL(bit), out = sentinel;
	char buf[64], hex[24];
	int len;

	len = clonegate_format_ns_types(buf, sizeof(buf), flag);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
	scnprintf(hex, sizeof(hex), "0x%llx", flag);
	if (!(flag & NS_LINUX)) {
		KUNIT_EXPECT_STREQ(test, buf, "none\n");
		KUNIT_EXPECT_EQ(test, clonegate_parse_ns_types(hex, strlen(hex),
							       0, &out),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, out, sentinel);
		return;
	}
	KUNIT_EXPECT_EQ(test, strncmp(buf, clonegate_ns_name(bit), len - 1), 0);
	KUNIT_EXPECT_EQ(test, buf[len - 1], '\n');
	KUNIT_EXPECT_EQ(test, clonegate_parse_ns_types(buf, len, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out, flag);
	out = sentinel;
	KUNIT_EXPECT_EQ(test, clonegate_parse_ns_types(hex, strlen(hex), 0,
						       &out), 0);
	KUNIT_EXPECT_EQ(test, out, flag);
}

static struct kunit_case clonegate_flags_cases[] = {
	KUNIT_CASE_PARAM(decide_clone_bit_gvisor, flag_bits_gen_params),
	KUNIT_CASE_PARAM(decide_unshare_bit_gvisor, flag_bits_gen_params),
	KUNIT_CASE_PARAM(decide_setns_bit_gvisor, flag_bits_gen_params),
	KUNIT_CASE_PARAM(decide_bit_permissive, flag_bits_gen_params),
	KUNIT_CASE_PARAM(decide_skipped_rows_never_match_bit,
			 flag_bits_gen_params),
	KUNIT_CASE_PARAM(flag_name_bit, flag_bits_gen_params),
	KUNIT_CASE_PARAM(ns_name_bit, flag_bits_gen_params),
	KUNIT_CASE_PARAM(format_flags_bit_round_trip, flag_bits_gen_params),
	KUNIT_CASE_PARAM(format_ns_types_bit_round_trip, flag_bits_gen_params),
	{}
};

static struct kunit_suite clonegate_flags_suite = {
	.name = "clonegate_flags",
	.test_cases = clonegate_flags_cases,
};

/* ---- clonegate_needs: the facts a call needs, the fast path ----------- */

/**
 * struct needs_row - one call and the facts a decision on it reads
 * @name: the description
 * @op: the call
 * @flags: its flags
 * @want: the CLONEGATE_FACT_* bits clonegate_call_needs() returns
 */
struct needs_row {
	const char *name;
	enum clonegate_op op;
	u64 flags;
	u32 want;
};

static const struct needs_row needs_table[] = {
	/* the flags glibc's fork() and posix_spawn() pass, and none at all */
	{ "fork_no_flags", OP(FORK), 0, 0 },
	{ "clone_glibc_fork", OP(CLONE),
	  CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, 0 },
	{ "vfork", OP(VFORK), CLONE_VM | CLONE_VFORK, 0 },
	{ "clone3_posix_spawn", OP(CLONE3), CLONE_VM | CLONE_VFORK, 0 },
	{ "clone_files_sysvsem_settid", OP(CLONE),
	  CLONE_FILES | CLONE_SYSVSEM | CLONE_PARENT_SETTID, 0 },
	{ "unshare_zero", OP(UNSHARE), 0, 0 },
	{ "unshare_files_fs", OP(UNSHARE), CLONE_FILES | CLONE_FS, 0 },
	/* a new user namespace alone reads no fact: Linux checks chroot */
	{ "clone_newuser", OP(CLONE), CLONE_NEWUSER, 0 },
	{ "clone3_newuser", OP(CLONE3), CLONE_NEWUSER, 0 },
	{ "unshare_newuser", OP(UNSHARE), CLONE_NEWUSER, 0 },
	/* a clone reads a pending pid namespace; unshare replaces it */
	{ "clone3_newpid", OP(CLONE3), CLONE_NEWPID, F_PENDING | F_CAP },
	{ "fork_newpid", OP(FORK), CLONE_NEWPID, F_PENDING | F_CAP },
	{ "unshare_newpid", OP(UNSHARE), CLONE_NEWPID, F_CAP },
	{ "clone_pthread", OP(CLONE), PTHREAD_FLAGS, F_PENDING },
	{ "clone_pthread_newpid", OP(CLONE), PTHREAD_FLAGS | CLONE_NEWPID,
	  F_PENDING | F_CAP },
	{ "unshare_thread", OP(UNSHARE), CLONE_THREAD, F_SINGLE },
	{ "unshare_thread_newnet", OP(UNSHARE), CLONE_THREAD | CLONE_NEWNET,
	  F_SINGLE | F_CAP },
	{ "clone_newnet", OP(CLONE), CLONE_NEWNET, F_CAP },
	{ "clone3_newuts", OP(CLONE3), CLONE_NEWUTS, F_CAP },
	{ "vfork_newipc", OP(VFORK), CLONE_NEWIPC, F_CAP },
	{ "unshare_newnet", OP(UNSHARE), CLONE_NEWNET, F_CAP },
	{ "unshare_newuts", OP(UNSHARE), CLONE_NEWUTS, F_CAP },
	{ "unshare_newipc", OP(UNSHARE), CLONE_NEWIPC, F_CAP },
	{ "unshare_newns", OP(UNSHARE), CLONE_NEWNS, F_CAP },
	/* flags no rule reads a fact for, even ones gVisor refuses */
	{ "clone_refused_flags", OP(CLONE),
	  CLONE_NEWCGROUP | CLONE_PIDFD | BIT_ULL(63), 0 },
	{ "clone3_7x_flags", OP(CLONE3), CLONE3_7X, 0 },
	/* no rule of setns reads a fact */
	{ "setns_net", OP(SETNS), CLONE_NEWNET, 0 },
	{ "setns_pid", OP(SETNS), CLONE_NEWPID, 0 },
	{ "setns_every_type", OP(SETNS), NS_LINUX, 0 },
	{ "setns_thread", OP(SETNS), CLONE_THREAD, 0 },
};

static void needs_row_desc(const struct needs_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(needs_table, needs_table, needs_row_desc);

static void call_needs_rows(struct kunit *test)
{
	const struct needs_row *row = test->param_value;

	KUNIT_EXPECT_EQ(test, clonegate_call_needs(row->op, row->flags),
			row->want);
}

/*
 * The soundness of the shortcut the hooks take: a fact clonegate_call_needs()
 * leaves out never changes a verdict, for any call and any other facts,
 * under both profiles.
 */
static void check_needs_sound(struct kunit *test, struct clonegate_call a)
{
	u32 needs = clonegate_call_needs(a.op, a.flags), f;
	enum clonegate_profile prof;

	for (prof = 0; prof < CLONEGATE_PROFILE_CUSTOM; prof++) {
		struct clonegate_policy p;

		clonegate_policy_init(&p, prof, CLONEGATE_MODE_ENFORCE);
		for (a.facts = 0; a.facts <= F_ALL; a.facts++) {
			struct clonegate_verdict va = clonegate_decide(&p, &a);

			for (f = 1; f <= F_ALL; f <<= 1) {
				struct clonegate_call b = a;
				struct clonegate_verdict vb;

				if (needs & f)
					continue;
				b.facts ^= f;
				vb = clonegate_decide(&p, &b);
				KUNIT_EXPECT_EQ_MSG(test, va.rule, vb.rule,
						    "%s %#llx form %u: fact %#x changes the verdict but is not needed",
						    clonegate_op_names[a.op],
						    a.flags, a.setns_form, f);
			}
		}
	}
}

/* decide_table's calls */
static void call_needs_sound_rows(struct kunit *test)
{
	check_needs_sound(test, row_call(test->param_value));
}

/* every single flag, as every op in every form */
static void call_needs_sound_bit(struct kunit *test)
{
	unsigned int bit = *(const unsigned int *)test->param_value;
	struct clonegate_call c = { .flags = BIT_ULL(bit) };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(all_ops); i++) {
		c.op = all_ops[i];
		c.exit_signal = is_clone_family(c.op) ? SIGCHLD : 0;
		for (c.setns_form = 0; c.setns_form < forms_of(c.op);
		     c.setns_form++)
			check_needs_sound(test, c);
	}
}

/*
 * The policies clonegate_slow_flags() is checked against: the profiles in
 * both modes that decide, each rule alone and each rule off, and masks
 * narrowed or emptied.
 */
struct fast_policy {
	const char *name;
	enum clonegate_profile profile;
	bool audit;
	u32 enable;
	u32 disable;
	u64 no_clone;
	u64 no_unshare;
	u64 no_types;
};

#define ONLY(r)		.disable = CLONEGATE_RULES_ALL & ~RULE(r)
#define WITHOUT(r)	.disable = RULE(r)

static const struct fast_policy fast_policies[] = {
	{ "gvisor" },
	{ "gvisor_audit", .audit = true },
	{ "custom", .profile = CLONEGATE_PROFILE_CUSTOM },
	{ "permissive", PERMISSIVE },
	{ "permissive_audit", PERMISSIVE, .audit = true },
	{ "only_setns_pidfd", ONLY(SETNS_PIDFD) },
	{ "only_unsupported_flag", ONLY(UNSUPPORTED_FLAG) },
	{ "only_sighand_without_vm", ONLY(SIGHAND_WITHOUT_VM) },
	{ "only_set_tid", ONLY(SET_TID) },
	{ "only_thread_without_sighand", ONLY(THREAD_WITHOUT_SIGHAND) },
	{ "only_thread_newpid", ONLY(THREAD_NEWPID) },
	{ "only_newpid_pending", ONLY(NEWPID_PENDING) },
	{ "only_newuser_thread_fs", ONLY(NEWUSER_THREAD_FS) },
	{ "only_bad_exit_signal", ONLY(BAD_EXIT_SIGNAL) },
	{ "only_fs_newns", ONLY(FS_NEWNS) },
	{ "only_unshare_vm_sighand", ONLY(UNSHARE_VM_SIGHAND) },
	{ "only_unshare_thread_multithreaded",
	  ONLY(UNSHARE_THREAD_MULTITHREADED) },
	{ "only_ns_needs_cap", ONLY(NS_NEEDS_CAP) },
	{ "without_setns_pidfd", WITHOUT(SETNS_PIDFD) },
	{ "without_unsupported_flag", WITHOUT(UNSUPPORTED_FLAG) },
	{ "without_sighand_without_vm", WITHOUT(SIGHAND_WITHOUT_VM) },
	{ "without_set_tid", WITHOUT(SET_TID) },
	{ "without_thread_without_sighand", WITHOUT(THREAD_WITHOUT_SIGHAND) },
	{ "without_thread_newpid", WITHOUT(THREAD_NEWPID) },
	{ "without_newpid_pending", WITHOUT(NEWPID_PENDING) },
	{ "without_newuser_thread_fs", WITHOUT(NEWUSER_THREAD_FS) },
	{ "without_bad_exit_signal", WITHOUT(BAD_EXIT_SIGNAL) },
	{ "without_fs_newns", WITHOUT(FS_NEWNS) },
	{ "without_unshare_vm_sighand", WITHOUT(UNSHARE_VM_SIGHAND) },
	{ "without_unshare_thread_multithreaded",
	  WITHOUT(UNSHARE_THREAD_MULTITHREADED) },
	{ "without_ns_needs_cap", WITHOUT(NS_NEEDS_CAP) },
	{ "no_rules", .disable = CLONEGATE_RULES_ALL },
	{ "gvisor_narrowed", .no_clone = CLONE_NEWUSER | CLONE_VFORK | CLONE_VM,
	  .no_unshare = CLONE_NEWUSER | CLONE_FS, .no_types = CLONE_NEWNET },
	{ "gvisor_emptied", .no_clone = ~0ULL, .no_unshare = ~0ULL,
	  .no_types = ~0ULL },
	{ "permissive_narrowed", PERMISSIVE,
	  .no_clone = CLONE_THREAD | CLONE_NEWUSER | CLONE_AUTOREAP,
	  .no_unshare = CLONE_NEWUSER | CLONE_NEWCGROUP,
	  .no_types = CLONE_NEWUSER | CLONE_NEWPID },
	{ "permissive_emptied", PERMISSIVE, .no_clone = ~0ULL,
	  .no_unshare = ~0ULL, .no_types = ~0ULL },
	{ "permissive_every_rule", PERMISSIVE, .enable = CLONEGATE_RULES_ALL },
	{ "permissive_no_rules", PERMISSIVE, .disable = CLONEGATE_RULES_ALL },
};

/* one parameter per policy and op */
struct fast_param {
	const struct fast_policy *policy;
	enum clonegate_op op;
};

static struct fast_param fast_params[ARRAY_SIZE(fast_policies) *
				     CLONEGATE_OP_COUNT];

static const void *fast_gen_params(const void *prev, char *desc)
{
	struct fast_param *next = prev ?
		(struct fast_param *)prev + 1 : fast_params;
	size_t i = next - fast_params;

	if (i >= ARRAY_SIZE(fast_params))
		return NULL;
	next->policy = &fast_policies[i / CLONEGATE_OP_COUNT];
	next->op = all_ops[i % CLONEGATE_OP_COUNT];
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s_%s", next->policy->name,
		 clonegate_op_names[next->op]);
	return next;
}

static void fast_policy(const struct fast_policy *fp,
			struct clonegate_policy *p)
{
	clonegate_policy_init(p, fp->profile, fp->audit ?
			      CLONEGATE_MODE_AUDIT : CLONEGATE_MODE_ENFORCE);
	p->rules = (p->rules | fp->enable) & ~fp->disable;
	p->clone_flags &= ~fp->no_clone;
	p->unshare_flags &= ~fp->no_unshare;
	p->setns_types &= ~fp->no_types;
}

/* The fast path's seed: every run checks the same flag sets. */
#define FAST_SEED	0x636c6f6e65676174ULL
#define FAST_RANDOM	64
/* failures reported in full per parameter; the rest are counted */
#define FAST_REPORT	8

struct fast_check {
	struct kunit *test;
	const struct clonegate_policy *p;
	enum clonegate_op op;
	u64 slow;
	unsigned int calls;
	unsigned int failed;
};

/*
 * A call of @flags, none of them slow: allowed by no rule firing, in every
 * form, with every valid exit signal and every facts.
 */
static void expect_fast_allowed(struct fast_check *fc, u64 flags)
{
	static const int signals[] = { 0, SIGCHLD, _NSIG };
	unsigned int s, nsig = is_clone_family(fc->op) ?
			       ARRAY_SIZE(signals) : 1;
	u16 form;

	if (flags & fc->slow)
		return;
	for (form = 0; form < forms_of(fc->op); form++) {
		/*
		 * setns_pidfd refuses a join through a pidfd whatever it
		 * names: slow_flags() says so with ~0, every setns slow.
		 * A pidfd join that names no type (flags 0) has no flag in
		 * ~0 and is refused all the same. The hooks never put a
		 * setns on the fast path; the caller checks the ~0 instead.
		 */
		if (fc->op == CLONEGATE_OP_SETNS && !flags &&
		    form == CLONEGATE_SETNS_PIDFD &&
		    (fc->p->rules & RULE(SETNS_PIDFD)))
			continue;
		for (s = 0; s < nsig; s++) {
			struct clonegate_call c = {
				.op = fc->op, .flags = flags,
				.exit_signal = is_clone_family(fc->op) ?
					       signals[s] : 0,
				.setns_form = form,
			};

			for (c.facts = 0; c.facts <= F_ALL; c.facts++) {
				struct clonegate_verdict v;

				v = clonegate_decide(fc->p, &c);
				fc->calls++;
				if (v.rule == CLONEGATE_RULE_NONE && !v.err)
					continue;
				if (fc->failed++ < FAST_REPORT)
					KUNIT_FAIL(fc->test,
						   "%#llx (form %u, exit signal %d, facts %#x) has no flag of slow_flags %#llx, but %s refuses it (%d)",
						   flags, form, c.exit_signal,
						   c.facts, fc->slow,
						   clonegate_rule_name(v.rule),
						   v.err);
			}
		}
	}
}

static u64 prandom_u64(struct rnd_state *rnd)
{
	u64 hi = prandom_u32_state(rnd);

	return hi << 32 | prandom_u32_state(rnd);
}

/*
 * The soundness of the fast path: a call none of whose flags is in
 * clonegate_slow_flags() must be one the policy allows, with no rule
 * firing, whatever the facts the fast path does not gather. Checked for
 * no flags, every single flag, and random sets of the flags that are not
 * slow, from a fixed seed.
 */
static void slow_flags_fast_calls_allowed(struct kunit *test)
{
	const struct fast_param *fp = test->param_value;
	struct clonegate_policy p, other;
	struct fast_check fc = { .test = test, .p = &p, .op = fp->op };
	struct rnd_state rnd;
	unsigned int bit, i;

	fast_policy(fp->policy, &p);
	fc.slow = clonegate_slow_flags(&p, fp->op);

	/* the mode that decides does not change it; off lets all through */
	other = p;
	other.mode = p.mode == CLONEGATE_MODE_AUDIT ? CLONEGATE_MODE_ENFORCE :
						      CLONEGATE_MODE_AUDIT;
	KUNIT_EXPECT_EQ(test, clonegate_slow_flags(&other, fp->op), fc.slow);
	other.mode = CLONEGATE_MODE_OFF;
	KUNIT_EXPECT_EQ(test, clonegate_slow_flags(&other, fp->op), 0ULL);

	if (fp->op == CLONEGATE_OP_SETNS && (p.rules & RULE(SETNS_PIDFD)))
		KUNIT_EXPECT_EQ_MSG(test, fc.slow, ~0ULL,
				    "setns_pidfd can refuse any setns");

	expect_fast_allowed(&fc, 0);
	for (bit = 0; bit < 64; bit++)
		expect_fast_allowed(&fc, BIT_ULL(bit));
	prandom_seed_state(&rnd, FAST_SEED);
	for (i = 0; i < FAST_RANDOM; i++) {
		u64 a = prandom_u64(&rnd), b = prandom_u64(&rnd);

		expect_fast_allowed(&fc, a & ~fc.slow);
		expect_fast_allowed(&fc, a & b & ~fc.slow);
		expect_fast_allowed(&fc, (a | b) & ~fc.slow);
	}
	KUNIT_EXPECT_EQ_MSG(test, fc.failed, 0U,
			    "of %u calls on the fast path (slow_flags %#llx)",
			    fc.calls, fc.slow);
	/* never vacuous: a call with no flags is always one to check */
	KUNIT_EXPECT_GT(test, fc.calls, 0U);
}

/**
 * struct slow_row - what the fast path lets through, for a few calls
 * @name: the description
 * @profile: the policy's profile, in enforce
 * @op: the call
 * @flags: its flags
 * @fast: whether it may be allowed at once
 */
struct slow_row {
	const char *name;
	enum clonegate_profile profile;
	enum clonegate_op op;
	u64 flags;
	bool fast;
};

static const struct slow_row slow_table[] = {
	{ "gvisor_fork", GVISOR, OP(FORK), 0, true },
	{ "gvisor_glibc_fork", GVISOR, OP(CLONE),
	  CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID, true },
	{ "gvisor_vfork", GVISOR, OP(VFORK), CLONE_VM | CLONE_VFORK, true },
	{ "gvisor_posix_spawn", GVISOR, OP(CLONE3), CLONE_VM | CLONE_VFORK,
	  true },
	{ "gvisor_unshare_zero", GVISOR, OP(UNSHARE), 0, true },
	{ "gvisor_unshare_files", GVISOR, OP(UNSHARE), CLONE_FILES, true },
	{ "gvisor_pthread", GVISOR, OP(CLONE), PTHREAD_FLAGS, false },
	{ "gvisor_clone_newnet", GVISOR, OP(CLONE), CLONE_NEWNET, false },
	{ "gvisor_clone_newuser", GVISOR, OP(CLONE), CLONE_NEWUSER, false },
	{ "gvisor_clone_sighand_vm", GVISOR, OP(CLONE),
	  CLONE_SIGHAND | CLONE_VM, false },
	{ "gvisor_clone3_pidfd", GVISOR, OP(CLONE3), CLONE_PIDFD, false },
	{ "gvisor_clone3_autoreap", GVISOR, OP(CLONE3), CLONE_AUTOREAP,
	  false },
	{ "gvisor_unshare_thread", GVISOR, OP(UNSHARE), CLONE_THREAD, false },
	{ "gvisor_unshare_newns", GVISOR, OP(UNSHARE), CLONE_NEWNS, false },
	{ "gvisor_setns_net", GVISOR, OP(SETNS), CLONE_NEWNET, false },
	{ "permissive_pthread", PERMISSIVE, OP(CLONE), PTHREAD_FLAGS, true },
	{ "permissive_clone3_7x", PERMISSIVE, OP(CLONE3), CLONE3_7X, true },
	{ "permissive_unshare_newuser_newns", PERMISSIVE, OP(UNSHARE),
	  CLONE_NEWUSER | CLONE_NEWNS, true },
	{ "permissive_setns_every_type", PERMISSIVE, OP(SETNS), NS_LINUX,
	  true },
	{ "permissive_clone3_bit38", PERMISSIVE, OP(CLONE3), BIT_ULL(38),
	  false },
	{ "permissive_unshare_pidfd", PERMISSIVE, OP(UNSHARE), CLONE_PIDFD,
	  false },
	{ "permissive_setns_vm", PERMISSIVE, OP(SETNS), CLONE_VM, false },
};

static void slow_row_desc(const struct slow_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(slow_table, slow_table, slow_row_desc);

/* The fast path is worth having: the common calls take it. */
static void slow_flags_rows(struct kunit *test)
{
	const struct slow_row *row = test->param_value;
	struct clonegate_policy p;
	u64 slow;

	clonegate_policy_init(&p, row->profile, CLONEGATE_MODE_ENFORCE);
	slow = clonegate_slow_flags(&p, row->op);
	KUNIT_EXPECT_EQ_MSG(test, !(row->flags & slow), row->fast,
			    "slow_flags %#llx", slow);
}

static struct kunit_case clonegate_needs_cases[] = {
	KUNIT_CASE_PARAM(call_needs_rows, needs_table_gen_params),
	KUNIT_CASE_PARAM(call_needs_sound_rows, decide_table_gen_params),
	KUNIT_CASE_PARAM(call_needs_sound_bit, flag_bits_gen_params),
	KUNIT_CASE_PARAM(slow_flags_fast_calls_allowed, fast_gen_params),
	KUNIT_CASE_PARAM(slow_flags_rows, slow_table_gen_params),
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
	KUNIT_EXPECT_EQ(test, p.setns_types, NS_GVISOR);
	KUNIT_EXPECT_EQ(test, p.rules, (u32)CLONEGATE_RULES_ALL);
	/* what gVisor leaves out of Linux's set */
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_FLAGS & ~p.clone_flags,
			(u64)(CLONE_NEWTIME | CLONE_PIDFD | CLONE_NEWCGROUP |
			      CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP |
			      CLONE3_7X));
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_UNSHARE_FLAGS & ~p.unshare_flags,
			(u64)(CLONE_NEWTIME | CLONE_NEWCGROUP));
	KUNIT_EXPECT_EQ(test, NS_LINUX & ~p.setns_types,
			(u64)(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWCGROUP |
			      CLONE_NEWTIME));
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
	KUNIT_EXPECT_EQ(test, p.setns_types, NS_LINUX);
	/* only the flag check, so a flag taken out of a mask takes effect */
	KUNIT_EXPECT_EQ(test, p.rules, (u32)RULE(UNSUPPORTED_FLAG));
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
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_FLAGS, GENMASK_ULL(37, 7));
	KUNIT_EXPECT_EQ(test, CLONEGATE_GVISOR_CLONE_FLAGS &
			~CLONEGATE_LINUX_FLAGS, 0ULL);
	KUNIT_EXPECT_EQ(test, CLONEGATE_GVISOR_UNSHARE_FLAGS &
			~CLONEGATE_LINUX_UNSHARE_FLAGS, 0ULL);
	KUNIT_EXPECT_EQ(test, CLONEGATE_LINUX_UNSHARE_FLAGS &
			~CLONEGATE_LINUX_FLAGS, 0ULL);
	KUNIT_EXPECT_EQ(test, NS_GVISOR & ~NS_LINUX, 0ULL);
	KUNIT_EXPECT_EQ(test, NS_LINUX & ~CLONEGATE_LINUX_UNSHARE_FLAGS, 0ULL);
	/* setns joins what unshare can make: gVisor's sets agree */
	KUNIT_EXPECT_EQ(test, NS_GVISOR & ~CLONEGATE_GVISOR_UNSHARE_FLAGS,
			0ULL);
	KUNIT_EXPECT_EQ(test, hweight64(NS_LINUX), 8U);
	KUNIT_EXPECT_EQ(test, CLONEGATE_OPS_CLONE_FAMILY &
			BIT(CLONEGATE_OP_UNSHARE), 0UL);
	KUNIT_EXPECT_EQ(test, CLONEGATE_OPS_CLONE_FAMILY &
			BIT(CLONEGATE_OP_SETNS), 0UL);
}

/**
 * struct rule_row_abi - a rule row's ABI: its number, name and errno
 * @rule: the row
 * @name: the name sysfs, records and the rules file use
 * @err: the errno it denies with
 */
struct rule_row_abi {
	enum clonegate_rule rule;
	const char *name;
	int err;
};

static const struct rule_row_abi rule_abi_table[] = {
	{ CLONEGATE_RULE_SETNS_PIDFD, "setns_pidfd", -EINVAL },
	{ CLONEGATE_RULE_UNSUPPORTED_FLAG, "unsupported_flag", -EINVAL },
	{ CLONEGATE_RULE_SIGHAND_WITHOUT_VM, "sighand_without_vm", -EINVAL },
	{ CLONEGATE_RULE_SET_TID, "set_tid", -EOPNOTSUPP },
	{ CLONEGATE_RULE_THREAD_WITHOUT_SIGHAND, "thread_without_sighand",
	  -EINVAL },
	{ CLONEGATE_RULE_THREAD_NEWPID, "thread_newpid", -EINVAL },
	{ CLONEGATE_RULE_NEWPID_PENDING, "newpid_pending", -EINVAL },
	{ CLONEGATE_RULE_NEWUSER_THREAD_FS, "newuser_thread_fs", -EINVAL },
	{ CLONEGATE_RULE_BAD_EXIT_SIGNAL, "bad_exit_signal", -EINVAL },
	{ CLONEGATE_RULE_FS_NEWNS, "fs_newns", -EINVAL },
	{ CLONEGATE_RULE_UNSHARE_VM_SIGHAND, "unshare_vm_sighand", -EINVAL },
	{ CLONEGATE_RULE_UNSHARE_THREAD_MULTITHREADED,
	  "unshare_thread_multithreaded", -EINVAL },
	{ CLONEGATE_RULE_NS_NEEDS_CAP, "ns_needs_cap", -EPERM },
	/* not a row: no rule, and anything past the table */
	{ CLONEGATE_RULE_NONE, "none", 0 },
	{ CLONEGATE_RULE_NONE + 7, "none", 0 },
};

static_assert(ARRAY_SIZE(rule_abi_table) == CLONEGATE_RULE_COUNT + 2);

static void rule_abi_desc(const struct rule_row_abi *row, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%d_%s", row->rule, row->name);
}

KUNIT_ARRAY_PARAM(rule_abi, rule_abi_table, rule_abi_desc);

/* Rule numbers and names are ABI: records, stats/rules/ and rules. */
static void rule_abi(struct kunit *test)
{
	const struct rule_row_abi *row = test->param_value;

	KUNIT_EXPECT_STREQ(test, clonegate_rule_name(row->rule), row->name);
	KUNIT_EXPECT_EQ(test, clonegate_rule_errno(row->rule), row->err);
}

/**
 * struct names_row - one entry of a name table
 * @name: the description
 * @table: the table
 * @index: the entry
 * @want: its name
 */
struct names_row {
	const char *name;
	const char *const *table;
	unsigned int index;
	const char *want;
};

#define OPN(id, s)	{ "op_" s, clonegate_op_names, CLONEGATE_OP_##id, s }
#define MODEN(id, s)	{ "mode_" s, clonegate_mode_names, CLONEGATE_MODE_##id, s }
#define PROFN(id, s)	{ "profile_" s, clonegate_profile_names,	\
			  CLONEGATE_PROFILE_##id, s }
#define FORMN(id, s)	{ "setns_form_" s, clonegate_setns_form_names,	\
			  CLONEGATE_SETNS_##id, s }

static const struct names_row names_table[] = {
	OPN(CLONE, "clone"), OPN(CLONE3, "clone3"), OPN(FORK, "fork"),
	OPN(VFORK, "vfork"), OPN(UNSHARE, "unshare"), OPN(SETNS, "setns"),
	OPN(HEALTH, "health"),
	MODEN(OFF, "off"), MODEN(AUDIT, "audit"), MODEN(ENFORCE, "enforce"),
	PROFN(GVISOR, "gvisor"), PROFN(PERMISSIVE, "permissive"),
	PROFN(CUSTOM, "custom"),
	FORMN(NSFD, "nsfd"), FORMN(PIDFD, "pidfd"),
};

static void names_row_desc(const struct names_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(names_table, names_table, names_row_desc);

static void names_tables(struct kunit *test)
{
	const struct names_row *row = test->param_value;

	KUNIT_ASSERT_NOT_NULL(test, row->table[row->index]);
	KUNIT_EXPECT_STREQ(test, row->table[row->index], row->want);
}

static struct kunit_case clonegate_profile_cases[] = {
	KUNIT_CASE(policy_init_gvisor),
	KUNIT_CASE(policy_init_permissive),
	KUNIT_CASE(policy_init_custom_is_gvisor),
	KUNIT_CASE(policy_init_overwrites_everything),
	KUNIT_CASE(policy_masks_nest),
	KUNIT_CASE_PARAM(rule_abi, rule_abi_gen_params),
	KUNIT_CASE_PARAM(names_tables, names_table_gen_params),
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
