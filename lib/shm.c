// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc shared memory: opening, removing, stat and set are one ioctl
 * each; mapping is mmap(2) of the whole region; wait and wake name a word
 * of the caller's mapping, which the kernel knows by its offset in the
 * region.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <kipc.h>

#include "internal.h"

int kipc_shm_open(int sfd, const char *name, unsigned int flags,
		  unsigned int mode, uint64_t size, uint64_t *id)
{
	struct kipc_shm_open args = {
		.size		= sizeof(args),
		.flags		= flags,
		.name_ptr	= (uintptr_t)name,
		.mode		= mode,
		.region_size	= size,
	};
	int fd;

	fd = ioctl(sfd, KIPC_IOC_SHM_OPEN, &args);
	if (fd < 0)
		return -errno;
	if (id)
		*id = args.id;
	return fd;
}

int kipc_shm_open_id(int sfd, uint64_t id, unsigned int flags)
{
	struct kipc_shm_open args = {
		.size		= sizeof(args),
		.flags		= flags,
		.id		= id,
	};
	int fd;

	/* with no name, KIPC_O_CREAT would make a new anonymous region */
	if (flags & KIPC_O_CREAT)
		return -EINVAL;
	fd = ioctl(sfd, KIPC_IOC_SHM_OPEN, &args);
	if (fd < 0)
		return -errno;
	return fd;
}

int kipc_shm_remove(int sfd, const char *name)
{
	/* a NULL name would remove by id 0, which never exists */
	if (!name)
		return -EINVAL;
	return kipc_named_remove(sfd, KIPC_IOC_SHM_REMOVE, name, 0);
}

int kipc_shm_remove_id(int sfd, uint64_t id)
{
	return kipc_named_remove(sfd, KIPC_IOC_SHM_REMOVE, NULL, id);
}

int kipc_shm_stat(int fd, struct kipc_shm_stat *st)
{
	st->size = sizeof(*st);
	if (ioctl(fd, KIPC_IOC_SHM_STAT, st) < 0)
		return -errno;
	return 0;
}

int kipc_shm_set(int fd, const struct kipc_shm_set *set)
{
	struct kipc_shm_set args = {
		.size		= sizeof(args),
		.flags		= set->flags,
		.mode		= set->mode,
		.uid		= set->uid,
		.gid		= set->gid,
	};

	if (ioctl(fd, KIPC_IOC_SHM_SET, &args) < 0)
		return -errno;
	return 0;
}

int kipc_shm_map(int fd, int prot, struct kipc_region *r)
{
	struct kipc_shm_stat st;
	void *addr;
	int ret;

	if (prot != PROT_READ && prot != (PROT_READ | PROT_WRITE))
		return -EINVAL;
	ret = kipc_shm_stat(fd, &st);
	if (ret)
		return ret;
	if (st.region_size > SIZE_MAX)
		return -ENOMEM;
	addr = mmap(NULL, st.region_size, prot, MAP_SHARED, fd, 0);
	if (addr == MAP_FAILED)
		return -errno;
	r->addr = addr;
	r->size = st.region_size;
	r->fd = fd;
	r->pid = 0;
	r->holder = 0;
	return 0;
}

int kipc_shm_unmap(struct kipc_region *r)
{
	if (!r->addr)
		return -EINVAL;
	if (munmap(r->addr, r->size) < 0)
		return -errno;
	r->addr = NULL;
	r->size = 0;
	r->holder = 0;
	r->pid = 0;
	return 0;
}

int kipc_shm_offset(const struct kipc_region *r, const uint32_t *word,
		    uint64_t *offset)
{
	uintptr_t base = (uintptr_t)r->addr, p = (uintptr_t)word;

	if (!r->addr || p < base || (p & 3) || r->size < sizeof(*word) ||
	    p - base > r->size - sizeof(*word))
		return -EINVAL;
	*offset = p - base;
	return 0;
}

int kipc_shm_wait(const struct kipc_region *r, const uint32_t *word,
		  uint32_t expected, uint64_t deadline_ns)
{
	struct kipc_shm_wait args = {
		.size		= sizeof(args),
		.flags		= deadline_ns ? KIPC_MSG_DEADLINE : 0,
		.expected	= expected,
		.deadline_ns	= deadline_ns,
	};
	uint64_t off;
	int ret;

	ret = kipc_shm_offset(r, word, &off);
	if (ret)
		return ret;
	args.offset = off;
	if (ioctl(r->fd, KIPC_IOC_SHM_WAIT, &args) < 0)
		return -errno;
	return 0;
}

int kipc_shm_wake(const struct kipc_region *r, const uint32_t *word,
		  unsigned int count)
{
	struct kipc_shm_wake args = {
		.size		= sizeof(args),
		.count		= count,
	};
	uint64_t off;
	int ret;

	ret = kipc_shm_offset(r, word, &off);
	if (ret)
		return ret;
	args.offset = off;
	ret = ioctl(r->fd, KIPC_IOC_SHM_WAKE, &args);
	if (ret < 0)
		return -errno;
	return ret;
}
