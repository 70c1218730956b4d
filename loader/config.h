/*
 * config.h: the settings of `medload run` and where each came from.
 *
 * Precedence, lowest first: defaults, the YAML file (--config), the .env
 * file (--env-file), the environment, command-line flags. Every setting has
 * a YAML key (step_time), a flag (--step-time) and, for the seed's
 * settings, an environment variable (STEP_TIME). Secrets (API keys) are
 * read from files or the environment, never from argv or YAML, and are
 * masked whenever settings are shown.
 */
#ifndef MEDLOAD_CONFIG_H
#define MEDLOAD_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "shape.h"

struct json_object;

enum config_scenario {
	CONFIG_SCENARIO_MEDIATION,
	CONFIG_SCENARIO_SEED,
	CONFIG_SCENARIO_HTTP,
	CONFIG_SCENARIO_EDGE,
};
enum config_protocol {
	CONFIG_PROTOCOL_AUTO,
	CONFIG_PROTOCOL_CONNECTIONS,
	CONFIG_PROTOCOL_OOB,
};
enum config_edge_task { CONFIG_EDGE_TASK_MEDIATOR, CONFIG_EDGE_TASK_PEER };
enum config_edge_pickup {
	CONFIG_EDGE_PICKUP_AUTO, CONFIG_EDGE_PICKUP_IMPLICIT,
	CONFIG_EDGE_PICKUP_V2
};
enum config_pacing { CONFIG_PACING_THINK, CONFIG_PACING_OPEN };
enum config_progress {
	CONFIG_PROGRESS_AUTO, CONFIG_PROGRESS_TTY, CONFIG_PROGRESS_PLAIN,
	CONFIG_PROGRESS_NONE
};

struct config {
	struct shape shape;
	char *admin_url;		/* multi-tenant ACA-Py admin API */
	char *admin_api_key_file;
	char *invitation_url;		/* mediator invitation (c_i=/oob=) */
	char *mediator_admin_url;	/* fetch the invitation from here */
	char *mediator_api_key_file;
	char *url;			/* scenario http: the URL to GET */
	char *edge_ws;			/* edge: sessions at this ws:// URL */
	int edge_task;			/* enum config_edge_task */
	int edge_pickup;		/* enum config_edge_pickup */
	unsigned edge_pickup_limit;	/* Pickup 2.0 batch, 1..100 */
	double edge_offline;		/* peer: seconds offline, 0 = never */
	unsigned mediator_pid;		/* sampled from /proc; 0 = none */
	int scenario;			/* enum config_scenario */
	int protocol;			/* enum config_protocol */
	int pacing;			/* enum config_pacing */
	int progress;			/* enum config_progress */
	double active_fraction;		/* open pacing: tasks/s per user */
	double rate;			/* open pacing: tasks/s (0 = off) */
	double think_min, think_max;	/* think pacing, seconds */
	double request_timeout;		/* seconds */
	double wait_timeout;		/* deadline of a state wait */
	double poll_interval;		/* first poll delay; doubles to 2 s */
	unsigned retries;		/* per failed setup step */
	unsigned connections;		/* max connections to one host */
	unsigned max_setups;		/* users setting up at once; 0 = any */
	double grace;			/* seconds for in-flight work at stop */
	int insecure;
	int allow_remote;		/* targets beyond 127.0.0.1 allowed */
	char *cacert;
	char *metrics;			/* ADDR:PORT of the live view, or NULL */
	char *out_dir;
	char *run_id;			/* NULL = generated */
	char *csv_prefix;		/* NULL = <run dir>/medload */
	char *label_prefix;		/* tenant wallet names start so */
	unsigned shard_index;		/* 1-based; 0 = not sharded */
	unsigned shard_count;
	unsigned long long seed;	/* random seed (think times) */

	/* secrets, filled by config_finish; never printed */
	char *admin_api_key;
	char *mediator_api_key;
	const char *admin_api_key_src;
	const char *mediator_api_key_src;

	char **src;			/* where each setting came from */
	char *key_src_buf[2];

	/*
	 * Not a setting: a judge of each load step (run --find-knee), or
	 * NULL. Called once a step has ended and half a step more has
	 * passed (so its slow requests count) with the client's steps so
	 * far (stats_steps_json, borrowed) and the step (1-based); returns
	 * 1 to stop the run, with *why (caller frees) saying why, else 0.
	 */
	int (*step_judge)(void *arg, struct json_object *steps,
	    unsigned step, char **why);
	void *step_judge_arg;
};

/* Sets every default. Release with config_release. */
void config_init(struct config *c);

/* Frees what c holds (secrets are wiped first). */
void config_release(struct config *c);

/*
 * Sets one setting from text. key is the YAML key ("step_time") or the
 * flag name ("step-time"); src says where the value came from (copied).
 * Returns 0, or -1 with *cause ("step_time: expected a duration (like 30s),
 * got \"x\"").
 */
int config_set(struct config *c, const char *key, const char *value,
    const char *src, char **cause);

/*
 * Reads a YAML file: one mapping of settings; "stages" may be a sequence of
 * {duration, users, spawn_rate} mappings. Errors name the file, line and
 * column and the expected type.
 */
int config_load_yaml(struct config *c, const char *path, char **cause);

/*
 * Applies the seed's environment variables (MEDIATOR_INVITATION_URL,
 * STEP_TIME, STEP_LOAD, SPAWN_RATE, TIME_LIMIT, LOCUST_HOST) as found by
 * get(name, arg) (getenv-like; NULL = unset). label names the source.
 */
int config_load_env(struct config *c, const char *(*get)(const char *,
    void *), void *arg, const char *label, char **cause);

/*
 * Parses a .env file (KEY=VALUE lines, # comments, blank lines, optional
 * "export ", optional single or double quotes) and applies the keys
 * config_load_env knows; others are ignored.
 */
int config_load_env_file(struct config *c, const char *path, char **cause);

/*
 * Parses .env text: calls fn(key, value, line, arg) for each assignment.
 * Returns 0, or -1 with *cause naming the line (name is used in messages).
 */
int config_parse_env_text(const char *name, const char *text,
    int (*fn)(const char *, const char *, unsigned, void *), void *arg,
    char **cause);

/*
 * Reads the secrets (API key files, MEDLOAD_ADMIN_API_KEY,
 * MEDLOAD_MEDIATOR_ADMIN_API_KEY) and checks the settings together.
 * With targets 0 (dry run, --print-config) the URLs need not be set.
 */
int config_finish(struct config *c, int targets, char **cause);

/*
 * Checks that url is one libcurl takes, http(s), on this machine unless
 * c->allow_remote; key names it in the message. Returns 0, or -1 with
 * *cause.
 */
int config_check_url(const struct config *c, const char *key,
    const char *url, char **cause);

/* Writes the effective settings as YAML, secrets masked, with sources. */
void config_print(const struct config *c, FILE *out);

/* The effective settings as JSON (secrets masked; caller puts). */
struct json_object *config_json(const struct config *c);

/* Names of the enums, for output. */
const char *config_scenario_name(int v);
const char *config_protocol_name(int v);
const char *config_pacing_name(int v);

/*
 * The command-line flag of setting i: its name ("step-time"), its value's
 * placeholder ("DUR", NULL for a switch) and its help text (static).
 * Returns 0, or -1 when i is past the last setting.
 */
int config_flag(size_t i, const char **flag, const char **arg,
    const char **help);

#endif
