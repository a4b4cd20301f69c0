/*
 * sink.c - where one stream (stdout or stderr) of a running job goes.
 * The worker running the job calls in: sink_feed when the job's pipe is
 * readable, sink_push when the output can take more or its turn came,
 * sink_eof at the end of the pipe, sink_finish before the job goes to the
 * collector.  A sink belongs to its job, so to one thread at a time.
 *
 * What arrives is kept in the sink's outbuf (memory, then a spill file)
 * until it may be printed.  The mode is chosen once per run:
 *
 *   group  The collector prints the output when the job ends.  A job may
 *          instead pass its stdout through live when that delays nobody:
 *          under -k the job whose turn it is; otherwise a job whose
 *          output has outgrown the in-memory buffer while no finished job
 *          waits, or any job when only one runs at a time (-j1).  It then
 *          holds stdout until it ends; jobs finishing meanwhile wait.
 *          Untagged, its bytes go from its pipe to stdout by splice(2).
 *   line   Whole lines are written as they come; a job whose unfinished
 *          line outgrows the in-memory buffer holds the output for the
 *          rest of that line, so memory stays bounded and lines whole.
 *          Under -k only the job whose turn it is writes.
 *
 * Neither writes live under --retries or --memfree (an attempt may not
 * be the last: a failed one is retried, --memfree may end one to run it
 * again) nor, for group, under --bar (the collector alone writes between
 * bar redraws) or with hosts (a job whose host fails runs again).  Under
 * --results every byte stays in the outbuf until the job ends (printed or
 * not), so that results.c can write it: there is then no splice from the
 * job's pipe straight to the output.  Live writes never block: a full
 * output sets blocked, and the worker polls for
 * POLLOUT before reading the job's pipe again, so the job waits for the
 * reader as it would writing to stdout itself.
 */
#include <errno.h>
#include <string.h>

#include "parx.h"

#define PIECE	(16 * 1024)	/* tagged bytes prepared at once */

static int pass_ok;		/* group sinks may pass through */
static int line_live;		/* line sinks write as lines come */
static int single;		/* one job at a time */
static int keep;		/* --results: OUTBUF_KEEP or OUTBUF_WHOLE */

void
sink_init(int nworkers)
{
	int last = opts.retries == 0 && opts.memfree == 0;

	/* A job may run again when its host fails (exec.c). */
	pass_ok = opts.outmode == OUT_GROUP && !opts.bar && last &&
	    !opts.dry_run && !exec_hosts() && !submit_tasking();
	line_live = opts.outmode == OUT_LINE && last;
	single = nworkers == 1;
	if (opts.results != NULL)
		keep = opts.results_fmt == RES_DIR ? OUTBUF_WHOLE :
		    OUTBUF_KEEP;
}

/* Before an attempt: empty sinks. */
void
sink_start(struct job *j)
{
	int s;

	for (s = 0; s < 2; s++) {
		struct sink *k = &j->sink[s];

		outbuf_free(&k->buf);
		sb_free(&k->pend);
		memset(k, 0, sizeof(*k));
		outbuf_init(&k->buf);
		k->buf.keep = keep;
		k->stream = s;
		k->bol = 1;
	}
}

/* Whether sink k writes live rather than waiting for the collector. */
static int
wants_live(const struct sink *k)
{
	if (opts.outmode == OUT_LINE)
		return line_live;
	if (!pass_ok || k->stream != 0)
		return 0;
	return k->live || opts.keep_order || single ||
	    k->buf.total >= OUTBUF_MEMMAX;
}

static void
consume(struct sink *k, size_t n)
{
	outbuf_consume(&k->buf, n);
	if (k->buf.total == 0)
		k->nl = 0;
}

/* Where the bytes that may be written now end (a logical offset). */
static size_t
sendable(const struct sink *k)
{
	const struct outbuf *b = &k->buf;

	if (opts.outmode != OUT_LINE || k->eof)
		return b->total;
	if (k->nl > b->head)
		return k->nl;		/* whole lines */
	if (!k->bol || b->total - b->head > OUTBUF_MEMMAX)
		return b->total;	/* the rest of an over-long line */
	return b->head;
}

/* Stream s is gone: what comes is dropped. */
static void
drop(struct job *j, struct sink *k)
{
	consume(k, outbuf_left(&k->buf));
	k->pend.len = k->pendoff = 0;
	k->blocked = 0;
	if (k->live) {
		output_give(j, k->stream);
		k->live = 0;
	}
}

/* The next bytes go through memory: tagged, or read from the file. */
static void
prepare(struct job *j, struct sink *k, const struct piece *pc, size_t n)
{
	char buf[PIECE];
	const char *p = pc->p;
	ssize_t r;

	if (n > PIECE)
		n = PIECE;
	if (p == NULL) {
		if ((r = io_pread(pc->fd, buf, n, pc->off)) <= 0) {
			/* The spill file cannot be read back: say so. */
			job_errorf(j, "job %llu: cannot read back "
			    "output: %s", j->seq, r == 0 ? "short file" :
			    strerror(errno));
			consume(k, outbuf_left(&k->buf));
			return;
		}
		n = (size_t)r;
		p = buf;
	}
	if (j->tag != NULL)
		tag_lines(&k->pend, j, p, n, &k->bol);
	else {
		sb_add(&k->pend, p, n);
		k->bol = p[n - 1] == '\n';
	}
	consume(k, n);
}

/*
 * Writes what may be written now, without blocking; takes the output
 * stream first, and gives it back at the end of a line (line mode).
 */
void
sink_push(struct job *j, int s)
{
	struct sink *k = &j->sink[s];
	struct piece pc;
	size_t limit, n;
	ssize_t w;
	off_t off;

	if (k->blocked || !wants_live(k))
		return;
	for (;;) {
		if (output_closed(s)) {
			drop(j, k);
			return;
		}
		if (k->pendoff < k->pend.len) {
			w = output_write_some(s, k->pend.s + k->pendoff,
			    k->pend.len - k->pendoff);
			if (w == -1 && errno == EAGAIN) {
				k->blocked = 1;
				return;
			}
			if (w == -1)
				output_failed(s, errno);
			else
				k->pendoff += (size_t)w;
			continue;
		}
		k->pend.len = k->pendoff = 0;
		if ((limit = sendable(k)) <= k->buf.head) {
			if (k->live && opts.outmode == OUT_LINE && k->bol) {
				output_give(j, s);
				k->live = 0;
			}
			return;
		}
		if (!k->live && !(k->live = output_take(j, s)))
			return;
		outbuf_piece(&k->buf, k->buf.head, &pc);
		n = pc.len < limit - k->buf.head ? pc.len : limit - k->buf.head;
		if (j->tag != NULL || (pc.p == NULL && opts.outmode == OUT_LINE)) {
			prepare(j, k, &pc, n);
			continue;
		}
		off = pc.off;
		w = pc.p != NULL ? output_write_some(s, pc.p, n) :
		    output_copy_some(s, pc.fd, &off, n);
		if (w == -1 && errno == EAGAIN) {
			k->blocked = 1;
			return;
		}
		if (w == -1) {
			output_failed(s, errno);
			continue;
		}
		if (pc.p != NULL)
			k->bol = pc.p[w - 1] == '\n';
		consume(k, (size_t)w);
	}
}

/* Notes where the last newline of the n bytes just added is. */
static void
note_newline(struct sink *k, const char *p, size_t n)
{
	const char *e = memrchr(p, '\n', n);

	if (e != NULL)
		k->nl = k->buf.total - n + (size_t)(e - p) + 1;
}

/*
 * One read from the job's pipe fd into stream s.  Returns what read(2)
 * would: bytes, 0 at the end, or -1 (EAGAIN: nothing now, or the output
 * is full and the sink blocked).  final: the pipe is non-blocking and
 * being emptied for the last time.
 */
ssize_t
sink_feed(struct job *j, int s, int fd, char *scratch, int final)
{
	struct sink *k = &j->sink[s];
	char small[4096];
	ssize_t n;

	if (output_closed(s)) {
		drop(j, k);
		if ((n = io_read(fd, small, sizeof(small))) > 0)
			k->bytes += (unsigned long long)n;
		return n;
	}
	if (opts.outmode == OUT_LINE) {
		if ((n = io_read(fd, scratch, OUTBUF_MEMMAX)) <= 0)
			return n;
		outbuf_add(&k->buf, scratch, (size_t)n);
		note_newline(k, scratch, (size_t)n);
	} else {
		if (wants_live(k))
			sink_push(j, s);
		/* Passing through with nothing held: no copy at all. */
		if (k->live && !k->blocked && !final && j->tag == NULL &&
		    !keep && outbuf_left(&k->buf) == 0 &&
		    k->pendoff == k->pend.len) {
			n = output_splice_some(s, fd);
			if (n >= 0) {
				k->bytes += (unsigned long long)n;
				return n;
			}
			/* fd was readable, so it is the output that is full. */
			if (errno == EAGAIN) {
				k->blocked = 1;
				return -1;
			}
			if (errno != EINVAL) {
				output_failed(s, errno);
				return sink_feed(j, s, fd, scratch, final);
			}
		}
		if ((n = outbuf_fill(&k->buf, fd)) <= 0)
			return n;
	}
	k->bytes += (unsigned long long)n;
	sink_push(j, s);
	return n;
}

/* The job's pipe for stream s is at its end. */
void
sink_eof(struct job *j, int s)
{
	j->sink[s].eof = 1;
	sink_push(j, s);
}

/* Whether the worker should read the job's pipe for stream s now. */
int
sink_reads(const struct job *j, int s)
{
	return !j->sink[s].blocked;
}

/*
 * Whether a sink that holds its stream still has bytes to write: the job
 * is not over before they are out, so that no finished job holds the
 * output (the collector could otherwise wait for it behind others).
 */
int
sink_pending(const struct job *j)
{
	int s;

	for (s = 0; s < 2; s++) {
		const struct sink *k = &j->sink[s];

		if (k->live && !output_closed(s) &&
		    (k->pendoff < k->pend.len || outbuf_left(&k->buf) > 0))
			return 1;
	}
	return 0;
}

/* The attempt is over; the job goes to the collector, the streams back. */
void
sink_finish(struct job *j)
{
	int s;

	output_unwait(j);
	for (s = 0; s < 2; s++) {
		struct sink *k = &j->sink[s];

		k->blocked = 0;
		if (k->live) {
			output_give(j, s);
			k->live = 0;
		}
	}
}
