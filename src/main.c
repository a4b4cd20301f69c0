/*
 * main.c - startup and the exit status.
 *
 * main parses the options, makes sure the limits fit -j, blocks the
 * terminating signals before any thread exists (stop.c takes them in its
 * own thread), ignores SIGPIPE (a closed stdout is an EPIPE that ends the
 * run with 141), starts the workers and the reader, runs the collector in
 * its own thread until every worker is done, and exits with the status
 * the jobs and any stop give.  Threads: main (the collector), the signal
 * thread, the reader, and one per job slot.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

/*
 * Descriptors: about FDS_BASE of parx's own (standard ones, stop pipes,
 * /dev/null, private stdout and stderr, joblog, hold file, sources), and
 * per running job two pipes (four ends while it starts), a pidfd, two
 * spill files and the worker's eventfd; under --pipe its input too (a
 * pipe, or a FIFO and an inotify descriptor).
 */
#define FDS_BASE	16
#define FDS_PER_JOB	8
#define FDS_PER_PIPE	2
#define THREADS_BASE	3	/* main, signals, reader (+ --memfree's) */

int
ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

/*
 * A closed standard descriptor becomes /dev/null opened for reading only:
 * later code may assume fds 0-2 are taken, and a write to a closed stdout
 * still fails (EBADF), so that output with nowhere to go is an error.
 */
static void
open_std_fds(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", O_RDONLY) != fd)
			_exit(255);
}

/*
 * Raises the soft open-files limit to fit -j (jobs get the original one
 * back, see spawn.c); if the hard limit does not allow it, runs fewer jobs
 * and says so once.  The process limit (ulimit -u) counts threads too:
 * each job costs a worker thread and a process.
 */
static void
fit_limits(int zero)
{
	struct rlimit rl;
	rlim_t need, orig;
	long max, threads = THREADS_BASE + (opts.memfree > 0);
	int per = FDS_PER_JOB + (opts.pipe != PIPE_NONE ? FDS_PER_PIPE : 0);

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	orig = rl.rlim_cur;
	if (rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < (rlim_t)(FDS_BASE + per))
		errx(255, "too few file descriptors: ulimit -n is %llu, and "
		    "one job needs at least %d", (unsigned long long)rl.rlim_max,
		    FDS_BASE + per);
	need = (rlim_t)opts.jobs * per + FDS_BASE;
	if (zero || rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
		    (zero ? rl.rlim_max : need) : rl.rlim_max;
		if (rl.rlim_cur == RLIM_INFINITY)
			rl.rlim_cur = 1 << 20;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 ||
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			rl.rlim_cur = orig;
		if (rl.rlim_cur != orig)
			spawn_restore_nofile(orig);
	}
	max = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 :
	    ((long)rl.rlim_cur - FDS_BASE) / per;
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    ((long)rl.rlim_cur - threads) / 2 < max) {
		max = ((long)rl.rlim_cur - threads) / 2;
		if (max < 1)
			errx(255, "ulimit -u is %llu: too low to run a job "
			    "(parx needs %d threads, and a thread and a "
			    "process per job)", (unsigned long long)rl.rlim_cur,
			    (int)threads);
	}
	if (max < 1)
		max = 1;
	if (zero) {
		opts.jobs = max > 4096 ? 4096 : (int)max;
		return;
	}
	if (opts.jobs > max) {
		warnx("warning: only %ld job%s at once fit%s the limits "
		    "(ulimit -n, -u); running %ld instead of %d", max,
		    max == 1 ? "" : "s", max == 1 ? "s" : "", max, opts.jobs);
		opts.jobs = (int)max;
	}
}

/*
 * --timeline: the file is opened before anything runs, so that one that
 * cannot be written is an error before any job starts, and it is written
 * when the run is over, however it ended: a file left by an earlier run
 * stays as it was until then.
 */
static int
timeline_open(void)
{
	struct stat log, pic;
	int fd;

	if (opts.timeline == NULL || opts.dry_run)
		return -1;
	fd = open(opts.timeline, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
	if (fd == -1)
		err(255, "cannot open timeline %s", opts.timeline);
	if (opts.joblog != NULL && stat(opts.joblog, &log) == 0 &&
	    fstat(fd, &pic) == 0 && S_ISREG(pic.st_mode) &&
	    log.st_dev == pic.st_dev && log.st_ino == pic.st_ino)
		errx(255, "--timeline %s is the job log: it would be "
		    "overwritten", opts.timeline);
	return fd;
}

/* Draws the run to fd, headed by parx's own command line. */
static void
timeline_finish(int fd, int argc, char **argv)
{
	struct strbuf title = { NULL, 0, 0 };
	struct stat st;
	int i, e = 0;

	sb_adds(&title, "parx");
	for (i = 1; i < argc; i++) {
		sb_addc(&title, ' ');
		shell_quote(&title, argv[i], strlen(argv[i]));
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    ftruncate(fd, 0) == -1)
		e = errno;
	if (collect_draw(fd, title.s) == -1 && e == 0)
		e = errno;
	if (close(fd) == -1 && e == 0)
		e = errno;
	if (e != 0)
		output_msgf("parx: cannot write timeline %s: %s\n",
		    opts.timeline, strerror(e));
	sb_free(&title);
}

/* The command template, and the --tagstring one. */
static void
make_templates(struct tmpl **cmd, struct tmpl **tag)
{
	struct tmpl_args a;
	char **names;
	int nnames;

	reader_names(&names, &nnames);
	memset(&a, 0, sizeof(a));
	a.words = opts.cmd;
	a.nwords = opts.nocommand ? 0 : opts.ncmd;
	a.replace = opts.replace;
	a.script = opts.script;
	a.shell = opts.shell;
	a.names = names;
	a.nnames = nnames;
	a.repeat = opts.pack == PACK_CONTEXT;
	a.fromlog = opts.retry_failed;
	*cmd = tmpl_new(&a);
	*tag = opts.tagstring != NULL ?
	    tmpl_new_string(opts.tagstring, names, nnames) : NULL;
}

/* -s: the command alone, and each ::: item with it, must fit. */
static void
check_maxchars(const struct tmpl *t)
{
	size_t need = tmpl_pack_chars(t, "", 0);
	int s, i;

	if (opts.maxchars <= 0)
		return;
	if ((size_t)opts.maxchars < need)
		usage_error("-s %ld is too small: the command alone takes %zu "
		    "bytes", opts.maxchars, need);
	for (s = 0; s < opts.nsources; s++)
		for (i = 0; i < opts.sources[s].nwords; i++) {
			const char *w = opts.sources[s].words[i];

			need = tmpl_pack_chars(t, w, strlen(w));
			if ((size_t)opts.maxchars < need)
				usage_error("-s %ld is too small for item '%s' "
				    "(a job with it takes %zu bytes)",
				    opts.maxchars, w, need);
		}
}

/* Before threads: the joblog, in the format asked for, which it must be. */
static void
open_joblog(void)
{
	int rc;

	rc = joblog_open(opts.joblog, opts.resume || opts.resume_failed ||
	    opts.retry_failed, !opts.dry_run, opts.joblog_json);
	if (rc == JOBLOG_MISMATCH)
		errx(255, "joblog %s is %s, not %s (see --joblog-format)",
		    opts.joblog, opts.joblog_json ? "tab-separated" :
		    "JSON lines", opts.joblog_json ? "JSON lines" :
		    "tab-separated");
	if (rc == -1)
		err(255, "cannot open joblog %s", opts.joblog);
}

/* The workers, the reader and the collector; the jobs' exit status. */
static int
run_here(const struct tmpl *cmd, const struct tmpl *tag)
{
	int rc, n;

	n = workers_start(opts.jobs, cmd, tag);
	collect_workers(n);
	if ((rc = reader_start(cmd)) != 0)
		fatal_errno(rc, "cannot start a thread (ulimit -u?)");
	collect_run();
	workers_join();
	return collect_status();
}

int
main(int argc, char **argv)
{
	struct tmpl *cmd, *tag;
	int rc, tlfd;

	/* Messages say "parx:" whatever the binary is called. */
	program_invocation_name = program_invocation_short_name = "parx";
	open_std_fds();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	/* parx in an array task of --slurm-submit (slurm_submit.c). */
	if (argc > 1 && strcmp(argv[1], "--slurm-task") == 0)
		submit_task_args(&argc, &argv);
	options_parse(argc, argv);
	if (submit_tasking())
		submit_task_init();
	exec_init();
	if (!exec_hosts())
		fit_limits(opts.jobs == 0);
	spawn_limits();
	if (opts.pipe != PIPE_NONE)
		pipe_init();
	if (opts.dry_run)
		opts.keep_order = 1;
	if (opts.joblog != NULL)
		open_joblog();
	if (opts.results != NULL && !opts.dry_run && results_open() == -1)
		err(255, "cannot write results to %s", opts.results);
	reader_init();
	make_templates(&cmd, &tag);
	check_maxchars(cmd);
	tlfd = timeline_open();

	stop_signals_block();
	stop_init();
	/* With hosts, -j is theirs: their slots make the jobs at once. */
	if (exec_hosts()) {
		exec_start();
		fit_limits(0);
	}
	if (opts.bar)
		bar_init();
	collect_init();
	queue_init((size_t)opts.jobs * 2 + 16);
	stop_hook(queue_drain);
	stop_hook(collect_wake);
	stop_hook(exec_wake);
	if (opts.pipe != PIPE_NONE)
		stop_hook(block_stop);
	/* res_start registers a stop hook: before any thread exists. */
	if ((rc = res_start()) != 0 || (rc = stop_signals_start()) != 0)
		fatal_errno(rc, "cannot start a thread (ulimit -u?)");
	if (opts.slurm_submit && !opts.dry_run)
		rc = submit_run(argc, argv, cmd, tag);
	else
		rc = run_here(cmd, tag);
	/* Input that could not be read, or was left unprocessed. */
	if (opts.pipe != PIPE_NONE && pipe_failed())
		rc = 255;
	if (opts.joblog != NULL)
		joblog_close();
	exec_finish();
	if (submit_tasking())
		submit_task_end(rc);
	if (tlfd != -1)
		timeline_finish(tlfd, argc, argv);
	/* A job's results could not be written: said once, and an error. */
	if (opts.results != NULL && !opts.dry_run) {
		if (results_failed())
			rc = 255;
		results_close();
	}
	/* The reader may still block on its input: exit without it. */
	exit(stop_status(rc));
}
