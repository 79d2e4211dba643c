/*
 * bundle_paths.h: every path inside a bundle, named once (both programs).
 *
 * The bundle layout is part of the contract (docs/bundle-format.md): the
 * collector writes these paths and the analyzer reads them.  Spell a bundle
 * path only here; tests/golden/test-bundle-paths.sh fails on a path literal
 * anywhere else in common/, collect/ or analyze/.  Manifest source names that
 * mirror a folder ("journal/<unit>") use the same prefix.
 */
#ifndef TRIAGE_BUNDLE_PATHS_H
#define TRIAGE_BUNDLE_PATHS_H

#define BUNDLE_MANIFEST		"manifest.json"		/* first entry of every bundle */
#define BUNDLE_PATH_HOST	"host.json"		/* hostname, os-release, kernel, clock */

#define BUNDLE_DIR_RESOLVER	"resolver/"		/* resolver/<file name>: DNS configuration */
#define BUNDLE_PATH_RESOLV_CONF	BUNDLE_DIR_RESOLVER "resolv.conf"
#define BUNDLE_PATH_RESOLVE1	BUNDLE_DIR_RESOLVER "resolve1.json"	/* systemd-resolved over D-Bus */
#define BUNDLE_PATH_PROBES	BUNDLE_DIR_RESOLVER "probes.json"	/* live DNS/TCP probes */

#define BUNDLE_DIR_UNITS	"units/"		/* units/<unit>.json: systemd unit properties */
#define BUNDLE_EXT_UNIT		".json"

#define BUNDLE_DIR_JOURNAL	"journal/"		/* journal/<unit>.jsonl; source "journal/<unit>" */
#define BUNDLE_EXT_JOURNAL	".jsonl"

#define BUNDLE_DIR_CONFIG	"config/"		/* config/<host path>: agent configuration */
#define BUNDLE_CONFIG_ROOT	"config"		/* + an absolute host path ("/etc/...") */
#define BUNDLE_DIR_CONFIG_ENV	BUNDLE_DIR_CONFIG "env/"	/* config/env/<VAR>.yaml: config from env */
#define BUNDLE_EXT_CONFIG	".yaml"

#define BUNDLE_DIR_ECS		"ecs/"			/* ecs/<document>.json: saved AWS ECS outputs */

/* Whether path starts with the folder dir (a BUNDLE_DIR_* literal). */
#define BUNDLE_IN_DIR(path, dir)	(strncmp((path), (dir), sizeof(dir) - 1) == 0)
/* The length of a BUNDLE_DIR_* or BUNDLE_EXT_* literal. */
#define BUNDLE_DIR_LEN(dir)		(sizeof(dir) - 1)

#endif
