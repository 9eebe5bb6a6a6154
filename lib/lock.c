// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc robust locks: a 32-bit word in a shared memory region.
 *
 * The word (uapi/linux/kipc.h) is 0 when free, else the holder's id (from
 * KIPC_IOC_SHM_ATTACH, one per process and region) in the low 30 bits,
 * with KIPC_LOCK_WAITERS when somebody may sleep on it and
 * KIPC_LOCK_OWNER_DIED when a holder died and the data has not been made
 * consistent.  Taking a free lock is one compare-and-swap, no system call;
 * a contended lock sleeps in KIPC_IOC_SHM_WAIT on the word's value and is
 * woken by the unlocker (KIPC_IOC_SHM_WAKE) when KIPC_LOCK_WAITERS is set.
 * When a holder's process exits, the kernel frees the locks it holds, sets
 * KIPC_LOCK_OWNER_DIED and wakes every waiter.
 *
 * Memory order: the compare-and-swap that takes the lock is an acquire and
 * the exchange that frees it a release, so what the holder wrote is seen by
 * the next holder.  Every other access needs no more than relaxed order:
 * the wait/wake handshake is about one word only, and every change of the
 * word is a read-modify-write, so they are totally ordered on it; the
 * kernel reads the word under the wait bucket lock that the wake takes, so
 * a waiter that set KIPC_LOCK_WAITERS either sees the unlocker's 0 (its
 * wait returns -EAGAIN) or is queued when the wake comes.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <kipc.h>

#include "internal.h"

/*
 * The calling process's pid, without a system call on every lock: glibc's
 * getpid() is one.  It is kept in a page the kernel zeroes in the child of
 * every fork (MADV_WIPEONFORK), so a child forgets it before it runs any
 * code, whether or not its fork ran the pthread_atfork() handlers
 * (_Fork() and a raw clone() do not).  Without such a page, no cache.
 */
static pid_t *kipc_self;
static pthread_once_t kipc_self_once = PTHREAD_ONCE_INIT;

static void kipc_self_init(void)
{
	void *p;

	p = mmap(NULL, sizeof(*kipc_self), PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	if (madvise(p, sizeof(*kipc_self), MADV_WIPEONFORK)) {
		munmap(p, sizeof(*kipc_self));
		return;
	}
	kipc_self = p;
}

static pid_t kipc_getpid(void)
{
	pid_t pid;

	pthread_once(&kipc_self_once, kipc_self_init);
	if (!kipc_self)
		return getpid();
	pid = __atomic_load_n(kipc_self, __ATOMIC_RELAXED);
	if (!pid) {
		pid = getpid();
		__atomic_store_n(kipc_self, pid, __ATOMIC_RELAXED);
	}
	return pid;
}

/*
 * This process's holder id in @r's region, or 0 when it has none yet.
 * r->pid is stored after r->holder (release) and read first (acquire), so
 * a thread that sees its own pid sees the id stored with it.
 */
static uint32_t kipc_holder_known(const struct kipc_region *r)
{
	if (__atomic_load_n(&r->pid, __ATOMIC_ACQUIRE) != kipc_getpid())
		return 0;
	return __atomic_load_n(&r->holder, __ATOMIC_RELAXED);
}

/* This process's holder id in @r's region, attaching on first use. */
static int kipc_holder(struct kipc_region *r, uint32_t *id)
{
	int ret;

	*id = kipc_holder_known(r);
	if (*id)
		return 0;
	/* racing threads get the same id: the kernel keeps one per process */
	ret = ioctl(r->fd, KIPC_IOC_SHM_ATTACH);
	if (ret < 0)
		return -errno;
	*id = ret;
	__atomic_store_n(&r->holder, *id, __ATOMIC_RELAXED);
	__atomic_store_n(&r->pid, kipc_getpid(), __ATOMIC_RELEASE);
	return 0;
}

int kipc_lock_init(struct kipc_region *r, struct kipc_lock *l)
{
	struct kipc_shm_lock args = {
		.size		= sizeof(args),
	};
	uint64_t off;
	int ret;

	ret = kipc_shm_offset(r, &l->word, &off);
	if (ret)
		return ret;
	args.offset = off;
	if (ioctl(r->fd, KIPC_IOC_SHM_LOCK_INIT, &args) < 0)
		return -errno;
	return 0;
}

/* Take @l; @try: -EBUSY rather than wait; @deadline_ns: 0 or absolute. */
static int kipc_lock_take(struct kipc_region *r, struct kipc_lock *l,
			  int try, uint64_t deadline_ns)
{
	uint32_t id, v, nv;
	uint64_t off;
	int ret;

	ret = kipc_shm_offset(r, &l->word, &off);
	if (ret)
		return ret;
	ret = kipc_holder(r, &id);
	if (ret)
		return ret;

	v = 0;	/* the fast path: free, nobody waiting */
	if (__atomic_compare_exchange_n(&l->word, &v, id, 0, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED))
		return 0;
	for (;;) {
		v = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
		if (v == KIPC_LOCK_NOTRECOVERABLE)
			return -ENOTRECOVERABLE;
		if (!(v & KIPC_LOCK_HOLDER_MASK)) {
			/*
			 * Free, perhaps after a holder died.  Others may still
			 * sleep on it: keep KIPC_LOCK_WAITERS, at worst one
			 * wake too many at unlock.
			 */
			nv = id | (v & KIPC_LOCK_OWNER_DIED) | KIPC_LOCK_WAITERS;
			if (__atomic_compare_exchange_n(&l->word, &v, nv, 0,
							__ATOMIC_ACQUIRE,
							__ATOMIC_RELAXED))
				return v & KIPC_LOCK_OWNER_DIED ?
				       -EOWNERDEAD : 0;
			continue;
		}
		if (try)
			return -EBUSY;
		if (!(v & KIPC_LOCK_WAITERS)) {
			nv = v | KIPC_LOCK_WAITERS;
			if (!__atomic_compare_exchange_n(&l->word, &v, nv, 0,
							 __ATOMIC_RELAXED,
							 __ATOMIC_RELAXED))
				continue;
			v = nv;
		}
		ret = kipc_shm_wait(r, &l->word, v, deadline_ns);
		/* woken, the word changed, or a signal: look again */
		if (ret && ret != -EAGAIN && ret != -EINTR)
			return ret;
	}
}

int kipc_lock(struct kipc_region *r, struct kipc_lock *l)
{
	return kipc_lock_take(r, l, 0, 0);
}

int kipc_trylock(struct kipc_region *r, struct kipc_lock *l)
{
	return kipc_lock_take(r, l, 1, 0);
}

int kipc_timedlock(struct kipc_region *r, struct kipc_lock *l,
		   uint64_t deadline_ns)
{
	return kipc_lock_take(r, l, 0, deadline_ns);
}

int kipc_lock_consistent(struct kipc_region *r, struct kipc_lock *l)
{
	uint32_t id, v;
	uint64_t off;
	int ret;

	ret = kipc_shm_offset(r, &l->word, &off);
	if (ret)
		return ret;
	id = kipc_holder_known(r);
	v = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
	do {
		if (!id || (v & KIPC_LOCK_HOLDER_MASK) != id ||
		    !(v & KIPC_LOCK_OWNER_DIED))
			return -EINVAL;
		/* only KIPC_LOCK_WAITERS can change under the holder */
	} while (!__atomic_compare_exchange_n(&l->word, &v,
					      v & ~KIPC_LOCK_OWNER_DIED, 0,
					      __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	return 0;
}

int kipc_unlock(struct kipc_region *r, struct kipc_lock *l)
{
	uint32_t id, v;
	uint64_t off;
	int ret;

	ret = kipc_shm_offset(r, &l->word, &off);
	if (ret)
		return ret;
	id = kipc_holder_known(r);
	v = __atomic_load_n(&l->word, __ATOMIC_RELAXED);
	if (!id || (v & KIPC_LOCK_HOLDER_MASK) != id)
		return -EPERM;
	if (v & KIPC_LOCK_OWNER_DIED) {
		/* taken after a death and never made consistent: retire it */
		__atomic_store_n(&l->word, KIPC_LOCK_NOTRECOVERABLE,
				 __ATOMIC_RELEASE);
		kipc_shm_wake(r, &l->word, KIPC_WAKE_ALL);
		return 0;
	}
	v = __atomic_exchange_n(&l->word, 0, __ATOMIC_RELEASE);
	if (v & KIPC_LOCK_WAITERS)
		kipc_shm_wake(r, &l->word, 1);
	return 0;
}
