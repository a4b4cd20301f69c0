/*
 * collect.c - the collector, which runs in the main thread: takes finished
 * jobs from the workers, writes the joblog line, the progress bar and the
 * failure summary (summary.c), and has each job's output printed in one
 * piece (output.c), in completion order or, with -k, in input order.
 * --halt is decided in collect_put, in the worker's thread, before that
 * worker can start another job.
 *
 * Under -k, results waiting behind an unfinished job sit in a ring indexed
 * by sequence number.  Without -k, a finished job waits when a running job
 * holds the output (passing its output through, or in the middle of a
 * line): it joins the deferred list, and is printed, in order, once the
 * output is free.  At most WINDOW results wait either way (workers pause
 * before starting a job further ahead, see collect_window); together they
 * keep at most HOLD_MEM bytes in memory, and the rest goes to one unlinked
 * hold file, so memory follows -j, not the input.
 *
 * With --timeline the collector also keeps a small record of each job
 * that ran (timeline.c), drawn by collect_draw when the run is over.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define HOLD_MEM	(1024 * 1024)
#define WINDOW_MIN	4096

/* Shared with the workers, under c.lock. */
static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;		/* for the collector */
	pthread_cond_t		 window;	/* for workers */
	struct job		*head;		/* handed over, in order */
	struct job		*tail;
	int			 woken;		/* look at the deferred list */
	int			 nworkers;	/* -1 until known */
	int			 nextra;	/* started later */
	int			 ndone_workers;
	unsigned long long	 total;
	int			 total_known;
	unsigned long long	 next;		/* -k: next seq to print */
	size_t			 window_size;
	size_t			 ndeferred;	/* copy of the collector's */
	unsigned long long	 ndone;		/* finished, not interrupted */
	unsigned long long	 nfailed;
	unsigned long long	 nsucceeded;
	unsigned long long	 nskipped;	/* by --resume */
	unsigned long long	 nread;		/* --halt %: jobs read so far */
	int			 halted;
	int			 haltcode;	/* -1: the usual status */
	double			 median;	/* --timeout N%, or 0 */
} c = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.window = PTHREAD_COND_INITIALIZER,
	.nworkers = -1,
	.next = 1,
};

/* The collector's own. */
static struct job **ring;
static struct job *dhead, *dtail;	/* deferred: waiting for the output */
static size_t ndeferred;
static unsigned long long next = 1, maxseq;
static size_t held_mem, in_hold;	/* in_hold: streams in the file */
static int holdfd = -1;
static off_t holdend;
static struct timeline *tl;		/* --timeline: the jobs that ran */

/* The exit status --halt reports for a job (SPEC section 13.10). */
static int
job_code(const struct job *j)
{
	if (j->termsig != 0)
		return 128 + j->termsig;
	return j->status;
}

/*
 * --timeout N%: the median runtime of the jobs that succeeded, as GNU
 * parallel keeps it (a remedian: the median of medians of the last 999
 * values, in constant memory; exact up to 999 jobs).  c.lock held.
 */
#define REM	999

static int
dblcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median_of(const double *a, size_t n)
{
	double t[REM];

	memcpy(t, a, n * sizeof(*t));
	qsort(t, n, sizeof(*t), dblcmp);
	return t[(n - 1) / 2];
}

static void
median_add(double v)
{
	static double rem[3][REM];
	static size_t i;
	size_t n0, n1, n2;

	rem[0][i % REM] = v;
	n0 = i + 1 < REM ? i + 1 : REM;
	n1 = i / REM + 1 < REM ? i / REM + 1 : REM;
	n2 = i / REM / REM + 1 < REM ? i / REM / REM + 1 : REM;
	rem[1][i / REM % REM] = median_of(rem[0], n0);
	rem[2][i / REM / REM % REM] = median_of(rem[1], n1);
	c.median = median_of(rem[2], n2);
	i++;
}

/* How job j ended, for the --halt message. */
static void
outcome(const struct job *j, char *buf, size_t sz)
{
	if (!j->failed)
		snprintf(buf, sz, "succeeded");
	else if (j->timed_out)
		snprintf(buf, sz, "timed out");
	else if (j->termsig != 0)
		snprintf(buf, sz, "was killed by signal %d", j->termsig);
	else
		snprintf(buf, sz, "failed (exit status %d)", j->status);
}

/* Says on stderr, after j's output, why parx stops; c.lock held. */
static void
halt_message(struct job *j, unsigned long long k, unsigned long long total)
{
	static const char *const what[] = { "succeeded", "failed",
	    "finished" };
	char how[64], share[96] = "";

	outcome(j, how, sizeof(how));
	if (opts.halt.percent)
		snprintf(share, sizeof(share), " (%llu of %llu jobs %s)", k,
		    total, what[opts.halt.on_fail]);
	job_errorf(j, "job %llu %s: %s%s reached%s; %s", j->seq, how,
	    opts.halt.spec != NULL ? "--halt " : "--fail-fast",
	    opts.halt.spec != NULL ? opts.halt.spec : "", share,
	    opts.halt.when == HALT_NOW ? "stopping the running jobs" :
	    "starting no more jobs");
}

/*
 * Counts j and applies --halt; c.lock held.  Returns 1 to stop.  A
 * percentage is of all the jobs, as GNU parallel judges it: of those read
 * so far while the input is still being read.
 */
static int
count_job(struct job *j)
{
	unsigned long long k, total = 0;
	int hit;

	if (j->skip)
		c.nskipped++;
	if (j->skip || j->interrupted)
		return 0;
	c.ndone++;
	if (j->failed)
		c.nfailed++;
	else
		c.nsucceeded++;
	if (opts.timeout_pct > 0 && !j->failed)
		median_add(j->runtime);
	if (c.halted || opts.halt.when == HALT_NEVER ||
	    (opts.halt.on_fail == HALT_FAIL && !j->failed) ||
	    (opts.halt.on_fail == HALT_SUCCESS && j->failed))
		return 0;
	k = opts.halt.on_fail == HALT_FAIL ? c.nfailed :
	    opts.halt.on_fail == HALT_SUCCESS ? c.nsucceeded : c.ndone;
	if (opts.halt.percent) {
		total = c.total_known ? c.total :
		    __atomic_load_n(&c.nread, __ATOMIC_RELAXED);
		total = total > c.nskipped ? total - c.nskipped : 0;
		if (total < c.ndone)
			total = c.ndone;
		hit = (double)k * 100 >= opts.halt.n * (double)total;
	} else
		hit = (double)k >= opts.halt.n;
	if (!hit)
		return 0;
	c.halted = 1;
	c.haltcode = opts.halt.on_fail == HALT_FAIL ? job_code(j) :
	    opts.halt.on_fail == HALT_SUCCESS ? 0 : -1;
	halt_message(j, k, total);
	return 1;
}

static size_t
mem_of(const struct job *j)
{
	const struct outbuf *o = &j->sink[0].buf, *e = &j->sink[1].buf;

	return o->memlen + o->taillen + e->memlen + e->taillen;
}

/*
 * Keeps j until its turn: its output goes to the hold file when memory
 * is getting full or the job has a spill file of its own (descriptors
 * must not pile up).  A stream the hold file cannot take stays as it is.
 */
static void
hold(struct job *j)
{
	size_t m = mem_of(j);
	int s;

	for (s = 0; s < 2; s++) {
		struct outbuf *ob = &j->sink[s].buf;

		if (!((m > 0 && held_mem + m > HOLD_MEM) ||
		    (ob->fd >= 0 && !ob->shared)) || outbuf_left(ob) == 0)
			continue;
		if (holdfd == -1)
			holdfd = tmpfile_open();
		if (holdfd >= 0 && outbuf_move(ob, holdfd, &holdend) == 0)
			in_hold++;
	}
	outbuf_shrink(&j->sink[0].buf);
	outbuf_shrink(&j->sink[1].buf);
	held_mem += mem_of(j);
}

/* A held job was printed: frees it, and the hold file once unused. */
static void
release(struct job *j)
{
	int s;

	held_mem -= mem_of(j);
	for (s = 0; s < 2; s++)
		if (j->sink[s].buf.shared && j->sink[s].buf.fd == holdfd)
			in_hold--;
	job_free(j);
	if (holdfd >= 0 && in_hold == 0 && holdend > 0 &&
	    ftruncate(holdfd, 0) == 0)
		holdend = 0;
}

static void
set_deferred(size_t n)
{
	LOCK(&c.lock);
	c.ndeferred = n;
	BROADCAST(&c.window);
	UNLOCK(&c.lock);
}

/* Prints what waits for the output, in order, while the output is free. */
static void
flush_deferred(void)
{
	struct job *p;
	size_t n = ndeferred;

	while ((p = dhead) != NULL && output_print(p, 1)) {
		dhead = p->next;
		release(p);
		ndeferred--;
	}
	if (dhead == NULL)
		dtail = NULL;
	if (n != ndeferred)
		set_deferred(ndeferred);
}

/* Completion order: prints j now, or after the jobs that wait already. */
static void
output_any(struct job *j)
{
	if (dhead == NULL && output_print(j, 0)) {
		job_free(j);
		return;
	}
	if (dhead != NULL)
		output_defer();
	hold(j);
	if (dtail != NULL)
		dtail->next = j;
	else
		dhead = j;
	dtail = j;
	ndeferred++;
	set_deferred(ndeferred);
}

/* Input order: prints j, or keeps it until the jobs before it are done. */
static void
output_ordered(struct job *j)
{
	struct job *p;

	if (j->seq != next) {
		hold(j);
		ring[j->seq % c.window_size] = j;
		if (j->seq > maxseq)
			maxseq = j->seq;
		return;
	}
	/* Only the job whose turn it is can hold the output: this one. */
	if (!output_print(j, 0))
		abort();
	job_free(j);
	next++;
	while ((p = ring[next % c.window_size]) != NULL && p->seq == next) {
		ring[next % c.window_size] = NULL;
		if (!output_print(p, 0))
			abort();
		release(p);
		next++;
	}
	LOCK(&c.lock);
	c.next = next;
	BROADCAST(&c.window);
	UNLOCK(&c.lock);
}

static void
process(struct job *j)
{
	unsigned long long total, done, failed, skipped;
	int known;

	if (!j->skip && !j->interrupted && opts.joblog != NULL &&
	    !opts.dry_run)
		joblog_write(j);
	if (tl != NULL && !j->skip && !j->interrupted)
		timeline_add_job(tl, j);
	if (opts.summary && j->failed && !j->skip && !j->interrupted)
		summary_add(j);
	/* The bar's line must not run into job output on a terminal. */
	if (opts.bar)
		bar_clear();
	if (opts.keep_order)
		output_ordered(j);
	else
		output_any(j);
	if (opts.bar) {
		LOCK(&c.lock);
		total = c.total;
		known = c.total_known;
		done = c.ndone;
		failed = c.nfailed;
		skipped = c.nskipped;
		UNLOCK(&c.lock);
		/* Jobs --resume skips are neither to do nor done. */
		bar_update(done, failed, total - skipped, known);
	}
}

/* Under -k, what is left when jobs were dropped (halt, signal). */
static void
flush_held(void)
{
	struct job *p;

	for (; next <= maxseq; next++) {
		p = ring[next % c.window_size];
		if (p != NULL && p->seq == next) {
			ring[next % c.window_size] = NULL;
			output_print(p, 0);
			release(p);
		}
	}
}

void
collect_init(void)
{
	cond_init_mono(&c.window);
	c.window_size = WINDOW_MIN;
	if ((size_t)opts.jobs * 4 > c.window_size)
		c.window_size = (size_t)opts.jobs * 4;
	if (opts.keep_order)
		ring = xcalloc(c.window_size, sizeof(*ring));
	if (opts.timeline != NULL && !opts.dry_run)
		tl = timeline_new();
	output_init(collect_wake, c.window_size);
}

/* How many workers run: the collector ends when all are done. */
void
collect_workers(int n)
{
	LOCK(&c.lock);
	c.nworkers = n;
	SIGNAL(&c.more);
	UNLOCK(&c.lock);
}

/* The collector's loop, until every worker is done. */
void
collect_run(void)
{
	struct job *list, *j;

	LOCK(&c.lock);
	for (;;) {
		while (c.head == NULL && !c.woken &&
		    c.ndone_workers != c.nworkers + c.nextra)
			WAIT(&c.more, &c.lock);
		if (c.head == NULL && !c.woken)
			break;
		list = c.head;
		c.head = c.tail = NULL;
		c.woken = 0;
		UNLOCK(&c.lock);
		while ((j = list) != NULL) {
			list = j->next;
			j->next = NULL;
			process(j);
		}
		if (dhead != NULL)
			flush_deferred();
		LOCK(&c.lock);
	}
	UNLOCK(&c.lock);
	if (opts.keep_order)
		flush_held();
	flush_deferred();
}

/*
 * Takes ownership of j.  The worker calls this before it takes another
 * job, so --halt decides here, before anything else can start.
 */
void
collect_put(struct job *j)
{
	int halt;

	LOCK(&c.lock);
	halt = count_job(j);
	if (c.tail != NULL)
		c.tail->next = j;
	else
		c.head = j;
	c.tail = j;
	SIGNAL(&c.more);
	UNLOCK(&c.lock);
	if (halt)
		stop_request(opts.halt.when == HALT_NOW ? STOP_NOW :
		    STOP_SOON, SIGTERM);
}

/* A worker that runs will start n more (workers_more). */
void
collect_workers_add(int n)
{
	LOCK(&c.lock);
	c.nextra += n;
	UNLOCK(&c.lock);
}

void
collect_worker_done(void)
{
	LOCK(&c.lock);
	c.ndone_workers++;
	SIGNAL(&c.more);
	UNLOCK(&c.lock);
}

/* The reader has read n jobs (for --halt N%). */
void
collect_read(unsigned long long n)
{
	__atomic_store_n(&c.nread, n, __ATOMIC_RELAXED);
}

/* --timeout N%: the timeout now, in seconds; 0 while none is known. */
double
collect_timeout(void)
{
	double t;

	LOCK(&c.lock);
	t = c.median * opts.timeout_pct;
	UNLOCK(&c.lock);
	return t;
}

void
collect_total(unsigned long long n)
{
	LOCK(&c.lock);
	c.total = n;
	c.total_known = 1;
	UNLOCK(&c.lock);
}

/*
 * Waits until job seq may start without more than the window's worth of
 * finished jobs waiting: behind an unfinished job (-k), or behind a job
 * that holds the output.  Returns 1 then, or 0 once until (clock_mono;
 * 0: no limit) has come first.
 */
int
collect_window(unsigned long long seq, double until)
{
	int ok;

	LOCK(&c.lock);
	for (;;) {
		ok = stop_requested() || !(opts.keep_order ?
		    seq >= c.next + c.window_size :
		    c.ndeferred >= c.window_size);
		if (ok || (until > 0 && clock_mono() >= until))
			break;
		cond_wait_until(&c.window, &c.lock, until);
	}
	UNLOCK(&c.lock);
	return ok;
}

/* Any thread: a stop, or the output became free. */
void
collect_wake(void)
{
	LOCK(&c.lock);
	c.woken = 1;
	SIGNAL(&c.more);
	BROADCAST(&c.window);
	UNLOCK(&c.lock);
}

/* After collect_run: the bar's last line; returns the jobs' exit status. */
int
collect_status(void)
{
	if (opts.bar)
		bar_finish(c.ndone, c.nfailed, c.total - c.nskipped);
	if (opts.summary)
		summary_print(c.nfailed, c.ndone);
	free(ring);
	if (holdfd >= 0)
		close(holdfd);
	if (c.halted && c.haltcode >= 0)
		return c.haltcode;
	return c.nfailed > 100 ? 101 : (int)c.nfailed;
}

/*
 * --timeline, after collect_run: draws the jobs that ran (those parx
 * interrupted and those --resume skipped are not in it) to fd.  Returns
 * 0, or -1 with errno.
 */
int
collect_draw(int fd, const char *title)
{
	int rc;

	rc = timeline_write(tl, fd, title);
	timeline_free(tl);
	tl = NULL;
	return rc;
}
