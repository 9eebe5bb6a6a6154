// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl list: every object, a table per type as ipcs(1), or a JSON array.
 * One type or one user goes to the kernel as the dump's filter; several
 * types, and name globs, are filtered here.  The user filter is the
 * kernel's alone: it selects a link (which has no KIPC_A_UID) for either
 * side's user.
 */
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <stdlib.h>

#include "kipcctl.h"

struct list_opts {
	uint32_t types;		/* 1U << type; 0: all */
	bool by_uid;
	uint32_t uid;
	const char *glob;
	bool json;
};

static int parse_opts(int argc, char **argv, struct list_opts *o)
{
	static const struct option opts[] = {
		{ "type", required_argument, NULL, 't' },
		{ "user", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "t:u:n:jh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (kc_parse_types(optarg, &o->types))
				return KC_EXIT_USAGE;
			break;
		case 'u':
			if (kc_parse_user(optarg, &o->uid))
				return KC_EXIT_USAGE;
			o->by_uid = true;
			break;
		case 'n':
			o->glob = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'h':
			exit(kc_command_help());
		default:
			return kc_bad_option(argv);
		}
	}
	if (optind != argc) {
		kc_usage_error("unexpected argument '%s'", argv[optind]);
		return KC_EXIT_USAGE;
	}
	return 0;
}

/* The one type of @mask, or 0 when it has none or several. */
static uint32_t single_type(uint32_t mask)
{
	if (mask && !(mask & (mask - 1)))
		return (uint32_t)__builtin_ctz(mask);
	return 0;
}

static bool wanted(const struct list_opts *o, const struct kc_obj *obj)
{
	if (o->types && !(o->types & (1U << kc_obj_type(obj))))
		return false;
	if (o->glob && (!obj->has[KIPC_A_NAME] ||
			fnmatch(o->glob, obj->name, 0)))
		return false;
	return true;
}

static size_t filter(const struct list_opts *o, struct kc_obj *objs,
		     size_t n)
{
	size_t i, kept = 0;

	for (i = 0; i < n; i++)
		if (wanted(o, &objs[i]))
			objs[kept++] = objs[i];
	return kept;
}

static void print_json(const struct kc_obj *objs, size_t n)
{
	size_t i;

	putchar('[');
	for (i = 0; i < n; i++) {
		if (i)
			putchar(',');
		kc_obj_print(stdout, &objs[i], KC_STYLE_JSON);
	}
	puts("]");
}

int kc_cmd_list(int argc, char **argv)
{
	struct list_opts o = { 0 };
	struct kc_obj *objs;
	struct kc_nl nl;
	size_t n;
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	if (kc_nl_open(&nl))
		return KC_EXIT_FAIL;
	ret = kc_get_objects(&nl, single_type(o.types), o.by_uid, o.uid,
			     &objs, &n);
	if (ret < 0) {
		kc_op_error(&nl, "dumping objects", ret);
		kc_nl_close(&nl);
		return KC_EXIT_FAIL;
	}
	n = filter(&o, objs, n);
	if (o.json)
		print_json(objs, n);
	else
		kc_list_print(stdout, objs, n);
	free(objs);
	kc_nl_close(&nl);
	return kc_flush_stdout();
}
