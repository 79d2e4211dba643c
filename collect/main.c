/* main.c: triage-collect's command line, the order of the sources, and the summary. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "cleanup.h"
#include "collect.h"
#include "i18n.h"
#include "msg.h"
#include "timeutil.h"

#define PROG "triage-collect"

/* Exit status (CONTRACT.md): 0 the bundle was written. */
#define EXIT_NO_BUNDLE	1	/* no bundle was written */
#define EXIT_USAGE	2	/* usage error: bad option or argument */

/* The exit status is the worst message said (msg.h): a warning (a source not read) leaves it 0. */
static int
exit_status(void)
{
	switch (msg_worst()) {
	case MSG_BADARG:
		return EXIT_USAGE;
	case MSG_ERROR:
		return EXIT_NO_BUNDLE;
	default:
		return 0;
	}
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: triage-collect [OPTIONS]\n"
	    "Collects a support bundle (unit status, journal, redacted config, resolver state) of the\n"
	    "Workload Onboarding Agent into one .tar.gz file.\n\n"
	    "  -o, --output PATH      bundle to write (default ./triage-<hostname>-<YYYYmmddTHHMMSSZ>.tar.gz);\n"
	    "                         a folder gets the default name inside it, '-' is standard output\n"
	    "  -u, --unit NAME        unit to snapshot, repeatable (default: onboarding-agent.service)\n"
	    "      --since TIME       start of the journal slice (default: 24 hours before --until)\n"
	    "      --until TIME       end of the journal slice (default: now, or the newest entry)\n"
	    "      --max-size SIZE    budget for the whole bundle, e.g. 20M (default 50M)\n"
	    "      --root DIR         collect from a system tree mounted at DIR (no bus, no probes)\n"
	    "      --journal-dir DIR  read journal files from DIR instead of the system journal\n"
	    "      --log-file PATH    the agent's log without systemd: docker, CRI, aws logs JSON or tail, ecs-cli ('-': stdin)\n"
	    "      --ecs-json FILE    saved output of aws ecs describe-services, list-tasks, describe-tasks or\n"
	    "                         describe-task-definition, repeatable ('-' for stdin)\n"
	    "      --ecs-cluster C --ecs-service S [--ecs-region R] [--ecs-profile P]\n"
	    "                         run those read-only AWS CLI calls (and fetch the agent's log) itself\n"
	    "      --no-probe         no live DNS or TCP probes\n"
	    "      --profile FILE     collection profile (YAML) instead of the built-in one\n"
	    "      --dry-run          print what would be collected and redacted; write nothing\n"
	    "      --no-analyze       do not run triage-analyze on the bundle afterwards\n"
	    "      --analyze          run it (the default when it is found), and fail when it is not found\n"
	    "      --force            replace an existing bundle at the -o path\n"
	    "  -q, --quiet            only errors and warnings on stderr\n"
	    "  -v, --verbose          every source and redaction step on stderr\n"
	    "      --version          print the version\n"
	    "  -h, --help             this help\n\n"
	    "TIME (as journalctl reads it): YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', HH:MM, RFC 3339, @EPOCH,\n"
	    "  -30m, -2h30m, -1day, '2 hours ago', now, today, yesterday; a trailing ' UTC'. With --root or\n"
	    "  --journal-dir, relative times count from the newest entry.\n"
	    "Exit status: 0 bundle written, 1 no bundle written, 2 usage error.\n");
}

static void
on_alarm(int sig)
{
	static const char msg[] = PROG ": the run's time limit was exceeded; no bundle written\n";

	(void)sig;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	/* The bundle writer's SIGTERM handler removes its temporary files. */
	raise(SIGTERM);
}

static char *
human_size(uint64_t n)
{
	if (n >= 10 * 1024 * 1024)
		return xasprintf("%.0f MiB", n / 1048576.0);
	if (n >= 1024 * 1024)
		return xasprintf("%.1f MiB", n / 1048576.0);
	if (n >= 1024)
		return xasprintf("%.0f KiB", n / 1024.0);
	return xasprintf("%" PRIu64 " bytes", n);
}

static bool
probe_openat2(int rootfd)
{
	struct { uint64_t flags, mode, resolve; } how = { O_PATH | O_CLOEXEC, 0, 0x10 /* RESOLVE_IN_ROOT */ };
	long fd = syscall(SYS_openat2, rootfd, ".", &how, sizeof(how));

	if (fd < 0)
		return false;
	close((int)fd);
	return true;
}

/* --dry-run: what would be collected, and what would be redacted (never values). */
static void
describe_cb(const char *what, const char *example, void *userdata)
{
	(void)userdata;
	printf("  %s%s%s\n", what, example && *example ? "  e.g. " : "", example ? example : "");
}

static void
dry_run(struct ctx *c, const char *output)
{
	const struct profile *pr = c->profile;
	struct strv *units = c->opt->units.n ? &c->opt->units : (struct strv *)&pr->units;
	_cleanup_free_ char *budget = human_size(c->max_size);

	printf("triage-collect --dry-run: nothing is written.\n\n");
	printf("bundle: %s (budget %s)\nprofile: %s\n", output, budget, pr->name);
	printf("host: host.json (hostname, os-release, kernel, boot id, uptime, time, NTP state)\n");
	if (ecs_away(c->opt))
		goto ecs;	/* away from the task: none of this host's agent sources */
	printf("units%s:\n", c->opt->root ? " (--root: unit files only)" :
	    !c->systemd ? " (systemd is not running here: unit files only)" : "");
	for (size_t i = 0; i < units->n; i++)
		printf("  %s -> units/%s.json, its unit file and drop-ins -> config/<path>\n", units->v[i],
		    units->v[i]);
	if (!c->opt->log_file && !c->opt->root && !c->opt->journal_dir && !c->systemd &&
	    !journal_files_present())
		printf("journal: none on this host (systemd is not running); for an agent in a container "
		    "use --log-file\n");
	else if (c->opt->log_file)
		printf("journal: lines of --log-file %s -> journal/%s.jsonl\n", c->opt->log_file,
		    units->n ? units->v[0] : "agent");
	else
		printf("journal: %s, %s%s%s -> journal/<unit>.jsonl\n",
		    c->opt->journal_dir ? c->opt->journal_dir : c->opt->root ? "the tree's journal files" :
		    "the system journal", c->opt->since ? "since " : "the 24 hours before ",
		    c->opt->since ? c->opt->since : c->opt->until ? c->opt->until :
		    (c->opt->root || c->opt->journal_dir) ? "the newest entry" : "now",
		    c->opt->since && c->opt->until ? " until the given time" : "");
	printf("config files:\n");
	for (size_t i = 0; i < pr->config_expect.n; i++) {
		_cleanup_close_ int fd = ctx_open(c, pr->config_expect.v[i], O_RDONLY);

		printf("  %s%s\n", pr->config_expect.v[i], fd >= 0 ? "" : " (not found)");
	}
	for (size_t i = 0; i < pr->config_include.n; i++) {
		struct strv f = { 0 };

		(void)ctx_glob(c, pr->config_include.v[i], &f);
		for (size_t k = 0; k < f.n; k++) {
			bool dup = false, secret = false;

			for (size_t e = 0; e < pr->config_expect.n; e++)
				dup |= strcmp(pr->config_expect.v[e], f.v[k]) == 0;
			for (size_t e = 0; e < pr->secret_names.n; e++)
				secret |= fnmatch(pr->secret_names.v[e], strrchr(f.v[k], '/') + 1, 0) == 0;
			if (!dup)
				printf("  %s%s\n", f.v[k], secret ? " (a secret by its name: skipped)" : "");
		}
		strv_free(&f);
	}
	printf("secret files, listed by name only, never read:\n");
	for (size_t i = 0; i < pr->secret_globs.n; i++) {
		struct strv f = { 0 };

		(void)ctx_glob(c, pr->secret_globs.v[i], &f);
		for (size_t k = 0; k < f.n; k++)
			printf("  %s\n", f.v[k]);
		strv_free(&f);
	}
	for (size_t i = 0; i < pr->env.n && !c->opt->root; i++)
		printf("environment %s: %s\n", pr->env.v[i], getenv(pr->env.v[i]) ? "set -> config/env/" : "not set");
	printf("resolver files:\n");
	for (size_t i = 0; i < pr->resolver.n; i++)
		printf("  %s\n", pr->resolver.v[i]);
	printf("resolved: %s\n", c->opt->root ? "no (--root)" : c->bus ? "its D-Bus state, if it runs" : "no system bus");
	printf("probes: %s\n", c->opt->root ? "none (--root)" : c->opt->no_probe ? "none (--no-probe)" :
	    "DNS lookup and TCP connect of the endpoint the onboarding config names");
ecs:
	ecs_dry_run(c);
	printf("\nredacted (values are replaced by <redacted:KIND:HASH>; never printed):\n");
	redact_describe(describe_cb, NULL);
}

/* A line of the summary (MSG_OK); fmt may be a msgid ending in a newline, which is not printed twice. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
	_cleanup_free_ char *text = NULL;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	n = strlen(text);
	if (n > 0 && text[n - 1] == '\n')
		text[n - 1] = '\0';
	msg(MSG_OK, NULL, 0, 0, "%s", text);
}

static void
summary(struct ctx *c, const char *path, uint64_t size)
{
	_cleanup_free_ char *hs = human_size(size);
	struct buf b = { 0 };

	if (!c->tty && c->opt->verbosity == 0)
		for (size_t i = 0; i < c->problems.n; i++)
			msg(MSG_OK, NULL, 0, 0, "%s", c->problems.v[i]);	/* "NAME: STATUS: DETAIL" */
	/* In the language of the environment (i18n.h); the bundle itself stays English. */
	say(_("wrote %s (%s)\n"), path, hs);
	buf_printf(&b, _("sources: %u ok, %u unavailable"), c->n_ok, c->n_unavailable);
	if (c->n_error)
		buf_printf(&b, _(", %u error"), c->n_error);
	if (c->n_truncated)
		buf_printf(&b, _(", %u truncated"), c->n_truncated);
	msg(MSG_OK, NULL, 0, 0, "%s", b.data);
	buf_reset(&b);
	buf_printf(&b, P_("redacted %llu value", "redacted %llu values", c->red_values),
	    (unsigned long long)c->red_values);
	buf_printf(&b, P_(" in %llu file\n", " in %llu files\n", c->red_files), (unsigned long long)c->red_files);
	say("%s", b.data);
	buf_free(&b);
	if (c->opt->output && strcmp(c->opt->output, "-") == 0)
		return;	/* the bundle went down a pipe: there is no file to name */
	say(_("attach this file to your support ticket: %s\n"), path);
}

/* One run of the collector: what main() hands from one step to the next. */
struct run {
	struct options	 o;		/* the command line */
	struct ctx	 c;		/* what the sources share (c.opt is &o) */
	struct output	 dest;		/* where the bundle goes */
	char		*output;	/* the bundle's path (or what the stream is called) */
	char		*topdir;	/* the bundle's top directory */
	char		*analyzer;	/* triage-analyze to run on the bundle afterwards, or NULL */
	uint64_t	 now;		/* realtime at start: the default name and collected_at */
};

/* The long options (CONTRACT.md, docs/triage-collect.1). */
enum { OPT_SINCE = 256, OPT_UNTIL, OPT_MAX_SIZE, OPT_ROOT, OPT_JOURNAL_DIR, OPT_LOG_FILE,
    OPT_NO_PROBE, OPT_PROFILE, OPT_DRY_RUN, OPT_VERSION, OPT_ECS_JSON, OPT_ECS_CLUSTER, OPT_ECS_SERVICE,
    OPT_ECS_REGION, OPT_ECS_PROFILE, OPT_ANALYZE, OPT_NO_ANALYZE, OPT_FORCE };
static const struct option long_options[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "unit", required_argument, NULL, 'u' },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "until", required_argument, NULL, OPT_UNTIL },
	{ "max-size", required_argument, NULL, OPT_MAX_SIZE },
	{ "root", required_argument, NULL, OPT_ROOT },
	{ "journal-dir", required_argument, NULL, OPT_JOURNAL_DIR },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "no-probe", no_argument, NULL, OPT_NO_PROBE },
	{ "ecs-json", required_argument, NULL, OPT_ECS_JSON },
	{ "ecs-cluster", required_argument, NULL, OPT_ECS_CLUSTER },
	{ "ecs-service", required_argument, NULL, OPT_ECS_SERVICE },
	{ "ecs-region", required_argument, NULL, OPT_ECS_REGION },
	{ "ecs-profile", required_argument, NULL, OPT_ECS_PROFILE },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "analyze", no_argument, NULL, OPT_ANALYZE },
	{ "no-analyze", no_argument, NULL, OPT_NO_ANALYZE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The command line into o.  1: go on; 0: done (--help, --version); -1: a usage
 * error was said.
 */
static int
parse_options(int argc, char *argv[], struct options *o)
{
	int ch;

	while ((ch = getopt_long(argc, argv, "o:u:qvh", long_options, NULL)) != -1) {
		switch (ch) {
		case 'o':
			o->output = optarg;
			break;
		case 'u': {
			_cleanup_free_ char *u = NULL;
			const char *why;

			if (unit_name_normalise(optarg, &u, &why) < 0) {
				msg(MSG_BADARG, NULL, 0, 0, "--unit: '%s' is not a unit name: it %s", optarg, why);
				return -1;
			}
			strv_add(&o->units, u);
			break;
		}
		case OPT_SINCE:
		case OPT_UNTIL: {
			_cleanup_free_ char *err = NULL;

			if (window_option(o, ch == OPT_SINCE ? 's' : 'u', optarg, &err) < 0) {
				msg(MSG_BADARG, NULL, 0, 0, "%s", err);
				return -1;
			}
			break;
		}
		case OPT_MAX_SIZE:
			if (parse_size(optarg, &o->max_size) < 0 || o->max_size < 64 * 1024) {
				msg(MSG_BADARG, NULL, 0, 0, "--max-size: '%s' is not a size of at least 64K (e.g. 20M, 1G, "
				    "500K)", optarg);
				return -1;
			}
			break;
		case OPT_ROOT:
			o->root = optarg;
			break;
		case OPT_JOURNAL_DIR:
			o->journal_dir = optarg;
			break;
		case OPT_LOG_FILE:
			o->log_file = optarg;
			break;
		case OPT_NO_PROBE:
			o->no_probe = true;
			break;
		case OPT_ECS_JSON:
			strv_add(&o->ecs_json, optarg);
			break;
		case OPT_ECS_CLUSTER:
		case OPT_ECS_SERVICE:
		case OPT_ECS_REGION:
		case OPT_ECS_PROFILE:
			if (optarg[0] == '\0' || optarg[0] == '-') {
				msg(MSG_BADARG, NULL, 0, 0, "--ecs-%s: '%s' is not a name", ch == OPT_ECS_CLUSTER ?
				    "cluster" : ch == OPT_ECS_SERVICE ? "service" : ch == OPT_ECS_REGION ? "region" :
				    "profile", optarg);
				return -1;
			}
			*(ch == OPT_ECS_CLUSTER ? &o->ecs_cluster : ch == OPT_ECS_SERVICE ? &o->ecs_service :
			    ch == OPT_ECS_REGION ? &o->ecs_region : &o->ecs_profile) = optarg;
			break;
		case OPT_PROFILE:
			o->profile = optarg;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_ANALYZE:
		case OPT_NO_ANALYZE:
			o->analyze = ch == OPT_ANALYZE ? 1 : -1;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case 'q':
			o->verbosity = -1;
			break;
		case 'v':
			o->verbosity = 1;
			break;
		case OPT_VERSION:
			printf("triage-collect %s\n", TRIAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:	/* getopt said what is wrong */
			usage(stderr);
			msg_count(MSG_BADARG);
			return -1;
		}
	}
	if (optind < argc) {
		msg(MSG_BADARG, NULL, 0, 0, "unexpected argument '%s'", argv[optind]);
		usage(stderr);
		return -1;
	}
	return 1;
}

/* Options that do not go together, or cannot be used as given.  0, or -1 after saying why. */
static int
check_options(const struct options *o)
{
	unsigned stdin_users = o->log_file && strcmp(o->log_file, "-") == 0;

	if (o->log_file && (o->journal_dir || o->root)) {
		msg(MSG_BADARG, NULL, 0, 0, "--log-file cannot be combined with --%s",
		    o->journal_dir ? "journal-dir" : "root");
		return -1;
	}
	if ((o->ecs_cluster == NULL) != (o->ecs_service == NULL) ||
	    ((o->ecs_region || o->ecs_profile) && o->ecs_cluster == NULL)) {
		msg(MSG_BADARG, NULL, 0, 0, "--ecs-cluster and --ecs-service go together (--ecs-region and "
		    "--ecs-profile need them)");
		return -1;
	}
	if (ecs_away(o) && (o->root || o->journal_dir)) {
		msg(MSG_BADARG, NULL, 0, 0, "--ecs-json and --ecs-cluster cannot be combined with --%s",
		    o->root ? "root" : "journal-dir");
		return -1;
	}
	for (size_t i = 0; i < o->ecs_json.n; i++)
		stdin_users += strcmp(o->ecs_json.v[i], "-") == 0;
	if (stdin_users > 1) {
		msg(MSG_BADARG, NULL, 0, 0, "standard input ('-') can be read only once");
		return -1;
	}
	/* The findings after the summary: not with -q (unless asked), never mixed into -o - output. */
	if (o->analyze == 1 && o->output && strcmp(o->output, "-") == 0) {
		msg(MSG_BADARG, NULL, 0, 0, "%s", _("--analyze needs a bundle file; -o - writes it to standard output"));
		return -1;
	}
	return 0;
}

/*
 * The analyzer to run afterwards (*analyzer, free it; NULL for none), unless -q, -o - or
 * --no-analyze.  0, or -1 when --analyze asked for one and there is none.
 */
static int
find_analyzer(const struct options *o, char **analyzer)
{
	*analyzer = NULL;
	if (o->analyze > 0 || (o->analyze == 0 && o->verbosity >= 0 && !(o->output && strcmp(o->output, "-") == 0)))
		*analyzer = selfcheck_find();
	if (o->analyze > 0 && *analyzer == NULL && !o->dry_run) {
		msg(MSG_ERROR, NULL, 0, 0, "%s", _("--analyze: no triage-analyze beside this program or on PATH; no "
		    "bundle written"));
		return -1;
	}
	return 0;
}

/* --journal-dir DIR (or NULL) is a folder.  0, or -1 after saying why not. */
static int
check_journal_dir(const char *dir)
{
	struct stat st;

	if (dir == NULL)
		return 0;
	if (stat(dir, &st) < 0) {
		msg(MSG_ERROR, dir, 0, 0, "%s", strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		msg(MSG_ERROR, dir, 0, 0, "not a directory");
		return -1;
	}
	return 0;
}

/* --profile FILE (a file of the machine running the collector, never of --root) or the built-in one.  0 or -1. */
static int
load_profile(struct options *o, struct profile **ret)
{
	_cleanup_free_ char *text = NULL, *err = NULL;
	struct ctx here = { .opt = o, .rootfd = -1 };
	size_t len;
	int r;

	if (o->profile == NULL) {
		if (profile_parse(triage_builtin_profile, strlen(triage_builtin_profile), "built-in", ret, &err) < 0) {
			msg(MSG_ERROR, NULL, 0, 0, "the built-in profile: %s", err);
			return -1;
		}
		return 0;
	}
	r = ctx_read_file(&here, o->profile, 1024 * 1024, &text, &len);
	if (r < 0) {
		msg(MSG_ERROR, o->profile, 0, 0, "%s", file_errstr(r));
		return -1;
	}
	if (profile_parse(text, len, o->profile, ret, &err) < 0) {
		msg(MSG_ERROR, o->profile, 0, 0, "%s", err);
		return -1;
	}
	return 0;
}

/* The system to collect: a tree under --root (opened), or this host (its system bus, if systemd runs it).  0 or -1. */
static int
open_system(struct ctx *c)
{
	int r;

	if (c->opt->root) {
		c->rootfd = open(c->opt->root, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (c->rootfd < 0) {
			msg(MSG_ERROR, NULL, 0, 0, "--root '%s': %s", c->opt->root, strerror(errno));
			return -1;
		}
		/* The test suite exercises the manual resolver for kernels without openat2. */
		c->openat2_ok = getenv("TRIAGE_TEST_NO_OPENAT2") == NULL && probe_openat2(c->rootfd);
		return 0;
	}
	c->systemd = access("/run/systemd/system", F_OK) == 0;
	if (!c->systemd) {
		c->bus_error = xstrdup("systemd is not running on this host");
		return 0;
	}
	r = sd_bus_open_system(&c->bus);
	if (r < 0) {
		c->bus_error = xasprintf("cannot connect to the system bus: %s", strerror(-r));
		c->bus = NULL;
	} else
		(void)bus_set_call_timeout(c->bus, c->profile->bus_timeout_usec);
	return 0;
}

/*
 * The host's name as a file name and the bundle's top directory: only bytes safe in both (a
 * --root tree's /etc/hostname is the customer's text: control bytes would be refused by the writer).
 */
static void
host_name(struct ctx *c, char hn[static 256])
{
	snprintf(hn, 256, "localhost");
	if (c->opt->root) {
		_cleanup_free_ char *h = NULL;
		size_t len;

		if (ctx_read_file(c, "/etc/hostname", 256, &h, &len) == 0 && len > 0) {
			h[strcspn(h, "\n \t")] = '\0';
			if (*h)
				snprintf(hn, 256, "%s", h);
		}
	} else
		gethostname(hn, 255);
	for (char *p = hn; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '.' || *p == '-' || *p == '_'))
			*p = '_';
	if (strcmp(hn, ".") == 0 || strcmp(hn, "..") == 0)
		hn[0] = '_';
}

/*
 * Where the bundle goes: r->output (-o, a folder, '-', a device, or the default
 * triage-HOST-STAMP.tar.gz), r->dest, and its top directory r->topdir.  0 or -1.
 */
static int
name_bundle(struct run *r)
{
	_cleanup_free_ char *err = NULL;
	char hn[256], stamp[32];
	time_t t = (time_t)(r->now / USEC_PER_SEC);
	struct tm tm;
	const char *b;
	size_t bl;
	int k;

	host_name(&r->c, hn);
	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	r->output = xasprintf("triage-%s-%s.tar.gz", hn, stamp);
	if (!r->o.dry_run) {
		/* -o: a folder, '-', a device or pipe, an existing bundle (output.c) */
		k = output_resolve(r->o.output, r->output, r->o.force, &r->dest, &err);
		if (k < 0) {
			msg(k == -EINVAL ? MSG_BADARG : MSG_ERROR, NULL, 0, 0, "%s; no bundle written", err);
			return -1;
		}
		free(r->output);
		r->output = xstrdup(r->dest.path);
		if (r->o.analyze > 0 && r->dest.stream) {
			msg(MSG_BADARG, NULL, 0, 0, "%s", _("--analyze needs a bundle file; -o - writes it to standard output"));
			return -1;
		}
	} else if (r->o.output) {
		free(r->output);
		r->output = xstrdup(r->o.output);
	}
	b = strrchr(r->output, '/') ? strrchr(r->output, '/') + 1 : r->output;
	bl = strlen(b);
	if (bl > 7 && strcmp(b + bl - 7, ".tar.gz") == 0)
		r->topdir = xstrndup(b, bl - 7);
	else if (bl > 4 && strcmp(b + bl - 4, ".tgz") == 0)
		r->topdir = xstrndup(b, bl - 4);
	else
		r->topdir = xasprintf("triage-%s-%s", hn, stamp);
	return 0;
}

/*
 * The inputs the user named, read or checked before a bundle is opened: every --ecs-json,
 * and --log-file (a bundle without the log they meant to give would only look like an
 * answer; a FIFO is not opened here, that would take its writer's data: the reader reports
 * on it).  0 or -1.
 */
static int
check_inputs(struct ctx *c)
{
	_cleanup_free_ char *err = NULL;
	const char *lf = c->opt->log_file;
	struct stat st;
	int e = 0;

	if (c->opt->ecs_json.n > 0 && ecs_read_inputs(c, &err) < 0) {
		msg(MSG_ERROR, NULL, 0, 0, "%s; no bundle written", err);
		return -1;
	}
	if (lf == NULL || strcmp(lf, "-") == 0)
		return 0;
	if (stat(lf, &st) < 0)
		e = errno;
	else if (S_ISDIR(st.st_mode))
		e = EISDIR;
	else if (faccessat(AT_FDCWD, lf, R_OK, AT_EACCESS) < 0)
		e = errno;
	if (e != 0) {
		msg(MSG_ERROR, NULL, 0, 0, "--log-file '%s': %s; no bundle written", lf, strerror(e));
		return -1;
	}
	return 0;
}

/* Opens the bundle writer (a file renamed into place when complete, or a stream), with the run's time limit.  0 or -1. */
static int
open_bundle(struct run *r)
{
	_cleanup_free_ char *err = NULL;
	int k;

	r->c.red = redactor_new();
	redactor_set_path_check(r->c.red, ctx_path_exists, &r->c);
	bw_install_signal_cleanup();
	if (r->dest.stream)
		k = bw_open_stream(&r->c.bw, r->dest.fd, output_tmpdir(), r->topdir, &err);
	else
		k = bw_open(&r->c.bw, r->output, r->topdir, &err);
	if (k < 0) {
		msg(MSG_ERROR, r->output, 0, 0, "%s", err ? err : strerror(-k));
		return -1;
	}
	signal(SIGALRM, on_alarm);
	alarm((unsigned)(r->c.profile->run_timeout_usec / USEC_PER_SEC) + 30);
	return 0;
}

/* Every source, in order: host, then (at the host) units, configs, resolver, probes; ECS; then the log. */
static void
collect_sources(struct ctx *c)
{
	collect_host(c);
	if (!ecs_away(c->opt)) {	/* away from an ECS task, these would describe the collecting host */
		collect_units(c);
		collect_config(c);
		collect_resolver(c);
		collect_probes(c);
	}
	collect_ecs(c);
	ctx_release(c);	/* every config value is known: the held files are scrubbed and written */
	if (c->opt->log_file)
		collect_logfile(c);
	else if (!ecs_away(c->opt))
		collect_journal(c);
}

/* The manifest's "tool", "collected_at" and "collection" (how this run was asked to collect). */
static void
describe_run(struct run *r)
{
	struct ctx *c = &r->c;
	struct strv *units = r->o.units.n ? &r->o.units : &c->profile->units;
	json_t *m = bw_manifest(c->bw), *tool = json_object(), *coll = json_object(), *ua = json_array();
	char tbuf[RFC3339_MAX];

	json_object_set_new(tool, "name", json_string("triage-collect"));
	json_object_set_new(tool, "version", json_string(TRIAGE_VERSION));
	json_object_set_new(m, "tool", tool);
	if (!json_is_string(json_object_get(m, "collected_at")))
		json_object_set_new(m, "collected_at", json_string(time_rfc3339(r->now, false, tbuf)));

	json_object_set_new(coll, "since", c->since_usec ? json_string(time_rfc3339(c->since_usec, false, tbuf)) :
	    json_null());
	json_object_set_new(coll, "until", c->until_usec ? json_string(time_rfc3339(c->until_usec, false, tbuf)) :
	    json_null());
	for (size_t i = 0; i < units->n; i++)
		json_array_append_new(ua, json_string(units->v[i]));
	json_object_set_new(coll, "units", ua);
	json_object_set_new(coll, "profile", json_string(c->profile->name));
	json_object_set_new(coll, "root", r->o.root ? json_string(r->o.root) : json_null());
	json_object_set_new(coll, "journal_dir", r->o.journal_dir ? json_string(r->o.journal_dir) : json_null());
	json_object_set_new(coll, "log_file", json_boolean(r->o.log_file != NULL));
	json_object_set_new(coll, "max_size", json_integer((json_int_t)c->max_size));
	json_object_set_new(coll, "uid", json_integer((json_int_t)geteuid()));
	json_object_set_new(coll, "seconds", json_real((double)(mono_usec() - c->start_usec) / 1e6));
	json_object_set_new(m, "collection", coll);
	ecs_scopes(c);
}

/* Compresses and writes the bundle (renamed into place when complete); *size its bytes.  0 or -1. */
static int
write_bundle(struct run *r, uint64_t *size)
{
	_cleanup_free_ char *err = NULL;
	int k;

	ctx_verbose(&r->c, "writing the bundle (%" PRIu64 " bytes before compression)", bw_bytes(r->c.bw));
	k = bw_commit(r->c.bw, size, &err);
	ctx_verbose(&r->c, "written: %" PRIu64 " bytes", *size);
	alarm(0);
	if (k < 0) {
		msg(MSG_ERROR, r->output, 0, 0, "%s", err ? err : strerror(-k));
		return -1;
	}
	return 0;
}

/* Frees what a run holds (any part may be unset). */
static void
run_free(struct run *r)
{
	struct ctx *c = &r->c;

	bw_free(c->bw);
	output_done(&r->dest);
	redactor_free(c->red);
	if (c->bus)
		sd_bus_flush_close_unref(c->bus);
	free(c->bus_error);
	json_decref(c->probe_targets);
	if (c->rootfd >= 0)
		close(c->rootfd);
	profile_free(c->profile);
	strv_free(&r->o.units);
	strv_free(&r->o.ecs_json);
	ecs_free(c);
	strv_free(&c->problems);
	strv_free(&c->envfiles);
	free(r->output);
	free(r->topdir);
	free(r->analyzer);
}

/* The steps of a run; the worst message said along the way is the exit status (exit_status()). */
static void
run_steps(struct run *r, int argc, char *argv[])
{
	struct ctx *c = &r->c;
	_cleanup_free_ char *err = NULL;
	uint64_t size = 0;
	int k;

	k = parse_options(argc, argv, &r->o);
	if (k <= 0 || check_options(&r->o) < 0 || find_analyzer(&r->o, &r->analyzer) < 0)
		return;
	if (check_journal_dir(r->o.journal_dir) < 0 || load_profile(&r->o, &c->profile) < 0)
		return;
	c->max_size = r->o.max_size ? r->o.max_size : c->profile->max_size;
	c->start_usec = mono_usec();
	c->deadline_usec = c->start_usec + c->profile->run_timeout_usec;
	c->tty = isatty(STDERR_FILENO);
	c->probe_targets = json_array();
	if (open_system(c) < 0)
		return;
	/* The journal window: relative times resolved, empty and reversed windows refused. */
	if (!r->o.log_file && window_resolve(c, &err) < 0) {
		msg(MSG_BADARG, NULL, 0, 0, "%s", err);
		return;
	}
	if (name_bundle(r) < 0 || check_inputs(c) < 0)
		return;
	if (r->o.dry_run) {
		dry_run(c, r->output);
		printf("afterwards: %s%s\n", r->analyzer ? r->analyzer : "no analysis", r->analyzer ?
		    " -f text (its findings, on stderr)" : r->o.analyze < 0 ? " (--no-analyze)" :
		    " (no triage-analyze beside this program or on PATH)");
		return;
	}
	if (open_bundle(r) < 0)
		return;
	collect_sources(c);
	describe_run(r);
	if (write_bundle(r, &size) < 0)
		return;
	if (r->o.verbosity >= 0)
		summary(c, r->dest.is_stdout ? "standard output" : r->output, size);
	if (r->analyzer != NULL && !r->dest.stream)
		(void)selfcheck_run(r->analyzer, r->output);
}

int
main(int argc, char *argv[])
{
	struct run r = { .c = { .rootfd = -1 }, .dest = { .fd = -1 }, .now = time_now_usec() };

	r.c.opt = &r.o;
	msg_init(PROG);
	lang_set(lang_from_env());
	run_steps(&r, argc, argv);
	run_free(&r);
	return exit_status();
}
