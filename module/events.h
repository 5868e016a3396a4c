/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate events: one record per reported decision or health change,
 * shaped like gVisor's seccheck clone point, handed to the channels.
 */
#ifndef _CLONEGATE_EVENTS_H
#define _CLONEGATE_EVENTS_H

#include <linux/types.h>

#include "policy.h"

struct task_struct;

/* A decision worth reporting, before the record is built. */
struct clonegate_report {
	const struct clonegate_call *call;
	struct clonegate_verdict verdict;
	enum clonegate_decision decision;
	enum clonegate_mode mode;
	const char *scope;		/* clonegate_decider.scope */
	struct task_struct *child;	/* the created task, if any */
};

void clonegate_event_report(const struct clonegate_report *r);
void clonegate_event_health(const char *message);
void clonegate_events_init(void);

#endif /* _CLONEGATE_EVENTS_H */
