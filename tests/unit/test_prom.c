/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test_prom.c — the Prometheus series of a snapshot read from a file (no verdicts): reach, info. */
#include <stdlib.h>
#include <string.h>

#include "../../src/model/snapload.h"
#include "../../src/output/prom.h"
#include "test.h"
#include "testutil.h"

/* A web server on 127.0.0.1:8080 (twice: SO_REUSEPORT) and on [::1]:8080, and a UDP socket on
 * every address (a wildcard counts as reachable from public addresses when not judged). */
static const char snap_json[] =
    "{\"schema\":1,\"sockets\":[\n"
    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"listen\",\"local\":{\"addr\":\"127.0.0.1\","
    "\"port\":8080},\"owners\":[{\"pid\":42,\"fd\":3,\"name\":\"web\",\"exe\":\"/usr/bin/we\\\"b\","
    "\"unit\":\"web.service\"}]},\n"
    "{\"proto\":\"tcp\",\"family\":\"inet\",\"state\":\"listen\",\"local\":{\"addr\":\"127.0.0.1\","
    "\"port\":8080},\"owners\":[{\"pid\":42,\"fd\":4,\"name\":\"web\",\"exe\":\"/usr/bin/we\\\"b\","
    "\"unit\":\"web.service\"}]},\n"
    "{\"proto\":\"tcp\",\"family\":\"inet6\",\"state\":\"listen\",\"local\":{\"addr\":\"::1\","
    "\"port\":8080},\"owners\":[{\"pid\":42,\"fd\":5,\"name\":\"web\",\"exe\":\"/usr/bin/we\\\"b\","
    "\"unit\":\"web.service\"}]},\n"
    "{\"proto\":\"udp\",\"state\":\"unconn\",\"local\":{\"addr\":\"0.0.0.0\",\"port\":53},"
    "\"owners\":[]}\n"
    "],\"privileged\":true}";

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

TEST(prometheus_reach_and_info_series)
{
	struct snapfile f;
	struct snapload_error e;
	char *c = tu_exact(snap_json, strlen(snap_json));
	CHECK_INT(snapload_parse(c, strlen(snap_json), NULL, &f, &e), 0);
	free(c);
	struct diff_side side = {.snap = &f.snap, .exposure = f.exposure};
	struct buf b = {0};
	CHECK_INT(prom_listener_metrics(&b, &side), 0);
	CHECK_INT(buf_putc(&b, '\0'), 0);
	const char *t = b.data;
	/* the REUSEPORT pair is one listener; v4 and v6 loopback: two */
	CHECK(strstr(t, "portsleuth_listeners_reach{proto=\"tcp\",reach=\"loopback\"} 2\n") !=
	      NULL);
	CHECK(strstr(t, "portsleuth_listeners_reach{proto=\"tcp\",reach=\"public\"} 0\n") != NULL);
	CHECK(strstr(t, "portsleuth_listeners_reach{proto=\"udp\",reach=\"public\"} 1\n") != NULL);
	CHECK_INT(count(t, "portsleuth_listeners_reach{"), 8); /* 2 protocols x 4 classes */
	CHECK_INT(count(t, "reach=\"all-interfaces\""), 0);
	/* one info series for the program's three sockets on 8080, label values escaped */
	CHECK_INT(count(t, "portsleuth_listener_info{proto=\"tcp\",port=\"8080\""), 1);
	CHECK(strstr(t, "portsleuth_listener_info{proto=\"tcp\",port=\"8080\",program=\"/usr/bin/"
			"we\\\"b\",unit=\"web.service\",container=\"\",service=\"\",class=\"\","
			"reach=\"loopback\"} 1\n") != NULL);
	CHECK(strstr(t, "portsleuth_listener_info{proto=\"udp\",port=\"53\",program=\"\",unit=\"\","
			"container=\"\",service=\"\",class=\"\",reach=\"public\"} 1\n") != NULL);
	/* not judged: no finding pairs, every severity at zero */
	CHECK_INT(count(t, "portsleuth_findings{"), 0);
	CHECK(strstr(t, "portsleuth_findings_by_severity{severity=\"alert\"} 0\n") != NULL);
	CHECK_INT(count(t, "portsleuth_findings_by_severity{"), 4);
	buf_free(&b);
	snapfile_free(&f);
}

TEST(prometheus_check_result_is_one_hot)
{
	struct buf b = {0};
	CHECK_INT(prom_check_result(&b, "unverified"), 0);
	CHECK_INT(buf_putc(&b, '\0'), 0);
	CHECK(strstr(b.data, "portsleuth_check_result{result=\"clean\"} 0\n") != NULL);
	CHECK(strstr(b.data, "portsleuth_check_result{result=\"violated\"} 0\n") != NULL);
	CHECK(strstr(b.data, "portsleuth_check_result{result=\"unverified\"} 1\n") != NULL);
	buf_free(&b);
}
