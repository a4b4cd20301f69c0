/*
 * main.c - startup, the signal thread, stopping, and the exit status.
 *
 * main parses the options, sets up signals before any thread exists
 * (SIGINT, SIGTERM and SIGHUP blocked everywhere and taken by sigwait in
 * one thread; SIGPIPE ignored so a closed stdout is an EPIPE the collector
 * turns into exit 141), starts the collector, the workers and the reader,
 * waits for the workers, lets the collector finish and exits.
 *
 * Stopping: any thread may call stop_request.  It drops the queued jobs,
 * and for a stop that ends running jobs makes the stop pipe readable; every
 * worker polls it and signals its own job's process group.  The kill pipe
 * (a second SIGINT) makes them send SIGKILL at once.
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

static pthread_mutex_t stoplock = PTHREAD_MUTEX_INITIALIZER;
static enum stopwhy why;	/* under stoplock; read atomically */
static int stopsig;
static int gotsig;		/* the first terminating signal */
static int stoppipe[2] = { -1, -1 };
static int killpipe[2] = { -1, -1 };

int
ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : (int)n;
}

void
stop_request(enum stopwhy w, int sig)
{
	int wake = 0;

	LOCK(&stoplock);
	if (w > why) {
		if (w != STOP_SOON && stopsig == 0) {
			stopsig = sig;
			wake = 1;
		}
		__atomic_store_n(&why, w, __ATOMIC_SEQ_CST);
	}
	UNLOCK(&stoplock);
	queue_drain();
	collect_wake();
	if (wake)
		(void)!write(stoppipe[1], "s", 1);
}

int
stop_requested(void)
{
	return __atomic_load_n(&why, __ATOMIC_SEQ_CST) != STOP_NONE;
}

int
stop_signal(void)
{
	int sig;

	LOCK(&stoplock);
	sig = stopsig;
	UNLOCK(&stoplock);
	return sig;
}

int
stop_fd(void)
{
	return stoppipe[0];
}

int
kill_fd(void)
{
	return killpipe[0];
}

static sigset_t termsigs;

static void
add_unless_ignored(int sig)
{
	struct sigaction sa;

	if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
		return;
	sigaddset(&termsigs, sig);
}

static void *
signal_main(void *arg)
{
	int sig, nint = 0;

	(void)arg;
	for (;;) {
		if (sigwait(&termsigs, &sig) != 0)
			continue;
		if (sig == SIGINT && ++nint >= 2)
			(void)!write(killpipe[1], "k", 1);
		LOCK(&stoplock);
		if (gotsig == 0)
			gotsig = sig;
		UNLOCK(&stoplock);
		stop_request(STOP_SIGNAL, sig);
	}
	return NULL;
}

/* Later code may assume fds 0-2 are open: a closed one becomes /dev/null. */
static void
open_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/*
 * Each running job holds about 7 descriptors (two pipes, a pidfd, two
 * spill files).  Raise the soft limit to fit -j; if the hard limit does
 * not allow it, run fewer jobs and say so once.  The process limit
 * (ulimit -u) counts threads too.
 */
static void
fit_limits(int zero)
{
	struct rlimit rl;
	rlim_t need;
	long max;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	need = (rlim_t)opts.jobs * 7 + 32;
	if (zero || rl.rlim_cur < need) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > need ?
		    (zero ? rl.rlim_max : need) : rl.rlim_max;
		if (rl.rlim_cur == RLIM_INFINITY)
			rl.rlim_cur = 1 << 20;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	max = rl.rlim_cur == RLIM_INFINITY ? 1L << 20 :
	    ((long)rl.rlim_cur - 32) / 7;
	/*
	 * Under RLIMIT_NPROC each running job costs a worker thread and a
	 * process; a few more threads are parx's own.
	 */
	if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    ((long)rl.rlim_cur - 8) / 2 < max)
		max = ((long)rl.rlim_cur - 8) / 2;
	if (max < 1)
		max = 1;
	if (zero) {
		opts.jobs = max > 4096 ? 4096 : (int)max;
		return;
	}
	if (opts.jobs > max) {
		fprintf(stderr, "parx: warning: only %ld jobs at once fit the "
		    "limits (ulimit -n, -u); running %ld instead of %d\n",
		    max, max, opts.jobs);
		opts.jobs = (int)max;
	}
}

int
main(int argc, char **argv)
{
	pthread_t sigtid, rdtid;
	sigset_t old;
	int rc, zero;

	/* Messages say "parx:" whatever the binary is called. */
	program_invocation_name = program_invocation_short_name = "parx";
	open_std_fds();
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	options_parse(argc, argv);
	zero = opts.jobs == 0;
	fit_limits(zero);
	if (opts.dry_run)
		opts.keep_order = 1;
	if (opts.joblog != NULL && !opts.dry_run &&
	    joblog_open(opts.joblog, opts.resume || opts.resume_failed) == -1)
		errx(255, "cannot open joblog %s: %s", opts.joblog,
		    strerror(errno));
	if (pipe2(stoppipe, O_CLOEXEC) == -1 ||
	    pipe2(killpipe, O_CLOEXEC) == -1)
		err(255, "pipe");
	if (opts.bar)
		bar_init();

	/*
	 * Every thread inherits this mask; only signal_main takes them.  A
	 * signal ignored when parx started stays ignored, as nohup(1) and a
	 * shell's background jobs expect (the jobs still get defaults).
	 */
	sigemptyset(&termsigs);
	add_unless_ignored(SIGINT);
	add_unless_ignored(SIGTERM);
	add_unless_ignored(SIGHUP);
	pthread_sigmask(SIG_BLOCK, &termsigs, &old);
	if (!sigisemptyset(&termsigs)) {
		xpthread(pthread_create(&sigtid, NULL, signal_main, NULL),
		    __FILE__, __LINE__);
		xpthread(pthread_detach(sigtid), __FILE__, __LINE__);
	}

	queue_init((size_t)opts.jobs * 2 + 16);
	collect_start();
	workers_start(opts.jobs);
	reader_start(&rdtid);
	workers_join();
	rc = collect_finish();
	if (opts.joblog != NULL && !opts.dry_run)
		joblog_close();

	/* The reader may still block on its input: exit without it. */
	LOCK(&stoplock);
	switch (why) {
	case STOP_FATAL:
		rc = 255;
		break;
	case STOP_SIGNAL:
		rc = 128 + gotsig;
		break;
	case STOP_PIPE:
		rc = 128 + SIGPIPE;
		break;
	default:
		break;
	}
	UNLOCK(&stoplock);
	if (fflush(stdout) == EOF && errno == EPIPE)
		rc = 128 + SIGPIPE;
	exit(rc);
}
