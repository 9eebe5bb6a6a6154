// SPDX-License-Identifier: GPL-2.0
/*
 * kipcctl monitor: join the family's "events" group and print one line (or
 * one JSON object) per event, flushed, until SIGINT/SIGTERM or --count
 * events.  Lost events are reported on stderr: ENOBUFS on receive, or a
 * gap in KIPC_A_SEQ.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "kipcctl.h"

struct monitor {
	bool json, timestamp, quiet;
	uint64_t count;		/* events to print; 0: no end */
	uint64_t seen;
	uint64_t last_seq;
	bool have_seq;
	int write_err;		/* errno of a failed write of an event */
};

static void timestamp(char *buf, size_t len)
{
	struct timeval tv;
	struct tm tm;
	size_t n;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06ld", (long)tv.tv_usec);
}

static void check_seq(struct monitor *m, const struct kc_obj *ev)
{
	uint64_t seq = ev->val[KIPC_A_SEQ];

	if (!ev->has[KIPC_A_SEQ])
		return;
	if (m->have_seq && seq > m->last_seq + 1)
		kc_warn("%" PRIu64 " events lost (seq %" PRIu64 " after %"
			PRIu64 ")", seq - m->last_seq - 1, seq, m->last_seq);
	m->last_seq = seq;
	m->have_seq = true;
}

/* Print @ev, flushed; 0 or the errno of a failed write. */
static int print_event(const struct monitor *m, const struct kc_obj *ev)
{
	struct kc_json j;
	char ts[48];

	if (m->timestamp)
		timestamp(ts, sizeof(ts));
	if (m->json) {
		kc_json_init(&j, stdout);
		kc_json_open(&j, NULL, '{');
		if (m->timestamp)
			kc_json_str(&j, "time", ts);
		kc_json_str(&j, "event", kc_event_name(ev->cmd));
		kc_obj_json_members(&j, ev);
		kc_json_close(&j, '}');
	} else {
		if (m->timestamp)
			printf("[%s] ", ts);
		if (ev->has[KIPC_A_SEQ])
			printf("seq=%" PRIu64 " ", ev->val[KIPC_A_SEQ]);
		fputs(kc_event_name(ev->cmd), stdout);
		kc_obj_print(stdout, ev, KC_STYLE_ONELINE);
	}
	putchar('\n');
	if (fflush(stdout) == EOF)
		return errno ?: EIO;
	return ferror(stdout) ? EIO : 0;
}

static int on_event(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct monitor *m = arg;
	struct genlmsghdr *gh;
	struct kc_obj ev;

	if (!genlmsg_valid_hdr(nlh, 0))
		return NL_SKIP;
	if (m->count && m->seen >= m->count)
		return NL_SKIP;
	gh = nlmsg_data(nlh);
	kc_obj_parse(&ev, gh->cmd, genlmsg_attrdata(gh, 0),
		     genlmsg_attrlen(gh, 0));
	check_seq(m, &ev);
	m->write_err = print_event(m, &ev);
	if (m->write_err)
		return NL_STOP;	/* nobody reads us any more: stop */
	m->seen++;
	return NL_OK;
}

/* SIGINT and SIGTERM as a readable fd, so poll() sees them without races. */
static int signal_fd(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	return signalfd(-1, &set, SFD_CLOEXEC);
}

static int setup(struct kc_nl *nl, struct monitor *m)
{
	int ret;

	ret = kc_nl_subscribe(nl, KIPC_GENL_MCGRP_EVENTS);
	if (ret)
		return ret;
	nl_socket_disable_seq_check(nl->sk);
	nl_socket_modify_cb(nl->sk, NL_CB_VALID, NL_CB_CUSTOM, on_event, m);
	ret = nl_socket_set_nonblocking(nl->sk);
	if (ret < 0) {
		kc_error("%s", nl_geterror(ret));
		return -EIO;
	}
	return 0;
}

static int receive(struct kc_nl *nl)
{
	int ret = nl_recvmsgs_default(nl->sk);

	if (ret >= 0 || ret == -NLE_AGAIN)
		return 0;
	if (ret == -NLE_NOMEM) {	/* ENOBUFS: the buffer overflowed */
		kc_warn("events lost: receive buffer overflow (ENOBUFS)");
		return 0;
	}
	kc_error("receiving events: %s", nl_geterror(ret));
	return -EIO;
}

static int run(struct kc_nl *nl, struct monitor *m, int sfd)
{
	struct pollfd p[2] = {
		{ .fd = nl_socket_get_fd(nl->sk), .events = POLLIN },
		{ .fd = sfd, .events = POLLIN },
	};

	if (!m->quiet)
		kc_error("listening for events (group \"%s\")",
			 KIPC_GENL_MCGRP_EVENTS);
	while (!m->count || m->seen < m->count) {
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			kc_error("poll: %s", strerror(errno));
			return KC_EXIT_FAIL;
		}
		if (p[1].revents)
			return KC_EXIT_OK;	/* SIGINT, SIGTERM */
		if (p[0].revents && receive(nl))
			return KC_EXIT_FAIL;
		if (m->write_err) {
			kc_error("writing events: %s",
				 strerror(m->write_err));
			return KC_EXIT_FAIL;
		}
	}
	return KC_EXIT_OK;
}

static int parse_opts(int argc, char **argv, struct monitor *m)
{
	static const struct option opts[] = {
		{ "timestamp", no_argument, NULL, 'T' },
		{ "count", required_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "Tc:qjh", opts, NULL)) != -1) {
		switch (c) {
		case 'T':
			m->timestamp = true;
			break;
		case 'c':
			if (kc_parse_u64(optarg, &m->count, false) ||
			    !m->count) {
				kc_usage_error("bad count '%s'", optarg);
				return KC_EXIT_USAGE;
			}
			break;
		case 'q':
			m->quiet = true;
			break;
		case 'j':
			m->json = true;
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

int kc_cmd_monitor(int argc, char **argv)
{
	struct monitor m = { 0 };
	struct kc_nl nl;
	int ret, sfd;

	ret = parse_opts(argc, argv, &m);
	if (ret)
		return ret;
	if (kc_nl_open(&nl))
		return KC_EXIT_FAIL;
	sfd = signal_fd();
	if (sfd < 0) {
		kc_error("signalfd: %s", strerror(errno));
		kc_nl_close(&nl);
		return KC_EXIT_FAIL;
	}
	ret = setup(&nl, &m) ? KC_EXIT_FAIL : run(&nl, &m, sfd);
	close(sfd);
	kc_nl_close(&nl);
	return ret;
}
