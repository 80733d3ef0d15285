/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.h — the judgement part of the model: each socket's service, exposure and findings. */
#ifndef PS_MODEL_VERDICT_H
#define PS_MODEL_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "exposure.h"
#include "fwmodel.h"
#include "model.h"

/*
 * Where a service may be reachable from (data/ports.tsv field 8): with the widest
 * class of address that reaches a socket it decides the severity of its exposure
 * finding (exposure_severity, the table in the man page).
 */
enum svc_class {
	SVC_UNCLASSIFIED = 0,
	SVC_PUBLIC_OK, /* meant to face networks: ssh, web, mail, DNS, NTP, VPNs */
	SVC_LAN_ONLY,  /* local-network infrastructure: NetBIOS names, rpcbind, SNMP, printing */
	SVC_NEVER_INTERNET, /* data or control with weak or no authentication: SMB, RDP, databases
			     */
	SVC__COUNT
};

/* "public-ok", "lan-only", "never-internet"; NULL for SVC_UNCLASSIFIED. */
const char *svc_class_name(unsigned c);
/* Inverse of svc_class_name, "-" for SVC_UNCLASSIFIED; -1 when unknown. */
int svc_class_parse(const char *name, size_t len);

/* What the port registry says about one port. */
struct port_info {
	const char *name; /* registered name; NULL when unknown or dynamic */
	const char *desc;
	const char *source; /* the layer that answered: user file path, "portsleuth", "iana",
			       "nmap", "/etc/services" */
	const char *owners; /* comma-separated expected owners, NULL */
	const char *
	    risk; /* registry: "{OWNER,...} text|text" alternatives; a verdict: the one that fits */
	const char *backdoor; /* comma-separated malware names, NULL */
	bool dynamic;	      /* in the kernel's ephemeral range or IANA 49152-65535 */
	uint8_t svc_class;    /* enum svc_class */
};

/* Where a listener's service came from when it is not its port's: the holder's program and the
 * port it normally serves it on (redis-server on 6380 is redis, as on 6379; rsyslogd on 514/tcp
 * is syslog, as on 514/udp). prog NULL: the port's own. */
struct svc_home {
	const char *prog;
	uint16_t port;
	uint8_t proto; /* the protocol it serves it over (rsyslogd: 514/udp for 514/tcp) */
};

/*
 * The port `explain` asks about and what the registry says of it, per protocol
 * (risk in words, registry_risk_describe): snap->explain, filled by the pipeline
 * (pipeline_config.explain) so output needs no registry.
 */
struct explain_port {
	uint16_t port;
	int proto; /* PS_TCP, PS_UDP, or -1: both */
	bool known[PS_PROTO_COUNT];
	struct port_info info[PS_PROTO_COUNT];
	char *risk_words[PS_PROTO_COUNT]; /* owned: what info[].risk points to, or NULL */
};

void explain_port_free(struct explain_port *e);

enum finding_sev { SEV_INFO = 0, SEV_NOTICE, SEV_WARNING, SEV_ALERT, SEV__COUNT };

struct finding {
	uint8_t sev;	  /* enum finding_sev */
	int pid;	  /* the owner it is about, -1 for the socket itself */
	const char *code; /* static: exe-deleted, exe-replaced, exe-temp-dir, ... */
	char *reason;	  /* one sentence */
	char *evidence;	  /* the facts it rests on (holds untrusted bytes: escape when shown) */
	const struct policy_ack
	    *ack; /* acknowledged by this policy line (it does not count), or NULL */
	const struct policy_ack *ack_expired; /* NULL, or the expired ack that named it */
};

struct policy_ack;

struct finding_list {
	struct finding *f;
	uint32_t n, cap; /* a few findings a listener */
	bool interned;	 /* the texts belong to the verdicts' pool, not to this list */
	bool shared;	 /* f is another verdict's list of equal findings (its texts pooled): not
			  * freed with this one, and copied before it is written */
};

void findings_free(struct finding_list *l);
/* Give l a list of its own when it shares another's (before writing it). 0 or -ENOMEM. */
int findings_unshare(struct finding_list *l);

/* "info", "notice", "warning", "alert". */
const char *finding_sev_name(unsigned sev);

/* The i-th finding code the rules make (from 0), NULL past the last. */
const char *finding_code_at(size_t i);

/* Whether `pattern` (a code or an fnmatch glob such as "exe-*") names at least one finding code. */
bool finding_code_known(const char *pattern);

/* An address an interface holds, that a socket can be reached on. */
struct reach {
	const char *ifname; /* NULL when unknown; points into ps_snapshot.addrs (or .groups) */
	struct ps_addr addr;
};

/* The verdict on one socket (or, for connections, one shared by every connection to a service). */
struct sock_verdict {
	bool listener;	   /* LISTEN, or bound unconnected UDP */
	uint16_t svc_port; /* the port the service name is about (connections of a service the
			    * registry does not know share a verdict: the first one's port, never
			    * shown) */
	bool svc_known;
	bool borrowed;	    /* reach and fw are another verdict's of the same set (listeners that
			     * asked the same question share them): not freed with this one */
	uint8_t fw_summary; /* enum ps_fw_verdict over the addresses beyond loopback (fw != NULL) */
	/* classes (enum ps_exposure) in a byte each: one verdict per listener, tens of thousands */
	uint8_t scope; /* how far it reaches: the bound address's class, narrowed by the firewall */
	uint8_t bound; /* the bound address's class alone */
	uint8_t widest; /* listeners: the widest class of address that reaches it now, through the
			 * firewall (the severity policy's input) */
	/* counts in 32 bits */
	uint32_t nreach;
	uint32_t nreach_all;			 /* addresses that reach it, reach[] or folded */
	uint32_t reach_by_class[PS_EXPO__COUNT]; /* of those, how many of each class */
	const struct port_info *svc; /* what the registry says of svc_port, in the verdicts' pool
				      * (one copy per distinct answer); read through verdict_svc */
	struct svc_home home; /* svc is its program's service (prog in the pool), not the port's */
	struct reach *reach;  /* listeners only; past REACH_FOLD_OVER, the first few per class */
	struct ps_fw_at *fw;  /* the firewall at each reach[] (parallel), NULL when not looked at */
	const char *fw_sources; /* PS_FW_SOME: the sources accepted at those addresses, sorted and
				   comma-separated (pool), else NULL */
	struct finding_list findings; /* listeners only; sorted, most severe first */
};

struct intern;

/* Every verdict of a snapshot; sockets point at theirs through ps_socket.verdict. */
struct verdicts {
	struct sock_verdict *v;
	size_t n, cap;
	struct intern *pool; /* texts shared between verdicts */
	size_t
	    count[SEV__COUNT]; /* sockets whose worst finding has this severity (verdicts_count) */
	size_t with_findings;
};

/* Whether a socket is a listener: LISTEN, or bound unconnected UDP. */
bool socket_is_listener(const struct ps_socket *k);

/* The verdict on socket k of s, or NULL when s was not judged. */
const struct sock_verdict *verdict_of(const struct ps_snapshot *s, const struct ps_socket *k);

/* Worst severity of socket k's findings that are not acknowledged, or -1 when none. */
int verdict_worst(const struct ps_snapshot *s, const struct ps_socket *k);

/* Recount v->count and v->with_findings over the sockets s still holds. */
void verdicts_count(struct ps_snapshot *s);

/* Append a zeroed verdict; its index, or -ENOMEM. */
long verdicts_add(struct verdicts *v);

/* A copy of s owned by the pool (one copy per distinct text); NULL for NULL. -ENOMEM leaves *out
 * NULL. */
int verdicts_intern(struct verdicts *v, const char *s, const char **out);

/* The pool's copy of s, whose texts are the pool's already, into *out (one per distinct
 * service). 0 or -ENOMEM. */
int verdicts_intern_svc(struct verdicts *v, const struct port_info *s,
			const struct port_info **out);

/* What the registry said of v's service port: v->svc, or an empty answer (a verdict made or
 * loaded without one). Never NULL. */
const struct port_info *verdict_svc(const struct sock_verdict *v);

/* Move the texts of l into the pool. 0 or -ENOMEM (then l keeps its own copies). */
int verdicts_intern_findings(struct verdicts *v, struct finding_list *l);

/* Release everything v holds and v itself (NULL is fine). */
void verdicts_free(struct verdicts *v);

#endif
