// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events: build one record per reported decision and hand it to
 * the channels that are on.
 *
 * Denied and audited calls are reported at the decision, allowed
 * clone-family calls once their child exists (hooks.c, task_newtask).
 * Records of denied and audited calls are rate-limited per user; the
 * calls themselves never are. A record that goes out after some were held
 * back says how many, on every channel, and a counter keeps the total.
 *
 * Everything here runs in the hooks' context and never sleeps. The record
 * is built in a per-CPU scratch buffer: it is too big for the stack of a
 * hook.
 */
#include <linux/bitops.h>
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/hash.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "channels.h"
#include "events.h"
#include "ratelimit.h"
#include "state.h"

static DEFINE_PER_CPU(struct clonegate_event, scratch);
static atomic64_t event_seq = ATOMIC64_INIT(0);

/* --- the rate limit ---------------------------------------------------- */

/*
 * A token bucket per user, hashed by uid: two users that share a bucket
 * share its rate, and neither can reset the other's.
 */
#define RL_BITS	8

struct rl_bucket {
	spinlock_t lock;	/* @b */
	struct clonegate_bucket b;
};

static struct rl_bucket buckets[1 << RL_BITS];

/*
 * Whether a record of current's user may go out now: the number of its
 * records held back before it, or -1 to hold this one back too.
 */
static s64 ratelimit(void)
{
	u32 rate, burst = clonegate_ratelimit(&rate);
	uid_t uid = __kuid_val(current_uid());	/* see fill_context() */
	struct rl_bucket *rl = &buckets[hash_32(uid, RL_BITS)];
	s64 held;

	if (!burst)
		return 0;
	spin_lock(&rl->lock);
	/* the time read under the lock, so never before the last refill */
	held = clonegate_bucket_take(&rl->b, ktime_get_mono_fast_ns(), burst,
				     rate);
	spin_unlock(&rl->lock);
	if (held < 0)
		clonegate_stat_inc(suppressed);
	return held;
}

/* --- building a record ------------------------------------------------ */

/*
 * The clocks of one record, each read once: the record's time, and
 * CLOCK_REALTIME minus CLOCK_BOOTTIME, by which every start time in it is
 * moved, so that a task's start time is the same in all records (up to a
 * settimeofday).
 */
struct record_clock {
	u64 now;
	u64 shift;
};

static void record_clock(struct record_clock *c)
{
	c->now = ktime_get_real_ns();
	/* the clocks' offsets from CLOCK_MONOTONIC: no second clock read */
	c->shift = ktime_mono_to_any(0, TK_OFFS_REAL) -
		   ktime_mono_to_any(0, TK_OFFS_BOOT);
}

static void fill_cwd(struct clonegate_event *ev)
{
	struct fs_struct *fs = current->fs;
	struct path pwd;
	size_t len;
	char *p;

	if (!fs)
		return;
	clonegate_fs_path_rcu(fs, &fs->pwd, &pwd);
	p = d_path(&pwd, ev->cwd, sizeof(ev->cwd));
	if (IS_ERR(p)) {
		ev->ev_flags |= CLONEGATE_EV_F_TRUNCATED;
		p = "?";
	}
	/* d_path() writes at the end of the field: move, clear the rest */
	len = strlen(p);
	memmove(ev->cwd, p, len + 1);
	memset(ev->cwd + len + 1, 0, sizeof(ev->cwd) - len - 1);
}

/*
 * The cgroup path of the last record built on this CPU, by cgroup id.
 * Walking a path costs more than the rest of a record together, and a
 * flood of records mostly comes from one cgroup. A cgroup v2 directory
 * cannot be renamed (only v1 hierarchies can), and its id is never given
 * to another cgroup while the system runs, so an id's path never changes.
 *
 * The path is written one byte wider than the record's field: what
 * cgroup_path() returns for a path that does not fit differs between
 * kernels (the length written, or -E2BIG), but a path that fills the wider
 * buffer is too long for the field on every one of them.
 */
struct cgroup_path_cache {
	bool valid;
	bool truncated;
	u64 id;
	size_t len;		/* of what goes in the field */
	char path[sizeof_field(struct clonegate_event, container_id) + 1];
};

static DEFINE_PER_CPU(struct cgroup_path_cache, cgroup_paths);

static void fill_container(struct clonegate_event *ev)
{
	struct cgroup *cgrp = task_dfl_cgroup(current);
	struct cgroup_path_cache *c = this_cpu_ptr(&cgroup_paths);
	const size_t size = sizeof(ev->container_id);
	u64 id = cgroup_id(cgrp);
	size_t n;
	int len;

	ev->cgroup_id = id;
	if (!c->valid || c->id != id) {
		/* the path from the root of the cgroup v2 hierarchy, never sleeps */
		len = cgroup_path(cgrp, c->path, sizeof(c->path));
		n = strnlen(c->path, sizeof(c->path));
		c->truncated = len < 0 || n >= size;
		c->len = min(n, size - 1);
		c->id = id;
		c->valid = true;
	}
	if (c->truncated)
		ev->ev_flags |= CLONEGATE_EV_F_TRUNCATED;
	/* the record is cleared: the field is terminated */
	memcpy(ev->container_id, c->path, c->len);
}

static void fill_context(struct clonegate_event *ev, u32 fields,
			 const struct record_clock *clk)
{
	const u64 shift = clk->shift;
	struct task_struct *t = current;
	const struct cred *cred;

	ev->fields = fields;
	if (fields & CLONEGATE_FIELD_TIME)
		ev->time_ns = clk->now;
	if (fields & CLONEGATE_FIELD_THREAD_ID)
		ev->thread_id = task_pid_nr(t);
	if (fields & CLONEGATE_FIELD_THREAD_START_TIME)
		ev->thread_start_time_ns = t->start_boottime + shift;
	if (fields & CLONEGATE_FIELD_THREAD_GROUP_ID)
		ev->thread_group_id = task_tgid_nr(t);
	if (fields & CLONEGATE_FIELD_THREAD_GROUP_START_TIME)
		ev->thread_group_start_time_ns =
			t->group_leader->start_boottime + shift;
	if (fields & CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID)
		ev->parent_thread_group_id =
			task_tgid_nr(rcu_dereference(t->real_parent));
	if (fields & CLONEGATE_FIELD_CREDENTIALS) {
		/*
		 * A kernel id is its value in the initial user namespace,
		 * whose map is the identity: from_kuid(&init_user_ns, id)
		 * is the value, with a search of the map per id. A task's
		 * credentials never hold the invalid id.
		 */
		cred = current_cred();
		ev->uid = __kuid_val(cred->uid);
		ev->euid = __kuid_val(cred->euid);
		ev->suid = __kuid_val(cred->suid);
		ev->gid = __kgid_val(cred->gid);
		ev->egid = __kgid_val(cred->egid);
		ev->sgid = __kgid_val(cred->sgid);
	}
	if (fields & CLONEGATE_FIELD_CONTAINER_ID)
		fill_container(ev);
	if (fields & CLONEGATE_FIELD_CWD)
		fill_cwd(ev);
	/*
	 * Without get_task_comm()'s task lock, as the kernel's own
	 * tracepoints read it: a rename racing with the call may give part
	 * of each name; the field is terminated all the same.
	 */
	if (fields & CLONEGATE_FIELD_PROCESS_NAME)
		strscpy_pad(ev->process_name, t->comm, sizeof(ev->process_name));
}

static void start(struct clonegate_event *ev, u16 op)
{
	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);
	ev->version = CLONEGATE_EVENT_VERSION;
	ev->op = op;
	ev->seq = atomic64_inc_return(&event_seq);
	ev->rule = -1;
}

static void build(struct clonegate_event *ev, const struct clonegate_report *r,
		  u32 fields, u32 held)
{
	const struct clonegate_call *c = r->call;
	struct record_clock clk;

	record_clock(&clk);
	start(ev, c->op);
	ev->decision = r->decision;
	ev->mode = r->mode;
	if (r->verdict.rule != CLONEGATE_RULE_NONE)
		ev->rule = r->verdict.rule;
	ev->errno_value = -r->verdict.err;
	ev->flags = c->flags;
	ev->suppressed = held;
	/* both padded to the field: no search for their ends */
	memcpy(ev->rule_name, clonegate_rule_name(r->verdict.rule),
	       sizeof(ev->rule_name));
	memcpy(ev->scope, r->scope, sizeof(ev->scope));
	if (BIT(c->op) & CLONEGATE_OPS_CLONE_FAMILY)
		ev->exit_signal = c->exit_signal;
	if (c->op == CLONEGATE_OP_SETNS) {
		ev->setns_form = c->setns_form;
		ev->ns_inum = c->ns_inum;
		/* a pidfd join refused whole may name several types */
		if (hweight64(c->flags) == 1)
			ev->ns_type = c->flags;
	}
	if (r->child) {
		ev->ev_flags |= CLONEGATE_EV_F_CREATED;
		ev->created_thread_id = task_pid_nr(r->child);
		ev->created_thread_group_id = task_tgid_nr(r->child);
		ev->created_thread_start_time_ns =
			r->child->start_boottime + clk.shift;
	}
	fill_context(ev, fields, &clk);
}

/*
 * Where to build a record: in /dev/clonegate's ring slot when that channel
 * is on and has room (no copy), else in this CPU's scratch record. Called
 * with preemption disabled.
 */
static struct clonegate_event *place(u32 *channels)
{
	struct clonegate_event *ev = NULL;

	if (*channels & BIT(CLONEGATE_CHANNEL_DEV))
		ev = clonegate_dev_reserve();
	if (ev)
		return ev;
	*channels &= ~BIT(CLONEGATE_CHANNEL_DEV);
	return this_cpu_ptr(&scratch);
}

static void emit(const struct clonegate_event *ev, u32 channels)
{
	if (channels & BIT(CLONEGATE_CHANNEL_DEV))
		clonegate_dev_commit();
	if (channels & BIT(CLONEGATE_CHANNEL_AUDIT))
		clonegate_audit_emit(ev);
	if (channels & BIT(CLONEGATE_CHANNEL_TRACE))
		clonegate_trace_emit(ev);
}

/**
 * clonegate_event_report() - report one decision on every channel that is on
 * @r: the decision; its caller wants events of its kind
 *
 * Called under rcu_read_lock(). Never sleeps and never waits for a reader.
 */
void clonegate_event_report(const struct clonegate_report *r)
{
	u32 channels = READ_ONCE(clonegate_events.channels);
	struct clonegate_event *ev;
	s64 held = 0;

	if (!channels)
		return;
	if (r->decision != CLONEGATE_ALLOWED) {
		held = ratelimit();
		if (held < 0)
			return;
	}
	preempt_disable();
	ev = place(&channels);
	if (channels) {
		build(ev, r, READ_ONCE(clonegate_events.fields), held);
		emit(ev, channels);
	} else {
		/*
		 * The only channel was a full ring: the drop is counted, and
		 * the record only takes its number, so the reader sees a gap.
		 */
		atomic64_inc(&event_seq);
	}
	preempt_enable();
}

/**
 * clonegate_event_health() - report a change of hook health
 * @message: the new state: "ok", or what is wrong
 *
 * Not rate-limited and not subject to events/decisions: every change goes
 * out on every channel that is on.
 */
void clonegate_event_health(const char *message)
{
	u32 channels = READ_ONCE(clonegate_events.channels);
	struct clonegate_event *ev;

	preempt_disable();
	ev = place(&channels);
	start(ev, CLONEGATE_EV_OP_HEALTH);
	ev->fields = CLONEGATE_FIELD_TIME;
	ev->time_ns = ktime_get_real_ns();
	memcpy(ev->rule_name, clonegate_rule_name(CLONEGATE_RULE_NONE),
	       sizeof(ev->rule_name));
	memcpy(ev->scope, clonegate_host_scope, sizeof(ev->scope));
	strscpy(ev->message, message, sizeof(ev->message));
	emit(ev, channels);
	preempt_enable();
}

/**
 * clonegate_events_init() - ready the rate limit, before any hook runs
 */
void clonegate_events_init(void)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(buckets); i++)
		spin_lock_init(&buckets[i].lock);
}
