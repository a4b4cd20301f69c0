/*
 * exec_slurm.c - the Slurm executor: inside an allocation (--slurm), each
 * job runs as its own job step, started by Slurm's srun.
 *
 * Hosts.  Each node of the allocation (SLURM_JOB_NODELIST, expanded here
 * as Slurm writes host lists: node[01-04,7],gpu1) is a host of exec.c,
 * with as many CPUs as the allocation has tasks there
 * (SLURM_TASKS_PER_NODE: 4(x2),1), so its slots default to that and -j
 * applies to it as it applies to any host.  A step goes to its node with
 * -w, so the joblog's Host is the node it ran on.
 *
 * A job.  The local command of an attempt is
 *
 *     srun --exact -n1 -N1 -cC -w NODE -J parx.PID.ID -Q -Q
 *         --quit-on-interrupt --input=none -- ARGV...
 *
 * srun passes the job's environment on (PARX_SEQ, PARX_SLOT...), its
 * stdout and stderr come back apart, and its exit status is the job's
 * (a job killed by signal N gives 128+N, as srun says it).  srun reports
 * every failing task on stderr, wherever it is in the job's output, so it
 * is asked to say nothing (-Q twice): what parx prints is what the job
 * wrote.
 *
 * Ending a step.  run.c signals srun's process group as it would a local
 * job: SIGTERM (--timeout, --halt now, a closed stdout) makes srun cancel
 * the step (Slurm kills every process of it on the node); SIGINT (Ctrl-C)
 * is passed on to the job (--quit-on-interrupt).  What srun did not end
 * in 2 s gets SIGKILL, and srun killed leaves its step running: so after
 * any attempt that parx signalled, the step is looked for by its name
 * (squeue --steps) and, when still there, cancelled (scancel) and waited
 * for, so that nothing of a job is left on any node when parx is done.
 *
 * Before anything runs, parx checks that srun is there and that Slurm
 * answers about the allocation (squeue); otherwise it says so once and
 * exits 255.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec.h"

#define ASK_TIMEOUT	15.0	/* seconds for squeue and scancel */
#define GONE_TIMEOUT	30.0	/* a cancelled step is gone by then */
#define GONE_FIRST	0.05	/* first look again, then less often */
#define GONE_MAX	1.0
#define NODES_MAX	65536

/* A node of the allocation. */
struct slnode {
	int	 tasks;
};

static struct {
	char		*srun;
	char		*squeue;
	char		*scancel;
	const char	*jobid;
	char		 cpus[24];	/* -cC */
	char		 prefix[24];	/* step names: parx.PID. */
	unsigned	 ids;
} sl;

static const struct executor exec_slurm;

/* Appends the expansion of one host-list item s (no top-level comma). */
static int
nodes_item(const char *s, char ***v, int *n)
{
	const char *lb = strchr(s, '['), *rb, *p;
	char *rest, *name, *e;
	unsigned long a, b, k;
	int w, rc = 0;

	if (lb == NULL) {
		if (*n >= NODES_MAX)
			return -1;
		*v = xrealloc(*v, (*n + 1) * sizeof(**v));
		(*v)[(*n)++] = xstrdup(s);
		return 0;
	}
	if ((rb = strchr(lb, ']')) == NULL)
		return -1;
	for (p = lb + 1; p < rb && rc == 0; p = *e == ',' ? e + 1 : rb) {
		w = (int)strspn(p, "0123456789");
		a = strtoul(p, &e, 10);
		b = a;
		if (w == 0)
			return -1;
		if (*e == '-')
			b = strtoul(e + 1, &e, 10);
		if ((*e != ',' && e != rb) || b < a || b - a >= NODES_MAX)
			return -1;
		for (k = a; k <= b && rc == 0; k++) {
			if (asprintf(&name, "%.*s%0*lu", (int)(lb - s), s, w,
			    k) < 0 || asprintf(&rest, "%s%s", name, rb + 1) < 0)
				fatal("out of memory");
			rc = nodes_item(rest, v, n);
			free(name);
			free(rest);
		}
	}
	return rc;
}

/*
 * Expands a Slurm host list (a,b[1-3,07-08],c) into *v; returns the
 * count, or -1 when it is not one.
 */
static int
nodes_expand(const char *list, char ***v)
{
	char *copy = xstrdup(list), *p = copy, *q;
	int n = 0, depth;

	*v = NULL;
	while (*p != '\0') {
		for (q = p, depth = 0; *q != '\0' && (*q != ',' || depth);
		    q++)
			depth += *q == '[' ? 1 : *q == ']' ? -1 : 0;
		if (*q == ',')
			*q++ = '\0';
		if (*p == '\0' || nodes_item(p, v, &n) == -1) {
			n = -1;
			break;
		}
		p = q;
	}
	free(copy);
	return n;
}

/*
 * Fills tasks[0..n) from a Slurm per-node count list (2(x3),1); returns
 * 0, or -1 when it does not fit n nodes.
 */
static int
tasks_expand(const char *s, int *tasks, int n)
{
	unsigned long c, r;
	char *e;
	int i = 0;

	while (*s != '\0') {
		c = strtoul(s, &e, 10);
		if (e == s || c == 0 || c > INT_MAX)
			return -1;
		r = 1;
		if (strncmp(e, "(x", 2) == 0) {
			r = strtoul(e + 2, &e, 10);
			if (*e++ != ')' || r == 0)
				return -1;
		}
		for (; r > 0; r--) {
			if (i >= n)
				return -1;
			tasks[i++] = (int)c;
		}
		if (*e == ',')
			e++;
		else if (*e != '\0')
			return -1;
		s = e;
	}
	return i == n ? 0 : -1;
}

/* A Slurm program, or a one-line error: parx cannot run jobs. */
static char *
slurm_program(const char *name)
{
	char *p = spawn_path(name);

	if (p == NULL)
		errx(255, "--slurm: %s is not in PATH (is Slurm installed?)",
		    name);
	return p;
}

/* The nodes of the allocation and their tasks: the hosts. */
static void
slurm_hosts(void)
{
	const char *list, *tpn, *nt;
	char **nodes;
	int n, i, *tasks;
	struct slnode *sn;

	if ((list = getenv("SLURM_JOB_NODELIST")) == NULL &&
	    (list = getenv("SLURM_NODELIST")) == NULL)
		errx(255, "--slurm: SLURM_JOB_NODELIST is not set");
	if ((n = nodes_expand(list, &nodes)) <= 0)
		errx(255, "--slurm: cannot read the node list '%s'", list);
	tasks = xcalloc(n, sizeof(*tasks));
	tpn = getenv("SLURM_TASKS_PER_NODE");
	if (tpn == NULL || tasks_expand(tpn, tasks, n) == -1) {
		/* Only the total is known: it goes to the first node. */
		nt = getenv("SLURM_NTASKS");
		for (i = 0; i < n; i++)
			tasks[i] = 1;
		if (nt != NULL && atoi(nt) > n)
			tasks[0] += atoi(nt) - n;
	}
	for (i = 0; i < n; i++) {
		sn = xcalloc(1, sizeof(*sn));
		sn->tasks = tasks[i];
		host_add(nodes[i], &exec_slurm, 0, sn);
		free(nodes[i]);
	}
	free(nodes);
	free(tasks);
}

/*
 * A step of --slurm-cpus C must fit a node of the allocation, or srun
 * would fail every job (quietly: see the top).
 */
static void
slurm_cpus_check(void)
{
	const char *s = getenv("SLURM_JOB_CPUS_PER_NODE");
	int cpus[64], n, i, max = 0;

	if (s == NULL)
		return;
	for (n = 1; n < 64 && tasks_expand(s, cpus, n) == -1; n++)
		;
	if (n == 64)
		return;
	for (i = 0; i < n; i++)
		if (cpus[i] > max)
			max = cpus[i];
	if (opts.slurm_cpus > max)
		errx(255, "--slurm-cpus %d: the allocation has at most %d "
		    "CPU%s on a node", opts.slurm_cpus, max, max == 1 ? "" :
		    "s");
}

/* Main thread, before anything runs: --slurm and the allocation. */
void
slurm_init(void)
{
	if (opts.dry_run)
		return;		/* the commands are printed, not run */
	sl.jobid = getenv("SLURM_JOB_ID");
	if (sl.jobid == NULL || *sl.jobid == '\0')
		errx(255, "--slurm: not inside a Slurm allocation "
		    "(SLURM_JOB_ID is not set): run parx under salloc or in "
		    "an sbatch script");
	sl.srun = slurm_program("srun");
	sl.squeue = slurm_program("squeue");
	sl.scancel = slurm_program("scancel");
	snprintf(sl.cpus, sizeof(sl.cpus), "-c%d", opts.slurm_cpus);
	snprintf(sl.prefix, sizeof(sl.prefix), "parx.%ld.", (long)getpid());
	exec_register(&exec_slurm);
	slurm_hosts();
	slurm_cpus_check();
}

/* Runs argv (NULL-terminated) as a helper; its status, -2 if stopped. */
static int
slurm_ask(const char **argv, struct helper *hp, int stoppable)
{
	memset(hp, 0, sizeof(*hp));
	hp->argv = (char **)argv;
	if (helper_run(hp, 1, ASK_TIMEOUT, stoppable) == -1)
		return -2;
	return hp->status;
}

/*
 * Main thread, before hosts are set up: Slurm must answer about the
 * allocation, else nothing runs.
 */
static void
slurm_start(void)
{
	const char *argv[] = { sl.squeue, "-h", "-j", sl.jobid, "-o", "%T",
	    NULL };
	struct helper hp;
	char *why;
	int rc;

	rc = slurm_ask(argv, &hp, 1);
	if (rc == -2)
		exit(stop_status(0));
	if (rc != 0 || hp.out.s == NULL || (strncmp(hp.out.s, "RUNNING", 7)
	    != 0 && strncmp(hp.out.s, "COMPLETING", 10) != 0)) {
		why = rc != 0 ? helper_why(&hp) : xstrdup(hp.out.s == NULL ||
		    hp.out.len == 0 ? "not known" : hp.out.s);
		why[strcspn(why, "\n")] = '\0';
		errx(255, "--slurm: Slurm does not answer for job %s (%s)",
		    sl.jobid, why);
	}
	helper_free(&hp);
}

/* A host is a node: its CPUs, for -j, are the allocation's tasks there. */
static int
slurm_setup(struct host *h, char **why)
{
	const struct slnode *sn = h->priv;

	(void)why;
	h->ncpu = sn->tasks;
	return 0;
}

static void
word(struct argv *av, const char *s)
{
	argv_word_begin(av);
	argv_word_add(av, s, strlen(s));
	argv_word_end(av);
}

/* The attempt's command: srun running the job's argv as a step. */
static int
slurm_command(struct exec_ctx *x, struct job *j, struct host *h,
    struct attempt *at)
{
	static const char *const fixed[] = { "--exact", "-n1", "-N1", "-Q",
	    "-Q", "--quit-on-interrupt", "--input=none" };
	size_t i;

	snprintf(x->id, sizeof(x->id), "%s%u", sl.prefix,
	    __atomic_add_fetch(&sl.ids, 1, __ATOMIC_RELAXED));
	argv_reset(&x->av);
	word(&x->av, sl.srun);
	for (i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		word(&x->av, fixed[i]);
	word(&x->av, sl.cpus);
	word(&x->av, "-w");
	word(&x->av, h->login);
	word(&x->av, "-J");
	word(&x->av, x->id);
	word(&x->av, "--");
	for (i = 0; at->argv[i] != NULL; i++)
		word(&x->av, at->argv[i]);
	at->argv = argv_finish(&x->av);
	(void)j;
	return ATT_OK;
}

/* The step named x->id, as JOB.STEP into buf; 0 if there is none. */
static int
step_find(struct exec_ctx *x, char *buf, size_t size)
{
	const char *argv[] = { sl.squeue, "-h", "--steps", "-j", sl.jobid,
	    "-o", "%i %j", NULL };
	struct helper hp;
	char *line, *sp, *save = NULL;
	int found = 0;

	if (slurm_ask(argv, &hp, 0) != 0 || hp.out.s == NULL) {
		helper_free(&hp);
		return 0;
	}
	for (line = strtok_r(hp.out.s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		if ((sp = strchr(line, ' ')) != NULL &&
		    strcmp(sp + 1, x->id) == 0 && (size_t)(sp - line) < size) {
			memcpy(buf, line, (size_t)(sp - line));
			buf[sp - line] = '\0';
			found = 1;
			break;
		}
	helper_free(&hp);
	return found;
}

/*
 * The attempt was signalled: its step must not outlive it.  Cancels it
 * if it is still there, and waits until Slurm says it is gone.
 */
static void
step_reap(struct exec_ctx *x, struct job *j)
{
	const char *argv[] = { sl.scancel, "-Q", NULL, NULL };
	struct helper hp;
	char step[64];
	double end = clock_mono() + GONE_TIMEOUT, wait = GONE_FIRST;
	int cancelled = 0;

	while (step_find(x, step, sizeof(step))) {
		if (!cancelled) {
			argv[2] = step;
			(void)slurm_ask(argv, &hp, 0);
			helper_free(&hp);
			cancelled = 1;
		}
		if (clock_mono() >= end) {
			job_errorf(j, "job %llu: step %s was cancelled but "
			    "is still there", j->seq, step);
			return;
		}
		(void)poll(NULL, 0, (int)(wait * 1000));
		if ((wait *= 2) > GONE_MAX)
			wait = GONE_MAX;
	}
}

/*
 * After the attempt: a step that parx signalled, or whose srun was
 * killed, is made sure to be gone.
 */
static int
slurm_after(struct exec_ctx *x, struct job *j, struct host *h,
    struct attempt *at)
{
	(void)h;
	(void)at;
	if (j->timed_out || j->interrupted || j->termsig != 0 ||
	    stop_signal() != 0)
		step_reap(x, j);
	return ATT_OK;
}

static void
slurm_teardown(struct host *h)
{
	free(h->priv);
	h->priv = NULL;
}

static void
slurm_finish(void)
{
	free(sl.srun);
	free(sl.squeue);
	free(sl.scancel);
	sl.srun = sl.squeue = sl.scancel = NULL;
}

static const struct executor exec_slurm = {
	.name = "slurm",
	.remote = 1,
	.start = slurm_start,
	.setup = slurm_setup,
	.command = slurm_command,
	.after = slurm_after,
	.teardown = slurm_teardown,
	.finish = slurm_finish
};
