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

#define EXIT_FINDINGS	1
#define EXIT_BAD	2

static const char *prog = "triage-analyze";
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
write_atomic(const char *path, const struct report_format *fmt, const struct analysis *a, char **why)
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
		*why = xasprintf("cannot create a file in %s: %s", dir, strerror(errno));
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
	r = fmt->write(f, a);
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

int
main(int argc, char *argv[])
{
	enum { OPT_FAIL_ON = 0x100, OPT_CHECK, OPT_LIST, OPT_VERSION, OPT_LANG, OPT_COLOR, OPT_NO_BUILTIN,
		OPT_SUPPRESS, OPT_BASELINE, OPT_FORCE, OPT_SUMMARY };
	static const struct option opts[] = {
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
	const char **rules = NULL, *output = NULL, **supp = NULL, *baseline = NULL, *fmt_name = "markdown";
	struct suppressions *sup = NULL;
	size_t n_supp = 0;
	long jobs = 0;
	const struct report_format *fmt = &report_formats[0];
	size_t n_rules = 0, i;
	int c, fail_on = SEV_ERROR, r, status;
	bool check = false, list = false, builtin = true, force = false, summary = false, quiet = false, fmt_given = false;
	struct ruleset *rs;
	struct model *m = NULL;
	struct analysis *a;
	struct baseline *bl = NULL;
	char *errmsg = NULL;

	lang_set(lang_from_env());
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":r:f:o:j:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rules = xreallocarray(rules, n_rules + 1, sizeof(*rules));
			rules[n_rules++] = optarg;
			break;
		case 'f':
			fmt_name = optarg;
			if (strcmp(optarg, "csv") == 0)
				break;	/* --summary only: checked below */
			if ((fmt = report_format_find(optarg)) == NULL) {
				fprintf(stderr, "%s: --format: unknown format '%s' (markdown, html, json, text)\n", prog, optarg);
				return EXIT_BAD;
			}
			fmt_given = true;
			break;
		case 'o':
			output = optarg;
			break;
		case OPT_FAIL_ON:
			if ((fail_on = severity_parse(optarg, true)) < 0) {
				fprintf(stderr, "%s: --fail-on: unknown level '%s' (critical, error, warning, info, none)\n",
				    prog, optarg);
				return EXIT_BAD;
			}
			break;
		case OPT_LANG:
			if ((c = lang_parse(optarg)) < 0) {
				fprintf(stderr, "%s: --lang: unknown language '%s' (en, zh)\n", prog, optarg);
				return EXIT_BAD;
			}
			lang_set((enum lang)c);
			break;
		case OPT_COLOR:
			if (strcmp(optarg, "auto") == 0)
				report_color = COLOR_AUTO;
			else if (strcmp(optarg, "always") == 0)
				report_color = COLOR_ALWAYS;
			else if (strcmp(optarg, "never") == 0)
				report_color = COLOR_NEVER;
			else {
				fprintf(stderr, "%s: --color: unknown value '%s' (auto, always, never)\n", prog, optarg);
				return EXIT_BAD;
			}
			break;
		case OPT_NO_BUILTIN:
			builtin = false;
			break;
		case OPT_SUPPRESS:
			supp = xreallocarray(supp, n_supp + 1, sizeof(*supp));
			supp[n_supp++] = optarg;
			break;
		case OPT_BASELINE:
			baseline = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_SUMMARY:
			summary = true;
			break;
		case 'j': {
			char *end;

			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno != 0 || *end != '\0' || end == optarg || jobs < 1 || jobs > 1024) {
				fprintf(stderr, "%s: -j: '%s' is not a number of jobs (1 to 1024)\n", prog, optarg);
				return EXIT_BAD;
			}
			break;
		}
		case OPT_CHECK:
			check = true;
			break;
		case OPT_LIST:
			list = true;
			break;
		case 'q':
			quiet = true;
			break;
		case OPT_VERSION:
			printf("triage-analyze %s\n", TRIAGE_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			fprintf(stderr, "%s: option '%s' needs an argument\n", prog, argv[optind - 1]);
			return EXIT_BAD;
		default:
			if (optopt != 0)
				fprintf(stderr, "%s: unknown option '-%c'\n", prog, optopt);
			else
				fprintf(stderr, "%s: unknown option '%s'\n", prog, argv[optind - 1]);
			usage(stderr);
			return EXIT_BAD;
		}
	}
	if (summary && (check || list || baseline)) {
		fprintf(stderr, "%s: --summary does not go with --check-rules, --list-rules or --baseline\n", prog);
		return EXIT_BAD;
	}
	if (strcmp(fmt_name, "csv") == 0 && !summary) {
		fprintf(stderr, "%s: --format: csv is for --summary (markdown, html, json)\n", prog);
		return EXIT_BAD;
	}
	if (summary && argc - optind == 0) {
		fprintf(stderr, "%s: --summary: no INPUT given\n", prog);
		usage(stderr);
		return EXIT_BAD;
	}
	if (!summary && !check && !list && argc - optind != 1) {
		fprintf(stderr, "%s: %s\n", prog, argc - optind == 0 ? "no BUNDLE given" : "give exactly one BUNDLE");
		usage(stderr);
		return EXIT_BAD;
	}
	if (!summary && !check && !list && (output_is_input(output, argv[optind]) || output_is_input(output, baseline))) {
		fprintf(stderr, "%s: -o %s: is the %s being read; write the report to another file\n", prog, output,
		    output_is_input(output, argv[optind]) ? "bundle" : "baseline");
		return EXIT_BAD;
	}
	if ((check || list) && argc - optind != 0) {
		fprintf(stderr, "%s: --check-rules and --list-rules take no BUNDLE\n", prog);
		return EXIT_BAD;
	}

	rs = ruleset_new();
	r = 0;
	if (builtin)
		r = rules_load_builtin(rs);
	for (i = 0; i < n_rules; i++) {
		int q = rules_load_path(rs, rules[i]);

		if (q < 0 && r == 0)
			r = q;
	}
	free(rules);
	if (!builtin && n_rules == 0) {
		fprintf(stderr, "%s: --no-builtin-rules needs rules given with -r\n", prog);
		ruleset_free(rs);
		return EXIT_BAD;
	}
	if (rules_finish(rs) < 0 && r == 0)
		r = -EINVAL;
	if (check) {
		unsigned n_examples = 0, failed = rules_check_examples(rs, &n_examples);

		for (i = 0; i < rs->n_diags; i++)
			fprintf(stderr, "%s\n", rs->diags[i]);
		if (rs->n_diags > 0 || r < 0 || failed > 0) {
			fprintf(stderr, "%s: %zu %s in the rules\n", prog, rs->n_diags,
			    rs->n_diags == 1 ? "problem" : "problems");
			ruleset_free(rs);
			return EXIT_BAD;
		}
		if (!quiet)
			printf("%zu rules, %u examples: all pass\n", rs->n, n_examples);
		ruleset_free(rs);
		return 0;
	}
	if (r < 0 || rs->n_diags > 0) {
		fprintf(stderr, "%s: %s", prog, rs->n_diags > 0 ? rs->diags[0] : "invalid rules");
		if (rs->n_diags > 1)
			fprintf(stderr, " (and %zu more problems: run --check-rules)", rs->n_diags - 1);
		fputc('\n', stderr);
		ruleset_free(rs);
		return EXIT_BAD;
	}
	if (list) {
		list_rules(rs);
		ruleset_free(rs);
		return fflush(stdout) == 0 ? 0 : EXIT_BAD;
	}
	if (n_supp > 0) {
		sup = suppressions_new();
		for (i = 0; i < n_supp; i++)
			if (suppressions_load(sup, rs, supp[i], &errmsg) < 0) {
				fprintf(stderr, "%s: %s\n", prog, errmsg);
				free(errmsg);
				free(supp);
				suppressions_free(sup);
				ruleset_free(rs);
				return EXIT_BAD;
			}
	}
	free(supp);
	if (summary) {
		if (output != NULL && !fmt_given && strcmp(fmt_name, "csv") != 0) {
			/* -o queue.html / .json / .md / .csv without -f: the format follows the name, as for a report */
			const char *dot = strrchr(output, '.');
			const struct report_format *f = report_format_for_path(output, NULL);

			if (dot != NULL && strchr(dot, '/') == NULL && strcasecmp(dot, ".csv") == 0)
				fmt_name = "csv";
			else if (f != NULL && strcmp(f->name, "text") != 0)
				fmt_name = f->name;
		}
		status = summary_run(rs, sup, fmt_name, output, fail_on, (unsigned)jobs, quiet,
		    (const char *const *)argv + optind, (size_t)(argc - optind));
		suppressions_free(sup);
		ruleset_free(rs);
		return status;
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);

	r = load_bundle(argv[optind], rs, &m, &errmsg);
	if (r < 0) {
		fprintf(stderr, "%s: %s: %s\n", prog, argv[optind], errmsg ? errmsg : strerror(-r));
		free(errmsg);
		ruleset_free(rs);
		return EXIT_BAD;
	}
	a = evaluate(rs, m);
	{
		char today[11];

		suppress_today(today);
		suppressions_apply(sup, rs, a, today);
		if (baseline != NULL && (r = baseline_load(baseline, rs, sup, today, force, a, &bl, &errmsg)) < 0) {
			fprintf(stderr, "%s: %s\n", prog, errmsg);
			free(errmsg);
			analysis_free(a);
			model_free(m);
			suppressions_free(sup);
			ruleset_free(rs);
			return EXIT_BAD;
		}
	}
	if (output != NULL) {
		if (!fmt_given)
			fmt = report_format_for_path(output, fmt);	/* -o report.html writes HTML */
		r = report_output_special(output, fmt, a, &errmsg);
		if (r == 0)
			r = write_atomic(output, fmt, a, &errmsg);
		if (r < 0)
			fprintf(stderr, "%s: %s: %s\n", prog, output, errmsg);
	} else {
		r = fmt->write(stdout, a);
		if (r == 0 && (fflush(stdout) != 0 || ferror(stdout)))
			r = errno ? -errno : -EIO;
		if (r < 0)
			fprintf(stderr, "%s: stdout: cannot write the report: %s\n", prog, strerror(-r));
	}
	free(errmsg);
	if (r < 0)
		status = EXIT_BAD;
	else if (fail_on != SEV_NONE && analysis_worst(a) <= (enum severity)fail_on)
		status = EXIT_FINDINGS;
	else
		status = 0;
	analysis_free(a);
	baseline_free(bl);
	model_free(m);
	suppressions_free(sup);
	ruleset_free(rs);
	return status;
}
