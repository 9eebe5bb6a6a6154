// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed requests to kipc's generic netlink family: wrong attribute
 * types and lengths, strings without their NUL, oversized names, unknown
 * attributes, values out of range, both or neither way of naming an
 * object, missing attributes, unknown and event-only commands, truncated
 * headers.  Each is refused with -EINVAL or -ERANGE (-EOPNOTSUPP for a
 * command the family does not serve) and an extended ACK naming the
 * cause, and nothing is created or removed.  Then a small fuzzer:
 * random commands with random attributes, which must always get an
 * answer of the documented kinds and never crash or warn (the runner
 * scans the kernel log).
 */
#include "kipc_test.h"
#include "kipc_nl.h"

FIXTURE(bad) {
	int sfd;
	struct knl nl;
	struct knl_msg m;
	struct knl_names names;
	const char *victim;	/* a queue that must survive */
	uint64_t victim_id;
	long count;		/* objects before the test */
	uint32_t ext_off;	/* of the last refused() request */
	int ext_miss;
	char ext_msg[256];
};

FIXTURE_SETUP(bad)
{
	int fd;

	self->nl.fd = -1;
	KT_SESSION_OR_SKIP(self->sfd);
	KNL_OPEN(&self->nl);
	self->victim = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "v");
	fd = kipc_queue_open(self->sfd, self->victim, KIPC_O_CREAT |
			     KIPC_O_EXCL | KIPC_O_SEND, 0600, NULL,
			     &self->victim_id);
	ASSERT_LE(0, fd);
	close(fd);
	self->count = knl_count(&self->nl, 0);
	ASSERT_LE(1, self->count);
}

FIXTURE_TEARDOWN(bad)
{
	knl_names_remove_all(self->sfd, &self->names);
	knl_close(&self->nl);
	close(self->sfd);
}

/*
 * Send self->m and expect it refused with one of @e1, @e2 (0: only @e1),
 * an extended ACK naming the cause, and no change to the objects: the
 * same count, the victim there, and (@name not NULL) no object of any
 * type named @name.
 */
static void refused(struct __test_metadata *_metadata,
		    FIXTURE_DATA(bad) *self, int e1, int e2,
		    const char *name, const char *what)
{
	struct knl_obj o;
	int ret, t;

	ret = knl_request(&self->nl, &self->m, NULL, NULL, NULL);
	self->ext_off = self->nl.ext_off;
	self->ext_miss = self->nl.ext_miss;
	strcpy(self->ext_msg, self->nl.ext_msg);
	EXPECT_TRUE(ret == -e1 || (e2 && ret == -e2))
		TH_LOG("%s: %d (%s)", what, ret, strerror(-ret));
	EXPECT_TRUE(knl_ext_named(&self->nl))
		TH_LOG("%s: no extended ACK message", what);
	if (self->nl.ext_msg[0])
		TH_LOG("%s: \"%s\" (offset %u)", what, self->nl.ext_msg,
		       self->nl.ext_off);
	EXPECT_EQ(self->count, knl_count(&self->nl, 0))
		TH_LOG("%s: objects created or removed", what);
	EXPECT_EQ(0, knl_get_id(&self->nl, self->victim_id, &o))
		TH_LOG("%s: the victim is gone", what);
	for (t = KIPC_TYPE_QUEUE; name && t <= KIPC_TYPE_SHM; t++)
		EXPECT_EQ(-ENOENT, knl_get_name(&self->nl, t, name, &o))
			TH_LOG("%s: %s made", what, name);
}

/* The offset self->m's error named is @off. */
#define EXPECT_OFFSET(off) do {						\
	if (self->ext_off)						\
		EXPECT_EQ((uint32_t)(off), self->ext_off);		\
} while (0)

static void init(FIXTURE_DATA(bad) *self, uint8_t cmd, uint16_t flags)
{
	knl_msg_init(&self->m, &self->nl, cmd, NLM_F_ACK | flags);
}

TEST_F(bad, id_of_the_wrong_length)
{
	uint32_t off;

	init(self, KIPC_CMD_OBJ_GET, 0);
	off = knl_put_u32(&self->m, KIPC_A_ID, self->victim_id);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "u32 ID");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_DEL, 0);
	off = knl_put_u32(&self->m, KIPC_A_ID, self->victim_id);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "DEL with u32 ID");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_DEL, 0);
	off = knl_put(&self->m, KIPC_A_ID, &self->victim_id, 12);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "12-byte ID");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	off = knl_put(&self->m, KIPC_A_ID, NULL, 0);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "empty ID");
	EXPECT_OFFSET(off);
}

TEST_F(bad, type_and_mode_of_the_wrong_length)
{
	const char *n = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "len");
	uint64_t t64 = KIPC_TYPE_QUEUE;
	uint16_t t16 = KIPC_TYPE_QUEUE;
	uint32_t off;

	init(self, KIPC_CMD_OBJ_NEW, 0);
	off = knl_put(&self->m, KIPC_A_TYPE, &t64, 8);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	refused(_metadata, self, EINVAL, ERANGE, n, "u64 TYPE");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	off = knl_put(&self->m, KIPC_A_TYPE, &t16, 2);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	refused(_metadata, self, EINVAL, ERANGE, n, "u16 TYPE");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	off = knl_put_u64(&self->m, KIPC_A_MODE, 0600);
	refused(_metadata, self, EINVAL, ERANGE, n, "u64 MODE");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	off = knl_put_u32(&self->m, KIPC_A_CAPACITY, 4096);
	refused(_metadata, self, EINVAL, ERANGE, n, "u32 CAPACITY");
	EXPECT_OFFSET(off);
	/* a dump filter too */
	init(self, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	off = knl_put_u64(&self->m, KIPC_A_UID, 0);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "dump, u64 UID");
}

TEST_F(bad, names_without_nul_or_too_long)
{
	char name[KIPC_NAME_MAX + 2];
	static char huge[60000];
	uint32_t off;

	/* the name's bytes, no NUL */
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	off = knl_put(&self->m, KIPC_A_NAME, "kn-nonul", 8);
	refused(_metadata, self, EINVAL, ERANGE, "kn-nonul", "no NUL");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put(&self->m, KIPC_A_NAME, self->victim, strlen(self->victim));
	refused(_metadata, self, EINVAL, ERANGE, NULL, "DEL, no NUL");
	init(self, KIPC_CMD_OBJ_GET, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put(&self->m, KIPC_A_NAME, NULL, 0);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "empty NAME");

	/* KIPC_NAME_MAX + 1 characters */
	memset(name, 'n', sizeof(name));
	name[KIPC_NAME_MAX + 1] = '\0';
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	off = knl_put_str(&self->m, KIPC_A_NAME, name);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "256 characters");
	EXPECT_OFFSET(off);
	/* a huge one */
	memset(huge, 'h', sizeof(huge) - 1);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	off = knl_put(&self->m, KIPC_A_NAME, huge, sizeof(huge));
	ASSERT_NE(0U, off);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "60000 bytes");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_GET, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put(&self->m, KIPC_A_NAME, huge, sizeof(huge));
	refused(_metadata, self, EINVAL, ERANGE, NULL, "GET, 60000 bytes");
}

TEST_F(bad, a_name_of_name_max_is_fine)
{
	char name[KIPC_NAME_MAX + 1];
	struct knl_obj o;

	memset(name, 'm', KIPC_NAME_MAX);
	snprintf(name, 20, "kn-%d-", getpid());
	name[strlen(name)] = 'm';
	name[KIPC_NAME_MAX] = '\0';
	ASSERT_EQ(KIPC_NAME_MAX, (int)strlen(name));
	ASSERT_EQ(0, knl_new(&self->nl, KIPC_TYPE_QUEUE, name, NULL, &o));
	EXPECT_STREQ(name, o.name);
	EXPECT_EQ(0, knl_get_name(&self->nl, KIPC_TYPE_QUEUE, name, &o));
	EXPECT_EQ(0, knl_del_name(&self->nl, KIPC_TYPE_QUEUE, name));
}

TEST_F(bad, unknown_attributes)
{
	const char *n = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "unk");
	static const uint16_t types[] = { KIPC_A_MAX + 1, 1000, 0x7fff };
	uint32_t off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		init(self, KIPC_CMD_OBJ_NEW, 0);
		knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
		knl_put_str(&self->m, KIPC_A_NAME, n);
		off = knl_put_u32(&self->m, types[i], 0);
		refused(_metadata, self, EINVAL, ERANGE, n, "NEW, unknown");
		EXPECT_OFFSET(off);
		init(self, KIPC_CMD_OBJ_DEL, 0);
		knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
		knl_put_u32(&self->m, types[i], 0);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "DEL, unknown");
		init(self, KIPC_CMD_OBJ_GET, 0);
		knl_put_u32(&self->m, types[i], 0);
		knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "GET, unknown");
		init(self, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
		knl_put_u32(&self->m, types[i], 0);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "dump, unknown");
		init(self, KIPC_CMD_STATS_GET, 0);
		knl_put_u32(&self->m, types[i], 0);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "STATS, unknown");
	}
}

/* Attributes of the family that the command does not take. */
TEST_F(bad, attributes_the_command_does_not_take)
{
	const char *n = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "nt");
	uint32_t off;

	init(self, KIPC_CMD_OBJ_GET, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	off = knl_put_u32(&self->m, KIPC_A_MODE, 0600);
	refused(_metadata, self, EINVAL, 0, NULL, "GET with MODE");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
	off = knl_put_str(&self->m, KIPC_A_NAME, self->victim);
	refused(_metadata, self, EINVAL, 0, NULL, "dump with NAME");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	off = knl_put_u64(&self->m, KIPC_A_CAPACITY, 1);
	refused(_metadata, self, EINVAL, 0, NULL, "DEL with CAPACITY");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	off = knl_put_u32(&self->m, KIPC_A_UID, 0);
	refused(_metadata, self, EINVAL, 0, n, "NEW with UID");
	EXPECT_OFFSET(off);
	init(self, KIPC_CMD_STATS_GET, 0);
	off = knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	refused(_metadata, self, EINVAL, 0, NULL, "STATS with ID");
	EXPECT_OFFSET(off);
}

TEST_F(bad, attributes_with_the_nested_flag)
{
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u64(&self->m, KIPC_A_ID | NLA_F_NESTED, self->victim_id);
	refused(_metadata, self, EINVAL, ERANGE, NULL, "nested ID");
}

TEST_F(bad, bytes_left_after_the_attributes)
{
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	/* two bytes that are no attribute */
	self->m.nlh.nlmsg_len += 2;
	refused(_metadata, self, EINVAL, ERANGE, NULL, "trailing bytes");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	/* an attribute header longer than the message */
	knl_put_u32(&self->m, KIPC_A_MODE, 0);
	((struct nlattr *)(self->m.buf + self->m.nlh.nlmsg_len - 8))->nla_len =
		64;
	refused(_metadata, self, EINVAL, ERANGE, NULL, "attribute overruns");
}

TEST_F(bad, types_out_of_range)
{
	const char *n = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "rng");
	static const uint32_t types[] = {
		KIPC_TYPE_MAX + 1, 0x100, 0xffffffff,
	};
	uint32_t off;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		init(self, KIPC_CMD_OBJ_NEW, 0);
		off = knl_put_u32(&self->m, KIPC_A_TYPE, types[i]);
		knl_put_str(&self->m, KIPC_A_NAME, n);
		refused(_metadata, self, EINVAL, ERANGE, n, "NEW, bad type");
		EXPECT_OFFSET(off);
		init(self, KIPC_CMD_OBJ_GET, 0);
		knl_put_u32(&self->m, KIPC_A_TYPE, types[i]);
		knl_put_str(&self->m, KIPC_A_NAME, self->victim);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "GET, bad type");
		init(self, KIPC_CMD_OBJ_DEL, 0);
		knl_put_u32(&self->m, KIPC_A_TYPE, types[i]);
		knl_put_str(&self->m, KIPC_A_NAME, self->victim);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "DEL, bad type");
		init(self, KIPC_CMD_OBJ_GET, NLM_F_DUMP);
		knl_put_u32(&self->m, KIPC_A_TYPE, types[i]);
		refused(_metadata, self, EINVAL, ERANGE, NULL, "dump, bad type");
	}
	/* a mode beyond 0777 */
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	off = knl_put_u32(&self->m, KIPC_A_MODE, 01777);
	refused(_metadata, self, EINVAL, ERANGE, n, "mode 01777");
	EXPECT_OFFSET(off);
}

TEST_F(bad, both_or_neither_way_of_naming)
{
	init(self, KIPC_CMD_OBJ_GET, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(&self->m, KIPC_A_NAME, self->victim);
	refused(_metadata, self, EINVAL, 0, NULL, "GET, both");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	knl_put_str(&self->m, KIPC_A_NAME, self->victim);
	refused(_metadata, self, EINVAL, 0, NULL, "DEL, both");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	knl_put_str(&self->m, KIPC_A_NAME, self->victim);
	refused(_metadata, self, EINVAL, 0, NULL, "DEL, ID and NAME");
	init(self, KIPC_CMD_OBJ_GET, 0);
	refused(_metadata, self, EINVAL, 0, NULL, "GET, neither");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	refused(_metadata, self, EINVAL, 0, NULL, "DEL, neither");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_str(&self->m, KIPC_A_NAME, self->victim);
	refused(_metadata, self, EINVAL, 0, NULL, "DEL, NAME without TYPE");
	init(self, KIPC_CMD_OBJ_DEL, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	refused(_metadata, self, EINVAL, 0, NULL, "DEL, TYPE without NAME");
	init(self, KIPC_CMD_OBJ_GET, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	refused(_metadata, self, EINVAL, 0, NULL, "GET, TYPE without NAME");
}

TEST_F(bad, new_without_what_it_requires)
{
	const char *n = knl_name_new(&self->names, KIPC_TYPE_QUEUE, "req");

	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	refused(_metadata, self, EINVAL, 0, n, "NEW without TYPE");
	EXPECT_TRUE(self->ext_miss == KIPC_A_TYPE || self->ext_msg[0]);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	refused(_metadata, self, EINVAL, 0, NULL, "NEW without NAME");
	EXPECT_TRUE(self->ext_miss == KIPC_A_NAME || self->ext_msg[0]);
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_MODE, 0600);
	refused(_metadata, self, EINVAL, 0, NULL, "NEW with MODE only");
	/* an object named by id: the id is the kernel's to give */
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_QUEUE);
	refused(_metadata, self, EINVAL, 0, NULL, "NEW by ID");
	/* shm: its size is required */
	init(self, KIPC_CMD_OBJ_NEW, 0);
	knl_put_u32(&self->m, KIPC_A_TYPE, KIPC_TYPE_SHM);
	knl_put_str(&self->m, KIPC_A_NAME, n);
	refused(_metadata, self, EINVAL, 0, n, "NEW shm without CAPACITY");
}

/* Send a request with command @cmd and an ID; the answer's -errno. */
static int cmd_answer(FIXTURE_DATA(bad) *self, uint8_t cmd, uint16_t flags)
{
	init(self, cmd, flags);
	knl_put_u64(&self->m, KIPC_A_ID, self->victim_id);
	return knl_request(&self->nl, &self->m, NULL, NULL, NULL);
}

TEST_F(bad, commands_the_family_does_not_serve)
{
	static const uint8_t cmds[] = {
		KIPC_CMD_UNSPEC, KIPC_CMD_LINK_UP, KIPC_CMD_LINK_DOWN,
		KIPC_CMD_PEER_EXIT, KIPC_CMD_LIMIT_HIT, KIPC_CMD_MAX + 1, 200,
		255,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-EOPNOTSUPP, cmd_answer(self, cmds[i], 0))
			TH_LOG("command %u", cmds[i]);
		EXPECT_EQ(-EOPNOTSUPP, cmd_answer(self, cmds[i], NLM_F_DUMP))
			TH_LOG("command %u, dump", cmds[i]);
	}
	/* dumps of the commands that only do */
	EXPECT_EQ(-EOPNOTSUPP, cmd_answer(self, KIPC_CMD_OBJ_DEL, NLM_F_DUMP));
	EXPECT_EQ(-EOPNOTSUPP, cmd_answer(self, KIPC_CMD_OBJ_NEW, NLM_F_DUMP));
	EXPECT_EQ(self->count, knl_count(&self->nl, 0));
	EXPECT_EQ(0, knl_get_id(&self->nl, self->victim_id, NULL));
}

TEST_F(bad, truncated_headers)
{
	char buf[NLMSG_HDRLEN + GENL_HDRLEN + 64];
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct nlmsghdr *r;
	int ret;

	/* a genlmsghdr cut short: -EINVAL */
	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	nlh->nlmsg_type = self->nl.family;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++self->nl.seq;
	buf[NLMSG_HDRLEN] = KIPC_CMD_OBJ_DEL;
	ASSERT_EQ(0, knl_send_raw(&self->nl, buf, nlh->nlmsg_len));
	ret = knl_recv_reply(&self->nl, self->nl.seq, NULL, NULL, NULL);
	EXPECT_EQ(-EINVAL, ret);

	/* an nlmsghdr cut short, or longer than what was sent: dropped */
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_seq = ++self->nl.seq;
	ASSERT_EQ(0, knl_send_raw(&self->nl, buf, 10));
	nlh->nlmsg_len = 200;
	nlh->nlmsg_seq = ++self->nl.seq;
	ASSERT_EQ(0, knl_send_raw(&self->nl, buf, NLMSG_HDRLEN + 8));
	/* whatever came back, the socket works on and nothing changed */
	while (!knl_next(&self->nl, &r, 200))
		;
	EXPECT_EQ(self->count, knl_count(&self->nl, 0));
	EXPECT_EQ(0, knl_get_id(&self->nl, self->victim_id, NULL));
}

/* ---- fuzz ---- */

/* Answers a random request may get. */
static bool fuzz_errno_ok(int ret)
{
	switch (-ret) {
	case 0: case EINVAL: case ERANGE: case ENOENT: case EEXIST:
	case EOPNOTSUPP: case EPERM: case EDQUOT: case EMSGSIZE:
	case ENAMETOOLONG: case E2BIG:
		return true;
	}
	return false;
}

struct fuzz_run {
	uint64_t seed;
	unsigned long iters;
	int bad;		/* first unexpected answer */
	unsigned long bad_iter;
	unsigned long answers[8];	/* 0, EINVAL, ERANGE, ENOENT, other */
};

static void fuzz_value(uint64_t *st, struct knl_msg *m, uint16_t type,
		       const uint64_t *ids, int nids, const char *prefix)
{
	char name[KIPC_NAME_MAX + 8];
	static char big[1200];
	uint64_t v;
	size_t len;

	switch (kt_rand_below(st, 8)) {
	case 0:	/* a u32 of a small value */
		knl_put_u32(m, type, kt_rand_below(st, 10));
		break;
	case 1:	/* a u64: an id that exists, or near one */
		v = ids[kt_rand_below(st, nids)] + kt_rand_below(st, 3) - 1;
		knl_put_u64(m, type, v);
		break;
	case 2:	/* a name of ours, sometimes without its NUL */
		snprintf(name, sizeof(name), "%s-%u", prefix,
			 kt_rand_below(st, 8));
		knl_put(m, type, name, strlen(name) + kt_rand_below(st, 2));
		break;
	case 3:	/* random bytes, random length */
		len = kt_rand_below(st, 20);
		for (v = 0; v < len; v++)
			name[v] = kt_rand64(st);
		knl_put(m, type, name, len);
		break;
	case 4:	/* a long name of ours */
		len = KIPC_NAME_MAX - 1 + kt_rand_below(st, 4);
		memset(name, 'z', len);
		memcpy(name, prefix, strlen(prefix));
		name[len] = '\0';
		knl_put(m, type, name, len + 1);
		break;
	case 5:	/* large */
		memset(big, 'b', sizeof(big));
		knl_put(m, type, big, kt_rand_below(st, sizeof(big)));
		break;
	case 6:	/* extreme numbers */
		knl_put_u64(m, type, kt_rand_below(st, 2) ? ~0ULL : 1ULL << 63);
		break;
	default:
		knl_put_u32(m, type, kt_rand64(st));
		break;
	}
}

static void fuzz(struct fuzz_run *r, struct knl *nl, const uint64_t *ids,
		 int nids, const char *prefix)
{
	uint64_t st = r->seed;
	struct knl_msg *m = malloc(sizeof(*m));
	unsigned long i;
	int ret, n, k;

	for (i = 0; i < r->iters && !r->bad && m; i++) {
		uint8_t cmd = kt_rand_below(&st, 10) ?
			      1 + kt_rand_below(&st, KIPC_CMD_STATS_GET) :
			      kt_rand_below(&st, 256);
		uint16_t flags = kt_rand_below(&st, 5) ? 0 : NLM_F_DUMP;

		if (cmd == KIPC_CMD_OBJ_GET && kt_rand_below(&st, 3) == 0)
			flags = NLM_F_DUMP;
		knl_msg_init(m, nl, cmd, NLM_F_ACK | flags);
		n = kt_rand_below(&st, 5);
		for (k = 0; k < n; k++) {
			uint16_t type = kt_rand_below(&st, 10) ?
					kt_rand_below(&st, KIPC_A_MAX + 1) :
					kt_rand_below(&st, 0x8000);

			/* mostly the naming attributes */
			if (kt_rand_below(&st, 2))
				type = KIPC_A_ID + kt_rand_below(&st, 3);
			if (type == KIPC_A_TYPE && kt_rand_below(&st, 4))
				knl_put_u32(m, type, kt_rand_below(&st, 8));
			else
				fuzz_value(&st, m, type, ids, nids, prefix);
		}
		ret = knl_request(nl, m, NULL, NULL, NULL);
		r->answers[ret == 0 ? 0 : ret == -EINVAL ? 1 :
			   ret == -ERANGE ? 2 : ret == -ENOENT ? 3 : 4]++;
		if (!fuzz_errno_ok(ret)) {
			r->bad = ret;
			r->bad_iter = i;
		}
	}
	free(m);
}

/* The fuzzer as nobody, in a child: 0 or 1 (details in @arg). */
static int fuzz_child(void *arg)
{
	struct fuzz_run *r = arg;
	uint64_t ids[2] = { 1, 2 };
	struct knl nl;
	char prefix[32];

	if (knl_open(&nl))
		return KT_CHILD_SETUP;
	snprintf(prefix, sizeof(prefix), "kn-fz-%d", getppid());
	fuzz(r, &nl, ids, 2, prefix);
	knl_close(&nl);
	return r->bad ? 1 : 0;
}

TEST_F_TIMEOUT(bad, fuzz_random_requests, 300)
{
	struct fuzz_run *r;
	struct knl_list l;
	uint64_t ids[16], max_id;
	char prefix[32];
	size_t i;
	int nids = 0, fd;

	r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, r);
	r->seed = kt_env_ull("KIPC_FUZZ_SEED", 0);
	if (!r->seed)
		r->seed = kt_mono_ns() | 1;
	r->iters = kt_env_ull("KIPC_NL_FUZZ_ITERS", 3000);
	TH_LOG("seed %llu, %lu iterations (KIPC_FUZZ_SEED, KIPC_NL_FUZZ_ITERS)",
	       (unsigned long long)r->seed, r->iters);
	snprintf(prefix, sizeof(prefix), "kn-fz-%d", getpid());

	/* something to find and to remove: a few objects of ours */
	for (i = 0; i < 4; i++) {
		char name[KT_NAME_LEN];

		snprintf(name, sizeof(name), "%s-%zu", prefix, i);
		fd = kipc_queue_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_SEND,
				     0666, NULL, &ids[nids]);
		ASSERT_LE(0, fd);
		close(fd);
		nids++;
	}
	ids[nids++] = self->victim_id;
	/* anything newer than this is the fuzzers' */
	ASSERT_EQ(0, knl_dump_list(&self->nl, 0, -1, &l, NULL));
	for (i = 0, max_id = 0; i < l.n; i++)
		if (l.o[i].v[KIPC_A_ID] > max_id)
			max_id = l.o[i].v[KIPC_A_ID];
	knl_list_free(&l);

	fuzz(r, &self->nl, ids, nids, prefix);
	EXPECT_EQ(0, r->bad) TH_LOG("as root, iteration %lu: %s", r->bad_iter,
				    strerror(-r->bad));
	TH_LOG("as root: %lu ok, %lu EINVAL, %lu ERANGE, %lu ENOENT, %lu other",
	       r->answers[0], r->answers[1], r->answers[2], r->answers[3],
	       r->answers[4]);
	memset(r->answers, 0, sizeof(r->answers));
	r->seed++;
	EXPECT_EQ(0, kt_run_as_nobody(fuzz_child, r))
		TH_LOG("as nobody, iteration %lu: %s", r->bad_iter,
		       strerror(-r->bad));
	TH_LOG("as nobody: %lu ok, %lu EINVAL, %lu ERANGE, %lu ENOENT, %lu other",
	       r->answers[0], r->answers[1], r->answers[2], r->answers[3],
	       r->answers[4]);

	/* the family still answers; remove what the fuzzers made */
	ASSERT_EQ(0, knl_dump_list(&self->nl, 0, -1, &l, NULL));
	for (i = 0; i < l.n; i++)
		if (l.o[i].v[KIPC_A_ID] > max_id &&
		    l.o[i].v[KIPC_A_TYPE] <= KIPC_TYPE_SHM)
			knl_del_id(&self->nl, l.o[i].v[KIPC_A_ID]);
	knl_list_free(&l);
	for (i = 0; i < 4; i++) {
		char name[KT_NAME_LEN];

		snprintf(name, sizeof(name), "%s-%zu", prefix, i);
		kipc_queue_remove(self->sfd, name);
	}
	munmap(r, sizeof(*r));
}

KT_HARNESS_MAIN
