// SPDX-License-Identifier: GPL-2.0
/*
 * kipc shared memory regions.
 *
 * A region is a kipc object holding a shmem file of a fixed size.  Its fd is
 * mmap()ed MAP_SHARED; the mmap handler swaps the VMA's file for the shmem
 * file (as dma-buf exporters and ipc/shm.c do), so a mapping references the
 * memory, never the kipc object or this module: a mapping outlives the
 * region's fds, its name and the module itself, like the mapping of an
 * unlinked tmpfs file.  Futexes work on it because it is plain shmem.
 *
 * On top of the memory, two kernel services that need no mapping in the
 * kernel, only the shmem page cache:
 *
 * - wait/wake on a 32-bit word (futex-like, keyed by the word's offset in
 *   the region, so it works whatever address each process mapped it at);
 * - robust locks: words registered with KIPC_IOC_SHM_LOCK_INIT, taken in
 *   user space with a compare-and-swap of a holder id (KIPC_IOC_SHM_ATTACH
 *   gives each process its id).  When an attached process exits, every
 *   registered word it holds is set to "free, owner died" and its waiters
 *   are woken; so are the waiters of any registered word that no longer
 *   has the value they sleep on (the process may have died between
 *   changing a word and waking its waiters).
 */
#include <linux/anon_inodes.h>
#include <linux/cred.h>
#include <linux/file.h>
#include <linux/hash.h>
#include <linux/highmem.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pagemap.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/shmem_fs.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <linux/user_namespace.h>
#include <linux/xarray.h>
#include <net/netlink.h>
#include <kunit/visibility.h>
#include <linux/kipc.h>

#include "netlink.h"
#include "object.h"
#include "proc.h"
#include "shm.h"

/**
 * DOC: shared memory locking
 *
 * Each bucket's @lock (a spinlock) guards its list of waiters and their
 * @woken flags.  A wait reads the word and queues itself under the bucket
 * lock; a wake takes the same lock: that is the whole wait/wake ordering
 * argument (see kipc_shm_wait_word()).  Bucket locks are innermost: nothing is
 * taken inside them, they are never held across a user copy, an allocation
 * or a sleep, and two of them never nest.  The word itself is read through
 * a kmap of the shmem page, never through user memory, so no mmap_lock or
 * page fault happens under them.
 *
 * shm->lock (a mutex) guards @holders, @nr_holders, @holder_ids (the IDA
 * has its own lock; the mutex makes "look up, else allocate" atomic),
 * @nr_locks, insertions into @locks and @closed.  It nests outside
 * kipc_proc_lock (attach hooks the caller's exit, dropping holders unhooks)
 * and is never held together with kipc_reg_lock or a bucket lock.
 *
 * The netlink family's nl_fill() takes shm->lock alone, briefly, to read
 * @nr_holders and @nr_locks.
 *
 * kipc_reg_lock guards the object head (owner, mode, @linked, @nr_files)
 * and @change_time.  mmap_lock (held around ->mmap) takes none of ours: the
 * mmap handler reads only invariant fields.
 *
 * Wait and wake take no global lock, only the bucket's.  The exit of a
 * holder runs from kmod/proc.c's workqueue with no kipc lock held; it walks
 * @locks without shm->lock (the xarray is RCU-safe and entries are never
 * erased before the region is freed).
 */

/**
 * DOC: holder records
 *
 * A holder record ties a process to a region: its holder id, a hook on
 * the process's exit and a reference to the region.  The reference keeps
 * the region alive until the record goes, which is either
 *
 * - at the process's exit: exited() (workqueue, no locks) releases the
 *   locks the process held, then frees the id, the record and its
 *   reference: the id is not reused before the locks are released;
 * - or when the region can no longer be used: unlinked (removed by name,
 *   anonymous and without fds, or module unload) and without open fds.
 *   Nobody can open it again, and attach, wait and wake need an fd, so no
 *   record can appear and no lock can be taken through the kernel; the
 *   records are unhooked and freed (kipc_shm_drop_holders()).  This is
 *   checked wherever one of the two conditions becomes true (unlinked()
 *   and the file release), and may run twice: the second finds nothing.
 *   At module unload every object is unlinked with no fd open, so no hook
 *   survives rmmod.
 *
 * A record whose exited() already started is left to exited().
 */

/**
 * struct kipc_shm_bucket - waiters on the words that hash here
 * @lock:	see "shared memory locking"
 * @waiters:	struct kipc_shm_waiter, oldest first (protected by @lock)
 */
struct kipc_shm_bucket {
	spinlock_t lock;
	struct list_head waiters;
};

/**
 * struct kipc_shm - a shared memory region
 * @obj:	the common object head
 * @shmem:	the memory (holds a file reference; invariant)
 * @size:	size in bytes (invariant)
 * @buckets:	waiters, hashed by word offset
 * @nr_waiters:	tasks sleeping in KIPC_IOC_SHM_WAIT (atomic)
 * @lock:	see "shared memory locking"
 * @holders:	struct kipc_shm_holder (protected by @lock)
 * @nr_holders:	holder records (protected by @lock)
 * @holder_ids:	holder ids in use, 1 to KIPC_LOCK_HOLDER_MASK - 1
 * @locks:	registered lock words, by offset / 4 (insertions under @lock)
 * @nr_locks:	entries in @locks (protected by @lock)
 * @closed:	unlinked and without fds: no record may appear (@lock)
 * @change_time: CLOCK_REALTIME ns of the last KIPC_IOC_SHM_SET
 *		(protected by kipc_reg_lock)
 */
struct kipc_shm {
	struct kipc_object obj;
	struct file *shmem;
	u64 size;
	struct kipc_shm_bucket buckets[KIPC_SHM_BUCKETS];
	atomic_t nr_waiters;
	struct mutex lock;
	struct list_head holders;
	unsigned int nr_holders;
	struct ida holder_ids;
	struct xarray locks;
	unsigned int nr_locks;
	bool closed;
	u64 change_time;
};

/**
 * struct kipc_shm_waiter - a task in KIPC_IOC_SHM_WAIT (on its stack)
 * @node:	link in its bucket's @waiters (protected by the bucket lock)
 * @offset:	the word
 * @expected:	the value it sleeps on
 * @task:	the sleeping task
 * @woken:	taken off the list by a wake (protected by the bucket lock)
 */
struct kipc_shm_waiter {
	struct list_head node;
	u64 offset;
	u32 expected;
	struct task_struct *task;
	bool woken;
};

/**
 * struct kipc_shm_holder - a process attached to a region for its locks
 * @node:	link in the region's @holders (protected by its @lock); empty
 *		once the record is being dropped
 * @shm:	the region (holds a reference)
 * @pid:	the process's thread group (holds a reference; invariant)
 * @id:		its holder id (invariant)
 * @hook:	notice of the process's exit
 */
struct kipc_shm_holder {
	struct list_head node;
	struct kipc_shm *shm;
	struct pid *pid;
	u32 id;
	struct kipc_proc_hook hook;
};

static_assert(sizeof(struct kipc_shm_open) == KIPC_SHM_OPEN_SIZE_VER0);
static_assert(sizeof(struct kipc_shm_stat) == KIPC_SHM_STAT_SIZE_VER0);
static_assert(sizeof(struct kipc_shm_set) == KIPC_SHM_SET_SIZE_VER0);
static_assert(sizeof(struct kipc_shm_wait) == KIPC_SHM_WAIT_SIZE_VER0);
static_assert(sizeof(struct kipc_shm_wake) == KIPC_SHM_WAKE_SIZE_VER0);
static_assert(sizeof(struct kipc_shm_lock) == KIPC_SHM_LOCK_SIZE_VER0);

#define KIPC_SHM_SET_ALL	(KIPC_SET_MODE | KIPC_SET_UID | KIPC_SET_GID)

static const struct file_operations kipc_shm_fops;

static struct kipc_shm *kipc_shm_of(struct kipc_object *obj)
{
	return container_of(obj, struct kipc_shm, obj);
}

/* The region of a complete region file (private_data is its object). */
static struct kipc_shm *kipc_shm_file(struct file *file)
{
	return kipc_shm_of(file->private_data);
}

/**
 * kipc_shm_open_flags_check() - are @flags valid region open flags?
 * @flags:	KIPC_O_*
 *
 * Return: 0, or -EINVAL for an unknown bit or neither KIPC_O_READ nor
 * KIPC_O_WRITE.
 */
VISIBLE_IF_KUNIT int kipc_shm_open_flags_check(u32 flags)
{
	if (flags & ~KIPC_O_ALL)
		return -EINVAL;
	if (!(flags & (KIPC_O_READ | KIPC_O_WRITE)))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_open_flags_check);

/**
 * kipc_shm_size_check() - may a new region have @size bytes?
 * @size:	requested size
 * @max:	the module's shm_size_max
 *
 * Return: 0, or -EINVAL for 0 or over @max.
 */
VISIBLE_IF_KUNIT int kipc_shm_size_check(u64 size, u64 max)
{
	return size && size <= max ? 0 : -EINVAL;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_size_check);

/**
 * kipc_shm_offset_check() - is @offset a word of a region of @size bytes?
 * @offset:	byte offset
 * @size:	the region's size
 *
 * Return: 0, or -EINVAL when @offset is not 4-byte aligned or the word
 * does not lie wholly inside the region.
 */
VISIBLE_IF_KUNIT int kipc_shm_offset_check(u64 offset, u64 size)
{
	if (offset & 3)
		return -EINVAL;
	if (size < sizeof(u32) || offset > size - sizeof(u32))
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_offset_check);

/**
 * kipc_shm_bucket_index() - the wait bucket of the word at @offset
 * @offset:	a checked word offset
 *
 * Return: 0 to KIPC_SHM_BUCKETS - 1, the same for the same offset.
 */
VISIBLE_IF_KUNIT unsigned int kipc_shm_bucket_index(u64 offset)
{
	return hash_64(offset >> 2, KIPC_SHM_BUCKET_BITS);
}
EXPORT_SYMBOL_IF_KUNIT(kipc_shm_bucket_index);

/**
 * kipc_lock_word_dead() - a lock word once holder @holder died
 * @word:	the lock word
 * @holder:	the dead holder's id
 *
 * A word that @holder holds becomes free with KIPC_LOCK_OWNER_DIED
 * (waiters kept); any other word is unchanged.
 *
 * Return: the new word.
 */
VISIBLE_IF_KUNIT u32 kipc_lock_word_dead(u32 word, u32 holder)
{
	if ((word & KIPC_LOCK_HOLDER_MASK) != holder)
		return word;
	return (word & KIPC_LOCK_WAITERS) | KIPC_LOCK_OWNER_DIED;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_lock_word_dead);

static struct kipc_shm_bucket *kipc_shm_bucket(struct kipc_shm *shm,
					       u64 offset)
{
	return &shm->buckets[kipc_shm_bucket_index(offset)];
}

/*
 * shmem reports a failed inode or page allocation as -ENOSPC (a full
 * tmpfs); our regions live on the kernel's internal, unlimited shmem
 * mount, so it means no memory, and -ENOSPC has other meanings here.
 */
static long kipc_shm_errno(long err)
{
	return err == -ENOSPC ? -ENOMEM : err;
}

/* The page of the word at @offset, with a reference (may allocate). */
static struct page *kipc_shm_page(struct kipc_shm *shm, u64 offset)
{
	struct page *page;

	page = shmem_read_mapping_page(shm->shmem->f_mapping,
				       offset >> PAGE_SHIFT);
	if (IS_ERR(page))
		return ERR_PTR(kipc_shm_errno(PTR_ERR(page)));
	return page;
}

/* Take @w off its bucket and wake it.  Context: its bucket lock held. */
static void kipc_shm_wake_waiter(struct kipc_shm_waiter *w)
{
	list_del_init(&w->node);
	WRITE_ONCE(w->woken, true);
	/*
	 * Under the lock: the waiter takes it before returning, so its task
	 * and its stack outlive this call.
	 */
	wake_up_process(w->task);
}

/* Wake up to @count waiters on @offset, oldest first; how many. */
static unsigned int kipc_shm_wake_word(struct kipc_shm *shm, u64 offset,
					 u32 count)
{
	struct kipc_shm_bucket *b = kipc_shm_bucket(shm, offset);
	struct kipc_shm_waiter *w, *next;
	unsigned int n = 0;

	spin_lock(&b->lock);
	list_for_each_entry_safe(w, next, &b->waiters, node) {
		if (n == count)
			break;
		if (w->offset != offset)
			continue;
		kipc_shm_wake_waiter(w);
		n++;
	}
	spin_unlock(&b->lock);
	return n;
}

/*
 * Wake the waiters on @offset (in @page) that sleep on a value the word no
 * longer has.  Whoever changed it should have woken them; a process killed
 * between the change and its wake did not.  The word is read under the
 * bucket lock, as a wait reads it, so a waiter queued after a change has
 * seen it.
 */
static void kipc_shm_wake_stale(struct kipc_shm *shm, u64 offset,
				struct page *page)
{
	struct kipc_shm_bucket *b = kipc_shm_bucket(shm, offset);
	struct kipc_shm_waiter *w, *next;
	u32 *word, val;

	spin_lock(&b->lock);
	word = kmap_local_page(page);
	val = READ_ONCE(word[offset_in_page(offset) / sizeof(u32)]);
	kunmap_local(word);
	list_for_each_entry_safe(w, next, &b->waiters, node)
		if (w->offset == offset && w->expected != val)
			kipc_shm_wake_waiter(w);
	spin_unlock(&b->lock);
}

/**
 * kipc_shm_wait_word() - sleep while the word at @offset equals @expected
 * @shm:	the region
 * @offset:	a checked word offset
 * @expected:	the value to sleep on
 * @has_deadline: @deadline is valid
 * @deadline:	absolute CLOCK_MONOTONIC time to give up
 *
 * The word is read and the waiter queued under the bucket lock.  A waker
 * changes the word (in user space) before it calls KIPC_IOC_SHM_WAKE,
 * which takes the same bucket lock: so either this wait read the new
 * value (-EAGAIN), or it was on the list when the wake looked.
 *
 * Return: 0 (woken), -EAGAIN, -ETIMEDOUT, -ERESTARTSYS (restarting is
 * safe: the deadline is absolute and the word is read again), or the
 * error of reading the page (-ENOMEM).
 */
static int kipc_shm_wait_word(struct kipc_shm *shm, u64 offset, u32 expected,
			      bool has_deadline, ktime_t deadline)
{
	struct kipc_shm_bucket *b = kipc_shm_bucket(shm, offset);
	struct kipc_shm_waiter w = {
		.offset		= offset,
		.expected	= expected,
		.task		= current,
	};
	struct page *page;
	u32 *word, val;
	int ret;

	page = kipc_shm_page(shm, offset);
	if (IS_ERR(page))
		return PTR_ERR(page);

	spin_lock(&b->lock);
	word = kmap_local_page(page);
	val = READ_ONCE(word[offset_in_page(offset) / sizeof(u32)]);
	kunmap_local(word);
	if (val != expected) {
		spin_unlock(&b->lock);
		put_page(page);
		return -EAGAIN;
	}
	list_add_tail(&w.node, &b->waiters);
	atomic_inc(&shm->nr_waiters);
	for (;;) {
		ret = 0;
		if (w.woken)
			break;
		ret = -ETIMEDOUT;
		if (has_deadline && ktime_compare(ktime_get(), deadline) >= 0)
			break;
		ret = -ERESTARTSYS;
		if (signal_pending(current))
			break;
		set_current_state(TASK_INTERRUPTIBLE);
		spin_unlock(&b->lock);
		/* the page is not needed while asleep: do not pin it */
		if (page) {
			put_page(page);
			page = NULL;
		}
		if (!READ_ONCE(w.woken)) {
			if (has_deadline)
				schedule_hrtimeout_range(&deadline,
							 current->timer_slack_ns,
							 HRTIMER_MODE_ABS);
			else
				schedule();
		}
		__set_current_state(TASK_RUNNING);
		spin_lock(&b->lock);
	}
	if (!w.woken)
		list_del(&w.node);
	atomic_dec(&shm->nr_waiters);
	spin_unlock(&b->lock);
	if (page)
		put_page(page);
	return ret;
}

/*
 * Holder @id is gone: free every registered lock it holds (KIPC_LOCK_OWNER_DIED)
 * and wake all waiters of each such lock.  On the other registered locks,
 * wake the waiters whose value is stale: the process may have died inside
 * an unlock, after the exchange that freed the word (which clears
 * KIPC_LOCK_WAITERS) and before its wake, or after a wake took it as the
 * one waiter to go on.  Context: may sleep, no lock held.
 */
static void kipc_shm_release_locks(struct kipc_shm *shm, u32 id)
{
	unsigned long index;
	struct page *page;
	u32 *word, old, new, prev;
	u64 offset;
	void *entry;
	bool changed;

	xa_for_each(&shm->locks, index, entry) {
		offset = (u64)index * sizeof(u32);
		page = kipc_shm_page(shm, offset);
		if (IS_ERR(page)) {
			pr_warn_ratelimited("kipc: shm %llu: lock at %llu not released (%ld)\n",
					    shm->obj.id, offset, PTR_ERR(page));
			continue;
		}
		word = kmap_local_page(page);
		word += offset_in_page(offset) / sizeof(u32);
		old = READ_ONCE(*word);
		for (;;) {
			new = kipc_lock_word_dead(old, id);
			if (new == old)
				break;
			prev = cmpxchg(word, old, new);
			if (prev == old)
				break;
			old = prev;	/* changed meanwhile: look again */
		}
		changed = new != old;
		kunmap_local(word);
		if (changed) {
			set_page_dirty(page);
			kipc_shm_wake_word(shm, offset, KIPC_WAKE_ALL);
		} else {
			kipc_shm_wake_stale(shm, offset, page);
		}
		put_page(page);
	}
}

/* Free @h (taken off its hook): its id, its counts and its reference. */
static void kipc_shm_holder_free(struct kipc_shm_holder *h)
{
	struct kipc_shm *shm = h->shm;

	mutex_lock(&shm->lock);
	list_del_init(&h->node);
	shm->nr_holders--;
	ida_free(&shm->holder_ids, h->id);
	mutex_unlock(&shm->lock);
	put_pid(h->pid);
	kfree(h);
	kipc_object_put(&shm->obj);	/* the record's */
}

/* The holder's process exited: release its locks, then forget it. */
static void kipc_shm_holder_exited(struct kipc_proc_hook *hook)
{
	struct kipc_shm_holder *h = container_of(hook, struct kipc_shm_holder,
						 hook);

	kipc_shm_release_locks(h->shm, h->id);
	kipc_shm_holder_free(h);
}

/*
 * The region is unlinked and has no fd (see "holder records"): unhook and
 * free every holder record.  Called with a reference held, so the puts
 * here are not the last.
 */
static void kipc_shm_drop_holders(struct kipc_shm *shm)
{
	struct kipc_shm_holder *h, *next;
	LIST_HEAD(gone);

	mutex_lock(&shm->lock);
	shm->closed = true;
	list_for_each_entry_safe(h, next, &shm->holders, node) {
		list_del_init(&h->node);
		/* else exited() runs, and frees the record */
		if (kipc_proc_unhook(&h->hook))
			list_add_tail(&h->node, &gone);
	}
	mutex_unlock(&shm->lock);
	list_for_each_entry_safe(h, next, &gone, node)
		kipc_shm_holder_free(h);
}

/* Unlinked and without fds?  Then drop the holders. */
static void kipc_shm_check_closed(struct kipc_shm *shm)
{
	bool closed;

	mutex_lock(&kipc_reg_lock);
	closed = !shm->obj.linked && !shm->obj.nr_files;
	mutex_unlock(&kipc_reg_lock);
	if (closed)
		kipc_shm_drop_holders(shm);
}

static void kipc_shm_release(struct kipc_object *obj)
{
	struct kipc_shm *shm = kipc_shm_of(obj);

	WARN_ON_ONCE(!list_empty(&shm->holders));
	xa_destroy(&shm->locks);
	ida_destroy(&shm->holder_ids);
	fput(shm->shmem);
	kipc_object_destroy(obj);
	kfree(shm);
}

/* The registry's reference is still held. */
static void kipc_shm_unlinked(struct kipc_object *obj)
{
	kipc_shm_check_closed(kipc_shm_of(obj));
}

/* kipc_object_ops.nl_fill; shm->lock is never held for long. */
static int kipc_shm_nl_fill(struct kipc_object *obj, struct sk_buff *skb,
			    const struct kipc_nl_ctx *ctx)
{
	struct kipc_shm *shm = kipc_shm_of(obj);
	unsigned int holders, locks;
	u32 flags = 0;

	if (!obj->name)
		flags |= KIPC_STAT_ANONYMOUS;
	if (!READ_ONCE(obj->linked))
		flags |= KIPC_STAT_REMOVED;
	if (mapping_mapped(shm->shmem->f_mapping))
		flags |= KIPC_STAT_MAPPED;
	mutex_lock(&shm->lock);
	holders = shm->nr_holders;
	locks = shm->nr_locks;
	mutex_unlock(&shm->lock);
	if (nla_put_u32(skb, KIPC_A_FLAGS, flags) ||
	    kipc_nl_put_u64(skb, KIPC_A_CAPACITY, shm->size) ||
	    nla_put_u32(skb, KIPC_A_WAITERS, atomic_read(&shm->nr_waiters)) ||
	    nla_put_u32(skb, KIPC_A_HOLDERS, holders) ||
	    nla_put_u32(skb, KIPC_A_LOCKS, locks))
		return -EMSGSIZE;
	return 0;
}

static const struct kipc_object_ops kipc_shm_ops = {
	.type		= KIPC_OBJ_SHM,
	.max_per_user	= &kipc_shm_per_user,
	.release	= kipc_shm_release,
	.unlinked	= kipc_shm_unlinked,
	.nl_fill	= kipc_shm_nl_fill,
};

/* A complete, unlinked region for KIPC_O_CREAT; it takes over @name. */
static struct kipc_shm *kipc_shm_new(const struct kipc_shm_open *args,
				     char *name)
{
	struct kipc_shm *shm;
	unsigned int i;
	int ret;

	if (args->mode & ~0777)
		return ERR_PTR(-EINVAL);
	ret = kipc_shm_size_check(args->region_size,
				  READ_ONCE(kipc_shm_size_max));
	if (ret)
		return ERR_PTR(ret);
	shm = kzalloc(sizeof(*shm), GFP_KERNEL_ACCOUNT);
	if (!shm)
		return ERR_PTR(-ENOMEM);
	/* accounted like SysV shm without SHM_NORESERVE */
	shm->shmem = shmem_file_setup("kipc-shm", args->region_size, 0);
	if (IS_ERR(shm->shmem)) {
		ret = kipc_shm_errno(PTR_ERR(shm->shmem));
		goto out_free;
	}
	shm->size = args->region_size;
	for (i = 0; i < KIPC_SHM_BUCKETS; i++) {
		spin_lock_init(&shm->buckets[i].lock);
		INIT_LIST_HEAD(&shm->buckets[i].waiters);
	}
	atomic_set(&shm->nr_waiters, 0);
	mutex_init(&shm->lock);
	INIT_LIST_HEAD(&shm->holders);
	ida_init(&shm->holder_ids);
	xa_init(&shm->locks);
	ret = kipc_object_init(&shm->obj, &kipc_shm_ops, name, args->mode);
	if (ret)
		goto out_fput;
	return shm;

out_fput:
	fput(shm->shmem);
out_free:
	kfree(shm);
	return ERR_PTR(ret);
}

/**
 * kipc_shm_create() - KIPC_CMD_OBJ_NEW of a shm region
 * @c:		name, mode and size (@capacity); the name is consumed
 *
 * What KIPC_IOC_SHM_OPEN with KIPC_O_CREAT | KIPC_O_EXCL does, without a
 * file: the registry keeps the region until it is removed.
 *
 * Return: the new object with a reference, or ERR_PTR() of the open
 * ioctl's errors.
 */
struct kipc_object *kipc_shm_create(struct kipc_create *c)
{
	struct kipc_shm_open args = {
		.mode		= c->mode,
		.region_size	= c->capacity,
	};
	struct kipc_open_req req = {
		.type		= KIPC_OBJ_SHM,
		.flags		= KIPC_O_CREAT | KIPC_O_EXCL,
		.name		= c->name,
		.no_file	= true,
	};
	struct kipc_shm *shm;

	shm = kipc_shm_new(&args, c->name);
	if (IS_ERR(shm)) {
		kfree(c->name);
		return ERR_CAST(shm);
	}
	req.new = &shm->obj;
	req.charge = PAGE_ALIGN(shm->size);
	return kipc_object_create(&req);
}

long kipc_ioctl_shm_open(void __user *arg)
{
	struct kipc_shm_open __user *uarg = arg;
	struct kipc_shm_open args;
	struct kipc_open_req req = {
		.type	= KIPC_OBJ_SHM,
		.fops	= &kipc_shm_fops,
		.fname	= "[kipc-shm]",
	};
	struct kipc_shm *shm = NULL;
	char *name = NULL;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_SHM_OPEN_SIZE_VER0, arg);
	if (ret)
		return ret;
	if (kipc_shm_open_flags_check(args.flags) || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	if (args.name_ptr) {
		name = kipc_name_from_user(args.name_ptr);
		if (IS_ERR(name))
			return PTR_ERR(name);
	}
	if (args.flags & KIPC_O_CREAT) {
		shm = kipc_shm_new(&args, name);
		if (IS_ERR(shm)) {
			kfree(name);
			return PTR_ERR(shm);
		}
		req.new = &shm->obj;
		req.charge = PAGE_ALIGN(shm->size);
	}
	req.flags = args.flags;
	req.name = name;
	req.id = args.id;
	ret = kipc_object_open(&req, &uarg->id);
	if (!shm)
		kfree(name);	/* else the region owns it */
	return ret;
}

static long kipc_ioctl_shm_stat(struct file *file, void __user *arg)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct user_namespace *ns = current_user_ns();
	struct kipc_object *obj = &shm->obj;
	struct kipc_shm_stat st;

	memset(&st, 0, sizeof(st));
	st.size = sizeof(st);
	st.id = obj->id;
	st.cuid = from_kuid_munged(ns, obj->cuid);
	st.cgid = from_kgid_munged(ns, obj->cgid);
	st.creator_pid = pid_vnr(obj->creator);
	st.create_time_ns = obj->create_time;
	st.region_size = shm->size;
	if (obj->name)
		strscpy(st.name, obj->name, sizeof(st.name));
	else
		st.flags |= KIPC_STAT_ANONYMOUS;
	if (mapping_mapped(shm->shmem->f_mapping))
		st.flags |= KIPC_STAT_MAPPED;
	st.nr_waiters = atomic_read(&shm->nr_waiters);

	mutex_lock(&kipc_reg_lock);
	st.mode = obj->mode;
	st.uid = from_kuid_munged(ns, obj->uid);
	st.gid = from_kgid_munged(ns, obj->gid);
	if (!obj->linked)
		st.flags |= KIPC_STAT_REMOVED;
	st.change_time_ns = shm->change_time;
	mutex_unlock(&kipc_reg_lock);

	mutex_lock(&shm->lock);
	st.nr_holders = shm->nr_holders;
	st.nr_locks = shm->nr_locks;
	mutex_unlock(&shm->lock);

	return kipc_copy_args_to_user(arg, &st, sizeof(st),
				      KIPC_SHM_STAT_SIZE_VER0);
}

static long kipc_ioctl_shm_set(struct file *file, void __user *arg)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct kipc_object *obj = &shm->obj;
	struct kipc_owner_set owner;
	struct kipc_shm_set args;
	long ret;

	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_SHM_SET_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_SHM_SET_ALL) || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ret = kipc_owner_set_init(&owner, args.flags, args.mode, args.uid,
				  args.gid);
	if (ret)
		return ret;

	mutex_lock(&kipc_reg_lock);
	if (!obj->linked) {
		ret = -EIDRM;
	} else if (!kipc_object_owner_locked(obj)) {
		ret = -EPERM;
	} else {
		kipc_object_set_owner_locked(obj, &owner);
		shm->change_time = ktime_get_real_ns();
	}
	mutex_unlock(&kipc_reg_lock);
	return ret;
}

static long kipc_ioctl_shm_wait(struct file *file, void __user *arg)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct kipc_shm_wait args;
	long ret;

	if (!(file->f_mode & FMODE_READ))
		return -EBADF;
	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_SHM_WAIT_SIZE_VER0, arg);
	if (ret)
		return ret;
	if ((args.flags & ~KIPC_MSG_DEADLINE) || args.reserved0 ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ret = kipc_shm_offset_check(args.offset, shm->size);
	if (ret)
		return ret;
	return kipc_shm_wait_word(shm, args.offset, args.expected,
				  args.flags & KIPC_MSG_DEADLINE,
				  ns_to_ktime(min_t(u64, args.deadline_ns,
						    KTIME_MAX)));
}

static long kipc_ioctl_shm_wake(struct file *file, void __user *arg)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct kipc_shm_wake args;
	long ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_SHM_WAKE_SIZE_VER0, arg);
	if (ret)
		return ret;
	if (args.flags || args.reserved0 || !args.count ||
	    memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ret = kipc_shm_offset_check(args.offset, shm->size);
	if (ret)
		return ret;
	return kipc_shm_wake_word(shm, args.offset, args.count);
}

/* KIPC_IOC_SHM_ATTACH: the calling process's holder id, made if needed. */
static long kipc_ioctl_shm_attach(struct file *file)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct pid *pid = task_tgid(current);
	struct kipc_shm_holder *h;
	long ret;

	if ((file->f_mode & (FMODE_READ | FMODE_WRITE)) !=
	    (FMODE_READ | FMODE_WRITE))
		return -EBADF;

	mutex_lock(&shm->lock);
	list_for_each_entry(h, &shm->holders, node) {
		if (h->pid == pid) {
			ret = h->id;
			goto out_unlock;
		}
	}
	/* an fd is open (ours), so the region cannot be closed */
	ret = -EIDRM;
	if (WARN_ON_ONCE(shm->closed))
		goto out_unlock;
	ret = -ENOMEM;
	h = kzalloc(sizeof(*h), GFP_KERNEL_ACCOUNT);
	if (!h)
		goto out_unlock;
	ret = ida_alloc_range(&shm->holder_ids, 1, KIPC_LOCK_HOLDER_MASK - 1,
			      GFP_KERNEL);
	if (ret < 0)
		goto out_free;
	h->id = ret;
	ret = kipc_proc_hook_current(&h->hook, kipc_shm_holder_exited);
	if (ret)
		goto out_free_id;
	h->pid = get_pid(pid);
	h->shm = shm;
	kipc_object_get(&shm->obj);	/* the record's */
	list_add_tail(&h->node, &shm->holders);
	shm->nr_holders++;
	ret = h->id;
	goto out_unlock;

out_free_id:
	ida_free(&shm->holder_ids, h->id);
out_free:
	kfree(h);
out_unlock:
	mutex_unlock(&shm->lock);
	return ret;
}

static long kipc_ioctl_shm_lock_init(struct file *file, void __user *arg)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	struct kipc_shm_lock args;
	unsigned long index;
	struct page *page;
	u32 *word;
	long ret;

	if (!(file->f_mode & FMODE_WRITE))
		return -EBADF;
	ret = kipc_copy_args_from_user(&args, sizeof(args),
				       KIPC_SHM_LOCK_SIZE_VER0, arg);
	if (ret)
		return ret;
	if (args.flags || memchr_inv(args.reserved, 0, sizeof(args.reserved)))
		return -EINVAL;
	ret = kipc_shm_offset_check(args.offset, shm->size);
	if (ret)
		return ret;
	index = args.offset / sizeof(u32);
	page = kipc_shm_page(shm, args.offset);
	if (IS_ERR(page))
		return PTR_ERR(page);

	mutex_lock(&shm->lock);
	if (!xa_load(&shm->locks, index)) {
		ret = -ENOSPC;
		if (shm->nr_locks >= READ_ONCE(kipc_shm_locks_max))
			goto out_unlock;
		ret = xa_err(xa_store(&shm->locks, index, xa_mk_value(0),
				      GFP_KERNEL_ACCOUNT));
		if (ret)
			goto out_unlock;
		shm->nr_locks++;
	}
	word = kmap_local_page(page);
	WRITE_ONCE(word[offset_in_page(args.offset) / sizeof(u32)], 0);
	kunmap_local(word);
	set_page_dirty(page);
out_unlock:
	mutex_unlock(&shm->lock);
	put_page(page);
	if (ret == -ENOSPC)
		kipc_nl_limit_hit(KIPC_LIMIT_SHM_LOCKS, KIPC_TYPE_SHM,
				  shm->obj.id);
	return ret;
}

static long kipc_shm_do_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (KIPC_IOC_BASE(cmd)) {
	case KIPC_IOC_BASE(KIPC_IOC_SHM_STAT):
		return kipc_ioctl_shm_stat(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_SET):
		return kipc_ioctl_shm_set(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_WAIT):
		return kipc_ioctl_shm_wait(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_WAKE):
		return kipc_ioctl_shm_wake(file, uarg);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_ATTACH):
		return kipc_ioctl_shm_attach(file);
	case KIPC_IOC_BASE(KIPC_IOC_SHM_LOCK_INIT):
		return kipc_ioctl_shm_lock_init(file, uarg);
	}
	return -ENOTTY;
}

static long kipc_shm_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	return kipc_stats_ret(kipc_shm_do_ioctl(file, cmd, arg));
}

/*
 * Called with mmap_lock held.  The mm core has already refused PROT_WRITE
 * on an fd without FMODE_WRITE (-EACCES) and, for such an fd, cleared
 * VM_MAYWRITE (so mprotect() cannot add it) and VM_SHARED: VM_MAYSHARE is
 * what tells MAP_SHARED from MAP_PRIVATE.  The VMA then gets the shmem
 * file in place of ours, and shmem's own mmap.
 */
static int kipc_shm_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct kipc_shm *shm = kipc_shm_file(file);
	unsigned long pages = DIV_ROUND_UP(shm->size, PAGE_SIZE);

	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	if (vma->vm_pgoff >= pages || vma_pages(vma) > pages - vma->vm_pgoff)
		return -ENXIO;
	vma_set_file(vma, shm->shmem);
	return call_mmap(vma->vm_file, vma);
}

static int kipc_shm_file_release(struct inode *inode, struct file *file)
{
	struct kipc_object *obj = file->private_data;

	/* NULL when kipc_object_open() failed before linking */
	if (!obj)
		return 0;
	kipc_object_get(obj);
	kipc_object_file_closed(obj);
	kipc_shm_check_closed(kipc_shm_of(obj));
	kipc_object_put(obj);
	return 0;
}

static const struct file_operations kipc_shm_fops = {
	.owner		= THIS_MODULE,
	.mmap		= kipc_shm_mmap,
	.unlocked_ioctl	= kipc_shm_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.release	= kipc_shm_file_release,
	.llseek		= noop_llseek,
};
