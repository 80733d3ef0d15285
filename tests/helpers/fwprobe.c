/* fwprobe.c — debug entry point for the firewall engine (issue 12) until the CLI shows it. */
/*
 * Usage:
 *   fwprobe record FILE   dump this network namespace's nf_tables rule set (the raw
 *                         netlink replies) into FILE: what tests/fixtures/nft/ *.nl hold
 *   fwprobe show [FILE]   JSON on stdout: whether the rules were read (and why not),
 *                         iptables-legacy tables, the forwarded ports (with the process
 *                         listening at the target, in whichever namespace holds the
 *                         target address) and, per listening socket and address it is
 *                         reachable on, the firewall's verdict and the deciding rule.
 *                         With FILE, the rules come from a recording instead.
 *   fwprobe rules [FILE]  every chain and rule as decoded, with what was not decoded
 *   fwprobe time [FILE]   read (or decode FILE) and evaluate every listener 20 times;
 *                         print the median CPU milliseconds of each step (bench/fw.sh)
 * Exit status: 0, 2 usage, 3 failure. The JSON shape is what the CLI is meant to
 * print (see the issue 12 report): forwards[] and exposure.firewall per address.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../src/model/exposure.h"
#include "../../src/enrich/firewall.h"
#include "../../src/enrich/fwjudge.h"
#include "../../src/enrich/verdict.h"
#include "../../src/platform/firewall_read.h"
#include "../../src/platform/linux/nft_read.h"
#include "../../src/platform/platform.h"
#include "../../src/util/buf.h"
#include "../../src/util/escape.h"
#include "../../src/util/readfile.h"

/* A recording: at most 256 MiB (a 10,000-rule set is under 4). */
static int read_file(const char *path, struct buf *b)
{
	return read_file_at(AT_FDCWD, path, b, (size_t)256 << 20, 0, NULL);
}

/* The rule set from FILE, or live; *why set when it could not be read. */
static int load_rules(const char *file, struct fw_ruleset *rs, const char **why)
{
	if (!file)
		return platform_firewall_read(rs, why);
	struct buf b = {0};
	int rc = read_file(file, &b);
	if (!rc)
		rc = nft_decode(b.data, b.len, rs);
	buf_free(&b);
	*why = rc ? "the recording could not be decoded" : NULL;
	return rc;
}

static void json_str(struct buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	esc_json(b, s, strlen(s));
	buf_putc(b, '"');
}

static void json_addr(struct buf *b, const uint8_t *a, unsigned family)
{
	struct ps_addr pa = {.family = family == 4 ? PS_INET : PS_INET6};
	memcpy(pa.bytes, a, family == 4 ? 4 : 16);
	char text[64];
	addr_format(&pa, text, sizeof text);
	json_str(b, text);
}

static void json_rule(struct buf *b, const struct fw_ruleset *rs, struct fw_ruleref ref)
{
	if (ref.chain < 0) {
		buf_puts(b, "null");
		return;
	}
	const struct fw_chain *c = &rs->chains[ref.chain];
	buf_puts(b, "{\"family\":");
	json_str(b, fw_family_name(c->family));
	buf_puts(b, ",\"table\":");
	json_str(b, c->table);
	buf_puts(b, ",\"chain\":");
	json_str(b, c->name);
	if (ref.rule < 0) {
		buf_printf(b, ",\"policy\":\"%s\"}", fw_verdict_name(c->policy));
		return;
	}
	const struct fw_rule *r = &c->rules[ref.rule];
	buf_printf(b, ",\"handle\":%llu,\"verdict\":\"%s\"", (unsigned long long)r->handle, fw_verdict_name(r->v.kind));
	if (r->unknown) {
		buf_puts(b, ",\"undecoded\":");
		json_str(b, r->unknown);
	}
	if (r->comment) {
		buf_puts(b, ",\"comment\":");
		json_str(b, r->comment);
	}
	buf_putc(b, '}');
}

static const char *proto_of(unsigned l4)
{
	return l4 == IPPROTO_TCP ? "tcp" : l4 == IPPROTO_UDP ? "udp" : l4 == IPPROTO_SCTP ? "sctp" : l4 ? "other" : NULL;
}

/* ---------------------------------------------------------------- forward targets */

struct nsaddrs {
	uint64_t inode;
	struct ps_ifaddr *a;
	size_t n;
};

/* The addresses of every namespace in snap->nets (entered through a pid in it). */
static struct nsaddrs *ns_addresses(const struct ps_snapshot *snap)
{
	struct nsaddrs *out = calloc(snap->nnets + 1, sizeof *out);
	int self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (!out || self < 0) {
		free(out);
		if (self >= 0)
			close(self);
		return NULL;
	}
	for (size_t i = 0; i < snap->nnets; i++) {
		out[i].inode = snap->nets[i].inode;
		if (!snap->nets[i].pid)
			continue;
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/ns/net", snap->nets[i].pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (setns(fd, CLONE_NEWNET) == 0) {
			platform_local_addrs(&out[i].a, &out[i].n);
			if (setns(self, CLONE_NEWNET) < 0) {
				close(fd);
				abort(); /* cannot go home: nothing after this would be true */
			}
		}
		close(fd);
	}
	close(self);
	return out;
}

static bool addr_eq(const struct ps_addr *a, const uint8_t *b, unsigned family)
{
	return a->family == (family == 4 ? PS_INET : PS_INET6) && !memcmp(a->bytes, b, family == 4 ? 4 : 16);
}

/* The target object of forward f: the namespace holding its address and who listens there. */
static void json_target(struct buf *b, const struct fw_forward *f, const struct ps_snapshot *snap,
			const struct nsaddrs *na)
{
	uint64_t ns = 0;
	if (!f->to.has_addr) {
		ns = snap->netns; /* redirect: this machine, this namespace */
	} else {
		for (size_t i = 0; i < snap->nnets && !ns; i++)
			for (size_t j = 0; na && j < na[i].n; j++)
				if (addr_eq(&na[i].a[j].addr, f->to.addr_lo, f->family))
					ns = na[i].inode;
	}
	if (!ns) {
		buf_puts(b, "null");
		return;
	}
	uint16_t port = f->to.has_port ? f->to.port_lo : f->port_lo;
	const char *name = NULL;
	for (size_t i = 0; i < snap->nnets; i++)
		if (snap->nets[i].inode == ns)
			name = snap->nets[i].name;
	buf_printf(b, "{\"netns\":%llu,\"netns_name\":", (unsigned long long)ns);
	json_str(b, name);
	buf_puts(b, ",\"owners\":[");
	bool first = true;
	const struct ps_proc *named = NULL; /* an owner whose cgroup names a container */
	unsigned proto = f->l4proto == IPPROTO_UDP ? PS_UDP : PS_TCP;
	for (size_t i = 0; i < snap->nsocks; i++) {
		const struct ps_socket *k = &snap->socks[i];
		if (k->netns != ns || k->local.port != port || k->proto != proto ||
		    (k->state != PS_ST_LISTEN && k->state != PS_ST_CLOSE))
			continue;
		if (f->to.has_addr && !addr_is_any(&k->local.addr) && !addr_eq(&k->local.addr, f->to.addr_lo, f->family))
			continue;
		for (size_t j = 0; j < k->owner_count; j++) {
			const struct ps_proc *p = &snap->procs[snap_owner(snap, k, j)->proc];
			buf_printf(b, "%s{\"pid\":%d,\"name\":", first ? "" : ",", p->pid);
			json_str(b, p->name);
			buf_putc(b, '}');
			first = false;
			if (!named && p->container)
				named = p;
		}
	}
	buf_puts(b, "],\"container\":");
	if (named) {
		buf_puts(b, "{\"id\":");
		json_str(b, named->container);
		buf_puts(b, ",\"name\":");
		json_str(b, named->container_name);
		buf_puts(b, ",\"runtime\":");
		json_str(b, named->container_runtime);
		buf_putc(b, '}');
	} else {
		buf_puts(b, "null");
	}
	buf_putc(b, '}');
}

static int show_forwards(struct buf *b, const struct fw_ruleset *rs, bool live)
{
	struct fw_forward *fw = NULL;
	size_t n = 0;
	int rc = fw_forwards(rs, &fw, &n);
	if (rc)
		return rc;
	struct ps_snapshot snap = {0};
	struct nsaddrs *na = NULL;
	if (live && n) {
		struct ps_filter f;
		filter_init(&f);
		f.all_netns = true;
		if (platform_collect_all_netns(&snap, &f) == 0 && platform_attribute(&snap, &f) == 0 &&
		    platform_describe(&snap) == 0 && platform_units(&snap) == 0)
			na = ns_addresses(&snap);
	}
	buf_puts(b, ",\"forwards\":[");
	for (size_t i = 0; i < n; i++) {
		const struct fw_forward *f = &fw[i];
		buf_printf(b, "%s{\"proto\":", i ? "," : "");
		json_str(b, proto_of(f->l4proto));
		buf_printf(b, ",\"family\":%u,\"addr\":", f->family);
		if (f->has_daddr) {
			char text[64];
			struct fw_srcset s = {.r = (struct fw_range *)&f->daddr, .n = 1, .len = f->family == 4 ? 4 : 16};
			fw_srcset_format(&s, text, sizeof text);
			json_str(b, text);
		} else {
			buf_puts(b, "null");
		}
		if (f->port_lo || f->port_hi)
			buf_printf(b, ",\"port\":%u,\"port_end\":%u", f->port_lo, f->port_hi);
		else
			buf_puts(b, ",\"port\":null,\"port_end\":null");
		buf_puts(b, ",\"to\":{\"addr\":");
		if (f->to.has_addr)
			json_addr(b, f->to.addr_lo, f->family);
		else
			buf_puts(b, "null");
		if (f->to.has_port)
			buf_printf(b, ",\"port\":%u,\"port_end\":%u}", f->to.port_lo, f->to.port_hi);
		else
			buf_puts(b, ",\"port\":null,\"port_end\":null}");
		buf_printf(b, ",\"kind\":\"%s\",\"hooks\":[%s%s%s],\"runtime\":", f->redirect ? "redirect" : "dnat",
			   f->prerouting ? "\"prerouting\"" : "", f->prerouting && f->output ? "," : "",
			   f->output ? "\"output\"" : "");
		json_str(b, f->runtime);
		buf_puts(b, ",\"rule\":");
		json_rule(b, rs, f->rule);
		buf_puts(b, ",\"target\":");
		if (live)
			json_target(b, f, &snap, na);
		else
			buf_puts(b, "null");
		buf_putc(b, '}');
	}
	buf_putc(b, ']');
	for (size_t i = 0; na && i < snap.nnets; i++)
		platform_ifaddrs_free(na[i].a, na[i].n);
	free(na);
	snap_free(&snap);
	free(fw);
	return 0;
}

/* ---------------------------------------------------------------- listeners */

struct listeners {
	struct ps_snapshot snap;
	struct ps_ifaddr *addrs;
	size_t naddrs;
};

static int listeners_read(struct listeners *l)
{
	memset(l, 0, sizeof *l);
	struct ps_filter f;
	filter_init(&f);
	int rc = platform_collect(&l->snap, &f);
	if (!rc)
		rc = platform_local_addrs(&l->addrs, &l->naddrs);
	if (!rc)
		snap_sort(&l->snap);
	return rc;
}

static void listeners_free(struct listeners *l)
{
	snap_free(&l->snap);
	platform_ifaddrs_free(l->addrs, l->naddrs);
}

static int show_listeners(struct buf *b, const struct fw_ruleset *rs, bool have_rules, const char *why,
			  const char *legacy, const struct listeners *l)
{
	buf_puts(b, ",\"listeners\":[");
	for (size_t i = 0; i < l->snap.nsocks; i++) {
		const struct ps_socket *k = &l->snap.socks[i];
		char a[64];
		addr_format(&k->local.addr, a, sizeof a);
		buf_printf(b, "%s{\"proto\":\"%s\",\"addr\":\"%s\",\"port\":%u,\"reachable\":[", i ? "," : "",
			   proto_name(k->proto), a, k->local.port);
		struct reach *r = NULL;
		size_t nr = 0;
		int rc = exposure_reach(k, l->addrs, l->naddrs, NULL, 0, &r, &nr);
		if (rc)
			return rc;
		struct fw_reach_verdict *v = calloc(nr + 1, sizeof *v);
		if (!v || (rc = fw_judge_reach(have_rules ? rs : NULL, why, legacy, k, r, nr, l->addrs, l->naddrs, v))) {
			free(v);
			free(r);
			return v ? rc : -ENOMEM;
		}
		for (size_t j = 0; j < nr; j++) {
			char ra[64];
			addr_format(&r[j].addr, ra, sizeof ra);
			buf_printf(b, "%s{\"ifname\":", j ? "," : "");
			json_str(b, r[j].ifname);
			buf_printf(b, ",\"addr\":\"%s\",\"firewall\":", ra);
			if (v[j].reach == FW_REACH_NOT_READ) {
				buf_puts(b, "{\"verdict\":\"not-read\",\"why\":");
				json_str(b, v[j].why);
				buf_puts(b, "}}");
				continue;
			}
			buf_printf(b, "{\"verdict\":\"%s\"", fw_reach_name(v[j].reach));
			if (v[j].sources) {
				buf_puts(b, ",\"sources\":");
				json_str(b, v[j].sources);
			}
			buf_puts(b, ",\"rule\":");
			json_rule(b, rs, v[j].rule);
			if (v[j].reach == FW_REACH_SOME) {
				buf_puts(b, ",\"accept_rule\":");
				json_rule(b, rs, v[j].accept_rule);
			}
			buf_puts(b, ",\"forwarded_by\":");
			json_rule(b, rs, v[j].forward_rule);
			if (v[j].why) {
				buf_puts(b, ",\"why\":");
				json_str(b, v[j].why);
			}
			struct buf text = {0};
			if (v[j].rule.chain >= 0 && fw_rule_text(rs, v[j].rule, &text) == 0) {
				buf_puts(b, ",\"explain\":");
				json_str(b, text.data);
			}
			buf_free(&text);
			buf_puts(b, "}}");
		}
		fw_reach_verdicts_free(v, nr);
		free(v);
		free(r);
		buf_puts(b, "]}");
	}
	buf_putc(b, ']');
	return 0;
}

static int cmd_show(const char *file)
{
	struct fw_ruleset rs = {0};
	const char *why = NULL;
	int rc = load_rules(file, &rs, &why);
	struct buf b = {0};
	buf_printf(&b, "{\"firewall\":{\"read\":%s,\"error\":%d,\"why\":", rc ? "false" : "true", -rc);
	json_str(&b, why);
	char *legacy = NULL;
	if (!file && platform_firewall_legacy(&legacy) == 0) {
		buf_puts(&b, ",\"legacy\":");
		json_str(&b, legacy);
	}
	size_t rules = 0;
	for (size_t i = 0; i < rs.nchains; i++)
		rules += rs.chains[i].nrules;
	buf_printf(&b, ",\"chains\":%zu,\"rules\":%zu,\"sets\":%zu}", rs.nchains, rules, rs.nsets);
	int err = 0;
	if (!rc)
		err = show_forwards(&b, &rs, !file);
	struct listeners l;
	if (!err && !file && !(err = listeners_read(&l))) {
		err = show_listeners(&b, &rs, rc == 0, why, legacy, &l);
		listeners_free(&l);
	}
	free(legacy);
	buf_puts(&b, "}\n");
	if (!err)
		fwrite(b.data, 1, b.len, stdout);
	buf_free(&b);
	fw_ruleset_free(&rs);
	if (err)
		fprintf(stderr, "fwprobe: %s\n", strerror(-err));
	return err ? 3 : 0;
}

static int cmd_record(const char *file)
{
	struct buf b = {0};
	int rc = nft_dump(&b);
	if (rc) {
		fprintf(stderr, "fwprobe: cannot dump the rule set: %s\n", strerror(-rc));
		buf_free(&b);
		return 3;
	}
	FILE *fp = fopen(file, "wb");
	if (!fp || fwrite(b.data, 1, b.len, fp) != b.len || fclose(fp) != 0) {
		fprintf(stderr, "fwprobe: cannot write %s\n", file);
		buf_free(&b);
		return 3;
	}
	buf_free(&b);
	return 0;
}

/* One line per chain and rule: what was decoded, and what was not. */
static int cmd_rules(const char *file)
{
	struct fw_ruleset rs = {0};
	const char *why = NULL;
	int rc = load_rules(file, &rs, &why);
	if (rc) {
		fprintf(stderr, "fwprobe: %s\n", why ? why : strerror(-rc));
		fw_ruleset_free(&rs);
		return 3;
	}
	for (size_t i = 0; i < rs.nchains; i++) {
		const struct fw_chain *c = &rs.chains[i];
		printf("%s %s %s", fw_family_name(c->family), c->table, c->name);
		if (c->hook)
			printf(" (hook %s priority %d policy %s)", fw_hook_name(c->hook), c->priority,
			       fw_verdict_name(c->policy));
		printf("\n");
		for (size_t j = 0; j < c->nrules; j++) {
			const struct fw_rule *r = &c->rules[j];
			printf("  [%zu] handle %llu:", j, (unsigned long long)r->handle);
			for (size_t k = 0; k < r->nm; k++)
				printf(" %s%s%s(%zu)", r->m[k].negate ? "!" : "", fw_field_name(r->m[k].field),
				       r->m[k].set >= 0 ? "@set" : "", r->m[k].nranges);
			printf(" -> %s", fw_verdict_name(r->v.kind));
			if (r->v.chain >= 0)
				printf(" %s", rs.chains[r->v.chain].name);
			if (r->unknown)
				printf("  UNDECODED: %s", r->unknown);
			printf("\n");
		}
	}
	fw_ruleset_free(&rs);
	return 0;
}

/* CPU time of this thread (user + kernel): on a busy shared machine, wall time measures the others. */
static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static int cmd_time(const char *file)
{
	enum { RUNS = 20 };
	double tdump[RUNS], tdecode[RUNS], teval[RUNS];
	size_t rules = 0, packets = 0, bytes = 0;
	struct listeners l;
	struct buf rec = {0};
	if (listeners_read(&l) || (file && read_file(file, &rec)))
		return 3;
	for (int run = 0; run < RUNS; run++) {
		struct fw_ruleset rs = {0};
		struct buf b = {0};
		double t0 = now_ms();
		int rc = file ? buf_append(&b, rec.data, rec.len) : nft_dump(&b);
		double t1 = now_ms();
		if (!rc)
			rc = nft_decode(b.data, b.len, &rs);
		double t2 = now_ms();
		bytes = b.len;
		buf_free(&b);
		if (rc) {
			fprintf(stderr, "fwprobe: cannot read the rules: %s\n", strerror(-rc));
			listeners_free(&l);
			buf_free(&rec);
			return 3;
		}
		rules = packets = 0;
		for (size_t i = 0; i < rs.nchains; i++)
			rules += rs.chains[i].nrules;
		for (size_t i = 0; i < l.snap.nsocks; i++) {
			struct reach *r = NULL;
			size_t nr = 0;
			exposure_reach(&l.snap.socks[i], l.addrs, l.naddrs, NULL, 0, &r, &nr);
			for (size_t j = 0; j < nr; j++) {
				struct fw_packet p;
				struct fw_result res;
				fw_packet_for(&l.snap.socks[i], &r[j], l.addrs, l.naddrs, &p);
				if (fw_evaluate(&rs, &p, &res) == 0)
					fw_result_free(&res);
				packets++;
			}
			free(r);
		}
		struct fw_forward *fw = NULL;
		size_t nf = 0;
		fw_forwards(&rs, &fw, &nf);
		free(fw);
		tdump[run] = t1 - t0;
		tdecode[run] = t2 - t1;
		teval[run] = now_ms() - t2;
		fw_ruleset_free(&rs);
	}
	listeners_free(&l);
	buf_free(&rec);
	qsort(tdump, RUNS, sizeof *tdump, dbl_cmp);
	qsort(tdecode, RUNS, sizeof *tdecode, dbl_cmp);
	qsort(teval, RUNS, sizeof *teval, dbl_cmp);
	printf("rules %zu (%zu bytes of netlink), listener addresses %zu: dump %.2f ms, decode %.2f ms, "
	       "evaluate+forwards %.2f ms (CPU time, medians of %d)\n",
	       rules, bytes, packets, tdump[RUNS / 2], tdecode[RUNS / 2], teval[RUNS / 2], RUNS);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "record"))
		return cmd_record(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "show"))
		return cmd_show(argc >= 3 ? argv[2] : NULL);
	if (argc >= 2 && !strcmp(argv[1], "rules"))
		return cmd_rules(argc >= 3 ? argv[2] : NULL);
	if (argc >= 2 && !strcmp(argv[1], "time"))
		return cmd_time(argc >= 3 ? argv[2] : NULL);
	fprintf(stderr, "usage: fwprobe record FILE | show [FILE] | rules [FILE] | time [FILE]\n");
	return 2;
}
