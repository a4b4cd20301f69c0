/*
 * json.c - JSON strings for any bytes, both ways: the JSON job log and
 * the JSON-lines --results write them, the job log's loader reads them.
 *
 * Job output, items and commands are bytes, not text.  A JSON string
 * holds text, so each byte that is not part of well-formed UTF-8 (RFC
 * 3629: no overlong forms, no surrogates, nothing past U+10FFFF) is
 * written as the escape \udcXX, XX being the byte (0x80 to 0xff).  No
 * well-formed UTF-8 decodes to a lone low surrogate, so the mapping can
 * be undone exactly; it is Python's "surrogateescape" (PEP 383):
 * json.loads(line)["Stdout"].encode("utf-8", "surrogateescape") gives the
 * bytes back.  Control characters are escaped (\n, \t, ..., \u0000);
 * everything else is written as it is.
 *
 * Escaping can be streamed: a UTF-8 sequence cut by the end of one piece
 * is carried over to the next.  Pure functions of their arguments.
 */
#include <limits.h>
#include <string.h>

#include "parx.h"

static const char hex[] = "0123456789abcdef";

/*
 * The length of the well-formed UTF-8 sequence at p[0..n), n > 0; 0 when
 * p[0] does not start one.  *cut is set when p[0..n) is a well-formed
 * start of a sequence that n cuts short.
 */
static size_t
utf8_len(const unsigned char *p, size_t n, int *cut)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t len, i;

	*cut = 0;
	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		len = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		len = 4;
	else
		return 0;
	/* The second byte's range rules out overlongs, surrogates, > 10FFFF. */
	if (p[0] == 0xe0)
		lo = 0xa0;
	else if (p[0] == 0xed)
		hi = 0x9f;
	else if (p[0] == 0xf0)
		lo = 0x90;
	else if (p[0] == 0xf4)
		hi = 0x8f;
	for (i = 1; i < len; i++) {
		if (i == n) {
			*cut = 1;
			return 0;
		}
		if (p[i] < lo || p[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

static void
esc_byte(struct strbuf *sb, unsigned char c)
{
	char e[6] = { '\\', 'u', 'd', 'c', hex[c >> 4], hex[c & 15] };

	sb_add(sb, e, sizeof(e));
}

static void
esc_ctrl(struct strbuf *sb, unsigned char c)
{
	char e[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	switch (c) {
	case '"':
		sb_add(sb, "\\\"", 2);
		break;
	case '\\':
		sb_add(sb, "\\\\", 2);
		break;
	case '\n':
		sb_add(sb, "\\n", 2);
		break;
	case '\t':
		sb_add(sb, "\\t", 2);
		break;
	case '\r':
		sb_add(sb, "\\r", 2);
		break;
	case '\b':
		sb_add(sb, "\\b", 2);
		break;
	case '\f':
		sb_add(sb, "\\f", 2);
		break;
	default:
		sb_add(sb, e, sizeof(e));
		break;
	}
}

/*
 * Escapes p[0..n) onto sb; returns how many bytes at the end were left
 * because they may be the start of a sequence that the next piece ends
 * (never when last is set).
 */
static size_t
esc_some(struct strbuf *sb, const unsigned char *p, size_t n, int last)
{
	size_t i = 0, run, k;
	int cut;

	while (i < n) {
		/* Plain printable ASCII goes in one piece. */
		for (run = i; run < n && p[run] >= 0x20 && p[run] < 0x80 &&
		    p[run] != '"' && p[run] != '\\'; run++)
			;
		sb_add(sb, p + i, run - i);
		if ((i = run) == n)
			break;
		if (p[i] < 0x80) {
			esc_ctrl(sb, p[i++]);
			continue;
		}
		if ((k = utf8_len(p + i, n - i, &cut)) > 0) {
			sb_add(sb, p + i, k);
			i += k;
		} else if (cut && !last)
			return n - i;
		else
			esc_byte(sb, p[i++]);
	}
	return 0;
}

/* Appends p[0..n) as a JSON string, quotes included. */
void
json_str(struct strbuf *sb, const char *p, size_t n)
{
	sb_addc(sb, '"');
	esc_some(sb, (const unsigned char *)p, n, 1);
	sb_addc(sb, '"');
}

/*
 * Streaming: appends the escaped form of the next n bytes of a string
 * (no quotes); a sequence cut at the end waits in e for the next call.
 * The call with last set flushes what waits.
 */
void
json_esc(struct jesc *e, struct strbuf *sb, const char *p, size_t n,
    int last)
{
	const unsigned char *u = (const unsigned char *)p;
	unsigned char buf[8];
	size_t take, k, left;

	/*
	 * Complete the carried sequence with the first bytes of p: a
	 * sequence is at most 4 bytes, so buf ends it unless p runs out.
	 */
	if (e->n > 0) {
		take = sizeof(buf) - (size_t)e->n;
		if (take > n)
			take = n;
		memcpy(buf, e->carry, (size_t)e->n);
		memcpy(buf + e->n, u, take);
		k = (size_t)e->n + take;
		left = esc_some(sb, buf, k, last && take == n);
		e->n = 0;
		if (left >= take) {
			/* p is used up: carry what is still cut. */
			memcpy(e->carry, buf + k - left, left);
			e->n = (int)left;
			return;
		}
		/* The bytes left over at the end of buf are p's. */
		u += take - left;
		n -= take - left;
	}
	left = esc_some(sb, u, n, last);
	memcpy(e->carry, u + n - left, left);
	e->n = (int)left;
}

/* Reading: a cursor over one line, for the job log's loader. */

void
json_ws(struct jcur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' ||
	    *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

/* Takes the literal s (null, true, ...) if it comes next. */
int
json_lit(struct jcur *c, const char *s)
{
	size_t n = strlen(s);

	json_ws(c);
	if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
		return -1;
	c->p += n;
	return 0;
}

/* Takes the character ch if it comes next. */
int
json_char(struct jcur *c, int ch)
{
	json_ws(c);
	if (c->p == c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

static int
hex4(const char *p, unsigned *v)
{
	int i, d;

	*v = 0;
	for (i = 0; i < 4; i++) {
		if (p[i] >= '0' && p[i] <= '9')
			d = p[i] - '0';
		else if (p[i] >= 'a' && p[i] <= 'f')
			d = p[i] - 'a' + 10;
		else if (p[i] >= 'A' && p[i] <= 'F')
			d = p[i] - 'A' + 10;
		else
			return -1;
		*v = *v << 4 | (unsigned)d;
	}
	return 0;
}

static void
put_utf8(struct strbuf *sb, unsigned u)
{
	char b[4];
	size_t n;

	if (u < 0x80) {
		b[0] = (char)u;
		n = 1;
	} else if (u < 0x800) {
		b[0] = (char)(0xc0 | u >> 6);
		b[1] = (char)(0x80 | (u & 0x3f));
		n = 2;
	} else if (u < 0x10000) {
		b[0] = (char)(0xe0 | u >> 12);
		b[1] = (char)(0x80 | (u >> 6 & 0x3f));
		b[2] = (char)(0x80 | (u & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | u >> 18);
		b[1] = (char)(0x80 | (u >> 12 & 0x3f));
		b[2] = (char)(0x80 | (u >> 6 & 0x3f));
		b[3] = (char)(0x80 | (u & 0x3f));
		n = 4;
	}
	sb_add(sb, b, n);
}

/* One \uXXXX escape (p after the u), a surrogate pair, or \udcXX. */
static int
unescape_u(struct jcur *c, struct strbuf *sb)
{
	unsigned u, lo;

	if (c->end - c->p < 4 || hex4(c->p, &u) == -1)
		return -1;
	c->p += 4;
	if (u >= 0xd800 && u <= 0xdbff) {
		if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u' ||
		    hex4(c->p + 2, &lo) == -1 || lo < 0xdc00 || lo > 0xdfff)
			return -1;
		c->p += 6;
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
	} else if (u >= 0xdc80 && u <= 0xdcff) {
		sb_addc(sb, (int)(u - 0xdc00));	/* a byte, see above */
		return 0;
	} else if (u >= 0xdc00 && u <= 0xdfff)
		return -1;
	put_utf8(sb, u);
	return 0;
}

/* The character that escape \\c stands for, or -1. */
static int
unescape_c(int c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	default:
		return -1;
	}
}

/*
 * A string, decoded into sb (NUL-terminated; it may hold NUL bytes, which
 * sb->len shows), or only checked when sb is NULL.  -1 when what comes is
 * not a well-formed string.
 */
int
json_string(struct jcur *c, struct strbuf *sb)
{
	struct strbuf esc = { 0 };
	const char *s;
	int ch, rc = -1;

	if (sb != NULL) {
		sb->len = 0;
		sb_add(sb, "", 0);
	}
	if (json_char(c, '"') == -1)
		return -1;
	while (c->p < c->end) {
		for (s = c->p; c->p < c->end && *c->p != '"' &&
		    *c->p != '\\' && (unsigned char)*c->p >= 0x20; c->p++)
			;
		if (sb != NULL)
			sb_add(sb, s, (size_t)(c->p - s));
		if (c->p == c->end || (unsigned char)*c->p < 0x20)
			break;
		if (*c->p++ == '"') {
			rc = 0;
			break;
		}
		if (c->p == c->end)
			break;
		esc.len = 0;
		if ((ch = *c->p++) == 'u') {
			if (unescape_u(c, &esc) == -1)
				break;
		} else if ((ch = unescape_c(ch)) == -1)
			break;
		else
			sb_addc(&esc, ch);
		if (sb != NULL)
			sb_add(sb, esc.s, esc.len);
	}
	sb_free(&esc);
	return rc;
}

/* A number as JSON spells it; *isint when it is a plain integer. */
static int
number(struct jcur *c, const char **start, int *isint)
{
	const char *p;

	json_ws(c);
	p = *start = c->p;
	*isint = 1;
	if (p < c->end && *p == '-')
		p++;
	if (p == c->end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0')
		p++;
	else
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	if (p < c->end && *p == '.') {
		*isint = 0;
		if (++p == c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		*isint = 0;
		p++;
		if (p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p == c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	c->p = p;
	return 0;
}

/* A non-negative integer. */
int
json_uint(struct jcur *c, unsigned long long *v)
{
	const char *s;
	unsigned long long x = 0;
	unsigned d;
	int isint;

	if (number(c, &s, &isint) == -1 || !isint || *s == '-')
		return -1;
	for (; s < c->p; s++) {
		d = (unsigned)(*s - '0');
		if (x > (~0ULL - d) / 10)
			return -1;
		x = x * 10 + d;
	}
	*v = x;
	return 0;
}

/* An integer in the range of int. */
int
json_int(struct jcur *c, int *v)
{
	unsigned long long x;
	int neg;

	json_ws(c);
	if ((neg = c->p < c->end && *c->p == '-'))
		c->p++;
	if (json_uint(c, &x) == -1 || x > (unsigned long long)INT_MAX + neg)
		return -1;
	*v = neg ? (int)(-(long long)x) : (int)x;
	return 0;
}

/* Skips one value of any kind, nesting at most depth deep. */
int
json_skip(struct jcur *c, int depth)
{
	const char *s;
	int isint, close;

	json_ws(c);
	if (c->p == c->end || depth <= 0)
		return -1;
	if (*c->p == '"')
		return json_string(c, NULL);
	if (*c->p != '[' && *c->p != '{') {
		if (json_lit(c, "null") == 0 || json_lit(c, "true") == 0 ||
		    json_lit(c, "false") == 0)
			return 0;
		return number(c, &s, &isint);
	}
	close = *c->p++ == '[' ? ']' : '}';
	if (json_char(c, close) == 0)
		return 0;
	do {
		if (close == '}' && (json_string(c, NULL) == -1 ||
		    json_char(c, ':') == -1))
			return -1;
		if (json_skip(c, depth - 1) == -1)
			return -1;
	} while (json_char(c, ',') == 0);
	return json_char(c, close);
}
