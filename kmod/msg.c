// SPDX-License-Identifier: GPL-2.0
/*
 * kipc messages and waits.
 *
 * A message is allocated and its payload copied in before any lock is
 * taken, and stamped with the sending process and its euid.  A wait drops
 * the caller's spinlock, sleeps until woken, the deadline or a signal, and
 * takes the lock back for the caller to re-check.
 */
#include <linux/cred.h>
#include <linux/hrtimer.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>

#include "msg.h"

/**
 * kipc_msg_new() - allocate a message and copy its payload in
 * @buf:	user payload
 * @len:	its length (checked against the object's limit by the caller)
 *
 * Return: the message, stamped with the calling process and euid, or
 * ERR_PTR(-ENOMEM, -EFAULT).
 */
struct kipc_msg *kipc_msg_new(const void __user *buf, size_t len)
{
	struct kipc_msg *msg;

	/* a size the parameters allow can still be one kvmalloc refuses */
	msg = kvmalloc(struct_size(msg, data, len),
		       GFP_KERNEL_ACCOUNT | __GFP_NOWARN);
	if (!msg)
		return ERR_PTR(-ENOMEM);
	if (len && copy_from_user(msg->data, buf, len)) {
		kvfree(msg);
		return ERR_PTR(-EFAULT);
	}
	msg->len = len;
	msg->kind = KIPC_LINK_MSG;
	msg->txn = NULL;
	msg->sender = get_pid(task_tgid(current));
	msg->uid = current_euid();
	return msg;
}

void kipc_msg_free(struct kipc_msg *msg)
{
	put_pid(msg->sender);
	kvfree(msg);
}

/**
 * kipc_msg_info() - the header of @msg as the calling task sees it
 * @msg:	the message
 * @info:	filled completely
 */
void kipc_msg_info(const struct kipc_msg *msg, struct kipc_msg_info *info)
{
	memset(info, 0, sizeof(*info));
	info->len = msg->len;
	info->type = msg->type;
	info->sender_pid = pid_vnr(msg->sender);
	info->sender_uid = from_kuid_munged(current_user_ns(), msg->uid);
	info->send_time_ns = msg->time_ns;
	info->seq = msg->seq;
}

/**
 * kipc_wait_init() - how a call may wait
 * @w:		filled
 * @file:	the file it came through (O_NONBLOCK)
 * @flags:	KIPC_MSG_*
 * @deadline_ns: absolute CLOCK_MONOTONIC deadline with KIPC_MSG_DEADLINE
 */
void kipc_wait_init(struct kipc_wait *w, struct file *file, u32 flags,
		    u64 deadline_ns)
{
	w->nonblock = (flags & KIPC_MSG_NONBLOCK) ||
		      (file->f_flags & O_NONBLOCK);
	w->has_deadline = flags & KIPC_MSG_DEADLINE;
	w->deadline = ns_to_ktime(min_t(u64, deadline_ns, KTIME_MAX));
}

/**
 * kipc_wait_locked() - sleep on @wq once, then let the caller re-check
 * @lock:	the caller's spinlock, held; dropped while sleeping
 * @wq:		where the caller's condition is announced
 * @w:		how to wait
 *
 * The caller found its condition false with @lock held; a waker changes
 * it under @lock and wakes @wq, so queueing on @wq before dropping @lock
 * loses no wake-up.
 *
 * Return: 0 to re-check, -EAGAIN, -ETIMEDOUT or -ERESTARTSYS (restarting
 * is safe: deadlines are absolute).
 */
int kipc_wait_locked(spinlock_t *lock, wait_queue_head_t *wq,
		     struct kipc_wait *w)
	__must_hold(lock)
{
	DEFINE_WAIT(wait);

	lockdep_assert_held(lock);
	if (w->nonblock)
		return -EAGAIN;
	if (w->has_deadline && ktime_compare(ktime_get(), w->deadline) >= 0)
		return -ETIMEDOUT;
	if (signal_pending(current))
		return -ERESTARTSYS;

	prepare_to_wait(wq, &wait, TASK_INTERRUPTIBLE);
	spin_unlock(lock);
	if (w->has_deadline)
		schedule_hrtimeout_range(&w->deadline, current->timer_slack_ns,
					 HRTIMER_MODE_ABS);
	else
		schedule();
	finish_wait(wq, &wait);
	spin_lock(lock);
	return 0;
}
