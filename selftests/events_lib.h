/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the event selftests share, on top of common.h: the settings and
 * counters under events/, tagged calls, a reader of /dev/clonegate, an
 * audit netlink client, a tracefs reader, the fixture every event test
 * starts from, and the calls whose records carry the fields version 2
 * added (scope, suppressed, the setns fields).
 *
 * Records of other processes can interleave, so a test picks its own: by
 * thread group id, by sequence number, or by a tag, the exit signal of a
 * denied clone3(CLONE_NEWCGROUP), which the record carries whatever
 * context fields are chosen.
 */
#ifndef CLONEGATE_SELFTEST_EVENTS_LIB_H
#define CLONEGATE_SELFTEST_EVENTS_LIB_H

#define _FILE_OFFSET_BITS 64
#include "common.h"
#include "../include/uapi/linux/clonegate.h"

#include <linux/audit.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include "harness.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

#define DEV "/dev/clonegate"
#define EVDIR CG "events/"
#define EV_SIZE sizeof(struct clonegate_event)
/* the record of version 2, as Documentation/events.rst gives it */
#define EV_V2_SIZE 808

#define ALL_FIELDS ((1U << CLONEGATE_FIELD_COUNT) - 1)
#define DEFAULT_FIELDS (ALL_FIELDS & ~CLONEGATE_FIELD_CWD)

/* EV_RULE_<ID>: the rule numbers of the uapi table */
#define EV_RULE(n, id, name) EV_RULE_##id = n,
enum { CLONEGATE_RULES(EV_RULE) };
#undef EV_RULE

/* context field names, in CLONEGATE_FIELD_* bit order */
static const char *const field_names[CLONEGATE_FIELD_COUNT] = {
	"time", "thread_id", "thread_start_time", "thread_group_id",
	"thread_group_start_time", "container_id", "credentials", "cwd",
	"process_name", "parent_thread_group_id",
};

static inline pid_t cg_gettid(void)
{
	return syscall(SYS_gettid);
}

static inline int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* --- settings and counters ------------------------------------------------ */

static inline int ev_set(const char *file, const char *val)
{
	char path[128];

	snprintf(path, sizeof(path), EVDIR "%s", file);
	return cg_write(path, val);
}

/* The context_fields value for a set of CLONEGATE_FIELD_* bits. */
static inline void fields_text(uint32_t mask, char *buf, size_t size)
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

static inline int set_fields(uint32_t mask)
{
	char buf[512];

	fields_text(mask, buf, sizeof(buf));
	return ev_set("context_fields", buf);
}

/* What every test leaves behind: the module's defaults. */
static inline void restore_defaults(void)
{
	cg_policy("gvisor", "audit");
	ev_set("decisions", "denied audited");
	ev_set("channels", "audit trace dev");
	set_fields(DEFAULT_FIELDS);
}

/* A counter under events/, or -1. */
static inline long long ev_counter(const char *name)
{
	char path[128];

	snprintf(path, sizeof(path), EVDIR "%s", name);
	return cg_counter(path);
}

struct counters {
	long long emitted, delivered, ring_full, audit_records, traced;
};

/* Read every counter; -1 if one of them cannot be read. */
static inline int counters_read(struct counters *c)
{
	c->emitted = ev_counter("emitted");
	c->delivered = ev_counter("delivered");
	c->ring_full = ev_counter("dropped/ring_full");
	c->audit_records = ev_counter("audit_records");
	c->traced = ev_counter("traced");
	return c->emitted < 0 || c->delivered < 0 || c->ring_full < 0 ||
	       c->audit_records < 0 || c->traced < 0 ? -1 : 0;
}

/* --- tagged calls --------------------------------------------------------- */

/* Tags are real-time signal numbers, ignored in case a call gets through. */
#define TAG(n) (34 + (n))
#define TAG_MAX TAG(30)

static inline void ignore_tag_signals(void)
{
	int sig;

	for (sig = TAG(0); sig <= TAG_MAX; sig++)
		signal(sig, SIG_IGN);
}

/*
 * A call gVisor denies with unsupported_flag, tagged with its exit signal.
 * Under enforce it returns -EINVAL and creates nothing.
 */
static inline long deny_tagged(int tag)
{
	struct cg_clone_args args = {
		.flags = CLONE_NEWCGROUP,
		.exit_signal = tag,
	};

	return cg_raw_clone3(&args, sizeof(args));
}

static inline int is_tag(const struct clonegate_event *e, int tag)
{
	return e->op == CLONEGATE_EV_OP_CLONE3 &&
	       e->flags == CLONE_NEWCGROUP && e->exit_signal == tag;
}

/* Whether every byte of a string field after its first NUL is NUL too. */
static inline int nul_padded(const char *field, size_t size)
{
	const char *end = memchr(field, 0, size);

	if (!end)
		return 0;
	while (end < field + size)
		if (*end++)
			return 0;
	return 1;
}

#define EXPECT_PADDED(e, field)						\
	EXPECT_TRUE(nul_padded((e)->field, sizeof((e)->field)))		\
		TH_LOG(#field ": a byte after its end is not NUL")

/* What the audit record and the trace line of a tagged call hold. */
static inline void tag_needle(char *buf, size_t size, int tag)
{
	snprintf(buf, size, " exit_signal=%d ", tag);
}

/* --- reading the device --------------------------------------------------- */

struct evs {
	struct clonegate_event *e;
	int n, cap;
	int bad;	/* records of a wrong size or version */
};

static inline void evs_add(struct evs *l, const struct clonegate_event *e)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			abort();
	}
	l->e[l->n++] = *e;
}

static inline void evs_free(struct evs *l)
{
	free(l->e);
	memset(l, 0, sizeof(*l));
}

/* A module parameter's value, or -1. */
static inline long read_param(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/module/clonegate/parameters/%s",
		 name);
	return cg_read(path, buf, sizeof(buf)) > 0 ? atol(buf) : -1;
}

/* Make this thread's calls on CPU 0 only: their records share one ring. */
static inline int pin_cpu0(void)
{
	cpu_set_t cpus;

	CPU_ZERO(&cpus);
	CPU_SET(0, &cpus);
	return sched_setaffinity(0, sizeof(cpus), &cpus);
}

static inline int dev_open(void)
{
	return open(DEV, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

/* Read every queued record (the fd is O_NONBLOCK). Return: 0 or -errno. */
static inline int ev_read_all(int fd, struct evs *l)
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

/* Read and drop what is queued; how many records, or -errno. */
static inline int ev_drain(int fd)
{
	struct evs l = {};
	int n, err;

	err = ev_read_all(fd, &l);
	n = l.n;
	evs_free(&l);
	return err ? err : n;
}

/* The records of thread group @tgid, in the order read. */
static inline void evs_of_tgid(const struct evs *in, struct evs *out,
			       pid_t tgid)
{
	int i;

	for (i = 0; i < in->n; i++)
		if ((in->e[i].fields & CLONEGATE_FIELD_THREAD_GROUP_ID) &&
		    in->e[i].thread_group_id == tgid)
			evs_add(out, &in->e[i]);
}

/* How many records are tagged @tag; the first in *first. */
static inline int evs_count_tag(const struct evs *in, int tag,
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

/* One tagged denied call; its device record (for its seq). 0 or -1. */
static inline int deny_and_read(int fd, int tag, struct clonegate_event *out)
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
 * The verdict of a tagged deny under gvisor + enforce, outside any scope,
 * with no rate limit: every field but the context.
 */
static inline void check_tag_deny(struct __test_metadata *_metadata,
				  const struct clonegate_event *e, int tag)
{
	EXPECT_EQ(EV_SIZE, e->size);
	EXPECT_EQ(CLONEGATE_EVENT_VERSION, e->version);
	EXPECT_EQ(CLONEGATE_EV_OP_CLONE3, e->op);
	EXPECT_EQ(CLONEGATE_EV_DENIED, e->decision);
	EXPECT_EQ(CLONEGATE_EV_MODE_ENFORCE, e->mode);
	EXPECT_EQ(EV_RULE_UNSUPPORTED_FLAG, e->rule);
	EXPECT_STREQ("unsupported_flag", e->rule_name);
	EXPECT_EQ(EINVAL, e->errno_value);
	EXPECT_EQ(CLONE_NEWCGROUP, e->flags);
	EXPECT_EQ(tag, e->exit_signal);
	EXPECT_EQ(0, e->ev_flags & CLONEGATE_EV_F_CREATED);
	EXPECT_EQ(0, e->created_thread_id);
	EXPECT_EQ(0, e->created_thread_group_id);
	EXPECT_EQ(0, e->created_thread_start_time_ns);
	EXPECT_STREQ("host", e->scope);
	EXPECT_EQ(0, e->suppressed);
	EXPECT_EQ(0, e->ns_type);
	EXPECT_EQ(0, e->ns_inum);
	EXPECT_EQ(0, e->setns_form);
	EXPECT_STREQ("", e->message);
}

/* --- text ----------------------------------------------------------------- */

/* The whole line of @text that @p points into, copied out. */
static inline const char *line_around(const char *text, const char *p,
				      char *out, size_t size)
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

/* --- cgroups -------------------------------------------------------------- */

#define CGROOT "/sys/fs/cgroup"

static inline int have_cgroup2(void)
{
	return access(CGROOT "/cgroup.procs", W_OK) == 0 &&
	       access(CGROOT "/cgroup.controllers", R_OK) == 0;
}

/* The cgroup v2 path of @pid ("0::/path" in /proc/PID/cgroup). */
static inline int proc_cgroup(pid_t pid, char *out, size_t size)
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

/* The inode of a cgroup directory: its cgroup id. 0 if unknown. */
static inline uint64_t cgroup_ino(const char *cgpath)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), CGROOT "%s", cgpath);
	return stat(path, &st) ? 0 : st.st_ino;
}

static inline void rmdir_retry(const char *path)
{
	int i;

	for (i = 0; i < 100 && rmdir(path) && errno == EBUSY; i++)
		usleep(10000);
}

struct cgroup_call {
	const char *dir;	/* cgroup to move to, under CGROOT, or NULL */
	const char *cwd;	/* directory to chdir to, or NULL */
	int tag;
};

/* For cg_in_child(): move, then make the tagged denied call. */
static inline int call_in_cgroup(void *arg)
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

/* --- the audit client ----------------------------------------------------- */

/*
 * The test process registers itself as the audit daemon, so the kernel
 * sends it the audit records; ev_audit_close() undoes it.
 */
struct ev_audit {
	int fd;			/* netlink socket, or -1 */
	struct audit_status old;
	int registered;
	char why[128];		/* why it could not register */
};

static inline int audit_send(int fd, int type, const void *data, size_t len,
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
static inline int audit_answer(int fd, uint32_t seq, struct audit_status *st)
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

static inline int audit_request(int fd, int type, const void *data,
				size_t len, struct audit_status *st)
{
	static uint32_t seq = 100;
	int err = audit_send(fd, type, data, len, ++seq);

	return err ? err : audit_answer(fd, seq, st);
}

static inline void ev_audit_close(struct ev_audit *a)
{
	struct audit_status st = {};

	if (a->registered) {
		st.mask = AUDIT_STATUS_PID;
		st.pid = 0;
		if (a->old.enabled != 2) {
			st.mask |= AUDIT_STATUS_ENABLED;
			st.enabled = a->old.enabled;
		}
		audit_request(a->fd, AUDIT_SET, &st, sizeof(st), NULL);
		a->registered = 0;
	}
	if (a->fd >= 0)
		close(a->fd);
	a->fd = -1;
}

/* Register as the audit daemon, audit on. 0, or -1 with a->why. */
static inline int ev_audit_open(struct ev_audit *a)
{
	struct audit_status st = {};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int rcvbuf = 4 << 20, err;

	a->registered = 0;
	a->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_AUDIT);
	if (a->fd < 0) {
		snprintf(a->why, sizeof(a->why),
			 "no audit netlink socket (%s): kernel without audit, or booted with audit=0",
			 strerror(errno));
		return -1;
	}
	bind(a->fd, (struct sockaddr *)&sa, sizeof(sa));
	setsockopt(a->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	err = audit_request(a->fd, AUDIT_GET, &st, 0, &a->old);
	if (err) {
		snprintf(a->why, sizeof(a->why), "AUDIT_GET: %s",
			 strerror(-err));
		goto out_close;
	}
	if (a->old.pid) {
		snprintf(a->why, sizeof(a->why),
			 "an audit daemon (pid %u) is running", a->old.pid);
		goto out_close;
	}
	st.mask = AUDIT_STATUS_PID;
	st.pid = getpid();
	if (a->old.enabled != 2) {	/* 2: locked as it is */
		st.mask |= AUDIT_STATUS_ENABLED;
		st.enabled = 1;
	}
	err = audit_request(a->fd, AUDIT_SET, &st, sizeof(st), NULL);
	if (err) {
		snprintf(a->why, sizeof(a->why), "AUDIT_SET: %s",
			 strerror(-err));
		goto out_close;
	}
	a->registered = 1;
	return 0;
out_close:
	ev_audit_close(a);
	return -1;
}

/*
 * Wait up to @ms for an AUDIT_KERNEL_OTHER record that holds @needle (a
 * space is added after the record's last field, for needles that end in
 * one) and copy its text out. Return: 0, -ETIMEDOUT, or -errno of a
 * failed receive.
 */
static inline int audit_record(int fd, const char *needle, char *out,
			       size_t size, int ms)
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
		if (n < 0 && errno != EAGAIN && errno != ENOBUFS)
			return -errno;
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

/*
 * The value of key= in an audit record: quoted text unquoted, hex
 * decoded when @hex and it is not quoted. NULL if the key is not there.
 */
static inline const char *audit_value(const char *rec, const char *key,
				      int hex, char *out, size_t size)
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

/* --- the tracefs reader --------------------------------------------------- */

/*
 * clonegate:clonegate_decision enabled, with tracing on, for a test;
 * ev_trace_close() puts both back.
 */
struct ev_trace {
	char dir[64];		/* tracefs, or "" */
	char enable[128];	/* the tracepoint's enable file */
	int was_on;		/* tracing_on before */
	char why[256];		/* why there is no trace */
};

static inline int trace_write(const char *dir, const char *file,
			      const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return cg_write(path, val);
}

static inline int trace_clear(const char *dir)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/trace", dir);
	fd = open(path, O_WRONLY | O_TRUNC);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

static inline void ev_trace_close(struct ev_trace *t)
{
	if (!t->dir[0])
		return;
	cg_write(t->enable, "0");
	if (!t->was_on)
		trace_write(t->dir, "tracing_on", "0");
	trace_clear(t->dir);
	t->dir[0] = '\0';
}

/*
 * Find tracefs and enable the tracepoint. 0; 1 with t->why when there is
 * no tracefs; -errno with t->why when tracefs is there and the tracepoint
 * cannot be enabled (the module's tracepoint is missing).
 */
static inline int ev_trace_open(struct ev_trace *t)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	char path[128], on[16];
	size_t i;
	int err;

	t->dir[0] = '\0';
	for (i = 0; i < 2 && !t->dir[0]; i++) {
		snprintf(path, sizeof(path), "%s/trace", dirs[i]);
		if (!access(path, W_OK))
			snprintf(t->dir, sizeof(t->dir), "%s", dirs[i]);
	}
	if (!t->dir[0]) {
		snprintf(t->why, sizeof(t->why),
			 "no tracefs at %s or %s", dirs[0], dirs[1]);
		return 1;
	}
	snprintf(t->enable, sizeof(t->enable),
		 "%s/events/clonegate/clonegate_decision/enable", t->dir);
	snprintf(path, sizeof(path), "%s/tracing_on", t->dir);
	t->was_on = cg_read(path, on, sizeof(on)) > 0 && on[0] == '1';
	err = cg_write(path, "1");
	if (!err)
		err = cg_write(t->enable, "1");
	if (!err)
		err = trace_clear(t->dir);
	if (err) {
		snprintf(t->why, sizeof(t->why), "%s: %s", t->enable,
			 strerror(-err));
		ev_trace_close(t);
		return err;
	}
	return 0;
}

/* The whole trace buffer, as text; free() it. NULL if unreadable. */
static inline char *trace_read(const char *dir)
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
	if (n < 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The clonegate_decision line with @needle, copied to @out: 1 found, 0
 * not there, -1 the buffer could not be read.
 */
static inline int trace_line(const char *dir, const char *needle, char *out,
			     size_t size)
{
	char *text = trace_read(dir);
	const char *p;
	int found = 0;

	if (!text)
		return -1;
	for (p = text; !found && (p = strstr(p, needle)); p++) {
		line_around(text, p, out, size);
		found = strstr(out, "clonegate_decision: seq=") != NULL;
	}
	free(text);
	return found;
}

/* The value of key= in a clonegate_decision line, or NULL. */
static inline const char *trace_value(const char *line, const char *key,
				      char *out, size_t size)
{
	char want[64];
	const char *p = strstr(line, "clonegate_decision:");
	size_t len;

	snprintf(want, sizeof(want), " %s=", key);
	p = p ? strstr(p, want) : NULL;
	if (!p)
		return NULL;
	p += strlen(want);
	len = strcspn(p, " ");
	snprintf(out, size, "%.*s", (int)len, p);
	return out;
}

/* --- the fixture ---------------------------------------------------------- */

/* What a fixture needs besides the device; missing, the test SKIPs. */
#define EV_AUDIT	(1U << 0)
#define EV_TRACE	(1U << 1)

/*
 * Every event test: gvisor + enforce, the other settings at their
 * defaults, the device open and drained, and no rate limit (the records
 * of the tests would run into it; the rate limit has tests of its own,
 * and EV2_SUPPRESSED sets one). Teardown puts everything back.
 */
struct ev_fixture {
	int fd;			/* /dev/clonegate, or -1 */
	char ratelimit[64];	/* events/ratelimit before, or "" */
	struct ev_audit audit;
	struct ev_trace trace;
};

static inline void ev_fixture_teardown(struct ev_fixture *f)
{
	ev_trace_close(&f->trace);
	ev_audit_close(&f->audit);
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	restore_defaults();
	if (f->ratelimit[0])
		ev_set("ratelimit", f->ratelimit);
}

/*
 * A missing prerequisite SKIPs at once (_exit: nothing to tear down),
 * after undoing what was done; a failed step fails the test, torn down.
 */
static inline void ev_fixture_setup(struct __test_metadata *_metadata,
				    struct ev_fixture *f, unsigned int need)
{
	int err;

	f->fd = -1;
	f->audit.fd = -1;
	f->ratelimit[0] = '\0';
	if (!cg_loaded())
		SKIP(_exit(255), "clonegate is not loaded");
	if (access(DEV, F_OK))
		SKIP(_exit(255), "no " DEV);
	if ((need & EV_AUDIT) && ev_audit_open(&f->audit))
		SKIP(_exit(255), "audit: %s", f->audit.why);
	if (need & EV_TRACE) {
		err = ev_trace_open(&f->trace);
		if (err) {
			ev_audit_close(&f->audit);
			/* no tracefs: a skip, but not in a test lane */
			if (err > 0 && !cg_in_lane())
				SKIP(_exit(255), "trace: %s", f->trace.why);
			/* tracefs without clonegate's tracepoint: a failure */
			ASSERT_EQ(0, err) TH_LOG("%s", f->trace.why);
		}
	}
	ignore_tag_signals();
	if (cg_read(EVDIR "ratelimit", f->ratelimit, sizeof(f->ratelimit)) < 0)
		f->ratelimit[0] = '\0';
	if (f->ratelimit[0])
		ev_set("ratelimit", "0");
	restore_defaults();
	err = cg_policy("gvisor", "enforce");
	if (err) {
		ev_fixture_teardown(f);
		ASSERT_EQ(0, err) TH_LOG("gvisor + enforce: %s", strerror(-err));
	}
	f->fd = dev_open();
	if (f->fd < 0) {
		err = errno;
		ev_fixture_teardown(f);
		ASSERT_LE(0, f->fd) TH_LOG("open " DEV ": %s", strerror(err));
	}
	ev_drain(f->fd);
}

/* --- the fields every record has (version 2) ------------------------------ */

/*
 * Calls whose records carry the fields version 2 added, with the values
 * each channel must show: each test runs one of them per variant.
 */
enum ev2_case {
	EV2_HOST,		/* a denied clone3 outside any scope: "host" */
	EV2_SETNS_NSFD,		/* setns() of our cgroup namespace's file */
	EV2_SETNS_PIDFD,	/* setns() of a pidfd, one type */
	EV2_SETNS_PIDFD_TWO,	/* setns() of a pidfd, two types */
	EV2_SUPPRESSED,		/* a denied call after some were held back */
	EV2_SCOPE,		/* a denied call a scope decided */
};

/* The scope EV2_SCOPE makes, and its cgroup under CGROOT */
#define EV2_SCOPE_NAME "events"
#define EV2_SCOPE_CGROUP "/cg-events"

/* What the record of an ev2_case must say, its truth in the test. */
struct ev_want {
	int op;
	const char *op_name;
	int rule;
	const char *rule_name;
	int err;
	uint64_t flags;
	int exit_signal;	/* the tag, or 0 for setns */
	pid_t tgid;		/* the caller, or 0 when another process */
	char scope[CLONEGATE_SCOPE_LEN];
	uint32_t suppressed;
	int setns;		/* op setns: the three fields below apply */
	uint32_t ns_type;
	uint64_t ns_inum;
	int form;
	const char *form_name;	/* what the tracepoint prints for form */
};

/* Why @c cannot run here, or NULL. */
static inline const char *ev2_missing(enum ev2_case c)
{
	int fd;

	if (!cg_loaded())
		return "clonegate is not loaded";
	switch (c) {
	case EV2_SETNS_NSFD:
		if (access(CG "setns_types", F_OK))
			return "clonegate does not decide setns here";
		if (!cg_ns_ino("cgroup"))
			return "no cgroup namespace (/proc/self/ns/cgroup)";
		break;
	case EV2_SETNS_PIDFD:
	case EV2_SETNS_PIDFD_TWO:
		if (access(CG "setns_types", F_OK))
			return "clonegate does not decide setns here";
		fd = syscall(__NR_pidfd_open, getpid(), 0);
		if (fd < 0)
			return "no pidfd_open()";
		close(fd);
		break;
	case EV2_SUPPRESSED:
		if (access(EVDIR "ratelimit", W_OK))
			return "no " EVDIR "ratelimit";
		break;
	case EV2_SCOPE:
		if (!have_cgroup2())
			return "no cgroup v2 hierarchy at " CGROOT;
		if (access(CG "scopes/add", W_OK))
			return "no " CG "scopes/add";
		break;
	default:
		break;
	}
	return NULL;
}

/* Remove EV2_SCOPE's scope and cgroup, if there. */
static inline void ev2_cleanup(void)
{
	if (!access(CG "scopes/" EV2_SCOPE_NAME, F_OK))
		cg_write(CG "scopes/remove", EV2_SCOPE_NAME);
	if (!access(CGROOT EV2_SCOPE_CGROUP, F_OK))
		rmdir_retry(CGROOT EV2_SCOPE_CGROUP);
}

/* setns() that clonegate must refuse with EINVAL; 0 if it did. */
static inline int ev2_setns_refused(int fd, int nstype)
{
	int ret = setns(fd, nstype), err = errno;

	close(fd);
	return ret == -1 && err == EINVAL ? 0 : -1;
}

/*
 * The tagged calls of EV2_SUPPRESSED: with a rate limit of one record a
 * second, the first goes out, the next ones are held back, and the last,
 * a second later, goes out naming them. Which of them went out is read
 * from the device: *held is how many were held back right before the
 * last. Return: the last one's tag, or -1.
 */
#define EV2_HELD 3

static inline int ev2_suppressed_calls(int fd, struct evs *all,
				       uint32_t *held)
{
	int tag, n;

	if (ev_set("ratelimit", "1 1"))
		return -1;
	/* the bucket full again: one record */
	usleep(1100000);
	for (tag = TAG(2); tag <= TAG(2 + EV2_HELD); tag++)
		if (deny_tagged(tag) != -EINVAL)
			return -1;
	usleep(1100000);
	if (deny_tagged(tag) != -EINVAL || ev_set("ratelimit", "0"))
		return -1;
	if (ev_read_all(fd, all))
		return -1;
	*held = 0;
	for (n = TAG(2); n < tag; n++)
		*held = evs_count_tag(all, n, NULL) ? 0 : *held + 1;
	return tag;
}

/*
 * Make the call(s) of @c and fill @w with what its record must say; its
 * device record in @rec (the audit record and the trace line are found
 * by its seq).
 */
static inline void ev2_run(struct __test_metadata *_metadata, int fd,
			   enum ev2_case c, struct ev_want *w,
			   struct clonegate_event *rec)
{
	const struct clonegate_event *e = NULL;
	struct cgroup_call cc = { .tag = TAG(1) };
	struct evs all = {};
	int i, n = 0, pidfd, nsfd;
	long long held0;

	memset(w, 0, sizeof(*w));
	w->op = CLONEGATE_EV_OP_CLONE3;
	w->op_name = "clone3";
	w->rule = EV_RULE_UNSUPPORTED_FLAG;
	w->rule_name = "unsupported_flag";
	w->err = EINVAL;
	w->flags = CLONE_NEWCGROUP;
	w->exit_signal = TAG(1);
	w->tgid = getpid();
	snprintf(w->scope, sizeof(w->scope), "host");
	w->form_name = "nsfd";

	switch (c) {
	case EV2_HOST:
		ASSERT_EQ(-EINVAL, deny_tagged(w->exit_signal));
		break;
	case EV2_SETNS_NSFD:
		w->op = CLONEGATE_EV_OP_SETNS;
		w->op_name = "setns";
		w->exit_signal = 0;
		w->setns = 1;
		w->ns_type = CLONE_NEWCGROUP;
		w->ns_inum = cg_ns_ino("cgroup");
		w->form = CLONEGATE_SETNS_NSFD;
		ASSERT_NE(0, w->ns_inum);
		nsfd = open("/proc/self/ns/cgroup", O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, nsfd) TH_LOG("/proc/self/ns/cgroup: %m");
		ASSERT_EQ(0, ev2_setns_refused(nsfd, 0));
		break;
	case EV2_SETNS_PIDFD:
	case EV2_SETNS_PIDFD_TWO:
		w->op = CLONEGATE_EV_OP_SETNS;
		w->op_name = "setns";
		w->rule = EV_RULE_SETNS_PIDFD;
		w->rule_name = "setns_pidfd";
		w->exit_signal = 0;
		w->setns = 1;
		w->flags = CLONE_NEWNET;
		if (c == EV2_SETNS_PIDFD_TWO)
			w->flags |= CLONE_NEWUTS;
		/* refused whole: one type is named, two are not */
		w->ns_type = c == EV2_SETNS_PIDFD ? CLONE_NEWNET : 0;
		w->form = CLONEGATE_SETNS_PIDFD;
		w->form_name = "pidfd";
		pidfd = syscall(__NR_pidfd_open, getpid(), 0);
		ASSERT_LE(0, pidfd) TH_LOG("pidfd_open: %m");
		ASSERT_EQ(0, ev2_setns_refused(pidfd, w->flags));
		break;
	case EV2_SUPPRESSED:
		held0 = ev_counter("suppressed");
		ASSERT_LE(0, held0);
		w->exit_signal = ev2_suppressed_calls(fd, &all, &w->suppressed);
		ASSERT_LT(0, w->exit_signal);
		/* the calls are quick: a second without a record is rare */
		ASSERT_LT(0, w->suppressed)
			TH_LOG("no call held back: the calls took a second");
		EXPECT_EQ(held0 + w->suppressed, ev_counter("suppressed"));
		break;
	case EV2_SCOPE:
		ev2_cleanup();
		ASSERT_EQ(0, mkdir(CGROOT EV2_SCOPE_CGROUP, 0755))
			TH_LOG("mkdir " CGROOT EV2_SCOPE_CGROUP ": %m");
		ASSERT_EQ(0, cg_write(CG "scopes/add", EV2_SCOPE_NAME));
		ASSERT_EQ(0, cg_write(CG "scopes/" EV2_SCOPE_NAME "/cgroup",
				      EV2_SCOPE_CGROUP));
		ASSERT_EQ(0, cg_write(CG "scopes/" EV2_SCOPE_NAME "/profile",
				      "gvisor"));
		ASSERT_EQ(0, cg_write(CG "scopes/" EV2_SCOPE_NAME "/mode",
				      "enforce"));
		/* the host lets it through: only the scope can deny it */
		ASSERT_EQ(0, cg_write(CG "mode", "audit"));
		cc.dir = EV2_SCOPE_CGROUP;
		EXPECT_EQ(0, cg_in_child(call_in_cgroup, &cc));
		ASSERT_EQ(0, cg_write(CG "mode", "enforce"));
		ev2_cleanup();
		w->tgid = 0;
		snprintf(w->scope, sizeof(w->scope), EV2_SCOPE_NAME);
		break;
	}

	if (c != EV2_SUPPRESSED)
		ASSERT_EQ(0, ev_read_all(fd, &all));
	EXPECT_EQ(0, all.bad);
	if (w->setns) {
		for (i = 0; i < all.n; i++)
			if (all.e[i].op == CLONEGATE_EV_OP_SETNS &&
			    all.e[i].thread_group_id == w->tgid && !n++)
				e = &all.e[i];
	} else {
		n = evs_count_tag(&all, w->exit_signal, &e);
	}
	ASSERT_EQ(1, n) TH_LOG("%d records of the call", n);
	*rec = *e;
	evs_free(&all);
}

#endif /* CLONEGATE_SELFTEST_EVENTS_LIB_H */
