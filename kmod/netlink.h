/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc's generic netlink family "kipc": listing, getting, creating and
 * removing objects, module statistics, and the "events" multicast group.
 * The ABI is in uapi/linux/kipc.h ("Generic netlink family").
 *
 * netlink.c owns the family, the request parsing and policies, the dump
 * machinery (cursor, generation, NLM_F_DUMP_INTR), the common attributes
 * of registry objects, the events and the statistics.  Each object type
 * adds its own attributes in one place: its kipc_object_ops.nl_fill (queue,
 * mailbox, pipe, shm), or kipc_link_nl_dump()/kipc_link_nl_get() for the
 * objects link.c keeps (bound sessions and links).
 */
#ifndef KIPC_NETLINK_H
#define KIPC_NETLINK_H

#include <linux/types.h>
#include <linux/uidgid.h>
#include <linux/kipc.h>

struct kipc_nl_ctx;
struct kipc_object;
struct pid;
struct sk_buff;

int kipc_nl_init(void);
void kipc_nl_exit(void);

/*
 * Building reply messages (dump or get).  A @ctx carries the reader (its
 * credentials and pid namespace, for names, uids and pids), the request's
 * filters, and the dump's generation for NLM_F_DUMP_INTR.
 *
 * kipc_nl_msg_begin() starts one object's message of KIPC_CMD_OBJ_GET
 * with KIPC_A_ID and KIPC_A_TYPE put: NULL when @skb is full.
 * kipc_nl_msg_end() finishes it, kipc_nl_msg_cancel() takes it back (a
 * put failed: @skb is full).
 */
void *kipc_nl_msg_begin(struct sk_buff *skb, struct kipc_nl_ctx *ctx,
			enum kipc_type type, u64 id);
void kipc_nl_msg_end(struct sk_buff *skb, void *hdr);
void kipc_nl_msg_cancel(struct sk_buff *skb, void *hdr);

/* Does the request want objects of @type owned by @uid (its filters)? */
bool kipc_nl_wants(const struct kipc_nl_ctx *ctx, enum kipc_type type,
		   kuid_t uid);

/* Attribute helpers: 0 or -EMSGSIZE. */
int kipc_nl_put_u64(struct sk_buff *skb, int attr, u64 value);
/* @pid's number in the reader's pid namespace (0 when NULL or not seen) */
int kipc_nl_put_pid(struct sk_buff *skb, int attr, struct pid *pid,
		    const struct kipc_nl_ctx *ctx);
/* @uid in the reader's user namespace (the overflow uid if unmapped) */
int kipc_nl_put_uid(struct sk_buff *skb, int attr, kuid_t uid,
		    const struct kipc_nl_ctx *ctx);

/*
 * link.c: bound sessions and links.
 *
 * kipc_link_nl_dump() fills one message per session or link whose id is
 * at least *@next (ascending id order) that kipc_nl_wants(), until @skb is
 * full; *@next is left past the last one filled.  Return: 0 when there
 * are no more, -EMSGSIZE when @skb is full (call again with a new one).
 * kipc_link_nl_get() fills the one with @id: 0, -ENOENT, -EMSGSIZE.
 * Both take kipc_ep_lock and the endpoint locks themselves.
 */
int kipc_link_nl_dump(struct sk_buff *skb, struct kipc_nl_ctx *ctx, u64 *next);
int kipc_link_nl_get(struct sk_buff *skb, struct kipc_nl_ctx *ctx, u64 id);

/*
 * Events to the "events" group.  Process context, may sleep; no spinlock
 * held (kipc_reg_lock or kipc_ep_lock may be: events nest inside both, so
 * that the events about one object go out in the order of its changes).
 * Each costs a test of genl_has_listeners() when nobody listens.
 *
 * kipc_nl_obj_event(): KIPC_CMD_OBJ_NEW or _OBJ_DEL for a registry object,
 * with kipc_reg_lock held (called by object.c when it links and unlinks).
 * kipc_nl_session_event(): KIPC_CMD_OBJ_NEW/_OBJ_DEL for a session (bind,
 * close) or KIPC_CMD_PEER_EXIT.  kipc_nl_link_event(): KIPC_CMD_LINK_UP
 * (@pid made it with @peer) or _LINK_DOWN (@peer went, @pid stays).
 * kipc_nl_limit_hit(): counts the hit in the statistics and sends the
 * event; @type KIPC_TYPE_UNSPEC and @id 0 when no object is concerned.
 */
void kipc_nl_obj_event(u8 cmd, struct kipc_object *obj);
void kipc_nl_session_event(u8 cmd, u64 id, struct pid *pid, kuid_t uid);
void kipc_nl_link_event(u8 cmd, u64 id, struct pid *pid, struct pid *peer);
void kipc_nl_limit_hit(enum kipc_limit limit, enum kipc_type type, u64 id);

/*
 * A session or link appeared or went (link.c calls it under kipc_ep_lock);
 * object.c does the same for registry objects.  Dumps running meanwhile
 * mark their next messages NLM_F_DUMP_INTR.
 */
void kipc_nl_changed(void);

/*
 * Module-wide statistics, per-CPU counters (no shared cache line on a
 * send or receive path); any context.
 */
void kipc_stats_msg_in(size_t bytes);
void kipc_stats_msg_out(size_t bytes);
void kipc_stats_created(enum kipc_type type);
void kipc_stats_destroyed(enum kipc_type type);
/* counts @ret's errno when negative; returns @ret */
long kipc_stats_ret(long ret);

/* A new id for a session or link, from the counter registry objects use. */
u64 kipc_id_next(void);

#endif /* KIPC_NETLINK_H */
