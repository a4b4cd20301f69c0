/*
 * pipe.c - --pipe and --pipe-part, the reader's side: cuts the input into
 * blocks at record boundaries and makes a job of each block.  pipe_init
 * runs in the main thread before any other thread exists: it checks the
 * input and reads the --header, so that bad input is a usage error with
 * nothing run.  pipe_read is the reader thread's loop.
 *
 * A boundary lies where the record end (--recend) followed by the record
 * start (--recstart) occurs, between the two.  A block ends at the last
 * boundary within --block bytes of its start, as GNU parallel cuts; when
 * a record is longer than that, at the first boundary after it; with -N
 * after N records; at the end of the input in any case.  No other byte of
 * the input is looked at.
 *
 * Two kinds of input:
 *   stream  stdin is a pipe, a terminal or a socket: bytes are read
 *           straight into memory blocks (block.c); what lies past a cut
 *           (usually less than a record) is copied to the next block.
 *   file    --pipe-part's file, or a regular file on stdin under --pipe:
 *           only the bytes near each cut are read, into a small window,
 *           and a block is a byte range that goes from the file to the
 *           job.  Memory stays constant.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define CHUNK	(256 * 1024)	/* stream: read at a time scanning ahead */
#define WINDOW	(64 * 1024)	/* file: looked at a time */
#define NOCUT	((size_t)-1)	/* stream: the input could not be read */
#define FILEERR	((off_t)-2)	/* file: the same */

static struct {
	int			 fd;
	const char		*name;		/* for messages */
	int			 file;		/* blocks are ranges of fd */
	off_t			 pos;		/* file: next block's start */
	off_t			 base;		/* file: where blocks began */
	off_t			 end;		/* file: its size, last seen */
	int			 eof;		/* stream: read(2) said so */
	char			*pat;		/* recend, then recstart */
	size_t			 plen;
	size_t			 elen;		/* recend's part of pat */
	size_t			 size;		/* bytes per block */
	char			*win;		/* file: the window */
	size_t			 winsz;
	struct strbuf		 carry;		/* stream: past the last cut */
	struct block		*header;
	char			*tmpdir;	/* --cat, --fifo: {} are here */
	int			 failed;	/* input lost: exit 255 */
	unsigned long long	 njobs;
} in = { .fd = -1 };

/* The first m >= lo where the pattern occurs in p[0..n); -1 if none. */
static long long
match_first(const char *p, size_t n, size_t lo)
{
	const char *q;

	if (in.plen == 0)
		return lo <= n ? (long long)lo : -1;
	if (lo + in.plen > n)
		return -1;
	if ((q = memmem(p + lo, n - lo, in.pat, in.plen)) == NULL)
		return -1;
	return q - p;
}

/* The last m in [lo, hi] where the pattern occurs in p[0..n); -1 if none. */
static long long
match_last(const char *p, size_t n, size_t lo, size_t hi)
{
	const char *q;

	if (n < in.plen)
		return -1;
	if (hi > n - in.plen)
		hi = n - in.plen;
	if (in.plen == 0)
		return hi >= lo ? (long long)hi : -1;
	while (hi >= lo) {
		if ((q = memrchr(p + lo, in.pat[0], hi - lo + 1)) == NULL)
			return -1;
		if (memcmp(q, in.pat, in.plen) == 0)
			return q - p;
		if ((size_t)(q - p) == lo)
			break;
		hi = (size_t)(q - p) - 1;
	}
	return -1;
}

/* Stream: reads into b until it holds want bytes or the input ends. */
static int
fill(struct block *b, size_t want)
{
	ssize_t n;

	if (want > b->cap && block_grow(b, want) == -1) {
		errno = ENOMEM;
		return -1;
	}
	while (b->len < want && !in.eof) {
		n = io_read(in.fd, b->mem + b->len, want - b->len);
		/* A background parx reading the terminal: stopped, then on. */
		if (n == -1 && errno == EIO && stop_tty_read(in.fd))
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			in.eof = 1;
		b->len += (size_t)n;
		if (b->len > b->touched)
			b->touched = b->len;
	}
	return 0;
}

/*
 * Stream: scans b for boundaries whose record end starts at lo or later,
 * reading on as needed.  Returns where the *k-th lies, counting *k down
 * for each found, or the end of the input, which ends a last record
 * (counted when it is not empty).  NOCUT: the input could not be read.
 */
static size_t
cut_forward(struct block *b, size_t lo, long *k)
{
	size_t last = 0, from = lo;
	long long m;

	for (;;) {
		while ((m = match_first(b->mem, b->len, from)) >= 0) {
			last = (size_t)m + in.elen;
			if (--*k == 0)
				return last;
			from = last + (in.elen == 0);
		}
		if (in.eof) {
			if (b->len > last)
				--*k;
			return b->len;
		}
		if (b->len + 1 > in.plen + from)
			from = b->len + 1 - in.plen;
		if (fill(b, b->len + CHUNK) == -1)
			return NOCUT;
	}
}

/* Stream: where a block of about --block bytes ends. */
static size_t
cut_size(struct block *b)
{
	size_t size = in.size, lo = in.elen == 0;
	long long m;
	long k = 1;

	if (fill(b, size + in.plen - in.elen) == -1)
		return NOCUT;
	if (b->len <= size && in.eof)
		return b->len;
	if (in.plen == 0)
		return size;
	if (size >= in.elen + lo &&
	    (m = match_last(b->mem, b->len, lo, size - in.elen)) >= 0)
		return (size_t)m + in.elen;
	return cut_forward(b, size + 1 > in.elen ? size + 1 - in.elen : 0, &k);
}

/* File: reads up to n bytes at off into the window; the count, or -1. */
static ssize_t
win_read(off_t off, size_t n)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		if ((r = io_pread(in.fd, in.win + got, n - got,
		    off + (off_t)got)) == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * File: the last boundary b with start < b <= lim; -1 when there is
 * none, FILEERR when the file cannot be read.
 */
static off_t
file_last(off_t start, off_t lim)
{
	off_t lo = start + (in.elen == 0), hi = lim - (off_t)in.elen, ws;
	long long m;
	ssize_t n;

	while (hi >= lo) {
		ws = hi - (off_t)(in.winsz - in.plen);
		if (ws < lo)
			ws = lo;
		if ((n = win_read(ws, (size_t)(hi - ws) + in.plen)) == -1)
			return FILEERR;
		if ((m = match_last(in.win, (size_t)n, 0, (size_t)(hi - ws))) >=
		    0)
			return ws + m + (off_t)in.elen;
		hi = ws - 1;
	}
	return -1;
}

/*
 * File: as cut_forward, from the block starting at start, with record
 * ends at next or later; FILEERR when the file cannot be read.
 */
static off_t
file_next(off_t start, off_t next, long *k)
{
	off_t last = start;
	size_t from, want;
	long long m;
	ssize_t n;

	while (next + (off_t)in.plen <= in.end) {
		want = (size_t)(in.end - next) < in.winsz ?
		    (size_t)(in.end - next) : in.winsz;
		if ((n = win_read(next, want)) == -1)
			return FILEERR;
		if ((size_t)n < want)
			in.end = next + n;	/* it shrank */
		for (from = 0; (m = match_first(in.win, (size_t)n, from)) >= 0;
		    from = (size_t)m + in.elen + (in.elen == 0)) {
			last = next + m + (off_t)in.elen;
			if (--*k == 0)
				return last;
		}
		if (next + n >= in.end)
			break;
		next += (off_t)(from > (size_t)n + 1 - in.plen ? from :
		    (size_t)n + 1 - in.plen);
	}
	if (in.end > last)
		--*k;
	return in.end;
}

static off_t
file_size(void)
{
	struct stat st;
	off_t end;

	if (fstat(in.fd, &st) == 0 && S_ISREG(st.st_mode))
		return st.st_size;
	end = lseek(in.fd, 0, SEEK_END);
	return end < 0 ? 0 : end;
}

/*
 * File: where the block starting at in.pos ends.  --pipe on a regular
 * file cuts as it cuts a stream.  --pipe-part cuts as GNU parallel does:
 * at the first boundary at or after each multiple of the block size, so
 * that --block -N gives N parts per job slot.
 */
static off_t
file_cut(void)
{
	off_t start = in.pos, lim = start + (off_t)in.size, b, lo;
	long k = opts.nrec > 0 ? opts.nrec : 1;

	lo = start + (in.elen == 0);
	if (opts.nrec > 0)
		return file_next(start, lo, &k);
	if (opts.pipe == PIPE_PART)
		lim = in.base + ((start - in.base) / (off_t)in.size + 1) *
		    (off_t)in.size - 1;
	if (lim >= in.end)
		return in.end;
	if (opts.pipe != PIPE_PART && (b = file_last(start, lim)) != -1)
		return b;
	if (lim + 1 - (off_t)in.elen > lo)
		lo = lim + 1 - (off_t)in.elen;
	return file_next(start, lo, &k);
}

/* The input is lost from here on: parx ends with 255 (see main). */
void
pipe_input_failed(void)
{
	__atomic_store_n(&in.failed, 1, __ATOMIC_RELAXED);
}

int
pipe_failed(void)
{
	return __atomic_load_n(&in.failed, __ATOMIC_RELAXED);
}

static void
read_error(void)
{
	output_msgf("parx: error reading %s: %s\n", in.name, strerror(errno));
	pipe_input_failed();
}

/*
 * Makes a job of block b, or under --round-robin hands b to a running
 * job once -j jobs have started.  -1 when no more blocks are wanted.
 */
static int
emit(struct block *b)
{
	char path[PATH_MAX], *item = path;
	size_t len = 0;
	struct job *j;

	if (opts.roundrobin && in.njobs >= (unsigned long long)opts.jobs) {
		if (block_rr_put(b) == 0)
			return 0;
		if (!stop_requested() && !opts.dry_run) {
			output_msgf("parx: --round-robin: every job ended "
			    "before the input did\n");
			pipe_input_failed();
		}
		return -1;
	}
	if (in.tmpdir != NULL)
		len = (size_t)snprintf(path, sizeof(path), "%s/%llu",
		    in.tmpdir, in.njobs + 1);
	j = job_new(in.njobs + 1, &item, &len, in.tmpdir != NULL);
	j->block = b;
	if (opts.roundrobin) {
		j->rr = 1;
		block_rr_join();
	}
	if (queue_push(j) == -1) {
		job_free(j);
		return -1;
	}
	in.njobs++;
	return 0;
}

static void
read_stream(void)
{
	struct block *b;
	size_t cut;
	long k;

	for (;;) {
		if ((b = block_get()) == NULL) {
			if (errno == ENOMEM)
				read_error();
			break;
		}
		if (in.carry.len > 0) {
			if (block_grow(b, in.carry.len) == -1) {
				errno = ENOMEM;
				read_error();
				block_free(b);
				break;
			}
			memcpy(b->mem, in.carry.s, in.carry.len);
			b->len = b->touched = in.carry.len;
		}
		k = opts.nrec;
		cut = opts.nrec > 0 ? cut_forward(b, in.elen == 0, &k) :
		    cut_size(b);
		if (cut == NOCUT || cut == 0) {
			if (cut == NOCUT)
				read_error();
			block_free(b);
			break;
		}
		in.carry.len = 0;
		sb_add(&in.carry, b->mem + cut, b->len - cut);
		b->len = cut;
		if (emit(b) == -1)
			break;
	}
}

static void
read_file(void)
{
	off_t end;

	in.base = in.pos;
	while (!stop_requested()) {
		if (in.pos >= in.end && (in.end = file_size()) <= in.pos)
			break;
		if ((end = file_cut()) == FILEERR) {
			read_error();
			break;
		}
		if (emit(block_range(in.pos, (size_t)(end - in.pos))) == -1)
			break;
		in.pos = end;
	}
	/* Whoever reads stdin next goes on after what parx took. */
	if (in.fd == 0)
		lseek(0, in.pos, SEEK_SET);
}

/* The reader thread: cuts the input into jobs; returns how many. */
unsigned long long
pipe_read(void)
{
	if (in.file)
		read_file();
	else
		read_stream();
	if (opts.roundrobin)
		block_rr_end();
	return in.njobs;
}

/* The --header records, or NULL. */
struct block *
pipe_header(void)
{
	return in.header;
}

const char *
pipe_input_name(void)
{
	return in.name;
}

static void
header_beyond(long k)
{
	usage_error("--header %ld: the input has only %ld record%s",
	    opts.header, opts.header - k, opts.header - k == 1 ? "" : "s");
}

/* Stream: reads the --header records from stdin. */
static void
header_stream(void)
{
	struct block *b = block_get(), *h;
	long k = opts.header;
	size_t cut;

	if (b == NULL)
		fatal("cannot map a block of %zu bytes", in.size);
	if ((cut = cut_forward(b, in.elen == 0, &k)) == NOCUT)
		fatal("error reading %s", in.name);
	if (k == 0 || b->len == 0) {
		h = xcalloc(1, sizeof(*h));
		h->mem = xmalloc(cut + 1);
		memcpy(h->mem, b->mem, cut);
		h->len = cut;
		in.header = h;
		sb_add(&in.carry, b->mem + cut, b->len - cut);
	}
	block_free(b);
	if (in.header == NULL)
		header_beyond(k);
}

/* File: finds the --header records at the start. */
static void
header_file(void)
{
	long k = opts.header;
	off_t end;

	if ((end = file_next(in.pos, in.pos + (in.elen == 0), &k)) == FILEERR)
		fatal("error reading %s", in.name);
	if (k > 0 && in.end > in.pos)
		header_beyond(k);
	in.header = block_range(in.pos, (size_t)(end - in.pos));
	in.pos = end;
}

/* --block -N: the size that gives N parts per job slot. */
static size_t
part_size(void)
{
	unsigned long long parts = (unsigned long long)-opts.block *
	    (unsigned long long)opts.jobs;
	unsigned long long left = (unsigned long long)(in.end - in.pos);

	return left / parts + (left % parts != 0) + (left == 0);
}

/* Opens the input: the --pipe-part file, or stdin. */
static void
open_input(void)
{
	const struct source *src = opts.pipe == PIPE_PART ?
	    &opts.sources[0] : NULL;
	struct stat st;

	in.fd = 0;
	in.name = "standard input";
	if (src != NULL && src->type == SRC_FILE) {
		in.name = src->path;
		if ((in.fd = open(src->path, O_RDONLY | O_CLOEXEC)) == -1)
			usage_error("cannot read %s: %s", src->path,
			    strerror(errno));
	}
	if (fstat(in.fd, &st) == -1)
		usage_error("cannot read %s: %s", in.name, strerror(errno));
	/*
	 * A regular file on stdin is cut as --pipe-part cuts, from where
	 * stdin stands (an empty one may be a pseudo-file: it streams).
	 */
	in.pos = lseek(in.fd, 0, SEEK_CUR);
	if (src != NULL || (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    in.pos >= 0)) {
		in.file = 1;
		if (in.pos < 0)
			in.pos = 0;
		in.end = file_size();
	} else if (S_ISFIFO(st.st_mode))
		/* Fewer, bigger reads; refused when the user has no room. */
		(void)fcntl(in.fd, F_SETPIPE_SZ, 1 << 20);
}

/* Where {} of --cat and --fifo live: a private folder, removed at exit. */
static void
make_tmpdir(void)
{
	struct strbuf sb = { 0 };

	sb_adds(&sb, opts.tmpdir);
	sb_adds(&sb, "/parx.XXXXXX");
	if (mkdtemp(sb.s) == NULL)
		fatal("cannot make a folder in %s", opts.tmpdir);
	in.tmpdir = sb.s;
	atexit(pipe_cleanup);
}

/* Main thread, before any other: the input, the pattern, the header. */
void
pipe_init(void)
{
	in.elen = opts.recendlen;
	in.plen = opts.recendlen + opts.recstartlen;
	in.pat = xmalloc(in.plen + 1);
	memcpy(in.pat, opts.recend, in.elen);
	memcpy(in.pat + in.elen, opts.recstart, opts.recstartlen);
	open_input();
	in.size = opts.block > 0 ? (size_t)opts.block : 1;
	if (in.file) {
		in.winsz = in.plen * 2 > WINDOW ? in.plen * 2 : WINDOW;
		in.win = xmalloc(in.winsz);
		block_init(in.fd, 0, 0);
		if (opts.header > 0)
			header_file();
		if (opts.block < 0)
			in.size = part_size();
	} else {
		block_init(-1, opts.jobs + 2, in.size + in.plen + CHUNK);
		if (opts.header > 0)
			header_stream();
	}
	if (opts.cat || opts.fifo)
		make_tmpdir();
}

/* Removes the folder of --cat and --fifo and anything left in it. */
void
pipe_cleanup(void)
{
	struct dirent *de;
	DIR *d;

	if (in.tmpdir == NULL)
		return;
	if ((d = opendir(in.tmpdir)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (strcmp(de->d_name, ".") != 0 &&
			    strcmp(de->d_name, "..") != 0)
				unlinkat(dirfd(d), de->d_name, 0);
		closedir(d);
	}
	rmdir(in.tmpdir);
	free(in.tmpdir);
	in.tmpdir = NULL;
}
