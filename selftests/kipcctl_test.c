// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl (tools/kipcctl) against the module: objects made through
 * /dev/kipc appear in list (text and --json) and show with the right
 * fields, the filters select, rm works for the owner and is refused for
 * another user, create makes usable objects, stats moves, monitor prints
 * the events in order, and usage errors and unknown objects give their
 * exit statuses and messages.
 *
 * The tool runs as a child (fork/exec from PATH, the guest's /usr/bin), its
 * stdout, stderr and exit status captured.  Without kipcctl the tests skip.
 */
#include <ctype.h>
#include <inttypes.h>

#include "kipc_test.h"

#define KC_OUT_MAX	131072
#define KC_ERR_MAX	8192
#define KC_WAIT_MS	20000	/* longest wait for a kipcctl child */
#define KC_SELF		((uid_t)-1)

struct kc_run {
	int status;		/* exit status; -1 killed, 127 not found */
	char out[KC_OUT_MAX];
	char err[KC_ERR_MAX];
};

/* The next kc_spawn() runs kipcctl with SIGPIPE ignored (as systemd does). */
static bool kc_ignore_sigpipe;

/* A running kipcctl with its stdout and stderr pipes. */
struct kc_child {
	pid_t pid;
	int out, err;
	size_t nout, nerr;
};

static pid_t kc_spawn(struct kc_child *c, uid_t uid,
		      const char *const argv[])
{
	int out[2], err[2];

	memset(c, 0, sizeof(*c));
	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC))
		return -1;
	c->pid = kt_fork();
	if (c->pid == 0) {
		if (dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
			_exit(KT_CHILD_SETUP);
		if (uid != KC_SELF && kt_drop_privs(uid, uid))
			_exit(KT_CHILD_SETUP);
		if (kc_ignore_sigpipe)
			signal(SIGPIPE, SIG_IGN);
		execvp("kipcctl", (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	c->out = out[0];
	c->err = err[0];
	return c->pid;
}

/* Read what is there of @fd into @buf; 0 at EOF, 1 if more may come. */
static int kc_read_some(int fd, char *buf, size_t max, size_t *n)
{
	ssize_t r = read(fd, buf + *n, max - 1 - *n);

	if (r > 0)
		*n += r;
	buf[*n] = '\0';
	return r > 0 || (r < 0 && errno == EINTR);
}

/*
 * Collect @c's output until both pipes close or @until appears on stderr
 * (then return 1 at once, the child still running); 0 at EOF, -1 on time
 * out.
 */
static int kc_collect(struct kc_child *c, struct kc_run *r, const char *until,
		      int timeout_ms)
{
	uint64_t end = kt_mono_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	bool out_open = true, err_open = true;

	while (out_open || err_open) {
		struct pollfd p[2] = {
			{ .fd = out_open ? c->out : -1, .events = POLLIN },
			{ .fd = err_open ? c->err : -1, .events = POLLIN },
		};
		int left = (int)((end - kt_mono_ns()) / NSEC_PER_MSEC);

		if (kt_mono_ns() >= end || poll(p, 2, left) == 0)
			return -1;
		if (p[0].revents)
			out_open = kc_read_some(c->out, r->out, KC_OUT_MAX,
						&c->nout);
		if (p[1].revents)
			err_open = kc_read_some(c->err, r->err, KC_ERR_MAX,
						&c->nerr);
		if (until && strstr(r->err, until))
			return 1;
	}
	return 0;
}

/* Wait for @c (killed after a time out) and close its pipes. */
static void kc_finish(struct kc_child *c, struct kc_run *r, int collected)
{
	if (collected < 0)
		kill(c->pid, SIGKILL);
	r->status = kt_wait(c->pid);
	close(c->out);
	close(c->err);
}

static int kc_runv(struct kc_run *r, uid_t uid, const char *const argv[])
{
	struct kc_child c;

	memset(r, 0, sizeof(*r));
	if (kc_spawn(&c, uid, argv) < 0)
		return -1;
	kc_finish(&c, r, kc_collect(&c, r, NULL, KC_WAIT_MS));
	return r->status;
}

#define KC_ARGV(...)	((const char *[]){ "kipcctl", __VA_ARGS__, NULL })
#define KC(r, ...)	kc_runv((r), KC_SELF, KC_ARGV(__VA_ARGS__))
#define KC_AS(r, uid, ...) kc_runv((r), (uid), KC_ARGV(__VA_ARGS__))

/* The line of @text that contains @word as a whole word, copied to @line. */
static bool kc_line_with(const char *text, const char *word, char *line,
			 size_t len)
{
	size_t wl = strlen(word);
	const char *p = text;

	while ((p = strstr(p, word))) {
		bool start = p == text || isspace((unsigned char)p[-1]);
		bool stop = p[wl] == '\0' || isspace((unsigned char)p[wl]);

		if (start && stop) {
			const char *b = p, *e = strchr(p, '\n');

			while (b > text && b[-1] != '\n')
				b--;
			if (!e)
				e = b + strlen(b);
			snprintf(line, len, "%.*s", (int)(e - b), b);
			return true;
		}
		p += wl;
	}
	return false;
}

/* The JSON object of --json output that has "id":@id, copied to @obj. */
static bool kc_json_obj(const char *text, uint64_t id, char *obj, size_t len)
{
	char key[48];
	const char *p, *b, *e;

	snprintf(key, sizeof(key), "\"id\":%" PRIu64 ",", id);
	p = strstr(text, key);
	if (!p)
		return false;
	for (b = p; b > text && *b != '{'; b--)
		;
	e = strchr(p, '}');
	if (*b != '{' || !e)
		return false;
	snprintf(obj, len, "%.*s", (int)(e - b + 1), b);
	return true;
}

/* The value of "@key":N in @json, or -1. */
static long long kc_json_num(const char *json, const char *key)
{
	char k[64];
	const char *p;

	snprintf(k, sizeof(k), "\"%s\":", key);
	p = strstr(json, k);
	return p ? strtoll(p + strlen(k), NULL, 10) : -1;
}

FIXTURE(kipcctl) {
	int sfd;
	struct kt_names names;
	struct kc_run r;
	char buf[4096];
};

FIXTURE_SETUP(kipcctl)
{
	self->names.n = 0;
	KT_SESSION_OR_SKIP(self->sfd);
	if (KC(&self->r, "--version") == 127)
		SKIP(return, "kipcctl not in PATH (make -C tools/kipcctl)");
	ASSERT_EQ(0, self->r.status) TH_LOG("--version: %s", self->r.err);
	if (KC(&self->r, "stats") == 1 &&
	    strstr(self->r.err, "not found"))
		SKIP(return, "the module has no generic netlink family");
}

FIXTURE_TEARDOWN(kipcctl)
{
	int i;

	for (i = 0; i < self->names.n; i++) {
		kipc_queue_remove(self->sfd, self->names.name[i]);
		kipc_mailbox_remove(self->sfd, self->names.name[i]);
		kipc_shm_remove(self->sfd, self->names.name[i]);
	}
	if (self->sfd >= 0)
		close(self->sfd);
}

/* A queue @name (through the device) with two messages queued. */
static int kc_queue(int sfd, const char *name, unsigned int mode,
		    uint64_t *id)
{
	struct kipc_queue_limits lim = {
		.max_msgsize = 100, .max_msgs = 5, .capacity = 1000,
	};
	int qfd;

	qfd = kipc_queue_open(sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			      KIPC_O_SEND | KIPC_O_RECV, mode, &lim, id);
	if (qfd < 0)
		return qfd;
	if (kt_send_nb(qfd, "hello", 5, 1) || kt_send_nb(qfd, "abc", 3, 1)) {
		close(qfd);
		return -EIO;
	}
	return qfd;
}

TEST_F(kipcctl, list_shows_a_queue_made_through_the_device)
{
	const char *name = kt_names_new(&self->names, "list");
	char id[32], mode[8], type[16], nm[64], owner[32];
	long long msgs, bytes, maxmsgs, msgsize, cap;
	unsigned long long lid;
	uint64_t qid;
	int qfd;

	qfd = kc_queue(self->sfd, name, 0640, &qid);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, KC(&self->r, "list")) TH_LOG("%s", self->r.err);
	ASSERT_TRUE(kc_line_with(self->r.out, name, self->buf,
				 sizeof(self->buf))) TH_LOG("%s", self->r.out);
	ASSERT_EQ(10, sscanf(self->buf, "%llu %15s %63s %31s %7s %lld %lld "
			     "%lld %lld %lld", &lid, type, nm, owner, mode,
			     &msgs, &bytes, &maxmsgs, &msgsize, &cap))
		TH_LOG("line: %s", self->buf);
	snprintf(id, sizeof(id), "%" PRIu64, qid);
	EXPECT_EQ(qid, lid);
	EXPECT_STREQ("queue", type);
	EXPECT_STREQ(name, nm);
	EXPECT_STREQ("root", owner);
	EXPECT_STREQ("0640", mode);
	EXPECT_EQ(2, msgs);
	EXPECT_EQ(8, bytes);
	EXPECT_EQ(5, maxmsgs);
	EXPECT_EQ(100, msgsize);
	EXPECT_EQ(1000, cap);
	EXPECT_NE(NULL, strstr(self->r.out, "------ Queues ------"));
	close(qfd);
}

TEST_F(kipcctl, list_json_has_every_field)
{
	const char *name = kt_names_new(&self->names, "json");
	char want[KT_NAME_LEN + 32];
	uint64_t qid;
	int qfd;

	qfd = kc_queue(self->sfd, name, 0604, &qid);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, KC(&self->r, "list", "--json")) TH_LOG("%s", self->r.err);
	EXPECT_EQ('[', self->r.out[0]);
	EXPECT_STREQ("]\n", self->r.out + strlen(self->r.out) - 2);
	ASSERT_TRUE(kc_json_obj(self->r.out, qid, self->buf,
				sizeof(self->buf))) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), "\"name\":\"%s\"", name);
	EXPECT_NE(NULL, strstr(self->buf, want)) TH_LOG("%s", self->buf);
	EXPECT_NE(NULL, strstr(self->buf, "\"type\":\"queue\""));
	EXPECT_NE(NULL, strstr(self->buf, "\"mode\":\"0604\""));
	EXPECT_EQ(0, kc_json_num(self->buf, "uid"));
	EXPECT_EQ(getpid(), kc_json_num(self->buf, "creator_pid"));
	EXPECT_EQ(1, kc_json_num(self->buf, "files"));
	EXPECT_EQ(2, kc_json_num(self->buf, "msgs"));
	EXPECT_EQ(8, kc_json_num(self->buf, "bytes"));
	EXPECT_EQ(5, kc_json_num(self->buf, "max_msgs"));
	EXPECT_EQ(100, kc_json_num(self->buf, "max_msgsize"));
	EXPECT_EQ(1000, kc_json_num(self->buf, "capacity"));
	EXPECT_EQ(2, kc_json_num(self->buf, "msgs_in"));
	EXPECT_EQ(8, kc_json_num(self->buf, "bytes_in"));
	EXPECT_LT(0, kc_json_num(self->buf, "create_time"));
	close(qfd);
}

/* As nobody: a named queue that stays after the child exits. */
static int kc_nobody_queue(void *arg)
{
	int sfd = kipc_open(0), qfd;

	if (sfd < 0)
		return KT_CHILD_SETUP;
	qfd = kipc_queue_open(sfd, arg, KIPC_O_CREAT | KIPC_O_EXCL |
			      KIPC_O_SEND, 0644, NULL, NULL);
	return qfd < 0 ? kt_status(qfd) : 0;
}

TEST_F(kipcctl, list_filters_by_type_user_and_name)
{
	const char *q = kt_names_new(&self->names, "fq");
	const char *s = kt_names_new(&self->names, "fshm");
	const char *n = kt_names_new(&self->names, "fnobody");
	char glob[KT_NAME_LEN];
	int qfd, shfd;

	qfd = kc_queue(self->sfd, q, 0600, NULL);
	ASSERT_LE(0, qfd);
	shfd = kipc_shm_open(self->sfd, s, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_READ | KIPC_O_WRITE, 0600, 4096, NULL);
	ASSERT_LE(0, shfd);
	ASSERT_EQ(0, kt_run_as_nobody(kc_nobody_queue, (void *)n));

	ASSERT_EQ(0, KC(&self->r, "list", "-t", "shm"));
	EXPECT_TRUE(kc_line_with(self->r.out, s, self->buf, sizeof(self->buf)));
	EXPECT_EQ(NULL, strstr(self->r.out, q));
	EXPECT_EQ(NULL, strstr(self->r.out, "------ Queues"));

	ASSERT_EQ(0, KC(&self->r, "list", "-t", "queue", "--type", "shm"));
	EXPECT_NE(NULL, strstr(self->r.out, q));
	EXPECT_NE(NULL, strstr(self->r.out, s));
	ASSERT_EQ(0, KC(&self->r, "list", "-t", "mailbox,pipe"));
	EXPECT_EQ(NULL, strstr(self->r.out, q));

	ASSERT_EQ(0, KC(&self->r, "list", "-u", "nobody"));
	EXPECT_NE(NULL, strstr(self->r.out, n)) TH_LOG("%s", self->r.out);
	EXPECT_EQ(NULL, strstr(self->r.out, q));
	ASSERT_EQ(0, KC(&self->r, "list", "--user", "0"));
	EXPECT_NE(NULL, strstr(self->r.out, q));
	EXPECT_EQ(NULL, strstr(self->r.out, n));

	snprintf(glob, sizeof(glob), "kt-%d-*-fsh?", getpid());
	ASSERT_EQ(0, KC(&self->r, "list", "-n", glob, "--json"));
	EXPECT_NE(NULL, strstr(self->r.out, s));
	EXPECT_EQ(NULL, strstr(self->r.out, q));
	EXPECT_EQ(NULL, strstr(self->r.out, n));
	close(shfd);
	close(qfd);
}

TEST_F(kipcctl, show_by_id_and_by_name)
{
	const char *name = kt_names_new(&self->names, "show");
	char id[32], want[KT_NAME_LEN + 32];
	uint64_t qid;
	int qfd;

	qfd = kc_queue(self->sfd, name, 0600, &qid);
	ASSERT_LE(0, qfd);
	snprintf(id, sizeof(id), "%" PRIu64, qid);
	snprintf(want, sizeof(want), "\nname         %s\n", name);

	ASSERT_EQ(0, KC(&self->r, "show", id)) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.out, "type         queue\n"));
	EXPECT_NE(NULL, strstr(self->r.out, "msgs         2\n"));

	ASSERT_EQ(0, KC(&self->r, "show", name));
	snprintf(want, sizeof(want), "id           %s\n", id);
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);

	ASSERT_EQ(0, KC(&self->r, "show", "-t", "queue", "--json", name));
	EXPECT_EQ((long long)qid, kc_json_num(self->r.out, "id"));
	EXPECT_EQ(2, kc_json_num(self->r.out, "msgs"));

	/* the right id, the wrong type */
	EXPECT_EQ(1, KC(&self->r, "show", "-t", "shm", id));
	EXPECT_NE(NULL, strstr(self->r.err, "is a queue")) TH_LOG("%s",
								  self->r.err);
	close(qfd);
}

TEST_F(kipcctl, show_of_an_ambiguous_name_needs_a_type)
{
	const char *name = kt_names_new(&self->names, "amb");
	uint64_t sid;
	int qfd, shfd;

	qfd = kc_queue(self->sfd, name, 0600, NULL);
	ASSERT_LE(0, qfd);
	shfd = kipc_shm_open(self->sfd, name, KIPC_O_CREAT | KIPC_O_EXCL |
			     KIPC_O_READ | KIPC_O_WRITE, 0600, 8192, &sid);
	ASSERT_LE(0, shfd);
	EXPECT_EQ(1, KC(&self->r, "show", name));
	EXPECT_NE(NULL, strstr(self->r.err, "ambiguous")) TH_LOG("%s",
								 self->r.err);
	EXPECT_STREQ("", self->r.out);
	ASSERT_EQ(0, KC(&self->r, "show", "-t", "shm", "--json", name));
	EXPECT_EQ((long long)sid, kc_json_num(self->r.out, "id"));
	EXPECT_EQ(8192, kc_json_num(self->r.out, "capacity"));
	close(shfd);
	close(qfd);
}

TEST_F(kipcctl, rm_by_name_and_by_id_for_the_owner)
{
	const char *a = kt_names_new(&self->names, "rma");
	const char *b = kt_names_new(&self->names, "rmb");
	char id[32];
	uint64_t bid;
	int fd;

	fd = kc_queue(self->sfd, a, 0600, NULL);
	ASSERT_LE(0, fd);
	close(fd);
	fd = kc_queue(self->sfd, b, 0600, &bid);
	ASSERT_LE(0, fd);
	close(fd);
	snprintf(id, sizeof(id), "%" PRIu64, bid);
	ASSERT_EQ(0, KC(&self->r, "rm", a, id)) TH_LOG("%s", self->r.err);
	EXPECT_STREQ("", self->r.err);
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, a, KIPC_O_SEND, 0,
					   NULL, NULL));
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, b, KIPC_O_SEND, 0,
					   NULL, NULL));
	EXPECT_EQ(1, KC(&self->r, "rm", "-t", "queue", a));
	EXPECT_NE(NULL, strstr(self->r.err, "No such file")) TH_LOG("%s",
								    self->r.err);
}

TEST_F(kipcctl, rm_is_refused_for_another_user)
{
	const char *name = kt_names_new(&self->names, "rmperm");
	const char *other = kt_names_new(&self->names, "rmok");
	char id[32];
	uint64_t qid;
	int qfd, ofd;

	qfd = kc_queue(self->sfd, name, 0666, &qid);
	ASSERT_LE(0, qfd);
	snprintf(id, sizeof(id), "%" PRIu64, qid);
	EXPECT_EQ(1, KC_AS(&self->r, KT_NOBODY, "rm", id));
	EXPECT_NE(NULL, strstr(self->r.err, "Operation not permitted"))
		TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, id));
	EXPECT_NE(NULL, strstr(self->r.err, "(kernel: "));	/* its ext-ACK */
	EXPECT_EQ(1, KC_AS(&self->r, KT_NOBODY, "rm", "-t", "queue", name));
	EXPECT_NE(NULL, strstr(self->r.err, name)) TH_LOG("%s", self->r.err);
	ofd = kipc_queue_open(self->sfd, name, KIPC_O_SEND, 0, NULL, NULL);
	EXPECT_LE(0, ofd);
	if (ofd >= 0)
		close(ofd);

	/* one failure among several: the others go, the status is 1 */
	ofd = kc_queue(self->sfd, other, 0600, NULL);
	ASSERT_LE(0, ofd);
	close(ofd);
	EXPECT_EQ(1, KC(&self->r, "rm", "-t", "queue", "kt-no-such-name",
			other));
	EXPECT_NE(NULL, strstr(self->r.err, "kt-no-such-name"));
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, other, KIPC_O_SEND, 0,
					   NULL, NULL));
	close(qfd);
}

TEST_F(kipcctl, create_makes_a_usable_queue_and_shm)
{
	const char *q = kt_names_new(&self->names, "mkq");
	const char *s = kt_names_new(&self->names, "mkshm");
	struct kipc_queue_stat qst = { .size = sizeof(qst) };
	struct kipc_shm_stat sst = { .size = sizeof(sst) };
	struct kipc_region reg;
	uint64_t id;
	int qfd, shfd;

	ASSERT_EQ(0, KC(&self->r, "create", "queue", q, "--mode", "0640",
			"--max-msgs", "4", "--msgsize", "1K",
			"--capacity", "2k")) TH_LOG("%s", self->r.err);
	qfd = kipc_queue_open(self->sfd, q, KIPC_O_SEND | KIPC_O_RECV, 0,
			      NULL, &id);
	ASSERT_LE(0, qfd);
	EXPECT_EQ(id, strtoull(self->r.out, NULL, 10));
	ASSERT_EQ(0, kipc_queue_stat(qfd, &qst));
	EXPECT_EQ(0640U, qst.mode);
	EXPECT_EQ(4U, qst.max_msgs);
	EXPECT_EQ(1024U, qst.max_msgsize);
	EXPECT_EQ(2048U, qst.capacity);
	KT_SEND_STR(qfd, "via kipcctl", 7);
	KT_RECV_STR(qfd, KIPC_SEL_FIFO, 0, "via kipcctl");
	close(qfd);

	ASSERT_EQ(0, KC(&self->r, "create", "shm", s, "--size", "8K"));
	shfd = kipc_shm_open(self->sfd, s, KIPC_O_READ | KIPC_O_WRITE, 0, 0, &id);
	ASSERT_LE(0, shfd);
	EXPECT_EQ(id, strtoull(self->r.out, NULL, 10));
	ASSERT_EQ(0, kipc_shm_stat(shfd, &sst));
	EXPECT_EQ(8192U, sst.region_size);
	ASSERT_EQ(0, kipc_shm_map(shfd, PROT_READ | PROT_WRITE, &reg));
	kipc_shm_unmap(&reg);
	close(shfd);

	EXPECT_EQ(1, KC(&self->r, "create", "queue", q));
	EXPECT_NE(NULL, strstr(self->r.err, "File exists"));
	EXPECT_NE(NULL, strstr(self->r.err, "(kernel: ")) TH_LOG("%s",
								 self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, q));
	EXPECT_STREQ("", self->r.out);
}

/* A bound process that waits to be killed; 0 on its pipe once bound. */
static void kc_bound_child(int wfd)
{
	int sfd = kipc_open(0);
	char c = 0;

	if (sfd < 0 || kipc_bind(sfd, 0, NULL) || write(wfd, &c, 1) != 1)
		_exit(KT_CHILD_SETUP);
	for (;;)
		pause();
}

/* The JSON object of the link in @text (the first "type":"link"). */
static bool kc_json_link(const char *text, char *obj, size_t len)
{
	const char *b = strstr(text, "{\"type\":\"link\"");
	const char *e = b ? strchr(b, '}') : NULL;

	if (!e)
		return false;
	snprintf(obj, len, "%.*s", (int)(e - b + 1), b);
	return true;
}

TEST_F(kipcctl, list_shows_sessions_and_links_with_their_pids)
{
	char want[64];
	long long p1, p2;
	int pfd[2], lfd;
	pid_t child;
	char c;

	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, pipe(pfd));
	child = kt_fork();
	ASSERT_LE(0, child);
	if (child == 0)
		kc_bound_child(pfd[1]);
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	lfd = kipc_connect(self->sfd, child, 0);
	ASSERT_LE(0, lfd) TH_LOG("connect: %s", strerror(-lfd));

	ASSERT_EQ(0, KC(&self->r, "list", "-t", "session"));
	snprintf(want, sizeof(want), "%d", getpid());
	EXPECT_TRUE(kc_line_with(self->r.out, want, self->buf,
				 sizeof(self->buf))) TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->buf, " session ")) TH_LOG("%s", self->buf);
	snprintf(want, sizeof(want), "%d", child);
	EXPECT_TRUE(kc_line_with(self->r.out, want, self->buf,
				 sizeof(self->buf))) TH_LOG("%s", self->r.out);
	EXPECT_EQ(NULL, strstr(self->r.out, " link "));

	ASSERT_EQ(0, KC(&self->r, "list", "-t", "link", "--json"));
	ASSERT_TRUE(kc_json_link(self->r.out, self->buf, sizeof(self->buf)))
		TH_LOG("%s", self->r.out);
	p1 = kc_json_num(self->buf, "pid");
	p2 = kc_json_num(self->buf, "peer_pid");
	EXPECT_TRUE((p1 == getpid() && p2 == child) ||
		    (p1 == child && p2 == getpid())) TH_LOG("%s", self->buf);
	EXPECT_NE(NULL, strstr(self->buf, "\"state\":\"up\""));

	/* the child goes: the link is down, its side 0 */
	kt_stop(child);
	ASSERT_EQ(0, KC(&self->r, "list", "-t", "link", "--json"));
	ASSERT_TRUE(kc_json_link(self->r.out, self->buf, sizeof(self->buf)))
		TH_LOG("%s", self->r.out);
	EXPECT_NE(NULL, strstr(self->buf, "\"state\":\"down\""))
		TH_LOG("%s", self->buf);
	p1 = kc_json_num(self->buf, "pid");
	p2 = kc_json_num(self->buf, "peer_pid");
	EXPECT_TRUE((p1 == getpid() && p2 == 0) || (p1 == 0 && p2 == getpid()))
		TH_LOG("%s", self->buf);
	close(lfd);
}

/*
 * A link has no owner of its own: the kernel's uid filter selects it for
 * either side's user, and list -u shows what the kernel selected.
 */
TEST_F(kipcctl, list_by_user_shows_the_links_of_that_user)
{
	char want[64];
	int pfd[2], lfd;
	pid_t child;
	char c;

	ASSERT_EQ(0, kipc_bind(self->sfd, 0, NULL));
	ASSERT_EQ(0, pipe(pfd));
	child = kt_fork();
	ASSERT_LE(0, child);
	if (child == 0)
		kc_bound_child(pfd[1]);
	close(pfd[1]);
	ASSERT_EQ(1, read(pfd[0], &c, 1));
	close(pfd[0]);
	lfd = kipc_connect(self->sfd, child, 0);
	ASSERT_LE(0, lfd) TH_LOG("connect: %s", strerror(-lfd));

	snprintf(want, sizeof(want), "\"peer_pid\":%d", child);
	ASSERT_EQ(0, KC(&self->r, "list", "-t", "link", "-u", "0", "--json"));
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	ASSERT_EQ(0, KC(&self->r, "list", "-u", "root"));
	EXPECT_NE(NULL, strstr(self->r.out, "------ Links"))
		TH_LOG("%s", self->r.out);
	ASSERT_EQ(0, KC(&self->r, "list", "-t", "link", "-u", "nobody"));
	EXPECT_STREQ("", self->r.out);
	kt_stop(child);
	close(lfd);
}

#define KC_CHURN_STABLE	300	/* queues that stay during the dumps */
#define KC_CHURN_DUMPS	4

/* Make and drop anonymous queues until killed. */
static void kc_churn(void)
{
	struct kipc_queue_limits lim = { .capacity = 256 };
	int sfd = kipc_open(0), fd;

	if (sfd < 0)
		_exit(KT_CHILD_SETUP);
	for (;;) {
		fd = kipc_queue_open(sfd, NULL, KIPC_O_CREAT | KIPC_O_SEND,
				     0600, &lim, NULL);
		if (fd >= 0)
			close(fd);
	}
}

/* How many lines of @text start with the id @id. */
static int kc_id_lines(const char *text, uint64_t id)
{
	char key[32];
	const char *p = text;
	int n = 0;

	snprintf(key, sizeof(key), "%" PRIu64 " ", id);
	while (p && *p) {
		if (!strncmp(p, key, strlen(key)))
			n++;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return n;
}

/*
 * A dump in pieces while other queues come and go: it may be redone
 * (NLM_F_DUMP_INTR), but every queue that stayed is listed exactly once.
 * The debug kernel needs well over the harness's default 30 s for it.
 */
TEST_F_TIMEOUT(kipcctl, list_during_churn_lists_each_stable_object_once, 240)
{
	struct kipc_queue_limits lim = { .capacity = 256 };
	uint64_t ids[KC_CHURN_STABLE];
	int fds[KC_CHURN_STABLE];
	int i, d, once;
	pid_t churner;

	for (i = 0; i < KC_CHURN_STABLE; i++) {
		fds[i] = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
					 KIPC_O_SEND | KIPC_O_CLOEXEC, 0600,
					 &lim, &ids[i]);
		ASSERT_LE(0, fds[i]) TH_LOG("queue %d: %s", i,
					    strerror(-fds[i]));
	}
	churner = kt_fork();
	ASSERT_LE(0, churner);
	if (churner == 0)
		kc_churn();
	for (d = 0; d < KC_CHURN_DUMPS; d++) {
		EXPECT_EQ(0, KC(&self->r, "list", "-t", "queue"))
			TH_LOG("%s", self->r.err);
		for (i = 0, once = 0; i < KC_CHURN_STABLE; i++)
			once += kc_id_lines(self->r.out, ids[i]) == 1;
		EXPECT_EQ(KC_CHURN_STABLE, once);
		if (self->r.err[0])
			TH_LOG("dump %d: %s", d, self->r.err);
	}
	kt_stop(churner);
	for (i = 0; i < KC_CHURN_STABLE; i++)
		close(fds[i]);
}

/* "types":{"queue":{"objects":N,"created":N} and "errors":{"ENOENT":N} */
static long long kc_stat(const char *json, const char *section,
			 const char *key)
{
	const char *p = strstr(json, section);

	return p ? kc_json_num(p, key) : -1;
}

TEST_F(kipcctl, stats_count_objects_and_errors)
{
	const char *name = kt_names_new(&self->names, "stats");
	long long objects, created, enoent;
	int qfd;

	ASSERT_EQ(0, KC(&self->r, "stats", "--json")) TH_LOG("%s", self->r.err);
	objects = kc_stat(self->r.out, "\"queue\":{", "objects");
	created = kc_stat(self->r.out, "\"queue\":{", "created");
	enoent = kc_stat(self->r.out, "\"errors\":{", "ENOENT");
	ASSERT_LE(0, objects) TH_LOG("%s", self->r.out);
	ASSERT_LE(objects, created);

	qfd = kc_queue(self->sfd, name, 0600, NULL);
	ASSERT_LE(0, qfd);
	EXPECT_EQ(-ENOENT, kipc_queue_open(self->sfd, "kt-no-such-queue",
					   KIPC_O_SEND, 0, NULL, NULL));
	ASSERT_EQ(0, KC(&self->r, "stats", "--json"));
	EXPECT_EQ(objects + 1, kc_stat(self->r.out, "\"queue\":{", "objects"));
	EXPECT_EQ(created + 1, kc_stat(self->r.out, "\"queue\":{", "created"));
	EXPECT_EQ(enoent < 0 ? 1 : enoent + 1,
		  kc_stat(self->r.out, "\"errors\":{", "ENOENT"))
		TH_LOG("%s", self->r.out);
	EXPECT_LE(2, kc_json_num(self->r.out, "msgs_in"));

	ASSERT_EQ(0, KC(&self->r, "stats"));
	EXPECT_NE(NULL, strstr(self->r.out, "\nqueue "));
	EXPECT_NE(NULL, strstr(self->r.out, "ENOENT"));
	close(qfd);
}

/* Start "kipcctl monitor ARGS" and wait until it listens. */
static int kc_monitor_start(struct kc_child *c, struct kc_run *r,
			    const char *const argv[])
{
	memset(r, 0, sizeof(*r));
	if (kc_spawn(c, KC_SELF, argv) < 0)
		return -1;
	if (kc_collect(c, r, "listening", KC_WAIT_MS) != 1) {
		kc_finish(c, r, -1);
		return -1;
	}
	return 0;
}

TEST_F(kipcctl, monitor_prints_create_and_remove_in_order)
{
	const char *name = kt_names_new(&self->names, "mon");
	unsigned long long seq1 = 0, seq2 = 0;
	char want[256], *l2;
	struct kc_child c;
	uint64_t qid;
	int qfd;

	ASSERT_EQ(0, kc_monitor_start(&c, &self->r,
				      KC_ARGV("monitor", "-c", "2")))
		TH_LOG("monitor: %s", self->r.err);
	qfd = kc_queue(self->sfd, name, 0644, &qid);
	ASSERT_LE(0, qfd);
	close(qfd);
	ASSERT_EQ(0, kipc_queue_remove(self->sfd, name));
	kc_finish(&c, &self->r, kc_collect(&c, &self->r, NULL, KC_WAIT_MS));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);

	snprintf(want, sizeof(want), " new type=queue id=%" PRIu64
		 " name=%s uid=0 mode=0644 pid=%d\n", qid, name, getpid());
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	snprintf(want, sizeof(want), " del type=queue id=%" PRIu64
		 " name=%s uid=0 mode=0644 pid=%d\n", qid, name, getpid());
	l2 = strstr(self->r.out, want);
	EXPECT_NE(NULL, l2) TH_LOG("%s", self->r.out);
	EXPECT_EQ(1, sscanf(self->r.out, "seq=%llu new", &seq1));
	l2 = strchr(self->r.out, '\n');
	ASSERT_NE(NULL, l2);
	EXPECT_EQ(1, sscanf(l2 + 1, "seq=%llu del", &seq2));
	EXPECT_EQ(seq1 + 1, seq2);
	l2 = strchr(l2 + 1, '\n');		/* the end of the second line */
	ASSERT_NE(NULL, l2);
	EXPECT_STREQ("", l2 + 1);		/* and nothing after it */
}

TEST_F(kipcctl, monitor_json_hides_a_private_name)
{
	const char *name = kt_names_new(&self->names, "monj");
	struct kc_child c;
	uint64_t qid;
	int qfd;

	ASSERT_EQ(0, kc_monitor_start(&c, &self->r,
				      KC_ARGV("monitor", "--json", "-T",
					      "--count", "1")));
	qfd = kc_queue(self->sfd, name, 0600, &qid);
	ASSERT_LE(0, qfd);
	kc_finish(&c, &self->r, kc_collect(&c, &self->r, NULL, KC_WAIT_MS));
	ASSERT_EQ(0, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_EQ((long long)qid, kc_json_num(self->r.out, "id"));
	EXPECT_NE(NULL, strstr(self->r.out, "\"event\":\"new\""));
	EXPECT_NE(NULL, strstr(self->r.out, "\"time\":\"2"));
	EXPECT_EQ(NULL, strstr(self->r.out, "\"name\""))
		TH_LOG("0600: no name in events: %s", self->r.out);
	EXPECT_EQ(getpid(), kc_json_num(self->r.out, "pid"));
	close(qfd);
}

TEST_F(kipcctl, monitor_exits_cleanly_on_sigint)
{
	struct kc_child c;

	ASSERT_EQ(0, kc_monitor_start(&c, &self->r, KC_ARGV("monitor")));
	ASSERT_EQ(0, kill(c.pid, SIGINT));
	kc_finish(&c, &self->r, kc_collect(&c, &self->r, NULL, KC_WAIT_MS));
	EXPECT_EQ(0, self->r.status);
	EXPECT_STREQ("", self->r.out);
}

#define KC_FLOOD	3000	/* events: far more than a socket buffer holds */
#define KC_GAP_TRIES	100	/* events made, 200 ms apart, to see the gap */

/*
 * A stopped monitor's receive buffer overflows: once it runs again it says
 * so (ENOBUFS), and the first event after the lost ones shows the gap in
 * the sequence numbers.
 */
TEST_F(kipcctl, monitor_reports_lost_events)
{
	struct kc_child c;
	int i, fd;

	ASSERT_EQ(0, kc_monitor_start(&c, &self->r,
				      KC_ARGV("monitor", "--json")));
	ASSERT_EQ(0, kill(c.pid, SIGSTOP));
	for (i = 0; i < KC_FLOOD / 2; i++) {
		fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				     KIPC_O_SEND, 0600, NULL, NULL);
		ASSERT_LE(0, fd);
		close(fd);		/* new, then del */
	}
	ASSERT_EQ(0, kill(c.pid, SIGCONT));
	/*
	 * ENOBUFS comes first, before the queued events; the socket takes
	 * new ones only once they are read, so make events until the gap
	 * shows.
	 */
	for (i = 0; i < KC_GAP_TRIES &&
	     !strstr(self->r.err, "events lost (seq"); i++) {
		fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				     KIPC_O_SEND, 0600, NULL, NULL);
		ASSERT_LE(0, fd);
		close(fd);
		kc_collect(&c, &self->r, "events lost (seq", 200);
	}
	kill(c.pid, SIGTERM);
	kc_finish(&c, &self->r, kc_collect(&c, &self->r, NULL, KC_WAIT_MS));
	EXPECT_EQ(0, self->r.status);
	EXPECT_NE(NULL, strstr(self->r.err, "receive buffer overflow (ENOBUFS)"))
		TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, "events lost (seq"))
		TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.out, "\"event\":\"del\""));
}

TEST_F(kipcctl, names_are_escaped_in_json_and_text)
{
	char name[KT_NAME_LEN], want[KT_NAME_LEN * 2];
	uint64_t qid;
	int qfd;

	/* a space, a quote, a backslash, UTF-8: all valid in a name */
	snprintf(name, sizeof(name), "kt-%d \"q\\ \xc3\xa9", getpid());
	strcpy(self->names.name[self->names.n++], name);
	qfd = kc_queue(self->sfd, name, 0600, &qid);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, KC(&self->r, "show", "--json", name))
		TH_LOG("%s", self->r.err);
	snprintf(want, sizeof(want), "\"name\":\"kt-%d \\\"q\\\\ \xc3\xa9\"",
		 getpid());
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	ASSERT_EQ(0, KC(&self->r, "list", "-t", "queue"));
	snprintf(want, sizeof(want), "kt-%d\\x20\"q\\x5c\\x20\xc3\xa9 ",
		 getpid());
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	close(qfd);

	/* not UTF-8: the byte as \u00XX, so that the JSON stays valid */
	snprintf(name, sizeof(name), "kt-%d-\xff", getpid());
	strcpy(self->names.name[self->names.n++], name);
	qfd = kc_queue(self->sfd, name, 0600, &qid);
	ASSERT_LE(0, qfd);
	ASSERT_EQ(0, KC(&self->r, "list", "--json", "-t", "queue"));
	snprintf(want, sizeof(want), "\"name\":\"kt-%d-\\u00ff\"", getpid());
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	close(qfd);
}

TEST_F(kipcctl, usage_errors_exit_2)
{
	const char *const *cases[] = {
		KC_ARGV("list", "--bogus"),
		KC_ARGV("frobnicate"),
		KC_ARGV("list", "-t", "nosuchtype"),
		KC_ARGV("list", "extra"),
		KC_ARGV("show"),
		KC_ARGV("rm"),
		KC_ARGV("create", "queue"),
		KC_ARGV("create", "pipe", "x"),
		KC_ARGV("create", "queue", "x", "--capacity", "12Q"),
		KC_ARGV("create", "shm", "x"),
		KC_ARGV("monitor", "-c", "zero"),
		KC_ARGV("list", "-u", "kt-no-such-user"),
		KC_ARGV("list", "-t", ","),
		KC_ARGV("show", "-t", "", "x"),
		KC_ARGV("list", "-t", "queue,queue,queue,queue,queue,queue,"
			"queue,queue,queue,queue,queue,queue,queue,queue,"
			"queue,queue,queue,queue,queue,queue,queue,queue"),
		KC_ARGV("create", "queue", "x", "--max-msgs"),
	};
	size_t i;

	EXPECT_EQ(2, kc_runv(&self->r, KC_SELF,
			     (const char *[]){ "kipcctl", NULL }));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		EXPECT_EQ(2, kc_runv(&self->r, KC_SELF, cases[i]))
			TH_LOG("case %zu (%s %s)", i, cases[i][1], cases[i][2]);
		EXPECT_NE(NULL, strstr(self->r.err, "kipcctl"));
		EXPECT_STREQ("", self->r.out);
	}
	/* a long option is named as typed, not by its getopt value */
	EXPECT_EQ(2, KC(&self->r, "create", "queue", "x", "--msgsize"));
	EXPECT_NE(NULL, strstr(self->r.err, "'--msgsize'"))
		TH_LOG("%s", self->r.err);
	EXPECT_EQ(2, KC(&self->r, "list", "--type"));
	EXPECT_NE(NULL, strstr(self->r.err, "'--type'"))
		TH_LOG("%s", self->r.err);
	/* an unknown letter in a cluster after a long option is the letter */
	EXPECT_EQ(2, KC(&self->r, "list", "--json", "-xj"));
	EXPECT_NE(NULL, strstr(self->r.err, "'-x'")) TH_LOG("%s", self->r.err);
	EXPECT_EQ(0, KC(&self->r, "--help"));
	EXPECT_NE(NULL, strstr(self->r.out, "Usage: kipcctl"));
	EXPECT_EQ(0, KC(&self->r, "rm", "--help"));
	EXPECT_NE(NULL, strstr(self->r.out, "Usage: kipcctl rm"));
}

TEST_F(kipcctl, unknown_objects_exit_1_with_a_message)
{
	EXPECT_EQ(1, KC(&self->r, "show", "18446744073709551615"));
	EXPECT_NE(NULL, strstr(self->r.err, "No such file")) TH_LOG("%s",
								    self->r.err);
	EXPECT_EQ(1, KC(&self->r, "show", "kt-no-such-object"));
	EXPECT_NE(NULL, strstr(self->r.err, "no object named "
			       "'kt-no-such-object'")) TH_LOG("%s", self->r.err);
	EXPECT_EQ(1, KC(&self->r, "rm", "kt-no-such-object"));
	EXPECT_NE(NULL, strstr(self->r.err, "kt-no-such-object"));
	EXPECT_EQ(1, KC(&self->r, "show", "-t", "session", "name"));
	EXPECT_STREQ("", self->r.out);
}

/*
 * A dump the kernel refuses reports the refusal in its NLMSG_DONE (the
 * first dump call's errno and extended ACK): that is an error, not an
 * empty list.  (uid 4294967295 is mapped in no user namespace.)
 */
TEST_F(kipcctl, a_refused_dump_is_an_error_not_an_empty_list)
{
	EXPECT_EQ(1, KC(&self->r, "list", "-u", "4294967295"));
	EXPECT_STREQ("", self->r.out);
	EXPECT_NE(NULL, strstr(self->r.err, "Invalid argument"))
		TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, "not mapped"))
		TH_LOG("the kernel's message: %s", self->r.err);
	EXPECT_EQ(1, KC(&self->r, "list", "--json", "-t", "queue", "-u",
			"4294967295"));
	EXPECT_STREQ("", self->r.out);
}

/*
 * C1 controls (U+0080..U+009F, which terminals may obey) and bytes that
 * are not UTF-8 are escaped in text (\xNN) and JSON (\u00XX): a name
 * cannot drive the terminal of whoever lists the objects.
 */
TEST_F(kipcctl, c1_controls_and_bad_utf8_are_escaped)
{
	char name[KT_NAME_LEN], want[KT_NAME_LEN * 4];
	uint64_t qid;
	int qfd;

	snprintf(name, sizeof(name), "kt-%d-\xc2\x9b" "2J-\x9b" "2J-\xc2\xa0",
		 getpid());
	strcpy(self->names.name[self->names.n++], name);
	qfd = kc_queue(self->sfd, name, 0644, &qid);
	ASSERT_LE(0, qfd);

	ASSERT_EQ(0, KC(&self->r, "list", "-t", "queue"));
	snprintf(want, sizeof(want), "kt-%d-\\xc2\\x9b2J-\\x9b2J-\xc2\xa0",
		 getpid());
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	EXPECT_EQ(NULL, strchr(self->r.out, '\x9b')) TH_LOG("%s", self->r.out);

	ASSERT_EQ(0, KC(&self->r, "show", name));
	EXPECT_EQ(NULL, strchr(self->r.out, '\x9b')) TH_LOG("%s", self->r.out);

	ASSERT_EQ(0, KC(&self->r, "show", "--json", name));
	snprintf(want, sizeof(want),
		 "\"name\":\"kt-%d-\\u009b2J-\\u009b2J-\xc2\xa0\"", getpid());
	EXPECT_NE(NULL, strstr(self->r.out, want)) TH_LOG("%s", self->r.out);
	EXPECT_EQ(NULL, strchr(self->r.out, '\x9b')) TH_LOG("%s", self->r.out);
	close(qfd);
}

#define KC_PIPE_TRIES	50	/* events made, 100 ms apart */

/*
 * With SIGPIPE ignored, a monitor whose reader went away gets EPIPE: it
 * says so and exits with 1, instead of running on, printing to nobody.
 */
TEST_F(kipcctl, monitor_exits_1_when_its_reader_is_gone)
{
	struct kc_child c;
	int i, fd, left;

	kc_ignore_sigpipe = true;
	i = kc_monitor_start(&c, &self->r, KC_ARGV("monitor"));
	kc_ignore_sigpipe = false;
	ASSERT_EQ(0, i) TH_LOG("monitor: %s", self->r.err);
	close(c.out);			/* the reader goes */
	c.out = -1;
	for (i = 0; i < KC_PIPE_TRIES; i++) {
		struct pollfd p = { .fd = c.err, .events = POLLIN };

		fd = kipc_queue_open(self->sfd, NULL, KIPC_O_CREAT |
				     KIPC_O_SEND, 0600, NULL, NULL);
		ASSERT_LE(0, fd);
		close(fd);		/* new, then del */
		if (poll(&p, 1, 100) > 0 &&
		    !kc_read_some(c.err, self->r.err, KC_ERR_MAX, &c.nerr))
			break;		/* stderr closed: it exited */
	}
	/* what is left of its stderr, then its exit status */
	for (left = KC_WAIT_MS / 100; left > 0; left--) {
		struct pollfd p = { .fd = c.err, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 &&
		    !kc_read_some(c.err, self->r.err, KC_ERR_MAX, &c.nerr))
			break;
	}
	kc_finish(&c, &self->r, left > 0 ? 0 : -1);
	EXPECT_EQ(1, self->r.status) TH_LOG("%s", self->r.err);
	EXPECT_NE(NULL, strstr(self->r.err, "Broken pipe"))
		TH_LOG("%s", self->r.err);
}

KT_HARNESS_MAIN
