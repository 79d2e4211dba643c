/* journal.c: each unit's journal slice as journalctl -u UNIT -o json --all would print it. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "cleanup.h"
#include "collect.h"
#include "timeutil.h"

#define MAX_JOURNAL_FILES 4096
#define DEADLINE_CHECK_EVERY 4096

/* Where a field sits in the line being formatted, for regrouping repeated fields. */
struct span {
	size_t	 name_off;	/* offset of the field name (after the opening quote) */
	size_t	 name_len;	/* length of the name */
	size_t	 val_off;	/* offset of the JSON value */
	size_t	 val_len;	/* length of the JSON value */
};

/* Per-run state of the formatter: buffers reused for every entry. */
struct fmt {
	struct ctx	*c;		/* the run */
	struct buf	 line;		/* the entry being formatted */
	struct buf	 alt;		/* scratch for regrouping */
	struct span	*spans;		/* fields of the entry */
	size_t		 n_spans, cap_spans;
	struct jsonl	*sink;		/* where lines go (its redactor lock) */
};

/*
 * Fields whose values are identifiers, numbers or names that systemd itself
 * writes: never secrets, so the redactor's prefilter is not asked about them.
 */
static bool
field_exempt(const char *name, size_t len)
{
	/* Sorted by length; by_len[n] is the first name of length n or more. */
	static const char *const exempt[] = {
		"TID", "UNIT", "_GID", "_PID", "_UID", "ERRNO", "_COMM", "JOB_ID", "JOB_TYPE", "PRIORITY",
		"CODE_FILE", "CODE_FUNC", "CODE_LINE", "EXIT_CODE", "_HOSTNAME", "JOB_RESULT", "MESSAGE_ID",
		"N_RESTARTS", "SYSLOG_PID", "_STREAM_ID", "_TRANSPORT", "EXIT_STATUS", "_MACHINE_ID",
		"COREDUMP_UNIT", "INVOCATION_ID", "_SYSTEMD_UNIT", "_AUDIT_SESSION", "_CAP_EFFECTIVE",
		"_RUNTIME_SCOPE", "_SYSTEMD_SLICE", "SYSLOG_FACILITY", "_AUDIT_LOGINUID", "_SYSTEMD_CGROUP",
		"_SELINUX_CONTEXT", "SYSLOG_IDENTIFIER", "_SYSTEMD_OWNER_UID", "OBJECT_SYSTEMD_UNIT",
		"_SYSTEMD_USER_SLICE", "_SYSTEMD_INVOCATION_ID", "_SOURCE_REALTIME_TIMESTAMP",
		"_SOURCE_MONOTONIC_TIMESTAMP",
	};
	static const unsigned char by_len[] = {
		0, 0, 0, 0, 1, 5, 7, 8, 8, 10, 15, 21, 23, 23, 26, 30, 33, 34, 35, 36, 38, 38, 38, 39,
		39, 39, 39, 40, 41,
	};

	if (len >= 2 && name[0] == '_' && name[1] == '_')
		return true;
	if (len + 1 >= ELEMENTSOF(by_len))
		return false;
	for (unsigned i = by_len[len]; i < by_len[len + 1]; i++)
		if (memcmp(exempt[i], name, len) == 0)
			return true;
	return false;
}

#define ADD_LIT(b, s) buf_add((b), (s), sizeof(s) - 1)

/* Appends a decimal number. */
static void
add_u64(struct buf *b, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

/* Characters of a field name written without escaping: A-Z, a-z, 0-9, '_' (a 256-bit set). */
static const uint64_t plain_chars[4] = {
	UINT64_C(0x03ff000000000000),	/* '0'-'9' */
	UINT64_C(0x07fffffe87fffffe),	/* 'A'-'Z', '_', 'a'-'z' */
	0, 0,
};

/*
 * Length of the field name in d (up to '='), or size when there is no '=';
 * *plain tells whether the name is non-empty and needs no escaping.
 */
static size_t
field_name(const char *d, size_t size, bool *plain)
{
	uint64_t ok = 1;
	size_t i;

	for (i = 0; i < size && d[i] != '='; i++) {
		unsigned char ch = (unsigned char)d[i];

		ok &= plain_chars[ch >> 6] >> (ch & 63);
	}
	*plain = ok && i > 0;
	return i;
}

/* Rewrites the entry so that each repeated field is one key with an array, as journalctl does. */
static void
regroup(struct fmt *f)
{
	struct buf *in = &f->line, *out = &f->alt;
	bool *done = xcalloc(f->n_spans, sizeof(bool));

	buf_reset(out);
	/* Everything before the first field (cursor, timestamps, boot id). */
	buf_add(out, in->data, f->spans[0].name_off - 2);
	for (size_t i = 0; i < f->n_spans; i++) {
		struct span *a = &f->spans[i];
		size_t count = 0;

		if (done[i])
			continue;
		for (size_t k = i; k < f->n_spans; k++)
			if (f->spans[k].name_len == a->name_len &&
			    memcmp(in->data + f->spans[k].name_off, in->data + a->name_off, a->name_len) == 0)
				count++;
		buf_add(out, ",\"", 2);
		buf_add(out, in->data + a->name_off, a->name_len);
		buf_add(out, "\":", 2);
		if (count == 1) {
			buf_add(out, in->data + a->val_off, a->val_len);
			done[i] = true;
			continue;
		}
		buf_addc(out, '[');
		for (size_t k = i, m = 0; k < f->n_spans; k++) {
			struct span *b = &f->spans[k];

			if (b->name_len != a->name_len ||
			    memcmp(in->data + b->name_off, in->data + a->name_off, a->name_len) != 0)
				continue;
			if (m++ > 0)
				buf_addc(out, ',');
			buf_add(out, in->data + b->val_off, b->val_len);
			done[k] = true;
		}
		buf_addc(out, ']');
	}
	buf_addc(out, '}');
	free(done);
	/* Swap the buffers: the regrouped line becomes the line. */
	{
		struct buf tmp = *in;

		*in = *out;
		*out = tmp;
	}
}

/*
 * Starts f->line with the entry's cursor, timestamps, sequence number and boot id.
 * Returns 1, 0 when the entry cannot be read, or -errno.
 */
static int
add_entry_header(struct fmt *f, sd_journal *j)
{
	char *cursor = NULL;
	uint64_t rt, mono, seqnum;
	sd_id128_t boot, seqnum_id;
	char bootstr[SD_ID128_STRING_MAX];
	int r;

	r = sd_journal_get_cursor(j, &cursor);
	if (r < 0)
		return r == -EBADMSG || r == -EADDRNOTAVAIL ? 0 : r;
	r = sd_journal_get_realtime_usec(j, &rt);
	if (r >= 0)
		r = sd_journal_get_monotonic_usec(j, &mono, &boot);
	if (r < 0) {
		free(cursor);
		return r == -EBADMSG || r == -EADDRNOTAVAIL ? 0 : r;
	}
	buf_reset(&f->line);
	ADD_LIT(&f->line, "{\"__CURSOR\":\"");
	buf_adds(&f->line, cursor);
	ADD_LIT(&f->line, "\",\"__REALTIME_TIMESTAMP\":\"");
	add_u64(&f->line, rt);
	ADD_LIT(&f->line, "\",\"__MONOTONIC_TIMESTAMP\":\"");
	add_u64(&f->line, mono);
	if (journal_get_seqnum(j, &seqnum, &seqnum_id) >= 0) {
		ADD_LIT(&f->line, "\",\"__SEQNUM\":\"");
		add_u64(&f->line, seqnum);
		ADD_LIT(&f->line, "\",\"__SEQNUM_ID\":\"");
		buf_adds(&f->line, sd_id128_to_string(seqnum_id, bootstr));
	}
	ADD_LIT(&f->line, "\",\"_BOOT_ID\":\"");
	buf_adds(&f->line, sd_id128_to_string(boot, bootstr));
	buf_addc(&f->line, '"');
	free(cursor);
	return 1;
}

/*
 * Redacts the value of field d (name nlen bytes long): *val and *vlen then point
 * at the redacted text, held in *pem (a private key in MESSAGE) or *red; the
 * caller frees both, and keeps them until the value is written.
 */
static void
redact_field_value(struct fmt *f, const char *d, size_t nlen, const char **val, size_t *vlen, char **pem, char **red)
{
	/* a private key printed to stdout: one entry a line */
	if (nlen == 7 && memcmp(d, "MESSAGE", 7) == 0) {
		size_t plen;

		free(*pem);
		*pem = NULL;
		if (jsonl_redact_pem(f->sink, *val, *vlen, pem, &plen) >= 0 && *pem) {
			*val = *pem;
			*vlen = plen;
		}
	}
	if (nlen == 16 && memcmp(d, "COREDUMP_ENVIRON", 16) == 0) {
		size_t rlen;

		/* the crashed agent's environment: every value by default-deny, as in an environment file */
		if (jsonl_redact_env(f->sink, *val, *vlen, red, &rlen) >= 0 && *red) {
			*val = *red;
			*vlen = rlen;
		}
	} else if (d[0] != '_' && !(nlen == 7 && memcmp(d, "MESSAGE", 7) == 0) && !field_exempt(d, nlen) &&
	    jsonl_redact_field(f->sink, d, nlen, *val, *vlen, red, vlen) > 0) {
		/* a field under a secret-like name of its own: its value goes whole */
		*val = *red;
	} else if (!field_exempt(d, nlen) && (memchr(*val, 0x1b, *vlen) || memchr(*val, '\r', *vlen))) {
		size_t rlen;

		/* colour codes or \r: matched, and written back if redacted, as text */
		if (jsonl_redact_escaped(f->sink, *val, *vlen, red, &rlen) >= 0 && *red) {
			*val = *red;
			*vlen = rlen;
		}
	} else if (!field_exempt(d, nlen) && redact_text_maybe(*val, *vlen)) {
		size_t rlen;

		if (jsonl_redact_text(f->sink, *val, *vlen, red, &rlen) >= 0 && *red) {
			*val = *red;
			*vlen = rlen;
		}
	}
}

/*
 * Sets *dup when the field name d is already in the entry: names seen so far
 * are in a 256-bit filter (seen), compared only on a hit.  Adds d to the filter.
 */
static void
note_repeated(const struct fmt *f, const char *d, size_t nlen, uint64_t seen[4], bool *dup)
{
	unsigned h = nlen == 0 ? 0 : ((unsigned)nlen * 7u + (unsigned char)d[0] * 31u +
	    (unsigned char)d[nlen / 2] * 13u + (unsigned char)d[nlen - 1]) & 255u;

	if (!*dup && (seen[h / 64] >> (h % 64) & 1))
		for (size_t k = 0; k < f->n_spans && !*dup; k++)
			if (f->spans[k].name_len == nlen &&
			    memcmp(f->line.data + f->spans[k].name_off, d, nlen) == 0)
				*dup = true;
	seen[h / 64] |= UINT64_C(1) << (h % 64);
}

/* Appends ,"NAME": for field d to f->line; returns the field's new span, its value not yet set. */
static struct span *
add_field_name(struct fmt *f, const char *d, size_t nlen, bool plain)
{
	struct span *sp;

	if (f->n_spans == f->cap_spans) {
		f->cap_spans = f->cap_spans ? f->cap_spans * 2 : 64;
		f->spans = xreallocarray(f->spans, f->cap_spans, sizeof(*f->spans));
	}
	sp = &f->spans[f->n_spans++];
	if (plain) {
		char *o;

		/* ,"NAME": written in place, one size check. */
		buf_grow(&f->line, nlen + 4);
		o = f->line.data + f->line.len;
		*o++ = ',';
		*o++ = '"';
		sp->name_off = f->line.len + 2;
		memcpy(o, d, nlen);
		o += nlen;
		*o++ = '"';
		*o++ = ':';
		f->line.len = (size_t)(o - f->line.data);
	} else {
		size_t before;

		buf_addc(&f->line, ',');
		before = f->line.len;
		json_escape(&f->line, d, nlen);
		sp->name_off = before + 1;
		nlen = f->line.len - before - 2;
		buf_addc(&f->line, ':');
	}
	sp->name_len = nlen;
	return sp;
}

/*
 * Formats the current entry into f->line.  Returns 1 with *prio set, 0 when the
 * entry cannot be read (skipped, as journalctl does), or -errno.
 */
static int
format_entry(struct fmt *f, sd_journal *j, int *prio)
{
	const void *data;
	size_t size;
	bool dup = false;
	uint64_t seen[4] = { 0 };
	_cleanup_free_ char *pem = NULL;
	int r;

	*prio = 8;
	r = add_entry_header(f, j);
	if (r <= 0)
		return r;
	f->n_spans = 0;

	for (;;) {
		const char *d, *val;
		size_t nlen, vlen;
		bool plain;
		struct span *sp;
		_cleanup_free_ char *red = NULL;

		r = sd_journal_enumerate_data(j, &data, &size);
		if (r == 0)
			break;
		if (r < 0)
			return r == -EBADMSG || r == -EADDRNOTAVAIL ? 0 : r;
		d = data;
		nlen = field_name(d, size, &plain);
		if (nlen == size)
			continue;	/* no '=' */
		if (nlen == 8 && memcmp(d, "_BOOT_ID", 8) == 0)
			continue;
		val = d + nlen + 1;
		vlen = size - nlen - 1;
		if (nlen == 8 && memcmp(d, "PRIORITY", 8) == 0 && vlen == 1 && val[0] >= '0' && val[0] <= '7')
			*prio = val[0] - '0';
		redact_field_value(f, d, nlen, &val, &vlen, &pem, &red);
		note_repeated(f, d, nlen, seen, &dup);
		sp = add_field_name(f, d, nlen, plain);
		sp->val_off = f->line.len;
		journal_value(&f->line, val, vlen);
		sp->val_len = f->line.len - sp->val_off;
	}
	if (dup)
		regroup(f);
	else
		buf_addc(&f->line, '}');
	return 1;
}

/* journalctl's add_matches_for_unit(): the unit, its coredumps, PID 1 and privileged daemons about it. */
static int
add_unit_matches(sd_journal *j, const char *unit)
{
	_cleanup_free_ char *m1 = xasprintf("_SYSTEMD_UNIT=%s", unit);
	_cleanup_free_ char *m2 = xasprintf("COREDUMP_UNIT=%s", unit);
	_cleanup_free_ char *m3 = xasprintf("UNIT=%s", unit);
	_cleanup_free_ char *m4 = xasprintf("OBJECT_SYSTEMD_UNIT=%s", unit);
	int r;

	if ((r = sd_journal_add_match(j, m1, 0)) < 0 ||
	    (r = sd_journal_add_disjunction(j)) < 0 ||
	    (r = sd_journal_add_match(j, "MESSAGE_ID=fc2e22bc6ee647b6b90729ab34a250b1", 0)) < 0 ||
	    (r = sd_journal_add_match(j, "_UID=0", 0)) < 0 ||
	    (r = sd_journal_add_match(j, m2, 0)) < 0 ||
	    (r = sd_journal_add_disjunction(j)) < 0 ||
	    (r = sd_journal_add_match(j, "_PID=1", 0)) < 0 ||
	    (r = sd_journal_add_match(j, m3, 0)) < 0 ||
	    (r = sd_journal_add_disjunction(j)) < 0 ||
	    (r = sd_journal_add_match(j, "_UID=0", 0)) < 0 ||
	    (r = sd_journal_add_match(j, m4, 0)) < 0)
		return r;
	return 0;
}

/* Journal files under dir (and one level of machine-id folders), opened inside the root. */
static void
root_journal_fds(struct ctx *c, const char *dir, int **fds, unsigned *n, unsigned *denied)
{
	struct strv subdirs = { 0 };
	_cleanup_close_ int dfd = ctx_open(c, dir, O_RDONLY | O_DIRECTORY);
	DIR *d;
	struct dirent *de;

	if (dfd < 0)
		return;
	d = fdopendir(dfd);
	if (d == NULL)
		return;
	dfd = -1;
	while ((de = readdir(d)) != NULL && *n < MAX_JOURNAL_FILES) {
		_cleanup_free_ char *p = NULL;
		size_t l = strlen(de->d_name);
		int fd;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if ((l > 8 && strcmp(de->d_name + l - 8, ".journal") == 0) ||
		    (l > 9 && strcmp(de->d_name + l - 9, ".journal~") == 0)) {
			fd = ctx_open(c, p, O_RDONLY);
			if (fd < 0) {
				if (fd == -EACCES || fd == -EPERM)
					(*denied)++;
				continue;
			}
			if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
				close(fd);
				continue;
			}
			*fds = xreallocarray(*fds, *n + 1, sizeof(int));
			(*fds)[(*n)++] = fd;
		} else if (strchr(de->d_name, '.') == NULL)
			strv_add(&subdirs, p);
	}
	closedir(d);
	for (size_t i = 0; i < subdirs.n; i++)
		root_journal_fds(c, subdirs.v[i], fds, n, denied);
	strv_free(&subdirs);
}

/* On the live host: how many journal files exist and how many this user cannot read. */
static void
count_denied(const char *dir, unsigned depth, unsigned *total, unsigned *denied)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL) {
		if (errno == EACCES)
			(*denied)++, (*total)++;
		return;
	}
	while ((de = readdir(d)) != NULL) {
		_cleanup_free_ char *p = NULL;
		size_t l = strlen(de->d_name);

		if (de->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if ((l > 8 && strcmp(de->d_name + l - 8, ".journal") == 0) ||
		    (l > 9 && strcmp(de->d_name + l - 9, ".journal~") == 0)) {
			(*total)++;
			if (access(p, R_OK) < 0 && (errno == EACCES || errno == EPERM))
				(*denied)++;
		} else if (depth == 0 && strchr(de->d_name, '.') == NULL)
			count_denied(p, 1, total, denied);
	}
	closedir(d);
}

bool
journal_files_present(void)
{
	unsigned total = 0, denied = 0;

	count_denied("/var/log/journal", 0, &total, &denied);
	count_denied("/run/log/journal", 0, &total, &denied);
	return total > 0;
}

/*
 * sd-journal maps journal files and keeps the windows it touched: reading a
 * large journal would count every page of it as our memory.  The pages are
 * clean and shared with the page cache, so dropping them from our mappings
 * loses nothing (a later access maps them again): memory stays flat however
 * long the journal is.
 */
static void
release_journal_pages(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	char line[4096];

	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		size_t l = strcspn(line, "\n");

		line[l] = '\0';
		if (!(l > 8 && strcmp(line + l - 8, ".journal") == 0) &&
		    !(l > 9 && strcmp(line + l - 9, ".journal~") == 0))
			continue;
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) != 3 || perms[3] != 's' || perms[1] == 'w')
			continue;
		(void)madvise((void *)lo, hi - lo, MADV_DONTNEED);
	}
	fclose(f);
}

#define RELEASE_EVERY 16384

/* One pass over the slice.  Returns 0, or -ETIME when the time limit stopped it, or -errno. */
static int
run_pass(struct fmt *f, sd_journal *j, struct jsonl *s, uint64_t since, uint64_t until,
    uint64_t deadline)
{
	uint64_t n = 0;
	int r, prio;

	r = sd_journal_seek_realtime_usec(j, since);
	if (r < 0)
		return r;
	for (;;) {
		uint64_t rt;

		r = sd_journal_next(j);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		if (++n % DEADLINE_CHECK_EVERY == 0 && mono_usec() > deadline)
			return -ETIME;
		if (n % RELEASE_EVERY == 0)
			release_journal_pages();
		if (sd_journal_get_realtime_usec(j, &rt) < 0)
			continue;
		if (rt > until)
			break;
		if (rt < since)
			continue;
		if (jsonl_skip_next(s))
			continue;
		r = format_entry(f, j, &prio);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		r = jsonl_push(s, f->line.data, f->line.len, prio);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The unit's oldest and newest entries and how many (counted up to a cap), without the window. */
static bool
unit_extent(sd_journal *j, const char *unit, uint64_t *first, uint64_t *last)
{
	sd_journal_flush_matches(j);
	if (add_unit_matches(j, unit) < 0)
		return false;
	if (sd_journal_seek_head(j) < 0 || sd_journal_next(j) <= 0 || sd_journal_get_realtime_usec(j, first) < 0)
		return false;
	if (sd_journal_seek_tail(j) < 0 || sd_journal_previous(j) <= 0 || sd_journal_get_realtime_usec(j, last) < 0)
		return false;
	return true;
}

/*
 * An empty slice of a unit that has entries outside it: says where they are
 * (free it), or NULL when the unit has no entry at all.  Leaves the matches set.
 */
static char *
slice_elsewhere(struct ctx *c, sd_journal *j, const char *unit, uint64_t since, uint64_t until)
{
	char t1[RFC3339_MAX], t2[RFC3339_MAX], f1[RFC3339_MAX], f2[RFC3339_MAX];
	uint64_t first, last;
	char *msg;

	if (!unit_extent(j, unit, &first, &last))
		return NULL;
	time_rfc3339(since, false, t1);
	time_rfc3339(until, false, t2);
	time_rfc3339(first, false, f1);
	time_rfc3339(last, false, f2);
	msg = xasprintf("no entry from %s to %s, but the unit has entries from %s to %s; "
	    "widen the window with --since/--until", t1, t2, f1, f2);
	if (c->bw) {
		_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_JOURNAL "%s", unit);
		json_t *o = bw_source_object(c->bw, name);

		json_object_set_new(o, "unit_first", json_string(f1));
		json_object_set_new(o, "unit_last", json_string(f2));
	}
	return msg;
}

static void
journal_unit(struct ctx *c, sd_journal *j, const char *unit, uint64_t since, uint64_t until,
    uint64_t budget, const char *partial)
{
	_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_JOURNAL "%s", unit);
	_cleanup_free_ char *rel = xasprintf(BUNDLE_DIR_JOURNAL "%s" BUNDLE_EXT_JOURNAL, unit);
	struct fmt f = { .c = c };
	struct jsonl *s;
	uint64_t seen, written, withheld, omitted;
	uint64_t deadline = mono_usec() + c->profile->source_timeout_usec;
	char t1[RFC3339_MAX], t2[RFC3339_MAX];
	bool timed_out = false, unread = false;
	_cleanup_free_ char *empty = NULL;
	json_t *o;
	int r;

	if (deadline > c->deadline_usec)
		deadline = c->deadline_usec;
	sd_journal_flush_matches(j);
	r = add_unit_matches(j, unit);
	if (r < 0) {
		ctx_source(c, name, SOURCE_ERROR, "cannot add journal matches: %s", strerror(-r));
		return;
	}
	s = jsonl_new(c, rel, budget);
	f.sink = s;
	do {
		r = run_pass(&f, j, s, since, until, deadline);
		if (r == -ETIME) {
			timed_out = true;
			r = 0;
		}
		if (r < 0)
			break;
		r = jsonl_end_pass(s);
	} while (r == 1);
	buf_free(&f.line);
	buf_free(&f.alt);
	free(f.spans);
	if (r < 0) {
		if (c->bw && bw_write_error(c->bw))
			ctx_source(c, name, SOURCE_ERROR, "writing the journal failed: %s", strerror(-r));
		else
			ctx_source(c, name, SOURCE_ERROR, "reading the journal failed: %s", strerror(-r));
		jsonl_free(s);
		return;
	}
	jsonl_counts(s, &seen, &written, &withheld, &omitted);
	time_rfc3339(since, false, t1);
	time_rfc3339(until, false, t2);
	if (timed_out)
		ctx_source(c, name, SOURCE_TRUNCATED, "%" PRIu64 " entries from %s to %s; stopped at the %" PRIu64
		    " s time limit", written, t1, t2, c->profile->source_timeout_usec / USEC_PER_SEC);
	else if (omitted > 0)
		ctx_source(c, name, SOURCE_TRUNCATED, "%" PRIu64 " of %" PRIu64 " entries from %s to %s; %" PRIu64
		    " older entries left out to fit the size budget (warnings and worse kept first)",
		    written, seen, t1, t2, omitted);
	else if (seen == 0 && partial) {
		/* Nothing read while files were unreadable: not an empty journal, an unread one. */
		ctx_source(c, name, SOURCE_UNAVAILABLE, "journal: %s", partial);
		unread = true;
	} else if (seen == 0 && (empty = slice_elsewhere(c, j, unit, since, until)) != NULL) {
		ctx_source(c, name, SOURCE_UNAVAILABLE, "%s", empty);
		unread = true;
	} else if (partial)
		ctx_source(c, name, SOURCE_TRUNCATED, "%" PRIu64 " entries from %s to %s; incomplete: %s",
		    written, t1, t2, partial);
	else if (withheld)
		ctx_source(c, name, SOURCE_OK, "%" PRIu64 " entries from %s to %s (%" PRIu64 " withheld by "
		    "the leak check)", written, t1, t2, withheld);
	else
		ctx_source(c, name, SOURCE_OK, "%" PRIu64 " entries from %s to %s", written, t1, t2);
	if (withheld) {
		/* said without -v too: entries the analysis will not see */
		_cleanup_free_ char *line = xasprintf("%s: %" PRIu64 " entr%s withheld by the leak check (a secret "
		    "remained after redaction)", name, withheld, withheld == 1 ? "y" : "ies");

		strv_add(&c->problems, line);
	}
	if (unread && c->bw)
		(void)bw_remove(c->bw, rel);
	if (c->bw) {
		o = bw_source_object(c->bw, name);
		json_object_set_new(o, "entries", json_integer((json_int_t)written));
		json_object_set_new(o, "omitted", json_integer((json_int_t)omitted));
		json_object_set_new(o, "withheld", json_integer((json_int_t)withheld));
		json_object_set_new(o, "since", json_string(t1));
		json_object_set_new(o, "until", json_string(t2));
		json_object_set_new(o, "first_cursor", jsonl_first_cursor(s) ? json_string(jsonl_first_cursor(s)) : json_null());
		json_object_set_new(o, "last_cursor", jsonl_last_cursor(s) ? json_string(jsonl_last_cursor(s)) : json_null());
		ctx_redactions(c, rel, jsonl_redactions(s));
	}
	ctx_verbose(c, "%s: %" PRIu64 " entries, %" PRIu64 " bytes", rel, written, jsonl_bytes(s));
	jsonl_free(s);
}

/* True when the journal holds at least one entry that can be read (no matches set). */
static bool
journal_has_entries(sd_journal *j)
{
	sd_journal_flush_matches(j);
	return sd_journal_seek_head(j) >= 0 && sd_journal_next(j) > 0;
}

/* The newest entry's time among the units' entries, or 0. */
static uint64_t
newest_entry(sd_journal *j, const struct strv *units)
{
	uint64_t best = 0, rt;

	for (size_t i = 0; i < units->n; i++) {
		sd_journal_flush_matches(j);
		if (add_unit_matches(j, units->v[i]) < 0)
			continue;
		if (sd_journal_seek_tail(j) < 0 || sd_journal_previous(j) <= 0)
			continue;
		if (sd_journal_get_realtime_usec(j, &rt) >= 0 && rt > best)
			best = rt;
	}
	sd_journal_flush_matches(j);
	return best;
}

/* The journal files of the run, opened.  Returns 0 or -errno; *why names where it looked. */
struct jopen {
	sd_journal *j;		/* the journal, or NULL */
	int	*fds;		/* --root: the files, owned */
	unsigned n_fds;
	unsigned denied;	/* journal files this user cannot read */
	unsigned total;		/* journal files found (live host, --journal-dir) */
	const char *why;	/* where it looked, in words */
};

static int
jopen(struct ctx *c, struct jopen *o)
{
	bool offline = c->opt->root || c->opt->journal_dir;
	int r;

	memset(o, 0, sizeof(*o));
	if (c->opt->journal_dir) {
		/* sd-journal skips files it cannot open: an unreadable folder would look like an empty one. */
		count_denied(c->opt->journal_dir, 0, &o->total, &o->denied);
		if (o->total == 0)
			r = -ENOENT;
		else if (o->denied == o->total)
			r = -EACCES;
		else
			r = sd_journal_open_directory(&o->j, c->opt->journal_dir, 0);
		o->why = c->opt->journal_dir;
	} else if (c->opt->root) {
		root_journal_fds(c, "/var/log/journal", &o->fds, &o->n_fds, &o->denied);
		root_journal_fds(c, "/run/log/journal", &o->fds, &o->n_fds, &o->denied);
		if (o->n_fds == 0)
			r = o->denied ? -EACCES : -ENOENT;
		else
			r = journal_open_fds(&o->j, o->fds, o->n_fds);
		o->why = "/var/log/journal and /run/log/journal under the root";
	} else {
		count_denied("/var/log/journal", 0, &o->total, &o->denied);
		count_denied("/run/log/journal", 0, &o->total, &o->denied);
		if (o->total == 0 && !c->systemd)
			r = -ENOENT;
		else
			r = sd_journal_open(&o->j, SD_JOURNAL_LOCAL_ONLY);
		o->why = "the system journal";
	}
	if (r >= 0 && offline && !journal_has_entries(o->j))
		r = -ENODATA;
	if (r >= 0)
		sd_journal_set_data_threshold(o->j, 0);
	return r;
}

static void
jclose(struct jopen *o)
{
	sd_journal_close(o->j);
	o->j = NULL;
	for (unsigned i = 0; i < o->n_fds; i++)
		close(o->fds[i]);
	free(o->fds);
	o->fds = NULL;
	o->n_fds = 0;
}

uint64_t
journal_newest(struct ctx *c)
{
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;
	struct jopen o;
	uint64_t t = 0;

	if (jopen(c, &o) >= 0)
		t = newest_entry(o.j, units);
	jclose(&o);
	return t;
}

void
collect_journal(struct ctx *c)
{
	struct strv *units = c->opt->units.n ? &c->opt->units : &c->profile->units;
	struct jopen o;
	sd_journal *j;
	unsigned denied;
	_cleanup_free_ char *partial = NULL;
	const char *why;
	uint64_t since, until, budget;
	bool offline = c->opt->root || c->opt->journal_dir;
	int r;

	if (c->opt->log_file || units->n == 0)
		return;
	r = jopen(c, &o);
	j = o.j;
	denied = o.denied;
	why = o.why;
	if (denied > 0)
		partial = xasprintf("permission denied; run as root or as a member of systemd-journal "
		    "(%u journal file%s not readable)", denied, denied == 1 ? "" : "s");
	if (r < 0) {
		for (size_t i = 0; i < units->n; i++) {
			_cleanup_free_ char *name = xasprintf(BUNDLE_DIR_JOURNAL "%s", units->v[i]);

			if (r == -ENOENT && !c->opt->root && !c->opt->journal_dir)
				ctx_source(c, name, SOURCE_UNAVAILABLE, "no journal on this host (systemd is not "
				    "running); for an agent in a container use --log-file");
			else if (r == -ENOENT)
				ctx_source(c, name, SOURCE_UNAVAILABLE, "no journal files in %s", why);
			else if (r == -EACCES || r == -EPERM)
				ctx_source(c, name, SOURCE_UNAVAILABLE, "journal: permission denied; run as root "
				    "or as a member of systemd-journal (%u journal file%s in %s not readable)",
				    denied, denied == 1 ? "" : "s", why);
			else if (r == -ENODATA)
				ctx_source(c, name, SOURCE_UNAVAILABLE, "no journal entry could be read from the "
				    "journal files in %s (not journal files, or corrupt)", why);
			else
				ctx_source(c, name, SOURCE_ERROR, "cannot open %s: %s", why, strerror(-r));
		}
		goto out;
	}
	if (c->window_set) {
		/* main() resolved and checked the window (window.c). */
		since = c->since_usec;
		until = c->until_usec;
	} else {
		until = c->opt->until_usec;
		if (until == 0)
			until = offline ? newest_entry(j, units) : time_now_usec();
		if (until == 0)
			until = time_now_usec();
		since = c->opt->since_usec;
		if (since == 0)
			since = until > c->profile->window_usec ? until - c->profile->window_usec : 0;
		c->since_usec = since;
		c->until_usec = until;
	}
	budget = ctx_journal_budget(c);
	for (size_t i = 0; i < units->n; i++) {
		uint64_t share = budget / (units->n - i);

		journal_unit(c, j, units->v[i], since, until, share, partial);
		budget = ctx_journal_budget(c);
	}
out:
	jclose(&o);
}
