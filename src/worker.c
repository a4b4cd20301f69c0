/*
 * worker.c - the N worker threads.  Each takes a job from the queue,
 * expands its command into its own buffers, runs it (run.c) as many times
 * as --retries allows, and hands the finished job to the collector.
 *
 * A job's slot ({%}) is the lowest one free when it starts, as in GNU
 * parallel, so no two running jobs share one and -j4 with two jobs uses
 * slots 1 and 2.  Each worker has an eventfd through which output.c wakes
 * it when its job may write to the output.
 */
#include <sys/eventfd.h>

#include <err.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

extern char **environ;

struct worker {
	pthread_t	 tid;
	int		 slot;
	int		 wakefd;
	struct argv	 av;
	struct argv	 tagav;
	char		**envp;
	char		 seqvar[40];
	char		 slotvar[40];
	struct strbuf	 cmd;
	struct strbuf	 key;		/* cmd as the joblog spells it */
	char		*scratch;	/* --line-buffer reads */
	double		 start_at;	/* --delay: when the job may start */
	struct exec_ctx	*ex;		/* the executors' (exec.c) */
};

/* workers[] and nslots grow with workers_more, under slotlock. */
static struct worker **workers;
static int nworkers;
static const struct tmpl *cmdtmpl;
static const struct tmpl *tagtmpl;
static int nslots;
static pthread_mutex_t slotlock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *slotused;	/* slotused[s - 1]: s is taken */
static uint64_t jitter_seed;	/* --retry-delay */

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
	for (s = 0; s < nslots && slotused[s]; s++)
		;
	if (s == nslots)
		abort();	/* more jobs than workers */
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

/* Sleeps until at (clock_mono), or until parx must stop. */
static void
delay_until(double at)
{
	struct pollfd pf = { stop_fd(), POLLIN, 0 };

	while (at > clock_mono() && !stop_requested())
		if (poll(&pf, 1, io_poll_timeout(at)) > 0)
			break;
}

/* Shortens a command line for a message: one line, at most 60 bytes. */
static void
brief(struct strbuf *sb, const char *s)
{
	size_t n = strcspn(s, "\n");

	sb->len = 0;
	if (n > 60)
		n = 57;
	sb_add(sb, s, n);
	if (s[n] != '\0')
		sb_adds(sb, "...");
}

/*
 * Checks the joblog entry of a resumed run; returns 1 to skip the job.
 * Only a job that would be skipped must have the command logged for its
 * number: --resume-failed runs a failed one again whatever it ran.
 */
static int
resume_skip(struct worker *w, struct job *j)
{
	const struct logent *e = joblog_find(j->seq);
	struct strbuf was = { 0 }, now = { 0 };

	if (e == NULL)
		return 0;
	if (opts.resume_failed && (e->exitval != 0 || e->sig != 0))
		return 0;
	if (strcmp(e->cmd, w->key.s) == 0)
		return 1;
	brief(&was, e->cmd);
	brief(&now, w->key.s);
	output_msgf("parx: cannot resume: job %llu of %s ran '%s', but would "
	    "now run '%s'; the input or the command changed (start a new "
	    "--joblog to run everything)\n", j->seq, opts.joblog, was.s,
	    now.s);
	sb_free(&was);
	sb_free(&now);
	stop_request(STOP_FATAL, SIGTERM);
	return 1;
}

/* What became of a job the worker had. */
enum fate { JOB_DONE, JOB_DROP, JOB_QUEUED };

/*
 * Waits until a job may start: --delay's time, then --load and
 * --memfree.  0, or -1 when parx stops meanwhile.
 */
static int
may_start(struct worker *w)
{
	if (opts.delay > 0)
		delay_until(w->start_at);
	if ((opts.load > 0 || opts.memfree > 0) && !stop_requested() &&
	    res_gate() == -1)
		return -1;
	return stop_requested() ? -1 : 0;
}

/* Whether --retries and --retry-on want another attempt of failed j. */
static int
retry_wanted(const struct job *j)
{
	const struct retryon *on = opts.retry_on;

	if (!j->failed || j->interrupted || j->attempts > opts.retries ||
	    stop_requested())
		return 0;
	if (on == NULL)
		return 1;
	if (j->nostart)
		return on->nostart;
	if (j->timed_out)
		return on->timeout;
	if (j->termsig != 0)
		return on->signal;
	return j->status > 0 && j->status < 256 &&
	    (on->code[j->status / 8] >> (j->status % 8) & 1);
}

/* A number in [0, 1) that differs from job to job and attempt to attempt. */
static double
jitter(const struct job *j)
{
	uint64_t z = jitter_seed + j->seq * 0x9e3779b97f4a7c15ULL +
	    (uint64_t)j->attempts * 0xbf58476d1ce4e5b9ULL;

	/* splitmix64's finaliser. */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return (double)(z >> 11) / (double)(1ULL << 53);
}

/*
 * --retry-delay D,MAX: the wait before retry k is D * 2^(k-1), at most
 * MAX, less up to a quarter of it at random, so that jobs that failed
 * together do not all try again at the same moment.
 */
static double
retry_wait(const struct job *j)
{
	double d = opts.retry_delay;
	int k;

	for (k = 1; k < j->attempts && d < opts.retry_max; k++)
		d *= 2;
	if (d > opts.retry_max)
		d = opts.retry_max;
	return d * (1 - 0.25 * jitter(j));
}

/*
 * Puts j back in the queue: to run again at once (--memfree killed it,
 * which costs no attempt), or after its retry delay.  A job that cannot
 * go back because parx is stopping counts as interrupted.
 */
static enum fate
requeue(struct job *j)
{
	if (j->requeue) {
		j->attempts--;
		j->not_before = 0;
	} else
		j->not_before = clock_mono() + retry_wait(j);
	job_reset(j);
	if (queue_requeue(j) == 0)
		return JOB_QUEUED;
	j->interrupted = 1;
	return JOB_DONE;
}

/* Expands job j's command; 0, or -1 when it cannot run (it failed). */
static int
prepare(struct worker *w, struct job *j)
{
	int logged = (opts.joblog != NULL && !opts.dry_run) ||
	    opts.timeline != NULL || opts.results != NULL;

	if (j->has_nul) {
		job_errorf(j, "job %llu: item contains a NUL byte (use -0)",
		    j->seq);
		job_failed(j, 126);
		return -1;
	}
	if (j->toolong) {
		job_errorf(j, "job %llu: item too long for -s %ld", j->seq,
		    opts.maxchars);
		job_failed(j, 126);
		return -1;
	}
	if (tmpl_expand(cmdtmpl, j, j->slot, &w->av) == -1) {
		job_errorf(j, "job %llu: an item cannot be substituted safely "
		    "where the -c script puts it (see QUOTING in parx(1))",
		    j->seq);
		job_failed(j, 126);
		return -1;
	}
	/* A requeued job (or one whose host failed) may have another slot. */
	free(j->tag);
	free(j->cmdline);
	free(j->logcmd);
	free(j->argvbuf);
	j->tag = j->cmdline = j->logcmd = j->argvbuf = NULL;
	if (opts.tag || opts.tagstring != NULL)
		set_tag(w, j);
	if (opts.dry_run || opts.verbose) {
		tmpl_cmdline(cmdtmpl, w->av.v, &w->cmd);
		j->cmdline = xstrdup(w->cmd.s);
	}
	/* The log's spelling: to write, or to compare when resuming. */
	if (logged || opts.resume || opts.resume_failed)
		tmpl_logline(cmdtmpl, j, w->av.v, &w->key);
	if (logged)
		j->logcmd = xstrdup(w->key.s);
	if (opts.joblog_json && !opts.dry_run) {
		j->argvbuf = xmalloc(w->av.sb.len);
		memcpy(j->argvbuf, w->av.sb.s, w->av.sb.len);
		j->argvlen = w->av.sb.len;
	}
	return 0;
}

/*
 * Sets job j up for this worker and slot; 0, or 1 when j is done without
 * running (skipped, failed to expand, --dry-run).
 */
static int
setup(struct worker *w, struct job *j)
{
	if (j->skip)
		return 1;	/* --retry-failed: done already */
	j->slot = w->slot;
	j->wakefd = w->wakefd;
	snprintf(w->slotvar, sizeof(w->slotvar), "PARX_SLOT=%d", j->slot);
	snprintf(w->seqvar, sizeof(w->seqvar), "PARX_SEQ=%llu", j->seq);
	if (prepare(w, j) == -1)
		return 1;
	if ((opts.resume || opts.resume_failed) && resume_skip(w, j)) {
		j->skip = 1;
		return 1;
	}
	if (submit_packing())
		return 0;
	if (opts.dry_run) {
		outbuf_add(&j->sink[0].buf, w->cmd.s, w->cmd.len);
		outbuf_add(&j->sink[0].buf, "\n", 1);
		return 1;
	}
	return 0;
}

/*
 * Runs job j in this worker's slot, retrying at once as --retries says;
 * a retry that must wait (--retry-delay), and a job --memfree killed, go
 * back to the queue instead.
 */
static enum fate
run_job(struct worker *w, struct job *j)
{
	int n, v;

	if (setup(w, j))
		return JOB_DONE;
	if (may_start(w) == -1)
		return JOB_DROP;
	for (n = 0;; n++) {
		if (opts.verbose)
			output_msgf("%s\n", w->cmd.s);
		j->attempts++;
		v = exec_attempt(w->ex, j, n, w->av.v, w->envp, w->scratch,
		    w->wakefd);
		/* Its host failed: it goes back, costing no attempt. */
		if (v == EXEC_REQUEUE)
			j->requeue = 1;
		if (j->requeue)
			return requeue(j);
		if (v == EXEC_FINAL || !retry_wanted(j))
			break;
		if (opts.retry_delay > 0)
			return requeue(j);
		if (opts.delay > 0)
			w->start_at = queue_delay_next();
		/* Stopped meanwhile: the failure stands. */
		if (may_start(w) == -1)
			break;
		/* Only the last attempt's output is kept. */
		job_reset(j);
	}
	/* The failure summary names the command; others fail rarely. */
	if (opts.summary && j->failed && j->cmdline == NULL) {
		tmpl_cmdline(cmdtmpl, w->av.v, &w->cmd);
		j->cmdline = xstrdup(w->cmd.s);
	}
	return JOB_DONE;
}

/*
 * Waits until j may start as far as the collector goes (collect_window);
 * 1 then.  With --retry-delay, a job waiting for its retry may be what
 * the others wait behind (-k): once its time has come, j goes back to
 * the queue (0) so that this worker can run that one.
 */
static int
window_wait(struct job *j)
{
	double due;

	if (opts.retry_delay == 0) {
		collect_window(j->seq, 0);
		return 1;
	}
	for (;;) {
		/* A retry put back meanwhile is seen within a second. */
		due = queue_next_due();
		if (collect_window(j->seq, due > 0 ? due : clock_mono() + 1))
			return 1;
		if (due > 0 && clock_mono() >= due) {
			j->not_before = 0;
			if (queue_requeue(j) == 0)
				return 0;
			return 1;
		}
	}
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;
	enum fate f;
	int done = 0;

	while ((j = queue_pop(&w->start_at, done)) != NULL) {
		done = 1;
		/* --slurm-submit: the job becomes a record (slurm_submit.c). */
		if (submit_packing()) {
			if (!stop_requested()) {
				w->slot = 1;
				(void)setup(w, j);
				submit_pack(j, j->logcmd, j->tag);
			}
			job_free(j);
			continue;
		}
		if (!window_wait(j)) {
			done = 0;
			continue;
		}
		if (stop_requested()) {
			job_free(j);
			continue;
		}
		w->slot = slot_take();
		f = run_job(w, j);
		slot_give(w->slot);
		if (f == JOB_QUEUED)
			done = 0;
		else if (f == JOB_DROP)
			job_free(j);
		else {
			if (j->block != NULL || j->rr)
				job_input_free(j);
			if (opts.results != NULL && !opts.dry_run)
				results_write(j);
			collect_put(j);
		}
	}
	if (!submit_packing())
		collect_worker_done();
	return NULL;
}

static void
worker_free(struct worker *w)
{
	argv_free(&w->av);
	argv_free(&w->tagav);
	sb_free(&w->cmd);
	sb_free(&w->key);
	free(w->scratch);
	free(w->envp);
	exec_ctx_free(w->ex);
	if (w->wakefd >= 0)
		close(w->wakefd);
	free(w);
}

/* Makes and starts one worker; 0, or an error number. */
static int
worker_new(struct worker **wp)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	int rc;

	env_init(w);
	w->ex = exec_ctx_new();
	if (opts.outmode == OUT_LINE)
		w->scratch = xmalloc(OUTBUF_MEMMAX);
	if ((w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		fatal("cannot make an eventfd");
	*wp = w;
	/* Workers need little stack; thousands of them must fit. */
	if ((rc = thread_start(&w->tid, worker_main, w, 256 * 1024)) != 0) {
		worker_free(w);
		*wp = NULL;
	}
	return rc;
}

/*
 * Starts up to n workers; returns how many run.  Fewer than n when the
 * process limit (ulimit -u) allows no more threads, which is said once.
 */
int
workers_start(int n, const struct tmpl *cmd, const struct tmpl *tag)
{
	int i, rc;

	cmdtmpl = cmd;
	tagtmpl = tag;
	spawn_init(tmpl_const_prog(cmdtmpl));
	jitter_seed = (uint64_t)(clock_wall() * 1e6) ^ (uint64_t)getpid() << 32;
	run_init();
	sink_init(n);
	workers = xcalloc(n, sizeof(*workers));
	slotused = xcalloc(n, 1);
	nslots = n;
	LOCK(&slotlock);
	for (i = 0; i < n; i++) {
		if ((rc = worker_new(&workers[i])) != 0) {
			if (i == 0)
				fatal_errno(rc, "cannot start a worker thread "
				    "(ulimit -u?)");
			warnx("warning: cannot start more than %d jobs at "
			    "once (%s)", i, strerror(rc));
			break;
		}
	}
	nworkers = i;
	UNLOCK(&slotlock);
	return i;
}

/*
 * While parx runs, hosts may bring more slots (exec.c): starts n more
 * workers; returns how many started.
 */
int
workers_more(int n)
{
	int i;

	collect_workers_add(n);
	LOCK(&slotlock);
	workers = xrealloc(workers, (nworkers + n) * sizeof(*workers));
	slotused = xrealloc(slotused, nslots + n);
	memset(slotused + nslots, 0, n);
	nslots += n;
	for (i = 0; i < n; i++)
		if (worker_new(&workers[nworkers]) != 0)
			break;
		else
			nworkers++;
	UNLOCK(&slotlock);
	/* The collector counts those that never started as done. */
	while (i < n--)
		collect_worker_done();
	return i;
}

/* Once the collector is done, so are the workers: no more can start. */
void
workers_join(void)
{
	int i;

	for (i = 0; i < nworkers; i++) {
		xpthread(pthread_join(workers[i]->tid, NULL), __FILE__,
		    __LINE__);
		worker_free(workers[i]);
	}
	free(workers);
	free(slotused);
}
