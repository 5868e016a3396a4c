// SPDX-License-Identifier: GPL-2.0
/*
 * clonegate-events --seccheck: the bridge to gVisor's seccheck consumers.
 *
 * gVisor's remote sink (pkg/sentry/seccheck/sinks/remote/remote.go)
 * connects to a monitor on an AF_UNIX SOCK_SEQPACKET socket, exchanges
 * Handshake messages, then sends each point as one packet: an 8-byte
 * header (wire/wire.go: header size, message type, dropped count, in the
 * machine's byte order) and the point's protobuf message. It never waits:
 * a packet the socket cannot take at once is dropped and counted, and
 * every header carries the count so far. This does the same, with the
 * messages of seccheck.proto encoded by protobuf-c:
 *
 *   allowed clone, clone3, fork, vfork   sentry/clone: CloneInfo
 *   denied or audited clone, clone3      syscall clone point: Clone
 *   denied or audited fork, vfork        syscall fork point: Fork
 *   unshare, setns                       raw syscall point: Syscall
 *
 * A denied or audited call carries its Exit: errorno is the errno the
 * rule gives; result is -errno for a denied call, and 0 for an audited
 * one, which went on (its real result is not known at the decision).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "seccheck.h"
#include "seccheck.pb-c.h"

/* wire.CurrentVersion, and the oldest monitor version the sink accepts */
#define WIRE_VERSION 2
#define WIRE_MIN_VERSION 1
#define HEADER_SIZE 8

struct wire_header {
	uint16_t header_size;
	uint16_t message_type;
	uint32_t dropped_count;
};

_Static_assert(sizeof(struct wire_header) == HEADER_SIZE, "wire header");

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

/* clonegate_event.op, as the uapi header numbers it */
enum { OP_CLONE, OP_CLONE3, OP_FORK, OP_VFORK, OP_UNSHARE, OP_SETNS };
enum { DEC_ALLOWED, DEC_DENIED, DEC_AUDITED };

int seccheck_connect(struct seccheck *s, const char *path)
{
	Clonegate__Seccheck__Handshake out = CLONEGATE__SECCHECK__HANDSHAKE__INIT;
	Clonegate__Seccheck__Handshake *in;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	uint8_t buf[10240];
	size_t len;
	ssize_t n;

	memset(s, 0, sizeof(*s));
	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "clonegate-events: --seccheck=%s: path too long\n",
			path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (s->fd < 0 ||
	    connect(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		fprintf(stderr, "clonegate-events: cannot connect to the monitor at %s: %s\n",
			path, strerror(errno));
		goto fail;
	}
	out.version = WIRE_VERSION;
	len = clonegate__seccheck__handshake__pack(&out, buf);
	if (send(s->fd, buf, len, MSG_NOSIGNAL) != (ssize_t)len) {
		fprintf(stderr, "clonegate-events: %s: sending the handshake: %s\n",
			path, strerror(errno));
		goto fail;
	}
	n = recv(s->fd, buf, sizeof(buf), 0);
	if (n < 0 || n == sizeof(buf)) {
		fprintf(stderr, "clonegate-events: %s: reading the handshake: %s\n",
			path, n < 0 ? strerror(errno) : "message too big");
		goto fail;
	}
	in = clonegate__seccheck__handshake__unpack(NULL, n, buf);
	if (!in) {
		fprintf(stderr, "clonegate-events: %s: the monitor's handshake is not a Handshake message\n",
			path);
		goto fail;
	}
	if (in->version < WIRE_MIN_VERSION) {
		fprintf(stderr, "clonegate-events: %s: the monitor speaks version %u, older than %d\n",
			path, in->version, WIRE_MIN_VERSION);
		clonegate__seccheck__handshake__free_unpacked(in, NULL);
		goto fail;
	}
	clonegate__seccheck__handshake__free_unpacked(in, NULL);
	/* from now on, never wait for the monitor */
	if (fcntl(s->fd, F_SETFL, O_NONBLOCK)) {
		perror("clonegate-events: --seccheck");
		goto fail;
	}
	return 0;
fail:
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	return -1;
}

/*
 * proto3 strings are UTF-8, and decoders check: a comm or a path can hold
 * any byte, so a byte that is not part of well-formed UTF-8 becomes U+FFFD.
 */
static char *utf8(const char *s, size_t max, char *out, size_t size)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strnlen(s, max), i = 0, o = 0;

	while (i < len && o + 4 < size) {
		unsigned char c = p[i];
		size_t n = 0, k;

		if (c < 0x80) {
			out[o++] = c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		for (k = 1; n && k <= n; k++)
			if (i + k >= len || (p[i + k] & 0xc0) != 0x80)
				n = 0;
		if (n == 2 && ((c == 0xe0 && p[i + 1] < 0xa0) ||
			       (c == 0xed && p[i + 1] > 0x9f)))
			n = 0;
		if (n == 3 && ((c == 0xf0 && p[i + 1] < 0x90) ||
			       (c == 0xf4 && p[i + 1] > 0x8f)))
			n = 0;
		if (n) {
			memcpy(out + o, p + i, n + 1);
			o += n + 1;
			i += n + 1;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	out[o] = '\0';
	return out;
}

struct strings {
	char container[4 * CLONEGATE_PATH_LEN];
	char cwd[4 * CLONEGATE_PATH_LEN];
	char comm[4 * CLONEGATE_COMM_LEN];
};

static void context(const struct clonegate_event *ev,
		    Clonegate__Seccheck__ContextData *cd,
		    Clonegate__Seccheck__Credentials *cr, struct strings *st)
{
	uint32_t f = ev->fields;

	if (f & CLONEGATE_FIELD_TIME)
		cd->time_ns = ev->time_ns;
	if (f & CLONEGATE_FIELD_THREAD_ID)
		cd->thread_id = ev->thread_id;
	if (f & CLONEGATE_FIELD_THREAD_START_TIME)
		cd->thread_start_time_ns = ev->thread_start_time_ns;
	if (f & CLONEGATE_FIELD_THREAD_GROUP_ID)
		cd->thread_group_id = ev->thread_group_id;
	if (f & CLONEGATE_FIELD_THREAD_GROUP_START_TIME)
		cd->thread_group_start_time_ns = ev->thread_group_start_time_ns;
	if (f & CLONEGATE_FIELD_CONTAINER_ID)
		cd->container_id = utf8(ev->container_id,
					sizeof(ev->container_id),
					st->container, sizeof(st->container));
	if (f & CLONEGATE_FIELD_CREDENTIALS) {
		cr->real_uid = ev->uid;
		cr->effective_uid = ev->euid;
		cr->saved_uid = ev->suid;
		cr->real_gid = ev->gid;
		cr->effective_gid = ev->egid;
		cr->saved_gid = ev->sgid;
		cd->credentials = cr;
	}
	if (f & CLONEGATE_FIELD_CWD)
		cd->cwd = utf8(ev->cwd, sizeof(ev->cwd), st->cwd,
			       sizeof(st->cwd));
	if (f & CLONEGATE_FIELD_PROCESS_NAME)
		cd->process_name = utf8(ev->process_name,
					sizeof(ev->process_name), st->comm,
					sizeof(st->comm));
	/* gVisor's ContextData has no parent_thread_group_id (numbers 1-9) */
}

/*
 * Records that never reached this reader are dropped points too: a gap in
 * seq is counted once. The rings hand over records slightly out of seq
 * order, and each seq comes at most once, so a record older than the
 * newest seen and newer than the first was counted in a gap and is taken
 * back off. The count wraps, as gVisor's, both ways.
 */
void seccheck_seen(struct seccheck *s, uint64_t seq)
{
	if (!s->first_seq) {
		s->first_seq = seq;
		s->last_seq = seq;
	} else if (seq > s->last_seq) {
		s->dropped += seq - s->last_seq - 1;
		s->last_seq = seq;
	} else if (seq > s->first_seq && seq < s->last_seq) {
		s->dropped--;
	}
}

static int send_packet(struct seccheck *s, uint16_t type,
		       const ProtobufCMessage *msg)
{
	uint8_t payload[8192];
	struct wire_header h = {
		.header_size = HEADER_SIZE,
		.message_type = type,
		.dropped_count = s->dropped,
	};
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ payload, 0 },
	};
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
	size_t len = protobuf_c_message_get_packed_size(msg);

	if (len > sizeof(payload)) {
		s->dropped++;
		return 0;
	}
	iov[1].iov_len = protobuf_c_message_pack(msg, payload);
	if (sendmsg(s->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
		s->sent++;
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
		s->dropped++;
		return 0;
	}
	fprintf(stderr, "clonegate-events: --seccheck: the monitor is gone: %s\n",
		strerror(errno));
	return -1;
}

int seccheck_send(struct seccheck *s, const struct clonegate_event *ev)
{
	Clonegate__Seccheck__ContextData cd = CLONEGATE__SECCHECK__CONTEXT_DATA__INIT;
	Clonegate__Seccheck__Credentials cr = CLONEGATE__SECCHECK__CREDENTIALS__INIT;
	Clonegate__Seccheck__Exit ex = CLONEGATE__SECCHECK__EXIT__INIT;
	static struct strings st;
	int refused = ev->decision == DEC_DENIED || ev->decision == DEC_AUDITED;
	static const uint64_t sysno[] = {
		[OP_CLONE] = __NR_clone, [OP_CLONE3] = __NR_clone3,
		[OP_FORK] = __NR_fork, [OP_VFORK] = __NR_vfork,
		[OP_UNSHARE] = __NR_unshare, [OP_SETNS] = __NR_setns,
	};
	/* clone(2) takes the exit signal in its flags' low byte */
	uint64_t flags = ev->flags |
			 (ev->op == OP_CLONE ? (uint64_t)(ev->exit_signal & 0xff) : 0);

	if (ev->op > OP_SETNS) {
		/* not a call (a health event): seccheck has no point for it */
		s->skipped++;
		return 0;
	}
	context(ev, &cd, &cr, &st);
	if (refused) {
		ex.errorno = ev->errno_value;
		ex.result = ev->decision == DEC_DENIED ? -(int64_t)ev->errno_value : 0;
	}

	if (ev->op <= OP_VFORK && !refused) {
		Clonegate__Seccheck__CloneInfo m = CLONEGATE__SECCHECK__CLONE_INFO__INIT;

		m.context_data = &cd;
		m.created_thread_id = ev->created_thread_id;
		m.created_thread_group_id = ev->created_thread_group_id;
		m.created_thread_start_time_ns = ev->created_thread_start_time_ns;
		m.flags = flags;
		return send_packet(s, CLONEGATE__SECCHECK__MESSAGE_TYPE__MESSAGE_SENTRY_CLONE,
				   &m.base);
	}
	if (ev->op == OP_CLONE || ev->op == OP_CLONE3) {
		Clonegate__Seccheck__Clone m = CLONEGATE__SECCHECK__CLONE__INIT;

		m.context_data = &cd;
		m.exit = &ex;
		m.sysno = sysno[ev->op];
		m.flags = flags;
		return send_packet(s, CLONEGATE__SECCHECK__MESSAGE_TYPE__MESSAGE_SYSCALL_CLONE,
				   &m.base);
	}
	if (ev->op == OP_FORK || ev->op == OP_VFORK) {
		Clonegate__Seccheck__Fork m = CLONEGATE__SECCHECK__FORK__INIT;

		m.context_data = &cd;
		m.exit = &ex;
		m.sysno = sysno[ev->op];
		return send_packet(s, CLONEGATE__SECCHECK__MESSAGE_TYPE__MESSAGE_SYSCALL_FORK,
				   &m.base);
	}
	{
		/* unshare(flags) and setns(fd, nstype): the flags as they were */
		Clonegate__Seccheck__Syscall m = CLONEGATE__SECCHECK__SYSCALL__INIT;

		m.context_data = &cd;
		m.exit = refused ? &ex : NULL;
		m.sysno = sysno[ev->op];
		if (ev->op == OP_UNSHARE)
			m.arg1 = ev->flags;
		else
			m.arg2 = ev->flags;
		return send_packet(s, CLONEGATE__SECCHECK__MESSAGE_TYPE__MESSAGE_SYSCALL_RAW,
				   &m.base);
	}
}
