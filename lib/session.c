// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libkipc sessions: opening /dev/kipc and asking the module what it is.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include <kipc.h>

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

int kipc_open(int flags)
{
	int fd;

	fd = open(KIPC_DEVICE, O_RDWR | (flags & (O_CLOEXEC | O_NONBLOCK)));
	return fd < 0 ? -errno : fd;
}

int kipc_version(int sfd, struct kipc_version *v)
{
	v->size = sizeof(*v);
	if (ioctl(sfd, KIPC_IOC_VERSION, v) < 0)
		return -errno;
	return 0;
}

int kipc_require(int sfd, uint64_t want, uint64_t *missing)
{
	struct kipc_version v;
	uint64_t absent;
	int ret;

	ret = kipc_version(sfd, &v);
	if (ret)
		return ret;
	absent = want & ~v.features;
	if (missing)
		*missing = absent;
	return absent ? -EOPNOTSUPP : 0;
}

static const struct {
	uint64_t bit;
	const char *name;
} kipc_features[] = {
	{ KIPC_FEAT_QUEUE,	"queue" },
	{ KIPC_FEAT_QUEUE_RW,	"queue_rw" },
	{ KIPC_FEAT_MAILBOX,	"mailbox" },
	{ KIPC_FEAT_LINK,	"link" },
	{ KIPC_FEAT_PIPE,	"pipe" },
	{ KIPC_FEAT_SHM,	"shm" },
	{ KIPC_FEAT_GENL,	"genl" },
};

const char *kipc_feature_name(uint64_t bit)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kipc_features); i++)
		if (kipc_features[i].bit == bit)
			return kipc_features[i].name;
	return NULL;
}
