/* host.c: host.json: hostname, os-release, kernel, boot id, uptime, clock and NTP state, systemd. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "cleanup.h"
#include "collect.h"
#include "timeutil.h"

#define HOST_FILE_MAX (64 * 1024)

/* Strips trailing whitespace in place. */
static char *
chomp(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

/* os-release: KEY=value lines, values unquoted (shell-style single or double quotes). */
static json_t *
parse_os_release(const char *text)
{
	json_t *o = json_object();
	_cleanup_free_ char *copy = xstrdup(text);
	char *save = NULL;

	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *eq, *v;
		size_t n;

		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || (eq = strchr(line, '=')) == NULL)
			continue;
		*eq = '\0';
		v = chomp(eq + 1);
		n = strlen(v);
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			char *w = v, *r = v + 1;

			v[n - 1] = '\0';
			for (; *r; r++) {
				if (*r == '\\' && r[1] && v[0] == '"')
					r++;
				*w++ = *r;
			}
			*w = '\0';
		}
		json_object_set_new(o, line, json_string(v));
	}
	return o;
}

static json_t *
file_string(struct ctx *c, const char *path)
{
	_cleanup_free_ char *data = NULL;
	size_t len;

	if (ctx_read_file(c, path, HOST_FILE_MAX, &data, &len) < 0)
		return json_null();
	chomp(data);
	return json_string(data);
}

/* NTP synchronisation: timedated when it already runs (never activated), else the kernel's view. */
static json_t *
ntp_state(struct ctx *c)
{
	json_t *o = json_object();
	_cleanup_free_ char *err = NULL;
	struct timex tx = { 0 };
	json_t *v;

	if (c->opt->root)
		goto none;
	if (c->bus && bus_get_all(c, "org.freedesktop.timedate1", "/org/freedesktop/timedate1",
	    "org.freedesktop.timedate1", o, &err) >= 0 &&
	    json_is_boolean(v = json_object_get(o, "NTPSynchronized"))) {
		json_incref(v);
		json_decref(o);
		return v;
	}
	json_decref(o);
	/* What timedated itself reports: the kernel's clock discipline. */
	if (adjtimex(&tx) < 0)
		return json_null();
	return json_boolean(!(tx.status & STA_UNSYNC) && tx.maxerror < 16000000);
none:
	json_decref(o);
	return json_null();
}

static json_t *
timezone_name(struct ctx *c)
{
	_cleanup_free_ char *target = NULL;
	const char *p;

	if (ctx_readlink(c, "/etc/localtime", &target) >= 0) {
		p = strstr(target, "zoneinfo/");
		return json_string(p ? p + 9 : target);
	}
	{
		json_t *tz = file_string(c, "/etc/timezone");

		if (!json_is_null(tz))
			return tz;
		json_decref(tz);
	}
	return json_string("UTC");
}

void
collect_host(struct ctx *c)
{
	json_t *h = json_object(), *k, *sd;
	_cleanup_free_ char *osr = NULL, *text = NULL, *why = NULL, *version = NULL;
	char hn[256] = "", tbuf[RFC3339_MAX];
	struct utsname u;
	size_t len;
	json_t *hostname;
	int r;

	/* Hostname: the live kernel's, or the tree's /etc/hostname. */
	if (c->opt->root)
		hostname = file_string(c, "/etc/hostname");
	else {
		gethostname(hn, sizeof(hn) - 1);
		hostname = json_string(hn);
	}
	json_object_set_new(h, "hostname", hostname);
	if (c->bw && json_is_string(hostname)) {
		json_t *mh = json_object_get(bw_manifest(c->bw), "host");

		if (!json_is_object(mh)) {
			mh = json_object();
			json_object_set_new(bw_manifest(c->bw), "host", mh);
		}
		json_object_set(mh, "hostname", hostname);
	}

	if (ctx_read_file(c, "/etc/os-release", HOST_FILE_MAX, &osr, &len) >= 0 ||
	    ctx_read_file(c, "/usr/lib/os-release", HOST_FILE_MAX, &osr, &len) >= 0)
		json_object_set_new(h, "os_release", parse_os_release(osr));
	else
		json_object_set_new(h, "os_release", json_object());

	if (!c->opt->root && uname(&u) == 0) {
		k = json_object();
		json_object_set_new(k, "sysname", json_string(u.sysname));
		json_object_set_new(k, "release", json_string(u.release));
		json_object_set_new(k, "version", json_string(u.version));
		json_object_set_new(k, "machine", json_string(u.machine));
		json_object_set_new(h, "kernel", k);
	} else
		json_object_set_new(h, "kernel", json_null());

	if (c->opt->root) {
		json_object_set_new(h, "boot_id", json_null());
		json_object_set_new(h, "uptime_sec", json_null());
	} else {
		_cleanup_free_ char *up = NULL;

		json_object_set_new(h, "boot_id", file_string(c, "/proc/sys/kernel/random/boot_id"));
		if (ctx_read_file(c, "/proc/uptime", HOST_FILE_MAX, &up, &len) >= 0)
			json_object_set_new(h, "uptime_sec", json_integer((json_int_t)strtod(up, NULL)));
		else
			json_object_set_new(h, "uptime_sec", json_null());
	}
	json_object_set_new(h, "machine_id", file_string(c, "/etc/machine-id"));
	json_object_set_new(h, "time", json_string(time_rfc3339(time_now_usec(), false, tbuf)));
	json_object_set_new(h, "ntp_synchronized", ntp_state(c));
	json_object_set_new(h, "timezone", timezone_name(c));

	sd = json_object();
	json_object_set_new(sd, "running", json_boolean(!c->opt->root && c->systemd));
	if (c->bus && !c->opt->root) {
		sd_bus_error e = SD_BUS_ERROR_NULL;

		if (sd_bus_get_property_string(c->bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
		    "org.freedesktop.systemd1.Manager", "Version", &e, &version) < 0)
			version = NULL;
		sd_bus_error_free(&e);
	}
	json_object_set_new(sd, "version", version ? json_string(version) : json_null());
	json_object_set_new(h, "systemd", sd);
	json_object_set_new(h, "root", c->opt->root ? json_string(c->opt->root) : json_null());

	text = json_dumps(h, JSON_INDENT(2));
	json_decref(h);
	r = ctx_add_verified(c, BUNDLE_PATH_HOST, text, strlen(text), &why);
	if (r == 1)
		ctx_source(c, "host", SOURCE_ERROR, "the leak check withheld host.json (%s)", why);
	else if (r < 0)
		ctx_source(c, "host", SOURCE_ERROR, "cannot add host.json: %s", strerror(-r));
	else
		ctx_source(c, "host", SOURCE_OK, "%s%s", hn[0] ? hn : "host", c->opt->root ? " (from --root)" : "");
}
