// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc message queues: one ioctl each.  Every argument struct is built
 * here from zero, so reserved fields are zero and size is this library's
 * sizeof.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <kipc.h>

#include "internal.h"

/*
 * Opening and removing, for queues and mailboxes alike: @cmd is
 * KIPC_IOC_QUEUE_OPEN/REMOVE or KIPC_IOC_MAILBOX_OPEN/REMOVE, which take the
 * same structs (internal.h).
 */
static int kipc_do_open(int sfd, unsigned long cmd,
			struct kipc_queue_open *args, uint64_t *id)
{
	int fd;

	fd = ioctl(sfd, cmd, args);
	if (fd < 0)
		return -errno;
	if (id)
		*id = args->id;
	return fd;
}

int kipc_named_open(int sfd, unsigned long cmd, const char *name,
		    unsigned int flags, unsigned int mode,
		    const struct kipc_queue_limits *lim, uint64_t *id)
{
	struct kipc_queue_open args = {
		.size		= sizeof(args),
		.flags		= flags,
		.name_ptr	= (uintptr_t)name,
		.mode		= mode,
	};

	if (lim) {
		args.max_msgsize = lim->max_msgsize;
		args.capacity = lim->capacity;
		args.max_msgs = lim->max_msgs;
	}
	return kipc_do_open(sfd, cmd, &args, id);
}

int kipc_named_open_id(int sfd, unsigned long cmd, uint64_t id,
		       unsigned int flags)
{
	struct kipc_queue_open args = {
		.size		= sizeof(args),
		.flags		= flags,
		.id		= id,
	};

	/* with no name, KIPC_O_CREAT would make a new anonymous object */
	if (flags & KIPC_O_CREAT)
		return -EINVAL;
	return kipc_do_open(sfd, cmd, &args, NULL);
}

int kipc_named_remove(int sfd, unsigned long cmd, const char *name,
		      uint64_t id)
{
	struct kipc_queue_remove args = {
		.size		= sizeof(args),
		.name_ptr	= (uintptr_t)name,
		.id		= id,
	};

	if (ioctl(sfd, cmd, &args) < 0)
		return -errno;
	return 0;
}

int kipc_queue_open(int sfd, const char *name, unsigned int flags,
		    unsigned int mode, const struct kipc_queue_limits *lim,
		    uint64_t *id)
{
	return kipc_named_open(sfd, KIPC_IOC_QUEUE_OPEN, name, flags, mode,
			       lim, id);
}

int kipc_queue_open_id(int sfd, uint64_t id, unsigned int flags)
{
	return kipc_named_open_id(sfd, KIPC_IOC_QUEUE_OPEN, id, flags);
}

int kipc_queue_remove(int sfd, const char *name)
{
	/* a NULL name would remove by id 0, which never exists */
	if (!name)
		return -EINVAL;
	return kipc_named_remove(sfd, KIPC_IOC_QUEUE_REMOVE, name, 0);
}

int kipc_queue_remove_id(int sfd, uint64_t id)
{
	return kipc_named_remove(sfd, KIPC_IOC_QUEUE_REMOVE, NULL, id);
}

int kipc_queue_timedsend(int qfd, const void *buf, size_t len, uint64_t type,
			 unsigned int flags, uint64_t deadline_ns)
{
	struct kipc_send args = {
		.size		= sizeof(args),
		.flags		= flags,
		.buf_ptr	= (uintptr_t)buf,
		.len		= len,
		.type		= type,
		.deadline_ns	= deadline_ns,
	};

	if (ioctl(qfd, KIPC_IOC_QUEUE_SEND, &args) < 0)
		return -errno;
	return 0;
}

int kipc_queue_send(int qfd, const void *buf, size_t len, uint64_t type)
{
	return kipc_queue_timedsend(qfd, buf, len, type, 0, 0);
}

ssize_t kipc_queue_timedrecv(int qfd, void *buf, size_t len,
			     enum kipc_select sel, uint64_t type,
			     unsigned int flags, uint64_t deadline_ns,
			     struct kipc_msg_info *info)
{
	struct kipc_recv args = {
		.size		= sizeof(args),
		.flags		= flags,
		.buf_ptr	= (uintptr_t)buf,
		.buf_len	= len,
		.select		= sel,
		.type		= type,
		.deadline_ns	= deadline_ns,
	};
	int err;

	if (ioctl(qfd, KIPC_IOC_QUEUE_RECV, &args) < 0) {
		err = errno;
		/* the header of the message that did not fit: its length */
		if (err == EMSGSIZE && info)
			*info = args.info;
		return -err;
	}
	if (info)
		*info = args.info;
	return (ssize_t)args.info.len;
}

ssize_t kipc_queue_recv(int qfd, void *buf, size_t len,
			struct kipc_msg_info *info)
{
	return kipc_queue_timedrecv(qfd, buf, len, KIPC_SEL_FIFO, 0, 0, 0,
				    info);
}

ssize_t kipc_queue_recv_prio(int qfd, void *buf, size_t len,
			     struct kipc_msg_info *info)
{
	return kipc_queue_timedrecv(qfd, buf, len, KIPC_SEL_PRIO, 0, 0, 0,
				    info);
}

ssize_t kipc_queue_recv_type(int qfd, void *buf, size_t len,
			     enum kipc_select sel, uint64_t type,
			     struct kipc_msg_info *info)
{
	return kipc_queue_timedrecv(qfd, buf, len, sel, type, 0, 0, info);
}

int kipc_queue_stat(int qfd, struct kipc_queue_stat *st)
{
	st->size = sizeof(*st);
	if (ioctl(qfd, KIPC_IOC_QUEUE_STAT, st) < 0)
		return -errno;
	return 0;
}

int kipc_queue_set(int qfd, const struct kipc_queue_set *set)
{
	struct kipc_queue_set args = {
		.size		= sizeof(args),
		.flags		= set->flags,
		.mode		= set->mode,
		.uid		= set->uid,
		.gid		= set->gid,
		.max_msgsize	= set->max_msgsize,
		.capacity	= set->capacity,
		.max_msgs	= set->max_msgs,
	};

	if (ioctl(qfd, KIPC_IOC_QUEUE_SET, &args) < 0)
		return -errno;
	return 0;
}
