/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KIPC_QUEUE_H
#define KIPC_QUEUE_H

#include <linux/fs.h>
#include <linux/types.h>

/* Module parameters (main.c), read once per use with READ_ONCE(). */
extern unsigned int kipc_msgsize_max;
extern unsigned int kipc_msgsize_default;
extern unsigned long kipc_capacity_max;
extern unsigned long kipc_capacity_default;
extern unsigned int kipc_msgs_max;
extern unsigned int kipc_msgs_default;
extern unsigned int kipc_queues_per_user;

/**
 * struct kipc_queue_limits - what a queue holds
 * @max_msgsize: largest message in bytes
 * @max_msgs:	messages
 * @capacity:	payload bytes
 */
struct kipc_queue_limits {
	u32 max_msgsize;
	u32 max_msgs;
	u64 capacity;
};

/* Also for links (link.c), whose per-direction limits are a queue's. */
int kipc_queue_limits_check(const struct kipc_queue_limits *lim,
			    const struct kipc_queue_limits *max);
void kipc_queue_limits_default(struct kipc_queue_limits *lim,
			       const struct kipc_queue_limits *def);
void kipc_queue_limits_max(struct kipc_queue_limits *max);
void kipc_queue_limits_def(struct kipc_queue_limits *def);

/* Session ioctls (main.c dispatches, @arg is the user pointer). */
struct kipc_create;
struct kipc_object;

long kipc_ioctl_queue_open(void __user *arg);
struct kipc_object *kipc_queue_create(struct kipc_create *c, bool mailbox);
long kipc_ioctl_mailbox_open(void __user *arg);

#if IS_ENABLED(CONFIG_KUNIT)
int kipc_queue_open_flags_check(u32 flags, bool mailbox);
#endif

#endif /* KIPC_QUEUE_H */
