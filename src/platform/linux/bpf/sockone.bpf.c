/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sockone.bpf.c — the narrow query's pass (a few wanted socket inodes: one port): the records of
 * sockfd.bpf.c, whose code it shares, from a walk of each file table by the program itself
 * (iter/task) instead of one program run per file (iter/task_file). At 98k sockets most of the
 * iter/task_file pass went to taking and dropping each file and to reading each socket's inode
 * (a cache miss per socket) to look its number up; here a file's type is told by its file
 * operations (learnt once per kind), and once every wanted socket's file is found the others
 * are told by address, without their inodes.
 */
#define SOCKFD_NO_FILE_ITER
#define SOCKFD_PLAIN 1 /* a narrow query reads its few owners from /proc */
#include "sockfd.bpf.c"

#include "sockone.h"

#define SOCKFS_MAGIC 0x534F434B

/* The socket inodes the query wants; sized by the reader before loading (a program loaded before
 * the sockets were listed sizes it for the most a narrow query hands it: not preallocated, so
 * room costs nothing until used). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, __u64);
	__type(value, __u8);
} wanted SEC(".maps");

/* Set by the reader after the load, before the pass (see sockone.h). */
__u32 nwanted = 0;			 /* distinct inodes in `wanted` */
__u64 want_bits[SOCKONE_BITS / 64] = {}; /* a filter: bit sockone_bit(inode) of each */

/* Learnt during the pass. */
__u64 sock_ops = 0, ring_ops = 0; /* the file operations of sockets and of io_uring rings */
__u64 other_ops[16] = {};	  /* file operations of neither, direct-mapped */
__u64 found[SOCKONE_FOUND] = {};  /* the wanted sockets' files found so far, direct-mapped */
__u32 nfound = 0, found_clash = 0;

#define KIND_OTHER 0
#define KIND_SOCK 1
#define KIND_RING 2

/* Whether f is a socket's file (what sock_from_file says, without socket_file_ops' address):
 * its inode is a sockfs socket inode, and its private data that inode's socket. */
static __always_inline bool is_sock(struct file *f)
{
	struct inode *ino = BPF_CORE_READ(f, f_inode);
	if (!ino || BPF_CORE_READ(ino, i_sb, s_magic) != SOCKFS_MAGIC ||
	    (BPF_CORE_READ(ino, i_mode) & S_IFMT) != S_IFSOCK)
		return false;
	__u64 sock = (__u64)ino - bpf_core_field_offset(struct socket_alloc, vfs_inode);
	return (__u64)BPF_CORE_READ(f, private_data) == sock;
}

/*
 * The kind of file `file` whose operations op are not known yet; op is remembered for the next
 * files when a second read of its operations still says op (a file freed and reused meanwhile).
 * A global function: the verifier checks it once, not at every pass over its caller.
 */
__noinline int learn_kind(__u64 file, __u64 op)
{
	struct file *f = (struct file *)file;
	int kind = is_sock(f) ? KIND_SOCK : is_ring(f) ? KIND_RING : KIND_OTHER;
	__u64 again = 0;
	if (bpf_probe_read_kernel(&again, sizeof again, &f->f_op) || again != op)
		return kind;
	if (kind == KIND_SOCK && !sock_ops)
		sock_ops = op;
	else if (kind == KIND_RING && !ring_ops)
		ring_ops = op;
	else if (kind == KIND_OTHER)
		other_ops[(op >> 6) & 15] = op;
	return kind;
}

static __always_inline __u32 found_slot(__u64 f)
{
	return (__u32)((f >> 8) ^ (f >> 20)) & (SOCKONE_FOUND - 1);
}

/* Whether socket file f is a wanted one, and its inode then. */
static __always_inline bool wanted_file(struct file *f, __u64 *inode)
{
	__u32 slot = found_slot((__u64)f);
	if (!found_clash && nfound >= nwanted) {
		/* every wanted socket's file is known: one socket has one file */
		if (found[slot] != (__u64)f)
			return false;
		*inode = BPF_CORE_READ(f, f_inode, i_ino);
		return true;
	}
	*inode = BPF_CORE_READ(f, f_inode, i_ino);
	__u32 bit = sockone_bit(*inode);
	if (!(want_bits[(bit / 64) & (SOCKONE_BITS / 64 - 1)] & (1ull << (bit % 64))) ||
	    !bpf_map_lookup_elem(&wanted, inode))
		return false;
	if (!found[slot]) {
		found[slot] = (__u64)f;
		nfound++;
	} else if (found[slot] != (__u64)f) {
		found_clash = 1;
	}
	return true;
}

/*
 * The table being walked, in globals rather than in the callbacks' stack data: the verifier then
 * sees the same state at each pass over a callback, and checks it in a few passes.
 */
__u64 w_fds = 0;   /* the table's array of files (an address) */
__u32 w_max = 0;   /* its size */
__s32 w_first = 0; /* the first fd with a file (first_file) */
__s32 w_tid = 0;   /* the task's id as the reader numbers it */
__u32 w_hit = 0;   /* a wanted socket was found: its process record follows the walk */
__u32 too_big = 0; /* a table had more fds than one bpf_loop walks: the reader makes a full pass */

/* The wanted socket one_file found: its record's inode and namespace. */
__u64 cur_inode = 0;
__u32 cur_netns = 0;

/*
 * What fd file `file` (an address) is to the pass: ONE_NONE, ONE_SOCK (a wanted socket of the
 * namespace asked for: cur_inode and cur_netns say which) or ONE_RING. A global function: the
 * verifier checks it once, not at each of its passes over the bpf_loop callback calling it.
 */
#define ONE_NONE 0
#define ONE_SOCK 1
#define ONE_RING 2
__noinline int one_file(__u64 file)
{
	struct file *f = (struct file *)file;
	__u64 op = 0;
	if (!f || bpf_probe_read_kernel(&op, sizeof op, &f->f_op) || !op)
		return ONE_NONE;
	int kind = op == sock_ops		     ? KIND_SOCK
		   : op == ring_ops		     ? KIND_RING
		   : other_ops[(op >> 6) & 15] == op ? KIND_OTHER
						     : learn_kind(file, op);
	if (kind == KIND_RING)
		return ONE_RING;
	if (kind != KIND_SOCK || !wanted_file(f, &cur_inode))
		return ONE_NONE;
	struct socket *sock = BPF_CORE_READ(f, private_data);
	struct sock *sk = BPF_CORE_READ(sock, sk);
	if (!sk)
		return ONE_NONE;
	__u16 family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return ONE_NONE;
	cur_netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	return want_netns && cur_netns != want_netns ? ONE_NONE : ONE_SOCK;
}

/* The file pointers read last (a global: the walk's stack frames together must stay within 512
 * bytes; one pass reads an instance of the program at a time). */
struct file *batch[SOCKONE_BATCH] = {};

static long first_file(__u32 b, void *data)
{
	if (b * SOCKONE_BATCH >= w_max ||
	    bpf_probe_read_kernel(batch, sizeof batch, (void *)(w_fds + b * SOCKONE_BATCH * 8)))
		return 1;
	for (int j = 0; j < SOCKONE_BATCH; j++)
		if (batch[j]) {
			w_first = (__s32)(b * SOCKONE_BATCH + j);
			return 1;
		}
	return 0;
}

/* The wanted sockets and rings one_batch found (bit k of its answer: fd base + k). */
__u64 hit_inode[SOCKONE_BATCH] = {};
__u32 hit_netns[SOCKONE_BATCH] = {};

/*
 * Fds base to base + SOCKONE_BATCH - 1 of the table (fds: its array's address; max: its size):
 * bit k of the answer says fd base + k is a wanted socket (hit_inode[k], hit_netns[k]), bit
 * SOCKONE_BATCH + k a ring. A global function, checked once by the verifier; the loop over a
 * batch runs here, with no helper call per fd but the read of its file's operations.
 */
__noinline __u32 one_batch(__u64 fds, __u32 base, __u32 max)
{
	__u32 mask = 0;
	if (bpf_probe_read_kernel(batch, sizeof batch, (void *)(fds + (__u64)base * 8)))
		return 0;
	for (int k = 0; k < SOCKONE_BATCH; k++) {
		if (base + k >= max)
			break;
		int what = one_file((__u64)batch[k]);
		if (what == ONE_SOCK) {
			hit_inode[k] = cur_inode;
			hit_netns[k] = cur_netns;
			mask |= 1u << k;
		} else if (what == ONE_RING) {
			mask |= 1u << (SOCKONE_BATCH + k);
		}
	}
	return mask;
}

/* The batch whose records rec_one writes: its first fd and one_batch's answer. */
__u32 b_base = 0, b_mask = 0;

/* Fd b_base + k's record, if one_batch found a wanted socket or a ring there: a socket's as
 * sockfd.bpf.c writes it (its process record comes after the walk of the table: the reader
 * takes them in any order), a ring's as ring_record does. data: the iterator's seq_file. */
static long rec_one(__u32 k, void *data)
{
	struct sockfd_rec rec = {.pid = last_pid, .fd = (__s32)(b_base + k)};
	if (b_mask & (1u << k)) {
		rec.inode = hit_inode[k & (SOCKONE_BATCH - 1)];
		rec.netns = hit_netns[k & (SOCKONE_BATCH - 1)];
		w_hit = 1;
	} else if ((b_mask & (1u << (SOCKONE_BATCH + k))) && w_tid >= 0) {
		rec.inode = (__u64)w_tid;
		rec.kind = SOCKFD_RING;
	} else {
		return 0;
	}
	bpf_seq_write(*(struct seq_file **)data, &rec, sizeof rec);
	return 0;
}

/* Batch i from w_first's. data: the iterator's seq_file. */
static long fd_batch(__u32 i, void *data)
{
	b_base = ((__u32)w_first & ~(__u32)(SOCKONE_BATCH - 1)) + i * SOCKONE_BATCH;
	if (b_base >= w_max)
		return 1;
	b_mask = one_batch(w_fds, b_base, w_max);
	if (b_mask)
		bpf_loop(SOCKONE_BATCH, rec_one, data, 0);
	return 0;
}

#define LOOP_MAX (1u << 23) /* bpf_loop's most iterations */

SEC("iter/task")
int sockone(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	if (!task)
		return 0;
	struct files_struct *files = BPF_CORE_READ(task, files);
	/* a thread sharing its leader's file table is not walked again (as iter/task_file) */
	if (!files ||
	    (task->pid != task->tgid && files == BPF_CORE_READ(task, group_leader, files)))
		return 0;
	struct seq_file *seq = ctx->meta->seq;
	w_fds = (__u64)BPF_CORE_READ(files, fdt, fd); /* a number to index, not a pointer */
	w_max = BPF_CORE_READ(files, fdt, max_fds);
	w_first = -1;
	__u32 batches = (w_max + SOCKONE_BATCH - 1) / SOCKONE_BATCH;
	if (batches > LOOP_MAX) { /* bpf_loop would refuse it: the reader makes a full pass */
		too_big = 1;
		return 0;
	}
	bpf_loop(batches, first_file, NULL, 0);
	if (w_first < 0)
		return 0; /* no file: no marker, as iter/task_file */
	if (!task_begin(seq, task))
		return 0;
	w_tid = task->pid == task->tgid ? last_pid : pid_of((__u64)BPF_CORE_READ(task, thread_pid));
	w_hit = 0;
	bpf_loop(batches, fd_batch, &seq, 0); /* batches <= LOOP_MAX: checked above */
	if (w_hit)
		proc_record_once(seq, task);
	return 0;
}
