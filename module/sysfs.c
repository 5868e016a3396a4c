// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate sysfs: /sys/kernel/clonegate/, the policy's control surface.
 *
 * One value per file. Every write needs CAP_SYS_ADMIN in the initial user
 * namespace, is parsed whole before anything changes, and either publishes
 * a complete new policy or leaves the old one exactly as it was.
 */

#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "clonegate.h"

static struct kobject *root_kobj, *stats_kobj, *rules_kobj;

/* Read a field of the live policy. */
#define LIVE(field) ({							\
	typeof(((struct clonegate_policy *)0)->field) __v;		\
	rcu_read_lock();						\
	__v = rcu_dereference(clonegate_live)->field;			\
	rcu_read_unlock();						\
	__v; })

static const char *reason(int err)
{
	switch (err) {
	case -EPERM:
		return clonegate_is_locked() ? "policy is locked" :
					       "needs CAP_SYS_ADMIN";
	case -ERANGE:
		return "number out of range";
	case -ENOMEM:
		return "out of memory";
	default:
		return "invalid value";
	}
}

/*
 * The common path of every write: permission, then the edit. Return: the
 * byte count on success, as sysfs expects, or the errno.
 */
static ssize_t store(const char *file, clonegate_edit_fn edit,
		     const char *buf, size_t len)
{
	int err = -EPERM;

	if (capable(CAP_SYS_ADMIN))
		err = clonegate_policy_edit(edit, buf, len);
	if (err) {
		pr_warn_ratelimited("%s: write rejected (%d): %s\n", file, err,
				    reason(err));
		return err;
	}
	return len;
}

static ssize_t version_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", CLONEGATE_VERSION);
}

static ssize_t mode_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	return sysfs_emit(buf, "%s\n", clonegate_mode_names[LIVE(mode)]);
}

static int edit_mode(struct clonegate_policy *p, const char *buf, size_t len)
{
	int m = clonegate_parse_name(buf, len, clonegate_mode_names,
				     CLONEGATE_MODE_COUNT);

	if (m < 0)
		return m;
	p->mode = m;
	return 0;
}

static ssize_t mode_store(struct kobject *k, struct kobj_attribute *a,
			  const char *buf, size_t len)
{
	return store("mode", edit_mode, buf, len);
}

static ssize_t profile_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", clonegate_profile_names[LIVE(profile)]);
}

static int edit_profile(struct clonegate_policy *p, const char *buf,
			size_t len)
{
	/* custom is what a profile becomes, not one that can be loaded */
	int prof = clonegate_parse_name(buf, len, clonegate_profile_names,
					CLONEGATE_PROFILE_CUSTOM);

	if (prof < 0)
		return prof;
	clonegate_policy_init(p, prof, p->mode);
	return 0;
}

static ssize_t profile_store(struct kobject *k, struct kobj_attribute *a,
			     const char *buf, size_t len)
{
	return store("profile", edit_profile, buf, len);
}

static ssize_t clone_flags_show(struct kobject *k, struct kobj_attribute *a,
				char *buf)
{
	return clonegate_format_flags(buf, PAGE_SIZE, LIVE(clone_flags));
}

static int edit_clone_flags(struct clonegate_policy *p, const char *buf,
			    size_t len)
{
	int err = clonegate_parse_flags(buf, len, CLONEGATE_LINUX_FLAGS,
					p->clone_flags, &p->clone_flags);

	if (!err)
		p->profile = CLONEGATE_PROFILE_CUSTOM;
	return err;
}

static ssize_t clone_flags_store(struct kobject *k, struct kobj_attribute *a,
				 const char *buf, size_t len)
{
	return store("clone_flags", edit_clone_flags, buf, len);
}

static ssize_t unshare_flags_show(struct kobject *k, struct kobj_attribute *a,
				  char *buf)
{
	return clonegate_format_flags(buf, PAGE_SIZE, LIVE(unshare_flags));
}

static int edit_unshare_flags(struct clonegate_policy *p, const char *buf,
			      size_t len)
{
	int err = clonegate_parse_flags(buf, len, CLONEGATE_LINUX_UNSHARE_FLAGS,
					p->unshare_flags, &p->unshare_flags);

	if (!err)
		p->profile = CLONEGATE_PROFILE_CUSTOM;
	return err;
}

static ssize_t unshare_flags_store(struct kobject *k,
				   struct kobj_attribute *a,
				   const char *buf, size_t len)
{
	return store("unshare_flags", edit_unshare_flags, buf, len);
}

static ssize_t rules_show(struct kobject *k, struct kobj_attribute *a,
			  char *buf)
{
	u32 on = LIVE(rules);
	int i, len = 0;

	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		len += sysfs_emit_at(buf, len, "%c%s\n",
				     on & BIT(i) ? '+' : '-',
				     clonegate_rule_name(i));
	return len;
}

static int edit_rules(struct clonegate_policy *p, const char *buf, size_t len)
{
	int err = clonegate_parse_rules(buf, len, p->rules, &p->rules);

	if (!err)
		p->profile = CLONEGATE_PROFILE_CUSTOM;
	return err;
}

static ssize_t rules_store(struct kobject *k, struct kobj_attribute *a,
			   const char *buf, size_t len)
{
	return store("rules", edit_rules, buf, len);
}

static ssize_t locked_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return sysfs_emit(buf, "%d\n", clonegate_is_locked());
}

static ssize_t locked_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t len)
{
	int err = -EPERM;

	if (!capable(CAP_SYS_ADMIN) || clonegate_is_locked())
		goto out_reject;
	/* one way only: "0" is refused like any other value */
	err = -EINVAL;
	if (clonegate_parse_name(buf, len, (const char *const[]){ "1" }, 1))
		goto out_reject;
	clonegate_lock();
	return len;

out_reject:
	pr_warn_ratelimited("locked: write rejected (%d): %s\n", err,
			    err == -EINVAL ? "only 1 can be written" :
					     reason(err));
	return err;
}

static struct kobj_attribute version_attr = __ATTR_RO(version);
static struct kobj_attribute mode_attr = __ATTR_RW_MODE(mode, 0644);
static struct kobj_attribute profile_attr = __ATTR_RW_MODE(profile, 0644);
static struct kobj_attribute clone_flags_attr =
	__ATTR_RW_MODE(clone_flags, 0644);
static struct kobj_attribute unshare_flags_attr =
	__ATTR_RW_MODE(unshare_flags, 0644);
static struct kobj_attribute rules_attr = __ATTR_RW_MODE(rules, 0644);
static struct kobj_attribute locked_attr = __ATTR_RW_MODE(locked, 0644);

static struct attribute *root_attrs[] = {
	&version_attr.attr,
	&mode_attr.attr,
	&profile_attr.attr,
	&clone_flags_attr.attr,
	&unshare_flags_attr.attr,
	&rules_attr.attr,
	&locked_attr.attr,
	NULL
};

static const struct attribute_group root_group = {
	.attrs = root_attrs,
};

/*
 * A counter file: the sum of @n consecutive per-CPU u64 counters starting
 * at @offset in struct clonegate_stats.
 */
struct stat_attr {
	struct kobj_attribute ka;
	size_t offset;
	unsigned int n;
	char name[40];
};

static ssize_t stat_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct stat_attr *s = container_of(a, struct stat_attr, ka);
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < s->n; i++)
		sum += clonegate_stat_sum(s->offset + i * sizeof(u64));
	return sysfs_emit(buf, "%llu\n", sum);
}

#define STAT_OFF(field) offsetof(struct clonegate_stats, field)

/* allowed, denied and audited for each op; then three totals */
#define N_STATS		(3 * CLONEGATE_OP_COUNT + 3)

static struct stat_attr *stat_attrs;
static struct attribute *stat_list[N_STATS + 1];
static struct attribute *rule_list[CLONEGATE_RULE_COUNT + 1];

static void stat_attr_init(struct stat_attr *s, const char *name,
			   size_t offset, unsigned int n)
{
	strscpy(s->name, name, sizeof(s->name));
	sysfs_attr_init(&s->ka.attr);
	s->ka.attr.name = s->name;
	s->ka.attr.mode = 0444;
	s->ka.show = stat_show;
	s->offset = offset;
	s->n = n;
}

static void build_stat_attrs(struct stat_attr *s)
{
	static const char *const kinds[] = { "allowed", "denied", "audited" };
	const size_t kind_off[] = {
		STAT_OFF(allowed), STAT_OFF(denied), STAT_OFF(audited)
	};
	char name[40];
	int op, kind, i = 0;

	for (op = 0; op < CLONEGATE_OP_COUNT; op++)
		for (kind = 0; kind < ARRAY_SIZE(kinds); kind++) {
			snprintf(name, sizeof(name), "%s_%s",
				 clonegate_op_names[op], kinds[kind]);
			stat_attr_init(&s[i++], name,
				       kind_off[kind] + op * sizeof(u64), 1);
		}
	/* clone, clone3, fork and vfork are the first four ops */
	stat_attr_init(&s[i++], "clone_calls", STAT_OFF(calls), 4);
	stat_attr_init(&s[i++], "unshare_calls",
		       STAT_OFF(calls[CLONEGATE_OP_UNSHARE]), 1);
	stat_attr_init(&s[i++], "exempt_calls", STAT_OFF(exempt), 1);

	for (op = 0; op < CLONEGATE_RULE_COUNT; op++)
		stat_attr_init(&s[i++], clonegate_rule_name(op),
			       STAT_OFF(rule_hits[op]), 1);
}

static const struct attribute_group stats_group = { .attrs = stat_list };
static const struct attribute_group rules_group = { .attrs = rule_list };

/**
 * clonegate_sysfs_register() - create /sys/kernel/clonegate and its files
 *
 * Return: 0, or -ENOMEM / the errno of sysfs, after which nothing exists.
 */
int clonegate_sysfs_register(void)
{
	int err = -ENOMEM;
	int i;

	stat_attrs = kcalloc(N_STATS + CLONEGATE_RULE_COUNT,
			     sizeof(*stat_attrs), GFP_KERNEL);
	if (!stat_attrs)
		return -ENOMEM;
	build_stat_attrs(stat_attrs);
	for (i = 0; i < N_STATS; i++)
		stat_list[i] = &stat_attrs[i].ka.attr;
	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		rule_list[i] = &stat_attrs[N_STATS + i].ka.attr;

	root_kobj = kobject_create_and_add("clonegate", kernel_kobj);
	if (!root_kobj)
		goto err_free_attrs;
	err = sysfs_create_group(root_kobj, &root_group);
	if (err)
		goto err_put_root;
	err = -ENOMEM;
	stats_kobj = kobject_create_and_add("stats", root_kobj);
	if (!stats_kobj)
		goto err_put_root;
	err = sysfs_create_group(stats_kobj, &stats_group);
	if (err)
		goto err_put_stats;
	err = -ENOMEM;
	rules_kobj = kobject_create_and_add("rules", stats_kobj);
	if (!rules_kobj)
		goto err_put_stats;
	err = sysfs_create_group(rules_kobj, &rules_group);
	if (err)
		goto err_put_rules;
	return 0;

err_put_rules:
	kobject_put(rules_kobj);
err_put_stats:
	kobject_put(stats_kobj);
err_put_root:
	kobject_put(root_kobj);
err_free_attrs:
	kfree(stat_attrs);
	return err;
}

/**
 * clonegate_sysfs_unregister() - remove every file; waits for readers
 */
void clonegate_sysfs_unregister(void)
{
	kobject_put(rules_kobj);
	kobject_put(stats_kobj);
	kobject_put(root_kobj);
	kfree(stat_attrs);
}
