/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between kernel versions and architectures, in one
 * place. Kbuild force-includes this header into every module file; nothing
 * else in module/ tests LINUX_VERSION_CODE, CONFIG_X86 or a kernel
 * structure's layout. Where a version number does not tell (stable trees
 * backport), Kbuild probes the headers and defines CLONEGATE_HAVE_*.
 */
#ifndef _CLONEGATE_COMPAT_H
#define _CLONEGATE_COMPAT_H

/* every log line of the module starts with its name */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>

/* The oldest kernel clonegate supports: the first with kernel_clone(). */
#define CLONEGATE_OLDEST_KERNEL	KERNEL_VERSION(5, 10, 0)

#ifndef __ASSEMBLY__

#if LINUX_VERSION_CODE < CLONEGATE_OLDEST_KERNEL
#error "clonegate needs Linux 5.10 or later (kernel_clone())"
#endif
#if !defined(CONFIG_X86_64)
#error "clonegate supports x86_64 only: the deny path overrides registers"
#endif
#if !defined(CONFIG_KPROBES)
#error "clonegate needs CONFIG_KPROBES"
#endif

#include <linux/cgroup.h>
#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/ftrace.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/ns_common.h>
#include <linux/proc_ns.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>
#include <asm/unistd.h>
#include <uapi/linux/magic.h>
#include <uapi/linux/sched.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		0x00000080
#endif
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND	0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif
/* clone3 flags of 7.x; an older kernel refuses them in clone3_args_valid() */
#ifndef CLONE_AUTOREAP
#define CLONE_AUTOREAP		0x400000000ULL
#define CLONE_NNP		0x800000000ULL
#define CLONE_PIDFD_AUTOKILL	0x1000000000ULL
#define CLONE_EMPTY_MNTNS	0x2000000000ULL
#endif

/*
 * A kernel-created task: a kernel thread, a user-mode helper started by the
 * kernel, or an io_uring worker. Since 5.19 all of them come with a start
 * function; io_uring workers carry io_thread since 5.12.
 */
static inline bool clonegate_args_from_kernel(const struct kernel_clone_args *a)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 19, 0)
	return a->fn || a->kthread || a->io_thread;
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(5, 12, 0)
	return a->io_thread;
#else
	return false;
#endif
}

/* The stubs a denied call is sent to, one per errno: stubs.S. */
void clonegate_stub_einval(void);
void clonegate_stub_eperm(void);
void clonegate_stub_eopnotsupp(void);

/*
 * The ftrace hook backend: an ftrace_ops whose callback may change the
 * ip. Since 5.11 x86 passes struct ftrace_regs (DYNAMIC_FTRACE_WITH_ARGS),
 * before that struct pt_regs, which needs SAVE_REGS. Without either the
 * kprobe backend is the only one.
 */
#if defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#define CLONEGATE_HAVE_FTRACE_HOOKS	1
#define CLONEGATE_FTRACE_ARGS	unsigned long ip, unsigned long parent_ip, \
				struct ftrace_ops *op, struct ftrace_regs *fregs
/* no FTRACE_OPS_FL_RECURSION: the callback never reaches what it hooks */
#define CLONEGATE_FTRACE_FLAGS	(FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT)
#ifdef ftrace_regs_get_argument
#define clonegate_fregs_arg(f, n)	ftrace_regs_get_argument(f, n)
#else
#define clonegate_fregs_arg(f, n)	regs_get_kernel_argument(&(f)->regs, n)
#endif
#ifdef ftrace_regs_set_instruction_pointer
#define clonegate_fregs_set_ip(f, ip)	ftrace_regs_set_instruction_pointer(f, ip)
#else
#define clonegate_fregs_set_ip(f, ip)	ftrace_instruction_pointer_set(f, ip)
#endif
#elif defined(CONFIG_DYNAMIC_FTRACE_WITH_REGS)
#define CLONEGATE_HAVE_FTRACE_HOOKS	1
#define CLONEGATE_FTRACE_ARGS	unsigned long ip, unsigned long parent_ip, \
				struct ftrace_ops *op, struct pt_regs *fregs
/* RECURSION_SAFE: called directly, not through ftrace's assist function */
#define CLONEGATE_FTRACE_FLAGS	(FTRACE_OPS_FL_SAVE_REGS |		\
				 FTRACE_OPS_FL_IPMODIFY |		\
				 FTRACE_OPS_FL_PERMANENT |		\
				 FTRACE_OPS_FL_RECURSION_SAFE)
#define clonegate_fregs_arg(f, n)	regs_get_kernel_argument(f, n)
#define clonegate_fregs_set_ip(f, ip)	instruction_pointer_set(f, ip)
#else
#define CLONEGATE_HAVE_FTRACE_HOOKS	0
#endif

#if CLONEGATE_HAVE_FTRACE_HOOKS
/* ftrace_free_filter() is exported since 5.11; before, reset the filter. */
static inline void clonegate_ftrace_free_filter(struct ftrace_ops *ops)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(5, 11, 0)
	ftrace_free_filter(ops);
#else
	ftrace_set_filter(ops, NULL, 0, 1);
#endif
}
#endif

/* Whether a kprobe at a function's entry sits on ftrace, as it must. */
#define CLONEGATE_KPROBES_ON_FTRACE	IS_ENABLED(CONFIG_KPROBES_ON_FTRACE)

/* Kernel-run workers for a user task (vhost), since 6.4. */
#ifndef PF_USER_WORKER
#define PF_USER_WORKER	0
#endif

/*
 * A callback at a function's entry sees the ip of its fentry call: the
 * function's address, or 4 bytes further behind an ENDBR (IBT kernels).
 */
static inline bool clonegate_ip_is_entry_of(unsigned long ip, void *fn)
{
	return ip - (unsigned long)fn <= 4;
}

/* The first and second argument of a function, at its entry. */
static inline unsigned long clonegate_regs_arg(struct pt_regs *regs, int n)
{
	return regs_get_kernel_argument(regs, n);
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define __NR_ia32_fork		2
#define __NR_ia32_clone		120
#define __NR_ia32_vfork		190
#define __NR_ia32_unshare	310
#define __NR_ia32_setns		346
#define __NR_ia32_clone3	435
#else
#include <asm/unistd_32_ia32.h>
#endif

/*
 * The user syscall current is in, from the saved user registers (kernel
 * memory, which no other thread can change).
 */
static inline int clonegate_syscall_nr(bool *compat)
{
	struct pt_regs *uregs = task_pt_regs(current);

	*compat = in_ia32_syscall();
	return syscall_get_nr(current, uregs) & ~__X32_SYSCALL_BIT;
}

static inline bool clonegate_in_setns(void)
{
	bool compat;
	int nr = clonegate_syscall_nr(&compat);

	return nr == (compat ? __NR_ia32_setns : __NR_setns);
}

/* An argument of the user syscall current is in, as the kernel saved it. */
static inline unsigned long clonegate_syscall_arg(unsigned int n)
{
	unsigned long args[6];

	syscall_get_arguments(current, task_pt_regs(current), args);
	return args[n];
}

/* The CLONE_NEW* flag of a namespace; a field of its own since 6.18. */
static inline u64 clonegate_ns_type(const struct ns_common *ns)
{
#ifdef CLONEGATE_HAVE_NS_TYPE
	return ns->ns_type;
#else
	return ns->ops->type;
#endif
}

/*
 * Whether @file is a namespace file (nsfs) of namespace @ns. The file may
 * be one found under RCU without a reference, being set up or torn down.
 */
static inline bool clonegate_file_is_ns(const struct file *file,
					const struct ns_common *ns)
{
	struct inode *inode = READ_ONCE(file->f_inode);

	return inode && inode->i_sb->s_magic == NSFS_MAGIC &&
	       inode->i_private == ns;
}

/* Whether @file is a pidfd: on pidfs since 6.9, an anon inode before. */
static inline bool clonegate_file_is_pidfd(const struct file *file)
{
	const struct inode *inode = file_inode(file);

#ifdef PID_FS_MAGIC
	if (inode->i_sb->s_magic == PID_FS_MAGIC)
		return true;
#endif
	return inode->i_sb->s_magic == ANON_INODE_FS_MAGIC &&
	       !strcmp(file->f_path.dentry->d_name.name, "[pidfd]");
}

/* The file at @fd in current's table, under rcu_read_lock(); may be NULL. */
static inline struct file *clonegate_fd_file_rcu(unsigned int fd)
{
	return current->files ? files_lookup_fd_raw(current->files, fd) : NULL;
}

/*
 * A path of a task's fs_struct (root or pwd) without taking a reference
 * (path_put() may sleep): the caller holds rcu_read_lock(), which keeps
 * the dentry and mount alive. fs_struct's seqcount became a seqlock in
 * 6.x; Kbuild probes the header and defines CLONEGATE_HAVE_FS_SEQLOCK.
 */
static inline void clonegate_fs_path_rcu(struct fs_struct *fs,
					 const struct path *field,
					 struct path *out)
{
	unsigned int seq;

	do {
#ifdef CLONEGATE_HAVE_FS_SEQLOCK
		seq = read_seqbegin(&fs->seq);
		*out = *field;
	} while (read_seqretry(&fs->seq, seq));
#else
		seq = read_seqcount_begin(&fs->seq);
		*out = *field;
	} while (read_seqcount_retry(&fs->seq, seq));
#endif
}

/*
 * A key of a cgroup v2 cgroup that its descendants know it by: its id, in
 * ancestor_ids[] before 5.19 (Kbuild probes for it), or since then its
 * address, in ancestors[]. A scope holds its cgroup, so an address is
 * never reused while it is a key.
 */
static inline u64 clonegate_cgroup_key(struct cgroup *cgrp)
{
#ifdef CLONEGATE_HAVE_CGROUP_ANCESTOR_IDS
	return cgroup_id(cgrp);
#else
	return (unsigned long)cgrp;
#endif
}

static inline u64 clonegate_cgroup_ancestor_key(const void *c, int level)
{
	const struct cgroup *cgrp = c;

#ifdef CLONEGATE_HAVE_CGROUP_ANCESTOR_IDS
	return cgrp->ancestor_ids[level];
#else
	return (unsigned long)cgrp->ancestors[level];
#endif
}

/* False once the cgroup was removed (rmdir). */
static inline bool clonegate_cgroup_online(struct cgroup *cgrp)
{
	return cgrp->self.flags & CSS_ONLINE;
}

/* A timer that may not be re-armed: timer_shutdown_sync() since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define clonegate_timer_shutdown_sync(t)	timer_shutdown_sync(t)
#else
#define clonegate_timer_shutdown_sync(t)	del_timer_sync(t)
#endif

/* A VMA's flags are changed through vm_flags_clear() since 6.3. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
#define clonegate_vm_flags_clear(vma, flags)	vm_flags_clear(vma, flags)
#else
#define clonegate_vm_flags_clear(vma, flags)	((vma)->vm_flags &= ~(flags))
#endif

/* __assign_str() takes the destination only since 6.10. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define clonegate_assign_str(dst, src)	__assign_str(dst)
#else
#define clonegate_assign_str(dst, src)	__assign_str(dst, src)
#endif

#endif /* __ASSEMBLY__ */
#endif /* _CLONEGATE_COMPAT_H */
