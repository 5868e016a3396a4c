// SPDX-License-Identifier: GPL-2.0
/*
 * The control surface, /sys/kernel/clonegate/: every writable file takes
 * every form of value it documents and reads back canonical text; every bad
 * write fails with its exact errno and leaves the whole policy byte for byte
 * as it was; pseudo-random writes agree with a small model of the parsers
 * written here from the documentation; only CAP_SYS_ADMIN in the initial user
 * namespace may write; and policies swapped under load are seen whole.
 *
 * locked is only ever written with values that must be refused: locking is
 * irreversible until reboot and has a lane stage of its own.
 */
#include "common.h"
#include "kselftest_harness.h"

#include <dirent.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <time.h>

/* --- what the documentation says the files hold -------------------------- */

enum cg_file { F_MODE, F_PROFILE, F_CLONE, F_UNSHARE, F_RULES, F_LOCKED,
	       F_COUNT };

static const char *const file_name[F_COUNT] = {
	"mode", "profile", "clone_flags", "unshare_flags", "rules", "locked",
};

#define U(flag) ((uint64_t)(uint32_t)(flag))

/* Every clone flag Linux defines, by the name the files use. */
static const struct {
	const char *name;
	uint64_t bit;
} flag_table[] = {
	{ "newtime", U(CLONE_NEWTIME) },
	{ "vm", U(CLONE_VM) },
	{ "fs", U(CLONE_FS) },
	{ "files", U(CLONE_FILES) },
	{ "sighand", U(CLONE_SIGHAND) },
	{ "pidfd", U(CLONE_PIDFD) },
	{ "ptrace", U(CLONE_PTRACE) },
	{ "vfork", U(CLONE_VFORK) },
	{ "parent", U(CLONE_PARENT) },
	{ "thread", U(CLONE_THREAD) },
	{ "newns", U(CLONE_NEWNS) },
	{ "sysvsem", U(CLONE_SYSVSEM) },
	{ "settls", U(CLONE_SETTLS) },
	{ "parent_settid", U(CLONE_PARENT_SETTID) },
	{ "child_cleartid", U(CLONE_CHILD_CLEARTID) },
	{ "detached", U(CLONE_DETACHED) },
	{ "untraced", U(CLONE_UNTRACED) },
	{ "child_settid", U(CLONE_CHILD_SETTID) },
	{ "newcgroup", U(CLONE_NEWCGROUP) },
	{ "newuts", U(CLONE_NEWUTS) },
	{ "newipc", U(CLONE_NEWIPC) },
	{ "newuser", U(CLONE_NEWUSER) },
	{ "newpid", U(CLONE_NEWPID) },
	{ "newnet", U(CLONE_NEWNET) },
	{ "io", U(CLONE_IO) },
	{ "clear_sighand", CLONE_CLEAR_SIGHAND_ },
	{ "into_cgroup", CLONE_INTO_CGROUP_ },
};
#define N_FLAGS (sizeof(flag_table) / sizeof(flag_table[0]))

#define ALL_CLONE_FLAGS 0x3fffffff80ULL
/* What unshare(2) accepts. */
#define ALL_UNSHARE_FLAGS						\
	(U(CLONE_THREAD) | U(CLONE_FS) | U(CLONE_NEWNS) | U(CLONE_SIGHAND) | \
	 U(CLONE_VM) | U(CLONE_FILES) | U(CLONE_SYSVSEM) | U(CLONE_NEWUTS) | \
	 U(CLONE_NEWIPC) | U(CLONE_NEWNET) | U(CLONE_NEWUSER) |		\
	 U(CLONE_NEWPID) | U(CLONE_NEWCGROUP) | U(CLONE_NEWTIME))
/* gVisor's SupportedCloneFlags */
#define GVISOR_CLONE_FLAGS						\
	(U(CLONE_VM) | U(CLONE_FS) | U(CLONE_FILES) | U(CLONE_SYSVSEM) | \
	 U(CLONE_THREAD) | U(CLONE_SIGHAND) | U(CLONE_CHILD_SETTID) |	\
	 U(CLONE_NEWPID) | U(CLONE_CHILD_CLEARTID) | U(CLONE_PARENT) |	\
	 U(CLONE_PARENT_SETTID) | U(CLONE_SETTLS) | U(CLONE_NEWUSER) |	\
	 U(CLONE_NEWUTS) | U(CLONE_NEWIPC) | U(CLONE_NEWNET) |		\
	 U(CLONE_PTRACE) | U(CLONE_UNTRACED) | U(CLONE_IO) |		\
	 U(CLONE_VFORK) | U(CLONE_DETACHED) | U(CLONE_NEWNS))
#define GVISOR_UNSHARE_FLAGS \
	(ALL_UNSHARE_FLAGS & ~(U(CLONE_NEWCGROUP) | U(CLONE_NEWTIME)))

/* The same four sets as the files show them, written out by hand. */
#define GVISOR_CLONE_TEXT						\
	"vm fs files sighand ptrace vfork parent thread newns sysvsem "	\
	"settls parent_settid child_cleartid detached untraced "	\
	"child_settid newuts newipc newuser newpid newnet io\n"
#define PERMISSIVE_CLONE_TEXT						\
	"newtime vm fs files sighand pidfd ptrace vfork parent thread "	\
	"newns sysvsem settls parent_settid child_cleartid detached "	\
	"untraced child_settid newcgroup newuts newipc newuser newpid "	\
	"newnet io clear_sighand into_cgroup\n"
#define GVISOR_UNSHARE_TEXT						\
	"vm fs files sighand thread newns sysvsem newuts newipc newuser " \
	"newpid newnet\n"
#define PERMISSIVE_UNSHARE_TEXT						\
	"newtime vm fs files sighand thread newns sysvsem newcgroup "	\
	"newuts newipc newuser newpid newnet\n"

static const char *const rule_names[] = {
	"unsupported_flag", "sighand_without_vm", "set_tid",
	"thread_without_sighand", "thread_newpid", "newpid_pending",
	"newuser_thread_fs", "bad_exit_signal", "fs_newns",
	"unshare_vm_sighand", "unshare_thread_multithreaded",
	"newuser_chroot", "ns_needs_cap",
};
#define N_RULES (sizeof(rule_names) / sizeof(rule_names[0]))
#define ALL_RULES ((1u << N_RULES) - 1)

#define GVISOR_RULES_TEXT						\
	"+unsupported_flag\n+sighand_without_vm\n+set_tid\n"		\
	"+thread_without_sighand\n+thread_newpid\n+newpid_pending\n"	\
	"+newuser_thread_fs\n+bad_exit_signal\n+fs_newns\n"		\
	"+unshare_vm_sighand\n+unshare_thread_multithreaded\n"		\
	"+newuser_chroot\n+ns_needs_cap\n"
/* permissive keeps the flag check: its flag sets then deny nothing */
#define PERMISSIVE_RULES_TEXT						\
	"+unsupported_flag\n-sighand_without_vm\n-set_tid\n"		\
	"-thread_without_sighand\n-thread_newpid\n-newpid_pending\n"	\
	"-newuser_thread_fs\n-bad_exit_signal\n-fs_newns\n"		\
	"-unshare_vm_sighand\n-unshare_thread_multithreaded\n"		\
	"-newuser_chroot\n-ns_needs_cap\n"
#define ALL_RULES_OFF_TEXT						\
	"-unsupported_flag\n-sighand_without_vm\n-set_tid\n"		\
	"-thread_without_sighand\n-thread_newpid\n-newpid_pending\n"	\
	"-newuser_thread_fs\n-bad_exit_signal\n-fs_newns\n"		\
	"-unshare_vm_sighand\n-unshare_thread_multithreaded\n"		\
	"-newuser_chroot\n-ns_needs_cap\n"

enum { MODE_OFF, MODE_AUDIT, MODE_ENFORCE };
enum { PROFILE_GVISOR, PROFILE_PERMISSIVE, PROFILE_CUSTOM };
static const char *const mode_names[] = { "off", "audit", "enforce" };
static const char *const profile_names[] = { "gvisor", "permissive",
					     "custom" };

/* --- reading and writing the files --------------------------------------- */

#define TEXT_MAX 1024

/* The text of every policy file at one moment. */
struct snapshot {
	char text[F_COUNT][TEXT_MAX];
};

static void file_path(char *path, size_t size, int file)
{
	snprintf(path, size, CG "%s", file_name[file]);
}

static int snapshot_read(struct snapshot *s)
{
	char path[128];
	int i, n;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < F_COUNT; i++) {
		file_path(path, sizeof(path), i);
		n = cg_read(path, s->text[i], TEXT_MAX);
		if (n < 0)
			return n;
	}
	return 0;
}

/* The same through open descriptors, for the loops that read a lot. */
static int snapshot_pread(const int *fd, struct snapshot *s)
{
	ssize_t n;
	int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < F_COUNT; i++) {
		n = pread(fd[i], s->text[i], TEXT_MAX - 1, 0);
		if (n < 0)
			return -errno;
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

/* What one write() of len bytes to a policy file returned, or -errno. */
static ssize_t write_file(int file, const void *val, size_t len)
{
	char path[128];
	ssize_t n;
	int fd;

	file_path(path, sizeof(path), file);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		n = -errno;
	close(fd);
	return n;
}

static ssize_t write_str(int file, const char *val)
{
	return write_file(file, val, strlen(val));
}

/* Write a value that must be taken: 0, or the error. */
static int set_file(int file, const char *val)
{
	ssize_t n = write_str(file, val);

	return n == (ssize_t)strlen(val) ? 0 : n < 0 ? n : -EIO;
}

static const char *read_file(int file)
{
	static char buf[4][TEXT_MAX];
	static int next;
	char path[128], *b = buf[next++ & 3];

	file_path(path, sizeof(path), file);
	if (cg_read(path, b, TEXT_MAX) < 0)
		strcpy(b, "(unreadable)");
	return b;
}

/* Put a snapshot back: its profile, then its edits if custom, then mode. */
static int snapshot_restore(const struct snapshot *s)
{
	int err;

	if (!strcmp(s->text[F_PROFILE], "custom\n")) {
		err = set_file(F_PROFILE, "gvisor");
		err = err ?: set_file(F_CLONE, s->text[F_CLONE]);
		err = err ?: set_file(F_UNSHARE, s->text[F_UNSHARE]);
		err = err ?: set_file(F_RULES, s->text[F_RULES]);
	} else {
		err = set_file(F_PROFILE, s->text[F_PROFILE]);
	}
	return err ?: set_file(F_MODE, s->text[F_MODE]);
}

/* A written value as C source, for messages. */
static const char *esc(const char *s, size_t len)
{
	static char buf[4][600];
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

static const char *errstr(ssize_t r)
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

/* --- the model: the parsers as documented, written independently -------- */

struct model {
	int mode, profile, locked;
	uint64_t clone, unshare;
	uint32_t rules;
};

static void model_load(struct model *m, int profile)
{
	m->profile = profile;
	m->clone = profile ? ALL_CLONE_FLAGS : GVISOR_CLONE_FLAGS;
	m->unshare = profile ? ALL_UNSHARE_FLAGS : GVISOR_UNSHARE_FLAGS;
	m->rules = profile ? 1u << 0 : ALL_RULES;	/* unsupported_flag */
}

static void format_flags(char *buf, uint64_t mask)
{
	int bit;
	size_t i;

	*buf = '\0';
	for (bit = 0; bit < 64; bit++)
		for (i = 0; i < N_FLAGS; i++)
			if ((mask & flag_table[i].bit) &&
			    flag_table[i].bit == 1ULL << bit)
				sprintf(buf + strlen(buf), "%s%s",
					*buf ? " " : "", flag_table[i].name);
	strcat(buf, *buf ? "\n" : "none\n");
}

static void model_text(const struct model *m, struct snapshot *s)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	sprintf(s->text[F_MODE], "%s\n", mode_names[m->mode]);
	sprintf(s->text[F_PROFILE], "%s\n", profile_names[m->profile]);
	format_flags(s->text[F_CLONE], m->clone);
	format_flags(s->text[F_UNSHARE], m->unshare);
	for (i = 0; i < N_RULES; i++)
		sprintf(s->text[F_RULES] + strlen(s->text[F_RULES]), "%c%s\n",
			m->rules & (1u << i) ? '+' : '-', rule_names[i]);
	sprintf(s->text[F_LOCKED], "%d\n", m->locked);
}

static int is_space(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

/* Text is printable ASCII and whitespace; anything else is binary. */
static int is_text(const char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = buf[i];

		if (!is_space(c) && (c < 0x20 || c > 0x7e))
			return 0;
	}
	return 1;
}

struct word {
	const char *p;
	size_t n;
};

#define MAX_WORDS 256

/* Words of a set are separated by whitespace or commas. */
static int is_sep(unsigned char c)
{
	return is_space(c) || c == ',';
}

/* Split into words; their number, or -1 if more than MAX_WORDS. */
static int split(const char *buf, size_t len, struct word *w)
{
	size_t i = 0;
	int n = 0;

	for (;;) {
		while (i < len && is_sep(buf[i]))
			i++;
		if (i == len)
			return n;
		if (n == MAX_WORDS)
			return -1;
		w[n].p = buf + i;
		while (i < len && !is_sep(buf[i]))
			i++;
		w[n].n = buf + i - w[n].p;
		n++;
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint64_t flag_by_name(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < N_FLAGS; i++)
		if (strlen(flag_table[i].name) == n &&
		    !memcmp(flag_table[i].name, p, n))
			return flag_table[i].bit;
	return 0;
}

/*
 * clone_flags and unshare_flags: a full list of names, all-+/- edits of the
 * current set, or one 0xHEX mask; "none" alone is the empty list. A number
 * word of 20 characters or more, or wider than 64 bits, is ERANGE; anything
 * else wrong is EINVAL.
 */
static int model_flags(const char *buf, size_t len, uint64_t valid,
		       uint64_t old, uint64_t *out)
{
	uint64_t seen = 0, set = 0, add = 0, del = 0;
	struct word w[MAX_WORDS];
	int n, i, signs = 0, nones = 0;

	if (!is_text(buf, len))
		return -EINVAL;
	n = split(buf, len, w);
	if (n <= 0)
		return -EINVAL;
	if (w[0].n > 2 && w[0].p[0] == '0' &&
	    (w[0].p[1] == 'x' || w[0].p[1] == 'X')) {
		uint64_t v = 0;
		size_t k;

		if (n > 1)
			return -EINVAL;
		if (w[0].n >= 20)
			return -ERANGE;
		for (k = 2; k < w[0].n; k++)
			if (hex_digit(w[0].p[k]) < 0)
				return -EINVAL;
		for (k = 2; k < w[0].n; k++) {
			if (v >> 60)
				return -ERANGE;
			v = v << 4 | hex_digit(w[0].p[k]);
		}
		if (v & ~valid)
			return -EINVAL;
		*out = v;
		return 0;
	}
	for (i = 0; i < n; i++) {
		const char *p = w[i].p;
		size_t k = w[i].n;
		char sign = 0;
		uint64_t b;

		if (*p == '+' || *p == '-') {
			sign = *p++;
			k--;
			signs++;
		}
		if (!k)
			return -EINVAL;
		if (!sign && k == 4 && !memcmp(p, "none", 4)) {
			nones++;
			continue;
		}
		b = flag_by_name(p, k);
		if (!b || !(b & valid) || (seen & b))
			return -EINVAL;
		seen |= b;
		if (sign == '+')
			add |= b;
		else if (sign == '-')
			del |= b;
		else
			set |= b;
	}
	if (signs && signs != n)
		return -EINVAL;
	if (nones && n > 1)
		return -EINVAL;
	*out = signs ? (old | add) & ~del : set;
	return 0;
}

/* rules: one or more +name / -name words, each rule at most once. */
static int model_rules(const char *buf, size_t len, uint32_t old,
		       uint32_t *out)
{
	uint32_t add = 0, del = 0, b;
	struct word w[MAX_WORDS];
	int n, i;
	size_t r;

	if (!is_text(buf, len))
		return -EINVAL;
	n = split(buf, len, w);
	if (n <= 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (w[i].n < 2 || (w[i].p[0] != '+' && w[i].p[0] != '-'))
			return -EINVAL;
		for (r = 0; r < N_RULES; r++)
			if (strlen(rule_names[r]) == w[i].n - 1 &&
			    !memcmp(rule_names[r], w[i].p + 1, w[i].n - 1))
				break;
		if (r == N_RULES)
			return -EINVAL;
		b = 1u << r;
		if ((add | del) & b)
			return -EINVAL;
		if (w[i].p[0] == '+')
			add |= b;
		else
			del |= b;
	}
	*out = (old | add) & ~del;
	return 0;
}

/* mode, profile and locked: one name, optionally one newline after it. */
static int model_name(const char *buf, size_t len, const char *const *names,
		      int count)
{
	int i;

	if (memchr(buf, '\0', len))
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		len--;
	for (i = 0; i < count; i++)
		if (strlen(names[i]) == len && !memcmp(names[i], buf, len))
			return i;
	return -EINVAL;
}

/*
 * What write() of this value returns (len, or 0 for an empty write, which
 * sysfs never passes on, or -errno), applying it to the model if taken.
 */
static ssize_t model_write(struct model *m, int file, const char *buf,
			   size_t len)
{
	static const char *const one[] = { "1" };
	uint64_t v;
	uint32_t r32;
	int r;

	if (!len)
		return 0;
	switch (file) {
	case F_MODE:
		r = model_name(buf, len, mode_names, 3);
		if (r >= 0)
			m->mode = r;
		break;
	case F_PROFILE:
		/* custom is what a profile becomes, never one to load */
		r = model_name(buf, len, profile_names, 2);
		if (r >= 0)
			model_load(m, r);
		break;
	case F_CLONE:
	case F_UNSHARE:
		r = model_flags(buf, len,
				file == F_CLONE ? ALL_CLONE_FLAGS :
						  ALL_UNSHARE_FLAGS,
				file == F_CLONE ? m->clone : m->unshare, &v);
		if (!r) {
			*(file == F_CLONE ? &m->clone : &m->unshare) = v;
			m->profile = PROFILE_CUSTOM;
		}
		break;
	case F_RULES:
		r = model_rules(buf, len, m->rules, &r32);
		if (!r) {
			m->rules = r32;
			m->profile = PROFILE_CUSTOM;
		}
		break;
	default:
		r = model_name(buf, len, one, 1);
		if (r >= 0)
			m->locked = 1;
		break;
	}
	return r < 0 ? r : (ssize_t)len;
}

/* --- the fixture: every test starts from gvisor + audit and puts back ---- */

static void policy_setup(struct __test_metadata *_metadata,
			 struct snapshot *saved)
{
	/* basic_test fails when the module is missing; here it is a skip */
	if (!cg_loaded())
		SKIP(_exit(255), "clonegate is not loaded");
	ASSERT_EQ(0, snapshot_read(saved));
	if (strcmp(saved->text[F_LOCKED], "0\n"))
		SKIP(_exit(255), "policy is locked: nothing can be written");
	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
}

static void policy_teardown(struct __test_metadata *_metadata,
			    const struct snapshot *saved)
{
	struct snapshot now;
	int d;

	EXPECT_EQ(0, snapshot_restore(saved));
	ASSERT_EQ(0, snapshot_read(&now));
	d = snapshot_diff(saved, &now);
	EXPECT_EQ(-1, d) TH_LOG("teardown left %s \"%s\", not \"%s\"",
				file_name[d], esc_s(now.text[d]),
				esc_s(saved->text[d]));
}

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

/* Expect a write to fail with err and leave every file as it was. */
static void expect_refused(struct __test_metadata *_metadata, int file,
			   const char *val, size_t len, int err)
{
	struct snapshot before, after;
	ssize_t r;
	int d;

	ASSERT_EQ(0, snapshot_read(&before));
	r = write_file(file, val, len);
	EXPECT_EQ(-err, r) TH_LOG("%s <- \"%s\": want %s, got %s",
				  file_name[file], esc(val, len),
				  strerror(err), errstr(r));
	ASSERT_EQ(0, snapshot_read(&after));
	d = snapshot_diff(&before, &after);
	EXPECT_EQ(-1, d) TH_LOG("%s <- \"%s\" changed %s to \"%s\"",
				file_name[file], esc(val, len), file_name[d],
				esc_s(after.text[d]));
	if (d >= 0) {
		ASSERT_EQ(0, snapshot_restore(&before));
	}
}

/* Expect a write to be taken and every file to read as want afterwards. */
static void expect_taken(struct __test_metadata *_metadata, int file,
			 const char *val, const struct snapshot *want)
{
	struct snapshot now;
	ssize_t r = write_str(file, val);
	int d;

	ASSERT_EQ((ssize_t)strlen(val), r)
		TH_LOG("%s <- \"%s\": %s", file_name[file],
		       esc_s(val), errstr(r));
	ASSERT_EQ(0, snapshot_read(&now));
	d = snapshot_diff(want, &now);
	ASSERT_EQ(-1, d) TH_LOG("%s <- \"%s\": %s reads \"%s\", want \"%s\"",
				file_name[file], esc_s(val),
				file_name[d], esc_s(now.text[d]),
				esc_s(want->text[d]));
}

struct bad {
	int file;
	const char *val;
	size_t len;
	int err;
};

/* sizeof, not strlen: some values hold a NUL */
#define BAD(f, s, e) { f, s, sizeof(s) - 1, e }

static void expect_all_refused(struct __test_metadata *_metadata,
			       const struct bad *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		expect_refused(_metadata, b[i].file, b[i].val, b[i].len,
			       b[i].err);
}

#define EXPECT_ALL_REFUSED(table) \
	expect_all_refused(_metadata, table, sizeof(table) / sizeof(table[0]))

static void model_default(struct model *m)
{
	memset(m, 0, sizeof(*m));
	m->mode = MODE_AUDIT;
	model_load(m, PROFILE_GVISOR);
}

/* --- what reads back: every form of every writable file ------------------ */

TEST_F(sysfs, defaults_read_gvisor_audit)
{
	static const char *const want[F_COUNT] = {
		"audit\n", "gvisor\n", GVISOR_CLONE_TEXT, GVISOR_UNSHARE_TEXT,
		GVISOR_RULES_TEXT, "0\n",
	};
	struct snapshot now, model;
	struct model m;
	int i;

	ASSERT_EQ(0, snapshot_read(&now));
	for (i = 0; i < F_COUNT; i++) {
		EXPECT_STREQ(want[i], now.text[i]);
	}
	/* the model prints the same text */
	model_default(&m);
	model_text(&m, &model);
	EXPECT_EQ(-1, snapshot_diff(&model, &now));
}

TEST_F(sysfs, mode_round_trips_each_name)
{
	static const char *const val[] = {
		"off", "audit", "enforce", "off\n", "enforce\n", "audit\n",
	};
	struct snapshot want;
	struct model m;
	size_t i;

	model_default(&m);
	for (i = 0; i < sizeof(val) / sizeof(val[0]); i++) {
		m.mode = model_name(val[i], strlen(val[i]), mode_names, 3);
		model_text(&m, &want);
		expect_taken(_metadata, F_MODE, val[i], &want);
	}
}

TEST_F(sysfs, mode_write_keeps_edited_policy)
{
	struct snapshot before, after;

	ASSERT_EQ(0, set_file(F_CLONE, "+newcgroup"));
	ASSERT_EQ(0, set_file(F_RULES, "-set_tid"));
	ASSERT_EQ(0, snapshot_read(&before));
	ASSERT_EQ(0, set_file(F_MODE, "enforce"));
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_STREQ("enforce\n", after.text[F_MODE]);
	strcpy(before.text[F_MODE], "enforce\n");
	EXPECT_EQ(-1, snapshot_diff(&before, &after));
	EXPECT_STREQ("custom\n", after.text[F_PROFILE]);
}

TEST_F(sysfs, profile_permissive_loads_whole_profile)
{
	static const char *const want[F_COUNT] = {
		"audit\n", "permissive\n", PERMISSIVE_CLONE_TEXT,
		PERMISSIVE_UNSHARE_TEXT, PERMISSIVE_RULES_TEXT, "0\n",
	};
	struct snapshot now;
	int i;

	ASSERT_EQ(0, set_file(F_PROFILE, "permissive\n"));
	ASSERT_EQ(0, snapshot_read(&now));
	for (i = 0; i < F_COUNT; i++) {
		EXPECT_STREQ(want[i], now.text[i]);
	}
}

TEST_F(sysfs, profile_gvisor_loads_whole_profile)
{
	static const char *const want[F_COUNT] = {
		"audit\n", "gvisor\n", GVISOR_CLONE_TEXT, GVISOR_UNSHARE_TEXT,
		GVISOR_RULES_TEXT, "0\n",
	};
	struct snapshot now;
	int i;

	ASSERT_EQ(0, set_file(F_PROFILE, "permissive"));
	ASSERT_EQ(0, set_file(F_PROFILE, "gvisor"));
	ASSERT_EQ(0, snapshot_read(&now));
	for (i = 0; i < F_COUNT; i++) {
		EXPECT_STREQ(want[i], now.text[i]);
	}
}

TEST_F(sysfs, profile_write_keeps_mode)
{
	static const char *const modes[] = { "off", "enforce", "audit" };
	size_t i;

	char want[16];

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, set_file(F_MODE, modes[i]));
		ASSERT_EQ(0, set_file(F_PROFILE, i & 1 ? "gvisor" :
							 "permissive"));
		snprintf(want, sizeof(want), "%s\n", modes[i]);
		EXPECT_STREQ(want, read_file(F_MODE));
	}
}

TEST_F(sysfs, profile_write_undoes_every_edit)
{
	static const char *const profiles[] = { "gvisor", "permissive" };
	struct snapshot want;
	struct model m;
	int i;

	model_default(&m);
	m.mode = MODE_OFF;
	ASSERT_EQ(0, set_file(F_MODE, "off"));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, set_file(F_CLONE, "vm"));
		ASSERT_EQ(0, set_file(F_UNSHARE, "0x0"));
		ASSERT_EQ(0, set_file(F_RULES, "-set_tid +fs_newns"));
		EXPECT_STREQ("custom\n", read_file(F_PROFILE));
		model_load(&m, i);
		model_text(&m, &want);
		expect_taken(_metadata, F_PROFILE, profiles[i], &want);
	}
}

TEST_F(sysfs, rules_off_and_on_round_trip)
{
	struct snapshot want;
	struct model m;
	size_t i;

	model_default(&m);
	m.profile = PROFILE_CUSTOM;
	for (i = 0; i < N_RULES; i++) {
		char val[64];

		snprintf(val, sizeof(val), "-%s\n", rule_names[i]);
		m.rules &= ~(1u << i);
		model_text(&m, &want);
		expect_taken(_metadata, F_RULES, val, &want);
	}
	EXPECT_STREQ(ALL_RULES_OFF_TEXT, read_file(F_RULES));
	for (i = 0; i < N_RULES; i++) {
		char val[64];

		snprintf(val, sizeof(val), "+%s", rule_names[i]);
		m.rules |= 1u << i;
		model_text(&m, &want);
		expect_taken(_metadata, F_RULES, val, &want);
	}
	EXPECT_STREQ(GVISOR_RULES_TEXT, read_file(F_RULES));
}

TEST_F(sysfs, rules_several_words_apply_together)
{
	struct snapshot want;
	struct model m;

	model_default(&m);
	m.profile = PROFILE_CUSTOM;
	m.rules &= ~((1u << 2) | (1u << 8) | (1u << 12));
	model_text(&m, &want);
	expect_taken(_metadata, F_RULES,
		     " -set_tid\t-fs_newns\n+unsupported_flag  -ns_needs_cap\n",
		     &want);
	EXPECT_STREQ("+unsupported_flag\n+sighand_without_vm\n-set_tid\n"
		     "+thread_without_sighand\n+thread_newpid\n"
		     "+newpid_pending\n+newuser_thread_fs\n"
		     "+bad_exit_signal\n-fs_newns\n+unshare_vm_sighand\n"
		     "+unshare_thread_multithreaded\n+newuser_chroot\n"
		     "-ns_needs_cap\n", want.text[F_RULES]);
}

TEST_F(sysfs, rules_commas_separate_words)
{
	struct snapshot want;
	struct model m;

	model_default(&m);
	m.profile = PROFILE_CUSTOM;
	m.rules &= ~((1u << 2) | (1u << 8));
	model_text(&m, &want);
	expect_taken(_metadata, F_RULES, "-set_tid,-fs_newns,\n", &want);
}

TEST_F(sysfs, rules_readback_writes_back_identically)
{
	char text[TEXT_MAX];
	struct snapshot want;

	/* a mixed set's text, written over the permissive profile */
	ASSERT_EQ(0, set_file(F_RULES, "-set_tid -newuser_chroot"));
	strcpy(text, read_file(F_RULES));
	ASSERT_EQ(0, set_file(F_PROFILE, "permissive"));
	ASSERT_EQ(0, snapshot_read(&want));
	strcpy(want.text[F_RULES], text);
	strcpy(want.text[F_PROFILE], "custom\n");
	expect_taken(_metadata, F_RULES, text, &want);
	/* and the full-on and full-off texts over each other */
	strcpy(want.text[F_RULES], GVISOR_RULES_TEXT);
	expect_taken(_metadata, F_RULES, GVISOR_RULES_TEXT, &want);
	strcpy(want.text[F_RULES], ALL_RULES_OFF_TEXT);
	expect_taken(_metadata, F_RULES, ALL_RULES_OFF_TEXT, &want);
}

TEST_F(sysfs, rules_noop_edit_makes_profile_custom)
{
	struct snapshot want;

	ASSERT_EQ(0, snapshot_read(&want));
	strcpy(want.text[F_PROFILE], "custom\n");
	expect_taken(_metadata, F_RULES, "+set_tid", &want);
}

/* clone_flags and unshare_flags take the same forms: one test, two files */
FIXTURE(flags) {
	struct snapshot saved;
};

FIXTURE_VARIANT(flags) {
	int file;
	uint64_t valid, gvisor;
	const char *gvisor_text, *permissive_text;
};

FIXTURE_VARIANT_ADD(flags, clone_flags) {
	.file = F_CLONE,
	.valid = ALL_CLONE_FLAGS,
	.gvisor = GVISOR_CLONE_FLAGS,
	.gvisor_text = GVISOR_CLONE_TEXT,
	.permissive_text = PERMISSIVE_CLONE_TEXT,
};

FIXTURE_VARIANT_ADD(flags, unshare_flags) {
	.file = F_UNSHARE,
	.valid = ALL_UNSHARE_FLAGS,
	.gvisor = GVISOR_UNSHARE_FLAGS,
	.gvisor_text = GVISOR_UNSHARE_TEXT,
	.permissive_text = PERMISSIVE_UNSHARE_TEXT,
};

FIXTURE_SETUP(flags)
{
	policy_setup(_metadata, &self->saved);
}

FIXTURE_TEARDOWN(flags)
{
	policy_teardown(_metadata, &self->saved);
}

/* The default policy with this file holding mask, as the files read. */
static void want_mask(const FIXTURE_VARIANT(flags) *variant, uint64_t mask,
		      struct snapshot *want)
{
	struct model m;

	model_default(&m);
	m.profile = PROFILE_CUSTOM;
	*(variant->file == F_CLONE ? &m.clone : &m.unshare) = mask;
	model_text(&m, want);
}

TEST_F(flags, names_read_back_in_bit_order)
{
	struct snapshot want;

	want_mask(variant, U(CLONE_VM) | U(CLONE_FS) | U(CLONE_THREAD) |
		  U(CLONE_NEWCGROUP), &want);
	ASSERT_STREQ("vm fs thread newcgroup\n", want.text[variant->file]);
	expect_taken(_metadata, variant->file,
		     "thread  vm\tnewcgroup\nfs\n", &want);
}

TEST_F(flags, commas_separate_words)
{
	struct snapshot want;

	want_mask(variant, U(CLONE_VM) | U(CLONE_FS) | U(CLONE_NEWNS), &want);
	expect_taken(_metadata, variant->file, "newns,vm, fs,\n", &want);
	want_mask(variant, U(CLONE_FS) | U(CLONE_NEWNS) | U(CLONE_NEWCGROUP),
		  &want);
	expect_taken(_metadata, variant->file, ",+newcgroup,-vm", &want);
}

TEST_F(flags, every_name_round_trips)
{
	struct snapshot want;
	char val[64];
	size_t i;

	for (i = 0; i < N_FLAGS; i++) {
		if (!(flag_table[i].bit & variant->valid))
			continue;
		want_mask(variant, flag_table[i].bit, &want);
		snprintf(val, sizeof(val), "%s", flag_table[i].name);
		expect_taken(_metadata, variant->file, val, &want);
		snprintf(val, sizeof(val), "0x%" PRIx64 "\n",
			 flag_table[i].bit);
		expect_taken(_metadata, variant->file, val, &want);
	}
}

TEST_F(flags, edits_apply_to_current_set)
{
	struct snapshot want;
	uint64_t mask = variant->gvisor;

	mask = (mask | U(CLONE_NEWCGROUP)) & ~(U(CLONE_NEWNET) | U(CLONE_VM));
	want_mask(variant, mask, &want);
	expect_taken(_metadata, variant->file, "+newcgroup -newnet\t-vm\n",
		     &want);
	mask = (mask | U(CLONE_VM)) & ~U(CLONE_NEWCGROUP);
	want_mask(variant, mask, &want);
	expect_taken(_metadata, variant->file, "-newcgroup +vm", &want);
}

TEST_F(flags, noop_edit_makes_profile_custom)
{
	struct snapshot want;

	want_mask(variant, variant->gvisor, &want);
	expect_taken(_metadata, variant->file, "+vm -newcgroup", &want);
	ASSERT_STREQ(variant->gvisor_text, want.text[variant->file]);
	EXPECT_STREQ("custom\n", want.text[F_PROFILE]);
}

TEST_F(flags, hex_reads_back_as_names)
{
	static const struct {
		const char *val;
		uint64_t mask;
	} hex[] = {
		{ "0x100", U(CLONE_VM) },
		{ "0X30000", U(CLONE_THREAD) | U(CLONE_NEWNS) },
		{ "0x2000000\n", U(CLONE_NEWCGROUP) },
		{ " \t0x0000000000100 \n", U(CLONE_VM) },
	};
	struct snapshot want;
	char val[64];
	size_t i;

	for (i = 0; i < sizeof(hex) / sizeof(hex[0]); i++) {
		want_mask(variant, hex[i].mask, &want);
		expect_taken(_metadata, variant->file, hex[i].val, &want);
	}
	/* every valid bit at once, in upper case: reads as the permissive set */
	snprintf(val, sizeof(val), "0x%" PRIX64, variant->valid);
	want_mask(variant, variant->valid, &want);
	ASSERT_STREQ(variant->permissive_text, want.text[variant->file]);
	expect_taken(_metadata, variant->file, val, &want);
}

TEST_F(flags, none_reads_back_none)
{
	static const char *const empty[] = { "none", "none\n", " none ",
					     "0x0", "0X00" };
	struct snapshot want;
	size_t i;

	want_mask(variant, 0, &want);
	ASSERT_STREQ("none\n", want.text[variant->file]);
	for (i = 0; i < sizeof(empty) / sizeof(empty[0]); i++) {
		ASSERT_EQ(0, set_file(variant->file, "vm"));
		expect_taken(_metadata, variant->file, empty[i], &want);
	}
	/* an edit of the empty set */
	want_mask(variant, U(CLONE_FS), &want);
	expect_taken(_metadata, variant->file, "+fs", &want);
}

TEST_F(flags, readback_writes_back_identically)
{
	static const char *const setups[][2] = {
		{ "profile", "gvisor" },
		{ "profile", "permissive" },
		{ "flags", "none" },
		{ "flags", "sysvsem" },
		{ "flags", "newtime newcgroup" },
	};
	struct snapshot want;
	size_t i;

	for (i = 0; i < sizeof(setups) / sizeof(setups[0]); i++) {
		char text[TEXT_MAX];

		int file = strcmp(setups[i][0], "profile") ? variant->file :
							       F_PROFILE;

		ASSERT_EQ(0, set_file(file, setups[i][1]));
		ASSERT_EQ(0, snapshot_read(&want));
		strcpy(text, want.text[variant->file]);
		if (i < 2) {
			ASSERT_STREQ(i ? variant->permissive_text :
					 variant->gvisor_text, text);
		}
		strcpy(want.text[F_PROFILE], "custom\n");
		expect_taken(_metadata, variant->file, text, &want);
	}
}

TEST_F(flags, bits_outside_file_rejected)
{
	char val[64];
	int bit;
	size_t i;

	for (bit = 0; bit < 64; bit++) {
		if (variant->valid & 1ULL << bit)
			continue;
		snprintf(val, sizeof(val), "0x%" PRIx64, (uint64_t)1 << bit);
		expect_refused(_metadata, variant->file, val, strlen(val),
			       EINVAL);
	}
	/* names of flags this file cannot hold, in every form */
	for (i = 0; i < N_FLAGS; i++) {
		if (flag_table[i].bit & variant->valid)
			continue;
		snprintf(val, sizeof(val), "%s", flag_table[i].name);
		expect_refused(_metadata, variant->file, val, strlen(val),
			       EINVAL);
		snprintf(val, sizeof(val), "+%s", flag_table[i].name);
		expect_refused(_metadata, variant->file, val, strlen(val),
			       EINVAL);
		snprintf(val, sizeof(val), "-%s", flag_table[i].name);
		expect_refused(_metadata, variant->file, val, strlen(val),
			       EINVAL);
	}
	snprintf(val, sizeof(val), "0x%" PRIx64, ~variant->valid);
	expect_refused(_metadata, variant->file, val, strlen(val), EINVAL);
}

/* --- bad input on every writable file ------------------------------------ */

TEST_F(sysfs, empty_write_is_a_no_op)
{
	struct snapshot before, after;
	int i;

	/* sysfs returns 0 for an empty write without calling the module */
	ASSERT_EQ(0, snapshot_read(&before));
	for (i = 0; i < F_COUNT; i++) {
		EXPECT_EQ(0, write_file(i, "", 0)) TH_LOG("%s", file_name[i]);
	}
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_EQ(-1, snapshot_diff(&before, &after));
}

TEST_F(sysfs, whitespace_only_rejected)
{
	static const char *const ws[] = {
		" ", "\n", "\t", " \t\n", "\n\n", "\r\n", "\v\f", "        ",
		",", ", ,\n",
	};
	size_t i;
	int f;

	for (f = 0; f < F_COUNT; f++)
		for (i = 0; i < sizeof(ws) / sizeof(ws[0]); i++)
			expect_refused(_metadata, f, ws[i], strlen(ws[i]),
				       EINVAL);
}

/*
 * A value longer than a page. sysfs sets no atomic_write_len, so kernfs
 * itself does not refuse it: it cuts it to its first page and calls the
 * module, which must refuse the value whole, E2BIG, whatever that page
 * holds (a page that parses would otherwise be applied, short count).
 */
TEST_F(sysfs, oversize_write_refused_whole)
{
	static const struct {
		int file;
		const char *head;
		char fill;
	} cases[] = {
		{ F_MODE, "x", 'x' }, { F_MODE, "", ' ' },
		{ F_MODE, "enforce", '\n' },
		{ F_PROFILE, "x", 'x' }, { F_PROFILE, "permissive", '\n' },
		{ F_CLONE, "x", 'x' }, { F_CLONE, "", ' ' },
		{ F_CLONE, "+newcgroup", ' ' }, { F_CLONE, "none", '\n' },
		{ F_UNSHARE, "x", 'x' }, { F_UNSHARE, "-newnet", ',' },
		{ F_RULES, "-set_tid", ' ' }, { F_RULES, "", '\n' },
		{ F_RULES, "x", 'x' },
		{ F_LOCKED, "x", 'x' }, { F_LOCKED, "", '\n' },
	};
	size_t page = sysconf(_SC_PAGESIZE), len = page + 16, i;
	char *buf = malloc(len);

	ASSERT_TRUE(buf != NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int f = cases[i].file;
		struct snapshot before, after;
		ssize_t r;
		int d;

		memset(buf, cases[i].fill, len);
		memcpy(buf, cases[i].head, strlen(cases[i].head));
		/* past the page: a word no file takes */
		memcpy(buf + page + 2, " +bogus ", 8);
		ASSERT_EQ(0, snapshot_read(&before));
		r = write_file(f, buf, len);
		ASSERT_EQ(0, snapshot_read(&after));
		d = snapshot_diff(&before, &after);
		EXPECT_EQ(-E2BIG, r) TH_LOG("%s <- %zu bytes \"%s\"...: %s",
					    file_name[f], len,
					    esc(buf, 12), errstr(r));
		EXPECT_EQ(-1, d) TH_LOG("%s <- %zu bytes changed %s",
					file_name[f], len, file_name[d]);
		if (d >= 0) {
			ASSERT_EQ(0, snapshot_restore(&before));
		}
	}
	free(buf);
}

TEST_F(sysfs, embedded_nul_rejected)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "\0", EINVAL),
		BAD(F_MODE, "audit\0", EINVAL),
		BAD(F_MODE, "enforce\0", EINVAL),
		BAD(F_MODE, "enf\0orce", EINVAL),
		BAD(F_MODE, "\0enforce", EINVAL),
		BAD(F_MODE, "enforce\n\0", EINVAL),
		BAD(F_PROFILE, "permissive\0", EINVAL),
		BAD(F_PROFILE, "\0", EINVAL),
		BAD(F_CLONE, "\0", EINVAL),
		BAD(F_CLONE, "+newcgroup\0", EINVAL),
		BAD(F_CLONE, "vm\0fs", EINVAL),
		BAD(F_CLONE, "\0vm", EINVAL),
		BAD(F_CLONE, "0x100\0", EINVAL),
		BAD(F_UNSHARE, "+newcgroup\0", EINVAL),
		BAD(F_UNSHARE, "0x0\0", EINVAL),
		BAD(F_RULES, "-set_tid\0", EINVAL),
		BAD(F_RULES, "\0-set_tid", EINVAL),
		BAD(F_LOCKED, "\0", EINVAL),
		BAD(F_LOCKED, "0\0", EINVAL),
		BAD(F_LOCKED, "1\0", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, control_bytes_rejected)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "enforce\x01", EINVAL),
		BAD(F_MODE, "\x1b[1menforce", EINVAL),
		BAD(F_MODE, "enforce\r", EINVAL),
		BAD(F_PROFILE, "permissive\x7f", EINVAL),
		BAD(F_CLONE, "+newcgroup\x01", EINVAL),
		BAD(F_CLONE, "vm\x08", EINVAL),
		BAD(F_CLONE, "\x1b", EINVAL),
		BAD(F_CLONE, "+newcgroup\x7f", EINVAL),
		BAD(F_CLONE, "+newcgroup \x85", EINVAL),
		BAD(F_CLONE, "0x100\x02", EINVAL),
		BAD(F_UNSHARE, "-newnet\x1f", EINVAL),
		BAD(F_UNSHARE, "\x9b" "newns", EINVAL),
		BAD(F_RULES, "-set_tid\x01", EINVAL),
		BAD(F_RULES, "-set_tid \x9b", EINVAL),
		BAD(F_LOCKED, "\x01", EINVAL),
		BAD(F_LOCKED, "\x7f", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, high_bytes_rejected)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "enforce\xc3\xa9", EINVAL),
		BAD(F_MODE, "\xef\xbb\xbf" "enforce", EINVAL),
		BAD(F_PROFILE, "permissive\xff", EINVAL),
		BAD(F_CLONE, "newcgroup\xe9", EINVAL),
		BAD(F_CLONE, "\xff", EINVAL),
		BAD(F_CLONE, "\xef\xbb\xbf" "vm", EINVAL),
		BAD(F_CLONE, "+newcgroup +\xc3\xa9", EINVAL),
		BAD(F_UNSHARE, "-newnet\xc2", EINVAL),
		BAD(F_RULES, "-set_tid\xe2\x80\x8b", EINVAL),
		BAD(F_LOCKED, "\xb9", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

/*
 * Bytes 0xa0-0xff are printable Latin-1 to the kernel's ctype, and 0xa0
 * (no-break space) is whitespace there. Values are ASCII: binary, EINVAL,
 * even where such a byte would separate two good words.
 */
TEST_F(sysfs, non_ascii_bytes_are_binary)
{
	static const struct bad bad[] = {
		BAD(F_CLONE, "+newcgroup\xa0+newtime", EINVAL),
		BAD(F_CLONE, "\xa0+newcgroup", EINVAL),
		BAD(F_UNSHARE, "-newnet\xa0", EINVAL),
		BAD(F_RULES, "-set_tid\xa0-fs_newns", EINVAL),
		BAD(F_CLONE, "0x000000000000000100\xe9", EINVAL),
		BAD(F_MODE, "enforce\xa0", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, unknown_names_rejected)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "Audit", EINVAL),
		BAD(F_MODE, "ENFORCE", EINVAL),
		BAD(F_MODE, "enforcing", EINVAL),
		BAD(F_MODE, "enforc", EINVAL),
		BAD(F_MODE, "on", EINVAL),
		BAD(F_MODE, "gvisor", EINVAL),
		BAD(F_PROFILE, "GVISOR", EINVAL),
		BAD(F_PROFILE, "default", EINVAL),
		BAD(F_PROFILE, "permissiv", EINVAL),
		BAD(F_PROFILE, "gvisor permissive", EINVAL),
		BAD(F_PROFILE, "custom", EINVAL),
		BAD(F_PROFILE, "custom\n", EINVAL),
		BAD(F_CLONE, "bogus", EINVAL),
		BAD(F_CLONE, "VM", EINVAL),
		BAD(F_CLONE, "clone_vm", EINVAL),
		BAD(F_CLONE, "CLONE_NEWUSER", EINVAL),
		BAD(F_CLONE, "newtimes", EINVAL),
		BAD(F_CLONE, "+bogus", EINVAL),
		BAD(F_CLONE, "-Vm", EINVAL),
		BAD(F_CLONE, "vm fs bogus", EINVAL),
		BAD(F_CLONE, "+vm -bogus", EINVAL),
		BAD(F_CLONE, "vm;fs", EINVAL),
		BAD(F_CLONE, "all", EINVAL),
		BAD(F_CLONE, "+none", EINVAL),
		BAD(F_CLONE, "NONE", EINVAL),
		BAD(F_UNSHARE, "bogus", EINVAL),
		BAD(F_UNSHARE, "+newcgroup +bogus", EINVAL),
		BAD(F_RULES, "+bogus", EINVAL),
		BAD(F_RULES, "+SET_TID", EINVAL),
		BAD(F_RULES, "+set-tid", EINVAL),
		BAD(F_RULES, "-unsupported_flags", EINVAL),
		BAD(F_RULES, "-set_tid +bogus", EINVAL),
		BAD(F_RULES, "+none", EINVAL),
		BAD(F_RULES, "+vm", EINVAL),
		BAD(F_LOCKED, "yes", EINVAL),
		BAD(F_LOCKED, "true", EINVAL),
		BAD(F_LOCKED, "on", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, duplicate_names_rejected)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "enforce enforce", EINVAL),
		BAD(F_MODE, "enforce\nenforce", EINVAL),
		BAD(F_PROFILE, "permissive\npermissive\n", EINVAL),
		BAD(F_CLONE, "vm vm", EINVAL),
		BAD(F_CLONE, "vm fs vm", EINVAL),
		BAD(F_CLONE, "+newcgroup +newcgroup", EINVAL),
		BAD(F_CLONE, "+newcgroup -newcgroup", EINVAL),
		BAD(F_CLONE, "-vm -vm", EINVAL),
		BAD(F_CLONE, "-newnet +newnet", EINVAL),
		BAD(F_UNSHARE, "newns newns", EINVAL),
		BAD(F_UNSHARE, "+newcgroup -newcgroup", EINVAL),
		BAD(F_RULES, "-set_tid -set_tid", EINVAL),
		BAD(F_RULES, "-set_tid +set_tid", EINVAL),
		BAD(F_RULES, "-fs_newns -set_tid -fs_newns", EINVAL),
		BAD(F_LOCKED, "0 0", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, sign_without_name_rejected)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "+", EINVAL),
		BAD(F_MODE, "+enforce", EINVAL),
		BAD(F_PROFILE, "-", EINVAL),
		BAD(F_PROFILE, "+permissive", EINVAL),
		BAD(F_CLONE, "+", EINVAL),
		BAD(F_CLONE, "-", EINVAL),
		BAD(F_CLONE, "+\n", EINVAL),
		BAD(F_CLONE, "+ newcgroup", EINVAL),
		BAD(F_CLONE, "+newcgroup +", EINVAL),
		BAD(F_CLONE, "- newnet", EINVAL),
		BAD(F_CLONE, "++newcgroup", EINVAL),
		BAD(F_CLONE, "+-newcgroup", EINVAL),
		BAD(F_UNSHARE, "-", EINVAL),
		BAD(F_UNSHARE, "-newnet -", EINVAL),
		BAD(F_RULES, "+", EINVAL),
		BAD(F_RULES, "-", EINVAL),
		BAD(F_RULES, "- set_tid", EINVAL),
		BAD(F_RULES, "-set_tid +", EINVAL),
		BAD(F_RULES, "--set_tid", EINVAL),
		BAD(F_LOCKED, "+", EINVAL),
		BAD(F_LOCKED, "+1", EINVAL),
		BAD(F_LOCKED, "-0", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, numbers_rejected_where_names_go)
{
	static const struct bad bad[] = {
		BAD(F_MODE, "0", EINVAL),
		BAD(F_MODE, "1", EINVAL),
		BAD(F_MODE, "2\n", EINVAL),
		BAD(F_MODE, "3", EINVAL),
		BAD(F_MODE, "-1", EINVAL),
		BAD(F_MODE, "0x2", EINVAL),
		BAD(F_PROFILE, "0", EINVAL),
		BAD(F_PROFILE, "1", EINVAL),
		BAD(F_PROFILE, "2", EINVAL),
		BAD(F_CLONE, "256", EINVAL),
		BAD(F_CLONE, "1", EINVAL),
		BAD(F_CLONE, "+256", EINVAL),
		BAD(F_CLONE, "0400", EINVAL),
		BAD(F_UNSHARE, "0", EINVAL),
		BAD(F_RULES, "+0", EINVAL),
		BAD(F_RULES, "-1", EINVAL),
		BAD(F_RULES, "0x1", EINVAL),
		BAD(F_RULES, "8191", EINVAL),
		BAD(F_LOCKED, "0", EINVAL),
		BAD(F_LOCKED, "0\n", EINVAL),
		BAD(F_LOCKED, "2", EINVAL),
		BAD(F_LOCKED, "-1", EINVAL),
		BAD(F_LOCKED, "01", EINVAL),
		BAD(F_LOCKED, "11", EINVAL),
		BAD(F_LOCKED, "0x1", EINVAL),
		BAD(F_LOCKED, "1.0", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, hex_wider_than_64_bits_is_erange)
{
	static const struct bad bad[] = {
		BAD(F_CLONE, "0x10000000000000000", ERANGE),
		BAD(F_CLONE, "0x1ffffffffffffffff", ERANGE),
		BAD(F_CLONE, "0x10000000000000100\n", ERANGE),
		BAD(F_CLONE, "0xffffffffffffffffffffffffffffffff", ERANGE),
		BAD(F_CLONE, "0X123456789ABCDEF0123456789", ERANGE),
		BAD(F_UNSHARE, "0x10000000000000000", ERANGE),
		BAD(F_UNSHARE, "0xFFFFFFFFFFFFFFFFF", ERANGE),
		/* in range but outside the file: EINVAL */
		BAD(F_CLONE, "0xffffffffffffffff", EINVAL),
		BAD(F_CLONE, "0x8000000000000000", EINVAL),
		BAD(F_UNSHARE, "0xffffffffffffffff", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, malformed_hex_rejected)
{
	static const struct bad bad[] = {
		BAD(F_CLONE, "0x", EINVAL),
		BAD(F_CLONE, "0X\n", EINVAL),
		BAD(F_CLONE, "0xg", EINVAL),
		BAD(F_CLONE, "0x100g", EINVAL),
		BAD(F_CLONE, "0x-100", EINVAL),
		BAD(F_CLONE, "0x+100", EINVAL),
		BAD(F_CLONE, "0x 100", EINVAL),
		BAD(F_CLONE, "0x1_00", EINVAL),
		BAD(F_CLONE, "0x100;", EINVAL),
		BAD(F_CLONE, "0x100,vm", EINVAL),
		BAD(F_CLONE, "0x100 0x200", EINVAL),
		BAD(F_CLONE, "00x100", EINVAL),
		BAD(F_CLONE, "x100", EINVAL),
		BAD(F_CLONE, "+0x100", EINVAL),
		BAD(F_UNSHARE, "0xz", EINVAL),
		BAD(F_UNSHARE, "0x100 0x100", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, mixed_forms_rejected)
{
	static const struct bad bad[] = {
		BAD(F_CLONE, "vm +fs", EINVAL),
		BAD(F_CLONE, "+fs vm", EINVAL),
		BAD(F_CLONE, "-newnet newcgroup", EINVAL),
		BAD(F_CLONE, "0x100 vm", EINVAL),
		BAD(F_CLONE, "0x100 +vm", EINVAL),
		BAD(F_CLONE, "vm 0x100", EINVAL),
		BAD(F_CLONE, "+vm 0x100", EINVAL),
		BAD(F_CLONE, "none +vm", EINVAL),
		BAD(F_CLONE, "+vm none", EINVAL),
		BAD(F_CLONE, "-newnet none", EINVAL),
		BAD(F_CLONE, "none 0x0", EINVAL),
		BAD(F_CLONE, "0x0 none", EINVAL),
		BAD(F_UNSHARE, "newns -newnet", EINVAL),
		BAD(F_UNSHARE, "0x20000 newns", EINVAL),
		BAD(F_RULES, "set_tid", EINVAL),
		BAD(F_RULES, "-set_tid fs_newns", EINVAL),
		BAD(F_RULES, "fs_newns -set_tid", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, none_twice_rejected)
{
	static const struct bad bad[] = {
		BAD(F_CLONE, "none none", EINVAL),
		BAD(F_CLONE, "none\nnone\n", EINVAL),
		BAD(F_UNSHARE, "none none none", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

/* "none" only stands alone: beside names it is no empty set to add to. */
TEST_F(sysfs, none_with_names_rejected)
{
	static const struct bad bad[] = {
		BAD(F_CLONE, "none newcgroup", EINVAL),
		BAD(F_CLONE, "newcgroup none", EINVAL),
		BAD(F_CLONE, "none,vm", EINVAL),
		BAD(F_CLONE, "none none vm", EINVAL),
		BAD(F_UNSHARE, "vm none", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

TEST_F(sysfs, stray_whitespace_rejected_by_name_files)
{
	static const struct bad bad[] = {
		BAD(F_MODE, " enforce", EINVAL),
		BAD(F_MODE, "enforce ", EINVAL),
		BAD(F_MODE, "enforce\t", EINVAL),
		BAD(F_MODE, "enforce\n\n", EINVAL),
		BAD(F_MODE, "\nenforce", EINVAL),
		BAD(F_MODE, "enforce\r\n", EINVAL),
		BAD(F_MODE, "enforce \n", EINVAL),
		BAD(F_PROFILE, " permissive", EINVAL),
		BAD(F_PROFILE, "permissive\n\n", EINVAL),
		BAD(F_PROFILE, "permissive\t\n", EINVAL),
		/* near misses of the one value locked takes */
		BAD(F_LOCKED, " 1", EINVAL),
		BAD(F_LOCKED, "1 ", EINVAL),
		BAD(F_LOCKED, "1\n\n", EINVAL),
		BAD(F_LOCKED, "\n1", EINVAL),
		BAD(F_LOCKED, "1\r\n", EINVAL),
		BAD(F_LOCKED, "1\t", EINVAL),
	};

	EXPECT_ALL_REFUSED(bad);
}

/* Each write() is one whole value: halves of a name are two bad values. */
TEST_F(sysfs, partial_writes_rejected_each)
{
	static const struct {
		int file;
		const char *a, *b;
	} halves[] = {
		{ F_CLONE, "+newc", "group" },
		{ F_CLONE, "+newu", "ser" },
		{ F_UNSHARE, "-newn", "et" },
		{ F_RULES, "-set_", "tid" },
		{ F_MODE, "enf", "orce" },
		{ F_PROFILE, "permis", "sive" },
		/* locked takes one byte: it cannot be cut in two */
	};
	struct snapshot before, after;
	char path[128];
	size_t i;

	for (i = 0; i < sizeof(halves) / sizeof(halves[0]); i++) {
		int fd;

		file_path(path, sizeof(path), halves[i].file);
		ASSERT_EQ(0, snapshot_read(&before));
		fd = open(path, O_WRONLY);
		ASSERT_LE(0, fd);
		EXPECT_EQ(-1, write(fd, halves[i].a, strlen(halves[i].a)));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s <- \"%s\"",
						file_name[halves[i].file],
						halves[i].a);
		EXPECT_EQ(-1, write(fd, halves[i].b, strlen(halves[i].b)));
		EXPECT_EQ(EINVAL, errno) TH_LOG("%s <- \"%s\"",
						file_name[halves[i].file],
						halves[i].b);
		close(fd);
		ASSERT_EQ(0, snapshot_read(&after));
		EXPECT_EQ(-1, snapshot_diff(&before, &after));
	}
}

TEST_F(sysfs, read_only_files_refuse_writes)
{
	static const char *const dirs[] = { CG, CG "stats/",
					    CG "stats/rules/" };
	struct snapshot before, after;
	int checked = 0;
	size_t d;

	ASSERT_EQ(0, snapshot_read(&before));
	for (d = 0; d < 3; d++) {
		DIR *dir = opendir(dirs[d]);
		struct dirent *e;

		ASSERT_TRUE(dir != NULL);
		while ((e = readdir(dir))) {
			char path[512];
			struct stat st;
			int fd;

			snprintf(path, sizeof(path), "%s%s", dirs[d],
				 e->d_name);
			if (stat(path, &st) || !S_ISREG(st.st_mode) ||
			    (st.st_mode & 0222))
				continue;
			/* root passes DAC; kernfs refuses a file without store */
			fd = open(path, O_WRONLY);
			EXPECT_EQ(-1, fd) TH_LOG("%s opened for write", path);
			EXPECT_EQ(EACCES, errno) TH_LOG("%s", path);
			if (fd >= 0)
				close(fd);
			checked++;
		}
		closedir(dir);
	}
	/* at least version, 18 counters and one per rule */
	EXPECT_LE(1 + 18 + (int)N_RULES, checked);
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_EQ(-1, snapshot_diff(&before, &after));
}

TEST_F(sysfs, stats_rules_has_one_counter_per_rule)
{
	size_t i;

	for (i = 0; i < N_RULES; i++) {
		EXPECT_LE(0, cg_rule_hits(rule_names[i]))
			TH_LOG("stats/rules/%s", rule_names[i]);
	}
}

/* --- pseudo-random writes against the model ------------------------------ */

#define FUZZ_INPUTS 1000

struct rng {
	uint64_t s;
};

static uint64_t rnd(struct rng *r)
{
	r->s ^= r->s >> 12;
	r->s ^= r->s << 25;
	r->s ^= r->s >> 27;
	return r->s * 0x2545f4914f6cdd1dULL;
}

static unsigned int below(struct rng *r, unsigned int n)
{
	return (rnd(r) >> 32) % n;
}

static int chance(struct rng *r, unsigned int percent)
{
	return below(r, 100) < percent;
}

struct input {
	char buf[400];
	size_t len;
};

static void add(struct input *in, const char *s, size_t n)
{
	if (n > sizeof(in->buf) - in->len)
		n = sizeof(in->buf) - in->len;
	memcpy(in->buf + in->len, s, n);
	in->len += n;
}

static void adds(struct input *in, const char *s)
{
	add(in, s, strlen(s));
}

static void addc(struct input *in, char c)
{
	add(in, &c, 1);
}

static char any_byte(struct rng *r)
{
	return below(r, 256);
}

static void add_space(struct rng *r, struct input *in)
{
	static const char *const sp[] = { " ", " ", " ", " ", "  ", "\t",
					  "\n", " \n", "\r", "\v", "\f", ",",
					  ", ", ",," };

	adds(in, sp[below(r, sizeof(sp) / sizeof(sp[0]))]);
}

static void add_junk_word(struct rng *r, struct input *in)
{
	static const char *const junk[] = {
		"VM", "Vm", "clone_vm", "CLONE_NEWUSER", "new", "newtimes",
		"vmx", "0", "1", "0x", "NONE", "all", "x", "*", "+", "-",
		"++vm", "+-vm", "vm,fs", "set_tid", "audit", "gvisor",
		"SET_TID", "set-tid", "tid", "ns_needs_caps", "none", "",
	};
	unsigned int i, n;

	if (chance(r, 70)) {
		adds(in, junk[below(r, sizeof(junk) / sizeof(junk[0]))]);
		return;
	}
	for (i = 0, n = 1 + below(r, 6); i < n; i++)
		addc(in, 0x21 + below(r, 0x7f - 0x21));
}

/* Replace, insert or delete one byte. */
static void mutate(struct rng *r, struct input *in)
{
	size_t at = in->len ? below(r, in->len) : 0;

	switch (in->len ? below(r, 3) : 1) {
	case 0:
		in->buf[at] = any_byte(r);
		break;
	case 1:
		if (in->len < sizeof(in->buf)) {
			memmove(in->buf + at + 1, in->buf + at, in->len - at);
			in->buf[at] = any_byte(r);
			in->len++;
		}
		break;
	default:
		memmove(in->buf + at, in->buf + at + 1, in->len - at - 1);
		in->len--;
		break;
	}
}

static void gen_garbage(struct rng *r, struct input *in)
{
	unsigned int i, n = 1 + below(r, 12);

	for (i = 0; i < n; i++)
		addc(in, any_byte(r));
}

static void gen_hex(struct rng *r, struct input *in, uint64_t valid)
{
	unsigned int k = below(r, 100), i;
	char num[32];
	uint64_t v;

	if (k < 55)
		v = rnd(r) & valid;
	else if (k < 70)
		v = rnd(r) & ALL_CLONE_FLAGS;
	else if (k < 85)
		v = 1ULL << below(r, 64);
	else
		v = rnd(r);
	adds(in, chance(r, 80) ? "0x" : "0X");
	for (i = chance(r, 15) ? below(r, 6) : 0; i; i--)
		addc(in, '0');
	snprintf(num, sizeof(num), chance(r, 70) ? "%" PRIx64 : "%" PRIX64,
		 v);
	adds(in, num);
	if (chance(r, 15))	/* wider, sometimes past 64 bits */
		for (i = 1 + below(r, 3); i; i--)
			addc(in, "0123456789abcdef"[below(r, 16)]);
	if (chance(r, 6))
		addc(in, 0x21 + below(r, 0x7f - 0x21));
	if (chance(r, 6)) {
		add_space(r, in);
		adds(in, flag_table[below(r, N_FLAGS)].name);
	}
}

static void gen_flags(struct rng *r, struct input *in, uint64_t valid)
{
	unsigned int form = below(r, 100), n, i, signs = below(r, 10);

	in->len = 0;
	if (chance(r, 15))
		add_space(r, in);
	if (form < 15) {
		gen_hex(r, in, valid);
	} else if (form < 22) {
		gen_garbage(r, in);
	} else if (form < 26) {
		adds(in, "none");
	} else {
		n = chance(r, 3) ? 0 : 1 + below(r, 6);
		for (i = 0; i < n; i++) {
			unsigned int s = signs < 4 ? 0 : signs < 9 ? 1 :
				below(r, 2);
			unsigned int p = below(r, 100);

			if (i)
				add_space(r, in);
			if (s)
				addc(in, chance(r, 50) ? '+' : '-');
			if (p < 80)
				adds(in, flag_table[below(r, N_FLAGS)].name);
			else if (p < 84)
				adds(in, "none");
			else
				add_junk_word(r, in);
		}
	}
	if (chance(r, 35))
		adds(in, chance(r, 80) ? "\n" : " ");
	if (chance(r, 8))
		mutate(r, in);
}

static void gen_rules(struct rng *r, struct input *in)
{
	unsigned int n, i;

	in->len = 0;
	if (chance(r, 8)) {
		gen_garbage(r, in);
		return;
	}
	if (chance(r, 15))
		add_space(r, in);
	n = chance(r, 3) ? 0 : 1 + below(r, 5);
	for (i = 0; i < n; i++) {
		unsigned int s = below(r, 100);

		if (i)
			add_space(r, in);
		if (s < 46)
			addc(in, '+');
		else if (s < 92)
			addc(in, '-');
		if (chance(r, 86))
			adds(in, rule_names[below(r, N_RULES)]);
		else
			add_junk_word(r, in);
	}
	if (chance(r, 35))
		adds(in, "\n");
	if (chance(r, 8))
		mutate(r, in);
}

/* One name from names (mostly its first n_good), decorated or broken. */
static void gen_name(struct rng *r, struct input *in,
		     const char *const *names, unsigned int count,
		     unsigned int n_good)
{
	static const char *const after[] = { "\n", "\n", "\n", "\n", "",
					     "", "", "\n\n", " ", "\r\n",
					     " \n", "\t" };
	const char *name;
	unsigned int k = below(r, 100);

	in->len = 0;
	if (k < 3)
		return;		/* an empty write */
	if (k < 13) {
		gen_garbage(r, in);
		return;
	}
	name = chance(r, 80) ? names[below(r, n_good)] :
			       names[below(r, count)];
	if (chance(r, 6))
		add_space(r, in);
	adds(in, name);
	if (chance(r, 8) && in->len)	/* a letter in the wrong case */
		in->buf[in->len - 1 - below(r, in->len)] ^= 0x20;
	if (chance(r, 5) && in->len)
		in->len--;
	if (chance(r, 5)) {
		add_space(r, in);
		adds(in, names[below(r, count)]);
	}
	adds(in, after[below(r, sizeof(after) / sizeof(after[0]))]);
	if (chance(r, 4))
		addc(in, '\0');
	if (chance(r, 10))
		mutate(r, in);
}

static void gen_input(struct rng *r, int file, struct input *in)
{
	static const char *const modes[] = {
		"off", "audit", "enforce", "gvisor", "on", "1", "Audit",
	};
	static const char *const profiles[] = {
		"gvisor", "permissive", "custom", "audit", "none", "default",
	};
	static const char *const locks[] = {
		"0", "1", "2", "true", "yes", "01", "locked", "on",
	};

	switch (file) {
	case F_MODE:
		gen_name(r, in, modes, 7, 3);
		break;
	case F_PROFILE:
		gen_name(r, in, profiles, 6, 2);
		break;
	case F_CLONE:
		gen_flags(r, in, ALL_CLONE_FLAGS);
		break;
	case F_UNSHARE:
		gen_flags(r, in, ALL_UNSHARE_FLAGS);
		break;
	case F_RULES:
		gen_rules(r, in);
		break;
	default:
		gen_name(r, in, locks, 8, 2);
		break;
	}
}

/* A value of locked that is "1" once whitespace and NULs are dropped. */
static int could_lock(const struct input *in)
{
	size_t i, ones = 0;

	for (i = 0; i < in->len; i++) {
		if (in->buf[i] == '1')
			ones++;
		else if (in->buf[i] && !is_space(in->buf[i]))
			return 0;
	}
	return ones == 1;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * FUZZ_INPUTS values written one by one: each returns what the model says
 * and leaves every file reading as the model's text; each value taken reads
 * back as text that, written again, changes nothing.
 */
static void fuzz_file(struct __test_metadata *_metadata, int file)
{
	unsigned int written = 0, taken = 0, einval = 0, erange = 0;
	unsigned int empty = 0, not_locking = 0, i;
	struct snapshot want, got;
	struct rng rng;
	struct model m;
	const char *env = getenv("CLONEGATE_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 0) : 0x5eed0c10e6a7eULL;
	double t0 = now_s();
	int fd[F_COUNT];
	char path[128];

	rng.s = seed ^ (0x9e3779b97f4a7c15ULL * (file + 1));
	for (i = 0; i < F_COUNT; i++) {
		file_path(path, sizeof(path), i);
		fd[i] = open(path, i == file ? O_RDWR : O_RDONLY);
		ASSERT_LE(0, fd[i]) TH_LOG("%s: %s", path, strerror(errno));
	}
	model_default(&m);
	model_text(&m, &want);
	ASSERT_EQ(0, snapshot_pread(fd, &got));
	ASSERT_EQ(-1, snapshot_diff(&want, &got));

	for (i = 0; written < FUZZ_INPUTS && i < 20 * FUZZ_INPUTS; i++) {
		struct model next = m;
		struct input in;
		ssize_t exp, r;
		int d;

		gen_input(&rng, file, &in);
		exp = model_write(&next, file, in.buf, in.len);
		if (file == F_LOCKED && (next.locked || could_lock(&in))) {
			not_locking++;
			continue;
		}
		written++;
		r = pwrite(fd[file], in.buf, in.len, 0);
		if (r < 0)
			r = -errno;
		ASSERT_EQ(exp, r) TH_LOG("seed %#" PRIx64 " input %u: %s <- \"%s\": want %s, got %s",
					 seed, i, file_name[file],
					 esc(in.buf, in.len), errstr(exp),
					 errstr(r));
		m = next;
		model_text(&m, &want);
		ASSERT_EQ(0, snapshot_pread(fd, &got));
		d = snapshot_diff(&want, &got);
		ASSERT_EQ(-1, d) TH_LOG("seed %#" PRIx64 " input %u: %s <- \"%s\": %s reads \"%s\", want \"%s\"",
					seed, i, file_name[file],
					esc(in.buf, in.len), file_name[d],
					esc_s(got.text[d]),
					esc_s(want.text[d]));
		if (r == -EINVAL)
			einval++;
		else if (r == -ERANGE)
			erange++;
		else if (r == 0)
			empty++;
		if (r <= 0)
			continue;
		taken++;
		/* the canonical text is a value that changes nothing */
		r = pwrite(fd[file], got.text[file], strlen(got.text[file]), 0);
		EXPECT_EQ((ssize_t)strlen(got.text[file]), r)
			TH_LOG("%s <- its own text \"%s\": %s", file_name[file],
			       esc_s(got.text[file]), errstr(r));
		ASSERT_EQ(0, snapshot_pread(fd, &want));
		d = snapshot_diff(&want, &got);
		ASSERT_EQ(-1, d) TH_LOG("%s <- its own text \"%s\" changed %s",
					file_name[file],
					esc_s(got.text[file]),
					file_name[d]);
	}
	for (i = 0; i < F_COUNT; i++)
		close(fd[i]);
	TH_LOG("%s: %u values in %.1f s: %u taken, %u EINVAL, %u ERANGE, %u empty; %u not written (would lock)",
	       file_name[file], written, now_s() - t0, taken, einval, erange,
	       empty, not_locking);
	ASSERT_EQ(FUZZ_INPUTS, written);
	/* a fair share of both outcomes, or the generator is broken */
	if (file != F_LOCKED) {
		EXPECT_LT(FUZZ_INPUTS / 10, taken);
	}
	EXPECT_LT(FUZZ_INPUTS / 10, einval);
}

TEST_F(sysfs, fuzz_mode_matches_model)
{
	fuzz_file(_metadata, F_MODE);
}

TEST_F(sysfs, fuzz_profile_matches_model)
{
	fuzz_file(_metadata, F_PROFILE);
}

TEST_F(sysfs, fuzz_clone_flags_matches_model)
{
	fuzz_file(_metadata, F_CLONE);
}

TEST_F(sysfs, fuzz_unshare_flags_matches_model)
{
	fuzz_file(_metadata, F_UNSHARE);
}

TEST_F(sysfs, fuzz_rules_matches_model)
{
	fuzz_file(_metadata, F_RULES);
}

TEST_F(sysfs, fuzz_locked_refuses_all_but_one)
{
	fuzz_file(_metadata, F_LOCKED);
}

/* --- who may write ------------------------------------------------------- */

/* Why a child failed, shared with the test process. */
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

static int child_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(child_why(), 4096, fmt, ap);
	va_end(ap);
	return 1;
}

/* Values that would change the policy; locked gets "0", never "1". */
static const char *const good_value[F_COUNT] = {
	"enforce\n", "permissive\n", "+newcgroup\n", "+newcgroup\n",
	"-set_tid\n", "0\n",
};
static const char *const bad_value[F_COUNT] = {
	"bogus", "custom", "+", "0x", "set_tid", "2",
};

static int drop_to_nobody(void)
{
	if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
	    setresuid(65534, 65534, 65534))
		return child_fail("dropping to 65534: %s", strerror(errno));
	return 0;
}

static int open_as_nobody(void *arg)
{
	char path[128];
	int i, fd;

	if (drop_to_nobody())
		return 1;
	for (i = 0; i < F_COUNT; i++) {
		file_path(path, sizeof(path), i);
		fd = open(path, O_WRONLY);
		if (fd >= 0)
			return child_fail("%s opened for write by 65534", path);
		if (errno != EACCES)
			return child_fail("%s: %s, want EACCES", path,
					  strerror(errno));
	}
	return 0;
}

/* Write each value through a descriptor root opened: must be EPERM. */
static int write_after_drop(void *arg)
{
	const char *const *val = arg;
	char path[128];
	int fd[F_COUNT], i;

	for (i = 0; i < F_COUNT; i++) {
		file_path(path, sizeof(path), i);
		fd[i] = open(path, O_WRONLY);
		if (fd[i] < 0)
			return child_fail("%s: %s", path, strerror(errno));
	}
	if (drop_to_nobody())
		return 1;
	for (i = 0; i < F_COUNT; i++) {
		ssize_t r = write(fd[i], val[i], strlen(val[i]));

		if (r >= 0 || errno != EPERM)
			return child_fail("%s <- \"%s\" as 65534: %s, want EPERM",
					  file_name[i], esc_s(val[i]),
					  errstr(r < 0 ? -errno : r));
	}
	return 0;
}

/* Root of a user namespace mapped to real root: DAC passes, capable() not. */
static int write_as_userns_root(void *arg)
{
	char path[128];
	int i, fd;
	ssize_t r;

	if (unshare(CLONE_NEWUSER))
		return child_fail("unshare(CLONE_NEWUSER): %s", strerror(errno));
	fd = open("/proc/self/uid_map", O_WRONLY);
	if (fd < 0 || write(fd, "0 0 1", 5) != 5)
		return child_fail("uid_map: %s", strerror(errno));
	close(fd);
	if (getuid() != 0 || geteuid() != 0)
		return child_fail("uid %d in the namespace, want 0", getuid());
	for (i = 0; i < 2 * F_COUNT; i++) {
		const char *val = i < F_COUNT ? good_value[i] :
						bad_value[i - F_COUNT];

		file_path(path, sizeof(path), i % F_COUNT);
		fd = open(path, O_WRONLY);
		if (fd < 0)
			return child_fail("%s: open: %s, want DAC to pass",
					  path, strerror(errno));
		r = write(fd, val, strlen(val));
		if (r < 0)
			r = -errno;
		close(fd);
		if (r != -EPERM)
			return child_fail("%s <- \"%s\" as namespace root: %s, want EPERM",
					  path, esc_s(val),
					  errstr(r));
	}
	return 0;
}

static void expect_child_refused(struct __test_metadata *_metadata,
				 int (*fn)(void *), void *arg)
{
	struct snapshot before, after;

	ASSERT_EQ(0, snapshot_read(&before));
	child_why()[0] = '\0';
	EXPECT_EQ(0, cg_in_child(fn, arg)) TH_LOG("%s", child_why());
	ASSERT_EQ(0, snapshot_read(&after));
	EXPECT_EQ(-1, snapshot_diff(&before, &after));
}

TEST_F(sysfs, unprivileged_open_for_write_is_eacces)
{
	expect_child_refused(_metadata, open_as_nobody, NULL);
}

TEST_F(sysfs, unprivileged_write_is_eperm)
{
	expect_child_refused(_metadata, write_after_drop, (void *)good_value);
}

/* The capability is checked before the value is looked at. */
TEST_F(sysfs, unprivileged_bad_write_is_eperm_not_einval)
{
	expect_child_refused(_metadata, write_after_drop, (void *)bad_value);
}

TEST_F(sysfs, userns_root_write_is_eperm)
{
	expect_child_refused(_metadata, write_as_userns_root, NULL);
}

/* --- policy swaps under load --------------------------------------------- */

#define WORKERS 3
#define FLIP_SECONDS 2.0

struct race {
	int stop;
	long ok[WORKERS], einval[WORKERS], other[WORKERS];
	long other_err[WORKERS];
	long reads[WORKERS], torn[WORKERS], seen_gvisor[WORKERS],
		seen_permissive[WORKERS];
	char torn_text[WORKERS][TEXT_MAX];
};

static int stopped(struct race *rc)
{
	return __atomic_load_n(&rc->stop, __ATOMIC_ACQUIRE);
}

/* clone3(CLONE_NEWCGROUP) until told to stop, counting the outcomes. */
static void clone3_worker(struct race *rc, int id)
{
	while (!stopped(rc)) {
		struct cg_clone_args args = {
			.flags = CLONE_NEWCGROUP,
			.exit_signal = SIGCHLD,
		};
		long r = cg_raw_clone3(&args, sizeof(args));

		if (r > 0) {
			waitpid(r, NULL, 0);
			rc->ok[id]++;
		} else if (r == -EINVAL) {
			rc->einval[id]++;
		} else {
			rc->other[id]++;
			rc->other_err[id] = -r;
		}
	}
	_exit(0);
}

/* Read profile, flags and rules until told to stop: each whole profile. */
static void read_worker(struct race *rc, int id)
{
	static const char *const ok[][2] = {
		{ "gvisor\n", "permissive\n" },
		{ GVISOR_CLONE_TEXT, PERMISSIVE_CLONE_TEXT },
		{ GVISOR_UNSHARE_TEXT, PERMISSIVE_UNSHARE_TEXT },
		{ GVISOR_RULES_TEXT, PERMISSIVE_RULES_TEXT },
	};
	static const int files[] = { F_PROFILE, F_CLONE, F_UNSHARE, F_RULES };
	char path[128], buf[TEXT_MAX];
	int fd[4], i;

	for (i = 0; i < 4; i++) {
		file_path(path, sizeof(path), files[i]);
		fd[i] = open(path, O_RDONLY);
	}
	while (!stopped(rc)) {
		for (i = 0; i < 4; i++) {
			ssize_t n = pread(fd[i], buf, sizeof(buf) - 1, 0);

			buf[n < 0 ? 0 : n] = '\0';
			rc->reads[id]++;
			if (!strcmp(buf, ok[i][0])) {
				rc->seen_gvisor[id]++;
			} else if (!strcmp(buf, ok[i][1])) {
				rc->seen_permissive[id]++;
			} else {
				rc->torn[id]++;
				snprintf(rc->torn_text[id], TEXT_MAX, "%s: %.900s",
					 file_name[files[i]], buf);
			}
		}
	}
	_exit(0);
}

/*
 * Start WORKERS copies of worker, flip the policy for FLIP_SECONDS, stop
 * and reap them. Returns the number of flips, or -1 if a write failed;
 * nothing here may ASSERT while a worker runs.
 */
static long flip_under(struct race *rc, void (*worker)(struct race *, int),
		       int flip_mode, int *status)
{
	double end;
	pid_t pid[WORKERS];
	long step, bad = 0;
	int i;

	for (i = 0; i < WORKERS; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			worker(rc, i);
		if (pid[i] < 0)
			break;
	}
	end = now_s() + FLIP_SECONDS;
	for (step = 0; i == WORKERS && now_s() < end; step++) {
		if (set_file(F_PROFILE, step & 1 ? "permissive" : "gvisor"))
			bad++;
		if (flip_mode &&
		    set_file(F_MODE, step & 2 ? "enforce" : "audit"))
			bad++;
	}
	__atomic_store_n(&rc->stop, 1, __ATOMIC_RELEASE);
	while (i--)
		if (waitpid(pid[i], &status[i], 0) != pid[i])
			status[i] = -1;
	return bad ? -1 : step;
}

TEST_F(sysfs, clone3_during_policy_flips_sees_one_policy)
{
	struct race *rc = mmap(NULL, sizeof(*rc), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long flips, ok = 0, einval = 0;
	int status[WORKERS] = { 0 }, i;

	ASSERT_TRUE(rc != MAP_FAILED);
	/*
	 * gvisor + enforce refuses CLONE_NEWCGROUP with EINVAL; gvisor +
	 * audit and permissive let it through. Nothing else may happen.
	 */
	flips = flip_under(rc, clone3_worker, 1, status);
	ASSERT_LT(0, flips) TH_LOG("a policy write failed while flipping");
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(0, status[i]) TH_LOG("worker %d", i);
		EXPECT_EQ(0, rc->other[i])
			TH_LOG("worker %d: %ld calls failed otherwise, last %s",
			       i, rc->other[i], strerror(rc->other_err[i]));
		ok += rc->ok[i];
		einval += rc->einval[i];
	}
	TH_LOG("%ld flips; clone3: %ld created, %ld EINVAL", flips, ok,
	       einval);
	EXPECT_LT(0, ok);
	EXPECT_LT(0, einval);
	EXPECT_TRUE(cg_no_children());
	munmap(rc, sizeof(*rc));
}

TEST_F(sysfs, reads_during_profile_flips_see_whole_profile)
{
	struct race *rc = mmap(NULL, sizeof(*rc), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	long flips, reads = 0, gv = 0, perm = 0;
	int status[WORKERS] = { 0 }, i;

	ASSERT_TRUE(rc != MAP_FAILED);
	flips = flip_under(rc, read_worker, 0, status);
	ASSERT_LT(0, flips) TH_LOG("a policy write failed while flipping");
	for (i = 0; i < WORKERS; i++) {
		EXPECT_EQ(0, status[i]) TH_LOG("reader %d", i);
		EXPECT_EQ(0, rc->torn[i])
			TH_LOG("reader %d read %s", i,
			       esc_s(rc->torn_text[i]));
		reads += rc->reads[i];
		gv += rc->seen_gvisor[i];
		perm += rc->seen_permissive[i];
	}
	TH_LOG("%ld flips; %ld reads: %ld gvisor, %ld permissive", flips,
	       reads, gv, perm);
	EXPECT_LT(0, gv);
	EXPECT_LT(0, perm);
	munmap(rc, sizeof(*rc));
}

TEST_HARNESS_MAIN
