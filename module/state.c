// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate state: the owner of the live policy set, the lock, the event
 * settings and the counters.
 *
 * Every change builds a new policy set from a copy of the live one and
 * publishes it whole with rcu_assign_pointer(): a call in flight sees the
 * old set or the new one, never a mix, and a failed change leaves the live
 * set exactly as it was. Changes serialise on state_mutex; readers take
 * no lock.
 */
#include <linux/cgroup.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "state.h"

DEFINE_PER_CPU(struct clonegate_stats, clonegate_stats);
DEFINE_PER_CPU(struct clonegate_counters, clonegate_host_counters);
const char clonegate_host_scope[CLONEGATE_SCOPE_LEN] = CLONEGATE_HOST_SCOPE;

struct clonegate_ruleset __rcu *clonegate_live;

/* nothing is let through at once until the first policy set is out */
struct clonegate_fast clonegate_fast;

/* cwd costs a path walk per event: on request only, as in seccheck */
struct clonegate_event_config clonegate_events = {
	.decisions = BIT(CLONEGATE_DENIED) | BIT(CLONEGATE_AUDITED),
	.channels = BIT(CLONEGATE_CHANNEL_COUNT) - 1,
	.fields = (BIT(CLONEGATE_FIELD_COUNT) - 1) & ~CLONEGATE_FIELD_CWD,
};

/* Serialises writers of clonegate_live, the scope list and the lock. */
static DEFINE_MUTEX(state_mutex);
static LIST_HEAD(scope_list);
static bool locked;

/**
 * clonegate_percpu_sum() - sum one per-CPU u64 counter over all CPUs
 * @base: the per-CPU struct holding it
 * @offset: offset of the counter in that struct
 *
 * Return: the sum.
 */
u64 clonegate_percpu_sum(const void __percpu *base, size_t offset)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += *(const u64 *)((const char *)per_cpu_ptr(base, cpu) +
				      offset);
	return sum;
}

static struct clonegate_ruleset *live_locked(void)
{
	return rcu_dereference_protected(clonegate_live,
					 lockdep_is_held(&state_mutex));
}

/* The slot of @scope in @rs, or -1 if it is not published there. */
static int slot_of(const struct clonegate_ruleset *rs,
		   const struct clonegate_scope *scope)
{
	unsigned int i;

	for (i = 0; i < rs->nscopes; i++)
		if (rs->scopes[i].scope == scope)
			return i;
	return -1;
}

/* What every published set derives from its policies: index and slow flags. */
static void derive(struct clonegate_ruleset *rs)
{
	u64 keys[CLONEGATE_SCOPES_MAX];
	int levels[CLONEGATE_SCOPES_MAX];
	unsigned int i;

	for (i = 0; i < rs->nscopes; i++) {
		struct clonegate_scope *s = rs->scopes[i].scope;

		keys[i] = s->cgrp ? clonegate_cgroup_key(s->cgrp) : 0;
		levels[i] = s->level;
	}
	clonegate_scope_index_build(&rs->index, keys, levels, rs->nscopes);
}

/* Before a policy set or an event setting changes: no call goes at once. */
static void fast_off(void)
{
	WRITE_ONCE(clonegate_fast.on, false);
	/* the policy set published next is seen after @on is clear */
	smp_wmb();
}

/*
 * After: what the live set lets through at once. With scopes, the policy
 * that decides is not known up front; a reported allowed call needs the
 * whole path.
 */
static void fast_on(void)
{
	const struct clonegate_ruleset *rs = live_locked();
	int i;

	if (rs->nscopes || clonegate_wants_event(CLONEGATE_ALLOWED))
		return;
	WRITE_ONCE(clonegate_fast.count,
		   rs->host.mode == CLONEGATE_MODE_OFF ?
		   CLONEGATE_COUNT_UNJUDGED : CLONEGATE_COUNT_ALLOWED);
	for (i = 0; i < CLONEGATE_OP_COUNT; i++)
		WRITE_ONCE(clonegate_fast.slow[i],
			   clonegate_slow_flags(&rs->host, i));
	/* last: clonegate_allowed_at_once() reads @on first */
	smp_store_release(&clonegate_fast.on, true);
}

/**
 * clonegate_fast_refresh() - recompute the fast path after an event setting
 *
 * Reporting allowed calls takes every call down the whole path.
 */
void clonegate_fast_refresh(void)
{
	mutex_lock(&state_mutex);
	fast_off();
	fast_on();
	mutex_unlock(&state_mutex);
}

static void publish(struct clonegate_ruleset *next)
{
	struct clonegate_ruleset *old = live_locked();

	derive(next);
	fast_off();
	rcu_assign_pointer(clonegate_live, next);
	fast_on();
	kfree_rcu(old, rcu);
}

/**
 * clonegate_state_init() - publish the first policy set
 * @host: the host policy, from the module parameters
 * @lock: whether to lock at once, before anything can write
 *
 * Return: 0 or -ENOMEM.
 */
int clonegate_state_init(const struct clonegate_policy *host, bool lock)
{
	struct clonegate_ruleset *rs = kzalloc(sizeof(*rs), GFP_KERNEL);

	if (!rs)
		return -ENOMEM;
	rs->host = *host;
	derive(rs);
	mutex_lock(&state_mutex);
	RCU_INIT_POINTER(clonegate_live, rs);
	fast_on();
	mutex_unlock(&state_mutex);
	if (lock)
		clonegate_lock();
	return 0;
}

/**
 * clonegate_state_exit() - free the policy set and every scope
 *
 * The hooks and sysfs are gone: nothing reads or writes any more.
 */
void clonegate_state_exit(void)
{
	struct clonegate_scope *s, *next;

	list_for_each_entry_safe(s, next, &scope_list, node) {
		list_del(&s->node);
		clonegate_scope_free(s);
	}
	kfree(rcu_replace_pointer(clonegate_live, NULL, true));
}

/**
 * clonegate_policy_edit() - change the host's or a scope's policy
 * @scope: the scope, or NULL for the host policy
 * @edit: builds the next policy in the copy it is given, or fails
 * @buf: the value written, passed to @edit
 * @len: its length
 *
 * If @edit fails, or leaves the policy as it was, nothing is published.
 *
 * Return: 0, -EPERM when locked, -ENOENT for a scope that was removed,
 * -ENOMEM, or the error of @edit.
 */
int clonegate_policy_edit(struct clonegate_scope *scope,
			  clonegate_edit_fn edit, const char *buf, size_t len)
{
	struct clonegate_ruleset *old, *next = NULL;
	struct clonegate_policy *p;
	int slot = -1, err;

	mutex_lock(&state_mutex);
	err = -EPERM;
	if (locked)
		goto out_unlock;
	old = live_locked();
	if (scope) {
		slot = slot_of(old, scope);
		err = -ENOENT;
		if (slot < 0)
			goto out_unlock;
	}
	err = -ENOMEM;
	next = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!next)
		goto out_unlock;
	p = scope ? &next->scopes[slot].policy : &next->host;
	err = edit(p, buf, len);
	if (err)
		goto out_unlock;
	/* the same policy again: no swap, nothing for a call to notice */
	if (!memcmp(p, scope ? &old->scopes[slot].policy : &old->host,
		    sizeof(*p)))
		goto out_unlock;
	publish(next);
	next = NULL;
out_unlock:
	mutex_unlock(&state_mutex);
	kfree(next);
	return err;
}

/**
 * clonegate_policy_read() - a copy of the host's or a scope's policy
 * @scope: the scope, or NULL for the host policy
 * @out: the copy
 *
 * Return: 0, or -ENOENT for a scope that was removed.
 */
int clonegate_policy_read(struct clonegate_scope *scope,
			  struct clonegate_policy *out)
{
	const struct clonegate_ruleset *rs;
	int slot, err = 0;

	rcu_read_lock();
	rs = rcu_dereference(clonegate_live);
	if (!scope) {
		*out = rs->host;
	} else {
		slot = slot_of(rs, scope);
		if (slot < 0)
			err = -ENOENT;
		else
			*out = rs->scopes[slot].policy;
	}
	rcu_read_unlock();
	return err;
}

/**
 * clonegate_config_edit() - change one event setting
 * @field: the setting in clonegate_events, a set of named members
 * @buf: the value written
 * @len: its length
 * @name: the members' names
 * @count: how many there are
 *
 * Return: 0, -EPERM when locked, or the error of clonegate_parse_set().
 */
int clonegate_config_edit(u32 *field, const char *buf, size_t len,
			  clonegate_name_fn name, unsigned int count)
{
	u64 next;
	int err = -EPERM;

	mutex_lock(&state_mutex);
	if (!locked)
		err = clonegate_parse_set(buf, len, name, count,
					  BIT_ULL(count) - 1, READ_ONCE(*field),
					  &next);
	if (!err) {
		/* allowed calls reported or not: the fast path changes */
		fast_off();
		WRITE_ONCE(*field, next);
		fast_on();
	}
	mutex_unlock(&state_mutex);
	return err;
}

/**
 * clonegate_ratelimit_edit() - change the rate limit of records
 * @buf: "BURST RATE", or "0" for none
 * @len: its length
 *
 * Return: 0, -EPERM when locked, or the error of clonegate_parse_ratelimit().
 */
int clonegate_ratelimit_edit(const char *buf, size_t len)
{
	u32 burst, rate;
	int err = -EPERM;

	mutex_lock(&state_mutex);
	if (!locked)
		err = clonegate_parse_ratelimit(buf, len, &burst, &rate);
	if (!err) {
		WRITE_ONCE(clonegate_events.ratelimit,
			   clonegate_ratelimit_pack(burst, rate));
	}
	mutex_unlock(&state_mutex);
	return err;
}

/**
 * clonegate_is_locked() - whether the one-way lock is set
 *
 * Return: true once clonegate_lock() ran.
 */
bool clonegate_is_locked(void)
{
	return READ_ONCE(locked);
}

/**
 * clonegate_lock() - freeze the policy and scopes, pin the module until reboot
 *
 * Locking twice is not an error.
 */
void clonegate_lock(void)
{
	mutex_lock(&state_mutex);
	if (!locked) {
		/*
		 * The reference is never dropped: delete_module() now fails
		 * (EWOULDBLOCK, "in use" from rmmod). Only a forced unload,
		 * on kernels built with MODULE_FORCE_UNLOAD, ignores it.
		 */
		__module_get(THIS_MODULE);
		WRITE_ONCE(locked, true);
		pr_notice("locked: policy frozen, unload refused until reboot\n");
	}
	mutex_unlock(&state_mutex);
}

static struct clonegate_scope *find_scope(const char *name)
{
	struct clonegate_scope *s;

	list_for_each_entry(s, &scope_list, node)
		if (!strcmp(s->name, name))
			return s;
	return NULL;
}

/**
 * clonegate_scope_add() - create a scope with a copy of the host policy
 * @name: a name clonegate_parse_scope_name() took
 *
 * The scope has no cgroup yet, so it matches nothing.
 *
 * Return: the scope, or ERR_PTR(-EPERM) when locked, -EEXIST, -ENOSPC when
 * there are CLONEGATE_SCOPES_MAX scopes, or -ENOMEM.
 */
struct clonegate_scope *clonegate_scope_add(const char *name)
{
	struct clonegate_ruleset *old, *next = NULL;
	struct clonegate_scope *s = NULL;
	int err;

	mutex_lock(&state_mutex);
	err = -EPERM;
	if (locked)
		goto err_unlock;
	err = -EEXIST;
	if (find_scope(name))
		goto err_unlock;
	old = live_locked();
	err = -ENOSPC;
	if (old->nscopes >= CLONEGATE_SCOPES_MAX)
		goto err_unlock;
	err = -ENOMEM;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	next = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!s || !next)
		goto err_unlock;
	s->counters = alloc_percpu(struct clonegate_counters);
	if (!s->counters)
		goto err_unlock;
	strscpy(s->name, name, sizeof(s->name));
	next->scopes[next->nscopes].policy = old->host;
	next->scopes[next->nscopes].scope = s;
	next->nscopes++;
	list_add_tail(&s->node, &scope_list);
	publish(next);
	mutex_unlock(&state_mutex);
	return s;

err_unlock:
	mutex_unlock(&state_mutex);
	if (s)
		free_percpu(s->counters);
	kfree(s);
	kfree(next);
	return ERR_PTR(err);
}

/**
 * clonegate_scope_unpublish() - take a scope out of the policy set
 * @name: its name
 * @even_locked: also once locked: for a scope that never was usable (its
 *	files could not be made), whose removal changes no decision
 *
 * From now on no call is decided by it and its files fail with ENOENT; the
 * caller removes its files, then frees it with clonegate_scope_free().
 *
 * Return: the scope, or ERR_PTR(-EPERM) when locked, -ENOENT, or -ENOMEM.
 */
struct clonegate_scope *clonegate_scope_unpublish(const char *name,
						  bool even_locked)
{
	struct clonegate_ruleset *old, *next;
	struct clonegate_scope *s;
	int slot;

	mutex_lock(&state_mutex);
	s = ERR_PTR(-EPERM);
	if (locked && !even_locked)
		goto out_unlock;
	s = find_scope(name);
	if (!s) {
		s = ERR_PTR(-ENOENT);
		goto out_unlock;
	}
	old = live_locked();
	next = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!next) {
		s = ERR_PTR(-ENOMEM);
		goto out_unlock;
	}
	slot = slot_of(old, s);
	memmove(&next->scopes[slot], &next->scopes[slot + 1],
		(next->nscopes - slot - 1) * sizeof(next->scopes[0]));
	next->nscopes--;
	list_del(&s->node);
	publish(next);
out_unlock:
	mutex_unlock(&state_mutex);
	return s;
}

/**
 * clonegate_scope_free() - free a scope no policy set holds any more
 * @scope: the scope
 *
 * Waits for the calls that may still count in its counters.
 */
void clonegate_scope_free(struct clonegate_scope *scope)
{
	synchronize_rcu();
	if (scope->cgrp)
		cgroup_put(scope->cgrp);
	free_percpu(scope->counters);
	kfree(scope);
}

/**
 * clonegate_scope_set_cgroup() - bind a scope to a cgroup v2 subtree
 * @scope: the scope
 * @buf: an absolute cgroup v2 path, as /proc/PID/cgroup shows it
 * @len: its length
 *
 * Return: 0, -EPERM when locked, -ENOENT for a scope that was removed or a
 * cgroup that does not exist, -ENOTDIR, -ENAMETOOLONG, -E2BIG, -EINVAL for
 * a path clonegate_parse_cgroup_path() refuses, or -ENOMEM.
 */
int clonegate_scope_set_cgroup(struct clonegate_scope *scope,
			       const char *buf, size_t len)
{
	char path[CLONEGATE_CGROUP_PATH_MAX + 1];
	struct clonegate_ruleset *old, *next = NULL;
	struct cgroup *cgrp, *prev = NULL;
	int depth, err;

	err = clonegate_parse_cgroup_path(buf, len, path, &depth);
	if (err)
		return err;
	/* resolved in the writer's cgroup namespace, as the path is seen */
	cgrp = cgroup_get_from_path(path);
	if (IS_ERR(cgrp))
		return PTR_ERR(cgrp);

	mutex_lock(&state_mutex);
	err = -EPERM;
	if (locked)
		goto out_unlock;
	old = live_locked();
	err = -ENOENT;
	if (slot_of(old, scope) < 0)
		goto out_unlock;
	err = -ENOMEM;
	next = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!next)
		goto out_unlock;
	err = 0;
	prev = scope->cgrp;
	scope->cgrp = cgrp;
	scope->level = cgrp->level;
	strscpy(scope->path, path, sizeof(scope->path));
	cgrp = NULL;
	publish(next);
out_unlock:
	mutex_unlock(&state_mutex);
	if (prev) {
		/* with pointer keys, no reader may still match the old one */
		synchronize_rcu();
		cgroup_put(prev);
	}
	if (cgrp)
		cgroup_put(cgrp);
	kfree(err ? next : NULL);
	return err;
}

/**
 * clonegate_scope_cgroup_show() - what scopes/<name>/cgroup reads
 * @scope: the scope
 * @buf: where to write
 * @size: its size
 *
 * Return: the length of "PATH\n", "PATH (removed)\n" once the cgroup was
 * removed (the scope then matches nothing), or "none\n".
 */
int clonegate_scope_cgroup_show(struct clonegate_scope *scope, char *buf,
				size_t size)
{
	int len;

	mutex_lock(&state_mutex);
	if (!scope->cgrp)
		len = scnprintf(buf, size, "none\n");
	else
		len = scnprintf(buf, size, "%s%s\n", scope->path,
				clonegate_cgroup_online(scope->cgrp) ? "" :
				" (removed)");
	mutex_unlock(&state_mutex);
	return len;
}
