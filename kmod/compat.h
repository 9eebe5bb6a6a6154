/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels kipc supports (Debian's 6.1 and
 * 6.12) is handled here and nowhere else.  So far the queue code needs
 * none: everything it uses has the same shape in both.
 */
#ifndef KIPC_COMPAT_H
#define KIPC_COMPAT_H

#include <linux/version.h>

#endif /* KIPC_COMPAT_H */
