/*
 * stop.c - stopping: why parx stops starting jobs or ends running ones,
 * and the signal thread that turns signals into stops.
 *
 * Any thread may call stop_request.  A stop that ends running jobs makes
 * the stop pipe readable, which every worker polls: it then signals its
 * own job's process group with stop_signal().  The kill pipe (a second
 * terminating signal) makes workers send SIGKILL at once and makes
 * blocked writes give up (io_set_cancel).  The modules that must react to
 * any stop (the queue drops what is queued, the collector wakes up)
 * register a hook, so that this file depends on none of them.
 *
 * Terminating signals are blocked in every thread from before the first
 * thread exists and taken by sigwait in one thread, so no handler ever
 * runs and a child starts with a clean slate.
 *
 * Job control (Ctrl-Z) goes the same way.  Jobs run in process groups of
 * their own, which the terminal's SIGTSTP does not reach, so on SIGTSTP,
 * SIGTTIN or SIGTTOU the signal thread makes the "stop" eventfd readable:
 * every run taking part (stop_jc_enter) polls it and stops its job's
 * group with SIGSTOP.  Once all have (or after a second), the thread
 * unblocks the signal and raises it, so that parx stops as the signal
 * would have stopped it, and the shell sees which signal it was.  When
 * parx is continued, the "cont" eventfd becomes readable instead, and the
 * runs send SIGCONT to the groups they stopped.  Both descriptors are
 * level-triggered and only the signal thread reads (drains) them, so a
 * run sees the current state whenever it looks.
 */
#include <sys/signalfd.h>
#include <sys/eventfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "parx.h"

#define NHOOKS	8

static pthread_mutex_t stoplock = PTHREAD_MUTEX_INITIALIZER;
static enum stopwhy why;	/* under stoplock; read atomically */
static int stopsig;		/* for running jobs */
static int gotsig;		/* the first terminating signal */
static int stoppipe[2] = { -1, -1 };
static int killpipe[2] = { -1, -1 };
static void (*hooks[NHOOKS])(void);
static int nhooks;
static sigset_t termsigs;	/* and the job-control ones */

/* Job control: stopping and continuing jobs with parx. */
static struct {
	pthread_mutex_t	 lock;
	pthread_cond_t	 cond;		/* for the signal thread */
	int		 stopped;	/* jobs must stop */
	int		 running;	/* runs taking part */
	int		 nstopped;	/* those whose job is stopped */
	int		 stopfd;	/* readable while jobs must stop */
	int		 contfd;	/* readable while they may go on */
} jc = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.stopfd = -1,
	.contfd = -1,
};

#define JC_WAIT	1.0	/* seconds for runs to stop their jobs */

/* The signals that end parx as SIGTERM does (SPEC 9 and 11.4). */
static const int terminating[] = {
	SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM
};

void
stop_init(void)
{
	if (pipe2(stoppipe, O_CLOEXEC) == -1 ||
	    pipe2(killpipe, O_CLOEXEC) == -1)
		fatal("cannot make a pipe");
	io_set_cancel(killpipe[0]);
	if ((jc.stopfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1 ||
	    (jc.contfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) == -1)
		fatal("cannot make an eventfd");
	cond_init_mono(&jc.cond);
}

/* Before threads start: fn runs on every stop request, in its thread. */
void
stop_hook(void (*fn)(void))
{
	if (nhooks == NHOOKS)
		abort();
	hooks[nhooks++] = fn;
}

void
stop_request(enum stopwhy w, int sig)
{
	int wake = 0, i;

	LOCK(&stoplock);
	if (w > why) {
		if (w != STOP_SOON && stopsig == 0) {
			stopsig = sig;
			wake = 1;
		}
		__atomic_store_n(&why, w, __ATOMIC_SEQ_CST);
	}
	UNLOCK(&stoplock);
	for (i = 0; i < nhooks; i++)
		hooks[i]();
	if (wake)
		(void)!write(stoppipe[1], "s", 1);
}

/* The hard stop: jobs get SIGKILL, blocked writes give up. */
void
stop_kill(void)
{
	(void)!write(killpipe[1], "k", 1);
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

/* The exit status, given the one the jobs earned (SPEC 8). */
int
stop_status(int rc)
{
	LOCK(&stoplock);
	switch (why) {
	case STOP_FATAL:
	case STOP_WRITE:
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
	return rc;
}

/* A run taking part in job control starts (before its job does). */
void
stop_jc_enter(void)
{
	LOCK(&jc.lock);
	jc.running++;
	UNLOCK(&jc.lock);
}

/* It ends, or leaves job control to end its job; stopped: its job is. */
void
stop_jc_leave(int stopped)
{
	LOCK(&jc.lock);
	jc.running--;
	if (stopped)
		jc.nstopped--;
	SIGNAL(&jc.cond);
	UNLOCK(&jc.lock);
}

/* It stopped (1) or continued (0) its job. */
void
stop_jc_done(int stopped)
{
	LOCK(&jc.lock);
	jc.nstopped += stopped ? 1 : -1;
	SIGNAL(&jc.cond);
	UNLOCK(&jc.lock);
}

/* What a run polls: the stop descriptor, or once stopped the cont one. */
int
stop_jc_fd(int stopped)
{
	return stopped ? jc.contfd : jc.stopfd;
}

static void
efd_set(int fd, int on)
{
	uint64_t n = 1;

	if (on)
		(void)!write(fd, &n, sizeof(n));
	else
		(void)!read(fd, &n, sizeof(n));
}

/* Jobs may go on: parx was continued (SIGCONT, or raise returned). */
static void
jc_continue(void)
{
	LOCK(&jc.lock);
	if (jc.stopped) {
		jc.stopped = 0;
		efd_set(jc.stopfd, 0);
		efd_set(jc.contfd, 1);
	}
	UNLOCK(&jc.lock);
}

/*
 * SIGTSTP, SIGTTIN or SIGTTOU: stops the jobs, then parx by the signal's
 * default action (which the kernel skips in an orphaned process group,
 * as it would have), and once parx goes on again, the jobs.
 */
static void
jc_suspend(int sig)
{
	static pthread_mutex_t one_at_a_time = PTHREAD_MUTEX_INITIALIZER;
	struct timespec zero = { 0, 0 };
	sigset_t one;
	double until = clock_mono() + JC_WAIT;

	LOCK(&one_at_a_time);
	LOCK(&jc.lock);
	if (!jc.stopped) {
		jc.stopped = 1;
		efd_set(jc.contfd, 0);
		efd_set(jc.stopfd, 1);
	}
	while (jc.nstopped < jc.running && clock_mono() < until)
		cond_wait_until(&jc.cond, &jc.lock, until);
	UNLOCK(&jc.lock);
	sigemptyset(&one);
	sigaddset(&one, sig);
	/* A second Ctrl-Z already pending would stop parx twice. */
	while (sigtimedwait(&one, NULL, &zero) == sig)
		;
	pthread_sigmask(SIG_UNBLOCK, &one, NULL);
	raise(sig);
	pthread_sigmask(SIG_BLOCK, &one, NULL);
	jc_continue();
	UNLOCK(&one_at_a_time);
}

/*
 * Reading fd failed with EIO.  With SIGTTIN blocked, that is how the
 * kernel tells a background process that it may not read the terminal:
 * parx then stops as SIGTTIN would have stopped it, jobs first, unless
 * its process group is orphaned (nobody could continue it).  Returns 1
 * when the read should be tried again.
 */
int
stop_tty_read(int fd)
{
	pid_t pp = getppid(), fg;

	if (!sigismember(&termsigs, SIGTTIN) || !isatty(fd) ||
	    (fg = tcgetpgrp(fd)) == -1 || fg == getpgrp() ||
	    getpgid(pp) == getpgrp() || getsid(pp) != getsid(0))
		return 0;
	jc_suspend(SIGTTIN);
	return 1;
}

static int
is_jc(int sig)
{
	return sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void *
signal_main(void *arg)
{
	int sig, n = 0;

	(void)arg;
	for (;;) {
		if (sigwait(&termsigs, &sig) != 0)
			continue;
		if (is_jc(sig)) {
			jc_suspend(sig);
			continue;
		}
		if (sig == SIGCONT) {
			jc_continue();
			continue;
		}
		/* A second one means now: SIGKILL, and stop waiting. */
		if (++n >= 2)
			stop_kill();
		LOCK(&stoplock);
		if (gotsig == 0)
			gotsig = sig;
		UNLOCK(&stoplock);
		stop_request(STOP_SIGNAL, sig);
	}
	return NULL;
}

/*
 * Before any thread exists: blocks the terminating and job-control
 * signals, so every thread inherits the mask.  A signal ignored when parx
 * started stays ignored, as nohup(1) and a shell's background jobs expect
 * (the jobs still get defaults).
 */
void
stop_signals_block(void)
{
	static const int jcsigs[] = { SIGTSTP, SIGTTIN, SIGTTOU, SIGCONT };
	struct sigaction sa;
	size_t i;

	sigemptyset(&termsigs);
	for (i = 0; i < sizeof(terminating) / sizeof(terminating[0]); i++)
		if (sigaction(terminating[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(&termsigs, terminating[i]);
	for (i = 0; i < sizeof(jcsigs) / sizeof(jcsigs[0]); i++)
		if (sigaction(jcsigs[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(&termsigs, jcsigs[i]);
	pthread_sigmask(SIG_BLOCK, &termsigs, NULL);
}

/*
 * Before the signal thread starts (exec.c sets hosts up then): a
 * descriptor that is readable while a terminating signal is pending,
 * which it leaves pending for the signal thread; -1 if there is none.
 */
int
stop_sigfd(void)
{
	static int fd = -2;

	if (fd == -2)
		fd = sigisemptyset(&termsigs) ? -1 :
		    signalfd(-1, &termsigs, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd;
}

/* Starts the signal thread; 0, or an error number. */
int
stop_signals_start(void)
{
	pthread_t tid;
	int rc;

	if (sigisemptyset(&termsigs))
		return 0;
	if ((rc = thread_start(&tid, signal_main, NULL, 0)) != 0)
		return rc;
	pthread_detach(tid);
	return 0;
}
