// SPDX-License-Identifier: GPL-2.0
/*
 * kipc message lists.
 *
 * A message is on two structures: the FIFO list of the whole queue and, per
 * type, a circular list whose oldest member sits in an rbtree keyed by type.
 * Taking the oldest (FIFO), the highest type (PRIO), a type (TYPE_EQ) or the
 * lowest type up to a bound (TYPE_LE) is O(log types); TYPE_NE walks the
 * FIFO past the messages of the excluded type.  Nothing here allocates or
 * locks: the caller holds the queue's lock.
 */
#include <linux/export.h>
#include <kunit/visibility.h>
#include <linux/kipc.h>

#include "msgq.h"

void kipc_msgq_init(struct kipc_msgq *mq)
{
	INIT_LIST_HEAD(&mq->fifo);
	mq->types = RB_ROOT;
	mq->nr_msgs = 0;
	mq->bytes = 0;
	mq->next_seq = 1;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msgq_init);

static struct kipc_msg *kipc_msgq_oldest_of(struct kipc_msgq *mq, u64 type)
{
	struct rb_node *n = mq->types.rb_node;

	while (n) {
		struct kipc_msg *m = rb_entry(n, struct kipc_msg, node);

		if (type < m->type)
			n = n->rb_left;
		else if (type > m->type)
			n = n->rb_right;
		else
			return m;
	}
	return NULL;
}

/* Put @msg in the tree as its type's oldest, ahead of any of its type. */
static void kipc_msgq_insert_oldest(struct kipc_msgq *mq, struct kipc_msg *msg)
{
	struct rb_node **link = &mq->types.rb_node, *parent = NULL;

	while (*link) {
		struct kipc_msg *m = rb_entry(*link, struct kipc_msg, node);

		parent = *link;
		if (msg->type < m->type) {
			link = &parent->rb_left;
		} else if (msg->type > m->type) {
			link = &parent->rb_right;
		} else {
			/* @msg is older than every queued message of its type */
			list_add_tail(&msg->same_type, &m->same_type);
			rb_replace_node(&m->node, &msg->node, &mq->types);
			RB_CLEAR_NODE(&m->node);
			return;
		}
	}
	INIT_LIST_HEAD(&msg->same_type);
	rb_link_node(&msg->node, parent, link);
	rb_insert_color(&msg->node, &mq->types);
}

/**
 * kipc_msgq_add() - append a message, giving it the next sequence number
 * @mq:		the messages
 * @msg:	the new message
 */
void kipc_msgq_add(struct kipc_msgq *mq, struct kipc_msg *msg)
{
	struct kipc_msg *oldest = kipc_msgq_oldest_of(mq, msg->type);

	msg->seq = mq->next_seq++;
	list_add_tail(&msg->fifo, &mq->fifo);
	if (oldest) {
		/* before the oldest in the circle: the newest */
		list_add_tail(&msg->same_type, &oldest->same_type);
		RB_CLEAR_NODE(&msg->node);
	} else {
		kipc_msgq_insert_oldest(mq, msg);
	}
	mq->nr_msgs++;
	mq->bytes += msg->len;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msgq_add);

/**
 * kipc_msgq_peek() - the message a receive with @sel and @type would take
 * @mq:		the messages
 * @sel:	enum kipc_select
 * @type:	argument of the TYPE_* selections
 *
 * Return: the message, still queued, or NULL.
 */
struct kipc_msg *kipc_msgq_peek(struct kipc_msgq *mq, unsigned int sel,
				u64 type)
{
	struct kipc_msg *m;
	struct rb_node *n;

	switch (sel) {
	case KIPC_SEL_FIFO:
		return list_first_entry_or_null(&mq->fifo, struct kipc_msg,
						fifo);
	case KIPC_SEL_PRIO:
		n = rb_last(&mq->types);
		return n ? rb_entry(n, struct kipc_msg, node) : NULL;
	case KIPC_SEL_TYPE_EQ:
		return kipc_msgq_oldest_of(mq, type);
	case KIPC_SEL_TYPE_LE:
		n = rb_first(&mq->types);
		m = n ? rb_entry(n, struct kipc_msg, node) : NULL;
		return m && m->type <= type ? m : NULL;
	case KIPC_SEL_TYPE_NE:
		list_for_each_entry(m, &mq->fifo, fifo)
			if (m->type != type)
				return m;
		return NULL;
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msgq_peek);

/**
 * kipc_msgq_del() - take a queued message off
 * @mq:		the messages
 * @msg:	the message: one kipc_msgq_peek() returned (the oldest of its
 *		type), or any other (a withdrawn request)
 *
 * Only the oldest of each type is in the tree (the others have an empty
 * node), so any other leaves its two lists and nothing else.
 */
void kipc_msgq_del(struct kipc_msgq *mq, struct kipc_msg *msg)
{
	list_del(&msg->fifo);
	if (RB_EMPTY_NODE(&msg->node)) {
		list_del(&msg->same_type);
	} else if (list_empty(&msg->same_type)) {
		rb_erase(&msg->node, &mq->types);
	} else {
		struct kipc_msg *next = list_next_entry(msg, same_type);

		rb_replace_node(&msg->node, &next->node, &mq->types);
		list_del(&msg->same_type);
	}
	mq->nr_msgs--;
	mq->bytes -= msg->len;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msgq_del);

/**
 * kipc_msgq_requeue() - put back a message taken by kipc_msgq_del()
 * @mq:		the messages
 * @msg:	the message, with its original sequence number
 *
 * It returns to its place in send order, in the queue and among its type
 * (several receivers may put back messages in any order).
 */
void kipc_msgq_requeue(struct kipc_msgq *mq, struct kipc_msg *msg)
{
	struct kipc_msg *oldest = kipc_msgq_oldest_of(mq, msg->type);
	struct list_head *pos = &mq->fifo;
	struct kipc_msg *m;

	list_for_each_entry(m, &mq->fifo, fifo) {
		if (m->seq > msg->seq) {
			pos = &m->fifo;
			break;
		}
	}
	list_add_tail(&msg->fifo, pos);

	if (!oldest || msg->seq < oldest->seq) {
		kipc_msgq_insert_oldest(mq, msg);
	} else {
		/* walk the others of its type, oldest first */
		pos = &oldest->same_type;
		list_for_each_entry(m, &oldest->same_type, same_type) {
			if (m->seq > msg->seq) {
				pos = &m->same_type;
				break;
			}
		}
		list_add_tail(&msg->same_type, pos);
		RB_CLEAR_NODE(&msg->node);
	}
	mq->nr_msgs++;
	mq->bytes += msg->len;
}
EXPORT_SYMBOL_IF_KUNIT(kipc_msgq_requeue);
