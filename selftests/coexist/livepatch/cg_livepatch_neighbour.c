// SPDX-License-Identifier: GPL-2.0
/*
 * A livepatch of a function next to the ones clonegate hooks:
 * set_tid_address(2), from kernel/fork.c like kernel_clone() and
 * ksys_unshare(). It shares no function with clonegate, so both must load
 * and work side by side, in either order.
 *
 * The replacement does what the original does, and counts its calls in the
 * read-only parameter "calls", so a test can see that the patch is live.
 */
#include <linux/compiler.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/ptrace.h>
#include <linux/sched.h>

static unsigned long calls;
module_param(calls, ulong, 0444);
MODULE_PARM_DESC(calls, "set_tid_address(2) calls the replacement served");

/* the x86_64 entry of set_tid_address(2): arguments in pt_regs */
static long cg_livepatch_set_tid_address(const struct pt_regs *regs)
{
	current->clear_child_tid = (int __user *)regs->di;
	/* a test counter: a lost increment under a race does not matter */
	data_race(calls++);
	return task_pid_vnr(current);
}

static struct klp_func funcs[] = {
	{
		.old_name = "__x64_sys_set_tid_address",
		.new_func = cg_livepatch_set_tid_address,
	}, { }
};

static struct klp_object objs[] = {
	{
		/* vmlinux */
		.funcs = funcs,
	}, { }
};

static struct klp_patch patch = {
	.mod = THIS_MODULE,
	.objs = objs,
};

static int __init cg_livepatch_init(void)
{
	return klp_enable_patch(&patch);
}

static void __exit cg_livepatch_exit(void)
{
}

module_init(cg_livepatch_init);
module_exit(cg_livepatch_exit);
MODULE_DESCRIPTION("Test livepatch: set_tid_address(2), counted");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
