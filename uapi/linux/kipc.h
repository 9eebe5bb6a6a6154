/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kipc - interprocess communication through /dev/kipc
 *
 * This header is the whole contract between the kipc module and user space.
 *
 * Handles
 *   open("/dev/kipc") gives a session fd.  Session ioctls create or open
 *   objects and return a new file descriptor for each opening (the ioctl's
 *   return value).  Object fds support poll/epoll, O_NONBLOCK, O_CLOEXEC and
 *   passing over UNIX sockets.
 *
 * Argument structs
 *   Every struct starts with __u32 size (the caller's sizeof) so it can grow.
 *   Input structs: bytes the kernel does not know must be zero (-E2BIG
 *   otherwise; a size over 4096 is -E2BIG in any case), reserved fields and
 *   unknown flags must be zero (-EINVAL).
 *   Output structs: the kernel fills min(size, its own size) bytes and zeroes
 *   the rest of the caller's struct.  Pointers travel as __u64.
 *   The kernel ignores the size bits of an ioctl command number: the size
 *   field is authoritative, so a grown struct keeps its command.
 *
 * Errors common to every ioctl
 *   -EFAULT  an argument or a buffer it points to is not accessible
 *   -EINVAL  unknown flag, nonzero reserved field, size smaller than the
 *            first published version of the struct
 *   -E2BIG   size larger than the kernel's struct with nonzero tail bytes,
 *            or larger than 4096
 *   -ENOTTY  the command is not known on this kind of fd
 *
 * Message queues
 *   A queue is a kernel-held list of messages of 0 to max_msgsize bytes.
 *   A queue is named (persistent: it lives until removed) or anonymous
 *   (name_ptr 0: it is reachable by id while it has open fds and goes away
 *   with its last fd).  Every message carries a kernel-stamped header
 *   (struct kipc_msg_info).  A queue holds at most max_msgs messages and at
 *   most capacity payload bytes.
 *
 *   KIPC_IOC_QUEUE_OPEN (session fd) -> queue fd
 *     -EEXIST       KIPC_O_CREAT|KIPC_O_EXCL and the name exists
 *     -ENOENT       no queue of that name or id
 *     -EINVAL       bad name (empty, contains '/' or control characters),
 *                   neither KIPC_O_SEND nor KIPC_O_RECV, bad attributes
 *     -ENAMETOOLONG name longer than KIPC_NAME_MAX
 *     -EACCES       mode bits do not grant the requested direction
 *     -EDQUOT       the user's queue count or byte quota is used up
 *     -EMSGSIZE     max_msgsize over the module limit (msgsize_max)
 *     -EINVAL       also: capacity or max_msgs over the module limit,
 *                   max_msgsize over capacity
 *     -EMFILE/-ENFILE/-ENOMEM  as for open(2)
 *     -ENOSPC       ids exhausted (32-bit kernels only, after 2^32 ids)
 *   KIPC_IOC_QUEUE_REMOVE (session fd): the name goes at once, blocked
 *     waiters wake with -EIDRM, later sends, receives and sets on the
 *     queue's fds get -EIDRM (stat works and reports KIPC_STAT_REMOVED),
 *     memory is freed when the last fd closes.
 *     -ENOENT, -EPERM (not owner or creator, no CAP_SYS_ADMIN),
 *     -EINVAL/-ENAMETOOLONG (bad name, as for open), -ENOMEM
 *   KIPC_IOC_QUEUE_SEND (queue fd)
 *     -EBADF        fd not opened with KIPC_O_SEND
 *     -EMSGSIZE     len > max_msgsize
 *     -EAGAIN       queue full and non-blocking
 *     -ETIMEDOUT    deadline passed while full
 *     -EINTR        a signal arrived (restarted with SA_RESTART)
 *     -EIDRM        queue removed
 *     -ENOMEM       no memory for the message
 *   KIPC_IOC_QUEUE_RECV (queue fd)
 *     -EBADF        fd not opened with KIPC_O_RECV
 *     -EMSGSIZE     selected message larger than the buffer; it stays queued
 *     -EAGAIN, -ETIMEDOUT, -EINTR, -EIDRM as for send
 *     -EFAULT       buffer not writable; the message stays queued
 *   KIPC_IOC_QUEUE_STAT (queue fd): counters, limits, owner, times
 *   KIPC_IOC_QUEUE_SET (queue fd): change mode, owner, limits
 *     -EPERM (not owner or creator, no CAP_SYS_ADMIN), -EINVAL, -EMSGSIZE,
 *     -EDQUOT as for open
 *   read(2)/write(2) on a queue fd receive the oldest message and send a
 *   message of type 0, with the same errors.
 *   poll: EPOLLIN when a message is queued, EPOLLOUT when a message of
 *   max_msgsize fits, EPOLLERR|EPOLLHUP once removed.
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KIPC_DEVICE		"/dev/kipc"

#define KIPC_VERSION_MAJOR	1
#define KIPC_VERSION_MINOR	0

/* Longest object name, without the terminating NUL. */
#define KIPC_NAME_MAX		255

/* Feature bits reported by KIPC_IOC_VERSION. */
#define KIPC_FEAT_QUEUE		(1ULL << 0)	/* message queues */
#define KIPC_FEAT_QUEUE_RW	(1ULL << 1)	/* read/write on queue fds */

/**
 * struct kipc_version - KIPC_IOC_VERSION
 * @size:	caller's sizeof(struct kipc_version)
 * @major:	incompatible ABI changes (never expected)
 * @minor:	compatible additions
 * @features:	KIPC_FEAT_* this module implements
 * @reserved:	zero
 */
struct kipc_version {
	__u32 size;
	__u32 major;
	__u32 minor;
	__u32 reserved0;
	__u64 features;
	__u64 reserved[2];
};

/* Open flags, shared by every object type. */
#define KIPC_O_CREAT		(1U << 0)	/* create if missing */
#define KIPC_O_EXCL		(1U << 1)	/* with CREAT: fail if it exists */
#define KIPC_O_SEND		(1U << 2)	/* this opening may send */
#define KIPC_O_RECV		(1U << 3)	/* this opening may receive */
#define KIPC_O_NONBLOCK		(1U << 4)	/* fd gets O_NONBLOCK */
#define KIPC_O_CLOEXEC		(1U << 5)	/* fd gets O_CLOEXEC */
#define KIPC_O_ALL		0x3fU

/**
 * struct kipc_queue_open - KIPC_IOC_QUEUE_OPEN
 * @size:	caller's sizeof
 * @flags:	KIPC_O_*; at least one of KIPC_O_SEND, KIPC_O_RECV
 * @name_ptr:	NUL-terminated name, or 0 to open by @id or (with
 *		KIPC_O_CREAT) to create an anonymous queue
 * @id:		in: the id to open when @name_ptr is 0; out: the queue's id
 * @mode:	permission bits (0777 mask) for a new queue
 * @max_msgsize: largest message of a new queue; 0: module default
 * @capacity:	payload bytes a new queue holds; 0: module default
 * @max_msgs:	messages a new queue holds; 0: module default
 * @reserved:	zero
 *
 * With KIPC_O_CREAT the attributes are always checked, and they apply
 * when the call creates the queue (an existing queue keeps its own).  Each
 * such call consumes an id even if it opens an existing queue: ids are
 * unique, not dense.  Returns the new queue fd.
 */
struct kipc_queue_open {
	__u32 size;
	__u32 flags;
	__u64 name_ptr;
	__u64 id;
	__u32 mode;
	__u32 max_msgsize;
	__u64 capacity;
	__u32 max_msgs;
	__u32 reserved0;
	__u64 reserved[4];
};

/**
 * struct kipc_queue_remove - KIPC_IOC_QUEUE_REMOVE
 * @size:	caller's sizeof
 * @flags:	zero
 * @name_ptr:	name, or 0 to remove by @id
 * @id:		id when @name_ptr is 0
 * @reserved:	zero
 */
struct kipc_queue_remove {
	__u32 size;
	__u32 flags;
	__u64 name_ptr;
	__u64 id;
	__u64 reserved[2];
};

/* Send and receive flags. */
#define KIPC_MSG_NONBLOCK	(1U << 0)	/* -EAGAIN instead of waiting */
#define KIPC_MSG_DEADLINE	(1U << 1)	/* @deadline_ns is valid */
#define KIPC_MSG_ALL		0x3U

/**
 * struct kipc_send - KIPC_IOC_QUEUE_SEND
 * @size:	caller's sizeof
 * @flags:	KIPC_MSG_*
 * @buf_ptr:	payload
 * @len:	payload length, 0 to max_msgsize
 * @type:	message type, also its priority (higher is more urgent)
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up waiting for room
 * @reserved:	zero
 */
struct kipc_send {
	__u32 size;
	__u32 flags;
	__u64 buf_ptr;
	__u64 len;
	__u64 type;
	__u64 deadline_ns;
	__u64 reserved[2];
};

/* Receive selection (struct kipc_recv.select), like POSIX mq and SysV msgrcv. */
enum kipc_select {
	KIPC_SEL_FIFO = 0,	/* oldest message */
	KIPC_SEL_PRIO = 1,	/* highest type, oldest among equals */
	KIPC_SEL_TYPE_EQ = 2,	/* oldest message of type == @type */
	KIPC_SEL_TYPE_LE = 3,	/* lowest type <= @type, oldest among equals */
	KIPC_SEL_TYPE_NE = 4,	/* oldest message of type != @type */
	KIPC_SEL_MAX = KIPC_SEL_TYPE_NE,
};

/**
 * struct kipc_msg_info - the kernel-stamped header of a received message
 * @len:	payload length
 * @type:	type given by the sender
 * @sender_pid:	sender's thread-group id, in the receiver's pid namespace
 *		(0 if not visible there)
 * @sender_uid:	sender's effective uid, in the receiver's user namespace
 * @send_time_ns: CLOCK_REALTIME time of the send
 * @seq:	per-queue sequence number, increasing in send order
 */
struct kipc_msg_info {
	__u64 len;
	__u64 type;
	__s32 sender_pid;
	__u32 sender_uid;
	__u64 send_time_ns;
	__u64 seq;
};

/**
 * struct kipc_recv - KIPC_IOC_QUEUE_RECV
 * @size:	caller's sizeof
 * @flags:	KIPC_MSG_*
 * @buf_ptr:	buffer for the payload
 * @buf_len:	its length
 * @select:	enum kipc_select
 * @reserved0:	zero
 * @type:	argument of the TYPE_* selections
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up waiting
 * @info:	out: the message's header; with -EMSGSIZE, @info.len is the
 *		length of the message that did not fit
 * @reserved:	zero
 */
struct kipc_recv {
	__u32 size;
	__u32 flags;
	__u64 buf_ptr;
	__u64 buf_len;
	__u32 select;
	__u32 reserved0;
	__u64 type;
	__u64 deadline_ns;
	struct kipc_msg_info info;
	__u64 reserved[2];
};

/* struct kipc_queue_stat.flags */
#define KIPC_STAT_REMOVED	(1U << 0)	/* the queue was removed */
#define KIPC_STAT_ANONYMOUS	(1U << 1)	/* created without a name */

/**
 * struct kipc_queue_stat - KIPC_IOC_QUEUE_STAT
 * @size:	caller's sizeof (in); the rest is output
 * @flags:	KIPC_STAT_*
 * @id:		queue id
 * @mode:	permission bits
 * @uid, @gid:	owner
 * @cuid, @cgid: creator
 * @creator_pid: creating process, in the caller's pid namespace
 * @nr_msgs:	messages queued
 * @bytes:	payload bytes queued
 * @max_msgsize, @capacity, @max_msgs: limits
 * @last_send_pid, @last_recv_pid: last sender and receiver (0: none)
 * @send_time_ns, @recv_time_ns, @change_time_ns, @create_time_ns:
 *		CLOCK_REALTIME times of the last send, receive, attribute
 *		change and of creation (0: never)
 * @name:	NUL-terminated name ("" when anonymous)
 */
struct kipc_queue_stat {
	__u32 size;
	__u32 flags;
	__u64 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__s32 creator_pid;
	__u64 nr_msgs;
	__u64 bytes;
	__u32 max_msgsize;
	__u32 max_msgs;
	__u64 capacity;
	__s32 last_send_pid;
	__s32 last_recv_pid;
	__u64 send_time_ns;
	__u64 recv_time_ns;
	__u64 change_time_ns;
	__u64 create_time_ns;
	char name[KIPC_NAME_MAX + 1];
	__u64 reserved[4];
};

/* struct kipc_queue_set.flags: which fields to apply */
#define KIPC_SET_MODE		(1U << 0)
#define KIPC_SET_UID		(1U << 1)
#define KIPC_SET_GID		(1U << 2)
#define KIPC_SET_MAX_MSGSIZE	(1U << 3)
#define KIPC_SET_CAPACITY	(1U << 4)
#define KIPC_SET_MAX_MSGS	(1U << 5)
#define KIPC_SET_ALL		0x3fU

/**
 * struct kipc_queue_set - KIPC_IOC_QUEUE_SET
 * @size:	caller's sizeof
 * @flags:	KIPC_SET_*: the fields to change, all or nothing
 * @mode, @uid, @gid, @max_msgsize, @capacity, @max_msgs: new values
 * @reserved:	zero
 *
 * Lowering a limit below what is queued keeps the messages; senders wait
 * until there is room again.
 */
struct kipc_queue_set {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 max_msgsize;
	__u64 capacity;
	__u32 max_msgs;
	__u32 reserved0;
	__u64 reserved[2];
};

/* Sizes of the first published version of each struct (the minimum). */
#define KIPC_VERSION_SIZE_VER0		40
#define KIPC_QUEUE_OPEN_SIZE_VER0	80
#define KIPC_QUEUE_REMOVE_SIZE_VER0	40
#define KIPC_SEND_SIZE_VER0		56
#define KIPC_RECV_SIZE_VER0		104
#define KIPC_QUEUE_STAT_SIZE_VER0	400
#define KIPC_QUEUE_SET_SIZE_VER0	56

/* 0xB9 is free in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define KIPC_IOC_MAGIC		0xB9

/* on the session fd (/dev/kipc) */
#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_QUEUE_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x10, struct kipc_queue_open)
#define KIPC_IOC_QUEUE_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x11, struct kipc_queue_remove)

/* on a queue fd */
#define KIPC_IOC_QUEUE_SEND	_IOW(KIPC_IOC_MAGIC, 0x20, struct kipc_send)
#define KIPC_IOC_QUEUE_RECV	_IOWR(KIPC_IOC_MAGIC, 0x21, struct kipc_recv)
#define KIPC_IOC_QUEUE_STAT	_IOWR(KIPC_IOC_MAGIC, 0x22, struct kipc_queue_stat)
#define KIPC_IOC_QUEUE_SET	_IOW(KIPC_IOC_MAGIC, 0x23, struct kipc_queue_set)

#endif /* _UAPI_LINUX_KIPC_H */
