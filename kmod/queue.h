/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KIPC_QUEUE_H
#define KIPC_QUEUE_H

#include <linux/fs.h>

/* Module parameters (main.c), read once per use with READ_ONCE(). */
extern unsigned int kipc_msgsize_max;
extern unsigned int kipc_msgsize_default;
extern unsigned long kipc_capacity_max;
extern unsigned long kipc_capacity_default;
extern unsigned int kipc_msgs_max;
extern unsigned int kipc_msgs_default;
extern unsigned int kipc_queues_per_user;

/* Session ioctls (main.c dispatches, @arg is the user pointer). */
long kipc_ioctl_queue_open(void __user *arg);
long kipc_ioctl_queue_remove(void __user *arg);

#endif /* KIPC_QUEUE_H */
