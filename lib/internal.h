/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libkipc internals shared between its source files; not installed, not
 * exported (libkipc.map lists what is).
 */
#ifndef KIPC_LIB_INTERNAL_H
#define KIPC_LIB_INTERNAL_H

#include <stdint.h>

#include <kipc.h>

/* Queues and mailboxes open and go alike; @cmd says which (queue.c). */
int kipc_named_open(int sfd, unsigned long cmd, const char *name,
		    unsigned int flags, unsigned int mode,
		    const struct kipc_queue_limits *lim, uint64_t *id);
int kipc_named_open_id(int sfd, unsigned long cmd, uint64_t id,
		       unsigned int flags);
int kipc_named_remove(int sfd, unsigned long cmd, const char *name,
		      uint64_t id);

/*
 * The offset in @r's region of the 32-bit @word in its mapping: 0, or
 * -EINVAL when @word is outside the mapping or not 4-byte aligned (shm.c).
 */
int kipc_shm_offset(const struct kipc_region *r, const uint32_t *word,
		    uint64_t *offset);

#endif /* KIPC_LIB_INTERNAL_H */
