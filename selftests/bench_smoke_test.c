// SPDX-License-Identifier: GPL-2.0
/*
 * kipc-bench (tools/kipc-bench) works: a --quick run measures every
 * mechanism (kipc's with the module loaded) with every message received
 * intact, and writes a well-formed CSV; a run with a lost or damaged
 * message fails (so the bench's checks are real); bad options are refused.
 *
 * No timing is asserted: the figures only have to be positive numbers.
 * The bench runs as a child (/usr/bin/kipc-bench, the guest's copy of the
 * built tool; $KIPC_BENCH overrides); without it the tests skip.
 */
#include <math.h>
#include <sys/wait.h>

#include "kipc_test.h"

#define BS_OUT_MAX	(1 << 20)
#define BS_FIELDS	13	/* columns of the CSV */
#define BS_MAX_MECHS	64

static const char *bs_bin(void)
{
	const char *b = getenv("KIPC_BENCH");

	return b && *b ? b : "/usr/bin/kipc-bench";
}

/* Run the bench with @args (NULL-terminated); stdout+stderr into @out. */
static int bs_run(const char *const args[], char *out, size_t max)
{
	const char *argv[24] = { bs_bin() };
	int p[2], status, n = 1;
	size_t got = 0;
	ssize_t r;
	pid_t pid;

	while (args[n - 1] && n < 23) {
		argv[n] = args[n - 1];
		n++;
	}
	argv[n] = NULL;
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);	/* its complaints go to the log on failure */
		close(p[0]);
		close(p[1]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	while (got + 1 < max && (r = read(p[0], out + got, max - 1 - got)) > 0)
		got += (size_t)r;
	out[got] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Split a CSV line in place (quoted fields may hold commas). */
static int bs_split(char *line, char **f, int max)
{
	int n = 0;
	char *p = line;

	while (n < max) {
		if (*p == '"') {
			f[n++] = ++p;
			p = strchr(p, '"');
			if (!p)
				return -1;
			*p++ = '\0';
		} else {
			f[n++] = p;
			p += strcspn(p, ",");
		}
		if (*p != ',')
			break;
		*p++ = '\0';
	}
	return *p ? -1 : n;
}

static bool bs_number(const char *s, double min)
{
	char *end;
	double v = strtod(s, &end);

	return *s && !*end && isfinite(v) && v >= min;
}

static bool bs_positive(const char *s)
{
	return bs_number(s, 1e-9);
}

/* "N cases measured, M skipped, F failed; V messages verified, E errors" */
static int bs_summary(const char *out, unsigned long *measured,
		      unsigned long *failed, unsigned long long *verified,
		      unsigned long long *errors)
{
	const char *p = strstr(out, "kipc-bench: ");
	unsigned long skipped;

	for (; p; p = strstr(p + 1, "kipc-bench: "))
		if (sscanf(p, "kipc-bench: %lu cases measured, %lu skipped, "
			   "%lu failed; %llu messages verified, %llu errors",
			   measured, &skipped, failed, verified, errors) == 5)
			return 0;
	return -1;
}

FIXTURE(bench) {
	char *out;
	char csv[64];
};

FIXTURE_SETUP(bench)
{
	int fd;

	self->out = NULL;
	self->csv[0] = '\0';
	if (access(bs_bin(), X_OK))
		SKIP(return, "%s: %s (make -C tools/kipc-bench)", bs_bin(),
		     strerror(errno));
	self->out = malloc(BS_OUT_MAX);
	ASSERT_NE(NULL, self->out);
	snprintf(self->csv, sizeof(self->csv), "/tmp/bench-smoke-XXXXXX");
	fd = mkstemp(self->csv);
	ASSERT_LE(0, fd);
	close(fd);
}

FIXTURE_TEARDOWN(bench)
{
	if (self->csv[0])
		unlink(self->csv);
	free(self->out);
}

/* Every mechanism measured, every message intact, the CSV well formed. */
TEST_F_TIMEOUT(bench, quick_every_mechanism, 600)
{
	const char *const list[] = { "--list", NULL };
	const char *const args[] = { "--quick", "--csv", self->csv, NULL };
	char mechs[BS_MAX_MECHS][32], line[1024], *f[BS_FIELDS + 1], *tok;
	bool seen[BS_MAX_MECHS] = { false }, header = false;
	unsigned long measured, failed, rows = 0, ratios = 0;
	unsigned long long verified, errors;
	int nm = 0, i, n;
	FILE *csv;

	ASSERT_EQ(0, bs_run(list, self->out, BS_OUT_MAX));
	for (tok = strtok(self->out, "\n"); tok && nm < BS_MAX_MECHS;
	     tok = strtok(NULL, "\n"))
		snprintf(mechs[nm++], sizeof(mechs[0]), "%s", tok);
	ASSERT_LE(10, nm) TH_LOG("--list gave %d mechanisms", nm);

	ASSERT_EQ(0, bs_run(args, self->out, BS_OUT_MAX))
		TH_LOG("kipc-bench --quick failed:\n%s", self->out);
	ASSERT_EQ(0, bs_summary(self->out, &measured, &failed, &verified,
				&errors)) TH_LOG("no summary line:\n%s",
						 self->out);
	EXPECT_EQ(0UL, failed);
	EXPECT_EQ(0ULL, errors);
	EXPECT_LT(0ULL, verified);
	EXPECT_EQ(NULL, strstr(self->out, "no kipc session"));

	csv = fopen(self->csv, "r");
	ASSERT_NE(NULL, csv);
	while (fgets(line, sizeof(line), csv)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#')
			continue;
		if (!header) {
			EXPECT_STREQ("mechanism,size,config,metric,unit,median,"
				     "p99,min,max,reps,wall_ns_per_op,"
				     "cpu_ns_per_op,note", line);
			header = true;
			continue;
		}
		n = bs_split(line, f, BS_FIELDS + 1);
		ASSERT_EQ(BS_FIELDS, n) TH_LOG("bad row: %s", line);
		EXPECT_NE(0, atoi(f[1])) TH_LOG("size: %s", f[1]);
		if (!strcmp(f[2], "ratio")) {
			EXPECT_TRUE(bs_positive(f[5])) TH_LOG("ratio: %s",
							      f[5]);
			ratios++;
			continue;
		}
		/* a case is measured, or skipped (a system limit) */
		if (!f[5][0]) {
			EXPECT_EQ(0, strncmp(f[12], "skipped: ", 9))
				TH_LOG("%s %s %s: %s", f[0], f[1], f[3], f[12]);
			continue;
		}
		rows++;
		EXPECT_TRUE(bs_positive(f[5])) TH_LOG("%s median", f[0]);
		EXPECT_TRUE(bs_positive(f[10])) TH_LOG("%s wall", f[0]);
		/*
		 * CPU time may be 0 in a short case: without a stable TSC (a
		 * guest booted without --bench) the scheduler's clock ticks
		 */
		EXPECT_TRUE(bs_number(f[11], 0)) TH_LOG("%s cpu", f[0]);
		EXPECT_EQ(1, atoi(f[9]));
		if (!strcmp(f[3], "rtt")) {
			EXPECT_LE(strtod(f[5], NULL), strtod(f[6], NULL))
				TH_LOG("%s %s: p99 below the median", f[0],
				       f[1]);
		} else {
			EXPECT_TRUE(!strcmp(f[3], "throughput") ||
				    !strcmp(f[3], "bandwidth"))
				TH_LOG("metric %s", f[3]);
		}
		for (i = 0; i < nm; i++)
			if (!strcmp(mechs[i], f[0]))
				seen[i] = true;
	}
	fclose(csv);
	EXPECT_TRUE(header);
	EXPECT_LT(0UL, ratios);
	EXPECT_LE(measured, rows);
	for (i = 0; i < nm; i++)
		EXPECT_TRUE(seen[i]) TH_LOG("%s: never measured", mechs[i]);
}

/* A message lost, or damaged, in every case: every case must fail. */
static void bs_inject(struct __test_metadata *_metadata, char *out,
		      const char *what)
{
	const char *const args[] = { "--quick", "--no-scale", "--sizes",
				     "64", "--inject", what, NULL };
	unsigned long measured, failed;
	unsigned long long verified, errors;

	ASSERT_EQ(1, bs_run(args, out, BS_OUT_MAX)) TH_LOG("%s", out);
	ASSERT_EQ(0, bs_summary(out, &measured, &failed, &verified, &errors));
	EXPECT_EQ(0UL, measured) TH_LOG("--inject %s went unnoticed:\n%s",
				      what, out);
	EXPECT_LT(0UL, failed);
	EXPECT_LE((unsigned long long)failed, errors);
}

TEST_F_TIMEOUT(bench, lost_message_fails, 300)
{
	bs_inject(_metadata, self->out, "loss");
}

TEST_F_TIMEOUT(bench, damaged_message_fails, 300)
{
	bs_inject(_metadata, self->out, "corrupt");
}

TEST_F(bench, bad_options)
{
	const char *const sizes[] = { "--sizes", "3", NULL };
	const char *const inject[] = { "--inject", "some", NULL };
	const char *const filter[] = { "--filter", "no-such-thing", NULL };
	const char *const reps[] = { "--reps", "0", NULL };

	EXPECT_EQ(2, bs_run(sizes, self->out, BS_OUT_MAX));
	EXPECT_EQ(2, bs_run(inject, self->out, BS_OUT_MAX));
	EXPECT_EQ(2, bs_run(filter, self->out, BS_OUT_MAX));
	EXPECT_EQ(2, bs_run(reps, self->out, BS_OUT_MAX));
}

KT_HARNESS_MAIN
