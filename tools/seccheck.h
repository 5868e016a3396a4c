/* SPDX-License-Identifier: GPL-2.0 */
/*
 * clonegate-events --seccheck: events as gVisor's seccheck remote sink
 * sends its points (seccheck.c).
 */
#ifndef CLONEGATE_SECCHECK_H
#define CLONEGATE_SECCHECK_H

#include <stdint.h>

#include "../include/uapi/linux/clonegate.h"

struct seccheck {
	int fd;
	uint32_t dropped;	/* what the next header says; wraps, as gVisor's */
	uint64_t sent, skipped;
	uint64_t first_seq, last_seq;	/* 0 until the first record */
};

/*
 * Connect to the monitor listening at @path and do the remote sink's
 * handshake. Return: 0, or -1 after saying why on stderr.
 */
int seccheck_connect(struct seccheck *s, const char *path);

/*
 * Note the seq of a record read from the device, every one, before any
 * filter and whatever its version: records that never reached this
 * reader (gaps in seq) are counted in the next header's dropped count.
 */
void seccheck_seen(struct seccheck *s, uint64_t seq);

/*
 * Send one record as its seccheck point. A record the monitor cannot take
 * now is counted in the next header's dropped count. Return: 0, or -1
 * when the monitor has gone (said on stderr).
 */
int seccheck_send(struct seccheck *s, const struct clonegate_event *ev);

#endif /* CLONEGATE_SECCHECK_H */
