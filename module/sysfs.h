/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate sysfs: /sys/kernel/clonegate/, the user-facing edge.
 */
#ifndef _CLONEGATE_SYSFS_H
#define _CLONEGATE_SYSFS_H

int clonegate_sysfs_register(const char *version);
void clonegate_sysfs_unregister(void);

#endif /* _CLONEGATE_SYSFS_H */
