/*
 * common.h - small helpers shared by the fuzz harnesses: splitting the
 * fuzz input into fields, and a failure macro that aborts with a message
 * so libFuzzer records the input as a crash.
 */
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,	\
		    __LINE__, #cond);					\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* Cursor over the fuzz input. */
struct fin {
	const uint8_t	*p;
	size_t		 n;
};

static inline int
fin_byte(struct fin *f)
{
	if (f->n == 0)
		return 0;
	f->n--;
	return *f->p++;
}

/*
 * The next field, up to (not including) sep or the end, as a malloc'd
 * NUL-terminated string; *len gets its length.  NULL once the input is
 * used up.
 */
static inline char *
fin_field(struct fin *f, int sep, size_t *len)
{
	const uint8_t *e;
	size_t k;
	char *s;

	if (f->n == 0)
		return NULL;
	e = memchr(f->p, sep, f->n);
	k = e != NULL ? (size_t)(e - f->p) : f->n;
	if ((s = malloc(k + 1)) == NULL)
		abort();
	memcpy(s, f->p, k);
	s[k] = '\0';
	f->p += k;
	f->n -= k;
	if (e != NULL) {
		f->p++;
		f->n--;
	}
	if (len != NULL)
		*len = k;
	return s;
}

#endif /* FUZZ_COMMON_H */
