/*
 * template_fuzz.c - libFuzzer harness for src/template.c: tmpl_new,
 * tmpl_expand, tmpl_cmdline and shell_quote, with a job made up from the
 * fuzz input.
 *
 * Input: a flags byte, a parameter byte, then NUL-separated fields: the
 * -I string (when asked for), the template words, the items, and any
 * further fields as --colsep columns.
 *
 *   flags bit 0    -c: the first word is the script
 *   flags bit 1    -I: the first field is the replace string
 *   flags bit 2    checked mode: "cmd {MOD}" with one item, compared with
 *                  a reference of the POSIX basename/dirname rules
 *   flags bits 3-4 number of items - 1
 *   flags bits 5-7 number of template words - 1
 *
 * Besides running under ASan and UBSan, it checks:
 *   - shell_quote output is one shell word that a small single-quote
 *     lexer turns back into the input, with nothing special unquoted;
 *   - tmpl_cmdline lexes back into exactly the argv (without -c);
 *   - without any brace or -I string the argv is the words, then the
 *     items (or columns);
 *   - under -c the script keeps every substituted value quoted, the
 *     items are always "$@", and the shown command line lexes back
 *     into them;
 *   - {} {.} {/} {//} {/.}, the --plus strings {..} {...} {/..} {/...}
 *     {+/} {+.} {+..} {+...}, and {1...} follow SPEC sections 4, 11.7.
 *
 * fuzz/quote_fuzz.c runs substituted scripts through a real /bin/sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/parx.h"
#include "common.h"

unsigned long long jobs_total = 42;	/* {##}; reader.c's */

/* The characters shell_quote leaves bare. */
static int
safe(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || (c != '\0' && strchr("_@%+=:,./-", c));
}

/*
 * Splits s the way /bin/sh would if it held only bare words, '...'
 * strings, backslash escapes and spaces.  extra: more characters allowed
 * unquoted.  Returns the number of words (stored NUL-separated in out),
 * or -1 when s has anything else unquoted or an open quote.
 */
static int
lex(const char *s, const char *extra, struct strbuf *out)
{
	int nw = 0, inword = 0;

	out->len = 0;
	sb_add(out, "", 0);
	while (*s != '\0') {
		if (*s == ' ') {
			if (inword) {
				sb_addc(out, '\0');
				inword = 0;
			}
			s++;
			continue;
		}
		if (!inword) {
			inword = 1;
			nw++;
		}
		if (*s == '\'') {
			const char *e = strchr(s + 1, '\'');

			if (e == NULL)
				return -1;
			sb_add(out, s + 1, (size_t)(e - s - 1));
			s = e + 1;
		} else if (*s == '\\') {
			if (s[1] == '\0')
				return -1;
			sb_addc(out, s[1]);
			s += 2;
		} else if (safe((unsigned char)*s) ||
		    (extra != NULL && strchr(extra, *s) != NULL)) {
			sb_addc(out, *s);
			s++;
		} else
			return -1;
	}
	if (inword)
		sb_addc(out, '\0');
	return nw;
}

/* The i-th word lex left in out. */
static const char *
lexword(const struct strbuf *out, int i)
{
	const char *p = out->s;

	while (i-- > 0)
		p += strlen(p) + 1;
	return p;
}

static void
check_quote(const char *s, size_t n)
{
	struct strbuf q = { 0 }, w = { 0 };
	int nw;

	if (memchr(s, '\0', n) != NULL)
		return;		/* items never hold NUL bytes */
	shell_quote(&q, s, n);
	sb_add(&q, "", 0);
	nw = lex(q.s, NULL, &w);
	CHECK(nw == 1, "shell_quote gave %d words for '%.*s': %s", nw,
	    (int)n, s, q.s);
	CHECK(strlen(w.s) == n && memcmp(w.s, s, n) == 0,
	    "shell_quote does not round-trip: '%.*s' -> %s", (int)n, s, q.s);
	sb_free(&q);
	sb_free(&w);
}

/* POSIX basename(1), with "//" giving "/". */
static void
ref_base(const char *s, struct strbuf *r)
{
	size_t n = strlen(s), st;

	r->len = 0;
	sb_add(r, "", 0);
	if (n == 0)
		return;
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0) {
		sb_adds(r, "/");
		return;
	}
	for (st = n; st > 0 && s[st - 1] != '/'; st--)
		;
	sb_add(r, s + st, n - st);
}

/* POSIX dirname(1), with "//" giving "/". */
static void
ref_dir(const char *s, struct strbuf *r)
{
	size_t n = strlen(s);

	r->len = 0;
	sb_add(r, "", 0);
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0 && s[0] == '/') {
		sb_adds(r, "/");
		return;
	}
	while (n > 0 && s[n - 1] != '/')
		n--;
	if (n == 0) {
		sb_adds(r, ".");
		return;
	}
	while (n > 0 && s[n - 1] == '/')
		n--;
	if (n == 0)
		sb_adds(r, "/");
	else
		sb_add(r, s, n);
}

/*
 * Where the k-th last extension of name s[0..n) starts (its dot), or -1
 * when it has fewer; a leading dot starts no extension.
 */
static long
ref_dot(const char *s, size_t n, int k)
{
	size_t i;

	for (i = n; i > 1; i--)
		if (s[i - 1] == '.' && --k == 0)
			return (long)i - 1;
	return -1;
}

/* A name without its last extension; a leading dot is no extension. */
static size_t
ref_noext(const char *s, size_t n)
{
	long d = ref_dot(s, n, 1);

	return d < 0 ? n : (size_t)d;
}

#define NMODS	13
static const char *const modwords[2 * NMODS] = {
	"{}", "{.}", "{/}", "{//}", "{/.}", "{..}", "{...}", "{/..}",
	"{/...}", "{+/}", "{+.}", "{+..}", "{+...}",
	"{1}", "{1.}", "{1/}", "{1//}", "{1/.}", "{1..}", "{1...}", "{1/..}",
	"{1/...}", "{1+/}", "{1+.}", "{1+..}", "{1+...}",
};

/* The --plus values: k extensions off, or only them, or what {+/} keeps. */
static int
ref_plus(const char *item, size_t n, int mod, struct strbuf *want)
{
	static const int k[NMODS] = { 0, 0, 0, 0, 0, 2, 3, 2, 3, 0, 1, 2, 3 };
	const char *sl;
	size_t st;
	long d;

	switch (mod) {
	case 5:
	case 6:
		if (n > 0 && item[n - 1] == '/')
			return -1;	/* as for {.}: not specified */
		for (st = n; st > 0 && item[st - 1] != '/'; st--)
			;
		d = ref_dot(item + st, n - st, k[mod]);
		sb_add(want, item, d < 0 ? n : st + (size_t)d);
		return 0;
	case 9:
		sl = memrchr(item, '/', n);
		sb_add(want, item, sl != NULL ? (size_t)(sl - item) : 0);
		return 0;
	}
	ref_base(item, want);
	d = strcmp(want->s, "/") == 0 ? -1 : ref_dot(want->s, want->len,
	    k[mod]);
	if (mod == 7 || mod == 8) {
		if (d >= 0)
			want->len = (size_t)d;
		return 0;
	}
	/* {+.} {+..} {+...}: what the others take off, without its dot. */
	if (d < 0)
		want->len = 0;
	else {
		memmove(want->s, want->s + d + 1, want->len - (size_t)d - 1);
		want->len -= (size_t)d + 1;
	}
	return 0;
}

static struct tmpl *
argv_tmpl(char **words, int n, const char *replace)
{
	struct tmpl_args a;

	memset(&a, 0, sizeof(a));
	a.words = words;
	a.nwords = n;
	a.replace = replace;
	return tmpl_new(&a);
}

/* "cmd {MOD}" with one item: argv must be cmd and the reference value. */
static void
checked_mode(struct fin *f)
{
	int which = fin_byte(f) % (2 * NMODS), mod = which % NMODS;
	char *words[2] = { "cmd", (char *)modwords[which] };
	struct argv av = { 0 };
	struct strbuf want = { 0 };
	struct tmpl *t;
	struct job j;
	char *item;
	size_t n = 0, st;

	item = fin_field(f, '\0', &n);
	if (item == NULL)
		item = calloc(1, 1);
	memset(&j, 0, sizeof(j));
	j.seq = 1;
	j.nitems = j.ncols = 1;
	j.items = j.cols = &item;
	j.lens = j.collens = &n;

	switch (mod) {
	case 0:
		sb_add(&want, item, n);
		break;
	case 1:
		/* Trailing slashes: what {.} does there is not specified. */
		if (n > 0 && item[n - 1] == '/')
			goto out;
		for (st = n; st > 0 && item[st - 1] != '/'; st--)
			;
		sb_add(&want, item, st + ref_noext(item + st, n - st));
		break;
	case 2:
		ref_base(item, &want);
		break;
	case 3:
		ref_dir(item, &want);
		break;
	case 4:
		ref_base(item, &want);
		if (strcmp(want.s, "/") != 0)
			want.len = ref_noext(want.s, want.len);
		break;
	default:
		sb_add(&want, "", 0);
		if (ref_plus(item, n, mod, &want) == -1)
			goto out;
		break;
	}
	sb_add(&want, "", 0);
	t = argv_tmpl(words, 2, NULL);
	CHECK(tmpl_has_repl(t), "%s is a replacement string", words[1]);
	tmpl_expand(t, &j, 1, &av);
	CHECK(av.n == 2, "%s of '%s' gave %d words", words[1], item, av.n);
	CHECK(strcmp(av.v[0], "cmd") == 0 && av.v[2] == NULL, "argv shape");
	CHECK(strcmp(av.v[1], want.s) == 0,
	    "%s of '%s' is '%s', expected '%s'", words[1], item, av.v[1],
	    want.s);
	tmpl_free(t);
out:
	argv_free(&av);
	sb_free(&want);
	free(item);
}

static int
has_brace(char **w, int n, const char *replace)
{
	int i;

	for (i = 0; i < n; i++)
		if (strchr(w[i], '{') != NULL ||
		    (replace != NULL && strstr(w[i], replace) != NULL))
			return 1;
	return 0;
}

/*
 * Whether s holds only what check_script lets through bare (a # only in
 * {#} or {##}, so that nothing is a comment).
 */
static int
plain_script(const char *s)
{
	const char *p;

	for (p = s; *p != '\0'; p++)
		if (!safe((unsigned char)*p) && strchr(" {}#", *p) == NULL)
			return 0;
		else if (*p == '#' && (p == s || (p[-1] != '{' && p[-1] != '#')))
			return 0;
	return 1;
}

/*
 * The command line shown under -c: "set -- ARGS; SCRIPT" (the args lex
 * back into the items) or SCRIPT alone.
 */
static void
check_script_cmdline(const char *cmd, char **av, int n)
{
	size_t sl = strlen(av[2]), cl = strlen(cmd);
	struct strbuf lx = { 0 }, args = { 0 };
	int nw, i;

	CHECK(cl >= sl && strcmp(cmd + cl - sl, av[2]) == 0,
	    "cmdline '%s' does not end with the script", cmd);
	if (cl == sl)
		return;
	CHECK(strncmp(cmd, "set --", 6) == 0 && cl >= sl + 8 &&
	    strncmp(cmd + cl - sl - 2, "; ", 2) == 0, "cmdline '%s'", cmd);
	sb_add(&args, cmd + 6, cl - sl - 8);
	nw = lex(args.s, NULL, &lx);
	CHECK(nw == n - 4, "cmdline args: %d vs %d", nw, n - 4);
	for (i = 0; i < nw; i++)
		CHECK(strcmp(lexword(&lx, i), av[4 + i]) == 0,
		    "cmdline arg %d", i);
	sb_free(&lx);
	sb_free(&args);
}

static void
free_mode(struct fin *f, int flags)
{
	int script = flags & 1, nitems = 1 + ((flags >> 3) & 3);
	int nwords = 1 + ((flags >> 5) & 7), slot = fin_byte(f), i, k, nw;
	char *replace = NULL, *words[8], *items[4], *cols[16];
	size_t lens[4], collens[16];
	struct argv av = { 0 };
	struct strbuf cmd = { 0 }, lx = { 0 };
	struct tmpl *t;
	struct job j;
	int ncols = 0;

	memset(words, 0, sizeof(words));
	memset(items, 0, sizeof(items));
	if (flags & 2) {
		replace = fin_field(f, '\0', NULL);
		if (replace != NULL && *replace == '\0') {
			free(replace);
			replace = NULL;
		}
	}
	for (i = 0; i < nwords; i++)
		if ((words[i] = fin_field(f, '\0', NULL)) == NULL)
			words[i] = strdup("w");
	for (i = 0; i < nitems; i++)
		if ((items[i] = fin_field(f, '\0', &lens[i])) == NULL) {
			items[i] = strdup("");
			lens[i] = 0;
		}
	while (ncols < 16 && (cols[ncols] = fin_field(f, '\0',
	    &collens[ncols])) != NULL)
		ncols++;

	for (i = 0; i < nitems; i++)
		check_quote(items[i], lens[i]);

	memset(&j, 0, sizeof(j));
	j.seq = (unsigned long long)slot * 7919 + 1;
	j.nitems = nitems;
	j.items = items;
	j.lens = lens;
	if (ncols > 0) {
		j.ncols = ncols;
		j.cols = cols;
		j.collens = collens;
	} else {
		j.ncols = nitems;
		j.cols = items;
		j.collens = lens;
	}
	if (script)
		nwords = 1;
	{
		struct tmpl_args a;

		memset(&a, 0, sizeof(a));
		a.words = script ? NULL : words;
		a.nwords = script ? 0 : nwords;
		a.replace = replace;
		a.script = script ? words[0] : NULL;
		a.shell = "/bin/sh";
		t = tmpl_new(&a);
	}
	tmpl_expand(t, &j, slot, &av);
	for (i = 0; i < av.n; i++)
		CHECK(av.v[i] != NULL, "argv[%d] is NULL", i);
	CHECK(av.v[av.n] == NULL, "argv is not NULL-terminated");

	if (!has_brace(words, nwords, replace))
		CHECK(!tmpl_has_repl(t), "a replacement string without '{'");
	if (!script && !tmpl_has_repl(t)) {
		CHECK(av.n == nwords + j.ncols, "%d words, expected %d", av.n,
		    nwords + j.ncols);
		for (i = 0; i < nwords; i++)
			CHECK(strcmp(av.v[i], words[i]) == 0, "word %d", i);
		for (k = 0; k < j.ncols; k++)
			CHECK(strcmp(av.v[nwords + k], j.cols[k]) == 0,
			    "appended item %d", k);
	}
	if (script) {
		CHECK(av.n >= 4 && strcmp(av.v[0], "/bin/sh") == 0 &&
		    strcmp(av.v[1], "-c") == 0 && strcmp(av.v[3], "parx") == 0,
		    "sh -c SCRIPT parx shape");
		/* The items are always "$@". */
		CHECK(av.n == 4 + j.ncols, "script: %d words", av.n);
		for (k = 0; k < j.ncols; k++)
			CHECK(strcmp(av.v[4 + k], j.cols[k]) == 0, "$%d", k + 1);
		if (!tmpl_has_repl(t))
			CHECK(strcmp(av.v[2], words[0]) == 0, "script changed");
		/* Substituted values are quoted: nothing new is special. */
		if (plain_script(words[0]))
			CHECK(lex(av.v[2], "{}#", &lx) >= 0,
			    "script '%s' expands to '%s'", words[0], av.v[2]);
	}

	tmpl_cmdline(t, av.v, &cmd);
	if (!script) {
		nw = lex(cmd.s, NULL, &lx);
		CHECK(nw == av.n, "cmdline '%s' has %d words, argv %d", cmd.s,
		    nw, av.n);
		for (i = 0; i < nw; i++)
			CHECK(strcmp(lexword(&lx, i), av.v[i]) == 0,
			    "cmdline word %d: '%s' vs '%s'", i, lexword(&lx, i),
			    av.v[i]);
	} else
		check_script_cmdline(cmd.s, av.v, av.n);

	tmpl_free(t);
	argv_free(&av);
	sb_free(&cmd);
	sb_free(&lx);
	free(replace);
	for (i = 0; i < 8; i++)
		free(words[i]);
	for (i = 0; i < nitems; i++)
		free(items[i]);
	for (i = 0; i < ncols; i++)
		free(cols[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	int flags = fin_byte(&f);

	if (flags & 4)
		checked_mode(&f);
	else
		free_mode(&f, flags);
	return 0;
}
