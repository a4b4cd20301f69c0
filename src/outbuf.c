/*
 * outbuf.c - the output of one stream of one job: kept in memory up to
 * OUTBUF_MEMMAX, then spilled to an unlinked temporary file in $TMPDIR, so
 * a job printing gigabytes costs disk, not memory.  If the file cannot be
 * made or fills up, the rest stays in memory (the "tail"): nothing is
 * lost, and ob->err lets the worker say so.
 *
 * An outbuf belongs to its job, so to the one thread that owns the job:
 * the worker while it runs, then the collector.  No locks here.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
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

/* The first allocation fits; later ones double, up to the spill limit. */
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

/* Whether new bytes go to the spill file (made when memory is full). */
static int
to_file(struct outbuf *ob)
{
	if (ob->err != 0)
		return 0;
	if (ob->fd >= 0)
		return 1;
	if (ob->memlen < OUTBUF_MEMMAX)
		return 0;
	if ((ob->fd = tmpfile_open()) == -1) {
		ob->err = errno;
		return 0;
	}
	return 1;
}

/* Appends to memory: the head before any file, else the tail after it. */
static void
add_mem(struct outbuf *ob, const char *p, size_t n)
{
	if (ob->fd < 0) {
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

int
outbuf_add(struct outbuf *ob, const void *p, size_t n)
{
	size_t w;

	if (n == 0)
		return 0;
	if (to_file(ob)) {
		w = write_full(ob->fd, p, n);
		ob->filelen += (off_t)w;
		ob->total += w;
		if (w == n)
			return 0;
		ob->err = errno ? errno : EIO;
		p = (const char *)p + w;
		n -= w;
	}
	add_mem(ob, p, n);
	return 0;
}

/*
 * Reads once from fd into ob.  Returns the bytes read, 0 at end of file,
 * or -1 with errno.  Once spilled, bytes go from the pipe to the file
 * with splice(2) where it works, never passing through user space.
 */
ssize_t
outbuf_fill(struct outbuf *ob, int fd)
{
	char buf[CHUNK];
	ssize_t n;

	/*
	 * Small outputs are read on the stack and kept at their size, so
	 * thousands of finished jobs waiting under -k stay cheap; a buffer
	 * that has grown is read into directly.
	 */
	if (!to_file(ob) && ob->fd < 0 && ob->memcap - ob->memlen >= 4096) {
		do
			n = read(fd, ob->mem + ob->memlen,
			    ob->memcap - ob->memlen);
		while (n == -1 && errno == EINTR);
		if (n <= 0)
			return n;
		ob->memlen += (size_t)n;
		ob->total += (size_t)n;
		return n;
	}
	if (ob->err != 0 || ob->fd < 0) {
		do
			n = read(fd, buf, sizeof(buf));
		while (n == -1 && errno == EINTR);
		if (n > 0)
			add_mem(ob, buf, (size_t)n);
		return n;
	}
	do
		n = splice(fd, NULL, ob->fd, NULL, 1 << 20, SPLICE_F_MOVE);
	while (n == -1 && errno == EINTR);
	if (n > 0) {
		ob->filelen += n;
		ob->total += (size_t)n;
		return n;
	}
	if (n == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS && errno != ENOSPC &&
	    errno != EIO && errno != EDQUOT && errno != EFBIG)
		return -1;
	do
		n = read(fd, buf, sizeof(buf));
	while (n == -1 && errno == EINTR);
	if (n > 0)
		outbuf_add(ob, buf, (size_t)n);
	return n;
}

/* Gives back memory a finished job's buffer does not use. */
void
outbuf_shrink(struct outbuf *ob)
{
	if (ob->memcap > ob->memlen && ob->fd < 0) {
		if (ob->memlen == 0) {
			free(ob->mem);
			ob->mem = NULL;
		} else
			ob->mem = xrealloc(ob->mem, ob->memlen);
		ob->memcap = ob->memlen;
	}
}

/* Copies bytes [off, off+n) of the logical stream into buf. */
ssize_t
outbuf_read(const struct outbuf *ob, size_t off, char *buf, size_t n)
{
	size_t flen = (size_t)ob->filelen;
	ssize_t r;

	if (off < ob->memlen) {
		if (n > ob->memlen - off)
			n = ob->memlen - off;
		memcpy(buf, ob->mem + off, n);
		return (ssize_t)n;
	}
	off -= ob->memlen;
	if (off < flen) {
		if (n > flen - off)
			n = flen - off;
		do
			r = pread(ob->fd, buf, n, ob->fileoff + (off_t)off);
		while (r == -1 && errno == EINTR);
		return r;
	}
	off -= flen;
	if (off >= ob->taillen)
		return 0;
	if (n > ob->taillen - off)
		n = ob->taillen - off;
	memcpy(buf, ob->tail + off, n);
	return (ssize_t)n;
}

/* Copies the file part to fd: sendfile(2), or read and write. */
static int
copy_file(const struct outbuf *ob, int fd)
{
	off_t off = ob->fileoff, end = ob->fileoff + ob->filelen;
	char buf[CHUNK];
	ssize_t n;

	while (off < end) {
		n = sendfile(fd, ob->fd, &off, (size_t)(end - off));
		if (n == -1 && errno == EINTR)
			continue;
		if (n > 0)
			continue;
		if (n == 0 || (errno != EINVAL && errno != ENOSYS))
			return -1;
		break;
	}
	while (off < end) {
		n = pread(ob->fd, buf, (size_t)(end - off) < sizeof(buf) ?
		    (size_t)(end - off) : sizeof(buf), off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		if (write_full(fd, buf, (size_t)n) != (size_t)n)
			return -1;
		off += n;
	}
	return 0;
}

/* Writes the whole stream to fd; -1 with errno (EPIPE, ...) on failure. */
int
outbuf_write(struct outbuf *ob, int fd)
{
	if (ob->memlen > 0 && write_full(fd, ob->mem, ob->memlen) != ob->memlen)
		return -1;
	if (ob->filelen > 0 && copy_file(ob, fd) == -1)
		return -1;
	if (ob->taillen > 0 &&
	    write_full(fd, ob->tail, ob->taillen) != ob->taillen)
		return -1;
	return 0;
}

/*
 * Moves everything into the file fd (the collector's hold file) at *end,
 * and frees ob's memory and file: results waiting under -k then cost a
 * few bytes each.  Returns -1 (ob unchanged) if the file cannot take it.
 */
int
outbuf_move(struct outbuf *ob, int fd, off_t *end)
{
	char buf[CHUNK];
	size_t off = 0;
	off_t at = *end;
	ssize_t n;

	while (off < ob->total) {
		if ((n = outbuf_read(ob, off, buf, sizeof(buf))) <= 0)
			return -1;
		if (pwrite(fd, buf, (size_t)n, at) != n)
			return -1;
		off += (size_t)n;
		at += n;
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
	ob->filelen = (off_t)ob->total;
	*end = at;
	return 0;
}
