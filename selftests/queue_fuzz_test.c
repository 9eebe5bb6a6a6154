// SPDX-License-Identifier: GPL-2.0
/*
 * A structured fuzzer for the kipc ioctls: random sequences of
 * valid-looking calls with mutated arguments.
 *
 *   - struct sizes: 0, 4, VER0 - 1, VER0, VER0 + 8 with a zero or nonzero
 *     tail, a page, a page + 1, ~0, random;
 *   - flags, reserved fields, selections, modes, limits: random bits,
 *     edge values;
 *   - the struct itself or the buffers it points to: unmapped, PROT_NONE,
 *     read-only (for what the kernel writes), a kernel address, NULL, or
 *     straddling the end of the mapping into a PROT_NONE page;
 *   - lengths and counts: 0, a page +- 1, huge;
 *   - names: bytes 0x01-0x1f, 0x7f, 0x80-0xff, '/', empty, exactly
 *     KIPC_NAME_MAX, one more, unterminated right before a PROT_NONE page;
 *   - random command numbers of the 0xB9 type on session, queue, pipe and
 *     region fds, kipc commands on the wrong kind of fd, /dev/null, closed
 *     fds;
 *   - pipes: KIPC_IOC_PIPE_OPEN (named, by id, anonymous pairs),
 *     KIPC_IOC_PIPE_REMOVE, KIPC_IOC_PIPE_STAT and KIPC_IOC_PIPE_SET on
 *     their ends;
 *   - read(2) and write(2) of odd sizes on queue and pipe fds, poll(2),
 *     close;
 *   - shared memory: the shm ioctls on the session and on region fds,
 *     mmap(2) of region fds with odd lengths, offsets, protections and
 *     flags, region fds used where queue fds belong and the other way.
 *
 * Checked for every call: the result is success or an errno the uapi
 * header documents for that call; where the arguments decide the outcome
 * (the struct unreadable, its size, an unknown nonzero tail, unknown
 * flags, nonzero reserved fields, the wrong kind of fd, an fd not open
 * for that direction) it is exactly that errno; the kernel writes nothing
 * into an input struct and, for output structs, fills the caller's size
 * (zeroing the tail) and not a byte more.  At the end every queue the
 * fuzzer made is removed, every fd closed, and nothing is left (open:
 * ENOENT) or charged to the fuzzing user (its queue and pipe counts, its
 * bytes).  The kernel log scan of the
 * runner catches WARN, BUG and KASAN reports.
 *
 * One run as root, one as an unprivileged user.  KIPC_FUZZ_SEED (printed
 * at the start) repeats a run, KIPC_FUZZ_ITERS sets the iterations of each
 * (otherwise KIPC_FUZZ_SECONDS, default 5, are split between the two),
 * KIPC_FUZZ_VERBOSE=1 prints every call.  A failure names its iteration:
 * the same seed with KIPC_FUZZ_ITERS just past it replays up to it.
 */
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/time.h>

#include "kipc_test.h"

#define FUZZ_UID	6161
#define FUZZ_GID	6161
#define MAX_QFDS	8
#define MAX_PFDS	8	/* pipe ends */
#define MAX_MADE	64	/* names made, removed at the end */
#define NR_POOL		8	/* the fuzzer's own plain names */
#define RW_PAGES	6	/* names: 0-1, structs: 2-4, straddles: 5 */
#define CLOSED_FD	987654	/* over RLIMIT_NOFILE: never an fd */
#define BIG_LEN		((1 << 20) + 4096)	/* payload buffer */
#define MAX_QUEUED	(16 << 20)	/* bytes sent before a reset */
#define CANARY		64	/* bytes after a struct that stay as they are */
#define KERNEL_ADDR	0xffffffff81000000ULL
#define NONCANONICAL	0x0000800000000000ULL

/* What a run reports to the test, in shared memory. */
struct report {
	uint64_t iters;
	uint64_t ns;
	uint64_t calls[32];	/* by enum fop */
	uint64_t ok[32];	/* ... that succeeded */
	uint64_t failures;
	uint64_t first_iter;
	char first[512];
	char by_op[32][256];	/* the first failure of each call */
	int left;		/* objects still there at the end */
	int setup;		/* nonzero: the run could not start */
};

enum fop {
	F_VERSION, F_OPEN, F_REMOVE, F_SEND, F_RECV, F_STAT, F_SET, F_RAW,
	F_READ, F_WRITE, F_POLL, F_CLOSE, F_POPEN, F_PREMOVE, F_PSTAT, F_PSET,
	F_SHM,		/* shared memory: f_shm() picks the call */
	NR_FOPS
};

_Static_assert(NR_FOPS <= 32, "struct report has room for 32 calls");

static const char *const fop_names[NR_FOPS] = {
	"version", "open", "remove", "send", "recv", "stat", "set", "raw",
	"read", "write", "poll", "close", "pipe-open", "pipe-remove",
	"pipe-stat", "pipe-set", "shm",
};

static const unsigned int fop_weight[NR_FOPS] = {
	[F_VERSION] = 4, [F_OPEN] = 16, [F_REMOVE] = 6, [F_SEND] = 14,
	[F_RECV] = 14, [F_STAT] = 6, [F_SET] = 8, [F_RAW] = 10, [F_READ] = 8,
	[F_WRITE] = 8, [F_POLL] = 3, [F_CLOSE] = 5, [F_POPEN] = 10,
	[F_PREMOVE] = 3, [F_PSTAT] = 4, [F_PSET] = 5, [F_SHM] = 14,
};

/* Where an argument (a struct, a buffer, a name) is put. */
enum place {
	PL_OK,		/* readable and writable */
	PL_RO,		/* read-only */
	PL_STRADDLE,	/* runs into a PROT_NONE page */
	PL_NONE,	/* in a PROT_NONE page */
	PL_UNMAPPED,
	PL_NULL,
	PL_KERNEL,
	PL_NONCANON,
	NR_PLACES
};

struct qfd {
	int fd;			/* -1: free */
	unsigned int flags;	/* KIPC_O_SEND / KIPC_O_RECV (pipes: the same
				 * bits, KIPC_O_WRITE / KIPC_O_READ) */
};

/* What an fd is, for the commands it takes. */
enum target { T_SESSION, T_QUEUE, T_PIPE };

struct fuzz {
	uint64_t rnd;
	int sfd;
	bool root;
	bool verbose;
	long psz;
	char *rw;		/* RW_PAGES read-write pages ... */
	char *edge;		/* ... then this PROT_NONE page */
	char *structs;		/* the part of @rw for structs */
	char *ro;		/* a read-only page, then a PROT_NONE one */
	char *none;		/* a PROT_NONE page */
	char *unmapped;
	char *big;		/* BIG_LEN bytes for payloads */
	int nullfd;
	struct qfd q[MAX_QFDS];
	struct qfd p[MAX_PFDS];	/* pipe ends */
	char pool[NR_POOL][KT_NAME_LEN];
	char made[MAX_MADE][KIPC_NAME_MAX + 1];
	int nr_made;
	uint64_t queued;	/* bytes sent since the last reset */
	uint64_t iter;
	enum fop op;		/* the call being made */
	char desc[256];		/* ... described, for the report */
	struct report *rep;
};

static volatile sig_atomic_t alarmed;

static void on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

/* A blocking call ends with EINTR after 100 ms at most. */
static void arm_alarm(void)
{
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_alarm(void)
{
	struct itimerval it = { 0 };

	setitimer(ITIMER_REAL, &it, NULL);
}

static uint32_t rnd32(struct fuzz *f)
{
	return kt_rand64(&f->rnd) >> 32;
}

static uint32_t below(struct fuzz *f, uint32_t n)
{
	return kt_rand_below(&f->rnd, n);
}

static bool chance(struct fuzz *f, uint32_t one_in)
{
	return below(f, one_in) == 0;
}

static __printf(2, 3) void fuzz_fail(struct fuzz *f, const char *fmt, ...)
{
	struct report *r = f->rep;
	va_list ap;
	int n;

	if (!r->by_op[f->op][0]) {
		n = snprintf(r->by_op[f->op], sizeof(r->by_op[0]),
			     "iteration %llu: %s: ",
			     (unsigned long long)f->iter, f->desc);
		va_start(ap, fmt);
		vsnprintf(r->by_op[f->op] + n, sizeof(r->by_op[0]) - n, fmt,
			  ap);
		va_end(ap);
	}
	if (r->failures++)
		return;
	r->first_iter = f->iter;
	n = snprintf(r->first, sizeof(r->first), "iteration %llu: %s: ",
		     (unsigned long long)f->iter, f->desc);
	va_start(ap, fmt);
	vsnprintf(r->first + n, sizeof(r->first) - n, fmt, ap);
	va_end(ap);
}

static const char *err_name(long ret)
{
	static char buf[32];

	if (ret >= 0) {
		snprintf(buf, sizeof(buf), "%ld", ret);
		return buf;
	}
	return strerrorname_np(-ret) ?: "?";
}

/* ---- what the uapi header promises ---- */

static const int err_common[] = { EFAULT, EINVAL, E2BIG, ENOTTY, 0 };
static const int err_open[] = {
	EEXIST, ENOENT, ENAMETOOLONG, EACCES, EDQUOT, EMSGSIZE, EMFILE,
	ENFILE, ENOMEM, ENOSPC, 0
};
/*
 * ENAMETOOLONG and ENOMEM of remove and ENOMEM of send are in the man
 * pages (kipc_queue_remove(3), kipc_queue_send(3)), not in the header.
 */
static const int err_remove[] = { ENOENT, EPERM, ENAMETOOLONG, ENOMEM, 0 };
static const int err_send[] = {
	EBADF, EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, EIDRM, ENOMEM, 0
};
static const int err_recv[] = {
	EBADF, EMSGSIZE, EAGAIN, ETIMEDOUT, EINTR, EIDRM, 0
};
static const int err_set[] = { EPERM, EMSGSIZE, EDQUOT, EIDRM, 0 };
static const int err_none[] = { 0 };
/* direct links (uapi "Direct links"): the union of the calls' lists */
static const int err_bind[] = { EBUSY, EMSGSIZE, ENOMEM, 0 };
static const int err_link[] = {
	ENOTCONN, ESRCH, ECONNREFUSED, EPERM, EDQUOT, EAGAIN, EMFILE, ENFILE,
	ENOMEM, EMSGSIZE, ETIMEDOUT, EINTR, EPIPE, ECONNRESET, 0
};
/* pipes (uapi "Pipes"): open adds ENXIO and EINTR to a queue open's */
static const int err_pipe_open[] = {
	EEXIST, ENOENT, ENAMETOOLONG, EACCES, EDQUOT, EMFILE, ENFILE, ENOMEM,
	ENOSPC, ENXIO, EINTR, 0
};
static const int err_pipe_set[] = { EPERM, EBUSY, EDQUOT, ENOMEM, 0 };
/* read(2)/write(2) on a pipe end; EPIPE with SIGPIPE ignored */
static const int err_pipe_rw[] = { EBADF, EAGAIN, EINTR, EFAULT, EPIPE, 0 };
/* read(2)/write(2): as recv/send, and what the VFS says first */
static const int err_rw[] = {
	EBADF, EMSGSIZE, EAGAIN, EINTR, EIDRM, EFAULT, EINVAL, ENOMEM, 0
};

static bool in_set(long ret, const int *set)
{
	for (; *set; set++)
		if (ret == -*set)
			return true;
	return false;
}

/* ---- the kipc commands, by size-less base ---- */

#define BASE(cmd)	((unsigned int)(cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

struct cmd_info {
	unsigned int cmd;
	bool session;		/* on the session fd, else on a queue fd ... */
	uint32_t ver0;		/* KIPC_*_SIZE_VER0 */
	bool output;		/* the kernel writes the struct */
	const int *errs;	/* besides err_common */
	bool pipe;		/* ... or, not on the session, on a pipe end */
};

static const struct cmd_info cmds[] = {
	{ KIPC_IOC_VERSION, true, KIPC_VERSION_SIZE_VER0, true, err_none,
	  false },
	{ KIPC_IOC_QUEUE_OPEN, true, KIPC_QUEUE_OPEN_SIZE_VER0, false,
	  err_open, false },
	{ KIPC_IOC_QUEUE_REMOVE, true, KIPC_QUEUE_REMOVE_SIZE_VER0, false,
	  err_remove, false },
	{ KIPC_IOC_QUEUE_SEND, false, KIPC_SEND_SIZE_VER0, false, err_send,
	  false },
	{ KIPC_IOC_QUEUE_RECV, false, KIPC_RECV_SIZE_VER0, false, err_recv,
	  false },
	{ KIPC_IOC_QUEUE_STAT, false, KIPC_QUEUE_STAT_SIZE_VER0, true,
	  err_none, false },
	{ KIPC_IOC_QUEUE_SET, false, KIPC_QUEUE_SET_SIZE_VER0, false,
	  err_set, false },
	{ KIPC_IOC_MAILBOX_OPEN, true, KIPC_QUEUE_OPEN_SIZE_VER0, false,
	  err_open, false },
	{ KIPC_IOC_MAILBOX_REMOVE, true, KIPC_QUEUE_REMOVE_SIZE_VER0, false,
	  err_remove, false },
	{ KIPC_IOC_BIND, true, KIPC_BIND_SIZE_VER0, false, err_bind, false },
	{ KIPC_IOC_CONNECT, true, KIPC_CONNECT_SIZE_VER0, false, err_link,
	  false },
	{ KIPC_IOC_LINK_SEND, true, KIPC_LINK_SEND_SIZE_VER0, false,
	  err_link, false },
	{ KIPC_IOC_LINK_RECV, true, KIPC_LINK_RECV_SIZE_VER0, false,
	  err_link, false },
	{ KIPC_IOC_LINK_CALL, true, KIPC_LINK_CALL_SIZE_VER0, false,
	  err_link, false },
	{ KIPC_IOC_LINK_REPLY, true, KIPC_LINK_REPLY_SIZE_VER0, false,
	  err_link, false },
#define CMD_PIPE_OPEN	15	/* the index of the first pipe command */
	{ KIPC_IOC_PIPE_OPEN, true, KIPC_PIPE_OPEN_SIZE_VER0, false,
	  err_pipe_open, false },
	{ KIPC_IOC_PIPE_REMOVE, true, KIPC_QUEUE_REMOVE_SIZE_VER0, false,
	  err_remove, false },
	{ KIPC_IOC_PIPE_STAT, false, KIPC_PIPE_STAT_SIZE_VER0, true, err_none,
	  true },
	{ KIPC_IOC_PIPE_SET, false, KIPC_PIPE_SET_SIZE_VER0, false,
	  err_pipe_set, true },
	/* shared memory's session commands (its region commands: shm_cmds) */
	{ KIPC_IOC_SHM_OPEN, true, KIPC_SHM_OPEN_SIZE_VER0, false, err_open,
	  false },
	{ KIPC_IOC_SHM_REMOVE, true, KIPC_QUEUE_REMOVE_SIZE_VER0, false,
	  err_remove, false },
};

static const struct cmd_info *cmd_lookup(unsigned int cmd, enum target t)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (BASE(cmds[i].cmd) == BASE(cmd) &&
		    cmds[i].session == (t == T_SESSION) &&
		    (t == T_SESSION || cmds[i].pipe == (t == T_PIPE)))
			return &cmds[i];
	return NULL;
}

/* ---- memory ---- */

static int arena_init(struct fuzz *f)
{
	char *p;

	f->psz = sysconf(_SC_PAGESIZE);
	p = mmap(NULL, (RW_PAGES + 1) * f->psz, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	f->rw = p;
	f->structs = p + 2 * f->psz;
	f->edge = p + RW_PAGES * f->psz;
	if (mprotect(f->edge, f->psz, PROT_NONE))
		return -errno;
	/* a read-only page, and after it a PROT_NONE one */
	f->ro = mmap(NULL, 2 * f->psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		     -1, 0);
	if (f->ro == MAP_FAILED || mprotect(f->ro + f->psz, f->psz, PROT_NONE))
		return -ENOMEM;
	f->none = mmap(NULL, f->psz, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		       -1, 0);
	f->big = mmap(NULL, BIG_LEN, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (f->none == MAP_FAILED || f->big == MAP_FAILED)
		return -ENOMEM;
	memset(f->big, 'b', BIG_LEN);
	/* last: no later mapping of ours may land there */
	f->unmapped = kt_unmapped_addr();
	return 0;
}

static enum place pick_place(struct fuzz *f)
{
	/* mostly fine, so that calls get past the argument checks */
	if (below(f, 4))
		return PL_OK;
	return below(f, NR_PLACES);
}

/*
 * Put @len bytes of @src (NULL: leave what is there) at a place of kind
 * @pl, for PL_OK in the name part of the arena (@name) or the struct one;
 * *@readable gets how many bytes of it the kernel can read (the rest
 * faults).  Returns the address to pass.
 */
static char *place_bytes(struct fuzz *f, enum place *plp, const void *src,
			 size_t len, size_t *readable, bool name)
{
	enum place pl = *plp;
	char *area = name ? f->rw : f->structs;
	size_t room = (name ? 2 : 3) * f->psz - CANARY;
	size_t k, off;
	char *p;

	*readable = 0;
	switch (pl) {
	case PL_RO:
		if (len > (size_t)f->psz)
			break;
		if (src) {
			mprotect(f->ro, f->psz, PROT_READ | PROT_WRITE);
			memcpy(f->ro + f->psz - len, src, len);
			mprotect(f->ro, f->psz, PROT_READ);
		}
		*readable = len;
		return f->ro + f->psz - len;
	case PL_STRADDLE:
		if (len < 2)
			break;
		k = 1 + below(f, len - 1);	/* bytes before the edge */
		p = f->edge - k;
		if (src)
			memcpy(p, src, k);
		*readable = k;
		return p;
	case PL_NONE:
		return f->none + below(f, f->psz);
	case PL_UNMAPPED:
		return f->unmapped + below(f, f->psz);
	case PL_NULL:
		return NULL;
	case PL_KERNEL:
		return (char *)(uintptr_t)(KERNEL_ADDR + below(f, 4096));
	case PL_NONCANON:
		return (char *)(uintptr_t)NONCANONICAL;
	default:
		break;
	}
	/* PL_OK, and what does not fit elsewhere: anywhere, unaligned */
	*plp = PL_OK;
	if (len >= room)
		len = room - 1;
	off = below(f, room - len);
	p = area + off;
	if (src)
		memcpy(p, src, len);
	*readable = len;
	return p;
}

/* ---- names ---- */

static bool name_valid(const char *n)
{
	size_t len = strlen(n);

	if (!len || len > KIPC_NAME_MAX)
		return false;
	for (; *n; n++)
		if (*n == '/' || (unsigned char)*n < 0x20 || *n == 0x7f)
			return false;
	return true;
}

/*
 * A name argument: *@copy gets the name when the kernel can read it whole
 * (and NUL-terminated), "" otherwise.  Returns the pointer to pass.
 */
static char *pick_name(struct fuzz *f, char *copy, bool *null)
{
	static char buf[KIPC_NAME_MAX + 8];
	size_t len, i, readable;
	enum place pl;
	char *p;

	*null = false;
	copy[0] = '\0';
	switch (below(f, 12)) {
	case 0:
		*null = true;
		return NULL;
	case 1:		/* odd bytes in a pool name */
		snprintf(buf, sizeof(buf), "%s", f->pool[below(f, NR_POOL)]);
		len = strlen(buf);
		for (i = 0; i < 1 + below(f, 3); i++) {
			static const char odd[] = "\x01\x1f\x7f/\x80\xff\t ";

			buf[below(f, len)] = odd[below(f, sizeof(odd) - 1)];
		}
		break;
	case 2:		/* exactly KIPC_NAME_MAX, or one more */
		len = KIPC_NAME_MAX + below(f, 2);
		snprintf(buf, sizeof(buf), "kt-fuzz-%d-long-", getpid());
		memset(buf + strlen(buf), 'n', len - strlen(buf));
		buf[len] = '\0';
		break;
	case 3:		/* empty */
		buf[0] = '\0';
		break;
	case 4:		/* unterminated, up to a PROT_NONE page */
		len = chance(f, 2) ? below(f, KIPC_NAME_MAX) + 1 :
			KIPC_NAME_MAX + 1 + below(f, 8);
		p = f->edge - len;
		memset(p, 'u', len);
		return p;
	case 5:		/* a bad pointer */
		pl = PL_NONE + below(f, 5);
		return place_bytes(f, &pl, NULL, 0, &readable, true);
	default:	/* one of the pool */
		snprintf(buf, sizeof(buf), "%s", f->pool[below(f, NR_POOL)]);
		break;
	}
	snprintf(copy, KIPC_NAME_MAX + 2, "%.*s", KIPC_NAME_MAX + 1, buf);
	pl = PL_OK;
	return place_bytes(f, &pl, buf, strlen(buf) + 1, &readable, true);
}

static void remember_name(struct fuzz *f, const char *name)
{
	int i;

	if (!name_valid(name))
		return;
	for (i = 0; i < f->nr_made; i++)
		if (!strcmp(f->made[i], name))
			return;
	if (f->nr_made < MAX_MADE)
		snprintf(f->made[f->nr_made++], KIPC_NAME_MAX + 1, "%s", name);
}

/* ---- fds ---- */

static void adopt_fd(struct fuzz *f, int fd, unsigned int flags)
{
	int i = below(f, MAX_QFDS);

	if (f->q[i].fd >= 0)
		close(f->q[i].fd);
	f->q[i].fd = fd;
	f->q[i].flags = flags & (KIPC_O_SEND | KIPC_O_RECV);
}

static void adopt_pipe_fd(struct fuzz *f, int fd, unsigned int dir)
{
	int i = below(f, MAX_PFDS);

	if (f->p[i].fd >= 0)
		close(f->p[i].fd);
	f->p[i].fd = fd;
	f->p[i].flags = dir;
}

/* An open pipe end (its direction in *@pflags), or -1 if none is open. */
static int any_pipe_fd(struct fuzz *f, unsigned int *pflags)
{
	int i, start = below(f, MAX_PFDS);

	for (i = 0; i < MAX_PFDS; i++) {
		struct qfd *p = &f->p[(start + i) % MAX_PFDS];

		if (p->fd >= 0) {
			*pflags = p->flags;
			return p->fd;
		}
	}
	return -1;
}

/*
 * An fd for a command meant for a queue fd (@session false) or the
 * session: mostly the right kind, sometimes not.  *@kind: 0 right kind,
 * 1 another kipc kind (the other one of the two, or with @pipes a pipe
 * end), 2 not kipc (ENOTTY), 3 no fd (EBADF).  *@t: what the fd is.
 */
static int pick_fd_t(struct fuzz *f, bool session, bool pipes, int *kind,
		     unsigned int *qflags, enum target *t)
{
	bool want_session = session;
	int i, start, fd;

	*qflags = 0;
	*kind = 0;
	if (chance(f, 12)) {
		*kind = 1 + below(f, 3);
		if (*kind == 2)
			return f->nullfd;
		if (*kind == 3)
			return chance(f, 2) ? -1 : CLOSED_FD;
		if (pipes && chance(f, 3)) {
			fd = any_pipe_fd(f, qflags);
			*qflags = 0;
			if (fd >= 0) {
				*t = T_PIPE;
				return fd;
			}
		}
		want_session = !session;
	}
	*t = T_QUEUE;
	if (!want_session) {
		start = below(f, MAX_QFDS);
		for (i = 0; i < MAX_QFDS; i++) {
			struct qfd *q = &f->q[(start + i) % MAX_QFDS];

			if (q->fd >= 0) {
				*qflags = q->flags;
				return q->fd;
			}
		}
	}
	/* the session: wanted, or no queue fd is open */
	*kind = session ? 0 : 1;
	*t = T_SESSION;
	return f->sfd;
}

/* pick_fd_t() for an ioctl (a pipe end is a wrong kind too). */
static int pick_fd(struct fuzz *f, bool session, int *kind,
		   unsigned int *qflags)
{
	enum target t;

	return pick_fd_t(f, session, true, kind, qflags, &t);
}

/*
 * An fd for a pipe command: mostly a pipe end (*@kind 0, its direction in
 * *@pflags), else as pick_fd() says: 1 a session or queue fd, 2 not
 * kipc, 3 no fd.
 */
static int pick_pipe_fd(struct fuzz *f, int *kind, unsigned int *pflags)
{
	enum target t;
	int fd;

	*pflags = 0;
	if (!chance(f, 12)) {
		fd = any_pipe_fd(f, pflags);
		if (fd >= 0) {
			*kind = 0;
			return fd;
		}
	}
	fd = pick_fd_t(f, chance(f, 2), false, kind, pflags, &t);
	*pflags = 0;
	if (*kind == 0)
		*kind = 1;	/* a session or queue fd: not a pipe */
	return fd;
}

/* ---- argument structs ---- */

/* A size for a struct whose first version is @ver0 bytes. */
static uint32_t pick_size(struct fuzz *f, uint32_t ver0)
{
	switch (below(f, 16)) {
	case 0:
		return 0;
	case 1:
		return 4;
	case 2:
		return ver0 - 1;
	case 3:
		return ver0 - 8;
	case 4:
	case 5:
		return ver0 + 8;
	case 6:
		return ver0 + 1 + below(f, 64);
	case 7:
		return f->psz;
	case 8:
		return f->psz + 1;
	case 9:
		return ~0U;
	case 10:
		return rnd32(f);
	default:
		return ver0;
	}
}

static uint64_t pick_u64(struct fuzz *f, const uint64_t *vals, size_t n)
{
	if (chance(f, 8))
		return kt_rand64(&f->rnd);
	return vals[below(f, n)];
}

#define PICK(f, arr)	pick_u64(f, arr, ARRAY_SIZE(arr))

/* What the arguments decide, whatever the kernel's state. */
struct verdict {
	long exact;		/* the only acceptable result (-errno), or 0 */
	const int *errs;	/* else: success or these, or err_common */
	bool no_success;	/* an error is certain, its errno is not */
};

/* A sized struct placed for a call. */
struct placed {
	char *addr;		/* what is passed */
	enum place pl;
	size_t readable;	/* bytes from @addr the kernel can access */
	uint32_t usize;		/* its size field */
	size_t len;		/* bytes placed: the struct, a tail */
	char img[2 * 4096];	/* what was placed */
	char before[2 * 4096 + CANARY];	/* with PL_OK: the bytes before */
	size_t cmp_len;		/* ... compared after the call */
};

/*
 * What the struct alone decides, in the kernel's order: the size word
 * (get_user), its bounds, for an input struct the tail past the kernel's
 * struct (check_zeroed_user(), which reads aligned words up to the first
 * nonzero one), the copy in, unknown flags or nonzero reserved fields
 * (@bad_fields); for an output struct the copy out and the zeroed tail.
 * Returns true if that decides the result.
 */
static bool decide_struct(struct verdict *v, const struct cmd_info *ci,
			  const struct placed *pd, size_t ksize,
			  bool bad_fields, long psz)
{
	size_t i, end;

	if (pd->readable < 4) {
		v->exact = -EFAULT;
		return true;
	}
	if (pd->usize < ci->ver0) {
		v->exact = -EINVAL;
		return true;
	}
	if (pd->usize > psz) {
		v->exact = -E2BIG;
		return true;
	}
	if (ci->output) {
		if (pd->pl != PL_OK || pd->readable < pd->usize) {
			v->exact = -EFAULT;
			return true;
		}
		return false;
	}
	if (pd->usize > ksize) {
		/* the page edge is word-aligned: words fault whole */
		end = pd->usize < pd->readable ? pd->usize : pd->readable;
		for (i = ksize; i < end; i++)
			if (pd->img[i]) {
				v->exact = -E2BIG;
				return true;
			}
	}
	if (pd->readable < pd->usize) {
		v->exact = -EFAULT;
		return true;
	}
	if (bad_fields) {
		v->exact = -EINVAL;
		return true;
	}
	return false;
}

/*
 * Give the struct of @ksize bytes at @s (filled in) a size, maybe a tail
 * (zero or not), and a place.
 */
static void place_struct(struct fuzz *f, const struct cmd_info *ci,
			 void *s, size_t ksize, struct placed *pd)
{
	size_t len;

	pd->usize = pick_size(f, ci->ver0);
	*(uint32_t *)s = pd->usize;
	len = pd->usize > ksize ? pd->usize : ksize;
	if (len > (size_t)f->psz + 8)
		len = ksize;	/* huge sizes: E2BIG before any read */
	memset(pd->img, 0, len);
	memcpy(pd->img, s, ksize);
	if (pd->usize > ksize && len > ksize && chance(f, 2))
		pd->img[ksize + below(f, len - ksize)] = 1 + below(f, 255);
	pd->pl = pick_place(f);
	pd->len = len;
	pd->addr = place_bytes(f, &pd->pl, pd->img, len, &pd->readable,
			       false);
	pd->cmp_len = 0;
	if (pd->pl == PL_OK) {
		pd->cmp_len = len + CANARY;
		memcpy(pd->before, pd->addr, pd->cmp_len);
	}
}

/*
 * After the call: bytes the kernel may have written are [@from, @to) of
 * the struct; on success of an output struct also the zeroed tail.
 */
static void check_untouched(struct fuzz *f, const struct placed *pd,
			    size_t from, size_t to, bool zero_tail,
			    size_t ksize)
{
	size_t i;

	for (i = 0; i < pd->cmp_len; i++) {
		char now = pd->addr[i];

		if (i >= from && i < to)
			continue;
		if (zero_tail && i >= ksize && i < pd->usize) {
			if (now)
				fuzz_fail(f, "byte %zu of the tail (size %u) is %#x, not zeroed",
					  i, pd->usize, (unsigned char)now);
			continue;
		}
		if (now != pd->before[i]) {
			fuzz_fail(f, "the kernel wrote byte %zu (size %u, struct %zu): %#x -> %#x",
				  i, pd->usize, ksize,
				  (unsigned char)pd->before[i],
				  (unsigned char)now);
			return;
		}
	}
}

static void judge(struct fuzz *f, enum fop op, long ret,
		  const struct verdict *v)
{
	f->rep->calls[op]++;
	if (ret >= 0)
		f->rep->ok[op]++;
	if (f->verbose)
		fprintf(stderr, "# %llu %s -> %s\n", (unsigned long long)f->iter,
			f->desc, err_name(ret));
	if (v->exact) {
		if (ret != v->exact)
			fuzz_fail(f, "got %s, want %s", err_name(ret),
				  err_name(v->exact));
		return;
	}
	if (ret >= 0) {
		if (v->no_success)
			fuzz_fail(f, "succeeded (%ld), want an error", ret);
		return;
	}
	if (!in_set(ret, err_common) && !in_set(ret, v->errs))
		fuzz_fail(f, "got %s, not a documented errno of the call",
			  err_name(ret));
}

/* The fd decides: the wrong kind, not an fd. */
static bool decide_fd(struct verdict *v, int kind)
{
	if (kind == 1 || kind == 2) {
		v->exact = -ENOTTY;
		return true;
	}
	if (kind == 3) {
		v->exact = -EBADF;
		return true;
	}
	return false;
}

/* ---- the calls ---- */

static const uint64_t sizes32[] = {
	0, 1, 64, 4096, 8192, 65536, 1 << 20, (1 << 20) + 1, 0xffffffff,
};
static const uint64_t capacities[] = {
	0, 1, 4096, 65536, 1 << 20, 64 << 20, (64 << 20) + 1, ~0ULL,
};
static const uint64_t counts32[] = {
	0, 1, 2, 16, 1024, 65536, 65537, 0xffffffff,
};
static const uint64_t modes[] = { 0600, 0666, 0, 0644, 01000, 0777 };

static void f_version(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[0];
	struct kipc_version a = { 0 };
	struct verdict v = { .errs = err_none };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	long ret;

	fd = pick_fd(f, true, &kind, &qflags);
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc), "VERSION fd kind %d size %u place %d",
		 kind, pd.usize, pd.pl);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), false, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_VERSION, pd.addr);
	judge(f, F_VERSION, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 4, ret ? 4 : sizeof(a), !ret,
				sizeof(a));
	if (!ret && ((struct kipc_version *)pd.addr)->major != 1)
		fuzz_fail(f, "major %u",
			  ((struct kipc_version *)pd.addr)->major);
}

static void f_open(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[1];
	struct verdict v = { .errs = err_open };
	char name[KIPC_NAME_MAX + 2];
	struct kipc_queue_open a = { 0 };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	bool null, bad;
	long ret;

	fd = pick_fd(f, true, &kind, &qflags);
	a.flags = KIPC_O_SEND | KIPC_O_RECV | KIPC_O_NONBLOCK | KIPC_O_CLOEXEC;
	if (chance(f, 2))
		a.flags |= KIPC_O_CREAT;
	if (chance(f, 4))
		a.flags |= KIPC_O_EXCL;
	if (chance(f, 4))
		a.flags &= ~(chance(f, 2) ? KIPC_O_SEND : KIPC_O_RECV);
	if (chance(f, 8))
		a.flags = rnd32(f) | (chance(f, 2) ? KIPC_O_CLOEXEC : 0);
	a.name_ptr = (uintptr_t)pick_name(f, name, &null);
	if (null)
		a.id = chance(f, 2) ? below(f, 1 << 20) : kt_rand64(&f->rnd);
	a.mode = PICK(f, modes);
	a.max_msgsize = PICK(f, sizes32);
	a.capacity = PICK(f, capacities);
	a.max_msgs = PICK(f, counts32);
	if (chance(f, 16))
		a.reserved0 = 1;
	if (chance(f, 16))
		a.reserved[below(f, 4)] = kt_rand64(&f->rnd) | 1;
	bad = (a.flags & ~KIPC_O_ALL) || a.reserved0 || a.reserved[0] ||
	      a.reserved[1] || a.reserved[2] || a.reserved[3] ||
	      !(a.flags & (KIPC_O_SEND | KIPC_O_RECV));
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "OPEN fd kind %d size %u place %d flags %#x name \"%.40s\"%s id %llu mode %#o limits %u/%llu/%u",
		 kind, pd.usize, pd.pl, a.flags, name, null ? " (null)" : "",
		 (unsigned long long)a.id, a.mode, a.max_msgsize,
		 (unsigned long long)a.capacity, a.max_msgs);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	/* the id is written back: read-only or cut short, it faults */
	if (!v.exact && pd.pl != PL_OK)
		v.no_success = true;
	ret = kt_ioctl(fd, KIPC_IOC_QUEUE_OPEN, pd.addr);
	judge(f, F_OPEN, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, offsetof(struct kipc_queue_open, id),
				offsetof(struct kipc_queue_open, mode), false,
				sizeof(a));
	if (ret < 0)
		return;
	if (a.flags & KIPC_O_CREAT && !null)
		remember_name(f, name);
	adopt_fd(f, ret, a.flags);
}

/* KIPC_IOC_QUEUE_REMOVE, or with @pipe KIPC_IOC_PIPE_REMOVE */
static void f_remove_cmd(struct fuzz *f, bool pipe)
{
	const struct cmd_info *ci = &cmds[pipe ? CMD_PIPE_OPEN + 1 : 2];
	struct verdict v = { .errs = err_remove };
	char name[KIPC_NAME_MAX + 2];
	struct kipc_queue_remove a = { 0 };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	bool null, bad;
	long ret;

	/* not too often: the queues should live a little */
	fd = pick_fd(f, true, &kind, &qflags);
	a.name_ptr = (uintptr_t)pick_name(f, name, &null);
	if (null)
		a.id = below(f, 1 << 20);
	if (chance(f, 8))
		a.flags = rnd32(f) | 1;
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = a.flags || a.reserved[0] || a.reserved[1];
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "%s fd kind %d size %u place %d flags %#x name \"%.40s\"%s id %llu",
		 pipe ? "PIPE_REMOVE" : "REMOVE", kind, pd.usize, pd.pl,
		 a.flags, name, null ? " (null)" : "",
		 (unsigned long long)a.id);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	ret = kt_ioctl(fd, ci->cmd, pd.addr);
	judge(f, pipe ? F_PREMOVE : F_REMOVE, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
}

static void f_remove(struct fuzz *f)
{
	f_remove_cmd(f, false);
}

/*
 * A buffer of @len bytes; *@room gets how many of them, from its start,
 * the kernel can read (or, @write, write).
 */
static uint64_t pick_buf(struct fuzz *f, uint64_t len, bool write,
			 uint64_t *room)
{
	enum place pl = pick_place(f);
	size_t readable;
	char *p;

	if (pl == PL_OK) {
		if (len > BIG_LEN) {
			*room = BIG_LEN;
			return (uintptr_t)f->big;
		}
		*room = len;
		return (uintptr_t)(f->big + below(f, BIG_LEN - len + 1));
	}
	p = place_bytes(f, &pl, NULL, len > 4096 ? 4096 : len, &readable,
			true);
	*room = write && pl == PL_RO ? 0 : readable;
	return (uintptr_t)p;
}

static const uint64_t lens[] = {
	0, 1, 7, 64, 4095, 4096, 4097, 8192, 8193, 65536, 1 << 20,
	(1 << 20) + 1, 1ULL << 40, ~0ULL,
};

static void f_send(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[3];
	struct verdict v = { .errs = err_send };
	struct kipc_send a = { 0 };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	uint64_t room;
	bool bad;
	long ret;

	fd = pick_fd(f, false, &kind, &qflags);
	a.len = chance(f, 2) ? below(f, 512) : PICK(f, lens);
	a.buf_ptr = pick_buf(f, a.len, false, &room);
	a.type = chance(f, 2) ? below(f, 8) : kt_rand64(&f->rnd);
	a.flags = KIPC_MSG_NONBLOCK;
	if (chance(f, 4)) {
		a.flags = KIPC_MSG_DEADLINE;
		a.deadline_ns = chance(f, 2) ? kt_mono_ns() +
			below(f, 20) * NSEC_PER_MSEC : kt_rand64(&f->rnd);
	}
	if (chance(f, 8))
		a.flags = rnd32(f);
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = (a.flags & ~KIPC_MSG_ALL) || a.reserved[0] || a.reserved[1];
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SEND fd kind %d dir %#x size %u place %d flags %#x len %llu buf %#llx type %llu",
		 kind, qflags, pd.usize, pd.pl, a.flags,
		 (unsigned long long)a.len, (unsigned long long)a.buf_ptr,
		 (unsigned long long)a.type);
	if (!decide_fd(&v, kind)) {
		if (!(qflags & KIPC_O_SEND))
			v.exact = -EBADF;
		else
			decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	}
	if (!v.exact && room < a.len)
		v.no_success = true;	/* the payload cannot be read */
	arm_alarm();
	ret = kt_ioctl(fd, KIPC_IOC_QUEUE_SEND, pd.addr);
	disarm_alarm();
	judge(f, F_SEND, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
	if (!ret)
		f->queued += a.len;
}

static void f_recv(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[4];
	struct verdict v = { .errs = err_recv };
	struct kipc_recv a = { 0 };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	uint64_t room;
	bool bad;
	long ret;

	fd = pick_fd(f, false, &kind, &qflags);
	a.buf_len = chance(f, 2) ? BIG_LEN : PICK(f, lens);
	a.buf_ptr = pick_buf(f, a.buf_len, true, &room);
	a.select = chance(f, 8) ? rnd32(f) : below(f, KIPC_SEL_MAX + 1);
	a.type = below(f, 8);
	a.flags = KIPC_MSG_NONBLOCK;
	if (chance(f, 4)) {
		a.flags = KIPC_MSG_DEADLINE;
		a.deadline_ns = kt_mono_ns() + below(f, 20) * NSEC_PER_MSEC;
	}
	if (chance(f, 8))
		a.flags = rnd32(f);
	if (chance(f, 16))
		a.reserved0 = 1;
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	if (chance(f, 8))
		memset(&a.info, 0xa5, sizeof(a.info));	/* output only */
	bad = (a.flags & ~KIPC_MSG_ALL) || a.reserved0 || a.reserved[0] ||
	      a.reserved[1] || a.select > KIPC_SEL_MAX;
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "RECV fd kind %d dir %#x size %u place %d flags %#x sel %u len %llu buf %#llx",
		 kind, qflags, pd.usize, pd.pl, a.flags, a.select,
		 (unsigned long long)a.buf_len, (unsigned long long)a.buf_ptr);
	if (!decide_fd(&v, kind)) {
		if (!(qflags & KIPC_O_RECV))
			v.exact = -EBADF;
		else
			decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	}
	/*
	 * The header is written back: the struct must be writable.  (A bad
	 * buffer fails only for a message that is not empty.)
	 */
	if (!v.exact && pd.pl != PL_OK)
		v.no_success = true;
	arm_alarm();
	ret = kt_ioctl(fd, KIPC_IOC_QUEUE_RECV, pd.addr);
	disarm_alarm();
	judge(f, F_RECV, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, offsetof(struct kipc_recv, info),
				offsetof(struct kipc_recv, reserved), false,
				sizeof(a));
	if (ret >= 0) {
		struct kipc_recv *r = (struct kipc_recv *)pd.addr;

		if ((uint64_t)ret > room)
			fuzz_fail(f, "%ld bytes into a buffer of %llu writable",
				  ret, (unsigned long long)room);
		if (r->info.len != (uint64_t)ret ||
		    r->info.sender_uid != (f->root ? 0 : FUZZ_UID) ||
		    r->info.sender_pid != getpid() || !r->info.seq)
			fuzz_fail(f, "header: len %llu type %llu uid %u pid %d seq %llu",
				  (unsigned long long)r->info.len,
				  (unsigned long long)r->info.type,
				  r->info.sender_uid, r->info.sender_pid,
				  (unsigned long long)r->info.seq);
		if (f->queued >= (uint64_t)ret)
			f->queued -= ret;
	}
}

static void f_stat(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[5];
	struct verdict v = { .errs = err_none };
	struct kipc_queue_stat a = { 0 };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	long ret;

	fd = pick_fd(f, false, &kind, &qflags);
	memset(&a, 0xa5, sizeof(a));	/* output: must all be replaced */
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc), "STAT fd kind %d size %u place %d",
		 kind, pd.usize, pd.pl);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), false, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_QUEUE_STAT, pd.addr);
	judge(f, F_STAT, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 4, ret ? 4 : sizeof(a), !ret,
				sizeof(a));
	if (!ret) {
		struct kipc_queue_stat *st = (struct kipc_queue_stat *)pd.addr;
		size_t n = strnlen(st->name, sizeof(st->name)), i;

		if (n == sizeof(st->name))
			fuzz_fail(f, "stat: name not terminated");
		for (i = n; i < sizeof(st->name); i++)
			if (st->name[i])
				fuzz_fail(f, "stat: name byte %zu not zero", i);
		if (st->flags & ~(KIPC_STAT_REMOVED | KIPC_STAT_ANONYMOUS) ||
		    st->reserved[0] || st->reserved[1] || st->reserved[2] ||
		    st->reserved0 || st->owner_pid)
			fuzz_fail(f, "stat: flags %#x or reserved not zero",
				  st->flags);
	}
}

static void f_set(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[6];
	struct verdict v = { .errs = err_set };
	struct kipc_queue_set a = { 0 };
	static struct placed pd;
	unsigned int qflags;
	int fd, kind;
	bool bad;
	long ret;

	fd = pick_fd(f, false, &kind, &qflags);
	a.flags = below(f, KIPC_SET_ALL + 1);
	if (chance(f, 8))
		a.flags = rnd32(f);
	a.mode = PICK(f, modes);
	/* mostly our own ids: giving a queue away is allowed but rare */
	a.uid = chance(f, 8) ? rnd32(f) : f->root ? 0 : FUZZ_UID;
	a.gid = chance(f, 8) ? rnd32(f) : f->root ? 0 : FUZZ_GID;
	a.max_msgsize = PICK(f, sizes32);
	a.capacity = PICK(f, capacities);
	a.max_msgs = PICK(f, counts32);
	if (chance(f, 16))
		a.reserved0 = 1;
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = (a.flags & ~KIPC_SET_ALL) || a.reserved0 || a.reserved[0] ||
	      a.reserved[1] || ((a.flags & KIPC_SET_MODE) && (a.mode & ~0777));
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SET fd kind %d size %u place %d flags %#x mode %#o uid %u gid %u limits %u/%llu/%u",
		 kind, pd.usize, pd.pl, a.flags, a.mode, a.uid, a.gid,
		 a.max_msgsize, (unsigned long long)a.capacity, a.max_msgs);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_QUEUE_SET, pd.addr);
	judge(f, F_SET, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
}

/* A random command number of the kipc type, on a random fd. */
static void f_raw(struct fuzz *f)
{
	static const unsigned int nrs[] = {
		0x00, 0x01, 0x0f, 0x10, 0x11, 0x12, 0x1f, 0x20, 0x21, 0x22,
		0x23, 0x24, 0x2f, 0x30, 0x13, 0x14, 0x15, 0x16, 0x31, 0x32,
		0x33, 0x34, 0x17, 0x3f, 0x40, 0x41, 0x42, 0xff,
	};
	struct verdict v = { .errs = err_none };
	const struct cmd_info *ci;
	unsigned int cmd, qflags;
	enum target t;
	int fd, kind;
	long ret;
	char *arg;

	if (chance(f, 3) && (fd = any_pipe_fd(f, &qflags)) >= 0) {
		t = T_PIPE;
		kind = 0;
	} else {
		fd = pick_fd_t(f, chance(f, 2), true, &kind, &qflags, &t);
	}
	cmd = _IOC(below(f, 4), KIPC_IOC_MAGIC,
		   chance(f, 2) ? nrs[below(f, ARRAY_SIZE(nrs))] : below(f, 256),
		   below(f, _IOC_SIZEMASK + 1));
	/* random bytes: pointers in them are almost never mapped */
	arg = f->structs;
	for (size_t i = 0; i < (size_t)f->psz; i += 8)
		*(uint64_t *)(arg + i) = chance(f, 4) ? 0 :
			kt_rand64(&f->rnd);
	if (chance(f, 2))
		*(uint32_t *)arg = chance(f, 2) ? below(f, 512) : 0;
	snprintf(f->desc, sizeof(f->desc),
		 "RAW fd kind %d target %d cmd %#x size %u", kind, t, cmd,
		 *(uint32_t *)arg);
	ci = kind == 2 || kind == 3 ? NULL : cmd_lookup(cmd, t);
	if (kind == 3)
		v.exact = -EBADF;
	else if (!ci)
		v.exact = -ENOTTY;
	else
		v.errs = ci->errs;
	arm_alarm();
	ret = kt_ioctl(fd, cmd, arg);
	disarm_alarm();
	judge(f, F_RAW, ret, &v);
	if (ret >= 0 && ci && (BASE(ci->cmd) == BASE(KIPC_IOC_QUEUE_OPEN) ||
			       BASE(ci->cmd) == BASE(KIPC_IOC_MAILBOX_OPEN) ||
			       BASE(ci->cmd) == BASE(KIPC_IOC_CONNECT)))
		close(ret);	/* an object made of random bytes */
	if (ret >= 0 && ci && BASE(ci->cmd) == BASE(KIPC_IOC_QUEUE_SEND))
		f->queued += 1 << 20;	/* unknown: count it high */
	if (ret >= 0 && ci && BASE(ci->cmd) == BASE(KIPC_IOC_PIPE_OPEN)) {
		/* the ends of a pipe made of random bytes */
		struct kipc_pipe_open *o = (struct kipc_pipe_open *)arg;

		if (o->read_fd > 2)
			close(o->read_fd);
		if (o->write_fd > 2)
			close(o->write_fd);
	}
}

static void f_pipe_rw(struct fuzz *f, bool write_it);

static void f_read_write(struct fuzz *f, bool write_it)
{
	struct verdict v = { .errs = err_rw };
	enum target t;
	unsigned int qflags;
	uint64_t len, room;
	int fd, kind;
	long ret;
	char *buf;

	if (chance(f, 2)) {
		f_pipe_rw(f, write_it);
		return;
	}
	fd = pick_fd_t(f, false, false, &kind, &qflags, &t);
	len = chance(f, 2) ? below(f, 600) : PICK(f, lens);
	buf = (char *)(uintptr_t)pick_buf(f, len, !write_it, &room);
	snprintf(f->desc, sizeof(f->desc), "%s fd kind %d dir %#x len %llu buf %p",
		 write_it ? "WRITE" : "READ", kind, qflags,
		 (unsigned long long)len, buf);
	if (kind == 3 || (kind == 0 && !(qflags & (write_it ? KIPC_O_SEND :
						    KIPC_O_RECV))))
		v.exact = -EBADF;
	else if (kind == 1)
		v.exact = -EINVAL;	/* the session has no read or write */
	else if (kind == 2)
		v.errs = err_none;	/* /dev/null */
	arm_alarm();
	if (write_it)
		ret = write(fd, buf, len);
	else
		ret = read(fd, buf, len);
	ret = ret < 0 ? -errno : ret;
	disarm_alarm();
	judge(f, write_it ? F_WRITE : F_READ, ret, &v);
	if (kind == 0 && ret >= 0 && write_it && (uint64_t)ret != len)
		fuzz_fail(f, "wrote %ld of %llu bytes", ret,
			  (unsigned long long)len);
	if (kind == 0 && ret > 0 && (uint64_t)ret > room)
		fuzz_fail(f, "%ld bytes through a buffer of %llu accessible",
			  ret, (unsigned long long)room);
	if (kind == 0 && write_it && ret > 0)
		f->queued += ret;
}

/* ---- pipes ---- */

static const uint64_t pipe_caps[] = {
	0, 1, 4096, 4097, 65536, 1 << 20, (1 << 20) + 1, 0xffffffff,
};

static void f_pipe_open(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[CMD_PIPE_OPEN];
	struct verdict v = { .errs = err_pipe_open };
	char name[KIPC_NAME_MAX + 2];
	struct kipc_pipe_open a = { 0 }, *o;
	static struct placed pd;
	unsigned int qflags, dirs;
	int fd, kind;
	bool null, bad;
	long ret;

	fd = pick_fd(f, true, &kind, &qflags);
	a.flags = KIPC_O_READ | KIPC_O_WRITE | KIPC_O_NONBLOCK |
		  KIPC_O_CLOEXEC;
	if (chance(f, 2))
		a.flags |= KIPC_O_CREAT;
	if (chance(f, 4))
		a.flags |= KIPC_O_EXCL;
	if (chance(f, 3))
		a.flags &= ~(chance(f, 2) ? KIPC_O_READ : KIPC_O_WRITE);
	if (chance(f, 16))
		a.flags &= ~KIPC_O_NONBLOCK;	/* may wait, until the alarm */
	if (chance(f, 8))
		a.flags = rnd32(f) | (chance(f, 2) ? KIPC_O_CLOEXEC : 0);
	a.name_ptr = (uintptr_t)pick_name(f, name, &null);
	if (null)
		a.id = chance(f, 2) ? below(f, 1 << 20) : kt_rand64(&f->rnd);
	a.mode = PICK(f, modes);
	a.capacity = PICK(f, pipe_caps);
	a.read_fd = a.write_fd = 0x5a5a5a5a;	/* output only */
	if (chance(f, 16))
		a.reserved[below(f, 4)] = kt_rand64(&f->rnd) | 1;
	dirs = a.flags & (KIPC_O_READ | KIPC_O_WRITE);
	bad = (a.flags & ~KIPC_O_ALL) || a.reserved[0] || a.reserved[1] ||
	      a.reserved[2] || a.reserved[3] || !dirs;
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "PIPE_OPEN fd kind %d size %u place %d flags %#x name \"%.40s\"%s id %llu mode %#o capacity %u",
		 kind, pd.usize, pd.pl, a.flags, name, null ? " (null)" : "",
		 (unsigned long long)a.id, a.mode, a.capacity);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	/* the id and the fds are written back */
	if (!v.exact && pd.pl != PL_OK)
		v.no_success = true;
	/* a pipe may be made before a later step fails: remove it at the end */
	if (a.flags & KIPC_O_CREAT && !null)
		remember_name(f, name);
	arm_alarm();
	ret = kt_ioctl(fd, KIPC_IOC_PIPE_OPEN, pd.addr);
	disarm_alarm();
	judge(f, F_POPEN, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, offsetof(struct kipc_pipe_open, id),
				offsetof(struct kipc_pipe_open, reserved),
				false, sizeof(a));
	if (ret < 0)
		return;
	o = (struct kipc_pipe_open *)pd.addr;
	if (ret)
		fuzz_fail(f, "returned %ld, not 0", ret);
	if ((dirs & KIPC_O_READ) ? o->read_fd < 0 : o->read_fd != -1)
		fuzz_fail(f, "read_fd %d", o->read_fd);
	if ((dirs & KIPC_O_WRITE) ? o->write_fd < 0 : o->write_fd != -1)
		fuzz_fail(f, "write_fd %d", o->write_fd);
	if (o->read_fd > 2)
		adopt_pipe_fd(f, o->read_fd, KIPC_O_READ);
	if (o->write_fd > 2)
		adopt_pipe_fd(f, o->write_fd, KIPC_O_WRITE);
}

static void f_pipe_remove(struct fuzz *f)
{
	f_remove_cmd(f, true);
}

static void f_pipe_stat(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[CMD_PIPE_OPEN + 2];
	struct verdict v = { .errs = err_none };
	struct kipc_pipe_stat a = { 0 };
	static struct placed pd;
	unsigned int pflags;
	int fd, kind;
	long ret;

	fd = pick_pipe_fd(f, &kind, &pflags);
	memset(&a, 0xa5, sizeof(a));	/* output: must all be replaced */
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "PIPE_STAT fd kind %d dir %#x size %u place %d", kind, pflags,
		 pd.usize, pd.pl);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), false, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_PIPE_STAT, pd.addr);
	judge(f, F_PSTAT, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 4, ret ? 4 : sizeof(a), !ret,
				sizeof(a));
	if (!ret) {
		struct kipc_pipe_stat *st = (struct kipc_pipe_stat *)pd.addr;
		size_t n = strnlen(st->name, sizeof(st->name)), i;

		if (n == sizeof(st->name))
			fuzz_fail(f, "pipe stat: name not terminated");
		for (i = n; i < sizeof(st->name); i++)
			if (st->name[i])
				fuzz_fail(f, "pipe stat: name byte %zu not zero",
					  i);
		if (st->flags & ~(KIPC_STAT_REMOVED | KIPC_STAT_ANONYMOUS) ||
		    st->reserved[0] || st->reserved[1] || st->reserved[2] ||
		    st->reserved[3])
			fuzz_fail(f, "pipe stat: flags %#x or reserved not zero",
				  st->flags);
		if (st->atomic_size != KIPC_PIPE_ATOMIC || !st->capacity ||
		    st->capacity % 4096 || st->bytes > st->capacity ||
		    (pflags & KIPC_O_READ && !st->readers) ||
		    (pflags & KIPC_O_WRITE && !st->writers))
			fuzz_fail(f, "pipe stat: atomic %u capacity %u bytes %llu readers %u writers %u",
				  st->atomic_size, st->capacity,
				  (unsigned long long)st->bytes, st->readers,
				  st->writers);
	}
}

#define PIPE_SET_ALL	(KIPC_SET_MODE | KIPC_SET_UID | KIPC_SET_GID | \
			 KIPC_SET_CAPACITY)

static void f_pipe_set(struct fuzz *f)
{
	const struct cmd_info *ci = &cmds[CMD_PIPE_OPEN + 3];
	struct verdict v = { .errs = err_pipe_set };
	struct kipc_pipe_set a = { 0 };
	static struct placed pd;
	unsigned int pflags;
	int fd, kind;
	bool bad;
	long ret;

	fd = pick_pipe_fd(f, &kind, &pflags);
	a.flags = below(f, KIPC_SET_ALL + 1);
	if (chance(f, 8))
		a.flags = rnd32(f);
	a.mode = PICK(f, modes);
	a.uid = chance(f, 8) ? rnd32(f) : f->root ? 0 : FUZZ_UID;
	a.gid = chance(f, 8) ? rnd32(f) : f->root ? 0 : FUZZ_GID;
	a.capacity = PICK(f, pipe_caps);
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = (a.flags & ~PIPE_SET_ALL) || a.reserved[0] || a.reserved[1] ||
	      ((a.flags & KIPC_SET_MODE) && (a.mode & ~0777));
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "PIPE_SET fd kind %d size %u place %d flags %#x mode %#o uid %u gid %u capacity %u",
		 kind, pd.usize, pd.pl, a.flags, a.mode, a.uid, a.gid,
		 a.capacity);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_PIPE_SET, pd.addr);
	judge(f, F_PSET, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
}

/* read(2) or write(2) on a pipe end (or on what pick_pipe_fd() gives). */
static void f_pipe_rw(struct fuzz *f, bool write_it)
{
	struct verdict v = { .errs = err_pipe_rw };
	uint64_t len, room;
	unsigned int pflags;
	int fd, kind;
	long ret;
	char *buf;

	fd = pick_pipe_fd(f, &kind, &pflags);
	len = chance(f, 2) ? below(f, 9000) : PICK(f, lens);
	buf = (char *)(uintptr_t)pick_buf(f, len, !write_it, &room);
	snprintf(f->desc, sizeof(f->desc),
		 "PIPE %s fd kind %d dir %#x len %llu buf %p",
		 write_it ? "WRITE" : "READ", kind, pflags,
		 (unsigned long long)len, buf);
	if (kind == 3 || (kind == 0 && !(pflags & (write_it ? KIPC_O_WRITE :
						    KIPC_O_READ))))
		v.exact = -EBADF;
	else if (kind == 1)
		v.errs = err_rw;	/* a session or a queue fd */
	else if (kind == 2)
		v.errs = err_none;	/* /dev/null */
	arm_alarm();
	if (write_it)
		ret = write(fd, buf, len);
	else
		ret = read(fd, buf, len);
	ret = ret < 0 ? -errno : ret;
	disarm_alarm();
	judge(f, write_it ? F_WRITE : F_READ, ret, &v);
	if (kind == 0 && ret > 0 && ((uint64_t)ret > room ||
				     (uint64_t)ret > len))
		fuzz_fail(f, "%ld bytes through a buffer of %llu accessible",
			  ret, (unsigned long long)room);
	if (kind == 1 && write_it && ret > 0)
		f->queued += ret;
}

static void f_poll(struct fuzz *f)
{
	struct pollfd p[MAX_QFDS + MAX_PFDS + 1];
	unsigned int dir[MAX_QFDS + MAX_PFDS + 1] = { 0 };
	int i, n = 0;
	long ret;

	snprintf(f->desc, sizeof(f->desc), "POLL");
	for (i = 0; i < MAX_QFDS; i++)
		if (f->q[i].fd >= 0) {
			p[n].fd = f->q[i].fd;
			p[n++].events = POLLIN | POLLOUT | POLLPRI;
		}
	for (i = 0; i < MAX_PFDS; i++)
		if (f->p[i].fd >= 0) {
			dir[n] = f->p[i].flags;
			p[n].fd = f->p[i].fd;
			p[n++].events = POLLIN | POLLOUT | POLLPRI;
		}
	p[n].fd = f->sfd;	/* no poll of its own: always ready */
	p[n++].events = POLLIN | POLLOUT;
	ret = poll(p, n, 0);
	ret = ret < 0 ? -errno : ret;
	f->rep->calls[F_POLL]++;
	if (ret < 0)
		fuzz_fail(f, "poll: %s", err_name(ret));
	for (i = 0; i < n; i++) {
		if (p[i].revents & (POLLNVAL | POLLPRI))
			fuzz_fail(f, "poll: revents %#x", p[i].revents);
		/* a read end is never writable, a write end never readable */
		if ((dir[i] & KIPC_O_READ &&
		     p[i].revents & (POLLOUT | POLLERR)) ||
		    (dir[i] & KIPC_O_WRITE && p[i].revents & (POLLIN | POLLHUP)))
			fuzz_fail(f, "poll: pipe end %#x: revents %#x", dir[i],
				  p[i].revents);
	}
}

static void f_close(struct fuzz *f)
{
	int i = below(f, MAX_QFDS);

	struct qfd *q = chance(f, 2) ? &f->q[i] : &f->p[i % MAX_PFDS];

	snprintf(f->desc, sizeof(f->desc), "CLOSE");
	f->rep->calls[F_CLOSE]++;
	if (q->fd >= 0) {
		close(q->fd);
		q->fd = -1;
	}
}

/* ---- shared memory: region fds, the shm ioctls and mmap(2) ---- */

/*
 * F_SHM makes one call of the shared memory half, chosen below: open and
 * remove on the session, stat, set, wait, wake, attach, lock init and
 * random command numbers on region fds, mmap(2) of region fds.  The
 * regions are the fuzzer's own, kept apart from the queues: their fds in
 * shm_fds[], the names made in shm_made[].  A region fd is used with
 * commands of another kind of fd and the other way round now and then.
 */
#define MAX_RFDS	8
#define SHM_MAX_MADE	32

enum shm_op {
	S_OPEN, S_REMOVE, S_STAT, S_SET, S_WAIT, S_WAKE, S_ATTACH, S_LOCK,
	S_MMAP, S_RAW, NR_SHM_OPS
};

static const unsigned int shm_op_weight[NR_SHM_OPS] = {
	[S_OPEN] = 8, [S_REMOVE] = 3, [S_STAT] = 4, [S_SET] = 3, [S_WAIT] = 5,
	[S_WAKE] = 5, [S_ATTACH] = 3, [S_LOCK] = 4, [S_MMAP] = 6, [S_RAW] = 5,
};

static struct qfd shm_fds[MAX_RFDS];	/* flags: KIPC_O_READ / KIPC_O_WRITE */
static char shm_made[SHM_MAX_MADE][KIPC_NAME_MAX + 1];
static int shm_nr_made;

static const int err_shm_open[] = {
	EEXIST, ENOENT, ENAMETOOLONG, EACCES, EDQUOT, EMFILE, ENFILE, ENOMEM,
	ENOSPC, 0
};
/* "-EPERM as for queues": a removed region's set gets EIDRM as a queue's */
static const int err_shm_set[] = { EPERM, EIDRM, 0 };
static const int err_shm_wait[] = { EBADF, EAGAIN, ETIMEDOUT, EINTR, 0 };
static const int err_shm_wake[] = { EBADF, 0 };
static const int err_shm_attach[] = { EBADF, ENOSPC, ENOMEM, 0 };
static const int err_shm_lock[] = { EBADF, ENOSPC, ENOMEM, 0 };
/* mmap(2): the mm core's checks, then the region's */
static const int err_shm_mmap[] = {
	EINVAL, EACCES, ENXIO, ENOMEM, EOVERFLOW, EPERM, 0
};

/* The region fd commands, and the session's shm commands. */
static const struct cmd_info shm_cmds[] = {
	{ KIPC_IOC_SHM_OPEN, true, KIPC_SHM_OPEN_SIZE_VER0, false,
	  err_shm_open, false },
	{ KIPC_IOC_SHM_REMOVE, true, KIPC_QUEUE_REMOVE_SIZE_VER0, false,
	  err_remove, false },
	{ KIPC_IOC_SHM_STAT, false, KIPC_SHM_STAT_SIZE_VER0, true, err_none,
	  false },
	{ KIPC_IOC_SHM_SET, false, KIPC_SHM_SET_SIZE_VER0, false,
	  err_shm_set, false },
	{ KIPC_IOC_SHM_WAIT, false, KIPC_SHM_WAIT_SIZE_VER0, false,
	  err_shm_wait, false },
	{ KIPC_IOC_SHM_WAKE, false, KIPC_SHM_WAKE_SIZE_VER0, false,
	  err_shm_wake, false },
	{ KIPC_IOC_SHM_ATTACH, false, 0, false, err_shm_attach,
	  false },
	{ KIPC_IOC_SHM_LOCK_INIT, false, KIPC_SHM_LOCK_SIZE_VER0, false,
	  err_shm_lock, false },
};

static const uint64_t region_sizes[] = {
	0, 1, 100, 4095, 4096, 4097, 3 * 4096, 65536, 1 << 20, 64 << 20,
	(64 << 20) + 1, ~0ULL,
};
static const uint64_t shm_offsets[] = {
	0, 1, 2, 4, 8, 60, 4092, 4094, 4096, 4100, 8188, 65532, 65536,
	1ULL << 32, ~0ULL - 3,
};

static void shm_adopt_fd(struct fuzz *f, int fd, unsigned int flags)
{
	int i = below(f, MAX_RFDS);

	if (shm_fds[i].fd >= 0)
		close(shm_fds[i].fd);
	shm_fds[i].fd = fd;
	shm_fds[i].flags = flags & (KIPC_O_READ | KIPC_O_WRITE);
}

static void shm_remember_name(const char *name)
{
	int i;

	if (!name_valid(name))
		return;
	for (i = 0; i < shm_nr_made; i++)
		if (!strcmp(shm_made[i], name))
			return;
	if (shm_nr_made < SHM_MAX_MADE)
		snprintf(shm_made[shm_nr_made++], KIPC_NAME_MAX + 1, "%s",
			 name);
}

/*
 * An fd for a region command: mostly a region fd, sometimes a queue fd,
 * the session or /dev/null (*@kind 1 or 2: ENOTTY), or no fd (3: EBADF).
 */
static int shm_pick_fd(struct fuzz *f, int *kind, unsigned int *rflags)
{
	unsigned int qflags;
	int i, start, fd;

	*rflags = 0;
	*kind = 0;
	if (!chance(f, 12)) {
		start = below(f, MAX_RFDS);
		for (i = 0; i < MAX_RFDS; i++) {
			struct qfd *r = &shm_fds[(start + i) % MAX_RFDS];

			if (r->fd >= 0) {
				*rflags = r->flags;
				return r->fd;
			}
		}
	}
	*kind = 1 + below(f, 3);
	if (*kind == 2)
		return f->nullfd;
	if (*kind == 3)
		return chance(f, 2) ? -1 : CLOSED_FD;
	/* a queue fd or the session (or what else pick_fd() picks) */
	fd = pick_fd(f, chance(f, 2), &i, &qflags);
	*kind = i >= 2 ? i : 1;
	return fd;
}

/* A region fd used for a session command (ENOTTY), or what pick_fd() gives. */
static int shm_pick_session(struct fuzz *f, int *kind)
{
	unsigned int qflags;
	int i;

	if (chance(f, 16))
		for (i = 0; i < MAX_RFDS; i++)
			if (shm_fds[i].fd >= 0) {
				*kind = 1;
				return shm_fds[i].fd;
			}
	return pick_fd(f, true, kind, &qflags);
}

static void s_open(struct fuzz *f)
{
	const struct cmd_info *ci = &shm_cmds[0];
	struct verdict v = { .errs = err_shm_open };
	char name[KIPC_NAME_MAX + 2];
	struct kipc_shm_open a = { 0 };
	static struct placed pd;
	int fd, kind;
	bool null, bad;
	long ret;

	fd = shm_pick_session(f, &kind);
	a.flags = KIPC_O_READ | KIPC_O_WRITE | KIPC_O_CLOEXEC;
	if (chance(f, 2))
		a.flags |= KIPC_O_CREAT;
	if (chance(f, 4))
		a.flags |= KIPC_O_EXCL;
	if (chance(f, 3))
		a.flags &= ~(chance(f, 2) ? KIPC_O_READ : KIPC_O_WRITE);
	if (chance(f, 16))
		a.flags |= KIPC_O_NONBLOCK;
	if (chance(f, 8))
		a.flags = rnd32(f) | (chance(f, 2) ? KIPC_O_CLOEXEC : 0);
	a.name_ptr = (uintptr_t)pick_name(f, name, &null);
	if (null)
		a.id = chance(f, 2) ? below(f, 1 << 20) : kt_rand64(&f->rnd);
	a.mode = PICK(f, modes);
	a.region_size = PICK(f, region_sizes);
	if (chance(f, 16))
		a.reserved0 = 1;
	if (chance(f, 16))
		a.reserved[below(f, 4)] = kt_rand64(&f->rnd) | 1;
	bad = (a.flags & ~KIPC_O_ALL) || a.reserved0 || a.reserved[0] ||
	      a.reserved[1] || a.reserved[2] || a.reserved[3] ||
	      !(a.flags & (KIPC_O_READ | KIPC_O_WRITE));
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_OPEN fd kind %d size %u place %d flags %#x name \"%.40s\"%s id %llu mode %#o region %llu",
		 kind, pd.usize, pd.pl, a.flags, name, null ? " (null)" : "",
		 (unsigned long long)a.id, a.mode,
		 (unsigned long long)a.region_size);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	/* the id is written back: read-only or cut short, it faults */
	if (!v.exact && pd.pl != PL_OK)
		v.no_success = true;
	ret = kt_ioctl(fd, KIPC_IOC_SHM_OPEN, pd.addr);
	judge(f, F_SHM, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, offsetof(struct kipc_shm_open, id),
				offsetof(struct kipc_shm_open, mode), false,
				sizeof(a));
	if (ret < 0)
		return;
	if (a.flags & KIPC_O_CREAT && !null)
		shm_remember_name(name);
	shm_adopt_fd(f, ret, a.flags);
}

static void s_remove(struct fuzz *f)
{
	const struct cmd_info *ci = &shm_cmds[1];
	struct verdict v = { .errs = err_remove };
	char name[KIPC_NAME_MAX + 2];
	struct kipc_queue_remove a = { 0 };
	static struct placed pd;
	int fd, kind;
	bool null, bad;
	long ret;

	fd = shm_pick_session(f, &kind);
	a.name_ptr = (uintptr_t)pick_name(f, name, &null);
	if (null)
		a.id = below(f, 1 << 20);
	if (chance(f, 8))
		a.flags = rnd32(f) | 1;
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = a.flags || a.reserved[0] || a.reserved[1];
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_REMOVE fd kind %d size %u place %d flags %#x name \"%.40s\"%s id %llu",
		 kind, pd.usize, pd.pl, a.flags, name, null ? " (null)" : "",
		 (unsigned long long)a.id);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_SHM_REMOVE, pd.addr);
	judge(f, F_SHM, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
}

static void s_stat(struct fuzz *f)
{
	const struct cmd_info *ci = &shm_cmds[2];
	struct verdict v = { .errs = err_none };
	struct kipc_shm_stat a;
	static struct placed pd;
	unsigned int rflags;
	int fd, kind;
	long ret;

	fd = shm_pick_fd(f, &kind, &rflags);
	memset(&a, 0xa5, sizeof(a));	/* output: must all be replaced */
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_STAT fd kind %d size %u place %d", kind, pd.usize,
		 pd.pl);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), false, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_SHM_STAT, pd.addr);
	judge(f, F_SHM, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 4, ret ? 4 : sizeof(a), !ret,
				sizeof(a));
	if (!ret) {
		struct kipc_shm_stat *st = (struct kipc_shm_stat *)pd.addr;
		size_t n = strnlen(st->name, sizeof(st->name)), i;

		if (n == sizeof(st->name))
			fuzz_fail(f, "shm stat: name not terminated");
		for (i = n; i < sizeof(st->name); i++)
			if (st->name[i])
				fuzz_fail(f, "shm stat: name byte %zu not zero",
					  i);
		if (st->flags & ~(KIPC_STAT_REMOVED | KIPC_STAT_ANONYMOUS |
				  KIPC_STAT_MAPPED) ||
		    st->reserved0 || st->reserved[0] || st->reserved[1] ||
		    st->reserved[2] || st->reserved[3] || st->mode & ~0777 ||
		    !st->region_size || !st->id)
			fuzz_fail(f, "shm stat: flags %#x mode %#o size %llu id %llu or reserved",
				  st->flags, st->mode,
				  (unsigned long long)st->region_size,
				  (unsigned long long)st->id);
		if (!(st->flags & KIPC_STAT_ANONYMOUS) != !!n)
			fuzz_fail(f, "shm stat: flags %#x with name \"%.40s\"",
				  st->flags, st->name);
	}
}

static void s_set(struct fuzz *f)
{
	const unsigned int all = KIPC_SET_MODE | KIPC_SET_UID | KIPC_SET_GID;
	const struct cmd_info *ci = &shm_cmds[3];
	struct verdict v = { .errs = err_shm_set };
	struct kipc_shm_set a = { 0 };
	static struct placed pd;
	unsigned int rflags;
	int fd, kind;
	bool bad;
	long ret;

	fd = shm_pick_fd(f, &kind, &rflags);
	a.flags = below(f, all + 1);
	if (chance(f, 8))
		a.flags = rnd32(f);
	a.mode = PICK(f, modes);
	/* mostly our own ids: giving a region away is allowed but rare */
	a.uid = chance(f, 8) ? rnd32(f) : f->root ? 0 : FUZZ_UID;
	a.gid = chance(f, 8) ? rnd32(f) : f->root ? 0 : FUZZ_GID;
	if (chance(f, 16))
		a.reserved0 = 1;
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = (a.flags & ~all) || a.reserved0 || a.reserved[0] ||
	      a.reserved[1] || ((a.flags & KIPC_SET_MODE) && (a.mode & ~0777));
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_SET fd kind %d size %u place %d flags %#x mode %#o uid %u gid %u",
		 kind, pd.usize, pd.pl, a.flags, a.mode, a.uid, a.gid);
	if (!decide_fd(&v, kind))
		decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	ret = kt_ioctl(fd, KIPC_IOC_SHM_SET, pd.addr);
	judge(f, F_SHM, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
}

/*
 * WAIT (@wake false) or WAKE: the fd must be open for reading (waits) or
 * writing (wakes) before anything else is looked at, then the struct,
 * then the offset (4-byte aligned, inside the region).
 */
static void s_wait_wake(struct fuzz *f, bool wake)
{
	const struct cmd_info *ci = &shm_cmds[wake ? 5 : 4];
	struct verdict v = { .errs = wake ? err_shm_wake : err_shm_wait };
	struct kipc_shm_wait w = { 0 };
	struct kipc_shm_wake k = { 0 };
	static struct placed pd;
	unsigned int rflags;
	uint64_t off;
	int fd, kind;
	bool bad;
	long ret;

	fd = shm_pick_fd(f, &kind, &rflags);
	off = chance(f, 4) ? kt_rand64(&f->rnd) : PICK(f, shm_offsets);
	if (wake) {
		k.offset = off;
		k.count = chance(f, 4) ? 0 : chance(f, 2) ? KIPC_WAKE_ALL :
			1 + below(f, 3);
		if (chance(f, 8))
			k.flags = rnd32(f) | 1;
		if (chance(f, 16))
			k.reserved0 = 1;
		if (chance(f, 16))
			k.reserved[below(f, 2)] = 1;
		bad = k.flags || k.reserved0 || k.reserved[0] ||
		      k.reserved[1] || !k.count || (off & 3);
		place_struct(f, ci, &k, sizeof(k), &pd);
	} else {
		w.offset = off;
		w.expected = chance(f, 2) ? 0 : rnd32(f);
		w.flags = KIPC_MSG_DEADLINE;
		w.deadline_ns = chance(f, 2) ? kt_mono_ns() +
			below(f, 20) * NSEC_PER_MSEC : kt_rand64(&f->rnd);
		if (chance(f, 8))
			w.flags = 0;	/* no deadline: the alarm ends it */
		if (chance(f, 8))
			w.flags = rnd32(f);
		if (chance(f, 16))
			w.reserved0 = 1;
		if (chance(f, 16))
			w.reserved[below(f, 2)] = 1;
		bad = (w.flags & ~KIPC_MSG_DEADLINE) || w.reserved0 ||
		      w.reserved[0] || w.reserved[1] || (off & 3);
		place_struct(f, ci, &w, sizeof(w), &pd);
	}
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_%s fd kind %d dir %#x size %u place %d flags %#x offset %#llx count/expected %u",
		 wake ? "WAKE" : "WAIT", kind, rflags, pd.usize, pd.pl,
		 wake ? k.flags : w.flags, (unsigned long long)off,
		 wake ? k.count : w.expected);
	if (!decide_fd(&v, kind)) {
		if (!(rflags & (wake ? KIPC_O_WRITE : KIPC_O_READ)))
			v.exact = -EBADF;
		else
			decide_struct(&v, ci, &pd, wake ? sizeof(k) : sizeof(w),
				      bad, f->psz);
	}
	arm_alarm();
	ret = kt_ioctl(fd, wake ? KIPC_IOC_SHM_WAKE : KIPC_IOC_SHM_WAIT,
		       pd.addr);
	disarm_alarm();
	judge(f, F_SHM, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false,
				wake ? sizeof(k) : sizeof(w));
	/* the fuzzer is the only waiter, and it does not wait now */
	if (ret > 0)
		fuzz_fail(f, "%s returned %ld", wake ? "wake woke" : "wait",
			  ret);
}

static void s_attach(struct fuzz *f)
{
	struct verdict v = { .errs = err_shm_attach };
	unsigned int rflags;
	int fd, kind;
	long ret, again;

	fd = shm_pick_fd(f, &kind, &rflags);
	snprintf(f->desc, sizeof(f->desc), "SHM_ATTACH fd kind %d dir %#x",
		 kind, rflags);
	if (!decide_fd(&v, kind) &&
	    (rflags & (KIPC_O_READ | KIPC_O_WRITE)) !=
	    (KIPC_O_READ | KIPC_O_WRITE))
		v.exact = -EBADF;
	ret = kt_ioctl(fd, KIPC_IOC_SHM_ATTACH, chance(f, 2) ? NULL :
		       f->unmapped);
	judge(f, F_SHM, ret, &v);
	if (ret == 0 || ret > KIPC_LOCK_HOLDER_MASK - 1)
		fuzz_fail(f, "holder id %ld", ret);
	if (ret > 0) {
		/* one id per process and region */
		again = kt_ioctl(fd, KIPC_IOC_SHM_ATTACH, NULL);
		if (again != ret)
			fuzz_fail(f, "attach again: %ld, not %ld", again, ret);
	}
}

static void s_lock_init(struct fuzz *f)
{
	const struct cmd_info *ci = &shm_cmds[7];
	struct verdict v = { .errs = err_shm_lock };
	struct kipc_shm_lock a = { 0 };
	static struct placed pd;
	unsigned int rflags;
	int fd, kind;
	bool bad;
	long ret;

	fd = shm_pick_fd(f, &kind, &rflags);
	a.offset = chance(f, 4) ? kt_rand64(&f->rnd) : PICK(f, shm_offsets);
	if (chance(f, 8))
		a.flags = rnd32(f) | 1;
	if (chance(f, 16))
		a.reserved[below(f, 2)] = 1;
	bad = a.flags || a.reserved[0] || a.reserved[1] || (a.offset & 3);
	place_struct(f, ci, &a, sizeof(a), &pd);
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_LOCK_INIT fd kind %d dir %#x size %u place %d flags %#x offset %#llx",
		 kind, rflags, pd.usize, pd.pl, a.flags,
		 (unsigned long long)a.offset);
	if (!decide_fd(&v, kind)) {
		if (!(rflags & KIPC_O_WRITE))
			v.exact = -EBADF;
		else
			decide_struct(&v, ci, &pd, sizeof(a), bad, f->psz);
	}
	ret = kt_ioctl(fd, KIPC_IOC_SHM_LOCK_INIT, pd.addr);
	judge(f, F_SHM, ret, &v);
	if (pd.cmp_len)
		check_untouched(f, &pd, 0, 0, false, sizeof(a));
}

/* mmap(2) of a region fd with odd lengths, offsets, protections, flags. */
static void s_mmap(struct fuzz *f)
{
	static const uint64_t lens_pages[] = { 0, 1, 2, 3, 16, 1 << 14 };
	static const uint64_t offs_pages[] = { 0, 0, 1, 2, 1 << 14, 1 << 30 };
	static const int prots[] = {
		PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE, PROT_NONE,
	};
	struct verdict v = { .errs = err_shm_mmap };
	struct kipc_shm_stat st;
	unsigned int rflags;
	int fd, kind, prot, flags;
	uint64_t len, off;
	long ret;
	char *p;

	fd = shm_pick_fd(f, &kind, &rflags);
	if (kind == 1 || kind == 2)
		return;		/* not a region: not ours to judge */
	len = PICK(f, lens_pages) * f->psz;
	if (chance(f, 8))
		len += 1 + below(f, f->psz - 1);	/* rounded up */
	off = PICK(f, offs_pages) * f->psz;
	prot = prots[below(f, ARRAY_SIZE(prots))];
	flags = chance(f, 6) ? MAP_PRIVATE : MAP_SHARED;
	snprintf(f->desc, sizeof(f->desc),
		 "SHM_MMAP fd kind %d dir %#x len %llu offset %#llx prot %#x flags %#x",
		 kind, rflags, (unsigned long long)len,
		 (unsigned long long)off, prot, flags);
	/* what must fail; its errno is the mm core's or the region's */
	if (!len || flags & MAP_PRIVATE || !(rflags & KIPC_O_READ) ||
	    ((prot & PROT_WRITE) && !(rflags & KIPC_O_WRITE)))
		v.no_success = true;
	if (kind == 3)
		v.exact = -EBADF;
	p = mmap(NULL, len, prot, flags, fd, off);
	ret = p == MAP_FAILED ? -errno : 0;
	judge(f, F_SHM, ret, &v);
	if (ret < 0)
		return;
	/* the mapping is within the region's pages */
	if (!kipc_shm_stat(fd, &st) &&
	    off + len > ((st.region_size + f->psz - 1) & ~(uint64_t)(f->psz - 1)))
		fuzz_fail(f, "mapped %llu bytes at %#llx of a region of %llu",
			  (unsigned long long)len, (unsigned long long)off,
			  (unsigned long long)st.region_size);
	/* the first page is there (the region has at least one) */
	if (prot & PROT_READ)
		(void)*(volatile char *)p;
	if (prot & PROT_WRITE)
		*(volatile char *)p = 'm';
	munmap(p, len);
}

/* Random command numbers of the kipc type on region fds. */
static void s_raw(struct fuzz *f)
{
	static const unsigned int nrs[] = {
		0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x5f, 0x10, 0x18,
		0x19, 0x20, 0x22, 0x40,
	};
	struct verdict v = { .errs = err_none };
	const struct cmd_info *ci = NULL;
	unsigned int cmd, rflags, i;
	int fd, kind;
	long ret;
	char *arg;

	fd = shm_pick_fd(f, &kind, &rflags);
	if (kind == 1 || kind == 2)
		return;		/* f_raw() tries the other kinds of fd */
	cmd = _IOC(below(f, 4), KIPC_IOC_MAGIC,
		   chance(f, 4) ? below(f, 256) : nrs[below(f, ARRAY_SIZE(nrs))],
		   below(f, _IOC_SIZEMASK + 1));
	if (chance(f, 4))	/* the right direction bits */
		for (i = 0; i < ARRAY_SIZE(shm_cmds); i++)
			if (_IOC_NR(shm_cmds[i].cmd) == _IOC_NR(cmd))
				cmd = (shm_cmds[i].cmd & ~(_IOC_SIZEMASK <<
							   _IOC_SIZESHIFT)) |
				      (cmd & (_IOC_SIZEMASK << _IOC_SIZESHIFT));
	arg = f->structs;
	for (i = 0; i < (unsigned int)f->psz; i += 8)
		*(uint64_t *)(arg + i) = chance(f, 4) ? 0 :
			kt_rand64(&f->rnd);
	if (chance(f, 2))
		*(uint32_t *)arg = chance(f, 2) ? below(f, 512) : 0;
	snprintf(f->desc, sizeof(f->desc), "SHM_RAW fd kind %d cmd %#x size %u",
		 kind, cmd, *(uint32_t *)arg);
	if (kind == 0)
		for (i = 0; i < ARRAY_SIZE(shm_cmds); i++)
			if (!shm_cmds[i].session &&
			    BASE(shm_cmds[i].cmd) == BASE(cmd))
				ci = &shm_cmds[i];
	if (kind == 3)
		v.exact = -EBADF;
	else if (!ci)
		v.exact = -ENOTTY;
	else
		v.errs = ci->errs;
	arm_alarm();
	ret = kt_ioctl(fd, cmd, arg);
	disarm_alarm();
	judge(f, F_SHM, ret, &v);
}

/* Close every region fd and remove every region name the fuzzer made. */
static void shm_reset(struct fuzz *f)
{
	int i;

	for (i = 0; i < MAX_RFDS; i++)
		if (shm_fds[i].fd >= 0) {
			close(shm_fds[i].fd);
			shm_fds[i].fd = -1;
		}
	for (i = 0; i < shm_nr_made; i++)
		kipc_shm_remove(f->sfd, shm_made[i]);
	shm_nr_made = 0;
}

static void f_shm(struct fuzz *f)
{
	static bool started;
	unsigned int total = 0, r, i;

	if (!started) {
		for (i = 0; i < MAX_RFDS; i++)
			shm_fds[i].fd = -1;
		started = true;
	}
	for (i = 0; i < NR_SHM_OPS; i++)
		total += shm_op_weight[i];
	r = below(f, total);
	for (i = 0; r >= shm_op_weight[i]; i++)
		r -= shm_op_weight[i];
	switch (i) {
	case S_OPEN:
		s_open(f);
		break;
	case S_REMOVE:
		s_remove(f);
		break;
	case S_STAT:
		s_stat(f);
		break;
	case S_SET:
		s_set(f);
		break;
	case S_WAIT:
		s_wait_wake(f, false);
		break;
	case S_WAKE:
		s_wait_wake(f, true);
		break;
	case S_ATTACH:
		s_attach(f);
		break;
	case S_LOCK:
		s_lock_init(f);
		break;
	case S_MMAP:
		s_mmap(f);
		break;
	default:
		s_raw(f);
		break;
	}
	if (shm_nr_made == SHM_MAX_MADE)
		shm_reset(f);
}

/*
 * The end: every region name made (and the pool's, in the shm namespace)
 * is removed and leads nowhere.  Returns how many are still there.
 */
static int shm_fuzz_end(struct fuzz *f)
{
	int i, fd, left = 0;

	for (i = 0; i < shm_nr_made; i++) {
		kipc_shm_remove(f->sfd, shm_made[i]);
		fd = kipc_shm_open(f->sfd, shm_made[i], KIPC_O_READ, 0, 0,
				   NULL);
		if (fd >= 0) {
			close(fd);
			left++;
		}
	}
	shm_reset(f);
	for (i = 0; i < NR_POOL; i++) {
		kipc_shm_remove(f->sfd, f->pool[i]);
		fd = kipc_shm_open(f->sfd, f->pool[i], KIPC_O_READ, 0, 0,
				   NULL);
		if (fd >= 0) {
			close(fd);
			left++;
		}
	}
	return left;
}

/*
 * Close every queue fd and pipe end and remove every name made (a queue's
 * or a pipe's): memory goes back.
 */
static void reset(struct fuzz *f)
{
	int i;

	for (i = 0; i < MAX_QFDS; i++)
		if (f->q[i].fd >= 0) {
			close(f->q[i].fd);
			f->q[i].fd = -1;
		}
	for (i = 0; i < MAX_PFDS; i++)
		if (f->p[i].fd >= 0) {
			close(f->p[i].fd);
			f->p[i].fd = -1;
		}
	for (i = 0; i < f->nr_made; i++) {
		kipc_queue_remove(f->sfd, f->made[i]);
		kipc_pipe_remove(f->sfd, f->made[i]);
	}
	f->nr_made = 0;
	f->queued = 0;
}

static enum fop pick_fop(struct fuzz *f)
{
	unsigned int total = 0, r, i;

	for (i = 0; i < NR_FOPS; i++)
		total += fop_weight[i];
	r = below(f, total);
	for (i = 0; r >= fop_weight[i]; i++)
		r -= fop_weight[i];
	return i;
}

/* Remove the pipe @name: 1 if it is still there after that, else 0. */
static int pipe_left(struct fuzz *f, const char *name)
{
	int fd;

	kipc_pipe_remove(f->sfd, name);
	fd = kipc_pipe_open(f->sfd, name, KIPC_O_READ | KIPC_O_NONBLOCK, 0, 0);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

struct run {
	int sfd;
	bool root;
	uint64_t seed;
	uint64_t iters;		/* 0: until @end */
	uint64_t end;		/* CLOCK_MONOTONIC */
	struct report *rep;
};

/* In the child (as root or FUZZ_UID): the fuzzing loop. */
static int fuzz_main(void *arg)
{
	struct run *run = arg;
	static struct fuzz fz;
	struct fuzz *f = &fz;
	struct sigaction sa = { .sa_handler = on_alarm };
	uint64_t start = kt_mono_ns();
	int i, left = 0, fd;

	memset(f, 0, sizeof(*f));
	f->rep = run->rep;
	f->sfd = run->sfd;
	f->root = run->root;
	f->rnd = run->seed ?: 1;
	f->verbose = kt_env_ull("KIPC_FUZZ_VERBOSE", 0);
	if (arena_init(f) || sigaction(SIGALRM, &sa, NULL)) {
		f->rep->setup = 1;
		return 0;
	}
	/* a write to a pipe with no reader: EPIPE, not death */
	signal(SIGPIPE, SIG_IGN);
	f->nullfd = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (i = 0; i < MAX_QFDS; i++)
		f->q[i].fd = -1;
	for (i = 0; i < MAX_PFDS; i++)
		f->p[i].fd = -1;
	for (i = 0; i < NR_POOL; i++)
		snprintf(f->pool[i], KT_NAME_LEN, "kt-fuzz-%d-%d", getpid(), i);

	for (f->iter = 0; run->iters ? f->iter < run->iters :
	     kt_mono_ns() < run->end; f->iter++) {
		f->op = pick_fop(f);
		switch (f->op) {
		case F_VERSION:
			f_version(f);
			break;
		case F_OPEN:
			f_open(f);
			break;
		case F_REMOVE:
			f_remove(f);
			break;
		case F_SEND:
			f_send(f);
			break;
		case F_RECV:
			f_recv(f);
			break;
		case F_STAT:
			f_stat(f);
			break;
		case F_SET:
			f_set(f);
			break;
		case F_RAW:
			f_raw(f);
			break;
		case F_READ:
			f_read_write(f, false);
			break;
		case F_WRITE:
			f_read_write(f, true);
			break;
		case F_POLL:
			f_poll(f);
			break;
		case F_POPEN:
			f_pipe_open(f);
			break;
		case F_PREMOVE:
			f_pipe_remove(f);
			break;
		case F_PSTAT:
			f_pipe_stat(f);
			break;
		case F_PSET:
			f_pipe_set(f);
			break;
		case F_SHM:
			f_shm(f);
			break;
		case F_CLOSE:
		case NR_FOPS:
			f_close(f);
			break;
		}
		if (f->queued > MAX_QUEUED || f->nr_made == MAX_MADE)
			reset(f);
	}
	f->rep->iters = f->iter;
	f->rep->ns = kt_mono_ns() - start;

	/* the end: nothing of ours is left */
	for (i = 0; i < f->nr_made; i++) {
		kipc_queue_remove(f->sfd, f->made[i]);
		fd = kipc_queue_open(f->sfd, f->made[i], KIPC_O_SEND, 0, NULL,
				     NULL);
		if (fd >= 0) {
			close(fd);
			left++;
		}
		left += pipe_left(f, f->made[i]);
	}
	reset(f);
	for (i = 0; i < NR_POOL; i++) {
		kipc_queue_remove(f->sfd, f->pool[i]);
		fd = kipc_queue_open(f->sfd, f->pool[i], KIPC_O_SEND, 0, NULL,
				     NULL);
		if (fd >= 0) {
			close(fd);
			left++;
		}
		left += pipe_left(f, f->pool[i]);
	}
	left += shm_fuzz_end(f);
	f->rep->left = left;
	close(f->nullfd);
	return 0;
}

/* ---- the tests ---- */

FIXTURE(fuzz) {
	int sfd;
	struct report *rep;
};

FIXTURE_SETUP(fuzz)
{
	KT_SESSION_OR_SKIP(self->sfd);
	if (geteuid() != 0)
		SKIP(return, "needs root");
	self->rep = mmap(NULL, sizeof(*self->rep), PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->rep);
}

FIXTURE_TEARDOWN(fuzz)
{
	close(self->sfd);
}

static uint64_t fuzz_seed(void)
{
	static uint64_t seed;

	if (!seed)
		seed = kt_env_ull("KIPC_FUZZ_SEED", kt_real_ns() ^ getpid()) ?:
			1;
	return seed;
}

static void run_fuzz(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fuzz) *self, bool root)
{
	unsigned long long seconds = kt_env_ull("KIPC_FUZZ_SECONDS", 5);
	struct run run = {
		.sfd = self->sfd,
		.root = root,
		.seed = fuzz_seed() + !root,
		.iters = kt_env_ull("KIPC_FUZZ_ITERS", 0),
		.rep = self->rep,
	};
	struct report *r = self->rep;
	int status, i;

	/* half the time each, as root and as FUZZ_UID */
	run.end = kt_mono_ns() + seconds * NSEC_PER_SEC / 2;
	printf("# fuzz as %s: KIPC_FUZZ_SEED=%llu%s\n", root ? "root" : "user",
	       (unsigned long long)fuzz_seed(), root ? "" : " (its seed + 1)");
	fflush(stdout);
	status = kt_run_child(root ? (uid_t)-1 : FUZZ_UID, FUZZ_GID,
			      fuzz_main, &run);
	ASSERT_EQ(0, status) TH_LOG("the fuzzing process %s",
				    status == KT_CHILD_KILLED ? "crashed" :
				    "failed to start");
	ASSERT_EQ(0, r->setup);
	printf("# fuzz as %s: %llu iterations in %llu ms (%llu/s), %llu failures\n",
	       root ? "root" : "user", (unsigned long long)r->iters,
	       (unsigned long long)(r->ns / NSEC_PER_MSEC),
	       (unsigned long long)(r->iters * NSEC_PER_SEC / (r->ns ?: 1)),
	       (unsigned long long)r->failures);
	printf("# calls (succeeded):");
	for (i = 0; i < NR_FOPS; i++)
		printf(" %s %llu (%llu)", fop_names[i],
		       (unsigned long long)r->calls[i],
		       (unsigned long long)r->ok[i]);
	printf("\n");
	fflush(stdout);
	EXPECT_EQ(0U, r->failures) TH_LOG("first: %s; replay: KIPC_FUZZ_SEED=%llu KIPC_FUZZ_ITERS=%llu%s",
					   r->first,
					   (unsigned long long)fuzz_seed(),
					   (unsigned long long)r->first_iter + 1,
					   root ? "" : " (the user run)");
	for (i = 0; i < NR_FOPS; i++)
		if (r->by_op[i][0])
			TH_LOG("%s: %s", fop_names[i], r->by_op[i]);
	EXPECT_EQ(0, r->left) TH_LOG("queues, pipes or regions of the fuzzer still there");
}

TEST_F_TIMEOUT(fuzz, as_root, 600)
{
	run_fuzz(_metadata, self, true);
}

#define PROBE_PIPES	4	/* pipes_per_user during the pipe probe */

struct pipe_probe {
	int sfd;
	char name[PROBE_PIPES + 1][KT_NAME_LEN];
};

/* As the probed user: exactly PROBE_PIPES pipes fit.  A KT_QUOTA_*. */
static int pipe_probe_child(void *arg)
{
	struct pipe_probe *p = arg;
	int i, fd, res = KT_QUOTA_FREE;

	for (i = 0; i <= PROBE_PIPES && res == KT_QUOTA_FREE; i++) {
		fd = kipc_pipe_open(p->sfd, p->name[i], KIPC_O_CREAT |
				    KIPC_O_EXCL | KIPC_O_READ |
				    KIPC_O_NONBLOCK, 0600, 4096);
		if (fd >= 0)
			close(fd);
		if (i < PROBE_PIPES && fd < 0)
			res = fd == -EDQUOT ? KT_QUOTA_HELD : KT_CHILD_WRONG;
		else if (i == PROBE_PIPES && fd != -EDQUOT)
			res = fd < 0 ? KT_CHILD_WRONG : KT_QUOTA_OVER;
	}
	for (i = 0; i <= PROBE_PIPES; i++)
		kipc_pipe_remove(p->sfd, p->name[i]);
	return res;
}

/* kt_quota_probe() for the pipe count (the bytes are that one's). */
static int pipe_quota_probe(int sfd, uid_t uid, gid_t gid)
{
	unsigned long long saved;
	struct pipe_probe p = { .sfd = sfd };
	int i, ret, res;

	ret = kt_param_read("pipes_per_user", &saved);
	if (ret)
		return ret;
	for (i = 0; i <= PROBE_PIPES; i++)
		snprintf(p.name[i], KT_NAME_LEN, "kt-pprobe-%d-%d", getpid(), i);
	ret = kt_param_write("pipes_per_user", PROBE_PIPES);
	res = ret ? ret : kt_run_child(uid, gid, pipe_probe_child, &p);
	for (i = 0; i <= PROBE_PIPES; i++)
		kipc_pipe_remove(sfd, p.name[i]);
	ret = kt_param_write("pipes_per_user", saved);
	return ret ? ret : res;
}

TEST_F_TIMEOUT(fuzz, as_user, 600)
{
	int res;

	run_fuzz(_metadata, self, false);
	res = kt_quota_probe(self->sfd, FUZZ_UID, FUZZ_GID);
	EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("quota of uid %d: %s", FUZZ_UID,
					     kt_quota_str(res));
	if (kipc_require(self->sfd, KIPC_FEAT_PIPE, NULL))
		return;
	res = pipe_quota_probe(self->sfd, FUZZ_UID, FUZZ_GID);
	EXPECT_EQ(KT_QUOTA_FREE, res) TH_LOG("pipes of uid %d: %s", FUZZ_UID,
					     kt_quota_str(res));
}

KT_HARNESS_MAIN
