/*
 * parse_fuzz.c - libFuzzer harness for src/options.c: parse_duration,
 * parse_jobs, parse_halt, parse_delim and parse_escapes, parse_count and
 * parse_size, the --colsep escapes, and options_parse on a whole command
 * line (contradictions refused, ambiguous prefixes named, {= =} refused,
 * and so on).
 *
 * options.c is compiled into this file.  Its exit(3) becomes a longjmp
 * back here, its stdout and stderr are memory streams (so the shape of a
 * usage error can be checked), and open(2) of an -a or :::: file is
 * answered without touching the file system.
 *
 * Input: a selector byte, two parameter bytes, then the argument (for
 * options_parse: NUL-separated words).
 *
 * Beyond ASan and UBSan it checks that every value accepted is in range,
 * that plain well-formed values give exactly the value they spell, and
 * that options_parse either leaves consistent options or fails with the
 * two lines of SPEC 13.5.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <regex.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/parx.h"
#include "common.h"

static jmp_buf exit_jmp;
static int exit_code;
static FILE *fake_out, *fake_err;
static int compiled;

static void __attribute__((noreturn))
fuzz_exit(int code)
{
	exit_code = code;
	longjmp(exit_jmp, 1);
}

/* Files whose name starts with an even byte exist. */
static int
fuzz_open(const char *path, int flags, ...)
{
	(void)flags;
	if (((unsigned char)path[0] & 1) == 0)
		return open("/dev/null", O_RDONLY | O_CLOEXEC);
	errno = ENOENT;
	return -1;
}

static int
reps(const char *p)
{
	int n = 0;

	for (; *p != '\0'; p++)
		n += strchr("{+*?", *p) != NULL;
	return n;
}

/*
 * options.c compiles a --colsep once per option and keeps the last; the
 * one it replaces is freed here (regfree is safe to repeat in glibc, so
 * this stays right once options.c frees it itself; tests/regress.bats
 * checks that it does).
 */
static int
fuzz_regcomp(regex_t *re, const char *pat, int flags)
{
	int rc;

	if (compiled)
		regfree(re);
	compiled = 0;
	/*
	 * glibc expands repetitions (a{255}){255} or a+++++++++ into trees
	 * that grow exponentially: the C library's cost, not parx's, so
	 * patterns with more than a few repetition operators are refused.
	 */
	rc = reps(pat) > 3 ? REG_ESPACE : regcomp(re, pat, flags);
	compiled = rc == 0;
	return rc;
}

#define exit(c)			fuzz_exit(c)
#define open			fuzz_open
#define regcomp(r, p, f)	fuzz_regcomp(r, p, f)
#undef stdout
#undef stderr
#define stdout			fake_out
#define stderr			fake_err
#define printf(...)		fprintf(fake_out, __VA_ARGS__)
#include "../src/options.c"
#undef exit
#undef open
#undef regcomp
#undef printf
#undef stdout
#undef stderr
#define stdout			stdout
#define stderr			stderr

static int cpus = 2;

int
ncpus(void)
{
	return cpus;
}

/* Never an array task of --slurm-submit here. */
int
submit_tasking(void)
{
	return 0;
}

/* Whether s is [0-9]{1,maxd}. */
static int
digits(const char *s, size_t n, size_t maxd)
{
	size_t i;

	if (n == 0 || n > maxd)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static void
fuzz_duration(const char *s)
{
	double v = -1, want;
	size_t n = strlen(s), k, unit = 0;
	const char *dot;

	if (parse_duration(s, &v) == 0)
		CHECK(isfinite(v) && v >= 0 && v <= 1e9, "duration '%s' = %g",
		    s, v);
	/* N, N.F with a unit or none: exactly that many seconds. */
	if (n >= 2 && strcmp(s + n - 2, "ms") == 0)
		unit = 2;
	else if (n >= 1 && strchr("smh", s[n - 1]) != NULL)
		unit = 1;
	k = n - unit;
	dot = memchr(s, '.', k);
	if (dot == NULL ? !digits(s, k, 6) : !digits(s, (size_t)(dot - s), 6) ||
	    !digits(dot + 1, k - (size_t)(dot - s) - 1, 3))
		return;
	want = strtod(s, NULL);
	if (unit == 2)
		want *= 0.001;
	else if (unit == 1 && s[n - 1] == 'm')
		want *= 60;
	else if (unit == 1 && s[n - 1] == 'h')
		want *= 3600;
	/* Durations past 1e9 s (about 31 years) are refused by design. */
	if (want > 1e9) {
		CHECK(parse_duration(s, &v) == -1, "duration '%s' taken", s);
		return;
	}
	CHECK(parse_duration(s, &v) == 0, "duration '%s' refused", s);
	CHECK(fabs(v - want) <= 1e-9 * want, "duration '%s' = %g, not %g", s,
	    v, want);
}

static void
fuzz_jobs(const char *s, int ncpu)
{
	size_t n = strlen(s);
	long want = -1;
	int v = -7;

	if (parse_jobs(s, ncpu, &v) == 0)
		CHECK(v >= 0 && (v > 0 || strtol(s, NULL, 10) == 0),
		    "-j '%s' = %d", s, v);
	if (digits(s, n, 6))
		want = strtol(s, NULL, 10);
	else if (n >= 2 && s[n - 1] == '%' && digits(s, n - 1, 5))
		want = ncpu * strtol(s, NULL, 10) / 100;
	else if (n >= 2 && (s[0] == '+' || s[0] == '-') &&
	    digits(s + 1, n - 1, 6))
		want = s[0] == '+' ? ncpu + strtol(s + 1, NULL, 10) :
		    ncpu - strtol(s + 1, NULL, 10);
	else
		return;
	if (want < 1 && !(digits(s, n, 6) && want == 0))
		want = 1;
	CHECK(parse_jobs(s, ncpu, &v) == 0, "-j '%s' refused", s);
	CHECK(v == want, "-j '%s' with %d CPUs = %d, not %ld", s, ncpu, v,
	    want);
}

static void
fuzz_halt(const char *s)
{
	struct halt h;
	const char *p;
	size_t n;

	memset(&h, 0x5a, sizeof(h));
	if (parse_halt(s, &h) == 0 && h.when != HALT_NEVER) {
		CHECK(h.when == HALT_SOON || h.when == HALT_NOW, "when");
		CHECK(h.on_fail == HALT_FAIL || h.on_fail == HALT_SUCCESS ||
		    h.on_fail == HALT_DONE, "on_fail");
		CHECK(h.percent ? h.n > 0 && h.n <= 100 :
		    h.n >= 1 && h.n == floor(h.n), "halt '%s': n %g", s, h.n);
	}
	/* now|soon,fail|success=N or N% */
	if ((p = strchr(s, '=')) == NULL)
		return;
	n = strlen(p + 1);
	if (!((strncmp(s, "now,", 4) == 0 || strncmp(s, "soon,", 5) == 0) &&
	    (strstr(s, ",fail=") == strchr(s, ',') ||
	    strstr(s, ",success=") == strchr(s, ',')) &&
	    p == strchr(strchr(s, ',') + 1, '=')))
		return;
	if (digits(p + 1, n, 9) && strtol(p + 1, NULL, 10) >= 1) {
		CHECK(parse_halt(s, &h) == 0, "halt '%s' refused", s);
		CHECK(h.n == strtol(p + 1, NULL, 10) && !h.percent, "halt n");
	} else if (n >= 2 && p[n] == '%' && digits(p + 1, n - 1, 2) &&
	    strtol(p + 1, NULL, 10) >= 1) {
		CHECK(parse_halt(s, &h) == 0, "halt '%s' refused", s);
		CHECK(h.n == strtol(p + 1, NULL, 10) && h.percent, "halt %%");
	}
}

static void
fuzz_delim(const char *s)
{
	int d = -1;

	if (parse_delim(s, &d) == 0)
		CHECK(d >= 0 && d <= 255, "delimiter '%s' = %d", s, d);
	if (s[0] != '\0' && s[1] == '\0') {
		CHECK(parse_delim(s, &d) == 0 && d == (unsigned char)s[0],
		    "one byte delimiter");
	}
}

/* The escapes of --recend and --recstart agree with -d's. */
static void
fuzz_escapes(const char *s)
{
	size_t n;
	char *e;
	int d;

	if (parse_escapes(s, &e, &n) == -1) {
		CHECK(strchr(s, '\\') != NULL, "escapes refused '%s'", s);
		return;
	}
	CHECK(n <= strlen(s) && e[n] == '\0', "escapes of '%s': %zu", s, n);
	if (strchr(s, '\\') == NULL)
		CHECK(n == strlen(s) && memcmp(e, s, n) == 0,
		    "escapes changed '%s'", s);
	if (parse_delim(s, &d) == 0)
		CHECK(n == 1 && (unsigned char)e[0] == d,
		    "-d and --recend differ on '%s'", s);
	free(e);
}

/* --block: sizes in range; plain ones exactly what they spell. */
static void
fuzz_size(const char *s)
{
	static const char units[] = "kmg";
	const char *u;
	long long v = 0, want;
	size_t n = strlen(s);

	if (parse_size(s, &v) == 0)
		CHECK(v != 0 && v < (1LL << 40) && v > -(1LL << 40),
		    "size '%s' = %lld", s, v);
	if (n >= 2 && digits(s, n - 1, 6) &&
	    (u = strchr(units, s[n - 1] | 0x20)) != NULL &&
	    (s[n - 1] < '0' || s[n - 1] > '9')) {
		for (want = strtoll(s, NULL, 10); u >= units; u--)
			want *= 1024;
	} else if (digits(s, n, 12))
		want = strtoll(s, NULL, 10);
	else
		return;
	if (want < 1 || want >= (1LL << 40)) {
		CHECK(parse_size(s, &v) == -1, "size '%s' taken", s);
		return;
	}
	CHECK(parse_size(s, &v) == 0 && v == want, "size '%s' = %lld, not "
	    "%lld", s, v, want);
}

static void
fuzz_count(const char *s, long min, long max)
{
	long v = LONG_MIN;

	if (parse_count(s, min, max, &v) == 0)
		CHECK(v >= min && v <= max && v == strtol(s, NULL, 10),
		    "count '%s' in [%ld, %ld] = %ld", s, min, max, v);
}

static void
fuzz_colsep(const char *s)
{
	char *e = colsep_escapes(s);

	CHECK(strlen(e) <= strlen(s), "escapes made '%s' longer", s);
	if (strchr(s, '\\') == NULL)
		CHECK(strcmp(e, s) == 0, "escapes changed '%s'", s);
	free(e);
}

/* After a successful options_parse: the options agree with SPEC. */
static void
check_opts(void)
{
	int i;

	CHECK(opts.nsources >= 1 || opts.retry_failed, "no source");
	if (!opts.retry_failed)
		CHECK(opts.script != NULL ? opts.ncmd == 0 && !opts.nocommand :
		    opts.nocommand == (opts.ncmd == 0),
		    "command words: %d, no command %d", opts.ncmd,
		    opts.nocommand);
	CHECK(!(opts.keep_order && opts.outmode == OUT_UNGROUP), "-k -u");
	CHECK(!(opts.keep_order && opts.shuf), "-k --shuf");
	CHECK(opts.resume + opts.resume_failed + opts.retry_failed <= 1,
	    "--resume, --resume-failed, --retry-failed together");
	CHECK(!(opts.resume || opts.resume_failed || opts.retry_failed) ||
	    (opts.joblog != NULL && strcmp(opts.joblog, "-") != 0),
	    "--resume without a --joblog file");
	CHECK(opts.maxargs >= 0 && (opts.maxargs == 0 || opts.nsources == 1 ||
	    opts.retry_failed), "-n with %d sources", opts.nsources);
	CHECK(opts.pack == PACK_NONE || opts.nsources == 1 ||
	    opts.retry_failed, "-X with %d sources", opts.nsources);
	CHECK(opts.pack == PACK_NONE || !opts.has_colsep || opts.retry_failed,
	    "-X with --colsep");
	CHECK(opts.maxchars >= 0 && (opts.maxchars == 0 ||
	    opts.pack != PACK_NONE), "-s without packing");
	CHECK(opts.timeout_pct >= 0 && !(opts.timeout > 0 &&
	    opts.timeout_pct > 0), "--timeout");
	CHECK(opts.jobs >= 0 && opts.delim >= 0 && opts.delim <= 255 &&
	    opts.timeout >= 0 && opts.delay >= 0 && opts.retries >= 0,
	    "ranges");
	CHECK(opts.has_colsep == 0 || compiled, "--colsep not compiled");
	CHECK(opts.load >= 0 && opts.nice >= -20 && opts.nice <= 19 &&
	    (opts.limit_files == 0 || opts.limit_files >= 4) &&
	    (opts.limit_mem == 0 || opts.limit_mem >= 1 << 20) &&
	    opts.limit_cpu >= 0 && opts.retry_delay >= 0 &&
	    (opts.retry_delay == 0 || opts.retry_max >= opts.retry_delay),
	    "resource ranges");
	for (i = 0; i < opts.ncmd; i++)
		CHECK(!is_sep(opts.cmd[i]), "separator in command");
	for (i = 0; i < opts.ncmd && !opts.retry_failed; i++)
		CHECK(strstr(opts.cmd[i], "{=") == NULL ||
		    strstr(strstr(opts.cmd[i], "{=") + 2, "=}") == NULL,
		    "a {= =} expression taken");
	for (i = 0; i < opts.nsources; i++)
		if (opts.sources[i].type == SRC_WORDS)
			CHECK(opts.sources[i].nwords >= 0, "words");
	if (opts.pipe == PIPE_NONE) {
		CHECK(!opts.roundrobin && !opts.cat && !opts.fifo &&
		    opts.block == 0 && opts.header <= 1, "--pipe options");
		return;
	}
	CHECK(opts.block != 0 && opts.recend != NULL && opts.recstart != NULL &&
	    opts.maxargs == 0 && !(opts.cat && opts.fifo), "--pipe");
	CHECK(opts.nsources == 1 && (opts.pipe == PIPE_PART ?
	    opts.sources[0].type != SRC_WORDS :
	    opts.sources[0].type == SRC_STDIN && opts.block > 0),
	    "--pipe input");
}

static void
fuzz_options(struct fin *f)
{
	static const char tail[] = "\nTry 'parx --help' for more information.\n";
	char *argv[34], *errs = NULL, *outs = NULL;
	size_t errlen = 0, outlen = 0, tl = sizeof(tail) - 1;
	int argc = 1, i;

	argv[0] = strdup("parx");
	while (argc < 33 && (argv[argc] = fin_field(f, '\0', NULL)) != NULL)
		argc++;
	argv[argc] = NULL;
	memset(&opts, 0, sizeof(opts));
	compiled = 0;
	optind = 0;
	fake_out = open_memstream(&outs, &outlen);
	fake_err = open_memstream(&errs, &errlen);
	exit_code = -1;
	if (setjmp(exit_jmp) == 0) {
		options_parse(argc, argv);
		check_opts();
	}
	fclose(fake_out);
	fclose(fake_err);
	if (exit_code == 255) {
		CHECK(outlen == 0, "usage error wrote to stdout");
		CHECK(errlen > 6 + tl && strncmp(errs, "parx: ", 6) == 0 &&
		    strcmp(errs + errlen - tl, tail) == 0,
		    "usage error is not 'parx: PROBLEM' + Try: %s", errs);
	} else if (exit_code == 0)
		CHECK(errlen == 0 && outlen > 0, "--help/--version output");
	else
		CHECK(exit_code == -1 && errlen == 0 && outlen == 0,
		    "exit %d, stderr '%s'", exit_code, errs ? errs : "");
	if (compiled)
		regfree(&opts.colsep);
	free(opts.sources);
	free(opts.recend);
	free(opts.recstart);
	free(opts.retry_on);
	free(opts.logins);
	free(opts.envs);
	free(opts.transfers);
	free(opts.returns);
	free(opts.basefiles);
	free(outs);
	free(errs);
	for (i = 0; i < argc; i++)
		free(argv[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	int sel = fin_byte(&f), a = fin_byte(&f), b = fin_byte(&f);
	static const long bounds[] = { LONG_MIN, -1000000, -1, 0, 1, 2, 100,
	    1000000, INT_MAX, LONG_MAX };
	char *s;

	if (sel % 8 >= 6) {
		cpus = 1 + a % 64;
		fuzz_options(&f);
		return 0;
	}
	if ((s = fin_field(&f, '\0', NULL)) == NULL)
		s = strdup("");
	switch (sel % 8) {
	case 0:
		fuzz_duration(s);
		break;
	case 1:
		fuzz_jobs(s, 1 + a % 256);
		break;
	case 2:
		fuzz_halt(s);
		break;
	case 3:
		fuzz_delim(s);
		fuzz_escapes(s);
		break;
	case 4:
		fuzz_count(s, bounds[a % 10], bounds[b % 10]);
		fuzz_size(s);
		break;
	case 5:
		fuzz_colsep(s);
		break;
	}
	free(s);
	return 0;
}
