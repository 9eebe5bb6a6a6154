// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl show: every attribute of one object; and kc_resolve(), which
 * turns ID|NAME (with an optional type list) into one object for show
 * and rm.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

static int resolve_id(struct kc_nl *nl, uint64_t id, uint32_t mask,
		      struct kc_obj *obj)
{
	char what[64];
	int ret;

	snprintf(what, sizeof(what), "object %" PRIu64, id);
	ret = kc_get_object(nl, KIPC_CMD_OBJ_GET, id, 0, NULL, obj);
	if (ret < 0) {
		kc_op_error(nl, what, ret);
		return ret;
	}
	if (mask && !(mask & (1U << kc_obj_type(obj)))) {
		kc_error("%s is a %s, not of the type asked for", what,
			 kc_type_name(kc_obj_type(obj)));
		return -ENOENT;
	}
	return 0;
}

static void ambiguous(const char *name, const struct kc_obj *found, int n)
{
	char list[256];
	size_t used = 0;
	int i;

	list[0] = '\0';
	for (i = 0; i < n && used < sizeof(list); i++)
		used += snprintf(list + used, sizeof(list) - used,
				 "%s%s %" PRIu64, i ? ", " : "",
				 kc_type_name(kc_obj_type(&found[i])),
				 found[i].val[KIPC_A_ID]);
	kc_error("name '%s' is ambiguous (%s): give -t TYPE or the id",
		 name, list);
}

static int resolve_name(struct kc_nl *nl, const char *name, uint32_t mask,
			struct kc_obj *obj)
{
	struct kc_obj found[KIPC_TYPE_MAX];
	char what[KIPC_NAME_MAX + 32];
	int n = 0, ret;
	uint32_t t;

	for (t = 1; t <= KIPC_TYPE_MAX; t++) {
		if (!kc_type_named(t) || (mask && !(mask & (1U << t))))
			continue;
		ret = kc_get_object(nl, KIPC_CMD_OBJ_GET, 0, t, name,
				    &found[n]);
		if (ret == -ENOENT)
			continue;
		if (ret < 0) {
			snprintf(what, sizeof(what), "%s '%s'",
				 kc_type_name(t), name);
			kc_op_error(nl, what, ret);
			return ret;
		}
		n++;
	}
	if (n == 0) {
		kc_error("no %s named '%s'",
			 mask && !(mask & (mask - 1)) ?
			 kc_type_name((uint32_t)__builtin_ctz(mask)) :
			 "object", name);
		return -ENOENT;
	}
	if (n > 1) {
		ambiguous(name, found, n);
		return -EINVAL;
	}
	*obj = found[0];
	return 0;
}

/*
 * ID (all digits) or NAME to one object, of a type in @mask if not 0.
 * Failures are reported here.
 */
int kc_resolve(struct kc_nl *nl, const char *arg, uint32_t mask,
	       struct kc_obj *obj)
{
	uint64_t id;

	if (kc_is_id(arg, &id))
		return resolve_id(nl, id, mask, obj);
	return resolve_name(nl, arg, mask, obj);
}

int kc_cmd_show(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kc_obj obj;
	struct kc_nl nl;
	uint32_t mask = 0;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "t:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (kc_parse_types(optarg, &mask))
				return KC_EXIT_USAGE;
			break;
		case 'j':
			json = true;
			break;
		case 'h':
			return kc_command_help();
		default:
			return kc_bad_option(argv);
		}
	}
	if (argc - optind != 1) {
		kc_usage_error("expected one ID or NAME");
		return KC_EXIT_USAGE;
	}
	if (kc_nl_open(&nl))
		return KC_EXIT_FAIL;
	ret = kc_resolve(&nl, argv[optind], mask, &obj);
	kc_nl_close(&nl);
	if (ret < 0)
		return KC_EXIT_FAIL;
	kc_obj_print(stdout, &obj, json ? KC_STYLE_JSON : KC_STYLE_LINES);
	if (json)
		putchar('\n');
	return kc_flush_stdout();
}
