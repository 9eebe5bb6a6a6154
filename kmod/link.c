// SPDX-License-Identifier: GPL-2.0
/*
 * kipc direct links: processes that name each other by PID.
 *
 * A session bound to its process is an endpoint.  Two endpoints share at
 * most one link; each side of it (struct kipc_link_end) holds the
 * messages travelling toward its endpoint.  Everything that travels toward
 * an endpoint is guarded by that endpoint's one spinlock, so a send takes
 * the receiver's lock only and a receive from any peer finds the readable
 * links on one list.  Request-reply calls keep their state (struct
 * kipc_txn, on the caller's stack) under the server's lock as well: the
 * request is queued, taken, answered, withdrawn or failed under one lock.
 *
 * An endpoint ends when its session's last fd closes or its process exits
 * (kmod/proc.c), whichever comes first.  Its peers' sides of the links
 * then report the hang-up after the messages queued before it.
 *
 * Bound endpoints ("sessions") and links have ids from the registry's
 * counter and are listed in kipc_ep_ids for the generic netlink family
 * (kmod/netlink.c): an endpoint while bound, a link while either endpoint
 * still has it.  Their making and ending send events to the "events"
 * group, in this order for each endpoint that ends: KIPC_CMD_PEER_EXIT
 * (when its process exited), KIPC_CMD_LINK_DOWN for each of its links,
 * KIPC_CMD_OBJ_DEL.
 */
#include <linux/anon_inodes.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/wait.h>
#include <linux/xarray.h>
#include <net/netlink.h>
#include <linux/kipc.h>

#include "link.h"
#include "msg.h"
#include "msgq.h"
#include "netlink.h"
#include "object.h"
#include "proc.h"
#include "queue.h"

/**
 * DOC: link locking
 *
 * kipc_ep_lock (a mutex) guards the endpoint hash, binding and unbinding
 * (@unbound), the making of links, every endpoint's @ends and @nr_links,
 * and the writes to every endpoint's @links xarray.  It is taken to bind,
 * to connect to a peer for the first time, to close an endpoint and to
 * forget a dead link: never to send to or receive from a known peer.  It
 * nests outside kipc_proc_lock and the endpoint locks.
 *
 * ep->lock (a spinlock) guards what travels toward the endpoint: the
 * inboxes and flags of its link ends, its ready list, the calls queued to
 * it and those it took (struct kipc_txn), @closed and @next_req_id.  Two
 * endpoint locks are never held together; none is held across a user
 * copy, an allocation or a sleep.
 *
 * A known peer is found under RCU in @links; links and endpoints are freed
 * after a grace period.
 *
 * Netlink: kipc_ep_ids is written under kipc_ep_lock, together with the
 * endpoint hash and @ends, and kipc_nl_changed() is called there.  A dump
 * or get (inside the netlink socket's cb_mutex in a dump) takes
 * kipc_ep_lock for one object at a time and, inside it, each endpoint
 * lock in turn, briefly, to copy counters (a session's queued messages
 * are summed over its @ends there); the attributes are put with no
 * spinlock held.  The events of binding, making links and ending
 * (OBJ_NEW, LINK_UP, PEER_EXIT, LINK_DOWN, OBJ_DEL, LIMIT_HIT of
 * links_max) are sent with kipc_ep_lock held, so that the events about
 * one session or link go out in the order of its changes: kipc_ep_lock
 * nests outside kipc_nl_ev_lock, and netlink.c takes none of our locks.
 * A full inbox and a message over max_msgsize are reported with no lock
 * held (the endpoint lock is dropped and retaken, then everything is
 * checked again).  The message counters of link ends and endpoints sit
 * under the endpoint lock the send or receive holds anyway (a call's
 * reply is counted under the caller's own endpoint lock once it has it);
 * the module statistics are per-CPU, counted in any context.
 */
static DEFINE_MUTEX(kipc_ep_lock);
/* bound endpoints by thread-group struct pid (kipc_ep_lock) */
static DEFINE_HASHTABLE(kipc_eps, 6);

/**
 * struct kipc_nl_node - what kipc_ep_ids holds: a session or a link
 * @id:		unique id (invariant)
 * @type:	KIPC_TYPE_SESSION or KIPC_TYPE_LINK (invariant)
 * @ctime:	CLOCK_REALTIME ns of the bind or the making (invariant)
 */
struct kipc_nl_node {
	u64 id;
	enum kipc_type type;
	u64 ctime;
};

/* id -> kipc_nl_node of a session or a listed link (written: kipc_ep_lock) */
static DEFINE_XARRAY(kipc_ep_ids);

/**
 * struct kipc_endpoint - a session bound to its process
 * @ref:	references: the session file, the exit hook, each link
 * @rcu:	for freeing after lookups under RCU
 * @nl:		id, for kipc_ep_ids (invariant)
 * @pid:	the process (thread group; holds a reference; invariant)
 * @uid:	euid at bind, for the connect check (invariant)
 * @anyone:	KIPC_BIND_ANYONE (invariant)
 * @lim:	what each link holds toward this endpoint (invariant)
 * @node:	link in kipc_eps (kipc_ep_lock)
 * @unbound:	closed, or closing (kipc_ep_lock)
 * @ends:	this endpoint's link ends not yet forgotten (kipc_ep_lock)
 * @nr_links:	their number (kipc_ep_lock)
 * @links:	peer's global tgid -> this endpoint's end of their live link
 *		(written under kipc_ep_lock, read under RCU)
 * @hook:	the process's exit
 * @lock:	see "link locking"
 * @closed:	calls fail with -ENOTCONN (@lock)
 * @ready:	ends with a message or an unreported hang-up (@lock)
 * @taken:	calls whose request was received, waiting for a reply (@lock)
 * @next_req_id: last request id given (@lock)
 * @nr_waiters:	tasks sleeping under @lock: receivers, senders toward it,
 *		callers waiting for its replies (@lock)
 * @msgs_in:	messages queued toward it, and replies to its calls (@lock)
 * @msgs_out:	those received by it (@lock)
 * @bytes_in:	the payload bytes of @msgs_in (@lock)
 * @bytes_out:	the payload bytes of @msgs_out (@lock)
 * @wait:	receivers from any peer and pollers of the session
 */
struct kipc_endpoint {
	struct kref ref;
	struct rcu_head rcu;
	struct kipc_nl_node nl;
	struct pid *pid;
	kuid_t uid;
	bool anyone;
	struct kipc_queue_limits lim;
	struct hlist_node node;
	bool unbound;
	struct list_head ends;
	unsigned int nr_links;
	struct xarray links;
	struct kipc_proc_hook hook;
	spinlock_t lock;
	bool closed;
	struct list_head ready;
	struct list_head taken;
	u64 next_req_id;
	unsigned int nr_waiters;
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
	wait_queue_head_t wait;
};

/**
 * struct kipc_link_end - one side of a link: what travels toward @ep
 * @link:	the link
 * @ep:		the endpoint this side belongs to (invariant)
 * @peer:	the other side (invariant)
 * @ep_node:	link in @ep's ends, empty once forgotten (kipc_ep_lock)
 * @inbox:	messages from the peer (@ep->lock)
 * @ready_node:	link in @ep's ready list (@ep->lock)
 * @closed:	@ep closed: the peer's sends fail with -EPIPE (@ep->lock)
 * @hup:	the peer closed: after @inbox, -ECONNRESET (@ep->lock)
 * @hup_reported: a receive reported @hup (@ep->lock)
 * @full:	a send found @inbox full and reported it; cleared when a
 *		message is taken out (@ep->lock)
 * @msgs_in:	as the endpoint's, for this direction of the link (@ep->lock)
 * @msgs_out:	the same (@ep->lock)
 * @bytes_in:	the same (@ep->lock)
 * @bytes_out:	the same (@ep->lock)
 * @recv_wait:	receivers from this peer, pollers of the link fd
 * @send_wait:	the peer's senders waiting for room in @inbox
 */
struct kipc_link_end {
	struct kipc_link *link;
	struct kipc_endpoint *ep;
	struct kipc_link_end *peer;
	struct list_head ep_node;
	struct kipc_msgq inbox;
	struct list_head ready_node;
	bool closed;
	bool hup;
	bool hup_reported;
	bool full;
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
	wait_queue_head_t recv_wait;
	wait_queue_head_t send_wait;
};

/**
 * struct kipc_link - the one link between two endpoints
 * @ref:	references: each endpoint's (until it closes or forgets the
 *		link), each link fd, each call in progress
 * @rcu:	for freeing after lookups under RCU
 * @nl:		id, for kipc_ep_ids (invariant)
 * @holders:	endpoints that still have it (on their @ends), 2 while up;
 *		listed in kipc_ep_ids while not 0 (kipc_ep_lock)
 * @end:	the two sides; end[0] belongs to the endpoint that connected
 */
struct kipc_link {
	struct kref ref;
	struct rcu_head rcu;
	struct kipc_nl_node nl;
	unsigned int holders;
	struct kipc_link_end end[2];
};

enum kipc_txn_state {
	KIPC_TXN_QUEUED,	/* the request is in the server's inbox */
	KIPC_TXN_TAKEN,		/* the server received it: on its @taken */
	KIPC_TXN_DONE,		/* @reply is set */
	KIPC_TXN_FAILED,	/* the server went away: @err */
};

/**
 * struct kipc_txn - a call waiting for its reply (on the caller's stack)
 * @id:		request id, unique per server endpoint
 * @node:	link in the server's @taken (server's lock)
 * @to:		the server's side of the link (invariant)
 * @reply_cap:	room the caller has for the reply (invariant)
 * @state:	enum kipc_txn_state (server's lock)
 * @err:	with KIPC_TXN_FAILED (server's lock)
 * @reply:	with KIPC_TXN_DONE (server's lock)
 * @wait:	the caller waits here; woken with the server's lock held,
 *		since the caller may return as soon as that lock is free
 *
 * Whoever moves a call to DONE or FAILED, or withdraws it, takes it off
 * every list of the server's under the server's lock, so nothing refers
 * to it once the caller holds that lock and sees a final state.
 */
struct kipc_txn {
	u64 id;
	struct list_head node;
	struct kipc_link_end *to;
	size_t reply_cap;
	enum kipc_txn_state state;
	int err;
	struct kipc_msg *reply;
	wait_queue_head_t wait;
};

static_assert(sizeof(struct kipc_bind) == KIPC_BIND_SIZE_VER0);
static_assert(sizeof(struct kipc_connect) == KIPC_CONNECT_SIZE_VER0);
static_assert(sizeof(struct kipc_link_send) == KIPC_LINK_SEND_SIZE_VER0);
static_assert(sizeof(struct kipc_link_recv) == KIPC_LINK_RECV_SIZE_VER0);
static_assert(sizeof(struct kipc_link_call) == KIPC_LINK_CALL_SIZE_VER0);
static_assert(sizeof(struct kipc_link_reply) == KIPC_LINK_REPLY_SIZE_VER0);

static const struct file_operations kipc_link_fops;

/* Endpoints and links: references */

static void kipc_ep_release(struct kref *ref)
{
	struct kipc_endpoint *ep = container_of(ref, struct kipc_endpoint, ref);

	WARN_ON(!xa_empty(&ep->links));
	xa_destroy(&ep->links);
	put_pid(ep->pid);
	kfree_rcu(ep, rcu);
}

static void kipc_ep_put(struct kipc_endpoint *ep)
{
	kref_put(&ep->ref, kipc_ep_release);
}

static void kipc_msgs_free(struct list_head *msgs)
{
	struct kipc_msg *msg, *next;

	list_for_each_entry_safe(msg, next, msgs, fifo)
		kipc_msg_free(msg);
}

static void kipc_link_release(struct kref *ref)
{
	struct kipc_link *link = container_of(ref, struct kipc_link, ref);
	int i;

	/* a survivor's link fd may outlive the messages nobody received */
	for (i = 0; i < 2; i++) {
		kipc_msgs_free(&link->end[i].inbox.fifo);
		kipc_ep_put(link->end[i].ep);
	}
	kfree_rcu(link, rcu);
}

static void kipc_link_put(struct kipc_link *link)
{
	kref_put(&link->ref, kipc_link_release);
}

/* The key of @ep in its peers' @links. */
static unsigned long kipc_ep_key(const struct kipc_endpoint *ep)
{
	return pid_nr(ep->pid);
}

/* Ready list and inbox, with ep->lock held */

static bool kipc_end_fits_locked(struct kipc_link_end *end, size_t len)
{
	const struct kipc_queue_limits *lim = &end->ep->lim;

	lockdep_assert_held(&end->ep->lock);
	return end->inbox.nr_msgs < lim->max_msgs &&
	       end->inbox.bytes + len <= lim->capacity;
}

/* Put @end on its endpoint's ready list exactly while it is readable. */
static void kipc_end_update_locked(struct kipc_link_end *end)
{
	bool readable = !end->closed &&
			(end->inbox.nr_msgs || (end->hup && !end->hup_reported));

	lockdep_assert_held(&end->ep->lock);
	if (readable && list_empty(&end->ready_node))
		list_add_tail(&end->ready_node, &end->ep->ready);
	else if (!readable)
		list_del_init(&end->ready_node);
}

static void kipc_end_add_locked(struct kipc_link_end *end,
				struct kipc_msg *msg)
{
	struct kipc_endpoint *ep = end->ep;

	lockdep_assert_held(&ep->lock);
	msg->time_ns = ktime_get_real_ns();
	kipc_msgq_add(&end->inbox, msg);
	kipc_end_update_locked(end);
	end->msgs_in++;
	end->bytes_in += msg->len;
	ep->msgs_in++;
	ep->bytes_in += msg->len;
	kipc_stats_msg_in(msg->len);
}

/* Count @len bytes received from @end (negative: given back). */
static void kipc_end_count_out_locked(struct kipc_link_end *end, int msgs,
				      s64 len)
{
	struct kipc_endpoint *ep = end->ep;

	lockdep_assert_held(&ep->lock);
	end->msgs_out += msgs;
	end->bytes_out += len;
	ep->msgs_out += msgs;
	ep->bytes_out += len;
}

/* Take @msg off; a request's call moves to the endpoint's @taken. */
static void kipc_end_del_locked(struct kipc_link_end *end,
				struct kipc_msg *msg)
{
	struct kipc_txn *txn;

	lockdep_assert_held(&end->ep->lock);
	kipc_msgq_del(&end->inbox, msg);
	kipc_end_count_out_locked(end, 1, msg->len);
	end->full = false;
	if (msg->kind == KIPC_LINK_REQUEST) {
		txn = msg->txn;
		txn->state = KIPC_TXN_TAKEN;
		list_add_tail(&txn->node, &end->ep->taken);
		msg->req_id = txn->id;
	}
	kipc_end_update_locked(end);
}

static void kipc_txn_fail_locked(struct kipc_txn *txn, int err)
{
	txn->state = KIPC_TXN_FAILED;
	txn->err = err;
	wake_up(&txn->wait);
}

/* kipc_wait_locked() on @ep's lock, counted in @ep's waiters. */
static int kipc_ep_wait_locked(struct kipc_endpoint *ep,
			       wait_queue_head_t *wq, struct kipc_wait *w)
	__must_hold(&ep->lock)
{
	int ret;

	ep->nr_waiters++;
	ret = kipc_wait_locked(&ep->lock, wq, w);
	ep->nr_waiters--;
	return ret;
}

/*
 * A send found @to's inbox full: report it once per filling, dropping
 * @to's endpoint lock meanwhile.  Return: true when the lock was dropped
 * (the caller re-checks everything).
 */
static bool kipc_end_report_full_locked(struct kipc_link_end *to)
	__must_hold(&to->ep->lock)
{
	if (to->full)
		return false;
	to->full = true;
	spin_unlock(&to->ep->lock);
	kipc_nl_limit_hit(KIPC_LIMIT_FULL, KIPC_TYPE_LINK, to->link->nl.id);
	spin_lock(&to->ep->lock);
	return true;
}

/* Empty @end's inbox into @msgs; the calls queued there fail. */
static void kipc_end_purge_locked(struct kipc_link_end *end,
				  struct list_head *msgs)
{
	struct kipc_msg *msg, *next;

	lockdep_assert_held(&end->ep->lock);
	list_for_each_entry_safe(msg, next, &end->inbox.fifo, fifo) {
		kipc_msgq_del(&end->inbox, msg);
		if (msg->kind == KIPC_LINK_REQUEST)
			kipc_txn_fail_locked(msg->txn, -ECONNRESET);
		list_add_tail(&msg->fifo, msgs);
	}
}

/* Closing an endpoint */

/* @end's endpoint closed: its peer hangs up after what it has queued. */
static void kipc_end_close(struct kipc_link_end *end)
{
	struct kipc_link_end *peer = end->peer;
	LIST_HEAD(msgs);

	spin_lock(&end->ep->lock);
	end->closed = true;
	kipc_end_purge_locked(end, &msgs);
	kipc_end_update_locked(end);
	spin_unlock(&end->ep->lock);
	wake_up_all(&end->recv_wait);
	wake_up_all(&end->send_wait);
	kipc_msgs_free(&msgs);

	spin_lock(&peer->ep->lock);
	peer->hup = true;
	kipc_end_update_locked(peer);
	spin_unlock(&peer->ep->lock);
	wake_up_all(&peer->recv_wait);
	wake_up_all(&peer->send_wait);
	wake_up_all(&peer->ep->wait);
}

/* Take @end's live link out of both endpoints' @links. */
static void kipc_end_unlink_locked(struct kipc_link_end *end)
{
	struct kipc_link_end *peer = end->peer;

	lockdep_assert_held(&kipc_ep_lock);
	xa_cmpxchg(&end->ep->links, kipc_ep_key(peer->ep), end, NULL, 0);
	xa_cmpxchg(&peer->ep->links, kipc_ep_key(end->ep), peer, NULL, 0);
}

/* An endpoint no longer has @link: the last one takes it off the list. */
static void kipc_link_unhold_locked(struct kipc_link *link)
{
	lockdep_assert_held(&kipc_ep_lock);
	if (--link->holders)
		return;
	xa_erase(&kipc_ep_ids, link->nl.id);
	kipc_nl_changed();
	kipc_stats_destroyed(KIPC_TYPE_LINK);
}

/* The process of @pid, or NULL when its endpoint is gone (kipc_ep_lock). */
static struct pid *kipc_ep_pid_locked(const struct kipc_endpoint *ep)
{
	lockdep_assert_held(&kipc_ep_lock);
	return ep->unbound ? NULL : ep->pid;
}

/*
 * Is this close of @ep's session its process's exit?  The last thread's
 * exit_files() (or its task work) closes it with PF_EXITING set and the
 * thread group's live count at 0; or the process is gone already.
 */
static bool kipc_ep_exiting(const struct kipc_endpoint *ep)
{
	if ((current->flags & PF_EXITING) && task_tgid(current) == ep->pid &&
	    !atomic_read(&current->signal->live))
		return true;
	return kipc_proc_exited(ep->pid);
}

/*
 * End @ep: its session closed or its process exited (@exited).  Runs
 * once; calls in progress through its link fds see -ENOTCONN.
 */
static void kipc_ep_close(struct kipc_endpoint *ep, bool exited)
{
	struct kipc_link_end *end, *next;
	struct kipc_txn *txn, *tnext;
	LIST_HEAD(ends);

	mutex_lock(&kipc_ep_lock);
	if (ep->unbound) {
		mutex_unlock(&kipc_ep_lock);
		return;
	}
	ep->unbound = true;
	hash_del(&ep->node);
	xa_erase(&kipc_ep_ids, ep->nl.id);
	kipc_nl_changed();
	kipc_stats_destroyed(KIPC_TYPE_SESSION);
	if (exited)
		kipc_nl_session_event(KIPC_CMD_PEER_EXIT, ep->nl.id, ep->pid,
				      ep->uid);
	list_for_each_entry(end, &ep->ends, ep_node) {
		kipc_end_unlink_locked(end);
		kipc_nl_link_event(KIPC_CMD_LINK_DOWN, end->link->nl.id,
				   kipc_ep_pid_locked(end->peer->ep), ep->pid);
		kipc_link_unhold_locked(end->link);
	}
	kipc_nl_session_event(KIPC_CMD_OBJ_DEL, ep->nl.id, ep->pid, ep->uid);
	list_splice_init(&ep->ends, &ends);
	ep->nr_links = 0;
	mutex_unlock(&kipc_ep_lock);

	spin_lock(&ep->lock);
	ep->closed = true;
	list_for_each_entry_safe(txn, tnext, &ep->taken, node) {
		list_del_init(&txn->node);
		kipc_txn_fail_locked(txn, -ECONNRESET);
	}
	spin_unlock(&ep->lock);
	wake_up_all(&ep->wait);

	/* @ends is ours now: kipc_end_forget() leaves an unbound one alone */
	list_for_each_entry_safe(end, next, &ends, ep_node) {
		list_del_init(&end->ep_node);
		kipc_end_close(end);
		kipc_link_put(end->link);	/* the endpoint's */
	}
	if (kipc_proc_unhook(&ep->hook))
		kipc_ep_put(ep);		/* the hook's */
}

static void kipc_ep_exited(struct kipc_proc_hook *hook)
{
	struct kipc_endpoint *ep = container_of(hook, struct kipc_endpoint,
						hook);

	kipc_ep_close(ep, true);
	kipc_ep_put(ep);			/* the hook's */
}

/* A dead link was reported: the endpoint no longer keeps it. */
static void kipc_end_forget(struct kipc_link_end *end)
{
	struct kipc_endpoint *ep = end->ep;
	bool put = false;

	mutex_lock(&kipc_ep_lock);
	if (!ep->unbound && !list_empty(&end->ep_node)) {
		list_del_init(&end->ep_node);
		ep->nr_links--;
		kipc_link_unhold_locked(end->link);
		put = true;
	}
	mutex_unlock(&kipc_ep_lock);
	if (put)
		kipc_link_put(end->link);
}

/* Binding */

static struct kipc_endpoint *kipc_ep_find_locked(struct pid *pid)
{
	struct kipc_endpoint *ep;

	lockdep_assert_held(&kipc_ep_lock);
	hash_for_each_possible(kipc_eps, ep, node, (unsigned long)pid)
		if (ep->pid == pid)
			return ep;
	return NULL;
}

static struct kipc_endpoint *kipc_ep_new(const struct kipc_bind *args)
{
	struct kipc_queue_limits lim = {
		.max_msgsize	= args->max_msgsize,
		.max_msgs	= args->max_msgs,
		.capacity	= args->capacity,
	};
	struct kipc_queue_limits def, max;
	struct kipc_endpoint *ep;
	int ret;

	kipc_queue_limits_def(&def);
	kipc_queue_limits_max(&max);
	kipc_queue_limits_default(&lim, &def);
	ret = kipc_queue_limits_check(&lim, &max);
	if (ret)
		return ERR_PTR(ret);
	ep = kzalloc(sizeof(*ep), GFP_KERNEL_ACCOUNT);
	if (!ep)
		return ERR_PTR(-ENOMEM);
	kref_init(&ep->ref);
	ep->nl.id = kipc_id_next();
	ep->nl.type = KIPC_TYPE_SESSION;
	ep->nl.ctime = ktime_get_real_ns();
	ep->pid = get_pid(task_tgid(current));
	ep->uid = current_euid();
	ep->anyone = args->flags & KIPC_BIND_ANYONE;
	ep->lim = lim;
	INIT_HLIST_NODE(&ep->node);
	INIT_LIST_HEAD(&ep->ends);
	xa_init(&ep->links);
	spin_lock_init(&ep->lock);
	INIT_LIST_HEAD(&ep->ready);
	INIT_LIST_HEAD(&ep->taken);
	init_waitqueue_head(&ep->wait);
	return ep;
}

long kipc_session_bind(struct file *file, void __user *arg)
{
	struct kipc_endpoint *ep;
	struct kipc_bind args;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_BIND_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_BIND_ALL) ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ep = kipc_ep_new(&args);
	if (IS_ERR(ep))
		return PTR_ERR(ep);

	mutex_lock(&kipc_ep_lock);
	ret = -EBUSY;
	if (file->private_data || kipc_ep_find_locked(ep->pid))
		goto out_unlock;
	ret = xa_insert(&kipc_ep_ids, ep->nl.id, &ep->nl, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_unlock;
	ret = kipc_proc_hook_current(&ep->hook, kipc_ep_exited);
	if (ret)
		goto out_erase;
	kref_get(&ep->ref);			/* the hook's */
	hash_add(kipc_eps, &ep->node, (unsigned long)ep->pid);
	kipc_nl_changed();
	kipc_stats_created(KIPC_TYPE_SESSION);
	kipc_nl_session_event(KIPC_CMD_OBJ_NEW, ep->nl.id, ep->pid, ep->uid);
	/* the session's reference; pairs with the acquire in kipc_session_ep() */
	smp_store_release(&file->private_data, ep);
	mutex_unlock(&kipc_ep_lock);
	return 0;

out_erase:
	xa_erase(&kipc_ep_ids, ep->nl.id);
out_unlock:
	mutex_unlock(&kipc_ep_lock);
	kipc_ep_put(ep);
	return ret;
}

/* The endpoint of a session, if bound to the calling process. */
static struct kipc_endpoint *kipc_session_ep(struct file *file)
{
	/* pairs with the release in kipc_session_bind() */
	struct kipc_endpoint *ep = smp_load_acquire(&file->private_data);

	if (!ep || ep->pid != task_tgid(current) || READ_ONCE(ep->closed))
		return ERR_PTR(-ENOTCONN);
	return ep;
}

/* Finding and making links */

/* @ep's end of its live link to @pid, with a reference, or NULL. */
static struct kipc_link_end *kipc_end_lookup(struct kipc_endpoint *ep,
					     struct pid *pid)
{
	struct kipc_link_end *end;

	rcu_read_lock();
	end = xa_load(&ep->links, pid_nr(pid));
	if (end && (end->peer->ep->pid != pid ||
		    !kref_get_unless_zero(&end->link->ref)))
		end = NULL;
	rcu_read_unlock();
	return end;
}

static struct kipc_link *kipc_link_new(struct kipc_endpoint *a,
				       struct kipc_endpoint *b)
{
	struct kipc_link *link;
	int i;

	link = kzalloc(sizeof(*link), GFP_KERNEL_ACCOUNT);
	if (!link)
		return NULL;
	kref_init(&link->ref);
	link->nl.id = kipc_id_next();
	link->nl.type = KIPC_TYPE_LINK;
	link->nl.ctime = ktime_get_real_ns();
	for (i = 0; i < 2; i++) {
		struct kipc_link_end *end = &link->end[i];

		end->link = link;
		end->ep = i ? b : a;
		kref_get(&end->ep->ref);
		end->peer = &link->end[!i];
		INIT_LIST_HEAD(&end->ep_node);
		kipc_msgq_init(&end->inbox);
		INIT_LIST_HEAD(&end->ready_node);
		init_waitqueue_head(&end->recv_wait);
		init_waitqueue_head(&end->send_wait);
	}
	return link;
}

/* May the caller connect to @peer? */
static bool kipc_may_connect(const struct kipc_endpoint *peer)
{
	return peer->anyone || uid_eq(current_euid(), peer->uid) ||
	       capable(CAP_SYS_ADMIN);
}

/*
 * Make the link between @ep and the process @pid, or find it if it exists
 * (the two sides may connect at once: kipc_ep_lock makes one link).
 * Return: @ep's end with a reference, or ERR_PTR(-ENOTCONN, -ESRCH,
 * -ECONNREFUSED, -EPERM, -EDQUOT, -ENOMEM, -EAGAIN: a dead process's
 * link is still being taken down).
 */
static struct kipc_link_end *kipc_link_connect_locked(struct kipc_endpoint *ep,
						      struct pid *pid)
{
	unsigned int max = READ_ONCE(kipc_links_max);
	struct kipc_endpoint *peer;
	struct kipc_link_end *end;
	struct kipc_link *link;
	int ret;

	lockdep_assert_held(&kipc_ep_lock);
	if (ep->unbound)
		return ERR_PTR(-ENOTCONN);
	end = kipc_end_lookup(ep, pid);
	if (end)
		return end;
	peer = kipc_ep_find_locked(pid);
	if (!peer)
		return ERR_PTR(pid_has_task(pid, PIDTYPE_TGID) ?
			       -ECONNREFUSED : -ESRCH);
	if (!kipc_may_connect(peer))
		return ERR_PTR(-EPERM);
	if (ep->nr_links >= max || peer->nr_links >= max) {
		kipc_nl_limit_hit(KIPC_LIMIT_LINKS, KIPC_TYPE_SESSION,
				  ep->nr_links >= max ? ep->nl.id : peer->nl.id);
		return ERR_PTR(-EDQUOT);
	}
	/* an entry left by a dead holder of either pid: its exit is queued */
	if (xa_load(&ep->links, kipc_ep_key(peer)) ||
	    xa_load(&peer->links, kipc_ep_key(ep)))
		return ERR_PTR(-EAGAIN);

	link = kipc_link_new(ep, peer);
	if (!link)
		return ERR_PTR(-ENOMEM);
	ret = xa_insert(&kipc_ep_ids, link->nl.id, &link->nl,
			GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_put;
	ret = xa_insert(&ep->links, kipc_ep_key(peer), &link->end[0],
			GFP_KERNEL_ACCOUNT);
	if (ret)
		goto out_erase_id;
	ret = xa_insert(&peer->links, kipc_ep_key(ep), &link->end[1],
			GFP_KERNEL_ACCOUNT);
	if (ret) {
		xa_erase(&ep->links, kipc_ep_key(peer));
		goto out_erase_id;
	}
	list_add_tail(&link->end[0].ep_node, &ep->ends);
	list_add_tail(&link->end[1].ep_node, &peer->ends);
	ep->nr_links++;
	peer->nr_links++;
	link->holders = 2;
	kref_get(&link->ref);		/* @ep's */
	kref_get(&link->ref);		/* @peer's */
	kipc_nl_changed();
	kipc_stats_created(KIPC_TYPE_LINK);
	kipc_nl_link_event(KIPC_CMD_LINK_UP, link->nl.id, ep->pid, peer->pid);
	return &link->end[0];		/* the caller's */

out_erase_id:
	xa_erase(&kipc_ep_ids, link->nl.id);
out_put:
	kipc_link_put(link);
	return ERR_PTR(ret == -EBUSY ? -EAGAIN : ret);
}

static struct kipc_link_end *kipc_link_connect(struct kipc_endpoint *ep,
					       struct pid *pid)
{
	struct kipc_link_end *end;
	int tries = 0;

	for (;;) {
		mutex_lock(&kipc_ep_lock);
		end = kipc_link_connect_locked(ep, pid);
		mutex_unlock(&kipc_ep_lock);
		if (end != ERR_PTR(-EAGAIN) || tries++)
			return end;
		/* a recycled pid: let the old process's exit finish first */
		kipc_proc_flush();
	}
}

/* A link of @ep whose peer had the pid @nr and is gone. */
static struct kipc_link_end *kipc_end_find_dead(struct kipc_endpoint *ep,
						pid_t nr)
{
	struct kipc_link_end *end, *found = NULL;

	mutex_lock(&kipc_ep_lock);
	list_for_each_entry(end, &ep->ends, ep_node) {
		if (pid_vnr(end->peer->ep->pid) == nr &&
		    xa_load(&ep->links, kipc_ep_key(end->peer->ep)) != end) {
			kref_get(&end->link->ref);
			found = end;
			break;
		}
	}
	mutex_unlock(&kipc_ep_lock);
	return found;
}

/* The thread group of the task @nr names (a thread id names its process). */
static struct pid *kipc_find_get_tgid(pid_t nr)
{
	struct task_struct *task;
	struct pid *pid = NULL;

	rcu_read_lock();
	task = pid_task(find_vpid(nr), PIDTYPE_PID);
	if (task)
		pid = get_pid(task_tgid(task));
	rcu_read_unlock();
	return pid;
}

/*
 * @ep's end of the link to the process @nr (in the caller's pid
 * namespace), made if needed.  With @dead_ok, a link to a process that
 * had the pid @nr and is gone will do when no live one can be had.
 * Return: the end with a reference, or an ERR_PTR as for connect.
 */
static struct kipc_link_end *kipc_end_get(struct kipc_endpoint *ep, pid_t nr,
					  bool dead_ok)
{
	struct kipc_link_end *end = ERR_PTR(-ESRCH), *dead;
	struct pid *pid;

	if (nr <= 0)
		return ERR_PTR(-EINVAL);
	pid = kipc_find_get_tgid(nr);
	if (pid) {
		if (pid == ep->pid)
			end = ERR_PTR(-EINVAL);
		else
			end = kipc_end_lookup(ep, pid) ?:
			      kipc_link_connect(ep, pid);
		put_pid(pid);
	}
	if (dead_ok && (end == ERR_PTR(-ESRCH) ||
			end == ERR_PTR(-ECONNREFUSED))) {
		dead = kipc_end_find_dead(ep, nr);
		if (dead)
			end = dead;
	}
	return end;
}

static void kipc_end_put(struct kipc_link_end *end)
{
	kipc_link_put(end->link);
}

/* The end a call acts on, with a reference: a link fd's (@me), or by pid. */
static struct kipc_link_end *kipc_end_of(struct kipc_endpoint *ep,
					 struct kipc_link_end *me, pid_t pid,
					 bool dead_ok)
{
	if (!me)
		return kipc_end_get(ep, pid, dead_ok);
	kref_get(&me->link->ref);
	return me;
}

/* Sending */

/* Queue @msg toward @me's peer, waiting for room as @w allows. */
static int kipc_end_send(struct kipc_link_end *me, struct kipc_msg *msg,
			 struct kipc_wait *w)
{
	struct kipc_link_end *to = me->peer;
	struct kipc_endpoint *ep = to->ep;
	int ret;

	spin_lock(&ep->lock);
	for (;;) {
		ret = -EPIPE;
		if (to->closed)
			break;
		ret = -EMSGSIZE;
		if (msg->len > ep->lim.max_msgsize)
			break;
		if (kipc_end_fits_locked(to, msg->len)) {
			kipc_end_add_locked(to, msg);
			ret = 0;
			break;
		}
		if (kipc_end_report_full_locked(to))
			continue;
		ret = kipc_ep_wait_locked(ep, &to->send_wait, w);
		if (ret)
			break;
	}
	spin_unlock(&ep->lock);
	if (!ret) {
		kipc_wake(&to->recv_wait);
		kipc_wake(&ep->wait);
	}
	return ret;
}

/* The checks every call through a link fd or a session makes first. */
static int kipc_end_usable(struct kipc_link_end *me)
{
	if (me->ep->pid != task_tgid(current) || READ_ONCE(me->ep->closed))
		return -ENOTCONN;
	return 0;
}

/*
 * A peer's exit is handled by a work item (kmod/proc.c), which may not
 * have run yet when its parent has already reaped it.  A call on the link
 * to it runs that work first, so that nobody who saw the peer reaped can
 * still send to it or miss its hang-up.
 */
static void kipc_end_sync_peer(struct kipc_link_end *me)
{
	/*
	 * Not the peer's @closed: that is set before the peer's links are
	 * marked, and a close in progress must be waited for too.
	 */
	if (!READ_ONCE(me->hup) && kipc_proc_exited(me->peer->ep->pid))
		kipc_proc_flush();
}

static long kipc_link_do_send(struct kipc_link_end *me, struct file *file,
			      const struct kipc_link_send *args)
{
	struct kipc_msg *msg;
	struct kipc_wait w;
	long ret;

	/* checked again under the lock; this spares a useless allocation */
	if (args->len > me->peer->ep->lim.max_msgsize) {
		kipc_nl_limit_hit(KIPC_LIMIT_MSGSIZE, KIPC_TYPE_LINK,
				  me->link->nl.id);
		return -EMSGSIZE;
	}
	kipc_end_sync_peer(me);
	msg = kipc_msg_new(u64_to_user_ptr(args->buf_ptr), args->len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	msg->type = args->type;
	kipc_wait_init(&w, file, args->flags, args->deadline_ns);
	ret = kipc_end_send(me, msg, &w);
	if (ret)
		kipc_msg_free(msg);
	return ret;
}

/* Receiving */

/* What a receive got, besides the message. */
struct kipc_got {
	struct kipc_link_end *end;	/* with a reference */
	struct kipc_msg *msg;		/* NULL with an error */
	struct kipc_msg_info info;
};

static void kipc_got_hup_locked(struct kipc_got *got, struct kipc_link_end *end)
{
	memset(&got->info, 0, sizeof(got->info));
	got->info.sender_pid = pid_vnr(end->peer->ep->pid);
	end->hup_reported = true;
	kipc_end_update_locked(end);
}

/*
 * Take the selected message from @me's inbox, waiting as @w allows.
 * Return: 0 with got->msg, or -ENOTCONN, -EMSGSIZE, -ECONNRESET (with
 * got->info), -EAGAIN, -ETIMEDOUT, -ERESTARTSYS.
 */
static int kipc_end_take(struct kipc_link_end *me, unsigned int sel, u64 type,
			 size_t buf_len, struct kipc_wait *w,
			 struct kipc_got *got)
{
	struct kipc_endpoint *ep = me->ep;
	struct kipc_msg *msg;
	int ret;

	got->msg = NULL;
	kipc_end_sync_peer(me);
	spin_lock(&ep->lock);
	for (;;) {
		ret = -ENOTCONN;
		if (ep->closed)
			break;
		msg = kipc_msgq_peek(&me->inbox, sel, type);
		if (msg && msg->len > buf_len) {
			kipc_msg_info(msg, &got->info);
			ret = -EMSGSIZE;
			break;
		}
		if (msg) {
			kipc_end_del_locked(me, msg);
			got->msg = msg;
			ret = 0;
			break;
		}
		if (me->hup) {
			kipc_got_hup_locked(got, me);
			ret = -ECONNRESET;
			break;
		}
		ret = kipc_ep_wait_locked(ep, &me->recv_wait, w);
		if (ret)
			break;
	}
	spin_unlock(&ep->lock);
	if (!ret)
		kipc_wake(&me->send_wait);
	return ret;
}

/* The same from whichever link became readable first. */
static int kipc_ep_take_any(struct kipc_endpoint *ep, size_t buf_len,
			    struct kipc_wait *w, struct kipc_got *got)
{
	struct kipc_link_end *end;
	struct kipc_msg *msg;
	int ret;

	got->msg = NULL;
	got->end = NULL;
	spin_lock(&ep->lock);
	for (;;) {
		ret = -ENOTCONN;
		if (ep->closed)
			break;
		end = list_first_entry_or_null(&ep->ready, struct kipc_link_end,
					       ready_node);
		if (end) {
			msg = kipc_msgq_peek(&end->inbox, KIPC_SEL_FIFO, 0);
			if (msg && msg->len > buf_len) {
				kipc_msg_info(msg, &got->info);
				ret = -EMSGSIZE;
				break;
			}
			/* the ready list holds no reference: take one */
			kref_get(&end->link->ref);
			got->end = end;
			if (msg) {
				kipc_end_del_locked(end, msg);
				/* the others' turn before this link's next */
				if (!list_empty(&end->ready_node))
					list_move_tail(&end->ready_node,
						       &ep->ready);
				got->msg = msg;
				ret = 0;
			} else {
				kipc_got_hup_locked(got, end);
				ret = -ECONNRESET;
			}
			break;
		}
		ret = kipc_ep_wait_locked(ep, &ep->wait, w);
		if (ret)
			break;
	}
	spin_unlock(&ep->lock);
	if (!ret)
		kipc_wake(&got->end->send_wait);
	return ret;
}

/* Give back a message that could not be copied out. */
static void kipc_end_unget(struct kipc_link_end *end, struct kipc_msg *msg)
{
	struct kipc_endpoint *ep = end->ep;
	struct kipc_txn *txn, *found = NULL;

	spin_lock(&ep->lock);
	/* it was counted as received when taken */
	kipc_end_count_out_locked(end, -1, -(s64)msg->len);
	if (msg->kind == KIPC_LINK_REQUEST) {
		list_for_each_entry(txn, &ep->taken, node) {
			if (txn->id == msg->req_id) {
				found = txn;
				break;
			}
		}
		if (found) {
			list_del_init(&found->node);
			found->state = KIPC_TXN_QUEUED;
			msg->txn = found;
		}
	}
	/* a request whose caller gave up meanwhile is dropped */
	if (end->closed || (msg->kind == KIPC_LINK_REQUEST && !found)) {
		spin_unlock(&ep->lock);
		kipc_msg_free(msg);
		return;
	}
	kipc_msgq_requeue(&end->inbox, msg);
	kipc_end_update_locked(end);
	spin_unlock(&ep->lock);
	kipc_wake(&end->recv_wait);
	kipc_wake(&ep->wait);
}

static int kipc_got_copy_out(struct kipc_got *got, struct kipc_link_recv __user *uarg,
			     u64 buf_ptr)
{
	struct kipc_msg *msg = got->msg;
	u64 req_id = msg->kind == KIPC_LINK_MSG ? 0 : msg->req_id;

	kipc_msg_info(msg, &got->info);
	if (copy_to_user(u64_to_user_ptr(buf_ptr), msg->data, msg->len) ||
	    copy_to_user(&uarg->info, &got->info, sizeof(got->info)) ||
	    put_user(req_id, &uarg->request_id) ||
	    put_user(msg->kind, &uarg->kind))
		return -EFAULT;
	return 0;
}

/* Request-reply */

static struct kipc_txn *kipc_txn_find_locked(struct kipc_endpoint *ep, u64 id,
					     struct kipc_link_end *only)
{
	struct kipc_txn *txn;

	lockdep_assert_held(&ep->lock);
	list_for_each_entry(txn, &ep->taken, node)
		if (txn->id == id)
			return !only || txn->to == only ? txn : NULL;
	return NULL;
}

/*
 * Reply to the call @id taken by @ep (through @only's link, if not NULL).
 * Return: 0, -ESRCH, -EMSGSIZE, -EFAULT, -ENOMEM.
 */
static int kipc_ep_reply(struct kipc_endpoint *ep, struct kipc_link_end *only,
			 u64 id, u64 buf_ptr, u64 len, u64 type)
{
	struct kipc_msg *msg;
	struct kipc_txn *txn;
	int ret;

	if (len > READ_ONCE(kipc_msgsize_max))
		return -EMSGSIZE;	/* larger than any caller's buffer */
	msg = kipc_msg_new(u64_to_user_ptr(buf_ptr), len);
	if (IS_ERR(msg))
		return PTR_ERR(msg);
	msg->type = type;

	spin_lock(&ep->lock);
	txn = kipc_txn_find_locked(ep, id, only);
	if (!txn) {
		ret = -ESRCH;
	} else if (len > txn->reply_cap) {
		ret = -EMSGSIZE;
	} else {
		msg->time_ns = ktime_get_real_ns();
		list_del_init(&txn->node);
		txn->reply = msg;
		txn->state = KIPC_TXN_DONE;
		wake_up(&txn->wait);
		ret = 0;
	}
	spin_unlock(&ep->lock);
	if (ret)
		kipc_msg_free(msg);
	else
		kipc_stats_msg_in(len);
	return ret;
}

/* The caller of a call through @me got its reply of @len bytes. */
static void kipc_end_count_reply(struct kipc_link_end *me, size_t len)
{
	spin_lock(&me->ep->lock);
	me->msgs_in++;
	me->bytes_in += len;
	me->ep->msgs_in++;
	me->ep->bytes_in += len;
	kipc_end_count_out_locked(me, 1, len);
	spin_unlock(&me->ep->lock);
}

/*
 * Give up call @txn (server's lock held): withdraw its request (returned
 * for the caller to free) or queue @cancel for the server.
 */
static struct kipc_msg *kipc_txn_abandon_locked(struct kipc_txn *txn,
						struct kipc_msg *req,
						struct kipc_msg **cancel)
{
	struct kipc_link_end *to = txn->to;

	lockdep_assert_held(&to->ep->lock);
	if (txn->state == KIPC_TXN_QUEUED) {
		kipc_msgq_del(&to->inbox, req);
		to->full = false;
		kipc_end_update_locked(to);
		return req;
	}
	if (txn->state == KIPC_TXN_TAKEN) {
		list_del_init(&txn->node);
		(*cancel)->req_id = txn->id;
		kipc_end_add_locked(to, *cancel);
		*cancel = NULL;
	}
	return NULL;
}

/*
 * Send a request over @me and wait for its reply.
 * Return: the reply (owned by the caller), or ERR_PTR(-EPIPE, -EMSGSIZE,
 * -EAGAIN, -ETIMEDOUT, -EINTR, -ECONNRESET, -ENOMEM, -EFAULT).
 */
static struct kipc_msg *kipc_end_call(struct kipc_link_end *me,
				      struct file *file,
				      const struct kipc_link_call *args)
{
	struct kipc_link_end *to = me->peer;
	struct kipc_endpoint *ep = to->ep;
	struct kipc_msg *req, *cancel, *reply = NULL, *withdrawn = NULL;
	struct kipc_txn txn = {
		.to		= to,
		.reply_cap	= args->reply_len,
	};
	struct kipc_wait w;
	int ret;

	if (args->req_len > ep->lim.max_msgsize) {
		kipc_nl_limit_hit(KIPC_LIMIT_MSGSIZE, KIPC_TYPE_LINK,
				  me->link->nl.id);
		return ERR_PTR(-EMSGSIZE);
	}
	kipc_end_sync_peer(me);
	req = kipc_msg_new(u64_to_user_ptr(args->req_ptr), args->req_len);
	if (IS_ERR(req))
		return req;
	/* telling the server that the caller gave up must not fail */
	cancel = kipc_msg_new(NULL, 0);
	if (IS_ERR(cancel)) {
		kipc_msg_free(req);
		return cancel;
	}
	req->type = args->type;
	req->kind = KIPC_LINK_REQUEST;
	req->txn = &txn;
	cancel->kind = KIPC_LINK_CANCEL;
	INIT_LIST_HEAD(&txn.node);
	init_waitqueue_head(&txn.wait);
	kipc_wait_init(&w, file, args->flags, args->deadline_ns);

	spin_lock(&ep->lock);
	for (;;) {
		ret = -EPIPE;
		if (to->closed)
			break;
		ret = -EMSGSIZE;
		if (req->len > ep->lim.max_msgsize)
			break;
		if (kipc_end_fits_locked(to, req->len)) {
			txn.id = ++ep->next_req_id;
			txn.state = KIPC_TXN_QUEUED;
			kipc_end_add_locked(to, req);
			ret = 0;
			break;
		}
		if (kipc_end_report_full_locked(to))
			continue;
		ret = kipc_ep_wait_locked(ep, &to->send_wait, &w);
		if (ret)
			break;
	}
	if (ret) {
		spin_unlock(&ep->lock);
		kipc_msg_free(req);
		kipc_msg_free(cancel);
		/* as below: a call interrupted by a signal is never restarted */
		return ERR_PTR(ret == -ERESTARTSYS ? -EINTR : ret);
	}
	spin_unlock(&ep->lock);
	kipc_wake(&to->recv_wait);
	kipc_wake(&ep->wait);

	/* the reply is waited for whatever KIPC_MSG_NONBLOCK said */
	w.nonblock = false;
	spin_lock(&ep->lock);
	while (txn.state == KIPC_TXN_QUEUED || txn.state == KIPC_TXN_TAKEN) {
		ret = kipc_ep_wait_locked(ep, &txn.wait, &w);
		if (ret) {
			withdrawn = kipc_txn_abandon_locked(&txn, req, &cancel);
			break;
		}
	}
	if (txn.state == KIPC_TXN_DONE)
		reply = txn.reply;
	else if (txn.state == KIPC_TXN_FAILED)
		ret = txn.err;
	spin_unlock(&ep->lock);
	if (!cancel) {
		kipc_wake(&to->recv_wait);
		kipc_wake(&ep->wait);
	} else {
		kipc_msg_free(cancel);
	}
	if (withdrawn) {
		kipc_wake(&to->send_wait);
		kipc_msg_free(withdrawn);
	}
	if (reply) {
		kipc_end_count_reply(me, reply->len);
		return reply;
	}
	/* the request may have been taken: never run it twice */
	return ERR_PTR(ret == -ERESTARTSYS ? -EINTR : ret);
}

/* The ioctls, on a session (@me NULL: named by pid) or a link fd */

static long kipc_link_send_ioctl(struct kipc_endpoint *ep,
				 struct kipc_link_end *me, struct file *file,
				 void __user *arg)
{
	struct kipc_link_send args;
	struct kipc_link_end *end;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_LINK_SEND_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_MSG_ALL) || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	end = kipc_end_of(ep, me, args.pid, false);
	if (IS_ERR(end))
		return PTR_ERR(end);
	ret = kipc_link_do_send(end, file, &args);
	kipc_end_put(end);
	return ret;
}

static long kipc_link_recv_ioctl(struct kipc_endpoint *ep,
				 struct kipc_link_end *me, struct file *file,
				 void __user *arg)
{
	struct kipc_link_recv __user *uarg = arg;
	struct kipc_link_recv args;
	struct kipc_got got = {};
	struct kipc_wait w;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_LINK_RECV_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_MSG_ALL) || args.reserved0 ||
	    args.select > KIPC_SEL_MAX ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)) ||
	    (!me && !args.pid && args.select != KIPC_SEL_FIFO))
		return -EINVAL;
	if (args.reply_id) {
		ret = kipc_ep_reply(ep, me, args.reply_id, args.reply_ptr,
				    args.reply_len, args.reply_type);
		if (ret)
			return ret;
		/* it went out: a restarted or repeated call must not resend */
		if (put_user(0, &uarg->reply_id))
			return -EFAULT;
	}

	kipc_wait_init(&w, file, args.flags, args.deadline_ns);
	if (!me && !args.pid) {
		ret = kipc_ep_take_any(ep, args.buf_len, &w, &got);
	} else {
		got.end = kipc_end_of(ep, me, args.pid, true);
		if (IS_ERR(got.end))
			return PTR_ERR(got.end);
		ret = kipc_end_take(got.end, args.select, args.type,
				    args.buf_len, &w, &got);
	}
	if (got.msg) {
		if (kipc_got_copy_out(&got, uarg, args.buf_ptr)) {
			kipc_end_unget(got.end, got.msg);
			ret = -EFAULT;
		} else {
			ret = got.msg->len;
			kipc_stats_msg_out(got.msg->len);
			kipc_msg_free(got.msg);
		}
	} else if (ret == -EMSGSIZE || ret == -ECONNRESET) {
		if (copy_to_user(&uarg->info, &got.info, sizeof(got.info)))
			ret = -EFAULT;
	}
	if (got.end) {
		if (ret == -ECONNRESET)
			kipc_end_forget(got.end);
		kipc_end_put(got.end);
	}
	return ret;
}

static long kipc_link_call_ioctl(struct kipc_endpoint *ep,
				 struct kipc_link_end *me, struct file *file,
				 void __user *arg)
{
	struct kipc_link_call __user *uarg = arg;
	struct kipc_msg_info info;
	struct kipc_link_call args;
	struct kipc_link_end *end;
	struct kipc_msg *reply;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_LINK_CALL_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_MSG_ALL) || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	end = kipc_end_of(ep, me, args.pid, false);
	if (IS_ERR(end))
		return PTR_ERR(end);
	reply = kipc_end_call(end, file, &args);
	kipc_end_put(end);
	if (IS_ERR(reply))
		return PTR_ERR(reply);

	/* the server was told it is done: a bad buffer loses the reply */
	kipc_msg_info(reply, &info);
	if (copy_to_user(u64_to_user_ptr(args.reply_ptr), reply->data,
			 reply->len) ||
	    copy_to_user(&uarg->info, &info, sizeof(info)))
		ret = -EFAULT;
	else
		ret = reply->len;
	kipc_stats_msg_out(reply->len);
	kipc_msg_free(reply);
	return ret;
}

static long kipc_link_reply_ioctl(struct kipc_endpoint *ep,
				  struct kipc_link_end *me, void __user *arg)
{
	struct kipc_link_reply args;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_LINK_REPLY_SIZE_VER0, arg);
	if (ret)
		return ret;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	return kipc_ep_reply(ep, me, args.request_id, args.buf_ptr, args.len,
			     args.type);
}

static long kipc_link_ioctl_common(struct kipc_endpoint *ep,
				   struct kipc_link_end *me, struct file *file,
				   unsigned int cmd, void __user *arg)
{
	switch (KIPC_IOC_BASE(cmd)) {
	case KIPC_IOC_BASE(KIPC_IOC_LINK_SEND):
		return kipc_link_send_ioctl(ep, me, file, arg);
	case KIPC_IOC_BASE(KIPC_IOC_LINK_RECV):
		return kipc_link_recv_ioctl(ep, me, file, arg);
	case KIPC_IOC_BASE(KIPC_IOC_LINK_CALL):
		return kipc_link_call_ioctl(ep, me, file, arg);
	case KIPC_IOC_BASE(KIPC_IOC_LINK_REPLY):
		return kipc_link_reply_ioctl(ep, me, arg);
	}
	return -ENOTTY;
}

long kipc_session_link_ioctl(struct file *file, unsigned int cmd,
			     void __user *arg)
{
	struct kipc_endpoint *ep = kipc_session_ep(file);

	if (IS_ERR(ep))
		return PTR_ERR(ep);
	return kipc_link_ioctl_common(ep, NULL, file, cmd, arg);
}

long kipc_session_connect(struct file *file, void __user *arg)
{
	struct kipc_endpoint *ep = kipc_session_ep(file);
	struct kipc_link_end *end;
	struct kipc_connect args;
	int fd, fflags = O_RDWR;
	long ret;

	if (IS_ERR(ep))
		return PTR_ERR(ep);
	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_CONNECT_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~(KIPC_O_NONBLOCK | KIPC_O_CLOEXEC)) ||
	    args.reserved0 || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	end = kipc_end_get(ep, args.pid, false);
	if (IS_ERR(end))
		return PTR_ERR(end);
	if (args.flags & KIPC_O_NONBLOCK)
		fflags |= O_NONBLOCK;
	if (args.flags & KIPC_O_CLOEXEC)
		fflags |= O_CLOEXEC;
	fd = anon_inode_getfd("[kipc-link]", &kipc_link_fops, end, fflags);
	if (fd < 0)
		kipc_end_put(end);
	return fd;
}

__poll_t kipc_session_poll(struct file *file, poll_table *pt)
{
	/* pairs with the release in kipc_session_bind() */
	struct kipc_endpoint *ep = smp_load_acquire(&file->private_data);
	__poll_t mask = 0;

	if (!ep)
		return 0;
	poll_wait(file, &ep->wait, pt);
	spin_lock(&ep->lock);
	if (ep->closed)
		mask = EPOLLHUP;
	else if (!list_empty(&ep->ready))
		mask = EPOLLIN | EPOLLRDNORM;
	spin_unlock(&ep->lock);
	return mask;
}

void kipc_session_release(struct file *file)
{
	struct kipc_endpoint *ep = file->private_data;

	if (!ep)
		return;
	kipc_ep_close(ep, kipc_ep_exiting(ep));
	kipc_ep_put(ep);			/* the session's */
}

/* Link fds: private_data is the caller's end, with a link reference */

static struct kipc_link_end *kipc_link_file(struct file *file)
{
	return file->private_data;
}

/* A link fd's pid argument: 0 or the peer's. */
static int kipc_link_check_pid(struct kipc_link_end *me, void __user *arg,
			       size_t off)
{
	s32 pid;

	if (get_user(pid, (s32 __user *)(arg + off)))
		return -EFAULT;
	if (pid && pid != pid_vnr(me->peer->ep->pid))
		return -EINVAL;
	return 0;
}

static long kipc_link_do_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	struct kipc_link_end *me = kipc_link_file(file);
	void __user *uarg = (void __user *)arg;
	int ret;

	ret = kipc_end_usable(me);
	if (ret)
		return ret;
	switch (KIPC_IOC_BASE(cmd)) {
	case KIPC_IOC_BASE(KIPC_IOC_LINK_SEND):
	case KIPC_IOC_BASE(KIPC_IOC_LINK_RECV):
	case KIPC_IOC_BASE(KIPC_IOC_LINK_CALL):
		/* pid sits at the same offset in all three */
		ret = kipc_link_check_pid(me, uarg,
					  offsetof(struct kipc_link_send, pid));
		if (ret)
			return ret;
	}
	return kipc_link_ioctl_common(me->ep, me, file, cmd, uarg);
}

static long kipc_link_ioctl(struct file *file, unsigned int cmd,
			    unsigned long arg)
{
	return kipc_stats_ret(kipc_link_do_ioctl(file, cmd, arg));
}

static_assert(offsetof(struct kipc_link_send, pid) ==
	      offsetof(struct kipc_link_recv, pid));
static_assert(offsetof(struct kipc_link_send, pid) ==
	      offsetof(struct kipc_link_call, pid));

/* read(2): the peer's oldest message. */
static ssize_t kipc_link_do_read(struct file *file, char __user *buf,
				 size_t len)
{
	struct kipc_link_end *me = kipc_link_file(file);
	struct kipc_got got;
	struct kipc_wait w;
	ssize_t ret;

	ret = kipc_end_usable(me);
	if (ret)
		return ret;
	kipc_wait_init(&w, file, 0, 0);
	ret = kipc_end_take(me, KIPC_SEL_FIFO, 0, len, &w, &got);
	if (ret == -ECONNRESET)
		kipc_end_forget(me);
	if (ret)
		return ret;
	if (copy_to_user(buf, got.msg->data, got.msg->len)) {
		kipc_end_unget(me, got.msg);
		return -EFAULT;
	}
	ret = got.msg->len;
	kipc_stats_msg_out(got.msg->len);
	kipc_msg_free(got.msg);
	return ret;
}

static ssize_t kipc_link_read(struct file *file, char __user *buf, size_t len,
			      loff_t *ppos)
{
	return kipc_stats_ret(kipc_link_do_read(file, buf, len));
}

/* write(2): one message of type 0 to the peer. */
static ssize_t kipc_link_write(struct file *file, const char __user *buf,
			       size_t len, loff_t *ppos)
{
	struct kipc_link_end *me = kipc_link_file(file);
	struct kipc_link_send args = {
		.buf_ptr	= (uintptr_t)buf,
		.len		= len,
	};
	long ret;

	ret = kipc_end_usable(me);
	if (ret)
		return kipc_stats_ret(ret);
	ret = kipc_link_do_send(me, file, &args);
	return kipc_stats_ret(ret ?: len);
}

static __poll_t kipc_link_poll(struct file *file, poll_table *pt)
{
	struct kipc_link_end *me = kipc_link_file(file);
	struct kipc_link_end *to = me->peer;
	__poll_t mask = 0;

	poll_wait(file, &me->recv_wait, pt);
	poll_wait(file, &to->send_wait, pt);
	spin_lock(&me->ep->lock);
	if (me->inbox.nr_msgs)
		mask |= EPOLLIN | EPOLLRDNORM;
	/* a peer whose exit is not processed yet is gone all the same */
	if (me->hup || kipc_proc_exited(to->ep->pid))
		mask |= EPOLLIN | EPOLLRDNORM | EPOLLHUP | EPOLLRDHUP;
	if (me->closed)
		mask |= EPOLLERR | EPOLLHUP;
	spin_unlock(&me->ep->lock);
	spin_lock(&to->ep->lock);
	if (!to->closed && kipc_end_fits_locked(to, to->ep->lim.max_msgsize))
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&to->ep->lock);
	return mask;
}

static int kipc_link_release_file(struct inode *inode, struct file *file)
{
	kipc_end_put(kipc_link_file(file));
	return 0;
}

static const struct file_operations kipc_link_fops = {
	.owner		= THIS_MODULE,
	.read		= kipc_link_read,
	.write		= kipc_link_write,
	.poll		= kipc_link_poll,
	.unlocked_ioctl	= kipc_link_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= kipc_link_release_file,
	.llseek		= noop_llseek,
};

/* Netlink: listing sessions and links */

/* A session's counters, copied under its lock. */
struct kipc_ep_snap {
	u64 msgs;
	u64 bytes;
	u64 msgs_in;
	u64 msgs_out;
	u64 bytes_in;
	u64 bytes_out;
	unsigned int waiters;
};

static void kipc_ep_snap_locked(struct kipc_endpoint *ep,
				struct kipc_ep_snap *snap)
{
	struct kipc_link_end *end;

	lockdep_assert_held(&kipc_ep_lock);
	memset(snap, 0, sizeof(*snap));
	spin_lock(&ep->lock);
	/* @ends is stable under kipc_ep_lock, the inboxes under @ep->lock */
	list_for_each_entry(end, &ep->ends, ep_node) {
		snap->msgs += end->inbox.nr_msgs;
		snap->bytes += end->inbox.bytes;
	}
	snap->msgs_in = ep->msgs_in;
	snap->msgs_out = ep->msgs_out;
	snap->bytes_in = ep->bytes_in;
	snap->bytes_out = ep->bytes_out;
	snap->waiters = ep->nr_waiters;
	spin_unlock(&ep->lock);
}

/* Both directions of a link, each copied under its endpoint's lock. */
static void kipc_link_snap(struct kipc_link *link, struct kipc_ep_snap *snap)
{
	struct kipc_link_end *end;
	int i;

	memset(snap, 0, sizeof(*snap));
	for (i = 0; i < 2; i++) {
		end = &link->end[i];
		spin_lock(&end->ep->lock);
		snap->msgs += end->inbox.nr_msgs;
		snap->bytes += end->inbox.bytes;
		snap->msgs_in += end->msgs_in;
		snap->msgs_out += end->msgs_out;
		snap->bytes_in += end->bytes_in;
		snap->bytes_out += end->bytes_out;
		spin_unlock(&end->ep->lock);
	}
}

static int kipc_nl_put_counters(struct sk_buff *skb,
				const struct kipc_ep_snap *snap)
{
	return kipc_nl_put_u64(skb, KIPC_A_MSGS, snap->msgs) ||
	       kipc_nl_put_u64(skb, KIPC_A_BYTES, snap->bytes) ||
	       kipc_nl_put_u64(skb, KIPC_A_MSGS_IN, snap->msgs_in) ||
	       kipc_nl_put_u64(skb, KIPC_A_MSGS_OUT, snap->msgs_out) ||
	       kipc_nl_put_u64(skb, KIPC_A_BYTES_IN, snap->bytes_in) ||
	       kipc_nl_put_u64(skb, KIPC_A_BYTES_OUT, snap->bytes_out) ?
	       -EMSGSIZE : 0;
}

static int kipc_ep_nl_fill_locked(struct sk_buff *skb, struct kipc_nl_ctx *ctx,
				  struct kipc_endpoint *ep)
{
	struct kipc_ep_snap snap;
	void *hdr;

	lockdep_assert_held(&kipc_ep_lock);
	kipc_ep_snap_locked(ep, &snap);
	hdr = kipc_nl_msg_begin(skb, ctx, KIPC_TYPE_SESSION, ep->nl.id);
	if (!hdr)
		return -EMSGSIZE;
	if (kipc_nl_put_u64(skb, KIPC_A_CREATE_TIME, ep->nl.ctime) ||
	    kipc_nl_put_pid(skb, KIPC_A_CREATOR_PID, ep->pid, ctx) ||
	    kipc_nl_put_pid(skb, KIPC_A_PID, ep->pid, ctx) ||
	    kipc_nl_put_uid(skb, KIPC_A_UID, ep->uid, ctx) ||
	    nla_put_u32(skb, KIPC_A_LINKS, ep->nr_links) ||
	    nla_put_u32(skb, KIPC_A_MAX_MSGS, ep->lim.max_msgs) ||
	    nla_put_u32(skb, KIPC_A_MAX_MSGSIZE, ep->lim.max_msgsize) ||
	    kipc_nl_put_u64(skb, KIPC_A_CAPACITY, ep->lim.capacity) ||
	    nla_put_u32(skb, KIPC_A_WAITERS, snap.waiters) ||
	    kipc_nl_put_counters(skb, &snap)) {
		kipc_nl_msg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	kipc_nl_msg_end(skb, hdr);
	return 0;
}

static int kipc_link_nl_fill_locked(struct sk_buff *skb,
				    struct kipc_nl_ctx *ctx,
				    struct kipc_link *link)
{
	struct kipc_endpoint *a = link->end[0].ep, *b = link->end[1].ep;
	u32 state = link->holders == 2 ? KIPC_LINK_STATE_UP :
					 KIPC_LINK_STATE_DOWN;
	struct kipc_ep_snap snap;
	void *hdr;

	lockdep_assert_held(&kipc_ep_lock);
	kipc_link_snap(link, &snap);
	hdr = kipc_nl_msg_begin(skb, ctx, KIPC_TYPE_LINK, link->nl.id);
	if (!hdr)
		return -EMSGSIZE;
	if (kipc_nl_put_u64(skb, KIPC_A_CREATE_TIME, link->nl.ctime) ||
	    kipc_nl_put_pid(skb, KIPC_A_CREATOR_PID, a->pid, ctx) ||
	    kipc_nl_put_pid(skb, KIPC_A_PID, kipc_ep_pid_locked(a), ctx) ||
	    kipc_nl_put_pid(skb, KIPC_A_PEER_PID, kipc_ep_pid_locked(b), ctx) ||
	    nla_put_u32(skb, KIPC_A_STATE, state) ||
	    kipc_nl_put_counters(skb, &snap)) {
		kipc_nl_msg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	kipc_nl_msg_end(skb, hdr);
	return 0;
}

/*
 * @node's message, if @ctx wants it (a link is wanted for either side's
 * uid).  Return: 0, 1 not wanted, -EMSGSIZE.
 */
static int kipc_nl_node_fill_locked(struct sk_buff *skb,
				    struct kipc_nl_ctx *ctx,
				    struct kipc_nl_node *node, bool filter)
{
	struct kipc_endpoint *ep;
	struct kipc_link *link;

	lockdep_assert_held(&kipc_ep_lock);
	if (node->type == KIPC_TYPE_SESSION) {
		ep = container_of(node, struct kipc_endpoint, nl);
		if (filter && !kipc_nl_wants(ctx, node->type, ep->uid))
			return 1;
		return kipc_ep_nl_fill_locked(skb, ctx, ep);
	}
	link = container_of(node, struct kipc_link, nl);
	if (filter && !kipc_nl_wants(ctx, node->type, link->end[0].ep->uid) &&
	    !kipc_nl_wants(ctx, node->type, link->end[1].ep->uid))
		return 1;
	return kipc_link_nl_fill_locked(skb, ctx, link);
}

/* objects looked at per kipc_ep_lock hold while skipping unwanted ones */
#define KIPC_LINK_NL_SKIP_BATCH	256

/*
 * Fill the first object from *@next on that @ctx wants, skipping at most a
 * batch of others, with kipc_ep_lock held throughout.  Return: 0 (*@next
 * is past what was filled or skipped), -ENOENT none left, -EMSGSIZE.
 */
static int kipc_link_nl_dump_one(struct sk_buff *skb, struct kipc_nl_ctx *ctx,
				 u64 *next)
{
	struct kipc_nl_node *node;
	unsigned long id = *next;
	unsigned int n;
	int ret = 0;

	mutex_lock(&kipc_ep_lock);
	for (n = 0; n < KIPC_LINK_NL_SKIP_BATCH; n++) {
		node = xa_find(&kipc_ep_ids, &id, ULONG_MAX, XA_PRESENT);
		if (!node) {
			ret = -ENOENT;
			break;
		}
		ret = kipc_nl_node_fill_locked(skb, ctx, node, true);
		if (ret < 0)
			break;
		*next = ++id;
		if (!ret)
			break;
	}
	mutex_unlock(&kipc_ep_lock);
	return ret < 0 ? ret : 0;
}

int kipc_link_nl_dump(struct sk_buff *skb, struct kipc_nl_ctx *ctx, u64 *next)
{
	int ret;

	while (!(ret = kipc_link_nl_dump_one(skb, ctx, next)))
		cond_resched();
	return ret == -ENOENT ? 0 : ret;
}

/* With @skb NULL, only whether @id names a session or a link: 0 or -ENOENT. */
int kipc_link_nl_get(struct sk_buff *skb, struct kipc_nl_ctx *ctx, u64 id)
{
	struct kipc_nl_node *node;
	int ret = -ENOENT;

	mutex_lock(&kipc_ep_lock);
	node = xa_load(&kipc_ep_ids, id);
	if (node)
		ret = skb ? kipc_nl_node_fill_locked(skb, ctx, node, false) : 0;
	mutex_unlock(&kipc_ep_lock);
	return ret;
}
