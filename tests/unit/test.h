/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test.h — a minimal unit test harness: TEST() registers, CHECK*() records failures. */
#ifndef PS_TEST_H
#define PS_TEST_H

#include <stdio.h>
#include <string.h>

typedef void (*test_fn)(void);
void test_register(const char *name, test_fn fn);
void test_fail(const char *file, int line, const char *what);
extern int test_current_failed;

#define TEST(name)                                                                                 \
	static void name(void);                                                                    \
	__attribute__((constructor)) static void register_##name(void)                             \
	{                                                                                          \
		test_register(#name, name);                                                        \
	}                                                                                          \
	static void name(void)

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond))                                                                       \
			test_fail(__FILE__, __LINE__, #cond);                                      \
	} while (0)

#define CHECK_INT(a, b)                                                                            \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_) {                                                                    \
			char m_[256];                                                              \
			snprintf(m_, sizeof m_, "%s == %s (%lld != %lld)", #a, #b, a_, b_);        \
			test_fail(__FILE__, __LINE__, m_);                                         \
		}                                                                                  \
	} while (0)

#define CHECK_STR(a, b)                                                                            \
	do {                                                                                       \
		const char *a_ = (a), *b_ = (b);                                                   \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                           \
			char m_[1024];                                                             \
			snprintf(m_, sizeof m_, "%s == %s (\"%.300s\" != \"%.300s\")", #a, #b,     \
				 a_ ? a_ : "(null)", b_ ? b_ : "(null)");                          \
			test_fail(__FILE__, __LINE__, m_);                                         \
		}                                                                                  \
	} while (0)

#endif
