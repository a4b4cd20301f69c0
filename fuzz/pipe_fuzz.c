/*
 * pipe_fuzz.c - libFuzzer harness for the block cutting of src/pipe.c:
 * the stream reader (read_stream: cut_size, cut_forward, the carry
 * between blocks), the file reader (read_file: file_last and file_next
 * over a window made small on purpose, so that matches straddle it) as
 * --pipe and as --pipe-part cut, and the --header of both.
 *
 * pipe.c is compiled into this file; block.c, io.c and util.c are linked
 * as they are.  The job queue is a stub that records each block.
 *
 * Input: a byte of options (record end and start from a small set that
 * includes self-overlapping ones, or taken from the input), the block
 * size, -N, --header and the window size, then the data.
 *
 * Beyond ASan and UBSan it checks that the readers cut exactly where a
 * plain reference scan says (--pipe: the last boundary within the block
 * size, else the first after; --pipe-part: the first boundary at or after
 * each multiple of the block size; N records with -N), that the blocks
 * put together are the input, and that a --header beyond the input is
 * refused.
 */
#include <sys/mman.h>

#include <errno.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/parx.h"
#include "common.h"

struct opts opts;

static jmp_buf usage_jmp;

void
usage_error(const char *fmt, ...)
{
	(void)fmt;
	longjmp(usage_jmp, 1);
}

void
output_msgf(const char *fmt, ...)
{
	(void)fmt;
}

int
stop_requested(void)
{
	return 0;
}

/* The input here is never a terminal. */
int
stop_tty_read(int fd)
{
	(void)fd;
	return 0;
}

#include "../src/pipe.c"

/* The cuts the reader made: block starts and lengths, in order. */
static size_t cuts[4096], ncuts;
static int too_many;

struct job *
job_new(unsigned long long seq, char **items, size_t *lens, int n)
{
	(void)seq;
	(void)items;
	(void)lens;
	(void)n;
	return xcalloc(1, sizeof(struct job));
}

void
job_free(struct job *j)
{
	block_free(j->block);
	free(j);
}

int
queue_push(struct job *j)
{
	if (ncuts == sizeof(cuts) / sizeof(cuts[0])) {
		too_many = 1;
		return -1;
	}
	cuts[ncuts++] = j->block->len;
	job_free(j);
	return 0;
}

static const char *const pats[] = {
	"", "\n", "\n\n", "ab", "aa", "aba", "\n>", ">", "abab", "x"
};
#define NPATS	(sizeof(pats) / sizeof(pats[0]))

/* The reference: does the pattern occur at m of d[0..n)? */
static int
occurs(const char *d, size_t n, size_t m)
{
	return m + in.plen <= n && memcmp(d + m, in.pat, in.plen) == 0;
}

/* Forward: after k records from the start, or the end (k counted down). */
static size_t
ref_forward(const char *d, size_t n, size_t m, long *k)
{
	size_t last = 0;

	for (; m + in.plen <= n; m++)
		if (occurs(d, n, m)) {
			last = m + in.elen;
			if (--*k == 0)
				return last;
			m = last + (in.elen == 0) - 1;
		}
	if (n > last)
		--*k;
	return n;
}

/*
 * --pipe-part: where the block starting at start of d[0..n), the data
 * after the header, ends.
 */
static size_t
ref_grid(const char *d, size_t n, size_t start)
{
	size_t grid = (start / in.size + 1) * in.size, lo;
	long k = 1;

	if (opts.nrec > 0) {
		k = opts.nrec;
		return start + ref_forward(d + start, n - start,
		    in.elen == 0, &k);
	}
	if (grid > n)
		return n;
	lo = grid > in.elen ? grid - in.elen : 0;
	if (lo < start + (in.elen == 0))
		lo = start + (in.elen == 0);
	return start + ref_forward(d + start, n - start, lo - start, &k);
}

/* Where the block that starts d[0..n), the rest of the input, ends. */
static size_t
ref_cut(const char *d, size_t n)
{
	size_t size = in.size, m, lo = in.elen == 0;
	long k = opts.nrec > 0 ? opts.nrec : 1;

	if (opts.nrec > 0)
		return ref_forward(d, n, lo, &k);
	if (n <= size)
		return n;
	if (in.plen == 0)
		return size;
	if (size >= in.elen + lo)
		for (m = size - in.elen + 1; m-- > lo;)
			if (occurs(d, n, m))
				return m + in.elen;
	m = size + 1 > in.elen ? size + 1 - in.elen : 0;
	return ref_forward(d, n, m, &k);
}

static void
set_pattern(struct fin *f, int opt)
{
	const char *e = pats[opt % NPATS], *s = pats[(opt / NPATS) % NPATS];
	char buf[2][4];
	int i;

	if (opt >= 200) {
		/* Bytes from the input: one or two each. */
		for (i = 0; i < 2; i++) {
			buf[i][0] = (char)fin_byte(f);
			buf[i][1] = (char)fin_byte(f);
			buf[i][2] = '\0';
		}
		e = buf[0];
		s = buf[1];
	}
	in.elen = strlen(e);
	in.plen = in.elen + strlen(s);
	in.pat = xmalloc(in.plen + 1);
	memcpy(in.pat, e, in.elen);
	memcpy(in.pat + in.elen, s, in.plen - in.elen + 1);
}

/* Runs one reader over data in fd; the cuts land in cuts[]. */
static int
run_reader(int fd, int file, size_t winsz, const uint8_t *d, size_t n)
{
	size_t size = in.size, i, at;
	char *pat = in.pat;
	int beyond = 0;

	memset(&in, 0, sizeof(in));
	in.fd = fd;
	in.name = "input";
	in.pat = pat;
	in.size = size;
	ncuts = 0;
	lseek(fd, 0, SEEK_SET);
	if ((in.file = file)) {
		in.end = (off_t)n;
		in.winsz = winsz;
		in.win = xmalloc(winsz);
	}
	if (setjmp(usage_jmp) == 0) {
		if (opts.header > 0)
			file ? header_file() : header_stream();
		pipe_read();
	} else
		beyond = 1;
	at = in.header != NULL ? in.header->len : 0;
	if (!beyond)
		for (i = 0; i < ncuts; i++) {
			CHECK(cuts[i] > 0, "empty block %zu", i);
			at += cuts[i];
		}
	CHECK(beyond || too_many || at == n, "blocks make %zu bytes of %zu",
	    at, n);
	(void)d;
	block_free(in.header);
	sb_free(&in.carry);
	free(in.win);
	in.pat = pat;
	return beyond;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int inited;
	static size_t stream[4096], nstream, asfile[4096], nasfile;
	struct fin f = { data, size };
	int opt = fin_byte(&f), bs = fin_byte(&f), nr = fin_byte(&f), fd;
	int hd, winb, beyond[3];
	size_t winsz, at, i, want, h;
	long k;

	if (!inited) {
		opts.jobs = 1;
		block_init(-1, 1, 4096);
		inited = 1;
	}
	set_pattern(&f, opt);
	hd = fin_byte(&f);
	winb = fin_byte(&f);
	in.size = 1 + bs % 64;
	opts.nrec = nr % 4 == 0 ? nr / 4 % 6 : 0;
	opts.header = hd % 4 == 0 ? hd / 4 % 4 : 0;
	winsz = in.plen * 2 + 1 + winb % 32;
	fd = memfd_create("pipe-fuzz", 0);
	CHECK(fd >= 0 && write(fd, f.p, f.n) == (ssize_t)f.n, "memfd");
	too_many = 0;
	beyond[0] = run_reader(fd, 0, 0, f.p, f.n);
	memcpy(stream, cuts, ncuts * sizeof(*cuts));
	nstream = ncuts;
	opts.pipe = PIPE_STREAM;
	beyond[1] = run_reader(fd, 1, winsz, f.p, f.n);
	memcpy(asfile, cuts, ncuts * sizeof(*cuts));
	nasfile = ncuts;
	opts.pipe = PIPE_PART;
	beyond[2] = run_reader(fd, 1, winsz, f.p, f.n);
	close(fd);
	/* The reference: the header, then block after block. */
	at = 0;
	k = opts.header;
	if (opts.header > 0) {
		at = ref_forward((const char *)f.p, f.n, in.elen == 0, &k);
		CHECK(beyond[0] == (k > 0 && f.n > 0) &&
		    beyond[1] == beyond[0] && beyond[2] == beyond[0],
		    "--header %ld beyond %zu bytes: %d %d %d", opts.header,
		    f.n, beyond[0], beyond[1], beyond[2]);
	}
	if (beyond[0] || too_many)
		goto out;
	for (i = 0, h = at; at < f.n; i++) {
		want = ref_cut((const char *)f.p + at, f.n - at);
		CHECK(i < nstream && stream[i] == want, "stream block %zu: "
		    "%zu, not %zu", i, i < nstream ? stream[i] : 0, want);
		CHECK(i < nasfile && asfile[i] == want, "file block %zu: "
		    "%zu, not %zu", i, i < nasfile ? asfile[i] : 0, want);
		at += want;
	}
	CHECK(i == nstream && i == nasfile, "blocks: %zu, %zu, reference %zu",
	    nstream, nasfile, i);
	for (i = 0, at = 0; h + at < f.n; i++) {
		want = ref_grid((const char *)f.p + h, f.n - h, at) - at;
		CHECK(i < ncuts && cuts[i] == want, "--pipe-part block %zu: "
		    "%zu, not %zu", i, i < ncuts ? cuts[i] : 0, want);
		at += want;
	}
	CHECK(i == ncuts, "--pipe-part blocks: %zu, reference %zu", ncuts, i);
out:
	free(in.pat);
	in.pat = NULL;
	return 0;
}
