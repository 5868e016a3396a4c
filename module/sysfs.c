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
#include "events.h"

static struct kobject *root_kobj, *stats_kobj, *rules_kobj;

/* A copy of the live policy, for the show functions. */
static struct clonegate_policy live(void)
{
	struct clonegate_policy p;

	rcu_read_lock();
	p = *rcu_dereference(clonegate_live);
	rcu_read_unlock();
	return p;
}

static const char *reason(int err)
{
	switch (err) {
	case -EPERM:
		return clonegate_is_locked() ? "policy is locked" :
					       "needs CAP_SYS_ADMIN";
	case -ERANGE:
		return "number out of range";
	case -E2BIG:
		return "value too long";
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
	return sysfs_emit(buf, "%s\n", clonegate_mode_names[live().mode]);
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
	return sysfs_emit(buf, "%s\n", clonegate_profile_names[live().profile]);
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
	return clonegate_format_flags(buf, PAGE_SIZE, live().clone_flags);
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
	return clonegate_format_flags(buf, PAGE_SIZE, live().unshare_flags);
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
	u32 on = live().rules;
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
	err = clonegate_parse_name(buf, len, (const char *const[]){ "1" }, 1);
	if (err)
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
 * at @offset in the per-CPU struct @base.
 */
struct stat_attr {
	struct kobj_attribute ka;
	const void __percpu *base;
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
		sum += clonegate_percpu_sum(s->base,
					    s->offset + i * sizeof(u64));
	return sysfs_emit(buf, "%llu\n", sum);
}

#define STAT_OFF(field) offsetof(struct clonegate_stats, field)
#define EV_OFF(field) offsetof(struct clonegate_event_stats, field)

/* allowed, denied and audited for each op; then three totals */
#define N_STATS		(3 * CLONEGATE_OP_COUNT + 3)
#define N_EV_STATS	4
#define N_DROP_STATS	2
#define N_ALL_STATS	(N_STATS + CLONEGATE_RULE_COUNT + N_EV_STATS + \
			 N_DROP_STATS)

static struct stat_attr *stat_attrs;
static struct attribute *stat_list[N_STATS + 1];
static struct attribute *rule_list[CLONEGATE_RULE_COUNT + 1];
/* the event settings come first, then the counters */
static struct attribute *event_list[3 + N_EV_STATS + 1];
static struct attribute *drop_list[N_DROP_STATS + 1];

static struct stat_attr *stat_attr_init(struct stat_attr *s, const char *name,
					const void __percpu *base,
					size_t offset, unsigned int n)
{
	strscpy(s->name, name, sizeof(s->name));
	sysfs_attr_init(&s->ka.attr);
	s->ka.attr.name = s->name;
	s->ka.attr.mode = 0444;
	s->ka.show = stat_show;
	s->base = base;
	s->offset = offset;
	s->n = n;
	return s;
}

static void build_stat_attrs(struct stat_attr *s)
{
	static const char *const kinds[] = { "allowed", "denied", "audited" };
	const size_t kind_off[] = {
		STAT_OFF(allowed), STAT_OFF(denied), STAT_OFF(audited)
	};
	const void __percpu *st = &clonegate_stats;
	const void __percpu *ev = &clonegate_event_stats;
	char name[40];
	int op, kind, i = 0;

	for (op = 0; op < CLONEGATE_OP_COUNT; op++)
		for (kind = 0; kind < ARRAY_SIZE(kinds); kind++) {
			snprintf(name, sizeof(name), "%s_%s",
				 clonegate_op_names[op], kinds[kind]);
			stat_list[i] = &stat_attr_init(&s[i], name, st,
				kind_off[kind] + op * sizeof(u64), 1)->ka.attr;
			i++;
		}
	/* clone, clone3, fork and vfork are the first four ops */
	stat_list[i] = &stat_attr_init(&s[i], "clone_calls", st,
				       STAT_OFF(calls), 4)->ka.attr;
	i++;
	stat_list[i] = &stat_attr_init(&s[i], "unshare_calls", st,
				       STAT_OFF(calls[CLONEGATE_OP_UNSHARE]),
				       1)->ka.attr;
	i++;
	stat_list[i] = &stat_attr_init(&s[i], "exempt_calls", st,
				       STAT_OFF(exempt), 1)->ka.attr;
	i++;

	for (op = 0; op < CLONEGATE_RULE_COUNT; op++, i++)
		rule_list[op] = &stat_attr_init(&s[i], clonegate_rule_name(op),
						st, STAT_OFF(rule_hits[op]),
						1)->ka.attr;

	event_list[3] = &stat_attr_init(&s[i++], "emitted", ev,
					EV_OFF(emitted), 1)->ka.attr;
	event_list[4] = &stat_attr_init(&s[i++], "delivered", ev,
					EV_OFF(delivered), 1)->ka.attr;
	event_list[5] = &stat_attr_init(&s[i++], "audit_records", ev,
					EV_OFF(audit_records), 1)->ka.attr;
	event_list[6] = &stat_attr_init(&s[i++], "traced", ev,
					EV_OFF(traced), 1)->ka.attr;
	drop_list[0] = &stat_attr_init(&s[i++], "ring_full", ev,
				       EV_OFF(dropped_ring_full), 1)->ka.attr;
	drop_list[1] = &stat_attr_init(&s[i++], "audit", ev,
				       EV_OFF(dropped_audit), 1)->ka.attr;
}

/* The event settings: sets of named members, like the flag files. */
static const char *decision_name(unsigned int i)
{
	return clonegate_decision_names[i];
}

static const char *channel_name(unsigned int i)
{
	return clonegate_channel_names[i];
}

static const char *field_name(unsigned int i)
{
	return clonegate_field_names[i];
}

static ssize_t set_show(char *buf, clonegate_name_fn name, unsigned int count,
			u32 set)
{
	return clonegate_format_set(buf, PAGE_SIZE, name, count, set);
}

static ssize_t set_store(const char *file, u32 *field, clonegate_name_fn name,
			 unsigned int count, const char *buf, size_t len)
{
	int err = -EPERM;

	if (capable(CAP_SYS_ADMIN))
		err = clonegate_config_edit(field, buf, len, name, count);
	if (err) {
		pr_warn_ratelimited("events/%s: write rejected (%d): %s\n",
				    file, err, reason(err));
		return err;
	}
	return len;
}

static ssize_t channels_show(struct kobject *k, struct kobj_attribute *a,
			     char *buf)
{
	return set_show(buf, channel_name, CLONEGATE_CHANNEL_COUNT,
			READ_ONCE(clonegate_events.channels));
}

static ssize_t channels_store(struct kobject *k, struct kobj_attribute *a,
			      const char *buf, size_t len)
{
	return set_store("channels", &clonegate_events.channels, channel_name,
			 CLONEGATE_CHANNEL_COUNT, buf, len);
}

static ssize_t context_fields_show(struct kobject *k, struct kobj_attribute *a,
				   char *buf)
{
	return set_show(buf, field_name, CLONEGATE_FIELD_COUNT,
			READ_ONCE(clonegate_events.fields));
}

static ssize_t context_fields_store(struct kobject *k,
				    struct kobj_attribute *a,
				    const char *buf, size_t len)
{
	return set_store("context_fields", &clonegate_events.fields,
			 field_name, CLONEGATE_FIELD_COUNT, buf, len);
}

static struct kobj_attribute channels_attr = __ATTR_RW_MODE(channels, 0644);
static struct kobj_attribute context_fields_attr =
	__ATTR_RW_MODE(context_fields, 0644);

static ssize_t decisions_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	return set_show(buf, decision_name, CLONEGATE_DECISION_COUNT,
			READ_ONCE(clonegate_events.decisions));
}

static ssize_t decisions_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t len)
{
	u32 old = READ_ONCE(clonegate_events.decisions);
	ssize_t ret = set_store("decisions", &clonegate_events.decisions,
				decision_name, CLONEGATE_DECISION_COUNT, buf,
				len);
	int err;

	if (ret < 0)
		return ret;
	/* allowed clones are reported from task_newtask: attach or detach */
	err = clonegate_events_sync();
	if (err) {
		WRITE_ONCE(clonegate_events.decisions, old);
		pr_warn_ratelimited("events/decisions: cannot attach to task_newtask (%d)\n",
				    err);
		return err;
	}
	return ret;
}

static struct kobj_attribute decisions_attr = __ATTR_RW_MODE(decisions, 0644);

static const struct attribute_group stats_group = { .attrs = stat_list };
static const struct attribute_group rules_group = { .attrs = rule_list };
static const struct attribute_group events_group = { .attrs = event_list };
static const struct attribute_group drops_group = { .attrs = drop_list };

static struct kobject *events_kobj, *drops_kobj;

/* Create @name under @parent with the files of @group. */
static struct kobject *add_dir(const char *name, struct kobject *parent,
			       const struct attribute_group *group)
{
	struct kobject *k = kobject_create_and_add(name, parent);

	if (!k)
		return NULL;
	if (sysfs_create_group(k, group)) {
		kobject_put(k);
		return NULL;
	}
	return k;
}

/**
 * clonegate_sysfs_register() - create /sys/kernel/clonegate and its files
 *
 * Return: 0, or -ENOMEM, after which nothing exists.
 */
int clonegate_sysfs_register(void)
{
	stat_attrs = kcalloc(N_ALL_STATS, sizeof(*stat_attrs), GFP_KERNEL);
	if (!stat_attrs)
		return -ENOMEM;
	build_stat_attrs(stat_attrs);
	event_list[0] = &decisions_attr.attr;
	event_list[1] = &channels_attr.attr;
	event_list[2] = &context_fields_attr.attr;

	root_kobj = add_dir("clonegate", kernel_kobj, &root_group);
	if (!root_kobj)
		goto err_free_attrs;
	stats_kobj = add_dir("stats", root_kobj, &stats_group);
	if (!stats_kobj)
		goto err_put_root;
	rules_kobj = add_dir("rules", stats_kobj, &rules_group);
	if (!rules_kobj)
		goto err_put_stats;
	events_kobj = add_dir("events", root_kobj, &events_group);
	if (!events_kobj)
		goto err_put_rules;
	drops_kobj = add_dir("dropped", events_kobj, &drops_group);
	if (!drops_kobj)
		goto err_put_events;
	return 0;

err_put_events:
	kobject_put(events_kobj);
err_put_rules:
	kobject_put(rules_kobj);
err_put_stats:
	kobject_put(stats_kobj);
err_put_root:
	kobject_put(root_kobj);
err_free_attrs:
	kfree(stat_attrs);
	return -ENOMEM;
}

/**
 * clonegate_sysfs_unregister() - remove every file; waits for readers
 */
void clonegate_sysfs_unregister(void)
{
	kobject_put(drops_kobj);
	kobject_put(events_kobj);
	kobject_put(rules_kobj);
	kobject_put(stats_kobj);
	kobject_put(root_kobj);
	kfree(stat_attrs);
}
