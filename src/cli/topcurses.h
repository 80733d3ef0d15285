/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * topcurses.h — ncurses for `top`, loaded when top starts (topcurses.c) rather than linked: a
 * listing never maps libncursesw and libtinfo (their relocations and data cost every run about
 * 0.3 MB of resident memory). Included instead of <curses.h>: the calls top makes go through the
 * loaded functions under their own names, the macros of <curses.h> (attron, move, getch) too.
 */
#ifndef PS_CLI_TOPCURSES_H
#define PS_CLI_TOPCURSES_H

#include <curses.h>
#include <stdbool.h>

/* The functions and variables of ncurses top uses, each as dlsym found it. */
struct topcurses {
	__typeof__(&cbreak) cbreak;
	__typeof__(&curs_set) curs_set;
	__typeof__(&delscreen) delscreen;
	__typeof__(&echo) echo;
	__typeof__(&endwin) endwin;
	__typeof__(&has_colors) has_colors;
	__typeof__(&init_pair) init_pair;
	__typeof__(&keypad) keypad;
	__typeof__(&newterm) newterm;
	__typeof__(&noecho) noecho;
	__typeof__(&printw) printw;
	__typeof__(&start_color) start_color;
	__typeof__(&use_default_colors) use_default_colors;
	__typeof__(&waddch) waddch;
	__typeof__(&waddnstr) waddnstr;
	__typeof__(&wattr_off) wattr_off;
	__typeof__(&wattr_on) wattr_on;
	__typeof__(&wclrtoeol) wclrtoeol;
	__typeof__(&werase) werase;
	__typeof__(&wgetch) wgetch;
	__typeof__(&wgetnstr) wgetnstr;
	__typeof__(&wmove) wmove;
	__typeof__(&wrefresh) wrefresh;
	__typeof__(&wtimeout) wtimeout;
	__typeof__(&stdscr) stdscr;
	__typeof__(&LINES) lines;
	__typeof__(&COLS) cols;
};

extern struct topcurses topcurses;

/* Load ncurses once (kept until exit). 0, or -1 with *why saying why (dlerror's text). */
int topcurses_load(const char **why);

#ifndef TOPCURSES_LOADER
#define cbreak (topcurses.cbreak)
#define curs_set (topcurses.curs_set)
#define delscreen (topcurses.delscreen)
#define echo (topcurses.echo)
#define endwin (topcurses.endwin)
#define has_colors (topcurses.has_colors)
#define init_pair (topcurses.init_pair)
#define keypad (topcurses.keypad)
#define newterm (topcurses.newterm)
#define noecho (topcurses.noecho)
#define printw (topcurses.printw)
#define start_color (topcurses.start_color)
#define use_default_colors (topcurses.use_default_colors)
#define waddch (topcurses.waddch)
#define waddnstr (topcurses.waddnstr)
#define wattr_off (topcurses.wattr_off)
#define wattr_on (topcurses.wattr_on)
#define wclrtoeol (topcurses.wclrtoeol)
#define werase (topcurses.werase)
#define wgetch (topcurses.wgetch)
#define wgetnstr (topcurses.wgetnstr)
#define wmove (topcurses.wmove)
#define wrefresh (topcurses.wrefresh)
#define wtimeout (topcurses.wtimeout)
#undef stdscr
#define stdscr (*topcurses.stdscr)
#undef LINES
#define LINES (*topcurses.lines)
#undef COLS
#define COLS (*topcurses.cols)
#endif

#endif
