/*
 * util.c - small helpers every thread uses: byte strings, argv building,
 * allocation that exits on exhaustion, thread start and the pthread error
 * check, and the fatal error exit.
 *
 * Nothing here keeps shared state; each caller owns what it passes in.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

void
xpthread(int rc, const char *file, int line)
{
	if (rc != 0) {
		warnx("internal error: pthread call failed at %s:%d: %s",
		    file, line, strerror(rc));
		abort();
	}
}

/* A condition variable whose timed waits use clock_mono's clock. */
void
cond_init_mono(pthread_cond_t *c)
{
	pthread_condattr_t a;

	xpthread(pthread_condattr_init(&a), __FILE__, __LINE__);
	xpthread(pthread_condattr_setclock(&a, CLOCK_MONOTONIC), __FILE__,
	    __LINE__);
	xpthread(pthread_cond_init(c, &a), __FILE__, __LINE__);
	pthread_condattr_destroy(&a);
}

/*
 * Waits on c (made by cond_init_mono) until signalled or until at
 * (clock_mono); at == 0 waits without a time limit.  Returns 0 when
 * signalled (or woken spuriously), 1 once at has passed.
 */
int
cond_wait_until(pthread_cond_t *c, pthread_mutex_t *m, double at)
{
	struct timespec ts;
	int rc;

	if (at == 0) {
		WAIT(c, m);
		return 0;
	}
	if (at > 4e9)
		at = 4e9;
	ts.tv_sec = (time_t)at;
	ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
	if (ts.tv_nsec >= 1000000000)
		ts.tv_nsec = 999999999;
	rc = pthread_cond_timedwait(c, m, &ts);
	if (rc == ETIMEDOUT)
		return 1;
	xpthread(rc, __FILE__, __LINE__);
	return 0;
}

/* Ends parx with status 255, before or outside any job: "parx: msg: errno". */
void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(255, fmt, ap);
}

void
fatal_errno(int e, const char *fmt, ...)
{
	va_list ap;

	errno = e;
	va_start(ap, fmt);
	verr(255, fmt, ap);
}

/* pthread_create with a stack size (0: the default); returns its error. */
int
thread_start(pthread_t *tid, void *(*fn)(void *), void *arg, size_t stack)
{
	pthread_attr_t attr;
	int rc;

	if ((rc = pthread_attr_init(&attr)) != 0)
		return rc;
	if (stack > 0 && (rc = pthread_attr_setstacksize(&attr, stack)) != 0) {
		pthread_attr_destroy(&attr);
		return rc;
	}
	rc = pthread_create(tid, &attr, fn, arg);
	pthread_attr_destroy(&attr);
	return rc;
}

void *
xmalloc(size_t n)
{
	void *p;

	if ((p = malloc(n == 0 ? 1 : n)) == NULL)
		errx(255, "out of memory");
	return p;
}

void *
xcalloc(size_t n, size_t m)
{
	void *p;

	if ((p = calloc(n == 0 ? 1 : n, m == 0 ? 1 : m)) == NULL)
		errx(255, "out of memory");
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		errx(255, "out of memory");
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void
sb_grow(struct strbuf *sb, size_t n)
{
	size_t cap;

	if (sb->len + n + 1 <= sb->cap)
		return;
	cap = sb->cap ? sb->cap : 64;
	while (cap < sb->len + n + 1)
		cap *= 2;
	sb->s = xrealloc(sb->s, cap);
	sb->cap = cap;
}

/* Appends n bytes and keeps the string NUL-terminated. */
void
sb_add(struct strbuf *sb, const void *p, size_t n)
{
	sb_grow(sb, n);
	if (n > 0)
		memcpy(sb->s + sb->len, p, n);
	sb->len += n;
	sb->s[sb->len] = '\0';
}

void
sb_addc(struct strbuf *sb, int c)
{
	char ch = (char)c;

	sb_add(sb, &ch, 1);
}

void
sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

/* Appends a formatted piece of at most 1023 bytes (numbers, names). */
void
sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	char	 buf[1024];	/* enough for any double in %.6f */
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_add(sb, buf, (size_t)n < sizeof(buf) ? (size_t)n :
		    sizeof(buf) - 1);
}

void
sb_free(struct strbuf *sb)
{
	free(sb->s);
	sb->s = NULL;
	sb->len = sb->cap = 0;
}

void
argv_reset(struct argv *av)
{
	av->sb.len = 0;
	av->n = 0;
}

void
argv_word_begin(struct argv *av)
{
	if (av->n + 2 > av->cap) {
		av->cap = av->cap ? av->cap * 2 : 16;
		av->off = xrealloc(av->off, av->cap * sizeof(*av->off));
		av->v = xrealloc(av->v, av->cap * sizeof(*av->v));
	}
	av->off[av->n++] = av->sb.len;
}

void
argv_word_add(struct argv *av, const char *s, size_t n)
{
	sb_add(&av->sb, s, n);
}

void
argv_word_end(struct argv *av)
{
	sb_addc(&av->sb, '\0');
}

/* The words moved while they grew, so pointers are made only now. */
char **
argv_finish(struct argv *av)
{
	int i;

	if (av->v == NULL) {
		av->cap = 16;
		av->off = xrealloc(av->off, av->cap * sizeof(*av->off));
		av->v = xrealloc(av->v, av->cap * sizeof(*av->v));
	}
	for (i = 0; i < av->n; i++)
		av->v[i] = av->sb.s + av->off[i];
	av->v[av->n] = NULL;
	return av->v;
}

void
argv_free(struct argv *av)
{
	sb_free(&av->sb);
	free(av->off);
	free(av->v);
	memset(av, 0, sizeof(*av));
}

static const struct {
	int		 sig;
	const char	*name;
} signames[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
#ifdef SIGSTKFLT
	{ SIGSTKFLT, "STKFLT" },
#endif
	{ SIGCHLD, "CHLD" }, { SIGCONT, "CONT" }, { SIGSTOP, "STOP" },
	{ SIGTSTP, "TSTP" }, { SIGTTIN, "TTIN" }, { SIGTTOU, "TTOU" },
	{ SIGURG, "URG" }, { SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" },
	{ SIGVTALRM, "VTALRM" }, { SIGPROF, "PROF" }, { SIGWINCH, "WINCH" },
	{ SIGIO, "IO" },
#ifdef SIGPWR
	{ SIGPWR, "PWR" },
#endif
	{ SIGSYS, "SYS" },
};

/* The name of signal sig as kill -l spells it, with SIG: "SIGKILL". */
const char *
sig_name(int sig, char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (signames[i].sig == sig) {
			snprintf(buf, n, "SIG%s", signames[i].name);
			return buf;
		}
	if (sig >= SIGRTMIN && sig <= SIGRTMAX)
		snprintf(buf, n, "SIGRTMIN+%d", sig - SIGRTMIN);
	else
		snprintf(buf, n, "SIG%d", sig);
	return buf;
}

/* The number of the signal sig_name calls s (SIG optional), or -1. */
int
sig_num(const char *s)
{
	size_t i;
	long v;
	char *end;
	int rt = 0;

	if (strncmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof(signames) / sizeof(signames[0]); i++)
		if (strcmp(signames[i].name, s) == 0)
			return signames[i].sig;
	if (strncmp(s, "RTMIN+", 6) == 0) {
		s += 6;
		rt = 1;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < 0 || v > 1000)
		return -1;
	return rt ? SIGRTMIN + (int)v : (int)v;
}
