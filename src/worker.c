/*
 * worker.c - the N worker threads.  Each takes a job from the queue,
 * expands its command, starts it (spawn.c), drains its stdout and stderr
 * as they come so the child never blocks on a full pipe, waits for it,
 * applies --timeout and --retries, and hands the finished job to the
 * collector.
 *
 * A job's slot ({%}) is the lowest one free when it starts, as in GNU
 * parallel, so no two running jobs share one and -j4 with two jobs uses
 * slots 1 and 2.
 * It waits with poll(2) on the pipes, a pidfd for the child (so a child
 * that exits while something it left behind holds the pipes open is
 * noticed), and the stop and kill pipes of main.c.  It signals only its
 * own job's process group, and only while that group may exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

extern char **environ;

struct worker {
	pthread_t	 tid;
	int		 slot;
	struct argv	 av;
	struct argv	 tagav;
	char		**envp;
	int		 nenv;
	char		 seqvar[40];
	char		 slotvar[40];
	struct strbuf	 cmd;
	struct strbuf	 key;		/* cmd as the joblog spells it */
	struct strbuf	 part[2];	/* --line-buffer: unfinished lines */
	char		*scratch;
	double		 start_at;	/* --delay: when the job may start */
};

/* What one attempt is waiting for. */
struct run {
	pid_t		 pid;
	int		 fd[2];		/* stdout, stderr read ends, or -1 */
	int		 pidfd;
	int		 reaped;
	int		 stopseen;
	int		 killseen;
	int		 outseen;
	int		 nonblock;	/* pipes drained without waiting */
	int		 group_gone;
	double		 term_at;	/* --timeout: send SIGTERM */
	double		 kill_at;	/* send SIGKILL to what is left */
};

static struct worker *workers;
static int nworkers;
static struct tmpl *cmdtmpl;
static struct tmpl *tagtmpl;
static pthread_mutex_t slotlock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *slotused;	/* slotused[s - 1]: s is taken */
static int watch_stdout;	/* stdout is a pipe: poll it for its end */
static pthread_mutex_t delaylock = PTHREAD_MUTEX_INITIALIZER;
static double next_start;

#define SCRATCH		(64 * 1024)
#define GROUP_POLL	0.05	/* how often to look for a job's leftovers */

static double
mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
job_error(struct job *j, int status, const char *fmt, const char *arg)
{
	struct strbuf sb = { 0 };
	char num[64];

	if (j->errmsg == NULL) {
		snprintf(num, sizeof(num), "%llu", j->seq);
		sb_adds(&sb, "parx: ");
		for (; *fmt != '\0'; fmt++) {
			if (fmt[0] == '%' && fmt[1] == 'N') {
				sb_adds(&sb, num);
				fmt++;
			} else if (fmt[0] == '%' && fmt[1] == 's') {
				sb_adds(&sb, arg);
				fmt++;
			} else
				sb_addc(&sb, *fmt);
		}
		sb_addc(&sb, '\n');
		j->errmsg = sb.s;
	}
	j->status = status;
	j->failed = 1;
}

/* The environment of parx less PARX_SEQ/PARX_SLOT, plus this job's. */
static void
env_init(struct worker *w)
{
	int n = 0, i;

	for (i = 0; environ[i] != NULL; i++)
		;
	w->envp = xcalloc(i + 3, sizeof(*w->envp));
	for (i = 0; environ[i] != NULL; i++)
		if (strncmp(environ[i], "PARX_SEQ=", 9) != 0 &&
		    strncmp(environ[i], "PARX_SLOT=", 10) != 0)
			w->envp[n++] = environ[i];
	w->envp[n] = w->seqvar;
	w->envp[n + 1] = w->slotvar;
	w->nenv = n + 2;
}

static void
set_tag(struct worker *w, struct job *j)
{
	int k;

	if (opts.tagstring != NULL) {
		tmpl_expand(tagtmpl, j, j->slot, &w->tagav);
		j->tag = xstrdup(w->tagav.v[0]);
	} else {
		struct strbuf sb = { 0 };

		for (k = 0; k < j->nitems; k++) {
			if (k > 0)
				sb_addc(&sb, ' ');
			sb_add(&sb, j->items[k], j->lens[k]);
		}
		sb_add(&sb, "", 0);
		j->tag = sb.s;
	}
	j->taglen = strlen(j->tag);
}

static int
slot_take(void)
{
	int s;

	LOCK(&slotlock);
	for (s = 0; slotused[s]; s++)
		;
	slotused[s] = 1;
	UNLOCK(&slotlock);
	return s + 1;
}

static void
slot_give(int s)
{
	LOCK(&slotlock);
	slotused[s - 1] = 0;
	UNLOCK(&slotlock);
}

/* --delay: when the next start may happen; delaylock held. */
static double
delay_next(void)
{
	double t = mono(), at = next_start > t ? next_start : t;

	next_start = at + opts.delay;
	return at;
}

/* Sleeps until at, or until parx must stop. */
static void
delay_until(double at)
{
	struct pollfd pf = { stop_fd(), POLLIN, 0 };
	double t = mono();

	if (at > t)
		poll(&pf, 1, (int)((at - t) * 1000 + 0.5));
}

/*
 * Takes the next job.  Under --delay it also gets its start time, under
 * the same lock, so that start times follow input order.
 */
static struct job *
next_job(double *at)
{
	struct job *j;

	if (opts.delay <= 0)
		return queue_pop();
	LOCK(&delaylock);
	if ((j = queue_pop()) != NULL)
		*at = delay_next();
	UNLOCK(&delaylock);
	return j;
}

/* Passes whole lines on (--line-buffer) and keeps the unfinished one. */
static void
line_feed(struct worker *w, struct job *j, int s, const char *p, size_t n)
{
	const char *nl;
	size_t whole;

	if (n == 0) {
		if (w->part[s].len > 0)
			collect_lines(j, s, w->part[s].s, w->part[s].len);
		w->part[s].len = 0;
		return;
	}
	for (nl = p + n; nl > p && nl[-1] != '\n'; nl--)
		;
	whole = (size_t)(nl - p);
	if (whole > 0) {
		if (w->part[s].len > 0) {
			sb_add(&w->part[s], p, whole);
			collect_lines(j, s, w->part[s].s, w->part[s].len);
			w->part[s].len = 0;
		} else
			collect_lines(j, s, p, whole);
	}
	sb_add(&w->part[s], p + whole, n - whole);
}

/*
 * One read from stream s; closes it at its end.  Returns what read(2)
 * did: -1 with EAGAIN means nothing is there now.
 */
static ssize_t
drain(struct worker *w, struct job *j, struct run *r, int s)
{
	ssize_t n;

	if (opts.outmode == OUT_LINE) {
		do
			n = read(r->fd[s], w->scratch, SCRATCH);
		while (n == -1 && errno == EINTR);
		if (n > 0)
			line_feed(w, j, s, w->scratch, (size_t)n);
	} else if (s == 0 && (j->streaming || collect_claim(j)))
		n = collect_stream(j, r->fd[s], r->nonblock);
	else
		n = outbuf_fill(s == 0 ? &j->out : &j->err, r->fd[s]);
	if (n > 0) {
		if (s == 0)
			j->outbytes += (unsigned long long)n;
		return n;
	}
	if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return n;
	if (opts.outmode == OUT_LINE)
		line_feed(w, j, s, NULL, 0);
	close(r->fd[s]);
	r->fd[s] = -1;
	return n;
}

/* Reads what is there without waiting, then stops listening. */
static void
drain_now(struct worker *w, struct job *j, struct run *r)
{
	int s;

	for (s = 0; s < 2; s++) {
		if (r->fd[s] < 0)
			continue;
		fcntl(r->fd[s], F_SETFL, fcntl(r->fd[s], F_GETFL) | O_NONBLOCK);
		r->nonblock = 1;
		while (r->fd[s] >= 0 && drain(w, j, r, s) > 0)
			;
		if (r->fd[s] >= 0) {
			if (opts.outmode == OUT_LINE)
				line_feed(w, j, s, NULL, 0);
			close(r->fd[s]);
			r->fd[s] = -1;
		}
	}
}

static void
reap(struct job *j, struct run *r, int wait)
{
	int st;
	pid_t p;

	do
		p = waitpid(r->pid, &st, wait ? 0 : WNOHANG);
	while (p == -1 && errno == EINTR);
	if (p != r->pid)
		return;
	r->reaped = 1;
	if (WIFEXITED(st))
		j->status = WEXITSTATUS(st);
	else if (WIFSIGNALED(st)) {
		j->status = -1;
		j->termsig = WTERMSIG(st);
	}
}

static void
group_signal(struct run *r, int sig)
{
	if (r->group_gone)
		return;
	if (killpg(r->pid, sig) == -1 && errno == ESRCH)
		r->group_gone = 1;
}

/* Whether anything of the job's process group is left. */
static int
group_alive(struct run *r)
{
	if (!r->group_gone && kill(-r->pid, 0) == -1 && errno == ESRCH)
		r->group_gone = 1;
	return !r->group_gone;
}

static void
on_stop(struct job *j, struct run *r)
{
	int sig;

	r->stopseen = 1;
	if ((sig = stop_signal()) == 0)
		return;
	if (!r->reaped || group_alive(r)) {
		j->interrupted = 1;
		group_signal(r, sig);
		if (r->kill_at == 0)
			r->kill_at = mono() + 2;
	}
}

/*
 * Waits for the child and its pipes.  The job is over when the child has
 * been reaped and both pipes are at their end; when a process it left
 * behind still holds a pipe, it is over once no process of its group is
 * left (a daemon that left the group does not keep the job alive).  A
 * timed-out or interrupted job is over only when its group is gone.
 */
static void
wait_job(struct worker *w, struct job *j, struct run *r)
{
	struct pollfd pf[6];
	int np, i, s, timeout;
	double t, wake;

	for (;;) {
		int open = (r->fd[0] >= 0) + (r->fd[1] >= 0);
		int must_empty = j->timed_out || j->interrupted;

		if (r->reaped && (open > 0 || must_empty) && !group_alive(r)) {
			drain_now(w, j, r);
			break;
		}
		if (r->reaped && open == 0 && !must_empty)
			break;
		np = 0;
		for (s = 0; s < 2; s++)
			if (r->fd[s] >= 0)
				pf[np++] = (struct pollfd){ r->fd[s], POLLIN, 0 };
		if (!r->reaped && r->pidfd >= 0)
			pf[np++] = (struct pollfd){ r->pidfd, POLLIN, 0 };
		if (!r->stopseen)
			pf[np++] = (struct pollfd){ stop_fd(), POLLIN, 0 };
		if (!r->killseen)
			pf[np++] = (struct pollfd){ kill_fd(), POLLIN, 0 };
		if (watch_stdout && !r->outseen)
			pf[np++] = (struct pollfd){ 1, 0, 0 };
		t = mono();
		wake = 0;
		if (r->term_at > 0 && !j->timed_out)
			wake = r->term_at;
		if (r->kill_at > 0 && (wake == 0 || r->kill_at < wake))
			wake = r->kill_at;
		if (r->reaped || r->pidfd < 0) {
			if (wake == 0 || t + GROUP_POLL < wake)
				wake = t + GROUP_POLL;
		}
		timeout = wake == 0 ? -1 : wake <= t ? 0 :
		    (int)((wake - t) * 1000) + 1;
		if (poll(pf, np, timeout) == -1 && errno != EINTR)
			break;
		for (i = 0; i < np; i++) {
			if (pf[i].revents == 0)
				continue;
			if (pf[i].fd == stop_fd())
				on_stop(j, r);
			else if (pf[i].fd == kill_fd()) {
				r->killseen = 1;
				group_signal(r, SIGKILL);
			} else if (pf[i].fd == r->pidfd)
				reap(j, r, 0);
			else if (pf[i].fd == 1) {
				/* The reader of our stdout has gone. */
				r->outseen = 1;
				stop_request(STOP_PIPE, SIGTERM);
			}
			else
				drain(w, j, r, pf[i].fd == r->fd[0] ? 0 : 1);
		}
		if (r->pidfd < 0 && !r->reaped)
			reap(j, r, 0);
		t = mono();
		if (r->term_at > 0 && !j->timed_out && t >= r->term_at &&
		    (!r->reaped || group_alive(r))) {
			j->timed_out = 1;
			group_signal(r, SIGTERM);
			r->kill_at = t + 2;
		}
		if (r->kill_at > 0 && t >= r->kill_at) {
			group_signal(r, SIGKILL);
			r->kill_at = t + 3600;
		}
	}
	if (!r->reaped)
		reap(j, r, 1);
}

static void
spawn_error(struct job *j, int err, const char *name)
{
	char msg[256];

	if (err == ENOENT) {
		if (strchr(name, ' ') != NULL)
			job_error(j, 127, "%s: command not found "
			    "(use -c to run a shell command line)", name);
		else
			job_error(j, 127, "%s: command not found", name);
	} else if (err == E2BIG)
		job_error(j, 126, "job %N: argument list too long", "");
	else {
		snprintf(msg, sizeof(msg), "%s: %s", name, strerror(err));
		job_error(j, 126, "%s", msg);
	}
}

static void
run_once(struct worker *w, struct job *j)
{
	struct run r;
	int pout[2] = { -1, -1 }, perr[2] = { -1, -1 }, rc;

	memset(&r, 0, sizeof(r));
	r.fd[0] = r.fd[1] = r.pidfd = -1;
	if (opts.outmode != OUT_UNGROUP &&
	    (pipe2(pout, O_CLOEXEC) == -1 || pipe2(perr, O_CLOEXEC) == -1)) {
		job_error(j, 126, "job %N: cannot make a pipe: %s",
		    strerror(errno));
		if (pout[0] >= 0) {
			close(pout[0]);
			close(pout[1]);
		}
		return;
	}
	snprintf(w->seqvar, sizeof(w->seqvar), "PARX_SEQ=%llu", j->seq);
	j->start = now();
	rc = spawn_job(w->av.v, w->envp, pout[1], perr[1], &r.pid);
	if (pout[1] >= 0) {
		close(pout[1]);
		close(perr[1]);
	}
	r.fd[0] = pout[0];
	r.fd[1] = perr[0];
	if (rc != 0) {
		if (r.fd[0] >= 0) {
			close(r.fd[0]);
			close(r.fd[1]);
		}
		spawn_error(j, rc, w->av.v[0]);
		return;
	}
	r.pidfd = (int)syscall(SYS_pidfd_open, r.pid, 0);
	if (opts.timeout > 0)
		r.term_at = mono() + opts.timeout;
	wait_job(w, j, &r);
	if (r.pidfd >= 0)
		close(r.pidfd);
	j->runtime = now() - j->start;
	if (j->timed_out) {
		if (j->termsig == 0)
			j->termsig = SIGTERM;
		j->status = -1;
	}
	j->failed = j->status != 0 || j->termsig != 0;
	if (j->out.err != 0 || j->err.err != 0) {
		job_error(j, j->status, "job %N: cannot spill output to "
		    "$TMPDIR (%s); kept it in memory",
		    strerror(j->out.err ? j->out.err : j->err.err));
		j->failed = j->status != 0 || j->termsig != 0;
	}
	if (j->timed_out) {
		char d[64];

		snprintf(d, sizeof(d), "%g", opts.timeout);
		job_error(j, -1, "job %N: timed out after %ss", d);
	}
}

/* Checks the joblog entry of a resumed run; returns 1 to skip the job. */
static int
resume_skip(struct worker *w, struct job *j)
{
	const struct logent *e = joblog_find(j->seq);
	char num[32];

	if (e == NULL)
		return 0;
	joblog_cmd_key(&w->key, w->cmd.s);
	if (strcmp(e->cmd, w->key.s) != 0) {
		struct strbuf sb = { 0 };

		snprintf(num, sizeof(num), "%llu", j->seq);
		sb_adds(&sb, "parx: --resume: job ");
		sb_adds(&sb, num);
		sb_adds(&sb, " ran '");
		sb_adds(&sb, e->cmd);
		sb_adds(&sb, "' but would now run '");
		sb_adds(&sb, w->cmd.s);
		sb_adds(&sb, "' (the input or the command changed)\n");
		collect_msg(sb.s, sb.len);
		sb_free(&sb);
		stop_request(STOP_FATAL, SIGTERM);
		return 1;
	}
	if (opts.resume_failed && (e->exitval != 0 || e->sig != 0))
		return 0;
	return 1;
}

static void
run_job(struct worker *w, struct job *j)
{
	int attempt;

	j->slot = w->slot;
	snprintf(w->slotvar, sizeof(w->slotvar), "PARX_SLOT=%d", j->slot);
	if (j->has_nul) {
		job_error(j, 126, "job %N: item contains a NUL byte (use -0)",
		    "");
		return;
	}
	tmpl_expand(cmdtmpl, j, j->slot, &w->av);
	if (opts.tag || opts.tagstring != NULL)
		set_tag(w, j);
	if (opts.dry_run || opts.verbose || opts.joblog != NULL) {
		tmpl_cmdline(cmdtmpl, w->av.v, &w->cmd);
		j->cmdline = xstrdup(w->cmd.s);
	}
	if ((opts.resume || opts.resume_failed) && resume_skip(w, j)) {
		j->skip = 1;
		return;
	}
	if (opts.dry_run) {
		outbuf_add(&j->out, w->cmd.s, w->cmd.len);
		outbuf_add(&j->out, "\n", 1);
		return;
	}
	for (attempt = 0;; attempt++) {
		if (opts.delay > 0 && attempt > 0) {
			LOCK(&delaylock);
			w->start_at = delay_next();
			UNLOCK(&delaylock);
		}
		if (opts.delay > 0)
			delay_until(w->start_at);
		if (stop_requested() && attempt > 0)
			break;
		if (opts.verbose) {
			sb_addc(&w->cmd, '\n');
			collect_msg(w->cmd.s, w->cmd.len);
			w->cmd.s[--w->cmd.len] = '\0';
		}
		run_once(w, j);
		if (!j->failed || attempt >= opts.retries || j->interrupted ||
		    stop_requested())
			break;
		/* Only the last attempt's output is kept. */
		outbuf_free(&j->out);
		outbuf_free(&j->err);
		free(j->errmsg);
		j->errmsg = NULL;
		j->status = j->termsig = j->timed_out = j->failed = 0;
		j->outbytes = 0;
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;

	while ((j = next_job(&w->start_at)) != NULL) {
		collect_window(j->seq);
		if (stop_requested()) {
			job_free(j);
			continue;
		}
		w->slot = slot_take();
		run_job(w, j);
		slot_give(w->slot);
		collect_put(j);
	}
	return NULL;
}

void
workers_start(int n)
{
	pthread_attr_t attr;
	struct stat st;
	int i, rc;

	cmdtmpl = tmpl_new(opts.cmd, opts.ncmd, opts.replace, opts.script,
	    opts.shell);
	if (opts.tagstring != NULL)
		tagtmpl = tmpl_new((char **)&opts.tagstring, 1, NULL, NULL,
		    NULL);
	spawn_init(tmpl_const_prog(cmdtmpl));
	watch_stdout = fstat(1, &st) == 0 && (S_ISFIFO(st.st_mode) ||
	    S_ISSOCK(st.st_mode));
	workers = xcalloc(n, sizeof(*workers));
	slotused = xcalloc(n, 1);
	nworkers = n;
	xpthread(pthread_attr_init(&attr), __FILE__, __LINE__);
	/* Workers need little stack; thousands of them must fit. */
	xpthread(pthread_attr_setstacksize(&attr, 256 * 1024), __FILE__,
	    __LINE__);
	for (i = 0; i < n; i++) {
		env_init(&workers[i]);
		if (opts.outmode == OUT_LINE)
			workers[i].scratch = xmalloc(SCRATCH);
		if ((rc = pthread_create(&workers[i].tid, &attr, worker_main,
		    &workers[i])) == EAGAIN && i > 0) {
			/* Other processes of the user took what -j needed. */
			fprintf(stderr, "parx: warning: cannot start more than "
			    "%d jobs at once (%s)\n", i, strerror(rc));
			free(workers[i].envp);
			free(workers[i].scratch);
			nworkers = i;
			break;
		}
		xpthread(rc, __FILE__, __LINE__);
	}
	pthread_attr_destroy(&attr);
}

void
workers_join(void)
{
	int i;

	for (i = 0; i < nworkers; i++) {
		xpthread(pthread_join(workers[i].tid, NULL), __FILE__,
		    __LINE__);
		argv_free(&workers[i].av);
		argv_free(&workers[i].tagav);
		sb_free(&workers[i].cmd);
		sb_free(&workers[i].key);
		sb_free(&workers[i].part[0]);
		sb_free(&workers[i].part[1]);
		free(workers[i].scratch);
		free(workers[i].envp);
	}
	free(workers);
	free(slotused);
	tmpl_free(cmdtmpl);
	if (tagtmpl != NULL)
		tmpl_free(tagtmpl);
}
