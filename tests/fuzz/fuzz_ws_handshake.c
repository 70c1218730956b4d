/*
 * fuzz_ws_handshake.c: a WebSocket server's answer to the opening
 * handshake (loader/wsconn.c), as any server on the session's socket may
 * send it. Oracles: an accepted answer is a 101 whose header ends within
 * the input and carries the accept value of the key; "more bytes" only
 * when no blank line came within the 4 KB bound; a refusal says why.
 */
#include "fuzzlib.h"

#include <stdlib.h>
#include <string.h>

#include "wsconn.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *key = "dGhlIHNhbXBsZSBub25jZQ==";
	char *text = fuzzlib_cstr(data, size), *cause = NULL;
	long n = wsc_handshake_check(text, size, key, &cause);

	if (n > 0 && ((size_t)n > size || size < 16 || memcmp(text,
	    "HTTP/1.1 101", 12) != 0 || memcmp(text + n - 4, "\r\n\r\n", 4) !=
	    0 || memmem(text, (size_t)n, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 28) ==
	    NULL))
		fuzzlib_fail("an accepted answer that is no 101 for the key",
		    text);
	if (n == 0 && (size >= 4096 || memmem(text, size, "\r\n\r\n", 4) !=
	    NULL))
		fuzzlib_fail("more bytes asked past the bound or the end",
		    text);
	if (n < 0 && cause == NULL)
		fuzzlib_fail("a refused answer without a reason", text);
	free(cause);
	free(text);
	return 0;
}
