/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockhold.c — test helper: open the sockets named on the command line, say READY, hold them. */
/*
 * Usage: sockhold [--argv0 TEXT] [--arg TEXT]... ACTION... [-- IGNORED...]
 *
 * Actions run in order:
 *   listen:ADDR:PORT[,OPT...]   TCP listener.  OPT: reuseport, v6only, dual (v6only off),
 *                               backlog=N (default 16), accept (accept and hold every
 *                               connection that arrives), dev=IFNAME (SO_BINDTODEVICE)
 *   udp:ADDR:PORT[,OPT...]      bound UDP socket.  OPT: reuseport, v6only, dual, dev=IFNAME
 *   connect:ADDR:PORT           TCP client, connected before READY.  When this process has an
 *                               `accept` listener on PORT, the connection is accepted (and held)
 *                               before READY too.
 *   udpconnect:ADDR:PORT        connected UDP socket (auto-bound)
 *   dup                         dup() the socket made last: one more fd for the same socket
 *   fork[:UID]                  fork; the child holds every socket made so far, nothing else
 *                               (as user UID when given: a pre-forking server's worker)
 *   name:TEXT                   prctl(PR_SET_NAME, TEXT): the comm of this process
 *   title:TEXT                  after every other action, rewrite the argument area as
 *                               setproctitle does (redis, sshd, nginx): TEXT, then NULs up
 *                               to its end, so /proc/PID/cmdline is TEXT and NUL padding
 *   overtitle:TEXT              the same over the arguments and the environment after them (a
 *                               title longer than the arguments, as setproctitle writes it):
 *                               the arguments' last byte is not NUL, so /proc/PID/cmdline
 *                               reads on into the environment up to TEXT's end
 *   fulltitle:TEXT              the same over the whole area, the environment's last NUL too
 *                               (TEXT repeated to fill it): /proc reads on past the area
 * ADDR is an IPv4 literal or an IPv6 literal in brackets ([::1]); PORT 0 picks a free port.
 * TEXT takes C escapes: \xHH \n \t \r \e \\ (so any byte but NUL can be given in ASCII).
 *
 * --argv0 and --arg re-execute this program (same pid) with argv[0] replaced by TEXT and every
 * --arg TEXT appended after "--", so /proc/PID/cmdline holds exactly those bytes.
 *
 * Output (stdout, one line each, flushed):
 *   READY pid=PID [child=PID] s=FD:KIND:LOCALPORT:PEERPORT ...
 *       KIND is listen, udp, connect, udpconnect, accepted or dup; one s= per fd, in order
 *   ACCEPTED fd=FD lport=PORT rport=PORT      a later connection accepted by an `accept` listener
 * Then it waits until killed or until stdin reaches end of file. Errors: "sockhold: ..." on
 * stderr and exit status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define MAX_SOCKS 64

struct sock {
	int fd;
	const char *kind;
	int lport, rport;
	int accept; /* listener that accepts */
};

extern char **environ;

static struct sock socks[MAX_SOCKS];
static int nsocks;
static pid_t child = -1;

__attribute__((format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("sockhold: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode C escapes into a new string; \x00 is refused (argv and comm cannot hold NUL). */
static char *unescape(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;
	if (!out)
		die("out of memory");
	while (*s) {
		if (*s != '\\') {
			*o++ = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			*o++ = '\n';
			s++;
			break;
		case 't':
			*o++ = '\t';
			s++;
			break;
		case 'r':
			*o++ = '\r';
			s++;
			break;
		case 'e':
			*o++ = '\033';
			s++;
			break;
		case '\\':
			*o++ = '\\';
			s++;
			break;
		case 'x': {
			int h = hexdigit(s[1]), l = h >= 0 ? hexdigit(s[2]) : -1;
			if (h < 0 || l < 0 || (h == 0 && l == 0))
				die("bad \\x escape in '%s'", s);
			*o++ = (char)(h * 16 + l);
			s += 3;
			break;
		}
		default:
			die("bad escape '\\%c'", *s ? *s : '0');
		}
	}
	*o = '\0';
	return out;
}

static void add_sock(int fd, const char *kind, int accept)
{
	struct sockaddr_storage a;
	socklen_t len = sizeof a;
	if (nsocks == MAX_SOCKS)
		die("too many sockets");
	struct sock *k = &socks[nsocks++];
	k->fd = fd;
	k->kind = kind;
	k->accept = accept;
	k->lport = k->rport = 0;
	if (getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		k->lport = ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port
							 : ((struct sockaddr_in *)&a)->sin_port);
	len = sizeof a;
	if (getpeername(fd, (struct sockaddr *)&a, &len) == 0)
		k->rport = ntohs(a.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&a)->sin6_port
							 : ((struct sockaddr_in *)&a)->sin_port);
}

/* "ADDR:PORT" (ADDR may be [v6]) into sa; returns the rest after the port (",opts" or ""). */
static const char *parse_endpoint(const char *s, struct sockaddr_storage *sa, socklen_t *salen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *p;
	memset(sa, 0, sizeof *sa);
	if (*s == '[') {
		const char *e = strchr(s, ']');
		if (!e || e[1] != ':' || (size_t)(e - s - 1) >= sizeof host)
			die("bad address in '%s'", s);
		memcpy(host, s + 1, (size_t)(e - s - 1));
		host[e - s - 1] = '\0';
		p = e + 2;
	} else {
		const char *e = strchr(s, ':');
		if (!e || (size_t)(e - s) >= sizeof host)
			die("bad address in '%s'", s);
		memcpy(host, s, (size_t)(e - s));
		host[e - s] = '\0';
		p = e + 1;
	}
	char *end;
	errno = 0;
	unsigned long port = strtoul(p, &end, 10);
	if (end == p || errno || port > 65535 || (*end && *end != ','))
		die("bad port in '%s'", s);
	struct sockaddr_in *v4 = (struct sockaddr_in *)sa;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)sa;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*salen = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*salen = sizeof *v6;
	} else {
		die("bad address '%s'", host);
	}
	return end;
}

struct opts {
	int reuseport, v6only, dual, accept, backlog;
	char dev[IFNAMSIZ];
};

static void parse_opts(const char *s, struct opts *o)
{
	memset(o, 0, sizeof *o);
	o->backlog = 16;
	while (*s == ',') {
		s++;
		size_t n = strcspn(s, ",");
		if (n == 9 && strncmp(s, "reuseport", n) == 0)
			o->reuseport = 1;
		else if (n == 6 && strncmp(s, "v6only", n) == 0)
			o->v6only = 1;
		else if (n == 4 && strncmp(s, "dual", n) == 0)
			o->dual = 1;
		else if (n == 6 && strncmp(s, "accept", n) == 0)
			o->accept = 1;
		else if (n > 8 && strncmp(s, "backlog=", 8) == 0)
			o->backlog = atoi(s + 8);
		else if (n > 4 && n - 4 < IFNAMSIZ && strncmp(s, "dev=", 4) == 0)
			memcpy(o->dev, s + 4, n - 4);
		else
			die("unknown option '%.*s'", (int)n, s);
		s += n;
	}
	if (*s)
		die("trailing text '%s'", s);
}

static int make_socket(const char *spec, int type, struct opts *o)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	parse_opts(parse_endpoint(spec, &sa, &salen), o);
	int fd = socket(sa.ss_family, type | SOCK_CLOEXEC, 0);
	int one = 1, zero = 0;
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one))
		die("SO_REUSEADDR: %s", strerror(errno));
	if (o->reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one))
		die("SO_REUSEPORT: %s", strerror(errno));
	if ((o->v6only || o->dual) && sa.ss_family == AF_INET6 &&
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, o->v6only ? &one : &zero, sizeof one))
		die("IPV6_V6ONLY: %s", strerror(errno));
	if (o->dev[0] &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, o->dev, (socklen_t)strlen(o->dev)))
		die("SO_BINDTODEVICE %s: %s", o->dev, strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, salen))
		die("bind %s: %s", spec, strerror(errno));
	return fd;
}

static void do_connect(const char *spec, int type)
{
	struct sockaddr_storage sa;
	socklen_t salen;
	const char *rest = parse_endpoint(spec, &sa, &salen);
	if (*rest)
		die("connect takes no options: '%s'", spec);
	int fd = socket(sa.ss_family, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sa, salen))
		die("connect %s: %s", spec, strerror(errno));
	add_sock(fd, type == SOCK_STREAM ? "connect" : "udpconnect", 0);
	if (type != SOCK_STREAM)
		return;
	int port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
						  : ((struct sockaddr_in *)&sa)->sin_port);
	for (int i = 0; i < nsocks; i++) {
		if (!socks[i].accept || socks[i].lport != port)
			continue;
		struct pollfd p = {.fd = socks[i].fd, .events = POLLIN};
		if (poll(&p, 1, 5000) != 1)
			die("no connection to accept on port %d", port);
		int a = accept4(socks[i].fd, NULL, NULL, SOCK_CLOEXEC);
		if (a < 0)
			die("accept: %s", strerror(errno));
		add_sock(a, "accepted", 0);
		break;
	}
}

/* Child of `fork`: hold the inherited sockets until the parent or the test goes away. */
static void child_hold(pid_t parent)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	char b[256];
	for (;;) {
		ssize_t n = read(STDIN_FILENO, b, sizeof b);
		if (n == 0 || (n < 0 && errno != EINTR))
			_exit(0);
	}
}

static void reexec(int argc, char **argv, int first_action, const char *argv0, char **extra,
		   int nextra)
{
	char **nv = calloc((size_t)(argc + nextra + 3), sizeof *nv);
	int n = 0;
	if (!nv)
		die("out of memory");
	nv[n++] = unescape(argv0 ? argv0 : argv[0]);
	for (int i = first_action; i < argc && strcmp(argv[i], "--") != 0; i++)
		nv[n++] = argv[i];
	nv[n++] = "--";
	for (int i = 0; i < nextra; i++)
		nv[n++] = unescape(extra[i]);
	nv[n] = NULL;
	execv("/proc/self/exe", nv);
	die("execv /proc/self/exe: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	const char *argv0 = NULL;
	char *extra[16];
	int nextra = 0, i = 1;
	char *title = NULL;
	bool over = false, full = false;
	signal(SIGPIPE, SIG_IGN);
	for (; i < argc; i++) {
		if (strcmp(argv[i], "--argv0") == 0 && i + 1 < argc)
			argv0 = argv[++i];
		else if (strcmp(argv[i], "--arg") == 0 && i + 1 < argc && nextra < 16)
			extra[nextra++] = argv[++i];
		else
			break;
	}
	if (argv0 || nextra)
		reexec(argc, argv, i, argv0, extra, nextra);

	for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
		const char *a = argv[i];
		struct opts o;
		if (strncmp(a, "listen:", 7) == 0) {
			int fd = make_socket(a + 7, SOCK_STREAM, &o);
			if (listen(fd, o.backlog))
				die("listen %s: %s", a, strerror(errno));
			add_sock(fd, "listen", o.accept);
		} else if (strncmp(a, "udp:", 4) == 0) {
			add_sock(make_socket(a + 4, SOCK_DGRAM, &o), "udp", 0);
		} else if (strncmp(a, "connect:", 8) == 0) {
			do_connect(a + 8, SOCK_STREAM);
		} else if (strncmp(a, "udpconnect:", 11) == 0) {
			do_connect(a + 11, SOCK_DGRAM);
		} else if (strcmp(a, "dup") == 0) {
			if (nsocks == 0)
				die("dup: no socket yet");
			int fd = fcntl(socks[nsocks - 1].fd, F_DUPFD_CLOEXEC, 0);
			if (fd < 0)
				die("dup: %s", strerror(errno));
			add_sock(fd, "dup", 0);
		} else if (strcmp(a, "fork") == 0 || strncmp(a, "fork:", 5) == 0) {
			if (child > 0)
				die("only one fork");
			fflush(stdout);
			pid_t parent = getpid();
			int ready[2]; /* the child says it has its user before we go on (and say
					 READY) */
			if (pipe(ready))
				die("pipe: %s", strerror(errno));
			child = fork();
			if (child < 0)
				die("fork: %s", strerror(errno));
			if (child == 0 && a[4] == ':') {
				uid_t u = (uid_t)strtoul(a + 5, NULL, 10);
				if (setresgid(u, u, u) || setresuid(u, u, u))
					die("fork:%s: %s", a + 5, strerror(errno));
			}
			if (child == 0) {
				close(ready[0]);
				if (write(ready[1], "", 1) != 1)
					die("fork: ready: %s", strerror(errno));
				close(ready[1]);
				child_hold(parent);
			}
			char c;
			close(ready[1]);
			if (read(ready[0], &c, 1) != 1)
				die("fork: the child did not start");
			close(ready[0]);
		} else if (strncmp(a, "name:", 5) == 0) {
			char *name = unescape(a + 5);
			if (prctl(PR_SET_NAME, name))
				die("PR_SET_NAME: %s", strerror(errno));
			free(name);
		} else if (strncmp(a, "title:", 6) == 0 || strncmp(a, "overtitle:", 10) == 0 ||
			   strncmp(a, "fulltitle:", 10) == 0) {
			free(title);
			over = a[0] != 't';
			full = a[0] == 'f';
			title = unescape(a + (over ? 10 : 6));
		} else {
			die("unknown action '%s'", a);
		}
	}
	if (title) { /* the actions live in the area it overwrites: last */
		size_t area = (size_t)(argv[argc - 1] + strlen(argv[argc - 1]) - argv[0]);
		/* the environment's strings that follow the arguments, back to back */
		for (char **e = environ; over && *e && *e == argv[0] + area + 1; e++)
			area += 1 + strlen(*e);
		size_t n = strlen(title) < area ? strlen(title) : area;
		memset(argv[0], 0, area);
		memcpy(argv[0], title, n);
		for (size_t j = 0; full && *title && j <= area; j++) /* over the last NUL too */
			argv[0][j] = title[j % strlen(title)];
		free(title);
	}

	printf("READY pid=%d", (int)getpid());
	if (child > 0)
		printf(" child=%d", (int)child);
	for (int k = 0; k < nsocks; k++)
		printf(" s=%d:%s:%d:%d", socks[k].fd, socks[k].kind, socks[k].lport,
		       socks[k].rport);
	printf("\n");
	fflush(stdout);

	for (;;) {
		struct pollfd p[MAX_SOCKS + 1];
		int idx[MAX_SOCKS + 1], np = 0;
		p[np] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		idx[np++] = -1;
		for (int k = 0; k < nsocks; k++)
			if (socks[k].accept) {
				p[np] = (struct pollfd){.fd = socks[k].fd, .events = POLLIN};
				idx[np++] = k;
			}
		if (poll(p, (nfds_t)np, -1) < 0) {
			if (errno == EINTR)
				continue;
			die("poll: %s", strerror(errno));
		}
		if (p[0].revents) {
			char b[256];
			ssize_t n = read(STDIN_FILENO, b, sizeof b);
			if (n == 0 || (n < 0 && errno != EINTR))
				break;
		}
		for (int j = 1; j < np; j++) {
			if (!(p[j].revents & POLLIN))
				continue;
			int a = accept4(socks[idx[j]].fd, NULL, NULL, SOCK_CLOEXEC);
			if (a < 0)
				continue;
			add_sock(a, "accepted", 0);
			printf("ACCEPTED fd=%d lport=%d rport=%d\n", a, socks[nsocks - 1].lport,
			       socks[nsocks - 1].rport);
			fflush(stdout);
		}
	}
	if (child > 0)
		kill(child, SIGKILL);
	return 0;
}
