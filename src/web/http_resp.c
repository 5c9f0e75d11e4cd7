// SPDX-License-Identifier: GPL-2.0-or-later
/* http_resp.c - filling and freeing a struct http_resp (apart from http.c, so the API's fuzzer
 * and unit tests use them without libmicrohttpd). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

int http_resp_text(struct http_resp *resp, unsigned status, const char *text)
{
	size_t n = strlen(text);

	resp->status = status;
	resp->content_type = "text/plain; charset=utf-8";
	resp->body_static = false;
	resp->body = malloc(n + 1);
	if (!resp->body) {
		resp->status = 500;
		resp->body = (char *)"out of memory\n";
		resp->body_size = strlen(resp->body);
		resp->body_static = true;
		return -ENOMEM;
	}
	memcpy(resp->body, text, n + 1);
	resp->body_size = n;
	return 0;
}

void http_resp_free(struct http_resp *resp)
{
	if (!resp->body_static)
		free(resp->body);
	resp->body = NULL;
	resp->body_size = 0;
}
