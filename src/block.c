/*
 * block.c - the blocks of --pipe input: their memory, how their bytes
 * reach a job, and the hand-off of --round-robin.  The reader thread
 * (pipe.c) fills memory blocks and makes file ranges; the worker running
 * a job gives the job its block (run.c) and frees it once the job is
 * final, so that a retry gets the same bytes.  One lock guards the pool
 * and the round-robin queue; it is held only to move pointers.
 *
 * Memory blocks come from a pool of -j + 2 buffers: one per running job,
 * one queued, one being filled.  The reader waits for a free buffer, so
 * memory stays near (-j + 2) x the block size whatever the input.  Each
 * buffer is mapped once (aligned for transparent huge pages when a block
 * is that big) and reused.
 *
 * Bytes reach a job without a copy where that pays: a file range goes
 * from the page cache into the job's pipe (sendfile, which splices), and
 * a big memory block's pages go into it by reference (vmsplice).  Such
 * pages may still sit in a pipe after the job ended (a child, or whatever
 * the job spliced them to, may read them later), so a buffer whose pages
 * went out by reference is unmapped (MADV_DONTNEED) before it is filled
 * again: it gets fresh pages, and the old ones live as long as anything
 * refers to them.  Fresh small pages cost more than a copy, so blocks
 * below a huge page are written instead.
 *
 * --round-robin: the first -j blocks each start a job; later ones wait in
 * a queue of one, and a job whose block has all gone into its pipe takes
 * the next (block_rr_take).  A job with nothing to take registers its
 * worker's eventfd and is woken when a block comes or the input ends.
 */
#include <sys/mman.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define HUGEPAGE	(2UL << 20)
#define GIVE_MAX	(1UL << 20)	/* bytes per step from a file */

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 room;		/* for the reader */
	struct block	*bufs;
	struct block	*free;
	size_t		 cap;		/* a buffer's usual size */
	int		 stopping;
	struct block	*rrq;		/* round-robin: the block waiting */
	int		 rrend;		/* no more blocks will come */
	int		 rrjobs;	/* jobs that may still take blocks */
	int		*waiting;	/* eventfds of jobs waiting for one */
	int		 nwaiting;
} pool = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.room = PTHREAD_COND_INITIALIZER,
};

static int srcfd = -1;		/* file ranges are read from it */
static int byref;		/* memory blocks go by reference */

static size_t
round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* Maps cap bytes, a multiple of what map_size rounds to, aligned to it. */
static char *
map(size_t cap)
{
	size_t align = cap >= HUGEPAGE ? HUGEPAGE : (size_t)getpagesize();
	uintptr_t p, a;
	void *m;

	m = mmap(NULL, cap + align, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	p = (uintptr_t)m;
	a = (p + align - 1) / align * align;
	if (a > p)
		munmap(m, a - p);
	munmap((void *)(a + cap), p + align - a);
	if (align == HUGEPAGE)
		madvise((void *)a, cap, MADV_HUGEPAGE);
	return (char *)a;
}

static size_t
map_size(size_t n)
{
	return round_up(n, n >= HUGEPAGE ? HUGEPAGE : (size_t)getpagesize());
}

/*
 * Before threads start.  fd: where file ranges are read from (-1: none);
 * nbufs memory buffers of at least cap bytes (0: no memory blocks).
 */
void
block_init(int fd, int nbufs, size_t cap)
{
	int i;

	srcfd = fd;
	pool.cap = map_size(cap);
	byref = pool.cap >= HUGEPAGE;
	pool.waiting = xcalloc(opts.jobs + 1, sizeof(*pool.waiting));
	pool.rrjobs = 0;
	if (nbufs == 0)
		return;
	pool.bufs = xcalloc(nbufs, sizeof(*pool.bufs));
	for (i = 0; i < nbufs; i++) {
		pool.bufs[i].pooled = 1;
		pool.bufs[i].next = pool.free;
		pool.free = &pool.bufs[i];
	}
}

/*
 * A free memory block, empty; waits for one.  NULL when parx is stopping
 * (or, with errno ENOMEM, when no memory could be mapped).
 */
struct block *
block_get(void)
{
	struct block *b;

	LOCK(&pool.lock);
	while (pool.free == NULL && !pool.stopping)
		WAIT(&pool.room, &pool.lock);
	if ((b = pool.free) != NULL && !pool.stopping)
		pool.free = b->next;
	else
		b = NULL;
	UNLOCK(&pool.lock);
	if (b == NULL)
		return NULL;
	b->next = NULL;
	b->len = 0;
	if (b->mem == NULL) {
		if ((b->mem = map(pool.cap)) == NULL) {
			block_free(b);
			errno = ENOMEM;
			return NULL;
		}
		b->cap = pool.cap;
	}
	return b;
}

/* Makes room in b for need bytes; 0, or -1 when memory is short. */
int
block_grow(struct block *b, size_t need)
{
	size_t cap;
	void *m;

	if (need <= b->cap)
		return 0;
	cap = map_size(need > 2 * b->cap ? need : 2 * b->cap);
	m = mremap(b->mem, b->cap, cap, MREMAP_MAYMOVE);
	if (m == MAP_FAILED)
		return -1;
	b->mem = m;
	b->cap = cap;
	return 0;
}

/* A block that is bytes [off, off + len) of the input file. */
struct block *
block_range(off_t off, size_t len)
{
	struct block *b = xcalloc(1, sizeof(*b));

	b->off = off;
	b->len = len;
	return b;
}

/*
 * Done with b: a memory block goes back to the pool, with fresh pages if
 * its own went out by reference; a block grown for a long record is
 * unmapped, and mapped at its usual size when next needed.
 */
void
block_free(struct block *b)
{
	if (b == NULL)
		return;
	if (!b->pooled) {
		free(b->mem);
		free(b);
		return;
	}
	if (b->mem != NULL && b->cap != pool.cap) {
		munmap(b->mem, b->cap);
		b->mem = NULL;
	} else if (b->spliced)
		madvise(b->mem, map_size(b->touched), MADV_DONTNEED);
	b->len = b->touched = 0;
	b->spliced = 0;
	LOCK(&pool.lock);
	b->next = pool.free;
	pool.free = b;
	SIGNAL(&pool.room);
	UNLOCK(&pool.lock);
}

/*
 * One step of giving bytes [at, len) of b to fd, a pipe that does not
 * block.  Returns the bytes given, or -1 (EAGAIN: the pipe is full; EPIPE:
 * nobody reads it; EIO: the input file ended early).
 */
ssize_t
block_give(struct block *b, size_t at, int fd)
{
	size_t n = b->len - at;
	struct iovec iov;
	ssize_t w;
	off_t off;

	if (b->mem == NULL) {
		off = b->off + (off_t)at;
		return io_copy_some(srcfd, &off, n < GIVE_MAX ? n : GIVE_MAX,
		    fd);
	}
	if (byref && b->pooled) {
		iov.iov_base = b->mem + at;
		iov.iov_len = n;
		do
			w = vmsplice(fd, &iov, 1, SPLICE_F_NONBLOCK);
		while (w == -1 && errno == EINTR);
		if (w > 0)
			b->spliced = 1;
		if (w >= 0 || (errno != EINVAL && errno != ENOSYS))
			return w;
	}
	return io_write_some(fd, b->mem + at, n);
}

/* Writes all of b to fd (--cat: a file); 0, or -1 with errno. */
int
block_write(const struct block *b, int fd)
{
	if (b->mem == NULL)
		return io_copy_all(srcfd, b->off, (off_t)b->len, fd);
	return io_write_all(fd, b->mem, b->len);
}

static void
wake_fd(int fd)
{
	uint64_t one = 1;

	(void)!write(fd, &one, sizeof(one));
}

/* Wakes the jobs waiting for a block; pool.lock held. */
static void
wake_waiting(int all)
{
	while (pool.nwaiting > 0) {
		wake_fd(pool.waiting[--pool.nwaiting]);
		if (!all)
			break;
	}
}

/* Registers eventfd fd to be woken for a block, once; pool.lock held. */
static void
wait_add(int fd)
{
	int i;

	for (i = 0; i < pool.nwaiting; i++)
		if (pool.waiting[i] == fd)
			return;
	pool.waiting[pool.nwaiting++] = fd;
}

/* fd waits no more, so that a wake-up goes to one that does. */
static void
wait_remove(int fd)
{
	int i;

	for (i = 0; i < pool.nwaiting; i++)
		if (pool.waiting[i] == fd)
			pool.waiting[i--] = pool.waiting[--pool.nwaiting];
}

/* --round-robin: one more job will take blocks. */
void
block_rr_join(void)
{
	LOCK(&pool.lock);
	pool.rrjobs++;
	UNLOCK(&pool.lock);
}

/*
 * --round-robin: hands b to the next job that can take it, waiting while
 * one block waits already.  -1 (b freed) when no job will take it: all
 * have ended, or parx is stopping.
 */
int
block_rr_put(struct block *b)
{
	LOCK(&pool.lock);
	while (pool.rrq != NULL && pool.rrjobs > 0 && !pool.stopping)
		WAIT(&pool.room, &pool.lock);
	if (pool.rrjobs == 0 || pool.stopping) {
		UNLOCK(&pool.lock);
		block_free(b);
		return -1;
	}
	pool.rrq = b;
	wake_waiting(0);
	UNLOCK(&pool.lock);
	return 0;
}

/* --round-robin: the input has ended. */
void
block_rr_end(void)
{
	LOCK(&pool.lock);
	pool.rrend = 1;
	wake_waiting(1);
	UNLOCK(&pool.lock);
}

/*
 * --round-robin: the next block for the job whose worker has eventfd
 * wakefd.  NULL with *end set: there will be none; NULL alone: none yet,
 * and wakefd is woken when that changes.
 */
struct block *
block_rr_take(int wakefd, int *end)
{
	struct block *b;

	*end = 0;
	LOCK(&pool.lock);
	if ((b = pool.rrq) != NULL) {
		pool.rrq = NULL;
		wait_remove(wakefd);
		SIGNAL(&pool.room);
	} else if (pool.rrend || pool.stopping)
		*end = 1;
	else
		wait_add(wakefd);
	UNLOCK(&pool.lock);
	return b;
}

/* --round-robin: a job takes no more blocks (wakefd was its worker's). */
void
block_rr_quit(int wakefd)
{
	LOCK(&pool.lock);
	wait_remove(wakefd);
	if (--pool.rrjobs == 0)
		SIGNAL(&pool.room);
	UNLOCK(&pool.lock);
}

/* A stop hook: the reader stops waiting, round-robin jobs get no more. */
void
block_stop(void)
{
	LOCK(&pool.lock);
	pool.stopping = 1;
	BROADCAST(&pool.room);
	wake_waiting(1);
	UNLOCK(&pool.lock);
}
