/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topscreen.c — the ncurses screen of `top`: drawing, the refresh loop, signals, setup. The set
 * is topdata.c's, the keys topkeys.c's.
 */
#include "top.h"

#include "msg.h"

#ifndef HAVE_NCURSES

int top_run(struct cli_options *o, const struct top_opts *to)
{
	(void)o;
	(void)to;
	cli_msg("top: this portsleuth was built without ncurses (libncurses-dev): `portsleuth "
		"conns` shows the same groups without a screen");
	return EXIT_FAILURE_;
}

#else

#include "topcurses.h"
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/escape.h"
#include "topint.h"

volatile sig_atomic_t top_stop_signal;

static void on_stop(int sig)
{
	top_stop_signal = sig;
}

/* A crash must not leave the terminal raw: restore it, then die of the same signal. */
static void on_crash(int sig)
{
	endwin();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void signals_setup(void)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	static const int crash[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	struct sigaction ca = {.sa_handler = on_crash};
	sigemptyset(&ca.sa_mask);
	for (size_t i = 0; i < sizeof crash / sizeof crash[0]; i++)
		sigaction(crash[i], &ca, NULL);
}

static int screen_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

enum { PAIR_NEW = 1, PAIR_CHANGED, PAIR_GONE, PAIR_HEAD };

/* The width the shown columns take (after the 2-cell mark), each at its least when at_min. */
static int used_width(const struct top_table *tab, const int *w, bool at_min)
{
	int used = 2;
	for (size_t c = 0; c < tab->ncols; c++) {
		int min = tab->cols[c].min;
		if (w[c])
			used += (at_min && min && min < w[c] ? min : w[c]) + 1;
	}
	return used;
}

/* Widths of the columns that fit in `width` (after the 2-cell mark); 0: left out. */
static void fit_columns(const struct top_table *tab, int width, int *w)
{
	for (size_t c = 0; c < tab->ncols; c++)
		w[c] = tab->cols[c].width;
	/* too wide: the rightmost columns leave first, but never the first three nor the owner's;
	 * the wanted ones (the remote end, bytes sent) only when they cannot fit with the
	 * shrinkable columns (addresses, names) at their least */
	for (size_t c = tab->ncols; used_width(tab, w, false) > width && c-- > 3;)
		if (!tab->cols[c].keep && !tab->cols[c].want)
			w[c] = 0;
	for (size_t c = tab->ncols; used_width(tab, w, true) > width && c-- > 3;)
		if (!tab->cols[c].keep && tab->cols[c].want)
			w[c] = 0;
	/* then shrink them, the rightmost first (the owner's name, the remote end, the local end),
	 * until the row fits */
	for (size_t c = tab->ncols; used_width(tab, w, false) > width && c-- > 0;)
		while (tab->cols[c].min && w[c] > tab->cols[c].min &&
		       used_width(tab, w, false) > width)
			w[c]--;
	int extra = width - used_width(tab, w, false);
	size_t flex = 0;
	for (size_t c = 0; c < tab->ncols; c++)
		flex += w[c] && tab->cols[c].flex;
	for (size_t c = 0; c < tab->ncols && extra > 0 && flex; c++)
		if (w[c] && tab->cols[c].flex) {
			int add = extra / (int)flex;
			w[c] += add > 10 ? 10 : add;
		}
}

/* Text at the cursor, cut (or padded) to exactly `w` cells. */
/* A cell of width w; a text too wide is cut and marked, never shown as another plausible
 * value (203.0.113.9:5482 for port 54820): an address keeps its port ("[::ffff:12…]:8001"). */
void top_put_cell(const char *s, int w, bool right)
{
	top_put_text(s, w, right, true);
}

void top_put_text(const char *s, int w, bool right, bool keep_port)
{
	size_t n = strlen(s);
	bool cut = w >= 2 && text_width(s, n) > (size_t)w;
	const char *port = cut && keep_port ? strrchr(s, ':') : NULL;
	size_t tail = port && port[1] && strspn(port + 1, "0123456789") == strlen(port + 1)
			  ? strlen(port) + (port > s && port[-1] == ']')
			  : 0;
	if (tail + 3 > (size_t)w)
		tail = 0;
	size_t fit = text_prefix(s, n - tail, (size_t)(cut ? w - 1 - (int)tail : w));
	int pad = w - (int)text_width(s, fit) - (cut ? 1 + (int)tail : 0);
	if (right)
		printw("%*s", pad, "");
	addnstr(s, (int)fit);
	if (cut) {
		addstr(cli_ellipsis());
		addstr(s + n - tail);
	}
	if (!right)
		printw("%*s", pad, "");
}

static void draw_row(const struct top *t, const struct top_row *r, const int *w, bool sel)
{
	static const char sym[] = " +*-";
	int pair = r->mark == TOP_MARK_NEW	 ? PAIR_NEW
		   : r->mark == TOP_MARK_CHANGED ? PAIR_CHANGED
		   : r->mark == TOP_MARK_GONE	 ? PAIR_GONE
						 : 0;
	attr_t a = (sel ? A_REVERSE : 0) | (t->color && pair ? COLOR_PAIR(pair) : 0);
	attron(a);
	printw("%c ", sym[r->mark]);
	for (size_t c = 0; c < t->tab.ncols; c++) {
		if (!w[c])
			continue;
		top_put_cell(top_text(&t->tab, r, c), w[c], t->tab.cols[c].numeric);
		addch(' ');
	}
	attroff(a);
}

/* The first line: view, rows (and whether a full listing runs beside), sort (and whether its
 * column is off screen: sort_shown false), the full accept queues, pause, privileges, then the
 * filter (the command line's, the screen's). */
void top_head_text(const struct top *t, bool sort_shown, char *head, size_t cap)
{
	char full[48] = "", filter[sizeof t->expr_text + sizeof t->cmd_filter + 16] = "";
	size_t nfull = 0;
	for (size_t i = 0; i < t->cur.nsocks; i++)
		nfull += PS_ACCEPT_QUEUE_FULL(&t->cur.socks[i]);
	if (nfull) /* the accept-queue-full finding: the listeners view shows which (!) */
		snprintf(full, sizeof full, "  %zu accept queue%s FULL", nfull,
			 nfull > 1 ? "s" : "");
	if (t->cmd_filter[0] || t->expr)
		snprintf(filter, sizeof filter, "  filter: %s%s%s", t->cmd_filter,
			 t->cmd_filter[0] && t->expr ? " + " : "", t->expr ? t->expr_text : "");
	snprintf(head, cap, "portsleuth top  [%s] %zu rows%s  sort %s%s%s%s%s%s%s",
		 top_view_name(t->view), t->tab.n, t->bg.running ? " (listing)" : "",
		 t->tab.cols[t->sort_col[t->view]].title, sort_shown ? "" : " (off screen)",
		 t->sort_rev ? " (reversed)" : "", full, t->paused ? "  PAUSED" : "",
		 t->cur.privileged ? "" : "  not root: owners hidden", filter);
}

static void draw(struct top *t)
{
	erase();
	int width = COLS, w[TOP_MAXCOLS];
	fit_columns(&t->tab, width, w);
	char head[512];
	size_t sc = t->sort_col[t->view];
	top_head_text(t, sc >= t->tab.ncols || w[sc] != 0, head, sizeof head);
	move(0, 0);
	top_put_text(head, width, false, false);
	move(1, 0);
	attron(A_REVERSE | (t->color ? COLOR_PAIR(PAIR_HEAD) : 0));
	printw("  ");
	for (size_t c = 0; c < t->tab.ncols; c++)
		if (w[c]) {
			top_put_cell(t->tab.cols[c].title, w[c], t->tab.cols[c].numeric);
			addch(' ');
		}
	attroff(A_REVERSE | (t->color ? COLOR_PAIR(PAIR_HEAD) : 0));
	int rows = screen_rows();
	if (t->sel >= t->tab.n)
		t->sel = t->tab.n ? t->tab.n - 1 : 0;
	if (t->sel < t->scroll)
		t->scroll = t->sel;
	if (t->sel >= t->scroll + (size_t)rows)
		t->scroll = t->sel - (size_t)rows + 1;
	for (int i = 0; i < rows && t->scroll + (size_t)i < t->tab.n; i++) {
		move(2 + i, 0);
		size_t at = t->scroll + (size_t)i;
		draw_row(t, &t->tab.rows[at], w, at == t->sel);
	}
	move(LINES - 1, 0);
	top_put_text(t->msg[0]
			 ? t->msg
			 : "q quit  Tab/1-4 view  <> sort  r rev  / filter  ? search  n next  "
			   "space pause  Enter explain  K close  S stop owner  c copy  w write",
		     width, false, false);
	refresh();
}

static void colors_setup(struct top *t)
{
	const char *nc = getenv("NO_COLOR");
	t->color = t->o->color != COLOR_NEVER && !(nc && *nc && t->o->color != COLOR_ALWAYS) &&
		   has_colors();
	if (!t->color)
		return;
	start_color();
	use_default_colors();
	init_pair(PAIR_NEW, COLOR_GREEN, -1);
	init_pair(PAIR_CHANGED, COLOR_YELLOW, -1);
	init_pair(PAIR_GONE, COLOR_RED, -1);
	init_pair(PAIR_HEAD, COLOR_BLACK, COLOR_CYAN);
}

static int loop(struct top *t)
{
	t->rows = screen_rows();
	int rc = top_refresh(t);
	if (rc)
		return rc;
	while (!top_stop_signal) {
		draw(t);
		double wait = t->paused ? 3600 : t->last + t->delay - top_now();
		timeout(wait <= 0 ? 0 : (int)(wait * 1000) + 1);
		int ch = getch();
		if (ch == 'q' || ch == 'Q')
			break;
		bool now = ch != ERR && ch != KEY_RESIZE && top_on_key(t, ch);
		if (top_stop_signal)
			break;
		t->rows = screen_rows();
		if (now || (!t->paused && top_now() >= t->last + t->delay))
			top_refresh(t); /* a failed refresh keeps the last screen and says why */
	}
	return 0;
}

int top_run(struct cli_options *o, const struct top_opts *to)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		cli_msg("top needs a terminal; `portsleuth conns` prints the same groups");
		return EXIT_FAILURE_;
	}
	const char *why;
	if (topcurses_load(&why)) {
		cli_msg("top: cannot load ncurses (%s): `portsleuth conns` shows the same groups "
			"without a screen",
			why ? why : "unknown error");
		return EXIT_FAILURE_;
	}
	struct top t = {.o = o, .delay = to->delay, .first = true};
	snprintf(t.cmd_filter, sizeof t.cmd_filter, "%s", to->filter_text ? to->filter_text : "");
	int code = cli_pipeline_open(o, 0, NULL, NULL, &t.pl);
	if (code >= 0)
		return code;
	SCREEN *scr = newterm(NULL, stdout, stdin);
	if (!scr) {
		cli_msg("top: cannot drive this terminal (TERM=%s)",
			getenv("TERM") ? getenv("TERM") : "");
		pipeline_close(&t.pl);
		return EXIT_FAILURE_;
	}
	signals_setup();
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	colors_setup(&t);
	pthread_mutex_init(&t.bg.lock, NULL);
	top_events_open(&t, to->events);
	t.last = top_now();
	int rc = loop(&t);
	endwin();
	delscreen(scr);
	top_data_free(&t); /* a listing still running is waited for: the terminal is back */
	if (to->timing)
		top_write_timing(&t, to->timing);
	pthread_mutex_destroy(&t.bg.lock);
	pipeline_close(&t.pl);
	fexpr_free(t.expr);
	if (rc)
		cli_err(rc, "top: cannot list the sockets");
	/* stopped by a signal: 128 + its number (Ctrl-C: 130), as a shell reports it */
	return rc ? EXIT_FAILURE_ : top_stop_signal ? 128 + top_stop_signal : EXIT_OK;
}

#endif
