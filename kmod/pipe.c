// SPDX-License-Identifier: GPL-2.0
/*
 * kipc pipes: half-duplex byte streams with pipe(7) and fifo(7) semantics.
 *
 * A pipe is a kipc object holding a byte ring of @capacity bytes (a whole
 * number of pages).  Each fd is one end: a read end (FMODE_READ) or a write
 * end (FMODE_WRITE), never both.  read(2) and write(2) copy between the
 * caller's iov_iter and the ring with the pipe's mutex held, as Linux's
 * pipes do; there is no global lock on read, write or poll.
 *
 * Opening makes one file per end asked for, counts the ends under the
 * pipe's mutex and, for a lone end of a FIFO-like open, waits for the
 * partner (fifo(7)) before any fd is installed: an open that fails or is
 * interrupted puts its files back, which uncounts the ends, and leaves no
 * fd behind.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/uio.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>
#include <asm/ioctls.h>
#include <net/netlink.h>
#include <kunit/visibility.h>
#include <linux/kipc.h>

#include "netlink.h"
#include "object.h"
#include "pipe.h"

/**
 * DOC: pipe locking
 *
 * p->mutex guards the ring (@buf, @capacity, @head, @len), the end counts
 * (@readers, @writers, @r_counter, @w_counter), the counters and @full.  It
 * is held across the copies to and from user space (which may fault and
 * sleep), never while waiting for data, room or a partner.  Fields a waiter
 * or poll reads without it are written with WRITE_ONCE() and read with
 * READ_ONCE(): those reads are hints, re-checked under the mutex.  The
 * netlink family's nl_fill() reads its fields that way too, never taking
 * the mutex: a copy stuck in a fault (userfaultfd) must not stall a dump.
 *
 * Order: p->mutex is taken before kipc_reg_lock, and only KIPC_IOC_PIPE_SET
 * holds both (the capacity's quota charge and the ring swap are one step).
 * Nothing takes p->mutex with kipc_reg_lock held, so the registry never
 * waits for a copy that is stuck in a page fault.
 *
 * Waiters: readers sleep on @rd_wait for data or the last writer's close,
 * writers on @wr_wait for room or the last reader's close, lone opens on
 * @open_wait for the partner's counter to move; all non-exclusive, all
 * interruptible.  Wakers change the state under p->mutex and wake after
 * dropping it, and only when someone may wait: readers when the ring was
 * empty (or on every write once a read end was polled: @rd_polled),
 * writers when fewer than KIPC_PIPE_ATOMIC bytes were free (the most a
 * waiting writer needs).  Pollers sleep on the same queues.
 */

/**
 * struct kipc_pipe - a pipe
 * @obj:	the common object head
 * @mutex:	see "pipe locking"
 * @buf:	the ring (protected by @mutex)
 * @capacity:	its size in bytes, a multiple of PAGE_SIZE (protected by
 *		@mutex, read unlocked as a hint)
 * @head:	offset of the oldest byte (protected by @mutex)
 * @len:	bytes in the ring (protected by @mutex, read unlocked as a hint)
 * @readers:	open read ends (protected by @mutex, read unlocked as a hint)
 * @writers:	open write ends (as @readers)
 * @r_counter:	read ends ever opened (protected by @mutex)
 * @w_counter:	write ends ever opened (protected by @mutex)
 * @bytes_written: bytes ever written (protected by @mutex, read unlocked)
 * @bytes_read:	bytes ever read (as @bytes_written)
 * @writes:	write calls that moved bytes (as @bytes_written)
 * @reads:	read calls that moved bytes (as @bytes_written)
 * @nr_waiters:	tasks waiting in a read or write (only waiters change it)
 * @full:	a write found the ring full and KIPC_LIMIT_FULL was reported;
 *		cleared by a read that takes bytes out (protected by @mutex)
 * @rd_wait:	readers waiting for data, pollers of read ends
 * @wr_wait:	writers waiting for room, pollers of write ends
 * @open_wait:	lone opens waiting for the other end
 * @open_flags:	KIPC_O_* of the open that creates the pipe (invariant, used
 *		by linking() only)
 * @rd_polled:	a read end was polled: writers wake @rd_wait on every write,
 *		not only into an empty ring, as edge-triggered epoll wants
 *		each write as an edge (Linux's poll_usage; set once, read
 *		unlocked)
 */
struct kipc_pipe {
	struct kipc_object obj;
	struct mutex mutex;
	char *buf;
	u32 capacity;
	u32 head;
	u32 len;
	unsigned int readers;
	unsigned int writers;
	unsigned int r_counter;
	unsigned int w_counter;
	u64 bytes_written;
	u64 bytes_read;
	u64 writes;
	u64 reads;
	atomic_t nr_waiters;
	bool full;
	wait_queue_head_t rd_wait;
	wait_queue_head_t wr_wait;
	wait_queue_head_t open_wait;
	unsigned int open_flags;
	bool rd_polled;
};

/**
 * struct kipc_pipe_file - what a pipe file knows of its own (private_data)
 * @pipe:	the pipe (the file holds a reference; invariant)
 * @w_counter:	for a read end opened with no writer, the pipe's @w_counter
 *		then: poll reports EPOLLHUP only once a writer came after
 *		that (the EPOLLHUP rule of Linux's FIFOs); for one opened
 *		with a writer, one less, so that EPOLLHUP comes as soon as
 *		no writer is left
 * @counted:	this end is counted in @readers or @writers (set once, under
 *		the pipe's mutex, before any other context sees the file)
 */
struct kipc_pipe_file {
	struct kipc_pipe *pipe;
	unsigned int w_counter;
	bool counted;
};

static_assert(sizeof(struct kipc_pipe_open) == KIPC_PIPE_OPEN_SIZE_VER0);
static_assert(sizeof(struct kipc_pipe_stat) == KIPC_PIPE_STAT_SIZE_VER0);
static_assert(sizeof(struct kipc_pipe_set) == KIPC_PIPE_SET_SIZE_VER0);

#define KIPC_PIPE_SET_ALL \
	(KIPC_SET_MODE | KIPC_SET_UID | KIPC_SET_GID | KIPC_SET_CAPACITY)

static const struct file_operations kipc_pipe_fops;

static struct kipc_pipe *kipc_pipe_of(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_pipe, obj);
}

/**
 * kipc_pipe_capacity() - the capacity a pipe gets for @bytes
 * @bytes:	requested bytes
 * @max:	the module's pipe_size_max
 * @cap:	out: @bytes rounded up to a page
 *
 * The ring is one kvmalloc(), which refuses (with a warning) more than
 * INT_MAX bytes: that is the limit, whatever @max says.
 *
 * Return: 0, or -EINVAL when @bytes is 0 or the rounded size exceeds @max
 * or INT_MAX.
 */
VISIBLE_IF_KUNIT int kipc_pipe_capacity(u64 bytes, u64 max, u32 *cap)
{
	u64 size;

	if (!bytes || bytes > INT_MAX)
		return -EINVAL;
	size = round_up(bytes, PAGE_SIZE);
	if (size > max || size > INT_MAX)
		return -EINVAL;
	*cap = size;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_pipe_capacity);

/**
 * kipc_pipe_ring_add() - the ring offset @n bytes after @pos
 * @size:	ring size
 * @pos:	an offset, below @size
 * @n:		bytes, at most @size
 *
 * Return: (@pos + @n) mod @size.
 */
VISIBLE_IF_KUNIT u32 kipc_pipe_ring_add(u32 size, u32 pos, u32 n)
{
	return n >= size - pos ? n - (size - pos) : pos + n;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_pipe_ring_add);

/**
 * kipc_pipe_ring_span() - bytes of a copy of @n at @pos before the wrap
 * @size:	ring size
 * @pos:	where the copy starts, below @size
 * @n:		bytes to copy, at most @size
 *
 * Return: the length of the first segment; the rest (@n minus it) starts
 * at offset 0.
 */
VISIBLE_IF_KUNIT u32 kipc_pipe_ring_span(u32 size, u32 pos, u32 n)
{
	return min(n, size - pos);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_pipe_ring_span);

/**
 * kipc_pipe_write_room() - bytes a write may copy now
 * @size:	ring size
 * @len:	bytes in the ring
 * @left:	bytes the write still has to copy
 * @atomic:	the write is of at most KIPC_PIPE_ATOMIC bytes in all
 *
 * An atomic write goes in whole or waits; any other copies what fits.
 *
 * Return: the bytes to copy, 0 to wait.
 */
VISIBLE_IF_KUNIT size_t kipc_pipe_write_room(u32 size, u32 len, size_t left,
					     bool atomic)
{
	size_t room = size - len;

	if (atomic)
		return left <= room ? left : 0;
	return min(left, room);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_pipe_write_room);

/**
 * kipc_pipe_ring_copy() - copy a ring's bytes, oldest first, to @dst
 * @dst:	at least @len bytes
 * @src:	the ring
 * @size:	its size
 * @head:	offset of its oldest byte
 * @len:	bytes in it
 */
VISIBLE_IF_KUNIT void kipc_pipe_ring_copy(char *dst, const char *src, u32 size,
					  u32 head, u32 len)
{
	u32 first = kipc_pipe_ring_span(size, head, len);

	memcpy(dst, src + head, first);
	memcpy(dst + first, src, len - first);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_pipe_ring_copy);

/**
 * kipc_pipe_poll_mask() - what poll reports on an end
 * @mode:	the file's FMODE_READ or FMODE_WRITE
 * @size:	ring size
 * @len:	bytes in the ring
 * @readers:	open read ends
 * @writers:	open write ends
 * @hup:	a writer came since this read end was opened
 *
 * Return: EPOLLIN|EPOLLRDNORM with data, EPOLLHUP on a read end with no
 * writer after having had one, EPOLLOUT|EPOLLWRNORM when KIPC_PIPE_ATOMIC
 * bytes fit, EPOLLERR on a write end with no reader.
 */
VISIBLE_IF_KUNIT __poll_t kipc_pipe_poll_mask(fmode_t mode, u32 size, u32 len,
					      unsigned int readers,
					      unsigned int writers, bool hup)
{
	__poll_t mask = 0;

	if (mode & FMODE_READ) {
		if (len)
			mask |= EPOLLIN | EPOLLRDNORM;
		if (!writers && hup)
			mask |= EPOLLHUP;
	}
	if (mode & FMODE_WRITE) {
		if (size - len >= KIPC_PIPE_ATOMIC)
			mask |= EPOLLOUT | EPOLLWRNORM;
		if (!readers)
			mask |= EPOLLERR;
	}
	return mask;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_pipe_poll_mask);

/* Wake pollers and waiters of @wq with @key, if there are any. */
static void kipc_pipe_wake(wait_queue_head_t *wq, __poll_t key)
{
	if (wq_has_sleeper(wq))
		wake_up_interruptible_sync_poll(wq, key);
}

static void kipc_pipe_release(struct kipc_object *obj)
{
	struct kipc_pipe *p = kipc_pipe_of(obj);

	kvfree(p->buf);
	mutex_destroy(&p->mutex);
	kipc_object_destroy(obj);
	kfree(p);
}

/*
 * kipc_reg_lock held, a new pipe: one opened only to write without waiting
 * could never have a reader (-ENXIO), so it is not made at all.
 */
static int kipc_pipe_linking(struct kipc_object *obj)
{
	struct kipc_pipe *p = kipc_pipe_of(obj);
	unsigned int how = p->open_flags & (KIPC_O_ALL_DIRS | KIPC_O_NONBLOCK);

	lockdep_assert_held(&kipc_reg_lock);
	return how == (KIPC_O_WRITE | KIPC_O_NONBLOCK) ? -ENXIO : 0;
}

/*
 * kipc_object_ops.nl_fill: without p->mutex, which a copy may hold for as
 * long as a fault takes (see "pipe locking"): a snapshot of hints.
 */
static int kipc_pipe_nl_fill(struct kipc_object *obj, struct sk_buff *skb,
			     const struct kipc_nl_ctx *ctx)
{
	struct kipc_pipe *p = kipc_pipe_of(obj);
	u32 flags = 0;

	if (!obj->name)
		flags |= KIPC_STAT_ANONYMOUS;
	if (!READ_ONCE(obj->linked))
		flags |= KIPC_STAT_REMOVED;
	if (nla_put_u32(skb, KIPC_A_FLAGS, flags) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES, READ_ONCE(p->len)) ||
	    kipc_nl_put_u64(skb, KIPC_A_CAPACITY, READ_ONCE(p->capacity)) ||
	    nla_put_u32(skb, KIPC_A_READERS, READ_ONCE(p->readers)) ||
	    nla_put_u32(skb, KIPC_A_WRITERS, READ_ONCE(p->writers)) ||
	    nla_put_u32(skb, KIPC_A_WAITERS, atomic_read(&p->nr_waiters)) ||
	    kipc_nl_put_u64(skb, KIPC_A_MSGS_IN, READ_ONCE(p->writes)) ||
	    kipc_nl_put_u64(skb, KIPC_A_MSGS_OUT, READ_ONCE(p->reads)) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES_IN,
			    READ_ONCE(p->bytes_written)) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES_OUT, READ_ONCE(p->bytes_read)))
		return -EMSGSIZE;
	return 0;
}

/*
 * No unlinked(): a removed pipe works on for its open ends, like an
 * unlinked FIFO, so nobody is to be woken.
 */
static const struct kipc_object_ops kipc_pipe_ops = {
	.type		= KIPC_OBJ_PIPE,
	.max_per_user	= &kipc_pipes_per_user,
	.release	= kipc_pipe_release,
	.linking	= kipc_pipe_linking,
	.nl_fill	= kipc_pipe_nl_fill,
};

/* A complete, unlinked pipe for KIPC_O_CREAT; it takes over @name. */
static struct kipc_pipe *kipc_pipe_new(const struct kipc_pipe_open *args,
				       char *name)
{
	struct kipc_pipe *p;
	u32 cap;
	int ret;

	if (args->mode & ~0777)
		return ERR_PTR(-EINVAL);
	ret = kipc_pipe_capacity(args->capacity ?:
				 READ_ONCE(kipc_pipe_size_default),
				 READ_ONCE(kipc_pipe_size_max), &cap);
	if (ret)
		return ERR_PTR(ret);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->buf = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
	if (!p->buf) {
		ret = -ENOMEM;
		goto out_free;
	}
	p->capacity = cap;
	p->open_flags = args->flags;
	mutex_init(&p->mutex);
	init_waitqueue_head(&p->rd_wait);
	init_waitqueue_head(&p->wr_wait);
	init_waitqueue_head(&p->open_wait);
	ret = kipc_object_init(&p->obj, &kipc_pipe_ops, name, args->mode);
	if (ret)
		goto out_free_buf;
	return p;

out_free_buf:
	kvfree(p->buf);
out_free:
	kfree(p);
	return ERR_PTR(ret);
}

/*
 * Count the ends @rd and @wr (either may be NULL) of @p and, for a lone end
 * that must wait for its partner (fifo(7)), wait for it.
 *
 * Return: 0, -ENXIO (a lone write end, @nonblock, no reader) with nothing
 * counted, or -ERESTARTSYS with the ends counted (the caller's fput()
 * uncounts them).
 */
static int kipc_pipe_attach(struct kipc_pipe *p, struct kipc_pipe_file *rd,
			    struct kipc_pipe_file *wr, bool nonblock)
{
	unsigned int *partner = NULL, seen = 0;

	mutex_lock(&p->mutex);
	if (wr && !rd && !p->readers) {
		if (nonblock) {
			mutex_unlock(&p->mutex);
			return -ENXIO;
		}
		partner = &p->r_counter;
	}
	if (rd && !wr && !p->writers && !nonblock)
		partner = &p->w_counter;
	if (rd) {
		/* a writer of this same call counts as one after the open */
		rd->w_counter = p->w_counter - !!p->writers;
		WRITE_ONCE(p->readers, p->readers + 1);
		WRITE_ONCE(p->r_counter, p->r_counter + 1);
		rd->counted = true;
	}
	if (wr) {
		WRITE_ONCE(p->writers, p->writers + 1);
		WRITE_ONCE(p->w_counter, p->w_counter + 1);
		wr->counted = true;
	}
	if (partner)
		seen = *partner;
	mutex_unlock(&p->mutex);

	if (wq_has_sleeper(&p->open_wait))
		wake_up_interruptible_all(&p->open_wait);
	if (!partner)
		return 0;
	return wait_event_interruptible(p->open_wait,
					READ_ONCE(*partner) != seen);
}

/* An end of @p closes: the last writer means EOF, the last reader EPIPE. */
static void kipc_pipe_detach(struct kipc_pipe *p, fmode_t mode)
{
	bool wake_rd = false, wake_wr = false;

	mutex_lock(&p->mutex);
	if (mode & FMODE_READ) {
		WRITE_ONCE(p->readers, p->readers - 1);
		wake_wr = !p->readers;
	}
	if (mode & FMODE_WRITE) {
		WRITE_ONCE(p->writers, p->writers - 1);
		wake_rd = !p->writers;
	}
	/* like a FIFO's, the bytes nobody can read any more go */
	if (!p->readers && !p->writers) {
		p->head = 0;
		WRITE_ONCE(p->len, 0);
	}
	mutex_unlock(&p->mutex);
	if (wake_rd && wq_has_sleeper(&p->rd_wait))
		wake_up_interruptible_all(&p->rd_wait);
	if (wake_wr && wq_has_sleeper(&p->wr_wait))
		wake_up_interruptible_all(&p->wr_wait);
}

static int kipc_pipe_file_release(struct inode *inode, struct file *file)
{
	struct kipc_pipe_file *pf = file->private_data;
	struct kipc_pipe *p;

	/* NULL when the open failed before the file was complete */
	if (!pf)
		return 0;
	p = pf->pipe;
	if (pf->counted)
		kipc_pipe_detach(p, file->f_mode);
	kfree(pf);
	kipc_object_file_closed(&p->obj);
	return 0;
}

/*
 * A file from kipc_object_file_open() or _more() becomes a pipe end: @pf
 * takes private_data's place (nothing can fail in between).
 */
static void kipc_pipe_file_init(struct file *file, struct kipc_pipe_file *pf)
{
	pf->pipe = kipc_pipe_of(file->private_data);
	file->private_data = pf;
	stream_open(file_inode(file), file);
	file->f_mode |= FMODE_NOWAIT;
}

/* Validated arguments of KIPC_IOC_PIPE_OPEN. */
static int kipc_pipe_open_check(const struct kipc_pipe_open *args)
{
	if (args->flags & ~KIPC_O_ALL)
		return -EINVAL;
	if (!(args->flags & KIPC_O_ALL_DIRS))
		return -EINVAL;
	if (memchr_inv(args->reserved, 0, sizeof(args->reserved)))
		return -EINVAL;
	return 0;
}

/*
 * The ends of an open, read end first.  Everything is made before any fd
 * is installed; on error whatever was made is put back in reverse.
 */
struct kipc_pipe_ends {
	int fd[2];
	struct file *file[2];
	struct kipc_pipe_file *pf[2];
	unsigned int access[2];
	int n;
};

static void kipc_pipe_ends_put(struct kipc_pipe_ends *e)
{
	int i;

	for (i = e->n - 1; i >= 0; i--) {
		if (e->file[i])
			fput(e->file[i]);	/* frees pf[i] once complete */
		else
			kfree(e->pf[i]);
		if (e->fd[i] >= 0)
			put_unused_fd(e->fd[i]);
	}
}

/* The files made so far. */
static unsigned int kipc_pipe_ends_made(const struct kipc_pipe_ends *e)
{
	unsigned int made = 0;
	int i;

	for (i = 0; i < e->n; i++)
		made += !!e->file[i];
	return made;
}

/* Reserve the fds and per-file state of each end @flags asks for. */
static int kipc_pipe_ends_prepare(struct kipc_pipe_ends *e, unsigned int flags)
{
	unsigned int cloexec = flags & KIPC_O_CLOEXEC ? O_CLOEXEC : 0;
	int i;

	memset(e, 0, sizeof(*e));
	if (flags & KIPC_O_READ)
		e->access[e->n++] = KIPC_O_READ;
	if (flags & KIPC_O_WRITE)
		e->access[e->n++] = KIPC_O_WRITE;
	for (i = 0; i < e->n; i++)
		e->fd[i] = -1;
	for (i = 0; i < e->n; i++) {
		e->pf[i] = kzalloc(sizeof(*e->pf[i]), GFP_KERNEL_ACCOUNT);
		if (!e->pf[i])
			return -ENOMEM;
		e->fd[i] = get_unused_fd_flags(cloexec);
		if (e->fd[i] < 0)
			return e->fd[i];
	}
	return 0;
}

long kipc_ioctl_pipe_open(void __user *arg)
{
	struct kipc_pipe_open __user *uarg = arg;
	struct kipc_open_req req = {
		.type	= KIPC_OBJ_PIPE,
		.fops	= &kipc_pipe_fops,
		.fname	= "[kipc-pipe]",
	};
	struct kipc_pipe_file *rd = NULL, *wr = NULL;
	struct kipc_pipe *p = NULL, *created = NULL, *new = NULL;
	struct kipc_pipe_open args;
	struct kipc_pipe_ends e;
	unsigned int nonblock;
	char *name = NULL;
	long ret;
	int i;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_PIPE_OPEN_SIZE_VER0, arg);
	if (ret)
		return ret;
	ret = kipc_pipe_open_check(&args);
	if (ret)
		return ret;
	if (args.name_ptr) {
		name = kipc_name_from_user(args.name_ptr);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}
	if (args.flags & KIPC_O_CREAT) {
		p = kipc_pipe_new(&args, name);
		if (IS_ERR(p)) {
			kfree(name);
			return PTR_ERR(p);
		}
		req.new = &p->obj;
		req.charge = p->capacity;
		new = p;	/* compared only: req.new is consumed below */
	}
	req.flags = args.flags;
	req.name = name;
	req.id = args.id;
	nonblock = args.flags & KIPC_O_NONBLOCK;

	ret = kipc_pipe_ends_prepare(&e, args.flags);
	if (ret) {
		if (p)
			kipc_object_put(&p->obj);
		goto out_put_ends;
	}
	/* the first end finds or makes the pipe (and consumes req.new) */
	e.file[0] = kipc_object_file_open(&req, e.access[0], &uarg->id);
	if (IS_ERR(e.file[0])) {
		ret = PTR_ERR(e.file[0]);
		e.file[0] = NULL;
		goto out_put_ends;
	}
	kipc_pipe_file_init(e.file[0], e.pf[0]);
	p = e.pf[0]->pipe;
	/*
	 * Did this call create the pipe?  An existing one was found while the
	 * new one was still alive, so their addresses differ.
	 */
	if (p == new)
		created = p;
	for (i = 1; i < e.n; i++) {
		e.file[i] = kipc_object_file_more(&p->obj, &req,
						  e.access[i] | nonblock);
		if (IS_ERR(e.file[i])) {
			ret = PTR_ERR(e.file[i]);
			e.file[i] = NULL;
			goto out_put_ends;
		}
		kipc_pipe_file_init(e.file[i], e.pf[i]);
	}
	for (i = 0; i < e.n; i++) {
		if (e.access[i] == KIPC_O_READ)
			rd = e.pf[i];
		else
			wr = e.pf[i];
	}
	ret = kipc_pipe_attach(p, rd, wr, nonblock);
	if (ret)
		goto out_put_ends;
	if (put_user(rd ? e.fd[0] : -1, &uarg->read_fd) ||
	    put_user(wr ? e.fd[e.n - 1] : -1, &uarg->write_fd)) {
		ret = -EFAULT;
		goto out_put_ends;
	}
	for (i = 0; i < e.n; i++)
		fd_install(e.fd[i], e.file[i]);
	if (!req.new)
		kfree(name);	/* else the pipe owns it */
	return 0;

out_put_ends:
	if (created)
		kipc_object_unlink_unopened(&created->obj,
					    kipc_pipe_ends_made(&e));
	kipc_pipe_ends_put(&e);
	if (!req.new)
		kfree(name);
	return ret;
}

static struct kipc_pipe *kipc_pipe_file(struct file *file)
{
	return ((struct kipc_pipe_file *)file->private_data)->pipe;
}

static bool kipc_pipe_nonblock(struct kiocb *iocb)
{
	return (iocb->ki_filp->f_flags & O_NONBLOCK) ||
	       (iocb->ki_flags & IOCB_NOWAIT);
}

static int kipc_pipe_lock(struct kipc_pipe *p, struct kiocb *iocb)
{
	if (!(iocb->ki_flags & IOCB_NOWAIT)) {
		mutex_lock(&p->mutex);
		return 0;
	}
	return mutex_trylock(&p->mutex) ? 0 : -EAGAIN;
}

/* Has a waiting reader something to do: data, or no writer left? */
static bool kipc_pipe_readable(struct kipc_pipe *p)
{
	return READ_ONCE(p->len) || !READ_ONCE(p->writers);
}

/* Has a writer waiting for @need bytes something to do? */
static bool kipc_pipe_writable(struct kipc_pipe *p, size_t need)
{
	return READ_ONCE(p->capacity) - READ_ONCE(p->len) >= need ||
	       !READ_ONCE(p->readers);
}

/* Copy @n bytes out of the head of the ring; short on a fault. */
static size_t kipc_pipe_copy_out(struct kipc_pipe *p, size_t n,
				 struct iov_iter *to)
{
	u32 first = kipc_pipe_ring_span(p->capacity, p->head, n);
	size_t done;

	lockdep_assert_held(&p->mutex);
	done = copy_to_iter(p->buf + p->head, first, to);
	if (done == first && n > first)
		done += copy_to_iter(p->buf, n - first, to);
	return done;
}

/* Copy @n bytes in at the tail of the ring; short on a fault. */
static size_t kipc_pipe_copy_in(struct kipc_pipe *p, size_t n,
				struct iov_iter *from)
{
	u32 tail = kipc_pipe_ring_add(p->capacity, p->head, p->len);
	u32 first = kipc_pipe_ring_span(p->capacity, tail, n);
	size_t done;

	lockdep_assert_held(&p->mutex);
	done = copy_from_iter(p->buf + tail, first, from);
	if (done == first && n > first)
		done += copy_from_iter(p->buf, n - first, from);
	return done;
}

static ssize_t kipc_pipe_do_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	struct kipc_pipe *p = kipc_pipe_file(iocb->ki_filp);
	size_t total = iov_iter_count(to), n;
	bool wake = false;
	ssize_t ret;

	if (!total)
		return 0;
	ret = kipc_pipe_lock(p, iocb);
	if (ret)
		return ret;
	for (;;) {
		if (p->len) {
			/* writers wait only while less than this is free */
			wake = p->capacity - p->len < KIPC_PIPE_ATOMIC;
			n = kipc_pipe_copy_out(p, min_t(size_t, total, p->len),
					       to);
			if (!n) {
				ret = -EFAULT;
				break;
			}
			p->head = kipc_pipe_ring_add(p->capacity, p->head, n);
			WRITE_ONCE(p->len, p->len - n);
			if (!p->len)
				p->head = 0;
			WRITE_ONCE(p->bytes_read, p->bytes_read + n);
			WRITE_ONCE(p->reads, p->reads + 1);
			p->full = false;
			ret = n;
			break;
		}
		ret = 0;
		if (!p->writers)
			break;
		ret = -EAGAIN;
		if (kipc_pipe_nonblock(iocb))
			break;
		mutex_unlock(&p->mutex);
		atomic_inc(&p->nr_waiters);
		ret = wait_event_interruptible(p->rd_wait,
					       kipc_pipe_readable(p));
		atomic_dec(&p->nr_waiters);
		if (ret)
			return -ERESTARTSYS;
		mutex_lock(&p->mutex);
	}
	mutex_unlock(&p->mutex);
	if (wake)
		kipc_pipe_wake(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	if (ret > 0)
		kipc_stats_msg_out(ret);
	return ret;
}

static ssize_t kipc_pipe_read_iter(struct kiocb *iocb, struct iov_iter *to)
{
	return kipc_stats_ret(kipc_pipe_do_read_iter(iocb, to));
}

static ssize_t kipc_pipe_do_write_iter(struct kiocb *iocb,
				       struct iov_iter *from)
{
	struct kipc_pipe *p = kipc_pipe_file(iocb->ki_filp);
	size_t total = iov_iter_count(from), written = 0, n, done;
	bool atomic = total <= KIPC_PIPE_ATOMIC;
	bool wake = false, full = false;
	ssize_t ret;

	if (!total)
		return 0;
	ret = kipc_pipe_lock(p, iocb);
	if (ret)
		return ret;
	for (;;) {
		if (!p->readers) {
			send_sig(SIGPIPE, current, 0);
			ret = -EPIPE;
			break;
		}
		n = kipc_pipe_write_room(p->capacity, p->len, total - written,
					 atomic);
		if (n) {
			/* readers wait only on an empty ring, pollers not */
			wake |= !p->len || READ_ONCE(p->rd_polled);
			done = kipc_pipe_copy_in(p, n, from);
			WRITE_ONCE(p->len, p->len + done);
			WRITE_ONCE(p->bytes_written, p->bytes_written + done);
			if (!written && done)
				WRITE_ONCE(p->writes, p->writes + 1);
			written += done;
			if (done < n) {
				ret = -EFAULT;
				break;
			}
			if (written == total)
				break;
			continue;
		}
		/* full: reported once until a read takes bytes out */
		if (!p->full)
			p->full = full = true;
		ret = -EAGAIN;
		if (kipc_pipe_nonblock(iocb))
			break;
		mutex_unlock(&p->mutex);
		if (wake) {
			kipc_pipe_wake(&p->rd_wait, EPOLLIN | EPOLLRDNORM);
			wake = false;
		}
		if (full) {
			kipc_nl_limit_hit(KIPC_LIMIT_FULL, KIPC_TYPE_PIPE,
					  p->obj.id);
			full = false;
		}
		atomic_inc(&p->nr_waiters);
		ret = wait_event_interruptible(p->wr_wait,
				kipc_pipe_writable(p, atomic ? total : 1));
		atomic_dec(&p->nr_waiters);
		if (ret)
			goto out;
		mutex_lock(&p->mutex);
	}
	mutex_unlock(&p->mutex);
	if (wake)
		kipc_pipe_wake(&p->rd_wait, EPOLLIN | EPOLLRDNORM);
	if (full)
		kipc_nl_limit_hit(KIPC_LIMIT_FULL, KIPC_TYPE_PIPE, p->obj.id);
out:
	if (written)
		kipc_stats_msg_in(written);
	return written ? written : ret;
}

static ssize_t kipc_pipe_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	return kipc_stats_ret(kipc_pipe_do_write_iter(iocb, from));
}

static __poll_t kipc_pipe_poll(struct file *file, poll_table *pt)
{
	struct kipc_pipe_file *pf = file->private_data;
	struct kipc_pipe *p = pf->pipe;

	if (file->f_mode & FMODE_READ) {
		if (!READ_ONCE(p->rd_polled))
			WRITE_ONCE(p->rd_polled, true);
		poll_wait(file, &p->rd_wait, pt);
	}
	if (file->f_mode & FMODE_WRITE)
		poll_wait(file, &p->wr_wait, pt);
	/* unlocked, as Linux's pipes: a snapshot the wake-ups keep fresh */
	return kipc_pipe_poll_mask(file->f_mode, READ_ONCE(p->capacity),
				   READ_ONCE(p->len), READ_ONCE(p->readers),
				   READ_ONCE(p->writers),
				   READ_ONCE(p->w_counter) != pf->w_counter);
}

static long kipc_ioctl_pipe_stat(struct file *file, void __user *arg)
{
	struct kipc_pipe *p = kipc_pipe_file(file);
	struct user_namespace *ns = current_user_ns();
	struct kipc_object *obj = &p->obj;
	struct kipc_pipe_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.id = obj->id;
	st.cuid = from_kuid_munged(ns, obj->cuid);
	st.cgid = from_kgid_munged(ns, obj->cgid);
	st.creator_pid = pid_vnr(obj->creator);
	st.create_time_ns = obj->create_time;
	st.atomic_size = KIPC_PIPE_ATOMIC;
	if (obj->name)
		strscpy(st.name, obj->name, sizeof(st.name));
	else
		st.flags |= KIPC_STAT_ANONYMOUS;

	mutex_lock(&kipc_reg_lock);
	st.mode = obj->mode;
	st.uid = from_kuid_munged(ns, obj->uid);
	st.gid = from_kgid_munged(ns, obj->gid);
	if (!obj->linked)
		st.flags |= KIPC_STAT_REMOVED;
	mutex_unlock(&kipc_reg_lock);

	mutex_lock(&p->mutex);
	st.capacity = p->capacity;
	st.bytes = p->len;
	st.readers = p->readers;
	st.writers = p->writers;
	st.bytes_written = p->bytes_written;
	st.bytes_read = p->bytes_read;
	mutex_unlock(&p->mutex);

	return kipc_copy_args_to_user(arg, &st, sizeof(st),
				      KIPC_PIPE_STAT_SIZE_VER0);
}

/*
 * Apply @args to @p, both locks held: all of it or, on error, nothing.
 * @ring is the new ring for KIPC_SET_CAPACITY; on success it is the old
 * one, for the caller to free.
 */
static int kipc_pipe_set_locked(struct kipc_pipe *p,
				const struct kipc_pipe_set *args, u32 cap,
				char **ring, const struct kipc_owner_set *owner)
{
	struct kipc_object *obj = &p->obj;
	char *old;
	int ret;

	lockdep_assert_held(&p->mutex);
	lockdep_assert_held(&kipc_reg_lock);
	if ((args->flags & ~KIPC_SET_CAPACITY) &&
	    !kipc_object_owner_locked(obj))
		return -EPERM;
	if (args->flags & KIPC_SET_CAPACITY) {
		if (p->len > cap)
			return -EBUSY;
		ret = kipc_object_recharge_locked(obj, cap);
		if (ret)
			return ret;
	}
	kipc_object_set_owner_locked(obj, owner);
	if (args->flags & KIPC_SET_CAPACITY) {
		old = p->buf;
		kipc_pipe_ring_copy(*ring, old, p->capacity, p->head, p->len);
		p->buf = *ring;
		p->head = 0;
		WRITE_ONCE(p->capacity, cap);
		*ring = old;
	}
	return 0;
}

static long kipc_ioctl_pipe_set(struct file *file, void __user *arg)
{
	struct kipc_pipe *p = kipc_pipe_file(file);
	struct kipc_owner_set owner;
	struct kipc_pipe_set args;
	char *ring = NULL;
	u32 cap = 0;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_PIPE_SET_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_PIPE_SET_ALL) ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ret = kipc_owner_set_init(&owner, args.flags, args.mode, args.uid,
				  args.gid);
	if (ret)
		return ret;
	if (args.flags & KIPC_SET_CAPACITY) {
		ret = kipc_pipe_capacity(args.capacity,
					 READ_ONCE(kipc_pipe_size_max), &cap);
		if (ret)
			return ret;
		ring = kvmalloc(cap, GFP_KERNEL_ACCOUNT);
		if (!ring)
			return -ENOMEM;
	}

	/* see "pipe locking": the pipe's mutex first */
	mutex_lock(&p->mutex);
	mutex_lock(&kipc_reg_lock);
	ret = kipc_pipe_set_locked(p, &args, cap, &ring, &owner);
	mutex_unlock(&kipc_reg_lock);
	mutex_unlock(&p->mutex);
	kvfree(ring);	/* the old ring, or the unused new one */
	if (!ret && (args.flags & KIPC_SET_CAPACITY))
		kipc_pipe_wake(&p->wr_wait, EPOLLOUT | EPOLLWRNORM);
	else if (ret == -EDQUOT)
		kipc_nl_limit_hit(KIPC_LIMIT_USER_BYTES, KIPC_TYPE_PIPE,
				  p->obj.id);
	return ret;
}

static long kipc_pipe_do_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	void __user *uarg = (void __user *)arg;
	struct kipc_pipe *p;
	int count;

	if (cmd == FIONREAD) {
		p = kipc_pipe_file(file);
		mutex_lock(&p->mutex);
		count = p->len;
		mutex_unlock(&p->mutex);
		return put_user(count, (int __user *)uarg);
	}
	switch (KIPC_IOC_BASE(cmd)) {
	case KIPC_IOC_BASE(KIPC_IOC_PIPE_STAT):
		return kipc_ioctl_pipe_stat(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_PIPE_SET):
		return kipc_ioctl_pipe_set(file, uarg);
	}
	return -ENOTTY;
}

static long kipc_pipe_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	return kipc_stats_ret(kipc_pipe_do_ioctl(file, cmd, arg));
}

/* No llseek: stream_open() makes seeks fail with -ESPIPE. */
static const struct file_operations kipc_pipe_fops = {
	.owner		= THIS_MODULE,
	.read_iter	= kipc_pipe_read_iter,
	.write_iter	= kipc_pipe_write_iter,
	.poll		= kipc_pipe_poll,
	.unlocked_ioctl	= kipc_pipe_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= kipc_pipe_file_release,
};
