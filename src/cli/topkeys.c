/* SPDX-License-Identifier: GPL-2.0-or-later */
/* topkeys.c — `top`'s keys and what they do: views, sort, filter, explain overlay, close a
 * connection, stop an owner, copy a row, write the view. */
#include "topint.h"

#ifdef HAVE_NCURSES

#include "topcurses.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* Line s[0..n) wrapped to `cols` cells into out, a '\n' after each screen line: broken at the
 * last space that fits (else where the width ends), each continuation indented two cells more
 * than the line itself. 0 or -ENOMEM. */
static int wrap_line(struct buf *out, const char *s, size_t n, size_t cols)
{
	size_t lead = 0;
	while (lead < n && s[lead] == ' ')
		lead++;
	size_t indent = lead + 2 < cols / 2 ? lead + 2 : cols / 2;
	int rc = 0;
	for (bool first = true; !rc; first = false) {
		size_t pad = first ? 0 : indent;
		size_t fit = text_prefix(s, n, cols - pad);
		if (fit >= n || !fit)
			return buf_printf(out, "%*s%.*s\n", (int)pad, "", (int)n, s);
		size_t cut = fit;
		while (cut > (first ? lead : 0) && s[cut] != ' ')
			cut--;
		if (cut <= (first ? lead : 0))
			cut = fit; /* no space to break at: where the width ends */
		rc = buf_printf(out, "%*s%.*s\n", (int)pad, "", (int)cut, s);
		s += cut;
		n -= cut;
		while (n && *s == ' ') {
			s++;
			n--;
		}
		if (!n)
			break;
	}
	return rc;
}

/* explain's text as screen lines of `cols` cells (escaped where it holds anything unsafe). */
static int explain_lines(const struct buf *text, size_t cols, struct buf *out, size_t *nlines)
{
	const char *p = text->data, *end = text->data + text->len;
	int rc = 0;
	buf_clear(out);
	while (p < end && !rc) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		/* the child escapes what it prints; a line that still holds anything unsafe is
		 * escaped again, so nothing raw reaches the terminal (a clean one is shown as
		 * printed: escaping it again would double its escapes) */
		struct buf line = {0};
		rc = text_safe(p, n) ? buf_append(&line, p, n) : esc_text(&line, p, n);
		rc = rc ? rc : wrap_line(out, line.data ? line.data : "", line.len, cols);
		buf_free(&line);
		p = nl ? nl + 1 : end;
	}
	*nlines = 0;
	for (size_t i = 0; i < out->len; i++)
		*nlines += out->data[i] == '\n';
	return rc;
}

/* The explain panel's lines from `top` on, and its status line. */
static void draw_explain(const struct buf *lines, size_t nlines, size_t top)
{
	erase();
	const char *p = lines->data, *end = lines->data + lines->len;
	for (size_t skip = 0; skip < top && p < end; skip++)
		p = (const char *)memchr(p, '\n', (size_t)(end - p)) + 1;
	for (int y = 0; y < LINES - 1 && p < end; y++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		move(y, 0);
		addnstr(p, (int)text_prefix(p, (size_t)(nl - p), (size_t)COLS));
		p = nl + 1;
	}
	char st[160];
	size_t page = LINES > 1 ? (size_t)LINES - 1 : 1;
	snprintf(st, sizeof st,
		 "explain %zu-%zu of %zu: arrows, PgUp/PgDn, Home/End scroll; any other key "
		 "returns",
		 nlines ? top + 1 : 0, top + page < nlines ? top + page : nlines, nlines);
	move(LINES - 1, 0);
	top_put_text(st, COLS, false, false);
	refresh();
}

/* A key in the explain panel: the new first line, or -1 to go back. */
static long explain_key(int ch, size_t top, size_t nlines)
{
	size_t page = LINES > 2 ? (size_t)LINES - 2 : 1;
	size_t last = nlines > (size_t)LINES - 1 ? nlines - ((size_t)LINES - 1) : 0;
	switch (ch) {
	case KEY_DOWN:
	case 'j':
		top++;
		break;
	case KEY_UP:
	case 'k':
		top = top ? top - 1 : 0;
		break;
	case KEY_NPAGE:
	case ' ':
		top += page;
		break;
	case KEY_PPAGE:
		top = top > page ? top - page : 0;
		break;
	case KEY_HOME:
		top = 0;
		break;
	case KEY_END:
		top = last;
		break;
	case KEY_LEFT:
	case KEY_RIGHT:
	case KEY_RESIZE:
	case ERR:
		break;
	default:
		return -1;
	}
	return (long)(top > last ? last : top);
}

/* Enter: the explanation of the selected row's port, wrapped to the screen and scrollable; any
 * other key goes back. */
static void show_explain(struct top *t)
{
	const struct top_row *r = t->sel < t->tab.n ? &t->tab.rows[t->sel] : NULL;
	if (!r || !r->port) {
		snprintf(t->msg, sizeof t->msg, "explain is about a local port: this row has none");
		return;
	}
	struct buf text = {0}, lines = {0};
	if (explain_text(r->port, r->proto, &text) || !text.len) {
		snprintf(t->msg, sizeof t->msg, "explain %u/%s said nothing", r->port,
			 proto_name(r->proto));
		buf_free(&text);
		return;
	}
	long top = 0;
	int cols = 0;
	size_t nlines = 0;
	timeout(-1);
	while (top >= 0 && !top_stop_signal) {
		if (cols != COLS) { /* wrapped again when the screen is resized */
			cols = COLS;
			if (explain_lines(&text, cols > 8 ? (size_t)cols : 8, &lines, &nlines))
				break;
			top = (long)explain_key(ERR, (size_t)top, nlines);
		}
		draw_explain(&lines, nlines, (size_t)top);
		top = explain_key(getch(), (size_t)top, nlines);
	}
	buf_free(&text);
	buf_free(&lines);
}

/* Read a line of text on the last line after `label`; false when none could be read. */
static bool prompt_line(const char *label, char *text, int cap)
{
	text[0] = '\0';
	move(LINES - 1, 0);
	clrtoeol();
	printw("%s", label);
	echo();
	curs_set(1);
	timeout(-1);
	int rc = getnstr(text, cap - 1);
	noecho();
	curs_set(0);
	return rc != ERR;
}

/* Whether s holds w, ignoring ASCII case. */
static bool holds(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (strncasecmp(s, w, n) == 0)
			return true;
	return !n;
}

/* n (and ? once read): the selection moves to the next row after it holding t->search in any
 * cell, from the top again after the last. */
static void search_next(struct top *t)
{
	if (!t->search[0]) {
		snprintf(t->msg, sizeof t->msg, "? searches the rows for a text first");
		return;
	}
	for (size_t i = 1; i <= t->tab.n; i++) {
		size_t at = (t->sel + i) % t->tab.n;
		for (size_t c = 0; c < t->tab.ncols; c++)
			if (holds(top_text(&t->tab, &t->tab.rows[at], c), t->search)) {
				t->sel = at;
				snprintf(t->msg, sizeof t->msg, "found '%s' (n: next)", t->search);
				return;
			}
	}
	snprintf(t->msg, sizeof t->msg, "no row holds '%s'", t->search);
}

/* '?': read a text to search for, and go to the first row after the selection that holds it. */
static void prompt_search(struct top *t)
{
	char text[sizeof t->search];
	if (!prompt_line("search: ", text, (int)sizeof text) || !text[0])
		return;
	for (const char *c = text; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			snprintf(t->msg, sizeof t->msg, "search: no control characters");
			return;
		}
	snprintf(t->search, sizeof t->search, "%s", text);
	search_next(t);
}

/* '/': read an expression on the last line (the command line's language: sport = :443, dst
 * 10.0.0.0/8, exposure public or --exposure public); empty clears the filter. */
static void prompt_filter(struct top *t)
{
	char text[sizeof t->expr_text];
	if (!prompt_line("filter: ", text, (int)sizeof text))
		return;
	struct fexpr *e = NULL;
	const char *why = NULL;
	size_t at = 0;
	int rc = fexpr_parse(text, cli_service_port, &e, &why, &at);
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
	top_put_text(question, COLS, false, false);
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

/* w: the view as it stands (header, titles, every row with its mark) to a new file in the current
 * directory, else (not writable there) in $HOME; the status line names its full path. */
static void write_snapshot(struct top *t)
{
	char name[64], head[512], path[4096 + 64], cwd[4096];
	time_t now = time(NULL);
	struct tm tm;
	if (!localtime_r(&now, &tm) ||
	    !strftime(name, sizeof name, "portsleuth-top-%Y%m%d-%H%M%S.txt", &tm))
		snprintf(name, sizeof name, "portsleuth-top-%lld.txt", (long long)now);
	top_head_text(t, true, head, sizeof head);
	struct buf b = {0};
	int rc = buf_printf(&b, "%s\n", head);
	rc = rc ? rc : row_line(&t->tab, NULL, &b);
	for (size_t i = 0; i < t->tab.n && !rc; i++) {
		rc = buf_putc(&b, '\n');
		rc = rc ? rc : row_line(&t->tab, &t->tab.rows[i], &b);
	}
	rc = rc ? rc : buf_putc(&b, '\n');
	const char *why = NULL, *home = getenv("HOME");
	snprintf(path, sizeof path, "%s/%s", getcwd(cwd, sizeof cwd) ? cwd : ".", name);
	rc = rc ? rc : cli_write_file(path, 0600, &b, &why);
	if (rc && rc != -ENOMEM && home && home[0] == '/') { /* not here: in the home directory */
		why = NULL;
		snprintf(path, sizeof path, "%s/%s", home, name);
		rc = cli_write_file(path, 0600, &b, &why);
	}
	struct buf shown = {0}; /* a directory's name is anyone's text: escaped */
	if (esc_text(&shown, path, strlen(path)))
		buf_free(&shown);
	const char *p = shown.data ? shown.data : name;
	if (rc)
		snprintf(t->msg, sizeof t->msg, "cannot write %s: %s", p,
			 why ? why : strerror(-rc));
	else
		snprintf(t->msg, sizeof t->msg, "wrote %s (%zu rows)", p, t->tab.n);
	buf_free(&shown);
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
	case '?':
		prompt_search(t);
		return false;
	case 'n':
		search_next(t);
		return false;
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
