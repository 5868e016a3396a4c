/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate: what the module's files share with each other.
 */
#ifndef _CLONEGATE_H
#define _CLONEGATE_H

#include <linux/kobject.h>
#include <linux/percpu.h>
#include <linux/types.h>

#include "policy.h"

#define CLONEGATE_VERSION "0.3.0"

/* Per-CPU counters; readers sum them. */
struct clonegate_stats {
	u64 calls[CLONEGATE_OP_COUNT];
	u64 allowed[CLONEGATE_OP_COUNT];
	u64 denied[CLONEGATE_OP_COUNT];
	u64 audited[CLONEGATE_OP_COUNT];
	u64 rule_hits[CLONEGATE_RULE_COUNT];
	u64 exempt;
};

DECLARE_PER_CPU(struct clonegate_stats, clonegate_stats);

#define clonegate_stat_inc(field) this_cpu_inc(clonegate_stats.field)

u64 clonegate_percpu_sum(const void __percpu *base, size_t offset);

/* The live policy, swapped whole under RCU; see main.c. */
extern struct clonegate_policy __rcu *clonegate_live;

typedef int (*clonegate_edit_fn)(struct clonegate_policy *next,
				 const char *buf, size_t len);
int clonegate_policy_edit(clonegate_edit_fn edit, const char *buf, size_t len);
int clonegate_config_edit(u32 *field, const char *buf, size_t len,
			  clonegate_name_fn name, unsigned int count);
bool clonegate_is_locked(void);
int clonegate_lock(void);

bool clonegate_snapshot_clone(struct clonegate_call *call, u64 flags,
			      int exit_signal);
int clonegate_hooks_register(void);
void clonegate_hooks_unregister(void);

int clonegate_sysfs_register(void);
void clonegate_sysfs_unregister(void);

#endif /* _CLONEGATE_H */
