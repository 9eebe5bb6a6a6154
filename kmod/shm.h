/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc shared memory: shmem-backed regions, wait/wake on their words and
 * robust locks released when a holder dies (shm.c).
 */
#ifndef KIPC_SHM_H
#define KIPC_SHM_H

/* Module parameters (main.c) */
extern unsigned int kipc_shm_per_user;
extern unsigned long kipc_shm_size_max;
extern unsigned int kipc_shm_locks_max;

long kipc_ioctl_shm_open(void __user *uarg);
long kipc_ioctl_shm_remove(void __user *uarg);

#endif /* KIPC_SHM_H */
