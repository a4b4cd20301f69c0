/*
 * reader.c - the reader thread: turns the input sources into numbered jobs
 * and pushes them onto the bounded queue, blocking while it is full, so
 * jobs start before the input ends and memory does not grow with it.
 *
 * One source streams, n items per job (-n), or as many as the argument
 * limit allows (-X, -m; the template says what an item costs).  Several
 * form the cartesian product (first source slowest, as GNU parallel);
 * sources linked by :::+ or ::::+ are taken element by element, up to the
 * shortest; with --link all are, and shorter ones wrap around.  The first
 * source streams when it is on its own; the others are read into memory.
 *
 * --shuf and {##} need every job before the first starts: the jobs then go
 * to a spool file (8 bytes of memory each), and from there to the queue,
 * shuffled or not.  --retry-failed takes its jobs from the job log.
 *
 * reader_init runs in the main thread before any other: with --header it
 * reads the first line of each source, which names the columns.  Under
 * --pipe the input is data, cut into blocks by pipe.c.
 */
#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

/* Items of one source, read in pieces. */
struct rd {
	const struct source	*src;
	int			 fd;
	char			*buf;
	size_t			 start, end;
	int			 eof;
	int			 word;		/* next SRC_WORDS index */
	struct strbuf		 item;
};

/* All items of one source, kept in memory. */
struct list {
	struct strbuf	 data;
	size_t		*off;
	size_t		*len;
	size_t		 n;
};

/* Items held for the next job (-n, -X, -m). */
struct held {
	struct strbuf	*it;
	char		**items;
	size_t		*lens;
	int		 n;
	int		 cap;
};

#define RDBUF	(64 * 1024)

unsigned long long jobs_total;
static unsigned long long nextseq = 1;
static unsigned long long npushed;
static const struct tmpl *cmdtmpl;
static struct rd *rds;			/* one per source, once opened */
static char **names;			/* --header */
static int nnames;

/* The spool of --shuf and {##}. */
static struct {
	int		 on;
	int		 fd;
	off_t		 end;
	off_t		*off;		/* where each job starts */
	size_t		 n;
	struct strbuf	 buf;		/* not written yet */
} sp = { .fd = -1 };

static void
rd_open(struct rd *r, const struct source *src)
{
	memset(r, 0, sizeof(*r));
	r->src = src;
	r->fd = -1;
	if (src->type == SRC_WORDS)
		return;
	if (src->type == SRC_STDIN)
		r->fd = 0;
	else if ((r->fd = open(src->path, O_RDONLY | O_CLOEXEC)) == -1) {
		output_msgf("parx: cannot read %s: %s\n", src->path,
		    strerror(errno));
		r->eof = 1;
	}
	r->buf = xmalloc(RDBUF);
}

static void
rd_close(struct rd *r)
{
	if (r->fd > 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
	sb_free(&r->item);
}

/* Reads more of r's input into its buffer; 0 at the end. */
static int
rd_fill(struct rd *r)
{
	ssize_t got;

	if (r->eof)
		return 0;
	do
		got = io_read(r->fd, r->buf, RDBUF);
	/* A background parx reading the terminal: stopped, then on. */
	while (got == -1 && errno == EIO && stop_tty_read(r->fd));
	if (got == -1)
		output_msgf("parx: error reading %s: %s\n",
		    r->src->type == SRC_STDIN ? "standard input" :
		    r->src->path, strerror(errno));
	if (got <= 0) {
		r->eof = 1;
		return 0;
	}
	r->end = (size_t)got;
	return 1;
}

/* The next item of r, read from its buffer or file. */
static int
rd_item(struct rd *r, const char **p, size_t *n)
{
	char *d;
	size_t k;

	if (r->src->type == SRC_WORDS) {
		if (r->word >= r->src->nwords)
			return 0;
		*p = r->src->words[r->word];
		*n = strlen(*p);
		r->word++;
		return 1;
	}
	r->item.len = 0;
	for (;;) {
		d = memchr(r->buf + r->start, opts.delim, r->end - r->start);
		if (d != NULL) {
			k = (size_t)(d - (r->buf + r->start));
			if (r->item.len == 0) {
				*p = r->buf + r->start;
				*n = k;
			} else {
				sb_add(&r->item, r->buf + r->start, k);
				*p = r->item.s;
				*n = r->item.len;
			}
			r->start += k + 1;
			return 1;
		}
		sb_add(&r->item, r->buf + r->start, r->end - r->start);
		r->start = r->end = 0;
		if (!rd_fill(r))
			break;
	}
	if (r->item.len == 0)
		return 0;
	*p = r->item.s;
	*n = r->item.len;
	return 1;
}

/*
 * The next item of r in *p, *n (valid until the next call).  Returns 1,
 * or 0 at the end.  Items are terminated by the delimiter; a last item
 * without one still counts, but a trailing delimiter adds no empty item.
 * An item equal to the -E string ends the input.
 */
static int
rd_next(struct rd *r, const char **p, size_t *n)
{
	if (r->word < 0 || !rd_item(r, p, n))
		return 0;
	if (opts.eof_str != NULL && strlen(opts.eof_str) == *n &&
	    memcmp(opts.eof_str, *p, *n) == 0) {
		r->word = -1;		/* no more, whatever follows */
		return 0;
	}
	return 1;
}

static void
list_read(struct list *l, struct rd *r)
{
	const char *p;
	size_t n;

	memset(l, 0, sizeof(*l));
	while (rd_next(r, &p, &n)) {
		if ((l->n & (l->n - 1)) == 0) {
			l->off = xrealloc(l->off, (l->n ? l->n * 2 : 1) *
			    sizeof(*l->off));
			l->len = xrealloc(l->len, (l->n ? l->n * 2 : 1) *
			    sizeof(*l->len));
		}
		l->off[l->n] = l->data.len;
		l->len[l->n] = n;
		l->n++;
		sb_add(&l->data, p, n);
	}
}

/* Splits every item of j into columns at --colsep matches. */
static void
split_cols(struct job *j)
{
	struct strbuf sb = { 0 };
	regmatch_t m;
	size_t *pos = NULL, ncols = 0, cap = 0, i, at, bytes;
	int k, flags;
	char **cols;

	for (k = 0; k < j->nitems; k++) {
		const char *s = j->items[k];

		at = 0;
		flags = 0;
		for (;;) {
			if (ncols + 1 >= cap) {
				cap = cap ? cap * 2 : 16;
				pos = xrealloc(pos, cap * 2 * sizeof(*pos));
			}
			pos[2 * ncols] = sb.len;
			if (regexec(&opts.colsep, s + at, 1, &m, flags) != 0 ||
			    m.rm_eo == m.rm_so) {
				sb_add(&sb, s + at, strlen(s + at));
				pos[2 * ncols + 1] = sb.len - pos[2 * ncols];
				sb_addc(&sb, '\0');
				ncols++;
				break;
			}
			sb_add(&sb, s + at, (size_t)m.rm_so);
			pos[2 * ncols + 1] = sb.len - pos[2 * ncols];
			sb_addc(&sb, '\0');
			ncols++;
			at += (size_t)m.rm_eo;
			flags = REG_NOTBOL;
		}
	}
	/* One block: pointers, lengths, then the column bytes. */
	bytes = ncols * (sizeof(char *) + sizeof(size_t));
	cols = xmalloc(bytes + sb.len + 1);
	j->cols = cols;
	j->collens = (size_t *)(cols + ncols);
	memcpy((char *)cols + bytes, sb.s, sb.len);
	for (i = 0; i < ncols; i++) {
		j->cols[i] = (char *)cols + bytes + pos[2 * i];
		j->collens[i] = pos[2 * i + 1];
	}
	j->ncols = (int)ncols;
	sb_free(&sb);
	free(pos);
}

static int	push_done(unsigned long long);

/* Makes job seq of the items and queues it; -1 once the queue is closed. */
static int
push(unsigned long long seq, char **items, size_t *lens, int n, int toolong)
{
	struct job *j = job_new(seq, items, lens, n);

	j->toolong = toolong;
	if (opts.has_colsep && !j->has_nul)
		split_cols(j);
	if (queue_push(j) == -1) {
		job_free(j);
		return -1;
	}
	if (opts.halt.percent)
		collect_read(++npushed);
	return 0;
}

static void
spool_flush(void)
{
	if (sp.buf.len == 0)
		return;
	if (sp.fd >= 0 && io_pwrite_all(sp.fd, sp.buf.s, sp.buf.len,
	    sp.end) == -1) {
		output_msgf("parx: cannot write a temporary file in %s: %s\n",
		    opts.tmpdir, strerror(errno));
		stop_request(STOP_FATAL, SIGTERM);
	}
	sp.end += (off_t)sp.buf.len;
	sp.buf.len = 0;
}

/* --shuf, {##}: job seq goes to the spool file instead of the queue. */
static int
spool_add(unsigned long long seq, char **items, size_t *lens, int n,
    int toolong)
{
	uint64_t hdr[3] = { seq, (uint64_t)n, (uint64_t)toolong }, len;
	int i;

	if (stop_requested())
		return -1;
	if ((sp.n & (sp.n - 1)) == 0)
		sp.off = xrealloc(sp.off, (sp.n ? sp.n * 2 : 1) *
		    sizeof(*sp.off));
	sp.off[sp.n++] = sp.end + (off_t)sp.buf.len;
	sb_add(&sp.buf, hdr, sizeof(hdr));
	for (i = 0; i < n; i++) {
		len = lens[i];
		sb_add(&sp.buf, &len, sizeof(len));
	}
	for (i = 0; i < n; i++)
		sb_add(&sp.buf, items[i], lens[i]);
	if (sp.buf.len >= RDBUF)
		spool_flush();
	return 0;
}

/* The next job; -1 once the queue is closed. */
static int
emit_job(char **items, size_t *lens, int n, int toolong)
{
	int rc;

	if (sp.on)
		rc = spool_add(nextseq, items, lens, n, toolong);
	else
		rc = push(nextseq, items, lens, n, toolong);
	if (rc == 0)
		nextseq++;
	return rc;
}

static int
emit(char **items, size_t *lens, int n)
{
	return emit_job(items, lens, n, 0);
}

static void
held_add(struct held *h, const char *p, size_t len)
{
	int c = h->cap;

	if (h->n == c) {
		c = c ? c * 2 : 16;
		h->it = xrealloc(h->it, c * sizeof(*h->it));
		memset(h->it + h->cap, 0, (c - h->cap) * sizeof(*h->it));
		h->items = xrealloc(h->items, c * sizeof(*h->items));
		h->lens = xrealloc(h->lens, c * sizeof(*h->lens));
		h->cap = c;
	}
	h->it[h->n].len = 0;
	sb_add(&h->it[h->n], p, len);
	h->n++;
}

/* Queues items [from, to) of h as one job; -1 once the queue is closed. */
static int
held_emit(struct held *h, int from, int to, int toolong)
{
	int i;

	for (i = from; i < to; i++) {
		h->items[i - from] = h->it[i].s;
		h->lens[i - from] = h->it[i].len;
	}
	return emit_job(h->items, h->lens, to - from, toolong);
}

static void
held_free(struct held *h)
{
	int i;

	for (i = 0; i < h->cap; i++)
		sb_free(&h->it[i]);
	free(h->it);
	free(h->items);
	free(h->lens);
}

/*
 * -X, -m at the end of the input: when fewer jobs ran than -j allows,
 * the last items are shared out among the free slots, as GNU parallel
 * does, instead of making one job of them.
 */
static int
held_spread(struct held *h, unsigned long long jobs_before)
{
	unsigned long long made = nextseq - jobs_before;
	int k, i, at = 0, size;

	if (opts.pack == PACK_NONE || made >= (unsigned long long)opts.jobs ||
	    h->n < 2)
		return held_emit(h, 0, h->n, 0);
	k = opts.jobs - (int)made;
	if (k > h->n)
		k = h->n;
	for (i = 0; i < k; i++) {
		size = h->n / k + (i < h->n % k);
		if (held_emit(h, at, at + size, 0) == -1)
			return -1;
		at += size;
	}
	return 0;
}

/* -X, -m: adds an item to the job being packed; -1 once closed. */
static int
pack_item(struct held *h, struct pack *pk, const char *p, size_t len)
{
	int r = tmpl_pack_add(cmdtmpl, pk, p, len);

	if (r == 0) {
		if (held_emit(h, 0, h->n, 0) == -1)
			return -1;
		h->n = 0;
		tmpl_pack_reset(cmdtmpl, pk);
		r = tmpl_pack_add(cmdtmpl, pk, p, len);
	}
	held_add(h, p, len);
	if (r > 0)
		return 0;
	/* Too long even alone: a job of its own, which -s makes fail. */
	r = held_emit(h, 0, h->n, opts.maxchars > 0);
	h->n = 0;
	tmpl_pack_reset(cmdtmpl, pk);
	return r;
}

/* One source: one item per job, up to -n, or packed (-X, -m). */
static void
read_single(struct rd *r)
{
	int max = opts.maxargs > 0 ? opts.maxargs : opts.pack ? 0 : 1;
	unsigned long long first = nextseq;
	struct held h = { 0 };
	struct pack pk;
	const char *p;
	size_t len;
	char *one;
	int stop = 0;

	if (opts.pack)
		tmpl_pack_init(cmdtmpl, &pk, opts.maxchars);
	while (!stop && rd_next(r, &p, &len)) {
		if (max == 1) {
			one = (char *)p;
			stop = emit(&one, &len, 1) == -1;
			continue;
		}
		if (opts.pack)
			stop = pack_item(&h, &pk, p, len) == -1;
		else
			held_add(&h, p, len);
		if (!stop && max > 0 && h.n == max) {
			stop = held_emit(&h, 0, h.n, 0) == -1;
			h.n = 0;
			if (opts.pack)
				tmpl_pack_reset(cmdtmpl, &pk);
		}
	}
	if (!stop && h.n > 0)
		held_spread(&h, first);
	if (opts.pack)
		tmpl_pack_free(&pk);
	held_free(&h);
}

/* The sources of a product: groups of linked sources, and their lists. */
struct multi {
	int		 ns;
	int		 ngroups;
	int		*gstart;	/* first source of each group, and ns */
	size_t		*glen;		/* tuples in each group */
	size_t		*idx;		/* the odometer */
	struct list	*l;
	char		**items;
	size_t		*lens;
};

/* Fills the items of group g for its tuple t. */
static void
group_items(struct multi *m, int g, size_t t)
{
	int s;

	for (s = m->gstart[g]; s < m->gstart[g + 1]; s++) {
		size_t k = opts.link ? t % m->l[s].n : t;

		m->items[s] = m->l[s].data.s + m->l[s].off[k];
		m->lens[s] = m->l[s].len[k];
	}
}

/*
 * Every combination of the groups after the first, with the first group's
 * items already in place; the last group varies fastest.
 */
static int
emit_rest(struct multi *m)
{
	int g;

	for (g = 1; g < m->ngroups; g++)
		m->idx[g] = 0;
	for (;;) {
		for (g = 1; g < m->ngroups; g++)
			group_items(m, g, m->idx[g]);
		if (emit(m->items, m->lens, m->ns) == -1)
			return -1;
		for (g = m->ngroups - 1; g >= 1; g--) {
			if (++m->idx[g] < m->glen[g])
				break;
			m->idx[g] = 0;
		}
		if (g < 1)
			return 0;
	}
}

/* Groups the sources: --link makes one group; :::+ joins the previous. */
static void
multi_groups(struct multi *m)
{
	int s;

	m->gstart = xcalloc(m->ns + 1, sizeof(*m->gstart));
	for (s = 0; s < m->ns; s++)
		if (s == 0 || (!opts.link && !opts.sources[s].linked))
			m->gstart[m->ngroups++] = s;
	m->gstart[m->ngroups] = m->ns;
	m->glen = xcalloc(m->ngroups, sizeof(*m->glen));
	m->idx = xcalloc(m->ngroups, sizeof(*m->idx));
	m->l = xcalloc(m->ns, sizeof(*m->l));
	m->items = xcalloc(m->ns, sizeof(*m->items));
	m->lens = xcalloc(m->ns, sizeof(*m->lens));
}

/* Reads the sources of group g; its length, 0 when it has no tuple. */
static size_t
multi_read(struct multi *m, int g)
{
	size_t len = 0;
	int s;

	for (s = m->gstart[g]; s < m->gstart[g + 1]; s++) {
		list_read(&m->l[s], &rds[s]);
		if (m->l[s].n == 0)
			return 0;
		if (s == m->gstart[g] || (opts.link ? m->l[s].n > len :
		    m->l[s].n < len))
			len = m->l[s].n;
	}
	return len;
}

static void
multi_free(struct multi *m)
{
	int s;

	for (s = 0; s < m->ns; s++) {
		sb_free(&m->l[s].data);
		free(m->l[s].off);
		free(m->l[s].len);
	}
	free(m->l);
	free(m->gstart);
	free(m->glen);
	free(m->idx);
	free(m->items);
	free(m->lens);
}

/* Several sources: the product of the groups of linked sources. */
static void
read_multi(void)
{
	struct multi m = { 0 };
	int g, stream;
	size_t t;
	const char *p;

	m.ns = opts.nsources;
	multi_groups(&m);
	/* A first group of one source streams. */
	stream = m.gstart[1] == 1;
	for (g = stream; g < m.ngroups; g++)
		if ((m.glen[g] = multi_read(&m, g)) == 0)
			goto out;
	if (stream) {
		while (rd_next(&rds[0], &p, &m.lens[0])) {
			m.items[0] = (char *)p;
			if (emit_rest(&m) == -1)
				break;
		}
		goto out;
	}
	for (t = 0; t < m.glen[0]; t++) {
		group_items(&m, 0, t);
		if (emit_rest(&m) == -1)
			break;
	}
out:
	multi_free(&m);
}

/*
 * --retry-failed: the failed jobs of the log, with their numbers and
 * logged commands; every other number up to the last one logged becomes
 * a job already done, so that -k and the counts stay in step.
 */
static void
read_joblog(void)
{
	const struct logent *e;
	unsigned long long seq, s;
	char *item;
	size_t i, len;

	for (i = 0; (e = joblog_at(i, &seq)) != NULL; i++) {
		for (s = nextseq; s < seq; s++)
			if (push_done(s) == -1)
				return;
		if (e->exitval == 0 && e->sig == 0) {
			if (push_done(seq) == -1)
				return;
		} else {
			item = e->cmd;
			len = strlen(item);
			if (push(seq, &item, &len, 1, 0) == -1)
				return;
		}
		nextseq = seq + 1;
	}
}

/* A number that needs no running: done already (--retry-failed). */
static int
push_done(unsigned long long seq)
{
	struct job *j = job_new(seq, NULL, NULL, 0);

	j->skip = 1;
	if (queue_push(j) == -1) {
		job_free(j);
		return -1;
	}
	return 0;
}

/* A random permutation of the spooled jobs (Fisher-Yates). */
static void
shuffle(off_t *a, size_t n)
{
	uint64_t x = 0;
	off_t t;
	size_t i, k;

	if (getrandom(&x, sizeof(x), GRND_NONBLOCK) != sizeof(x))
		x = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	x |= 1;
	for (i = n; i > 1; i--) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		k = (size_t)((x * 2685821657736338717ULL) % i);
		t = a[i - 1];
		a[i - 1] = a[k];
		a[k] = t;
	}
}

/* Reads spooled job k into buf; its items point into buf. */
static int
spool_read(size_t k, struct strbuf *buf, struct held *h, uint64_t *hdr)
{
	uint64_t len;
	size_t at;
	int i;

	if (io_pread(sp.fd, hdr, 3 * sizeof(*hdr), sp.off[k]) !=
	    (ssize_t)(3 * sizeof(*hdr)))
		return -1;
	buf->len = 0;
	sb_grow(buf, hdr[1] * sizeof(len));
	if (hdr[1] > 0 && io_pread(sp.fd, buf->s, hdr[1] * sizeof(len),
	    sp.off[k] + (off_t)(3 * sizeof(*hdr))) !=
	    (ssize_t)(hdr[1] * sizeof(len)))
		return -1;
	for (i = 0, at = 0; i < (int)hdr[1]; i++) {
		memcpy(&len, buf->s + i * sizeof(len), sizeof(len));
		held_add(h, "", 0);
		sb_grow(&h->it[i], len);
		if (len > 0 && io_pread(sp.fd, h->it[i].s, len, sp.off[k] +
		    (off_t)((3 + hdr[1]) * sizeof(len) + at)) != (ssize_t)len)
			return -1;
		h->it[i].len = len;
		h->it[i].s[len] = '\0';
		at += len;
	}
	return 0;
}

/* The spooled jobs go to the queue, shuffled with --shuf. */
static void
spool_replay(void)
{
	struct strbuf buf = { 0 };
	struct held h = { 0 };
	uint64_t hdr[3];
	size_t k;
	int i;

	spool_flush();
	jobs_total = sp.n;
	collect_total(sp.n);		/* known before any job runs */
	if (opts.shuf)
		shuffle(sp.off, sp.n);
	for (k = 0; k < sp.n && !stop_requested(); k++) {
		h.n = 0;
		if (spool_read(k, &buf, &h, hdr) == -1) {
			output_msgf("parx: cannot read back a temporary file: "
			    "%s\n", strerror(errno ? errno : EIO));
			stop_request(STOP_FATAL, SIGTERM);
			break;
		}
		for (i = 0; i < h.n; i++) {
			h.items[i] = h.it[i].s;
			h.lens[i] = h.it[i].len;
		}
		if (push(hdr[0], h.items, h.lens, h.n, (int)hdr[2]) == -1)
			break;
	}
	sb_free(&buf);
	held_free(&h);
	sb_free(&sp.buf);
	free(sp.off);
	close(sp.fd);
	memset(&sp, 0, sizeof(sp));
	sp.fd = -1;
}

static void
open_all(void)
{
	int s;

	if (rds != NULL)
		return;
	rds = xcalloc(opts.nsources, sizeof(*rds));
	for (s = 0; s < opts.nsources; s++)
		rd_open(&rds[s], &opts.sources[s]);
}

static void
close_all(void)
{
	int s;

	for (s = 0; rds != NULL && s < opts.nsources; s++)
		rd_close(&rds[s]);
	free(rds);
	rds = NULL;
}

static void
add_name(const char *p, size_t n)
{
	names = xrealloc(names, (nnames + 2) * sizeof(*names));
	names[nnames] = xmalloc(n + 1);
	memcpy(names[nnames], p, n);
	names[nnames][n] = '\0';
	names[++nnames] = NULL;
}

/* --header: the first item of each source names its columns. */
static void
read_headers(void)
{
	struct job *j;
	const char *p;
	size_t n;
	int s, k;

	open_all();
	for (s = 0; s < opts.nsources; s++) {
		if (!rd_next(&rds[s], &p, &n))
			continue;
		if (!opts.has_colsep || memchr(p, '\0', n) != NULL) {
			add_name(p, n);
			continue;
		}
		j = job_new(0, (char **)&p, &n, 1);
		split_cols(j);
		for (k = 0; k < j->ncols; k++)
			add_name(j->cols[k], j->collens[k]);
		job_free(j);
	}
}

/*
 * In the main thread, before any other: says so when items are to be
 * typed on a terminal, and reads the --header lines.
 */
void
reader_init(void)
{
	static const char hint[] = "parx: reading items from the terminal, "
	    "one per line; end them with Ctrl-D (or give them with :::, "
	    "::::, -a or a pipe)\n";
	static const char datahint[] = "parx: reading --pipe data from the "
	    "terminal; end it with Ctrl-D (or give it through a pipe)\n";
	int s;

	for (s = 0; s < opts.nsources; s++)
		if (opts.sources[s].type == SRC_STDIN && isatty(0)) {
			if (opts.pipe != PIPE_NONE)
				(void)io_write_all(2, datahint,
				    sizeof(datahint) - 1);
			else
				(void)io_write_all(2, hint, sizeof(hint) - 1);
			break;
		}
	if (opts.header && !opts.retry_failed && opts.pipe == PIPE_NONE)
		read_headers();
}

/* The column names of --header: names[0] is {1}'s. */
void
reader_names(char ***np, int *n)
{
	*np = names;
	*n = nnames;
}

/* An array task's jobs (slurm_submit.c), with the numbers they have. */
static const char *records;
static unsigned long long nrecords;

void
reader_records(const char *path)
{
	records = xstrdup(path);
}

static int
emit_record(unsigned long long seq, char **items, size_t *lens, int n)
{
	nrecords++;
	return push(seq, items, lens, n, 0);
}

static void *
reader_main(void *arg)
{
	(void)arg;
	if (records != NULL) {
		submit_task_read(records, emit_record);
		collect_total(nrecords);
		queue_close();
		return NULL;
	}
	if (opts.pipe != PIPE_NONE) {
		nextseq += pipe_read();
		collect_total(nextseq - 1);
		queue_close();
		return NULL;
	}
	if (opts.retry_failed) {
		read_joblog();
		collect_total(nextseq - 1);
		queue_close();
		return NULL;
	}
	open_all();
	sp.on = opts.shuf || (cmdtmpl != NULL && tmpl_has_total(cmdtmpl));
	if (sp.on && (sp.fd = tmpfile_open()) == -1) {
		output_msgf("parx: cannot make a temporary file in %s: %s\n",
		    opts.tmpdir, strerror(errno));
		stop_request(STOP_FATAL, SIGTERM);
		sp.on = 0;
	} else if (opts.nsources == 1)
		read_single(&rds[0]);
	else
		read_multi();
	close_all();
	if (sp.on)
		spool_replay();
	collect_total(nextseq - 1);
	queue_close();
	return NULL;
}

/* Returns 0, or the error starting the thread gave. */
int
reader_start(const struct tmpl *t)
{
	pthread_t tid;
	int rc;

	cmdtmpl = t;
	if ((rc = thread_start(&tid, reader_main, NULL, 0)) != 0)
		return rc;
	/* It may block on its input to the end: nobody waits for it. */
	pthread_detach(tid);
	return 0;
}
