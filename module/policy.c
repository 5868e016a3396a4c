// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate policy: gVisor's clone and unshare rules as a table, the
 * profiles, and the parsers of the values sysfs and module parameters take.
 *
 * Pure: nothing here reads current, takes a lock or touches a global that
 * changes, so KUnit can test every row with made-up calls.
 */
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include <uapi/linux/clonegate.h>

#include "policy.h"

const char *const clonegate_op_names[CLONEGATE_OP_COUNT] = {
	[CLONEGATE_OP_CLONE]	= "clone",
	[CLONEGATE_OP_CLONE3]	= "clone3",
	[CLONEGATE_OP_FORK]	= "fork",
	[CLONEGATE_OP_VFORK]	= "vfork",
	[CLONEGATE_OP_UNSHARE]	= "unshare",
};

const char *const clonegate_mode_names[CLONEGATE_MODE_COUNT] = {
	[CLONEGATE_MODE_OFF]		= "off",
	[CLONEGATE_MODE_AUDIT]		= "audit",
	[CLONEGATE_MODE_ENFORCE]	= "enforce",
};

const char *const clonegate_profile_names[CLONEGATE_PROFILE_COUNT] = {
	[CLONEGATE_PROFILE_GVISOR]	= "gvisor",
	[CLONEGATE_PROFILE_PERMISSIVE]	= "permissive",
	[CLONEGATE_PROFILE_CUSTOM]	= "custom",
};

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
	return c->op == CLONEGATE_OP_UNSHARE ? p->unshare_flags : p->clone_flags;
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

static bool match_newuser_chroot(const struct clonegate_policy *p,
				 const struct clonegate_call *c)
{
	return has(c, CLONE_NEWUSER) && fact(c, CLONEGATE_FACT_CHROOTED);
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
	const char *name;
	unsigned int ops;
	int err;
	/* a row can only match a call with one of these flags; 0: any call */
	u64 when;
	/* facts the predicate reads, and the flags that make it read them */
	u32 facts;
	u64 facts_when;
	bool (*match)(const struct clonegate_policy *p,
		      const struct clonegate_call *c);
};

#define ROW(id, o, e, w, fa, fw, fn)					\
	[CLONEGATE_RULE_##id] = { .name = #fn, .ops = (o), .err = (e),	\
				  .when = (w), .facts = (fa),		\
				  .facts_when = (fw), .match = match_##fn }

#define CLONE_OPS	CLONEGATE_OPS_CLONE_FAMILY
#define UNSHARE_OPS	CLONEGATE_OPS_UNSHARE
#define ALL_OPS		(CLONE_OPS | UNSHARE_OPS)

/* In the order gVisor checks them: the first match decides. */
static const struct rule_row rules[] = {
	ROW(UNSUPPORTED_FLAG, ALL_OPS, -EINVAL, 0, 0, 0, unsupported_flag),
	ROW(SIGHAND_WITHOUT_VM, CLONE_OPS, -EINVAL, CLONE_SIGHAND, 0, 0,
	    sighand_without_vm),
	ROW(SET_TID, CLONE_OPS, -EOPNOTSUPP, 0, 0, 0, set_tid),
	ROW(THREAD_WITHOUT_SIGHAND, CLONE_OPS, -EINVAL, CLONE_THREAD, 0, 0,
	    thread_without_sighand),
	ROW(THREAD_NEWPID, CLONE_OPS, -EINVAL, CLONE_THREAD,
	    CLONEGATE_FACT_PIDNS_PENDING, CLONE_THREAD, thread_newpid),
	ROW(NEWPID_PENDING, CLONE_OPS, -EINVAL, CLONE_NEWPID,
	    CLONEGATE_FACT_PIDNS_PENDING, CLONE_NEWPID, newpid_pending),
	ROW(NEWUSER_THREAD_FS, CLONE_OPS, -EINVAL, CLONE_NEWUSER, 0, 0,
	    newuser_thread_fs),
	ROW(BAD_EXIT_SIGNAL, CLONE_OPS, -EINVAL, 0, 0, 0, bad_exit_signal),
	ROW(FS_NEWNS, CLONE_OPS, -EINVAL, CLONE_NEWNS, 0, 0, fs_newns),
	ROW(UNSHARE_VM_SIGHAND, UNSHARE_OPS, -EINVAL, CLONE_VM | CLONE_SIGHAND,
	    0, 0, unshare_vm_sighand),
	ROW(UNSHARE_THREAD_MULTITHREADED, UNSHARE_OPS, -EINVAL, CLONE_THREAD,
	    CLONEGATE_FACT_SINGLE_THREADED, CLONE_THREAD,
	    unshare_thread_multithreaded),
	ROW(NEWUSER_CHROOT, ALL_OPS, -EPERM, CLONE_NEWUSER,
	    CLONEGATE_FACT_CHROOTED, CLONE_NEWUSER, newuser_chroot),
	ROW(NS_NEEDS_CAP, ALL_OPS, -EPERM, UNSHARE_NS_NEEDS_CAP,
	    CLONEGATE_FACT_CAP_SYS_ADMIN, UNSHARE_NS_NEEDS_CAP, ns_needs_cap),
};

static_assert(ARRAY_SIZE(rules) == CLONEGATE_RULE_COUNT);

/**
 * clonegate_rule_name() - the stable name of a rule row
 * @rule: a rule id, or CLONEGATE_RULE_NONE
 *
 * Return: the name logs, events and sysfs show; "none" for no rule.
 */
const char *clonegate_rule_name(enum clonegate_rule rule)
{
	return rule < CLONEGATE_RULE_COUNT ? rules[rule].name : "none";
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
		if (r->match(p, call)) {
			v.err = r->err;
			v.rule = i;
			break;
		}
	}
	return v;
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
		/*
		 * Only the flag check: with every flag allowed it denies
		 * nothing Linux accepts, and a flag taken out of clone_flags
		 * or unshare_flags then takes effect.
		 */
		p->rules = BIT(CLONEGATE_RULE_UNSUPPORTED_FLAG);
	} else {
		p->profile = CLONEGATE_PROFILE_GVISOR;
		p->clone_flags = CLONEGATE_GVISOR_CLONE_FLAGS;
		p->unshare_flags = CLONEGATE_GVISOR_UNSHARE_FLAGS;
		p->rules = CLONEGATE_RULES_ALL;
	}
}

/* Lowercase names without CLONE_, indexed by bit; NULL where Linux has none. */
static const char *const flag_names[64] = CLONEGATE_FLAG_NAMES;

/**
 * clonegate_flag_name() - the name of one clone flag bit
 * @bit: 0 to 63
 *
 * Return: the name, or NULL if Linux defines no flag at that bit.
 */
const char *clonegate_flag_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(flag_names) ? flag_names[bit] : NULL;
}

/**
 * clonegate_format_set() - render a set as its members' names, in order
 * @buf: where to write
 * @size: its size
 * @name: the name of member i, or NULL for an unnamed bit
 * @count: number of members
 * @set: the set
 *
 * An empty set reads "none", which clonegate_parse_set() takes back.
 *
 * Return: the number of bytes written, including the final newline.
 */
int clonegate_format_set(char *buf, size_t size, clonegate_name_fn name,
			 unsigned int count, u64 set)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < count; i++)
		if ((set & BIT_ULL(i)) && name(i))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? " " : "", name(i));
	if (!len)
		len = scnprintf(buf, size, "none");
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}

/*
 * A value is ASCII text: a NUL inside the write, a byte above 0x7f (the
 * kernel's ctype takes Latin-1 as text) or a control byte other than
 * whitespace means binary input and rejects the write.
 */
static int check_text(const char *buf, size_t len)
{
	size_t i;

	if (len > CLONEGATE_VALUE_MAX)
		return -E2BIG;
	if (strnlen(buf, len) != len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] > 0x7f ||
		    (!isprint(buf[i]) && !isspace(buf[i])))
			return -EINVAL;
	return 0;
}

/* Words are separated by whitespace or commas (handy in module options). */
static bool is_sep(char c)
{
	return isspace(c) || c == ',';
}

static const char *next_word(const char *s, const char *end, size_t *wlen)
{
	const char *w;

	while (s < end && is_sep(*s))
		s++;
	w = s;
	while (s < end && !is_sep(*s))
		s++;
	*wlen = s - w;
	return w;
}

static int member(const char *w, size_t wlen, clonegate_name_fn name,
		  unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (name(i) && strlen(name(i)) == wlen &&
		    !memcmp(name(i), w, wlen))
			return i;
	return -1;
}

/**
 * clonegate_parse_set() - parse a write of a set of named members
 * @buf: the written value
 * @len: its length; a NUL byte inside it is binary input, rejected
 * @name: the name of member i, or NULL for an unnamed bit
 * @count: number of members
 * @valid: the members this value may hold
 * @old: the set now, for edits
 * @out: the new set
 *
 * Two forms, never mixed: a full list of names ("vm fs files"; commas work
 * as separators too) or edits of @old ("+newuser -newnet"). "none" alone
 * is the empty list. Anything else is rejected whole.
 *
 * Return: 0, -E2BIG for a value longer than CLONEGATE_VALUE_MAX, or -EINVAL
 * for an empty, unknown, duplicate, mixed, binary or out-of-@valid value.
 */
int clonegate_parse_set(const char *buf, size_t len, clonegate_name_fn name,
			unsigned int count, u64 valid, u64 old, u64 *out)
{
	const char *end = buf + len, *w;
	u64 set = 0, add = 0, del = 0;
	int words = 0, edits = 0, none = 0;
	size_t wlen;
	int err;

	err = check_text(buf, len);
	if (err)
		return err;
	for (w = next_word(buf, end, &wlen); wlen;
	     w = next_word(w + wlen, end, &wlen)) {
		char sign = 0;
		int i;

		words++;
		if (w[0] == '+' || w[0] == '-') {
			sign = w[0];
			w++;
			wlen--;
			edits++;
		}
		if (!sign && wlen == 4 && !memcmp(w, "none", 4)) {
			none++;
			continue;
		}
		i = member(w, wlen, name, count);
		if (i < 0 || !(valid & BIT_ULL(i)) ||
		    ((set | add | del) & BIT_ULL(i)))
			return -EINVAL;
		if (sign == '+')
			add |= BIT_ULL(i);
		else if (sign == '-')
			del |= BIT_ULL(i);
		else
			set |= BIT_ULL(i);
	}
	if (!words || (edits && edits != words) || (none && words != 1))
		return -EINVAL;
	*out = edits ? (old | add) & ~del : set;
	return 0;
}

static const char *flag_name(unsigned int bit)
{
	return flag_names[bit];
}

/**
 * clonegate_parse_flags() - parse a clone_flags or unshare_flags write
 * @buf: the written value
 * @len: its length
 * @valid: the bits this file may hold
 * @old: the current mask, for edits
 * @out: the new mask
 *
 * A hex mask ("0x10000100"), or the names and edits clonegate_parse_set()
 * takes.
 *
 * Return: 0, -E2BIG or -EINVAL for a value clonegate_parse_set() rejects or a
 * mask with bits outside @valid, or -ERANGE for a number wider than 64 bits.
 */
int clonegate_parse_flags(const char *buf, size_t len, u64 valid, u64 old,
			  u64 *out)
{
	const char *end = buf + len, *w;
	char num[20];
	size_t wlen, rest;
	u64 mask;
	int err;

	err = check_text(buf, len);
	if (err)
		return err;
	w = next_word(buf, end, &wlen);
	if (wlen < 3 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X'))
		return clonegate_parse_set(buf, len, flag_name,
					   ARRAY_SIZE(flag_names), valid, old,
					   out);
	next_word(w + wlen, end, &rest);
	if (rest)
		return -EINVAL;
	if (wlen >= sizeof(num))
		return -ERANGE;
	memcpy(num, w, wlen);
	num[wlen] = '\0';
	err = kstrtou64(num, 16, &mask);
	if (err)
		return err;
	if (mask & ~valid)
		return -EINVAL;
	*out = mask;
	return 0;
}

/**
 * clonegate_format_flags() - render a flag mask as names in bit order
 * @buf: where to write
 * @size: its size
 * @flags: the mask
 *
 * Return: the number of bytes written, including the final newline.
 */
int clonegate_format_flags(char *buf, size_t size, u64 flags)
{
	return clonegate_format_set(buf, size, flag_name,
				    ARRAY_SIZE(flag_names), flags);
}

static const char *rule_name(unsigned int i)
{
	return rules[i].name;
}

/**
 * clonegate_parse_rules() - parse a write to the rules file
 * @buf: the written value
 * @len: its length
 * @old: the enabled rules now
 * @out: the enabled rules after the write
 *
 * Only edits: "-set_tid +fs_newns". Rules are switched one by one, never
 * listed whole, so a write cannot switch off rows it did not name.
 *
 * Return: 0, or -EINVAL for a word without a sign and as
 * clonegate_parse_set().
 */
int clonegate_parse_rules(const char *buf, size_t len, u32 old, u32 *out)
{
	size_t wlen;
	const char *w = next_word(buf, buf + strnlen(buf, len), &wlen);
	u64 set;
	int err;

	if (len > CLONEGATE_VALUE_MAX)
		return -E2BIG;
	if (wlen && w[0] != '+' && w[0] != '-')
		return -EINVAL;
	err = clonegate_parse_set(buf, len, rule_name, CLONEGATE_RULE_COUNT,
				  CLONEGATE_RULES_ALL, old, &set);
	if (!err)
		*out = set;
	return err;
}

/**
 * clonegate_parse_name() - match a written word against a table of names
 * @buf: the written value; one trailing newline is allowed
 * @len: its length
 * @names: the table
 * @count: its size
 *
 * Return: the index of the name, -E2BIG for a value longer than
 * CLONEGATE_VALUE_MAX, or -EINVAL.
 */
int clonegate_parse_name(const char *buf, size_t len,
			 const char *const *names, unsigned int count)
{
	unsigned int i;

	if (len > CLONEGATE_VALUE_MAX)
		return -E2BIG;
	if (strnlen(buf, len) != len)
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < count; i++)
		if (names[i] && strlen(names[i]) == len &&
		    !memcmp(names[i], buf, len))
			return i;
	return -EINVAL;
}
