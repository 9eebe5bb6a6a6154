// SPDX-License-Identifier: GPL-2.0
/*
 * The one place that knows the family's attributes and object types:
 * kc_attrs[] names and formats every KIPC_A_* an object or event carries
 * (its JSON key is its name), kc_types[] each type's name and its list
 * columns.  A new attribute or type adds a row here; show, list, monitor
 * and --json follow.
 */
#include <inttypes.h>
#include <pwd.h>
#include <string.h>
#include <time.h>

#include "kipcctl.h"

enum kc_fmt {
	KC_NONE,	/* not an object attribute (padding, nests) */
	KC_U32,
	KC_U64,
	KC_STR,
	KC_TYPE,	/* enum kipc_type */
	KC_MODE,	/* octal */
	KC_FLAGS,	/* KIPC_STAT_* */
	KC_TIME,	/* CLOCK_REALTIME ns */
	KC_STATE,	/* enum kipc_link_state */
	KC_LIMIT,	/* enum kipc_limit */
};

struct kc_attr {
	const char *key;	/* show label, monitor and JSON key */
	enum kc_fmt fmt;
};

static const struct kc_attr kc_attrs[KIPC_A_MAX + 1] = {
	[KIPC_A_ID]		= { "id", KC_U64 },
	[KIPC_A_TYPE]		= { "type", KC_TYPE },
	[KIPC_A_NAME]		= { "name", KC_STR },
	[KIPC_A_UID]		= { "uid", KC_U32 },
	[KIPC_A_GID]		= { "gid", KC_U32 },
	[KIPC_A_CUID]		= { "cuid", KC_U32 },
	[KIPC_A_CGID]		= { "cgid", KC_U32 },
	[KIPC_A_MODE]		= { "mode", KC_MODE },
	[KIPC_A_FLAGS]		= { "flags", KC_FLAGS },
	[KIPC_A_CREATOR_PID]	= { "creator_pid", KC_U32 },
	[KIPC_A_CREATE_TIME]	= { "create_time", KC_TIME },
	[KIPC_A_FILES]		= { "files", KC_U32 },
	[KIPC_A_MSGS]		= { "msgs", KC_U64 },
	[KIPC_A_BYTES]		= { "bytes", KC_U64 },
	[KIPC_A_MAX_MSGS]	= { "max_msgs", KC_U32 },
	[KIPC_A_MAX_MSGSIZE]	= { "max_msgsize", KC_U32 },
	[KIPC_A_CAPACITY]	= { "capacity", KC_U64 },
	[KIPC_A_WAITERS]	= { "waiters", KC_U32 },
	[KIPC_A_MSGS_IN]	= { "msgs_in", KC_U64 },
	[KIPC_A_MSGS_OUT]	= { "msgs_out", KC_U64 },
	[KIPC_A_BYTES_IN]	= { "bytes_in", KC_U64 },
	[KIPC_A_BYTES_OUT]	= { "bytes_out", KC_U64 },
	[KIPC_A_OWNER_PID]	= { "owner_pid", KC_U32 },
	[KIPC_A_PID]		= { "pid", KC_U32 },
	[KIPC_A_PEER_PID]	= { "peer_pid", KC_U32 },
	[KIPC_A_LINKS]		= { "links", KC_U32 },
	[KIPC_A_STATE]		= { "state", KC_STATE },
	[KIPC_A_READERS]	= { "readers", KC_U32 },
	[KIPC_A_WRITERS]	= { "writers", KC_U32 },
	[KIPC_A_HOLDERS]	= { "holders", KC_U32 },
	[KIPC_A_LOCKS]		= { "locks", KC_U32 },
	[KIPC_A_SEQ]		= { "seq", KC_U64 },
	[KIPC_A_LIMIT]		= { "limit", KC_LIMIT },
};

/* Printing order: what an object is first, then attribute order. */
static const int kc_first_attrs[] = { KIPC_A_TYPE, KIPC_A_ID, KIPC_A_NAME };

#define KC_MAX_COLS	6

struct kc_col {
	const char *head;
	int attr;
	int width;
};

struct kc_type {
	const char *name;
	const char *title;	/* list section */
	bool named;		/* may have a name: open/remove by name */
	bool creatable;		/* KIPC_CMD_OBJ_NEW */
	struct kc_col cols[KC_MAX_COLS];	/* after ID TYPE NAME OWNER MODE */
};

#define KC_QUEUE_COLS \
	{ "MSGS", KIPC_A_MSGS, 6 }, { "BYTES", KIPC_A_BYTES, 9 }, \
	{ "MAXMSGS", KIPC_A_MAX_MSGS, 7 }, \
	{ "MSGSIZE", KIPC_A_MAX_MSGSIZE, 8 }, \
	{ "CAPACITY", KIPC_A_CAPACITY, 9 }, { "FILES", KIPC_A_FILES, 5 }

static const struct kc_type kc_types[KIPC_TYPE_MAX + 1] = {
	[KIPC_TYPE_QUEUE] = { "queue", "Queues", true, true,
			      { KC_QUEUE_COLS } },
	[KIPC_TYPE_MAILBOX] = { "mailbox", "Mailboxes", true, true,
				{ KC_QUEUE_COLS } },
	[KIPC_TYPE_PIPE] = { "pipe", "Pipes", true, false, {
		{ "BYTES", KIPC_A_BYTES, 9 },
		{ "CAPACITY", KIPC_A_CAPACITY, 9 },
		{ "READERS", KIPC_A_READERS, 7 },
		{ "WRITERS", KIPC_A_WRITERS, 7 },
		{ "FILES", KIPC_A_FILES, 5 } } },
	[KIPC_TYPE_SHM] = { "shm", "Shared memory", true, true, {
		{ "SIZE", KIPC_A_CAPACITY, 10 },
		{ "HOLDERS", KIPC_A_HOLDERS, 7 },
		{ "LOCKS", KIPC_A_LOCKS, 5 },
		{ "FILES", KIPC_A_FILES, 5 } } },
	[KIPC_TYPE_SESSION] = { "session", "Sessions", false, false, {
		{ "PID", KIPC_A_PID, 7 },
		{ "LINKS", KIPC_A_LINKS, 5 },
		{ "MSGS", KIPC_A_MSGS, 6 },
		{ "BYTES", KIPC_A_BYTES, 9 } } },
	[KIPC_TYPE_LINK] = { "link", "Links", false, false, {
		{ "PID", KIPC_A_PID, 7 },
		{ "PEER", KIPC_A_PEER_PID, 7 },
		{ "STATE", KIPC_A_STATE, 5 },
		{ "MSGS", KIPC_A_MSGS, 6 },
		{ "BYTES", KIPC_A_BYTES, 9 } } },
};

static const char *const kc_limits[KIPC_LIMIT_MAX + 1] = {
	[KIPC_LIMIT_USER_OBJECTS]	= "user_objects",
	[KIPC_LIMIT_USER_BYTES]		= "user_bytes",
	[KIPC_LIMIT_MSGSIZE]		= "msgsize",
	[KIPC_LIMIT_FULL]		= "full",
	[KIPC_LIMIT_LINKS]		= "links",
	[KIPC_LIMIT_SHM_LOCKS]		= "shm_locks",
};

static const char *const kc_events[KIPC_CMD_MAX + 1] = {
	[KIPC_CMD_OBJ_NEW]	= "new",
	[KIPC_CMD_OBJ_DEL]	= "del",
	[KIPC_CMD_LINK_UP]	= "link_up",
	[KIPC_CMD_LINK_DOWN]	= "link_down",
	[KIPC_CMD_PEER_EXIT]	= "peer_exit",
	[KIPC_CMD_LIMIT_HIT]	= "limit_hit",
};

static const char *const kc_flag_names[] = {
	"removed", "anonymous", "owned", "owner_recv", "mapped",
};

const char *kc_type_name(uint32_t type)
{
	if (type <= KIPC_TYPE_MAX && kc_types[type].name)
		return kc_types[type].name;
	return "unknown";
}

int kc_type_from_name(const char *name)
{
	int t;

	for (t = 1; t <= KIPC_TYPE_MAX; t++)
		if (!strcmp(kc_types[t].name, name))
			return t;
	return -1;
}

bool kc_type_named(uint32_t type)
{
	return type <= KIPC_TYPE_MAX && kc_types[type].named;
}

bool kc_type_creatable(uint32_t type)
{
	return type <= KIPC_TYPE_MAX && kc_types[type].creatable;
}

const char *kc_limit_name(uint32_t limit)
{
	if (limit <= KIPC_LIMIT_MAX && kc_limits[limit])
		return kc_limits[limit];
	return "unknown";
}

const char *kc_event_name(uint8_t cmd)
{
	if (cmd <= KIPC_CMD_MAX && kc_events[cmd])
		return kc_events[cmd];
	return "unknown";
}

uint32_t kc_obj_type(const struct kc_obj *obj)
{
	return obj->has[KIPC_A_TYPE] ? (uint32_t)obj->val[KIPC_A_TYPE] : 0;
}

const char *kc_user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		return pw->pw_name;
	snprintf(buf, len, "%u", uid);
	return buf;
}

/* Copy the attributes of one message; unknown or mis-sized ones skipped. */
int kc_obj_parse(struct kc_obj *obj, uint8_t cmd, struct nlattr *attrs,
		 int len)
{
	struct nlattr *a;
	int rem, t, n;

	memset(obj, 0, sizeof(*obj));
	obj->cmd = cmd;
	nla_for_each_attr(a, attrs, len, rem) {
		t = nla_type(a);
		n = nla_len(a);
		if (t > KIPC_A_MAX)
			continue;
		switch (kc_attrs[t].fmt) {
		case KC_NONE:
			continue;
		case KC_STR:
			if (n < 1 || n > KIPC_NAME_MAX + 1)
				continue;
			memcpy(obj->name, nla_data(a), n);
			obj->name[n - 1] = '\0';
			break;
		case KC_U64:
		case KC_TIME:
			if (n != 8)
				continue;
			obj->val[t] = nla_get_u64(a);
			break;
		default:
			if (n != 4)
				continue;
			obj->val[t] = nla_get_u32(a);
		}
		obj->has[t] = true;
	}
	return 0;
}

/*
 * For text output: spaces, control characters (C0, DEL and C1, which a
 * terminal may obey), backslashes and bytes that are not valid UTF-8 as
 * \xNN; other UTF-8 characters as they are.
 */
void kc_print_escaped(FILE *f, const char *s)
{
	const unsigned char *p;
	int n;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			n = kc_utf8_len(p);
			if (n && !(n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
				fwrite(p, 1, n, f);
				p += n - 1;
			} else {
				fprintf(f, "\\x%02x", *p);
			}
		} else if (*p <= ' ' || *p == 0x7f || *p == '\\') {
			fprintf(f, "\\x%02x", *p);
		} else {
			fputc(*p, f);
		}
	}
}

static void format_flags(uint32_t flags, char *buf, size_t len)
{
	size_t i, used = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(kc_flag_names) / sizeof(kc_flag_names[0]);
	     i++) {
		if (!(flags & (1U << i)))
			continue;
		used += snprintf(buf + used, len - used, "%s%s",
				 used ? "," : "", kc_flag_names[i]);
		if (used >= len)
			return;
	}
	if (!used)
		snprintf(buf, len, "-");
}

static void format_time(uint64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	size_t n;

	if (!localtime_r(&sec, &tm)) {
		snprintf(buf, len, "%" PRIu64, ns);
		return;
	}
	n = strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06u",
		 (unsigned int)(ns % 1000000000ULL / 1000));
}

/* The text form of a number-like attribute (not the name). */
static void format_value(const struct kc_obj *obj, int t, char *buf,
			 size_t len)
{
	uint64_t v = obj->val[t];

	switch (kc_attrs[t].fmt) {
	case KC_TYPE:
		snprintf(buf, len, "%s", kc_type_name((uint32_t)v));
		break;
	case KC_MODE:
		snprintf(buf, len, "%04" PRIo64, v);
		break;
	case KC_FLAGS:
		format_flags((uint32_t)v, buf, len);
		break;
	case KC_TIME:
		format_time(v, buf, len);
		break;
	case KC_STATE:
		snprintf(buf, len, "%s", v == KIPC_LINK_STATE_UP ? "up" :
			 v == KIPC_LINK_STATE_DOWN ? "down" : "unknown");
		break;
	case KC_LIMIT:
		snprintf(buf, len, "%s", kc_limit_name((uint32_t)v));
		break;
	default:
		snprintf(buf, len, "%" PRIu64, v);
	}
}

static void json_value(struct kc_json *j, const struct kc_obj *obj, int t)
{
	char buf[64];

	switch (kc_attrs[t].fmt) {
	case KC_STR:
		kc_json_str(j, kc_attrs[t].key, obj->name);
		break;
	case KC_U32:
	case KC_U64:
	case KC_TIME:
		kc_json_u64(j, kc_attrs[t].key, obj->val[t]);
		break;
	case KC_FLAGS:
		format_flags((uint32_t)obj->val[t], buf, sizeof(buf));
		kc_json_str(j, kc_attrs[t].key, strcmp(buf, "-") ? buf : "");
		break;
	default:
		format_value(obj, t, buf, sizeof(buf));
		kc_json_str(j, kc_attrs[t].key, buf);
	}
}

static void text_value(FILE *f, const struct kc_obj *obj, int t,
		       enum kc_style style)
{
	char buf[64];

	if (style == KC_STYLE_LINES)
		fprintf(f, "%-12s ", kc_attrs[t].key);
	else
		fprintf(f, " %s=", kc_attrs[t].key);
	if (kc_attrs[t].fmt == KC_STR) {
		kc_print_escaped(f, obj->name);
	} else {
		format_value(obj, t, buf, sizeof(buf));
		fputs(buf, f);
	}
	if (style == KC_STYLE_LINES)
		fputc('\n', f);
}

static bool is_first_attr(int t)
{
	size_t i;

	for (i = 0; i < sizeof(kc_first_attrs) / sizeof(kc_first_attrs[0]);
	     i++)
		if (kc_first_attrs[i] == t)
			return true;
	return false;
}

static void print_attr(FILE *f, struct kc_json *j, const struct kc_obj *obj,
		       int t, enum kc_style style)
{
	if (!obj->has[t])
		return;
	if (style == KC_STYLE_ONELINE && t == KIPC_A_SEQ)
		return;		/* monitor prints it first */
	if (style == KC_STYLE_JSON)
		json_value(j, obj, t);
	else
		text_value(f, obj, t, style);
}

static void print_attrs(FILE *f, struct kc_json *j, const struct kc_obj *obj,
			enum kc_style style)
{
	size_t i;
	int t;

	for (i = 0; i < sizeof(kc_first_attrs) / sizeof(kc_first_attrs[0]);
	     i++)
		print_attr(f, j, obj, kc_first_attrs[i], style);
	for (t = 1; t <= KIPC_A_MAX; t++)
		if (!is_first_attr(t))
			print_attr(f, j, obj, t, style);
}

/* Every attribute of @obj as members of the JSON object @j has open. */
void kc_obj_json_members(struct kc_json *j, const struct kc_obj *obj)
{
	print_attrs(j->f, j, obj, KC_STYLE_JSON);
}

/*
 * Every attribute of @obj: show prints lines, monitor one line (after its
 * own prefix; the caller ends the line), --json one object.
 */
void kc_obj_print(FILE *f, const struct kc_obj *obj, enum kc_style style)
{
	struct kc_json j;

	kc_json_init(&j, f);
	if (style == KC_STYLE_JSON)
		kc_json_open(&j, NULL, '{');
	print_attrs(f, &j, obj, style);
	if (style == KC_STYLE_JSON)
		kc_json_close(&j, '}');
}

static void list_header(FILE *f, const struct kc_type *kt)
{
	int i;

	fprintf(f, "------ %s ------\n", kt->title);
	fprintf(f, "%-6s %-8s %-20s %-10s %-5s", "ID", "TYPE", "NAME",
		"OWNER", "MODE");
	for (i = 0; i < KC_MAX_COLS && kt->cols[i].head; i++)
		fprintf(f, " %*s", kt->cols[i].width, kt->cols[i].head);
	fputc('\n', f);
}

static void list_row(FILE *f, const struct kc_type *kt,
		     const struct kc_obj *obj)
{
	char buf[64], ubuf[16];
	int i, t;

	fprintf(f, "%-6" PRIu64 " %-8s ", obj->val[KIPC_A_ID], kt->name);
	if (obj->has[KIPC_A_NAME]) {
		kc_print_escaped(f, obj->name);
		i = (int)strlen(obj->name);
		fprintf(f, "%*s", i < 20 ? 20 - i : 0, "");
	} else {
		fprintf(f, "%-20s", "-");
	}
	fprintf(f, " %-10s", obj->has[KIPC_A_UID] ?
		kc_user_name((uint32_t)obj->val[KIPC_A_UID], ubuf,
			     sizeof(ubuf)) : "-");
	if (obj->has[KIPC_A_MODE])
		format_value(obj, KIPC_A_MODE, buf, sizeof(buf));
	fprintf(f, " %-5s", obj->has[KIPC_A_MODE] ? buf : "-");
	for (i = 0; i < KC_MAX_COLS && kt->cols[i].head; i++) {
		t = kt->cols[i].attr;
		if (obj->has[t])
			format_value(obj, t, buf, sizeof(buf));
		fprintf(f, " %*s", kt->cols[i].width, obj->has[t] ? buf : "-");
	}
	fputc('\n', f);
}

/* A table per type, as ipcs: only the types that have objects. */
void kc_list_print(FILE *f, const struct kc_obj *objs, size_t n)
{
	bool first = true;
	size_t i;
	int t;

	for (t = 1; t <= KIPC_TYPE_MAX; t++) {
		bool header = false;

		for (i = 0; i < n; i++) {
			if (kc_obj_type(&objs[i]) != (uint32_t)t)
				continue;
			if (!header) {
				if (!first)
					fputc('\n', f);
				list_header(f, &kc_types[t]);
				header = true;
				first = false;
			}
			list_row(f, &kc_types[t], &objs[i]);
		}
	}
}
