/* analyze.h: triage-analyze's internals: YAML trees, rules, the bundle model, the engine, reports. */
#ifndef TRIAGE_ANALYZE_H
#define TRIAGE_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <jansson.h>
#include <pcre2.h>

#include "bundle.h"
#include "i18n.h"
#include "timeutil.h"
#include "xalloc.h"

#define AGENT_UNIT		"onboarding-agent.service"
#define ONBOARDING_CONFIG	"/etc/onboarding-agent/onboarding.config.yaml"
#define ONBOARDING_CONFIG_ENV	"env/ONBOARDING_CONFIG"

#define JOURNAL_LINE_MAX	(1024 * 1024)	/* longer journal lines are counted and skipped */
#define EVIDENCE_HEAD		3		/* first lines kept per finding */
#define EVIDENCE_TAIL		3		/* last lines kept per finding */
#define SMALL_FILE_MAX		(2 * 1024 * 1024) /* one unit, config or resolver file kept in memory */
#define MODEL_FILES_MAX		512		/* small files kept in memory */
#define MODEL_KEPT_MAX		(32 * 1024 * 1024) /* bytes of all of them (memory stays flat) */

/* The exit statuses (CONTRACT.md): 0 nothing at or above --fail-on, or --check-rules passed. */
#define EXIT_FINDINGS	1	/* a finding at or above --fail-on (--summary: or a bundle not read) */
#define EXIT_BAD	2	/* bad input or usage: an error was said (msg_worst() >= MSG_ERROR) */

/* ---- severities --------------------------------------------------------- */

/* Highest first, as CONTRACT.md orders them. */
enum severity {
	SEV_CRITICAL,
	SEV_ERROR,
	SEV_WARNING,
	SEV_INFO,
	SEV_NONE,	/* only for --fail-on none */
};

const char *severity_name(enum severity);
/* The severity for people, in the current language ("critical", "严重"). */
const char *severity_label(enum severity);
/* The same in capitals, as a finding's heading shows it ("CRITICAL", "严重"). */
const char *severity_heading(enum severity);
/* Parses "critical".."info" (and "none" when allow_none); -EINVAL otherwise. */
int severity_parse(const char *s, bool allow_none);

/* ---- yaml.c: YAML documents as trees that remember where each node was -- */

enum ynode_kind {
	YN_SCALAR,
	YN_SEQ,
	YN_MAP,
	YN_ALIAS,	/* an alias, never expanded (alias bombs stay small) */
};

struct ynode {
	enum ynode_kind kind;	/* what it is */
	char	*value;		/* scalar text, NUL-terminated (may hold NULs: see len) */
	size_t	 len;		/* bytes of value */
	bool	 plain;		/* unquoted scalar (so `true` means a boolean) */
	unsigned line;		/* 1-based line of the node's start */
	unsigned col;		/* 1-based column */
	struct ynode **kids;	/* sequence items, or map keys and values alternating */
	size_t	 n;		/* items, or 2 x pairs */
};

#define YAML_MAX_DEPTH	64
#define YAML_MAX_NODES	200000

/*
 * Parses the first document of data (libyaml).  Returns 0 and a tree (free
 * with ynode_free()), or -EINVAL with *line, *col and *msg (free it) saying
 * what is wrong; an empty document gives an empty map.
 */
int ytree_parse(const char *data, size_t len, struct ynode **ret,
    unsigned *line, unsigned *col, char **msg);
void ynode_free(struct ynode *);
/* The value of key in a map, or NULL. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);
/* Follows a dotted path ("onboardingEndpoint.host") through maps; NULL when absent. */
const struct ynode *ynode_path(const struct ynode *root, const char *dotted);

/* ---- rules.c: the rules language ----------------------------------------- */

enum cond_kind {
	COND_ALL,
	COND_ANY,
	COND_NOT,
	COND_JOURNAL,
	COND_UNIT,
	COND_FILE,
	COND_RESOLVER,
	COND_MANIFEST,
	COND_ECS,	/* records of the bundle's AWS ECS documents (ecs.c) */
	_COND_KIND_MAX,	/* how many kinds (tables indexed by kind assert they have this many rows) */
};

/* Comparison of a unit property, a config key, a manifest source. */
enum cmp_op {
	OP_NONE,
	OP_EXISTS,	/* want says whether it should exist */
	OP_EQUALS,
	OP_NOT_EQUALS,
	OP_IN,
	OP_NOT_IN,
	OP_MATCHES,
	OP_AT_LEAST,
	OP_AT_MOST,
};

/* A compiled PCRE2 pattern (byte mode) with JIT and its own match data. */
struct regex {
	char		  *src;		/* the pattern as written */
	pcre2_code	  *code;	/* compiled, JIT when available */
	pcre2_match_data *md;		/* match data sized for the pattern */
};

enum probe_want {
	PROBE_ANY,
	PROBE_OK,
	PROBE_FAILED,
};

/* A comparison: of a unit property, a config key (file) or an ECS record's field (ecs `where`). */
struct cond_cmp {
	char	*property;	/* unit property, config key (dotted) or field; NULL for a whole file */
	enum cmp_op op;		/* comparison */
	bool	 want;		/* exists (and a file's parses): the wanted value */
	char	**values;	/* equals / not_equals (1), in / not_in (n) */
	size_t	 n_values;
	double	 number;	/* at_least / at_most */
	struct regex vre;	/* matches */
};

/* journal: lines of a unit's journal matching a regex. */
struct cond_journal {
	char	*unit;		/* unit glob (default the agent's unit) */
	struct regex re;	/* `match` */
	char	**literals;	/* prefilter: every matching MESSAGE holds one of these, or NULL */
	size_t	*literal_lens;
	size_t	 n_literals;
	int	 prio_min;	/* PRIORITY range, inclusive (0..7 when not given) */
	int	 prio_max;
	unsigned long min_count; /* matches needed (default 1) */
	uint64_t within;	/* only the last `within` usec of the slice count (0: all) */
	bool	 absent;	/* true when no line matches */
	unsigned jindex;	/* index of this journal condition in the ruleset */
	uint64_t lit_mask;	/* its literals in the ruleset's literal index (0: not indexed) */
	const char *rule_id;	/* the rule it belongs to (for notes) */
};

/* unit: a D-Bus property of a unit. */
struct cond_unit {
	char	*name;		/* the unit (default the agent's unit) */
	struct cond_cmp cmp;	/* property and comparison */
};

/* file: a config file (exists, parses) or a key of it. */
struct cond_file {
	char	**paths;	/* host paths or env/NAME, first present wins */
	size_t	 n_paths;
	bool	 test_parses;	/* `parses` given (cmp.want says whether it should) */
	struct cond_cmp cmp;	/* no property: the file exists (OP_EXISTS) or parses; else the key's comparison */
};

/* resolver: the nameservers of resolv.conf, or a DNS/TCP probe's result. */
struct cond_resolver {
	bool	 nameservers;	/* the nameservers test */
	bool	 want;		/* nameservers: whether some are listed */
	char	*probe_host;	/* probe: host, or NULL for the onboarding endpoint's */
	enum probe_want probe_resolve;
	enum probe_want probe_connect;
};

/* manifest: a collector source's status (and detail). */
struct cond_manifest {
	char	*source;	/* source name glob */
	char	**statuses;	/* any of these (ok, unavailable, error, truncated) */
	size_t	 n_statuses;
	struct regex detail;	/* the detail must match, when compiled */
};

/* ecs: records of the bundle's AWS ECS documents (ecs.c), or whether it holds a document. */
struct cond_ecs {
	int	 rec;		/* enum ecs_rec, or -1 for a `holds` test */
	int	 holds;		/* holds: enum ecs_doc the bundle must hold, or -1 */
	struct cond_cmp *where;	/* each record's fields */
	size_t	 n_where;
	unsigned long min_count; /* records needed (default 1) */
	bool	 absent;	/* true when no record matches */
	bool	 optional;	/* without its document the condition is false, not unknown */
};

/* One condition of a rule's `when`: the fields of its kind, and its sub-conditions. */
struct cond {
	enum cond_kind kind;	/* which condition */
	unsigned line, col;	/* where it was written */
	struct cond **kids;	/* all / any / not (none for the other kinds) */
	size_t	 n_kids;
	union {			/* the member named after kind; all / any / not have none */
		struct cond_journal journal;
		struct cond_unit unit;
		struct cond_file file;
		struct cond_resolver resolver;
		struct cond_manifest manifest;
		struct cond_ecs ecs;
	};
};

/* An example a rule carries: a small bundle as YAML, and whether the rule must fire. */
struct example {
	bool	 want_match;		/* under `match` (true) or `no_match` */
	const struct ynode *spec;	/* the example (borrowed from the ruleset's trees) */
	const char *file;		/* rules file name (borrowed) */
};

/* One rule. */
struct rule {
	char	*id;			/* kebab-case id */
	char	*title;			/* one line */
	enum severity severity;
	char	*description;		/* what it detects, plain text */
	char	*message;		/* template with {placeholders} */
	char	*remedy;		/* small markdown subset */
	char	*title_zh;		/* the Chinese texts (title_zh: ...), NULL when not given */
	char	*description_zh;
	char	*message_zh;		/* uses only placeholders of message */
	char	*remedy_zh;
	bool	 need_zh;		/* shipped: --check-rules wants every Chinese text */
	char	*message_ecs;		/* the message when the bundle is from AWS ECS, or NULL */
	char	*remedy_ecs;		/* the remedy then (may name {ecs.service}, ...), or NULL */
	char	*message_ecs_zh;	/* their Chinese texts */
	char	*remedy_ecs_zh;
	char	**links;		/* http(s) URLs */
	size_t	 n_links;
	struct cond *when;		/* the condition */
	struct example *examples;
	size_t	 n_examples;
	const char *file;		/* rules file it came from (borrowed) */
	unsigned line, col;		/* where the rule starts */
	bool	 engine;		/* raised by the engine itself (bundle checks) */
};

/* Every loaded rule, plus what --check-rules reports. */
struct ruleset {
	struct rule **rules;		/* in load order */
	size_t	 n;
	struct cond_journal **jconds;	/* every journal condition, by jindex */
	size_t	 n_jconds;
	struct ynode **trees;		/* parsed rules files (examples point into them) */
	size_t	 n_trees;
	char	**names;		/* rules file names (rules point into them) */
	size_t	 n_names;
	char	**diags;		/* "FILE:LINE:COLUMN: message" */
	size_t	 n_diags;
	char	**replaced;		/* "ID\tFILE": a rule of FILE replaced the built-in ID */
	size_t	 n_replaced;
	struct litindex *lix;		/* every journal literal, for one pass over a MESSAGE */
	pcre2_match_context *mctx;	/* match and depth limits */
	pcre2_jit_stack *jit_stack;	/* JIT stack for every pattern */
};

#define REGEX_MATCH_LIMIT	200000
#define REGEX_DEPTH_LIMIT	2000
#define REGEX_HEAP_LIMIT	(4 * 1024)	/* KiB */

/* The built-in rules (rules/onboarding-agent.yaml, NUL-terminated). */
extern const char triage_builtin_rules[];
#define BUILTIN_SUFFIX		" (built-in)"	/* a rules buffer named so is shipped: it needs zh texts */
#define BUILTIN_RULES_NAME	"onboarding-agent.yaml" BUILTIN_SUFFIX
extern const char triage_builtin_ecs_rules[];
#define BUILTIN_ECS_RULES_NAME	"ecs.yaml" BUILTIN_SUFFIX
/* Loads every built-in rules file (onboarding-agent.yaml, ecs.yaml).  Returns 0 or -EINVAL. */
int rules_load_builtin(struct ruleset *rs);

/* A new empty ruleset; free with ruleset_free(). */
struct ruleset *ruleset_new(void);
void ruleset_free(struct ruleset *);
/*
 * Parses rules from memory, appending them; name labels diagnostics.
 * Returns 0, or -EINVAL with diagnostics in rs->diags.
 */
int rules_load_buffer(struct ruleset *rs, const char *name, const char *data, size_t len);
/* Loads a rules file, or every *.yaml / *.yml of a folder in name order. */
int rules_load_path(struct ruleset *rs, const char *path);
/*
 * After loading: checks ids are unique across files, except that a rule from
 * a file replaces the built-in rule of the same id (in its place; noted in
 * rs->replaced), then builds the prefilter index.  Returns 0 or -EINVAL.
 */
int rules_finish(struct ruleset *rs);
/*
 * Runs every example, and checks that shipped rules carry their Chinese texts;
 * failures go to rs->diags.  Returns the number of examples that failed.
 */
unsigned rules_check_examples(struct ruleset *rs, unsigned *n_examples);
/* A journal priority by name ("err") or digit ("3"), 0..7, or -1 (rules, examples). */
int rules_prio_one(const char *s, size_t len);
/* Adds a diagnostic. */
void rules_diag(struct ruleset *rs, const char *file, unsigned line, unsigned col,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Matches subject against re with the ruleset's limits: 1 match, 0 none, <0 PCRE2 error. */
int regex_match(const struct ruleset *rs, const struct regex *re, const char *s, size_t len);
/* A rule's texts in the current language (i18n.h): Chinese when it has them, else English. */
const char *rule_title(const struct rule *);
const char *rule_message_tmpl(const struct rule *);
const char *rule_remedy(const struct rule *);
/* The ECS message template and remedy in the current language (NULL when the rule has none). */
const char *rule_message_ecs_tmpl(const struct rule *);
const char *rule_remedy_ecs(const struct rule *);
/* The engine's own rules (bundle-integrity-failed, bundle-contains-secret). */
const struct rule *engine_rule(const char *id);
/*
 * The prefilter literals of a pattern: every match contains at least one of
 * them (one per top-level branch), each limited to bytes JSON never escapes,
 * so it appears verbatim in a raw journal line without \u escapes.  NULL when
 * no such set is known.  Free each string, the array and *lens.
 */
char **regex_required_literals(const char *pattern, size_t **lens, size_t *n);

/* ---- the model of a bundle (load.c) -------------------------------------- */

/* A line that proves a finding. */
struct evidence {
	char	*source;	/* bundle path, e.g. journal/onboarding-agent.service.jsonl */
	unsigned long line;	/* 1-based line in it, 0 when none */
	uint64_t time;		/* usec since the epoch, 0 when none */
	char	*text;		/* the raw text (escaped on output) */
	size_t	 len;		/* bytes of text */
};

void evidence_clear(struct evidence *);

/* What one journal condition saw in one journal file. */
struct jresult {
	unsigned long count;		/* matching lines */
	uint64_t first, last;		/* their first and last time */
	struct evidence head[EVIDENCE_HEAD];	/* first matches */
	unsigned n_head;
	struct evidence tail[EVIDENCE_TAIL];	/* last matches, a ring */
	unsigned n_tail;		/* matches stored in the ring (<= EVIDENCE_TAIL) */
	unsigned tail_pos;		/* next slot of the ring */
	char	**cap_names;		/* named captures of the latest match */
	char	**cap_values;
	size_t	 n_caps;
	unsigned long limit_hits;	/* lines where the regex hit a limit */
};

/* A journal file of the bundle, streamed once. */
struct journal_file {
	char	*path;			/* journal/<unit>.jsonl */
	char	*unit;			/* <unit> */
	enum br_verdict verdict;	/* integrity, once read */
	unsigned long lines;		/* lines seen */
	unsigned long invalid;		/* not JSON, no MESSAGE, ... */
	unsigned long too_long;		/* over JOURNAL_LINE_MAX, skipped */
	unsigned long parsed;		/* lines handed to jansson */
	uint64_t first, last;		/* time of the first and last entry */
	uint64_t slice_end;		/* end of the collected slice (for `within`), 0 if unknown */
	bool	 unread;		/* its source is unavailable or error: the file says nothing */
	struct jresult **res;		/* per journal condition, NULL when it does not apply */
	bool	*want;			/* per journal condition: res[i] != NULL */
	size_t	 n_res;
};

/* A small file kept in memory: units, configs, resolver files, host.json. */
struct kfile {
	char	*path;			/* bundle path */
	char	*data;			/* contents, NUL-terminated */
	size_t	 len;
	enum br_verdict verdict;	/* integrity */
	bool	 tried;			/* YAML parse attempted */
	struct ynode *tree;		/* parsed YAML, or NULL */
	char	*parse_error;		/* "line N: message" when it does not parse */
	bool	 json_tried;		/* JSON parse attempted (units) */
	json_t	*json;			/* parsed JSON object, or NULL */
};

#define TL_FINE		1024	/* fine buckets of the timeline histogram */
#define TL_LEVELS	4	/* err-or-worse, warning, notice/info, debug */

/* The agent's journal per time bucket and level, bounded whatever the size. */
struct timeline {
	uint64_t t0;			/* start of bucket 0 (usec) */
	uint64_t width;			/* usec per bucket, doubles as needed */
	uint32_t n[TL_FINE][TL_LEVELS];	/* entries */
	uint64_t min, max;		/* first and last time seen */
	unsigned long total;		/* entries with a time */
};

/* A problem with a bundle entry's integrity. */
struct integrity_problem {
	char	*path;			/* bundle path */
	char	*problem;		/* e.g. "SHA-256 differs from the manifest" */
};

/* A secret pattern found in the bundle (never its value). */
struct secret_found {
	char	*path;
	unsigned long line;
	char	*kind;
};

/* A bundle as the rules see it. */
struct model {
	char	*bundle_path;		/* as given on the command line */
	json_t	*manifest;		/* own reference */
	json_t	*host;			/* host.json, or NULL */
	char	*hostname;		/* from the manifest or host.json */
	char	*collected_at;		/* RFC 3339 from the manifest */
	struct kfile *files;		/* small files */
	size_t	 n_files;
	struct journal_file *journals;
	size_t	 n_journals;
	struct integrity_problem *integrity;
	size_t	 n_integrity;
	struct secret_found *secrets;
	size_t	 n_secrets;
	unsigned long secrets_total;	/* hits, the list is capped */
	struct timeline tl;		/* the agent's journal over time */
	bool	 tl_used;
	size_t	 kept;			/* bytes of small files kept */
	char	**notes;		/* things the analysis skipped, said once */
	size_t	 n_notes;
	const struct ruleset *rs;	/* the rules (journal conditions) */
	struct ecs_model *ecs;		/* ECS records, built on first use (ecs.c) */
};

/* An empty model for rules rs; free with model_free(). */
struct model *model_new(const struct ruleset *rs, const char *bundle_path);
void model_free(struct model *);
/* Adds a small file (takes data, malloc'd and NUL-terminated). */
struct kfile *model_add_file(struct model *, const char *path, char *data, size_t len,
    enum br_verdict verdict);
/* The file at bundle path, or NULL. */
struct kfile *model_file(const struct model *, const char *path);
/* Parses a kept file as YAML once; returns the tree or NULL (then kf->parse_error). */
const struct ynode *kfile_yaml(struct kfile *kf);
/* The manifest source called name, or NULL. */
const json_t *model_source(const struct model *, const char *name);
/* Adds a note for the report (e.g. a file too large to analyze). */
void model_note(struct model *, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Records an integrity problem. */
void model_integrity(struct model *, const char *path, const char *problem);

/*
 * Reads a bundle (tar.gz or folder) into a model for rs: small files kept,
 * journals streamed once through the journal conditions.  Returns 0, or a
 * negative errno with *errmsg (free it) when the bundle must be refused.
 */
int load_bundle(const char *path, const struct ruleset *rs, struct model **ret, char **errmsg);

/* ---- ecs.c: the AWS ECS documents as records ------------------------------ */

/* What an `ecs` condition's `record` names; each comes from one kind of document (ecsdoc.h). */
enum ecs_rec {
	ECS_REC_SERVICE,		/* describe-services: services[] */
	ECS_REC_SERVICE_FAILURE,	/* describe-services: failures[] */
	ECS_REC_DEPLOYMENT,		/* describe-services: services[].deployments[] */
	ECS_REC_EVENT,			/* describe-services: services[].events[] */
	ECS_REC_TASK,			/* describe-tasks: tasks[] */
	ECS_REC_TASK_FAILURE,		/* describe-tasks: failures[] */
	ECS_REC_CONTAINER,		/* describe-tasks: tasks[].containers[] */
	ECS_REC_TASK_DEFINITION,	/* describe-task-definition: taskDefinition */
	ECS_REC_CONTAINER_DEFINITION,	/* describe-task-definition: containerDefinitions[] */
	_ECS_REC_MAX,
};

/* One record: named text fields (absent ones are not listed). */
struct ecs_record {
	enum ecs_rec type;
	const char *source;	/* bundle path of its document (borrowed from the model) */
	uint64_t time;		/* its time (usec), 0 when none */
	char	**names;	/* field names, e.g. "exitCode", "env:ONBOARDING_CONFIG" */
	char	**values;	/* their values as text */
	size_t	 n;
};

struct ecs_model;
void ecs_model_free(struct ecs_model *);
const char *ecs_rec_name(enum ecs_rec);
/* A record type by its rules name ("container"), or -EINVAL. */
int ecs_rec_parse(const char *name);
/* The document kind (enum ecs_doc) a record type comes from. */
int ecs_rec_doc(enum ecs_rec);
/* True when records of the type have (or may have) the field. */
bool ecs_rec_has_field(enum ecs_rec, const char *field, size_t len);
/* A field's value, or NULL. */
const char *ecs_field(const struct ecs_record *, const char *name);
/*
 * The records of a type (borrowed from the model).  0, or -ENODATA with *why
 * (free it) when their document is not in the bundle: the command that gives it.
 */
int ecs_records(struct model *m, enum ecs_rec type, const struct ecs_record **recs, size_t *n, char **why);
/* One line describing a record, for evidence.  Free it. */
char *ecs_record_text(const struct ecs_record *);
/* Keeps s (malloc'd) until the model is freed; returns it. */
const char *ecs_intern(struct model *m, char *s);
/* True when the bundle holds a readable document of the kind (enum ecs_doc). */
bool ecs_holds(struct model *m, int doc);
/* True when the collector ran away from an ECS task (manifest collection.ecs.away). */
bool ecs_away_bundle(const struct model *m);
/* True when the bundle is from AWS ECS: ECS documents, an away collection, or a config from the environment. */
bool model_is_ecs(struct model *m);
/*
 * {ecs.NAME} facts (service, cluster, taskDefinition, family, region), written
 * to b with only name characters.  1 written, 0 not known, -EINVAL unknown name.
 */
int ecs_fact(struct model *m, const char *name, struct buf *b);
bool ecs_fact_known(const char *name, size_t len);
/* The agent's state on ECS for the report header ("ECS service ratings: 0 of 1 running; ..."): 1 written, 0 no ECS state. */
int ecs_agent_state(const struct model *m, struct buf *b);
/* Calls row() for each line of the service, deployment, task and task definition state. */
void ecs_summary(struct model *m, void (*row)(const char *section, const char *key, const char *value, void *ud),
    void *ud);

/* ---- journal.c: journal lines ------------------------------------------- */

/* What a cheap scan of a raw line found, without a JSON parser. */
struct jl_scan {
	bool	 understood;	/* a flat object of string / number-array values, keys without escapes */
	bool	 has_msg;	/* a MESSAGE key was seen (when understood) */
	const char *msg;	/* raw (JSON-escaped) MESSAGE string contents, when understood */
	size_t	 msg_len;
	bool	 msg_string;	/* MESSAGE is a JSON string */
	bool	 msg_unicode;	/* ... holding \u escapes (decoded bytes may differ from raw) */
	const char *mval;	/* the whole MESSAGE value as JSON text (string, array or null) */
	size_t	 mval_len;
	bool	 has_time;
	uint64_t time;		/* __REALTIME_TIMESTAMP */
	int	 priority;	/* PRIORITY, -1 when absent */
	int	 level;		/* the agent's level word in MESSAGE, else priority, else -1 */
};

/* A parsed journal entry (jansson): the fields the rules use. */
struct jl_entry {
	struct buf msg;		/* MESSAGE decoded (string or byte array), may hold NULs */
	bool	 has_msg;
	uint64_t time;		/* __REALTIME_TIMESTAMP, 0 if absent */
	int	 priority;	/* PRIORITY, -1 when absent */
};

/*
 * The literals of every journal condition, deduplicated (at most 64), indexed
 * by their first two bytes so that one pass over a MESSAGE finds which are in
 * it.  Built by rules_finish() once the rule set is final (prefilter.c); free
 * with litindex_free().
 */
struct litindex;
void litindex_build(struct ruleset *rs);
void litindex_free(struct litindex *);
/*
 * The same verdict as journal_may_match() for every condition at once:
 * cand[i] for jconds[i] where want[i] is set.  Faster: one pass over MESSAGE.
 */
void journal_may_match_all(const struct ruleset *rs, const struct jl_scan *s, const bool *want,
    unsigned char *cand);

/* Scans a raw journal line (no NUL needed); never fails, never reads past len. */
void journal_scan_line(const char *line, size_t len, struct jl_scan *out);
/*
 * True when the line could match cond, judging from the scan alone.  Never
 * false for a line whose parsed MESSAGE would match (the prefilter is sound).
 */
bool journal_may_match(const struct cond_journal *c, const struct jl_scan *s);
/*
 * Parses a journal line with jansson into e (reset first; free with
 * jl_entry_free()).  Returns 0, or -EINVAL when it is not a JSON object.
 */
int journal_parse_line(const char *line, size_t len, struct jl_entry *e);
void jl_entry_free(struct jl_entry *);
/*
 * The same for a line journal_scan_line() understood: only the MESSAGE value is
 * decoded (a plain ASCII string directly, anything else by jansson); time and
 * priority come from the scan.  Returns 0, or -EINVAL when the scan did not
 * understand the line or the value does not decode.
 */
int journal_parse_scanned(const struct jl_scan *s, struct jl_entry *e);

/* One journal file being streamed. */
struct journal_run;

/* Starts streaming the journal file jf of model m; free with journal_run_free(). */
struct journal_run *journal_run_new(struct model *m, struct journal_file *jf);
/* Feeds bytes (any chunking). */
void journal_run_feed(struct journal_run *, const char *data, size_t len);
/* Ends the file (a last line without newline counts). */
void journal_run_end(struct journal_run *);
void journal_run_free(struct journal_run *);
/* Handles one complete line (no newline); lineno is 1-based. */
void journal_line(struct model *m, struct journal_file *jf, const char *line, size_t len,
    unsigned long lineno);
/* Adds a journal file to the model (path journal/<unit>.jsonl). */
struct journal_file *model_add_journal(struct model *m, const char *path);

/* ---- evaluate.c ----------------------------------------------------------- */

/* How a finding compares with the baseline's (--baseline). */
enum change {
	CHANGE_NONE,		/* no baseline */
	CHANGE_NEW,		/* absent from the baseline */
	CHANGE_PERSISTING,	/* the baseline had it too */
};

/* A rule that fired. */
struct finding {
	const struct rule *rule;
	char	*message;		/* template filled in */
	unsigned long count;		/* matching lines, or 1 */
	uint64_t first, last;		/* 0 when not from the journal */
	struct evidence *ev;		/* first and last lines */
	size_t	 n_ev;
	unsigned long ev_total;		/* lines that matched in all */
	enum change change;		/* with --baseline: new or persisting */
	unsigned long count_before;	/* with --baseline: the baseline's count (persisting) */
	struct rule *own_rule;		/* a copy of the rule with its ECS remedy filled in (f->rule), or NULL */
};

/* A rule that could not be evaluated, and why. */
struct not_evaluated {
	const struct rule *rule;
	char	*reason;
};

/* The result of a run. */
struct analysis {
	struct model *m;			/* borrowed */
	struct finding *findings;		/* sorted by severity, then first seen */
	size_t	 n_findings;
	struct not_evaluated *not_eval;
	size_t	 n_not_eval;
	char	**notes;			/* engine notes (regex limits, skipped lines) */
	size_t	 n_notes;
	struct suppressed *suppressed;		/* findings --suppress moved out of findings */
	size_t	 n_suppressed;
	char	**suppress_notes;		/* entries not applied (expired), said in the report */
	size_t	 n_suppress_notes;
	const struct baseline *baseline;	/* --baseline: the comparison, or NULL (borrowed) */
};

/* A finding a suppression entry matched, and why it is expected. */
struct suppressed {
	struct finding f;			/* the finding, moved */
	char	*reason;			/* the entry's reason */
	char	*expires;			/* YYYY-MM-DD */
};

/* Evaluates every rule of rs on m (and the engine's checks).  Free with analysis_free(). */
struct analysis *evaluate(const struct ruleset *rs, struct model *m);
void analysis_free(struct analysis *);
/* The highest severity among findings, or SEV_NONE. */
enum severity analysis_worst(const struct analysis *);
/*
 * Evaluates one rule on m: 1 fired (*f filled), 0 did not, -ENODATA inputs
 * missing (*reason set, free it).
 */
int evaluate_rule(const struct ruleset *rs, const struct rule *r, struct model *m,
    struct finding *f, char **reason);
void finding_clear(struct finding *);

/* A manifest source status (ok, unavailable, error, truncated) in the current language; others as they are. */
const char *source_status_label(const char *st);
/* Facts the reports show beside findings. */
const json_t *model_unit(const struct model *m, const char *unit);
/* "failed (Result: exit-code, 5 restarts)" or "not installed" or "unknown (...)"; free it. */
char *agent_state(const struct model *m);
/* The nameservers resolv.conf lists, as a NULL-terminated array (free with str_array_free()). */
char **resolv_nameservers(const struct model *m, bool *known);
void str_array_free(char **);
/* The onboarding config kept in the model (etc file or env), or NULL. */
struct kfile *onboarding_config(const struct model *m);

/* ---- suppress.c: --suppress ------------------------------------------------- */

/* Suppression entries from one or more files; free with suppressions_free(). */
struct suppressions;
struct suppressions *suppressions_new(void);
void suppressions_free(struct suppressions *);
/*
 * Loads a suppressions file (a YAML list of {rule, host, match, reason,
 * expires}) for rules rs.  Returns 0, or a negative errno once msg() said
 * "FILE:LINE:COL: what is wrong".
 */
int suppressions_load(struct suppressions *, const struct ruleset *rs, const char *path);
/*
 * Moves the findings an unexpired entry matches to a->suppressed; an expired
 * entry is not applied and leaves a note.  today: YYYY-MM-DD.
 */
void suppressions_apply(const struct suppressions *, const struct ruleset *rs, struct analysis *a,
    const char *today);
/* Today's date (UTC) as YYYY-MM-DD. */
void suppress_today(char buf[static 11]);

/* ---- baseline.c: --baseline ------------------------------------------------- */

/* One thing that differs between the baseline's snapshot and the bundle's. */
struct bchange {
	const char *what;	/* "unit", "config", "resolver", "probe" (static) */
	char	*key;		/* e.g. "ActiveState", "onboardingEndpoint.host", "nameservers" */
	char	*before;	/* the baseline's value, NULL when absent */
	char	*after;		/* the value now, NULL when absent */
	bool	 redacted;	/* redacted in both: not comparable */
};

/* The comparison of a bundle with its baseline. */
struct baseline {
	char	*path;			/* the baseline as given */
	char	*hostname;		/* its hostname, or NULL */
	char	*collected_at;		/* its collected_at, or NULL */
	struct finding *resolved;	/* the baseline's findings absent now (moved) */
	size_t	 n_resolved;
	struct bchange *changes;	/* what changed between the snapshots */
	size_t	 n_changes;
};

/*
 * Compares now with old (both evaluated, suppressions applied): marks each
 * finding of now new or persisting, moves old's findings absent from now
 * into resolved, and lists what changed.  Sets now->baseline; free the result
 * with baseline_free() after now.
 */
struct baseline *baseline_compare(struct analysis *now, struct analysis *old);
void baseline_free(struct baseline *);
/*
 * --baseline OLD: loads and evaluates OLD with the same rules and
 * suppressions, refuses another host unless force, and compares (above).
 * Returns 0, or a negative errno once msg() said what is wrong with OLD.
 */
int baseline_load(const char *path, const struct ruleset *rs, const struct suppressions *sup, const char *today,
    bool force, struct analysis *now, struct baseline **ret);
/* True when both models name the same host (or neither names one). */
bool baseline_same_host(const struct model *a, const struct model *b);

/* ---- summary.c: --summary ----------------------------------------------------- */

/*
 * Analyzes or reads every input (bundles, folders of bundles, JSON reports)
 * with jobs workers (0: the CPUs), writes the summary in format (markdown,
 * html, csv, json) to output (NULL: stdout), and returns the exit status.
 * A progress line goes to stderr when it is a terminal, unless quiet.
 */
int summary_run(const struct ruleset *rs, const struct suppressions *sup, const char *format, const char *output,
    int fail_on, unsigned jobs, bool quiet, const char *const *inputs, size_t n_inputs);

/* ---- view.c: what the reports show, prepared once ---------------------------- */

/* A manifest source as the reports list it. */
struct view_source {
	const char *name;		/* source name (borrowed from the manifest) */
	const char *status;		/* ok, unavailable, error, truncated, ... as written, or NULL */
	const char *label;		/* the status for people, in the report's language */
	const char *detail;		/* or NULL */
};

/* What the collector could not collect: a source not ok, or a file it skipped on purpose. */
struct view_gap {
	const char *source;		/* source name, or the skipped file's path */
	const char *status;		/* the source's status, or "skipped" (the JSON report's value) */
	const char *label;		/* the same for people, in the report's language */
	const char *detail;		/* the source's detail or the skip's reason, or NULL */
	bool	 skipped;		/* from the manifest's "skipped" (a secret left out) */
};

/* A manifest entry: a file of the bundle, and what the integrity check found. */
struct view_entry {
	const char *path;		/* bundle path (borrowed from the manifest), or NULL */
	long long size;			/* bytes, as the manifest says */
	const char *sha256;		/* as the manifest says, or NULL */
	const char *problem;		/* the integrity problem, NULL when verified */
};

/* A file the collector redacted: how many values, by which redaction rule. */
struct view_redaction {
	const char *path;		/* bundle path, or NULL */
	long long count;		/* values redacted */
	const json_t *rules;		/* {"rule": count, ...} (borrowed from the manifest) */
};

/* A built-in rule a rules file replaced (-r). */
struct view_replaced {
	char	*rule;			/* the rule id */
	const char *file;		/* the rules file (borrowed from the ruleset) */
};

/* One line of the AWS ECS state: a section (Service, Deployment, Task, ...), a name and its state. */
struct view_ecs_row {
	char	*section, *key, *value;
};

/* How the agent's unit is, for a badge. */
enum agent_health {
	AGENT_UNKNOWN,			/* the unit is not in the bundle */
	AGENT_GOOD,			/* active */
	AGENT_BAD,			/* anything else */
};

/*
 * Everything a report writer shows, prepared once by report_view_new() so that
 * each writer only lays it out: the host summary, counts, what was not
 * collected, the ECS state, the rules replaced, the baseline's counts, and
 * the files the HTML shows.  The analysis (findings, not evaluated, notes,
 * suppressed, baseline) is borrowed; the writers read neither the manifest nor
 * the model.
 */
struct report_view {
	const struct analysis *a;	/* findings, not_eval, notes, suppressed, baseline */
	const char *hostname;		/* NULL when unknown */
	const char *collected_at;	/* RFC 3339 from the manifest, NULL when unknown */
	const char *collected_human;	/* the same for people in the report's language, NULL when unknown */
	char	 collected_buf[HTIME_MAX];
	const char *bundle_path;	/* as given on the command line */
	char	*agent_state;		/* agent_state(): "failed (Result: exit-code, 5 restarts)" */
	enum agent_health agent;
	unsigned counts[SEV_NONE];	/* findings per severity */
	size_t	 n_new, n_persisting;	/* --baseline: findings new and persisting */
	bool	 baseline_later;	/* --baseline: collected after the bundle ("resolved" reads backwards) */
	struct view_source *sources;	/* every manifest source */
	size_t	 n_sources;
	struct view_gap *gaps;		/* sources not ok, then files skipped */
	size_t	 n_gaps;
	size_t	 n_gap_sources;		/* of them sources (the first ones) */
	struct view_entry *entries;	/* the manifest's entries */
	size_t	 n_entries;
	struct view_redaction *redactions; /* the manifest's redactions */
	size_t	 n_redactions;
	struct view_replaced *replaced;
	size_t	 n_replaced;
	struct view_ecs_row *ecs;	/* the AWS ECS state in the report's language (none: not from ECS) */
	size_t	 n_ecs;
	struct view_ecs_row *ecs_en;	/* the same in English (JSON keys) */
	size_t	 n_ecs_en;
	bool	*not_eval_ecs;		/* per a->not_eval: an ECS rule on a bundle not from ECS */
	size_t	 n_not_eval_ecs;
	/* What the bundle holds (borrowed from the model, which must outlive the view too): */
	const struct integrity_problem *integrity; /* problems found while reading */
	size_t	 n_integrity;
	const struct timeline *tl;	/* the agent's journal over time, NULL when no journal was read */
	const json_t *agent_unit;	/* the agent unit's properties, NULL when not in the bundle */
	const struct kfile **config;	/* the config/ files, in bundle order */
	size_t	 n_config;
	const struct kfile *resolv_conf; /* resolver/resolv.conf, or NULL */
	const struct kfile **resolver;	/* the other resolver/ files (not resolv.conf, not probes.json) */
	size_t	 n_resolver;
	json_t	*probes;		/* resolver/probes.json parsed (owned), or NULL */
	const char *probes_detail;	/* the probes source's detail (why there are none), or NULL */
};

/* The view of an analysis (which must outlive it); free with report_view_free(). */
struct report_view *report_view_new(const struct analysis *a);
void report_view_free(struct report_view *);

/* ---- reports ---------------------------------------------------------------- */

/* An output format: a name and a writer. */
struct report_format {
	const char *name;
	int (*write)(FILE *f, const struct report_view *v);
};

/* The AWS ECS state panel (report-ecs.c): a markdown section or an HTML panel; nothing without ECS documents. */
void report_ecs(struct buf *b, const struct report_view *v, bool html);
/* The same rows as the report's "ecs" key: [{"kind": "Service"|"Deployment"|"Task"|"Task definition", "name", "state"}]. */
void report_ecs_json(json_t *doc, const struct report_view *v);

int report_markdown(FILE *, const struct report_view *);
int report_html(FILE *, const struct report_view *);
int report_json(FILE *, const struct report_view *);
int report_text(FILE *, const struct report_view *);

/* Colour in the text report: on a terminal unless NO_COLOR (auto), or as --color says. */
enum report_color {
	COLOR_AUTO,
	COLOR_ALWAYS,
	COLOR_NEVER,
};
extern enum report_color report_color;

/* Shared by the writers: RFC 3339 of usec into buf ("" for 0). */
const char *report_time(uint64_t usec, char buf[static RFC3339_MAX]);
/* The JSON document of the report (also used by tests).  New reference. */
json_t *report_json_doc(const struct report_view *v);
/* One finding as the JSON report writes it.  New reference. */
json_t *report_finding_json(const struct finding *f);

/* report-support.c: the parts --baseline, --suppress and -r add to each format. */
void md_support_head(struct buf *, const struct report_view *);
void md_support_count(struct buf *, const struct finding *);
void md_support_sections(struct buf *, const struct report_view *);
void md_support_footer(struct buf *, const struct report_view *);
void html_support_head(struct buf *, const struct report_view *);
void html_support_change(struct buf *, const struct finding *);
void html_support_sections(struct buf *, const struct report_view *);
void html_support_footer(struct buf *, const struct report_view *);
void text_support_head(struct buf *, const struct report_view *, size_t width);
void text_support_change(struct buf *, const struct finding *);
void text_support_sections(struct buf *, const struct report_view *, size_t width);
void text_support_footer(struct buf *, const struct report_view *, size_t width);
/* Adds "suppressed" (always), and "baseline", "resolved", "changes", "rules_replaced" when set. */
void json_support(json_t *doc, const struct report_view *v);

/* ---- output.c: where the writers are chosen, and where the report goes ---- */

extern const struct report_format report_formats[];
const struct report_format *report_format_find(const char *name);
/* The format a file name implies (.html, .htm, .json, .md), else dflt. */
const struct report_format *report_format_for_path(const char *path, const struct report_format *dflt);
/*
 * Writes the report into path when it is a pipe or a character device (never replacing
 * it): 1.  Returns 0 when path is a regular file or does not exist (the caller writes it
 * aside and renames), or -errno with *why (a folder, a block device, a write error).
 */
int report_output_special(const char *path, const struct report_format *fmt, const struct report_view *v,
    char **why);

#endif
