/* A small real HTTP server with corsgate: libmicrohttpd, a JSON endpoint, a policy file, and
 * live reconfiguration on SIGHUP.
 *
 * usage: corsgate-server <policy.toml|policy.json> [port]
 *   Listens on 127.0.0.1:<port> (0, the default, picks a free port) and prints
 *   "listening on http://127.0.0.1:<port>". GET /api/hello answers {"message":"hello"}.
 *   With CORSGATE_SERVER_APP=echo, the application is instead the one every server of the
 *   real-browser tests runs (tests/browser/lib/app.js): …/cookie/set sets `sid=c`, …/status/NNN
 *   answers NNN, anything else 200, each with a JSON echo and X-Request-Id, X-Internal and
 *   X-Cookie headers. With CORSGATE_SERVER_APP=instructed, the application answers what the
 *   request's X-App-Status, X-App-Body and X-App-Header lines say (the response vectors).
 *   SIGHUP recompiles the policy file: a good file is swapped in atomically while requests
 *   are being served; a broken one is reported and the running policy keeps serving.
 *   SIGINT/SIGTERM stop the server.
 *
 * Per request: every header line goes to corsgate_shared_evaluate; an answered preflight
 * (status != 0) never reaches the application; any other request runs the application. Either
 * way corsgate_decision_respond says what to send: the application's CORS headers go, the
 * decision's are added, Vary is merged (docs/semantics.md, "The response"). Each connection owns one corsgate_decision, reused for every request on
 * it (keep-alive), so the library allocates nothing per request. */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <corsgate.h>
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LINES 100

static corsgate_shared *shared;
static const char *policy_path;
static int echo_app;       /* CORSGATE_SERVER_APP=echo */
static int instructed_app; /* CORSGATE_SERVER_APP=instructed */

static corsgate_policy *load_policy(void) {
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    if (corsgate_policy_from_file((const uint8_t *)policy_path, strlen(policy_path), &policy, &error) !=
        CORSGATE_OK) {
        fprintf(stderr, "corsgate-server: %s: %s\n", policy_path, corsgate_error_summary(error));
        corsgate_error_free(error);
        return NULL;
    }
    for (size_t i = 0; i < corsgate_policy_warning_count(policy); i++) {
        corsgate_diagnostic w;
        if (corsgate_policy_warning(policy, i, &w) == CORSGATE_OK)
            fprintf(stderr, "corsgate-server: warning: %.*s: %.*s [%.*s]\n", (int)w.path.len,
                    (const char *)w.path.ptr, (int)w.message.len, (const char *)w.message.ptr,
                    (int)w.code.len, (const char *)w.code.ptr);
    }
    return policy;
}

/* One decision per connection, created when it opens and freed when it closes. */
static void on_connection(void *cls, struct MHD_Connection *connection, void **socket_context,
                          enum MHD_ConnectionNotificationCode code) {
    (void)cls;
    (void)connection;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        corsgate_decision *d = NULL;
        *socket_context = corsgate_decision_new(&d) == CORSGATE_OK ? d : NULL;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        corsgate_decision_free(*socket_context);
        *socket_context = NULL;
    }
}

typedef struct {
    corsgate_header lines[MAX_LINES];
    size_t count;
    int overflow;
} header_lines;

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                               const char *value, size_t value_size) {
    (void)kind;
    header_lines *h = cls;
    if (h->count == MAX_LINES) {
        h->overflow = 1;
        return MHD_NO;
    }
    h->lines[h->count].name = (corsgate_bytes){(const uint8_t *)key, key_size};
    h->lines[h->count].value = (corsgate_bytes){(const uint8_t *)value, value ? value_size : 0};
    h->count++;
    return MHD_YES;
}

/* libmicrohttpd wants NUL-terminated header strings: copy each into a buffer. corsgate's
 * values are bounded (an origin, at most 4 KiB of reflected request headers). */
static void add_header(struct MHD_Response *r, corsgate_bytes name, corsgate_bytes value) {
    char n[128], v[8192];
    if (name.len >= sizeof n || value.len >= sizeof v) return;
    memcpy(n, name.ptr, name.len);
    n[name.len] = '\0';
    memcpy(v, value.ptr, value.len);
    v[value.len] = '\0';
    MHD_add_response_header(r, n, v);
}

/* Collects a response's header lines (MHD's strings are NUL-terminated). */
static enum MHD_Result collect_response(void *cls, enum MHD_ValueKind kind, const char *key,
                                        const char *value) {
    (void)kind;
    header_lines *h = cls;
    if (h->count == MAX_LINES) {
        h->overflow = 1;
        return MHD_NO;
    }
    h->lines[h->count].name = (corsgate_bytes){(const uint8_t *)key, strlen(key)};
    h->lines[h->count].value = (corsgate_bytes){(const uint8_t *)value, value ? strlen(value) : 0};
    h->count++;
    return MHD_YES;
}

/* Writes the decision onto the response by corsgate's rule (corsgate_decision_respond):
 * removes the response's headers corsgate owns, adds corsgate's. libmicrohttpd frames the body
 * itself, so the framing line of an answered preflight (Content-Length: 0) is left to it.
 * Returns the status of an answered preflight, 0 when the application's stands, -1 on error. */
static int write_cors(struct MHD_Response *r, corsgate_decision *d) {
    header_lines app = {.count = 0, .overflow = 0};
    MHD_get_response_headers(r, collect_response, &app);
    corsgate_response out;
    if (app.overflow || corsgate_decision_respond(d, app.lines, app.count, &out) != CORSGATE_OK) return -1;
    /* Removed by copies: deleting one of two equal lines frees the other's strings. */
    size_t remove[MAX_LINES], n = 0;
    for (size_t i = 0; i < app.count; i++)
        if (corsgate_decision_removes(d, app.lines[i].name)) remove[n++] = i;
    char name[128], value[8192];
    for (size_t k = 0; k < n; k++) {
        corsgate_header h = app.lines[remove[k]];
        if (h.name.len >= sizeof name || h.value.len >= sizeof value) return -1;
        memcpy(name, h.name.ptr, h.name.len);
        name[h.name.len] = '\0';
        memcpy(value, h.value.ptr, h.value.len);
        value[h.value.len] = '\0';
        MHD_del_response_header(r, name, value);
    }
    for (size_t i = 0; i < out.header_count; i++) {
        corsgate_bytes name = out.headers[i].name;
        if (name.len == sizeof "Content-Length" - 1 && memcmp(name.ptr, "Content-Length", name.len) == 0)
            continue;
        add_header(r, name, out.headers[i].value);
    }
    return out.status;
}

/* Queues `r` with `status`, after corsgate wrote onto it (when there is a decision). */
static enum MHD_Result queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r,
                             corsgate_decision *d) {
    int answered = d ? write_cors(r, d) : 0;
    enum MHD_Result ret = answered < 0 ? MHD_NO : MHD_queue_response(c, answered ? (unsigned)answered : status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, unsigned status, const char *body,
                               const char *content_type, corsgate_decision *d) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    if (content_type) MHD_add_response_header(r, "Content-Type", content_type);
    return queue(c, status, r, d);
}

/* The application of the response vectors (CORSGATE_SERVER_APP=instructed): answers with the
 * status in X-App-Status, the body in X-App-Body and one header per X-App-Header line
 * ("Name: value"), as tests/vectors/responses.py tells it. */
static enum MHD_Result add_instructed(void *cls, enum MHD_ValueKind kind, const char *key,
                                      size_t key_size, const char *value, size_t value_size) {
    (void)kind;
    (void)value_size;
    if (key_size != sizeof "X-App-Header" - 1 || strncasecmp(key, "X-App-Header", key_size) != 0 || !value)
        return MHD_YES;
    const char *colon = strchr(value, ':');
    if (!colon || colon == value || (size_t)(colon - value) >= 128) return MHD_YES;
    char name[128];
    memcpy(name, value, (size_t)(colon - value));
    name[colon - value] = '\0';
    const char *v = colon + 1;
    while (*v == ' ') v++;
    MHD_add_response_header(cls, name, v);
    return MHD_YES;
}

static enum MHD_Result instructed(struct MHD_Connection *c, corsgate_decision *d) {
    const char *status = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-App-Status");
    const char *body = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-App-Body");
    if (!body) body = "";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, add_instructed, r);
    return queue(c, status ? (unsigned)atoi(status) : 200, r, d);
}

/* The browser tests' application (see the file comment). `cookie` is the request's `sid`. */
static enum MHD_Result echo(struct MHD_Connection *c, const char *url, const char *method,
                            corsgate_decision *d) {
    const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, "sid");
    size_t len = strlen(url);
    const char *tail = len >= 11 ? url + len - 11 : "";
    if (strcmp(tail, "/cookie/set") == 0) {
        struct MHD_Response *r =
            MHD_create_response_from_buffer(11, (void *)"cookie set\n", MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        MHD_add_response_header(r, "Content-Type", "text/plain");
        MHD_add_response_header(r, "Set-Cookie", "sid=c; Path=/; SameSite=Lax; HttpOnly");
        return queue(c, 200, r, d);
    }
    unsigned status = 200;
    if (strncmp(tail, "/status/", 8) == 0 && tail[8] >= '1' && tail[8] <= '5' &&
        tail[9] >= '0' && tail[9] <= '9' && tail[10] >= '0' && tail[10] <= '9')
        status = (unsigned)atoi(tail + 8);
    /* Tests send plain ASCII paths and cookies without quotes or backslashes. */
    char body[1024];
    if (cookie)
        snprintf(body, sizeof body, "{\"method\":\"%s\",\"path\":\"%s\",\"cookie\":\"%s\"}", method, url,
                 cookie);
    else
        snprintf(body, sizeof body, "{\"method\":\"%s\",\"path\":\"%s\",\"cookie\":null}", method, url);
    struct MHD_Response *r = MHD_create_response_from_buffer(
        strcmp(method, "HEAD") == 0 ? 0 : strlen(body), body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    MHD_add_response_header(r, "X-Request-Id", "req-42");
    MHD_add_response_header(r, "X-Internal", "hidden");
    MHD_add_response_header(r, "X-Cookie", cookie ? cookie : "");
    return queue(c, status, r, d);
}

/* Leaves the request path as the client sent it: corsgate routes on every form servers route
 * on and must see the raw target (docs/semantics.md, "Routes"), so libmicrohttpd's own
 * percent-decoding is turned off. The query is still cut off by libmicrohttpd. */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s) {
    (void)cls;
    (void)c;
    return strlen(s);
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *connection, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **req_cls) {
    (void)cls;
    (void)version;
    (void)upload_data;
    static int started;
    if (*req_cls == NULL) { /* headers are in; the body (if any) follows */
        *req_cls = &started;
        return MHD_YES;
    }
    if (*upload_data_size) { /* this example ignores request bodies */
        *upload_data_size = 0;
        return MHD_YES;
    }
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    corsgate_decision *d = info ? info->socket_context : NULL;
    if (!d) return respond(connection, 500, "{\"error\":\"no decision\"}\n", "application/json", NULL);

    header_lines h = {.count = 0, .overflow = 0};
    MHD_get_connection_values_n(connection, MHD_HEADER_KIND, collect, &h);
    if (h.overflow)
        return respond(connection, 431, "{\"error\":\"too many header lines\"}\n", "application/json", NULL);
    corsgate_request req = {
        .method = {(const uint8_t *)method, strlen(method)},
        .path = {(const uint8_t *)url, strlen(url)},
        .headers = h.lines,
        .header_count = h.count,
    };
    if (corsgate_shared_evaluate(shared, &req, d) != CORSGATE_OK)
        return respond(connection, 500, "{\"error\":\"corsgate failed\"}\n", "application/json", NULL);

    if (!corsgate_decision_allowed(d)) {
        char why[512];
        corsgate_decision_message(d, why, sizeof why, NULL);
        fprintf(stderr, "corsgate-server: %s %s denied (%s): %s\n", method, url,
                corsgate_reason_str(corsgate_decision_reason(d)), why);
    }
    if (corsgate_decision_status(d)) { /* answered here; the application never sees it */
        corsgate_bytes body = corsgate_decision_body(d);
        struct MHD_Response *r =
            MHD_create_response_from_buffer(body.len, (void *)body.ptr, MHD_RESPMEM_PERSISTENT);
        if (!r) return MHD_NO;
        return queue(connection, 0, r, d);
    }
    /* The application. */
    if (echo_app) return echo(connection, url, method, d);
    if (instructed_app) return instructed(connection, d);
    if (strcmp(url, "/api/hello") == 0 && (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0))
        return respond(connection, 200, "{\"message\":\"hello\"}\n", "application/json", d);
    return respond(connection, 404, "{\"error\":\"not found\"}\n", "application/json", d);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: %s <policy file> [port]\n", argv[0]);
        return 2;
    }
    policy_path = argv[1];
    const char *app = getenv("CORSGATE_SERVER_APP");
    echo_app = app && strcmp(app, "echo") == 0;
    instructed_app = app && strcmp(app, "instructed") == 0;
    unsigned port = argc == 3 ? (unsigned)atoi(argv[2]) : 0;
    corsgate_policy *policy = load_policy();
    if (!policy) return 1;
    if (corsgate_shared_new(policy, &shared) != CORSGATE_OK) return 1;
    corsgate_policy_free(policy);

    /* Signals are taken by sigwait below; block them before MHD starts its threads. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG, (uint16_t)port, NULL, NULL,
        handle, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)4, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_UNESCAPE_CALLBACK,
        keep_escaped, NULL, MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "corsgate-server: cannot listen on 127.0.0.1:%u\n", port);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_BIND_PORT);
    printf("listening on http://127.0.0.1:%u\n", info ? info->port : port);
    fflush(stdout);

    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0) break;
        if (sig != SIGHUP) break;
        corsgate_policy *fresh = load_policy();
        if (fresh) {
            corsgate_shared_store(shared, fresh);
            corsgate_policy_free(fresh);
            fprintf(stderr, "corsgate-server: reloaded %s\n", policy_path);
        } else {
            fprintf(stderr, "corsgate-server: reload failed; the previous policy keeps serving\n");
        }
    }
    MHD_stop_daemon(daemon);
    corsgate_shared_free(shared);
    return 0;
}
