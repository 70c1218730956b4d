/* config.c: settings from defaults, YAML, .env, environment and flags. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <yaml.h>

#include "live.h"
#include "timeutil.h"
#include "util.h"

enum config_type {
	T_STR, T_DUR, T_DUR0, T_UINT, T_FRAC, T_DOUBLE, T_BOOL, T_ENUM,
	T_SHARD, T_STAGES, T_U64,
};

struct config_setting {
	const char *key;	/* YAML key */
	const char *flag;	/* long option */
	const char *env;	/* seed environment variable or NULL */
	enum config_type type;
	size_t off;
	const char *names;	/* T_ENUM: "a|b|c" */
	const char *arg;	/* the flag's value placeholder; NULL: none */
	const char *help;	/* the flag's help text */
};

#define OFF(f) offsetof(struct config, f)
#define SOFF(f) (offsetof(struct config, shape) + offsetof(struct shape, f))

static const struct config_setting config_settings[] = {
	{ "admin_url", "admin-url", "LOCUST_HOST", T_STR, OFF(admin_url), 0,
	    "URL", "multi-tenant admin API (env LOCUST_HOST)" },
	{ "admin_api_key_file", "admin-api-key-file", NULL, T_STR,
	    OFF(admin_api_key_file), 0,
	    "F", "its x-api-key (or env MEDLOAD_ADMIN_API_KEY)" },
	{ "mediator_invitation_url", "invitation-url",
	    "MEDIATOR_INVITATION_URL", T_STR, OFF(invitation_url), 0,
	    "URL", "the mediator's invitation, ?c_i= or ?oob= (env\nMEDIATOR_INVITATION_URL)" },
	{ "mediator_admin_url", "mediator-admin-url", NULL, T_STR,
	    OFF(mediator_admin_url), 0,
	    "URL", "create a multi-use invitation on the mediator\ninstead" },
	{ "mediator_admin_api_key_file", "mediator-admin-api-key-file", NULL,
	    T_STR, OFF(mediator_api_key_file), 0,
	    "F", "its x-api-key (or env\nMEDLOAD_MEDIATOR_ADMIN_API_KEY)" },
	{ "scenario", "scenario", NULL, T_ENUM, OFF(scenario),
	    "mediation|seed|http|edge",
	    "S", "mediation (default), seed, http (GET --url), edge\n"
	    "(native DIDComm agents, no multi-tenant agent)" },
	{ "protocol", "protocol", NULL, T_ENUM, OFF(protocol),
	    "auto|connections|oob",
	    "P", "auto (default), connections, oob" },
	{ "url", "url", NULL, T_STR, OFF(url), 0,
	    "URL", "scenario http: the URL to GET" },
	{ "edge_ws", "edge-ws", NULL, T_STR, OFF(edge_ws), 0,
	    "URL", "edge: each agent holds a WebSocket session to the\n"
	    "mediator at URL (ws:// or wss://, its ws endpoint)\n"
	    "and sends everything after its setup on it" },
	{ "edge_task", "edge-task", NULL, T_ENUM, OFF(edge_task),
	    "mediator|peer",
	    "T", "edge: the task pings the mediator (default) or,\n"
	    "with --edge-ws, the pair's other agent through the\n"
	    "mediator's forwards" },
	{ "edge_pickup", "edge-pickup", NULL, T_ENUM, OFF(edge_pickup),
	    "auto|implicit|v2",
	    "M", "edge with --edge-ws: how queued messages are\n"
	    "fetched: v2 (Pickup 2.0: status, delivery and\n"
	    "messages-received, live mode), implicit (a ping\n"
	    "after each message), auto (default: v2 when the\n"
	    "mediator's discover-features lists it)" },
	{ "edge_pickup_limit", "edge-pickup-limit", NULL, T_UINT,
	    OFF(edge_pickup_limit), 0,
	    "N", "Pickup 2.0: messages asked for per delivery\n"
	    "(1-100; 10)" },
	{ "edge_offline", "edge-offline", NULL, T_DUR0, OFF(edge_offline), 0,
	    "DUR", "edge with --edge-task peer: the second agent of\n"
	    "each pair closes its session for DUR after every\n"
	    "DUR online; its peer's pings queue at the mediator\n"
	    "and are drained when it comes back" },
	{ "mediator_pid", "mediator-pid", NULL, T_UINT, OFF(mediator_pid), 0,
	    "PID", "edge with --edge-ws: sample this process's CPU\n"
	    "and memory (the local mediator) every 5 s" },
	{ "step_time", "step-time", "STEP_TIME", T_DUR, SOFF(step_time), 0,
	    "DUR", "users are added every DUR (env STEP_TIME; 30s)" },
	{ "step_load", "step-load", "STEP_LOAD", T_UINT, SOFF(step_load), 0,
	    "N", "users added per step (env STEP_LOAD; 10)" },
	{ "spawn_rate", "spawn-rate", "SPAWN_RATE", T_DOUBLE,
	    SOFF(spawn_rate), 0,
	    "R", "users started per second, the whole run's (shards\nshare "
	    "it; env SPAWN_RATE; 10)" },
	{ "time_limit", "time-limit", "TIME_LIMIT", T_DUR, SOFF(time_limit),
	    0,
	    "DUR", "length of the run (env TIME_LIMIT; 300s)" },
	{ "max_users", "max-users", NULL, T_UINT, SOFF(max_users), 0,
	    "N", "user cap (0 = none)" },
	{ "ramp_down", "ramp-down", NULL, T_DUR0, SOFF(ramp_down), 0,
	    "DUR", "lower users to 0 over DUR after the end" },
	{ "stages", "stages", NULL, T_STAGES, 0, 0,
	    "LIST", "DUR:USERS[:RATE],... instead of the step formula" },
	{ "pacing", "pacing", NULL, T_ENUM, OFF(pacing), "think|open",
	    "P", "think (2-5 s between a user's tasks) or open" },
	{ "active_fraction", "active-fraction", NULL, T_FRAC,
	    OFF(active_fraction), 0,
	    "F", "open: share of ready users starting a task a\nsecond (0.5)" },
	{ "rate", "rate", NULL, T_DOUBLE, OFF(rate), 0,
	    "R", "open: a fixed number of tasks a second" },
	{ "think_min", "think-min", NULL, T_DUR0, OFF(think_min), 0,
	    "DUR", "think pacing: shortest pause (2s)" },
	{ "think_max", "think-max", NULL, T_DUR0, OFF(think_max), 0,
	    "DUR", "think pacing: longest pause (5s)" },
	{ "request_timeout", "request-timeout", NULL, T_DUR,
	    OFF(request_timeout), 0,
	    "DUR", "per request (30s)" },
	{ "wait_timeout", "wait-timeout", NULL, T_DUR, OFF(wait_timeout), 0,
	    "DUR", "deadline of a wait for a state change (60s)" },
	{ "poll_interval", "poll-interval", NULL, T_DUR, OFF(poll_interval),
	    0,
	    "DUR", "first poll of a wait; doubles up to 2s (250ms)" },
	{ "retries", "retries", NULL, T_UINT, OFF(retries), 0,
	    "N", "retries of a failed setup step (2)" },
	{ "connections", "connections", NULL, T_UINT, OFF(connections), 0,
	    "N", "max connections to the host (100)" },
	{ "max_setups", "max-setups", NULL, T_UINT, OFF(max_setups), 0,
	    "N", "at most N users setting up at once, the whole\n"
	    "run's (0 = no cap, the default): a start waits\n"
	    "for a setup to end, so the ramp goes at the\n"
	    "mediator's pace and setups never queue into\n"
	    "timeouts" },
	{ "grace", "grace", NULL, T_DUR0, OFF(grace), 0,
	    "DUR", "time for requests in flight at the end (10s)" },
	{ "insecure", "insecure", NULL, T_BOOL, OFF(insecure), 0,
	    NULL, "do not verify TLS certificates (not recommended)" },
	{ "allow_remote", "allow-remote", "MEDLOAD_ALLOW_REMOTE", T_BOOL,
	    OFF(allow_remote), 0,
	    NULL, "load hosts other than 127.0.0.1/localhost/[::1]\n(env MEDLOAD_ALLOW_REMOTE=1); without it, medload\nrefuses to send load anywhere else" },
	{ "metrics", "metrics", "MEDLOAD_METRICS", T_STR, OFF(metrics), 0,
	    "ADDR:PORT", "serve the run's figures live: Prometheus text on\n"
	    "/metrics and a page on / (loopback only, unless\n--allow-remote; "
	    "env MEDLOAD_METRICS)" },
	{ "cacert", "cacert", NULL, T_STR, OFF(cacert), 0,
	    "FILE", "trust this CA bundle for https and wss" },
	{ "out_dir", "out-dir", NULL, T_STR, OFF(out_dir), 0,
	    "DIR", "results go to DIR/RUN_ID/ (default runs)" },
	{ "run_id", "run-id", NULL, T_STR, OFF(run_id), 0,
	    "ID", "the run's id (default: time and a random suffix)" },
	{ "csv_prefix", "csv", NULL, T_STR, OFF(csv_prefix), 0,
	    "PREFIX", "Locust CSVs as PREFIX_*.csv (default in the run\ndirectory)" },
	{ "label_prefix", "label-prefix", NULL, T_STR, OFF(label_prefix), 0,
	    "P", "tenant wallet names start with P (medload)" },
	{ "shard", "shard", NULL, T_SHARD, 0, 0,
	    "I/N", "shard I of N (needs --run-id)" },
	{ "progress", "progress", NULL, T_ENUM, OFF(progress),
	    "auto|tty|plain|none",
	    "P", "auto, tty, plain, none" },
	{ "seed", "seed", NULL, T_U64, OFF(seed), 0,
	    "N", "random seed for think times" },
};
#define NSETTINGS (sizeof(config_settings) / sizeof(config_settings[0]))

/* Finds a setting by YAML key or flag name. */
static const struct config_setting *
config_find(const char *key, size_t *idx)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++)
		if (strcmp(config_settings[i].key, key) == 0 ||
		    strcmp(config_settings[i].flag, key) == 0) {
			if (idx != NULL)
				*idx = i;
			return &config_settings[i];
		}
	return NULL;
}

int
config_flag(size_t i, const char **flag, const char **arg, const char **help)
{
	if (i >= NSETTINGS)
		return -1;
	*flag = config_settings[i].flag;
	*arg = config_settings[i].arg;
	*help = config_settings[i].help;
	return 0;
}

/* Sets the source of setting i. */
static void
config_src(struct config *c, size_t i, const char *src)
{
	free(c->src[i]);
	c->src[i] = util_strdup(src);
}

void
config_init(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	c->src = util_calloc(NSETTINGS, sizeof(char *));
	for (i = 0; i < NSETTINGS; i++)
		c->src[i] = util_strdup("default");
	c->shape.step_time = 30;
	c->shape.step_load = 10;
	c->shape.spawn_rate = 10;
	c->shape.time_limit = 300;
	c->admin_url = util_strdup("http://127.0.0.1:9014");
	c->scenario = CONFIG_SCENARIO_MEDIATION;
	c->protocol = CONFIG_PROTOCOL_AUTO;
	c->pacing = CONFIG_PACING_THINK;
	c->active_fraction = 0.5;
	c->think_min = 2;
	c->think_max = 5;
	c->request_timeout = 30;
	c->wait_timeout = 60;
	c->poll_interval = 0.25;
	c->retries = 2;
	c->edge_pickup_limit = 10;
	c->connections = 100;
	c->grace = 10;
	c->out_dir = util_strdup("runs");
	c->label_prefix = util_strdup("medload");
}

/* Frees a secret after overwriting it. */
static void
config_wipe(char *s)
{
	if (s != NULL) {
		volatile char *p = s;

		while (*p != '\0')
			*p++ = '\0';
		free(s);
	}
}

void
config_release(struct config *c)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (config_settings[i].type == T_STR)
			free(*(char **)((char *)c + config_settings[i].off));
		if (c->src != NULL)
			free(c->src[i]);
	}
	free(c->src);
	config_wipe(c->admin_api_key);
	config_wipe(c->mediator_api_key);
	free(c->key_src_buf[0]);
	free(c->key_src_buf[1]);
	memset(c, 0, sizeof(*c));
}

/* Index of name in "a|b|c", or -1. */
static int
config_enum_index(const char *names, const char *name)
{
	size_t n = strlen(name);
	const char *p = names;
	int i = 0;

	for (;;) {
		size_t len = strcspn(p, "|");

		if (len == n && strncmp(p, name, n) == 0)
			return i;
		if (p[len] == '\0')
			return -1;
		p += len + 1;
		i++;
	}
}

/* The i-th name of "a|b|c" into buf. */
static const char *
config_enum_name(const char *names, int v, char *buf, size_t size)
{
	const char *p = names;
	size_t len;
	int i;

	for (i = 0; i < v && strchr(p, '|') != NULL; i++)
		p = strchr(p, '|') + 1;
	len = strcspn(p, "|");
	if (len >= size)
		len = size - 1;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return buf;
}

const char *
config_scenario_name(int v)
{
	static const char *n[] = { "mediation", "seed", "http", "edge" };

	return v >= 0 && v < 4 ? n[v] : "?";
}

const char *
config_protocol_name(int v)
{
	static const char *n[] = { "auto", "connections", "oob" };

	return v >= 0 && v < 3 ? n[v] : "?";
}

const char *
config_pacing_name(int v)
{
	return v == CONFIG_PACING_OPEN ? "open" : "think";
}

/* Parses a duration, accepting 0 when zero_ok. */
static int
config_duration(const char *s, int zero_ok, double *out)
{
	double v;

	if (zero_ok && util_parse_double(s, &v) == 0 && v == 0) {
		*out = 0;
		return 0;
	}
	if (time_parse_duration(s, out) == -1)
		return -1;
	return zero_ok || *out > 0 ? 0 : -1;
}

/* Parses "I/N" into the shard; "" (as config.yaml writes none) is none. */
static int
config_shard_text(struct config *c, const char *value, char **cause)
{
	unsigned long long i, n;
	const char *slash = strchr(value, '/');
	char *a;
	int bad;

	if (*value == '\0') {
		c->shard_index = c->shard_count = 0;
		return 0;
	}
	if (slash == NULL)
		goto bad;
	a = util_strndup(value, (size_t)(slash - value));
	bad = util_parse_uint(a, 64, &i) == -1 ||
	    util_parse_uint(slash + 1, 64, &n) == -1 || i < 1 || i > n;
	free(a);
	if (bad)
		goto bad;
	c->shard_index = (unsigned)i;
	c->shard_count = (unsigned)n;
	return 0;
bad:
	return util_fail(cause, "shard: expected I/N with 1 <= I <= N <= 64, "
	    "got \"%s\"", value);
}

/* Parses "DUR:USERS[:RATE],..." into the shape's stages. */
static int
config_stages_text(struct config *c, const char *s, char **cause)
{
	char *copy = util_strdup(s), *tok, *save = NULL;
	struct shape_stage st;
	size_t n = 0;

	for (tok = strtok_r(copy, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		char *u = strchr(tok, ':'), *r;
		unsigned long long users;

		memset(&st, 0, sizeof(st));
		if (u == NULL)
			goto bad;
		*u++ = '\0';
		r = strchr(u, ':');
		if (r != NULL)
			*r++ = '\0';
		if (time_parse_duration(tok, &st.duration) == -1 ||
		    !(st.duration > 0) ||
		    util_parse_uint(u, 10000000, &users) == -1 ||
		    (r != NULL && (util_parse_double(r, &st.spawn_rate) ==
		    -1 || !(st.spawn_rate > 0))))
			goto bad;
		st.users = (unsigned)users;
		if (n == SHAPE_MAX_STAGES) {
			free(copy);
			return util_fail(cause, "stages: more than %d",
			    SHAPE_MAX_STAGES);
		}
		c->shape.stages[n++] = st;
	}
	free(copy);
	c->shape.nstages = n;
	return 0;
bad:
	free(copy);
	return util_fail(cause, "stages: expected DURATION:USERS[:RATE],... "
	    "(like 30s:10,1m:20), got \"%s\"", s);
}

int
config_set(struct config *c, const char *key, const char *value,
    const char *src, char **cause)
{
	const struct config_setting *s;
	unsigned long long u;
	size_t idx;
	void *p;
	double d;
	int e;

	s = config_find(key, &idx);
	if (s == NULL)
		return util_fail(cause, "unknown setting \"%s\"", key);
	p = (char *)c + s->off;
	switch (s->type) {
	case T_STR:
		free(*(char **)p);
		*(char **)p = value[0] != '\0' ? util_strdup(value) : NULL;
		break;
	case T_DUR:
	case T_DUR0:
		if (config_duration(value, s->type == T_DUR0, &d) == -1)
			return util_fail(cause, "%s: expected a duration (like "
			    "30s, 5m%s), got \"%s\"", s->key,
			    s->type == T_DUR0 ? " or 0" : "", value);
		*(double *)p = d;
		break;
	case T_UINT:
	case T_U64:
		if (util_parse_uint(value, s->type == T_UINT ? 10000000 :
		    ~0ULL, &u) == -1)
			return util_fail(cause, "%s: expected a whole number "
			    "%s, got \"%s\"", s->key, s->type == T_UINT ?
			    "from 0 to 10000000" : ">= 0", value);
		if (s->type == T_UINT)
			*(unsigned *)p = (unsigned)u;
		else
			*(unsigned long long *)p = u;
		break;
	case T_FRAC:
		if (util_parse_double(value, &d) == -1 || d < 0 || d > 1)
			return util_fail(cause, "%s: expected a fraction "
			    "from 0 to 1, got \"%s\"", s->key, value);
		*(double *)p = d;
		break;
	case T_DOUBLE:
		if (util_parse_double(value, &d) == -1 || d < 0)
			return util_fail(cause, "%s: expected a number >= 0, "
			    "got \"%s\"", s->key, value);
		*(double *)p = d;
		break;
	case T_BOOL:
		if (strcmp(value, "true") == 0 || strcmp(value, "1") == 0 ||
		    strcmp(value, "yes") == 0)
			*(int *)p = 1;
		else if (strcmp(value, "false") == 0 ||
		    strcmp(value, "0") == 0 || strcmp(value, "no") == 0)
			*(int *)p = 0;
		else
			return util_fail(cause, "%s: expected true or false, "
			    "got \"%s\"", s->key, value);
		break;
	case T_ENUM:
		e = config_enum_index(s->names, value);
		if (e == -1)
			return util_fail(cause, "%s: expected one of %s, got "
			    "\"%s\"", s->key, s->names, value);
		*(int *)p = e;
		break;
	case T_SHARD:
		return config_shard_text(c, value, cause);
	case T_STAGES:
		if (config_stages_text(c, value, cause) == -1)
			return -1;
		break;
	}
	config_src(c, idx, src);
	return 0;
}

/* One libyaml event, with its kind named for messages. */
static const char *
config_yaml_kind(const yaml_event_t *ev)
{
	switch (ev->type) {
	case YAML_SCALAR_EVENT: return "a scalar";
	case YAML_SEQUENCE_START_EVENT: return "a sequence";
	case YAML_MAPPING_START_EVENT: return "a mapping";
	case YAML_ALIAS_EVENT: return "an alias";
	default: return "the end of the document";
	}
}

/* The type a setting expects, for messages. */
static const char *
config_type_name(const struct config_setting *s)
{
	switch (s->type) {
	case T_STR: return "a string";
	case T_DUR: return "a duration (like 30s)";
	case T_DUR0: return "a duration (like 30s) or 0";
	case T_UINT: case T_U64: return "a whole number";
	case T_FRAC: return "a fraction from 0 to 1";
	case T_DOUBLE: return "a number";
	case T_BOOL: return "true or false";
	case T_ENUM: return s->names;
	case T_SHARD: return "I/N";
	case T_STAGES: return "a sequence of {duration, users} mappings";
	}
	return "?";
}

struct config_yaml {
	yaml_parser_t parser;
	yaml_event_t ev;
	int have;
	const char *path;
};

/* Reads the next event; -1 with *cause on a syntax error. */
static int
config_yaml_next(struct config_yaml *y, char **cause)
{
	if (y->have)
		yaml_event_delete(&y->ev);
	y->have = 0;
	if (!yaml_parser_parse(&y->parser, &y->ev))
		return util_fail(cause, "%s:%zu:%zu: YAML syntax error: %s",
		    y->path, y->parser.problem_mark.line + 1,
		    y->parser.problem_mark.column + 1,
		    y->parser.problem ? y->parser.problem : "?");
	y->have = 1;
	return 0;
}

/* Fails at the current event. */
static int
config_yaml_fail(struct config_yaml *y, char **cause, const char *what)
{
	return util_fail(cause, "%s:%zu:%zu: %s", y->path,
	    y->ev.start_mark.line + 1, y->ev.start_mark.column + 1, what);
}

/* Reads a stages sequence (the sequence-start event is current). */
static int
config_yaml_stages(struct config *c, struct config_yaml *y, char **cause)
{
	size_t n = 0;
	char *msg;
	int rc;

	for (;;) {
		struct shape_stage st;
		int have_d = 0, have_u = 0;

		if (config_yaml_next(y, cause) == -1)
			return -1;
		if (y->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (y->ev.type != YAML_MAPPING_START_EVENT) {
			msg = util_printf("stages[%zu]: expected a mapping "
			    "{duration, users, spawn_rate}, got %s", n,
			    config_yaml_kind(&y->ev));
			rc = config_yaml_fail(y, cause, msg);
			free(msg);
			return rc;
		}
		if (n == SHAPE_MAX_STAGES)
			return config_yaml_fail(y, cause, "stages: too many");
		memset(&st, 0, sizeof(st));
		for (;;) {
			char *k;
			const char *v;
			unsigned long long u;
			int bad = 0;

			if (config_yaml_next(y, cause) == -1)
				return -1;
			if (y->ev.type == YAML_MAPPING_END_EVENT)
				break;
			if (y->ev.type != YAML_SCALAR_EVENT)
				return config_yaml_fail(y, cause,
				    "stages: expected a key");
			k = util_strdup((const char *)y->ev.data.scalar.value);
			if (config_yaml_next(y, cause) == -1) {
				free(k);
				return -1;
			}
			v = y->ev.type == YAML_SCALAR_EVENT ?
			    (const char *)y->ev.data.scalar.value : NULL;
			if (strcmp(k, "duration") == 0) {
				bad = v == NULL ||
				    time_parse_duration(v, &st.duration) ==
				    -1 || !(st.duration > 0);
				have_d = 1;
				msg = util_printf("stages[%zu].duration: "
				    "expected a duration (like 30s), "
				    "got %s%s%s", n, v ? "\"" : "", v ? v :
				    config_yaml_kind(&y->ev), v ? "\"" : "");
			} else if (strcmp(k, "users") == 0) {
				bad = v == NULL ||
				    util_parse_uint(v, 10000000, &u) == -1;
				if (!bad)
					st.users = (unsigned)u;
				have_u = 1;
				msg = util_printf("stages[%zu].users: "
				    "expected a whole number, got %s%s%s", n,
				    v ? "\"" : "", v ? v :
				    config_yaml_kind(&y->ev), v ? "\"" : "");
			} else if (strcmp(k, "spawn_rate") == 0) {
				bad = v == NULL || util_parse_double(v,
				    &st.spawn_rate) == -1 ||
				    !(st.spawn_rate > 0);
				msg = util_printf("stages[%zu].spawn_rate: "
				    "expected a number > 0, got %s%s%s", n,
				    v ? "\"" : "", v ? v :
				    config_yaml_kind(&y->ev), v ? "\"" : "");
			} else {
				bad = 1;
				msg = util_printf("stages[%zu]: unknown key "
				    "\"%s\" (expected duration, users, "
				    "spawn_rate)", n, k);
			}
			free(k);
			if (bad) {
				rc = config_yaml_fail(y, cause, msg);
				free(msg);
				return rc;
			}
			free(msg);
		}
		if (!have_d || !have_u)
			return config_yaml_fail(y, cause, "stages: each stage "
			    "needs duration and users");
		c->shape.stages[n++] = st;
	}
	c->shape.nstages = n;
	return 0;
}

/* Checks a "thresholds" value is a sequence of strings and passes it. */
static int
config_yaml_thresholds(struct config_yaml *y, char **cause)
{
	char *msg;
	int rc;

	if (config_yaml_next(y, cause) == -1)
		return -1;
	if (y->ev.type == YAML_SEQUENCE_START_EVENT) {
		for (;;) {
			if (config_yaml_next(y, cause) == -1)
				return -1;
			if (y->ev.type == YAML_SEQUENCE_END_EVENT)
				return 0;
			if (y->ev.type != YAML_SCALAR_EVENT)
				break;
		}
	}
	msg = util_printf("thresholds: expected a sequence of expressions, "
	    "got %s", config_yaml_kind(&y->ev));
	rc = config_yaml_fail(y, cause, msg);
	free(msg);
	return rc;
}

/*
 * Reads the next setting of the top mapping into c. Returns 1 at the
 * mapping's end, 0 after a setting, -1 with *cause.
 */
static int
config_yaml_setting(struct config *c, struct config_yaml *y,
    const char *path, char **cause)
{
	const struct config_setting *s;
	char *key, *src, *msg = NULL;
	size_t line, col, idx;
	int rc;

	if (config_yaml_next(y, cause) == -1)
		return -1;
	if (y->ev.type == YAML_MAPPING_END_EVENT)
		return 1;
	if (y->ev.type != YAML_SCALAR_EVENT)
		return config_yaml_fail(y, cause, "expected a setting name");
	key = util_strdup((const char *)y->ev.data.scalar.value);
	if (strcmp(key, "thresholds") == 0) {
		/* read by medload run --report (threshold.h) */
		free(key);
		return config_yaml_thresholds(y, cause);
	}
	s = config_find(key, NULL);
	if (s == NULL || strcmp(s->key, key) != 0) {
		msg = util_printf("unknown setting \"%s\"", key);
		rc = config_yaml_fail(y, cause, msg);
		free(msg);
		free(key);
		return rc;
	}
	free(key);
	if (config_yaml_next(y, cause) == -1)
		return -1;
	line = y->ev.start_mark.line + 1;
	col = y->ev.start_mark.column + 1;
	if (s->type == T_STAGES && y->ev.type == YAML_SEQUENCE_START_EVENT) {
		if (config_yaml_stages(c, y, cause) == -1)
			return -1;
		config_find(s->key, &idx);
		src = util_printf("file %s:%zu", path, line);
		config_src(c, idx, src);
		free(src);
		return 0;
	}
	if (y->ev.type != YAML_SCALAR_EVENT) {
		msg = util_printf("%s: expected %s, got %s", s->key,
		    config_type_name(s), config_yaml_kind(&y->ev));
		rc = config_yaml_fail(y, cause, msg);
		free(msg);
		return rc;
	}
	src = util_printf("file %s:%zu", path, line);
	rc = config_set(c, s->key, (const char *)y->ev.data.scalar.value, src,
	    &msg);
	if (rc == -1)
		util_fail(cause, "%s:%zu:%zu: %s", path, line, col, msg);
	free(msg);
	free(src);
	return rc;
}

int
config_load_yaml(struct config *c, const char *path, char **cause)
{
	struct config_yaml y;
	FILE *f;
	int rc = -1, more;

	f = fopen(path, "rb");
	if (f == NULL)
		return util_fail(cause, "%s: %s", path, strerror(errno));
	memset(&y, 0, sizeof(y));
	y.path = path;
	yaml_parser_initialize(&y.parser);
	yaml_parser_set_input_file(&y.parser, f);
	if (config_yaml_next(&y, cause) == -1)	/* stream start */
		goto out;
	if (config_yaml_next(&y, cause) == -1)
		goto out;
	if (y.ev.type == YAML_STREAM_END_EVENT) {
		rc = 0;		/* empty file */
		goto out;
	}
	if (config_yaml_next(&y, cause) == -1)	/* after document start */
		goto out;
	if (y.ev.type == YAML_SCALAR_EVENT &&
	    y.ev.data.scalar.length == 0) {
		rc = 0;		/* "---" alone */
		goto out;
	}
	if (y.ev.type != YAML_MAPPING_START_EVENT) {
		char *msg = util_printf("expected a mapping of settings, got "
		    "%s", config_yaml_kind(&y.ev));

		config_yaml_fail(&y, cause, msg);
		free(msg);
		goto out;
	}
	while ((more = config_yaml_setting(c, &y, path, cause)) == 0)
		;
	if (more == -1)
		goto out;
	if (config_yaml_next(&y, cause) == -1)	/* document end */
		goto out;
	if (config_yaml_next(&y, cause) == -1)
		goto out;
	if (y.ev.type != YAML_STREAM_END_EVENT) {
		config_yaml_fail(&y, cause, "expected one YAML document");
		goto out;
	}
	rc = 0;
out:
	if (y.have)
		yaml_event_delete(&y.ev);
	yaml_parser_delete(&y.parser);
	fclose(f);
	return rc;
}

int
config_load_env(struct config *c, const char *(*get)(const char *, void *),
    void *arg, const char *label, char **cause)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		const struct config_setting *s = &config_settings[i];
		const char *v;
		char *src;
		int rc;

		if (s->env == NULL || (v = get(s->env, arg)) == NULL)
			continue;
		src = util_printf("%s %s", label, s->env);
		rc = config_set(c, s->key, v, src, cause);
		free(src);
		if (rc == -1) {
			char *m = *cause;

			*cause = util_printf("%s %s: %s", label, s->env, m);
			free(m);
			return -1;
		}
	}
	return 0;
}

int
config_parse_env_text(const char *name, const char *text,
    int (*fn)(const char *, const char *, unsigned, void *), void *arg,
    char **cause)
{
	const char *p = text;
	unsigned lineno = 0;

	while (*p != '\0') {
		const char *end = p + strcspn(p, "\n");
		char *line = util_strndup(p, (size_t)(end - p)), *k, *v, *e;
		size_t n;
		int rc;

		lineno++;
		p = *end ? end + 1 : end;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		k = line;
		while (isspace((unsigned char)*k))
			k++;
		if (*k == '\0' || *k == '#') {
			free(line);
			continue;
		}
		if (strncmp(k, "export ", 7) == 0)
			k += 7;
		while (isspace((unsigned char)*k))
			k++;
		v = strchr(k, '=');
		if (v == NULL) {
			free(line);
			return util_fail(cause, "%s:%u: expected KEY=VALUE",
			    name, lineno);
		}
		*v++ = '\0';
		for (e = v - 1; e > k && isspace((unsigned char)e[-1]); e--)
			e[-1] = '\0';
		if (*k == '\0') {
			free(line);
			return util_fail(cause, "%s:%u: no variable name "
			    "before '='", name, lineno);
		}
		for (e = k; *e != '\0'; e++)
			if (!(isalnum((unsigned char)*e) || *e == '_')) {
				/* the message quotes the line: free it after */
				rc = util_fail(cause, "%s:%u: \"%s\" is not "
				    "a variable name", name, lineno, k);
				free(line);
				return rc;
			}
		while (isspace((unsigned char)*v))
			v++;
		if (*v == '"' || *v == '\'') {
			char *q = strrchr(v + 1, *v);

			if (q == NULL) {
				free(line);
				return util_fail(cause, "%s:%u: unterminated "
				    "quote", name, lineno);
			}
			*q = '\0';
			v++;
		} else {
			/* unquoted: a " #" starts a comment */
			char *hash = strstr(v, " #");

			if (hash != NULL)
				*hash = '\0';
			n = strlen(v);
			while (n > 0 && isspace((unsigned char)v[n - 1]))
				v[--n] = '\0';
		}
		rc = fn(k, v, lineno, arg);
		free(line);
		if (rc == -1)
			return -1;
	}
	return 0;
}

struct config_envfile {
	struct config *c;
	const char *path;
	char **cause;
	/* collected assignments, applied after parsing */
	char *keys[64], *vals[64];
	unsigned lines[64];
	size_t n;
};

/* Keeps one .env assignment. */
static int
config_envfile_one(const char *k, const char *v, unsigned line, void *arg)
{
	struct config_envfile *e = arg;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->keys[i], k) == 0) {
			free(e->vals[i]);
			e->vals[i] = util_strdup(v);
			e->lines[i] = line;
			return 0;
		}
	if (e->n == 64)
		return util_fail(e->cause, "%s:%u: more than 64 variables",
		    e->path, line);
	e->keys[e->n] = util_strdup(k);
	e->vals[e->n] = util_strdup(v);
	e->lines[e->n++] = line;
	return 0;
}

/* Lookup function over the collected .env assignments. */
static const char *
config_envfile_get(const char *name, void *arg)
{
	struct config_envfile *e = arg;
	size_t i;

	for (i = 0; i < e->n; i++)
		if (strcmp(e->keys[i], name) == 0)
			return e->vals[i];
	return NULL;
}

int
config_load_env_file(struct config *c, const char *path, char **cause)
{
	struct config_envfile e;
	struct strbuf b;
	char buf[4096];
	size_t n, i;
	FILE *f;
	int rc;

	f = fopen(path, "rb");
	if (f == NULL)
		return util_fail(cause, "%s: %s", path, strerror(errno));
	strbuf_init(&b, 1 << 20);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (strbuf_add(&b, buf, n) == -1)
			break;
	rc = ferror(f) ? -1 : 0;
	fclose(f);
	if (rc == -1 || b.toobig) {
		strbuf_release(&b);
		return util_fail(cause, "%s: %s", path, rc == -1 ?
		    "read error" : "larger than 1 MiB");
	}
	memset(&e, 0, sizeof(e));
	e.c = c;
	e.path = path;
	e.cause = cause;
	rc = config_parse_env_text(path, b.data ? b.data : "",
	    config_envfile_one, &e, cause);
	if (rc == 0) {
		char *label = util_printf("env-file %s", path);

		rc = config_load_env(c, config_envfile_get, &e, label, cause);
		free(label);
	}
	for (i = 0; i < e.n; i++) {
		free(e.keys[i]);
		free(e.vals[i]);
	}
	strbuf_release(&b);
	return rc;
}

/* Reads a secret file's first line (caller frees). */
static char *
config_read_secret(const char *path, char **cause)
{
	char buf[4096];
	size_t n;
	FILE *f;

	f = fopen(path, "rb");
	if (f == NULL) {
		util_fail(cause, "%s: %s", path, strerror(errno));
		return NULL;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '\0') {
		util_fail(cause, "%s: empty API key file", path);
		return NULL;
	}
	return util_strdup(buf);
}

/* Whether host (as libcurl's parser returns it) is this machine. */
static int
config_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 ||
	    strcmp(host, "localhost") == 0 || strcmp(host, "[::1]") == 0;
}

/*
 * Checks that a URL is one libcurl will take, http(s), and on the loopback
 * address unless remote targets were allowed: a load test aimed at another
 * machine is a choice to make explicitly. The host is the one libcurl's
 * parser finds, so user information ("localhost:80@host") cannot pass for
 * a local address.
 */
static int
config_check_target(const struct config *c, const char *key,
    const char *url, int ws, char **cause)
{
	char *scheme = NULL, *host = NULL;
	CURLUcode uc;
	CURLU *u;
	int rc = 0;

	if ((u = curl_url()) == NULL)
		return util_fail(cause, "%s: out of memory", key);
	uc = curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME);
	if (uc != CURLUE_OK)
		rc = util_fail(cause, "%s: \"%s\" is not a valid URL (%s)", key,
		    url, curl_url_strerror(uc));
	else if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, ws ? "ws" : "http") != 0 &&
	    strcmp(scheme, ws ? "wss" : "https") != 0))
		rc = util_fail(cause, "%s: \"%s\" is not %s", key, url,
		    ws ? "a ws:// or wss:// URL" :
		    "an http:// or https:// URL");
	else if (!c->allow_remote && (curl_url_get(u, CURLUPART_HOST, &host,
	    0) != CURLUE_OK || !config_loopback(host)))
		rc = util_fail(cause, "%s: \"%s\" is not on this machine "
		    "(127.0.0.1, localhost or [::1]); give --allow-remote (or "
		    "MEDLOAD_ALLOW_REMOTE=1) to load another host", key, url);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return rc;
}

int
config_check_url(const struct config *c, const char *key, const char *url,
    char **cause)
{
	return config_check_target(c, key, url, 0, cause);
}

/*
 * Reads one API key by the documented precedence: a key file named by a
 * flag, else the environment variable env, else a key file from the YAML
 * or .env file. *out and *src are set when a key was found. 0 or -1.
 */
static int
config_secret(struct config *c, const char *key, const char *env, int slot,
    char **out, const char **src, char **cause)
{
	const struct config_setting *s;
	const char *file, *v = getenv(env);
	size_t i;

	s = config_find(key, &i);
	file = *(char **)((char *)c + s->off);
	if (file != NULL && (strncmp(c->src[i], "flag", 4) == 0 ||
	    v == NULL || *v == '\0')) {
		*out = config_read_secret(file, cause);
		if (*out == NULL)
			return -1;
		c->key_src_buf[slot] = util_printf("file %s", file);
		*src = c->key_src_buf[slot];
	} else if (v != NULL && *v != '\0') {
		*out = util_strdup(v);
		c->key_src_buf[slot] = util_printf("env %s", env);
		*src = c->key_src_buf[slot];
	}
	return 0;
}

/* The Pickup 2.0 and offline settings against the others. */
static int
config_check_edge(const struct config *c, char **cause)
{
	if (c->edge_pickup_limit < 1 || c->edge_pickup_limit > 100)
		return util_fail(cause, "edge_pickup_limit must be 1 to 100, "
		    "not %u", c->edge_pickup_limit);
	if (c->edge_ws == NULL && (c->edge_pickup !=
	    CONFIG_EDGE_PICKUP_AUTO || c->edge_pickup_limit != 10))
		return util_fail(cause, "edge_pickup and edge_pickup_limit "
		    "need edge_ws (pickup is over sessions)");
	if (c->edge_offline > 0 && c->edge_task != CONFIG_EDGE_TASK_PEER)
		return util_fail(cause, "edge_offline needs edge_task peer "
		    "(agents go offline from their peers)");
	if (c->edge_offline > 0 && c->edge_offline < 1)
		return util_fail(cause, "edge_offline must be at least 1s, "
		    "not %g s", c->edge_offline);
	return 0;
}

int
config_finish(struct config *c, int targets, char **cause)
{
	size_t n;

	if (config_secret(c, "admin_api_key_file", "MEDLOAD_ADMIN_API_KEY", 0,
	    &c->admin_api_key, &c->admin_api_key_src, cause) == -1 ||
	    config_secret(c, "mediator_admin_api_key_file",
	    "MEDLOAD_MEDIATOR_ADMIN_API_KEY", 1, &c->mediator_api_key,
	    &c->mediator_api_key_src, cause) == -1)
		return -1;
	if (shape_check(&c->shape, cause) == -1)
		return -1;
	if (c->think_max < c->think_min)
		return util_fail(cause, "think_max (%g s) is below think_min "
		    "(%g s)", c->think_max, c->think_min);
	if (c->scenario != CONFIG_SCENARIO_EDGE && (c->edge_ws != NULL ||
	    c->edge_task != CONFIG_EDGE_TASK_MEDIATOR))
		return util_fail(cause, "edge_ws and edge_task are settings of "
		    "scenario edge");
	if (config_check_edge(c, cause) == -1)
		return -1;
	if (c->mediator_pid != 0 && c->edge_ws == NULL)
		return util_fail(cause, "mediator_pid is sampled in runs with "
		    "edge_ws");
	if (c->edge_task == CONFIG_EDGE_TASK_PEER && c->edge_ws == NULL)
		return util_fail(cause, "edge_task peer needs edge_ws (agents "
		    "reach each other on their sessions)");
	if (c->edge_ws != NULL && config_check_target(c, "edge_ws",
	    c->edge_ws, 1, cause) == -1)
		return -1;
	if (!targets)
		;
	else if (c->scenario == CONFIG_SCENARIO_HTTP) {
		if (c->url == NULL)
			return util_fail(cause, "scenario http needs url");
		if (config_check_url(c, "url", c->url, cause) == -1)
			return -1;
	} else {
		/* edge agents need no multi-tenant agent */
		if (c->admin_url == NULL && c->scenario != CONFIG_SCENARIO_EDGE)
			return util_fail(cause, "admin_url (LOCUST_HOST) is "
			    "not set");
		if (c->scenario != CONFIG_SCENARIO_EDGE && config_check_url(c,
		    "admin_url", c->admin_url, cause) == -1)
			return -1;
		n = c->admin_url != NULL ? strlen(c->admin_url) : 0;
		while (n > 0 && c->admin_url[n - 1] == '/')
			c->admin_url[--n] = '\0';
		if (c->mediator_admin_url != NULL &&
		    config_check_url(c, "mediator_admin_url",
		    c->mediator_admin_url, cause) == -1)
			return -1;
		if (c->invitation_url == NULL && c->mediator_admin_url == NULL)
			return util_fail(cause, "no mediator invitation: set "
			    "MEDIATOR_INVITATION_URL (or --invitation-url), or "
			    "--mediator-admin-url to create one");
	}
	if (c->metrics != NULL && live_check(c->metrics, c->allow_remote,
	    cause) == -1)
		return -1;
	if (c->shard_count > 1 && c->run_id == NULL)
		return util_fail(cause, "shard: sharded runs need --run-id "
		    "(shared by every shard)");
	if (c->run_id != NULL) {
		const char *p;

		for (p = c->run_id; *p; p++)
			if (!(isalnum((unsigned char)*p) || *p == '-' ||
			    *p == '_' || *p == '.'))
				return util_fail(cause, "run_id: \"%s\" may "
				    "hold only letters, digits, - _ .",
				    c->run_id);
		if (c->run_id[0] == '.' || strlen(c->run_id) > 64)
			return util_fail(cause, "run_id: \"%s\" must not start "
			    "with . and has at most 64 characters", c->run_id);
	}
	if (c->out_dir == NULL)
		return util_fail(cause, "out_dir: empty");
	return 0;
}

/* Formats setting s of c into buf for display. */
static const char *
config_value(const struct config *c, const struct config_setting *s,
    char *buf, size_t size)
{
	const void *p = (const char *)c + s->off;
	char num[32];
	size_t i, o;

	switch (s->type) {
	case T_STR:
		return *(char *const *)p ? *(char *const *)p : "";
	case T_DUR:
	case T_DUR0:
		snprintf(buf, size, "%ss", util_num(*(const double *)p, num));
		return buf;
	case T_UINT:
		snprintf(buf, size, "%u", *(const unsigned *)p);
		return buf;
	case T_U64:
		snprintf(buf, size, "%llu", *(const unsigned long long *)p);
		return buf;
	case T_FRAC:
	case T_DOUBLE:
		return util_num(*(const double *)p, buf);
	case T_BOOL:
		return *(const int *)p ? "true" : "false";
	case T_ENUM:
		return config_enum_name(s->names, *(const int *)p, buf, size);
	case T_SHARD:
		if (c->shard_count == 0)
			return "";
		snprintf(buf, size, "%u/%u", c->shard_index, c->shard_count);
		return buf;
	case T_STAGES:
		o = 0;
		buf[0] = '\0';
		for (i = 0; i < c->shape.nstages && o + 64 < size; i++) {
			char d[32];

			o += (size_t)snprintf(buf + o, size - o, "%s%ss:%u",
			    i ? "," : "",
			    util_num(c->shape.stages[i].duration, d),
			    c->shape.stages[i].users);
			if (c->shape.stages[i].spawn_rate > 0)
				o += (size_t)snprintf(buf + o, size - o, ":%s",
				    util_num(c->shape.stages[i].spawn_rate,
				    num));
		}
		return buf;
	}
	return "";
}

/* Writes s as a YAML double-quoted scalar. */
static void
config_yaml_str(const char *s, FILE *out)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(out, "\\x%02x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

void
config_print(const struct config *c, FILE *out)
{
	char buf[4096];
	size_t i;

	fputs("# medload run: effective settings (flags > environment > "
	    ".env file > YAML file > defaults)\n", out);
	for (i = 0; i < NSETTINGS; i++) {
		const struct config_setting *s = &config_settings[i];

		fprintf(out, "%s: ", s->key);
		config_yaml_str(config_value(c, s, buf, sizeof(buf)), out);
		fputs("  # ", out);
		util_fput_safe(c->src[i], out);
		fputc('\n', out);
	}
	fprintf(out, "# admin_api_key: %s\n", c->admin_api_key ?
	    "\"********\"" : "(none)");
	if (c->admin_api_key)
		fprintf(out, "#   from %s\n", c->admin_api_key_src);
	fprintf(out, "# mediator_admin_api_key: %s\n", c->mediator_api_key ?
	    "\"********\"" : "(none)");
	if (c->mediator_api_key)
		fprintf(out, "#   from %s\n", c->mediator_api_key_src);
}

struct json_object *
config_json(const struct config *c)
{
	struct json_object *o = json_object_new_object(), *srcs, *st;
	char buf[4096];
	size_t i;

	srcs = json_object_new_object();
	for (i = 0; i < NSETTINGS; i++) {
		const struct config_setting *s = &config_settings[i];
		const void *p = (const char *)c + s->off;
		struct json_object *v;

		switch (s->type) {
		case T_DUR:
		case T_DUR0:
		case T_FRAC:
		case T_DOUBLE:
			v = json_object_new_double(*(const double *)p);
			break;
		case T_UINT:
			v = json_object_new_int64(*(const unsigned *)p);
			break;
		case T_U64:
			v = json_object_new_uint64(
			    *(const unsigned long long *)p);
			break;
		case T_BOOL:
			v = json_object_new_boolean(*(const int *)p);
			break;
		case T_STR:
			v = *(char *const *)p ? json_object_new_string(
			    *(char *const *)p) : NULL;
			break;
		case T_STAGES:
			st = json_object_new_array();
			for (size_t k = 0; k < c->shape.nstages; k++) {
				struct json_object *e =
				    json_object_new_object();

				json_object_object_add(e, "duration",
				    json_object_new_double(
				    c->shape.stages[k].duration));
				json_object_object_add(e, "users",
				    json_object_new_int64(
				    c->shape.stages[k].users));
				json_object_object_add(e, "spawn_rate",
				    json_object_new_double(
				    c->shape.stages[k].spawn_rate));
				json_object_array_add(st, e);
			}
			v = st;
			break;
		default:
			v = json_object_new_string(config_value(c, s, buf,
			    sizeof(buf)));
			break;
		}
		json_object_object_add(o, s->key, v);
		json_object_object_add(srcs, s->key,
		    json_object_new_string(c->src[i]));
	}
	json_object_object_add(o, "admin_api_key", c->admin_api_key ?
	    json_object_new_string("********") : NULL);
	json_object_object_add(o, "mediator_admin_api_key",
	    c->mediator_api_key ? json_object_new_string("********") : NULL);
	json_object_object_add(o, "sources", srcs);
	return o;
}
