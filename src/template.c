/*
 * template.c - the command template: parsed once at startup into words of
 * literal text and replacement strings, then expanded into an argv for
 * each job by the worker that runs it (into that worker's own buffers, so
 * expansion allocates nothing once the buffers have grown).
 *
 * Also the shell quoting used by -c, --dry-run, -t and the joblog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parx.h"

enum segkind { SEG_LIT, SEG_ALL, SEG_COL, SEG_SEQ, SEG_SLOT };
enum modkind { MOD_NONE, MOD_NOEXT, MOD_BASE, MOD_DIR, MOD_BASENOEXT };

struct seg {
	enum segkind	 kind;
	enum modkind	 mod;
	int		 col;		/* SEG_COL: 1-based */
	const char	*lit;		/* SEG_LIT */
	size_t		 litlen;
};

struct word {
	struct seg	*segs;
	int		 nseg;
	int		 each;		/* exactly one {}: a word per item */
};

struct tmpl {
	struct word	*words;
	int		 nwords;
	int		 has_repl;
	int		 string;	/* one word: {} joins the items */
	const char	*shell;		/* -c: the shell, else NULL */
};

static const struct {
	const char	*s;
	enum modkind	 mod;
} mods[] = {
	{ "}", MOD_NONE }, { ".}", MOD_NOEXT }, { "/}", MOD_BASE },
	{ "//}", MOD_DIR }, { "/.}", MOD_BASENOEXT },
};

/*
 * Recognises a replacement string at p ("{" already seen).  Returns its
 * length, or 0 when the brace group is not one and stays literal.
 */
static size_t
match_repl(const char *p, const char *replace, struct seg *sg)
{
	const char *q = p + 1;
	int col = 0, digits = 0;
	size_t i, n;

	if (strncmp(p, "{#}", 3) == 0 || strncmp(p, "{%}", 3) == 0) {
		sg->kind = p[1] == '#' ? SEG_SEQ : SEG_SLOT;
		return 3;
	}
	while (*q >= '0' && *q <= '9') {
		if (col > 100000000)
			return 0;
		col = col * 10 + (*q++ - '0');
		digits++;
	}
	if (digits > 0 && col == 0)
		return 0;
	for (i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		n = strlen(mods[i].s);
		if (strncmp(q, mods[i].s, n) != 0)
			continue;
		/* With -I STR, STR stands for {} and {} is plain text. */
		if (digits == 0 && mods[i].mod == MOD_NONE && replace != NULL)
			return 0;
		sg->kind = digits ? SEG_COL : SEG_ALL;
		sg->col = col;
		sg->mod = mods[i].mod;
		return (size_t)(q - p) + n;
	}
	return 0;
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

static int
parse_word(struct word *w, const char *s, const char *replace)
{
	size_t rlen = replace ? strlen(replace) : 0, n;
	struct seg sg;
	int repl = 0;

	while (*s != '\0') {
		memset(&sg, 0, sizeof(sg));
		if (rlen > 0 && strncmp(s, replace, rlen) == 0) {
			sg.kind = SEG_ALL;
			n = rlen;
		} else if (*s != '{' || (n = match_repl(s, replace, &sg)) == 0) {
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

/*
 * words: COMMAND and its ARGs, or NULL with a -c script.  The template
 * keeps pointers into words and script: they must outlive it.
 */
struct tmpl *
tmpl_new(char **words, int nwords, const char *replace, const char *script,
    const char *shell)
{
	struct tmpl *t = xcalloc(1, sizeof(*t));
	char *one[1];
	int i;

	if (script != NULL) {
		one[0] = (char *)script;
		words = one;
		nwords = 1;
		t->shell = shell;
	}
	t->words = xcalloc(nwords, sizeof(*t->words));
	t->nwords = nwords;
	for (i = 0; i < nwords; i++)
		t->has_repl |= parse_word(&t->words[i], words[i], replace);
	return t;
}

/*
 * A template that expands to one string, such as --tagstring: {} joins
 * the items with spaces and nothing is appended.
 */
struct tmpl *
tmpl_new_string(const char *s)
{
	char *w[1] = { (char *)s };
	struct tmpl *t = tmpl_new(w, 1, NULL, NULL, NULL);

	t->string = 1;
	t->words[0].each = 0;
	return t;
}

void
tmpl_free(struct tmpl *t)
{
	int i;

	for (i = 0; i < t->nwords; i++)
		free(t->words[i].segs);
	free(t->words);
	free(t);
}

int
tmpl_has_repl(const struct tmpl *t)
{
	return t->has_repl;
}

/*
 * The program every job runs when the template fixes it (so spawn.c can
 * look it up in PATH once), else NULL.
 */
const char *
tmpl_const_prog(const struct tmpl *t)
{
	const struct word *w = &t->words[0];

	if (t->shell != NULL)
		return t->shell;
	if (w->nseg == 1 && w->segs[0].kind == SEG_LIT)
		return w->segs[0].lit;
	return NULL;
}

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

/* Length of s[off..off+len) without its last extension (not a leading dot). */
static size_t
noext_len(const char *s, size_t off, size_t len)
{
	size_t i;

	for (i = len; i > 1; i--)
		if (s[off + i - 1] == '.')
			return i - 1;
	return len;
}

/* Adds one value with its modifier applied, quoted for the shell if asked. */
static void
add_value(struct argv *av, const char *s, size_t n, enum modkind mod,
    int quote)
{
	const char *p = s;
	size_t off, len = n;

	switch (mod) {
	case MOD_NONE:
		break;
	case MOD_NOEXT:
		/* Only the basename's extension goes; "a/b" keeps its "/". */
		base_of(s, n, &off, &len);
		if (!(len == 1 && s[off] == '/') &&
		    noext_len(s, off, len) < len)
			len = off + noext_len(s, off, len);
		else
			len = n;
		break;
	case MOD_BASE:
		base_of(s, n, &off, &len);
		p = s + off;
		break;
	case MOD_DIR:
		dir_of(s, n, &p, &len);
		break;
	case MOD_BASENOEXT:
		base_of(s, n, &off, &len);
		p = s + off;
		if (!(len == 1 && *p == '/'))
			len = noext_len(s, off, len);
		break;
	}
	if (quote)
		shell_quote(&av->sb, p, len);
	else
		argv_word_add(av, p, len);
}

static void
expand_word(const struct tmpl *t, const struct word *w, const struct job *j,
    int slot, struct argv *av)
{
	char num[32];
	int i, k, quote = t->shell != NULL, n;

	for (i = 0; i < w->nseg; i++) {
		const struct seg *sg = &w->segs[i];

		switch (sg->kind) {
		case SEG_LIT:
			argv_word_add(av, sg->lit, sg->litlen);
			break;
		case SEG_ALL:
			for (k = 0; k < j->nitems; k++) {
				if (k > 0)
					argv_word_add(av, " ", 1);
				add_value(av, j->items[k], j->lens[k],
				    sg->mod, quote);
			}
			break;
		case SEG_COL:
			if (sg->col <= j->ncols)
				add_value(av, j->cols[sg->col - 1],
				    j->collens[sg->col - 1], sg->mod, quote);
			else if (quote)
				argv_word_add(av, "''", 2);
			break;
		case SEG_SEQ:
		case SEG_SLOT:
			n = snprintf(num, sizeof(num), "%llu",
			    sg->kind == SEG_SEQ ? j->seq :
			    (unsigned long long)slot);
			argv_word_add(av, num, (size_t)n);
			break;
		}
	}
}

/* Builds the argv of job j into av, which the calling worker owns. */
void
tmpl_expand(const struct tmpl *t, const struct job *j, int slot,
    struct argv *av)
{
	int i, k;

	argv_reset(av);
	if (t->shell != NULL) {
		argv_word_begin(av);
		argv_word_add(av, t->shell, strlen(t->shell));
		argv_word_end(av);
		argv_word_begin(av);
		argv_word_add(av, "-c", 2);
		argv_word_end(av);
	}
	for (i = 0; i < t->nwords; i++) {
		const struct word *w = &t->words[i];

		if (w->each && t->shell == NULL) {
			for (k = 0; k < j->nitems; k++) {
				argv_word_begin(av);
				add_value(av, j->items[k], j->lens[k],
				    w->segs[0].mod, 0);
				argv_word_end(av);
			}
			continue;
		}
		argv_word_begin(av);
		expand_word(t, w, j, slot, av);
		argv_word_end(av);
	}
	if (t->shell != NULL) {
		/* sh -c SCRIPT parx ITEM...: $0 is parx, "$@" the items. */
		argv_word_begin(av);
		argv_word_add(av, "parx", 4);
		argv_word_end(av);
	}
	if (!t->has_repl && !t->string) {
		for (k = 0; k < j->ncols; k++) {
			argv_word_begin(av);
			argv_word_add(av, j->cols[k], j->collens[k]);
			argv_word_end(av);
		}
	}
	argv_finish(av);
}

/*
 * The command as a user would type it, for --dry-run, -t and the joblog:
 * the words shell-quoted; under -c the script after substitution,
 * followed by the quoted items when they are passed as "$@".
 */
void
tmpl_cmdline(const struct tmpl *t, char **argv, struct strbuf *sb)
{
	int i = 0;

	sb->len = 0;
	sb_add(sb, "", 0);
	if (t->shell != NULL) {
		sb_adds(sb, argv[2]);
		for (i = 4; argv[i] != NULL; i++) {
			sb_addc(sb, ' ');
			shell_quote(sb, argv[i], strlen(argv[i]));
		}
		return;
	}
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			sb_addc(sb, ' ');
		shell_quote(sb, argv[i], strlen(argv[i]));
	}
}
