// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, what every channel shares: which decisions are
 * reported and with which record, its context checked field by field
 * against /proc and the cgroup tree, and which channels see a call.
 *
 * Every channel gets the same record; /dev/clonegate, which hands it out
 * whole, is where it is read here. events_dev_test, events_audit_test and
 * events_trace_test check what each channel makes of it.
 */
#include "events_lib.h"

#include <pthread.h>
#include <sys/prctl.h>

/* --- the truth about a task ----------------------------------------------- */

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
	EXPECT_PADDED(e, rule_name);
	EXPECT_PADDED(e, container_id);
	EXPECT_PADDED(e, cwd);
	EXPECT_PADDED(e, process_name);
	EXPECT_PADDED(e, scope);
}

/* --- the fixture ---------------------------------------------------------- */

FIXTURE(events) {
	struct ev_fixture f;
};

FIXTURE_SETUP(events)
{
	ev_fixture_setup(_metadata, &self->f, 0);
}

FIXTURE_TEARDOWN(events)
{
	ev_fixture_teardown(&self->f);
}

/* --- what arrives --------------------------------------------------------- */

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

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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
	EXPECT_EQ(EV_RULE_UNSUPPORTED_FLAG, mine.e[0].rule);
	EXPECT_STREQ("unsupported_flag", mine.e[0].rule_name);
	EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, mine.e[0].mode);
	EXPECT_EQ(CLONE_NEWCGROUP, mine.e[0].flags);
	EXPECT_EQ(SIGCHLD, mine.e[0].exit_signal);
	EXPECT_EQ(0, mine.e[0].ev_flags);

	EXPECT_EQ(CLONEGATE_EV_OP_UNSHARE, mine.e[1].op);
	EXPECT_EQ(CLONEGATE_EV_DENIED, mine.e[1].decision);
	EXPECT_EQ(EINVAL, mine.e[1].errno_value);
	EXPECT_EQ(EV_RULE_UNSUPPORTED_FLAG, mine.e[1].rule);
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
		EXPECT_STREQ("host", mine.e[i].scope);
		EXPECT_EQ(0, mine.e[i].suppressed);
		EXPECT_EQ(0, mine.e[i].ns_type);
		EXPECT_EQ(0, mine.e[i].ns_inum);
		EXPECT_EQ(0, mine.e[i].setns_form);
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
 * The records of the @n calls of @m, then of the unshare. Out of line:
 * inlined, the checks would share the frame of the test, which vforks.
 */
static void __attribute__((noinline))
check_made(struct __test_metadata *_metadata, const struct made *m, int n,
	   const struct evs *mine)
{
	int i;

	for (i = 0; i < n; i++) {
		const struct clonegate_event *e = &mine->e[i];

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
			EXPECT_LT(mine->e[i - 1].seq, e->seq);
	}
	/* the unshare: reported at its decision, nothing created */
	EXPECT_EQ(CLONEGATE_EV_OP_UNSHARE, mine->e[n].op);
	EXPECT_EQ(CLONEGATE_EV_ALLOWED, mine->e[n].decision);
	EXPECT_EQ(0, mine->e[n].errno_value);
	EXPECT_EQ(-1, mine->e[n].rule);
	EXPECT_EQ(CLONE_FILES, mine->e[n].flags);
	EXPECT_EQ(0, mine->e[n].exit_signal);
	EXPECT_EQ(0, mine->e[n].ev_flags);
	EXPECT_EQ(0, mine->e[n].created_thread_id);
	EXPECT_EQ(0, mine->e[n].created_thread_group_id);
	EXPECT_EQ(0, mine->e[n].created_thread_start_time_ns);
	/* all of them decided by the host policy, none held back */
	for (i = 0; i <= n; i++) {
		EXPECT_STREQ("host", mine->e[i].scope) TH_LOG("record %d", i);
		EXPECT_EQ(0, mine->e[i].suppressed) TH_LOG("record %d", i);
	}
}

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

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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
	check_made(_metadata, m, n, &mine);
	evs_free(&all);
	evs_free(&mine);
}

/*
 * Make one allowed fork; return how many records of ours and of it came,
 * or -1.
 */
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
	if (ev_read_all(fd, &all))
		return -1;
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
	EXPECT_EQ(0, fork_records(self->f.fd, &kid));
	EXPECT_EQ(0, kid);

	/* allowed only: the fork is, a denial is not */
	ASSERT_EQ(0, ev_set("decisions", "allowed"));
	EXPECT_EQ(1, fork_records(self->f.fd, &kid));
	EXPECT_EQ(0, kid);
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(1)));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(0, evs_count_tag(&all, TAG(1), NULL));
	evs_free(&all);

	/* audited only, under enforce: a denial is not audited */
	ASSERT_EQ(0, ev_set("decisions", "audited"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(2)));
	EXPECT_EQ(0, fork_records(self->f.fd, &kid));

	/* none: nothing at all */
	ASSERT_EQ(0, ev_set("decisions", "none"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(3)));
	EXPECT_EQ(0, fork_records(self->f.fd, &kid));

	/* and back: denied only */
	ASSERT_EQ(0, ev_set("decisions", "denied"));
	ASSERT_EQ(-EINVAL, deny_tagged(TAG(4)));
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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

/* --- the context, field by field ------------------------------------------ */

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
 * filled in exactly when chosen, and says the truth about the worker.
 */
FIXTURE(context) {
	struct ev_fixture f;
	struct worker w;
	struct truth t;
};

FIXTURE_VARIANT(context) {
	uint32_t fields;
};

FIXTURE_VARIANT_ADD(context, none) { 0 };
FIXTURE_VARIANT_ADD(context, time) { CLONEGATE_FIELD_TIME };
FIXTURE_VARIANT_ADD(context, thread_id) { CLONEGATE_FIELD_THREAD_ID };
FIXTURE_VARIANT_ADD(context, thread_start_time) {
	CLONEGATE_FIELD_THREAD_START_TIME
};
FIXTURE_VARIANT_ADD(context, thread_group_id) {
	CLONEGATE_FIELD_THREAD_GROUP_ID
};
FIXTURE_VARIANT_ADD(context, thread_group_start_time) {
	CLONEGATE_FIELD_THREAD_GROUP_START_TIME
};
FIXTURE_VARIANT_ADD(context, container_id) { CLONEGATE_FIELD_CONTAINER_ID };
FIXTURE_VARIANT_ADD(context, credentials) { CLONEGATE_FIELD_CREDENTIALS };
FIXTURE_VARIANT_ADD(context, cwd) { CLONEGATE_FIELD_CWD };
FIXTURE_VARIANT_ADD(context, process_name) { CLONEGATE_FIELD_PROCESS_NAME };
FIXTURE_VARIANT_ADD(context, parent_thread_group_id) {
	CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID
};
FIXTURE_VARIANT_ADD(context, all) { ALL_FIELDS };
FIXTURE_VARIANT_ADD(context, defaults) { DEFAULT_FIELDS };

FIXTURE_SETUP(context)
{
	struct truth *t = &self->t;

	self->w.pid = -1;
	ev_fixture_setup(_metadata, &self->f, 0);
	ASSERT_EQ(0, worker_start(&self->w, "ev-worker"));
	truth_of(t, self->w.pid, self->w.pid);
	t->ppid = getpid();
	t->cred[0] = 4, t->cred[1] = 5, t->cred[2] = 6;
	t->cred[3] = 1, t->cred[4] = 2, t->cred[5] = 3;
	ASSERT_TRUE(realpath(self->w.dir, t->cwd) != NULL);
	strcpy(t->comm, "ev-worker");
}

FIXTURE_TEARDOWN(context)
{
	if (self->w.pid > 0)
		worker_stop(&self->w);
	ev_fixture_teardown(&self->f);
}

TEST_F(context, each_field_is_filled_in_exactly_when_chosen)
{
	const struct clonegate_event *e;
	struct truth *t = &self->t;
	struct evs all = {};
	char text[512];
	long ret;

	fields_text(variant->fields, text, sizeof(text));
	TH_LOG("context_fields \"%s\"; worker %d in cgroup %s (id %llu), cwd %s",
	       text, self->w.pid, t->container,
	       (unsigned long long)t->cgroup_id, t->cwd);
	ASSERT_EQ(0, set_fields(variant->fields));
	t->before = clock_ns(CLOCK_REALTIME);
	ret = worker_call(&self->w, TAG(3));
	t->after = clock_ns(CLOCK_REALTIME);
	ASSERT_EQ(-EINVAL, ret);
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, TAG(3), &e));
	check_tag_deny(_metadata, e, TAG(3));
	check_context(_metadata, e, variant->fields, t);
	evs_free(&all);
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
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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
	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
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

/* /<a>/<b>, 300 characters and more: longer than a record's path */
static void long_path(char *a, size_t asize, char *b, size_t bsize,
		      char *rel, size_t relsize)
{
	snprintf(a, asize, "ev%d-", getpid());
	memset(a + strlen(a), 'a', asize - 1 - strlen(a));
	a[asize - 1] = '\0';
	memset(b, 'b', bsize - 1);
	b[bsize - 1] = '\0';
	snprintf(rel, relsize, "/%s/%s", a, b);
}

/*
 * A cwd longer than the record's 255 characters reads "?", is flagged,
 * and never overflows; the short container_id beside it is whole.
 */
TEST_F(events, long_cwd_is_cut_and_flagged)
{
	struct cgroup_call c = { .tag = TAG(8) };
	const struct clonegate_event *e;
	char a[201], b[101], rel[512], cwd[600], own[512];
	struct evs all = {};

	long_path(a, sizeof(a), b, sizeof(b), rel, sizeof(rel));
	snprintf(cwd, sizeof(cwd), "/tmp%s", rel);
	ASSERT_LT(CLONEGATE_PATH_LEN, strlen(rel));
	ASSERT_EQ(0, proc_cgroup(getpid(), own, sizeof(own)));

	ASSERT_EQ(0, mkdir_two("/tmp", a, b));
	c.cwd = cwd;
	ASSERT_EQ(0, ev_set("context_fields", "+cwd"));
	EXPECT_EQ(0, cg_in_child(call_in_cgroup, &c));
	rmdir_two("/tmp", a, b);

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, c.tag, &e));
	EXPECT_EQ(CLONEGATE_EV_F_TRUNCATED, e->ev_flags);
	EXPECT_STREQ("?", e->cwd);
	/* what d_path() wrote before it gave up is not left behind */
	EXPECT_PADDED(e, cwd);
	EXPECT_STREQ(own, e->container_id);
	evs_free(&all);
}

/*
 * A cgroup path longer than the record's 255 characters is cut to its
 * first 255 and flagged; cgroup_id still names the cgroup.
 */
TEST_F(events, long_cgroup_path_is_cut_and_flagged)
{
	struct cgroup_call c = { .tag = TAG(9) };
	const struct clonegate_event *e;
	char a[201], b[101], rel[512];
	struct evs all = {};
	uint64_t ino;

	if (!have_cgroup2())
		SKIP(return, "no cgroup v2 hierarchy at " CGROOT);
	long_path(a, sizeof(a), b, sizeof(b), rel, sizeof(rel));
	ASSERT_LT(CLONEGATE_PATH_LEN, strlen(rel));

	ASSERT_EQ(0, mkdir_two(CGROOT, a, b));
	c.dir = rel;
	ino = cgroup_ino(rel);
	EXPECT_EQ(0, cg_in_child(call_in_cgroup, &c));
	rmdir_two(CGROOT, a, b);
	ASSERT_NE(0, ino);

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	ASSERT_EQ(1, evs_count_tag(&all, c.tag, &e));
	EXPECT_EQ(CLONEGATE_EV_F_TRUNCATED, e->ev_flags);
	EXPECT_EQ(CLONEGATE_PATH_LEN - 1,
		  strnlen(e->container_id, CLONEGATE_PATH_LEN));
	EXPECT_EQ(0, strncmp(rel, e->container_id, CLONEGATE_PATH_LEN - 1));
	EXPECT_EQ(ino, e->cgroup_id);
	evs_free(&all);
}

/*
 * Calls on one CPU from one cgroup and another in turn, from a cgroup
 * made again under the name of a removed one (a new id), and from a
 * cgroup too long for the field twice: each record names the caller's
 * cgroup of the moment, and the second long one is flagged as the first.
 * All on CPU 0, which keeps the path of the last cgroup it reported, by
 * the cgroup's id.
 */
TEST_F(events, container_id_follows_the_caller_from_call_to_call)
{
	struct step { const char *dir; uint64_t ino; int flagged; } steps[7];
	char dir[64], path[128], own[512], a[201], b[101], rel[512];
	const struct clonegate_event *e;
	struct evs all = {};
	cpu_set_t cpus;
	int i;

	if (!have_cgroup2())
		SKIP(return, "no cgroup v2 hierarchy at " CGROOT);
	ASSERT_EQ(0, proc_cgroup(getpid(), own, sizeof(own)));
	snprintf(dir, sizeof(dir), "/cgfollow-%d", getpid());
	snprintf(path, sizeof(path), CGROOT "%s", dir);
	long_path(a, sizeof(a), b, sizeof(b), rel, sizeof(rel));
	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(cpus), &cpus));

	for (i = 0; i < 7; i++) {
		struct cgroup_call c = { .tag = TAG(10 + i) };

		steps[i] = (struct step){ own, cgroup_ino(own), 0 };
		if (i == 1 || i == 3) {
			/* the cgroup made, again after the first time */
			ASSERT_EQ(0, mkdir(path, 0755)) TH_LOG("mkdir %s: %m", path);
			steps[i] = (struct step){ dir, cgroup_ino(dir), 0 };
		}
		if (i == 4)
			ASSERT_EQ(0, mkdir_two(CGROOT, a, b));
		if (i == 4 || i == 5)
			steps[i] = (struct step){ rel, cgroup_ino(rel), 1 };
		c.dir = steps[i].dir == own ? NULL : steps[i].dir;
		EXPECT_EQ(0, cg_in_child(call_in_cgroup, &c));
		if (i == 1 || i == 3)
			rmdir_retry(path);
		if (i == 5)
			rmdir_two(CGROOT, a, b);
		ASSERT_NE(0, steps[i].ino);
	}
	CPU_ZERO(&cpus);
	for (i = 0; i < CPU_SETSIZE; i++)
		CPU_SET(i, &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	/* the cgroup made again is another cgroup */
	EXPECT_NE(steps[1].ino, steps[3].ino);

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	for (i = 0; i < 7; i++) {
		ASSERT_EQ(1, evs_count_tag(&all, TAG(10 + i), &e))
			TH_LOG("call %d", i);
		EXPECT_EQ(steps[i].ino, e->cgroup_id) TH_LOG("call %d", i);
		EXPECT_EQ(0, strncmp(steps[i].dir, e->container_id,
				     CLONEGATE_PATH_LEN - 1))
			TH_LOG("call %d: \"%s\", not \"%.40s...\"", i,
			       e->container_id, steps[i].dir);
		EXPECT_EQ(steps[i].flagged ? CLONEGATE_EV_F_TRUNCATED : 0,
			  e->ev_flags) TH_LOG("call %d", i);
	}
	evs_free(&all);
}

/* --- which channels see a call -------------------------------------------- */

/*
 * Whether the audit record of the call tagged @tag came: the record of the
 * call tagged @tag + 1, made after it with every channel on, ends the
 * wait, as kauditd sends records in order. 0 with *seen, or -errno.
 */
static int audit_saw(int fd, int tag, int *seen)
{
	char rec[8192], mine[64], next[64];
	int err;

	tag_needle(mine, sizeof(mine), tag);
	tag_needle(next, sizeof(next), tag + 1);
	*seen = 0;
	for (;;) {
		err = audit_record(fd, " exit_signal=", rec, sizeof(rec), 10000);
		if (err)
			return err;
		*seen += strstr(rec, mine) != NULL;
		if (strstr(rec, next))
			return 0;
	}
}

/*
 * events/channels picks where a record goes: under each set, a tagged
 * denied call is seen on exactly the channels in it, and only their
 * counters move. Every row reads all three channels, so it SKIPs without
 * audit or tracefs.
 */
FIXTURE(channels) {
	struct ev_fixture f;
};

FIXTURE_VARIANT(channels) {
	const char *set;
	int dev, audit, trace;
};

FIXTURE_VARIANT_ADD(channels, dev) { "dev", 1, 0, 0 };
FIXTURE_VARIANT_ADD(channels, audit) { "audit", 0, 1, 0 };
FIXTURE_VARIANT_ADD(channels, trace) { "trace", 0, 0, 1 };
FIXTURE_VARIANT_ADD(channels, none) { "none", 0, 0, 0 };
FIXTURE_VARIANT_ADD(channels, all) { "audit trace dev", 1, 1, 1 };

FIXTURE_SETUP(channels)
{
	ev_fixture_setup(_metadata, &self->f, EV_AUDIT | EV_TRACE);
}

FIXTURE_TEARDOWN(channels)
{
	ev_fixture_teardown(&self->f);
}

TEST_F(channels, only_the_channels_on_see_a_call)
{
	const int tag = TAG(25);
	char line[4096], needle[64];
	struct counters c0, c1;
	struct evs all = {};
	int seen;

	ASSERT_EQ(0, ev_set("channels", variant->set));
	ASSERT_LE(0, ev_drain(self->f.fd));
	ASSERT_EQ(0, trace_clear(self->f.trace.dir));
	ASSERT_EQ(0, counters_read(&c0));
	ASSERT_EQ(-EINVAL, deny_tagged(tag));
	ASSERT_EQ(0, counters_read(&c1));
	ASSERT_EQ(0, ev_set("channels", "audit trace dev"));
	ASSERT_EQ(-EINVAL, deny_tagged(tag + 1));

	ASSERT_EQ(0, ev_read_all(self->f.fd, &all));
	EXPECT_EQ(variant->dev, evs_count_tag(&all, tag, NULL));
	EXPECT_EQ(1, evs_count_tag(&all, tag + 1, NULL));
	EXPECT_EQ(variant->dev, c1.emitted - c0.emitted);
	evs_free(&all);

	EXPECT_EQ(variant->audit, c1.audit_records - c0.audit_records);
	ASSERT_EQ(0, audit_saw(self->f.audit.fd, tag, &seen))
		TH_LOG("no audit record of the call after it");
	EXPECT_EQ(variant->audit, seen);

	EXPECT_EQ(variant->trace, c1.traced - c0.traced);
	tag_needle(needle, sizeof(needle), tag + 1);
	ASSERT_EQ(1, trace_line(self->f.trace.dir, needle, line, sizeof(line)));
	tag_needle(needle, sizeof(needle), tag);
	EXPECT_EQ(variant->trace,
		  trace_line(self->f.trace.dir, needle, line, sizeof(line)));
}

TEST_HARNESS_MAIN
