/* Runs every browser-checker vector of tests/vectors/browser/ (format: that directory's
 * README.md) through corsgate_browser_check and checks every expected field the way
 * core/tests/browser_vectors.rs does, reading the outcome JSON (docs/cli.md, `explain --json`);
 * each case's Firefox expectation goes through corsgate_browser_check_in(FIREFOX).
 *
 * usage: browser <tests/vectors/browser directory>
 *
 * Every case also goes through the whole buffer protocol: buf = NULL, cap = 0 for the length;
 * a buffer one byte short (truncated, NUL-terminated prefix); then len + 1 bytes. Invalid
 * inputs (not JSON, no `request`, NULL pointers) are checked once at the end. */
#define _POSIX_C_SOURCE 200809L
#include "check.h"

#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>

static int case_failures;   /* mismatches, over all cases */
static int failed_cases;    /* cases with at least one mismatch */
static int case_failed;     /* the current case has a mismatch */
static const char *current_file;
static const char *current_case;

/* Records a mismatch of the current case, naming its file and case. */
static void fail(const char *fmt, ...) {
    va_list ap;
    case_failures++;
    if (!case_failed) failed_cases++;
    case_failed = 1;
    fprintf(stderr, "%s::%s: ", current_file, current_case);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A JSON value as compact text for messages (malloc'd; "(absent)" for NULL). */
static char *show(const json_t *v) {
    char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (!s) s = strdup(v ? "(unprintable)" : "(absent)");
    if (!s) abort();
    return s;
}

static void fail_value(const char *what, const json_t *got, const json_t *want) {
    char *g = show(got), *w = show(want);
    fail("%s: got %s, expected %s", what, g, w);
    free(g);
    free(w);
}

/* A buffer-protocol expectation of the current case: a failure names the case. */
#define EXPECT(cond)                                              \
    do {                                                          \
        check_count++;                                            \
        if (!(cond)) fail("buffer protocol: %s is false", #cond); \
    } while (0)

/* Runs corsgate_browser_check on `input` through the buffer protocol and returns the JSON
 * it wrote (malloc'd, NUL-terminated), its length in *len. */
static char *browser_check(const char *input, size_t input_len, size_t *len) {
    corsgate_bytes in = {(const uint8_t *)input, input_len};
    size_t want = (size_t)-1;
    corsgate_status s = corsgate_browser_check(in, NULL, 0, &want);
    EXPECT(s == CORSGATE_ERR_BUFFER_TOO_SMALL);
    EXPECT(want != (size_t)-1 && want > 0);
    if (want == (size_t)-1) want = 0;
    char *out = malloc(want + 1);
    if (!out) abort();
    char *prefix = calloc(want + 1, 1);
    if (!prefix) abort();
    if (want > 0) {
        /* One byte short: a truncated prefix (at most want - 1 bytes), NUL-terminated, and
         * nothing written past cap. */
        size_t again = 0;
        memset(out, 'x', want + 1);
        s = corsgate_browser_check(in, out, want, &again);
        EXPECT(s == CORSGATE_ERR_BUFFER_TOO_SMALL);
        EXPECT(again == want);
        EXPECT(memchr(out, '\0', want) != NULL);
        EXPECT(out[want] == 'x');
        if (memchr(out, '\0', want)) memcpy(prefix, out, strlen(out));
    }
    size_t got = (size_t)-1;
    memset(out, 'x', want + 1);
    s = corsgate_browser_check(in, out, want + 1, &got);
    EXPECT(s == CORSGATE_OK);
    EXPECT(got == want);
    EXPECT(out[want] == '\0');
    out[want] = '\0';
    /* JSON escapes NUL, so the text has no embedded one. */
    EXPECT(strlen(out) == want);
    /* The truncated prefix is the start of the full text. */
    EXPECT(strncmp(out, prefix, strlen(prefix)) == 0);
    free(prefix);
    *len = want;
    return out;
}

/* The checker's output for `input`, parsed; NULL (and a failure) when it is not JSON. */
static json_t *check_parsed(const char *input, size_t input_len) {
    size_t len = 0;
    char *text = browser_check(input, input_len, &len);
    json_error_t err;
    json_t *out = json_loadb(text, len, JSON_ALLOW_NUL, &err);
    if (!out) {
        fail("the output is not JSON (%s): %s", err.text, text);
    } else if (!json_is_object(out)) {
        fail("the output is not a JSON object: %s", text);
        json_decref(out);
        out = NULL;
    }
    free(text);
    return out;
}

/* The input of a case: its request with the vector format's defaults for `origin` and `url`
 * (corsgate_browser_check requires both), its preflight and response. */
static char *case_input(json_t *c, size_t *len) {
    json_t *request = json_deep_copy(json_object_get(c, "request"));
    if (!request) abort();
    if (!json_object_get(request, "origin"))
        json_object_set_new(request, "origin", json_string("https://app.example"));
    if (!json_object_get(request, "url"))
        json_object_set_new(request, "url", json_string("https://api.example/data"));
    json_t *input = json_object();
    json_object_set_new(input, "request", request);
    const char *answers[] = {"preflight", "response"};
    for (size_t i = 0; i < 2; i++) {
        json_t *r = json_object_get(c, answers[i]);
        if (r) json_object_set(input, answers[i], r);
    }
    char *text = json_dumps(input, JSON_COMPACT);
    if (!text) abort();
    json_decref(input);
    *len = strlen(text);
    return text;
}

/* Whether two JSON strings (or nulls) are equal; NULL (absent) counts as null. */
static int same_string_or_null(const json_t *a, const json_t *b) {
    int a_null = !a || json_is_null(a), b_null = !b || json_is_null(b);
    if (a_null || b_null) return a_null && b_null;
    return json_is_string(a) && json_is_string(b) && json_equal(a, b);
}

/* `error` / `chrome_error`: null, or {kind, value?, message?} against the outcome's
 * `blocked` / `blocked_in_chrome` ({kind, value, message, fix} or null). */
static void compare_error(const char *what, json_t *want, json_t *got) {
    int got_none = !got || json_is_null(got);
    if (json_is_null(want)) {
        if (!got_none) fail_value(what, got, want);
        return;
    }
    if (got_none) {
        fail_value(what, got, want);
        return;
    }
    json_t *kind = json_object_get(got, "kind");
    if (!json_is_string(kind) || !json_equal(kind, json_object_get(want, "kind"))) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s kind", what);
        fail_value(buf, kind, json_object_get(want, "kind"));
    }
    json_t *message = json_object_get(want, "message");
    if (json_is_string(message) && !json_equal(message, json_object_get(got, "message")))
        fail("%s message\n      got      %s\n      expected %s", what,
             json_string_value(json_object_get(got, "message")), json_string_value(message));
    json_t *value = json_object_get(want, "value");
    if (value && !same_string_or_null(value, json_object_get(got, "value"))) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s value", what);
        fail_value(buf, json_object_get(got, "value"), value);
    }
}

/* An outcome carries every key docs/cli.md lists for `explain --json`. */
static void check_shape(json_t *out) {
    const char *keys[] = {"verdict", "request", "preflight_request", "preflight", "response",
                          "blocked", "blocked_in_chrome", "missing", "notes"};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!json_object_get(out, keys[i])) fail("the outcome has no `%s`", keys[i]);
}

/* Firefox's answer, through corsgate_browser_check_in(CORSGATE_BROWSER_FIREFOX): the
 * outcome's `browser` object against `expect.firefox` (verdict, and for a failure Firefox's
 * reason kind, value, console message and the lines after it). */
static void compare_firefox(const char *input, size_t input_len, json_t *want) {
    corsgate_bytes in = {(const uint8_t *)input, input_len};
    size_t len = 0;
    corsgate_status s = corsgate_browser_check_in(CORSGATE_BROWSER_FIREFOX, in, NULL, 0, &len);
    if (s != CORSGATE_ERR_BUFFER_TOO_SMALL) {
        fail("corsgate_browser_check_in: status %d asking for the length", (int)s);
        return;
    }
    char *text = malloc(len + 1);
    if (!text) abort();
    s = corsgate_browser_check_in(CORSGATE_BROWSER_FIREFOX, in, text, len + 1, &len);
    json_error_t err;
    json_t *out = s == CORSGATE_OK ? json_loadb(text, len, 0, &err) : NULL;
    free(text);
    if (!out) {
        fail("corsgate_browser_check_in: status %d or not JSON", (int)s);
        return;
    }
    json_t *request_error = json_object_get(want, "request_error");
    json_t *error = json_object_get(out, "error");
    if (request_error || error) {
        if (!request_error || !error || !json_equal(json_object_get(error, "kind"), request_error))
            fail_value("firefox request_error", error, request_error);
        json_decref(out);
        return;
    }
    json_t *b = json_object_get(out, "browser");
    const char *name = json_string_value(json_object_get(b, "name"));
    if (!name || strcmp(name, "firefox") != 0) fail("firefox: browser.name is %s", name ? name : "(absent)");
    if (!json_equal(json_object_get(b, "verdict"), json_object_get(want, "verdict")))
        fail_value("firefox verdict", json_object_get(b, "verdict"), json_object_get(want, "verdict"));
    json_t *we = json_object_get(want, "error");
    json_t *ge = json_object_get(b, "error");
    if (we && json_is_null(we) != (!ge || json_is_null(ge))) {
        fail_value("firefox error", ge, we);
    } else if (we && !json_is_null(we)) {
        const char *keys[] = {"kind", "message", "value"};
        for (size_t i = 0; i < 3; i++) {
            json_t *w = json_object_get(we, keys[i]);
            json_t *g = json_object_get(ge, keys[i]);
            if (!same_string_or_null(w ? w : json_null(), g)) {
                char buf[64];
                snprintf(buf, sizeof buf, "firefox error.%s", keys[i]);
                fail_value(buf, g, w);
            }
        }
        json_t *console = json_object_get(ge, "console");
        json_t *then = json_object_get(we, "then");
        size_t n = json_array_size(console);
        size_t want_n = then ? json_array_size(then) : 0;
        int same = n == want_n + 1 && json_equal(json_array_get(console, 0), json_object_get(ge, "message"));
        for (size_t i = 0; same && i < want_n; i++)
            same = json_equal(json_array_get(console, i + 1), json_array_get(then, i));
        if (!same) fail_value("firefox error.console", console, then);
    }
    json_decref(out);
}

/* `readable_headers` / `hidden_headers`: the outcome's `response` must exist and list
 * exactly these names. */
static void compare_names(const char *key, json_t *want, json_t *out) {
    json_t *response = json_object_get(out, "response");
    json_t *got = json_is_object(response) ? json_object_get(response, key) : NULL;
    if (!got || !json_equal(got, want)) fail_value(key, got, want);
}

static void run_case(json_t *c) {
    json_t *expect = json_object_get(c, "expect");
    if (!json_is_object(expect)) {
        fail("%s", "the case has no `expect` object");
        return;
    }
    size_t input_len = 0;
    char *input = case_input(c, &input_len);
    json_t *out = check_parsed(input, input_len);
    json_t *firefox = json_object_get(expect, "firefox");
    if (firefox) compare_firefox(input, input_len, firefox);
    else fail("%s", "the case has no Firefox expectation (`firefox`)");
    free(input);
    if (!out) return;

    json_t *error = json_object_get(out, "error");
    json_t *request_error = json_object_get(expect, "request_error");
    if (error) {
        /* fetch() throws (or the input is invalid): only `request_error` can match. */
        json_t *kind = json_object_get(error, "kind");
        if (!request_error || !json_equal(kind, request_error))
            fail("unexpected error %s: %s", json_string_value(kind),
                 json_string_value(json_object_get(error, "message")));
        else if (json_string_length(json_object_get(error, "message")) == 0)
            fail("%s", "the request error has no message");
        json_decref(out);
        return;
    }
    if (request_error) {
        fail("expected request error %s, got an outcome", json_string_value(request_error));
        json_decref(out);
        return;
    }
    check_shape(out);

    const char *key;
    json_t *want;
    json_object_foreach(expect, key, want) {
        if (strcmp(key, "verdict") == 0) {
            if (!json_equal(json_object_get(out, "verdict"), want))
                fail_value("verdict", json_object_get(out, "verdict"), want);
        } else if (strcmp(key, "missing") == 0) {
            if (!same_string_or_null(want, json_object_get(out, "missing")))
                fail_value("missing", json_object_get(out, "missing"), want);
        } else if (strcmp(key, "preflight_request") == 0) {
            json_t *got = json_object_get(out, "preflight_request");
            int got_none = !got || json_is_null(got);
            if (json_is_null(want) || got_none) {
                if (json_is_null(want) != got_none) fail_value("preflight_request", got, want);
            } else if (!json_equal(json_object_get(got, "method"), json_object_get(want, "method")) ||
                       !json_is_string(json_object_get(got, "method")) ||
                       !same_string_or_null(json_object_get(want, "request_headers"),
                                            json_object_get(got, "request_headers"))) {
                fail_value("preflight_request", got, want);
            }
        } else if (strcmp(key, "error") == 0) {
            compare_error("error", want, json_object_get(out, "blocked"));
            json_t *chrome = json_object_get(expect, "chrome_error");
            compare_error("chrome_error", chrome ? chrome : want,
                          json_object_get(out, "blocked_in_chrome"));
        } else if (strcmp(key, "chrome_error") == 0) {
            /* Checked with `error`, as the Rust runner does; a vector stating one without
             * the other would go unchecked there too, so say so. */
            if (!json_object_get(expect, "error"))
                fail("%s", "`chrome_error` without `error` is not checked by the runners");
        } else if (strcmp(key, "cache_seconds") == 0) {
            json_t *preflight = json_object_get(out, "preflight");
            json_t *got = json_is_object(preflight) ? json_object_get(preflight, "cache_seconds") : NULL;
            if (!json_is_object(got)) {
                fail("%s", "expected a cache lifetime, got none");
                continue;
            }
            const char *engines[] = {"standard", "chromium", "firefox", "webkit"};
            for (size_t i = 0; i < 4; i++) {
                json_t *g = json_object_get(got, engines[i]), *w = json_object_get(want, engines[i]);
                if (!json_is_integer(w) || !json_is_integer(g) ||
                    json_integer_value(g) != json_integer_value(w)) {
                    char buf[64];
                    snprintf(buf, sizeof buf, "cache_seconds.%s", engines[i]);
                    fail_value(buf, g, w);
                }
            }
        } else if (strcmp(key, "readable_headers") == 0 || strcmp(key, "hidden_headers") == 0) {
            compare_names(key, want, out);
        } else if (strcmp(key, "firefox") == 0) {
            /* Checked above, through corsgate_browser_check_in. */
        } else if (strcmp(key, "opaque") == 0) {
            json_t *response = json_object_get(out, "response");
            json_t *got = json_is_object(response) ? json_object_get(response, "opaque") : NULL;
            if (!json_is_boolean(got) || !json_equal(got, want)) fail_value("opaque", got, want);
        } else {
            fail("unknown expect key `%s`: teach tests/c/browser.c to check it", key);
        }
    }
    json_decref(out);
}

/* `{"error": {"kind": "invalid_input", "message": …}}` and nothing else, as the header
 * documents for invalid input. */
static void check_invalid(const char *what, const char *input) {
    current_case = what;
    case_failed = 0;
    json_t *out = check_parsed(input, strlen(input));
    if (!out) return;
    json_t *error = json_object_get(out, "error");
    if (json_object_size(out) != 1 || !json_is_object(error)) {
        char *s = show(out);
        fail("expected only {\"error\": …}, got %s", s);
        free(s);
    } else {
        if (!json_is_string(json_object_get(error, "kind")) ||
            strcmp(json_string_value(json_object_get(error, "kind")), "invalid_input") != 0)
            fail("error kind: got %s, expected invalid_input",
                 json_string_value(json_object_get(error, "kind")));
        if (json_string_length(json_object_get(error, "message")) == 0)
            fail("%s", "the error has no message");
    }
    json_decref(out);
}

static void run_invalid_inputs(void) {
    current_file = "(invalid input)";
    check_invalid("not_json", "this is not JSON");
    check_invalid("missing_request",
                  "{\"response\": {\"status\": 200, \"headers\": "
                  "[[\"Access-Control-Allow-Origin\", \"*\"]]}}");
    check_invalid("request_not_an_object", "{\"request\": \"https://app.example\"}");
    check_invalid("empty_input", "");
    /* The documented status errors: a NULL input with a length, a NULL buffer with a
     * capacity. */
    size_t len = 7;
    CHECK_STATUS(corsgate_browser_check((corsgate_bytes){NULL, 3}, NULL, 0, &len),
                 CORSGATE_ERR_NULL_ARGUMENT);
    CHECK_STATUS(corsgate_browser_check(cstr("{}"), NULL, 16, &len), CORSGATE_ERR_NULL_ARGUMENT);
    /* len_out may be NULL. */
    char small[512];
    CHECK_STATUS(corsgate_browser_check(cstr("[]"), small, sizeof small, NULL), CORSGATE_OK);
    CHECK(strstr(small, "\"invalid_input\"") != NULL);
}

static int json_file(const struct dirent *e) {
    size_t n = strlen(e->d_name);
    return n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <tests/vectors/browser directory>\n", argv[0]);
        return 2;
    }
    struct dirent **files;
    int nfiles = scandir(argv[1], &files, json_file, alphasort);
    if (nfiles < 0) {
        perror(argv[1]);
        return 1;
    }
    int cases = 0;
    for (int f = 0; f < nfiles; f++) {
        char path[8192];
        snprintf(path, sizeof path, "%s/%s", argv[1], files[f]->d_name);
        current_file = files[f]->d_name;
        current_case = "(file)";
        case_failed = 0;
        json_error_t err;
        json_t *doc = json_load_file(path, JSON_ALLOW_NUL, &err);
        json_t *list = json_object_get(doc, "cases");
        if (!json_is_array(list) || json_array_size(list) == 0)
            fail("no cases (%s)", doc ? "no `cases` list" : err.text);
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *c = json_array_get(list, i);
            current_case = json_string_value(json_object_get(c, "name"));
            if (!current_case) current_case = "(unnamed)";
            case_failed = 0;
            run_case(c);
            cases++;
        }
        json_decref(doc);
        free(files[f]);
    }
    free(files);
    run_invalid_inputs();
    printf("browser: %d cases from %d files, 4 invalid inputs\n", cases, nfiles);
    if (cases == 0) {
        fprintf(stderr, "browser: no vectors in %s\n", argv[1]);
        return 1;
    }
    if (case_failures) {
        fprintf(stderr, "browser: %d mismatches in %d of the %d cases and 4 invalid inputs\n",
                case_failures, failed_cases, cases);
        return 1;
    }
    return check_report("browser");
}
