// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate policy: gVisor's clone, unshare and setns rules as a table, and
 * the profiles.
 *
 * Pure: nothing here reads current, takes a lock or touches a global that
 * changes, so KUnit can test every row with made-up calls.
 */
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/signal.h>

#include "policy.h"

/* Namespaces whose creation gVisor's Task.Clone checks CAP_SYS_ADMIN for. */
#define CLONE_NS_NEEDS_CAP \
	(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)
/* Task.Unshare checks the mount namespace too. */
#define UNSHARE_NS_NEEDS_CAP (CLONE_NS_NEEDS_CAP | CLONE_NEWNS)

static bool has(const struct clonegate_call *c, u64 flags)
{
	return c->flags & flags;
}

static bool fact(const struct clonegate_call *c, u32 f)
{
	return c->facts & f;
}

static u64 allowed_flags(const struct clonegate_policy *p,
			 const struct clonegate_call *c)
{
	switch (c->op) {
	case CLONEGATE_OP_UNSHARE:
		return p->unshare_flags;
	case CLONEGATE_OP_SETNS:
		return p->setns_types;
	default:
		return p->clone_flags;
	}
}

static bool match_unsupported_flag(const struct clonegate_policy *p,
				   const struct clonegate_call *c)
{
	return c->flags & ~allowed_flags(p, c);
}

/* Signal actions name handlers by address: they need one address space. */
static bool match_sighand_without_vm(const struct clonegate_policy *p,
				     const struct clonegate_call *c)
{
	return has(c, CLONE_SIGHAND) && !has(c, CLONE_VM);
}

static bool match_set_tid(const struct clonegate_policy *p,
			  const struct clonegate_call *c)
{
	return c->set_tid_size != 0;
}

/* Thread-group-directed signals need one set of handlers per group. */
static bool match_thread_without_sighand(const struct clonegate_policy *p,
					 const struct clonegate_call *c)
{
	return has(c, CLONE_THREAD) && !has(c, CLONE_SIGHAND);
}

/* All threads of a group live in one pid namespace. */
static bool match_thread_newpid(const struct clonegate_policy *p,
				const struct clonegate_call *c)
{
	return has(c, CLONE_THREAD) &&
	       (has(c, CLONE_NEWPID) || fact(c, CLONEGATE_FACT_PIDNS_PENDING));
}

/* CLONE_NEWPID and a pending unshare(CLONE_NEWPID) are two ways to ask. */
static bool match_newpid_pending(const struct clonegate_policy *p,
				 const struct clonegate_call *c)
{
	return has(c, CLONE_NEWPID) && fact(c, CLONEGATE_FACT_PIDNS_PENDING);
}

/* Thread groups and fs contexts cannot span user namespaces. */
static bool match_newuser_thread_fs(const struct clonegate_policy *p,
				    const struct clonegate_call *c)
{
	return has(c, CLONE_NEWUSER) && has(c, CLONE_THREAD | CLONE_FS);
}

static bool match_bad_exit_signal(const struct clonegate_policy *p,
				  const struct clonegate_call *c)
{
	return c->exit_signal != 0 && !valid_signal(c->exit_signal);
}

/* A new mount namespace cannot share the root and cwd of the old one. */
static bool match_fs_newns(const struct clonegate_policy *p,
			   const struct clonegate_call *c)
{
	return has(c, CLONE_FS) && has(c, CLONE_NEWNS);
}

/* The sentry does not count users of an mm or a sighand: refuse both. */
static bool match_unshare_vm_sighand(const struct clonegate_policy *p,
				     const struct clonegate_call *c)
{
	return has(c, CLONE_VM | CLONE_SIGHAND);
}

static bool match_unshare_thread_multithreaded(const struct clonegate_policy *p,
					       const struct clonegate_call *c)
{
	return has(c, CLONE_THREAD) &&
	       !fact(c, CLONEGATE_FACT_SINGLE_THREADED);
}

/* Only through a namespace file: gVisor's Task.Setns takes nothing else. */
static bool match_setns_pidfd(const struct clonegate_policy *p,
			      const struct clonegate_call *c)
{
	return c->setns_form == CLONEGATE_SETNS_PIDFD;
}

/*
 * The new user namespace, created first, gives its creator every capability
 * over the other namespaces of the same call.
 */
static bool match_ns_needs_cap(const struct clonegate_policy *p,
			       const struct clonegate_call *c)
{
	u64 ns = c->op == CLONEGATE_OP_UNSHARE ? UNSHARE_NS_NEEDS_CAP :
						 CLONE_NS_NEEDS_CAP;

	return has(c, ns) && !has(c, CLONE_NEWUSER) &&
	       !fact(c, CLONEGATE_FACT_CAP_SYS_ADMIN);
}

struct rule_row {
	unsigned int ops;
	int err;
	/* a row can only match a call with one of these flags; 0: any call */
	u64 when;
	/* facts the predicate reads, and the flags that make it read them */
	u32 facts;
	u64 facts_when;
};

#define ROW(id, o, e, w, fa, fw)					\
	[CLONEGATE_RULE_##id] = { .ops = (o), .err = (e), .when = (w),	\
				  .facts = (fa), .facts_when = (fw) }

#define CLONE_OPS	CLONEGATE_OPS_CLONE_FAMILY
#define UNSHARE_OPS	BIT(CLONEGATE_OP_UNSHARE)
#define SETNS_OPS	BIT(CLONEGATE_OP_SETNS)
#define ALL_OPS		(CLONE_OPS | UNSHARE_OPS | SETNS_OPS)

/* In the order gVisor checks them: the first match decides. */
static const struct rule_row rules[] = {
	ROW(SETNS_PIDFD, SETNS_OPS, -EINVAL, 0, 0, 0),
	ROW(UNSUPPORTED_FLAG, ALL_OPS, -EINVAL, 0, 0, 0),
	ROW(SIGHAND_WITHOUT_VM, CLONE_OPS, -EINVAL, CLONE_SIGHAND, 0, 0),
	ROW(SET_TID, CLONE_OPS, -EOPNOTSUPP, 0, 0, 0),
	ROW(THREAD_WITHOUT_SIGHAND, CLONE_OPS, -EINVAL, CLONE_THREAD, 0, 0),
	ROW(THREAD_NEWPID, CLONE_OPS, -EINVAL, CLONE_THREAD,
	    CLONEGATE_FACT_PIDNS_PENDING, CLONE_THREAD),
	ROW(NEWPID_PENDING, CLONE_OPS, -EINVAL, CLONE_NEWPID,
	    CLONEGATE_FACT_PIDNS_PENDING, CLONE_NEWPID),
	ROW(NEWUSER_THREAD_FS, CLONE_OPS, -EINVAL, CLONE_NEWUSER, 0, 0),
	ROW(BAD_EXIT_SIGNAL, CLONE_OPS, -EINVAL, 0, 0, 0),
	ROW(FS_NEWNS, CLONE_OPS, -EINVAL, CLONE_NEWNS, 0, 0),
	ROW(UNSHARE_VM_SIGHAND, UNSHARE_OPS, -EINVAL, CLONE_VM | CLONE_SIGHAND,
	    0, 0),
	ROW(UNSHARE_THREAD_MULTITHREADED, UNSHARE_OPS, -EINVAL, CLONE_THREAD,
	    CLONEGATE_FACT_SINGLE_THREADED, CLONE_THREAD),
	ROW(NS_NEEDS_CAP, CLONE_OPS | UNSHARE_OPS, -EPERM,
	    UNSHARE_NS_NEEDS_CAP, CLONEGATE_FACT_CAP_SYS_ADMIN,
	    UNSHARE_NS_NEEDS_CAP),
};

static_assert(ARRAY_SIZE(rules) == CLONEGATE_RULE_COUNT);

/*
 * Each row's predicate, by a switch rather than a pointer in the row: the
 * predicates are inlined into clonegate_decide(), which every hooked call
 * runs, and no indirect call is made there.
 */
static bool match(enum clonegate_rule rule, const struct clonegate_policy *p,
		  const struct clonegate_call *c)
{
	switch (rule) {
	case CLONEGATE_RULE_SETNS_PIDFD:
		return match_setns_pidfd(p, c);
	case CLONEGATE_RULE_UNSUPPORTED_FLAG:
		return match_unsupported_flag(p, c);
	case CLONEGATE_RULE_SIGHAND_WITHOUT_VM:
		return match_sighand_without_vm(p, c);
	case CLONEGATE_RULE_SET_TID:
		return match_set_tid(p, c);
	case CLONEGATE_RULE_THREAD_WITHOUT_SIGHAND:
		return match_thread_without_sighand(p, c);
	case CLONEGATE_RULE_THREAD_NEWPID:
		return match_thread_newpid(p, c);
	case CLONEGATE_RULE_NEWPID_PENDING:
		return match_newpid_pending(p, c);
	case CLONEGATE_RULE_NEWUSER_THREAD_FS:
		return match_newuser_thread_fs(p, c);
	case CLONEGATE_RULE_BAD_EXIT_SIGNAL:
		return match_bad_exit_signal(p, c);
	case CLONEGATE_RULE_FS_NEWNS:
		return match_fs_newns(p, c);
	case CLONEGATE_RULE_UNSHARE_VM_SIGHAND:
		return match_unshare_vm_sighand(p, c);
	case CLONEGATE_RULE_UNSHARE_THREAD_MULTITHREADED:
		return match_unshare_thread_multithreaded(p, c);
	case CLONEGATE_RULE_NS_NEEDS_CAP:
		return match_ns_needs_cap(p, c);
	default:
		return false;
	}
}

/* Every flag that makes some row read a fact: the union of facts_when. */
#define FACTS_WHEN	((u64)(CLONE_THREAD | CLONE_NEWPID) | UNSHARE_NS_NEEDS_CAP)

/* padded with NULs to the record's field: a record copies a name whole */
#define RULE_NAME(n, id, name)						\
	[n] = #name,
#define RULE_NAME_TOO_LONG(n, id, name)					\
	+ (sizeof(#name) > CLONEGATE_RULE_LEN)
static const char rule_names[][CLONEGATE_RULE_LEN] = {
	CLONEGATE_RULES(RULE_NAME)
};
static const char rule_none[CLONEGATE_RULE_LEN] = "none";

/* a name of CLONEGATE_RULE_LEN characters would lose its NUL silently */
static_assert((0 CLONEGATE_RULES(RULE_NAME_TOO_LONG)) == 0);
static_assert(ARRAY_SIZE(rule_names) == CLONEGATE_RULE_COUNT);

/**
 * clonegate_rule_name() - the stable name of a rule row
 * @rule: a rule id, or CLONEGATE_RULE_NONE
 *
 * Return: the name logs, events and sysfs show; "none" for no rule. It
 * is CLONEGATE_RULE_LEN bytes, padded with NULs.
 */
const char *clonegate_rule_name(enum clonegate_rule rule)
{
	return rule < CLONEGATE_RULE_COUNT ? rule_names[rule] : rule_none;
}

/**
 * clonegate_rule_errno() - the errno a rule row denies with
 * @rule: a rule id
 *
 * Return: the negative errno, or 0 for CLONEGATE_RULE_NONE.
 */
int clonegate_rule_errno(enum clonegate_rule rule)
{
	return rule < CLONEGATE_RULE_COUNT ? rules[rule].err : 0;
}

/**
 * clonegate_call_needs() - the caller facts a decision on these flags reads
 * @op: the operation
 * @flags: its clone flags
 *
 * Some facts cost a path walk or a capability check; the hooks gather only
 * the ones a rule could read, so a plain fork gathers none.
 *
 * Return: a mask of CLONEGATE_FACT_* bits.
 */
u32 clonegate_call_needs(enum clonegate_op op, u64 flags)
{
	u32 needs = 0;
	int i;

	/* a plain fork or unshare(0) needs nothing: no walk */
	if (!(flags & FACTS_WHEN))
		return 0;
	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		if ((rules[i].ops & BIT(op)) && (flags & rules[i].facts_when))
			needs |= rules[i].facts;
	return needs;
}

/**
 * clonegate_decide() - decide one call against one policy
 * @p: the policy
 * @call: the snapshot of the call
 *
 * Mode is not applied here: the verdict says what enforce would do, and the
 * caller turns a deny into "audited" under audit.
 *
 * Return: the verdict: err 0 and CLONEGATE_RULE_NONE to allow, or the errno
 * and id of the first enabled rule row that matched.
 */
struct clonegate_verdict clonegate_decide(const struct clonegate_policy *p,
					  const struct clonegate_call *call)
{
	struct clonegate_verdict v = { 0, CLONEGATE_RULE_NONE };
	int i;

	for (i = 0; i < CLONEGATE_RULE_COUNT; i++) {
		const struct rule_row *r = &rules[i];

		/* most calls carry none of the flags a row is about */
		if (!(p->rules & BIT(i)) || !(r->ops & BIT(call->op)) ||
		    (r->when && !(call->flags & r->when)))
			continue;
		if (match(i, p, call)) {
			v.err = r->err;
			v.rule = i;
			break;
		}
	}
	return v;
}

/**
 * clonegate_slow_flags() - the flags that need a full decision
 * @p: the policy
 * @op: the operation
 *
 * A call of @op none of whose flags is in the result is allowed by @p, as
 * long as, for the clone family, it has no set_tid and a valid exit signal
 * (0 or 1 to 64): no enabled row can match it. The hooks let such a call
 * go without gathering facts or walking the rows. A row that could match
 * a call whatever its flags makes the result all ones.
 *
 * Return: the flags, or ~0 if every call of @op needs a full decision.
 */
u64 clonegate_slow_flags(const struct clonegate_policy *p,
			 enum clonegate_op op)
{
	u64 slow = 0;
	int i;

	if (p->mode == CLONEGATE_MODE_OFF)
		return 0;
	for (i = 0; i < CLONEGATE_RULE_COUNT; i++) {
		if (!(p->rules & BIT(i)) || !(rules[i].ops & BIT(op)))
			continue;
		if (rules[i].when)
			slow |= rules[i].when;
		else if (i == CLONEGATE_RULE_UNSUPPORTED_FLAG)
			slow |= ~allowed_flags(p, &(struct clonegate_call){
							.op = op });
		else if (i != CLONEGATE_RULE_SET_TID &&
			 i != CLONEGATE_RULE_BAD_EXIT_SIGNAL)
			return ~0ULL;
	}
	return slow;
}

/**
 * clonegate_policy_init() - fill a policy from a profile
 * @p: the policy to fill
 * @profile: gvisor or permissive (custom is treated as gvisor)
 * @mode: the mode to set
 */
void clonegate_policy_init(struct clonegate_policy *p,
			   enum clonegate_profile profile,
			   enum clonegate_mode mode)
{
	memset(p, 0, sizeof(*p));
	p->mode = mode;
	if (profile == CLONEGATE_PROFILE_PERMISSIVE) {
		p->profile = profile;
		p->clone_flags = CLONEGATE_LINUX_FLAGS;
		p->unshare_flags = CLONEGATE_LINUX_UNSHARE_FLAGS;
		p->setns_types = CLONEGATE_LINUX_NS_TYPES;
		/*
		 * Only the flag check: with every flag allowed it denies
		 * nothing Linux accepts, and a flag taken out of clone_flags,
		 * unshare_flags or setns_types then takes effect.
		 */
		p->rules = BIT(CLONEGATE_RULE_UNSUPPORTED_FLAG);
	} else {
		p->profile = CLONEGATE_PROFILE_GVISOR;
		p->clone_flags = CLONEGATE_GVISOR_CLONE_FLAGS;
		p->unshare_flags = CLONEGATE_GVISOR_UNSHARE_FLAGS;
		p->setns_types = CLONEGATE_GVISOR_NS_TYPES;
		p->rules = CLONEGATE_RULES_ALL;
	}
}
