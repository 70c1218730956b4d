/*
 * fuzz_config.c: the settings files of `medload run` (loader/config.c):
 * YAML (--config) and .env text (--env-file, the seed's format), and the
 * thresholds a YAML file or a thresholds file may hold. The first byte
 * picks the reader. A file that loads is then finished (without reading
 * secret files the input names), printed and turned into JSON.
 */
#include "fuzzlib.h"

#include <stdlib.h>

#include <json-c/json.h>

#include "config.h"
#include "threshold.h"

/* Loads one settings file as the choice says; 0 when it loaded. */
static int
fuzz_config_load(struct config *c, unsigned choice, const uint8_t *data,
    size_t size, char **cause)
{
	char *path;
	int rc;

	path = fuzzlib_file(choice & 1 ? "settings.env" : "settings.yaml",
	    data, size);
	rc = choice & 1 ? config_load_env_file(c, path, cause) :
	    config_load_yaml(c, path, cause);
	free(path);
	return rc;
}

/* The thresholds of the same text, as a config or a thresholds file. */
static void
fuzz_config_thresholds(unsigned choice, const uint8_t *data, size_t size)
{
	struct threshold_set s;
	char *path, *cause = NULL;

	path = fuzzlib_file(choice & 2 ? "thresholds.yml" : "thresholds.txt",
	    data, size);
	threshold_set_init(&s);
	if ((choice & 4 ? threshold_set_load_config(&s, path, &cause) :
	    threshold_set_load(&s, path, &cause)) == -1 && cause == NULL)
		fuzzlib_fail("a refused thresholds file without a reason",
		    NULL);
	threshold_set_release(&s);
	free(cause);
	free(path);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	char *cause = NULL;
	unsigned choice;

	if (size < 1)
		return 0;
	choice = data[0];
	config_init(&c);
	if (fuzz_config_load(&c, choice, data + 1, size - 1, &cause) == 0) {
		/* Secret files named by the input are not read. */
		free(c.admin_api_key_file);
		free(c.mediator_api_key_file);
		c.admin_api_key_file = c.mediator_api_key_file = NULL;
		free(cause);
		cause = NULL;
		if (config_finish(&c, choice & 8, &cause) == 0) {
			config_print(&c, fuzzlib_null());
			json_object_put(config_json(&c));
		}
	} else if (cause == NULL)
		fuzzlib_fail("a refused settings file without a reason", NULL);
	free(cause);
	config_release(&c);
	if (choice & 0x10)
		fuzz_config_thresholds(choice, data + 1, size - 1);
	return 0;
}
