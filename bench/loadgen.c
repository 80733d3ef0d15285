/* SPDX-License-Identifier: GPL-2.0-or-later */
/* loadgen.c — benchmark load: ~100 processes, ~22,000 sockets, in a private netns. */
/*
 * Layout (defaults): N=100 worker processes; worker i holds
 *   L=10 TCP listeners,
 *   C=90 client ends of connections to worker (i+1)%N's listeners,
 *   C=90 server ends accepted from worker (i-1+N)%N's clients,
 *   U=30 bound UDP sockets,
 * so N*(L+2C+U) = 22,000 sockets and every established pair has its two ends in
 * two different processes. Every other listener (and so every other connection
 * and UDP socket) is IPv6 when ::1 works, so both address families are dumped.
 *
 * Protocol with the caller: one line "READY ..." on stdout once every socket
 * exists; then it waits. SIGTERM/SIGINT/SIGHUP, the death of its parent
 * (PR_SET_PDEATHSIG) or the hard timeout (-t) kill every worker and exit.
 * Workers also die with the coordinator (PR_SET_PDEATHSIG) and have their own
 * alarm, so nothing lingers even after a SIGKILL of the coordinator.
 *
 * It refuses to run outside a private network namespace (use -f to override):
 * it would fill the host's loopback, and it may widen the ephemeral port range
 * (a per-namespace setting) when that range is too small for the load.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PROCS 8192

static int nprocs = 100, nlisten = 10, nconn = 90, nudp = 30, timeout_s = 600;
static int port_base = 2000; /* listener ports: port_base .. port_base + N*L - 1 */
static int use_v6 = 1;
static int own_netns; /* -e: every worker in a network namespace of its own */
static volatile pid_t workers[MAX_PROCS];
static volatile int nworkers;

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "loadgen[%d]: ", (int)getpid());
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	_exit(1);
}

static void kill_workers(void)
{
	for (int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGKILL);
	for (int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			while (waitpid(workers[i], NULL, 0) < 0 && errno == EINTR)
				;
	nworkers = 0;
}

/* Stop signal or hard timeout: SIGKILL every worker from the handler itself (kill,
 * waitpid and _exit are async-signal-safe), so there is no window in which a signal is missed. */
static void on_stop(int sig)
{
	for (int i = 0; i < nworkers; i++)
		if (workers[i] > 0)
			kill(workers[i], SIGKILL);
	for (int i = 0; i < nworkers; i++) /* reap, so they are gone when we exit */
		if (workers[i] > 0)
			while (waitpid(workers[i], NULL, 0) < 0 && errno == EINTR)
				;
	if (sig == SIGALRM) {
		static const char msg[] = "loadgen: hard timeout reached; workers killed\n";
		(void)!write(2, msg, sizeof msg - 1);
	}
	_exit(sig == SIGALRM ? 1 : 0);
}

static int is_v6(int idx)
{
	return use_v6 && (idx & 1);
}

static void fill_sa(struct sockaddr_storage *ss, socklen_t *len, int v6, int port)
{
	memset(ss, 0, sizeof *ss);
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		a->sin6_family = AF_INET6;
		a->sin6_addr = in6addr_loopback;
		a->sin6_port = htons((uint16_t)port);
		*len = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a->sin_port = htons((uint16_t)port);
		*len = sizeof *a;
	}
}

static void read_byte(int fd)
{
	char c;
	ssize_t n;
	while ((n = read(fd, &c, 1)) < 0 && errno == EINTR)
		;
	(void)n; /* EOF is the "go" signal */
}

static void write_byte(int fd, char c)
{
	while (write(fd, &c, 1) < 0)
		if (errno != EINTR)
			die("write to coordinator: %s", strerror(errno));
}

/* -e: move this worker into a new network namespace and bring its lo up. */
static void enter_own_netns(void)
{
	if (unshare(CLONE_NEWNET) < 0)
		die("unshare(CLONE_NEWNET): %s", strerror(errno));
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		die("lo flags: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		die("lo up: %s", strerror(errno));
	close(s);
}

/* One worker: listeners, barrier, connects, accepts, UDP, report, wait forever. */
static void worker(int idx, int ready_w, int go_r, pid_t coord)
{
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != coord)
		_exit(1);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGALRM, SIG_DFL);
	alarm((unsigned)timeout_s + 5); /* own deadline in case the coordinator hangs */
	prctl(PR_SET_NAME, "loadgen-worker");
	if (own_netns)
		enter_own_netns();

	int *lfd = calloc((size_t)nlisten, sizeof *lfd);
	if (!lfd)
		die("out of memory");
	for (int j = 0; j < nlisten; j++) {
		int gidx = idx * nlisten + j;
		int v6 = is_v6(gidx);
		int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			die("socket: %s", strerror(errno));
		int one = 1;
		setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (v6)
			setsockopt(s, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
		struct sockaddr_storage ss;
		socklen_t sl;
		fill_sa(&ss, &sl, v6, port_base + gidx);
		if (bind(s, (struct sockaddr *)&ss, sl) < 0)
			die("bind listener port %d: %s", port_base + gidx, strerror(errno));
		if (listen(s, nconn + 16) < 0)
			die("listen: %s", strerror(errno));
		lfd[j] = s;
	}
	write_byte(ready_w, 'L');
	read_byte(go_r); /* every worker's listeners exist now */
	close(go_r);

	/* Client ends: to the next worker's listeners (with -e, its own: the next
	 * worker is in another namespace), round-robin. A loopback connect completes
	 * in the kernel (the pair waits in the accept queue). */
	int next = own_netns ? idx : (idx + 1) % nprocs;
	for (int k = 0; k < nconn; k++) {
		int gidx = next * nlisten + k % nlisten;
		int v6 = is_v6(gidx);
		int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		if (s < 0)
			die("socket: %s", strerror(errno));
		struct sockaddr_storage ss;
		socklen_t sl;
		fill_sa(&ss, &sl, v6, port_base + gidx);
		while (connect(s, (struct sockaddr *)&ss, sl) < 0)
			if (errno != EINTR)
				die("connect to port %d: %s", port_base + gidx, strerror(errno));
	}
	/* Server ends: the previous worker (with -e, this one) sends exactly nconn, k-th to listener k % L. */
	for (int k = 0; k < nconn; k++) {
		int s;
		while ((s = accept(lfd[k % nlisten], NULL, NULL)) < 0)
			if (errno != EINTR)
				die("accept: %s", strerror(errno));
	}
	for (int k = 0; k < nudp; k++) {
		int v6 = is_v6(k);
		int s = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
		if (s < 0)
			die("socket: %s", strerror(errno));
		struct sockaddr_storage ss;
		socklen_t sl;
		fill_sa(&ss, &sl, v6, 0); /* ephemeral port */
		if (bind(s, (struct sockaddr *)&ss, sl) < 0)
			die("bind udp: %s", strerror(errno));
	}
	write_byte(ready_w, 'D');
	close(ready_w);
	for (;;)
		pause();
}

/* 1 when this looks like a shared (not private) network namespace: the kernel's
 * initial one (fixed inode PROC_NET_INIT_INO, or pid 1's when readable), or any
 * namespace with an interface besides lo — `unshare -n` gives lo only. */
static int in_shared_netns(void)
{
	struct stat self, init;
	if (stat("/proc/self/ns/net", &self) < 0)
		return 1;
	if (self.st_ino == 0xEFFFFFF9u)
		return 1;
	if (stat("/proc/1/ns/net", &init) == 0 && init.st_ino == self.st_ino &&
	    init.st_dev == self.st_dev)
		return 1;
	FILE *fp = fopen("/proc/self/net/dev", "r");
	if (!fp)
		return 1;
	char line[512];
	int others = 0, n = 0;
	while (fgets(line, sizeof line, fp)) {
		if (++n <= 2)
			continue; /* two header lines */
		char name[64];
		if (sscanf(line, " %63[^:]:", name) == 1 && strcmp(name, "lo") != 0)
			others++;
	}
	fclose(fp);
	return others > 0;
}

/* Make room for UDP binds and TCP connects: N*(C+U) ephemeral ports at most. */
static void widen_port_range(long need)
{
	const char *path = "/proc/sys/net/ipv4/ip_local_port_range";
	long lo = 32768, hi = 60999;
	FILE *fp = fopen(path, "r");
	if (fp) {
		if (fscanf(fp, "%ld %ld", &lo, &hi) != 2)
			lo = 32768, hi = 60999;
		fclose(fp);
	}
	long listen_hi = port_base + (long)nprocs * nlisten;
	if (hi - lo + 1 >= need + 1000 && (lo > listen_hi || hi < port_base))
		return;
	/* Above every listener port; as wide as the port space allows. */
	long nlo = listen_hi + 1 > 10000 ? listen_hi + 1 : 10000;
	fp = fopen(path, "w");
	if (!fp || fprintf(fp, "%ld 65535\n", nlo) < 0 || fclose(fp) != 0)
		die("cannot widen %s (need %ld ephemeral ports): %s", path, need, strerror(errno));
	if (65535 - nlo + 1 < need + 1000)
		die("not enough ephemeral ports for %ld sockets; lower -c or -u", need);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: loadgen [-n PROCS] [-l LISTEN] [-c CONN] [-u UDP] [-t TIMEOUT] [-4] [-f] [-e]\n"
		"  per process: LISTEN TCP listeners, CONN outgoing + CONN accepted TCP ends,\n"
		"  UDP bound sockets (defaults 100 x (10 + 2*90 + 30) = 22000 sockets);\n"
		"  prints READY when set up; exits after TIMEOUT s (default 600) or on SIGTERM.\n"
		"  -4 IPv4 only; -f run even in the initial network namespace;\n"
		"  -e every worker in a network namespace of its own (connections stay inside it).\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int force = 0, opt;
	while ((opt = getopt(argc, argv, "n:l:c:u:t:p:4feh")) != -1) {
		switch (opt) {
		case 'n':
			nprocs = atoi(optarg);
			break;
		case 'l':
			nlisten = atoi(optarg);
			break;
		case 'c':
			nconn = atoi(optarg);
			break;
		case 'u':
			nudp = atoi(optarg);
			break;
		case 't':
			timeout_s = atoi(optarg);
			break;
		case 'p':
			port_base = atoi(optarg);
			break;
		case '4':
			use_v6 = 0;
			break;
		case 'f':
			force = 1;
			break;
		case 'e':
			own_netns = 1;
			break;
		default:
			usage();
		}
	}
	if (nprocs < 1 || nprocs > MAX_PROCS || nlisten < 1 || nconn < 0 || nudp < 0 ||
	    timeout_s < 1 || port_base < 1024 || port_base + (long)nprocs * nlisten > 65535)
		usage();

	/* Die with whoever started us (the benchmark script), and never linger. */
	pid_t parent = getppid();
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		return 1;
	if (!force && in_shared_netns())
		die("not in a private network namespace (run under `unshare -n`, or pass -f)");

	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	long per_proc = nlisten + 2L * nconn + nudp + 16;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)per_proc > rl.rlim_cur)
		die("RLIMIT_NOFILE %lu is below the %ld fds a worker needs",
		    (unsigned long)rl.rlim_cur, per_proc);
	if (!force)
		widen_port_range((long)nprocs * (nconn + nudp));

	if (use_v6) { /* ::1 usable? (needs `ip link set lo up` and IPv6 enabled) */
		int s = socket(AF_INET6, SOCK_DGRAM, 0);
		struct sockaddr_storage ss;
		socklen_t sl;
		fill_sa(&ss, &sl, 1, 0);
		if (s < 0 || bind(s, (struct sockaddr *)&ss, sl) < 0)
			use_v6 = 0;
		if (s >= 0)
			close(s);
	}

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	alarm((unsigned)timeout_s);

	int ready[2], go[2];
	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		die("pipe: %s", strerror(errno));
	pid_t me = getpid();
	for (int i = 0; i < nprocs; i++) {
		pid_t p = fork();
		if (p < 0) {
			kill_workers();
			die("fork: %s", strerror(errno));
		}
		if (p == 0) {
			close(ready[0]);
			close(go[1]);
			worker(i, ready[1], go[0], me);
		}
		workers[nworkers] = p; /* recorded before counted: on_stop may read it */
		nworkers = nworkers + 1;
	}
	close(ready[1]);
	close(go[0]);

	/* Two bytes per worker: 'L' (listening) and 'D' (done). EOF = a worker died. */
	int listening = 0, done = 0;
	while (done < nprocs) {
		/* A worker that fails exits; the others keep the pipe open, so look. */
		struct pollfd pfd = {.fd = ready[0], .events = POLLIN};
		if (poll(&pfd, 1, 200) == 0) {
			int st;
			pid_t p = waitpid(-1, &st, WNOHANG);
			if (p > 0) {
				for (int i = 0; i < nworkers; i++)
					if (workers[i] == p)
						workers[i] = 0;
				kill_workers();
				die("worker %d failed during setup", (int)p);
			}
			continue;
		}
		char buf[256];
		ssize_t n = read(ready[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			kill_workers();
			die("a worker failed during setup");
		}
		for (ssize_t k = 0; k < n; k++) {
			if (buf[k] == 'L' && ++listening == nprocs)
				close(go[1]); /* EOF releases every worker at once */
			else if (buf[k] == 'D')
				done++;
		}
	}
	long total = (long)nprocs * (nlisten + 2L * nconn + nudp);
	printf("READY sockets=%ld procs=%d listeners=%ld established=%ld udp=%ld ipv6=%s pid=%d\n",
	       total, nprocs, (long)nprocs * nlisten, 2L * nprocs * nconn, (long)nprocs * nudp,
	       use_v6 ? "yes" : "no", (int)me);
	fflush(stdout);

	/* Wait for a stop signal or the timeout (both handled in on_stop); a worker that
	 * dies on its own breaks the load, so stop everything and say so. */
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, 0);
		if (p < 0 && errno == EINTR)
			continue;
		sigset_t all;
		sigfillset(&all);
		sigprocmask(SIG_BLOCK, &all, NULL);
		for (int i = 0; i < nworkers; i++)
			if (workers[i] == p)
				workers[i] = 0;
		kill_workers();
		fprintf(stderr, "loadgen: worker %d exited; stopping\n", (int)p);
		return 1;
	}
}
