// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl rm: remove objects by id or name, as ipcrm(1): each failure is
 * reported and the others still removed; the exit status is 1 if any
 * failed.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "kipcctl.h"

static void describe(const struct kc_obj *obj, const char *arg, char *buf,
		     size_t len)
{
	if (obj->has[KIPC_A_NAME])
		snprintf(buf, len, "%s '%s' (id %" PRIu64 ")",
			 kc_type_name(kc_obj_type(obj)), obj->name,
			 obj->val[KIPC_A_ID]);
	else if (obj->has[KIPC_A_ID])
		snprintf(buf, len, "%s %" PRIu64,
			 kc_type_name(kc_obj_type(obj)), obj->val[KIPC_A_ID]);
	else
		snprintf(buf, len, "'%s'", arg);
}

/*
 * An id with no type, or a name of one type, goes to the kernel as it is;
 * otherwise kc_resolve() finds the one object first.
 */
static int rm_one(struct kc_nl *nl, const char *arg, uint32_t mask)
{
	char what[KIPC_NAME_MAX + 64];
	struct kc_obj obj, reply;
	bool one_type = mask && !(mask & (mask - 1));
	uint64_t id;
	int ret;

	memset(&obj, 0, sizeof(obj));
	if (kc_is_id(arg, &id) && !mask) {
		obj.val[KIPC_A_ID] = id;
		obj.has[KIPC_A_ID] = true;
		snprintf(what, sizeof(what), "object %" PRIu64, id);
		ret = kc_get_object(nl, KIPC_CMD_OBJ_DEL, id, 0, NULL, &reply);
	} else if (!kc_is_id(arg, &id) && one_type) {
		uint32_t t = (uint32_t)__builtin_ctz(mask);

		snprintf(what, sizeof(what), "%s '%s'", kc_type_name(t), arg);
		ret = kc_get_object(nl, KIPC_CMD_OBJ_DEL, 0, t, arg, &reply);
	} else {
		if (kc_resolve(nl, arg, mask, &obj) < 0)
			return -ENOENT;
		describe(&obj, arg, what, sizeof(what));
		ret = kc_get_object(nl, KIPC_CMD_OBJ_DEL, obj.val[KIPC_A_ID],
				    0, NULL, &reply);
	}
	if (ret < 0)
		kc_op_error(nl, what, ret);
	return ret;
}

int kc_cmd_rm(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kc_nl nl;
	uint32_t mask = 0;
	int c, i, failed = 0;

	while ((c = getopt_long(argc, argv, "t:h", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (kc_parse_types(optarg, &mask))
				return KC_EXIT_USAGE;
			break;
		case 'h':
			return kc_command_help();
		default:
			return kc_bad_option(argv);
		}
	}
	if (optind == argc) {
		kc_usage_error("expected at least one ID or NAME");
		return KC_EXIT_USAGE;
	}
	if (kc_nl_open(&nl))
		return KC_EXIT_FAIL;
	for (i = optind; i < argc; i++)
		if (rm_one(&nl, argv[i], mask) < 0)
			failed++;
	kc_nl_close(&nl);
	return failed ? KC_EXIT_FAIL : KC_EXIT_OK;
}
