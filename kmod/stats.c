// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's module-wide statistics (KIPC_CMD_STATS_GET): per-CPU counters,
 * so that no send or receive path shares a cache line with another CPU's;
 * a reader sums them over every possible CPU.
 */
#include <asm/barrier.h>
#include <linux/errno.h>
#include <linux/percpu.h>
#include <linux/stddef.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>
#include <linux/kipc.h>

#include "netlink.h"
#include "stats.h"

/* errnos counted one by one: those user space sees, below 512 */
#define KIPC_STATS_ERRNO_MAX	512

/**
 * struct kipc_stats - one CPU's share of the module-wide statistics
 * @syncp:	u64_stats writer sequence (32-bit only)
 * @msgs_in:	messages moved in (sent)
 * @msgs_out:	messages moved out (received)
 * @bytes_in:	their payload bytes
 * @bytes_out:	likewise
 * @created:	objects of each type created
 * @destroyed:	objects of each type gone
 * @limits:	hits of each limit
 * @errors:	returns of each errno
 * @events:	events sent
 */
struct kipc_stats {
	struct u64_stats_sync syncp;
	u64_stats_t msgs_in;
	u64_stats_t msgs_out;
	u64_stats_t bytes_in;
	u64_stats_t bytes_out;
	u64_stats_t created[KIPC_TYPE_MAX + 1];
	u64_stats_t destroyed[KIPC_TYPE_MAX + 1];
	u64_stats_t limits[KIPC_LIMIT_MAX + 1];
	u64_stats_t events;
	u64_stats_t errors[KIPC_STATS_ERRNO_MAX];
};

static struct kipc_stats __percpu *kipc_stats;

/*
 * Add @n to the counter at @off in this CPU's struct kipc_stats.  Any
 * context: the update disables interrupts on 32-bit only.
 */
static void kipc_stats_add(size_t off, u64 n)
{
	struct kipc_stats *s;
	unsigned long flags;

	if (!kipc_stats)
		return;
	s = get_cpu_ptr(kipc_stats);
	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_add((u64_stats_t *)((char *)s + off), n);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	put_cpu_ptr(kipc_stats);
}

#define KIPC_STATS_ADD(field, n) \
	kipc_stats_add(offsetof(struct kipc_stats, field), (n))

/* The sum over every possible CPU of the counter at @off. */
static u64 kipc_stats_sum(size_t off)
{
	unsigned int start;
	u64 sum = 0, v;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct kipc_stats *s = per_cpu_ptr(kipc_stats, cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			v = u64_stats_read((const u64_stats_t *)
					   ((const char *)s + off));
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum += v;
	}
	return sum;
}

#define KIPC_STATS_SUM(field) kipc_stats_sum(offsetof(struct kipc_stats, field))

void kipc_stats_msg_in(size_t bytes)
{
	KIPC_STATS_ADD(msgs_in, 1);
	KIPC_STATS_ADD(bytes_in, bytes);
}

void kipc_stats_msg_out(size_t bytes)
{
	KIPC_STATS_ADD(msgs_out, 1);
	KIPC_STATS_ADD(bytes_out, bytes);
}

void kipc_stats_created(enum kipc_type type)
{
	if (type <= KIPC_TYPE_MAX)
		KIPC_STATS_ADD(created[type], 1);
}

void kipc_stats_destroyed(enum kipc_type type)
{
	if (type <= KIPC_TYPE_MAX)
		KIPC_STATS_ADD(destroyed[type], 1);
}

void kipc_stats_limit(enum kipc_limit limit)
{
	if (limit > KIPC_LIMIT_UNSPEC && limit <= KIPC_LIMIT_MAX)
		KIPC_STATS_ADD(limits[limit], 1);
}

void kipc_stats_event(void)
{
	KIPC_STATS_ADD(events, 1);
}

/*
 * The -errno user space sees for @err: a call a signal interrupted counts
 * as -EINTR whether it is restarted or not, -ENOIOCTLCMD is the VFS's
 * -ENOTTY; 0 for nothing to count.
 */
static long kipc_stats_errno(long err)
{
	switch (err) {
	case -ERESTARTSYS:
	case -ERESTARTNOINTR:
	case -ERESTARTNOHAND:
	case -ERESTART_RESTARTBLOCK:
		return -EINTR;
	case -ENOIOCTLCMD:
		return -ENOTTY;
	}
	return err < 0 && err > -KIPC_STATS_ERRNO_MAX ? err : 0;
}

long kipc_stats_ret(long ret)
{
	long e = kipc_stats_errno(ret);

	if (e)
		KIPC_STATS_ADD(errors[-e], 1);
	return ret;
}

/**
 * kipc_stats_put() - put the statistics' attributes into a reply
 * @skb:	the reply, its header put
 *
 * Return: 0, or -EMSGSIZE.
 */
int kipc_stats_put(struct sk_buff *skb)
{
	struct nlattr *nest;
	u64 created, destroyed, n;
	int i;

	for (i = KIPC_TYPE_QUEUE; i <= KIPC_TYPE_MAX; i++) {
		/*
		 * The gone first: every object is counted created before it
		 * is counted gone, and each CPU's counters only grow, so the
		 * sum read second is never smaller (no wrap below zero).
		 */
		destroyed = KIPC_STATS_SUM(destroyed[i]);
		/* pairs with kipc_reg_lock (kipc_ep_lock) between the counts */
		smp_rmb();
		created = KIPC_STATS_SUM(created[i]);
		n = created - destroyed;
		nest = nla_nest_start(skb, KIPC_A_STATS_TYPE);
		if (!nest ||
		    nla_put_u32(skb, KIPC_A_TYPE, i) ||
		    kipc_nl_put_u64(skb, KIPC_A_OBJECTS, n) ||
		    kipc_nl_put_u64(skb, KIPC_A_CREATED, created))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	if (kipc_nl_put_u64(skb, KIPC_A_MSGS_IN, KIPC_STATS_SUM(msgs_in)) ||
	    kipc_nl_put_u64(skb, KIPC_A_MSGS_OUT, KIPC_STATS_SUM(msgs_out)) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES_IN, KIPC_STATS_SUM(bytes_in)) ||
	    kipc_nl_put_u64(skb, KIPC_A_BYTES_OUT, KIPC_STATS_SUM(bytes_out)))
		return -EMSGSIZE;
	for (i = KIPC_LIMIT_UNSPEC + 1; i <= KIPC_LIMIT_MAX; i++) {
		n = KIPC_STATS_SUM(limits[i]);
		if (!n)
			continue;
		nest = nla_nest_start(skb, KIPC_A_STATS_LIMIT);
		if (!nest ||
		    nla_put_u32(skb, KIPC_A_LIMIT, i) ||
		    kipc_nl_put_u64(skb, KIPC_A_COUNT, n))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	for (i = 1; i < KIPC_STATS_ERRNO_MAX; i++) {
		n = KIPC_STATS_SUM(errors[i]);
		if (!n)
			continue;
		nest = nla_nest_start(skb, KIPC_A_STATS_ERROR);
		if (!nest ||
		    nla_put_u32(skb, KIPC_A_ERRNO, i) ||
		    kipc_nl_put_u64(skb, KIPC_A_COUNT, n))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return kipc_nl_put_u64(skb, KIPC_A_EVENTS, KIPC_STATS_SUM(events));
}

int kipc_stats_init(void)
{
	kipc_stats = alloc_percpu(struct kipc_stats);
	return kipc_stats ? 0 : -ENOMEM;
}

/* Last at module exit, when nothing counts any more. */
void kipc_stats_exit(void)
{
	free_percpu(kipc_stats);
	kipc_stats = NULL;
}
