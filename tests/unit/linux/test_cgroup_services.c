/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_cgroup_services.c — unit type, slice, pod and container names; hostile cgroup paths and
 * state files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../src/platform/linux/cgroup.h"
#include "../../../src/platform/linux/containers.h"
#include "../../../src/platform/linux/roots.h"
#include "../test.h"
#include "../testutil.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static int classify_exact(const char *path, size_t n, struct cgroup_info *ci)
{
	char *in = tu_exact(path, n);
	int rc = cgroup_classify(in, n, ci);
	free(in);
	return rc;
}

TEST(cgroup_unit_types_and_slices)
{
	struct cgroup_info ci;
	const char *p = "/system.slice/foo.service";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.unit, "foo.service");
	CHECK_STR(ci.unit_type, "system");
	CHECK_STR(ci.slice, "system.slice");
	CHECK(!ci.have_unit_uid);
	cgroup_info_free(&ci);

	p = "/user.slice/user-1000.slice/user@1000.service/app.slice/bar.service";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.unit, "bar.service");
	CHECK_STR(ci.unit_type, "user");
	CHECK_STR(ci.slice, "app.slice");
	CHECK(ci.have_unit_uid);
	CHECK_INT(ci.unit_uid, 1000);
	cgroup_info_free(&ci);

	/* the user manager itself is a system unit */
	p = "/user.slice/user-1000.slice/user@1000.service/init.scope";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.unit, "init.scope");
	CHECK_STR(ci.unit_type, "user");
	CHECK(ci.slice == NULL);
	cgroup_info_free(&ci);
	p = "/user.slice/user-1000.slice/user@1000.service";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.unit_type, "system");
	CHECK_STR(ci.slice, "user-1000.slice");
	cgroup_info_free(&ci);

	p = "/user.slice/user-1000.slice/session-3.scope";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.unit, "session-3.scope");
	CHECK_STR(ci.unit_type, "session");
	CHECK_STR(ci.slice, "user-1000.slice");
	cgroup_info_free(&ci);

	/* "user@x.service" with a non-numeric uid is just a unit name */
	p = "/user.slice/user@x.service/a.service";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.unit_type, "system");
	CHECK(!ci.have_unit_uid);
	cgroup_info_free(&ci);

	p = "/";
	CHECK_INT(classify_exact(p, 1, &ci), 0);
	CHECK(ci.unit == NULL && ci.unit_type == NULL && ci.slice == NULL && ci.container == NULL);
	cgroup_info_free(&ci);
}

TEST(cgroup_kubernetes_pods)
{
	struct cgroup_info ci;
	const char *p = "/kubepods.slice/kubepods-burstable.slice/"
			"kubepods-burstable-pod12345678_1234_1234_1234_123456789abc.slice/"
			"cri-containerd-" ID ".scope";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.container, ID);
	CHECK_STR(ci.runtime, "containerd");
	CHECK_STR(ci.pod_uid, "12345678-1234-1234-1234-123456789abc");
	CHECK_STR(ci.pod_qos, "burstable");
	cgroup_info_free(&ci);

	p = "/kubepods/besteffort/pod12345678-1234-1234-1234-123456789abc/" ID;
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.container, ID);
	CHECK_STR(ci.runtime, "kubernetes");
	CHECK_STR(ci.pod_uid, "12345678-1234-1234-1234-123456789abc");
	CHECK_STR(ci.pod_qos, "besteffort");
	cgroup_info_free(&ci);

	p = "/kubepods/pod12345678-1234-1234-1234-123456789abc/crio-" ID;
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK_STR(ci.runtime, "cri-o");
	CHECK_STR(ci.pod_qos, "guaranteed");
	cgroup_info_free(&ci);

	/* a pod-looking name outside kubepods is not a pod; a short uid is no uid */
	p = "/pod12345678-1234-1234-1234-123456789abc/x";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK(ci.pod_uid == NULL && ci.pod_qos == NULL);
	cgroup_info_free(&ci);
	p = "/kubepods/burstable/pod1234";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK(ci.pod_uid == NULL);
	cgroup_info_free(&ci);
	p = "/kubepods-pod.slice";
	CHECK_INT(classify_exact(p, strlen(p), &ci), 0);
	CHECK(ci.pod_uid == NULL);
	cgroup_info_free(&ci);
}

/* Any bytes, any length, any truncation: never a crash, never a read past the end. */
TEST(cgroup_hostile_paths)
{
	/* very long: 1 MiB of nested components, ending in a unit */
	size_t n = 1 << 20;
	char *big = malloc(n);
	CHECK(big != NULL);
	if (!big)
		return;
	for (size_t i = 0; i < n; i++)
		big[i] = (i % 9 == 0) ? '/' : 'a';
	memcpy(big + n - 12, "/x.service", 10);
	memcpy(big + n - 2, "/y", 2);
	struct cgroup_info ci;
	CHECK_INT(classify_exact(big, n, &ci), 0);
	CHECK_STR(ci.unit, "x.service");
	cgroup_info_free(&ci);
	/* one huge component that is a unit name */
	memset(big, 'z', n);
	big[0] = '/';
	memcpy(big + n - 8, ".service", 8);
	CHECK_INT(classify_exact(big, n, &ci), 0);
	CHECK(ci.unit != NULL && strlen(ci.unit) == n - 1);
	cgroup_info_free(&ci);
	free(big);

	/* odd bytes: NUL, newline, escapes, invalid UTF-8 inside components */
	static const char odd[] =
	    "/sys\0tem.slice/\x1b[31m\xff\xfe.service/\n/docker-" ID ".scope\x80";
	CHECK_INT(classify_exact(odd, sizeof odd - 1, &ci), 0);
	CHECK(ci.unit != NULL && memcmp(ci.unit, "\x1b[31m\xff\xfe.service", 13) == 0);
	CHECK(ci.container == NULL); /* the trailing byte spoils the scope name */
	cgroup_info_free(&ci);

	/* every truncation of a realistic path */
	const char *p = "/kubepods.slice/kubepods-besteffort.slice/"
			"kubepods-besteffort-pod12345678_1234_1234_1234_123456789abc.slice/"
			"docker-" ID ".scope";
	for (size_t k = 0; k <= strlen(p); k++) {
		CHECK_INT(classify_exact(p, k, &ci), 0);
		if (ci.container)
			CHECK_INT(strlen(ci.container), 64);
		if (ci.pod_uid)
			CHECK_INT(strlen(ci.pod_uid), 36);
		cgroup_info_free(&ci);
	}
	/* random bytes from a fixed seed */
	uint64_t seed = 42;
	char r[300];
	for (int round = 0; round < 2000; round++) {
		size_t len = tu_rand(&seed) % sizeof r;
		for (size_t i = 0; i < len; i++) {
			uint32_t x = tu_rand(&seed) % 8;
			r[i] = x == 0 ? '/' : x == 1 ? '.' : x == 2 ? '-' : (char)tu_rand(&seed);
		}
		CHECK_INT(classify_exact(r, len, &ci), 0);
		cgroup_info_free(&ci);
	}
}

static void write_file(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "we");
	CHECK(f != NULL);
	if (f) {
		fwrite(data, 1, n, f);
		fclose(f);
	}
}

TEST(containers_docker_config_parsing)
{
	static const char cfg[] =
	    "{\"ID\":\"" ID "\",\"Name\":\"/web\",\"NetworkSettings\":{\"Networks\":"
	    "{\"bridge\":{\"IPAddress\":\"172.17.0.2\"}}}}";
	char *name;
	int has;
	CHECK_INT(containers_parse_docker_config(cfg, sizeof cfg - 1, "172.17.0.2", &name, &has),
		  0);
	CHECK_STR(name, "web");
	CHECK_INT(has, 1);
	free(name);
	CHECK_INT(containers_parse_docker_config(cfg, sizeof cfg - 1, "172.17.0.3", &name, &has),
		  0);
	CHECK_INT(has, 0);
	free(name);
	/* every truncation is refused cleanly (or parses to no name), never read past the end */
	for (size_t k = 0; k < sizeof cfg - 1; k++) {
		char *in = tu_exact(cfg, k);
		int rc = containers_parse_docker_config(in, k, "172.17.0.2", &name, &has);
		CHECK(rc == -EBADMSG);
		CHECK(name == NULL);
		free(in);
	}
	/* wrong types are ignored */
	static const char bad[] = "{\"Name\":7,\"NetworkSettings\":{\"Networks\":[1,2]}}";
	CHECK_INT(containers_parse_docker_config(bad, sizeof bad - 1, "1", &name, &has), 0);
	CHECK(name == NULL && has == 0);
}

TEST(containers_state_directories)
{
	char dir[] = "/tmp/ps-unit-containersXXXXXX";
	CHECK(mkdtemp(dir) != NULL);
	char p[512];
	snprintf(p, sizeof p, "%s/docker", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/docker/containers", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/docker/containers/%s", dir, ID);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/docker/containers/%s/config.v2.json", dir, ID);
	static const char cfg[] =
	    "{\"Name\":\"/"
	    "web\",\"NetworkSettings\":{\"Networks\":{\"b\":{\"IPAddress\":\"10.1.2.3\"}}}}";
	write_file(p, cfg, sizeof cfg - 1);
	snprintf(p, sizeof p, "%s/storage", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/storage/overlay-containers", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof p, "%s/storage/overlay-containers/containers.json", dir);
	static const char pj[] = "[{\"id\":\"" ID "\",\"names\":[\"db\"]},{\"id\":\"x\"}]";
	write_file(p, pj, sizeof pj - 1);

	char docker[600], storage[600];
	snprintf(docker, sizeof docker, "%s/docker", dir);
	snprintf(storage, sizeof storage, "%s/storage", dir);
	roots_set(&(struct platform_roots){.docker = docker, .containers = storage});
	struct containers *c = containers_new();
	CHECK(c != NULL);
	CHECK_STR(containers_name(c, "docker", ID), "web");
	CHECK_STR(containers_name(c, "docker", ID), "web"); /* cached */
	CHECK_STR(containers_name(c, "podman", ID), "db");
	CHECK(containers_name(c, "containerd", ID) == NULL);
	CHECK(containers_name(c, "docker", "../../etc") == NULL); /* ids are 64 hex, nothing else */
	CHECK_STR(containers_docker_by_ip(c, "10.1.2.3"), ID);
	CHECK(containers_docker_by_ip(c, "10.1.2.4") == NULL);
	containers_free(c);

	/* truncated state files: no name, no crash */
	snprintf(p, sizeof p, "%s/docker/containers/%s/config.v2.json", dir, ID);
	write_file(p, cfg, 20);
	snprintf(p, sizeof p, "%s/storage/overlay-containers/containers.json", dir);
	write_file(p, pj, 30);
	c = containers_new();
	CHECK(containers_name(c, "docker", ID) == NULL);
	CHECK(containers_name(c, "podman", ID) == NULL);
	containers_free(c);

	roots_set(NULL);
	snprintf(p, sizeof p, "rm -rf '%s'", dir);
	CHECK_INT(system(p), 0);
}
