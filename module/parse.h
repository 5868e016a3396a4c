/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate values: names, parsers and formatters; pure (see parse.c).
 */
#ifndef _CLONEGATE_PARSE_H
#define _CLONEGATE_PARSE_H

#include <linux/types.h>

#include "policy.h"

/*
 * The longest value a policy file takes: every flag name fits many times
 * over. A longer write (sysfs cuts writes at a page) is refused whole.
 */
#define CLONEGATE_VALUE_MAX	1024

/* The deepest cgroup a scope can name, counted from the root at 0. */
#define CLONEGATE_SCOPE_DEPTH_MAX	32
/* The longest cgroup path a scope takes, without its NUL. */
#define CLONEGATE_CGROUP_PATH_MAX	(CLONEGATE_PATH_LEN - 1)

extern const char *const clonegate_op_names[CLONEGATE_OP_HEALTH + 1];
extern const char *const clonegate_mode_names[CLONEGATE_MODE_COUNT];
extern const char *const clonegate_profile_names[CLONEGATE_PROFILE_COUNT];
extern const char *const clonegate_decision_names[CLONEGATE_DECISION_COUNT];
extern const char *const clonegate_channel_names[CLONEGATE_CHANNEL_COUNT];
extern const char *const clonegate_field_names[CLONEGATE_FIELD_COUNT];
extern const char *const clonegate_setns_form_names[2];

typedef const char *(*clonegate_name_fn)(unsigned int i);

const char *clonegate_flag_name(unsigned int bit);
const char *clonegate_ns_name(unsigned int bit);
int clonegate_parse_set(const char *buf, size_t len, clonegate_name_fn name,
			unsigned int count, u64 valid, u64 old, u64 *out);
int clonegate_format_set(char *buf, size_t size, clonegate_name_fn name,
			 unsigned int count, u64 set);
int clonegate_parse_flags(const char *buf, size_t len, u64 valid, u64 old,
			  u64 *out);
int clonegate_format_flags(char *buf, size_t size, u64 flags);
int clonegate_parse_ns_types(const char *buf, size_t len, u64 old, u64 *out);
int clonegate_format_ns_types(char *buf, size_t size, u64 types);
int clonegate_parse_rules(const char *buf, size_t len, u32 old, u32 *out);
int clonegate_parse_name(const char *buf, size_t len,
			 const char *const *names, unsigned int count);
int clonegate_parse_scope_name(const char *buf, size_t len, char *out);
int clonegate_parse_cgroup_path(const char *buf, size_t len, char *out,
				int *depth);
int clonegate_parse_ratelimit(const char *buf, size_t len, u32 *burst,
			      u32 *rate);

#endif /* _CLONEGATE_PARSE_H */
