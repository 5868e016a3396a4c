/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate events, channel 2: tracepoints for perf, trace-cmd and
 * bpftrace. One event, clonegate:clonegate_decision, per reported decision.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM clonegate

#if !defined(_CLONEGATE_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CLONEGATE_TRACE_H

#include <linux/tracepoint.h>
#include <uapi/linux/clonegate.h>

/* a name table of the uapi header as __print_symbolic() pairs */
#define CG_TRACE_SYM(n, id, name)	{ n, #name },

TRACE_EVENT(clonegate_decision,

	TP_PROTO(const struct clonegate_event *ev),

	TP_ARGS(ev),

	TP_STRUCT__entry(
		__field(u64, seq)
		__field(u16, op)
		__field(u16, decision)
		__field(u16, mode)
		__field(s32, errno_value)
		__field(u64, flags)
		__field(s32, exit_signal)
		__field(s32, created_thread_id)
		__field(s32, created_thread_group_id)
		__field(u64, created_thread_start_time_ns)
		__field(u32, fields)
		__field(s32, thread_id)
		__field(s32, thread_group_id)
		__field(s32, parent_thread_group_id)
		__field(u64, time_ns)
		__field(u64, thread_start_time_ns)
		__field(u64, thread_group_start_time_ns)
		__field(u32, uid)
		__field(u32, euid)
		__field(u32, suid)
		__field(u32, gid)
		__field(u32, egid)
		__field(u32, sgid)
		__field(u64, cgroup_id)
		__field(u32, suppressed)
		__field(u32, ns_type)
		__field(u64, ns_inum)
		__field(u16, setns_form)
		__string(rule, ev->rule_name)
		__string(scope, ev->scope)
		__string(message, ev->message)
		__string(container_id, ev->container_id)
		__string(cwd, ev->cwd)
		__array(char, process_name, CLONEGATE_COMM_LEN)
	),

	TP_fast_assign(
		__entry->seq = ev->seq;
		__entry->op = ev->op;
		__entry->decision = ev->decision;
		__entry->mode = ev->mode;
		__entry->errno_value = ev->errno_value;
		__entry->flags = ev->flags;
		__entry->exit_signal = ev->exit_signal;
		__entry->created_thread_id = ev->created_thread_id;
		__entry->created_thread_group_id = ev->created_thread_group_id;
		__entry->created_thread_start_time_ns =
			ev->created_thread_start_time_ns;
		__entry->fields = ev->fields;
		__entry->thread_id = ev->thread_id;
		__entry->thread_group_id = ev->thread_group_id;
		__entry->parent_thread_group_id = ev->parent_thread_group_id;
		__entry->time_ns = ev->time_ns;
		__entry->thread_start_time_ns = ev->thread_start_time_ns;
		__entry->thread_group_start_time_ns =
			ev->thread_group_start_time_ns;
		__entry->uid = ev->uid;
		__entry->euid = ev->euid;
		__entry->suid = ev->suid;
		__entry->gid = ev->gid;
		__entry->egid = ev->egid;
		__entry->sgid = ev->sgid;
		__entry->cgroup_id = ev->cgroup_id;
		__entry->suppressed = ev->suppressed;
		__entry->ns_type = ev->ns_type;
		__entry->ns_inum = ev->ns_inum;
		__entry->setns_form = ev->setns_form;
		clonegate_assign_str(rule, ev->rule_name);
		clonegate_assign_str(scope, ev->scope);
		clonegate_assign_str(message, ev->message);
		clonegate_assign_str(container_id, ev->container_id);
		clonegate_assign_str(cwd, ev->cwd);
		memcpy(__entry->process_name, ev->process_name,
		       CLONEGATE_COMM_LEN);
	),

	TP_printk("seq=%llu op=%s decision=%s errno=%d rule=%s mode=%s scope=%s flags=0x%llx exit_signal=%d ns_type=0x%x ns_inum=%llu form=%s created_tid=%d created_pid=%d tid=%d pid=%d ppid=%d uid=%u euid=%u comm=%s cgroup=%s cwd=%s suppressed=%u message=%s",
		  __entry->seq,
		  __print_symbolic(__entry->op, CLONEGATE_OPS(CG_TRACE_SYM)
				   { 0xffff, "?" }),
		  __print_symbolic(__entry->decision,
				   CLONEGATE_DECISIONS(CG_TRACE_SYM)
				   { 0xffff, "?" }),
		  __entry->errno_value, __get_str(rule),
		  __print_symbolic(__entry->mode, CLONEGATE_MODES(CG_TRACE_SYM)
				   { 0xffff, "?" }),
		  __get_str(scope), __entry->flags, __entry->exit_signal,
		  __entry->ns_type, __entry->ns_inum,
		  __print_symbolic(__entry->setns_form,
				   CLONEGATE_SETNS_FORMS(CG_TRACE_SYM)
				   { 0xffff, "?" }),
		  __entry->created_thread_id, __entry->created_thread_group_id,
		  __entry->thread_id, __entry->thread_group_id,
		  __entry->parent_thread_group_id, __entry->uid, __entry->euid,
		  __entry->process_name, __get_str(container_id),
		  __get_str(cwd), __entry->suppressed, __get_str(message))
);

#endif /* _CLONEGATE_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
