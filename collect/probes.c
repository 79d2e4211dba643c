/* probes.c: resolve the configured endpoint and try a TCP connect, each with a timeout that cannot hang. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "collect.h"

#define MAX_ADDRESSES 4

/* One asynchronous lookup; leaked on purpose when glibc cannot cancel it (its thread still writes here). */
struct lookup {
	struct gaicb	 cb;		/* the request */
	struct addrinfo	 hints;		/* its hints */
	char		*host;		/* its name */
};

static uint64_t
ms_since(uint64_t start)
{
	return (mono_usec() - start) / 1000;
}

/* Resolves host with a timeout.  Returns 0 and *res (freeaddrinfo), or an EAI_* code and *err. */
static int
resolve(const char *host, uint64_t timeout_usec, struct addrinfo **res, char **err)
{
	struct lookup *l = xcalloc(1, sizeof(*l));
	struct gaicb *list[1] = { &l->cb };
	uint64_t deadline = mono_usec() + timeout_usec;
	int r;

	l->host = xstrdup(host);
	l->hints.ai_family = AF_UNSPEC;
	l->hints.ai_socktype = SOCK_STREAM;
	l->cb.ar_name = l->host;
	l->cb.ar_request = &l->hints;
	r = getaddrinfo_a(GAI_NOWAIT, list, 1, NULL);
	if (r != 0) {
		*err = xasprintf("cannot start the lookup: %s", gai_strerror(r));
		free(l->host);
		free(l);
		return r;
	}
	for (;;) {
		uint64_t now = mono_usec();
		struct timespec ts;

		r = gai_error(&l->cb);
		if (r != EAI_INPROGRESS)
			break;
		if (now >= deadline) {
			if (gai_cancel(&l->cb) == EAI_CANCELED) {
				free(l->host);
				free(l);
			}
			*err = xasprintf("timed out after %llu ms", (unsigned long long)(timeout_usec / 1000));
			return EAI_AGAIN;
		}
		ts.tv_sec = (time_t)((deadline - now) / 1000000);
		ts.tv_nsec = (long)((deadline - now) % 1000000) * 1000;
		(void)gai_suspend((const struct gaicb *const *)list, 1, &ts);
	}
	if (r == 0)
		*res = l->cb.ar_result;
	else
		*err = xstrdup(r == EAI_SYSTEM ? strerror(errno) : gai_strerror(r));
	free(l->host);
	free(l);
	return r;
}

/* Tries a TCP connect with a timeout.  Returns 0 or -errno (-ETIMEDOUT). */
static int
try_connect(const struct sockaddr *sa, socklen_t len, uint64_t timeout_usec)
{
	_cleanup_close_ int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	struct pollfd p;
	int r, soerr = 0;
	socklen_t sl = sizeof(soerr);

	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return -errno;
	p.fd = fd;
	p.events = POLLOUT;
	do
		r = poll(&p, 1, (int)(timeout_usec / 1000));
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r == 0)
		return -ETIMEDOUT;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		return -errno;
	return -soerr;
}

static json_t *
probe_one(struct ctx *c, const char *host, unsigned port, const char *origin, bool *resolved, bool *connected)
{
	json_t *p = json_object(), *res = json_object(), *addrs = json_array(), *conns = json_array();
	struct addrinfo *ai = NULL;
	_cleanup_free_ char *err = NULL;
	uint64_t start = mono_usec();
	int r, n = 0;

	json_object_set_new(p, "host", json_string(host));
	json_object_set_new(p, "port", json_integer(port));
	json_object_set_new(p, "origin", json_string(origin));
	r = resolve(host, c->profile->probe_timeout_usec, &ai, &err);
	json_object_set_new(res, "ok", json_boolean(r == 0));
	*resolved = r == 0;
	*connected = false;
	for (struct addrinfo *a = ai; a; a = a->ai_next) {
		char s[INET6_ADDRSTRLEN] = "";
		const void *addr = a->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr;
		bool dup = false;
		size_t i;
		json_t *e;

		if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
			continue;
		inet_ntop(a->ai_family, addr, s, sizeof(s));
		json_array_foreach(addrs, i, e)
			if (strcmp(json_string_value(e), s) == 0)
				dup = true;
		if (!dup)
			json_array_append_new(addrs, json_string(s));
	}
	json_object_set_new(res, "addresses", addrs);
	json_object_set_new(res, "error", err ? json_string(err) : json_null());
	json_object_set_new(res, "ms", json_integer((json_int_t)ms_since(start)));
	json_object_set_new(p, "resolve", res);

	for (struct addrinfo *a = ai; a && n < MAX_ADDRESSES; a = a->ai_next) {
		json_t *cn = json_object();
		char s[INET6_ADDRSTRLEN] = "";
		const void *addr;
		uint64_t t0;
		bool dup = false;
		size_t i;
		json_t *e;

		if (a->ai_family != AF_INET && a->ai_family != AF_INET6) {
			json_decref(cn);
			continue;
		}
		addr = a->ai_family == AF_INET6 ? (const void *)&((struct sockaddr_in6 *)a->ai_addr)->sin6_addr :
		    (const void *)&((struct sockaddr_in *)a->ai_addr)->sin_addr;
		inet_ntop(a->ai_family, addr, s, sizeof(s));
		json_array_foreach(conns, i, e)
			if (strcmp(json_string_value(json_object_get(e, "address")), s) == 0)
				dup = true;
		if (dup) {
			json_decref(cn);
			continue;
		}
		if (a->ai_family == AF_INET6)
			((struct sockaddr_in6 *)a->ai_addr)->sin6_port = htons((uint16_t)port);
		else
			((struct sockaddr_in *)a->ai_addr)->sin_port = htons((uint16_t)port);
		t0 = mono_usec();
		r = try_connect(a->ai_addr, a->ai_addrlen, c->profile->probe_timeout_usec);
		json_object_set_new(cn, "address", json_string(s));
		json_object_set_new(cn, "port", json_integer(port));
		json_object_set_new(cn, "ok", json_boolean(r == 0));
		json_object_set_new(cn, "error", r == 0 ? json_null() :
		    json_string(r == -ETIMEDOUT ? "timed out" : strerror(-r)));
		json_object_set_new(cn, "ms", json_integer((json_int_t)ms_since(t0)));
		json_array_append_new(conns, cn);
		if (r == 0)
			*connected = true;
		n++;
	}
	json_object_set_new(p, "connect", conns);
	if (ai)
		freeaddrinfo(ai);
	return p;
}

void
collect_probes(struct ctx *c)
{
	json_t *out = json_object(), *arr = json_array(), *t;
	_cleanup_free_ char *text = NULL, *why = NULL;
	size_t i;
	int r;

	if (c->opt->no_probe || c->opt->root) {
		ctx_source(c, "probes", SOURCE_UNAVAILABLE, "%s", c->opt->root ? "--root: no live probes" :
		    "--no-probe: no live DNS or TCP probes");
		json_decref(out);
		json_decref(arr);
		return;
	}
	/* Endpoints the profile asks for that no collected config named. */
	for (i = 0; i < c->profile->n_probes; i++) {
		const struct profile_probe *pb = &c->profile->probes[i];
		bool found = false;
		size_t k;

		json_array_foreach(c->probe_targets, k, t)
			found |= strcmp(json_string_value(json_object_get(t, "origin")), pb->origin) == 0;
		if (!found) {
			_cleanup_free_ char *name = xasprintf("probe/%s", pb->origin);

			ctx_source(c, name, SOURCE_UNAVAILABLE, "no endpoint to probe: %s was not collected%s%s%s",
			    pb->config, pb->env ? " and " : "", pb->env ? pb->env : "", pb->env ? " is not set" : "");
		}
	}
	json_array_foreach(c->probe_targets, i, t) {
		const char *host = json_string_value(json_object_get(t, "host"));
		const char *origin = json_string_value(json_object_get(t, "origin"));
		unsigned port = (unsigned)json_integer_value(json_object_get(t, "port"));
		bool resolved, connected;
		_cleanup_free_ char *name = NULL;
		json_t *p, *res;

		if (host == NULL) {
			name = xasprintf("probe/%s", origin);
			ctx_source(c, name, SOURCE_UNAVAILABLE, "%s names no %s", json_string_value(json_object_get(t, "config")),
			    json_string_value(json_object_get(t, "host_key")));
			continue;
		}
		name = xasprintf("probe/%s:%u", host, port);
		if (mono_usec() > c->deadline_usec) {
			ctx_source(c, name, SOURCE_UNAVAILABLE, "skipped: the run's time limit was reached");
			continue;
		}
		p = probe_one(c, host, port, origin, &resolved, &connected);
		res = json_object_get(p, "resolve");
		if (!resolved)
			ctx_source(c, name, SOURCE_OK, "%s does not resolve: %s", host,
			    json_string_value(json_object_get(res, "error")));
		else if (!connected)
			ctx_source(c, name, SOURCE_OK, "%s resolves, but no TCP connection to port %u", host, port);
		else
			ctx_source(c, name, SOURCE_OK, "%s resolves and accepts TCP connections on port %u", host, port);
		json_array_append_new(arr, p);
	}
	json_object_set_new(out, "probes", arr);
	if (json_array_size(arr) > 0) {
		text = json_dumps(out, JSON_INDENT(2));
		r = ctx_add_verified(c, BUNDLE_PATH_PROBES, text, strlen(text), &why);
		if (r != 0)
			ctx_source(c, "probes", SOURCE_ERROR, "cannot add resolver/probes.json: %s",
			    r == 1 ? why : strerror(-r));
	}
	json_decref(out);
}
