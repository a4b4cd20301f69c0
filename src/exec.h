/*
 * exec.h - the executor seam: what exec.c (hosts, slots, the local
 * executor) shares with the executors that run jobs elsewhere
 * (exec_ssh.c; a Slurm executor would be one more).  exec.c's opening
 * comment says how the parts fit.
 */
#ifndef PARX_EXEC_H
#define PARX_EXEC_H

#include "parx.h"

/* Where a host stands; exec.c moves it, under its lock. */
enum hstate {
	H_UP,		/* in the rotation */
	H_SUSPECT,	/* a job found it unreachable: set it up again first */
	H_DOWN,		/* setting it up failed: tried again after back-off */
	H_SETUP		/* a thread sets it up now */
};

/* What an executor's hook says. */
enum {
	ATT_OK,		/* go on */
	ATT_FAIL,	/* the job failed (the hook said why): no attempt */
	ATT_HOST,	/* the host failed, not the job: it runs elsewhere */
	ATT_STOP	/* parx is stopping: the job did not run */
};

struct executor;

/*
 * A place jobs run: a machine reached over ssh, this machine (":"), or
 * whatever an executor makes of it.  Hosts live until exec_finish.
 */
struct host {
	/* Set when the host is made, then only read. */
	char			*login;		/* as written, for logs */
	const struct executor	*ex;
	void			*priv;		/* the executor's */
	int			 given;		/* slots from N/LOGIN, or 0 */
	int			 index;		/* place in the list */
	int			 pinned;	/* on the command line */
	/* Written by setup while in H_SETUP; read once the host is up. */
	int			 ncpu;
	/* Under exec.c's lock. */
	enum hstate		 state;
	int			 listed;	/* 0: dropped from --slf */
	int			 slots;		/* jobs at once (0 until set up) */
	int			 running;
	unsigned char		*used;		/* used[s]: slot s is taken */
	int			 nused;
	double			 retry_at;	/* clock_mono */
	double			 backoff;
	char			*why;		/* why it is out of use */
	struct host		*next;
};

/*
 * One way of running jobs.  Every hook may be NULL (nothing to do).
 * setup, before, command and after run in the worker thread of the job
 * (setup also in exec_start's threads); none may block on a lock of
 * exec.c.  A hook that has a reason to give sets ctx->why (malloc'd).
 */
struct executor {
	const char *name;
	/*
	 * Its jobs run on another machine: the local process (ssh, srun)
	 * is a proxy, and its rusage is not the job's (JSON log: null).
	 */
	int	 remote;
	/* Once, in the main thread, before hosts are first set up. */
	void	(*start)(void);
	/*
	 * Reaches h and learns what jobs need (h->ncpu...); returns 0, or
	 * -1 with *why (malloc'd).  No job runs on h meanwhile.
	 */
	int	(*setup)(struct host *h, char **why);
	/* Before the attempt (files to the host): an ATT_ value. */
	int	(*before)(struct exec_ctx *, struct job *, struct host *);
	/*
	 * Makes the local command of the attempt from the job's argv and
	 * envp, already in *at: ATT_OK or ATT_FAIL.
	 */
	int	(*command)(struct exec_ctx *, struct job *, struct host *,
		    struct attempt *at);
	/*
	 * After run_attempt: judges the outcome (ATT_HOST: the host
	 * failed, the job did not), brings results back, cleans up.
	 */
	int	(*after)(struct exec_ctx *, struct job *, struct host *,
		    struct attempt *at);
	/* End of the run, no job running: close connections. */
	void	(*teardown)(struct host *h);
	/* Once, at the very end (also after --dry-run, when nothing ran). */
	void	(*finish)(void);
};

/* A worker's own: scratch space for executors, reused by every job. */
struct exec_ctx {
	struct host	*last;		/* the job's last attempt ran there */
	int		 hslot;		/* the host's slot this attempt has */
	char		*why;		/* ATT_HOST: why (malloc'd) */
	struct argv	 av;		/* the local command */
	struct argv	 hv;		/* a helper's command */
	struct argv	 tv;		/* an expanded template */
	struct strbuf	 sb[4];
	char		 id[48];	/* names the attempt on the host */
};

extern const struct executor exec_local;

/* exec.c: the hosts, for executors. */
void	 exec_register(const struct executor *);
struct host *host_add(const char *login, const struct executor *,
	    int given, void *priv);
struct host *host_find(const char *login);
void	 host_unlist(struct host *);
void	 hosts_lock(void);
void	 hosts_unlock(void);
void	 hosts_each(void (*)(struct host *, void *), void *);
int	 host_slots(const struct host *);
int	 host_group(const struct exec_ctx *, int per);
void	 host_msg(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 exec_refresh_hook(void (*)(void));
size_t	 exec_last_line(const struct outbuf *, char *, size_t);

/*
 * Commands an executor runs for itself (probes, copies, clean-ups):
 * several at once, their output captured, a deadline, and parx's stops
 * obeyed.
 */
struct helper {
	char		**argv;		/* the caller's */
	pid_t		  pid;
	int		  fd[2];	/* its stdout and stderr */
	int		  pidfd;
	struct strbuf	  out;		/* stdout, up to HELPER_OUTMAX */
	struct strbuf	  err;		/* the end of its stderr */
	int		  status;	/* exit status, 128+S, or -1 */
	int		  reaped;
};

#define HELPER_OUTMAX	(64 * 1024)

int	 helper_run(struct helper *, int n, double timeout, int stoppable);
void	 helper_free(struct helper *);
char	*helper_why(struct helper *);

/* exec_ssh.c */
void	 ssh_init(void);
int	 split_words(const char *, char ***, int *);

/* exec_slurm.c */
void	 slurm_init(void);

#endif /* PARX_EXEC_H */
