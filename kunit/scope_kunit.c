// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for clonegate's scope matching: which scope decides for a
 * task, given the keys of its cgroup's ancestors.
 *
 * module/scope.c is compiled into this file. A made-up cgroup is an array
 * of keys, one per level from the root (0) down to the cgroup itself.
 *
 * Suite: clonegate_scope
 */
#include <kunit/test.h>

#include "../module/scope.c"

#define MAX_DEPTH	8

struct scope_case {
	const char *name;
	unsigned int nscopes;
	u64 keys[CLONEGATE_SCOPES_MAX];
	int levels[CLONEGATE_SCOPES_MAX];
	/* the task's cgroup: keys of its ancestors, root first */
	u64 path[MAX_DEPTH];
	int level;
	int want;		/* the scope that decides, or -1 */
};

static u64 key_at(const void *ctx, int level)
{
	return ((const u64 *)ctx)[level];
}

/* a cgroup tree: root 1, /a 10, /a/b 11, /a/b/c 12, /x 20 */
#define ROOT	1
#define A	10
#define AB	11
#define ABC	12
#define X	20

static const struct scope_case scope_cases[] = {
	{ "no_scope_no_match", 0, {}, {}, { ROOT, A, AB }, 2, -1 },
	{ "own_cgroup", 1, { A }, { 1 }, { ROOT, A }, 1, 0 },
	{ "below_the_cgroup", 1, { A }, { 1 }, { ROOT, A, AB, ABC }, 3, 0 },
	{ "above_the_cgroup", 1, { AB }, { 2 }, { ROOT, A }, 1, -1 },
	{ "another_subtree", 1, { A }, { 1 }, { ROOT, X }, 1, -1 },
	{ "deepest_wins", 2, { A, AB }, { 1, 2 }, { ROOT, A, AB, ABC }, 3, 1 },
	{ "deepest_wins_listed_first", 2, { AB, A }, { 2, 1 },
	  { ROOT, A, AB, ABC }, 3, 0 },
	{ "outer_only_above_inner", 2, { A, AB }, { 1, 2 }, { ROOT, A }, 1, 0 },
	{ "root_covers_all", 2, { ROOT, AB }, { 0, 2 }, { ROOT, X }, 1, 0 },
	{ "no_cgroup_matches_nothing", 2, { 0, A }, { 0, 1 }, { ROOT, A }, 1,
	  1 },
	{ "same_cgroup_first_wins", 2, { A, A }, { 1, 1 }, { ROOT, A }, 1, 0 },
	{ "root_task", 1, { A }, { 1 }, { ROOT }, 0, -1 },
};

static void scope_case_desc(const struct scope_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scope, scope_cases, scope_case_desc);

static void clonegate_scope_match_deepest_covering(struct kunit *test)
{
	const struct scope_case *c = test->param_value;
	struct clonegate_scope_index *ix;

	ix = kunit_kzalloc(test, sizeof(*ix), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ix);
	clonegate_scope_index_build(ix, c->keys, c->levels, c->nscopes);
	KUNIT_EXPECT_EQ(test, c->want,
			clonegate_scope_match(ix, key_at, c->path, c->level));
}

/*
 * A full index: 64 scopes whose keys all hash to a few slots still find
 * each one, and a key that is not there is not found.
 */
static void clonegate_scope_index_find_full_and_colliding(struct kunit *test)
{
	struct clonegate_scope_index *ix;
	u64 keys[CLONEGATE_SCOPES_MAX];
	int levels[CLONEGATE_SCOPES_MAX] = {};
	int i;

	ix = kunit_kzalloc(test, sizeof(*ix), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ix);
	/* multiples of the table size land close together */
	for (i = 0; i < CLONEGATE_SCOPES_MAX; i++)
		keys[i] = (u64)(i + 1) << 40;
	clonegate_scope_index_build(ix, keys, levels, CLONEGATE_SCOPES_MAX);
	for (i = 0; i < CLONEGATE_SCOPES_MAX; i++)
		KUNIT_EXPECT_EQ(test, i, clonegate_scope_index_find(ix, keys[i]));
	KUNIT_EXPECT_EQ(test, -1, clonegate_scope_index_find(ix, 7));
}

/* The levels the index keeps bound the walk; an empty one matches none. */
static void clonegate_scope_index_build_levels(struct kunit *test)
{
	struct clonegate_scope_index *ix;
	const u64 keys[] = { 0, A, ABC };
	const int levels[] = { 5, 1, 3 };

	ix = kunit_kzalloc(test, sizeof(*ix), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ix);
	clonegate_scope_index_build(ix, keys, levels, 0);
	KUNIT_EXPECT_EQ(test, -1, ix->min_level);
	KUNIT_EXPECT_EQ(test, -1, ix->max_level);
	clonegate_scope_index_build(ix, keys, levels, 3);
	/* the scope without a cgroup is left out, its level too */
	KUNIT_EXPECT_EQ(test, 1, ix->min_level);
	KUNIT_EXPECT_EQ(test, 3, ix->max_level);
}

static struct kunit_case clonegate_scope_test_cases[] = {
	KUNIT_CASE_PARAM(clonegate_scope_match_deepest_covering,
			 scope_gen_params),
	KUNIT_CASE(clonegate_scope_index_find_full_and_colliding),
	KUNIT_CASE(clonegate_scope_index_build_levels),
	{}
};

static struct kunit_suite clonegate_scope_test_suite = {
	.name = "clonegate_scope",
	.test_cases = clonegate_scope_test_cases,
};

kunit_test_suite(clonegate_scope_test_suite);
