/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc shared memory: shmem-backed regions, wait/wake on their words and
 * robust locks released when a holder dies (shm.c).
 */
#ifndef KIPC_SHM_H
#define KIPC_SHM_H

#include <linux/types.h>

/* Module parameters (main.c) */
extern unsigned int kipc_shm_per_user;
extern unsigned long kipc_shm_size_max;
extern unsigned int kipc_shm_locks_max;

/* Wait buckets per region (waiters hashed by word offset) */
#define KIPC_SHM_BUCKET_BITS	4
#define KIPC_SHM_BUCKETS	(1U << KIPC_SHM_BUCKET_BITS)

struct kipc_create;
struct kipc_object;

long kipc_ioctl_shm_open(void __user *uarg);
struct kipc_object *kipc_shm_create(struct kipc_create *c);

#if IS_ENABLED(CONFIG_KUNIT)
int kipc_shm_open_flags_check(u32 flags);
int kipc_shm_size_check(u64 size, u64 max);
int kipc_shm_offset_check(u64 offset, u64 size);
unsigned int kipc_shm_bucket_index(u64 offset);
u32 kipc_lock_word_dead(u32 word, u32 holder);
#endif

#endif /* KIPC_SHM_H */
