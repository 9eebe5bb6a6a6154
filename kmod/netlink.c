// SPDX-License-Identifier: GPL-2.0
/*
 * kipc's generic netlink family "kipc" (the ABI is the "Generic netlink
 * family" comment of uapi/linux/kipc.h; the contract with the object types
 * is kmod/netlink.h).
 *
 * Requests are parsed and validated by genetlink against one policy per
 * command, strictly (resv_start_op past every command).  A dump walks the
 * registry objects in id order, then link.c's sessions and links, one
 * object at a time: the registry lock is held only to find the next object
 * and take a reference and a snapshot of its common fields, never while a
 * type fills its attributes.  A generation counter, bumped whenever an
 * object of any type appears or goes, marks the messages after a change
 * NLM_F_DUMP_INTR.
 */
#include <linux/bits.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fs.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>
#include <net/sock.h>
#include <net/netlink.h>
#include <linux/kipc.h>

#include "netlink.h"
#include "object.h"
#include "queue.h"
#include "shm.h"
#include "stats.h"

/**
 * DOC: netlink locking
 *
 * kipc_nl_ev_lock (a mutex) serializes the events: an event takes its
 * KIPC_A_SEQ and is multicast under it, so that sequence numbers grow in
 * delivery order.  It is the innermost kipc mutex: events are sent with
 * kipc_reg_lock or kipc_ep_lock held (so that the events of one object go
 * out in the order of its changes), never with a spinlock held, and
 * nothing is taken inside it but the allocator and netlink's own locks.
 *
 * The family has parallel_ops: genetlink takes no lock of its own around
 * our handlers (a dump runs under its socket's cb_mutex only).  A dump
 * takes kipc_reg_lock for each object (see kipc_nl_dump_registry()) and
 * link.c's locks in kipc_link_nl_dump(), one at a time.
 *
 * The generation (kipc_nl_gen) and the statistics are lockless.
 *
 * Events go to every listener alike: their pids are in the initial pid
 * namespace and their uids in the initial user namespace; a name only when
 * the mode lets others read or write.  A reply to a request (get, dump,
 * new) is for its sender: uids, gids and pids in the sender's namespaces,
 * names as "Visibility" in the uapi header says.
 *
 * A request is checked against both its sender (current) and whoever opened
 * the socket it came on, as netlink_capable() does: a socket handed to a
 * more privileged process (the stdout of a set-uid program) must not lend
 * that process's rights to whoever reads the replies.  A name is shown
 * when both may see it, OBJ_DEL needs both to own the object (or have
 * CAP_SYS_ADMIN), OBJ_NEW an opener with the sender's effective ids (or
 * CAP_SYS_ADMIN).
 */
static DEFINE_MUTEX(kipc_nl_ev_lock);
/* the last event's KIPC_A_SEQ (protected by kipc_nl_ev_lock) */
static u64 kipc_nl_ev_seq;
/* the family is registered (written under kipc_nl_ev_lock) */
static bool kipc_nl_live;
/* bumped by kipc_nl_changed(); never 0, netlink's "no sequence yet" */
static atomic_t kipc_nl_gen = ATOMIC_INIT(1);

/**
 * struct kipc_nl_ctx - the reader of a dump or get, and the dump's state
 * @cred:	the requester's credentials (a dump holds a reference)
 * @opener:	the credentials of the socket's opener (likewise)
 * @pidns:	the requester's pid namespace (a dump holds a reference)
 * @cb:		the dump's callback, NULL in a doit
 * @info:	the doit's request, NULL in a dump
 * @cmd:	the command of the reply messages
 * @cap_ipc_owner: the requester had CAP_IPC_OWNER when it asked
 * @opener_cap_ipc_owner: the opener has CAP_IPC_OWNER
 * @type:	filter KIPC_A_TYPE, KIPC_TYPE_UNSPEC for all
 * @has_uid:	filter KIPC_A_UID given
 * @uid:	its owner
 * @phase:	dump: 0 registry objects, 1 sessions and links, 2 done
 * @cursor:	dump: the lowest id not yet dumped in this phase
 * @refused:	dump: why .start refused the request (KIPC_NL_REFUSE_*)
 * @bad_attr:	dump: the attribute refused, in the request cb->skb holds
 */
struct kipc_nl_ctx {
	const struct cred *cred;
	const struct cred *opener;
	struct pid_namespace *pidns;
	struct netlink_callback *cb;
	struct genl_info *info;
	u8 cmd;
	bool cap_ipc_owner;
	bool opener_cap_ipc_owner;
	u32 type;
	bool has_uid;
	kuid_t uid;
	u8 phase;
	u64 cursor;
	u8 refused;
	const struct nlattr *bad_attr;
};

enum {
	KIPC_NL_REFUSE_NONE,
	KIPC_NL_REFUSE_NOT_FILTER,	/* KIPC_A_ID or _NAME in a dump */
	KIPC_NL_REFUSE_UID,		/* KIPC_A_UID not mapped */
};

static struct genl_family kipc_nl_family;

enum kipc_nl_mcgrp {
	KIPC_NL_MCGRP_EVENTS,
};

/* Attributes ------------------------------------------------------------ */

int kipc_nl_put_u64(struct sk_buff *skb, int attr, u64 value)
{
	return nla_put_u64_64bit(skb, attr, value, KIPC_A_PAD);
}

/* A process that exited reports 0 too: its number may be someone's now. */
int kipc_nl_put_pid(struct sk_buff *skb, int attr, struct pid *pid,
		    const struct kipc_nl_ctx *ctx)
{
	u32 nr = 0;

	if (pid && pid_has_task(pid, PIDTYPE_TGID))
		nr = pid_nr_ns(pid, ctx->pidns);
	return nla_put_u32(skb, attr, nr);
}

int kipc_nl_put_uid(struct sk_buff *skb, int attr, kuid_t uid,
		    const struct kipc_nl_ctx *ctx)
{
	return nla_put_u32(skb, attr, from_kuid_munged(ctx->cred->user_ns, uid));
}

static int kipc_nl_put_gid(struct sk_buff *skb, int attr, kgid_t gid,
			   const struct kipc_nl_ctx *ctx)
{
	return nla_put_u32(skb, attr, from_kgid_munged(ctx->cred->user_ns, gid));
}

bool kipc_nl_wants(const struct kipc_nl_ctx *ctx, enum kipc_type type,
		   kuid_t uid)
{
	if (ctx->type != KIPC_TYPE_UNSPEC && ctx->type != type)
		return false;
	return !ctx->has_uid || uid_eq(ctx->uid, uid);
}

void *kipc_nl_msg_begin(struct sk_buff *skb, struct kipc_nl_ctx *ctx,
			enum kipc_type type, u64 id)
{
	void *hdr;

	if (ctx->cb) {
		hdr = genlmsg_put(skb, NETLINK_CB(ctx->cb->skb).portid,
				  ctx->cb->nlh->nlmsg_seq, &kipc_nl_family,
				  NLM_F_MULTI, ctx->cmd);
		if (hdr)
			genl_dump_check_consistent(ctx->cb, hdr);
	} else {
		hdr = genlmsg_put(skb, ctx->info->snd_portid,
				  ctx->info->snd_seq, &kipc_nl_family, 0,
				  ctx->cmd);
	}
	if (!hdr)
		return NULL;
	if (kipc_nl_put_u64(skb, KIPC_A_ID, id) ||
	    nla_put_u32(skb, KIPC_A_TYPE, type)) {
		genlmsg_cancel(skb, hdr);
		return NULL;
	}
	return hdr;
}

void kipc_nl_msg_end(struct sk_buff *skb, void *hdr)
{
	genlmsg_end(skb, hdr);
}

void kipc_nl_msg_cancel(struct sk_buff *skb, void *hdr)
{
	genlmsg_cancel(skb, hdr);
}

/* Requesters ------------------------------------------------------------ */

/* The file of the socket request @skb came on (its sender holds it). */
static struct file *kipc_nl_sock_file(const struct sk_buff *skb)
{
	return NETLINK_CB(skb).sk->sk_socket->file;
}

/* Has the opener of the socket request @skb came on @cap? */
static bool kipc_nl_opener_capable(const struct sk_buff *skb, int cap)
{
	return file_ns_capable(kipc_nl_sock_file(skb), &init_user_ns, cap);
}

/* Objects --------------------------------------------------------------- */

/* The uapi type of a registry object. */
static enum kipc_type kipc_nl_type(const struct kipc_object *obj)
{
	return kipc_object_uapi_type(obj->ops->type);
}

/*
 * The common fields of a registry object, taken under kipc_reg_lock (which
 * guards them) and put after it is dropped.
 */
struct kipc_nl_snap {
	kuid_t uid;
	kgid_t gid;
	umode_t mode;
	unsigned int nr_files;
	bool name_visible;
};

static void kipc_nl_snap_locked(struct kipc_object *obj,
				const struct kipc_nl_ctx *ctx,
				struct kipc_nl_snap *snap)
{
	lockdep_assert_held(&kipc_reg_lock);
	snap->uid = obj->uid;
	snap->gid = obj->gid;
	snap->mode = obj->mode;
	snap->nr_files = obj->nr_files;
	snap->name_visible = obj->name &&
		kipc_object_visible_locked(obj, ctx->cred, ctx->cap_ipc_owner) &&
		kipc_object_visible_locked(obj, ctx->opener,
					   ctx->opener_cap_ipc_owner);
}

/* One registry object's message: the common attributes, then its type's. */
static int kipc_nl_fill_obj(struct sk_buff *skb, struct kipc_nl_ctx *ctx,
			    struct kipc_object *obj,
			    const struct kipc_nl_snap *snap)
{
	void *hdr;

	hdr = kipc_nl_msg_begin(skb, ctx, kipc_nl_type(obj), obj->id);
	if (!hdr)
		return -EMSGSIZE;
	if (kipc_nl_put_u64(skb, KIPC_A_CREATE_TIME, obj->create_time) ||
	    kipc_nl_put_pid(skb, KIPC_A_CREATOR_PID, obj->creator, ctx) ||
	    (snap->name_visible &&
	     nla_put_string(skb, KIPC_A_NAME, obj->name)) ||
	    kipc_nl_put_uid(skb, KIPC_A_UID, snap->uid, ctx) ||
	    kipc_nl_put_gid(skb, KIPC_A_GID, snap->gid, ctx) ||
	    kipc_nl_put_uid(skb, KIPC_A_CUID, obj->cuid, ctx) ||
	    kipc_nl_put_gid(skb, KIPC_A_CGID, obj->cgid, ctx) ||
	    nla_put_u32(skb, KIPC_A_MODE, snap->mode) ||
	    nla_put_u32(skb, KIPC_A_FILES, snap->nr_files) ||
	    (obj->ops->nl_fill && obj->ops->nl_fill(obj, skb, ctx))) {
		kipc_nl_msg_cancel(skb, hdr);
		return -EMSGSIZE;
	}
	kipc_nl_msg_end(skb, hdr);
	return 0;
}

/* objects looked at per kipc_reg_lock hold while skipping filtered ones */
#define KIPC_NL_SKIP_BATCH	256

/*
 * The next registry object from ctx->cursor on that the filters want, with
 * a reference and a snapshot; NULL when there are no more.
 */
static struct kipc_object *kipc_nl_next_obj(struct kipc_nl_ctx *ctx,
					    struct kipc_nl_snap *snap)
{
	struct kipc_object *obj;
	unsigned int n;

	for (;;) {
		mutex_lock(&kipc_reg_lock);
		for (n = 0; n < KIPC_NL_SKIP_BATCH; n++) {
			obj = kipc_object_next_locked(&ctx->cursor);
			if (!obj)
				goto out_unlock;
			if (kipc_nl_wants(ctx, kipc_nl_type(obj), obj->uid)) {
				kipc_object_get(obj);
				kipc_nl_snap_locked(obj, ctx, snap);
				goto out_unlock;
			}
			ctx->cursor = obj->id + 1;
		}
		mutex_unlock(&kipc_reg_lock);
		cond_resched();
	}
out_unlock:
	mutex_unlock(&kipc_reg_lock);
	return obj;
}

/* Phase 0: 0 when every registry object is in, -EMSGSIZE when @skb is full. */
static int kipc_nl_dump_registry(struct sk_buff *skb, struct kipc_nl_ctx *ctx)
{
	struct kipc_nl_snap snap;
	struct kipc_object *obj;
	int ret;

	while ((obj = kipc_nl_next_obj(ctx, &snap))) {
		ret = kipc_nl_fill_obj(skb, ctx, obj, &snap);
		if (!ret)
			ctx->cursor = obj->id + 1;
		kipc_object_put(obj);
		if (ret)
			return ret;
	}
	return 0;
}

/* Policies: one per command, strict (see "resv_start_op" below). */
static const struct nla_policy kipc_nl_get_policy[KIPC_A_MAX + 1] = {
	[KIPC_A_ID]		= NLA_POLICY_MIN(NLA_U64, 1),
	[KIPC_A_TYPE]		= NLA_POLICY_RANGE(NLA_U32, KIPC_TYPE_QUEUE,
						   KIPC_TYPE_MAX),
	[KIPC_A_NAME]		= { .type = NLA_NUL_STRING,
				    .len = KIPC_NAME_MAX },
	[KIPC_A_UID]		= { .type = NLA_U32 },
};

static const struct nla_policy kipc_nl_new_policy[KIPC_A_MAX + 1] = {
	[KIPC_A_TYPE]		= NLA_POLICY_RANGE(NLA_U32, KIPC_TYPE_QUEUE,
						   KIPC_TYPE_MAX),
	[KIPC_A_NAME]		= { .type = NLA_NUL_STRING,
				    .len = KIPC_NAME_MAX },
	[KIPC_A_MODE]		= NLA_POLICY_MAX(NLA_U32, 0777),
	[KIPC_A_MAX_MSGS]	= { .type = NLA_U32 },
	[KIPC_A_MAX_MSGSIZE]	= { .type = NLA_U32 },
	[KIPC_A_CAPACITY]	= { .type = NLA_U64 },
};

static const struct nla_policy kipc_nl_del_policy[KIPC_A_MAX + 1] = {
	[KIPC_A_ID]		= NLA_POLICY_MIN(NLA_U64, 1),
	[KIPC_A_TYPE]		= NLA_POLICY_RANGE(NLA_U32, KIPC_TYPE_QUEUE,
						   KIPC_TYPE_MAX),
	[KIPC_A_NAME]		= { .type = NLA_NUL_STRING,
				    .len = KIPC_NAME_MAX },
};

static const struct nla_policy kipc_nl_stats_policy[KIPC_A_MAX + 1] = {
};

/*
 * The dump's .start, where current is the requester.  genetlink validated
 * the request already; parsing it again here reads it the same way on
 * every kernel (where genetlink keeps its parse moved in 6.6).
 */
static int kipc_nl_obj_dump_start(struct netlink_callback *cb)
{
	struct nlattr *attrs[KIPC_A_MAX + 1];
	struct kipc_nl_ctx *ctx;
	int ret;

	ret = nlmsg_parse(cb->nlh, GENL_HDRLEN, attrs, KIPC_A_MAX,
			  kipc_nl_get_policy, cb->extack);
	if (ret)
		return ret;
	ctx = kzalloc(sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	/*
	 * A refusal of the request waits for the first dump call: 6.1 gives
	 * .start no extended ACK (cb->extack is NULL there), the dump calls
	 * have one on every kernel.
	 */
	if (attrs[KIPC_A_ID] || attrs[KIPC_A_NAME]) {
		ctx->refused = KIPC_NL_REFUSE_NOT_FILTER;
		ctx->bad_attr = attrs[KIPC_A_ID] ?: attrs[KIPC_A_NAME];
	}
	if (attrs[KIPC_A_TYPE])
		ctx->type = nla_get_u32(attrs[KIPC_A_TYPE]);
	if (attrs[KIPC_A_UID]) {
		ctx->uid = make_kuid(current_user_ns(),
				     nla_get_u32(attrs[KIPC_A_UID]));
		if (!uid_valid(ctx->uid) && !ctx->refused) {
			ctx->refused = KIPC_NL_REFUSE_UID;
			ctx->bad_attr = attrs[KIPC_A_UID];
		}
		ctx->has_uid = true;
	}
	/* current is the requester here, not necessarily in the dump calls */
	ctx->cred = get_current_cred();
	ctx->opener = get_cred(kipc_nl_sock_file(cb->skb)->f_cred);
	ctx->pidns = get_pid_ns(task_active_pid_ns(current));
	ctx->cap_ipc_owner = ns_capable_noaudit(&init_user_ns, CAP_IPC_OWNER);
	ctx->opener_cap_ipc_owner = kipc_nl_opener_capable(cb->skb,
							   CAP_IPC_OWNER);
	ctx->cmd = KIPC_CMD_OBJ_GET;
	ctx->cb = cb;
	cb->args[0] = (long)ctx;
	return 0;
}

/* The refusal .start found, with its extended ACK: -EINVAL, or 0. */
static int kipc_nl_dump_refusal(struct netlink_callback *cb,
				const struct kipc_nl_ctx *ctx)
{
	switch (ctx->refused) {
	case KIPC_NL_REFUSE_NOT_FILTER:
		NL_SET_ERR_MSG_ATTR(cb->extack, ctx->bad_attr,
				    "a dump filters by KIPC_A_TYPE and KIPC_A_UID only");
		return -EINVAL;
	case KIPC_NL_REFUSE_UID:
		NL_SET_ERR_MSG_ATTR(cb->extack, ctx->bad_attr,
				    "uid not mapped in your user namespace");
		return -EINVAL;
	default:
		return 0;
	}
}

static int kipc_nl_obj_dump_done(struct netlink_callback *cb)
{
	struct kipc_nl_ctx *ctx = (struct kipc_nl_ctx *)cb->args[0];

	if (ctx) {
		put_pid_ns(ctx->pidns);
		put_cred(ctx->opener);
		put_cred(ctx->cred);
		kfree(ctx);
	}
	return 0;
}

static int kipc_nl_obj_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct kipc_nl_ctx *ctx = (struct kipc_nl_ctx *)cb->args[0];
	int ret = 0;

	ctx->cb = cb;
	if (ctx->refused)
		return kipc_nl_dump_refusal(cb, ctx);
	cb->seq = atomic_read(&kipc_nl_gen) ?: 1;
	if (ctx->phase == 0) {
		ret = kipc_nl_dump_registry(skb, ctx);
		if (ret)
			goto out;
		ctx->phase = 1;
		ctx->cursor = 0;
	}
	if (ctx->phase == 1) {
		ret = kipc_link_nl_dump(skb, ctx, &ctx->cursor);
		if (ret)
			goto out;
		ctx->phase = 2;
	}
out:
	if (ret == -EMSGSIZE)
		return skb->len ?: -EMSGSIZE;
	return ret;
}

/* A doit's reader: the sender of @skb, who is current. */
static void kipc_nl_ctx_doit(struct kipc_nl_ctx *ctx, struct sk_buff *skb,
			     struct genl_info *info, u8 cmd)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cred = current_cred();
	ctx->opener = kipc_nl_sock_file(skb)->f_cred;
	ctx->pidns = task_active_pid_ns(current);
	ctx->cap_ipc_owner = ns_capable_noaudit(&init_user_ns, CAP_IPC_OWNER);
	ctx->opener_cap_ipc_owner = kipc_nl_opener_capable(skb, CAP_IPC_OWNER);
	ctx->info = info;
	ctx->cmd = cmd;
}

/*
 * The request names one object: KIPC_A_ID, or KIPC_A_TYPE and KIPC_A_NAME.
 * Sets *@id, or *@type and *@name.
 */
static int kipc_nl_parse_which(struct genl_info *info, u64 *id, u32 *type,
			       const char **name)
{
	struct nlattr **attrs = info->attrs;

	*id = 0;
	*type = KIPC_TYPE_UNSPEC;
	*name = NULL;
	if (attrs[KIPC_A_ID]) {
		if (attrs[KIPC_A_TYPE] || attrs[KIPC_A_NAME]) {
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPC_A_ID],
					    "an object by id or by type and name, not both");
			return -EINVAL;
		}
		*id = nla_get_u64(attrs[KIPC_A_ID]);
		return 0;
	}
	if (!attrs[KIPC_A_TYPE] && !attrs[KIPC_A_NAME]) {
		NL_SET_ERR_MSG(info->extack,
			       "an object by KIPC_A_ID or KIPC_A_TYPE and KIPC_A_NAME");
		return -EINVAL;
	}
	if (GENL_REQ_ATTR_CHECK(info, KIPC_A_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, KIPC_A_NAME))
		return -EINVAL;
	*type = nla_get_u32(attrs[KIPC_A_TYPE]);
	*name = nla_data(attrs[KIPC_A_NAME]);
	if (kipc_object_type_from_uapi(*type) == KIPC_OBJ_NR_TYPES) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPC_A_TYPE],
				    "sessions and links have no name");
		return -EOPNOTSUPP;
	}
	if (kipc_name_check(*name, strlen(*name))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPC_A_NAME],
				    "not a valid object name");
		return -EINVAL;
	}
	return 0;
}

/*
 * Reply with the registry object @obj (the caller holds a reference) in
 * @msg, which the caller allocated (genlmsg_new()); consumes @msg.
 */
static int kipc_nl_reply_obj(struct sk_buff *skb, struct genl_info *info,
			     u8 cmd, struct kipc_object *obj,
			     struct sk_buff *msg)
{
	struct kipc_nl_snap snap;
	struct kipc_nl_ctx ctx;
	int ret;

	kipc_nl_ctx_doit(&ctx, skb, info, cmd);
	mutex_lock(&kipc_reg_lock);
	kipc_nl_snap_locked(obj, &ctx, &snap);
	mutex_unlock(&kipc_reg_lock);
	ret = kipc_nl_fill_obj(msg, &ctx, obj, &snap);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int kipc_nl_obj_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct kipc_object *obj;
	struct kipc_nl_ctx ctx;
	struct sk_buff *msg;
	const char *name;
	u32 type;
	u64 id;
	int ret;

	if (info->attrs[KIPC_A_UID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KIPC_A_UID],
				    "KIPC_A_UID filters dumps only");
		return -EINVAL;
	}
	ret = kipc_nl_parse_which(info, &id, &type, &name);
	if (ret)
		return ret;
	obj = kipc_object_lookup(name ? kipc_object_type_from_uapi(type) :
				 KIPC_OBJ_NR_TYPES, name, id);
	if (obj) {
		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
		ret = msg ? kipc_nl_reply_obj(skb, info, KIPC_CMD_OBJ_GET, obj,
					      msg) : -ENOMEM;
		kipc_object_put(obj);
		return ret;
	}
	if (name)
		return -ENOENT;
	/* a session or link? */
	kipc_nl_ctx_doit(&ctx, skb, info, KIPC_CMD_OBJ_GET);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = kipc_link_nl_get(msg, &ctx, id);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

/*
 * May the sender of @skb create objects it will own?  Only when its socket
 * was opened with the same effective ids, or by someone with CAP_SYS_ADMIN.
 */
static bool kipc_nl_opener_is_sender(const struct sk_buff *skb)
{
	const struct file *file = kipc_nl_sock_file(skb);

	return (uid_eq(file->f_cred->euid, current_euid()) &&
		gid_eq(file->f_cred->egid, current_egid())) ||
	       kipc_nl_opener_capable(skb, CAP_SYS_ADMIN);
}

static int kipc_nl_obj_new_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr **attrs = info->attrs;
	struct kipc_create req = { };
	struct kipc_object *obj;
	struct sk_buff *msg;
	u32 type;
	int ret;

	if (GENL_REQ_ATTR_CHECK(info, KIPC_A_TYPE) ||
	    GENL_REQ_ATTR_CHECK(info, KIPC_A_NAME))
		return -EINVAL;
	if (!kipc_nl_opener_is_sender(skb)) {
		NL_SET_ERR_MSG(info->extack,
			       "the socket's opener is not the sender and lacks CAP_SYS_ADMIN");
		return -EPERM;
	}
	type = nla_get_u32(attrs[KIPC_A_TYPE]);
	if (type != KIPC_TYPE_QUEUE && type != KIPC_TYPE_MAILBOX &&
	    type != KIPC_TYPE_SHM) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPC_A_TYPE],
				    "only queues, mailboxes and shm regions are made this way");
		return -EOPNOTSUPP;
	}
	if (type == KIPC_TYPE_SHM) {
		if (GENL_REQ_ATTR_CHECK(info, KIPC_A_CAPACITY))
			return -EINVAL;
		if (attrs[KIPC_A_MAX_MSGS] || attrs[KIPC_A_MAX_MSGSIZE]) {
			NL_SET_ERR_MSG_ATTR(info->extack,
					    attrs[KIPC_A_MAX_MSGS] ?:
					    attrs[KIPC_A_MAX_MSGSIZE],
					    "a shm region has no message limits");
			return -EINVAL;
		}
	}
	req.mode = attrs[KIPC_A_MODE] ? nla_get_u32(attrs[KIPC_A_MODE]) : 0600;
	if (attrs[KIPC_A_MAX_MSGS])
		req.max_msgs = nla_get_u32(attrs[KIPC_A_MAX_MSGS]);
	if (attrs[KIPC_A_MAX_MSGSIZE])
		req.max_msgsize = nla_get_u32(attrs[KIPC_A_MAX_MSGSIZE]);
	if (attrs[KIPC_A_CAPACITY])
		req.capacity = nla_get_u64(attrs[KIPC_A_CAPACITY]);
	if (kipc_name_check(nla_data(attrs[KIPC_A_NAME]),
			    strlen(nla_data(attrs[KIPC_A_NAME])))) {
		NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPC_A_NAME],
				    "not a valid object name");
		return -EINVAL;
	}
	/* everything that may fail before the object is made, not after */
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	req.name = kstrdup(nla_data(attrs[KIPC_A_NAME]), GFP_KERNEL_ACCOUNT);
	if (!req.name) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	/* the create functions own req.name from here on */
	if (type == KIPC_TYPE_SHM)
		obj = kipc_shm_create(&req);
	else
		obj = kipc_queue_create(&req, type == KIPC_TYPE_MAILBOX);
	if (IS_ERR(obj)) {
		nlmsg_free(msg);
		ret = PTR_ERR(obj);
		if (ret == -EEXIST)
			NL_SET_ERR_MSG_ATTR(info->extack, attrs[KIPC_A_NAME],
					    "an object of this type has this name");
		else if (ret == -EINVAL || ret == -ERANGE)
			NL_SET_ERR_MSG(info->extack,
				       "a mode or limit out of range");
		else if (ret == -EDQUOT)
			NL_SET_ERR_MSG(info->extack, "over your quota");
		return ret;
	}
	/*
	 * The object is made: the request succeeded even if the reply
	 * cannot be delivered (the requester's receive buffer is full).
	 */
	kipc_nl_reply_obj(skb, info, KIPC_CMD_OBJ_NEW, obj, msg);
	kipc_object_put(obj);
	return 0;
}

/* -EOPNOTSUPP when @id is a session or link, -ENOENT when not, -ENOMEM. */
static int kipc_nl_link_exists(struct sk_buff *skb, struct genl_info *info,
			       u64 id)
{
	struct kipc_nl_ctx ctx;
	struct sk_buff *msg;
	int ret;

	kipc_nl_ctx_doit(&ctx, skb, info, KIPC_CMD_OBJ_GET);
	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	ret = kipc_link_nl_get(msg, &ctx, id);
	nlmsg_free(msg);
	return ret == -ENOENT ? -ENOENT : -EOPNOTSUPP;
}

static int kipc_nl_obj_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	const struct cred *opener;
	struct kipc_object *obj;
	bool opener_admin;
	const char *name;
	u32 type;
	u64 id;
	int ret;

	ret = kipc_nl_parse_which(info, &id, &type, &name);
	if (ret)
		return ret;
	opener = kipc_nl_sock_file(skb)->f_cred;
	opener_admin = kipc_nl_opener_capable(skb, CAP_SYS_ADMIN);
	if (name) {
		ret = kipc_object_remove_also(kipc_object_type_from_uapi(type),
					      name, 0, opener, opener_admin);
	} else {
		obj = kipc_object_lookup(KIPC_OBJ_NR_TYPES, NULL, id);
		if (!obj) {
			ret = kipc_nl_link_exists(skb, info, id);
			if (ret == -EOPNOTSUPP)
				NL_SET_ERR_MSG_ATTR(info->extack,
						    info->attrs[KIPC_A_ID],
						    "sessions and links end when their process closes them");
			return ret;
		}
		ret = kipc_object_remove_also(obj->ops->type, NULL, id, opener,
					      opener_admin);
		kipc_object_put(obj);
	}
	if (ret == -EPERM)
		NL_SET_ERR_MSG(info->extack,
			       "neither owner nor creator, nor CAP_SYS_ADMIN (sender and socket opener)");
	return ret;
}

static int kipc_nl_stats_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kipc_nl_family, 0,
				KIPC_CMD_STATS_GET);
	ret = -EMSGSIZE;
	if (!hdr)
		goto out_free;
	ret = kipc_stats_put(msg);
	if (ret)
		goto out_free;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

out_free:
	nlmsg_free(msg);
	return ret;
}

/* Events ---------------------------------------------------------------- */

void kipc_nl_changed(void)
{
	atomic_inc(&kipc_nl_gen);
}

static bool kipc_nl_listened(void)
{
	return READ_ONCE(kipc_nl_live) &&
	       genl_has_listeners(&kipc_nl_family, &init_net,
				  KIPC_NL_MCGRP_EVENTS);
}

/* The pid, in the initial pid namespace, of whoever causes an event. */
static u32 kipc_nl_actor(void)
{
	return current->flags & PF_KTHREAD ? 0 : task_tgid_nr(current);
}

/* A new event message of @cmd, or NULL (then nothing is sent). */
static struct sk_buff *kipc_nl_ev_new(u8 cmd, void **hdr)
{
	struct sk_buff *skb;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	*hdr = genlmsg_put(skb, 0, 0, &kipc_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(skb);
		return NULL;
	}
	return skb;
}

/*
 * Number and send an event built by kipc_nl_ev_new(); consumes @skb.
 * Called with kipc_nl_ev_lock held, so that KIPC_A_SEQ grows in the order
 * the events are delivered.
 */
static void kipc_nl_ev_send_locked(struct sk_buff *skb, void *hdr)
{
	lockdep_assert_held(&kipc_nl_ev_lock);
	if (!kipc_nl_live) {
		nlmsg_free(skb);
		return;
	}
	/* an event that cannot be sent takes its number: listeners see a gap */
	kipc_nl_ev_seq++;
	if (kipc_nl_put_u64(skb, KIPC_A_SEQ, kipc_nl_ev_seq)) {
		nlmsg_free(skb);
		return;
	}
	genlmsg_end(skb, hdr);
	genlmsg_multicast(&kipc_nl_family, skb, 0, KIPC_NL_MCGRP_EVENTS,
			  GFP_KERNEL);
	kipc_stats_event();
}

static void kipc_nl_ev_send(struct sk_buff *skb, void *hdr)
{
	mutex_lock(&kipc_nl_ev_lock);
	kipc_nl_ev_send_locked(skb, hdr);
	mutex_unlock(&kipc_nl_ev_lock);
}

/* An event that could not be built (no memory): its number goes unused. */
static void kipc_nl_ev_lost(void)
{
	mutex_lock(&kipc_nl_ev_lock);
	kipc_nl_ev_seq++;
	mutex_unlock(&kipc_nl_ev_lock);
}

/**
 * struct kipc_nl_ev - an event's attributes
 * @has:	which: BIT_ULL(KIPC_A_*)
 * @id:		KIPC_A_ID
 * @name:	KIPC_A_NAME
 * @val:	the u32 attributes, by attribute number
 */
struct kipc_nl_ev {
	u64 has;
	u64 id;
	const char *name;
	u32 val[KIPC_A_MAX + 1];
};

static void kipc_nl_ev_set(struct kipc_nl_ev *ev, int attr, u32 val)
{
	ev->has |= BIT_ULL(attr);
	ev->val[attr] = val;
}

/* Build, number and send the event @cmd with @ev's attributes. */
static void kipc_nl_ev_emit(u8 cmd, const struct kipc_nl_ev *ev)
{
	struct sk_buff *skb;
	int attr, err = 0;
	void *hdr;

	BUILD_BUG_ON(KIPC_A_MAX >= 64);
	skb = kipc_nl_ev_new(cmd, &hdr);
	if (!skb) {
		kipc_nl_ev_lost();
		return;
	}
	for (attr = 0; attr <= KIPC_A_MAX && !err; attr++) {
		if (!(ev->has & BIT_ULL(attr)))
			continue;
		if (attr == KIPC_A_ID)
			err = kipc_nl_put_u64(skb, attr, ev->id);
		else if (attr == KIPC_A_NAME)
			err = nla_put_string(skb, attr, ev->name);
		else
			err = nla_put_u32(skb, attr, ev->val[attr]);
	}
	if (err) {
		nlmsg_free(skb);
		kipc_nl_ev_lost();
		return;
	}
	kipc_nl_ev_send(skb, hdr);
}

void kipc_nl_obj_event(u8 cmd, struct kipc_object *obj)
{
	struct kipc_nl_ev ev = { .has = BIT_ULL(KIPC_A_ID), .id = obj->id };

	lockdep_assert_held(&kipc_reg_lock);
	if (!kipc_nl_listened())
		return;
	kipc_nl_ev_set(&ev, KIPC_A_TYPE, kipc_nl_type(obj));
	kipc_nl_ev_set(&ev, KIPC_A_UID,
		       from_kuid_munged(&init_user_ns, obj->uid));
	kipc_nl_ev_set(&ev, KIPC_A_MODE, obj->mode);
	kipc_nl_ev_set(&ev, KIPC_A_PID, kipc_nl_actor());
	/* every listener gets it: the name only when everyone may see it */
	if (obj->name && (obj->mode & 0006)) {
		ev.has |= BIT_ULL(KIPC_A_NAME);
		ev.name = obj->name;
	}
	kipc_nl_ev_emit(cmd, &ev);
}

void kipc_nl_session_event(u8 cmd, u64 id, struct pid *pid, kuid_t uid)
{
	struct kipc_nl_ev ev = { .has = BIT_ULL(KIPC_A_ID), .id = id };

	if (!kipc_nl_listened())
		return;
	kipc_nl_ev_set(&ev, KIPC_A_PID, pid_nr(pid));
	if (cmd != KIPC_CMD_PEER_EXIT) {
		kipc_nl_ev_set(&ev, KIPC_A_TYPE, KIPC_TYPE_SESSION);
		kipc_nl_ev_set(&ev, KIPC_A_UID,
			       from_kuid_munged(&init_user_ns, uid));
		kipc_nl_ev_set(&ev, KIPC_A_MODE, 0);
	}
	kipc_nl_ev_emit(cmd, &ev);
}

void kipc_nl_link_event(u8 cmd, u64 id, struct pid *pid, struct pid *peer)
{
	struct kipc_nl_ev ev = { .has = BIT_ULL(KIPC_A_ID), .id = id };

	if (!kipc_nl_listened())
		return;
	kipc_nl_ev_set(&ev, KIPC_A_PID, pid_nr(pid));
	kipc_nl_ev_set(&ev, KIPC_A_PEER_PID, pid_nr(peer));
	kipc_nl_ev_emit(cmd, &ev);
}

void kipc_nl_limit_hit(enum kipc_limit limit, enum kipc_type type, u64 id)
{
	struct kipc_nl_ev ev = { };

	might_sleep();
	kipc_stats_limit(limit);
	if (!kipc_nl_listened())
		return;
	kipc_nl_ev_set(&ev, KIPC_A_LIMIT, limit);
	kipc_nl_ev_set(&ev, KIPC_A_UID,
		       from_kuid_munged(&init_user_ns, current_euid()));
	kipc_nl_ev_set(&ev, KIPC_A_PID, kipc_nl_actor());
	if (id) {
		ev.has |= BIT_ULL(KIPC_A_ID);
		ev.id = id;
		kipc_nl_ev_set(&ev, KIPC_A_TYPE, type);
	}
	kipc_nl_ev_emit(KIPC_CMD_LIMIT_HIT, &ev);
}

/* Family ---------------------------------------------------------------- */

static const struct genl_ops kipc_nl_ops[] = {
	{
		.cmd		= KIPC_CMD_OBJ_GET,
		.doit		= kipc_nl_obj_get_doit,
		.start		= kipc_nl_obj_dump_start,
		.dumpit		= kipc_nl_obj_dumpit,
		.done		= kipc_nl_obj_dump_done,
		.policy		= kipc_nl_get_policy,
		.maxattr	= KIPC_A_MAX,
	},
	{
		.cmd		= KIPC_CMD_OBJ_NEW,
		.doit		= kipc_nl_obj_new_doit,
		.policy		= kipc_nl_new_policy,
		.maxattr	= KIPC_A_MAX,
	},
	{
		.cmd		= KIPC_CMD_OBJ_DEL,
		.doit		= kipc_nl_obj_del_doit,
		.policy		= kipc_nl_del_policy,
		.maxattr	= KIPC_A_MAX,
	},
	{
		.cmd		= KIPC_CMD_STATS_GET,
		.doit		= kipc_nl_stats_get_doit,
		.policy		= kipc_nl_stats_policy,
		.maxattr	= KIPC_A_MAX,
	},
};

static const struct genl_multicast_group kipc_nl_mcgrps[] = {
	[KIPC_NL_MCGRP_EVENTS] = { .name = KIPC_GENL_MCGRP_EVENTS },
};

static struct genl_family kipc_nl_family __ro_after_init = {
	.name		= KIPC_GENL_NAME,
	.version	= KIPC_GENL_VERSION,
	.maxattr	= KIPC_A_MAX,
	.netnsok	= false,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= kipc_nl_ops,
	.n_ops		= ARRAY_SIZE(kipc_nl_ops),
	/*
	 * resv_start_op 0: every command is one "after genetlink started
	 * validating", so the header's reserved byte and unknown nlmsg_flags
	 * are refused too, and a command without a policy would take no
	 * attribute.  Attributes are parsed strictly in any case (no
	 * GENL_DONT_VALIDATE_* flag).
	 */
	.resv_start_op	= 0,
	.mcgrps		= kipc_nl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(kipc_nl_mcgrps),
};

int kipc_nl_init(void)
{
	int ret;

	ret = genl_register_family(&kipc_nl_family);
	if (!ret)
		WRITE_ONCE(kipc_nl_live, true);
	return ret;
}

/*
 * Before the objects go at module exit: no event is sent from here on
 * (the registry's unlinks of the exit would be), and no request runs.
 */
void kipc_nl_exit(void)
{
	mutex_lock(&kipc_nl_ev_lock);
	WRITE_ONCE(kipc_nl_live, false);
	mutex_unlock(&kipc_nl_ev_lock);
	genl_unregister_family(&kipc_nl_family);
}
