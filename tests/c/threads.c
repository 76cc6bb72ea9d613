/* 8 threads evaluate one shared policy while another thread swaps policies: every answer must
 * be exactly one of the two policies' answers, never a mixture, never a crash.
 *
 * usage: threads [swaps]   (default 10000)
 *
 * The swapper alternates two precompiled policies and, every 100th swap, compiles a fresh
 * copy of one of them, stores it and frees its own handle at once, so the only references
 * left are the shared handle's and the readers' decisions'. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

#define READERS 8

static const char *POLICY_A =
    "{\"origins\": [\"https://app.example.com\"], \"methods\": [\"PUT\"],"
    " \"request_headers\": [\"content-type\"], \"max_age\": 100}";
static const char *POLICY_B =
    "{\"origins\": [\"https://app.example.com\", \"https://*.example.org\"], \"methods\": [\"PUT\", \"PATCH\"],"
    " \"request_headers\": [\"content-type\", \"x-trace\"], \"credentials\": true, \"max_age\": 200}";

static corsgate_shared *shared;
static atomic_int swapping_done;
/* Evaluations completed so far, all readers together. After each swap the swapper waits for
 * READERS + 1 more: at most READERS were in flight during the swap, so at least one
 * evaluation ran entirely against the policy just stored. Both policies are therefore
 * observed, whatever the scheduler does. */
static atomic_long evaluated;
static char answer_a[1024], answer_b[1024];

static const corsgate_header LINES[] = {
    {CORSGATE_LITERAL("Host"), CORSGATE_LITERAL("api.example.com")},
    {CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://app.example.com")},
    {CORSGATE_LITERAL("Access-Control-Request-Method"), CORSGATE_LITERAL("PUT")},
    {CORSGATE_LITERAL("Access-Control-Request-Headers"), CORSGATE_LITERAL("content-type")},
};

static corsgate_policy *compile(const char *text) {
    corsgate_policy *p = NULL;
    corsgate_error *e = NULL;
    if (corsgate_policy_from_json((const uint8_t *)text, strlen(text), &p, &e) != CORSGATE_OK) {
        fprintf(stderr, "%s\n", corsgate_error_summary(e));
        exit(1);
    }
    return p;
}

/* The whole answer as text: status, verdict, headers, Vary. */
static void render(const corsgate_decision *d, char *out, size_t cap) {
    size_t n = 0;
    const corsgate_header *h = corsgate_decision_headers(d, &n);
    int used = snprintf(out, cap, "%d %d %d|", corsgate_decision_kind(d), corsgate_decision_allowed(d),
                        corsgate_decision_status(d));
    for (size_t i = 0; i < n && used > 0 && (size_t)used < cap; i++)
        used += snprintf(out + used, cap - (size_t)used, "%.*s: %.*s|", (int)h[i].name.len,
                         (const char *)h[i].name.ptr, (int)h[i].value.len, (const char *)h[i].value.ptr);
    corsgate_bytes vary = corsgate_decision_vary(d);
    if (used > 0 && (size_t)used < cap)
        snprintf(out + used, cap - (size_t)used, "Vary: %.*s", (int)vary.len, (const char *)vary.ptr);
}

typedef struct {
    long evaluations, saw_a, saw_b, wrong;
} reader_result;

static void *reader(void *arg) {
    reader_result *res = arg;
    corsgate_decision *d = NULL;
    if (corsgate_decision_new(&d) != CORSGATE_OK) abort();
    corsgate_request req = {CORSGATE_LITERAL("OPTIONS"), CORSGATE_LITERAL("/api/items"), LINES, 4, NULL, NULL};
    char got[1024];
    /* Evaluate while the swapper runs, and at least a few hundred times. */
    while (!atomic_load(&swapping_done) || res->evaluations < 200) {
        if (corsgate_shared_evaluate(shared, &req, d) != CORSGATE_OK) {
            res->wrong++;
            continue;
        }
        render(d, got, sizeof got);
        if (strcmp(got, answer_a) == 0)
            res->saw_a++;
        else if (strcmp(got, answer_b) == 0)
            res->saw_b++;
        else if (res->wrong++ == 0)
            fprintf(stderr, "an answer that is neither policy's: %s\n", got);
        res->evaluations++;
        atomic_fetch_add(&evaluated, 1);
        /* 9 busy threads on fewer cores: let the swapper run often. */
        sched_yield();
    }
    corsgate_decision_free(d);
    return NULL;
}

int main(int argc, char **argv) {
    long swaps = argc > 1 ? atol(argv[1]) : 10000;
    corsgate_policy *a = compile(POLICY_A), *b = compile(POLICY_B);
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    corsgate_request req = {CORSGATE_LITERAL("OPTIONS"), CORSGATE_LITERAL("/api/items"), LINES, 4, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(a, &req, d), CORSGATE_OK);
    render(d, answer_a, sizeof answer_a);
    CHECK_STATUS(corsgate_evaluate(b, &req, d), CORSGATE_OK);
    render(d, answer_b, sizeof answer_b);
    corsgate_decision_free(d);
    CHECK(strcmp(answer_a, answer_b) != 0);

    CHECK_STATUS(corsgate_shared_new(a, &shared), CORSGATE_OK);
    pthread_t threads[READERS];
    reader_result results[READERS];
    memset(results, 0, sizeof results);
    for (int i = 0; i < READERS; i++) CHECK(pthread_create(&threads[i], NULL, reader, &results[i]) == 0);

    for (long i = 0; i < swaps; i++) {
        int to_b = i % 2 == 0;
        if (i % 100 == 99) {
            corsgate_policy *fresh = compile(to_b ? POLICY_B : POLICY_A);
            CHECK_STATUS(corsgate_shared_store(shared, fresh), CORSGATE_OK);
            corsgate_policy_free(fresh);
        } else {
            CHECK_STATUS(corsgate_shared_store(shared, to_b ? b : a), CORSGATE_OK);
        }
        long target = atomic_load(&evaluated) + READERS + 1;
        for (long spins = 1; atomic_load(&evaluated) < target; spins++)
            if (spins % 1000 == 0) sched_yield();
    }
    atomic_store(&swapping_done, 1);
    long total = 0, saw_a = 0, saw_b = 0, wrong = 0;
    for (int i = 0; i < READERS; i++) {
        CHECK(pthread_join(threads[i], NULL) == 0);
        total += results[i].evaluations;
        saw_a += results[i].saw_a;
        saw_b += results[i].saw_b;
        wrong += results[i].wrong;
    }
    CHECK(wrong == 0);
    CHECK(saw_a + saw_b == total);
    CHECK(saw_a > 0 && saw_b > 0);
    printf("threads: %d readers, %ld swaps, %ld evaluations (%ld policy A, %ld policy B), %ld wrong\n",
           READERS, swaps, total, saw_a, saw_b, wrong);
    corsgate_shared_free(shared);
    corsgate_policy_free(a);
    corsgate_policy_free(b);
    return check_report("threads");
}
