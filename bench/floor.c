/*
 * floor.c - the least work needed to run a command N times, J at once:
 * the reference that bench/run.sh measures parx against.
 *
 *	floor [-m none|drain|stream|buffer] [-j J] [-n N] [-r DIR] [--]
 *	    COMMAND [ARG]...
 *	floor -w BYTES [ARG]...
 *	floor -t BYTES [ARG]...
 *
 * Each job is started with posix_spawnp and reaped with waitpid; a word
 * of COMMAND that is exactly "{}" becomes the job's number, 1..N.  The
 * mode says what happens to a job's stdout:
 *
 *	none	inherited (the default): the dispatch floor
 *	drain	a pipe per job, read with poll and read, thrown away
 *	stream	a pipe per job, each chunk written to our stdout as it comes
 *		(output of different jobs may mix)
 *	buffer	a pipe per job, held in memory and written in one piece when
 *		the job ends (grouped, but memory grows with the output)
 *
 * With -r (and a piped mode), each finished job also gets an entry DIR/N
 * of seven small files, its output in one of them, made as .tmp.N and
 * renamed: the least that --results DIR can cost.
 *
 * With -w, floor writes BYTES zero bytes to stdout and exits, ignoring
 * other operands: a generator for the big-output workloads.  -t writes
 * BYTES of text instead, lines of 64 characters (escaped as they are in
 * JSON, where a zero byte takes six).
 *
 * Single-threaded, no signal handling: it exists to be obviously right
 * and as cheap as possible.  Exits 1 if any job failed.
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

enum mode { M_NONE, M_DRAIN, M_STREAM, M_BUFFER };

struct slot {
	long long job;
	pid_t	 pid;
	int	 fd;		/* read end of the job's stdout, or -1 */
	char	*buf;		/* M_BUFFER only */
	size_t	 len;
	size_t	 cap;
};

static char	 iobuf[128 * 1024];
static int	 failed;
static int	 resdir = -1;	/* -r DIR */

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: floor [-m none|drain|stream|buffer] [-j J] "
	    "[-n N] [-r dir] [--] command [arg ...]\n"
	    "       floor -w bytes\n"
	    "       floor -t bytes\n");
	exit(2);
}

static long long
number(const char *s, long long min)
{
	char		*end;
	long long	 v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < min)
		errx(2, "bad number: %s", s);
	return v;
}

static void
write_all(const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = write(STDOUT_FILENO, p, n);
		if (w == -1) {
			if (errno == EINTR)
				continue;
			err(1, "write");
		}
		p += w;
		n -= (size_t)w;
	}
}

static int
generate(long long bytes)
{
	size_t	 n;

	while (bytes > 0) {
		n = bytes < (long long)sizeof(iobuf) ? (size_t)bytes :
		    sizeof(iobuf);
		write_all(iobuf, n);
		bytes -= (long long)n;
	}
	return 0;
}

/* Replaces each "{}" word of tmpl with the job number, in argv. */
static void
fill_argv(char **argv, char **tmpl, int argc, long long job)
{
	static char	 num[32];
	int		 i;

	snprintf(num, sizeof(num), "%lld", job);
	for (i = 0; i < argc; i++)
		argv[i] = strcmp(tmpl[i], "{}") == 0 ? num : tmpl[i];
	argv[argc] = NULL;
}

/* Starts argv with outfd (if not -1) as its stdout; returns the pid. */
static pid_t
spawn(char **argv, int outfd)
{
	posix_spawn_file_actions_t	 fa, *fap = NULL;
	pid_t				 pid;
	int				 e;

	if (outfd != -1) {
		posix_spawn_file_actions_init(&fa);
		posix_spawn_file_actions_adddup2(&fa, outfd, STDOUT_FILENO);
		fap = &fa;
	}
	e = posix_spawnp(&pid, argv[0], fap, NULL, argv, environ);
	if (fap != NULL)
		posix_spawn_file_actions_destroy(fap);
	if (e != 0) {
		errno = e;
		err(1, "%s", argv[0]);
	}
	return pid;
}

static void
reap(pid_t pid)
{
	int	 status;

	while ((pid = waitpid(pid, &status, 0)) == -1)
		if (errno != EINTR)
			err(1, "waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		failed++;
}

static void
run_plain(char **tmpl, int argc, char **argv, long long n, int j)
{
	long long	 started = 0;
	int		 running = 0;

	while (started < n || running > 0) {
		if (started < n && running < j) {
			fill_argv(argv, tmpl, argc, ++started);
			spawn(argv, -1);
			running++;
			continue;
		}
		reap(-1);
		running--;
	}
}

static void
start_piped(struct slot *s, char **tmpl, int argc, char **argv,
    long long job)
{
	int	 p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		err(1, "pipe2");
	fill_argv(argv, tmpl, argc, job);
	s->pid = spawn(argv, p[1]);
	s->job = job;
	close(p[1]);
	s->fd = p[0];
	s->len = 0;
}

static void
put(int dir, const char *name, const char *p, size_t n)
{
	int	 fd;

	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1 || (n > 0 && write(fd, p, n) != (ssize_t)n) ||
	    close(fd) == -1)
		err(1, "%s", name);
}

/* -r: the job's entry, built under a temporary name. */
static void
entry(const struct slot *s)
{
	static const char *small[] = { "cmd", "exitval", "signal",
	    "starttime", "runtime" };
	char	 tmp[64], name[32], num[40];
	size_t	 i;
	int	 d, n;

	snprintf(tmp, sizeof(tmp), ".tmp.%lld", s->job);
	n = snprintf(name, sizeof(name), "%lld", s->job);
	if (mkdirat(resdir, tmp, 0777) == -1 ||
	    (d = openat(resdir, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		err(1, "%s", tmp);
	put(d, "stdout", s->buf, s->len);
	put(d, "stderr", "", 0);
	snprintf(num, sizeof(num), "%s\n", name);
	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		put(d, small[i], num, (size_t)n + 1);
	close(d);
	if (renameat(resdir, tmp, resdir, name) == -1)
		err(1, "rename %s", tmp);
}

/* Reads once from a ready slot; at EOF finishes the job.  Returns 1 then. */
static int
service(struct slot *s, enum mode mode)
{
	ssize_t	 r;

	while ((r = read(s->fd, iobuf, sizeof(iobuf))) == -1)
		if (errno != EINTR)
			err(1, "read");
	if (r > 0) {
		if (mode == M_STREAM)
			write_all(iobuf, (size_t)r);
		else if (mode == M_BUFFER || resdir != -1) {
			if (s->len + (size_t)r > s->cap) {
				s->cap = (s->len + (size_t)r) * 2;
				if ((s->buf = realloc(s->buf, s->cap)) == NULL)
					err(1, "realloc");
			}
			memcpy(s->buf + s->len, iobuf, (size_t)r);
			s->len += (size_t)r;
		}
		return 0;
	}
	close(s->fd);
	s->fd = -1;
	if (mode == M_BUFFER)
		write_all(s->buf, s->len);
	reap(s->pid);
	if (resdir != -1)
		entry(s);
	return 1;
}

static void
run_piped(char **tmpl, int argc, char **argv, long long n, int j,
    enum mode mode)
{
	struct slot	*slots;
	struct pollfd	*pfd;
	long long	 started = 0;
	int		 i, running = 0;

	if ((slots = calloc((size_t)j, sizeof(*slots))) == NULL ||
	    (pfd = calloc((size_t)j, sizeof(*pfd))) == NULL)
		err(1, "calloc");
	for (i = 0; i < j; i++)
		slots[i].fd = -1;
	while (started < n || running > 0) {
		for (i = 0; i < j && started < n; i++)
			if (slots[i].fd == -1) {
				start_piped(&slots[i], tmpl, argc, argv,
				    ++started);
				running++;
			}
		for (i = 0; i < j; i++) {
			pfd[i].fd = slots[i].fd;	/* -1 is skipped */
			pfd[i].events = POLLIN;
		}
		if (poll(pfd, (nfds_t)j, -1) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		for (i = 0; i < j; i++)
			if (pfd[i].fd != -1 && pfd[i].revents != 0)
				running -= service(&slots[i], mode);
	}
	for (i = 0; i < j; i++)
		free(slots[i].buf);
	free(slots);
	free(pfd);
}

int
main(int argc, char *argv[])
{
	enum mode	  mode = M_NONE;
	long long	  n = 1;
	char		**jobargv;
	size_t		  i;
	int		  c, j = 1;

	while ((c = getopt(argc, argv, "+j:m:n:r:t:w:")) != -1) {
		switch (c) {
		case 'j':
			j = (int)number(optarg, 1);
			if (j > 4096)
				errx(2, "-j too large");
			break;
		case 'm':
			if (strcmp(optarg, "none") == 0)
				mode = M_NONE;
			else if (strcmp(optarg, "drain") == 0)
				mode = M_DRAIN;
			else if (strcmp(optarg, "stream") == 0)
				mode = M_STREAM;
			else if (strcmp(optarg, "buffer") == 0)
				mode = M_BUFFER;
			else
				usage();
			break;
		case 'n':
			n = number(optarg, 0);
			break;
		case 'w':
			return generate(number(optarg, 0));
		case 'r':
			if (mkdir(optarg, 0777) == -1 && errno != EEXIST)
				err(2, "%s", optarg);
			if ((resdir = open(optarg, O_RDONLY | O_DIRECTORY |
			    O_CLOEXEC)) == -1)
				err(2, "%s", optarg);
			break;
		case 't':
			for (i = 0; i < sizeof(iobuf); i++)
				iobuf[i] = i % 64 == 63 ? '\n' :
				    "0123456789abcdef"[i % 16];
			return generate(number(optarg, 0));
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();
	if ((jobargv = calloc((size_t)argc + 1, sizeof(char *))) == NULL)
		err(1, "calloc");
	if (mode == M_NONE)
		run_plain(argv, argc, jobargv, n, j);
	else
		run_piped(argv, argc, jobargv, n, j, mode);
	free(jobargv);
	return failed > 0;
}
