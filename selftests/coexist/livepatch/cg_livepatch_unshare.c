// SPDX-License-Identifier: GPL-2.0
/*
 * A livepatch of ksys_unshare(), one of the two functions clonegate hooks:
 * another user that changes the function's ip through ftrace (IPMODIFY).
 *
 * Two such users of one function cannot both work: ftrace lets one in and
 * refuses the other with EBUSY. The coexistence test loads this beside
 * clonegate and checks that one of them is refused, never both let in.
 *
 * A replacement cannot call the function it replaces (the call would be
 * sent to the replacement again), and ksys_unshare() uses helpers a module
 * cannot reach, so while this patch is enabled every unshare(2) fails with
 * ENOSYS: an errno neither Linux nor clonegate gives for unshare, which
 * tells the test whose answer a caller got. Nothing else in the test VM
 * calls unshare(2).
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/livepatch.h>
#include <linux/module.h>

static int cg_livepatch_ksys_unshare(unsigned long unshare_flags)
{
	return -ENOSYS;
}

static struct klp_func funcs[] = {
	{
		.old_name = "ksys_unshare",
		.new_func = cg_livepatch_ksys_unshare,
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
MODULE_DESCRIPTION("Test livepatch: unshare(2) fails with ENOSYS");
MODULE_LICENSE("GPL");
MODULE_INFO(livepatch, "Y");
