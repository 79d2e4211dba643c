/* main.c: triage-analyze's command line: rules in, bundle in, one report out (exit 0, 1 or 2). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyze.h"
#include "cleanup.h"
#include "msg.h"

static volatile sig_atomic_t have_tmp;
static char tmp_path[4096];

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: triage-analyze [OPTIONS] BUNDLE\n"
	    "       triage-analyze --baseline OLD [OPTIONS] NEW\n"
	    "       triage-analyze --summary [-j N] [OPTIONS] INPUT...\n"
	    "       triage-analyze --check-rules [-r RULES]...\n"
	    "       triage-analyze --list-rules [-r RULES]...\n"
	    "\n"
	    "BUNDLE is a .tar.gz made by triage-collect (or the .tar in it), a folder extracted from one,\n"
	    "or '-' for a bundle on standard input.\n"
	    "\n"
	    "  -r, --rules PATH     rules file or folder, repeatable, added to the built-in rules\n"
	    "                       (a rule with a built-in's id replaces it)\n"
	    "      --no-builtin-rules  only the rules given with -r\n"
	    "      --suppress FILE  expected findings (rule, host, match, reason, expires), repeatable\n"
	    "      --baseline OLD   compare with an earlier bundle of the same host (--force: any host)\n"
	    "      --summary        one overview of many bundles, folders of bundles or JSON reports;\n"
	    "                       -f csv too; -j N bundles at a time (default: the CPUs)\n"
	    "  -f, --format FORMAT  markdown (default), html, json, text (for a terminal)\n"
	    "      --color WHEN     colour in the text report: auto (default: on a terminal,\n"
	    "                       unless NO_COLOR is set), always, never\n"
	    "      --lang en|zh     report language (default from LC_ALL, LC_MESSAGES, LANG)\n"
	    "  -o, --output PATH    write the report there (atomically) instead of stdout\n"
	    "      --fail-on LEVEL  exit 1 on a finding at LEVEL or above: critical, error (default),\n"
	    "                       warning, info, none\n"
	    "      --check-rules    validate the rules and run their examples; no bundle needed\n"
	    "      --list-rules     list rule ids, severities and titles\n"
	    "  -q, --quiet          print nothing but errors\n"
	    "      --version        print the version\n"
	    "  -h, --help           print this help\n"
	    "\n"
	    "Exit status: 0 no finding at or above --fail-on, 1 at least one, 2 bad input or usage.\n");
}

static void
on_signal(int sig)
{
	if (have_tmp)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Writes the report to path through a temporary file in the same folder, then renames it. */
static int
write_atomic(const char *path, const struct report_format *fmt, const struct report_view *v, char **why)
{
	_cleanup_free_ char *d = xstrdup(path), *b = xstrdup(path);
	const char *dir = dirname(d), *base = basename(b);
	mode_t um;
	FILE *f;
	int fd, r;

	if ((size_t)snprintf(tmp_path, sizeof(tmp_path), "%s/.%s.XXXXXX", dir, base) >= sizeof(tmp_path)) {
		*why = xstrdup("path too long");
		return -ENAMETOOLONG;
	}
	fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd < 0) {
		*why = xasprintf("cannot create a file in '%s': %s", dir, strerror(errno));
		return -errno;
	}
	have_tmp = 1;
	um = umask(0);
	umask(um);
	(void)fchmod(fd, 0644 & ~um);
	f = fdopen(fd, "we");
	if (f == NULL) {
		r = -errno;
		close(fd);
		goto fail;
	}
	r = fmt->write(f, v);
	if (r == 0 && (fflush(f) != 0 || ferror(f)))
		r = -errno ? -errno : -EIO;
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	if (r < 0)
		goto fail;
	if (rename(tmp_path, path) < 0) {
		r = -errno;
		goto fail;
	}
	have_tmp = 0;
	return 0;
fail:
	unlink(tmp_path);
	have_tmp = 0;
	*why = xasprintf("cannot write: %s", strerror(-r));
	return r;
}

/* -o names an input (the bundle, the baseline): writing there would replace what was read. */
static bool
output_is_input(const char *output, const char *input)
{
	struct stat o, i;

	return output != NULL && input != NULL && strcmp(input, "-") != 0 && stat(output, &o) == 0 &&
	    S_ISREG(o.st_mode) && stat(input, &i) == 0 && o.st_dev == i.st_dev && o.st_ino == i.st_ino;
}

static void
list_rules(const struct ruleset *rs)
{
	static const char *const engine_ids[] = { "bundle-integrity-failed", "bundle-contains-secret" };
	size_t i;

	for (i = 0; i < rs->n; i++)
		printf("%-38s %-9s %s\n", rs->rules[i]->id, severity_name(rs->rules[i]->severity), rule_title(rs->rules[i]));
	for (i = 0; i < ELEMENTSOF(engine_ids); i++) {
		const struct rule *r = engine_rule(engine_ids[i]);

		printf("%-38s %-9s %s (engine)\n", r->id, severity_name(r->severity), rule_title(r));
	}
}

/* What the command line asks for. */
struct opts {
	const char **rules;		/* -r, in order */
	size_t	 n_rules;
	const char **supp;		/* --suppress files */
	size_t	 n_supp;
	const char *output;		/* -o, or NULL for stdout */
	const char *baseline;		/* --baseline OLD, or NULL */
	const char *fmt_name;		/* -f as given ("csv" only with --summary) */
	const struct report_format *fmt; /* the report's format */
	bool	 fmt_given;		/* -f given: -o's extension does not choose */
	long	 jobs;			/* --summary -j, 0: the CPUs */
	int	 fail_on;		/* enum severity, or SEV_NONE */
	bool	 check, list, builtin, force, summary, quiet;
	char	**args;			/* the operands (BUNDLE, INPUT...) */
	size_t	 n_args;
};

/* The exit status: 2 once an error was said (msg_worst()), else 1 for a finding at fail_on or above, else 0. */
static int
exit_status(const struct analysis *a, int fail_on)
{
	if (msg_worst() >= MSG_ERROR)
		return EXIT_BAD;
	if (a != NULL && fail_on != SEV_NONE && analysis_worst(a) <= (enum severity)fail_on)
		return EXIT_FINDINGS;
	return 0;
}

/* --color WHEN; -EINVAL for another word. */
static int
color_parse(const char *s)
{
	if (strcmp(s, "auto") == 0)
		return COLOR_AUTO;
	if (strcmp(s, "always") == 0)
		return COLOR_ALWAYS;
	if (strcmp(s, "never") == 0)
		return COLOR_NEVER;
	return -EINVAL;
}

/* -j N: 1 to 1024 workers; -EINVAL for anything else. */
static long
jobs_parse(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || n < 1 || n > 1024)
		return -EINVAL;
	return n;
}

/* The options (usage() describes them); the long ones without a short one are numbered from 0x100. */
enum {
	OPT_FAIL_ON = 0x100, OPT_CHECK, OPT_LIST, OPT_VERSION, OPT_LANG, OPT_COLOR, OPT_NO_BUILTIN,
	OPT_SUPPRESS, OPT_BASELINE, OPT_FORCE, OPT_SUMMARY,
};
static const struct option long_options[] = {
	{ "rules", required_argument, NULL, 'r' },
	{ "no-builtin-rules", no_argument, NULL, OPT_NO_BUILTIN },
	{ "suppress", required_argument, NULL, OPT_SUPPRESS },
	{ "baseline", required_argument, NULL, OPT_BASELINE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "jobs", required_argument, NULL, 'j' },
	{ "format", required_argument, NULL, 'f' },
	{ "output", required_argument, NULL, 'o' },
	{ "fail-on", required_argument, NULL, OPT_FAIL_ON },
	{ "color", required_argument, NULL, OPT_COLOR },
	{ "check-rules", no_argument, NULL, OPT_CHECK },
	{ "list-rules", no_argument, NULL, OPT_LIST },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "lang", required_argument, NULL, OPT_LANG },
	{ NULL, 0, NULL, 0 },
};

/* Reads the options into o.  0: go on; 1: done (--help, --version); -EINVAL: said why. */
static int
parse_options(int argc, char *argv[], struct opts *o)
{
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:f:o:j:qh", long_options, NULL)) != -1) {
		switch (c) {
		case 'r':
			o->rules = xreallocarray(o->rules, o->n_rules + 1, sizeof(*o->rules));
			o->rules[o->n_rules++] = optarg;
			break;
		case 'f':
			o->fmt_name = optarg;
			if (strcmp(optarg, "csv") == 0)
				break;	/* --summary only: checked below */
			if ((o->fmt = report_format_find(optarg)) == NULL) {
				msg(MSG_BADARG, NULL, 0, 0, "--format: unknown format '%s' (markdown, html, json, text)", optarg);
				return -EINVAL;
			}
			o->fmt_given = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case OPT_FAIL_ON:
			if ((o->fail_on = severity_parse(optarg, true)) < 0) {
				msg(MSG_BADARG, NULL, 0, 0, "--fail-on: unknown level '%s' (critical, error, warning, info, none)",
				    optarg);
				return -EINVAL;
			}
			break;
		case OPT_LANG:
			if ((c = lang_parse(optarg)) < 0) {
				msg(MSG_BADARG, NULL, 0, 0, "--lang: unknown language '%s' (en, zh)", optarg);
				return -EINVAL;
			}
			lang_set((enum lang)c);
			break;
		case OPT_COLOR:
			if ((c = color_parse(optarg)) < 0) {
				msg(MSG_BADARG, NULL, 0, 0, "--color: unknown value '%s' (auto, always, never)", optarg);
				return -EINVAL;
			}
			report_color = (enum report_color)c;
			break;
		case OPT_NO_BUILTIN:
			o->builtin = false;
			break;
		case OPT_SUPPRESS:
			o->supp = xreallocarray(o->supp, o->n_supp + 1, sizeof(*o->supp));
			o->supp[o->n_supp++] = optarg;
			break;
		case OPT_BASELINE:
			o->baseline = optarg;
			break;
		case OPT_FORCE:
			o->force = true;
			break;
		case OPT_SUMMARY:
			o->summary = true;
			break;
		case 'j':
			if ((o->jobs = jobs_parse(optarg)) < 0) {
				msg(MSG_BADARG, NULL, 0, 0, "-j: '%s' is not a number of jobs (1 to 1024)", optarg);
				return -EINVAL;
			}
			break;
		case OPT_CHECK:
			o->check = true;
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case OPT_VERSION:
			printf("triage-analyze %s\n", TRIAGE_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			msg(MSG_BADARG, NULL, 0, 0, "option '%s' needs an argument", argv[optind - 1]);
			return -EINVAL;
		default:
			if (optopt != 0)
				msg(MSG_BADARG, NULL, 0, 0, "unknown option '-%c'", optopt);
			else
				msg(MSG_BADARG, NULL, 0, 0, "unknown option '%s'", argv[optind - 1]);
			usage(stderr);
			return -EINVAL;
		}
	}
	o->args = argv + optind;
	o->n_args = (size_t)(argc - optind);
	return 0;
}

/* Options that do not go together, operands missing or too many, -o naming an input.  0, or -EINVAL: said why. */
static int
check_usage(const struct opts *o)
{
	bool report = !o->summary && !o->check && !o->list;

	if (o->summary && (o->check || o->list || o->baseline)) {
		msg(MSG_BADARG, NULL, 0, 0, "--summary does not go with --check-rules, --list-rules or --baseline");
		return -EINVAL;
	}
	if (strcmp(o->fmt_name, "csv") == 0 && !o->summary) {
		msg(MSG_BADARG, NULL, 0, 0, "--format: csv is for --summary (markdown, html, json)");
		return -EINVAL;
	}
	if (o->summary && o->n_args == 0) {
		msg(MSG_BADARG, NULL, 0, 0, "--summary: no INPUT given");
		usage(stderr);
		return -EINVAL;
	}
	if (report && o->n_args != 1) {
		msg(MSG_BADARG, NULL, 0, 0, "%s", o->n_args == 0 ? "no BUNDLE given" : "give exactly one BUNDLE");
		usage(stderr);
		return -EINVAL;
	}
	if (report && (output_is_input(o->output, o->args[0]) || output_is_input(o->output, o->baseline))) {
		msg(MSG_BADARG, NULL, 0, 0, "-o %s: is the %s being read; write the report to another file", o->output,
		    output_is_input(o->output, o->args[0]) ? "bundle" : "baseline");
		return -EINVAL;
	}
	if ((o->check || o->list) && o->n_args != 0) {
		msg(MSG_BADARG, NULL, 0, 0, "--check-rules and --list-rules take no BUNDLE");
		return -EINVAL;
	}
	return 0;
}

/*
 * The built-in rules (unless --no-builtin-rules) and every -r, checked as one
 * set.  Returns the ruleset (free with ruleset_free()) and in *r 0 or the
 * first error; problems are in rs->diags.  NULL when -r is needed and missing.
 */
static struct ruleset *
load_rules(const struct opts *o, int *r)
{
	struct ruleset *rs = ruleset_new();
	size_t i;

	*r = 0;
	if (o->builtin)
		*r = rules_load_builtin(rs);
	for (i = 0; i < o->n_rules; i++) {
		int q = rules_load_path(rs, o->rules[i]);

		if (q < 0 && *r == 0)
			*r = q;
	}
	if (!o->builtin && o->n_rules == 0) {
		msg(MSG_BADARG, NULL, 0, 0, "--no-builtin-rules needs rules given with -r");
		ruleset_free(rs);
		return NULL;
	}
	if (rules_finish(rs) < 0 && *r == 0)
		*r = -EINVAL;
	return rs;
}

/* --check-rules: every problem of the rules ("FILE:LINE:COLUMN: message", one a line) and their examples. */
static int
check_rules(struct ruleset *rs, int r, bool quiet)
{
	unsigned n_examples = 0, failed = rules_check_examples(rs, &n_examples);
	size_t i;

	/* The listing is for editors ("FILE:LINE:COLUMN: message", as compilers write it); each is an error. */
	for (i = 0; i < rs->n_diags; i++) {
		fprintf(stderr, "%s\n", rs->diags[i]);
		msg_count(MSG_ERROR);
	}
	if (rs->n_diags > 0 || r < 0 || failed > 0) {
		msg(MSG_ERROR, NULL, 0, 0, "%zu %s in the rules", rs->n_diags, rs->n_diags == 1 ? "problem" : "problems");
		return exit_status(NULL, SEV_NONE);
	}
	if (!quiet)
		printf("%zu rules, %u examples: all pass\n", rs->n, n_examples);
	return exit_status(NULL, SEV_NONE);
}

/* Rules that do not load stop a report: the first problem, and how many more --check-rules lists. */
static void
say_rules_invalid(const struct ruleset *rs)
{
	if (rs->n_diags > 1)
		msg(MSG_ERROR, NULL, 0, 0, "%s (and %zu more %s: run --check-rules)", rs->diags[0], rs->n_diags - 1,
		    rs->n_diags == 2 ? "problem" : "problems");
	else
		msg(MSG_ERROR, NULL, 0, 0, "%s", rs->n_diags > 0 ? rs->diags[0] : "invalid rules");
}

/* Every --suppress file, for rules rs.  NULL when none is given; *ok false when one is bad (said). */
static struct suppressions *
load_suppressions(const struct opts *o, const struct ruleset *rs, bool *ok)
{
	struct suppressions *sup;
	size_t i;

	*ok = true;
	if (o->n_supp == 0)
		return NULL;
	sup = suppressions_new();
	for (i = 0; i < o->n_supp; i++)
		if (suppressions_load(sup, rs, o->supp[i]) < 0) {
			*ok = false;
			suppressions_free(sup);
			return NULL;
		}
	return sup;
}

/* --summary's format: -f, else what -o's name implies (queue.html, .json, .md, .csv), else markdown. */
static const char *
summary_format(const struct opts *o)
{
	if (o->output != NULL && !o->fmt_given && strcmp(o->fmt_name, "csv") != 0) {
		const char *dot = strrchr(o->output, '.');
		const struct report_format *f = report_format_for_path(o->output, NULL);

		if (dot != NULL && strchr(dot, '/') == NULL && strcasecmp(dot, ".csv") == 0)
			return "csv";
		if (f != NULL && strcmp(f->name, "text") != 0)
			return f->name;
	}
	return o->fmt_name;
}

/* Writes the report of v to -o (a pipe or device into, a file atomically) or stdout.  0, or <0 said. */
static int
write_report(const struct opts *o, const struct report_view *v)
{
	const struct report_format *fmt = o->fmt;
	char *why = NULL;
	int r;

	if (o->output == NULL) {
		r = fmt->write(stdout, v);
		if (r == 0 && (fflush(stdout) != 0 || ferror(stdout)))
			r = errno ? -errno : -EIO;
		if (r < 0)
			msg(MSG_ERROR, "stdout", 0, 0, "cannot write the report: %s", strerror(-r));
		return r;
	}
	if (!o->fmt_given)
		fmt = report_format_for_path(o->output, fmt);	/* -o report.html writes HTML */
	r = report_output_special(o->output, fmt, v, &why);
	if (r == 0)
		r = write_atomic(o->output, fmt, v, &why);
	if (r < 0)
		msg(MSG_ERROR, o->output, 0, 0, "%s", why);
	free(why);
	return r;
}

/* One bundle: load, evaluate, suppress, compare with --baseline, write the report.  Returns the exit status. */
static int
analyze_bundle(const struct opts *o, const struct ruleset *rs, const struct suppressions *sup)
{
	const char *path = o->args[0];
	struct model *m = NULL;
	struct analysis *a;
	struct baseline *bl = NULL;
	char *why = NULL, today[11];
	int r, status;

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	r = load_bundle(path, rs, &m, &why);
	if (r < 0) {
		msg(MSG_ERROR, path, 0, 0, "%s", why ? why : strerror(-r));
		free(why);
		return exit_status(NULL, SEV_NONE);
	}
	a = evaluate(rs, m);
	suppress_today(today);
	suppressions_apply(sup, rs, a, today);
	if (o->baseline == NULL || baseline_load(o->baseline, rs, sup, today, o->force, a, &bl) == 0) {
		struct report_view *v = report_view_new(a);

		(void)write_report(o, v);
		report_view_free(v);
	}
	status = exit_status(a, o->fail_on);
	analysis_free(a);
	baseline_free(bl);
	model_free(m);
	return status;
}

int
main(int argc, char *argv[])
{
	struct opts o = { .fmt_name = "markdown", .fmt = &report_formats[0], .fail_on = SEV_ERROR, .builtin = true };
	struct suppressions *sup;
	struct ruleset *rs;
	int r, status;
	bool ok;

	msg_init("triage-analyze");
	lang_set(lang_from_env());
	if ((r = parse_options(argc, argv, &o)) != 0 || check_usage(&o) < 0) {
		free(o.rules);
		free(o.supp);
		return r > 0 ? 0 : EXIT_BAD;
	}
	rs = load_rules(&o, &r);
	free(o.rules);
	if (rs == NULL) {
		free(o.supp);
		return exit_status(NULL, SEV_NONE);
	}
	if (o.check) {
		status = check_rules(rs, r, o.quiet);
		free(o.supp);
		ruleset_free(rs);
		return status;
	}
	if (r < 0 || rs->n_diags > 0) {
		say_rules_invalid(rs);
		free(o.supp);
		ruleset_free(rs);
		return exit_status(NULL, SEV_NONE);
	}
	if (o.list) {
		list_rules(rs);
		if (fflush(stdout) != 0 || ferror(stdout))
			msg(MSG_ERROR, "stdout", 0, 0, "cannot write the list of rules: %s", strerror(errno ? errno : EIO));
		free(o.supp);
		ruleset_free(rs);
		return exit_status(NULL, SEV_NONE);
	}
	sup = load_suppressions(&o, rs, &ok);
	free(o.supp);
	if (!ok)
		status = exit_status(NULL, SEV_NONE);
	else if (o.summary)
		status = summary_run(rs, sup, summary_format(&o), o.output, o.fail_on, (unsigned)o.jobs, o.quiet,
		    (const char *const *)o.args, o.n_args);
	else
		status = analyze_bundle(&o, rs, sup);
	suppressions_free(sup);
	ruleset_free(rs);
	return status;
}
