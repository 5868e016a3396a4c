// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events: build one record per reported decision and hand it to
 * the channels that are on.
 *
 * Denied and audited calls are reported at the decision, in the kprobe.
 * Allowed clone-family calls are reported from the task_newtask tracepoint,
 * after copy_process() passed its point of no return, so the record names
 * the task that was created; allowed unshare calls at the decision.
 *
 * Everything here runs with preemption disabled and never sleeps. The
 * record is built in a per-CPU scratch buffer: it is too big for the stack
 * of a probe handler.
 */
#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs_struct.h>
#include <linux/hash.h>
#include <linux/kernfs.h>
#include <linux/mutex.h>
#include <linux/path.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>

#include "clonegate.h"
#include "events.h"

const char *const clonegate_decision_names[CLONEGATE_DECISION_COUNT] = {
	[CLONEGATE_ALLOWED]	= "allowed",
	[CLONEGATE_DENIED]	= "denied",
	[CLONEGATE_AUDITED]	= "audited",
};

const char *const clonegate_channel_names[CLONEGATE_CHANNEL_COUNT] = {
	[CLONEGATE_CHANNEL_AUDIT]	= "audit",
	[CLONEGATE_CHANNEL_TRACE]	= "trace",
	[CLONEGATE_CHANNEL_DEV]		= "dev",
};

/* seccheck's context field names, in CLONEGATE_FIELD_* bit order */
const char *const clonegate_field_names[CLONEGATE_FIELD_COUNT] = {
	"time", "thread_id", "thread_start_time", "thread_group_id",
	"thread_group_start_time", "container_id", "credentials", "cwd",
	"process_name", "parent_thread_group_id",
};

#define ALL_FIELDS (BIT(CLONEGATE_FIELD_COUNT) - 1)

/* cwd costs a path walk per event: on request only, as in seccheck */
struct clonegate_event_config clonegate_events = {
	.decisions = BIT(CLONEGATE_DENIED) | BIT(CLONEGATE_AUDITED),
	.channels = BIT(CLONEGATE_CHANNEL_COUNT) - 1,
	.fields = ALL_FIELDS & ~CLONEGATE_FIELD_CWD,
};

DEFINE_PER_CPU(struct clonegate_event_stats, clonegate_event_stats);
static DEFINE_PER_CPU(struct clonegate_event, scratch);
static atomic64_t event_seq = ATOMIC64_INIT(0);

/*
 * CLOCK_REALTIME minus CLOCK_BOOTTIME, read once per record: every start
 * time in a record is moved by the same amount, so a task's start time is
 * the same in all of them (up to a settimeofday).
 */
static u64 real_minus_boot(void)
{
	return ktime_get_real_ns() - ktime_get_boottime_ns();
}

static void fill_cwd(struct clonegate_event *ev)
{
	struct fs_struct *fs = current->fs;
	struct path pwd;
	char *p;

	if (!fs)
		return;
	clonegate_fs_path_rcu(fs, &fs->pwd, &pwd);
	p = d_path(&pwd, ev->cwd, sizeof(ev->cwd));
	if (IS_ERR(p)) {
		ev->ev_flags |= CLONEGATE_EV_F_TRUNCATED;
		strscpy(ev->cwd, "?", sizeof(ev->cwd));
		return;
	}
	memmove(ev->cwd, p, strlen(p) + 1);
}

static void fill_container(struct clonegate_event *ev)
{
	struct cgroup *cgrp = task_dfl_cgroup(current);
	int len;

	ev->cgroup_id = cgroup_id(cgrp);
	/* the path from the root of the cgroup v2 hierarchy, never sleeps */
	len = cgroup_path(cgrp, ev->container_id, sizeof(ev->container_id));
	if (len >= (int)sizeof(ev->container_id))
		ev->ev_flags |= CLONEGATE_EV_F_TRUNCATED;
}

static void fill_context(struct clonegate_event *ev, u32 fields, u64 shift)
{
	struct task_struct *t = current;
	const struct cred *cred;

	ev->fields = fields;
	if (fields & CLONEGATE_FIELD_TIME)
		ev->time_ns = ktime_get_real_ns();
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
		cred = current_cred();
		ev->uid = from_kuid_munged(&init_user_ns, cred->uid);
		ev->euid = from_kuid_munged(&init_user_ns, cred->euid);
		ev->suid = from_kuid_munged(&init_user_ns, cred->suid);
		ev->gid = from_kgid_munged(&init_user_ns, cred->gid);
		ev->egid = from_kgid_munged(&init_user_ns, cred->egid);
		ev->sgid = from_kgid_munged(&init_user_ns, cred->sgid);
	}
	if (fields & CLONEGATE_FIELD_CONTAINER_ID)
		fill_container(ev);
	if (fields & CLONEGATE_FIELD_CWD)
		fill_cwd(ev);
	if (fields & CLONEGATE_FIELD_PROCESS_NAME)
		get_task_comm(ev->process_name, t);
}

static void build(struct clonegate_event *ev, const struct clonegate_report *r,
		  u32 fields)
{
	const struct clonegate_call *c = r->call;
	u64 shift = real_minus_boot();

	memset(ev, 0, sizeof(*ev));
	ev->size = sizeof(*ev);
	ev->version = CLONEGATE_EVENT_VERSION;
	ev->op = c->op;
	ev->seq = atomic64_inc_return(&event_seq);
	ev->decision = r->decision;
	ev->mode = r->mode;
	ev->rule = r->verdict.rule == CLONEGATE_RULE_NONE ? -1 : r->verdict.rule;
	ev->errno_value = -r->verdict.err;
	ev->exit_signal = c->op == CLONEGATE_OP_UNSHARE ? 0 : c->exit_signal;
	ev->flags = c->flags;
	strscpy(ev->rule_name, clonegate_rule_name(r->verdict.rule),
		sizeof(ev->rule_name));
	if (r->child) {
		ev->ev_flags |= CLONEGATE_EV_F_CREATED;
		ev->created_thread_id = task_pid_nr(r->child);
		ev->created_thread_group_id = task_tgid_nr(r->child);
		ev->created_thread_start_time_ns =
			r->child->start_boottime + shift;
	}
	fill_context(ev, fields, shift);
}

/**
 * clonegate_event_report() - report one decision on every channel that is on
 * @r: the decision
 *
 * Never sleeps and never waits for a reader: a channel without room drops
 * the record and counts the drop.
 */
void clonegate_event_report(const struct clonegate_report *r)
{
	u32 channels = READ_ONCE(clonegate_events.channels);
	struct clonegate_event *ev;

	if (!channels)
		return;
	ev = get_cpu_ptr(&scratch);
	rcu_read_lock();
	build(ev, r, READ_ONCE(clonegate_events.fields));
	rcu_read_unlock();
	if (channels & BIT(CLONEGATE_CHANNEL_DEV))
		clonegate_dev_emit(ev);
	if (channels & BIT(CLONEGATE_CHANNEL_AUDIT))
		clonegate_audit_emit(ev);
	if (channels & BIT(CLONEGATE_CHANNEL_TRACE))
		clonegate_trace_emit(ev);
	put_cpu_ptr(&scratch);
}

/*
 * The verdict of each task's last clone-family decision, for task_newtask:
 * the task's address with bit 0 set if the call was allowed. A slot shared
 * by two tasks in flight at once only costs the fallback below.
 */
#define NOTE_BITS 8
static unsigned long clone_notes[1 << NOTE_BITS];

/**
 * clonegate_note_clone() - remember the verdict of current's clone call
 * @allowed: whether it was allowed (not denied, not audited)
 */
void clonegate_note_clone(bool allowed)
{
	WRITE_ONCE(clone_notes[hash_ptr(current, NOTE_BITS)],
		   (unsigned long)current | allowed);
}

/*
 * task_newtask fires in the parent, for the child, once the child exists.
 * A call that was denied or audited was reported at its decision. Without
 * a note (another task took the slot) the call is decided again from what
 * the tracepoint shows, which lacks set_tid and the exit signal a thread
 * asked for: rarely, an audited call is then also reported as allowed.
 */
static void newtask_probe(void *data, struct task_struct *child,
			  unsigned long clone_flags)
{
	struct clonegate_report r = { .decision = CLONEGATE_ALLOWED };
	const struct clonegate_policy *p;
	struct clonegate_call call;
	unsigned long note;

	if (!clonegate_wants_event(CLONEGATE_ALLOWED) ||
	    (child->flags & (PF_KTHREAD | PF_IO_WORKER)))
		return;
	note = READ_ONCE(clone_notes[hash_ptr(current, NOTE_BITS)]);
	if ((note & ~1UL) == (unsigned long)current && !(note & 1))
		return;
	if (!clonegate_snapshot_clone(&call, clone_flags,
				      max(child->exit_signal, 0)))
		return;

	rcu_read_lock();
	p = rcu_dereference(clonegate_live);
	r.mode = p->mode;
	if (p->mode != CLONEGATE_MODE_OFF) {
		r.verdict = (note & ~1UL) == (unsigned long)current ?
			    (struct clonegate_verdict){ 0, CLONEGATE_RULE_NONE } :
			    clonegate_decide(p, &call);
		r.call = &call;
		r.child = child;
	}
	rcu_read_unlock();
	if (r.call && !r.verdict.err)
		clonegate_event_report(&r);
}

static struct tracepoint *newtask_tp;
static bool newtask_attached;
static DEFINE_MUTEX(newtask_mutex);

static void find_newtask(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "task_newtask"))
		newtask_tp = tp;
}

/**
 * clonegate_events_sync() - attach to task_newtask only while needed
 *
 * Only allowed clone-family calls are reported from task_newtask, and they
 * are off by default: attaching then would patch the fork path's static
 * branch for nothing.
 *
 * Return: 0, or the error of tracepoint_probe_register().
 */
int clonegate_events_sync(void)
{
	bool want = clonegate_wants_event(CLONEGATE_ALLOWED);
	int err = 0;

	mutex_lock(&newtask_mutex);
	if (want && !newtask_attached) {
		err = tracepoint_probe_register(newtask_tp, newtask_probe, NULL);
		newtask_attached = !err;
	} else if (!want && newtask_attached) {
		tracepoint_probe_unregister(newtask_tp, newtask_probe, NULL);
		tracepoint_synchronize_unregister();
		newtask_attached = false;
	}
	mutex_unlock(&newtask_mutex);
	return err;
}

/**
 * clonegate_events_register() - find the task_newtask tracepoint
 *
 * Return: 0, or -ENOENT if the kernel has none.
 */
int clonegate_events_register(void)
{
	for_each_kernel_tracepoint(find_newtask, NULL);
	if (!newtask_tp) {
		pr_err("no task_newtask tracepoint\n");
		return -ENOENT;
	}
	return clonegate_events_sync();
}

/**
 * clonegate_events_unregister() - detach, and wait for probes in flight
 */
void clonegate_events_unregister(void)
{
	mutex_lock(&newtask_mutex);
	if (newtask_attached) {
		tracepoint_probe_unregister(newtask_tp, newtask_probe, NULL);
		tracepoint_synchronize_unregister();
		newtask_attached = false;
	}
	mutex_unlock(&newtask_mutex);
}
