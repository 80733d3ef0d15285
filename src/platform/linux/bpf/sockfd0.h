/* SPDX-License-Identifier: GPL-2.0-or-later */
/* sockfd0.h — the records of sockfd0.bpf.c: sockfd's. */
#include "sockfd.h"
