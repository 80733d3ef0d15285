/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * httpsys.c — the URL reservations of http.sys (`netsh http show urlacl`), read with
 * the documented HTTP Server API (HttpQueryServiceConfiguration,
 * HttpServiceConfigUrlAclInfo, from httpapi.dll looked up at run time) when a
 * kernel (pid 4) socket listens: they say which accounts may register URLs on its
 * port. Which process did register a URL (`netsh http show servicestate`) only
 * undocumented calls tell: not read.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <http.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/grow.h"
#include "decode.h"
#include "optional.h"
#include "win.h"

typedef ULONG(WINAPI *http_init_fn)(HTTPAPI_VERSION v, ULONG flags, void *reserved);
typedef ULONG(WINAPI *http_term_fn)(ULONG flags, void *reserved);
typedef ULONG(WINAPI *http_query_fn)(HANDLE h, HTTP_SERVICE_CONFIG_ID id, void *in, ULONG inlen,
				     void *out, ULONG outlen, ULONG *retlen, OVERLAPPED *ov);

static struct win_optional http_fns[] = {
    {"httpapi.dll", "HttpInitialize", NULL, NULL, 0},
    {"httpapi.dll", "HttpTerminate", NULL, NULL, 0},
    {"httpapi.dll", "HttpQueryServiceConfiguration", NULL, NULL, 0},
};

/* Whether a TCP listener of the snapshot has no process: the kernel's (http.sys, SMB). */
static bool kernel_listener(const struct ps_snapshot *snap)
{
	for (size_t i = 0; i < snap->nsocks; i++)
		if (snap->socks[i].proto == PS_TCP && snap->socks[i].state == PS_ST_LISTEN &&
		    snap->socks[i].owner_status == PS_OWN_KERNEL)
			return true;
	return false;
}

/* Reservation number `token` into snap. 1: no more, 0 or -ENOMEM. */
static int read_one(struct ps_snapshot *snap, size_t *cap, http_query_fn query, DWORD token)
{
	HTTP_SERVICE_CONFIG_URLACL_QUERY q = {.QueryDesc = HttpServiceConfigQueryNext,
					      .dwToken = token};
	ULONG size = 0;
	void *buf = NULL;
	ULONG err = query(NULL, HttpServiceConfigUrlAclInfo, &q, sizeof q, NULL, 0, &size, NULL);
	if (err == ERROR_INSUFFICIENT_BUFFER && size && (buf = malloc(size)))
		err =
		    query(NULL, HttpServiceConfigUrlAclInfo, &q, sizeof q, buf, size, &size, NULL);
	else if (err == ERROR_INSUFFICIENT_BUFFER)
		err = size ? ERROR_NOT_ENOUGH_MEMORY : ERROR_NO_MORE_ITEMS;
	int rc = err == NO_ERROR ? 0 : err == ERROR_NOT_ENOUGH_MEMORY ? -ENOMEM : 1;
	struct ps_urlacl a = {0};
	if (!rc && !(rc = win_decode_urlacl(buf, size, &a.url, &a.sddl))) {
		a.port = url_prefix_port(a.url);
		if (util_grow((void **)&snap->urlacls, cap, snap->nurlacls + 1, sizeof a)) {
			free(a.url), free(a.sddl);
			rc = -ENOMEM;
		} else {
			snap->urlacls[snap->nurlacls++] = a;
		}
	}
	free(buf);
	return rc == -EBADMSG ? 0 : rc;
}

int win_urlacls_read(struct ps_snapshot *snap)
{
	if (!kernel_listener(snap))
		return 0;
	http_init_fn init = (http_init_fn)win_optional_get(&http_fns[0]);
	http_term_fn term = (http_term_fn)win_optional_get(&http_fns[1]);
	http_query_fn query = (http_query_fn)win_optional_get(&http_fns[2]);
	HTTPAPI_VERSION v1 = HTTPAPI_VERSION_1;
	if (!init || !term || !query || init(v1, HTTP_INITIALIZE_CONFIG, NULL) != NO_ERROR)
		return 0; /* no reservations to tell: explain says what is not known anyway */
	size_t cap = 0;
	int rc = 0;
	for (DWORD token = 0; !rc && token < 65536; token++)
		rc = read_one(snap, &cap, query, token);
	term(HTTP_INITIALIZE_CONFIG, NULL);
	return rc < 0 ? rc : 0;
}
