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
 * spill files and the worker's eventfd.
 */
#define FDS_BASE	16
#define FDS_PER_JOB	8
#define THREADS_BASE	3	/* main, signals, reader */

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
	long max;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	orig = rl.rlim_cur;
	if (rl.rlim_max != RLIM_INFINITY &&
	    rl.rlim_max < FDS_BASE + FDS_PER_JOB)
		errx(255, "too few file descriptors: ulimit -n is %llu, and "
		    "one job needs at least %d", (unsigned long long)rl.rlim_max,
		    FDS_BASE + FDS_PER_JOB);
	need = (rlim_t)opts.jobs * FDS_PER_JOB + FDS_BASE;
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
	    ((long)rl.rlim_cur - FDS_BASE) / FDS_PER_JOB;
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    ((long)rl.rlim_cur - THREADS_BASE) / 2 < max) {
		max = ((long)rl.rlim_cur - THREADS_BASE) / 2;
		if (max < 1)
			errx(255, "ulimit -u is %llu: too low to run a job "
			    "(parx needs %d threads, and a thread and a "
			    "process per job)", (unsigned long long)rl.rlim_cur,
			    THREADS_BASE);
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

int
main(int argc, char **argv)
{
	int rc, n;

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
	if (opts.dry_run)
		opts.keep_order = 1;
	if (opts.joblog != NULL && !opts.dry_run &&
	    joblog_open(opts.joblog, opts.resume || opts.resume_failed) == -1)
		err(255, "cannot open joblog %s", opts.joblog);

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
	if ((rc = stop_signals_start()) != 0)
		fatal_errno(rc, "cannot start a thread (ulimit -u?)");
	if (opts.slurm_submit && !opts.dry_run) {
		rc = submit_run(argc, argv);
		if (opts.joblog != NULL)
			joblog_close();
		exit(stop_status(rc));
	}
	n = workers_start(opts.jobs);
	collect_workers(n);
	if ((rc = reader_start()) != 0)
		fatal_errno(rc, "cannot start a thread (ulimit -u?)");
	collect_run();
	workers_join();
	rc = collect_status();
	if (opts.joblog != NULL && !opts.dry_run)
		joblog_close();
	exec_finish();
	if (submit_tasking())
		submit_task_end(rc);
	/* The reader may still block on its input: exit without it. */
	exit(stop_status(rc));
}
