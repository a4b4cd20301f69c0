/*
 * resource.c - starting jobs only while the machine has room for them
 * (--load, --memfree), and the memory watcher that makes room when it
 * runs short.
 *
 * The gate: a worker calls res_gate before it starts a job.  One worker
 * at a time waits there (the others wait for it on a condition variable,
 * not on the clock): it reads the load average and the available memory
 * and, while they say no, reads them again every 100 ms, sleeping in
 * poll(2) on the stop pipe meanwhile, so a stop ends the wait at once.
 *
 * The watcher (--memfree only) is a thread of its own that reads the
 * available memory every 100 ms.  Below half of --memfree it asks the
 * youngest running job to go: runs register here in the order they start
 * (res_run_start), and the watcher marks the last one and wakes its worker
 * through the worker's eventfd; the run then ends its job and the worker
 * puts the job back in the queue (queue_requeue).  One job at a time is
 * asked, and the next only once that one has ended.
 *
 * Nothing here runs, and no thread starts, without --load or --memfree.
 * The numbers come from /proc/loadavg and /proc/meminfo, or from the same
 * files in $PARX_PROC when it is set (parx.1, ENVIRONMENT).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define RES_EVERY	100	/* ms between two looks */

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 turn;		/* for workers waiting at the gate */
	int		 busy;		/* one of them is looking */
	struct resrun	*head;		/* running jobs, oldest first */
	struct resrun	*tail;
	struct resrun	*asked;		/* asked to go, not ended yet */
} rs = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.turn = PTHREAD_COND_INITIALIZER,
};

static char loadpath[256] = "/proc/loadavg";
static char mempath[256] = "/proc/meminfo";

/* Reads file path into buf; the length, or -1. */
static ssize_t
slurp(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = io_read(fd, buf, size - 1);
	close(fd);
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* The 1-minute load average, or -1 when it cannot be read. */
static double
load_now(void)
{
	char buf[256];

	if (slurp(loadpath, buf, sizeof(buf)) <= 0)
		return -1;
	return strtod(buf, NULL);
}

/*
 * The memory available for new work, in bytes: MemAvailable, or on old
 * kernels MemFree + Buffers + Cached.  -1 when it cannot be read.
 */
static long long
mem_now(void)
{
	char buf[8192], *p;
	long long other = 0;
	const char *keys[] = { "MemFree:", "Buffers:", "Cached:" };
	size_t i;

	if (slurp(mempath, buf, sizeof(buf)) <= 0)
		return -1;
	if ((p = strstr(buf, "MemAvailable:")) != NULL)
		return strtoll(p + 13, NULL, 10) * 1024;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if ((p = strstr(buf, keys[i])) == NULL)
			return -1;
		other += strtoll(p + strlen(keys[i]), NULL, 10);
	}
	return other * 1024;
}

/*
 * Whether a job may start now.  A number that cannot be read does not
 * hold jobs back (a system without /proc runs them as without the
 * option).
 */
static int
room_now(void)
{
	double load;
	long long mem;

	if (opts.load > 0 && (load = load_now()) >= 0 && load >= opts.load)
		return 0;
	if (opts.memfree > 0 && (mem = mem_now()) >= 0 &&
	    (unsigned long long)mem < opts.memfree)
		return 0;
	return 1;
}

/*
 * Waits until a job may start; 0, or -1 when parx stops meanwhile.  Only
 * called with --load or --memfree.
 */
int
res_gate(void)
{
	struct pollfd pf = { stop_fd(), POLLIN, 0 };
	int ok = 0;

	LOCK(&rs.lock);
	while (rs.busy && !stop_requested())
		WAIT(&rs.turn, &rs.lock);
	rs.busy = 1;
	UNLOCK(&rs.lock);
	while (!stop_requested()) {
		if (room_now()) {
			ok = 1;
			break;
		}
		(void)poll(&pf, 1, RES_EVERY);
	}
	LOCK(&rs.lock);
	rs.busy = 0;
	SIGNAL(&rs.turn);
	UNLOCK(&rs.lock);
	return ok ? 0 : -1;
}

/* A stop: nobody waits at the gate any more. */
static void
res_stop(void)
{
	LOCK(&rs.lock);
	BROADCAST(&rs.turn);
	UNLOCK(&rs.lock);
}

/* --memfree: a run whose job just started; wakefd is its worker's. */
void
res_run_start(struct resrun *r, int wakefd)
{
	r->wakefd = wakefd;
	r->asked = 0;
	r->next = NULL;
	LOCK(&rs.lock);
	r->prev = rs.tail;
	if (rs.tail != NULL)
		rs.tail->next = r;
	else
		rs.head = r;
	rs.tail = r;
	UNLOCK(&rs.lock);
}

void
res_run_end(struct resrun *r)
{
	LOCK(&rs.lock);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		rs.head = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	else
		rs.tail = r->prev;
	if (rs.asked == r)
		rs.asked = NULL;
	UNLOCK(&rs.lock);
}

/* Whether the watcher asked r's job to go; 1 only the first time. */
int
res_run_killed(struct resrun *r)
{
	int asked;

	LOCK(&rs.lock);
	asked = r->asked == 1;
	if (asked)
		r->asked = 2;
	UNLOCK(&rs.lock);
	return asked;
}

/* Below half of --memfree: asks the youngest job to go. */
static void
make_room(void)
{
	uint64_t one = 1;
	struct resrun *r;

	LOCK(&rs.lock);
	if (rs.asked == NULL && (r = rs.tail) != NULL) {
		r->asked = 1;
		rs.asked = r;
		(void)!write(r->wakefd, &one, sizeof(one));
	}
	UNLOCK(&rs.lock);
}

static void *
watch_main(void *arg)
{
	struct pollfd pf = { stop_fd(), POLLIN, 0 };
	long long mem;

	(void)arg;
	while (!stop_requested()) {
		if ((mem = mem_now()) >= 0 &&
		    (unsigned long long)mem < opts.memfree / 2)
			make_room();
		(void)poll(&pf, 1, RES_EVERY);
	}
	return NULL;
}

/*
 * Main thread, before the workers: where the numbers come from; the
 * watcher thread for --memfree.  0, or an error number.
 */
int
res_start(void)
{
	const char *dir = getenv("PARX_PROC");
	pthread_t tid;
	int rc;

	if (opts.load == 0 && opts.memfree == 0)
		return 0;
	if (dir != NULL && *dir != '\0') {
		snprintf(loadpath, sizeof(loadpath), "%s/loadavg", dir);
		snprintf(mempath, sizeof(mempath), "%s/meminfo", dir);
	}
	stop_hook(res_stop);
	if (opts.memfree == 0)
		return 0;
	if ((rc = thread_start(&tid, watch_main, NULL, 256 * 1024)) != 0)
		return rc;
	pthread_detach(tid);
	return 0;
}
