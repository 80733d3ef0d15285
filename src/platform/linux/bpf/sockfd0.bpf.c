/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockfd0.bpf.c — the sockfd iterator as a kernel that refuses the sleepable one loads it (see
 * sockfd.bpf.c). */
#define SOCKFD_PLAIN 1
#include "sockfd.bpf.c"
