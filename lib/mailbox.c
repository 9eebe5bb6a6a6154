// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc mailboxes: message queues in a namespace of their own, which may
 * belong to a process.  Only opening and removing differ from queues (other
 * ioctl numbers, two more open flags); sending and receiving on a mailbox
 * fd are the kipc_queue_* functions.  Every argument struct is built here
 * from zero, so reserved fields are zero and size is this library's sizeof.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include <kipc.h>

static int kipc_mailbox_do_open(int sfd, struct kipc_queue_open *args,
				uint64_t *id)
{
	int fd;

	fd = ioctl(sfd, KIPC_IOC_MAILBOX_OPEN, args);
	if (fd < 0)
		return -errno;
	if (id)
		*id = args->id;
	return fd;
}

int kipc_mailbox_open(int sfd, const char *name, unsigned int flags,
		      unsigned int mode, const struct kipc_queue_limits *lim,
		      uint64_t *id)
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
	return kipc_mailbox_do_open(sfd, &args, id);
}

int kipc_mailbox_open_id(int sfd, uint64_t id, unsigned int flags)
{
	struct kipc_queue_open args = {
		.size		= sizeof(args),
		.flags		= flags,
		.id		= id,
	};

	/* with no name, KIPC_O_CREAT would make a new anonymous mailbox */
	if (flags & KIPC_O_CREAT)
		return -EINVAL;
	return kipc_mailbox_do_open(sfd, &args, NULL);
}

static int kipc_mailbox_do_remove(int sfd, const char *name, uint64_t id)
{
	struct kipc_queue_remove args = {
		.size		= sizeof(args),
		.name_ptr	= (uintptr_t)name,
		.id		= id,
	};

	if (ioctl(sfd, KIPC_IOC_MAILBOX_REMOVE, &args) < 0)
		return -errno;
	return 0;
}

int kipc_mailbox_remove(int sfd, const char *name)
{
	/* a NULL name would remove by id 0, which never exists */
	if (!name)
		return -EINVAL;
	return kipc_mailbox_do_remove(sfd, name, 0);
}

int kipc_mailbox_remove_id(int sfd, uint64_t id)
{
	return kipc_mailbox_do_remove(sfd, NULL, id);
}
