// SPDX-License-Identifier: GPL-2.0-or-later
/* web.c - the --web and --metrics servers: routing, embedded files, the Host check (see web.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/log.h"
#include "../ctl/vnetd.h"
#include "api.h"
#include "metrics.h"
#include "web.h"

/**
 * struct web - the running servers
 * @d:       the daemon the API and the metrics read
 * @http:    the console + API server, or NULL
 * @metrics: the metrics server, or NULL
 * @token:   what changes through the API need
 */
struct web {
	struct vnetd *d;
	struct http_server *http;
	struct http_server *metrics;
	char token[API_TOKEN_LEN + 1];
};

const struct web_asset *web_asset_find(const char *path)
{
	if (!strcmp(path, "/"))
		path = "/index.html";
	for (const struct web_asset *a = web_assets; a->path; a++) {
		if (!strcmp(a->path, path))
			return a;
	}
	return NULL;
}

bool web_host_ok(const char *host)
{
	const char *end;
	size_t n;

	if (!host)
		return true;
	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return false;
		end++;
		/* an IPv6 literal: hex digits, ':' and '.' only */
		for (const char *p = host + 1; p < end - 1; p++) {
			if (!strchr("0123456789abcdefABCDEF:.", *p))
				return false;
		}
	} else {
		end = strchr(host, ':');
		n = end ? (size_t)(end - host) : strlen(host);
		if (!end)
			end = host + n;
		if (!(n == 9 && !strncasecmp(host, "localhost", 9))) {
			if (!n)
				return false;
			for (const char *p = host; p < end; p++) {
				if (!strchr("0123456789.", *p))
					return false;
			}
		}
	}
	if (!*end)
		return true;
	if (*end != ':' || !end[1])
		return false;
	for (const char *p = end + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return false;
	}
	return true;
}

static void web_metrics(struct web *w, const struct http_req *req, struct http_resp *resp)
{
	char *text;
	size_t size;

	if (strcmp(req->method, "GET")) {
		http_resp_text(resp, 405, "method not allowed\n");
		resp->allow = "GET, HEAD";
		return;
	}
	if (metrics_render(w->d, &text, &size) < 0) {
		http_resp_text(resp, 500, "out of memory\n");
		return;
	}
	resp->status = 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	resp->body = text;
	resp->body_size = size;
}

/* The console + API server's requests. */
static void web_handle(void *arg, const struct http_req *req, struct http_resp *resp)
{
	struct web *w = arg;
	const struct web_asset *a;
	size_t np = strlen(API_PREFIX);

	if (!web_host_ok(req->host)) {
		log_ratelimited(LOG_LVL_WARN, "web: refused a request for host '%.64s'", req->host);
		http_resp_text(resp, 421,
			       "this server answers only to an IP address or localhost\n");
		return;
	}
	if (!strncmp(req->path, API_PREFIX, np) && (!req->path[np] || req->path[np] == '/')) {
		api_handle(w->d, w->token, req, resp);
		return;
	}
	if (!strcmp(req->path, "/metrics")) {
		web_metrics(w, req, resp);
		return;
	}
	a = web_asset_find(req->path);
	if (!a) {
		http_resp_text(resp, 404, "not found\n");
		return;
	}
	if (strcmp(req->method, "GET")) {
		http_resp_text(resp, 405, "method not allowed\n");
		resp->allow = "GET, HEAD";
		return;
	}
	resp->status = 200;
	resp->content_type = a->type;
	resp->body = (char *)a->data;
	resp->body_size = a->size;
	resp->body_static = true;
	resp->cache = "no-cache";
}

/* The metrics server's requests: /metrics only. */
static void web_metrics_handle(void *arg, const struct http_req *req, struct http_resp *resp)
{
	struct web *w = arg;

	if (!strcmp(req->path, "/metrics"))
		web_metrics(w, req, resp);
	else
		http_resp_text(resp, 404, "not found: metrics are at /metrics\n");
}

static bool web_addr_allowed(const struct http_addr *a, const struct web_cfg *cfg, const char *opt,
			     char *err, size_t errsz)
{
	if (a->loopback || cfg->allow_remote)
		return true;
	snprintf(err, errsz,
		 "--%s %s is not a loopback address; it would expose vnetd over plain HTTP "
		 "(add --http-allow-remote if that is what you want)",
		 opt, a->text);
	return false;
}

struct web *web_start(struct vnetd *d, struct evloop *loop, const struct web_cfg *cfg, char *err,
		      size_t errsz)
{
	struct web *w = calloc(1, sizeof(*w));
	int rc;

	if (!w) {
		snprintf(err, errsz, "out of memory");
		return NULL;
	}
	w->d = d;
	if ((cfg->web_on && !web_addr_allowed(&cfg->web, cfg, "web", err, errsz)) ||
	    (cfg->metrics_on && !web_addr_allowed(&cfg->metrics, cfg, "metrics", err, errsz)))
		goto err;
	if (cfg->web_on) {
		rc = api_token_init(d->state_dir, w->token, err, errsz);
		if (rc < 0)
			goto err;
		w->http = http_server_create(loop, &cfg->web, "web", web_handle, w, err, errsz);
		if (!w->http)
			goto err;
		info("web console and API on http://%s/ (port %u); changes need the token in "
		     "%s/%s",
		     cfg->web.text, http_server_port(w->http), d->state_dir, API_TOKEN_FILE);
	}
	if (cfg->metrics_on) {
		w->metrics = http_server_create(loop, &cfg->metrics, "metrics", web_metrics_handle,
						w, err, errsz);
		if (!w->metrics)
			goto err;
		info("metrics on http://%s/metrics (port %u)", cfg->metrics.text,
		     http_server_port(w->metrics));
	}
	return w;

err:
	web_stop(w);
	return NULL;
}

void web_stop(struct web *w)
{
	if (!w)
		return;
	http_server_destroy(w->http);
	http_server_destroy(w->metrics);
	free(w);
}
