// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel 2: the clonegate:clonegate_decision tracepoint.
 */
#include "channels.h"
#include "parse.h"
#include "state.h"

#define CREATE_TRACE_POINTS
#include "trace.h"

/**
 * clonegate_trace_emit() - fire the tracepoint for one event
 * @ev: the event
 *
 * Costs a static branch while nobody traces.
 */
void clonegate_trace_emit(const struct clonegate_event *ev)
{
	if (!trace_clonegate_decision_enabled())
		return;
	trace_clonegate_decision(ev);
	clonegate_stat_inc(traced);
}
