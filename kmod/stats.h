/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module-wide statistics' side that netlink.c and main.c use; the
 * counting functions every object type calls are in netlink.h.
 */
#ifndef KIPC_STATS_H
#define KIPC_STATS_H

#include <linux/kipc.h>

struct sk_buff;

int kipc_stats_init(void);
void kipc_stats_exit(void);
void kipc_stats_limit(enum kipc_limit limit);
void kipc_stats_event(void);
int kipc_stats_put(struct sk_buff *skb);

#endif /* KIPC_STATS_H */
