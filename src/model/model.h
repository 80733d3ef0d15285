/* SPDX-License-Identifier: GPL-2.0-or-later */
/* model.h — the in-memory model that every stage fills and every renderer reads. */
#ifndef PS_MODEL_H
#define PS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum ps_proto { PS_TCP = 0, PS_UDP = 1, PS_PROTO_COUNT };

/* Address families, numbered as the user says them (-4, -6). */
enum ps_family { PS_INET = 4, PS_INET6 = 6 };

/* Socket states, numbered as the kernel numbers them (include/net/tcp_states.h). */
enum ps_state {
	PS_ST_ESTABLISHED = 1,
	PS_ST_SYN_SENT,
	PS_ST_SYN_RECV,
	PS_ST_FIN_WAIT1,
	PS_ST_FIN_WAIT2,
	PS_ST_TIME_WAIT,
	PS_ST_CLOSE, /* for UDP: bound, not connected ("unconn") */
	PS_ST_CLOSE_WAIT,
	PS_ST_LAST_ACK,
	PS_ST_LISTEN,
	PS_ST_CLOSING,
	PS_ST_NEW_SYN_RECV,
	PS_ST_BOUND, /* TCP bound to a port, neither listening nor connected (Windows' `netstat -q`
		      * BOUND; Linux's TCP_BOUND_INACTIVE, not asked of Linux) */
	PS_ST_MAX
};

/* Why a socket has (or lacks) owners. */
enum ps_owner_status {
	PS_OWN_OK = 0,	   /* at least one process holds it */
	PS_OWN_NOPERM,	   /* some fd tables could not be read */
	PS_OWN_KERNEL,	   /* no process holds it (time-wait, kernel sockets) */
	PS_OWN_VANISHED,   /* the owner exited while we looked */
	PS_OWN_UNREPORTED, /* the system's socket table named no owner for a live socket (Wine: pid
			      0) */
	PS_OWN__COUNT
};

struct ps_addr {
	uint8_t family; /* PS_INET or PS_INET6 */
	uint8_t bytes[16];
};

struct ps_endpoint {
	struct ps_addr addr;
	uint16_t port;
};

/*
 * Room for a backend's own per-socket or per-process facts that portable code
 * never reads (the way htop keeps Linux-only fields in its Linux process type,
 * without an allocation per socket): each backend names the words in its own
 * header (src/platform/linux/ext.h). Zero means "not recorded". Copied with the
 * struct; nothing to free.
 */
struct ps_backend_ext {
	uint64_t word[1];
};

/* The same for a process (fewer of them: more words). */
struct ps_backend_proc_ext {
	uint64_t word[7];
};

/*
 * A TCP connection's counters from the kernel (Linux: tcp_info over sock_diag), read
 * only when asked (ps_filter.tcp_info, platform_tcp_stats). For a listener the accept
 * queue and its backlog are ps_socket.recv_q and send_q.
 */
struct ps_tcp_stats {
	uint64_t bytes_sent;	 /* acknowledged by the peer (our SYN and FIN not counted, but for
				  * one byte while data of a connection we opened is in flight) */
	uint64_t bytes_received; /* received in order (the peer's SYN and FIN not counted) */
	uint32_t rtt_us;	 /* smoothed round-trip time */
	uint32_t retrans;	 /* segments retransmitted over the connection's life */
	bool valid;		 /* the kernel said; false: not asked, or not TCP */
};

/*
 * Whether TCP listener k's accept queue (recv_q) is at its backlog (send_q): the kernel
 * drops the next handshakes (or resets them, with tcp_abort_on_overflow) until the owner
 * accepts. False for any other socket.
 */
#define PS_ACCEPT_QUEUE_FULL(k)                                                                    \
	((k)->proto == PS_TCP && (k)->state == PS_ST_LISTEN && (k)->recv_q > 0 &&                  \
	 (k)->recv_q >= (k)->send_q)

/*
 * Facts few sockets have, kept beside the socket array (ps_snapshot.more): a listing of
 * 100,000 sockets keeps no room for them in each. Read with snap_tcp, snap_ring_suspect and
 * snap_created.
 */
struct ps_sock_more {
	struct ps_tcp_stats tcp; /* its counters, when asked for (tcp.valid) */
	/* Held by no file table: a process of its uid and namespace that maps an io_uring ring none
	 * of its fds is (its fd registered and closed), whose fixed files cannot be read: it may
	 * hold the socket (a deduction, not a proof); 0: none. ring_suspects: how many such. */
	int32_t ring_suspect;
	uint32_t ring_suspects;
	int64_t created; /* when the socket was created, seconds since the epoch (Windows: the
			  * table row's liCreateTimestamp); 0: not known (Linux never says) */
};

struct ps_socket {
	struct ps_endpoint local, remote;
	uint64_t inode; /* 0: no file (time-wait, request and orphaned sockets) */
	uint64_t netns; /* inode of the network namespace the socket lives in */
	uint32_t uid;
	uint32_t recv_q, send_q;
	uint32_t ifindex;     /* bound device, 0 when none */
	uint32_t owner_first; /* index into ps_snapshot.owners */
	uint32_t owner_count;
	struct ps_backend_ext ext; /* the backend's own facts (Linux: the socket's cgroup id) */
	uint32_t sockcg;	   /* 1 + index into ps_snapshot.sockcgs when labelled, else 0 */
	uint8_t proto;		   /* enum ps_proto */
	uint8_t state;		   /* enum ps_state */
	uint8_t owner_status;	   /* enum ps_owner_status */
	uint8_t v6only;		   /* IPv6 sockets: enum ps_v6only, from INET_DIAG_SKV6ONLY */
	uint32_t verdict;	   /* 1 + index into ps_snapshot.verdicts->v once judged, else 0 */
	uint32_t more; /* 1 + index into ps_snapshot.more when it has any of the facts few
			* sockets have (struct ps_sock_more), else 0 */
};

/* Whether an IPv6 socket also takes IPv4 (dual-stack). Zero (unknown) when the kernel did not say.
 */
enum ps_v6only { PS_V6ONLY_UNKNOWN = 0, PS_V6ONLY_YES, PS_V6ONLY_NO };

/*
 * What the kernel and the file system say about a running process's executable:
 * the file by device and inode (through the backend's handle on the running
 * image, not a path), and what its path
 * names now, in the process's own view (its root and mount namespace) — never
 * the text of the link.
 */
struct ps_exe_check {
	uint64_t dev, ino;   /* the file the process runs */
	const char *unknown; /* static: what the platform cannot tell about the file (Windows:
			      * whether it was replaced), NULL when it told everything */
	uint64_t host_dev, host_ino; /* other_file: the file its path names in our view, 0: none */
	bool deleted;  /* its path no longer names it: unlinked, or replaced by a rename */
	bool replaced; /* deleted, and another file lives at its path now */
	bool memfd;    /* deleted, and a memory-only file that never had a name in a file system
			* (Linux:        memfd_create): a program that never existed on disk */
	bool replacement_sound; /* that file is a regular file of root's that nobody else can write
				   (an upgrade's) */
	bool foreign; /* the path names it only in the process's own view (a container, a mount made
		       * since it started): a package lookup of that path in ours says nothing */
	bool dir_world_writable; /* the directory it lives in is writable by every user */
	/* Whether the running image proves the path (DESIGN.md §8: identity is proven, not read
	 * from a link). Any of the three tells makes the path no proof: foreign is then set too. */
	uint8_t proof;	 /* enum ps_exe_proof */
	bool userns;	 /* it shares our root but runs in a user namespace of its own, where any
			  * user can point its exe link at any file (prctl PR_SET_MM_EXE_FILE) */
	bool other_file; /* it shares our root but not our mounts (or has its own root, made in a
			  * user namespace of its own: own_root), and its path names another file
			  * in its view than in ours (a mount over a system program) */
	bool own_root;	 /* other_file in a root of its own, made in a user namespace of its own (a
			  * user's pivot_root, or a rootless container: told apart by its cgroup) */
};

/* Whether a mapping of the process shows it runs the file its exe link names. */
enum ps_exe_proof {
	PS_PROOF_UNKNOWN = 0, /* its mappings could not be read */
	PS_PROOF_MAPPED,      /* a mapping of the process is that file (device and inode) */
	PS_PROOF_UNMAPPED     /* no mapping is: the link was set after the fact */
};

/* Whether the facts c show the exe link is not proof of what runs (unknown is not a failure). */
static inline bool exe_unproven(const struct ps_exe_check *c)
{
	return c->proof == PS_PROOF_UNMAPPED || c->userns || c->other_file;
}

/* The script an interpreter runs, named by the process's arguments (which it can rewrite). */
struct ps_script {
	char *path;   /* absolute; NULL: not an interpreter, or no regular file found there */
	bool foreign; /* found only in the process's own view: no package lookup */
	bool dir_world_writable;
	uint8_t pkg; /* enum pkg_status */
	char *pkg_name;
};

/* An executable file mapping of a process other than its program (a shared library, or what
 * LD_PRELOAD or the loader brought in), its path in our view. */
struct ps_xlib {
	char *path;
	bool dir_world_writable;
	uint8_t pkg; /* enum pkg_status */
};

/* Whether an installed package owns a file (enrich/packages.c fills it). */
enum pkg_status {
	PKG_UNKNOWN = 0, /* no database, or not asked */
	PKG_OWNED,
	PKG_UNOWNED,
};

/*
 * What a platform that proves files by their signature (Windows: Authenticode) found about an
 * executable, for the JSON and explain (its verdict for the findings is ps_proc.pkg). All NULL
 * (state NULL) where the platform checks no signatures, or the file was not checked.
 */
struct ps_signature {
	const char *state;  /* "signed", "unsigned", "invalid" (a signature that does not verify),
			     * "unreadable" (the file could not be opened or hashed) (static) */
	const char *source; /* signed: "embedded" (in the file), "catalog" (a system catalog) */
	char *signer;	    /* signed: the signing certificate's subject, also when it does not
			     * make the file the program it is named for */
	bool os_vendor;	    /* signed by the operating system's maker (Windows: Microsoft) */
};

/*
 * The facts of a process few processes have (the Linux listing of thousands of workers
 * keeps no room for them in each record): ps_proc.more, NULL when it has none of them.
 */
struct ps_proc_more {
	char *exe_alias; /* a link in a system directory, named like the process, that leads to the
			  * running file (/usr/bin/redis-server -> redis-check-rdb), NULL */
	bool alias_alternatives; /* exe_alias leads there through /etc/alternatives */
	uint8_t alias_pkg;	 /* enum pkg_status of exe_alias (the link itself) */
	uint8_t holder_pkg;	 /* enum pkg_status of name_holder */
	uint8_t argv0_pkg;	 /* enum pkg_status of argv0_other */
	char *alias_pkg_name;	 /* the package of exe_alias when alias_pkg is PKG_OWNED */
	char *name_holder;	 /* another file in a system directory with the process's name
				  * (/usr/sbin/sshd       for a /tmp/x/sshd): whose name it uses; NULL,
				  * and       never for foreign views */
	char *holder_pkg_name;
	/* An environment variable that makes it load code from elsewhere than its script: a code
	 * path with a directory another user may write, or options loading modules
	 * ("PYTHONPATH=/tmp/x"); NULL. Read for listeners' owners. */
	char *code_env;
	char *argv0_other; /* argv[0], an absolute path that names in our view another file than the
			    * one running (exec -a /usr/sbin/sshd python3 ...); NULL, and never for
			    * foreign views */
	char *argv0_pkg_name;
	struct ps_script script; /* interpreters: the script they run */
	struct ps_signature sig; /* the executable's signature, where the platform checks them */
	/* What the executable says of itself (Windows: its version resource, read with the exe
	 * facts), each NULL when it says nothing: raw bytes of the file's, not trusted. */
	char *file_description, *file_company, *file_version;
};

/* One process that holds at least one shown socket. Strings are raw bytes as the
 * backend read them (not UTF-8 checked). */
struct ps_proc {
	int pid;
	int ppid;     /* -1 when unknown */
	uint32_t uid; /* effective uid */
	bool have_uid;
	bool vanished;	     /* exited before its details could be read */
	bool details_denied; /* some details (exe) were refused */
	bool cmdline_truncated;
	char *name;    /* comm */
	char *exe;     /* readlink of exe, NULL when unreadable */
	char *cmdline; /* NUL-separated arguments */
	size_t cmdline_len;
	int64_t start_time;		/* seconds since the epoch, -1 when unknown */
	struct ps_backend_proc_ext ext; /* the backend's own facts (Linux: the start time the owner
					 * scan saw, so describe never reads another process) */
	char *cgroup;			/* the unified (or name=systemd) cgroup path */
	char *unit;			/* systemd unit named by the cgroup path */
	char *container;		/* container id named by the cgroup path */
	const char *container_runtime;	/* "docker", "podman", ... (static string) */
	/* Parent chain, nearest parent first, up to the supervisor (filled by enrichment). */
	struct ps_ancestor *ancestry;
	size_t nancestry;
	/* Service and container details (src/enrich/cgroup.c, src/platform/linux/svcinfo.c). */
	const char *unit_type; /* "system", "user", "session" (static) or NULL */
	char *slice;	       /* innermost slice (app.slice, system.slice), NULL when none */
	uint32_t unit_uid;     /* unit_type "user": the uid of user@UID.service */
	bool have_unit_uid;
	/* ancestry is one block the snapshot owns (ps_snapshot.blocks), shared by the processes
	 * of the same parent chain: not freed with this record */
	bool ancestry_shared;
	/* xlibs is one block the snapshot owns, shared by the processes that map the same
	 * libraries: not freed with this record */
	bool xlibs_shared;
	bool exe_checked;     /* exe_check and exe_path hold the platform's answer */
	uint8_t pkg;	      /* enum pkg_status of the executable */
	uint8_t pooled;	      /* PS_POOLED_* of name, exe, cmdline, exe_path, cgroup, unit, slice:
			       * those are the snapshot's (ps_snapshot.blocks), one copy per distinct
			       * text, not freed with this record (snap_pool_texts) */
	char *container_name; /* from the runtime's local state, NULL when unknown */
	char *pod_uid;	      /* Kubernetes pod UID from a kubepods cgroup */
	const char *pod_qos;  /* "guaranteed", "burstable", "besteffort" (static) */
	const char *supervisor_kind; /* "systemd", "systemd-unit", "container-shim", "sshd", "cron",
				      * "tmux", "screen", "login-shell", "init" (static) or NULL */
	int supervisor_pid;	     /* 0 when none */
	/* Pre-forking servers (snap_group_forks): the pid of the topmost ancestor holding a shown
	 * socket through a chain of processes with the same executable; 0 for a group's root or a
	 * process alone. */
	int group_root;
	char *supervisor_unit; /* for "systemd-unit": the unit whose boundary was reached */
	struct ps_published *published;	  /* docker-proxy / conmon: the container behind the port */
	struct ps_activation *activation; /* socket activation role, NULL when none */
	/* Facts for the findings, gathered for the owners of listeners before judging. */
	struct ps_exe_check exe_check;
	char *exe_path; /* exe_checked: the executable's path without the kernel's " (deleted)" mark
			 */
	struct ps_xlib *xlibs; /* exe_checked, our view: its other executable mappings */
	size_t nxlibs;
	char *pkg_name; /* PKG_OWNED: the package, else NULL */
	/* the facts few processes have (struct ps_proc_more), NULL when none: read with
	 * proc_more, written through proc_more_get */
	struct ps_proc_more *more;
};

/* p's rare facts: an empty set (all NULL and 0) when it has none. */
static inline const struct ps_proc_more *proc_more(const struct ps_proc *p)
{
	extern const struct ps_proc_more ps_proc_more_none;
	return p->more ? p->more : &ps_proc_more_none;
}

/* p's rare facts to write, added empty when it has none; NULL when out of memory. */
struct ps_proc_more *proc_more_get(struct ps_proc *p);

enum {
	PS_POOLED_NAME = 1,
	PS_POOLED_EXE = 2,
	PS_POOLED_CMDLINE = 4,
	PS_POOLED_EXE_PATH = 8,
	PS_POOLED_CGROUP = 16,
	PS_POOLED_UNIT = 32,
	PS_POOLED_SLICE = 64
};

/* One process in an owner's parent chain. */
struct ps_ancestor {
	int pid;
	char *name; /* comm */
	char *exe;  /* NULL when unreadable */
};

/* A host port forwarded to a container (docker-proxy, Podman's conmon). */
struct ps_published {
	const char *runtime; /* "docker", "podman" (static) */
	char *id;	     /* container id, NULL when unknown */
	char *name;	     /* container name, NULL when unknown */
	int container_port;  /* -1 when unknown */
};

/* How a process came to hold a listening socket through socket activation. */
struct ps_activation {
	const char *role;  /* "activator", "service", "inherited" (static) */
	const char *by;	   /* "systemd", "systemd-socket-activate" (static) or NULL */
	int listen_fds;	   /* LISTEN_FDS of a service, 0 otherwise */
	char *socket_unit; /* the .socket unit (from systemd over D-Bus), NULL when unknown */
	char
	    *claimed_unit; /* a .socket unit named by the process's own LISTEN_FDNAMES: shown as its
			    * claim, never used for advice or unit identity (anyone can set it) */
	char *service_unit;	  /* the .service it starts, NULL when unknown */
	const char *note;	  /* why the units are unknown (static), NULL when known */
	struct ps_actunit *units; /* activator: units per held socket (from systemd over D-Bus) */
	size_t nunits;
};

/* The .socket unit behind one listening socket of an activator, and the service it starts. */
struct ps_actunit {
	uint64_t inode;
	char *socket_unit;
	char *service_unit; /* NULL when unknown */
};

/* What a socket's own cgroup says, for sockets whose owner could not be seen. */
struct ps_sockcg {
	uint64_t id;
	char *path; /* cgroup2 path, NULL when the id was not found */
	char *unit;
	const char *unit_type;
	char *slice;
	char *container;
	const char *runtime;
	char *container_name;
	const char *source; /* static: what named it; NULL: the socket's cgroup (Windows:
			       "service-tag", "kernel") */
};

/*
 * A URL reservation of http.sys (Windows: HttpQueryServiceConfiguration,
 * HttpServiceConfigUrlAclInfo): the accounts its security descriptor lets
 * register URLs under the prefix. Which process did register one is not told by
 * any documented call.
 */
struct ps_urlacl {
	char *url;     /* "http://+:5985/wsman/" */
	char *sddl;    /* "D:(A;;GX;;;S-1-5-80-...)", NULL when none */
	uint16_t port; /* url_prefix_port(url) */
};

/* Whether reservation a is on the port of k, a listener of the kernel (Windows: pid 4's). */
bool urlacl_serves(const struct ps_urlacl *a, const struct ps_socket *k);

/* The port of an http.sys URL prefix ("http://+:5985/wsman/", "https://host/": 443), 0 when it
 * is not one. */
uint16_t url_prefix_port(const char *url);

/* A network namespace seen while listing (--all-ns) or counting (census). */
struct ps_netns {
	uint64_t inode;
	char *name;   /* ip netns name or container name, NULL when unknown */
	int pid;      /* a process in it, 0 when only known from /run/netns */
	char *cgroup; /* that process's cgroup, to name a container's namespace */
	size_t listeners;
	bool initial;	 /* the namespace of PID 1: the host's */
	bool addrs_read; /* its interface addresses are in ps_snapshot.addrs (exposure stage) */
	int addrs_err;	 /* why they are not: -errno; 0 when not asked for (no listener) */
};

/* One address configured on an interface of a network namespace (or a multicast group joined on
 * it). */
struct ps_ifaddr {
	uint32_t ifindex;
	char *ifname; /* NULL when the interface's name could not be read */
	struct ps_addr addr;
	struct ps_addr broadcast; /* IPv4: the subnet's broadcast address; family 0 when none */
	uint64_t netns; /* the namespace's inode (the model's lists; 0 in a platform's own list) */
};

/* The name of a user id (filled by the user-names stage, sorted by uid). */
struct ps_username {
	uint32_t uid;
	char *name; /* NULL: the system has no name for it */
};

/*
 * Why the result is partial, for the user: an enrichment stage that failed without
 * stopping the rest (its fields stay empty), or with err 0 anything else that left a
 * gap (a table that kept changing while the kernel listed it).
 */
struct ps_stage_note {
	const char *stage; /* static: what it was doing ("read process services"), or with
			      err 0 the whole reason */
	int err;	   /* -errno; 0: `stage` says it all */
};

struct verdicts;
struct ps_firewall;

/*
 * ps_owner.fd of a socket an io_uring ring holds as its fixed file N (registered, its own fd
 * closed): PS_FD_FIXED(N), at most PS_FD_FIXED(0); real fds are 0 or more.
 */
#define PS_FD_FIXED(n) (-2 - (int32_t)(n))
/* ... of a ring with no fd of its own either, found in the process's registered ring table
 * (IORING_REGISTER_RING_FDS, its fd closed): PS_FD_RINGREG(N), a fixed file too. */
#define PS_FD_RINGREG_BIT 0x40000000u
#define PS_FD_RINGREG(n) PS_FD_FIXED((uint32_t)(n) | PS_FD_RINGREG_BIT)
static inline bool owner_fd_is_fixed(int32_t fd)
{
	return fd <= PS_FD_FIXED(0);
}
static inline uint32_t owner_fixed_index(int32_t fd)
{
	return (uint32_t)(-2 - fd) & ~PS_FD_RINGREG_BIT;
}
static inline bool owner_fd_ring_registered(int32_t fd)
{
	return owner_fd_is_fixed(fd) && ((uint32_t)(-2 - fd) & PS_FD_RINGREG_BIT);
}

/* One (socket, process, fd) triple found by attribution. */
struct ps_owner {
	uint32_t sock;
	uint32_t proc;
	int32_t pid; /* copy of procs[proc].pid, for sorting */
	int32_t fd;
	int32_t lead; /* pid of the pre-fork group's root that also holds this socket
		       * (snap_group_forks); 0: this owner leads its own row */
};

/*
 * How the operating system names what findings, evidence and advice talk about,
 * filled by the backend (platform_ops.words) and reached through snap_words(), so
 * portable text never names a Linux or Windows mechanism itself. Static strings.
 */
struct ps_os_words {
	/* The running file of a process, as exe_link_pre PID exe_link_post (Linux: the
	 * proc file system's exe link of 42). */
	const char *exe_link_pre, *exe_link_post;
	const char *pkgdb_name;	 /* where installed files are listed (Linux: the Debian one) */
	const char *handle_word; /* what a process holds a socket by: "file descriptor" */
	const char *pid_scope;	 /* where pids are numbered: "PID namespace" */
	/* Stop advice: a command, then a space and the pids, units or names (oswords.c). */
	const char *kill_cmd;	    /* "kill" (then every pid, space-separated) */
	const char *kill_more;	    /* what goes before each further pid; NULL: " " */
	const char *service_suffix; /* units service_ctl stops: ".service"; NULL: none */
	const char *service_ctl;    /* "systemctl"; NULL: no service manager to advise */
	const char *user_manager;   /* "--user -M": then USER@, another user's own manager */
	const char *stop_verb;	    /* "stop" */
	const char *disable_verb;   /* "disable --now": stopped now and at boot; NULL: none */
	bool posix_quote; /* names are quoted for a POSIX shell; else only plain names are given */
	/* Processes that host services by name (Windows: a svchost.exe runs several), stopped
	 * through the service manager by the service's own name, never by ending the process. */
	const char *hosted_type;   /* the ps_proc.unit_type of such a process ("service"), whose
				    * unit is its services, comma-separated; NULL: none */
	const char *hosted_source; /* the ps_sockcg.source that names the service holding one
				    * socket ("service-tag") */
	const char *hosted_stop;   /* cmd.exe: then the name ("sc.exe stop") */
	const char *hosted_stop2;  /* the second shell's: then the name ("Stop-Service -Name") */
	const char *second_shell;  /* that shell's name ("PowerShell") */
	const char *kill_force;	   /* the second step when a process does not end ("taskkill /F
				    * /PID", then the pids as kill_cmd); NULL: none */
	/* Identity evidence (the exe-* integrity findings). */
	const char *exe_set_call; /* what points a running process's exe link at another file:
				   * "prctl PR_SET_MM_EXE_FILE"; NULL: not named */
	const char *mount_view;	  /* a process's private view of the mounts: "mount namespace" */
	const char *priv_scope;	  /* where a user gains privileges over its own processes only:
				   * "user namespace" */
	const char *mem_file;	  /* what makes a memory-only file a program can run from:
				   * "memfd_create"; NULL: not named */
	bool other_os_programs;	  /* the ports registry's Windows names (ending in .exe, and
				   * System) name no program of this system: left out of lists */
};

/* Words free of any one system, for a snapshot no backend filled (loaded, or built by a test). */
extern const struct ps_os_words ps_os_words_plain;

struct ps_snapshot {
	struct ps_socket *socks;
	size_t nsocks, socks_cap;
	struct ps_sock_more *more; /* what few sockets have (ps_socket.more points here) */
	size_t nmore, more_cap;
	struct ps_proc *procs;
	size_t nprocs, procs_cap;
	struct ps_owner *owners; /* grouped by socket after attribution */
	size_t nowners, owners_cap;
	/* blocks records share (ps_proc.ancestry_shared, xlibs_shared), freed with the snapshot */
	void **blocks;
	size_t nblocks, blocks_cap;

	/* What attribution could and could not see. */
	size_t procs_scanned;
	size_t procs_denied;
	size_t procs_vanished;
	const char *attr_method; /* how owners were found: "bpf", "proc"; NULL: not attributed */
	const struct ps_attr_fallback *attr_fallback; /* why not the faster method; NULL: none */
	bool privileged;    /* root, or CAP_SYS_PTRACE + CAP_DAC_READ_SEARCH */
	uint64_t netns;	    /* our own network namespace (inode) */
	const char *source; /* "netlink" or "procfs" */
	size_t unattributed[PS_OWN__COUNT];
	bool partial;
	/* Network namespaces (src/platform/linux/netns.c) and socket cgroups (svcinfo.c). */
	struct ps_netns *nets;
	size_t nnets;
	bool all_netns;	    /* every namespace was listed */
	int netns_error;    /* -errno why other namespaces could not be entered, 0 */
	size_t netns_other; /* namespaces besides ours (census) */
	struct ps_sockcg *sockcgs;
	size_t nsockcgs;
	struct ps_urlacl *urlacls; /* Windows: http.sys URL reservations, for pid 4's listeners */
	size_t nurlacls;
	const char *sockcg_note; /* why socket cgroups could not be named (static), NULL */
	/* Enrichment (src/core/pipeline.c runs the stages that fill these). */
	/* Interface addresses, for reachability: ours first, then (with -N) those of each other
	 * namespace holding a listener, each namespace's together (ps_ifaddr.netns). */
	struct ps_ifaddr *addrs;
	size_t naddrs;
	int addrs_err; /* why ours are missing: -errno, 0 when read (others: ps_netns.addrs_err) */
	/* multicast groups joined per interface (addr is the group), grouped like addrs */
	struct ps_ifaddr *groups;
	size_t ngroups;
	char *pkg_reason; /* why package checks were not made, NULL when the database was read */
	const char *pkg_kind; /* static: the database read (pkgdb_kind), NULL when none */
	struct verdicts
	    *verdicts; /* service, exposure and findings (model/verdict.h); NULL: not judged */
	struct ps_firewall *firewall; /* model/fwmodel.h; NULL: the firewall was not looked at */
	struct explain_port *explain; /* model/verdict.h: the port `explain` asked about, or NULL */
	struct ps_username *usernames; /* NULL with nusernames 0: user names were not looked up */
	size_t nusernames;
	const struct ps_os_words
	    *os; /* the backend's words; NULL: ps_os_words_plain (snap_words) */
	struct ps_stage_note notes[8]; /* why partial (first few; snap_note) */
	size_t nnotes;
};

/*
 * Why attribution did not use the platform's faster method (Linux: BPF), as the
 * backend words it (static): a stable name for the JSON ("attribution":
 * {"method", "fallback_reason"}) and a sentence for messages.
 */
struct ps_attr_fallback {
	const char *name; /* "not-privileged", ... */
	const char *text; /* "not privileged (needs root, ...)" */
	bool refused;	  /* the OS refused the method: an error worth its errno */
};

/*
 * The entries of list a[0..n) (ps_snapshot.addrs or .groups) of namespace netns into
 * *out: they are together. Returns how many (0: none, *out NULL).
 */
size_t snap_addrs_of(const struct ps_ifaddr *a, size_t n, uint64_t netns,
		     const struct ps_ifaddr **out);

/* Append a zeroed socket; returns it, or NULL when out of memory. */
struct ps_socket *snap_add_socket(struct ps_snapshot *s);
/* The counters read of socket k of s (ps_filter.tcp_info, platform_tcp_stats), NULL when none. */
const struct ps_tcp_stats *snap_tcp(const struct ps_snapshot *s, const struct ps_socket *k);
/* Give socket k of s the counters t (a copy; NULL or not valid: none). 0 or -ENOMEM. */
int snap_set_tcp(struct ps_snapshot *s, struct ps_socket *k, const struct ps_tcp_stats *t);
/* Forget every socket's counters (the next read asks anew). */
void snap_clear_tcp(struct ps_snapshot *s);
/* The process that may hold socket k of s in a ring of no fd (a deduction), 0 when none; *n:
 * how many such. */
int32_t snap_ring_suspect(const struct ps_snapshot *s, const struct ps_socket *k, uint32_t *n);
/* Count pid as one more such process of socket k (the first named). 0 or -ENOMEM. */
int snap_add_ring_suspect(struct ps_snapshot *s, struct ps_socket *k, int32_t pid);
/* When socket k of s was created (seconds since the epoch), 0 when not known. */
int64_t snap_created(const struct ps_snapshot *s, const struct ps_socket *k);
/* Record when socket k was created (t > 0; 0 records nothing). 0 or -ENOMEM. */
int snap_set_created(struct ps_snapshot *s, struct ps_socket *k, int64_t t);
/* Append to `to` a copy of socket src of `from`, with its rare facts (a socket's `more` is an
 * index into its own snapshot's: never copy one across snapshots by assignment). 0 or -ENOMEM. */
int snap_add_socket_copy(struct ps_snapshot *to, const struct ps_snapshot *from,
			 const struct ps_socket *src);
/* Append a process with only its pid set; returns its index or -ENOMEM. */
long snap_add_proc(struct ps_snapshot *s, int pid);
/* Give back the room the socket, process and owner arrays grew beyond their entries (they may
 * move: no pointer into them may be kept across the call). */
void snap_compact(struct ps_snapshot *s);
/* Record that process `proc` holds socket `sock` as `fd`. 0 or -ENOMEM. */
int snap_add_owner(struct ps_snapshot *s, uint32_t sock, uint32_t proc, int32_t fd);
/* Sort owners by socket, pid, fd and set every socket's owner_first/owner_count. */
void snap_group_owners(struct ps_snapshot *s);
/*
 * Group pre-forking servers (nginx, apache, postgres, gunicorn): a process whose parent
 * holds a shown socket and runs the same executable (by path; by name when neither can be
 * read), or is a packaged daemon's own helper (its executable from the parent's package or
 * in the parent's /usr/lib/NAME/ directory, both packaged: dovecot's imap-login), belongs to
 * its parent's group, whose root is the topmost such ancestor. Run again once packages are
 * known. Sets
 * ps_proc.group_root, and ps_owner.lead for an owner whose group root holds the same
 * socket (one group, one row, one verdict, one stop). Needs ppid and exe. 0 or -ENOMEM.
 */
int snap_group_forks(struct ps_snapshot *s);
/* How many owners of socket k are folded into owner i (those whose lead is its pid). */
size_t snap_owner_members(const struct ps_snapshot *s, const struct ps_socket *k, size_t i);
/* Sort sockets for display (proto, local port, family, addresses, state); keeps owners valid. */
/* The indexes of s's sockets, sorted by cmp (ties keep the snapshot's order): a new array
 * of s->nsocks entries for free(), or NULL without memory. Safe on several threads at once. */
uint32_t *snap_sorted_index(const struct ps_snapshot *s,
			    int (*cmp)(const struct ps_socket *, const struct ps_socket *));

void snap_sort(struct ps_snapshot *s);
/* Keep only the sockets for which keep() is true; owners and processes follow. 0 or -ENOMEM. */
int snap_retain(struct ps_snapshot *s,
		bool (*keep)(const struct ps_snapshot *, const struct ps_socket *, const void *),
		const void *ctx);
/*
 * Why socket k has the owners it has, decided for this socket alone. `refused`: a
 * process that could hold it (one of the socket's uid, or of an unknown uid) refused
 * its fd table; `still_there`: whether a second dump still lists the socket (1), no
 * longer does (0), or was not made (-1). A socket with an inode that nobody holds is
 * "vanished" until a second dump finds it, which makes it "kernel" (held by no file
 * table we could find, whoever exited meanwhile); time-wait and other inode-less
 * sockets are "kernel".
 */
enum ps_owner_status owner_status_of(const struct ps_socket *k, bool refused, int still_there);
/* Give block to s, which frees it with itself. 0, or -ENOMEM (then block is freed). */
int snap_keep_block(struct ps_snapshot *s, void *block);
/* Move each process's name, exe, command line and exe_path into one block s keeps, one copy
 * per distinct text (thousands of workers of one program hold the same ones). 0 or -ENOMEM. */
int snap_pool_texts(struct ps_snapshot *s);
/* Release what one process record holds (not the record itself). */
void snap_proc_free(struct ps_proc *p);
/* Count sockets per owner status into s->unattributed. */
void snap_count_status(struct ps_snapshot *s);
/* Release everything. */
void snap_free(struct ps_snapshot *s);

/*
 * Say why the result is partial (text static, err -errno or 0: see struct
 * ps_stage_note) and mark it so. A note already there is not repeated; past the
 * first few, only partial is set.
 */
void snap_note(struct ps_snapshot *s, const char *text, int err);
/* Note n as the sentence users read (no final period). The same text goes to stderr and JSON. */
const char *snap_note_text(const struct ps_stage_note *n, char *buf, size_t cap);

/*
 * After the last filter: partial only for what the result shows (a process whose details
 * were refused matters when it holds a shown socket), and a note for every reason (the
 * snap_settle_* texts; the table's own notes say them at length on stderr).
 */
void snap_settle_partial(struct ps_snapshot *s);
extern const char snap_settle_noperm[], snap_settle_details[], snap_settle_netns[],
    snap_settle_other[];

/* The user name of uid from s->usernames, or NULL (unknown, or names not looked up). */
const char *snap_user_name(const struct ps_snapshot *s, uint32_t uid);

/* The words of the system s was taken on (never NULL). */
const struct ps_os_words *snap_words(const struct ps_snapshot *s);

/*
 * The path to show for the program p runs: the packaged link it is started by, named as the
 * process calls itself (/usr/bin/redis-server for a process running redis-check-rdb through
 * Debian's link), when its running image is proven to be the link's target; else p->exe (the
 * kernel's path; NULL when unreadable). Tables, explain, check and metrics labels use it; JSON
 * keeps exe and gives this as exe_name.
 */
const char *proc_exe_name(const struct ps_proc *p);

/*
 * Length of a NUL-separated command line without its trailing empty arguments,
 * as ps shows it: programs that rewrite their title (redis, sshd, nginx workers)
 * pad the rest of their argument area with NULs. 0: no argument is left.
 */
size_t cmdline_shown_len(const char *cmdline, size_t len);

/* Owner i of socket k. */
static inline const struct ps_owner *snap_owner(const struct ps_snapshot *s,
						const struct ps_socket *k, size_t i)
{
	return &s->owners[k->owner_first + i];
}

/*
 * Open-addressing index from socket inode to socket index, sized from the dump so
 * lookups stay O(1) however many sockets there are.
 */
struct ps_inode_index {
	uint64_t *keys;
	uint32_t *vals;
	size_t mask;
};
/* Build the index over every socket with a non-zero inode. 0 or -ENOMEM. */
int inode_index_build(struct ps_inode_index *ix, const struct ps_snapshot *s);
/* Socket index for `inode`, or -1. */
long inode_index_find(const struct ps_inode_index *ix, uint64_t inode);
void inode_index_free(struct ps_inode_index *ix);

/* Names for display and JSON. */
const char *proto_name(unsigned proto);
/* JSON name of a state ("listen", "established", "unconn" for a UDP socket in CLOSE...). */
const char *state_name(unsigned proto, unsigned state);
/* Short upper-case name for the table (LISTEN, ESTAB, UNCONN, TIME-WAIT...). */
const char *state_label(unsigned proto, unsigned state);
const char *owner_status_name(unsigned st);

/* Format an address (no port) into out; IPv6 without brackets. Returns out. */
char *addr_format(const struct ps_addr *a, char *out, size_t outlen);
/* Whether the address is all zeros (a wildcard bind). */
bool addr_is_any(const struct ps_addr *a);

#endif
