/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Raw generic netlink for the netlink*_test selftests: no libnl, so that a
 * test can send any message, malformed ones included.
 *
 *   knl_open()		a NETLINK_GENERIC socket with NETLINK_EXT_ACK and
 *			NETLINK_CAP_ACK, the "kipc" family id and its
 *			"events" group id resolved (CTRL_CMD_GETFAMILY)
 *   knl_msg_init(), knl_put*(), knl_nest_*()
 *			build a request attribute by attribute
 *   knl_send(), knl_send_raw()
 *   knl_recv_reply()	the replies to one request until its ACK or
 *			NLMSG_DONE (multi-part dumps, NLM_F_DUMP_INTR
 *			counted), each object message parsed into a struct
 *			knl_obj for a callback; the ACK's -errno, and the
 *			extended ACK (message, offset, missing attribute) in
 *			struct knl
 *   knl_get_id(), knl_get_name(), knl_del_*(), knl_new(), knl_dump(),
 *   knl_stats(), knl_join_events(), knl_event()
 *			the family's commands and events
 *
 * Every function returns 0 (or a count) or -errno.  A socket waits at most
 * KNL_RCV_TIMEOUT_S for a reply (-EAGAIN then), so a kernel that never
 * answers fails a test instead of hanging it.
 */
#ifndef KIPC_NL_H
#define KIPC_NL_H

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kipc.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif
#ifndef NLMSGERR_ATTR_MISS_TYPE
#define NLMSGERR_ATTR_MISS_TYPE	5
#endif

#define KNL_RCV_TIMEOUT_S	20
#define KNL_BUF_SIZE		(128 * 1024)	/* > any dump piece */
#define KNL_MSG_MAX		(72 * 1024)	/* > one 64 KiB attribute */
#define KNL_MAX_ERRNO		256

struct knl {
	int fd;
	uint16_t family;
	uint32_t events_grp;
	uint32_t seq;
	/* the receive buffer and what is left of its datagram */
	char *buf;
	size_t len, pos;
	/* the extended ACK of the last error or ACK */
	char ext_msg[256];
	uint32_t ext_off;	/* NLMSGERR_ATTR_OFFS, 0: none */
	int ext_miss;		/* NLMSGERR_ATTR_MISS_TYPE, -1: none */
};

/* One object message (reply or event), flattened. */
struct knl_obj {
	uint8_t cmd;
	uint16_t nlflags;
	uint64_t present;			/* bit per KIPC_A_* */
	uint64_t v[KIPC_A_MAX + 1];
	char name[KIPC_NAME_MAX + 2];
	uint32_t name_len;			/* payload length, NUL included */
};

#define KNL_HAS(o, a)	(!!((o)->present & (1ULL << (a))))

/* Module statistics (KIPC_CMD_STATS_GET). */
struct knl_stats {
	uint64_t present;
	uint64_t v[KIPC_A_MAX + 1];		/* the flat ones */
	uint64_t objects[KIPC_TYPE_MAX + 1];
	uint64_t created[KIPC_TYPE_MAX + 1];
	bool type_seen[KIPC_TYPE_MAX + 1];
	uint64_t limit[KIPC_LIMIT_MAX + 1];
	uint64_t err[KNL_MAX_ERRNO];
};

/* What a dump saw besides its objects. */
struct knl_dump_info {
	unsigned int datagrams;	/* pieces */
	unsigned int messages;	/* object messages */
	unsigned int intr;	/* messages (DONE included) with DUMP_INTR */
	/* in: called once after the first piece was read, if set */
	void (*after_first)(void *arg);
	void *hook_arg;
};

struct knl_msg {
	union {
		struct nlmsghdr nlh;
		char buf[KNL_MSG_MAX];
	};
};

/* ---- building requests ---- */

static inline void knl_msg_init(struct knl_msg *m, const struct knl *nl,
				uint8_t cmd, uint16_t flags)
{
	struct genlmsghdr *g;

	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = nl->family;
	m->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
	g = (struct genlmsghdr *)(m->buf + NLMSG_HDRLEN);
	g->cmd = cmd;
	g->version = KIPC_GENL_VERSION;
}

/*
 * Append attribute @type with @len bytes of @data (NULL: zeroes).  Returns
 * its offset in the message (what NLMSGERR_ATTR_OFFS names), or 0 if it
 * does not fit.
 */
static inline uint32_t knl_put(struct knl_msg *m, uint16_t type,
			       const void *data, size_t len)
{
	uint32_t off = NLMSG_ALIGN(m->nlh.nlmsg_len);
	struct nlattr *a = (struct nlattr *)(m->buf + off);

	if (off + NLA_HDRLEN + NLA_ALIGN(len) > sizeof(m->buf) ||
	    NLA_HDRLEN + len > 0xffff)
		return 0;
	a->nla_type = type;
	a->nla_len = NLA_HDRLEN + len;
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	else
		memset((char *)a + NLA_HDRLEN, 0, len);
	memset((char *)a + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	m->nlh.nlmsg_len = off + NLA_HDRLEN + NLA_ALIGN(len);
	return off;
}

static inline uint32_t knl_put_u32(struct knl_msg *m, uint16_t type,
				   uint32_t v)
{
	return knl_put(m, type, &v, sizeof(v));
}

static inline uint32_t knl_put_u64(struct knl_msg *m, uint16_t type,
				   uint64_t v)
{
	return knl_put(m, type, &v, sizeof(v));
}

static inline uint32_t knl_put_str(struct knl_msg *m, uint16_t type,
				   const char *s)
{
	return knl_put(m, type, s, strlen(s) + 1);
}

static inline struct nlattr *knl_nest_start(struct knl_msg *m, uint16_t type)
{
	uint32_t off = knl_put(m, type | NLA_F_NESTED, NULL, 0);

	return off ? (struct nlattr *)(m->buf + off) : NULL;
}

static inline void knl_nest_end(struct knl_msg *m, struct nlattr *nest)
{
	nest->nla_len = m->buf + m->nlh.nlmsg_len - (char *)nest;
}

/* ---- sending and receiving ---- */

static inline int knl_send_raw(struct knl *nl, const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(nl->fd, buf, len, 0, (struct sockaddr *)&sa,
		   sizeof(sa)) != (ssize_t)len)
		return -errno;
	return 0;
}

/* Send @m with a new sequence number; returns it (> 0) or -errno. */
static inline long knl_send(struct knl *nl, struct knl_msg *m)
{
	int ret;

	m->nlh.nlmsg_seq = ++nl->seq;
	m->nlh.nlmsg_pid = 0;
	ret = knl_send_raw(nl, m->buf, m->nlh.nlmsg_len);
	return ret ? ret : (long)m->nlh.nlmsg_seq;
}

/*
 * The next netlink message, reading a new datagram when the last one is
 * used up.  @timeout_ms < 0: the socket's timeout.  0 on a message, -EAGAIN
 * when none came in time, -EBADMSG on a malformed datagram, -errno.
 */
static inline int knl_next(struct knl *nl, struct nlmsghdr **out,
			   int timeout_ms)
{
	struct nlmsghdr *nlh;
	ssize_t n;

	if (nl->pos >= nl->len) {
		if (timeout_ms >= 0) {
			struct pollfd p = { .fd = nl->fd, .events = POLLIN };

			n = poll(&p, 1, timeout_ms);
			if (n < 0)
				return -errno;
			if (!n)
				return -EAGAIN;
		}
		n = recv(nl->fd, nl->buf, KNL_BUF_SIZE, MSG_TRUNC);
		if (n < 0)
			return -errno;
		if (n > KNL_BUF_SIZE)
			return -EMSGSIZE;
		nl->len = n;
		nl->pos = 0;
	}
	nlh = (struct nlmsghdr *)(nl->buf + nl->pos);
	if (nl->len - nl->pos < NLMSG_HDRLEN ||
	    nlh->nlmsg_len < NLMSG_HDRLEN ||
	    nlh->nlmsg_len > nl->len - nl->pos) {
		nl->pos = nl->len;
		return -EBADMSG;
	}
	nl->pos += NLMSG_ALIGN(nlh->nlmsg_len);
	*out = nlh;
	return 0;
}

/* Parse the extended ACK of NLMSG_ERROR or NLMSG_DONE @nlh into @nl. */
static inline void knl_parse_ext(struct knl *nl, const struct nlmsghdr *nlh)
{
	const char *p = NLMSG_DATA(nlh), *end = (const char *)nlh +
						 nlh->nlmsg_len;
	const struct nlattr *a;

	nl->ext_msg[0] = '\0';
	nl->ext_off = 0;
	nl->ext_miss = -1;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_type == NLMSG_DONE) {
		p += sizeof(int);
	} else {
		const struct nlmsgerr *e = NLMSG_DATA(nlh);

		p += sizeof(*e);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			p += NLMSG_ALIGN(e->msg.nlmsg_len) - NLMSG_HDRLEN;
	}
	for (a = (const void *)p; (const char *)a + NLA_HDRLEN <= end &&
	     a->nla_len >= NLA_HDRLEN &&
	     (const char *)a + a->nla_len <= end;
	     a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len))) {
		const char *d = (const char *)a + NLA_HDRLEN;
		size_t dl = a->nla_len - NLA_HDRLEN;

		switch (a->nla_type & NLA_TYPE_MASK) {
		case NLMSGERR_ATTR_MSG:
			if (dl >= sizeof(nl->ext_msg))
				dl = sizeof(nl->ext_msg) - 1;
			memcpy(nl->ext_msg, d, dl);
			nl->ext_msg[dl] = '\0';
			break;
		case NLMSGERR_ATTR_OFFS:
			if (dl >= 4)
				memcpy(&nl->ext_off, d, 4);
			break;
		case NLMSGERR_ATTR_MISS_TYPE:
			if (dl >= 4) {
				uint32_t t;

				memcpy(&t, d, 4);
				nl->ext_miss = t;
			}
			break;
		}
	}
}

/* Does the last error name its cause (a message or a missing attribute)? */
static inline bool knl_ext_named(const struct knl *nl)
{
	return nl->ext_msg[0] || nl->ext_miss >= 0;
}

static inline uint64_t knl_attr_val(const struct nlattr *a)
{
	const char *d = (const char *)a + NLA_HDRLEN;
	uint32_t u32;
	uint64_t u64;
	uint16_t u16;
	uint8_t u8;

	switch (a->nla_len - NLA_HDRLEN) {
	case 1:
		memcpy(&u8, d, 1);
		return u8;
	case 2:
		memcpy(&u16, d, 2);
		return u16;
	case 4:
		memcpy(&u32, d, 4);
		return u32;
	case 8:
		memcpy(&u64, d, 8);
		return u64;
	}
	return ~0ULL;	/* a length no attribute of the family has */
}

#define knl_for_each_attr(a, start, end)				\
	for ((a) = (const struct nlattr *)(start);			\
	     (const char *)(a) + NLA_HDRLEN <= (const char *)(end) &&	\
	     (a)->nla_len >= NLA_HDRLEN &&				\
	     (const char *)(a) + (a)->nla_len <= (const char *)(end);	\
	     (a) = (const struct nlattr *)((const char *)(a) +		\
					   NLA_ALIGN((a)->nla_len)))

/* Flatten a family message @nlh into @o. */
static inline void knl_parse_obj(const struct nlmsghdr *nlh,
				 struct knl_obj *o)
{
	const struct genlmsghdr *g = NLMSG_DATA(nlh);
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a;

	memset(o, 0, sizeof(*o));
	o->cmd = g->cmd;
	o->nlflags = nlh->nlmsg_flags;
	knl_for_each_attr(a, (const char *)g + GENL_HDRLEN, end) {
		unsigned int t = a->nla_type & NLA_TYPE_MASK;
		size_t dl = a->nla_len - NLA_HDRLEN;

		if (t > KIPC_A_MAX)
			continue;
		o->present |= 1ULL << t;
		if (t == KIPC_A_NAME) {
			o->name_len = dl;
			if (dl > sizeof(o->name) - 1)
				dl = sizeof(o->name) - 1;
			memcpy(o->name, (const char *)a + NLA_HDRLEN, dl);
			o->name[dl] = '\0';
		} else {
			o->v[t] = knl_attr_val(a);
		}
	}
}

typedef int (*knl_cb)(const struct knl_obj *o, void *arg);

/*
 * Receive what answers request @seq: object messages go to @cb (may be
 * NULL; a nonzero return of it is kept and returned at the end), until
 * the ACK (NLMSG_ERROR) or NLMSG_DONE.  Returns the ACK's or DONE's
 * -errno (0: success), or -errno of the socket.
 */
static inline int knl_recv_reply(struct knl *nl, uint32_t seq, knl_cb cb,
				 void *arg, struct knl_dump_info *di)
{
	struct nlmsghdr *nlh;
	struct knl_obj *o = malloc(sizeof(*o));
	int ret, cb_ret = 0;
	bool new_dgram;

	if (!o)
		return -ENOMEM;
	if (di)
		di->datagrams = di->messages = di->intr = 0;
	for (;;) {
		new_dgram = nl->pos >= nl->len;
		if (new_dgram && di && di->datagrams == 1 && di->after_first) {
			di->after_first(di->hook_arg);
			di->after_first = NULL;
		}
		ret = knl_next(nl, &nlh, -1);
		if (ret)
			break;
		if (nlh->nlmsg_seq != seq)
			continue;	/* a late answer to an earlier one */
		if (di && new_dgram)
			di->datagrams++;
		if (di && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			di->intr++;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nlh);

			knl_parse_ext(nl, nlh);
			ret = e->error;
			break;
		}
		if (nlh->nlmsg_type == NLMSG_DONE) {
			int err = 0;

			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int))
				memcpy(&err, NLMSG_DATA(nlh), sizeof(int));
			knl_parse_ext(nl, nlh);
			ret = err;
			break;
		}
		if (nlh->nlmsg_type != nl->family ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
			continue;
		if (di)
			di->messages++;
		knl_parse_obj(nlh, o);
		if (cb && !cb_ret)
			cb_ret = cb(o, arg);
	}
	free(o);
	return ret ? ret : cb_ret;
}

/* Send @m and wait for its answer (knl_recv_reply()). */
static inline int knl_request(struct knl *nl, struct knl_msg *m, knl_cb cb,
			      void *arg, struct knl_dump_info *di)
{
	long seq = knl_send(nl, m);

	if (seq < 0)
		return seq;
	return knl_recv_reply(nl, seq, cb, arg, di);
}

/* ---- the socket ---- */

static inline int knl_ctrl_parse(struct knl *nl, const struct nlmsghdr *nlh)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a, *g, *ga;

	knl_for_each_attr(a, (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			  end) {
		const char *d = (const char *)a + NLA_HDRLEN;

		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID)
			memcpy(&nl->family, d, 2);
		if ((a->nla_type & NLA_TYPE_MASK) != CTRL_ATTR_MCAST_GROUPS)
			continue;
		knl_for_each_attr(g, d, (const char *)a + a->nla_len) {
			const char *name = NULL;
			uint32_t id = 0;

			knl_for_each_attr(ga, (const char *)g + NLA_HDRLEN,
					  (const char *)g + g->nla_len) {
				const char *gd = (const char *)ga + NLA_HDRLEN;

				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_NAME)
					name = gd;
				if (ga->nla_type == CTRL_ATTR_MCAST_GRP_ID)
					memcpy(&id, gd, 4);
			}
			if (name && !strcmp(name, KIPC_GENL_MCGRP_EVENTS))
				nl->events_grp = id;
		}
	}
	return nl->family ? 0 : -ENOENT;
}

static inline void knl_close(struct knl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
	free(nl->buf);
	nl->buf = NULL;
}

/* Open @nl and resolve the family.  0, -ENOENT without it, -errno. */
static inline int knl_open(struct knl *nl)
{
	struct timeval tv = { .tv_sec = KNL_RCV_TIMEOUT_S };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nlmsghdr *nlh;
	struct knl_msg *m;
	int one = 1, ret;
	long seq;

	memset(nl, 0, sizeof(*nl));
	nl->ext_miss = -1;
	nl->buf = malloc(KNL_BUF_SIZE);
	m = malloc(sizeof(*m));
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (!nl->buf || !m || nl->fd < 0) {
		ret = nl->fd < 0 ? -errno : -ENOMEM;
		goto fail;
	}
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(nl->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one,
		       sizeof(one)) ||
	    setsockopt(nl->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) ||
	    bind(nl->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		ret = -errno;
		goto fail;
	}
	memset(m->buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	m->nlh.nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN;
	m->nlh.nlmsg_type = GENL_ID_CTRL;
	m->nlh.nlmsg_flags = NLM_F_REQUEST;
	((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->cmd = CTRL_CMD_GETFAMILY;
	((struct genlmsghdr *)NLMSG_DATA(&m->nlh))->version = 1;
	knl_put_str(m, CTRL_ATTR_FAMILY_NAME, KIPC_GENL_NAME);
	seq = knl_send(nl, m);
	ret = seq < 0 ? (int)seq : 0;
	while (!ret) {
		ret = knl_next(nl, &nlh, -1);
		if (ret || nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			ret = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			ret = ret ? ret : -ENOENT;
		} else if (nlh->nlmsg_type == GENL_ID_CTRL) {
			ret = knl_ctrl_parse(nl, nlh);
			break;
		}
	}
	if (ret)
		goto fail;
	free(m);
	return 0;
fail:
	free(m);
	knl_close(nl);
	return ret;
}

/* Join the "events" group. */
static inline int knl_join_events(struct knl *nl)
{
	int grp = nl->events_grp;

	if (!grp)
		return -ENOENT;
	if (setsockopt(nl->fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &grp,
		       sizeof(grp)))
		return -errno;
	return 0;
}

/*
 * The next event within @timeout_ms into @ev: 0, -EAGAIN when none came,
 * -ENOBUFS when events were lost, -errno.  Other messages are skipped.
 */
static inline int knl_event(struct knl *nl, struct knl_obj *ev,
			    int timeout_ms)
{
	struct nlmsghdr *nlh;
	int ret;

	for (;;) {
		ret = knl_next(nl, &nlh, timeout_ms);
		if (ret)
			return ret;
		if (nlh->nlmsg_type == nl->family &&
		    nlh->nlmsg_len >= NLMSG_HDRLEN + GENL_HDRLEN) {
			knl_parse_obj(nlh, ev);
			return 0;
		}
	}
}

/* ---- the commands ---- */

static inline int knl_copy_cb(const struct knl_obj *o, void *arg)
{
	memcpy(arg, o, sizeof(*o));
	return 0;
}

/* OBJ_GET of id @id into @o (may be NULL). */
static inline int knl_get_id(struct knl *nl, uint64_t id, struct knl_obj *o)
{
	struct knl_msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	if (o)
		memset(o, 0, sizeof(*o));
	knl_msg_init(m, nl, KIPC_CMD_OBJ_GET, NLM_F_ACK);
	knl_put_u64(m, KIPC_A_ID, id);
	ret = knl_request(nl, m, o ? knl_copy_cb : NULL, o, NULL);
	free(m);
	return ret;
}

static inline int knl_get_name(struct knl *nl, uint32_t type,
			       const char *name, struct knl_obj *o)
{
	struct knl_msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	if (o)
		memset(o, 0, sizeof(*o));
	knl_msg_init(m, nl, KIPC_CMD_OBJ_GET, NLM_F_ACK);
	knl_put_u32(m, KIPC_A_TYPE, type);
	knl_put_str(m, KIPC_A_NAME, name);
	ret = knl_request(nl, m, o ? knl_copy_cb : NULL, o, NULL);
	free(m);
	return ret;
}

static inline int knl_del_id(struct knl *nl, uint64_t id)
{
	struct knl_msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	knl_msg_init(m, nl, KIPC_CMD_OBJ_DEL, NLM_F_ACK);
	knl_put_u64(m, KIPC_A_ID, id);
	ret = knl_request(nl, m, NULL, NULL, NULL);
	free(m);
	return ret;
}

static inline int knl_del_name(struct knl *nl, uint32_t type,
			       const char *name)
{
	struct knl_msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	knl_msg_init(m, nl, KIPC_CMD_OBJ_DEL, NLM_F_ACK);
	knl_put_u32(m, KIPC_A_TYPE, type);
	knl_put_str(m, KIPC_A_NAME, name);
	ret = knl_request(nl, m, NULL, NULL, NULL);
	free(m);
	return ret;
}

/* Optional attributes of OBJ_NEW; a zero field is not sent. */
struct knl_new_args {
	uint32_t mode;		/* sent when @has_mode */
	bool has_mode;
	uint32_t max_msgs;
	uint32_t max_msgsize;
	uint64_t capacity;
};

/* OBJ_NEW of @type @name; the reply into @o (may be NULL). */
static inline int knl_new(struct knl *nl, uint32_t type, const char *name,
			  const struct knl_new_args *a, struct knl_obj *o)
{
	struct knl_msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	if (o)
		memset(o, 0, sizeof(*o));
	knl_msg_init(m, nl, KIPC_CMD_OBJ_NEW, NLM_F_ACK);
	knl_put_u32(m, KIPC_A_TYPE, type);
	knl_put_str(m, KIPC_A_NAME, name);
	if (a && a->has_mode)
		knl_put_u32(m, KIPC_A_MODE, a->mode);
	if (a && a->max_msgs)
		knl_put_u32(m, KIPC_A_MAX_MSGS, a->max_msgs);
	if (a && a->max_msgsize)
		knl_put_u32(m, KIPC_A_MAX_MSGSIZE, a->max_msgsize);
	if (a && a->capacity)
		knl_put_u64(m, KIPC_A_CAPACITY, a->capacity);
	ret = knl_request(nl, m, o ? knl_copy_cb : NULL, o, NULL);
	free(m);
	return ret;
}

/*
 * Dump every object (@type 0: any type; @uid -1: any owner), each to @cb.
 * Returns DONE's -errno or @cb's nonzero return.
 */
static inline int knl_dump(struct knl *nl, uint32_t type, int64_t uid,
			   knl_cb cb, void *arg, struct knl_dump_info *di)
{
	struct knl_msg *m = malloc(sizeof(*m));
	int ret;

	if (!m)
		return -ENOMEM;
	knl_msg_init(m, nl, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	if (type)
		knl_put_u32(m, KIPC_A_TYPE, type);
	if (uid >= 0)
		knl_put_u32(m, KIPC_A_UID, (uint32_t)uid);
	ret = knl_request(nl, m, cb, arg, di);
	free(m);
	return ret;
}

/* A growing array of a dump's objects. */
struct knl_list {
	struct knl_obj *o;
	size_t n, cap;
};

static inline int knl_list_cb(const struct knl_obj *o, void *arg)
{
	struct knl_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct knl_obj *p = realloc(l->o, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->o = p;
		l->cap = cap;
	}
	l->o[l->n++] = *o;
	return 0;
}

static inline void knl_list_free(struct knl_list *l)
{
	free(l->o);
	memset(l, 0, sizeof(*l));
}

/* The object with id @id in @l, or NULL. */
static inline const struct knl_obj *knl_list_find(const struct knl_list *l,
						  uint64_t id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->o[i].v[KIPC_A_ID] == id)
			return &l->o[i];
	return NULL;
}

static inline int knl_dump_list(struct knl *nl, uint32_t type, int64_t uid,
				struct knl_list *l, struct knl_dump_info *di)
{
	memset(l, 0, sizeof(*l));
	return knl_dump(nl, type, uid, knl_list_cb, l, di);
}

/* Parse a STATS_GET reply message @nlh. */
static inline void knl_parse_stats(const struct nlmsghdr *nlh,
				   struct knl_stats *st)
{
	const char *end = (const char *)nlh + nlh->nlmsg_len;
	const struct nlattr *a, *n;

	knl_for_each_attr(a, (const char *)NLMSG_DATA(nlh) + GENL_HDRLEN,
			  end) {
		unsigned int t = a->nla_type & NLA_TYPE_MASK;
		uint64_t nv[KIPC_A_MAX + 1] = { 0 };
		uint64_t np = 0;

		if (t > KIPC_A_MAX)
			continue;
		st->present |= 1ULL << t;
		if (t != KIPC_A_STATS_TYPE && t != KIPC_A_STATS_LIMIT &&
		    t != KIPC_A_STATS_ERROR) {
			st->v[t] = knl_attr_val(a);
			continue;
		}
		knl_for_each_attr(n, (const char *)a + NLA_HDRLEN,
				  (const char *)a + a->nla_len) {
			unsigned int nt = n->nla_type & NLA_TYPE_MASK;

			if (nt <= KIPC_A_MAX) {
				nv[nt] = knl_attr_val(n);
				np |= 1ULL << nt;
			}
		}
		if (t == KIPC_A_STATS_TYPE && (np & (1ULL << KIPC_A_TYPE)) &&
		    nv[KIPC_A_TYPE] <= KIPC_TYPE_MAX) {
			st->objects[nv[KIPC_A_TYPE]] = nv[KIPC_A_OBJECTS];
			st->created[nv[KIPC_A_TYPE]] = nv[KIPC_A_CREATED];
			st->type_seen[nv[KIPC_A_TYPE]] = true;
		} else if (t == KIPC_A_STATS_LIMIT &&
			   nv[KIPC_A_LIMIT] <= KIPC_LIMIT_MAX) {
			st->limit[nv[KIPC_A_LIMIT]] = nv[KIPC_A_COUNT];
		} else if (t == KIPC_A_STATS_ERROR &&
			   nv[KIPC_A_ERRNO] < KNL_MAX_ERRNO) {
			st->err[nv[KIPC_A_ERRNO]] = nv[KIPC_A_COUNT];
		}
	}
}

/* KIPC_CMD_STATS_GET into @st. */
static inline int knl_stats(struct knl *nl, struct knl_stats *st)
{
	struct knl_msg *m = malloc(sizeof(*m));
	struct nlmsghdr *nlh;
	long seq;
	int ret, got = 0;

	if (!m)
		return -ENOMEM;
	memset(st, 0, sizeof(*st));
	knl_msg_init(m, nl, KIPC_CMD_STATS_GET, NLM_F_ACK);
	seq = knl_send(nl, m);
	free(m);
	if (seq < 0)
		return seq;
	for (;;) {
		ret = knl_next(nl, &nlh, -1);
		if (ret)
			return ret;
		if (nlh->nlmsg_seq != seq)
			continue;
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			knl_parse_ext(nl, nlh);
			ret = ((struct nlmsgerr *)NLMSG_DATA(nlh))->error;
			return ret ? ret : got ? 0 : -ENODATA;
		}
		if (nlh->nlmsg_type == nl->family) {
			knl_parse_stats(nlh, st);
			got = 1;
		}
	}
}

/* Drain whatever is queued on @nl without waiting. */
static inline void knl_drain(struct knl *nl)
{
	struct nlmsghdr *nlh;

	while (!knl_next(nl, &nlh, 0))
		;
}


/* ---- for the tests (include kipc_test.h first) ---- */
#ifdef KIPC_TEST_H

/* Named objects of any type a test made, removed (as root) in teardown. */
#define KNL_MAX_NAMES	64

struct knl_names {
	int n;
	uint32_t type[KNL_MAX_NAMES];
	char name[KNL_MAX_NAMES][KT_NAME_LEN];
};

static inline const char *knl_name_new(struct knl_names *ns, uint32_t type,
				       const char *tag)
{
	static unsigned int counter;
	char *name;

	if (ns->n == KNL_MAX_NAMES)
		abort();
	ns->type[ns->n] = type;
	name = ns->name[ns->n++];
	snprintf(name, KT_NAME_LEN, "kn-%d-%u-%s", getpid(), counter++, tag);
	return name;
}

/* Remove @type @name through the device: 0 or -errno. */
static inline int knl_dev_remove(int sfd, uint32_t type, const char *name)
{
	switch (type) {
	case KIPC_TYPE_QUEUE:
		return kipc_queue_remove(sfd, name);
	case KIPC_TYPE_MAILBOX:
		return kipc_mailbox_remove(sfd, name);
	case KIPC_TYPE_PIPE:
		return kipc_pipe_remove(sfd, name);
	case KIPC_TYPE_SHM:
		return kipc_shm_remove(sfd, name);
	}
	return -EINVAL;
}

static inline void knl_names_remove_all(int sfd, struct knl_names *ns)
{
	int i;

	for (i = 0; i < ns->n; i++)
		knl_dev_remove(sfd, ns->type[i], ns->name[i]);
	ns->n = 0;
}

static inline const char *knl_attr_name(unsigned int a)
{
	static const char *const names[KIPC_A_MAX + 1] = {
		"UNSPEC", "PAD", "ID", "TYPE", "NAME", "UID", "GID", "CUID",
		"CGID", "MODE", "FLAGS", "CREATOR_PID", "CREATE_TIME",
		"FILES", "MSGS", "BYTES", "MAX_MSGS", "MAX_MSGSIZE",
		"CAPACITY", "WAITERS", "MSGS_IN", "MSGS_OUT", "BYTES_IN",
		"BYTES_OUT", "OWNER_PID", "PID", "PEER_PID", "LINKS", "STATE",
		"READERS", "WRITERS", "HOLDERS", "LOCKS", "SEQ", "LIMIT",
		"STATS_TYPE", "OBJECTS", "CREATED", "STATS_LIMIT",
		"STATS_ERROR", "ERRNO", "COUNT", "EVENTS",
	};

	return a <= KIPC_A_MAX && names[a] ? names[a] : "?";
}

/* An expected attribute value. */
struct knl_kv {
	unsigned int a;
	uint64_t v;
};

static inline void knl_expect_attrs(struct __test_metadata *_metadata,
				    const struct knl_obj *o,
				    const struct knl_kv *kv, size_t n,
				    const char *what)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!KNL_HAS(o, kv[i].a)) {
			EXPECT_TRUE(KNL_HAS(o, kv[i].a))
				TH_LOG("%s: KIPC_A_%s missing", what,
				       knl_attr_name(kv[i].a));
			continue;
		}
		EXPECT_EQ(kv[i].v, o->v[kv[i].a])
			TH_LOG("%s: KIPC_A_%s", what, knl_attr_name(kv[i].a));
	}
}

/* EXPECT each attribute { KIPC_A_x, value } of @o, naming @what. */
#define KNL_EXPECT(o, what, ...) do {					\
	const struct knl_kv _kv[] = { __VA_ARGS__ };			\
	knl_expect_attrs(_metadata, (o), _kv, ARRAY_SIZE(_kv), (what));	\
} while (0)

/* Open @nl or fail the test. */
#define KNL_OPEN(nl) do {						\
	int _r = knl_open(nl);						\
	ASSERT_EQ(0, _r) TH_LOG("genl family \"%s\": %s",		\
				KIPC_GENL_NAME, strerror(-_r));		\
} while (0)

/* The number of objects a dump lists (@type 0: all), or -errno. */
static inline int knl_count_cb(const struct knl_obj *o, void *arg)
{
	(void)o;
	++*(long *)arg;
	return 0;
}

static inline long knl_count(struct knl *nl, uint32_t type)
{
	long n = 0;
	int ret = knl_dump(nl, type, -1, knl_count_cb, &n, NULL);

	return ret ? ret : n;
}

#endif /* KIPC_TEST_H */

#endif /* KIPC_NL_H */
