/*
 * collect.c - the collector thread: takes finished jobs from the workers,
 * writes the joblog line and the progress bar, applies --halt, and prints
 * each job's output in one piece, in completion order or, with -k, in
 * input order.  It is the one writer of parx's stdout, except that under
 * --line-buffer workers pass whole lines through collect_lines, under the
 * same output lock.
 *
 * Under -k, results waiting behind an unfinished job sit in a ring indexed
 * by sequence number.  At most WINDOW of them wait (workers pause before
 * starting a job further ahead, see collect_window); together they keep at
 * most HOLD_MEM bytes in memory, and the rest goes to one unlinked hold
 * file, so memory follows -j, not the input.
 *
 * Pass-through: one running job at a time may own stdout and write its
 * stdout straight to it as it comes (collect_claim, collect_stream), which
 * keeps its piece contiguous and costs no copy: under -k the job whose
 * turn it is, otherwise a job that starts printing while no finished job
 * waits.  While a job owns stdout, finished jobs wait behind it (in the
 * deferred list, with the same limits as under -k).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define HOLD_MEM	(1024 * 1024)

static struct {
	pthread_mutex_t		 lock;
	pthread_cond_t		 more;		/* for the collector */
	pthread_cond_t		 window;	/* for workers under -k */
	struct job		*head;		/* handed over, in order */
	struct job		*tail;
	int			 finishing;
	unsigned long long	 total;
	int			 total_known;
	unsigned long long	 next;		/* -k: next seq to print */
	size_t			 window_size;
	size_t			 ndeferred;	/* copy of ndeferred */
	unsigned long long	 ndone;		/* finished, not interrupted */
	unsigned long long	 nfailed;
	unsigned long long	 nsucceeded;
	int			 halted;
	int			 haltcode;
} c = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.more = PTHREAD_COND_INITIALIZER,
	.window = PTHREAD_COND_INITIALIZER,
	.next = 1,
};

/* Writers of stdout and stderr hold outlock; it guards the two below. */
static pthread_mutex_t outlock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long long live_seq = 1;	/* -k: the job that may stream */
static struct job *owner;		/* the job streaming to stdout */
static size_t ndeferred;		/* finished jobs waiting for owner */
static int out_closed;			/* stdout's reader has gone */

/* The collector thread's own. */
static pthread_t tid;
static struct job **ring;
static struct job *dhead, *dtail;	/* deferred behind the owner */
static unsigned long long next = 1, maxseq;
static size_t held_mem, in_hold;
static int holdfd = -1;
static off_t holdend;

/* write_full, as 0 or -1 with errno. */
static int
write_all(int fd, const char *p, size_t n)
{
	return write_full(fd, p, n) == n ? 0 : -1;
}

/* Called with outlock held when a write to stdout failed. */
static void
out_failed(void)
{
	if (errno == EPIPE) {
		__atomic_store_n(&out_closed, 1, __ATOMIC_RELAXED);
		stop_request(STOP_PIPE, SIGTERM);
	} else if (!out_closed) {
		__atomic_store_n(&out_closed, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "parx: write error: %s\n", strerror(errno));
		stop_request(STOP_PIPE, SIGTERM);
	}
}

/* Writes p with tag + TAB before each line; *bol: at a line's start. */
static int
write_tagged(int fd, const struct job *j, const char *p, size_t n, int *bol)
{
	struct strbuf sb = { 0 };
	const char *nl;
	size_t k;
	int rc;

	while (n > 0) {
		if (*bol) {
			sb_add(&sb, j->tag, j->taglen);
			sb_addc(&sb, '\t');
		}
		nl = memchr(p, '\n', n);
		k = nl ? (size_t)(nl - p) + 1 : n;
		sb_add(&sb, p, k);
		*bol = nl != NULL;
		p += k;
		n -= k;
	}
	rc = sb.len ? write_all(fd, sb.s, sb.len) : 0;
	sb_free(&sb);
	return rc;
}

static int
write_stream(struct job *j, struct outbuf *ob, int fd, int *bol)
{
	char buf[64 * 1024];
	size_t off = 0;
	ssize_t n;

	if (j->tag == NULL)
		return outbuf_write(ob, fd);
	while (off < ob->total) {
		if ((n = outbuf_read(ob, off, buf, sizeof(buf))) <= 0)
			return -1;
		if (write_tagged(fd, j, buf, (size_t)n, bol) == -1)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Writes the stdout j holds; outlock held. */
static void
print_out(struct job *j)
{
	if (!j->streaming)
		j->bol = 1;
	if (!out_closed && j->out.total > 0 &&
	    write_stream(j, &j->out, 1, &j->bol) == -1)
		out_failed();
	outbuf_free(&j->out);
}

/* Writes what j holds; outlock held. */
static void
print_held(struct job *j)
{
	int bol = 1;

	print_out(j);
	if (!out_closed && j->err.total > 0)
		write_stream(j, &j->err, 2, &bol);
	outbuf_free(&j->err);
}

/* Prints all of j; outlock held. */
static void
print_locked(struct job *j)
{
	print_held(j);
	if (j->errmsg != NULL && !(out_closed && j->interrupted))
		write_all(2, j->errmsg, strlen(j->errmsg));
	if (j->seq >= live_seq)
		live_seq = j->seq + 1;
	if (owner == j)
		owner = NULL;
}

static void
print_job(struct job *j)
{
	LOCK(&outlock);
	print_locked(j);
	UNLOCK(&outlock);
}

/*
 * Makes j the owner of stdout if nothing can come between: returns 1
 * after writing what j has buffered so far.  Never blocks: when the
 * collector is busy writing, j keeps buffering.
 */
int
collect_claim(struct job *j)
{
	int ok;

	/*
	 * Under --bar the collector alone writes, between bar redraws; with
	 * --retries an attempt's output is not known to be the last one.
	 */
	if (opts.bar || opts.retries > 0 ||
	    pthread_mutex_trylock(&outlock) != 0)
		return 0;
	ok = !out_closed && owner == NULL && (opts.keep_order ?
	    j->seq == live_seq : ndeferred == 0);
	if (ok) {
		owner = j;
		j->bol = 1;
		j->streaming = 1;
		print_out(j);
	}
	UNLOCK(&outlock);
	return ok;
}

/*
 * One read from the owner's stdout pipe fd straight to stdout (splice(2)
 * moves it without a copy through user space).  Returns what the read
 * did, like read(2); once stdout is gone the bytes are read and dropped.
 * When fd is non-blocking, splice's EAGAIN could mean a full stdout as
 * well as an empty pipe, so read(2) and a blocking write are used.
 */
ssize_t
collect_stream(struct job *j, int fd, int nonblock)
{
	static int nosplice;
	char buf[64 * 1024];
	ssize_t n;

	if (j->tag == NULL && !nonblock &&
	    !__atomic_load_n(&nosplice, __ATOMIC_RELAXED) &&
	    !__atomic_load_n(&out_closed, __ATOMIC_RELAXED)) {
		for (;;) {
			n = splice(fd, NULL, 1, NULL, 1 << 20, SPLICE_F_MOVE);
			if (n == -1 && errno == EINTR)
				continue;
			/* fd blocks, so it is stdout that is full. */
			if (n == -1 && errno == EAGAIN) {
				wait_writable(1);
				continue;
			}
			break;
		}
		if (n >= 0)
			return n;
		if (errno != EINVAL && errno != ENOSYS) {
			LOCK(&outlock);
			out_failed();
			UNLOCK(&outlock);
		} else
			__atomic_store_n(&nosplice, 1, __ATOMIC_RELAXED);
	}
	do
		n = read(fd, buf, sizeof(buf));
	while (n == -1 && errno == EINTR);
	if (n <= 0 || __atomic_load_n(&out_closed, __ATOMIC_RELAXED))
		return n;
	if ((j->tag != NULL ? write_tagged(1, j, buf, (size_t)n, &j->bol) :
	    write_all(1, buf, (size_t)n)) == -1) {
		LOCK(&outlock);
		out_failed();
		UNLOCK(&outlock);
	}
	return n;
}

void
collect_lines(struct job *j, int stream, const char *p, size_t n)
{
	int bol = 1;

	LOCK(&outlock);
	if (out_closed) {
		UNLOCK(&outlock);
		return;
	}
	if (opts.keep_order && j->seq != live_seq) {
		outbuf_add(stream == 0 ? &j->out : &j->err, p, n);
		UNLOCK(&outlock);
		return;
	}
	print_held(j);
	if (j->tag != NULL) {
		if (write_tagged(stream + 1, j, p, n, &bol) == -1 &&
		    stream == 0)
			out_failed();
	} else if (write_all(stream + 1, p, n) == -1 && stream == 0)
		out_failed();
	UNLOCK(&outlock);
}

void
collect_msg(const char *p, size_t n)
{
	LOCK(&outlock);
	write_all(2, p, n);
	UNLOCK(&outlock);
}

/* The exit status --halt reports for a job (SPEC section 13.10). */
static int
job_code(const struct job *j)
{
	if (j->termsig != 0)
		return 128 + j->termsig;
	return j->status;
}

/* Counts j and applies --halt; c.lock held.  Returns 1 to stop. */
static int
count_job(const struct job *j)
{
	unsigned long long k;
	int hit;

	if (j->skip || j->interrupted)
		return 0;
	c.ndone++;
	if (j->failed)
		c.nfailed++;
	else
		c.nsucceeded++;
	if (c.halted || opts.halt.when == HALT_NEVER ||
	    j->failed != opts.halt.on_fail)
		return 0;
	k = opts.halt.on_fail ? c.nfailed : c.nsucceeded;
	if (opts.halt.percent)
		hit = (double)k * 100 >= opts.halt.n * (double)c.ndone;
	else
		hit = (double)k >= opts.halt.n;
	if (!hit)
		return 0;
	c.halted = 1;
	c.haltcode = opts.halt.on_fail ? job_code(j) : 0;
	return 1;
}

static size_t
mem_of(const struct job *j)
{
	return j->out.memlen + j->out.taillen + j->err.memlen +
	    j->err.taillen;
}

/* Keeps j until its turn; its output goes to the hold file if need be. */
static void
hold(struct job *j)
{
	size_t m = mem_of(j);

	if ((m > 0 && held_mem + m > HOLD_MEM) ||
	    (j->out.fd >= 0 && !j->out.shared) ||
	    (j->err.fd >= 0 && !j->err.shared)) {
		if (holdfd == -1)
			holdfd = tmpfile_open();
		/* If the hold file fails, j keeps its output as it is. */
		if (holdfd >= 0 && outbuf_move(&j->out, holdfd, &holdend) == 0 &&
		    outbuf_move(&j->err, holdfd, &holdend) == 0)
			in_hold++;
	}
	outbuf_shrink(&j->out);
	outbuf_shrink(&j->err);
	held_mem += mem_of(j);
}

static void
release(struct job *j)
{
	int shared = j->out.shared || j->err.shared;

	held_mem -= mem_of(j);
	print_job(j);
	job_free(j);
	/* Once nothing waiting is in the hold file, it starts over. */
	if (shared && --in_hold == 0 && ftruncate(holdfd, 0) == 0)
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

/*
 * Completion order: prints j, unless another job owns stdout; then j
 * waits in the deferred list until the owner is printed.  The decision
 * and the printing happen under one hold of outlock, so no job can take
 * stdout in between.
 */
static void
output_any(struct job *j)
{
	struct job *p;
	size_t n;

	LOCK(&outlock);
	if (owner != NULL && owner != j) {
		n = ++ndeferred;
		UNLOCK(&outlock);
		hold(j);
		if (dtail != NULL)
			dtail->next = j;
		else
			dhead = j;
		dtail = j;
		set_deferred(n);
		return;
	}
	print_locked(j);
	UNLOCK(&outlock);
	job_free(j);
	if (dhead == NULL)
		return;
	/* The owner is done: what waited for it goes out now, in order. */
	while ((p = dhead) != NULL) {
		dhead = p->next;
		release(p);
		LOCK(&outlock);
		ndeferred--;
		UNLOCK(&outlock);
	}
	dtail = NULL;
	set_deferred(0);
}

/* Prints j, or keeps it until the jobs before it are printed (-k). */
static void
output(struct job *j)
{
	struct job *p;

	if (!opts.keep_order) {
		output_any(j);
		return;
	}
	if (j->seq != next) {
		hold(j);
		ring[j->seq % c.window_size] = j;
		if (j->seq > maxseq)
			maxseq = j->seq;
		return;
	}
	print_job(j);
	job_free(j);
	next++;
	while ((p = ring[next % c.window_size]) != NULL && p->seq == next) {
		ring[next % c.window_size] = NULL;
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
	unsigned long long total, done, failed;
	int known;

	if (!j->skip && !j->interrupted && opts.joblog != NULL &&
	    !opts.dry_run)
		joblog_write(j);
	/* The bar's line must not run into job output on a terminal. */
	if (opts.bar)
		bar_clear();
	output(j);
	if (opts.bar) {
		LOCK(&c.lock);
		total = c.total;
		known = c.total_known;
		done = c.ndone;
		failed = c.nfailed;
		UNLOCK(&c.lock);
		bar_update(done, failed, total, known);
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
			release(p);
		}
	}
}

static void *
collect_main(void *arg)
{
	struct job *list, *j;

	(void)arg;
	LOCK(&c.lock);
	for (;;) {
		while (c.head == NULL && !c.finishing)
			WAIT(&c.more, &c.lock);
		if (c.head == NULL)
			break;
		list = c.head;
		c.head = c.tail = NULL;
		UNLOCK(&c.lock);
		while ((j = list) != NULL) {
			list = j->next;
			j->next = NULL;
			process(j);
		}
		LOCK(&c.lock);
	}
	UNLOCK(&c.lock);
	if (opts.keep_order)
		flush_held();
	while ((j = dhead) != NULL) {
		dhead = j->next;
		release(j);
	}
	return NULL;
}

void
collect_start(void)
{
	c.window_size = 4096;
	if ((size_t)opts.jobs * 4 > c.window_size)
		c.window_size = (size_t)opts.jobs * 4;
	if (opts.keep_order)
		ring = xcalloc(c.window_size, sizeof(*ring));
	xpthread(pthread_create(&tid, NULL, collect_main, NULL), __FILE__,
	    __LINE__);
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
 * finished jobs waiting: behind an unfinished job (-k), or behind the
 * owner of stdout.
 */
void
collect_window(unsigned long long seq)
{
	LOCK(&c.lock);
	while (!stop_requested() && (opts.keep_order ?
	    seq >= c.next + c.window_size : c.ndeferred >= c.window_size))
		WAIT(&c.window, &c.lock);
	UNLOCK(&c.lock);
}

void
collect_wake(void)
{
	LOCK(&c.lock);
	BROADCAST(&c.window);
	UNLOCK(&c.lock);
}

/* After the workers are done: prints the rest; returns the exit status. */
int
collect_finish(void)
{
	LOCK(&c.lock);
	c.finishing = 1;
	SIGNAL(&c.more);
	UNLOCK(&c.lock);
	xpthread(pthread_join(tid, NULL), __FILE__, __LINE__);
	if (opts.bar)
		bar_finish(c.ndone, c.nfailed, c.total);
	free(ring);
	if (holdfd >= 0)
		close(holdfd);
	if (c.halted)
		return c.haltcode;
	return c.nfailed > 100 ? 101 : (int)c.nfailed;
}
