/* firewall_read.h — what a platform backend offers to read the packet filter's rules (contract
 * only). */
#ifndef PS_FIREWALL_READ_H
#define PS_FIREWALL_READ_H

#include <stddef.h>

#include "../enrich/fwrules.h"
#include "../enrich/wfw.h"
#include "../model/model.h"

/*
 * Read the whole packet filter rule set of the caller's network namespace into
 * *rs (empty on entry; fw_ruleset_free() it in any case). 0; -EPERM without
 * CAP_NET_ADMIN; -ENOSYS when this build cannot read rules; -EAGAIN when the rule
 * set kept changing while it was read; -errno. *why is set to a static sentence
 * for the user whenever the result is not 0.
 */
int platform_firewall_read(struct fw_ruleset *rs, const char **why);

/*
 * The Windows Firewall's profiles and rules (INetFwPolicy2) into *pol (zeroed on
 * entry; wfw_policy_free() it in any case). 0; -ENOSYS on a platform without it
 * (its packet filter is read with platform_firewall_read); else -errno with *why
 * a new string saying what failed (the API's error code and text), NULL when out
 * of memory.
 */
int platform_wfw_read(struct wfw_policy *pol, char **why);

/*
 * The iptables-legacy (x_tables) tables that exist in the caller's network
 * namespace, as "ip:filter ip6:nat" (a new string, "" when none): their rules are
 * not visible through nf_tables and are not evaluated. 0 or -errno.
 */
int platform_firewall_legacy(char **tables);

#endif
