/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate channels: where a built record goes. Each is called with
 * preemption disabled, never sleeps and never waits for a reader: a
 * channel without room drops the record and counts the drop.
 */
#ifndef _CLONEGATE_CHANNELS_H
#define _CLONEGATE_CHANNELS_H

#include <linux/types.h>
#include <uapi/linux/clonegate.h>

/* audit.c */
void clonegate_audit_emit(const struct clonegate_event *ev);

/* trace.c */
void clonegate_trace_emit(const struct clonegate_event *ev);

/* evdev.c: the rings, and /dev/clonegate that reads them */
struct clonegate_event *clonegate_dev_reserve(void);
void clonegate_dev_commit(void);
int clonegate_rings_alloc(void);
void clonegate_rings_free(void);
int clonegate_dev_register(void);
void clonegate_dev_unregister(void);

#endif /* _CLONEGATE_CHANNELS_H */
