/* SPDX-License-Identifier: GPL-2.0 */
#ifndef KIPC_LINK_H
#define KIPC_LINK_H

#include <linux/fs.h>
#include <linux/poll.h>
#include <linux/types.h>

/* Module parameter (main.c): links one bound session may have. */
extern unsigned int kipc_links_max;

/*
 * Session fd operations (main.c dispatches them and counts their errnos;
 * @arg is the user pointer).
 */
long kipc_session_bind(struct file *file, void __user *arg);
long kipc_session_connect(struct file *file, void __user *arg);
long kipc_session_link_ioctl(struct file *file, unsigned int cmd,
			     void __user *arg);
__poll_t kipc_session_poll(struct file *file, poll_table *pt);
void kipc_session_release(struct file *file);

#endif /* KIPC_LINK_H */
