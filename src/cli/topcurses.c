/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topcurses.c — loading ncurses for `top` (topcurses.h says why it is not linked). */
#include <stddef.h>

#ifdef HAVE_NCURSES

#define TOPCURSES_LOADER
#include "topcurses.h"

#include <dlfcn.h>

#ifndef PS_NCURSES_SONAME
#define PS_NCURSES_SONAME "libncursesw.so.6"
#endif

struct topcurses topcurses;

int topcurses_load(const char **why)
{
	static int state; /* 0: not tried, 1: loaded, -1: failed */
	static const char *failed;
	if (state) {
		*why = failed;
		return state > 0 ? 0 : -1;
	}
	state = -1;
	/* libtinfo, which holds LINES, COLS and the terminal calls, comes in as its dependency:
	 * dlsym on the handle searches both */
	void *h = dlopen(PS_NCURSES_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		*why = failed = dlerror();
		return -1;
	}
	struct {
		const char *name;
		void **at;
	} want[] = {
#define W(f) {#f, (void **)&topcurses.f}
	    W(cbreak),
	    W(curs_set),
	    W(delscreen),
	    W(echo),
	    W(endwin),
	    W(has_colors),
	    W(init_pair),
	    W(keypad),
	    W(newterm),
	    W(noecho),
	    W(printw),
	    W(start_color),
	    W(use_default_colors),
	    W(waddch),
	    W(waddnstr),
	    W(wattr_off),
	    W(wattr_on),
	    W(wclrtoeol),
	    W(werase),
	    W(wgetch),
	    W(wgetnstr),
	    W(wmove),
	    W(wrefresh),
	    W(wtimeout),
	    W(stdscr),
	    {"LINES", (void **)&topcurses.lines},
	    {"COLS", (void **)&topcurses.cols},
#undef W
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (!(*want[i].at = dlsym(h, want[i].name))) {
			*why = failed = dlerror();
			dlclose(h);
			return -1;
		}
	state = 1;
	*why = NULL;
	return 0;
}

#endif
