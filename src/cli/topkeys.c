/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topkeys.c — `top`'s keys and what they do: views, sort, filter, explain overlay, close a
 * connection, stop an owner, copy a row, write the view. */
#include "topint.h"

#ifdef HAVE_NCURSES

#include <curses.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../output/explain.h"
#include "../util/escape.h"
#include "msg.h"

/* Whether s[0..n) is well-formed UTF-8 with nothing a terminal must not get raw. */
static bool text_safe(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		uint32_t cp;
		size_t l = utf8_decode((const unsigned char *)s + i, n - i, &cp);
		if (!l || esc_unsafe_cp(cp))
			return false;
		i += l;
	}
	return true;
}

/* What `portsleuth explain PORT/PROTO` prints (run as a child: the same binary, no colour). */
static int explain_text(uint16_t port, unsigned proto, struct buf *out)
{
	int fds[2];
	if (pipe(fds))
		return -errno;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -errno;
	}
	if (pid == 0) {
		char arg[32];
		snprintf(arg, sizeof arg, "%u/%s", port, proto_name(proto));
		int null = open("/dev/null", O_RDWR);
		dup2(fds[1], STDOUT_FILENO);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/proc/self/exe", "portsleuth", "explain", "--color", "never", arg,
		      (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	char chunk[4096];
	ssize_t n;
	int rc = 0;
	while ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0 && !rc && out->len < (1u << 20))
			rc = buf_append(out, chunk, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return rc;
}

/* One line of text at the cursor: what fits the screen's width, a line cut marked at its end. */
static void put_line(const char *s, size_t n)
{
	bool cut = COLS >= 2 && text_width(s, n) > (size_t)COLS;
	addnstr(s, (int)text_prefix(s, n, (size_t)(cut ? COLS - 1 : COLS)));
	if (cut)
		addstr(cli_ellipsis());
}

/* Enter: the explanation of the selected row's port, scrollable; any other key goes back. */
static void show_explain(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	if (!r || !r->port) {
		snprintf(t->msg, sizeof t->msg, "explain is about a local port: this row has none");
		return;
	}
	struct buf text = {0};
	if (explain_text(r->port, r->proto, &text) || !text.len) {
		snprintf(t->msg, sizeof t->msg, "explain %u/%s said nothing", r->port,
			 proto_name(r->proto));
		buf_free(&text);
		return;
	}
	size_t top = 0;
	timeout(-1);
	for (;;) {
		erase();
		const char *p = text.data, *end = text.data + text.len;
		for (size_t skip = 0; skip < top && p < end; skip++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		for (int y = 0; y < LINES - 1 && p < end; y++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
			/* the child escapes what it prints; a line that still holds anything
			 * unsafe is escaped again, so nothing raw reaches the terminal (a clean one
			 * is shown as printed: escaping it again would double its escapes) */
			struct buf line = {0};
			int erc = text_safe(p, n) ? buf_append(&line, p, n) : esc_text(&line, p, n);
			if (erc == 0 && line.len) {
				move(y, 0);
				put_line(line.data, line.len);
			}
			buf_free(&line);
			p = nl ? nl + 1 : end;
		}
		move(LINES - 1, 0);
		top_put_cell("explain: arrows scroll, any other key returns", COLS, false);
		refresh();
		int ch = getch();
		if (ch == KEY_DOWN || ch == 'j')
			top++;
		else if ((ch == KEY_UP || ch == 'k') && top)
			top--;
		else if (ch != KEY_RESIZE && ch != ERR)
			break;
		if (top_stop_signal)
			break;
	}
	buf_free(&text);
}

/* '/': read an expression on the last line; empty clears the filter. */
static void prompt_filter(struct top *t)
{
	char text[sizeof t->expr_text] = "";
	move(LINES - 1, 0);
	clrtoeol();
	printw("filter: ");
	echo();
	curs_set(1);
	timeout(-1);
	int rc = getnstr(text, (int)sizeof text - 1);
	noecho();
	curs_set(0);
	if (rc == ERR)
		return;
	struct fexpr *e = NULL;
	const char *why = NULL;
	size_t at = 0;
	rc = fexpr_parse(text, cli_service_port, &e, &why, &at);
	if (rc) {
		snprintf(t->msg, sizeof t->msg, "filter not changed: %s (at %zu)",
			 why ? why : "out of memory", at);
		return;
	}
	fexpr_free(t->expr);
	t->expr = e;
	snprintf(t->expr_text, sizeof t->expr_text, "%s", text);
	t->msg[0] = '\0';
	top_relist(t);
}

/* Ask on the last line; true only for y. */
static bool confirm(const char *question)
{
	move(LINES - 1, 0);
	clrtoeol();
	top_put_cell(question, COLS, false);
	refresh();
	timeout(-1);
	int ch = getch();
	return ch == 'y' || ch == 'Y';
}

/* K: close the selected TCP connection (the kernel resets it, as `ss -K`), once confirmed.
 * Whether it was closed. */
static bool close_connection(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	const struct ps_socket *k = r && r->sock >= 0 ? &t->cur.socks[r->sock] : NULL;
	if (!k || k->proto != PS_TCP || k->state == PS_ST_LISTEN || k->state == PS_ST_TIME_WAIT) {
		snprintf(t->msg, sizeof t->msg,
			 "K closes a TCP connection: choose one in the sockets view");
		return false;
	}
	char q[200], a[64], b[64];
	int at_l = top_find_col(&t->tab, "LOCAL"), at_r = top_find_col(&t->tab, "REMOTE"),
	    at_p = top_find_col(&t->tab, "PROCESS");
	if (at_l < 0 || at_r < 0 || at_p < 0)
		return false;
	snprintf(q, sizeof q, "close tcp %s -> %s (%s)? y/N", top_text(&t->tab, r, (size_t)at_l),
		 top_text(&t->tab, r, (size_t)at_r), top_text(&t->tab, r, (size_t)at_p));
	if (!confirm(q)) {
		t->msg[0] = '\0';
		return false;
	}
	int rc = platform_sock_destroy(k);
	snprintf(a, sizeof a, "%s", top_text(&t->tab, r, (size_t)at_l));
	snprintf(b, sizeof b, "%s", top_text(&t->tab, r, (size_t)at_r));
	if (!rc)
		snprintf(t->msg, sizeof t->msg, "closed tcp %s -> %s", a, b);
	else if (rc == -EOPNOTSUPP)
		snprintf(
		    t->msg, sizeof t->msg,
		    "this kernel cannot close sockets (built without CONFIG_INET_DIAG_DESTROY)");
	else if (rc == -ENOSYS)
		snprintf(t->msg, sizeof t->msg, "closing connections is not supported here");
	else
		snprintf(t->msg, sizeof t->msg, "cannot close tcp %s -> %s: %s%s", a, b,
			 strerror(-rc), rc == -EPERM ? " (needs root or CAP_NET_ADMIN)" : "");
	return rc == 0;
}

/* Run the shell command line cmd (stdin, stdout, stderr: /dev/null); its exit status, -errno. */
static int run_command(const char *cmd)
{
	pid_t pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* S: stop the selected row's owner as explain advises (its unit, container, or kill of its
 * group), after a y/N question that shows the exact command. */
static void stop_owner(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	if (!r || r->proc < 0 || (size_t)r->proc >= t->cur.nprocs) {
		snprintf(t->msg, sizeof t->msg,
			 "S stops a row's owner: choose a socket or a process that has one");
		return;
	}
	const struct ps_socket *k = r->sock >= 0 ? &t->cur.socks[r->sock] : NULL;
	struct buf cmd = {0}, shown = {0};
	const char *why = NULL;
	int rc = explain_stop_command(&t->cur, k, &t->cur.procs[r->proc], &cmd, &why);
	rc = rc ? rc : esc_text(&shown, cmd.data, cmd.len);
	char q[sizeof t->msg];
	if (!rc) {
		snprintf(q, sizeof q, "run `%s`%s%s? y/N", shown.data, why ? " (" : "",
			 why ? "not its unit)" : "");
		if (confirm(q)) {
			rc = run_command(cmd.data);
			snprintf(t->msg, sizeof t->msg, "ran `%s`: %s %d", shown.data,
				 rc < 0 ? "cannot run it:" : "exit status", rc < 0 ? -rc : rc);
			/* its sockets go, marked closed as any others: list everything again soon
			 * for the owners left (a pre-forked group's) */
			t->resync_due = true;
		} else {
			t->msg[0] = '\0';
		}
	} else {
		snprintf(t->msg, sizeof t->msg, "no command stops this owner safely");
	}
	buf_free(&cmd);
	buf_free(&shown);
}

/* Row r as one line: its mark, then its cells (escaped already) padded to their widths. */
static int row_line(const struct top_table *tab, const struct top_row *r, struct buf *out)
{
	static const char sym[] = " +*-";
	int rc = buf_printf(out, "%c", r ? sym[r->mark] : ' ');
	for (size_t c = 0; c < tab->ncols && !rc; c++) {
		const char *s = r ? top_text(tab, r, c) : tab->cols[c].title;
		int w = tab->cols[c].width;
		rc = buf_printf(out, tab->cols[c].numeric ? " %*s" : " %-*s", w, s);
	}
	while (!rc && out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
	return rc;
}

/* The terminal's clipboard gets text through OSC 52 (xterm's; tmux and most terminals take it). */
static void osc52(const char *text, size_t n)
{
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	fputs("\033]52;c;", stdout);
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)text[i] << 16;
		v |= i + 1 < n ? (unsigned char)text[i + 1] << 8 : 0;
		v |= i + 2 < n ? (unsigned char)text[i + 2] : 0;
		char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63],
			     i + 1 < n ? b64[v >> 6 & 63] : '=', i + 2 < n ? b64[v & 63] : '='};
		fwrite(q, 1, 4, stdout);
	}
	fputs("\a", stdout);
	fflush(stdout);
}

/* c: the selected row to the clipboard (OSC 52), and its text in the status line. */
static void copy_row(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	struct buf line = {0};
	if (!r || row_line(&t->tab, r, &line)) {
		snprintf(t->msg, sizeof t->msg, "nothing to copy");
		buf_free(&line);
		return;
	}
	const char *text = line.data + 2; /* without the mark */
	osc52(text, strlen(text));
	snprintf(t->msg, sizeof t->msg, "copied: %s", text);
	buf_free(&line);
}

/* w: the view as it stands (header, titles, every row with its mark) to a new file here. */
static void write_snapshot(struct top *t)
{
	char name[64], head[256];
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm) ||
	    !strftime(name, sizeof name, "portsleuth-top-%Y%m%d-%H%M%S.txt", &tm))
		snprintf(name, sizeof name, "portsleuth-top-%lld.txt", (long long)now);
	top_head_text(t, head, sizeof head);
	struct buf b = {0};
	int rc = buf_printf(&b, "%s\n", head);
	rc = rc ? rc : row_line(&t->tab, NULL, &b);
	for (size_t i = 0; i < t->tab.n && !rc; i++) {
		rc = buf_putc(&b, '\n');
		rc = rc ? rc : row_line(&t->tab, &t->tab.rows[i], &b);
	}
	rc = rc ? rc : buf_putc(&b, '\n');
	const char *why = NULL;
	rc = rc ? rc : cli_write_file(name, 0600, &b, &why);
	if (rc)
		snprintf(t->msg, sizeof t->msg, "cannot write %s: %s", name,
			 why ? why : strerror(-rc));
	else
		snprintf(t->msg, sizeof t->msg, "wrote %s (%zu rows)", name, t->tab.n);
	buf_free(&b);
}

static void move_sel(struct top *t, long by)
{
	long at = (long)t->sel + by;
	long last = t->tab.n ? (long)t->tab.n - 1 : 0;
	t->sel = (size_t)(at < 0 ? 0 : at > last ? last : at);
}

/* One key. Returns true when the data must be refreshed now (a new view, sort or filter). */
bool top_on_key(struct top *t, int ch)
{
	int rows = t->rows;
	t->msg[0] = '\0';
	switch (ch) {
	case '\t':
	case 'v':
		t->view = (enum top_view)((t->view + 1) % TOP__VIEWS);
		t->sel = t->scroll = 0;
		return true;
	case '1':
	case '2':
	case '3':
	case '4':
		t->view = (enum top_view)(ch - '1');
		t->sel = t->scroll = 0;
		return true;
	case '<':
	case ',':
		if (t->sort_col[t->view] > 0)
			t->sort_col[t->view]--;
		return true;
	case '>':
	case '.':
		if (t->sort_col[t->view] + 1 < t->tab.ncols)
			t->sort_col[t->view]++;
		return true;
	case 'r':
		t->sort_rev = !t->sort_rev;
		return true;
	case ' ':
		t->paused = !t->paused;
		t->last_ok = 0; /* a pause is not a late refresh */
		return false;
	case '/':
		prompt_filter(t);
		return true;
	case KEY_UP:
	case 'k':
		move_sel(t, -1);
		return false;
	case KEY_DOWN:
	case 'j':
		move_sel(t, 1);
		return false;
	case KEY_PPAGE:
		move_sel(t, -rows);
		return false;
	case KEY_NPAGE:
		move_sel(t, rows);
		return false;
	case KEY_HOME:
		t->sel = 0;
		return false;
	case KEY_END:
		move_sel(t, (long)t->tab.n);
		return false;
	case '\n':
	case '\r':
	case KEY_ENTER:
		show_explain(t);
		return false;
	case 'K':
		return close_connection(t); /* closed: show it gone now */
	case 'S':
		stop_owner(t);
		return t->first;
	case 'c':
		copy_row(t);
		return false;
	case 'w':
		write_snapshot(t);
		return false;
	default:
		return false;
	}
}

#endif
