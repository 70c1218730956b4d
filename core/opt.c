/* opt.c: command-line options parsed from tables. */
#include "opt.h"

#include <stdlib.h>
#include <string.h>

#include "timeutil.h"
#include "util.h"

#define OPT_HELP_COLUMN 22

/* Where an option was found: its group and its entry. */
struct opt_hit {
	const struct opt_group *g;
	const struct opt *o;
	size_t index;		/* position among every entry, for counts */
};

/* Finds a long option by exact name (n bytes of name). */
static int
opt_find_long(const struct opt_group *groups, size_t ngroups,
    const char *name, size_t n, struct opt_hit *hit)
{
	const struct opt *o;
	size_t g, index = 0;

	for (g = 0; g < ngroups; g++) {
		for (o = groups[g].opts; o->name != NULL || o->help != NULL;
		    o++, index++) {
			if (o->name != NULL && strlen(o->name) == n &&
			    memcmp(o->name, name, n) == 0) {
				hit->g = &groups[g];
				hit->o = o;
				hit->index = index;
				return 0;
			}
		}
	}
	return -1;
}

/* Finds a short option. */
static int
opt_find_short(const struct opt_group *groups, size_t ngroups, char c,
    struct opt_hit *hit)
{
	const struct opt *o;
	size_t g, index = 0;

	for (g = 0; g < ngroups; g++) {
		for (o = groups[g].opts; o->name != NULL || o->help != NULL;
		    o++, index++) {
			if (o->letter != 0 && o->letter == c) {
				hit->g = &groups[g];
				hit->o = o;
				hit->index = index;
				return 0;
			}
		}
	}
	return -1;
}

/* The number of entries of every group (for the counts of uses). */
static size_t
opt_count_entries(const struct opt_group *groups, size_t ngroups)
{
	const struct opt *o;
	size_t g, n = 0;

	for (g = 0; g < ngroups; g++)
		for (o = groups[g].opts; o->name != NULL || o->help != NULL;
		    o++)
			n++;
	return n;
}

/* Edit distance of a and b (short strings), capped at 9. */
static size_t
opt_distance(const char *a, size_t na, const char *b)
{
	size_t nb = strlen(b), row[64], i, j, prev, cur;

	if (na >= 63 || nb >= 63)
		return 9;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= nb; j++) {
			cur = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev <
			    row[j] ? (prev < row[j - 1] ? prev : row[j - 1]) :
			    (row[j] < row[j - 1] ? row[j] : row[j - 1]));
			prev = cur;
		}
	}
	return row[nb] > 9 ? 9 : row[nb];
}

/* The known option nearest to an unknown one, or NULL. */
static const char *
opt_suggest(const struct opt_group *groups, size_t ngroups, const char *name,
    size_t n)
{
	const struct opt *o;
	const char *best = NULL;
	size_t g, d, best_d = 3;

	for (g = 0; g < ngroups; g++) {
		for (o = groups[g].opts; o->name != NULL || o->help != NULL;
		    o++) {
			if (o->name == NULL)
				continue;
			d = strncmp(o->name, name, n) == 0 ? 1 :
			    opt_distance(name, n, o->name);
			if (d < best_d) {
				best_d = d;
				best = o->name;
			}
		}
	}
	return best;
}

/* Reports an unknown long option, without its value. */
static int
opt_unknown(const struct opt_group *groups, size_t ngroups, const char *name,
    size_t n, char **cause)
{
	struct strbuf b;
	const char *near = opt_suggest(groups, ngroups, name, n);
	char *shown = util_strndup(name, n > 60 ? 60 : n);

	strbuf_init(&b, 0);
	util_safe_append(&b, shown);
	free(shown);
	if (near != NULL)
		util_fail(cause, "unknown option '--%s' (did you mean "
		    "'--%s'?)", b.data, near);
	else
		util_fail(cause, "unknown option '--%s'", b.data);
	strbuf_release(&b);
	return -1;
}

/* Counts a use and hands the option to its group. */
static int
opt_take(const struct opt_hit *hit, unsigned *uses, const char *value,
    char **cause)
{
	const struct opt *o = hit->o;

	if (!(o->flags & OPT_MANY) && uses[hit->index]++ > 0) {
		if (o->name != NULL)
			return util_fail(cause, "option '--%s' given twice "
			    "(it takes one %s)", o->name, o->arg != NULL ?
			    "value" : "use");
		return util_fail(cause, "option '-%c' given twice", o->letter);
	}
	return hit->g->fn(hit->g->ctx, o->id, value, cause);
}

/* Parses one "--name[=value]" at argv[*i]. */
static int
opt_long(const struct opt_group *groups, size_t ngroups, unsigned *uses,
    int argc, char **argv, int *i, char **cause)
{
	const char *name = argv[*i] + 2, *eq = strchr(name, '=');
	size_t n = eq != NULL ? (size_t)(eq - name) : strlen(name);
	struct opt_hit hit;

	if (opt_find_long(groups, ngroups, name, n, &hit) == -1)
		return opt_unknown(groups, ngroups, name, n, cause);
	if (hit.o->arg == NULL) {
		if (eq != NULL)
			return util_fail(cause, "option '--%s' takes no value",
			    hit.o->name);
		return opt_take(&hit, uses, NULL, cause);
	}
	if (eq != NULL)
		return opt_take(&hit, uses, eq + 1, cause);
	if (*i + 1 >= argc)
		return util_fail(cause, "option '--%s' needs a value (%s)",
		    hit.o->name, hit.o->arg);
	(*i)++;
	return opt_take(&hit, uses, argv[*i], cause);
}

/* Parses one "-abc" or "-ovalue" at argv[*i]. */
static int
opt_short(const struct opt_group *groups, size_t ngroups, unsigned *uses,
    int argc, char **argv, int *i, char **cause)
{
	const char *p = argv[*i] + 1;
	struct opt_hit hit;

	for (; *p != '\0'; p++) {
		if (opt_find_short(groups, ngroups, *p, &hit) == -1) {
			if ((unsigned char)*p < 0x20 || (unsigned char)*p >= 0x7f)
				return util_fail(cause, "unknown option");
			return util_fail(cause, "unknown option '-%c'", *p);
		}
		if (hit.o->arg == NULL) {
			if (opt_take(&hit, uses, NULL, cause) == -1)
				return -1;
			continue;
		}
		if (p[1] != '\0')
			return opt_take(&hit, uses, p + 1, cause);
		if (*i + 1 >= argc)
			return util_fail(cause, "option '-%c' needs a value "
			    "(%s)", *p, hit.o->arg);
		(*i)++;
		return opt_take(&hit, uses, argv[*i], cause);
	}
	return 0;
}

int
opt_parse(const struct opt_group *groups, size_t ngroups, int argc,
    char **argv, char ***operands, size_t *nops, char **cause)
{
	unsigned *uses = util_calloc(opt_count_entries(groups, ngroups) + 1,
	    sizeof(*uses));
	int i, rc = 0, only_operands = 0;

	*operands = util_calloc((size_t)argc + 1, sizeof(**operands));
	*nops = 0;
	for (i = 1; i < argc && rc == 0; i++) {
		const char *a = argv[i];

		if (only_operands || a[0] != '-' || a[1] == '\0')
			(*operands)[(*nops)++] = argv[i];
		else if (strcmp(a, "--") == 0)
			only_operands = 1;
		else if (a[1] == '-')
			rc = opt_long(groups, ngroups, uses, argc, argv, &i,
			    cause);
		else
			rc = opt_short(groups, ngroups, uses, argc, argv, &i,
			    cause);
	}
	free(uses);
	if (rc == -1) {
		free(*operands);
		*operands = NULL;
		*nops = 0;
	}
	return rc;
}

/* Prints one option's name column and its help lines. */
static void
opt_help_entry(FILE *out, const struct opt *o)
{
	char label[96];
	const char *h = o->help != NULL ? o->help : "", *nl;
	int n;

	if (o->letter != 0)
		n = snprintf(label, sizeof(label), "  -%c, --%s%s%s", o->letter,
		    o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(label, sizeof(label), "  --%s%s%s", o->name,
		    o->arg ? " " : "", o->arg ? o->arg : "");
	fputs(label, out);
	if (n >= OPT_HELP_COLUMN - 1) {
		fputc('\n', out);
		n = 0;
	}
	for (;;) {
		fprintf(out, "%*s", OPT_HELP_COLUMN - n, "");
		nl = strchr(h, '\n');
		fprintf(out, "%.*s\n", nl ? (int)(nl - h) : (int)strlen(h), h);
		if (nl == NULL || nl[1] == '\0')
			break;
		h = nl + 1;
		n = 0;
	}
}

void
opt_help(FILE *out, const struct opt_group *groups, size_t ngroups)
{
	const struct opt *o;
	size_t g;

	for (g = 0; g < ngroups; g++) {
		for (o = groups[g].opts; o->name != NULL || o->help != NULL;
		    o++) {
			if (o->name == NULL)
				fprintf(out, "\n%s\n", o->help);
			else if (o->help != NULL)
				opt_help_entry(out, o);
		}
	}
}

int
opt_count(const char *name, const char *value, unsigned long long min,
    unsigned long long max, unsigned long long *out, char **cause)
{
	if (util_parse_uint(value, max, out) == -1 || *out < min) {
		struct strbuf b;

		strbuf_init(&b, 0);
		util_safe_append(&b, value);
		util_fail(cause, "--%s: \"%.40s\" is not a whole number from "
		    "%llu to %llu", name, b.data, min, max);
		strbuf_release(&b);
		return -1;
	}
	return 0;
}

int
opt_duration(const char *name, const char *value, double min, double max,
    double *out, char **cause)
{
	if (time_parse_duration(value, out) == -1 || *out < min ||
	    *out > max) {
		struct strbuf b;
		char lo[32], hi[32];

		strbuf_init(&b, 0);
		util_safe_append(&b, value);
		util_fail(cause, "--%s: \"%.40s\" is not a duration from %ss "
		    "to %ss (like 500ms, 10s, 5m)", name, b.data,
		    util_num(min, lo), util_num(max, hi));
		strbuf_release(&b);
		return -1;
	}
	return 0;
}

int
opt_choice(const char *name, const char *value,
    const char *const *choices, int *out, char **cause)
{
	struct strbuf b, list;
	int i;

	for (i = 0; choices[i] != NULL; i++) {
		if (strcmp(choices[i], value) == 0) {
			*out = i;
			return 0;
		}
	}
	strbuf_init(&b, 0);
	strbuf_init(&list, 0);
	util_safe_append(&b, value);
	for (i = 0; choices[i] != NULL; i++)
		strbuf_addf(&list, "%s%s", i == 0 ? "" : choices[i + 1] ?
		    ", " : " or ", choices[i]);
	util_fail(cause, "--%s: \"%.40s\" is not %s", name, b.data, list.data);
	strbuf_release(&b);
	strbuf_release(&list);
	return -1;
}
