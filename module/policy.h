/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate policy: the pure part.
 *
 * Everything here is a function of its arguments: no current, no hooks, no
 * globals that change. The hooks snapshot a call into struct clonegate_call
 * and ask clonegate_decide(); KUnit tests the same function table by table.
 */
#ifndef _CLONEGATE_POLICY_H
#define _CLONEGATE_POLICY_H

#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/types.h>
#include <uapi/linux/clonegate.h>
#include <uapi/linux/sched.h>

#define __CG_ENUM(prefix, n, id)	prefix##id = n,
#define __CG_OP(n, id, name)		__CG_ENUM(CLONEGATE_OP_, n, id)
#define __CG_MODE(n, id, name)		__CG_ENUM(CLONEGATE_MODE_, n, id)
#define __CG_PROFILE(n, id, name)	__CG_ENUM(CLONEGATE_PROFILE_, n, id)
#define __CG_RULE(n, id, name)		__CG_ENUM(CLONEGATE_RULE_, n, id)
#define __CG_DECISION(n, id, name)	__CG_ENUM(CLONEGATE_, n, id)
#define __CG_CHANNEL(n, id, name)	__CG_ENUM(CLONEGATE_CHANNEL_, n, id)
#define __CG_COUNT(n, id, name)		+ 1

/* Operations a policy decides: the event ops without health. */
enum clonegate_op {
	CLONEGATE_OPS(__CG_OP)
	CLONEGATE_OP_COUNT = CLONEGATE_OP_HEALTH
};

enum clonegate_mode {
	CLONEGATE_MODES(__CG_MODE)
	CLONEGATE_MODE_COUNT = 0 CLONEGATE_MODES(__CG_COUNT)
};

enum clonegate_profile {
	CLONEGATE_PROFILES(__CG_PROFILE)
	CLONEGATE_PROFILE_COUNT = 0 CLONEGATE_PROFILES(__CG_COUNT)
};

enum clonegate_rule {
	CLONEGATE_RULES(__CG_RULE)
	CLONEGATE_RULE_COUNT = 0 CLONEGATE_RULES(__CG_COUNT),
	/* Not a row: the verdict of a call no rule denied. */
	CLONEGATE_RULE_NONE = CLONEGATE_RULE_COUNT
};

enum clonegate_decision {
	CLONEGATE_DECISIONS(__CG_DECISION)
	CLONEGATE_DECISION_COUNT = 0 CLONEGATE_DECISIONS(__CG_COUNT)
};

enum clonegate_channel {
	CLONEGATE_CHANNELS(__CG_CHANNEL)
	CLONEGATE_CHANNEL_COUNT = 0 CLONEGATE_CHANNELS(__CG_COUNT)
};

#define CLONEGATE_RULES_ALL	((u32)BIT(CLONEGATE_RULE_COUNT) - 1)

#define CLONEGATE_OPS_CLONE_FAMILY					\
	(BIT(CLONEGATE_OP_CLONE) | BIT(CLONEGATE_OP_CLONE3) |		\
	 BIT(CLONEGATE_OP_FORK) | BIT(CLONEGATE_OP_VFORK))

/*
 * The profiles' masks are in the uapi header, as numbers user space can
 * use; here they are spelled out flag by flag, and checked to agree.
 */
static_assert(CLONEGATE_LINUX_UNSHARE_FLAGS ==
	      (u64)(CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND |
		    CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWUTS |
		    CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |
		    CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME));
static_assert(CLONEGATE_LINUX_NS_TYPES ==
	      (u64)(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS |
		    CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |
		    CLONE_NEWNET | CLONE_NEWTIME));
static_assert(CLONEGATE_GVISOR_CLONE_FLAGS ==
	      (u64)(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM |
		    CLONE_THREAD | CLONE_SIGHAND | CLONE_CHILD_SETTID |
		    CLONE_NEWPID | CLONE_CHILD_CLEARTID | CLONE_PARENT |
		    CLONE_PARENT_SETTID | CLONE_SETTLS | CLONE_NEWUSER |
		    CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
		    CLONE_PTRACE | CLONE_UNTRACED | CLONE_IO | CLONE_VFORK |
		    CLONE_DETACHED | CLONE_NEWNS));
static_assert(CLONEGATE_GVISOR_UNSHARE_FLAGS ==
	      (CLONEGATE_LINUX_UNSHARE_FLAGS &
	       ~(u64)(CLONE_NEWCGROUP | CLONE_NEWTIME)));
static_assert(CLONEGATE_GVISOR_NS_TYPES ==
	      (u64)(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWUTS));

/* Facts about the caller that some rules need; see clonegate_call_needs(). */
enum clonegate_fact {
	/* the only thread of its thread group */
	CLONEGATE_FACT_SINGLE_THREADED	= BIT(0),
	/* unshare(CLONE_NEWPID) or setns left a pid namespace for children */
	CLONEGATE_FACT_PIDNS_PENDING	= BIT(1),
	/* CAP_SYS_ADMIN in the caller's user namespace */
	CLONEGATE_FACT_CAP_SYS_ADMIN	= BIT(2),
};

/**
 * struct clonegate_call - a snapshot of one call, taken from kernel memory
 * @op: the system call
 * @flags: clone or unshare flags as the kernel will use them; for setns,
 *         the CLONE_NEW* flags of the namespaces joined
 * @exit_signal: the exit signal (clone family only)
 * @set_tid_size: number of set_tid entries (clone3 only)
 * @facts: CLONEGATE_FACT_* bits; only those clonegate_call_needs() asks
 *         for are meaningful
 * @setns_form: setns only: enum clonegate_setns_form
 * @ns_inum: setns only: the inode number of the namespace joined, or 0
 */
struct clonegate_call {
	enum clonegate_op op;
	u64 flags;
	int exit_signal;
	u64 set_tid_size;
	u32 facts;
	u16 setns_form;
	u64 ns_inum;
};

/**
 * struct clonegate_policy - one complete policy, of the host or a scope
 * @mode: off, audit or enforce
 * @profile: the profile it was built from, or custom once edited
 * @clone_flags: the clone flags allowed for clone, clone3, fork and vfork
 * @unshare_flags: the flags allowed for unshare
 * @setns_types: the CLONE_NEW* flags of the namespaces setns may join
 * @rules: CLONEGATE_RULE_* bits of the enabled rule rows
 */
struct clonegate_policy {
	enum clonegate_mode mode;
	enum clonegate_profile profile;
	u64 clone_flags;
	u64 unshare_flags;
	u64 setns_types;
	u32 rules;
};

/**
 * struct clonegate_verdict - what the policy says about one call
 * @err: 0 to allow, or the negative errno gVisor returns
 * @rule: the rule that fired, or CLONEGATE_RULE_NONE
 */
struct clonegate_verdict {
	int err;
	enum clonegate_rule rule;
};

const char *clonegate_rule_name(enum clonegate_rule rule);
int clonegate_rule_errno(enum clonegate_rule rule);
u32 clonegate_call_needs(enum clonegate_op op, u64 flags);
struct clonegate_verdict clonegate_decide(const struct clonegate_policy *p,
					  const struct clonegate_call *call);
u64 clonegate_slow_flags(const struct clonegate_policy *p,
			 enum clonegate_op op);
void clonegate_policy_init(struct clonegate_policy *p,
			   enum clonegate_profile profile,
			   enum clonegate_mode mode);

#endif /* _CLONEGATE_POLICY_H */
