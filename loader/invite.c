/* invite.c: decoding invitation URLs (c_i= and oob=, both alphabets). */
#include "invite.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

/* Decodes; lax drops characters outside the alphabet (the seed's way). */
static char *
invite_b64(const char *s, size_t n, size_t *len, int urlsafe_ok, int lax)
{
	unsigned long acc = 0;
	size_t i, out = 0, bits = 0, pad = 0, data = 0;
	char *buf;
	int v;

	while (n > 0 && s[n - 1] == '=' && pad < 2) {
		n--;
		pad++;
	}
	buf = util_malloc(n / 4 * 3 + 4);
	for (i = 0; i < n; i++) {
		v = util_b64_value((unsigned char)s[i], urlsafe_ok, 1);
		if (v == -1) {
			if (lax)
				continue;
			free(buf);
			return NULL;
		}
		data++;
		acc = (acc << 6) | (unsigned long)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			buf[out++] = (char)((acc >> bits) & 0xff);
		}
	}
	/* one leftover character cannot encode a byte */
	if (!lax && (data % 4 == 1 || (pad > 0 && (data + pad) % 4 != 0))) {
		free(buf);
		return NULL;
	}
	buf[out] = '\0';
	*len = out;
	return buf;
}

char *
invite_b64_decode(const char *s, size_t n, size_t *len)
{
	return invite_b64(s, n, len, 1, 0);
}

char *
invite_b64_decode_std(const char *s, size_t n, size_t *len)
{
	return invite_b64(s, n, len, 0, 1);
}

/* Percent-decodes n bytes of s into a new string (caller frees). */
static char *
invite_pct_decode(const char *s, size_t n)
{
	char *out = util_malloc(n + 1), hex[3] = { 0, 0, 0 };
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			hex[0] = s[i + 1];
			hex[1] = s[i + 2];
			out[o++] = (char)strtol(hex, NULL, 16);
			i += 2;
		} else
			out[o++] = s[i];
	}
	out[o] = '\0';
	return out;
}

int
invite_decode(const char *url, enum invite_kind *kind, char **json,
    char **cause)
{
	const char *q = strchr(url, '?'), *p, *v = NULL, *end;
	struct json_object *obj;
	char *b64, *dec;
	size_t len;

	*json = NULL;
	if (q == NULL)
		return util_fail(cause, "no query string (expected ?c_i= or "
		    "?oob=)");
	for (p = q + 1; *p != '\0'; p = end + (*end != '\0')) {
		end = p + strcspn(p, "&#");
		if (strncmp(p, "c_i=", 4) == 0) {
			*kind = INVITE_CONNECTIONS;
			v = p + 4;
			break;
		}
		if (strncmp(p, "oob=", 4) == 0) {
			*kind = INVITE_OOB;
			v = p + 4;
			break;
		}
		if (*end == '#')
			break;
	}
	if (v == NULL)
		return util_fail(cause, "no c_i= or oob= parameter");
	b64 = invite_pct_decode(v, strcspn(v, "&#"));
	dec = invite_b64_decode(b64, strlen(b64), &len);
	free(b64);
	if (dec == NULL)
		return util_fail(cause, "the %s= value is not base64",
		    *kind == INVITE_OOB ? "oob" : "c_i");
	obj = json_tokener_parse(dec);
	if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
	    strlen(dec) != len) {
		json_object_put(obj);
		free(dec);
		return util_fail(cause, "the decoded invitation is not a JSON "
		    "object");
	}
	json_object_put(obj);
	*json = dec;
	return 0;
}
