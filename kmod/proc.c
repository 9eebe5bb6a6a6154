// SPDX-License-Identifier: GPL-2.0
/*
 * kipc processes: knowing when a process exits.
 *
 * Some kipc state lives as long as a process: a bound session, a mailbox
 * owned by its creator.  Closing files is not enough to end it, since a
 * forked child can keep a file open after its parent is gone.  So kipc
 * watches the process itself, the way pidfd poll does: an entry on the
 * thread group's struct pid wait_pidfd queue, which the kernel wakes once
 * the whole thread group has exited (never for a single thread).
 *
 * One struct kipc_proc per watched process carries the hooks to run at its
 * exit.  Its watch entry's wake function runs in atomic context (under
 * tasklist_lock), so it only queues the process's work item, and at most
 * once (KIPC_PROC_QUEUED).  The work item either runs the hooks (the
 * process exited) or, when the last hook went away while the process
 * lives, takes the watch down and frees the record.
 */
#include <linux/hashtable.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/rcupdate.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "proc.h"

/**
 * DOC: process locking
 *
 * kipc_proc_lock (a mutex) guards the process hash and every record's
 * @hooks, @exited and the hooks' @proc.  Hooks are added and removed with
 * it held, possibly inside kipc_reg_lock (it nests inside kipc_reg_lock);
 * the exited() callbacks run without it.  Nothing here waits for a work
 * item while holding a lock: the work item frees its own record.
 */
static DEFINE_MUTEX(kipc_proc_lock);
/* thread-group struct pid -> struct kipc_proc (kipc_proc_lock) */
static DEFINE_HASHTABLE(kipc_procs, 6);
static struct workqueue_struct *kipc_proc_wq;

enum {
	KIPC_PROC_QUEUED,	/* the work item was queued (and not re-armed) */
};

/**
 * struct kipc_proc - a watched process
 * @node:	link in kipc_procs (kipc_proc_lock)
 * @pid:	its thread group (holds a reference; invariant)
 * @hooks:	struct kipc_proc_hook to run at exit (kipc_proc_lock)
 * @exited:	the hooks ran or the record is going (kipc_proc_lock)
 * @flags:	KIPC_PROC_QUEUED (atomic bit operations)
 * @watch:	entry on @pid->wait_pidfd
 * @work:	runs the hooks, or frees the record
 */
struct kipc_proc {
	struct hlist_node node;
	struct pid *pid;
	struct list_head hooks;
	bool exited;
	unsigned long flags;
	struct wait_queue_entry watch;
	struct work_struct work;
};

/**
 * kipc_proc_exited() - has the thread group @pid exited?
 * @pid:	a thread group's struct pid
 *
 * As pidfd_poll(): the group leader is gone, or a zombie with no threads.
 * True as soon as the group has exited, possibly before its hooks ran
 * (kipc_proc_flush() runs them).
 */
bool kipc_proc_exited(struct pid *pid)
{
	struct task_struct *task;
	bool exited;

	rcu_read_lock();
	task = pid_task(pid, PIDTYPE_TGID);
	exited = !task ||
		 (READ_ONCE(task->exit_state) && !delay_group_leader(task));
	rcu_read_unlock();
	return exited;
}

static void kipc_proc_queue(struct kipc_proc *proc)
{
	if (!test_and_set_bit(KIPC_PROC_QUEUED, &proc->flags))
		queue_work(kipc_proc_wq, &proc->work);
}

/* Wake function of @watch: atomic context, @pid->wait_pidfd.lock held. */
static int kipc_proc_wake(struct wait_queue_entry *watch, unsigned int mode,
			  int sync, void *key)
{
	kipc_proc_queue(container_of(watch, struct kipc_proc, watch));
	return 0;
}

static void kipc_proc_free(struct kipc_proc *proc)
{
	remove_wait_queue(&proc->pid->wait_pidfd, &proc->watch);
	/*
	 * No wake function runs any more, and KIPC_PROC_QUEUED is set, so
	 * the work item (the caller) is not queued again: it may free itself.
	 */
	put_pid(proc->pid);
	kfree(proc);
}

static void kipc_proc_work(struct work_struct *work)
{
	struct kipc_proc *proc = container_of(work, struct kipc_proc, work);
	struct kipc_proc_hook *hook;

	mutex_lock(&kipc_proc_lock);
	if (!kipc_proc_exited(proc->pid)) {
		if (!list_empty(&proc->hooks)) {
			/* woken early, or a hook came back: watch again */
			clear_bit(KIPC_PROC_QUEUED, &proc->flags);
			/*
			 * Order the clear before the exit check below: an exit
			 * whose wake saw the bit still set is seen there.
			 */
			smp_mb__after_atomic();
			mutex_unlock(&kipc_proc_lock);
			if (kipc_proc_exited(proc->pid))
				kipc_proc_queue(proc);
			return;
		}
		/* the last hook went: stop watching */
		hash_del(&proc->node);
		proc->exited = true;
		mutex_unlock(&kipc_proc_lock);
		kipc_proc_free(proc);
		return;
	}

	hash_del(&proc->node);
	proc->exited = true;
	while (!list_empty(&proc->hooks)) {
		hook = list_first_entry(&proc->hooks, struct kipc_proc_hook,
					node);
		list_del_init(&hook->node);
		hook->proc = NULL;
		mutex_unlock(&kipc_proc_lock);
		hook->exited(hook);
		mutex_lock(&kipc_proc_lock);
	}
	mutex_unlock(&kipc_proc_lock);
	kipc_proc_free(proc);
}

static struct kipc_proc *kipc_proc_find_locked(struct pid *pid)
{
	struct kipc_proc *proc;

	lockdep_assert_held(&kipc_proc_lock);
	hash_for_each_possible(kipc_procs, proc, node, (unsigned long)pid)
		if (proc->pid == pid)
			return proc;
	return NULL;
}

static struct kipc_proc *kipc_proc_new_locked(struct pid *pid)
{
	struct kipc_proc *proc;

	lockdep_assert_held(&kipc_proc_lock);
	proc = kzalloc(sizeof(*proc), GFP_KERNEL_ACCOUNT);
	if (!proc)
		return NULL;
	proc->pid = get_pid(pid);
	INIT_LIST_HEAD(&proc->hooks);
	INIT_WORK(&proc->work, kipc_proc_work);
	init_waitqueue_func_entry(&proc->watch, kipc_proc_wake);
	hash_add(kipc_procs, &proc->node, (unsigned long)pid);
	add_wait_queue(&pid->wait_pidfd, &proc->watch);
	return proc;
}

/**
 * kipc_proc_hook_current() - run @exited when the calling process exits
 * @hook:	the hook, not hooked
 * @exited:	what to run; see struct kipc_proc_hook
 *
 * Context: process context; may hold kipc_reg_lock.
 * Return: 0 or -ENOMEM.
 */
int kipc_proc_hook_current(struct kipc_proc_hook *hook,
			   void (*exited)(struct kipc_proc_hook *hook))
{
	struct pid *pid = task_tgid(current);
	struct kipc_proc *proc;

	mutex_lock(&kipc_proc_lock);
	proc = kipc_proc_find_locked(pid);
	if (!proc)
		proc = kipc_proc_new_locked(pid);
	if (!proc) {
		mutex_unlock(&kipc_proc_lock);
		return -ENOMEM;
	}
	hook->exited = exited;
	hook->proc = proc;
	list_add_tail(&hook->node, &proc->hooks);
	mutex_unlock(&kipc_proc_lock);
	/*
	 * The caller runs in the process, so its group cannot have exited
	 * before the watch was on the queue: the wake is not missed.
	 */
	return 0;
}

/**
 * kipc_proc_unhook() - take @hook off before its process exits
 * @hook:	a hook given to kipc_proc_hook_current()
 *
 * Context: process context; may hold kipc_reg_lock.
 * Return: true if @hook was taken off (exited() will not run), false if
 * exited() has run or is running.
 */
bool kipc_proc_unhook(struct kipc_proc_hook *hook)
{
	struct kipc_proc *proc;

	mutex_lock(&kipc_proc_lock);
	proc = hook->proc;
	if (!proc) {
		mutex_unlock(&kipc_proc_lock);
		return false;
	}
	list_del_init(&hook->node);
	hook->proc = NULL;
	if (list_empty(&proc->hooks))
		kipc_proc_queue(proc);	/* frees the record, or runs the exit */
	mutex_unlock(&kipc_proc_lock);
	return true;
}

/* Let every exit noticed so far run its hooks.  Context: no kipc lock held. */
void kipc_proc_flush(void)
{
	flush_workqueue(kipc_proc_wq);
}

int kipc_proc_init(void)
{
	kipc_proc_wq = alloc_workqueue("kipc_proc", 0, 0);
	return kipc_proc_wq ? 0 : -ENOMEM;
}

/* At module exit, after every object and session is gone. */
void kipc_proc_exit(void)
{
	destroy_workqueue(kipc_proc_wq);	/* runs what is queued */
	WARN_ON(!hash_empty(kipc_procs));
}
