/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * clonegate: the records /dev/clonegate delivers.
 *
 * Every read() returns whole records. A record starts with its size and
 * version: a reader skips records of a version it does not know by their
 * size, and fields are only ever added at the end, so an old reader can
 * read the prefix it knows of a newer record.
 *
 * Field names follow gVisor's seccheck clone point (CloneInfo and
 * ContextData); the clonegate_ fields are what a policy engine adds.
 */
#ifndef _UAPI_LINUX_CLONEGATE_H
#define _UAPI_LINUX_CLONEGATE_H

#include <linux/types.h>

#define CLONEGATE_EVENT_VERSION	1

#define CLONEGATE_COMM_LEN	16
#define CLONEGATE_PATH_LEN	256

/*
 * The names clonegate gives clone flags, by bit: in the sysfs files
 * clone_flags and unshare_flags, and in the tools. An initializer for
 * const char *names[64]; bits without a name stay NULL.
 */
#define CLONEGATE_FLAG_NAMES {						\
	[7] = "newtime",	[8] = "vm",		[9] = "fs",		\
	[10] = "files",		[11] = "sighand",	[12] = "pidfd",		\
	[13] = "ptrace",	[14] = "vfork",		[15] = "parent",	\
	[16] = "thread",	[17] = "newns",		[18] = "sysvsem",	\
	[19] = "settls",	[20] = "parent_settid",				\
	[21] = "child_cleartid",	[22] = "detached",			\
	[23] = "untraced",	[24] = "child_settid",	[25] = "newcgroup",	\
	[26] = "newuts",	[27] = "newipc",	[28] = "newuser",	\
	[29] = "newpid",	[30] = "newnet",	[31] = "io",		\
	[32] = "clear_sighand",	[33] = "into_cgroup",			\
}

/* clonegate_event.op */
enum clonegate_event_op {
	CLONEGATE_EV_OP_CLONE	= 0,
	CLONEGATE_EV_OP_CLONE3	= 1,
	CLONEGATE_EV_OP_FORK	= 2,
	CLONEGATE_EV_OP_VFORK	= 3,
	CLONEGATE_EV_OP_UNSHARE	= 4,
};

/* clonegate_event.decision */
enum clonegate_event_decision {
	CLONEGATE_EV_ALLOWED	= 0,
	CLONEGATE_EV_DENIED	= 1,
	CLONEGATE_EV_AUDITED	= 2,	/* would have been denied */
};

/* clonegate_event.mode */
enum clonegate_event_mode {
	CLONEGATE_EV_MODE_OFF		= 0,
	CLONEGATE_EV_MODE_AUDIT		= 1,
	CLONEGATE_EV_MODE_ENFORCE	= 2,
};

/*
 * clonegate_event.fields: which ContextData fields are filled in, as chosen
 * in /sys/kernel/clonegate/events/context_fields. A field not filled in is
 * zero (or an empty string).
 */
#define CLONEGATE_FIELD_TIME			(1U << 0)
#define CLONEGATE_FIELD_THREAD_ID		(1U << 1)
#define CLONEGATE_FIELD_THREAD_START_TIME	(1U << 2)
#define CLONEGATE_FIELD_THREAD_GROUP_ID		(1U << 3)
#define CLONEGATE_FIELD_THREAD_GROUP_START_TIME	(1U << 4)
#define CLONEGATE_FIELD_CONTAINER_ID		(1U << 5)
#define CLONEGATE_FIELD_CREDENTIALS		(1U << 6)
#define CLONEGATE_FIELD_CWD			(1U << 7)
#define CLONEGATE_FIELD_PROCESS_NAME		(1U << 8)
#define CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID	(1U << 9)
#define CLONEGATE_FIELD_COUNT			10

/* clonegate_event.created_thread_id etc. are set: the call made a task */
#define CLONEGATE_EV_F_CREATED		(1U << 0)
/*
 * cwd or container_id did not fit in CLONEGATE_PATH_LEN - 1 bytes: the
 * container_id is cut, the cwd reads "?"
 */
#define CLONEGATE_EV_F_TRUNCATED	(1U << 1)

/*
 * One decision. Ids are as seen from the initial pid namespace, uids and
 * gids from the initial user namespace. Times are CLOCK_REALTIME
 * nanoseconds, the clock gVisor's sentry stamps them with; a start time is
 * the task's boot-time start (the one /proc/PID/stat shows) moved onto
 * CLOCK_REALTIME.
 */
struct clonegate_event {
	__u32 size;		/* sizeof(struct clonegate_event) of the writer */
	__u16 version;		/* CLONEGATE_EVENT_VERSION */
	__u16 op;		/* enum clonegate_event_op */
	__u64 seq;		/* per boot of the module, from 1, no gaps */

	/* clonegate's verdict */
	__u16 decision;		/* enum clonegate_event_decision */
	__u16 mode;		/* enum clonegate_event_mode */
	__s16 rule;		/* rule id (see rule_name), -1 for none */
	__u16 ev_flags;		/* CLONEGATE_EV_F_* */
	__s32 errno_value;	/* the errno of a deny or audit, 0 if allowed */
	__s32 exit_signal;	/* clone family: the child's exit signal */
	__u64 flags;		/* clone or unshare flags, as the kernel saw them */
	char rule_name[32];

	/* CloneInfo */
	__s32 created_thread_id;
	__s32 created_thread_group_id;
	__u64 created_thread_start_time_ns;

	/* ContextData */
	__u32 fields;		/* CLONEGATE_FIELD_* filled in */
	__s32 thread_id;
	__u64 time_ns;
	__u64 thread_start_time_ns;
	__u64 thread_group_start_time_ns;
	__s32 thread_group_id;
	__s32 parent_thread_group_id;
	__u32 uid, euid, suid;	/* credentials: real, effective, saved */
	__u32 gid, egid, sgid;
	__u64 cgroup_id;	/* container_id: the cgroup v2 id ... */
	char container_id[CLONEGATE_PATH_LEN];	/* ... and its path */
	char cwd[CLONEGATE_PATH_LEN];
	char process_name[CLONEGATE_COMM_LEN];
};

#endif /* _UAPI_LINUX_CLONEGATE_H */
