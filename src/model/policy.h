/* SPDX-License-Identifier: GPL-2.0-or-later */
/* policy.h — a baseline of allowed listeners (hand-written or from a snapshot) and checking against
 * it. */
#ifndef PS_POLICY_H
#define PS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diff.h"
#include "model.h"

/*
 * One rule. Text form, one per line ('#' starts a comment):
 *   allow|require PROTO PORT[-PORT]|* [addr=IP] [exe=GLOB] [unit=GLOB] [user-unit=[UID/]GLOB]
 *                                     [container=GLOB] [name=GLOB] [max-exposure=CLASS]
 * PROTO is tcp, udp or any; values may be "double quoted" (\" and \\ inside). unit= names
 * system units only; a unit of a user's manager (user@UID.service) needs user-unit=.
 */
struct policy_rule {
	bool require;	 /* a listener must exist (opt-in "missing" check) */
	bool literal;	 /* owner values are exact strings, not glob patterns (from a snapshot) */
	uint8_t protos;	 /* bit per enum ps_proto */
	uint16_t lo, hi; /* port range */
	bool has_addr;
	struct ps_addr addr;
	char *exe, *unit, *container, *name; /* NULL: any */
	char *user_unit;		     /* a unit of a user manager, NULL: any */
	bool has_unit_uid;		     /* user_unit: only that user's manager */
	uint32_t unit_uid;
	char *exe_real;	  /* exe with its links resolved (policy_resolve_exe), NULL */
	int max_exposure; /* enum ps_exposure, -1: any */
	size_t line;	  /* 1-based line in the policy file; 0 from a snapshot */
	long sock;	  /* from a snapshot: the baseline socket, else -1 */
};

/*
 * An acknowledged finding, until a date:
 *   ack CODE PROTO PORT[-PORT]|* [exe=GLOB] [unit=GLOB] [user-unit=[UID/]GLOB] [container=GLOB]
 *       [name=GLOB] [addr=IP] until=YYYY-MM-DD reason=TEXT
 * CODE is a finding code or a glob (exposure-*, *). Until the end of that day (UTC) the
 * findings it names are shown as acknowledged and do not count (--findings exit 4).
 */
struct policy_ack {
	char *code;
	struct policy_rule
	    match;	     /* protocol, ports and owner terms (require, max_exposure unused) */
	int64_t until;	     /* the first second after the day (UTC) */
	char until_text[11]; /* YYYY-MM-DD */
	char *reason;
	size_t line;
};

struct policy {
	struct policy_rule *rules;
	size_t n, cap;
	struct policy_ack *acks;
	size_t nacks, acks_cap;
};

struct policy_error {
	size_t line;   /* 1-based */
	char msg[512]; /* room for the list of finding codes */
};

/*
 * Parse a policy text buf[0..len) (a leading UTF-8 byte order mark is skipped):
 * allow, require and ack lines. 0; -EBADMSG with err
 * naming the line and the problem (p is then empty); -ENOMEM. A text without any rule
 * or ack is an error.
 */
int policy_parse(const char *buf, size_t len, struct policy *p, struct policy_error *err);

/*
 * A policy that allows exactly the listeners of a snapshot: per socket and distinct
 * owner, its protocol and port, that owner's executable (or name), unit and container,
 * and at most its exposure. With `require`, each must also still exist. 0 or -ENOMEM.
 */
int policy_from_snapshot(const struct diff_side *base, bool require, struct policy *p);

/*
 * Resolve the links of every exe= that is a plain path (no glob characters) with
 * resolve() (realpath; it returns a new string or NULL), so that a rule naming a packaged
 * symlink (/usr/bin/redis-server) matches the process, whose executable the kernel names by
 * its target. A path that cannot be resolved is matched as written. 0 or -ENOMEM.
 */
int policy_resolve_exe(struct policy *p, char *(*resolve)(const char *path));

/*
 * Mark every finding of snap's listeners that an ack of p names, at time `now` (seconds
 * since the epoch): finding.ack when it holds, finding.ack_expired when the only acks
 * naming it have expired. A socket-level finding (pid -1) is named when every owner of
 * the socket fits the ack's owner terms. Recounts the severities. 0, or -ENOMEM (a list
 * shared between listeners is copied first).
 */
int policy_ack_findings(const struct policy *p, struct ps_snapshot *snap, int64_t now);

/* Make every rule a `require` rule (the opt-in missing check for the whole policy). */
void policy_require_all(struct policy *p);

enum policy_kind {
	POL_UNEXPECTED = 0, /* a listener no rule allows */
	POL_MISSING,	    /* a `require` rule no listener satisfies */
	POL_OWNER,	/* allowed port, but another executable, unit or container (or unseen) */
	POL_EXPOSURE,	/* allowed port and owner, but reachable more widely than allowed */
	POL_UNVERIFIED, /* not a violation: the owner could not be seen, so a rule naming one
			 * could not be checked (run as root) */
	POL__COUNT
};

struct policy_violation {
	uint8_t kind;	  /* enum policy_kind */
	uint8_t exposure; /* of the socket */
	int allowed;	  /* POL_EXPOSURE: the widest allowed exposure */
	bool unseen;	  /* POL_UNVERIFIED: the owner could not be seen */
	long sock;	  /* index in the checked list, -1 for POL_MISSING */
	long rule;	  /* the rule concerned, -1 for POL_UNEXPECTED */
};

/* What policy_owner_mismatch found: the owner's value (NULL: none) and the rule's. */
struct policy_mismatch {
	const char *got, *want;
	char got_buf[24], want_buf[24]; /* "uid N" for the user-unit's user */
};

/*
 * For an owner violation: the first term of rule r an owner of k does not meet ("exe",
 * "proven exe" (the link names it, the running image is not proven to be it), "unit",
 * "user-unit", "user-unit's user", "container", "rootful container" (a user's own container
 * claiming that id), "name"), with m's values; NULL when every owner meets r.
 */
const char *policy_owner_mismatch(const struct policy_rule *r, const struct ps_snapshot *s,
				  const struct ps_socket *k, struct policy_mismatch *m);

struct policy_report {
	struct policy_violation *v;
	size_t n, cap;
	size_t count[POL__COUNT];
	size_t checked; /* listeners looked at */
};

/*
 * Check every socket of `now` against p. Sockets sharing an identity are checked
 * once: allowed by some rule (every owner the rule's), or unexpected, owner or exposure.
 * Each `require` rule is then checked on its own, whatever other rules allow: some
 * listener must match it with at least one owner that the rule names (else an owner
 * violation for the listener on its port, or missing). A rule naming an owner that
 * cannot be seen gives POL_UNVERIFIED, which is not a violation. 0 or -ENOMEM.
 */
int policy_check(const struct policy *p, const struct diff_side *now, struct policy_report *out);

/* Violations in r: every entry but POL_UNVERIFIED. */
size_t policy_violations(const struct policy_report *r);

/* "unexpected", "missing", "owner", "exposure", "unverified". */
const char *policy_kind_name(unsigned kind);

void policy_free(struct policy *p);
void policy_report_free(struct policy_report *r);

#endif
