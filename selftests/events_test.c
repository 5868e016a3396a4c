// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events: what /dev/clonegate, the audit record and the
 * tracepoint say about a decision, checked against the truth.
 *
 * Every test drains the device first. Records of other processes can
 * interleave, so a test picks its own: by thread group id, or by a tag, the
 * exit signal of a denied clone3(CLONE_NEWCGROUP), which the record carries
 * whatever context fields are chosen.
 */
#define _FILE_OFFSET_BITS 64
#include "common.h"
#include "../include/uapi/linux/clonegate.h"

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/netlink.h>
#include <poll.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include "kselftest_harness.h"

#define DEV "/dev/clonegate"
#define EVDIR CG "events/"
#define EV_SIZE sizeof(struct clonegate_event)

#define ALL_FIELDS ((1U << CLONEGATE_FIELD_COUNT) - 1)
#define DEFAULT_FIELDS (ALL_FIELDS & ~CLONEGATE_FIELD_CWD)

#define RULE_UNSUPPORTED_FLAG 0	/* the first rule row */

/* context field names, in CLONEGATE_FIELD_* bit order */
static const char *const field_names[CLONEGATE_FIELD_COUNT] = {
	"time", "thread_id", "thread_start_time", "thread_group_id",
	"thread_group_start_time", "container_id", "credentials", "cwd",
	"process_name", "parent_thread_group_id",
};

/* Tags are real-time signal numbers, ignored in case a call gets through. */
#define TAG(n) (34 + (n))
#define TAG_MAX TAG(30)

/* --- settings and counters ------------------------------------------------ */

static int ev_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), EVDIR "%s", file);
	return cg_write(path, val);
}

/* The context_fields value for a set of CLONEGATE_FIELD_* bits. */
static void fields_text(uint32_t mask, char *buf, size_t size)
{
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < CLONEGATE_FIELD_COUNT; i++)
		if (mask & (1U << i))
			len += snprintf(buf + len, size - len, "%s%s",
					len ? " " : "", field_names[i]);
	if (!len)
		snprintf(buf, size, "none");
}

static int set_fields(uint32_t mask)
{
	char buf[512];

	fields_text(mask, buf, sizeof(buf));
	return ev_set("context_fields", buf);
}

/* What every test leaves behind: the module's defaults. */
static void restore_defaults(void)
{
	cg_policy("gvisor", "audit");
	ev_set("decisions", "denied audited");
	ev_set("channels", "audit trace dev");
	set_fields(DEFAULT_FIELDS);
}

/* A counter under events/, or -1. */
static long long ev_counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), EVDIR "%s", name);
	if (cg_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

struct counters {
	long long emitted, delivered, ring_full, audit_records, traced;
};

static void counters_read(struct counters *c)
{
	c->emitted = ev_counter("emitted");
	c->delivered = ev_counter("delivered");
	c->ring_full = ev_counter("dropped/ring_full");
	c->audit_records = ev_counter("audit_records");
	c->traced = ev_counter("traced");
}

static void ignore_tag_signals(void)
{
	int sig;

	for (sig = TAG(0); sig <= TAG_MAX; sig++)
		signal(sig, SIG_IGN);
}

/* --- calls ----------------------------------------------------------------- */

/*
 * A call gVisor denies with unsupported_flag, tagged with its exit signal.
 * Under enforce it returns -EINVAL and creates nothing.
 */
static long deny_tagged(int tag)
{
	struct cg_clone_args args = {
		.flags = CLONE_NEWCGROUP,
		.exit_signal = tag,
	};

	return cg_raw_clone3(&args, sizeof(args));
}

static int is_tag(const struct clonegate_event *e, int tag)
{
	return e->op == CLONEGATE_EV_OP_CLONE3 &&
	       e->flags == CLONE_NEWCGROUP && e->exit_signal == tag;
}

static pid_t cg_gettid(void)
{
	return syscall(SYS_gettid);
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- reading the device ---------------------------------------------------- */

struct evs {
	struct clonegate_event *e;
	int n, cap;
	int bad;	/* records of a wrong size or version */
};

static void evs_add(struct evs *l, const struct clonegate_event *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			abort();
	}
	l->e[l->n++] = *e;
}

static void evs_free(struct evs *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

/* Read every queued record (the fd is O_NONBLOCK). Return: 0 or -errno. */
static int ev_read_all(int fd, struct evs *l)
{
	static struct clonegate_event buf[32];
	ssize_t n;
	int i;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		if (n == 0 || n % EV_SIZE) {
			l->bad++;
			return -EIO;
		}
		for (i = 0; i < n / (ssize_t)EV_SIZE; i++) {
			if (buf[i].size != EV_SIZE ||
			    buf[i].version != CLONEGATE_EVENT_VERSION)
				l->bad++;
			evs_add(l, &buf[i]);
		}
	}
}

static int ev_drain(int fd)
{
	struct evs l = {};
	int n;

	ev_read_all(fd, &l);
	n = l.n;
	evs_free(&l);
	return n;
}

/* The records of thread group @tgid, in the order read. */
static void evs_of_tgid(const struct evs *in, struct evs *out, pid_t tgid)
{
	int i;

	for (i = 0; i < in->n; i++)
		if ((in->e[i].fields & CLONEGATE_FIELD_THREAD_GROUP_ID) &&
		    in->e[i].thread_group_id == tgid)
			evs_add(out, &in->e[i]);
}

/* The records tagged @tag. */
static int evs_count_tag(const struct evs *in, int tag,
			 const struct clonegate_event **first)
{
	int i, n = 0;

	for (i = 0; i < in->n; i++)
		if (is_tag(&in->e[i], tag)) {
			if (!n && first)
				*first = &in->e[i];
			n++;
		}
	return n;
}

static int dev_open(void)
{
	return open(DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

/* --- the truth about a task ------------------------------------------------ */

/* Field 22 of a /proc stat file: start time in clock ticks after boot. */
static long long proc_start_ticks(const char *path)
{
	char buf[1024], *p;
	int field;

	if (cg_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	p += 2;		/* at field 3 */
	for (field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -1;
		p++;
	}
	return strtoll(p, NULL, 10);
}

/*
 * CLOCK_REALTIME - CLOCK_BOOTTIME. The reads are bracketed and the
 * tightest of a few tries is taken: an emulated CPU can stall for tens of
 * milliseconds between two clock reads.
 */
static int64_t real_minus_boot(void)
{
	int64_t b1, r, b2, gap = INT64_MAX, off = 0;
	int i;

	for (i = 0; i < 50 && gap > 100000; i++) {
		b1 = clock_ns(CLOCK_BOOTTIME);
		r = clock_ns(CLOCK_REALTIME);
		b2 = clock_ns(CLOCK_BOOTTIME);
		if (b2 - b1 < gap) {
			gap = b2 - b1;
			off = r - b1 - (b2 - b1) / 2;
		}
	}
	return off;
}

/*
 * How far a record's start time (CLOCK_REALTIME ns of a boot-time start) is
 * from what /proc says: the tick count moved onto CLOCK_REALTIME now. The
 * tick truncates, so a right value is within [0, 1 tick) of it.
 */
static int64_t start_diff_ns(uint64_t rec, const char *stat_path)
{
	long long ticks = proc_start_ticks(stat_path);
	int64_t hz = sysconf(_SC_CLK_TCK);

	if (ticks < 0)
		return INT64_MAX;
	return (int64_t)rec - (real_minus_boot() + ticks * (1000000000LL / hz));
}

/* two ticks, and 5 ms for reading the clocks under emulation */
static int64_t start_slack_ns(void)
{
	return 2 * (1000000000LL / sysconf(_SC_CLK_TCK)) + 5000000LL;
}

static int start_ok(uint64_t rec, const char *stat_path)
{
	int64_t d = start_diff_ns(rec, stat_path);

	return d != INT64_MAX && d <= start_slack_ns() &&
	       d >= -start_slack_ns();
}

/* The cgroup v2 path of @pid ("0::/path" in /proc/PID/cgroup). */
static int proc_cgroup(pid_t pid, char *out, size_t size)
{
	char path[64], buf[1024], *p;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", pid);
	if (cg_read(path, buf, sizeof(buf)) <= 0)
		return -1;
	p = strstr(buf, "0::");
	if (!p)
		return -1;
	p += 3;
	p[strcspn(p, "\n")] = '\0';
	snprintf(out, size, "%s", p);
	return 0;
}

#define CGROOT "/sys/fs/cgroup"

static int have_cgroup2(void)
{
	return access(CGROOT "/cgroup.procs", W_OK) == 0 &&
	       access(CGROOT "/cgroup.controllers", R_OK) == 0;
}

/* The inode of a cgroup directory: its cgroup id. 0 if unknown. */
static uint64_t cgroup_ino(const char *cgpath)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), CGROOT "%s", cgpath);
	return stat(path, &st) ? 0 : st.st_ino;
}

static void rmdir_retry(const char *path)
{
	int i;

	for (i = 0; i < 100 && rmdir(path) && errno == EBUSY; i++)
		usleep(10000);
}

/*
 * What a record's context must say, field by field. Paths of stat files
 * are for the start times.
 */
struct truth {
	pid_t tid, tgid, ppid;
	int64_t before, after;		/* CLOCK_REALTIME around the call */
	char thread_stat[64], group_stat[64];
	char container[512];
	uint64_t cgroup_id;		/* 0: not known, not checked */
	uint32_t cred[6];		/* uid euid suid gid egid sgid */
	char cwd[512];
	char comm[16];
};

static void truth_of(struct truth *t, pid_t tgid, pid_t tid)
{
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tgid;
	snprintf(t->thread_stat, sizeof(t->thread_stat),
		 "/proc/%d/task/%d/stat", tgid, tid);
	snprintf(t->group_stat, sizeof(t->group_stat), "/proc/%d/stat", tgid);
	if (!proc_cgroup(tgid, t->container, sizeof(t->container)) &&
	    have_cgroup2())
		t->cgroup_id = cgroup_ino(t->container);
}

/*
 * Check the context of @e: exactly the fields of @mask, each as @t says,
 * every other one zero or empty.
 */
static void check_context(struct __test_metadata *_metadata,
			  const struct clonegate_event *e, uint32_t mask,
			  const struct truth *t)
{
	uint32_t cred[6] = { e->uid, e->euid, e->suid, e->gid, e->egid,
			     e->sgid };
	int i;

	EXPECT_EQ(mask, e->fields);
	EXPECT_EQ(0, e->ev_flags & CLONEGATE_EV_F_TRUNCATED);
	if (mask & CLONEGATE_FIELD_TIME) {
		EXPECT_LE(t->before, (int64_t)e->time_ns);
		EXPECT_GE(t->after, (int64_t)e->time_ns);
	} else {
		EXPECT_EQ(0, e->time_ns);
	}
	EXPECT_EQ(mask & CLONEGATE_FIELD_THREAD_ID ? t->tid : 0, e->thread_id);
	EXPECT_EQ(mask & CLONEGATE_FIELD_THREAD_GROUP_ID ? t->tgid : 0,
		  e->thread_group_id);
	EXPECT_EQ(mask & CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID ? t->ppid : 0,
		  e->parent_thread_group_id);
	if (mask & CLONEGATE_FIELD_THREAD_START_TIME) {
		EXPECT_TRUE(start_ok(e->thread_start_time_ns, t->thread_stat))
			TH_LOG("thread start %llu is %lld ns off %s",
			       (unsigned long long)e->thread_start_time_ns,
			       (long long)start_diff_ns(e->thread_start_time_ns,
							t->thread_stat),
			       t->thread_stat);
	} else {
		EXPECT_EQ(0, e->thread_start_time_ns);
	}
	if (mask & CLONEGATE_FIELD_THREAD_GROUP_START_TIME) {
		EXPECT_TRUE(start_ok(e->thread_group_start_time_ns,
				     t->group_stat))
			TH_LOG("group start %llu is %lld ns off %s",
			       (unsigned long long)e->thread_group_start_time_ns,
			       (long long)start_diff_ns(
				       e->thread_group_start_time_ns,
				       t->group_stat),
			       t->group_stat);
	} else {
		EXPECT_EQ(0, e->thread_group_start_time_ns);
	}
	if (mask & CLONEGATE_FIELD_CONTAINER_ID) {
		EXPECT_STREQ(t->container, e->container_id);
		if (t->cgroup_id)
			EXPECT_EQ(t->cgroup_id, e->cgroup_id);
		EXPECT_NE(0, e->cgroup_id);
	} else {
		EXPECT_STREQ("", e->container_id);
		EXPECT_EQ(0, e->cgroup_id);
	}
	for (i = 0; i < 6; i++)
		EXPECT_EQ(mask & CLONEGATE_FIELD_CREDENTIALS ? t->cred[i] : 0,
			  cred[i]) TH_LOG("credential %d", i);
	EXPECT_STREQ(mask & CLONEGATE_FIELD_CWD ? t->cwd : "", e->cwd);
	EXPECT_STREQ(mask & CLONEGATE_FIELD_PROCESS_NAME ? t->comm : "",
		     e->process_name);
}

/* The verdict part of a tagged deny under gvisor + enforce. */
static void check_tag_deny(struct __test_metadata *_metadata,
			   const struct clonegate_event *e, int tag)
{
	EXPECT_EQ(EV_SIZE, e->size);
	EXPECT_EQ(CLONEGATE_EVENT_VERSION, e->version);
	EXPECT_EQ(CLONEGATE_EV_OP_CLONE3, e->op);
	EXPECT_EQ(CLONEGATE_EV_DENIED, e->decision);
	EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, e->mode);
	EXPECT_EQ(RULE_UNSUPPORTED_FLAG, e->rule);
	EXPECT_STREQ("unsupported_flag", e->rule_name);
	EXPECT_EQ(EINVAL, e->errno_value);
	EXPECT_EQ(CLONE_NEWCGROUP, e->flags);
	EXPECT_EQ(tag, e->exit_signal);
	EXPECT_EQ(0, e->ev_flags & CLONEGATE_EV_F_CREATED);
	EXPECT_EQ(0, e->created_thread_id);
	EXPECT_EQ(0, e->created_thread_group_id);
	EXPECT_EQ(0, e->created_thread_start_time_ns);
}

/* --- the fixture ------------------------------------------------------------ */

FIXTURE(events) {
	int fd;
};

FIXTURE_SETUP(events)
{
	self->fd = -1;
	if (!cg_loaded())
		SKIP(_exit(255), "clonegate is not loaded");
	if (access(DEV, F_OK))
		SKIP(_exit(255), "no " DEV);
	ignore_tag_signals();
	restore_defaults();
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
	self->fd = dev_open();
	ASSERT_LE(0, self->fd) TH_LOG("open " DEV ": %s", strerror(errno));
	ev_drain(self->fd);
}

FIXTURE_TEARDOWN(events)
{
	if (self->fd >= 0)
		close(self->fd);
	restore_defaults();
}

/* --- what arrives ------------------------------------------------------------ */

/*
 * A known sequence under gvisor + enforce: two denied calls, one allowed
 * fork. Exactly the two denials arrive, with their verdicts.
 */
TEST_F(events, denied_calls_arrive_exactly)
{
	struct cg_clone_args args = {
		.flags = CLONE_NEWCGROUP,
		.exit_signal = SIGCHLD,
	};
	struct evs all = {}, mine = {}, kid = {};
	long ret;
	pid_t child;
	int i;

	ret = cg_raw_clone3(&args, sizeof(args));
	ASSERT_EQ(-EINVAL, ret);
	ret = syscall(__NR_unshare, CLONE_NEWTIME);
	ASSERT_EQ(-1, ret);
	ASSERT_EQ(EINVAL, errno);
	child = syscall(__NR_fork);
	if (child == 0)
		_exit(0);
	ASSERT_LT(0, child);
	ASSERT_EQ(child, waitpid(child, NULL, 0));

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	EXPECT_EQ(0, all.bad);
	evs_of_tgid(&all, &mine, getpid());
	evs_of_tgid(&all, &kid, child);
	if (all.n != mine.n)
		TH_LOG("%d records of other processes", all.n - mine.n);
	EXPECT_EQ(0, kid.n);
	for (i = 0; i < all.n; i++)
		EXPECT_NE(child, all.e[i].created_thread_id);
	ASSERT_EQ(2, mine.n);

	EXPECT_EQ(CLONEGATE_EV_OP_CLONE3, mine.e[0].op);
	EXPECT_EQ(CLONEGATE_EV_DENIED, mine.e[0].decision);
	EXPECT_EQ(EINVAL, mine.e[0].errno_value);
	EXPECT_EQ(RULE_UNSUPPORTED_FLAG, mine.e[0].rule);
	EXPECT_STREQ("unsupported_flag", mine.e[0].rule_name);
	EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, mine.e[0].mode);
	EXPECT_EQ(CLONE_NEWCGROUP, mine.e[0].flags);
	EXPECT_EQ(SIGCHLD, mine.e[0].exit_signal);
	EXPECT_EQ(0, mine.e[0].ev_flags);

	EXPECT_EQ(CLONEGATE_EV_OP_UNSHARE, mine.e[1].op);
	EXPECT_EQ(CLONEGATE_EV_DENIED, mine.e[1].decision);
	EXPECT_EQ(EINVAL, mine.e[1].errno_value);
	EXPECT_EQ(RULE_UNSUPPORTED_FLAG, mine.e[1].rule);
	EXPECT_STREQ("unsupported_flag", mine.e[1].rule_name);
	EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, mine.e[1].mode);
	EXPECT_EQ(CLONE_NEWTIME, mine.e[1].flags);
	EXPECT_EQ(0, mine.e[1].exit_signal);
	EXPECT_EQ(0, mine.e[1].ev_flags);

	EXPECT_LT(mine.e[0].seq, mine.e[1].seq);
	for (i = 0; i < 2; i++) {
		EXPECT_EQ(EV_SIZE, mine.e[i].size);
		EXPECT_EQ(CLONEGATE_EVENT_VERSION, mine.e[i].version);
		EXPECT_EQ(DEFAULT_FIELDS, mine.e[i].fields);
		EXPECT_EQ(cg_gettid(), mine.e[i].thread_id);
	}
	evs_free(&all);
	evs_free(&mine);
	evs_free(&kid);
}

static int thread_tid;
static int thread_pipe[2];

static void *waiting_thread(void *arg)
{
	char c;

	__atomic_store_n(&thread_tid, cg_gettid(), __ATOMIC_SEQ_CST);
	if (read(thread_pipe[0], &c, 1) != 1)
		return NULL;
	return NULL;
}

/* vfork() whose child exits at once, out of line: no caller is clobbered */
static pid_t __attribute__((noinline)) vfork_exit(void)
{
	pid_t pid = vfork();

	if (pid == 0)
		_exit(0);
	return pid;
}

/* One created task, as the allowed event must name it. */
struct made {
	int op;
	pid_t pid, tgid;
	uint64_t flags;		/* what the record must show, with mask */
	uint64_t flags_mask;
	int exit_signal;
	char stat[64];
	int64_t diff;		/* start time against /proc */
};

/*
 * With "allowed" in events/decisions, an allowed clone-family call is
 * reported once its task exists, naming it; an allowed unshare at its
 * decision.
 */
TEST_F(events, allowed_calls_name_the_created_task)
{
	struct cg_clone_args args = { .exit_signal = SIGCHLD };
	struct made m[5] = {};
	struct evs all = {}, mine = {};
	pthread_t thread;
	int i, n = 0;
	pid_t pid;

	ASSERT_EQ(0, ev_set("decisions", "+allowed"));

	/* fork(2) itself; glibc's fork() is a clone */
	pid = syscall(__NR_fork);
	if (pid == 0)
		_exit(0);
	ASSERT_LT(0, pid);
	m[n++] = (struct made){ CLONEGATE_EV_OP_FORK, pid, pid, 0, ~0ULL,
				SIGCHLD };

	pid = cg_raw_clone3(&args, sizeof(args));
	ASSERT_LT(0, pid);
	m[n++] = (struct made){ CLONEGATE_EV_OP_CLONE3, pid, pid, 0, ~0ULL,
				SIGCHLD };

	pid = cg_raw_clone(SIGCHLD, NULL, NULL, NULL, 0);
	ASSERT_LT(0, pid);
	m[n++] = (struct made){ CLONEGATE_EV_OP_CLONE, pid, pid, 0, ~0ULL,
				SIGCHLD };

	pid = vfork_exit();
	ASSERT_LT(0, pid);
	m[n++] = (struct made){ CLONEGATE_EV_OP_VFORK, pid, pid,
				CLONE_VM | CLONE_VFORK, ~0ULL, SIGCHLD };

	/* a thread: no exit signal, its own tid, our thread group */
	ASSERT_EQ(0, pipe(thread_pipe));
	thread_tid = 0;
	ASSERT_EQ(0, pthread_create(&thread, NULL, waiting_thread, NULL));
	while (!__atomic_load_n(&thread_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	m[n++] = (struct made){ -1, thread_tid, getpid(),
				CLONE_THREAD | CLONE_VM | CLONE_SIGHAND,
				CLONE_THREAD | CLONE_VM | CLONE_SIGHAND, 0 };

	/* the start times, while every task is still there (zombies are) */
	for (i = 0; i < n; i++)
		snprintf(m[i].stat, sizeof(m[i].stat), "/proc/%d/task/%d/stat",
			 m[i].tgid, m[i].pid);

	ASSERT_EQ(0, syscall(__NR_unshare, CLONE_FILES));

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	evs_of_tgid(&all, &mine, getpid());
	for (i = 0; i < n && i < mine.n; i++)
		m[i].diff = start_diff_ns(mine.e[i].created_thread_start_time_ns,
					  m[i].stat);
	ASSERT_EQ(1, write(thread_pipe[1], "x", 1));
	pthread_join(thread, NULL);
	close(thread_pipe[0]);
	close(thread_pipe[1]);
	EXPECT_EQ(4, cg_reap_all());

	ASSERT_EQ(n + 1, mine.n) {
		for (i = 0; i < mine.n; i++)
			TH_LOG("record %d: op %d decision %d created %d", i,
			       mine.e[i].op, mine.e[i].decision,
			       mine.e[i].created_thread_id);
	}
	for (i = 0; i < n; i++) {
		const struct clonegate_event *e = &mine.e[i];

		if (m[i].op >= 0) {
			EXPECT_EQ(m[i].op, e->op) TH_LOG("call %d", i);
		} else {
			/* glibc makes threads with clone3 or clone */
			EXPECT_TRUE(e->op == CLONEGATE_EV_OP_CLONE3 ||
				    e->op == CLONEGATE_EV_OP_CLONE);
		}
		EXPECT_EQ(CLONEGATE_EV_ALLOWED, e->decision);
		EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, e->mode);
		EXPECT_EQ(0, e->errno_value);
		EXPECT_EQ(-1, e->rule);
		EXPECT_STREQ("none", e->rule_name);
		EXPECT_EQ(m[i].flags, e->flags & m[i].flags_mask)
			TH_LOG("call %d flags 0x%llx", i,
			       (unsigned long long)e->flags);
		EXPECT_EQ(m[i].exit_signal, e->exit_signal) TH_LOG("call %d", i);
		EXPECT_EQ(CLONEGATE_EV_F_CREATED, e->ev_flags);
		EXPECT_EQ(m[i].pid, e->created_thread_id) TH_LOG("call %d", i);
		EXPECT_EQ(m[i].tgid, e->created_thread_group_id)
			TH_LOG("call %d", i);
		EXPECT_TRUE(m[i].diff <= start_slack_ns() &&
			    m[i].diff >= -start_slack_ns())
			TH_LOG("call %d: created start %lld ns off %s", i,
			       (long long)m[i].diff, m[i].stat);
		/* created before it was reported */
		EXPECT_LE(e->created_thread_start_time_ns, e->time_ns);
		EXPECT_EQ(cg_gettid(), e->thread_id);
		EXPECT_EQ(getpid(), e->thread_group_id);
		if (i)
			EXPECT_LT(mine.e[i - 1].seq, e->seq);
	}
	/* the unshare: reported at its decision, nothing created */
	EXPECT_EQ(CLONEGATE_EV_OP_UNSHARE, mine.e[n].op);
	EXPECT_EQ(CLONEGATE_EV_ALLOWED, mine.e[n].decision);
	EXPECT_EQ(0, mine.e[n].errno_value);
	EXPECT_EQ(-1, mine.e[n].rule);
	EXPECT_EQ(CLONE_FILES, mine.e[n].flags);
	EXPECT_EQ(0, mine.e[n].exit_signal);
	EXPECT_EQ(0, mine.e[n].ev_flags);
	EXPECT_EQ(0, mine.e[n].created_thread_id);
	EXPECT_EQ(0, mine.e[n].created_thread_group_id);
	EXPECT_EQ(0, mine.e[n].created_thread_start_time_ns);
	evs_free(&all);
	evs_free(&mine);
}

/* Make one allowed fork; return how many records of ours and of it came. */
static int fork_records(int fd, int *of_child)
{
	struct evs all = {}, mine = {}, kid = {};
	pid_t pid = syscall(__NR_fork);
	int n;

	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return -1;
	waitpid(pid, NULL, 0);
	ev_read_all(fd, &all);
	evs_of_tgid(&all, &mine, getpid());
	evs_of_tgid(&all, &kid, pid);
	n = mine.n;
	*of_child = kid.n;
	evs_free(&all);
	evs_free(&mine);
	evs_free(&kid);
	return n;
}

/* events/decisions picks what is reported, and nothing else is. */
TEST_F(events, decisions_choose_what_is_reported)
{
	const struct clonegate_event *e;
	struct evs all = {};
	int kid;

	/* the default: denied and audited; an allowed fork is not reported */
	EXPECT_EQ(0, fork_records(self->fd, &kid));
	EXPECT_EQ(0, kid);

	/* allowed only: the fork is, a denial is not */
	ASSERT_EQ(0, ev_set("decisions", "allowed"));
	EXPECT_EQ(1, fork_records(self->fd, &kid));
	EXPECT_EQ(0, kid);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(1)));
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(1), NULL));
	evs_free(&all);

	/* audited only, under enforce: a denial is not audited */
	ASSERT_EQ(0, ev_set("decisions", "audited"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(2)));
	EXPECT_EQ(0, fork_records(self->fd, &kid));

	/* none: nothing at all */
	ASSERT_EQ(0, ev_set("decisions", "none"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(3)));
	EXPECT_EQ(0, fork_records(self->fd, &kid));

	/* and back: denied only */
	ASSERT_EQ(0, ev_set("decisions", "denied"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(4)));
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(4), &e));
	check_tag_deny(_metadata, e, TAG(4));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(2), NULL));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(3), NULL));
	evs_free(&all);
}

/*
 * Under audit a call gVisor denies goes through: it is reported once, as
 * audited, at its decision; task_newtask does not report it again as
 * allowed.
 */
TEST_F(events, audit_mode_reports_audited_once)
{
	struct cg_clone_args args = {
		.flags = CLONE_NEWCGROUP,
		.exit_signal = SIGCHLD,
	};
	struct evs all = {}, mine = {}, kid = {};
	pid_t pid, unsharer;
	int status;

	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	ASSERT_EQ(0, ev_set("decisions", "+allowed"));

	pid = cg_raw_clone3(&args, sizeof(args));
	ASSERT_LT(0, pid);
	unsharer = fork();
	if (unsharer == 0)
		_exit(syscall(__NR_unshare, CLONE_NEWTIME) ? 1 : 0);
	ASSERT_LT(0, unsharer);
	ASSERT_EQ(unsharer, waitpid(unsharer, &status, 0));
	EXPECT_EQ(0, status);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	evs_of_tgid(&all, &mine, getpid());
	evs_of_tgid(&all, &kid, unsharer);
	/* ours: the audited clone3, and glibc's fork (a clone), allowed */
	ASSERT_EQ(2, mine.n);
	EXPECT_EQ(CLONEGATE_EV_OP_CLONE3, mine.e[0].op);
	EXPECT_EQ(CLONEGATE_EV_AUDITED, mine.e[0].decision);
	EXPECT_EQ(CLONEGATE_EV_MODE_AUDIT, mine.e[0].mode);
	EXPECT_EQ(EINVAL, mine.e[0].errno_value);
	EXPECT_STREQ("unsupported_flag", mine.e[0].rule_name);
	EXPECT_EQ(CLONE_NEWCGROUP, mine.e[0].flags);
	EXPECT_EQ(0, mine.e[0].ev_flags);
	EXPECT_EQ(0, mine.e[0].created_thread_id);

	EXPECT_EQ(CLONEGATE_EV_OP_CLONE, mine.e[1].op);
	EXPECT_EQ(CLONEGATE_EV_ALLOWED, mine.e[1].decision);
	EXPECT_EQ(CLONEGATE_EV_MODE_AUDIT, mine.e[1].mode);
	EXPECT_EQ(unsharer, mine.e[1].created_thread_id);

	ASSERT_EQ(1, kid.n);
	EXPECT_EQ(CLONEGATE_EV_OP_UNSHARE, kid.e[0].op);
	EXPECT_EQ(CLONEGATE_EV_AUDITED, kid.e[0].decision);
	EXPECT_EQ(EINVAL, kid.e[0].errno_value);
	EXPECT_EQ(CLONE_NEWTIME, kid.e[0].flags);
	EXPECT_EQ(getpid(), kid.e[0].parent_thread_group_id);
	evs_free(&all);
	evs_free(&mine);
	evs_free(&kid);
}

/* A pid nobody has, for set_tid. */
static pid_t free_pid(void)
{
	char path[32];
	pid_t pid;

	for (pid = 20000 + getpid() % 10000; pid < 32000; pid += 7) {
		snprintf(path, sizeof(path), "/proc/%d", pid);
		if (access(path, F_OK))
			return pid;
	}
	return -1;
}

/*
 * Under audit, calls that gVisor denies for what task_newtask cannot see
 * (a set_tid, an exit signal Linux replaces) go through and create a
 * task; they too are reported once, as audited, and not again as allowed.
 */
TEST_F(events, audit_mode_reports_each_created_task_once)
{
	pid_t want = free_pid();
	struct cg_clone_args args = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&want,
		.set_tid_size = 1,
	};
	struct evs all = {}, mine = {};
	long pid, tid;
	int i, twice = 0;

	ASSERT_LT(0, want);
	if (!cg_linux_takes(0, 0, 100))
		SKIP(return, "Linux refuses exit signal 100 itself");
	ASSERT_EQ(0, cg_policy("gvisor", "audit"));
	ASSERT_EQ(0, ev_set("decisions", "+allowed"));

	/* clone3 with a set_tid (as CRIU restores): rule set_tid */
	pid = cg_raw_clone3(&args, sizeof(args));
	ASSERT_EQ(want, pid);
	ASSERT_EQ(pid, waitpid(pid, NULL, 0));
	/* a thread with exit signal 100, which Linux ignores for threads */
	tid = cg_raw_clone(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM | 100, NULL,
			   NULL, NULL, 0);
	ASSERT_LT(0, tid);

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	evs_of_tgid(&all, &mine, getpid());
	for (i = 0; i < mine.n; i++) {
		TH_LOG("record %d: op %d decision %d rule %s created %d", i,
		       mine.e[i].op, mine.e[i].decision, mine.e[i].rule_name,
		       mine.e[i].created_thread_id);
		if (mine.e[i].decision == CLONEGATE_EV_ALLOWED &&
		    (mine.e[i].created_thread_id == pid ||
		     mine.e[i].created_thread_id == tid))
			twice++;
	}
	EXPECT_EQ(0, twice) TH_LOG("audited clones reported again as allowed");
	ASSERT_EQ(2, mine.n);
	EXPECT_EQ(CLONEGATE_EV_OP_CLONE3, mine.e[0].op);
	EXPECT_EQ(CLONEGATE_EV_AUDITED, mine.e[0].decision);
	EXPECT_STREQ("set_tid", mine.e[0].rule_name);
	EXPECT_EQ(EOPNOTSUPP, mine.e[0].errno_value);
	EXPECT_EQ(CLONEGATE_EV_OP_CLONE, mine.e[1].op);
	EXPECT_EQ(CLONEGATE_EV_AUDITED, mine.e[1].decision);
	EXPECT_STREQ("bad_exit_signal", mine.e[1].rule_name);
	EXPECT_EQ(100, mine.e[1].exit_signal);
	evs_free(&all);
	evs_free(&mine);
}

/* With "dev" out of events/channels nothing is queued or counted. */
TEST_F(events, dev_channel_off_queues_nothing)
{
	const struct clonegate_event *e;
	struct evs all = {};
	long long emitted;

	ASSERT_EQ(0, ev_set("channels", "-dev"));
	emitted = ev_counter("emitted");
	ASSERT_LE(0, emitted);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(5)));
	EXPECT_EQ(emitted, ev_counter("emitted"));
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(5), NULL));
	evs_free(&all);

	/* and on again: the next one is there, and counted */
	ASSERT_EQ(0, ev_set("channels", "+dev"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(6)));
	EXPECT_LE(emitted + 1, ev_counter("emitted"));
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(6), &e));
	check_tag_deny(_metadata, e, TAG(6));
	evs_free(&all);
}

/* --- the context, field by field ------------------------------------------- */

/*
 * A process with credentials, a cwd and a name of its own, that makes a
 * tagged denied call on request: the parent changes context_fields in
 * between and reads the records.
 */
struct worker {
	pid_t pid;
	int cmd, done;
	char dir[64];
};

static int worker_start(struct worker *w, const char *comm)
{
	int cmd[2], done[2];
	char tag;
	long ret;

	snprintf(w->dir, sizeof(w->dir), "/tmp/evwork-%d", getpid());
	mkdir(w->dir, 0755);
	if (pipe(cmd) || pipe(done))
		return -1;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (w->pid == 0) {
		close(cmd[1]);
		close(done[0]);
		if (chdir(w->dir) || prctl(PR_SET_NAME, comm) ||
		    setresgid(1, 2, 3) || setresuid(4, 5, 6))
			_exit(1);
		while (read(cmd[0], &tag, 1) == 1) {
			ret = deny_tagged(tag);
			if (write(done[1], &ret, sizeof(ret)) != sizeof(ret))
				_exit(2);
		}
		_exit(0);
	}
	close(cmd[0]);
	close(done[1]);
	w->cmd = cmd[1];
	w->done = done[0];
	return 0;
}

static long worker_call(struct worker *w, int tag)
{
	char t = tag;
	long ret;

	if (write(w->cmd, &t, 1) != 1 ||
	    read(w->done, &ret, sizeof(ret)) != sizeof(ret))
		return -EPIPE;
	return ret;
}

static void worker_stop(struct worker *w)
{
	close(w->cmd);
	close(w->done);
	waitpid(w->pid, NULL, 0);
	rmdir(w->dir);
}

/*
 * Every context field alone, none, all, and the default set: each field is
 * filled in exactly when chosen, and says the truth.
 */
TEST_F(events, context_each_field_alone_and_together)
{
	uint32_t masks[CLONEGATE_FIELD_COUNT + 3];
	const struct clonegate_event *e;
	struct worker w;
	struct truth t;
	struct evs all = {};
	int i, n = 0;

	masks[n++] = 0;
	for (i = 0; i < CLONEGATE_FIELD_COUNT; i++)
		masks[n++] = 1U << i;
	masks[n++] = ALL_FIELDS;
	masks[n++] = DEFAULT_FIELDS;

	ASSERT_EQ(0, worker_start(&w, "ev-worker"));
	truth_of(&t, w.pid, w.pid);
	t.ppid = getpid();
	t.cred[0] = 4, t.cred[1] = 5, t.cred[2] = 6;
	t.cred[3] = 1, t.cred[4] = 2, t.cred[5] = 3;
	ASSERT_TRUE(realpath(w.dir, t.cwd) != NULL);
	strcpy(t.comm, "ev-worker");
	TH_LOG("worker %d in cgroup %s (id %llu), cwd %s", w.pid, t.container,
	       (unsigned long long)t.cgroup_id, t.cwd);

	for (i = 0; i < n; i++) {
		char text[512];
		long ret;

		fields_text(masks[i], text, sizeof(text));
		ASSERT_EQ(0, set_fields(masks[i])) TH_LOG("%s", text);
		t.before = clock_ns(CLOCK_REALTIME);
		ret = worker_call(&w, TAG(i));
		t.after = clock_ns(CLOCK_REALTIME);
		ASSERT_EQ(-EINVAL, ret);
		ASSERT_EQ(0, ev_read_all(self->fd, &all));
		ASSERT_EQ(1, evs_count_tag(&all, TAG(i), &e))
			TH_LOG("context_fields %s", text);
		check_tag_deny(_metadata, e, TAG(i));
		check_context(_metadata, e, masks[i], &t);
		if (_metadata->passed == 0)
			TH_LOG("... with context_fields \"%s\"", text);
		evs_free(&all);
	}
	worker_stop(&w);
}

struct caller {
	int tag;
	int done;
	pid_t tid;
	int64_t before, after;
	long ret;
	int go[2];	/* the main thread is done checking */
};

static void *calling_thread(void *arg)
{
	struct caller *c = arg;
	char x;

	prctl(PR_SET_NAME, "ev-thread");
	c->tid = cg_gettid();
	c->before = clock_ns(CLOCK_REALTIME);
	c->ret = deny_tagged(c->tag);
	c->after = clock_ns(CLOCK_REALTIME);
	__atomic_store_n(&c->done, 1, __ATOMIC_SEQ_CST);
	/* stay, so /proc/self/task/TID/stat can be read */
	if (read(c->go[0], &x, 1) != 1)
		return NULL;
	return NULL;
}

/*
 * The calling thread is who the ids, start times and name describe: the
 * main thread here, then a second thread of the same process.
 */
TEST_F(events, context_is_the_calling_thread)
{
	struct caller c = { .tag = TAG(1) };
	const struct clonegate_event *e;
	struct evs all = {};
	struct truth t;
	pthread_t thread;
	char comm[16] = "";

	ASSERT_EQ(0, ev_set("context_fields", "+cwd"));
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));

	truth_of(&t, getpid(), cg_gettid());
	t.ppid = getppid();
	ASSERT_TRUE(getcwd(t.cwd, sizeof(t.cwd)) != NULL);
	strcpy(t.comm, comm);
	t.before = clock_ns(CLOCK_REALTIME);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(0)));
	t.after = clock_ns(CLOCK_REALTIME);
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(0), &e));
	EXPECT_EQ(getpid(), e->thread_id);
	check_context(_metadata, e, ALL_FIELDS, &t);
	evs_free(&all);

	/* well after its group, so the two start times cannot be confused */
	usleep(200000);
	ASSERT_EQ(0, pipe(c.go));
	ASSERT_EQ(0, pthread_create(&thread, NULL, calling_thread, &c));
	while (!__atomic_load_n(&c.done, __ATOMIC_SEQ_CST))
		usleep(1000);
	ASSERT_EQ(-EINVAL, c.ret);
	truth_of(&t, getpid(), c.tid);
	t.ppid = getppid();
	ASSERT_TRUE(getcwd(t.cwd, sizeof(t.cwd)) != NULL);
	strcpy(t.comm, "ev-thread");
	t.before = c.before;
	t.after = c.after;
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(1), &e));
	EXPECT_NE(getpid(), e->thread_id);
	check_context(_metadata, e, ALL_FIELDS, &t);
	/* the thread started after its group */
	EXPECT_LE(e->thread_group_start_time_ns + 150000000ULL,
		  e->thread_start_time_ns);
	evs_free(&all);
	ASSERT_EQ(1, write(c.go[1], "x", 1));
	pthread_join(thread, NULL);
	close(c.go[0]);
	close(c.go[1]);
}

struct cgroup_call {
	const char *dir;	/* cgroup to move to, under CGROOT, or NULL */
	const char *cwd;	/* directory to chdir to, or NULL */
	int tag;
};

static int call_in_cgroup(void *arg)
{
	struct cgroup_call *c = arg;
	char path[1024], pid[32];

	if (c->dir) {
		snprintf(path, sizeof(path), CGROOT "%s/cgroup.procs", c->dir);
		snprintf(pid, sizeof(pid), "%d\n", getpid());
		if (cg_write(path, pid))
			return 10;
	}
	if (c->cwd && chdir(c->cwd))
		return 11;
	return deny_tagged(c->tag) == -EINVAL ? 0 : 12;
}

/*
 * container_id is the path of the caller's cgroup from the root of the
 * cgroup v2 hierarchy, cgroup_id the inode of its directory.
 */
TEST_F(events, container_id_is_the_callers_cgroup)
{
	struct cgroup_call c = { .tag = TAG(7) };
	const struct clonegate_event *e;
	struct evs all = {};
	char dir[64], path[128], own[512];
	uint64_t ino;

	if (!have_cgroup2())
		SKIP(return, "no cgroup v2 hierarchy at " CGROOT);

	/* ours first */
	ASSERT_EQ(0, proc_cgroup(getpid(), own, sizeof(own)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(6)));
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(6), &e));
	EXPECT_STREQ(own, e->container_id);
	EXPECT_EQ(cgroup_ino(own), e->cgroup_id);
	evs_free(&all);

	/* then a process moved into a cgroup of its own */
	snprintf(dir, sizeof(dir), "/cgtest-%d", getpid());
	snprintf(path, sizeof(path), CGROOT "%s", dir);
	ASSERT_EQ(0, mkdir(path, 0755)) TH_LOG("mkdir %s: %s", path,
					       strerror(errno));
	ino = cgroup_ino(dir);
	c.dir = dir;
	EXPECT_EQ(0, cg_in_child(call_in_cgroup, &c));
	rmdir_retry(path);
	ASSERT_NE(0, ino);
	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(7), &e));
	check_tag_deny(_metadata, e, TAG(7));
	EXPECT_STREQ(dir, e->container_id);
	EXPECT_EQ(ino, e->cgroup_id);
	EXPECT_NE(cgroup_ino(own), e->cgroup_id);
	EXPECT_EQ(0, e->ev_flags);
	evs_free(&all);
}

/* mkdir -p of "<root>/<a>/<b>"; rmdir_two() takes them away again */
static int mkdir_two(const char *root, const char *a, const char *b)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s", root, a);
	if (mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/%s/%s", root, a, b);
	return mkdir(path, 0755);
}

static void rmdir_two(const char *root, const char *a, const char *b)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/%s/%s", root, a, b);
	rmdir_retry(path);
	snprintf(path, sizeof(path), "%s/%s", root, a);
	rmdir_retry(path);
}

/*
 * A cgroup path or cwd longer than the record's 255 characters is cut and
 * flagged, and never overflows.
 */
TEST_F(events, long_paths_are_cut_and_flagged)
{
	struct cgroup_call c = { .tag = TAG(8) };
	const struct clonegate_event *e;
	char a[201], b[101], rel[512], cwd[600];
	struct evs all = {};
	int cgroups = have_cgroup2();
	uint64_t ino = 0;

	/* /<a>/<b>, 300 characters and more */
	snprintf(a, sizeof(a), "ev%d-", getpid());
	memset(a + strlen(a), 'a', sizeof(a) - 1 - strlen(a));
	a[sizeof(a) - 1] = '\0';
	memset(b, 'b', sizeof(b) - 1);
	b[sizeof(b) - 1] = '\0';
	snprintf(rel, sizeof(rel), "/%s/%s", a, b);
	snprintf(cwd, sizeof(cwd), "/tmp%s", rel);
	ASSERT_LT(CLONEGATE_PATH_LEN, strlen(rel));

	ASSERT_EQ(0, mkdir_two("/tmp", a, b));
	c.cwd = cwd;
	if (cgroups) {
		ASSERT_EQ(0, mkdir_two(CGROOT, a, b));
		c.dir = rel;
		ino = cgroup_ino(rel);
	}
	ASSERT_EQ(0, ev_set("context_fields", "+cwd"));
	EXPECT_EQ(0, cg_in_child(call_in_cgroup, &c));
	if (cgroups)
		rmdir_two(CGROOT, a, b);
	rmdir_two("/tmp", a, b);

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, c.tag, &e));
	EXPECT_EQ(CLONEGATE_EV_F_TRUNCATED, e->ev_flags);
	EXPECT_GT(CLONEGATE_PATH_LEN, strnlen(e->cwd, CLONEGATE_PATH_LEN));
	EXPECT_GT(CLONEGATE_PATH_LEN,
		  strnlen(e->container_id, CLONEGATE_PATH_LEN));
	/* a cut cwd reads "?" or a prefix of the real one */
	EXPECT_TRUE(!strcmp(e->cwd, "?") ||
		    (e->cwd[0] && !strncmp(cwd, e->cwd, strlen(e->cwd))))
		TH_LOG("cwd \"%s\"", e->cwd);
	TH_LOG("a cut cwd reads \"%.24s%s\"", e->cwd,
	       strlen(e->cwd) > 24 ? "..." : "");
	if (cgroups) {
		/* a cut container_id is the first 255 characters */
		EXPECT_EQ(CLONEGATE_PATH_LEN - 1, strlen(e->container_id));
		EXPECT_EQ(0, strncmp(rel, e->container_id,
				     CLONEGATE_PATH_LEN - 1));
		EXPECT_EQ(ino, e->cgroup_id);
		EXPECT_NE(0, ino);
	}
	evs_free(&all);
}

/* --- the device ---------------------------------------------------------------- */

struct timing {
	int done;		/* calls that returned -EINVAL */
	int64_t max_ns, total_ns;
};

static void deny_many(int n, int tag, struct timing *tm)
{
	int64_t t0, d;
	int i;

	memset(tm, 0, sizeof(*tm));
	for (i = 0; i < n; i++) {
		t0 = clock_ns(CLOCK_MONOTONIC);
		if (deny_tagged(tag) == -EINVAL)
			tm->done++;
		d = clock_ns(CLOCK_MONOTONIC) - t0;
		tm->total_ns += d;
		if (d > tm->max_ns)
			tm->max_ns = d;
	}
}

static long read_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/clonegate/parameters/%s",
		 name);
	return cg_read(path, buf, sizeof(buf)) > 0 ? atol(buf) : -1;
}

#define FLOOD_BASE 500
#define FLOOD 3000

/*
 * A reader that opened the device and stopped reading: the ring of the
 * caller's CPU fills, then records are dropped and counted, and no call
 * waits for the reader. Every record is either delivered or dropped.
 */
TEST_F_TIMEOUT(events, flood_with_a_stalled_reader, 300)
{
	long ring = read_param("event_ring");
	struct timing base, flood;
	struct counters c0, c1;
	struct evs all = {};
	cpu_set_t cpus;
	int pinned, i, mine = 0, others = 0, in_order = 1, tries;
	uint64_t first = 0, prev = 0, marker = 0;

	ASSERT_LT(0, ring);
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	pinned = !sched_setaffinity(0, sizeof(cpus), &cpus);

	/* no reader at all */
	close(self->fd);
	self->fd = -1;
	deny_many(FLOOD_BASE, TAG(9), &base);

	/* a reader, with the rings empty and the counters still */
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	for (tries = 0; tries < 10; tries++) {
		ev_drain(self->fd);
		counters_read(&c0);
		if (!ev_drain(self->fd))
			break;
	}
	ASSERT_LT(tries, 10);

	/* the first record of the flood: it must be kept, not overwritten */
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(30)));
	deny_many(FLOOD, TAG(10), &flood);

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	counters_read(&c1);
	EXPECT_EQ(0, all.bad);
	for (i = 0; i < all.n; i++) {
		if (all.e[i].thread_group_id == getpid() &&
		    is_tag(&all.e[i], TAG(30))) {
			marker = all.e[i].seq;
			continue;
		}
		if (!is_tag(&all.e[i], TAG(10)) ||
		    all.e[i].thread_group_id != getpid()) {
			others++;
			continue;
		}
		if (!mine)
			first = all.e[i].seq;
		else if (all.e[i].seq <= prev)
			in_order = 0;
		prev = all.e[i].seq;
		mine++;
	}

	TH_LOG("ring %ld per CPU%s; %d calls after the first: %d of them delivered, %d records of others",
	       ring, pinned ? ", calls pinned to CPU 0" : "", FLOOD, mine,
	       others);
	TH_LOG("emitted +%lld, delivered +%lld, dropped/ring_full +%lld",
	       c1.emitted - c0.emitted, c1.delivered - c0.delivered,
	       c1.ring_full - c0.ring_full);
	TH_LOG("denied call latency without a reader: max %lld us, mean %lld us (%d calls)",
	       (long long)base.max_ns / 1000,
	       (long long)base.total_ns / FLOOD_BASE / 1000, FLOOD_BASE);
	TH_LOG("denied call latency, stalled reader:  max %lld us, mean %lld us (%d calls)",
	       (long long)flood.max_ns / 1000,
	       (long long)flood.total_ns / FLOOD / 1000, FLOOD);

	/* every call came back, denied: nothing waited for the reader */
	EXPECT_EQ(FLOOD_BASE, base.done);
	EXPECT_EQ(FLOOD, flood.done);
	/* every record offered was delivered or dropped, exactly */
	EXPECT_EQ(c1.emitted - c0.emitted,
		  (c1.delivered - c0.delivered) + (c1.ring_full - c0.ring_full));
	EXPECT_LE(FLOOD + 1, c1.emitted - c0.emitted);
	EXPECT_EQ(all.n, c1.delivered - c0.delivered);
	EXPECT_LT(0, c1.ring_full - c0.ring_full);
	EXPECT_TRUE(in_order);
	/* a full ring keeps its oldest records and drops the new ones */
	EXPECT_NE(0, marker) TH_LOG("the oldest record was lost");
	if (pinned && !others) {
		EXPECT_EQ(ring - 1, mine);
		EXPECT_EQ(marker + 1, first);
		EXPECT_EQ(first + mine - 1, prev);
		EXPECT_EQ(FLOOD + 1 - ring, c1.ring_full - c0.ring_full);
	} else {
		EXPECT_LE(1, mine);
	}
	evs_free(&all);
}

struct pinned_caller {
	int cpu, tag, n, done;
};

static void *pinned_calls(void *arg)
{
	struct pinned_caller *p = arg;
	cpu_set_t cpus;
	int i;

	CPU_ZERO(&cpus);
	CPU_SET(p->cpu, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	for (i = 0; i < p->n; i++)
		if (deny_tagged(p->tag) == -EINVAL)
			p->done++;
	return NULL;
}

struct live_reader {
	int fd, stop;
	struct evs got;
	int err;
};

/* Read while the calls are made: poll, read, until told to stop. */
static void *live_read(void *arg)
{
	static struct clonegate_event buf[16];
	struct live_reader *r = arg;
	struct pollfd p = { .fd = r->fd, .events = POLLIN };
	ssize_t n;
	int i;

	for (;;) {
		int stop = __atomic_load_n(&r->stop, __ATOMIC_SEQ_CST);

		poll(&p, 1, 10);
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno != EAGAIN) {
			r->err = errno;
			break;
		}
		for (i = 0; n > 0 && i < n / (ssize_t)EV_SIZE; i++)
			evs_add(&r->got, &buf[i]);
		if (n < 0 && stop)
			break;
	}
	return NULL;
}

/* Count ours of two tags, and how often a seq did not grow. */
static int seq_order(const struct evs *l, int tag0, int n[2], int *others,
		     uint64_t *lo, uint64_t *hi)
{
	uint64_t prev = 0;
	int i, inversions = 0;

	n[0] = n[1] = *others = 0;
	*lo = UINT64_MAX;
	*hi = 0;
	for (i = 0; i < l->n; i++) {
		const struct clonegate_event *e = &l->e[i];
		int which = is_tag(e, tag0) ? 0 : is_tag(e, tag0 + 1) ? 1 : -1;

		if (which < 0 || e->thread_group_id != getpid()) {
			(*others)++;
			continue;
		}
		n[which]++;
		if (e->seq <= prev)
			inversions++;
		prev = e->seq;
		*lo = e->seq < *lo ? e->seq : *lo;
		*hi = e->seq > *hi ? e->seq : *hi;
	}
	return inversions;
}

/*
 * Records made on different CPUs are read in sequence order, none lost:
 * two threads on two CPUs, each fewer calls than a ring holds. Then the
 * same with a reader reading all along.
 */
TEST_F(events, records_come_in_seq_order_across_cpus)
{
	struct pinned_caller p[2] = {
		{ 0, TAG(11), 100 }, { 1, TAG(12), 100 },
	};
	struct live_reader r = { .fd = self->fd };
	pthread_t t[2], reader;
	struct evs all = {};
	int i, n[2], others, inversions;
	uint64_t lo, hi;

	ASSERT_LE(100, read_param("event_ring"));
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		p[1].cpu = 0;
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, pinned_calls, &p[i]));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	EXPECT_EQ(100, p[0].done);
	EXPECT_EQ(100, p[1].done);

	ASSERT_EQ(0, ev_read_all(self->fd, &all));
	inversions = seq_order(&all, TAG(11), n, &others, &lo, &hi);
	EXPECT_EQ(100, n[0]);
	EXPECT_EQ(100, n[1]);
	EXPECT_EQ(0, inversions);
	/* no gaps, unless someone else's records are among them */
	if (!others)
		EXPECT_EQ(199, hi - lo);
	evs_free(&all);

	/* a reader all along: nothing lost, and how the order holds up */
	p[0].done = p[1].done = 0;
	ASSERT_EQ(0, pthread_create(&reader, NULL, live_read, &r));
	for (i = 0; i < 2; i++)
		ASSERT_EQ(0, pthread_create(&t[i], NULL, pinned_calls, &p[i]));
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	__atomic_store_n(&r.stop, 1, __ATOMIC_SEQ_CST);
	pthread_join(reader, NULL);
	EXPECT_EQ(0, r.err);
	inversions = seq_order(&r.got, TAG(11), n, &others, &lo, &hi);
	EXPECT_EQ(100, n[0]);
	EXPECT_EQ(100, n[1]);
	if (!others)
		EXPECT_EQ(199, hi - lo);
	TH_LOG("read while written: %d records, %d out of seq order",
	       r.got.n, inversions);
	evs_free(&r.got);
}

/* Open the device in a child; exit 200 if it opened, else the errno. */
static int try_open(void *arg)
{
	int fd = dev_open();

	return fd >= 0 ? 200 : errno;
}

static int try_open_as_nobody(void *arg)
{
	if (setresgid(65534, 65534, 65534) || setresuid(65534, 65534, 65534))
		return 100;
	return try_open(arg);
}

/* root, but without CAP_SYS_ADMIN: past the file mode, at the module */
static int try_open_without_sys_admin(void *arg)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[2];
	const int i = CAP_SYS_ADMIN / 32;
	const uint32_t bit = 1U << (CAP_SYS_ADMIN % 32);

	if (syscall(SYS_capget, &h, d))
		return 101;
	d[i].effective &= ~bit;
	d[i].permitted &= ~bit;
	d[i].inheritable &= ~bit;
	if (syscall(SYS_capset, &h, d))
		return 102;
	return try_open(arg);
}

/* Only root, with CAP_SYS_ADMIN, may open the device. */
TEST_F(events, only_root_may_open)
{
	int st;

	close(self->fd);
	self->fd = -1;
	st = cg_in_child(try_open_as_nobody, NULL);
	/* mode 0600 stops nobody at the file (EACCES), else the module */
	EXPECT_TRUE(st == EACCES || st == EPERM) TH_LOG("nobody: %d", st);
	EXPECT_EQ(EPERM, cg_in_child(try_open_without_sys_admin, NULL));
	/* and root may */
	EXPECT_EQ(200, cg_in_child(try_open, NULL));
}

/* One reader at a time; the device is free again once it is closed. */
TEST_F(events, second_open_is_busy)
{
	pid_t pid;
	int fd;

	fd = dev_open();
	EXPECT_EQ(-1, fd);
	EXPECT_EQ(EBUSY, errno);
	if (fd >= 0)
		close(fd);
	EXPECT_EQ(EBUSY, cg_in_child(try_open, NULL));

	close(self->fd);
	self->fd = -1;
	/* a reader killed with the device open frees it */
	pid = fork();
	if (pid == 0) {
		if (dev_open() < 0)
			_exit(1);
		pause();
		_exit(0);
	}
	ASSERT_LT(0, pid);
	usleep(100000);
	EXPECT_EQ(EBUSY, cg_in_child(try_open, NULL));
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	self->fd = dev_open();
	ASSERT_LE(0, self->fd) TH_LOG("open: %s", strerror(errno));
}

/* read() takes whole records: a buffer too small for one is EINVAL. */
TEST_F(events, reads_return_whole_records)
{
	static struct clonegate_event buf[2];
	char *b = (char *)buf;
	ssize_t n;

	ASSERT_EQ(-EINVAL, deny_tagged(TAG(13)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(14)));

	EXPECT_EQ(-1, read(self->fd, b, EV_SIZE - 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, read(self->fd, b, 1));
	EXPECT_EQ(EINVAL, errno);
	n = read(self->fd, b, 0);
	EXPECT_TRUE(n == 0 || (n == -1 && errno == EINVAL)) TH_LOG("%zd", n);

	/* nothing was lost to them; one and a half records read one */
	n = read(self->fd, b, EV_SIZE + EV_SIZE / 2);
	ASSERT_EQ((ssize_t)EV_SIZE, n);
	EXPECT_TRUE(is_tag(&buf[0], TAG(13)));
	n = read(self->fd, b, 2 * EV_SIZE);
	ASSERT_EQ((ssize_t)EV_SIZE, n);
	EXPECT_TRUE(is_tag(&buf[0], TAG(14)));
	EXPECT_EQ(-1, read(self->fd, b, 2 * EV_SIZE));
	EXPECT_EQ(EAGAIN, errno);
}

/* poll() says POLLIN exactly when a record is queued. */
TEST_F(events, poll_reports_pollin)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };

	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(15)));
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLIN);
	EXPECT_EQ(1, ev_drain(self->fd));
	EXPECT_EQ(0, poll(&p, 1, 0));
}

struct blocked_read {
	int fd;
	ssize_t n;
	struct clonegate_event ev;
};

static void *blocking_reader(void *arg)
{
	struct blocked_read *b = arg;

	ssize_t n = read(b->fd, &b->ev, sizeof(b->ev));

	__atomic_store_n(&b->n, n, __ATOMIC_SEQ_CST);
	return NULL;
}

/* A blocking read() sleeps until a record comes, then returns it. */
TEST_F(events, blocking_read_wakes_up)
{
	struct blocked_read b = { .fd = self->fd, .n = -2 };
	struct timespec deadline;
	pthread_t t;
	int err;

	ASSERT_EQ(0, fcntl(self->fd, F_SETFL, 0));
	ASSERT_EQ(0, pthread_create(&t, NULL, blocking_reader, &b));
	usleep(200000);
	EXPECT_EQ(-2, __atomic_load_n(&b.n, __ATOMIC_SEQ_CST));	/* asleep */
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(16)));
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	err = pthread_timedjoin_np(t, NULL, &deadline);
	if (err) {
		pthread_cancel(t);
		pthread_join(t, NULL);
	}
	fcntl(self->fd, F_SETFL, O_NONBLOCK);
	ASSERT_EQ(0, err) TH_LOG("the reader was not woken up");
	ASSERT_EQ((ssize_t)EV_SIZE, b.n);
	EXPECT_TRUE(is_tag(&b.ev, TAG(16)));
}

/* --- the user-space reader ------------------------------------------------------ */

static int find_tool(char *out, size_t size)
{
	const char *path = getenv("PATH");
	char dirs[1024], *save = NULL, *d;

	snprintf(dirs, sizeof(dirs), "%s", path ? path : "/bin:/sbin");
	for (d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		snprintf(out, size, "%s/clonegate-events", d);
		if (!access(out, X_OK))
			return 0;
	}
	return -1;
}

struct run {
	pid_t pid;
	int out;
	char text[65536];
	size_t len;
	int status;
};

static int tool_start(struct run *r, const char *tool, uid_t uid,
		      const char *a1, const char *a2)
{
	int p[2];

	memset(r, 0, sizeof(*r));
	if (pipe(p))
		return -1;
	r->pid = fork();
	if (r->pid < 0)
		return -1;
	if (r->pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		if (uid && (setresgid(uid, uid, uid) || setresuid(uid, uid, uid)))
			_exit(99);
		execl(tool, tool, a1, a2, (char *)NULL);
		_exit(98);
	}
	close(p[1]);
	r->out = p[0];
	return 0;
}

/* Collect the output; kill the tool if it runs for longer than @ms. */
static void tool_wait(struct run *r, int ms)
{
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	struct pollfd p = { .fd = r->out, .events = POLLIN };
	ssize_t n;

	for (;;) {
		int64_t left = (end - clock_ns(CLOCK_MONOTONIC)) / 1000000;

		if (left <= 0 || poll(&p, 1, left) <= 0) {
			kill(r->pid, SIGKILL);
			break;
		}
		n = read(r->out, r->text + r->len,
			 sizeof(r->text) - 1 - r->len);
		if (n <= 0)
			break;
		r->len += n;
	}
	r->text[r->len] = '\0';
	close(r->out);
	waitpid(r->pid, &r->status, 0);
}

static int tool_run(struct run *r, const char *tool, uid_t uid,
		    const char *a1, const char *a2)
{
	if (tool_start(r, tool, uid, a1, a2))
		return -1;
	tool_wait(r, 20000);
	return WIFEXITED(r->status) ? WEXITSTATUS(r->status) : 128;
}

static int count_lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* The whole line of @text that @p points into, copied out. */
static const char *line_around(const char *text, const char *p, char *out,
			       size_t size)
{
	const char *start, *end;

	for (start = p; start > text && start[-1] != '\n'; start--)
		;
	end = strchr(p, '\n');
	if (!end)
		end = p + strlen(p);
	snprintf(out, size, "%.*s", (int)(end - start), start);
	return out;
}

/* The first line that has @needle, copied out, or NULL. */
static const char *line_with(const char *text, const char *needle,
			     char *out, size_t size)
{
	const char *p = strstr(text, needle);

	return p ? line_around(text, p, out, size) : NULL;
}

/*
 * clonegate-events prints each record as one line of JSON with seccheck's
 * names, escapes what it must, filters, counts, follows, and says why it
 * cannot open the device.
 */
TEST_F(events, tool_prints_json_lines)
{
	char tool[512], want[128], line[4096], comm[16] = "";
	const char *p18, *p19;
	struct run r;
	int st;

	if (find_tool(tool, sizeof(tool)))
		SKIP(return, "clonegate-events is not in PATH");

	/* while we hold the device, the tool cannot have it */
	st = tool_run(&r, tool, 0, NULL, NULL);
	EXPECT_EQ(1, st);
	EXPECT_TRUE(strstr(r.text, "another reader") != NULL) TH_LOG("%s", r.text);

	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	ASSERT_EQ(0, prctl(PR_SET_NAME, "ev\"q\\x\t"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(17)));
	prctl(PR_SET_NAME, comm);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(18)));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(19)));
	close(self->fd);
	self->fd = -1;

	/* --count=1 takes one record, and leaves the rest queued */
	st = tool_run(&r, tool, 0, "--count=1", NULL);
	EXPECT_EQ(0, st) TH_LOG("%s", r.text);
	EXPECT_EQ(1, count_lines(r.text)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(17));
	ASSERT_TRUE(line_with(r.text, want, line, sizeof(line)) != NULL)
		TH_LOG("%s", r.text);
	EXPECT_EQ('{', line[0]);
	EXPECT_EQ('}', line[strlen(line) - 1]);
	EXPECT_TRUE(strstr(line, "\"op\":\"clone3\",\"decision\":\"denied\",\"errno\":22,\"rule\":\"unsupported_flag\",\"mode\":\"enforce\",\"flags\":\"0x2000000\"") != NULL)
		TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, "\"process_name\":\"ev\\\"q\\\\x\\t\"") != NULL)
		TH_LOG("%s", line);
	snprintf(want, sizeof(want), "\"thread_group_id\":%d,", getpid());
	EXPECT_TRUE(strstr(line, want) != NULL) TH_LOG("%s", line);
	snprintf(want, sizeof(want), "\"parent_thread_group_id\":%d}}",
		 getppid());
	EXPECT_TRUE(strstr(line, want) != NULL) TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, "\"credentials\":{\"real_uid\":0,") != NULL);
	EXPECT_TRUE(strstr(line, "\"context_data\":{\"time_ns\":") != NULL);
	EXPECT_TRUE(strstr(line, "created_thread_id") == NULL);
	EXPECT_TRUE(strstr(line, "\"cwd\"") == NULL);

	/* the other two are still queued: the next run has them, in order */
	st = tool_run(&r, tool, 0, NULL, NULL);
	EXPECT_EQ(0, st);
	EXPECT_EQ(2, count_lines(r.text)) TH_LOG("%s", r.text);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(18));
	p18 = strstr(r.text, want);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(19));
	p19 = strstr(r.text, want);
	EXPECT_TRUE(p18 && p19 && p18 < p19) TH_LOG("%s", r.text);

	/* a filter that takes none of them consumes them all the same */
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ev_drain(self->fd);
	close(self->fd);
	self->fd = -1;
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(21)));
	st = tool_run(&r, tool, 0, "--decision=allowed,audited", NULL);
	EXPECT_EQ(0, st);
	EXPECT_EQ(0, r.len) TH_LOG("%s", r.text);
	st = tool_run(&r, tool, 0, NULL, NULL);
	EXPECT_EQ(0, st);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(21));
	EXPECT_TRUE(strstr(r.text, want) == NULL) TH_LOG("%s", r.text);

	/* --follow waits for the next record */
	ASSERT_EQ(0, tool_start(&r, tool, 0, "--follow", "--count=1"));
	usleep(300000);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(20)));
	tool_wait(&r, 10000);
	EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0)
		TH_LOG("status 0x%x: %s", r.status, r.text);
	snprintf(want, sizeof(want), "\"exit_signal\":%d,", TAG(20));
	EXPECT_TRUE(strstr(r.text, want) != NULL) TH_LOG("%s", r.text);

	/* not root: a clear error */
	st = tool_run(&r, tool, 65534, NULL, NULL);
	EXPECT_EQ(1, st);
	EXPECT_TRUE(strstr(r.text, "needs root") != NULL) TH_LOG("%s", r.text);

	/* bad usage */
	EXPECT_EQ(2, tool_run(&r, tool, 0, "--decision=maybe", NULL));
	EXPECT_EQ(0, tool_run(&r, tool, 0, "--help", NULL));

	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
}

/* --- audit and tracepoint channels --------------------------------------------- */

/*
 * The test process registers itself as the audit daemon, so the kernel
 * sends it the audit records, and enables the tracepoint. Both are undone
 * in the teardown, also after a failed assertion.
 */
FIXTURE(channel) {
	int fd;
	int audit;		/* netlink socket, or -1 */
	struct audit_status old;
	int registered;
	char audit_why[128];
	char tracing[64];	/* tracefs, or "" */
	char trace_enable[128];
	int trace_was_on;
};

static int audit_send(int fd, int type, const void *data, size_t len,
		      uint32_t seq)
{
	struct {
		struct nlmsghdr h;
		char data[256];
	} req = {};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = seq;
	memcpy(NLMSG_DATA(&req.h), data, len);
	if (sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) < 0)
		return -errno;
	return 0;
}

/*
 * Wait for the kernel's answer to request @seq: its ack (the return
 * value, 0 or -errno) and, for AUDIT_GET, the status before it.
 */
static int audit_answer(int fd, uint32_t seq, struct audit_status *st)
{
	static char buf[65536];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	struct nlmsghdr *h;
	ssize_t n;

	for (;;) {
		if (poll(&p, 1, 5000) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			return -errno;
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == AUDIT_GET && st)
				memcpy(st, NLMSG_DATA(h), sizeof(*st));
			if (h->nlmsg_type == NLMSG_ERROR)
				return ((struct nlmsgerr *)NLMSG_DATA(h))->error;
		}
	}
}

static int audit_request(int fd, int type, const void *data, size_t len,
			 struct audit_status *st)
{
	static uint32_t seq = 100;
	int err = audit_send(fd, type, data, len, ++seq);

	return err ? err : audit_answer(fd, seq, st);
}

static void audit_setup(FIXTURE_DATA(channel) *self)
{
	struct audit_status st = {};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rcvbuf = 4 << 20, err;

	self->audit = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
			     NETLINK_AUDIT);
	if (self->audit < 0) {
		snprintf(self->audit_why, sizeof(self->audit_why),
			 "no audit netlink socket (%s): kernel without audit, or booted with audit=0",
			 strerror(errno));
		return;
	}
	bind(self->audit, (struct sockaddr *)&sa, sizeof(sa));
	setsockopt(self->audit, SOL_SOCKET, SO_RCVBUF, &rcvbuf,
		   sizeof(rcvbuf));
	err = audit_request(self->audit, AUDIT_GET, &st, 0, &self->old);
	if (err) {
		snprintf(self->audit_why, sizeof(self->audit_why),
			 "AUDIT_GET: %s", strerror(-err));
		return;
	}
	if (self->old.pid) {
		snprintf(self->audit_why, sizeof(self->audit_why),
			 "an audit daemon (pid %u) is running", self->old.pid);
		return;
	}
	st.mask = AUDIT_STATUS_PID;
	st.pid = getpid();
	if (self->old.enabled != 2) {	/* 2: locked as it is */
		st.mask |= AUDIT_STATUS_ENABLED;
		st.enabled = 1;
	}
	err = audit_request(self->audit, AUDIT_SET, &st, sizeof(st), NULL);
	if (err) {
		snprintf(self->audit_why, sizeof(self->audit_why),
			 "AUDIT_SET: %s", strerror(-err));
		return;
	}
	self->registered = 1;
}

static void audit_teardown(FIXTURE_DATA(channel) *self)
{
	struct audit_status st = {};

	if (self->registered) {
		st.mask = AUDIT_STATUS_PID;
		st.pid = 0;
		if (self->old.enabled != 2) {
			st.mask |= AUDIT_STATUS_ENABLED;
			st.enabled = self->old.enabled;
		}
		audit_request(self->audit, AUDIT_SET, &st, sizeof(st), NULL);
	}
	if (self->audit >= 0)
		close(self->audit);
}

/*
 * Wait up to @ms for an AUDIT_KERNEL_OTHER record that holds @needle (a
 * space is added after the record's last field, for needles that end in
 * one) and copy its text out. Return: 0, or -ETIMEDOUT.
 */
static int audit_record(int fd, const char *needle, char *out, size_t size,
			int ms)
{
	static char buf[65536];
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t end = clock_ns(CLOCK_MONOTONIC) + (int64_t)ms * 1000000;
	struct nlmsghdr *h;
	ssize_t n;

	for (;;) {
		int64_t left = (end - clock_ns(CLOCK_MONOTONIC)) / 1000000;

		if (left <= 0 || poll(&p, 1, left) <= 0)
			return -ETIMEDOUT;
		n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < (ssize_t)NLMSG_HDRLEN)
			continue;
		/*
		 * kauditd sends one record a datagram, and its nlmsg_len
		 * is the length of the text alone, without the header
		 * (what auditd expects): NLMSG_NEXT() cannot walk it.
		 */
		h = (void *)buf;
		if (h->nlmsg_type == AUDIT_KERNEL_OTHER) {
			size_t len = n - NLMSG_HDRLEN;
			char text[8192];

			if (h->nlmsg_len < len)
				len = h->nlmsg_len;
			if (len > sizeof(text) - 2)
				len = sizeof(text) - 2;
			memcpy(text, NLMSG_DATA(h), len);
			text[len] = '\0';
			len = strlen(text);
			text[len] = ' ';
			text[len + 1] = '\0';
			if (strstr(text, needle)) {
				snprintf(out, size, "%s", text);
				return 0;
			}
		}
	}
}

static void tag_needle(char *buf, size_t size, int tag)
{
	snprintf(buf, size, " exit_signal=%d ", tag);
}

/*
 * The value of key= in an audit record: quoted text unquoted, hex
 * decoded when @hex and it is not quoted. NULL if the key is not there.
 */
static const char *audit_value(const char *rec, const char *key, int hex,
			       char *out, size_t size)
{
	char want[64];
	const char *p = strstr(rec, "): "), *v;
	size_t len, i;

	snprintf(want, sizeof(want), " %s=", key);
	p = p ? strstr(p + 1, want) : NULL;
	if (!p)
		return NULL;
	v = p + strlen(want);
	if (*v == '"') {
		v++;
		len = strcspn(v, "\"");
		snprintf(out, size, "%.*s", (int)len, v);
		return out;
	}
	len = strcspn(v, " ");
	if (!hex) {
		snprintf(out, size, "%.*s", (int)len, v);
		return out;
	}
	for (i = 0; i + 1 < len && i / 2 + 1 < size; i += 2) {
		unsigned int c;

		if (sscanf(v + i, "%2x", &c) != 1)
			return NULL;
		out[i / 2] = c;
	}
	out[i / 2] = '\0';
	return out;
}

static const char *tracefs(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (!access(path, W_OK))
			return dirs[i];
	}
	return NULL;
}

static int trace_write(const char *dir, const char *file, const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return cg_write(path, val);
}

static void trace_clear(const char *dir)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/trace", dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
}

/* The whole trace buffer, as text; free() it. */
static char *trace_read(const char *dir)
{
	char path[256];
	size_t len = 0, cap = 1 << 16;
	char *buf = malloc(cap);
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/trace", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 || !buf) {
		if (fd >= 0)
			close(fd);
		free(buf);
		return NULL;
	}
	for (;;) {
		if (cap - len < 4096) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n <= 0)
			break;
		len += n;
	}
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* The trace line of our clonegate_decision with @needle, or NULL. */
static const char *trace_line(const char *dir, const char *needle,
			      char *out, size_t size)
{
	char *text = trace_read(dir);
	const char *p, *line = NULL;

	if (!text)
		return NULL;
	for (p = text; (p = strstr(p, needle)); p++) {
		line_around(text, p, out, size);
		if (strstr(out, "clonegate_decision: seq=")) {
			line = out;
			break;
		}
	}
	free(text);
	return line;
}

FIXTURE_SETUP(channel)
{
	const char *dir;
	char path[128], on[16];

	self->fd = -1;
	self->audit = -1;
	if (!cg_loaded())
		SKIP(_exit(255), "clonegate is not loaded");
	if (access(DEV, F_OK))
		SKIP(_exit(255), "no " DEV);
	ignore_tag_signals();
	restore_defaults();
	ASSERT_EQ(0, cg_policy("gvisor", "enforce"));
	self->fd = dev_open();
	ASSERT_LE(0, self->fd);
	ev_drain(self->fd);

	audit_setup(self);
	dir = tracefs();
	if (dir) {
		snprintf(self->tracing, sizeof(self->tracing), "%s", dir);
		snprintf(self->trace_enable, sizeof(self->trace_enable),
			 "%s/events/clonegate/clonegate_decision/enable", dir);
		ASSERT_EQ(0, access(self->trace_enable, W_OK))
			TH_LOG("no clonegate:clonegate_decision tracepoint");
		snprintf(path, sizeof(path), "%s/tracing_on", dir);
		self->trace_was_on = cg_read(path, on, sizeof(on)) > 0 &&
				     on[0] == '1';
		cg_write(path, "1");
		ASSERT_EQ(0, cg_write(self->trace_enable, "1"));
		trace_clear(dir);
	}
}

FIXTURE_TEARDOWN(channel)
{
	if (self->tracing[0]) {
		cg_write(self->trace_enable, "0");
		if (!self->trace_was_on)
			trace_write(self->tracing, "tracing_on", "0");
		trace_clear(self->tracing);
	}
	audit_teardown(self);
	if (self->fd >= 0)
		close(self->fd);
	restore_defaults();
}

/* One tagged denied call; its device record, for its seq. */
static int deny_and_read(struct __test_metadata *_metadata, int fd, int tag,
			 struct clonegate_event *out)
{
	const struct clonegate_event *e;
	struct evs all = {};
	int n;

	if (deny_tagged(tag) != -EINVAL)
		return -1;
	if (ev_read_all(fd, &all))
		return -1;
	n = evs_count_tag(&all, tag, &e);
	if (n == 1)
		*out = *e;
	evs_free(&all);
	return n == 1 ? 0 : -1;
}

/*
 * The audit channel: one AUDIT_KERNEL_OTHER record per decision, key=value,
 * with the record's values; a comm audit cannot quote is hex.
 */
TEST_F(channel, audit_record_has_the_decision)
{
	static const struct {
		const char *comm, *logged;
	} names[] = {
		{ "ev-audit", "\"ev-audit\"" },
		{ "ev audit", "6576206175646974" },	/* a space: hex */
	};
	struct clonegate_event ev;
	char rec[8192], v[512], comm[16] = "", want[64];
	long long before;
	size_t i;

	if (!self->registered)
		SKIP(return, "%s", self->audit_why);
	before = ev_counter("audit_records");
	ASSERT_EQ(0, prctl(PR_GET_NAME, comm));
	for (i = 0; i < 2; i++) {
		int tag = TAG(21 + i);

		ASSERT_EQ(0, prctl(PR_SET_NAME, names[i].comm));
		ASSERT_EQ(0, deny_and_read(_metadata, self->fd, tag, &ev));
		prctl(PR_SET_NAME, comm);
		snprintf(want, sizeof(want), " seq=%llu ",
			 (unsigned long long)ev.seq);
		ASSERT_EQ(0, audit_record(self->audit, want, rec, sizeof(rec),
					  10000))
			TH_LOG("no audit record for seq %llu",
			       (unsigned long long)ev.seq);
		TH_LOG("%s", rec);

#define KEY(k, expect)							\
	do {								\
		EXPECT_TRUE(audit_value(rec, k, 0, v, sizeof(v)) != NULL) \
			TH_LOG("no %s=", k);				\
		EXPECT_STREQ(expect, v) TH_LOG("%s=", k);		\
		v[0] = '\0';						\
	} while (0)
		KEY("module", "clonegate");
		KEY("op", "clone3");
		KEY("res", "0");
		KEY("decision", "denied");
		KEY("errno", "22");
		KEY("rule", "unsupported_flag");
		KEY("mode", "enforce");
		KEY("flags", "0x2000000");
		snprintf(want, sizeof(want), "%d", tag);
		KEY("exit_signal", want);
		snprintf(want, sizeof(want), "%llu",
			 (unsigned long long)ev.seq);
		KEY("seq", want);
		snprintf(want, sizeof(want), "%d", getpid());
		KEY("pid", want);
		snprintf(want, sizeof(want), "%d", cg_gettid());
		KEY("tid", want);
		snprintf(want, sizeof(want), "%d", getppid());
		KEY("ppid", want);
		snprintf(want, sizeof(want), "%u", getuid());
		KEY("uid", want);
		KEY("euid", want);
		snprintf(want, sizeof(want), "%llu",
			 (unsigned long long)ev.cgroup_id);
		KEY("cgroup_id", want);
		KEY("cgroup", ev.container_id);
#undef KEY
		EXPECT_TRUE(strstr(rec, names[i].logged) != NULL)
			TH_LOG("comm should be logged as %s", names[i].logged);
		EXPECT_TRUE(audit_value(rec, "comm", 1, v, sizeof(v)) != NULL);
		EXPECT_STREQ(names[i].comm, v);
		EXPECT_TRUE(strstr(rec, " created_tid=") == NULL);
		EXPECT_TRUE(strstr(rec, " cwd=") == NULL);
	}
	EXPECT_LE(before + 2, ev_counter("audit_records"));
}

/* The tracepoint: one clonegate:clonegate_decision line per decision. */
TEST_F(channel, trace_line_has_the_decision)
{
	struct clonegate_event ev;
	char line[4096], want[512];
	long long before;

	if (!self->tracing[0])
		SKIP(return, "no tracefs");
	before = ev_counter("traced");
	ASSERT_EQ(0, deny_and_read(_metadata, self->fd, TAG(23), &ev));
	EXPECT_LE(before + 1, ev_counter("traced"));
	snprintf(want, sizeof(want), "clonegate_decision: seq=%llu ",
		 (unsigned long long)ev.seq);
	ASSERT_TRUE(trace_line(self->tracing, want, line, sizeof(line)) !=
		    NULL) TH_LOG("no trace line for seq %llu",
				 (unsigned long long)ev.seq);
	TH_LOG("%s", line);
	EXPECT_TRUE(strstr(line, " op=clone3 decision=denied errno=22 rule=unsupported_flag mode=enforce flags=0x2000000 ") != NULL);
	snprintf(want, sizeof(want), " exit_signal=%d ", TAG(23));
	EXPECT_TRUE(strstr(line, want) != NULL);
	snprintf(want, sizeof(want), " tid=%d pid=%d ppid=%d uid=0 euid=0 ",
		 cg_gettid(), getpid(), getppid());
	EXPECT_TRUE(strstr(line, want) != NULL) TH_LOG("want%s", want);
	snprintf(want, sizeof(want), " cgroup=%s ", ev.container_id);
	EXPECT_TRUE(strstr(line, want) != NULL) TH_LOG("want%s", want);

	/* off again: not traced, not counted */
	ASSERT_EQ(0, cg_write(self->trace_enable, "0"));
	before = ev_counter("traced");
	ASSERT_EQ(0, deny_and_read(_metadata, self->fd, TAG(24), &ev));
	EXPECT_EQ(before, ev_counter("traced"));
	snprintf(want, sizeof(want), "clonegate_decision: seq=%llu ",
		 (unsigned long long)ev.seq);
	EXPECT_TRUE(trace_line(self->tracing, want, line, sizeof(line)) ==
		    NULL);
}

/*
 * Each channel alone, then none, then all: only the channels on see a
 * call, and only their counters move.
 */
TEST_F(channel, only_the_channels_on_see_a_call)
{
	static const char *const sets[] = {
		"dev", "audit", "trace", "none", "audit trace dev",
	};
	char rec[8192], line[4096], needle[64];
	struct counters c0, c1;
	size_t i;

	if (!self->registered)
		TH_LOG("audit not checked: %s", self->audit_why);
	if (!self->tracing[0])
		TH_LOG("trace not checked: no tracefs");
	for (i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		int dev = strstr(sets[i], "dev") != NULL;
		int audit = strstr(sets[i], "audit") != NULL;
		int trace = strstr(sets[i], "trace") != NULL;
		int tag = TAG(25 + i);
		struct evs all = {};

		ASSERT_EQ(0, ev_set("channels", sets[i]));
		ev_drain(self->fd);
		if (self->tracing[0])
			trace_clear(self->tracing);
		counters_read(&c0);
		ASSERT_EQ(-EINVAL, deny_tagged(tag));
		counters_read(&c1);
		ASSERT_EQ(0, ev_read_all(self->fd, &all));
		EXPECT_EQ(dev, evs_count_tag(&all, tag, NULL))
			TH_LOG("channels %s", sets[i]);
		EXPECT_EQ(dev, c1.emitted - c0.emitted)
			TH_LOG("channels %s", sets[i]);
		evs_free(&all);

		tag_needle(needle, sizeof(needle), tag);
		if (self->registered) {
			EXPECT_EQ(audit, c1.audit_records - c0.audit_records)
				TH_LOG("channels %s", sets[i]);
			/* kauditd sends later: wait for it, or a while */
			EXPECT_EQ(audit ? 0 : -ETIMEDOUT,
				  audit_record(self->audit, needle, rec,
					       sizeof(rec),
					       audit ? 10000 : 500))
				TH_LOG("channels %s", sets[i]);
		}
		if (self->tracing[0]) {
			EXPECT_EQ(trace, c1.traced - c0.traced)
				TH_LOG("channels %s", sets[i]);
			EXPECT_EQ(trace, trace_line(self->tracing, needle, line,
						    sizeof(line)) != NULL)
				TH_LOG("channels %s", sets[i]);
		}
	}
}

TEST_HARNESS_MAIN
