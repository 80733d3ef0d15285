/* SPDX-License-Identifier: GPL-2.0-or-later */
/* attr_bpf.h — socket owners from one pass of a BPF task_file iterator (built with -DHAVE_BPF). */
#ifndef PS_ATTR_BPF_H
#define PS_ATTR_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../model/model.h"

/* One (socket, process, fd) found by attribution; merged into the model afterwards. */
struct attr_hit {
	uint32_t sock; /* index into the snapshot's sockets */
	int32_t pid;
	int32_t fd;
	uint64_t start; /* the process's start time (ticks after boot) when the /proc scan saw it;
			   0: unknown */
};

/*
 * What the BPF pass read of the program a process runs, all while it ran one program (no exec
 * between the first read and the last); have 0: nothing (/proc is read as before).
 */
struct attr_ident {
	uint8_t have;  /* ATTR_ID_* */
	char *cmdline; /* ATTR_ID_CMDLINE: what describe keeps of /proc/PID/cmdline (NULL:
			* nothing shown) */
	size_t cmdline_len;
	char *env; /* ATTR_ID_ENV: the entries of /proc/PID/environ svcinfo asks about
		    * (lnx_env_wanted), each NUL-terminated, in their order; NULL: none */
	size_t env_len;
	uint64_t exe_dev, exe_ino; /* the file it runs, as stat of /proc/PID/exe says on most file
				    * systems (describe compares: a match ties the link to it) */
};

#define ATTR_ID_CMDLINE 1
#define ATTR_ID_ENV 2

/* Release what id holds. */
void attr_ident_free(struct attr_ident *id);

/* What the BPF pass read of a process holding a socket (as /proc/PID/stat and status say). */
struct attr_owner {
	int32_t pid;
	int32_t ppid; /* 0: the parent is not visible in our PID namespace */
	uint32_t euid;
	uint64_t start;		/* clock ticks after boot, as /proc/PID/stat's starttime */
	uint32_t userns, mntns; /* namespace inodes, as /proc/PID/ns/user and ns/mnt (0: none) */
	uint64_t view, cgset;	/* keys of its executable and root, and of its cgroups (ext.h) */
	uint64_t pid_ino;	/* its struct pid's pidfs inode, 0: unknown */
	char comm[16];		/* NUL-terminated */
	struct attr_ident id;	/* taken (zeroed) by whoever keeps it */
};

/* A process whose files the kernel walked, and its leader's network namespace (0: none). */
struct attr_seen {
	int32_t pid;
	uint32_t netns;
};

/* What one BPF pass found: hits grouped by process (ascending pid). */
struct attr_hits {
	struct attr_hit *v;
	size_t n, cap;
	struct attr_seen *seen; /* processes whose files the kernel walked, ascending pid */
	size_t nseen, seen_cap;
	struct attr_owner *owners; /* the processes of the hits (BPF only), ascending pid */
	size_t nowners, owners_cap;
};

/* Order of struct attr_seen by pid (qsort, bsearch). */
int attr_seen_cmp(const void *a, const void *b);

/* The owner record of pid in h (its program, id, is taken by the record that keeps it), NULL
 * when the pass gave none. */
struct attr_owner *attr_hits_owner(const struct attr_hits *h, int32_t pid);

/* What the pass should look for. */
struct attr_bpf_query {
	const struct ps_inode_index *ix; /* the sockets to attribute */
	const uint64_t *inodes; /* narrow: only these inodes (NULL: every TCP/UDP socket) */
	size_t ninodes;
	uint32_t netns; /* only this network namespace's sockets; 0: every namespace */
};

/* Why attribution did not use BPF (the texts: attribute.c, into snap->attr_fallback). */
enum attr_bpf_reason {
	PS_ATTR_NONE = 0,	/* BPF ran, or /proc was asked for */
	PS_ATTR_NOT_BUILT,	/* built without clang/bpftool/libbpf */
	PS_ATTR_SMALL_HOST,	/* auto: the /proc scan costs less than loading the program */
	PS_ATTR_NO_BTF,		/* no /sys/kernel/btf/vmlinux */
	PS_ATTR_KERNEL_TOO_OLD, /* before 5.17: no kernel-side CO-RE for the loader */
	PS_ATTR_NOT_PRIVILEGED, /* needs CAP_BPF and CAP_PERFMON (or root) */
	PS_ATTR_LOCKDOWN,	/* lockdown=confidentiality forbids reading kernel memory */
	PS_ATTR_LOAD_FAILED,	/* anything else the kernel refused */
	PS_ATTR__COUNT
};

/* The words for `why` (attribute.c), NULL for PS_ATTR_NONE or an unknown reason. */
const struct ps_attr_fallback *attr_fallback_of(unsigned why);

/*
 * Load the iterator, read it once (every process's files, threads skipped, pids
 * numbered as our /proc numbers them) and unload it; append a hit for every
 * socket fd whose inode is in q->ix. Nothing is pinned or left behind.
 * 0, or -errno with *why (enum attr_bpf_reason) saying why BPF cannot be used.
 */
int attr_bpf_scan(const struct attr_bpf_query *q, struct attr_hits *out, unsigned *why);

/*
 * Start a pass over every socket of namespace netns (0: all) in a thread of its own,
 * before the sockets are listed: the next attr_bpf_scan with that netns takes its
 * records instead of making a pass (a narrow query's sockets are among them). Nothing
 * happens when it cannot start; attr_bpf_prefetch_drop waits for it and forgets it.
 */
void attr_bpf_prefetch(uint32_t netns);
/*
 * For a narrow query (one port: its sockets are not known before the dump): only load the
 * program, in a thread of its own while the dumps run, for a pass of up to `room` wanted
 * inodes of namespace netns; the next attr_bpf_scan with that netns and at most that many
 * inodes runs it (others drop it and load their own).
 */
void attr_bpf_preload(uint32_t netns, size_t room);
void attr_bpf_prefetch_drop(void);

/* The most inodes a narrow pass hands the kernel (more: every socket comes back). */
#define ATTR_NARROW_MAX 65536

/* Whether this build has the BPF method (clang, bpftool and libbpf were there). */
bool attr_bpf_built(void);

/* Append one hit. 0 or -ENOMEM. */
int attr_hits_add(struct attr_hits *h, uint32_t sock, int32_t pid, int32_t fd);
/* Release what h holds. */
void attr_hits_free(struct attr_hits *h);

#endif
