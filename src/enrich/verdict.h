/* verdict.h — per socket: what the port is, who can reach it, and findings about its owners. */
#ifndef PS_VERDICT_H
#define PS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/exposure.h"
#include "../model/model.h"
#include "../model/verdict.h"
#include "registry.h"

/* Everything one finding rule needs, as plain data (so the rules can be unit-tested). */
struct fw_context;

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

/* Whether a path is in a temporary directory (/tmp, /var/tmp, /dev/shm, ...). */
bool path_in_temp_dir(const char *path);

/*
 * The addresses and interfaces socket k can be reached on, from the interface
 * addresses `a` (wildcard binds cover every address of their family, and IPv4
 * too for a dual-stack IPv6 socket; a device-bound socket only its device's).
 * *out is a new array (NULL when empty). 0 or -ENOMEM.
 */
int exposure_reach(const struct ps_socket *k, const struct ps_ifaddr *a, size_t n, struct reach **out,
		   size_t *nout);

/*
 * Judge every socket of snap into snap->verdicts and ps_socket.verdict: service
 * (from reg), exposure and reachability (from snap->addrs) and, for listeners,
 * findings about their owners from the facts earlier stages stored on each
 * process (exe_check, pkg). A pure function of snap and reg. Connections share
 * one verdict per (service port, protocol, exposure). With fw (enrich/fwstage.h),
 * listeners also get the firewall's verdict at each reachable address, and their
 * scope is what the firewall lets through. 0 or -ENOMEM.
 */
int verdicts_compute(struct ps_snapshot *snap, const struct registry *reg, const struct fw_context *fw);

#endif
