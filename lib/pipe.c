// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc pipes: byte streams used with read(2), write(2) and poll(2) once
 * open, and full-duplex channels made of two of them.  Every argument
 * struct is built here from zero, so reserved fields are zero and size is
 * this library's sizeof.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <kipc.h>

#include "internal.h"

#define KIPC_PIPE_FD_FLAGS	(KIPC_O_NONBLOCK | KIPC_O_CLOEXEC)

/* KIPC_IOC_PIPE_OPEN for one end: returns that end's fd. */
static int kipc_pipe_open_end(int sfd, struct kipc_pipe_open *args)
{
	unsigned int dir = args->flags & (KIPC_O_READ | KIPC_O_WRITE);

	if (dir != KIPC_O_READ && dir != KIPC_O_WRITE)
		return -EINVAL;
	if (ioctl(sfd, KIPC_IOC_PIPE_OPEN, args) < 0)
		return -errno;
	return dir == KIPC_O_READ ? args->read_fd : args->write_fd;
}

int kipc_pipe(int sfd, int fds[2], unsigned int flags)
{
	struct kipc_pipe_open args = {
		.size	= sizeof(args),
		.flags	= KIPC_O_READ | KIPC_O_WRITE | KIPC_O_CREAT | flags,
		/* the creator may reopen it by id, like /proc/self/fd of a pipe */
		.mode	= 0600,
	};

	if (flags & ~KIPC_PIPE_FD_FLAGS)
		return -EINVAL;
	if (ioctl(sfd, KIPC_IOC_PIPE_OPEN, &args) < 0)
		return -errno;
	fds[0] = args.read_fd;
	fds[1] = args.write_fd;
	return 0;
}

int kipc_pipe_open(int sfd, const char *name, unsigned int flags,
		   unsigned int mode, uint32_t capacity)
{
	struct kipc_pipe_open args = {
		.size		= sizeof(args),
		.flags		= flags,
		.name_ptr	= (uintptr_t)name,
		.mode		= mode,
		.capacity	= capacity,
	};

	/* without a name the kernel would open id 0 or make an anonymous one */
	if (!name)
		return -EINVAL;
	return kipc_pipe_open_end(sfd, &args);
}

int kipc_pipe_open_id(int sfd, uint64_t id, unsigned int flags)
{
	struct kipc_pipe_open args = {
		.size	= sizeof(args),
		.flags	= flags,
		.id	= id,
	};

	/* with no name, KIPC_O_CREAT would make a new anonymous pipe */
	if (flags & KIPC_O_CREAT)
		return -EINVAL;
	return kipc_pipe_open_end(sfd, &args);
}

int kipc_pipe_remove(int sfd, const char *name)
{
	/* a NULL name would remove by id 0, which never exists */
	if (!name)
		return -EINVAL;
	return kipc_named_remove(sfd, KIPC_IOC_PIPE_REMOVE, name, 0);
}

int kipc_pipe_remove_id(int sfd, uint64_t id)
{
	return kipc_named_remove(sfd, KIPC_IOC_PIPE_REMOVE, NULL, id);
}

int kipc_pipe_stat(int fd, struct kipc_pipe_stat *st)
{
	st->size = sizeof(*st);
	if (ioctl(fd, KIPC_IOC_PIPE_STAT, st) < 0)
		return -errno;
	return 0;
}

int kipc_pipe_set(int fd, const struct kipc_pipe_set *set)
{
	struct kipc_pipe_set args = {
		.size		= sizeof(args),
		.flags		= set->flags,
		.mode		= set->mode,
		.uid		= set->uid,
		.gid		= set->gid,
		.capacity	= set->capacity,
	};

	if (ioctl(fd, KIPC_IOC_PIPE_SET, &args) < 0)
		return -errno;
	return 0;
}

int kipc_pipe_set_capacity(int fd, uint32_t bytes)
{
	struct kipc_pipe_set set = {
		.flags		= KIPC_SET_CAPACITY,
		.capacity	= bytes,
	};
	struct kipc_pipe_stat st;
	int ret;

	ret = kipc_pipe_set(fd, &set);
	if (ret)
		return ret;
	ret = kipc_pipe_stat(fd, &st);
	if (ret)
		return ret;
	return st.capacity > INT32_MAX ? INT32_MAX : (int)st.capacity;
}

/* close(2) both fds of @end that are open; -errno of the first failure. */
int kipc_duplex_close(struct kipc_duplex *end)
{
	int ret = 0;

	if (end->rfd >= 0 && close(end->rfd) < 0)
		ret = -errno;
	if (end->wfd >= 0 && close(end->wfd) < 0 && !ret)
		ret = -errno;
	end->rfd = -1;
	end->wfd = -1;
	return ret;
}

int kipc_duplex(int sfd, unsigned int flags, struct kipc_duplex ends[2])
{
	int a[2], b[2], ret;

	ret = kipc_pipe(sfd, a, flags);
	if (ret)
		return ret;
	ret = kipc_pipe(sfd, b, flags);
	if (ret) {
		close(a[0]);
		close(a[1]);
		return ret;
	}
	/* ends[1] writes what ends[0] reads (a), and the other way (b) */
	ends[0].rfd = a[0];
	ends[1].wfd = a[1];
	ends[1].rfd = b[0];
	ends[0].wfd = b[1];
	return 0;
}

/* Set O_NONBLOCK on @fd. */
static int kipc_set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

int kipc_duplex_open(int sfd, const char *name, int side, unsigned int flags,
		     unsigned int mode, struct kipc_duplex *end)
{
	/* the opens wait for the other side; O_NONBLOCK comes after them */
	unsigned int oflags = KIPC_O_CREAT | (flags & KIPC_O_CLOEXEC);
	char name0[KIPC_NAME_MAX + 1], name1[KIPC_NAME_MAX + 1];
	struct kipc_duplex e = { .rfd = -1, .wfd = -1 };
	int ret;

	if (!name || (side != 0 && side != 1) ||
	    (flags & ~KIPC_PIPE_FD_FLAGS))
		return -EINVAL;
	if (strlen(name) + 2 > KIPC_NAME_MAX)
		return -ENAMETOOLONG;
	snprintf(name0, sizeof(name0), "%s.0", name);
	snprintf(name1, sizeof(name1), "%s.1", name);

	/*
	 * Side 0 reads "name.0" and writes "name.1", side 1 the other way.
	 * Both open "name.0" first, so neither waits for an end the other
	 * opens after its own wait.
	 */
	if (side == 0) {
		ret = kipc_pipe_open(sfd, name0, oflags | KIPC_O_READ, mode, 0);
		if (ret < 0)
			goto out_close;
		e.rfd = ret;
		ret = kipc_pipe_open(sfd, name1, oflags | KIPC_O_WRITE, mode, 0);
		if (ret < 0)
			goto out_close;
		e.wfd = ret;
	} else {
		ret = kipc_pipe_open(sfd, name0, oflags | KIPC_O_WRITE, mode, 0);
		if (ret < 0)
			goto out_close;
		e.wfd = ret;
		ret = kipc_pipe_open(sfd, name1, oflags | KIPC_O_READ, mode, 0);
		if (ret < 0)
			goto out_close;
		e.rfd = ret;
	}
	if (flags & KIPC_O_NONBLOCK) {
		ret = kipc_set_nonblock(e.rfd);
		if (!ret)
			ret = kipc_set_nonblock(e.wfd);
		if (ret)
			goto out_close;
	}
	*end = e;
	return 0;

out_close:
	kipc_duplex_close(&e);
	return ret;
}
