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
 */
#include <sys/signalfd.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "parx.h"

#define NHOOKS	4

static pthread_mutex_t stoplock = PTHREAD_MUTEX_INITIALIZER;
static enum stopwhy why;	/* under stoplock; read atomically */
static int stopsig;		/* for running jobs */
static int gotsig;		/* the first terminating signal */
static int stoppipe[2] = { -1, -1 };
static int killpipe[2] = { -1, -1 };
static void (*hooks[NHOOKS])(void);
static int nhooks;
static sigset_t termsigs;

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

static void *
signal_main(void *arg)
{
	int sig, n = 0;

	(void)arg;
	for (;;) {
		if (sigwait(&termsigs, &sig) != 0)
			continue;
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
 * Before any thread exists: blocks the terminating signals, so every
 * thread inherits the mask.  A signal ignored when parx started stays
 * ignored, as nohup(1) and a shell's background jobs expect (the jobs
 * still get defaults).
 */
void
stop_signals_block(void)
{
	struct sigaction sa;
	size_t i;

	sigemptyset(&termsigs);
	for (i = 0; i < sizeof(terminating) / sizeof(terminating[0]); i++)
		if (sigaction(terminating[i], NULL, &sa) == 0 &&
		    sa.sa_handler != SIG_IGN)
			sigaddset(&termsigs, terminating[i]);
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
