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

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <uapi/linux/sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif

/* Every bit Linux defines for clone, clone3 and unshare: bits 7 to 33. */
#define CLONEGATE_LINUX_FLAGS	0x3ffffff80ULL

/* The flags Linux's unshare(2) accepts (kernel/fork.c:check_unshare_flags). */
#define CLONEGATE_LINUX_UNSHARE_FLAGS					\
	((u64)(CLONE_THREAD | CLONE_FS | CLONE_NEWNS | CLONE_SIGHAND |	\
	       CLONE_VM | CLONE_FILES | CLONE_SYSVSEM | CLONE_NEWUTS |	\
	       CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWUSER |		\
	       CLONE_NEWPID | CLONE_NEWCGROUP | CLONE_NEWTIME))

/* gVisor's SupportedCloneFlags (pkg/sentry/kernel/task_clone.go). */
#define CLONEGATE_GVISOR_CLONE_FLAGS					\
	((u64)(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SYSVSEM |	\
	       CLONE_THREAD | CLONE_SIGHAND | CLONE_CHILD_SETTID |	\
	       CLONE_NEWPID | CLONE_CHILD_CLEARTID | CLONE_PARENT |	\
	       CLONE_PARENT_SETTID | CLONE_SETTLS | CLONE_NEWUSER |	\
	       CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |		\
	       CLONE_PTRACE | CLONE_UNTRACED | CLONE_IO | CLONE_VFORK |	\
	       CLONE_DETACHED | CLONE_NEWNS))

/*
 * What gVisor's Task.Unshare handles: Linux's set without the cgroup and
 * time namespaces, which the sentry does not implement.
 */
#define CLONEGATE_GVISOR_UNSHARE_FLAGS					\
	(CLONEGATE_LINUX_UNSHARE_FLAGS & ~(u64)(CLONE_NEWCGROUP | CLONE_NEWTIME))

/*
 * The longest value a policy file takes: every flag name fits many times
 * over. A longer write (sysfs cuts writes at a page) is refused whole.
 */
#define CLONEGATE_VALUE_MAX	1024

enum clonegate_op {
	CLONEGATE_OP_CLONE,
	CLONEGATE_OP_CLONE3,
	CLONEGATE_OP_FORK,
	CLONEGATE_OP_VFORK,
	CLONEGATE_OP_UNSHARE,
	CLONEGATE_OP_COUNT
};

#define CLONEGATE_OPS_CLONE_FAMILY					\
	(BIT(CLONEGATE_OP_CLONE) | BIT(CLONEGATE_OP_CLONE3) |		\
	 BIT(CLONEGATE_OP_FORK) | BIT(CLONEGATE_OP_VFORK))
#define CLONEGATE_OPS_UNSHARE	BIT(CLONEGATE_OP_UNSHARE)

enum clonegate_mode {
	CLONEGATE_MODE_OFF,
	CLONEGATE_MODE_AUDIT,
	CLONEGATE_MODE_ENFORCE,
	CLONEGATE_MODE_COUNT
};

enum clonegate_profile {
	CLONEGATE_PROFILE_GVISOR,
	CLONEGATE_PROFILE_PERMISSIVE,
	CLONEGATE_PROFILE_CUSTOM,
	CLONEGATE_PROFILE_COUNT
};

/* The rows of gVisor's Task.Clone and Task.Unshare, in the seed's order. */
enum clonegate_rule {
	CLONEGATE_RULE_UNSUPPORTED_FLAG,
	CLONEGATE_RULE_SIGHAND_WITHOUT_VM,
	CLONEGATE_RULE_SET_TID,
	CLONEGATE_RULE_THREAD_WITHOUT_SIGHAND,
	CLONEGATE_RULE_THREAD_NEWPID,
	CLONEGATE_RULE_NEWPID_PENDING,
	CLONEGATE_RULE_NEWUSER_THREAD_FS,
	CLONEGATE_RULE_BAD_EXIT_SIGNAL,
	CLONEGATE_RULE_FS_NEWNS,
	CLONEGATE_RULE_UNSHARE_VM_SIGHAND,
	CLONEGATE_RULE_UNSHARE_THREAD_MULTITHREADED,
	CLONEGATE_RULE_NEWUSER_CHROOT,
	CLONEGATE_RULE_NS_NEEDS_CAP,
	CLONEGATE_RULE_COUNT,
	/* Not a row: the verdict of a call no rule denied. */
	CLONEGATE_RULE_NONE = CLONEGATE_RULE_COUNT
};

#define CLONEGATE_RULES_ALL	(BIT(CLONEGATE_RULE_COUNT) - 1)

/* Facts about the caller that some rules need; see clonegate_call_needs(). */
enum clonegate_fact {
	/* root directory is not the root of its mount namespace */
	CLONEGATE_FACT_CHROOTED		= BIT(0),
	/* the only thread of its thread group */
	CLONEGATE_FACT_SINGLE_THREADED	= BIT(1),
	/* unshare(CLONE_NEWPID) or setns left a pid namespace for children */
	CLONEGATE_FACT_PIDNS_PENDING	= BIT(2),
	/* CAP_SYS_ADMIN in the caller's user namespace */
	CLONEGATE_FACT_CAP_SYS_ADMIN	= BIT(3),
};

/**
 * struct clonegate_call - a snapshot of one clone-family or unshare call
 * @op: the system call
 * @flags: clone flags as the kernel will use them (kernel memory)
 * @exit_signal: the exit signal (clone family only)
 * @set_tid_size: number of set_tid entries (clone3 only)
 * @facts: CLONEGATE_FACT_* bits; only those clonegate_call_needs() asks
 *         for are meaningful
 */
struct clonegate_call {
	enum clonegate_op op;
	u64 flags;
	int exit_signal;
	u64 set_tid_size;
	u32 facts;
};

/**
 * struct clonegate_policy - one complete, immutable policy
 * @mode: off, audit or enforce
 * @profile: the profile it was built from, or custom once edited
 * @clone_flags: the clone flags allowed for clone, clone3, fork and vfork
 * @unshare_flags: the flags allowed for unshare
 * @rules: CLONEGATE_RULE_* bits of the enabled rule rows
 * @rcu: for freeing after a swap
 *
 * Never changed once published: a change builds a new one.
 */
struct clonegate_policy {
	enum clonegate_mode mode;
	enum clonegate_profile profile;
	u64 clone_flags;
	u64 unshare_flags;
	u32 rules;
	struct rcu_head rcu;
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

extern const char *const clonegate_op_names[CLONEGATE_OP_COUNT];
extern const char *const clonegate_mode_names[CLONEGATE_MODE_COUNT];
extern const char *const clonegate_profile_names[CLONEGATE_PROFILE_COUNT];

const char *clonegate_rule_name(enum clonegate_rule rule);
int clonegate_rule_errno(enum clonegate_rule rule);
u32 clonegate_call_needs(enum clonegate_op op, u64 flags);
struct clonegate_verdict clonegate_decide(const struct clonegate_policy *p,
					  const struct clonegate_call *call);
void clonegate_policy_init(struct clonegate_policy *p,
			   enum clonegate_profile profile,
			   enum clonegate_mode mode);

typedef const char *(*clonegate_name_fn)(unsigned int i);

const char *clonegate_flag_name(unsigned int bit);
int clonegate_parse_set(const char *buf, size_t len, clonegate_name_fn name,
			unsigned int count, u64 valid, u64 old, u64 *out);
int clonegate_format_set(char *buf, size_t size, clonegate_name_fn name,
			 unsigned int count, u64 set);
int clonegate_parse_flags(const char *buf, size_t len, u64 valid, u64 old,
			  u64 *out);
int clonegate_format_flags(char *buf, size_t size, u64 flags);
int clonegate_parse_rules(const char *buf, size_t len, u32 old, u32 *out);
int clonegate_parse_name(const char *buf, size_t len,
			 const char *const *names, unsigned int count);

#endif /* _CLONEGATE_POLICY_H */
