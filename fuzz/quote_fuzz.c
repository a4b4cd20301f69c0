/*
 * quote_fuzz.c - libFuzzer harness for the -c substitution of
 * src/template.c and src/shell.c, checked through a real shell.
 *
 * Each input makes a -c script from a small grammar: a leaf command that
 * prints the value of {} in some quoting context (bare, inside '...' or
 * "...", after a backslash, in ${u-...}, in a here-document, quoted or
 * not, with <<- tabs, in a comment, in `...`), wrapped in up to three
 * constructs ($( ), `...`, ( ), { }, if, a function, case, for).  The
 * rest of the input is the item (two items when it holds a \001).  The
 * script is expanded as a job would be and run by /bin/sh (or bash, when
 * the input asks and it is installed); what it prints must be exactly
 * what the grammar says the item gives: the item itself, or the item
 * with a known text around it.  A value may be refused only where no
 * spelling exists: a quoted here-document that a line of it would end.
 *
 * The shell runs in an empty private directory with no PATH, files of
 * size 0 at most and a CPU limit, so a quoting bug shows as a wrong
 * output, not as damage.
 *
 * Input: byte 0 the leaf, bytes 1-3 the wrappers (a byte >= NWRAP ends
 * them), byte 4 bit 0: bash; then the item.
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../src/parx.h"
#include "common.h"

unsigned long long jobs_total = 1;	/* {##}; reader.c's */

/*
 * A leaf: its text and what it prints around the value.  Several items
 * are joined by a space, or become words that printf %s prints one after
 * the other (words).
 */
struct leaf {
	const char	*text;
	const char	*pre;
	const char	*post;
	int		 doc;		/* 1: here-document, 2: quoted one */
	int		 fixed;		/* prints just pre, whatever the item */
	int		 words;		/* unquoted: one word per item */
};

#define READ_ALL	"while IFS= read -r l; do printf '%s\\n' \"$l\"; done "

static const struct leaf leaves[] = {
	{ "printf %s {}", "", "", 0, 0, 1 },
	{ "printf %s a{}b", "a", "b", 0, 0, 1 },
	{ "printf %s 'a{}b'", "a", "b", 0, 0, 0 },
	{ "printf %s \"a{}b\"", "a", "b", 0, 0, 0 },
	/* Three times: joined in '...' and "...", words bare. */
	{ "printf %s '{}'\"{}\"{}", NULL, NULL, 0, 0, 0 },
	{ "printf %s \\{}", "", "", 0, 0, 1 },
	{ "printf %s \"x\\{}\"", "x", "", 0, 0, 0 },
	{ "printf %s \"${u-{}}\"", "", "", 0, 0, 0 },
	{ "printf %s ${u-{}}", "", "", 0, 0, 1 },
	{ "printf %s \"`printf %s {}; printf .`\"", "", ".", 0, 0, 1 },
	{ "printf %s \"$(printf %s \"{}\"; printf .)\"", "", ".", 0, 0, 0 },
	{ READ_ALL "<<EOF\n{}\nEOF", "", "\n", 1, 0, 0 },
	{ READ_ALL "<<EOF\npre{}post\nEOF", "pre", "post\n", 1, 0, 0 },
	{ READ_ALL "<<-EOF\n\t{}\n\tEOF", "", "\n", 1, 0, 0 },
	{ READ_ALL "<< 'EOF'\n{}\nEOF", "", "\n", 2, 0, 0 },
	{ READ_ALL "<<-\"EOF\"\n\t{}x\n\tEOF", "", "x\n", 2, 0, 0 },
	{ READ_ALL "<<E\\OF\na{}\nEOF", "a", "\n", 2, 0, 0 },
	{ "printf %s x # {}", "x", "", 0, 1, 0 },
	{ "printf %s \"$((1 + 1))\"{}", "2", "", 0, 0, 1 },
};
#define NLEAF	(sizeof(leaves) / sizeof(leaves[0]))

/*
 * Wrappers: the text before and after a command, which they run as is
 * (a space after $( so that a ( inside never makes it $(( ).
 */
static const char *const wraps[][2] = {
	{ "x=$( ", "\nprintf .)\nprintf %s \"${x%.}\"" },
	{ "x=`", "\nprintf .`\nprintf %s \"${x%.}\"" },
	{ "( ", "\n)" },
	{ "{ ", "\n}" },
	{ "if :; then ", "\nfi" },
	{ "f() { ", "\n}\nf" },
	{ "case a in a) ", "\n;; esac" },
	{ "x=\"$( ", "\nprintf .)\"\nprintf %s \"${x%.}\"" },
	{ "for i in 1; do ", "\ndone" },
	{ "x=$(case a in (a) ", "\n;; esac\nprintf .)\nprintf %s \"${x%.}\"" },
	{ "x=$(case a in a) ", "\n;; esac\nprintf .)\nprintf %s \"${x%.}\"" },
};
#define NWRAP	(sizeof(wraps) / sizeof(wraps[0]))

static char *dir;

/* Runs argv with the shell sh, in dir, and returns what it printed. */
static int
run(const char *sh, char **argv, struct strbuf *out)
{
	static char *envp[] = { "PATH=/nonexistent", "LC_ALL=C", NULL };
	int p[2], st;
	pid_t pid;
	ssize_t n;
	char buf[4096];

	if (pipe2(p, O_CLOEXEC) == -1)
		abort();
	pid = fork();
	if (pid == -1)
		abort();
	if (pid == 0) {
		struct rlimit cpu = { 2, 2 }, fsz = { 0, 0 };

		dup2(p[1], 1);
		close(2);
		open("/dev/null", O_WRONLY);
		close(0);
		open("/dev/null", O_RDONLY);
		if (chdir(dir) == -1 || setrlimit(RLIMIT_CPU, &cpu) == -1 ||
		    setrlimit(RLIMIT_FSIZE, &fsz) == -1)
			_exit(126);
		execve(sh, argv, envp);
		_exit(127);
	}
	close(p[1]);
	out->len = 0;
	sb_add(out, "", 0);
	while ((n = read(p[0], buf, sizeof(buf))) > 0 ||
	    (n == -1 && errno == EINTR))
		if (n > 0)
			sb_add(out, buf, (size_t)n);
	close(p[0]);
	while (waitpid(pid, &st, 0) == -1 && errno == EINTR)
		;
	return st;
}

/* What leaf lf prints for the items, as the quoting context joins them. */
static void
expected(const struct leaf *lf, char **items, size_t *lens, int n,
    struct strbuf *want)
{
	int k, rep;

	want->len = 0;
	sb_add(want, "", 0);
	if (lf->fixed) {
		sb_adds(want, lf->pre);
		return;
	}
	if (lf->pre == NULL) {
		/* '{}' "{}" {}: joined by spaces twice, then words. */
		for (rep = 0; rep < 3; rep++)
			for (k = 0; k < n; k++) {
				if (k > 0 && rep < 2)
					sb_addc(want, ' ');
				sb_add(want, items[k], lens[k]);
			}
		return;
	}
	sb_adds(want, lf->pre);
	for (k = 0; k < n; k++) {
		if (k > 0 && !lf->words)
			sb_addc(want, ' ');
		sb_add(want, items[k], lens[k]);
	}
	sb_adds(want, lf->post);
}

/* The script: the leaf inside the wrappers chosen. */
static int
script(struct fin *f, const struct leaf **lf, struct strbuf *s)
{
	int w[3], n = 0, i, bq = 0;

	*lf = &leaves[fin_byte(f) % NLEAF];
	for (i = 0; i < 3; i++) {
		int b = fin_byte(f);

		if (b >= (int)NWRAP || n < i)
			continue;
		/* Nested `...` needs \` inside: not this grammar. */
		if (b == 1 && bq++ > 0)
			continue;
		w[n++] = b;
	}
	/* `...` takes away a level of backslashes the leaf relies on. */
	if (bq > 0 && strchr((*lf)->text, '\\') != NULL)
		return -1;
	if (bq > 0 && strchr((*lf)->text, '`') != NULL)
		return -1;
	s->len = 0;
	sb_add(s, "", 0);
	for (i = 0; i < n; i++)
		sb_adds(s, wraps[w[i]][0]);
	sb_adds(s, (*lf)->text);
	for (i = n - 1; i >= 0; i--)
		sb_adds(s, wraps[w[i]][1]);
	return 0;
}

/* The scripts' directory goes when the fuzzer exits (it is empty). */
static void
remove_dir(void)
{
	if (dir != NULL)
		rmdir(dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char tmpl[] = "/tmp/parx-quote-fuzz.XXXXXX";

	(void)argc;
	(void)argv;
	if (mkdtemp(tmpl) == NULL)
		abort();
	dir = strdup(tmpl);
	atexit(remove_dir);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fin f = { data, size };
	const struct leaf *lf;
	struct strbuf sc = { 0 }, out = { 0 }, want = { 0 };
	struct tmpl_args a;
	struct argv av = { 0 };
	struct tmpl *t;
	struct job j;
	char *items[2], *item, *sep;
	size_t lens[2], n;
	const char *sh = "/bin/sh";
	int st, rc;

	if (script(&f, &lf, &sc) == -1)
		goto out;
	if ((fin_byte(&f) & 1) && access("/bin/bash", X_OK) == 0)
		sh = "/bin/bash";
	/* The item: the rest, up to a NUL (argv cannot hold one). */
	item = calloc(1, f.n + 1);
	memcpy(item, f.p, f.n);
	n = strlen(item);
	memset(&j, 0, sizeof(j));
	j.seq = 1;
	items[0] = item;
	lens[0] = n;
	j.nitems = 1;
	if ((sep = memchr(item, '\001', n)) != NULL) {
		*sep = '\0';
		lens[0] = (size_t)(sep - item);
		items[1] = sep + 1;
		lens[1] = n - lens[0] - 1;
		j.nitems = 2;
	}
	j.items = j.cols = items;
	j.lens = j.collens = lens;
	j.ncols = j.nitems;

	memset(&a, 0, sizeof(a));
	a.script = sc.s;
	a.shell = sh;
	t = tmpl_new(&a);
	rc = tmpl_expand(t, &j, 1, &av);
	if (rc == -1) {
		/*
		 * Only a quoted here-document refuses, or a ' in "${...}"
		 * (bash would take it for a quote).
		 */
		CHECK((lf->doc == 2 && (memchr(item, '\n', n) != NULL ||
		    (strstr(lf->text, "<<-") != NULL && item[0] == '\t'))) ||
		    (strstr(lf->text, "\"${u-") && memchr(item, '\'', n)),
		    "refused '%s' in script %s", item, sc.s);
	} else {
		expected(lf, items, lens, j.nitems, &want);
		st = run(sh, av.v, &out);
		CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0 &&
		    out.len == want.len && memcmp(out.s, want.s, want.len) == 0,
		    "%s: script\n%s\n---ran as\n%s\n---item '%s'\n---printed "
		    "(status %d) '%s'\n---expected '%s'", sh, sc.s, av.v[2],
		    item, WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st),
		    out.s, want.s);
	}
	tmpl_free(t);
	argv_free(&av);
	free(item);
out:
	sb_free(&sc);
	sb_free(&out);
	sb_free(&want);
	return 0;
}
