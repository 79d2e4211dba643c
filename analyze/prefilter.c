/*
 * prefilter.c: which journal lines can skip a regex.  The literals every match
 * of a rule regex must contain (extracted when a rule is parsed), the index of
 * all of them for one pass over a MESSAGE (built after parsing), and the
 * per-line test the journal pass asks.  Calls no later stage.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyze.h"

/* ---- the prefilter literal ------------------------------------------------- */

/* Bytes that appear verbatim in JSON text whenever the decoded string holds them (no \u escapes). */
static bool
literal_byte(unsigned char c)
{
	return (c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '/') || c >= 0x80;
}

/* Skips a character class starting at p[i] == '['; returns the index after it, or len. */
static size_t
skip_class(const char *p, size_t len, size_t i)
{
	i++;
	if (i < len && p[i] == '^')
		i++;
	if (i < len && p[i] == ']')
		i++;
	while (i < len && p[i] != ']') {
		if (p[i] == '\\')
			i++;
		else if (p[i] == '[' && i + 1 < len && p[i + 1] == ':') {
			const char *e = memmem(p + i + 2, len - i - 2, ":]", 2);

			if (e != NULL)
				i = (size_t)(e - p) + 1;
		}
		i++;
	}
	return i < len ? i + 1 : len;
}

/* Parses a {n}, {n,}, {n,m} quantifier at p[i]; returns its length (0 if literal) and *min. */
static size_t
quantifier_braces(const char *p, size_t len, size_t i, unsigned long *min)
{
	size_t j = i + 1, digits = 0;

	*min = 0;
	while (j < len && p[j] >= '0' && p[j] <= '9') {
		*min = *min * 10 + (unsigned long)(p[j] - '0');
		if (*min > 100000)
			*min = 100000;
		j++;
		digits++;
	}
	if (digits == 0)
		return 0;
	if (j < len && p[j] == ',') {
		j++;
		while (j < len && p[j] >= '0' && p[j] <= '9')
			j++;
	}
	if (j < len && p[j] == '}')
		return j + 1 - i;
	return 0;
}

/* The longest literal run of a branch without top-level alternation (NULL when none). */
static char *
seq_literal(const char *p, size_t len, size_t *lenp)
{
	size_t i = 0, depth;
	struct buf run = { 0 }, best = { 0 };
	bool give_up = false;

	/* Any top-level alternation, option setting or verb: no literal (sound, not clever). */
	while (i < len && !give_up) {
		unsigned char c = (unsigned char)p[i];
		size_t qlen = 0;
		unsigned long qmin = 1;
		bool have_char = false;
		unsigned char ch = 0;

		if (c == '\\') {
			if (i + 1 >= len) {
				give_up = true;
				break;
			}
			c = (unsigned char)p[i + 1];
			if (c == 'Q' || c == 'E') {
				give_up = true;
				break;
			}
			if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
				/* A class, an anchor, a back-reference, \x.. : breaks the run. */
				i += 2;
				if (c == 'x' || c == 'o' || c == 'N' || c == 'p' || c == 'P' ||
				    c == 'g' || c == 'k' || c == 'c') {
					/* \x{..} \o{..} \p{..} \g{..} \k<..>: skip the argument too */
					if (c == 'c' && i < len)
						i++;
					else if (i < len && (p[i] == '{' || p[i] == '<' || p[i] == '\'')) {
						char close = p[i] == '{' ? '}' : p[i] == '<' ? '>' : '\'';
						const char *e = memchr(p + i, close, len - i);

						i = e ? (size_t)(e - p) + 1 : len;
					}
				}
				goto broken;
			}
			have_char = true;
			ch = c;
			i += 2;
		} else if (c == '[') {
			i = skip_class(p, len, i);
			goto broken;
		} else if (c == '(') {
			if (i + 2 < len && p[i + 1] == '?' && !strchr(":<=!>|P'#", p[i + 2])) {
				give_up = true;	/* (?i) and other option settings */
				break;
			}
			if (i + 1 < len && p[i + 1] == '*') {
				give_up = true;	/* (*UTF) and other verbs */
				break;
			}
			/* Skip the group, nested groups and classes included. */
			depth = 0;
			while (i < len) {
				if (p[i] == '\\')
					i += 2;
				else if (p[i] == '[')
					i = skip_class(p, len, i);
				else {
					if (p[i] == '(')
						depth++;
					else if (p[i] == ')' && --depth == 0) {
						i++;
						break;
					}
					i++;
				}
			}
			goto broken;
		} else if (c == '|') {
			give_up = true;
			break;
		} else if (c == '.' || c == '^' || c == '$' || c == ')') {
			i++;
			goto broken;
		} else if (c == '*' || c == '+' || c == '?') {
			/* A quantifier after something that was not a plain character. */
			i++;
			goto broken;
		} else if (c == '{') {
			size_t ql = quantifier_braces(p, len, i, &qmin);

			if (ql > 0) {
				i += ql;
				goto broken;
			}
			have_char = true;
			ch = c;
			i++;
		} else {
			have_char = true;
			ch = c;
			i++;
		}

		/* A character: is it quantified? */
		if (i < len && (p[i] == '*' || p[i] == '?')) {
			qlen = 1;
			qmin = 0;
		} else if (i < len && p[i] == '+') {
			qlen = 1;
			qmin = 1;
		} else if (i < len && p[i] == '{') {
			qlen = quantifier_braces(p, len, i, &qmin);
		}
		if (have_char && literal_byte(ch) && (qlen == 0 || qmin > 0))
			buf_addc(&run, (char)ch);
		else if (!have_char || !literal_byte(ch) || qmin == 0)
			goto skipq;
		if (qlen > 0) {
			/* The character repeats: what follows is not adjacent to the run. */
			i += qlen;
			if (i < len && (p[i] == '?' || p[i] == '+'))
				i++;
			goto broken;
		}
		continue;
skipq:
		i += qlen;
		if (qlen > 0 && i < len && (p[i] == '?' || p[i] == '+'))
			i++;
broken:
		if (run.len > best.len) {
			buf_reset(&best);
			buf_add(&best, run.data, run.len);
		}
		buf_reset(&run);
	}
	if (run.len > best.len) {
		buf_reset(&best);
		buf_add(&best, run.data, run.len);
	}
	buf_free(&run);
	if (give_up || best.len < 2) {
		buf_free(&best);
		*lenp = 0;
		return NULL;
	}
	return buf_steal(&best, lenp);
}


/* The index of the ')' closing the group opened at p[i], or len. */
static size_t
group_end(const char *p, size_t len, size_t i)
{
	size_t depth = 0;

	while (i < len) {
		if (p[i] == '\\')
			i += 2;
		else if (p[i] == '[')
			i = skip_class(p, len, i);
		else {
			if (p[i] == '(')
				depth++;
			else if (p[i] == ')' && --depth == 0)
				return i;
			i++;
		}
	}
	return len;
}

static bool
branch_literals(const char *p, size_t len, char ***lits, size_t **lens, size_t *n, unsigned depth)
{
	size_t i = 0, start = 0, e, l;
	char *lit;

	if (depth > 8)
		return false;
	/* A pattern that is one plain or named group: look inside it. */
	if (len >= 2 && p[0] == '(' && group_end(p, len, 0) == len - 1) {
		size_t skip = 1;

		if (len > 2 && p[1] == '?') {
			if (p[2] == ':')
				skip = 3;
			else if ((p[2] == '<' && len > 3 && p[3] != '=' && p[3] != '!') || p[2] == '\'' ||
			    (p[2] == 'P' && len > 3 && p[3] == '<')) {
				const char *close = memchr(p + 2, p[2] == '\'' ? '\'' : '>', len - 3);

				if (close == NULL)
					return false;
				skip = (size_t)(close - p) + 1;
			} else
				return false;	/* lookarounds, atomic groups, options */
		}
		return branch_literals(p + skip, len - 1 - skip, lits, lens, n, depth + 1);
	}
	for (;;) {
		/* Find the next top-level '|'. */
		while (i < len && p[i] != '|') {
			if (p[i] == '\\')
				i += 2;
			else if (p[i] == '[')
				i = skip_class(p, len, i);
			else if (p[i] == '(') {
				e = group_end(p, len, i);
				i = e < len ? e + 1 : len;
			} else
				i++;
		}
		e = i < len ? i : len;
		lit = seq_literal(p + start, e - start, &l);
		if (lit == NULL)
			return false;
		*lits = xreallocarray(*lits, *n + 1, sizeof(**lits));
		*lens = xreallocarray(*lens, *n + 1, sizeof(**lens));
		(*lits)[*n] = lit;
		(*lens)[*n] = l;
		(*n)++;
		if (i >= len)
			return true;
		start = ++i;
	}
}

char **
regex_required_literals(const char *pattern, size_t **lens, size_t *n)
{
	char **lits = NULL;
	size_t i;

	*lens = NULL;
	*n = 0;
	if (branch_literals(pattern, strlen(pattern), &lits, lens, n, 0) && *n > 0 && *n <= 16)
		return lits;
	for (i = 0; i < *n; i++)
		free(lits[i]);
	free(lits);
	free(*lens);
	*lens = NULL;
	*n = 0;
	return NULL;
}

bool
journal_may_match(const struct cond_journal *c, const struct jl_scan *s)
{
	if (!s->understood)
		return true;
	if (!s->has_msg)
		return false;
	if (s->priority >= 0 && (s->priority < c->prio_min || s->priority > c->prio_max))
		return false;
	if (!s->msg_string || s->msg_unicode || c->literals == NULL)
		return true;
	for (size_t i = 0; i < c->n_literals; i++)
		if (memmem(s->msg, s->msg_len, c->literals[i], c->literal_lens[i]) != NULL)
			return true;
	return false;
}

#define LIT_MAX	64

struct litindex {
	uint8_t	 first[8192];		/* bit set for each two-byte prefix of a literal */
	const char *lit[LIT_MAX];	/* the literals (borrowed from the conditions) */
	size_t	 len[LIT_MAX];
	unsigned n;
	bool	 complete;		/* every literal of every condition is indexed */
};

void
litindex_free(struct litindex *lx)
{
	free(lx);
}

void
litindex_build(struct ruleset *rs)
{
	struct litindex *lx = xcalloc(1, sizeof(*lx));
	size_t i, k;
	unsigned j;

	lx->complete = true;
	for (i = 0; i < rs->n_jconds; i++) {
		struct cond_journal *c = rs->jconds[i];

		c->lit_mask = 0;
		for (k = 0; k < c->n_literals && lx->complete; k++) {
			for (j = 0; j < lx->n; j++)
				if (lx->len[j] == c->literal_lens[k] && memcmp(lx->lit[j], c->literals[k], lx->len[j]) == 0)
					break;
			if (j == lx->n) {
				if (lx->n == LIT_MAX) {
					lx->complete = false;
					break;
				}
				lx->lit[j] = c->literals[k];
				lx->len[j] = c->literal_lens[k];
				lx->n++;
				{
					unsigned pair = (unsigned)(unsigned char)c->literals[k][0] << 8 |
					    (unsigned char)c->literals[k][1];

					lx->first[pair >> 3] |= (uint8_t)(1u << (pair & 7));
				}
			}
			c->lit_mask |= UINT64_C(1) << j;
		}
	}
	litindex_free(rs->lix);
	rs->lix = lx;
}

/* Which indexed literals the raw MESSAGE holds: one pass, a bitmap test per byte pair. */
static uint64_t
literals_present(const struct litindex *lx, const char *m, size_t len)
{
	const unsigned char *p = (const unsigned char *)m;
	uint64_t found = 0;
	size_t i;
	unsigned j;

	for (i = 0; i + 1 < len; i++) {
		unsigned pair = (unsigned)p[i] << 8 | p[i + 1];

		if (!(lx->first[pair >> 3] & (1u << (pair & 7))))
			continue;
		for (j = 0; j < lx->n; j++)
			if (lx->len[j] <= len - i && (unsigned char)lx->lit[j][0] == p[i] &&
			    memcmp(lx->lit[j], p + i, lx->len[j]) == 0)
				found |= UINT64_C(1) << j;
	}
	return found;
}

void
journal_may_match_all(const struct ruleset *rs, const struct jl_scan *s, const bool *want, unsigned char *cand)
{
	uint64_t present = 0;
	bool scanned = false;
	size_t i;

	for (i = 0; i < rs->n_jconds; i++) {
		const struct cond_journal *c = rs->jconds[i];

		cand[i] = 0;
		if (!want[i])
			continue;
		if (rs->lix == NULL || !rs->lix->complete || c->literals == NULL || !s->understood || !s->has_msg ||
		    !s->msg_string || s->msg_unicode ||
		    (s->priority >= 0 && (s->priority < c->prio_min || s->priority > c->prio_max))) {
			cand[i] = journal_may_match(c, s);
			continue;
		}
		if (!scanned) {
			present = literals_present(rs->lix, s->msg, s->msg_len);
			scanned = true;
		}
		cand[i] = (present & c->lit_mask) != 0;
	}
}
