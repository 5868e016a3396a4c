// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel 1: the Linux audit subsystem.
 *
 * One AUDIT_KERNEL_OTHER record per event, key=value, with the standard
 * audit field names where they exist. The record is started in the
 * caller's audit context, so it carries the syscall's timestamp and serial
 * and ausearch shows it with the SYSCALL record. It never blocks: with the
 * backlog full, audit_log_start() fails at once under GFP_ATOMIC and the
 * record is counted as dropped.
 *
 * Like an LSM's denials, a call denied under enforce and a change of hook
 * health are recorded even while audit is off (no audit=1, no auditd):
 * the kernel log then shows them, rate-limited by audit itself. Records
 * of allowed and audited calls follow audit's switch.
 */
#include <linux/audit.h>
#include <linux/ctype.h>
#include <linux/string.h>

#include "channels.h"
#include "parse.h"
#include "state.h"

/*
 * audit's own rule for strings a user controls: quoted when plain, hex
 * when they hold a quote, a space or a control byte, so a comm or a path
 * can never forge a field.
 */
static void log_untrusted(struct audit_buffer *ab, const char *key,
			  const char *s)
{
	const char *c;

	for (c = s; *c; c++)
		if (*c == '"' || *c < 0x21 || *c > 0x7e)
			break;
	if (!*c) {
		audit_log_format(ab, " %s=\"%s\"", key, s);
		return;
	}
	audit_log_format(ab, " %s=", key);
	for (c = s; *c; c++)
		audit_log_format(ab, "%02X", (unsigned char)*c);
}

/**
 * clonegate_audit_emit() - send one event as an audit record
 * @ev: the event
 */
void clonegate_audit_emit(const struct clonegate_event *ev)
{
	struct audit_buffer *ab;

	if (!audit_enabled && ev->decision != CLONEGATE_DENIED &&
	    ev->op != CLONEGATE_EV_OP_HEALTH)
		return;
	ab = audit_log_start(audit_context(), GFP_ATOMIC, AUDIT_KERNEL_OTHER);
	if (!ab) {
		clonegate_stat_inc(dropped_audit);
		return;
	}
	if (ev->op == CLONEGATE_EV_OP_HEALTH) {
		audit_log_format(ab, "module=clonegate op=health seq=%llu",
				 ev->seq);
		log_untrusted(ab, "health", ev->message);
		goto out_end;
	}
	audit_log_format(ab, "module=clonegate op=%s res=%d decision=%s",
			 clonegate_op_names[ev->op],
			 ev->decision != CLONEGATE_DENIED,
			 clonegate_decision_names[ev->decision]);
	audit_log_format(ab, " errno=%d rule=%s mode=%s flags=0x%llx",
			 ev->errno_value, ev->rule_name,
			 clonegate_mode_names[ev->mode], ev->flags);
	audit_log_format(ab, " exit_signal=%d seq=%llu scope=%s", ev->exit_signal,
			 ev->seq, ev->scope);
	if (ev->op == CLONEGATE_EV_OP_SETNS)
		audit_log_format(ab, " ns_type=0x%x ns_inum=%llu form=%s",
				 ev->ns_type, ev->ns_inum,
				 clonegate_setns_form_names[ev->setns_form]);
	if (ev->suppressed)
		audit_log_format(ab, " suppressed=%u", ev->suppressed);
	if (ev->ev_flags & CLONEGATE_EV_F_CREATED)
		audit_log_format(ab, " created_tid=%d created_pid=%d created_start_ns=%llu",
				 ev->created_thread_id,
				 ev->created_thread_group_id,
				 ev->created_thread_start_time_ns);
	if (ev->fields & CLONEGATE_FIELD_THREAD_GROUP_ID)
		audit_log_format(ab, " pid=%d", ev->thread_group_id);
	if (ev->fields & CLONEGATE_FIELD_THREAD_ID)
		audit_log_format(ab, " tid=%d", ev->thread_id);
	if (ev->fields & CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID)
		audit_log_format(ab, " ppid=%d", ev->parent_thread_group_id);
	if (ev->fields & CLONEGATE_FIELD_THREAD_START_TIME)
		audit_log_format(ab, " start_ns=%llu", ev->thread_start_time_ns);
	if (ev->fields & CLONEGATE_FIELD_THREAD_GROUP_START_TIME)
		audit_log_format(ab, " pid_start_ns=%llu",
				 ev->thread_group_start_time_ns);
	if (ev->fields & CLONEGATE_FIELD_CREDENTIALS)
		audit_log_format(ab, " uid=%u euid=%u suid=%u gid=%u egid=%u sgid=%u",
				 ev->uid, ev->euid, ev->suid, ev->gid,
				 ev->egid, ev->sgid);
	if (ev->fields & CLONEGATE_FIELD_PROCESS_NAME)
		log_untrusted(ab, "comm", ev->process_name);
	if (ev->fields & CLONEGATE_FIELD_CWD)
		log_untrusted(ab, "cwd", ev->cwd);
	if (ev->fields & CLONEGATE_FIELD_CONTAINER_ID) {
		audit_log_format(ab, " cgroup_id=%llu", ev->cgroup_id);
		log_untrusted(ab, "cgroup", ev->container_id);
	}
out_end:
	audit_log_end(ab);
	clonegate_stat_inc(audit_records);
}
