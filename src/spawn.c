/*
 * spawn.c - the only caller of posix_spawn.  Worker threads call
 * spawn_job concurrently; everything here is set up once by spawn_init in
 * the main thread and only read afterwards.
 *
 * The child is kept cheap: glibc's posix_spawn resets to default only the
 * signals named in the SETSIGDEF set (plus those blocked in the caller), so
 * that set holds just the signals not at default in parx, computed once.
 * The program a template fixes is looked up in PATH once, not per job.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

static posix_spawnattr_t attr;
static int devnull = -1;
static const char *progname;	/* as the template names it */
static char *progpath;		/* where PATH finds it */

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

void
spawn_init(const char *prog)
{
	struct sigaction sa;
	sigset_t none, def;
	int sig;

	sigemptyset(&none);
	sigemptyset(&def);
	/* parx ignores SIGPIPE; anything it inherited as ignored, too. */
	sigaddset(&def, SIGPIPE);
	for (sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
			sigaddset(&def, sig);
	}
#if defined(__GLIBC__) && defined(__linux__)
	/*
	 * glibc's child sets its own two real-time signals (32 and 33) to
	 * SIG_IGN unless they are in this set, and sigaddset refuses them:
	 * set their bits directly so that jobs start with them at default.
	 */
	for (sig = 32; sig < SIGRTMIN; sig++)
		def.__val[(sig - 1) / (8 * sizeof(def.__val[0]))] |=
		    1UL << ((sig - 1) % (8 * sizeof(def.__val[0])));
#endif
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	if ((devnull = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1) {
		fprintf(stderr, "parx: cannot open /dev/null: %s\n",
		    strerror(errno));
		exit(255);
	}
	if (prog != NULL && (progpath = path_lookup(prog)) != NULL)
		progname = prog;
}

static int
spawn_once(pid_t *pid, const char *path, char **argv, char **envp,
    const posix_spawn_file_actions_t *fa)
{
	if (path != NULL)
		return posix_spawn(pid, path, fa, &attr, argv, envp);
	return posix_spawnp(pid, argv[0], fa, &attr, argv, envp);
}

/*
 * A script without #! is run by /bin/sh, as execvp(3) and xargs do.
 */
static int
spawn_sh(pid_t *pid, const char *path, char **argv, char **envp,
    const posix_spawn_file_actions_t *fa)
{
	char *found = NULL, **av;
	int n, rc;

	if (path == NULL)
		path = found = path_lookup(argv[0]);
	if (path == NULL)
		return ENOEXEC;
	for (n = 0; argv[n] != NULL; n++)
		;
	av = xmalloc((n + 2) * sizeof(*av));
	av[0] = "sh";
	av[1] = (char *)path;
	memcpy(av + 2, argv + 1, n * sizeof(*av));
	rc = posix_spawn(pid, "/bin/sh", fa, &attr, av, envp);
	free(av);
	free(found);
	return rc;
}

/*
 * Starts argv with stdin from /dev/null and stdout, stderr on fd_out,
 * fd_err (-1: inherit parx's).  Returns 0, or an errno value; EAGAIN is
 * retried after a growing back-off, as fork limits are often brief.
 */
int
spawn_job(char **argv, char **envp, int fd_out, int fd_err, pid_t *pid)
{
	posix_spawn_file_actions_t fa;
	struct timespec ts = { 0, 1000000 };
	const char *path = NULL;
	int rc, tries;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	if (fd_out >= 0)
		posix_spawn_file_actions_adddup2(&fa, fd_out, 1);
	if (fd_err >= 0)
		posix_spawn_file_actions_adddup2(&fa, fd_err, 2);
	if (progname != NULL && strcmp(argv[0], progname) == 0)
		path = progpath;
	for (tries = 0;; tries++) {
		rc = spawn_once(pid, path, argv, envp, &fa);
		if (rc != EAGAIN || tries == 40)
			break;
		nanosleep(&ts, NULL);
		if (ts.tv_nsec < 256000000)
			ts.tv_nsec *= 2;
	}
	if (rc == ENOEXEC)
		rc = spawn_sh(pid, path, argv, envp, &fa);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}
