/* test_loader_invite.c: invitation URLs, both base64 alphabets, padding. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "invite.h"

/* {"@type": "x", "label": "m>?"} has '>' and '?' so its encodings
 * differ between the alphabets: standard "+/" vs URL-safe "-_". */
static const char json[] = "{\"@type\":\"x\",\"k\":\"m>>?\"}";

/* Standard base64 of json (with +/ and padding). */
static const char std_padded[] =
    "eyJAdHlwZSI6IngiLCJrIjoibT4+PyJ9";
static const char url_unpadded[] =
    "eyJAdHlwZSI6IngiLCJrIjoibT4-PyJ9";

static void
test_b64_alphabets(void)
{
	size_t len = 0;
	char *d;

	d = invite_b64_decode(std_padded, strlen(std_padded), &len);
	CHECK_STR(d, json);
	free(d);
	d = invite_b64_decode(url_unpadded, strlen(url_unpadded), &len);
	CHECK_STR(d, json);
	CHECK(len == strlen(json));
	free(d);
	/* padding present or absent */
	d = invite_b64_decode("YWI=", 4, &len);
	CHECK_STR(d, "ab");
	free(d);
	d = invite_b64_decode("YWI", 3, &len);
	CHECK_STR(d, "ab");
	free(d);
	d = invite_b64_decode("YQ", 2, &len);
	CHECK_STR(d, "a");
	free(d);
	/* one stray character cannot be base64; nor can junk */
	CHECK(invite_b64_decode("YWJjZ", 5, &len) == NULL);
	CHECK(invite_b64_decode("YW*j", 4, &len) == NULL);
	CHECK(invite_b64_decode("YQ=", 3, &len) == NULL);
}

static void
test_seed_bug(void)
{
	size_t len = 0;
	char *d;

	/* the seed's standard-alphabet decode drops '-' and shifts bits:
	 * the URL-safe invitation comes out corrupted */
	d = invite_b64_decode_std(url_unpadded, strlen(url_unpadded), &len);
	CHECK(d != NULL && strcmp(d, json) != 0);
	free(d);
	d = invite_b64_decode_std(std_padded, strlen(std_padded), &len);
	CHECK_STR(d, json);
	free(d);
}

static void
test_urls(void)
{
	enum invite_kind k;
	char *j = NULL, *cause = NULL, *url;

	url = malloc(256);
	snprintf(url, 256, "http://127.0.0.1:3000?c_i=%s", url_unpadded);
	CHECK(invite_decode(url, &k, &j, &cause) == 0);
	CHECK(k == INVITE_CONNECTIONS);
	CHECK_STR(j, json);
	free(j);
	snprintf(url, 256, "http://127.0.0.1:3000/?x=1&oob=%s#frag",
	    std_padded);
	CHECK(invite_decode(url, &k, &j, &cause) == 0);
	CHECK(k == INVITE_OOB);
	CHECK_STR(j, json);
	free(j);
	/* percent-encoded padding */
	CHECK(invite_decode("http://h?oob=eyJhIjoxfQ%3D%3D", &k, &j,
	    &cause) == 0);
	CHECK_STR(j, "{\"a\":1}");
	free(j);
	CHECK(invite_decode("http://h?oob=eyJhIjoxfQ", &k, &j, &cause) == 0);
	CHECK_STR(j, "{\"a\":1}");
	free(j);
	CHECK(invite_decode("http://127.0.0.1:3000", &k, &j, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "query") != NULL);
	CHECK(invite_decode("http://h?d_m=abc", &k, &j, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "c_i= or oob=") != NULL);
	/* base64 of a JSON array, and of non-JSON */
	CHECK(invite_decode("http://h?c_i=WzFd", &k, &j, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "JSON object") != NULL);
	CHECK(invite_decode("http://h?c_i=!!!!", &k, &j, &cause) == -1);
	CHECK(cause != NULL && strstr(cause, "not base64") != NULL);
	free(cause);
	free(url);
}

int
main(void)
{
	RUN(test_b64_alphabets);
	RUN(test_seed_bug);
	RUN(test_urls);
	return CHECK_EXIT();
}
