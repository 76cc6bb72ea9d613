/* Observing decisions through the C ABI: denial reports (text and JSON, escaped, rate-limited),
 * counters in caller memory (as nginx keeps them in shared memory), and report-only evaluation
 * against hand-written CORS headers. Run natively, under valgrind and with ASan+UBSan. */
#include "check.h"
#include <stdalign.h>
#include <stdint.h>

static corsgate_policy *compile(const char *toml) {
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    if (corsgate_policy_from_toml((const uint8_t *)toml, strlen(toml), &policy, &error) != CORSGATE_OK) {
        fprintf(stderr, "%s\n", corsgate_error_summary(error));
        corsgate_error_free(error);
        exit(1);
    }
    return policy;
}

static void reports_and_counters(void) {
    corsgate_policy *policy = compile("origins = [\"https://a.example\"]\n"
                                      "[[routes]]\npath = \"/api/*\"\norigins = [\"https://a.example\"]\n");
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    corsgate_limiter *limiter = NULL;
    CHECK_STATUS(corsgate_limiter_new(1, 2, &limiter), CORSGATE_OK);
    alignas(8) uint64_t counters[CORSGATE_STATS_SLOTS] = {0};

    corsgate_header lines[] = {{CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://evil.example\n")}};
    corsgate_request req = {.method = CORSGATE_LITERAL("GET"), .path = CORSGATE_LITERAL("/api/x"),
                            .headers = lines, .header_count = 1};
    char buf[8192];
    size_t len = 99;
    for (int i = 0; i < 5; i++) {
        CHECK_STATUS(corsgate_evaluate(policy, &req, d), CORSGATE_OK);
        CHECK_STATUS(corsgate_stats_record(counters, d), CORSGATE_OK);
    }
    CHECK(bytes_eq(corsgate_decision_route(d), "/api/*"));
    /* A burst of two reports, then one a second. */
    CHECK_STATUS(corsgate_decision_report(d, limiter, cstr("https://api.example/api/x"), CORSGATE_FORMAT_TEXT,
                                          buf, sizeof buf, &len), CORSGATE_OK);
    const char *want = "corsgate: denied actual /api/x (route \"/api/*\"): malformed_origin "
                       "\"https://evil.example\\n\": the Origin header `https://evil.example\\n`";
    CHECK(strncmp(buf, want, strlen(want)) == 0);
    CHECK(strchr(buf, '\n') == NULL && len == strlen(buf));
    CHECK_STATUS(corsgate_decision_report(d, limiter, cstr(""), CORSGATE_FORMAT_JSON, buf, sizeof buf, &len),
                 CORSGATE_OK);
    CHECK(strstr(buf, "\"reason\":\"malformed_origin\"") != NULL);
    CHECK(strstr(buf, "\"route\":\"/api/*\"") != NULL);
    CHECK(strstr(buf, "\"chromium\":\"Access to fetch at '/api/x'") != NULL);
    /* The burst is spent: of many more reports right away, most are dropped (written empty). */
    int reported = 0;
    for (int i = 0; i < 50; i++) {
        CHECK_STATUS(corsgate_decision_report(d, limiter, cstr(""), CORSGATE_FORMAT_TEXT, buf, sizeof buf, &len),
                     CORSGATE_OK);
        CHECK(len == strlen(buf));
        reported += len > 0;
    }
    CHECK(reported < 50);
    /* Without a limiter every report goes out; a short buffer is cut and says so. */
    CHECK_STATUS(corsgate_decision_report(d, NULL, cstr(""), CORSGATE_FORMAT_TEXT, buf, 10, &len),
                 CORSGATE_ERR_BUFFER_TOO_SMALL);
    CHECK(len > 10 && strlen(buf) == 9);

    /* An allowed request has no report and counts as allowed. */
    corsgate_header ok[] = {{CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://a.example")}};
    req.headers = ok;
    CHECK_STATUS(corsgate_evaluate(policy, &req, d), CORSGATE_OK);
    CHECK_STATUS(corsgate_stats_record(counters, d), CORSGATE_OK);
    CHECK_STATUS(corsgate_decision_report(d, NULL, cstr(""), CORSGATE_FORMAT_TEXT, buf, sizeof buf, &len),
                 CORSGATE_OK);
    CHECK(len == 0);
    CHECK(corsgate_decision_route(d).len == 0);

    CHECK(corsgate_stats_count(counters, CORSGATE_KIND_ACTUAL, CORSGATE_REASON_MALFORMED_ORIGIN) == 5);
    CHECK(corsgate_stats_count(counters, CORSGATE_KIND_ACTUAL, CORSGATE_REASON_NONE) == 1);
    CHECK(corsgate_stats_count(counters, CORSGATE_KIND_PREFLIGHT, CORSGATE_REASON_NONE) == 0);
    CHECK(corsgate_stats_count(counters, CORSGATE_KIND_NONE, CORSGATE_REASON_NONE) == 0);
    CHECK(corsgate_stats_count(NULL, CORSGATE_KIND_ACTUAL, CORSGATE_REASON_NONE) == 0);
    CHECK_STATUS(corsgate_stats_format(counters, CORSGATE_FORMAT_TEXT, cstr(""), buf, sizeof buf, &len), CORSGATE_OK);
    CHECK(strstr(buf, "corsgate_requests_total{kind=\"actual\",verdict=\"denied\",reason=\"malformed_origin\"} 5\n"));
    CHECK(strstr(buf, "corsgate_requests_total{kind=\"actual\",verdict=\"allowed\",reason=\"\"} 1\n"));
    CHECK_STATUS(corsgate_stats_format(counters, CORSGATE_FORMAT_JSON, cstr(""), buf, sizeof buf, &len), CORSGATE_OK);
    CHECK(strstr(buf, "\"malformed_origin\":5") != NULL);
    CHECK_STATUS(corsgate_stats_format(counters, CORSGATE_FORMAT_SAMPLES, cstr("policy=\"p\""), buf, sizeof buf, &len),
                 CORSGATE_OK);
    CHECK(strncmp(buf, "corsgate_requests_total{policy=\"p\",kind=\"not_cors\"", 47) == 0);
    CHECK(strncmp((const char *)corsgate_stats_prometheus_header().ptr, "# HELP corsgate_requests_total ", 31) == 0);

    /* Misuse: NULL and misaligned counters are errors, not crashes. */
    CHECK_STATUS(corsgate_stats_record(NULL, d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_stats_record((uint64_t *)((char *)counters + 1), d), CORSGATE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(corsgate_stats_record(counters, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_report(NULL, NULL, cstr(""), CORSGATE_FORMAT_TEXT, buf, sizeof buf, &len),
                 CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_limiter_new(1, 1, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(corsgate_policy_mode(policy) == CORSGATE_MODE_ENFORCE);
    CHECK(corsgate_policy_mode(NULL) == CORSGATE_MODE_ENFORCE);

    corsgate_limiter_free(limiter);
    corsgate_limiter_free(NULL);
    corsgate_decision_free(d);
    corsgate_policy_free(policy);
}

static void report_only(void) {
    corsgate_policy *policy = compile("mode = \"report-only\"\norigins = [\"https://a.example\"]\n");
    CHECK(corsgate_policy_mode(policy) == CORSGATE_MODE_REPORT_ONLY);
    alignas(8) uint64_t counters[CORSGATE_STATS_SLOTS] = {0};
    /* What a hand-written `add_header Access-Control-Allow-Origin *` sends. */
    corsgate_header sent[] = {{CORSGATE_LITERAL("Content-Type"), CORSGATE_LITERAL("text/plain")},
                              {CORSGATE_LITERAL("Access-Control-Allow-Origin"), CORSGATE_LITERAL("*")}};
    corsgate_header lines[] = {{CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://b.example")}};
    corsgate_request req = {.method = CORSGATE_LITERAL("GET"), .path = CORSGATE_LITERAL("/x"),
                            .headers = lines, .header_count = 1};
    char buf[8192];
    size_t len = 0;
    bool differs = false;
    CHECK_STATUS(corsgate_report_only(policy, &req, 200, sent, 2, cstr("https://api.example/x"), counters, NULL,
                                      CORSGATE_FORMAT_TEXT, buf, sizeof buf, &len, &differs), CORSGATE_OK);
    CHECK(differs);
    CHECK(strstr(buf, "corsgate report-only: actual /x from https://b.example: today the browser allows this; "
                      "under the new policy it would block it, because No 'Access-Control-Allow-Origin' header") == buf);
    CHECK_STATUS(corsgate_report_only(policy, &req, 200, sent, 2, cstr(""), counters, NULL,
                                      CORSGATE_FORMAT_JSON, buf, sizeof buf, &len, &differs), CORSGATE_OK);
    CHECK(strstr(buf, "\"change\":\"newly_blocked\"") != NULL);
    /* The origin the policy allows, answered with what the policy answers: no difference. */
    corsgate_header a[] = {{CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://a.example")}};
    corsgate_header same[] = {{CORSGATE_LITERAL("access-control-allow-origin"), CORSGATE_LITERAL("https://a.example")}};
    req.headers = a;
    CHECK_STATUS(corsgate_report_only(policy, &req, 200, same, 1, cstr(""), counters, NULL,
                                      CORSGATE_FORMAT_TEXT, buf, sizeof buf, &len, &differs), CORSGATE_OK);
    CHECK(!differs && len == 0);
    CHECK(corsgate_stats_count(counters, CORSGATE_KIND_ACTUAL, CORSGATE_REASON_ORIGIN_NOT_ALLOWED) == 2);
    CHECK(corsgate_stats_count(counters, CORSGATE_KIND_ACTUAL, CORSGATE_REASON_NONE) == 1);
    CHECK_STATUS(corsgate_report_only(NULL, &req, 200, same, 1, cstr(""), NULL, NULL, CORSGATE_FORMAT_TEXT, buf,
                                      sizeof buf, &len, &differs), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_report_only(policy, &req, 200, NULL, 1, cstr(""), NULL, NULL, CORSGATE_FORMAT_TEXT, buf,
                                      sizeof buf, &len, &differs), CORSGATE_ERR_NULL_ARGUMENT);
    corsgate_policy_free(policy);
}

int main(void) {
    reports_and_counters();
    report_only();
    return check_report("observe");
}
