// SPDX-License-Identifier: GPL-2.0
/*
 * kipc - interprocess communication through /dev/kipc
 *
 * The misc device gives sessions; session ioctls create and open objects,
 * each opening a file of its own (see object.c).  Limits are module
 * parameters, writable at run time by root and read where they apply.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/sizes.h>
#include <linux/uaccess.h>
#include <linux/kipc.h>

#include "link.h"
#include "netlink.h"
#include "object.h"
#include "pipe.h"
#include "proc.h"
#include "queue.h"
#include "shm.h"
#include "stats.h"

unsigned int kipc_msgsize_max = SZ_1M;
module_param_named(msgsize_max, kipc_msgsize_max, uint, 0644);
MODULE_PARM_DESC(msgsize_max, "Largest max_msgsize a queue may have (bytes)");

unsigned int kipc_msgsize_default = 8192;
module_param_named(msgsize_default, kipc_msgsize_default, uint, 0644);
MODULE_PARM_DESC(msgsize_default, "max_msgsize of a new queue when not given");

unsigned long kipc_capacity_max = SZ_64M;
module_param_named(capacity_max, kipc_capacity_max, ulong, 0644);
MODULE_PARM_DESC(capacity_max, "Largest capacity a queue may have (bytes)");

unsigned long kipc_capacity_default = SZ_64K;
module_param_named(capacity_default, kipc_capacity_default, ulong, 0644);
MODULE_PARM_DESC(capacity_default, "Capacity of a new queue when not given");

unsigned int kipc_msgs_max = 65536;
module_param_named(msgs_max, kipc_msgs_max, uint, 0644);
MODULE_PARM_DESC(msgs_max, "Largest max_msgs a queue may have");

unsigned int kipc_msgs_default = 1024;
module_param_named(msgs_default, kipc_msgs_default, uint, 0644);
MODULE_PARM_DESC(msgs_default, "max_msgs of a new queue when not given");

unsigned int kipc_queues_per_user = 1024;
module_param_named(queues_per_user, kipc_queues_per_user, uint, 0644);
MODULE_PARM_DESC(queues_per_user, "Queues one user may have created");

unsigned long kipc_bytes_per_user = SZ_256M;
module_param_named(bytes_per_user, kipc_bytes_per_user, ulong, 0644);
MODULE_PARM_DESC(bytes_per_user,
		 "Sum of the capacities of the queues one user created (bytes)");

unsigned int kipc_links_max = 1024;
module_param_named(links_max, kipc_links_max, uint, 0644);
MODULE_PARM_DESC(links_max, "Direct links one bound session may have");

unsigned int kipc_pipes_per_user = 1024;
module_param_named(pipes_per_user, kipc_pipes_per_user, uint, 0644);
MODULE_PARM_DESC(pipes_per_user, "Pipes one user may have created");

unsigned int kipc_pipe_size_max = SZ_1M;
module_param_named(pipe_size_max, kipc_pipe_size_max, uint, 0644);
MODULE_PARM_DESC(pipe_size_max, "Largest capacity a pipe may have (bytes)");

unsigned int kipc_pipe_size_default = SZ_64K;
module_param_named(pipe_size_default, kipc_pipe_size_default, uint, 0644);
MODULE_PARM_DESC(pipe_size_default, "Capacity of a new pipe when not given");

unsigned int kipc_shm_per_user = 256;
module_param_named(shm_per_user, kipc_shm_per_user, uint, 0644);
MODULE_PARM_DESC(shm_per_user, "Shared memory regions one user may have created");

unsigned long kipc_shm_size_max = SZ_64M;
module_param_named(shm_size_max, kipc_shm_size_max, ulong, 0644);
MODULE_PARM_DESC(shm_size_max, "Largest shared memory region (bytes)");

unsigned int kipc_shm_locks_max = 1024;
module_param_named(shm_locks_max, kipc_shm_locks_max, uint, 0644);
MODULE_PARM_DESC(shm_locks_max, "Locks one shared memory region may register");

static_assert(sizeof(struct kipc_version) == KIPC_VERSION_SIZE_VER0);

static long kipc_ioctl_version(void __user *arg)
{
	struct kipc_version v = {
		.size		= sizeof(v),
		.major		= KIPC_VERSION_MAJOR,
		.minor		= KIPC_VERSION_MINOR,
		.features	= KIPC_FEAT_QUEUE | KIPC_FEAT_QUEUE_RW |
				  KIPC_FEAT_MAILBOX | KIPC_FEAT_LINK |
				  KIPC_FEAT_PIPE | KIPC_FEAT_SHM |
				  KIPC_FEAT_GENL,
	};

	return kipc_copy_args_to_user(arg, &v, sizeof(v),
				      KIPC_VERSION_SIZE_VER0);
}

static long kipc_session_do_ioctl(struct file *file, unsigned int cmd,
				  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (KIPC_IOC_BASE(cmd)) {
	case KIPC_IOC_BASE(KIPC_IOC_VERSION):
		return kipc_ioctl_version(uarg);
	case KIPC_IOC_BASE(KIPC_IOC_QUEUE_OPEN):
		return kipc_ioctl_queue_open(uarg);
	case KIPC_IOC_BASE(KIPC_IOC_QUEUE_REMOVE):
		return kipc_ioctl_remove(uarg, KIPC_OBJ_QUEUE);
	case KIPC_IOC_BASE(KIPC_IOC_MAILBOX_OPEN):
		return kipc_ioctl_mailbox_open(uarg);
	case KIPC_IOC_BASE(KIPC_IOC_MAILBOX_REMOVE):
		return kipc_ioctl_remove(uarg, KIPC_OBJ_MAILBOX);
	case KIPC_IOC_BASE(KIPC_IOC_PIPE_OPEN):
		return kipc_ioctl_pipe_open(uarg);
	case KIPC_IOC_BASE(KIPC_IOC_PIPE_REMOVE):
		return kipc_ioctl_remove(uarg, KIPC_OBJ_PIPE);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_OPEN):
		return kipc_ioctl_shm_open(uarg);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_REMOVE):
		return kipc_ioctl_remove(uarg, KIPC_OBJ_SHM);
	case KIPC_IOC_BASE(KIPC_IOC_BIND):
		return kipc_session_bind(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_CONNECT):
		return kipc_session_connect(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_LINK_SEND):
	case KIPC_IOC_BASE(KIPC_IOC_LINK_RECV):
	case KIPC_IOC_BASE(KIPC_IOC_LINK_CALL):
	case KIPC_IOC_BASE(KIPC_IOC_LINK_REPLY):
		return kipc_session_link_ioctl(file, cmd, uarg);
	}
	return -ENOTTY;
}

static long kipc_session_ioctl(struct file *file, unsigned int cmd,
			       unsigned long arg)
{
	return kipc_stats_ret(kipc_session_do_ioctl(file, cmd, arg));
}

/* misc_open() left the miscdevice in private_data: a session starts unbound. */
static int kipc_session_open(struct inode *inode, struct file *file)
{
	file->private_data = NULL;
	return nonseekable_open(inode, file);
}

static int kipc_session_file_release(struct inode *inode, struct file *file)
{
	kipc_session_release(file);
	return 0;
}

static const struct file_operations kipc_session_fops = {
	.owner		= THIS_MODULE,
	.open		= kipc_session_open,
	.unlocked_ioctl	= kipc_session_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.poll		= kipc_session_poll,
	.release	= kipc_session_file_release,
	.llseek		= noop_llseek,
};

static struct miscdevice kipc_misc = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "kipc",
	.fops	= &kipc_session_fops,
	.mode	= 0666,
};

/*
 * The statistics come first and go last: everything counts.  The family is
 * registered before the device, so that the first object's event has a
 * family to go to, and unregistered after it and before the objects go
 * (their unlinks at exit send no event).
 */
static int __init kipc_init(void)
{
	int ret;

	ret = kipc_stats_init();
	if (ret)
		return ret;
	ret = kipc_proc_init();
	if (ret)
		goto out_stats;
	ret = kipc_nl_init();
	if (ret)
		goto out_proc;
	ret = misc_register(&kipc_misc);
	if (ret)
		goto out_nl;
	return 0;

out_nl:
	kipc_nl_exit();
out_proc:
	kipc_proc_exit();
out_stats:
	kipc_stats_exit();
	return ret;
}

static void __exit kipc_exit(void)
{
	misc_deregister(&kipc_misc);
	kipc_nl_exit();
	kipc_object_remove_all();
	kipc_proc_exit();
	kipc_stats_exit();
}

module_init(kipc_init);
module_exit(kipc_exit);

MODULE_DESCRIPTION("kipc: message queues and other IPC through /dev/kipc");
MODULE_AUTHOR("The kipc developers");
MODULE_LICENSE("GPL");
