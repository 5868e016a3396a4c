// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate hooks: kprobes on kernel_clone() and ksys_unshare().
 *
 * Each hook is thin glue: return early for kernel-created tasks, snapshot
 * the call from kernel memory, gather the caller facts the policy needs,
 * ask the policy, count, and deny by overriding the return value at the
 * probed function's first instruction, before it changed anything. No
 * module code stays on the stack of a caller, so a vfork parent sleeping in
 * kernel_clone() never holds up or outlives rmmod.
 *
 * Handlers run with preemption disabled and never sleep.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/fs_struct.h>
#include <linux/kprobes.h>
#include <linux/nsproxy.h>
#include <linux/path.h>
#include <linux/pid_namespace.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/user_namespace.h>

#include "clonegate.h"
#include "events.h"

CLONEGATE_RETURN_STUB_ASM;

/*
 * d_absolute_path() renders a path from the root of its mount namespace
 * without sleeping; it is not exported, so its address is resolved once at
 * load through a kprobe lookup.
 */
typedef char *(*d_absolute_path_t)(const struct path *, char *, int);
static d_absolute_path_t clonegate_d_absolute_path;

static bool caller_chrooted(void)
{
	struct fs_struct *fs = current->fs;
	struct path root;
	char buf[2];
	char *res;

	if (!fs || !clonegate_d_absolute_path)
		return false;
	/*
	 * Read the root under RCU without taking a reference: path_put()
	 * may sleep, this handler may not. Dentries and mounts are freed
	 * after a grace period, so the walk below stays safe.
	 */
	clonegate_fs_path_rcu(fs, &fs->root, &root);
	/* "/" fits in two bytes; anything longer does not, and is a chroot */
	res = clonegate_d_absolute_path(&root, buf, sizeof(buf));
	return IS_ERR(res) || strcmp(res, "/");
}

static u32 caller_facts(u32 needs)
{
	u32 facts = 0;

	if ((needs & CLONEGATE_FACT_CHROOTED) && caller_chrooted())
		facts |= CLONEGATE_FACT_CHROOTED;
	if ((needs & CLONEGATE_FACT_SINGLE_THREADED) &&
	    thread_group_empty(current))
		facts |= CLONEGATE_FACT_SINGLE_THREADED;
	if ((needs & CLONEGATE_FACT_PIDNS_PENDING) && current->nsproxy &&
	    current->nsproxy->pid_ns_for_children !=
	    task_active_pid_ns(current))
		facts |= CLONEGATE_FACT_PIDNS_PENDING;
	if ((needs & CLONEGATE_FACT_CAP_SYS_ADMIN) &&
	    ns_capable_noaudit(current_user_ns(), CAP_SYS_ADMIN))
		facts |= CLONEGATE_FACT_CAP_SYS_ADMIN;
	return facts;
}

/*
 * The common path of both hooks. Return: the errno to fail the call with,
 * or 0 to let it through.
 */
static int clonegate_gate(struct clonegate_call *call)
{
	const struct clonegate_policy *p;
	struct clonegate_report r = { .call = call };

	clonegate_stat_inc(calls[call->op]);

	rcu_read_lock();
	p = rcu_dereference(clonegate_live);
	r.mode = p->mode;
	if (r.mode == CLONEGATE_MODE_OFF) {
		rcu_read_unlock();
		return 0;
	}
	call->facts = caller_facts(clonegate_call_needs(call->op, call->flags));
	r.verdict = clonegate_decide(p, call);
	rcu_read_unlock();

	if (!r.verdict.err) {
		r.decision = CLONEGATE_ALLOWED;
		clonegate_stat_inc(allowed[call->op]);
	} else {
		r.decision = r.mode == CLONEGATE_MODE_ENFORCE ?
			     CLONEGATE_DENIED : CLONEGATE_AUDITED;
		clonegate_stat_inc(rule_hits[r.verdict.rule]);
		if (r.decision == CLONEGATE_DENIED)
			clonegate_stat_inc(denied[call->op]);
		else
			clonegate_stat_inc(audited[call->op]);
	}
	/* an allowed clone is reported once its child exists: events.c */
	if (call->op != CLONEGATE_OP_UNSHARE &&
	    clonegate_wants_event(CLONEGATE_ALLOWED))
		clonegate_note_clone(r.decision == CLONEGATE_ALLOWED);
	if (clonegate_wants_event(r.decision) &&
	    (r.decision != CLONEGATE_ALLOWED || call->op == CLONEGATE_OP_UNSHARE))
		clonegate_event_report(&r);

	return r.decision == CLONEGATE_DENIED ? r.verdict.err : 0;
}

static enum clonegate_op clone_op(void)
{
	bool compat;
	int nr = clonegate_syscall_nr(&compat);

	if (compat) {
		switch (nr) {
		case __NR_ia32_fork:
			return CLONEGATE_OP_FORK;
		case __NR_ia32_vfork:
			return CLONEGATE_OP_VFORK;
		case __NR_ia32_clone3:
			return CLONEGATE_OP_CLONE3;
		}
		return CLONEGATE_OP_CLONE;
	}
	switch (nr) {
	case __NR_fork:
		return CLONEGATE_OP_FORK;
	case __NR_vfork:
		return CLONEGATE_OP_VFORK;
	case __NR_clone3:
		return CLONEGATE_OP_CLONE3;
	}
	return CLONEGATE_OP_CLONE;
}

static bool caller_is_kernel(void)
{
	return current->flags & (PF_KTHREAD | PF_IO_WORKER);
}

/**
 * clonegate_snapshot_clone() - snapshot a clone-family call of current
 * @call: filled in, facts included
 * @flags: the clone flags the kernel uses
 * @exit_signal: the child's exit signal
 *
 * Used where the call is seen again after its decision (task_newtask);
 * set_tid is not visible there and reads as empty.
 *
 * Return: false for a kernel-created task, which is exempt.
 */
bool clonegate_snapshot_clone(struct clonegate_call *call, u64 flags,
			      int exit_signal)
{
	if (caller_is_kernel())
		return false;
	call->op = clone_op();
	call->flags = flags;
	call->exit_signal = exit_signal;
	call->set_tid_size = 0;
	call->facts = caller_facts(clonegate_call_needs(call->op, flags));
	return true;
}

static int kernel_clone_pre(struct kprobe *kp, struct pt_regs *regs)
{
	const struct kernel_clone_args *args =
		(const void *)clonegate_first_arg(regs);
	struct clonegate_call call = {};
	int err;

	if (caller_is_kernel() || clonegate_args_from_kernel(args)) {
		clonegate_stat_inc(exempt);
		return 0;
	}
	call.op = clone_op();
	call.flags = args->flags;
	call.exit_signal = args->exit_signal;
	call.set_tid_size = args->set_tid_size;

	err = clonegate_gate(&call);
	return err ? clonegate_override_return(regs, err) : 0;
}
NOKPROBE_SYMBOL(kernel_clone_pre);

static int ksys_unshare_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct clonegate_call call = {};
	int err;

	if (caller_is_kernel()) {
		clonegate_stat_inc(exempt);
		return 0;
	}
	call.op = CLONEGATE_OP_UNSHARE;
	call.flags = clonegate_first_arg(regs);

	err = clonegate_gate(&call);
	return err ? clonegate_override_return(regs, err) : 0;
}
NOKPROBE_SYMBOL(ksys_unshare_pre);

static struct kprobe kernel_clone_probe = {
	.symbol_name = "kernel_clone",
	.pre_handler = kernel_clone_pre,
};

static struct kprobe ksys_unshare_probe = {
	.symbol_name = "ksys_unshare",
	.pre_handler = ksys_unshare_pre,
};

static struct kprobe *probes[] = {
	&kernel_clone_probe,
	&ksys_unshare_probe,
};

static void *lookup_symbol(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	void *addr;

	if (register_kprobe(&kp))
		return NULL;
	addr = kp.addr;
	unregister_kprobe(&kp);
	return addr;
}

/**
 * clonegate_hooks_register() - attach every hook, or none
 *
 * Return: 0, or the errno of register_kprobes() (-ENOENT when the kernel
 * has no such symbol, -EBUSY, -EINVAL ...), after which nothing is attached.
 */
int clonegate_hooks_register(void)
{
	int err;

	clonegate_d_absolute_path = lookup_symbol("d_absolute_path");
	if (!clonegate_d_absolute_path)
		pr_warn("d_absolute_path not found: chroot is never detected\n");

	err = register_kprobes(probes, ARRAY_SIZE(probes));
	if (err) {
		pr_err("cannot attach kprobes: %d\n", err);
		return err;
	}
	return 0;
}

/**
 * clonegate_hooks_unregister() - detach every hook
 *
 * After it returns no handler runs and no task is about to run the return
 * stub: a task preempted between a handler and the stub it was sent to is
 * waited for by the tasks-RCU grace period, as ftrace does for its
 * trampolines.
 */
void clonegate_hooks_unregister(void)
{
	unregister_kprobes(probes, ARRAY_SIZE(probes));
	synchronize_rcu_tasks();
}

