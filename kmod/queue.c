// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message queues and mailboxes.
 *
 * A queue is a kipc object holding a struct kipc_msgq.  Send allocates the
 * message and copies the payload in before taking the queue's lock; receive
 * takes the message off under the lock and copies it out after dropping it.
 * A copy-out that faults puts the message back where it was, so nothing is
 * lost.
 *
 * A mailbox is a queue with another object type (so names and ids of its
 * own), the same file operations, and an owner: with KIPC_O_OWNED its
 * creating process, whose exit removes it (kmod/proc.c tells), and with
 * KIPC_O_OWNER_RECV only that process receives.  Every message goes to
 * exactly one receiver because receivers take it off under the lock.
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <net/netlink.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/wait.h>
#include <kunit/visibility.h>
#include <linux/kipc.h>

#include "msg.h"
#include "msgq.h"
#include "netlink.h"
#include "object.h"
#include "proc.h"
#include "queue.h"

/**
 * DOC: queue locking
 *
 * q->lock (a spinlock) guards @mq, @removed, the last sender/receiver,
 * the times, the counters, @nr_waiters and @full.  It nests inside
 * kipc_reg_lock and is never held across copy_{to,from}_user(), an
 * allocation or a sleep: a limit hit found under it (a full queue) is
 * reported after dropping it.  The netlink family's nl_fill() takes it
 * briefly, with no other kipc lock held.  The limits are written with both
 * locks held (only KIPC_IOC_QUEUE_SET changes them) and read under either.  Waiters sleep on @recv_wait (for a message) and
 * @send_wait (for room); they queue themselves before dropping q->lock and
 * are woken after the changer dropped it.
 */

/**
 * DOC: mailbox ownership
 *
 * An owned mailbox hooks its creator's exit (struct kipc_proc_hook) when it
 * is linked, in the object's linking() with kipc_reg_lock held
 * (kipc_proc_lock nests inside it), as the last step that may fail: a
 * mailbox that is not linked was never hooked.  The hook holds a reference
 * to the object, which whichever comes first drops:
 *
 * - the mailbox is unlinked (removed, the last fd of an anonymous one
 *   closed, module unload): its unlinked() takes the hook off, and when
 *   kipc_proc_unhook() says it did, drops the hook's reference;
 * - the owner exits: exited() runs from kmod/proc.c's workqueue without
 *   locks, unlinks the mailbox as a remove would (kipc_object_unlink(): no
 *   permission check; nothing if it was unlinked meanwhile), so that
 *   waiters wake with -EIDRM and the name is free, then drops the hook's
 *   reference.  unlinked() then finds the hook off and drops nothing.
 *
 * exited() runs a moment after the exit.  A lookup by name or id that
 * finds an owned mailbox whose owner has exited lets exited() finish first
 * (the type's dying()), so once waitpid() has returned for the owner, its
 * mailboxes are gone for every open and remove.
 *
 * The owner is the object's creator (invariant), so receive checks for
 * KIPC_O_OWNER_RECV need no lock.
 */

/**
 * struct kipc_queue - a message queue
 * @obj:	the common object head
 * @lock:	see "queue locking"
 * @mq:		the messages (protected by @lock)
 * @recv_wait:	receivers waiting for a message, and pollers
 * @send_wait:	senders waiting for room, and pollers
 * @lim:	largest message, messages and payload bytes the queue holds
 *		(see "queue locking")
 * @removed:	removed or unlinked: calls fail with -EIDRM (protected by @lock)
 * @last_sender: last sending process (protected by @lock, holds a reference)
 * @last_receiver: last receiving process (protected by @lock, holds one)
 * @send_time:	CLOCK_REALTIME ns of the last send (protected by @lock)
 * @recv_time:	... of the last receive (protected by @lock)
 * @change_time: ... of the last KIPC_IOC_QUEUE_SET (protected by @lock)
 * @msgs_in:	messages sent into it since creation (protected by @lock)
 * @msgs_out:	messages received out of it (protected by @lock)
 * @bytes_in:	their payload bytes (protected by @lock)
 * @bytes_out:	likewise (protected by @lock)
 * @nr_waiters:	tasks in a send or receive that wait (protected by @lock)
 * @full:	KIPC_LIMIT_FULL was reported since something was last taken
 *		out (protected by @lock)
 */
struct kipc_queue {
	struct kipc_object obj;
	spinlock_t lock;
	struct kipc_msgq mq;
	wait_queue_head_t recv_wait;
	wait_queue_head_t send_wait;
	struct kipc_queue_limits lim;
	bool removed;
	struct pid *last_sender;
	struct pid *last_receiver;
	u64 send_time;
	u64 recv_time;
	u64 change_time;
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
	unsigned int nr_waiters;
	bool full;
};

static_assert(sizeof(struct kipc_queue_open) == KIPC_QUEUE_OPEN_SIZE_VER0);
static_assert(sizeof(struct kipc_queue_remove) == KIPC_QUEUE_REMOVE_SIZE_VER0);
static_assert(sizeof(struct kipc_send) == KIPC_SEND_SIZE_VER0);
static_assert(sizeof(struct kipc_recv) == KIPC_RECV_SIZE_VER0);
static_assert(sizeof(struct kipc_queue_stat) == KIPC_QUEUE_STAT_SIZE_VER0);
static_assert(sizeof(struct kipc_queue_set) == KIPC_QUEUE_SET_SIZE_VER0);

/**
 * struct kipc_mailbox - a message queue in a name space of its own
 * @q:		the queue; first, so that the queue code frees a mailbox as
 *		its queue
 * @flags:	KIPC_O_OWNED, KIPC_O_OWNER_RECV (invariant)
 * @hook:	an owned mailbox's notice of its owner's exit (see "mailbox
 *		ownership")
 */
struct kipc_mailbox {
	struct kipc_queue q;
	unsigned int flags;
	struct kipc_proc_hook hook;
};

static_assert(offsetof(struct kipc_mailbox, q) == 0);

#define KIPC_O_MAILBOX_ONLY	(KIPC_O_OWNED | KIPC_O_OWNER_RECV)
static_assert(KIPC_O_MAILBOX_ALL == (KIPC_O_ALL | KIPC_O_MAILBOX_ONLY));

static const struct file_operations kipc_queue_fops;
static const struct kipc_object_ops kipc_mailbox_ops;

static struct kipc_queue *kipc_queue_of(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_queue, obj);
}

/* The mailbox @q is, or NULL for a plain queue. */
static struct kipc_mailbox *kipc_queue_mailbox(struct kipc_queue *q)
{
	if (q->obj.ops != &kipc_mailbox_ops)
		return NULL;
	return container_of(q, struct kipc_mailbox, q);
}

/* Is the caller's process the owner of @mb (owned or not: its creator)? */
static bool kipc_mailbox_is_owner(struct kipc_mailbox *mb)
{
	return task_tgid(current) == mb->q.obj.creator;
}

/* 0, or -EPERM when only @q's owner may receive and the caller is not it. */
static int kipc_queue_may_recv(struct kipc_queue *q)
{
	struct kipc_mailbox *mb = kipc_queue_mailbox(q);

	if (mb && (mb->flags & KIPC_O_OWNER_RECV) && !kipc_mailbox_is_owner(mb))
		return -EPERM;
	return 0;
}

/* The queue of a complete queue file (private_data is its object). */
static struct kipc_queue *kipc_queue_file(struct file *file)
{
	return kipc_queue_of(file->private_data);
}

static void kipc_queue_set_pid_locked(struct kipc_queue *q, struct pid **slot,
				      struct pid *pid)
{
	lockdep_assert_held(&q->lock);
	if (*slot != pid) {
		put_pid(*slot);
		*slot = get_pid(pid);
	}
}

/* The uapi type of @q, for netlink. */
static enum kipc_type kipc_queue_type(struct kipc_queue *q)
{
	return kipc_queue_mailbox(q) ? KIPC_TYPE_MAILBOX : KIPC_TYPE_QUEUE;
}

/* Report a limit @q hit; process context, no spinlock held. */
static void kipc_queue_limit_hit(struct kipc_queue *q, enum kipc_limit limit)
{
	kipc_nl_limit_hit(limit, kipc_queue_type(q), q->obj.id);
}

/* kipc_queue_wait_locked(): kipc_wait_locked(), counted in @nr_waiters. */
static int kipc_queue_wait_locked(struct kipc_queue *q, wait_queue_head_t *wq,
				  struct kipc_wait *w)
	__must_hold(&q->lock)
{
	int ret;

	q->nr_waiters++;
	ret = kipc_wait_locked(&q->lock, wq, w);
	q->nr_waiters--;
	return ret;
}

static bool kipc_queue_fits_locked(struct kipc_queue *q, size_t len)
{
	lockdep_assert_held(&q->lock);
	return q->mq.nr_msgs < q->lim.max_msgs &&
	       q->mq.bytes + len <= q->lim.capacity;
}

/**
 * kipc_queue_send() - queue a message, waiting for room as @w allows
 * @q:		the queue
 * @msg:	the message, consumed on success
 * @type:	its type
 * @w:		how to wait
 *
 * The first send that finds @q full since something was last taken out
 * reports KIPC_LIMIT_FULL (without q->lock), one over max_msgsize
 * KIPC_LIMIT_MSGSIZE.
 *
 * Return: 0, -EIDRM, -EMSGSIZE, -EAGAIN, -ETIMEDOUT, -ERESTARTSYS.
 */
static int kipc_queue_send(struct kipc_queue *q, struct kipc_msg *msg,
			   u64 type, struct kipc_wait *w)
{
	size_t len = msg->len;
	int ret;

	msg->type = type;
	spin_lock(&q->lock);
	for (;;) {
		ret = -EIDRM;
		if (q->removed)
			break;
		ret = -EMSGSIZE;
		if (len > q->lim.max_msgsize)
			break;
		if (kipc_queue_fits_locked(q, len)) {
			msg->time_ns = ktime_get_real_ns();
			kipc_msgq_add(&q->mq, msg);
			q->send_time = msg->time_ns;
			q->msgs_in++;
			q->bytes_in += len;
			kipc_queue_set_pid_locked(q, &q->last_sender,
						  msg->sender);
			ret = 0;
			break;
		}
		if (!q->full) {
			q->full = true;
			spin_unlock(&q->lock);
			kipc_queue_limit_hit(q, KIPC_LIMIT_FULL);
			spin_lock(&q->lock);
			continue;
		}
		ret = kipc_queue_wait_locked(q, &q->send_wait, w);
		if (ret)
			break;
	}
	spin_unlock(&q->lock);
	if (!ret) {
		kipc_wake(&q->recv_wait);
		kipc_stats_msg_in(len);
	} else if (ret == -EMSGSIZE) {
		kipc_queue_limit_hit(q, KIPC_LIMIT_MSGSIZE);
	}
	return ret;
}

/**
 * kipc_queue_take() - take the selected message off, waiting as @w allows
 * @q:		the queue
 * @sel:	enum kipc_select
 * @type:	argument of the TYPE_* selections
 * @buf_len:	room the receiver has
 * @w:		how to wait
 * @info:	with -EMSGSIZE, the header of the message that did not fit
 *
 * The caller copies the message out, then frees it with kipc_msg_free()
 * or, if that failed, gives it back with kipc_queue_unget().
 *
 * Return: the message, or ERR_PTR(-EIDRM, -EMSGSIZE, -EAGAIN, -ETIMEDOUT,
 * -ERESTARTSYS).
 */
static struct kipc_msg *kipc_queue_take(struct kipc_queue *q, unsigned int sel,
					u64 type, size_t buf_len,
					struct kipc_wait *w,
					struct kipc_msg_info *info)
{
	struct kipc_msg *msg;
	int ret;

	spin_lock(&q->lock);
	for (;;) {
		ret = -EIDRM;
		if (q->removed)
			break;
		msg = kipc_msgq_peek(&q->mq, sel, type);
		if (msg && msg->len > buf_len) {
			kipc_msg_info(msg, info);
			ret = -EMSGSIZE;
			break;
		}
		if (msg) {
			kipc_msgq_del(&q->mq, msg);
			q->msgs_out++;
			q->bytes_out += msg->len;
			q->full = false;
			q->recv_time = ktime_get_real_ns();
			kipc_queue_set_pid_locked(q, &q->last_receiver,
						  task_tgid(current));
			ret = 0;
			break;
		}
		ret = kipc_queue_wait_locked(q, &q->recv_wait, w);
		if (ret)
			break;
	}
	spin_unlock(&q->lock);
	if (ret)
		return ERR_PTR(ret);
	kipc_wake(&q->send_wait);
	return msg;
}

/* Give back a message from kipc_queue_take() that could not be delivered. */
static void kipc_queue_unget(struct kipc_queue *q, struct kipc_msg *msg)
{
	spin_lock(&q->lock);
	kipc_msgq_requeue(&q->mq, msg);
	q->msgs_out--;
	q->bytes_out -= msg->len;
	spin_unlock(&q->lock);
	kipc_wake(&q->recv_wait);
}

/* Also a mailbox's: its queue comes first, and its hook is off by now. */
static void kipc_queue_release(struct kipc_object *obj)
{
	struct kipc_queue *q = kipc_queue_of(obj);
	struct kipc_msg *msg, *next;

	list_for_each_entry_safe(msg, next, &q->mq.fifo, fifo)
		kipc_msg_free(msg);
	put_pid(q->last_sender);
	put_pid(q->last_receiver);
	kipc_object_destroy(obj);
	kfree(q);
}

static void kipc_queue_unlinked(struct kipc_object *obj)
{
	struct kipc_queue *q = kipc_queue_of(obj);

	spin_lock(&q->lock);
	q->removed = true;
	spin_unlock(&q->lock);
	wake_up_all(&q->recv_wait);
	wake_up_all(&q->send_wait);
}

/* The fields of a queue a netlink message reports, taken under q->lock. */
struct kipc_queue_nl {
	struct kipc_queue_limits lim;
	u64 msgs, bytes;
	u64 msgs_in, msgs_out, bytes_in, bytes_out;
	unsigned int waiters;
	bool removed;
};

static bool kipc_mailbox_owner_exited(struct kipc_mailbox *mb);

/* kipc_object_ops.nl_fill of queues and mailboxes. */
static int kipc_queue_nl_fill(struct kipc_object *obj, struct sk_buff *skb,
			      const struct kipc_nl_ctx *ctx)
{
	struct kipc_queue *q = kipc_queue_of(obj);
	struct kipc_mailbox *mb = kipc_queue_mailbox(q);
	struct kipc_queue_nl s;
	u32 flags = 0;

	spin_lock(&q->lock);
	s.lim = q->lim;
	s.msgs = q->mq.nr_msgs;
	s.bytes = q->mq.bytes;
	s.msgs_in = q->msgs_in;
	s.msgs_out = q->msgs_out;
	s.bytes_in = q->bytes_in;
	s.bytes_out = q->bytes_out;
	s.waiters = q->nr_waiters;
	s.removed = q->removed;
	spin_unlock(&q->lock);

	if (s.removed)
		flags |= KIPC_STAT_REMOVED;
	if (!obj->name)
		flags |= KIPC_STAT_ANONYMOUS;
	if (mb && (mb->flags & KIPC_O_OWNED)) {
		flags |= KIPC_STAT_OWNED;
		if (kipc_nl_put_pid(skb, KIPC_A_OWNER_PID,
				    kipc_mailbox_owner_exited(mb) ? NULL :
				    obj->creator, ctx))
			return -EMSGSIZE;
	}
	if (mb && (mb->flags & KIPC_O_OWNER_RECV))
		flags |= KIPC_STAT_OWNER_RECV;
	if (nla_put_u32(skb, KIPC_A_FLAGS, flags) ||
	    kipc_nl_put_u64(skb, KIPC_A_MSGS, s.msgs) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES, s.bytes) ||
	    nla_put_u32(skb, KIPC_A_MAX_MSGS, s.lim.max_msgs) ||
	    nla_put_u32(skb, KIPC_A_MAX_MSGSIZE, s.lim.max_msgsize) ||
	    kipc_nl_put_u64(skb, KIPC_A_CAPACITY, s.lim.capacity) ||
	    nla_put_u32(skb, KIPC_A_WAITERS, s.waiters) ||
	    kipc_nl_put_u64(skb, KIPC_A_MSGS_IN, s.msgs_in) ||
	    kipc_nl_put_u64(skb, KIPC_A_MSGS_OUT, s.msgs_out) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES_IN, s.bytes_in) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES_OUT, s.bytes_out))
		return -EMSGSIZE;
	return 0;
}

static const struct kipc_object_ops kipc_queue_ops = {
	.type		= KIPC_OBJ_QUEUE,
	.max_per_user	= &kipc_queues_per_user,
	.release	= kipc_queue_release,
	.unlinked	= kipc_queue_unlinked,
	.nl_fill	= kipc_queue_nl_fill,
};

static struct kipc_mailbox *kipc_mailbox_of(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_mailbox, q.obj);
}

/* Has the owner of @mb exited (possibly before its exit hook ran)? */
static bool kipc_mailbox_owner_exited(struct kipc_mailbox *mb)
{
	return kipc_proc_exited(mb->q.obj.creator);
}

/* An owned mailbox's owner in the caller's pid namespace, 0 once it exited. */
static pid_t kipc_mailbox_owner_vnr(struct kipc_mailbox *mb)
{
	return kipc_mailbox_owner_exited(mb) ? 0 : pid_vnr(mb->q.obj.creator);
}

/* The owner of an owned mailbox exited: remove the mailbox. */
static void kipc_mailbox_exited(struct kipc_proc_hook *hook)
{
	struct kipc_mailbox *mb = container_of(hook, struct kipc_mailbox,
					       hook);

	kipc_object_unlink(&mb->q.obj);
	kipc_object_put(&mb->q.obj);	/* the hook's */
}

/* kipc_reg_lock held: an owned mailbox starts watching its owner. */
static int kipc_mailbox_linking(struct kipc_object *obj)
{
	struct kipc_mailbox *mb = kipc_mailbox_of(obj);
	int ret;

	lockdep_assert_held(&kipc_reg_lock);
	if (!(mb->flags & KIPC_O_OWNED))
		return 0;
	/* the creator is the caller, which cannot have exited */
	ret = kipc_proc_hook_current(&mb->hook, kipc_mailbox_exited);
	if (ret)
		return ret;
	kipc_object_get(obj);		/* the hook's */
	return 0;
}

static void kipc_mailbox_unlinked(struct kipc_object *obj)
{
	struct kipc_mailbox *mb = kipc_mailbox_of(obj);

	kipc_queue_unlinked(obj);
	/* the registry's reference is still held: this put is not the last */
	if ((mb->flags & KIPC_O_OWNED) && kipc_proc_unhook(&mb->hook))
		kipc_object_put(obj);	/* the hook's */
}

/* kipc_reg_lock held: only the owner may open to receive, if so asked. */
static int kipc_mailbox_may_open(struct kipc_object *obj, unsigned int flags)
{
	struct kipc_mailbox *mb = kipc_mailbox_of(obj);

	lockdep_assert_held(&kipc_reg_lock);
	if ((flags & KIPC_O_RECV) && (mb->flags & KIPC_O_OWNER_RECV) &&
	    !kipc_mailbox_is_owner(mb))
		return -EACCES;
	return 0;
}

/* Linked, owned and its owner gone: exited() is queued or running. */
static bool kipc_mailbox_dying(struct kipc_object *obj)
{
	struct kipc_mailbox *mb = kipc_mailbox_of(obj);

	return (mb->flags & KIPC_O_OWNED) && kipc_mailbox_owner_exited(mb);
}

static const struct kipc_object_ops kipc_mailbox_ops = {
	.type		= KIPC_OBJ_MAILBOX,
	.max_per_user	= &kipc_queues_per_user,
	.release	= kipc_queue_release,
	.unlinked	= kipc_mailbox_unlinked,
	.linking	= kipc_mailbox_linking,
	.may_open	= kipc_mailbox_may_open,
	.dying		= kipc_mailbox_dying,
	.nl_fill	= kipc_queue_nl_fill,
};

/* The module's current limits for queue attributes. */
void kipc_queue_limits_max(struct kipc_queue_limits *max)
{
	max->max_msgsize = READ_ONCE(kipc_msgsize_max);
	max->capacity = READ_ONCE(kipc_capacity_max);
	max->max_msgs = READ_ONCE(kipc_msgs_max);
}

/* The module's current defaults for queue attributes. */
void kipc_queue_limits_def(struct kipc_queue_limits *def)
{
	def->max_msgsize = READ_ONCE(kipc_msgsize_default);
	def->capacity = READ_ONCE(kipc_capacity_default);
	def->max_msgs = READ_ONCE(kipc_msgs_default);
}

/**
 * kipc_queue_limits_check() - may a queue have the limits @lim?
 * @lim:	the queue's limits
 * @max:	the module's limits
 *
 * Return: 0, -EMSGSIZE (message size over the module's), -EINVAL (zero,
 * over the module's, or a message size over the capacity).
 */
int kipc_queue_limits_check(const struct kipc_queue_limits *lim,
			    const struct kipc_queue_limits *max)
{
	if (lim->max_msgsize > max->max_msgsize)
		return -EMSGSIZE;
	if (!lim->capacity || lim->capacity > max->capacity)
		return -EINVAL;
	if (!lim->max_msgs || lim->max_msgs > max->max_msgs)
		return -EINVAL;
	if (lim->max_msgsize > lim->capacity)
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_queue_limits_check);

/**
 * kipc_queue_limits_default() - fill the zero fields of @lim from @def
 * @lim:	requested limits, 0 meaning "the default"
 * @def:	the module's defaults
 *
 * A default message size never exceeds the requested capacity.
 */
void kipc_queue_limits_default(struct kipc_queue_limits *lim,
			       const struct kipc_queue_limits *def)
{
	if (!lim->capacity)
		lim->capacity = def->capacity;
	if (!lim->max_msgs)
		lim->max_msgs = def->max_msgs;
	if (!lim->max_msgsize)
		lim->max_msgsize = min_t(u64, def->max_msgsize, lim->capacity);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_queue_limits_default);

/*
 * A complete, unlinked queue or mailbox (@ops) for KIPC_O_CREAT; it takes
 * over @name.
 */
static struct kipc_queue *kipc_queue_new(const struct kipc_queue_open *args,
					 char *name,
					 const struct kipc_object_ops *ops)
{
	struct kipc_queue_limits lim = {
		.max_msgsize	= args->max_msgsize,
		.capacity	= args->capacity,
		.max_msgs	= args->max_msgs,
	};
	struct kipc_queue_limits def = {
		.max_msgsize	= READ_ONCE(kipc_msgsize_default),
		.capacity	= READ_ONCE(kipc_capacity_default),
		.max_msgs	= READ_ONCE(kipc_msgs_default),
	};
	struct kipc_queue_limits max;
	struct kipc_mailbox *mb;
	struct kipc_queue *q;
	int ret;

	if (args->mode & ~0777)
		return ERR_PTR(-EINVAL);
	kipc_queue_limits_default(&lim, &def);
	kipc_queue_limits_max(&max);
	ret = kipc_queue_limits_check(&lim, &max);
	if (ret)
		return ERR_PTR(ret);
	if (ops == &kipc_mailbox_ops) {
		mb = kzalloc(sizeof(*mb), GFP_KERNEL_ACCOUNT);
		if (!mb)
			return ERR_PTR(-ENOMEM);
		mb->flags = args->flags & KIPC_O_MAILBOX_ONLY;
		q = &mb->q;
	} else {
		q = kzalloc(sizeof(*q), GFP_KERNEL_ACCOUNT);
		if (!q)
			return ERR_PTR(-ENOMEM);
	}
	spin_lock_init(&q->lock);
	kipc_msgq_init(&q->mq);
	init_waitqueue_head(&q->recv_wait);
	init_waitqueue_head(&q->send_wait);
	q->lim = lim;
	ret = kipc_object_init(&q->obj, ops, name, args->mode);
	if (ret) {
		kfree(q);	/* a mailbox's queue comes first */
		return ERR_PTR(ret);
	}
	return q;
}

/**
 * kipc_queue_open_flags_check() - are @flags valid open flags?
 * @flags:	KIPC_O_*
 * @mailbox:	for KIPC_IOC_MAILBOX_OPEN, else KIPC_IOC_QUEUE_OPEN
 *
 * Return: 0, or -EINVAL for an unknown flag (the mailbox-only ones on a
 * queue), neither KIPC_O_SEND nor KIPC_O_RECV, or KIPC_O_OWNER_RECV
 * without KIPC_O_OWNED.
 */
VISIBLE_IF_KUNIT int kipc_queue_open_flags_check(u32 flags, bool mailbox)
{
	if (flags & ~(mailbox ? KIPC_O_MAILBOX_ALL : KIPC_O_ALL))
		return -EINVAL;
	if (!(flags & (KIPC_O_SEND | KIPC_O_RECV)))
		return -EINVAL;
	if ((flags & KIPC_O_OWNER_RECV) && !(flags & KIPC_O_OWNED))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_queue_open_flags_check);

/* KIPC_IOC_QUEUE_OPEN and KIPC_IOC_MAILBOX_OPEN (@ops says which). */
static long kipc_queue_do_open(void __user *arg,
			       const struct kipc_object_ops *ops)
{
	bool mailbox = ops == &kipc_mailbox_ops;
	struct kipc_queue_open __user *uarg = arg;
	struct kipc_queue_open args;
	struct kipc_open_req req = {
		.type	= ops->type,
		.fops	= &kipc_queue_fops,
		.fname	= mailbox ? "[kipc-mailbox]" : "[kipc-queue]",
	};
	struct kipc_queue *q = NULL;
	char *name = NULL;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_QUEUE_OPEN_SIZE_VER0, arg);
	if (ret)
		return ret;
	if (kipc_queue_open_flags_check(args.flags, mailbox) ||
	    args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (args.name_ptr) {
		name = kipc_name_from_user(args.name_ptr);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}
	if (args.flags & KIPC_O_CREAT) {
		q = kipc_queue_new(&args, name, ops);
		if (IS_ERR(q)) {
			kfree(name);
			return PTR_ERR(q);
		}
		req.new = &q->obj;
		req.charge = q->lim.capacity;
	}
	req.flags = args.flags;
	req.name = name;
	req.id = args.id;
	ret = kipc_object_open(&req, &uarg->id);
	if (!q)
		kfree(name);	/* else the queue owns it */
	return ret;
}

/**
 * kipc_queue_create() - KIPC_CMD_OBJ_NEW of a queue or mailbox
 * @c:		name, mode and limits (0 for a default); the name is consumed
 * @mailbox:	a mailbox (never owned by a process), else a queue
 *
 * What KIPC_IOC_QUEUE_OPEN or KIPC_IOC_MAILBOX_OPEN with KIPC_O_CREAT |
 * KIPC_O_EXCL does, without a file: the registry keeps the object until it
 * is removed.
 *
 * Return: the new object with a reference, or ERR_PTR() of the open
 * ioctl's errors.
 */
struct kipc_object *kipc_queue_create(struct kipc_create *c, bool mailbox)
{
	const struct kipc_object_ops *ops = mailbox ? &kipc_mailbox_ops :
						      &kipc_queue_ops;
	struct kipc_queue_open args = {
		.mode		= c->mode,
		.max_msgsize	= c->max_msgsize,
		.capacity	= c->capacity,
		.max_msgs	= c->max_msgs,
	};
	struct kipc_open_req req = {
		.type		= ops->type,
		.flags		= KIPC_O_CREAT | KIPC_O_EXCL,
		.name		= c->name,
		.no_file	= true,
	};
	struct kipc_queue *q;

	q = kipc_queue_new(&args, c->name, ops);
	if (IS_ERR(q)) {
		kfree(c->name);
		return ERR_CAST(q);
	}
	req.new = &q->obj;
	req.charge = q->lim.capacity;
	return kipc_object_create(&req);
}

long kipc_ioctl_queue_open(void __user *arg)
{
	return kipc_queue_do_open(arg, &kipc_queue_ops);
}

long kipc_ioctl_mailbox_open(void __user *arg)
{
	return kipc_queue_do_open(arg, &kipc_mailbox_ops);
}

static long kipc_ioctl_queue_send(struct file *file, void __user *arg)
{
	struct kipc_queue *q = kipc_queue_file(file);
	struct kipc_send args;
	struct kipc_msg *msg;
	struct kipc_wait w;
	long ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_SEND_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_MSG_ALL) ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	/* checked again under the lock; this spares a useless allocation */
	if (args.len > READ_ONCE(q->lim.max_msgsize)) {
		kipc_queue_limit_hit(q, KIPC_LIMIT_MSGSIZE);
		return -EMSGSIZE;
	}
	msg = kipc_msg_new(u64_to_user_ptr(args.buf_ptr), args.len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	kipc_wait_init(&w, file, args.flags, args.deadline_ns);
	ret = kipc_queue_send(q, msg, args.type, &w);
	if (ret)
		kipc_msg_free(msg);
	return ret;
}

static long kipc_ioctl_queue_recv(struct file *file, void __user *arg)
{
	struct kipc_recv __user *uarg = arg;
	struct kipc_queue *q = kipc_queue_file(file);
	struct kipc_msg_info info;
	struct kipc_recv args;
	struct kipc_msg *msg;
	struct kipc_wait w;
	long ret;

	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	ret = kipc_queue_may_recv(q);
	if (ret)
		return ret;
	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_RECV_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_MSG_ALL) || args.reserved0 ||
	    args.select > KIPC_SEL_MAX ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	kipc_wait_init(&w, file, args.flags, args.deadline_ns);
	msg = kipc_queue_take(q, args.select, args.type, args.buf_len, &w,
			      &info);
	if (IS_ERR(msg)) {
		ret = PTR_ERR(msg);
		if (ret == -EMSGSIZE &&
		    copy_to_user(&uarg->info, &info, sizeof(info)))
			ret = -EFAULT;
		return ret;
	}
	kipc_msg_info(msg, &info);
	if (copy_to_user(u64_to_user_ptr(args.buf_ptr), msg->data, msg->len) ||
	    copy_to_user(&uarg->info, &info, sizeof(info))) {
		kipc_queue_unget(q, msg);
		return -EFAULT;
	}
	ret = msg->len;
	kipc_stats_msg_out(msg->len);
	kipc_msg_free(msg);
	return ret;
}

static long kipc_ioctl_queue_stat(struct file *file, void __user *arg)
{
	struct kipc_queue *q = kipc_queue_file(file);
	struct kipc_mailbox *mb = kipc_queue_mailbox(q);
	struct user_namespace *ns = current_user_ns();
	struct kipc_object *obj = &q->obj;
	struct kipc_queue_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.id = obj->id;
	st.cuid = from_kuid_munged(ns, obj->cuid);
	st.cgid = from_kgid_munged(ns, obj->cgid);
	st.creator_pid = pid_vnr(obj->creator);
	st.create_time_ns = obj->create_time;
	if (obj->name)
		strscpy(st.name, obj->name, sizeof(st.name));
	else
		st.flags |= KIPC_STAT_ANONYMOUS;
	if (mb && (mb->flags & KIPC_O_OWNED)) {
		st.flags |= KIPC_STAT_OWNED;
		st.owner_pid = kipc_mailbox_owner_vnr(mb);
	}
	if (mb && (mb->flags & KIPC_O_OWNER_RECV))
		st.flags |= KIPC_STAT_OWNER_RECV;

	mutex_lock(&kipc_reg_lock);
	st.mode = obj->mode;
	st.uid = from_kuid_munged(ns, obj->uid);
	st.gid = from_kgid_munged(ns, obj->gid);
	mutex_unlock(&kipc_reg_lock);

	spin_lock(&q->lock);
	if (q->removed)
		st.flags |= KIPC_STAT_REMOVED;
	st.nr_msgs = q->mq.nr_msgs;
	st.bytes = q->mq.bytes;
	st.max_msgsize = q->lim.max_msgsize;
	st.max_msgs = q->lim.max_msgs;
	st.capacity = q->lim.capacity;
	st.last_send_pid = q->last_sender ? pid_vnr(q->last_sender) : 0;
	st.last_recv_pid = q->last_receiver ? pid_vnr(q->last_receiver) : 0;
	st.send_time_ns = q->send_time;
	st.recv_time_ns = q->recv_time;
	st.change_time_ns = q->change_time;
	spin_unlock(&q->lock);

	return kipc_copy_args_to_user(arg, &st, sizeof(st),
				      KIPC_QUEUE_STAT_SIZE_VER0);
}

/* Apply @args with kipc_reg_lock held: all of it or, on error, nothing. */
static int kipc_queue_set_locked(struct kipc_queue *q,
				 const struct kipc_queue_set *args,
				 const struct kipc_owner_set *owner)
{
	struct kipc_object *obj = &q->obj;
	struct kipc_queue_limits lim = q->lim, max;
	int ret;

	lockdep_assert_held(&kipc_reg_lock);
	if (!obj->linked)
		return -EIDRM;
	if (!kipc_object_owner_locked(obj))
		return -EPERM;
	if (args->flags & KIPC_SET_MAX_MSGSIZE)
		lim.max_msgsize = args->max_msgsize;
	if (args->flags & KIPC_SET_CAPACITY)
		lim.capacity = args->capacity;
	if (args->flags & KIPC_SET_MAX_MSGS)
		lim.max_msgs = args->max_msgs;
	kipc_queue_limits_max(&max);
	ret = kipc_queue_limits_check(&lim, &max);
	if (ret)
		return ret;
	ret = kipc_object_recharge_locked(obj, lim.capacity);
	if (ret)
		return ret;

	kipc_object_set_owner_locked(obj, owner);
	spin_lock(&q->lock);
	WRITE_ONCE(q->lim.max_msgsize, lim.max_msgsize); /* read unlocked too */
	q->lim.capacity = lim.capacity;
	q->lim.max_msgs = lim.max_msgs;
	q->change_time = ktime_get_real_ns();
	spin_unlock(&q->lock);
	return 0;
}

static long kipc_ioctl_queue_set(struct file *file, void __user *arg)
{
	struct kipc_queue *q = kipc_queue_file(file);
	struct kipc_owner_set owner;
	struct kipc_queue_set args;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_QUEUE_SET_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_SET_ALL) || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ret = kipc_owner_set_init(&owner, args.flags, args.mode, args.uid,
				  args.gid);
	if (ret)
		return ret;

	mutex_lock(&kipc_reg_lock);
	ret = kipc_queue_set_locked(q, &args, &owner);
	mutex_unlock(&kipc_reg_lock);
	if (!ret)	/* limits may have grown */
		kipc_wake(&q->send_wait);
	else if (ret == -EDQUOT)
		kipc_queue_limit_hit(q, KIPC_LIMIT_USER_BYTES);
	return ret;
}

static long kipc_queue_do_ioctl(struct file *file, unsigned int cmd,
				unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (KIPC_IOC_BASE(cmd)) {
	case KIPC_IOC_BASE(KIPC_IOC_QUEUE_SEND):
		return kipc_ioctl_queue_send(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_QUEUE_RECV):
		return kipc_ioctl_queue_recv(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_QUEUE_STAT):
		return kipc_ioctl_queue_stat(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_QUEUE_SET):
		return kipc_ioctl_queue_set(file, uarg);
	}
	return -ENOTTY;
}

static long kipc_queue_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	return kipc_stats_ret(kipc_queue_do_ioctl(file, cmd, arg));
}

/* read(2): the oldest message, as KIPC_IOC_QUEUE_RECV with KIPC_SEL_FIFO. */
static ssize_t kipc_queue_do_read(struct file *file, char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct kipc_queue *q = kipc_queue_file(file);
	struct kipc_msg_info info;
	struct kipc_msg *msg;
	struct kipc_wait w;
	ssize_t ret;

	ret = kipc_queue_may_recv(q);
	if (ret)
		return ret;
	kipc_wait_init(&w, file, 0, 0);
	msg = kipc_queue_take(q, KIPC_SEL_FIFO, 0, len, &w, &info);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	if (copy_to_user(buf, msg->data, msg->len)) {
		kipc_queue_unget(q, msg);
		return -EFAULT;
	}
	ret = msg->len;
	kipc_stats_msg_out(msg->len);
	kipc_msg_free(msg);
	return ret;
}

static ssize_t kipc_queue_read(struct file *file, char __user *buf,
			       size_t len, loff_t *ppos)
{
	return kipc_stats_ret(kipc_queue_do_read(file, buf, len, ppos));
}

/* write(2): one message of type 0. */
static ssize_t kipc_queue_do_write(struct file *file, const char __user *buf,
				size_t len, loff_t *ppos)
{
	struct kipc_queue *q = kipc_queue_file(file);
	struct kipc_msg *msg;
	struct kipc_wait w;
	int ret;

	if (len > READ_ONCE(q->lim.max_msgsize)) {
		kipc_queue_limit_hit(q, KIPC_LIMIT_MSGSIZE);
		return -EMSGSIZE;
	}
	msg = kipc_msg_new(buf, len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	kipc_wait_init(&w, file, 0, 0);
	ret = kipc_queue_send(q, msg, 0, &w);
	if (ret) {
		kipc_msg_free(msg);
		return ret;
	}
	return len;
}

static ssize_t kipc_queue_write(struct file *file, const char __user *buf,
				size_t len, loff_t *ppos)
{
	return kipc_stats_ret(kipc_queue_do_write(file, buf, len, ppos));
}

static __poll_t kipc_queue_poll(struct file *file, poll_table *pt)
{
	struct kipc_queue *q = kipc_queue_file(file);
	__poll_t mask = 0;

	poll_wait(file, &q->recv_wait, pt);
	poll_wait(file, &q->send_wait, pt);
	spin_lock(&q->lock);
	if (q->removed) {
		mask = EPOLLERR | EPOLLHUP;
	} else {
		if ((file->f_mode & FMODE_READ) && q->mq.nr_msgs)
			mask |= EPOLLIN | EPOLLRDNORM;
		if ((file->f_mode & FMODE_WRITE) &&
		    kipc_queue_fits_locked(q, q->lim.max_msgsize))
			mask |= EPOLLOUT | EPOLLWRNORM;
	}
	spin_unlock(&q->lock);
	return mask;
}

static int kipc_queue_file_release(struct inode *inode, struct file *file)
{
	/* NULL when kipc_object_open() failed before linking */
	if (file->private_data)
		kipc_object_file_closed(file->private_data);
	return 0;
}

static const struct file_operations kipc_queue_fops = {
	.owner		= THIS_MODULE,
	.read		= kipc_queue_read,
	.write		= kipc_queue_write,
	.poll		= kipc_queue_poll,
	.unlocked_ioctl	= kipc_queue_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= kipc_queue_file_release,
	.llseek		= noop_llseek,
};
