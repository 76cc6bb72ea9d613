/* Runs every shared vector of tests/vectors/ (format: tests/vectors/README.md) through the C
 * API and checks every expected field.
 *
 * usage: vectors <tests/vectors directory>
 *
 * One decision object is reused for every request case (across policies), as a server
 * reuses it. Besides the expected fields, each case checks the C-only invariants: the joined
 * Vary value equals the names, a denial has a message and a browser message, an allowed
 * request has neither. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <dirent.h>
#include <jansson.h>
#include <strings.h>

typedef struct {
    uint8_t *ptr;
    size_t len;
} buf;

static int case_failures;
static int cases_run;
static const char *current_file;
static const char *current_case;

static void fail(const char *fmt, const char *detail) {
    case_failures++;
    fprintf(stderr, "%s %s: ", current_file, current_case);
    fprintf(stderr, fmt, detail);
    fputc('\n', stderr);
}

/* Makes room for `n` more bytes (and a spare one). */
static void reserve(buf *out, size_t n) {
    out->ptr = realloc(out->ptr, out->len + n + 1);
    if (!out->ptr) abort();
}

/* Appends a vector string: chars U+0000..U+00FF are single bytes (Latin-1); any other char
 * is kept as its UTF-8 bytes. The caller has reserved `n` bytes (the decoded text is never
 * longer than its UTF-8 form). */
static void append_latin1(buf *out, const char *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c == 0xC2 || c == 0xC3) && i + 1 < n) {
            out->ptr[out->len++] = (uint8_t)(((c & 0x1F) << 6) | ((unsigned char)s[i + 1] & 0x3F));
            i++;
        } else {
            out->ptr[out->len++] = c;
        }
    }
}

/* A vector byte string: a JSON string, or {"repeat", "times", "prefix", "suffix"}. */
static buf byte_string(json_t *v) {
    buf out = {NULL, 0};
    if (json_is_string(v)) {
        reserve(&out, json_string_length(v));
        append_latin1(&out, json_string_value(v), json_string_length(v));
    } else if (json_is_object(v)) {
        json_t *prefix = json_object_get(v, "prefix"), *repeat = json_object_get(v, "repeat");
        json_t *suffix = json_object_get(v, "suffix");
        json_int_t times = json_integer_value(json_object_get(v, "times"));
        size_t rlen = json_string_length(repeat);
        reserve(&out, json_string_length(prefix) + rlen * (size_t)(times > 0 ? times : 0) +
                          json_string_length(suffix));
        if (prefix) append_latin1(&out, json_string_value(prefix), json_string_length(prefix));
        for (json_int_t i = 0; repeat && i < times; i++) append_latin1(&out, json_string_value(repeat), rlen);
        if (suffix) append_latin1(&out, json_string_value(suffix), json_string_length(suffix));
    } else {
        reserve(&out, 0);
        fail("%s", "a byte string is neither a string nor a repeat object");
    }
    return out;
}

/* Compiles a case's `policy` (JSON, re-serialized) or `policy_toml`. */
static corsgate_status compile(json_t *c, corsgate_policy **policy, corsgate_error **error) {
    json_t *toml = json_object_get(c, "policy_toml");
    if (json_is_string(toml))
        return corsgate_policy_from_toml((const uint8_t *)json_string_value(toml),
                                         json_string_length(toml), policy, error);
    char *text = json_dumps(json_object_get(c, "policy"), JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text) abort();
    corsgate_status s = corsgate_policy_from_json((const uint8_t *)text, strlen(text), policy, error);
    free(text);
    return s;
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* "path code" of a diagnostic, malloc'd. */
static char *located(corsgate_diagnostic d) {
    char *s = malloc(d.path.len + d.code.len + 2);
    if (!s) abort();
    memcpy(s, d.path.ptr, d.path.len);
    s[d.path.len] = ' ';
    memcpy(s + d.path.len + 1, d.code.ptr, d.code.len);
    s[d.path.len + 1 + d.code.len] = '\0';
    return s;
}

/* Compares the expected set of {path, code} with what the library listed (any order). */
static void compare_diagnostics(json_t *want, char **got, size_t n_got) {
    size_t n_want = json_array_size(want);
    char **w = calloc(n_want + 1, sizeof *w);
    if (!w) abort();
    for (size_t i = 0; i < n_want; i++) {
        json_t *e = json_array_get(want, i);
        corsgate_diagnostic d = {cstr(json_string_value(json_object_get(e, "path"))),
                                 cstr(json_string_value(json_object_get(e, "code"))),
                                 {NULL, 0}, {NULL, 0}};
        w[i] = located(d);
    }
    qsort(w, n_want, sizeof *w, cmp_str);
    qsort(got, n_got, sizeof *got, cmp_str);
    int same = n_want == n_got;
    for (size_t i = 0; same && i < n_got; i++) same = strcmp(w[i], got[i]) == 0;
    if (!same) {
        fail("%s", "diagnostics differ");
        for (size_t i = 0; i < n_want; i++) fprintf(stderr, "    expected: %s\n", w[i]);
        for (size_t i = 0; i < n_got; i++) fprintf(stderr, "    got:      %s\n", got[i]);
    }
    for (size_t i = 0; i < n_want; i++) free(w[i]);
    free(w);
}

static void run_invalid(json_t *c) {
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    corsgate_status s = compile(c, &policy, &error);
    if (s != CORSGATE_ERR_INVALID_POLICY || policy || !error) {
        fail("compiled (status %s), but should fail", corsgate_status_str(s));
        corsgate_policy_free(policy);
        corsgate_error_free(error);
        return;
    }
    size_t n = corsgate_error_count(error);
    char **got = calloc(n + 1, sizeof *got);
    if (!got) abort();
    for (size_t i = 0; i < n; i++) {
        corsgate_diagnostic d;
        CHECK_STATUS(corsgate_error_get(error, i, &d), CORSGATE_OK);
        if (d.message.len == 0) fail("%s", "an error has no message");
        got[i] = located(d);
    }
    corsgate_diagnostic past;
    CHECK_STATUS(corsgate_error_get(error, n, &past), CORSGATE_ERR_INVALID_ARGUMENT);
    CHECK(strlen(corsgate_error_summary(error)) > 0);
    compare_diagnostics(json_object_get(c, "errors"), got, n);
    for (size_t i = 0; i < n; i++) free(got[i]);
    free(got);
    corsgate_error_free(error);
}

static void run_warnings(json_t *c) {
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    corsgate_status s = compile(c, &policy, &error);
    if (s != CORSGATE_OK) {
        fail("does not compile: %s", corsgate_error_summary(error));
        corsgate_error_free(error);
        return;
    }
    CHECK(error == NULL);
    size_t n = corsgate_policy_warning_count(policy);
    char **got = calloc(n + 1, sizeof *got);
    if (!got) abort();
    for (size_t i = 0; i < n; i++) {
        corsgate_diagnostic d;
        CHECK_STATUS(corsgate_policy_warning(policy, i, &d), CORSGATE_OK);
        got[i] = located(d);
    }
    compare_diagnostics(json_object_get(c, "warnings"), got, n);
    for (size_t i = 0; i < n; i++) free(got[i]);
    free(got);
    corsgate_policy_free(policy);
}

static void check_expect(json_t *expect, corsgate_decision *d) {
    const char *key;
    json_t *want;
    json_object_foreach(expect, key, want) {
        if (strcmp(key, "kind") == 0) {
            const char *got = corsgate_kind_str((int)corsgate_decision_kind(d));
            if (strcmp(got, json_string_value(want)) != 0) fail("kind: got %s", got);
        } else if (strcmp(key, "allowed") == 0) {
            if (corsgate_decision_allowed(d) != json_is_true(want))
                fail("allowed: got %s", corsgate_decision_allowed(d) ? "true" : "false");
        } else if (strcmp(key, "status") == 0) {
            int got = corsgate_decision_status(d);
            int w = json_is_null(want) ? 0 : (int)json_integer_value(want);
            char msg[32];
            snprintf(msg, sizeof msg, "%d", got);
            if (got != w) fail("status: got %s (0 = null)", msg);
        } else if (strcmp(key, "headers") == 0) {
            size_t n = 0;
            const corsgate_header *h = corsgate_decision_headers(d, &n);
            if (n != json_array_size(want)) {
                fail("%s", "headers: wrong count");
            }
            for (size_t i = 0; i < n && i < json_array_size(want); i++) {
                json_t *pair = json_array_get(want, i);
                const char *name = json_string_value(json_array_get(pair, 0));
                buf value = byte_string(json_array_get(pair, 1));
                int name_ok = h[i].name.len == strlen(name) &&
                              strncasecmp((const char *)h[i].name.ptr, name, h[i].name.len) == 0;
                int value_ok = h[i].value.len == value.len &&
                               (value.len == 0 || memcmp(h[i].value.ptr, value.ptr, value.len) == 0);
                if (!name_ok || !value_ok) {
                    fail("headers: entry %s differs", name);
                    fprintf(stderr, "    got: %.*s: %.*s\n", (int)h[i].name.len,
                            (const char *)h[i].name.ptr, (int)h[i].value.len,
                            (const char *)h[i].value.ptr);
                }
                free(value.ptr);
            }
        } else if (strcmp(key, "vary") == 0) {
            size_t n = corsgate_decision_vary_count(d);
            char joined[512] = "";
            if (n != json_array_size(want)) fail("%s", "vary: wrong count");
            for (size_t i = 0; i < n; i++) {
                corsgate_bytes name = corsgate_decision_vary_name(d, i);
                if (i < json_array_size(want) && !bytes_eq(name, json_string_value(json_array_get(want, i))))
                    fail("vary: name %s differs", json_string_value(json_array_get(want, i)));
                if (i) strcat(joined, ", ");
                strncat(joined, (const char *)name.ptr, name.len);
            }
            if (!bytes_eq(corsgate_decision_vary(d), joined)) fail("vary: joined value is not %s", joined);
            if (corsgate_decision_vary_name(d, n).len != 0) fail("%s", "vary: name past the end");
        } else if (strcmp(key, "reason") == 0) {
            const char *got = corsgate_reason_str((int)corsgate_decision_reason(d));
            const char *w = json_is_null(want) ? "" : json_string_value(want);
            if (strcmp(got, w) != 0) fail("reason: got \"%s\"", got);
        } else {
            fail("unknown expect key %s: teach tests/c/vectors.c to check it", key);
        }
    }
}

/* Messages: non-empty exactly when denied; the size query agrees with the text. */
static void check_messages(corsgate_decision *d) {
    size_t len = 99;
    corsgate_status s = corsgate_decision_message(d, NULL, 0, &len);
    int denied = corsgate_decision_reason(d) != CORSGATE_REASON_NONE;
    if (denied) {
        CHECK(s == CORSGATE_ERR_BUFFER_TOO_SMALL && len > 0);
        char *text = malloc(len + 1);
        if (!text) abort();
        size_t again = 0;
        CHECK_STATUS(corsgate_decision_message(d, text, len + 1, &again), CORSGATE_OK);
        CHECK(again == len && strlen(text) <= len);
        free(text);
        CHECK(corsgate_decision_browser_reason(d).len > 0);
        char browser[1024];
        CHECK_STATUS(corsgate_decision_browser_message(d, (const uint8_t *)"https://api.example/x", 21,
                                                       (const uint8_t *)"https://app.example", 19,
                                                       browser, sizeof browser, &len),
                     CORSGATE_OK);
        CHECK(strncmp(browser, "Access to fetch at 'https://api.example/x' from origin 'https://app.example' has been blocked by CORS policy: ", 106) == 0);
    } else {
        /* An empty message still needs one byte, for the NUL. */
        CHECK(s == CORSGATE_ERR_BUFFER_TOO_SMALL && len == 0);
        char one[1] = {'x'};
        CHECK_STATUS(corsgate_decision_message(d, one, 1, &len), CORSGATE_OK);
        CHECK(one[0] == '\0' && len == 0);
        CHECK(corsgate_decision_browser_reason(d).len == 0);
        CHECK(corsgate_decision_reason_value(d).len == 0);
    }
}

static void run_request(json_t *c, corsgate_decision *d) {
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    if (compile(c, &policy, &error) != CORSGATE_OK) {
        fail("policy does not compile: %s", corsgate_error_summary(error));
        corsgate_error_free(error);
        return;
    }
    json_t *r = json_object_get(c, "request");
    json_t *headers = json_object_get(r, "headers");
    size_t n = json_array_size(headers);
    buf method = byte_string(json_object_get(r, "method"));
    buf path = json_object_get(r, "path") ? byte_string(json_object_get(r, "path")) : (buf){NULL, 0};
    if (!json_object_get(r, "path")) {
        reserve(&path, 1);
        append_latin1(&path, "/", 1);
    }
    buf *names = calloc(n + 1, sizeof *names), *values = calloc(n + 1, sizeof *values);
    corsgate_header *lines = calloc(n + 1, sizeof *lines);
    if (!names || !values || !lines) abort();
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(headers, i);
        names[i] = byte_string(json_array_get(pair, 0));
        values[i] = byte_string(json_array_get(pair, 1));
        lines[i].name = (corsgate_bytes){names[i].ptr, names[i].len};
        lines[i].value = (corsgate_bytes){values[i].ptr, values[i].len};
    }
    corsgate_request req = {
        .method = {method.ptr, method.len},
        .path = {path.ptr, path.len},
        .headers = lines,
        .header_count = n,
    };
    CHECK_STATUS(corsgate_evaluate(policy, &req, d), CORSGATE_OK);
    /* The policy may go: the decision keeps its own reference. */
    corsgate_policy_free(policy);
    check_expect(json_object_get(c, "expect"), d);
    check_messages(d);
    for (size_t i = 0; i < n; i++) {
        free(names[i].ptr);
        free(values[i].ptr);
    }
    free(names);
    free(values);
    free(lines);
    free(method.ptr);
    free(path.ptr);
}

static int json_file(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

/* Runs every case of every file in dir/sub; returns the number of cases. */
static int run_dir(const char *dir, const char *sub, corsgate_decision *d) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, sub);
    struct dirent **files;
    int nfiles = scandir(path, &files, json_file, alphasort);
    if (nfiles < 0) {
        perror(path);
        case_failures++;
        return 0;
    }
    int count = 0;
    for (int f = 0; f < nfiles; f++) {
        char file[8192];
        snprintf(file, sizeof file, "%s/%s", path, files[f]->d_name);
        json_error_t err;
        json_t *doc = json_load_file(file, JSON_ALLOW_NUL, &err);
        current_file = files[f]->d_name;
        current_case = "(file)";
        if (!doc) {
            fail("cannot parse: %s", err.text);
        }
        json_t *list = json_object_get(doc, "cases");
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *c = json_array_get(list, i);
            current_case = json_string_value(json_object_get(c, "name"));
            if (!current_case) current_case = "(unnamed)";
            if (strcmp(sub, "requests") == 0)
                run_request(c, d);
            else if (strcmp(sub, "invalid") == 0)
                run_invalid(c);
            else
                run_warnings(c);
            count++;
        }
        json_decref(doc);
        free(files[f]);
    }
    free(files);
    return count;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <tests/vectors directory>\n", argv[0]);
        return 2;
    }
    corsgate_decision *d = NULL;
    CHECK_STATUS(corsgate_decision_new(&d), CORSGATE_OK);
    int requests = run_dir(argv[1], "requests", d);
    int invalid = run_dir(argv[1], "invalid", d);
    int warnings = run_dir(argv[1], "warnings", d);
    corsgate_decision_free(d);
    cases_run = requests + invalid + warnings;
    printf("vectors: %d request, %d invalid-policy, %d warning cases\n", requests, invalid, warnings);
    if (requests == 0 || invalid == 0 || warnings == 0) {
        fprintf(stderr, "vectors: a vector directory is empty\n");
        return 1;
    }
    if (case_failures) {
        fprintf(stderr, "vectors: %d failures in %d cases\n", case_failures, cases_run);
        return 1;
    }
    return check_report("vectors");
}
