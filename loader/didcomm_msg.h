/*
 * didcomm_msg.h: the DIDComm v1 messages an edge agent exchanges with an
 * ACA-Py mediator, built and read: the mediator's invitation (Connections
 * 1.0 c_i or out-of-band 1.1), the connection request (Connections 1.0 or
 * DID exchange 1.0/1.1 with a signed DID document) and its response, the
 * DID exchange complete, mediate-request and its grant, keylist-update
 * and its response, trust ping and its response.
 *
 * Every message asks for its answer on the same HTTP exchange
 * ("~transport": {"return_route": "all"}). Answers are untrusted: they are
 * read through core/jx.h; a problem report, a wrong type or thread, a bad
 * signature is refused with a message saying which. Built messages are
 * JSON text the caller frees.
 *
 * Module prefix: dmsg_.
 */
#ifndef MEDLOAD_DIDCOMM_MSG_H
#define MEDLOAD_DIDCOMM_MSG_H

#include <stddef.h>

#include "didcomm_crypto.h"

struct json_object;

#define DMSG_ID_MAX 128		/* the longest invitation @id kept */
#define DMSG_MAX_ROUTING 4	/* routing keys kept */

/* The connection protocol an invitation leads to. */
enum dmsg_handshake {
	DMSG_CONNECTIONS,	/* connections/1.0 */
	DMSG_DIDX_10,		/* didexchange/1.0 */
	DMSG_DIDX_11,		/* didexchange/1.1 */
};

/* The mediator's invitation, as read by dmsg_invitation_read. */
struct dmsg_invitation {
	int oob;			/* out-of-band (else c_i) */
	enum dmsg_handshake handshake;
	char id[DMSG_ID_MAX];		/* its @id: the pthid of a request */
	unsigned char key[DCRYPTO_PK];	/* recipientKeys[0] */
	unsigned char routing[DMSG_MAX_ROUTING][DCRYPTO_PK];
	size_t nrouting;
	char *endpoint;			/* serviceEndpoint (owned) */
};

/*
 * Reads an invitation (JSON text from loader/invite.h): its key, routing
 * keys, endpoint and, out-of-band, the handshake to use (DID exchange 1.1,
 * else 1.0, else Connections 1.0). Returns 0, or -1 with *cause.
 */
int dmsg_invitation_read(const char *json, struct dmsg_invitation *inv,
    char **cause);

/* Frees what inv holds. */
void dmsg_invitation_release(struct dmsg_invitation *inv);

/* The @type of a handshake's message name ("request"), static. */
const char *dmsg_handshake_type(enum dmsg_handshake h, const char *name);

/*
 * The connection request of key k labelled label, message id id, for
 * invitation inv: Connections 1.0 with the DID document inline, or DID
 * exchange with it attached and signed.
 */
char *dmsg_request(const struct dcrypto_key *k, const char *label,
    const char *id, const struct dmsg_invitation *inv);

/* DID exchange complete id for the request thid. */
char *dmsg_complete(const char *id, const char *thid,
    const struct dmsg_invitation *inv);

/* coordinate-mediation/1.0 mediate-request id. */
char *dmsg_mediate_request(const char *id);

/* keylist-update id adding recipient key pk. */
char *dmsg_keylist_add(const char *id, const unsigned char pk[DCRYPTO_PK]);

/* trust_ping/1.0 ping id asking for a response, with a comment. */
char *dmsg_ping(const char *id, const char *comment);

/*
 * A ping asking for no response: sent on a session with return_route, it
 * only makes ACA-Py push one queued message (implicit pickup).
 */
char *dmsg_ping_quiet(const char *id, const char *comment);

/* trust_ping/1.0 ping_response id in thread thid. */
char *dmsg_ping_response(const char *id, const char *thid);

/*
 * A new message of type t (without the https://didcomm.org/ prefix) and
 * identifier id (caller puts, or hands to dmsg_finish).
 */
struct json_object *dmsg_new(const char *t, const char *id);

/*
 * Adds "~transport": {"return_route": "all"} to o and returns its text
 * (caller frees); o is put.
 */
char *dmsg_finish(struct json_object *o);

/*
 * The @type of message o without its prefix ("trust_ping/1.0/ping";
 * either prefix), borrowed from o; NULL when it has no DIDComm type.
 */
const char *dmsg_type(const struct json_object *o);

/*
 * Refuses problem report o: *cause says "problem report: " and its
 * description (printable ASCII). Returns -1.
 */
int dmsg_problem(const struct json_object *o, char **cause);

/*
 * Parses an answer text[0..len): a JSON object of type want ("mediate-
 * grant" or a full type such as "trust_ping/1.0/ping_response", without
 * the https://didcomm.org/ prefix: either prefix is accepted), in thread
 * thid when thid is not NULL. Returns the message (caller puts), or NULL
 * with *cause ("problem report: ...", "got ..., expected ...").
 */
struct json_object *dmsg_parse(const char *text, size_t len,
    const char *want, const char *thid, char **cause);

/*
 * Reads a connection response (Connections or DID exchange, o from
 * dmsg_parse): the DID document must be signed by invitation key inv;
 * their gets the key of its service (the mediator's key on this
 * connection). Returns 0, or -1 with *cause.
 */
int dmsg_response_key(struct json_object *o, enum dmsg_handshake h,
    const unsigned char inv[DCRYPTO_PK], unsigned char their[DCRYPTO_PK],
    char **cause);

/*
 * Reads a mediate-grant: its first routing key into routing (*n is 0 or
 * 1). Returns 0, or -1 with *cause.
 */
int dmsg_grant(struct json_object *o, unsigned char routing[DCRYPTO_PK],
    size_t *n, char **cause);

/*
 * Reads a keylist-update-response: the update of key pk must be a
 * "success" (or "no_change": already routed). Returns 0, or -1.
 */
int dmsg_keylist_result(struct json_object *o,
    const unsigned char pk[DCRYPTO_PK], char **cause);

#endif
