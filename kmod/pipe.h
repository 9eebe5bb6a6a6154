/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc pipes: byte streams with pipe(7) semantics (pipe.c).
 */
#ifndef KIPC_PIPE_H
#define KIPC_PIPE_H

#include <linux/types.h>

/* Module parameters (main.c) */
extern unsigned int kipc_pipes_per_user;
extern unsigned int kipc_pipe_size_max;
extern unsigned int kipc_pipe_size_default;

long kipc_ioctl_pipe_open(void __user *uarg);

#if IS_ENABLED(CONFIG_KUNIT)
int kipc_pipe_capacity(u64 bytes, u64 max, u32 *cap);
u32 kipc_pipe_ring_add(u32 size, u32 pos, u32 n);
u32 kipc_pipe_ring_span(u32 size, u32 pos, u32 n);
size_t kipc_pipe_write_room(u32 size, u32 len, size_t left, bool atomic);
void kipc_pipe_ring_copy(char *dst, const char *src, u32 size, u32 head,
			 u32 len);
__poll_t kipc_pipe_poll_mask(fmode_t mode, u32 size, u32 len,
			     unsigned int readers, unsigned int writers,
			     bool hup);
#endif

#endif /* KIPC_PIPE_H */
