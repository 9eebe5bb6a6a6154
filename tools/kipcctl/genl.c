// SPDX-License-Identifier: GPL-2.0
/*
 * The request path: open a generic netlink socket with extended ACKs,
 * resolve the family, build a message, send it and run the receive loop
 * until the ACK, the end of a dump or an error; and the error messages
 * that name the kernel's extended-ACK text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>

#include <netlink/genl/ctrl.h>

#include "kipcctl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

struct kc_recv {
	struct kc_nl *nl;
	struct kc_reply *reply;
	int err;		/* kernel errno (negative) or callback's */
	bool done;
};

int kc_nl_open(struct kc_nl *nl)
{
	int one = 1, ret;

	memset(nl, 0, sizeof(*nl));
	nl->sk = nl_socket_alloc();
	if (!nl->sk) {
		kc_error("out of memory");
		return -ENOMEM;
	}
	ret = genl_connect(nl->sk);
	if (ret < 0) {
		kc_error("generic netlink socket: %s", nl_geterror(ret));
		goto out_free;
	}
	/* Ask for the kernel's error text; old kernels lack it: ignore. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, KIPC_GENL_NAME);
	if (nl->family < 0) {
		ret = nl->family;
		if (ret == -NLE_OBJ_NOTFOUND)
			kc_error("generic netlink family \"%s\" not found: "
				 "is the kipc module loaded? (modprobe kipc)",
				 KIPC_GENL_NAME);
		else
			kc_error("resolving family \"%s\": %s",
				 KIPC_GENL_NAME, nl_geterror(ret));
		goto out_free;
	}
	return 0;
out_free:
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return -ENOENT;
}

void kc_nl_close(struct kc_nl *nl)
{
	if (nl->sk)
		nl_socket_free(nl->sk);
	nl->sk = NULL;
}

struct nl_msg *kc_msg_new(struct kc_nl *nl, uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags,
			 cmd, KIPC_GENL_VERSION)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/*
 * The NLMSGERR_ATTR_MSG among the TLVs that follow @off bytes of the
 * payload of @nlh (an NLMSG_ERROR or NLMSG_DONE), when the kernel sent one.
 */
static void parse_extack(struct kc_nl *nl, const struct nlmsghdr *nlh,
			 size_t off)
{
	struct nlattr *tb[NLMSGERR_ATTR_MAX + 1];
	char *p;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = NLMSG_ALIGN(off);
	if (nlh->nlmsg_len < NLMSG_HDRLEN + off)
		return;
	if (nla_parse(tb, NLMSGERR_ATTR_MAX,
		      (struct nlattr *)((char *)nlmsg_data(nlh) + off),
		      nlh->nlmsg_len - NLMSG_HDRLEN - off, NULL) < 0 ||
	    !tb[NLMSGERR_ATTR_MSG])
		return;
	p = nla_data(tb[NLMSGERR_ATTR_MSG]);
	snprintf(nl->extack, sizeof(nl->extack), "%.*s",
		 (int)strnlen(p, nla_len(tb[NLMSGERR_ATTR_MSG])), p);
}

static int on_error(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct nlmsghdr *nlh = (void *)((char *)e - NLMSG_HDRLEN);
	struct kc_recv *rc = arg;
	size_t off = sizeof(*e);

	(void)who;
	rc->err = e->error < 0 ? e->error : -EPROTO;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	parse_extack(rc->nl, nlh, off);
	rc->done = true;
	return NL_STOP;
}

/* The ACK, or the end of a dump: NLMSG_DONE carries the dump's errno. */
static int on_done(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct kc_recv *rc = arg;
	int err;

	if (nlh->nlmsg_type == NLMSG_DONE &&
	    nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(err))) {
		memcpy(&err, nlmsg_data(nlh), sizeof(err));
		if (err < 0 && !rc->err) {
			rc->err = err;
			parse_extack(rc->nl, nlh, sizeof(err));
		}
	}
	rc->done = true;
	return NL_STOP;
}

static int on_intr(struct nl_msg *msg, void *arg)
{
	struct kc_recv *rc = arg;

	(void)msg;
	rc->reply->intr = true;
	return NL_OK;
}

static int on_valid(struct nl_msg *msg, void *arg)
{
	struct kc_recv *rc = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *gh;
	int ret;

	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	if (!rc->reply || !rc->reply->fn || rc->err)
		return NL_OK;
	gh = nlmsg_data(nlh);
	ret = rc->reply->fn(gh, genlmsg_attrdata(gh, 0),
			    genlmsg_attrlen(gh, 0), rc->reply->arg);
	if (ret < 0)
		rc->err = ret;
	return NL_OK;
}

static struct nl_cb *request_cb(struct kc_recv *rc)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);

	if (!cb)
		return NULL;
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, rc);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, rc);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, rc);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, on_intr, rc);
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, on_valid, rc);
	return cb;
}

/*
 * Send @msg (consumed) and pass each reply to @r->fn until the ACK or the
 * end of the dump.  Returns 0, the kernel's -errno (its extended-ACK text
 * in nl->extack), the callback's -errno, or -EIO for a netlink failure
 * (nl->nl_err).
 */
int kc_nl_request(struct kc_nl *nl, struct nl_msg *msg, struct kc_reply *r)
{
	struct kc_recv rc = { .nl = nl, .reply = r };
	struct nl_cb *cb;
	int ret;

	nl->nl_err = 0;
	nl->extack[0] = '\0';
	if (r)
		r->intr = false;
	cb = request_cb(&rc);
	if (!cb) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	ret = nl_send_auto(nl->sk, msg);
	nlmsg_free(msg);
	while (ret >= 0 && !rc.done)
		ret = nl_recvmsgs(nl->sk, cb);
	nl_cb_put(cb);
	if (rc.err)
		return rc.err;
	if (ret < 0) {
		nl->nl_err = ret;
		return -EIO;
	}
	return 0;
}

int kc_nl_subscribe(struct kc_nl *nl, const char *group)
{
	int grp = genl_ctrl_resolve_grp(nl->sk, KIPC_GENL_NAME, group);

	if (grp < 0) {
		kc_error("multicast group \"%s\" of family \"%s\": %s", group,
			 KIPC_GENL_NAME, nl_geterror(grp));
		return -ENOENT;
	}
	grp = nl_socket_add_membership(nl->sk, grp);
	if (grp < 0) {
		kc_error("joining group \"%s\": %s", group, nl_geterror(grp));
		return -EIO;
	}
	return 0;
}

/* "kipcctl rm: queue foo: Operation not permitted (kernel: ...)" */
void kc_op_error(struct kc_nl *nl, const char *what, int err)
{
	if (err == -EIO && nl->nl_err)
		kc_error("%s: netlink: %s", what, nl_geterror(nl->nl_err));
	else if (nl->extack[0])
		kc_error("%s: %s (kernel: %s)", what, strerror(-err),
			 nl->extack);
	else
		kc_error("%s: %s", what, strerror(-err));
}

/* ---- objects: a dump into an array, one object by id or name ---- */

struct kc_objs {
	struct kc_obj *v;
	size_t n, cap;
};

static int add_obj(const struct genlmsghdr *gh, struct nlattr *attrs,
		   int len, void *arg)
{
	struct kc_objs *o = arg;
	struct kc_obj *v;

	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 16;
		v = realloc(o->v, o->cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		o->v = v;
	}
	kc_obj_parse(&o->v[o->n++], gh->cmd, attrs, len);
	return 0;
}

static int dump_once(struct kc_nl *nl, uint32_t type, bool by_uid,
		     uint32_t uid, struct kc_objs *o, bool *intr)
{
	struct kc_reply r = { .fn = add_obj, .arg = o };
	struct nl_msg *msg;
	int ret;

	o->n = 0;
	msg = kc_msg_new(nl, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if ((type && nla_put_u32(msg, KIPC_A_TYPE, type) < 0) ||
	    (by_uid && nla_put_u32(msg, KIPC_A_UID, uid) < 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	ret = kc_nl_request(nl, msg, &r);
	*intr = r.intr;
	return ret;
}

#define KC_DUMP_TRIES	4

/*
 * Every object (of @type when not 0, owned by @uid when @by_uid), in id
 * order.  A dump that changed under us (NLM_F_DUMP_INTR) is taken again,
 * a few times, then used with a warning.
 */
int kc_get_objects(struct kc_nl *nl, uint32_t type, bool by_uid,
		   uint32_t uid, struct kc_obj **objs, size_t *n)
{
	struct kc_objs o = { NULL, 0, 0 };
	bool intr = false;
	int tries, ret = 0;

	for (tries = 0; tries < KC_DUMP_TRIES; tries++) {
		ret = dump_once(nl, type, by_uid, uid, &o, &intr);
		if (ret < 0 || !intr)
			break;
	}
	if (ret < 0) {
		free(o.v);
		return ret;
	}
	if (intr)
		kc_warn("objects changed during the dump %d times; "
			"the list may be inconsistent", KC_DUMP_TRIES);
	*objs = o.v;
	*n = o.n;
	return 0;
}

static int one_obj(const struct genlmsghdr *gh, struct nlattr *attrs,
		   int len, void *arg)
{
	struct kc_obj *obj = arg;

	if (obj->cmd)
		return 0;	/* the first reply is the object */
	return kc_obj_parse(obj, gh->cmd, attrs, len);
}

/*
 * Send @cmd (OBJ_GET, OBJ_DEL) for the object @id, or @type and @name;
 * the reply, if any, lands in @obj (obj->cmd stays 0 without one).
 */
int kc_get_object(struct kc_nl *nl, uint8_t cmd, uint64_t id, uint32_t type,
		  const char *name, struct kc_obj *obj)
{
	struct kc_reply r = { .fn = one_obj, .arg = obj };
	struct nl_msg *msg;

	memset(obj, 0, sizeof(*obj));
	msg = kc_msg_new(nl, cmd, 0);
	if (!msg)
		return -ENOMEM;
	if ((name && (nla_put_u32(msg, KIPC_A_TYPE, type) < 0 ||
		      nla_put_string(msg, KIPC_A_NAME, name) < 0)) ||
	    (!name && nla_put_u64(msg, KIPC_A_ID, id) < 0)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return kc_nl_request(nl, msg, &r);
}
