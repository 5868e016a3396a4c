/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names the module gives operations, modes, decisions, profiles,
 * rules, event settings, clone flags and namespace types, for the tools.
 *
 * The uapi header is the source: where it holds a table as an X-macro, the
 * table is expanded from it. The fallbacks below are for a header that
 * predates the X-macros; they hold the same names.
 */
#ifndef CLONEGATE_TOOLS_NAMES_H
#define CLONEGATE_TOOLS_NAMES_H

#include <stdint.h>

#include "../include/uapi/linux/clonegate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define __NAME(n, id, name) [n] = #name,

static const char *const flag_names[64] = CLONEGATE_FLAG_NAMES;

#ifdef CLONEGATE_NS_NAMES
static const char *const ns_names[64] = CLONEGATE_NS_NAMES;
#else
static const char *const ns_names[64] = {
	[7] = "time", [17] = "mnt", [25] = "cgroup", [26] = "uts",
	[27] = "ipc", [28] = "user", [29] = "pid", [30] = "net",
};
#endif

#ifdef CLONEGATE_OPS
static const char *const op_names[] = { CLONEGATE_OPS(__NAME) };
#else
static const char *const op_names[] = {
	"clone", "clone3", "fork", "vfork", "unshare", "setns", "health",
};
#endif

#ifdef CLONEGATE_MODES
static const char *const mode_names[] = { CLONEGATE_MODES(__NAME) };
#else
static const char *const mode_names[] = { "off", "audit", "enforce" };
#endif

#ifdef CLONEGATE_DECISIONS
static const char *const decision_names[] = { CLONEGATE_DECISIONS(__NAME) };
#else
static const char *const decision_names[] = { "allowed", "denied", "audited" };
#endif

#ifdef CLONEGATE_PROFILES
static const char *const profile_names[] = { CLONEGATE_PROFILES(__NAME) };
#else
static const char *const profile_names[] = { "gvisor", "permissive", "custom" };
#endif
#define PROFILE_GVISOR		0
#define PROFILE_PERMISSIVE	1
#define PROFILE_CUSTOM		2

#ifdef CLONEGATE_CHANNELS
static const char *const channel_names[] = { CLONEGATE_CHANNELS(__NAME) };
#else
static const char *const channel_names[] = { "audit", "trace", "dev" };
#endif

#ifdef CLONEGATE_FIELDS
static const char *const field_names[] = { CLONEGATE_FIELDS(__NAME) };
#else
static const char *const field_names[] = {
	"time", "thread_id", "thread_start_time", "thread_group_id",
	"thread_group_start_time", "container_id", "credentials", "cwd",
	"process_name", "parent_thread_group_id",
};
#endif

/*
 * The rule rows, for a module that is not loaded (a loaded module's own
 * list, read from its rules file, always wins).
 */
#ifdef CLONEGATE_RULES
static const char *const builtin_rule_names[] = { CLONEGATE_RULES(__NAME) };
#else
static const char *const builtin_rule_names[] = {
	"unsupported_flag", "sighand_without_vm", "set_tid",
	"thread_without_sighand", "thread_newpid", "newpid_pending",
	"newuser_thread_fs", "bad_exit_signal", "fs_newns",
	"unshare_vm_sighand", "unshare_thread_multithreaded",
	"newuser_chroot", "ns_needs_cap",
};
#endif

#undef __NAME

/* Every bit Linux defines for clone and clone3: bits 7 to 33. */
#define LINUX_CLONE_FLAGS	0x3ffffff80ULL
/* The flags unshare(2) takes. */
#define LINUX_UNSHARE_FLAGS	0x7e070f80ULL
/* The CLONE_NEW* bits of the namespace types setns(2) joins. */
#define LINUX_NS_TYPES		0x7e020080ULL

/*
 * What the profiles set, as Documentation/policy.rst states it: gVisor's
 * SupportedCloneFlags, Linux's unshare flags without the cgroup and time
 * namespaces, the namespaces gVisor's Setns joins (net ipc mnt uts); the
 * permissive profile allows everything Linux does. clonegatectl prefers
 * what a loaded module shows for a profile (see ctl-apply.c).
 */
#define GVISOR_CLONE_FLAGS	0xfdffef00ULL
#define GVISOR_UNSHARE_FLAGS	0x7c070f00ULL
#define GVISOR_NS_TYPES		0x4c020000ULL

#endif /* CLONEGATE_TOOLS_NAMES_H */
