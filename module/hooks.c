// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate hooks: where clonegate attaches to the kernel, and the one
 * function that decides a call.
 *
 *   kernel_clone()       clone, clone3, fork, vfork, every ABI
 *   ksys_unshare()       unshare
 *   *ns_install()        setns, the namespace being joined, resolved from
 *                        the file setns(2) took: one per namespace type
 *   pidfd_pid()          setns through a pidfd, resolved from that file
 *   task_newtask         the child of an allowed clone, for its event
 *
 * Each hook is thin glue: return early for kernel-created tasks, snapshot
 * the call from kernel memory, and ask clonegate_gate(). A denied call is
 * failed at the hooked function's first instruction, before it changed
 * anything: the hook points the ip at a stub that returns the errno. No
 * module code stays on the stack of a caller, so a vfork parent sleeping
 * in kernel_clone() never holds up or outlives rmmod.
 *
 * Two backends attach the same glue:
 *   ftrace  one ftrace_ops per kind of hook, IPMODIFY (ftrace knows the ip
 *           changes: a livepatch of the same function is refused, a BPF
 *           trampoline is made to call the stub) and PERMANENT (function
 *           tracing cannot be switched off under it);
 *   kprobe  kprobes with an empty post_handler, which ftrace arms through
 *           its IPMODIFY ops and which are never optimized; for kernels
 *           without ftrace's register access.
 * Each kind of hook also watches a canary: a function of this file that
 * only the health check calls, which proves the hook still fires.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/err.h>
#include <linux/hash.h>
#include <linux/ipc_namespace.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/nsproxy.h>
#include <linux/pid_namespace.h>
#include <linux/printk.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/time_namespace.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <linux/user_namespace.h>
#include <linux/utsname.h>
#include <net/net_namespace.h>

#include "events.h"
#include "hooks.h"
#include "state.h"

const char *const clonegate_backend_names[CLONEGATE_BACKEND_COUNT] = {
	[CLONEGATE_BACKEND_FTRACE]	= "ftrace",
	[CLONEGATE_BACKEND_KPROBE]	= "kprobe",
};

/* --- the deny path ---------------------------------------------------- */

/* The stub that returns @err; 0 if there is none (checked at load). */
static unsigned long stub_for(int err)
{
	switch (err) {
	case -EINVAL:
		return (unsigned long)clonegate_stub_einval;
	case -EPERM:
		return (unsigned long)clonegate_stub_eperm;
	case -EOPNOTSUPP:
		return (unsigned long)clonegate_stub_eopnotsupp;
	}
	return 0;
}

/* --- the decision ----------------------------------------------------- */

static bool caller_is_kernel(void)
{
	return current->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER);
}

static u32 caller_facts(u32 needs)
{
	u32 facts = 0;

	if ((needs & CLONEGATE_FACT_SINGLE_THREADED) &&
	    thread_group_empty(current))
		facts |= CLONEGATE_FACT_SINGLE_THREADED;
	if ((needs & CLONEGATE_FACT_PIDNS_PENDING) && current->nsproxy &&
	    current->nsproxy->pid_ns_for_children !=
	    task_active_pid_ns(current))
		facts |= CLONEGATE_FACT_PIDNS_PENDING;
	/*
	 * gVisor's HasCapability: the effective set, in the caller's own
	 * user namespace. Read, not asked for: no audit record, no
	 * PF_SUPERPRIV, no LSM; Linux asks its own question afterwards.
	 */
	if ((needs & CLONEGATE_FACT_CAP_SYS_ADMIN) &&
	    cap_raised(current_cred()->cap_effective, CAP_SYS_ADMIN))
		facts |= CLONEGATE_FACT_CAP_SYS_ADMIN;
	return facts;
}

/*
 * The verdict on a call of current, under rcu_read_lock(): who decides
 * (host or scope), the facts its rules read, and what they say. The report
 * and the decider stay valid until rcu_read_unlock().
 */
static void judge(const struct clonegate_ruleset *rs,
		  struct clonegate_call *call, struct clonegate_report *r,
		  struct clonegate_decider *d)
{
	clonegate_decider_of(rs, d);
	r->call = call;
	r->mode = d->policy->mode;
	r->scope = d->scope;
	r->verdict = (struct clonegate_verdict){ 0, CLONEGATE_RULE_NONE };
	r->decision = CLONEGATE_ALLOWED;
	if (r->mode == CLONEGATE_MODE_OFF)
		return;
	call->facts = caller_facts(clonegate_call_needs(call->op, call->flags));
	r->verdict = clonegate_decide(d->policy, call);
	if (r->verdict.err)
		r->decision = r->mode == CLONEGATE_MODE_ENFORCE ?
			      CLONEGATE_DENIED : CLONEGATE_AUDITED;
}

static_assert((int)CLONEGATE_ALLOWED == CLONEGATE_COUNT_ALLOWED &&
	      (int)CLONEGATE_DENIED == CLONEGATE_COUNT_DENIED &&
	      (int)CLONEGATE_AUDITED == CLONEGATE_COUNT_AUDITED);

static void note_clone(bool allowed);

/* The full decision: the counters of who decided, the note, the report. */
static int decide_fully(const struct clonegate_ruleset *rs,
			struct clonegate_call *call, bool deny_only)
{
	struct clonegate_report r;
	struct clonegate_decider d;
	enum clonegate_op op = call->op;

	judge(rs, call, &r, &d);
	r.child = NULL;
	if (deny_only && r.decision != CLONEGATE_DENIED)
		return 0;
	if (r.mode == CLONEGATE_MODE_OFF) {
		this_cpu_inc(d.counters->calls[op][CLONEGATE_COUNT_UNJUDGED]);
		return 0;
	}
	/* enum clonegate_decision and enum clonegate_count agree */
	this_cpu_inc(d.counters->calls[op][r.decision]);
	if (r.decision != CLONEGATE_ALLOWED)
		this_cpu_inc(d.counters->rule_hits[r.verdict.rule]);
	/* an allowed clone is reported once its child exists: task_newtask */
	if (BIT(op) & CLONEGATE_OPS_CLONE_FAMILY) {
		if (clonegate_wants_event(CLONEGATE_ALLOWED))
			note_clone(r.decision == CLONEGATE_ALLOWED);
		if (r.decision == CLONEGATE_ALLOWED)
			return 0;
	}
	if (clonegate_wants_event(r.decision))
		clonegate_event_report(&r);
	return r.decision == CLONEGATE_DENIED ? r.verdict.err : 0;
}

/*
 * clonegate_gate() - decide one call of current, count it, report it
 * @call: the snapshot
 * @deny_only: act only if the call is denied (setns at pidfd_pid: an
 *             allowed join is decided again, per namespace, at install)
 *
 * Return: the errno to fail the call with, or 0 to let it through.
 */
static int clonegate_gate(struct clonegate_call *call, bool deny_only)
{
	int err;

	rcu_read_lock();
	err = decide_fully(rcu_dereference(clonegate_live), call, deny_only);
	rcu_read_unlock();
	return err;
}

static __always_inline enum clonegate_op clone_op(void)
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

static noinline int decide_clone(enum clonegate_op op,
				 const struct kernel_clone_args *args)
{
	struct clonegate_call call = {
		.op = op,
		.flags = args->flags,
		.exit_signal = args->exit_signal,
		.set_tid_size = args->set_tid_size,
	};

	return clonegate_gate(&call, false);
}

static noinline int decide_unshare(unsigned long flags)
{
	struct clonegate_call call = {
		.op = CLONEGATE_OP_UNSHARE,
		.flags = flags,
	};

	return clonegate_gate(&call, false);
}

/* --- what each hook snapshots ----------------------------------------- */

/*
 * The hooks of kernel_clone() and ksys_unshare() run on every fork,
 * thread and unshare of the host: a call none of whose arguments any row
 * reads is counted and let go at once (clonegate_allowed_at_once()), and
 * only the others are snapshot for a full decision.
 */
static __always_inline int on_kernel_clone(const struct kernel_clone_args *args)
{
	enum clonegate_op op;

	if (unlikely(caller_is_kernel() || clonegate_args_from_kernel(args))) {
		clonegate_stat_inc(exempt);
		return 0;
	}
	op = clone_op();
	/* set_tid and an exit signal out of range are read by rows too */
	if (likely(!args->set_tid_size &&
		   (unsigned int)args->exit_signal <= _NSIG &&
		   clonegate_allowed_at_once(op, args->flags)))
		return 0;
	return decide_clone(op, args);
}

static __always_inline int on_ksys_unshare(unsigned long flags)
{
	if (unlikely(caller_is_kernel())) {
		clonegate_stat_inc(exempt);
		return 0;
	}
	if (likely(clonegate_allowed_at_once(CLONEGATE_OP_UNSHARE, flags)))
		return 0;
	return decide_unshare(flags);
}

/*
 * How a setns(2) that reached a namespace's install operation named its
 * target, read again from the caller's fd table. In enforce mode a pidfd
 * join was already refused at pidfd_pid(), from the file setns took; the
 * type and inode come from the namespace itself. Only the setns_pidfd
 * rule reads the form here: a thread of the caller that swaps the fd
 * meanwhile can make that rule refuse its own process's nsfd join, or let
 * an audited pidfd join be recorded as an nsfd one. It cannot change what
 * any other process may join.
 */
static u16 install_form(const struct ns_common *ns)
{
	struct file *file;
	u16 form;

	rcu_read_lock();
	file = clonegate_fd_file_rcu(clonegate_syscall_arg(0));
	form = file && clonegate_file_is_ns(file, ns) ? CLONEGATE_SETNS_NSFD :
							CLONEGATE_SETNS_PIDFD;
	rcu_read_unlock();
	return form;
}

static __always_inline int on_ns_install(const struct ns_common *ns)
{
	struct clonegate_call call = { .op = CLONEGATE_OP_SETNS };

	/* install operations are only reached from setns(2) */
	if (caller_is_kernel() || !clonegate_in_setns()) {
		clonegate_stat_inc(exempt);
		return 0;
	}
	call.flags = clonegate_ns_type(ns);
	call.ns_inum = ns->inum;
	call.setns_form = install_form(ns);
	return clonegate_gate(&call, false);
}

/*
 * setns(2) through a pidfd: pidfd_pid() is where setns resolves the file
 * it took, before anything is joined. Only a deny acts here; an allowed
 * join is decided and reported per namespace at install.
 */
static __always_inline int on_pidfd_pid(const struct file *file)
{
	struct clonegate_call call = {
		.op = CLONEGATE_OP_SETNS,
		.setns_form = CLONEGATE_SETNS_PIDFD,
	};

	if (caller_is_kernel() || !clonegate_in_setns() ||
	    !clonegate_file_is_pidfd(file))
		return 0;
	/* the namespace types asked for, by value */
	call.flags = clonegate_syscall_arg(1) & CLONEGATE_LINUX_NS_TYPES;
	return clonegate_gate(&call, true);
}

/* --- the hooks -------------------------------------------------------- */

enum hook_kind {
	HOOK_CLONE,
	HOOK_UNSHARE,
	HOOK_SETNS,
	HOOK_PIDFD,
	HOOK_KIND_COUNT
};

static __always_inline int on_call(enum hook_kind kind, unsigned long a0,
				   unsigned long a1)
{
	switch (kind) {
	case HOOK_CLONE:
		return on_kernel_clone((const struct kernel_clone_args *)a0);
	case HOOK_UNSHARE:
		return on_ksys_unshare(a0);
	case HOOK_SETNS:
		/* install(struct nsset *, struct ns_common *) */
		return on_ns_install((const struct ns_common *)a1);
	case HOOK_PIDFD:
		return on_pidfd_pid((const struct file *)a0);
	default:
		return 0;
	}
}

/*
 * The canaries: one function per kind of hook, watched by that kind's
 * ftrace_ops or kprobes, called by the health check alone. Their bodies
 * differ so that no compiler merges them.
 */
static unsigned long canary_calls[HOOK_KIND_COUNT + 1];

static noinline void canary_clone(void)
{
	WRITE_ONCE(canary_calls[HOOK_CLONE], canary_calls[HOOK_CLONE] + 1);
}

static noinline void canary_unshare(void)
{
	WRITE_ONCE(canary_calls[HOOK_UNSHARE], canary_calls[HOOK_UNSHARE] + 1);
}

static noinline void canary_setns(void)
{
	WRITE_ONCE(canary_calls[HOOK_SETNS], canary_calls[HOOK_SETNS] + 1);
}

static noinline void canary_pidfd(void)
{
	WRITE_ONCE(canary_calls[HOOK_PIDFD], canary_calls[HOOK_PIDFD] + 1);
}

/* kprobe backend: plain ftrace, apart from kprobes */
static noinline void canary_ftrace(void)
{
	WRITE_ONCE(canary_calls[HOOK_KIND_COUNT],
		   canary_calls[HOOK_KIND_COUNT] + 1);
}

/*
 * The functions a hook attaches to, by name, or by address where the
 * kernel's own tables give it: finding a name means a walk over every
 * traced function (a third of a second under emulation), an address one
 * lookup. The install operations are read from the namespaces current is
 * in (mount namespaces are opaque, so that one goes by name). An address
 * read like this is only handed to ftrace or kprobes, never called.
 */
struct hook_sym {
	const char *name;
	unsigned long (*addr)(void);
};

/* 0 where the kernel is built without that type of namespace */
#define NS_INSTALL(type, owner)						\
static unsigned long type##_install(void)				\
{									\
	const struct proc_ns_operations *ops =				\
		(owner) ? (owner)->ns.ops : NULL;			\
									\
	return ops ? (unsigned long)ops->install : 0;			\
}

NS_INSTALL(uts, current->nsproxy->uts_ns)
NS_INSTALL(ipc, current->nsproxy->ipc_ns)
NS_INSTALL(net, current->nsproxy->net_ns)
NS_INSTALL(cgroup, current->nsproxy->cgroup_ns)
NS_INSTALL(time, current->nsproxy->time_ns)
NS_INSTALL(pid, task_active_pid_ns(current))
NS_INSTALL(user, current_user_ns())

static const struct hook_sym clone_syms[] = { { "kernel_clone" } };
static const struct hook_sym unshare_syms[] = { { "ksys_unshare" } };
static const struct hook_sym setns_syms[] = {
	{ "mntns_install" },
	{ "netns_install", net_install },
	{ "ipcns_install", ipc_install },
	{ "utsns_install", uts_install },
	{ "userns_install", user_install },
	{ "pidns_install", pid_install },
	{ "cgroupns_install", cgroup_install },
	{ "timens_install", time_install },
};
static const struct hook_sym pidfd_syms[] = { { "pidfd_pid" } };

struct cg_kprobe {
	struct kprobe kp;
	struct hook *hook;
	const char *name;
	bool canary;
	unsigned long nmissed_seen;
};

/**
 * struct hook - one kind of hook
 * @name: what health and log lines call it
 * @syms: the functions it attaches to
 * @nsyms: how many
 * @required: whether the module cannot work without every one of them
 * @kind: what on_call() does for it
 * @canary: its canary
 * @canary_seen: set by the hook when its canary ran
 * @ops: ftrace backend: its ftrace_ops
 * @ops_on: ftrace backend: @ops is registered
 * @kps: kprobe backend: a kprobe per function found, and the canary's last
 * @nkps: how many are registered
 */
struct hook {
	const char *name;
	const struct hook_sym *syms;
	unsigned int nsyms;
	bool required;
	enum hook_kind kind;
	void (*canary)(void);
	bool canary_seen;
#if CLONEGATE_HAVE_FTRACE_HOOKS
	struct ftrace_ops ops;
	bool ops_on;
#endif
	struct cg_kprobe *kps;
	unsigned int nkps;
};

#define SYMS(s)	.syms = (s), .nsyms = ARRAY_SIZE(s)

static struct hook hooks[HOOK_KIND_COUNT] = {
	[HOOK_CLONE] = { .name = "kernel_clone", SYMS(clone_syms),
			 .required = true, .kind = HOOK_CLONE,
			 .canary = canary_clone },
	[HOOK_UNSHARE] = { .name = "ksys_unshare", SYMS(unshare_syms),
			   .required = true, .kind = HOOK_UNSHARE,
			   .canary = canary_unshare },
	[HOOK_SETNS] = { .name = "setns install", SYMS(setns_syms),
			 .kind = HOOK_SETNS, .canary = canary_setns },
	[HOOK_PIDFD] = { .name = "pidfd_pid", SYMS(pidfd_syms),
			 .required = true, .kind = HOOK_PIDFD,
			 .canary = canary_pidfd },
};

static enum clonegate_backend backend;
/* serialises the health checks: each resets and reads the canary flags */
static DEFINE_MUTEX(check_mutex);

/* A hook of @kind fired; if it fired for its canary, only note that. */
static __always_inline int hook_fired(enum hook_kind kind, bool canary,
				      unsigned long a0, unsigned long a1)
{
	if (unlikely(canary)) {
		WRITE_ONCE(hooks[kind].canary_seen, true);
		return 0;
	}
	return on_call(kind, a0, a1);
}

#if CLONEGATE_HAVE_FTRACE_HOOKS
/*
 * One callback per kind of hook, so that a fork or an unshare(0) goes from
 * ftrace's trampoline to its fast path with no dispatch on the way.
 */
#define FTRACE_HOOK(kind, name)						\
static void notrace ftrace_##name(CLONEGATE_FTRACE_ARGS)		\
{									\
	int err = hook_fired(kind,					\
			     clonegate_ip_is_entry_of(ip, canary_##name), \
			     clonegate_fregs_arg(fregs, 0),		\
			     clonegate_fregs_arg(fregs, 1));		\
									\
	if (unlikely(err))						\
		clonegate_fregs_set_ip(fregs, stub_for(err));		\
}

FTRACE_HOOK(HOOK_CLONE, clone)
FTRACE_HOOK(HOOK_UNSHARE, unshare)
FTRACE_HOOK(HOOK_SETNS, setns)
FTRACE_HOOK(HOOK_PIDFD, pidfd)

static ftrace_func_t ftrace_hooks[HOOK_KIND_COUNT] = {
	[HOOK_CLONE] = ftrace_clone,
	[HOOK_UNSHARE] = ftrace_unshare,
	[HOOK_SETNS] = ftrace_setns,
	[HOOK_PIDFD] = ftrace_pidfd,
};

/* kprobe backend: plain ftrace on canary_ftrace, to tell failures apart */
static bool ftrace_canary_seen;

static void ftrace_canary_hook(CLONEGATE_FTRACE_ARGS)
{
	WRITE_ONCE(ftrace_canary_seen, true);
}

static void ftrace_free(struct ftrace_ops *ops)
{
	clonegate_ftrace_free_filter(ops);
}

/*
 * A function a hook may go without (one namespace type's install) and did:
 * with -ENXIO the kernel has no such namespace, so no call goes past
 * unchecked; otherwise calls through it do, and the log says so.
 */
static void left_out(const struct hook *h, const char *fn, int err)
{
	if (err == -ENXIO)
		pr_info("%s: no %s in this kernel\n", h->name, fn);
	else
		pr_warn("%s: cannot hook %s (%d): calls through it go unchecked\n",
			h->name, fn, err);
}

static int ftrace_filter(struct ftrace_ops *ops, const struct hook_sym *sym)
{
	char buf[KSYM_NAME_LEN];
	unsigned long addr;

	if (sym->addr) {
		addr = sym->addr();
		return addr ? ftrace_set_filter_ip(ops, addr, 0, 0) : -ENXIO;
	}
	strscpy(buf, sym->name, sizeof(buf));
	return ftrace_set_filter(ops, buf, strlen(buf), 0);
}

/*
 * After -EBUSY: why. ftrace refuses a PERMANENT ops while function tracing
 * is off (kernel.ftrace_enabled=0), and an IPMODIFY ops on a function that
 * another one (a livepatch) holds. Trying the hook's canary alone, which
 * nobody else can hold, tells the two apart; trying each function alone
 * names the one that is held.
 */
static void ftrace_guard(CLONEGATE_FTRACE_ARGS);

/* A fresh ops each time: a freed filter is not reset for reuse. */
static bool busy_alone(unsigned long flags, const struct hook_sym *sym,
		       unsigned long addr)
{
	struct ftrace_ops *probe = kzalloc(sizeof(*probe), GFP_KERNEL);
	bool busy = false;
	int err;

	if (!probe)
		return false;
	probe->func = ftrace_guard;
	probe->flags = flags;
	err = addr ? ftrace_set_filter_ip(probe, addr, 0, 0) :
		     ftrace_filter(probe, sym);
	if (!err) {
		busy = register_ftrace_function(probe) == -EBUSY;
		if (!busy)
			unregister_ftrace_function(probe);
	}
	ftrace_free(probe);
	kfree(probe);
	return busy;
}

static void ftrace_busy_report(struct hook *h, unsigned long flags)
{
	unsigned int i;

	if (busy_alone(flags, NULL, (unsigned long)h->canary)) {
		pr_err("cannot hook %s: function tracing is off (kernel.ftrace_enabled=0)\n",
		       h->name);
		return;
	}
	for (i = 0; i < h->nsyms; i++)
		if (busy_alone(flags, &h->syms[i], 0)) {
			pr_err("cannot hook %s: another ftrace user that changes the ip (a livepatch?) holds it\n",
			       h->syms[i].name);
			return;
		}
	pr_err("cannot hook %s: ftrace says it is busy\n", h->name);
}

/*
 * The kprobe backend's declaration to ftrace: kprobes without a post
 * handler sit on ftrace's plain ops, and this ops, with IPMODIFY and a
 * callback that does nothing, tells ftrace that the ip of each hooked
 * function changes. It is not PERMANENT: under kprobes, function tracing
 * can be switched off, and health says so.
 */
static void ftrace_guard(CLONEGATE_FTRACE_ARGS)
{
}

/*
 * Register @h's ftrace_ops: the hook itself (ftrace backend), or the guard
 * that declares the kprobes' ip change (@guard, kprobe backend).
 */
static int ftrace_attach(struct hook *h, bool guard)
{
	/* under kprobes, tracing can be switched off; health says so */
	unsigned long flags = guard ? CLONEGATE_FTRACE_FLAGS &
				      ~FTRACE_OPS_FL_PERMANENT :
				      CLONEGATE_FTRACE_FLAGS;
	unsigned int i, found = 0;
	int err;

	h->ops.func = guard ? ftrace_guard : ftrace_hooks[h->kind];
	h->ops.flags = flags;
	/*
	 * Every function is in the filter before the ops is registered:
	 * ftrace then prepares each one for a BPF trampoline that is there
	 * already (it calls the stub, not the function); one added later
	 * would not be.
	 */
	for (i = 0; i < h->nsyms; i++) {
		err = ftrace_filter(&h->ops, &h->syms[i]);
		if (!err) {
			found++;
		} else if (h->required) {
			pr_err("cannot hook %s: not a traceable function (%d)\n",
			       h->syms[i].name, err);
			goto err_free;
		} else {
			left_out(h, h->syms[i].name, err);
		}
	}
	if (!found) {
		pr_info("no %s function: that hook is left out\n", h->name);
		ftrace_free(&h->ops);
		return 0;
	}
	err = guard ? 0 : ftrace_set_filter_ip(&h->ops,
					       (unsigned long)h->canary, 0, 0);
	if (err) {
		pr_err("cannot watch the %s canary (%d)\n", h->name, err);
		goto err_free;
	}
	err = register_ftrace_function(&h->ops);
	if (err == -EBUSY)
		ftrace_busy_report(h, flags);
	else if (err)
		pr_err("cannot hook %s: ftrace refused (%d)\n", h->name, err);
	if (err)
		goto err_free;
	h->ops_on = true;
	return 0;

err_free:
	ftrace_free(&h->ops);
	return err;
}

static void ftrace_detach(struct hook *h)
{
	if (!h->ops_on)
		return;
	unregister_ftrace_function(&h->ops);
	ftrace_free(&h->ops);
	h->ops_on = false;
}

static bool ftrace_armed(struct hook *h)
{
	return !h->ops_on || (READ_ONCE(h->ops.flags) & FTRACE_OPS_FL_ENABLED);
}
#endif /* CLONEGATE_HAVE_FTRACE_HOOKS */

static int kprobe_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct cg_kprobe *ckp = container_of(kp, struct cg_kprobe, kp);
	int err = hook_fired(ckp->hook->kind, ckp->canary,
			     clonegate_regs_arg(regs, 0),
			     clonegate_regs_arg(regs, 1));

	if (!err)
		return 0;
	instruction_pointer_set(regs, stub_for(err));
	/* a pre-handler returning 1 says it changed the ip */
	return 1;
}
NOKPROBE_SYMBOL(kprobe_pre);

/*
 * Empty, and needed: a kprobe with a post_handler is armed through
 * ftrace's IPMODIFY ops and never optimized, so the ip change counts.
 */
static void kprobe_post(struct kprobe *kp, struct pt_regs *regs,
			unsigned long flags)
{
}
NOKPROBE_SYMBOL(kprobe_post);

/* Why a registered kprobe cannot deny, or NULL if it can. */
static const char *kprobe_unsound(struct kprobe *kp)
{
	if (kprobe_optimized(kp))
		return "optimized (the ip change would be ignored)";
	if (CLONEGATE_KPROBES_ON_FTRACE && !kprobe_ftrace(kp))
		return "not on ftrace";
	return NULL;
}

static void kprobe_detach(struct hook *h)
{
	while (h->nkps)
		unregister_kprobe(&h->kps[--h->nkps].kp);
	kfree(h->kps);
	h->kps = NULL;
}

static int kprobe_attach(struct hook *h, bool guarded)
{
	unsigned int i;
	const char *why;
	int err;

	/* one per function, and the canary's last */
	h->kps = kcalloc(h->nsyms + 1, sizeof(*h->kps), GFP_KERNEL);
	if (!h->kps)
		return -ENOMEM;
	for (i = 0; i <= h->nsyms; i++) {
		struct cg_kprobe *ckp = &h->kps[h->nkps];
		unsigned long addr = 0;

		/* the slot of a function left out is reused: start afresh */
		memset(ckp, 0, sizeof(*ckp));
		ckp->hook = h;
		ckp->kp.pre_handler = kprobe_pre;
		/* with a guard, ftrace knows: the plain ops, as every kprobe */
		if (!guarded)
			ckp->kp.post_handler = kprobe_post;
		ckp->canary = i == h->nsyms;
		if (ckp->canary)
			addr = (unsigned long)h->canary;
		else if (h->syms[i].addr)
			addr = h->syms[i].addr();
		else
			ckp->kp.symbol_name = h->syms[i].name;
		ckp->kp.addr = (kprobe_opcode_t *)addr;
		ckp->name = ckp->canary ? "canary" : h->syms[i].name;
		if (!ckp->canary && h->syms[i].addr && !addr)
			err = -ENXIO;
		else
			err = register_kprobe(&ckp->kp);
		if ((err == -ENOENT || err == -ENXIO) && !ckp->canary &&
		    !h->required) {
			left_out(h, ckp->name, err);
			continue;
		}
		if (err) {
			pr_err("cannot hook %s: kprobe refused (%d)\n",
			       ckp->name, err);
			goto err_detach;
		}
		h->nkps++;
		why = kprobe_unsound(&ckp->kp);
		if (why) {
			pr_err("cannot deny through the kprobe on %s: %s\n",
			       ckp->name, why);
			err = -EOPNOTSUPP;
			goto err_detach;
		}
	}
	return 0;

err_detach:
	kprobe_detach(h);
	return err;
}

#if CLONEGATE_HAVE_FTRACE_HOOKS
static struct ftrace_ops ftrace_canary_ops = { .func = ftrace_canary_hook };
static bool ftrace_canary_on;
#endif

/* --- allowed clones: task_newtask ------------------------------------- */

/*
 * The verdict of each task's last clone-family decision, for task_newtask:
 * the task's address with bit 0 set if the call was allowed. A slot shared
 * by two tasks in flight at once only costs the fallback below.
 */
#define NOTE_BITS 8
static unsigned long clone_notes[1 << NOTE_BITS];

static void note_clone(bool allowed)
{
	WRITE_ONCE(clone_notes[hash_ptr(current, NOTE_BITS)],
		   (unsigned long)current | allowed);
}

/*
 * task_newtask fires in the parent, for the child, once the child exists.
 * A call that was denied or audited was reported at its decision. Without
 * a note (another task took the slot) the call is judged again from what
 * the tracepoint shows, which lacks set_tid and the exit signal a thread
 * asked for: rarely, an audited call is then also reported as allowed.
 */
static void newtask_probe(void *data, struct task_struct *child,
			  unsigned long clone_flags)
{
	struct clonegate_call call = {};
	struct clonegate_report r = {};
	struct clonegate_decider d;
	unsigned long note;
	bool noted;

	if (!clonegate_wants_event(CLONEGATE_ALLOWED) || caller_is_kernel() ||
	    (child->flags & (PF_KTHREAD | PF_IO_WORKER | PF_USER_WORKER)))
		return;
	note = READ_ONCE(clone_notes[hash_ptr(current, NOTE_BITS)]);
	noted = (note & ~1UL) == (unsigned long)current;
	if (noted && !(note & 1))
		return;
	call.op = clone_op();
	call.flags = clone_flags;
	call.exit_signal = max(child->exit_signal, 0);

	rcu_read_lock();
	judge(rcu_dereference(clonegate_live), &call, &r, &d);
	if (noted) {
		r.verdict = (struct clonegate_verdict){ 0, CLONEGATE_RULE_NONE };
		r.decision = CLONEGATE_ALLOWED;
	}
	r.child = child;
	if (r.mode != CLONEGATE_MODE_OFF && r.decision == CLONEGATE_ALLOWED)
		clonegate_event_report(&r);
	rcu_read_unlock();
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
 * clonegate_newtask_sync() - attach to task_newtask only while needed
 *
 * Only allowed clone-family calls are reported from task_newtask, and they
 * are off by default: attaching then would patch the fork path's static
 * branch for nothing.
 *
 * Return: 0, or the error of tracepoint_probe_register().
 */
int clonegate_newtask_sync(void)
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

static void newtask_detach(void)
{
	mutex_lock(&newtask_mutex);
	if (newtask_attached) {
		tracepoint_probe_unregister(newtask_tp, newtask_probe, NULL);
		tracepoint_synchronize_unregister();
		newtask_attached = false;
	}
	mutex_unlock(&newtask_mutex);
}

/* --- health ----------------------------------------------------------- */

static bool hook_on(struct hook *h)
{
#if CLONEGATE_HAVE_FTRACE_HOOKS
	if (backend == CLONEGATE_BACKEND_FTRACE)
		return h->ops_on;
#endif
	return h->nkps;
}

/* Call a hook's canary; whether the hook saw it. */
static bool canary_fires(struct hook *h)
{
	WRITE_ONCE(h->canary_seen, false);
	h->canary();
	return READ_ONCE(h->canary_seen);
}

static int kprobe_check(struct hook *h, char *why, size_t size)
{
	unsigned long missed = 0;
	unsigned int i;

	for (i = 0; i < h->nkps; i++) {
		struct cg_kprobe *ckp = &h->kps[i];
		const char *sym = ckp->name;

		if (kprobe_gone(&ckp->kp))
			return scnprintf(why, size, "kprobe %s gone", sym);
		if (kprobe_disabled(&ckp->kp)) {
			if (enable_kprobe(&ckp->kp))
				return scnprintf(why, size,
						 "kprobe %s disabled", sym);
			pr_warn("kprobe %s was disabled: re-armed\n", sym);
		}
		if (kprobe_unsound(&ckp->kp))
			return scnprintf(why, size, "kprobe %s %s", sym,
					 kprobe_unsound(&ckp->kp));
		missed += ckp->kp.nmissed - ckp->nmissed_seen;
		ckp->nmissed_seen = ckp->kp.nmissed;
	}
	if (missed) {
		this_cpu_add(clonegate_stats.unchecked, missed);
		return scnprintf(why, size, "%lu unchecked calls (kprobe missed)",
				 missed);
	}
	return 0;
}

/**
 * clonegate_hooks_check() - whether every hook is armed and firing
 * @why: what is wrong, one line without a newline
 * @size: its size
 *
 * Calls each hook's canary and checks the state ftrace or kprobes keep of
 * each hook; re-arms a kprobe that was disabled. Sleeps.
 *
 * Return: 0 if all is well, or the length of @why.
 */
int clonegate_hooks_check(char *why, size_t size)
{
	struct hook *h;
	int len = 0;

	mutex_lock(&check_mutex);
	for (h = hooks; h < hooks + HOOK_KIND_COUNT && !len; h++) {
		if (!hook_on(h))
			continue;
#if CLONEGATE_HAVE_FTRACE_HOOKS
		if (backend == CLONEGATE_BACKEND_FTRACE) {
			if (!ftrace_armed(h))
				len = scnprintf(why, size, "hook %s disabled",
						h->name);
			else if (!canary_fires(h))
				len = scnprintf(why, size, "hook %s not firing",
						h->name);
			continue;
		}
#endif
		len = kprobe_check(h, why, size);
		if (len || canary_fires(h))
			continue;
#if CLONEGATE_HAVE_FTRACE_HOOKS
		WRITE_ONCE(ftrace_canary_seen, false);
		if (ftrace_canary_on) {
			canary_ftrace();
			if (!READ_ONCE(ftrace_canary_seen)) {
				len = scnprintf(why, size,
						"function tracing stopped");
				continue;
			}
		}
#endif
		len = scnprintf(why, size, "kprobes disarmed");
	}
	mutex_unlock(&check_mutex);
	return len;
}

static int noop_thread(void *data)
{
	return 0;
}

/*
 * Prove at load that every hook fires: each canary, and kernel_clone() at
 * its real site, through a kernel thread (exempt, and counted as such).
 */
static int self_test(void)
{
	char why[CLONEGATE_MESSAGE_LEN];
	struct task_struct *t;
	u64 before;

	if (clonegate_hooks_check(why, sizeof(why))) {
		pr_err("self-test failed: %s\n", why);
		return -EIO;
	}
	before = clonegate_percpu_sum(&clonegate_stats,
				      offsetof(struct clonegate_stats, exempt));
	t = kthread_run(noop_thread, NULL, "clonegate-selftest");
	if (IS_ERR(t)) {
		pr_err("self-test cannot start a kernel thread (%ld)\n",
		       PTR_ERR(t));
		return PTR_ERR(t);
	}
	if (clonegate_percpu_sum(&clonegate_stats,
				 offsetof(struct clonegate_stats, exempt)) ==
	    before) {
		pr_err("self-test failed: kernel_clone() does not reach the hook\n");
		return -EIO;
	}
	return 0;
}

/* --- attach and detach ------------------------------------------------ */

static void detach_all(void)
{
	struct hook *h;

	/* kprobes before their guard: no ip change is ever undeclared */
	for (h = hooks; h < hooks + HOOK_KIND_COUNT; h++) {
		kprobe_detach(h);
#if CLONEGATE_HAVE_FTRACE_HOOKS
		ftrace_detach(h);
#endif
	}
#if CLONEGATE_HAVE_FTRACE_HOOKS
	if (ftrace_canary_on) {
		unregister_ftrace_function(&ftrace_canary_ops);
		ftrace_free(&ftrace_canary_ops);
		ftrace_canary_on = false;
	}
#endif
}

static int pick_backend(const char *name)
{
	if (!strcmp(name, "auto"))
		backend = CLONEGATE_HAVE_FTRACE_HOOKS ? CLONEGATE_BACKEND_FTRACE :
							CLONEGATE_BACKEND_KPROBE;
	else if (!strcmp(name, "ftrace") && CLONEGATE_HAVE_FTRACE_HOOKS)
		backend = CLONEGATE_BACKEND_FTRACE;
	else if (!strcmp(name, "kprobe"))
		backend = CLONEGATE_BACKEND_KPROBE;
	else
		return -EINVAL;
	return 0;
}

static int check_stubs(void)
{
	int i;

	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		if (!stub_for(clonegate_rule_errno(i))) {
			pr_err("rule %s denies with %d, which has no stub\n",
			       clonegate_rule_name(i), clonegate_rule_errno(i));
			return -EINVAL;
		}
	return 0;
}

/**
 * clonegate_hooks_register() - attach every hook, prove it fires, or none
 * @name: the backend: "auto", "ftrace" or "kprobe"
 *
 * Return: 0; -EINVAL for an unknown or unavailable backend; -ENOENT when
 * the kernel lacks task_newtask; -EBUSY when another user of the ip holds
 * a hooked function (a livepatch); -EOPNOTSUPP when a kprobe could not
 * deny; -EIO when a hook does not fire; or the error of ftrace or kprobes.
 * After an error nothing is attached.
 */
int clonegate_hooks_register(const char *name)
{
	struct hook *h;
	int err;

	err = pick_backend(name);
	if (err) {
		pr_err("hook_backend=%s: must be auto, kprobe%s\n", name,
		       CLONEGATE_HAVE_FTRACE_HOOKS ? " or ftrace" : "");
		return err;
	}
	err = check_stubs();
	if (err)
		return err;
	for_each_kernel_tracepoint(find_newtask, NULL);
	if (!newtask_tp) {
		pr_err("no task_newtask tracepoint\n");
		return -ENOENT;
	}
	for (h = hooks; h < hooks + HOOK_KIND_COUNT; h++) {
#if CLONEGATE_HAVE_FTRACE_HOOKS
		/* kprobes: the guard first, so no kprobe is armed undeclared */
		err = ftrace_attach(h, backend == CLONEGATE_BACKEND_KPROBE);
		if (!err && backend == CLONEGATE_BACKEND_KPROBE &&
		    h->ops_on)
			err = kprobe_attach(h, true);
#else
		err = kprobe_attach(h, false);
#endif
		if (err)
			goto err_detach;
	}
#if CLONEGATE_HAVE_FTRACE_HOOKS
	if (backend == CLONEGATE_BACKEND_KPROBE) {
		/* not PERMANENT: under kprobes, tracing can stop; notice it */
		err = ftrace_set_filter_ip(&ftrace_canary_ops,
					   (unsigned long)canary_ftrace, 0, 0);
		if (!err)
			err = register_ftrace_function(&ftrace_canary_ops);
		if (err) {
			ftrace_free(&ftrace_canary_ops);
			pr_err("cannot watch the ftrace canary (%d)\n", err);
			goto err_detach;
		}
		ftrace_canary_on = true;
	}
#endif
	err = self_test();
	if (err)
		goto err_detach;
	err = clonegate_newtask_sync();
	if (err)
		goto err_detach;
	return 0;

err_detach:
	detach_all();
	synchronize_rcu_tasks();
	return err;
}

/**
 * clonegate_hooks_unregister() - detach every hook
 *
 * After it returns no handler runs and no task is about to run a stub: a
 * task preempted between a handler and the stub it was sent to is waited
 * for by the tasks-RCU grace period, as ftrace does for its trampolines.
 */
void clonegate_hooks_unregister(void)
{
	newtask_detach();
	detach_all();
	synchronize_rcu_tasks();
}

/**
 * clonegate_hooks_backend() - the backend the hooks are attached with
 *
 * Return: CLONEGATE_BACKEND_FTRACE or CLONEGATE_BACKEND_KPROBE.
 */
enum clonegate_backend clonegate_hooks_backend(void)
{
	return backend;
}
