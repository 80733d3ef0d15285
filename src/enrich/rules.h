/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rules.h — the findings rules: one small function per finding, run from a table. */
#ifndef PS_RULES_H
#define PS_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/exposure.h"
#include "../model/model.h"
#include "../model/verdict.h"
#include "registry.h"

/* Everything one finding rule needs, as plain data (so the rules can be unit-tested). */
struct finding_input {
	uint16_t port;
	unsigned proto; /* enum ps_proto */
	const struct port_info
	    *svc;	      /* risk: the alternative that fits the owner (registry_risk_select) */
	struct svc_home home; /* svc is the holder's program's, not the port's (prog set) */
	enum ps_exposure scope;
	enum ps_exposure
	    widest; /* the widest class of address that reaches it now (exposure_widest) */
	const char *reach_text; /* the addresses of that class: "eth0 203.0.113.7" (evidence), may
				   be NULL */
	/*
	 * Set when only a firewall verdict that is not known (not read, or decided by a
	 * rule that is not decoded) stands between `widest` and a narrower class: what
	 * would decide it. Reach that rests on it is never an alert.
	 */
	const char *reach_undecided;
	/* Set when the firewall lets only these sources in (ufw's "allow from 10.0.0.2 to any app
	 * Samba") at every address of the `widest` class: the exposure finding's advice followed.
	 */
	const char *widest_sources;
	/* A socket with a file that no file table holds (the kernel's, SCM_RIGHTS in flight, a
	 * holder that cannot be seen): its inode and the uid that made it. */
	bool held_by_none;
	uint64_t sock_inode;
	uint32_t sock_uid;
	int ring_suspect;	/* a process that may hold it in a ring of no fd (a deduction), 0 */
	unsigned ring_suspects; /* how many such processes */
	/* A TCP listener whose accept queue is at its backlog (PS_ACCEPT_QUEUE_FULL): both. */
	bool queue_full;
	uint32_t accept_queue, backlog;
	/* The owner; has_owner false for the socket-level rules. */
	bool has_owner;
	int pid;
	const char *name; /* comm */
	const char *exe;  /* the executable the backend read, NULL when unreadable */
	const char *cmdline;
	size_t cmdline_len;
	bool have_uid;
	uint32_t uid;
	bool exe_checked;  /* exe_check and exe_path are the kernel's facts */
	bool in_container; /* its cgroup names a known container */
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
	const char *code_env; /* ps_proc.code_env */
	const char
	    *argv0_other; /* argv[0], a path naming another file than the running one, NULL */
	enum pkg_status argv0_pkg;
	const char *argv0_pkg_name;
	const char *script; /* the script an interpreter runs (from its arguments), NULL */
	bool script_dir_world_writable;
	enum pkg_status script_pkg;
	const struct ps_xlib *xlibs; /* the owner's other executable mappings (our view) */
	size_t nxlibs;
	const char *script_pkg_name;
	bool workers_unprivileged; /* a pre-fork group's root whose workers holding the socket all
				      run as another user than root */
	bool file_judged; /* an earlier owner of the socket runs the same file: its file findings
			     are made */
	const struct ps_os_words *words; /* how the system names its mechanisms (snap_words) */
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
 * exposure_code), backdoor-port when no owner is visible, and no-holder (a socket
 * with a file that no process holds: warning beyond loopback for a user's socket,
 * notice on loopback; uid 0, the kernel's services, one step lower). Appends to out.
 * 0 or -ENOMEM.
 */
int findings_for_socket(const struct finding_input *in, struct finding_list *out);

/*
 * Owner-level rules: exe-deleted, exe-memfd (a program run from a memory-only file that
 * never existed on disk: alert beyond loopback, else warning; exe-deleted is not said then),
 * exe-replaced (a notice saying "restart" when a
 * packaged executable was upgraded on disk), exe-temp-dir, exe-unpackaged,
 * script-temp-dir, script-unpackaged, script-inline (code on the command line or standard
 * input: a warning beyond loopback, nothing on it), argv-masquerade (argv[0] a packaged program's
 * path that is not the running file: alert), name-mismatch, unexpected-owner,
 * backdoor-port, root-public (a notice, only where an administrator can act: not
 * for a packaged program that is what it says, nor a group whose workers run
 * unprivileged), and the identity rules, whose exe link proves nothing: exe-unmapped
 * (alert: no mapping of the process is the file its link names), exe-userns (in a user
 * namespace of its own: alert when it claims a daemon's path or the port's owner name,
 * else a notice, as rootless containers' port helpers run there), exe-other-file (alert:
 * its path names another file in its own mounts or root than on the host, unless it is
 * a known container; also, as an alert beyond loopback or for a daemon's name and a notice
 * otherwise, a path the host does not have, seen only through an unprivileged user's private
 * mount namespace), foreign-library (code of no package mapped executable into it, from a
 * temporary or world-writable directory or into a packaged program: alert for a packaged
 * program, a daemon's name or a port beyond loopback, else a warning). Names are checked against
 * the executable, the packaged (or /etc/alternatives) link that names it, and an interpreter's
 * script; the script, named by the process's own arguments, only ever adds
 * findings. Appends. 0 or -ENOMEM.
 */
int findings_for_owner(const struct finding_input *in, struct finding_list *out);

/*
 * What the owner rules read of the socket besides the owner's own facts (its process, and
 * file_judged and workers_unprivileged): the service's owners and backdoor names, and its name,
 * port and protocol only when one of those is set (the texts that name them); the scope, the
 * widest class and that class's addresses' text. Owners that ask equal questions get equal
 * findings (verdict.c shares them between listeners): a rule that reads more of the socket
 * says so here.
 */
struct owner_question {
	const char *owners, *backdoor, *name; /* the service's, NULL when it has none */
	const char *reach_text;		      /* compared by content, may be NULL */
	uint16_t port;			      /* 0 when neither owners nor backdoor */
	uint8_t proto, scope, widest;
	bool file_judged, workers_unprivileged;
};
void findings_owner_question(const struct finding_input *in, struct owner_question *q);

/* Whether a path is in a temporary directory (/tmp, /var/tmp, /dev/shm, ...). */
bool path_in_temp_dir(const char *path);

/* Where a rule applies: once per socket, or once per visible owner of it. */
enum rule_level { RULE_SOCKET, RULE_OWNER };

/*
 * Run the one rule `name` of `level` (its finding code; "exposure" for the
 * socket's exposure rule, whose code is exposure_code's) on in, appending to out:
 * what a unit test of one rule needs. 0, -ENOENT for no such rule, or -ENOMEM.
 */
int findings_rule(const char *name, enum rule_level level, const struct finding_input *in,
		  struct finding_list *out);

#endif
