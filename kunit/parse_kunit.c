// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the parsers and formatters behind clonegate's sysfs files
 * and module parameters.
 *
 * Every input is copied into a heap buffer of exactly its length, without
 * a terminating NUL, as sysfs does not promise one past len either: KASAN
 * reports any read beyond it. Every rejected input must leave the output
 * variable exactly as it was.
 *
 * Suites:
 *   clonegate_parse   clonegate_parse_flags/_set/_rules/_name
 *   clonegate_format  clonegate_format_flags/_set, and round trips
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "policy.h"

#define SENTINEL64	0xdeadbeefcafef00dULL
#define SENTINEL32	0xdeadbeefU

/* A literal and its length, NUL bytes inside it included. */
#define S(s)		.buf = (s), .len = sizeof(s) - 1

#define GV_CLONE	CLONEGATE_GVISOR_CLONE_FLAGS
#define GV_UNSHARE	CLONEGATE_GVISOR_UNSHARE_FLAGS
#define LX_CLONE	CLONEGATE_LINUX_FLAGS
#define LX_UNSHARE	CLONEGATE_LINUX_UNSHARE_FLAGS
#define RULES_ALL	((u32)CLONEGATE_RULES_ALL)
#define RULE(r)		BIT(CLONEGATE_RULE_##r)

/* The input of a row in a buffer of exactly its length. */
static const char *exact_copy(struct kunit *test, const char *buf, size_t len)
{
	char *copy;

	if (!len)
		return buf;
	copy = kunit_kmalloc(test, len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, copy);
	memcpy(copy, buf, len);
	return copy;
}

/* ---- clonegate_parse_flags -------------------------------------------- */

/**
 * struct flags_row - one write to a clone_flags or unshare_flags file
 * @name: the description
 * @buf: the value written
 * @len: its length
 * @valid: the bits the file may hold; Linux's clone set if 0
 * @old: the mask before the write; gVisor's clone set if 0
 * @err: the errno expected (0 to accept)
 * @want: the mask after an accepted write
 */
struct flags_row {
	const char *name;
	const char *buf;
	size_t len;
	u64 valid;
	u64 old;
	int err;
	u64 want;
};

static const struct flags_row flags_accept[] = {
	{ "one_name", S("vm"), .want = CLONE_VM },
	{ "names", S("vm fs files"),
	  .want = CLONE_VM | CLONE_FS | CLONE_FILES },
	{ "commas", S("vm,fs,files"),
	  .want = CLONE_VM | CLONE_FS | CLONE_FILES },
	{ "commas_and_spaces", S(" vm, fs ,files ,"),
	  .want = CLONE_VM | CLONE_FS | CLONE_FILES },
	{ "tabs", S("vm\tfs"), .want = CLONE_VM | CLONE_FS },
	{ "trailing_newline", S("vm fs\n"), .want = CLONE_VM | CLONE_FS },
	{ "crlf", S("vm\r\n"), .want = CLONE_VM },
	{ "any_order", S("files vm"), .want = CLONE_VM | CLONE_FILES },
	{ "parent_names", S("parent parent_settid"),
	  .want = CLONE_PARENT | CLONE_PARENT_SETTID },
	{ "edit_add", S("+newcgroup"), .want = GV_CLONE | CLONE_NEWCGROUP },
	{ "edit_remove", S("-newuser"), .want = GV_CLONE & ~CLONE_NEWUSER },
	{ "edit_both", S("-newnet +newtime\n"),
	  .want = (GV_CLONE & ~CLONE_NEWNET) | CLONE_NEWTIME },
	{ "edit_commas", S("+pidfd,-vm"),
	  .want = (GV_CLONE & ~CLONE_VM) | CLONE_PIDFD },
	{ "edit_add_present", S("+vm"), .want = GV_CLONE },
	{ "edit_remove_absent", S("-newcgroup"), .want = GV_CLONE },
	{ "edit_of_given_old", S("+fs"), .old = CLONE_VM,
	  .want = CLONE_VM | CLONE_FS },
	{ "none", S("none"), .want = 0 },
	{ "none_newline", S("none\n"), .want = 0 },
	{ "none_spaces", S("  none  "), .want = 0 },
	{ "hex", S("0x100"), .want = CLONE_VM },
	{ "hex_upper_x", S("0X100"), .want = CLONE_VM },
	{ "hex_upper_digits", S("0x3FFFFFF80"), .want = LX_CLONE },
	{ "hex_zero", S("0x0"), .want = 0 },
	{ "hex_newline", S("0x10000100\n"), .want = CLONE_NEWUSER | CLONE_VM },
	{ "hex_spaces", S(" 0x200 "), .want = CLONE_FS },
	{ "hex_leading_zeros", S("0x0000000000000100"), .want = CLONE_VM },
	{ "unshare_names", S("newns newuts"), .valid = LX_UNSHARE,
	  .old = GV_UNSHARE, .want = CLONE_NEWNS | CLONE_NEWUTS },
	{ "unshare_edit", S("+newcgroup"), .valid = LX_UNSHARE,
	  .old = GV_UNSHARE, .want = GV_UNSHARE | CLONE_NEWCGROUP },
	{ "unshare_hex", S("0x2000000"), .valid = LX_UNSHARE,
	  .want = CLONE_NEWCGROUP },
};

static const struct flags_row flags_reject[] = {
	{ "empty", S(""), .err = -EINVAL },
	{ "newline_only", S("\n"), .err = -EINVAL },
	{ "spaces_only", S("   "), .err = -EINVAL },
	{ "commas_only", S(",,"), .err = -EINVAL },
	{ "embedded_nul", S("vm\0fs"), .err = -EINVAL },
	{ "trailing_nul", S("vm\0"), .err = -EINVAL },
	{ "leading_nul", S("\0vm"), .err = -EINVAL },
	{ "control_byte", S("vm\x01"), .err = -EINVAL },
	{ "escape_sequence", S("\x1b[0mvm"), .err = -EINVAL },
	{ "del_byte", S("vm\x7f"), .err = -EINVAL },
	{ "latin1_byte", S("vm\xe9"), .err = -EINVAL },
	{ "latin1_letters_only", S("\xe9\xe8"), .err = -EINVAL },
	{ "unknown", S("nosuch"), .err = -EINVAL },
	{ "unknown_after_known", S("vm nosuch"), .err = -EINVAL },
	{ "uppercase", S("VM"), .err = -EINVAL },
	{ "prefix_of_name", S("v"), .err = -EINVAL },
	{ "kernel_spelling", S("CLONE_VM"), .err = -EINVAL },
	{ "duplicate", S("vm vm"), .err = -EINVAL },
	{ "duplicate_edit", S("+vm -vm"), .err = -EINVAL },
	{ "duplicate_same_edit", S("+vm,+vm"), .err = -EINVAL },
	{ "mixed_list_then_edit", S("vm +fs"), .err = -EINVAL },
	{ "mixed_edit_then_list", S("+fs vm"), .err = -EINVAL },
	{ "sign_alone_plus", S("+"), .err = -EINVAL },
	{ "sign_alone_minus", S("-\n"), .err = -EINVAL },
	{ "sign_then_space", S("+ vm"), .err = -EINVAL },
	{ "double_sign", S("++vm"), .err = -EINVAL },
	{ "none_with_names", S("none vm"), .err = -EINVAL },
	{ "names_with_none", S("vm none"), .err = -EINVAL },
	{ "none_twice", S("none none"), .err = -EINVAL },
	{ "none_signed", S("+none"), .err = -EINVAL },
	{ "not_valid_for_file", S("pidfd"), .valid = LX_UNSHARE,
	  .err = -EINVAL },
	{ "edit_not_valid_for_file", S("+pidfd"), .valid = LX_UNSHARE,
	  .err = -EINVAL },
	{ "hex_undefined_bit", S("0x1"), .err = -EINVAL },
	{ "hex_bit_63", S("0x8000000000000000"), .err = -EINVAL },
	{ "hex_not_valid_for_file", S("0x1000"), .valid = LX_UNSHARE,
	  .err = -EINVAL },
	{ "hex_too_wide", S("0x10000000000000000"), .err = -ERANGE },
	{ "hex_too_long", S("0x000000000000000000100"), .err = -ERANGE },
	{ "hex_huge", S("0xffffffffffffffffffffffffffffffffffffffff"),
	  .err = -ERANGE },
	{ "hex_then_name", S("0x100 vm"), .err = -EINVAL },
	{ "hex_twice", S("0x100,0x200"), .err = -EINVAL },
	{ "hex_bad_digit", S("0xzz"), .err = -EINVAL },
	{ "hex_negative", S("0x-1"), .err = -EINVAL },
	{ "hex_nul", S("0x100\0"), .err = -EINVAL },
	{ "hex_prefix_only", S("0x"), .err = -EINVAL },
	{ "hex_signed", S("+0x100"), .err = -EINVAL },
	{ "decimal", S("256"), .err = -EINVAL },
};

static void flags_row_desc(const struct flags_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(flags_accept, flags_accept, flags_row_desc);
KUNIT_ARRAY_PARAM(flags_reject, flags_reject, flags_row_desc);

static int parse_flags_row(struct kunit *test, const struct flags_row *row,
			   u64 *out)
{
	return clonegate_parse_flags(exact_copy(test, row->buf, row->len),
				     row->len, row->valid ?: LX_CLONE,
				     row->old ?: GV_CLONE, out);
}

static void parse_flags_accepts(struct kunit *test)
{
	const struct flags_row *row = test->param_value;
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_flags_row(test, row, &out), 0);
	KUNIT_EXPECT_EQ(test, out, row->want);
}

static void parse_flags_rejects(struct kunit *test)
{
	const struct flags_row *row = test->param_value;
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_flags_row(test, row, &out), row->err);
	KUNIT_EXPECT_EQ(test, out, SENTINEL64);
}

/* ---- clonegate_parse_rules -------------------------------------------- */

/**
 * struct rules_row - one write to the rules file
 * @name: the description
 * @buf: the value written
 * @len: its length
 * @old: the enabled rules before the write, every rule if 0
 * @err: the errno expected (0 to accept)
 * @want: the enabled rules after an accepted write
 */
struct rules_row {
	const char *name;
	const char *buf;
	size_t len;
	u32 old;
	int err;
	u32 want;
};

static const struct rules_row rules_accept[] = {
	{ "remove_one", S("-set_tid"), .want = RULES_ALL & ~RULE(SET_TID) },
	{ "add_one", S("+set_tid"), .old = RULES_ALL & ~RULE(SET_TID),
	  .want = RULES_ALL },
	{ "add_and_remove", S("-set_tid +fs_newns"),
	  .old = RULES_ALL & ~RULE(FS_NEWNS),
	  .want = RULES_ALL & ~RULE(SET_TID) },
	{ "trailing_newline", S("-ns_needs_cap\n"),
	  .want = RULES_ALL & ~RULE(NS_NEEDS_CAP) },
	{ "commas", S("-set_tid,-fs_newns"),
	  .want = RULES_ALL & ~(RULE(SET_TID) | RULE(FS_NEWNS)) },
	{ "leading_space", S("  -set_tid"),
	  .want = RULES_ALL & ~RULE(SET_TID) },
	{ "add_present", S("+set_tid"), .want = RULES_ALL },
	{ "remove_absent", S("-set_tid"), .old = RULE(FS_NEWNS),
	  .want = RULE(FS_NEWNS) },
	{ "as_the_file_reads", S("+unsupported_flag\n-set_tid\n+fs_newns\n"),
	  .old = RULE(SET_TID),
	  .want = RULE(UNSUPPORTED_FLAG) | RULE(FS_NEWNS) },
};

static const struct rules_row rules_reject[] = {
	{ "empty", S(""), .err = -EINVAL },
	{ "newline_only", S("\n"), .err = -EINVAL },
	{ "spaces_only", S("  "), .err = -EINVAL },
	{ "no_sign", S("set_tid"), .err = -EINVAL },
	{ "list_of_names", S("set_tid fs_newns"), .err = -EINVAL },
	{ "mixed_edit_then_name", S("-set_tid fs_newns"), .err = -EINVAL },
	{ "mixed_name_then_edit", S("set_tid -fs_newns"), .err = -EINVAL },
	{ "none", S("none"), .err = -EINVAL },
	{ "none_signed", S("-none"), .err = -EINVAL },
	{ "unknown", S("-nosuch"), .err = -EINVAL },
	{ "flag_name", S("-vm"), .err = -EINVAL },
	{ "uppercase", S("-SET_TID"), .err = -EINVAL },
	{ "duplicate", S("-set_tid -set_tid"), .err = -EINVAL },
	{ "add_and_remove_same", S("+set_tid -set_tid"), .err = -EINVAL },
	{ "sign_alone", S("-"), .err = -EINVAL },
	{ "sign_then_space", S("- set_tid"), .err = -EINVAL },
	{ "embedded_nul", S("-set_tid\0+fs_newns"), .err = -EINVAL },
	{ "leading_nul", S("\0-set_tid"), .err = -EINVAL },
	{ "control_byte", S("-set_tid\x07"), .err = -EINVAL },
};

static void rules_row_desc(const struct rules_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(rules_accept, rules_accept, rules_row_desc);
KUNIT_ARRAY_PARAM(rules_reject, rules_reject, rules_row_desc);

static void parse_rules_accepts(struct kunit *test)
{
	const struct rules_row *row = test->param_value;
	u32 out = SENTINEL32;

	KUNIT_EXPECT_EQ(test, clonegate_parse_rules(exact_copy(test, row->buf,
							       row->len),
						    row->len,
						    row->old ?: RULES_ALL,
						    &out), 0);
	KUNIT_EXPECT_EQ(test, out, row->want);
}

static void parse_rules_rejects(struct kunit *test)
{
	const struct rules_row *row = test->param_value;
	u32 out = SENTINEL32;

	KUNIT_EXPECT_EQ(test, clonegate_parse_rules(exact_copy(test, row->buf,
							       row->len),
						    row->len,
						    row->old ?: RULES_ALL,
						    &out), row->err);
	KUNIT_EXPECT_EQ(test, out, SENTINEL32);
}

/* Every rule switched off in one write, and back on in another. */
static void parse_rules_every_rule(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	u32 out = SENTINEL32;
	size_t len = 0, j;
	int i;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	for (i = 0; i < CLONEGATE_RULE_COUNT; i++)
		len += scnprintf(buf + len, 1024 - len, "-%s ",
				 clonegate_rule_name(i));
	KUNIT_EXPECT_EQ(test, clonegate_parse_rules(buf, len, RULES_ALL, &out),
			0);
	KUNIT_EXPECT_EQ(test, out, 0U);
	for (j = 0; j < len; j++)
		if (buf[j] == '-')
			buf[j] = '+';
	KUNIT_EXPECT_EQ(test, clonegate_parse_rules(buf, len, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out, RULES_ALL);
}

/* Every flag name in one list is Linux's whole set. */
static void parse_flags_every_name(struct kunit *test)
{
	char *buf = kunit_kzalloc(test, 1024, GFP_KERNEL);
	u64 out = SENTINEL64;
	size_t len = 0;
	unsigned int bit;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
	for (bit = 0; bit < 64; bit++)
		if (clonegate_flag_name(bit))
			len += scnprintf(buf + len, 1024 - len, "%s,",
					 clonegate_flag_name(bit));
	KUNIT_EXPECT_EQ(test, clonegate_parse_flags(buf, len, LX_CLONE, 0,
						    &out), 0);
	KUNIT_EXPECT_EQ(test, out, LX_CLONE);
}

/*
 * CLONEGATE_VALUE_MAX bytes are taken, one more is -E2BIG, by every
 * parser; the value is a name padded with spaces, so only its length
 * decides.
 */
static void parse_value_max_boundary(struct kunit *test)
{
	static const char *const mode[] = { "audit" };
	size_t max = CLONEGATE_VALUE_MAX, len;
	char *buf;

	for (len = max; len <= max + 1; len++) {
		int want = len > max ? -E2BIG : 0, err;
		u64 out64 = SENTINEL64;
		u32 out32 = SENTINEL32;

		buf = kunit_kmalloc(test, len, GFP_KERNEL);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
		memset(buf, ' ', len);
		memcpy(buf, "vm", 2);
		err = clonegate_parse_flags(buf, len, LX_CLONE, 0, &out64);
		KUNIT_EXPECT_EQ_MSG(test, err, want, "names, len %zu", len);
		KUNIT_EXPECT_EQ(test, out64, want ? SENTINEL64 : CLONE_VM);

		out64 = SENTINEL64;
		memcpy(buf, "0x100", 5);
		err = clonegate_parse_flags(buf, len, LX_CLONE, 0, &out64);
		KUNIT_EXPECT_EQ_MSG(test, err, want, "hex, len %zu", len);
		KUNIT_EXPECT_EQ(test, out64, want ? SENTINEL64 : CLONE_VM);

		memcpy(buf, "-set_tid", 8);
		err = clonegate_parse_rules(buf, len, RULES_ALL, &out32);
		KUNIT_EXPECT_EQ_MSG(test, err, want, "rules, len %zu", len);
		KUNIT_EXPECT_EQ(test, out32, want ? SENTINEL32 :
				RULES_ALL & ~RULE(SET_TID));

		/* a name takes no padding: the length decides first */
		memcpy(buf, "audit", 5);
		err = clonegate_parse_name(buf, len, mode, 1);
		KUNIT_EXPECT_EQ_MSG(test, err, want ?: -EINVAL, "name, len %zu",
				    len);
	}
}

/* ---- clonegate_parse_set with a table of its own ---------------------- */

/* Member 1 has no name; "epsilon" lies beyond the count the parser gets. */
static const char *const greek[] = {
	"alpha", NULL, "gamma", "delta", "epsilon",
};

static const char *greek_name(unsigned int i)
{
	return i < ARRAY_SIZE(greek) ? greek[i] : NULL;
}

static int parse_greek(struct kunit *test, const char *s, u64 valid, u64 old,
		       u64 *out)
{
	size_t len = strlen(s);

	return clonegate_parse_set(exact_copy(test, s, len), len, greek_name,
				   4, valid, old, out);
}

static void parse_set_names_table(struct kunit *test)
{
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_greek(test, "alpha gamma", 0xf, 0, &out),
			0);
	KUNIT_EXPECT_EQ(test, out, 0x5ULL);
	KUNIT_EXPECT_EQ(test, parse_greek(test, "delta\n", 0xf, 0, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x8ULL);
	KUNIT_EXPECT_EQ(test, parse_greek(test, "+alpha -delta", 0xf, 0xc,
					  &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0x5ULL);
	KUNIT_EXPECT_EQ(test, parse_greek(test, "none", 0xf, 0xc, &out), 0);
	KUNIT_EXPECT_EQ(test, out, 0ULL);
}

static void parse_set_rejects_outside_table(struct kunit *test)
{
	static const struct {
		const char *s;
		u64 valid;
	} bad[] = {
		{ "epsilon", 0x1f },	/* beyond count */
		{ "beta", 0xf },	/* the unnamed member */
		{ "delta", 0x7 },	/* named, but not valid here */
		{ "+delta", 0x7 },
		{ "alpha alpha", 0xf },
		{ "", 0xf },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		u64 out = SENTINEL64;

		KUNIT_EXPECT_EQ_MSG(test, parse_greek(test, bad[i].s,
						      bad[i].valid, 0, &out),
				    -EINVAL, "\"%s\"", bad[i].s);
		KUNIT_EXPECT_EQ_MSG(test, out, SENTINEL64, "\"%s\"", bad[i].s);
	}
}

/* ---- clonegate_parse_name --------------------------------------------- */

static const char *const one[] = { "1" };
static const char *const holes[] = { NULL, "b", NULL };

/**
 * struct name_row - one write to a file that takes one name
 * @name: the description
 * @buf: the value written
 * @len: its length
 * @names: the table
 * @count: how much of it the parser gets
 * @want: the index expected, or the negative errno
 */
struct name_row {
	const char *name;
	const char *buf;
	size_t len;
	const char *const *names;
	unsigned int count;
	int want;
};

#define MODES		.names = clonegate_mode_names, \
			.count = CLONEGATE_MODE_COUNT
#define PROFILES	.names = clonegate_profile_names, \
			.count = CLONEGATE_PROFILE_CUSTOM
#define LOCKED		.names = one, .count = 1

static const struct name_row name_accept[] = {
	{ "mode_off", S("off"), MODES, .want = CLONEGATE_MODE_OFF },
	{ "mode_audit", S("audit"), MODES, .want = CLONEGATE_MODE_AUDIT },
	{ "mode_enforce_newline", S("enforce\n"), MODES,
	  .want = CLONEGATE_MODE_ENFORCE },
	{ "profile_gvisor", S("gvisor"), PROFILES,
	  .want = CLONEGATE_PROFILE_GVISOR },
	{ "profile_permissive_newline", S("permissive\n"), PROFILES,
	  .want = CLONEGATE_PROFILE_PERMISSIVE },
	{ "locked_one", S("1"), LOCKED, .want = 0 },
	{ "locked_one_newline", S("1\n"), LOCKED, .want = 0 },
	{ "table_with_holes", S("b"), .names = holes, .count = 3, .want = 1 },
};

static const struct name_row name_reject[] = {
	{ "empty", S(""), MODES, .want = -EINVAL },
	{ "newline_only", S("\n"), MODES, .want = -EINVAL },
	{ "two_newlines", S("audit\n\n"), MODES, .want = -EINVAL },
	{ "leading_newline", S("\naudit"), MODES, .want = -EINVAL },
	{ "leading_space", S(" audit"), MODES, .want = -EINVAL },
	{ "trailing_space", S("audit "), MODES, .want = -EINVAL },
	{ "crlf", S("audit\r\n"), MODES, .want = -EINVAL },
	{ "uppercase", S("Audit"), MODES, .want = -EINVAL },
	{ "prefix", S("aud"), MODES, .want = -EINVAL },
	{ "longer", S("auditx"), MODES, .want = -EINVAL },
	{ "two_names", S("audit enforce"), MODES, .want = -EINVAL },
	{ "trailing_nul", S("audit\0"), MODES, .want = -EINVAL },
	{ "embedded_nul", S("au\0dit"), MODES, .want = -EINVAL },
	{ "custom_not_loadable", S("custom"), PROFILES, .want = -EINVAL },
	{ "locked_zero", S("0"), LOCKED, .want = -EINVAL },
	{ "locked_eleven", S("11"), LOCKED, .want = -EINVAL },
	{ "only_holes", S(""), .names = holes, .count = 3, .want = -EINVAL },
};

static void name_row_desc(const struct name_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(name_accept, name_accept, name_row_desc);
KUNIT_ARRAY_PARAM(name_reject, name_reject, name_row_desc);

static void parse_name_row(struct kunit *test)
{
	const struct name_row *row = test->param_value;

	KUNIT_EXPECT_EQ(test,
			clonegate_parse_name(exact_copy(test, row->buf,
							row->len),
					     row->len, row->names, row->count),
			row->want);
}

static void parse_name_accepts(struct kunit *test)
{
	parse_name_row(test);
}

static void parse_name_rejects(struct kunit *test)
{
	parse_name_row(test);
}

static struct kunit_case clonegate_parse_cases[] = {
	KUNIT_CASE_PARAM(parse_flags_accepts, flags_accept_gen_params),
	KUNIT_CASE_PARAM(parse_flags_rejects, flags_reject_gen_params),
	KUNIT_CASE_PARAM(parse_rules_accepts, rules_accept_gen_params),
	KUNIT_CASE_PARAM(parse_rules_rejects, rules_reject_gen_params),
	KUNIT_CASE(parse_flags_every_name),
	KUNIT_CASE(parse_rules_every_rule),
	KUNIT_CASE(parse_value_max_boundary),
	KUNIT_CASE(parse_set_names_table),
	KUNIT_CASE(parse_set_rejects_outside_table),
	KUNIT_CASE_PARAM(parse_name_accepts, name_accept_gen_params),
	KUNIT_CASE_PARAM(parse_name_rejects, name_reject_gen_params),
	{}
};

static struct kunit_suite clonegate_parse_suite = {
	.name = "clonegate_parse",
	.test_cases = clonegate_parse_cases,
};

/* ---- clonegate_format_flags / clonegate_format_set -------------------- */

struct format_row {
	const char *name;
	u64 flags;
	const char *want;
};

static const struct format_row format_rows[] = {
	{ "empty", 0, "none\n" },
	{ "one", CLONE_VM, "vm\n" },
	{ "bit_order", CLONE_FILES | CLONE_VM | CLONE_FS, "vm fs files\n" },
	{ "ends", CLONE_NEWTIME | CLONE_INTO_CGROUP,
	  "newtime into_cgroup\n" },
	{ "unnamed_bits_hidden", BIT_ULL(0) | BIT_ULL(63) | CLONE_IO, "io\n" },
	{ "only_unnamed_bits", BIT_ULL(1) | BIT_ULL(40), "none\n" },
	{ "gvisor_unshare", GV_UNSHARE,
	  "vm fs files sighand thread newns sysvsem newuts newipc newuser newpid newnet\n" },
};

static void format_row_desc(const struct format_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(format_rows, format_rows, format_row_desc);

static void format_flags_rows(struct kunit *test)
{
	const struct format_row *row = test->param_value;
	char buf[512];
	int len;

	len = clonegate_format_flags(buf, sizeof(buf), row->flags);
	KUNIT_EXPECT_STREQ(test, buf, row->want);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(row->want));
}

/* What the flag files show, written back, is what they hold. */
static void format_flags_round_trip(struct kunit *test)
{
	static const u64 masks[] = {
		0, GV_CLONE, GV_UNSHARE, LX_CLONE, LX_UNSHARE,
		CLONE_NEWUSER | CLONE_NEWPID, CLONE_NEWTIME,
		CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(masks); i++) {
		char buf[512];
		u64 out = SENTINEL64;
		int len = clonegate_format_flags(buf, sizeof(buf), masks[i]);

		KUNIT_EXPECT_EQ(test, clonegate_parse_flags(exact_copy(test,
								       buf,
								       len),
							    len, LX_CLONE, 0,
							    &out), 0);
		KUNIT_EXPECT_EQ_MSG(test, out, masks[i], "shown as %s", buf);
	}
}

static const char *rule_name_fn(unsigned int i)
{
	return clonegate_rule_name(i);
}

/* A set of rules shows as its names and parses back as a list. */
static void format_set_round_trip(struct kunit *test)
{
	static const u32 sets[] = {
		0, RULES_ALL, RULE(SET_TID), RULES_ALL & ~RULE(NS_NEEDS_CAP),
		RULE(UNSUPPORTED_FLAG) | RULE(NEWUSER_CHROOT),
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		char buf[512];
		u64 out = SENTINEL64;
		int len = clonegate_format_set(buf, sizeof(buf), rule_name_fn,
					       CLONEGATE_RULE_COUNT, sets[i]);

		KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
		KUNIT_EXPECT_EQ(test, clonegate_parse_set(exact_copy(test, buf,
								     len),
							  len, rule_name_fn,
							  CLONEGATE_RULE_COUNT,
							  RULES_ALL, 0, &out),
				0);
		KUNIT_EXPECT_EQ_MSG(test, out, (u64)sets[i], "shown as %s",
				    buf);
	}
}

/*
 * A buffer too small is filled, NUL-terminated, and never overrun: the
 * bytes after it keep their canary, and the length returned fits.
 */
static void format_set_never_overruns(struct kunit *test)
{
	size_t size, i;

	for (size = 1; size <= 64; size++) {
		char *buf = kunit_kmalloc(test, size + 16, GFP_KERNEL);
		int len;

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
		memset(buf, 0x7e, size + 16);
		len = clonegate_format_flags(buf, size, LX_CLONE);
		KUNIT_EXPECT_LT(test, len, (int)size);
		KUNIT_EXPECT_EQ(test, buf[len], '\0');
		for (i = size; i < size + 16; i++)
			KUNIT_EXPECT_EQ_MSG(test, buf[i], (char)0x7e,
					    "size %zu, byte %zu", size, i);
	}
}

static struct kunit_case clonegate_format_cases[] = {
	KUNIT_CASE_PARAM(format_flags_rows, format_rows_gen_params),
	KUNIT_CASE(format_flags_round_trip),
	KUNIT_CASE(format_set_round_trip),
	KUNIT_CASE(format_set_never_overruns),
	{}
};

static struct kunit_suite clonegate_format_suite = {
	.name = "clonegate_format",
	.test_cases = clonegate_format_cases,
};

kunit_test_suites(&clonegate_parse_suite, &clonegate_format_suite);
