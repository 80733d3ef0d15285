/* SPDX-License-Identifier: GPL-2.0-or-later */
/* table.c — the aligned text table, cut to the terminal width unless --wide. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../model/verdict.h"
#include "../util/escape.h"
#include "../util/str.h"
#include "output.h"

#define GAP 2
#define OUT_CHUNK 65536 /* bytes of rows written at once */

/* Columns whose text is made here of digits, addresses and fixed words: one cell a byte. */
static bool ascii_only(enum col_id c)
{
	switch (c) {
	case COL_PROTO:
	case COL_LOCAL:
	case COL_REMOTE:
	case COL_STATE:
	case COL_RECVQ:
	case COL_SENDQ:
	case COL_INODE:
	case COL_PID:
	case COL_FD:
	case COL_PPID:
		return true;
	default:
		return false;
	}
}

/*
 * Columns whose text portsleuth makes itself from numbers and fixed words
 * (addresses, ports, states, counts, severities): nothing in them comes from a
 * process, a user or a file, so there is nothing to escape.
 */
static bool made_here(enum col_id c)
{
	if (ascii_only(c))
		return true;
	switch (c) {
	case COL_START:
	case COL_EXPOSURE:
	case COL_FIREWALL:
	case COL_FINDINGS:
		return true;
	default:
		return false;
	}
}

/* Escaped text of one cell into out (cleared first); "-" for no value. */
static int cell(const struct render_ctx *ctx, const struct ps_socket *k, size_t oi, enum col_id c,
		struct buf *raw, struct buf *out)
{
	struct buf *val = made_here(c) ? out : raw;
	buf_clear(raw);
	buf_clear(out);
	int rc = column_value(ctx, k, oi, c, val);
	size_t members =
	    c == COL_PID && oi < k->owner_count ? snap_owner_members(ctx->snap, k, oi) : 0;
	if (!rc && members)
		rc = buf_printf(val, "+%zu",
				members); /* a pre-forking server's workers, folded into its row */
	/* the same process holding the socket on more fds: one row listing them (owners are
	 * sorted by pid, so they follow) */
	for (size_t j = oi + 1;
	     !rc && c == COL_FD && j < k->owner_count &&
	     snap_owner(ctx->snap, k, j)->proc == snap_owner(ctx->snap, k, oi)->proc;
	     j++)
		rc = buf_printf(val, ",%d", snap_owner(ctx->snap, k, j)->fd);
	if (rc)
		return rc;
	if (val->len == 0)
		return buf_putc(out, '-');
	return val == out ? 0 : esc_text(out, raw->data, raw->len);
}

/* Columns whose value depends only on the owning process, not on the socket or fd. */
static bool per_process(enum col_id c)
{
	switch (c) {
	case COL_USER:
	case COL_PROGRAM:
	case COL_PPID:
	case COL_START:
	case COL_UNIT:
	case COL_CONTAINER:
	case COL_SUPERVISOR:
	case COL_EXE:
	case COL_DESCRIPTION:
	case COL_COMMAND:
		return true;
	default:
		return false;
	}
}

/* Whether row oi of k is shown in another row: a worker in its pre-forking group's row, or another
 * fd of the process of the row before (JSON and CSV list every holder). */
static bool folded(const struct ps_snapshot *s, const struct ps_socket *k, size_t oi)
{
	if (oi >= k->owner_count)
		return false;
	/* another fd of the process the row before shows (its FD cell lists them all) */
	if (oi > 0 && snap_owner(s, k, oi - 1)->proc == snap_owner(s, k, oi)->proc)
		return true;
	return snap_owner(s, k, oi)->lead;
}

/* Columns whose value is the socket's verdict's alone: its index among them, else -1. */
static int verdict_column(enum col_id c)
{
	switch (c) {
	case COL_SERVICE:
		return 0;
	case COL_EXPOSURE:
		return 1;
	case COL_FIREWALL:
		return 2;
	case COL_FINDINGS:
		return 3;
	default:
		return -1;
	}
}
#define VERDICT_COLS 4

/*
 * Escaped cells made once and kept: the per-process columns (a server with
 * thousands of sockets repeats its command line on every row) and the verdict
 * columns (connections to a service share their verdict; every cell is also
 * wanted twice, for the widths and for the row). Slots hold 1 + the offset of
 * the NUL-terminated text in `arena` (0: not made yet), so a long listing costs
 * a few small arrays rather than an allocation per cell.
 */
struct cell_cache {
	uint32_t *proc;	   /* [proc * nproc_cols + proc_col[column]], NULL: not cached */
	uint32_t *verdict; /* [(verdict - 1) * VERDICT_COLS + verdict_column()], NULL: not cached */
	size_t nproc_cols, nverdicts;
	uint8_t proc_col[COL__COUNT]; /* a per-process column's place among them, by position */
	struct buf arena;
	/* each distinct text is kept once (thousands of workers run one command line, thousands
	 * of listeners are "loopback"), after its length and its width (4 bytes each): 1 + its
	 * offset in arena, open addressing, half full at most; NULL: texts are kept as they come */
	uint32_t *texts;
	size_t ntexts, texts_mask;
};

/* The length of the text kept at e (1 + its offset in the arena). */
static size_t kept_len(const struct cell_cache *cc, uint32_t e)
{
	uint32_t n;
	memcpy(&n, cc->arena.data + e - 1 - 2 * sizeof n, sizeof n);
	return n;
}

/* Its width in terminal cells. */
static size_t kept_width(const struct cell_cache *cc, uint32_t e)
{
	uint32_t n;
	memcpy(&n, cc->arena.data + e - 1 - sizeof n, sizeof n);
	return n;
}

/* The slot of text t (n bytes) in cc->texts: its entry, or the empty one to fill. */
static uint32_t *text_slot(const struct cell_cache *cc, const char *t, size_t n)
{
	size_t at = (size_t)str_hash(t, n) & cc->texts_mask;
	for (;; at = (at + 1) & cc->texts_mask) {
		uint32_t e = cc->texts[at];
		if (!e || (kept_len(cc, e) == n && memcmp(cc->arena.data + e - 1, t, n) == 0))
			return &cc->texts[at];
	}
}

/* Room for one more text in the index; false when out of memory (then texts repeat). */
static bool texts_room(struct cell_cache *cc)
{
	if (cc->texts && (cc->ntexts + 1) * 2 <= cc->texts_mask + 1)
		return true;
	size_t size = cc->texts ? (cc->texts_mask + 1) * 2 : 256;
	uint32_t *old = cc->texts;
	size_t old_size = old ? cc->texts_mask + 1 : 0;
	if (!(cc->texts = calloc(size, sizeof *cc->texts))) {
		cc->texts = old;
		return false;
	}
	cc->texts_mask = size - 1;
	for (size_t i = 0; i < old_size; i++)
		if (old[i]) {
			*text_slot(cc, cc->arena.data + old[i] - 1, kept_len(cc, old[i])) = old[i];
		}
	free(old);
	return true;
}

/* The arena's copy of txt (1 + its offset), w cells wide, kept once; 0 when it cannot be kept. */
static uint32_t keep_text(struct cell_cache *cc, const struct buf *txt, size_t w, int *rc)
{
	uint32_t n[2] = {(uint32_t)txt->len, (uint32_t)w};
	if (cc->arena.len >= UINT32_MAX - txt->len - 1 - sizeof n)
		return 0;
	uint32_t *slot = texts_room(cc) ? text_slot(cc, txt->data, txt->len) : NULL;
	if (slot && *slot)
		return *slot;
	uint32_t at = (uint32_t)(cc->arena.len + sizeof n) + 1;
	if ((*rc = buf_append(&cc->arena, n, sizeof n)) ||
	    (*rc = buf_append(&cc->arena, txt->data, txt->len + 1)))
		return 0;
	if (slot) {
		*slot = at;
		cc->ntexts++;
	}
	return at;
}

/* Decimal digits of v into q; the end. */
static char *put_digits(char *q, uintmax_t v)
{
	char d[24], *e = d + sizeof d, *b = e;
	do
		*--b = (char)('0' + v % 10);
	while (v /= 10);
	memcpy(q, b, (size_t)(e - b));
	return q + (e - b);
}

/*
 * The text of the columns on every row that no cache keeps (PROTO, STATE, LOCAL, REMOTE, an
 * owner's PID), made straight into q (as column_value and cell make it); false for the others
 * and for an empty value (cell's "-").
 */
__attribute__((noinline)) static bool
quick_cell(const struct render_ctx *ctx, const struct ps_socket *k, size_t oi, enum col_id c,
	   char q[COLUMN_ENDPOINT_MAX], struct addr_memo *memo, const char **text, size_t *len)
{
	const char *t = NULL;
	switch (c) {
	case COL_PROTO:
		t = proto_name(k->proto);
		if (k->local.addr.family == PS_INET6) {
			size_t n = strlen(t);
			if (n + 2 > COLUMN_ENDPOINT_MAX)
				return false;
			memcpy(q, t, n);
			q[n] = '6';
			q[n + 1] = '\0';
			t = q;
		}
		break;
	case COL_STATE:
		t = state_label(k->proto, k->state);
		break;
	case COL_LOCAL:
	case COL_REMOTE:
		*len = column_endpoint(q, c == COL_LOCAL ? &k->local : &k->remote, c == COL_REMOTE,
				       memo);
		*text = q;
		return true;
	case COL_PID: {
		if (oi >= k->owner_count)
			return false;
		char *e = put_digits(q, (unsigned)snap_owner(ctx->snap, k, oi)->pid);
		size_t members = snap_owner_members(ctx->snap, k, oi);
		if (members) { /* a pre-forking server's workers, folded into its row */
			*e++ = '+';
			e = put_digits(e, members);
		}
		*e = '\0';
		*text = q;
		*len = (size_t)(e - q);
		return true;
	}
	default:
		return false;
	}
	if (!t || !*t)
		return false;
	*text = t;
	*len = strlen(t);
	return true;
}

/* How a column's cells are found (cell_work.kind). */
enum cell_kind { CELL_MADE, CELL_PROC, CELL_VERDICT, CELL_QUICK };

/* Where the cells of one table are made: the cache, and scratch space. */
struct cell_work {
	struct cell_cache cc;
	uint8_t kind[COL__COUNT]; /* enum cell_kind of each column of the list */
	uint8_t vcol[COL__COUNT]; /* a verdict column's place among them */
	struct buf raw, txt;
	char quick[COLUMN_ENDPOINT_MAX];
	struct addr_memo memo;
};

/* The kinds of the n columns cols (the list, before any is left out). */
static void kinds_of(struct cell_work *cw, const enum col_id *cols, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int vc = verdict_column(cols[i]);
		cw->kind[i] = per_process(cols[i]) ? CELL_PROC
			      : vc >= 0		   ? CELL_VERDICT
			      : cols[i] == COL_PROTO || cols[i] == COL_STATE ||
				      cols[i] == COL_LOCAL || cols[i] == COL_REMOTE ||
				      cols[i] == COL_PID
				  ? CELL_QUICK
				  : CELL_MADE;
		cw->vcol[i] = (uint8_t)(vc >= 0 ? vc : 0);
	}
}

/* A cell no cache held (slot: where to keep it, or NULL): made, and kept. 0 or -ENOMEM. */
static int made_cell(const struct render_ctx *ctx, struct cell_work *cw, const struct ps_socket *k,
		     size_t oi, enum col_id c, uint32_t *slot, const char **text, size_t *len,
		     size_t *width)
{
	struct cell_cache *cc = &cw->cc;
	int rc = cell(ctx, k, oi, c, &cw->raw, &cw->txt);
	if (rc)
		return rc;
	*text = cw->txt.data;
	*len = cw->txt.len;
	*width = ascii_only(c) ? *len : text_width(*text, *len);
	if (slot)
		*slot = keep_text(cc, &cw->txt, *width, &rc);
	return rc;
}

/* The cell for (k, oi, column c), cached as column i where it can be: its text, length and
 * width in cells. 0 or -ENOMEM. */
static inline int cached_cell(const struct render_ctx *ctx, struct cell_work *cw,
			      const struct ps_socket *k, size_t oi, enum col_id c, size_t i,
			      const char **text, size_t *len, size_t *width)
{
	struct cell_cache *cc = &cw->cc;
	uint32_t *slot = NULL;
	switch ((enum cell_kind)cw->kind[i]) {
	case CELL_PROC:
		if (cc->proc && oi < k->owner_count)
			slot = &cc->proc[snap_owner(ctx->snap, k, oi)->proc * cc->nproc_cols +
					 cc->proc_col[i]];
		break;
	case CELL_VERDICT:
		if (cc->verdict && k->verdict && k->verdict <= cc->nverdicts)
			slot = &cc->verdict[(k->verdict - 1) * VERDICT_COLS + cw->vcol[i]];
		break;
	case CELL_QUICK:
		if (quick_cell(ctx, k, oi, c, cw->quick, &cw->memo, text, len)) {
			*width = *len;
			return 0;
		}
		break;
	case CELL_MADE:
		break;
	}
	if (slot && *slot) {
		*text = cc->arena.data + *slot - 1;
		*len = kept_len(cc, *slot);
		*width = kept_width(cc, *slot);
		return 0;
	}
	return made_cell(ctx, cw, k, oi, c, slot, text, len, width);
}

static const char *cell_color(enum col_id c, const char *text)
{
	if (c == COL_STATE && strcmp(text, "LISTEN") == 0)
		return "\033[32m";
	if (c == COL_STATE && strcmp(text, "UNCONN") == 0)
		return "\033[36m";
	if (c == COL_PROGRAM && text[0] == '[')
		return strcmp(text, "[no-permission]") == 0 ? "\033[33m" : "\033[2m";
	if (c == COL_FINDINGS && strncmp(text, "alert", 5) == 0)
		return "\033[1;31m";
	if (c == COL_FINDINGS && strncmp(text, "warning", 7) == 0)
		return "\033[33m";
	return NULL;
}

static int put_spaces(struct buf *line, size_t n)
{
	int rc = buf_reserve(line, n);
	if (!rc) {
		memset(line->data + line->len, ' ', n);
		line->len += n;
		line->data[line->len] = '\0';
	}
	return rc;
}

/* Paths are cut from the left: their end (the file name) tells them apart. */
static bool cut_left(enum col_id c)
{
	return c == COL_EXE;
}

/* A cell whose text fits (pad cells to spare), without colour, onto the row being made: padded
 * and followed by the gap in one write. 0 or -ENOMEM. */
static inline int put_fit(struct buf *line, bool right, const char *text, size_t len, size_t pad,
			  bool last)
{
	size_t before = right ? pad : 0, after = last ? 0 : (right ? 0 : pad) + GAP;
	size_t need = before + len + after;
	int rc = line->len + need < line->cap ? 0 : buf_reserve(line, need);
	if (rc)
		return rc;
	char *p = line->data + line->len;
	for (size_t j = 0; j < before; j++)
		p[j] = ' ';
	memcpy(p + before, text, len);
	p += before + len;
	for (size_t j = 0; j < after; j++)
		p[j] = ' ';
	line->len += need;
	line->data[line->len] = '\0';
	return 0;
}

/* One padded cell (its text w cells wide) onto the row being made; `color` is an SGR sequence or
 * NULL. 0 or -ENOMEM. */
static int put_cell(struct buf *line, const char *ellipsis, const char *color, enum col_id c,
		    const char *text, size_t len, size_t w, size_t width, bool last)
{
	if (w <= width && !color) /* most cells: the text whole */
		return put_fit(line, columns[c].right, text, len, width - w, last);
	size_t from = 0, show = len;
	bool cut = false;
	if (w > width) {
		size_t el = text_width(ellipsis, strlen(ellipsis));
		size_t room = width > el ? width - el : 0;
		if (cut_left(c))
			from = text_suffix(text, len, room);
		else
			show = text_prefix(text, len, room);
		w = text_width(text + from, show - from) + el;
		cut = true;
	}
	size_t pad = width > w ? width - w : 0;
	int rc = 0;
	if (columns[c].right)
		rc = put_spaces(line, pad);
	if (!rc && color)
		rc = buf_puts(line, color);
	if (!rc && cut && from)
		rc = buf_puts(line, ellipsis);
	if (!rc)
		rc = buf_append(line, text + from, show - from);
	if (!rc && cut && !from)
		rc = buf_puts(line, ellipsis);
	if (!rc && color)
		rc = buf_puts(line, "\033[0m");
	if (!rc && !columns[c].right && !last)
		rc = put_spaces(line, pad);
	if (!rc && !last)
		rc = put_spaces(line, GAP);
	return rc;
}

/* Leave out the optional columns no row has a value for; returns the new count. */
static size_t drop_empty(enum col_id *cols, size_t *width, const bool *used, size_t *orig, size_t n)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool optional =
		    cols[i] == COL_UNIT || cols[i] == COL_CONTAINER || cols[i] == COL_SUPERVISOR;
		if (optional && !used[i])
			continue;
		cols[k] = cols[i];
		width[k] = width[i];
		orig[k] = orig[i];
		k++;
	}
	return k;
}

/*
 * Fitting the width (portsleuth(1), COLUMN PRIORITY): exposure classes are
 * abbreviated, shrinkable columns are cut down to the narrowest width at which
 * their different values still read differently, then columns are dropped in
 * drop_order (only for the default columns; each one left out is recorded in
 * ctx->report), and the room left goes back in
 * grow_order, COMMAND last: it gets what is left.
 */
static const enum col_id drop_order[] = {
    COL_SUPERVISOR, COL_CONTAINER, COL_START,	 COL_PPID,     COL_FD,	    COL_INODE,
    COL_RECVQ,	    COL_SENDQ,	   COL_SOCKUSER, COL_EXE,      COL_UNIT,    COL_COMMAND,
    COL_USER,	    COL_SERVICE,   COL_EXPOSURE, COL_FINDINGS, COL_PROGRAM, COL_PID,
}; /* the owner (PID, PROGRAM) and whether to worry (FINDINGS) are the answer: they go last */
static const enum col_id grow_order[] = {
    COL_NETNS,	   COL_SERVICE,	   COL_PROGRAM, COL_USER,	 COL_UNIT,
    COL_CONTAINER, COL_SUPERVISOR, COL_EXE,	COL_DESCRIPTION, COL_COMMAND,
};
#define COMMAND_MIN 8	    /* -o command: shown however narrow */
#define COMMAND_MIN_DROP 20 /* the default columns: narrower, it is left out */
#define GROW_CAP 20
/* Cut only after every other column but COMMAND: a program's short name (the kernel's comm
 * holds 15 bytes) and a user name (8, the classic login length) read whole. */
#define PROGRAM_KEEP 15
#define USER_KEEP 8

/* The short exposure class shown when the table must shrink (with the firewall's mark, if any,
 * kept) in buf, or NULL. */
static const char *expo_short(const char *text, char *buf, size_t size)
{
	static const char *const abbrev[][2] = {
	    {"loopback", "lo"}, {"link-local", "link"},	   {"private", "lan"},
	    {"public", "pub"},	{"all-interfaces", "all"},
	};
	size_t n = strcspn(text, "*?");
	for (size_t i = 0; i < sizeof abbrev / sizeof abbrev[0]; i++)
		if (strlen(abbrev[i][0]) == n && strncmp(text, abbrev[i][0], n) == 0) {
			snprintf(buf, size, "%s%s", abbrev[i][1], text + n);
			return buf;
		}
	return NULL;
}

/* The EXPOSURE header when the classes are abbreviated (the full one is wider than them all). */
#define EXPO_SHORT_HEADER "EXPO"

/* The header of column c as shown: EXPOSURE's is short with its short classes. */
static const char *header_of(enum col_id c, bool short_expo)
{
	return short_expo && c == COL_EXPOSURE ? EXPO_SHORT_HEADER : columns[c].header;
}

/* The width of the EXPOSURE column (cache slot `slot`) with abbreviated classes. */
static int short_expo_width(const struct render_ctx *ctx, struct cell_work *cw, size_t slot,
			    size_t *out)
{
	const struct ps_snapshot *s = ctx->snap;
	size_t w = strlen(EXPO_SHORT_HEADER);
	int rc = 0;
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++) {
			const char *text;
			size_t len, tw;
			char sb[16];
			if (folded(s, sk, oi) || (rc = cached_cell(ctx, cw, sk, oi, COL_EXPOSURE,
								   slot, &text, &len, &tw)))
				continue;
			const char *a = expo_short(text, sb, sizeof sb);
			if (a)
				tw = strlen(a);
			if (tw > w)
				w = tw;
		}
	}
	*out = w;
	return rc;
}

/* The short form of an owner status label ("[no-permission]": "[noperm]"), shown when the
 * column is narrower than the label; NULL when text is not a label. */
static const char *label_short(const char *text)
{
	static const char *const labels[][2] = {{"[no-permission]", "[noperm]"},
						{"[unreported]", "[unrep]"},
						{"[vanished]", "[gone]"},
						{"[kernel]", "[kernel]"}};
	for (size_t i = 0; i < sizeof labels / sizeof labels[0]; i++)
		if (strcmp(text, labels[i][0]) == 0)
			return labels[i][1];
	return NULL;
}

/* Bytes s and t share at their start (or, `left`, at their end). */
static size_t common_part(const char *s, size_t sn, const char *t, size_t tn, bool left)
{
	size_t k = 0;
	if (left)
		while (k < sn && k < tn && s[sn - 1 - k] == t[tn - 1 - k])
			k++;
	else
		while (k < sn && k < tn && s[k] == t[k])
			k++;
	return k;
}

#define DISTINCT_MAX 256 /* more different values than this: the column is not cut */

/*
 * Narrowest width of column i at which no two different values are cut to the
 * same text (never below its header); its full width when that cannot be told.
 */
static int distinct_min(const struct render_ctx *ctx, struct cell_work *cw, enum col_id c, size_t i,
			size_t full, size_t el, size_t *out)
{
	const struct ps_snapshot *s = ctx->snap;
	char *vals[DISTINCT_MAX];
	size_t nv = 0, need = strlen(columns[c].header);
	bool many = false;
	int rc = 0;
	for (size_t k = 0; k < s->nsocks && !rc && !many; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc && !many; oi++) {
			const char *text;
			size_t len, tw;
			if ((rc = cached_cell(ctx, cw, sk, oi, c, i, &text, &len, &tw)))
				break;
			size_t j = 0;
			while (j < nv && strcmp(vals[j], text) != 0)
				j++;
			if (j < nv)
				continue;
			/* a status label cut ("[no-permis…") reads as nothing: never narrower than
			 * its short form */
			const char *lab = label_short(text);
			if (lab && strlen(lab) > need)
				need = strlen(lab);
			if (nv == DISTINCT_MAX)
				many = true;
			else if (!(vals[nv++] = strdup(text)))
				rc = -ENOMEM;
		}
	}
	for (size_t a = 0; a < nv && !rc && !many; a++)
		for (size_t b = a + 1; b < nv && vals[b]; b++) {
			size_t an = strlen(vals[a]), bn = strlen(vals[b]);
			size_t wa = text_width(vals[a], an), wb = text_width(vals[b], bn);
			bool left = cut_left(c);
			size_t k = common_part(vals[a], an, vals[b], bn, left);
			size_t wc = left ? text_width(vals[a] + an - k, k) : text_width(vals[a], k);
			size_t req = wc + el + 1;
			if (req > wa || req > wb) /* one of them is shown whole */
				req = wa < wb ? wa : wb;
			if (req > need)
				need = req;
		}
	for (size_t j = 0; j < nv; j++)
		free(vals[j]);
	*out = many || need > full ? full : need;
	return rc;
}

static size_t row_width(const size_t *width, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += width[i] + (i + 1 < n ? GAP : 0);
	return total;
}

static size_t find_col(const enum col_id *cols, size_t n, enum col_id c)
{
	size_t i = 0;
	while (i < n && cols[i] != c)
		i++;
	return i;
}

/* PROGRAM and USER no narrower than PROGRAM_KEEP and USER_KEEP (or their full width). */
static void keep_names(const enum col_id *cols, const size_t *full, size_t *min, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t keep = cols[i] == COL_PROGRAM ? PROGRAM_KEEP
			      : cols[i] == COL_USER  ? USER_KEEP
						     : 0;
		if (keep > full[i])
			keep = full[i];
		if (min[i] < keep)
			min[i] = keep;
	}
}

/*
 * Fit the row into ctx->o.width (see above); n is updated when columns are
 * dropped. *short_expo tells whether exposure classes are abbreviated.
 */
static int fit(const struct render_ctx *ctx, struct cell_work *cw, enum col_id *cols, size_t *width,
	       size_t *orig, size_t *n, bool *short_expo)
{
	size_t w = ctx->o.width;
	*short_expo = false;
	if (ctx->o.wide || !w || row_width(width, *n) <= w)
		return 0;
	size_t e = find_col(cols, *n, COL_EXPOSURE);
	if (e < *n) {
		*short_expo = true;
		int rc = short_expo_width(ctx, cw, orig[e], &width[e]);
		if (rc || row_width(width, *n) <= w)
			return rc;
	}
	size_t full[COL__COUNT], min[COL__COUNT];
	size_t el = text_width(ctx->o.ellipsis, strlen(ctx->o.ellipsis));
	int rc;
	for (size_t i = 0; i < *n; i++) {
		full[i] = min[i] = width[i];
		size_t cmd_min = ctx->o.may_drop ? COMMAND_MIN_DROP : COMMAND_MIN;
		if (cols[i] == COL_COMMAND)
			min[i] = width[i] < cmd_min ? width[i] : cmd_min;
		else if (columns[cols[i]].shrink &&
			 (rc = distinct_min(ctx, cw, cols[i], orig[i], width[i], el, &min[i])))
			return rc;
	}
	size_t cut[COL__COUNT]; /* the distinct widths, PROGRAM and USER cut too */
	memcpy(cut, min, *n * sizeof min[0]);
	keep_names(cols, full, min, *n);
	if (!ctx->o.may_drop && row_width(min, *n) > w)
		memcpy(min, cut, *n * sizeof min[0]);
	for (size_t d = 0; ctx->o.may_drop && d < sizeof drop_order / sizeof drop_order[0] &&
			   row_width(min, *n) > w;
	     d++) {
		size_t i = find_col(cols, *n, drop_order[d]);
		if (i == *n)
			continue;
		if (drop_order[d] == COL_PROGRAM || drop_order[d] == COL_PID) {
			memcpy(min, cut, *n * sizeof min[0]); /* the owner is cut, not left out */
			if (row_width(min, *n) <= w)
				break;
		}
		memmove(cols + i, cols + i + 1, (*n - i - 1) * sizeof cols[0]);
		memmove(full + i, full + i + 1, (*n - i - 1) * sizeof full[0]);
		memmove(min + i, min + i + 1, (*n - i - 1) * sizeof min[0]);
		memmove(cut + i, cut + i + 1, (*n - i - 1) * sizeof cut[0]);
		memmove(orig + i, orig + i + 1, (*n - i - 1) * sizeof orig[0]);
		(*n)--;
		if (ctx->report && ctx->report->ndropped < COL__COUNT)
			ctx->report->dropped[ctx->report->ndropped++] = drop_order[d];
	}
	memcpy(width, min, *n * sizeof width[0]);
	size_t used = row_width(width, *n);
	/* first up to GROW_CAP cells each (a long unit must not starve COMMAND), then in full */
	for (int pass = 0; pass < 2; pass++)
		for (size_t g = 0; g < sizeof grow_order / sizeof grow_order[0] && used < w; g++) {
			size_t i = find_col(cols, *n, grow_order[g]);
			if (i == *n)
				continue;
			size_t to = pass == 0 && cols[i] != COL_COMMAND && full[i] > GROW_CAP
					? GROW_CAP
					: full[i];
			size_t more = to > width[i] ? to - width[i] : 0;
			if (more > w - used)
				more = w - used;
			width[i] += more;
			used += more;
		}
	return 0;
}

/* The open findings the table does not show when its FINDINGS column was left out (`hidden`). */
static void report_hidden(const struct ps_snapshot *s, bool hidden, struct table_report *r)
{
	r->hidden_findings = 0;
	r->hidden_worst = -1;
	for (size_t k = 0; k < s->nsocks && hidden; k++) {
		const struct sock_verdict *v = verdict_of(s, &s->socks[k]);
		for (size_t i = 0; v && i < v->findings.n; i++) {
			if (v->findings.f[i].ack)
				continue;
			r->hidden_findings++;
			if ((int)v->findings.f[i].sev > r->hidden_worst)
				r->hidden_worst = v->findings.f[i].sev;
		}
	}
}

/* The header line (bold with colour). 0 or -ENOMEM. */
static int put_header(const struct render_ctx *ctx, const enum col_id *cols, const size_t *width,
		      size_t n, bool short_expo, struct buf *line)
{
	int rc = 0;
	for (size_t i = 0; i < n && !rc; i++) {
		const char *h = header_of(cols[i], short_expo);
		rc = put_cell(line, ctx->o.ellipsis, ctx->o.color ? "\033[1m" : NULL, cols[i], h,
			      strlen(h), text_width(h, strlen(h)), width[i], i + 1 == n);
	}
	return rc ? rc : buf_putc(line, '\n');
}

/* An empty cache for the n columns cols of s. Without its arrays (out of memory) every cell
 * is simply made twice. */
static void cache_open(struct cell_cache *cc, const struct ps_snapshot *s, const enum col_id *cols,
		       size_t n)
{
	*cc = (struct cell_cache){.nverdicts = s->verdicts ? s->verdicts->n : 0};
	for (size_t i = 0; i < n; i++)
		if (per_process(cols[i]))
			cc->proc_col[i] = (uint8_t)cc->nproc_cols++;
	if (s->nprocs && cc->nproc_cols)
		cc->proc = calloc(s->nprocs * cc->nproc_cols, sizeof *cc->proc);
	if (cc->nverdicts)
		cc->verdict = calloc(cc->nverdicts * VERDICT_COLS, sizeof *cc->verdict);
}

/* Every column's width (its header's at least) and whether any row has a value in it. */
static int measure(const struct render_ctx *ctx, struct cell_work *cw, const enum col_id *cols,
		   size_t n, size_t *width, bool *used)
{
	const struct ps_snapshot *s = ctx->snap;
	int rc = 0;
	for (size_t i = 0; i < n; i++)
		width[i] = strlen(columns[cols[i]].header);
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++) {
			if (folded(s, sk, oi))
				continue;
			for (size_t i = 0; i < n && !rc; i++) {
				const char *text;
				size_t len, w;
				if ((rc =
					 cached_cell(ctx, cw, sk, oi, cols[i], i, &text, &len, &w)))
					break;
				if (w > width[i])
					width[i] = w;
				if (!(len == 1 && text[0] == '-'))
					used[i] = true;
			}
		}
	}
	return rc;
}

/* How the rows are laid out once the columns are fitted. */
struct layout {
	const enum col_id *cols;
	const size_t *width, *orig; /* orig: each shown column's place in the list (cache slot) */
	size_t n;
	bool short_expo;
};

/* Row oi of socket sk onto line. 0 or -ENOMEM. */
static int put_row(const struct render_ctx *ctx, struct cell_work *cw, const struct layout *l,
		   const struct ps_socket *sk, size_t oi, struct buf *line)
{
	int rc = 0;
	for (size_t i = 0; i < l->n && !rc; i++) {
		enum col_id c = l->cols[i];
		const char *text;
		size_t len, w;
		if ((rc = cached_cell(ctx, cw, sk, oi, c, l->orig[i], &text, &len, &w)))
			break;
		char sb[16];
		const char *abbrev =
		    l->short_expo && c == COL_EXPOSURE ? expo_short(text, sb, sizeof sb) : NULL;
		if (!abbrev && c == COL_PROGRAM && w > l->width[i])
			abbrev = label_short(text);
		if (abbrev) {
			text = abbrev;
			w = len = strlen(abbrev);
		}
		const char *color = ctx->o.color ? cell_color(c, text) : NULL;
		if (w <= l->width[i] && !color)
			rc = put_fit(line, columns[c].right, text, len, l->width[i] - w,
				     i + 1 == l->n);
		else
			rc = put_cell(line, ctx->o.ellipsis, color, c, text, len, w, l->width[i],
				      i + 1 == l->n);
	}
	return rc ? rc : buf_putc(line, '\n');
}

/* The header and the rows into fp. 0 or -ENOMEM. */
static int put_rows(FILE *fp, const struct render_ctx *ctx, struct cell_work *cw,
		    const struct layout *l)
{
	const struct ps_snapshot *s = ctx->snap;
	struct buf line = {0};
	int rc = 0;
	/* rows are made in `line` and written in pieces of OUT_CHUNK bytes */
	if (!ctx->o.no_header)
		rc = put_header(ctx, l->cols, l->width, l->n, l->short_expo, &line);
	for (size_t k = 0; k < s->nsocks && !rc; k++) {
		const struct ps_socket *sk = &s->socks[k];
		size_t rows = sk->owner_count ? sk->owner_count : 1;
		for (size_t oi = 0; oi < rows && !rc; oi++) {
			if (folded(s, sk, oi))
				continue;
			rc = put_row(ctx, cw, l, sk, oi, &line);
			if (!rc && line.len >= OUT_CHUNK) {
				fwrite(line.data, 1, line.len, fp);
				buf_clear(&line);
			}
		}
	}
	if (!rc && line.len)
		fwrite(line.data, 1, line.len, fp);
	buf_free(&line);
	return rc;
}

int render_table(FILE *fp, const struct render_ctx *ctx)
{
	const struct ps_snapshot *s = ctx->snap;
	enum col_id cols[COL__COUNT];
	size_t n = ctx->o.ncols;
	size_t width[COL__COUNT];
	bool used[COL__COUNT] = {false};
	memcpy(cols, ctx->o.cols, n * sizeof cols[0]);
	struct cell_work cw = {0};
	cache_open(&cw.cc, s, cols, n);
	kinds_of(&cw, cols, n);
	int rc = measure(ctx, &cw, cols, n, width, used);
	size_t orig[COL__COUNT]; /* where each shown column was in the list (cache slot) */
	for (size_t i = 0; i < n; i++)
		orig[i] = i;
	if (!rc && ctx->o.hide_empty)
		n = drop_empty(cols, width, used, orig, n);
	bool short_expo = false;
	if (ctx->report)
		*ctx->report = (struct table_report){.hidden_worst = -1};
	bool had_findings = find_col(cols, n, COL_FINDINGS) < n;
	if (!rc)
		rc = fit(ctx, &cw, cols, width, orig, &n, &short_expo);
	if (!rc && ctx->report)
		report_hidden(s, had_findings && find_col(cols, n, COL_FINDINGS) == n, ctx->report);
	struct layout l = {
	    .cols = cols, .width = width, .orig = orig, .n = n, .short_expo = short_expo};
	if (!rc)
		rc = put_rows(fp, ctx, &cw, &l);
	free(cw.cc.proc);
	free(cw.cc.verdict);
	free(cw.cc.texts);
	buf_free(&cw.cc.arena);
	buf_free(&cw.raw);
	buf_free(&cw.txt);
	if (!rc && ferror(fp))
		rc = -EIO;
	return rc;
}
