/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc message lists: ordering and selection, without locking or allocation,
 * so that KUnit can test them on their own.
 */
#ifndef KIPC_MSGQ_H
#define KIPC_MSGQ_H

#include <linux/list.h>
#include <linux/rbtree.h>
#include <linux/types.h>
#include <linux/uidgid.h>

struct pid;
struct kipc_txn;

/**
 * struct kipc_msg - one queued message
 * @fifo:	link in &kipc_msgq.fifo, in send order
 * @same_type:	circular list of the queued messages of this type, oldest
 *		first when entered from the one in the tree
 * @node:	link in &kipc_msgq.types when this is the oldest of its type
 * @type:	type (and priority) given by the sender
 * @seq:	queue sequence number, increasing in send order
 * @len:	payload length
 * @time_ns:	CLOCK_REALTIME ns of the send
 * @sender:	sender's thread group (holds a pid reference)
 * @uid:	sender's effective uid
 * @kind:	enum kipc_link_kind (links; KIPC_LINK_MSG elsewhere)
 * @txn:	a KIPC_LINK_REQUEST's waiting call, while queued (links)
 * @req_id:	a received request's or a KIPC_LINK_CANCEL's request id
 * @data:	payload
 */
struct kipc_msg {
	struct list_head fifo;
	struct list_head same_type;
	struct rb_node node;
	u64 type;
	u64 seq;
	size_t len;
	u64 time_ns;
	struct pid *sender;
	kuid_t uid;
	u32 kind;
	union {
		struct kipc_txn *txn;
		u64 req_id;
	};
	char data[];
};

/**
 * struct kipc_msgq - the messages of a queue
 * @fifo:	every message, oldest first
 * @types:	the oldest message of each type, by type
 * @nr_msgs:	messages queued
 * @bytes:	payload bytes queued
 * @next_seq:	sequence number of the next message added
 *
 * Every message the selections return is the oldest of its type, so a
 * message leaves the tree only as its type's oldest and is replaced there
 * by the next of its type in O(1).
 */
struct kipc_msgq {
	struct list_head fifo;
	struct rb_root types;
	u64 nr_msgs;
	u64 bytes;
	u64 next_seq;
};

void kipc_msgq_init(struct kipc_msgq *mq);
void kipc_msgq_add(struct kipc_msgq *mq, struct kipc_msg *msg);
struct kipc_msg *kipc_msgq_peek(struct kipc_msgq *mq, unsigned int sel,
				u64 type);
void kipc_msgq_del(struct kipc_msgq *mq, struct kipc_msg *msg);
void kipc_msgq_requeue(struct kipc_msgq *mq, struct kipc_msg *msg);

#endif /* KIPC_MSGQ_H */
