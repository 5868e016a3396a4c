// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate events, channel trace: one clonegate:clonegate_decision line
 * per decision while the tracepoint is enabled, with the values of the
 * record /dev/clonegate hands out for the same seq, and nothing while it
 * is not. Without tracefs, every test SKIPs.
 */
#include "events_lib.h"

/* The line of the same seq as @ev, into @line: 1, 0 not there, -1. */
static int line_of(const char *dir, const struct clonegate_event *ev,
		   char *line, size_t size)
{
	char want[64];

	snprintf(want, sizeof(want), "clonegate_decision: seq=%llu ",
		 (unsigned long long)ev->seq);
	return trace_line(dir, want, line, size);
}

/* key= of @line is @expect (a format); a missing key fails too. */
#define KEY(line, k, expect, ...)					\
	do {								\
		char _want[512], _v[512] = "";				\
									\
		snprintf(_want, sizeof(_want), expect, ##__VA_ARGS__);	\
		EXPECT_TRUE(trace_value(line, k, _v, sizeof(_v)) != NULL) \
			TH_LOG("no %s= in %s", k, line);		\
		EXPECT_STREQ(_want, _v) TH_LOG("%s=", k);		\
	} while (0)

FIXTURE(trace) {
	struct ev_fixture f;
};

FIXTURE_SETUP(trace)
{
	ev_fixture_setup(_metadata, &self->f, EV_TRACE);
}

FIXTURE_TEARDOWN(trace)
{
	ev_fixture_teardown(&self->f);
}

/* A denied call's line: the verdict, every field, and the context. */
TEST_F(trace, line_has_the_decision)
{
	const int tag = TAG(23);
	struct clonegate_event ev;
	char line[4096];
	long long before;

	before = ev_counter("traced");
	ASSERT_LE(0, before);
	ASSERT_EQ(0, deny_and_read(self->f.fd, tag, &ev));
	EXPECT_LE(before + 1, ev_counter("traced"));
	ASSERT_EQ(1, line_of(self->f.trace.dir, &ev, line, sizeof(line)))
		TH_LOG("no trace line for seq %llu",
		       (unsigned long long)ev.seq);
	TH_LOG("%s", line);
	/* the fields in the order trace.h prints them */
	EXPECT_TRUE(strstr(line, " op=clone3 decision=denied errno=22 rule=unsupported_flag mode=enforce scope=host flags=0x2000000 ") != NULL);
	KEY(line, "exit_signal", "%d", tag);
	/* not setns, nothing created, nothing held back */
	KEY(line, "ns_type", "0x0");
	KEY(line, "ns_inum", "0");
	KEY(line, "form", "nsfd");
	KEY(line, "created_tid", "0");
	KEY(line, "created_pid", "0");
	KEY(line, "suppressed", "0");
	KEY(line, "tid", "%d", cg_gettid());
	KEY(line, "pid", "%d", getpid());
	KEY(line, "ppid", "%d", getppid());
	KEY(line, "uid", "%u", getuid());
	KEY(line, "euid", "%u", geteuid());
	KEY(line, "cgroup", "%s", ev.container_id);
	/* a decision has no health message; cwd is not chosen */
	EXPECT_TRUE(strstr(line, " cwd= suppressed=0 message=") != NULL);
}

/* With the tracepoint disabled, a decision is neither traced nor counted. */
TEST_F(trace, disabled_tracepoint_traces_nothing)
{
	struct clonegate_event ev;
	char line[4096];
	long long before;

	ASSERT_EQ(0, cg_write(self->f.trace.enable, "0"));
	before = ev_counter("traced");
	ASSERT_LE(0, before);
	ASSERT_EQ(0, deny_and_read(self->f.fd, TAG(24), &ev));
	EXPECT_EQ(before, ev_counter("traced"));
	EXPECT_EQ(0, line_of(self->f.trace.dir, &ev, line, sizeof(line)));

	/* enabled again, the next one is */
	ASSERT_EQ(0, cg_write(self->f.trace.enable, "1"));
	ASSERT_EQ(0, deny_and_read(self->f.fd, TAG(25), &ev));
	EXPECT_LE(before + 1, ev_counter("traced"));
	EXPECT_EQ(1, line_of(self->f.trace.dir, &ev, line, sizeof(line)));
}

/*
 * The fields every record has, whatever context_fields holds: the verdict,
 * the deciding scope ("host" outside scopes), the records held back before
 * it, and for setns the type, inode and form of the namespace named. One
 * call of events_lib.h's ev2_case per variant.
 */
FIXTURE(trace_fields) {
	struct ev_fixture f;
};

FIXTURE_VARIANT(trace_fields) {
	enum ev2_case c;
};

FIXTURE_VARIANT_ADD(trace_fields, host) { EV2_HOST };
FIXTURE_VARIANT_ADD(trace_fields, setns_nsfd) { EV2_SETNS_NSFD };
FIXTURE_VARIANT_ADD(trace_fields, setns_pidfd) { EV2_SETNS_PIDFD };
FIXTURE_VARIANT_ADD(trace_fields, setns_pidfd_two_types) {
	EV2_SETNS_PIDFD_TWO
};
FIXTURE_VARIANT_ADD(trace_fields, suppressed) { EV2_SUPPRESSED };
FIXTURE_VARIANT_ADD(trace_fields, scope) { EV2_SCOPE };

FIXTURE_SETUP(trace_fields)
{
	const char *why = ev2_missing(variant->c);

	if (why)
		SKIP(_exit(255), "%s", why);
	ev_fixture_setup(_metadata, &self->f, EV_TRACE);
}

FIXTURE_TEARDOWN(trace_fields)
{
	ev2_cleanup();
	ev_fixture_teardown(&self->f);
}

TEST_F(trace_fields, line_has_the_fields)
{
	struct clonegate_event ev;
	struct ev_want w;
	char line[4096];

	ev2_run(_metadata, self->f.fd, variant->c, &w, &ev);
	ASSERT_EQ(1, line_of(self->f.trace.dir, &ev, line, sizeof(line)))
		TH_LOG("no trace line for seq %llu",
		       (unsigned long long)ev.seq);
	TH_LOG("%s", line);

	KEY(line, "op", "%s", w.op_name);
	KEY(line, "decision", "denied");
	KEY(line, "errno", "%d", w.err);
	KEY(line, "rule", "%s", w.rule_name);
	KEY(line, "mode", "enforce");
	KEY(line, "scope", "%s", w.scope);
	KEY(line, "flags", "0x%llx", (unsigned long long)w.flags);
	KEY(line, "exit_signal", "%d", w.exit_signal);
	KEY(line, "ns_type", "0x%x", w.ns_type);
	KEY(line, "ns_inum", "%llu", (unsigned long long)w.ns_inum);
	KEY(line, "form", "%s", w.form_name);
	KEY(line, "suppressed", "%u", w.suppressed);
	if (w.tgid)
		KEY(line, "pid", "%d", w.tgid);
}

TEST_HARNESS_MAIN
