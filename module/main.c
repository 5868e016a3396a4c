// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate: gVisor's clone, clone3, fork, vfork, unshare and setns policy
 * on a Linux host.
 *
 * This file holds the module parameters and the order things are set up
 * and torn down in: the state first and the user-facing edge (sysfs,
 * /dev/clonegate) last, so nothing a user can reach ever meets a part that
 * is not there yet or not there any more.
 */
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

#include "channels.h"
#include "events.h"
#include "health.h"
#include "hooks.h"
#include "state.h"
#include "sysfs.h"

/* Kbuild passes the version from the file VERSION. */
#ifndef CLONEGATE_VERSION
#error "CLONEGATE_VERSION is not defined: build with the project's Kbuild"
#endif

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

static char *setns_types;
module_param(setns_types, charp, 0444);
MODULE_PARM_DESC(setns_types,
		 "namespace types setns may join: names (net ipc mnt uts user pid cgroup time), +/- edits of the profile, or 0xMASK");

static char *rules;
module_param(rules, charp, 0444);
MODULE_PARM_DESC(rules, "rule rows to switch: +name or -name edits of the profile");

static bool locked;
module_param(locked, bool, 0444);
MODULE_PARM_DESC(locked, "freeze the policy and refuse unload until reboot");

static unsigned int ratelimit_burst = 100;
module_param(ratelimit_burst, uint, 0444);
MODULE_PARM_DESC(ratelimit_burst,
		 "records of denied and audited calls a user may send at once (0: no limit)");

static unsigned int ratelimit_rate = 20;
module_param(ratelimit_rate, uint, 0444);
MODULE_PARM_DESC(ratelimit_rate,
		 "records of denied and audited calls a user earns back per second");

static char *hook_backend = "auto";
module_param(hook_backend, charp, 0444);
MODULE_PARM_DESC(hook_backend,
		 "auto (default: ftrace where the kernel allows it), ftrace or kprobe");

static int param_mask(struct clonegate_policy *p, const char *name,
		      const char *val, u64 *mask,
		      int (*parse)(const char *buf, size_t len, u64 old,
				   u64 *out))
{
	int err;

	if (!val)
		return 0;
	err = parse(val, strlen(val), *mask, mask);
	if (err) {
		pr_err("%s=%s: not a list, +/- edit or hex mask of known names\n",
		       name, val);
		return err;
	}
	p->profile = CLONEGATE_PROFILE_CUSTOM;
	return 0;
}

static int parse_clone_flags(const char *buf, size_t len, u64 old, u64 *out)
{
	return clonegate_parse_flags(buf, len, CLONEGATE_LINUX_FLAGS, old, out);
}

static int parse_unshare_flags(const char *buf, size_t len, u64 old, u64 *out)
{
	return clonegate_parse_flags(buf, len, CLONEGATE_LINUX_UNSHARE_FLAGS,
				     old, out);
}

/* The host policy the module parameters describe, or an error naming one. */
static int policy_from_params(struct clonegate_policy *p)
{
	int prof, m, err;

	/* custom is what a profile becomes, not one that can be loaded */
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
	err = param_mask(p, "clone_flags", clone_flags, &p->clone_flags,
			 parse_clone_flags);
	if (!err)
		err = param_mask(p, "unshare_flags", unshare_flags,
				 &p->unshare_flags, parse_unshare_flags);
	if (!err)
		err = param_mask(p, "setns_types", setns_types, &p->setns_types,
				 clonegate_parse_ns_types);
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

static int events_from_params(void)
{
	if (ratelimit_burst && !ratelimit_rate) {
		pr_err("ratelimit_burst=%u needs a ratelimit_rate above 0\n",
		       ratelimit_burst);
		return -EINVAL;
	}
	clonegate_events.ratelimit =
		clonegate_ratelimit_pack(ratelimit_burst, ratelimit_rate);
	clonegate_events_init();
	return 0;
}

static int __init clonegate_init(void)
{
	struct clonegate_policy host;
	int err;

	err = policy_from_params(&host);
	if (!err)
		err = events_from_params();
	if (err)
		return err;
	/* locked=1 is in force before anything can write */
	err = clonegate_state_init(&host, locked);
	if (err)
		return err;
	err = clonegate_rings_alloc();
	if (err)
		goto err_state_exit;
	err = clonegate_hooks_register(hook_backend);
	if (err)
		goto err_rings_free;
	clonegate_health_start();
	err = clonegate_sysfs_register(CLONEGATE_VERSION);
	if (err)
		goto err_health_stop;
	err = clonegate_dev_register();
	if (err)
		goto err_sysfs_unregister;

	pr_info("version %s loaded: mode %s, profile %s, hooks on %s%s\n",
		CLONEGATE_VERSION, clonegate_mode_names[host.mode],
		clonegate_profile_names[host.profile],
		clonegate_backend_names[clonegate_hooks_backend()],
		locked ? ", locked" : "");
	return 0;

err_sysfs_unregister:
	clonegate_sysfs_unregister();
err_health_stop:
	clonegate_health_stop();
	clonegate_hooks_unregister();
err_rings_free:
	clonegate_rings_free();
err_state_exit:
	clonegate_state_exit();
	return err;
}

static void __exit clonegate_exit(void)
{
	clonegate_dev_unregister();
	clonegate_sysfs_unregister();
	clonegate_health_stop();
	clonegate_hooks_unregister();
	clonegate_rings_free();
	clonegate_state_exit();
	pr_info("unloaded\n");
}

module_init(clonegate_init);
module_exit(clonegate_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("gVisor's clone, unshare and setns policy for Linux hosts");
MODULE_VERSION(CLONEGATE_VERSION);
