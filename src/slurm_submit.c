/*
 * slurm_submit.c - --slurm-submit: the jobs as one Slurm array job, sent
 * from a login node; and the other end, parx running an array task.
 *
 * On the login node (submit_run, main thread) a run has three phases:
 *
 *   pack    The reader and one worker in pack mode (worker.c) turn the
 *           input into jobs as usual (items, {#}, --resume); instead of
 *           running, each job becomes a record in the run directory:
 *           in.K holds the jobs of array task K (--slurm-chunk of them,
 *           in input order), with the command line and the tag the
 *           joblog and --tag use; jobs --resume skips go to `skip`.
 *   run     job.sh runs `parx --slurm-task DIR K` in each task, which
 *           reads parx's own arguments back from DIR/argv, runs the jobs
 *           of in.K here on that node (the local executor, as many at
 *           once as the task has CPUs, -j still applies), and writes
 *           each job's result (status, times, node, output, messages) to
 *           out.K, in input order, then makes done.K.  `sbatch --array`
 *           submits it (--slurm-opts are sbatch's), and parx waits on
 *           the directory (inotify) and asks squeue only now and then
 *           (SQUEUE_EVERY), to see tasks that ended without done.K.
 *           --bar counts the jobs of the tasks done.  A stop (Ctrl-C)
 *           cancels the array (scancel) and waits for it to go.
 *   replay  One thread reads the records back in input order and hands
 *           each job to the collector as if it had run here: output,
 *           grouping, -k, --tag, joblog (Host: the node), --halt, exit
 *           status.  A job without a result (its task was cancelled,
 *           killed, or ran out of time) gets no joblog line, so --resume
 *           runs it again; unless parx was stopped, it also counts as
 *           failed and says why.
 *
 * The run directory (DIR/parx.XXXXXX, DIR from --slurm-dir, else the
 * current directory, which the nodes must see) is removed at the end
 * unless --slurm-keep.
 *
 * Records: in.K: "SEQ N CMDLEN TAGLEN ARGVLEN LEN1 ... LENN\n" then the
 * command line, the tag, the argv (JSON log) and the items.  out.K: "SEQ
 * STATUS SIG TIMEDOUT SLOT ATTEMPTS START RUNTIME HOSTLEN OUTLEN ERRLEN
 * MSGLEN\n" then the bytes.  A record cut short (the task was killed
 * while writing it) is not used.
 */
#include <sys/inotify.h>
#include <sys/stat.h>

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

#define SQUEUE_FIRST	1.0	/* seconds to the first look at squeue */
#define SQUEUE_EVERY	10.0	/* then at most this long apart */
#define ASK_TIMEOUT	30.0	/* sbatch, squeue, scancel */
#define GONE_TIMEOUT	60.0	/* a cancelled array is gone by then */
#define KILL_AFTER	10.0	/* a task's parx has this long to end */

static struct {
	/* Both ends. */
	char		*dir;		/* the run directory */
	int		 task;		/* the array task run, or -1 */
	/* Login node. */
	char		*sbatch;
	char		*squeue;
	char		*scancel;
	char		*parent;	/* --slurm-dir or "." */
	int		 packing;
	FILE		*in;		/* in.K being written */
	FILE		*skip;
	int		 ntasks;	/* in.0 .. in.(ntasks-1) */
	int		 inlast;	/* jobs in the last in.K */
	unsigned long long npacked;
	unsigned long long nskipped;
	char		 jobid[64];
	int		 cancelled;
	unsigned long long lost;	/* jobs without a result */
	/* Array task. */
	FILE		*out;
	char		*node;
	char		**argv;		/* DIR/argv, read back */
} su = { .task = -1 };

/* The path DIR/NAME (or DIR/NAME.K when k >= 0), malloc'd. */
static char *
path_of(const char *name, int k)
{
	char *p;
	int n;

	n = k >= 0 ? asprintf(&p, "%s/%s.%d", su.dir, name, k) :
	    asprintf(&p, "%s/%s", su.dir, name);
	if (n < 0)
		fatal("out of memory");
	return p;
}

static FILE *
open_in(const char *name, int k, const char *mode)
{
	char *p = path_of(name, k);
	FILE *fp = fopen(p, mode);

	if (fp == NULL && *mode == 'w')
		fatal("cannot write %s", p);
	free(p);
	return fp;
}

/* Reads n bytes into a malloc'd, NUL-terminated buffer; NULL if short. */
static char *
read_bytes(FILE *fp, size_t n)
{
	char *b = xmalloc(n + 1);

	if (n > 0 && fread(b, 1, n, fp) != n) {
		free(b);
		return NULL;
	}
	b[n] = '\0';
	return b;
}

/*
 * Main thread, before anything runs: checks --slurm-submit's options and
 * that sbatch is there.
 */
void
submit_init(void)
{
	if (opts.dry_run)
		return;
	if ((su.sbatch = spawn_path("sbatch")) == NULL ||
	    (su.squeue = spawn_path("squeue")) == NULL ||
	    (su.scancel = spawn_path("scancel")) == NULL)
		errx(255, "--slurm-submit: %s is not in PATH (is Slurm "
		    "installed?)", su.sbatch == NULL ? "sbatch" :
		    su.squeue == NULL ? "squeue" : "scancel");
}

int
submit_packing(void)
{
	return su.packing;
}

int
submit_tasking(void)
{
	return su.task >= 0;
}

/* Worker thread (the only one in pack mode): j becomes a record. */
void
submit_pack(struct job *j, const char *cmd, const char *tag)
{
	size_t cl = cmd != NULL ? strlen(cmd) : 0;
	size_t tl = tag != NULL ? strlen(tag) : 0;
	int i;

	if (j->skip) {
		fprintf(su.skip, "%llu\n", j->seq);
		su.nskipped++;
		return;
	}
	if (su.in == NULL || su.inlast == opts.slurm_chunk) {
		if (su.in != NULL && fclose(su.in) != 0)
			fatal("cannot write the jobs to %s", su.dir);
		su.in = open_in("in", su.ntasks++, "we");
		su.inlast = 0;
	}
	fprintf(su.in, "%llu %d %zu %zu %zu", j->seq, j->nitems, cl, tl,
	    j->argvlen);
	for (i = 0; i < j->nitems; i++)
		fprintf(su.in, " %zu", j->lens[i]);
	fputc('\n', su.in);
	fwrite(cmd != NULL ? cmd : "", 1, cl, su.in);
	fwrite(tag != NULL ? tag : "", 1, tl, su.in);
	if (j->argvlen > 0)
		fwrite(j->argvbuf, 1, j->argvlen, su.in);
	for (i = 0; i < j->nitems; i++)
		fwrite(j->items[i], 1, j->lens[i], su.in);
	su.inlast++;
	su.npacked++;
}

/* One in.K record: its header fields and bytes; -1 at the end. */
struct inrec {
	unsigned long long	 seq;
	int			 n;
	char			*cmd;
	char			*tag;
	char			*argv;		/* JSON log: the words */
	size_t			 argvlen;
	char			**items;
	size_t			*lens;
};

static void
inrec_free(struct inrec *r)
{
	int i;

	free(r->cmd);
	free(r->tag);
	free(r->argv);
	for (i = 0; i < r->n; i++)
		free(r->items[i]);
	free(r->items);
	free(r->lens);
	memset(r, 0, sizeof(*r));
}

static int
inrec_read(FILE *fp, struct inrec *r)
{
	size_t cl, tl;
	int i;

	memset(r, 0, sizeof(*r));
	if (fscanf(fp, "%llu %d %zu %zu %zu", &r->seq, &r->n, &cl, &tl,
	    &r->argvlen) != 5 ||
	    r->n < 0 || r->n > INT_MAX / 16)
		return -1;
	r->items = xcalloc(r->n + 1, sizeof(*r->items));
	r->lens = xcalloc(r->n + 1, sizeof(*r->lens));
	for (i = 0; i < r->n; i++)
		if (fscanf(fp, " %zu", &r->lens[i]) != 1)
			goto bad;
	if (fgetc(fp) != '\n' || (r->cmd = read_bytes(fp, cl)) == NULL ||
	    (r->tag = read_bytes(fp, tl)) == NULL ||
	    (r->argv = read_bytes(fp, r->argvlen)) == NULL)
		goto bad;
	for (i = 0; i < r->n; i++)
		if ((r->items[i] = read_bytes(fp, r->lens[i])) == NULL)
			goto bad;
	return 0;
bad:
	inrec_free(r);
	return -1;
}

/*
 * Array task, before options_parse: `parx --slurm-task DIR K` takes the
 * arguments the login node's parx was given, from DIR/argv.
 */
void
submit_task_args(int *argc, char ***argv)
{
	struct strbuf sb = { 0 };
	char buf[8192], *p, **v;
	size_t n;
	int fd, c = 0;
	ssize_t got;

	if (*argc != 4)
		errx(255, "--slurm-task: usage: parx --slurm-task DIR K");
	su.dir = xstrdup((*argv)[2]);
	su.task = atoi((*argv)[3]);
	p = path_of("argv", -1);
	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) == -1)
		err(255, "--slurm-task: %s", p);
	while ((got = io_read(fd, buf, sizeof(buf))) > 0)
		sb_add(&sb, buf, (size_t)got);
	close(fd);
	free(p);
	v = xcalloc(sb.len + 2, sizeof(*v));
	v[c++] = (*argv)[0];
	for (n = 0; n < sb.len; n += strlen(sb.s + n) + 1)
		v[c++] = sb.s + n;
	v[c] = NULL;
	su.argv = v;
	*argc = c;
	*argv = v;
}

/*
 * Array task, after options_parse: the jobs come from in.K, results go to
 * out.K, in input order; nothing about the run's log or progress.
 */
void
submit_task_init(void)
{
	const char *e;
	char host[256];
	char *p;

	FILE *fp;

	opts.slurm_submit = 0;
	opts.joblog = NULL;
	opts.resume = opts.resume_failed = opts.retry_failed = 0;
	opts.results = NULL;
	opts.timeline = NULL;
	opts.summary = 0;
	opts.shuf = 0;
	opts.bar = 0;
	opts.keep_order = 1;
	opts.outmode = OUT_GROUP;
	opts.dry_run = 0;
	if ((fp = open_in("total", -1, "re")) != NULL) {
		if (fscanf(fp, "%llu", &jobs_total) != 1)
			jobs_total = 0;
		fclose(fp);
	}
	if (opts.jobs_arg == NULL && (e = getenv("SLURM_CPUS_ON_NODE")) !=
	    NULL && atoi(e) > 0)
		opts.jobs = atoi(e);
	p = path_of("in", su.task);
	reader_records(p);
	free(p);
	su.out = open_in("out", su.task, "we");
	if ((e = getenv("SLURMD_NODENAME")) == NULL) {
		if (gethostname(host, sizeof(host)) == -1)
			snprintf(host, sizeof(host), "?");
		host[sizeof(host) - 1] = '\0';
		e = host;
	}
	su.node = xstrdup(e);
}

/* Array task, in the reader: the jobs of in.K, with their numbers. */
void
submit_task_read(const char *path, int (*emit)(unsigned long long,
    char **, size_t *, int))
{
	struct inrec r;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL) {
		output_msgf("parx: --slurm-task: cannot read %s: %s\n", path,
		    strerror(errno));
		stop_request(STOP_FATAL, SIGTERM);
		return;
	}
	while (inrec_read(fp, &r) == 0) {
		if (emit(r.seq, r.items, r.lens, r.n) == -1) {
			inrec_free(&r);
			break;
		}
		inrec_free(&r);
	}
	fclose(fp);
}

/* Writes what an outbuf holds to fp. */
static void
outbuf_to(const struct outbuf *ob, FILE *fp)
{
	char buf[65536];
	size_t at = ob->head;
	ssize_t n;

	while (at < ob->total && (n = outbuf_read(ob, at, buf,
	    sizeof(buf))) > 0) {
		fwrite(buf, 1, (size_t)n, fp);
		at += (size_t)n;
	}
}

/*
 * Array task, collector thread, in input order: job j's result.  A job
 * parx interrupted has none (it runs again).
 */
void
submit_result(struct job *j)
{
	const char *msg = j->errmsg != NULL ? j->errmsg : "";

	/* Killed while parx stops: Slurm may have signalled it too. */
	if (j->skip || j->interrupted || (stop_requested() && j->termsig))
		return;
	fprintf(su.out, "%llu %d %d %d %d %d %.3f %.3f %zu %zu %zu %zu\n",
	    j->seq, j->status, j->termsig, j->timed_out, j->slot, j->attempts,
	    j->start, j->runtime,
	    strlen(su.node), outbuf_left(&j->sink[0].buf),
	    outbuf_left(&j->sink[1].buf), strlen(msg));
	fputs(su.node, su.out);
	outbuf_to(&j->sink[0].buf, su.out);
	outbuf_to(&j->sink[1].buf, su.out);
	fputs(msg, su.out);
	if (fflush(su.out) != 0)
		warn("--slurm-task: cannot write the results");
}

/* Array task, at the end: done.K says the task got to its end. */
void
submit_task_end(int rc)
{
	char *p;
	int fd;

	if (fclose(su.out) != 0) {
		warn("--slurm-task: cannot write the results");
		return;
	}
	su.out = NULL;
	if (stop_requested() && rc != 0 && stop_status(rc) >= 128)
		return;	/* stopped: what did not run runs again */
	p = path_of("done", su.task);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) >= 0)
		close(fd);
	free(p);
}

/* A node name, kept until the end (the joblog's Host points at it). */
static const char *
node_intern(const char *name)
{
	static char **names;
	static int n;
	int i;

	if (name == NULL) {
		for (i = 0; i < n; i++)
			free(names[i]);
		free(names);
		names = NULL;
		n = 0;
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return names[i];
	names = xrealloc(names, (n + 1) * sizeof(*names));
	names[n] = xstrdup(name);
	return names[n++];
}

/* The header of an out.K record. */
struct outrec {
	unsigned long long	 seq;
	int			 status, sig, tmo, slot, attempts;
	double			 start, runtime;
	size_t			 len[4];	/* host out err msgs */
};

static int
outrec_read(FILE *fp, struct outrec *o)
{
	if (fp == NULL)
		return -1;
	return fscanf(fp, "%llu %d %d %d %d %d %lf %lf %zu %zu %zu %zu",
	    &o->seq, &o->status, &o->sig, &o->tmo, &o->slot, &o->attempts,
	    &o->start, &o->runtime, &o->len[0], &o->len[1], &o->len[2],
	    &o->len[3]) == 12 && fgetc(fp) == '\n' ? 0 : -1;
}

/* Copies n bytes of fp into ob; -1 when fp ends first. */
static int
copy_to(FILE *fp, size_t n, struct outbuf *ob)
{
	char buf[65536];
	size_t k;

	while (n > 0) {
		k = n < sizeof(buf) ? n : sizeof(buf);
		if (fread(buf, 1, k, fp) != k)
			return -1;
		outbuf_add(ob, buf, k);
		n -= k;
	}
	return 0;
}

/* Fills j from its result o, whose bytes come next in fp; -1 if cut. */
static int
result_fill(struct job *j, const struct outrec *o, FILE *fp)
{
	char *host, *msg;

	if ((host = read_bytes(fp, o->len[0])) == NULL)
		return -1;
	j->host = node_intern(host);
	free(host);
	if (copy_to(fp, o->len[1], &j->sink[0].buf) == -1 ||
	    copy_to(fp, o->len[2], &j->sink[1].buf) == -1 ||
	    (msg = read_bytes(fp, o->len[3])) == NULL)
		return -1;
	j->sink[0].bytes = o->len[1];
	j->sink[1].bytes = o->len[2];
	if (*msg != '\0')
		j->errmsg = msg;
	else
		free(msg);
	j->status = o->status;
	j->termsig = o->sig;
	j->timed_out = o->tmo;
	j->slot = o->slot;
	j->attempts = o->attempts;
	j->start = o->start;
	j->runtime = o->runtime;
	j->failed = j->status != 0 || j->termsig != 0;
	return 0;
}

/* Hands the skipped jobs before seq (all: 0) to the collector. */
static void
replay_skips(FILE *fp, unsigned long long seq, unsigned long long *next)
{
	struct job *j;

	while (*next != 0 && (seq == 0 || *next < seq)) {
		j = job_new(*next, NULL, NULL, 0);
		j->skip = 1;
		(void)collect_window(j->seq, 0);
		collect_put(j);
		if (fp == NULL || fscanf(fp, "%llu", next) != 1)
			*next = 0;
	}
}

/* The last line task k's log holds (Slurm says there why it ended). */
static char *
task_why(int k)
{
	char buf[4096], *p = path_of("log", k), *e, *b;
	ssize_t n = 0;
	off_t size;
	int fd;

	if ((fd = open(p, O_RDONLY | O_CLOEXEC)) >= 0) {
		size = lseek(fd, 0, SEEK_END);
		if (size > 0 && lseek(fd, size > (off_t)sizeof(buf) - 1 ?
		    size - (off_t)sizeof(buf) + 1 : 0, SEEK_SET) != -1)
			n = io_read(fd, buf, sizeof(buf) - 1);
		close(fd);
	}
	free(p);
	buf[n > 0 ? n : 0] = '\0';
	for (e = buf + strlen(buf); e > buf && (e[-1] == '\n' ||
	    e[-1] == '\r'); )
		*--e = '\0';
	for (b = e; b > buf && b[-1] != '\n'; b--)
		;
	return *b != '\0' ? xstrdup(b) : NULL;
}

/* Where each result of out.K is: its header, and its bytes' offset. */
struct outidx {
	struct outrec	 o;
	off_t		 at;
};

static int
outidx_cmp(const void *a, const void *b)
{
	const struct outidx *x = a, *y = b;

	return x->o.seq < y->o.seq ? -1 : x->o.seq > y->o.seq;
}

/*
 * Indexes the whole results of out.K (a record cut short is left out);
 * the order of in.K may differ from theirs (--shuf).  Returns the count.
 */
static size_t
outidx_read(FILE *fp, struct outidx **idx)
{
	struct outidx x;
	size_t n = 0, cap = 0;
	off_t end;

	*idx = NULL;
	if (fp == NULL || fseeko(fp, 0, SEEK_END) == -1 ||
	    (end = ftello(fp)) == -1 || fseeko(fp, 0, SEEK_SET) == -1)
		return 0;
	while (outrec_read(fp, &x.o) == 0 && (x.at = ftello(fp)) != -1 &&
	    x.at + (off_t)(x.o.len[0] + x.o.len[1] + x.o.len[2] +
	    x.o.len[3]) <= end) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			*idx = xrealloc(*idx, cap * sizeof(**idx));
		}
		(*idx)[n++] = x;
		if (fseeko(fp, x.at + (off_t)(x.o.len[0] + x.o.len[1] +
		    x.o.len[2] + x.o.len[3]), SEEK_SET) == -1)
			break;
	}
	if (n > 1)
		qsort(*idx, n, sizeof(**idx), outidx_cmp);
	return n;
}

/* j has no result: it did not finish, and runs again with --resume. */
static void
result_lost(struct job *j, int k, char **why, int *asked)
{
	job_reset(j);
	j->interrupted = 1;
	su.lost++;
	if (su.cancelled)
		return;
	if (!(*asked)++)
		*why = task_why(k);
	job_errorf(j, "job %llu: did not finish: array task %s_%d ended "
	    "without its result%s%s%s", j->seq, su.jobid, k, *why != NULL ?
	    " (" : "", *why != NULL ? *why : "", *why != NULL ? ")" : "");
}

/* The jobs of task k, with their results, to the collector. */
static void
replay_task(int k, FILE *skip, unsigned long long *nskip)
{
	FILE *in = open_in("in", k, "re"), *out = open_in("out", k, "re");
	struct outidx *idx, key, *hit;
	size_t n = outidx_read(out, &idx);
	struct inrec r;
	struct job *j;
	char *why = NULL;
	int asked = 0;

	while (in != NULL && inrec_read(in, &r) == 0) {
		replay_skips(skip, r.seq, nskip);
		j = job_new(r.seq, r.items, r.lens, r.n);
		sink_start(j);
		j->logcmd = r.cmd;
		r.cmd = NULL;
		if (r.argvlen > 0) {
			j->argvbuf = r.argv;
			j->argvlen = r.argvlen;
			r.argv = NULL;
		}
		if (opts.tag || opts.tagstring != NULL) {
			j->tag = r.tag;
			j->taglen = strlen(r.tag);
			r.tag = NULL;
		}
		inrec_free(&r);
		key.o.seq = j->seq;
		hit = n > 0 ? bsearch(&key, idx, n, sizeof(*idx),
		    outidx_cmp) : NULL;
		j->remote = 1;
		if (hit == NULL || fseeko(out, hit->at, SEEK_SET) == -1 ||
		    result_fill(j, &hit->o, out) == -1)
			result_lost(j, k, &why, &asked);
		else if (opts.results != NULL)
			results_write(j);
		(void)collect_window(j->seq, 0);
		collect_put(j);
	}
	if (in != NULL)
		fclose(in);
	if (out != NULL)
		fclose(out);
	free(idx);
	free(why);
}

static void *
replay_main(void *arg)
{
	FILE *skip = open_in("skip", -1, "re");
	unsigned long long next = 0;
	int k;

	(void)arg;
	if (skip != NULL && fscanf(skip, "%llu", &next) != 1)
		next = 0;
	for (k = 0; k < su.ntasks; k++)
		replay_task(k, skip, &next);
	replay_skips(skip, 0, &next);
	if (skip != NULL)
		fclose(skip);
	collect_worker_done();
	return NULL;
}

/* Runs argv as a helper; its status, -2 if parx stopped (stoppable). */
static int
ask(char **argv, struct helper *hp, int stoppable)
{
	memset(hp, 0, sizeof(*hp));
	hp->argv = argv;
	if (helper_run(hp, 1, ASK_TIMEOUT, stoppable) == -1)
		return -2;
	return hp->status;
}

/* Single-quotes s for sh. */
static void
script_quote(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '\'');
	for (; *s != '\0'; s++)
		if (*s == '\'')
			sb_adds(sb, "'\\''");
		else
			sb_addc(sb, *s);
	sb_addc(sb, '\'');
}

/* DIR/total: how many jobs the input made ({##} in the tasks). */
static void
write_total(void)
{
	FILE *fp = open_in("total", -1, "we");

	fprintf(fp, "%llu\n", su.npacked + su.nskipped);
	if (fclose(fp) != 0)
		fatal("cannot write %s/total", su.dir);
}

/* DIR/argv (parx's arguments) and DIR/job.sh (what a task runs). */
static void
write_scripts(int argc, char **argv)
{
	struct strbuf sb = { 0 };
	char self[PATH_MAX];
	ssize_t n;
	FILE *fp;
	int i;

	fp = open_in("argv", -1, "we");
	for (i = 1; i < argc; i++)
		fwrite(argv[i], 1, strlen(argv[i]) + 1, fp);
	if (fclose(fp) != 0)
		fatal("cannot write %s/argv", su.dir);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) <= 0)
		fatal("cannot find parx's own path");
	self[n] = '\0';
	sb_adds(&sb, "#!/bin/sh\nexec ");
	script_quote(&sb, self);
	sb_adds(&sb, " --slurm-task ");
	script_quote(&sb, su.dir);
	sb_adds(&sb, " \"$SLURM_ARRAY_TASK_ID\"\n");
	fp = open_in("job.sh", -1, "we");
	fputs(sb.s, fp);
	if (fclose(fp) != 0)
		fatal("cannot write %s/job.sh", su.dir);
	sb_free(&sb);
}

/* The run directory, in --slurm-dir or here; absolute. */
static void
make_dir(void)
{
	char *p, *abs;

	if (asprintf(&p, "%s/parx.XXXXXX", su.parent) < 0)
		fatal("out of memory");
	if (mkdtemp(p) == NULL)
		fatal("--slurm-dir: cannot make a directory in %s", su.parent);
	if ((abs = realpath(p, NULL)) == NULL)
		fatal("%s", p);
	free(p);
	su.dir = abs;
}

/* Removes the run directory and what is in it. */
static void
remove_dir(void)
{
	struct dirent *de;
	char *p;
	DIR *d;

	if (su.dir == NULL || (d = opendir(su.dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (asprintf(&p, "%s/%s", su.dir, de->d_name) < 0)
			fatal("out of memory");
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(su.dir);
}

static void
argv_push(struct argv *av, const char *s)
{
	argv_word_begin(av);
	argv_word_add(av, s, strlen(s));
	argv_word_end(av);
}

/* sbatch --array: the array's job id into su.jobid. */
static void
submit_array(void)
{
	struct strbuf out = { 0 };
	char arr[64], cpus[64];
	struct argv av = { 0 };
	struct helper hp;
	char **words = NULL, *why, *p;
	int nw = 0, i, rc;

	if (opts.slurm_opts != NULL && split_words(opts.slurm_opts, &words,
	    &nw) == -1)
		usage_error("--slurm-opts: '%s' is not a list of options",
		    opts.slurm_opts);
	snprintf(arr, sizeof(arr), "--array=0-%d", su.ntasks - 1);
	sb_adds(&out, su.dir);
	sb_adds(&out, "/log.%a");
	argv_push(&av, su.sbatch);
	argv_push(&av, "--parsable");
	argv_push(&av, arr);
	argv_push(&av, "-J");
	argv_push(&av, "parx");
	argv_push(&av, "-o");
	argv_push(&av, out.s);
	snprintf(cpus, sizeof(cpus), "--cpus-per-task=%d", opts.slurm_cpus);
	argv_push(&av, cpus);
	for (i = 0; i < nw; i++)
		argv_push(&av, words[i]);
	p = path_of("job.sh", -1);
	argv_push(&av, p);
	free(p);
	rc = ask(argv_finish(&av), &hp, 1);
	if (rc == 0 && hp.out.s != NULL) {
		hp.out.s[strcspn(hp.out.s, ";\n")] = '\0';
		snprintf(su.jobid, sizeof(su.jobid), "%s", hp.out.s);
	}
	if (rc != -2 && (rc != 0 || su.jobid[0] == '\0')) {
		why = helper_why(&hp);
		remove_dir();
		errx(255, "--slurm-submit: sbatch failed: %s", why);
	}
	helper_free(&hp);
	argv_free(&av);
	for (i = 0; i < nw; i++)
		free(words[i]);
	free(words);
	sb_free(&out);
}

/* Whether the array still has tasks in the queue (1), none (0). */
static int
array_queued(void)
{
	char *argv[] = { su.squeue, "-h", "-j", su.jobid, "-t",
	    "PD,R,CF,CG,S,RQ,RS,RH,SE,SO,ST,RV", "-o", "%i", NULL };
	struct helper hp;
	int rc, queued;

	rc = ask(argv, &hp, 0);
	if (rc == 0)
		queued = hp.out.len > 0;
	else
		/* Gone from the controller's memory: not queued. */
		queued = strstr(hp.err.s != NULL ? hp.err.s : "",
		    "Invalid job id") == NULL;
	helper_free(&hp);
	return queued;
}

/* scancel -Q [A [B]] JOBID. */
static void
cancel(const char *a, const char *b)
{
	char *argv[6] = { su.scancel, "-Q" };
	struct helper hp;
	int n = 2;

	if (a != NULL)
		argv[n++] = (char *)a;
	if (b != NULL)
		argv[n++] = (char *)b;
	argv[n++] = su.jobid;
	argv[n] = NULL;
	(void)ask(argv, &hp, 0);
	helper_free(&hp);
}

/* Waits up to t seconds until nothing of the array is queued. */
static int
array_gone(double t)
{
	double end = clock_mono() + t, wait = 0.05;

	while (array_queued()) {
		if (clock_mono() >= end)
			return 0;
		(void)poll(NULL, 0, (int)(wait * 1000));
		if ((wait *= 2) > 1)
			wait = 1;
	}
	return 1;
}

/*
 * Ctrl-C and other stops: the tasks not started are cancelled, and the
 * parx of each running task is sent SIGTERM alone, so that it ends its
 * jobs as parx does and keeps the results of those that finished; what
 * is still there after KILL_AFTER is cancelled outright.
 */
static void
array_cancel(void)
{
	su.cancelled = 1;
	cancel("--state=PENDING", NULL);
	cancel("--batch", "--signal=TERM");
	if (!array_gone(KILL_AFTER)) {
		cancel(NULL, NULL);
		(void)array_gone(GONE_TIMEOUT);
	}
}

/* Counts the tasks with done.K; their jobs are done, for --bar. */
static int
tasks_done(unsigned char *done, unsigned long long *jobs)
{
	struct stat st;
	char *p;
	int k, n = 0;

	for (k = 0; k < su.ntasks; k++) {
		if (!done[k]) {
			p = path_of("done", k);
			done[k] = stat(p, &st) == 0;
			free(p);
			if (done[k])
				*jobs += k == su.ntasks - 1 ? (unsigned)
				    su.inlast : (unsigned)opts.slurm_chunk;
		}
		n += done[k];
	}
	return n;
}

/*
 * Waits for the array: woken by the run directory (inotify: a task made
 * done.K), a stop, or the time to ask squeue whether tasks ended without
 * a word (killed, out of time).
 */
static void
array_wait(void)
{
	unsigned char *done = xcalloc(su.ntasks, 1);
	unsigned long long jobs = 0;
	double every = SQUEUE_FIRST, ask_at = clock_mono() + every;
	struct pollfd pf[2];
	char buf[4096];
	int ifd;

	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd >= 0 && inotify_add_watch(ifd, su.dir, IN_CREATE |
	    IN_MOVED_TO) == -1) {
		close(ifd);
		ifd = -1;
	}
	while (tasks_done(done, &jobs) < su.ntasks) {
		if (opts.bar)
			bar_update(jobs, 0, su.npacked, 1);
		if (clock_mono() >= ask_at) {
			if (!array_queued() && tasks_done(done, &jobs) <
			    su.ntasks)
				break;	/* some ended without results */
			every = every * 2 > SQUEUE_EVERY ? SQUEUE_EVERY :
			    every * 2;
			ask_at = clock_mono() + every;
		}
		pf[0] = (struct pollfd){ stop_fd(), POLLIN, 0 };
		pf[1] = (struct pollfd){ ifd, POLLIN, 0 };
		if (poll(pf, ifd >= 0 ? 2 : 1, io_poll_timeout(ask_at)) > 0) {
			if (pf[0].revents != 0) {
				array_cancel();
				break;
			}
			while (ifd >= 0 && read(ifd, buf, sizeof(buf)) > 0)
				;
		}
	}
	if (opts.bar)
		bar_clear();
	if (ifd >= 0)
		close(ifd);
	free(done);
}

/*
 * Main thread, after collect_init and the signal thread: the whole of a
 * --slurm-submit run (see the top).  Returns the jobs' exit status.
 */
int
submit_run(int argc, char **argv, const struct tmpl *cmd,
    const struct tmpl *tag)
{
	pthread_t tid;
	int rc;

	su.parent = xstrdup(opts.slurm_dir != NULL ? opts.slurm_dir : ".");
	make_dir();
	write_scripts(argc, argv);
	su.skip = open_in("skip", -1, "we");
	su.packing = 1;
	workers_start(1, cmd, tag);
	if ((rc = reader_start(cmd)) != 0)
		fatal_errno(rc, "cannot start a thread (ulimit -u?)");
	workers_join();
	su.packing = 0;
	if ((su.in != NULL && fclose(su.in) != 0) || fclose(su.skip) != 0)
		fatal("cannot write the jobs to %s", su.dir);
	su.in = su.skip = NULL;
	write_total();
	if (su.ntasks > 0 && !stop_requested()) {
		submit_array();
		if (!stop_requested())
			array_wait();
		else
			array_cancel();
	}
	collect_total(su.npacked + su.nskipped);
	collect_workers(1);
	if (!stop_requested() || su.cancelled) {
		if ((rc = thread_start(&tid, replay_main, NULL, 0)) != 0)
			fatal_errno(rc, "cannot start a thread (ulimit -u?)");
		collect_run();
		xpthread(pthread_join(tid, NULL), __FILE__, __LINE__);
	}
	rc = collect_status();
	if (su.lost > 0 && !su.cancelled && rc <= 100)
		rc = rc + su.lost > 100 ? 101 : rc + (int)su.lost;
	if (!opts.slurm_keep)
		remove_dir();
	else
		fprintf(stderr, "parx: --slurm-keep: the run is in %s\n",
		    su.dir);
	node_intern(NULL);
	return rc;
}
