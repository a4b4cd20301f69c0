/*
 * queue.c - the bounded job queue between the reader and the workers.
 *
 * A ring of job pointers with one mutex, two condition variables and a
 * closed flag.  The reader thread pushes and blocks while the ring is
 * full, so memory does not grow with the input; worker threads pop and
 * block while it is empty.  The mutex is held only to move pointers.
 *
 * Under --delay the queue also hands out start times, with the pop, so
 * that they follow input order; a retry asks for one with
 * queue_delay_next, which never waits for input.
 *
 * A job that must run again without counting as a retry (its host went
 * away, memory ran short) is put back with queue_requeue: it goes before
 * everything queued.  So that someone is left to run it, workers wait
 * for more while jobs are running, even once the input has ended.
 *
 * A failed job waiting for its retry (--retry-delay) is put back the same
 * way with a start time, j->not_before: it waits in the queue, not in a
 * worker, so its slot runs other jobs meanwhile.  A pop takes the first
 * requeued job whose time has come, else the oldest queued one, else
 * waits until the earliest time.  So that waiting retries cannot pile up
 * without bound, no queued job is taken while there are as many of them
 * as the ring holds.
 */
#include <stdlib.h>

#include "parx.h"

static struct {
	pthread_mutex_t	  lock;
	pthread_cond_t	  nonempty;
	pthread_cond_t	  nonfull;
	struct job	**ring;
	size_t		  cap;
	size_t		  head;		/* next to pop */
	size_t		  count;
	int		  closed;	/* no more pushes */
	int		  stopped;	/* nothing more starts */
	struct job	 *again;	/* requeued, first out */
	struct job	 *again_tail;
	size_t		  nagain;
	size_t		  running;	/* popped and not done */
	double		  next_start;	/* --delay */
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.nonfull = PTHREAD_COND_INITIALIZER,
};

void
queue_init(size_t cap)
{
	q.ring = xcalloc(cap, sizeof(*q.ring));
	q.cap = cap;
	cond_init_mono(&q.nonempty);
}

/* Takes ownership of j on success; returns -1 (j untouched) once closed. */
int
queue_push(struct job *j)
{
	LOCK(&q.lock);
	while (q.count == q.cap && !q.closed)
		WAIT(&q.nonfull, &q.lock);
	if (q.closed) {
		UNLOCK(&q.lock);
		return -1;
	}
	q.ring[(q.head + q.count) % q.cap] = j;
	q.count++;
	SIGNAL(&q.nonempty);
	UNLOCK(&q.lock);
	return 0;
}

/* --delay: when the next job may start; q.lock held. */
static double
delay_next(void)
{
	double t = clock_mono(), at = q.next_start > t ? q.next_start : t;

	q.next_start = at + opts.delay;
	return at;
}

/*
 * The first requeued job that may start now, taken off the list; else
 * NULL, and *next is when the earliest one may (0: none waits).  q.lock
 * held.
 */
static struct job *
again_take(double *next)
{
	struct job *j, *prev = NULL;
	double now = 0;

	*next = 0;
	for (j = q.again; j != NULL; prev = j, j = j->next) {
		if (j->not_before > 0) {
			if (now == 0)
				now = clock_mono();
			if (j->not_before > now) {
				if (*next == 0 || j->not_before < *next)
					*next = j->not_before;
				continue;
			}
		}
		if (prev != NULL)
			prev->next = j->next;
		else
			q.again = j->next;
		if (q.again_tail == j)
			q.again_tail = prev;
		j->next = NULL;
		q.nagain--;
		return j;
	}
	return NULL;
}

/*
 * Hands the next job to the caller: a requeued one first, then the
 * oldest.  NULL when nothing is left to run.  done: the caller finished
 * the job it had before.  Under --delay, *start_at is when it may start.
 */
struct job *
queue_pop(double *start_at, int done)
{
	struct job *j = NULL;
	double next;

	LOCK(&q.lock);
	if (done && --q.running == 0 && q.closed)
		BROADCAST(&q.nonempty);
	while (!q.stopped) {
		if ((j = again_take(&next)) != NULL)
			break;
		if (q.count > 0 && q.nagain < q.cap) {
			j = q.ring[q.head];
			q.head = (q.head + 1) % q.cap;
			q.count--;
			SIGNAL(&q.nonfull);
			break;
		}
		if (q.closed && q.running == 0 && q.again == NULL)
			break;
		cond_wait_until(&q.nonempty, &q.lock, next);
	}
	if (j != NULL) {
		q.running++;
		if (opts.delay > 0)
			*start_at = delay_next();
	}
	UNLOCK(&q.lock);
	return j;
}

/*
 * Puts back a job the caller popped, to run again before anything else,
 * once j->not_before (clock_mono; 0: at once) has come.  Returns -1 (j
 * untouched, still the caller's) once parx is stopping.
 */
int
queue_requeue(struct job *j)
{
	LOCK(&q.lock);
	if (q.stopped) {
		UNLOCK(&q.lock);
		return -1;
	}
	j->next = NULL;
	if (q.again_tail != NULL)
		q.again_tail->next = j;
	else
		q.again = j;
	q.again_tail = j;
	q.nagain++;
	q.running--;
	/* Waiters may be waiting for a later time, or for the end. */
	BROADCAST(&q.nonempty);
	UNLOCK(&q.lock);
	return 0;
}

/* When the earliest job waiting for its time may start; 0: none waits. */
double
queue_next_due(void)
{
	struct job *j;
	double at = 0;

	LOCK(&q.lock);
	for (j = q.again; j != NULL; j = j->next)
		if (at == 0 || j->not_before < at)
			at = j->not_before > 0 ? j->not_before : clock_mono();
	UNLOCK(&q.lock);
	return at;
}

/* --delay: a start time for a retry, without waiting for input. */
double
queue_delay_next(void)
{
	double at;

	LOCK(&q.lock);
	at = delay_next();
	UNLOCK(&q.lock);
	return at;
}

/* No more pushes; workers finish what is queued (see queue_drain). */
void
queue_close(void)
{
	LOCK(&q.lock);
	q.closed = 1;
	if (q.running == 0)
		BROADCAST(&q.nonempty);
	BROADCAST(&q.nonfull);
	UNLOCK(&q.lock);
}

/* Closes the queue and frees the jobs still in it: nothing more starts. */
void
queue_drain(void)
{
	struct job *j;

	LOCK(&q.lock);
	q.closed = q.stopped = 1;
	while (q.count > 0) {
		j = q.ring[q.head];
		q.head = (q.head + 1) % q.cap;
		q.count--;
		job_free(j);
	}
	while ((j = q.again) != NULL) {
		q.again = j->next;
		job_free(j);
	}
	q.again_tail = NULL;
	q.nagain = 0;
	BROADCAST(&q.nonempty);
	BROADCAST(&q.nonfull);
	UNLOCK(&q.lock);
}
