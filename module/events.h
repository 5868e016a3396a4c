/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate events: one record per decision, shaped like gVisor's seccheck
 * clone point, delivered on three channels (audit, tracepoints, a device).
 */
#ifndef _CLONEGATE_EVENTS_H
#define _CLONEGATE_EVENTS_H

#include <linux/types.h>
#include <uapi/linux/clonegate.h>

#include "policy.h"

struct task_struct;

enum clonegate_decision {
	CLONEGATE_ALLOWED = CLONEGATE_EV_ALLOWED,
	CLONEGATE_DENIED = CLONEGATE_EV_DENIED,
	CLONEGATE_AUDITED = CLONEGATE_EV_AUDITED,
	CLONEGATE_DECISION_COUNT
};

enum clonegate_channel {
	CLONEGATE_CHANNEL_AUDIT,
	CLONEGATE_CHANNEL_TRACE,
	CLONEGATE_CHANNEL_DEV,
	CLONEGATE_CHANNEL_COUNT
};

/* What events are made, and where they go; see events/ in sysfs. */
struct clonegate_event_config {
	u32 decisions;		/* BIT(enum clonegate_decision) */
	u32 channels;		/* BIT(enum clonegate_channel) */
	u32 fields;		/* CLONEGATE_FIELD_* */
};

extern struct clonegate_event_config clonegate_events;

extern const char *const clonegate_decision_names[CLONEGATE_DECISION_COUNT];
extern const char *const clonegate_channel_names[CLONEGATE_CHANNEL_COUNT];
extern const char *const clonegate_field_names[CLONEGATE_FIELD_COUNT];

/* Counters of the channels; readers sum them over CPUs. */
struct clonegate_event_stats {
	u64 emitted;		/* offered to /dev/clonegate */
	u64 delivered;		/* read from /dev/clonegate */
	u64 dropped_ring_full;	/* no room in the reader's ring */
	u64 audit_records;	/* handed to the audit subsystem */
	u64 dropped_audit;	/* audit backlog full or out of memory */
	u64 traced;		/* tracepoint hits with a listener */
};

DECLARE_PER_CPU(struct clonegate_event_stats, clonegate_event_stats);
#define clonegate_event_stat_inc(field) \
	this_cpu_inc(clonegate_event_stats.field)

/* A decision worth reporting, before the record is built. */
struct clonegate_report {
	const struct clonegate_call *call;
	struct clonegate_verdict verdict;
	enum clonegate_decision decision;
	enum clonegate_mode mode;
	struct task_struct *child;	/* the created task, if any */
};

static inline bool clonegate_wants_event(enum clonegate_decision d)
{
	return READ_ONCE(clonegate_events.decisions) & BIT(d);
}

void clonegate_event_report(const struct clonegate_report *r);
void clonegate_note_clone(bool allowed);

int clonegate_events_register(void);
int clonegate_events_sync(void);
void clonegate_events_unregister(void);

int clonegate_dev_register(void);
void clonegate_dev_unregister(void);
void clonegate_dev_emit(const struct clonegate_event *ev);

void clonegate_audit_emit(const struct clonegate_event *ev);

void clonegate_trace_emit(const struct clonegate_event *ev);

#endif /* _CLONEGATE_EVENTS_H */
