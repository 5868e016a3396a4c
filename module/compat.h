/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Everything that differs between kernel versions and architectures, in one
 * place. Kbuild force-includes this header into every module file; nothing
 * else in module/ tests LINUX_VERSION_CODE or CONFIG_X86.
 */
#ifndef _CLONEGATE_COMPAT_H
#define _CLONEGATE_COMPAT_H

/* every log line of the module starts with its name */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/version.h>

#ifndef __ASSEMBLY__

#if !defined(CONFIG_X86_64)
#error "clonegate supports x86_64 only: the deny path overrides registers"
#endif
#if !defined(CONFIG_KPROBES)
#error "clonegate needs CONFIG_KPROBES"
#endif

#include <linux/fs_struct.h>
#include <linux/kprobes.h>
#include <linux/linkage.h>
#include <linux/objtool.h>
#include <linux/ptrace.h>
#include <linux/sched.h>
#include <linux/sched/task.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>
#include <asm/unistd.h>

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

/*
 * The return stub a denied call is sent to: the hooked function is entered
 * at its first instruction, so the caller's return address is on top of the
 * stack and a bare return goes back to it with the errno in %rax. It is
 * reached by the return of the ftrace or int3 trampoline, never by an
 * indirect branch, so it needs no ENDBR: tell objtool so.
 */
void clonegate_return_stub(void);

static inline int clonegate_override_return(struct pt_regs *regs, long ret)
{
	regs_set_return_value(regs, ret);
	instruction_pointer_set(regs, (unsigned long)clonegate_return_stub);
	/* a kprobe pre-handler returning 1 says it changed the ip */
	return 1;
}

#define CLONEGATE_RETURN_STUB_ASM					\
	asm(".pushsection .text, \"ax\"\n"				\
	    ".type clonegate_return_stub, @function\n"			\
	    ".globl clonegate_return_stub\n"				\
	    "clonegate_return_stub:\n"					\
	    ANNOTATE_NOENDBR						\
	    ASM_RET							\
	    ".size clonegate_return_stub, .-clonegate_return_stub\n"	\
	    ".popsection\n")

/*
 * A path of a task's fs_struct (root or pwd) without taking a reference (path_put() may
 * sleep): the caller holds rcu_read_lock(), which keeps the dentry and
 * mount alive. fs_struct's seqcount became a seqlock in 6.x; Kbuild probes
 * the header and defines CLONEGATE_HAVE_FS_SEQLOCK.
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

/* __assign_str() takes the destination only since 6.10. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 10, 0)
#define clonegate_assign_str(dst, src)	__assign_str(dst)
#else
#define clonegate_assign_str(dst, src)	__assign_str(dst, src)
#endif

/* The first argument of a probed function, at its entry. */
static inline unsigned long clonegate_first_arg(struct pt_regs *regs)
{
	return regs->di;
}

#if LINUX_VERSION_CODE < KERNEL_VERSION(5, 11, 0)
#define __NR_ia32_fork		2
#define __NR_ia32_clone		120
#define __NR_ia32_vfork		190
#define __NR_ia32_unshare	310
#define __NR_ia32_clone3	435
#else
#include <asm/unistd_32_ia32.h>
#endif

/*
 * The user syscall that led to kernel_clone(), from the saved user
 * registers (kernel memory). Only names the operation in counters and
 * events; the decision itself reads struct kernel_clone_args.
 */
static inline int clonegate_syscall_nr(bool *compat)
{
	struct pt_regs *uregs = task_pt_regs(current);

	*compat = in_ia32_syscall();
	return syscall_get_nr(current, uregs) & ~__X32_SYSCALL_BIT;
}

#endif /* __ASSEMBLY__ */
#endif /* _CLONEGATE_COMPAT_H */
