/* top.c — `portsleuth top`: the live full-screen view (ncurses), or why this build has none. */
#include <stdio.h>

#include "cli.h"
#include "common.h"
#include "msg.h"

int cmd_top(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	cli_msg("top: this portsleuth was built without ncurses (libncurses-dev); "
		"`portsleuth conns` shows the same groups without a screen");
	return EXIT_FAILURE_;
}
