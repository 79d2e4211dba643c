/* regex.c: matching a compiled rule regex (PCRE2) within the ruleset's match limits; the first stage, it calls no other. */
#include "analyze.h"

int
regex_match(const struct ruleset *rs, const struct regex *re, const char *s, size_t len)
{
	int r;

	r = pcre2_match(re->code, (PCRE2_SPTR)s, len, 0, 0, re->md, rs->mctx);
	if (r >= 0)
		return 1;
	if (r == PCRE2_ERROR_NOMATCH)
		return 0;
	return r < 0 ? r : -1;
}
