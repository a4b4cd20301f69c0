/*
 * spawn.c - starting a job's process: the only caller of posix_spawn and
 * clone.  Worker threads call spawn_job concurrently; everything here is
 * set up by spawn_init in the main thread and only read afterwards.
 *
 * The usual path is posix_spawn, kept cheap: glibc's child resets to
 * default only the signals named in the SETSIGDEF set (plus those blocked
 * in the caller), so that set holds just the signals not at default in
 * parx, computed once, and the program a template fixes is looked up in
 * PATH once, not per job.
 *
 * Some set-up posix_spawn cannot do: resource limits (parx raises its own
 * open-files limit, which a job must not inherit; --limit-mem, --limit-cpu
 * and --limit-files) and niceness (--nice).  When a run needs it,
 * jobs start through a vfork-style child instead: clone(CLONE_VM |
 * CLONE_VFORK) on a stack of the calling thread, with every signal
 * blocked around it, so no handler can run in the child and the parent
 * thread sleeps until the child has called execve or died.  The child
 * makes only raw system calls (no locks, no allocation, nothing a
 * sanitizer intercepts) and reports a failed exec through memory it
 * shares with the parent.  A run that needs none of this never takes
 * that path, so it costs nothing when unused.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

#define CHILD_STACK	(32 * 1024)

static posix_spawnattr_t attr;
static int devnull = -1;
static const char *progname;	/* as the template names it */
static char *progpath;		/* where PATH finds it */
static const char *pathenv;	/* $PATH, for the clone path's search */

/* The clone path: what the child sets up. */
static int cloned;		/* use it */
static int defsig[NSIG];	/* signals the child resets to default */
static int ndefsig;
struct klimit {
	uint64_t cur, max;	/* the kernel's struct rlimit64 */
};
static struct klimit nofile;	/* RLIMIT_NOFILE for jobs */
static struct {
	int		 res;
	struct klimit	 rl;
} limits[3];			/* --limit-mem, --limit-cpu, --limit-files */
static int nlimits;
static int setnice;		/* --nice */

/* Looks name up in PATH as execvp would; returns a malloc'd path or NULL. */
static char *
path_lookup(const char *name)
{
	const char *path = getenv("PATH"), *p, *e;
	struct strbuf sb = { 0 };
	struct stat st;

	if (strchr(name, '/') != NULL || *name == '\0')
		return NULL;
	if (path == NULL)
		path = "/usr/local/bin:/bin:/usr/bin";
	for (p = path;; p = e + 1) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		sb.len = 0;
		if (e == p)
			sb_adds(&sb, ".");
		else
			sb_add(&sb, p, (size_t)(e - p));
		sb_addc(&sb, '/');
		sb_adds(&sb, name);
		if (stat(sb.s, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(sb.s, X_OK) == 0)
			return sb.s;
		if (*e == '\0')
			break;
	}
	sb_free(&sb);
	return NULL;
}

/* PATH's program name, as execvp would find it; malloc'd, or NULL. */
char *
spawn_path(const char *name)
{
	return path_lookup(name);
}

/*
 * Before the first spawn, in the main thread.  It may be called again
 * (exec.c runs ssh before the workers start), then only to set prog.
 */
void
spawn_init(const char *prog)
{
	struct sigaction sa;
	sigset_t none, def;
	int sig;

	if (devnull >= 0)
		goto prog;
	sigemptyset(&none);
	sigemptyset(&def);
	/* parx ignores SIGPIPE; anything it inherited as ignored, too. */
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sig == SIGPIPE || (sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)) {
			sigaddset(&def, sig);
			defsig[ndefsig++] = sig;
		}
	}
#if defined(__GLIBC__) && defined(__linux__)
	/*
	 * glibc's child sets its own two real-time signals (32 and 33) to
	 * SIG_IGN unless they are in this set, and sigaddset refuses them:
	 * set their bits directly so that jobs start with them at default.
	 */
	for (sig = 32; sig < SIGRTMIN; sig++) {
		def.__val[(sig - 1) / (8 * sizeof(def.__val[0]))] |=
		    1UL << ((sig - 1) % (8 * sizeof(def.__val[0])));
		/* The clone child resets them too, by raw system call. */
		defsig[ndefsig++] = sig;
	}
#endif
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
		fatal("cannot open /dev/null");
	if ((pathenv = getenv("PATH")) == NULL)
		pathenv = "/usr/local/bin:/bin:/usr/bin";
prog:
	if (prog != NULL && progname == NULL &&
	    (progpath = path_lookup(prog)) != NULL)
		progname = prog;
}

/* Jobs get this open-files soft limit, not the one parx raised for itself. */
void
spawn_restore_nofile(rlim_t cur)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	nofile.cur = cur;
	nofile.max = rl.rlim_max;
	cloned = 1;
}

/*
 * A limit for jobs, never above the hard limit parx has: a job cannot be
 * given more than that anyway, and lowering a limit needs no privilege.
 * Hard and soft are both set, so that a job cannot lift the limit; grace
 * puts the hard one above the soft one.
 */
static void
limit_add(int res, uint64_t want, uint64_t grace)
{
	struct rlimit rl;
	struct klimit *k = &limits[nlimits].rl;

	k->cur = want;
	k->max = want + grace;
	if (getrlimit(res, &rl) == 0 && rl.rlim_max != RLIM_INFINITY) {
		if (k->cur > rl.rlim_max)
			k->cur = rl.rlim_max;
		if (k->max > rl.rlim_max)
			k->max = rl.rlim_max;
	}
	limits[nlimits++].res = res;
	cloned = 1;
}

/* Whether parx has capability cap in its effective set. */
static int
has_cap(int cap)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f;

	if ((f = fopen("/proc/self/status", "re")) == NULL)
		return geteuid() == 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> cap) & 1;
}

/*
 * Raising one's niceness is always allowed; lowering it below parx's own
 * needs CAP_SYS_NICE or a high enough RLIMIT_NICE.  Said before anything
 * runs, rather than by every job failing.
 */
static void
nice_check(void)
{
	struct rlimit rl;
	int cur;

	errno = 0;
	cur = getpriority(PRIO_PROCESS, 0);
	if (errno != 0 || opts.nice >= cur || has_cap(23) ||
	    (getrlimit(RLIMIT_NICE, &rl) == 0 && (rl.rlim_cur ==
	    RLIM_INFINITY || 20 - (long)rl.rlim_cur <= opts.nice)))
		return;
	errx(255, "--nice %d: parx runs at niceness %d, and only a privileged "
	    "user may go below it", opts.nice, cur);
}

/*
 * Main thread, before threads: the limits and niceness jobs get; any of
 * them makes jobs start through the clone path.
 */
void
spawn_limits(void)
{
	if (opts.limit_mem > 0)
		limit_add(RLIMIT_AS, opts.limit_mem, 0);
	/* SIGXCPU at the limit, which a job may catch; SIGKILL 1 s later. */
	if (opts.limit_cpu > 0)
		limit_add(RLIMIT_CPU, (uint64_t)opts.limit_cpu, 1);
	if (opts.limit_files > 0) {
		limit_add(RLIMIT_NOFILE, (uint64_t)opts.limit_files, 0);
		nofile.cur = 0;
	}
	if (opts.has_nice) {
		nice_check();
		setnice = 1;
		cloned = 1;
	}
}

/*
 * ThreadSanitizer's runtime cannot live with a child that shares its
 * memory: its builds start such children with fork(2) instead, and the
 * child reports a failed exec through a pipe.
 */
#if defined(__SANITIZE_THREAD__)
#define SPAWN_FORK	1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SPAWN_FORK	1
#endif
#endif

/* What the clone child needs; err is what it reports back. */
struct child {
	const char	*path;	/* execve this; NULL: search PATH */
	char		**argv;
	char		**envp;
	int		 fd[3];	/* to become 0, 1, 2; -1: keep parx's */
	int		 errfd;	/* SPAWN_FORK: the error pipe */
	volatile int	 err;
};

#if defined(__clang__) || __GNUC__ >= 8
#define NOSANITIZE	__attribute__((no_sanitize("address"), \
	no_sanitize("thread"), no_sanitize("undefined")))
#else
#define NOSANITIZE
#endif

/* Tries path for the child; returns the errno execve gave. */
static NOSANITIZE int
child_exec(const char *path, struct child *c)
{
	syscall(SYS_execve, path, c->argv, c->envp);
	return errno;
}

/* execvp's search, in the child: no allocation, no locks. */
static NOSANITIZE int
child_search(struct child *c)
{
	char buf[PATH_MAX];
	const char *p = pathenv, *name = c->argv[0];
	size_t n, k;
	int e, seen_eacces = 0, last = ENOENT;

	for (k = 0; name[k] != '\0'; k++)
		;
	for (;;) {
		for (n = 0; p[n] != '\0' && p[n] != ':'; n++)
			;
		if (n + k + 2 <= sizeof(buf)) {
			size_t i, at = 0;

			if (n == 0)
				buf[at++] = '.';
			for (i = 0; i < n; i++)
				buf[at++] = p[i];
			buf[at++] = '/';
			for (i = 0; i <= k; i++)
				buf[at++] = name[i];
			e = child_exec(buf, c);
			if (e == EACCES)
				seen_eacces = 1;
			else if (e != ENOENT && e != ENOTDIR && e != ENAMETOOLONG)
				return e;
			last = e;
		}
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	return seen_eacces ? EACCES : last == ENOTDIR ? ENOENT : last;
}

static NOSANITIZE int
child_main(void *arg)
{
	struct child *c = arg;
	/* The kernel's struct sigaction, all zero: SIG_DFL, no flags. */
	unsigned long dfl[4] = { 0, 0, 0, 0 };
	uint64_t none = 0;
	int i, e;

	for (i = 0; i < ndefsig; i++)
		syscall(SYS_rt_sigaction, defsig[i], dfl, NULL, 8);
	if (syscall(SYS_setpgid, 0, 0) == -1)
		goto fail;
	for (i = 0; i < 3; i++) {
		if (c->fd[i] < 0)
			continue;
		/* dup3 refuses equal descriptors; the flag must go anyway. */
		if (c->fd[i] == i)
			e = (int)syscall(SYS_fcntl, i, F_SETFD, 0);
		else
			e = (int)syscall(SYS_dup3, c->fd[i], i, 0);
		if (e == -1)
			goto fail;
	}
	if (nofile.cur != 0 &&
	    syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &nofile, NULL) == -1)
		goto fail;
	for (i = 0; i < nlimits; i++)
		if (syscall(SYS_prlimit64, 0, limits[i].res, &limits[i].rl,
		    NULL) == -1)
			goto fail;
	if (setnice &&
	    syscall(SYS_setpriority, PRIO_PROCESS, 0, opts.nice) == -1)
		goto fail;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &none, NULL, 8);
	e = c->path != NULL ? child_exec(c->path, c) : child_search(c);
	goto report;
fail:
	e = errno;
report:
	c->err = e;
	if (c->errfd >= 0)
		syscall(SYS_write, c->errfd, &e, sizeof(e));
	syscall(SYS_exit_group, 127);
	return 127;
}

#ifdef SPAWN_FORK
/* The sanitizer build's stand-in for clone: fork, errors by pipe. */
static pid_t
child_start(struct child *c, char *stack)
{
	int ep[2], e = 0;
	ssize_t n;
	pid_t p;

	(void)stack;
	if (pipe2(ep, O_CLOEXEC) == -1)
		return -1;
	c->errfd = ep[1];
	if ((p = fork()) == 0)
		child_main(c);
	close(ep[1]);
	if (p > 0) {
		do
			n = read(ep[0], &e, sizeof(e));
		while (n == -1 && errno == EINTR);
		c->err = n == sizeof(e) ? e : 0;
	}
	close(ep[0]);
	return p;
}
#else
static pid_t
child_start(struct child *c, char *stack)
{
	return clone(child_main, stack + CHILD_STACK,
	    CLONE_VM | CLONE_VFORK | SIGCHLD, c);
}
#endif

static int
spawn_clone(pid_t *pid, const char *path, char **argv, char **envp,
    const int *fd)
{
	char stack[CHILD_STACK] __attribute__((aligned(16)));
	struct child c = { path, argv, envp, { fd[0], fd[1], fd[2] }, -1,
	    0 };
	uint64_t all = ~(uint64_t)0, old;
	pid_t p;
	int st, e;

	/* Nothing may run a handler in the child: block all, glibc's too. */
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, &old, 8);
	p = child_start(&c, stack);
	e = errno;
	syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, 8);
	if (p == -1)
		return e;
	if (c.err != 0) {
		while (waitpid(p, &st, 0) == -1 && errno == EINTR)
			;
		return c.err;
	}
	*pid = p;
	return 0;
}

static int
spawn_once(pid_t *pid, const char *path, char **argv, char **envp,
    const posix_spawn_file_actions_t *fa, const int *fd)
{
	if (cloned)
		return spawn_clone(pid, path, argv, envp, fd);
	if (path != NULL)
		return posix_spawn(pid, path, fa, &attr, argv, envp);
	return posix_spawnp(pid, argv[0], fa, &attr, argv, envp);
}

/*
 * A script without #! is run by /bin/sh, as execvp(3), find -exec and
 * xargs do.
 */
static int
spawn_sh(pid_t *pid, const char *path, char **argv, char **envp,
    const posix_spawn_file_actions_t *fa, const int *fd)
{
	char *found = NULL, **av;
	int n, rc;

	if (path == NULL)
		path = strchr(argv[0], '/') != NULL ? argv[0] :
		    (found = path_lookup(argv[0]));
	if (path == NULL)
		return ENOEXEC;
	for (n = 0; argv[n] != NULL; n++)
		;
	av = xmalloc((n + 2) * sizeof(*av));
	av[0] = "sh";
	av[1] = (char *)path;
	memcpy(av + 2, argv + 1, n * sizeof(*av));
	rc = spawn_once(pid, "/bin/sh", av, envp, fa, fd);
	free(av);
	free(found);
	return rc;
}

/*
 * Starts argv with stdin from fd_in (-1: /dev/null) and stdout, stderr on
 * fd_out, fd_err (-1: inherit parx's).  Returns 0, or an errno value;
 * EAGAIN is retried after a growing back-off, as process limits are often
 * brief.
 */
int
spawn_job(char **argv, char **envp, int fd_in, int fd_out, int fd_err,
    pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	struct timespec ts = { 0, 1000000 };
	const char *path = NULL;
	int rc, tries, fd[3] = { fd_in >= 0 ? fd_in : devnull, fd_out, fd_err };

	posix_spawn_file_actions_init(&fa);
	if (!cloned) {
		posix_spawn_file_actions_adddup2(&fa, fd[0], 0);
		if (fd_out >= 0)
			posix_spawn_file_actions_adddup2(&fa, fd_out, 1);
		if (fd_err >= 0)
			posix_spawn_file_actions_adddup2(&fa, fd_err, 2);
	}
	if (progname != NULL && strcmp(argv[0], progname) == 0)
		path = progpath;
	else if (strchr(argv[0], '/') != NULL)
		path = argv[0];
	for (tries = 0;; tries++) {
		rc = spawn_once(pid, path, argv, envp, &fa, fd);
		if (rc != EAGAIN || tries == 40)
			break;
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 256000000)
			ts.tv_nsec *= 2;
	}
	if (rc == ENOEXEC)
		rc = spawn_sh(pid, path, argv, envp, &fa, fd);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

/*
 * Says why job j could not start program name (spawn_job gave err), and
 * returns the status it fails with: 127 when the program is not there,
 * 126 when it is but cannot run.
 */
int
spawn_error(struct job *j, int err, const char *name)
{
	struct stat st;
	char *found;

	if (err == E2BIG) {
		job_errorf(j, "job %llu: argument list too long", j->seq);
		return 126;
	}
	if (err != ENOENT) {
		job_errorf(j, "%s: %s", name, strerror(err));
		return 126;
	}
	if (strchr(name, '/') == NULL) {
		if ((found = path_lookup(name)) == NULL) {
			job_errorf(j, "%s: command not found%s", name,
			    strchr(name, ' ') != NULL ? " (use -c to run a "
			    "shell command line)" : "");
			return 127;
		}
		free(found);
	} else if (stat(name, &st) == -1) {
		job_errorf(j, "%s: %s", name, strerror(ENOENT));
		return 127;
	}
	/* The program is there: the interpreter its #! names is not. */
	job_errorf(j, "%s: bad interpreter: %s", name, strerror(ENOENT));
	return 126;
}
