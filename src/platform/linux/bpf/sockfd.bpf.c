/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockfd.bpf.c — BPF iterator over every task's files: one record per TCP/UDP socket fd
 * (read-only). Sleepable (Linux 5.18): it reads its owners' command lines and environments;
 * built with SOCKFD_PLAIN (sockfd0.bpf.c), the program of a kernel that refuses this one: not
 * sleepable, its process records say nothing of the program (/proc is read); sockone.bpf.c (a
 * narrow query's pass) builds it plain too. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "sockfd.h"

/* bpf_seq_write is a GPL-only helper. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET 2
#define AF_INET6 10
#define MAX_PID_LEVEL 32 /* MAX_PID_NS_LEVEL */

/* Set by the reader before loading (read-only data). */
const volatile __u32 want_netns = 0;   /* only sockets of this network namespace; 0: every one */
const volatile __u32 reader_pidns = 0; /* the PID namespace to number pids in (nsfs inode) */

/* The last thread-group leader seen, and its pid as the reader numbers it (-1: not visible
 * there): each new one gets a marker record (fd -1), and its sockets reuse the number. */
__s32 last_tgid = 0;
__s32 last_pid = -1;
/* The last thread group whose process record (SOCKFD_PROC) was written. */
__s32 info_tgid = 0;

/*
 * The number of struct pid `p` in the reader's PID namespace: the numbers[] entry whose
 * namespace is the reader's; -1 when it is not visible there.
 */
static __always_inline __s32 pid_in_reader(struct pid *p)
{
	unsigned int level = BPF_CORE_READ(p, level);
	for (int i = 0; i < MAX_PID_LEVEL; i++) {
		if ((unsigned int)i > level)
			break;
		struct upid up;
		if (bpf_core_read(&up, sizeof up, &p->numbers[i]))
			break;
		if (BPF_CORE_READ(up.ns, ns.inum) == reader_pidns)
			return up.nr;
	}
	return -1;
}

/* The pid of `task` in the reader's PID namespace; -1 when it is not visible there. */
static __always_inline __s32 reader_pid(struct task_struct *task)
{
	return pid_in_reader(BPF_CORE_READ(task, thread_pid));
}

#ifndef SOCKFD_PLAIN
/* Scratch room for a record's texts (one pass reads this program's map at a time). */
struct scratch {
	char area[SOCKFD_AREA_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct scratch);
} scratch SEC(".maps");

/*
 * What `task`'s program is, into *id and s: the file it runs (the exe link's text stays
 * /proc's: bpf_d_path refuses the untrusted pointer mm->exe_file is), and the area its
 * arguments and environment occupy (what /proc/PID/cmdline and environ read). An exec between the
 * first read and the last (another memory, or the exec counter moved) leaves SOCKFD_ID_ONE unset:
 * the reader uses /proc then.
 */
static __always_inline void ident_read(struct task_struct *task, struct task_struct *lead,
				       struct sockfd_ident *id, struct scratch *s)
{
	struct mm_struct *mm = task->mm;
	__u32 exec_id = BPF_CORE_READ(lead, self_exec_id);
	if (!mm || (struct mm_struct *)BPF_CORE_READ(lead, mm) != mm)
		return;
	struct file *exe = mm->exe_file;
	if (exe) {
		id->exe_ino = exe->f_inode->i_ino;
		id->exe_dev = exe->f_inode->i_sb->s_dev;
	}
	unsigned long as = mm->arg_start, ae = mm->arg_end, es = mm->env_start, ee = mm->env_end;
	id->arg_len = ae - as;
	if (ee && as < ae && es == ae && ee >= es) {
		id->total = ee - as;
		__u32 n = id->total < SOCKFD_AREA_MAX ? (__u32)id->total : SOCKFD_AREA_MAX - 1;
		n &= SOCKFD_AREA_MAX - 1;
		if (n > 0 && bpf_copy_from_user_task(s->area, n, (void *)as, task, 0) == 0) {
			id->area_len = n;
			id->flags |= SOCKFD_ID_AREA;
		}
	}
	if ((struct mm_struct *)BPF_CORE_READ(lead, mm) == mm && task->mm == mm &&
	    BPF_CORE_READ(lead, self_exec_id) == exec_id)
		id->flags |= SOCKFD_ID_ONE;
}

#endif

/*
 * The process record of the thread group of `task` (numbered last_pid), written before its first
 * socket: what /proc/PID/stat and status say of its leader, then what its program is
 * (ident_read). The start time adds the reader's time namespace offset, as /proc does
 * (timens_add_boottime_ns).
 */
static __always_inline void proc_record(struct seq_file *seq, struct task_struct *task)
{
	struct task_struct *lead = task->group_leader;
	struct {
		struct sockfd_rec head;
		struct sockfd_proc p;
		struct sockfd_ident id;
	} r = {0};
	r.head.pid = last_pid;
	r.head.fd = -1;
	r.head.kind = SOCKFD_PROC;
	r.p.start_ns = BPF_CORE_READ(lead, start_boottime);
	struct task_struct *me = bpf_get_current_task_btf();
	struct timespec64 off = BPF_CORE_READ(me, nsproxy, time_ns, offsets.boottime);
	r.p.start_ns += (__u64)off.tv_sec * 1000000000ull + (__u64)off.tv_nsec;
	const struct cred *c = BPF_CORE_READ(lead, real_cred);
	r.p.uid = BPF_CORE_READ(c, uid.val);
	r.p.euid = BPF_CORE_READ(c, euid.val);
	r.p.gid = BPF_CORE_READ(c, gid.val);
	r.p.egid = BPF_CORE_READ(c, egid.val);
	r.p.userns = BPF_CORE_READ(c, user_ns, ns.inum);
	r.p.mntns = BPF_CORE_READ(lead, nsproxy, mnt_ns, ns.inum);
	__s32 pp = reader_pid(BPF_CORE_READ(lead, real_parent, group_leader));
	r.p.ppid = pp < 0 ? 0 : pp;
	r.p.cgroups = (__u64)BPF_CORE_READ(lead, cgroups);
	r.p.exe_inode = (__u64)BPF_CORE_READ(lead, mm, exe_file, f_inode);
	r.p.root_mnt = (__u64)BPF_CORE_READ(lead, fs, root.mnt);
	r.p.root_dentry = (__u64)BPF_CORE_READ(lead, fs, root.dentry);
	if (bpf_core_field_exists(((struct pid *)0)->ino))
		r.p.pid_ino = BPF_CORE_READ(lead, thread_pid, ino);
#ifndef SOCKFD_PLAIN
	__u32 zero = 0;
	struct scratch *s = bpf_map_lookup_elem(&scratch, &zero);
	if (s)
		ident_read(task, lead, &r.id, s);
#endif
	/* the name as the program has it after the reads (an exec renames it) */
	bpf_probe_read_kernel_str(r.p.comm, sizeof r.p.comm, &lead->comm);
	bpf_seq_write(seq, &r, sizeof r);
#ifndef SOCKFD_PLAIN
	/* (below its room: a mask the verifier keeps) */
	__u32 n = r.id.area_len & (SOCKFD_AREA_MAX - 1);
	if (s && n)
		bpf_seq_write(seq, s->area, n);
#endif
}

/* The process record of `task`'s thread group, once, before its first socket record. */
static __always_inline void proc_record_once(struct seq_file *seq, struct task_struct *task)
{
	if (info_tgid != task->tgid) {
		info_tgid = task->tgid;
		proc_record(seq, task);
	}
}

#define ANON_INODE_FS_MAGIC 0x09041934

/* Whether `file` is an io_uring ring (an anonymous inode named "[io_uring]"). */
static __always_inline bool is_ring(struct file *file)
{
	struct inode *ino = BPF_CORE_READ(file, f_inode);
	if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != ANON_INODE_FS_MAGIC)
		return false;
	char name[11] = {0};
	const unsigned char *n = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (!n || bpf_probe_read_kernel(name, sizeof name, n))
		return false;
	static const char want[11] = "[io_uring]";
#pragma unroll
	for (int i = 0; i < 11; i++)
		if (name[i] != want[i])
			return false;
	return true;
}

/*
 * An io_uring ring (an anonymous inode named "[io_uring]"): its fixed files hold sockets that
 * have no fd. Say where it is; the reader reads its table from /proc (fdinfo), whose layout
 * this program would otherwise have to follow across kernels.
 */
static __always_inline int ring_record(struct seq_file *seq, struct task_struct *task,
				       struct file *file, __u32 fd)
{
	if (!is_ring(file))
		return 0;
	__s32 tid = reader_pid(task);
	if (tid < 0)
		return 0;
	struct sockfd_rec rec = {
	    .inode = (__u64)tid, .pid = last_pid, .fd = (__s32)fd, .kind = SOCKFD_RING};
	bpf_seq_write(seq, &rec, sizeof rec);
	return 0;
}

#define IO_RINGFD_REG_MAX 16 /* the kernel's size of a task's registered ring table */
#define RING_FILES_MAX 256   /* fixed files looked at per registered ring */
#define S_IFMT 00170000
#define S_IFSOCK 0140000

/* One registered ring's fixed-file table, walked by bpf_loop (ring_file). */
struct ring_walk {
	struct seq_file *seq;
	struct io_rsrc_node **nodes;
	unsigned int nr;
};

/* Fixed file i of a ring: a socket's record. A bpf_loop callback, so the verifier checks this
 * body once instead of once per iteration of every ring (RING_FILES_MAX x IO_RINGFD_REG_MAX
 * unrolled made loading the program take 0.3-0.6 s; ring_reg likewise). */
static long ring_file(__u32 i, void *data)
{
	struct ring_walk *w = data;
	if (i >= w->nr)
		return 1;
	struct io_rsrc_node *node = NULL;
	if (bpf_probe_read_kernel(&node, sizeof node, &w->nodes[i]) || !node)
		return 0;
	unsigned long ptr = BPF_CORE_READ(node, file_ptr);
	struct file *f = (struct file *)(ptr & ~3UL); /* FFS_NOWAIT | FFS_ISREG */
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	if (!ino || (BPF_CORE_READ(ino, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	struct sockfd_rec rec = {.inode = BPF_CORE_READ(ino, i_ino),
				 .pid = last_pid,
				 .fd = (__s32)i,
				 .kind = SOCKFD_RINGREG};
	bpf_seq_write(w->seq, &rec, sizeof rec);
	return 0;
}

/* A task's registered ring table, walked by bpf_loop (ring_reg). */
struct rings_walk {
	struct seq_file *seq;
	struct io_uring_task *tctx;
};

/* Registered ring r of a task: its fixed files' sockets. */
static long ring_reg(__u32 r, void *data)
{
	struct rings_walk *rw = data;
	struct io_uring_task *tctx = rw->tctx; /* a local struct's field: no CO-RE relocation */
	struct file *ring = NULL;
	bpf_core_read(&ring, sizeof ring, &tctx->registered_rings[r]);
	if (!ring || !is_ring(ring))
		return 0;
	struct io_ring_ctx *ctx = BPF_CORE_READ(ring, private_data);
	struct ring_walk w = {.seq = rw->seq,
			      .nodes = BPF_CORE_READ(ctx, file_table.data.nodes),
			      .nr = BPF_CORE_READ(ctx, file_table.data.nr)};
	bpf_loop(RING_FILES_MAX, ring_file, &w, 0);
	return 0;
}

/*
 * The sockets a ring in `task`'s registered ring table holds as fixed files: a ring whose own
 * fd was registered and closed is reachable from nowhere else (not its fd table, not /proc, and
 * with IORING_SETUP_NO_MMAP not its mappings either). Read with CO-RE; a kernel whose ring
 * layout differs (before 6.13: no io_rsrc_data table) skips it, leaving those sockets to the
 * "held by no file table" answer.
 */
static __always_inline void ringreg_records(struct seq_file *seq, struct task_struct *task)
{
	/* each guard is a constant after relocation: a kernel without io_uring (or with another
	 * layout) drops this code instead of refusing the program */
	if (!bpf_core_field_exists(task->io_uring) ||
	    !bpf_core_field_exists(((struct io_uring_task *)0)->registered_rings) ||
	    !bpf_core_field_exists(((struct io_ring_ctx *)0)->file_table.data) ||
	    !bpf_core_field_exists(((struct io_rsrc_node *)0)->file_ptr))
		return;
	struct io_uring_task *tctx = BPF_CORE_READ(task, io_uring);
	if (!tctx)
		return;
	/* the owner's process record comes before its first socket record, as for an fd's */
	bool any = false;
	for (int r = 0; r < IO_RINGFD_REG_MAX && !any; r++) {
		struct file *ring = NULL;
		bpf_core_read(&ring, sizeof ring, &tctx->registered_rings[r]);
		any = ring != NULL;
	}
	if (!any)
		return;
	proc_record_once(seq, task);
	struct rings_walk rw = {.seq = seq, .tctx = tctx};
	bpf_loop(IO_RINGFD_REG_MAX, ring_reg, &rw, 0);
}

/* The last task whose registered rings were read (each task with a file table of its own). */
__s32 last_tid = 0;

#ifdef SOCKFD_NO_FILE_ITER
/* sockone.bpf.c: pid_in_reader from a struct pid's address (a number), as a global function,
 * which the verifier checks once instead of at each use. */
__noinline __s32 pid_of(__u64 pid)
{
	return pid_in_reader((struct pid *)pid);
}
#define LEADER_PID(task) pid_of((__u64)BPF_CORE_READ(task, group_leader, thread_pid))
#else
/* The pid of `task`'s leader as the reader numbers it. */
#define LEADER_PID(task) reader_pid((task)->group_leader)
#endif

/*
 * A task's files are about to be read: its process's marker record (fd -1) when the process is a
 * new one (the "scanned" count), and the sockets of its registered rings once per task. False
 * when its process is not visible in the reader's PID namespace (nothing of it is written).
 */
static __always_inline bool task_begin(struct seq_file *seq, struct task_struct *task)
{
	if (task->tgid != last_tgid) {
		last_tgid = task->tgid;
		last_pid = LEADER_PID(task);
		struct sockfd_rec mark = {.pid = last_pid, .fd = -1};
		mark.netns = BPF_CORE_READ(task, group_leader, nsproxy, net_ns, ns.inum);
		if (mark.pid >= 0)
			bpf_seq_write(seq, &mark, sizeof mark);
	}
	if (last_pid < 0)
		return false;
	if (task->pid != last_tid) {
		last_tid = task->pid;
		ringreg_records(seq, task);
	}
	return true;
}

#ifndef SOCKFD_NO_FILE_ITER /* sockone.bpf.c (a narrow query): the same records, its own walk */
#ifdef SOCKFD_PLAIN
SEC("iter/task_file")
#else
SEC("iter.s/task_file")
#endif
int sockfd(struct bpf_iter__task_file *ctx)
{
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	if (!task || !file)
		return 0;
	/*
	 * The kernel walks a thread other than the leader only when its file table is not the
	 * leader's (task_seq_get_next skips duplicates): one that unshared it (CLONE_FILES), or
	 * every thread of a leader that exited (pthread_exit). Its files are the process's too,
	 * numbered by the leader's pid (the reader sorts and merges).
	 */
	struct seq_file *seq = ctx->meta->seq;
	if (!task_begin(seq, task))
		return 0;
	/*
	 * A socket file (the kernel checks its file operations: an O_PATH fd of a socket's
	 * path is not one). From here every read is a direct load of a kernel pointer the
	 * verifier knows the type of (a fault reads as zero), far cheaper per fd than the
	 * bpf_probe_read_kernel calls of BPF_CORE_READ.
	 */
	struct socket *sock = bpf_sock_from_file(file);
	if (!sock)
		return ring_record(seq, task, file, ctx->fd);
	struct sockfd_rec rec = {0};
	rec.inode = file->f_inode->i_ino;
	struct sock *sk = sock->sk;
	if (!sk)
		return 0;
	__u16 family = sk->__sk_common.skc_family;
	if (family != AF_INET && family != AF_INET6)
		return 0;
	rec.netns = sk->__sk_common.skc_net.net->ns.inum;
	if (want_netns && rec.netns != want_netns)
		return 0;
	proc_record_once(seq, task);
	rec.pid = last_pid;
	rec.fd = (__s32)ctx->fd;
	bpf_seq_write(seq, &rec, sizeof rec);
	return 0;
}
#endif
