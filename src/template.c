/*
 * template.c - the command template: parsed once at startup into words of
 * literal text and replacement strings, then expanded into an argv for
 * each job by the worker that runs it (into that worker's own buffers, so
 * expansion allocates nothing once the buffers have grown).
 *
 * Four kinds of template:
 *   argv    COMMAND ARG...: a word per ARG, items appended when no
 *           replacement string occurs;
 *   script  -c SCRIPT: /bin/sh -c SCRIPT parx ITEM...; values go into
 *           SCRIPT spelled for the quoting they sit in (shell.c);
 *   line    no COMMAND: the items, joined by spaces, are the command line;
 *   log     --retry-failed: the job log's command line is run again.
 *
 * Also the command line as --dry-run and -t show it and as the job log
 * records it, and what -X/-m packing must know of the template: how many
 * bytes of argument list a job with given items takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parx.h"

extern char **environ;

enum segkind { SEG_LIT, SEG_ALL, SEG_COL, SEG_SEQ, SEG_SLOT, SEG_TOTAL };
enum modkind { MOD_NONE, MOD_NOEXT, MOD_BASE, MOD_DIR, MOD_BASENOEXT,
    MOD_PDIR, MOD_PEXT };
enum tkind { T_ARGV, T_SCRIPT, T_LINE, T_LOG };

struct seg {
	enum segkind	 kind;
	enum modkind	 mod;
	int		 next;		/* extensions: {.} 1, {..} 2, {...} 3 */
	int		 col;		/* SEG_COL: 1-based */
	const char	*lit;		/* SEG_LIT */
	size_t		 litlen;
	struct shpos	 sh;		/* script: where the value goes */
};

struct word {
	struct seg	*segs;
	int		 nseg;
	int		 each;		/* exactly one {}: a word per item */
	int		 repeat;	/* -X: the whole word once per item */
};

struct tmpl {
	enum tkind	 kind;
	struct word	*words;
	int		 nwords;
	int		 has_repl;
	int		 has_total;	/* {##} */
	int		 string;	/* one word: {} joins the items */
	int		 show_args;	/* script: the cmdline shows "$@" */
	const char	*shell;
	char		*delims;	/* here-document delimiters */
	/* What a job's argv costs (tmpl_pack_add). */
	size_t		 base_chars;	/* bytes with NULs, no item */
	size_t		 base_ptrs;
	size_t		 item_chars;	/* per item, besides its length */
	size_t		 item_ptrs;
	size_t		 item_mult;	/* times the item's length */
	size_t		 col_fixed;	/* {N} values, once */
	size_t		 col_each;	/* {N} values, once per item */
	int		*joined;	/* words that join the items */
	size_t		*wbase;
	size_t		*wcol;
	int		 njoined;
};

#define NUMLEN	20	/* the most digits of {#}, {%} or {##} */

static void	 tmpl_costs(struct tmpl *);

static const struct {
	const char	*s;
	enum modkind	 mod;
	int		 next;
} mods[] = {
	{ "}", MOD_NONE, 0 }, { ".}", MOD_NOEXT, 1 }, { "..}", MOD_NOEXT, 2 },
	{ "...}", MOD_NOEXT, 3 }, { "/}", MOD_BASE, 0 }, { "//}", MOD_DIR, 0 },
	{ "/.}", MOD_BASENOEXT, 1 }, { "/..}", MOD_BASENOEXT, 2 },
	{ "/...}", MOD_BASENOEXT, 3 }, { "+/}", MOD_PDIR, 0 },
	{ "+.}", MOD_PEXT, 1 }, { "+..}", MOD_PEXT, 2 },
	{ "+...}", MOD_PEXT, 3 },
};
#define NMODS	(sizeof(mods) / sizeof(mods[0]))

/* The modifier that ends a replacement string at q, or -1. */
static int
match_mod(const char *q)
{
	size_t i;

	for (i = 0; i < NMODS; i++)
		if (strncmp(q, mods[i].s, strlen(mods[i].s)) == 0)
			return (int)i;
	return -1;
}

/* {name...} of --header: the longest name that fits, or 0. */
static size_t
match_name(const char *p, const struct tmpl_args *a, struct seg *sg)
{
	size_t best = 0, len = 0, n;
	int i, m;

	for (i = 0; i < a->nnames; i++) {
		n = strlen(a->names[i]);
		if (n == 0 || n <= best ||
		    strncmp(p + 1, a->names[i], n) != 0 ||
		    (m = match_mod(p + 1 + n)) < 0)
			continue;
		best = n;
		sg->kind = SEG_COL;
		sg->col = i + 1;
		sg->mod = mods[m].mod;
		sg->next = mods[m].next;
		len = 1 + n + strlen(mods[m].s);
	}
	return len;
}

/*
 * Recognises a replacement string at p ("{" already seen).  Returns its
 * length, or 0 when the brace group is not one and stays literal.
 */
static size_t
match_repl(const char *p, const struct tmpl_args *a, struct seg *sg)
{
	const char *q = p + 1;
	int col = 0, digits = 0, m;
	size_t n;

	if (strncmp(p, "{#}", 3) == 0 || strncmp(p, "{%}", 3) == 0) {
		sg->kind = p[1] == '#' ? SEG_SEQ : SEG_SLOT;
		return 3;
	}
	if (strncmp(p, "{##}", 4) == 0) {
		sg->kind = SEG_TOTAL;
		return 4;
	}
	if (a->nnames > 0 && (n = match_name(p, a, sg)) > 0)
		return n;
	while (*q >= '0' && *q <= '9') {
		if (col > 100000000)
			return 0;
		col = col * 10 + (*q++ - '0');
		digits++;
	}
	if ((digits > 0 && col == 0) || (m = match_mod(q)) < 0)
		return 0;
	/* With -I STR, STR stands for {} and {} is plain text. */
	if (digits == 0 && mods[m].mod == MOD_NONE && a->replace != NULL)
		return 0;
	sg->kind = digits ? SEG_COL : SEG_ALL;
	sg->col = col;
	sg->mod = mods[m].mod;
	sg->next = mods[m].next;
	return (size_t)(q - p) + strlen(mods[m].s);
}

static void
add_seg(struct word *w, struct seg *sg)
{
	struct seg *last = w->nseg ? &w->segs[w->nseg - 1] : NULL;

	if (sg->kind == SEG_LIT && last != NULL && last->kind == SEG_LIT &&
	    last->lit + last->litlen == sg->lit) {
		last->litlen += sg->litlen;
		return;
	}
	w->segs = xrealloc(w->segs, (w->nseg + 1) * sizeof(*w->segs));
	w->segs[w->nseg++] = *sg;
}

/* Splits word s into segments; returns whether it has a replacement. */
static int
parse_word(struct word *w, const char *s, const struct tmpl_args *a)
{
	size_t rlen = a->replace ? strlen(a->replace) : 0, n;
	struct seg sg;
	int repl = 0;

	while (*s != '\0') {
		memset(&sg, 0, sizeof(sg));
		if (rlen > 0 && strncmp(s, a->replace, rlen) == 0) {
			sg.kind = SEG_ALL;
			n = rlen;
		} else if (*s != '{' || (n = match_repl(s, a, &sg)) == 0) {
			sg.kind = SEG_LIT;
			sg.lit = s;
			sg.litlen = n = 1;
		}
		if (sg.kind != SEG_LIT)
			repl = 1;
		add_seg(w, &sg);
		s += n;
	}
	w->each = w->nseg == 1 && w->segs[0].kind == SEG_ALL;
	return repl;
}

static int
word_has_items(const struct word *w)
{
	int i;

	for (i = 0; i < w->nseg; i++)
		if (w->segs[i].kind == SEG_ALL)
			return 1;
	return 0;
}

/* Whether script s uses its positional parameters ($1, "$@", shift). */
static int
uses_args(const char *s)
{
	const char *p;

	for (p = s; (p = strchr(p, '$')) != NULL; p++) {
		if (p[1] == '{')
			p++;
		if (p[1] != '\0' && strchr("0123456789@*#", p[1]) != NULL)
			return 1;
	}
	for (p = s; (p = strstr(p, "shift")) != NULL; p += 5)
		if ((p == s || strchr(" \t\n;&|(", p[-1]) != NULL) &&
		    (p[5] == '\0' || strchr(" \t\n;&|)", p[5]) != NULL))
			return 1;
	return 0;
}

/* -c: finds where in the script each value goes (shell.c). */
static void
script_contexts(struct tmpl *t)
{
	struct word *w = &t->words[0];
	struct strbuf skel = { 0 };
	struct shpos *pos;
	size_t *at = xcalloc(w->nseg, sizeof(*at)), nat = 0;
	int i, k;

	sb_add(&skel, "", 0);
	for (i = 0; i < w->nseg; i++) {
		if (w->segs[i].kind == SEG_LIT) {
			sb_add(&skel, w->segs[i].lit, w->segs[i].litlen);
			continue;
		}
		at[nat++] = skel.len;
		sb_addc(&skel, 'x');	/* a value reads as part of a word */
	}
	pos = xcalloc(nat, sizeof(*pos));
	sh_lex(skel.s, skel.len, at, nat, pos, &t->delims);
	for (i = 0, k = 0; i < w->nseg; i++)
		if (w->segs[i].kind != SEG_LIT)
			w->segs[i].sh = pos[k++];
	free(pos);
	free(at);
	sb_free(&skel);
}

/*
 * a->words: COMMAND and its ARGs; or a->script; or neither (each item is
 * a command line, or with a->fromlog a job log's command).  The template
 * keeps pointers into the words and the script: they must outlive it.
 */
struct tmpl *
tmpl_new(const struct tmpl_args *a)
{
	struct tmpl *t = xcalloc(1, sizeof(*t));
	char *one[1], **words = a->words;
	int i, nwords = a->nwords;

	t->kind = T_ARGV;
	if (a->script != NULL) {
		t->kind = T_SCRIPT;
		one[0] = (char *)a->script;
		words = one;
		nwords = 1;
	} else if (a->fromlog || nwords == 0) {
		t->kind = a->fromlog ? T_LOG : T_LINE;
		nwords = 0;
	}
	if (t->kind != T_ARGV)
		t->shell = a->shell;
	t->string = a->string;
	t->words = xcalloc(nwords, sizeof(*t->words));
	t->nwords = nwords;
	for (i = 0; i < nwords; i++) {
		struct word *w = &t->words[i];
		int k;

		t->has_repl |= parse_word(w, words[i], a);
		for (k = 0; k < w->nseg; k++)
			t->has_total |= w->segs[k].kind == SEG_TOTAL;
		w->repeat = a->repeat && t->kind == T_ARGV && !w->each &&
		    !a->string && word_has_items(w);
	}
	if (a->string)
		t->words[0].each = 0;
	if (t->kind == T_SCRIPT) {
		script_contexts(t);
		t->show_args = !t->has_repl || uses_args(a->script);
	}
	tmpl_costs(t);
	return t;
}

/*
 * A template that expands to one string, such as --tagstring: {} joins
 * the items with spaces and nothing is appended.
 */
struct tmpl *
tmpl_new_string(const char *s, char *const *names, int nnames)
{
	struct tmpl_args a;
	char *w[1] = { (char *)s };

	memset(&a, 0, sizeof(a));
	a.words = w;
	a.nwords = 1;
	a.names = names;
	a.nnames = nnames;
	a.string = 1;
	return tmpl_new(&a);
}

void
tmpl_free(struct tmpl *t)
{
	int i;

	for (i = 0; i < t->nwords; i++)
		free(t->words[i].segs);
	free(t->words);
	free(t->delims);
	free(t->joined);
	free(t->wbase);
	free(t->wcol);
	free(t);
}

int
tmpl_has_repl(const struct tmpl *t)
{
	return t->has_repl;
}

int
tmpl_has_total(const struct tmpl *t)
{
	return t->has_total;
}

/*
 * The program every job runs when the template fixes it (so spawn.c can
 * look it up in PATH once), else NULL.
 */
const char *
tmpl_const_prog(const struct tmpl *t)
{
	const struct word *w;

	if (t->shell != NULL)
		return t->shell;
	w = &t->words[0];
	if (w->nseg == 1 && w->segs[0].kind == SEG_LIT)
		return w->segs[0].lit;
	return NULL;
}

/* POSIX basename(1) of s[0..n): the part after the last slash. */
static void
base_of(const char *s, size_t n, size_t *off, size_t *len)
{
	size_t end = n, start;

	while (end > 1 && s[end - 1] == '/')
		end--;
	if (end == 1 && s[0] == '/') {
		*off = 0;
		*len = 1;
		return;
	}
	for (start = end; start > 0 && s[start - 1] != '/'; start--)
		;
	*off = start;
	*len = end - start;
}

/* POSIX dirname(1): "dir/sub/f" -> "dir/sub", "f" -> ".", "/f" -> "/". */
static void
dir_of(const char *s, size_t n, const char **p, size_t *len)
{
	size_t end = n;

	while (end > 1 && s[end - 1] == '/')
		end--;
	while (end > 0 && s[end - 1] != '/')
		end--;
	if (end == 0) {
		*p = ".";
		*len = 1;
		return;
	}
	while (end > 1 && s[end - 1] == '/')
		end--;
	*p = s;
	*len = end;
}

/*
 * Where the k-th last extension of basename b[0..len) starts (its dot),
 * or -1 when it has fewer than k.  A leading dot starts no extension.
 */
static long
ext_dot(const char *b, size_t len, int k)
{
	size_t i;

	if (len == 1 && b[0] == '/')
		return -1;
	for (i = len; i > 1; i--)
		if (b[i - 1] == '.' && --k == 0)
			return (long)i - 1;
	return -1;
}

/* The value of s[0..n) under the modifier of sg, as a piece of s. */
static void
mod_value(const char *s, size_t n, const struct seg *sg, const char **vp,
    size_t *vn)
{
	const char *sl;
	size_t off, len;
	long d;

	*vp = s;
	*vn = n;
	if (sg->mod == MOD_NONE)
		return;
	if (sg->mod == MOD_DIR) {
		dir_of(s, n, vp, vn);
		return;
	}
	if (sg->mod == MOD_PDIR) {
		sl = memrchr(s, '/', n);
		*vn = sl != NULL ? (size_t)(sl - s) : 0;
		return;
	}
	base_of(s, n, &off, &len);
	d = sg->next > 0 ? ext_dot(s + off, len, sg->next) : -1;
	switch (sg->mod) {
	case MOD_NOEXT:
		/* Only the basename's extensions go; "a/b" keeps its "/". */
		if (d >= 0)
			*vn = off + (size_t)d;
		break;
	case MOD_BASE:
	case MOD_BASENOEXT:
		*vp = s + off;
		*vn = d >= 0 ? (size_t)d : len;
		break;
	case MOD_PEXT:
		*vp = d >= 0 ? s + off + d + 1 : s;
		*vn = d >= 0 ? len - (size_t)d - 1 : 0;
		break;
	default:
		break;
	}
}

/* Adds one value with its modifier applied, spelled for the script. */
static int
add_value(struct argv *av, const struct seg *sg, const char *s, size_t n,
    int script)
{
	const char *p;
	size_t len;

	mod_value(s, n, sg, &p, &len);
	if (script)
		return sh_quote(&av->sb, p, len, &sg->sh);
	argv_word_add(av, p, len);
	return 0;
}

/*
 * The items for {} (item only, or all joined by spaces).  What comes
 * right before {} in the script (a backslash, a $) concerns the first.
 */
static int
add_items(struct argv *av, const struct seg *sg, const struct job *j,
    int only, int script)
{
	struct seg rest = *sg;
	int k, rc = 0;

	rest.sh.esc = rest.sh.dollar = 0;
	rest.sh.bol = 0;
	for (k = 0; k < j->nitems && rc == 0; k++) {
		if (only >= 0 && k != only)
			continue;
		if (k > 0 && only < 0)
			argv_word_add(av, " ", 1);
		rc = add_value(av, k > 0 && only < 0 ? &rest : sg,
		    j->items[k], j->lens[k], script);
	}
	return rc;
}

static void
add_number(struct argv *av, unsigned long long v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%llu", v);

	argv_word_add(av, num, (size_t)n);
}

/*
 * Expands word w for job j; only >= 0 (-X) gives {} that one item.
 * Returns -1 when a value cannot go where the script puts it.
 */
static int
expand_word(const struct tmpl *t, const struct word *w, const struct job *j,
    int slot, int only, struct argv *av)
{
	int i, script = t->kind == T_SCRIPT, rc = 0;

	for (i = 0; i < w->nseg && rc == 0; i++) {
		const struct seg *sg = &w->segs[i];

		switch (sg->kind) {
		case SEG_LIT:
			argv_word_add(av, sg->lit, sg->litlen);
			break;
		case SEG_ALL:
			rc = add_items(av, sg, j, only, script);
			break;
		case SEG_COL:
			if (sg->col <= j->ncols)
				rc = add_value(av, sg, j->cols[sg->col - 1],
				    j->collens[sg->col - 1], script);
			else if (script)
				rc = sh_quote(&av->sb, "", 0, &sg->sh);
			break;
		case SEG_SEQ:
			add_number(av, j->seq);
			break;
		case SEG_SLOT:
			add_number(av, (unsigned long long)slot);
			break;
		case SEG_TOTAL:
			add_number(av, jobs_total);
			break;
		}
	}
	return rc;
}

static void
add_word(struct argv *av, const char *s, size_t n)
{
	argv_word_begin(av);
	argv_word_add(av, s, n);
	argv_word_end(av);
}

static int
expand_argv(const struct tmpl *t, const struct job *j, int slot,
    struct argv *av)
{
	int i, k;

	for (i = 0; i < t->nwords; i++) {
		const struct word *w = &t->words[i];

		if (w->each || w->repeat) {
			for (k = 0; k < j->nitems; k++) {
				argv_word_begin(av);
				if (w->each)
					add_value(av, &w->segs[0], j->items[k],
					    j->lens[k], 0);
				else
					expand_word(t, w, j, slot, k, av);
				argv_word_end(av);
			}
			continue;
		}
		argv_word_begin(av);
		expand_word(t, w, j, slot, -1, av);
		argv_word_end(av);
	}
	if (!t->has_repl && !t->string)
		for (k = 0; k < j->ncols; k++)
			add_word(av, j->cols[k], j->collens[k]);
	return 0;
}

/* /bin/sh -c SCRIPT parx [ITEM...]: $0 is parx. */
static int
expand_shell(const struct tmpl *t, const struct job *j, int slot,
    struct argv *av)
{
	int k, rc = 0;

	add_word(av, t->shell, strlen(t->shell));
	add_word(av, "-c", 2);
	argv_word_begin(av);
	switch (t->kind) {
	case T_SCRIPT:
		rc = expand_word(t, &t->words[0], j, slot, -1, av);
		break;
	case T_LINE:
		for (k = 0; k < j->nitems; k++) {
			if (k > 0)
				argv_word_add(av, " ", 1);
			argv_word_add(av, j->items[k], j->lens[k]);
		}
		break;
	default:
		if (j->nitems > 0)
			sh_unline(&av->sb, j->items[0]);
		break;
	}
	argv_word_end(av);
	add_word(av, "parx", 4);
	/* The items are always "$@" too. */
	if (t->kind == T_SCRIPT)
		for (k = 0; k < j->ncols; k++)
			add_word(av, j->cols[k], j->collens[k]);
	return rc;
}

/*
 * Builds the argv of job j into av, which the calling worker owns.
 * Returns 0, or -1 when an item cannot be put where the -c script
 * puts it (see sh_quote); av is then not to be run.
 */
int
tmpl_expand(const struct tmpl *t, const struct job *j, int slot,
    struct argv *av)
{
	int rc;

	argv_reset(av);
	if (t->kind == T_ARGV)
		rc = expand_argv(t, j, slot, av);
	else
		rc = expand_shell(t, j, slot, av);
	argv_finish(av);
	return rc;
}

/*
 * The command as a user would type it, for --dry-run and -t: the words
 * shell-quoted; under -c the script after substitution, after
 * "set -- ITEM...;" when the script uses its arguments.
 */
void
tmpl_cmdline(const struct tmpl *t, char **argv, struct strbuf *sb)
{
	int i;

	sb->len = 0;
	sb_add(sb, "", 0);
	if (t->kind == T_ARGV) {
		for (i = 0; argv[i] != NULL; i++) {
			if (i > 0)
				sb_addc(sb, ' ');
			shell_quote(sb, argv[i], strlen(argv[i]));
		}
		return;
	}
	if (t->kind == T_SCRIPT && t->show_args && argv[4] != NULL) {
		sb_adds(sb, "set --");
		for (i = 4; argv[i] != NULL; i++) {
			sb_addc(sb, ' ');
			shell_quote(sb, argv[i], strlen(argv[i]));
		}
		sb_adds(sb, "; ");
	}
	sb_adds(sb, argv[2]);
}

/*
 * The command as the job log records it: on one line, and different for
 * different commands.  Words with a newline are written $'...'; a shell
 * command line with a newline becomes eval $'...'.  --retry-failed reads
 * it back (T_LOG, sh_unline).
 */
void
tmpl_logline(const struct tmpl *t, const struct job *j, char **argv,
    struct strbuf *sb)
{
	struct strbuf s = { 0 };
	int i;

	sb->len = 0;
	sb_add(sb, "", 0);
	if (t->kind == T_LOG) {
		if (j->nitems > 0)
			sb_add(sb, j->items[0], j->lens[0]);
		return;
	}
	if (t->kind == T_ARGV) {
		for (i = 0; argv[i] != NULL; i++) {
			if (i > 0)
				sb_addc(sb, ' ');
			shell_quote_line(sb, argv[i], strlen(argv[i]));
		}
		return;
	}
	tmpl_cmdline(t, argv, sb);
	if (memchr(sb->s, '\n', sb->len) == NULL)
		return;
	sb_add(&s, sb->s, sb->len);
	sb->len = 0;
	sb_adds(sb, "eval ");
	shell_quote_line(sb, s.s, s.len);
	sb_free(&s);
}

/* ---------------------------------------------------------------- packing */

/*
 * What -X and -m must know: the bytes of argument list (strings with
 * their NULs, as xargs -s counts them) and the pointers a job takes,
 * as a fixed part, a part per item, and the words that join items (no
 * argument may exceed the kernel's MAX_ARG_STRLEN).  Values after a
 * modifier are never longer than the item; {N} values are counted at the
 * length of the longest item.
 */
static void
word_cost(struct tmpl *t, const struct word *w, size_t *lit, int *nall,
    int *ncol)
{
	int i;

	*lit = 1;		/* the NUL */
	*nall = *ncol = 0;
	for (i = 0; i < w->nseg; i++) {
		switch (w->segs[i].kind) {
		case SEG_LIT:
			*lit += w->segs[i].litlen;
			break;
		case SEG_ALL:
			(*nall)++;
			break;
		case SEG_COL:
			(*ncol)++;
			break;
		default:
			*lit += NUMLEN;
			break;
		}
	}
	(void)t;
}

static void
add_joined(struct tmpl *t, int i, size_t lit, int ncol)
{
	t->joined = xrealloc(t->joined, (t->njoined + 1) * sizeof(int));
	t->wbase = xrealloc(t->wbase, (t->njoined + 1) * sizeof(size_t));
	t->wcol = xrealloc(t->wcol, (t->njoined + 1) * sizeof(size_t));
	t->joined[t->njoined] = i;
	t->wbase[t->njoined] = lit;
	t->wcol[t->njoined] = (size_t)ncol;
	t->njoined++;
}

static void
tmpl_costs(struct tmpl *t)
{
	size_t lit;
	int i, nall, ncol;

	t->base_ptrs = 1;		/* the NULL at the end */
	if (t->kind != T_ARGV) {
		t->base_chars = strlen(t->shell) + 1 + 3 + 5;
		t->base_ptrs += 4;
		if (t->kind == T_LINE) {
			t->base_chars += 1;
			t->item_chars += 1;
			t->item_mult += 1;
			add_joined(t, -1, 1, 0);
			return;
		}
	}
	for (i = 0; i < t->nwords; i++) {
		const struct word *w = &t->words[i];

		word_cost(t, w, &lit, &nall, &ncol);
		if (w->each) {
			t->item_chars += 1;
			t->item_ptrs += 1;
			t->item_mult += 1;
		} else if (w->repeat) {
			t->item_chars += lit;
			t->item_ptrs += 1;
			t->item_mult += (size_t)nall;
			t->col_each += (size_t)ncol;
		} else {
			t->base_chars += lit;
			if (t->kind == T_ARGV)
				t->base_ptrs += 1;
			t->col_fixed += (size_t)ncol;
			if (nall > 0)
				add_joined(t, i, lit, ncol);
		}
	}
	if (t->kind == T_SCRIPT || (!t->has_repl && !t->string)) {
		/* "$@", or the items appended */
		t->item_chars += 1;
		t->item_ptrs += 1;
		t->item_mult += 1;
	}
}

/* The largest argument list the kernel takes, less the environment. */
static size_t
sys_limit(void)
{
	long am = sysconf(_SC_ARG_MAX);
	size_t lim = am > 0 ? (size_t)am : 131072, env = sizeof(char *);
	int i;

	/* Linux allows at most 3/4 of 8 MiB, whatever the stack limit. */
	if (lim > 6 * 1024 * 1024)
		lim = 6 * 1024 * 1024;
	for (i = 0; environ[i] != NULL; i++)
		env += strlen(environ[i]) + 1 + sizeof(char *);
	/* PARX_SEQ and PARX_SLOT; room for the path of the program. */
	env += 2 * (40 + sizeof(char *)) + 8192;
	return lim > env + 4096 ? lim - env : 4096;
}

void
tmpl_pack_init(const struct tmpl *t, struct pack *pk, long maxchars)
{
	long pg = sysconf(_SC_PAGESIZE);

	memset(pk, 0, sizeof(*pk));
	pk->lim_sys = sys_limit();
	pk->lim_chars = maxchars > 0 && (size_t)maxchars < pk->lim_sys ?
	    (size_t)maxchars : pk->lim_sys;
	pk->lim_word = (pg > 0 ? (size_t)pg : 4096) * 32;
	pk->wlen = xcalloc(t->njoined + 1, sizeof(*pk->wlen));
	pk->wadd = xcalloc(t->njoined + 1, sizeof(*pk->wadd));
}

void
tmpl_pack_reset(const struct tmpl *t, struct pack *pk)
{
	pk->chars = pk->ptrs = pk->maxv = pk->n = 0;
	memset(pk->wlen, 0, (t->njoined + 1) * sizeof(*pk->wlen));
}

void
tmpl_pack_free(struct pack *pk)
{
	free(pk->wlen);
	free(pk->wadd);
	sb_free(&pk->scratch);
}

/* The length of value v as seg sg puts it into the script. */
static size_t
qlen(const struct tmpl *t, struct pack *pk, const struct seg *sg,
    const char *v, size_t n)
{
	if (t->kind != T_SCRIPT)
		return n;
	pk->scratch.len = 0;
	if (sh_quote(&pk->scratch, v, n, &sg->sh) == -1)
		return n;
	return pk->scratch.len;
}

/* What item v adds to the joined words (pk->wadd); its longest value. */
static size_t
joined_add(const struct tmpl *t, struct pack *pk, const char *v, size_t n)
{
	const struct word *w;
	size_t q, qmax = n;
	int k, i;

	for (k = 0; k < t->njoined; k++) {
		pk->wadd[k] = 0;
		if (t->joined[k] < 0) {		/* the command line */
			pk->wadd[k] = n + 1;
			continue;
		}
		w = &t->words[t->joined[k]];
		for (i = 0; i < w->nseg; i++) {
			if (w->segs[i].kind != SEG_ALL &&
			    w->segs[i].kind != SEG_COL)
				continue;
			q = qlen(t, pk, &w->segs[i], v, n);
			if (w->segs[i].kind == SEG_ALL)
				pk->wadd[k] += q + 1;
			if (q > qmax)
				qmax = q;
		}
	}
	return qmax;
}

/*
 * Adds item v to the job being packed when it fits: returns 1.  When it
 * does not fit, returns 0 and adds nothing, unless the job is empty:
 * then the item is added alone and -1 says it is too long by itself.
 */
int
tmpl_pack_add(const struct tmpl *t, struct pack *pk, const char *v,
    size_t n)
{
	size_t dch, maxv, chars, ptrs, wl;
	int k, fits;

	maxv = joined_add(t, pk, v, n);
	if (maxv < pk->maxv)
		maxv = pk->maxv;
	dch = t->item_chars + t->item_mult * n;
	for (k = 0; k < t->njoined; k++)
		dch += pk->wadd[k];
	chars = t->base_chars + pk->chars + dch +
	    (t->col_fixed + (pk->n + 1) * t->col_each) * maxv;
	ptrs = t->base_ptrs + pk->ptrs + t->item_ptrs;
	fits = chars <= pk->lim_chars &&
	    chars + ptrs * sizeof(char *) <= pk->lim_sys;
	for (k = 0; k < t->njoined && fits; k++) {
		wl = t->wbase[k] + pk->wlen[k] +
		    pk->wadd[k] + t->wcol[k] * maxv;
		fits = wl <= pk->lim_word;
	}
	if (!fits && pk->n > 0)
		return 0;
	pk->chars += dch;
	pk->ptrs += t->item_ptrs;
	for (k = 0; k < t->njoined; k++)
		pk->wlen[k] += pk->wadd[k];
	pk->maxv = maxv;
	pk->n++;
	pk->last = chars;
	return fits ? 1 : -1;
}

/* The bytes (as -s counts them) of a job with item v alone. */
size_t
tmpl_pack_chars(const struct tmpl *t, const char *v, size_t n)
{
	struct pack pk;
	size_t c;

	tmpl_pack_init(t, &pk, 0);
	pk.lim_chars = pk.lim_sys = pk.lim_word = (size_t)-1 / 4;
	tmpl_pack_add(t, &pk, v, n);
	c = pk.last;
	tmpl_pack_free(&pk);
	return c;
}
