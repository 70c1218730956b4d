/*
 * test_live.c: the live view's server (core/live.c) answers when the
 * process holds more descriptors than select() can watch (FD_SETSIZE,
 * 1024), as a run holding thousands of WebSocket sessions does: the
 * listener and every scrape's socket are numbered past 1024 here.
 */
#include "live.h"

#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

#define TEST_FDS (FD_SETSIZE + 64)

/* Opens descriptors until the next one is past FD_SETSIZE; returns the count. */
static int
test_fill_fds(int *fds)
{
	struct rlimit rl;
	int n = 0, fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < TEST_FDS + 64) {
		rl.rlim_cur = rl.rlim_max < TEST_FDS + 64 ? rl.rlim_max :
		    TEST_FDS + 64;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	while (n < TEST_FDS && (fd = open("/dev/null", O_RDONLY)) != -1) {
		fds[n++] = fd;
		if (fd > FD_SETSIZE)
			break;
	}
	return n;
}

/* GET path from 127.0.0.1:port; returns the whole answer (malloc'd) or NULL. */
static char *
test_get(unsigned port, const char *path, int *sockfd)
{
	struct sockaddr_in sa;
	char req[128], *buf = malloc(65536);
	size_t len = 0;
	ssize_t got;
	struct timeval tv = { 5, 0 };
	int s = socket(AF_INET, SOCK_STREAM, 0);

	*sockfd = s;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)port);
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (s == -1 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		free(buf);
		if (s != -1)
			close(s);
		return NULL;
	}
	snprintf(req, sizeof(req), "GET %s HTTP/1.0\r\nHost: x\r\n\r\n", path);
	if (write(s, req, strlen(req)) != (ssize_t)strlen(req))
		len = 0;
	while (len < 65535 && (got = read(s, buf + len, 65535 - len)) > 0)
		len += (size_t)got;
	buf[len] = '\0';
	close(s);
	return buf;
}

static void
test_live_past_fd_setsize(void)
{
	int fds[TEST_FDS], n = test_fill_fds(fds), sock = -1, i;
	struct live *l = NULL;
	char *cause = NULL, *got;

	CHECK(n > 0 && fds[n - 1] > FD_SETSIZE);
	CHECK(live_start("127.0.0.1:0", 0, &l, &cause) == 0);
	if (l == NULL) {
		fprintf(stderr, "live_start: %s\n", cause ? cause : "?");
		free(cause);
		for (i = 0; i < n; i++)
			close(fds[i]);
		return;
	}
	live_publish(l, "medload_up 1\n", "<!doctype html><p>up</p>");
	got = test_get(live_port(l), "/metrics", &sock);
	CHECK(sock > FD_SETSIZE);
	CHECK(got != NULL && strncmp(got, "HTTP/1.", 7) == 0 &&
	    strstr(got, " 200 ") != NULL &&
	    strstr(got, "\r\n\r\nmedload_up 1\n") != NULL);
	free(got);
	got = test_get(live_port(l), "/", &sock);
	CHECK(got != NULL && strstr(got, "<p>up</p>") != NULL);
	free(got);
	got = test_get(live_port(l), "/nope", &sock);
	CHECK(got != NULL && strstr(got, " 404 ") != NULL);
	free(got);
	live_stop(l);
	for (i = 0; i < n; i++)
		close(fds[i]);
}

int
main(void)
{
	RUN(test_live_past_fd_setsize);
	return CHECK_EXIT();
}
