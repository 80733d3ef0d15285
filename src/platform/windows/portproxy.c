/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * portproxy.c — the `netsh interface portproxy` rules, from the registry key netsh
 * writes them to (HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\<kind>\tcp: one
 * value per rule, named "listenaddress/listenport", its data
 * "connectaddress/connectport"), parsed by wfw_portproxy_parse.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#define WIN32_LEAN_AND_MEAN
#include <windows.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../model/wfwpolicy.h"
#include "../../util/grow.h"
#include "decode.h"
#include "win.h"

/* One value (name, REG_SZ data) of a kind's key into pol; a value that is not a rule is
 * skipped. 0 or -ENOMEM. */
static int add_rule(struct wfw_policy *pol, size_t *cap, const char *kind, const wchar_t *name,
		    const wchar_t *data)
{
	char *n = NULL, *d = NULL;
	int rc = win_wstr_to_utf8((const uint16_t *)name, &n);
	if (!rc)
		rc = win_wstr_to_utf8((const uint16_t *)data, &d);
	struct wfw_portproxy p;
	if (!rc && !(rc = wfw_portproxy_parse(kind, n, d, &p))) {
		if (util_grow((void **)&pol->proxies, cap, pol->nproxies + 1, sizeof p)) {
			wfw_portproxy_free(&p);
			rc = -ENOMEM;
		} else {
			pol->proxies[pol->nproxies++] = p;
		}
	}
	free(n);
	free(d);
	return rc == -EINVAL ? 0 : rc;
}

/* Every rule under one kind's key (absent: none). 0 or -ENOMEM. */
static int read_kind(struct wfw_policy *pol, size_t *cap, const char *kind)
{
	wchar_t path[96], name[256], data[512];
	swprintf(path, 96, L"SYSTEM\\CurrentControlSet\\Services\\PortProxy\\%hs\\tcp", kind);
	HKEY key;
	if (RegOpenKeyExW(HKEY_LOCAL_MACHINE, path, 0, KEY_READ, &key) != ERROR_SUCCESS)
		return 0;
	int rc = 0;
	for (DWORD i = 0; !rc && i < 65536; i++) {
		DWORD nlen = 256, dlen = sizeof data - sizeof(wchar_t), type;
		LONG err = RegEnumValueW(key, i, name, &nlen, NULL, &type, (BYTE *)data, &dlen);
		if (err == ERROR_NO_MORE_ITEMS)
			break;
		if (err != ERROR_SUCCESS || type != REG_SZ)
			continue; /* longer than any address/port pair, or not text */
		data[dlen / sizeof(wchar_t)] = 0;
		rc = add_rule(pol, cap, kind, name, data);
	}
	RegCloseKey(key);
	return rc;
}

int win_portproxy_read(struct wfw_policy *pol)
{
	static const char *const kinds[] = {"v4tov4", "v4tov6", "v6tov4", "v6tov6"};
	size_t cap = 0;
	int rc = 0;
	for (size_t i = 0; i < 4 && !rc; i++)
		rc = read_kind(pol, &cap, kinds[i]);
	return rc;
}
