/* logline.c: the text forms of --log-file lines: times, transport prefixes, ANSI colours, level words. */
#include <string.h>
#include <strings.h>

#include "cleanup.h"
#include "logfile.h"

static const char *const format_names[] = {
	[LOGF_PLAIN] = "plain",
	[LOGF_DOCKER] = "docker",
	[LOGF_CRI] = "cri",
	[LOGF_TAIL_DETAILED] = "aws-logs-tail",
	[LOGF_TAIL_SHORT] = "aws-logs-tail-short",
	[LOGF_TIME_TAB] = "time-tab",
	[LOGF_AWS_JSON] = "aws-logs-json",
	[LOGF_JSON_LINES] = "json-lines",
};
_Static_assert(ELEMENTSOF(format_names) == _LOGF_MAX, "format_names");

const char *
log_format_name(enum log_format f)
{
	return f < _LOGF_MAX ? format_names[f] : "unknown";
}

static bool
digits(const char *s, size_t n, unsigned *v)
{
	*v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		*v = *v * 10 + (unsigned)(s[i] - '0');
	}
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

size_t
log_time_parse(const char *s, size_t len, uint64_t *usec, bool *zoned)
{
	static const unsigned mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, sec, frac = 0, fd = 0;
	size_t i = 19;
	int64_t off = 0, t;

	*zoned = false;
	if (len < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return 0;
	if (!digits(s, 4, &y) || !digits(s + 5, 2, &mo) || !digits(s + 8, 2, &d) ||
	    !digits(s + 11, 2, &h) || !digits(s + 14, 2, &mi) || !digits(s + 17, 2, &sec))
		return 0;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 || sec > 60)
		return 0;
	if (mo == 2 && d == 29 && !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	if (i < len && (s[i] == '.' || s[i] == ',') && i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '9') {
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			if (fd < 6) {
				frac = frac * 10 + (unsigned)(s[i] - '0');
				fd++;
			}
		for (; fd < 6; fd++)
			frac *= 10;
	}
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		*zoned = true;
		i++;
	} else if (i + 5 <= len && (s[i] == '+' || s[i] == '-')) {
		unsigned oh, om;
		size_t n;

		if (i + 6 <= len && s[i + 3] == ':' && digits(s + i + 1, 2, &oh) && digits(s + i + 4, 2, &om))
			n = 6;
		else if (digits(s + i + 1, 2, &oh) && digits(s + i + 3, 2, &om))
			n = 5;
		else
			n = 0;
		if (n && oh <= 23 && om <= 59) {
			off = (int64_t)(oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
			*zoned = true;
			i += n;
		}
	}
	t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (sec > 59 ? 59 : sec) - off;
	if (t < 0)
		return 0;
	*usec = (uint64_t)t * 1000000 + frac;
	return i;
}

size_t
log_strip_ansi(char *line, size_t len)
{
	size_t r = 0, w = 0;

	while (r < len) {
		if (line[r] != '\x1b') {
			line[w++] = line[r++];
			continue;
		}
		r++;
		if (r < len && line[r] == '[') {
			/* CSI: parameters and intermediates, then one final byte @ to ~. */
			for (r++; r < len && (unsigned char)line[r] >= 0x20 && (unsigned char)line[r] <= 0x3f; r++)
				;
			if (r < len && (unsigned char)line[r] >= 0x40 && (unsigned char)line[r] <= 0x7e)
				r++;
		} else {
			/* nF (intermediates, then a final byte, e.g. ESC ( B) or a two-byte escape. */
			while (r < len && (unsigned char)line[r] >= 0x20 && (unsigned char)line[r] <= 0x2f)
				r++;
			if (r < len && (unsigned char)line[r] >= 0x30 && (unsigned char)line[r] <= 0x7e)
				r++;
		}
	}
	return w;
}

int
log_level_word(const char *w, size_t len)
{
	static const struct { const char *w; int prio; } levels[] = {
		{ "trace", 7 }, { "debug", 7 }, { "dbg", 7 }, { "info", 6 }, { "inf", 6 }, { "notice", 5 },
		{ "warn", 4 }, { "warning", 4 }, { "wrn", 4 }, { "error", 3 }, { "err", 3 }, { "erro", 3 },
		{ "crit", 2 }, { "critical", 2 }, { "fatal", 2 }, { "panic", 2 }, { "dpanic", 2 },
	};

	if (len >= 2 && w[0] == '[' && w[len - 1] == ']')
		w++, len -= 2;
	else if (len >= 2 && w[len - 1] == ':')
		len--;
	for (size_t i = 0; i < ELEMENTSOF(levels); i++)
		if (strlen(levels[i].w) == len && strncasecmp(levels[i].w, w, len) == 0)
			return levels[i].prio;
	return -1;
}

int
log_message_priority(const char *msg, size_t len)
{
	/* Envoy's own format: [TIME][THREAD][LEVEL][LOGGER] MESSAGE. */
	for (int k = 0; k < 4 && len > 2 && msg[0] == '['; k++) {
		const char *e = memchr(msg, ']', len < 64 ? len : 64);
		int p;

		if (e == NULL)
			break;
		if ((p = log_level_word(msg, (size_t)(e - msg) + 1)) >= 0)
			return p;
		len -= (size_t)(e - msg) + 1;
		msg = e + 1;
	}
	for (int k = 0; k < 2 && len > 0; k++) {
		size_t n = 0;
		int p;

		while (n < len && n < 16 && msg[n] != '\t' && msg[n] != ' ')
			n++;
		if (n == 0 || n >= 16 || (n < len && msg[n] != '\t' && msg[n] != ' '))
			return -1;
		if ((p = log_level_word(msg, n)) >= 0)
			return p;
		/* A second word only after a first one that is a name or a time, e.g. "agent\tinfo". */
		msg += n;
		len -= n;
		while (len > 0 && (*msg == '\t' || *msg == ' '))
			msg++, len--;
	}
	return -1;
}

bool
log_message_time(const char **msg, size_t *len, uint64_t *usec)
{
	bool zoned;
	size_t n;

	/* Envoy's "[2024-03-05 10:21:10.447][14][warning]...": the time is taken, the text stays. */
	if (*len > 2 && (*msg)[0] == '[') {
		n = log_time_parse(*msg + 1, *len - 1, usec, &zoned);
		return n > 0 && n + 1 < *len && (*msg)[n + 1] == ']';
	}
	n = log_time_parse(*msg, *len, usec, &zoned);
	if (n == 0 || n >= *len || ((*msg)[n] != '\t' && (*msg)[n] != ' '))
		return false;
	*msg += n + 1;
	*len -= n + 1;
	return true;
}

/* A stream name as aws logs tail prints it: PREFIX/CONTAINER/TASKID (two slashes at least). */
static size_t
stream_token(const char *s, size_t len)
{
	size_t n = 0, slashes = 0;

	if (len == 0 || s[0] == '/' || s[0] == '[' || s[0] == '"')
		return 0;
	while (n < len && s[n] != ' ') {
		unsigned char ch = (unsigned char)s[n];

		if (ch <= 0x20 || ch == 0x7f || ch == '"' || n > 512)
			return 0;
		if (ch == '/') {
			if (n > 0 && s[n - 1] == '/')
				return 0;
			slashes++;
		}
		n++;
	}
	/* At the end of the line too: aws logs tail strips an empty message's blank. */
	if (slashes < 2 || s[n - 1] == '/')
		return 0;
	return n;
}

void
log_line_parse(const char *line, size_t len, struct log_line *out)
{
	size_t n, st;
	bool zoned;
	uint64_t t;

	memset(out, 0, sizeof(*out));
	out->fmt = LOGF_PLAIN;
	out->msg = line;
	out->len = len;
	n = log_time_parse(line, len, &t, &zoned);
	if (n == 0 || n >= len)
		return;
	if (line[n] == '\t') {
		out->fmt = LOGF_TIME_TAB;
		goto timed;
	}
	if (line[n] != ' ')
		return;
	/* CRI: TIME stdout|stderr F|P MESSAGE */
	if (len - n >= 9 && (memcmp(line + n, " stdout ", 8) == 0 || memcmp(line + n, " stderr ", 8) == 0) &&
	    (line[n + 8] == 'F' || line[n + 8] == 'P') && (n + 9 == len || line[n + 9] == ' ')) {
		out->fmt = LOGF_CRI;
		out->partial = line[n + 8] == 'P';
		n += n + 9 < len ? 9 : 8;
		goto timed;
	}
	st = stream_token(line + n + 1, len - n - 1);
	if (st > 0) {
		out->fmt = LOGF_TAIL_DETAILED;
		out->stream = line + n + 1;
		out->stream_len = st;
		n += st + 1;
		goto timed;
	}
	out->fmt = zoned ? LOGF_DOCKER : LOGF_TAIL_SHORT;
timed:
	out->usec = t;
	out->timed = true;
	out->msg = line + (n + 1 < len ? n + 1 : len);
	out->len = n + 1 < len ? len - n - 1 : 0;
}
