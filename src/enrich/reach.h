/* SPDX-License-Identifier: GPL-2.0-or-later */
/* reach.h — where a socket can be reached from: the addresses and interfaces, and their class. */
#ifndef PS_REACH_H
#define PS_REACH_H

#include <stdbool.h>
#include <stddef.h>

#include "../model/exposure.h"
#include "../model/model.h"
#include "../model/verdict.h"
#include "../util/buf.h"

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

/* A listener reached on more addresses than this keeps REACH_KEEP_PER_CLASS of each class
 * (a namespace of 20,000 addresses and 200 wildcard listeners is not 4 million entries). */
#define REACH_FOLD_OVER 16
#define REACH_KEEP_PER_CLASS 4
/* Evidence texts name this many addresses, then how many more. */
#define REACH_TEXT_MAX 8

/*
 * Count v's addresses per class (nreach_all, reach_by_class) and, past REACH_FOLD_OVER, keep
 * only the first REACH_KEEP_PER_CLASS of each class in reach[] and fw[] (after everything that
 * needs them all: the widest class, the firewall's summary and the evidence). 0 (shrinking
 * never fails).
 */
int reach_fold(struct sock_verdict *v);

/*
 * The widest class of address that reaches socket k now: its own address's class
 * when it is not a wildcard, widened by every address in r. A wildcard reached
 * by nothing we know is loopback, or public when `addrs_unknown`.
 */
enum ps_exposure exposure_widest(const struct ps_socket *k, const struct reach *r, size_t n,
				 bool addrs_unknown);

/* The entries of r whose class is `only` (the ones that decide the severity), as evidence
 * text into b ("eth0 203.0.113.7, ..."; "" for none). 0 or -ENOMEM. */
int reach_format(struct buf *b, const struct reach *r, size_t n, enum ps_exposure only);

/*
 * The addresses of verdict v the firewall lets hosts of class `only` reach, as evidence
 * text into b: an address only some sources may reach names them ("eth0 203.0.113.7 from
 * 10.0.0.0/8"). 0 or -ENOMEM.
 */
int reach_format_fw(struct buf *b, const struct sock_verdict *v, enum ps_exposure only);

#endif
