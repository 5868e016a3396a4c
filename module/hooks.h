/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate hooks: every point where clonegate attaches to the kernel.
 */
#ifndef _CLONEGATE_HOOKS_H
#define _CLONEGATE_HOOKS_H

#include <linux/types.h>

enum clonegate_backend {
	CLONEGATE_BACKEND_FTRACE,
	CLONEGATE_BACKEND_KPROBE,
	CLONEGATE_BACKEND_COUNT
};

extern const char *const clonegate_backend_names[CLONEGATE_BACKEND_COUNT];

int clonegate_hooks_register(const char *backend);
void clonegate_hooks_unregister(void);
enum clonegate_backend clonegate_hooks_backend(void);
int clonegate_hooks_check(char *why, size_t size);
int clonegate_newtask_sync(void);

#endif /* _CLONEGATE_HOOKS_H */
