// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate beside the other users of the functions it hooks.
 *
 * Fleets run tracing agents that attach BPF fentry and fexit programs,
 * kprobes and kretprobes to kernel_clone() and ksys_unshare(), and apply
 * livepatches. Each of those is attached before clonegate is loaded and
 * after, with clonegate in enforce mode with the gvisor profile, once with
 * its default hook backend and once with hook_backend=kprobe. Then a call
 * the policy refuses, CLONE_NEWCGROUP through unshare, clone3 and clone,
 * must still be refused as it is when clonegate is alone:
 *
 *   - it fails with EINVAL, and clone never returns 0 in the parent;
 *   - nothing is created: the cgroup namespace is the caller's, and the
 *     caller has no child;
 *   - it counts once in <op>_denied and rules/unsupported_flag, and is one
 *     denied record on /dev/clonegate;
 *   - the kernel log shows no warning, oops or BUG.
 *
 * And clonegate's ip change stays declared to ftrace: one more user that
 * changes ksys_unshare()'s ip, a livepatch, is refused with EBUSY.
 *
 * Not every kernel lets two users redirect one function (Linux 5.10's BPF
 * trampolines claim it as clonegate does; two livepatch-like users never
 * share one). Three outcomes pass, and each case prints which it saw:
 *
 *   coexist            both are in place and the policy holds;
 *   clonegate refused  the other was first: loading clonegate fails with
 *                      EBUSY and a kernel log line of clonegate's naming
 *                      the function (and it loads and denies once the other
 *                      is gone);
 *   other refused      clonegate was first: the other's attach fails with
 *                      EBUSY, and the policy holds.
 *
 * A livepatch of ksys_unshare() cannot share it with clonegate: only a
 * refusal passes. A livepatch of a function next to them (set_tid_address)
 * shares nothing with clonegate: only coexistence passes.
 *
 * Helpers, in the folder named by CLONEGATE_COEXIST_DIR, or else "coexist"
 * next to this program: cg-bpf (selftests/coexist/cg-bpf.c) and the
 * livepatch modules built against the running kernel by
 * vm/build-coexist.sh. Needs CLONEGATE_KO. Leaves clonegate loaded with its
 * defaults, as the lane loaded it.
 */
#include "common.h"
#include "../include/uapi/linux/clonegate.h"

#include <limits.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/utsname.h>

#include "harness.h"

#define TRACEFS "/sys/kernel/tracing/"
#define LIVEPATCH_SYSFS "/sys/kernel/livepatch/"
#define PARAMS "mode=enforce profile=gvisor"

/* --- small helpers ---------------------------------------------------------- */

static const char *helper_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("CLONEGATE_COEXIST_DIR");
	char *slash;
	ssize_t n;

	if (env)
		return env;
	if (dir[0])
		return dir;
	n = readlink("/proc/self/exe", dir, sizeof(dir) - sizeof("/coexist"));
	if (n <= 0)
		return ".";
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	strcpy(slash ? slash : dir, "/coexist");
	return dir;
}

static const char *helper(const char *name)
{
	static char path[PATH_MAX + 64];

	snprintf(path, sizeof(path), "%s/%s", helper_dir(), name);
	return path;
}

static int module_load(const char *path, const char *params)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	if (fd < 0)
		return -errno;
	ret = syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* Unload @name, waiting up to @seconds while it is still in use. */
static int module_unload(const char *name, int seconds)
{
	int i;

	for (i = 0; i < 10 * seconds; i++) {
		if (!syscall(__NR_delete_module, name, O_NONBLOCK))
			return 0;
		if (errno != EBUSY && errno != EAGAIN)
			return -errno;
		usleep(100000);
	}
	return -EBUSY;
}

static int clonegate_load(const char *backend)
{
	char params[128];

	snprintf(params, sizeof(params), PARAMS "%s%s",
		 backend ? " hook_backend=" : "", backend ? backend : "");
	return module_load(getenv("CLONEGATE_KO"), params);
}

/* Does clonegate.ko take this parameter? Its .modinfo says so. */
static int clonegate_has_param(const char *param)
{
	char want[64], *buf;
	int fd = open(getenv("CLONEGATE_KO"), O_RDONLY | O_CLOEXEC);
	struct stat st;
	int found = 0;

	if (fd < 0 || fstat(fd, &st))
		return 0;
	snprintf(want, sizeof(want), "parmtype=%s:", param);
	buf = mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (buf != MAP_FAILED) {
		found = memmem(buf, st.st_size, want, strlen(want)) != NULL;
		munmap(buf, st.st_size);
	}
	close(fd);
	return found;
}

/* Write all of @val, as echo does: tracefs files take a word a write. */
static int write_file(const char *path, const char *val, int flags)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | flags);
	size_t len = strlen(val), done = 0;
	int err = 0;

	if (fd < 0)
		return -errno;
	while (done < len) {
		ssize_t n = write(fd, val + done, len - done);

		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		done += n;
	}
	close(fd);
	return err;
}

static void read_trimmed(const char *path, char *buf, size_t size)
{
	int n = cg_read(path, buf, size);

	if (n > 0 && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	if (n < 0)
		snprintf(buf, size, "(none)");
}

/* A child that makes the allowed calls of both hooked functions. */
static void allowed_calls(void)
{
	pid_t pid;

	syscall(__NR_unshare, 0UL);
	pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, NULL, 0);
}

/* --- the kernel log ------------------------------------------------------- */

struct kmsg {
	int fd;
	char text[16384];	/* messages since kmsg_start(), one a line */
	size_t len;
	size_t mark;		/* where the messages of kmsg_mark() start */
};

static void kmsg_start(struct kmsg *k)
{
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd >= 0)
		lseek(k->fd, 0, SEEK_END);
	k->len = 0;
	k->mark = 0;
	k->text[0] = '\0';
}


/* Append what was logged since the last call; return all of it. */
static const char *kmsg_read(struct kmsg *k)
{
	char rec[2048];
	ssize_t n;

	while (k->fd >= 0 && (n = read(k->fd, rec, sizeof(rec) - 1)) != 0) {
		char *msg, *end;

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten: read on */
				continue;
			break;
		}
		rec[n] = '\0';
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		end = strchr(msg, '\n');
		if (end)
			end[1] = '\0';
		if (k->len + strlen(msg) < sizeof(k->text)) {
			strcpy(k->text + k->len, msg);
			k->len += strlen(msg);
		}
	}
	return k->text;
}

/* From here on: the messages kmsg_clonegate_reason() looks at. */
static void kmsg_mark(struct kmsg *k)
{
	kmsg_read(k);
	k->mark = k->len;
}

static void kmsg_stop(struct kmsg *k)
{
	if (k->fd >= 0)
		close(k->fd);
	k->fd = -1;
}

/* The first line that looks like a kernel problem, or NULL. */
static const char *kmsg_splat(struct kmsg *k)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "Oops", "Call Trace", "general protection",
		"stack-protector", "double fault",
	};
	static char line[256];
	const char *text = kmsg_read(k), *p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = strstr(text, bad[i]);
		if (p) {
			while (p > text && p[-1] != '\n')
				p--;
			snprintf(line, sizeof(line), "%.*s",
				 (int)strcspn(p, "\n"), p);
			return line;
		}
	}
	return NULL;
}

/* A line of clonegate's since kmsg_mark() naming a hooked function, or NULL. */
static const char *kmsg_clonegate_reason(struct kmsg *k)
{
	static char line[256];
	const char *text = kmsg_read(k) + k->mark, *p;

	for (p = text; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != 0)) {
		size_t len = strcspn(p, "\n");

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (strstr(line, "clonegate") &&
		    (strstr(line, "kernel_clone") || strstr(line, "ksys_unshare")))
			return line;
	}
	return NULL;
}

/* --- the other users ------------------------------------------------------- */

struct held {
	/* cg-bpf */
	pid_t bpf_pid;
	int bpf_in;
	FILE *bpf_out;
	/* tracefs */
	const char *tracefs_kind;	/* "p" or "r", or NULL */
	int tracer_on;
	/* a livepatch module, by name */
	const char *livepatch;
	/* why an attach failed, as the other said it */
	char why[320];
};

struct other {
	const char *name;
	/* why it cannot be tried on this kernel, or NULL */
	const char *(*missing)(void);
	/* 0, or the -errno of the refusal (h->why says more) */
	int (*attach)(struct held *h);
	/* 1 if it shows it acts on an allowed call of what it covers */
	int (*live)(struct held *h);
	void (*detach)(struct held *h);
	/* which outcomes pass */
	int may_coexist, may_refuse;
};

static const char *bpf_missing(void)
{
	if (access("/sys/kernel/btf/vmlinux", R_OK))
		return "the kernel has no BTF (/sys/kernel/btf/vmlinux)";
	if (access(helper("cg-bpf"), X_OK))
		return "cg-bpf was not built (libbpf-dev, libelf-dev, zlib1g-dev, libzstd-dev)";
	return NULL;
}

static void bpf_detach(struct held *h)
{
	if (!h->bpf_pid)
		return;
	close(h->bpf_in);	/* end of input: cg-bpf detaches and exits */
	fclose(h->bpf_out);
	waitpid(h->bpf_pid, NULL, 0);
	h->bpf_pid = 0;
}

/* Start cg-bpf and wait until it has attached or failed. */
static int bpf_attach(struct held *h, const char *kind)
{
	char line[256];
	int in[2], out[2];
	int step_errno = -EPROTO;

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC))
		return -errno;
	h->bpf_pid = fork();
	if (h->bpf_pid < 0)
		return -errno;
	if (h->bpf_pid == 0) {
		/* gone with the test, even if the test is killed */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(helper("cg-bpf"), "cg-bpf", "attach", kind,
		      "kernel_clone", "ksys_unshare", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	h->bpf_in = in[1];
	h->bpf_out = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), h->bpf_out)) {
		char step[16];
		int err;

		line[strcspn(line, "\n")] = '\0';
		if (!strcmp(line, "attached"))
			return 0;
		if (sscanf(line, "error %15s %*s %*s %d", step, &err) == 2) {
			snprintf(h->why, sizeof(h->why), "cg-bpf: %s", line);
			/* only a refused attach is a refusal; the rest is setup */
			step_errno = strcmp(step, "attach") ? -EPROTO : -err;
			break;
		}
	}
	if (step_errno == -EPROTO && !h->why[0])
		snprintf(h->why, sizeof(h->why), "cg-bpf ended without a word");
	bpf_detach(h);
	return step_errno;
}

static int bpf_fentry_attach(struct held *h)
{
	return bpf_attach(h, "fentry");
}

static int bpf_fexit_attach(struct held *h)
{
	return bpf_attach(h, "fexit");
}

/* Runs of the programs on kernel_clone and ksys_unshare, summed per
 * function into hits[0] and hits[1]. */
static int bpf_counts(struct held *h, unsigned long long hits[2])
{
	char line[256], func[64];
	unsigned long long n;

	if (write(h->bpf_in, "count\n", 6) != 6)
		return -1;
	hits[0] = hits[1] = 0;
	while (fgets(line, sizeof(line), h->bpf_out)) {
		if (!strcmp(line, "end\n"))
			return 0;
		if (sscanf(line, "count %63s %llu", func, &n) == 2)
			hits[!strcmp(func, "ksys_unshare")] = n;
	}
	return -1;
}

static int bpf_live(struct held *h)
{
	unsigned long long before[2], after[2];

	if (bpf_counts(h, before))
		return 0;
	allowed_calls();
	if (bpf_counts(h, after))
		return 0;
	return after[0] > before[0] && after[1] > before[1];
}

static const char *kprobe_missing(void)
{
	if (access(TRACEFS "kprobe_events", W_OK))
		return "tracefs has no kprobe_events";
	return NULL;
}

static const char *const probe_funcs[] = { "kernel_clone", "ksys_unshare" };

static void tracefs_probes_detach(struct held *h)
{
	char def[128];
	size_t i;

	if (!h->tracefs_kind)
		return;
	write_file(TRACEFS "events/cgcoexist/enable", "0", 0);
	for (i = 0; i < 2; i++) {
		snprintf(def, sizeof(def), "-:cgcoexist/coexist_%s",
			 probe_funcs[i]);
		write_file(TRACEFS "kprobe_events", def, O_APPEND);
	}
	h->tracefs_kind = NULL;
}

static int tracefs_probes_attach(struct held *h, const char *kind)
{
	char def[128];
	size_t i;
	int err;

	h->tracefs_kind = kind;
	for (i = 0; i < 2; i++) {
		snprintf(def, sizeof(def), "%s:cgcoexist/coexist_%s %s", kind,
			 probe_funcs[i], probe_funcs[i]);
		err = write_file(TRACEFS "kprobe_events", def, O_APPEND);
		if (err) {
			snprintf(h->why, sizeof(h->why), "kprobe_events: %s: %s",
				 def, strerror(-err));
			goto err_detach;
		}
	}
	/* defining a probe registers it disabled; enabling arms it */
	err = write_file(TRACEFS "events/cgcoexist/enable", "1", 0);
	if (err) {
		snprintf(h->why, sizeof(h->why), "enabling the probes: %s",
			 strerror(-err));
		goto err_detach;
	}
	return 0;

err_detach:
	tracefs_probes_detach(h);
	return err;
}

static int kprobe_attach(struct held *h)
{
	return tracefs_probes_attach(h, "p");
}

static int kretprobe_attach(struct held *h)
{
	return tracefs_probes_attach(h, "r");
}

/* Hits of the tracefs probe on @func, from kprobe_profile (event names
 * without their group). */
static long long probe_hits(const char *func)
{
	static char buf[8192];
	char name[96], *p;

	if (cg_read(TRACEFS "kprobe_profile", buf, sizeof(buf)) <= 0)
		return -1;
	snprintf(name, sizeof(name), " coexist_%s ", func);
	p = strstr(buf, name);
	return p ? strtoll(p + strlen(name), NULL, 10) : -1;
}

static int tracefs_probes_live(struct held *h)
{
	long long before[2], after[2];
	int i;

	for (i = 0; i < 2; i++)
		before[i] = probe_hits(probe_funcs[i]);
	allowed_calls();
	for (i = 0; i < 2; i++) {
		after[i] = probe_hits(probe_funcs[i]);
		if (before[i] < 0 || after[i] <= before[i])
			return 0;
	}
	return 1;
}

static const char *tracer_missing(void)
{
	char buf[1024];

	if (cg_read(TRACEFS "available_tracers", buf, sizeof(buf)) <= 0 ||
	    !strstr(buf, "function"))
		return "tracefs has no function tracer";
	return NULL;
}

static void tracer_detach(struct held *h)
{
	if (!h->tracer_on)
		return;
	write_file(TRACEFS "current_tracer", "nop", 0);
	write_file(TRACEFS "set_ftrace_filter", "", O_TRUNC);
	h->tracer_on = 0;
}

static int tracer_attach(struct held *h)
{
	int err;

	h->tracer_on = 1;
	err = write_file(TRACEFS "set_ftrace_filter",
			 "kernel_clone ksys_unshare", O_TRUNC);
	if (!err)
		err = write_file(TRACEFS "current_tracer", "function", 0);
	if (err) {
		snprintf(h->why, sizeof(h->why), "function tracer: %s",
			 strerror(-err));
		tracer_detach(h);
	}
	return err;
}

static int tracer_live(struct held *h)
{
	static char buf[65536];

	write_file(TRACEFS "trace", "", O_TRUNC);
	allowed_calls();
	if (cg_read(TRACEFS "trace", buf, sizeof(buf)) <= 0)
		return 0;
	return strstr(buf, "kernel_clone") && strstr(buf, "ksys_unshare");
}

static const char *livepatch_missing(const char *name)
{
	static char why[128];
	char ko[64];

	if (access(LIVEPATCH_SYSFS, F_OK))
		return "the kernel has no livepatch support";
	snprintf(ko, sizeof(ko), "%s.ko", name);
	if (access(helper(ko), R_OK)) {
		snprintf(why, sizeof(why),
			 "%s was not built for this kernel (vm/build-coexist.sh)",
			 ko);
		return why;
	}
	return NULL;
}

static const char *lp_unshare_missing(void)
{
	return livepatch_missing("cg_livepatch_unshare");
}

static const char *lp_neighbour_missing(void)
{
	return livepatch_missing("cg_livepatch_neighbour");
}

/* Wait until @name is in place (want 1) or gone (want 0). */
static int livepatch_settle(const char *name, int want, int seconds)
{
	char path[128], buf[8];
	int i;

	for (i = 0; i < 10 * seconds; i++) {
		snprintf(path, sizeof(path), LIVEPATCH_SYSFS "%s", name);
		if (!want && access(path, F_OK))
			return 0;
		snprintf(path, sizeof(path), LIVEPATCH_SYSFS "%s/transition",
			 name);
		if (want && cg_read(path, buf, sizeof(buf)) > 0 && buf[0] == '0')
			return 0;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

static void livepatch_detach(struct held *h)
{
	char path[128];

	if (!h->livepatch)
		return;
	snprintf(path, sizeof(path), LIVEPATCH_SYSFS "%s/enabled", h->livepatch);
	write_file(path, "0", 0);
	livepatch_settle(h->livepatch, 0, 60);
	module_unload(h->livepatch, 30);
	h->livepatch = NULL;
}

static int livepatch_attach(struct held *h, const char *name)
{
	char ko[64];
	int err;

	snprintf(ko, sizeof(ko), "%s.ko", name);
	err = module_load(helper(ko), "");
	if (err) {
		snprintf(h->why, sizeof(h->why), "insmod %s: %s", ko,
			 strerror(-err));
		return err;
	}
	h->livepatch = name;
	if (livepatch_settle(name, 1, 60)) {
		snprintf(h->why, sizeof(h->why),
			 "%s: the transition did not end in 60 s", name);
		livepatch_detach(h);
		return -ETIMEDOUT;
	}
	return 0;
}

static int lp_unshare_attach(struct held *h)
{
	return livepatch_attach(h, "cg_livepatch_unshare");
}

static int lp_neighbour_attach(struct held *h)
{
	return livepatch_attach(h, "cg_livepatch_neighbour");
}

/* The replacement answers unshare(2) with ENOSYS. */
static int lp_unshare_live(struct held *h)
{
	return syscall(__NR_unshare, 0UL) == -1 && errno == ENOSYS;
}

static int lp_neighbour_live(struct held *h)
{
	const char *calls = "/sys/module/cg_livepatch_neighbour/parameters/calls";
	char buf[32];
	long long before, after;
	pid_t pid;

	if (cg_read(calls, buf, sizeof(buf)) <= 0)
		return 0;
	before = strtoll(buf, NULL, 10);
	/* set_tid_address changes the caller's clear_child_tid: a child */
	pid = fork();
	if (pid == 0) {
		syscall(__NR_set_tid_address, NULL);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	if (cg_read(calls, buf, sizeof(buf)) <= 0)
		return 0;
	after = strtoll(buf, NULL, 10);
	return after > before;
}

#define OTHER(n, prefix, attach_fn, live_fn, detach_fn, share, refuse)	\
	{								\
		.name = n, .missing = prefix##_missing,			\
		.attach = attach_fn, .live = live_fn,			\
		.detach = detach_fn,					\
		.may_coexist = share, .may_refuse = refuse,		\
	}

static const struct other bpf_fentry =
	OTHER("BPF fentry", bpf, bpf_fentry_attach, bpf_live, bpf_detach, 1, 1);
static const struct other bpf_fexit =
	OTHER("BPF fexit", bpf, bpf_fexit_attach, bpf_live, bpf_detach, 1, 1);
static const struct other kprobe =
	OTHER("tracefs kprobe", kprobe, kprobe_attach, tracefs_probes_live,
	      tracefs_probes_detach, 1, 1);
static const struct other kretprobe =
	OTHER("tracefs kretprobe", kprobe, kretprobe_attach,
	      tracefs_probes_live, tracefs_probes_detach, 1, 1);
static const struct other function_tracer =
	OTHER("function tracer", tracer, tracer_attach, tracer_live,
	      tracer_detach, 1, 1);
/* two ip changers on one function: one of them must be refused */
static const struct other livepatch_unshare =
	OTHER("livepatch of ksys_unshare", lp_unshare, lp_unshare_attach,
	      lp_unshare_live, livepatch_detach, 0, 1);
/* no function in common: both must work */
static const struct other livepatch_neighbour =
	OTHER("livepatch of set_tid_address", lp_neighbour,
	      lp_neighbour_attach, lp_neighbour_live, livepatch_detach, 1, 0);

/* --- a refused call ---------------------------------------------------------- */

enum op { OP_UNSHARE, OP_CLONE3, OP_CLONE };
static const char *const op_names[] = { "unshare", "clone3", "clone" };
static const int op_ev[] = {
	CLONEGATE_EV_OP_UNSHARE, CLONEGATE_EV_OP_CLONE3, CLONEGATE_EV_OP_CLONE,
};

/* What one call did, seen from the process that made it. */
struct probe {
	pid_t pid;		/* the caller */
	long ret;		/* -1, 0 or a child's pid */
	int err;
	int zero_in_parent;	/* clone returned 0 to the caller itself */
	int ns_changed;		/* the caller's cgroup namespace changed */
	int children;		/* children the caller reaped */
};

/*
 * Make the call in a fresh process, so an unshare that goes through changes
 * no namespace of the test. The clone family runs through syscall(): the
 * call has no CLONE_VM, so a child gets its own copy of the stack, and a
 * 0 return is told apart from a real child by its pid.
 */
static int probe_call(enum op op, struct probe *out)
{
	struct probe *p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status = -1;
	pid_t pid;

	if (p == MAP_FAILED)
		return -1;
	memset(p, 0, sizeof(*p));
	pid = fork();
	if (pid == 0) {
		struct cg_clone_args args = {
			.flags = CLONE_NEWCGROUP,
			.exit_signal = SIGCHLD,
		};
		unsigned long ns = cg_ns_ino("cgroup");
		long ret = -1;

		p->pid = syscall(__NR_getpid);
		switch (op) {
		case OP_UNSHARE:
			ret = syscall(__NR_unshare, (unsigned long)CLONE_NEWCGROUP);
			break;
		case OP_CLONE3:
			ret = syscall(__NR_clone3, &args, sizeof(args));
			break;
		case OP_CLONE:
			ret = syscall(__NR_clone, CLONE_NEWCGROUP | SIGCHLD,
				      NULL, NULL, NULL, 0UL);
			break;
		}
		if (ret == 0 && op != OP_UNSHARE &&
		    syscall(__NR_getpid) != p->pid)
			_exit(0);	/* a child that must not exist */
		p->err = ret < 0 ? errno : 0;
		p->ret = ret < 0 ? -1 : ret;
		p->zero_in_parent = ret == 0 && op != OP_UNSHARE;
		p->ns_changed = cg_ns_ino("cgroup") != ns;
		p->children = cg_reap_all();
		_exit(0);
	}
	if (pid > 0 && waitpid(pid, &status, 0) == pid)
		*out = *p;
	munmap(p, sizeof(*p));
	return pid > 0 && WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

static int events_open(void)
{
	return open("/dev/clonegate", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
}

/*
 * Count the denied records of @op with CLONE_NEWCGROUP made by @pid, and
 * check each: EINVAL, rule unsupported_flag. Records are read by their own
 * size, so a newer record version with fields appended reads the same.
 */
static int events_count(int fd, enum op op, pid_t pid, int *wrong)
{
	static char buf[1 << 16];
	const size_t need = offsetof(struct clonegate_event, rule_name) +
			    sizeof(((struct clonegate_event *)0)->rule_name);
	ssize_t n, off;
	int found = 0;

	*wrong = 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off + (ssize_t)need <= n;) {
			const struct clonegate_event *e = (const void *)(buf + off);

			if (e->size < need)
				break;
			off += e->size;
			if (e->op != op_ev[op] || e->flags != CLONE_NEWCGROUP ||
			    e->decision != CLONEGATE_EV_DENIED ||
			    ((e->fields & CLONEGATE_FIELD_THREAD_ID) &&
			     e->thread_id != pid))
				continue;
			found++;
			if (e->errno_value != EINVAL ||
			    strncmp(e->rule_name, "unsupported_flag",
				    sizeof(e->rule_name)))
				(*wrong)++;
		}
	}
	return found;
}

/*
 * Make the refused call of @op and check everything it must and must not
 * do. Return: 0, or how many checks failed (each logged), with @verdict
 * set to a short account of the worst.
 */
static int check_refused(struct __test_metadata *_metadata, int evfd,
			 enum op op, const char **verdict)
{
	char denied_name[32];
	long long denied, rule;
	struct probe p = {};
	int failed = 0, records, wrong;

	snprintf(denied_name, sizeof(denied_name), "%s_denied", op_names[op]);
	if (evfd >= 0)
		events_count(evfd, op, 0, &wrong);	/* drain */
	denied = cg_stat(denied_name);
	rule = cg_rule_hits("unsupported_flag");

	if (probe_call(op, &p)) {
		TH_LOG("%s: the calling process died", op_names[op]);
		*verdict = "caller died";
		return 1;
	}
	if (p.ns_changed || p.children || (p.ret > 0)) {
		TH_LOG("%s(CLONE_NEWCGROUP) went through: ret %ld, %s, %d child(ren)",
		       op_names[op], p.ret,
		       p.ns_changed ? "new cgroup namespace" : "same namespace",
		       p.children);
		*verdict = "BYPASS: the refused call went through";
		failed++;
	}
	if (p.zero_in_parent) {
		TH_LOG("%s(CLONE_NEWCGROUP) returned 0 in the parent",
		       op_names[op]);
		*verdict = "BROKEN: clone returned 0 in the parent";
		failed++;
	} else if (p.ret != -1 || p.err != EINVAL) {
		TH_LOG("%s(CLONE_NEWCGROUP): ret %ld errno %d (%s), want EINVAL",
		       op_names[op], p.ret, p.err, strerror(p.err));
		if (!failed)
			*verdict = "WRONG ERRNO";
		failed++;
	}
	if (cg_stat(denied_name) != denied + 1 ||
	    cg_rule_hits("unsupported_flag") != rule + 1) {
		TH_LOG("%s: %s +%lld, rules/unsupported_flag +%lld, want +1 each",
		       op_names[op], denied_name, cg_stat(denied_name) - denied,
		       cg_rule_hits("unsupported_flag") - rule);
		if (!failed)
			*verdict = "WRONG COUNT";
		failed++;
	}
	if (evfd >= 0) {
		records = events_count(evfd, op, p.pid, &wrong);
		if (records != 1 || wrong) {
			TH_LOG("%s: %d denied record(s) on /dev/clonegate, %d with a wrong errno or rule; want 1",
			       op_names[op], records, wrong);
			if (!failed)
				*verdict = "WRONG EVENT";
			failed++;
		}
	}
	return failed;
}

/* All three refused calls. */
static int check_policy_holds(struct __test_metadata *_metadata,
			      const char **verdict)
{
	int evfd = events_open(), failed = 0;
	enum op op;

	if (evfd < 0) {
		TH_LOG("/dev/clonegate: %s: the records cannot be checked",
		       strerror(errno));
		*verdict = "NO EVENTS";
		failed++;
	}
	for (op = OP_UNSHARE; op <= OP_CLONE; op++)
		failed += check_refused(_metadata, evfd, op, verdict);
	if (evfd >= 0)
		close(evfd);
	return failed;
}

/* --- the matrix -------------------------------------------------------------- */

FIXTURE(coexist) {
	struct held h;
	struct kmsg k;
	int clonegate_ours;	/* we unloaded the lane's clonegate */
};

FIXTURE_VARIANT(coexist) {
	const struct other *other;
	int other_first;
	const char *backend;	/* hook_backend=, or NULL for the default */
};

#define OTHER_FIRST(name, o, bname, backend_value)			\
	FIXTURE_VARIANT_ADD(coexist, name##_then_clonegate##bname) {	\
		.other = &o, .other_first = 1, .backend = backend_value,	\
	}
#define CLONEGATE_FIRST(name, o, bname, backend_value)			\
	FIXTURE_VARIANT_ADD(coexist, clonegate##bname##_then_##name) {	\
		.other = &o, .other_first = 0, .backend = backend_value,	\
	}
#define VARIANTS(name, o, bname, backend_value)				\
	OTHER_FIRST(name, o, bname, backend_value);			\
	CLONEGATE_FIRST(name, o, bname, backend_value)

VARIANTS(fentry, bpf_fentry, , NULL);
VARIANTS(fexit, bpf_fexit, , NULL);
VARIANTS(kprobe, kprobe, , NULL);
VARIANTS(kretprobe, kretprobe, , NULL);
VARIANTS(function_tracer, function_tracer, , NULL);
VARIANTS(livepatch_unshare, livepatch_unshare, , NULL);
VARIANTS(livepatch_neighbour, livepatch_neighbour, , NULL);
/*
 * The kprobe backend. A tracefs probe first, then clonegate, come last: a
 * kernel warning in their teardown would end the VM (panic_on_warn), and
 * with it every case after them.
 */
VARIANTS(fentry, bpf_fentry, _kprobe, "kprobe");
VARIANTS(fexit, bpf_fexit, _kprobe, "kprobe");
VARIANTS(function_tracer, function_tracer, _kprobe, "kprobe");
VARIANTS(livepatch_unshare, livepatch_unshare, _kprobe, "kprobe");
VARIANTS(livepatch_neighbour, livepatch_neighbour, _kprobe, "kprobe");
CLONEGATE_FIRST(kprobe, kprobe, _kprobe, "kprobe");
CLONEGATE_FIRST(kretprobe, kretprobe, _kprobe, "kprobe");
OTHER_FIRST(kprobe, kprobe, _kprobe, "kprobe");
OTHER_FIRST(kretprobe, kretprobe, _kprobe, "kprobe");

FIXTURE_SETUP(coexist)
{
	self->k.fd = -1;
}

FIXTURE_TEARDOWN(coexist)
{
	variant->other->detach(&self->h);
	if (self->clonegate_ours) {
		/* back to the lane's defaults */
		module_unload("clonegate", 30);
		module_load(getenv("CLONEGATE_KO"), "");
	}
	kmsg_stop(&self->k);
}

static void say_outcome(const FIXTURE_VARIANT(coexist) *variant,
			const char *outcome)
{
	struct utsname u;
	char backend[32];

	uname(&u);
	read_trimmed(CG "hook_backend", backend, sizeof(backend));
	if (!strcmp(backend, "(none)"))
		snprintf(backend, sizeof(backend), "%s",
			 variant->backend ? variant->backend : "default");
	printf("# coexist: %s, %s %s clonegate (backend %s): %s\n", u.release,
	       variant->other->name, variant->other_first ? "before" : "after",
	       backend, outcome);
	fflush(stdout);
}

/*
 * clonegate's ip change is declared to ftrace: one more user that changes
 * the ip of a hooked function, a livepatch of ksys_unshare(), is refused
 * with EBUSY. Undeclared, the next comer would be let in beside clonegate
 * and could take its deny away. Return: 0, or 1 if it was let in.
 */
static int check_declared(struct __test_metadata *_metadata,
			  const struct other *o)
{
	struct held lp = {};
	int err;

	if (o == &livepatch_unshare)
		return 0;	/* it was the other */
	if (lp_unshare_missing()) {
		TH_LOG("not checked that the ip change is declared: %s",
		       lp_unshare_missing());
		return 0;
	}
	err = lp_unshare_attach(&lp);
	if (!err) {
		livepatch_detach(&lp);
		TH_LOG("a livepatch of ksys_unshare was let in beside clonegate and the %s: clonegate's ip change is not declared to ftrace",
		       o->name);
		return 1;
	}
	if (err != -EBUSY) {
		TH_LOG("a livepatch of ksys_unshare beside clonegate: %s, want EBUSY",
		       lp.why);
		return 1;
	}
	return 0;
}

/*
 * With @outcome settled (and clonegate loaded), check that the policy
 * holds and that its ip change is declared, say what was seen, and check
 * that the kernel log stayed clean.
 */
static void conclude(struct __test_metadata *_metadata,
		     FIXTURE_DATA(coexist) *self,
		     const FIXTURE_VARIANT(coexist) *variant,
		     const char *outcome)
{
	const char *verdict = "policy holds", *splat;
	char line[160];
	int failed;

	failed = check_policy_holds(_metadata, &verdict);
	if (check_declared(_metadata, variant->other)) {
		if (!failed)
			verdict = "UNDECLARED: a livepatch of ksys_unshare was let in";
		failed++;
	}
	snprintf(line, sizeof(line), "%s, %s", outcome, verdict);
	say_outcome(variant, line);
	EXPECT_EQ(0, failed);
	splat = kmsg_splat(&self->k);
	EXPECT_TRUE(splat == NULL) TH_LOG("kernel log: %s", splat);
}

TEST_F(coexist, refused_calls_stay_refused)
{
	const struct other *o = variant->other;
	const char *why, *line;
	char outcome[96];
	int err;

	if (!getenv("CLONEGATE_KO") || access(getenv("CLONEGATE_KO"), R_OK))
		SKIP(return, "CLONEGATE_KO does not name a readable module");
	if (!cg_loaded())
		SKIP(return, "clonegate is not loaded");
	why = o->missing();
	if (why)
		SKIP(return, "%s", why);
	if (variant->backend && !clonegate_has_param("hook_backend"))
		SKIP(return, "clonegate.ko has no hook_backend parameter");

	kmsg_start(&self->k);
	ASSERT_EQ(0, module_unload("clonegate", 30));
	self->clonegate_ours = 1;

	if (variant->other_first) {
		err = o->attach(&self->h);
		/* busy right after clonegate's unload: it left a hook behind */
		ASSERT_NE(-EBUSY, err)
			TH_LOG("%s is refused as busy with clonegate unloaded: %s",
			       o->name, self->h.why);
		if (err)
			SKIP(return, "%s cannot attach even without clonegate: %s",
			     o->name, self->h.why);
		ASSERT_TRUE(o->live(&self->h))
			TH_LOG("%s is attached but does not act", o->name);
		kmsg_mark(&self->k);
		err = clonegate_load(variant->backend);
		if (err) {
			line = kmsg_clonegate_reason(&self->k);
			TH_LOG("insmod clonegate: %s; log: %s", strerror(-err),
			       line ? line : "(no line of clonegate's names the function)");
			EXPECT_TRUE(o->may_refuse)
				TH_LOG("clonegate must load beside a %s", o->name);
			EXPECT_EQ(-EBUSY, err);
			EXPECT_TRUE(line != NULL);
			EXPECT_FALSE(cg_loaded());
			/* the refusal was the other's doing: gone, it loads */
			o->detach(&self->h);
			ASSERT_EQ(0, clonegate_load(variant->backend));
			snprintf(outcome, sizeof(outcome),
				 "clonegate refused (%s), then alone",
				 strerror(-err));
			conclude(_metadata, self, variant, outcome);
			return;
		}
	} else {
		ASSERT_EQ(0, clonegate_load(variant->backend));
		err = o->attach(&self->h);
		if (err) {
			TH_LOG("%s refused: %s", o->name, self->h.why);
			EXPECT_TRUE(o->may_refuse)
				TH_LOG("a %s must attach beside clonegate", o->name);
			EXPECT_EQ(-EBUSY, err);
			snprintf(outcome, sizeof(outcome),
				 "other refused (%s)", strerror(-err));
			conclude(_metadata, self, variant, outcome);
			return;
		}
	}

	/* both are in place */
	conclude(_metadata, self, variant, "coexist");
	EXPECT_TRUE(o->live(&self->h))
		TH_LOG("the %s does not act on an allowed call beside clonegate",
		       o->name);
	EXPECT_TRUE(o->may_coexist)
		TH_LOG("the kernel let a %s and clonegate change ksys_unshare's ip together: one of them is ignored unannounced",
		       o->name);
}

TEST_HARNESS_MAIN
