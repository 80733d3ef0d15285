/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwprobe.c — the firewall engine's tools for developers: record fixtures, list decoded rules, time
 * the engine. */
/*
 * Usage:
 *   fwprobe record FILE   dump this network namespace's nf_tables rule set (the raw
 *                         netlink replies) into FILE: what tests/fixtures/nft/ *.nl hold
 *   fwprobe rules [FILE]  every chain and rule as decoded, with what was not decoded
 *   fwprobe time [FILE]   read (dump and decode, or decode FILE) and evaluate every
 *                         listener 20 times; print the median CPU milliseconds of each
 *                         step (bench/fw.sh)
 * Exit status: 0, 2 usage, 3 failure. What users see (verdicts, forwards) is
 * portsleuth's own output: --json, the FIREWALL column, explain.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/enrich/fwdnat.h"
#include "../../src/enrich/fwjudge.h"
#include "../../src/enrich/verdict.h"
#include "../../src/model/exposure.h"
#include "../../src/platform/linux/nft_read.h"
#include "../../src/platform/platform.h"
#include "../../src/util/buf.h"
#include "../../src/util/readfile.h"

/* A recording: at most 256 MiB (a 10,000-rule set is under 4). */
static int read_file(const char *path, struct buf *b)
{
	return read_file_at(AT_FDCWD, path, b, (size_t)256 << 20, 0, NULL);
}

/* The live rule set, through the platform's firewall entry point; *why when not read. */
static int live_rules(struct fw_ruleset *rs, const char **why)
{
	static char reason[256];
	struct ps_fw_source src = {0};
	int rc = platform_firewall_read(&(struct ps_fw_request){.ns = NULL}, &src);
	*why = NULL;
	if (!rc && src.kind != PS_FW_SRC_NETFILTER) {
		snprintf(reason, sizeof reason, "%s", src.why ? src.why : "no nf_tables rule set");
		*why = reason;
		rc = src.err ? src.err : -ENOSYS;
	} else if (!rc) {
		*rs = src.rules;
		memset(&src.rules, 0, sizeof src.rules);
	}
	fwsource_free(&src);
	return rc;
}

/* The rule set from FILE, or live; *why set when it could not be read. */
static int load_rules(const char *file, struct fw_ruleset *rs, const char **why)
{
	if (!file)
		return live_rules(rs, why);
	struct buf b = {0};
	int rc = read_file(file, &b);
	if (!rc)
		rc = nft_decode(b.data, b.len, rs);
	buf_free(&b);
	*why = rc ? "the recording could not be decoded" : NULL;
	return rc;
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
			printf(" (hook %s priority %d policy %s)", fw_hook_name(c->hook),
			       c->priority, fw_verdict_name(c->policy));
		printf("\n");
		for (size_t j = 0; j < c->nrules; j++) {
			const struct fw_rule *r = &c->rules[j];
			printf("  [%zu] handle %llu:", j, (unsigned long long)r->handle);
			for (size_t k = 0; k < r->nm; k++)
				printf(" %s%s%s(%zu)", r->m[k].negate ? "!" : "",
				       fw_field_name(r->m[k].field), r->m[k].set >= 0 ? "@set" : "",
				       r->m[k].nranges);
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

/* CPU time of this thread (user + kernel): on a busy shared machine, wall time measures the others.
 */
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
	double tread[RUNS], teval[RUNS];
	size_t rules = 0, packets = 0;
	struct listeners l;
	struct buf rec = {0};
	if (listeners_read(&l) || (file && read_file(file, &rec)))
		return 3;
	for (int run = 0; run < RUNS; run++) {
		struct fw_ruleset rs = {0};
		const char *why = NULL;
		double t0 = now_ms();
		int rc = file ? nft_decode(rec.data, rec.len, &rs) : live_rules(&rs, &why);
		double t1 = now_ms();
		if (rc) {
			fprintf(stderr, "fwprobe: cannot read the rules: %s\n",
				why ? why : strerror(-rc));
			fw_ruleset_free(&rs);
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
		tread[run] = t1 - t0;
		teval[run] = now_ms() - t1;
		fw_ruleset_free(&rs);
	}
	listeners_free(&l);
	buf_free(&rec);
	qsort(tread, RUNS, sizeof *tread, dbl_cmp);
	qsort(teval, RUNS, sizeof *teval, dbl_cmp);
	printf("rules %zu, listener addresses %zu: %s %.2f ms, evaluate+forwards %.2f ms (CPU "
	       "time, medians of %d)\n",
	       rules, packets, file ? "decode" : "dump+decode", tread[RUNS / 2], teval[RUNS / 2],
	       RUNS);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "record"))
		return cmd_record(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "rules"))
		return cmd_rules(argc >= 3 ? argv[2] : NULL);
	if (argc >= 2 && !strcmp(argv[1], "time"))
		return cmd_time(argc >= 3 ? argv[2] : NULL);
	fprintf(stderr, "usage: fwprobe record FILE | rules [FILE] | time [FILE]\n");
	return 2;
}
