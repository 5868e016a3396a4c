// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate-events: read /dev/clonegate and print one JSON object a line,
 * with the field names of gVisor's seccheck clone point.
 *
 *   clonegate-events                      what is queued now, then exit
 *   clonegate-events --follow             keep reading until interrupted
 *   clonegate-events --decision=denied,audited --count=10
 *   clonegate-events --follow --seccheck=/run/monitor.sock
 *
 * A line looks like (context_data holds only the fields that were chosen
 * in /sys/kernel/clonegate/events/context_fields):
 *
 *   {"seq":7,"op":"clone3","decision":"denied","errno":22,
 *    "rule":"unsupported_flag","mode":"enforce","flags":"0x2000000",
 *    "exit_signal":17,"context_data":{"time_ns":...,"thread_id":...}}
 *
 * created_thread_* appear only when the call made a task, "truncated":true
 * only when a path was cut. Strings are JSON-escaped; a byte that is not
 * part of well-formed UTF-8 (a comm can hold any) is written as \u00XX.
 *
 * With --seccheck=PATH, nothing is printed: each record goes to the monitor
 * listening at PATH as gVisor's seccheck remote sink sends a point
 * (seccheck.c).
 *
 * Records are consumed: only one reader may have the device open, and only
 * root. Exit status: 0 when done (or interrupted in --follow), 1 on an
 * error, 2 on bad usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../include/uapi/linux/clonegate.h"
#include "names.h"
#include "seccheck.h"

#define DEVICE "/dev/clonegate"
/* records read at once, unless --count asks for fewer */
#define BATCH 64
/* a record larger than this is not a record: the stream is broken */
#define MAX_RECORD (1U << 20)
/* size and version: what every record starts with, whatever its version */
#define HEADER_LEN 8
/* where seq ends, in every version */
#define SEQ_END (offsetof(struct clonegate_event, seq) + sizeof(uint64_t))

static const char *const setns_form_names[] = {
	CLONEGATE_SETNS_FORMS(__FORM_NAME)
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int usage(FILE *f, int status)
{
	fprintf(f,
		"usage: clonegate-events [--follow] [--decision=LIST] [--count=N]\n"
		"                        [--seccheck=PATH]\n"
		"\n"
		"Print the decisions queued on " DEVICE ", one JSON object a line,\n"
		"with gVisor seccheck's field names. Needs root; one reader at a time.\n"
		"\n"
		"  --follow          wait for new records and keep printing them\n"
		"                    (default: print what is queued now and exit)\n"
		"  --decision=LIST   only these decisions: allowed, denied, audited,\n"
		"                    separated by commas (health records are\n"
		"                    always printed)\n"
		"  --count=N         stop after printing N records\n"
		"  --device=PATH     read PATH instead (a saved stream of records)\n"
		"  --seccheck=PATH   send the records to the monitor listening on the\n"
		"                    AF_UNIX SOCK_SEQPACKET socket PATH, in gVisor's\n"
		"                    seccheck remote-sink format, instead of printing\n"
		"  --help            this text\n");
	return status;
}

/* Print a string as a JSON string: quoted, escaped, valid UTF-8. */
static void json_string(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, max), i = 0;

	putchar('"');
	while (i < len) {
		unsigned char c = p[i];
		size_t n = 0, k;

		if (c == '"' || c == '\\') {
			printf("\\%c", c);
			i++;
			continue;
		}
		if (c < 0x20 || c == 0x7f) {
			switch (c) {
			case '\n':
				fputs("\\n", stdout);
				break;
			case '\t':
				fputs("\\t", stdout);
				break;
			case '\r':
				fputs("\\r", stdout);
				break;
			default:
				printf("\\u%04x", c);
			}
			i++;
			continue;
		}
		if (c < 0x80) {
			putchar(c);
			i++;
			continue;
		}
		/* a well-formed UTF-8 sequence goes through as it is */
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		for (k = 1; n && k <= n; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				n = 0;
		/* overlong, surrogate and beyond U+10FFFF forms are not */
		if (n == 2 && ((c == 0xe0 && p[i + 1] < 0xa0) ||
			       (c == 0xed && p[i + 1] > 0x9f)))
			n = 0;
		if (n == 3 && ((c == 0xf0 && p[i + 1] < 0x90) ||
			       (c == 0xf4 && p[i + 1] > 0x8f)))
			n = 0;
		if (n) {
			fwrite(p + i, 1, n + 1, stdout);
			i += n + 1;
			continue;
		}
		/* any other byte: its Latin-1 code point, so nothing is lost */
		printf("\\u%04x", c);
		i++;
	}
	putchar('"');
}

static void json_name(const char *const *names, size_t count, unsigned int v)
{
	if (v < count)
		printf("\"%s\"", names[v]);
	else
		printf("%u", v);
}

/* One record as one line of JSON. */
static void print_event(const struct clonegate_event *ev)
{
	const uint32_t f = ev->fields;
	const char *sep = "";

	printf("{\"seq\":%llu,\"op\":", (unsigned long long)ev->seq);
	json_name(op_names, N(op_names), ev->op);
	if (ev->op == CLONEGATE_EV_OP_HEALTH) {
		fputs(",\"health\":", stdout);
		json_string(ev->message, sizeof(ev->message));
		printf(",\"time_ns\":%llu}\n", (unsigned long long)ev->time_ns);
		return;
	}
	fputs(",\"decision\":", stdout);
	json_name(decision_names, N(decision_names), ev->decision);
	printf(",\"errno\":%d,\"rule\":", ev->errno_value);
	json_string(ev->rule_name, sizeof(ev->rule_name));
	fputs(",\"mode\":", stdout);
	json_name(mode_names, N(mode_names), ev->mode);
	fputs(",\"scope\":", stdout);
	json_string(ev->scope, sizeof(ev->scope));
	printf(",\"flags\":\"0x%llx\",\"exit_signal\":%d",
	       (unsigned long long)ev->flags, ev->exit_signal);
	if (ev->op == CLONEGATE_EV_OP_SETNS) {
		fputs(",\"setns_form\":", stdout);
		json_name(setns_form_names, N(setns_form_names),
			  ev->setns_form);
		fputs(",\"ns_type\":", stdout);
		if (ev->ns_type && (ev->ns_type & (ev->ns_type - 1)) == 0 &&
		    ns_names[__builtin_ctz(ev->ns_type)])
			printf("\"%s\"", ns_names[__builtin_ctz(ev->ns_type)]);
		else
			fputs("null", stdout);
		printf(",\"ns_inum\":%llu", (unsigned long long)ev->ns_inum);
	}
	if (ev->suppressed)
		printf(",\"suppressed\":%u", ev->suppressed);
	if (ev->ev_flags & CLONEGATE_EV_F_CREATED)
		printf(",\"created_thread_id\":%d,\"created_thread_group_id\":%d,\"created_thread_start_time_ns\":%llu",
		       ev->created_thread_id, ev->created_thread_group_id,
		       (unsigned long long)ev->created_thread_start_time_ns);
	if (ev->ev_flags & CLONEGATE_EV_F_TRUNCATED)
		fputs(",\"truncated\":true", stdout);

	fputs(",\"context_data\":{", stdout);
#define FIELD(bit, fmt, ...)						\
	do {								\
		if (f & (bit)) {					\
			printf("%s" fmt, sep, __VA_ARGS__);		\
			sep = ",";					\
		}							\
	} while (0)
	FIELD(CLONEGATE_FIELD_TIME, "\"time_ns\":%llu",
	      (unsigned long long)ev->time_ns);
	FIELD(CLONEGATE_FIELD_THREAD_ID, "\"thread_id\":%d", ev->thread_id);
	FIELD(CLONEGATE_FIELD_THREAD_START_TIME,
	      "\"thread_start_time_ns\":%llu",
	      (unsigned long long)ev->thread_start_time_ns);
	FIELD(CLONEGATE_FIELD_THREAD_GROUP_ID, "\"thread_group_id\":%d",
	      ev->thread_group_id);
	FIELD(CLONEGATE_FIELD_THREAD_GROUP_START_TIME,
	      "\"thread_group_start_time_ns\":%llu",
	      (unsigned long long)ev->thread_group_start_time_ns);
	if (f & CLONEGATE_FIELD_CONTAINER_ID) {
		printf("%s\"container_id\":", sep);
		json_string(ev->container_id, sizeof(ev->container_id));
		printf(",\"cgroup_id\":%llu",
		       (unsigned long long)ev->cgroup_id);
		sep = ",";
	}
	FIELD(CLONEGATE_FIELD_CREDENTIALS,
	      "\"credentials\":{\"real_uid\":%u,\"effective_uid\":%u,\"saved_uid\":%u,\"real_gid\":%u,\"effective_gid\":%u,\"saved_gid\":%u}",
	      ev->uid, ev->euid, ev->suid, ev->gid, ev->egid, ev->sgid);
	if (f & CLONEGATE_FIELD_CWD) {
		printf("%s\"cwd\":", sep);
		json_string(ev->cwd, sizeof(ev->cwd));
		sep = ",";
	}
	if (f & CLONEGATE_FIELD_PROCESS_NAME) {
		printf("%s\"process_name\":", sep);
		json_string(ev->process_name, sizeof(ev->process_name));
		sep = ",";
	}
	FIELD(CLONEGATE_FIELD_PARENT_THREAD_GROUP_ID,
	      "\"parent_thread_group_id\":%d", ev->parent_thread_group_id);
#undef FIELD
	fputs("}}\n", stdout);
}

/* --decision=denied,audited into a set of decision bits; -1 if bad. */
static int parse_decisions(const char *list)
{
	char *copy = strdup(list), *save = NULL, *w;
	int set = 0;
	size_t i;

	if (!copy)
		return -1;
	for (w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < N(decision_names); i++)
			if (!strcmp(w, decision_names[i]))
				break;
		if (i == N(decision_names)) {
			fprintf(stderr, "clonegate-events: unknown decision '%s' (allowed, denied, audited)\n",
				w);
			set = -1;
			break;
		}
		set |= 1 << i;
	}
	free(copy);
	return set ? set : -1;
}

/* Make the buffer hold at least @len bytes. */
static int grow(unsigned char **buf, size_t *cap, size_t len)
{
	unsigned char *bigger;

	if (*cap >= len)
		return 0;
	bigger = realloc(*buf, len);
	if (!bigger)
		return -1;
	*buf = bigger;
	*cap = len;
	return 0;
}

static int open_device(const char *path, int follow)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | (follow ? 0 : O_NONBLOCK));
	int err = errno;

	if (fd >= 0)
		return fd;
	fprintf(stderr, "clonegate-events: cannot open %s: %s", path,
		strerror(err));
	switch (err) {
	case EPERM:
	case EACCES:
		fprintf(stderr, " (reading events needs root: CAP_SYS_ADMIN)\n");
		break;
	case EBUSY:
		fprintf(stderr, " (another reader has it open; there can be only one)\n");
		break;
	case ENOENT:
	case ENODEV:
	case ENXIO:
		fprintf(stderr, " (is the clonegate module loaded?)\n");
		break;
	default:
		fputc('\n', stderr);
	}
	return -1;
}

struct options {
	const char *device;
	const char *seccheck;	/* the monitor's socket, or NULL */
	int follow;
	int decisions;		/* bits of enum clonegate_event_decision */
	unsigned long long count;	/* 0: no limit */
};

static int bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "clonegate-events: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'clonegate-events --help'.\n");
	return 2;
}

/* Return: -1 to go on, or the exit status. */
static int parse_options(int argc, char **argv, struct options *o)
{
	char *end;
	int i;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--follow") || !strcmp(a, "-f")) {
			o->follow = 1;
		} else if (!strncmp(a, "--decision=", 11)) {
			o->decisions = parse_decisions(a + 11);
			if (o->decisions < 0)
				return bad_usage("bad --decision '%s': allowed, denied or audited, separated by commas",
						 a + 11);
		} else if (!strncmp(a, "--count=", 8)) {
			errno = 0;
			o->count = strtoull(a + 8, &end, 10);
			if (errno || end == a + 8 || *end || a[8] == '-' ||
			    !o->count)
				return bad_usage("bad --count '%s': a positive number",
						 a + 8);
		} else if (!strncmp(a, "--device=", 9) && a[9]) {
			o->device = a + 9;
		} else if (!strncmp(a, "--seccheck=", 11) && a[11]) {
			o->seccheck = a + 11;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			return usage(stdout, 0);
		} else {
			return bad_usage("unknown argument '%s'", a);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct options o = { .device = DEVICE, .decisions = -1 };
	unsigned long long printed = 0, skipped = 0;
	size_t rec_len = sizeof(struct clonegate_event);
	size_t cap = BATCH * rec_len, have = 0, want;
	struct sigaction sa = { .sa_handler = on_signal };
	struct clonegate_event ev;
	struct seccheck sc = { .fd = -1 };
	unsigned char *buf;
	int fd, status;

	status = parse_options(argc, argv, &o);
	if (status >= 0)
		return status;
	status = 0;

	/* no SA_RESTART: a signal ends a blocking read() with EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	/* the monitor first: records read before it answers would be lost */
	if (o.seccheck && seccheck_connect(&sc, o.seccheck))
		return 1;
	fd = open_device(o.device, o.follow);
	if (fd < 0)
		return 1;
	buf = malloc(cap);
	if (!buf) {
		perror("clonegate-events");
		close(fd);
		return 1;
	}

	while (!stop && (!o.count || printed < o.count)) {
		size_t off = 0;
		ssize_t n;

		/*
		 * The device returns whole records only. With --count, take
		 * no more than are still wanted: what is read is gone for
		 * any later reader.
		 */
		want = cap - have;
		if (o.count && (o.count - printed) * rec_len < want)
			want = (o.count - printed) * rec_len;
		n = read(fd, buf + have, want);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			if (errno == EINVAL && rec_len < MAX_RECORD) {
				/* records bigger than we know: make room */
				rec_len *= 2;
				if (grow(&buf, &cap, have + rec_len))
					goto fail;
				continue;
			}
			goto fail;
		}
		if (n == 0) {
			/* end of a saved stream (--device=FILE) */
			if (have)
				fprintf(stderr, "clonegate-events: %zu bytes of a cut record at the end\n",
					have);
			status = have ? 1 : 0;
			break;
		}
		have += n;
		while (have - off >= HEADER_LEN) {
			uint32_t size;
			uint16_t version;

			memcpy(&size, buf + off, sizeof(size));
			memcpy(&version, buf + off + 4, sizeof(version));
			if (size < HEADER_LEN || size > MAX_RECORD) {
				fprintf(stderr, "clonegate-events: bad record size %u: the stream is broken\n",
					size);
				status = 1;
				goto out;
			}
			if (size > have - off) {
				/* cut by a read of a saved stream: finish it */
				if (size > rec_len)
					rec_len = size;
				break;
			}
			/* seq follows size, version and op in every version */
			if (o.seccheck && size >= SEQ_END) {
				uint64_t seq;

				memcpy(&seq, buf + off + SEQ_END - sizeof(seq),
				       sizeof(seq));
				seccheck_seen(&sc, seq);
			}
			/*
			 * A version we do not know is skipped whole; a
			 * bigger record of our version has fields added at
			 * the end, and we read the prefix we know.
			 */
			if (version != CLONEGATE_EVENT_VERSION ||
			    size < sizeof(ev)) {
				off += size;
				skipped++;
				continue;
			}
			if (size > rec_len)
				rec_len = size;
			memcpy(&ev, buf + off, sizeof(ev));
			off += size;
			/* health records are not decisions: never filtered */
			if (o.decisions >= 0 && ev.op != CLONEGATE_EV_OP_HEALTH &&
			    (ev.decision >= 31 ||
			     !(o.decisions & (1 << ev.decision))))
				continue;
			if (o.seccheck) {
				if (seccheck_send(&sc, &ev)) {
					status = 1;
					goto out;
				}
			} else {
				print_event(&ev);
				if (o.follow)
					fflush(stdout);
			}
			if (o.count && ++printed >= o.count)
				break;
		}
		have -= off;
		memmove(buf, buf + off, have);
		if (grow(&buf, &cap, have + rec_len))
			goto fail;
	}
out:
	if (o.seccheck) {
		fprintf(stderr, "clonegate-events: seccheck: %llu sent, %u dropped\n",
			(unsigned long long)sc.sent, sc.dropped);
		close(sc.fd);
	}
	if (skipped)
		fprintf(stderr, "clonegate-events: skipped %llu records of a version this tool does not know\n",
			skipped);
	if (fflush(stdout) || ferror(stdout)) {
		perror("clonegate-events: stdout");
		status = 1;
	}
	free(buf);
	close(fd);
	return status;

fail:
	fprintf(stderr, "clonegate-events: read %s: %s\n", o.device,
		strerror(errno));
	free(buf);
	close(fd);
	return 1;
}
