/* live.c: /metrics and a live page, served from the last published texts. */
#include "live.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <microhttpd.h>

#include "util.h"

#define LIVE_CSP "default-src 'none'; style-src 'unsafe-inline'; " \
	"img-src 'self' data:"

struct live {
	struct MHD_Daemon *d;
	pthread_mutex_t lock;
	char *metrics;		/* the last published texts */
	char *page;
	unsigned port;
	int scraped;		/* /metrics served since the last publish */
};

/* The address to bind from ADDR:PORT; 0, or -1 with *cause. */
static int
live_address(const char *listen, int allow_remote,
    struct sockaddr_storage *ss, char **cause)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
	const char *colon = strrchr(listen, ':');
	char host[64];
	unsigned long long port;
	size_t n;

	memset(ss, 0, sizeof(*ss));
	if (colon == NULL || util_parse_uint(colon + 1, 65535, &port) == -1 ||
	    (n = (size_t)(colon - listen)) == 0 || n >= sizeof(host))
		return util_fail(cause, "--metrics: \"%s\" is not ADDR:PORT "
		    "(like 127.0.0.1:9464)", listen);
	memcpy(host, listen, n);
	host[n] = '\0';
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		if (!allow_remote && (ntohl(in4->sin_addr.s_addr) >> 24) != 127)
			return util_fail(cause, "--metrics: %s is not a loopback "
			    "address; give --allow-remote to serve the metrics "
			    "beyond this machine", host);
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (!allow_remote && !IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
			return util_fail(cause, "--metrics: %s is not a loopback "
			    "address; give --allow-remote to serve the metrics "
			    "beyond this machine", host);
		return 0;
	}
	return util_fail(cause, "--metrics: \"%s\" is not an IP address",
	    host);
}

/* Queues one answer (text copied). */
static enum MHD_Result
live_reply(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *text)
{
	struct MHD_Response *r;
	enum MHD_Result rc;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	MHD_add_response_header(r, "Content-Security-Policy", LIVE_CSP);
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	rc = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Answers one request from the last published texts. */
static enum MHD_Result
live_handle(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **state)
{
	struct live *l = cls;
	enum MHD_Result rc;
	int page = strcmp(url, "/") == 0;

	(void)version;
	(void)upload;
	(void)state;
	if (*upload_size != 0 || (strcmp(method, "GET") != 0 &&
	    strcmp(method, "HEAD") != 0))
		return live_reply(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "text/plain", "GET /metrics or GET /\n");
	if (!page && strcmp(url, "/metrics") != 0)
		return live_reply(conn, MHD_HTTP_NOT_FOUND, "text/plain",
		    "GET /metrics or GET /\n");
	pthread_mutex_lock(&l->lock);
	if (!page)
		l->scraped = 1;
	rc = live_reply(conn, MHD_HTTP_OK, page ? "text/html; charset=utf-8" :
	    "text/plain; version=0.0.4; charset=utf-8", page ?
	    (l->page ? l->page : "<!doctype html><title>medload</title>") :
	    (l->metrics ? l->metrics : ""));
	pthread_mutex_unlock(&l->lock);
	return rc;
}

int
live_check(const char *listen, int allow_remote, char **cause)
{
	struct sockaddr_storage ss;

	return live_address(listen, allow_remote, &ss, cause);
}

int
live_start(const char *listen, int allow_remote, struct live **out,
    char **cause)
{
	struct sockaddr_storage ss;
	const union MHD_DaemonInfo *info;
	struct live *l;

	*out = NULL;
	if (live_address(listen, allow_remote, &ss, cause) == -1)
		return -1;
	l = util_calloc(1, sizeof(*l));
	pthread_mutex_init(&l->lock, NULL);
	/*
	 * MHD_USE_AUTO: epoll or poll, never select(), whose FD_SETSIZE (1024)
	 * a run holding thousands of sessions passes: its scrapes would get an
	 * empty reply.
	 */
	l->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
	    MHD_USE_ERROR_LOG | (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
	    0, NULL, NULL, live_handle, l, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT,
	    10u, MHD_OPTION_END);
	if (l->d == NULL) {
		pthread_mutex_destroy(&l->lock);
		free(l);
		return util_fail(cause, "--metrics %s: cannot listen there (in "
		    "use, or not an address of this machine)", listen);
	}
	info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_BIND_PORT);
	l->port = info != NULL ? info->port : 0;
	*out = l;
	return 0;
}

unsigned
live_port(const struct live *l)
{
	return l->port;
}

void
live_publish(struct live *l, const char *metrics, const char *page)
{
	char *m = metrics ? util_strdup(metrics) : NULL;
	char *p = page ? util_strdup(page) : NULL;

	pthread_mutex_lock(&l->lock);
	if (m != NULL) {
		free(l->metrics);
		l->metrics = m;
		l->scraped = 0;
	}
	if (p != NULL) {
		free(l->page);
		l->page = p;
	}
	pthread_mutex_unlock(&l->lock);
}

void
live_linger(struct live *l, double seconds)
{
	struct timespec ts = { 0, 50000000 };
	int done = 0;

	while (seconds > 0 && !done) {
		pthread_mutex_lock(&l->lock);
		done = l->scraped;
		pthread_mutex_unlock(&l->lock);
		if (!done)
			nanosleep(&ts, NULL);
		seconds -= 0.05;
	}
}

void
live_stop(struct live *l)
{
	if (l == NULL)
		return;
	MHD_stop_daemon(l->d);
	pthread_mutex_destroy(&l->lock);
	free(l->metrics);
	free(l->page);
	free(l);
}
