// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate values: the names of everything a user reads or writes, and the
 * parsers and formatters of the values sysfs files and module parameters
 * take.
 *
 * Pure, like policy.c: KUnit tests every parser with made-up input.
 */
#include <linux/bits.h>
#include <linux/build_bug.h>
#include <linux/ctype.h>
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "parse.h"

#define NAME(n, id, name)						\
	[n] = #name,

const char *const clonegate_op_names[CLONEGATE_OP_HEALTH + 1] = {
	CLONEGATE_OPS(NAME)
};
const char *const clonegate_mode_names[CLONEGATE_MODE_COUNT] = {
	CLONEGATE_MODES(NAME)
};
const char *const clonegate_profile_names[CLONEGATE_PROFILE_COUNT] = {
	CLONEGATE_PROFILES(NAME)
};
const char *const clonegate_decision_names[CLONEGATE_DECISION_COUNT] = {
	CLONEGATE_DECISIONS(NAME)
};
const char *const clonegate_channel_names[CLONEGATE_CHANNEL_COUNT] = {
	CLONEGATE_CHANNELS(NAME)
};
const char *const clonegate_field_names[CLONEGATE_FIELD_COUNT] = {
	CLONEGATE_FIELDS(NAME)
};
const char *const clonegate_setns_form_names[2] = {
	CLONEGATE_SETNS_FORMS(NAME)
};

/* Lowercase names without CLONE_, indexed by bit; NULL where Linux has none. */
static const char *const flag_names[64] = CLONEGATE_FLAG_NAMES;
/* The namespace types of setns_types, by the bit of their CLONE_NEW* flag. */
static const char *const ns_names[64] = CLONEGATE_NS_NAMES;

/**
 * clonegate_flag_name() - the name of one clone flag bit
 * @bit: 0 to 63
 *
 * Return: the name, or NULL if Linux defines no flag at that bit.
 */
const char *clonegate_flag_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(flag_names) ? flag_names[bit] : NULL;
}

/**
 * clonegate_format_set() - render a set as its members' names, in order
 * @buf: where to write
 * @size: its size
 * @name: the name of member i, or NULL for an unnamed bit
 * @count: number of members
 * @set: the set
 *
 * An empty set reads "none", which clonegate_parse_set() takes back.
 *
 * Return: the number of bytes written, including the final newline.
 */
int clonegate_format_set(char *buf, size_t size, clonegate_name_fn name,
			 unsigned int count, u64 set)
{
	unsigned int i;
	int len = 0;

	for (i = 0; i < count; i++)
		if ((set & BIT_ULL(i)) && name(i))
			len += scnprintf(buf + len, size - len, "%s%s",
					 len ? " " : "", name(i));
	if (!len)
		len = scnprintf(buf, size, "none");
	len += scnprintf(buf + len, size - len, "\n");
	return len;
}

/*
 * A value is ASCII text: a NUL inside the write, a byte above 0x7f (the
 * kernel's ctype takes Latin-1 as text) or a control byte other than
 * whitespace means binary input and rejects the write.
 */
static int check_text(const char *buf, size_t len)
{
	size_t i;

	if (len > CLONEGATE_VALUE_MAX)
		return -E2BIG;
	if (strnlen(buf, len) != len)
		return -EINVAL;
	for (i = 0; i < len; i++)
		if ((unsigned char)buf[i] > 0x7f ||
		    (!isprint(buf[i]) && !isspace(buf[i])))
			return -EINVAL;
	return 0;
}

/* Words are separated by whitespace or commas (handy in module options). */
static bool is_sep(char c)
{
	return isspace(c) || c == ',';
}

static const char *next_word(const char *s, const char *end, size_t *wlen)
{
	const char *w;

	while (s < end && is_sep(*s))
		s++;
	w = s;
	while (s < end && !is_sep(*s))
		s++;
	*wlen = s - w;
	return w;
}

static int member(const char *w, size_t wlen, clonegate_name_fn name,
		  unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count; i++)
		if (name(i) && strlen(name(i)) == wlen &&
		    !memcmp(name(i), w, wlen))
			return i;
	return -1;
}

/**
 * clonegate_parse_set() - parse a write of a set of named members
 * @buf: the written value
 * @len: its length; a NUL byte inside it is binary input, rejected
 * @name: the name of member i, or NULL for an unnamed bit
 * @count: number of members
 * @valid: the members this value may hold
 * @old: the set now, for edits
 * @out: the new set
 *
 * Two forms, never mixed: a full list of names ("vm fs files"; commas work
 * as separators too) or edits of @old ("+newuser -newnet"). "none" alone
 * is the empty list. Anything else is rejected whole.
 *
 * Return: 0, -E2BIG for a value longer than CLONEGATE_VALUE_MAX, or -EINVAL
 * for an empty, unknown, duplicate, mixed, binary or out-of-@valid value.
 */
int clonegate_parse_set(const char *buf, size_t len, clonegate_name_fn name,
			unsigned int count, u64 valid, u64 old, u64 *out)
{
	const char *end = buf + len, *w;
	u64 set = 0, add = 0, del = 0;
	int words = 0, edits = 0, none = 0;
	size_t wlen;
	int err;

	err = check_text(buf, len);
	if (err)
		return err;
	for (w = next_word(buf, end, &wlen); wlen;
	     w = next_word(w + wlen, end, &wlen)) {
		char sign = 0;
		int i;

		words++;
		if (w[0] == '+' || w[0] == '-') {
			sign = w[0];
			w++;
			wlen--;
			edits++;
		}
		if (!sign && wlen == 4 && !memcmp(w, "none", 4)) {
			none++;
			continue;
		}
		i = member(w, wlen, name, count);
		if (i < 0 || !(valid & BIT_ULL(i)) ||
		    ((set | add | del) & BIT_ULL(i)))
			return -EINVAL;
		if (sign == '+')
			add |= BIT_ULL(i);
		else if (sign == '-')
			del |= BIT_ULL(i);
		else
			set |= BIT_ULL(i);
	}
	if (!words || (edits && edits != words) || (none && words != 1))
		return -EINVAL;
	*out = edits ? (old | add) & ~del : set;
	return 0;
}

static const char *flag_name(unsigned int bit)
{
	return flag_names[bit];
}

static const char *ns_name(unsigned int bit)
{
	return ns_names[bit];
}

/**
 * clonegate_ns_name() - the name of one namespace type
 * @bit: the bit of its CLONE_NEW* flag, 0 to 63
 *
 * Return: the name setns_types shows, or NULL if there is none.
 */
const char *clonegate_ns_name(unsigned int bit)
{
	return bit < ARRAY_SIZE(ns_names) ? ns_names[bit] : NULL;
}

/*
 * One word of digits in @base (10 or 16, without a prefix or a sign) as a
 * number no greater than @max: -EINVAL for anything else, -ERANGE for a
 * number greater than @max, however many leading zeros it has.
 */
static int parse_number(const char *w, size_t wlen, unsigned int base,
			u64 max, u64 *v)
{
	char num[24];
	size_t i, k;
	int err;

	if (!wlen)
		return -EINVAL;
	for (k = 0; k < wlen; k++)
		if (base == 16 ? !isxdigit(w[k]) : !isdigit(w[k]))
			return -EINVAL;
	for (i = 0; wlen - i > 1 && w[i] == '0'; i++)
		;
	if (wlen - i >= sizeof(num))
		return -ERANGE;
	memcpy(num, w + i, wlen - i);
	num[wlen - i] = '\0';
	err = kstrtou64(num, base, v);
	if (err)
		return err;
	return *v > max ? -ERANGE : 0;
}

/*
 * A hex mask ("0x10000100"), or the names and edits clonegate_parse_set()
 * takes, of the members @name knows.
 */
static int parse_mask(const char *buf, size_t len, clonegate_name_fn name,
		      u64 valid, u64 old, u64 *out)
{
	const char *end = buf + len, *w;
	size_t wlen, rest;
	u64 mask;
	int err;

	err = check_text(buf, len);
	if (err)
		return err;
	w = next_word(buf, end, &wlen);
	if (wlen < 3 || w[0] != '0' || (w[1] != 'x' && w[1] != 'X'))
		return clonegate_parse_set(buf, len, name, 64, valid, old, out);
	next_word(w + wlen, end, &rest);
	if (rest)
		return -EINVAL;
	err = parse_number(w + 2, wlen - 2, 16, U64_MAX, &mask);
	if (err)
		return err;
	if (mask & ~valid)
		return -EINVAL;
	*out = mask;
	return 0;
}

/**
 * clonegate_parse_flags() - parse a clone_flags or unshare_flags write
 * @buf: the written value
 * @len: its length
 * @valid: the bits this file may hold
 * @old: the current mask, for edits
 * @out: the new mask
 *
 * A hex mask ("0x10000100"), or the names and edits clonegate_parse_set()
 * takes.
 *
 * Return: 0, -E2BIG or -EINVAL for a value clonegate_parse_set() rejects or a
 * mask with bits outside @valid, or -ERANGE for a number wider than 64 bits.
 */
int clonegate_parse_flags(const char *buf, size_t len, u64 valid, u64 old,
			  u64 *out)
{
	return parse_mask(buf, len, flag_name, valid, old, out);
}

/**
 * clonegate_parse_ns_types() - parse a setns_types write
 * @buf: the written value
 * @len: its length
 * @old: the current set, for edits
 * @out: the new set, as CLONE_NEW* flags
 *
 * Namespace names ("net ipc"), +/- edits, "none", or a hex mask of
 * CLONE_NEW* flags, as clonegate_parse_flags().
 *
 * Return: as clonegate_parse_flags().
 */
int clonegate_parse_ns_types(const char *buf, size_t len, u64 old, u64 *out)
{
	return parse_mask(buf, len, ns_name, CLONEGATE_LINUX_NS_TYPES, old, out);
}

/**
 * clonegate_format_ns_types() - render a setns_types set as names
 * @buf: where to write
 * @size: its size
 * @types: the set, as CLONE_NEW* flags
 *
 * Return: the number of bytes written, including the final newline.
 */
int clonegate_format_ns_types(char *buf, size_t size, u64 types)
{
	return clonegate_format_set(buf, size, ns_name, ARRAY_SIZE(ns_names),
				    types);
}

/**
 * clonegate_format_flags() - render a flag mask as names in bit order
 * @buf: where to write
 * @size: its size
 * @flags: the mask
 *
 * Return: the number of bytes written, including the final newline.
 */
int clonegate_format_flags(char *buf, size_t size, u64 flags)
{
	return clonegate_format_set(buf, size, flag_name,
				    ARRAY_SIZE(flag_names), flags);
}

static const char *rule_name(unsigned int i)
{
	return clonegate_rule_name(i);
}

/**
 * clonegate_parse_rules() - parse a write to the rules file
 * @buf: the written value
 * @len: its length
 * @old: the enabled rules now
 * @out: the enabled rules after the write
 *
 * Only edits: "-set_tid +fs_newns". Rules are switched one by one, never
 * listed whole, so a write cannot switch off rows it did not name.
 *
 * Return: 0, or -EINVAL for a word without a sign and as
 * clonegate_parse_set().
 */
int clonegate_parse_rules(const char *buf, size_t len, u32 old, u32 *out)
{
	size_t wlen;
	const char *w = next_word(buf, buf + strnlen(buf, len), &wlen);
	u64 set;
	int err;

	if (len > CLONEGATE_VALUE_MAX)
		return -E2BIG;
	if (wlen && w[0] != '+' && w[0] != '-')
		return -EINVAL;
	err = clonegate_parse_set(buf, len, rule_name, CLONEGATE_RULE_COUNT,
				  CLONEGATE_RULES_ALL, old, &set);
	if (!err)
		*out = set;
	return err;
}

/* One value, with at most one trailing newline: its length without it. */
static int one_line(const char *buf, size_t len)
{
	if (len > CLONEGATE_VALUE_MAX)
		return -E2BIG;
	if (strnlen(buf, len) != len)
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		len--;
	return len;
}

/**
 * clonegate_parse_name() - match a written word against a table of names
 * @buf: the written value; one trailing newline is allowed
 * @len: its length
 * @names: the table
 * @count: its size
 *
 * Return: the index of the name, -E2BIG for a value longer than
 * CLONEGATE_VALUE_MAX, or -EINVAL.
 */
int clonegate_parse_name(const char *buf, size_t len,
			 const char *const *names, unsigned int count)
{
	int n = one_line(buf, len);
	unsigned int i;

	if (n < 0)
		return n;
	for (i = 0; i < count; i++)
		if (names[i] && strlen(names[i]) == n &&
		    !memcmp(names[i], buf, n))
			return i;
	return -EINVAL;
}

static const char *const reserved_scope_names[] = {
	CLONEGATE_HOST_SCOPE, "add", "remove",
};

/**
 * clonegate_parse_scope_name() - parse a write to scopes/add or scopes/remove
 * @buf: the written value; one trailing newline is allowed
 * @len: its length
 * @out: the name, NUL-terminated, CLONEGATE_SCOPE_LEN bytes
 *
 * A scope name is 1 to 32 characters of [a-z0-9_-]: it becomes a directory
 * name and a metrics label, so nothing else is taken. Nor are the name
 * records and metrics give the host policy, and the names of the files
 * beside the scopes' directories.
 *
 * Return: 0, -E2BIG for a value longer than CLONEGATE_VALUE_MAX, or -EINVAL.
 */
int clonegate_parse_scope_name(const char *buf, size_t len, char *out)
{
	int n = one_line(buf, len), i;

	if (n < 0)
		return n;
	if (n < 1 || n > CLONEGATE_SCOPE_LEN - 1)
		return -EINVAL;
	/* not islower(): the kernel's ctype takes Latin-1 letters as lower */
	for (i = 0; i < n; i++)
		if ((buf[i] < 'a' || buf[i] > 'z') && !isdigit(buf[i]) &&
		    buf[i] != '_' && buf[i] != '-')
			return -EINVAL;
	for (i = 0; i < ARRAY_SIZE(reserved_scope_names); i++)
		if (strlen(reserved_scope_names[i]) == n &&
		    !memcmp(reserved_scope_names[i], buf, n))
			return -EINVAL;
	memcpy(out, buf, n);
	out[n] = '\0';
	return 0;
}

/**
 * clonegate_parse_cgroup_path() - parse a write to scopes/<name>/cgroup
 * @buf: the written value; one trailing newline is allowed
 * @len: its length
 * @out: the path, NUL-terminated, CLONEGATE_CGROUP_PATH_MAX + 1 bytes
 * @depth: its depth: 0 for "/", 1 for "/a", ...
 *
 * An absolute cgroup v2 path as /proc/PID/cgroup shows it: it starts with
 * '/', has no empty, "." or ".." component (one trailing '/' is dropped),
 * holds printable ASCII only, and is at most CLONEGATE_SCOPE_DEPTH_MAX deep.
 * Whether it exists is for the caller to find out.
 *
 * Return: 0, -E2BIG for a value longer than CLONEGATE_VALUE_MAX, -ENAMETOOLONG
 * for a path longer than CLONEGATE_CGROUP_PATH_MAX, or -EINVAL.
 */
int clonegate_parse_cgroup_path(const char *buf, size_t len, char *out,
				int *depth)
{
	int n = one_line(buf, len), i, start, d = 0;

	if (n < 0)
		return n;
	if (n > 1 && buf[n - 1] == '/')
		n--;
	if (n < 1 || buf[0] != '/')
		return -EINVAL;
	if (n > CLONEGATE_CGROUP_PATH_MAX)
		return -ENAMETOOLONG;
	for (i = 0; i < n; i++)
		if (!isprint(buf[i]) || (unsigned char)buf[i] > 0x7f)
			return -EINVAL;
	for (start = 1; n > 1 && start <= n; start = i + 1) {
		for (i = start; i < n && buf[i] != '/'; i++)
			;
		if (i == start || (i - start == 1 && buf[start] == '.') ||
		    (i - start == 2 && buf[start] == '.' && buf[start + 1] == '.'))
			return -EINVAL;
		d++;
	}
	if (d > CLONEGATE_SCOPE_DEPTH_MAX)
		return -EINVAL;
	memcpy(out, buf, n);
	out[n] = '\0';
	*depth = d;
	return 0;
}

/**
 * clonegate_parse_ratelimit() - parse a write to events/ratelimit
 * @buf: the written value
 * @len: its length
 * @burst: the records a user may send at once
 * @rate: the records per second a user earns back
 *
 * "BURST RATE", or "0" for no limit. A burst needs a rate: with a rate of
 * 0 a user would be silenced for good after the first burst.
 *
 * Return: 0, -E2BIG, -ERANGE for a number that does not fit 32 bits, or
 * -EINVAL.
 */
int clonegate_parse_ratelimit(const char *buf, size_t len, u32 *burst,
			      u32 *rate)
{
	const char *end = buf + len, *w;
	size_t wlen;
	u64 v[2];
	int i, err;

	err = check_text(buf, len);
	if (err)
		return err;
	w = next_word(buf, end, &wlen);
	for (i = 0; i < 2 && wlen; i++) {
		/* a sign, as kstrtou32() would take it */
		size_t sign = w[0] == '+';

		err = parse_number(w + sign, wlen - sign, 10, U32_MAX, &v[i]);
		if (err)
			return err;
		w = next_word(w + wlen, end, &wlen);
	}
	if (wlen || !i)
		return -EINVAL;
	if (i == 1) {
		if (v[0])
			return -EINVAL;
		*burst = 0;
		*rate = 0;
		return 0;
	}
	if (!v[0] || !v[1])
		return -EINVAL;
	*burst = v[0];
	*rate = v[1];
	return 0;
}
