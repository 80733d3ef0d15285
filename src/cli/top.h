/* SPDX-License-Identifier: GPL-2.0-or-later */
/* top.h — the screen of `portsleuth top` (src/cli/topscreen.c; ncurses). */
#ifndef PS_CLI_TOP_H
#define PS_CLI_TOP_H

#include "common.h"

/*
 * Run the live view for o (parsed; every state unless narrowed), refreshing every
 * `delay` seconds until q, SIGINT or SIGTERM; the terminal is restored in every
 * case, a crash signal included. Without ncurses in the build: a message. Returns
 * the exit code.
 */
int top_run(struct cli_options *o, double delay);

#endif
