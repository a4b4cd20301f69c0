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

enum {
	OPT_LINK = 256, OPT_COLSEP, OPT_TIMEOUT, OPT_RETRIES, OPT_HALT,
	OPT_FAILFAST, OPT_DELAY, OPT_DRYRUN, OPT_JOBLOG, OPT_RESUME,
	OPT_RESUMEFAILED, OPT_BAR, OPT_GROUP, OPT_LINEBUF, OPT_TAG,
	OPT_TAGSTRING, OPT_HELP, OPT_VERSION, OPT_SLF, OPT_SSH, OPT_ENV,
	OPT_WORKDIR, OPT_TRANSFER, OPT_RETURN, OPT_CLEANUP, OPT_TRC,
	OPT_BASEFILE, OPT_SLURM, OPT_SLURMCPUS, OPT_SLURMSUBMIT, OPT_SLURMOPTS,
	OPT_SLURMDIR, OPT_SLURMCHUNK, OPT_SLURMKEEP
};

static const char shortopts[] = "+:0a:c:d:I:j:kn:P:S:tuhV";

/* The options parx accepts: keep --help, parx.1 and completions/ in step. */
static const struct option longopts[] = {
	{ "null",		no_argument,		NULL, '0' },
	{ "delimiter",		required_argument,	NULL, 'd' },
	{ "arg-file",		required_argument,	NULL, 'a' },
	{ "link",		no_argument,		NULL, OPT_LINK },
	{ "max-args",		required_argument,	NULL, 'n' },
	{ "colsep",		required_argument,	NULL, OPT_COLSEP },
	{ "shell",		required_argument,	NULL, 'c' },
	{ "jobs",		required_argument,	NULL, 'j' },
	{ "timeout",		required_argument,	NULL, OPT_TIMEOUT },
	{ "retries",		required_argument,	NULL, OPT_RETRIES },
	{ "halt",		required_argument,	NULL, OPT_HALT },
	{ "fail-fast",		no_argument,		NULL, OPT_FAILFAST },
	{ "delay",		required_argument,	NULL, OPT_DELAY },
	{ "dry-run",		no_argument,		NULL, OPT_DRYRUN },
	{ "verbose",		no_argument,		NULL, 't' },
	{ "joblog",		required_argument,	NULL, OPT_JOBLOG },
	{ "resume",		no_argument,		NULL, OPT_RESUME },
	{ "resume-failed",	no_argument,		NULL, OPT_RESUMEFAILED },
	{ "bar",		no_argument,		NULL, OPT_BAR },
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
"Usage: parx [OPTION]... [--] COMMAND [ARG]...\n"
"       parx [OPTION]... COMMAND [ARG]... ::: ITEM...\n"
"       parx [OPTION]... COMMAND [ARG]... :::: FILE...\n"
"       parx [OPTION]... -c SCRIPT [::: ITEM...]\n"
"Run COMMAND once per input item, several at a time, without mixing the\n"
"output of different jobs.\n"
"\n"
"Input:\n"
"  -0, --null              items are separated by NUL bytes\n"
"  -d, --delimiter C       items are separated by byte C (\\n \\t \\0 \\\\ \\xHH)\n"
"  -a, --arg-file FILE     read items from FILE (repeatable)\n"
"      --link              pair sources element by element, not all combinations\n"
"  -n, --max-args N        put up to N items in each job\n"
"      --colsep REGEX      split items into columns {1} {2} ...\n"
"Command:\n"
"  -I STR                  use STR instead of {} in the command\n"
"  -c, --shell SCRIPT      run SCRIPT with /bin/sh -c; items are quoted\n"
"Running:\n"
"  -j, -P, --jobs N        run N jobs at once (N, N%, +N, -N, 0; default: CPUs)\n"
"      --timeout D         kill a job running longer than D (1.5, 500ms, 2m)\n"
"      --retries N         run a failed job up to N more times\n"
"      --halt POLICY       never, soon,fail=N, now,fail=N, soon,success=N, ...\n"
"      --fail-fast         same as --halt now,fail=1\n"
"      --delay D           wait D between starting two jobs\n"
"      --dry-run           print the commands, run nothing\n"
"  -t, --verbose           print each command to stderr as it starts\n"
"      --joblog FILE       append a line per finished job to FILE\n"
"      --resume            skip jobs the joblog shows as done\n"
"      --resume-failed     skip jobs the joblog shows as succeeded\n"
"      --bar               show progress on stderr\n"
"  -S, --sshlogin LOGIN,... run jobs on [N/][USER@]HOST[:PORT] over ssh (: here)\n"
"      --slf FILE, --ssh CMD, --env VAR, --workdir DIR, --basefile FILE,\n"
"      --tf, --transferfile FILE, --return FILE, --cleanup, --trc FILE\n"
"      --slurm             run each job as a Slurm job step (under salloc/sbatch)\n"
"      --slurm-submit      run the jobs as one Slurm array job (login node)\n"
"      --slurm-cpus C, --slurm-opts OPTS, --slurm-dir DIR, --slurm-chunk N,\n"
"      --slurm-keep\n"
"Output:\n"
"      --group             print each job's output in one piece (default)\n"
"      --line-buffer, --lb pass output on as it comes, in whole lines\n"
"  -u, --ungroup           let jobs write straight to the output\n"
"  -k, --keep-order        print results in input order\n"
"      --tag               prefix output lines with the job's items\n"
"      --tagstring STR     prefix output lines with STR\n"
"\n"
"  -h, --help              print this help and exit\n"
"  -V, --version           print the version and exit\n"
"\n"
"Replacement strings: {} {.} {/} {//} {/.} {#} {%} and {N} {N.} {N/} ...\n"
"Exit status: 0 all jobs succeeded; 1-100 that many failed; 101 more;\n"
"255 usage error.  See parx(1).\n";

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

/* never, soon,fail=N, now,success=N%, ... */
int
parse_halt(const char *s, struct halt *h)
{
	const char *p;
	char *end;
	double v;

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
		h->on_fail = 1;
		p += 5;
	} else if (strncmp(p, "success=", 8) == 0) {
		h->on_fail = 0;
		p += 8;
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
	return strcmp(w, ":::") == 0 || strcmp(w, "::::") == 0;
}

/* Splits the words after the options into the template and sources. */
static void
split_command(int argc, char **argv)
{
	int i, j;

	for (i = 0; i < argc && !is_sep(argv[i]); i++)
		;
	opts.cmd = argv;
	opts.ncmd = i;
	while (i < argc) {
		int files = strcmp(argv[i], "::::") == 0;

		for (j = i + 1; j < argc && !is_sep(argv[j]); j++)
			;
		if (!files)
			add_source(SRC_WORDS, NULL, argv + i + 1, j - i - 1);
		else {
			if (j == i + 1)
				usage_error(":::: needs a file name");
			for (i = i + 1; i < j; i++) {
				check_readable(argv[i]);
				add_source(strcmp(argv[i], "-") == 0 ?
				    SRC_STDIN : SRC_FILE, argv[i], NULL, 0);
			}
		}
		i = j;
	}
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

static void
check_combinations(void)
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
	if (opts.keep_order && opts.outmode == OUT_UNGROUP)
		usage_error("-k cannot be combined with -u");
	if ((opts.resume || opts.resume_failed) && opts.joblog == NULL)
		usage_error("--resume needs --joblog FILE");
	if (opts.script != NULL && opts.ncmd > 0)
		usage_error("unexpected word '%s' after -c SCRIPT "
		    "(the script is the whole command)", opts.cmd[0]);
	if (opts.script == NULL && opts.ncmd == 0)
		usage_error("no command given");
	if (opts.maxargs > 0 && opts.nsources > 1)
		usage_error("-n cannot be used with several input sources");
}

/* Input options; returns 0 when c is not one of them. */
static int
opt_input(int c)
{
	char *re;
	long v;
	int rc;

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
	case 'n':
		if (parse_count(optarg, 1, INT_MAX, &v) == -1)
			usage_error("invalid number for -n: '%s'", optarg);
		opts.maxargs = (int)v;
		break;
	case OPT_COLSEP:
		re = colsep_escapes(optarg);
		if (opts.has_colsep)
			regfree(&opts.colsep);	/* the last one wins */
		opts.has_colsep = 0;
		rc = regcomp(&opts.colsep, re, REG_EXTENDED);
		free(re);
		if (rc != 0) {
			char msg[256];

			regerror(rc, &opts.colsep, msg, sizeof(msg));
			usage_error("invalid --colsep '%s': %s", optarg, msg);
		}
		if (regexec(&opts.colsep, "", 0, NULL, 0) == 0)
			usage_error("--colsep '%s' matches the empty string",
			    optarg);
		opts.has_colsep = 1;
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
	case 'c':
		opts.script = optarg;
		break;
	default:
		return 0;
	}
	return 1;
}

/* Options about running jobs; returns 0 when c is not one of them. */
static int
opt_running(int c, const char **jobs)
{
	long v;

	switch (c) {
	case 'j':
	case 'P':
		*jobs = optarg;
		break;
	case OPT_TIMEOUT:
		opts.timeout = need_duration("--timeout", optarg);
		break;
	case OPT_RETRIES:
		if (parse_count(optarg, 0, 1000000, &v) == -1)
			usage_error("invalid number for --retries: '%s'",
			    optarg);
		opts.retries = (int)v;
		break;
	case OPT_HALT:
		if (parse_halt(optarg, &opts.halt) == -1)
			usage_error("invalid --halt policy '%s'", optarg);
		break;
	case OPT_FAILFAST:
		opts.halt.when = HALT_NOW;
		opts.halt.on_fail = 1;
		opts.halt.n = 1;
		opts.halt.percent = 0;
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
	case OPT_JOBLOG:
		opts.joblog = optarg;
		break;
	case OPT_RESUME:
		opts.resume = 1;
		break;
	case OPT_RESUMEFAILED:
		opts.resume_failed = 1;
		break;
	case OPT_BAR:
		opts.bar = 1;
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

/* Output options; returns 0 when c is not one of them. */
static int
opt_output(int c)
{
	switch (c) {
	case OPT_GROUP:
		opts.outmode = OUT_GROUP;
		break;
	case OPT_LINEBUF:
		opts.outmode = OUT_LINE;
		break;
	case 'u':
		opts.outmode = OUT_UNGROUP;
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
	default:
		return 0;
	}
	return 1;
}

/* --help, --version and the errors getopt_long reports. */
static void
opt_other(int c, char **argv)
{
	switch (c) {
	case 'h':
		options_usage();
		exit(0);
	case 'V':
		printf("parx %s\n", PARX_VERSION);
		exit(0);
	case ':':
		usage_error("option '%s' needs an argument", argv[optind - 1]);
	default:
		if (optopt > 0 && optopt < 256 &&
		    strncmp(argv[optind - 1], "--", 2) != 0)
			usage_error("unknown option '-%c'", optopt);
		usage_error("unknown option '%s'", argv[optind - 1]);
	}
}

void
options_parse(int argc, char **argv)
{
	const char *jobs = NULL, *e;
	int c;

	opts.delim = '\n';
	opts.jobs = ncpus();
	opts.shell = (e = getenv("PARX_SHELL")) != NULL && *e != '\0' ?
	    e : "/bin/sh";
	opts.tmpdir = (e = getenv("TMPDIR")) != NULL && *e != '\0' ?
	    e : "/tmp";
	opterr = 0;
	hosts_only = NULL;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		if (!opt_input(c) && !opt_command(c) &&
		    !opt_running(c, &jobs) && !opt_output(c) &&
		    !opt_hosts(c) && !opt_slurm(c))
			opt_other(c, argv);
	if (jobs != NULL && parse_jobs(jobs, ncpus(), &opts.jobs) == -1)
		usage_error("invalid number of jobs '%s'", jobs);
	opts.jobs_arg = jobs;
	split_command(argc - optind, argv + optind);
	check_combinations();
	if (opts.nsources == 0) {
		check_readable("-");
		add_source(SRC_STDIN, "-", NULL, 0);
	}
	/* Tags need the output: -u then passes it on a line at a time. */
	if (opts.outmode == OUT_UNGROUP && (opts.tag || opts.tagstring))
		opts.outmode = OUT_LINE;
}
