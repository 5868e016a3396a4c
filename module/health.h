/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate health: whether every hook is armed and firing.
 */
#ifndef _CLONEGATE_HEALTH_H
#define _CLONEGATE_HEALTH_H

#include <linux/types.h>

int clonegate_health_check(char *buf, size_t size);
void clonegate_health_start(void);
void clonegate_health_stop(void);

#endif /* _CLONEGATE_HEALTH_H */
