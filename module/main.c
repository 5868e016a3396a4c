// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate: gVisor's clone, clone3, fork, vfork and unshare policy on a
 * Linux host.
 *
 * This file owns the live policy and the module's life: parameters, the
 * order things are set up and torn down in, and the one-way lock.
 */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "clonegate.h"
#include "events.h"

DEFINE_PER_CPU(struct clonegate_stats, clonegate_stats);

struct clonegate_policy __rcu *clonegate_live;

/* Serialises writers of clonegate_live and the lock; readers use RCU. */
static DEFINE_MUTEX(clonegate_policy_mutex);
static bool clonegate_locked;

static char *mode = "audit";
module_param(mode, charp, 0444);
MODULE_PARM_DESC(mode, "off, audit (default) or enforce");

static char *profile = "gvisor";
module_param(profile, charp, 0444);
MODULE_PARM_DESC(profile, "gvisor (default) or permissive");

static char *clone_flags;
module_param(clone_flags, charp, 0444);
MODULE_PARM_DESC(clone_flags,
		 "allowed clone flags: names, +/- edits of the profile, or 0xMASK");

static char *unshare_flags;
module_param(unshare_flags, charp, 0444);
MODULE_PARM_DESC(unshare_flags,
		 "allowed unshare flags: names, +/- edits of the profile, or 0xMASK");

static char *rules;
module_param(rules, charp, 0444);
MODULE_PARM_DESC(rules, "rule rows to switch: +name or -name edits of the profile");

static bool locked;
module_param(locked, bool, 0444);
MODULE_PARM_DESC(locked, "freeze the policy and refuse unload until reboot");

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

/**
 * clonegate_policy_edit() - change the live policy in one step
 * @edit: builds the next policy in the copy it is given, or fails
 * @buf: the value written, passed to @edit
 * @len: its length
 *
 * The next policy is a copy of the live one changed by @edit, published
 * whole: a call in flight sees the old policy or the new one, never a mix.
 * If @edit fails, the live policy is left exactly as it was.
 *
 * Return: 0, -EPERM when locked, -ENOMEM, or the error of @edit.
 */
int clonegate_policy_edit(clonegate_edit_fn edit, const char *buf, size_t len)
{
	struct clonegate_policy *old, *next;
	int err;

	mutex_lock(&clonegate_policy_mutex);
	if (clonegate_locked) {
		err = -EPERM;
		goto out_unlock;
	}
	old = rcu_dereference_protected(clonegate_live,
					lockdep_is_held(&clonegate_policy_mutex));
	next = kmemdup(old, sizeof(*old), GFP_KERNEL);
	if (!next) {
		err = -ENOMEM;
		goto out_unlock;
	}
	err = edit(next, buf, len);
	if (err) {
		kfree(next);
		goto out_unlock;
	}
	rcu_assign_pointer(clonegate_live, next);
	kfree_rcu(old, rcu);
out_unlock:
	mutex_unlock(&clonegate_policy_mutex);
	return err;
}

/**
 * clonegate_config_edit() - change one event setting
 * @field: the setting, a set of named members
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

	mutex_lock(&clonegate_policy_mutex);
	if (!clonegate_locked)
		err = clonegate_parse_set(buf, len, name, count,
					  BIT_ULL(count) - 1, READ_ONCE(*field),
					  &next);
	if (!err)
		WRITE_ONCE(*field, next);
	mutex_unlock(&clonegate_policy_mutex);
	return err;
}

/**
 * clonegate_is_locked() - whether the one-way lock is set
 *
 * Return: true once clonegate_lock() succeeded.
 */
bool clonegate_is_locked(void)
{
	return READ_ONCE(clonegate_locked);
}

/**
 * clonegate_lock() - freeze the policy and pin the module until reboot
 *
 * Return: 0; locking twice is not an error.
 */
int clonegate_lock(void)
{
	mutex_lock(&clonegate_policy_mutex);
	if (!clonegate_locked) {
		/*
		 * The reference is never dropped: delete_module() now fails
		 * (EWOULDBLOCK, "in use" from rmmod). Only a forced unload,
		 * on kernels built with MODULE_FORCE_UNLOAD, ignores it.
		 */
		__module_get(THIS_MODULE);
		WRITE_ONCE(clonegate_locked, true);
		pr_notice("locked: policy frozen, unload refused until reboot\n");
	}
	mutex_unlock(&clonegate_policy_mutex);
	return 0;
}

static int param_flags(struct clonegate_policy *p, const char *name,
		       const char *val, u64 valid, u64 *flags)
{
	int err;

	if (!val)
		return 0;
	err = clonegate_parse_flags(val, strlen(val), valid, *flags, flags);
	if (err) {
		pr_err("%s=%s: not a flag list, +/- edit or hex mask of known flags\n",
		       name, val);
		return err;
	}
	p->profile = CLONEGATE_PROFILE_CUSTOM;
	return 0;
}

/* The policy the module parameters describe, or an error naming the bad one. */
static int policy_from_params(struct clonegate_policy *p)
{
	int prof, m, err;

	prof = clonegate_parse_name(profile, strlen(profile),
				    clonegate_profile_names,
				    CLONEGATE_PROFILE_CUSTOM);
	if (prof < 0) {
		pr_err("profile=%s: must be gvisor or permissive\n", profile);
		return prof;
	}
	m = clonegate_parse_name(mode, strlen(mode), clonegate_mode_names,
				 CLONEGATE_MODE_COUNT);
	if (m < 0) {
		pr_err("mode=%s: must be off, audit or enforce\n", mode);
		return m;
	}
	clonegate_policy_init(p, prof, m);
	err = param_flags(p, "clone_flags", clone_flags, CLONEGATE_LINUX_FLAGS,
			  &p->clone_flags);
	if (err)
		return err;
	err = param_flags(p, "unshare_flags", unshare_flags,
			  CLONEGATE_LINUX_UNSHARE_FLAGS, &p->unshare_flags);
	if (err || !rules)
		return err;
	err = clonegate_parse_rules(rules, strlen(rules), p->rules, &p->rules);
	if (err) {
		pr_err("rules=%s: not +name/-name edits of known rules\n", rules);
		return err;
	}
	p->profile = CLONEGATE_PROFILE_CUSTOM;
	return 0;
}

static int __init clonegate_init(void)
{
	struct clonegate_policy *p;
	const char *mode_name, *profile_name;
	int err;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	RCU_INIT_POINTER(clonegate_live, p);
	err = policy_from_params(p);
	if (err)
		goto err_free_policy;
	/* once sysfs exists, a write may replace and free p */
	mode_name = clonegate_mode_names[p->mode];
	profile_name = clonegate_profile_names[p->profile];

	err = clonegate_dev_register();
	if (err)
		goto err_free_policy;
	err = clonegate_sysfs_register();
	if (err)
		goto err_unregister_dev;
	err = clonegate_events_register();
	if (err)
		goto err_unregister_sysfs;
	err = clonegate_hooks_register();
	if (err)
		goto err_unregister_events;
	if (locked)
		clonegate_lock();

	pr_info("version %s loaded: mode %s, profile %s\n", CLONEGATE_VERSION,
		mode_name, profile_name);
	return 0;

err_unregister_events:
	clonegate_events_unregister();
err_unregister_sysfs:
	clonegate_sysfs_unregister();
err_unregister_dev:
	clonegate_dev_unregister();
err_free_policy:
	/* a sysfs write may have replaced p: free whatever is live now */
	kfree(rcu_replace_pointer(clonegate_live, NULL, true));
	return err;
}

static void __exit clonegate_exit(void)
{
	clonegate_hooks_unregister();
	clonegate_events_unregister();
	clonegate_sysfs_unregister();
	clonegate_dev_unregister();
	/* no reader is left: the hooks are gone and sysfs is drained */
	kfree(rcu_dereference_protected(clonegate_live, true));
	pr_info("unloaded\n");
}

module_init(clonegate_init);
module_exit(clonegate_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gVisor's clone and unshare policy for Linux hosts");
MODULE_VERSION(CLONEGATE_VERSION);
