/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate scopes: which scope decides a call, the pure part.
 *
 * A scope is bound to a cgroup v2 cgroup and covers it and everything below
 * it; the deepest scope that covers a task's cgroup decides. The scopes are
 * indexed by a key of their cgroup (compat.h: its id, or its address),
 * and a task's cgroup is matched by looking up its ancestors' keys from the
 * deepest level a scope has up to the shallowest: a few hash probes, no
 * allocation, no lock and no path string.
 */
#ifndef _CLONEGATE_SCOPE_H
#define _CLONEGATE_SCOPE_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/hash.h>
#include <linux/types.h>

#define CLONEGATE_SCOPES_MAX	64
/* a power of two, twice the scopes: probe chains stay short */
#define CLONEGATE_SCOPE_SLOT_BITS	7
#define CLONEGATE_SCOPE_SLOTS	BIT(CLONEGATE_SCOPE_SLOT_BITS)

/**
 * struct clonegate_scope_index - scopes by the key of their cgroup
 * @key: the cgroup key of each slot; 0 for an empty slot
 * @scope: the scope number of each used slot
 * @min_level: the shallowest level a scope's cgroup is at, or -1 if none
 * @max_level: the deepest level, or -1 if none
 */
struct clonegate_scope_index {
	u64 key[CLONEGATE_SCOPE_SLOTS];
	s8 scope[CLONEGATE_SCOPE_SLOTS];
	s16 min_level;
	s16 max_level;
};

void clonegate_scope_index_build(struct clonegate_scope_index *ix,
				 const u64 *keys, const int *levels,
				 unsigned int n);

/* The scope whose cgroup has @key, or -1. */
static __always_inline int
clonegate_scope_index_find(const struct clonegate_scope_index *ix, u64 key)
{
	unsigned int i = hash_64(key, CLONEGATE_SCOPE_SLOT_BITS), n;

	for (n = 0; n < CLONEGATE_SCOPE_SLOTS; n++) {
		u64 k = ix->key[i];

		if (k == key)
			return ix->scope[i];
		if (!k)
			break;
		i = (i + 1) & (CLONEGATE_SCOPE_SLOTS - 1);
	}
	return -1;
}

/**
 * clonegate_scope_match() - the deepest scope covering a cgroup
 * @ix: the index
 * @key_at: the key of the cgroup's ancestor at a level (the cgroup itself
 *          at @level); inlined, so a constant function costs no call
 * @ctx: what @key_at reads
 * @level: the cgroup's level, 0 for the root
 *
 * Return: the scope number, or -1 if no scope covers the cgroup.
 */
static __always_inline int
clonegate_scope_match(const struct clonegate_scope_index *ix,
		      u64 (*key_at)(const void *ctx, int level),
		      const void *ctx, int level)
{
	int l, found;

	if (ix->max_level < 0)
		return -1;
	for (l = min_t(int, level, ix->max_level); l >= ix->min_level; l--) {
		found = clonegate_scope_index_find(ix, key_at(ctx, l));
		if (found >= 0)
			return found;
	}
	return -1;
}

#endif /* _CLONEGATE_SCOPE_H */
