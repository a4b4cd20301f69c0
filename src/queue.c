/*
 * queue.c - the bounded job queue between the reader and the workers.
 *
 * A ring of job pointers with one mutex, two condition variables and a
 * closed flag.  The reader thread pushes and blocks while the ring is
 * full, so memory does not grow with the input; worker threads pop and
 * block while it is empty.  The mutex is held only to move pointers.
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
	int		  closed;
} q = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.nonempty = PTHREAD_COND_INITIALIZER,
	.nonfull = PTHREAD_COND_INITIALIZER,
};

void
queue_init(size_t cap)
{
	q.ring = xcalloc(cap, sizeof(*q.ring));
	q.cap = cap;
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

/* Hands the oldest job to the caller; NULL when closed and empty. */
struct job *
queue_pop(void)
{
	struct job *j = NULL;

	LOCK(&q.lock);
	while (q.count == 0 && !q.closed)
		WAIT(&q.nonempty, &q.lock);
	if (q.count > 0) {
		j = q.ring[q.head];
		q.head = (q.head + 1) % q.cap;
		q.count--;
		SIGNAL(&q.nonfull);
	}
	UNLOCK(&q.lock);
	return j;
}

/* No more pushes; workers finish what is queued (see queue_drain). */
void
queue_close(void)
{
	LOCK(&q.lock);
	q.closed = 1;
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
	q.closed = 1;
	while (q.count > 0) {
		j = q.ring[q.head];
		q.head = (q.head + 1) % q.cap;
		q.count--;
		job_free(j);
	}
	BROADCAST(&q.nonempty);
	BROADCAST(&q.nonfull);
	UNLOCK(&q.lock);
}
