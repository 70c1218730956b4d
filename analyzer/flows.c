/* flows.c: DIDComm exchanges followed across agents, event by event. */
#include "flows.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flows_priv.h"
#include "hist.h"
#include "hmap.h"
#include "trace.h"
#include "util.h"

/* What a message type is to an exchange. */
enum flows_role {
	FLOWS_ROLE_OTHER,
	FLOWS_ROLE_REQUEST,
	FLOWS_ROLE_RESPONSE,	/* threaded: ~thread.thid = request @id */
	FLOWS_ROLE_UNTHREADED,	/* a response without ~thread */
	FLOWS_ROLE_PROBLEM,	/* a problem-report: answers any request */
	FLOWS_ROLE_FORWARD,
};

/* A request/response protocol: family, request and response names. */
struct flows_proto {
	const char *family;
	const char *request;
	const char *response;
	const char *response2;	/* another accepted response, or NULL */
	int unthreaded;		/* the response carries no ~thread */
};

static const struct flows_proto flows_protos[] = {
	{ "trust_ping", "ping", "ping_response", NULL, 0 },
	{ "connections", "request", "response", NULL, 0 },
	{ "didexchange", "request", "response", NULL, 0 },
	{ "coordinate-mediation", "mediate-request", "mediate-grant",
	    "mediate-deny", 1 },
	{ "coordinate-mediation", "keylist-update",
	    "keylist-update-response", NULL, 0 },
	{ "coordinate-mediation", "keylist-query", "keylist", NULL, 1 },
	{ "discover-features", "query", "disclose", NULL, 0 },
};
#define FLOWS_NPROTOS (sizeof(flows_protos) / sizeof(flows_protos[0]))

const struct flows_hop_def flows_hop_defs[FLOWS_NHOPS] = {
	{ "request.encode", 0, FLOWS_ENC_S, 0, FLOWS_DEL_S, 0, 1,
	    "sender: encode task and outbound queue (exact)" },
	{ "request.deliver", 0, FLOWS_DEL_S, 0, FLOWS_DEL_E, 0, 0,
	    "sender: delivery task started (exact; not the POST)" },
	{ "request.transit", 0, FLOWS_DEL_S, 0, FLOWS_H_S, 1, 1,
	    "POST, unpacking, inbound queue (clock-corrected)" },
	{ "request.handle", 0, FLOWS_H_S, 0, FLOWS_H_E, 0, 1,
	    "receiver: handler (exact)" },
	{ "response.queue", 0, FLOWS_H_E, 1, FLOWS_ENC_S, 0, 1,
	    "responder: handler end to response encode (exact)" },
	{ "response.encode", 1, FLOWS_ENC_S, 1, FLOWS_DEL_S, 0, 1,
	    "responder: encode task and outbound queue (exact)" },
	{ "response.deliver", 1, FLOWS_DEL_S, 1, FLOWS_DEL_E, 0, 0,
	    "responder: delivery task started (exact; not the POST)" },
	{ "response.transit", 1, FLOWS_DEL_S, 1, FLOWS_H_S, -1, 1,
	    "POST, unpacking, inbound queue (clock-corrected)" },
	{ "response.handle", 1, FLOWS_H_S, 1, FLOWS_H_E, 0, 1,
	    "requester: handler (exact)" },
	{ "forward.handle", 0, FLOWS_H_S, 0, FLOWS_H_E, 0, 1,
	    "mediator: forward handler (exact)" },
	{ "forward.relay", 0, FLOWS_H_E, 1, FLOWS_DEL_S, 0, 1,
	    "mediator: handler end to relay (relay paired by time)" },
	{ "forward.deliver", 1, FLOWS_DEL_S, 1, FLOWS_DEL_E, 0, 1,
	    "mediator: relay delivery task started (paired by time)" },
};

static const char *const flows_verdict_names[FLOWS_VERDICT_COUNT] = {
	"start_without_end", "deliver_without_end", "never_sent",
	"never_handled", "no_response", "forward_not_delivered",
	"end_without_start", "response_without_request",
	"receiver_untraced", "relay_untraced",
};

const char *
flows_verdict_name(int v)
{
	return flows_verdict_names[v];
}

/* Marks an ACA-Py sender traces (the others its receiver traces). */
#define FLOWS_SENDER_MARKS ((1u << FLOWS_ENC_S) | (1u << FLOWS_ENC_E) | \
	(1u << FLOWS_DEL_S) | (1u << FLOWS_DEL_E))
#define FLOWS_IS_SENDER(m) (((1u << (m)) & FLOWS_SENDER_MARKS) != 0)

struct flows *
flows_new(double timeout_s)
{
	struct flows *f = util_calloc(1, sizeof(*f));
	int i;

	f->timeout = timeout_s > 0 ? timeout_s : FLOWS_TIMEOUT_DEFAULT;
	f->msgs = hmap_new();
	f->groups = hmap_new();
	f->agents.map = hmap_new();
	f->types.map = hmap_new();
	f->endpoints.map = hmap_new();
	f->last_agent[0] = f->last_agent[1] = -1;
	for (i = 0; i <= FLOWS_AGENTS_MAX; i++)
		f->agent[i].early_end = -1;
	return f;
}

/* Frees interned strings. */
static void
flows_names_release(struct flows_names *t)
{
	int i;

	hmap_free(t->map, NULL);
	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
}

/* Frees a group (hmap value). */
static void
flows_group_free(void *p)
{
	struct flows_group *g = p;
	int i;

	hist_free(g->rt);
	for (i = 0; i < FLOWS_NHOPS; i++) {
		hist_free(g->pos[i]);
		hist_free(g->neg[i]);
	}
	free(g);
}

/* Frees an exchange and its ids. */
static void
flows_x_free(struct flows_x *x)
{
	free(x->leg[0].id);
	free(x->leg[1].id);
	free(x);
}

void
flows_free(struct flows *f)
{
	struct flows_x *x, *next;
	int i, k;

	if (f == NULL)
		return;
	for (x = f->age.head; x != NULL; x = next) {
		next = x->link[FLOWS_AGE].next;
		flows_x_free(x);
	}
	hmap_free(f->msgs, NULL);
	hmap_free(f->groups, flows_group_free);
	flows_names_release(&f->agents);
	flows_names_release(&f->types);
	flows_names_release(&f->endpoints);
	free(f->role);
	free(f->proto);
	free(f->ep_handled);
	free(f->clocks);
	for (k = 0; k < FLOWS_LOST_COUNT; k++)
		for (i = 0; i < f->nexamples[k]; i++)
			free(f->examples[k][i].msg_id);
	free(f);
}

size_t
flows_open(const struct flows *f)
{
	return f->open;
}

size_t
flows_open_max(const struct flows *f)
{
	return f->open_max;
}

/*
 * The index of s in t, added when new; past max names, the last index
 * ("(other)") stands for the rest. *added says whether s is new.
 */
static int
flows_intern(struct flows_names *t, const char *s, int max, int *added)
{
	void *v = hmap_get(t->map, s, strlen(s));

	*added = 0;
	if (v != NULL)
		return (int)((intptr_t)v - 1);
	if (t->n == max)
		return max;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = util_realloc(t->v, (size_t)(t->cap + 1) *
		    sizeof(*t->v));
	}
	t->v[t->n] = util_strdup(s);
	hmap_put(t->map, s, strlen(s), (void *)(intptr_t)(t->n + 1));
	*added = 1;
	return t->n++;
}

const char *
flows_name(const struct flows_names *t, int i)
{
	if (i < 0)
		return NULL;
	return i < t->n ? t->v[i] : "(other)";
}

/* Says whether s (len n) equals the NUL-terminated word w. */
static int
flows_word(const char *s, size_t n, const char *w)
{
	return w != NULL && strlen(w) == n && memcmp(s, w, n) == 0;
}

/*
 * The role of a message type ("PREFIX/family/version/name"), and for
 * requests and responses the protocol's index in *proto.
 */
static enum flows_role
flows_classify(const char *type, int *proto)
{
	const char *name = strrchr(type, '/'), *ver, *fam;
	size_t nl, fl, i;

	*proto = -1;
	if (name == NULL)
		return FLOWS_ROLE_OTHER;
	nl = strlen(++name);
	for (ver = name - 1; ver > type && ver[-1] != '/'; ver--)
		;
	if (ver <= type + 1)
		return FLOWS_ROLE_OTHER;
	for (fam = ver - 1; fam > type && fam[-1] != '/' && fam[-1] != ';';
	    fam--)
		;
	fl = (size_t)(ver - 1 - fam);
	if (flows_word(fam, fl, "routing") && flows_word(name, nl, "forward"))
		return FLOWS_ROLE_FORWARD;
	if (flows_word(name, nl, "problem-report"))
		return FLOWS_ROLE_PROBLEM;
	for (i = 0; i < FLOWS_NPROTOS; i++) {
		const struct flows_proto *p = &flows_protos[i];

		if (!flows_word(fam, fl, p->family))
			continue;
		*proto = (int)i;
		if (flows_word(name, nl, p->request))
			return FLOWS_ROLE_REQUEST;
		if (flows_word(name, nl, p->response) ||
		    flows_word(name, nl, p->response2))
			return p->unthreaded ? FLOWS_ROLE_UNTHREADED :
			    FLOWS_ROLE_RESPONSE;
		*proto = -1;
	}
	return FLOWS_ROLE_OTHER;
}

/* The index of a message type, its role and protocol noted. */
static int
flows_type(struct flows *f, const char *type)
{
	int added, i = flows_intern(&f->types, type ? type : "(none)",
	    FLOWS_NAMES_MAX, &added);

	if (added) {
		if (i >= f->roles_cap) {
			f->roles_cap = f->roles_cap ? f->roles_cap * 2 : 16;
			f->role = util_realloc(f->role, (size_t)(f->roles_cap +
			    1) * sizeof(*f->role));
			f->proto = util_realloc(f->proto, (size_t)(f->roles_cap +
			    1) * sizeof(*f->proto));
		}
		f->role[i] = (int)flows_classify(f->types.v[i], &f->proto[i]);
	} else if (i == FLOWS_NAMES_MAX && f->types.n == FLOWS_NAMES_MAX &&
	    f->roles_cap <= FLOWS_NAMES_MAX) {
		f->role = util_realloc(f->role, (size_t)(FLOWS_NAMES_MAX + 1) *
		    sizeof(*f->role));
		f->proto = util_realloc(f->proto, (size_t)(FLOWS_NAMES_MAX + 1) *
		    sizeof(*f->proto));
		f->roles_cap = FLOWS_NAMES_MAX + 1;
		f->role[i] = FLOWS_ROLE_OTHER;
		f->proto[i] = -1;
	}
	return i;
}

/* The index of an endpoint (its "handled" flag grown with it). */
static int
flows_endpoint(struct flows *f, const char *ep)
{
	int added, i = flows_intern(&f->endpoints, ep, FLOWS_NAMES_MAX,
	    &added);

	if (i >= f->ep_cap) {
		int cap = f->ep_cap ? f->ep_cap * 2 : 16;

		while (cap <= i)
			cap *= 2;
		f->ep_handled = util_realloc(f->ep_handled, (size_t)cap);
		memset(f->ep_handled + f->ep_cap, 0, (size_t)(cap -
		    f->ep_cap));
		f->ep_cap = cap;
	}
	return i;
}

/*
 * The mark an outcome stands for, or -1; *ep gets the endpoint a raw
 * DELIVER outcome carries.
 */
static int
flows_mark_of(const char *o, const char **ep)
{
	static const char otm[] = "OutboundTransportManager.";

	*ep = NULL;
	if (o == NULL)
		return -1;
	if (o[0] == 'D') {
		if (strcmp(o, "Dispatcher.handle_message.START") == 0)
			return FLOWS_H_S;
		if (strcmp(o, "Dispatcher.handle_message.END") == 0)
			return FLOWS_H_E;
		return -1;
	}
	if (o[0] != 'O' || strncmp(o, otm, sizeof(otm) - 1) != 0)
		return -1;
	o += sizeof(otm) - 1;
	if (strcmp(o, "ENCODE.START") == 0)
		return FLOWS_ENC_S;
	if (strcmp(o, "ENCODE.END") == 0)
		return FLOWS_ENC_E;
	if (strncmp(o, "DELIVER.START", 13) == 0 && (o[13] == '\0' ||
	    o[13] == '.')) {
		*ep = o[13] ? o + 14 : NULL;
		return FLOWS_DEL_S;
	}
	if (strncmp(o, "DELIVER.END", 11) == 0 && (o[11] == '\0' ||
	    o[11] == '.')) {
		*ep = o[11] ? o + 12 : NULL;
		return FLOWS_DEL_E;
	}
	return -1;
}

/* A leg with nothing seen. */
static void
flows_leg_init(struct flows_leg *l, int type, char *id)
{
	memset(l, 0, sizeof(*l));
	l->type = type;
	l->sender = l->receiver = l->endpoint = -1;
	l->id = id;
}

/* Puts x at the end of list l through its link k. */
static void
flows_list_append(struct flows_list *l, struct flows_x *x, int k)
{
	x->link[k].prev = l->tail;
	x->link[k].next = NULL;
	if (l->tail != NULL)
		l->tail->link[k].next = x;
	else
		l->head = x;
	l->tail = x;
}

/* Takes x off list l (its link k). */
static void
flows_list_remove(struct flows_list *l, struct flows_x *x, int k)
{
	struct flows_link *e = &x->link[k];

	if (e->prev != NULL)
		e->prev->link[k].next = e->next;
	else
		l->head = e->next;
	if (e->next != NULL)
		e->next->link[k].prev = e->prev;
	else
		l->tail = e->prev;
	e->prev = e->next = NULL;
}

/* Starts an exchange at time t and puts it at the end of the age list. */
static struct flows_x *
flows_x_new(struct flows *f, enum flows_xkind kind, double t)
{
	struct flows_x *x = util_calloc(1, sizeof(*x));

	x->kind = kind;
	x->proto = -1;
	x->wagent = -1;
	x->first = x->last = t;
	flows_list_append(&f->age, x, FLOWS_AGE);
	if (++f->open > f->open_max)
		f->open_max = f->open;
	return x;
}

/* Takes x off its agent's waiting list. */
static void
flows_unwait(struct flows *f, struct flows_x *x)
{
	if (x->wagent < 0)
		return;
	flows_list_remove(&f->agent[x->wagent].wait, x, FLOWS_WAIT);
	x->wagent = -1;
}

/* Puts x at the end of agent ai's waiting list. */
static void
flows_wait(struct flows *f, struct flows_x *x, int ai)
{
	flows_unwait(f, x);
	x->wagent = ai;
	flows_list_append(&f->agent[ai].wait, x, FLOWS_WAIT);
}

/* Takes x off every list and the message map (x itself is kept). */
static void
flows_detach(struct flows *f, struct flows_x *x)
{
	int i;

	flows_unwait(f, x);
	if (x->nlegs > 1 && x->leg[1].sender >= 0 &&
	    f->agent[x->leg[1].sender].last_relay == x)
		f->agent[x->leg[1].sender].last_relay = NULL;
	for (i = 0; i < x->nlegs; i++)
		if (x->leg[i].id != NULL)
			hmap_del(f->msgs, x->leg[i].id, strlen(x->leg[i].id));
	flows_list_remove(&f->age, x, FLOWS_AGE);
	f->open--;
}

/*
 * The first reason leg l is incomplete, or -1 when every mark it started
 * has its end and a delivered message was handled.
 */
static int
flows_leg_verdict(const struct flows_leg *l)
{
	static const struct {
		int has, lacks, verdict;
	} rules[] = {
		{ FLOWS_ENC_S, FLOWS_ENC_E, FLOWS_LOST_START_WITHOUT_END },
		{ FLOWS_ENC_E, FLOWS_ENC_S, FLOWS_LOST_END_WITHOUT_START },
		{ FLOWS_ENC_S, FLOWS_DEL_S, FLOWS_LOST_NEVER_SENT },
		{ FLOWS_DEL_S, FLOWS_DEL_E, FLOWS_LOST_DELIVER_WITHOUT_END },
		{ FLOWS_DEL_E, FLOWS_DEL_S, FLOWS_LOST_END_WITHOUT_START },
		{ FLOWS_DEL_S, FLOWS_H_S, FLOWS_LOST_NEVER_HANDLED },
		{ FLOWS_H_S, FLOWS_H_E, FLOWS_LOST_START_WITHOUT_END },
		{ FLOWS_H_E, FLOWS_H_S, FLOWS_LOST_END_WITHOUT_START },
	};
	size_t i;

	for (i = 0; i < sizeof(rules) / sizeof(rules[0]); i++)
		if ((l->seen & (1u << rules[i].has)) &&
		    !(l->seen & (1u << rules[i].lacks)))
			return rules[i].verdict;
	return -1;
}

/*
 * The first reason x is incomplete, or -1 when it is complete. With
 * strict, an exchange whose sender side is untraced is not complete yet
 * (its sender's events may still come, late by the clocks' offset).
 */
static int
flows_x_verdict(const struct flows_x *x, int strict, int *leg)
{
	int v, i;

	for (i = 0; i < x->nlegs; i++) {
		*leg = i;
		if (x->kind == FLOWS_X_FORWARD && i == 1) {
			/* the relay: its receiver cannot be told */
			if (!(x->leg[1].seen & (1u << FLOWS_DEL_E)))
				return FLOWS_LOST_DELIVER_WITHOUT_END;
			continue;
		}
		if ((v = flows_leg_verdict(&x->leg[i])) != -1)
			return v;
		if (strict && !(x->leg[i].seen & FLOWS_SENDER_MARKS) &&
		    !(x->kind == FLOWS_X_FORWARD && i == 0))
			return FLOWS_LOST_NEVER_SENT;
	}
	*leg = 0;
	switch (x->kind) {
	case FLOWS_X_FORWARD:
		return x->nlegs < 2 ? FLOWS_LOST_FORWARD_UNDELIVERED : -1;
	case FLOWS_X_REQUEST:
		return x->nlegs < 2 ? FLOWS_LOST_NO_RESPONSE : -1;
	case FLOWS_X_ORPHAN:
	case FLOWS_X_LOOSE:
		return FLOWS_LOST_ORPHAN_RESPONSE;
	case FLOWS_X_ONEWAY:
		break;
	}
	return -1;
}

/* The group of x (created when new). */
static struct flows_group *
flows_group_of(struct flows *f, const struct flows_x *x)
{
	int key[3] = { x->leg[0].type, x->leg[0].sender, x->leg[0].receiver };
	struct flows_group *g = hmap_get(f->groups, key, sizeof(key));

	if (g != NULL)
		return g;
	if (hmap_size(f->groups) >= FLOWS_GROUPS_MAX) {
		key[0] = FLOWS_NAMES_MAX;	/* "(other)" */
		key[1] = key[2] = -1;
		if ((g = hmap_get(f->groups, key, sizeof(key))) != NULL)
			return g;
	}
	g = util_calloc(1, sizeof(*g));
	g->type = key[0];
	g->from = key[1];
	g->to = key[2];
	g->endpoint = x->leg[0].endpoint;
	g->paired = x->kind == FLOWS_X_FORWARD || (x->proto >= 0 &&
	    flows_protos[x->proto].unthreaded);
	hmap_put(f->groups, key, sizeof(key), g);
	return g;
}

/* The agent that traced mark m of leg l. */
static int
flows_mark_agent(const struct flows_leg *l, int m)
{
	return FLOWS_IS_SENDER(m) ? l->sender : l->receiver;
}

/* Records v ms of hop h into g: raw when across agents, else clamped. */
static void
flows_group_hop(struct flows_group *g, int h, double v, int cross)
{
	struct hist **hp = &g->pos[h];

	if (cross && v < 0) {
		hp = &g->neg[h];
		v = -v;
	} else if (v < 0) {
		g->clamped[h]++;
		v = 0;
	}
	if (*hp == NULL)
		*hp = hist_new();
	hist_record(*hp, v);
}

/* Milliseconds from a to b, rounded to the microsecond. */
static double
flows_ms(double a, double b)
{
	return (double)llround((b - a) * 1e6) / 1000.0;
}

/* Folds the bounds one request/response pair gives into the clocks. */
static void
flows_clock_pair(struct flows *f, const struct flows_x *x)
{
	const struct flows_leg *q = &x->leg[0], *r = &x->leg[1];
	double up = flows_ms(q->t[FLOWS_DEL_S], q->t[FLOWS_H_S]);
	double lo = -flows_ms(r->t[FLOWS_DEL_S], r->t[FLOWS_H_S]), t;
	struct flows_clock *c = NULL;
	int a = q->sender, b = q->receiver;
	size_t i;

	if (a > b) {		/* bounds on clock(b) - clock(a), a < b */
		t = up;
		up = -lo;
		lo = -t;
		a = q->receiver;
		b = q->sender;
	}
	for (i = 0; i < f->nclocks && c == NULL; i++)
		if (f->clocks[i].a == a && f->clocks[i].b == b)
			c = &f->clocks[i];
	if (c == NULL) {
		f->clocks = util_realloc(f->clocks, (f->nclocks + 1) *
		    sizeof(*f->clocks));
		c = &f->clocks[f->nclocks++];
		c->a = a;
		c->b = b;
		c->lo = -INFINITY;
		c->hi = INFINITY;
		c->best_delay = INFINITY;
		c->pairs = 0;
	}
	c->lo = lo > c->lo ? lo : c->lo;
	c->hi = up < c->hi ? up : c->hi;
	if (up - lo < c->best_delay) {
		c->best_delay = up - lo;
		c->best_mid = (up + lo) / 2;
	}
	c->pairs++;
}

/* Says whether x's response went back the way its request came. */
static int
flows_regular(const struct flows_x *x)
{
	const struct flows_leg *q = &x->leg[0], *r = &x->leg[1];

	return !((q->receiver >= 0 && r->sender >= 0 &&
	    q->receiver != r->sender) || (q->sender >= 0 && r->receiver >= 0 &&
	    q->sender != r->receiver));
}

/* Records every hop, the round trip and the clock pair of complete x. */
static void
flows_record(struct flows *f, struct flows_x *x, struct flows_group *g)
{
	int h, lo, hi, nlegs = x->nlegs, a, b;
	const struct flows_leg *q = &x->leg[0], *r = &x->leg[1];
	unsigned want = (1u << FLOWS_DEL_S) | (1u << FLOWS_H_S);

	if (x->kind == FLOWS_X_REQUEST && !flows_regular(x)) {
		g->irregular++;
		nlegs = 1;
	}
	lo = x->kind == FLOWS_X_FORWARD ? FLOWS_HOP_FWD_HANDLE : 0;
	hi = x->kind == FLOWS_X_FORWARD ? FLOWS_NHOPS : FLOWS_HOP_FWD_HANDLE;
	for (h = lo; h < hi; h++) {
		const struct flows_hop_def *d = &flows_hop_defs[h];
		const struct flows_leg *la = &x->leg[d->la], *lb = &x->leg[d->lb];

		if (d->la >= nlegs || d->lb >= nlegs ||
		    !(la->seen & (1u << d->ma)) || !(lb->seen & (1u << d->mb)))
			continue;
		a = flows_mark_agent(la, d->ma);
		b = flows_mark_agent(lb, d->mb);
		flows_group_hop(g, h, flows_ms(la->t[d->ma], lb->t[d->mb]),
		    d->dir != 0 && a != b);
	}
	if (x->kind != FLOWS_X_REQUEST || nlegs < 2 || q->sender < 0 ||
	    !(r->seen & (1u << FLOWS_H_E)))
		return;
	if (g->rt == NULL)
		g->rt = hist_new();
	a = q->seen & (1u << FLOWS_ENC_S) ? FLOWS_ENC_S : FLOWS_DEL_S;
	hist_record(g->rt, fmax(0, flows_ms(q->t[a], r->t[FLOWS_H_E])));
	if (q->receiver >= 0 && q->sender != q->receiver &&
	    (q->seen & want) == want && (r->seen & want) == want)
		flows_clock_pair(f, x);
}

/* Keeps an example of verdict v for x's leg li. */
static void
flows_example(struct flows *f, const struct flows_x *x, int v, int li)
{
	const struct flows_leg *l = &x->leg[li];
	struct flows_example *e;

	if (v >= FLOWS_LOST_COUNT || f->nexamples[v] == FLOWS_EXAMPLES)
		return;
	e = &f->examples[v][f->nexamples[v]++];
	e->msg_id = util_strdup(l->id ? l->id : "N/A");
	e->type = l->type;
	/* where it stopped: the receiver's side, or the sender's */
	if (v == FLOWS_LOST_NO_RESPONSE || v == FLOWS_LOST_FORWARD_UNDELIVERED ||
	    (v == FLOWS_LOST_START_WITHOUT_END &&
	    (l->seen & (1u << FLOWS_H_S))) || l->sender < 0)
		e->agent = l->receiver;
	else
		e->agent = l->sender;
	e->first = x->first;
	e->last = x->last;
	e->seen = l->seen;
	e->leg = li;
}

/*
 * Ends x: complete (v == -1), lost (v a verdict), or undecided; folds it
 * into its group and frees it.
 */
static void
flows_finish(struct flows *f, struct flows_x *x, int v, int li,
    int undecided)
{
	struct flows_group *g = flows_group_of(f, x);

	flows_detach(f, x);
	g->count++;
	if (undecided) {
		g->undecided++;
		f->undecided++;
	} else if (v == -1) {
		g->complete++;
		flows_record(f, x, g);
	} else {
		if (v == FLOWS_LOST_NEVER_HANDLED &&
		    (x->leg[li].endpoint < 0 ||
		    !f->ep_handled[x->leg[li].endpoint]))
			v = FLOWS_UNOBSERVED_RECEIVER;
		else if (v == FLOWS_LOST_FORWARD_UNDELIVERED &&
		    x->leg[0].receiver >= 0 &&
		    f->agent[x->leg[0].receiver].relays == 0)
			v = FLOWS_UNOBSERVED_RELAY;
		if (v < FLOWS_LOST_COUNT)
			g->lost++;
		f->verdicts[v]++;
		flows_example(f, x, v, li);
	}
	flows_x_free(x);
}

/*
 * Decides x now that its time is up: complete as far as the traces go,
 * lost, or undecided when its start may lie before the window.
 */
static void
flows_decide(struct flows *f, struct flows_x *x, int at_end)
{
	int li, v = flows_x_verdict(x, 0, &li);

	if (v != -1 && at_end && x->first + f->timeout > f->max_time)
		flows_finish(f, x, v, li, 1);
	else if ((v == FLOWS_LOST_END_WITHOUT_START ||
	    v == FLOWS_LOST_ORPHAN_RESPONSE) &&
	    x->first < f->min_time + f->timeout)
		flows_finish(f, x, v, li, 1);
	else
		flows_finish(f, x, v, li, 0);
}

/* Decides the exchanges whose time is up (input late by a timeout). */
static void
flows_expire(struct flows *f)
{
	while (f->age.head != NULL &&
	    f->age.head->first + 2 * f->timeout < f->max_time)
		flows_decide(f, f->age.head, 0);
}

void
flows_drain(struct flows *f)
{
	while (f->age.head != NULL)
		flows_decide(f, f->age.head, 1);
}

/*
 * The agent index of a trace label (FLOWS_AGENTS_MAX: the rest); the
 * two labels seen last are compared before the table is searched.
 */
static int
flows_agent(struct flows *f, const char *label)
{
	int added, i, a;

	if (label == NULL)
		label = "(none)";
	for (i = 0; i < 2; i++) {
		a = f->last_agent[i];
		if (a >= 0 && a < f->agents.n &&
		    strcmp(f->agents.v[a], label) == 0)
			return a;
	}
	a = flows_intern(&f->agents, label, FLOWS_AGENTS_MAX, &added);
	f->last_agent[1] = f->last_agent[0];
	f->last_agent[0] = a;
	return a;
}

/*
 * The forward agent a handled that a relay at time t carries: the one
 * whose handling ended last before t, else the one started last of those
 * still being handled. (Oldest first would let one forward that is never
 * relayed shift every later pairing by one.)
 */
static struct flows_x *
flows_relay_pick(struct flows *f, int a, double t)
{
	struct flows_x *x, *ended = NULL, *open = NULL;
	const struct flows_leg *l;

	for (x = f->agent[a].wait.head; x != NULL;
	    x = x->link[FLOWS_WAIT].next) {
		l = &x->leg[0];
		if (x->kind != FLOWS_X_FORWARD || l->t[FLOWS_H_S] > t)
			continue;
		if (!(l->seen & (1u << FLOWS_H_E)))
			open = x;	/* the latest started */
		else if (l->t[FLOWS_H_E] <= t && (ended == NULL ||
		    l->t[FLOWS_H_E] >= ended->leg[0].t[FLOWS_H_E]))
			ended = x;
	}
	return ended != NULL ? ended : open;
}

/* Finishes x when it is complete. */
static void
flows_try_finish(struct flows *f, struct flows_x *x)
{
	int li;

	if (flows_x_verdict(x, 1, &li) == -1)
		flows_finish(f, x, -1, 0, 0);
}

/* Notes the END of relay x (at time t) and finishes x when complete. */
static void
flows_relay_end(struct flows *f, struct flows_x *x, double t)
{
	x->leg[1].seen |= 1u << FLOWS_DEL_E;
	x->leg[1].t[FLOWS_DEL_E] = t;
	x->last = fmax(x->last, t);
	flows_try_finish(f, x);
}

/* A relay event (DELIVER with msg_id N/A) of agent a. */
static void
flows_relay(struct flows *f, const struct trace_event *ev, int mark, int a,
    const char *ep)
{
	struct flows_agent *ag = &f->agent[a];
	struct flows_x *x;
	struct flows_leg *l;

	if (mark == FLOWS_DEL_E) {
		x = ag->last_relay;
		ag->last_relay = NULL;
		if (x == NULL || (x->leg[1].seen & (1u << FLOWS_DEL_E))) {
			ag->early_end = ev->time;
			f->ignored++;
			return;
		}
		flows_relay_end(f, x, ev->time);
		return;
	}
	ag->relays++;
	x = flows_relay_pick(f, a, ev->time);
	ag->last_relay = x;
	if (x == NULL) {
		f->relays_unmatched++;
		return;
	}
	flows_unwait(f, x);
	x->nlegs = 2;
	l = &x->leg[1];
	flows_leg_init(l, x->leg[0].type, NULL);
	l->sender = a;
	l->seen = 1u << FLOWS_DEL_S;
	l->t[FLOWS_DEL_S] = ev->time;
	if (ep != NULL)
		l->endpoint = flows_endpoint(f, ep);
	x->last = fmax(x->last, ev->time);
	if (ag->early_end == ev->time) {	/* its END came first */
		f->ignored--;
		ag->early_end = -1;
		ag->last_relay = NULL;
		flows_relay_end(f, x, ev->time);
	}
}

/*
 * The request of protocol proto agent a handled by time t and still
 * waits for its unthreaded response (the oldest), or NULL.
 */
static struct flows_x *
flows_pair_pick(struct flows *f, int a, int proto, double t)
{
	struct flows_x *x;

	for (x = f->agent[a].wait.head; x != NULL;
	    x = x->link[FLOWS_WAIT].next)
		if (x->kind == FLOWS_X_REQUEST && x->proto == proto &&
		    x->nlegs == 1 && x->leg[0].t[FLOWS_H_S] <= t)
			return x;
	return NULL;
}

/* Makes message id (taken) of type the response leg of request x. */
static void
flows_attach(struct flows *f, struct flows_x *x, int type, char *id)
{
	flows_unwait(f, x);
	flows_leg_init(&x->leg[1], type, id);
	x->nlegs = 2;
	hmap_put(f->msgs, id, strlen(id), x);
}

/*
 * The exchange a message seen for the first time belongs to: its
 * request's (a response), a request's found by time (an unthreaded
 * response its sender traced), or a new one. *li gets its leg.
 */
static struct flows_x *
flows_message(struct flows *f, const struct trace_event *ev, int mark,
    int agent, int *li)
{
	int type = flows_type(f, ev->traced_type), role = f->role[type];
	int proto = f->proto[type];
	const char *th = ev->thread_id;
	struct flows_x *x = NULL;
	enum flows_xkind kind;

	*li = 1;
	if ((role == FLOWS_ROLE_RESPONSE || role == FLOWS_ROLE_PROBLEM) &&
	    th != NULL && strcmp(th, ev->msg_id) != 0 &&
	    (x = hmap_get(f->msgs, th, strlen(th))) != NULL &&
	    x->kind == FLOWS_X_REQUEST && x->nlegs == 1 &&
	    strcmp(x->leg[0].id, th) == 0 &&
	    (role == FLOWS_ROLE_PROBLEM || x->proto == proto)) {
		flows_attach(f, x, type, util_strdup(ev->msg_id));
		return x;
	}
	if (role == FLOWS_ROLE_UNTHREADED && FLOWS_IS_SENDER(mark) &&
	    (x = flows_pair_pick(f, agent, proto, ev->time)) != NULL) {
		flows_attach(f, x, type, util_strdup(ev->msg_id));
		return x;
	}
	kind = role == FLOWS_ROLE_REQUEST ? FLOWS_X_REQUEST :
	    role == FLOWS_ROLE_FORWARD ? FLOWS_X_FORWARD :
	    role == FLOWS_ROLE_RESPONSE ? FLOWS_X_ORPHAN :
	    role == FLOWS_ROLE_UNTHREADED ? FLOWS_X_LOOSE : FLOWS_X_ONEWAY;
	x = flows_x_new(f, kind, ev->time);
	x->proto = proto;
	flows_leg_init(&x->leg[0], type, util_strdup(ev->msg_id));
	x->nlegs = 1;
	hmap_put(f->msgs, ev->msg_id, strlen(ev->msg_id), x);
	*li = 0;
	return x;
}

/*
 * An unthreaded response first seen at its receiver (its sender's clock
 * behind): once its sender's first event comes, it joins its request.
 */
static struct flows_x *
flows_loose(struct flows *f, struct flows_x *x, int *li, int mark,
    int agent, double t)
{
	struct flows_x *y;

	if (x->kind != FLOWS_X_LOOSE || !FLOWS_IS_SENDER(mark) ||
	    (x->leg[0].seen & FLOWS_SENDER_MARKS) ||
	    (y = flows_pair_pick(f, agent, x->proto, t)) == NULL)
		return x;
	flows_unwait(f, y);
	y->leg[1] = x->leg[0];
	y->nlegs = 2;
	y->first = fmin(y->first, x->first);
	y->last = fmax(y->last, x->last);
	x->nlegs = 0;		/* its id now belongs to y */
	x->leg[0].id = NULL;
	flows_detach(f, x);
	flows_x_free(x);
	hmap_put(f->msgs, y->leg[1].id, strlen(y->leg[1].id), y);
	*li = 1;
	return y;
}

/* Notes mark of leg li of x, traced by agent at ev->time. */
static void
flows_mark(struct flows *f, struct flows_x *x, int li,
    const struct trace_event *ev, int mark, int agent, const char *ep)
{
	struct flows_leg *l = &x->leg[li];
	const unsigned both = (1u << FLOWS_DEL_S) | (1u << FLOWS_H_S);

	if (FLOWS_IS_SENDER(mark)) {
		if (l->sender < 0)
			l->sender = agent;
	} else if (l->receiver < 0)
		l->receiver = agent;
	if (mark == FLOWS_DEL_S && l->endpoint < 0 && (ep || ev->endpoint))
		l->endpoint = flows_endpoint(f, ep ? ep : ev->endpoint);
	x->first = fmin(x->first, ev->time);
	x->last = fmax(x->last, ev->time);
	if (l->seen & (1u << mark)) {
		l->redelivered += mark == FLOWS_DEL_S;
		return;
	}
	l->seen |= 1u << mark;
	l->t[mark] = ev->time;
	if ((l->seen & both) == both && l->endpoint >= 0)
		f->ep_handled[l->endpoint] = 1;
	if (mark == FLOWS_H_S && li == 0 && (x->kind == FLOWS_X_FORWARD ||
	    (x->kind == FLOWS_X_REQUEST && x->nlegs == 1 &&
	    flows_protos[x->proto].unthreaded)))
		flows_wait(f, x, agent);
}

int
flows_follows(const char *outcome)
{
	const char *ep;

	return flows_mark_of(outcome, &ep) >= 0;
}

void
flows_add(struct flows *f, const struct trace_event *ev)
{
	const char *ep;
	int mark = flows_mark_of(ev->outcome, &ep), agent, li;
	struct flows_x *x;

	f->events++;
	if (mark < 0) {
		f->ignored++;
		return;
	}
	if (f->any && ev->time + f->timeout < f->max_time)
		f->late++;
	if (!f->any || ev->time < f->min_time)
		f->min_time = ev->time;
	if (!f->any || ev->time > f->max_time)
		f->max_time = ev->time;
	f->any = 1;
	agent = flows_agent(f, ev->label);
	if (ev->msg_id == NULL || strcmp(ev->msg_id, "N/A") == 0) {
		if (mark == FLOWS_DEL_S || mark == FLOWS_DEL_E)
			flows_relay(f, ev, mark, agent, ep ? ep :
			    ev->endpoint);
		else
			f->ignored++;
	} else {
		x = hmap_get(f->msgs, ev->msg_id, strlen(ev->msg_id));
		if (x == NULL)
			x = flows_message(f, ev, mark, agent, &li);
		else
			li = x->nlegs > 1 && x->leg[1].id != NULL &&
			    strcmp(x->leg[1].id, ev->msg_id) == 0;
		x = flows_loose(f, x, &li, mark, agent, ev->time);
		flows_mark(f, x, li, ev, mark, agent, ep);
		flows_try_finish(f, x);
	}
	flows_expire(f);
}
