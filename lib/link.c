// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc direct links: binding a session to its process, links to other
 * processes by PID, messages over them and request-reply.  The calls take
 * a bound session fd and a peer's pid, or a link fd and pid 0.  Every
 * argument struct is built here from zero (kipc_link_recvx() excepted: it
 * passes the caller's), so reserved fields are zero and size is this
 * library's sizeof.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include <kipc.h>

int kipc_bind(int sfd, unsigned int flags, const struct kipc_queue_limits *lim)
{
	struct kipc_bind args = {
		.size		= sizeof(args),
		.flags		= flags,
	};

	if (lim) {
		args.max_msgsize = lim->max_msgsize;
		args.max_msgs = lim->max_msgs;
		args.capacity = lim->capacity;
	}
	if (ioctl(sfd, KIPC_IOC_BIND, &args) < 0)
		return -errno;
	return 0;
}

int kipc_connect(int sfd, pid_t pid, unsigned int flags)
{
	struct kipc_connect args = {
		.size		= sizeof(args),
		.flags		= flags,
		.pid		= pid,
	};
	int fd;

	fd = ioctl(sfd, KIPC_IOC_CONNECT, &args);
	return fd < 0 ? -errno : fd;
}

int kipc_link_timedsend(int fd, pid_t pid, const void *buf, size_t len,
			uint64_t type, unsigned int flags,
			uint64_t deadline_ns)
{
	struct kipc_link_send args = {
		.size		= sizeof(args),
		.flags		= flags,
		.pid		= pid,
		.buf_ptr	= (uintptr_t)buf,
		.len		= len,
		.type		= type,
		.deadline_ns	= deadline_ns,
	};

	if (ioctl(fd, KIPC_IOC_LINK_SEND, &args) < 0)
		return -errno;
	return 0;
}

int kipc_link_send(int fd, pid_t pid, const void *buf, size_t len,
		   uint64_t type)
{
	return kipc_link_timedsend(fd, pid, buf, len, type, 0, 0);
}

/* KIPC_IOC_LINK_RECV on a complete struct: the length, or -errno. */
static ssize_t kipc_link_do_recv(int fd, struct kipc_link_recv *r)
{
	int ret;

	ret = ioctl(fd, KIPC_IOC_LINK_RECV, r);
	return ret < 0 ? -errno : ret;
}

/* Errors with which the kernel filled in the header: the peer, the length. */
static bool kipc_link_recv_has_info(ssize_t ret)
{
	return ret >= 0 || ret == -EMSGSIZE || ret == -ECONNRESET;
}

ssize_t kipc_link_recv(int fd, pid_t pid, void *buf, size_t len,
		       struct kipc_msg_info *info)
{
	struct kipc_link_recv args = {
		.size		= sizeof(args),
		.pid		= pid,
		.select		= KIPC_SEL_FIFO,
		.buf_ptr	= (uintptr_t)buf,
		.buf_len	= len,
	};
	ssize_t ret;

	ret = kipc_link_do_recv(fd, &args);
	if (info && kipc_link_recv_has_info(ret))
		*info = args.info;
	return ret;
}

ssize_t kipc_link_recvx(int fd, struct kipc_link_recv *r)
{
	r->size = sizeof(*r);
	r->reserved0 = 0;
	memset(r->reserved, 0, sizeof(r->reserved));
	return kipc_link_do_recv(fd, r);
}

ssize_t kipc_timedcall(int fd, pid_t pid, const void *req, size_t req_len,
		       uint64_t type, void *reply, size_t reply_len,
		       unsigned int flags, uint64_t deadline_ns,
		       struct kipc_msg_info *info)
{
	struct kipc_link_call args = {
		.size		= sizeof(args),
		.flags		= flags,
		.pid		= pid,
		.req_ptr	= (uintptr_t)req,
		.req_len	= req_len,
		.type		= type,
		.reply_ptr	= (uintptr_t)reply,
		.reply_len	= reply_len,
		.deadline_ns	= deadline_ns,
	};
	int ret;

	ret = ioctl(fd, KIPC_IOC_LINK_CALL, &args);
	if (ret < 0)
		return -errno;
	if (info)
		*info = args.info;
	return ret;
}

ssize_t kipc_call(int fd, pid_t pid, const void *req, size_t req_len,
		  void *reply, size_t reply_len, struct kipc_msg_info *info)
{
	return kipc_timedcall(fd, pid, req, req_len, 0, reply, reply_len, 0, 0,
			      info);
}

int kipc_reply(int fd, uint64_t request_id, const void *buf, size_t len)
{
	struct kipc_link_reply args = {
		.size		= sizeof(args),
		.request_id	= request_id,
		.buf_ptr	= (uintptr_t)buf,
		.len		= len,
	};

	if (ioctl(fd, KIPC_IOC_LINK_REPLY, &args) < 0)
		return -errno;
	return 0;
}

ssize_t kipc_reply_recv(int fd, uint64_t *request_id, const void *reply,
			size_t reply_len, void *buf, size_t len,
			struct kipc_msg_info *info, unsigned int *kind)
{
	struct kipc_link_recv args = {
		.size		= sizeof(args),
		.select		= KIPC_SEL_FIFO,
		.buf_ptr	= (uintptr_t)buf,
		.buf_len	= len,
		.reply_id	= *request_id,
		.reply_ptr	= (uintptr_t)reply,
		.reply_len	= reply_len,
	};
	ssize_t ret;

	ret = kipc_link_do_recv(fd, &args);
	if (info && kipc_link_recv_has_info(ret))
		*info = args.info;
	if (ret >= 0) {
		*request_id = args.request_id;
		if (kind)
			*kind = args.kind;
	} else if (!args.reply_id || ret == -ESRCH) {
		/* the kernel clears reply_id once the reply went out */
		*request_id = 0;
	}
	return ret;
}
