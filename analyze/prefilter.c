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

/* What one atom of a branch is to the literal run. */
enum atom {
	ATOM_CHAR,	/* a plain character (maybe quantified) */
	ATOM_BREAK,	/* anything else: a class, a group, an anchor, a lone quantifier; ends the run */
	ATOM_GIVE_UP,	/* alternation, an option setting, a verb, \Q..\E: no literal is known */
};

/* The escape at p[*i] == '\\': a plain character (*ch), or a class, anchor or reference with its argument. */
static enum atom
escape_atom(const char *p, size_t len, size_t *i, unsigned char *ch)
{
	unsigned char c;

	if (*i + 1 >= len)
		return ATOM_GIVE_UP;
	c = (unsigned char)p[*i + 1];
	if (c == 'Q' || c == 'E')
		return ATOM_GIVE_UP;
	*i += 2;
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
		/* A class, an anchor, a back-reference, \x.. : breaks the run. */
		if (c == 'x' || c == 'o' || c == 'N' || c == 'p' || c == 'P' || c == 'g' || c == 'k' || c == 'c') {
			/* \x{..} \o{..} \p{..} \g{..} \k<..>: skip the argument too */
			if (c == 'c' && *i < len)
				(*i)++;
			else if (*i < len && (p[*i] == '{' || p[*i] == '<' || p[*i] == '\'')) {
				char close = p[*i] == '{' ? '}' : p[*i] == '<' ? '>' : '\'';
				const char *e = memchr(p + *i, close, len - *i);

				*i = e ? (size_t)(e - p) + 1 : len;
			}
		}
		return ATOM_BREAK;
	}
	*ch = c;
	return ATOM_CHAR;
}

/* The atom at p[*i], *i moved past it; a character's quantifier is left for char_quantifier(). */
static enum atom
next_atom(const char *p, size_t len, size_t *i, unsigned char *ch)
{
	unsigned char c = (unsigned char)p[*i];
	unsigned long qmin;
	size_t n;

	switch (c) {
	case '\\':
		return escape_atom(p, len, i, ch);
	case '[':
		*i = skip_class(p, len, *i);
		return ATOM_BREAK;
	case '(':
		if (*i + 2 < len && p[*i + 1] == '?' && !strchr(":<=!>|P'#", p[*i + 2]))
			return ATOM_GIVE_UP;	/* (?i) and other option settings */
		if (*i + 1 < len && p[*i + 1] == '*')
			return ATOM_GIVE_UP;	/* (*UTF) and other verbs */
		/* Skip the group, nested groups and classes included. */
		n = group_end(p, len, *i);
		*i = n < len ? n + 1 : len;
		return ATOM_BREAK;
	case '|':
		return ATOM_GIVE_UP;
	case '.':
	case '^':
	case '$':
	case ')':
	case '*':	/* a quantifier after something that was not a plain character */
	case '+':
	case '?':
		(*i)++;
		return ATOM_BREAK;
	case '{':
		if ((n = quantifier_braces(p, len, *i, &qmin)) > 0) {
			*i += n;
			return ATOM_BREAK;
		}
		break;	/* a plain '{' */
	default:
		break;
	}
	*ch = c;
	(*i)++;
	return ATOM_CHAR;
}

/* The quantifier at p[i] after a character: its length (0: none) and *min, the fewest repeats. */
static size_t
char_quantifier(const char *p, size_t len, size_t i, unsigned long *min)
{
	*min = 1;
	if (i >= len)
		return 0;
	if (p[i] == '*' || p[i] == '?') {
		*min = 0;
		return 1;
	}
	if (p[i] == '+')
		return 1;
	if (p[i] == '{')
		return quantifier_braces(p, len, i, min);
	return 0;
}

/* The run of adjacent literal bytes ends: keep it if it is the longest yet, start anew. */
static void
run_end(struct buf *run, struct buf *best)
{
	if (run->len > best->len) {
		buf_reset(best);
		buf_add(best, run->data, run->len);
	}
	buf_reset(run);
}

/* The longest literal run of a branch without top-level alternation (NULL when none). */
static char *
seq_literal(const char *p, size_t len, size_t *lenp)
{
	size_t i = 0, qlen;
	struct buf run = { 0 }, best = { 0 };
	bool give_up = false;

	/* Any top-level alternation, option setting or verb: no literal (sound, not clever). */
	while (i < len) {
		unsigned char ch = 0;
		unsigned long qmin;
		enum atom a = next_atom(p, len, &i, &ch);

		if (a == ATOM_GIVE_UP) {
			give_up = true;
			break;
		}
		if (a == ATOM_BREAK) {
			run_end(&run, &best);
			continue;
		}
		qlen = char_quantifier(p, len, i, &qmin);
		if (literal_byte(ch) && (qlen == 0 || qmin > 0)) {
			buf_addc(&run, (char)ch);
			if (qlen == 0)
				continue;
		}
		/*
		 * The character repeats (what follows is not adjacent to the run), may
		 * be absent, or is a byte JSON may escape: the run ends after it and its
		 * quantifier (lazy or possessive included).
		 */
		i += qlen;
		if (qlen > 0 && i < len && (p[i] == '?' || p[i] == '+'))
			i++;
		run_end(&run, &best);
	}
	run_end(&run, &best);
	buf_free(&run);
	if (give_up || best.len < 2) {
		buf_free(&best);
		*lenp = 0;
		return NULL;
	}
	return buf_steal(&best, lenp);
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
