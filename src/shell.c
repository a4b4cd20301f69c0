/*
 * shell.c - how parx speaks to /bin/sh.
 *
 * A -c script is read once, at startup, by sh_lex, which finds for each
 * replacement string the quoting context it sits in: unquoted, '...',
 * "...", $'...', arithmetic, a comment, a here-document, and inside how
 * many `...`.  sh_quote then writes a value so that in that context the
 * shell sees exactly the value: no expansion runs, no quote appears that
 * was not in the value.  The few places where no spelling can do that (a
 * quoted here-document that the value would end) are refused, and the
 * job fails saying so.
 *
 * The lexer knows POSIX sh well enough for that purpose, not more: it
 * follows quotes, backslashes, $( ), $(( )), ${ }, `...`, comments and
 * here-documents (including the case patterns of a case inside $( )).
 *
 * Also the quoting of command lines for people and for the job log:
 * shell_quote (POSIX; --dry-run and -t), shell_quote_line (one line: a
 * value with a newline as $'...'; the job log) and sh_unline, which turns
 * such a line back into one that /bin/sh runs (--retry-failed).
 *
 * Nothing here keeps state between calls: any thread may call in.
 */
#include <stdlib.h>
#include <string.h>

#include "parx.h"

enum frame { F_CMD, F_SUB, F_SQ, F_DQ, F_ANSI, F_BQ, F_PARAM, F_ARITH,
    F_COMMENT, F_DOC };

struct fr {
	enum frame	 type;
	int		 depth;		/* ( nesting in F_SUB, F_ARITH */
	int		 cases;		/* case ... esac open in F_SUB */
	int		 raw;		/* F_DOC: quoted delimiter */
	int		 dash;		/* F_DOC: <<- strips leading tabs */
	const char	*delim;		/* F_DOC: into the script */
	size_t		 dlen;
};

struct doc {
	const char	*delim;
	size_t		 dlen;
	int		 raw;
	int		 dash;
};

#define MAXFR	64
#define MAXDOC	16

struct lex {
	const char	*s;
	size_t		 n;
	const size_t	*at;		/* value positions, ascending */
	size_t		 nat;
	size_t		 next;		/* next value */
	struct shpos	*out;
	struct fr	 fr[MAXFR];
	int		 nfr;
	struct doc	 doc[MAXDOC];	/* here-documents to read */
	int		 ndoc;
	char		*delims;	/* unquoted delimiters, one block */
	size_t		 dused;
};

static int
is_safe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("_@%+=:,./-", c) != NULL;
}

/* Quotes s for /bin/sh: safe words stay bare, the rest go in '...'. */
void
shell_quote(struct strbuf *sb, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && is_safe((unsigned char)s[i]); i++)
		;
	if (i == n && n > 0) {
		sb_add(sb, s, n);
		return;
	}
	sb_addc(sb, '\'');
	for (i = 0; i < n; i++) {
		if (s[i] == '\'')
			sb_add(sb, "'\\''", 4);
		else
			sb_addc(sb, s[i]);
	}
	sb_addc(sb, '\'');
}

/*
 * As shell_quote, but on one line: a value with a newline is written
 * $'...' (bash, ksh, zsh and POSIX.1-2024 read it; sh_unline turns it
 * back for a shell that does not).
 */
void
shell_quote_line(struct strbuf *sb, const char *s, size_t n)
{
	size_t i;

	if (memchr(s, '\n', n) == NULL) {
		shell_quote(sb, s, n);
		return;
	}
	sb_add(sb, "$'", 2);
	for (i = 0; i < n; i++) {
		if (s[i] == '\n')
			sb_add(sb, "\\n", 2);
		else if (s[i] == '\\' || s[i] == '\'') {
			sb_addc(sb, '\\');
			sb_addc(sb, s[i]);
		} else
			sb_addc(sb, s[i]);
	}
	sb_addc(sb, '\'');
}

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes the $'...' body at s (after $'); returns where it ended. */
static const char *
ansi_decode(struct strbuf *sb, const char *s)
{
	static const char from[] = "nt\\'\"?abefrv";
	static const char to[] = "\n\t\\'\"?\a\b\033\f\r\v";
	const char *p;
	int v, k;

	for (; *s != '\0' && *s != '\''; s++) {
		if (*s != '\\' || s[1] == '\0') {
			sb_addc(sb, *s);
			continue;
		}
		s++;
		if ((p = strchr(from, *s)) != NULL && *s != '\0') {
			sb_addc(sb, to[p - from]);
		} else if (*s == 'x' && hexdigit(s[1]) >= 0) {
			v = hexdigit(*++s);
			if (hexdigit(s[1]) >= 0)
				v = v * 16 + hexdigit(*++s);
			sb_addc(sb, v);
		} else if (*s >= '0' && *s <= '7') {
			for (v = 0, k = 0; k < 3 && *s >= '0' && *s <= '7';
			    k++, s++)
				v = v * 8 + (*s - '0');
			s--;
			sb_addc(sb, v & 0xff);
		} else {
			sb_addc(sb, '\\');
			sb_addc(sb, *s);
		}
	}
	return s;
}

/*
 * The reverse of shell_quote_line for a whole command line: each $'...'
 * outside other quotes becomes a '...' string that /bin/sh reads (it may
 * then hold a newline).  Everything else is copied as it is.
 */
void
sh_unline(struct strbuf *sb, const char *s)
{
	struct strbuf v = { 0 };
	const char *e;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && s[1] != '\0') {
			sb_add(sb, s, 2);
			s++;
		} else if (*s == '\'' && (e = strchr(s + 1, '\'')) != NULL) {
			sb_add(sb, s, (size_t)(e - s) + 1);
			s = e;
		} else if (*s == '"') {
			for (e = s + 1; *e != '\0' && *e != '"'; e++)
				if (*e == '\\' && e[1] != '\0')
					e++;
			sb_add(sb, s, (size_t)(e - s) + (*e != '\0'));
			s = *e != '\0' ? e : e - 1;
		} else if (s[0] == '$' && s[1] == '\'') {
			v.len = 0;
			sb_add(&v, "", 0);
			e = ansi_decode(&v, s + 2);
			shell_quote(sb, v.s, v.len);
			s = *e != '\0' ? e : e - 1;
		} else
			sb_addc(sb, *s);
	}
	sb_add(sb, "", 0);
	sb_free(&v);
}

/* ---------------------------------------------------------------- lexer */

static void
push(struct lex *l, enum frame t)
{
	if (l->nfr == MAXFR)
		return;		/* too deep to follow: stays approximate */
	memset(&l->fr[l->nfr], 0, sizeof(l->fr[0]));
	l->fr[l->nfr++].type = t;
}

static void
pop(struct lex *l)
{
	if (l->nfr > 1)
		l->nfr--;
}

static struct fr *
top(struct lex *l)
{
	return &l->fr[l->nfr - 1];
}

static int
is_value(struct lex *l, size_t i)
{
	return l->next < l->nat && l->at[l->next] == i;
}

static int
in_bq(const struct lex *l)
{
	int k;

	for (k = 0; k < l->nfr; k++)
		if (l->fr[k].type == F_BQ)
			return 1;
	return 0;
}

static int
word_start(const struct lex *l, size_t i)
{
	return i == 0 || strchr(" \t\n;&|()<>", l->s[i - 1]) != NULL;
}

static int
word_end(int c)
{
	return c == '\0' || strchr(" \t\n;&|()<>", c) != NULL;
}

/* Whether the word at i is w (a keyword such as case or esac). */
static int
keyword(const struct lex *l, size_t i, const char *w)
{
	size_t k = strlen(w);

	return word_start(l, i) && i + k <= l->n &&
	    strncmp(l->s + i, w, k) == 0 &&
	    (i + k == l->n || word_end(l->s[i + k]));
}

/* Whether only tabs come before offset i on its line. */
static int
line_start(const struct lex *l, size_t i)
{
	while (i > 0 && l->s[i - 1] == '\t')
		i--;
	return i == 0 || l->s[i - 1] == '\n';
}

/* The frame a value at this point is quoted for, and its context. */
static void
record(struct lex *l, size_t i, int esc)
{
	struct shpos *p = &l->out[l->next++];
	int k, indoc = 0;
	enum frame t = F_CMD;

	memset(p, 0, sizeof(*p));
	for (k = l->nfr - 1; k >= 0; k--) {
		if (l->fr[k].type == F_BQ)
			p->bq++;
		if (l->fr[k].type == F_DOC)
			indoc = 1;
	}
	/* ${...} takes the quoting of what is around it. */
	for (k = l->nfr - 1; k > 0 && l->fr[k].type == F_PARAM; k--)
		;
	p->param = k != l->nfr - 1;
	t = l->fr[k].type;
	switch (t) {
	case F_SQ:
		p->ctx = SH_SQ;
		break;
	case F_DQ:
		p->ctx = SH_DQ;
		break;
	case F_ANSI:
		p->ctx = SH_ANSI;
		break;
	case F_ARITH:
		p->ctx = SH_ARITH;
		break;
	case F_COMMENT:
		p->ctx = SH_COMMENT;
		break;
	case F_DOC:
		p->ctx = l->fr[k].raw ? SH_DOCRAW : SH_DOC;
		p->delim = l->fr[k].delim;
		p->dlen = l->fr[k].dlen;
		p->dash = l->fr[k].dash;
		p->bol = line_start(l, i);
		indoc = 0;
		break;
	default:
		p->ctx = SH_UNQ;
		break;
	}
	p->nested_doc = indoc;
	p->esc = esc;
	/* $ right before: not $'...' in bash (dash reads it as a $). */
	p->dollar = p->ctx == SH_UNQ && !esc && i > 0 && l->s[i - 1] == '$';
}

/* Reads the delimiter word of a here-document at i; returns its end. */
static size_t
doc_word(struct lex *l, size_t i, int dash)
{
	struct doc *d;
	char *out = l->delims + l->dused;
	size_t len = 0;
	int raw = 0;

	while (i < l->n && (l->s[i] == ' ' || l->s[i] == '\t'))
		i++;
	for (; i < l->n && !word_end(l->s[i]); i++) {
		if (l->s[i] == '\\' && i + 1 < l->n) {
			raw = 1;
			out[len++] = l->s[++i];
		} else if (l->s[i] == '\'' || l->s[i] == '"') {
			char q = l->s[i];

			raw = 1;
			for (i++; i < l->n && l->s[i] != q; i++)
				out[len++] = l->s[i];
		} else
			out[len++] = l->s[i];
	}
	out[len] = '\0';
	l->dused += len + 1;
	if (l->ndoc < MAXDOC) {
		d = &l->doc[l->ndoc++];
		d->delim = out;
		d->dlen = len;
		d->raw = raw;
		d->dash = dash;
	}
	return i;
}

/* A newline ended a command line: here-documents begin. */
static void
docs_begin(struct lex *l)
{
	int k;

	for (k = l->ndoc - 1; k >= 0; k--) {
		push(l, F_DOC);
		top(l)->raw = l->doc[k].raw;
		top(l)->dash = l->doc[k].dash;
		top(l)->delim = l->doc[k].delim;
		top(l)->dlen = l->doc[k].dlen;
	}
	l->ndoc = 0;
}

/*
 * At the start of a line of a here-document: whether the line ends it.
 * A line that holds a value never does (sh_quote sees to that).
 */
static int
doc_end(struct lex *l, size_t i, size_t *next)
{
	const struct fr *f = top(l);
	const char *e = memchr(l->s + i, '\n', l->n - i);
	size_t end = e != NULL ? (size_t)(e - l->s) : l->n, k;

	for (k = l->next; k < l->nat; k++)
		if (l->at[k] >= i && l->at[k] < end)
			return 0;
	if (f->dash)
		while (i < end && l->s[i] == '\t')
			i++;
	if (end - i != f->dlen || memcmp(l->s + i, f->delim, f->dlen) != 0)
		return 0;
	*next = end < l->n ? end + 1 : end;
	return 1;
}

/* $ at i: $( $(( ${ $' start frames; returns the last byte used. */
static size_t
dollar(struct lex *l, size_t i, int ansi)
{
	if (i + 1 >= l->n || is_value(l, i + 1))
		return i;
	switch (l->s[i + 1]) {
	case '(':
		if (i + 2 < l->n && l->s[i + 2] == '(' && !is_value(l, i + 2)) {
			push(l, F_ARITH);
			return i + 2;
		}
		push(l, F_SUB);
		return i + 1;
	case '{':
		push(l, F_PARAM);
		return i + 1;
	case '\'':
		if (!ansi)
			return i;
		push(l, F_ANSI);
		return i + 1;
	}
	return i;
}

/* One byte of command text (F_CMD, F_SUB, F_BQ, unquoted F_PARAM). */
static size_t
cmd_byte(struct lex *l, size_t i)
{
	struct fr *f = top(l);
	char c = l->s[i];

	switch (c) {
	case '\\':
		if (i + 1 < l->n && is_value(l, i + 1))
			record(l, ++i, 1);
		else if (i + 1 < l->n)
			i++;
		return i;
	case '\'':
		push(l, F_SQ);
		return i;
	case '"':
		push(l, F_DQ);
		return i;
	case '`':
		if (f->type == F_BQ)
			pop(l);
		else
			push(l, F_BQ);
		return i;
	case '$':
		return dollar(l, i, 1);
	case '#':
		if (f->type != F_PARAM && word_start(l, i))
			push(l, F_COMMENT);
		return i;
	case '\n':
		if (f->type != F_PARAM)
			docs_begin(l);
		return i;
	case '<':
		if (f->type != F_PARAM && i + 1 < l->n && l->s[i + 1] == '<' &&
		    !(i + 2 < l->n && l->s[i + 2] == '<')) {
			i += 2;
			if (i < l->n && l->s[i] == '-')
				return doc_word(l, i + 1, 1) - 1;
			return doc_word(l, i, 0) - 1;
		}
		return i;
	case '(':
		if (f->type == F_SUB)
			f->depth++;
		return i;
	case ')':
		if (f->type == F_SUB && f->depth > 0)
			f->depth--;
		else if (f->type == F_SUB && f->cases == 0)
			pop(l);
		return i;
	case '}':
		if (f->type == F_PARAM)
			pop(l);
		return i;
	}
	if (f->type == F_SUB && keyword(l, i, "case"))
		f->cases++;
	else if (f->type == F_SUB && f->cases > 0 && keyword(l, i, "esac"))
		f->cases--;
	return i;
}

/* One byte inside "...", an unquoted here-document or $(( )). */
static size_t
dq_byte(struct lex *l, size_t i)
{
	struct fr *f = top(l);
	char c = l->s[i];

	switch (c) {
	case '\\':
		if (i + 1 < l->n && is_value(l, i + 1))
			record(l, ++i, 1);
		else if (i + 1 < l->n)
			i++;
		return i;
	case '"':
		if (f->type == F_DQ)
			pop(l);
		return i;
	case '`':
		push(l, F_BQ);
		return i;
	case '$':
		return dollar(l, i, 0);
	case '(':
		if (f->type == F_ARITH)
			f->depth++;
		return i;
	case ')':
		if (f->type != F_ARITH)
			return i;
		if (f->depth > 0)
			f->depth--;
		else if (i + 1 < l->n && l->s[i + 1] == ')') {
			pop(l);
			return i + 1;
		}
		return i;
	}
	return i;
}

/*
 * Finds the context of each value in script s (n bytes), where the
 * values sit at the ascending offsets at[0..nat) (one byte each, a
 * stand-in that reads as part of a word).  out[k] gets the context of
 * value k.  Here-document delimiters point into *delims, which the
 * caller frees.
 */
void
sh_lex(const char *s, size_t n, const size_t *at, size_t nat,
    struct shpos *out, char **delims)
{
	struct lex l;
	size_t i, nx;
	struct fr *f;

	memset(&l, 0, sizeof(l));
	l.s = s;
	l.n = n;
	l.at = at;
	l.nat = nat;
	l.out = out;
	l.delims = xmalloc(n + 1);
	push(&l, F_CMD);
	for (i = 0; i < n; i++) {
		f = top(&l);
		if (f->type == F_DOC && (i == 0 || s[i - 1] == '\n') &&
		    doc_end(&l, i, &nx)) {
			pop(&l);
			i = nx - 1;
			continue;
		}
		if (is_value(&l, i)) {
			record(&l, i, 0);
			continue;
		}
		switch (f->type) {
		case F_SQ:
			if (s[i] == '\'')
				pop(&l);
			break;
		case F_ANSI:
			if (s[i] == '\\' && i + 1 < n && is_value(&l, i + 1))
				record(&l, ++i, 1);
			else if (s[i] == '\\' && i + 1 < n)
				i++;
			else if (s[i] == '\'')
				pop(&l);
			break;
		case F_COMMENT:
			/* A comment inside `...` ends at the backquote. */
			if (s[i] == '\n' || (s[i] == '`' && in_bq(&l))) {
				pop(&l);
				i--;
			}
			break;
		case F_DOC:
			if (!f->raw)
				i = dq_byte(&l, i);
			break;
		case F_DQ:
		case F_ARITH:
			i = dq_byte(&l, i);
			break;
		default:
			i = cmd_byte(&l, i);
			break;
		}
	}
	*delims = l.delims;
}

/* ---------------------------------------------------------------- quoting */

/* Backslash before each byte of s that is one of chars. */
static void
add_escaped(struct strbuf *sb, const char *s, size_t n, const char *chars)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] != '\0' && strchr(chars, s[i]) != NULL)
			sb_addc(sb, '\\');
		sb_addc(sb, s[i]);
	}
}

/*
 * Whether value v can go into the quoted here-document p as it is, that
 * is without a line that ends the document early.  Its first line may
 * complete the delimiter with text before it, a middle line may be it,
 * its last line may start it; under <<- a line's leading tabs would go.
 * A value without a newline cannot end the document before its own line.
 */
static int
docraw_ok(const char *v, size_t n, const struct shpos *p)
{
	const char *s = v, *e;
	size_t len;
	int first = 1, last;

	/* <<- would strip the value's own leading tabs with the line's. */
	if (p->dash && p->bol && n > 0 && v[0] == '\t')
		return 0;
	if (memchr(v, '\n', n) == NULL)
		return 1;
	for (;;) {
		e = memchr(s, '\n', n - (size_t)(s - v));
		last = e == NULL;
		len = last ? n - (size_t)(s - v) : (size_t)(e - s);
		if (first) {
			if (len <= p->dlen &&
			    memcmp(s, p->delim + p->dlen - len, len) == 0)
				return 0;
		} else {
			if (p->dash && len > 0 && s[0] == '\t')
				return 0;
			if (last ? len <= p->dlen &&
			    memcmp(s, p->delim, len) == 0 :
			    len == p->dlen && memcmp(s, p->delim, len) == 0)
				return 0;
		}
		if (last)
			return 1;
		first = 0;
		s = e + 1;
	}
}

/* One line per line of v, each made safe from ending the document. */
static void
add_doc(struct strbuf *sb, const char *v, size_t n, const char *esc)
{
	const char *e;

	for (;;) {
		sb_add(sb, "${-+}", 5);
		e = memchr(v, '\n', n);
		if (e == NULL) {
			add_escaped(sb, v, n, esc);
			return;
		}
		add_escaped(sb, v, (size_t)(e - v), esc);
		sb_addc(sb, '\n');
		n -= (size_t)(e - v) + 1;
		v = e + 1;
	}
}

static int
quote_ctx(struct strbuf *sb, const char *v, size_t n, const struct shpos *p)
{
	size_t i;

	if (p->nested_doc && p->ctx != SH_COMMENT && memchr(v, '\n', n))
		return -1;
	/*
	 * bash takes a ' in "${...}" (or in ${...} in a here-document) for
	 * a quote while it looks for the closing }: no spelling is safe.
	 */
	if (p->param && p->ctx != SH_UNQ && memchr(v, '\'', n) != NULL)
		return -1;
	switch (p->ctx) {
	case SH_UNQ:
		shell_quote(sb, v, n);
		break;
	case SH_SQ:
		for (i = 0; i < n; i++) {
			if (v[i] == '\'')
				sb_add(sb, "'\\''", 4);
			else
				sb_addc(sb, v[i]);
		}
		break;
	case SH_DQ:
		add_escaped(sb, v, n, p->param ? "$`\"\\}" : "$`\"\\");
		break;
	case SH_ARITH:
		add_escaped(sb, v, n, p->param ? "$`\\}" : "$`\\");
		break;
	case SH_ANSI:
		sb_addc(sb, '\'');
		shell_quote(sb, v, n);
		sb_add(sb, "$'", 2);
		break;
	case SH_COMMENT:
		for (i = 0; i < n; i++)
			sb_addc(sb, v[i] == '\n' ? ' ' : v[i]);
		break;
	case SH_DOC:
		add_doc(sb, v, n, p->param ? "$`\\}" : "$`\\");
		break;
	case SH_DOCRAW:
		if (!docraw_ok(v, n, p))
			return -1;
		sb_add(sb, v, n);
		break;
	}
	return 0;
}

/*
 * Appends value v (n bytes) to sb spelled for context p.  Returns 0, or
 * -1 when no spelling is possible there (sb is then unchanged).
 */
int
sh_quote(struct strbuf *sb, const char *v, size_t n, const struct shpos *p)
{
	struct strbuf a = { 0 }, b = { 0 }, t;
	size_t len = sb->len;
	int k;

	/* After a backslash: make it a line continuation, which goes. */
	if (p->esc)
		sb_addc(sb, '\n');
	if (p->dollar)
		sb_add(sb, "\"\"", 2);
	if (p->bq == 0) {
		if (quote_ctx(sb, v, n, p) == -1) {
			sb->len = len;
			if (sb->s != NULL)
				sb->s[len] = '\0';
			return -1;
		}
		return 0;
	}
	if (quote_ctx(&a, v, n, p) == -1) {
		sb->len = len;
		if (sb->s != NULL)
			sb->s[len] = '\0';
		sb_free(&a);
		return -1;
	}
	/* Each `...` around takes away one level of \ before \ ` $. */
	for (k = 0; k < p->bq; k++) {
		b.len = 0;
		add_escaped(&b, a.s, a.len, "\\`$");
		t = a;
		a = b;
		b = t;
	}
	sb_add(sb, a.s, a.len);
	sb_free(&a);
	sb_free(&b);
	return 0;
}
