/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc messages and waits: what queues, mailboxes and links share.
 */
#ifndef KIPC_MSG_H
#define KIPC_MSG_H

#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/kipc.h>

#include "msgq.h"

struct kipc_msg *kipc_msg_new(const void __user *buf, size_t len);
void kipc_msg_free(struct kipc_msg *msg);
void kipc_msg_info(const struct kipc_msg *msg, struct kipc_msg_info *info);

/**
 * struct kipc_wait - how a send or receive may wait
 * @nonblock:	fail with -EAGAIN instead
 * @has_deadline: @deadline is valid
 * @deadline:	absolute CLOCK_MONOTONIC time to give up
 */
struct kipc_wait {
	bool nonblock;
	bool has_deadline;
	ktime_t deadline;
};

void kipc_wait_init(struct kipc_wait *w, struct file *file, u32 flags,
		    u64 deadline_ns);
int kipc_wait_locked(spinlock_t *lock, wait_queue_head_t *wq,
		     struct kipc_wait *w);

/* Wake @wq if somebody sleeps on it (after the changer dropped its lock). */
static inline void kipc_wake(wait_queue_head_t *wq)
{
	if (wq_has_sleeper(wq))
		wake_up(wq);
}

#endif /* KIPC_MSG_H */
