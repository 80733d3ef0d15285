/* SPDX-License-Identifier: GPL-2.0-or-later */
/* check.h — the report of `portsleuth check` as text, JSON or Prometheus metrics: pure functions of
 * the report. */
#ifndef PS_OUTPUT_CHECK_H
#define PS_OUTPUT_CHECK_H

#include <stdbool.h>
#include <stdio.h>

#include "../model/diff.h"
#include "../model/policy.h"

/* The baseline as the report names it. */
struct check_baseline {
	const char *file;
	bool is_snapshot; /* a snapshot (its listeners are the rules), else a policy file */
	const struct policy *pol;
};

/* One line per violation and a summary ("clean: N listeners match the baseline"). 0 or -errno. */
int render_check_text(FILE *fp, const struct policy *pol, const struct policy_report *rep,
		      const struct diff_side *now);

/* One JSON document: "schema", "baseline", "checked", "clean", "violations", "summary". 0 or
 * -errno. */
int render_check_json(FILE *fp, const struct check_baseline *bl, const struct policy_report *rep,
		      const struct diff_side *now);

/* Prometheus text format: violations by kind, one series per violation, listeners; `when` is the
 * timestamp. */
int render_check_prom(FILE *fp, const struct policy *pol, const struct policy_report *rep,
		      const struct diff_side *now, long long when);

#endif
