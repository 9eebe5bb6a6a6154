// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl create: a named, persistent queue, mailbox or shm region owned
 * by the caller (KIPC_CMD_OBJ_NEW); prints the new id.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

enum {
	OPT_MAX_MSGS = 256,
	OPT_MSGSIZE,
	OPT_CAPACITY,
	OPT_SIZE,
};

struct create_opts {
	uint32_t type;
	const char *name;
	bool has[KIPC_A_MAX + 1];	/* which limits were given */
	uint64_t val[KIPC_A_MAX + 1];
};

/* --mode, and the limits with their attribute and largest value. */
static int set_value(struct create_opts *o, int attr, const char *arg,
		     const char *opt)
{
	uint64_t v, max = attr == KIPC_A_CAPACITY ? UINT64_MAX : UINT32_MAX;
	int ret;

	if (attr == KIPC_A_MODE) {
		char *end;

		errno = 0;
		v = strtoull(arg, &end, 8);
		ret = (errno || *end || !*arg || v > 0777) ? -EINVAL : 0;
	} else {
		ret = kc_parse_u64(arg, &v, true);
	}
	if (ret == 0 && v > max)
		ret = -ERANGE;
	if (ret) {
		kc_usage_error("bad value '%s' for %s", arg, opt);
		return KC_EXIT_USAGE;
	}
	o->val[attr] = v;
	o->has[attr] = true;
	return 0;
}

static int check_args(struct create_opts *o, int argc, char **argv,
		      bool size_given)
{
	int type;

	if (argc - optind != 2) {
		kc_usage_error("expected TYPE and NAME");
		return KC_EXIT_USAGE;
	}
	type = kc_type_from_name(argv[optind]);
	if (type < 0 || !kc_type_creatable(type)) {
		kc_usage_error("cannot create '%s' (queue, mailbox or shm)",
			       argv[optind]);
		return KC_EXIT_USAGE;
	}
	o->type = type;
	o->name = argv[optind + 1];
	if (type == KIPC_TYPE_SHM &&
	    (o->has[KIPC_A_MAX_MSGS] || o->has[KIPC_A_MAX_MSGSIZE] ||
	     (o->has[KIPC_A_CAPACITY] && !size_given) || !size_given)) {
		kc_usage_error("shm takes --size (required) and --mode only");
		return KC_EXIT_USAGE;
	}
	if (type != KIPC_TYPE_SHM && size_given) {
		kc_usage_error("--size is for shm; queues take --capacity");
		return KC_EXIT_USAGE;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct create_opts *o)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "max-msgs", required_argument, NULL, OPT_MAX_MSGS },
		{ "msgsize", required_argument, NULL, OPT_MSGSIZE },
		{ "capacity", required_argument, NULL, OPT_CAPACITY },
		{ "size", required_argument, NULL, OPT_SIZE },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool size_given = false;
	int c, ret = 0;

	while (!ret && (c = getopt_long(argc, argv, "m:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			ret = set_value(o, KIPC_A_MODE, optarg, "--mode");
			break;
		case OPT_MAX_MSGS:
			ret = set_value(o, KIPC_A_MAX_MSGS, optarg,
					"--max-msgs");
			break;
		case OPT_MSGSIZE:
			ret = set_value(o, KIPC_A_MAX_MSGSIZE, optarg,
					"--msgsize");
			break;
		case OPT_SIZE:		/* the size of shm is its capacity */
			size_given = true;
			ret = set_value(o, KIPC_A_CAPACITY, optarg, "--size");
			break;
		case OPT_CAPACITY:
			ret = set_value(o, KIPC_A_CAPACITY, optarg,
					"--capacity");
			break;
		case 'h':
			exit(kc_command_help());
		default:
			return kc_bad_option(argv);
		}
	}
	return ret ? ret : check_args(o, argc, argv, size_given);
}

static struct nl_msg *build(struct kc_nl *nl, const struct create_opts *o)
{
	static const int u32_attrs[] = {
		KIPC_A_MODE, KIPC_A_MAX_MSGS, KIPC_A_MAX_MSGSIZE,
	};
	struct nl_msg *msg = kc_msg_new(nl, KIPC_CMD_OBJ_NEW, 0);
	size_t i;
	int ret;

	if (!msg)
		return NULL;
	ret = nla_put_u32(msg, KIPC_A_TYPE, o->type);
	ret = ret ?: nla_put_string(msg, KIPC_A_NAME, o->name);
	for (i = 0; i < sizeof(u32_attrs) / sizeof(u32_attrs[0]); i++)
		if (o->has[u32_attrs[i]])
			ret = ret ?: nla_put_u32(msg, u32_attrs[i],
						 (uint32_t)o->val[u32_attrs[i]]);
	if (o->has[KIPC_A_CAPACITY])
		ret = ret ?: nla_put_u64(msg, KIPC_A_CAPACITY,
					 o->val[KIPC_A_CAPACITY]);
	if (ret < 0) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static int created(const struct genlmsghdr *gh, struct nlattr *attrs,
		   int len, void *arg)
{
	struct kc_obj *obj = arg;

	if (!obj->cmd)
		kc_obj_parse(obj, gh->cmd, attrs, len);
	return 0;
}

int kc_cmd_create(int argc, char **argv)
{
	struct create_opts o = { 0 };
	char what[KIPC_NAME_MAX + 32];
	struct kc_obj obj = { 0 };
	struct kc_reply r = { .fn = created, .arg = &obj };
	struct nl_msg *msg;
	struct kc_nl nl;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (kc_nl_open(&nl))
		return KC_EXIT_FAIL;
	snprintf(what, sizeof(what), "%s '%s'", kc_type_name(o.type), o.name);
	msg = build(&nl, &o);
	ret = msg ? kc_nl_request(&nl, msg, &r) : -ENOMEM;
	if (ret == 0 && !obj.has[KIPC_A_ID])
		ret = -EPROTO;		/* the family answers with the object */
	if (ret < 0) {
		kc_op_error(&nl, what, ret);
		kc_nl_close(&nl);
		return KC_EXIT_FAIL;
	}
	printf("%" PRIu64 "\n", obj.val[KIPC_A_ID]);
	kc_nl_close(&nl);
	return kc_flush_stdout();
}
