/*
 * results.c - --results: what each job did, kept on disk.
 *
 *   DIR          DIR/SEQ/ holds cmd, stdout, stderr, exitval, signal,
 *                starttime and runtime.  The entry is built as
 *                DIR/.tmp.SEQ.PID and renamed to DIR/SEQ when complete,
 *                so a DIR/SEQ that exists is whole, whatever happens to
 *                parx (kill -9 can leave a .tmp entry, never a partial
 *                SEQ).  An older DIR/SEQ is swapped out atomically
 *                (RENAME_EXCHANGE) and removed.
 *   FILE.jsonl   (or .json) one JSON object per job with GNU parallel's
 *                keys; FILE.csv (RFC 4180, CRLF) and FILE.tsv: a header,
 *                then one record per job, text fields always quoted.
 *
 * Results are written by the worker that ran the job, after its last
 * attempt and before it hands the job to the collector: the worker owns
 * the job's buffers then (kept whole under --results, see outbuf.c), the
 * directory entries of different jobs are written by several workers at
 * once, and the collector, which alone prints, never waits for results
 * I/O.  The records of a FILE go to it one at a time under filelock.
 *
 * Big outputs never pass through memory: into DIR, the job's spill file
 * is linked into place when it holds the whole stream and lives on the
 * same file system, else copied with copy_file_range(2) or sendfile(2);
 * into a FILE, the output is escaped in pieces of CHUNK bytes.  A write
 * that fails (a full disk) leaves nothing half-written under a final
 * name: the temporary entry is removed, a FILE is cut back to its last
 * whole record.  The first failure is reported with its job, and parx
 * then exits 255 (results_failed); the job's output still reaches stdout.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define CHUNK		(64 * 1024)
#define FLUSH_AT	(256 * 1024)

static int dirfd_ = -1;			/* DIR */
static int filefd = -1;			/* FILE */
static off_t fileend;			/* FILE: after the last whole record */
static int seekable;			/* FILE: a regular file */
static pthread_mutex_t filelock = PTHREAD_MUTEX_INITIALIZER;
static struct strbuf rec;		/* FILE: the record, under filelock */
static char *readbuf;			/* FILE: CHUNK bytes, under filelock */
static int nv;				/* CSV, TSV: V columns */
static mode_t filemode;			/* 0666 less the umask */
static long mypid;
static int failed;			/* atomic: reported already */

/* The first failure is said once, after the output of the job it hit. */
static void
report(struct job *j, int err)
{
	if (__atomic_exchange_n(&failed, 1, __ATOMIC_ACQ_REL))
		return;
	job_errorf(j, "--results %s: cannot write job %llu: %s", opts.results,
	    j->seq, strerror(err));
}

int
results_failed(void)
{
	return __atomic_load_n(&failed, __ATOMIC_ACQUIRE);
}

/* ---------------------------------------------------------------- DIR */

/* Removes name in dir, a file or a tree of them. */
static void
rm_tree(int dir, const char *name, int depth)
{
	struct dirent *de;
	DIR *d;
	int fd;

	if (unlinkat(dir, name, 0) == 0 || errno == ENOENT || depth > 8)
		return;
	fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			rm_tree(dirfd(d), de->d_name, depth + 1);
	closedir(d);
	unlinkat(dir, name, AT_REMOVEDIR);
}

/* Makes path and any missing parent, as mkdir -p does. */
static int
mkdir_p(const char *path)
{
	char *p = xstrdup(path), *s;
	int rc = 0;

	for (s = p + 1; rc == 0 && *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST)
			rc = -1;
		*s = '/';
	}
	if (rc == 0 && mkdir(p, 0777) == -1 && errno != EEXIST)
		rc = -1;
	free(p);
	return rc;
}

static int
dir_open(const char *path)
{
	if (mkdir_p(path) == -1)
		return -1;
	if ((dirfd_ = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	return faccessat(dirfd_, ".", W_OK | X_OK, AT_EACCESS);
}

/* A small file name in dir holding p[0..n). */
static int
put_small(int dir, const char *name, const char *p, size_t n)
{
	int fd, rc;

	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1)
		return -1;
	rc = n > 0 ? io_write_all(fd, p, n) : 0;
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/* Bytes [off, off + n) of file from to the end of file to. */
static int
copy_range(int from, off_t off, off_t n, int to)
{
	static int nocfr;
	ssize_t r;

	while (n > 0 && !__atomic_load_n(&nocfr, __ATOMIC_RELAXED)) {
		do
			r = copy_file_range(from, &off, to, NULL, (size_t)n, 0);
		while (r == -1 && errno == EINTR);
		if (r > 0) {
			n -= r;
			continue;
		}
		if (r == 0) {
			errno = EIO;	/* the file is shorter than it said */
			return -1;
		}
		if (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
		    errno == EOPNOTSUPP)
			break;	/* this pair cannot: sendfile can */
		return -1;
	}
	if (errno == ENOSYS)
		__atomic_store_n(&nocfr, 1, __ATOMIC_RELAXED);
	return n > 0 ? io_copy_all(from, off, n, to) : 0;
}

/*
 * One stream of the job as file name in dir: its spill file linked into
 * place when that holds the whole stream, else written and copied.
 */
static int
put_stream(int dir, const char *name, const struct outbuf *ob)
{
	struct piece pc;
	char proc[64];
	size_t at;
	int fd, rc = 0;

	if (outbuf_whole_file(ob)) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", ob->fd);
		if (fchmod(ob->fd, filemode) == 0 &&
		    linkat(AT_FDCWD, proc, dir, name, AT_SYMLINK_FOLLOW) == 0)
			return 0;
		/* Another file system, or no /proc: copy. */
	}
	fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd == -1)
		return -1;
	for (at = 0; rc == 0 && outbuf_piece(ob, at, &pc) > 0; at += pc.len)
		rc = pc.p != NULL ? io_write_all(fd, pc.p, pc.len) :
		    copy_range(pc.fd, pc.off, (off_t)pc.len, fd);
	if (close(fd) == -1)
		rc = -1;
	return rc;
}

/* The exit value and signal the joblog shows (SPEC 13.4). */
static void
outcome(const struct job *j, int *exitval, int *sig)
{
	*sig = j->termsig;
	if (*sig == 0 && j->timed_out)
		*sig = SIGTERM;
	*exitval = *sig != 0 ? -1 : j->status;
}

static int
put_num(int dir, const char *name, const char *fmt, double v)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), fmt, v);

	return put_small(dir, name, buf, (size_t)n);
}

/* The files of DIR/SEQ, in the directory dir. */
static int
dir_fill(int dir, const struct job *j)
{
	struct strbuf sb = { 0 };
	int exitval, sig, rc;

	outcome(j, &exitval, &sig);
	sb_adds(&sb, j->logcmd != NULL ? j->logcmd : "");
	sb_addc(&sb, '\n');
	rc = put_small(dir, "cmd", sb.s, sb.len);
	/* With hosts (-S), where the job ran. */
	if (rc == 0 && j->host != NULL) {
		sb.len = 0;
		sb_adds(&sb, j->host);
		sb_addc(&sb, '\n');
		rc = put_small(dir, "host", sb.s, sb.len);
	}
	sb_free(&sb);
	if (rc == -1 || put_stream(dir, "stdout", &j->sink[0].buf) == -1 ||
	    put_stream(dir, "stderr", &j->sink[1].buf) == -1 ||
	    put_num(dir, "exitval", "%.0f\n", exitval) == -1 ||
	    put_num(dir, "signal", "%.0f\n", sig) == -1 ||
	    put_num(dir, "starttime", "%.3f\n", j->start) == -1 ||
	    put_num(dir, "runtime", "%.3f\n", j->runtime) == -1)
		return -1;
	return 0;
}

/*
 * Renames the finished entry tmp to its final name: over nothing, or in
 * one step with an entry a former run left (RENAME_EXCHANGE), which is
 * then removed.  Where exchanging is not possible the old entry is moved
 * aside first: the final name is briefly missing, never partial.
 */
static int
publish(const char *tmp, const char *name, unsigned long long seq)
{
	char old[64];

	if (renameat(dirfd_, tmp, dirfd_, name) == 0)
		return 0;
	if (errno != ENOTEMPTY && errno != EEXIST && errno != ENOTDIR &&
	    errno != EISDIR)
		return -1;
	if (renameat2(dirfd_, tmp, dirfd_, name, RENAME_EXCHANGE) == 0) {
		rm_tree(dirfd_, tmp, 0);
		return 0;
	}
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	snprintf(old, sizeof(old), ".old.%llu.%ld", seq, mypid);
	if (renameat(dirfd_, name, dirfd_, old) == -1 ||
	    renameat(dirfd_, tmp, dirfd_, name) == -1)
		return -1;
	rm_tree(dirfd_, old, 0);
	return 0;
}

static void
dir_write(struct job *j)
{
	char tmp[64], name[32];
	int fd = -1, err;

	snprintf(tmp, sizeof(tmp), ".tmp.%llu.%ld", j->seq, mypid);
	snprintf(name, sizeof(name), "%llu", j->seq);
	if (mkdirat(dirfd_, tmp, 0777) == -1) {
		/* Left by a run killed with the same pid: not ours to keep. */
		if (errno != EEXIST)
			goto fail;
		rm_tree(dirfd_, tmp, 0);
		if (mkdirat(dirfd_, tmp, 0777) == -1)
			goto fail;
	}
	if ((fd = openat(dirfd_, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || dir_fill(fd, j) == -1)
		goto fail;
	close(fd);
	fd = -1;
	if (publish(tmp, name, j->seq) == 0)
		return;
fail:
	err = errno;
	if (fd != -1)
		close(fd);
	rm_tree(dirfd_, tmp, 0);
	report(j, err);
}

/* ---------------------------------------------------------------- FILE */

/* Writes what the record holds so far at the end of the file. */
static int
rec_flush(off_t *at)
{
	if (rec.len > 0 && (seekable ? io_pwrite_all(filefd, rec.s, rec.len,
	    *at) : io_write_all(filefd, rec.s, rec.len)) == -1)
		return -1;
	*at += (off_t)rec.len;
	rec.len = 0;
	return 0;
}

/* Appends p[0..n) to a quoted CSV or TSV field: quotes are doubled. */
static void
csv_esc(struct strbuf *sb, const char *p, size_t n)
{
	const char *q;

	while ((q = memchr(p, '"', n)) != NULL) {
		sb_add(sb, p, (size_t)(q - p) + 1);
		sb_addc(sb, '"');
		n -= (size_t)(q - p) + 1;
		p = q + 1;
	}
	sb_add(sb, p, n);
}

/* A whole string field: quoted, in the file's format. */
static void
rec_str(const char *p, size_t n)
{
	if (opts.results_fmt == RES_JSON) {
		json_str(&rec, p, n);
		return;
	}
	sb_addc(&rec, '"');
	csv_esc(&rec, p, n);
	sb_addc(&rec, '"');
}

/* A job's output as a string field, in pieces, flushed as it grows. */
static int
rec_stream(const struct outbuf *ob, off_t *at)
{
	struct jesc je = { { 0 }, 0 };
	size_t off;
	ssize_t n;
	int json = opts.results_fmt == RES_JSON;

	sb_addc(&rec, '"');
	for (off = 0; off < ob->total; off += (size_t)n) {
		if ((n = outbuf_read(ob, off, readbuf, CHUNK)) <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		if (json)
			json_esc(&je, &rec, readbuf, (size_t)n, 0);
		else
			csv_esc(&rec, readbuf, (size_t)n);
		if (rec.len >= FLUSH_AT && rec_flush(at) == -1)
			return -1;
	}
	if (json)
		json_esc(&je, &rec, "", 0, 1);
	sb_addc(&rec, '"');
	return 0;
}

/* GNU parallel's V: the items; in CSV and TSV, nv columns. */
static void
rec_items(const struct job *j, char sep)
{
	struct strbuf joined = { 0 };
	int k, i;

	if (opts.results_fmt == RES_JSON) {
		sb_adds(&rec, "\"V\": [ ");
		for (k = 0; k < j->nitems; k++) {
			if (k > 0)
				sb_addc(&rec, ',');
			rec_str(j->items[k], j->lens[k]);
		}
		sb_adds(&rec, j->nitems > 0 ? " ], " : "], ");
		return;
	}
	for (k = 0; k < nv; k++) {
		if (k < nv - 1 || j->nitems <= nv)
			rec_str(k < j->nitems ? j->items[k] : "",
			    k < j->nitems ? j->lens[k] : 0);
		else {
			/* More items than columns: the last holds the rest. */
			for (i = k; i < j->nitems; i++) {
				if (i > k)
					sb_addc(&joined, ' ');
				sb_add(&joined, j->items[i], j->lens[i]);
			}
			rec_str(joined.s, joined.len);
			sb_free(&joined);
		}
		sb_addc(&rec, sep);
	}
}

/* The fields before V, and the command. */
static void
rec_head(const struct job *j, char sep)
{
	const char *cmd = j->logcmd != NULL ? j->logcmd : "";
	/* Logins hold no separator, quote nor control character. */
	const char *host = j->host != NULL ? j->host : ":";
	int exitval, sig;

	outcome(j, &exitval, &sig);
	if (opts.results_fmt == RES_JSON) {
		sb_addf(&rec, "{ \"Seq\": %llu, \"Host\": ", j->seq);
		json_str(&rec, host, strlen(host));
		sb_addf(&rec, ", \"Starttime\": %.3f, \"JobRuntime\": %.3f, "
		    "\"Send\": %llu, \"Receive\": %llu, \"Exitval\": %d, "
		    "\"Signal\": %d, \"Command\": ", j->start, j->runtime,
		    j->sent, j->sink[0].bytes, exitval, sig);
	} else
		sb_addf(&rec, "%llu%c%s%c%.3f%c%.3f%c%llu%c%llu%c%d%c%d%c",
		    j->seq, sep, host, sep, j->start, sep, j->runtime, sep,
		    j->sent, sep, j->sink[0].bytes, sep, exitval, sep, sig,
		    sep);
	rec_str(cmd, strlen(cmd));
	if (opts.results_fmt == RES_JSON)
		sb_adds(&rec, ", ");
	else
		sb_addc(&rec, sep);
}

/* One record, at fileend; on failure the file is cut back to it. */
static void
file_write(struct job *j)
{
	char sep = opts.results_fmt == RES_CSV ? ',' : '\t';
	int json = opts.results_fmt == RES_JSON, err;
	off_t at;

	LOCK(&filelock);
	at = fileend;
	rec.len = 0;
	rec_head(j, sep);
	rec_items(j, sep);
	if (json)
		sb_adds(&rec, "\"Stdout\": ");
	if (rec_stream(&j->sink[0].buf, &at) == -1)
		goto fail;
	sb_adds(&rec, json ? ", \"Stderr\": " : (sep == ',' ? "," : "\t"));
	if (rec_stream(&j->sink[1].buf, &at) == -1)
		goto fail;
	sb_adds(&rec, json ? " }\n" : opts.results_fmt == RES_CSV ? "\r\n" :
	    "\n");
	if (rec_flush(&at) == -1)
		goto fail;
	fileend = at;
	if (rec.cap > FLUSH_AT * 8)
		sb_free(&rec);
	UNLOCK(&filelock);
	return;
fail:
	err = errno;
	if (seekable)
		(void)!ftruncate(filefd, fileend);
	rec.len = 0;
	UNLOCK(&filelock);
	report(j, err);
}

/*
 * Where the last whole record of an existing FILE ends: after its last
 * newline that is not inside a quoted field.  What follows was cut short
 * by a crash.
 */
static off_t
records_end(int fd)
{
	off_t off = 0, end = 0;
	ssize_t n, i;
	int inq = 0;

	while ((n = io_pread(fd, readbuf, CHUNK, off)) > 0) {
		for (i = 0; i < n; i++) {
			if (readbuf[i] == '"' && opts.results_fmt != RES_JSON)
				inq = !inq;
			else if (readbuf[i] == '\n' && !inq)
				end = off + i + 1;
		}
		off += n;
	}
	return n == 0 ? end : -1;
}

static void
header(void)
{
	char sep = opts.results_fmt == RES_CSV ? ',' : '\t';
	int k;

	sb_addf(&rec, "Seq%cHost%cStarttime%cJobRuntime%cSend%cReceive%c"
	    "Exitval%cSignal%cCommand%c", sep, sep, sep, sep, sep, sep, sep,
	    sep, sep);
	for (k = 1; k <= nv; k++)
		sb_addf(&rec, "V%d%c", k, sep);
	sb_addf(&rec, "Stdout%cStderr%s", sep,
	    opts.results_fmt == RES_CSV ? "\r\n" : "\n");
}

/*
 * A FILE is started afresh, unless the run resumes: then records are
 * appended after the last whole one.  CSV and TSV begin with a header.
 */
static int
file_open(const char *path)
{
	struct stat st;
	off_t end;

	filefd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
	    (opts.resume || opts.resume_failed ? 0 : O_TRUNC), 0666);
	if (filefd == -1 || fstat(filefd, &st) == -1)
		return -1;
	seekable = S_ISREG(st.st_mode);
	fileend = seekable ? st.st_size : 0;
	if (seekable && st.st_size > 0) {
		int rfd = open(path, O_RDONLY | O_CLOEXEC);

		end = rfd == -1 ? -1 : records_end(rfd);
		if (rfd != -1)
			close(rfd);
		if (end == -1 ||
		    (end < fileend && ftruncate(filefd, end) == -1))
			return -1;
		fileend = end;
	}
	if (fileend > 0 || opts.results_fmt == RES_JSON)
		return 0;
	header();
	return rec_flush(&fileend);
}

/*
 * Before any thread: makes DIR, or opens FILE.  Returns -1 with errno
 * when it cannot be written.
 */
int
results_open(void)
{
	mode_t um = umask(0);

	umask(um);
	filemode = 0666 & ~um;
	mypid = (long)getpid();
	if (opts.results_fmt == RES_DIR)
		return dir_open(opts.results);
	readbuf = xmalloc(CHUNK);
	nv = opts.maxargs > 0 ? opts.maxargs : opts.nsources;
	if (nv < 1)
		nv = 1;
	return file_open(opts.results);
}

/*
 * The worker that ran j, after its last attempt: writes j's results.
 * Jobs skipped by --resume and jobs parx interrupted have none, as they
 * have no joblog line.
 */
void
results_write(struct job *j)
{
	if (j->skip || j->interrupted)
		return;
	if (opts.results_fmt == RES_DIR)
		dir_write(j);
	else
		file_write(j);
	outbuf_unkeep(&j->sink[0].buf);
	outbuf_unkeep(&j->sink[1].buf);
}

void
results_close(void)
{
	if (dirfd_ != -1)
		close(dirfd_);
	if (filefd != -1)
		close(filefd);
	dirfd_ = filefd = -1;
	sb_free(&rec);
	free(readbuf);
	readbuf = NULL;
}
