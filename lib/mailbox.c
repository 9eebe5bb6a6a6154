// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc mailboxes: message queues in a namespace of their own, which may
 * belong to a process.  Only opening and removing differ from queues (other
 * ioctl numbers, two more open flags), and they share queue.c's code;
 * sending and receiving on a mailbox fd are the kipc_queue_* functions.
 */
#include <errno.h>
#include <stdint.h>

#include <kipc.h>

#include "internal.h"

int kipc_mailbox_open(int sfd, const char *name, unsigned int flags,
		      unsigned int mode, const struct kipc_queue_limits *lim,
		      uint64_t *id)
{
	return kipc_named_open(sfd, KIPC_IOC_MAILBOX_OPEN, name, flags, mode,
			       lim, id);
}

int kipc_mailbox_open_id(int sfd, uint64_t id, unsigned int flags)
{
	return kipc_named_open_id(sfd, KIPC_IOC_MAILBOX_OPEN, id, flags);
}

int kipc_mailbox_remove(int sfd, const char *name)
{
	/* a NULL name would remove by id 0, which never exists */
	if (!name)
		return -EINVAL;
	return kipc_named_remove(sfd, KIPC_IOC_MAILBOX_REMOVE, name, 0);
}

int kipc_mailbox_remove_id(int sfd, uint64_t id)
{
	return kipc_named_remove(sfd, KIPC_IOC_MAILBOX_REMOVE, NULL, id);
}
