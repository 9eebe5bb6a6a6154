// SPDX-License-Identifier: GPL-2.0
/*
 * The bench's OWN single-producer single-consumer message ring, in a shared
 * mapping (a kipc shm region or a memfd).  It is a stand-in until libkipc
 * has its ring channel (issue 7): results labelled "bench-ring" measure this
 * code, not a library form.
 *
 * Layout of one ring: a header of two cache lines (the producer's head and
 * the consumer's sleep flag; the consumer's tail and the producer's sleep
 * flag), then nslots slots of [u64 length][payload], each a multiple of 64
 * bytes.  head and tail are free-running u32 counters.
 *
 * Signalling: a side that finds the ring empty (full) sets its flag, issues
 * a full barrier and looks again before it sleeps; the other side publishes,
 * issues a full barrier and wakes only when the flag is set (Dekker).  The
 * sleep is kipc_shm_wait() on the head (tail) word, which sleeps only while
 * the word still holds the value seen, or a read() of an eventfd, which
 * returns at once when a wake came in between.  RING_EFD_ALWAYS writes the
 * data eventfd after every message instead (the consumer still reads it
 * only when the ring is empty).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

#define CACHELINE	64
#define RING_BYTES	(256 * 1024)	/* aim for this much slot space */
#define RING_MIN_SLOTS	8
#define RING_MAX_SLOTS	1024

struct ring_hdr {
	_Alignas(CACHELINE) uint32_t head;	/* written by the producer */
	uint32_t rx_sleeps;			/* set by a sleeping consumer */
	_Alignas(CACHELINE) uint32_t tail;	/* written by the consumer */
	uint32_t tx_sleeps;			/* set by a sleeping producer */
};

struct ring {
	struct ring_hdr *h;
	char *slots;
	uint32_t mask;
	size_t slot;
	size_t msgsize;
	enum ring_signal sig;
	const struct kipc_region *reg;
	int efd_data, efd_space;
};

static size_t slot_size(size_t msgsize)
{
	return (sizeof(uint64_t) + msgsize + CACHELINE - 1) &
	       ~(size_t)(CACHELINE - 1);
}

static uint32_t nslots(size_t msgsize)
{
	size_t want = RING_BYTES / slot_size(msgsize);
	uint32_t n = RING_MIN_SLOTS;

	while (n < RING_MAX_SLOTS && (size_t)n * 2 <= want)
		n *= 2;
	return n;
}

static size_t one_ring_size(size_t msgsize)
{
	return sizeof(struct ring_hdr) + (size_t)nslots(msgsize) *
	       slot_size(msgsize);
}

size_t ring_region_size(size_t msgsize)
{
	size_t sz = 2 * one_ring_size(msgsize);

	return (sz + 4095) & ~(size_t)4095;
}

/* ring objects live in the process's own memory, one pair per process */
static struct ring rings[2];

int ring_attach(struct chan *c, void *base, size_t msgsize,
		enum ring_signal sig)
{
	int d;

	for (d = 0; d < 2; d++) {
		struct ring *r = &rings[d];

		r->h = (struct ring_hdr *)((char *)base +
					   d * one_ring_size(msgsize));
		r->slots = (char *)(r->h + 1);
		r->mask = nslots(msgsize) - 1;
		r->slot = slot_size(msgsize);
		r->msgsize = msgsize;
		r->sig = sig;
		r->reg = &c->reg;
		r->efd_data = c->efd[2 * d];
		r->efd_space = c->efd[2 * d + 1];
		c->ring[d] = r;
	}
	return 0;
}

static int ring_sleep(struct ring *r, uint32_t *word, uint32_t seen, int efd)
{
	uint64_t v;
	int ret;

	if (r->sig == RING_KIPC_SLEEP) {
		ret = kipc_shm_wait(r->reg, word, seen, 0);
		return ret == -EAGAIN || ret == -EINTR ? 0 : ret;
	}
	if (read(efd, &v, sizeof(v)) < 0)
		return errno == EINTR ? 0 : -errno;
	return 0;
}

static int ring_wake(struct ring *r, uint32_t *word, int efd)
{
	uint64_t one = 1;
	int ret;

	if (r->sig == RING_KIPC_SLEEP) {
		ret = kipc_shm_wake(r->reg, word, 1);
		return ret < 0 ? ret : 0;
	}
	if (write(efd, &one, sizeof(one)) < 0)
		return -errno;
	return 0;
}

int ring_send(struct ring *r, const void *buf, size_t len)
{
	struct ring_hdr *h = r->h;
	uint32_t head = h->head, tail;
	char *slot;
	int ret;

	if (len > r->msgsize)
		return -EMSGSIZE;
	for (;;) {
		tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
		if (head - tail <= r->mask)
			break;
		__atomic_store_n(&h->tx_sleeps, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		tail = __atomic_load_n(&h->tail, __ATOMIC_ACQUIRE);
		if (head - tail > r->mask) {
			ret = ring_sleep(r, &h->tail, tail, r->efd_space);
			if (ret)
				return ret;
		}
		__atomic_store_n(&h->tx_sleeps, 0, __ATOMIC_RELAXED);
	}
	slot = r->slots + (size_t)(head & r->mask) * r->slot;
	*(uint64_t *)slot = len;
	memcpy(slot + sizeof(uint64_t), buf, len);
	__atomic_store_n(&h->head, head + 1, __ATOMIC_RELEASE);
	if (r->sig == RING_EFD_ALWAYS)
		return ring_wake(r, &h->head, r->efd_data);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->rx_sleeps, __ATOMIC_RELAXED))
		return ring_wake(r, &h->head, r->efd_data);
	return 0;
}

ssize_t ring_recv(struct ring *r, void *buf, size_t len)
{
	struct ring_hdr *h = r->h;
	uint32_t tail = h->tail, head;
	uint64_t n;
	char *slot;
	int ret;

	for (;;) {
		head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
		if (head != tail)
			break;
		if (r->sig == RING_EFD_ALWAYS) {
			/* every message was signalled: just wait for one */
			ret = ring_sleep(r, &h->head, tail, r->efd_data);
			if (ret)
				return ret;
			continue;
		}
		__atomic_store_n(&h->rx_sleeps, 1, __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		head = __atomic_load_n(&h->head, __ATOMIC_ACQUIRE);
		if (head == tail) {
			ret = ring_sleep(r, &h->head, tail, r->efd_data);
			if (ret)
				return ret;
		}
		__atomic_store_n(&h->rx_sleeps, 0, __ATOMIC_RELAXED);
	}
	slot = r->slots + (size_t)(tail & r->mask) * r->slot;
	n = *(uint64_t *)slot;
	if (n > len || n > r->msgsize)
		return -EMSGSIZE;
	memcpy(buf, slot + sizeof(uint64_t), n);
	__atomic_store_n(&h->tail, tail + 1, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(&h->tx_sleeps, __ATOMIC_RELAXED)) {
		ret = ring_wake(r, &h->tail, r->efd_space);
		if (ret)
			return ret;
	}
	return (ssize_t)n;
}
