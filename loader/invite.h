/*
 * invite.h: DIDComm invitation URLs: "...?c_i=<base64>" (Connections 1.0)
 * and "...?oob=<base64>" (out-of-band 1.x).
 */
#ifndef MEDLOAD_INVITE_H
#define MEDLOAD_INVITE_H

#include <stddef.h>

enum invite_kind {
	INVITE_CONNECTIONS,	/* c_i= */
	INVITE_OOB,		/* oob= */
};

/*
 * Decodes base64 in either alphabet (standard "+/" or URL-safe "-_"),
 * padded or not; whitespace is not allowed. Returns a new NUL-terminated
 * buffer (caller frees) with its length in *len, or NULL when s is not
 * base64.
 */
char *invite_b64_decode(const char *s, size_t n, size_t *len);

/*
 * Decodes base64 with the standard alphabet only, the way the seed's
 * locustfile does (base64.b64decode without altchars): URL-safe characters
 * are discarded. Kept to show what the seed got wrong; returns as above.
 */
char *invite_b64_decode_std(const char *s, size_t n, size_t *len);

/*
 * Extracts the invitation from a URL: finds the c_i= or oob= query
 * parameter (percent-encoding allowed), decodes it and checks that it is a
 * JSON object. Returns 0 with *kind and *json (caller frees), or -1 with
 * *cause saying what is wrong (the URL itself is not repeated).
 */
int invite_decode(const char *url, enum invite_kind *kind, char **json,
    char **cause);

#endif
