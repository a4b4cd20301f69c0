/*
 * io.c - reading, writing and copying with one policy for every
 * descriptor, and the clocks.
 *
 * Every call retries EINTR.  A descriptor may be non-blocking (parx's own
 * private descriptions of stdout and stderr are, and a parent such as
 * Node.js may leave fd 1 so): the blocking helpers then wait in poll(2)
 * for POLLOUT on EAGAIN, never spin and never give up, except that the
 * wait ends when the cancel descriptor becomes readable (parx is being
 * killed: a second Ctrl-C); the write then fails with ECANCELED.  The
 * "_some" helpers make one attempt and leave EAGAIN to the caller, whose
 * poll loop waits for POLLOUT itself.
 *
 * No shared state but the cancel descriptor, set once before threads.
 */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/sendfile.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

#define CHUNK	(64 * 1024)

static int cancelfd = -1;

void
io_set_cancel(int fd)
{
	cancelfd = fd;
}

/* Waits until fd is ready for ev; -1 with ECANCELED when cancelled. */
int
io_wait(int fd, short ev)
{
	struct pollfd pf[2] = { { fd, ev, 0 }, { cancelfd, POLLIN, 0 } };

	for (;;) {
		if (poll(pf, cancelfd >= 0 ? 2 : 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (pf[1].revents != 0 && cancelfd >= 0) {
			errno = ECANCELED;
			return -1;
		}
		if (pf[0].revents != 0)
			return 0;
	}
}

ssize_t
io_read(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r == -1 && errno == EINTR);
	return r;
}

ssize_t
io_pread(int fd, void *buf, size_t n, off_t off)
{
	ssize_t r;

	do
		r = pread(fd, buf, n, off);
	while (r == -1 && errno == EINTR);
	return r;
}

/* One write: bytes written, or -1 (EAGAIN when fd is full). */
ssize_t
io_write_some(int fd, const void *p, size_t n)
{
	ssize_t w;

	do
		w = write(fd, p, n);
	while (w == -1 && errno == EINTR);
	if (w == 0 && n > 0) {
		errno = EIO;
		return -1;
	}
	return w;
}

/* Writes all of p; 0, or -1 with errno. */
int
io_write_all(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = io_write_some(fd, s, n)) == -1) {
			if (errno == EAGAIN && io_wait(fd, POLLOUT) == 0)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
io_pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		do
			w = pwrite(fd, s, n, off);
		while (w == -1 && errno == EINTR);
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		s += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/*
 * One step of copying bytes [*off, *off + n) of the file from to to:
 * sendfile(2), or pread and write where sendfile cannot.  Returns bytes
 * copied, or -1 (EAGAIN when to is full).
 */
ssize_t
io_copy_some(int from, off_t *off, size_t n, int to)
{
	static int nosendfile;
	char buf[CHUNK];
	ssize_t r, w;

	if (!__atomic_load_n(&nosendfile, __ATOMIC_RELAXED)) {
		do
			r = sendfile(to, from, off, n);
		while (r == -1 && errno == EINTR);
		if (r > 0)
			return r;
		if (r == 0) {
			errno = EIO;	/* the file is shorter than it said */
			return -1;
		}
		if (errno != EINVAL && errno != ENOSYS)
			return -1;
		__atomic_store_n(&nosendfile, 1, __ATOMIC_RELAXED);
	}
	if ((r = io_pread(from, buf, n < sizeof(buf) ? n : sizeof(buf),
	    *off)) <= 0) {
		if (r == 0)
			errno = EIO;
		return -1;
	}
	/*
	 * The whole piece read must go out, or be read again: a short or
	 * refused write leaves *off at what was written.
	 */
	if ((w = io_write_some(to, buf, (size_t)r)) > 0)
		*off += w;
	return w;
}

/* Copies bytes [off, off + n) of from to to; 0, or -1 with errno. */
int
io_copy_all(int from, off_t off, off_t n, int to)
{
	off_t end = off + n;
	ssize_t r;

	while (off < end) {
		r = io_copy_some(from, &off, (size_t)(end - off), to);
		if (r == -1) {
			if (errno == EAGAIN && io_wait(to, POLLOUT) == 0)
				continue;
			return -1;
		}
	}
	return 0;
}

double
clock_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Unix time, for logs; intervals use clock_mono. */
double
clock_wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * A poll(2) timeout for waking at time at (clock_mono): rounded up so the
 * wake-up is not early, and capped, since durations go up to 10^9 s and
 * an int of milliseconds does not (a capped wait just wakes and waits
 * again).  at == 0 means no timer: -1.
 */
int
io_poll_timeout(double at)
{
	double ms;

	if (at == 0)
		return -1;
	ms = (at - clock_mono()) * 1000;
	if (ms <= 0)
		return 0;
	if (ms >= (double)INT_MAX)
		return INT_MAX;
	return (int)ms + 1;
}
