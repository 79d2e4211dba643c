/* collect.h: triage-collect's internal interfaces: the run context, the profile and one entry point per source. */
#ifndef TRIAGE_COLLECT_H
#define TRIAGE_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/syscall.h>

#include <jansson.h>

#include "bundle.h"
#include "redact.h"
#include "timeutil.h"
#include "xalloc.h"

struct sd_bus;

/* glibc before 2.32 (Debian 11) names the syscall only as __NR_openat2. */
#if !defined(SYS_openat2) && defined(__NR_openat2)
#define SYS_openat2 __NR_openat2
/* sd_bus_set_method_call_timeout() when the host's libsystemd has it (240+), else -ENOSYS. */
int bus_set_call_timeout(struct sd_bus *, uint64_t usec);
/* sd_journal_open_files_fd(fds, n, 0) in a way libsystemd 239-247 survives (sdcompat.c). */
struct sd_journal;
int journal_open_fds(struct sd_journal **, int *fds, unsigned n);
/* sd_journal_get_seqnum() when the host's libsystemd has it (254+), else -ENOSYS. */
union sd_id128;
int journal_get_seqnum(struct sd_journal *, uint64_t *seqnum, union sd_id128 *seqnum_id);

#endif

/* A list of strings; each string and the array are owned. */
struct strv {
	char	**v;	/* entries */
	size_t	  n;	/* how many */
};

void strv_add(struct strv *, const char *);
bool strv_contains(const struct strv *, const char *);
void strv_free(struct strv *);

/* One probe the profile asks for: a host and port read from a collected config file. */
struct profile_probe {
	char	*config;	/* absolute path of the YAML file holding the endpoint */
	char	*host_key;	/* dotted key of the host, e.g. "onboardingEndpoint.host" */
	char	*port_key;	/* dotted key of the port, e.g. "onboardingEndpoint.port" */
	unsigned default_port;	/* port when the file names none (15443) */
	char	*origin;	/* what the manifest calls it, e.g. "onboardingEndpoint" */
	char	*env;		/* environment variable that may hold the same config, or NULL */
};

/* The collection profile (collect/profile-default.yaml or --profile FILE). Free with profile_free(). */
struct profile {
	char		*name;		/* "built-in" or the file's path */
	struct strv	 units;		/* units to snapshot */
	struct strv	 config_expect;	/* config files that are always expected (absent -> unavailable) */
	struct strv	 config_include;/* globs of config files to collect (wildcards in the last component) */
	struct strv	 secret_globs;	/* globs of secret files: listed as skipped, never read */
	struct strv	 secret_names;	/* fnmatch patterns on base names that are never collected */
	struct strv	 resolver;	/* resolver files and globs */
	struct strv	 env;		/* environment variables holding configs (ONBOARDING_CONFIG, ...) */
	struct profile_probe *probes;	/* endpoints to probe */
	size_t		 n_probes;	/* how many */
	uint64_t	 window_usec;	/* default journal window (24 h) */
	uint64_t	 max_size;	/* default size budget in bytes (50M) */
	uint64_t	 bus_timeout_usec;	/* each D-Bus call */
	uint64_t	 probe_timeout_usec;	/* each DNS lookup and each TCP connect */
	uint64_t	 source_timeout_usec;	/* each journal or log-file source */
	uint64_t	 run_timeout_usec;	/* the whole run */
};

/* The built-in profile, embedded by the Makefile (NUL-terminated). */
extern const char triage_builtin_profile[];

/* Parses profile YAML text; name is recorded in the manifest. 0 or -EINVAL with *errmsg (free it). */
int profile_parse(const char *text, size_t len, const char *name, struct profile **ret, char **errmsg);
void profile_free(struct profile *);

/* Parses SIZE: "20M", "1G", "500K", "12345" (bytes). 0 or -EINVAL. */
int parse_size(const char *s, uint64_t *ret);

/* Command-line options. */
struct options {
	const char	*output;	/* -o PATH or NULL for the default name */
	struct strv	 units;		/* -u NAME (empty: the profile's) */
	const char	*since;		/* --since TIME as given, or NULL */
	const char	*until;		/* --until TIME as given, or NULL */
	uint64_t	 since_usec;	/* parsed --since, 0 when not given */
	uint64_t	 until_usec;	/* parsed --until, 0 when not given */
	struct time_arg	 since_arg;	/* --since as parsed (relative forms resolve in window.c) */
	struct time_arg	 until_arg;	/* --until as parsed */
	uint64_t	 max_size;	/* --max-size bytes, 0 when not given */
	const char	*root;		/* --root DIR */
	const char	*journal_dir;	/* --journal-dir DIR */
	const char	*log_file;	/* --log-file PATH or "-" */
	const char	*profile;	/* --profile FILE */
	struct strv	 ecs_json;	/* --ecs-json FILE, repeatable ("-" for stdin) */
	const char	*ecs_cluster;	/* --ecs-cluster C */
	const char	*ecs_service;	/* --ecs-service S */
	const char	*ecs_region;	/* --ecs-region R */
	const char	*ecs_profile;	/* --ecs-profile P (an AWS CLI profile) */
	bool		 no_probe;	/* --no-probe */
	bool		 dry_run;	/* --dry-run */
	bool		 force;		/* --force: replace an existing bundle */
	int		 verbosity;	/* -1 quiet, 0 normal, 1 verbose */
	int		 analyze;	/* -1 --no-analyze, 0 when an analyzer is found, 1 --analyze */
};

/* Everything a source needs during one run. */
struct ctx {
	struct options	*opt;		/* the command line */
	struct profile	*profile;	/* what to collect */
	struct bundle_writer *bw;	/* the bundle (NULL in --dry-run) */
	struct redactor	*red;		/* this bundle's redactor */
	struct strv	 envfiles;	/* EnvironmentFile= paths of the agent's unit files (units.c; config.c reads them) */
	int		 rootfd;	/* --root DIR opened O_PATH, or -1 for the live host */
	bool		 openat2_ok;	/* the kernel supports openat2(RESOLVE_IN_ROOT) */
	struct sd_bus	*bus;		/* the system bus, or NULL */
	char		*bus_error;	/* why there is no bus */
	bool		 systemd;	/* systemd runs this host (/run/systemd/system) */
	uint64_t	 start_usec;	/* CLOCK_MONOTONIC at start */
	uint64_t	 deadline_usec;	/* CLOCK_MONOTONIC when the run must end */
	uint64_t	 max_size;	/* the budget in bytes */
	uint64_t	 since_usec;	/* journal window start (realtime) */
	uint64_t	 until_usec;	/* journal window end (realtime), inclusive */
	bool		 window_given;	/* since or until came from the command line */
	bool		 window_set;	/* since_usec/until_usec resolved and checked (window_resolve()) */
	bool		 tty;		/* stderr is a terminal: progress lines */
	unsigned	 n_ok;		/* sources ok */
	unsigned	 n_unavailable;	/* sources unavailable */
	unsigned	 n_error;	/* sources error */
	unsigned	 n_truncated;	/* sources truncated */
	json_t		*probe_targets;	/* [{"host","port","origin",...}] found while collecting configs */
	struct strv	 problems;	/* "name: status: detail" of each source that is not ok */
	struct ecs_state *ecs;		/* ECS documents read or fetched (ecs.c), or NULL */
	uint64_t	 red_values;	/* values redacted in all */
	uint64_t	 red_files;	/* files with at least one redaction */
	bool		 released;	/* ctx_release() ran: files go to the bundle at once */
	void		*held;		/* files verified before it, written by it */
	size_t		 n_held;	/* how many */
};

/*
 * Writes the files ctx_add_verified() held back (everything before it is
 * called: host, units, unit files, configs), after removing from each every
 * value redacted anywhere so far: a secret learned from a later file never
 * stays in an earlier one.  Later files are written at once.
 */
void ctx_release(struct ctx *);
/* True when an absolute path exists in the collected system (the redactor's path check). */
bool ctx_path_exists(const char *path, void *userdata);

/* Monotonic clock in usec. */
uint64_t mono_usec(void);

/* Records a source in the bundle, counts it, prints a progress line on a tty. */
void ctx_source(struct ctx *, const char *name, enum source_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints a message when -v was given. */
void ctx_verbose(struct ctx *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Adds a file's redaction counts to the manifest. */
void ctx_redactions(struct ctx *, const char *relpath, json_t *counts);
/*
 * Verifies data with redact_verify() and adds it to the bundle under relpath.
 * Returns 0, 1 when the leak check withheld it (*why set, free it), or -errno.
 */
int ctx_add_verified(struct ctx *, const char *relpath, const char *data, size_t len, char **why);

/* ---- files (rootfs.c) ---- */

/*
 * Opens an absolute path of the collected system: on the live host as is,
 * under --root inside DIR (every symlink resolved inside it).  Returns an fd or -errno.
 */
int ctx_open(struct ctx *, const char *path, int flags);
/* Reads a whole regular file (up to max bytes; more is -EFBIG). *data is NUL-terminated, free it. */
int ctx_read_file(struct ctx *, const char *path, size_t max, char **data, size_t *len);
/* Reads fd to its end (up to max bytes; more is -EFBIG). *data is NUL-terminated, free it. */
int read_fd_max(int fd, size_t max, char **data, size_t *len);
/* Reads a symlink's target (not followed), inside the tree. -EINVAL when path is not a symlink. */
int ctx_readlink(struct ctx *, const char *path, char **target);
/*
 * Expands a glob whose wildcards are in its last component ("/etc/x/ *.yaml") into
 * sorted absolute paths of regular files (after symlinks).  Returns how many or -errno.
 */
int ctx_glob(struct ctx *, const char *pattern, struct strv *out);
/* Describes an errno for a file source: "not found", "permission denied (run as root)", ... */
const char *file_errstr(int r);

/* ---- sources ---- */

/* host.json: hostname, os-release, kernel, boot id, uptime, time, NTP, systemd. */
void collect_host(struct ctx *);
/* units/<unit>.json over sd-bus, and the unit files (config/<path>). */
void collect_units(struct ctx *);
/* Config files of the profile, secret files listed as skipped, env configs. */
void collect_config(struct ctx *);
/* resolver/ files and resolved's live state. */
void collect_resolver(struct ctx *);
/* resolver/probes.json: DNS and TCP probes of the endpoints. */
void collect_probes(struct ctx *);
/* journal/<unit>.jsonl for each unit from sd-journal. */
void collect_journal(struct ctx *);
/* The newest entry's time among the units' entries in the run's journal, or 0. */
uint64_t journal_newest(struct ctx *);

/* ---- command-line values (args.c) ---- */

/*
 * Checks a unit name as systemd spells them; a name without a known type gets
 * ".service" (as systemctl does).  0 and *out (free it), or -EINVAL and *why.
 */
int unit_name_normalise(const char *in, char **out, const char **why);

/* ---- the output (output.c) ---- */

/* Where the bundle goes.  output_done() frees it. */
struct output {
	char	*path;		/* the file to create, or what the stream is called ("-", "/dev/...") */
	int	 fd;		/* stream: where to write, or -1 */
	bool	 stream;	/* not a file renamed into place: stdout, a pipe, a device */
	bool	 is_stdout;	/* -o - */
};

/*
 * Decides where -o ARG (NULL: default_name in the current folder) writes: a folder gets
 * default_name inside it, '-' is standard output (never a terminal), an existing device or
 * pipe is written into as a stream, an existing file is replaced only with force.
 * 0, or -EINVAL (a usage error) or another -errno, with *err (free it).
 */
int output_resolve(const char *arg, const char *default_name, bool force, struct output *out, char **err);
void output_done(struct output *out);
/* $TMPDIR or /tmp: where a streamed bundle is built. */
const char *output_tmpdir(void);

/* ---- the journal window (window.c) ---- */

/* Parses --since/--until TIME into o (which: 's' or 'u').  0, or -EINVAL and *err (free it). */
int window_option(struct options *o, int which, const char *arg, char **err);
/*
 * Resolves the window: relative times count from now, or with --root/--journal-dir from the
 * newest entry; refuses a future --since, zero spans and empty or reversed windows.
 * Sets c->since_usec, c->until_usec, c->window_set.  0, or -EINVAL and *err (free it).
 */
int window_resolve(struct ctx *c, char **err);

/* True when the live host has journal files (readable or not). */
bool journal_files_present(void);
/* journal/<unit>.jsonl from --log-file lines. */
void collect_logfile(struct ctx *);
/*
 * journal/<unit>.jsonl from the log read from fd (any form --log-file takes: text lines,
 * aws logs get-log-events / filter-log-events JSON, ...), named shown in the manifest;
 * records the source.  fd stays the caller's.
 */
void collect_log_fd(struct ctx *, int fd, const char *shown);

/* ---- AWS ECS (ecs.c) ---- */

struct ecs_state;

/* True when --ecs-json or --ecs-cluster was given: the collector runs away from the task. */
bool ecs_away(const struct options *);
/*
 * Reads and recognises every --ecs-json input before the bundle is opened.
 * Returns 0, or -errno with *errmsg (free it) naming the file and the problem.
 */
int ecs_read_inputs(struct ctx *, char **errmsg);
/* ecs/ documents (redacted), the CLI calls of --ecs-cluster, the agent's CloudWatch log, env configs. */
void collect_ecs(struct ctx *);
/* Marks each manifest source as describing the task or the collecting host; collection.ecs. */
void ecs_scopes(struct ctx *);
/* --dry-run lines for ECS. */
void ecs_dry_run(struct ctx *);
/* Frees c->ecs. */
void ecs_free(struct ctx *);

/* ---- the analysis after collection (selfcheck.c) ---- */

/* triage-analyze beside this program (/proc/self/exe) or in an absolute PATH folder (free it), or NULL. */
char *selfcheck_find(void);
/*
 * Runs ANALYZER -f text --fail-on none on bundle (a process with a time limit,
 * coloured when stderr is a terminal) and prints its report on stderr, then
 * the line to attach the bundle.  Returns 0, or a negative errno after one line
 * saying why there is no report.  The collector's exit status never depends on it.
 */
int selfcheck_run(const char *analyzer, const char *bundle);

/* ---- D-Bus helpers (units.c) ---- */

/* GetAll(interface) on path of service into obj (merged). 0 or -errno, *err set (free it). */
int bus_get_all(struct ctx *, const char *service, const char *path, const char *iface,
    json_t *obj, char **err);

/* ---- JSON lines sink with budget and leak check (jsonl.c) ---- */

struct jsonl;

/*
 * Starts journal/<...>.jsonl: lines go through redact_verify() in chunks and are
 * written while the estimated compressed size stays within limit bytes.
 * Free with jsonl_free().
 */
struct jsonl *jsonl_new(struct ctx *, const char *relpath, uint64_t limit);
void jsonl_free(struct jsonl *);
/*
 * Offers one formatted line (without its newline) with its priority (0-7, 8 unknown).
 * Returns 0 or -errno.
 */
int jsonl_push(struct jsonl *, const char *line, size_t len, int prio);
/*
 * Ends a pass.  Returns 0 when everything fits (the entry is closed), 1 when a second
 * pass must offer the same lines again (only the selected ones are kept), or -errno.
 */
int jsonl_end_pass(struct jsonl *);
/* In the second pass, true when the next line is not selected: the producer skips formatting it. */
bool jsonl_skip_next(struct jsonl *);
/* Counts: lines offered in the first pass, written, withheld by the leak check, omitted for the budget. */
void jsonl_counts(const struct jsonl *, uint64_t *seen, uint64_t *written, uint64_t *withheld,
    uint64_t *omitted);
/* First and last __CURSOR of the written lines, or NULL. */
const char *jsonl_first_cursor(const struct jsonl *);
const char *jsonl_last_cursor(const struct jsonl *);
/* The redaction counts of this file (borrowed). */
json_t *jsonl_redactions(struct jsonl *);
/*
 * Adds counts (a JSON object of kind: number, as text) to this file's: for
 * lines redacted before they were pushed.  Safe while the verifier runs.
 */
void jsonl_add_redactions(struct jsonl *, const char *counts, size_t len);
/*
 * redact_text() into this file's counts; the producer calls it instead of
 * redact_text() while lines are pushed (the leak check of earlier lines may
 * use the redactor on another thread at the same time).  *out is NULL when
 * nothing needed redacting.
 */
int jsonl_redact_text(struct jsonl *, const char *in, size_t len, char **out, size_t *outlen);
/* An environment dump (NAME=value lines: systemd-coredump's COREDUMP_ENVIRON) under default-deny, as an
 * environment file is: *out (free it) gets the result. */
int jsonl_redact_env(struct jsonl *, const char *in, size_t len, char **out, size_t *outlen);
/*
 * A MESSAGE of the entry being formatted, in a private key printed one entry a line
 * (pemblock.c, followed over this file's entries in order): *out gets it with the
 * block's lines redacted, or NULL.  Call it before jsonl_redact_text().
 */
int jsonl_redact_pem(struct jsonl *, const char *in, size_t len, char **out, size_t *outlen);
/*
 * A journal field under a secret-like name of its own (TOKEN=..., CUSTOM_AUTH=..., sent with
 * sd_journal_send): 1 and *out the marker (free it) when its value goes whole, else 0 and NULL.
 * Journald's trusted fields ('_' first), MESSAGE and the exempt ones are not for it.
 */
int jsonl_redact_field(struct jsonl *, const char *name, size_t nlen, const char *in, size_t len, char **out,
    size_t *outlen);
/*
 * A field value with terminal escapes or carriage returns: stripped of them,
 * redacted by the pattern rules and the known values; *out (a text value, to
 * write as a string) when that changed something, else NULL (keep the bytes).
 */
int jsonl_redact_escaped(struct jsonl *, const char *in, size_t len, char **out, size_t *outlen);
/* Bytes written. */
uint64_t jsonl_bytes(const struct jsonl *);

/* Appends s (len bytes) as a JSON string with quotes to b. */
void json_escape(struct buf *b, const char *s, size_t len);
/* True when journalctl -o json would print the value as a string (valid, printable UTF-8). */
bool journal_value_is_text(const char *s, size_t len);
/* Appends a journal field value to b the way journalctl -o json does: string or byte array. */
void journal_value(struct buf *b, const char *s, size_t len);

/* Budget left for the journals (bytes, compressed), after everything else added so far. */
uint64_t ctx_journal_budget(struct ctx *);

/* sd_bus_set_method_call_timeout() when the host's libsystemd has it (240+), else -ENOSYS. */
int bus_set_call_timeout(struct sd_bus *, uint64_t usec);
/* sd_journal_open_files_fd(fds, n, 0) in a way libsystemd 239-247 survives (sdcompat.c). */
struct sd_journal;
int journal_open_fds(struct sd_journal **, int *fds, unsigned n);
/* sd_journal_get_seqnum() when the host's libsystemd has it (254+), else -ENOSYS. */
union sd_id128;
int journal_get_seqnum(struct sd_journal *, uint64_t *seqnum, union sd_id128 *seqnum_id);

#endif
