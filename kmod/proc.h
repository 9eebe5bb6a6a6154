/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc processes: what kipc keeps per process (a bound session, objects
 * that die with the process) and the notice of the process's exit.
 */
#ifndef KIPC_PROC_H
#define KIPC_PROC_H

#include <linux/list.h>
#include <linux/types.h>

struct pid;
struct kipc_proc;

/**
 * struct kipc_proc_hook - something that must end when a process exits
 * @node:	link in the process's hooks (protected by kipc_proc_lock)
 * @proc:	the process (holds a reference), NULL when not hooked
 * @exited:	called once, from a workqueue, without kipc locks held, when
 *		the process has exited; the hook is already detached.
 *
 * The owner of a hook keeps what contains it alive until either
 * kipc_proc_unhook() returned true or @exited was called (typically the
 * hook holds a reference that whichever of the two happens drops).
 */
struct kipc_proc_hook {
	struct list_head node;
	struct kipc_proc *proc;
	void (*exited)(struct kipc_proc_hook *hook);
};

int kipc_proc_hook_current(struct kipc_proc_hook *hook,
			   void (*exited)(struct kipc_proc_hook *hook));
bool kipc_proc_unhook(struct kipc_proc_hook *hook);
void kipc_proc_flush(void);
bool kipc_proc_exited(struct pid *pid);

int kipc_proc_init(void);
void kipc_proc_exit(void);

#endif /* KIPC_PROC_H */
