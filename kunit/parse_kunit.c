// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the parsers and formatters behind clonegate's sysfs files
 * and module parameters.
 *
 * module/parse.c is compiled into this file (and gives policy_kunit.c its
 * name tables). Every input is copied into a heap buffer of exactly its
 * length, without a terminating NUL, as sysfs does not promise one past
 * len either: KASAN reports any read beyond it. Every rejected input must
 * leave the output exactly as it was: outputs start as a sentinel.
 *
 * Suites:
 *   clonegate_parse   clonegate_parse_flags (clone_flags, unshare_flags),
 *                     _ns_types (setns_types), _rules, _set with the name
 *                     functions, _name (mode, profile, locked),
 *                     _scope_name (scopes/add), _cgroup_path
 *                     (scopes/<name>/cgroup), _ratelimit (events/ratelimit),
 *                     and CLONEGATE_VALUE_MAX for each
 *   clonegate_format  clonegate_format_flags, _ns_types and _set, round
 *                     trips through the parsers, and small buffers
 */
#include <kunit/test.h>
#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "../module/parse.c"

#define SENTINEL64	0xdeadbeefcafef00dULL
#define SENTINEL32	0xdeadbeefU
#define SENTINEL_INT	(-12345)
#define SENTINEL_BYTE	0x5a

/* A literal and its length, NUL bytes inside it included. */
#define S(s)		.buf = (s), .len = sizeof(s) - 1

#define GV_CLONE	CLONEGATE_GVISOR_CLONE_FLAGS
#define GV_UNSHARE	CLONEGATE_GVISOR_UNSHARE_FLAGS
#define GV_NS		CLONEGATE_GVISOR_NS_TYPES
#define LX_CLONE	CLONEGATE_LINUX_FLAGS
#define LX_UNSHARE	CLONEGATE_LINUX_UNSHARE_FLAGS
#define LX_NS		CLONEGATE_LINUX_NS_TYPES
#define RULES_ALL	((u32)CLONEGATE_RULES_ALL)
#define RULE(r)		BIT(CLONEGATE_RULE_##r)

/* 7.x's clone3 flags, bits 34 to 37 */
#define CLONE3_7X	(CLONE_AUTOREAP | CLONE_NNP | CLONE_PIDFD_AUTOKILL | \
			 CLONE_EMPTY_MNTNS)

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

/* An output buffer of exactly @size bytes, every one SENTINEL_BYTE. */
static char *sentinel_buf(struct kunit *test, size_t size)
{
	char *out = kunit_kmalloc(test, size, GFP_KERNEL);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, out);
	memset(out, SENTINEL_BYTE, size);
	return out;
}

static void expect_untouched(struct kunit *test, const char *out, size_t size)
{
	const char *written = memchr_inv(out, SENTINEL_BYTE, size);

	if (written)
		KUNIT_FAIL(test, "output byte %td written (%#x)", written - out,
			   (unsigned char)*written);
}

/* ---- clonegate_parse_flags -------------------------------------------- */

/**
 * struct flags_row - one write to a clone_flags, unshare_flags or
 *                    setns_types file
 * @name: the description
 * @buf: the value written
 * @len: its length
 * @valid: the bits the file may hold; Linux's clone set if 0 (flags only)
 * @old: the mask before the write; gVisor's set of the file if 0
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
	{ "clone3_7x_autoreap", S("autoreap"), .want = CLONE_AUTOREAP },
	{ "clone3_7x_nnp", S("nnp"), .want = CLONE_NNP },
	{ "clone3_7x_pidfd_autokill", S("pidfd_autokill"),
	  .want = CLONE_PIDFD_AUTOKILL },
	{ "clone3_7x_empty_mntns", S("empty_mntns"),
	  .want = CLONE_EMPTY_MNTNS },
	{ "clone3_7x_all", S("autoreap nnp pidfd_autokill empty_mntns"),
	  .want = CLONE3_7X },
	{ "clone3_7x_and_pidfd", S("pidfd,pidfd_autokill"),
	  .want = CLONE_PIDFD | CLONE_PIDFD_AUTOKILL },
	{ "edit_add", S("+newcgroup"), .want = GV_CLONE | CLONE_NEWCGROUP },
	{ "edit_add_7x", S("+autoreap +nnp"),
	  .want = GV_CLONE | CLONE_AUTOREAP | CLONE_NNP },
	{ "edit_remove_7x", S("-empty_mntns"), .old = LX_CLONE,
	  .want = LX_CLONE & ~CLONE_EMPTY_MNTNS },
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
	{ "hex_upper_digits", S("0x3FFFFFFF80"), .want = LX_CLONE },
	{ "hex_clone3_7x", S("0x3c00000000"), .want = CLONE3_7X },
	{ "hex_autoreap", S("0x400000000"), .want = CLONE_AUTOREAP },
	{ "hex_zero", S("0x0"), .want = 0 },
	{ "hex_newline", S("0x10000100\n"), .want = CLONE_NEWUSER | CLONE_VM },
	{ "hex_spaces", S(" 0x200 "), .want = CLONE_FS },
	{ "hex_leading_zeros", S("0x0000000000000100"), .want = CLONE_VM },
	{ "hex_many_leading_zeros", S("0x000000000000000000000000000100"),
	  .want = CLONE_VM },
	{ "hex_upper_x_many_zeros", S("0X00000000000000000000003c00000000"),
	  .want = CLONE3_7X },
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
	{ "kernel_spelling_7x", S("CLONE_AUTOREAP"), .err = -EINVAL },
	{ "namespace_type_name", S("net"), .err = -EINVAL },
	{ "separator_semicolon", S("vm;fs"), .err = -EINVAL },
	{ "separator_pipe", S("vm|fs"), .err = -EINVAL },
	{ "separator_slash", S("vm/fs"), .err = -EINVAL },
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
	{ "clone3_7x_not_for_unshare", S("nnp"), .valid = LX_UNSHARE,
	  .err = -EINVAL },
	{ "hex_undefined_bit", S("0x1"), .err = -EINVAL },
	{ "hex_bit_38", S("0x4000000000"), .err = -EINVAL },
	{ "hex_bit_63", S("0x8000000000000000"), .err = -EINVAL },
	{ "hex_not_valid_for_file", S("0x1000"), .valid = LX_UNSHARE,
	  .err = -EINVAL },
	{ "hex_too_wide", S("0x10000000000000000"), .err = -ERANGE },
	{ "hex_too_wide_after_zeros", S("0x00000010000000000000000"),
	  .err = -ERANGE },
	{ "hex_long_bad_digits", S("0xzzzzzzzzzzzzzzzzzzzzzzzz"), .err = -EINVAL },
	{ "hex_long_then_bad_digit", S("0x000000000000000000000000100g"),
	  .err = -EINVAL },
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
	{ "octal", S("0400"), .err = -EINVAL },
	{ "vertical_tab_formfeed_only", S("\v\f"), .err = -EINVAL },
	{ "nbsp_separator", S("vm\240fs"), .err = -EINVAL },
	{ "all", S("all"), .err = -EINVAL },
	{ "none_uppercase", S("NONE"), .err = -EINVAL },
	{ "sign_alone_after_edit", S("+newcgroup +"), .err = -EINVAL },
	{ "plus_minus", S("+-vm"), .err = -EINVAL },
	{ "hex_uppercase_prefix_only", S("0X\n"), .err = -EINVAL },
	{ "hex_trailing_letter", S("0x100g"), .err = -EINVAL },
	{ "hex_signed_digits", S("0x+100"), .err = -EINVAL },
	{ "hex_space_inside", S("0x 100"), .err = -EINVAL },
	{ "hex_underscore", S("0x1_00"), .err = -EINVAL },
	{ "hex_semicolon", S("0x100;"), .err = -EINVAL },
	{ "hex_double_zero_prefix", S("00x100"), .err = -EINVAL },
	{ "hex_no_zero", S("x100"), .err = -EINVAL },
	{ "name_then_hex", S("vm 0x100"), .err = -EINVAL },
	{ "edit_then_hex", S("+vm 0x100"), .err = -EINVAL },
	{ "none_then_edit", S("none +vm"), .err = -EINVAL },
	{ "edit_then_none", S("+vm none"), .err = -EINVAL },
	{ "none_then_hex", S("none 0x0"), .err = -EINVAL },
	{ "hex_then_none", S("0x0 none"), .err = -EINVAL },
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

/* ---- clonegate_parse_ns_types ----------------------------------------- */

static const struct flags_row ns_accept[] = {
	{ "one_name", S("net"), .want = CLONE_NEWNET },
	{ "gvisor_types", S("net ipc mnt uts"), .want = GV_NS },
	{ "every_type", S("time mnt cgroup uts ipc user pid net"),
	  .want = LX_NS },
	{ "any_order", S("uts mnt"), .want = CLONE_NEWUTS | CLONE_NEWNS },
	{ "commas", S("net,ipc"), .want = CLONE_NEWNET | CLONE_NEWIPC },
	{ "commas_and_spaces", S(" net, ipc ,"),
	  .want = CLONE_NEWNET | CLONE_NEWIPC },
	{ "tabs", S("net\tipc"), .want = CLONE_NEWNET | CLONE_NEWIPC },
	{ "trailing_newline", S("net ipc\n"),
	  .want = CLONE_NEWNET | CLONE_NEWIPC },
	{ "crlf", S("net\r\n"), .want = CLONE_NEWNET },
	{ "edit_add", S("+user"), .want = GV_NS | CLONE_NEWUSER },
	{ "edit_remove", S("-net"), .want = GV_NS & ~CLONE_NEWNET },
	{ "edit_both", S("-mnt +time\n"),
	  .want = (GV_NS & ~CLONE_NEWNS) | CLONE_NEWTIME },
	{ "edit_commas", S("+pid,-uts"),
	  .want = (GV_NS & ~CLONE_NEWUTS) | CLONE_NEWPID },
	{ "edit_separated_by_commas", S("+cgroup,,-ipc"),
	  .want = (GV_NS & ~CLONE_NEWIPC) | CLONE_NEWCGROUP },
	{ "edit_add_present", S("+net"), .want = GV_NS },
	{ "edit_remove_absent", S("-user"), .want = GV_NS },
	{ "edit_of_given_old", S("+ipc"), .old = CLONE_NEWNET,
	  .want = CLONE_NEWNET | CLONE_NEWIPC },
	{ "edit_remove_last", S("-net"), .old = CLONE_NEWNET, .want = 0 },
	{ "edit_every_type", S("+time +cgroup +user +pid"), .want = LX_NS },
	{ "none", S("none"), .want = 0 },
	{ "none_newline", S("none\n"), .want = 0 },
	{ "hex", S("0x40000000"), .want = CLONE_NEWNET },
	{ "hex_every_type", S("0x7e020080"), .want = LX_NS },
	{ "hex_upper", S("0X7E020080"), .want = LX_NS },
	{ "hex_gvisor_types", S("0x4c020000\n"), .want = GV_NS },
	{ "hex_many_leading_zeros", S("0x000000000000000000000040000000"),
	  .want = CLONE_NEWNET },
	{ "hex_zero", S("0x0"), .want = 0 },
};

static const struct flags_row ns_reject[] = {
	{ "empty", S(""), .err = -EINVAL },
	{ "newline_only", S("\n"), .err = -EINVAL },
	{ "spaces_only", S("   "), .err = -EINVAL },
	{ "commas_only", S(",,"), .err = -EINVAL },
	{ "unknown", S("nosuch"), .err = -EINVAL },
	{ "unknown_after_known", S("net nosuch"), .err = -EINVAL },
	{ "long_name", S("mount"), .err = -EINVAL },
	{ "network", S("network"), .err = -EINVAL },
	{ "clone_flag_name", S("newnet"), .err = -EINVAL },
	{ "clone_flag_not_a_type", S("vm"), .err = -EINVAL },
	{ "kernel_spelling", S("CLONE_NEWNET"), .err = -EINVAL },
	{ "uppercase", S("NET"), .err = -EINVAL },
	{ "prefix_of_name", S("ne"), .err = -EINVAL },
	{ "separator_semicolon", S("net;ipc"), .err = -EINVAL },
	{ "separator_pipe", S("net|ipc"), .err = -EINVAL },
	{ "separator_slash", S("net/ipc"), .err = -EINVAL },
	{ "separator_colon", S("net:ipc"), .err = -EINVAL },
	{ "separator_dot", S("net.ipc"), .err = -EINVAL },
	{ "duplicate", S("net net"), .err = -EINVAL },
	{ "duplicate_edit", S("+net -net"), .err = -EINVAL },
	{ "duplicate_same_edit", S("+net,+net"), .err = -EINVAL },
	{ "mixed_list_then_edit", S("net +ipc"), .err = -EINVAL },
	{ "mixed_edit_then_list", S("+ipc net"), .err = -EINVAL },
	{ "sign_alone_plus", S("+"), .err = -EINVAL },
	{ "sign_alone_minus", S("-\n"), .err = -EINVAL },
	{ "sign_then_space", S("+ net"), .err = -EINVAL },
	{ "double_sign", S("++net"), .err = -EINVAL },
	{ "none_with_names", S("none net"), .err = -EINVAL },
	{ "names_with_none", S("net none"), .err = -EINVAL },
	{ "none_twice", S("none none"), .err = -EINVAL },
	{ "none_signed", S("+none"), .err = -EINVAL },
	{ "embedded_nul", S("net\0ipc"), .err = -EINVAL },
	{ "trailing_nul", S("net\0"), .err = -EINVAL },
	{ "leading_nul", S("\0net"), .err = -EINVAL },
	{ "control_byte", S("net\x01"), .err = -EINVAL },
	{ "escape_sequence", S("\x1b[0mnet"), .err = -EINVAL },
	{ "del_byte", S("net\x7f"), .err = -EINVAL },
	{ "latin1_byte", S("net\xe9"), .err = -EINVAL },
	/* 0xa0, in octal: a hex escape would take the letters after it */
	{ "latin1_nbsp_separator", S("net\240ipc"), .err = -EINVAL },
	{ "hex_not_a_type", S("0x100"), .err = -EINVAL },
	{ "hex_type_and_flag", S("0x40000100"), .err = -EINVAL },
	{ "hex_bit_63", S("0x8000000000000000"), .err = -EINVAL },
	{ "hex_too_wide", S("0x10000000000000000"), .err = -ERANGE },
	{ "hex_too_wide_after_zeros", S("0x000000000010000000000000000"),
	  .err = -ERANGE },
	{ "hex_long_bad_digits", S("0xnetnetnetnetnetnetnetnet"), .err = -EINVAL },
	{ "hex_then_name", S("0x40000000 net"), .err = -EINVAL },
	{ "hex_twice", S("0x40000000,0x8000000"), .err = -EINVAL },
	{ "hex_bad_digit", S("0xnet"), .err = -EINVAL },
	{ "hex_prefix_only", S("0x"), .err = -EINVAL },
	{ "hex_signed", S("+0x40000000"), .err = -EINVAL },
	{ "decimal", S("1073741824"), .err = -EINVAL },
};

KUNIT_ARRAY_PARAM(ns_accept, ns_accept, flags_row_desc);
KUNIT_ARRAY_PARAM(ns_reject, ns_reject, flags_row_desc);

static int parse_ns_row(struct kunit *test, const struct flags_row *row,
			u64 *out)
{
	return clonegate_parse_ns_types(exact_copy(test, row->buf, row->len),
					row->len, row->old ?: GV_NS, out);
}

static void parse_ns_types_accepts(struct kunit *test)
{
	const struct flags_row *row = test->param_value;
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_ns_row(test, row, &out), 0);
	KUNIT_EXPECT_EQ(test, out, row->want);
}

static void parse_ns_types_rejects(struct kunit *test)
{
	const struct flags_row *row = test->param_value;
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_ns_row(test, row, &out), row->err);
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
	{ "remove_setns_pidfd", S("-setns_pidfd"),
	  .want = RULES_ALL & ~RULE(SETNS_PIDFD) },
	{ "add_setns_pidfd", S("+setns_pidfd\n"),
	  .old = RULE(UNSUPPORTED_FLAG),
	  .want = RULE(UNSUPPORTED_FLAG) | RULE(SETNS_PIDFD) },
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
	{ "removed_rule", S("-newuser_chroot"), .err = -EINVAL },
	{ "flag_name", S("-vm"), .err = -EINVAL },
	{ "uppercase", S("-SET_TID"), .err = -EINVAL },
	{ "duplicate", S("-set_tid -set_tid"), .err = -EINVAL },
	{ "add_and_remove_same", S("+set_tid -set_tid"), .err = -EINVAL },
	{ "sign_alone", S("-"), .err = -EINVAL },
	{ "sign_then_space", S("- set_tid"), .err = -EINVAL },
	{ "separator_semicolon", S("-set_tid;-fs_newns"), .err = -EINVAL },
	{ "embedded_nul", S("-set_tid\0+fs_newns"), .err = -EINVAL },
	{ "leading_nul", S("\0-set_tid"), .err = -EINVAL },
	{ "control_byte", S("-set_tid\x07"), .err = -EINVAL },
	{ "hyphenated", S("+set-tid"), .err = -EINVAL },
	{ "double_minus", S("--set_tid"), .err = -EINVAL },
	{ "flag_edit", S("+vm"), .err = -EINVAL },
	{ "number", S("+0"), .err = -EINVAL },
	{ "hex_mask", S("0x1"), .err = -EINVAL },
	{ "decimal_mask", S("8191"), .err = -EINVAL },
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

/* ---- clonegate_parse_set, with the name functions --------------------- */

/* Member 1 has no name; "epsilon" lies beyond the count the parser gets. */
static const char *const greek[] = {
	"alpha", NULL, "gamma", "delta", "epsilon",
};

static const char *greek_name(unsigned int i)
{
	return i < ARRAY_SIZE(greek) ? greek[i] : NULL;
}

static const char *rule_name_fn(unsigned int i)
{
	return clonegate_rule_name(i);
}

/**
 * struct set_row - one write parsed against a table of names
 * @name: the description
 * @fn: the name of member i
 * @count: number of members the parser gets
 * @buf: the value written
 * @len: its length
 * @valid: the members the value may hold
 * @old: the set before, for edits
 * @err: the errno expected (0 to accept)
 * @want: the set after an accepted write
 */
struct set_row {
	const char *name;
	clonegate_name_fn fn;
	unsigned int count;
	const char *buf;
	size_t len;
	u64 valid;
	u64 old;
	int err;
	u64 want;
};

#define GREEK		.fn = greek_name, .count = 4
#define NS_NAMES	.fn = clonegate_ns_name, .count = 64
#define FLAG_NAMES	.fn = clonegate_flag_name, .count = 64
#define RULE_NAMES	.fn = rule_name_fn, .count = CLONEGATE_RULE_COUNT

static const struct set_row set_accept[] = {
	{ "greek_list", GREEK, S("alpha gamma"), .valid = 0xf, .want = 0x5 },
	{ "greek_newline", GREEK, S("delta\n"), .valid = 0xf, .want = 0x8 },
	{ "greek_edit", GREEK, S("+alpha -delta"), .valid = 0xf, .old = 0xc,
	  .want = 0x5 },
	{ "greek_none", GREEK, S("none"), .valid = 0xf, .old = 0xc,
	  .want = 0 },
	{ "ns_list", NS_NAMES, S("net pid"), .valid = LX_NS,
	  .want = CLONE_NEWNET | CLONE_NEWPID },
	{ "ns_edit", NS_NAMES, S("-net"), .valid = LX_NS, .old = GV_NS,
	  .want = GV_NS & ~CLONE_NEWNET },
	{ "flags_list", FLAG_NAMES, S("vm autoreap"), .valid = LX_CLONE,
	  .want = CLONE_VM | CLONE_AUTOREAP },
	{ "flags_every_7x", FLAG_NAMES,
	  S("empty_mntns,pidfd_autokill,nnp,autoreap"), .valid = LX_CLONE,
	  .want = CLONE3_7X },
	{ "rules_list", RULE_NAMES, S("set_tid setns_pidfd"),
	  .valid = RULES_ALL, .want = RULE(SET_TID) | RULE(SETNS_PIDFD) },
};

static const struct set_row set_reject[] = {
	{ "greek_beyond_count", GREEK, S("epsilon"), .valid = 0x1f,
	  .err = -EINVAL },
	{ "greek_unnamed_member", GREEK, S("beta"), .valid = 0xf,
	  .err = -EINVAL },
	{ "greek_not_valid", GREEK, S("delta"), .valid = 0x7, .err = -EINVAL },
	{ "greek_edit_not_valid", GREEK, S("+delta"), .valid = 0x7,
	  .err = -EINVAL },
	{ "greek_duplicate", GREEK, S("alpha alpha"), .valid = 0xf,
	  .err = -EINVAL },
	{ "greek_empty", GREEK, S(""), .valid = 0xf, .err = -EINVAL },
	{ "greek_none_signed", GREEK, S("-none"), .valid = 0xf,
	  .err = -EINVAL },
	{ "ns_flag_name", NS_NAMES, S("newnet"), .valid = LX_NS,
	  .err = -EINVAL },
	{ "ns_not_valid", NS_NAMES, S("user"), .valid = GV_NS,
	  .err = -EINVAL },
	{ "flags_ns_name", FLAG_NAMES, S("net"), .valid = LX_CLONE,
	  .err = -EINVAL },
	{ "flags_beyond_count", .fn = clonegate_flag_name, .count = 34,
	  S("autoreap"), .valid = LX_CLONE, .err = -EINVAL },
	{ "flags_hex_is_not_a_name", FLAG_NAMES, S("0x100"),
	  .valid = LX_CLONE, .err = -EINVAL },
	{ "rules_flag_name", RULE_NAMES, S("vm"), .valid = RULES_ALL,
	  .err = -EINVAL },
};

static void set_row_desc(const struct set_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(set_accept, set_accept, set_row_desc);
KUNIT_ARRAY_PARAM(set_reject, set_reject, set_row_desc);

static int parse_set_row(struct kunit *test, const struct set_row *row,
			 u64 *out)
{
	return clonegate_parse_set(exact_copy(test, row->buf, row->len),
				   row->len, row->fn, row->count, row->valid,
				   row->old, out);
}

static void parse_set_accepts(struct kunit *test)
{
	const struct set_row *row = test->param_value;
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_set_row(test, row, &out), 0);
	KUNIT_EXPECT_EQ(test, out, row->want);
}

static void parse_set_rejects(struct kunit *test)
{
	const struct set_row *row = test->param_value;
	u64 out = SENTINEL64;

	KUNIT_EXPECT_EQ(test, parse_set_row(test, row, &out), row->err);
	KUNIT_EXPECT_EQ(test, out, SENTINEL64);
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
	{ "locked_two", S("2"), LOCKED, .want = -EINVAL },
	{ "locked_minus_one", S("-1"), LOCKED, .want = -EINVAL },
	{ "locked_leading_zero", S("01"), LOCKED, .want = -EINVAL },
	{ "locked_hex", S("0x1"), LOCKED, .want = -EINVAL },
	{ "locked_decimal_point", S("1.0"), LOCKED, .want = -EINVAL },
	{ "locked_yes", S("yes"), LOCKED, .want = -EINVAL },
	{ "locked_true", S("true"), LOCKED, .want = -EINVAL },
	{ "locked_on", S("on"), LOCKED, .want = -EINVAL },
	{ "locked_leading_space", S(" 1"), LOCKED, .want = -EINVAL },
	{ "locked_trailing_space", S("1 "), LOCKED, .want = -EINVAL },
	{ "locked_two_newlines", S("1\n\n"), LOCKED, .want = -EINVAL },
	{ "locked_leading_newline", S("\n1"), LOCKED, .want = -EINVAL },
	{ "locked_crlf", S("1\r\n"), LOCKED, .want = -EINVAL },
	{ "locked_tab", S("1\t"), LOCKED, .want = -EINVAL },
	{ "mode_signed", S("+enforce"), MODES, .want = -EINVAL },
	{ "mode_sign_alone", S("-"), MODES, .want = -EINVAL },
	{ "mode_number", S("1"), MODES, .want = -EINVAL },
	{ "mode_hex", S("0x2"), MODES, .want = -EINVAL },
	{ "mode_on", S("on"), MODES, .want = -EINVAL },
	{ "mode_tab", S("enforce\t"), MODES, .want = -EINVAL },
	{ "mode_profile_name", S("gvisor"), MODES, .want = -EINVAL },
	{ "profile_number", S("0"), PROFILES, .want = -EINVAL },
	{ "profile_uppercase", S("GVISOR"), PROFILES, .want = -EINVAL },
	{ "profile_default", S("default"), PROFILES, .want = -EINVAL },
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

/* ---- clonegate_parse_scope_name --------------------------------------- */

/* the longest scope name, 32 characters, and one more */
#define NAME32		"abcdefghijklmnopqrstuvwxyz012345"
#define NAME33		NAME32 "6"

static_assert(sizeof(NAME32) == CLONEGATE_SCOPE_LEN);

/**
 * struct str_row - one write of a name or a path, and what it parses to
 * @name: the description
 * @buf: the value written
 * @len: its length
 * @err: the errno expected (0 to accept)
 * @want: the string parsed from an accepted write
 * @depth: the depth of an accepted cgroup path
 */
struct str_row {
	const char *name;
	const char *buf;
	size_t len;
	int err;
	const char *want;
	int depth;
};

static const struct str_row scope_accept[] = {
	{ "one_letter", S("a"), .want = "a" },
	{ "one_digit", S("0"), .want = "0" },
	{ "word", S("web"), .want = "web" },
	{ "dash", S("web-1"), .want = "web-1" },
	{ "underscore", S("build_farm"), .want = "build_farm" },
	{ "dash_alone", S("-"), .want = "-" },
	{ "underscore_alone", S("_"), .want = "_" },
	{ "every_class", S("a-z_0-9"), .want = "a-z_0-9" },
	{ "digits_only", S("2024"), .want = "2024" },
	{ "trailing_newline", S("web\n"), .want = "web" },
	{ "longest", S(NAME32), .want = NAME32 },
	{ "longest_newline", S(NAME32 "\n"), .want = NAME32 },
	/* reserved names are whole words only */
	{ "host_prefix", S("hosts"), .want = "hosts" },
	{ "host_part", S("ho"), .want = "ho" },
	{ "add_prefix", S("adder"), .want = "adder" },
	{ "remove_suffix", S("remove-1"), .want = "remove-1" },
};

static const struct str_row scope_reject[] = {
	{ "empty", S(""), .err = -EINVAL },
	{ "newline_only", S("\n"), .err = -EINVAL },
	{ "too_long", S(NAME33), .err = -EINVAL },
	{ "too_long_newline", S(NAME33 "\n"), .err = -EINVAL },
	{ "uppercase", S("Web"), .err = -EINVAL },
	{ "space_inside", S("a b"), .err = -EINVAL },
	{ "leading_space", S(" web"), .err = -EINVAL },
	{ "trailing_space", S("web "), .err = -EINVAL },
	{ "tab", S("web\t"), .err = -EINVAL },
	{ "two_newlines", S("web\n\n"), .err = -EINVAL },
	{ "leading_newline", S("\nweb"), .err = -EINVAL },
	{ "crlf", S("web\r\n"), .err = -EINVAL },
	{ "dot", S("a.b"), .err = -EINVAL },
	{ "dot_alone", S("."), .err = -EINVAL },
	{ "dotdot", S(".."), .err = -EINVAL },
	{ "slash", S("a/b"), .err = -EINVAL },
	{ "slash_alone", S("/"), .err = -EINVAL },
	{ "comma", S("a,b"), .err = -EINVAL },
	{ "plus", S("+a"), .err = -EINVAL },
	{ "colon", S("a:b"), .err = -EINVAL },
	{ "trailing_nul", S("web\0"), .err = -EINVAL },
	{ "embedded_nul", S("w\0b"), .err = -EINVAL },
	{ "latin1_byte", S("caf\xe9"), .err = -EINVAL },
	/*
	 * the kernel's islower() says yes to these; octal escapes, as a
	 * hex one would take the letters after it
	 */
	{ "latin1_lower_alone", S("\xe9"), .err = -EINVAL },
	{ "latin1_sharp_s", S("stra\337e"), .err = -EINVAL },
	{ "latin1_y_diaeresis", S("\xff"), .err = -EINVAL },
	{ "latin1_upper", S("\311t\351"), .err = -EINVAL },
	{ "latin1_nbsp", S("a\240b"), .err = -EINVAL },
	{ "control_byte", S("web\x01"), .err = -EINVAL },
	{ "del_byte", S("web\x7f"), .err = -EINVAL },
	/* the host policy's name, and the files beside the scopes */
	{ "host", S("host"), .err = -EINVAL },
	{ "host_newline", S("host\n"), .err = -EINVAL },
	{ "add", S("add"), .err = -EINVAL },
	{ "remove", S("remove"), .err = -EINVAL },
};

static void str_row_desc(const struct str_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(scope_accept, scope_accept, str_row_desc);
KUNIT_ARRAY_PARAM(scope_reject, scope_reject, str_row_desc);

static int parse_scope_row(struct kunit *test, const struct str_row *row,
			   char *out)
{
	return clonegate_parse_scope_name(exact_copy(test, row->buf, row->len),
					  row->len, out);
}

static void parse_scope_name_accepts(struct kunit *test)
{
	const struct str_row *row = test->param_value;
	char *out = sentinel_buf(test, CLONEGATE_SCOPE_LEN);

	KUNIT_EXPECT_EQ(test, parse_scope_row(test, row, out), 0);
	KUNIT_EXPECT_STREQ(test, out, row->want);
}

static void parse_scope_name_rejects(struct kunit *test)
{
	const struct str_row *row = test->param_value;
	char *out = sentinel_buf(test, CLONEGATE_SCOPE_LEN);

	KUNIT_EXPECT_EQ(test, parse_scope_row(test, row, out), row->err);
	expect_untouched(test, out, CLONEGATE_SCOPE_LEN);
}

/* ---- clonegate_parse_cgroup_path -------------------------------------- */

#define X16		"xxxxxxxxxxxxxxxx"
#define X64		X16 X16 X16 X16
/* the longest path, CLONEGATE_CGROUP_PATH_MAX characters, and one more */
#define PATH255		"/" X64 X64 X64 X16 X16 X16 "xxxxxxxxxxxxxx"
#define PATH256		PATH255 "x"
/* the deepest path, CLONEGATE_SCOPE_DEPTH_MAX levels, and one more */
#define A8		"/a/a/a/a/a/a/a/a"
#define DEEP32		A8 A8 A8 A8
#define DEEP33		DEEP32 "/a"

static_assert(sizeof(PATH255) - 1 == CLONEGATE_CGROUP_PATH_MAX);
static_assert(CLONEGATE_SCOPE_DEPTH_MAX == 32);

static const struct str_row cgroup_accept[] = {
	{ "root", S("/"), .want = "/", .depth = 0 },
	{ "root_newline", S("/\n"), .want = "/", .depth = 0 },
	{ "root_trailing_slash", S("//"), .want = "/", .depth = 0 },
	{ "one_level", S("/a"), .want = "/a", .depth = 1 },
	{ "trailing_slash", S("/a/"), .want = "/a", .depth = 1 },
	{ "trailing_slash_newline", S("/a/\n"), .want = "/a", .depth = 1 },
	{ "newline", S("/a/b\n"), .want = "/a/b", .depth = 2 },
	{ "three_levels", S("/a/b/c"), .want = "/a/b/c", .depth = 3 },
	{ "systemd_unit", S("/system.slice/docker-1.scope"),
	  .want = "/system.slice/docker-1.scope", .depth = 2 },
	{ "dots_in_names", S("/..a/a../.b/b."), .want = "/..a/a../.b/b.",
	  .depth = 4 },
	{ "three_dots", S("/..."), .want = "/...", .depth = 1 },
	{ "space_in_name", S("/a b"), .want = "/a b", .depth = 1 },
	{ "punctuation", S("/a:b@c=d,e"), .want = "/a:b@c=d,e", .depth = 1 },
	{ "deepest", S(DEEP32), .want = DEEP32, .depth = 32 },
	{ "deepest_trailing_slash", S(DEEP32 "/"), .want = DEEP32,
	  .depth = 32 },
	{ "longest", S(PATH255), .want = PATH255, .depth = 1 },
	{ "longest_newline", S(PATH255 "\n"), .want = PATH255, .depth = 1 },
	{ "longest_trailing_slash", S(PATH255 "/"), .want = PATH255,
	  .depth = 1 },
};

static const struct str_row cgroup_reject[] = {
	{ "empty", S(""), .err = -EINVAL },
	{ "newline_only", S("\n"), .err = -EINVAL },
	{ "relative", S("a"), .err = -EINVAL },
	{ "relative_two_levels", S("a/b"), .err = -EINVAL },
	{ "relative_trailing_slash", S("a/"), .err = -EINVAL },
	{ "relative_dot", S("./a"), .err = -EINVAL },
	{ "leading_space", S(" /a"), .err = -EINVAL },
	{ "dot", S("/."), .err = -EINVAL },
	{ "dotdot", S("/.."), .err = -EINVAL },
	{ "dot_inside", S("/a/./b"), .err = -EINVAL },
	{ "dotdot_inside", S("/a/../b"), .err = -EINVAL },
	{ "dot_last", S("/a/."), .err = -EINVAL },
	{ "dotdot_last", S("/a/.."), .err = -EINVAL },
	{ "dotdot_trailing_slash", S("/a/../"), .err = -EINVAL },
	{ "empty_component", S("/a//b"), .err = -EINVAL },
	{ "two_trailing_slashes", S("/a//"), .err = -EINVAL },
	{ "three_slashes", S("///"), .err = -EINVAL },
	{ "tab", S("/a\tb"), .err = -EINVAL },
	{ "newline_inside", S("/a\nb"), .err = -EINVAL },
	{ "two_newlines", S("/a\n\n"), .err = -EINVAL },
	{ "crlf", S("/a\r\n"), .err = -EINVAL },
	{ "trailing_nul", S("/a\0"), .err = -EINVAL },
	{ "embedded_nul", S("/a\0b"), .err = -EINVAL },
	{ "latin1_byte", S("/caf\xe9"), .err = -EINVAL },
	{ "latin1_nbsp", S("/a\240b"), .err = -EINVAL },
	{ "del_byte", S("/a\x7f"), .err = -EINVAL },
	{ "too_deep", S(DEEP33), .err = -EINVAL },
	{ "too_deep_trailing_slash", S(DEEP33 "/"), .err = -EINVAL },
	{ "too_long", S(PATH256), .err = -ENAMETOOLONG },
	{ "too_long_newline", S(PATH256 "\n"), .err = -ENAMETOOLONG },
	{ "too_long_trailing_slash", S(PATH256 "/"), .err = -ENAMETOOLONG },
	{ "too_long_before_bad_component", S("/.." PATH256),
	  .err = -ENAMETOOLONG },
	{ "relative_before_too_long", S("x" PATH256), .err = -EINVAL },
};

KUNIT_ARRAY_PARAM(cgroup_accept, cgroup_accept, str_row_desc);
KUNIT_ARRAY_PARAM(cgroup_reject, cgroup_reject, str_row_desc);

#define CGROUP_OUT	(CLONEGATE_CGROUP_PATH_MAX + 1)

static int parse_cgroup_row(struct kunit *test, const struct str_row *row,
			    char *out, int *depth)
{
	return clonegate_parse_cgroup_path(exact_copy(test, row->buf,
						      row->len),
					   row->len, out, depth);
}

static void parse_cgroup_path_accepts(struct kunit *test)
{
	const struct str_row *row = test->param_value;
	char *out = sentinel_buf(test, CGROUP_OUT);
	int depth = SENTINEL_INT;

	KUNIT_EXPECT_EQ(test, parse_cgroup_row(test, row, out, &depth), 0);
	KUNIT_EXPECT_STREQ(test, out, row->want);
	KUNIT_EXPECT_EQ(test, depth, row->depth);
}

static void parse_cgroup_path_rejects(struct kunit *test)
{
	const struct str_row *row = test->param_value;
	char *out = sentinel_buf(test, CGROUP_OUT);
	int depth = SENTINEL_INT;

	KUNIT_EXPECT_EQ(test, parse_cgroup_row(test, row, out, &depth),
			row->err);
	expect_untouched(test, out, CGROUP_OUT);
	KUNIT_EXPECT_EQ(test, depth, SENTINEL_INT);
}

/* ---- clonegate_parse_ratelimit ---------------------------------------- */

/**
 * struct ratelimit_row - one write to events/ratelimit
 * @name: the description
 * @buf: the value written
 * @len: its length
 * @err: the errno expected (0 to accept)
 * @burst: the burst after an accepted write
 * @rate: the rate after an accepted write
 */
struct ratelimit_row {
	const char *name;
	const char *buf;
	size_t len;
	int err;
	u32 burst;
	u32 rate;
};

static const struct ratelimit_row ratelimit_accept[] = {
	{ "off", S("0"), .burst = 0, .rate = 0 },
	{ "off_newline", S("0\n"), .burst = 0, .rate = 0 },
	{ "off_spaces", S("  0  "), .burst = 0, .rate = 0 },
	{ "off_zeros", S("000"), .burst = 0, .rate = 0 },
	{ "burst_rate", S("10 5"), .burst = 10, .rate = 5 },
	{ "burst_rate_newline", S("10 5\n"), .burst = 10, .rate = 5 },
	{ "comma", S("10,5"), .burst = 10, .rate = 5 },
	{ "tab", S("10\t5"), .burst = 10, .rate = 5 },
	{ "spaces", S("  10   5  "), .burst = 10, .rate = 5 },
	{ "ones", S("1 1"), .burst = 1, .rate = 1 },
	{ "rate_above_burst", S("1 1000"), .burst = 1, .rate = 1000 },
	{ "decimal_not_octal", S("010 05"), .burst = 10, .rate = 5 },
	{ "largest", S("4294967295 4294967295"), .burst = U32_MAX,
	  .rate = U32_MAX },
	{ "twelve_chars_of_leading_zeros", S("000000000001 5"), .burst = 1,
	  .rate = 5 },
	{ "plus_sign", S("+10 5"), .burst = 10, .rate = 5 },
};

static const struct ratelimit_row ratelimit_reject[] = {
	{ "empty", S(""), .err = -EINVAL },
	{ "newline_only", S("\n"), .err = -EINVAL },
	{ "spaces_only", S("   "), .err = -EINVAL },
	{ "burst_alone", S("5"), .err = -EINVAL },
	{ "burst_alone_newline", S("5\n"), .err = -EINVAL },
	{ "zero_zero", S("0 0"), .err = -EINVAL },
	{ "zero_burst", S("0 5"), .err = -EINVAL },
	{ "zero_rate", S("5 0"), .err = -EINVAL },
	{ "three_numbers", S("1 2 3"), .err = -EINVAL },
	{ "zero_then_word", S("0 x"), .err = -EINVAL },
	{ "negative_burst", S("-1 5"), .err = -EINVAL },
	{ "negative_rate", S("5 -1"), .err = -EINVAL },
	{ "burst_overflow", S("4294967296 1"), .err = -ERANGE },
	{ "rate_overflow", S("1 4294967296"), .err = -ERANGE },
	{ "eleven_digits", S("99999999999 1"), .err = -ERANGE },
	{ "twelve_digits", S("999999999999 1"), .err = -ERANGE },
	{ "hex", S("0x10 5"), .err = -EINVAL },
	{ "trailing_letter", S("10 5x"), .err = -EINVAL },
	{ "words", S("ten five"), .err = -EINVAL },
	{ "twelve_letter_word", S("abcdefghijkl 1"), .err = -EINVAL },
	{ "long_word_with_digits", S("1234567890123x 1"), .err = -EINVAL },
	{ "plus_alone", S("+ 5"), .err = -EINVAL },
	{ "zeros_then_overflow", S("0004294967296 1"), .err = -ERANGE },
	{ "plus_twice", S("++10 5"), .err = -EINVAL },
	{ "thirty_digits", S("123456789012345678901234567890 1"),
	  .err = -ERANGE },
	{ "hex_digits", S("10 5a"), .err = -EINVAL },
	{ "separator_semicolon", S("10;5"), .err = -EINVAL },
	{ "separator_slash", S("10/5"), .err = -EINVAL },
	{ "decimal_point", S("1.5 2"), .err = -EINVAL },
	{ "trailing_nul", S("10 5\0"), .err = -EINVAL },
	{ "embedded_nul", S("10\0 5"), .err = -EINVAL },
	{ "control_byte", S("10 5\x01"), .err = -EINVAL },
	{ "latin1_byte", S("10 5\xe9"), .err = -EINVAL },
	{ "latin1_nbsp_separator", S("10\2405"), .err = -EINVAL },
};

static void ratelimit_row_desc(const struct ratelimit_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ratelimit_accept, ratelimit_accept, ratelimit_row_desc);
KUNIT_ARRAY_PARAM(ratelimit_reject, ratelimit_reject, ratelimit_row_desc);

static int parse_ratelimit_row(struct kunit *test,
			       const struct ratelimit_row *row, u32 *burst,
			       u32 *rate)
{
	return clonegate_parse_ratelimit(exact_copy(test, row->buf, row->len),
					 row->len, burst, rate);
}

static void parse_ratelimit_accepts(struct kunit *test)
{
	const struct ratelimit_row *row = test->param_value;
	u32 burst = SENTINEL32, rate = SENTINEL32;

	KUNIT_EXPECT_EQ(test, parse_ratelimit_row(test, row, &burst, &rate),
			0);
	KUNIT_EXPECT_EQ(test, burst, row->burst);
	KUNIT_EXPECT_EQ(test, rate, row->rate);
}

static void parse_ratelimit_rejects(struct kunit *test)
{
	const struct ratelimit_row *row = test->param_value;
	u32 burst = SENTINEL32, rate = SENTINEL32;

	KUNIT_EXPECT_EQ(test, parse_ratelimit_row(test, row, &burst, &rate),
			row->err);
	KUNIT_EXPECT_EQ(test, burst, SENTINEL32);
	KUNIT_EXPECT_EQ(test, rate, SENTINEL32);
}

/* ---- CLONEGATE_VALUE_MAX, for every parser ---------------------------- */

/*
 * Each parser through one signature: the value, and whether the output
 * was written (it must not be, unless the parser returns 0).
 */
typedef int (*max_parser)(const char *buf, size_t len, bool *written);

static int max_flags(const char *buf, size_t len, bool *written)
{
	u64 out = SENTINEL64;
	int err = clonegate_parse_flags(buf, len, LX_CLONE, 0, &out);

	*written = out != SENTINEL64;
	return err;
}

static int max_ns_types(const char *buf, size_t len, bool *written)
{
	u64 out = SENTINEL64;
	int err = clonegate_parse_ns_types(buf, len, 0, &out);

	*written = out != SENTINEL64;
	return err;
}

static int max_rules(const char *buf, size_t len, bool *written)
{
	u32 out = SENTINEL32;
	int err = clonegate_parse_rules(buf, len, RULES_ALL, &out);

	*written = out != SENTINEL32;
	return err;
}

static int max_set(const char *buf, size_t len, bool *written)
{
	u64 out = SENTINEL64;
	int err = clonegate_parse_set(buf, len, greek_name, 4, 0xf, 0, &out);

	*written = out != SENTINEL64;
	return err;
}

static int max_name(const char *buf, size_t len, bool *written)
{
	*written = false;
	return clonegate_parse_name(buf, len, clonegate_mode_names,
				    CLONEGATE_MODE_COUNT);
}

static int max_scope_name(const char *buf, size_t len, bool *written)
{
	char out[CLONEGATE_SCOPE_LEN];
	int err;

	memset(out, SENTINEL_BYTE, sizeof(out));
	err = clonegate_parse_scope_name(buf, len, out);
	*written = memchr_inv(out, SENTINEL_BYTE, sizeof(out));
	return err;
}

static int max_cgroup_path(const char *buf, size_t len, bool *written)
{
	char out[CGROUP_OUT];
	int depth = SENTINEL_INT, err;

	memset(out, SENTINEL_BYTE, sizeof(out));
	err = clonegate_parse_cgroup_path(buf, len, out, &depth);
	*written = depth != SENTINEL_INT ||
		   memchr_inv(out, SENTINEL_BYTE, sizeof(out));
	return err;
}

static int max_ratelimit(const char *buf, size_t len, bool *written)
{
	u32 burst = SENTINEL32, rate = SENTINEL32;
	int err = clonegate_parse_ratelimit(buf, len, &burst, &rate);

	*written = burst != SENTINEL32 || rate != SENTINEL32;
	return err;
}

/**
 * struct max_row - a parser given CLONEGATE_VALUE_MAX bytes, then one more
 * @name: the description
 * @parse: the parser
 * @word: what the value starts with; the rest is spaces
 * @at_max: the errno expected for CLONEGATE_VALUE_MAX bytes (0 to accept)
 */
struct max_row {
	const char *name;
	max_parser parse;
	const char *word;
	int at_max;
};

static const struct max_row max_table[] = {
	{ "flags_names", max_flags, "vm", 0 },
	{ "flags_hex", max_flags, "0x100", 0 },
	{ "flags_7x_name", max_flags, "empty_mntns", 0 },
	{ "ns_types_names", max_ns_types, "net", 0 },
	{ "ns_types_hex", max_ns_types, "0x40000000", 0 },
	{ "rules", max_rules, "-set_tid", 0 },
	{ "set", max_set, "alpha", 0 },
	/* a name, a scope name and a path take no padding */
	{ "name", max_name, "audit", -EINVAL },
	{ "scope_name", max_scope_name, "web", -EINVAL },
	{ "cgroup_path", max_cgroup_path, "/a", -ENAMETOOLONG },
	{ "ratelimit", max_ratelimit, "10 5", 0 },
	{ "ratelimit_off", max_ratelimit, "0", 0 },
};

static void max_row_desc(const struct max_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(max_table, max_table, max_row_desc);

/*
 * CLONEGATE_VALUE_MAX bytes are taken as far as the length goes, one more
 * is -E2BIG, whatever the value, and leaves the output alone.
 */
static void parse_value_max_boundary(struct kunit *test)
{
	const struct max_row *row = test->param_value;
	size_t max = CLONEGATE_VALUE_MAX, len;

	for (len = max; len <= max + 1; len++) {
		int want = len > max ? -E2BIG : row->at_max, err;
		char *buf = kunit_kmalloc(test, len, GFP_KERNEL);
		bool written;

		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
		memset(buf, ' ', len);
		memcpy(buf, row->word, strlen(row->word));
		err = row->parse(buf, len, &written);
		KUNIT_EXPECT_EQ_MSG(test, err, want, "len %zu", len);
		if (err)
			KUNIT_EXPECT_FALSE_MSG(test, written,
					       "len %zu: output written", len);
	}
}

static struct kunit_case clonegate_parse_cases[] = {
	KUNIT_CASE_PARAM(parse_flags_accepts, flags_accept_gen_params),
	KUNIT_CASE_PARAM(parse_flags_rejects, flags_reject_gen_params),
	KUNIT_CASE_PARAM(parse_ns_types_accepts, ns_accept_gen_params),
	KUNIT_CASE_PARAM(parse_ns_types_rejects, ns_reject_gen_params),
	KUNIT_CASE_PARAM(parse_rules_accepts, rules_accept_gen_params),
	KUNIT_CASE_PARAM(parse_rules_rejects, rules_reject_gen_params),
	KUNIT_CASE(parse_flags_every_name),
	KUNIT_CASE(parse_rules_every_rule),
	KUNIT_CASE_PARAM(parse_set_accepts, set_accept_gen_params),
	KUNIT_CASE_PARAM(parse_set_rejects, set_reject_gen_params),
	KUNIT_CASE_PARAM(parse_name_accepts, name_accept_gen_params),
	KUNIT_CASE_PARAM(parse_name_rejects, name_reject_gen_params),
	KUNIT_CASE_PARAM(parse_scope_name_accepts, scope_accept_gen_params),
	KUNIT_CASE_PARAM(parse_scope_name_rejects, scope_reject_gen_params),
	KUNIT_CASE_PARAM(parse_cgroup_path_accepts, cgroup_accept_gen_params),
	KUNIT_CASE_PARAM(parse_cgroup_path_rejects, cgroup_reject_gen_params),
	KUNIT_CASE_PARAM(parse_ratelimit_accepts,
			 ratelimit_accept_gen_params),
	KUNIT_CASE_PARAM(parse_ratelimit_rejects,
			 ratelimit_reject_gen_params),
	KUNIT_CASE_PARAM(parse_value_max_boundary, max_table_gen_params),
	{}
};

static struct kunit_suite clonegate_parse_suite = {
	.name = "clonegate_parse",
	.test_cases = clonegate_parse_cases,
};

/* ---- clonegate_format_flags / _ns_types / _set ------------------------ */

/**
 * struct format_row - a mask and how a file shows it
 * @name: the description
 * @mask: the mask
 * @want: what the file reads
 */
struct format_row {
	const char *name;
	u64 mask;
	const char *want;
};

static const struct format_row format_rows[] = {
	{ "empty", 0, "none\n" },
	{ "one", CLONE_VM, "vm\n" },
	{ "bit_order", CLONE_FILES | CLONE_VM | CLONE_FS, "vm fs files\n" },
	{ "ends", CLONE_NEWTIME | CLONE_EMPTY_MNTNS,
	  "newtime empty_mntns\n" },
	{ "clone3_7x", CLONE3_7X, "autoreap nnp pidfd_autokill empty_mntns\n" },
	{ "into_cgroup_then_7x", CLONE_INTO_CGROUP | CLONE_AUTOREAP,
	  "into_cgroup autoreap\n" },
	{ "unnamed_bits_hidden", BIT_ULL(0) | BIT_ULL(38) | BIT_ULL(63) |
	  CLONE_IO, "io\n" },
	{ "only_unnamed_bits", BIT_ULL(1) | BIT_ULL(40), "none\n" },
	{ "gvisor_unshare", GV_UNSHARE,
	  "vm fs files sighand thread newns sysvsem newuts newipc newuser newpid newnet\n" },
};

static const struct format_row format_ns_rows[] = {
	{ "empty", 0, "none\n" },
	{ "one", CLONE_NEWNET, "net\n" },
	{ "gvisor_types", GV_NS, "mnt uts ipc net\n" },
	{ "every_type", LX_NS, "time mnt cgroup uts ipc user pid net\n" },
	{ "flags_not_types_hidden", CLONE_VM | CLONE_NEWPID | BIT_ULL(63),
	  "pid\n" },
	{ "only_flags_not_types", CLONE_VM | CLONE_THREAD, "none\n" },
};

static void format_row_desc(const struct format_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(format_rows, format_rows, format_row_desc);
KUNIT_ARRAY_PARAM(format_ns_rows, format_ns_rows, format_row_desc);

static void format_flags_rows(struct kunit *test)
{
	const struct format_row *row = test->param_value;
	char buf[512];
	int len;

	len = clonegate_format_flags(buf, sizeof(buf), row->mask);
	KUNIT_EXPECT_STREQ(test, buf, row->want);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(row->want));
}

static void format_ns_types_rows(struct kunit *test)
{
	const struct format_row *row = test->param_value;
	char buf[512];
	int len;

	len = clonegate_format_ns_types(buf, sizeof(buf), row->mask);
	KUNIT_EXPECT_STREQ(test, buf, row->want);
	KUNIT_EXPECT_EQ(test, len, (int)strlen(row->want));
}

/**
 * struct trip_row - a value a file holds, shown and written back
 * @name: the description
 * @mask: the value
 */
struct trip_row {
	const char *name;
	u64 mask;
};

static const struct trip_row flags_trips[] = {
	{ "none", 0 },
	{ "gvisor_clone", GV_CLONE },
	{ "gvisor_unshare", GV_UNSHARE },
	{ "linux_clone", LX_CLONE },
	{ "linux_unshare", LX_UNSHARE },
	{ "newuser_newpid", CLONE_NEWUSER | CLONE_NEWPID },
	{ "newtime", CLONE_NEWTIME },
	{ "clear_sighand_into_cgroup", CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP },
	{ "clone3_7x", CLONE3_7X },
	{ "gvisor_clone_and_7x", GV_CLONE | CLONE_NNP | CLONE_EMPTY_MNTNS },
};

static const struct trip_row ns_trips[] = {
	{ "none", 0 },
	{ "gvisor_types", GV_NS },
	{ "every_type", LX_NS },
	{ "time", CLONE_NEWTIME },
	{ "user_pid", CLONE_NEWUSER | CLONE_NEWPID },
	{ "cgroup_net", CLONE_NEWCGROUP | CLONE_NEWNET },
};

static const struct trip_row rules_trips[] = {
	{ "none", 0 },
	{ "all", RULES_ALL },
	{ "set_tid", RULE(SET_TID) },
	{ "all_but_ns_needs_cap", RULES_ALL & ~RULE(NS_NEEDS_CAP) },
	{ "permissive", RULE(UNSUPPORTED_FLAG) },
	{ "setns_pidfd_and_last", RULE(SETNS_PIDFD) | RULE(NS_NEEDS_CAP) },
};

static void trip_row_desc(const struct trip_row *row, char *desc)
{
	strscpy(desc, row->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(flags_trips, flags_trips, trip_row_desc);
KUNIT_ARRAY_PARAM(ns_trips, ns_trips, trip_row_desc);
KUNIT_ARRAY_PARAM(rules_trips, rules_trips, trip_row_desc);

/* What the flag files show, written back, is what they hold. */
static void format_flags_round_trip(struct kunit *test)
{
	const struct trip_row *row = test->param_value;
	char buf[512];
	u64 out = SENTINEL64;
	int len = clonegate_format_flags(buf, sizeof(buf), row->mask);

	KUNIT_EXPECT_EQ(test, clonegate_parse_flags(exact_copy(test, buf, len),
						    len, LX_CLONE, 0, &out),
			0);
	KUNIT_EXPECT_EQ_MSG(test, out, row->mask, "shown as %s", buf);
}

/* The same for setns_types. */
static void format_ns_types_round_trip(struct kunit *test)
{
	const struct trip_row *row = test->param_value;
	char buf[512];
	u64 out = SENTINEL64;
	int len = clonegate_format_ns_types(buf, sizeof(buf), row->mask);

	KUNIT_EXPECT_EQ(test, clonegate_parse_ns_types(exact_copy(test, buf,
								  len),
						       len, 0, &out), 0);
	KUNIT_EXPECT_EQ_MSG(test, out, row->mask, "shown as %s", buf);
}

/* A set of rules shows as its names and parses back as a list. */
static void format_set_round_trip(struct kunit *test)
{
	const struct trip_row *row = test->param_value;
	char buf[512];
	u64 out = SENTINEL64;
	int len = clonegate_format_set(buf, sizeof(buf), rule_name_fn,
				       CLONEGATE_RULE_COUNT, row->mask);

	KUNIT_EXPECT_EQ(test, len, (int)strlen(buf));
	KUNIT_EXPECT_EQ(test, clonegate_parse_set(exact_copy(test, buf, len),
						  len, rule_name_fn,
						  CLONEGATE_RULE_COUNT,
						  RULES_ALL, 0, &out), 0);
	KUNIT_EXPECT_EQ_MSG(test, out, row->mask, "shown as %s", buf);
}

/*
 * A buffer too small is filled, NUL-terminated, and never overrun: the
 * bytes after it keep their canary, and the length returned fits.
 */
static void format_set_never_overruns(struct kunit *test)
{
	size_t size, i;
	int kind;

	for (kind = 0; kind < 2; kind++) {
		for (size = 1; size <= 64; size++) {
			char *buf = kunit_kmalloc(test, size + 16, GFP_KERNEL);
			int len;

			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, buf);
			memset(buf, 0x7e, size + 16);
			len = kind ? clonegate_format_ns_types(buf, size, LX_NS) :
				     clonegate_format_flags(buf, size, LX_CLONE);
			KUNIT_EXPECT_LT(test, len, (int)size);
			KUNIT_EXPECT_EQ(test, buf[len], '\0');
			for (i = size; i < size + 16; i++)
				KUNIT_EXPECT_EQ_MSG(test, buf[i], (char)0x7e,
						    "%s, size %zu, byte %zu",
						    kind ? "ns types" : "flags",
						    size, i);
		}
	}
}

static struct kunit_case clonegate_format_cases[] = {
	KUNIT_CASE_PARAM(format_flags_rows, format_rows_gen_params),
	KUNIT_CASE_PARAM(format_ns_types_rows, format_ns_rows_gen_params),
	KUNIT_CASE_PARAM(format_flags_round_trip, flags_trips_gen_params),
	KUNIT_CASE_PARAM(format_ns_types_round_trip, ns_trips_gen_params),
	KUNIT_CASE_PARAM(format_set_round_trip, rules_trips_gen_params),
	KUNIT_CASE(format_set_never_overruns),
	{}
};

static struct kunit_suite clonegate_format_suite = {
	.name = "clonegate_format",
	.test_cases = clonegate_format_cases,
};

kunit_test_suites(&clonegate_parse_suite, &clonegate_format_suite);
