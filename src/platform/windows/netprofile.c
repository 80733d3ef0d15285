/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * netprofile.c — which firewall profile each local address is in: the category of the
 * network its adapter is connected to (INetworkListManager, through COM) joined with
 * GetAdaptersAddresses (the adapter's identifier and each address's on-link prefix).
 * Nothing here decides; what cannot be read is said (pol->addrs_why) and left unknown.
 */
/* <windows.h> comes before the headers that use its types: keep this order */
/* clang-format off */
#undef gethostname /* compat.h renames it; Winsock declares its own */
#define WIN32_LEAN_AND_MEAN
#include <winsock2.h>
#include <ws2tcpip.h>
#include <windows.h>
#include <iphlpapi.h>
#include <ole2.h>
#include <initguid.h>
#include <netlistmgr.h>
/* clang-format on */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../util/grow.h"
#include "../../util/str.h"
#include "decode.h"
#include "win.h"

static const char what[] = "the network profile of each interface (the network list)";

/* Connection c's adapter and its network's category appended to cats. 0, -ENOMEM, -EIO (*why). */
static int conn_read(INetworkConnection *c, struct win_netcat **cats, size_t *n, size_t *cap,
		     char **why)
{
	GUID g;
	INetwork *net = NULL;
	NLM_NETWORK_CATEGORY cat = NLM_NETWORK_CATEGORY_PUBLIC;
	HRESULT hr = c->lpVtbl->GetAdapterId(c, &g);
	if (FAILED(hr))
		return win_hr_why(why, what, "INetworkConnection::GetAdapterId", hr);
	if (FAILED(hr = c->lpVtbl->GetNetwork(c, &net)) || !net)
		return win_hr_why(why, what, "INetworkConnection::GetNetwork",
				  FAILED(hr) ? hr : E_POINTER);
	hr = net->lpVtbl->GetCategory(net, &cat);
	net->lpVtbl->Release(net);
	if (FAILED(hr))
		return win_hr_why(why, what, "INetwork::GetCategory", hr);
	WCHAR w[40];
	if (StringFromGUID2(&g, w, 40) != 39)
		return win_hr_why(why, what, "StringFromGUID2", E_UNEXPECTED);
	if (util_grow((void **)cats, cap, *n + 1, sizeof **cats))
		return -ENOMEM;
	struct win_netcat *e = &(*cats)[(*n)++];
	for (int i = 0; i < 39; i++)
		e->adapter[i] = (char)(w[i] < 0x80 ? w[i] : '?');
	e->adapter[39] = 0;
	e->category = (int)cat;
	return 0;
}

/* Every network connection of nlm (adapter and category) into *cats. 0, -ENOMEM, -EIO (*why). */
static int conns_read(INetworkListManager *nlm, struct win_netcat **cats, size_t *n, char **why)
{
	IEnumNetworkConnections *en = NULL;
	HRESULT hr = nlm->lpVtbl->GetNetworkConnections(nlm, &en);
	if (FAILED(hr) || !en)
		return win_hr_why(why, what, "INetworkListManager::GetNetworkConnections",
				  FAILED(hr) ? hr : E_POINTER);
	size_t cap = 0;
	int rc = 0;
	while (!rc) {
		INetworkConnection *c = NULL;
		ULONG got = 0;
		hr = en->lpVtbl->Next(en, 1, &c, &got);
		if (FAILED(hr)) {
			rc = win_hr_why(why, what, "IEnumNetworkConnections::Next", hr);
			break;
		}
		if (hr != S_OK || !got || !c)
			break;
		rc = conn_read(c, cats, n, &cap, why);
		c->lpVtbl->Release(c);
	}
	en->lpVtbl->Release(en);
	return rc;
}

/* The network connections' categories (INetworkListManager) into *cats. 0, -ENOMEM, -EIO. */
static int nlm_read(struct win_netcat **cats, size_t *n, char **why)
{
	*cats = NULL;
	*n = 0;
	HRESULT hr = CoInitializeEx(NULL, COINIT_APARTMENTTHREADED);
	bool ours = SUCCEEDED(hr);
	if (FAILED(hr) && hr != RPC_E_CHANGED_MODE)
		return win_hr_why(why, what, "CoInitializeEx", hr);
	INetworkListManager *nlm = NULL;
	hr = CoCreateInstance(&CLSID_NetworkListManager, NULL, CLSCTX_ALL, &IID_INetworkListManager,
			      (void **)&nlm);
	int rc = FAILED(hr) || !nlm ? win_hr_why(why, what, "CoCreateInstance(NetworkListManager)",
						 FAILED(hr) ? hr : E_POINTER)
				    : conns_read(nlm, cats, n, why);
	if (nlm)
		nlm->lpVtbl->Release(nlm);
	if (ours)
		CoUninitialize();
	return rc;
}

int win_netprofiles_read(struct wfw_policy *pol)
{
	struct win_netcat *cats = NULL;
	size_t ncats = 0;
	char *why = NULL;
	int rc = nlm_read(&cats, &ncats, &why);
	if (rc == -ENOMEM) {
		free(cats);
		return rc;
	}
	if (rc) {
		free(cats);
		cats = NULL, ncats = 0; /* the prefixes are still worth having */
		pol->addrs_why = why;
	} else if (!ncats && !(pol->addrs_why = str_dup("the network list reports no connected "
							"network"))) {
		return -ENOMEM;
	}
	void *buf;
	size_t len;
	rc = win_adapters_get(
	    GAA_FLAG_SKIP_ANYCAST | GAA_FLAG_SKIP_MULTICAST | GAA_FLAG_SKIP_DNS_SERVER, &buf, &len);
	if (!rc) {
		rc = win_decode_ifprofiles(buf, len, cats, ncats, &pol->addrs, &pol->naddrs);
		free(buf);
	}
	free(cats);
	if (rc == -ENOMEM)
		return rc;
	if (rc && !pol->addrs_why &&
	    !(pol->addrs_why = str_dup("the network profile of each interface could not be "
				       "read: GetAdaptersAddresses failed")))
		return -ENOMEM;
	return 0;
}
