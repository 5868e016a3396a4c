// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate scopes: building the index that clonegate_scope_match() reads.
 * Pure: KUnit builds indexes from made-up keys.
 */
#include <linux/kernel.h>
#include <linux/string.h>

#include "scope.h"

/**
 * clonegate_scope_index_build() - index scopes by the key of their cgroup
 * @ix: the index to fill
 * @keys: the cgroup key of each scope; 0 for a scope without a cgroup,
 *        which matches nothing and is left out
 * @levels: the level of each scope's cgroup
 * @n: the number of scopes, at most CLONEGATE_SCOPES_MAX
 *
 * Two scopes on one cgroup cannot be told apart by a task: the first wins.
 */
void clonegate_scope_index_build(struct clonegate_scope_index *ix,
				 const u64 *keys, const int *levels,
				 unsigned int n)
{
	unsigned int s, i;

	memset(ix, 0, sizeof(*ix));
	ix->min_level = -1;
	ix->max_level = -1;
	for (s = 0; s < n && s < CLONEGATE_SCOPES_MAX; s++) {
		if (!keys[s] || clonegate_scope_index_find(ix, keys[s]) >= 0)
			continue;
		i = hash_64(keys[s], CLONEGATE_SCOPE_SLOT_BITS);
		while (ix->key[i])
			i = (i + 1) & (CLONEGATE_SCOPE_SLOTS - 1);
		ix->key[i] = keys[s];
		ix->scope[i] = s;
		if (ix->min_level < 0 || levels[s] < ix->min_level)
			ix->min_level = levels[s];
		if (levels[s] > ix->max_level)
			ix->max_level = levels[s];
	}
}
