/*
 * parx.h - the types and functions the components of parx share.
 *
 * parx is a pipeline of threads:
 *
 *   reader ──► bounded job queue ──► N worker threads ──► collector ──► stdout
 *   (reader.c,  (queue.c)            (worker.c, run.c,     (collect.c)
 *    pipe.c)                          spawn.c, sink.c)
 *
 * With --pipe the reader cuts the input into blocks (pipe.c) and each job
 * carries its block (block.c) to the worker, which feeds it to the job's
 * stdin from its poll loop (run.c).
 *
 * A job is born in the reader, belongs to the queue while queued, to one
 * worker while it runs and to the collector once finished; the collector
 * frees it.  Options live in one struct filled by main before any thread
 * starts and never written after.
 */
#ifndef PARX_H
#define PARX_H

#include <sys/resource.h>
#include <sys/types.h>

#include <pthread.h>
#include <regex.h>
#include <stddef.h>

/* PARX_VERSION ("X.Y.Z") comes from the file VERSION, through the Makefile. */

struct job;
struct tmpl;

/* A growable byte string. */
struct strbuf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void	 sb_grow(struct strbuf *, size_t);
void	 sb_add(struct strbuf *, const void *, size_t);
void	 sb_addc(struct strbuf *, int);
void	 sb_adds(struct strbuf *, const char *);
void	 sb_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 sb_free(struct strbuf *);

/* An argv built from words appended one after the other; reused per job. */
struct argv {
	struct strbuf	  sb;		/* the words, each NUL-terminated */
	size_t		 *off;		/* offset of each word in sb */
	char		**v;		/* pointers, valid after argv_finish */
	int		  n;
	int		  cap;
};

void	 argv_reset(struct argv *);
void	 argv_word_begin(struct argv *);	/* start a new word */
void	 argv_word_add(struct argv *, const char *, size_t);
void	 argv_word_end(struct argv *);
char	**argv_finish(struct argv *);	/* NULL-terminated vector */
void	 argv_free(struct argv *);

/* Where items come from. */
enum srctype { SRC_STDIN, SRC_FILE, SRC_WORDS };

struct source {
	enum srctype	  type;
	const char	 *path;		/* SRC_FILE */
	char		**words;	/* SRC_WORDS */
	int		  nwords;
	int		  linked;	/* :::+ ::::+, linked to the previous */
};

enum outmode { OUT_GROUP, OUT_LINE, OUT_UNGROUP };

enum haltwhen { HALT_NEVER, HALT_SOON, HALT_NOW };
enum haltwhat { HALT_SUCCESS, HALT_FAIL, HALT_DONE };

/* --pipe: stdin is data cut into blocks; --pipe-part: so is a file. */
enum pipemode { PIPE_NONE, PIPE_STREAM, PIPE_PART };

enum resfmt { RES_DIR, RES_JSON, RES_CSV, RES_TSV };

struct halt {
	enum haltwhen	 when;
	int		 on_fail;	/* enum haltwhat: fail=, success=, done= */
	double		 n;		/* count, or percentage */
	int		 percent;
	const char	*spec;		/* as given, for messages */
};

/* --retry-on: the outcomes of a failed attempt that are retried. */
struct retryon {
	unsigned char	 code[256 / 8];	/* exit statuses, a bit each */
	int		 timeout;
	int		 signal;
	int		 nostart;
};
/* -X, -m: how many items a job takes. */
enum packmode { PACK_NONE, PACK_JOIN, PACK_CONTEXT };

struct opts {
	/* input */
	int		 delim;		/* item terminator byte */
	struct source	*sources;
	int		 nsources;
	int		 link;
	int		 maxargs;	/* -n, -L; 0 when not given */
	int		 has_colsep;
	regex_t		 colsep;
	/* --pipe, --pipe-part */
	enum pipemode	 pipe;
	long long	 block;		/* bytes; < 0: parts per job slot */
	char		*recend;	/* record end, recendlen bytes */
	size_t		 recendlen;
	char		*recstart;	/* record start */
	size_t		 recstartlen;
	long		 nrec;		/* -N: records per block, or 0 */
	long		 header;	/* records repeated atop each block; without
					   --pipe, 1: the first names columns */
	int		 roundrobin;
	int		 cat;		/* {} is a file holding the block */
	int		 fifo;		/* {} is a named pipe fed the block */
	const char	*eof_str;	/* -E */
	int		 shuf;
	enum packmode	 pack;		/* -m, -X */
	long		 maxchars;	/* -s; 0 when not given */
	/* the command */
	char		**cmd;		/* template words */
	int		 ncmd;
	const char	*replace;	/* -I STR, or NULL */
	const char	*script;	/* -c SCRIPT, or NULL */
	const char	*shell;		/* $PARX_SHELL or /bin/sh */
	int		 nocommand;	/* each item is a command line */
	/* running */
	int		 jobs;
	double		 timeout;	/* seconds, 0 = none */
	double		 timeout_pct;	/* --timeout N%: N / 100, or 0 */
	int		 retries;
	struct halt	 halt;
	double		 delay;
	int		 dry_run;
	int		 verbose;
	const char	*joblog;	/* "-": stdout */
	int		 joblog_json;	/* JSON lines, not GNU's TSV */
	int		 resume;
	int		 resume_failed;
	int		 retry_failed;
	int		 bar;
	/* resources (parx.1, RESOURCES); 0 when not asked for */
	double		 load;		/* --load: start below this load */
	unsigned long long memfree;	/* --memfree: bytes */
	int		 has_nice;
	int		 nice;
	unsigned long long limit_mem;	/* --limit-mem: bytes */
	long		 limit_cpu;	/* --limit-cpu: seconds */
	long		 limit_files;
	double		 retry_delay;	/* --retry-delay D[,MAX] */
	double		 retry_max;
	struct retryon	*retry_on;	/* --retry-on, or NULL: any failure */
	const char	*timeline;	/* --timeline FILE, or NULL */
	int		 summary;	/* list failed jobs at the end */
	/* output */
	enum outmode	 outmode;
	int		 keep_order;
	int		 tag;
	const char	*tagstring;
	const char	*tmpdir;
	/* many machines (exec.c, exec_ssh.c) */
	const char	*jobs_arg;	/* -j as given: applied per host */
	char		**logins;	/* -S arguments, LOGIN[,LOGIN...] */
	int		 nlogins;
	const char	*slf;		/* --slf FILE */
	const char	*ssh;		/* --ssh CMD */
	char		**envs;		/* --env VAR */
	int		 nenvs;
	const char	*workdir;
	char		**transfers;	/* --transferfile, --trc: templates */
	int		 ntransfers;
	char		**returns;	/* --return, --trc: templates */
	int		 nreturns;
	char		**basefiles;
	int		 nbasefiles;
	int		 cleanup;
	const char	*results;	/* --results DIR or FILE, or NULL */
	enum resfmt	 results_fmt;
	/* Slurm (exec_slurm.c) */
	int		 slurm;		/* --slurm: jobs are job steps */
	int		 slurm_cpus;	/* --slurm-cpus C */
	int		 slurm_submit;	/* --slurm-submit: an array job */
	const char	*slurm_opts;	/* --slurm-opts: sbatch's */
	const char	*slurm_dir;	/* --slurm-dir DIR */
	int		 slurm_chunk;	/* --slurm-chunk N: jobs per task */
	int		 slurm_keep;	/* --slurm-keep */
};

extern struct opts opts;

/* options.c: parsing helpers, also used by the fuzz harnesses. */
int	 parse_duration(const char *, double *);
int	 parse_jobs(const char *, int ncpu, int *);
int	 parse_halt(const char *, struct halt *);
int	 parse_delim(const char *, int *);
int	 parse_count(const char *, long min, long max, long *);
int	 parse_size(const char *, long long *);
int	 parse_escapes(const char *, char **, size_t *);
int	 parse_memsize(const char *, unsigned long long *);
int	 parse_load(const char *, int ncpu, double *);
int	 parse_retry_delay(const char *, double *, double *);
int	 parse_retry_on(const char *, struct retryon *);
void	 options_parse(int, char **);
void	 options_usage(void);
void	 usage_error(const char *, ...) __attribute__((noreturn,
	    format(printf, 1, 2)));

/* Output of one stream of one job: memory up to a limit, then a file. */
struct outbuf {
	char	*mem;		/* the head: bytes before any file */
	size_t	 memlen;
	size_t	 memcap;
	int	 fd;		/* unlinked spill file, or -1 */
	off_t	 filelen;	/* bytes in the spill file */
	off_t	 fileoff;	/* where they start in it */
	char	*tail;		/* bytes after the file, once it failed */
	size_t	 taillen;
	size_t	 tailcap;
	size_t	 total;		/* memlen + filelen + taillen */
	size_t	 head;		/* bytes at the front already printed */
	int	 err;		/* errno of a failed spill, or 0 */
	int	 shared;	/* fd is the collector's, not ours */
	int	 keep;		/* --results: OUTBUF_KEEP, OUTBUF_WHOLE */
};

/* A contiguous piece of an outbuf: in memory, or in a file. */
struct piece {
	const char	*p;
	int		 fd;
	off_t		 off;
	size_t		 len;
};

#define OUTBUF_MEMMAX	(64 * 1024)
#define OUTBUF_KEEP	1	/* printed bytes stay, from offset 0 on */
#define OUTBUF_WHOLE	2	/* ... and a spill file holds them all */

void	 outbuf_init(struct outbuf *);
ssize_t	 outbuf_fill(struct outbuf *, int fd);	/* one read from fd */
void	 outbuf_add(struct outbuf *, const void *, size_t);
size_t	 outbuf_piece(const struct outbuf *, size_t at, struct piece *);
ssize_t	 outbuf_read(const struct outbuf *, size_t at, char *, size_t);
void	 outbuf_consume(struct outbuf *, size_t);
int	 outbuf_write(struct outbuf *, int fd);	/* what is left, to fd */
int	 outbuf_move(struct outbuf *, int fd, off_t *end);
void	 outbuf_shrink(struct outbuf *);
int	 outbuf_whole_file(const struct outbuf *);
void	 outbuf_unkeep(struct outbuf *);
void	 outbuf_free(struct outbuf *);
int	 tmpfile_open(void);

#define outbuf_left(ob)	((ob)->total - (ob)->head)

/*
 * sink.c: where one stream of a running job goes.  The mode is chosen
 * once per run (group, line); a group sink may pass its job's output
 * through live when nothing can come between (see sink.c).
 */
struct sink {
	struct outbuf		 buf;	/* received, not printed yet */
	struct strbuf		 pend;	/* tagged bytes on their way out */
	size_t			 pendoff;
	unsigned long long	 bytes;	/* received from the job */
	size_t			 nl;	/* just past the last newline in buf */
	int			 stream;	/* 0 stdout, 1 stderr */
	int			 live;	/* holds the output stream */
	int			 bol;	/* output is at a line start */
	int			 blocked;	/* the output is full */
	int			 eof;
};

/* Which limit ended a job (struct job's limit). */
enum joblimit { LIMIT_NONE, LIMIT_CPU };
/*
 * block.c: a block of --pipe input.  In memory (a stream on stdin), or a
 * byte range of the input file (--pipe-part, or a regular file on stdin),
 * which is never copied through parx.
 */
struct block {
	char		*mem;		/* the bytes, or NULL: a file range */
	size_t		 cap;		/* bytes mapped at mem */
	size_t		 len;
	off_t		 off;		/* file range: where it starts */
	size_t		 touched;	/* bytes of mem written since mapped */
	int		 pooled;	/* mem is a pool buffer */
	int		 spliced;	/* its pages went out by reference */
	struct block	*next;		/* the pool's free list */
};

void	 block_init(int fd, int nbufs, size_t cap);
struct block *block_get(void);		/* a memory block; NULL: stopping */
int	 block_grow(struct block *, size_t need);
struct block *block_range(off_t off, size_t len);
void	 block_free(struct block *);
ssize_t	 block_give(struct block *, size_t at, int fd);
int	 block_write(const struct block *, int fd);
void	 block_rr_join(void);
int	 block_rr_put(struct block *);
struct block *block_rr_take(int wakefd, int *end);
void	 block_rr_end(void);
void	 block_rr_quit(int wakefd);
void	 block_stop(void);

/* A job: its items, and what happened when it ran. */
struct job {
	unsigned long long	 seq;	/* {#}, 1-based, input order */
	int			 nitems;
	char			**items;	/* whole items, NUL-terminated */
	size_t			*lens;
	int			 ncols;		/* positional values: items, */
	char			**cols;		/* or their columns (--colsep) */
	size_t			*collens;
	int			 has_nul;	/* an item contains a NUL byte */
	struct block		*block;		/* --pipe: its input */
	int			 rr;		/* --round-robin: takes more */
	int			 toolong;	/* its item alone exceeds -s */

	/* Filled in by the worker. */
	int			 slot;
	int			 skip;		/* done in a resumed log */
	int			 status;	/* exit status, or -1 */
	int			 termsig;	/* signal that ended it, or 0 */
	int			 timed_out;
	int			 interrupted;	/* by a signal to parx, halt */
	int			 failed;	/* counts as failed */
	int			 nostart;	/* the last attempt could not start */
	int			 attempts;	/* attempts started (--retries) */
	double			 start;		/* Unix time */
	double			 runtime;
	enum joblimit		 limit;		/* a limit ended it */
	double			 timeout;	/* the --timeout it had, in s */
	int			 requeue;	/* --memfree killed it: again */
	double			 not_before;	/* requeued: start (clock_mono) */
	unsigned long long	 sent;		/* bytes given to its input */
	long			 maxrss_kb;	/* wait4's rusage */
	double			 user_cpu;
	double			 sys_cpu;
	char			*errmsg;	/* "parx: ..." lines for stderr */
	char			*cmdline;	/* shell-quoted, for -t */
	char			*logcmd;	/* the logs' Command */
	char			*logline;	/* --joblog -: printed after */
	char			*argvbuf;	/* JSON log: argv, each word */
	size_t			 argvlen;	/* NUL-terminated */
	char			*tag;		/* --tag, --tagstring prefix */
	size_t			 taglen;
	const char		*host;		/* where it ran: NULL here */
	int			 remote;	/* no rusage of its own here */
	struct sink		 sink[2];	/* stdout, stderr */

	/* output.c's, under its lock: waiting for an output stream. */
	int			 wakefd;	/* the worker's eventfd */
	int			 waiting;
	struct job		*wnext;

	struct job		*next;		/* collector's lists */
};

struct job *job_new(unsigned long long seq, char **items, size_t *lens,
	    int n);
void	 job_errorf(struct job *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 job_failed(struct job *, int status);
void	 job_reset(struct job *);
void	 job_input_free(struct job *);
void	 job_free(struct job *);

/* queue.c: the bounded job queue. */
void	 queue_init(size_t cap);
int	 queue_push(struct job *);	/* -1 when closed */
struct job *queue_pop(double *start_at, int done);
int	 queue_requeue(struct job *);
double	 queue_next_due(void);
double	 queue_delay_next(void);	/* --delay: the next start time */
void	 queue_close(void);
void	 queue_drain(void);		/* free what is left */

/* reader.c */
extern unsigned long long jobs_total;	/* {##}: set before any job runs */
void	 reader_init(void);
void	 reader_names(char ***, int *);
int	 reader_start(const struct tmpl *);

/* shell.c: speaking to /bin/sh. */
enum shctx { SH_UNQ, SH_SQ, SH_DQ, SH_ANSI, SH_ARITH, SH_COMMENT, SH_DOC,
    SH_DOCRAW };

/* Where in a -c script a value goes. */
struct shpos {
	unsigned char	 ctx;		/* enum shctx */
	unsigned char	 bq;		/* `...` around it */
	unsigned char	 esc;		/* right after a backslash */
	unsigned char	 dollar;	/* right after a $ */
	unsigned char	 dash;		/* here-document of <<- */
	unsigned char	 bol;		/* only tabs before it on its line */
	unsigned char	 param;		/* inside ${...}: } ends it */
	unsigned char	 nested_doc;	/* in $( ) etc. inside one */
	const char	*delim;		/* here-document delimiter */
	size_t		 dlen;
};

void	 shell_quote(struct strbuf *, const char *, size_t);
void	 shell_quote_line(struct strbuf *, const char *, size_t);
void	 sh_unline(struct strbuf *, const char *);
void	 sh_lex(const char *, size_t, const size_t *at, size_t nat,
	    struct shpos *, char **delims);
int	 sh_quote(struct strbuf *, const char *, size_t, const struct shpos *);

/* pipe.c: --pipe and --pipe-part, the reader's side. */
void	 pipe_init(void);
unsigned long long pipe_read(void);
struct block *pipe_header(void);
const char *pipe_input_name(void);
void	 pipe_input_failed(void);
int	 pipe_failed(void);
void	 pipe_cleanup(void);
void	 reader_records(const char *path);	/* --slurm-task */

/* template.c: the command template. */
struct tmpl;

struct tmpl_args {
	char		**words;	/* COMMAND ARG... */
	int		  nwords;
	const char	 *replace;	/* -I STR */
	const char	 *script;	/* -c SCRIPT */
	const char	 *shell;
	char *const	 *names;	/* --header: column names, from {1} */
	int		  nnames;
	int		  repeat;	/* -X: words with {} once per item */
	int		  string;	/* one string, nothing appended */
	int		  fromlog;	/* --retry-failed */
};

/* A job being packed by -X or -m (tmpl_pack_add). */
struct pack {
	size_t		 chars;		/* bytes, as -s counts them */
	size_t		 ptrs;
	size_t		 maxv;		/* the longest value */
	size_t		 n;		/* items */
	size_t		 last;		/* chars after the last add */
	size_t		*wlen;		/* words that join the items */
	size_t		*wadd;
	size_t		 lim_chars, lim_sys, lim_word;
	struct strbuf	 scratch;
};

struct tmpl *tmpl_new(const struct tmpl_args *);
struct tmpl *tmpl_new_string(const char *, char *const *names, int nnames);
int	 tmpl_expand(const struct tmpl *, const struct job *, int slot,
	    struct argv *);
void	 tmpl_cmdline(const struct tmpl *, char **argv, struct strbuf *);
void	 tmpl_logline(const struct tmpl *, const struct job *, char **argv,
	    struct strbuf *);
int	 tmpl_has_repl(const struct tmpl *);
int	 tmpl_has_total(const struct tmpl *);
const char *tmpl_const_prog(const struct tmpl *);
void	 tmpl_free(struct tmpl *);
void	 tmpl_pack_init(const struct tmpl *, struct pack *, long maxchars);
void	 tmpl_pack_reset(const struct tmpl *, struct pack *);
int	 tmpl_pack_add(const struct tmpl *, struct pack *, const char *,
	    size_t);
size_t	 tmpl_pack_chars(const struct tmpl *, const char *, size_t);
void	 tmpl_pack_free(struct pack *);

/* spawn.c */
void	 spawn_init(const char *prog);
int	 spawn_job(char **argv, char **envp, int fd_in, int fd_out,
	    int fd_err, pid_t *pid);
char	*spawn_path(const char *name);
int	 spawn_error(struct job *, int err, const char *name);
void	 spawn_restore_nofile(rlim_t);
void	 spawn_limits(void);

/* io.c: one EINTR and EAGAIN policy for every descriptor; the clocks. */
void	 io_set_cancel(int fd);
int	 io_wait(int fd, short events);
ssize_t	 io_read(int fd, void *, size_t);
ssize_t	 io_pread(int fd, void *, size_t, off_t);
ssize_t	 io_write_some(int fd, const void *, size_t);
int	 io_write_all(int fd, const void *, size_t);
int	 io_pwrite_all(int fd, const void *, size_t, off_t);
ssize_t	 io_copy_some(int from, off_t *off, size_t n, int to);
int	 io_copy_all(int from, off_t off, off_t n, int to);
int	 io_poll_timeout(double at);
double	 clock_mono(void);
double	 clock_wall(void);

/* output.c: parx's stdout and stderr, and who may write to them. */
void	 output_init(void (*wake_collector)(void), size_t window);
int	 output_watch_fd(void);
int	 output_closed(int stream);
void	 output_failed(int stream, int err);
void	 output_abandon(void);
int	 output_take(struct job *, int stream);
void	 output_give(struct job *, int stream);
void	 output_unwait(struct job *);
ssize_t	 output_write_some(int stream, const void *, size_t);
ssize_t	 output_copy_some(int stream, int fd, off_t *off, size_t n);
ssize_t	 output_splice_some(int stream, int fd);
int	 output_fd(int stream);
void	 output_defer(void);
int	 output_print(struct job *, int queued);
void	 output_msg(const char *, size_t);
void	 output_msgf(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 tag_lines(struct strbuf *, const struct job *, const char *,
	    size_t, int *bol);

/* sink.c */
void	 sink_init(int nworkers);
void	 sink_start(struct job *);
ssize_t	 sink_feed(struct job *, int stream, int fd, char *scratch,
	    int final);
void	 sink_push(struct job *, int stream);
void	 sink_eof(struct job *, int stream);
void	 sink_finish(struct job *);
int	 sink_reads(const struct job *, int stream);
int	 sink_pending(const struct job *);

/*
 * One attempt of a job as run.c runs it: the local command, made by the
 * executor that runs the job (exec.c).
 */
struct attempt {
	char	**argv;
	char	**envp;
	int	  fd_in;	/* the command's stdin; -1: /dev/null */
	/*
	 * Ends the command with a signal some other way than killpg (a
	 * remote job: exec_ssh.c); returns -1 to have run.c use killpg.
	 * NULL: killpg.  Never asked to deliver SIGKILL.
	 */
	int	(*end)(struct attempt *, int sig);
	int	  fd;		/* the executor's */
};

/* resource.c: --load and --memfree. */
struct resrun {
	struct resrun	*prev;
	struct resrun	*next;
	int		 wakefd;	/* its worker's */
	int		 asked;		/* to go: 1, and 2 once seen */
};

int	 res_start(void);
int	 res_gate(void);
void	 res_run_start(struct resrun *, int wakefd);
void	 res_run_end(struct resrun *);
int	 res_run_killed(struct resrun *);

/* run.c: one attempt of a job, from spawn to reaped. */
void	 run_init(void);
void	 run_attempt(struct job *, struct attempt *, char *scratch,
	    int wakefd);

/*
 * exec.c: which executor runs a job, and where (the seam that local, ssh
 * and Slurm jobs share; see exec.c).
 */
struct exec_ctx;
enum { EXEC_RAN, EXEC_REQUEUE, EXEC_FINAL };

void	 exec_init(void);
int	 exec_hosts(void);		/* jobs go to hosts (-S, --slf) */
void	 exec_start(void);
struct exec_ctx *exec_ctx_new(void);
void	 exec_ctx_free(struct exec_ctx *);
int	 exec_attempt(struct exec_ctx *, struct job *, int attempt,
	    char **argv, char **envp, char *scratch, int wakefd);
void	 exec_wake(void);
void	 exec_finish(void);

/* worker.c */
int	 workers_start(int n, const struct tmpl *cmd, const struct tmpl *tag);
int	 workers_more(int n);
void	 workers_join(void);

/* collect.c: runs in the main thread. */
void	 collect_init(void);
void	 collect_run(void);
void	 collect_put(struct job *);	/* takes ownership */
void	 collect_total(unsigned long long);
void	 collect_read(unsigned long long);	/* jobs read so far */
double	 collect_timeout(void);		/* --timeout N%: seconds, or 0 */
int	 collect_status(void);		/* the jobs' exit status */
int	 collect_window(unsigned long long seq, double until);
void	 collect_wake(void);
void	 collect_worker_done(void);
void	 collect_workers(int);
void	 collect_workers_add(int);
int	 collect_draw(int fd, const char *title);

/* json.c: JSON strings for any bytes (invalid UTF-8 as \udcXX), both ways. */
struct jesc {			/* streaming: a UTF-8 sequence cut short */
	unsigned char	 carry[4];
	int		 n;
};

struct jcur {			/* reading: what is left of a line */
	const char	*p;
	const char	*end;
};

void	 json_str(struct strbuf *, const char *, size_t);
void	 json_esc(struct jesc *, struct strbuf *, const char *, size_t,
	    int last);
void	 json_ws(struct jcur *);
int	 json_lit(struct jcur *, const char *);
int	 json_char(struct jcur *, int);
int	 json_string(struct jcur *, struct strbuf *);
int	 json_uint(struct jcur *, unsigned long long *);
int	 json_int(struct jcur *, int *);
int	 json_skip(struct jcur *, int depth);

/* joblog.c */
struct logent {
	int	 exitval;
	int	 sig;
	char	*cmd;
};

#define JOBLOG_MISMATCH	(-2)	/* the file holds the other format */

int	 joblog_open(const char *path, int load, int append, int json);
int	 joblog_parse_line(const char *line, size_t len,
	    unsigned long long *seq, struct logent *);
int	 joblog_parse_json(const char *line, size_t len,
	    unsigned long long *seq, struct logent *);
const struct logent *joblog_find(unsigned long long seq);
const struct logent *joblog_at(size_t, unsigned long long *seq);
void	 joblog_write(struct job *);
void	 joblog_close(void);

/*
 * timeline.c: the picture of a run as SVG, for --timeline and
 * parx-timeline.  A timeline belongs to one thread.
 */
struct tljob {
	unsigned long long	 seq;
	double			 start;		/* Unix time; 0: not started */
	double			 runtime;
	const char		*host;		/* NULL or ":": this machine */
	size_t			 hostlen;
	int			 slot;		/* 1-based; 0: not known */
	int			 exitval;	/* -1 when a signal ended it */
	int			 sig;		/* 0, or -1: number not known */
	int			 timed_out;
	const char		*cmd;		/* any bytes, or NULL */
	size_t			 cmdlen;
};

struct timeline;
struct timeline *timeline_new(void);
void	 timeline_add(struct timeline *, const struct tljob *);
void	 timeline_add_job(struct timeline *, const struct job *);
size_t	 timeline_count(const struct timeline *);
int	 timeline_signum(const char *);
int	 timeline_write(struct timeline *, int fd, const char *title);
void	 timeline_free(struct timeline *);

/* tlread.c: one line of a job log, for parx-timeline. */
struct tlbufs {				/* decoded JSON strings */
	struct strbuf	 cmd;
	struct strbuf	 host;
	struct strbuf	 key;
	struct strbuf	 sig;
};

int	 tlread_header(const char *, size_t);
int	 tlread_tsv(const char *, size_t, struct tljob *);
int	 tlread_json(const char *, size_t, struct tljob *, struct tlbufs *);
void	 tlbufs_free(struct tlbufs *);
/* results.c: --results DIR or FILE; written by the worker of each job. */
int	 results_open(void);
void	 results_write(struct job *);
int	 results_failed(void);
void	 results_close(void);

/* summary.c: the failed jobs, said at the end; the collector's. */
void	 summary_add(const struct job *);
void	 summary_print(unsigned long long failed, unsigned long long done);

/* bar.c */
void	 bar_init(void);
void	 bar_update(unsigned long long done, unsigned long long failed,
	    unsigned long long total, int total_known);
void	 bar_clear(void);
void	 bar_finish(unsigned long long done, unsigned long long failed,
	    unsigned long long total);

/* stop.c: why parx stops, shared by every thread; the signal thread. */
enum stopwhy { STOP_NONE, STOP_SOON, STOP_NOW, STOP_PIPE, STOP_WRITE,
    STOP_SIGNAL, STOP_FATAL };

void	 stop_init(void);
void	 stop_hook(void (*)(void));
void	 stop_request(enum stopwhy, int sig);
void	 stop_kill(void);
int	 stop_requested(void);		/* no new jobs */
int	 stop_signal(void);		/* signal for running jobs, or 0 */
int	 stop_fd(void);			/* readable once jobs must stop */
int	 kill_fd(void);			/* readable once jobs must die */
int	 stop_status(int);
void	 stop_jc_enter(void);
void	 stop_jc_leave(int stopped);
void	 stop_jc_done(int stopped);
int	 stop_jc_fd(int stopped);
int	 stop_tty_read(int fd);
void	 stop_signals_block(void);
int	 stop_signals_start(void);
int	 stop_sigfd(void);

/* slurm_submit.c: --slurm-submit, and parx in an array task. */
void	 submit_init(void);
int	 submit_run(int argc, char **argv, const struct tmpl *,
	    const struct tmpl *);
int	 submit_packing(void);
void	 submit_pack(struct job *, const char *cmd, const char *tag);
int	 submit_tasking(void);
void	 submit_task_args(int *argc, char ***argv);
void	 submit_task_init(void);
void	 submit_task_read(const char *path, int (*emit)(unsigned long long,
	    char **, size_t *, int));
void	 submit_result(struct job *);
void	 submit_task_end(int rc);

/* main.c */
int	 ncpus(void);

/* util.c */
int	 thread_start(pthread_t *, void *(*)(void *), void *, size_t stack);
void	 fatal(const char *, ...) __attribute__((noreturn,
	    format(printf, 1, 2)));
void	 fatal_errno(int, const char *, ...) __attribute__((noreturn,
	    format(printf, 2, 3)));

/* Pthread calls that fail are bugs: these abort with file and line. */
#define LOCK(m)		xpthread(pthread_mutex_lock(m), __FILE__, __LINE__)
#define UNLOCK(m)	xpthread(pthread_mutex_unlock(m), __FILE__, __LINE__)
#define WAIT(c, m)	xpthread(pthread_cond_wait(c, m), __FILE__, __LINE__)
#define SIGNAL(c)	xpthread(pthread_cond_signal(c), __FILE__, __LINE__)
#define BROADCAST(c)	xpthread(pthread_cond_broadcast(c), __FILE__, __LINE__)
void	 xpthread(int, const char *, int);
void	 cond_init_mono(pthread_cond_t *);
int	 cond_wait_until(pthread_cond_t *, pthread_mutex_t *, double at);
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
char	*xstrdup(const char *);
const char *sig_name(int, char *, size_t);
int	 sig_num(const char *);

#endif /* PARX_H */
