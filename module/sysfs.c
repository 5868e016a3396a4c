// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate sysfs: /sys/kernel/clonegate/, the policy's control surface.
 *
 * One value per file. Every write needs CAP_SYS_ADMIN in the initial user
 * namespace, is parsed whole before anything changes, and either publishes
 * a complete new policy set or leaves the old one exactly as it was.
 *
 * The policy files are one attribute group, shown at the top for the host
 * policy and in scopes/<name>/ for each scope; a file finds its policy by
 * the directory it is in. The counter files work the same way under
 * stats/.
 */
#include <linux/capability.h>
#include <linux/err.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "health.h"
#include "hooks.h"
#include "state.h"
#include "sysfs.h"

static const char *version;
static struct kobject *root_kobj, *stats_kobj, *rules_kobj, *events_kobj,
		      *drops_kobj, *scopes_kobj;

/* scopes/<name>/: a scope's directory */
struct scope_dir {
	struct kobject kobj;
	struct clonegate_scope *scope;
	struct kobject *stats, *rules;
	struct list_head node;
};

static void scope_dir_release(struct kobject *kobj)
{
	kfree(container_of(kobj, struct scope_dir, kobj));
}

static const struct attribute_group *scope_groups[];

static struct kobj_type scope_ktype = {
	.release = scope_dir_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = scope_groups,
};

/* Serialises scopes/add and scopes/remove; guards scope_dirs. */
static DEFINE_MUTEX(scopes_mutex);
static LIST_HEAD(scope_dirs);

/* The scope a file of @kobj (or of a directory below it) belongs to. */
static struct scope_dir *dir_of(struct kobject *kobj)
{
	for (; kobj && kobj != root_kobj; kobj = kobj->parent)
		if (kobj->ktype == &scope_ktype)
			return container_of(kobj, struct scope_dir, kobj);
	return NULL;
}

static struct clonegate_scope *scope_of(struct kobject *kobj)
{
	struct scope_dir *dir = dir_of(kobj);

	return dir ? dir->scope : NULL;
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
	case -ENAMETOOLONG:
		return "path too long";
	case -ENOMEM:
		return "out of memory";
	case -ENOENT:
		return "no such scope or cgroup";
	case -ENOTDIR:
		return "not a cgroup";
	case -EEXIST:
		return "scope exists";
	case -ENOSPC:
		return "too many scopes";
	default:
		return "invalid value";
	}
}

/* The end of every write: the byte count sysfs expects, or the errno. */
static ssize_t written(struct kobject *kobj, const char *file, int err,
		       size_t len)
{
	struct scope_dir *dir = dir_of(kobj);

	if (!err)
		return len;
	/* the file's path under /sys/kernel/clonegate */
	pr_warn_ratelimited("%s%s%s%s: write rejected (%d): %s\n",
			    dir ? "scopes/" : "", dir ? dir->scope->name : "",
			    dir ? "/" : "", file, err, reason(err));
	return err;
}

static ssize_t edit(struct kobject *kobj, const char *file,
		    clonegate_edit_fn fn, const char *buf, size_t len)
{
	int err = -EPERM;

	if (capable(CAP_SYS_ADMIN))
		err = clonegate_policy_edit(scope_of(kobj), fn, buf, len);
	return written(kobj, file, err, len);
}

/* The policy of the directory @kobj is in, or -ENOENT once removed. */
static int policy(struct kobject *kobj, struct clonegate_policy *p)
{
	return clonegate_policy_read(scope_of(kobj), p);
}

#define POLICY_SHOW(file, fmt)						\
static ssize_t file##_show(struct kobject *k, struct kobj_attribute *a, \
			   char *buf)					\
{									\
	struct clonegate_policy p;					\
	int err = policy(k, &p);					\
									\
	return err ?: fmt;						\
}

#define POLICY_STORE(file)						\
static ssize_t file##_store(struct kobject *k, struct kobj_attribute *a, \
			    const char *buf, size_t len)		\
{									\
	return edit(k, #file, edit_##file, buf, len);			\
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

static int custom(struct clonegate_policy *p, int err)
{
	if (!err)
		p->profile = CLONEGATE_PROFILE_CUSTOM;
	return err;
}

static int edit_clone_flags(struct clonegate_policy *p, const char *buf,
			    size_t len)
{
	return custom(p, clonegate_parse_flags(buf, len, CLONEGATE_LINUX_FLAGS,
					       p->clone_flags,
					       &p->clone_flags));
}

static int edit_unshare_flags(struct clonegate_policy *p, const char *buf,
			      size_t len)
{
	return custom(p, clonegate_parse_flags(buf, len,
					       CLONEGATE_LINUX_UNSHARE_FLAGS,
					       p->unshare_flags,
					       &p->unshare_flags));
}

static int edit_setns_types(struct clonegate_policy *p, const char *buf,
			    size_t len)
{
	return custom(p, clonegate_parse_ns_types(buf, len, p->setns_types,
						  &p->setns_types));
}

static int edit_rules(struct clonegate_policy *p, const char *buf, size_t len)
{
	return custom(p, clonegate_parse_rules(buf, len, p->rules, &p->rules));
}

static int rules_fmt(char *buf, u32 on)
{
	int i, len = 0;

	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		len += sysfs_emit_at(buf, len, "%c%s\n",
				     on & BIT(i) ? '+' : '-',
				     clonegate_rule_name(i));
	return len;
}

POLICY_SHOW(mode, sysfs_emit(buf, "%s\n", clonegate_mode_names[p.mode]))
POLICY_STORE(mode)
POLICY_SHOW(profile,
	    sysfs_emit(buf, "%s\n", clonegate_profile_names[p.profile]))
POLICY_STORE(profile)
POLICY_SHOW(clone_flags, clonegate_format_flags(buf, PAGE_SIZE, p.clone_flags))
POLICY_STORE(clone_flags)
POLICY_SHOW(unshare_flags,
	    clonegate_format_flags(buf, PAGE_SIZE, p.unshare_flags))
POLICY_STORE(unshare_flags)
POLICY_SHOW(setns_types,
	    clonegate_format_ns_types(buf, PAGE_SIZE, p.setns_types))
POLICY_STORE(setns_types)
POLICY_SHOW(rules, rules_fmt(buf, p.rules))
POLICY_STORE(rules)

static struct kobj_attribute mode_attr = __ATTR_RW_MODE(mode, 0644);
static struct kobj_attribute profile_attr = __ATTR_RW_MODE(profile, 0644);
static struct kobj_attribute clone_flags_attr =
	__ATTR_RW_MODE(clone_flags, 0644);
static struct kobj_attribute unshare_flags_attr =
	__ATTR_RW_MODE(unshare_flags, 0644);
static struct kobj_attribute setns_types_attr =
	__ATTR_RW_MODE(setns_types, 0644);
static struct kobj_attribute rules_attr = __ATTR_RW_MODE(rules, 0644);

static struct attribute *policy_attrs[] = {
	&mode_attr.attr,
	&profile_attr.attr,
	&clone_flags_attr.attr,
	&unshare_flags_attr.attr,
	&setns_types_attr.attr,
	&rules_attr.attr,
	NULL
};

static const struct attribute_group policy_group = { .attrs = policy_attrs };

/* --- the files only the top has --------------------------------------- */

static ssize_t version_show(struct kobject *k, struct kobj_attribute *a,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", version);
}

static ssize_t hook_backend_show(struct kobject *k, struct kobj_attribute *a,
				 char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  clonegate_backend_names[clonegate_hooks_backend()]);
}

static ssize_t health_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	char now[CLONEGATE_MESSAGE_LEN];

	clonegate_health_check(now, sizeof(now));
	return sysfs_emit(buf, "%s\n", now);
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
static struct kobj_attribute hook_backend_attr = __ATTR_RO(hook_backend);
static struct kobj_attribute health_attr = __ATTR_RO(health);
static struct kobj_attribute locked_attr = __ATTR_RW_MODE(locked, 0644);

static struct attribute *root_attrs[] = {
	&version_attr.attr,
	&hook_backend_attr.attr,
	&health_attr.attr,
	&locked_attr.attr,
	NULL
};

static const struct attribute_group root_group = { .attrs = root_attrs };

/* --- counters --------------------------------------------------------- */

/*
 * A counter file: the sum of @n consecutive per-CPU u64 counters starting
 * at @offset, in the per-CPU module-wide stats if @global, else in the
 * counters of the policy whose stats/ directory holds the file.
 */
struct stat_attr {
	struct kobj_attribute ka;
	size_t offset;
	unsigned int n;
	bool global;
	char name[40];
};

static ssize_t stat_show(struct kobject *k, struct kobj_attribute *a,
			 char *buf)
{
	struct stat_attr *s = container_of(a, struct stat_attr, ka);
	struct clonegate_scope *scope = scope_of(k);
	const void __percpu *base;
	u64 sum = 0;
	unsigned int i;

	if (s->global)
		base = &clonegate_stats;
	else if (scope)
		base = scope->counters;
	else
		base = &clonegate_host_counters;
	for (i = 0; i < s->n; i++)
		sum += clonegate_percpu_sum(base, s->offset + i * sizeof(u64));
	return sysfs_emit(buf, "%llu\n", sum);
}

#define C_OFF(field)	offsetof(struct clonegate_counters, field)
#define S_OFF(field)	offsetof(struct clonegate_stats, field)

/* per op: allowed, denied, audited; then calls per kind of call */
#define N_COUNTERS	(3 * CLONEGATE_OP_COUNT + 3)
#define N_GLOBAL	3
#define N_EVENT		5
#define N_DROP		2
#define N_ALL		(N_COUNTERS + N_GLOBAL + CLONEGATE_RULE_COUNT + \
			 N_EVENT + N_DROP)

static struct stat_attr *stat_attrs;
static unsigned int n_stat_attrs;
static struct attribute *counter_list[N_COUNTERS + 1];
static struct attribute *global_list[N_GLOBAL + 1];
static struct attribute *rule_list[CLONEGATE_RULE_COUNT + 1];
/* the event settings come first, then the counters */
static struct attribute *event_list[4 + N_EVENT + 1];
static struct attribute *drop_list[N_DROP + 1];

static struct attribute *stat_attr(const char *name, size_t offset,
				   unsigned int n, bool global)
{
	struct stat_attr *s = &stat_attrs[n_stat_attrs++];

	strscpy(s->name, name, sizeof(s->name));
	sysfs_attr_init(&s->ka.attr);
	s->ka.attr.name = s->name;
	s->ka.attr.mode = 0444;
	s->ka.show = stat_show;
	s->offset = offset;
	s->n = n;
	s->global = global;
	return &s->ka.attr;
}

static void build_stat_attrs(void)
{
	/* the counted kinds a file shows; the decisions' names */
	static const enum clonegate_count kinds[] = {
		CLONEGATE_COUNT_ALLOWED, CLONEGATE_COUNT_DENIED,
		CLONEGATE_COUNT_AUDITED,
	};
	const unsigned int per_op = CLONEGATE_COUNT_KINDS;
	char name[40];
	int op, kind, i = 0;

	for (op = 0; op < CLONEGATE_OP_COUNT; op++)
		for (kind = 0; kind < ARRAY_SIZE(kinds); kind++) {
			snprintf(name, sizeof(name), "%s_%s",
				 clonegate_op_names[op],
				 clonegate_decision_names[kinds[kind]]);
			counter_list[i++] = stat_attr(name,
					C_OFF(calls[op][kinds[kind]]), 1, false);
		}
	/* calls: every kind, of clone, clone3, fork and vfork (the first) */
	counter_list[i++] = stat_attr("clone_calls", C_OFF(calls), 4 * per_op,
				      false);
	counter_list[i++] = stat_attr("unshare_calls",
				      C_OFF(calls[CLONEGATE_OP_UNSHARE]),
				      per_op, false);
	counter_list[i++] = stat_attr("setns_calls",
				      C_OFF(calls[CLONEGATE_OP_SETNS]), per_op,
				      false);
	global_list[0] = stat_attr("exempt_calls", S_OFF(exempt), 1, true);
	global_list[1] = stat_attr("unchecked_calls", S_OFF(unchecked), 1,
				   true);
	global_list[2] = stat_attr("health_changes", S_OFF(health_changes), 1,
				   true);
	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		rule_list[i] = stat_attr(clonegate_rule_name(i),
					 C_OFF(rule_hits[i]), 1, false);
	event_list[4] = stat_attr("emitted", S_OFF(emitted), 1, true);
	event_list[5] = stat_attr("delivered", S_OFF(delivered), 1, true);
	event_list[6] = stat_attr("audit_records", S_OFF(audit_records), 1,
				  true);
	event_list[7] = stat_attr("traced", S_OFF(traced), 1, true);
	event_list[8] = stat_attr("suppressed", S_OFF(suppressed), 1, true);
	drop_list[0] = stat_attr("ring_full", S_OFF(dropped_ring_full), 1,
				 true);
	drop_list[1] = stat_attr("audit", S_OFF(dropped_audit), 1, true);
}

static const struct attribute_group counter_group = { .attrs = counter_list };
static const struct attribute_group global_group = { .attrs = global_list };
static const struct attribute_group rule_group = { .attrs = rule_list };
static const struct attribute_group drop_group = { .attrs = drop_list };

/* --- event settings --------------------------------------------------- */

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

static ssize_t set_store(struct kobject *k, const char *file, u32 *field,
			 clonegate_name_fn name, unsigned int count,
			 const char *buf, size_t len)
{
	int err = -EPERM;

	if (capable(CAP_SYS_ADMIN))
		err = clonegate_config_edit(field, buf, len, name, count);
	return written(k, file, err, len);
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
	return set_store(k, "events/channels", &clonegate_events.channels,
			 channel_name, CLONEGATE_CHANNEL_COUNT, buf, len);
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
	return set_store(k, "events/context_fields", &clonegate_events.fields,
			 field_name, CLONEGATE_FIELD_COUNT, buf, len);
}

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
	ssize_t ret = set_store(k, "events/decisions",
				&clonegate_events.decisions, decision_name,
				CLONEGATE_DECISION_COUNT, buf, len);
	int err;

	if (ret < 0)
		return ret;
	/* allowed clones are reported from task_newtask: attach or detach */
	err = clonegate_newtask_sync();
	if (err) {
		WRITE_ONCE(clonegate_events.decisions, old);
		pr_warn_ratelimited("events/decisions: cannot attach to task_newtask (%d)\n",
				    err);
		return err;
	}
	return ret;
}

static ssize_t ratelimit_show(struct kobject *k, struct kobj_attribute *a,
			      char *buf)
{
	u32 rate, burst = clonegate_ratelimit(&rate);

	if (!burst)
		return sysfs_emit(buf, "0\n");
	return sysfs_emit(buf, "%u %u\n", burst, rate);
}

static ssize_t ratelimit_store(struct kobject *k, struct kobj_attribute *a,
			       const char *buf, size_t len)
{
	int err = -EPERM;

	if (capable(CAP_SYS_ADMIN))
		err = clonegate_ratelimit_edit(buf, len);
	return written(k, "events/ratelimit", err, len);
}

static struct kobj_attribute decisions_attr = __ATTR_RW_MODE(decisions, 0644);
static struct kobj_attribute channels_attr = __ATTR_RW_MODE(channels, 0644);
static struct kobj_attribute context_fields_attr =
	__ATTR_RW_MODE(context_fields, 0644);
static struct kobj_attribute ratelimit_attr = __ATTR_RW_MODE(ratelimit, 0644);

static const struct attribute_group event_group = { .attrs = event_list };

/* --- scopes ----------------------------------------------------------- */

static ssize_t cgroup_show(struct kobject *k, struct kobj_attribute *a,
			   char *buf)
{
	return clonegate_scope_cgroup_show(scope_of(k), buf, PAGE_SIZE);
}

static ssize_t cgroup_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t len)
{
	int err = -EPERM;

	if (capable(CAP_SYS_ADMIN))
		err = clonegate_scope_set_cgroup(scope_of(k), buf, len);
	return written(k, "cgroup", err, len);
}

static struct kobj_attribute cgroup_attr = __ATTR_RW_MODE(cgroup, 0644);

static struct attribute *scope_attrs[] = { &cgroup_attr.attr, NULL };
static const struct attribute_group scope_group = { .attrs = scope_attrs };
static const struct attribute_group *scope_groups[] = {
	&scope_group, &policy_group, NULL
};

/* Create @name under @parent with the files of @group. */
static struct kobject *add_dir(const char *name, struct kobject *parent,
			       const struct attribute_group *group)
{
	struct kobject *k = kobject_create_and_add(name, parent);

	if (!k)
		return NULL;
	if (group && sysfs_create_group(k, group)) {
		kobject_put(k);
		return NULL;
	}
	return k;
}

static void scope_dir_remove(struct scope_dir *dir)
{
	list_del(&dir->node);
	kobject_put(dir->rules);
	kobject_put(dir->stats);
	/* waits for every reader and writer of its files */
	kobject_del(&dir->kobj);
	kobject_put(&dir->kobj);
}

static int scope_dir_add(struct clonegate_scope *scope)
{
	struct scope_dir *dir = kzalloc(sizeof(*dir), GFP_KERNEL);
	int err;

	if (!dir)
		return -ENOMEM;
	dir->scope = scope;
	INIT_LIST_HEAD(&dir->node);
	err = kobject_init_and_add(&dir->kobj, &scope_ktype, scopes_kobj, "%s",
				   scope->name);
	if (err) {
		kobject_put(&dir->kobj);
		return err;
	}
	dir->stats = add_dir("stats", &dir->kobj, &counter_group);
	dir->rules = dir->stats ? add_dir("rules", dir->stats, &rule_group) :
				  NULL;
	list_add(&dir->node, &scope_dirs);
	if (!dir->rules) {
		scope_dir_remove(dir);
		return -ENOMEM;
	}
	return 0;
}

static ssize_t add_store(struct kobject *k, struct kobj_attribute *a,
			 const char *buf, size_t len)
{
	char name[CLONEGATE_SCOPE_LEN];
	struct clonegate_scope *scope;
	int err = -EPERM;

	if (!capable(CAP_SYS_ADMIN))
		goto out;
	err = clonegate_parse_scope_name(buf, len, name);
	if (err)
		goto out;
	mutex_lock(&scopes_mutex);
	scope = clonegate_scope_add(name);
	err = PTR_ERR_OR_ZERO(scope);
	if (!err) {
		err = scope_dir_add(scope);
		if (err) {
			/* locked meanwhile or not, it never was usable */
			scope = clonegate_scope_unpublish(name, true);
			if (IS_ERR(scope))
				pr_err("scope %s: no files, and not taken out (%pe); it matches no cgroup\n",
				       name, scope);
			else
				clonegate_scope_free(scope);
		}
	}
	mutex_unlock(&scopes_mutex);
out:
	return written(k, "scopes/add", err, len);
}

static ssize_t remove_store(struct kobject *k, struct kobj_attribute *a,
			    const char *buf, size_t len)
{
	char name[CLONEGATE_SCOPE_LEN];
	struct clonegate_scope *scope;
	struct scope_dir *dir;
	int err = -EPERM;

	if (!capable(CAP_SYS_ADMIN))
		goto out;
	err = clonegate_parse_scope_name(buf, len, name);
	if (err)
		goto out;
	mutex_lock(&scopes_mutex);
	scope = clonegate_scope_unpublish(name, false);
	err = PTR_ERR_OR_ZERO(scope);
	if (!err) {
		list_for_each_entry(dir, &scope_dirs, node)
			if (dir->scope == scope)
				break;
		scope_dir_remove(dir);
		clonegate_scope_free(scope);
	}
	mutex_unlock(&scopes_mutex);
out:
	return written(k, "scopes/remove", err, len);
}

static struct kobj_attribute add_attr = __ATTR_WO(add);
static struct kobj_attribute remove_attr = __ATTR_WO(remove);

static struct attribute *scopes_attrs[] = {
	&add_attr.attr, &remove_attr.attr, NULL
};

static const struct attribute_group scopes_group = { .attrs = scopes_attrs };

/* --- register --------------------------------------------------------- */

/**
 * clonegate_sysfs_register() - create /sys/kernel/clonegate and its files
 * @ver: what the version file reads
 *
 * The last thing at load but /dev/clonegate: everything a write can reach
 * is there already.
 *
 * Return: 0, or -ENOMEM, after which nothing exists.
 */
int clonegate_sysfs_register(const char *ver)
{
	version = ver;
	stat_attrs = kcalloc(N_ALL, sizeof(*stat_attrs), GFP_KERNEL);
	if (!stat_attrs)
		return -ENOMEM;
	n_stat_attrs = 0;
	build_stat_attrs();
	event_list[0] = &decisions_attr.attr;
	event_list[1] = &channels_attr.attr;
	event_list[2] = &context_fields_attr.attr;
	event_list[3] = &ratelimit_attr.attr;

	root_kobj = add_dir("clonegate", kernel_kobj, &root_group);
	if (!root_kobj)
		goto err_free_attrs;
	if (sysfs_create_group(root_kobj, &policy_group))
		goto err_put_root;
	stats_kobj = add_dir("stats", root_kobj, &counter_group);
	if (!stats_kobj)
		goto err_put_root;
	if (sysfs_create_group(stats_kobj, &global_group))
		goto err_put_stats;
	rules_kobj = add_dir("rules", stats_kobj, &rule_group);
	if (!rules_kobj)
		goto err_put_stats;
	events_kobj = add_dir("events", root_kobj, &event_group);
	if (!events_kobj)
		goto err_put_rules;
	drops_kobj = add_dir("dropped", events_kobj, &drop_group);
	if (!drops_kobj)
		goto err_put_events;
	scopes_kobj = add_dir("scopes", root_kobj, &scopes_group);
	if (!scopes_kobj)
		goto err_put_drops;
	return 0;

err_put_drops:
	kobject_put(drops_kobj);
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
 *
 * The first thing at unload after /dev/clonegate: no write lands after it.
 */
void clonegate_sysfs_unregister(void)
{
	struct scope_dir *dir, *next;

	mutex_lock(&scopes_mutex);
	list_for_each_entry_safe(dir, next, &scope_dirs, node)
		scope_dir_remove(dir);
	mutex_unlock(&scopes_mutex);
	kobject_put(scopes_kobj);
	kobject_put(drops_kobj);
	kobject_put(events_kobj);
	kobject_put(rules_kobj);
	kobject_put(stats_kobj);
	kobject_put(root_kobj);
	kfree(stat_attrs);
}
