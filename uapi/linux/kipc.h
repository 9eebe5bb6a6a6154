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
 *
 * Mailboxes (indirect communication)
 *   A mailbox is a message queue in a namespace of its own, with an owner.
 *   KIPC_IOC_MAILBOX_OPEN takes struct kipc_queue_open and two more open
 *   flags: KIPC_O_OWNED (a new mailbox belongs to the calling process and
 *   is removed when that process exits: blocked users wake with -EIDRM;
 *   without it the mailbox belongs to the system and lives until removed)
 *   and KIPC_O_OWNER_RECV (with KIPC_O_OWNED: only the owning process may
 *   receive).  The queue ioctls (SEND, RECV, STAT, SET), read, write and
 *   poll work on mailbox fds as on queue fds; each message goes to exactly
 *   one receiver.
 *   KIPC_IOC_MAILBOX_OPEN (session fd) -> mailbox fd: errors as for
 *     KIPC_IOC_QUEUE_OPEN, and
 *     -EINVAL       KIPC_O_OWNER_RECV without KIPC_O_OWNED
 *     -EACCES       KIPC_O_RECV on an owner-receive mailbox by a process
 *                   other than its owner
 *   KIPC_IOC_MAILBOX_REMOVE (session fd, struct kipc_queue_remove): as
 *     KIPC_IOC_QUEUE_REMOVE
 *   KIPC_IOC_QUEUE_RECV on an owner-receive mailbox's fd that reached
 *     another process (fork, fd passing): -EPERM
 *   KIPC_IOC_QUEUE_OPEN and the other queue ioctls never see mailboxes and
 *   the mailbox ioctls never see queues (-ENOENT): the names are apart.
 *   KIPC_O_OWNED and KIPC_O_OWNER_RECV, like mode and limits, apply only
 *   when the call creates the mailbox (use KIPC_O_EXCL, or stat, to know).
 *   Owner means two things: the owner uid decides remove and set, as for
 *   queues; the owning process decides the lifetime and who receives.
 *   poll reports EPOLLIN on any fd of an owner-receive mailbox, even one
 *   that may not receive.
 *
 * Direct links (direct communication)
 *   A session bound to its process (KIPC_IOC_BIND) makes the process
 *   addressable by its PID.  Between two bound processes there is exactly
 *   one link, made by the first KIPC_IOC_CONNECT or link send/call from
 *   either side.  A link carries messages both ways; each direction holds
 *   what the receiving side's bind limits allow.  Messages carry the
 *   sender's pid and euid, stamped by the kernel.  A link names its peer
 *   process by struct pid, so a recycled PID never reaches a new process:
 *   a link fd keeps addressing the process it was made for, and a PID
 *   number names the process that has it when the call is made.
 *
 *   Link calls on the session fd name the peer (pid); on a link fd pid is
 *   0 (or the link's peer).  Session and link fds act for the process the
 *   session is bound to; from any other process they fail with -ENOTCONN.
 *
 *   When a peer exits or closes its bound session, the messages it sent
 *   stay readable; after them a receive from that peer returns
 *   -ECONNRESET with info.sender_pid set (a receive from any peer reports
 *   each such link once, then forgets it), sends and calls to it return
 *   -EPIPE, calls waiting for its reply return -ECONNRESET, and poll on
 *   the link fd reports EPOLLHUP.  A call on a link to a peer that has
 *   exited sees this at once; a receive from any peer sees it once the
 *   kernel has processed the exit (a blocked one is woken then).
 *
 *   Request-reply: KIPC_IOC_LINK_CALL sends a request and waits for its
 *   reply in one call.  The server receives it (kind KIPC_LINK_REQUEST,
 *   request_id set; ids are unique per server session and never reused)
 *   and replies with KIPC_IOC_LINK_REPLY, or with the reply fields of its
 *   next KIPC_IOC_LINK_RECV (reply and receive in one call).  A caller
 *   that gives up (deadline, signal, exit) withdraws its request if the
 *   server has not received it yet, else the server receives a
 *   KIPC_LINK_CANCEL message with that request_id; a reply to it fails
 *   with -ESRCH and is dropped.
 *
 *   KIPC_IOC_BIND (session fd)
 *     -EBUSY        the process has a bound session, or this session is
 *                   bound already
 *     -EINVAL       unknown flags, bad limits (as for queues);
 *                   -EMSGSIZE as for queues
 *   KIPC_IOC_CONNECT (session fd) -> link fd
 *     -ENOTCONN     the session is not bound to the calling process
 *     -EINVAL       pid <= 0, or the caller's own pid
 *     -ESRCH        no process with that pid
 *     -ECONNREFUSED the process has no bound session
 *     -EPERM        another user's process that did not bind with
 *                   KIPC_BIND_ANYONE, and no CAP_SYS_ADMIN
 *     -EDQUOT       the caller or the peer has links_max links
 *     -EAGAIN       a process that had this pid has exited and its
 *                   links are still being taken down: try again
 *     -EMFILE/-ENFILE/-ENOMEM
 *   KIPC_IOC_LINK_SEND (session or link fd)
 *     connect's errors (session fd), and
 *     -EMSGSIZE     len over the peer's max_msgsize
 *     -EAGAIN, -ETIMEDOUT, -EINTR as for queues; -EPIPE peer gone
 *   KIPC_IOC_LINK_RECV (session or link fd)
 *     -ENOTCONN, -EINVAL; a named peer is connected to as by connect
 *     -EMSGSIZE     the message is larger than the buffer; it stays queued
 *     -ECONNRESET   the peer is gone and nothing from it is left
 *     -EAGAIN, -ETIMEDOUT, -EINTR, -EFAULT (the message stays queued)
 *     reply errors as for KIPC_IOC_LINK_REPLY (then nothing is received
 *     and reply_id is left as it was)
 *   KIPC_IOC_LINK_CALL (session or link fd): returns the reply's length
 *     connect's and send's errors, and
 *     -ECONNRESET   the server went away before replying
 *     -ETIMEDOUT    deadline passed; -EINTR a signal (never restarted)
 *     -EFAULT       the reply buffer is not writable: the reply is lost
 *   KIPC_IOC_LINK_REPLY (session or link fd)
 *     -ESRCH        no caller waits for this request id (it gave up, went
 *                   away, or the id is not one of this session's)
 *     -EMSGSIZE     len over the caller's reply buffer: nothing is sent,
 *                   the caller keeps waiting
 *   poll on a bound session: EPOLLIN when a receive from any peer would
 *   not block.  poll on a link fd: EPOLLIN (a message, or the peer gone),
 *   EPOLLOUT (a max_msgsize message fits), EPOLLHUP (peer gone).
 *   read(2)/write(2) on a link fd receive the oldest message and send a
 *   message of type 0.
 *
 * Pipes
 *   A pipe is a half-duplex byte stream with pipe(7) semantics: a read end
 *   and a write end, each its own fd, used with read(2), write(2),
 *   poll/epoll, O_NONBLOCK and close(2).  KIPC_O_READ opens the read end,
 *   KIPC_O_WRITE the write end; asking for both makes both fds.  A pipe is
 *   named (like a FIFO: it lives until removed) or anonymous (created as a
 *   pair, reachable by id while it has open fds).
 *   - A write of at most KIPC_PIPE_ATOMIC bytes is never interleaved with
 *     other writes: it waits until all of it fits.  A larger blocking
 *     write may be interleaved and returns when all is written; with
 *     O_NONBLOCK it writes what fits (-EAGAIN when nothing does).
 *   - read(2) returns what is there (at most the count), waits while the
 *     pipe is empty and has a writer, returns 0 (EOF) when it is empty and
 *     has no writer.
 *   - write(2) with no reader fails with -EPIPE and sends SIGPIPE to the
 *     writing thread.
 *   - Closing the last write end wakes blocked readers (EOF); closing the
 *     last read end wakes blocked writers (-EPIPE).
 *   - Opening one end of an existing pipe waits, as fifo(7) does, until
 *     the other end is open: a read end for a writer, a write end for a
 *     reader.  With KIPC_O_NONBLOCK a read end opens at once and a write
 *     end fails with -ENXIO when there is no reader.  A call that makes
 *     both ends never waits.
 *   - poll: EPOLLIN when data is there, EPOLLHUP on a read end once the
 *     pipe has no writer (after having had one), EPOLLOUT when
 *     KIPC_PIPE_ATOMIC bytes fit, EPOLLERR on a write end with no reader.
 *   - ioctl FIONREAD on either end: bytes in the pipe.
 *   KIPC_IOC_PIPE_OPEN (session fd): returns 0, the fds in read_fd and
 *     write_fd.  The errors of KIPC_IOC_QUEUE_OPEN (the capacity over the
 *     module's pipe_size_max: -EINVAL), and
 *     -ENXIO        KIPC_O_WRITE|KIPC_O_NONBLOCK and no reader
 *     -EINTR        a signal while waiting for the other end (restarted
 *                   with SA_RESTART)
 *   KIPC_IOC_PIPE_REMOVE (session fd, struct kipc_queue_remove): the name
 *     goes; the pipe lives on while fds are open (like unlink(2) of a
 *     FIFO).  Errors as KIPC_IOC_QUEUE_REMOVE.
 *   KIPC_IOC_PIPE_STAT (pipe fd): struct kipc_pipe_stat
 *   KIPC_IOC_PIPE_SET (pipe fd): mode and owner (owner or CAP_SYS_ADMIN:
 *     -EPERM otherwise), capacity (any fd, like F_SETPIPE_SZ)
 *     -EBUSY        more bytes in the pipe than the new capacity
 *     -EINVAL       capacity 0 or over the module's pipe_size_max
 *     -EDQUOT       the owner's byte quota
 *
 * Shared memory
 *   A shared memory region is a named or anonymous object of a fixed size,
 *   backed by shmem, mapped with mmap(2) on its fd by any number of
 *   processes.  Mappings are coherent, MAP_SHARED only; futexes work in
 *   them.  Removing the name does not unmap anything: the memory lives
 *   until the last fd is closed and the last mapping is gone.  A mapping
 *   holds the memory, not the object: once the last fd is closed and the
 *   name removed, the object and its quota charge go, and the memory of
 *   mappings still there is the mapping processes' (as for an unlinked
 *   tmpfs file).
 *   KIPC_O_READ allows PROT_READ mappings and waits, KIPC_O_WRITE allows
 *   PROT_WRITE, wakes and locks; mmap(2) past the region's size fails with
 *   -ENXIO, PROT_WRITE without KIPC_O_WRITE with -EACCES, MAP_PRIVATE with
 *   -EINVAL.
 *
 *   Wait and notify: KIPC_IOC_SHM_WAIT sleeps while the 32-bit word at
 *   offset equals expected (like FUTEX_WAIT; the check and the sleep are
 *   atomic with respect to KIPC_IOC_SHM_WAKE); KIPC_IOC_SHM_WAKE wakes up to
 *   count waiters on that word, the longest waiting first.
 *
 *   Robust locks: a lock is a 32-bit word in the region, registered with
 *   KIPC_IOC_SHM_LOCK_INIT.  Processes take it in user space with an
 *   atomic compare-and-swap of their holder id (KIPC_IOC_SHM_ATTACH, one
 *   per process and region) and sleep in KIPC_IOC_SHM_WAIT when it is
 *   held.  When an attached process exits, the kernel looks at every
 *   registered lock of the region: a lock it held gets holder 0 and
 *   KIPC_LOCK_OWNER_DIED, and its waiters are woken, so the next holder
 *   learns that the previous one died (libkipc's kipc_lock(3) returns
 *   -EOWNERDEAD).
 *
 *   KIPC_IOC_SHM_OPEN (session fd) -> region fd: the errors of
 *     KIPC_IOC_QUEUE_OPEN, and
 *     -EINVAL       size 0 (when creating) or over the module's
 *                   shm_size_max
 *     -EDQUOT       the user's region count or byte quota
 *   KIPC_IOC_SHM_REMOVE (session fd, struct kipc_queue_remove): the name
 *     goes, mappings and fds stay.  Errors as KIPC_IOC_QUEUE_REMOVE.
 *   KIPC_IOC_SHM_STAT (region fd): struct kipc_shm_stat
 *   KIPC_IOC_SHM_SET (region fd): mode and owner; -EPERM as for queues,
 *     -EIDRM once the region was removed (as for queues)
 *   KIPC_IOC_SHM_WAIT (region fd): 0 when woken (or spuriously: check the
 *     word again)
 *     -EBADF        fd not opened with KIPC_O_READ
 *     -EINVAL       offset not 4-byte aligned or not below the size
 *     -EAGAIN       the word did not equal expected
 *     -ETIMEDOUT    deadline passed; -EINTR a signal (restarted with
 *                   SA_RESTART)
 *   KIPC_IOC_SHM_WAKE (region fd): returns the number of waiters woken
 *     -EBADF        fd not opened with KIPC_O_WRITE
 *     -EINVAL       bad offset as for wait, count 0
 *   KIPC_IOC_SHM_ATTACH (region fd, no argument): returns the calling
 *     process's holder id in this region (the same id on every call until
 *     the process exits; a forked child gets its own)
 *     -EBADF        fd not opened with both KIPC_O_READ and KIPC_O_WRITE
 *     -ENOSPC       holder ids of the region exhausted
 *   KIPC_IOC_SHM_LOCK_INIT (region fd): registers the word at offset as a
 *     lock and sets it to 0 (free)
 *     -EBADF        fd not opened with KIPC_O_WRITE
 *     -EINVAL       bad offset as for wait
 *     -ENOSPC       the region has shm_locks_max locks
 */
#ifndef _UAPI_LINUX_KIPC_H
#define _UAPI_LINUX_KIPC_H

#include <linux/types.h>
#include <linux/ioctl.h>

#define KIPC_DEVICE		"/dev/kipc"

#define KIPC_VERSION_MAJOR	1
#define KIPC_VERSION_MINOR	3

/* Longest object name, without the terminating NUL. */
#define KIPC_NAME_MAX		255

/* Feature bits reported by KIPC_IOC_VERSION. */
#define KIPC_FEAT_QUEUE		(1ULL << 0)	/* message queues */
#define KIPC_FEAT_QUEUE_RW	(1ULL << 1)	/* read/write on queue fds */
#define KIPC_FEAT_MAILBOX	(1ULL << 2)	/* mailboxes */
#define KIPC_FEAT_LINK		(1ULL << 3)	/* direct links, request-reply */
#define KIPC_FEAT_PIPE		(1ULL << 4)	/* pipes */
#define KIPC_FEAT_SHM		(1ULL << 5)	/* shared memory, wait/wake, locks */
#define KIPC_FEAT_GENL		(1ULL << 6)	/* generic netlink family "kipc" */

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
/* The same two bits, named for pipes and shared memory. */
#define KIPC_O_READ		KIPC_O_RECV	/* read end; map readable */
#define KIPC_O_WRITE		KIPC_O_SEND	/* write end; map writable */
/* Mailbox-only open flags (-EINVAL elsewhere). */
#define KIPC_O_OWNED		(1U << 6)	/* new mailbox dies with its creator */
#define KIPC_O_OWNER_RECV	(1U << 7)	/* only the owner receives */
#define KIPC_O_MAILBOX_ALL	0xffU

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
#define KIPC_STAT_OWNED		(1U << 2)	/* mailbox owned by a process */
#define KIPC_STAT_OWNER_RECV	(1U << 3)	/* only its owner receives */
#define KIPC_STAT_MAPPED	(1U << 4)	/* shm: some process maps it */

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
 * @owner_pid:	owning process of a KIPC_STAT_OWNED mailbox (0 otherwise,
 *		or once it exited)
 * @reserved:	zero
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
	__s32 owner_pid;
	__u32 reserved0;
	__u64 reserved[3];
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

/* struct kipc_bind.flags */
#define KIPC_BIND_ANYONE	(1U << 0)	/* any user may connect */
#define KIPC_BIND_ALL		0x1U

/**
 * struct kipc_bind - KIPC_IOC_BIND
 * @size:	caller's sizeof
 * @flags:	KIPC_BIND_*; without KIPC_BIND_ANYONE only processes with the
 *		caller's euid (or CAP_SYS_ADMIN) may connect
 * @max_msgsize, @max_msgs, @capacity: what each link holds toward this
 *		process (0: the module's defaults for queues)
 * @reserved:	zero
 *
 * Binds the session to the calling process (its thread group) until the
 * session's last fd closes or the process exits.
 */
struct kipc_bind {
	__u32 size;
	__u32 flags;
	__u32 max_msgsize;
	__u32 max_msgs;
	__u64 capacity;
	__u64 reserved[2];
};

/**
 * struct kipc_connect - KIPC_IOC_CONNECT
 * @size:	caller's sizeof
 * @flags:	KIPC_O_NONBLOCK, KIPC_O_CLOEXEC for the link fd
 * @pid:	the peer process, in the caller's pid namespace
 * @reserved0, @reserved: zero
 *
 * Returns a new fd for the link to @pid (made if it does not exist).
 */
struct kipc_connect {
	__u32 size;
	__u32 flags;
	__s32 pid;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct kipc_link_send - KIPC_IOC_LINK_SEND
 * @size:	caller's sizeof
 * @flags:	KIPC_MSG_*
 * @pid:	the peer (session fd); 0 or the peer on a link fd
 * @reserved0:	zero
 * @buf_ptr, @len, @type, @deadline_ns: as in struct kipc_send
 * @reserved:	zero
 */
struct kipc_link_send {
	__u32 size;
	__u32 flags;
	__s32 pid;
	__u32 reserved0;
	__u64 buf_ptr;
	__u64 len;
	__u64 type;
	__u64 deadline_ns;
	__u64 reserved[2];
};

/* struct kipc_link_recv.kind: what was received */
enum kipc_link_kind {
	KIPC_LINK_MSG = 0,	/* a message (KIPC_IOC_LINK_SEND) */
	KIPC_LINK_REQUEST = 1,	/* a request: reply to @request_id */
	KIPC_LINK_CANCEL = 2,	/* the caller of @request_id gave up; len 0 */
};

/**
 * struct kipc_link_recv - KIPC_IOC_LINK_RECV
 * @size:	caller's sizeof
 * @flags:	KIPC_MSG_*
 * @pid:	the peer to receive from (session fd), 0 for any peer; 0 or
 *		the peer on a link fd
 * @select:	enum kipc_select (a receive from any peer: KIPC_SEL_FIFO)
 * @buf_ptr, @buf_len, @type, @deadline_ns: as in struct kipc_recv
 * @info:	out: the message's header; info.sender_pid is the peer, also
 *		with -ECONNRESET; info.len with -EMSGSIZE
 * @request_id:	out: the request's id (KIPC_LINK_REQUEST, KIPC_LINK_CANCEL)
 * @kind:	out: enum kipc_link_kind
 * @reserved0:	zero
 * @reply_id:	nonzero: first reply to this request, as KIPC_IOC_LINK_REPLY
 *		with @reply_ptr, @reply_len and @reply_type; set to 0 once
 *		the reply went out, so that a call restarted after a signal
 *		(SA_RESTART) or repeated after an error of the receive does
 *		not reply twice: a nonzero @reply_id after an error means
 *		the error is the reply's
 * @reply_ptr, @reply_len, @reply_type: the reply
 * @reserved:	zero
 *
 * Returns the message's length.  Messages from one peer come in the order
 * it sent them (within the selection); a receive from any peer takes the
 * links in the order they became readable.
 */
struct kipc_link_recv {
	__u32 size;
	__u32 flags;
	__s32 pid;
	__u32 select;
	__u64 buf_ptr;
	__u64 buf_len;
	__u64 type;
	__u64 deadline_ns;
	struct kipc_msg_info info;
	__u64 request_id;
	__u32 kind;
	__u32 reserved0;
	__u64 reply_id;
	__u64 reply_ptr;
	__u64 reply_len;
	__u64 reply_type;
	__u64 reserved[2];
};

/**
 * struct kipc_link_call - KIPC_IOC_LINK_CALL
 * @size:	caller's sizeof
 * @flags:	KIPC_MSG_* (KIPC_MSG_NONBLOCK: -EAGAIN if the request does not
 *		fit at once; the wait for the reply is not affected)
 * @pid:	the server (session fd); 0 or the peer on a link fd
 * @reserved0:	zero
 * @req_ptr, @req_len, @type: the request and its type
 * @reply_ptr, @reply_len: room for the reply
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up (KIPC_MSG_DEADLINE)
 * @info:	out: the reply's header
 * @reserved:	zero
 *
 * Returns the reply's length.
 */
struct kipc_link_call {
	__u32 size;
	__u32 flags;
	__s32 pid;
	__u32 reserved0;
	__u64 req_ptr;
	__u64 req_len;
	__u64 type;
	__u64 reply_ptr;
	__u64 reply_len;
	__u64 deadline_ns;
	struct kipc_msg_info info;
	__u64 reserved[2];
};

/**
 * struct kipc_link_reply - KIPC_IOC_LINK_REPLY
 * @size:	caller's sizeof
 * @flags:	zero
 * @request_id:	the request's id
 * @buf_ptr, @len, @type: the reply
 * @reserved:	zero
 */
struct kipc_link_reply {
	__u32 size;
	__u32 flags;
	__u64 request_id;
	__u64 buf_ptr;
	__u64 len;
	__u64 type;
	__u64 reserved[2];
};

/* Writes up to this many bytes are atomic on a pipe (PIPE_BUF). */
#define KIPC_PIPE_ATOMIC	4096

/**
 * struct kipc_pipe_open - KIPC_IOC_PIPE_OPEN
 * @size:	caller's sizeof
 * @flags:	KIPC_O_*; KIPC_O_READ and/or KIPC_O_WRITE
 * @name_ptr:	NUL-terminated name, or 0 to open by @id or (with
 *		KIPC_O_CREAT) to create an anonymous pipe
 * @id:		in: the id to open when @name_ptr is 0; out: the pipe's id
 * @mode:	permission bits for a new pipe (read: KIPC_O_READ, write:
 *		KIPC_O_WRITE)
 * @capacity:	bytes a new pipe holds, rounded up to a page (0: the
 *		module's pipe_size_default)
 * @read_fd:	out: the read end, -1 when KIPC_O_READ was not asked
 * @write_fd:	out: the write end, -1 when KIPC_O_WRITE was not asked
 * @reserved:	zero
 */
struct kipc_pipe_open {
	__u32 size;
	__u32 flags;
	__u64 name_ptr;
	__u64 id;
	__u32 mode;
	__u32 capacity;
	__s32 read_fd;
	__s32 write_fd;
	__u64 reserved[4];
};

/**
 * struct kipc_pipe_stat - KIPC_IOC_PIPE_STAT
 * @size:	caller's sizeof (in); the rest is output
 * @flags:	KIPC_STAT_REMOVED, KIPC_STAT_ANONYMOUS
 * @id, @mode, @uid, @gid, @cuid, @cgid, @creator_pid: as for queues
 * @capacity:	bytes the pipe holds
 * @atomic_size: KIPC_PIPE_ATOMIC
 * @bytes:	bytes in the pipe
 * @readers, @writers: open read and write ends
 * @bytes_written, @bytes_read: bytes moved through the pipe since creation
 * @create_time_ns: CLOCK_REALTIME time of creation
 * @name:	NUL-terminated name ("" when anonymous)
 * @reserved:	zero
 */
struct kipc_pipe_stat {
	__u32 size;
	__u32 flags;
	__u64 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__s32 creator_pid;
	__u32 capacity;
	__u32 atomic_size;
	__u64 bytes;
	__u32 readers;
	__u32 writers;
	__u64 bytes_written;
	__u64 bytes_read;
	__u64 create_time_ns;
	char name[KIPC_NAME_MAX + 1];
	__u64 reserved[4];
};

/**
 * struct kipc_pipe_set - KIPC_IOC_PIPE_SET
 * @size:	caller's sizeof
 * @flags:	KIPC_SET_MODE, KIPC_SET_UID, KIPC_SET_GID, KIPC_SET_CAPACITY:
 *		the fields to change, all or nothing
 * @mode, @uid, @gid: new owner and mode
 * @capacity:	new capacity, rounded up to a page
 * @reserved:	zero
 */
struct kipc_pipe_set {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 capacity;
	__u64 reserved[2];
};

/**
 * struct kipc_shm_open - KIPC_IOC_SHM_OPEN
 * @size:	caller's sizeof
 * @flags:	KIPC_O_*; KIPC_O_READ and/or KIPC_O_WRITE
 * @name_ptr, @id: as in struct kipc_queue_open
 * @mode:	permission bits for a new region
 * @reserved0:	zero
 * @region_size: bytes of a new region (with KIPC_O_CREAT: 1 to the
 *		module's shm_size_max; mappings cover whole pages)
 * @reserved:	zero
 */
struct kipc_shm_open {
	__u32 size;
	__u32 flags;
	__u64 name_ptr;
	__u64 id;
	__u32 mode;
	__u32 reserved0;
	__u64 region_size;
	__u64 reserved[4];
};

/**
 * struct kipc_shm_stat - KIPC_IOC_SHM_STAT
 * @size:	caller's sizeof (in); the rest is output
 * @flags:	KIPC_STAT_REMOVED, KIPC_STAT_ANONYMOUS, KIPC_STAT_MAPPED
 * @id, @mode, @uid, @gid, @cuid, @cgid, @creator_pid: as for queues
 * @region_size: the region's size in bytes
 * @nr_holders: processes attached as lock holders (KIPC_IOC_SHM_ATTACH)
 * @nr_locks:	registered locks
 * @nr_waiters: tasks sleeping in KIPC_IOC_SHM_WAIT
 * @reserved0:	zero
 * @create_time_ns, @change_time_ns: CLOCK_REALTIME times
 * @name:	NUL-terminated name ("" when anonymous)
 * @reserved:	zero
 */
struct kipc_shm_stat {
	__u32 size;
	__u32 flags;
	__u64 id;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 cuid;
	__u32 cgid;
	__s32 creator_pid;
	__u64 region_size;
	__u32 nr_holders;
	__u32 nr_locks;
	__u32 nr_waiters;
	__u32 reserved0;
	__u64 create_time_ns;
	__u64 change_time_ns;
	char name[KIPC_NAME_MAX + 1];
	__u64 reserved[4];
};

/**
 * struct kipc_shm_set - KIPC_IOC_SHM_SET
 * @size:	caller's sizeof
 * @flags:	KIPC_SET_MODE, KIPC_SET_UID, KIPC_SET_GID
 * @mode, @uid, @gid: new values
 * @reserved0, @reserved: zero
 */
struct kipc_shm_set {
	__u32 size;
	__u32 flags;
	__u32 mode;
	__u32 uid;
	__u32 gid;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct kipc_shm_wait - KIPC_IOC_SHM_WAIT
 * @size:	caller's sizeof
 * @flags:	KIPC_MSG_DEADLINE
 * @offset:	byte offset of the word in the region, 4-byte aligned
 * @expected:	sleep only while the word has this value
 * @reserved0:	zero
 * @deadline_ns: absolute CLOCK_MONOTONIC time to give up (KIPC_MSG_DEADLINE)
 * @reserved:	zero
 */
struct kipc_shm_wait {
	__u32 size;
	__u32 flags;
	__u64 offset;
	__u32 expected;
	__u32 reserved0;
	__u64 deadline_ns;
	__u64 reserved[2];
};

/* struct kipc_shm_wake.count: wake every waiter */
#define KIPC_WAKE_ALL		0xffffffffU

/**
 * struct kipc_shm_wake - KIPC_IOC_SHM_WAKE
 * @size:	caller's sizeof
 * @flags:	zero
 * @offset:	the word, as for wait
 * @count:	most waiters to wake, at least 1 (KIPC_WAKE_ALL: all)
 * @reserved0, @reserved: zero
 */
struct kipc_shm_wake {
	__u32 size;
	__u32 flags;
	__u64 offset;
	__u32 count;
	__u32 reserved0;
	__u64 reserved[2];
};

/**
 * struct kipc_shm_lock - KIPC_IOC_SHM_LOCK_INIT
 * @size:	caller's sizeof
 * @flags:	zero
 * @offset:	the lock word, as for wait
 * @reserved:	zero
 */
struct kipc_shm_lock {
	__u32 size;
	__u32 flags;
	__u64 offset;
	__u64 reserved[2];
};

/*
 * A lock word: 0 is free; otherwise the holder's id (KIPC_IOC_SHM_ATTACH)
 * in the low 30 bits, KIPC_LOCK_WAITERS when someone may sleep on it,
 * KIPC_LOCK_OWNER_DIED when a holder died and the state it guards has not
 * been made consistent again.  KIPC_LOCK_NOTRECOVERABLE: unlocked without
 * being made consistent; it can no longer be taken.
 */
#define KIPC_LOCK_HOLDER_MASK	0x3fffffffU
#define KIPC_LOCK_OWNER_DIED	0x40000000U
#define KIPC_LOCK_WAITERS	0x80000000U
#define KIPC_LOCK_NOTRECOVERABLE KIPC_LOCK_HOLDER_MASK

/* Sizes of the first published version of each struct (the minimum). */
#define KIPC_VERSION_SIZE_VER0		40
#define KIPC_QUEUE_OPEN_SIZE_VER0	80
#define KIPC_QUEUE_REMOVE_SIZE_VER0	40
#define KIPC_SEND_SIZE_VER0		56
#define KIPC_RECV_SIZE_VER0		104
#define KIPC_QUEUE_STAT_SIZE_VER0	400
#define KIPC_QUEUE_SET_SIZE_VER0	56
#define KIPC_BIND_SIZE_VER0		40
#define KIPC_CONNECT_SIZE_VER0		32
#define KIPC_LINK_SEND_SIZE_VER0	64
#define KIPC_LINK_RECV_SIZE_VER0	152
#define KIPC_LINK_CALL_SIZE_VER0	120
#define KIPC_LINK_REPLY_SIZE_VER0	56
#define KIPC_PIPE_OPEN_SIZE_VER0	72
#define KIPC_PIPE_STAT_SIZE_VER0	376
#define KIPC_PIPE_SET_SIZE_VER0		40
#define KIPC_SHM_OPEN_SIZE_VER0		72
#define KIPC_SHM_STAT_SIZE_VER0		368
#define KIPC_SHM_SET_SIZE_VER0		40
#define KIPC_SHM_WAIT_SIZE_VER0		48
#define KIPC_SHM_WAKE_SIZE_VER0		40
#define KIPC_SHM_LOCK_SIZE_VER0		32

/* 0xB9 is free in Documentation/userspace-api/ioctl/ioctl-number.rst. */
#define KIPC_IOC_MAGIC		0xB9

/* on the session fd (/dev/kipc) */
#define KIPC_IOC_VERSION	_IOWR(KIPC_IOC_MAGIC, 0x00, struct kipc_version)
#define KIPC_IOC_QUEUE_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x10, struct kipc_queue_open)
#define KIPC_IOC_QUEUE_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x11, struct kipc_queue_remove)
#define KIPC_IOC_MAILBOX_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x12, struct kipc_queue_open)
#define KIPC_IOC_MAILBOX_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x13, struct kipc_queue_remove)
#define KIPC_IOC_BIND		_IOW(KIPC_IOC_MAGIC, 0x14, struct kipc_bind)
#define KIPC_IOC_CONNECT	_IOW(KIPC_IOC_MAGIC, 0x15, struct kipc_connect)
#define KIPC_IOC_PIPE_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x16, struct kipc_pipe_open)
#define KIPC_IOC_PIPE_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x17, struct kipc_queue_remove)
#define KIPC_IOC_SHM_OPEN	_IOWR(KIPC_IOC_MAGIC, 0x18, struct kipc_shm_open)
#define KIPC_IOC_SHM_REMOVE	_IOW(KIPC_IOC_MAGIC, 0x19, struct kipc_queue_remove)

/* on a bound session fd or a link fd */
#define KIPC_IOC_LINK_SEND	_IOW(KIPC_IOC_MAGIC, 0x30, struct kipc_link_send)
#define KIPC_IOC_LINK_RECV	_IOWR(KIPC_IOC_MAGIC, 0x31, struct kipc_link_recv)
#define KIPC_IOC_LINK_CALL	_IOWR(KIPC_IOC_MAGIC, 0x32, struct kipc_link_call)
#define KIPC_IOC_LINK_REPLY	_IOW(KIPC_IOC_MAGIC, 0x33, struct kipc_link_reply)

/* on a queue or mailbox fd */
#define KIPC_IOC_QUEUE_SEND	_IOW(KIPC_IOC_MAGIC, 0x20, struct kipc_send)
#define KIPC_IOC_QUEUE_RECV	_IOWR(KIPC_IOC_MAGIC, 0x21, struct kipc_recv)
#define KIPC_IOC_QUEUE_STAT	_IOWR(KIPC_IOC_MAGIC, 0x22, struct kipc_queue_stat)
#define KIPC_IOC_QUEUE_SET	_IOW(KIPC_IOC_MAGIC, 0x23, struct kipc_queue_set)

/* on a pipe fd (either end) */
#define KIPC_IOC_PIPE_STAT	_IOWR(KIPC_IOC_MAGIC, 0x40, struct kipc_pipe_stat)
#define KIPC_IOC_PIPE_SET	_IOW(KIPC_IOC_MAGIC, 0x41, struct kipc_pipe_set)

/* on a shared memory region fd */
#define KIPC_IOC_SHM_STAT	_IOWR(KIPC_IOC_MAGIC, 0x50, struct kipc_shm_stat)
#define KIPC_IOC_SHM_SET	_IOW(KIPC_IOC_MAGIC, 0x51, struct kipc_shm_set)
#define KIPC_IOC_SHM_WAIT	_IOW(KIPC_IOC_MAGIC, 0x52, struct kipc_shm_wait)
#define KIPC_IOC_SHM_WAKE	_IOW(KIPC_IOC_MAGIC, 0x53, struct kipc_shm_wake)
#define KIPC_IOC_SHM_ATTACH	_IO(KIPC_IOC_MAGIC, 0x54)
#define KIPC_IOC_SHM_LOCK_INIT	_IOW(KIPC_IOC_MAGIC, 0x55, struct kipc_shm_lock)

/*
 * Generic netlink family KIPC_GENL_NAME ("kipc"), version KIPC_GENL_VERSION
 *
 * Introspection and management of every kipc object, the way ipcs/ipcrm,
 * ss and "ip monitor" work: resolve the family id with CTRL_CMD_GETFAMILY,
 * then send these commands.  Every attribute lives in one space
 * (KIPC_A_*); requests are validated strictly: an unknown attribute, a
 * wrong type or length, or a value out of range fails the whole request
 * with -EINVAL (or -ERANGE) and an extended-ACK message naming the
 * attribute, before anything is done.  The family lives in the initial
 * network namespace only.
 *
 * Commands (request attributes; the reply is one message per object, of
 * the same command, with the attributes listed under "Objects"):
 *   KIPC_CMD_OBJ_GET, doit: KIPC_A_ID, or KIPC_A_TYPE and KIPC_A_NAME
 *     (queues, mailboxes, pipes, shm regions).  -ENOENT no such object,
 *     -EINVAL neither or both ways of naming one.
 *   KIPC_CMD_OBJ_GET, dump (NLM_F_DUMP): every object in id order,
 *     optional filters KIPC_A_TYPE and KIPC_A_UID (the owner).  A dump is
 *     taken in pieces without holding a lock throughout: each object
 *     appears at most once; objects created or removed while it runs may
 *     or may not appear, and then the messages after the change carry
 *     NLM_F_DUMP_INTR (netlink's convention: dump again for a snapshot).
 *   KIPC_CMD_OBJ_NEW: create a named, persistent queue, mailbox (not
 *     owned by a process) or shm region owned by the caller, as
 *     KIPC_IOC_*_OPEN with KIPC_O_CREAT|KIPC_O_EXCL would (no fd).
 *     Requires KIPC_A_TYPE and KIPC_A_NAME; optional KIPC_A_MODE (default
 *     0600), KIPC_A_MAX_MSGS, KIPC_A_MAX_MSGSIZE, KIPC_A_CAPACITY (queue
 *     and mailbox: the limits; shm: the size, required).  Errors as for
 *     the open ioctls; -EOPNOTSUPP for pipes, sessions and links.  The
 *     reply is one KIPC_CMD_OBJ_NEW message: the new object.
 *   KIPC_CMD_OBJ_DEL: remove by KIPC_A_ID, or KIPC_A_TYPE and KIPC_A_NAME,
 *     with the effect of KIPC_IOC_*_REMOVE.  -EPERM unless the caller owns
 *     or created the object or has CAP_SYS_ADMIN; -ENOENT; -EOPNOTSUPP
 *     for sessions and links (they end when their process closes them).
 *   KIPC_CMD_STATS_GET: module-wide statistics (see "Statistics").
 *
 * Objects (KIPC_A_TYPE is an enum kipc_type)
 *   all:       KIPC_A_ID, KIPC_A_TYPE, KIPC_A_CREATE_TIME,
 *              KIPC_A_CREATOR_PID (0 when not visible in the reader's pid
 *              namespace, or exited)
 *   queue, mailbox, pipe, shm: KIPC_A_NAME (only when named and visible,
 *              see below), KIPC_A_UID, KIPC_A_GID, KIPC_A_CUID, KIPC_A_CGID,
 *              KIPC_A_MODE, KIPC_A_FLAGS (KIPC_STAT_*), KIPC_A_FILES (open
 *              fds)
 *   queue, mailbox: KIPC_A_MSGS, KIPC_A_BYTES (queued now),
 *              KIPC_A_MAX_MSGS, KIPC_A_MAX_MSGSIZE, KIPC_A_CAPACITY,
 *              KIPC_A_WAITERS, KIPC_A_MSGS_IN, KIPC_A_MSGS_OUT,
 *              KIPC_A_BYTES_IN, KIPC_A_BYTES_OUT (messages and payload
 *              bytes sent into and received out of it since creation);
 *              mailbox: KIPC_A_OWNER_PID (owned mailboxes)
 *   pipe:      KIPC_A_BYTES, KIPC_A_CAPACITY, KIPC_A_READERS,
 *              KIPC_A_WRITERS, KIPC_A_WAITERS, KIPC_A_MSGS_IN and
 *              KIPC_A_MSGS_OUT (write and read calls that moved bytes),
 *              KIPC_A_BYTES_IN, KIPC_A_BYTES_OUT
 *   shm:       KIPC_A_CAPACITY (the size), KIPC_A_WAITERS, KIPC_A_HOLDERS,
 *              KIPC_A_LOCKS
 *   session (a bound session): KIPC_A_PID (the process), KIPC_A_UID,
 *              KIPC_A_LINKS, KIPC_A_MSGS, KIPC_A_BYTES (queued toward it),
 *              KIPC_A_MAX_MSGS, KIPC_A_MAX_MSGSIZE, KIPC_A_CAPACITY (its
 *              bind limits), KIPC_A_WAITERS, KIPC_A_MSGS_IN/_OUT,
 *              KIPC_A_BYTES_IN/_OUT (toward it and received by it)
 *   link:      KIPC_A_PID and KIPC_A_PEER_PID (its two processes; 0 for a
 *              side that is gone; KIPC_A_PID made the link, and is also
 *              KIPC_A_CREATOR_PID), KIPC_A_STATE (enum kipc_link_state),
 *              KIPC_A_MSGS, KIPC_A_BYTES (queued, both directions),
 *              KIPC_A_MSGS_IN/_OUT, KIPC_A_BYTES_IN/_OUT (both directions)
 *   A session's KIPC_A_MSGS_IN/_OUT count the replies to its own calls
 *   too.  The KIPC_A_UID filter selects a link when either side's user
 *   matches it.
 *   Ids of all types come from one counter: an id names one object of one
 *   type, never reused while the module is loaded.  uids and gids are in
 *   the reader's user namespace, pids in its pid namespace.
 *
 * Visibility: everyone may list every object.  A name is reported to a
 *   reader that owns or created the object, has CAP_IPC_OWNER, or whom
 *   the mode grants read or write; for others the object is listed
 *   without KIPC_A_NAME.  Events go to every listener alike, so an event
 *   carries a name only when the mode grants everyone access (others'
 *   read or write bit); a listener may ask KIPC_CMD_OBJ_GET for the rest.
 *   A request is checked against both its sender and whoever opened the
 *   socket it came on, as netlink_capable() does: a name is reported when
 *   both may see it, KIPC_CMD_OBJ_DEL needs both to pass its check, and
 *   KIPC_CMD_OBJ_NEW fails with -EPERM unless the opener had the sender's
 *   effective uid and gid, or has CAP_SYS_ADMIN.
 *
 * Multicast group KIPC_GENL_MCGRP_EVENTS ("events"), one message each:
 *   KIPC_CMD_OBJ_NEW    an object was created (queues, mailboxes, pipes,
 *                       shm regions, sessions when bound): KIPC_A_ID,
 *                       KIPC_A_TYPE, KIPC_A_UID, KIPC_A_MODE, KIPC_A_PID
 *                       (who did it), KIPC_A_NAME (see visibility)
 *   KIPC_CMD_OBJ_DEL    an object left the registry (removed, its last fd
 *                       of an anonymous one closed, its owner exited, a
 *                       session closed): the same attributes
 *   KIPC_CMD_LINK_UP    a link was made: KIPC_A_ID, KIPC_A_PID (the side
 *                       that made it), KIPC_A_PEER_PID
 *   KIPC_CMD_LINK_DOWN  a side of a link went away: KIPC_A_ID, KIPC_A_PID
 *                       (the side that stays, 0 when the other side had
 *                       gone already), KIPC_A_PEER_PID (the side that went)
 *   KIPC_CMD_PEER_EXIT  a bound process exited (before its links' LINK_DOWN):
 *                       KIPC_A_ID (its session), KIPC_A_PID
 *   KIPC_CMD_LIMIT_HIT  a limit refused or stopped a request:
 *                       KIPC_A_LIMIT (enum kipc_limit), KIPC_A_UID (whose
 *                       request), KIPC_A_PID, and KIPC_A_ID and KIPC_A_TYPE
 *                       of the object when there is one.  A full queue,
 *                       pipe or link direction is reported once per
 *                       filling (again only after something was taken
 *                       out), quota refusals each time.
 *   Every event carries KIPC_A_SEQ, a number that grows by one per event
 *   in the order the changes happened; a gap means events were lost (the
 *   listener's receive buffer overflowed, then recv fails with ENOBUFS
 *   once, before the events still queued; or the kernel had no memory for
 *   the event).  Events give pids in the initial pid namespace and uids in
 *   the initial user namespace (every listener gets the same message);
 *   sessions have KIPC_A_MODE 0.
 *
 * Statistics (KIPC_CMD_STATS_GET reply)
 *   KIPC_A_STATS_TYPE, one nest per type: KIPC_A_TYPE, KIPC_A_OBJECTS
 *   (existing now), KIPC_A_CREATED (since load).
 *   KIPC_A_MSGS_IN/_OUT, KIPC_A_BYTES_IN/_OUT: all messages and bytes
 *   moved through queues, mailboxes, links and pipes since load.
 *   KIPC_A_STATS_LIMIT, one nest per limit hit at least once:
 *   KIPC_A_LIMIT, KIPC_A_COUNT.  KIPC_A_STATS_ERROR, one nest per errno
 *   returned at least once by a kipc ioctl, read or write: KIPC_A_ERRNO
 *   (positive), KIPC_A_COUNT.  EAGAIN and EINTR are counted too (they
 *   are part of normal use); a call a signal interrupted counts as EINTR
 *   even when it was restarted.  KIPC_A_EVENTS: events sent.
 */
#define KIPC_GENL_NAME		"kipc"
#define KIPC_GENL_VERSION	1
#define KIPC_GENL_MCGRP_EVENTS	"events"

enum kipc_cmd {
	KIPC_CMD_UNSPEC,
	KIPC_CMD_OBJ_GET,
	KIPC_CMD_OBJ_NEW,
	KIPC_CMD_OBJ_DEL,
	KIPC_CMD_STATS_GET,
	KIPC_CMD_LINK_UP,	/* events only */
	KIPC_CMD_LINK_DOWN,
	KIPC_CMD_PEER_EXIT,
	KIPC_CMD_LIMIT_HIT,
	__KIPC_CMD_MAX,
};
#define KIPC_CMD_MAX		(__KIPC_CMD_MAX - 1)

enum kipc_attr {
	KIPC_A_UNSPEC,
	KIPC_A_PAD,		/* alignment padding of 64-bit attributes */
	KIPC_A_ID,		/* u64 */
	KIPC_A_TYPE,		/* u32, enum kipc_type */
	KIPC_A_NAME,		/* NUL-terminated string, at most KIPC_NAME_MAX */
	KIPC_A_UID,		/* u32 */
	KIPC_A_GID,		/* u32 */
	KIPC_A_CUID,		/* u32 */
	KIPC_A_CGID,		/* u32 */
	KIPC_A_MODE,		/* u32, permission bits (0777) */
	KIPC_A_FLAGS,		/* u32, KIPC_STAT_* */
	KIPC_A_CREATOR_PID,	/* u32 */
	KIPC_A_CREATE_TIME,	/* u64, CLOCK_REALTIME ns */
	KIPC_A_FILES,		/* u32, open fds */
	KIPC_A_MSGS,		/* u64, queued messages */
	KIPC_A_BYTES,		/* u64, queued bytes */
	KIPC_A_MAX_MSGS,	/* u32 */
	KIPC_A_MAX_MSGSIZE,	/* u32 */
	KIPC_A_CAPACITY,	/* u64 */
	KIPC_A_WAITERS,		/* u32, tasks blocked on the object */
	KIPC_A_MSGS_IN,		/* u64 */
	KIPC_A_MSGS_OUT,	/* u64 */
	KIPC_A_BYTES_IN,	/* u64 */
	KIPC_A_BYTES_OUT,	/* u64 */
	KIPC_A_OWNER_PID,	/* u32, owning process of a mailbox */
	KIPC_A_PID,		/* u32 */
	KIPC_A_PEER_PID,	/* u32 */
	KIPC_A_LINKS,		/* u32 */
	KIPC_A_STATE,		/* u32, enum kipc_link_state */
	KIPC_A_READERS,		/* u32 */
	KIPC_A_WRITERS,		/* u32 */
	KIPC_A_HOLDERS,		/* u32 */
	KIPC_A_LOCKS,		/* u32 */
	KIPC_A_SEQ,		/* u64, event sequence number */
	KIPC_A_LIMIT,		/* u32, enum kipc_limit */
	KIPC_A_STATS_TYPE,	/* nest: KIPC_A_TYPE, _OBJECTS, _CREATED */
	KIPC_A_OBJECTS,		/* u64 */
	KIPC_A_CREATED,		/* u64 */
	KIPC_A_STATS_LIMIT,	/* nest: KIPC_A_LIMIT, KIPC_A_COUNT */
	KIPC_A_STATS_ERROR,	/* nest: KIPC_A_ERRNO, KIPC_A_COUNT */
	KIPC_A_ERRNO,		/* u32, positive */
	KIPC_A_COUNT,		/* u64 */
	KIPC_A_EVENTS,		/* u64 */
	__KIPC_A_MAX,
};
#define KIPC_A_MAX		(__KIPC_A_MAX - 1)

enum kipc_type {
	KIPC_TYPE_UNSPEC,
	KIPC_TYPE_QUEUE,
	KIPC_TYPE_MAILBOX,
	KIPC_TYPE_PIPE,
	KIPC_TYPE_SHM,
	KIPC_TYPE_SESSION,	/* a bound session (direct-link endpoint) */
	KIPC_TYPE_LINK,
	__KIPC_TYPE_MAX,
};
#define KIPC_TYPE_MAX		(__KIPC_TYPE_MAX - 1)

enum kipc_link_state {
	KIPC_LINK_STATE_UP,	/* both sides there */
	KIPC_LINK_STATE_DOWN,	/* a side is gone; the other may read on */
};

enum kipc_limit {
	KIPC_LIMIT_UNSPEC,
	KIPC_LIMIT_USER_OBJECTS, /* queues/pipes/shm_per_user: -EDQUOT */
	KIPC_LIMIT_USER_BYTES,	/* bytes_per_user: -EDQUOT */
	KIPC_LIMIT_MSGSIZE,	/* a message over max_msgsize: -EMSGSIZE */
	KIPC_LIMIT_FULL,	/* a queue, pipe or link direction filled up */
	KIPC_LIMIT_LINKS,	/* links_max: -EDQUOT */
	KIPC_LIMIT_SHM_LOCKS,	/* shm_locks_max: -ENOSPC */
	__KIPC_LIMIT_MAX,
};
#define KIPC_LIMIT_MAX		(__KIPC_LIMIT_MAX - 1)

#endif /* _UAPI_LINUX_KIPC_H */
