/*
 * mod_corsgate: CORS for Apache httpd from a corsgate policy file.
 *
 *   CorsgatePolicy <file>          the policy (JSON or TOML) serving this context and the
 *                                  contexts inside it
 *   Corsgate Off                   no CORS handling here and below
 *   CorsgateDenialLogLevel <level> the level denials are logged at (default info; off)
 *
 * All three work in the server config, <VirtualHost>, <Directory>, <Location>, <Files> and
 * .htaccess (with AllowOverride FileInfo). A context without CorsgatePolicy or Corsgate Off
 * inherits its parent's, in httpd's merge order (docs/apache.md).
 *
 * The module translates; libcorsgate decides. A policy file named in the configuration is
 * compiled when httpd reads it, so `apachectl configtest` fails on a bad file and prints
 * every problem (file, key, code, hint). One named in .htaccess is compiled when the file
 * changes (a per-process cache keyed by path, size, mtime and inode). Per request:
 * - a preflight is answered in the header_parser hook: after httpd has mapped the URL to
 *   its final per-directory configuration (.htaccess included), before authentication and
 *   authorization (a preflight carries no credentials). It never reaches the handler or a
 *   proxied backend, unless the policy says `preflight_continue`;
 * - every response (any status, httpd's own error documents and proxied responses included)
 *   is written in an output filter that runs after mod_headers and mod_deflate, by
 *   libcorsgate's response rule (corsgate_decision_respond): the CORS headers a backend, an
 *   application or mod_headers set go, the decision's are added, Vary is merged;
 * - the notes (and environment variables) corsgate_verdict, corsgate_reason and
 *   corsgate_kind are set for LogFormat (%{corsgate_verdict}n) and conditional logging.
 *
 * One corsgate_decision per connection (a connection is served by one thread at a time),
 * created at its first CORS request and freed with the connection: evaluating allocates
 * nothing in the library.
 *
 * Guide: docs/apache.md.
 */

#include "httpd.h"
#include "http_config.h"
#include "http_core.h"
#include "http_log.h"
#include "http_protocol.h"
#include "http_request.h"
#include "util_filter.h"

#include "apr_hash.h"
#include "apr_strings.h"
#include "apr_thread_mutex.h"

#include <corsgate.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Request header lines passed on the stack; more come from the request pool. */
#define CORSGATE_STACK_LINES 32

/* Longest denied value written to the denial log line. */
#define CORSGATE_LOG_VALUE 128

/* CorsgateDenialLogLevel not given here (inherit), or `off`. */
#define CORSGATE_LEVEL_UNSET -1
#define CORSGATE_LEVEL_OFF -2

module AP_MODULE_DECLARE_DATA corsgate_module;

/* Per-directory configuration (server config and <VirtualHost> use their lookup defaults). */
typedef struct {
    /* CorsgatePolicy or Corsgate Off was given in this context. */
    int set;
    /* The policy serving this context; NULL: Corsgate Off (or nothing configured). */
    const corsgate_policy *policy;
    /* The policy's file, for log lines. */
    const char *file;
    /* An APLOG_* level, CORSGATE_LEVEL_OFF or CORSGATE_LEVEL_UNSET. */
    int denial_level;
} corsgate_dir_conf;

/* What the module did on this request (its request_config, in the request pool). */
typedef struct {
    /* The policy the connection's decision was evaluated with for this request, or NULL. */
    const corsgate_policy *evaluated;
    /*
     * The header table the decision was written to. httpd swaps r->headers_out for
     * r->err_headers_out when it turns a response into an error response (an error bucket,
     * a handler's status): the filter then runs again and writes the decision again.
     */
    const apr_table_t *written;
} corsgate_request_state;

/* A policy file named in .htaccess, compiled once per version of the file. */
typedef struct {
    apr_time_t mtime;
    apr_off_t size;
    apr_ino_t inode;
    /* The last good version (NULL until one compiled); swapped atomically. */
    corsgate_shared *shared;
    /* This version's problems (malloc'ed), or NULL when it compiled. */
    char *error;
} corsgate_cached_file;

/* Policies compiled while reading this configuration, by absolute file name (in pconf). */
static apr_hash_t *corsgate_config_files;

/* This process's cache of .htaccess policy files, and its lock (in the child's pool). */
static apr_hash_t *corsgate_htaccess_files;
static apr_pool_t *corsgate_htaccess_pool;
static apr_thread_mutex_t *corsgate_htaccess_lock;

static ap_filter_rec_t *corsgate_filter_handle;

/* Configuration */

static void *create_dir_conf(apr_pool_t *p, char *dir)
{
    corsgate_dir_conf *conf = apr_pcalloc(p, sizeof *conf);

    (void)dir;
    conf->denial_level = CORSGATE_LEVEL_UNSET;
    return conf;
}

static void *merge_dir_conf(apr_pool_t *p, void *basev, void *addv)
{
    const corsgate_dir_conf *base = basev, *add = addv;
    corsgate_dir_conf *conf = apr_palloc(p, sizeof *conf);

    *conf = add->set ? *add : *base;
    conf->denial_level = add->denial_level != CORSGATE_LEVEL_UNSET ? add->denial_level
                                                                     : base->denial_level;
    return conf;
}

static apr_status_t free_policy(void *policy)
{
    corsgate_policy_free(policy);
    return APR_SUCCESS;
}

/* A NUL-terminated copy of a library byte string ("" when empty), in `p`. */
static const char *bytes(apr_pool_t *p, corsgate_bytes b)
{
    return b.len ? apr_pstrmemdup(p, (const char *)b.ptr, b.len) : "";
}

/* "path: message (code); hint: hint" for one problem or warning. */
static const char *format_diagnostic(apr_pool_t *p, const corsgate_diagnostic *d)
{
    return apr_psprintf(p, "%s%s%s (%s)%s%s", bytes(p, d->path), d->path.len ? ": " : "",
                        bytes(p, d->message), bytes(p, d->code), d->hint.len ? "; hint: " : "",
                        bytes(p, d->hint));
}

static void log_warnings(cmd_parms *cmd, int startup, const char *file, size_t count,
                         corsgate_status (*get)(const void *, size_t, corsgate_diagnostic *),
                         const void *from)
{
    corsgate_diagnostic d;
    size_t i;

    for (i = 0; i < count; i++) {
        if (get(from, i, &d) == CORSGATE_OK) {
            ap_log_error(APLOG_MARK, APLOG_WARNING | startup, 0, cmd->server,
                         "CorsgatePolicy %s: warning: %s", file,
                         format_diagnostic(cmd->temp_pool, &d));
        }
    }
}

static corsgate_status policy_warning(const void *policy, size_t i, corsgate_diagnostic *d)
{
    return corsgate_policy_warning(policy, i, d);
}

static corsgate_status error_warning(const void *error, size_t i, corsgate_diagnostic *d)
{
    return corsgate_error_warning(error, i, d);
}

/*
 * Compiles `file` into `*out` (the caller owns it). On failure returns the message httpd
 * prints: one line per problem, each naming the file and the key; warnings are logged.
 */
static const char *compile_file(cmd_parms *cmd, const char *file, corsgate_policy **out)
{
    corsgate_policy *policy = NULL;
    corsgate_error *error = NULL;
    corsgate_diagnostic d;
    corsgate_status rc;
    const char *msg;
    size_t i, n;
    /* While reading the configuration (configtest included), in httpd's plain startup form. */
    int startup = ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM ? 0 : APLOG_STARTUP;

    rc = corsgate_policy_from_file((const uint8_t *)file, strlen(file), &policy, &error);

    if (rc == CORSGATE_OK && policy != NULL) {
        log_warnings(cmd, startup, file, corsgate_policy_warning_count(policy), policy_warning, policy);
        *out = policy;
        return NULL;
    }

    if (rc != CORSGATE_ERR_INVALID_POLICY || error == NULL) {
        corsgate_error_free(error);
        return apr_psprintf(cmd->pool, "CorsgatePolicy %s: %s", file, corsgate_status_str(rc));
    }

    /* httpd prints a directive's error on one line: each problem gets its own log line. */
    n = corsgate_error_count(error);
    for (i = 0; i < n; i++) {
        if (corsgate_error_get(error, i, &d) == CORSGATE_OK) {
            ap_log_error(APLOG_MARK, APLOG_ERR | startup, 0, cmd->server,
                         "CorsgatePolicy %s: %s", file, format_diagnostic(cmd->temp_pool, &d));
        }
    }
    log_warnings(cmd, startup, file, corsgate_error_warning_count(error), error_warning, error);
    corsgate_error_free(error);

    msg = apr_psprintf(cmd->pool, "CorsgatePolicy %s: invalid CORS policy (%lu problem%s%s)",
                       file, (unsigned long)n, n == 1 ? "" : "s",
                       startup ? ", above" : ", in the error log");
    return msg;
}

/* A policy named in the configuration: compiled once per file per configuration load. */
static const char *config_policy(cmd_parms *cmd, const char *file, const corsgate_policy **out)
{
    corsgate_policy *policy;
    const char *err;

    policy = apr_hash_get(corsgate_config_files, file, APR_HASH_KEY_STRING);
    if (policy == NULL) {
        err = compile_file(cmd, file, &policy);
        if (err != NULL) {
            return err;
        }
        /* Freed with the configuration (pconf): at a restart, or when httpd exits. */
        apr_pool_cleanup_register(cmd->pool, policy, free_policy, apr_pool_cleanup_null);
        apr_hash_set(corsgate_config_files, apr_pstrdup(cmd->pool, file), APR_HASH_KEY_STRING,
                     policy);
    }
    *out = policy;
    return NULL;
}

/*
 * A policy named in .htaccess, which httpd reads on every request: compiled when the file is
 * new or changed, otherwise taken from this process's cache. The request holds its own
 * reference (released with the request), so a newer version can replace the cached one
 * while requests still use the old.
 */
static const char *htaccess_policy(cmd_parms *cmd, const char *file, const corsgate_policy **out)
{
    corsgate_cached_file *entry;
    corsgate_policy *policy, *compiled;
    apr_finfo_t fi;
    const char *err = NULL;

    if (corsgate_htaccess_lock == NULL
        || apr_stat(&fi, file, APR_FINFO_MTIME | APR_FINFO_SIZE | APR_FINFO_INODE,
                    cmd->temp_pool) != APR_SUCCESS) {
        /* No cache (not in a child process), or an unreadable file: the library says why. */
        err = compile_file(cmd, file, &policy);
        if (err == NULL) {
            apr_pool_cleanup_register(cmd->pool, policy, free_policy, apr_pool_cleanup_null);
            *out = policy;
        }
        return err;
    }

    apr_thread_mutex_lock(corsgate_htaccess_lock);

    entry = apr_hash_get(corsgate_htaccess_files, file, APR_HASH_KEY_STRING);
    if (entry == NULL) {
        entry = apr_pcalloc(corsgate_htaccess_pool, sizeof *entry);
        apr_hash_set(corsgate_htaccess_files, apr_pstrdup(corsgate_htaccess_pool, file),
                     APR_HASH_KEY_STRING, entry);
        entry->mtime = -1;
    }

    if (entry->mtime != fi.mtime || entry->size != fi.size || entry->inode != fi.inode) {
        entry->mtime = fi.mtime;
        entry->size = fi.size;
        entry->inode = fi.inode;
        free(entry->error);
        entry->error = NULL;

        compiled = NULL;
        err = compile_file(cmd, file, &compiled);
        if (err != NULL) {
            entry->error = strdup(err);
        }
        else if (entry->shared == NULL) {
            if (corsgate_shared_new(compiled, &entry->shared) != CORSGATE_OK) {
                entry->error = strdup("CorsgatePolicy: corsgate_shared_new() failed");
            }
        }
        else if (corsgate_shared_store(entry->shared, compiled) != CORSGATE_OK) {
            entry->error = strdup("CorsgatePolicy: corsgate_shared_store() failed");
        }
        corsgate_policy_free(compiled);
    }

    policy = NULL;
    if (entry->error != NULL) {
        err = apr_pstrdup(cmd->pool, entry->error);
    }
    else if (corsgate_shared_load(entry->shared, &policy) != CORSGATE_OK) {
        err = "CorsgatePolicy: corsgate_shared_load() failed";
    }

    apr_thread_mutex_unlock(corsgate_htaccess_lock);

    if (policy != NULL) {
        apr_pool_cleanup_register(cmd->pool, policy, free_policy, apr_pool_cleanup_null);
        *out = policy;
    }
    return err;
}

static const char *set_policy(cmd_parms *cmd, void *cfg, const char *arg)
{
    corsgate_dir_conf *conf = cfg;
    const corsgate_policy *policy = NULL;
    const char *file, *err;

    if (conf->set) {
        return "CorsgatePolicy: CorsgatePolicy or Corsgate Off is already set in this context";
    }
    if (*arg == '\0') {
        return "CorsgatePolicy needs a file name";
    }

    /* Relative to ServerRoot, like AuthUserFile and Include. */
    file = ap_server_root_relative(cmd->pool, arg);
    if (file == NULL) {
        return apr_pstrcat(cmd->pool, "CorsgatePolicy: invalid file name ", arg, NULL);
    }

    /* .htaccess files are read while serving requests; the configuration before. */
    err = ap_state_query(AP_SQ_MAIN_STATE) == AP_SQ_MS_RUN_MPM
              ? htaccess_policy(cmd, file, &policy)
              : config_policy(cmd, file, &policy);
    if (err != NULL) {
        return err;
    }

    conf->set = 1;
    conf->policy = policy;
    conf->file = file;
    return NULL;
}

static const char *set_switch(cmd_parms *cmd, void *cfg, const char *arg)
{
    corsgate_dir_conf *conf = cfg;

    if (strcasecmp(arg, "off") != 0) {
        return apr_pstrcat(cmd->pool, "Corsgate: invalid value \"", arg,
                           "\": only \"Corsgate Off\" exists; CORS is turned on with "
                           "\"CorsgatePolicy <file>\"",
                           NULL);
    }
    if (conf->set) {
        return "Corsgate: CorsgatePolicy or Corsgate Off is already set in this context";
    }
    conf->set = 1;
    conf->policy = NULL;
    conf->file = NULL;
    return NULL;
}

static const char *set_denial_level(cmd_parms *cmd, void *cfg, const char *arg)
{
    corsgate_dir_conf *conf = cfg;
    const char *err;
    int level;

    if (strcasecmp(arg, "off") == 0) {
        conf->denial_level = CORSGATE_LEVEL_OFF;
        return NULL;
    }
    err = ap_parse_log_level(arg, &level);
    if (err != NULL) {
        return apr_pstrcat(cmd->pool, "CorsgateDenialLogLevel: ", err, " (or off)", NULL);
    }
    conf->denial_level = level;
    return NULL;
}

static const command_rec corsgate_commands[] = {
    AP_INIT_TAKE1("CorsgatePolicy", set_policy, NULL, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "the corsgate policy file (JSON or TOML) for this context and below"),
    AP_INIT_TAKE1("Corsgate", set_switch, NULL, RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "Off: no CORS handling in this context and below"),
    AP_INIT_TAKE1("CorsgateDenialLogLevel", set_denial_level, NULL,
                  RSRC_CONF | ACCESS_CONF | OR_FILEINFO,
                  "the error log level of denial reports (default info), or off"),
    {NULL}};

static int pre_config(apr_pool_t *pconf, apr_pool_t *plog, apr_pool_t *ptemp)
{
    (void)plog;
    (void)ptemp;
    corsgate_config_files = apr_hash_make(pconf);
    return OK;
}

/* Frees the .htaccess policy cache when the process ends. */
static apr_status_t free_htaccess_cache(void *data)
{
    apr_hash_index_t *hi;
    corsgate_cached_file *entry;

    (void)data;
    for (hi = apr_hash_first(NULL, corsgate_htaccess_files); hi; hi = apr_hash_next(hi)) {
        entry = apr_hash_this_val(hi);
        corsgate_shared_free(entry->shared);
        free(entry->error);
    }
    corsgate_htaccess_files = NULL;
    corsgate_htaccess_lock = NULL;
    return APR_SUCCESS;
}

static void child_init(apr_pool_t *pchild, server_rec *s)
{
    apr_status_t rv;

    corsgate_htaccess_pool = pchild;
    corsgate_htaccess_files = apr_hash_make(pchild);
    /* Registered before the lock is created: runs after the lock's own cleanup. */
    apr_pool_cleanup_register(pchild, NULL, free_htaccess_cache, apr_pool_cleanup_null);
    rv = apr_thread_mutex_create(&corsgate_htaccess_lock, APR_THREAD_MUTEX_DEFAULT, pchild);
    if (rv != APR_SUCCESS) {
        corsgate_htaccess_lock = NULL;
        ap_log_error(APLOG_MARK, APLOG_ERR, rv, s,
                     "corsgate: no lock for the .htaccess policy cache: .htaccess policies "
                     "are compiled on every request");
    }
}

/* Evaluation */

static apr_status_t free_decision(void *decision)
{
    corsgate_decision_free(decision);
    return APR_SUCCESS;
}

/* The connection's decision, created at its first CORS request. */
static corsgate_decision *connection_decision(conn_rec *c)
{
    corsgate_decision *d = ap_get_module_config(c->conn_config, &corsgate_module);

    if (d == NULL && corsgate_decision_new(&d) == CORSGATE_OK) {
        apr_pool_cleanup_register(c->pool, d, free_decision, apr_pool_cleanup_null);
        ap_set_module_config(c->conn_config, &corsgate_module, d);
    }
    return d;
}

/*
 * Evaluates the request into the connection's decision: every request header line goes to
 * the library (it picks the ones CORS reads), with the request target as the client sent it
 * (the first request's, across internal redirects such as ErrorDocument), which routes match.
 */
static corsgate_decision *evaluate(request_rec *r, const corsgate_policy *policy)
{
    corsgate_header stack[CORSGATE_STACK_LINES], *lines = stack;
    const apr_array_header_t *arr = apr_table_elts(r->headers_in);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const request_rec *first = r;
    corsgate_decision *d;
    corsgate_request req;
    corsgate_status rc;
    size_t n = 0;
    int i;

    d = connection_decision(r->connection);
    if (d == NULL) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "corsgate_decision_new() failed");
        return NULL;
    }

    if (arr->nelts > CORSGATE_STACK_LINES) {
        lines = apr_palloc(r->pool, sizeof *lines * (size_t)arr->nelts);
    }
    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key == NULL || e[i].val == NULL) {
            continue;
        }
        lines[n].name.ptr = (const uint8_t *)e[i].key;
        lines[n].name.len = strlen(e[i].key);
        lines[n].value.ptr = (const uint8_t *)e[i].val;
        lines[n].value.len = strlen(e[i].val);
        n++;
    }

    while (first->prev != NULL) {
        first = first->prev;
    }

    req.method.ptr = (const uint8_t *)r->method;
    req.method.len = r->method ? strlen(r->method) : 0;
    req.path.ptr = (const uint8_t *)first->unparsed_uri;
    req.path.len = first->unparsed_uri ? strlen(first->unparsed_uri) : 0;
    req.headers = n ? lines : NULL;
    req.header_count = n;
    req.origin_verdict = NULL;
    req.origin_verdict_data = NULL;

    rc = corsgate_evaluate(policy, &req, d);
    if (rc != CORSGATE_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "corsgate_evaluate() failed: %s",
                      corsgate_status_str(rc));
        return NULL;
    }
    return d;
}

/*
 * The notes and environment variables corsgate_kind, corsgate_verdict and corsgate_reason
 * (the last only for a denial), and the denial log line.
 */
static void report(request_rec *r, const corsgate_dir_conf *conf, const corsgate_decision *d)
{
    const char *kind = corsgate_kind_str(corsgate_decision_kind(d));
    const char *reason, *value;
    corsgate_bytes v, browser;
    int level;

    apr_table_setn(r->notes, "corsgate_kind", kind);
    apr_table_setn(r->subprocess_env, "corsgate_kind", kind);

    if (corsgate_decision_allowed(d)) {
        apr_table_setn(r->notes, "corsgate_verdict", "allowed");
        apr_table_setn(r->subprocess_env, "corsgate_verdict", "allowed");
        return;
    }

    reason = corsgate_reason_str(corsgate_decision_reason(d));
    apr_table_setn(r->notes, "corsgate_verdict", "denied");
    apr_table_setn(r->subprocess_env, "corsgate_verdict", "denied");
    apr_table_setn(r->notes, "corsgate_reason", reason);
    apr_table_setn(r->subprocess_env, "corsgate_reason", reason);

    level = conf->denial_level == CORSGATE_LEVEL_UNSET ? APLOG_INFO : conf->denial_level;
    if (level == CORSGATE_LEVEL_OFF || !APLOG_R_IS_LEVEL(r, level)) {
        return;
    }

    v = corsgate_decision_reason_value(d);
    value = ap_escape_logitem(r->pool, apr_pstrmemdup(r->pool, (const char *)v.ptr,
                                                      v.len > CORSGATE_LOG_VALUE
                                                          ? CORSGATE_LOG_VALUE
                                                          : v.len));
    browser = corsgate_decision_browser_reason(d);
    ap_log_rerror(APLOG_MARK, level, 0, r,
                  "corsgate: %s denied (%s): \"%s\"%s for %s under %s; the browser says: %.*s",
                  kind, reason, value, v.len > CORSGATE_LOG_VALUE ? "..." : "",
                  ap_escape_logitem(r->pool, r->uri), conf->file, (int)browser.len,
                  (const char *)browser.ptr);
}

/* Response headers */

/* Appends views of the lines of `t` to `lines`; returns how many. */
static size_t header_lines(const apr_table_t *t, corsgate_header *lines)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    size_t n = 0;
    int i;

    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key != NULL && e[i].val != NULL) {
            lines[n].name = (corsgate_bytes){(const uint8_t *)e[i].key, strlen(e[i].key)};
            lines[n].value = (corsgate_bytes){(const uint8_t *)e[i].val, strlen(e[i].val)};
            n++;
        }
    }
    return n;
}

/* Removes from `t` every header the decision's response rule drops. */
static void remove_dropped(apr_pool_t *p, apr_table_t *t, const corsgate_decision *d)
{
    const apr_array_header_t *arr = apr_table_elts(t);
    const apr_table_entry_t *e = (const apr_table_entry_t *)arr->elts;
    const char **names = NULL;
    int i, n = 0;

    for (i = 0; i < arr->nelts; i++) {
        if (e[i].key != NULL
            && corsgate_decision_removes(
                d, (corsgate_bytes){(const uint8_t *)e[i].key, strlen(e[i].key)})) {
            if (names == NULL) {
                names = apr_palloc(p, sizeof *names * (size_t)arr->nelts);
            }
            names[n++] = e[i].key;
        }
    }
    for (i = 0; i < n; i++) {
        apr_table_unset(t, names[i]);
    }
}

/*
 * Writes the decision onto the response by libcorsgate's rule (corsgate_decision_respond,
 * docs/semantics.md "The response"), given every line of both tables httpd sends
 * (r->headers_out and r->err_headers_out): the lines it names are dropped from both (the CORS
 * headers a backend, an application or mod_headers set; Vary when a merged one replaces it),
 * and its lines are added (copied into the request pool: values borrow the request and the
 * decision). httpd frames the body itself (ap_set_content_length), so the framing line of an
 * answered preflight is left to it.
 */
static void set_headers(request_rec *r, corsgate_decision *d)
{
    corsgate_header stack[CORSGATE_STACK_LINES], *lines = stack;
    size_t i, n, total;
    corsgate_response out;
    corsgate_status rc;
    const char *name;

    total = (size_t)apr_table_elts(r->headers_out)->nelts
            + (size_t)apr_table_elts(r->err_headers_out)->nelts;
    if (total > CORSGATE_STACK_LINES) {
        lines = apr_palloc(r->pool, sizeof *lines * total);
    }
    n = header_lines(r->headers_out, lines);
    n += header_lines(r->err_headers_out, lines + n);

    rc = corsgate_decision_respond(d, n ? lines : NULL, n, &out);
    if (rc != CORSGATE_OK) {
        ap_log_rerror(APLOG_MARK, APLOG_ERR, 0, r, "corsgate_decision_respond() failed: %s",
                      corsgate_status_str(rc));
        return;
    }

    remove_dropped(r->pool, r->headers_out, d);
    remove_dropped(r->pool, r->err_headers_out, d);

    for (i = 0; i < out.header_count; i++) {
        name = bytes(r->pool, out.headers[i].name);
        if (strcasecmp(name, "Content-Length") != 0) {
            apr_table_addn(r->headers_out, name, bytes(r->pool, out.headers[i].value));
        }
    }
}

/*
 * The decision for this request under `conf`'s policy: the one evaluated earlier for this
 * request (the connection's decision: nothing else is evaluated on a connection while a
 * request is in progress, subrequests are left alone), or a new evaluation, reported.
 */
static corsgate_decision *decide(request_rec *r, const corsgate_dir_conf *conf,
                                 corsgate_request_state **state)
{
    corsgate_request_state *st = ap_get_module_config(r->request_config, &corsgate_module);
    corsgate_decision *d;

    if (st == NULL) {
        st = apr_pcalloc(r->pool, sizeof *st);
        ap_set_module_config(r->request_config, &corsgate_module, st);
    }
    *state = st;
    if (st->evaluated == conf->policy) {
        return connection_decision(r->connection);
    }
    d = evaluate(r, conf->policy);
    if (d != NULL) {
        st->evaluated = conf->policy;
        report(r, conf, d);
    }
    return d;
}

/* Preflights: the header_parser hook */

static int answer_preflight(request_rec *r)
{
    const corsgate_dir_conf *conf;
    corsgate_request_state *st;
    corsgate_decision *d;
    corsgate_bytes body;
    uint16_t status;
    int rc;

    /* Only OPTIONS can be a preflight; httpd sets M_OPTIONS for exactly "OPTIONS". */
    if (r->main != NULL || r->method_number != M_OPTIONS) {
        return DECLINED;
    }
    conf = ap_get_module_config(r->per_dir_config, &corsgate_module);
    if (conf->policy == NULL) {
        return DECLINED;
    }

    d = decide(r, conf, &st);
    if (d == NULL) {
        return HTTP_INTERNAL_SERVER_ERROR;
    }
    /* OPTIONS without Access-Control-Request-Method is an actual request; with
     * preflight_continue (status 0) the handler answers. The filter writes the headers. */
    status = corsgate_decision_status(d);
    if (corsgate_decision_kind(d) != CORSGATE_KIND_PREFLIGHT || status == 0) {
        return DECLINED;
    }

    rc = ap_discard_request_body(r);
    if (rc != OK) {
        return rc;
    }

    r->status = status;
    /* A status httpd has no reason phrase for (299) gets "299 Status 299", not a 500. */
    r->status_line = ap_get_status_line_ex(r->pool, status);
    body = corsgate_decision_body(d);
    ap_set_content_length(r, (apr_off_t)body.len);
    if (body.len) {
        ap_set_content_type(r, "text/plain");
    }

    /* The response goes through the usual filters (mod_headers, ours) like any other. */
    ap_run_insert_filter(r);
    if (body.len && !r->header_only) {
        ap_rwrite(body.ptr, (int)body.len, r);
    }
    return DONE;
}

/* Every response: the output filter */

static apr_status_t corsgate_filter(ap_filter_t *f, apr_bucket_brigade *bb)
{
    request_rec *r = f->r;
    const corsgate_dir_conf *conf;
    corsgate_request_state *st;
    corsgate_decision *d;

    ap_remove_output_filter(f);

    conf = ap_get_module_config(r->per_dir_config, &corsgate_module);
    if (conf->policy == NULL) {
        return ap_pass_brigade(f->next, bb);
    }
    d = decide(r, conf, &st);
    if (d != NULL && st->written != r->headers_out) {
        set_headers(r, d);
        st->written = r->headers_out;
    }
    return ap_pass_brigade(f->next, bb);
}

static void insert_filter(request_rec *r)
{
    const corsgate_dir_conf *conf;

    if (r->main != NULL) {
        return;
    }
    conf = ap_get_module_config(r->per_dir_config, &corsgate_module);
    if (conf->policy != NULL) {
        ap_add_output_filter_handle(corsgate_filter_handle, NULL, r, r->connection);
    }
}

static void register_hooks(apr_pool_t *p)
{
    (void)p;
    ap_hook_pre_config(pre_config, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_child_init(child_init, NULL, NULL, APR_HOOK_MIDDLE);
    ap_hook_header_parser(answer_preflight, NULL, NULL, APR_HOOK_FIRST);
    ap_hook_insert_filter(insert_filter, NULL, NULL, APR_HOOK_LAST);
    ap_hook_insert_error_filter(insert_filter, NULL, NULL, APR_HOOK_LAST);
    /* After content filters (mod_headers, mod_deflate), before the HTTP header filter. */
    corsgate_filter_handle = ap_register_output_filter(
        "CORSGATE", corsgate_filter, NULL, (ap_filter_type)(AP_FTYPE_PROTOCOL - 1));
}

AP_DECLARE_MODULE(corsgate) = {
    STANDARD20_MODULE_STUFF,
    create_dir_conf,   /* per-directory configuration */
    merge_dir_conf,    /* merge per-directory configuration */
    NULL,              /* per-server configuration */
    NULL,              /* merge per-server configuration */
    corsgate_commands, /* directives */
    register_hooks,    /* hooks */
    AP_MODULE_FLAG_NONE /* flags */
};
