/*
 * input_fuzz.c - libFuzzer harness for src/reader.c: rd_next splitting
 * input into items at a delimiter, -n grouping, -X packing up to -s,
 * -E, the cartesian product, --link and :::+ of several sources,
 * split_cols with a --colsep regex, and the spool of {##} and --shuf.
 *
 * reader.c is compiled into this file so its static functions are
 * reachable; its read(2) calls go through fuzz_read, which hands out the
 * input in chunks of pseudo-random size (with the odd EINTR) so items
 * straddle read boundaries.  The queue and the collector are stubs that
 * record the jobs, which are then compared with a reference split.
 *
 * Input: four control bytes, then the input bytes.
 *   byte 0  delimiter (low two bits): 0 '\n', 1 '\0', 2 ',', 3 the byte
 *           after byte 3; bit 2: -E e; bit 3: jobs go through the spool
 *           ({##}); bit 4: --shuf; bit 5: -X with -s 8 + byte 2 % 64
 *           (one source, no -n)
 *   byte 1  bits 0-1 -n (0: none), bit 2 --colsep, bits 3-4 mode:
 *           0 stdin in chunks, 1 a memfd read with read(2), 2 the product
 *           with a second source, 3 --link with it; bit 5: the queue
 *           closes after a few jobs; bit 6: the second source is :::+
 *   byte 2  seed for the chunk sizes
 *   byte 3  which --colsep regex (the last ones use a byte of the input)
 */
#include <sys/mman.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <regex.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/parx.h"
#include "common.h"

static ssize_t fuzz_read(int, void *, size_t);
#define read(fd, buf, n)	fuzz_read(fd, buf, n)
#include "../src/reader.c"
#undef read

struct opts opts;

/* What reader.c needs of the rest of parx. */
int
io_write_all(int fd, const void *p, size_t n)
{
	return write(fd, p, n) == (ssize_t)n ? 0 : -1;
}

ssize_t
io_pread(int fd, void *p, size_t n, off_t off)
{
	return pread(fd, p, n, off);
}

int
io_pwrite_all(int fd, const void *p, size_t n, off_t off)
{
	return pwrite(fd, p, n, off) == (ssize_t)n ? 0 : -1;
}

int
tmpfile_open(void)
{
	return memfd_create("spool", MFD_CLOEXEC);
}

static int stopped;

void
stop_request(enum stopwhy w, int sig)
{
	(void)w;
	(void)sig;
	stopped = 1;
}

int
stop_requested(void)
{
	return stopped;
}

/* Never an array task of --slurm-submit here. */
void
submit_task_read(const char *path, int (*emit)(unsigned long long,
    char **, size_t *, int))
{
	(void)path;
	(void)emit;
}

/* The input here is never a terminal. */
int
stop_tty_read(int fd)
{
	(void)fd;
	return 0;
}

void
collect_read(unsigned long long n)
{
	(void)n;
}

const struct logent *
joblog_at(size_t i, unsigned long long *seq)
{
	(void)i;
	(void)seq;
	return NULL;
}

/* The fake standard input. */
static const uint8_t *in_p;
static size_t in_n;
static uint32_t rng;

static uint32_t
next_rand(void)
{
	rng = rng * 1103515245u + 12345u;
	return rng >> 8;
}

static ssize_t
fuzz_read(int fd, void *buf, size_t n)
{
	size_t k;

	if (fd != 0)
		return (read)(fd, buf, n);
	if (next_rand() % 16 == 0) {
		errno = EINTR;
		return -1;
	}
	if (in_n == 0)
		return 0;
	k = 1 + next_rand() % (next_rand() % 4 == 0 ? 4096 : 16);
	if (k > n)
		k = n;
	if (k > in_n)
		k = in_n;
	memcpy(buf, in_p, k);
	in_p += k;
	in_n -= k;
	return (ssize_t)k;
}

/* What the queue received. */
static struct job **got;
static size_t ngot, capgot, close_after;
static unsigned long long total;
static int closed;

int
queue_push(struct job *j)
{
	if (close_after > 0 && ngot >= close_after)
		return -1;
	if (ngot == capgot) {
		capgot = capgot ? capgot * 2 : 64;
		got = realloc(got, capgot * sizeof(*got));
	}
	got[ngot++] = j;
	return 0;
}

void
queue_close(void)
{
	closed = 1;
}

void
collect_total(unsigned long long n)
{
	total = n;
}

/* reader.c reads through io.c; here from the fake input, EINTR and all. */
ssize_t
io_read(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = fuzz_read(fd, buf, n);
	while (r == -1 && errno == EINTR);
	return r;
}

void
output_msgf(const char *fmt, ...)
{
	(void)fmt;
}

/* --pipe is not fuzzed here: its jobs carry no block. */
unsigned long long
pipe_read(void)
{
	abort();
}

void
block_rr_quit(int wakefd)
{
	(void)wakefd;
	abort();
}

void
block_free(struct block *b)
{
	if (b != NULL)
		abort();
}

/* job.c frees a job's output buffers; these have none. */
void
outbuf_init(struct outbuf *ob)
{
	memset(ob, 0, sizeof(*ob));
	ob->fd = -1;
}

void
outbuf_free(struct outbuf *ob)
{
	(void)ob;
}

static const char *const regexes[] = {
	",", "\t", "-", "\\.",		/* one literal byte: checked exactly */
	" +", "[,;]+", "ab|c", ":+", "x*y", "(a|b)c", "[[:space:]]+",
};
#define NLITERAL	4
static const char litchars[NLITERAL] = { ',', '\t', '-', '.' };
#define NREGEX		(sizeof(regexes) / sizeof(regexes[0]))
static regex_t compiled[NREGEX];

/* The reference: items are delimiter-terminated; a last one may lack it. */
static size_t
ref_split(const uint8_t *p, size_t n, int delim, const uint8_t ***it,
    size_t **len)
{
	size_t cnt = 0, i, start = 0;

	*it = malloc((n + 1) * sizeof(**it));
	*len = malloc((n + 1) * sizeof(**len));
	for (i = 0; i < n; i++) {
		if (p[i] != (uint8_t)delim)
			continue;
		(*it)[cnt] = p + start;
		(*len)[cnt++] = i - start;
		start = i + 1;
	}
	if (start < n) {
		(*it)[cnt] = p + start;
		(*len)[cnt++] = n - start;
	}
	return cnt;
}

static void
check_item(const struct job *j, int k, const uint8_t *p, size_t n)
{
	CHECK(j->lens[k] == n && memcmp(j->items[k], p, n) == 0 &&
	    j->items[k][n] == '\0', "job %llu item %d differs", j->seq, k);
}

/*
 * Columns: for a one-byte separator exactly the pieces between its
 * occurrences in each item; otherwise at least one per item, each found
 * after the previous one inside the items, in order.
 */
static void
check_cols(const struct job *j, int lit)
{
	const char *at, *e;
	int k, c = 0;

	if (j->has_nul) {
		CHECK(j->cols == j->items, "a NUL item was split");
		return;
	}
	CHECK(j->ncols >= j->nitems, "job %llu: %d columns for %d items",
	    j->seq, j->ncols, j->nitems);
	for (c = 0; c < j->ncols; c++)
		CHECK(strlen(j->cols[c]) == j->collens[c], "column length");
	c = 0;
	if (!lit) {
		k = 0;
		at = j->items[0];
		while (c < j->ncols) {
			CHECK(k < j->nitems, "job %llu: column '%s' not found",
			    j->seq, j->cols[c]);
			if ((e = strstr(at, j->cols[c])) == NULL) {
				if (++k < j->nitems)
					at = j->items[k];
				continue;
			}
			at = e + j->collens[c];
			c++;
		}
		return;
	}
	for (k = 0; k < j->nitems; k++) {
		const char *s = j->items[k];

		at = s;
		for (;;) {
			CHECK(c < j->ncols, "job %llu: too few columns", j->seq);
			e = strchr(at, lit);
			if (e == NULL) {
				CHECK(strcmp(j->cols[c], at) == 0,
				    "last column of '%s'", s);
				c++;
				break;
			}
			CHECK(j->collens[c] == (size_t)(e - at) &&
			    memcmp(j->cols[c], at, e - at) == 0,
			    "column %d of '%s'", c, s);
			at = e + 1;
			c++;
		}
	}
	CHECK(c == j->ncols, "job %llu: %d columns, expected %d", j->seq,
	    j->ncols, c);
}

static const char *words2[] = { "x", "y", "" };

/* The reader's jobs in seq order (--shuf hands them out shuffled). */
static void
sort_got(void)
{
	size_t i, k;
	struct job *t;

	for (i = 1; i < ngot; i++)
		for (k = i; k > 0 && got[k - 1]->seq > got[k]->seq; k--) {
			t = got[k];
			got[k] = got[k - 1];
			got[k - 1] = t;
		}
}

/*
 * -X with -s: the items in order, each job within -s (a lone item that
 * is not is flagged), and no job could have taken the next item.
 */
static void
check_packed(const uint8_t **it, const size_t *len, size_t cnt)
{
	size_t i, at = 0, chars, s = (size_t)opts.maxchars;
	int k;

	for (i = 0; i < ngot; i++) {
		struct job *j = got[i];

		CHECK(j->nitems >= 1, "job %zu is empty", i);
		for (chars = 5, k = 0; k < j->nitems; k++) {
			CHECK(at < cnt, "more items than the input");
			check_item(j, k, it[at], len[at]);
			chars += len[at++] + 1;
		}
		CHECK(j->nitems == 1 ? j->toolong == (chars > s) :
		    chars <= s && !j->toolong, "job %zu: %zu bytes for -s %zu",
		    i, chars, s);
		if (at < cnt)
			CHECK(chars + len[at] + 1 > s,
			    "job %zu could take more", i);
	}
	CHECK(at == cnt, "%zu items of %zu", at, cnt);
}

/* The jobs of two sources: product, --link (wraps) or :::+ (shortest). */
static void
check_pairs(const uint8_t **it, const size_t *len, size_t cnt, int mode,
    int linked)
{
	size_t want, i, a;

	if (linked)
		want = cnt < 3 ? cnt : 3;
	else if (mode == 2)
		want = cnt * 3;
	else
		want = cnt == 0 ? 0 : cnt > 3 ? cnt : 3;
	if (close_after == 0 || want < close_after)
		CHECK(ngot == want, "%zu jobs, expected %zu", ngot, want);
	for (i = 0; i < ngot; i++) {
		const char *w = words2[i % 3];

		a = linked ? i : mode == 2 ? i / 3 : i % cnt;
		CHECK(got[i]->nitems == 2, "job %zu: %d items", i,
		    got[i]->nitems);
		check_item(got[i], 0, it[a], len[a]);
		check_item(got[i], 1, (const uint8_t *)w, strlen(w));
	}
}

static void
free_ref(const uint8_t **it, size_t *len)
{
	free(it);
	free(len);
}

static void
check_jobs(const uint8_t *p, size_t n, int mode, int lit, int linked)
{
	const uint8_t **it;
	size_t *len, cnt, want, i, k;
	int max = opts.maxargs > 0 ? opts.maxargs : 1, nul;

	cnt = ref_split(p, n, opts.delim, &it, &len);
	for (i = 0; opts.eof_str != NULL && i < cnt; i++)
		if (len[i] == 1 && it[i][0] == 'e')
			cnt = i;
	if (opts.shuf)
		sort_got();
	want = (cnt + max - 1) / max;
	if (mode >= 2 || opts.pack)
		want = ngot;
	if (close_after == 0 || want < close_after) {
		if (mode < 2)
			CHECK(ngot == want, "%zu jobs, expected %zu", ngot,
			    want);
		CHECK(total == ngot, "total %llu, jobs %zu", total, ngot);
	} else
		CHECK(ngot == close_after, "%zu jobs after the queue closed",
		    ngot);
	CHECK(closed, "queue not closed");
	if (sp.on || opts.shuf)
		CHECK(close_after > 0 || jobs_total == ngot,
		    "{##} %llu for %zu jobs", jobs_total, ngot);
	/* Shuffled, a queue that closes early got some of the jobs. */
	if (opts.shuf && close_after > 0) {
		for (i = 1; i < ngot; i++)
			CHECK(got[i]->seq > got[i - 1]->seq, "seq twice");
		free_ref(it, len);
		return;
	}
	for (i = 0; i < ngot; i++)
		CHECK(got[i]->seq == i + 1, "seq %llu at %zu", got[i]->seq, i);
	if (opts.pack && close_after == 0)
		check_packed(it, len, cnt);
	else if (mode >= 2)
		check_pairs(it, len, cnt, mode, linked);
	for (i = 0; i < ngot; i++) {
		struct job *j = got[i];

		if (mode < 2 && !opts.pack) {
			size_t first = i * max;
			int m = cnt - first < (size_t)max ? (int)(cnt - first) :
			    max;

			CHECK(j->nitems == m, "job %zu: %d items", i, j->nitems);
			for (k = 0; k < (size_t)m; k++)
				check_item(j, (int)k, it[first + k],
				    len[first + k]);
		}
		for (nul = 0, k = 0; k < (size_t)j->nitems; k++)
			if (memchr(j->items[k], '\0', j->lens[k]) != NULL)
				nul = 1;
		CHECK(j->has_nul == nul, "job %llu: has_nul %d", j->seq,
		    j->has_nul);
		if (opts.has_colsep)
			check_cols(j, lit);
		else
			CHECK(j->cols == j->items && j->ncols == j->nitems,
			    "columns without --colsep");
	}
	free(it);
	free(len);
}

static struct tmpl *plain_tmpl, *total_tmpl;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	size_t i;

	(void)argc;
	(void)argv;
	static char *w1[] = { "echo" }, *w2[] = { "echo", "{##}" };
	struct tmpl_args a;

	for (i = 0; i < NREGEX; i++)
		if (regcomp(&compiled[i], regexes[i], REG_EXTENDED) != 0)
			abort();
	memset(&a, 0, sizeof(a));
	a.words = w1;
	a.nwords = 1;
	a.repeat = 1;
	plain_tmpl = tmpl_new(&a);
	a.words = w2;
	a.nwords = 2;
	total_tmpl = tmpl_new(&a);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	struct source src[2];
	static int memfd = -1;
	char path[64];
	int d, b1, mode, sel, lit = 0, own_re = 0;
	regex_t re;
	size_t i;

	if (size < 4)
		return 0;
	d = fin_byte(&f);
	b1 = fin_byte(&f);
	rng = (uint32_t)fin_byte(&f) * 2654435761u + 1;
	sel = fin_byte(&f);
	mode = (b1 >> 3) & 3;

	memset(&opts, 0, sizeof(opts));
	switch (d & 3) {
	case 0:
		opts.delim = '\n';
		break;
	case 1:
		opts.delim = '\0';
		break;
	case 2:
		opts.delim = ',';
		break;
	default:
		opts.delim = fin_byte(&f);
		break;
	}
	opts.maxargs = mode < 2 ? b1 & 3 : 0;
	opts.jobs = 1;
	opts.eof_str = d & 4 ? "e" : NULL;
	opts.shuf = (d & 16) != 0;
	cmdtmpl = d & 8 ? total_tmpl : plain_tmpl;
	if ((d & 32) && mode < 2 && !(b1 & 4)) {
		opts.pack = PACK_CONTEXT;
		opts.maxargs = 0;
		opts.maxchars = 8 + (rng >> 8) % 64;
		cmdtmpl = plain_tmpl;
	}
	if (b1 & 4) {
		opts.has_colsep = 1;
		if (sel % 16 < (int)NREGEX) {
			opts.colsep = compiled[sel % 16];
			if (sel % 16 < NLITERAL)
				lit = litchars[sel % 16];
		} else {
			/* One byte from the input, as a bracket expression. */
			char buf[8];
			int c = f.n > 0 ? f.p[0] : 'x';

			if (c == 0 || c == ']' || c == '^' || c == '\\' ||
			    c == '-' || c == '[')
				c = 'q';
			snprintf(buf, sizeof(buf), "[%c]", c);
			if (regcomp(&re, buf, REG_EXTENDED) != 0)
				return 0;
			opts.colsep = re;
			own_re = 1;
			lit = c;
		}
	}
	in_p = f.p;
	in_n = f.n;
	memset(src, 0, sizeof(src));
	src[0].type = SRC_STDIN;
	src[0].path = "-";
	if (mode == 1) {
		if (memfd == -1 && (memfd = memfd_create("in", MFD_CLOEXEC)) < 0)
			abort();
		if (ftruncate(memfd, 0) == -1 ||
		    pwrite(memfd, f.p, f.n, 0) != (ssize_t)f.n)
			abort();
		snprintf(path, sizeof(path), "/proc/self/fd/%d", memfd);
		src[0].type = SRC_FILE;
		src[0].path = path;
	}
	src[1].type = SRC_WORDS;
	src[1].words = (char **)words2;
	src[1].nwords = 3;
	opts.sources = src;
	opts.nsources = mode >= 2 ? 2 : 1;
	opts.link = mode == 3;
	src[1].linked = mode == 2 && (b1 & 64);
	close_after = b1 & 32 ? 1 + sel % 5 : 0;

	nextseq = 1;
	npushed = 0;
	jobs_total = 0;
	stopped = 0;
	ngot = 0;
	total = 0;
	closed = 0;
	reader_main(NULL);
	check_jobs(f.p, f.n, mode, lit, src[1].linked);

	for (i = 0; i < ngot; i++)
		job_free(got[i]);
	if (own_re)
		regfree(&re);
	return 0;
}
