/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate state: the live policy set (the host policy and its scopes),
 * the one-way lock, the event settings and every counter.
 *
 * state.c owns all of it. Readers (the hooks) take no lock: the policy set
 * is one immutable struct, swapped whole under RCU; counters are per CPU.
 * Writers (sysfs, module load) go through the functions below, which
 * serialise on one mutex.
 */
#ifndef _CLONEGATE_STATE_H
#define _CLONEGATE_STATE_H

#include <linux/cgroup.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

#include "parse.h"
#include "policy.h"
#include "scope.h"

/* What a call counts as: its decision, or none (mode off). */
enum clonegate_count {
	CLONEGATE_COUNT_ALLOWED,
	CLONEGATE_COUNT_DENIED,
	CLONEGATE_COUNT_AUDITED,
	CLONEGATE_COUNT_UNJUDGED,
	CLONEGATE_COUNT_KINDS
};

/*
 * Per-CPU counters of one policy's decisions, the host's or a scope's. A
 * call counts once, in the row of its operation; the calls of a few
 * operations are one run of consecutive counters to sum.
 */
struct clonegate_counters {
	u64 calls[CLONEGATE_OP_COUNT][CLONEGATE_COUNT_KINDS];
	u64 rule_hits[CLONEGATE_RULE_COUNT];
};

/* Per-CPU counters of the module as a whole; readers sum them. */
struct clonegate_stats {
	u64 exempt;		/* calls of kernel threads and workers */
	u64 unchecked;		/* calls a hook missed (kprobe nmissed) */
	u64 health_changes;	/* changes of the health state */
	u64 emitted;		/* records offered to /dev/clonegate */
	u64 delivered;		/* records read from /dev/clonegate */
	u64 dropped_ring_full;	/* no room in the reader's ring */
	u64 audit_records;	/* handed to the audit subsystem */
	u64 dropped_audit;	/* audit backlog full or out of memory */
	u64 traced;		/* tracepoint hits with a listener */
	u64 suppressed;		/* records held back by the rate limit */
};

DECLARE_PER_CPU(struct clonegate_stats, clonegate_stats);
DECLARE_PER_CPU(struct clonegate_counters, clonegate_host_counters);
extern const char clonegate_host_scope[CLONEGATE_SCOPE_LEN];

#define clonegate_stat_inc(field)	this_cpu_inc(clonegate_stats.field)
#define clonegate_stat_add(field, n)	this_cpu_add(clonegate_stats.field, n)

u64 clonegate_percpu_sum(const void __percpu *base, size_t offset);

/**
 * struct clonegate_scope - a named scope: a policy for a cgroup subtree
 * @name: its name, also its directory under scopes/
 * @cgrp: its cgroup, held; NULL until one is written
 * @path: that cgroup's path as written, or "" until then
 * @level: that cgroup's level (0 for the root)
 * @counters: what its policy decided
 * @node: in the list of scopes, under the state mutex
 *
 * Its policy lives in the published policy set, not here.
 */
struct clonegate_scope {
	char name[CLONEGATE_SCOPE_LEN];
	struct cgroup *cgrp;
	char path[CLONEGATE_CGROUP_PATH_MAX + 1];
	int level;
	struct clonegate_counters __percpu *counters;
	struct list_head node;
};

/**
 * struct clonegate_ruleset - the policy set, published whole under RCU
 * @rcu: for freeing after a swap (first: kfree_rcu() needs a small offset)
 * @host: the host policy: it decides for every task in no scope
 * @nscopes: the number of scopes
 * @scopes: each scope's policy and scope
 * @index: the scopes by their cgroup
 */
struct clonegate_ruleset {
	struct rcu_head rcu;
	struct clonegate_policy host;
	unsigned int nscopes;
	struct {
		struct clonegate_policy policy;
		struct clonegate_scope *scope;
	} scopes[CLONEGATE_SCOPES_MAX];
	struct clonegate_scope_index index;
};

extern struct clonegate_ruleset __rcu *clonegate_live;

/**
 * struct clonegate_fast - what the hooks' fast path reads, with no lock
 * @on: whether any call may be let through at once: not while scopes
 *      exist (which policy decides is not known up front) or allowed calls
 *      are reported
 * @count: what a call let through at once counts as: allowed, or unjudged
 *         in mode off
 * @slow: per operation, the flags that need a full decision: the host
 *        policy's clonegate_slow_flags()
 *
 * A writer clears @on before it publishes a new policy set, and sets the
 * new values, @on last, after: a call that finds @on set is allowed by the
 * policy set the values came from.
 */
struct clonegate_fast {
	bool on;
	enum clonegate_count count;
	u64 slow[CLONEGATE_OP_COUNT];
};

extern struct clonegate_fast clonegate_fast;

/*
 * A call of @op with @flags, allowed without a full decision if it can be
 * (its other arguments were checked by the caller): counted, and true.
 */
static __always_inline bool clonegate_allowed_at_once(enum clonegate_op op,
						      u64 flags)
{
	/* pairs with fast_on(): what is read next is as new as @on */
	if (!smp_load_acquire(&clonegate_fast.on) ||
	    (flags & READ_ONCE(clonegate_fast.slow[op])))
		return false;
	this_cpu_inc(clonegate_host_counters.calls[op][READ_ONCE(clonegate_fast.count)]);
	return true;
}

/**
 * struct clonegate_decider - the policy that decides for one task
 * @policy: the policy
 * @counters: where its decisions are counted
 * @scope: the scope's name, or "host": CLONEGATE_SCOPE_LEN bytes, padded
 *	   with NULs (a record copies them whole)
 */
struct clonegate_decider {
	const struct clonegate_policy *policy;
	struct clonegate_counters __percpu *counters;
	const char *scope;
};

static inline u64 clonegate_ancestor_key(const void *cgrp, int level)
{
	return clonegate_cgroup_ancestor_key(cgrp, level);
}

/**
 * clonegate_decider_of() - the policy that decides for current
 * @rs: the policy set, from rcu_dereference(clonegate_live)
 * @d: filled in; valid while the caller holds rcu_read_lock()
 *
 * The deepest scope whose cgroup holds current's cgroup v2 cgroup decides,
 * or the host policy if there is none. With no scope, no cgroup is read.
 */
static inline void clonegate_decider_of(const struct clonegate_ruleset *rs,
					struct clonegate_decider *d)
{
	struct cgroup *cgrp;
	int s;

	d->policy = &rs->host;
	d->counters = &clonegate_host_counters;
	d->scope = clonegate_host_scope;
	if (likely(!rs->nscopes))
		return;
	cgrp = task_dfl_cgroup(current);
	s = clonegate_scope_match(&rs->index, clonegate_ancestor_key, cgrp,
				  cgrp->level);
	if (s < 0)
		return;
	d->policy = &rs->scopes[s].policy;
	d->counters = rs->scopes[s].scope->counters;
	d->scope = rs->scopes[s].scope->name;
}

/* What events are made, and where they go; see events/ in sysfs. */
struct clonegate_event_config {
	u32 decisions;		/* BIT(enum clonegate_decision) */
	u32 channels;		/* BIT(enum clonegate_channel) */
	u32 fields;		/* CLONEGATE_FIELD_* */
	/*
	 * The rate limit, as one word so that a reader never sees the burst
	 * of one write with the rate of another: the records a user may
	 * send at once (0: no limit) << 32 | the records per second it
	 * earns back (never 0 with a burst).
	 */
	u64 ratelimit;
};

extern struct clonegate_event_config clonegate_events;

static inline u64 clonegate_ratelimit_pack(u32 burst, u32 rate)
{
	return (u64)burst << 32 | rate;
}

/* The rate limit in force: its burst, and its rate in *@rate. */
static inline u32 clonegate_ratelimit(u32 *rate)
{
	u64 v = READ_ONCE(clonegate_events.ratelimit);

	*rate = lower_32_bits(v);
	return upper_32_bits(v);
}

static inline bool clonegate_wants_event(enum clonegate_decision d)
{
	return READ_ONCE(clonegate_events.decisions) & BIT(d);
}

typedef int (*clonegate_edit_fn)(struct clonegate_policy *next,
				 const char *buf, size_t len);

int clonegate_state_init(const struct clonegate_policy *host, bool locked);
void clonegate_state_exit(void);
int clonegate_policy_edit(struct clonegate_scope *scope,
			  clonegate_edit_fn edit, const char *buf, size_t len);
int clonegate_policy_read(struct clonegate_scope *scope,
			  struct clonegate_policy *out);
int clonegate_config_edit(u32 *field, const char *buf, size_t len,
			  clonegate_name_fn name, unsigned int count);
void clonegate_fast_refresh(void);
int clonegate_ratelimit_edit(const char *buf, size_t len);
bool clonegate_is_locked(void);
void clonegate_lock(void);

struct clonegate_scope *clonegate_scope_add(const char *name);
struct clonegate_scope *clonegate_scope_unpublish(const char *name,
						  bool even_locked);
void clonegate_scope_free(struct clonegate_scope *scope);
int clonegate_scope_set_cgroup(struct clonegate_scope *scope,
			       const char *buf, size_t len);
int clonegate_scope_cgroup_show(struct clonegate_scope *scope, char *buf,
				size_t size);

#endif /* _CLONEGATE_STATE_H */
