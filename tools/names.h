/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names the module gives operations, modes, decisions, profiles,
 * rules, event settings, clone flags and namespace types, for the tools.
 *
 * The uapi header is the one source: every table here is expanded from
 * its X-macros, every mask is its.
 */
#ifndef CLONEGATE_TOOLS_NAMES_H
#define CLONEGATE_TOOLS_NAMES_H

#include <stdint.h>

#include "../include/uapi/linux/clonegate.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define __NAME(n, id, name) [n] = #name,

static const char *const flag_names[64] = CLONEGATE_FLAG_NAMES;

static const char *const ns_names[64] = CLONEGATE_NS_NAMES;

static const char *const op_names[] = { CLONEGATE_OPS(__NAME) };

static const char *const mode_names[] = { CLONEGATE_MODES(__NAME) };

static const char *const decision_names[] = { CLONEGATE_DECISIONS(__NAME) };

static const char *const profile_names[] = { CLONEGATE_PROFILES(__NAME) };
#define PROFILE_GVISOR		0
#define PROFILE_PERMISSIVE	1
#define PROFILE_CUSTOM		2

static const char *const channel_names[] = { CLONEGATE_CHANNELS(__NAME) };

static const char *const field_names[] = { CLONEGATE_FIELDS(__NAME) };

/*
 * The rule rows, for a module that is not loaded (a loaded module's own
 * list, read from its rules file, always wins).
 */
static const char *const builtin_rule_names[] = { CLONEGATE_RULES(__NAME) };

#undef __NAME

#define __FORM_NAME(n, id, name) [n] = #name,

#define LINUX_CLONE_FLAGS	CLONEGATE_LINUX_FLAGS
#define LINUX_UNSHARE_FLAGS	CLONEGATE_LINUX_UNSHARE_FLAGS
#define LINUX_NS_TYPES		CLONEGATE_LINUX_NS_TYPES
#define GVISOR_CLONE_FLAGS	CLONEGATE_GVISOR_CLONE_FLAGS
#define GVISOR_UNSHARE_FLAGS	CLONEGATE_GVISOR_UNSHARE_FLAGS
#define GVISOR_NS_TYPES		CLONEGATE_GVISOR_NS_TYPES

#endif /* CLONEGATE_TOOLS_NAMES_H */
