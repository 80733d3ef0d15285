/* verdict.h — per socket: what the port is, who can reach it, and findings about its owners. */
#ifndef PS_VERDICT_H
#define PS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/model.h"
#include "../platform/platform.h"
#include "../model/exposure.h"
#include "packages.h"
#include "registry.h"

enum finding_sev { SEV_INFO = 0, SEV_NOTICE, SEV_WARNING, SEV_ALERT, SEV__COUNT };

struct finding {
	uint8_t sev;	  /* enum finding_sev */
	const char *code; /* static: exe-deleted, exe-replaced, exe-temp-dir, ... */
	char *reason;	  /* one sentence */
	char *evidence;	  /* the facts it rests on (holds untrusted bytes: escape when shown) */
	int pid;	  /* the owner it is about, -1 for the socket itself */
};

struct finding_list {
	struct finding *f;
	size_t n, cap;
	bool interned; /* the texts belong to the verdicts' pool, not to this list */
};

/* Everything one finding rule needs, as plain data (so the rules can be unit-tested). */
struct finding_input {
	uint16_t port;
	unsigned proto; /* enum ps_proto */
	const struct port_info *svc;
	enum ps_exposure scope;
	bool reach_public;	/* a public address can reach it now */
	const char *reach_text; /* "lo 127.0.0.1, eth0 203.0.113.7" (evidence), may be NULL */
	/* The owner; has_owner false for the socket-level rules. */
	bool has_owner;
	int pid;
	const char *name; /* comm */
	const char *exe;  /* readlink of /proc/PID/exe, NULL when unreadable */
	const char *cmdline;
	size_t cmdline_len;
	bool have_uid;
	uint32_t uid;
	bool exe_checked; /* exe_check is valid */
	struct ps_exe_check exe_check;
	enum pkg_status pkg;
	const char *pkg_name;
};

/*
 * Socket-level rules: risky-exposure (a risky service reachable beyond loopback)
 * and backdoor-port when no owner is visible. Appends to out. 0 or -ENOMEM.
 */
int findings_for_socket(const struct finding_input *in, struct finding_list *out);

/*
 * Owner-level rules: exe-deleted, exe-replaced, exe-temp-dir, exe-unpackaged,
 * name-mismatch, unexpected-owner, backdoor-port, root-public. Appends. 0 or -ENOMEM.
 */
int findings_for_owner(const struct finding_input *in, struct finding_list *out);

void findings_free(struct finding_list *l);

/* "info", "notice", "warning", "alert". */
const char *finding_sev_name(unsigned sev);

/* Whether a path is in a temporary directory (/tmp, /var/tmp, /dev/shm, ...). */
bool path_in_temp_dir(const char *path);

/* An address an interface holds, that a socket can be reached on. */
struct reach {
	const char *ifname; /* NULL when unknown */
	struct ps_addr addr;
};

/* The verdict on one socket (parallel to snap->socks). */
struct sock_verdict {
	bool listener;	   /* LISTEN, or bound unconnected UDP */
	uint16_t svc_port; /* the port the service name is about */
	bool svc_known;
	struct port_info svc;
	enum ps_exposure scope;
	struct reach *reach;
	size_t nreach;
	struct finding_list findings; /* sorted, most severe first */
};

struct intern;

struct verdicts {
	struct sock_verdict *v; /* one per listener; connections are judged on demand */
	size_t n;
	uint32_t *slot;		/* per socket: index into v, or UINT32_MAX for a connection */
	size_t nsocks;
	const struct registry *reg; /* for the on-demand service lookups */
	struct intern *pool;	    /* finding texts, shared between sockets */
	struct ps_ifaddr *addrs;
	size_t naddrs;
	int addrs_err;		/* why addrs is empty: -errno, 0 when read */
	const char *pkg_reason; /* why package checks were not made, or NULL */
	size_t count[SEV__COUNT]; /* sockets whose worst finding has this severity */
	size_t with_findings;
};

/*
 * The addresses and interfaces socket k can be reached on, from the interface
 * addresses `a` (wildcard binds cover every address of their family, and IPv4
 * too for a dual-stack IPv6 socket; a device-bound socket only its device's).
 * *out is a new array (NULL when empty). 0 or -ENOMEM.
 */
int exposure_reach(const struct ps_socket *k, const struct ps_ifaddr *a, size_t n, struct reach **out,
		   size_t *nout);

/*
 * Judge every socket of snap: service, exposure, findings. Reads the interface
 * addresses once, checks the executables of the owners of listening sockets, and
 * asks `pkg` (may be NULL: no package checks) about them in one batch. Sets the
 * registry's ephemeral range from the kernel when unset. 0 or -ENOMEM.
 */
int verdicts_compute(const struct ps_snapshot *snap, struct registry *reg, struct pkgdb *pkg,
		     struct verdicts *out);

/*
 * The verdict on socket i of snap. Listeners have a full one; for a connection
 * the service and exposure class are worked out into *tmp, which is returned.
 */
const struct sock_verdict *verdict_get(const struct verdicts *v, const struct ps_snapshot *snap,
				       size_t i, struct sock_verdict *tmp);

/* Worst severity of socket i, or -1 when it has no findings. */
int verdict_worst(const struct verdicts *v, size_t i);

void verdicts_free(struct verdicts *v);

#endif
