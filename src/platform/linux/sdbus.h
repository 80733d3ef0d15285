/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sdbus.h — ask systemd (over D-Bus, with libsystemd's sd-bus when built with it) which .socket
 * units listen where. */
#ifndef PS_SDBUS_H
#define PS_SDBUS_H

#include "../../model/model.h"

/*
 * For every process of snap whose activation role is "activator" by "systemd"
 * and that is PID 1, find the .socket unit listening on each of its listening
 * sockets and the unit it triggers, into activation->units. Without sd-bus or
 * without a reachable systemd the notes stay as they are. 0 or -ENOMEM.
 */
int sdbus_socket_units(struct ps_snapshot *snap);

#endif
