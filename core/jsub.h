/*
 * jsub.h: fills JSON query templates without pasting text. A template is a
 * valid JSON document in which a string value of the form "${name}" stands
 * for a parameter; the template is parsed, each such node replaced by the
 * parameter's JSON value, and the tree serialised again. A value can
 * therefore never change the query's structure, whatever it holds.
 */
#ifndef MEDLOAD_JSUB_H
#define MEDLOAD_JSUB_H

struct json_object;

/* Parameters by name; values are json-c objects (owned by the set). */
struct jsub_params;

struct jsub_params *jsub_params_new(void);
void jsub_params_free(struct jsub_params *p);

/* Sets a parameter (takes ownership of v; a NULL v is JSON null). */
void jsub_set(struct jsub_params *p, const char *name, struct json_object *v);
/* Sets a string parameter (copied). */
void jsub_set_string(struct jsub_params *p, const char *name, const char *s);
/* Sets a number parameter; returns -1 (and sets nothing) if not finite. */
int jsub_set_number(struct jsub_params *p, const char *name, double v);

/*
 * Instantiates the template text. Returns the filled tree (caller puts) or
 * NULL with *cause when the template is not JSON or names a parameter that
 * was not set.
 */
struct json_object *jsub_fill(const char *name, const char *template_text,
    const struct jsub_params *p, char **cause);

#endif
