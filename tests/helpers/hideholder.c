/* SPDX-License-Identifier: GPL-2.0-or-later */
/* hideholder.c — test helper: a listener whose owner tries to hide or borrow an identity (issue
 * 19).
 *
 *   hideholder exefake PORT TARGET [decoy]
 *       In a user namespace of its own (unshare CLONE_NEWUSER: no privilege needed), replace every
 *       mapping of its own executable by an anonymous copy, point /proc/self/exe at TARGET with
 *       prctl(PR_SET_MM, PR_SET_MM_MAP, exe_fd), listen on 0.0.0.0:PORT. "decoy": then map TARGET
 *       read-only too, so a mapping of it exists.
 *   hideholder thread-exit PORT    listen, start a thread that accepts, end the main thread
 *   hideholder thread-files PORT   a thread unshares its file table and listens there
 *   hideholder uring PORT          listen, register the socket as an io_uring fixed file, close
 *                                  its fd, accept through the ring (IOSQE_FIXED_FILE)
 *   hideholder uring-hidden PORT   the same, then the ring's own fd is registered
 *                                  (IORING_REGISTER_RING_FDS) and closed: the ring is reachable
 *                                  only through the task's ring table and its SQ/CQ mappings
 *   hideholder uring-nommap PORT   the same with a ring made IORING_SETUP_NO_MMAP (its rings in
 *                                  our own memory): no mapping names the ring either
 *   hideholder inflight PORT       listen, send the socket over a UNIX socketpair (SCM_RIGHTS),
 *                                  close it: only the message in flight holds it
 *
 * Prints "READY pid=PID" when set up, then waits to be killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/io_uring.h>
#include <linux/prctl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static void die(const char *what)
{
	fprintf(stderr, "hideholder: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int listen_on(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 8) < 0)
		die("listen");
	return s;
}

static void ready(void)
{
	printf("READY pid=%d\n", getpid());
	fflush(stdout);
}

static void wait_forever(void)
{
	for (;;)
		pause();
}

/* Replace every mapping of our own executable by an anonymous copy with the same contents,
 * at the same address: the code keeps running, and no mapping is the file any more. */
static void unmap_self(void)
{
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n < 0)
		die("readlink /proc/self/exe");
	self[n] = '\0';
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		die("maps");
	struct {
		unsigned long lo, hi;
		int prot;
	} m[64];
	size_t nm = 0;
	char line[4352];
	while (nm < 64 && fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8], path[4096] = "";
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095[^\n]", &lo, &hi, perms, path) < 3)
			continue;
		if (strcmp(path, self) != 0)
			continue;
		m[nm].lo = lo;
		m[nm].hi = hi;
		m[nm].prot = (perms[0] == 'r' ? PROT_READ : 0) |
			     (perms[1] == 'w' ? PROT_WRITE : 0) | (perms[2] == 'x' ? PROT_EXEC : 0);
		nm++;
	}
	fclose(f);
	for (size_t i = 0; i < nm; i++) {
		size_t len = m[i].hi - m[i].lo;
		void *tmp =
		    mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (tmp == MAP_FAILED)
			die("mmap");
		if (!(m[i].prot & PROT_READ) && mprotect((void *)m[i].lo, len, PROT_READ) < 0)
			die("mprotect");
		memcpy(tmp, (void *)m[i].lo, len);
		if (mprotect(tmp, len, m[i].prot) < 0)
			die("mprotect copy");
		if (mremap(tmp, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)m[i].lo) ==
		    MAP_FAILED)
			die("mremap");
	}
}

/* /proc/self/stat fields 26.. (start_code ...) as the kernel keeps them: PR_SET_MM_MAP wants them
 * all, and they are valid as they are. */
static void set_exe(int exe_fd)
{
	char buf[4096];
	int fd = open("/proc/self/stat", O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (n <= 0)
		die("stat");
	close(fd);
	buf[n] = '\0';
	char *p = strrchr(buf, ')');
	unsigned long long v[60] = {0};
	int field = 2;
	for (char *t = strtok(p + 2, " "); t && field < 59; t = strtok(NULL, " "))
		v[++field] = strtoull(t, NULL, 10);
	struct prctl_mm_map mm = {
	    .start_code = v[26],
	    .end_code = v[27],
	    .start_stack = v[28],
	    .start_data = v[45],
	    .end_data = v[46],
	    .start_brk = v[47],
	    .brk = (unsigned long)syscall(SYS_brk, 0),
	    .arg_start = v[48],
	    .arg_end = v[49],
	    .env_start = v[50],
	    .env_end = v[51],
	    .auxv = NULL,
	    .auxv_size = 0,
	    .exe_fd = (unsigned)exe_fd,
	};
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, &mm, sizeof mm, 0) < 0)
		die("prctl PR_SET_MM_MAP");
}

static void exefake(int port, const char *target, int decoy)
{
	if (unshare(CLONE_NEWUSER) < 0)
		die("unshare CLONE_NEWUSER");
	int fd = open(target, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(target);
	unmap_self();
	set_exe(fd);
	if (decoy && mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0) == MAP_FAILED)
		die("decoy mmap");
	close(fd);
	listen_on(port);
	ready();
	wait_forever();
}

static void *acceptor(void *arg)
{
	int s = *(int *)arg;
	for (;;) {
		int c = accept(s, NULL, NULL);
		if (c >= 0)
			close(c);
	}
	return NULL;
}

static void thread_exit(int port)
{
	static int s;
	s = listen_on(port);
	pthread_t t;
	if (pthread_create(&t, NULL, acceptor, &s))
		die("pthread_create");
	ready();
	pthread_exit(NULL);
}

static void *own_files(void *arg)
{
	int port = *(int *)arg;
	if (unshare(CLONE_FILES) < 0)
		die("unshare CLONE_FILES");
	int s = listen_on(port);
	(void)s;
	ready();
	wait_forever();
	return NULL;
}

static void thread_files(int port)
{
	static int p;
	p = port;
	pthread_t t;
	if (pthread_create(&t, NULL, own_files, &p))
		die("pthread_create");
	wait_forever();
}

/* Queue one accept on fixed file 0 through the ring's SQ (mapped at sq, its SQEs at sqes). */
static void queue_accept(char *sq, struct io_uring_sqe *sqes, const struct io_uring_params *par)
{
	unsigned *tail = (unsigned *)(sq + par->sq_off.tail),
		 *array = (unsigned *)(sq + par->sq_off.array);
	memset(&sqes[0], 0, sizeof sqes[0]);
	sqes[0].opcode = IORING_OP_ACCEPT;
	sqes[0].fd = 0; /* fixed file 0 */
	sqes[0].flags = IOSQE_FIXED_FILE;
	array[0] = 0;
	__atomic_store_n(tail, *tail + 1, __ATOMIC_RELEASE);
}

#ifndef IORING_SETUP_NO_MMAP
#define IORING_SETUP_NO_MMAP (1U << 14)
#endif

/*
 * A ring whose SQ/CQ and SQEs live in our own memory (IORING_SETUP_NO_MMAP, Linux 6.5): the
 * kernel maps nothing of the ring. 0 and the ring's fd, or -1 when the kernel refuses the flag.
 */
static int ring_nommap(struct io_uring_params *par, char **sq, struct io_uring_sqe **sqes)
{
	size_t page =
	    1u << 21; /* one huge-page-sized region each: the kernel wants them contiguous */
	char *rings = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *sqe = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rings == MAP_FAILED || sqe == MAP_FAILED)
		die("mmap");
	memset(rings, 0, 4096);
	memset(sqe, 0, 4096);
	memset(par, 0, sizeof *par);
	par->flags = IORING_SETUP_NO_MMAP;
	par->sq_off.resv2 = (unsigned long)sqe; /* user_addr in newer headers */
	par->cq_off.resv2 = (unsigned long)rings;
	int ring = (int)syscall(SYS_io_uring_setup, 4, par);
	if (ring < 0)
		return -1;
	*sq = rings; /* SQ and CQ share one region (IORING_FEAT_SINGLE_MMAP) */
	*sqes = (struct io_uring_sqe *)sqe;
	return ring;
}

/*
 * mode 0: the ring's fd stays; 1: the ring's fd is registered in the task's ring table and
 * closed (its mappings keep it too); 2: the same with a ring that is mapped nowhere.
 */
static void uring(int port, int mode)
{
	int s = listen_on(port);
	struct io_uring_params par = {0};
	char *sq;
	struct io_uring_sqe *sqes;
	int ring;
	if (mode == 2) {
		if ((ring = ring_nommap(&par, &sq, &sqes)) < 0) {
			printf("UNSUPPORTED %s\n", strerror(errno));
			fflush(stdout);
			exit(3);
		}
	} else {
		ring = (int)syscall(SYS_io_uring_setup, 4, &par);
		if (ring < 0)
			die("io_uring_setup");
		size_t sqsz = par.sq_off.array + par.sq_entries * sizeof(unsigned);
		sq = mmap(NULL, sqsz, PROT_READ | PROT_WRITE, MAP_SHARED, ring, IORING_OFF_SQ_RING);
		sqes = mmap(NULL, par.sq_entries * sizeof *sqes, PROT_READ | PROT_WRITE, MAP_SHARED,
			    ring, IORING_OFF_SQES);
		if (sq == MAP_FAILED || sqes == MAP_FAILED)
			die("mmap ring");
	}
	if (syscall(SYS_io_uring_register, ring, IORING_REGISTER_FILES, &s, 1) < 0)
		die("io_uring_register");
	close(s);
	queue_accept(sq, sqes, &par);
	if (syscall(SYS_io_uring_enter, ring, 1, 0, 0, NULL, 0) < 0)
		die("io_uring_enter");
	if (mode) {
		struct io_uring_rsrc_update up = {.offset = -1U, .data = (unsigned long)ring};
		if (syscall(SYS_io_uring_register, ring, IORING_REGISTER_RING_FDS, &up, 1) != 1)
			die("IORING_REGISTER_RING_FDS");
		close(ring);
	}
	ready();
	wait_forever();
}

static void inflight(int port)
{
	int s = listen_on(port), sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
		die("socketpair");
	char byte = 'x', cbuf[CMSG_SPACE(sizeof(int))] = {0};
	struct iovec io = {.iov_base = &byte, .iov_len = 1};
	struct msghdr mh = {
	    .msg_iov = &io, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &s, sizeof s);
	if (sendmsg(sp[0], &mh, 0) < 0)
		die("sendmsg");
	close(s);
	ready();
	wait_forever();
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: hideholder MODE PORT [...]\n");
		return 2;
	}
	int port = atoi(argv[2]);
	if (strcmp(argv[1], "exefake") == 0 && argc >= 4)
		exefake(port, argv[3], argc > 4 && strcmp(argv[4], "decoy") == 0);
	else if (strcmp(argv[1], "thread-exit") == 0)
		thread_exit(port);
	else if (strcmp(argv[1], "thread-files") == 0)
		thread_files(port);
	else if (strcmp(argv[1], "uring") == 0)
		uring(port, 0);
	else if (strcmp(argv[1], "uring-hidden") == 0)
		uring(port, 1);
	else if (strcmp(argv[1], "uring-nommap") == 0)
		uring(port, 2);
	else if (strcmp(argv[1], "inflight") == 0)
		inflight(port);
	fprintf(stderr, "hideholder: unknown mode %s\n", argv[1]);
	return 2;
}
