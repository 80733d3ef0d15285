/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cgroup.c — cgroup path to systemd unit and container id. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../../src/platform/linux/cgroup.h"
#include "../../../src/platform/platform.h"
#include "../test.h"
#include "../testutil.h"

#define HEX64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define HEX63 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde"
#define HEX65 HEX64 "f"
#define HEX64B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

/* Classify an exact-size heap copy (no NUL after the path). */
static int classify(const char *path, size_t n, struct cgroup_info *ci)
{
	char *in = tu_exact(path, n);
	memset(ci, 0x5A, sizeof *ci);
	int rc = cgroup_classify(in, n, ci);
	free(in);
	return rc;
}

static void expect(const char *path, const char *unit, const char *id, const char *runtime,
		   int line)
{
	struct cgroup_info ci;
	int rc = classify(path, strlen(path), &ci);
	char m[512];
	bool ok = rc == 0;
	ok = ok && (unit ? ci.unit && strcmp(ci.unit, unit) == 0 : ci.unit == NULL);
	ok = ok && (id ? ci.container && strcmp(ci.container, id) == 0 : ci.container == NULL);
	ok = ok && (runtime ? ci.runtime && strcmp(ci.runtime, runtime) == 0 : ci.runtime == NULL);
	if (!ok) {
		snprintf(m, sizeof m, "\"%.200s\": rc %d unit %s container %.16s runtime %s", path,
			 rc, rc == 0 && ci.unit ? ci.unit : "(null)",
			 rc == 0 && ci.container ? ci.container : "(null)",
			 rc == 0 && ci.runtime ? ci.runtime : "(null)");
		test_fail(__FILE__, line, m);
	}
	if (rc == 0)
		cgroup_info_free(&ci);
}
#define EXPECT(path, unit, id, runtime) expect(path, unit, id, runtime, __LINE__)

TEST(cgroup_systemd_units)
{
	EXPECT("/system.slice/ssh.service", "ssh.service", NULL, NULL);
	EXPECT("/system.slice/nginx.service\n", NULL, NULL, NULL); /* "service\n" is no suffix */
	EXPECT("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", "foo.service",
	       NULL, NULL);
	EXPECT("/user.slice/user-1000.slice/user@1000.service", "user@1000.service", NULL, NULL);
	EXPECT("/user.slice/user-1000.slice/session-3.scope", "session-3.scope", NULL, NULL);
	EXPECT("/init.scope", "init.scope", NULL, NULL);
	EXPECT("/system.slice/systemd-resolved.service", "systemd-resolved.service", NULL, NULL);
	EXPECT("/system.slice/cups.socket", "cups.socket", NULL, NULL);
	EXPECT("/system.slice/apt-daily.timer", "apt-daily.timer", NULL, NULL);
	EXPECT("/system.slice/home.mount", "home.mount", NULL, NULL);
	EXPECT("/system.slice/dev-sda2.swap", "dev-sda2.swap", NULL, NULL);
	/* the innermost unit, even under a deeper plain directory */
	EXPECT("/system.slice/foo.service/worker", "foo.service", NULL, NULL);
	/* slices are not units worth naming */
	EXPECT("/system.slice", NULL, NULL, NULL);
	EXPECT("/user.slice/user-1000.slice", NULL, NULL, NULL);
	/* a bare suffix is no unit name */
	EXPECT("/system.slice/.service", NULL, NULL, NULL);
	EXPECT("/x/service", NULL, NULL, NULL);
	/* relative (v1 style without leading slash) and doubled slashes */
	EXPECT("system.slice//ssh.service//", "ssh.service", NULL, NULL);
}

TEST(cgroup_docker)
{
	EXPECT("/system.slice/docker-" HEX64 ".scope", "docker-" HEX64 ".scope", HEX64, "docker");
	EXPECT("/docker/" HEX64, NULL, HEX64, "docker");
	EXPECT("/docker/" HEX64 "/nested", NULL, HEX64, "docker");
	/* docker-<id> without .scope (cgroupfs driver naming) */
	EXPECT("/docker-" HEX64, NULL, HEX64, "docker");
	/* the innermost container wins */
	EXPECT("/docker/" HEX64 "/docker/" HEX64B, NULL, HEX64B, "docker");
}

TEST(cgroup_podman_containerd_crio)
{
	EXPECT("/machine.slice/libpod-" HEX64 ".scope", "libpod-" HEX64 ".scope", HEX64, "podman");
	/* below user@UID.service: the user's own container, never a rootful runtime's (issue 19) */
	EXPECT("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" HEX64
	       ".scope/container",
	       "libpod-" HEX64 ".scope", HEX64, "rootless-podman");
	EXPECT("/user.slice/user-1001.slice/user@1001.service/app.slice/docker-" HEX64 ".scope",
	       "docker-" HEX64 ".scope", HEX64, "rootless-docker");
	EXPECT("/user.slice/user-1001.slice/user@1001.service/app.slice/docker/" HEX64,
	       "user@1001.service", HEX64, "rootless-docker");
	/* above the user manager it is not the user's */
	EXPECT("/system.slice/docker-" HEX64 ".scope", "docker-" HEX64 ".scope", HEX64, "docker");
	EXPECT("/system.slice/cri-containerd-" HEX64 ".scope", "cri-containerd-" HEX64 ".scope",
	       HEX64, "containerd");
	EXPECT("/system.slice/crio-" HEX64 ".scope", "crio-" HEX64 ".scope", HEX64, "cri-o");
	/* crio's conmon is not the container */
	EXPECT("/system.slice/crio-conmon-" HEX64 ".scope", "crio-conmon-" HEX64 ".scope", NULL,
	       NULL);
}

TEST(cgroup_kubernetes)
{
	/* cgroupfs driver: plain id under a pod directory */
	EXPECT("/kubepods/besteffort/pod0f1e2d3c-aaaa-bbbb-cccc-111122223333/" HEX64, NULL, HEX64,
	       "kubernetes");
	EXPECT("/kubepods/pod0f1e2d3c/" HEX64, NULL, HEX64, "kubernetes");
	/* systemd driver: the runtime's own prefix names it */
	EXPECT("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0f1e2d3c_aaaa.slice/"
	       "cri-containerd-" HEX64 ".scope",
	       "cri-containerd-" HEX64 ".scope", HEX64, "containerd");
	EXPECT(
	    "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podx.slice/crio-" HEX64
	    ".scope",
	    "crio-" HEX64 ".scope", HEX64, "cri-o");
	EXPECT("/kubepods.slice/kubepods-podx.slice/docker-" HEX64 ".scope",
	       "docker-" HEX64 ".scope", HEX64, "docker");
	/* a pod directory alone is no container */
	EXPECT("/kubepods/besteffort/pod0f1e2d3c", NULL, NULL, NULL);
}

TEST(cgroup_plain_id_elsewhere)
{
	/* a 64-hex directory under something unknown: an unknown runtime */
	EXPECT("/lxc/" HEX64, NULL, HEX64, "unknown");
	EXPECT("/system.slice/containerd.service/" HEX64, "containerd.service", HEX64, "unknown");
	/* but not at the top, where there is no parent to say what it is */
	EXPECT("/" HEX64, NULL, NULL, NULL);
}

TEST(cgroup_ids_must_be_exactly_64_lower_hex)
{
	EXPECT("/system.slice/docker-" HEX63 ".scope", "docker-" HEX63 ".scope", NULL, NULL);
	EXPECT("/system.slice/docker-" HEX65 ".scope", "docker-" HEX65 ".scope", NULL, NULL);
	EXPECT("/docker/" HEX63, NULL, NULL, NULL);
	EXPECT("/docker/" HEX65, NULL, NULL, NULL);
	EXPECT("/docker-" HEX63, NULL, NULL, NULL);
	EXPECT("/machine.slice/libpod-" HEX63 ".scope", "libpod-" HEX63 ".scope", NULL, NULL);
	EXPECT("/system.slice/cri-containerd-" HEX63 ".scope", "cri-containerd-" HEX63 ".scope",
	       NULL, NULL);
	EXPECT("/system.slice/crio-" HEX63 ".scope", "crio-" HEX63 ".scope", NULL, NULL);
	EXPECT("/kubepods/pod1/" HEX63, NULL, NULL, NULL);
	/* upper case and non-hex */
	EXPECT("/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", NULL,
	       NULL, NULL);
	EXPECT("/docker/g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", NULL,
	       NULL, NULL);
	/* wrong suffix after the id */
	EXPECT("/system.slice/docker-" HEX64 ".scopex", NULL, NULL, NULL);
	EXPECT("/system.slice/docker-" HEX64 ".slice", NULL, NULL, NULL);
	EXPECT("/system.slice/docker-" HEX64 "x.scope", "docker-" HEX64 "x.scope", NULL, NULL);
}

TEST(cgroup_empty_and_root)
{
	EXPECT("", NULL, NULL, NULL);
	EXPECT("/", NULL, NULL, NULL);
	EXPECT("//////", NULL, NULL, NULL);
	struct cgroup_info ci;
	CHECK_INT(classify("x", 0, &ci), 0); /* length 0 with bytes behind it */
	CHECK(ci.unit == NULL && ci.container == NULL && ci.runtime == NULL);
}

TEST(cgroup_odd_bytes)
{
	EXPECT("/system.slice/a\nb.service", "a\nb.service", NULL, NULL);
	EXPECT("/system.slice/\x1b[31mevil\x1b[0m.service", "\x1b[31mevil\x1b[0m.service", NULL,
	       NULL);
	EXPECT("/system.slice/\\x2d.service", "\\x2d.service", NULL, NULL);
	EXPECT("/system.slice/\xff\xfe.scope", "\xff\xfe.scope", NULL, NULL);
	EXPECT("/docker/\n" HEX64, NULL, NULL, NULL);
	/* the length bounds the path: a suffix beyond it does not count */
	struct cgroup_info ci;
	const char *p = "/system.slice/ssh.service";
	CHECK_INT(classify(p, strlen(p) - 1, &ci), 0);
	CHECK(ci.unit == NULL);
	cgroup_info_free(&ci);
}

TEST(cgroup_very_long_paths)
{
	size_t n = 100 * 1024;
	char *p = malloc(n + 64);
	CHECK(p != NULL);
	if (!p)
		return;
	/* 50 000 one-letter directories, then a unit */
	size_t at = 0;
	while (at + 2 <= n) {
		p[at++] = '/';
		p[at++] = 'a';
	}
	memcpy(p + at, "/deep.service", 13);
	struct cgroup_info ci;
	CHECK_INT(classify(p, at + 13, &ci), 0);
	CHECK_STR(ci.unit, "deep.service");
	CHECK(ci.container == NULL);
	cgroup_info_free(&ci);

	/* one 100 KB component that is a unit */
	p[0] = '/';
	memset(p + 1, 'x', n);
	memcpy(p + 1 + n - 8, ".service", 8);
	CHECK_INT(classify(p, n + 1, &ci), 0);
	CHECK(ci.unit != NULL && strlen(ci.unit) == n);
	CHECK(ci.container == NULL);
	cgroup_info_free(&ci);

	/* 100 KB of hex: no 64-byte id */
	memset(p + 1, 'a', n);
	memcpy(p, "/docker/", 8);
	CHECK_INT(classify(p, n, &ci), 0);
	CHECK(ci.unit == NULL && ci.container == NULL && ci.runtime == NULL);
	cgroup_info_free(&ci);

	/* 100 KB of slashes */
	memset(p, '/', n);
	CHECK_INT(classify(p, n, &ci), 0);
	CHECK(ci.unit == NULL && ci.container == NULL);
	free(p);
}

TEST(platform_units_fills_procs)
{
	struct ps_snapshot s;
	memset(&s, 0, sizeof s);
	CHECK_INT(snap_add_proc(&s, 10), 0);
	CHECK_INT(snap_add_proc(&s, 11), 1);
	CHECK_INT(snap_add_proc(&s, 12), 2);
	s.procs[0].cgroup = strdup("/system.slice/docker-" HEX64 ".scope");
	s.procs[1].cgroup = strdup("/user.slice/user-1000.slice/session-3.scope");
	/* procs[2] has no cgroup */
	CHECK_INT(platform_units(&s), 0);
	CHECK_STR(s.procs[0].container, HEX64);
	CHECK_STR(s.procs[0].container_runtime, "docker");
	CHECK_STR(s.procs[0].unit, "docker-" HEX64 ".scope");
	CHECK_STR(s.procs[1].unit, "session-3.scope");
	CHECK(s.procs[1].container == NULL && s.procs[1].container_runtime == NULL);
	CHECK(s.procs[2].unit == NULL && s.procs[2].container == NULL);
	snap_free(&s);
}

/* The finer fields: unit type, user manager uid, slice, Kubernetes pod and QoS. */
static void classify_str(const char *path, struct cgroup_info *ci)
{
	CHECK_INT(classify(path, strlen(path), ci), 0);
}

TEST(cgroup_unit_type_and_slice)
{
	struct cgroup_info ci;
	classify_str("/system.slice/ssh.service", &ci);
	CHECK_STR(ci.unit_type, "system");
	CHECK_STR(ci.slice, "system.slice");
	CHECK(!ci.have_unit_uid);
	cgroup_info_free(&ci);

	classify_str("/user.slice/user-1000.slice/user@1000.service/app.slice/foo.service", &ci);
	CHECK_STR(ci.unit, "foo.service");
	CHECK_STR(ci.unit_type, "user");
	CHECK(ci.have_unit_uid);
	CHECK_INT(ci.unit_uid, 1000);
	CHECK_STR(ci.slice, "app.slice");
	cgroup_info_free(&ci);

	classify_str("/user.slice/user-1000.slice/session-3.scope", &ci);
	CHECK_STR(ci.unit, "session-3.scope");
	CHECK_STR(ci.unit_type, "session");
	CHECK_STR(ci.slice, "user-1000.slice");
	cgroup_info_free(&ci);

	/* "user@" needs a numeric uid to be a user manager */
	classify_str("/user.slice/user@abc.service/foo.service", &ci);
	CHECK_STR(ci.unit_type, "system");
	CHECK(!ci.have_unit_uid);
	cgroup_info_free(&ci);

	/* the uid must fit 32 bits: 4294967296 must not wrap to root's manager */
	classify_str("/user.slice/user@4294967295.service/app.slice/x.service", &ci);
	CHECK_STR(ci.unit_type, "user");
	CHECK(ci.have_unit_uid && ci.unit_uid == 4294967295u);
	cgroup_info_free(&ci);
	classify_str("/user.slice/user@4294967296.service/app.slice/x.service", &ci);
	CHECK_STR(ci.unit, "x.service");
	CHECK_STR(ci.unit_type, "system");
	CHECK(!ci.have_unit_uid);
	CHECK_INT(ci.unit_uid, 0);
	cgroup_info_free(&ci);
	classify_str("/user.slice/user@9999999999.service/x.service", &ci);
	CHECK(!ci.have_unit_uid);
	cgroup_info_free(&ci);
	classify_str("/user.slice/user@.service/x.service", &ci);
	CHECK(!ci.have_unit_uid);
	cgroup_info_free(&ci);

	classify_str("/", &ci);
	CHECK(ci.unit == NULL && ci.unit_type == NULL && ci.slice == NULL);
	cgroup_info_free(&ci);
	CHECK(ci.unit == NULL && ci.slice == NULL && ci.container == NULL && ci.pod_uid == NULL);
}

TEST(cgroup_kubernetes_pod)
{
	struct cgroup_info ci;
	classify_str("/kubepods/burstable/pod0f1e2d3c-aaaa-bbbb-cccc-111122223333/" HEX64, &ci);
	CHECK_STR(ci.pod_uid, "0f1e2d3c-aaaa-bbbb-cccc-111122223333");
	CHECK_STR(ci.pod_qos, "burstable");
	CHECK_STR(ci.container, HEX64);
	cgroup_info_free(&ci);

	classify_str("/kubepods.slice/kubepods-besteffort.slice/"
		     "kubepods-besteffort-pod0f1e2d3c_aaaa_bbbb_cccc_111122223333.slice/"
		     "cri-containerd-" HEX64 ".scope",
		     &ci);
	CHECK_STR(ci.pod_uid, "0f1e2d3c-aaaa-bbbb-cccc-111122223333");
	CHECK_STR(ci.pod_qos, "besteffort");
	CHECK_STR(ci.runtime, "containerd");
	cgroup_info_free(&ci);

	/* no QoS level in the path: guaranteed */
	classify_str("/kubepods/pod0f1e2d3c-aaaa-bbbb-cccc-111122223333/" HEX64, &ci);
	CHECK_STR(ci.pod_qos, "guaranteed");
	cgroup_info_free(&ci);

	/* a malformed pod uid (35 characters) is not one */
	classify_str("/kubepods/burstable/pod0f1e2d3c-aaaa-bbbb-cccc-11112222333/" HEX64, &ci);
	CHECK(ci.pod_uid == NULL && ci.pod_qos == NULL);
	cgroup_info_free(&ci);

	/* outside kubepods, "pod..." means nothing */
	classify_str("/system.slice/pod0f1e2d3c-aaaa-bbbb-cccc-111122223333/x", &ci);
	CHECK(ci.pod_uid == NULL);
	cgroup_info_free(&ci);
}
