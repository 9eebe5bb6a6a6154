/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipc-bench: what the harness (kipc-bench.c), the mechanisms (mech.c) and
 * the bench's own shared-memory ring (ring.c) share.
 *
 * A mechanism is one row of the table in mech.c: a struct mech with
 * setup/attach/connect/send/recv/teardown operations (and call/serve for a
 * request-reply form).  Adding an IPC form to the benchmark means adding
 * one such row; the harness, the output, the CSV and the plots pick it up.
 */
#ifndef KIPC_BENCH_H
#define KIPC_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <mqueue.h>

#include <kipc.h>

/* Every message buffer has this much writable room before it (SysV's mtype). */
#define BENCH_HEADROOM	64
#define BENCH_NOTE_MAX	160

/* Sides of a channel: A sends (or calls), B receives (or serves). */
enum { SIDE_A = 0, SIDE_B = 1 };
/* Directions: DIR_AB is A -> B (throughput, ping), DIR_BA is B -> A (pong). */
enum { DIR_AB = 0, DIR_BA = 1 };

/* struct mech.flags */
#define MECH_NO_TPUT	(1U << 0)	/* no one-way throughput case */
#define MECH_NO_LAT	(1U << 1)	/* no ping-pong latency case */
#define MECH_INPROC	(1U << 2)	/* one process, no peer (memcpy) */
#define MECH_KIPC	(1U << 3)	/* needs /dev/kipc */
#define MECH_SCALE	(1U << 4)	/* part of the scaling run */

struct ring;

/*
 * One channel between side A and side B (both directions), created by the
 * parent in setup() and inherited by the forked sides.  Fields are free
 * for the mechanism to use; after fork each process has its own copy, so
 * attach()/connect() may keep per-process state here.
 */
struct chan {
	const struct mech *m;
	size_t size;		/* message size of the case */
	unsigned int depth;	/* messages a message queue holds */
	int fd[4];
	int efd[4];
	mqd_t mq[2];
	int msq[2];
	int sess;		/* a per-process kipc session (links) */
	int lfd;		/* the link fd toward the peer */
	int nsenders;		/* senders sharing this channel */
	void *map;
	size_t maplen;
	struct kipc_region reg;
	struct ring *ring[2];	/* the bench's ring, one per direction */
	char note[BENCH_NOTE_MAX];	/* why setup skipped, or a remark */
};

/*
 * A mechanism.  Return conventions: 0 or a length on success, -errno on
 * failure; setup() returns 1 (with c->note set) when the mechanism cannot
 * carry this case (a size over a system limit): the case is reported as
 * skipped, not failed.
 */
struct mech {
	const char *name;	/* CSV/plot key, e.g. "kipc-queue" */
	const char *what;	/* one line for the table */
	unsigned int flags;
	int (*setup)(struct chan *c);			/* parent */
	int (*attach)(struct chan *c, int side);	/* each side, after fork */
	int (*connect)(struct chan *c, int side, pid_t peer); /* optional */
	int (*send)(struct chan *c, int dir, const void *buf, size_t len);
	ssize_t (*recv)(struct chan *c, int dir, void *buf, size_t len);
	/* request-reply: A calls (send @req, get the reply), B serves @n */
	ssize_t (*call)(struct chan *c, const void *req, size_t len,
			void *reply, size_t rlen);
	int (*serve)(struct chan *c, uint64_t n,
		     int (*check)(void *arg, const void *buf, ssize_t len),
		     void *arg);
	void (*teardown)(struct chan *c);		/* parent */
};

extern const struct mech bench_mechs[];
extern const size_t bench_nmechs;
extern int bench_sfd;	/* the parent's kipc session, -errno if none */

/* The bench's own SPSC ring (ring.c), until libkipc has one. */
enum ring_signal {
	RING_KIPC_SLEEP,	/* kipc_shm_wait/wake, only when a side sleeps */
	RING_EFD_SLEEP,		/* eventfd, only when a side sleeps */
	RING_EFD_ALWAYS,	/* eventfd after every message */
};

size_t ring_region_size(size_t msgsize);
/* Set up the two rings of @c in @base (mapped, zeroed) of ring_region_size. */
int ring_attach(struct chan *c, void *base, size_t msgsize,
		enum ring_signal sig);
int ring_send(struct ring *r, const void *buf, size_t len);
ssize_t ring_recv(struct ring *r, void *buf, size_t len);

#endif /* KIPC_BENCH_H */
