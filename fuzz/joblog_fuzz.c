/*
 * joblog_fuzz.c - libFuzzer harness for src/joblog.c: joblog_parse_line,
 * loading a log for --resume (joblog_open, joblog_find), and the line
 * joblog_write appends.
 *
 * Input: a selector byte, then
 *   0  one line for joblog_parse_line;
 *   1  a whole log file: loaded as --resume does, every Seq must be found
 *      with its last complete line, then a job is appended and must read
 *      back even when the file ended in the middle of a line;
 *   2  the fields of a job (seq, times, status, signal, output size) and
 *      a word of its command: joblog_write's line must parse back to them,
 *      the word written on one line as the worker writes it
 *      (shell_quote_line), and sh_unline must give back its POSIX
 *      quoting (what --retry-failed runs);
 *   3, 4, 5  the same for the JSON log (joblog_parse_json, a JSON log
 *      loaded and appended to, a JSON line written and read back); 5 also
 *      checks json.c: any bytes escaped by json_str, or by json_esc in
 *      random pieces, come out as the same valid JSON string, free of
 *      raw control characters and invalid UTF-8, which json_string
 *      decodes back to the very bytes.
 */
#include <sys/mman.h>

#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/parx.h"
#include "common.h"

/* joblog.c reports a failed write through output.c: not here. */
void
output_msgf(const char *fmt, ...)
{
	(void)fmt;
}

static int json;	/* the harness's case is about the JSON log */

static int
parse(const char *s, size_t n, unsigned long long *seq, struct logent *e)
{
	return (json ? joblog_parse_json : joblog_parse_line)(s, n, seq, e);
}

static int logfd_mem = -1;
static char logpath_mem[64];

static void
fresh_log(const void *p, size_t n)
{
	if (logfd_mem == -1) {
		if ((logfd_mem = memfd_create("joblog", MFD_CLOEXEC)) == -1)
			abort();
		snprintf(logpath_mem, sizeof(logpath_mem), "/proc/self/fd/%d",
		    logfd_mem);
	}
	if (ftruncate(logfd_mem, 0) == -1 ||
	    (n > 0 && pwrite(logfd_mem, p, n, 0) != (ssize_t)n))
		abort();
}

static char *
slurp(size_t *n)
{
	off_t end = lseek(logfd_mem, 0, SEEK_END);
	char *s = malloc((size_t)end + 1);

	if (s == NULL || pread(logfd_mem, s, (size_t)end, 0) != end)
		abort();
	s[end] = '\0';
	*n = (size_t)end;
	return s;
}


static void
one_line(const uint8_t *p, size_t n)
{
	unsigned long long seq = 0;
	struct logent e;
	const char *q = (const char *)p;
	size_t tabs = 0, i;

	memset(&e, 0, sizeof(e));
	if (joblog_parse_line(q, n, &seq, &e) == -1)
		return;
	CHECK(seq >= 1 && e.sig >= 0, "seq %llu sig %d", seq, e.sig);
	/* The Command is what follows the eighth TAB. */
	for (i = 0; i < n && tabs < 8; i++)
		tabs += q[i] == '\t';
	CHECK(tabs == 8 && memcmp(e.cmd, q + i, n - i) == 0 &&
	    e.cmd[n - i] == '\0', "command column");
	/* The header is not a job. */
	CHECK(strncmp(q, "Seq\t", 4) != 0, "header parsed");
	free(e.cmd);
}

/* A JSON line: when accepted, it is an object with what resume needs. */
static void
one_json(const uint8_t *p, size_t n)
{
	unsigned long long seq = 0;
	struct logent e;
	struct jcur c = { (const char *)p, (const char *)p + n };

	memset(&e, 0, sizeof(e));
	if (joblog_parse_json((const char *)p, n, &seq, &e) == -1)
		return;
	CHECK(seq >= 1 && e.sig >= 0 && e.cmd != NULL, "seq %llu sig %d",
	    seq, e.sig);
	CHECK(json_skip(&c, 64) == 0, "accepted line is not one value");
	free(e.cmd);
}

struct ref {
	unsigned long long	 seq;
	struct logent		 e;
};

/* Loads the log as --resume does and checks it against a reference. */
static void
whole_log(const uint8_t *p, size_t n)
{
	struct ref *ref = NULL;
	size_t nref = 0, i, k, start, len;
	unsigned long long seq, maxseq = 0;
	const struct logent *f;
	struct logent e;
	struct job j;
	char *after;

	fresh_log(p, n);
	/* Complete lines only; the last line for a Seq counts. */
	for (start = 0, i = 0; i < n; i++) {
		if (p[i] != '\n')
			continue;
		if (parse((const char *)p + start, i - start, &seq, &e) == 0) {
			for (k = 0; k < nref && ref[k].seq != seq; k++)
				;
			if (k == nref) {
				ref = realloc(ref, (nref + 1) * sizeof(*ref));
				ref[nref++].seq = seq;
			} else
				free(ref[k].e.cmd);
			ref[k].e = e;
			if (seq > maxseq)
				maxseq = seq;
		}
		start = i + 1;
	}
	/* A NUL byte ends getline's view of a line early: not compared. */
	if (memchr(p, '\0', n) != NULL)
		goto out;
	/* A log in the other format is refused. */
	if (n > 0 && json != (p[0] == '{')) {
		CHECK(joblog_open(logpath_mem, 1, 1, json) == JOBLOG_MISMATCH,
		    "format not checked");
		goto out;
	}
	CHECK(joblog_open(logpath_mem, 1, 1, json) == 0, "joblog_open failed");
	for (k = 0; k < nref; k++) {
		f = joblog_find(ref[k].seq);
		CHECK(f != NULL, "seq %llu not found", ref[k].seq);
		CHECK(f->exitval == ref[k].e.exitval && f->sig == ref[k].e.sig &&
		    strcmp(f->cmd, ref[k].e.cmd) == 0,
		    "seq %llu: not its last line", ref[k].seq);
	}
	if (maxseq < ULLONG_MAX)
		CHECK(joblog_find(maxseq + 1) == NULL, "phantom seq");

	/* A new line lands on a line of its own. */
	memset(&j, 0, sizeof(j));
	j.seq = maxseq < ULLONG_MAX ? maxseq + 1 : 1;
	j.start = 1795689600.123;
	j.runtime = 0.5;
	j.status = 3;
	j.logcmd = "echo appended";
	joblog_write(&j);
	joblog_close();
	CHECK(joblog_open(logpath_mem, 1, 1, json) == 0,
	    "joblog_open again failed");
	f = joblog_find(j.seq);
	CHECK(f != NULL && f->exitval == 3 && f->sig == 0 &&
	    strcmp(f->cmd, "echo appended") == 0, "appended line lost");
	joblog_close();
	after = slurp(&len);
	CHECK(len > n && memcmp(after, p, n) == 0, "the log was rewritten");
	free(after);
out:
	for (k = 0; k < nref; k++)
		free(ref[k].e.cmd);
	free(ref);
}

static uint64_t
take(struct fin *f, int bytes)
{
	uint64_t v = 0;

	while (bytes-- > 0)
		v = v << 8 | (uint64_t)fin_byte(f);
	return v;
}

/* joblog_write's line parses back to the job it was written for. */
static void
round_trip(struct fin *f)
{
	unsigned long long seq;
	struct logent e;
	struct job j;
	struct strbuf q = { 0 }, back = { 0 }, posix = { 0 };
	char *log, *line, *cmd;
	size_t n, hl, cl = 0;
	int sig, exitval;

	memset(&j, 0, sizeof(j));
	j.seq = take(f, 8);
	if (j.seq == 0)
		j.seq = 1;
	j.start = (double)take(f, 5) + (double)take(f, 2) / 65536;
	j.runtime = (double)take(f, 4) / 1000;
	j.status = (int)(take(f, 2) % 257) - 1;
	j.termsig = (int)(take(f, 1) % 65);
	j.timed_out = fin_byte(f) & 1;
	j.sink[0].bytes = take(f, 8);
	if ((cmd = fin_field(f, '\0', &cl)) == NULL)
		cmd = strdup("");
	sb_add(&q, "", 0);
	shell_quote_line(&q, cmd, cl);
	j.logcmd = q.s;

	fresh_log(NULL, 0);
	CHECK(joblog_open(logpath_mem, 0, 1, json) == 0, "joblog_open failed");
	joblog_write(&j);
	joblog_close();
	log = slurp(&n);
	hl = json ? 0 : strlen("Seq\tHost\tStarttime\tJobRuntime\tSend\t"
	    "Receive\tExitval\tSignal\tCommand\n");
	CHECK(n > hl && log[n - 1] == '\n', "no line written");
	line = log + hl;
	CHECK(memchr(line, '\n', n - hl - 1) == NULL,
	    "a command broke the line: %s", line);
	CHECK(parse(line, n - hl - 1, &seq, &e) == 0,
	    "own line refused: %s", line);
	sig = j.termsig != 0 ? j.termsig : j.timed_out ? SIGTERM : 0;
	exitval = sig != 0 ? -1 : j.status;
	CHECK(seq == j.seq && e.exitval == exitval && e.sig == sig,
	    "line %s: seq %llu exitval %d sig %d", line, seq, e.exitval,
	    e.sig);
	CHECK(strcmp(e.cmd, q.s) == 0, "command '%s' logged as '%s'", q.s,
	    e.cmd);
	sh_unline(&back, e.cmd);
	sb_add(&posix, "", 0);
	shell_quote(&posix, cmd, cl);
	CHECK(strcmp(back.s, posix.s) == 0, "'%s' reads back as '%s', not "
	    "'%s'", e.cmd, back.s, posix.s);
	free(e.cmd);
	free(log);
	free(cmd);
	sb_free(&q);
	sb_free(&back);
	sb_free(&posix);
}

/* Whether s[0..n) is well-formed UTF-8 with no control character. */
static int
clean_text(const unsigned char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned cp;

	while (i < n) {
		if (s[i] < 0x20)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		len = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 :
		    s[i] >= 0xc0 ? 2 : 0;
		if (len == 0 || i + len > n)
			return 0;
		cp = s[i] & (0x7f >> len);
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* json.c: escaping any bytes is exact, whole or in pieces. */
static void
json_bytes(struct fin *f)
{
	struct strbuf whole = { 0 }, parts = { 0 }, back = { 0 };
	struct jesc je = { { 0 }, 0 };
	struct jcur c;
	const char *p = (const char *)f->p;
	size_t n = f->n, at = 0, k;
	unsigned r = 7;

	json_str(&whole, p, n);
	sb_addc(&parts, '"');
	while (at < n) {
		r = r * 1103515245 + 12345;
		k = (r >> 16) % 6;
		if (k > n - at)
			k = n - at;
		json_esc(&je, &parts, p + at, k, 0);
		at += k;
	}
	json_esc(&je, &parts, "", 0, 1);
	sb_addc(&parts, '"');
	CHECK(whole.len == parts.len && memcmp(whole.s, parts.s, whole.len)
	    == 0, "pieces escape differently: %s / %s", whole.s, parts.s);
	CHECK(clean_text((const unsigned char *)whole.s, whole.len),
	    "not clean JSON text: %s", whole.s);
	c.p = whole.s;
	c.end = whole.s + whole.len;
	CHECK(json_string(&c, &back) == 0 && c.p == c.end, "unreadable: %s",
	    whole.s);
	CHECK(back.len == n && memcmp(back.s, p, n) == 0, "not reversible: %s",
	    whole.s);
	sb_free(&whole);
	sb_free(&parts);
	sb_free(&back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	int sel = fin_byte(&f) % 6;

	json = sel >= 3;
	switch (sel) {
	case 0:
		one_line(f.p, f.n);
		break;
	case 3:
		one_json(f.p, f.n);
		break;
	case 1:
	case 4:
		whole_log(f.p, f.n);
		break;
	case 5:
		json_bytes(&f);
		f.p = data + 1;
		f.n = size > 0 ? size - 1 : 0;
		/* FALLTHROUGH */
	default:
		round_trip(&f);
		break;
	}
	return 0;
}
