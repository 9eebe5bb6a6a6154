/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc - a thin library over /dev/kipc.
 *
 * Every function returns 0 (or a non-negative value: an fd, a length) on
 * success and a negative errno on failure; errno itself is left as the
 * system call set it.  Each function has a man page, kipc_<name>(3).
 */
#ifndef KIPC_H
#define KIPC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/kipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Sessions and the ABI */

/*
 * Open /dev/kipc; @flags: O_CLOEXEC and/or O_NONBLOCK, other bits are
 * ignored.  Returns the session fd.
 */
int kipc_open(int flags);
/* Fill @v from the module. */
int kipc_version(int sfd, struct kipc_version *v);
/*
 * 0 if the module implements every KIPC_FEAT_* bit in @want, else
 * -EOPNOTSUPP with the absent bits in *@missing (when not NULL).
 */
int kipc_require(int sfd, uint64_t want, uint64_t *missing);
/* Name of one KIPC_FEAT_* bit ("queue", ...), or NULL if unknown. */
const char *kipc_feature_name(uint64_t bit);

/* Message queues */

/* Limits of a new queue; a field left 0 takes the module default. */
struct kipc_queue_limits {
	uint32_t max_msgsize;	/* largest message in bytes */
	uint32_t max_msgs;	/* messages the queue holds */
	uint64_t capacity;	/* payload bytes the queue holds */
};

/*
 * Open the queue @name, or create it when @flags has KIPC_O_CREAT (and fail
 * with -EEXIST if it exists and KIPC_O_EXCL is set).  @name NULL with
 * KIPC_O_CREAT creates an anonymous queue.  @mode and @lim (may be NULL)
 * apply to a new queue.  @flags needs KIPC_O_SEND and/or KIPC_O_RECV.
 * When @id is not NULL it receives the queue's id.  Returns the queue fd.
 */
int kipc_queue_open(int sfd, const char *name, unsigned int flags,
		    unsigned int mode, const struct kipc_queue_limits *lim,
		    uint64_t *id);
/* Open an existing queue by its id (KIPC_O_CREAT: -EINVAL).  Returns the fd. */
int kipc_queue_open_id(int sfd, uint64_t id, unsigned int flags);
/* Remove the queue @name: its name goes, its waiters get -EIDRM. */
int kipc_queue_remove(int sfd, const char *name);
/* Remove the queue @id. */
int kipc_queue_remove_id(int sfd, uint64_t id);

/* Send @len bytes of @buf as a message of @type; blocks unless O_NONBLOCK. */
int kipc_queue_send(int qfd, const void *buf, size_t len, uint64_t type);
/*
 * Send with KIPC_MSG_* @flags: KIPC_MSG_NONBLOCK, KIPC_MSG_DEADLINE (then
 * @deadline_ns is an absolute CLOCK_MONOTONIC time, see kipc_deadline()).
 */
int kipc_queue_timedsend(int qfd, const void *buf, size_t len, uint64_t type,
			 unsigned int flags, uint64_t deadline_ns);

/*
 * Receive the oldest message into @buf.  Returns its length.  @info (may be
 * NULL) receives the kernel-stamped header.
 */
ssize_t kipc_queue_recv(int qfd, void *buf, size_t len,
			struct kipc_msg_info *info);
/* Receive the highest-type message, oldest among equals. */
ssize_t kipc_queue_recv_prio(int qfd, void *buf, size_t len,
			     struct kipc_msg_info *info);
/* Receive by type selection (enum kipc_select, argument @type). */
ssize_t kipc_queue_recv_type(int qfd, void *buf, size_t len,
			     enum kipc_select sel, uint64_t type,
			     struct kipc_msg_info *info);
/* The general form: selection, KIPC_MSG_* @flags and a deadline. */
ssize_t kipc_queue_timedrecv(int qfd, void *buf, size_t len,
			     enum kipc_select sel, uint64_t type,
			     unsigned int flags, uint64_t deadline_ns,
			     struct kipc_msg_info *info);

/* Fill @st with the queue's counters, limits, owner and times. */
int kipc_queue_stat(int qfd, struct kipc_queue_stat *st);
/*
 * Apply the fields of @set selected by @set->flags.  The library sends its
 * own copy with size filled in and reserved fields zero; @set is unchanged.
 */
int kipc_queue_set(int qfd, const struct kipc_queue_set *set);

/* Mailboxes (indirect communication) */

/*
 * Open the mailbox @name, or create it with KIPC_O_CREAT, as
 * kipc_queue_open().  @flags may add KIPC_O_OWNED (the new mailbox dies
 * with the calling process) and KIPC_O_OWNER_RECV (only that process may
 * receive).  Send and receive with the kipc_queue_* functions; each
 * message goes to exactly one receiver.  Mailboxes and queues have
 * separate names and ids.  Returns the mailbox fd.
 */
int kipc_mailbox_open(int sfd, const char *name, unsigned int flags,
		      unsigned int mode, const struct kipc_queue_limits *lim,
		      uint64_t *id);
/* Open an existing mailbox by its id (KIPC_O_CREAT: -EINVAL).  Returns the fd. */
int kipc_mailbox_open_id(int sfd, uint64_t id, unsigned int flags);
/* Remove the mailbox @name: its name goes, its waiters get -EIDRM. */
int kipc_mailbox_remove(int sfd, const char *name);
/* Remove the mailbox @id. */
int kipc_mailbox_remove_id(int sfd, uint64_t id);

/* Direct links */

/*
 * Bind the session @sfd to the calling process so that other processes
 * can reach it by PID, until the session's last fd closes or the process
 * exits.  @flags: KIPC_BIND_ANYONE lets any user connect.  @lim (may be
 * NULL; 0 fields: module defaults) limits what each link holds toward this
 * process.  The session and link fds act for this process only: from any
 * other (a forked child) the link calls return -ENOTCONN.
 */
int kipc_bind(int sfd, unsigned int flags, const struct kipc_queue_limits *lim);
/*
 * The link to process @pid, made if needed; @flags: KIPC_O_NONBLOCK,
 * KIPC_O_CLOEXEC.  Returns the link fd, which the kipc_link_* functions
 * take with @pid 0.
 */
int kipc_connect(int sfd, pid_t pid, unsigned int flags);

/*
 * Send @len bytes of @buf as a message of @type to @pid over the bound
 * session @fd (or over the link fd @fd with @pid 0); the first message
 * to a pid makes the link.  -EPIPE: the peer is gone.
 */
int kipc_link_send(int fd, pid_t pid, const void *buf, size_t len,
		   uint64_t type);
/* The same with KIPC_MSG_* @flags and a deadline. */
int kipc_link_timedsend(int fd, pid_t pid, const void *buf, size_t len,
			uint64_t type, unsigned int flags,
			uint64_t deadline_ns);
/*
 * Receive the next message from @pid (0: from any peer) into @buf.
 * Returns its length; @info (may be NULL) gets its header, whose
 * sender_pid names the peer (also with -ECONNRESET: that peer is gone;
 * with -EMSGSIZE its len is the message's).  Requests come as plain
 * messages whose id is lost: a server receives with kipc_reply_recv() or
 * kipc_link_recvx().
 */
ssize_t kipc_link_recv(int fd, pid_t pid, void *buf, size_t len,
		       struct kipc_msg_info *info);
/*
 * The general receive: @r is the whole KIPC_IOC_LINK_RECV argument (the
 * library sets r->size and zeroes the reserved fields; the rest is passed
 * as is): selection, flags, deadline, and a reply to send first
 * (r->reply_id).  Returns the message's length; r->info, r->request_id and
 * r->kind hold what came with it.
 */
ssize_t kipc_link_recvx(int fd, struct kipc_link_recv *r);

/*
 * Send the request @req to @pid and wait for its reply in @reply.
 * Returns the reply's length; @info (may be NULL) gets the reply's header.
 * -ECONNRESET: the server went away before replying.
 */
ssize_t kipc_call(int fd, pid_t pid, const void *req, size_t req_len,
		  void *reply, size_t reply_len, struct kipc_msg_info *info);
/*
 * The same with a request type, KIPC_MSG_* @flags (KIPC_MSG_NONBLOCK
 * applies to sending the request only) and a deadline for the whole call.
 */
ssize_t kipc_timedcall(int fd, pid_t pid, const void *req, size_t req_len,
		       uint64_t type, void *reply, size_t reply_len,
		       unsigned int flags, uint64_t deadline_ns,
		       struct kipc_msg_info *info);
/*
 * Reply @buf (@len bytes, type 0) to the request @request_id.  -ESRCH: its
 * caller gave up or went away; the reply is dropped.
 */
int kipc_reply(int fd, uint64_t request_id, const void *buf, size_t len);
/*
 * Reply to *@request_id (when nonzero) with @reply (type 0), then receive
 * the next message from any peer (or the link fd's peer): a server's loop
 * in one call per request.  On success *@request_id gets the received
 * request's id (0 for a plain message; with KIPC_LINK_CANCEL, the id of
 * the request its caller gave up), @kind (may be NULL) its enum
 * kipc_link_kind.  On failure *@request_id is 0 if the reply went out or
 * never can (-ESRCH), else unchanged: calling again is safe.  Returns the
 * message's length.
 */
ssize_t kipc_reply_recv(int fd, uint64_t *request_id, const void *reply,
			size_t reply_len, void *buf, size_t len,
			struct kipc_msg_info *info, unsigned int *kind);

/* Pipes */

/*
 * Create an anonymous pipe: @fds[0] is the read end, @fds[1] the write end,
 * like pipe2(2).  @flags: KIPC_O_NONBLOCK, KIPC_O_CLOEXEC.  The capacity is
 * the module default.
 */
int kipc_pipe(int sfd, int fds[2], unsigned int flags);
/*
 * Open one end of the named pipe @name, creating it with KIPC_O_CREAT
 * (@mode, @capacity: 0 for the default, apply to a new pipe).  @flags has
 * exactly one of KIPC_O_READ, KIPC_O_WRITE.  Waits for the other end as
 * fifo(7) does (see kipc_pipe_open(3)).  Returns the fd.
 */
int kipc_pipe_open(int sfd, const char *name, unsigned int flags,
		   unsigned int mode, uint32_t capacity);
/* Open one end of an existing pipe by id.  Returns the fd. */
int kipc_pipe_open_id(int sfd, uint64_t id, unsigned int flags);
/* Remove the name of pipe @name; open ends work on. */
int kipc_pipe_remove(int sfd, const char *name);
/* The same by id. */
int kipc_pipe_remove_id(int sfd, uint64_t id);
/* Fill @st for the pipe of the end @fd. */
int kipc_pipe_stat(int fd, struct kipc_pipe_stat *st);
/* Apply the fields selected by @set->flags; @set->size is filled in. */
int kipc_pipe_set(int fd, const struct kipc_pipe_set *set);
/*
 * Set the pipe's capacity to at least @bytes (rounded up to a page), like
 * fcntl(F_SETPIPE_SZ).  Returns the new capacity.
 */
int kipc_pipe_set_capacity(int fd, uint32_t bytes);

/* One side of a full-duplex channel: two pipes, one each way. */
struct kipc_duplex {
	int rfd;	/* what the other side writes */
	int wfd;	/* what the other side reads */
};

/*
 * Make a full-duplex channel from two anonymous pipes: what @ends[0]
 * writes, @ends[1] reads, and the other way.  Give each process one end
 * and close the other (kipc_duplex_close).  @flags: KIPC_O_NONBLOCK,
 * KIPC_O_CLOEXEC.
 */
int kipc_duplex(int sfd, unsigned int flags, struct kipc_duplex ends[2]);
/*
 * Join the named full-duplex channel @name (pipes "@name.0" and "@name.1",
 * created with @mode when missing) as @side 0 or 1; the two sides must
 * use different @side values.  Waits until the other side joins.
 */
int kipc_duplex_open(int sfd, const char *name, int side, unsigned int flags,
		     unsigned int mode, struct kipc_duplex *end);
/* Close both fds of @end. */
int kipc_duplex_close(struct kipc_duplex *end);

/* Shared memory */

/*
 * Open the region @name, or create it of @size bytes with KIPC_O_CREAT
 * (@mode applies to a new region).  @flags: KIPC_O_READ and/or
 * KIPC_O_WRITE.  @name NULL with KIPC_O_CREAT makes an anonymous region.
 * When @id is not NULL it receives the region's id.  Returns the fd.
 */
int kipc_shm_open(int sfd, const char *name, unsigned int flags,
		  unsigned int mode, uint64_t size, uint64_t *id);
/* Open an existing region by id.  Returns the fd. */
int kipc_shm_open_id(int sfd, uint64_t id, unsigned int flags);
/* Remove the name of region @name; fds and mappings stay. */
int kipc_shm_remove(int sfd, const char *name);
/* The same by id. */
int kipc_shm_remove_id(int sfd, uint64_t id);
/* Fill @st for the region of @fd. */
int kipc_shm_stat(int fd, struct kipc_shm_stat *st);
/* Apply the fields selected by @set->flags; @set->size is filled in. */
int kipc_shm_set(int fd, const struct kipc_shm_set *set);

/* A mapped region, for the wait/wake and lock functions. */
struct kipc_region {
	void *addr;		/* the mapping */
	size_t size;		/* the region's size */
	int fd;			/* the region fd (not owned) */
	pid_t pid;		/* process that holder belongs to */
	uint32_t holder;	/* holder id in that process, 0: none yet */
};

/*
 * Map the whole region of @fd (PROT_READ, or PROT_READ|PROT_WRITE),
 * MAP_SHARED, and fill @r.  The fd stays the caller's and must stay open
 * while @r is used for waits, wakes and locks.
 */
int kipc_shm_map(int fd, int prot, struct kipc_region *r);
/* Unmap @r's mapping. */
int kipc_shm_unmap(struct kipc_region *r);
/*
 * Sleep while *@word (in @r) equals @expected, until kipc_shm_wake() on
 * it, the absolute CLOCK_MONOTONIC @deadline_ns (0: none) or a signal.
 * 0 when woken; -EAGAIN when *@word differed; -ETIMEDOUT; -EINTR.
 */
int kipc_shm_wait(const struct kipc_region *r, const uint32_t *word,
		  uint32_t expected, uint64_t deadline_ns);
/* Wake up to @count (KIPC_WAKE_ALL: all) waiters on @word; returns how many. */
int kipc_shm_wake(const struct kipc_region *r, const uint32_t *word,
		  unsigned int count);

/* A robust lock: a word in a region, shared by the processes mapping it. */
struct kipc_lock {
	uint32_t word;
};

/* Register @l (in @r) as a lock and make it free. */
int kipc_lock_init(struct kipc_region *r, struct kipc_lock *l);
/*
 * Take @l, waiting while another process holds it.  0; -EOWNERDEAD: taken,
 * but its previous holder died holding it (make the data consistent, then
 * kipc_lock_consistent()); -ENOTRECOVERABLE: a holder unlocked it after
 * -EOWNERDEAD without making it consistent.
 */
int kipc_lock(struct kipc_region *r, struct kipc_lock *l);
/* As kipc_lock(), -EBUSY instead of waiting. */
int kipc_trylock(struct kipc_region *r, struct kipc_lock *l);
/* As kipc_lock(), -ETIMEDOUT at the absolute CLOCK_MONOTONIC @deadline_ns. */
int kipc_timedlock(struct kipc_region *r, struct kipc_lock *l,
		   uint64_t deadline_ns);
/* After -EOWNERDEAD: the data is consistent again.  -EINVAL otherwise. */
int kipc_lock_consistent(struct kipc_region *r, struct kipc_lock *l);
/* Release @l; -EPERM when this process does not hold it. */
int kipc_unlock(struct kipc_region *r, struct kipc_lock *l);

/* Time helpers */

/* The CLOCK_MONOTONIC time @timeout_ns from now, for KIPC_MSG_DEADLINE. */
uint64_t kipc_deadline(uint64_t timeout_ns);

#ifdef __cplusplus
}
#endif

#endif /* KIPC_H */
