/* SPDX-License-Identifier: GPL-2.0-or-later */
/* main.c — portsleuth: which ports are active and what is behind each one. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
	return cli_main(argc, argv);
}
