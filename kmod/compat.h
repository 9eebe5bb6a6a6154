/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels kipc supports (Debian's 6.1 and
 * 6.12) is handled here and nowhere else.
 */
#ifndef KIPC_COMPAT_H
#define KIPC_COMPAT_H

#include <linux/version.h>
#include <net/genetlink.h>

/*
 * The parsed attributes of a dump request: 6.6 moved them into a struct
 * genl_info inside struct genl_dumpit_info (genl_info_dump()).
 */
static inline const struct nlattr *const *
kipc_genl_dumpit_attrs(const struct genl_dumpit_info *info)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
	return (const struct nlattr *const *)info->info.attrs;
#else
	return (const struct nlattr *const *)info->attrs;
#endif
}

#endif /* KIPC_COMPAT_H */
