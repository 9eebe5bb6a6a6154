/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kipcctl: list, show, remove and create kipc objects, read the module's
 * statistics and follow its events, through the generic netlink family
 * "kipc" (uapi/linux/kipc.h, "Generic netlink family").
 *
 * kipcctl.c	the command table, help, option helpers, main()
 * genl.c	the one path that builds, sends and receives a request
 * attrs.c	the attribute and type tables: what each object type carries,
 *		its list columns, and the printers shared by show and monitor
 * json.c	a small JSON writer
 * list.c show.c rm.c create.c stats.c monitor.c	one command each
 *
 * Functions return 0 or -errno; commands return the exit status.
 */
#ifndef KIPCCTL_H
#define KIPCCTL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <netlink/genl/genl.h>
#include <linux/kipc.h>

#define KC_VERSION	"0.1"

/* Exit statuses, as ip(8) and ipcs(1): 1 a failed operation, 2 usage. */
#define KC_EXIT_OK	0
#define KC_EXIT_FAIL	1
#define KC_EXIT_USAGE	2

/* ---- kipcctl.c: commands and option helpers ---- */

struct kc_command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *args;	/* synopsis after the command name */
	const char *help;	/* one line */
	const char *options;	/* option lines for "CMD --help" */
};

void kc_usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
void kc_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kc_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int kc_command_help(void);
int kc_bad_option(char **argv);
int kc_flush_stdout(void);

/* -t/--type lists: a bitmask of 1U << enum kipc_type. */
int kc_parse_types(const char *arg, uint32_t *mask);
int kc_parse_user(const char *arg, uint32_t *uid);
int kc_parse_u64(const char *arg, uint64_t *val, bool suffixes);
bool kc_is_id(const char *arg, uint64_t *id);

/* ---- json.c ---- */

struct kc_json {
	FILE *f;
	int depth;
	bool need_comma[8];
};

void kc_json_init(struct kc_json *j, FILE *f);
void kc_json_open(struct kc_json *j, const char *key, char bracket);
void kc_json_close(struct kc_json *j, char bracket);
void kc_json_str(struct kc_json *j, const char *key, const char *s);
void kc_json_u64(struct kc_json *j, const char *key, uint64_t v);
void kc_json_i64(struct kc_json *j, const char *key, int64_t v);
int kc_utf8_len(const unsigned char *p);

/* ---- attrs.c: the one place that knows each type's attributes ---- */

/* One object or event, its attributes copied out of the message. */
struct kc_obj {
	uint8_t cmd;				/* genl command of the message */
	uint64_t val[KIPC_A_MAX + 1];
	bool has[KIPC_A_MAX + 1];
	char name[KIPC_NAME_MAX + 1];
};

enum kc_style {
	KC_STYLE_LINES,		/* show: "key:  value" per line */
	KC_STYLE_ONELINE,	/* monitor: "key=value ..." */
	KC_STYLE_JSON,		/* one JSON object */
};

int kc_obj_parse(struct kc_obj *obj, uint8_t cmd, struct nlattr *attrs,
		 int len);
uint32_t kc_obj_type(const struct kc_obj *obj);
const char *kc_type_name(uint32_t type);
int kc_type_from_name(const char *name);
bool kc_type_named(uint32_t type);
bool kc_type_creatable(uint32_t type);
const char *kc_limit_name(uint32_t limit);
const char *kc_event_name(uint8_t cmd);
const char *kc_user_name(uint32_t uid, char *buf, size_t len);
void kc_obj_print(FILE *f, const struct kc_obj *obj, enum kc_style style);
void kc_obj_json_members(struct kc_json *j, const struct kc_obj *obj);
void kc_list_print(FILE *f, const struct kc_obj *objs, size_t n);
void kc_print_escaped(FILE *f, const char *s);

/* ---- genl.c: the request path ---- */

struct kc_nl {
	struct nl_sock *sk;
	int family;
	int nl_err;		/* libnl's NLE_* of the last failure, or 0 */
	char extack[256];	/* the kernel's extended-ACK message */
};

/* Called for each reply message; returns 0 or -errno to stop. */
typedef int (*kc_msg_fn)(const struct genlmsghdr *gh, struct nlattr *attrs,
			 int len, void *arg);

struct kc_reply {
	kc_msg_fn fn;
	void *arg;
	bool intr;		/* a dump message carried NLM_F_DUMP_INTR */
};

int kc_nl_open(struct kc_nl *nl);
void kc_nl_close(struct kc_nl *nl);
struct nl_msg *kc_msg_new(struct kc_nl *nl, uint8_t cmd, int flags);
int kc_nl_request(struct kc_nl *nl, struct nl_msg *msg, struct kc_reply *r);
int kc_nl_subscribe(struct kc_nl *nl, const char *group);
void kc_op_error(struct kc_nl *nl, const char *what, int err);
int kc_get_objects(struct kc_nl *nl, uint32_t type, bool by_uid,
		   uint32_t uid, struct kc_obj **objs, size_t *n);
int kc_get_object(struct kc_nl *nl, uint8_t cmd, uint64_t id, uint32_t type,
		  const char *name, struct kc_obj *obj);

/* ---- show.c: naming an object by id or name ---- */

int kc_resolve(struct kc_nl *nl, const char *arg, uint32_t type_mask,
	       struct kc_obj *obj);

/* ---- the commands ---- */

int kc_cmd_list(int argc, char **argv);
int kc_cmd_show(int argc, char **argv);
int kc_cmd_rm(int argc, char **argv);
int kc_cmd_create(int argc, char **argv);
int kc_cmd_stats(int argc, char **argv);
int kc_cmd_monitor(int argc, char **argv);

#endif /* KIPCCTL_H */
