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
static int nslots;
static struct tmpl *cmdtmpl;
static struct tmpl *tagtmpl;
static pthread_mutex_t slotlock = PTHREAD_MUTEX_INITIALIZER;
static unsigned char *slotused;	/* slotused[s - 1]: s is taken */

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

/* Checks the joblog entry of a resumed run; returns 1 to skip the job. */
static int
resume_skip(struct worker *w, struct job *j)
{
	const struct logent *e = joblog_find(j->seq);

	if (e == NULL)
		return 0;
	joblog_cmd_key(&w->key, w->cmd.s);
	if (strcmp(e->cmd, w->key.s) != 0) {
		output_msgf("parx: --resume: job %llu ran '%s' but would now "
		    "run '%s' (the input or the command changed)\n", j->seq,
		    e->cmd, w->cmd.s);
		stop_request(STOP_FATAL, SIGTERM);
		return 1;
	}
	if (opts.resume_failed && (e->exitval != 0 || e->sig != 0))
		return 0;
	return 1;
}

/* Runs j; returns 1 when it must run again elsewhere (exec.c). */
static int
run_job(struct worker *w, struct job *j)
{
	int attempt, v;

	j->slot = w->slot;
	j->wakefd = w->wakefd;
	snprintf(w->slotvar, sizeof(w->slotvar), "PARX_SLOT=%d", j->slot);
	snprintf(w->seqvar, sizeof(w->seqvar), "PARX_SEQ=%llu", j->seq);
	if (j->has_nul) {
		job_errorf(j, "job %llu: item contains a NUL byte (use -0)",
		    j->seq);
		job_failed(j, 126);
		return 0;
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
		return 0;
	}
	if (submit_packing())
		return 0;
	if (opts.dry_run) {
		outbuf_add(&j->sink[0].buf, w->cmd.s, w->cmd.len);
		outbuf_add(&j->sink[0].buf, "\n", 1);
		return 0;
	}
	for (attempt = 0;; attempt++) {
		if (opts.delay > 0 && attempt > 0)
			w->start_at = queue_delay_next();
		if (opts.delay > 0)
			delay_until(w->start_at);
		if (stop_requested() && attempt > 0)
			break;
		if (opts.verbose)
			output_msgf("%s\n", w->cmd.s);
		v = exec_attempt(w->ex, j, attempt, w->av.v, w->envp,
		    w->scratch, w->wakefd);
		if (v == EXEC_REQUEUE)
			return 1;
		if (v == EXEC_FINAL || !j->failed || j->retried >= opts.retries ||
		    j->interrupted || stop_requested())
			break;
		/* Only the last attempt's output is kept. */
		j->retried++;
		job_reset(j);
	}
	return 0;
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	struct job *j;
	int done = 0, again;

	while ((j = queue_pop(&w->start_at, done)) != NULL) {
		done = 1;
		/* --slurm-submit: the job becomes a record (slurm_submit.c). */
		if (submit_packing()) {
			if (!stop_requested()) {
				w->slot = 1;
				run_job(w, j);
				submit_pack(j, j->cmdline, j->tag);
			}
			job_free(j);
			continue;
		}
		collect_window(j->seq);
		if (stop_requested()) {
			job_free(j);
			continue;
		}
		w->slot = slot_take();
		again = run_job(w, j);
		slot_give(w->slot);
		/* Its host failed: the job goes back, using no retry. */
		if (again && queue_requeue(j) == 0) {
			done = 0;
			continue;
		}
		if (again)
			j->interrupted = 1;	/* parx is stopping */
		collect_put(j);
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
workers_start(int n)
{
	int i, rc;

	cmdtmpl = tmpl_new(opts.cmd, opts.ncmd, opts.replace, opts.script,
	    opts.shell);
	if (opts.tagstring != NULL)
		tagtmpl = tmpl_new_string(opts.tagstring);
	spawn_init(tmpl_const_prog(cmdtmpl));
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
	tmpl_free(cmdtmpl);
	if (tagtmpl != NULL)
		tmpl_free(tagtmpl);
}
