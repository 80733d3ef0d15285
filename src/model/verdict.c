/* SPDX-License-Identifier: GPL-2.0-or-later */
/* verdict.c — the verdicts held by the model: lookup, counting, the shared text pool, release. */
#include "verdict.h"
#include "../util/grow.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

static const char *const sev_names[SEV__COUNT] = {"info", "notice", "warning", "alert"};

const char *finding_sev_name(unsigned sev)
{
	return sev < SEV__COUNT ? sev_names[sev] : "unknown";
}

/* The codes of the rules in enrich (rules.c): a new rule adds its code here. */
static const char *const finding_codes[] = {
    "public-exposure", "private-exposure",  "link-local-exposure", "backdoor-port",
    "exe-replaced",    "exe-deleted",	    "exe-temp-dir",	   "exe-unpackaged",
    "script-temp-dir", "script-unpackaged", "name-mismatch",	   "unexpected-owner",
    "root-public",     "exe-unmapped",	    "exe-userns",	   "exe-other-file",
    "no-holder",       "foreign-library",   "exe-memfd",	   "script-inline",
    "argv-masquerade", "accept-queue-full", "script-env"};

const char *finding_code_at(size_t i)
{
	return i < sizeof finding_codes / sizeof finding_codes[0] ? finding_codes[i] : NULL;
}

bool finding_code_known(const char *pattern)
{
	for (size_t i = 0; i < sizeof finding_codes / sizeof finding_codes[0]; i++)
		if (fnmatch(pattern, finding_codes[i], 0) == 0)
			return true;
	return false;
}

static const char *const class_names[SVC__COUNT] = {NULL, "public-ok", "lan-only",
						    "never-internet"};

const char *svc_class_name(unsigned c)
{
	return c < SVC__COUNT ? class_names[c] : NULL;
}

int svc_class_parse(const char *name, size_t len)
{
	if (len == 1 && name[0] == '-')
		return SVC_UNCLASSIFIED;
	for (int i = 1; i < SVC__COUNT; i++)
		if (strlen(class_names[i]) == len && memcmp(class_names[i], name, len) == 0)
			return i;
	return -1;
}

void findings_free(struct finding_list *l)
{
	for (size_t i = 0; i < l->n && !l->interned; i++) {
		free(l->f[i].reason);
		free(l->f[i].evidence);
	}
	if (!l->shared)
		free(l->f);
	memset(l, 0, sizeof *l);
}

int findings_unshare(struct finding_list *l)
{
	if (!l->shared)
		return 0;
	struct finding *f = malloc(l->n * sizeof *f);
	if (!f)
		return -ENOMEM;
	memcpy(f, l->f, l->n * sizeof *f);
	l->f = f;
	l->cap = l->n;
	l->shared = false;
	return 0;
}

bool socket_is_listener(const struct ps_socket *k)
{
	return k->state == PS_ST_LISTEN || (k->proto == PS_UDP && k->state == PS_ST_CLOSE);
}

const struct sock_verdict *verdict_of(const struct ps_snapshot *s, const struct ps_socket *k)
{
	if (!s->verdicts || !k->verdict || k->verdict > s->verdicts->n)
		return NULL;
	return &s->verdicts->v[k->verdict - 1];
}

int verdict_worst(const struct ps_snapshot *s, const struct ps_socket *k)
{
	const struct sock_verdict *v = verdict_of(s, k);
	for (size_t i = 0; v && i < v->findings.n; i++)
		if (!v->findings.f[i].ack)
			return v->findings.f[i].sev; /* most severe first */
	return -1;
}

void verdicts_count(struct ps_snapshot *s)
{
	struct verdicts *v = s->verdicts;
	if (!v)
		return;
	memset(v->count, 0, sizeof v->count);
	v->with_findings = 0;
	for (size_t i = 0; i < s->nsocks; i++) {
		int worst = verdict_worst(s, &s->socks[i]);
		if (worst >= 0) {
			v->count[worst]++;
			v->with_findings++;
		}
	}
}

long verdicts_add(struct verdicts *v)
{
	if (util_grow((void **)&v->v, &v->cap, v->n + 1, sizeof *v->v))
		return -ENOMEM;
	memset(&v->v[v->n], 0, sizeof v->v[0]);
	return (long)v->n++;
}

/*
 * The same texts repeat on every socket of a process (a server with a thousand
 * listeners from /tmp) and every connection to a service: keep one copy of each.
 */
/* An open-addressed table of pointers (NULL: free), grown to keep it at most half full. */
struct ptab {
	const void **slot;
	size_t mask, n;
};

struct intern {
	struct ptab str; /* texts (char *, owned) */
	/* services (verdicts_intern_svc): blocks that never move, and their index */
	struct svc_block *blocks;
	struct ptab svc; /* const struct port_info * into the blocks */
};

/* Make room for one more entry of t, each placed again by hash(entry). 0 or -ENOMEM. */
static int ptab_room(struct ptab *t, size_t (*hash)(const void *))
{
	if (t->slot && t->n * 2 < t->mask)
		return 0;
	size_t size = t->mask ? (t->mask + 1) * 2 : 64;
	const void **ns = calloc(size, sizeof *ns);
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; t->slot && i <= t->mask; i++) {
		if (!t->slot[i])
			continue;
		size_t h = hash(t->slot[i]) & (size - 1);
		while (ns[h])
			h = (h + 1) & (size - 1);
		ns[h] = t->slot[i];
	}
	free(t->slot);
	t->slot = ns;
	t->mask = size - 1;
	return 0;
}

#define SVC_BLOCK 128
struct svc_block {
	struct svc_block *next;
	size_t n;
	struct port_info v[SVC_BLOCK];
};

static size_t str_hash(const void *p)
{
	size_t h = 1469598103934665603ULL;
	for (const char *s = p; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Replace *s by the pool's copy (freeing *s) or adopt it. 0 or -ENOMEM (then *s is kept). */
static int intern_str(struct intern *p, char **s)
{
	if (!*s)
		return 0;
	struct ptab *t = &p->str;
	if (ptab_room(t, str_hash))
		return -ENOMEM;
	size_t h = str_hash(*s) & t->mask;
	while (t->slot[h] && strcmp(t->slot[h], *s) != 0)
		h = (h + 1) & t->mask;
	if (t->slot[h]) {
		free(*s);
		*s = (char *)t->slot[h]; /* the pool's own, freed with it */
	} else {
		t->slot[h] = *s;
		t->n++;
	}
	return 0;
}

static struct intern *pool_of(struct verdicts *v)
{
	if (!v->pool)
		v->pool = calloc(1, sizeof *v->pool);
	return v->pool;
}

int verdicts_intern(struct verdicts *v, const char *s, const char **out)
{
	*out = NULL;
	if (!s)
		return 0;
	struct intern *p = pool_of(v);
	char *c = p ? strdup(s) : NULL;
	if (!c)
		return -ENOMEM;
	if (intern_str(p, &c)) {
		free(c);
		return -ENOMEM;
	}
	*out = c;
	return 0;
}

static size_t svc_hash(const void *v)
{
	const struct port_info *s = v;
	const void *p[6] = {s->name, s->desc, s->source, s->owners, s->risk, s->backdoor};
	size_t h = (size_t)s->dynamic << 8 | s->svc_class;
	for (size_t i = 0; i < 6; i++)
		h = (h ^ (size_t)(uintptr_t)p[i]) * 1099511628211ULL;
	return h ^ h >> 29;
}

/* Equal services: their texts are the pool's, so equal texts are the same pointers. */
static bool same_svc(const struct port_info *a, const struct port_info *b)
{
	return a->name == b->name && a->desc == b->desc && a->source == b->source &&
	       a->owners == b->owners && a->risk == b->risk && a->backdoor == b->backdoor &&
	       a->dynamic == b->dynamic && a->svc_class == b->svc_class;
}

int verdicts_intern_svc(struct verdicts *v, const struct port_info *s, const struct port_info **out)
{
	struct intern *p = pool_of(v);
	if (!p || ptab_room(&p->svc, svc_hash))
		return -ENOMEM;
	struct ptab *t = &p->svc;
	size_t h = svc_hash(s) & t->mask;
	while (t->slot[h] && !same_svc(t->slot[h], s))
		h = (h + 1) & t->mask;
	if (!t->slot[h]) {
		if (!p->blocks || p->blocks->n == SVC_BLOCK) {
			struct svc_block *b = malloc(sizeof *b);
			if (!b)
				return -ENOMEM;
			b->next = p->blocks;
			b->n = 0;
			p->blocks = b;
		}
		p->blocks->v[p->blocks->n] = *s;
		t->slot[h] = &p->blocks->v[p->blocks->n++];
		t->n++;
	}
	*out = t->slot[h];
	return 0;
}

const struct port_info *verdict_svc(const struct sock_verdict *v)
{
	static const struct port_info none;
	return v->svc ? v->svc : &none;
}

int verdicts_intern_findings(struct verdicts *v, struct finding_list *l)
{
	struct intern *p = pool_of(v);
	for (size_t i = 0; i < l->n; i++) {
		if (!p || intern_str(p, &l->f[i].reason) || intern_str(p, &l->f[i].evidence)) {
			/* some texts are pooled, some not: stop sharing and copy the pooled ones */
			for (size_t j = 0; p && j <= i; j++) {
				l->f[j].reason = l->f[j].reason ? strdup(l->f[j].reason) : NULL;
				l->f[j].evidence =
				    l->f[j].evidence ? strdup(l->f[j].evidence) : NULL;
			}
			return -ENOMEM;
		}
	}
	l->interned = l->n > 0;
	return 0;
}

void explain_port_free(struct explain_port *e)
{
	for (unsigned pr = 0; e && pr < PS_PROTO_COUNT; pr++)
		free(e->risk_words[pr]);
	free(e);
}

void verdicts_free(struct verdicts *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (!v->v[i].borrowed) {
			free(v->v[i].reach);
			free(v->v[i].fw);
		}
		findings_free(&v->v[i].findings);
	}
	free(v->v);
	if (v->pool) {
		struct ptab *t = &v->pool->str;
		for (size_t i = 0; t->slot && i <= t->mask; i++)
			free((void *)t->slot[i]);
		free(t->slot);
		for (struct svc_block *b = v->pool->blocks, *next; b; b = next) {
			next = b->next;
			free(b);
		}
		free(v->pool->svc.slot);
		free(v->pool);
	}
	free(v);
}
