/*
 * options.c - the command line: the option table (the one list of options
 * that --help, the man page, the completions and the tests are checked
 * against), parsing of numbers, durations, -j and --halt, and --help.
 *
 * Runs in the main thread before any other thread exists, so it may exit.
 */
#include <sys/stat.h>

#include <ctype.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

struct opts opts;

/* The first option seen that means something only with --pipe. */
static const char *pipe_only;

enum {
	OPT_LINK = 256, OPT_COLSEP, OPT_TIMEOUT, OPT_RETRIES, OPT_HALT,
	OPT_FAILFAST, OPT_DELAY, OPT_DRYRUN, OPT_JOBLOG, OPT_RESUME,
	OPT_RESUMEFAILED, OPT_BAR, OPT_GROUP, OPT_LINEBUF, OPT_TAG,
	OPT_TAGSTRING, OPT_TIMELINE, OPT_HELP, OPT_VERSION, OPT_PIPE,
	OPT_PIPEPART, OPT_BLOCK, OPT_RECEND, OPT_RECSTART, OPT_HEADER,
	OPT_ROUNDROBIN, OPT_CAT, OPT_FIFO, OPT_PLUS, OPT_RETRYFAILED, OPT_SHUF,
	OPT_TMPDIR, OPT_JOBLOGFMT, OPT_RESULTS, OPT_SUMMARY, OPT_NOSUMMARY,
	OPT_SLF, OPT_SSH, OPT_ENV, OPT_WORKDIR, OPT_TRANSFER, OPT_RETURN,
	OPT_CLEANUP, OPT_TRC, OPT_BASEFILE, OPT_LOAD, OPT_MEMFREE, OPT_NICE,
	OPT_LIMITMEM, OPT_LIMITCPU, OPT_LIMITFILES, OPT_RETRYDELAY, OPT_RETRYON,
	OPT_SLURM, OPT_SLURMCPUS, OPT_SLURMSUBMIT, OPT_SLURMOPTS, OPT_SLURMDIR,
	OPT_SLURMCHUNK, OPT_SLURMKEEP
};

static const char shortopts[] = "+:0a:c:d:E:I:i::j:kL:mn:N:P:rS:s:tuXhV";

/* The options parx accepts: keep --help, parx.1 and completions/ in step. */
static const struct option longopts[] = {
	{ "null",		no_argument,		NULL, '0' },
	{ "delimiter",		required_argument,	NULL, 'd' },
	{ "arg-file",		required_argument,	NULL, 'a' },
	{ "link",		no_argument,		NULL, OPT_LINK },
	{ "max-args",		required_argument,	NULL, 'n' },
	{ "max-lines",		required_argument,	NULL, 'L' },
	{ "max-chars",		required_argument,	NULL, 's' },
	{ "xargs",		no_argument,		NULL, 'm' },
	{ "no-run-if-empty",	no_argument,		NULL, 'r' },
	{ "colsep",		required_argument,	NULL, OPT_COLSEP },
	{ "pipe",		no_argument,		NULL, OPT_PIPE },
	{ "pipe-part",		no_argument,		NULL, OPT_PIPEPART },
	{ "block",		required_argument,	NULL, OPT_BLOCK },
	{ "block-size",		required_argument,	NULL, OPT_BLOCK },
	{ "recend",		required_argument,	NULL, OPT_RECEND },
	{ "recstart",		required_argument,	NULL, OPT_RECSTART },
	{ "header",		required_argument,	NULL, OPT_HEADER },
	{ "round-robin",	no_argument,		NULL, OPT_ROUNDROBIN },
	{ "cat",		no_argument,		NULL, OPT_CAT },
	{ "fifo",		no_argument,		NULL, OPT_FIFO },
	{ "shuf",		no_argument,		NULL, OPT_SHUF },
	{ "shell",		required_argument,	NULL, 'c' },
	{ "plus",		no_argument,		NULL, OPT_PLUS },
	{ "jobs",		required_argument,	NULL, 'j' },
	{ "max-procs",		required_argument,	NULL, 'P' },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "retries",		required_argument,	NULL, OPT_RETRIES },
	{ "retry-delay",	required_argument,	NULL, OPT_RETRYDELAY },
	{ "retry-on",		required_argument,	NULL, OPT_RETRYON },
	{ "halt",		required_argument,	NULL, OPT_HALT },
	{ "fail-fast",		no_argument,		NULL, OPT_FAILFAST },
	{ "delay",		required_argument,	NULL, OPT_DELAY },
	{ "dry-run",		no_argument,		NULL, OPT_DRYRUN },
	{ "verbose",		no_argument,		NULL, 't' },
	{ "joblog",		required_argument,	NULL, OPT_JOBLOG },
	{ "joblog-format",	required_argument,	NULL, OPT_JOBLOGFMT },
	{ "resume",		no_argument,		NULL, OPT_RESUME },
	{ "resume-failed",	no_argument,		NULL, OPT_RESUMEFAILED },
	{ "retry-failed",	no_argument,		NULL, OPT_RETRYFAILED },
	{ "bar",		no_argument,		NULL, OPT_BAR },
	{ "timeline",		required_argument,	NULL, OPT_TIMELINE },
	{ "tmpdir",		required_argument,	NULL, OPT_TMPDIR },
	{ "summary",		no_argument,		NULL, OPT_SUMMARY },
	{ "no-summary",		no_argument,		NULL, OPT_NOSUMMARY },
	{ "group",		no_argument,		NULL, OPT_GROUP },
	{ "line-buffer",	no_argument,		NULL, OPT_LINEBUF },
	{ "lb",			no_argument,		NULL, OPT_LINEBUF },
	{ "ungroup",		no_argument,		NULL, 'u' },
	{ "keep-order",		no_argument,		NULL, 'k' },
	{ "tag",		no_argument,		NULL, OPT_TAG },
	{ "tagstring",		required_argument,	NULL, OPT_TAGSTRING },
	{ "sshlogin",		required_argument,	NULL, 'S' },
	{ "slf",		required_argument,	NULL, OPT_SLF },
	{ "ssh",		required_argument,	NULL, OPT_SSH },
	{ "env",		required_argument,	NULL, OPT_ENV },
	{ "workdir",		required_argument,	NULL, OPT_WORKDIR },
	{ "transferfile",	required_argument,	NULL, OPT_TRANSFER },
	{ "tf",			required_argument,	NULL, OPT_TRANSFER },
	{ "return",		required_argument,	NULL, OPT_RETURN },
	{ "cleanup",		no_argument,		NULL, OPT_CLEANUP },
	{ "trc",		required_argument,	NULL, OPT_TRC },
	{ "basefile",		required_argument,	NULL, OPT_BASEFILE },
	{ "results",		required_argument,	NULL, OPT_RESULTS },
	{ "load",		required_argument,	NULL, OPT_LOAD },
	{ "memfree",		required_argument,	NULL, OPT_MEMFREE },
	{ "nice",		required_argument,	NULL, OPT_NICE },
	{ "limit-mem",		required_argument,	NULL, OPT_LIMITMEM },
	{ "limit-cpu",		required_argument,	NULL, OPT_LIMITCPU },
	{ "limit-files",	required_argument,	NULL, OPT_LIMITFILES },
	{ "slurm",		no_argument,		NULL, OPT_SLURM },
	{ "slurm-cpus",		required_argument,	NULL, OPT_SLURMCPUS },
	{ "slurm-submit",	no_argument,		NULL, OPT_SLURMSUBMIT },
	{ "slurm-opts",		required_argument,	NULL, OPT_SLURMOPTS },
	{ "slurm-dir",		required_argument,	NULL, OPT_SLURMDIR },
	{ "slurm-chunk",	required_argument,	NULL, OPT_SLURMCHUNK },
	{ "slurm-keep",		no_argument,		NULL, OPT_SLURMKEEP },
	{ "help",		no_argument,		NULL, 'h' },
	{ "version",		no_argument,		NULL, 'V' },
	{ NULL,			0,			NULL, 0 }
};

static const char helptext[] =
"Usage: parx [OPTION]... [--] [COMMAND [ARG]...]         items from stdin\n"
"       parx [OPTION]... [COMMAND [ARG]...] ::: ITEM...  or :::: FILE...\n"
"       parx [OPTION]... -c SCRIPT [::: ITEM...]         run through /bin/sh\n"
"Run COMMAND once per input item, several at a time, without mixing the\n"
"output of jobs.  Without COMMAND, each item is a shell command line.\n"
"Input:\n"
"  -a, --arg-file FILE   read items from FILE (repeatable)\n"
"  -0, --null            items end with NUL (-d, --delimiter C: with byte C)\n"
"  -E STR                stop reading at an item equal to STR\n"
"      --link            pair the sources element by element (:::+ ::::+)\n"
"      --colsep REGEX    split items into columns {1} {2} ...\n"
"      --header :        the first line names the columns: {name}\n"
"      --shuf            run the jobs in random order ({#} stays)\n"
"Items per job:\n"
"  -n, --max-args N      up to N items          -L, --max-lines N  N lines\n"
"  -X                    as many as fit; a word with {} is repeated per item\n"
"  -m, --xargs           as many as fit; {} in a word joins them with spaces\n"
"  -s, --max-chars N     at most N bytes of command line (default: the limit)\n"
"  -r, --no-run-if-empty accepted: empty input runs nothing anyway\n"
"      --pipe, --pipe-part  stdin (or a file) is data, cut in blocks for the\n"
"        jobs' stdin: --block (--block-size) SIZE, -N RECORDS, --recend,\n"
"        --recstart STR, --header N, --round-robin, --cat, --fifo\n"
"Command:\n"
"  -I STR, -i[STR]       use STR instead of {} (-i: {})\n"
"  -c, --shell SCRIPT    run SCRIPT with /bin/sh -c; items quoted, and \"$@\"\n"
"      --plus            accepted: {..} {/..} {+.} {+/} {##} ... always work\n"
"Running:\n"
"  -j, -P, --jobs, --max-procs N  N jobs at once: N, N%, +N, -N, 0 (CPUs)\n"
"      --timeout D       kill a job running longer than D (1.5, 2m, 200%)\n"
"      --retries N       run a failed job up to N more times, --retry-delay\n"
"        D[,MAX] apart (doubling), if --retry-on 1,3-5,timeout,signal,nostart\n"
"      --halt POLICY     never, soon|now,fail|success|done=N or N%\n"
"      --fail-fast       --halt now,fail=1     --delay D  wait D between jobs\n"
"      --load N, --memfree SIZE  start jobs below load N, above free SIZE\n"
"      --nice N, --limit-mem SIZE, --limit-cpu D, --limit-files N  per job\n"
"      --dry-run         print the commands, run nothing\n"
"  -t, --verbose         print each command to stderr as it starts\n"
"      --joblog FILE     append a line per finished job to FILE (-: stdout)\n"
"      --joblog-format F json or tsv (default: json for FILE.jsonl)\n"
"      --resume, --resume-failed  skip the jobs done, succeeded in the joblog\n"
"      --retry-failed    run the failed jobs of the joblog again\n"
"      --bar             show progress on stderr\n"
"      --summary, --no-summary  list failed jobs at the end (default: tty)\n"
"      --tmpdir DIR      keep spilled output in DIR (default: $TMPDIR, /tmp)\n"
"      --timeline FILE   draw the run as an SVG timeline in FILE at the end\n"
"  -S, --sshlogin, --slf, --ssh, --env, --workdir  run jobs on hosts over ssh\n"
"      --tf, --transferfile, --return, --trc, --cleanup, --basefile: files\n"
"      --slurm, --slurm-submit  run jobs as Slurm job steps, or an array job\n"
"        --slurm-cpus, --slurm-opts, --slurm-dir, --slurm-chunk, --slurm-keep\n"
"Output:\n"
"      --group           print each job's output in one piece (default)\n"
"      --line-buffer, --lb  pass output on as it comes, in whole lines\n"
"  -u, --ungroup         let jobs write straight to the output\n"
"  -k, --keep-order      print results in input order\n"
"      --tag, --tagstring STR  prefix output lines with the items, or STR\n"
"      --results DEST    keep outputs and statuses (DIR, .jsonl, .csv, .tsv)\n"
"  -h, --help            print this help and exit (-V, --version: version)\n"
"Replacement strings: {} {.} {/} {//} {/.} {#} {%} {N} {N.} ..., see parx(1).\n"
"Exit status: 0 all succeeded; 1-100 that many failed; 101 more; with --halt\n"
"the failed job's; 128+S signal S; 141 stdout closed; 255 usage error.\n";

/* Options given explicitly, for the combinations that contradict. */
static struct {
	const char	*outmode;	/* -u, --lb or --group */
	int		 halt;
	int		 failfast;
	int		 maxargs;
	int		 maxlines;
	int		 ctx;		/* -X */
	int		 join;		/* -m, --xargs */
} given;

/* Prints a usage error the way SPEC section 10 says, and exits 255. */
void
usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("parx: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'parx --help' for more information.\n", stderr);
	exit(255);
}

void
options_usage(void)
{
	fputs(helptext, stdout);
}

int
parse_count(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	if (*s == '\0' || isspace((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A duration: seconds, or a number followed by ms, s, m or h. */
int
parse_duration(const char *s, double *out)
{
	char *end;
	double v, mul = 1;

	/* Plain decimal only: strtod would take hex, "inf" and exponents. */
	errno = 0;
	if (*s == '\0' || strspn(s, "0123456789.") == 0 ||
	    strspn(s, "0123456789.") != strcspn(s, "msh"))
		return -1;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v) || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mul = 0.001;
	else if (strcmp(end, "m") == 0)
		mul = 60;
	else if (strcmp(end, "h") == 0)
		mul = 3600;
	else if (strcmp(end, "s") != 0 && *end != '\0')
		return -1;
	v *= mul;
	if (v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* x >= 0 rounded up, without libm. */
static unsigned long long
round_up(double x)
{
	unsigned long long r = (unsigned long long)x;

	return (double)r < x ? r + 1 : r;
}

/*
 * A memory size (--memfree, --limit-mem): a plain decimal number of
 * bytes, or one followed by k, M, G, T or P (either case, powers of
 * 1024), such as 512M or 1.5G.
 */
int
parse_memsize(const char *s, unsigned long long *out)
{
	static const char units[] = "kmgtp";
	const char *u;
	char *end;
	double v, mul = 1;
	size_t n = strspn(s, "0123456789.");

	if (n == 0 || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end != s + n || !isfinite(v))
		return -1;
	if (*end != '\0') {
		if ((u = strchr(units, tolower((unsigned char)*end))) == NULL ||
		    end[1] != '\0')
			return -1;
		for (; u >= units; u--)
			mul *= 1024;
	}
	v *= mul;
	if (v > 0x1p62)
		return -1;
	*out = round_up(v);
	return 0;
}

/* --load: a load average above 0, or N% of the CPUs. */
int
parse_load(const char *s, int ncpu, double *out)
{
	size_t n = strspn(s, "0123456789.");
	char *end;
	double v;

	if (n == 0 || !isdigit((unsigned char)s[0]))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end != s + n || !isfinite(v))
		return -1;
	if (*end == '%') {
		v = v * ncpu / 100;
		end++;
	}
	if (*end != '\0' || v <= 0 || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

/* --retry-delay D[,MAX]: MAX, when given, at least D; else no bound. */
int
parse_retry_delay(const char *s, double *d, double *max)
{
	const char *comma = strchr(s, ',');
	char buf[64];
	size_t n = comma != NULL ? (size_t)(comma - s) : strlen(s);

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (parse_duration(buf, d) == -1)
		return -1;
	*max = 1e9;
	if (comma != NULL && (parse_duration(comma + 1, max) == -1 ||
	    *max < *d))
		return -1;
	return 0;
}

/* One word of --retry-on: N, A-B, timeout, signal or nostart. */
static int
retry_on_word(const char *w, size_t n, struct retryon *r)
{
	char buf[16], *dash;
	long a, b, i;

	if (n == 7 && strncmp(w, "timeout", n) == 0)
		r->timeout = 1;
	else if (n == 6 && strncmp(w, "signal", n) == 0)
		r->signal = 1;
	else if (n == 7 && strncmp(w, "nostart", n) == 0)
		r->nostart = 1;
	else {
		if (n == 0 || n >= sizeof(buf))
			return -1;
		memcpy(buf, w, n);
		buf[n] = '\0';
		if ((dash = strchr(buf, '-')) != NULL)
			*dash++ = '\0';
		if (parse_count(buf, 1, 255, &a) == -1 || (dash != NULL &&
		    (!isdigit((unsigned char)*dash) ||
		    parse_count(dash, a, 255, &b) == -1)))
			return -1;
		if (dash == NULL)
			b = a;
		for (i = a; i <= b; i++)
			r->code[i / 8] |= 1 << (i % 8);
	}
	return 0;
}

/* --retry-on LIST: words separated by commas. */
int
parse_retry_on(const char *s, struct retryon *r)
{
	const char *e;

	memset(r, 0, sizeof(*r));
	for (;; s = e + 1) {
		e = s + strcspn(s, ",");
		if (retry_on_word(s, (size_t)(e - s), r) == -1)
			return -1;
		if (*e == '\0')
			return 0;
	}
}

/*
 * -j: N, N% of the CPUs (rounded down), +N or -N relative to the CPUs, or
 * 0 for as many as the limits allow (returned as 0).  A computed value
 * below 1 becomes 1.
 */
int
parse_jobs(const char *s, int ncpu, int *out)
{
	long v;
	size_t len = strlen(s);
	char buf[32];

	if (len == 0 || len >= sizeof(buf))
		return -1;
	if (s[len - 1] == '%') {
		memcpy(buf, s, len - 1);
		buf[len - 1] = '\0';
		if (parse_count(buf, 0, 100000, &v) == -1 || buf[0] == '+')
			return -1;
		v = (long)ncpu * v / 100;
	} else if (s[0] == '+' || s[0] == '-') {
		if (parse_count(s + 1, 0, 1000000, &v) == -1 ||
		    s[1] == '+' || s[1] == '-')
			return -1;
		v = s[0] == '+' ? ncpu + v : ncpu - v;
	} else {
		if (parse_count(s, 0, 1000000, &v) == -1)
			return -1;
		if (v == 0) {
			*out = 0;
			return 0;
		}
	}
	*out = v < 1 ? 1 : (int)v;
	return 0;
}

/* GNU parallel's short forms: 0, 1, 2, -1, -2 and N% (soon,fail=N%). */
static const char *
halt_long(const char *s, char *buf, size_t sz)
{
	static const char *const forms[][2] = {
		{ "0", "never" }, { "1", "soon,fail=1" }, { "2", "now,fail=1" },
		{ "-1", "soon,success=1" }, { "-2", "now,success=1" },
	};
	size_t i, n = strlen(s);

	for (i = 0; i < sizeof(forms) / sizeof(forms[0]); i++)
		if (strcmp(s, forms[i][0]) == 0)
			return forms[i][1];
	if (n > 1 && n < sz - 10 && s[n - 1] == '%' &&
	    isdigit((unsigned char)*s)) {
		snprintf(buf, sz, "soon,fail=%s", s);
		return buf;
	}
	return s;
}

/* never, soon,fail=N, now,success=N%, soon,done=N, ... */
int
parse_halt(const char *s, struct halt *h)
{
	const char *p;
	char *end, buf[64];
	double v;

	s = halt_long(s, buf, sizeof(buf));
	if (strcmp(s, "never") == 0) {
		h->when = HALT_NEVER;
		return 0;
	}
	if (strncmp(s, "soon,", 5) == 0) {
		h->when = HALT_SOON;
		p = s + 5;
	} else if (strncmp(s, "now,", 4) == 0) {
		h->when = HALT_NOW;
		p = s + 4;
	} else
		return -1;
	if (strncmp(p, "fail=", 5) == 0) {
		h->on_fail = HALT_FAIL;
		p += 5;
	} else if (strncmp(p, "success=", 8) == 0) {
		h->on_fail = HALT_SUCCESS;
		p += 8;
	} else if (strncmp(p, "done=", 5) == 0) {
		h->on_fail = HALT_DONE;
		p += 5;
	} else
		return -1;
	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	v = strtod(p, &end);
	if (errno != 0 || end == p || !isfinite(v) ||
	    end != p + strspn(p, "0123456789."))
		return -1;
	h->percent = 0;
	if (*end == '%') {
		h->percent = 1;
		end++;
		if (v <= 0 || v > 100)
			return -1;
	} else if (v < 1 || v > 1e15 || v != (double)(long long)v)
		return -1;
	if (*end != '\0')
		return -1;
	h->n = v;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* One byte, or one of the escapes \n \t \0 \\ \xHH. */
int
parse_delim(const char *s, int *out)
{
	if (s[0] == '\0')
		return -1;
	if (s[0] != '\\' || s[1] == '\0') {
		if (s[1] != '\0')
			return -1;
		*out = (unsigned char)s[0];
		return 0;
	}
	if (s[2] == '\0') {
		switch (s[1]) {
		case 'n':
			*out = '\n';
			return 0;
		case 't':
			*out = '\t';
			return 0;
		case '0':
			*out = '\0';
			return 0;
		case '\\':
			*out = '\\';
			return 0;
		default:
			return -1;
		}
	}
	if (s[1] == 'x' && hexval(s[2]) >= 0 && hexval(s[3]) >= 0 &&
	    s[4] == '\0') {
		*out = hexval(s[2]) * 16 + hexval(s[3]);
		return 0;
	}
	return -1;
}

/*
 * A size in bytes: a plain decimal number, optionally with a fraction,
 * followed by k, M or G (either case; powers of 1024).  A leading '-'
 * gives a negative whole number of parts (--block -N under --pipe-part).
 * Zero, and anything at or above 2^40, is refused.
 */
int
parse_size(const char *s, long long *out)
{
	static const char units[] = "kmg";
	const char *u;
	double v, mul = 1;
	char *end;
	int neg = *s == '-';

	if (neg)
		s++;
	errno = 0;
	if (strspn(s, "0123456789") == 0 ||
	    strspn(s, "0123456789.") != strcspn(s, "kKmMgG"))
		return -1;
	v = strtod(s, &end);
	if (errno != 0 || end == s || !isfinite(v))
		return -1;
	if (*end != '\0') {
		if (end[1] != '\0' || neg ||
		    (u = strchr(units, tolower((unsigned char)*end))) == NULL)
			return -1;
		for (; u >= units; u--)
			mul *= 1024;
	}
	v *= mul;
	if (v < 1 || v >= (double)(1LL << 40) || (neg && v != (long long)v))
		return -1;
	*out = neg ? -(long long)v : (long long)v;
	return 0;
}

/*
 * A string with the escapes of -d (\n \t \0 \\ \xHH) turned into bytes,
 * into a malloc'd *out of *len bytes (NUL-terminated, and it may hold
 * NULs).  Any other backslash is an error.
 */
int
parse_escapes(const char *s, char **out, size_t *len)
{
	char *o = xmalloc(strlen(s) + 1);
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s != '\\') {
			o[n++] = *s;
			continue;
		}
		switch (*++s) {
		case 'n':
			o[n++] = '\n';
			break;
		case 't':
			o[n++] = '\t';
			break;
		case '0':
			o[n++] = '\0';
			break;
		case '\\':
			o[n++] = '\\';
			break;
		case 'x':
			if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
				goto bad;
			o[n++] = (char)(hexval(s[1]) * 16 + hexval(s[2]));
			s += 2;
			break;
		default:
			goto bad;
		}
	}
	o[n] = '\0';
	*out = o;
	*len = n;
	return 0;
bad:
	free(o);
	return -1;
}

/*
 * POSIX regular expressions have no \t or \n; GNU parallel's (Perl's) do,
 * and users write --colsep '\t'.  Turn those two into the bytes.
 */
static char *
colsep_escapes(const char *re)
{
	char *out = xmalloc(strlen(re) + 1), *o = out;

	for (; *re != '\0'; re++) {
		if (re[0] == '\\' && (re[1] == 't' || re[1] == 'n')) {
			*o++ = re[1] == 't' ? '\t' : '\n';
			re++;
		} else if (re[0] == '\\' && re[1] != '\0') {
			*o++ = *re++;
			*o++ = *re;
		} else
			*o++ = *re;
	}
	*o = '\0';
	return out;
}

static void
add_source(enum srctype type, const char *path, char **words, int nwords)
{
	struct source *s;

	opts.sources = xrealloc(opts.sources,
	    (opts.nsources + 1) * sizeof(*opts.sources));
	s = &opts.sources[opts.nsources++];
	s->type = type;
	s->path = path;
	s->words = words;
	s->nwords = nwords;
	s->linked = 0;
}

/*
 * A source file must be readable now: a missing or unreadable one, or a
 * directory, is a usage error.  It is not opened here: a named pipe would
 * lose its writer (and kill it with SIGPIPE) when closed again.
 */
static void
check_readable(const char *path)
{
	struct stat st;
	int fd;

	/* An array task reads its jobs from the run directory. */
	if (submit_tasking())
		return;
	if (strcmp(path, "-") == 0) {
		if (fstat(0, &st) == 0 && S_ISDIR(st.st_mode))
			usage_error("cannot read standard input: %s",
			    strerror(EISDIR));
		return;
	}
	if (stat(path, &st) == -1)
		usage_error("cannot read %s: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode))
		usage_error("cannot read %s: %s", path, strerror(EISDIR));
	if (S_ISFIFO(st.st_mode)) {
		if (access(path, R_OK) == -1)
			usage_error("cannot read %s: %s", path,
			    strerror(errno));
		return;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		usage_error("cannot read %s: %s", path, strerror(errno));
	close(fd);
}

static int
is_sep(const char *w)
{
	return strcmp(w, ":::") == 0 || strcmp(w, "::::") == 0 ||
	    strcmp(w, ":::+") == 0 || strcmp(w, "::::+") == 0;
}

/*
 * Splits the words after the options into the template and sources.  An
 * empty ::: group is ignored; :::+ and ::::+ link their sources to the
 * one before.  Returns whether any separator was seen.
 */
static int
split_command(int argc, char **argv)
{
	int i, j, files, plus, seen = 0;

	for (i = 0; i < argc && !is_sep(argv[i]); i++)
		;
	opts.cmd = argv;
	opts.ncmd = i;
	while (i < argc) {
		files = strncmp(argv[i], "::::", 4) == 0;
		plus = argv[i][strlen(argv[i]) - 1] == '+';
		seen = 1;
		for (j = i + 1; j < argc && !is_sep(argv[j]); j++)
			;
		if (!files && j > i + 1) {
			add_source(SRC_WORDS, NULL, argv + i + 1, j - i - 1);
			opts.sources[opts.nsources - 1].linked = plus &&
			    opts.nsources > 1;
		} else if (files) {
			if (j == i + 1)
				usage_error("%s needs a file name", argv[i]);
			for (i = i + 1; i < j; i++) {
				check_readable(argv[i]);
				add_source(strcmp(argv[i], "-") == 0 ?
				    SRC_STDIN : SRC_FILE, argv[i], NULL, 0);
				opts.sources[opts.nsources - 1].linked = plus &&
				    opts.nsources > 1;
			}
		}
		i = j;
	}
	return seen;
}

static double
need_duration(const char *name, const char *arg)
{
	double d;

	if (parse_duration(arg, &d) == -1)
		usage_error("invalid duration for %s: '%s'", name, arg);
	return d;
}

/* Appends word to the vector *v of *n words. */
static void
push(char ***v, int *n, char *word)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = word;
}

/* The first option given that only means something with hosts. */
static const char *hosts_only;

/* --timeout: a duration, or N% of the median runtime so far. */
static void
need_timeout(const char *arg)
{
	size_t n = strlen(arg);
	char *end;
	double v;

	opts.timeout = opts.timeout_pct = 0;
	if (n < 2 || arg[n - 1] != '%') {
		opts.timeout = need_duration("--timeout", arg);
		return;
	}
	errno = 0;
	v = strtod(arg, &end);
	if (!isdigit((unsigned char)*arg) || strspn(arg, "0123456789.") !=
	    n - 1 || end != arg + n - 1 || errno != 0 || !(v > 0) || v > 1e9)
		usage_error("invalid duration for --timeout: '%s'", arg);
	opts.timeout_pct = v / 100;
}

/* Whether word w holds a {= perl expression =} of GNU parallel. */
static void
no_perl(const char *w)
{
	const char *p;

	if (w != NULL && (p = strstr(w, "{=")) != NULL &&
	    strstr(p + 2, "=}") != NULL)
		usage_error("Perl expressions {= ... =} are not supported "
		    "(in '%s'); use -c with a shell script instead", w);
}

/* The first option given that acts on jobs here only, or NULL. */
static const char *
local_only(void)
{
	if (opts.load > 0)
		return "--load";
	if (opts.memfree > 0)
		return "--memfree";
	if (opts.has_nice)
		return "--nice";
	if (opts.limit_mem > 0)
		return "--limit-mem";
	if (opts.limit_cpu > 0)
		return "--limit-cpu";
	if (opts.limit_files > 0)
		return "--limit-files";
	return NULL;
}

static void
check_contradictions(void)
{
	if (hosts_only != NULL && opts.nlogins == 0 && opts.slf == NULL)
		usage_error("%s needs -S or --slf", hosts_only);
	if (opts.slurm_cpus > 0 && !opts.slurm && !opts.slurm_submit)
		usage_error("--slurm-cpus needs --slurm or --slurm-submit");
	if (opts.slurm && (opts.nlogins > 0 || opts.slf != NULL))
		usage_error("--slurm cannot be combined with -S or --slf");
	if (opts.slurm_cpus == 0)
		opts.slurm_cpus = 1;
	if ((opts.slurm_opts != NULL || opts.slurm_dir != NULL ||
	    opts.slurm_chunk > 0 || opts.slurm_keep) && !opts.slurm_submit)
		usage_error("%s needs --slurm-submit", opts.slurm_opts != NULL ?
		    "--slurm-opts" : opts.slurm_dir != NULL ? "--slurm-dir" :
		    opts.slurm_chunk > 0 ? "--slurm-chunk" : "--slurm-keep");
	if (opts.slurm_submit && opts.slurm)
		usage_error("--slurm-submit cannot be combined with --slurm");
	if (opts.slurm_submit && (opts.nlogins > 0 || opts.slf != NULL))
		usage_error("--slurm-submit cannot be combined with -S or "
		    "--slf");
	if (opts.slurm_chunk == 0)
		opts.slurm_chunk = 100;
	if (opts.pipe != PIPE_NONE && (opts.slurm || opts.slurm_submit))
		usage_error("%s cannot be combined with %s", opts.pipe ==
		    PIPE_PART ? "--pipe-part" : "--pipe", opts.slurm ?
		    "--slurm" : "--slurm-submit");
	if (opts.slurm && local_only() != NULL)
		usage_error("%s cannot be combined with --slurm (it acts on "
		    "the processes here)", local_only());
	/* A remote job's stdin is its lifeline (exec_ssh.c), not data. */
	if (opts.pipe != PIPE_NONE && (opts.nlogins > 0 || opts.slf != NULL))
		usage_error("%s cannot be combined with %s", opts.pipe ==
		    PIPE_PART ? "--pipe-part" : "--pipe", opts.nlogins > 0 ?
		    "-S" : "--slf");
	/* They would act on the ssh here, not on the job there. */
	if ((opts.nlogins > 0 || opts.slf != NULL) && local_only() != NULL)
		usage_error("%s cannot be combined with %s (it acts on the "
		    "processes here)", local_only(), opts.nlogins > 0 ? "-S" :
		    "--slf");
	if (opts.keep_order && opts.outmode == OUT_UNGROUP)
		usage_error("-k cannot be combined with -u");
	if (opts.resume + opts.resume_failed + opts.retry_failed > 1)
		usage_error("%s cannot be combined with %s", opts.resume ?
		    "--resume" : "--resume-failed", opts.retry_failed ?
		    "--retry-failed" : "--resume-failed");
	if ((opts.resume || opts.resume_failed || opts.retry_failed) &&
	    opts.joblog == NULL)
		usage_error("%s needs --joblog FILE", opts.resume ? "--resume" :
		    opts.resume_failed ? "--resume-failed" : "--retry-failed");
	if ((opts.resume || opts.resume_failed || opts.retry_failed) &&
	    strcmp(opts.joblog, "-") == 0)
		usage_error("--joblog - cannot be read back: %s needs a file",
		    opts.resume ? "--resume" : opts.resume_failed ?
		    "--resume-failed" : "--retry-failed");
	if (given.halt && given.failfast)
		usage_error("--fail-fast cannot be combined with --halt (it "
		    "is --halt now,fail=1)");
	if (given.maxargs && given.maxlines)
		usage_error("-n cannot be combined with -L");
	if (given.ctx && given.join)
		usage_error("-X cannot be combined with -m or --xargs");
	if (opts.shuf && opts.keep_order)
		usage_error("-k cannot be combined with --shuf");
	if (opts.script != NULL && opts.ncmd > 0)
		usage_error("unexpected word '%s' after -c SCRIPT "
		    "(the script is the whole command)", opts.cmd[0]);
}

static void
check_combinations(void)
{
	int i;

	check_contradictions();
	if (opts.retry_failed)
		return;		/* the joblog has the commands */
	if ((opts.maxargs > 0 || opts.pack != PACK_NONE) && opts.nsources > 1)
		usage_error("%s cannot be used with several input sources",
		    opts.maxargs > 0 ? (given.maxlines ? "-L" : "-n") :
		    opts.pack == PACK_JOIN ? "-m" : "-X");
	if (opts.pack != PACK_NONE && opts.has_colsep)
		usage_error("%s cannot be combined with --colsep",
		    opts.pack == PACK_JOIN ? "-m" : "-X");
	for (i = 0; i < opts.ncmd; i++)
		no_perl(opts.cmd[i]);
	no_perl(opts.script);
	no_perl(opts.tagstring);
	if (opts.script == NULL && opts.ncmd == 0)
		opts.nocommand = 1;
}

static void
set_colsep(const char *arg)
{
	char *re = colsep_escapes(arg), msg[256];
	int rc;

	if (opts.has_colsep)
		regfree(&opts.colsep);	/* the last one wins */
	opts.has_colsep = 0;
	rc = regcomp(&opts.colsep, re, REG_EXTENDED);
	free(re);
	if (rc != 0) {
		regerror(rc, &opts.colsep, msg, sizeof(msg));
		usage_error("invalid --colsep '%s': %s", arg, msg);
	}
	if (regexec(&opts.colsep, "", 0, NULL, 0) == 0)
		usage_error("--colsep '%s' matches the empty string", arg);
	opts.has_colsep = 1;
}

/* The --pipe-part file: one, and seekable (regular or a block device). */
static void
check_pipe_file(int seen_sep)
{
	const struct source *src = opts.sources;
	const char *name;
	struct stat st;
	int rc;

	if (opts.nsources == 0 || src->type == SRC_WORDS || seen_sep)
		usage_error("--pipe-part needs a file: -a FILE or :::: FILE");
	if (opts.nsources > 1)
		usage_error("--pipe-part takes one file");
	name = src->type == SRC_STDIN ? "standard input" : src->path;
	rc = src->type == SRC_STDIN ? fstat(0, &st) : stat(src->path, &st);
	if (rc == -1)
		usage_error("cannot read %s: %s", name, strerror(errno));
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode))
		usage_error("--pipe-part needs a seekable file: %s is a pipe "
		    "(use --pipe)", name);
	if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
		usage_error("--pipe-part needs a seekable file: %s is not a "
		    "regular file (use --pipe)", name);
}

/* The options of --pipe and --pipe-part agree; their defaults. */
static void
check_pipe(int seen_sep)
{
	if (opts.pipe == PIPE_NONE) {
		if (pipe_only != NULL)
			usage_error("%s needs --pipe or --pipe-part",
			    pipe_only);
		/* Without --pipe, --header : names the columns. */
		if (opts.header > 1)
			usage_error("--header %ld needs --pipe or --pipe-part "
			    "(without them, --header : names the columns)",
			    opts.header);
		/* -N without --pipe is -n, as GNU parallel's -N. */
		if (opts.nrec > 0 && opts.maxargs == 0)
			opts.maxargs = (int)(opts.nrec < INT_MAX ? opts.nrec :
			    INT_MAX);
		return;
	}
	if (opts.pipe == PIPE_STREAM && (opts.nsources > 0 || seen_sep))
		usage_error("--pipe reads standard input, not :::, :::: or -a "
		    "(use --pipe-part for a file)");
	if (opts.pipe == PIPE_PART)
		check_pipe_file(seen_sep);
	if (opts.maxargs > 0)
		usage_error("-n cannot be used with --pipe "
		    "(-N counts records)");
	if (opts.pack != PACK_NONE)
		usage_error("-X, -m, -s and -L cannot be used with --pipe");
	if (opts.ncmd == 0 && opts.script == NULL)
		usage_error("--pipe needs a command to feed the blocks to");
	if (opts.block < 0 && opts.pipe != PIPE_PART)
		usage_error("--block -N (parts per job slot) needs "
		    "--pipe-part");
	if (opts.roundrobin && opts.retries > 0)
		usage_error("--round-robin cannot be used with --retries "
		    "(a job's input is not kept)");
	if (opts.roundrobin && opts.memfree > 0)
		usage_error("--round-robin cannot be used with --memfree "
		    "(a job's input is not kept)");
	if (opts.cat && (opts.fifo || opts.roundrobin))
		usage_error("--cat cannot be used with %s",
		    opts.fifo ? "--fifo" : "--round-robin");
	if (opts.block == 0)
		opts.block = 1024 * 1024;
	/* As GNU parallel: --recstart alone leaves no record end. */
	if (opts.recend == NULL)
		parse_escapes(opts.recstart != NULL ? "" : "\\n", &opts.recend,
		    &opts.recendlen);
	if (opts.recstart == NULL)
		parse_escapes("", &opts.recstart, &opts.recstartlen);
}

/* Input options; returns 0 when c is not one of them. */
static int
opt_input(int c)
{
	switch (c) {
	case '0':
		opts.delim = '\0';
		break;
	case 'd':
		if (parse_delim(optarg, &opts.delim) == -1)
			usage_error("invalid delimiter '%s'", optarg);
		break;
	case 'a':
		check_readable(optarg);
		add_source(strcmp(optarg, "-") == 0 ? SRC_STDIN : SRC_FILE,
		    optarg, NULL, 0);
		break;
	case OPT_LINK:
		opts.link = 1;
		break;
	case 'E':
		opts.eof_str = *optarg != '\0' ? optarg : NULL;
		break;
	case OPT_COLSEP:
		set_colsep(optarg);
		break;
	case OPT_SHUF:
		opts.shuf = 1;
		break;
	default:
		return 0;
	}
	return 1;
}

/* -n, -L, -X, -m, -s, -r: items per job; returns 0 for other options. */
static int
opt_items(int c)
{
	long v;

	switch (c) {
	case 'n':
	case 'L':
		if (parse_count(optarg, 1, INT_MAX, &v) == -1)
			usage_error("invalid number for -%c: '%s'", c, optarg);
		opts.maxargs = (int)v;
		if (c == 'n')
			given.maxargs = 1;
		else
			given.maxlines = 1;
		break;
	case 'X':
		given.ctx = 1;
		break;
	case 'm':
		given.join = 1;
		break;
	case 's':
		if (parse_count(optarg, 1, LONG_MAX, &v) == -1)
			usage_error("invalid number for -s: '%s'", optarg);
		opts.maxchars = v;
		break;
	case 'r':
		break;		/* empty input runs nothing anyway */
	default:
		return 0;
	}
	return 1;
}

static void
need_pipe(const char *name)
{
	if (pipe_only == NULL)
		pipe_only = name;
}

static void
set_escapes(const char *name, char **s, size_t *len)
{
	free(*s);
	*s = NULL;
	if (parse_escapes(optarg, s, len) == -1)
		usage_error("invalid %s '%s' (escapes: \\n \\t \\0 \\\\ \\xHH)",
		    name, optarg);
	need_pipe(name);
}

/* --pipe and the options about blocks; returns 0 when c is not one. */
static int
opt_pipe(int c)
{
	long v;

	switch (c) {
	case OPT_PIPE:
		if (opts.pipe == PIPE_NONE)
			opts.pipe = PIPE_STREAM;
		break;
	case OPT_PIPEPART:
		opts.pipe = PIPE_PART;
		break;
	case OPT_BLOCK:
		if (parse_size(optarg, &opts.block) == -1)
			usage_error("invalid size for --block: '%s' (a number "
			    "of bytes, with k, M or G)", optarg);
		need_pipe("--block");
		break;
	case OPT_RECEND:
		set_escapes("--recend", &opts.recend, &opts.recendlen);
		break;
	case OPT_RECSTART:
		set_escapes("--recstart", &opts.recstart, &opts.recstartlen);
		break;
	case 'N':
		if (parse_count(optarg, 1, LONG_MAX, &v) == -1)
			usage_error("invalid number for -N: '%s'", optarg);
		opts.nrec = v;
		break;
	case OPT_HEADER:
		if (strcmp(optarg, ":") == 0)
			v = 1;
		else if (parse_count(optarg, 0, INT_MAX, &v) == -1)
			usage_error("invalid --header '%s' (a number of "
			    "records, or :)", optarg);
		opts.header = v;
		break;
	case OPT_ROUNDROBIN:
		opts.roundrobin = 1;
		need_pipe("--round-robin");
		break;
	case OPT_CAT:
		opts.cat = 1;
		need_pipe("--cat");
		break;
	case OPT_FIFO:
		opts.fifo = 1;
		need_pipe("--fifo");
		break;
	default:
		return 0;
	}
	return 1;
}

/* Options about the command; returns 0 when c is not one of them. */
static int
opt_command(int c)
{
	switch (c) {
	case 'I':
		if (*optarg == '\0')
			usage_error("-I needs a non-empty string");
		opts.replace = optarg;
		break;
	case 'i':
		opts.replace = optarg != NULL && *optarg != '\0' ? optarg :
		    "{}";
		break;
	case 'c':
		opts.script = optarg;
		break;
	case OPT_PLUS:
		break;		/* its replacement strings always work */
	default:
		return 0;
	}
	return 1;
}

static int	opt_log(int, const char **);

static void
set_halt(int c)
{
	if (c == OPT_FAILFAST) {
		opts.halt.when = HALT_NOW;
		opts.halt.on_fail = HALT_FAIL;
		opts.halt.n = 1;
		opts.halt.percent = 0;
		opts.halt.spec = NULL;
		given.failfast = 1;
		return;
	}
	if (parse_halt(optarg, &opts.halt) == -1)
		usage_error("invalid --halt policy '%s'", optarg);
	opts.halt.spec = optarg;
	given.halt = 1;
}

/* Options about running jobs; returns 0 when c is not one of them. */
static int
opt_running(int c, const char **jobs, const char **logfmt)
{
	long v;

	switch (c) {
	case 'j':
	case 'P':
		*jobs = optarg;
		break;
	case OPT_TIMEOUT:
		need_timeout(optarg);
		break;
	case OPT_RETRIES:
		if (parse_count(optarg, 0, 1000000, &v) == -1)
			usage_error("invalid number for --retries: '%s'",
			    optarg);
		opts.retries = (int)v;
		break;
	case OPT_HALT:
	case OPT_FAILFAST:
		set_halt(c);
		break;
	case OPT_DELAY:
		opts.delay = need_duration("--delay", optarg);
		break;
	case OPT_DRYRUN:
		opts.dry_run = 1;
		break;
	case 't':
		opts.verbose = 1;
		break;
	default:
		return opt_log(c, logfmt);
	}
	return 1;
}

/* The job log, resuming, the bar and --tmpdir; 0 for other options. */
static int
opt_log(int c, const char **logfmt)
{
	struct stat st;

	switch (c) {
	case OPT_JOBLOG:
		opts.joblog = optarg;
		break;
	case OPT_JOBLOGFMT:
		if (strcmp(optarg, "json") == 0)
			opts.joblog_json = 1;
		else if (strcmp(optarg, "tsv") == 0)
			opts.joblog_json = 0;
		else
			usage_error("invalid --joblog-format '%s' "
			    "(tsv or json)", optarg);
		*logfmt = optarg;
		break;
	case OPT_RESUME:
		opts.resume = 1;
		break;
	case OPT_RESUMEFAILED:
		opts.resume_failed = 1;
		break;
	case OPT_RETRYFAILED:
		opts.retry_failed = 1;
		break;
	case OPT_BAR:
		opts.bar = 1;
		break;
	case OPT_TIMELINE:
		if (strcmp(optarg, "-") == 0 || *optarg == '\0')
			usage_error("--timeline needs a file name (the picture "
			    "would mix with the jobs' output on stdout)");
		opts.timeline = optarg;
		break;
	case OPT_TMPDIR:
		if (stat(optarg, &st) == -1)
			usage_error("--tmpdir %s: %s", optarg, strerror(errno));
		if (!S_ISDIR(st.st_mode))
			usage_error("--tmpdir %s: %s", optarg,
			    strerror(ENOTDIR));
		if (access(optarg, W_OK | X_OK) == -1)
			usage_error("--tmpdir %s: %s", optarg, strerror(errno));
		opts.tmpdir = optarg;
		break;
	case OPT_SUMMARY:
	case OPT_NOSUMMARY:
		opts.summary = c == OPT_SUMMARY;
		break;
	default:
		return 0;
	}
	return 1;
}

/* Options about other machines; returns 0 when c is not one of them. */
static int
opt_hosts(int c)
{
	static char all[] = "{}";
	const char *name;

	switch (c) {
	case 'S':
		push(&opts.logins, &opts.nlogins, optarg);
		return 1;
	case OPT_SLF:
		opts.slf = optarg;
		return 1;
	case OPT_SSH:
		opts.ssh = optarg;
		return 1;
	case OPT_ENV:
		push(&opts.envs, &opts.nenvs, optarg);
		return 1;
	case OPT_WORKDIR:
		opts.workdir = optarg;
		name = "--workdir";
		break;
	case OPT_TRANSFER:
		push(&opts.transfers, &opts.ntransfers, optarg);
		name = "--transferfile";
		break;
	case OPT_RETURN:
		push(&opts.returns, &opts.nreturns, optarg);
		name = "--return";
		break;
	case OPT_CLEANUP:
		opts.cleanup = 1;
		name = "--cleanup";
		break;
	case OPT_TRC:
		/* --transferfile {} --return FILE --cleanup, as in GNU's. */
		if (opts.ntransfers == 0 || opts.transfers[0] != all)
			push(&opts.transfers, &opts.ntransfers, all);
		push(&opts.returns, &opts.nreturns, optarg);
		opts.cleanup = 1;
		name = "--trc";
		break;
	case OPT_BASEFILE:
		push(&opts.basefiles, &opts.nbasefiles, optarg);
		name = "--basefile";
		break;
	default:
		return 0;
	}
	if (hosts_only == NULL)
		hosts_only = name;
	return 1;
}

static unsigned long long
need_size(const char *name, const char *arg, unsigned long long min)
{
	unsigned long long v;

	if (parse_memsize(arg, &v) == -1)
		usage_error("invalid size for %s: '%s'", name, arg);
	if (v < min)
		usage_error("%s %s is too low: %s", name, arg, min == 1 ?
		    "it must be more than 0" : "no program runs in less "
		    "than 1M");
	return v;
}

/* Retry back-off; returns 0 when c is not one of them. */
static int
opt_retry(int c)
{
	switch (c) {
	case OPT_RETRYDELAY:
		if (parse_retry_delay(optarg, &opts.retry_delay,
		    &opts.retry_max) == -1)
			usage_error("invalid --retry-delay '%s' (a duration, "
			    "or D,MAX with MAX at least D)", optarg);
		break;
	case OPT_RETRYON:
		opts.retry_on = xrealloc(opts.retry_on,
		    sizeof(*opts.retry_on));
		if (parse_retry_on(optarg, opts.retry_on) == -1)
			usage_error("invalid --retry-on '%s' (exit codes 1-255 "
			    "and ranges such as 3-5, timeout, signal, "
			    "nostart)", optarg);
		break;
	default:
		return 0;
	}
	return 1;
}

/* Slurm options; returns 0 when c is not one of them. */
static int
opt_slurm(int c)
{
	long v;

	switch (c) {
	case OPT_SLURM:
		opts.slurm = 1;
		break;
	case OPT_SLURMCPUS:
		if (parse_count(optarg, 1, 100000, &v) == -1)
			usage_error("invalid number for --slurm-cpus: '%s'",
			    optarg);
		opts.slurm_cpus = (int)v;
		break;
	case OPT_SLURMSUBMIT:
		opts.slurm_submit = 1;
		break;
	case OPT_SLURMOPTS:
		opts.slurm_opts = optarg;
		break;
	case OPT_SLURMDIR:
		opts.slurm_dir = optarg;
		break;
	case OPT_SLURMCHUNK:
		if (parse_count(optarg, 1, 100000000, &v) == -1)
			usage_error("invalid number for --slurm-chunk: '%s'",
			    optarg);
		opts.slurm_chunk = (int)v;
		break;
	case OPT_SLURMKEEP:
		opts.slurm_keep = 1;
		break;
	default:
		return 0;
	}
	return 1;
}

/* Resource options; returns 0 when c is not one of them. */
static int
opt_resources(int c)
{
	double d;
	long v;

	switch (c) {
	case OPT_LOAD:
		if (parse_load(optarg, ncpus(), &opts.load) == -1)
			usage_error("invalid --load '%s' (a load average above "
			    "0, or N%% of the CPUs)", optarg);
		break;
	case OPT_MEMFREE:
		opts.memfree = need_size("--memfree", optarg, 1);
		break;
	case OPT_NICE:
		if (parse_count(optarg, -20, 19, &v) == -1)
			usage_error("invalid niceness '%s' (-20 to 19)", optarg);
		opts.nice = (int)v;
		opts.has_nice = 1;
		break;
	case OPT_LIMITMEM:
		opts.limit_mem = need_size("--limit-mem", optarg, 1 << 20);
		break;
	case OPT_LIMITCPU:
		d = need_duration("--limit-cpu", optarg);
		if (d <= 0)
			usage_error("--limit-cpu %s is too low: it must be more "
			    "than 0", optarg);
		/* The kernel counts whole seconds. */
		opts.limit_cpu = (long)round_up(d);
		break;
	case OPT_LIMITFILES:
		if (parse_count(optarg, 0, INT_MAX, &v) == -1)
			usage_error("invalid number for --limit-files: '%s'",
			    optarg);
		if (v < 4)
			usage_error("--limit-files %s is too low: a program "
			    "needs 3 standard descriptors and one to load its "
			    "libraries", optarg);
		opts.limit_files = v;
		break;
	default:
		return opt_retry(c);
	}
	return 1;
}

static void
set_outmode(enum outmode m, const char *name)
{
	if (given.outmode != NULL && opts.outmode != m)
		usage_error("%s cannot be combined with %s", name,
		    given.outmode);
	given.outmode = name;
	opts.outmode = m;
}

/* Output options; returns 0 when c is not one of them. */
static int
opt_output(int c, char **argv)
{
	switch (c) {
	case OPT_GROUP:
		set_outmode(OUT_GROUP, "--group");
		break;
	case OPT_LINEBUF:
		set_outmode(OUT_LINE, argv[optind - 1][2] == 'l' &&
		    argv[optind - 1][3] == 'b' ? "--lb" : "--line-buffer");
		break;
	case 'u':
		set_outmode(OUT_UNGROUP, "-u");
		break;
	case 'k':
		opts.keep_order = 1;
		break;
	case OPT_TAG:
		opts.tag = 1;
		break;
	case OPT_TAGSTRING:
		opts.tagstring = optarg;
		break;
	case OPT_RESULTS:
		opts.results = optarg;
		break;
	default:
		return 0;
	}
	return 1;
}

/*
 * A long option getopt_long refused: one that takes no argument given
 * one, a prefix of several options (named), or none at all.
 */
static void
bad_long(const char *arg)
{
	char list[512] = "";
	const char *eq = strchr(arg, '=');
	size_t n = eq != NULL ? (size_t)(eq - arg) : strlen(arg), len;
	int i, k, found = 0, lastval = -1, exact = -1;

	for (i = 0; longopts[i].name != NULL; i++) {
		if (strncmp(longopts[i].name, arg, n) != 0)
			continue;
		if (longopts[i].name[n] == '\0')
			exact = i;
		for (k = 0; k < i; k++)
			if (strncmp(longopts[k].name, arg, n) == 0 &&
			    longopts[k].val == longopts[i].val)
				break;
		if (k < i)
			continue;	/* the same option, another name */
		len = strlen(list);
		snprintf(list + len, sizeof(list) - len, "%s--%s",
		    found++ ? ", " : "", longopts[i].name);
		lastval = i;
	}
	if (exact < 0 && found == 1)
		exact = lastval;
	if (eq != NULL && exact >= 0 && longopts[exact].has_arg == no_argument)
		usage_error("option '--%s' takes no argument",
		    longopts[exact].name);
	if (found > 1)
		usage_error("option '--%.*s' is ambiguous: it could be %s",
		    (int)n, arg, list);
	usage_error("unknown option '--%s'", arg);
}

/* --help, --version and the errors getopt_long reports. */
static void
opt_other(int c, char **argv)
{
	const char *arg = argv[optind - 1];

	switch (c) {
	case 'h':
		options_usage();
		exit(0);
	case 'V':
		printf("parx %s\n", PARX_VERSION);
		exit(0);
	case ':':
		usage_error("option '%s' needs an argument", arg);
	default:
		if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0')
			bad_long(arg + 2);
		if (optopt > 0 && optopt < 256)
			usage_error("unknown option '-%c'", optopt);
		usage_error("unknown option '%s'", arg);
	}
}

/* After the options: what they imply, and what stdin is for. */
static void
options_finish(int seen_sep)
{
	if (opts.retry_failed) {
		opts.nsources = 0;	/* the joblog gives the jobs */
		return;
	}
	if (opts.nsources == 0 && seen_sep) {
		/* Only empty ::: groups: no items at all. */
		add_source(SRC_WORDS, NULL, NULL, 0);
		return;
	}
	if (opts.nsources == 0) {
		check_readable("-");
		add_source(SRC_STDIN, "-", NULL, 0);
	}
}

/* Whether the last component of path ends in extension ext. */
static int
has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), k = strlen(ext);
	const char *base = strrchr(path, '/');

	base = base != NULL ? base + 1 : path;
	return n > k && strcmp(path + n - k, ext) == 0 &&
	    path + n - k > base;
}

/*
 * --results: a file whose extension names its format, else a directory.
 * Another extension is refused, unless the name ends in '/' or is a
 * directory already.
 */
static void
results_kind(const char *path)
{
	const char *base = strrchr(path, '/'), *dot;
	struct stat st;

	if (*path == '\0')
		usage_error("--results needs a directory or file name");
	if (has_ext(path, ".jsonl") || has_ext(path, ".json"))
		opts.results_fmt = RES_JSON;
	else if (has_ext(path, ".csv"))
		opts.results_fmt = RES_CSV;
	else if (has_ext(path, ".tsv"))
		opts.results_fmt = RES_TSV;
	else {
		opts.results_fmt = RES_DIR;
		base = base != NULL ? base + 1 : path;
		dot = strrchr(base, '.');
		if (dot != NULL && dot > base && dot[1] != '\0' &&
		    (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)))
			usage_error("unknown --results extension '%s' (use a "
			    "directory, or FILE.jsonl, .json, .csv or .tsv)",
			    dot);
	}
}

/* The formats of the logs, and what --results means, once all are read. */
static void
options_formats(const char *logfmt)
{
	if (logfmt == NULL && opts.joblog != NULL)
		opts.joblog_json = has_ext(opts.joblog, ".jsonl") ||
		    has_ext(opts.joblog, ".json");
	if (logfmt != NULL && opts.joblog == NULL)
		usage_error("--joblog-format needs --joblog FILE");
	if (opts.results != NULL) {
		results_kind(opts.results);
		if (opts.outmode == OUT_UNGROUP)
			usage_error("--results cannot be combined with -u "
			    "(the output must pass through parx)");
	}
	if (opts.summary < 0)
		opts.summary = isatty(2);
}

void
options_parse(int argc, char **argv)
{
	const char *jobs = NULL, *logfmt = NULL, *e;
	int c, seen;

	opts.delim = '\n';
	opts.jobs = ncpus();
	pipe_only = NULL;
	opts.shell = (e = getenv("PARX_SHELL")) != NULL && *e != '\0' ?
	    e : "/bin/sh";
	opts.tmpdir = (e = getenv("TMPDIR")) != NULL && *e != '\0' ?
	    e : "/tmp";
	memset(&given, 0, sizeof(given));
	opts.summary = -1;
	opterr = 0;
	hosts_only = NULL;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		if (!opt_input(c) && !opt_items(c) && !opt_pipe(c) &&
		    !opt_command(c) && !opt_running(c, &jobs, &logfmt) &&
		    !opt_output(c, argv) && !opt_hosts(c) &&
		    !opt_resources(c) && !opt_slurm(c))
			opt_other(c, argv);
	if (jobs != NULL && parse_jobs(jobs, ncpus(), &opts.jobs) == -1)
		usage_error("invalid number of jobs '%s'", jobs);
	opts.jobs_arg = jobs;
	seen = split_command(argc - optind, argv + optind);
	if (given.join)
		opts.pack = PACK_JOIN;
	else if (given.ctx || given.maxlines || opts.maxchars > 0)
		opts.pack = PACK_CONTEXT;
	check_pipe(seen);
	check_combinations();
	options_formats(logfmt);
	options_finish(seen);
	/* Tags need the output: -u then passes it on a line at a time. */
	if (opts.outmode == OUT_UNGROUP && (opts.tag || opts.tagstring))
		opts.outmode = OUT_LINE;
}
