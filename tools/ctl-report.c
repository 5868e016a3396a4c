// SPDX-License-Identifier: GPL-2.0
/*
 * clonegatectl report: the gVisor preflight.
 *
 * Reads denied and audited events (what the policy in force refuses, or
 * would: under the gvisor profile, what runsc would refuse) from
 * /dev/clonegate, or from JSON lines written by clonegate-events, and
 * counts them by program, cgroup, operation, rule and the flags gVisor
 * does not support. Allowed events are read and ignored.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "names.h"

struct rec {
	char op[16], decision[16], rule[40], process[64], cgroup[512];
	unsigned long long flags;
};

struct row {
	struct rec r;
	char bad_flags[256];
	unsigned long count;
};

static struct row *rows;
static size_t n_rows, cap_rows;
static unsigned long n_events, n_refused;

/* The flags of the call that gVisor's profile does not allow, by name. */
static void unsupported(const struct rec *r, char *out, size_t size)
{
	const char *const *names = flag_names;
	unsigned long long bad;
	size_t len = 0;
	int bit;

	if (!strcmp(r->op, "unshare")) {
		bad = r->flags & ~GVISOR_UNSHARE_FLAGS;
	} else if (!strcmp(r->op, "setns")) {
		bad = r->flags & ~GVISOR_NS_TYPES;
		names = ns_names;
	} else if (!strcmp(r->op, "clone")) {
		/* clone(2)'s low byte is the exit signal, never a flag */
		bad = r->flags & ~GVISOR_CLONE_FLAGS & ~0xffULL;
	} else {
		/* clone3's flags hold no signal: bit 7 is newtime */
		bad = r->flags & ~GVISOR_CLONE_FLAGS;
	}
	out[0] = '\0';
	for (bit = 0; bit < 64; bit++)
		if ((bad & (1ULL << bit)) && names[bit])
			len += snprintf(out + len, size - len, "%s%s",
					len ? "," : "", names[bit]);
	if (!len)
		snprintf(out, size, "-");
}

static void count(const struct rec *r)
{
	char bad[256];
	size_t i;

	n_events++;
	if (strcmp(r->decision, "denied") && strcmp(r->decision, "audited"))
		return;
	n_refused++;
	if (!strcmp(r->rule, "unsupported_flag"))
		unsupported(r, bad, sizeof(bad));
	else
		strcpy(bad, "-");
	for (i = 0; i < n_rows; i++) {
		struct row *w = &rows[i];

		if (!strcmp(w->r.process, r->process) &&
		    !strcmp(w->r.cgroup, r->cgroup) && !strcmp(w->r.op, r->op) &&
		    !strcmp(w->r.rule, r->rule) && !strcmp(w->bad_flags, bad)) {
			w->count++;
			return;
		}
	}
	if (n_rows == cap_rows) {
		cap_rows = cap_rows ? 2 * cap_rows : 64;
		rows = realloc(rows, cap_rows * sizeof(*rows));
		if (!rows) {
			perror(PROG);
			exit(1);
		}
	}
	rows[n_rows].r = *r;
	strcpy(rows[n_rows].bad_flags, bad);
	rows[n_rows].count = 1;
	n_rows++;
}

/* --- JSON lines ---------------------------------------------------------------- */

/*
 * Just enough JSON for clonegate-events' lines: objects, strings, numbers,
 * true, false, null (arrays are skipped). Strings of interest are copied
 * out by their path: "op", "context_data.process_name", ...
 */
struct jp {
	const char *p;
	struct rec *r;
};

static void ws(struct jp *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n')
		j->p++;
}

static int jstring(struct jp *j, char *out, size_t size)
{
	size_t o = 0;

	if (*j->p != '"')
		return -1;
	j->p++;
	while (*j->p && *j->p != '"') {
		char c = *j->p++;

		if (c == '\\') {
			c = *j->p++;
			switch (c) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'b':
				c = '\b';
				break;
			case 'f':
				c = '\f';
				break;
			case 'u': {
				unsigned int v;

				if (sscanf(j->p, "%4x", &v) != 1)
					return -1;
				j->p += 4;
				/* clonegate-events writes a raw byte as \u00XX */
				c = v < 0x100 ? (char)v : '?';
				break;
			}
			case '\0':
				return -1;
			default:
				break;	/* \" \\ \/ */
			}
		}
		if (out && o + 1 < size)
			out[o++] = c;
	}
	if (*j->p != '"')
		return -1;
	j->p++;
	if (out)
		out[o] = '\0';
	return 0;
}

static char *field(struct rec *r, const char *path, size_t *size)
{
#define F(name, member)							\
	do {								\
		if (!strcmp(path, name)) {				\
			*size = sizeof(r->member);			\
			return r->member;				\
		}							\
	} while (0)
	F("op", op);
	F("decision", decision);
	F("rule", rule);
	F("context_data.process_name", process);
	F("context_data.container_id", cgroup);
#undef F
	return NULL;
}

static int jvalue(struct jp *j, const char *path);

static int jobject(struct jp *j, const char *path)
{
	char key[64], sub[160];

	j->p++;
	ws(j);
	if (*j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		ws(j);
		if (jstring(j, key, sizeof(key)))
			return -1;
		ws(j);
		if (*j->p++ != ':')
			return -1;
		snprintf(sub, sizeof(sub), "%s%s%s", path, *path ? "." : "", key);
		if (jvalue(j, sub))
			return -1;
		ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p == '}') {
			j->p++;
			return 0;
		}
		return -1;
	}
}

static int jvalue(struct jp *j, const char *path)
{
	size_t size;
	char *out;

	ws(j);
	switch (*j->p) {
	case '{':
		return jobject(j, path);
	case '[':
		j->p++;
		ws(j);
		if (*j->p == ']') {
			j->p++;
			return 0;
		}
		for (;;) {
			if (jvalue(j, ""))
				return -1;
			ws(j);
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ == ']')
				return 0;
			return -1;
		}
	case '"': {
		char tmp[512];

		out = field(j->r, path, &size);
		if (!strcmp(path, "flags")) {
			if (jstring(j, tmp, sizeof(tmp)))
				return -1;
			j->r->flags = strtoull(tmp, NULL, 0);
			return 0;
		}
		return jstring(j, out, out ? size : 0);
	}
	default: {
		const char *start = j->p;

		while (*j->p && !strchr(",}] \t\r\n", *j->p))
			j->p++;
		return j->p == start ? -1 : 0;
	}
	}
}

static int read_json(const char *path)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, bad = 0;

	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (getline(&line, &cap, f) > 0) {
		struct rec r = { .rule = "none" };
		struct jp j = { line, &r };

		lineno++;
		ws(&j);
		if (!*j.p)
			continue;
		if (*j.p != '{' || jobject(&j, "")) {
			fprintf(stderr, PROG ": %s:%d: not a JSON object as clonegate-events writes\n",
				path, lineno);
			bad = 1;
			continue;
		}
		count(&r);
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return bad ? -1 : 0;
}

/* --- /dev/clonegate --------------------------------------------------------------- */

/* the first version's record: the prefix every later version keeps */
#define V1_SIZE 688

static void from_record(const struct clonegate_event *ev, struct rec *r)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->op, sizeof(r->op), "%s",
		 ev->op < N(op_names) ? op_names[ev->op] : "?");
	snprintf(r->decision, sizeof(r->decision), "%s",
		 ev->decision < N(decision_names) ? decision_names[ev->decision] : "?");
	snprintf(r->rule, sizeof(r->rule), "%.*s", (int)sizeof(ev->rule_name),
		 ev->rule_name);
	snprintf(r->process, sizeof(r->process), "%.*s",
		 (int)sizeof(ev->process_name), ev->process_name);
	snprintf(r->cgroup, sizeof(r->cgroup), "%.*s",
		 (int)sizeof(ev->container_id), ev->container_id);
	r->flags = ev->flags;
}

static int read_device(const char *path)
{
	static unsigned char buf[1 << 20];
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;

	if (fd < 0) {
		fprintf(stderr, PROG ": cannot open %s: %s%s\n", path,
			strerror(errno),
			errno == EBUSY ? " (another reader has it open)" :
			errno == ENOENT ? " (is the clonegate module loaded?)" :
			errno == EPERM || errno == EACCES ? " (needs root)" : "");
		return -1;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ssize_t off = 0;

		while (off + 8 <= n) {
			struct clonegate_event ev;
			uint32_t size;
			uint16_t version;
			struct rec r;

			memcpy(&size, buf + off, 4);
			memcpy(&version, buf + off + 4, 2);
			if (size < 8 || (size_t)off + size > (size_t)n) {
				fprintf(stderr, PROG ": %s: bad record size %u\n",
					path, size);
				close(fd);
				return -1;
			}
			if (version >= 1 && size >= V1_SIZE) {
				memset(&ev, 0, sizeof(ev));
				memcpy(&ev, buf + off,
				       size < sizeof(ev) ? size : sizeof(ev));
				from_record(&ev, &r);
				count(&r);
			}
			off += size;
		}
	}
	if (n < 0 && errno != EAGAIN) {
		fprintf(stderr, PROG ": read %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static int by_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if ((c = strcmp(x->r.process, y->r.process)))
		return c;
	if ((c = strcmp(x->r.cgroup, y->r.cgroup)))
		return c;
	return strcmp(x->r.rule, y->r.rule);
}

int cmd_report(int argc, char **argv)
{
	const char *events = NULL, *device = "/dev/clonegate";
	size_t i, programs = 0;
	int a;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--events") && a + 1 < argc)
			events = argv[++a];
		else if (!strncmp(argv[a], "--events=", 9))
			events = argv[a] + 9;
		else if (!strncmp(argv[a], "--device=", 9))
			device = argv[a] + 9;
		else {
			fprintf(stderr, "usage: clonegatectl report [--events FILE]\n");
			return 2;
		}
	}
	if (events ? read_json(events) : read_device(device))
		return 1;
	qsort(rows, n_rows, sizeof(*rows), by_count);
	for (i = 0; i < n_rows; i++) {
		size_t k;

		for (k = 0; k < i; k++)
			if (!strcmp(rows[k].r.process, rows[i].r.process))
				break;
		programs += k == i;
	}
	printf("gVisor preflight, from %s: %lu event%s read, %lu denied or audited\n",
	       events ? events : device, n_events, n_events == 1 ? "" : "s",
	       n_refused);
	if (!n_rows) {
		printf("no clone, unshare or setns call in them would be refused\n");
		return 0;
	}
	printf("%lu call%s by %zu program%s would be refused:\n\n", n_refused,
	       n_refused == 1 ? "" : "s", programs, programs == 1 ? "" : "s");
	printf("%7s  %-16s %-8s %-28s %-20s %s\n", "COUNT", "PROGRAM", "OP",
	       "RULE", "FLAGS", "CGROUP");
	for (i = 0; i < n_rows; i++) {
		const struct row *w = &rows[i];

		printf("%7lu  %-16s %-8s %-28s %-20s %s\n", w->count,
		       w->r.process[0] ? w->r.process : "?", w->r.op, w->r.rule,
		       w->bad_flags, w->r.cgroup[0] ? w->r.cgroup : "?");
	}
	return 0;
}
