/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * clonegate: what the module shares with user space.
 *
 * The name tables (operations, modes, decisions, profiles, rules, channels,
 * context fields, clone flags, namespace types) are written once, here, as
 * X-macros: the module, its tracepoint, the tools and the selftests expand
 * them. Each entry is X(number, ID, name); the numbers are ABI.
 *
 * The records /dev/clonegate delivers: every read() returns whole records.
 * A record starts with its size and version: a reader skips records of a
 * version it does not know by their size, and fields are only ever added
 * at the end, so an old reader can read the prefix it knows of a newer
 * record.
 *
 * Field names follow gVisor's seccheck clone point (CloneInfo and
 * ContextData); the other fields are what a policy engine adds.
 */
#ifndef _UAPI_LINUX_CLONEGATE_H
#define _UAPI_LINUX_CLONEGATE_H

#include <linux/types.h>

#define CLONEGATE_EVENT_VERSION	2

#define CLONEGATE_COMM_LEN	16
#define CLONEGATE_PATH_LEN	256
#define CLONEGATE_RULE_LEN	32
/*
 * a scope name: 1 to 32 characters of [a-z0-9_-], and a NUL; not "host",
 * "add" or "remove"
 */
#define CLONEGATE_SCOPE_LEN	33
/* clonegate_event.scope of a call the host policy decided */
#define CLONEGATE_HOST_SCOPE	"host"
#define CLONEGATE_MESSAGE_LEN	64

/* The operations a decision is about; health reports hook health. */
#define CLONEGATE_OPS(X)						\
	X(0, CLONE, clone)						\
	X(1, CLONE3, clone3)						\
	X(2, FORK, fork)						\
	X(3, VFORK, vfork)						\
	X(4, UNSHARE, unshare)						\
	X(5, SETNS, setns)						\
	X(6, HEALTH, health)

#define CLONEGATE_MODES(X)						\
	X(0, OFF, off)							\
	X(1, AUDIT, audit)						\
	X(2, ENFORCE, enforce)

/* audited: the call would have been denied, and went through (audit) */
#define CLONEGATE_DECISIONS(X)						\
	X(0, ALLOWED, allowed)						\
	X(1, DENIED, denied)						\
	X(2, AUDITED, audited)

/* custom is what a profile becomes once edited; it cannot be loaded */
#define CLONEGATE_PROFILES(X)						\
	X(0, GVISOR, gvisor)						\
	X(1, PERMISSIVE, permissive)					\
	X(2, CUSTOM, custom)

/*
 * The rule rows of gVisor's Task.Clone, Task.Unshare and Task.Setns, in the
 * order they are checked: the first enabled row that matches decides.
 */
#define CLONEGATE_RULES(X)						\
	X(0, SETNS_PIDFD, setns_pidfd)					\
	X(1, UNSUPPORTED_FLAG, unsupported_flag)			\
	X(2, SIGHAND_WITHOUT_VM, sighand_without_vm)			\
	X(3, SET_TID, set_tid)						\
	X(4, THREAD_WITHOUT_SIGHAND, thread_without_sighand)		\
	X(5, THREAD_NEWPID, thread_newpid)				\
	X(6, NEWPID_PENDING, newpid_pending)				\
	X(7, NEWUSER_THREAD_FS, newuser_thread_fs)			\
	X(8, BAD_EXIT_SIGNAL, bad_exit_signal)				\
	X(9, FS_NEWNS, fs_newns)					\
	X(10, UNSHARE_VM_SIGHAND, unshare_vm_sighand)			\
	X(11, UNSHARE_THREAD_MULTITHREADED, unshare_thread_multithreaded) \
	X(12, NS_NEEDS_CAP, ns_needs_cap)

/* Where records go: /sys/kernel/clonegate/events/channels. */
#define CLONEGATE_CHANNELS(X)						\
	X(0, AUDIT, audit)						\
	X(1, TRACE, trace)						\
	X(2, DEV, dev)

/*
 * seccheck's ContextData fields a record can carry, by bit of
 * clonegate_event.fields (events/context_fields).
 */
#define CLONEGATE_FIELDS(X)						\
	X(0, TIME, time)						\
	X(1, THREAD_ID, thread_id)					\
	X(2, THREAD_START_TIME, thread_start_time)			\
	X(3, THREAD_GROUP_ID, thread_group_id)				\
	X(4, THREAD_GROUP_START_TIME, thread_group_start_time)		\
	X(5, CONTAINER_ID, container_id)				\
	X(6, CREDENTIALS, credentials)					\
	X(7, CWD, cwd)							\
	X(8, PROCESS_NAME, process_name)				\
	X(9, PARENT_THREAD_GROUP_ID, parent_thread_group_id)

/* How setns(2) named its target. */
#define CLONEGATE_SETNS_FORMS(X)					\
	X(0, NSFD, nsfd)						\
	X(1, PIDFD, pidfd)

/*
 * The names clonegate gives clone flags, by bit: in the files clone_flags
 * and unshare_flags, and in the tools. X(bit, name).
 */
#define CLONEGATE_FLAGS(X)						\
	X(7, newtime) X(8, vm) X(9, fs) X(10, files) X(11, sighand)	\
	X(12, pidfd) X(13, ptrace) X(14, vfork) X(15, parent)		\
	X(16, thread) X(17, newns) X(18, sysvsem) X(19, settls)		\
	X(20, parent_settid) X(21, child_cleartid) X(22, detached)	\
	X(23, untraced) X(24, child_settid) X(25, newcgroup)		\
	X(26, newuts) X(27, newipc) X(28, newuser) X(29, newpid)	\
	X(30, newnet) X(31, io) X(32, clear_sighand) X(33, into_cgroup)	\
	X(34, autoreap) X(35, nnp) X(36, pidfd_autokill) X(37, empty_mntns)

/*
 * The namespace types setns(2) joins, by the bit of their CLONE_NEW* flag:
 * the names of the file setns_types. X(bit, name).
 */
#define CLONEGATE_NS_TYPES(X)						\
	X(7, time) X(17, mnt) X(25, cgroup) X(26, uts) X(27, ipc)	\
	X(28, user) X(29, pid) X(30, net)

/*
 * The flag sets of the profiles, as masks of CLONE_* bits: what Linux
 * takes (clone3 flags up to bit 37, which 7.x defines; an older kernel
 * refuses the bits it lacks before clonegate sees them), and what gVisor's
 * sentry supports (SupportedCloneFlags for the
 * clone family; Task.Unshare, which lacks the cgroup and time namespaces;
 * Task.Setns, which joins network, IPC, mount and UTS namespaces).
 */
#define CLONEGATE_LINUX_FLAGS		0x3fffffff80ULL
#define CLONEGATE_LINUX_UNSHARE_FLAGS	0x7e070f80ULL
#define CLONEGATE_LINUX_NS_TYPES	0x7e020080ULL
#define CLONEGATE_GVISOR_CLONE_FLAGS	0xfdffef00ULL
#define CLONEGATE_GVISOR_UNSHARE_FLAGS	0x7c070f00ULL
#define CLONEGATE_GVISOR_NS_TYPES	0x4c020000ULL

#define __CLONEGATE_ENUM(prefix, n, id)	prefix##id = n,
#define __CLONEGATE_EV_OP(n, id, name)	__CLONEGATE_ENUM(CLONEGATE_EV_OP_, n, id)
#define __CLONEGATE_EV_MODE(n, id, name) __CLONEGATE_ENUM(CLONEGATE_EV_MODE_, n, id)
#define __CLONEGATE_EV(n, id, name)	__CLONEGATE_ENUM(CLONEGATE_EV_, n, id)
#define __CLONEGATE_FORM(n, id, name)	__CLONEGATE_ENUM(CLONEGATE_SETNS_, n, id)
#define __CLONEGATE_FIELD(n, id, name)	__CLONEGATE_ENUM(CLONEGATE_FIELD_BIT_, n, id)
#define __CLONEGATE_COUNT(n, id, name)	+ 1

/* clonegate_event.op */
enum clonegate_event_op { CLONEGATE_OPS(__CLONEGATE_EV_OP) };
/* clonegate_event.mode */
enum clonegate_event_mode { CLONEGATE_MODES(__CLONEGATE_EV_MODE) };
/* clonegate_event.decision */
enum clonegate_event_decision { CLONEGATE_DECISIONS(__CLONEGATE_EV) };
/* clonegate_event.setns_form */
enum clonegate_setns_form { CLONEGATE_SETNS_FORMS(__CLONEGATE_FORM) };
enum clonegate_field_bit { CLONEGATE_FIELDS(__CLONEGATE_FIELD) };

#define CLONEGATE_FIELD_COUNT		(0 CLONEGATE_FIELDS(__CLONEGATE_COUNT))

/*
 * clonegate_event.fields: which ContextData fields are filled in. A field
 * not filled in is zero (or an empty string).
 */
#define CLONEGATE_FIELD_TIME		(1U << CLONEGATE_FIELD_BIT_TIME)
#define CLONEGATE_FIELD_THREAD_ID	(1U << CLONEGATE_FIELD_BIT_THREAD_ID)
#define CLONEGATE_FIELD_THREAD_START_TIME \
	(1U << CLONEGATE_FIELD_BIT_THREAD_START_TIME)
#define CLONEGATE_FIELD_THREAD_GROUP_ID	(1U << CLONEGATE_FIELD_BIT_THREAD_GROUP_ID)
#define CLONEGATE_FIELD_THREAD_GROUP_START_TIME \
	(1U << CLONEGATE_FIELD_BIT_THREAD_GROUP_START_TIME)
#define CLONEGATE_FIELD_CONTAINER_ID	(1U << CLONEGATE_FIELD_BIT_CONTAINER_ID)
#define CLONEGATE_FIELD_CREDENTIALS	(1U << CLONEGATE_FIELD_BIT_CREDENTIALS)
#define CLONEGATE_FIELD_CWD		(1U << CLONEGATE_FIELD_BIT_CWD)
#define CLONEGATE_FIELD_PROCESS_NAME	(1U << CLONEGATE_FIELD_BIT_PROCESS_NAME)
#define CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID \
	(1U << CLONEGATE_FIELD_BIT_PARENT_THREAD_GROUP_ID)

/* An initializer for const char *names[64], indexed by flag bit. */
#define __CLONEGATE_BIT_NAME(bit, name)					\
	[bit] = #name,
#define CLONEGATE_FLAG_NAMES	{ CLONEGATE_FLAGS(__CLONEGATE_BIT_NAME) }
#define CLONEGATE_NS_NAMES	{ CLONEGATE_NS_TYPES(__CLONEGATE_BIT_NAME) }

/* created_thread_id etc. are set: the call made a task */
#define CLONEGATE_EV_F_CREATED		(1U << 0)
/*
 * cwd or container_id did not fit in CLONEGATE_PATH_LEN - 1 bytes: the
 * container_id is cut, the cwd reads "?"
 */
#define CLONEGATE_EV_F_TRUNCATED	(1U << 1)

/*
 * One decision, or one change of hook health (op health). Ids are as seen
 * from the initial pid namespace, uids and gids from the initial user
 * namespace. Times are CLOCK_REALTIME nanoseconds, the clock gVisor's
 * sentry stamps them with; a start time is the task's boot-time start (the
 * one /proc/PID/stat shows) moved onto CLOCK_REALTIME.
 */
struct clonegate_event {
	__u32 size;		/* sizeof(struct clonegate_event) of the writer */
	__u16 version;		/* CLONEGATE_EVENT_VERSION */
	__u16 op;		/* enum clonegate_event_op */
	__u64 seq;		/* per load of the module, from 1; a reader
				 * sees a gap where a record was dropped
				 */

	/* clonegate's verdict */
	__u16 decision;		/* enum clonegate_event_decision */
	__u16 mode;		/* enum clonegate_event_mode */
	__s16 rule;		/* rule number (see rule_name), -1 for none */
	__u16 ev_flags;		/* CLONEGATE_EV_F_* */
	__s32 errno_value;	/* the errno of a deny or audit, 0 if allowed */
	__s32 exit_signal;	/* clone family: the child's exit signal */
	/* clone or unshare flags as the kernel saw them; setns: CLONE_NEW* */
	__u64 flags;
	char rule_name[CLONEGATE_RULE_LEN];

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

	/* version 2 */
	/* this user's records held back (rate limit) since the last sent */
	__u32 suppressed;
	/* setns: the CLONE_NEW* flag of the namespace joined; 0 for a pidfd
	 * join refused whole, which may name several
	 */
	__u32 ns_type;
	__u64 ns_inum;		/* setns: inode of that namespace, or 0 */
	__u16 setns_form;	/* setns: enum clonegate_setns_form */
	__u16 reserved;
	char scope[CLONEGATE_SCOPE_LEN];	/* the deciding scope, or "host" */
	char message[CLONEGATE_MESSAGE_LEN];	/* health: the new state */
	__u8 reserved2[3];	/* the same size on 32- and 64-bit */
};

/*
 * /dev/clonegate mapped: the same records, read where the module writes
 * them, without a copy or a read() per batch.
 *
 * One mmap() of the file at offset 0, MAP_SHARED, maps the whole area:
 * control pages first (struct clonegate_map_header, then one struct
 * clonegate_ring_ctl per ring), then each ring's records. The control
 * pages may be mapped writable; the records only read-only, so the
 * mapping that takes in records must be PROT_READ alone, and the control
 * pages mapped apart (offset 0, header.ctl_size bytes) to write a tail.
 *
 * Ring i holds the records made on CPU i. Its record number n (from 0)
 * is at  ctl_size + i * ring_stride + (n % ring_records) * record_size.
 * The module writes records and then, with a store-release, head; the
 * reader loads head with a load-acquire, reads the records from tail to
 * head, and then, with a store-release, sets tail past the last one it is
 * done with: until then the module does not write over them. Rings are
 * filled independently; a reader that wants one order sorts by seq.
 *
 * A tail out of the range [tail, head] is ignored, and every tail is set
 * to the ring's when the device is closed. Records taken this way
 * count as delivered when the module next looks at the ring: at poll(),
 * read() or close(), or when the ring is full. read() and poll() work as
 * without the mapping; read() moves the same tails.
 */
#define CLONEGATE_MAP_VERSION	1

struct clonegate_map_header {
	__u32 version;		/* CLONEGATE_MAP_VERSION */
	__u32 rings;		/* one per possible CPU number */
	__u32 ring_records;	/* records a ring holds */
	__u32 record_size;	/* sizeof(struct clonegate_event) */
	__u64 ctl_size;		/* bytes of the control pages */
	__u64 ring_stride;	/* bytes from one ring's records to the next */
	__u64 map_size;		/* bytes of the whole area */
	__u8 reserved[24];
};

/* at offset sizeof(struct clonegate_map_header) * (1 + ring) */
struct clonegate_ring_ctl {
	__u64 head;		/* records written, by the module */
	__u64 tail;		/* records taken, by the reader */
	__u8 reserved[48];
};

#endif /* _UAPI_LINUX_CLONEGATE_H */
