/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegatectl: what its parts share.
 */
#ifndef CLONEGATE_CTL_H
#define CLONEGATE_CTL_H

#include <stddef.h>
#include <stdint.h>

#define PROG "clonegatectl"

/* The longest value a sysfs file takes (the module's E2BIG limit). */
#define VALUE_MAX 1024
/* A scope name: 1 to 32 characters of [a-z0-9_-]. */
#define SCOPE_NAME_MAX 32
/* the deepest cgroup a scope may name (the module's CLONEGATE_SCOPE_DEPTH_MAX) */
#define SCOPE_DEPTH_MAX 32
#define MAX_SCOPES 64
#define MAX_RULES 32

/* The sysfs directory: /sys/kernel/clonegate, or $CLONEGATE_SYSFS. */
const char *sysfs_root(void);

/*
 * Read ROOT/REL into buf, without the final newline. Return: its length,
 * or -errno.
 */
int sys_read(const char *rel, char *buf, size_t size);
/* Write @val to ROOT/REL in one write(2). Return: 0 or -errno. */
int sys_write(const char *rel, const char *val);
int sys_exists(const char *rel);
/* A counter file, or -1. */
long long sys_counter(const char *rel);

/* The names of the scopes that exist, sorted. Return: how many. */
int scope_list(char names[][SCOPE_NAME_MAX + 1], int max);

/* The rule rows of the loaded module, or the built-in list. */
int rule_names(const char *names[], int max);

int cmd_status(int argc, char **argv);
int cmd_metrics(int argc, char **argv);
int cmd_apply(int argc, char **argv, int check_only);
int cmd_report(int argc, char **argv);

/* Print a string as a JSON string. */
void json_str(const char *s);

#endif /* CLONEGATE_CTL_H */
