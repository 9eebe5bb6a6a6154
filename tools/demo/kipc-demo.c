// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-demo: a tour of kipc for newcomers: message queues, direct links,
 * request-reply, mailboxes and pipes.
 *
 * The parent opens a session, prints the module's version and features and
 * creates the named queue "demo".  A consumer process opens it to receive
 * and two producer processes open it to send:
 *
 *   consumer   blocks in a FIFO receive, gets producer 1's three messages
 *              in order, then takes producer 2's messages by priority and
 *              by type, meets EMSGSIZE (the message stays queued) and
 *              EAGAIN (non-blocking receive on the empty queue)
 *   producer 1 sends three messages of types 1, 2, 3
 *   producer 2 sends six messages of mixed types once the consumer is done
 *              with the first three, so that the selections are clear
 *
 * Then the parent shows a deadline, the queue's counters and what removal
 * does.  Four more tours follow, each process with a session of its own
 * (a session is bound to one process, so children open theirs after fork):
 *
 *   direct link    a receiver and a sender bind their sessions; the sender
 *                  sends to the receiver's pid, the receiver prints the
 *                  sender's pid as the kernel stamped it, then sees the
 *                  sender exit (ECONNRESET); the parent's unbound session
 *                  gets ENOTCONN
 *   request-reply  a server loops on kipc_reply_recv(), a client makes
 *                  three kipc_call() round trips, then exits, which the
 *                  server sees as ECONNRESET
 *   mailbox        an owner creates a mailbox that only it may receive from
 *                  and that dies with it; two producers send to it (asking
 *                  to receive gives EACCES); the owner receives and exits,
 *                  and the mailbox is gone (EIDRM, ENOENT)
 *   pipe           the parent makes an anonymous pipe and a full-duplex
 *                  channel; a forked reader takes the pipe's read end,
 *                  the parent writes a few lines and closes its end; the
 *                  reader reads to EOF and answers over the channel with
 *                  the line count and a checksum, which the parent checks
 *   shared counter the parent creates a shared memory region holding a
 *                  counter and a robust lock; three workers map it and
 *                  each adds to the counter under the lock; the parent
 *                  prints the exact total and removes the region
 *
 * Last, kipcctl (tools/kipcctl) shows the same objects from outside, through
 * the generic netlink family: "kipcctl monitor" is started, the parent
 * creates a queue with two messages and a shared memory region, prints
 * "kipcctl list" while they exist, removes them with "kipcctl rm", then
 * prints the four events the monitor saw.  Without kipcctl in PATH the
 * step is skipped.
 *
 * Socketpairs order the steps so that the output is always the same.  The
 * parent prints "demo: OK" only if everything went as expected, and exits
 * with 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <kipc.h>

#define DEMO_QUEUE	"demo"
#define DEMO_MAILBOX	"demo-inbox"
#define DEMO_SHM	"demo-counter"
#define DEMO_TOOL	"demo-tool"	/* the queue and region kipcctl shows */
#define TOOL_EVENTS	"4"		/* two made, two removed */
#define TOOL_OUT_MAX	8192
#define SHM_WORKERS	3
#define SHM_ADDS	10000	/* increments of each worker */
#define DEMO_ALARM	60	/* seconds: no step may hang the demo */
#define NSEC_PER_MSEC	1000000ULL

struct demo_msg {
	const char *text;
	uint64_t type;
};

static const struct demo_msg producer1_msgs[] = {
	{ "hello 1", 1 }, { "hello 2", 2 }, { "hello 3", 3 },
};

#define LONG_TEXT	"a longer message than 16 bytes"

static const struct demo_msg producer2_msgs[] = {
	{ "news", 2 }, { "chatter", 1 }, { "alert", 9 }, { "status", 5 },
	{ "debug", 7 }, { LONG_TEXT, 4 },
};

/* What the consumer asks for, and what it must get. */
struct demo_step {
	const char *label;
	enum kipc_select sel;
	uint64_t arg;
	const char *text;
	uint64_t type;
	int producer;		/* 1 or 2 */
};

static const struct demo_step fifo_steps[] = {
	{ "FIFO:", KIPC_SEL_FIFO, 0, "hello 1", 1, 1 },
	{ "FIFO:", KIPC_SEL_FIFO, 0, "hello 2", 2, 1 },
	{ "FIFO:", KIPC_SEL_FIFO, 0, "hello 3", 3, 1 },
};

static const struct demo_step select_steps[] = {
	{ "PRIO:", KIPC_SEL_PRIO, 0, "alert", 9, 2 },
	{ "PRIO:", KIPC_SEL_PRIO, 0, "debug", 7, 2 },
	{ "TYPE_EQ 2:", KIPC_SEL_TYPE_EQ, 2, "news", 2, 2 },
	{ "TYPE_LE 5:", KIPC_SEL_TYPE_LE, 5, "chatter", 1, 2 },
	{ "TYPE_NE 4:", KIPC_SEL_TYPE_NE, 4, "status", 5, 2 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* "EAGAIN" for -EAGAIN */
static const char *err_name(long ret)
{
	const char *name = strerrorname_np((int)-ret);

	return name ? name : "unknown error";
}

/* Print "UNEXPECTED" when @ok is false; return @ok. */
static bool expect(bool ok, const char *who, const char *what)
{
	if (!ok)
		printf("%s UNEXPECTED: %s\n", who, what);
	return ok;
}

static bool expect_ret(long ret, long want, const char *who, const char *what)
{
	if (ret == want)
		return true;
	printf("%s UNEXPECTED: %s returned %ld (%s), expected %ld\n", who,
	       what, ret, ret < 0 ? err_name(ret) : "ok", want);
	return false;
}

static bool write_all(int fd, const void *buf, size_t len)
{
	return write(fd, buf, len) == (ssize_t)len;
}

static bool read_all(int fd, void *buf, size_t len)
{
	return read(fd, buf, len) == (ssize_t)len;
}

static bool expect_byte(int sock, char want)
{
	char c;

	return read_all(sock, &c, 1) && c == want;
}

/* ------------------------------------------------------------ producers */

static int producer_main(int sfd, int n)
{
	const struct demo_msg *msgs = n == 1 ? producer1_msgs : producer2_msgs;
	size_t nr = n == 1 ? ARRAY_SIZE(producer1_msgs) :
			     ARRAY_SIZE(producer2_msgs);
	char who[48], line[128];
	size_t i, len;
	int qfd, ret;

	snprintf(who, sizeof(who), "[producer %d pid %d]", n, (int)getpid());
	/* a send-only opening of the queue the parent created */
	qfd = kipc_queue_open(sfd, DEMO_QUEUE, KIPC_O_SEND | KIPC_O_CLOEXEC,
			      0, NULL, NULL);
	if (!expect_ret(qfd < 0 ? qfd : 0, 0, who, "kipc_queue_open"))
		return 1;
	/* all said before the first send: the consumer prints after this */
	for (i = 0, len = 0; i < nr; i++) {
		len += snprintf(line + len, sizeof(line) - len, "%s'%.8s%s' type %"
				PRIu64, i % 3 ? ", " : "", msgs[i].text,
				strlen(msgs[i].text) > 8 ? "..." : "",
				msgs[i].type);
		if (i % 3 == 2 || i == nr - 1) {
			printf("%s sends %s\n", who, line);
			len = 0;
		}
	}
	for (i = 0; i < nr; i++) {
		ret = kipc_queue_send(qfd, msgs[i].text, strlen(msgs[i].text),
				      msgs[i].type);
		if (!expect_ret(ret, 0, who, "kipc_queue_send"))
			return 1;
	}
	close(qfd);
	return 0;
}

/* ------------------------------------------------------------- consumer */

static ssize_t consumer_recv(int qfd, const struct demo_step *s, char *buf,
			     size_t len, struct kipc_msg_info *info)
{
	switch (s->sel) {
	case KIPC_SEL_FIFO:
		return kipc_queue_recv(qfd, buf, len, info);
	case KIPC_SEL_PRIO:
		return kipc_queue_recv_prio(qfd, buf, len, info);
	default:
		return kipc_queue_recv_type(qfd, buf, len, s->sel, s->arg,
					    info);
	}
}

/*
 * One blocking receive; check it against @s and, when known, the producers'
 * pids.  *@sender gets the sender's pid.
 */
static bool consumer_step(int qfd, const char *who, const struct demo_step *s,
			  const pid_t *producers, uint64_t *last_seq,
			  pid_t *sender)
{
	struct kipc_msg_info info;
	char buf[64];
	ssize_t n;
	bool ok;

	n = consumer_recv(qfd, s, buf, sizeof(buf), &info);
	if (!expect_ret(n < 0 ? n : 0, 0, who, s->label))
		return false;
	printf("%s %-10s got '%.*s' from pid %d uid %u type %" PRIu64
	       " (seq %" PRIu64 ")\n", who, s->label, (int)n, buf,
	       (int)info.sender_pid, (unsigned int)info.sender_uid,
	       (uint64_t)info.type, (uint64_t)info.seq);
	ok = expect((size_t)n == strlen(s->text) && !memcmp(buf, s->text, n),
		    who, "wrong message");
	ok &= expect(info.type == s->type, who, "wrong type");
	ok &= expect(info.len == (uint64_t)n, who, "info.len is not the length");
	if (producers)
		ok &= expect(info.sender_pid == producers[s->producer - 1],
			     who, "wrong sender pid");
	*sender = info.sender_pid;
	if (last_seq) {
		ok &= expect(info.seq > *last_seq, who, "FIFO out of order");
		*last_seq = info.seq;
	}
	return ok;
}

/* The message of type 4 into a buffer too small, then one large enough. */
static bool consumer_too_small(int qfd, const char *who)
{
	struct kipc_queue_stat st;
	struct kipc_msg_info info;
	char small[16], *big;
	ssize_t n;
	bool ok;

	n = kipc_queue_recv(qfd, small, sizeof(small), &info);
	if (!expect_ret(n, -EMSGSIZE, who, "receive into 16 bytes"))
		return false;
	ok = expect(info.len == strlen(LONG_TEXT), who, "info.len");
	ok &= expect(!kipc_queue_stat(qfd, &st) && st.nr_msgs == 1, who,
		     "the message is not queued any more");
	printf("%s 16-byte buffer: EMSGSIZE, info.len %" PRIu64 ", %" PRIu64
	       " still queued\n", who, (uint64_t)info.len,
	       (uint64_t)st.nr_msgs);

	big = malloc(info.len);
	if (!expect(big != NULL, who, "out of memory"))
		return false;
	n = kipc_queue_recv(qfd, big, info.len, &info);
	if (expect_ret(n < 0 ? n : 0, 0, who, "receive into a larger buffer")) {
		printf("%s %zd-byte buffer: got '%.*s' type %" PRIu64 "\n",
		       who, n, (int)n, big, (uint64_t)info.type);
		ok &= expect((size_t)n == strlen(LONG_TEXT) &&
			     !memcmp(big, LONG_TEXT, n), who, "wrong message");
	} else {
		ok = false;
	}
	free(big);
	return ok;
}

static int consumer_main(int sfd, int sock)
{
	pid_t producers[2], fifo_senders[ARRAY_SIZE(fifo_steps)], sender;
	uint64_t last_seq = 0;
	char buf[64], who[48];
	bool ok = true;
	size_t i;
	int qfd;
	long ret;

	snprintf(who, sizeof(who), "[consumer pid %d]", (int)getpid());
	qfd = kipc_queue_open(sfd, DEMO_QUEUE, KIPC_O_RECV | KIPC_O_CLOEXEC,
			      0, NULL, NULL);
	if (!expect_ret(qfd < 0 ? qfd : 0, 0, who, "kipc_queue_open"))
		return 1;
	printf("%s opened '%s' receive-only; waiting in a blocking receive\n",
	       who, DEMO_QUEUE);
	if (!write_all(sock, "r", 1))
		return 1;

	/* 1: whatever producer 1 sends, in order, as it arrives */
	for (i = 0; i < ARRAY_SIZE(fifo_steps); i++)
		ok &= consumer_step(qfd, who, &fifo_steps[i], NULL, &last_seq,
				    &fifo_senders[i]);
	if (!write_all(sock, "f", 1) ||
	    !read_all(sock, producers, sizeof(producers)))
		return 1;
	/* the producers' pids are known only now */
	for (i = 0; i < ARRAY_SIZE(fifo_steps); i++)
		ok &= expect(fifo_senders[i] == producers[0], who,
			     "a FIFO message not from producer 1");

	/* 2: producer 2's six messages are all queued: select among them */
	printf("%s all of producer 2's messages are queued; selecting:\n",
	       who);
	for (i = 0; i < ARRAY_SIZE(select_steps); i++)
		ok &= consumer_step(qfd, who, &select_steps[i], producers,
				    NULL, &sender);
	ok &= consumer_too_small(qfd, who);

	ret = kipc_queue_timedrecv(qfd, buf, sizeof(buf), KIPC_SEL_FIFO, 0,
				   KIPC_MSG_NONBLOCK, 0, NULL);
	ok &= expect_ret(ret, -EAGAIN, who, "non-blocking receive");
	printf("%s non-blocking receive on the empty queue: %s\n", who,
	       err_name(ret));
	ret = kipc_queue_send(qfd, "x", 1, 0);
	ok &= expect_ret(ret, -EBADF, who, "send on a receive-only fd");
	printf("%s send on this receive-only fd: %s\n", who, err_name(ret));
	close(qfd);
	return ok ? 0 : 1;
}

/* --------------------------------------------------------------- parent */

/* Fork a child that exits with fn(@a, @b); it first closes @close_fd. */
static pid_t spawn(int (*fn)(int a, int b), int a, int b, int close_fd)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("demo: fork");
	} else if (pid == 0) {
		if (close_fd >= 0)
			close(close_fd);
		alarm(DEMO_ALARM);
		_exit(fn(a, b));
	}
	return pid;
}

static bool reap(pid_t pid, const char *name)
{
	int status;

	if (waitpid(pid, &status, 0) != pid) {
		perror("demo: waitpid");
		return false;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	if (WIFEXITED(status))
		printf("demo: UNEXPECTED: %s exited with %d\n", name,
		       WEXITSTATUS(status));
	else
		printf("demo: UNEXPECTED: %s killed by signal %d\n", name,
		       WTERMSIG(status));
	return false;
}

static bool show_version(int sfd)
{
	struct kipc_version v;
	uint64_t bit, missing = 0;
	int ret;

	ret = kipc_version(sfd, &v);
	if (!expect_ret(ret, 0, "demo:", "kipc_version"))
		return false;
	printf("demo: kipc ABI %u.%u, features:", (unsigned int)v.major,
	       (unsigned int)v.minor);
	for (bit = 1; bit; bit <<= 1)
		if (v.features & bit)
			printf(" %s", kipc_feature_name(bit) ?
			       kipc_feature_name(bit) : "(unknown)");
	printf("\n");
	ret = kipc_require(sfd, KIPC_FEAT_QUEUE | KIPC_FEAT_LINK |
			   KIPC_FEAT_MAILBOX, &missing);
	for (bit = 1; bit; bit <<= 1)
		if (missing & bit)
			printf("demo: UNEXPECTED: the module lacks %s\n",
			       kipc_feature_name(bit));
	return expect_ret(ret, 0, "demo:", "kipc_require") &&
	       expect(v.major == KIPC_VERSION_MAJOR, "demo:",
		      "an ABI major version this demo does not know");
}

/* Consumer and producers, in the order the comment at the top tells. */
static bool run_children(int sfd, pid_t *consumer, pid_t *producers)
{
	pid_t c, p[2] = { -1, -1 };
	int sv[2];
	bool ok;

	*consumer = -1;
	producers[0] = producers[1] = -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("demo: socketpair");
		return false;
	}
	c = spawn(consumer_main, sfd, sv[1], sv[0]);
	close(sv[1]);
	ok = c > 0 && expect_byte(sv[0], 'r');
	if (ok) {
		p[0] = spawn(producer_main, sfd, 1, sv[0]);
		ok = p[0] > 0 && reap(p[0], "producer 1");
	}
	/* the consumer has producer 1's messages: no output interleaves */
	ok = ok && expect_byte(sv[0], 'f');
	if (ok) {
		p[1] = spawn(producer_main, sfd, 2, sv[0]);
		ok = p[1] > 0 && reap(p[1], "producer 2");
	}
	ok = ok && write_all(sv[0], p, sizeof(p));
	if (!ok)	/* wake a consumer blocked in a receive: -EIDRM */
		kipc_queue_remove(sfd, DEMO_QUEUE);
	close(sv[0]);
	if (c > 0)
		ok &= reap(c, "consumer");
	*consumer = c;
	producers[0] = p[0];
	producers[1] = p[1];
	return ok;
}

static bool show_stat(int qfd, pid_t consumer, pid_t producer2)
{
	struct kipc_queue_stat st;
	bool ok;

	if (!expect_ret(kipc_queue_stat(qfd, &st), 0, "demo:",
			"kipc_queue_stat"))
		return false;
	printf("demo: stat '%s' id %" PRIu64 ": %" PRIu64 " messages, %"
	       PRIu64 " bytes queued; owner %u:%u\n", st.name,
	       (uint64_t)st.id, (uint64_t)st.nr_msgs, (uint64_t)st.bytes,
	       (unsigned int)st.uid, (unsigned int)st.gid);
	printf("demo: stat: last send by pid %d, last receive by pid %d\n",
	       (int)st.last_send_pid, (int)st.last_recv_pid);
	ok = expect(st.nr_msgs == 0 && st.bytes == 0, "demo:",
		    "the queue is not empty");
	ok &= expect(st.last_send_pid == producer2, "demo:",
		     "last sender is not producer 2");
	ok &= expect(st.last_recv_pid == consumer, "demo:",
		     "last receiver is not the consumer");
	return ok;
}

/* Remove the queue; its fds then give EIDRM, and stat says so. */
static bool show_remove(int sfd, int qfd)
{
	struct kipc_queue_stat st;
	bool ok;
	int ret;

	ret = kipc_queue_remove(sfd, DEMO_QUEUE);
	if (!expect_ret(ret, 0, "demo:", "kipc_queue_remove"))
		return false;
	ret = kipc_queue_send(qfd, "late", 4, 0);
	ok = expect_ret(ret, -EIDRM, "demo:", "send after removal");
	ok &= expect(!kipc_queue_stat(qfd, &st) &&
		     (st.flags & KIPC_STAT_REMOVED), "demo:",
		     "stat does not report KIPC_STAT_REMOVED");
	printf("demo: removed '%s'; a send on its fd now gives %s\n",
	       DEMO_QUEUE, err_name(ret));
	return ok;
}

/* --------------------------------------------------------- direct links */

#define LINK_TEXT	"hello over a direct link"

/* A session of this process's own, bound: the process is reachable by pid. */
static int bound_session(const char *who)
{
	int s, ret;

	s = kipc_open(O_CLOEXEC);
	if (!expect_ret(s < 0 ? s : 0, 0, who, "kipc_open"))
		return -1;
	ret = kipc_bind(s, 0, NULL);
	if (!expect_ret(ret, 0, who, "kipc_bind")) {
		close(s);
		return -1;
	}
	return s;
}

/*
 * Receive one message from any peer, then the notice that its sender is
 * gone; report the sender's pid to the parent.
 */
static int receiver_main(int sock, int unused)
{
	struct kipc_msg_info info;
	char buf[64], who[48];
	pid_t sender;
	ssize_t n;
	bool ok;
	int s;

	(void)unused;
	snprintf(who, sizeof(who), "[receiver pid %d]", (int)getpid());
	s = bound_session(who);
	if (s < 0)
		return 1;
	printf("%s bound its session; waits for a message from any peer\n",
	       who);
	if (!write_all(sock, "b", 1))
		return 1;

	n = kipc_link_recv(s, 0, buf, sizeof(buf), &info);
	if (!expect_ret(n < 0 ? n : 0, 0, who, "kipc_link_recv"))
		return 1;
	printf("%s got '%.*s' from pid %d uid %u (stamped by the kernel)\n",
	       who, (int)n, buf, (int)info.sender_pid,
	       (unsigned int)info.sender_uid);
	ok = expect((size_t)n == strlen(LINK_TEXT) &&
		    !memcmp(buf, LINK_TEXT, n), who, "wrong message");
	sender = info.sender_pid;

	/* the sender exits after its send: what it sent came first */
	n = kipc_link_recv(s, 0, buf, sizeof(buf), &info);
	ok &= expect_ret(n, -ECONNRESET, who, "receive after the sender exit");
	ok &= expect(info.sender_pid == sender, who,
		     "ECONNRESET does not name the sender");
	printf("%s pid %d exited; the next receive gives %s\n", who,
	       (int)info.sender_pid, err_name(n));
	ok &= write_all(sock, &sender, sizeof(sender));
	close(s);
	return ok ? 0 : 1;
}

static int sender_main(int unused, int receiver)
{
	char who[48];
	int s, ret;

	(void)unused;
	snprintf(who, sizeof(who), "[sender pid %d]", (int)getpid());
	s = bound_session(who);
	if (s < 0)
		return 1;
	printf("%s bound its session; sends '%s' to pid %d\n", who,
	       LINK_TEXT, receiver);
	ret = kipc_link_send(s, receiver, LINK_TEXT, strlen(LINK_TEXT), 0);
	if (!expect_ret(ret, 0, who, "kipc_link_send"))
		return 1;
	/* exiting unbinds: the receiver still gets the message, then news */
	close(s);
	return 0;
}

static bool run_link(int sfd)
{
	pid_t receiver, sender = -1, seen = 0;
	int sv[2], ret;
	bool ok;

	printf("demo: --- a direct link between two processes ---\n");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("demo: socketpair");
		return false;
	}
	receiver = spawn(receiver_main, sv[1], 0, sv[0]);
	close(sv[1]);
	ok = receiver > 0 && expect_byte(sv[0], 'b');
	if (ok) {
		/* this session was never bound: it has no link to anyone */
		ret = kipc_link_send(sfd, receiver, "x", 1, 0);
		ok = expect_ret(ret, -ENOTCONN, "demo:",
				"send on an unbound session");
		printf("demo: a send to pid %d on the parent's unbound session: %s\n",
		       (int)receiver, err_name(ret));
		sender = spawn(sender_main, -1, receiver, sv[0]);
		ok &= sender > 0 && reap(sender, "sender");
	}
	ok = ok && read_all(sv[0], &seen, sizeof(seen));
	ok = ok && expect(seen == sender, "demo:",
			  "the receiver saw another sender pid");
	close(sv[0]);
	/* a receiver that got nothing would wait for its alarm */
	if (!ok && receiver > 0)
		kill(receiver, SIGKILL);
	if (receiver > 0)
		ok &= reap(receiver, "receiver");
	return ok;
}

/* -------------------------------------------------------- request-reply */

static const char *const call_args[] = { "7", "12", "40000" };

/* The reply to @req: the square of the number it holds. */
static size_t square(const char *req, char *reply, size_t size)
{
	long long x = strtoll(req, NULL, 10);

	return (size_t)snprintf(reply, size, "%lld", x * x);
}

/* Answer requests until the client goes away. */
static int server_main(int sock, int unused)
{
	struct kipc_msg_info info;
	char req[32], reply[32], who[48];
	unsigned int kind, served = 0;
	size_t reply_len = 0;
	uint64_t id = 0;
	pid_t client = 0;
	bool ok = true;
	ssize_t n;
	int s;

	(void)unused;
	snprintf(who, sizeof(who), "[server pid %d]", (int)getpid());
	s = bound_session(who);
	if (s < 0)
		return 1;
	printf("%s bound its session; answers each request with the square of its number\n",
	       who);
	if (!write_all(sock, "b", 1))
		return 1;

	/* each call replies to the last request and takes the next one */
	for (;;) {
		n = kipc_reply_recv(s, &id, reply, reply_len, req,
				    sizeof(req) - 1, &info, &kind);
		if (n < 0)
			break;
		if (!expect(kind == KIPC_LINK_REQUEST, who,
			    "a message that is not a request")) {
			ok = false;
			id = 0;
			continue;
		}
		req[n] = '\0';
		reply_len = square(req, reply, sizeof(reply));
		client = info.sender_pid;
		served++;
		printf("%s request %" PRIu64 " from pid %d: '%s' -> '%s'\n",
		       who, id, (int)client, req, reply);
	}
	ok &= expect_ret(n, -ECONNRESET, who, "kipc_reply_recv");
	ok &= expect(n != -ECONNRESET || info.sender_pid == client, who,
		     "ECONNRESET does not name the client");
	ok &= expect(served == ARRAY_SIZE(call_args), who,
		     "not every request came");
	printf("%s pid %d exited (%s) after %u requests\n", who,
	       (int)info.sender_pid, err_name(n), served);
	close(s);
	return ok ? 0 : 1;
}

static int client_main(int unused, int server)
{
	struct kipc_msg_info info;
	char reply[32], want[32], who[48];
	bool ok = true;
	size_t i;
	ssize_t n;
	int s;

	(void)unused;
	snprintf(who, sizeof(who), "[client pid %d]", (int)getpid());
	s = bound_session(who);
	if (s < 0)
		return 1;
	for (i = 0; i < ARRAY_SIZE(call_args); i++) {
		n = kipc_call(s, server, call_args[i], strlen(call_args[i]),
			      reply, sizeof(reply), &info);
		if (!expect_ret(n < 0 ? n : 0, 0, who, "kipc_call"))
			return 1;
		printf("%s kipc_call(pid %d, '%s') = '%.*s'\n", who, server,
		       call_args[i], (int)n, reply);
		square(call_args[i], want, sizeof(want));
		ok &= expect((size_t)n == strlen(want) &&
			     !memcmp(reply, want, n), who, "wrong reply");
		ok &= expect(info.sender_pid == server, who,
			     "the reply is not from the server");
	}
	close(s);
	return ok ? 0 : 1;
}

static bool run_call(void)
{
	pid_t server, client;
	int sv[2];
	bool ok;

	printf("demo: --- request-reply ---\n");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("demo: socketpair");
		return false;
	}
	server = spawn(server_main, sv[1], 0, sv[0]);
	close(sv[1]);
	ok = server > 0 && expect_byte(sv[0], 'b');
	if (ok) {
		client = spawn(client_main, -1, server, sv[0]);
		ok = client > 0 && reap(client, "client");
	}
	close(sv[0]);
	/* the server ends when it sees the client gone; with no client it
	 * would wait for its alarm */
	if (!ok && server > 0)
		kill(server, SIGKILL);
	if (server > 0)
		ok &= reap(server, "server");
	return ok;
}

/* ------------------------------------------------------------ mailboxes */

static const struct demo_msg mbox_msgs[2][2] = {
	{ { "job 1", 1 }, { "job 2", 1 } },
	{ { "job 3", 1 }, { "job 4", 1 } },
};

/*
 * Create the mailbox, owned by this process, which alone may receive; take
 * the producers' messages once they are all sent, then exit (which removes
 * the mailbox).
 */
static int mbox_owner_main(int sock, int unused)
{
	struct kipc_queue_stat st;
	struct kipc_msg_info info;
	char buf[64], who[48];
	pid_t producers[2];
	bool ok = true;
	int s, mfd, i;
	ssize_t n;

	(void)unused;
	snprintf(who, sizeof(who), "[owner pid %d]", (int)getpid());
	s = kipc_open(O_CLOEXEC);
	if (!expect_ret(s < 0 ? s : 0, 0, who, "kipc_open"))
		return 1;
	mfd = kipc_mailbox_open(s, DEMO_MAILBOX,
				KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_RECV |
				KIPC_O_OWNED | KIPC_O_OWNER_RECV |
				KIPC_O_CLOEXEC, 0600, NULL, NULL);
	if (!expect_ret(mfd < 0 ? mfd : 0, 0, who, "kipc_mailbox_open"))
		return 1;
	printf("%s created mailbox '%s': it dies with this process, which alone receives\n",
	       who, DEMO_MAILBOX);
	if (!write_all(sock, "c", 1) ||
	    !read_all(sock, producers, sizeof(producers)))
		return 1;

	for (i = 0; i < 4; i++) {
		const struct demo_msg *m = &mbox_msgs[i / 2][i % 2];

		n = kipc_queue_recv(mfd, buf, sizeof(buf), &info);
		if (!expect_ret(n < 0 ? n : 0, 0, who, "kipc_queue_recv"))
			return 1;
		printf("%s got '%.*s' from pid %d\n", who, (int)n, buf,
		       (int)info.sender_pid);
		ok &= expect((size_t)n == strlen(m->text) &&
			     !memcmp(buf, m->text, n), who, "wrong message");
		ok &= expect(info.sender_pid == producers[i / 2], who,
			     "wrong sender pid");
	}
	if (!expect_ret(kipc_queue_stat(mfd, &st), 0, who, "kipc_queue_stat"))
		return 1;
	ok &= expect((st.flags & KIPC_STAT_OWNED) &&
		     (st.flags & KIPC_STAT_OWNER_RECV), who,
		     "stat does not say owned, owner receives");
	ok &= expect(st.owner_pid == getpid(), who, "wrong owner pid");
	ok &= expect(st.nr_msgs == 0, who, "the mailbox is not empty");
	printf("%s stat: owner pid %d, %" PRIu64 " messages left; exiting\n",
	       who, (int)st.owner_pid, (uint64_t)st.nr_msgs);
	return ok ? 0 : 1;
}

static int mbox_producer_main(int n, int unused)
{
	const struct demo_msg *msgs = mbox_msgs[n - 1];
	char who[48];
	int s, mfd, ret, i;

	(void)unused;
	snprintf(who, sizeof(who), "[producer %d pid %d]", n, (int)getpid());
	s = kipc_open(O_CLOEXEC);
	if (!expect_ret(s < 0 ? s : 0, 0, who, "kipc_open"))
		return 1;
	if (n == 1) {
		mfd = kipc_mailbox_open(s, DEMO_MAILBOX,
					KIPC_O_RECV | KIPC_O_CLOEXEC, 0, NULL,
					NULL);
		if (!expect_ret(mfd, -EACCES, who, "open to receive"))
			return 1;
		printf("%s opening '%s' to receive: %s\n", who, DEMO_MAILBOX,
		       err_name(mfd));
	}
	mfd = kipc_mailbox_open(s, DEMO_MAILBOX, KIPC_O_SEND | KIPC_O_CLOEXEC,
				0, NULL, NULL);
	if (!expect_ret(mfd < 0 ? mfd : 0, 0, who, "kipc_mailbox_open"))
		return 1;
	printf("%s sends '%s', '%s'\n", who, msgs[0].text, msgs[1].text);
	for (i = 0; i < 2; i++) {
		ret = kipc_queue_send(mfd, msgs[i].text, strlen(msgs[i].text),
				      msgs[i].type);
		if (!expect_ret(ret, 0, who, "kipc_queue_send"))
			return 1;
	}
	close(mfd);
	close(s);
	return 0;
}

/* The owner exited: wait for the mailbox's removal, which follows it. */
static bool mbox_check_gone(int sfd, int mfd)
{
	struct pollfd pfd = { .fd = mfd, .events = 0 };
	int ret, ret2;
	bool ok;

	/* with no events asked, poll returns on EPOLLERR/EPOLLHUP only */
	ret = poll(&pfd, 1, 10 * 1000);
	ok = expect(ret == 1 && (pfd.revents & POLLHUP), "demo:",
		    "the mailbox outlived its owner");
	ret = kipc_queue_send(mfd, "late", 4, 0);
	ok &= expect_ret(ret, -EIDRM, "demo:", "send after the owner's exit");
	ret2 = kipc_mailbox_open(sfd, DEMO_MAILBOX, KIPC_O_SEND, 0, NULL,
				 NULL);
	if (ret2 >= 0)
		close(ret2);
	ok &= expect_ret(ret2 < 0 ? ret2 : 0, -ENOENT, "demo:",
			 "open after the owner's exit");
	printf("demo: '%s' went with its owner: a send on an open fd gives %s, opening it %s\n",
	       DEMO_MAILBOX, err_name(ret), err_name(ret2));
	return ok;
}

static bool run_mailbox(int sfd)
{
	pid_t owner, p[2] = { -1, -1 };
	int sv[2], mfd = -1, i;
	bool ok;

	printf("demo: --- a mailbox shared by three processes ---\n");
	if (kipc_mailbox_remove(sfd, DEMO_MAILBOX) == 0)
		printf("demo: removed a '%s' mailbox left by an earlier run\n",
		       DEMO_MAILBOX);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		perror("demo: socketpair");
		return false;
	}
	owner = spawn(mbox_owner_main, sv[1], 0, sv[0]);
	close(sv[1]);
	ok = owner > 0 && expect_byte(sv[0], 'c');
	if (ok) {
		/* a send-only fd of the parent's, to watch the mailbox end */
		mfd = kipc_mailbox_open(sfd, DEMO_MAILBOX,
					KIPC_O_SEND | KIPC_O_CLOEXEC, 0, NULL,
					NULL);
		ok = expect_ret(mfd < 0 ? mfd : 0, 0, "demo:",
				"kipc_mailbox_open");
	}
	for (i = 0; ok && i < 2; i++) {
		p[i] = spawn(mbox_producer_main, i + 1, 0, sv[0]);
		ok = p[i] > 0 && reap(p[i], i ? "producer 2" : "producer 1");
	}
	/* the owner receives only now: its lines come after the producers' */
	ok = ok && write_all(sv[0], p, sizeof(p));
	close(sv[0]);
	if (owner > 0)
		ok &= reap(owner, "owner");
	if (mfd >= 0) {
		ok = ok && mbox_check_gone(sfd, mfd);
		close(mfd);
	}
	return ok;
}

/* ------------------------------------------------------------ pipes */

static const char *const pipe_lines[] = {
	"a pipe carries bytes, not messages\n",
	"writes of up to 4096 bytes are never interleaved\n",
	"the last writer's close is the reader's EOF\n",
};

/* Inherited by the reader across fork(): a pipe and a duplex channel. */
static int pipe_fds[2] = { -1, -1 };
static struct kipc_duplex pipe_ends[2] = { { -1, -1 }, { -1, -1 } };

/* FNV-1a over @len bytes, continuing from @h (start: 2166136261). */
static uint32_t fnv1a(uint32_t h, const void *data, size_t len)
{
	const unsigned char *p = data;

	while (len--) {
		h ^= *p++;
		h *= 16777619U;
	}
	return h;
}

/*
 * Read the pipe to EOF, answer over the duplex channel with the number of
 * lines and their checksum, and print what the writer says to that.
 */
static int pipe_reader_main(int unused1, int unused2)
{
	uint32_t sum = 2166136261U;
	char who[48], buf[512], reply[32], verdict;
	int lines = 0, len;
	size_t got = 0;
	char *p, *nl;
	ssize_t n;

	(void)unused1;
	(void)unused2;
	snprintf(who, sizeof(who), "[reader pid %d]", (int)getpid());
	/* only the read end and our side of the channel stay */
	close(pipe_fds[1]);
	kipc_duplex_close(&pipe_ends[0]);
	if (!write_all(pipe_ends[1].wfd, "r", 1))
		return 1;
	while ((n = read(pipe_fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += n;
	if (n < 0)
		return !expect_ret(-errno, 0, who, "read");
	buf[got] = '\0';
	sum = fnv1a(sum, buf, got);
	printf("%s read %zu bytes until EOF (the writer closed its end):\n",
	       who, got);
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1, lines++)
		printf("%s   '%.*s'\n", who, (int)(nl - p), p);
	len = snprintf(reply, sizeof(reply), "%d %08x", lines, (unsigned int)sum);
	printf("%s answers over the duplex channel: %d lines, checksum %08x\n",
	       who, lines, (unsigned int)sum);
	if (!write_all(pipe_ends[1].wfd, reply, len) ||
	    !read_all(pipe_ends[1].rfd, &verdict, 1))
		return 1;
	close(pipe_fds[0]);
	kipc_duplex_close(&pipe_ends[1]);
	return verdict == 'y' ? 0 : 1;
}

static bool run_pipe(int sfd)
{
	uint32_t sum = 2166136261U, their_sum = 0;
	struct kipc_pipe_stat st;
	char reply[32] = "";
	int ret, lines = -1;
	pid_t reader;
	bool ok = true;
	size_t i;
	ssize_t n;

	printf("demo: --- a pipe between two processes ---\n");
	ret = kipc_pipe(sfd, pipe_fds, KIPC_O_CLOEXEC);
	if (!expect_ret(ret, 0, "demo:", "kipc_pipe"))
		return false;
	ret = kipc_duplex(sfd, KIPC_O_CLOEXEC, pipe_ends);
	if (!expect_ret(ret, 0, "demo:", "kipc_duplex")) {
		close(pipe_fds[0]);
		close(pipe_fds[1]);
		return false;
	}
	ok = expect_ret(kipc_pipe_stat(pipe_fds[1], &st), 0, "demo:",
			"kipc_pipe_stat");
	printf("demo: made an anonymous pipe (capacity %u bytes, writes of up to %u bytes atomic) and a duplex channel for the answer\n",
	       (unsigned int)st.capacity, (unsigned int)st.atomic_size);
	reader = spawn(pipe_reader_main, 0, 0, -1);
	close(pipe_fds[0]);
	kipc_duplex_close(&pipe_ends[1]);
	ok &= reader > 0 && expect_byte(pipe_ends[0].rfd, 'r');
	if (ok) {
		printf("demo: writing %zu lines into the pipe\n",
		       ARRAY_SIZE(pipe_lines));
		for (i = 0; ok && i < ARRAY_SIZE(pipe_lines); i++) {
			ok = write_all(pipe_fds[1], pipe_lines[i],
				       strlen(pipe_lines[i]));
			sum = fnv1a(sum, pipe_lines[i], strlen(pipe_lines[i]));
		}
		ok = ok && expect_ret(kipc_pipe_stat(pipe_fds[1], &st), 0,
				      "demo:", "kipc_pipe_stat");
		if (ok)
			printf("demo: pipe stat: %" PRIu64 " bytes written, %u reader, %u writer; closing the write end\n",
			       (uint64_t)st.bytes_written,
			       (unsigned int)st.readers,
			       (unsigned int)st.writers);
	}
	close(pipe_fds[1]);
	if (ok) {
		n = read(pipe_ends[0].rfd, reply, sizeof(reply) - 1);
		if (n > 0)
			reply[n] = '\0';
		ok = sscanf(reply, "%d %x", &lines, &their_sum) == 2 &&
		     lines == (int)ARRAY_SIZE(pipe_lines) && their_sum == sum;
		printf("demo: the reader's checksum %s ours (%08x)\n",
		       ok ? "matches" : "DOES NOT match", (unsigned int)sum);
		ok &= write_all(pipe_ends[0].wfd, ok ? "y" : "n", 1);
	}
	if (!ok && reader > 0)
		kill(reader, SIGKILL);
	if (reader > 0)
		ok &= reap(reader, "reader");
	kipc_duplex_close(&pipe_ends[0]);
	return ok;
}

/* ------------------------------------------------------- shared counter */

/* What the region "demo-counter" holds. */
struct demo_counter {
	struct kipc_lock lock;		/* guards @count */
	uint32_t pad;
	uint64_t count;
};

/* A worker: map the region and add SHM_ADDS to the counter, locked. */
static int shm_worker_main(int sfd, int n)
{
	struct demo_counter *c;
	struct kipc_region r;
	char who[48];
	int fd, ret, i;

	snprintf(who, sizeof(who), "[worker %d pid %d]", n, (int)getpid());
	fd = kipc_shm_open(sfd, DEMO_SHM, KIPC_O_READ | KIPC_O_WRITE |
			   KIPC_O_CLOEXEC, 0, 0, NULL);
	if (!expect_ret(fd < 0 ? fd : 0, 0, who, "kipc_shm_open"))
		return 1;
	ret = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &r);
	if (!expect_ret(ret, 0, who, "kipc_shm_map"))
		return 1;
	c = r.addr;
	for (i = 0; i < SHM_ADDS; i++) {
		ret = kipc_lock(&r, &c->lock);
		if (!expect_ret(ret, 0, who, "kipc_lock"))
			return 1;
		c->count++;	/* not atomic: the lock makes it exact */
		ret = kipc_unlock(&r, &c->lock);
		if (!expect_ret(ret, 0, who, "kipc_unlock"))
			return 1;
	}
	kipc_shm_unmap(&r);
	close(fd);
	return 0;
}

static bool run_shm(int sfd)
{
	pid_t w[SHM_WORKERS];
	struct demo_counter *c;
	struct kipc_region r;
	struct kipc_shm_stat st;
	uint64_t want = (uint64_t)SHM_WORKERS * SHM_ADDS;
	int fd, ret, i;
	bool ok = true;

	printf("demo: --- a counter in shared memory, under a robust lock ---\n");
	if (kipc_shm_remove(sfd, DEMO_SHM) == 0)
		printf("demo: removed a '%s' region left by an earlier run\n",
		       DEMO_SHM);
	fd = kipc_shm_open(sfd, DEMO_SHM, KIPC_O_CREAT | KIPC_O_EXCL |
			   KIPC_O_READ | KIPC_O_WRITE | KIPC_O_CLOEXEC, 0600,
			   sizeof(*c), NULL);
	if (!expect_ret(fd < 0 ? fd : 0, 0, "demo:", "kipc_shm_open"))
		return false;
	ret = kipc_shm_map(fd, PROT_READ | PROT_WRITE, &r);
	if (!expect_ret(ret, 0, "demo:", "kipc_shm_map")) {
		close(fd);
		kipc_shm_remove(sfd, DEMO_SHM);
		return false;
	}
	c = r.addr;
	ok &= expect_ret(kipc_lock_init(&r, &c->lock), 0, "demo:",
			 "kipc_lock_init");
	printf("demo: created '%s' (%zu bytes, mapped as one page): a counter and a lock\n",
	       DEMO_SHM, sizeof(*c));
	printf("demo: %d workers each add %d to the counter, taking the lock for each\n",
	       SHM_WORKERS, SHM_ADDS);
	for (i = 0; i < SHM_WORKERS; i++)
		w[i] = ok ? spawn(shm_worker_main, sfd, i + 1, -1) : -1;
	for (i = 0; i < SHM_WORKERS; i++) {
		if (w[i] > 0) {
			char name[16];

			snprintf(name, sizeof(name), "worker %d", i + 1);
			ok &= reap(w[i], name);
		} else {
			ok = false;
		}
	}
	ok &= expect(c->count == want, "demo:", "the counter is not exact");
	printf("demo: the counter is %" PRIu64 " (expected %" PRIu64 ")\n",
	       c->count, want);
	if (expect_ret(kipc_shm_stat(fd, &st), 0, "demo:", "kipc_shm_stat"))
		printf("demo: stat: %u registered lock, region of %" PRIu64 " bytes\n",
		       (unsigned int)st.nr_locks, (uint64_t)st.region_size);
	else
		ok = false;
	ok &= expect_ret(kipc_shm_remove(sfd, DEMO_SHM), 0, "demo:",
			 "kipc_shm_remove");
	kipc_shm_unmap(&r);
	close(fd);
	return ok;
}

/* -------------------------------------------------------------- kipcctl */

/* A kipcctl child with its stdout and stderr on pipes. */
struct tool {
	pid_t pid;
	int out, err;
};

static bool tool_start(struct tool *t, const char *const argv[])
{
	int out[2], err[2];

	if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) {
		perror("demo: pipe");
		return false;
	}
	fflush(stdout);
	t->pid = fork();
	if (t->pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		execvp("kipcctl", (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	t->out = out[0];
	t->err = err[0];
	return t->pid > 0;
}

/* Read @fd to EOF (or until @until appears) into @buf, NUL-terminated. */
static size_t read_text(int fd, char *buf, size_t size, size_t n,
			const char *until)
{
	ssize_t r;

	while (n < size - 1) {
		r = read(fd, buf + n, until ? 1 : size - 1 - n);
		if (r <= 0)
			break;
		n += r;
		buf[n] = '\0';
		if (until && strstr(buf, until) && buf[n - 1] == '\n')
			break;
	}
	buf[n] = '\0';
	return n;
}

/* Each line of @text, indented under "demo:". */
static void print_indented(const char *text)
{
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		if (!nl)
			nl = p + strlen(p);
		printf("demo:%s%.*s\n", nl > p ? "   " : "", (int)(nl - p),
		       p);
		p = *nl ? nl + 1 : nl;
	}
}

/* Wait for @t; its output into @out (printed), the exit status returned. */
static int tool_finish(struct tool *t, char *out, bool print)
{
	char err[1024];
	int status;

	read_text(t->out, out, TOOL_OUT_MAX, 0, NULL);
	read_text(t->err, err, sizeof(err), 0, NULL);
	close(t->out);
	close(t->err);
	if (waitpid(t->pid, &status, 0) != t->pid || !WIFEXITED(status))
		return -1;
	if (print)
		print_indented(out);
	if (WEXITSTATUS(status) && WEXITSTATUS(status) != 127)
		printf("demo: kipcctl said: %s", err);
	return WEXITSTATUS(status);
}

/* "$ kipcctl ARGS" and its output; true when it exits with 0. */
static bool tool_run(const char *const argv[], char *out)
{
	struct tool t;
	int i;

	printf("demo: $");
	for (i = 0; argv[i]; i++)
		printf(" %s", argv[i]);
	printf("\n");
	if (!tool_start(&t, argv))
		return false;
	return expect(tool_finish(&t, out, true) == 0, "demo:",
		      "kipcctl failed");
}

/* The queue (two messages queued) and the region kipcctl will show. */
static bool tool_objects(int sfd, int *qfd, int *shfd)
{
	*qfd = kipc_queue_open(sfd, DEMO_TOOL, KIPC_O_CREAT | KIPC_O_EXCL |
			       KIPC_O_SEND | KIPC_O_CLOEXEC, 0644, NULL, NULL);
	if (!expect_ret(*qfd < 0 ? *qfd : 0, 0, "demo:", "kipc_queue_open"))
		return false;
	*shfd = kipc_shm_open(sfd, DEMO_TOOL, KIPC_O_CREAT | KIPC_O_EXCL |
			      KIPC_O_READ | KIPC_O_WRITE | KIPC_O_CLOEXEC,
			      0644, 4096, NULL);
	if (!expect_ret(*shfd < 0 ? *shfd : 0, 0, "demo:", "kipc_shm_open"))
		return false;
	return expect_ret(kipc_queue_send(*qfd, "seen", 4, 1), 0, "demo:",
			  "kipc_queue_send") &&
	       expect_ret(kipc_queue_send(*qfd, "from outside", 12, 2), 0,
			  "demo:", "kipc_queue_send");
}

static bool run_tool(int sfd)
{
	const char *const monitor[] = { "kipcctl", "monitor", "-c",
					TOOL_EVENTS, NULL };
	const char *const list[] = { "kipcctl", "list", NULL };
	const char *const rm[] = { "kipcctl", "rm", "-t", "queue", DEMO_TOOL,
				   NULL };
	const char *const rm_shm[] = { "kipcctl", "rm", "-t", "shm",
				       DEMO_TOOL, NULL };
	char out[TOOL_OUT_MAX], err[256];
	int qfd = -1, shfd = -1, events = 0;
	struct tool mon;
	bool ok;
	char *p;

	printf("demo: --- kipcctl: the same objects, seen through netlink ---\n");
	kipc_queue_remove(sfd, DEMO_TOOL);
	kipc_shm_remove(sfd, DEMO_TOOL);
	if (!tool_start(&mon, monitor))
		return false;
	/* "listening" on stderr: from then on no event is missed */
	if (!strstr((read_text(mon.err, err, sizeof(err), 0, "listening"), err),
		    "listening")) {
		if (tool_finish(&mon, out, false) == 127) {
			printf("demo: kipcctl is not installed: skipped\n");
			return true;
		}
		return expect(false, "demo:", "kipcctl monitor did not start");
	}
	printf("demo: started 'kipcctl monitor -c %s' in the background\n",
	       TOOL_EVENTS);
	ok = tool_objects(sfd, &qfd, &shfd);
	printf("demo: created queue and shm region '%s' (mode 0644)\n",
	       DEMO_TOOL);
	ok = ok && tool_run(list, out);
	ok = ok && expect(strstr(out, DEMO_TOOL) != NULL, "demo:",
			  "kipcctl list does not show " DEMO_TOOL);
	ok = ok && tool_run(rm, out) && tool_run(rm_shm, out);
	ok = ok && expect_ret(kipc_queue_send(qfd, "late", 4, 0), -EIDRM,
			      "demo:", "send after kipcctl rm");
	if (qfd >= 0)
		close(qfd);
	if (shfd >= 0)
		close(shfd);
	if (!ok)
		kill(mon.pid, SIGTERM);
	printf("demo: what 'kipcctl monitor' printed:\n");
	ok &= expect(tool_finish(&mon, out, true) == 0, "demo:",
		     "kipcctl monitor failed");
	for (p = out; (p = strstr(p, " type=")); p++)
		events++;
	return ok && expect(events == atoi(TOOL_EVENTS), "demo:",
			    "kipcctl monitor missed events");
}

int main(void)
{
	struct kipc_queue_stat st;
	pid_t consumer, producers[2];
	char buf[16];
	uint64_t id;
	int sfd, qfd;
	long ret;
	bool ok;

	setvbuf(stdout, NULL, _IOLBF, 0);
	alarm(DEMO_ALARM);
	sfd = kipc_open(O_CLOEXEC);
	if (sfd < 0) {
		printf("demo: %s: %s (is the kipc module loaded?)\n",
		       KIPC_DEVICE, strerror(-sfd));
		return 1;
	}
	if (!show_version(sfd))
		return 1;
	if (kipc_queue_remove(sfd, DEMO_QUEUE) == 0)
		printf("demo: removed a '%s' queue left by an earlier run\n",
		       DEMO_QUEUE);
	/* mode 0600: only this uid (or CAP_IPC_OWNER) may open it */
	qfd = kipc_queue_open(sfd, DEMO_QUEUE,
			      KIPC_O_CREAT | KIPC_O_EXCL | KIPC_O_SEND |
			      KIPC_O_RECV | KIPC_O_CLOEXEC, 0600, NULL, &id);
	if (!expect_ret(qfd < 0 ? qfd : 0, 0, "demo:", "kipc_queue_open"))
		return 1;
	if (!expect_ret(kipc_queue_stat(qfd, &st), 0, "demo:",
			"kipc_queue_stat"))
		return 1;
	printf("demo: created '%s', id %" PRIu64 ", mode %04o\n", DEMO_QUEUE, id,
	       (unsigned int)st.mode);
	printf("demo: limits (module defaults): max_msgsize %u, max_msgs %u, capacity %"
	       PRIu64 "\n", (unsigned int)st.max_msgsize,
	       (unsigned int)st.max_msgs, (uint64_t)st.capacity);

	if (!run_children(sfd, &consumer, producers)) {
		printf("demo: FAILED\n");
		return 1;
	}

	ret = kipc_queue_timedrecv(qfd, buf, sizeof(buf), KIPC_SEL_FIFO, 0,
				   KIPC_MSG_DEADLINE,
				   kipc_deadline(50 * NSEC_PER_MSEC), NULL);
	ok = expect_ret(ret, -ETIMEDOUT, "demo:", "receive with a deadline");
	printf("demo: receive with a 50 ms deadline on the empty queue: %s\n",
	       err_name(ret));
	ok &= show_stat(qfd, consumer, producers[1]);
	ok &= show_remove(sfd, qfd);
	close(qfd);

	ok &= run_link(sfd);
	ok &= run_call();
	ok &= run_mailbox(sfd);
	ok &= run_pipe(sfd);
	ok &= run_shm(sfd);
	ok &= run_tool(sfd);
	close(sfd);
	printf("demo: %s\n", ok ? "OK" : "FAILED");
	return ok ? 0 : 1;
}
