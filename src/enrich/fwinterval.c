/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwinterval.c — sets of source addresses as sorted inclusive ranges: their algebra, address
 * classes and CIDR text. */
#include "fwinterval.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../model/exposure.h"
#include "../util/grow.h"

int fw_key_cmp(const uint8_t *a, const uint8_t *b, unsigned len)
{
	return memcmp(a, b, len);
}

/* a + 1; false when a was all ones (no successor). */
bool fw_key_inc(uint8_t *a, unsigned len)
{
	for (unsigned i = len; i-- > 0;)
		if (++a[i])
			return true;
	return false;
}

/* a - 1; false when a was zero. */
bool fw_key_dec(uint8_t *a, unsigned len)
{
	for (unsigned i = len; i-- > 0;)
		if (a[i]--)
			return true;
	return false;
}

int fw_srcset_push(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi)
{
	if (util_grow((void **)&s->r, &s->cap, s->n + 1, sizeof *s->r))
		return -ENOMEM;
	struct fw_range *r = &s->r[s->n++];
	memset(r, 0, sizeof *r); /* bytes past len stay zero, so whole keys compare */
	memcpy(r->lo, lo, s->len);
	memcpy(r->hi, hi, s->len);
	return 0;
}

void fw_srcset_free(struct fw_srcset *s)
{
	free(s->r);
	s->r = NULL;
	s->n = s->cap = 0;
}

int fw_srcset_full(struct fw_srcset *s, unsigned len)
{
	uint8_t lo[FW_KEY_MAX] = {0}, hi[FW_KEY_MAX];
	memset(hi, 0xFF, sizeof hi);
	*s = (struct fw_srcset){.len = (uint8_t)len};
	return fw_srcset_push(s, lo, hi);
}

static int range_cmp(const void *a, const void *b)
{
	return memcmp(((const struct fw_range *)a)->lo, ((const struct fw_range *)b)->lo,
		      FW_KEY_MAX);
}

/* Sort and merge the ranges of s in place (overlapping and adjacent ones become one). */
void fw_srcset_normalize(struct fw_srcset *s)
{
	if (s->n < 2)
		return;
	qsort(s->r, s->n, sizeof *s->r, range_cmp);
	size_t w = 0;
	for (size_t i = 1; i < s->n; i++) {
		struct fw_range *last = &s->r[w];
		uint8_t next[FW_KEY_MAX];
		memcpy(next, last->hi, s->len);
		bool more = fw_key_inc(next, s->len);
		if (!more || fw_key_cmp(s->r[i].lo, next, s->len) <= 0) {
			if (fw_key_cmp(s->r[i].hi, last->hi, s->len) > 0)
				memcpy(last->hi, s->r[i].hi, s->len);
		} else {
			s->r[++w] = s->r[i];
		}
	}
	s->n = w + 1;
}

/* out = a ∩ b (both normalized). */
int fw_srcset_intersect(const struct fw_srcset *a, const struct fw_srcset *b, struct fw_srcset *out)
{
	*out = (struct fw_srcset){.len = a->len};
	size_t i = 0, j = 0;
	while (i < a->n && j < b->n) {
		const struct fw_range *x = &a->r[i], *y = &b->r[j];
		const uint8_t *lo = fw_key_cmp(x->lo, y->lo, a->len) > 0 ? x->lo : y->lo;
		const uint8_t *hi = fw_key_cmp(x->hi, y->hi, a->len) < 0 ? x->hi : y->hi;
		if (fw_key_cmp(lo, hi, a->len) <= 0 && fw_srcset_push(out, lo, hi)) {
			fw_srcset_free(out);
			return -ENOMEM;
		}
		if (fw_key_cmp(x->hi, y->hi, a->len) < 0)
			i++;
		else
			j++;
	}
	return 0;
}

/* out = the complement of a (normalized). */
int fw_srcset_complement(const struct fw_srcset *a, struct fw_srcset *out)
{
	*out = (struct fw_srcset){.len = a->len};
	uint8_t lo[FW_KEY_MAX] = {0};
	bool open = true; /* lo is a valid start */
	for (size_t i = 0; i < a->n && open; i++) {
		uint8_t hi[FW_KEY_MAX];
		memcpy(hi, a->r[i].lo, a->len);
		if (fw_key_cmp(lo, a->r[i].lo, a->len) < 0 && fw_key_dec(hi, a->len) &&
		    fw_srcset_push(out, lo, hi))
			goto oom;
		memcpy(lo, a->r[i].hi, a->len);
		open = fw_key_inc(lo, a->len);
	}
	if (open) {
		uint8_t hi[FW_KEY_MAX];
		memset(hi, 0xFF, sizeof hi);
		if (fw_srcset_push(out, lo, hi))
			goto oom;
	}
	return 0;
oom:
	fw_srcset_free(out);
	return -ENOMEM;
}

/* out = a \ b. */
int fw_srcset_subtract(const struct fw_srcset *a, const struct fw_srcset *b, struct fw_srcset *out)
{
	struct fw_srcset nb;
	if (fw_srcset_complement(b, &nb))
		return -ENOMEM;
	int rc = fw_srcset_intersect(a, &nb, out);
	fw_srcset_free(&nb);
	return rc;
}

/* a ∪= b (consumes nothing). */
int fw_srcset_union(struct fw_srcset *a, const struct fw_srcset *b)
{
	for (size_t i = 0; i < b->n; i++)
		if (fw_srcset_push(a, b->r[i].lo, b->r[i].hi))
			return -ENOMEM;
	fw_srcset_normalize(a);
	return 0;
}

bool fw_srcset_is_full(const struct fw_srcset *s)
{
	static const uint8_t zero[FW_KEY_MAX],
	    ones[FW_KEY_MAX] = {0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
				0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
	return s->n == 1 && !memcmp(s->r[0].lo, zero, s->len) && !memcmp(s->r[0].hi, ones, s->len);
}

int fw_srcset_add(struct fw_srcset *s, const uint8_t *lo, const uint8_t *hi)
{
	if (fw_srcset_push(s, lo, hi))
		return -ENOMEM;
	fw_srcset_normalize(s);
	return 0;
}

/* The class of the range [lo, hi] of len-byte addresses (see fw_srcset_widest). */
static int range_class(const uint8_t *lo, const uint8_t *hi, unsigned len)
{
	static const struct {
		uint8_t len, plen, addr[16];
		int cls;
	} blocks[] = {
	    {4, 8, {127}, PS_EXPO_LOOPBACK},	     {4, 16, {169, 254}, PS_EXPO_LINK_LOCAL},
	    {4, 8, {10}, PS_EXPO_PRIVATE},	     {4, 12, {172, 16}, PS_EXPO_PRIVATE},
	    {4, 16, {192, 168}, PS_EXPO_PRIVATE},    {4, 10, {100, 64}, PS_EXPO_PRIVATE},
	    {16, 128, {[15] = 1}, PS_EXPO_LOOPBACK}, {16, 10, {0xfe, 0x80}, PS_EXPO_LINK_LOCAL},
	    {16, 7, {0xfc}, PS_EXPO_PRIVATE},
	};
	static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
	if (len == 16 && !memcmp(lo, mapped, 12) && !memcmp(hi, mapped, 12))
		return range_class(lo + 12, hi + 12, 4);
	for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++) {
		if (blocks[i].len != len)
			continue;
		struct fw_range b;
		fw_prefix_range(blocks[i].addr, len, blocks[i].plen, &b);
		if (fw_key_cmp(lo, b.lo, len) >= 0 && fw_key_cmp(hi, b.hi, len) <= 0)
			return blocks[i].cls;
	}
	return PS_EXPO_PUBLIC;
}

int fw_srcset_widest(const struct fw_srcset *s)
{
	int w = PS_EXPO_LOOPBACK;
	for (size_t i = 0; i < s->n; i++) {
		int c = range_class(s->r[i].lo, s->r[i].hi, s->len);
		if (c > w)
			w = c;
	}
	return w;
}

/* Length of the longest prefix starting at lo that ends at or before hi; 0..len*8. */
static unsigned prefix_from(const uint8_t *lo, const uint8_t *hi, unsigned len)
{
	for (unsigned plen = 0; plen <= len * 8; plen++) {
		struct fw_range r;
		fw_prefix_range(lo, len, plen, &r);
		if (!memcmp(r.lo, lo, len) && fw_key_cmp(r.hi, hi, len) <= 0)
			return plen;
	}
	return len * 8;
}

static void format_addr(const uint8_t *a, unsigned len, char *out, size_t outlen)
{
	if (len == 4) {
		snprintf(out, outlen, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
		return;
	}
	/* RFC 5952: longest run of zero groups (two or more) becomes "::". */
	unsigned g[8], best = 0, bestlen = 0;
	for (unsigned i = 0; i < 8; i++)
		g[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
	for (unsigned i = 0; i < 8;) {
		unsigned j = i;
		while (j < 8 && !g[j])
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j > i ? j : i + 1;
	}
	size_t w = 0;
	out[0] = '\0';
	for (unsigned i = 0; i < 8 && w < outlen; i++) {
		if (bestlen >= 2 && i == best) {
			w += (size_t)snprintf(out + w, outlen - w, "::");
			i += bestlen - 1;
			continue;
		}
		w += (size_t)snprintf(out + w, outlen - w, "%s%x",
				      w && out[w - 1] != ':' ? ":" : "", g[i]);
	}
}

size_t fw_srcset_format(const struct fw_srcset *s, char *out, size_t outlen)
{
	size_t w = 0, count = 0;
	if (outlen)
		out[0] = '\0';
	for (size_t i = 0; i < s->n; i++) {
		uint8_t lo[FW_KEY_MAX];
		memcpy(lo, s->r[i].lo, s->len);
		for (;;) {
			unsigned plen = prefix_from(lo, s->r[i].hi, s->len);
			char a[48], item[56];
			format_addr(lo, s->len, a, sizeof a);
			if (plen == s->len * 8u)
				snprintf(item, sizeof item, "%s%s", count ? "," : "", a);
			else
				snprintf(item, sizeof item, "%s%s/%u", count ? "," : "", a, plen);
			count++;
			size_t il = strlen(item);
			if (w + il + 5 > outlen) { /* keep room for ",..." */
				const char *more = w ? ",..." : "...";
				if (w + strlen(more) < outlen)
					memcpy(out + w, more, strlen(more) + 1);
				return count;
			}
			memcpy(out + w, item, il + 1);
			w += il;
			struct fw_range r;
			fw_prefix_range(lo, s->len, plen, &r);
			if (!fw_key_cmp(r.hi, s->r[i].hi, s->len))
				break;
			memcpy(lo, r.hi, s->len);
			fw_key_inc(lo, s->len);
		}
	}
	return count;
}
