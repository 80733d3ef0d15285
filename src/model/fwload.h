/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwload.h — the firewall part of a snapshot file (top-level "firewall" and "forwards"). */
#ifndef PS_FWLOAD_H
#define PS_FWLOAD_H

#include "../util/json_parse.h"
#include "model.h"

struct ps_filter;

/*
 * Read "firewall" and "forwards" of snapshot document doc into s->firewall (left
 * NULL when the file has no "firewall" object), keeping the forwards that flt
 * (NULL: all) asks for. Values of the wrong type are left empty. 0 or -ENOMEM.
 */
int fwload_parse(const struct json *doc, const struct ps_filter *flt, struct ps_snapshot *s);

#endif
