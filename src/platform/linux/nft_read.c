/* nft_read.c — the netfilter firewall source: the nf_tables rule set and the iptables-legacy
 * tables of the caller's network namespace. */
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
 * The iptables-legacy (x_tables) tables that exist in the caller's network
 * namespace, as "ip:filter ip6:nat" (a new string, "" when none). 0 or -errno.
 */
static int legacy_tables(char **tables)
{
	const char *proc = roots_get()->proc;
	char path[4096];
	struct buf b = {0};
	int rc = buf_puts(&b, "");
	if (!rc && snprintf(path, sizeof path, "%s/net/ip_tables_names", proc) < (int)sizeof path)
		rc = legacy_names(path, "ip", &b);
	if (!rc && snprintf(path, sizeof path, "%s/net/ip6_tables_names", proc) < (int)sizeof path)
		rc = legacy_names(path, "ip6", &b);
	if (rc) {
		buf_free(&b);
		return rc;
	}
	*tables = buf_steal(&b);
	return *tables ? 0 : -ENOMEM;
}

int lnx_firewall_read(const struct ps_fw_request *req, struct ps_fw_source *out)
{
	memset(out, 0, sizeof *out);
	int rc = legacy_tables(&out->legacy);
	if (rc == -ENOMEM)
		return rc; /* any other failure: legacy NULL, could not be told */
	if (req->ns)
		return fwsource_none(out, PS_FW_SRC_NETFILTER, -EOPNOTSUPP,
				     "the rules of another network namespace are not read");
	const char *why;
	rc = rules_read(&out->rules, &why);
	if (rc == -ENOMEM)
		return rc;
	if (rc)
		return fwsource_none(out, PS_FW_SRC_NETFILTER, rc, why);
	out->kind = PS_FW_SRC_NETFILTER;
	return 0;
}
