/*
 * output.c - parx's stdout and stderr, and who may write to them.
 *
 * Each stream has at most one owner at a time: a running job that is in
 * the middle of a piece (a job passing its output through, or a
 * line-buffered job in the middle of a line), or the collector while it
 * prints a finished job.  The owner writes without holding outlock;
 * outlock only guards who owns what, so nobody ever blocks on it for
 * longer than a few instructions.  Workers write non-blocking (their poll
 * loop waits for POLLOUT), the collector with the blocking helpers of
 * io.c.
 *
 * A worker that wants a stream it cannot have registers its job as a
 * waiter and is woken through its eventfd: without -k when an owner gives
 * the stream back, under -k when its job's turn comes (live_seq).  A job
 * finished while another holds the stream waits in the collector
 * (ndeferred counts them); while any waits, workers do not take a stream,
 * and giving one back wakes the collector.
 *
 * When stdout is a pipe, parx writes to it through a private,
 * non-blocking description (opened through /proc/self/fd/1), so a full
 * pipe never blocks a worker and the parent's description keeps its
 * flags.  Jobs under -u still get the original fd 1.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define CHUNK	(64 * 1024)

static char collector_mark;
#define COLLECTOR	((struct job *)&collector_mark)

static struct ostream {
	int		 fd;
	int		 sock;		/* send(2) with MSG_DONTWAIT */
	int		 splice;	/* splice(2) into fd works */
	int		 closed;	/* gone: what comes is dropped */
	struct job	*owner;		/* under outlock */
} os[2];

static pthread_mutex_t outlock = PTHREAD_MUTEX_INITIALIZER;
/*
 * Held while the collector prints and while a message is written;
 * recursive, as a failed print writes a message.
 */
static pthread_mutex_t printlock = PTHREAD_RECURSIVE_MUTEX_INITIALIZER_NP;
static unsigned long long live_seq = 1;	/* -k: the job that may write */
static size_t ndeferred;		/* finished jobs waiting */
static struct job *waiters;		/* without -k: for a give-back */
static struct job **kwait;		/* -k: by seq % kwin */
static size_t kwin;
static int watchfd = -1;
static void (*wake_collector)(void);

/*
 * Before threads start.  window: how far ahead of the oldest unprinted
 * job a job can run (collect_window), the size of the -k waiting ring.
 */
void
output_init(void (*wake)(void), size_t window)
{
	struct stat st;
	char path[32];
	int s, fd, fl, nfd;

	wake_collector = wake;
	kwin = window;
	if (opts.keep_order)
		kwait = xcalloc(kwin, sizeof(*kwait));
	for (s = 0; s < 2; s++) {
		fd = s + 1;
		os[s].fd = fd;
		if (fstat(fd, &st) == -1 || (fl = fcntl(fd, F_GETFL)) == -1)
			continue;
		if (S_ISFIFO(st.st_mode) && (fl & O_ACCMODE) != O_RDONLY) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			nfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
			if (nfd >= 0)
				os[s].fd = nfd;
		}
		os[s].sock = S_ISSOCK(st.st_mode);
		os[s].splice = S_ISFIFO(st.st_mode) || S_ISREG(st.st_mode);
		if (s == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)))
			watchfd = os[0].fd;
	}
}

/* Poll it (no events) for POLLERR: the reader of stdout has gone. */
int
output_watch_fd(void)
{
	return watchfd;
}

int
output_fd(int s)
{
	return os[s].fd;
}

int
output_closed(int s)
{
	return __atomic_load_n(&os[s].closed, __ATOMIC_ACQUIRE);
}

/*
 * A write to stream s failed.  A reader that went away (EPIPE) ends the
 * run quietly with 141; any other error on stdout is reported once and
 * ends it with 255.  Errors on stderr have nowhere to go.
 */
void
output_failed(int s, int err)
{
	if (__atomic_exchange_n(&os[s].closed, 1, __ATOMIC_ACQ_REL))
		return;
	if (s != 0 || err == ECANCELED)
		return;
	if (err == EPIPE) {
		stop_request(STOP_PIPE, SIGTERM);
		return;
	}
	output_msgf("parx: write error on standard output: %s\n",
	    strerror(err));
	stop_request(STOP_WRITE, SIGTERM);
}

/* parx is being killed: nothing more is written. */
void
output_abandon(void)
{
	__atomic_store_n(&os[0].closed, 1, __ATOMIC_RELEASE);
	__atomic_store_n(&os[1].closed, 1, __ATOMIC_RELEASE);
}

static void
wake(struct job *j)
{
	uint64_t one = 1;

	j->wnext = NULL;
	__atomic_store_n(&j->waiting, 0, __ATOMIC_RELEASE);
	(void)!write(j->wakefd, &one, sizeof(one));
}

/* outlock held. */
static void
wait_add(struct job *j)
{
	__atomic_store_n(&j->waiting, 1, __ATOMIC_RELEASE);
	if (opts.keep_order) {
		kwait[j->seq % kwin] = j;
		return;
	}
	j->wnext = waiters;
	waiters = j;
}

/* outlock held: a stream became free. */
static void
wake_all(void)
{
	struct job *j, *nx;

	if (opts.keep_order) {
		j = kwait[live_seq % kwin];
		if (j != NULL && j->seq == live_seq) {
			kwait[live_seq % kwin] = NULL;
			wake(j);
		}
		return;
	}
	for (j = waiters, waiters = NULL; j != NULL; j = nx) {
		nx = j->wnext;
		wake(j);
	}
}

/*
 * Whether job j may write to stream s now; it then owns it until
 * output_give (or until the collector has printed it).  When not, j is
 * woken through its wakefd once it is worth asking again.
 */
int
output_take(struct job *j, int s)
{
	struct ostream *o = &os[s];
	int ok;

	if (__atomic_load_n(&j->waiting, __ATOMIC_ACQUIRE))
		return 0;
	LOCK(&outlock);
	if (o->owner == j)
		ok = 1;
	else
		ok = o->owner == NULL && (opts.keep_order ?
		    j->seq == live_seq : ndeferred == 0);
	if (ok)
		o->owner = j;
	else
		wait_add(j);
	UNLOCK(&outlock);
	return ok;
}

/* j is at the end of a piece on stream s: others may write. */
void
output_give(struct job *j, int s)
{
	int collector = 0;

	LOCK(&outlock);
	if (os[s].owner == j) {
		os[s].owner = NULL;
		if (!opts.keep_order)
			wake_all();
		collector = ndeferred > 0;
	}
	UNLOCK(&outlock);
	if (collector)
		wake_collector();
}

/* j ends: it must not be woken any more. */
void
output_unwait(struct job *j)
{
	struct job **pp;

	if (!__atomic_load_n(&j->waiting, __ATOMIC_ACQUIRE))
		return;
	LOCK(&outlock);
	if (j->waiting) {
		if (opts.keep_order) {
			if (kwait[j->seq % kwin] == j)
				kwait[j->seq % kwin] = NULL;
		} else {
			for (pp = &waiters; *pp != NULL; pp = &(*pp)->wnext)
				if (*pp == j) {
					*pp = j->wnext;
					break;
				}
		}
		j->waiting = 0;
	}
	UNLOCK(&outlock);
}

/* One non-blocking write by the owner of stream s. */
ssize_t
output_write_some(int s, const void *p, size_t n)
{
	ssize_t w;

	if (!os[s].sock)
		return io_write_some(os[s].fd, p, n);
	do
		w = send(os[s].fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (w == -1 && errno == EINTR);
	return w;
}

/* Bytes [*off, *off + n) of file fd to stream s, one step. */
ssize_t
output_copy_some(int s, int fd, off_t *off, size_t n)
{
	char buf[CHUNK];
	ssize_t r, w;

	if (!os[s].sock)
		return io_copy_some(fd, off, n, os[s].fd);
	if ((r = io_pread(fd, buf, n < sizeof(buf) ? n : sizeof(buf),
	    *off)) <= 0) {
		if (r == 0)
			errno = EIO;
		return -1;
	}
	if ((w = output_write_some(s, buf, (size_t)r)) > 0)
		*off += w;
	return w;
}

/*
 * Moves what pipe fd holds straight to stream s, without a copy through
 * user space.  EAGAIN: fd is empty or the output is full (the caller
 * knows which); EINVAL: not possible here, use read and write.
 */
ssize_t
output_splice_some(int s, int fd)
{
	ssize_t n;

	if (!__atomic_load_n(&os[s].splice, __ATOMIC_RELAXED)) {
		errno = EINVAL;
		return -1;
	}
	do
		n = splice(fd, NULL, os[s].fd, NULL, 1 << 20,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	while (n == -1 && errno == EINTR);
	if (n == -1 && (errno == EINVAL || errno == ENOSYS))
		__atomic_store_n(&os[s].splice, 0, __ATOMIC_RELAXED);
	return n;
}

/* Appends p with the job's tag and a TAB before each line. */
void
tag_lines(struct strbuf *sb, const struct job *j, const char *p, size_t n,
    int *bol)
{
	const char *nl;
	size_t k;

	while (n > 0) {
		if (*bol) {
			sb_add(sb, j->tag, j->taglen);
			sb_addc(sb, '\t');
		}
		nl = memchr(p, '\n', n);
		k = nl != NULL ? (size_t)(nl - p) + 1 : n;
		sb_add(sb, p, k);
		*bol = nl != NULL;
		p += k;
		n -= k;
	}
}

/* The collector: the rest of stream s of finished job j, blocking. */
static void
print_stream(struct job *j, int s)
{
	struct sink *k = &j->sink[s];
	struct strbuf sb = { 0 };
	char buf[CHUNK];
	size_t at;
	ssize_t n;
	int rc = 0;

	if (output_closed(s))
		return;
	if (k->pendoff < k->pend.len)
		rc = io_write_all(os[s].fd, k->pend.s + k->pendoff,
		    k->pend.len - k->pendoff);
	if (rc == 0 && j->tag == NULL)
		rc = outbuf_write(&k->buf, os[s].fd);
	else if (rc == 0) {
		for (at = k->buf.head; at < k->buf.total; at += (size_t)n) {
			if ((n = outbuf_read(&k->buf, at, buf, sizeof(buf))) <= 0) {
				rc = -1;
				break;
			}
			sb.len = 0;
			tag_lines(&sb, j, buf, (size_t)n, &k->bol);
			if ((rc = io_write_all(os[s].fd, sb.s, sb.len)) == -1)
				break;
		}
		sb_free(&sb);
	}
	if (rc == -1)
		output_failed(s, errno);
}

/*
 * The collector prints finished job j: its output, then its messages.
 * Returns 0 (nothing done) when a running job holds a stream; j then
 * counts as waiting until a call with queued set succeeds.
 */
int
output_print(struct job *j, int queued)
{
	int s;

	/* In an array task, results go to the run directory instead. */
	if (submit_tasking()) {
		submit_result(j);
		return 1;
	}
	LOCK(&outlock);
	for (s = 0; s < 2; s++)
		if (os[s].owner != NULL && os[s].owner != j) {
			if (!queued)
				ndeferred++;
			UNLOCK(&outlock);
			return 0;
		}
	os[0].owner = os[1].owner = COLLECTOR;
	if (queued)
		ndeferred--;
	UNLOCK(&outlock);

	LOCK(&printlock);
	print_stream(j, 0);
	/* --joblog -: the job's line right after its output. */
	if (j->logline != NULL && !output_closed(0) &&
	    io_write_all(os[0].fd, j->logline, strlen(j->logline)) == -1)
		output_failed(0, errno);
	print_stream(j, 1);
	if (j->errmsg != NULL && !output_closed(1) &&
	    !(output_closed(0) && j->interrupted) &&
	    io_write_all(os[1].fd, j->errmsg, strlen(j->errmsg)) == -1)
		output_failed(1, errno);
	UNLOCK(&printlock);

	LOCK(&outlock);
	os[0].owner = os[1].owner = NULL;
	if (j->seq >= live_seq)
		live_seq = j->seq + 1;
	wake_all();
	UNLOCK(&outlock);
	return 1;
}

/* Counts one more finished job waiting (see output_print). */
void
output_defer(void)
{
	LOCK(&outlock);
	ndeferred++;
	UNLOCK(&outlock);
}

/*
 * A message of its own on stderr, such as -t's command lines: never in
 * the middle of a job's output that the collector prints.
 */
void
output_msg(const char *p, size_t n)
{
	LOCK(&printlock);
	if (!output_closed(1) && io_write_all(os[1].fd, p, n) == -1)
		__atomic_store_n(&os[1].closed, 1, __ATOMIC_RELEASE);
	UNLOCK(&printlock);
}

void
output_msgf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	output_msg(s, (size_t)n);
	free(s);
}
