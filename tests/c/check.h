/* Tiny test helpers shared by the C tests of corsgate (tests/c/). */
#ifndef CORSGATE_TEST_CHECK_H
#define CORSGATE_TEST_CHECK_H

#include <corsgate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check_failures;
static int check_count;

/* Records a failed expectation without stopping, so one run lists every problem. */
#define CHECK(cond)                                                                  \
    do {                                                                             \
        check_count++;                                                               \
        if (!(cond)) {                                                               \
            check_failures++;                                                        \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                            \
    } while (0)

#define CHECK_STATUS(expr, want)                                                       \
    do {                                                                               \
        corsgate_status check_got_ = (expr);                                           \
        check_count++;                                                                 \
        if (check_got_ != (want)) {                                                    \
            check_failures++;                                                          \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %s\n", __FILE__,     \
                    __LINE__, #expr, (int)check_got_, corsgate_status_str(check_got_), \
                    #want);                                                            \
        }                                                                              \
    } while (0)

/* Whether a byte string equals a NUL-terminated C string. */
static inline int bytes_eq(corsgate_bytes b, const char *s) {
    size_t n = strlen(s);
    return b.len == n && (n == 0 || memcmp(b.ptr, s, n) == 0);
}

/* A corsgate_bytes view of a NUL-terminated string. */
static inline corsgate_bytes cstr(const char *s) {
    corsgate_bytes b = {(const uint8_t *)s, strlen(s)};
    return b;
}

static inline int check_report(const char *what) {
    if (check_failures) {
        fprintf(stderr, "%s: %d of %d checks FAILED\n", what, check_failures, check_count);
        return 1;
    }
    printf("%s: all %d checks passed\n", what, check_count);
    return 0;
}

#endif
