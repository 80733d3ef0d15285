/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nft_read.c — the netfilter firewall source: the nf_tables rule set and the iptables-legacy
 * tables of a network namespace. */
#include "nft_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../platform.h"
#include "backend.h"
#include "nft_decode.h"
#include "roots.h"

#ifdef HAVE_NFTNL

/* The caller's namespace's nf_tables rules into *rs; *why for people when not 0. */
static int rules_read(struct fw_ruleset *rs, const char **why)
{
	int rc = nft_dump_decode(rs, NULL);
	*why = NULL;
	if (rc == -EPERM || rc == -EACCES)
		*why = "reading the firewall's rules needs root or CAP_NET_ADMIN";
	else if (rc == -EAGAIN)
		*why = "the firewall's rules kept changing while they were read";
	else if (rc == -EPROTONOSUPPORT || rc == -ENOENT)
		*why = "this kernel has no nf_tables";
	else if (rc)
		*why = "the firewall's rules could not be read";
	return rc;
}

#else /* !HAVE_NFTNL */

static int rules_read(struct fw_ruleset *rs, const char **why)
{
	(void)rs;
	*why = "this portsleuth was built without libnftnl and libmnl, so it cannot read the "
	       "firewall's rules "
	       "(install libnftnl-dev and libmnl-dev and rebuild)";
	return -ENOSYS;
}

#endif

/* The tables listed in one /proc/net/ *_tables_names file, each prefixed, appended to b. */
static int legacy_names(const char *path, const char *prefix, struct buf *b)
{
	FILE *fp = fopen(path, "re");
	if (!fp)
		return errno == ENOENT ? 0 : -errno;
	char line[64]; /* table names are at most XT_TABLE_MAXNAMELEN (32) */
	int rc = 0;
	while (!rc && fgets(line, sizeof line, fp)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0])
			rc = buf_printf(b, "%s%s:%s", b->len ? " " : "", prefix, line);
	}
	fclose(fp);
	return rc;
}

/*
 * The iptables-legacy (x_tables) tables that exist in the calling thread's network
 * namespace (`net`: /proc/net, or /proc/thread-self/net inside another one), as
 * "ip:filter ip6:nat" (a new string, "" when none). 0 or -errno.
 */
static int legacy_tables(const char *net, char **tables)
{
	const char *proc = roots_get()->proc;
	char path[4096];
	struct buf b = {0};
	int rc = buf_puts(&b, "");
	if (!rc &&
	    snprintf(path, sizeof path, "%s/%s/ip_tables_names", proc, net) < (int)sizeof path)
		rc = legacy_names(path, "ip", &b);
	if (!rc &&
	    snprintf(path, sizeof path, "%s/%s/ip6_tables_names", proc, net) < (int)sizeof path)
		rc = legacy_names(path, "ip6", &b);
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*tables = buf_steal(&b);
	return *tables ? 0 : -ENOMEM;
}

/* The firewall of the calling thread's namespace into out; `net` as for legacy_tables. */
static int read_here(const char *net, struct ps_fw_source *out)
{
	int rc = legacy_tables(net, &out->legacy);
	if (rc == -ENOMEM)
		return rc; /* any other failure: legacy NULL, could not be told */
	const char *why;
	rc = rules_read(&out->rules, &why);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return fwsource_none(out, PS_FW_SRC_NETFILTER, rc, why);
	out->kind = PS_FW_SRC_NETFILTER;
	return 0;
}

static int read_in_ns(void *arg)
{
	return read_here("thread-self/net", arg);
}

int lnx_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out)
{
	memset(out, 0, sizeof *out);
	if (!req->ns)
		return read_here("net", out);
	int rc = lnx_in_netns(req->ns, read_in_ns, out);
	if (!rc || rc == -ENOMEM)
		return rc;
	fwsource_free(out);
	return fwsource_none(out, PS_FW_SRC_NETFILTER, rc,
			     rc == -EPERM
				 ? "entering the network namespace to read its firewall "
				   "rules needs root (CAP_SYS_ADMIN)"
				 : "the network namespace could not be entered to read its "
				   "firewall rules");
}
