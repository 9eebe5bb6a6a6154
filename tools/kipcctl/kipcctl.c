// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl: the command table, help and version, the option helpers shared
 * by the commands, and main().
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kipcctl.h"

#define TYPE_OPTION \
	"  -t, --type TYPE     queue, mailbox, pipe, shm, session, link\n"
#define JSON_OPTION \
	"  -j, --json          JSON output\n"

static const struct kc_command commands[] = {
	{ "list", kc_cmd_list, "[-t TYPE] [-u USER] [-n GLOB] [--json]",
	  "list objects, a table per type",
	  TYPE_OPTION
	  "                      (repeatable, or a comma-separated list)\n"
	  "  -u, --user USER     owned by USER (name or number)\n"
	  "  -n, --name GLOB     whose name matches GLOB\n"
	  JSON_OPTION },
	{ "show", kc_cmd_show, "[-t TYPE] [--json] ID|NAME",
	  "every attribute of one object",
	  TYPE_OPTION JSON_OPTION },
	{ "rm", kc_cmd_rm, "[-t TYPE] ID|NAME...",
	  "remove objects (as ipcrm)",
	  TYPE_OPTION },
	{ "create", kc_cmd_create,
	  "queue|mailbox|shm NAME [--mode OCTAL] [--max-msgs N] [--msgsize N]\n"
	  "                 [--capacity N] [--size N]",
	  "create a named object, print its id",
	  "  -m, --mode OCTAL    permission bits (default 0600)\n"
	  "      --max-msgs N    queue, mailbox: messages it holds\n"
	  "      --msgsize N     queue, mailbox: largest message\n"
	  "      --capacity N    queue, mailbox: payload bytes it holds\n"
	  "      --size N        shm: the size (required)\n"
	  "  sizes take a K, M or G suffix (powers of 1024)\n" },
	{ "stats", kc_cmd_stats, "[--json]",
	  "module-wide statistics", JSON_OPTION },
	{ "monitor", kc_cmd_monitor, "[-T] [-c N] [-q] [--json]",
	  "print events as they happen",
	  "  -T, --timestamp     prefix each event with the time received\n"
	  "  -c, --count N       exit after N events\n"
	  "  -q, --quiet         no \"listening\" line on stderr\n"
	  JSON_OPTION },
};

#define NR_COMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const struct kc_command *current;

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
	fflush(stdout);
	fprintf(stderr, "kipcctl%s%s: %s", current ? " " : "",
		current ? current->name : "", kind);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void kc_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
}

void kc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap);
	va_end(ap);
}

void kc_usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("", fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try 'kipcctl %s%s--help'.\n",
		current ? current->name : "", current ? " " : "");
}

/* The exit status of a command whose output is done: 1 if it was lost. */
int kc_flush_stdout(void)
{
	int ret = fflush(stdout);

	if (ret == EOF || ferror(stdout)) {
		kc_error("writing output: %s",
			 ret == EOF ? strerror(errno) : "I/O error");
		return KC_EXIT_FAIL;
	}
	return KC_EXIT_OK;
}

/* getopt_long() returned '?': an unknown option or a missing argument. */
int kc_bad_option(char **argv)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;

	/*
	 * A long option's optopt is its getopt value, which may be no
	 * character at all (OPT_* >= 256): name it as it was typed.  An
	 * unknown short option inside a cluster ("-jx") leaves optind on
	 * its cluster, so argv[optind - 1] is then the argument before: a
	 * long option there counts only if optopt may be its value (the
	 * long options with a letter value begin with that letter).
	 */
	if (arg && !strncmp(arg, "--", 2) && arg[2] &&
	    (optopt <= 0 || optopt > 0x7f || arg[2] == optopt))
		kc_usage_error("bad option '%.*s' or missing argument",
			       (int)strcspn(arg, "="), arg);
	else if (optopt > 0 && optopt < 0x7f && isgraph(optopt) &&
		 optopt != '?')
		kc_usage_error("bad option '-%c' or missing argument", optopt);
	else
		kc_usage_error("bad option '%s' or missing argument",
			       arg ? arg : "?");
	return KC_EXIT_USAGE;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: kipcctl [--version] [--help] COMMAND [OPTIONS]\n"
		"Inspect and manage kipc objects through the generic netlink "
		"family \"%s\".\n\nCommands:\n", KIPC_GENL_NAME);
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(f, "\n'kipcctl COMMAND --help' describes a command; "
		"see kipcctl(8).\n");
}

/* "kipcctl CMD --help": the synopsis and options of the running command. */
int kc_command_help(void)
{
	printf("Usage: kipcctl %s %s\n%s.\n\nOptions:\n%s"
	       "  -h, --help          this help\n", current->name,
	       current->args, current->help, current->options);
	return KC_EXIT_OK;
}

int kc_parse_types(const char *arg, uint32_t *mask)
{
	char buf[128], *tok, *save = NULL;
	bool any = false;
	int type;

	if (strlen(arg) >= sizeof(buf)) {
		kc_usage_error("type list too long: '%.32s...'", arg);
		return -EINVAL;
	}
	strcpy(buf, arg);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		type = kc_type_from_name(tok);
		if (type < 0) {
			kc_usage_error("unknown type '%s' (queue, mailbox, "
				       "pipe, shm, session, link)", tok);
			return -EINVAL;
		}
		*mask |= 1U << type;
		any = true;
	}
	/* "-t ''" or "-t ,": no type at all would mean every type */
	if (!any) {
		kc_usage_error("empty type list");
		return -EINVAL;
	}
	return 0;
}

/* A decimal number, with an optional K, M or G suffix if @suffixes. */
int kc_parse_u64(const char *arg, uint64_t *val, bool suffixes)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!isdigit((unsigned char)arg[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno)
		return -errno;
	if (suffixes && *end) {
		switch (toupper((unsigned char)*end)) {
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		default:
			return -EINVAL;
		}
		end++;
		if (toupper((unsigned char)*end) == 'B' ||
		    toupper((unsigned char)*end) == 'I')
			end++;
	}
	if (*end)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*val = (uint64_t)v << shift;
	return 0;
}

bool kc_is_id(const char *arg, uint64_t *id)
{
	return kc_parse_u64(arg, id, false) == 0;
}

int kc_parse_user(const char *arg, uint32_t *uid)
{
	struct passwd *pw;
	uint64_t v;

	if (kc_parse_u64(arg, &v, false) == 0 && v <= UINT32_MAX) {
		*uid = (uint32_t)v;
		return 0;
	}
	pw = getpwnam(arg);
	if (!pw) {
		kc_usage_error("unknown user '%s'", arg);
		return -EINVAL;
	}
	*uid = pw->pw_uid;
	return 0;
}

static const struct kc_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	opterr = 0;	/* the commands print their own usage errors */
	while ((c = getopt_long(argc, argv, "+hV", opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage(stdout);
			return KC_EXIT_OK;
		case 'V':
			printf("kipcctl %s (generic netlink family %s, "
			       "version %d)\n", KC_VERSION, KIPC_GENL_NAME,
			       KIPC_GENL_VERSION);
			return KC_EXIT_OK;
		default:
			return kc_bad_option(argv);
		}
	}
	if (optind == argc) {
		usage(stderr);
		return KC_EXIT_USAGE;
	}
	current = find_command(argv[optind]);
	if (!current) {
		kc_usage_error("unknown command '%s'", argv[optind]);
		return KC_EXIT_USAGE;
	}
	argv += optind;
	argc -= optind;
	optind = 0;	/* glibc: start over, permuting (no "+" any more) */
	return current->run(argc, argv);
}
