/*
 * exec.c - how and where a job runs: the executor seam shared by local
 * jobs, jobs over ssh (exec_ssh.c) and, later, Slurm job steps.
 *
 * Without -S or --slf every job runs here: exec_attempt is a plain call of
 * run_attempt, with nothing more per job (no lock, no allocation, no
 * exec_ctx).
 *
 * With them, jobs go to hosts.  A host (struct host, exec.h) is a place
 * that runs up to `slots` jobs at once; an executor (struct executor) is
 * the way to run a job there: exec_local for ":", exec_ssh for a login.
 * Workers are started for the slots of all the hosts, and each attempt of
 * a job goes through exec_attempt, in the worker thread that owns the job:
 *
 *   host_take   takes a slot of an up host: the one with the most free
 *               slots, and not the host the job's last attempt failed on
 *               when another has a free slot (--retries go elsewhere);
 *               sets up first any host whose time to be set up has come;
 *               waits while every slot is busy; returns "none" when no
 *               host is up, being set up, or suspect.
 *   before      hook: what must happen before the attempt (ssh: send the
 *               --transferfile files).
 *   command     hook: makes the attempt's local command (struct attempt,
 *               parx.h) from the job's argv and envp: argv, envp, stdin
 *               (fd_in) and `end`, called by run.c instead of killpg to end
 *               the command with a signal (ssh: tell the remote wrapper).
 *               No hook: the job's argv runs here.
 *   run_attempt run.c, exactly as for a local job: pipes, output, timers,
 *               stops; the local process is the one `command` made.
 *   after       hook: judges the outcome: ATT_HOST when the *host* failed
 *               (the job's own status stands otherwise, and the hook may
 *               correct it), then brings results back and cleans up.
 *   host_give   frees the slot; ATT_HOST takes the host out of the
 *               rotation.
 *
 * A host that failed costs the job nothing: exec_attempt returns
 * EXEC_REQUEUE, the worker drops the attempt's output and puts the job back
 * at the front of the queue (queue_requeue) without using a retry (with
 * hosts, sink.c holds group output until a job ends, so it is printed
 * once).  The host becomes H_SUSPECT; once its back-off has passed (1 s,
 * doubling up to 60 s while it keeps failing) the next worker looking for a
 * slot sets it up again (the setup hook: for ssh, connect and probe), and
 * H_DOWN when that fails.  Jobs wait for a suspect host, not for a down
 * one: when every host is down the remaining jobs fail with "no usable
 * host" (why each host is out of use is said once).  Slots: N of N/LOGIN,
 * else -j applied to the host's CPU count (learnt by setup), else its CPU
 * count; a host that comes up with more slots than workers were started
 * for starts more (workers_more).
 *
 * Hosts are set up at the start in parallel, a thread each (exec_start, in
 * the main thread, before any worker exists and with the terminating
 * signals blocked: stop_sigfd tells the set-ups about one), and torn down
 * at the end in parallel (exec_finish, after the workers).  Executors run
 * their own commands (probes, copies, clean-ups) through helper_run:
 * several at once, output captured, a deadline, parx's stops obeyed.
 *
 * Adding an executor (a Slurm one, say, in exec_slurm.c):
 *   - a `static const struct executor` with `remote` set when its jobs
 *     run on another machine (the JSON log then gives them no rusage:
 *     the local process is a proxy), and the hooks it needs: `start`
 *     (once, before hosts are set up), `setup` (learn h->ncpu, e.g. the
 *     allocation's task count), `command` (srun ... -- argv), `after`
 *     (judge a node failure as ATT_HOST; set j->host, e.g. to the node,
 *     with a string that lives until exec_finish), `teardown`, `finish`;
 *   - an init function, called from exec_init when its option is given,
 *     that checks its options (usage_error), registers the executor
 *     (exec_register: its start and finish hooks run) and makes its hosts
 *     with host_add (one host for an allocation, with `given` slots, is
 *     enough); exec_hosts() is then true, and nothing else changes:
 *     worker.c, run.c, sink.c, the logs and --results already go
 *     through here (exec_attempt sets j->host and j->remote).
 *   - `end` in struct attempt stays NULL when killpg of the local command
 *     (srun) is the right way to end it.
 *
 * Locking: one mutex (ex.lock) guards the list of hosts, their state,
 * slots and counters; it is never held across a hook or a helper.  An
 * executor's data for a host is written by setup while the host is in
 * H_SETUP (no job starts there) and read by jobs once it is up.  An
 * exec_ctx belongs to one worker.
 */
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

#define BACKOFF_MIN	1.0	/* seconds before a failed host is tried */
#define BACKOFF_MAX	60.0
#define SLOTS_ZERO	64	/* -j 0: slots per host */
#define REFRESH_EVERY	1.0	/* --slf is looked at this often */
#define SETUP_BATCH	64	/* hosts set up at once at start */
#define EXECS_MAX	4

extern char **environ;

const struct executor exec_local = { ":", 0, NULL, NULL, NULL, NULL, NULL,
    NULL, NULL };

static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;
	struct host	*hosts;
	struct host	**tail;
	int		 nhosts;
	int		 on;		/* jobs go to hosts */
	int		 live;		/* workers run: say things via output.c */
	int		 early;		/* exec_start: signals are pending */
	int		 finished;
	int		 nworkers;	/* slots workers were started for */
	void		(*refresh)(void);
	double		 refresh_at;
	int		 refreshing;
	int		 said_none;	/* "no usable host" said */
	const struct executor *execs[EXECS_MAX];	/* registered */
	int		 nexecs;
} ex = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.cond = PTHREAD_COND_INITIALIZER,
	.tail = &ex.hosts,
};

void
hosts_lock(void)
{
	LOCK(&ex.lock);
}

/* Workers waiting for a host look at the list again. */
void
hosts_unlock(void)
{
	BROADCAST(&ex.cond);
	UNLOCK(&ex.lock);
}

/* Says something about hosts on stderr, once workers may be writing. */
void
host_msg(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (ex.live)
		output_msgf("parx: %s\n", s);
	else
		fprintf(stderr, "parx: %s\n", s);
	free(s);
}

/*
 * The last line of what ob holds (an ssh error is the last thing ssh
 * says), without its newline, into buf; returns its length.
 */
size_t
exec_last_line(const struct outbuf *ob, char *buf, size_t size)
{
	size_t at = ob->total > size - 1 ? ob->total - (size - 1) : 0, n = 0;
	ssize_t got;
	char *p;

	if (at < ob->head)
		at = ob->head;
	while (at + n < ob->total && (got = outbuf_read(ob, at + n, buf + n,
	    ob->total - at - n)) > 0)
		n += (size_t)got;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	if ((p = memrchr(buf, '\n', n)) != NULL) {
		n -= (size_t)(p + 1 - buf);
		memmove(buf, p + 1, n + 1);
	}
	return n;
}

/* Lock held or before threads.  Adds a host; an existing one is relisted. */
struct host *
host_add(const char *login, const struct executor *e, int given, void *priv)
{
	struct host *h;

	if ((h = host_find(login)) != NULL) {
		h->listed = 1;
		return h;
	}
	h = xcalloc(1, sizeof(*h));
	h->login = xstrdup(login);
	h->ex = e;
	h->priv = priv;
	h->given = given;
	h->index = ex.nhosts++;
	h->listed = 1;
	h->state = H_SUSPECT;	/* to be set up */
	h->backoff = BACKOFF_MIN;
	*ex.tail = h;
	ex.tail = &h->next;
	ex.on = 1;
	return h;
}

/* Lock held or before threads. */
struct host *
host_find(const char *login)
{
	struct host *h;

	for (h = ex.hosts; h != NULL; h = h->next)
		if (strcmp(h->login, login) == 0)
			return h;
	return NULL;
}

/* Lock held: h is no longer listed (--slf): no new job goes there. */
void
host_unlist(struct host *h)
{
	h->listed = 0;
	BROADCAST(&ex.cond);
}

/* Lock held or no other thread. */
void
hosts_each(void (*fn)(struct host *, void *), void *arg)
{
	struct host *h;

	for (h = ex.hosts; h != NULL; h = h->next)
		fn(h, arg);
}

/* How many jobs h runs at once: N/, else -j of its CPUs, else its CPUs. */
int
host_slots(const struct host *h)
{
	int n;

	if (h->given > 0)
		return h->given;
	if (opts.jobs_arg != NULL && parse_jobs(opts.jobs_arg, h->ncpu,
	    &n) == 0)
		return n == 0 ? SLOTS_ZERO : n;
	return h->ncpu > 0 ? h->ncpu : 1;
}

/* Which of the host's groups of per slots the attempt's slot is in. */
int
host_group(const struct exec_ctx *x, int per)
{
	return x->hslot / per;
}

/* A hook (--slf) looked at, at most once a second, by workers. */
void
exec_refresh_hook(void (*fn)(void))
{
	ex.refresh = fn;
}

int
exec_hosts(void)
{
	return ex.on;
}

/* Parses -S, --slf, --slurm (usage errors exit here); nothing runs yet. */
void
exec_init(void)
{
	if (opts.slurm_submit)
		submit_init();
	else if (opts.slurm)
		slurm_init();
	else if (opts.nlogins > 0 || opts.slf != NULL)
		ssh_init();
}

/* Lock held.  h is set up: it joins the rotation. */
static void
host_up(struct host *h)
{
	int n = host_slots(h);

	if (n > h->nused) {
		h->used = xrealloc(h->used, n);
		memset(h->used + h->nused, 0, n - h->nused);
		h->nused = n;
	}
	h->slots = n;
	if (h->why != NULL)
		host_msg("%s: back in use", h->login);
	ex.said_none = 0;
	free(h->why);
	h->why = NULL;
	h->state = H_UP;
}

/*
 * Lock held.  h leaves the rotation for why (taken); NULL: parx stops,
 * nothing to say.
 */
static void
host_out(struct host *h, enum hstate st, char *why)
{
	double now = clock_mono();
	int say = why != NULL;

	if (why == NULL)
		why = xstrdup("interrupted");
	if (say && (h->why == NULL || h->state == H_UP))
		host_msg("%s: %s (out of use; trying again in %gs)", h->login,
		    why, h->backoff);
	free(h->why);
	h->why = why;
	h->state = st;
	h->retry_at = now + h->backoff;
	h->backoff = h->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
	    h->backoff * 2;
}

/* Lock held: the slots of listed hosts, which workers are needed for. */
static int
slots_wanted(void)
{
	struct host *h;
	int n = 0;

	for (h = ex.hosts; h != NULL; h = h->next)
		if (h->listed)
			n += h->slots;
	return n;
}

/*
 * Sets h up (it is in H_SETUP; lock not held) and puts it where it
 * belongs.  Workers that run start more workers for new slots.
 */
static void
host_setup(struct host *h)
{
	char *why = NULL;
	int rc = 0, more = 0;

	if (h->ex->setup != NULL)
		rc = h->ex->setup(h, &why);
	else
		h->ncpu = ncpus();
	LOCK(&ex.lock);
	if (rc == 0)
		host_up(h);
	else
		host_out(h, H_DOWN, why);
	if (ex.live && (more = slots_wanted() - ex.nworkers) > 0)
		ex.nworkers += more;
	BROADCAST(&ex.cond);
	UNLOCK(&ex.lock);
	if (more > 0)
		workers_more(more);
}

static void *
setup_main(void *arg)
{
	host_setup(arg);
	return NULL;
}

/* Runs fn on every host, a thread each, SETUP_BATCH at a time. */
static void
hosts_parallel(void *(*fn)(void *))
{
	pthread_t tid[SETUP_BATCH];
	int started[SETUP_BATCH];
	struct host *h = ex.hosts;
	int n, i;

	while (h != NULL) {
		for (n = 0; h != NULL && n < SETUP_BATCH; h = h->next, n++)
			if (!(started[n] = thread_start(&tid[n], fn, h,
			    0) == 0))
				fn(h);	/* no thread: here, then */
		for (i = 0; i < n; i++)
			if (started[i])
				xpthread(pthread_join(tid[i], NULL),
				    __FILE__, __LINE__);
	}
}

enum { EX_START, EX_FINISH };

/* The start or finish hook of every executor registered. */
static void
executors_each(int which)
{
	const struct executor *e;
	int i;

	for (i = 0; i < ex.nexecs; i++) {
		e = ex.execs[i];
		if (which == EX_START && e->start != NULL)
			e->start();
		if (which == EX_FINISH && e->finish != NULL)
			e->finish();
	}
}

/* Main thread, from exec_init: an executor hosts may use. */
void
exec_register(const struct executor *e)
{
	if (ex.nexecs == EXECS_MAX)
		abort();
	ex.execs[ex.nexecs++] = e;
}

/*
 * Main thread, terminating signals blocked, before the workers: sets up
 * every host at once (for ssh: connect and probe), and makes -j the total
 * of their slots.  A signal now stops the set-ups and stays pending for
 * the signal thread.
 */
void
exec_start(void)
{
	struct host *h;

	if (opts.dry_run)
		return;		/* nothing runs */
	spawn_init(NULL);	/* for the executors' commands */
	executors_each(EX_START);
	for (h = ex.hosts; h != NULL; h = h->next)
		h->state = H_SETUP;
	(void)stop_sigfd();	/* made here, before the threads */
	ex.early = 1;
	hosts_parallel(setup_main);
	ex.early = 0;
	ex.nworkers = slots_wanted();
	opts.jobs = ex.nworkers > 0 ? ex.nworkers : 1;
	ex.live = 1;
}

/* Lock held.  The up host with the most free slots, avoiding avoid. */
static struct host *
host_pick(const struct host *avoid)
{
	struct host *h, *best = NULL, *other = NULL;

	for (h = ex.hosts; h != NULL; h = h->next) {
		if (h->state != H_UP || !h->listed || h->running >= h->slots)
			continue;
		if (h == avoid) {
			other = h;
			continue;
		}
		if (best == NULL ||
		    h->slots - h->running > best->slots - best->running)
			best = h;
	}
	return best != NULL ? best : other;
}

/* Lock held.  A listed host whose time to be set up (again) has come. */
static struct host *
host_due(double now)
{
	struct host *h;

	for (h = ex.hosts; h != NULL; h = h->next)
		if (h->listed && (h->state == H_SUSPECT ||
		    h->state == H_DOWN) && h->retry_at <= now)
			return h;
	return NULL;
}

/*
 * Lock held.  Whether a host may still take jobs: up, being set up, or
 * suspect (set up again soon); when next is not NULL, *next is when the
 * first host is due to be set up (0: none).
 */
static int
host_usable(double *next)
{
	struct host *h;
	int ok = 0;

	*next = 0;
	for (h = ex.hosts; h != NULL; h = h->next) {
		if (!h->listed)
			continue;
		if (h->state != H_DOWN)
			ok = 1;
		if ((h->state == H_SUSPECT || h->state == H_DOWN) &&
		    (*next == 0 || h->retry_at < *next))
			*next = h->retry_at;
	}
	return ok;
}

/* Lock held: --slf is looked at again, at most once a second. */
static void
maybe_refresh(double now)
{
	if (ex.refresh == NULL || ex.refreshing || now < ex.refresh_at)
		return;
	ex.refreshing = 1;
	ex.refresh_at = now + REFRESH_EVERY;
	UNLOCK(&ex.lock);
	ex.refresh();
	LOCK(&ex.lock);
	ex.refreshing = 0;
}

/* Lock held: waits for a slot, a stop, or until at (clock_mono; 0: no). */
static void
host_wait(double at)
{
	struct timespec ts;
	double t;

	if (ex.refresh != NULL && (at == 0 || ex.refresh_at < at))
		at = ex.refresh_at;
	if (at == 0) {
		WAIT(&ex.cond, &ex.lock);
		return;
	}
	/* The condition variable's clock is the wall clock. */
	t = clock_wall() + (at - clock_mono());
	if (t < clock_wall())
		return;
	ts.tv_sec = (time_t)t;
	ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
	(void)pthread_cond_timedwait(&ex.cond, &ex.lock, &ts);
}

enum { TAKE_OK, TAKE_NONE, TAKE_STOP };

/* Takes a slot of a usable host for the attempt into *hp. */
static int
host_take(struct exec_ctx *x, struct host **hp)
{
	struct host *h;
	double now, next;
	int s;

	LOCK(&ex.lock);
	for (;;) {
		if (stop_requested()) {
			UNLOCK(&ex.lock);
			return TAKE_STOP;
		}
		now = clock_mono();
		maybe_refresh(now);
		if ((h = host_due(now)) != NULL) {
			h->state = H_SETUP;
			UNLOCK(&ex.lock);
			host_setup(h);
			LOCK(&ex.lock);
			continue;
		}
		if ((h = host_pick(x->last)) != NULL)
			break;
		if (!host_usable(&next)) {
			UNLOCK(&ex.lock);
			return TAKE_NONE;
		}
		host_wait(next);
	}
	for (s = 0; h->used[s]; s++)
		;
	h->used[s] = 1;
	h->running++;
	x->hslot = s;
	UNLOCK(&ex.lock);
	*hp = h;
	return TAKE_OK;
}

/* The attempt is over: frees its slot; ATT_HOST takes h out of use. */
static void
host_give(struct exec_ctx *x, struct host *h, int v)
{
	LOCK(&ex.lock);
	h->used[x->hslot] = 0;
	h->running--;
	if (v == ATT_HOST && h->state == H_UP) {
		host_out(h, H_SUSPECT, x->why != NULL ? x->why :
		    xstrdup("it failed"));
		x->why = NULL;
	} else if (v == ATT_OK && h->state == H_UP)
		h->backoff = BACKOFF_MIN;
	BROADCAST(&ex.cond);
	UNLOCK(&ex.lock);
	free(x->why);
	x->why = NULL;
}

/*
 * No host can run j: it fails.  Why each host is out of use is said once,
 * until a host is back.
 */
static void
no_host(struct job *j)
{
	struct strbuf sb = { 0 };
	struct host *h;
	int n = 0, say;

	LOCK(&ex.lock);
	if ((say = !ex.said_none)) {
		ex.said_none = 1;
		for (h = ex.hosts; h != NULL; h = h->next) {
			if (!h->listed)
				continue;
			if (n++ > 0)
				sb_adds(&sb, "; ");
			sb_adds(&sb, h->login);
			sb_adds(&sb, ": ");
			sb_adds(&sb, h->why != NULL ? h->why : "?");
		}
	}
	UNLOCK(&ex.lock);
	if (say)
		host_msg("no usable host (%s)", n > 0 ? sb.s : "none listed");
	job_errorf(j, "job %llu: no usable host", j->seq);
	job_failed(j, 255);
	j->host = "-";
	sb_free(&sb);
}

/*
 * Runs one attempt of j (argv and envp as the worker expanded them):
 * here, or on a host.  attempt 0 is the job's first in this worker.
 * Returns EXEC_RAN (retries apply), EXEC_REQUEUE (the host failed: the
 * job runs again elsewhere, its output dropped) or EXEC_FINAL (no retry).
 */
int
exec_attempt(struct exec_ctx *x, struct job *j, int attempt, char **argv,
    char **envp, char *scratch, int wakefd)
{
	struct attempt at = { argv, envp, -1, NULL, -1 };
	struct host *h;
	int v;

	if (!ex.on) {
		run_attempt(j, &at, scratch, wakefd);
		return EXEC_RAN;
	}
	if (attempt == 0)
		x->last = NULL;
	switch (host_take(x, &h)) {
	case TAKE_STOP:
		j->interrupted = 1;
		return EXEC_FINAL;
	case TAKE_NONE:
		no_host(j);
		return EXEC_FINAL;
	}
	j->host = h->login;
	j->remote = h->ex->remote;
	j->start = clock_wall();	/* if the job does not start */
	v = h->ex->before != NULL ? h->ex->before(x, j, h) : ATT_OK;
	if (v == ATT_OK && h->ex->command != NULL)
		v = h->ex->command(x, j, h, &at);
	if (v == ATT_OK) {
		run_attempt(j, &at, scratch, wakefd);
		if (h->ex->after != NULL)
			v = h->ex->after(x, j, h, &at);
	}
	host_give(x, h, v);
	x->last = h;
	if (v == ATT_HOST) {
		job_reset(j);
		j->host = NULL;
		j->remote = 0;
		return EXEC_REQUEUE;
	}
	if (v == ATT_STOP) {
		j->interrupted = 1;
		return EXEC_FINAL;
	}
	return EXEC_RAN;
}

/* A worker's context: none when jobs run here only. */
struct exec_ctx *
exec_ctx_new(void)
{
	return ex.on ? xcalloc(1, sizeof(struct exec_ctx)) : NULL;
}

void
exec_ctx_free(struct exec_ctx *x)
{
	int i;

	if (x == NULL)
		return;
	argv_free(&x->av);
	argv_free(&x->hv);
	argv_free(&x->tv);
	for (i = 0; i < 4; i++)
		sb_free(&x->sb[i]);
	free(x->why);
	free(x);
}

/* Any thread (a stop hook): workers waiting for a host look again. */
void
exec_wake(void)
{
	LOCK(&ex.lock);
	BROADCAST(&ex.cond);
	UNLOCK(&ex.lock);
}

static void *
teardown_main(void *arg)
{
	struct host *h = arg;

	if (h->ex->teardown != NULL)
		h->ex->teardown(h);
	return NULL;
}

/*
 * Main thread, after the workers: closes every host (for ssh: removes
 * what parx left there and closes the shared connections), in parallel.
 */
void
exec_finish(void)
{
	struct host *h, *next;

	if (!ex.on || ex.finished)
		return;
	ex.finished = 1;
	ex.live = 0;
	hosts_parallel(teardown_main);
	executors_each(EX_FINISH);
	for (h = ex.hosts; h != NULL; h = next) {
		next = h->next;
		free(h->login);
		free(h->used);
		free(h->why);
		free(h);
	}
	ex.hosts = NULL;
}

#define HELPER_ERRMAX	4096	/* the end of a helper's stderr kept */
#define HELPER_POLL	0.05	/* without a pidfd: look for the child */

/* Starts helper h with its output on pipes; on failure, says why. */
static void
helper_spawn(struct helper *h)
{
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc;

	h->fd[0] = h->fd[1] = h->pidfd = -1;
	h->status = -1;
	h->reaped = 1;
	if (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1) {
		rc = errno;
		if (po[0] >= 0) {
			close(po[0]);
			close(po[1]);
		}
	} else {
		rc = spawn_job(h->argv, environ, -1, po[1], pe[1], &h->pid);
		close(po[1]);
		close(pe[1]);
		h->fd[0] = po[0];
		h->fd[1] = pe[0];
	}
	if (rc != 0) {
		sb_adds(&h->err, h->argv[0]);
		sb_adds(&h->err, ": ");
		sb_adds(&h->err, strerror(rc));
		sb_addc(&h->err, '\n');
		return;
	}
	h->reaped = 0;
	h->pidfd = (int)syscall(SYS_pidfd_open, h->pid, 0);
}

static void
helper_reap(struct helper *h)
{
	pid_t p;
	int st;

	do
		p = waitpid(h->pid, &st, WNOHANG);
	while (p == -1 && errno == EINTR);
	if (p != h->pid)
		return;
	h->reaped = 1;
	h->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (h->pidfd >= 0)
		close(h->pidfd);
	h->pidfd = -1;
}

/* Reads what stream s of h has; closes it at its end. */
static void
helper_read(struct helper *h, int s)
{
	char buf[8192];
	ssize_t n = io_read(h->fd[s], buf, sizeof(buf));
	struct strbuf *sb = s == 0 ? &h->out : &h->err;

	if (n <= 0) {
		close(h->fd[s]);
		h->fd[s] = -1;
		return;
	}
	if (s == 0 && sb->len + (size_t)n > HELPER_OUTMAX)
		n = (ssize_t)(HELPER_OUTMAX - sb->len);
	sb_add(sb, buf, (size_t)n);
	if (s == 1 && sb->len > HELPER_ERRMAX) {
		memmove(sb->s, sb->s + sb->len - HELPER_ERRMAX / 2,
		    HELPER_ERRMAX / 2);
		sb->len = HELPER_ERRMAX / 2;
		sb->s[sb->len] = '\0';
	}
}

/* h did not finish in time: that is why it failed. */
static void
helper_late(struct helper *h, double timeout)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "\nno answer in %gs\n", timeout);
	sb_adds(&h->err, buf);
}

static int
helper_done(const struct helper *h)
{
	return h->reaped && h->fd[0] < 0 && h->fd[1] < 0;
}

/* Signals every helper still there. */
static void
helpers_signal(struct helper *h, int n, int sig)
{
	int i;

	for (i = 0; i < n; i++)
		if (!h[i].reaped)
			killpg(h[i].pid, sig);
}

/* The poll set: pipes and pidfds, then the stop descriptors. */
static int
helper_pollset(struct helper *h, int n, struct pollfd *pf, int *who,
    int stoppable)
{
	int i, s, k = 0;

	for (i = 0; i < n; i++) {
		for (s = 0; s < 2; s++)
			if (h[i].fd[s] >= 0) {
				pf[k] = (struct pollfd){ h[i].fd[s], POLLIN, 0 };
				who[k++] = i * 3 + s;
			}
		if (!h[i].reaped && h[i].pidfd >= 0) {
			pf[k] = (struct pollfd){ h[i].pidfd, POLLIN, 0 };
			who[k++] = i * 3 + 2;
		}
	}
	pf[k] = (struct pollfd){ kill_fd(), POLLIN, 0 };
	who[k++] = -1;
	if (stoppable) {
		pf[k] = (struct pollfd){ stop_fd(), POLLIN, 0 };
		who[k++] = -2;
		if (ex.early && stop_sigfd() >= 0) {
			pf[k] = (struct pollfd){ stop_sigfd(), POLLIN, 0 };
			who[k++] = -2;
		}
	}
	return k;
}

/*
 * Runs the n helpers at once until all are over (stdout kept, the end of
 * stderr kept, status).  After timeout seconds (0: none) what is left is
 * killed.  stoppable: a stop of parx that ends jobs ends them too, and
 * then -1 is returned; a hard stop (kill pipe) always does.
 */
int
helper_run(struct helper *h, int n, double timeout, int stoppable)
{
	struct pollfd *pf = xcalloc(n * 3 + 3, sizeof(*pf));
	int *who = xcalloc(n * 3 + 3, sizeof(*who)), i, k, left, stopped = 0;
	double end = timeout > 0 ? clock_mono() + timeout : 0, at;

	for (i = 0; i < n; i++)
		helper_spawn(&h[i]);
	for (;;) {
		for (left = i = 0; i < n; i++)
			left += !helper_done(&h[i]);
		if (left == 0)
			break;
		k = helper_pollset(h, n, pf, who, stoppable && !stopped);
		at = end;
		for (i = 0; i < n; i++)
			if (!h[i].reaped && h[i].pidfd < 0)
				at = clock_mono() + HELPER_POLL;
		if (poll(pf, (nfds_t)k, io_poll_timeout(at)) > 0)
			for (i = 0; i < k; i++) {
				if (pf[i].revents == 0)
					continue;
				if (who[i] == -1) {
					helpers_signal(h, n, SIGKILL);
					stopped = 1;
				} else if (who[i] == -2) {
					helpers_signal(h, n, SIGTERM);
					stopped = 1;
				} else if (who[i] % 3 == 2)
					helper_reap(&h[who[i] / 3]);
				else
					helper_read(&h[who[i] / 3], who[i] % 3);
			}
		for (i = 0; i < n; i++)
			if (!h[i].reaped && h[i].pidfd < 0)
				helper_reap(&h[i]);
		if (end > 0 && clock_mono() >= end) {
			for (i = 0; i < n; i++)
				if (!helper_done(&h[i]))
					helper_late(&h[i], timeout);
			helpers_signal(h, n, SIGKILL);
			end = 0;
			/* What they left holding a pipe no longer counts. */
			for (i = 0; i < n; i++)
				for (k = 0; k < 2; k++)
					if (h[i].fd[k] >= 0) {
						close(h[i].fd[k]);
						h[i].fd[k] = -1;
					}
		}
	}
	free(pf);
	free(who);
	return stopped ? -1 : 0;
}

void
helper_free(struct helper *h)
{
	int s;

	for (s = 0; s < 2; s++)
		if (h->fd[s] >= 0)
			close(h->fd[s]);
	if (h->pidfd >= 0)
		close(h->pidfd);
	sb_free(&h->out);
	sb_free(&h->err);
}

/* Why helper h failed: the last line of its stderr, or its status. */
char *
helper_why(struct helper *h)
{
	char *p, *e, *s;

	sb_add(&h->err, "", 0);
	e = h->err.s + h->err.len;
	while (e > h->err.s && (e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	p = e;
	while (p > h->err.s && p[-1] != '\n')
		p--;
	if (*p != '\0')
		return xstrdup(p);
	if (h->status > 128 && h->status < 128 + NSIG) {
		if (asprintf(&s, "killed by signal %d", h->status - 128) < 0)
			fatal("out of memory");
	} else if (asprintf(&s, "exit status %d", h->status) < 0)
		fatal("out of memory");
	return s;
}
