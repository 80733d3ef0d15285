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
	const struct port_info
	    *svc; /* risk: the alternative that fits the owner (registry_risk_select) */
	enum ps_exposure scope;
	enum ps_exposure
	    widest; /* the widest class of address that reaches it now (exposure_widest) */
	const char *reach_text; /* the addresses of that class: "eth0 203.0.113.7" (evidence), may
				   be NULL */
	/* The owner; has_owner false for the socket-level rules. */
	bool has_owner;
	int pid;
	const char *name; /* comm */
	const char *exe;  /* the executable the backend read, NULL when unreadable */
	const char *cmdline;
	size_t cmdline_len;
	bool have_uid;
	uint32_t uid;
	bool exe_checked; /* exe_check and exe_path are the kernel's facts */
	struct ps_exe_check exe_check;
	const char *exe_path; /* without the kernel's " (deleted)" mark; NULL: unknown (exe is shown
				 as is) */
	enum pkg_status pkg;
	const char *pkg_name;
	const char
	    *alias; /* a system link named like the process that leads to the running file, NULL */
	bool alias_alternatives; /* ... through /etc/alternatives */
	enum pkg_status alias_pkg;
	const char
	    *name_holder; /* another program in a system directory with the process's name, NULL */
	enum pkg_status holder_pkg;
	const char *holder_pkg_name;
	const char *script; /* the script an interpreter runs (from its arguments), NULL */
	bool script_dir_world_writable;
	enum pkg_status script_pkg;
	const char *script_pkg_name;
	bool workers_unprivileged; /* a pre-fork group's root whose workers holding the socket all
				      run as another user than root */
	bool file_judged; /* an earlier owner of the socket runs the same file: its file findings
			     are made */
};

/*
 * The severity policy for exposure (the table in the man page, section FINDINGS):
 * the severity of a listener of a service of class `cls` (enum svc_class), with
 * or without a risk text, that addresses of class `widest` can reach; -1 for no
 * finding. Loopback is never a finding; an all-interfaces `widest` counts as public.
 */
int exposure_severity(unsigned cls, bool has_risk, enum ps_exposure widest);

/* The finding code for exposure from `widest`: "public-exposure", "private-exposure",
 * "link-local-exposure". */
const char *exposure_code(enum ps_exposure widest);

/*
 * Socket-level rules: the exposure finding (exposure_severity, code
 * exposure_code) and backdoor-port when no owner is visible. Appends to out.
 * 0 or -ENOMEM.
 */
int findings_for_socket(const struct finding_input *in, struct finding_list *out);

/*
 * Owner-level rules: exe-deleted, exe-replaced (a notice saying "restart" when a
 * packaged executable was upgraded on disk), exe-temp-dir, exe-unpackaged,
 * script-temp-dir, script-unpackaged, name-mismatch, unexpected-owner,
 * backdoor-port, root-public (a notice, only where an administrator can act: not
 * for a packaged program that is what it says, nor a group whose workers run
 * unprivileged). Names are checked against the executable, the
 * packaged (or /etc/alternatives) link that names it, and an interpreter's
 * script; the script, named by the process's own arguments, only ever adds
 * findings. Appends. 0 or -ENOMEM.
 */
int findings_for_owner(const struct finding_input *in, struct finding_list *out);

/* Whether a path is in a temporary directory (/tmp, /var/tmp, /dev/shm, ...). */
bool path_in_temp_dir(const char *path);

/*
 * The addresses and interfaces socket k can be reached on, from the interface
 * addresses `a` (wildcard binds cover every address of their family, and IPv4
 * too for a dual-stack IPv6 socket; a device-bound socket only its device's; a
 * bind to a subnet's broadcast address, or to 255.255.255.255, is reached on the
 * interfaces of that broadcast) and the multicast groups `g` joined per
 * interface (a bind to a group is reached where it is joined; then reach.addr
 * is the bound address). *out is a new array (NULL when empty). 0 or -ENOMEM.
 */
int exposure_reach(const struct ps_socket *k, const struct ps_ifaddr *a, size_t n,
		   const struct ps_ifaddr *g, size_t ng, struct reach **out, size_t *nout);

/*
 * The widest class of address that reaches socket k now: its own address's class
 * when it is not a wildcard, widened by every address in r. A wildcard reached
 * by nothing we know is loopback, or public when `addrs_unknown`.
 */
enum ps_exposure exposure_widest(const struct ps_socket *k, const struct reach *r, size_t n,
				 bool addrs_unknown);

/*
 * Judge every socket of snap into snap->verdicts and ps_socket.verdict: service
 * (from reg), exposure and reachability (from snap->addrs) and, for listeners,
 * findings about their owners from the facts earlier stages stored on each
 * process (exe_check, pkg). A pure function of snap and reg. Connections share
 * one verdict per (service port, protocol, exposure). With fw (enrich/fwstage.h),
 * listeners also get the firewall's verdict at each reachable address, and their
 * scope is what the firewall lets through. 0 or -ENOMEM.
 */
int verdicts_compute(struct ps_snapshot *snap, const struct registry *reg,
		     const struct fw_context *fw);

#endif
