/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc pipes: byte streams with pipe(7) semantics (pipe.c).
 */
#ifndef KIPC_PIPE_H
#define KIPC_PIPE_H

/* Module parameters (main.c) */
extern unsigned int kipc_pipes_per_user;
extern unsigned int kipc_pipe_size_max;
extern unsigned int kipc_pipe_size_default;

long kipc_ioctl_pipe_open(void __user *uarg);
long kipc_ioctl_pipe_remove(void __user *uarg);

#endif /* KIPC_PIPE_H */
