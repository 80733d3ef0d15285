/* SPDX-License-Identifier: GPL-2.0-or-later */
/* registry.h — what a port number means: layered user files, our knowledge base, IANA, nmap,
 * /etc/services. */
#ifndef PS_REGISTRY_H
#define PS_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../model/verdict.h" /* struct port_info */
#include "services.h"

struct buf;

/* Protocol bits of a knowledge base entry (1 << enum ps_proto). */
enum { KB_TCP = 1, KB_UDP = 2 };

/* One port in the knowledge base (data/ports.tsv) or in a user file. NULL: not said. */
struct kb_entry {
	uint16_t port;
	uint8_t protos;	      /* KB_TCP | KB_UDP */
	const char *name;     /* never NULL */
	const char *owners;   /* comma-separated program names that normally hold it */
	const char *risk;     /* why exposure beyond localhost is dangerous */
	const char *backdoor; /* comma-separated malware names known to use it */
	const char *desc;
	uint8_t svc_class; /* enum svc_class */
};

/* The compiled-in knowledge base, sorted by port (generated from data/ports.tsv). */
extern const struct kb_entry kb_ports[];
extern const size_t kb_nports;

/* A line of a data file that was skipped. */
struct reg_warning {
	char *path;
	size_t line; /* 1-based */
	char *why;
	size_t more;	/* further malformed lines in the same file (services-format files) */
	bool user_file; /* a --ports-file format file (one warning per line) */
};

/* One user file (the same format as data/ports.tsv; fields after the name optional). */
struct reg_user_layer {
	char *path;
	struct kb_entry *e; /* sorted by port; strings owned */
	size_t n, cap;
};

struct registry {
	struct reg_user_layer *users; /* most specific first */
	size_t nusers;
	struct services iana, nmap, etc;
	bool have_iana, have_nmap, have_etc;
	char *etc_path;		 /* "/etc/services" or --services FILE */
	uint16_t eph_lo, eph_hi; /* kernel ephemeral range; 0/0 when unknown */
	struct reg_warning *warnings;
	size_t nwarnings;
	char *ignored_path; /* a user file found through the environment and not used, or NULL */
	const char *ignored_why; /* why (static text) */
	/* a file that must be used (named, or a system one) and may not be trusted: registry_load
	 * failed with -EPERM because of it; NULL */
	char *refused_path;
	const char *refused_why; /* why (static text) */
};

/* Reading the layers' files is core's (core/regload.h): these take their text. */

/* Record a malformed line (more: how many others) of `path` in r->warnings. 0 or -ENOMEM. */
int registry_add_warning(struct registry *r, const char *path, size_t line, const char *why,
			 size_t more, bool user_file);

/*
 * Add a user layer from text (read by core/regload.c; the unit tests), after
 * the existing user layers. Malformed lines are recorded as warnings. 0 or -ENOMEM.
 */
int registry_add_user_text(struct registry *r, const char *path, const char *buf, size_t len);

/*
 * Look up (port, proto) through the layers, most specific first: the first layer
 * with an entry gives name, description and source; owners, risk and backdoor
 * come from the first user or knowledge base entry. For a dynamic port no name is
 * guessed (only a user file names it) and info->dynamic says why. Returns whether
 * anything is known (name, backdoor or dynamic).
 */
bool registry_lookup(const struct registry *r, uint16_t port, unsigned proto,
		     struct port_info *info);

/*
 * The service of a never-internet or lan-only class that program `prog` (a daemon's own name,
 * not a runtime's nor a host of many services) normally holds over proto, through the layers
 * (a user file's entry for a port replaces ours): into *info, and its port into *port. Only for a
 * program of one such class that the knowledge base never lists for a port meant to face networks
 * (named serves DNS too: its rndc port says nothing of another). Whether one was found.
 */
bool registry_program_home(const struct registry *r, const char *prog, unsigned proto,
			   struct port_info *info, uint16_t *port);

/* Whether `name` (a process name or an executable's basename) is in the comma-separated `owners`.
 */
bool registry_owner_matches(const char *owners, const char *name);

/*
 * Whether `name` is a general-purpose runtime or development server (python3, node, java,
 * flask...) rather than a system daemon's own name: a port's owner list may name one, but
 * holding its name proves and claims nothing (anyone runs python).
 */
bool registry_owner_generic(const char *name);

/*
 * The alternative of a risk field ("{OWNER,...} text|text") that fits a holder
 * called `name` (comm) running an executable whose basename is `base` (either
 * may be NULL): the first alternative whose owners name it, else the first
 * without owners. *text and *len give the slice of `risk`; false (and *text
 * NULL) when none fits.
 */
bool registry_risk_select(const char *risk, const char *name, const char *base, const char **text,
			  size_t *len);

/*
 * The whole risk field in words, for a port not judged against a holder:
 * "text; when held by ntpd: text". 0 or -ENOMEM; nothing appended for NULL.
 */
int registry_risk_describe(const char *risk, struct buf *out);

/* The caveat that always goes with a backdoor-associated port. */
extern const char registry_backdoor_caveat[];

void registry_free(struct registry *r);

#endif
