/*
 * didcomm_pickup.h: Pickup 2.0 (Aries RFC 0685, messagepickup/2.0) as an
 * edge agent speaks it with its mediator, and the discover-features 1.0
 * query that tells whether the mediator speaks it. Built: status-request,
 * delivery-request, messages-received, live-delivery-change, the query;
 * read: status, delivery (its attachments one by one), disclose, problem
 * reports. ACA-Py has it through the acapy-plugin-pickup package
 * (stack/README.md); what it accepts, as read in its 0.2.0 source: exactly
 * the https://didcomm.org/ prefix, "~transport": {"return_route": "all"}
 * on every request, "limit" in a delivery-request, "message_id_list"
 * (the attachments' @id) in messages-received; a delivery's attachments
 * carry one envelope each, standard base64 with padding, @id = the
 * envelope's tag; a status answers a messages-received. A delivery may
 * come with no attachment at all: the plugin found messages queued, but
 * ACA-Py's implicit pickup took them off the queue before it read them.
 *
 * Every answer is untrusted: read through core/jx.h, its numbers bounded,
 * its attachments' identifiers printable and bounded, their data decoded
 * strictly (either base64 alphabet, padded or not) and bounded. Built
 * messages are JSON text the caller frees.
 *
 * Module prefix: dpick_.
 */
#ifndef MEDLOAD_DIDCOMM_PICKUP_H
#define MEDLOAD_DIDCOMM_PICKUP_H

#include <stddef.h>

struct json_object;

#define DPICK_LIMIT_MAX 100	/* the largest batch asked for or read */
#define DPICK_ATT_ID_MAX 128	/* the longest attachment @id, with NUL */
#define DPICK_COUNT_MAX 1000000000LL	/* the largest message_count read */
#define DPICK_PROTOCOL "https://didcomm.org/messagepickup/2.0"

/* messagepickup/2.0 status-request id. */
char *dpick_status_request(const char *id);

/* delivery-request id for at most limit (1..DPICK_LIMIT_MAX) messages. */
char *dpick_delivery_request(const char *id, unsigned limit);

/* messages-received id acknowledging ids[0..n) (attachment @ids). */
char *dpick_messages_received(const char *id, const char *const *ids,
    size_t n);

/* live-delivery-change id asking for live mode on (live) or off. */
char *dpick_live_change(const char *id, int live);

/* discover-features/1.0 query id for messagepickup/2.0. */
char *dpick_discover(const char *id);

/* What an answer is. */
enum dpick_kind {
	DPICK_STATUS,		/* status: count, live */
	DPICK_DELIVERY,		/* delivery: natt attachments */
	DPICK_DISCLOSE,		/* disclose: pickup2 */
	DPICK_PROBLEM,		/* problem report: why */
};

/* An answer read by dpick_read. */
struct dpick_answer {
	enum dpick_kind kind;
	long long count;	/* status: message_count, 0..DPICK_COUNT_MAX */
	int live;		/* status: live_mode 1 or 0, -1 when absent */
	int pickup2;		/* disclose: messagepickup/2.0 is listed */
	size_t natt;		/* delivery: attachments, 0..DPICK_LIMIT_MAX */
	char why[96];		/* problem report: its text, printable */
	struct json_object *o;	/* the message (dpick_answer_release) */
};

/*
 * Reads text[0..len), a message from the mediator in thread thid, as a
 * status, a delivery, a disclose or a problem report (either DIDComm
 * prefix). Returns 0 with *a filled (release it), or -1 with *cause
 * (not JSON, another type, another thread, a field missing or out of
 * range); *a holds nothing then.
 */
int dpick_read(const char *text, size_t len, const char *thid,
    struct dpick_answer *a, char **cause);

/* Frees what a holds (a itself is the caller's). */
void dpick_answer_release(struct dpick_answer *a);

/* Why an attachment cannot be read. */
enum dpick_att_err {
	DPICK_ATT_OK,
	DPICK_ATT_ID,		/* no @id, too long or not printable */
	DPICK_ATT_DATA,		/* no data.base64 string */
	DPICK_ATT_BASE64,	/* not base64 */
	DPICK_ATT_SIZE,		/* empty, or over the bound */
	DPICK_ATT_NERR
};

/* The name of err as results.json shows it ("base64"), static. */
const char *dpick_att_name(enum dpick_att_err err);

/*
 * Attachment i (< a->natt) of delivery a: its @id into id (empty when
 * unreadable), its data decoded into *data (caller frees; NUL-terminated,
 * *n bytes, at most max). Returns DPICK_ATT_OK, or why not (*data NULL;
 * id may still be set, so the message can be acknowledged).
 */
enum dpick_att_err dpick_attachment(const struct dpick_answer *a, size_t i,
    size_t max, char id[DPICK_ATT_ID_MAX], char **data, size_t *n);

#endif
