/* API misuse and edge cases of the C ABI: NULL in every pointer argument, zero lengths,
 * bytes that are not UTF-8, embedded NUL, 1 MiB header values, policy files that do not
 * exist or cannot be read, the origin callback, and the lifetimes the header promises.
 *
 * usage: misuse <scratch directory>
 * Run it under valgrind or ASan: a lifetime the library gets wrong shows up there. */
#define _GNU_SOURCE /* memmem */
#include "check.h"

#include <sys/stat.h>
#include <unistd.h>

static const char *POLICY_JSON =
    "{\"origins\": [\"https://app.example.com\"], \"methods\": [\"PUT\"],"
    " \"request_headers\": [\"content-type\"], \"max_age\": 600}";

static corsgate_policy *compile_json(const char *text) {
    corsgate_policy *p = NULL;
    corsgate_error *e = NULL;
    corsgate_status s = corsgate_policy_from_json((const uint8_t *)text, strlen(text), &p, &e);
    if (s != CORSGATE_OK) {
        fprintf(stderr, "policy does not compile: %s\n", corsgate_error_summary(e));
        exit(1);
    }
    return p;
}

/* A request from NUL-terminated strings: method, path and header name/value pairs. */
typedef struct {
    corsgate_header lines[8];
    corsgate_request req;
} request_buf;

static void make_request(request_buf *r, const char *method, size_t n, const char *const *kv) {
    memset(r, 0, sizeof *r);
    for (size_t i = 0; i < n; i++) {
        r->lines[i].name = cstr(kv[2 * i]);
        r->lines[i].value = cstr(kv[2 * i + 1]);
    }
    r->req.method = cstr(method);
    r->req.path = CORSGATE_LITERAL("/");
    r->req.headers = r->lines;
    r->req.header_count = n;
}

static void test_version(void) {
    CHECK(corsgate_abi_version() == CORSGATE_ABI_VERSION);
    CHECK(strlen(corsgate_version()) > 0);
    for (int s = 0; s <= 5; s++) CHECK(strcmp(corsgate_status_str(s), "unknown status") != 0);
    CHECK(strcmp(corsgate_status_str(42), "unknown status") == 0);
    CHECK(strcmp(corsgate_status_str(-1), "unknown status") == 0);
    CHECK(strcmp(corsgate_reason_str(CORSGATE_REASON_ORIGIN_NOT_ALLOWED), "origin_not_allowed") == 0);
    CHECK(strcmp(corsgate_reason_str(CORSGATE_REASON_NONE), "") == 0);
    CHECK(strcmp(corsgate_reason_str(1000), "") == 0);
    CHECK(strcmp(corsgate_kind_str(CORSGATE_KIND_PREFLIGHT), "preflight") == 0);
    CHECK(strcmp(corsgate_kind_str(-5), "") == 0);
}

static void test_null_compile(void) {
    corsgate_policy *p = (corsgate_policy *)1;
    corsgate_error *e = (corsgate_error *)1;
    const uint8_t *text = (const uint8_t *)POLICY_JSON;
    size_t len = strlen(POLICY_JSON);

    CHECK_STATUS(corsgate_policy_from_json(NULL, 5, &p, &e), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(p == NULL && e == NULL);
    CHECK_STATUS(corsgate_policy_from_json(text, len, NULL, &e), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(e == NULL);
    CHECK_STATUS(corsgate_policy_from_toml(NULL, 5, &p, &e), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_policy_from_toml(text, len, NULL, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_policy_from_file(NULL, 5, &p, &e), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_policy_from_file((const uint8_t *)"x.json", 6, NULL, &e),
                 CORSGATE_ERR_NULL_ARGUMENT);

    /* Zero lengths: an empty JSON text is a parse error, an empty TOML text a valid policy
     * that allows nothing (with the no_origins warning). */
    CHECK_STATUS(corsgate_policy_from_json(NULL, 0, &p, &e), CORSGATE_ERR_INVALID_POLICY);
    CHECK(p == NULL && e != NULL && corsgate_error_count(e) == 1);
    corsgate_diagnostic d;
    CHECK_STATUS(corsgate_error_get(e, 0, &d), CORSGATE_OK);
    CHECK(bytes_eq(d.code, "parse_error") && bytes_eq(d.path, ""));
    corsgate_error_free(e);
    CHECK_STATUS(corsgate_policy_from_toml(NULL, 0, &p, &e), CORSGATE_OK);
    CHECK(p != NULL && e == NULL);
    CHECK(corsgate_policy_warning_count(p) == 1);
    CHECK_STATUS(corsgate_policy_warning(p, 0, &d), CORSGATE_OK);
    CHECK(bytes_eq(d.code, "no_origins") && bytes_eq(d.path, "origins") && d.hint.len > 0);
    CHECK_STATUS(corsgate_policy_warning(p, 1, &d), CORSGATE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(corsgate_policy_warning(p, 0, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_policy_warning(NULL, 0, &d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(corsgate_policy_warning_count(NULL) == 0);
    corsgate_policy_free(p);

    /* An invalid policy without an error out-parameter: nothing leaks. */
    CHECK_STATUS(corsgate_policy_from_json((const uint8_t *)"{\"origin\": 1}", 13, &p, NULL),
                 CORSGATE_ERR_INVALID_POLICY);
    CHECK(p == NULL);

    /* Error accessors with NULL. */
    CHECK(corsgate_error_count(NULL) == 0);
    CHECK(corsgate_error_warning_count(NULL) == 0);
    CHECK_STATUS(corsgate_error_get(NULL, 0, &d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_error_warning(NULL, 0, &d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(strcmp(corsgate_error_summary(NULL), "") == 0);

    /* Every free accepts NULL. */
    corsgate_policy_free(NULL);
    corsgate_error_free(NULL);
    corsgate_decision_free(NULL);
    corsgate_shared_free(NULL);
}

static void test_error_object(void) {
    /* Two problems and a warning: every one is listed, with path, code, message, hint. */
    const char *text = "{\"origins\": [\"https://a.example.com/\", \"*\"], \"max_age\": 90000,"
                       " \"allow_null_origin\": true}";
    corsgate_policy *p = NULL;
    corsgate_error *e = NULL;
    CHECK_STATUS(corsgate_policy_from_json((const uint8_t *)text, strlen(text), &p, &e),
                 CORSGATE_ERR_INVALID_POLICY);
    CHECK(corsgate_error_count(e) == 3);
    int saw_slash = 0;
    for (size_t i = 0; i < corsgate_error_count(e); i++) {
        corsgate_diagnostic d;
        CHECK_STATUS(corsgate_error_get(e, i, &d), CORSGATE_OK);
        CHECK(d.code.len > 0 && d.message.len > 0);
        if (bytes_eq(d.code, "origin_trailing_slash")) {
            saw_slash = 1;
            CHECK(bytes_eq(d.path, "origins[0]"));
            CHECK(d.hint.len > 0 && memmem(d.hint.ptr, d.hint.len, "https://a.example.com", 21));
        }
    }
    CHECK(saw_slash);
    CHECK(corsgate_error_warning_count(e) == 1);
    corsgate_diagnostic w;
    CHECK_STATUS(corsgate_error_warning(e, 0, &w), CORSGATE_OK);
    CHECK(bytes_eq(w.code, "null_origin_allowed"));
    CHECK_STATUS(corsgate_error_warning(e, 1, &w), CORSGATE_ERR_INVALID_ARGUMENT);
    CHECK_STATUS(corsgate_error_get(e, 0, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    const char *summary = corsgate_error_summary(e);
    CHECK(strstr(summary, "invalid CORS policy (3 problems)") == summary);
    CHECK(strstr(summary, "origins[0]") != NULL);
    corsgate_error_free(e);
}

static void test_bad_text(const char *dir) {
    corsgate_policy *p = NULL;
    corsgate_error *e = NULL;
    corsgate_diagnostic d;
    /* Not UTF-8. */
    const char bad[] = "{\"origins\": [\"https://\xff.example\"]}";
    CHECK_STATUS(corsgate_policy_from_json((const uint8_t *)bad, sizeof bad - 1, &p, &e),
                 CORSGATE_ERR_INVALID_POLICY);
    CHECK_STATUS(corsgate_error_get(e, 0, &d), CORSGATE_OK);
    CHECK(bytes_eq(d.code, "parse_error"));
    corsgate_error_free(e);
    /* An embedded NUL after a valid document: the whole buffer counts, so it is an error. */
    const char nul[] = "{\"origins\": [\"https://a.example\"]}\0{}";
    CHECK_STATUS(corsgate_policy_from_json((const uint8_t *)nul, sizeof nul - 1, &p, &e),
                 CORSGATE_ERR_INVALID_POLICY);
    corsgate_error_free(e);
    /* The same document without the tail compiles. */
    CHECK_STATUS(corsgate_policy_from_json((const uint8_t *)nul, strlen(nul), &p, &e), CORSGATE_OK);
    corsgate_policy_free(p);
    /* TOML. */
    const char toml[] = "origins = [\"https://a.example\"]\nmax_age = 60\n";
    CHECK_STATUS(corsgate_policy_from_toml((const uint8_t *)toml, sizeof toml - 1, &p, &e), CORSGATE_OK);
    corsgate_policy_free(p);

    /* Files: missing, a directory, embedded NUL in the path, unreadable, and a good one. */
    char path[4096];
    snprintf(path, sizeof path, "%s/does-not-exist.toml", dir);
    CHECK_STATUS(corsgate_policy_from_file((const uint8_t *)path, strlen(path), &p, &e),
                 CORSGATE_ERR_INVALID_POLICY);
    CHECK(p == NULL && corsgate_error_count(e) == 1);
    CHECK_STATUS(corsgate_error_get(e, 0, &d), CORSGATE_OK);
    CHECK(bytes_eq(d.code, "io_error") && memmem(d.message.ptr, d.message.len, "does-not-exist", 14));
    corsgate_error_free(e);
    CHECK_STATUS(corsgate_policy_from_file((const uint8_t *)dir, strlen(dir), &p, &e),
                 CORSGATE_ERR_INVALID_POLICY);
    CHECK_STATUS(corsgate_error_get(e, 0, &d), CORSGATE_OK);
    CHECK(bytes_eq(d.code, "io_error"));
    corsgate_error_free(e);

    snprintf(path, sizeof path, "%s/policy.json", dir);
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (!f) return;
    fputs(POLICY_JSON, f);
    fclose(f);
    CHECK_STATUS(corsgate_policy_from_file((const uint8_t *)path, strlen(path), &p, &e), CORSGATE_OK);
    corsgate_policy_free(p);
    char with_nul[4200];
    size_t n = (size_t)snprintf(with_nul, sizeof with_nul, "%s", path);
    memcpy(with_nul + n, "\0.toml", 6);
    CHECK_STATUS(corsgate_policy_from_file((const uint8_t *)with_nul, n + 6, &p, &e),
                 CORSGATE_ERR_INVALID_POLICY);
    CHECK_STATUS(corsgate_error_get(e, 0, &d), CORSGATE_OK);
    CHECK(bytes_eq(d.code, "io_error"));
    corsgate_error_free(e);

    /* Unreadable: root reads every file, so only a non-root run can check permissions; the
     * directory case above covers a read error for root. */
    if (geteuid() != 0) {
        CHECK(chmod(path, 0) == 0);
        CHECK_STATUS(corsgate_policy_from_file((const uint8_t *)path, strlen(path), &p, &e),
                     CORSGATE_ERR_INVALID_POLICY);
        CHECK_STATUS(corsgate_error_get(e, 0, &d), CORSGATE_OK);
        CHECK(bytes_eq(d.code, "io_error"));
        corsgate_error_free(e);
    } else {
        printf("misuse: running as root, so the chmod 000 case is replaced by the directory case\n");
    }
    unlink(path);
}

static void test_null_evaluate(void) {
    corsgate_policy *p = compile_json(POLICY_JSON);
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NONE);

    const char *kv[] = {"Origin", "https://app.example.com"};
    request_buf r;
    make_request(&r, "GET", 1, kv);
    CHECK_STATUS(corsgate_evaluate(p, &r.req, d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_ACTUAL);

    /* Each NULL argument fails, and resets the decision. */
    CHECK_STATUS(corsgate_evaluate(NULL, &r.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NONE);
    size_t n = 7;
    CHECK(corsgate_decision_headers(d, &n) == NULL && n == 0);
    CHECK_STATUS(corsgate_evaluate(p, &r.req, d), CORSGATE_OK);
    CHECK_STATUS(corsgate_evaluate(p, NULL, d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NONE);
    CHECK_STATUS(corsgate_evaluate(p, &r.req, NULL), CORSGATE_ERR_NULL_ARGUMENT);

    /* NULL pointers inside the request, with non-zero lengths. */
    request_buf bad = r;
    bad.req.headers = bad.lines;
    bad.req.method.ptr = NULL;
    CHECK_STATUS(corsgate_evaluate(p, &bad.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    bad = r;
    bad.req.headers = bad.lines;
    bad.req.path.ptr = NULL;
    CHECK_STATUS(corsgate_evaluate(p, &bad.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    bad = r;
    bad.req.headers = NULL;
    CHECK_STATUS(corsgate_evaluate(p, &bad.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    bad = r;
    bad.req.headers = bad.lines;
    bad.lines[0].name.ptr = NULL;
    CHECK_STATUS(corsgate_evaluate(p, &bad.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    bad = r;
    bad.req.headers = bad.lines;
    bad.lines[0].value.ptr = NULL;
    CHECK_STATUS(corsgate_evaluate(p, &bad.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NONE);

    /* Zero lengths make NULL pointers fine: empty method, path and header lines. */
    corsgate_request empty = {{NULL, 0}, {NULL, 0}, NULL, 0, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &empty, d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NOT_CORS && corsgate_decision_allowed(d));
    CHECK(bytes_eq(corsgate_decision_vary(d), "Origin"));
    corsgate_header blank[2] = {{{NULL, 0}, {NULL, 0}}, {CORSGATE_LITERAL("Origin"), {NULL, 0}}};
    corsgate_request empty_origin = {{NULL, 0}, {NULL, 0}, blank, 2, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &empty_origin, d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_ACTUAL);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_ORIGIN);

    /* Accessors with NULL return their documented defaults. */
    CHECK(corsgate_decision_kind(NULL) == CORSGATE_KIND_NONE);
    CHECK(!corsgate_decision_allowed(NULL));
    CHECK(corsgate_decision_status(NULL) == 0);
    n = 7;
    CHECK(corsgate_decision_headers(NULL, &n) == NULL && n == 0);
    CHECK(corsgate_decision_headers(d, NULL) == NULL);
    CHECK(corsgate_decision_vary_count(NULL) == 0);
    CHECK(corsgate_decision_vary_name(NULL, 0).len == 0);
    CHECK(corsgate_decision_vary(NULL).len == 0);
    CHECK(corsgate_decision_body(NULL).len == 0);
    CHECK(corsgate_decision_reason(NULL) == CORSGATE_REASON_NONE);
    CHECK(corsgate_decision_reason_value(NULL).len == 0);
    CHECK(corsgate_decision_browser_reason(NULL).len == 0);
    char buf[512];
    size_t len = 0;
    CHECK_STATUS(corsgate_decision_message(NULL, buf, sizeof buf, &len), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_message(d, NULL, 10, &len), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_message(d, buf, sizeof buf, NULL), CORSGATE_OK);
    CHECK_STATUS(corsgate_decision_browser_message(NULL, NULL, 0, NULL, 0, buf, sizeof buf, &len),
                 CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_browser_message(d, NULL, 3, NULL, 0, buf, sizeof buf, &len),
                 CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_browser_message(d, NULL, 0, NULL, 3, buf, sizeof buf, &len),
                 CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_decision_browser_message(d, NULL, 0, NULL, 0, NULL, 0, &len),
                 CORSGATE_ERR_BUFFER_TOO_SMALL);

    /* Shared handles with NULL. */
    corsgate_shared *s = (corsgate_shared *)1;
    CHECK_STATUS(corsgate_shared_new(NULL, &s), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(s == NULL);
    CHECK_STATUS(corsgate_shared_new(p, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_shared_new(p, &s), CORSGATE_OK);
    CHECK_STATUS(corsgate_shared_store(NULL, p), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_shared_store(s, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    corsgate_policy *loaded = (corsgate_policy *)1;
    CHECK_STATUS(corsgate_shared_load(NULL, &loaded), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK(loaded == NULL);
    CHECK_STATUS(corsgate_shared_load(s, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_shared_evaluate(NULL, &r.req, d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_shared_evaluate(s, NULL, d), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_shared_evaluate(s, &r.req, NULL), CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_shared_evaluate(s, &r.req, d), CORSGATE_OK);
    CHECK(corsgate_decision_allowed(d));
    corsgate_shared_free(s);
    corsgate_decision_free(d);
    corsgate_policy_free(p);
}

static void test_hostile_bytes(void) {
    corsgate_policy *p = compile_json(POLICY_JSON);
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    char buf[512];
    size_t len = 0;

    /* An origin that is not UTF-8: malformed, reason value byte-exact, message still text. */
    const char origin_ff[] = "https://\xff\xfe.example.com";
    corsgate_header h1[] = {{CORSGATE_LITERAL("origin"), {(const uint8_t *)origin_ff, sizeof origin_ff - 1}}};
    corsgate_request r1 = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), h1, 1, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r1, d), CORSGATE_OK);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_ORIGIN);
    corsgate_bytes v = corsgate_decision_reason_value(d);
    CHECK(v.len == sizeof origin_ff - 1 && memcmp(v.ptr, origin_ff, v.len) == 0);
    CHECK_STATUS(corsgate_decision_message(d, buf, sizeof buf, &len), CORSGATE_OK);
    CHECK(strstr(buf, "Origin header") != NULL && strlen(buf) == len);

    /* A message that does not fit: truncated, NUL-terminated, full length reported. */
    CHECK_STATUS(corsgate_decision_message(d, buf, 8, &len), CORSGATE_ERR_BUFFER_TOO_SMALL);
    CHECK(strlen(buf) <= 7 && len > 8);
    CHECK_STATUS(corsgate_decision_message(d, buf, 1, &len), CORSGATE_ERR_BUFFER_TOO_SMALL);
    CHECK(buf[0] == '\0');

    /* An allowed origin followed by an embedded NUL and more bytes is not that origin. */
    const char origin_nul[] = "https://app.example.com\0.evil.example";
    corsgate_header h2[] = {{CORSGATE_LITERAL("Origin"), {(const uint8_t *)origin_nul, sizeof origin_nul - 1}}};
    corsgate_request r2 = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), h2, 1, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r2, d), CORSGATE_OK);
    CHECK(!corsgate_decision_allowed(d));
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_ORIGIN);
    /* A header name with an embedded NUL is not `Origin`. */
    corsgate_header h3[] = {{{(const uint8_t *)"Origin\0", 7}, CORSGATE_LITERAL("https://app.example.com")}};
    corsgate_request r3 = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), h3, 1, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r3, d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NOT_CORS);

    /* 1 MiB values: an origin, an ACRH line, and a header CORS ignores. */
    size_t mib = 1 << 20;
    char *big = malloc(mib);
    if (!big) abort();
    memset(big, 'a', mib);
    memcpy(big, "https://", 8);
    corsgate_header h4[] = {{CORSGATE_LITERAL("Origin"), {(const uint8_t *)big, mib}}};
    corsgate_request r4 = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), h4, 1, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r4, d), CORSGATE_OK);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_ORIGIN);
    CHECK_STATUS(corsgate_decision_message(d, NULL, 0, &len), CORSGATE_ERR_BUFFER_TOO_SMALL);
    CHECK(len > 0);

    memset(big, 'x', mib);
    for (size_t i = 1; i < mib; i += 2) big[i] = ',';
    corsgate_header h5[] = {
        {CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://app.example.com")},
        {CORSGATE_LITERAL("Access-Control-Request-Method"), CORSGATE_LITERAL("PUT")},
        {CORSGATE_LITERAL("Access-Control-Request-Headers"), {(const uint8_t *)big, mib}},
    };
    corsgate_request r5 = {CORSGATE_LITERAL("OPTIONS"), CORSGATE_LITERAL("/"), h5, 3, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r5, d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_PREFLIGHT);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_REQUEST_HEADERS_TOO_LARGE);
    CHECK(corsgate_decision_status(d) == 403);
    CHECK(corsgate_decision_reason_value(d).len <= 64);

    corsgate_header h6[] = {
        {CORSGATE_LITERAL("User-Agent"), {(const uint8_t *)big, mib}},
        {CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://app.example.com")},
    };
    corsgate_request r6 = {CORSGATE_LITERAL("GET"), {(const uint8_t *)big, mib}, h6, 2, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r6, d), CORSGATE_OK);
    CHECK(corsgate_decision_allowed(d));
    free(big);

    /* Non-UTF-8 in ACRH is not a token. */
    corsgate_header h7[] = {
        {CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://app.example.com")},
        {CORSGATE_LITERAL("Access-Control-Request-Method"), CORSGATE_LITERAL("PUT")},
        {CORSGATE_LITERAL("Access-Control-Request-Headers"), CORSGATE_LITERAL("content-type, x-\xc3\x28")},
    };
    corsgate_request r7 = {CORSGATE_LITERAL("OPTIONS"), CORSGATE_LITERAL("/"), h7, 3, NULL, NULL};
    CHECK_STATUS(corsgate_evaluate(p, &r7, d), CORSGATE_OK);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_REQUEST_HEADERS);

    /* The browser message with URL bytes that are not UTF-8. */
    CHECK_STATUS(corsgate_decision_browser_message(d, (const uint8_t *)"http://x/\xff", 10,
                                                   (const uint8_t *)"https://app.example.com", 23,
                                                   buf, sizeof buf, &len),
                 CORSGATE_OK);
    CHECK(strstr(buf, "Response to preflight request doesn't pass access control check") != NULL);
    corsgate_decision_free(d);
    corsgate_policy_free(p);
}

/* The origin callback: counts its calls and answers from the user data. */
typedef struct {
    int calls;
    bool answer;
    char last[64];
} verdict_state;

static bool verdict(const uint8_t *origin, size_t len, void *user_data) {
    verdict_state *st = user_data;
    st->calls++;
    size_t n = len < sizeof st->last - 1 ? len : sizeof st->last - 1;
    memcpy(st->last, origin, n);
    st->last[n] = '\0';
    return st->answer;
}

static void test_origin_callback(void) {
    corsgate_policy *p = compile_json("{\"origins\": [\"https://listed.example\"], \"methods\": [\"PUT\"]}");
    corsgate_policy *any = compile_json("{\"origins\": [\"*\"]}");
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    verdict_state st = {0, true, ""};
    corsgate_header h[] = {{CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://mine.example")}};
    corsgate_request r = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), h, 1, verdict, &st};

    /* The callback replaces the origin list: an unlisted origin it allows is allowed. */
    CHECK_STATUS(corsgate_evaluate(p, &r, d), CORSGATE_OK);
    CHECK(st.calls == 1 && strcmp(st.last, "https://mine.example") == 0);
    CHECK(corsgate_decision_allowed(d));
    size_t n = 0;
    const corsgate_header *out = corsgate_decision_headers(d, &n);
    CHECK(n == 1 && bytes_eq(out[0].name, "Access-Control-Allow-Origin") &&
          bytes_eq(out[0].value, "https://mine.example"));
    /* ... and a listed origin it denies is denied. */
    st.answer = false;
    h[0].value = CORSGATE_LITERAL("https://listed.example");
    CHECK_STATUS(corsgate_evaluate(p, &r, d), CORSGATE_OK);
    CHECK(st.calls == 2 && !corsgate_decision_allowed(d));
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_ORIGIN_NOT_ALLOWED);
    /* null: the callback decides. */
    st.answer = true;
    h[0].value = CORSGATE_LITERAL("null");
    CHECK_STATUS(corsgate_evaluate(p, &r, d), CORSGATE_OK);
    out = corsgate_decision_headers(d, &n);
    CHECK(st.calls == 3 && n == 1 && bytes_eq(out[0].value, "null"));
    /* A malformed origin stays denied whatever the callback says. */
    h[0].value = CORSGATE_LITERAL("https://Mine.example/");
    CHECK_STATUS(corsgate_evaluate(p, &r, d), CORSGATE_OK);
    CHECK(!corsgate_decision_allowed(d) && corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_ORIGIN);
    /* Under `*` the answer does not depend on the origin. */
    st.answer = false;
    h[0].value = CORSGATE_LITERAL("https://mine.example");
    CHECK_STATUS(corsgate_evaluate(any, &r, d), CORSGATE_OK);
    out = corsgate_decision_headers(d, &n);
    CHECK(corsgate_decision_allowed(d) && n == 1 && bytes_eq(out[0].value, "*"));
    /* Not called without exactly one Origin. */
    int before = st.calls;
    corsgate_header two[] = {h[0], h[0]};
    corsgate_request r2 = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), two, 2, verdict, &st};
    CHECK_STATUS(corsgate_evaluate(p, &r2, d), CORSGATE_OK);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_MALFORMED_ORIGIN);
    corsgate_request r0 = {CORSGATE_LITERAL("GET"), CORSGATE_LITERAL("/"), NULL, 0, verdict, &st};
    CHECK_STATUS(corsgate_evaluate(p, &r0, d), CORSGATE_OK);
    CHECK(corsgate_decision_kind(d) == CORSGATE_KIND_NOT_CORS);
    CHECK(st.calls == before);
    /* Methods still come from the policy. */
    st.answer = true;
    corsgate_header pre[] = {h[0], {CORSGATE_LITERAL("Access-Control-Request-Method"), CORSGATE_LITERAL("PATCH")}};
    corsgate_request rp = {CORSGATE_LITERAL("OPTIONS"), CORSGATE_LITERAL("/"), pre, 2, verdict, &st};
    CHECK_STATUS(corsgate_evaluate(p, &rp, d), CORSGATE_OK);
    CHECK(corsgate_decision_reason(d) == CORSGATE_REASON_METHOD_NOT_ALLOWED);
    corsgate_decision_free(d);
    corsgate_policy_free(p);
    corsgate_policy_free(any);
}

/* What the header promises about lifetimes, checked under valgrind/ASan. */
static void test_lifetimes(void) {
    corsgate_policy *a = compile_json("{\"origins\": [\"https://a.example\"], \"methods\": [\"PUT\"],"
                                      " \"request_headers\": [\"x-one\", \"x-two\"], \"max_age\": 60}");
    corsgate_policy *b = compile_json("{\"origins\": [\"https://a.example\"], \"methods\": [\"PUT\"],"
                                      " \"request_headers\": [\"x-one\", \"x-two\"], \"max_age\": 120}");
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    corsgate_header h[] = {
        {CORSGATE_LITERAL("Origin"), CORSGATE_LITERAL("https://a.example")},
        {CORSGATE_LITERAL("Access-Control-Request-Method"), CORSGATE_LITERAL("PUT")},
        {CORSGATE_LITERAL("Access-Control-Request-Headers"), CORSGATE_LITERAL("x-one")},
    };
    corsgate_request r = {CORSGATE_LITERAL("OPTIONS"), CORSGATE_LITERAL("/"), h, 3, NULL, NULL};

    /* Freeing the policy leaves the decision readable (it holds its own reference). */
    CHECK_STATUS(corsgate_evaluate(a, &r, d), CORSGATE_OK);
    corsgate_policy_free(a);
    size_t n = 0;
    const corsgate_header *out = corsgate_decision_headers(d, &n);
    CHECK(n == 4);
    CHECK(n == 4 && bytes_eq(out[2].value, "x-one, x-two") && bytes_eq(out[3].value, "60"));

    /* A swap (and freeing the shared handle and the new policy) leaves it readable too. */
    corsgate_shared *s = NULL;
    corsgate_policy *snapshot = NULL;
    CHECK_STATUS(corsgate_shared_new(b, &s), CORSGATE_OK);
    CHECK_STATUS(corsgate_shared_evaluate(s, &r, d), CORSGATE_OK);
    CHECK_STATUS(corsgate_shared_load(s, &snapshot), CORSGATE_OK);
    corsgate_policy *c = compile_json("{\"origins\": [\"https://c.example\"]}");
    CHECK_STATUS(corsgate_shared_store(s, c), CORSGATE_OK);
    corsgate_policy_free(b);
    corsgate_policy_free(c);
    corsgate_shared_free(s);
    out = corsgate_decision_headers(d, &n);
    CHECK(n == 4 && bytes_eq(out[3].value, "120"));
    /* The loaded snapshot is the policy that served before the swap. */
    CHECK_STATUS(corsgate_evaluate(snapshot, &r, d), CORSGATE_OK);
    out = corsgate_decision_headers(d, &n);
    CHECK(n == 4 && bytes_eq(out[3].value, "120"));
    corsgate_policy_free(snapshot);
    /* The decision still holds the snapshot; freeing it releases the last reference. */
    corsgate_decision_free(d);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <scratch directory>\n", argv[0]);
        return 2;
    }
    test_version();
    test_null_compile();
    test_error_object();
    test_bad_text(argv[1]);
    test_null_evaluate();
    test_hostile_bytes();
    test_origin_callback();
    test_lifetimes();
    return check_report("misuse");
}
