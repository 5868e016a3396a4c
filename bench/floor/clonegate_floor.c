// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate_floor: the least any ftrace hook on clonegate's functions can
 * cost, for the benchmark only.
 *
 * One ftrace_ops with an empty callback on every function clonegate hooks
 * (kernel_clone, ksys_unshare, the namespace install operations,
 * pidfd_pid), with clonegate's flags: IPMODIFY, so the same trampoline
 * runs, and no FTRACE_OPS_FL_RECURSION, so ftrace calls the callback
 * directly, as it calls clonegate's. What clonegate costs above this is
 * its own code. Two IPMODIFY users cannot share a function: load this and
 * clonegate in turn, never together (the second is refused with EBUSY).
 *
 * Finding a function by name walks every traced function, a third of a
 * second each under emulation; the bench passes their addresses instead,
 * read once from /proc/kallsyms: addrs=0x...,0x...
 */
#include <linux/ftrace.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/string.h>

static unsigned long addrs[16];
static unsigned int naddrs;
module_param_array(addrs, ulong, &naddrs, 0444);
MODULE_PARM_DESC(addrs, "the functions' addresses (default: found by name)");

static const char *const floor_syms[] = {
	"kernel_clone", "ksys_unshare", "pidfd_pid",
	"mntns_install", "netns_install", "ipcns_install", "utsns_install",
	"userns_install", "pidns_install", "cgroupns_install",
	"timens_install",
};

#if defined(CONFIG_DYNAMIC_FTRACE_WITH_ARGS)
#define FLOOR_FLAGS	(FTRACE_OPS_FL_IPMODIFY | FTRACE_OPS_FL_PERMANENT)
#define floor_regs	struct ftrace_regs
#else
#define FLOOR_FLAGS	(FTRACE_OPS_FL_SAVE_REGS | FTRACE_OPS_FL_IPMODIFY | \
			 FTRACE_OPS_FL_PERMANENT | FTRACE_OPS_FL_RECURSION_SAFE)
#define floor_regs	struct pt_regs
#endif

static void notrace floor_callback(unsigned long ip, unsigned long parent_ip,
				   struct ftrace_ops *op, floor_regs *regs)
{
}

static struct ftrace_ops floor_ops = {
	.func = floor_callback,
	.flags = FLOOR_FLAGS,
};

static int __init floor_init(void)
{
	char buf[KSYM_NAME_LEN];
	unsigned int i, found = 0;
	int err;

	for (i = 0; i < naddrs; i++) {
		err = ftrace_set_filter_ip(&floor_ops, addrs[i], 0, 0);
		if (err) {
			pr_err("clonegate_floor: cannot trace %pS (%d)\n",
			       (void *)addrs[i], err);
			ftrace_free_filter(&floor_ops);
			return err;
		}
		found++;
	}
	for (i = 0; !naddrs && i < ARRAY_SIZE(floor_syms); i++) {
		strscpy(buf, floor_syms[i], sizeof(buf));
		if (!ftrace_set_filter(&floor_ops, buf, strlen(buf), 0))
			found++;
		else
			pr_info("clonegate_floor: no %s\n", floor_syms[i]);
	}
	if (!found)
		return -ENOENT;
	err = register_ftrace_function(&floor_ops);
	if (err) {
		pr_err("clonegate_floor: ftrace refused (%d)\n", err);
		ftrace_free_filter(&floor_ops);
	}
	return err;
}

static void __exit floor_exit(void)
{
	unregister_ftrace_function(&floor_ops);
	ftrace_free_filter(&floor_ops);
}

module_init(floor_init);
module_exit(floor_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("clonegate benchmark: an empty ftrace callback on clonegate's functions");
