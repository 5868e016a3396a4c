// SPDX-License-Identifier: GPL-2.0
/*
 * The control surface, /sys/kernel/clonegate/, as only a running kernel
 * shows it: what sysfs and the module do with a write(2) (the byte count,
 * the errno, a value cut at a page, a value split over two writes, a write
 * of zero bytes), what a refused write leaves (every file as it was), which
 * files refuse to be opened for writing, who may write, and what calls and
 * readers see while the policy is swapped under them.
 *
 * The tests are matrices: one row per writable file and error class, one
 * row per file and accepted form, one row per read-only file, one row per
 * writable file and kind of caller. Every corner of the parsers is KUnit's
 * (kunit/parse_kunit.c); a row here shows the class reaches user space with
 * its errno and changes nothing.
 *
 * Names come from the uapi header's tables, never from a list written here.
 * locked is only ever written with values it must refuse: locking is
 * irreversible until reboot and has a lane stage of its own. Every test
 * leaves the files as it found them.
 */
#include "common.h"
#include "harness.h"

#include <dirent.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/mman.h>

/* --- the module's names, from the uapi header ---------------------------- */

#define NAME_(n, id, nm) [n] = #nm,
static const char *const mode_names[] = { CLONEGATE_MODES(NAME_) };
static const char *const profile_names[] = { CLONEGATE_PROFILES(NAME_) };
static const char *const decision_names[] = { CLONEGATE_DECISIONS(NAME_) };
static const char *const channel_names[] = { CLONEGATE_CHANNELS(NAME_) };
static const char *const field_names[] = { CLONEGATE_FIELDS(NAME_) };
#undef NAME_
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const flag_names[64] = CLONEGATE_FLAG_NAMES;
static const char *const ns_names[64] = CLONEGATE_NS_NAMES;

#define RULE_BIT_(n, id, nm) RULE_##id = n,
enum { CLONEGATE_RULES(RULE_BIT_) };
#undef RULE_BIT_

#define ALL_RULES ((uint32_t)((1ULL << CG_N_RULES) - 1))

/* --- the files that hold the state --------------------------------------- */

/*
 * Every writable file, and scopes/ (the names of the scopes, one a line):
 * a snapshot is their text at one moment.
 */
enum cg_file {
	F_MODE, F_PROFILE, F_CLONE, F_UNSHARE, F_SETNS, F_RULES, F_LOCKED,
	F_DECISIONS, F_CHANNELS, F_FIELDS, F_RATELIMIT, F_SCOPES, F_COUNT
};

static const char *const file_name[F_COUNT] = {
	"mode", "profile", "clone_flags", "unshare_flags", "setns_types",
	"rules", "locked", "events/decisions", "events/channels",
	"events/context_fields", "events/ratelimit", "scopes/",
};

/* The files a profile write sets, besides profile itself. */
static const int policy_sets[] = { F_CLONE, F_UNSHARE, F_SETNS, F_RULES };

#define TEXT_MAX 4096

struct snapshot {
	char text[F_COUNT][TEXT_MAX];
};

static void cg_path(char *path, size_t size, const char *rel)
{
	snprintf(path, size, CG "%s", rel);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The names under scopes/ but add and remove, sorted, one a line. */
static int read_scopes(char *buf, size_t size)
{
	char names[64][256], *sorted[64];
	struct dirent *e;
	size_t n = 0, i, len = 0;
	DIR *d = opendir(CG "scopes");

	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < COUNT(names)) {
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "add") ||
		    !strcmp(e->d_name, "remove"))
			continue;
		snprintf(names[n], sizeof(names[n]), "%s", e->d_name);
		sorted[n] = names[n];
		n++;
	}
	closedir(d);
	qsort(sorted, n, sizeof(sorted[0]), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		len += snprintf(buf + len, size - len, "%s\n", sorted[i]);
	return 0;
}

static int read_state(int file, char *buf)
{
	char path[128];
	int n;

	if (file == F_SCOPES)
		return read_scopes(buf, TEXT_MAX);
	cg_path(path, sizeof(path), file_name[file]);
	n = cg_read(path, buf, TEXT_MAX);
	return n < 0 ? n : 0;
}

static int snapshot_read(struct snapshot *s)
{
	int i, err;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < F_COUNT; i++) {
		err = read_state(i, s->text[i]);
		if (err)
			return err;
	}
	return 0;
}

/* The first file whose text differs, or -1. */
static int snapshot_diff(const struct snapshot *a, const struct snapshot *b)
{
	int i;

	for (i = 0; i < F_COUNT; i++)
		if (strcmp(a->text[i], b->text[i]))
			return i;
	return -1;
}

/* What one write() of len bytes to path returned: the count, or -errno. */
static ssize_t write_path(const char *rel, const void *val, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	cg_path(path, sizeof(path), rel);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

/* Write a value that must be taken: 0, or the error. */
static int set_file(int file, const char *val)
{
	ssize_t n = write_path(file_name[file], val, strlen(val));

	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? n : -EIO;
}

/* Whether text, lines each ending in a newline, has line. */
static int has_line(const char *text, const char *line)
{
	size_t n = strlen(line);
	const char *p;

	for (p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return 1;
	return 0;
}

/*
 * Put a snapshot back: the profile, then its edits if custom, the mode,
 * the event settings; scopes not in it are removed. locked cannot be.
 */
static int snapshot_restore(const struct snapshot *s)
{
	char scopes[TEXT_MAX], *name, *save;
	size_t i;
	int err;

	if (!strcmp(s->text[F_PROFILE], "custom\n")) {
		err = set_file(F_PROFILE, "gvisor");
		for (i = 0; !err && i < COUNT(policy_sets); i++)
			err = set_file(policy_sets[i], s->text[policy_sets[i]]);
	} else {
		err = set_file(F_PROFILE, s->text[F_PROFILE]);
	}
	err = err ?: set_file(F_MODE, s->text[F_MODE]);
	err = err ?: set_file(F_DECISIONS, s->text[F_DECISIONS]);
	err = err ?: set_file(F_CHANNELS, s->text[F_CHANNELS]);
	err = err ?: set_file(F_FIELDS, s->text[F_FIELDS]);
	err = err ?: set_file(F_RATELIMIT, s->text[F_RATELIMIT]);
	if (err || read_scopes(scopes, sizeof(scopes)))
		return err ?: -EIO;
	for (name = strtok_r(scopes, "\n", &save); name;
	     name = strtok_r(NULL, "\n", &save))
		if (!has_line(s->text[F_SCOPES], name) &&
		    write_path("scopes/remove", name, strlen(name)) < 0)
			return -EIO;
	return 0;
}

/* A written value as C source, for messages; "..." if cut. */
static const char *esc(const char *s, size_t len)
{
	static char buf[4][300];
	static int next;
	char *b = buf[next++ & 3], *p = b;
	size_t i;

	for (i = 0; i < len && p < b + sizeof(buf[0]) - 8; i++) {
		unsigned char c = s[i];

		if (c == '\n')
			p += sprintf(p, "\\n");
		else if (c == '\t')
			p += sprintf(p, "\\t");
		else if (c == '"' || c == '\\')
			p += sprintf(p, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			p += sprintf(p, "\\x%02x", c);
		else
			*p++ = c;
	}
	if (i < len)
		p += sprintf(p, "...");
	*p = '\0';
	return b;
}

static const char *esc_s(const char *s)
{
	return esc(s, strlen(s));
}

static const char *result(ssize_t r)
{
	static char buf[4][64];
	static int next;
	char *b = buf[next++ & 3];

	if (r < 0)
		snprintf(b, sizeof(buf[0]), "%s", strerror(-r));
	else
		snprintf(b, sizeof(buf[0]), "%zd bytes taken", r);
	return b;
}

/* Every file reads as in want; the first that does not is logged. */
#define EXPECT_SNAPSHOT(want, got, what)				\
	do {								\
		int d_ = snapshot_diff(want, got);			\
									\
		EXPECT_EQ(-1, d_)					\
			TH_LOG("%s: %s reads \"%s\", not \"%s\"", what,	\
			       file_name[d_], esc_s((got)->text[d_]),	\
			       esc_s((want)->text[d_]));		\
	} while (0)

/* --- the texts the files show, from the header's masks ------------------- */

/* Names of the set's members in order, "none" if empty; then a newline. */
static void set_text(char *buf, size_t size, const char *const *names,
		     unsigned int count, uint64_t set)
{
	size_t len = 0;
	unsigned int i;

	buf[0] = '\0';
	for (i = 0; i < count; i++)
		if ((set >> i & 1) && names[i])
			len += snprintf(buf + len, size - len, "%s%s",
					len ? " " : "", names[i]);
	snprintf(buf + len, size - len, "%s\n", len ? "" : "none");
}

static void rules_text(char *buf, size_t size, uint32_t on)
{
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < CG_N_RULES; i++)
		len += snprintf(buf + len, size - len, "%c%s\n",
				on >> i & 1 ? '+' : '-', cg_rule_names[i]);
}

enum { GVISOR, PERMISSIVE };

/* What each file a profile sets reads after that profile was written. */
static void profile_texts(struct snapshot *s, int profile)
{
	int p = profile == PERMISSIVE;

	snprintf(s->text[F_PROFILE], TEXT_MAX, "%s\n", profile_names[profile]);
	set_text(s->text[F_CLONE], TEXT_MAX, flag_names, 64,
		 p ? CLONEGATE_LINUX_FLAGS : CLONEGATE_GVISOR_CLONE_FLAGS);
	set_text(s->text[F_UNSHARE], TEXT_MAX, flag_names, 64,
		 p ? CLONEGATE_LINUX_UNSHARE_FLAGS :
		     CLONEGATE_GVISOR_UNSHARE_FLAGS);
	set_text(s->text[F_SETNS], TEXT_MAX, ns_names, 64,
		 p ? CLONEGATE_LINUX_NS_TYPES : CLONEGATE_GVISOR_NS_TYPES);
	rules_text(s->text[F_RULES], TEXT_MAX,
		   p ? 1u << RULE_UNSUPPORTED_FLAG : ALL_RULES);
}

/* The event settings a loaded module starts with. */
static void default_events(struct snapshot *s)
{
	set_text(s->text[F_DECISIONS], TEXT_MAX, decision_names,
		 COUNT(decision_names),
		 1u << CLONEGATE_EV_DENIED | 1u << CLONEGATE_EV_AUDITED);
	set_text(s->text[F_CHANNELS], TEXT_MAX, channel_names,
		 COUNT(channel_names), (1u << COUNT(channel_names)) - 1);
	set_text(s->text[F_FIELDS], TEXT_MAX, field_names, COUNT(field_names),
		 ((1u << CLONEGATE_FIELD_COUNT) - 1) & ~CLONEGATE_FIELD_CWD);
}

/* --- every test starts from gvisor, audit, default events ---------------- */

/*
 * Saves every file, then sets the profile gvisor, the mode audit and the
 * default event settings; the rate limit and the scopes stay as they are.
 * A missing module or a locked policy is a SKIP: nothing can be written.
 */
static void policy_setup(struct __test_metadata *_metadata,
			 struct snapshot *saved)
{
	struct snapshot start;

	if (!cg_loaded())
		SKIP(_exit(255), "clonegate is not loaded");
	ASSERT_EQ(0, snapshot_read(saved));
	if (strcmp(saved->text[F_LOCKED], "0\n"))
		SKIP(_exit(255), "the policy is locked: nothing can be written");
	default_events(&start);
	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	ASSERT_EQ(0, set_file(F_DECISIONS, start.text[F_DECISIONS]));
	ASSERT_EQ(0, set_file(F_CHANNELS, start.text[F_CHANNELS]));
	ASSERT_EQ(0, set_file(F_FIELDS, start.text[F_FIELDS]));
}

static void policy_teardown(struct __test_metadata *_metadata,
			    const struct snapshot *saved)
{
	struct snapshot now;

	EXPECT_EQ(0, snapshot_restore(saved));
	ASSERT_EQ(0, snapshot_read(&now));
	EXPECT_SNAPSHOT(saved, &now, "after the test, put back");
}

/* --- a refused write: its errno, and nothing changes --------------------- */

FIXTURE(refused) {
	struct snapshot saved;
};

enum { WHOLE, PAST_MAX, PAST_PAGE };

FIXTURE_VARIANT(refused) {
	int file;
	const char *val;
	size_t len;
	int size;	/* WHOLE, or val padded with spaces past a limit */
	size_t split;	/* written in two write()s cut here, each refused */
	int err;	/* 0: a write of zero bytes, which returns 0 */
};

/* sizeof, not strlen: some values hold a NUL */
#define REFUSED(id, f, v, e)						\
	FIXTURE_VARIANT_ADD(refused, id) {				\
		.file = f, .val = v, .len = sizeof(v) - 1, .err = e,	\
	}
/* Past 1024 bytes, then past a page (sysfs passes the first page only). */
#define OVERSIZE(id, f, v)						\
	FIXTURE_VARIANT_ADD(refused, id##_past_1024_bytes) {		\
		.file = f, .val = v, .len = sizeof(v) - 1,		\
		.size = PAST_MAX, .err = E2BIG,				\
	};								\
	FIXTURE_VARIANT_ADD(refused, id##_past_a_page) {		\
		.file = f, .val = v, .len = sizeof(v) - 1,		\
		.size = PAST_PAGE, .err = E2BIG,			\
	}
/* A value written in two halves: sysfs passes each as a whole value. */
#define SPLIT(id, f, v, at)						\
	FIXTURE_VARIANT_ADD(refused, id) {				\
		.file = f, .val = v, .len = sizeof(v) - 1, .split = at,	\
		.err = EINVAL,						\
	}
#define ZERO_BYTES(id, f)						\
	FIXTURE_VARIANT_ADD(refused, id) { .file = f, .val = "" }

/*
 * The heads of the oversized values, and the values cut in two, are values
 * the file takes: only their length or the cut refuses them.
 */
REFUSED(mode_unknown_name, F_MODE, "enforcing", EINVAL);
REFUSED(mode_whitespace_only, F_MODE, " \n", EINVAL);
ZERO_BYTES(mode_zero_bytes, F_MODE);
REFUSED(mode_embedded_nul, F_MODE, "enforce\0", EINVAL);
OVERSIZE(mode, F_MODE, "enforce");
REFUSED(mode_number, F_MODE, "2", EINVAL);
REFUSED(mode_two_names, F_MODE, "enforce\nenforce", EINVAL);
REFUSED(mode_byte_above_0x7f, F_MODE, "enforce\xa0", EINVAL);
SPLIT(mode_split, F_MODE, "enforce", 3);

REFUSED(profile_unknown_name, F_PROFILE, "default", EINVAL);
REFUSED(profile_whitespace_only, F_PROFILE, "\n", EINVAL);
ZERO_BYTES(profile_zero_bytes, F_PROFILE);
REFUSED(profile_embedded_nul, F_PROFILE, "permissive\0", EINVAL);
OVERSIZE(profile, F_PROFILE, "permissive");
REFUSED(profile_number, F_PROFILE, "1", EINVAL);
REFUSED(profile_two_names, F_PROFILE, "permissive permissive", EINVAL);
REFUSED(profile_byte_above_0x7f, F_PROFILE, "permissive\xff", EINVAL);
REFUSED(profile_custom, F_PROFILE, "custom\n", EINVAL);
SPLIT(profile_split, F_PROFILE, "permissive", 6);

REFUSED(clone_flags_unknown_name, F_CLONE, "+nosuch", EINVAL);
REFUSED(clone_flags_whitespace_only, F_CLONE, " ,\t\n", EINVAL);
ZERO_BYTES(clone_flags_zero_bytes, F_CLONE);
REFUSED(clone_flags_embedded_nul, F_CLONE, "+newcgroup\0", EINVAL);
OVERSIZE(clone_flags, F_CLONE, "+newcgroup");
REFUSED(clone_flags_decimal, F_CLONE, "256", EINVAL);
REFUSED(clone_flags_duplicate, F_CLONE, "+newcgroup +newcgroup", EINVAL);
REFUSED(clone_flags_mixed_forms, F_CLONE, "+newcgroup vm", EINVAL);
REFUSED(clone_flags_byte_above_0x7f, F_CLONE, "+newcgroup\xa0+newtime",
	EINVAL);
REFUSED(clone_flags_undefined_bit, F_CLONE, "0x4000000000", EINVAL);
REFUSED(clone_flags_wider_than_64_bits, F_CLONE, "0x10000000000000000",
	ERANGE);
SPLIT(clone_flags_split, F_CLONE, "+newcgroup", 5);

REFUSED(unshare_flags_unknown_name, F_UNSHARE, "+nosuch", EINVAL);
REFUSED(unshare_flags_whitespace_only, F_UNSHARE, "\t\n", EINVAL);
ZERO_BYTES(unshare_flags_zero_bytes, F_UNSHARE);
REFUSED(unshare_flags_embedded_nul, F_UNSHARE, "+newcgroup\0", EINVAL);
OVERSIZE(unshare_flags, F_UNSHARE, "+newcgroup");
REFUSED(unshare_flags_decimal, F_UNSHARE, "33554432", EINVAL);
REFUSED(unshare_flags_duplicate, F_UNSHARE, "+newcgroup -newcgroup",
	EINVAL);
REFUSED(unshare_flags_mixed_forms, F_UNSHARE, "newns -newnet", EINVAL);
REFUSED(unshare_flags_byte_above_0x7f, F_UNSHARE, "+newcgroup\xa0+newtime",
	EINVAL);
REFUSED(unshare_flags_clone_only_flag, F_UNSHARE, "+pidfd", EINVAL);
REFUSED(unshare_flags_wider_than_64_bits, F_UNSHARE, "0x10000000000000000",
	ERANGE);
SPLIT(unshare_flags_split, F_UNSHARE, "+newcgroup", 5);

REFUSED(setns_types_unknown_name, F_SETNS, "+newpid", EINVAL);
REFUSED(setns_types_whitespace_only, F_SETNS, " \n", EINVAL);
ZERO_BYTES(setns_types_zero_bytes, F_SETNS);
REFUSED(setns_types_embedded_nul, F_SETNS, "+pid\0", EINVAL);
OVERSIZE(setns_types, F_SETNS, "+pid");
REFUSED(setns_types_decimal, F_SETNS, "1073741824", EINVAL);
REFUSED(setns_types_duplicate, F_SETNS, "net net", EINVAL);
REFUSED(setns_types_mixed_forms, F_SETNS, "net +ipc", EINVAL);
REFUSED(setns_types_byte_above_0x7f, F_SETNS, "+pid\xa0+user", EINVAL);
REFUSED(setns_types_not_a_namespace, F_SETNS, "0x100", EINVAL);
REFUSED(setns_types_wider_than_64_bits, F_SETNS, "0x10000000000000000",
	ERANGE);
SPLIT(setns_types_split, F_SETNS, "+user", 3);

REFUSED(rules_unknown_name, F_RULES, "-nosuch", EINVAL);
REFUSED(rules_whitespace_only, F_RULES, "\n\n", EINVAL);
ZERO_BYTES(rules_zero_bytes, F_RULES);
REFUSED(rules_embedded_nul, F_RULES, "-set_tid\0", EINVAL);
OVERSIZE(rules, F_RULES, "-set_tid");
REFUSED(rules_number, F_RULES, "-1", EINVAL);
REFUSED(rules_duplicate, F_RULES, "-set_tid -set_tid", EINVAL);
REFUSED(rules_mixed_forms, F_RULES, "-set_tid fs_newns", EINVAL);
REFUSED(rules_without_sign, F_RULES, "set_tid", EINVAL);
REFUSED(rules_byte_above_0x7f, F_RULES, "-set_tid\xa0-fs_newns", EINVAL);
REFUSED(rules_flag_name, F_RULES, "-vm", EINVAL);
REFUSED(rules_removed_rule, F_RULES, "-newuser_chroot", EINVAL);
SPLIT(rules_split, F_RULES, "-set_tid", 5);

REFUSED(decisions_unknown_name, F_DECISIONS, "+nosuch", EINVAL);
REFUSED(decisions_whitespace_only, F_DECISIONS, " ", EINVAL);
ZERO_BYTES(decisions_zero_bytes, F_DECISIONS);
REFUSED(decisions_embedded_nul, F_DECISIONS, "+allowed\0", EINVAL);
OVERSIZE(decisions, F_DECISIONS, "+allowed");
REFUSED(decisions_mask, F_DECISIONS, "0x7", EINVAL);
REFUSED(decisions_duplicate, F_DECISIONS, "denied denied", EINVAL);
REFUSED(decisions_mixed_forms, F_DECISIONS, "denied +allowed", EINVAL);
REFUSED(decisions_byte_above_0x7f, F_DECISIONS, "+allowed\xa0", EINVAL);
REFUSED(decisions_channel_name, F_DECISIONS, "-dev", EINVAL);
SPLIT(decisions_split, F_DECISIONS, "+allowed", 4);

REFUSED(channels_unknown_name, F_CHANNELS, "-nosuch", EINVAL);
REFUSED(channels_whitespace_only, F_CHANNELS, "\n", EINVAL);
ZERO_BYTES(channels_zero_bytes, F_CHANNELS);
REFUSED(channels_embedded_nul, F_CHANNELS, "-dev\0", EINVAL);
OVERSIZE(channels, F_CHANNELS, "-dev");
REFUSED(channels_mask, F_CHANNELS, "0x1", EINVAL);
REFUSED(channels_duplicate, F_CHANNELS, "-dev +dev", EINVAL);
REFUSED(channels_mixed_forms, F_CHANNELS, "audit -dev", EINVAL);
REFUSED(channels_byte_above_0x7f, F_CHANNELS, "-dev\xa0-trace", EINVAL);
REFUSED(channels_decision_name, F_CHANNELS, "+allowed", EINVAL);
SPLIT(channels_split, F_CHANNELS, "-trace", 3);

REFUSED(context_fields_unknown_name, F_FIELDS, "+nosuch", EINVAL);
REFUSED(context_fields_whitespace_only, F_FIELDS, "\t", EINVAL);
ZERO_BYTES(context_fields_zero_bytes, F_FIELDS);
REFUSED(context_fields_embedded_nul, F_FIELDS, "+cwd\0", EINVAL);
OVERSIZE(context_fields, F_FIELDS, "+cwd");
REFUSED(context_fields_mask, F_FIELDS, "0x80", EINVAL);
REFUSED(context_fields_duplicate, F_FIELDS, "time time", EINVAL);
REFUSED(context_fields_mixed_forms, F_FIELDS, "time +cwd", EINVAL);
REFUSED(context_fields_byte_above_0x7f, F_FIELDS, "+cwd\xa0-time", EINVAL);
REFUSED(context_fields_channel_name, F_FIELDS, "+audit", EINVAL);
SPLIT(context_fields_split, F_FIELDS, "+cwd", 2);

REFUSED(ratelimit_not_a_number, F_RATELIMIT, "many", EINVAL);
REFUSED(ratelimit_whitespace_only, F_RATELIMIT, " \n", EINVAL);
ZERO_BYTES(ratelimit_zero_bytes, F_RATELIMIT);
REFUSED(ratelimit_embedded_nul, F_RATELIMIT, "7\0 3", EINVAL);
OVERSIZE(ratelimit, F_RATELIMIT, "7 3");
REFUSED(ratelimit_hex, F_RATELIMIT, "0x7 3", EINVAL);
REFUSED(ratelimit_three_numbers, F_RATELIMIT, "7 3 3", EINVAL);
REFUSED(ratelimit_burst_without_rate, F_RATELIMIT, "7", EINVAL);
REFUSED(ratelimit_zero_rate, F_RATELIMIT, "7 0", EINVAL);
REFUSED(ratelimit_byte_above_0x7f, F_RATELIMIT, "7\xa0" "3", EINVAL);
REFUSED(ratelimit_wider_than_32_bits, F_RATELIMIT, "4294967296 3", ERANGE);
SPLIT(ratelimit_split, F_RATELIMIT, "7 3", 1);

/* never a value that is "1" once whitespace is dropped, but "1\0" */
REFUSED(locked_unknown_name, F_LOCKED, "yes", EINVAL);
REFUSED(locked_whitespace_only, F_LOCKED, "\n", EINVAL);
ZERO_BYTES(locked_zero_bytes, F_LOCKED);
REFUSED(locked_embedded_nul, F_LOCKED, "1\0", EINVAL);
OVERSIZE(locked, F_LOCKED, "0");
REFUSED(locked_unlock, F_LOCKED, "0\n", EINVAL);
REFUSED(locked_two_values, F_LOCKED, "0 0", EINVAL);
REFUSED(locked_byte_above_0x7f, F_LOCKED, "\xb9", EINVAL);

FIXTURE_SETUP(refused)
{
	policy_setup(_metadata, &self->saved);
}

FIXTURE_TEARDOWN(refused)
{
	policy_teardown(_metadata, &self->saved);
}

TEST_F(refused, errno_and_every_file_as_before)
{
	const char *f = file_name[variant->file];
	size_t len = variant->len;
	struct snapshot before, after;
	char *buf = (char *)variant->val;
	ssize_t r, r2 = 0;

	if (variant->size != WHOLE) {
		len = variant->size == PAST_MAX ? 1025 :
			(size_t)sysconf(_SC_PAGESIZE) + 16;
		buf = malloc(len);
		ASSERT_TRUE(buf != NULL);
		memset(buf, ' ', len);
		memcpy(buf, variant->val, variant->len);
	}
	ASSERT_EQ(0, snapshot_read(&before));
	if (variant->split) {
		char path[128];
		int fd;

		cg_path(path, sizeof(path), f);
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd) TH_LOG("%s: %s", path, strerror(errno));
		r = write(fd, buf, variant->split);
		if (r < 0)
			r = -errno;
		r2 = write(fd, buf + variant->split, len - variant->split);
		if (r2 < 0)
			r2 = -errno;
		close(fd);
		EXPECT_EQ(-variant->err, r2)
			TH_LOG("%s <- \"%s\" after \"%s\": want %s, got %s", f,
			       esc(buf + variant->split, len - variant->split),
			       esc(buf, variant->split),
			       strerror(variant->err), result(r2));
		len = variant->split;
	} else {
		r = write_path(f, buf, len);
	}
	EXPECT_EQ(-variant->err, r)
		TH_LOG("%s <- %zu bytes \"%s\"%s: want %s, got %s", f, len,
		       esc(buf, len < 40 ? len : 40), len < 40 ? "" : "...",
		       variant->err ? strerror(variant->err) : "0 bytes taken",
		       result(r));
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_SNAPSHOT(&before, &after, "after the refused write");
	if (buf != variant->val)
		free(buf);
}

/* --- an accepted write: what reads back ---------------------------------- */

FIXTURE(taken) {
	struct snapshot saved;
};

FIXTURE_VARIANT(taken) {
	int prep_file;		/* written first, with prep; none if !prep */
	const char *prep;
	int file;
	const char *val;	/* NULL: the file's own text */
	const char *want;	/* NULL: the text it had */
	int custom;		/* the profile then reads custom */
};

#define TAKEN(id) FIXTURE_VARIANT_ADD(taken, id)

/*
 * *_readback_writes_back: the text a file reads is a value it takes, and
 * one that changes nothing but the profile, which any edit makes custom.
 */
TAKEN(mode_off) {
	.file = F_MODE, .val = "off", .want = "off\n",
};
TAKEN(mode_enforce) {
	.file = F_MODE, .val = "enforce\n", .want = "enforce\n",
};
TAKEN(mode_audit) {
	.prep_file = F_MODE, .prep = "off",
	.file = F_MODE, .val = "audit", .want = "audit\n",
};
TAKEN(mode_keeps_an_edited_policy) {
	.prep_file = F_CLONE, .prep = "+newcgroup",
	.file = F_MODE, .val = "enforce", .want = "enforce\n",
};

TAKEN(clone_flags_gvisor_readback_writes_back) {
	.file = F_CLONE, .custom = 1,
};
TAKEN(clone_flags_permissive_readback_writes_back) {
	.prep_file = F_PROFILE, .prep = "permissive",
	.file = F_CLONE, .custom = 1,
};
TAKEN(clone_flags_none_readback_writes_back) {
	.prep_file = F_CLONE, .prep = "none",
	.file = F_CLONE, .custom = 1,
};
TAKEN(clone_flags_edit_of_current_set) {
	.prep_file = F_CLONE, .prep = "vm fs newnet",
	.file = F_CLONE, .val = "+newcgroup -newnet",
	.want = "vm fs newcgroup\n", .custom = 1,
};
TAKEN(clone_flags_noop_edit_makes_custom) {
	.file = F_CLONE, .val = "+vm -newcgroup", .custom = 1,
};
TAKEN(clone_flags_7x_names) {
	.file = F_CLONE, .val = "empty_mntns,nnp pidfd_autokill\tautoreap\n",
	.want = "autoreap nnp pidfd_autokill empty_mntns\n", .custom = 1,
};
TAKEN(clone_flags_hex_reads_as_names) {
	.file = F_CLONE, .val = "0x3c00000100",
	.want = "vm autoreap nnp pidfd_autokill empty_mntns\n", .custom = 1,
};

TAKEN(unshare_flags_gvisor_readback_writes_back) {
	.file = F_UNSHARE, .custom = 1,
};
TAKEN(unshare_flags_permissive_readback_writes_back) {
	.prep_file = F_PROFILE, .prep = "permissive",
	.file = F_UNSHARE, .custom = 1,
};
TAKEN(unshare_flags_edit_of_current_set) {
	.prep_file = F_UNSHARE, .prep = "newns newnet",
	.file = F_UNSHARE, .val = "-newnet +newcgroup",
	.want = "newns newcgroup\n", .custom = 1,
};
TAKEN(unshare_flags_noop_edit_makes_custom) {
	.file = F_UNSHARE, .val = "+newnet", .custom = 1,
};
TAKEN(unshare_flags_hex_reads_as_names) {
	.file = F_UNSHARE, .val = "0x2000000", .want = "newcgroup\n",
	.custom = 1,
};

TAKEN(setns_types_gvisor_readback_writes_back) {
	.file = F_SETNS, .custom = 1,
};
TAKEN(setns_types_permissive_readback_writes_back) {
	.prep_file = F_PROFILE, .prep = "permissive",
	.file = F_SETNS, .custom = 1,
};
TAKEN(setns_types_none_readback_writes_back) {
	.prep_file = F_SETNS, .prep = "none",
	.file = F_SETNS, .custom = 1,
};
TAKEN(setns_types_list_reads_in_bit_order) {
	.file = F_SETNS, .val = "net uts", .want = "uts net\n", .custom = 1,
};
TAKEN(setns_types_edit_of_current_set) {
	.prep_file = F_SETNS, .prep = "mnt net",
	.file = F_SETNS, .val = "-mnt +pid", .want = "pid net\n", .custom = 1,
};
TAKEN(setns_types_noop_edit_makes_custom) {
	.file = F_SETNS, .val = "+net", .custom = 1,
};
TAKEN(setns_types_hex_reads_as_names) {
	.file = F_SETNS, .val = "0x40000000", .want = "net\n", .custom = 1,
};

TAKEN(rules_gvisor_readback_writes_back) {
	.file = F_RULES, .custom = 1,
};
TAKEN(rules_permissive_readback_writes_back) {
	.prep_file = F_PROFILE, .prep = "permissive",
	.file = F_RULES, .custom = 1,
};
TAKEN(rules_some_off_readback_writes_back) {
	.prep_file = F_RULES, .prep = "-set_tid -ns_needs_cap",
	.file = F_RULES, .custom = 1,
};
TAKEN(rules_noop_edit_makes_custom) {
	.file = F_RULES, .val = "+set_tid", .custom = 1,
};

TAKEN(decisions_default_readback_writes_back) {
	.file = F_DECISIONS,
};
TAKEN(decisions_edit_of_current_set) {
	.file = F_DECISIONS, .val = "+allowed -audited",
	.want = "allowed denied\n",
};
TAKEN(decisions_list_reads_in_order) {
	.file = F_DECISIONS, .val = "audited allowed",
	.want = "allowed audited\n",
};
TAKEN(decisions_none) {
	.file = F_DECISIONS, .val = "none", .want = "none\n",
};

TAKEN(channels_default_readback_writes_back) {
	.file = F_CHANNELS,
};
TAKEN(channels_edit_of_current_set) {
	.file = F_CHANNELS, .val = "-dev", .want = "audit trace\n",
};
TAKEN(channels_none) {
	.file = F_CHANNELS, .val = "none\n", .want = "none\n",
};

TAKEN(context_fields_default_readback_writes_back) {
	.file = F_FIELDS,
};
TAKEN(context_fields_list_reads_in_order) {
	.file = F_FIELDS, .val = "process_name time",
	.want = "time process_name\n",
};
TAKEN(context_fields_edit_of_current_set) {
	.prep_file = F_FIELDS, .prep = "time",
	.file = F_FIELDS, .val = "+cwd -time", .want = "cwd\n",
};

TAKEN(ratelimit_readback_writes_back) {
	.prep_file = F_RATELIMIT, .prep = "7 3",
	.file = F_RATELIMIT,
};
TAKEN(ratelimit_no_limit) {
	.file = F_RATELIMIT, .val = "0", .want = "0\n",
};
TAKEN(ratelimit_burst_and_rate) {
	.file = F_RATELIMIT, .val = " 9\t4\n", .want = "9 4\n",
};

FIXTURE_SETUP(taken)
{
	policy_setup(_metadata, &self->saved);
}

FIXTURE_TEARDOWN(taken)
{
	policy_teardown(_metadata, &self->saved);
}

TEST_F(taken, reads_back_and_nothing_else_changes)
{
	const char *f = file_name[variant->file];
	struct snapshot before, want, after;
	const char *val;
	ssize_t r;

	if (variant->prep) {
		ASSERT_EQ(0, set_file(variant->prep_file, variant->prep))
			TH_LOG("%s <- \"%s\"", file_name[variant->prep_file],
			       variant->prep);
	}
	ASSERT_EQ(0, snapshot_read(&before));
	want = before;
	val = variant->val ?: before.text[variant->file];
	if (variant->want)
		snprintf(want.text[variant->file], TEXT_MAX, "%s",
			 variant->want);
	if (variant->custom)
		snprintf(want.text[F_PROFILE], TEXT_MAX, "custom\n");
	r = write_path(f, val, strlen(val));
	ASSERT_EQ((ssize_t)strlen(val), r)
		TH_LOG("%s <- \"%s\": %s", f, esc_s(val), result(r));
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_SNAPSHOT(&want, &after, esc_s(val));
}

/* --- a profile write: the whole profile, and the mode kept --------------- */

FIXTURE(profile) {
	struct snapshot saved;
};

FIXTURE_VARIANT(profile) {
	int profile;
	const char *val;
	const char *mode;
	/* documented text, written out as a check on the header's masks */
	const char *setns_text;
	const char *clone_tail;
};

FIXTURE_VARIANT_ADD(profile, gvisor_in_enforce) {
	.profile = GVISOR, .val = "gvisor", .mode = "enforce",
	.setns_text = "mnt uts ipc net\n",
	.clone_tail = " newuser newpid newnet io\n",
};

FIXTURE_VARIANT_ADD(profile, gvisor_in_off) {
	.profile = GVISOR, .val = "gvisor\n", .mode = "off",
	.setns_text = "mnt uts ipc net\n",
	.clone_tail = " newuser newpid newnet io\n",
};

FIXTURE_VARIANT_ADD(profile, permissive_in_enforce) {
	.profile = PERMISSIVE, .val = "permissive\n", .mode = "enforce",
	.setns_text = "time mnt cgroup uts ipc user pid net\n",
	.clone_tail = " into_cgroup autoreap nnp pidfd_autokill empty_mntns\n",
};

FIXTURE_VARIANT_ADD(profile, permissive_in_audit) {
	.profile = PERMISSIVE, .val = "permissive", .mode = "audit",
	.setns_text = "time mnt cgroup uts ipc user pid net\n",
	.clone_tail = " into_cgroup autoreap nnp pidfd_autokill empty_mntns\n",
};

FIXTURE_SETUP(profile)
{
	policy_setup(_metadata, &self->saved);
}

FIXTURE_TEARDOWN(profile)
{
	policy_teardown(_metadata, &self->saved);
}

/* Every edit undone, every set as the profile has it, the mode kept. */
TEST_F(profile, loads_whole_and_keeps_the_mode)
{
	struct snapshot before, want, after;
	const char *clone;
	ssize_t r;

	/* the flag check off first: other tasks' calls go on meanwhile */
	ASSERT_EQ(0, set_file(F_RULES, "-unsupported_flag +set_tid"));
	ASSERT_EQ(0, set_file(F_CLONE, "vm"));
	ASSERT_EQ(0, set_file(F_UNSHARE, "0x0"));
	ASSERT_EQ(0, set_file(F_SETNS, "none"));
	ASSERT_EQ(0, set_file(F_MODE, variant->mode));
	ASSERT_EQ(0, snapshot_read(&before));
	ASSERT_STREQ("custom\n", before.text[F_PROFILE]);
	want = before;
	profile_texts(&want, variant->profile);
	r = write_path("profile", variant->val, strlen(variant->val));
	ASSERT_EQ((ssize_t)strlen(variant->val), r) TH_LOG("%s", result(r));
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_SNAPSHOT(&want, &after, esc_s(variant->val));
	EXPECT_STREQ(variant->setns_text, after.text[F_SETNS]);
	clone = after.text[F_CLONE];
	EXPECT_STREQ(variant->clone_tail,
		     clone + strlen(clone) - strlen(variant->clone_tail));
}

/* --- read-only files ----------------------------------------------------- */

/* Counters only grow: a write attempt must not have reset one. */
#define OP_COUNTERS(X, op)						\
	X(stats_##op##_allowed, "stats/" #op "_allowed", 1)		\
	X(stats_##op##_denied, "stats/" #op "_denied", 1)		\
	X(stats_##op##_audited, "stats/" #op "_audited", 1)
#define READ_ONLY_FILES(X)						\
	X(version, "version", 0)					\
	X(health, "health", 0)						\
	X(hook_backend, "hook_backend", 0)				\
	OP_COUNTERS(X, clone) OP_COUNTERS(X, clone3)			\
	OP_COUNTERS(X, fork) OP_COUNTERS(X, vfork)			\
	OP_COUNTERS(X, unshare) OP_COUNTERS(X, setns)			\
	X(stats_clone_calls, "stats/clone_calls", 1)			\
	X(stats_unshare_calls, "stats/unshare_calls", 1)		\
	X(stats_setns_calls, "stats/setns_calls", 1)			\
	X(stats_exempt_calls, "stats/exempt_calls", 1)			\
	X(stats_unchecked_calls, "stats/unchecked_calls", 1)		\
	X(stats_health_changes, "stats/health_changes", 1)		\
	X(events_emitted, "events/emitted", 1)				\
	X(events_delivered, "events/delivered", 1)			\
	X(events_audit_records, "events/audit_records", 1)		\
	X(events_traced, "events/traced", 1)				\
	X(events_suppressed, "events/suppressed", 1)			\
	X(events_dropped_ring_full, "events/dropped/ring_full", 1)	\
	X(events_dropped_audit, "events/dropped/audit", 1)

FIXTURE(read_only) {
	struct snapshot saved;
};

FIXTURE_VARIANT(read_only) {
	const char *file;
	int counter;
};

#define READ_ONLY_ROW(id, f, c)						\
	FIXTURE_VARIANT_ADD(read_only, id) { .file = f, .counter = c };
READ_ONLY_FILES(READ_ONLY_ROW)
/* one counter per rule of the header's table */
#define RULE_COUNTER_ROW(n, id, nm)					\
	FIXTURE_VARIANT_ADD(read_only, stats_rules_##nm) {		\
		.file = "stats/rules/" #nm, .counter = 1,		\
	};
CLONEGATE_RULES(RULE_COUNTER_ROW)

FIXTURE_SETUP(read_only)
{
	policy_setup(_metadata, &self->saved);
}

FIXTURE_TEARDOWN(read_only)
{
	policy_teardown(_metadata, &self->saved);
}

static int is_decimal_line(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && !strcmp(s + n, "\n");
}

/* Root passes DAC; sysfs refuses to open a file without write bits. */
TEST_F(read_only, open_for_write_is_eacces_and_nothing_changes)
{
	static const char value[] = "0\n";
	static const int how[] = { O_WRONLY, O_RDWR, O_WRONLY | O_TRUNC };
	char path[128], was[TEXT_MAX], now[TEXT_MAX];
	struct snapshot before, after;
	struct stat st;
	size_t i;

	cg_path(path, sizeof(path), variant->file);
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
	EXPECT_EQ(0444, st.st_mode & 0777) TH_LOG("%s: mode %o", path,
						  st.st_mode & 0777);
	ASSERT_EQ(0, snapshot_read(&before));
	ASSERT_LT(0, cg_read(path, was, sizeof(was)));
	for (i = 0; i < COUNT(how); i++) {
		int fd = open(path, how[i]);

		EXPECT_EQ(-1, fd) TH_LOG("%s opened with flags %#x", path,
					 how[i]);
		EXPECT_EQ(EACCES, errno) TH_LOG("%s: %s", path,
						strerror(errno));
		if (fd >= 0) {
			EXPECT_EQ(-1, write(fd, value, sizeof(value) - 1));
			close(fd);
		}
	}
	ASSERT_LT(0, cg_read(path, now, sizeof(now)));
	if (variant->counter) {
		EXPECT_TRUE(is_decimal_line(now)) TH_LOG("%s", esc_s(now));
		EXPECT_LE(strtoull(was, NULL, 10), strtoull(now, NULL, 10));
	} else {
		EXPECT_STREQ(was, now);
	}
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_SNAPSHOT(&before, &after, variant->file);
}

/* scopes/add and scopes/remove: write-only, and sysfs will not read them. */
FIXTURE(write_only) {
};

FIXTURE_VARIANT(write_only) {
	const char *file;
};

FIXTURE_VARIANT_ADD(write_only, scopes_add) { .file = "scopes/add" };
FIXTURE_VARIANT_ADD(write_only, scopes_remove) { .file = "scopes/remove" };

FIXTURE_SETUP(write_only)
{
	if (!cg_loaded())
		SKIP(_exit(255), "clonegate is not loaded");
}

FIXTURE_TEARDOWN(write_only)
{
}

TEST_F(write_only, open_for_read_is_eacces)
{
	char path[128];
	struct stat st;
	int fd;

	cg_path(path, sizeof(path), variant->file);
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
	EXPECT_EQ(0200, st.st_mode & 0777);
	fd = open(path, O_RDONLY);
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EACCES, errno) TH_LOG("%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* --- what exists: every file has its rows -------------------------------- */

FIXTURE(sysfs) {
	struct snapshot saved;
};

FIXTURE_SETUP(sysfs)
{
	policy_setup(_metadata, &self->saved);
}

FIXTURE_TEARDOWN(sysfs)
{
	policy_teardown(_metadata, &self->saved);
}

#define READ_ONLY_PATH(id, f, c) f,
static const char *const read_only_files[] = {
	READ_ONLY_FILES(READ_ONLY_PATH)
};

static int known_file(const char *rel, int writable)
{
	size_t i;

	if (writable) {
		for (i = 0; i < F_SCOPES; i++)
			if (!strcmp(rel, file_name[i]))
				return 1;
		return !strcmp(rel, "scopes/add") ||
		       !strcmp(rel, "scopes/remove");
	}
	for (i = 0; i < COUNT(read_only_files); i++)
		if (!strcmp(rel, read_only_files[i]))
			return 1;
	for (i = 0; i < CG_N_RULES; i++)
		if (!strncmp(rel, "stats/rules/", 12) &&
		    !strcmp(rel + 12, cg_rule_names[i]))
			return 1;
	return 0;
}

/* Walk dir (relative to CG): files without a row, and how many files. */
static int walk(const char *dir, char *unknown, size_t size, int *files)
{
	char path[512], rel[300];
	struct dirent *e;
	DIR *d;
	int err = 0;

	cg_path(path, sizeof(path), dir);
	d = opendir(path);
	if (!d)
		return -errno;
	while (!err && (e = readdir(d))) {
		struct stat st;

		if (e->d_name[0] == '.')
			continue;
		snprintf(rel, sizeof(rel), "%s%s", dir, e->d_name);
		cg_path(path, sizeof(path), rel);
		if (stat(path, &st)) {
			err = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			/* a scope's files are the host's: scope_test's */
			if (strcmp(dir, "scopes/")) {
				strcat(rel, "/");
				err = walk(rel, unknown, size, files);
			}
		} else {
			(*files)++;
			if (!known_file(rel, st.st_mode & 0222))
				snprintf(unknown + strlen(unknown),
					 size - strlen(unknown), "%s%s (%o)",
					 *unknown ? ", " : "", rel,
					 st.st_mode & 0777);
		}
	}
	closedir(d);
	return err;
}

TEST_F(sysfs, every_file_has_its_rows)
{
	char unknown[TEXT_MAX] = "";
	int files = 0;

	ASSERT_EQ(0, walk("", unknown, sizeof(unknown), &files));
	EXPECT_STREQ("", unknown) TH_LOG("files no row here tests");
	/* the writable, the write-only and the read-only files */
	EXPECT_EQ(F_SCOPES + 2 + (int)COUNT(read_only_files) +
		  (int)CG_N_RULES, files);
}

/* The names in dir (relative to CG), sorted, each followed by a space. */
static int list_dir(const char *dir, char *buf, size_t size)
{
	char path[128], names[64][256];
	const char *sorted[64];
	struct dirent *e;
	size_t n = 0, i;
	DIR *d;

	cg_path(path, sizeof(path), dir);
	d = opendir(path);
	if (!d)
		return -errno;
	while ((e = readdir(d)) && n < COUNT(names))
		if (e->d_name[0] != '.') {
			snprintf(names[n], sizeof(names[n]), "%s", e->d_name);
			sorted[n] = names[n];
			n++;
		}
	closedir(d);
	qsort(sorted, n, sizeof(sorted[0]), cmp_str);
	buf[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(buf + strlen(buf), size - strlen(buf), "%s ",
			 sorted[i]);
	return 0;
}

/* stats/rules holds exactly the header's rules, each a counter. */
TEST_F(sysfs, stats_rules_has_one_counter_per_rule)
{
	char names[TEXT_MAX], want[TEXT_MAX] = "", buf[64], path[128];
	const char *sorted[CG_N_RULES];
	size_t i;

	ASSERT_EQ(0, list_dir("stats/rules", names, sizeof(names)));
	memcpy(sorted, cg_rule_names, sizeof(sorted));
	qsort(sorted, CG_N_RULES, sizeof(sorted[0]), cmp_str);
	for (i = 0; i < CG_N_RULES; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
			 "%s ", sorted[i]);
	EXPECT_STREQ(want, names);
	for (i = 0; i < CG_N_RULES; i++) {
		snprintf(path, sizeof(path), CG "stats/rules/%s",
			 cg_rule_names[i]);
		ASSERT_LT(0, cg_read(path, buf, sizeof(buf))) TH_LOG("%s", path);
		EXPECT_TRUE(is_decimal_line(buf)) TH_LOG("%s: \"%s\"", path,
							 esc_s(buf));
	}
}

/*
 * locked takes "1" alone (and a newline): pseudo-random values, none of
 * which is "1" once whitespace and NULs are dropped, are each refused, and
 * nothing changes.
 */
#define LOCKED_VALUES 256

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static int could_lock(const char *buf, size_t len)
{
	size_t i, ones = 0;

	for (i = 0; i < len; i++) {
		if (buf[i] == '1')
			ones++;
		else if (buf[i] && !strchr(" \t\n\v\f\r", buf[i]))
			return 0;
	}
	return ones == 1;
}

TEST_F(sysfs, locked_refuses_every_value_but_one)
{
	static const char alphabet[] = "0112 \n\t\r\0+-xyesnoOK\xa0\xff,";
	struct snapshot before, after;
	uint64_t seed = 0x10cced5eedULL;
	unsigned int written = 0, i;

	ASSERT_EQ(0, snapshot_read(&before));
	for (i = 0; written < LOCKED_VALUES && i < 4 * LOCKED_VALUES; i++) {
		char buf[24];
		size_t len = 1 + rnd(&seed) % sizeof(buf), k;
		ssize_t r;

		for (k = 0; k < len; k++)
			buf[k] = alphabet[rnd(&seed) % (sizeof(alphabet) - 1)];
		if (could_lock(buf, len))
			continue;
		written++;
		r = write_path("locked", buf, len);
		ASSERT_EQ(-EINVAL, r) TH_LOG("locked <- \"%s\": %s",
					     esc(buf, len), result(r));
	}
	ASSERT_EQ(LOCKED_VALUES, written);
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_SNAPSHOT(&before, &after, "after the values locked refused");
}

/* --- what a refused write logs ------------------------------------------- */

/* Whether a kernel log record read from @fd (/dev/kmsg) contains @want. */
static int kmsg_has(int fd, const char *want)
{
	char rec[1024];
	ssize_t n;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)	/* overwritten: read on */
			continue;
		if (n <= 0)
			return 0;
		rec[n] = '\0';
		if (strstr(rec, want))
			return 1;
	}
}

TEST_F(sysfs, refused_write_is_logged_with_its_path)
{
	static const char want[] =
		"clonegate: mode: write rejected (-22): invalid value";
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	int tries;

	ASSERT_LE(0, fd);
	for (tries = 0; tries < 2; tries++) {
		ASSERT_LE(0, lseek(fd, 0, SEEK_END));
		ASSERT_EQ(-EINVAL, write_path("mode", "bogus", 5));
		if (kmsg_has(fd, want))
			break;
		/* rate-limited (10 in 5 s) after the writes above: wait */
		sleep(6);
	}
	close(fd);
	EXPECT_GT(2, tries) TH_LOG("no \"%s\" in the kernel log", want);
}

/* --- who may write ------------------------------------------------------- */

/* Why a child failed, or why it could not test, shared with the test. */
static char *child_why(void)
{
	static char *why;

	if (!why) {
		why = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (why == MAP_FAILED)
			abort();
	}
	return why;
}

static int child_says(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(child_why(), 4096, fmt, ap);
	va_end(ap);
	return code;
}

/* a child that could not set up what it tests: the test is a SKIP */
#define CHILD_CANNOT 4

FIXTURE(privilege) {
	struct snapshot saved;
};

/*
 * good: a value root's write would take (never "1" for locked: "0" is
 * refused as EINVAL, so a missing capability check still shows); bad: one
 * the parser refuses. Both must be EPERM, the capability coming first.
 */
FIXTURE_VARIANT(privilege) {
	const char *file;
	const char *good, *bad;
};

#define PRIVILEGE_ROW(id, f, g, b)					\
	FIXTURE_VARIANT_ADD(privilege, id) {				\
		.file = f, .good = g, .bad = b,				\
	}

PRIVILEGE_ROW(mode, "mode", "enforce\n", "bogus");
PRIVILEGE_ROW(profile, "profile", "permissive\n", "custom");
PRIVILEGE_ROW(clone_flags, "clone_flags", "+newcgroup\n", "+");
PRIVILEGE_ROW(unshare_flags, "unshare_flags", "+newcgroup\n", "0x");
PRIVILEGE_ROW(setns_types, "setns_types", "+pid\n", "net +ipc");
PRIVILEGE_ROW(rules, "rules", "-set_tid\n", "set_tid");
PRIVILEGE_ROW(locked, "locked", "0\n", "2");
PRIVILEGE_ROW(decisions, "events/decisions", "+allowed", "+nosuch");
PRIVILEGE_ROW(channels, "events/channels", "none", "none none");
PRIVILEGE_ROW(context_fields, "events/context_fields", "+cwd", "cwd cwd");
PRIVILEGE_ROW(ratelimit, "events/ratelimit", "7 3", "7");
PRIVILEGE_ROW(scopes_add, "scopes/add", "sysfs-privilege", "No/Such");
PRIVILEGE_ROW(scopes_remove, "scopes/remove", "sysfs-nosuch", "No/Such");

FIXTURE_SETUP(privilege)
{
	policy_setup(_metadata, &self->saved);
	child_why()[0] = '\0';
}

FIXTURE_TEARDOWN(privilege)
{
	policy_teardown(_metadata, &self->saved);
}

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return child_says(1, "dropping to 65534: %s", strerror(errno));
	return 0;
}

static int open_as_nobody(void *arg)
{
	const FIXTURE_VARIANT(privilege) *v = arg;
	char path[128];
	int fd;

	if (drop_to_nobody())
		return 1;
	cg_path(path, sizeof(path), v->file);
	fd = open(path, O_WRONLY);
	if (fd >= 0)
		return child_says(1, "%s opened for write by 65534", path);
	if (errno != EACCES)
		return child_says(1, "%s: %s, want EACCES", path,
				  strerror(errno));
	return 0;
}

/* Write both values on a descriptor root opened: EPERM each. */
static int write_after_drop(void *arg)
{
	const FIXTURE_VARIANT(privilege) *v = arg;
	const char *const val[] = { v->good, v->bad };
	char path[128];
	int fd, i;

	cg_path(path, sizeof(path), v->file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return child_says(1, "%s: %s", path, strerror(errno));
	if (drop_to_nobody())
		return 1;
	for (i = 0; i < 2; i++) {
		ssize_t r = write(fd, val[i], strlen(val[i]));

		if (r >= 0 || errno != EPERM)
			return child_says(1, "%s <- \"%s\" as 65534: %s, want EPERM",
					  v->file, esc_s(val[i]),
					  result(r < 0 ? -errno : r));
	}
	return 0;
}

/* Root of a user namespace mapped to real root: DAC passes, capable() not. */
static int write_as_userns_root(void *arg)
{
	const FIXTURE_VARIANT(privilege) *v = arg;
	const char *const val[] = { v->good, v->bad };
	char path[128];
	int fd, i;
	ssize_t r;

	if (unshare(CLONE_NEWUSER))
		return child_says(CHILD_CANNOT, "unshare(CLONE_NEWUSER): %s",
				  strerror(errno));
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 0 1", 5) != 5)
		return child_says(CHILD_CANNOT, "uid_map: %s",
				  strerror(errno));
	close(fd);
	if (getuid() != 0 || geteuid() != 0)
		return child_says(1, "uid %d in the namespace, want 0",
				  getuid());
	cg_path(path, sizeof(path), v->file);
	for (i = 0; i < 2; i++) {
		fd = open(path, O_WRONLY);
		if (fd < 0)
			return child_says(1, "%s: open: %s, want DAC to pass",
					  path, strerror(errno));
		r = write(fd, val[i], strlen(val[i]));
		if (r < 0)
			r = -errno;
		close(fd);
		if (r != -EPERM)
			return child_says(1, "%s <- \"%s\" as namespace root: %s, want EPERM",
					  v->file, esc_s(val[i]), result(r));
	}
	return 0;
}

static void expect_child_refused(struct __test_metadata *_metadata,
				 int (*fn)(void *), const void *arg)
{
	struct snapshot before, after;
	int status;

	ASSERT_EQ(0, snapshot_read(&before));
	status = cg_in_child(fn, (void *)arg);
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_SNAPSHOT(&before, &after, "after the refused writes");
	CG_NEED(status != CHILD_CANNOT, return, "%s", child_why());
	EXPECT_EQ(0, status) TH_LOG("%s", child_why());
}

TEST_F(privilege, unprivileged_open_for_write_is_eacces)
{
	expect_child_refused(_metadata, open_as_nobody, variant);
}

TEST_F(privilege, unprivileged_write_is_eperm)
{
	expect_child_refused(_metadata, write_after_drop, variant);
}

TEST_F(privilege, userns_root_write_is_eperm)
{
	expect_child_refused(_metadata, write_as_userns_root, variant);
}

/* --- policy swaps under load --------------------------------------------- */

/*
 * The flipper sets one state after another; a sequence number, odd while
 * it writes and even once every write of the state returned, tells the
 * workers when the policy stood still. A call or a read made wholly while
 * it stood still must show that state; any other must show one of them.
 * Each state lasts until every worker did one thing wholly inside it, so
 * every state is seen, however the host schedules; a worker then waits
 * for the next: the work is bounded by the number of states, and no time
 * is measured.
 */
#define WORKERS 3
#define FLIPS 40
#define FLIP_TIMEOUT 600

/* the files a profile write changes, the reader's view */
static const int flip_files[] = { F_PROFILE, F_CLONE, F_UNSHARE, F_SETNS,
				  F_RULES };
#define N_FLIP_FILES COUNT(flip_files)

struct race {
	long seq;
	int stop;
	long stable_seq[WORKERS];	/* the last window one was made in */
	long window[WORKERS], in_window[WORKERS];
	long ok[WORKERS], einval[WORKERS], other[WORKERS];
	long other_err[WORKERS], wrong[WORKERS];
	long seen[WORKERS][2];
	char wrong_text[WORKERS][TEXT_MAX];
	/* what each file reads in each profile, for the readers */
	char text[2][N_FLIP_FILES][TEXT_MAX];
};

static long seq_now(struct race *rc)
{
	return __atomic_load_n(&rc->seq, __ATOMIC_ACQUIRE);
}

/* step k: profile gvisor or permissive; with the mode, audit or enforce */
static int state_profile(long seq)
{
	return seq < 2 ? GVISOR : (seq / 2 - 1) & 1;
}

static int state_enforce(long seq)
{
	return seq >= 2 && ((seq / 2 - 1) & 2);
}

static const char *state_mode(long seq)
{
	return mode_names[state_enforce(seq) ? CLONEGATE_EV_MODE_ENFORCE :
					       CLONEGATE_EV_MODE_AUDIT];
}

/*
 * A worker that did its part in window seq, or PER_WINDOW things in it,
 * waits for the next, which starts with the flipper's writes: the calls
 * and reads cluster around the writes, and there are at most PER_WINDOW
 * per window and worker. The first begun in an even window ends in it:
 * the flipper waits for it.
 */
#define PER_WINDOW 64

static int idle(struct race *rc, int id, long seq)
{
	if (seq != rc->window[id]) {
		rc->window[id] = seq;
		rc->in_window[id] = 0;
	}
	if (__atomic_load_n(&rc->stable_seq[id], __ATOMIC_ACQUIRE) != seq &&
	    rc->in_window[id] < PER_WINDOW) {
		rc->in_window[id]++;
		return 0;
	}
	usleep(100);
	return 1;
}

/* clone3(CLONE_NEWCGROUP): EINVAL under gvisor + enforce, else a child. */
static void clone3_worker(struct race *rc, int id)
{
	while (!__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE)) {
		struct cg_clone_args args = {
			.flags = CLONE_NEWCGROUP,
			.exit_signal = SIGCHLD,
		};
		long s1 = seq_now(rc), s2, r;

		if (idle(rc, id, s1))
			continue;
		r = cg_raw_clone3(&args, sizeof(args));
		s2 = seq_now(rc);
		if (r > 0) {
			waitpid(r, NULL, 0);
			rc->ok[id]++;
		} else if (r == -EINVAL) {
			rc->einval[id]++;
		} else {
			rc->other[id]++;
			rc->other_err[id] = -r;
		}
		if (s1 == s2 && !(s1 & 1)) {
			int want_einval = state_profile(s1) == GVISOR &&
					  state_enforce(s1);

			if ((r > 0 || r == -EINVAL) &&
			    (r == -EINVAL) != want_einval) {
				rc->wrong[id]++;
				snprintf(rc->wrong_text[id], TEXT_MAX,
					 "%s and %s: %s",
					 profile_names[state_profile(s1)],
					 state_mode(s1),
					 r > 0 ? "created" : "EINVAL");
			}
			rc->seen[id][want_einval]++;
			__atomic_store_n(&rc->stable_seq[id], s1,
					 __ATOMIC_RELEASE);
		}
	}
	_exit(0);
}

/* Read every file a profile sets: each whole, all one profile if still. */
static void read_worker(struct race *rc, int id)
{
	char path[128], buf[TEXT_MAX];
	int fd[N_FLIP_FILES];
	size_t i;

	for (i = 0; i < N_FLIP_FILES; i++) {
		cg_path(path, sizeof(path), file_name[flip_files[i]]);
		fd[i] = open(path, O_RDONLY);
		if (fd[i] < 0)
			_exit(2);
	}
	while (!__atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE)) {
		long s1 = seq_now(rc), s2;
		int got[N_FLIP_FILES], all = -1;

		if (idle(rc, id, s1))
			continue;
		for (i = 0; i < N_FLIP_FILES; i++) {
			ssize_t n = pread(fd[i], buf, sizeof(buf) - 1, 0);

			buf[n < 0 ? 0 : n] = '\0';
			got[i] = !strcmp(buf, rc->text[GVISOR][i]) ? GVISOR :
				 !strcmp(buf, rc->text[PERMISSIVE][i]) ?
				 PERMISSIVE : -1;
			if (got[i] < 0) {
				rc->other[id]++;
				snprintf(rc->wrong_text[id], TEXT_MAX,
					 "%s: %.900s", file_name[flip_files[i]],
					 buf);
			}
		}
		s2 = seq_now(rc);
		if (s1 == s2 && !(s1 & 1)) {
			all = state_profile(s1);
			for (i = 0; i < N_FLIP_FILES; i++)
				if (got[i] != all) {
					rc->wrong[id]++;
					snprintf(rc->wrong_text[id], TEXT_MAX,
						 "%s while %s stood", file_name[flip_files[i]],
						 profile_names[all]);
				}
			rc->seen[id][all]++;
			__atomic_store_n(&rc->stable_seq[id], s1,
					 __ATOMIC_RELEASE);
		}
	}
	_exit(0);
}

/* Wait until each worker did one thing wholly inside window seq. */
static int wait_for_workers(struct race *rc, const pid_t *pid, long seq)
{
	int i;

	for (i = 0; i < WORKERS; i++)
		while (__atomic_load_n(&rc->stable_seq[i], __ATOMIC_ACQUIRE) !=
		       seq) {
			if (waitpid(pid[i], NULL, WNOHANG) == pid[i])
				return -1;
			usleep(200);
		}
	return 0;
}

/*
 * Start the workers, set FLIPS states (the mode too if flip_mode), stop
 * and reap them. Returns -1, or the state (1 to FLIPS, 0 for the start)
 * at which a write failed or a worker died; nothing here may ASSERT while
 * a worker runs.
 */
static int flip_under(struct race *rc, void (*worker)(struct race *, int),
		      int flip_mode, int *status)
{
	pid_t pid[WORKERS];
	int i, step, failed = -1;

	for (i = 0; i < WORKERS; i++)
		rc->stable_seq[i] = -1;
	for (i = 0; i < WORKERS; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			worker(rc, i);
		if (pid[i] < 0)
			break;
	}
	if (i < WORKERS || wait_for_workers(rc, pid, 0))
		failed = 0;
	for (step = 0; failed < 0 && step < FLIPS; step++) {
		long seq = 2 * step + 2;
		/* every other round of four, the mode first */
		int mode_first = flip_mode && (step / 4) & 1;

		__atomic_store_n(&rc->seq, seq - 1, __ATOMIC_RELEASE);
		if ((mode_first && set_file(F_MODE, state_mode(seq))) ||
		    set_file(F_PROFILE, profile_names[state_profile(seq)]) ||
		    (flip_mode && !mode_first &&
		     set_file(F_MODE, state_mode(seq))))
			failed = step + 1;
		__atomic_store_n(&rc->seq, seq, __ATOMIC_RELEASE);
		if (failed < 0 && wait_for_workers(rc, pid, seq))
			failed = step + 1;
	}
	__atomic_store_n(&rc->stop, 1, __ATOMIC_RELEASE);
	while (i--)
		if (waitpid(pid[i], &status[i], 0) != pid[i])
			status[i] = -1;
	return failed;
}

static struct race *race_map(void)
{
	void *p = mmap(NULL, sizeof(struct race), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

TEST_F_TIMEOUT(sysfs, clone3_during_policy_flips_sees_one_policy,
	       FLIP_TIMEOUT)
{
	struct race *rc = race_map();
	long ok = 0, einval = 0, seen[2] = { 0, 0 };
	int status[WORKERS] = { 0 }, i, failed;

	ASSERT_TRUE(rc != NULL);
	/*
	 * gvisor + enforce refuses CLONE_NEWCGROUP with EINVAL; gvisor +
	 * audit and permissive let it through. Nothing else may happen.
	 */
	failed = flip_under(rc, clone3_worker, 1, status);
	ASSERT_EQ(-1, failed)
		TH_LOG("state %d (0: the start): a write failed or a worker died",
		       failed);
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(0, status[i]) TH_LOG("worker %d", i);
		EXPECT_EQ(0, rc->other[i])
			TH_LOG("worker %d: %ld calls failed otherwise, last %s",
			       i, rc->other[i], strerror(rc->other_err[i]));
		EXPECT_EQ(0, rc->wrong[i])
			TH_LOG("worker %d: %ld calls not as their policy said, last under %s",
			       i, rc->wrong[i], rc->wrong_text[i]);
		ok += rc->ok[i];
		einval += rc->einval[i];
		seen[0] += rc->seen[i][0];
		seen[1] += rc->seen[i][1];
	}
	TH_LOG("%d states; clone3: %ld created, %ld EINVAL; %ld and %ld made while one stood",
	       FLIPS, ok, einval, seen[0], seen[1]);
	/* each state was seen whole by every worker: both answers came */
	EXPECT_LE(WORKERS * FLIPS / 4, seen[1]);
	EXPECT_LE(WORKERS * FLIPS * 3 / 4, seen[0]);
	EXPECT_TRUE(cg_no_children());
	munmap(rc, sizeof(*rc));
}

TEST_F_TIMEOUT(sysfs, reads_during_profile_flips_see_whole_profile,
	       FLIP_TIMEOUT)
{
	struct race *rc = race_map();
	int status[WORKERS] = { 0 }, i, p, failed;
	long seen[2] = { 0, 0 };
	size_t f;

	ASSERT_TRUE(rc != NULL);
	for (p = GVISOR; p <= PERMISSIVE; p++) {
		struct snapshot s;

		ASSERT_EQ(0, set_file(F_PROFILE, profile_names[p]));
		ASSERT_EQ(0, snapshot_read(&s));
		for (f = 0; f < N_FLIP_FILES; f++)
			strcpy(rc->text[p][f], s.text[flip_files[f]]);
	}
	ASSERT_EQ(0, set_file(F_PROFILE, "gvisor"));
	failed = flip_under(rc, read_worker, 0, status);
	ASSERT_EQ(-1, failed)
		TH_LOG("state %d (0: the start): a write failed or a reader died",
		       failed);
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(0, status[i]) TH_LOG("reader %d", i);
		EXPECT_EQ(0, rc->other[i])
			TH_LOG("reader %d: %ld texts of no profile, last %s", i,
			       rc->other[i], esc_s(rc->wrong_text[i]));
		EXPECT_EQ(0, rc->wrong[i])
			TH_LOG("reader %d: %ld texts of the other profile, last %s",
			       i, rc->wrong[i], rc->wrong_text[i]);
		seen[0] += rc->seen[i][0];
		seen[1] += rc->seen[i][1];
	}
	TH_LOG("%d states; rounds while one stood: %ld gvisor, %ld permissive",
	       FLIPS, seen[0], seen[1]);
	EXPECT_LE(WORKERS * FLIPS / 2, seen[0]);
	EXPECT_LE(WORKERS * FLIPS / 2, seen[1]);
	munmap(rc, sizeof(*rc));
}

TEST_HARNESS_MAIN
