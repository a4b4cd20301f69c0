/*
 * parx-timeline.c - draws a run from its job log: reads a tab-separated
 * job log (parx's --joblog, GNU parallel's) or a JSON-lines one, a line
 * at a time (tlread.c), and writes the picture timeline.c draws.
 *
 * One thread.  A usage error prints two lines and exits 255, as parx
 * does; a file that is not a job log, or holds no job, exits 255 with one
 * line; lines that are not job records (a last line cut short by a crash,
 * the fragment a crash left mid-log) are skipped with a warning, and the
 * rest is drawn.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define MAXWARN	10	/* skipped lines named one by one */

static const char shortopts[] = "+:o:hV";

/* The options: keep --help, parx-timeline.1 and completions/ in step. */
static const struct option longopts[] = {
	{ "output",	required_argument,	NULL, 'o' },
	{ "title",	required_argument,	NULL, 'T' },
	{ "help",	no_argument,		NULL, 'h' },
	{ "version",	no_argument,		NULL, 'V' },
	{ NULL,		0,			NULL, 0 }
};

static const char helptext[] =
"Usage: parx-timeline [-o FILE.svg] [--title TITLE] JOBLOG\n"
"Draw a run of parx or GNU parallel from its job log (tab-separated, or\n"
"JSON lines) as an SVG timeline: one lane per job slot, one bar per job.\n"
"\n"
"  -o, --output FILE   write the picture to FILE, - for standard output\n"
"                      (default: JOBLOG with the extension .svg)\n"
"      --title TITLE   the heading (default: the name of JOBLOG)\n"
"  -h, --help          print this help and exit\n"
"  -V, --version       print the version and exit\n"
"\n"
"JOBLOG - is standard input.  Exit status: 0 drawn, 255 error.\n"
"See parx-timeline(1).\n";

struct reader {
	const char	*name;		/* for messages */
	int		 json;		/* -1 until the first record */
	unsigned long	 lineno;
	unsigned long	 skipped;
	struct tlbufs	 bufs;
};

static void __attribute__((noreturn, format(printf, 1, 2)))
tl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("parx-timeline: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'parx-timeline --help' for more information.\n", stderr);
	exit(255);
}

/* Parses one record; -1 when the line is not one of the log's format. */
static int
parse(struct reader *rd, const char *s, size_t n, struct tljob *j)
{
	if (rd->json == -1)
		rd->json = s[strspn(s, " \t")] == '{';
	if (rd->json)
		return tlread_json(s, n, j, &rd->bufs);
	return tlread_tsv(s, n, j);
}

/* Whether a line cut short could be the start of a job record. */
static int
record_start(const char *s, size_t n)
{
	size_t i = strspn(s, " \t");

	if (i < n && s[i] == '{')
		return 1;
	for (i = 0; i < n && s[i] >= '0' && s[i] <= '9'; i++)
		;
	return i > 0 && (i == n || s[i] == '\t');
}

/*
 * A line that is not a record.  When it is the first, the file is no job
 * log, unless it is also the last and was cut short at the start of what
 * looks like a record.
 */
static void
bad_line(struct reader *rd, const char *s, size_t n, int first, int cut)
{
	if (cut && (!first || record_start(s, n))) {
		warnx("%s: line %lu is cut short: drawn without it", rd->name,
		    rd->lineno);
		return;
	}
	if (first)
		errx(255, "%s: not a job log: line %lu is neither the header "
		    "of a tab-separated job log nor a job record", rd->name,
		    rd->lineno);
	if (++rd->skipped <= MAXWARN)
		warnx("%s: line %lu is not a job record: skipped", rd->name,
		    rd->lineno);
}

/* Reads the job log fp into tl. */
static void
read_log(struct reader *rd, FILE *fp, struct timeline *tl)
{
	struct tljob	 j;
	char		*line = NULL;
	size_t		 cap = 0, n;
	ssize_t		 len;
	int		 cut, first = 1;

	while ((len = getline(&line, &cap, fp)) != -1) {
		rd->lineno++;
		n = (size_t)len;
		if (!(cut = line[n - 1] != '\n'))
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (strspn(line, " \t") == n && strlen(line) == n)
			continue;
		if (rd->json != 1 && tlread_header(line, n)) {
			rd->json = 0;
			first = 0;
			continue;
		}
		/*
		 * A last line without its newline was cut short (a crash,
		 * a log still being written), unless its closing brace
		 * shows a JSON record whole: a cut Command column looks
		 * like a shorter one.
		 */
		if (parse(rd, line, n, &j) == -1 || (cut && !rd->json)) {
			bad_line(rd, line, n, first, cut);
			if (first && cut)
				rd->json = -1;
			continue;
		}
		first = 0;
		timeline_add(tl, &j);
	}
	if (ferror(fp))
		err(255, "cannot read %s", rd->name);
	free(line);
	if (rd->skipped > MAXWARN)
		warnx("%s: %lu more lines that are not job records skipped",
		    rd->name, rd->skipped - MAXWARN);
}

/* JOBLOG with its extension (if any) replaced by .svg. */
static char *
default_output(const char *log)
{
	const char	*base = strrchr(log, '/'), *dot;
	size_t		 n;
	char		*out;

	base = base != NULL ? base + 1 : log;
	dot = strrchr(base, '.');
	n = dot != NULL && dot != base ? (size_t)(dot - log) : strlen(log);
	out = xmalloc(n + 5);
	memcpy(out, log, n);
	memcpy(out + n, ".svg", 5);
	if (strcmp(out, log) == 0)
		tl_usage_error("%s already ends in .svg: name the picture with -o",
		    log);
	return out;
}

/* Writes the picture to path ("-": standard output). */
static void
write_picture(struct timeline *tl, const char *path, const char *title,
    const struct stat *in)
{
	struct stat	 st;
	int		 fd = 1, rc;

	if (strcmp(path, "-") != 0) {
		if (in != NULL && stat(path, &st) == 0 &&
		    st.st_dev == in->st_dev && st.st_ino == in->st_ino)
			errx(255, "%s: is the job log itself: not overwritten",
			    path);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd == -1)
			err(255, "cannot write %s", path);
	}
	rc = timeline_write(tl, fd, title);
	if ((fd != 1 && close(fd) == -1) || rc == -1)
		err(255, "cannot write %s", strcmp(path, "-") == 0 ?
		    "standard output" : path);
}

int
main(int argc, char **argv)
{
	struct reader	 rd;
	struct timeline	*tl;
	struct stat	 st;
	const char	*out = NULL, *title = NULL, *log;
	char		*made = NULL;
	FILE		*fp = stdin;
	int		 c;

	program_invocation_name = program_invocation_short_name =
	    "parx-timeline";
	memset(&rd, 0, sizeof(rd));
	rd.json = -1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1)
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'T':
			title = optarg;
			break;
		case 'h':
			fputs(helptext, stdout);
			exit(0);
		case 'V':
			printf("parx-timeline %s\n", PARX_VERSION);
			exit(0);
		case ':':
			tl_usage_error("option '%s' needs an argument",
			    argv[optind - 1]);
		default:
			if (optopt > 0 && optopt < 256 &&
			    strncmp(argv[optind - 1], "--", 2) != 0)
				tl_usage_error("unknown option '-%c'", optopt);
			tl_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	if (optind == argc)
		tl_usage_error("no job log given");
	if (optind + 1 < argc)
		tl_usage_error("unexpected argument '%s' (one job log at a time)",
		    argv[optind + 1]);
	log = argv[optind];
	if (strcmp(log, "-") != 0 && (fp = fopen(log, "re")) == NULL)
		err(255, "cannot read %s", log);
	rd.name = strcmp(log, "-") == 0 ? "standard input" : log;
	if (out == NULL && strcmp(log, "-") == 0)
		out = "-";
	else if (out == NULL)
		out = made = default_output(log);
	tl = timeline_new();
	read_log(&rd, fp, tl);
	if (timeline_count(tl) == 0)
		errx(255, "%s: no job in the job log", rd.name);
	write_picture(tl, out, title != NULL ? title : rd.name,
	    fp != stdin && fstat(fileno(fp), &st) == 0 ? &st : NULL);
	fclose(fp);
	timeline_free(tl);
	tlbufs_free(&rd.bufs);
	free(made);
	return 0;
}
