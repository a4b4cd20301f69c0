/*
 * run.c - one attempt of a job: its pipes, its process and the poll loop
 * that drains the pipes into the job's sinks, reaps the process and
 * applies the timers.  The loop is a small state machine: run_pollset
 * builds the poll set from the state, run_wake says when the next timer
 * is due, run_events handles what poll reported and run_timers what came
 * due.  The worker thread running the job owns its run; nothing here is
 * shared.
 *
 * When is a job over?  Its process has been reaped and its pipes are at
 * their end.  Something it left behind may hold a pipe: then the job is
 * over once nothing of its process group is left (a daemon that left the
 * group with setsid does not hold parx), and what the pipes still hold is
 * read without waiting, up to a bound.  A job that parx signalled
 * (--timeout, a stop) is over only once its group is gone, so that what
 * it left behind gets SIGKILL 2 s after the signal; a group whose members
 * are all zombies is gone (in a pid namespace without an init nobody
 * reaps them), and so is one that was sent SIGKILL.
 *
 * Job control (stop.c): while parx is being stopped (Ctrl-Z) the run
 * stops its job's group with SIGSTOP, and continues it with SIGCONT when
 * parx goes on; the time in between does not count toward --timeout.  A
 * job parx is ending (timeout, stop, --memfree) leaves job control, and
 * gets SIGCONT after the signal if it was stopped, so it can act on it.
 *
 * Under --pipe the run also feeds the job's input (the feed): the header
 * and the block go into the job's stdin pipe as the job reads, from the
 * same poll loop, so a job that reads and writes at once never waits for
 * parx.  A job that stops reading is judged by its exit status only; the
 * feed ends with the job.  --cat writes the block to the file {} before
 * the job starts; --fifo feeds the named pipe {} once the job opens it.
 */
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define KILL_GRACE	2.0	/* seconds from a signal to SIGKILL */
#define CHECK_FIRST	0.01	/* first look at a group left behind */
#define CHECK_MAX	0.5	/* then less and less often */
#define REAP_POLL	0.05	/* without a pidfd: look for the child */
#define DRAIN_MAX	(1 << 20)	/* read from pipes held by leftovers */

enum what { W_PIPE0, W_PIPE1, W_OUT0, W_OUT1, W_PID, W_STOP, W_KILL,
    W_WATCH, W_WAKE, W_FEED, W_FIFO, W_JC };

/* --pipe: what goes into the job's input, header first. */
struct feed {
	int		 fd;		/* its stdin pipe, or the FIFO; or -1 */
	int		 child;		/* the job's end of the pipe, or -1 */
	int		 watch;		/* --fifo: inotify until {} is opened */
	struct block	*cur;		/* the header or a block, going in */
	size_t		 at;		/* bytes of cur given */
	int		 wait;		/* --round-robin: for the next block */
};

struct run {
	struct job	*job;
	struct attempt	*at;
	char		*scratch;
	int		 wakefd;
	pid_t		 pid;
	int		 fd[2];		/* the job's stdout and stderr, or -1 */
	int		 pidfd;
	int		 reaped;
	int		 signalled;	/* timed out or stopped: group must go */
	int		 gone;		/* nothing of the group is left */
	int		 stop_seen;
	int		 kill_seen;
	int		 out_seen;
	double		 t0;		/* started, clock_mono */
	double		 limit;		/* --timeout in effect, or 0 */
	double		 term_at;	/* --timeout: SIGTERM */
	double		 recheck_at;	/* --timeout N%: look again */
	double		 kill_at;	/* SIGKILL to what is left */
	double		 check_at;	/* look at the group again */
	double		 check_every;
	int		 jc_in;		/* takes part in job control */
	int		 jc_stopped;	/* parx stopped the job's group */
	double		 jc_at;		/* since when */
	double		 jc_total;	/* stopped so far, before jc_at */
	struct resrun	 res;		/* --memfree: among the running */
	struct feed	 feed;
};

static int procok;		/* /proc is our pid namespace's */

void
run_init(void)
{
	char buf[64];
	ssize_t n;
	int fd;

	if ((fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = io_read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0) {
		buf[n] = '\0';
		procok = strtol(buf, NULL, 10) == (long)getpid();
	}
}

/* Whether process group pgid has a member that is not a zombie. */
static int
group_has_live(pid_t pgid)
{
	char path[32 + 256], buf[512], *p;
	struct dirent *de;
	DIR *d;
	ssize_t n;
	long pg;
	int fd, live = 0;
	char state;

	if ((d = opendir("/proc")) == NULL)
		return 1;
	while (!live && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = io_read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* pid (comm) state ppid pgrp ...; comm may hold ')'. */
		if ((p = strrchr(buf, ')')) == NULL ||
		    sscanf(p + 1, " %c %*d %ld", &state, &pg) != 2)
			continue;
		live = pg == (long)pgid && state != 'Z' && state != 'X';
	}
	closedir(d);
	return live;
}

static void
group_signal(struct run *r, int sig)
{
	/* A remote job is ended there (exec_ssh.c); SIGKILL is local. */
	if (r->at->end != NULL && sig != SIGKILL && !r->gone &&
	    r->at->end(r->at, sig) == 0)
		return;
	if (!r->gone && killpg(r->pid, sig) == -1 && errno == ESRCH)
		r->gone = 1;
}

static void
group_check(struct run *r)
{
	if (r->gone)
		return;
	if (kill(-r->pid, 0) == -1 && errno == ESRCH)
		r->gone = 1;
	else if (procok && !group_has_live(r->pid))
		r->gone = 1;
}

static int
pipes_open(const struct run *r)
{
	return r->fd[0] >= 0 || r->fd[1] >= 0;
}

/* Looks at the group soon, then less often. */
static void
check_soon(struct run *r)
{
	r->check_every = CHECK_FIRST;
	r->check_at = clock_mono();
}

/*
 * Reaps the job's process with wait4, which gives its resource use (and
 * that of the descendants it waited for) at no extra cost.
 */
static void
reap(struct run *r)
{
	struct job *j = r->job;
	struct rusage ru;
	pid_t p;
	int st;

	do
		p = wait4(r->pid, &st, WNOHANG, &ru);
	while (p == -1 && errno == EINTR);
	if (p != r->pid)
		return;
	r->reaped = 1;
	j->maxrss_kb = ru.ru_maxrss;
	j->user_cpu = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	j->sys_cpu = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	if (WIFEXITED(st))
		j->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st)) {
		j->status = -1;
		j->termsig = WTERMSIG(st);
	}
	if (pipes_open(r) || r->signalled)
		check_soon(r);
}

static void
pipe_close(struct run *r, int s)
{
	close(r->fd[s]);
	r->fd[s] = -1;
	sink_eof(r->job, s);
}

/* Stream s is readable. */
static void
on_pipe(struct run *r, int s)
{
	ssize_t n = sink_feed(r->job, s, r->fd[s], r->scratch, 0);

	if (n == 0 || (n == -1 && errno != EAGAIN))
		pipe_close(r, s);
}

/* Reads what the pipes hold without waiting, then closes them. */
static void
drain_left(struct run *r)
{
	size_t got;
	ssize_t n;
	int s;

	for (s = 0; s < 2; s++) {
		if (r->fd[s] < 0)
			continue;
		fcntl(r->fd[s], F_SETFL, fcntl(r->fd[s], F_GETFL) | O_NONBLOCK);
		for (got = 0; got < DRAIN_MAX; got += (size_t)n)
			if ((n = sink_feed(r->job, s, r->fd[s], r->scratch,
			    1)) <= 0)
				break;
		pipe_close(r, s);
	}
}

/* parx is being stopped: so is the job, and its timeout with it. */
static void
jc_stop(struct run *r)
{
	group_signal(r, SIGSTOP);
	r->jc_stopped = 1;
	r->jc_at = clock_mono();
	stop_jc_done(1);
}

static void
jc_cont(struct run *r)
{
	double d = clock_mono() - r->jc_at;

	group_signal(r, SIGCONT);
	r->jc_stopped = 0;
	r->jc_total += d;
	if (r->term_at > 0)
		r->term_at += d;
	stop_jc_done(0);
}

/* parx is ending the job: a stopped one must run to see the signal. */
static void
jc_quit(struct run *r)
{
	if (!r->jc_in)
		return;
	if (r->jc_stopped)
		group_signal(r, SIGCONT);
	stop_jc_leave(r->jc_stopped);
	r->jc_in = r->jc_stopped = 0;
}

/* Ends the job's group with sig; SIGKILL follows after the grace time. */
static void
group_end(struct run *r, int sig)
{
	r->signalled = 1;
	group_signal(r, sig);
	jc_quit(r);
	if (r->kill_at == 0)
		r->kill_at = clock_mono() + KILL_GRACE;
	if (r->reaped)
		check_soon(r);
}

static void
feed_close(struct run *r)
{
	struct feed *f = &r->feed;

	if (f->fd >= 0)
		close(f->fd);
	if (f->watch >= 0)
		close(f->watch);
	f->fd = f->watch = -1;
	f->wait = 0;
	if (r->job->rr) {
		r->job->rr = 0;
		block_rr_quit(r->wakefd);
	}
}

/*
 * The part going in is all given: the block after the header; the next
 * block under --round-robin; else the end of the input.  Returns 1 when
 * there is more to give now.
 */
static int
feed_next(struct run *r)
{
	struct feed *f = &r->feed;
	struct job *j = r->job;
	int end;

	f->at = 0;
	if (f->cur != NULL && f->cur != j->block) {
		f->cur = j->block;
		return 1;
	}
	if (j->rr) {
		block_free(j->block);
		if ((j->block = f->cur = block_rr_take(r->wakefd, &end)) !=
		    NULL)
			return 1;
		if (!end) {
			f->wait = 1;
			return 0;
		}
	}
	feed_close(r);
	return 0;
}

/* The job's input can take more: gives what it takes, without waiting. */
static void
feed_some(struct run *r)
{
	struct feed *f = &r->feed;
	struct job *j = r->job;
	size_t want;
	ssize_t n;

	while (f->fd >= 0 && !f->wait) {
		if (f->cur == NULL || f->at == f->cur->len) {
			if (!feed_next(r))
				return;
			continue;
		}
		want = f->cur->len - f->at;
		if ((n = block_give(f->cur, f->at, f->fd)) > 0) {
			f->at += (size_t)n;
			j->sent += (unsigned long long)n;
			/*
			 * Less than asked: the pipe is most likely full, and
			 * poll says when it is not (at once if it is not).
			 */
			if ((size_t)n < want)
				return;
			continue;
		}
		if (n == -1 && errno == EAGAIN)
			return;
		/* EPIPE: the job reads no more, which is its own business. */
		if (n == -1 && errno != EPIPE) {
			job_errorf(j, "job %llu: input lost: %s%s%s", j->seq,
			    f->cur->mem == NULL ? pipe_input_name() : "",
			    f->cur->mem == NULL ? ": " : "", strerror(errno));
			pipe_input_failed();
		}
		feed_close(r);
	}
}

/* --fifo: the job opened {}; from now on parx is the only writer. */
static void
on_fifo(struct run *r)
{
	struct feed *f = &r->feed;
	char ev[4096];
	int fd;

	while (read(f->watch, ev, sizeof(ev)) > 0)
		;
	close(f->watch);
	f->watch = -1;
	if ((fd = open(r->job->items[0], O_WRONLY | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		feed_close(r);
		return;
	}
	close(f->fd);
	f->fd = fd;
	feed_some(r);
}

/* --cat: the file {} holds the header and the block before the job runs. */
static int
feed_cat(struct run *r, const char *path)
{
	struct block *h = pipe_header();
	struct job *j = r->job;
	int fd, rc = -1;

	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) >= 0) {
		if ((h == NULL || block_write(h, fd) == 0) &&
		    block_write(j->block, fd) == 0)
			rc = 0;
		if (close(fd) == -1)
			rc = -1;
	}
	if (rc == 0)
		j->sent = (h != NULL ? h->len : 0) + j->block->len;
	r->feed.cur = NULL;
	return rc;
}

/*
 * --fifo: {} is a named pipe that parx holds open for reading and
 * writing, so the job's open never blocks and nothing written is lost
 * before it; inotify says when the job has opened it.
 */
static int
feed_fifo(struct run *r, const char *path)
{
	struct feed *f = &r->feed;

	if (mkfifo(path, 0600) == -1 ||
	    (f->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    (f->watch = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1 ||
	    inotify_add_watch(f->watch, path, IN_OPEN) == -1)
		return -1;
	return 0;
}

/* Before the job starts: its input; -1 (said) when it cannot have one. */
static int
feed_open(struct run *r)
{
	struct feed *f = &r->feed;
	struct job *j = r->job;
	const char *what = "a pipe";
	int p[2], rc = 0;

	j->sent = 0;
	f->cur = pipe_header() != NULL ? pipe_header() : j->block;
	if (opts.cat || opts.fifo) {
		what = j->items[0];
		rc = opts.cat ? feed_cat(r, what) : feed_fifo(r, what);
	} else if ((rc = pipe2(p, O_CLOEXEC)) == 0) {
		f->child = p[0];
		f->fd = p[1];
		rc = fcntl(f->fd, F_SETFL, O_NONBLOCK);
	}
	if (rc == 0)
		return 0;
	job_errorf(j, "job %llu: cannot make %s: %s", j->seq, what,
	    strerror(errno));
	job_failed(j, 126);
	return -1;
}

/* After the attempt: no more input, and no file left. */
static void
feed_end(struct run *r)
{
	feed_close(r);
	if (r->feed.child >= 0)
		close(r->feed.child);
	r->feed.child = -1;
	if (opts.cat || opts.fifo)
		unlink(r->job->items[0]);
}

static void
on_stop(struct run *r)
{
	int sig;

	r->stop_seen = 1;
	if ((sig = stop_signal()) == 0)
		return;		/* --halt soon: let it finish */
	r->job->interrupted = 1;
	group_end(r, sig);
}

/* parx is being killed: so is the job, and its output is dropped. */
static void
on_kill(struct run *r)
{
	r->kill_seen = 1;
	r->job->interrupted = 1;
	r->signalled = 1;
	group_signal(r, SIGKILL);
	jc_quit(r);
	r->gone = 1;
	output_abandon();
}

static void
on_wake(struct run *r)
{
	uint64_t n;

	(void)!read(r->wakefd, &n, sizeof(n));
	sink_push(r->job, 0);
	sink_push(r->job, 1);
	/* --memfree: memory ran short, and this is the youngest job. */
	if (opts.memfree > 0 && !r->signalled && res_run_killed(&r->res)) {
		r->job->requeue = 1;
		group_end(r, SIGTERM);
	}
	if (r->feed.wait) {
		r->feed.wait = 0;
		feed_some(r);
	}
}

/*
 * Over: reaped, pipes at their end (or left to what left the group),
 * the group gone if parx signalled it, and live output written.
 */
static int
run_over(const struct run *r)
{
	if (!r->reaped || pipes_open(r))
		return 0;
	if (r->signalled && !r->gone)
		return 0;
	return !sink_pending(r->job);
}

static int
run_pollset(const struct run *r, struct pollfd *pf, enum what *w)
{
	int n = 0, s;

#define ADD(f, ev, what) do { pf[n] = (struct pollfd){ (f), (ev), 0 }; \
	w[n++] = (what); } while (0)
	for (s = 0; s < 2; s++) {
		if (r->fd[s] >= 0 && sink_reads(r->job, s))
			ADD(r->fd[s], POLLIN, s == 0 ? W_PIPE0 : W_PIPE1);
		if (r->job->sink[s].blocked)
			ADD(output_fd(s), POLLOUT, s == 0 ? W_OUT0 : W_OUT1);
	}
	if (!r->reaped && r->pidfd >= 0)
		ADD(r->pidfd, POLLIN, W_PID);
	if (!r->stop_seen)
		ADD(stop_fd(), POLLIN, W_STOP);
	if (!r->kill_seen)
		ADD(kill_fd(), POLLIN, W_KILL);
	if (output_watch_fd() >= 0 && !r->out_seen)
		ADD(output_watch_fd(), 0, W_WATCH);
	ADD(r->wakefd, POLLIN, W_WAKE);
	if (r->jc_in)
		ADD(stop_jc_fd(r->jc_stopped), POLLIN, W_JC);
	if (r->feed.watch >= 0)
		ADD(r->feed.watch, POLLIN, W_FIFO);
	else if (r->feed.fd >= 0 && !r->feed.wait)
		ADD(r->feed.fd, POLLOUT, W_FEED);
#undef ADD
	return n;
}

static void
run_events(struct run *r, const struct pollfd *pf, const enum what *w,
    int n)
{
	int i, s;

	for (i = 0; i < n; i++) {
		if (pf[i].revents == 0)
			continue;
		switch (w[i]) {
		case W_PIPE0:
		case W_PIPE1:
			if (r->fd[w[i] - W_PIPE0] >= 0)
				on_pipe(r, w[i] - W_PIPE0);
			break;
		case W_OUT0:
		case W_OUT1:
			s = w[i] - W_OUT0;
			r->job->sink[s].blocked = 0;
			sink_push(r->job, s);
			break;
		case W_PID:
			reap(r);
			break;
		case W_STOP:
			on_stop(r);
			break;
		case W_KILL:
			on_kill(r);
			break;
		case W_WATCH:
			/* The reader of our stdout has gone. */
			r->out_seen = 1;
			stop_request(STOP_PIPE, SIGTERM);
			break;
		case W_WAKE:
			on_wake(r);
			break;
		case W_JC:
			if (r->jc_stopped)
				jc_cont(r);
			else
				jc_stop(r);
			break;
		case W_FEED:
			feed_some(r);
			break;
		case W_FIFO:
			on_fifo(r);
			break;
		}
	}
}

/* When the next timer is due (clock_mono), or 0. */
static double
run_wake(const struct run *r)
{
	double at = 0;

#define SOONER(t) do { if ((t) > 0 && (at == 0 || (t) < at)) at = (t); } \
	while (0)
	if (!r->job->timed_out && !r->jc_stopped) {
		SOONER(r->term_at);
		SOONER(r->recheck_at);
	}
	SOONER(r->kill_at);
	SOONER(r->check_at);
	if (r->pidfd < 0 && !r->reaped)
		at = clock_mono() + REAP_POLL;
#undef SOONER
	return at;
}

/* --timeout N%: the median moves as jobs end; look again each second. */
static void
pct_timeout(struct run *r, double t)
{
	double d = collect_timeout();

	if (d > 0) {
		r->limit = d;
		r->term_at = r->t0 + r->jc_total + d;
	}
	r->recheck_at = t + 1.0;
}

static void
run_timers(struct run *r)
{
	struct job *j = r->job;
	double t = clock_mono();

	if (r->pidfd < 0 && !r->reaped)
		reap(r);
	if (r->recheck_at > 0 && t >= r->recheck_at)
		pct_timeout(r, t);
	if (r->term_at > 0 && !j->timed_out && !r->jc_stopped &&
	    t >= r->term_at && (!r->reaped || pipes_open(r))) {
		j->timed_out = 1;
		group_end(r, SIGTERM);
	}
	if (r->kill_at > 0 && t >= r->kill_at) {
		group_signal(r, SIGKILL);
		r->gone = 1;
		r->kill_at = 0;
	}
	if (r->check_at > 0 && t >= r->check_at) {
		group_check(r);
		r->check_at = r->gone ? 0 : t + r->check_every;
		if (r->check_every < CHECK_MAX)
			r->check_every *= 2;
	}
}

static void
run_loop(struct run *r)
{
	struct pollfd pf[13];
	enum what w[13];
	int n;

	for (;;) {
		if (r->reaped && r->gone && pipes_open(r))
			drain_left(r);
		if (run_over(r))
			break;
		n = run_pollset(r, pf, w);
		if (poll(pf, (nfds_t)n, io_poll_timeout(run_wake(r))) > 0)
			run_events(r, pf, w, n);
		run_timers(r);
	}
}

/*
 * Whether --limit-cpu ended the job: SIGXCPU at the soft limit, or
 * SIGKILL at the hard one when parx sent none, after that much CPU time.
 */
static int
cpu_limited(const struct run *r)
{
	const struct job *j = r->job;

	return j->termsig == SIGXCPU || (j->termsig == SIGKILL &&
	    !r->signalled && j->user_cpu + j->sys_cpu >=
	    (double)opts.limit_cpu);
}

/* What the job's end means: its status, and what to tell the user. */
static void
run_result(const struct run *r)
{
	struct job *j = r->job;
	int s;

	if (j->requeue)
		return;		/* it runs again; nothing of this counts */

	if (j->timed_out) {
		if (j->termsig == 0)
			j->termsig = SIGTERM;
		j->status = -1;
	}
	j->failed = j->status != 0 || j->termsig != 0;
	for (s = 0; s < 2; s++)
		if (j->sink[s].buf.err != 0) {
			job_errorf(j, "job %llu: cannot spill output to $TMPDIR "
			    "(%s); kept it in memory", j->seq,
			    strerror(j->sink[s].buf.err));
			break;
		}
	if (j->timed_out) {
		j->timeout = r->limit;
		job_errorf(j, "job %llu: timed out after %gs", j->seq,
		    r->limit);
	}
	else if (opts.limit_cpu > 0 && cpu_limited(r)) {
		j->limit = LIMIT_CPU;
		job_errorf(j, "job %llu: killed by --limit-cpu after %lds",
		    j->seq, opts.limit_cpu);
	}
}

/*
 * The job's input, pipes and process; -1 (the job failed, and says why)
 * when it cannot start.
 */
static int
run_start(struct run *r, struct attempt *at)
{
	struct job *j = r->job;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc;

	if (j->block != NULL && feed_open(r) == -1)
		return -1;
	if (opts.outmode != OUT_UNGROUP &&
	    (pipe2(po, O_CLOEXEC) == -1 || pipe2(pe, O_CLOEXEC) == -1)) {
		job_errorf(j, "job %llu: cannot make a pipe: %s", j->seq,
		    strerror(errno));
		job_failed(j, 126);
		if (po[0] >= 0) {
			close(po[0]);
			close(po[1]);
		}
		return -1;
	}
	j->start = clock_wall();
	r->t0 = clock_mono();
	/* Before the job exists, so that no Ctrl-Z can miss it. */
	stop_jc_enter();
	r->jc_in = 1;
	/* --pipe's input, or the executor's (never both: options.c). */
	rc = spawn_job(at->argv, at->envp, r->feed.child >= 0 ?
	    r->feed.child : at->fd_in, po[1], pe[1], &r->pid);
	if (po[1] >= 0) {
		close(po[1]);
		close(pe[1]);
	}
	r->fd[0] = po[0];
	r->fd[1] = pe[0];
	if (rc == 0)
		return 0;
	if (r->fd[0] >= 0) {
		close(r->fd[0]);
		close(r->fd[1]);
		r->fd[0] = r->fd[1] = -1;
	}
	jc_quit(r);
	job_failed(j, spawn_error(j, rc, at->argv[0]));
	return -1;
}

/*
 * Runs one attempt of job j: the command at its executor made (exec.c),
 * with the wakefd and scratch buffer (--line-buffer) of the worker.
 */
void
run_attempt(struct job *j, struct attempt *at, char *scratch, int wakefd)
{
	struct run r;

	memset(&r, 0, sizeof(r));
	r.job = j;
	r.at = at;
	r.scratch = scratch;
	r.wakefd = wakefd;
	r.fd[0] = r.fd[1] = r.pidfd = -1;
	r.feed.fd = r.feed.child = r.feed.watch = -1;
	sink_start(j);
	if (run_start(&r, at) == 0) {
		if (r.feed.child >= 0) {
			close(r.feed.child);
			r.feed.child = -1;
		}
		r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
		if (opts.timeout > 0) {
			r.limit = opts.timeout;
			r.term_at = r.t0 + opts.timeout;
		} else if (opts.timeout_pct > 0)
			pct_timeout(&r, r.t0);
		if (opts.memfree > 0)
			res_run_start(&r.res, wakefd);
		run_loop(&r);
		if (opts.memfree > 0)
			res_run_end(&r.res);
		jc_quit(&r);
		if (r.pidfd >= 0)
			close(r.pidfd);
		j->runtime = clock_mono() - r.t0;
		run_result(&r);
		sink_finish(j);
	}
	if (opts.pipe != PIPE_NONE)
		feed_end(&r);
}
