/*
 * joblog.c - the job log of --joblog, and what --resume and
 * --resume-failed learn from it.
 *
 * The main thread calls joblog_open before any other thread exists: with
 * --resume it first loads the existing log into a table sorted by Seq, the
 * last line for a Seq winning.  The table is never written after that, so
 * worker threads look jobs up in it with joblog_find without a lock.  Only
 * the collector thread calls joblog_write, one line per finished job, each
 * with a single write(2) to a descriptor opened with O_APPEND, so a crash
 * leaves at worst one partial last line, which the next load ignores.
 *
 * The format is GNU parallel's: nine TAB-separated columns, the Command
 * last, as tmpl_logline spells it: on one line, and different for
 * different commands (a word with a newline is written $'...').  With
 * --joblog - the lines go to stdout, each printed after its job's output
 * (output.c), so that they never cut into it.
 *
 * Or, with FILE.jsonl or --joblog-format json, JSON lines: one object per
 * job with the keys of SPEC 11.3 (seq, slot, host, command, argv, start,
 * runtime, exit, signal, timed_out, attempts, stdin_bytes, stdout_bytes,
 * stderr_bytes, maxrss_kb, user_cpu, sys_cpu, and limit, which says
 * when --limit-cpu ended the job), strings escaped by json.c;
 * "command" is the same one-line spelling as the TSV Command column.
 * Its loader gives the same struct logent as the tab-separated one, so
 * one lookup serves both.  A log whose contents are in the other format
 * is refused at open.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define JOBLOG_HEADER \
	"Seq\tHost\tStarttime\tJobRuntime\tSend\tReceive\tExitval\tSignal\t" \
	"Command\n"

struct entry {
	unsigned long long	 seq;
	size_t			 order;		/* line number, for ties */
	struct logent		 e;
};

static int		 logfd = -1;
static int		 tostdout;	/* --joblog - */
static int		 json;		/* the log is JSON lines */
static char		*logpath;
static int		 write_failed;	/* reported once */
static struct strbuf	 line;		/* the collector's line buffer */

static struct entry	*table;		/* sorted by seq, one per seq */
static size_t		 ntable;

/* Whether p[0..n) is a plain decimal number, as the numeric columns are. */
static int
isnum(const char *p, size_t n)
{
	size_t	 i = 0, digits = 0;

	while (i < n && p[i] == ' ')
		i++;
	if (i < n && p[i] == '-')
		i++;
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	return i == n && digits > 0;
}

static int
parse_ull(const char *p, size_t n, unsigned long long *v)
{
	unsigned long long	 x = 0;
	size_t			 i;
	unsigned		 d;

	if (n == 0)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		d = (unsigned)(p[i] - '0');
		if (x > (ULLONG_MAX - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

static int
parse_int(const char *p, size_t n, int *v)
{
	unsigned long long	 x;
	int			 neg = 0;

	while (n > 0 && *p == ' ') {
		p++;
		n--;
	}
	if (n > 0 && *p == '-') {
		neg = 1;
		p++;
		n--;
	}
	if (parse_ull(p, n, &x) == -1 || x > (unsigned long long)INT_MAX + neg)
		return -1;
	if (neg)
		*v = x == (unsigned long long)INT_MAX + 1 ? INT_MIN : -(int)x;
	else
		*v = (int)x;
	return 0;
}

/*
 * Parses one log line, without its newline.  The header and anything that
 * is not nine columns of the right shape give -1.  On success e->cmd is a
 * malloc'd copy of the Command column, which is the rest of the line and
 * may itself contain TABs.
 */
int
joblog_parse_line(const char *s, size_t len, unsigned long long *seq,
    struct logent *e)
{
	const char		*f[8], *end = s + len, *p = s, *tab;
	size_t			 flen[8];
	unsigned long long	 v;
	int			 i, exitval, sig;

	for (i = 0; i < 8; i++) {
		tab = memchr(p, '\t', (size_t)(end - p));
		if (tab == NULL)
			return -1;
		f[i] = p;
		flen[i] = (size_t)(tab - p);
		p = tab + 1;
	}
	if (parse_ull(f[0], flen[0], &v) == -1 || v == 0)
		return -1;
	if (flen[1] == 0)
		return -1;
	for (i = 2; i < 6; i++)
		if (!isnum(f[i], flen[i]))
			return -1;
	if (parse_int(f[6], flen[6], &exitval) == -1 ||
	    parse_int(f[7], flen[7], &sig) == -1 || sig < 0)
		return -1;
	*seq = v;
	e->exitval = exitval;
	e->sig = sig;
	e->cmd = xmalloc((size_t)(end - p) + 1);
	memcpy(e->cmd, p, (size_t)(end - p));
	e->cmd[end - p] = '\0';
	return 0;
}

/* The value of key k of a JSON log line that the loader needs. */
static int
json_field(struct jcur *c, const struct strbuf *k, unsigned long long *seq,
    struct logent *e, struct strbuf *cmd, int *have)
{
	struct strbuf name = { 0 };
	int rc = 0;

	if (strcmp(k->s, "seq") == 0) {
		rc = json_uint(c, seq);
		*have |= 1;
	} else if (strcmp(k->s, "exit") == 0) {
		if (json_lit(c, "null") == 0)
			e->exitval = -1;
		else
			rc = json_int(c, &e->exitval);
		*have |= 2;
	} else if (strcmp(k->s, "command") == 0) {
		rc = json_string(c, cmd);
		/* A command never holds a NUL byte: not a line of ours. */
		if (rc == 0 && strlen(cmd->s) != cmd->len)
			rc = -1;
		*have |= 4;
	} else if (strcmp(k->s, "signal") == 0) {
		json_ws(c);
		if (json_lit(c, "null") == 0)
			e->sig = 0;
		else if (c->p < c->end && *c->p == '"') {
			if ((rc = json_string(c, &name)) == 0 &&
			    (e->sig = sig_num(name.s)) < 0)
				rc = -1;
		} else if ((rc = json_int(c, &e->sig)) == 0 && e->sig < 0)
			rc = -1;
		sb_free(&name);
	} else
		rc = json_skip(c, 16);
	return rc;
}

/*
 * Parses one line of a JSON log, without its newline: an object with at
 * least seq, exit and command; signal is read when present, other keys
 * are skipped.  Gives what joblog_parse_line gives.
 */
int
joblog_parse_json(const char *s, size_t len, unsigned long long *seq,
    struct logent *e)
{
	struct jcur c = { s, s + len };
	struct strbuf key = { 0 }, cmd = { 0 };
	int have = 0, rc = -1;

	e->exitval = 0;
	e->sig = 0;
	*seq = 0;
	if (json_char(&c, '{') == -1)
		goto done;
	do {
		if (json_string(&c, &key) == -1 || json_char(&c, ':') == -1 ||
		    json_field(&c, &key, seq, e, &cmd, &have) == -1)
			goto done;
	} while (json_char(&c, ',') == 0);
	if (json_char(&c, '}') == -1 || (json_ws(&c), c.p != c.end) ||
	    have != 7 || *seq == 0)
		goto done;
	e->cmd = xstrdup(cmd.s);
	rc = 0;
done:
	sb_free(&key);
	sb_free(&cmd);
	return rc;
}

static int
entcmp(const void *a, const void *b)
{
	const struct entry	*x = a, *y = b;

	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return 0;
}

/* Sorts the table by seq and keeps only the last line for each seq. */
static void
table_finish(void)
{
	size_t	 i, n = 0;

	if (ntable == 0)
		return;
	qsort(table, ntable, sizeof(*table), entcmp);
	for (i = 0; i < ntable; i++) {
		if (i + 1 < ntable && table[i + 1].seq == table[i].seq) {
			free(table[i].e.cmd);
			continue;
		}
		table[n++] = table[i];
	}
	ntable = n;
}

/* Loads an existing log; a missing one is an empty one. */
static int
table_load(const char *path)
{
	FILE			*fp;
	char			*buf = NULL;
	size_t			 bufsz = 0, cap = 0, order = 0;
	ssize_t			 n;
	unsigned long long	 seq;
	struct logent		 e;
	int			 serrno;

	if ((fp = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((n = getline(&buf, &bufsz, fp)) != -1) {
		/* A last line without newline was cut short by a crash. */
		if (n == 0 || buf[n - 1] != '\n')
			break;
		if ((json ? joblog_parse_json : joblog_parse_line)(buf,
		    (size_t)n - 1, &seq, &e) == -1)
			continue;
		if (ntable == cap) {
			cap = cap ? cap * 2 : 1024;
			table = xrealloc(table, cap * sizeof(*table));
		}
		table[ntable].seq = seq;
		table[ntable].order = order++;
		table[ntable].e = e;
		ntable++;
	}
	serrno = errno;
	free(buf);
	if (ferror(fp)) {
		fclose(fp);
		errno = serrno;
		return -1;
	}
	fclose(fp);
	table_finish();
	return 0;
}

/*
 * A log that a crash left ending mid-line would glue our first line onto
 * that fragment; end the fragment first, so it stays a line of its own that
 * loading skips.
 */
static int
end_partial_line(const char *path)
{
	char	 c;
	int	 fd;
	ssize_t	 n;
	off_t	 size;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	size = lseek(fd, 0, SEEK_END);
	n = size > 0 ? pread(fd, &c, 1, size - 1) : 0;
	close(fd);
	if (n == 1 && c != '\n')
		return io_write_all(logfd, "\n", 1);
	return 0;
}

/*
 * Whether an existing log is in the format asked for: a JSON log starts
 * with '{', a tab-separated one never does (GNU parallel's starts with
 * its header).  Only regular files are looked at.
 */
static int
format_matches(const char *path)
{
	struct stat	 st;
	char		 c;
	int		 fd, ok = 1;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return 1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    io_pread(fd, &c, 1, 0) == 1)
		ok = json == (c == '{');
	close(fd);
	return ok;
}

/*
 * Opens the log, in JSON lines when json is set: load reads what it holds
 * first (--resume, --retry-failed), append opens it for appending (not for
 * --dry-run).  "-" is stdout.  Returns 0, -1 with errno, or
 * JOBLOG_MISMATCH when the file holds a log of the other format.
 */
int
joblog_open(const char *path, int load, int append, int asjson)
{
	struct stat	 st;
	int		 serrno;

	json = asjson;
	if (strcmp(path, "-") == 0) {
		tostdout = append;
		return append && !json ? io_write_all(STDOUT_FILENO,
		    JOBLOG_HEADER, sizeof(JOBLOG_HEADER) - 1) : 0;
	}
	if (!format_matches(path))
		return JOBLOG_MISMATCH;
	if (load && table_load(path) == -1)
		return -1;
	if (!append)
		return 0;
	logfd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (logfd == -1)
		return -1;
	if (fstat(logfd, &st) == -1)
		goto fail;
	if (S_ISREG(st.st_mode) && st.st_size > 0) {
		if (end_partial_line(path) == -1)
			goto fail;
	} else if (st.st_size == 0 && !json &&
	    io_write_all(logfd, JOBLOG_HEADER, sizeof(JOBLOG_HEADER) - 1) == -1)
		goto fail;
	logpath = xstrdup(path);
	return 0;
fail:
	serrno = errno;
	close(logfd);
	logfd = -1;
	errno = serrno;
	return -1;
}

const struct logent *
joblog_find(unsigned long long seq)
{
	size_t	 lo = 0, hi = ntable, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (table[mid].seq == seq)
			return &table[mid].e;
		if (table[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* The i-th entry in Seq order, or NULL past the last (--retry-failed). */
const struct logent *
joblog_at(size_t i, unsigned long long *seq)
{
	if (i >= ntable)
		return NULL;
	*seq = table[i].seq;
	return &table[i].e;
}

/* GNU parallel's line: nine TAB-separated columns. */
static void
line_tsv(const struct job *j, int exitval, int sig)
{
	char	 num[1536];	/* two doubles in %.3f, and the host */
	int	 n;

	n = snprintf(num, sizeof(num),
	    "%llu\t%s\t%.3f\t%10.3f\t%llu\t%llu\t%d\t%d\t", j->seq,
	    j->host != NULL ? j->host : ":", j->start, j->runtime, j->sent,
	    j->sink[0].bytes, exitval, sig);
	if (n < 0 || (size_t)n >= sizeof(num))
		return;
	sb_add(&line, num, (size_t)n);
	sb_adds(&line, j->logcmd != NULL ? j->logcmd : "");
	sb_addc(&line, '\n');
}

/* One JSON object, on one line (SPEC 11.3). */
static void
line_json(const struct job *j, int exitval, int sig)
{
	const char	*cmd = j->logcmd != NULL ? j->logcmd : "", *w;
	const char	*host = j->host != NULL ? j->host : ":";
	char		 name[32];
	size_t		 n;

	sb_addf(&line, "{\"seq\":%llu,\"slot\":%d,\"host\":", j->seq,
	    j->slot);
	json_str(&line, host, strlen(host));
	sb_adds(&line, ",\"command\":");
	json_str(&line, cmd, strlen(cmd));
	sb_adds(&line, ",\"argv\":[");
	for (w = j->argvbuf; w != NULL && w < j->argvbuf + j->argvlen;
	    w += n + 1) {
		n = strlen(w);
		if (w != j->argvbuf)
			sb_addc(&line, ',');
		json_str(&line, w, n);
	}
	sb_addf(&line, "],\"start\":%.3f,\"runtime\":%.3f,\"exit\":",
	    j->start, j->runtime);
	if (sig != 0)
		sb_addf(&line, "null,\"signal\":\"%s\"",
		    sig_name(sig, name, sizeof(name)));
	else
		sb_addf(&line, "%d,\"signal\":null", exitval);
	sb_addf(&line, ",\"timed_out\":%s,\"attempts\":%d,"
	    "\"stdin_bytes\":%llu,\"stdout_bytes\":%llu,"
	    "\"stderr_bytes\":%llu,", j->timed_out ? "true" : "false",
	    j->attempts, j->sent, j->sink[0].bytes, j->sink[1].bytes);
	/* A job on another machine: the rusage here is its ssh's. */
	if (j->remote)
		sb_adds(&line, "\"maxrss_kb\":null,\"user_cpu\":null,"
		    "\"sys_cpu\":null,");
	else
		sb_addf(&line, "\"maxrss_kb\":%ld,\"user_cpu\":%.6f,"
		    "\"sys_cpu\":%.6f,", j->maxrss_kb, j->user_cpu,
		    j->sys_cpu);
	sb_addf(&line, "\"limit\":%s}\n",
	    j->limit == LIMIT_CPU ? "\"cpu\"" : "null");
}

/*
 * The collector logs finished job j; with --joblog - the line waits in
 * the job, to be printed after its output.
 */
void
joblog_write(struct job *j)
{
	int	 sig, exitval;

	/*
	 * Jobs skipped by --resume are logged already, and jobs that parx
	 * itself interrupted get no line, so that --resume runs them again.
	 */
	if ((logfd == -1 && !tostdout) || j->skip || j->interrupted)
		return;
	sig = j->termsig;
	/* A timed-out job that caught SIGTERM and exited still shows it. */
	if (sig == 0 && j->timed_out)
		sig = SIGTERM;
	exitval = sig != 0 ? -1 : j->status;
	line.len = 0;
	if (json)
		line_json(j, exitval, sig);
	else
		line_tsv(j, exitval, sig);
	if (line.len == 0)
		return;
	if (tostdout) {
		j->logline = xstrdup(line.s);
		return;
	}
	if (io_write_all(logfd, line.s, line.len) == -1 && !write_failed) {
		write_failed = 1;
		output_msgf("parx: cannot write joblog %s: %s\n", logpath,
		    strerror(errno));
	}
}

void
joblog_close(void)
{
	size_t	 i;

	if (logfd != -1)
		close(logfd);
	logfd = -1;
	tostdout = 0;
	for (i = 0; i < ntable; i++)
		free(table[i].e.cmd);
	free(table);
	table = NULL;
	ntable = 0;
	free(logpath);
	logpath = NULL;
	sb_free(&line);
}
