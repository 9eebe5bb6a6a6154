// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl stats: the module-wide statistics of KIPC_CMD_STATS_GET: objects
 * per type (now, created since load), messages and bytes moved, limit hits
 * and errors by errno name, events sent.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

#include "kipcctl.h"

#define KC_MAX_ERRNOS	64

struct kc_stats {
	uint64_t objects[KIPC_TYPE_MAX + 1], created[KIPC_TYPE_MAX + 1];
	bool has_type[KIPC_TYPE_MAX + 1];
	uint64_t limits[KIPC_LIMIT_MAX + 1];
	bool has_limit[KIPC_LIMIT_MAX + 1];
	uint32_t err_no[KC_MAX_ERRNOS];
	uint64_t err_count[KC_MAX_ERRNOS];
	int nr_errors;
	uint64_t totals[KIPC_A_MAX + 1];	/* msgs/bytes in/out, events */
};

static void nest_values(struct nlattr *nest, uint64_t *val, bool *has)
{
	struct nlattr *a;
	int rem, t;

	nla_for_each_nested(a, nest, rem) {
		t = nla_type(a);
		if (t > KIPC_A_MAX)
			continue;
		if (nla_len(a) == 4)
			val[t] = nla_get_u32(a);
		else if (nla_len(a) == 8)
			val[t] = nla_get_u64(a);
		else
			continue;
		has[t] = true;
	}
}

static void add_nest(struct kc_stats *s, struct nlattr *nest)
{
	uint64_t val[KIPC_A_MAX + 1] = { 0 };
	bool has[KIPC_A_MAX + 1] = { false };
	uint64_t k;

	nest_values(nest, val, has);
	switch (nla_type(nest)) {
	case KIPC_A_STATS_TYPE:
		k = val[KIPC_A_TYPE];
		if (!has[KIPC_A_TYPE] || k > KIPC_TYPE_MAX)
			return;
		s->objects[k] = val[KIPC_A_OBJECTS];
		s->created[k] = val[KIPC_A_CREATED];
		s->has_type[k] = true;
		break;
	case KIPC_A_STATS_LIMIT:
		k = val[KIPC_A_LIMIT];
		if (!has[KIPC_A_LIMIT] || k > KIPC_LIMIT_MAX)
			return;
		s->limits[k] = val[KIPC_A_COUNT];
		s->has_limit[k] = true;
		break;
	case KIPC_A_STATS_ERROR:
		if (!has[KIPC_A_ERRNO] || s->nr_errors == KC_MAX_ERRNOS)
			return;
		s->err_no[s->nr_errors] = (uint32_t)val[KIPC_A_ERRNO];
		s->err_count[s->nr_errors++] = val[KIPC_A_COUNT];
		break;
	}
}

static const struct {
	int attr;
	const char *key;
} totals[] = {
	{ KIPC_A_MSGS_IN, "msgs_in" }, { KIPC_A_MSGS_OUT, "msgs_out" },
	{ KIPC_A_BYTES_IN, "bytes_in" }, { KIPC_A_BYTES_OUT, "bytes_out" },
	{ KIPC_A_EVENTS, "events" },
};

#define NR_TOTALS	(sizeof(totals) / sizeof(totals[0]))

static void add_total(struct kc_stats *s, struct nlattr *a)
{
	size_t i;

	for (i = 0; i < NR_TOTALS; i++)
		if (nla_type(a) == totals[i].attr && nla_len(a) == 8)
			s->totals[totals[i].attr] = nla_get_u64(a);
}

static int on_stats(const struct genlmsghdr *gh, struct nlattr *attrs,
		    int len, void *arg)
{
	struct kc_stats *s = arg;
	struct nlattr *a;
	int rem, t;

	(void)gh;
	nla_for_each_attr(a, attrs, len, rem) {
		t = nla_type(a);
		if (t == KIPC_A_STATS_TYPE || t == KIPC_A_STATS_LIMIT ||
		    t == KIPC_A_STATS_ERROR)
			add_nest(s, a);
		else
			add_total(s, a);
	}
	return 0;
}

static const char *errno_name(uint32_t e, char *buf, size_t len)
{
	const char *n = strerrorname_np((int)e);

	if (n)
		return n;
	snprintf(buf, len, "E%u", e);
	return buf;
}

static void print_text(const struct kc_stats *s)
{
	char buf[16];
	uint32_t t;
	int i;

	printf("%-10s %10s %10s\n", "TYPE", "OBJECTS", "CREATED");
	for (t = 1; t <= KIPC_TYPE_MAX; t++)
		printf("%-10s %10" PRIu64 " %10" PRIu64 "\n", kc_type_name(t),
		       s->objects[t], s->created[t]);
	printf("\nmessages   in %" PRIu64 " out %" PRIu64 "\n",
	       s->totals[KIPC_A_MSGS_IN], s->totals[KIPC_A_MSGS_OUT]);
	printf("bytes      in %" PRIu64 " out %" PRIu64 "\n",
	       s->totals[KIPC_A_BYTES_IN], s->totals[KIPC_A_BYTES_OUT]);
	printf("events     %" PRIu64 "\n", s->totals[KIPC_A_EVENTS]);
	printf("\nlimit hits:\n");
	for (t = 1; t <= KIPC_LIMIT_MAX; t++)
		if (s->has_limit[t])
			printf("  %-14s %" PRIu64 "\n", kc_limit_name(t),
			       s->limits[t]);
	printf("errors:\n");
	for (i = 0; i < s->nr_errors; i++)
		printf("  %-14s %" PRIu64 "\n",
		       errno_name(s->err_no[i], buf, sizeof(buf)),
		       s->err_count[i]);
}

static void print_json(const struct kc_stats *s)
{
	struct kc_json j;
	char buf[16];
	uint32_t t;
	size_t i;
	int e;

	kc_json_init(&j, stdout);
	kc_json_open(&j, NULL, '{');
	kc_json_open(&j, "types", '{');
	for (t = 1; t <= KIPC_TYPE_MAX; t++) {
		kc_json_open(&j, kc_type_name(t), '{');
		kc_json_u64(&j, "objects", s->objects[t]);
		kc_json_u64(&j, "created", s->created[t]);
		kc_json_close(&j, '}');
	}
	kc_json_close(&j, '}');
	for (i = 0; i < NR_TOTALS; i++)
		kc_json_u64(&j, totals[i].key, s->totals[totals[i].attr]);
	kc_json_open(&j, "limits", '{');
	for (t = 1; t <= KIPC_LIMIT_MAX; t++)
		if (s->has_limit[t])
			kc_json_u64(&j, kc_limit_name(t), s->limits[t]);
	kc_json_close(&j, '}');
	kc_json_open(&j, "errors", '{');
	for (e = 0; e < s->nr_errors; e++)
		kc_json_u64(&j, errno_name(s->err_no[e], buf, sizeof(buf)),
			    s->err_count[e]);
	kc_json_close(&j, '}');
	kc_json_close(&j, '}');
	putchar('\n');
}

int kc_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct kc_reply r;
	struct kc_stats s;
	struct nl_msg *msg;
	struct kc_nl nl;
	bool json = false;
	int c, ret;

	while ((c = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (c) {
		case 'j':
			json = true;
			break;
		case 'h':
			return kc_command_help();
		default:
			return kc_bad_option(argv);
		}
	}
	if (optind != argc) {
		kc_usage_error("unexpected argument '%s'", argv[optind]);
		return KC_EXIT_USAGE;
	}
	if (kc_nl_open(&nl))
		return KC_EXIT_FAIL;
	memset(&s, 0, sizeof(s));
	r = (struct kc_reply){ .fn = on_stats, .arg = &s };
	msg = kc_msg_new(&nl, KIPC_CMD_STATS_GET, 0);
	ret = msg ? kc_nl_request(&nl, msg, &r) : -ENOMEM;
	if (ret < 0) {
		kc_op_error(&nl, "reading statistics", ret);
		kc_nl_close(&nl);
		return KC_EXIT_FAIL;
	}
	kc_nl_close(&nl);
	if (json)
		print_json(&s);
	else
		print_text(&s);
	return kc_flush_stdout();
}
