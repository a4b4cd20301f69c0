/*
 * reader.c - the reader thread: turns the input sources into numbered jobs
 * and pushes them onto the bounded queue, blocking while it is full, so
 * jobs start before the input ends and memory does not grow with it.
 *
 * One source streams.  Several form the cartesian product (first source
 * slowest, as GNU parallel): the first streams and the others are read
 * into memory first; with --link all are read into memory.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

#define RDBUF	(64 * 1024)

static unsigned long long nextseq = 1;

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
	free(r->buf);
	sb_free(&r->item);
}

/*
 * The next item of r in *p, *n (valid until the next call).  Returns 1,
 * or 0 at the end.  Items are terminated by the delimiter; a last item
 * without one still counts, but a trailing delimiter adds no empty item.
 */
static int
rd_next(struct rd *r, const char **p, size_t *n)
{
	char *d;
	ssize_t got;

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
			size_t k = (size_t)(d - (r->buf + r->start));

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
		if (r->eof)
			break;
		got = io_read(r->fd, r->buf, RDBUF);
		if (got == -1)
			output_msgf("parx: error reading %s: %s\n",
			    r->src->type == SRC_STDIN ? "standard input" :
			    r->src->path, strerror(errno));
		if (got <= 0)
			r->eof = 1;
		else
			r->end = (size_t)got;
	}
	if (r->item.len == 0)
		return 0;
	*p = r->item.s;
	*n = r->item.len;
	return 1;
}

static void
list_read(struct list *l, const struct source *src)
{
	struct rd r;
	const char *p;
	size_t n;

	memset(l, 0, sizeof(*l));
	rd_open(&r, src);
	while (rd_next(&r, &p, &n)) {
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
	rd_close(&r);
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

/* Makes a job of the items and queues it; -1 once the queue is closed. */
static int
emit(char **items, size_t *lens, int n)
{
	struct job *j = job_new(nextseq, items, lens, n);

	if (opts.has_colsep && !j->has_nul)
		split_cols(j);
	if (queue_push(j) == -1) {
		job_free(j);
		return -1;
	}
	nextseq++;
	return 0;
}

/*
 * Makes the next -n group of items room for one more; the arrays grow as
 * items come, so a large -n costs nothing up front.
 */
static void
group_grow(struct strbuf **held, char ***items, size_t **lens, int *cap,
    int n)
{
	int c = *cap;

	if (n < c)
		return;
	c = c ? c * 2 : 16;
	*held = xrealloc(*held, c * sizeof(**held));
	memset(*held + *cap, 0, (c - *cap) * sizeof(**held));
	*items = xrealloc(*items, c * sizeof(**items));
	*lens = xrealloc(*lens, c * sizeof(**lens));
	*cap = c;
}

/* Queues the n items held; -1 once the queue is closed. */
static int
emit_held(struct strbuf *held, char **items, size_t *lens, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		items[i] = held[i].s;
		lens[i] = held[i].len;
	}
	return emit(items, lens, n);
}

/* One source, up to -n items per job. */
static void
read_single(const struct source *src)
{
	int max = opts.maxargs > 0 ? opts.maxargs : 1, n = 0, cap = 0, i;
	struct strbuf *held = NULL;
	char **items = NULL, *one;
	size_t *lens = NULL, onelen;
	struct rd r;
	const char *p;
	size_t len;
	int stop = 0;

	rd_open(&r, src);
	while (!stop && rd_next(&r, &p, &len)) {
		if (max == 1) {
			one = (char *)p;
			onelen = len;
			stop = emit(&one, &onelen, 1) == -1;
			continue;
		}
		group_grow(&held, &items, &lens, &cap, n);
		held[n].len = 0;
		sb_add(&held[n], p, len);
		if (++n == max) {
			stop = emit_held(held, items, lens, n) == -1;
			n = 0;
		}
	}
	if (!stop && n > 0)
		emit_held(held, items, lens, n);
	rd_close(&r);
	for (i = 0; i < cap; i++)
		sb_free(&held[i]);
	free(held);
	free(items);
	free(lens);
}

/* Several sources: the product, or with --link element by element. */
static void
read_multi(void)
{
	int ns = opts.nsources, first = opts.link ? 0 : 1, s;
	struct list *l = xcalloc(ns, sizeof(*l));
	size_t *idx = xcalloc(ns, sizeof(*idx)), total = 0, i;
	char **items = xcalloc(ns, sizeof(*items));
	size_t *lens = xcalloc(ns, sizeof(*lens));
	struct rd r;
	const char *p;
	size_t n;

	for (s = first; s < ns; s++) {
		list_read(&l[s], &opts.sources[s]);
		if (l[s].n > total)
			total = l[s].n;
		if (l[s].n == 0)
			goto out;	/* an empty source: no combination */
	}
	if (opts.link) {
		for (i = 0; i < total; i++) {
			for (s = 0; s < ns; s++) {
				size_t k = i % l[s].n;

				items[s] = l[s].data.s + l[s].off[k];
				lens[s] = l[s].len[k];
			}
			if (emit(items, lens, ns) == -1)
				goto out;
		}
		goto out;
	}
	rd_open(&r, &opts.sources[0]);
	while (rd_next(&r, &p, &n)) {
		items[0] = (char *)p;
		lens[0] = n;
		memset(idx, 0, ns * sizeof(*idx));
		for (;;) {
			for (s = 1; s < ns; s++) {
				items[s] = l[s].data.s + l[s].off[idx[s]];
				lens[s] = l[s].len[idx[s]];
			}
			if (emit(items, lens, ns) == -1)
				goto done;
			/* The last source varies fastest. */
			for (s = ns - 1; s >= 1; s--) {
				if (++idx[s] < l[s].n)
					break;
				idx[s] = 0;
			}
			if (s < 1)
				break;
		}
	}
done:
	rd_close(&r);
out:
	for (s = 0; s < ns; s++) {
		sb_free(&l[s].data);
		free(l[s].off);
		free(l[s].len);
	}
	free(l);
	free(idx);
	free(items);
	free(lens);
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
	int rc;

	nextseq = seq;
	rc = emit(items, lens, n);
	nrecords++;
	return rc;
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
	if (opts.nsources == 1)
		read_single(&opts.sources[0]);
	else
		read_multi();
	collect_total(nextseq - 1);
	queue_close();
	return NULL;
}

/* Returns 0, or the error starting the thread gave. */
int
reader_start(void)
{
	pthread_t tid;
	int rc;

	if ((rc = thread_start(&tid, reader_main, NULL, 0)) != 0)
		return rc;
	/* It may block on its input to the end: nobody waits for it. */
	pthread_detach(tid);
	return 0;
}
