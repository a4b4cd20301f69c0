/*
 * pgen.c - data for tests/pipe.bats, compiled by its setup_file.
 *
 *   pgen gen SEED BYTES END START
 *	writes records of random length until BYTES bytes are out (the last
 *	record may end past them): START, then letters, digits and blanks,
 *	then END.  Most records are short; one in 200 is up to 3 MB long, so
 *	that some are longer than a block.  END and START take the escapes
 *	\n \r \t and \\.
 *   pgen ends END START
 *	reads its standard input (one block) and prints one line: its
 *	length, 1 or 0 for whether it starts with START, and 1 or 0 for
 *	whether it ends with END.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long state;

static unsigned long
rnd(void)
{
	state = state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned long)(state >> 33);
}

static size_t
unescape(char *s)
{
	char *o = s, *p;

	for (p = s; *p != '\0'; p++) {
		if (*p != '\\' || p[1] == '\0') {
			*o++ = *p;
			continue;
		}
		p++;
		*o++ = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' :
		    *p;
	}
	*o = '\0';
	return (size_t)(o - s);
}

static int
gen(unsigned long long seed, long long bytes, char *end, char *start)
{
	static const char alpha[] = "abcdefghijklmnopqrstuvwxyz0123456789  ";
	static char buf[1 << 16];
	size_t elen = unescape(end), slen = unescape(start), n, i, k;

	state = seed;
	while (bytes > 0) {
		n = rnd() % 200 == 0 ? rnd() % 3000000 : rnd() % 2000;
		fwrite(start, 1, slen, stdout);
		for (i = 0; i < n; i += k) {
			k = n - i < sizeof(buf) ? n - i : sizeof(buf);
			for (size_t j = 0; j < k; j++)
				buf[j] = alpha[rnd() % (sizeof(alpha) - 1)];
			fwrite(buf, 1, k, stdout);
		}
		fwrite(end, 1, elen, stdout);
		bytes -= (long long)(slen + n + elen);
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

static int
ends(char *end, char *start)
{
	size_t elen = unescape(end), slen = unescape(start), len = 0, cap = 0;
	char *p = NULL;
	size_t r;

	do {
		if (cap - len < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if ((p = realloc(p, cap)) == NULL)
				return 1;
		}
		r = fread(p + len, 1, cap - len, stdin);
		len += r;
	} while (r > 0);
	printf("%zu %d %d\n", len, len >= slen && memcmp(p, start, slen) == 0,
	    len >= elen && memcmp(p + len - elen, end, elen) == 0);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "gen") == 0)
		return gen(strtoull(argv[2], NULL, 10),
		    strtoll(argv[3], NULL, 10), argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[1], "ends") == 0)
		return ends(argv[2], argv[3]);
	fprintf(stderr, "usage: pgen gen SEED BYTES END START | "
	    "pgen ends END START\n");
	return 2;
}
