// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench: one-way throughput and ping-pong latency of kipc's IPC forms
 * against Linux's own, for 16 B to 64 KiB messages, plus a scaling run.
 * See Documentation/benchmarks.md for the method and the honesty rules.
 *
 * Every case runs its sides as separate processes (fork); each side measures
 * its own wall time (CLOCK_MONOTONIC) and CPU time (getrusage(RUSAGE_SELF),
 * user + system) around the timed loop only, after two barriers (attach,
 * connect).  A case is repeated --reps times; within one repetition every
 * case runs once, in table order (reversed on odd repetitions), so the
 * mechanisms alternate; medians over the repetitions are reported.
 *
 * Every message carries its sequence number (and sender) in its first and
 * last 8 bytes; the receiver checks length, sender, order and (--verify full,
 * the --quick default, or every 64th message otherwise) the whole payload.
 * Any lost, reordered or damaged message fails the run (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include "bench.h"

#define MAX_PROCS	16
#define MAX_REPS	101
#define SEQ_SHIFT	48
#define SEQ_MASK	((1ULL << SEQ_SHIFT) - 1)
#define SAMPLE_EVERY	64	/* full payload check of every Nth message */
#define CSV_BEGIN	"==== kipc-bench csv begin ===="
#define CSV_END		"==== kipc-bench csv end ===="

static const size_t all_sizes[] = { 16, 64, 256, 1024, 4096, 65536 };
#define NSIZES (sizeof(all_sizes) / sizeof(all_sizes[0]))

enum mode { MODE_TPUT, MODE_LAT };
enum inject { INJECT_NONE, INJECT_LOSS, INJECT_CORRUPT };

static struct {
	bool quick;
	unsigned int reps;
	const char *filter;
	bool sizes[NSIZES];
	const char *csv;
	bool markers;
	bool scale;
	unsigned int senders;
	size_t scale_size;
	bool verify_full;
	enum inject inject;
	unsigned int timeout;
	double iter_scale;
	unsigned int depth;
} opt = {
	.reps = 5, .scale = true, .senders = 4, .scale_size = 64,
	.timeout = 120, .iter_scale = 1.0, .depth = 64,
};

/* one repetition's figures */
struct rep {
	double wall_op, cpu_op;		/* ns per message or round trip */
	double rate, mbs;		/* messages/s, MB/s (throughput) */
	double p50, p99;		/* µs (latency) */
};

struct bcase {
	const struct mech *m;
	size_t size;
	enum mode mode;
	unsigned int npairs, nsenders;
	char config[24];
	uint64_t iters;		/* per sender (tput) or round trips (lat) */
	bool skipped, failed;
	char note[BENCH_NOTE_MAX];
	unsigned int nreps;
	struct rep reps[MAX_REPS];
	struct rep med, lo, hi;
};

/* what each process reports, in a shared mapping */
struct pslot {
	uint64_t t0, t1, cpu_ns, ops, verified, errors;
	char msg[BENCH_NOTE_MAX];
};

static struct pslot *slots;
static uint64_t *samples;	/* latency of each round trip, side A pair 0 */
static size_t max_samples;
static unsigned char *ref;	/* the payload pattern */
static uint64_t total_verified, total_errors;

/* ------------------------------------------------------------- helpers */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t cpu_ns(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) *
	       1000000000ULL +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* the @q quantile (0..1) of sorted @v[@n], nearest rank */
static double quantile(const double *v, size_t n, double q)
{
	size_t i = (size_t)ceil(q * (double)n);

	if (!n)
		return NAN;
	return v[i ? i - 1 : 0];
}

static void *alloc_buf(size_t size)
{
	char *p = malloc(size + BENCH_HEADROOM);

	return p ? p + BENCH_HEADROOM : NULL;
}

static uint64_t iters_for(size_t size, enum mode mode)
{
	uint64_t n;

	if (opt.quick)
		return mode == MODE_TPUT ? 64 : 16;
	/* TCG copies ~150 MB/s: large messages get few iterations */
	if (mode == MODE_TPUT)
		n = size <= 256 ? 20000 : size <= 1024 ? 10000 :
		    size <= 4096 ? 2000 : 200;
	else
		n = size <= 1024 ? 2000 : size <= 4096 ? 1000 : 100;
	n = (uint64_t)((double)n * opt.iter_scale);
	return n ? n : 1;
}

/* ---------------------------------------------------- message checks */

static void stamp(unsigned char *buf, size_t size, uint64_t seq)
{
	memcpy(buf, &seq, sizeof(seq));
	memcpy(buf + size - sizeof(seq), &seq, sizeof(seq));
}

struct verifier {
	size_t size;
	unsigned int nsenders;
	uint64_t next[MAX_PROCS];
	uint64_t count, errors;
	struct pslot *slot;
};

static void verr(struct verifier *v, const char *fmt, unsigned long long a,
		 unsigned long long b)
{
	if (!v->errors++)
		snprintf(v->slot->msg, sizeof(v->slot->msg), fmt, a, b);
}

static int verify(void *arg, const void *buf, ssize_t len)
{
	struct verifier *v = arg;
	const unsigned char *p = buf;
	uint64_t head, tail, sender, n;

	v->count++;
	if (len != (ssize_t)v->size) {
		verr(v, "message %llu: length %llu", v->count,
		     (unsigned long long)len);
		return -1;
	}
	memcpy(&head, p, sizeof(head));
	memcpy(&tail, p + len - sizeof(tail), sizeof(tail));
	sender = head >> SEQ_SHIFT;
	n = head & SEQ_MASK;
	if (head != tail) {
		verr(v, "message %llu: damaged (head %#llx)", v->count, head);
		return -1;
	}
	if (sender >= v->nsenders) {
		verr(v, "message %llu: from unknown sender %llu", v->count,
		     sender);
		return -1;
	}
	if (n != v->next[sender]) {
		verr(v, "sequence: got %llu, expected %llu", n,
		     v->next[sender]);
		v->next[sender] = n + 1;
		return -1;
	}
	v->next[sender] = n + 1;
	if ((opt.verify_full || v->count % SAMPLE_EVERY == 1) &&
	    len > 16 && memcmp(p + 8, ref + 8, (size_t)len - 16)) {
		verr(v, "message %llu: payload damaged (seq %llu)", v->count,
		     n);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------- the processes */

static void child_fail(struct pslot *s, const char *what, int err, int rdy)
{
	if (!s->msg[0])
		snprintf(s->msg, sizeof(s->msg), "%s: %s", what,
			 strerror(-err));
	s->errors++;
	if (rdy >= 0 && write(rdy, "x", 1) < 0)
		_exit(2);
	_exit(1);
}

static bool barrier_child(int rdy, int go, pid_t *peer)
{
	pid_t p;

	if (write(rdy, "r", 1) != 1)
		return false;
	if (read(go, &p, sizeof(p)) != sizeof(p) || p < 0)
		return false;
	if (peer)
		*peer = p;
	return true;
}

/* --inject: stamp message @i of @n wrongly (loss) or damage it (corrupt) */
static int stamp_inject(unsigned char *buf, size_t size, uint64_t i,
			uint64_t n, uint64_t *seq)
{
	bool now = i == n / 2;

	if (now && opt.inject == INJECT_LOSS)
		(*seq)++;
	stamp(buf, size, *seq);
	if (now && opt.inject == INJECT_CORRUPT) {
		buf[size / 2] ^= 0x5a;
		return 1;
	}
	return 0;
}

/* side A: send (tput), or ping / call (lat) */
static void run_a(struct bcase *k, struct chan *c, unsigned int sid,
		  struct pslot *s, bool record)
{
	const struct mech *m = k->m;
	unsigned char *sbuf = alloc_buf(k->size), *rbuf = alloc_buf(k->size);
	struct verifier v = { .size = k->size, .nsenders = 1, .slot = s };
	uint64_t i, seq, t0;
	ssize_t got;
	int ret, fix;

	if (!sbuf || !rbuf)
		child_fail(s, "malloc", -ENOMEM, -1);
	memcpy(sbuf, ref, k->size);
	memset(rbuf, 0, k->size);
	s->cpu_ns = cpu_ns();
	s->t0 = now_ns();
	for (i = 0; i < k->iters; i++) {
		seq = ((uint64_t)sid << SEQ_SHIFT) | i;
		fix = stamp_inject(sbuf, k->size, i, k->iters, &seq);
		if (k->mode == MODE_TPUT) {
			ret = m->send(c, DIR_AB, sbuf, k->size);
			if (ret)
				child_fail(s, "send", ret, -1);
			if (m->flags & MECH_INPROC &&
			    (opt.verify_full || i % SAMPLE_EVERY == 0)) {
				got = m->recv(c, DIR_AB, rbuf, k->size);
				v.next[0] = i;
				v.count = opt.verify_full ? i : 0;
				verify(&v, rbuf, got);
				s->verified++;
			}
		} else {
			t0 = now_ns();
			if (m->call) {
				got = m->call(c, sbuf, k->size, rbuf, k->size);
			} else {
				ret = m->send(c, DIR_AB, sbuf, k->size);
				if (ret)
					child_fail(s, "send", ret, -1);
				got = m->recv(c, DIR_BA, rbuf, k->size);
			}
			if (record)
				samples[i] = now_ns() - t0;
			if (got < 0)
				child_fail(s, "receive the reply", (int)got, -1);
			v.next[0] = seq & SEQ_MASK;	/* the echo of this seq */
			verify(&v, rbuf, got);
			s->verified++;
		}
		if (fix)
			sbuf[k->size / 2] ^= 0x5a;
	}
	s->t1 = now_ns();
	s->cpu_ns = cpu_ns() - s->cpu_ns;
	s->ops = k->iters;
	s->errors += v.errors;
}

/* side B: receive (tput), or echo / serve (lat) */
static void run_b(struct bcase *k, struct chan *c, struct pslot *s)
{
	const struct mech *m = k->m;
	unsigned char *rbuf = alloc_buf(k->size);
	struct verifier v = { .size = k->size, .slot = s };
	uint64_t i, n;
	ssize_t got;
	int ret;

	if (!rbuf)
		child_fail(s, "malloc", -ENOMEM, -1);
	v.nsenders = k->mode == MODE_TPUT ? k->nsenders : 1;
	n = k->mode == MODE_TPUT ? k->iters * k->nsenders : k->iters;
	s->cpu_ns = cpu_ns();
	s->t0 = now_ns();
	if (k->mode == MODE_LAT && m->serve) {
		ret = m->serve(c, n, verify, &v);
		if (ret)
			child_fail(s, "serve", ret, -1);
	} else {
		for (i = 0; i < n; i++) {
			got = m->recv(c, DIR_AB, rbuf, k->size);
			if (got < 0)
				child_fail(s, "receive", (int)got, -1);
			verify(&v, rbuf, got);
			if (k->mode == MODE_LAT) {
				ret = m->send(c, DIR_BA, rbuf, (size_t)got);
				if (ret)
					child_fail(s, "send the echo", ret, -1);
			}
		}
	}
	s->t1 = now_ns();
	s->cpu_ns = cpu_ns() - s->cpu_ns;
	s->ops = n;
	s->verified = v.count;
	s->errors += v.errors;
}

struct proc {
	pid_t pid;
	int side;
	unsigned int chan, sid;
	int go[2];
};

static void child_main(struct bcase *k, struct chan *c, struct proc *p,
		       struct pslot *s, int rdy, pid_t peer_unused)
{
	pid_t peer;
	int ret;

	(void)peer_unused;
	alarm(opt.timeout);
	ret = k->m->attach(c, p->side);
	if (ret)
		child_fail(s, "attach", ret, rdy);
	if (!barrier_child(rdy, p->go[0], &peer))
		_exit(1);
	if (k->m->connect) {
		ret = k->m->connect(c, p->side, peer);
		if (ret)
			child_fail(s, "connect", ret, rdy);
	}
	if (!barrier_child(rdy, p->go[0], NULL))
		_exit(1);
	if (p->side == SIDE_A)
		run_a(k, c, p->sid, s, p->chan == 0 && p->sid == 0);
	else
		run_b(k, c, s);
	_exit(s->errors ? 1 : 0);
}

/* wait for @n bytes on @fd; false on 'x', EOF or timeout */
static bool barrier_parent(int fd, unsigned int n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char b;

	while (n) {
		if (poll(&pfd, 1, (int)opt.timeout * 1000) <= 0)
			return false;
		if (read(fd, &b, 1) != 1 || b != 'r')
			return false;
		n--;
	}
	return true;
}

static void kill_all(struct proc *p, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (p[i].pid > 0)
			kill(p[i].pid, SIGKILL);
}

static void chan_init(struct chan *c, struct bcase *k)
{
	int i;

	memset(c, 0, sizeof(*c));
	c->m = k->m;
	c->size = k->size;
	c->depth = opt.depth;
	c->nsenders = (int)k->nsenders;
	for (i = 0; i < 4; i++)
		c->fd[i] = c->efd[i] = -1;
	c->mq[0] = c->mq[1] = (mqd_t)-1;
	c->msq[0] = c->msq[1] = -1;
	c->sess = c->lfd = -1;
}

/* Run one repetition of @k; false when it failed (k->note says why). */
static bool run_rep(struct bcase *k)
{
	struct chan chans[MAX_PROCS];
	struct proc procs[MAX_PROCS];
	unsigned int nch = k->npairs, np = 0, i, j;
	uint64_t tmin = UINT64_MAX, tmax = 0, cpu = 0, ops = 0;
	int rdy[2] = { -1, -1 }, ret, status;
	bool ok = true;
	struct rep *r = &k->reps[k->nreps];
	double *lat;

	memset(slots, 0, sizeof(*slots) * MAX_PROCS);
	for (i = 0; i < nch; i++) {
		chan_init(&chans[i], k);
		ret = k->m->setup(&chans[i]);
		if (ret) {
			if (ret == 1) {
				k->skipped = true;
				snprintf(k->note, sizeof(k->note), "%s",
					 chans[i].note);
			} else {
				snprintf(k->note, sizeof(k->note), "setup: %s",
					 strerror(-ret));
			}
			for (j = 0; j <= i; j++)
				k->m->teardown(&chans[j]);
			return ret == 1;
		}
	}
	/* the processes: per channel B then A (or the senders) */
	for (i = 0; i < nch; i++) {
		if (!(k->m->flags & MECH_INPROC))
			procs[np++] = (struct proc){ .side = SIDE_B, .chan = i };
		for (j = 0; j < (k->mode == MODE_TPUT ? k->nsenders : 1); j++)
			procs[np++] = (struct proc){ .side = SIDE_A, .chan = i,
						     .sid = j };
	}
	if (pipe(rdy))
		return false;
	for (i = 0; i < np; i++) {
		if (pipe(procs[i].go)) {
			ok = false;
			np = i;
			goto reap;
		}
		fflush(NULL);
		procs[i].pid = fork();
		if (procs[i].pid == 0) {
			close(rdy[0]);
			child_main(k, &chans[procs[i].chan], &procs[i],
				   &slots[i], rdy[1], 0);
		}
		if (procs[i].pid < 0) {
			ok = false;
			np = i;
			goto reap;
		}
		close(procs[i].go[0]);
	}
	close(rdy[1]);
	rdy[1] = -1;
	/* barrier 1: attached; give each its peer's pid */
	ok = barrier_parent(rdy[0], np);
	for (i = 0; ok && i < np; i++) {
		pid_t peer = -1;

		for (j = 0; j < np; j++)
			if (procs[j].chan == procs[i].chan &&
			    procs[j].side != procs[i].side) {
				peer = procs[j].pid;
				break;
			}
		if (k->m->flags & MECH_INPROC)
			peer = 0;
		ok = write(procs[i].go[1], &peer, sizeof(peer)) == sizeof(peer);
	}
	/* barrier 2: connected; go */
	ok = ok && barrier_parent(rdy[0], np);
	for (i = 0; ok && i < np; i++) {
		pid_t go = 0;

		ok = write(procs[i].go[1], &go, sizeof(go)) == sizeof(go);
	}
reap:
	if (!ok)
		kill_all(procs, np);
	for (i = 0; i < np; i++) {
		pid_t pid = waitpid(-1, &status, 0);

		if (pid < 0)
			break;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			if (ok)
				kill_all(procs, np);
			ok = false;
		}
		for (j = 0; j < np; j++)
			if (procs[j].pid == pid)
				procs[j].pid = 0;
	}
	for (i = 0; i < np; i++)
		close(procs[i].go[1]);
	if (rdy[0] >= 0)
		close(rdy[0]);
	if (rdy[1] >= 0)
		close(rdy[1]);
	for (i = 0; i < nch; i++)
		k->m->teardown(&chans[i]);

	for (i = 0; i < np; i++) {
		total_verified += slots[i].verified;
		total_errors += slots[i].errors;
		if (slots[i].errors && !k->note[0])
			snprintf(k->note, sizeof(k->note), "side %s: %.*s",
				 procs[i].side == SIDE_A ? "A" : "B",
				 BENCH_NOTE_MAX - 16,
				 slots[i].msg[0] ? slots[i].msg : "died");
	}
	if (!ok) {
		if (!k->note[0])
			snprintf(k->note, sizeof(k->note),
				 "a side died or timed out");
		return false;
	}
	for (i = 0; i < np; i++) {
		if (slots[i].t0 < tmin)
			tmin = slots[i].t0;
		if (slots[i].t1 > tmax)
			tmax = slots[i].t1;
		cpu += slots[i].cpu_ns;
		/* messages counted where they arrive (A for memcpy, lat) */
		if (procs[i].side == SIDE_B ? k->mode == MODE_TPUT :
		    (k->m->flags & MECH_INPROC) || k->mode == MODE_LAT)
			ops += slots[i].ops;
	}
	if (!ops || tmax <= tmin) {
		snprintf(k->note, sizeof(k->note), "no operations timed");
		return false;
	}
	r->wall_op = (double)(tmax - tmin) / (double)ops;
	r->cpu_op = (double)cpu / (double)ops;
	r->rate = 1e9 / r->wall_op;
	r->mbs = r->rate * (double)k->size / 1e6;
	r->p50 = r->p99 = NAN;
	if (k->mode == MODE_LAT) {
		lat = malloc(sizeof(*lat) * k->iters);
		if (!lat)
			return false;
		qsort(samples, k->iters, sizeof(*samples), cmp_u64);
		for (i = 0; i < k->iters; i++)
			lat[i] = (double)samples[i] / 1000.0;
		r->p50 = quantile(lat, k->iters, 0.5);
		r->p99 = quantile(lat, k->iters, 0.99);
		free(lat);
	}
	k->nreps++;
	return true;
}

/* ------------------------------------------------------------- summary */

static void summarize(struct bcase *k)
{
	double v[MAX_REPS];
	size_t off[] = {
		offsetof(struct rep, wall_op), offsetof(struct rep, cpu_op),
		offsetof(struct rep, rate), offsetof(struct rep, mbs),
		offsetof(struct rep, p50), offsetof(struct rep, p99),
	};
	unsigned int f, i;

	for (f = 0; f < sizeof(off) / sizeof(off[0]); f++) {
		for (i = 0; i < k->nreps; i++)
			v[i] = *(double *)((char *)&k->reps[i] + off[f]);
		qsort(v, k->nreps, sizeof(v[0]), cmp_double);
		*(double *)((char *)&k->med + off[f]) =
			k->nreps % 2 ? v[k->nreps / 2] :
			(v[k->nreps / 2 - 1] + v[k->nreps / 2]) / 2;
		*(double *)((char *)&k->lo + off[f]) = v[0];
		*(double *)((char *)&k->hi + off[f]) = v[k->nreps - 1];
	}
}

static struct bcase *cases;
static size_t ncases;

static struct bcase *find_case(const char *name, size_t size, enum mode mode,
			       const char *config)
{
	size_t i;

	for (i = 0; i < ncases; i++)
		if (!strcmp(cases[i].m->name, name) && cases[i].size == size &&
		    cases[i].mode == mode && !strcmp(cases[i].config, config) &&
		    !cases[i].skipped && !cases[i].failed && cases[i].nreps)
			return &cases[i];
	return NULL;
}

/* ratios of medians from this run: numerator mechanism vs denominator */
static const struct ratio_def {
	const char *num, *ncfg, *den, *dcfg;
	enum mode mode;
	bool one_size;		/* the scaling size only */
} ratio_defs[] = {
	{ "kipc-queue", "1pair", "posix-mq", "1pair", MODE_TPUT, false },
	{ "kipc-queue", "1pair", "sysv-msg", "1pair", MODE_TPUT, false },
	{ "kipc-queue", "1pair", "linux-pipe", "1pair", MODE_TPUT, false },
	{ "kipc-mailbox", "1pair", "posix-mq", "1pair", MODE_TPUT, false },
	{ "kipc-link", "1pair", "posix-mq", "1pair", MODE_TPUT, false },
	{ "kipc-pipe", "1pair", "linux-pipe", "1pair", MODE_TPUT, false },
	{ "bench-ring-kipc", "1pair", "efd-ring-sleep", "1pair", MODE_TPUT,
	  false },
	{ "bench-ring-kipc", "1pair", "linux-pipe", "1pair", MODE_TPUT, false },
	{ "bench-ring-kipc", "1pair", "memcpy", "1pair", MODE_TPUT, false },
	{ "kipc-reqrep", "1pair", "linux-pipe", "1pair", MODE_LAT, false },
	{ "kipc-link", "1pair", "linux-pipe", "1pair", MODE_LAT, false },
	{ "kipc-queue", "1pair", "linux-pipe", "1pair", MODE_LAT, false },
	{ "kipc-queue", "1pair", "posix-mq", "1pair", MODE_LAT, false },
	{ "kipc-queue", "2pairs", "kipc-queue", "1pair", MODE_TPUT, true },
	{ "posix-mq", "2pairs", "posix-mq", "1pair", MODE_TPUT, true },
	{ "kipc-queue", "senders", "kipc-queue", "1pair", MODE_TPUT, true },
	{ "posix-mq", "senders", "posix-mq", "1pair", MODE_TPUT, true },
};

static void config_name(char *buf, size_t len, const char *cfg)
{
	if (!strcmp(cfg, "senders"))
		snprintf(buf, len, "%usenders", opt.senders);
	else
		snprintf(buf, len, "%s", cfg);
}

static void print_ratios(FILE *f, bool csv)
{
	const struct ratio_def *d;
	struct bcase *n, *m;
	char nc[24], dc[24];
	size_t s;

	if (!csv)
		fprintf(f, "\nRatios of medians, this run (throughput: >1 is "
			"faster; cpu: <1 is cheaper):\n");
	for (d = ratio_defs; d < ratio_defs + sizeof(ratio_defs) /
	     sizeof(ratio_defs[0]); d++) {
		config_name(nc, sizeof(nc), d->ncfg);
		config_name(dc, sizeof(dc), d->dcfg);
		for (s = 0; s < NSIZES; s++) {
			if (d->one_size && all_sizes[s] != opt.scale_size)
				continue;
			n = find_case(d->num, all_sizes[s], d->mode, nc);
			m = find_case(d->den, all_sizes[s], d->mode, dc);
			/* CPU time can be 0 (coarse clock, tiny --quick case) */
			if (!n || !m || !(m->med.cpu_op > 0) ||
			    !(n->med.cpu_op > 0))
				continue;
			if (csv && d->mode == MODE_TPUT) {
				fprintf(f, "%s[%s]/%s[%s],%zu,ratio,throughput,x,%.4f,,,,%u,,,\n",
					d->num, nc, d->den, dc, all_sizes[s],
					n->med.rate / m->med.rate, n->nreps);
				fprintf(f, "%s[%s]/%s[%s],%zu,ratio,cpu_per_msg,x,%.4f,,,,%u,,,\n",
					d->num, nc, d->den, dc, all_sizes[s],
					n->med.cpu_op / m->med.cpu_op, n->nreps);
			} else if (csv) {
				fprintf(f, "%s/%s,%zu,ratio,rtt_p50,x,%.4f,,,,%u,,,\n",
					d->num, d->den, all_sizes[s],
					n->med.p50 / m->med.p50, n->nreps);
				fprintf(f, "%s/%s,%zu,ratio,cpu_per_rt,x,%.4f,,,,%u,,,\n",
					d->num, d->den, all_sizes[s],
					n->med.cpu_op / m->med.cpu_op, n->nreps);
			} else if (d->mode == MODE_TPUT) {
				fprintf(f, "  %-16s %-9s / %-15s %-8s %6zu B: "
					"throughput %6.2fx  cpu/msg %5.2fx\n",
					d->num, nc, d->den, dc, all_sizes[s],
					n->med.rate / m->med.rate,
					n->med.cpu_op / m->med.cpu_op);
			} else {
				fprintf(f, "  %-16s %-9s / %-15s %-8s %6zu B: "
					"rtt p50   %6.2fx  cpu/rt  %5.2fx  (ping-pong)\n",
					d->num, "", d->den, "", all_sizes[s],
					n->med.p50 / m->med.p50,
					n->med.cpu_op / m->med.cpu_op);
			}
		}
	}
}

static void meta(FILE *f, const char *pfx)
{
	struct utsname u;
	char cmdline[512] = "", date[64];
	time_t t = time(NULL);
	FILE *c;

	uname(&u);
	c = fopen("/proc/cmdline", "r");
	if (c) {
		if (!fgets(cmdline, sizeof(cmdline), c))
			cmdline[0] = '\0';
		cmdline[strcspn(cmdline, "\n")] = '\0';
		fclose(c);
	}
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&t));
	fprintf(f, "%sdate: %s\n%skernel: %s %s\n%scpus: %ld\n%scmdline: %s\n",
		pfx, date, pfx, u.release, u.machine, pfx,
		sysconf(_SC_NPROCESSORS_ONLN), pfx, cmdline);
	fprintf(f, "%sreps: %u%s, queue depth %u, verify %s\n", pfx, opt.reps,
		opt.quick ? " (--quick: not a measurement)" : "", opt.depth,
		opt.verify_full ? "every payload" :
		"seq+length of every message, payload of every 64th");
}

static void print_csv(FILE *f)
{
	size_t i;
	struct bcase *k;

	meta(f, "# ");
	fprintf(f, "mechanism,size,config,metric,unit,median,p99,min,max,reps,"
		"wall_ns_per_op,cpu_ns_per_op,note\n");
	for (i = 0; i < ncases; i++) {
		k = &cases[i];
		if (k->skipped || k->failed) {
			fprintf(f, "%s,%zu,%s,%s,,,,,,%u,,,\"%s: %s\"\n",
				k->m->name, k->size, k->config,
				k->mode == MODE_TPUT ? "throughput" : "rtt",
				k->nreps, k->skipped ? "skipped" : "FAILED",
				k->note);
			continue;
		}
		if (k->mode == MODE_TPUT) {
			fprintf(f, "%s,%zu,%s,throughput,msgs/s,%.1f,,%.1f,%.1f,%u,%.1f,%.1f,\n",
				k->m->name, k->size, k->config, k->med.rate,
				k->lo.rate, k->hi.rate, k->nreps,
				k->med.wall_op, k->med.cpu_op);
			fprintf(f, "%s,%zu,%s,bandwidth,MB/s,%.4f,,%.4f,%.4f,%u,%.1f,%.1f,\n",
				k->m->name, k->size, k->config, k->med.mbs,
				k->lo.mbs, k->hi.mbs, k->nreps,
				k->med.wall_op, k->med.cpu_op);
		} else {
			fprintf(f, "%s,%zu,%s,rtt,us,%.2f,%.2f,%.2f,%.2f,%u,%.1f,%.1f,\n",
				k->m->name, k->size, k->config, k->med.p50,
				k->med.p99, k->lo.p50, k->hi.p50, k->nreps,
				k->med.wall_op, k->med.cpu_op);
		}
	}
	print_ratios(f, true);
}

static void print_table(FILE *f)
{
	struct bcase *k;
	size_t i;
	int pass;

	printf("\n");
	meta(f, "");
	for (pass = MODE_TPUT; pass <= MODE_LAT; pass++) {
		if (pass == MODE_TPUT)
			fprintf(f, "\nOne-way throughput (medians; wall and "
				"cpu = user+sys of all sides, per message)\n"
				"%-16s %6s %-9s %12s %10s %10s %10s  %s\n",
				"mechanism", "size", "config", "msgs/s", "MB/s",
				"wall ns", "cpu ns", "msgs/s min..max");
		else
			fprintf(f, "\nRound-trip latency (ping-pong; per round "
				"trip)\n%-16s %6s %10s %10s %10s %10s\n",
				"mechanism", "size", "p50 us", "p99 us",
				"wall us", "cpu us");
		for (i = 0; i < ncases; i++) {
			k = &cases[i];
			if ((int)k->mode != pass)
				continue;
			if (k->skipped || k->failed) {
				fprintf(f, "%-16s %6zu %-9s %s: %s\n",
					k->m->name, k->size,
					pass == MODE_TPUT ? k->config : "",
					k->skipped ? "skipped" : "FAILED",
					k->note);
			} else if (pass == MODE_TPUT) {
				fprintf(f, "%-16s %6zu %-9s %12.0f %10.2f %10.1f %10.1f  %.0f..%.0f\n",
					k->m->name, k->size, k->config,
					k->med.rate, k->med.mbs,
					k->med.wall_op, k->med.cpu_op,
					k->lo.rate, k->hi.rate);
			} else {
				fprintf(f, "%-16s %6zu %10.2f %10.2f %10.2f %10.2f\n",
					k->m->name, k->size, k->med.p50,
					k->med.p99, k->med.wall_op / 1000,
					k->med.cpu_op / 1000);
			}
		}
	}
	print_ratios(f, false);
}

/* ------------------------------------------------------------- options */

static bool filter_match(const char *name)
{
	char buf[512], *tok, *save;

	if (!opt.filter)
		return true;
	snprintf(buf, sizeof(buf), "%s", opt.filter);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save))
		if (strstr(name, tok))
			return true;
	return false;
}

static int parse_sizes(const char *arg)
{
	char buf[256], *tok, *save, *end;
	unsigned long v;
	size_t i;

	memset(opt.sizes, 0, sizeof(opt.sizes));
	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		v = strtoul(tok, &end, 10);
		if (*end == 'K' || *end == 'k') {
			v *= 1024;
			end++;
		}
		if (*end)
			return -1;
		for (i = 0; i < NSIZES; i++)
			if (all_sizes[i] == v)
				break;
		if (i == NSIZES)
			return -1;
		opt.sizes[i] = true;
	}
	return 0;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f,
"usage: kipc-bench [options]\n"
"  --quick          a few iterations, 1 repetition, every payload checked\n"
"                   (proves the bench works; not a measurement)\n"
"  --reps N         repetitions of each case (default 5; medians reported)\n"
"  --filter LIST    mechanisms whose name contains one of LIST (comma list)\n"
"  --sizes LIST     message sizes from 16,64,256,1K,4K,64K (default all)\n"
"  --no-scale       skip the scaling run (2 pairs, N senders)\n"
"  --senders N      senders into one queue in the scaling run (default 4)\n"
"  --scale-size B   message size of the scaling run (default 64)\n"
"  --iter-scale F   multiply the fixed iteration counts by F\n"
"  --depth N        messages a message queue holds (default 64)\n"
"  --verify full    check every payload byte of every message\n"
"  --csv FILE       write the CSV to FILE ('-': stdout)\n"
"  --csv-markers    also print the CSV on stdout between marker lines\n"
"  --inject loss|corrupt  break one message per case: the run must fail\n"
"  --timeout S      kill a case's processes after S s (default 120)\n"
"  --list           list the mechanisms\n"
"Mechanisms:\n");
	for (i = 0; i < bench_nmechs; i++)
		fprintf(f, "  %-16s %s\n", bench_mechs[i].name,
			bench_mechs[i].what);
}

static void add_case(const struct mech *m, size_t size, enum mode mode,
		     unsigned int npairs, unsigned int nsenders)
{
	struct bcase *k = &cases[ncases++];

	memset(k, 0, sizeof(*k));
	k->m = m;
	k->size = size;
	k->mode = mode;
	k->npairs = npairs;
	k->nsenders = nsenders;
	if (nsenders > 1)
		snprintf(k->config, sizeof(k->config), "%usenders", nsenders);
	else
		snprintf(k->config, sizeof(k->config), "%s",
			 npairs > 1 ? "2pairs" : "1pair");
	k->iters = iters_for(size, mode);
	if (nsenders > 1)
		k->iters = (k->iters + nsenders - 1) / nsenders;
	if ((m->flags & MECH_KIPC) && bench_sfd < 0) {
		k->skipped = true;
		snprintf(k->note, sizeof(k->note), "no kipc session: %s",
			 strerror(-bench_sfd));
	}
}

static void build_cases(void)
{
	const struct mech *m;
	size_t i, s;

	cases = calloc(bench_nmechs * (NSIZES * 2 + 2), sizeof(*cases));
	if (!cases)
		exit(2);
	for (i = 0; i < bench_nmechs; i++) {
		m = &bench_mechs[i];
		if (!filter_match(m->name))
			continue;
		for (s = 0; s < NSIZES; s++) {
			if (!opt.sizes[s])
				continue;
			if (!(m->flags & MECH_NO_TPUT))
				add_case(m, all_sizes[s], MODE_TPUT, 1, 1);
			if (!(m->flags & MECH_NO_LAT))
				add_case(m, all_sizes[s], MODE_LAT, 1, 1);
		}
		if (opt.scale && (m->flags & MECH_SCALE)) {
			add_case(m, opt.scale_size, MODE_TPUT, 2, 1);
			add_case(m, opt.scale_size, MODE_TPUT, 1, opt.senders);
		}
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "quick", no_argument, NULL, 'q' },
		{ "reps", required_argument, NULL, 'r' },
		{ "filter", required_argument, NULL, 'f' },
		{ "sizes", required_argument, NULL, 's' },
		{ "no-scale", no_argument, NULL, 'S' },
		{ "senders", required_argument, NULL, 'n' },
		{ "scale-size", required_argument, NULL, 'z' },
		{ "iter-scale", required_argument, NULL, 'i' },
		{ "depth", required_argument, NULL, 'd' },
		{ "verify", required_argument, NULL, 'v' },
		{ "csv", required_argument, NULL, 'c' },
		{ "csv-markers", no_argument, NULL, 'M' },
		{ "inject", required_argument, NULL, 'I' },
		{ "timeout", required_argument, NULL, 't' },
		{ "list", no_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	size_t i, max_iters = 0, skipped = 0, failed = 0, ran = 0;
	unsigned int rep, nrep_cases;
	bool reps_set = false;
	FILE *f;
	int c;

	for (i = 0; i < NSIZES; i++)
		opt.sizes[i] = true;
	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'q': opt.quick = true; opt.verify_full = true; break;
		case 'r': opt.reps = (unsigned int)atoi(optarg); reps_set = true;
			break;
		case 'f': opt.filter = optarg; break;
		case 's':
			if (parse_sizes(optarg)) {
				fprintf(stderr, "kipc-bench: bad --sizes\n");
				return 2;
			}
			break;
		case 'S': opt.scale = false; break;
		case 'n': opt.senders = (unsigned int)atoi(optarg); break;
		case 'z': opt.scale_size = strtoul(optarg, NULL, 10); break;
		case 'i': opt.iter_scale = atof(optarg); break;
		case 'd': opt.depth = (unsigned int)atoi(optarg); break;
		case 'v': opt.verify_full = !strcmp(optarg, "full"); break;
		case 'c': opt.csv = optarg; break;
		case 'M': opt.markers = true; break;
		case 'I':
			opt.inject = !strcmp(optarg, "loss") ? INJECT_LOSS :
				     !strcmp(optarg, "corrupt") ? INJECT_CORRUPT :
				     INJECT_NONE;
			if (opt.inject == INJECT_NONE) {
				fprintf(stderr, "kipc-bench: --inject loss|corrupt\n");
				return 2;
			}
			break;
		case 't': opt.timeout = (unsigned int)atoi(optarg); break;
		case 'l':
			for (i = 0; i < bench_nmechs; i++)
				printf("%s\n", bench_mechs[i].name);
			return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (opt.quick && !reps_set)
		opt.reps = 1;
	if (!opt.reps || opt.reps > MAX_REPS || opt.senders < 2 ||
	    opt.senders > MAX_PROCS - 1 || !opt.depth || opt.iter_scale <= 0) {
		fprintf(stderr, "kipc-bench: bad --reps, --senders, --depth or --iter-scale\n");
		return 2;
	}
	for (i = 0; i < NSIZES && all_sizes[i] != opt.scale_size; i++)
		;
	if (i == NSIZES) {
		fprintf(stderr, "kipc-bench: --scale-size must be one of the sizes\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	/* POSIX mq at 64 KiB x depth needs more than the default 800 KiB */
	{
		struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };

		if (setrlimit(RLIMIT_MSGQUEUE, &rl) &&
		    !getrlimit(RLIMIT_MSGQUEUE, &rl)) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_MSGQUEUE, &rl);
		}
	}
	bench_sfd = kipc_open(O_CLOEXEC);
	build_cases();
	if (!ncases) {
		fprintf(stderr, "kipc-bench: nothing matches --filter/--sizes\n");
		return 2;
	}
	ref = malloc(all_sizes[NSIZES - 1]);
	for (i = 0; i < ncases; i++)
		if (cases[i].mode == MODE_LAT && cases[i].iters > max_iters)
			max_iters = cases[i].iters;
	max_samples = max_iters ? max_iters : 1;
	slots = mmap(NULL, sizeof(*slots) * MAX_PROCS, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	samples = mmap(NULL, sizeof(*samples) * max_samples,
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!ref || slots == MAP_FAILED || samples == MAP_FAILED) {
		perror("kipc-bench");
		return 2;
	}
	for (i = 0; i < all_sizes[NSIZES - 1]; i++)
		ref[i] = (unsigned char)(i * 131 + 7);

	printf("kipc-bench: %zu cases x %u repetitions%s\n", ncases, opt.reps,
	       opt.quick ? " (quick)" : "");
	for (rep = 0; rep < opt.reps; rep++) {
		nrep_cases = 0;
		for (i = 0; i < ncases; i++) {
			/* odd repetitions run the table backwards */
			struct bcase *k = &cases[rep % 2 ? ncases - 1 - i : i];

			if (k->skipped || k->failed)
				continue;
			if (!run_rep(k))
				k->failed = true;
			nrep_cases++;
		}
		printf("kipc-bench: repetition %u/%u done (%u cases)\n",
		       rep + 1, opt.reps, nrep_cases);
	}
	for (i = 0; i < ncases; i++) {
		if (cases[i].skipped) {
			skipped++;
		} else if (cases[i].failed) {
			failed++;
			fprintf(stderr, "kipc-bench: FAILED %s %zu %s %s: %s\n",
				cases[i].m->name, cases[i].size,
				cases[i].config,
				cases[i].mode == MODE_TPUT ? "throughput" :
				"latency", cases[i].note);
		} else {
			summarize(&cases[i]);
			ran++;
		}
	}
	print_table(stdout);
	if (opt.csv) {
		f = strcmp(opt.csv, "-") ? fopen(opt.csv, "w") : stdout;
		if (!f) {
			perror(opt.csv);
			return 2;
		}
		print_csv(f);
		if (f != stdout)
			fclose(f);
	}
	if (opt.markers) {
		printf("%s\n", CSV_BEGIN);
		print_csv(stdout);
		printf("%s\n", CSV_END);
	}
	printf("kipc-bench: %zu cases measured, %zu skipped, %zu failed; "
	       "%llu messages verified, %llu errors\n", ran, skipped, failed,
	       (unsigned long long)total_verified,
	       (unsigned long long)total_errors);
	return failed || total_errors ? 1 : 0;
}
