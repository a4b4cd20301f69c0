/*
 * outbuf.c - the bytes of one stream of one job that are not printed yet:
 * kept in memory up to OUTBUF_MEMMAX, then spilled to an unlinked
 * temporary file in $TMPDIR, so a job printing gigabytes costs disk, not
 * memory.  If the file cannot be made or fills up, the rest stays in
 * memory (the "tail"): nothing is lost, and ob->err lets the worker say so.
 *
 * The bytes form one logical stream [0, total): the memory head, then the
 * file part, then the tail.  Bytes printed early (line-buffered or passed
 * through) are consumed from the front; once all are consumed the buffer
 * starts over, keeping its memory and file for reuse.  Under --results
 * (keep) they stay until the job's results are written; with
 * OUTBUF_WHOLE the spill file also gets a copy of the memory head when it
 * is made, so that it holds the whole stream and can be linked into the
 * results directory as it is.
 *
 * An outbuf belongs to its job, so to the one thread that owns the job:
 * the worker while it runs, then the collector.  No locks here.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

#define CHUNK	(64 * 1024)

void
outbuf_init(struct outbuf *ob)
{
	memset(ob, 0, sizeof(*ob));
	ob->fd = -1;
}

void
outbuf_free(struct outbuf *ob)
{
	free(ob->mem);
	free(ob->tail);
	if (ob->fd >= 0 && !ob->shared)
		close(ob->fd);
	outbuf_init(ob);
}

/* Empties ob, keeping its memory and its own file for the next bytes. */
static void
outbuf_reset(struct outbuf *ob)
{
	if (ob->fd >= 0 && ob->shared)
		ob->fd = -1;
	else if (ob->fd >= 0 && ob->filelen > 0 && ftruncate(ob->fd, 0) == -1) {
		close(ob->fd);
		ob->fd = -1;
	}
	ob->shared = 0;
	ob->memlen = ob->taillen = 0;
	ob->fileoff = ob->filelen = 0;
	ob->total = ob->head = 0;
}

/* An unlinked file in $TMPDIR, so nothing is left behind whatever ends us. */
int
tmpfile_open(void)
{
	struct strbuf sb = { 0 };
	int fd;

	fd = open(opts.tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
	    errno != EINVAL))
		return fd;
	sb_adds(&sb, opts.tmpdir);
	sb_adds(&sb, "/parx.XXXXXX");
	if ((fd = mkostemp(sb.s, O_CLOEXEC)) >= 0)
		unlink(sb.s);
	sb_free(&sb);
	return fd;
}

/* The first allocation fits; later ones double. */
static void
grow(char **p, size_t *cap, size_t need)
{
	size_t c = *cap ? *cap : need;

	while (c < need)
		c *= 2;
	if (c != *cap) {
		*p = xrealloc(*p, c);
		*cap = c;
	}
}

/*
 * Whether new bytes go to the spill file, which is made once memory is
 * full.  Bytes keep their order: head, then file, then tail, and the tail
 * is used only once the file failed.
 */
static int
to_file(struct outbuf *ob)
{
	if (ob->err != 0)
		return 0;
	if (ob->filelen > 0)
		return 1;
	if (ob->memlen < OUTBUF_MEMMAX)
		return 0;
	if (ob->fd >= 0)
		return 1;
	if ((ob->fd = tmpfile_open()) == -1) {
		ob->err = errno;
		return 0;
	}
	if (ob->keep == OUTBUF_WHOLE) {
		if (io_pwrite_all(ob->fd, ob->mem, ob->memlen, 0) == 0)
			ob->fileoff = (off_t)ob->memlen;
		else
			ob->keep = OUTBUF_KEEP;	/* it will be copied */
	}
	return 1;
}

/* Appends to memory: the head before any file, else the tail after it. */
static void
add_mem(struct outbuf *ob, const char *p, size_t n)
{
	if (ob->filelen == 0 && ob->taillen == 0) {
		grow(&ob->mem, &ob->memcap, ob->memlen + n);
		memcpy(ob->mem + ob->memlen, p, n);
		ob->memlen += n;
	} else {
		grow(&ob->tail, &ob->tailcap, ob->taillen + n);
		memcpy(ob->tail + ob->taillen, p, n);
		ob->taillen += n;
	}
	ob->total += n;
}

void
outbuf_add(struct outbuf *ob, const void *p, size_t n)
{
	if (n == 0)
		return;
	if (to_file(ob)) {
		if (io_pwrite_all(ob->fd, p, n, ob->fileoff + ob->filelen)
		    == 0) {
			ob->filelen += (off_t)n;
			ob->total += n;
			return;
		}
		/* Whatever pwrite did put there is overwritten or ignored. */
		ob->err = errno ? errno : EIO;
	}
	add_mem(ob, p, n);
}

/*
 * Reads once from fd into ob.  Returns the bytes read, 0 at end of file,
 * or -1 with errno (EAGAIN: nothing there now).  Once spilled, bytes go
 * from the pipe to the file with splice(2), never through user space.
 */
ssize_t
outbuf_fill(struct outbuf *ob, int fd)
{
	char buf[CHUNK];
	off_t at;
	ssize_t n;

	/*
	 * Small outputs are read on the stack and kept at their size, so
	 * thousands of finished jobs waiting under -k stay cheap; a buffer
	 * that has grown is read into directly.
	 */
	if (!to_file(ob) && ob->filelen == 0 && ob->taillen == 0 &&
	    ob->memcap - ob->memlen >= 4096) {
		if ((n = io_read(fd, ob->mem + ob->memlen,
		    ob->memcap - ob->memlen)) > 0) {
			ob->memlen += (size_t)n;
			ob->total += (size_t)n;
		}
		return n;
	}
	if (to_file(ob)) {
		at = ob->fileoff + ob->filelen;
		do
			n = splice(fd, NULL, ob->fd, &at, 1 << 20,
			    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		while (n == -1 && errno == EINTR);
		if (n >= 0) {
			ob->filelen += n;
			ob->total += (size_t)n;
			return n;
		}
		if (errno == EAGAIN)
			return -1;
		/* No splice here, or the file is full: read and add. */
	}
	if ((n = io_read(fd, buf, sizeof(buf))) > 0)
		outbuf_add(ob, buf, (size_t)n);
	return n;
}

/* Gives back what a finished job's buffer does not use. */
void
outbuf_shrink(struct outbuf *ob)
{
	if (outbuf_left(ob) == 0 && ob->fd >= 0 && !ob->shared) {
		close(ob->fd);
		ob->fd = -1;
	}
	if (ob->memcap > ob->memlen) {
		if (ob->memlen == 0) {
			free(ob->mem);
			ob->mem = NULL;
		} else
			ob->mem = xrealloc(ob->mem, ob->memlen);
		ob->memcap = ob->memlen;
	}
	if (ob->tailcap > ob->taillen) {
		ob->tail = xrealloc(ob->tail, ob->taillen);
		ob->tailcap = ob->taillen;
	}
}

/*
 * The contiguous piece of the stream that starts at logical offset at:
 * in memory (s->p) or in the file (s->fd at s->off).  Returns its length,
 * 0 at the end.
 */
size_t
outbuf_piece(const struct outbuf *ob, size_t at, struct piece *s)
{
	size_t flen = (size_t)ob->filelen;

	s->p = NULL;
	s->fd = -1;
	s->off = 0;
	if (at < ob->memlen) {
		s->p = ob->mem + at;
		return s->len = ob->memlen - at;
	}
	at -= ob->memlen;
	if (at < flen) {
		s->fd = ob->fd;
		s->off = ob->fileoff + (off_t)at;
		return s->len = flen - at;
	}
	at -= flen;
	if (at < ob->taillen) {
		s->p = ob->tail + at;
		return s->len = ob->taillen - at;
	}
	return s->len = 0;
}

/* Copies up to n bytes from logical offset at into buf. */
ssize_t
outbuf_read(const struct outbuf *ob, size_t at, char *buf, size_t n)
{
	struct piece s;

	if (outbuf_piece(ob, at, &s) == 0)
		return 0;
	if (n > s.len)
		n = s.len;
	if (s.p != NULL) {
		memcpy(buf, s.p, n);
		return (ssize_t)n;
	}
	return io_pread(s.fd, buf, n, s.off);
}

/* The first n bytes not yet consumed are printed: drop them. */
void
outbuf_consume(struct outbuf *ob, size_t n)
{
	ob->head += n;
	if (ob->head >= ob->total && !ob->keep)
		outbuf_reset(ob);
}

/*
 * Whether ob's spill file holds exactly its whole stream, from offset 0:
 * then it can be linked elsewhere as it is (see results.c).
 */
int
outbuf_whole_file(const struct outbuf *ob)
{
	struct stat st;

	return ob->keep == OUTBUF_WHOLE && ob->fd >= 0 && !ob->shared &&
	    ob->err == 0 && ob->taillen == 0 &&
	    ob->fileoff == (off_t)ob->memlen && fstat(ob->fd, &st) == 0 &&
	    st.st_size == ob->fileoff + ob->filelen;
}

/*
 * The results are written: printed bytes need not stay.  The spill file
 * may now be linked elsewhere, so it is closed, never reused (reuse
 * truncates it).
 */
void
outbuf_unkeep(struct outbuf *ob)
{
	int keep = ob->keep;

	ob->keep = 0;
	if (keep && ob->head >= ob->total)
		outbuf_free(ob);
}

/* Writes what is left to fd; -1 with errno (EPIPE, ...) on failure. */
int
outbuf_write(struct outbuf *ob, int fd)
{
	struct piece s;
	size_t at;

	for (at = ob->head; outbuf_piece(ob, at, &s) > 0; at += s.len) {
		if (s.p != NULL ? io_write_all(fd, s.p, s.len) :
		    io_copy_all(s.fd, s.off, (off_t)s.len, fd))
			return -1;
	}
	return 0;
}

/*
 * Moves what is left into the file fd (the collector's hold file) at
 * *end, and frees ob's memory and file: results waiting under -k then
 * cost a few bytes each.  Returns -1 (ob unchanged) if the file cannot
 * take it.
 */
int
outbuf_move(struct outbuf *ob, int fd, off_t *end)
{
	char buf[CHUNK];
	size_t at, left = ob->total - ob->head;
	off_t to = *end;
	ssize_t n;

	for (at = ob->head; at < ob->total; at += (size_t)n, to += n) {
		if ((n = outbuf_read(ob, at, buf, sizeof(buf))) <= 0)
			return -1;
		if (io_pwrite_all(fd, buf, (size_t)n, to) == -1)
			return -1;
	}
	free(ob->mem);
	free(ob->tail);
	if (ob->fd >= 0 && !ob->shared)
		close(ob->fd);
	ob->mem = ob->tail = NULL;
	ob->memlen = ob->memcap = ob->taillen = ob->tailcap = 0;
	ob->fd = fd;
	ob->shared = 1;
	ob->fileoff = *end;
	ob->filelen = (off_t)left;
	ob->total = left;
	ob->head = 0;
	*end = to;
	return 0;
}
