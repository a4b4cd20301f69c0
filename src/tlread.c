/*
 * tlread.c - reading one line of a job log for parx-timeline: GNU
 * parallel's tab-separated format (parx's --joblog) or JSON lines, one
 * object per job (parx's JSON job log).
 *
 * Pure functions of the line; the caller owns the buffers decoded JSON
 * strings go to.  Nothing here trusts the input: every number is checked
 * for its range, JSON nesting is bounded, and a line that is not a job
 * record gives -1.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "parx.h"

#define JSON_DEPTH	64
#define SEQ_MAX		9007199254740992.0	/* 2^53: exact in a double */

static const char header[] = "Seq\tHost\tStarttime\tJobRuntime\t";

/* Whether the line is the header of a tab-separated job log. */
int
tlread_header(const char *s, size_t n)
{
	return n >= sizeof(header) - 1 &&
	    memcmp(s, header, sizeof(header) - 1) == 0;
}

/* A decimal number as the log writes it ("  0.004", "-1"), into *v. */
static int
tsv_num(const char *p, size_t n, double *v)
{
	char	 buf[64], *end;
	size_t	 i = 0, digits = 0;

	while (i < n && p[i] == ' ')
		i++;
	p += i;
	n -= i;
	i = n > 0 && p[0] == '-';
	for (; i < n && p[i] >= '0' && p[i] <= '9'; i++)
		digits++;
	if (i < n && p[i] == '.')
		for (i++; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			digits++;
	if (i != n || digits == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return errno == ERANGE && (*v > 1 || *v < -1) ? -1 : 0;
}

/* A whole number in [lo, hi]. */
static int
tsv_int(const char *p, size_t n, double lo, double hi, double *v)
{
	if (tsv_num(p, n, v) == -1 || *v < lo || *v > hi ||
	    *v != (double)(long long)*v)
		return -1;
	return 0;
}

/*
 * Parses one line (no newline) of GNU parallel's job log: Seq, Host,
 * Starttime, JobRuntime, Send, Receive, Exitval, Signal, Command (the rest
 * of the line).  Strings in j point into s.  Returns 0, or -1.
 */
int
tlread_tsv(const char *s, size_t n, struct tljob *j)
{
	const char	*f[8], *end = s + n, *p = s, *tab;
	size_t		 flen[8];
	double		 v[8];
	int		 i;

	for (i = 0; i < 8; i++) {
		if ((tab = memchr(p, '\t', (size_t)(end - p))) == NULL)
			return -1;
		f[i] = p;
		flen[i] = (size_t)(tab - p);
		p = tab + 1;
	}
	if (tsv_int(f[0], flen[0], 1, SEQ_MAX, &v[0]) == -1 || flen[1] == 0 ||
	    tsv_num(f[2], flen[2], &v[2]) == -1 ||
	    tsv_num(f[3], flen[3], &v[3]) == -1 ||
	    tsv_num(f[4], flen[4], &v[4]) == -1 ||
	    tsv_num(f[5], flen[5], &v[5]) == -1 ||
	    tsv_int(f[6], flen[6], INT_MIN, INT_MAX, &v[6]) == -1 ||
	    tsv_int(f[7], flen[7], 0, INT_MAX, &v[7]) == -1)
		return -1;
	memset(j, 0, sizeof(*j));
	j->seq = (unsigned long long)v[0];
	j->host = f[1];
	j->hostlen = flen[1];
	j->start = v[2];
	j->runtime = v[3];
	j->exitval = (int)v[6];
	j->sig = (int)v[7];
	j->cmd = p;
	j->cmdlen = (size_t)(end - p);
	return 0;
}

/* A cursor over one line of JSON. */
struct jp {
	const char	*p;
	const char	*end;
	int		 depth;
};

static void
jws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
jlit(struct jp *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int
jdigits(struct jp *j)
{
	const char *p = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > p ? 0 : -1;
}

/* A number, as JSON spells it. */
static int
jnum(struct jp *j, double *v)
{
	const char	*p = j->p;
	char		 buf[128], *end;

	if (j->p < j->end && *j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (jdigits(j) == -1)
		return -1;
	if (j->p < j->end && *j->p == '.' && (j->p++, jdigits(j) == -1))
		return -1;
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (jdigits(j) == -1)
			return -1;
	}
	if ((size_t)(j->p - p) >= sizeof(buf))
		return -1;
	memcpy(buf, p, (size_t)(j->p - p));
	buf[j->p - p] = '\0';
	errno = 0;
	*v = strtod(buf, &end);
	return errno == ERANGE && (*v > 1 || *v < -1) ? -1 : 0;
}

static int
jhex4(struct jp *j, unsigned long *c)
{
	int i, d;

	if (j->end - j->p < 4)
		return -1;
	for (*c = 0, i = 0; i < 4; i++) {
		d = (unsigned char)j->p[i];
		if (d >= '0' && d <= '9')
			d -= '0';
		else if ((d | 0x20) >= 'a' && (d | 0x20) <= 'f')
			d = (d | 0x20) - 'a' + 10;
		else
			return -1;
		*c = *c << 4 | (unsigned long)d;
	}
	j->p += 4;
	return 0;
}

/* Appends code point c as UTF-8; a lone surrogate becomes U+FFFD. */
static void
utf8_put(struct strbuf *sb, unsigned long c)
{
	char	 u[4];

	if (c >= 0xd800 && c <= 0xdfff)
		c = 0xfffd;
	if (c < 0x80) {
		sb_addc(sb, (int)c);
	} else if (c < 0x800) {
		u[0] = (char)(0xc0 | c >> 6);
		u[1] = (char)(0x80 | (c & 0x3f));
		sb_add(sb, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | c >> 12);
		u[1] = (char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		sb_add(sb, u, 3);
	} else {
		u[0] = (char)(0xf0 | c >> 18);
		u[1] = (char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		sb_add(sb, u, 4);
	}
}

/* A \u escape, after the "\u": one code point, or a surrogate pair. */
static int
jescape_u(struct jp *j, struct strbuf *out)
{
	unsigned long	 c, lo;

	if (jhex4(j, &c) == -1)
		return -1;
	if (c >= 0xd800 && c <= 0xdbff && j->end - j->p >= 6 &&
	    j->p[0] == '\\' && j->p[1] == 'u') {
		j->p += 2;
		if (jhex4(j, &lo) == -1)
			return -1;
		if (lo >= 0xdc00 && lo <= 0xdfff)
			c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
		else if (out != NULL) {
			utf8_put(out, c);
			c = lo;
		}
	}
	if (out != NULL)
		utf8_put(out, c);
	return 0;
}

/* Makes sb the empty string. */
static void
sb_empty(struct strbuf *sb)
{
	sb_grow(sb, 1);
	sb->len = 0;
	sb->s[0] = '\0';
}

/* A string; its bytes go to out (when not NULL), which is reset first. */
static int
jstr(struct jp *j, struct strbuf *out)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *e;

	if (out != NULL)
		sb_empty(out);
	if (j->p >= j->end || *j->p++ != '"')
		return -1;
	while (j->p < j->end && *j->p != '"') {
		if ((unsigned char)*j->p < 0x20)
			return -1;
		if (*j->p != '\\') {
			if (out != NULL)
				sb_addc(out, *j->p);
			j->p++;
			continue;
		}
		if (++j->p >= j->end)
			return -1;
		if (*j->p == 'u') {
			j->p++;
			if (jescape_u(j, out) == -1)
				return -1;
		} else if ((e = strchr(from, *j->p)) != NULL && *j->p != '\0') {
			if (out != NULL)
				sb_addc(out, to[e - from]);
			j->p++;
		} else
			return -1;
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	return 0;
}

static int jskip(struct jp *);

/* The rest of an array or object, after its opening bracket. */
static int
jskip_items(struct jp *j, char close, int object)
{
	jws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return 0;
	}
	for (;;) {
		if (object) {
			if (jstr(j, NULL) == -1)
				return -1;
			jws(j);
			if (j->p >= j->end || *j->p++ != ':')
				return -1;
		}
		if (jskip(j) == -1)
			return -1;
		jws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == close) {
			j->p++;
			return 0;
		}
		if (*j->p++ != ',')
			return -1;
		jws(j);
	}
}

/* Skips one value of any kind. */
static int
jskip(struct jp *j)
{
	double	 v;
	int	 rc;
	char	 open;

	jws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '"':
		return jstr(j, NULL);
	case '{':
	case '[':
		if (++j->depth > JSON_DEPTH)
			return -1;
		open = *j->p++;
		rc = jskip_items(j, open == '{' ? '}' : ']', open == '{');
		j->depth--;
		return rc;
	case 't':
		return jlit(j, "true");
	case 'f':
		return jlit(j, "false");
	case 'n':
		return jlit(j, "null");
	default:
		return jnum(j, &v);
	}
}

/* A whole number in [lo, hi], or null (then *v = dflt). */
static int
jint(struct jp *j, double lo, double hi, double dflt, double *v)
{
	if (jlit(j, "null") == 0) {
		*v = dflt;
		return 0;
	}
	if (jnum(j, v) == -1 || *v < lo || *v > hi ||
	    *v != (double)(long long)*v)
		return -1;
	return 0;
}

/* The signal: a name ("KILL", "SIGKILL"), a number, or null. */
static int
jsignal(struct jp *j, struct strbuf *tmp, int *sig)
{
	double v;

	if (jlit(j, "null") == 0 || jlit(j, "false") == 0) {
		*sig = 0;
		return 0;
	}
	if (j->p < j->end && *j->p == '"') {
		if (jstr(j, tmp) == -1)
			return -1;
		*sig = tmp->len == 0 ? 0 : timeline_signum(tmp->s);
		return 0;
	}
	if (jint(j, 0, INT_MAX, 0, &v) == -1)
		return -1;
	*sig = (int)v;
	return 0;
}

enum { H_SEQ = 1, H_START = 2, H_RUNTIME = 4 };

static int
keyis(const struct strbuf *key, const char *name)
{
	return key->len == strlen(name) && memcmp(key->s, name, key->len) == 0;
}

/* A string or null, into sb (empty for null). */
static int
jstr_or_null(struct jp *j, struct strbuf *sb)
{
	if (jlit(j, "null") == 0) {
		sb_empty(sb);
		return 0;
	}
	return jstr(j, sb);
}

/* The value of one key of a record. */
static int
json_field(struct jp *jp, struct tljob *j, struct tlbufs *b, int *have)
{
	double v;

	if (keyis(&b->key, "seq")) {
		if (jint(jp, 1, SEQ_MAX, 0, &v) == -1 || v == 0)
			return -1;
		j->seq = (unsigned long long)v;
		*have |= H_SEQ;
	} else if (keyis(&b->key, "start")) {
		if (jnum(jp, &j->start) == -1 || j->start < 0)
			return -1;
		*have |= H_START;
	} else if (keyis(&b->key, "runtime")) {
		if (jnum(jp, &j->runtime) == -1 || j->runtime < 0)
			return -1;
		*have |= H_RUNTIME;
	} else if (keyis(&b->key, "slot")) {
		if (jint(jp, 0, INT_MAX, 0, &v) == -1)
			return -1;
		j->slot = (int)v;
	} else if (keyis(&b->key, "exit")) {
		if (jint(jp, INT_MIN, INT_MAX, -1, &v) == -1)
			return -1;
		j->exitval = (int)v;
	} else if (keyis(&b->key, "signal"))
		return jsignal(jp, &b->sig, &j->sig);
	else if (keyis(&b->key, "timed_out")) {
		if (jlit(jp, "true") == 0)
			j->timed_out = 1;
		else if (jlit(jp, "false") == 0 || jlit(jp, "null") == 0)
			j->timed_out = 0;
		else
			return -1;
	} else if (keyis(&b->key, "host"))
		return jstr_or_null(jp, &b->host);
	else if (keyis(&b->key, "command"))
		return jstr_or_null(jp, &b->cmd);
	else
		return jskip(jp);
	return 0;
}

/*
 * Parses one line (no newline) of a JSON-lines job log: an object with
 * at least seq, start and runtime; slot, host, exit, signal, timed_out
 * and command are read when present, other keys skipped (the last of a
 * repeated key counts).  Strings in j point into b.  Returns 0, or -1.
 */
int
tlread_json(const char *s, size_t n, struct tljob *j, struct tlbufs *b)
{
	struct jp	 jp = { s, s + n, 0 };
	int		 have = 0;

	memset(j, 0, sizeof(*j));
	sb_empty(&b->host);
	sb_empty(&b->cmd);
	jws(&jp);
	if (jp.p >= jp.end || *jp.p++ != '{')
		return -1;
	for (;;) {
		jws(&jp);
		if (jstr(&jp, &b->key) == -1)
			return -1;
		jws(&jp);
		if (jp.p >= jp.end || *jp.p++ != ':')
			return -1;
		jws(&jp);
		if (json_field(&jp, j, b, &have) == -1)
			return -1;
		jws(&jp);
		if (jp.p >= jp.end)
			return -1;
		if (*jp.p++ == '}')
			break;
		if (jp.p[-1] != ',')
			return -1;
	}
	jws(&jp);
	if (jp.p != jp.end || have != (H_SEQ | H_START | H_RUNTIME))
		return -1;
	j->host = b->host.s;
	j->hostlen = b->host.len;
	j->cmd = b->cmd.s;
	j->cmdlen = b->cmd.len;
	return 0;
}

void
tlbufs_free(struct tlbufs *b)
{
	sb_free(&b->cmd);
	sb_free(&b->host);
	sb_free(&b->key);
	sb_free(&b->sig);
}
