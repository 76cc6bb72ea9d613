/*
 * ngx_http_corsgate_module: CORS for nginx from a corsgate policy file.
 *
 *   corsgate_policy <file>;   http, server, location: the policy (JSON or TOML) serving this
 *                             block and the blocks inside it
 *   corsgate off;             http, server, location: no CORS handling here and below
 *
 * The module translates; libcorsgate decides. A policy file is compiled when nginx reads its
 * configuration, so `nginx -t` and a reload fail on a bad file and log every problem. Per
 * request:
 * - a preflight is answered in the access phase (before allow/deny and auth, which a
 *   preflight never passes as it carries no credentials; after limit_req/limit_conn), and
 *   never reaches the content handler or an upstream, unless the policy says
 *   `preflight_continue`;
 * - every response (any status, nginx's own error pages included) is written in a header
 *   filter that runs after add_header, by libcorsgate's rule (corsgate_decision_respond): the
 *   CORS headers an upstream or add_header set go, the decision's are added, Vary is merged.
 *
 * One corsgate_decision per worker process, created in init_process and reused: the library
 * allocates nothing per request. A decision borrows the request's bytes until the next
 * evaluation, so header values are copied into the request pool before anything else runs
 * (header names and the Vary value are the library's static storage).
 *
 * Guide: docs/nginx.md.
 */

#include <ngx_config.h>
#include <ngx_core.h>
#include <ngx_http.h>

#include <corsgate.h>


/* Request lines corsgate reads that fit on the stack; more come from the request pool. */
#define NGX_HTTP_CORSGATE_STACK_LINES  16

/* Longest denied value written to the info log. */
#define NGX_HTTP_CORSGATE_LOG_VALUE    128


typedef struct {
    ngx_str_t                  file;
    corsgate_policy           *policy;
} ngx_http_corsgate_file_t;


typedef struct {
    /* Policies compiled while reading this configuration, one per distinct file. */
    ngx_array_t                files;
} ngx_http_corsgate_main_conf_t;


typedef struct {
    /* NGX_CONF_UNSET_PTR: inherit; NULL: `corsgate off` (or nothing configured). */
    corsgate_policy           *policy;
} ngx_http_corsgate_loc_conf_t;


static ngx_int_t ngx_http_corsgate_init(ngx_conf_t *cf);
static ngx_int_t ngx_http_corsgate_filter_init(ngx_conf_t *cf);
static void *ngx_http_corsgate_create_main_conf(ngx_conf_t *cf);
static void *ngx_http_corsgate_create_loc_conf(ngx_conf_t *cf);
static char *ngx_http_corsgate_merge_loc_conf(ngx_conf_t *cf, void *parent,
    void *child);
static char *ngx_http_corsgate_policy(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_corsgate(ngx_conf_t *cf, ngx_command_t *cmd, void *conf);
static ngx_int_t ngx_http_corsgate_init_process(ngx_cycle_t *cycle);
static void ngx_http_corsgate_exit_process(ngx_cycle_t *cycle);
static void ngx_http_corsgate_policy_cleanup(void *data);


static ngx_command_t  ngx_http_corsgate_commands[] = {

    { ngx_string("corsgate_policy"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_corsgate_policy,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("corsgate"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_http_corsgate,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_corsgate_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_corsgate_init,                /* postconfiguration */

    ngx_http_corsgate_create_main_conf,    /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    ngx_http_corsgate_create_loc_conf,     /* create location configuration */
    ngx_http_corsgate_merge_loc_conf       /* merge location configuration */
};


ngx_module_t  ngx_http_corsgate_module = {
    NGX_MODULE_V1,
    &ngx_http_corsgate_module_ctx,         /* module context */
    ngx_http_corsgate_commands,            /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    ngx_http_corsgate_init_process,        /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    ngx_http_corsgate_exit_process,        /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_module_t  ngx_http_corsgate_filter_module_ctx = {
    NULL,                                  /* preconfiguration */
    ngx_http_corsgate_filter_init,         /* postconfiguration */

    NULL,                                  /* create main configuration */
    NULL,                                  /* init main configuration */

    NULL,                                  /* create server configuration */
    NULL,                                  /* merge server configuration */

    NULL,                                  /* create location configuration */
    NULL                                   /* merge location configuration */
};


ngx_module_t  ngx_http_corsgate_filter_module = {
    NGX_MODULE_V1,
    &ngx_http_corsgate_filter_module_ctx,  /* module context */
    NULL,                                  /* module directives */
    NGX_HTTP_MODULE,                       /* module type */
    NULL,                                  /* init master */
    NULL,                                  /* init module */
    NULL,                                  /* init process */
    NULL,                                  /* init thread */
    NULL,                                  /* exit thread */
    NULL,                                  /* exit process */
    NULL,                                  /* exit master */
    NGX_MODULE_V1_PADDING
};


static ngx_http_output_header_filter_pt  ngx_http_next_header_filter;

/* This worker's decision: one request is evaluated at a time in a worker. */
static corsgate_decision  *ngx_http_corsgate_decision;

/*
 * The request context of a preflight the module answers itself: its address is the marker
 * (nothing is allocated). The header filter then uses the decision just made, which nothing
 * can have replaced: the filter runs inside the handler's ngx_http_send_header() call.
 */
static u_char  ngx_http_corsgate_answered;

/* Configuration */

static void *
ngx_http_corsgate_create_main_conf(ngx_conf_t *cf)
{
    ngx_http_corsgate_main_conf_t  *cmcf;

    cmcf = ngx_pcalloc(cf->pool, sizeof(ngx_http_corsgate_main_conf_t));
    if (cmcf == NULL) {
        return NULL;
    }

    if (ngx_array_init(&cmcf->files, cf->pool, 4,
                       sizeof(ngx_http_corsgate_file_t))
        != NGX_OK)
    {
        return NULL;
    }

    return cmcf;
}


static void *
ngx_http_corsgate_create_loc_conf(ngx_conf_t *cf)
{
    ngx_http_corsgate_loc_conf_t  *conf;

    conf = ngx_pcalloc(cf->pool, sizeof(ngx_http_corsgate_loc_conf_t));
    if (conf == NULL) {
        return NULL;
    }

    conf->policy = NGX_CONF_UNSET_PTR;

    return conf;
}


static char *
ngx_http_corsgate_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_corsgate_loc_conf_t *prev = parent;
    ngx_http_corsgate_loc_conf_t *conf = child;

    ngx_conf_merge_ptr_value(conf->policy, prev->policy, NULL);

    return NGX_CONF_OK;
}


/* Logs one problem or warning of a policy file in nginx's format (file and line added). */
static void
ngx_http_corsgate_log_diagnostic(ngx_conf_t *cf, ngx_uint_t level,
    ngx_str_t *file, const char *what, const corsgate_diagnostic *d)
{
    ngx_conf_log_error(level, cf, 0,
                       "corsgate_policy \"%V\": %s%*s%s%*s (%*s)%s%*s",
                       file, what,
                       d->path.len, d->path.ptr, d->path.len ? ": " : "",
                       d->message.len, d->message.ptr,
                       d->code.len, d->code.ptr,
                       d->hint.len ? "; hint: " : "",
                       d->hint.len, d->hint.ptr);
}


static char *
ngx_http_corsgate_policy(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_corsgate_loc_conf_t *clcf = conf;

    size_t                          i, n;
    ngx_str_t                      *value, file;
    corsgate_error                 *error;
    corsgate_policy                *policy;
    corsgate_status                 rc;
    ngx_pool_cleanup_t             *cln;
    corsgate_diagnostic             d;
    ngx_http_corsgate_file_t       *entry;
    ngx_http_corsgate_main_conf_t  *cmcf;

    if (clcf->policy != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    value = cf->args->elts;
    file = value[1];

    if (file.len == 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "corsgate_policy needs a file name");
        return NGX_CONF_ERROR;
    }

    /* A relative name is relative to the directory of nginx.conf, like "include". */
    if (ngx_conf_full_name(cf->cycle, &file, 1) != NGX_OK) {
        return NGX_CONF_ERROR;
    }

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_corsgate_module);

    entry = cmcf->files.elts;
    for (i = 0; i < cmcf->files.nelts; i++) {
        if (entry[i].file.len == file.len
            && ngx_strncmp(entry[i].file.data, file.data, file.len) == 0)
        {
            clcf->policy = entry[i].policy;
            return NGX_CONF_OK;
        }
    }

    policy = NULL;
    error = NULL;
    rc = corsgate_policy_from_file(file.data, file.len, &policy, &error);

    if (rc == CORSGATE_ERR_INVALID_POLICY && error != NULL) {
        n = corsgate_error_count(error);
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "corsgate_policy \"%V\": invalid CORS policy "
                           "(%uz problem%s)", &file, n, n == 1 ? "" : "s");

        for (i = 0; i < n; i++) {
            if (corsgate_error_get(error, i, &d) == CORSGATE_OK) {
                ngx_http_corsgate_log_diagnostic(cf, NGX_LOG_EMERG, &file,
                                                 "", &d);
            }
        }

        n = corsgate_error_warning_count(error);
        for (i = 0; i < n; i++) {
            if (corsgate_error_warning(error, i, &d) == CORSGATE_OK) {
                ngx_http_corsgate_log_diagnostic(cf, NGX_LOG_WARN, &file,
                                                 "warning: ", &d);
            }
        }

        corsgate_error_free(error);
        return NGX_CONF_ERROR;
    }

    if (rc != CORSGATE_OK || policy == NULL) {
        corsgate_error_free(error);
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "corsgate_policy \"%V\": %s", &file,
                           corsgate_status_str(rc));
        return NGX_CONF_ERROR;
    }

    /* Freed with the configuration cycle: after a reload, once the old one is done. */
    cln = ngx_pool_cleanup_add(cf->pool, 0);
    if (cln == NULL) {
        corsgate_policy_free(policy);
        return NGX_CONF_ERROR;
    }

    cln->handler = ngx_http_corsgate_policy_cleanup;
    cln->data = policy;

    n = corsgate_policy_warning_count(policy);
    for (i = 0; i < n; i++) {
        if (corsgate_policy_warning(policy, i, &d) == CORSGATE_OK) {
            ngx_http_corsgate_log_diagnostic(cf, NGX_LOG_WARN, &file,
                                             "warning: ", &d);
        }
    }

    entry = ngx_array_push(&cmcf->files);
    if (entry == NULL) {
        return NGX_CONF_ERROR;
    }

    entry->file = file;
    entry->policy = policy;

    clcf->policy = policy;

    return NGX_CONF_OK;
}


static char *
ngx_http_corsgate(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_corsgate_loc_conf_t *clcf = conf;

    ngx_str_t  *value;

    value = cf->args->elts;

    if (ngx_strcmp(value[1].data, "off") != 0) {
        ngx_conf_log_error(NGX_LOG_EMERG, cf, 0,
                           "invalid value \"%V\" in \"corsgate\": only "
                           "\"corsgate off\" exists; CORS is turned on with "
                           "\"corsgate_policy <file>\"", &value[1]);
        return NGX_CONF_ERROR;
    }

    if (clcf->policy != NGX_CONF_UNSET_PTR) {
        return "is duplicate";
    }

    clcf->policy = NULL;

    return NGX_CONF_OK;
}


static void
ngx_http_corsgate_policy_cleanup(void *data)
{
    corsgate_policy_free(data);
}


static ngx_int_t
ngx_http_corsgate_init_process(ngx_cycle_t *cycle)
{
    corsgate_status  rc;

    if (ngx_http_corsgate_decision != NULL) {
        return NGX_OK;
    }

    rc = corsgate_decision_new(&ngx_http_corsgate_decision);
    if (rc != CORSGATE_OK) {
        ngx_log_error(NGX_LOG_EMERG, cycle->log, 0,
                      "corsgate_decision_new() failed: %s",
                      corsgate_status_str(rc));
        return NGX_ERROR;
    }

    return NGX_OK;
}


static void
ngx_http_corsgate_exit_process(ngx_cycle_t *cycle)
{
    corsgate_decision_free(ngx_http_corsgate_decision);
    ngx_http_corsgate_decision = NULL;
}


/* Evaluation */

/*
 * Whether corsgate reads this request header: Origin, Access-Control-Request-Method,
 * -Headers or -Private-Network (the only Access-Control-Request-* names it reads). By length
 * first: most headers are skipped without comparing a byte.
 */
static ngx_inline ngx_uint_t
ngx_http_corsgate_wanted(ngx_table_elt_t *h)
{
    switch (h->key.len) {

    case sizeof("origin") - 1:
        return ngx_memcmp(h->lowcase_key, "origin", sizeof("origin") - 1) == 0;

    case sizeof("access-control-request-method") - 1:
    case sizeof("access-control-request-headers") - 1:
    case sizeof("access-control-request-private-network") - 1:
        return ngx_memcmp(h->lowcase_key, "access-control-request-",
                          sizeof("access-control-request-") - 1) == 0;

    default:
        return 0;
    }
}


/*
 * Evaluates the request into the worker's decision. The request lines corsgate reads are
 * passed as views of r->headers_in (they live as long as the request).
 */
static ngx_int_t
ngx_http_corsgate_evaluate(ngx_http_request_t *r, corsgate_policy *policy)
{
    size_t            n, cap;
    ngx_uint_t        i;
    corsgate_header   stack[NGX_HTTP_CORSGATE_STACK_LINES], *lines;
    corsgate_status   rc;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;
    corsgate_request  req;

    if (ngx_http_corsgate_decision == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "corsgate: no decision in this process");
        return NGX_ERROR;
    }

    lines = stack;
    cap = NGX_HTTP_CORSGATE_STACK_LINES;

again:

    n = 0;
    part = &r->headers_in.headers.part;
    h = part->elts;

    for (i = 0; /* void */ ; i++) {

        if (i >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            i = 0;

            if (part->nelts == 0) {
                continue;
            }
        }

        if (!ngx_http_corsgate_wanted(&h[i])) {
            continue;
        }

        if (n == cap) {
            /* Unusual: more than 16 such lines. Count them all, then retry. */
            cap = 0;
            for (part = &r->headers_in.headers.part; part; part = part->next) {
                cap += part->nelts;
            }

            lines = ngx_palloc(r->pool, cap * sizeof(corsgate_header));
            if (lines == NULL) {
                return NGX_ERROR;
            }

            goto again;
        }

        lines[n].name.ptr = h[i].key.data;
        lines[n].name.len = h[i].key.len;
        lines[n].value.ptr = h[i].value.data;
        lines[n].value.len = h[i].value.len;
        n++;
    }

    req.method.ptr = r->method_name.data;
    req.method.len = r->method_name.len;
    req.path.ptr = r->unparsed_uri.data;
    req.path.len = r->unparsed_uri.len;
    req.headers = n ? lines : NULL;
    req.header_count = n;
    req.origin_verdict = NULL;
    req.origin_verdict_data = NULL;

    rc = corsgate_evaluate(policy, &req, ngx_http_corsgate_decision);
    if (rc != CORSGATE_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "corsgate_evaluate() failed: %s", corsgate_status_str(rc));
        return NGX_ERROR;
    }

    return NGX_OK;
}


/*
 * Copies `len` bytes of a request value to `dst` with every byte that is not printable
 * ASCII, and `"` and `\`, written as `\xHH` (at most 4 bytes each), so that a request cannot
 * forge log lines or drive a terminal reading the log; returns the end.
 */
static u_char *
ngx_http_corsgate_escape_value(u_char *dst, const uint8_t *src, size_t len)
{
    u_char             c;
    size_t             i;
    static const char  hex[] = "0123456789abcdef";

    for (i = 0; i < len; i++) {
        c = src[i];

        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
            *dst++ = '\\';
            *dst++ = 'x';
            *dst++ = hex[c >> 4];
            *dst++ = hex[c & 0xf];

        } else {
            *dst++ = c;
        }
    }

    return dst;
}


/* Logs a denial at the info level (only then is the decision asked whether it is one). */
static void
ngx_http_corsgate_log_denial(ngx_http_request_t *r, corsgate_decision *d)
{
    u_char          *end;
    corsgate_bytes   v;
    u_char           value[NGX_HTTP_CORSGATE_LOG_VALUE * 4];

    if (r->connection->log->log_level < NGX_LOG_INFO
        || corsgate_decision_allowed(d))
    {
        return;
    }

    v = corsgate_decision_reason_value(d);
    end = ngx_http_corsgate_escape_value(value, v.ptr,
                                         ngx_min(v.len, NGX_HTTP_CORSGATE_LOG_VALUE));

    ngx_log_error(NGX_LOG_INFO, r->connection->log, 0,
                  "corsgate: %s denied (%s): \"%*s\"%s",
                  corsgate_kind_str(corsgate_decision_kind(d)),
                  corsgate_reason_str(corsgate_decision_reason(d)),
                  (size_t) (end - value), value,
                  v.len > NGX_HTTP_CORSGATE_LOG_VALUE ? "..." : "");
}


/* Response headers */

/*
 * Writes the decision onto the response by libcorsgate's rule (corsgate_decision_respond,
 * docs/semantics.md "The response"): the lines of r->headers_out it names are dropped (the
 * CORS headers an upstream or add_header set; Vary when a merged one replaces it), and its
 * lines are added (values copied into the request pool: they borrow the request and the
 * decision; names are the library's static storage). nginx frames the body itself
 * (content_length_n), so the framing line of an answered preflight is left to it.
 */
static ngx_int_t
ngx_http_corsgate_set_headers(ngx_http_request_t *r, corsgate_decision *d)
{
    u_char                 *p;
    size_t                  i, n, cap, size;
    ngx_uint_t              k;
    corsgate_header         stack[NGX_HTTP_CORSGATE_STACK_LINES], *lines;
    corsgate_status         rc;
    ngx_list_part_t        *part;
    ngx_table_elt_t        *h;
    corsgate_response       out;

    lines = stack;
    cap = NGX_HTTP_CORSGATE_STACK_LINES;

again:

    n = 0;
    part = &r->headers_out.headers.part;
    h = part->elts;

    for (k = 0; /* void */ ; k++) {

        if (k >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            k = 0;

            if (part->nelts == 0) {
                continue;
            }
        }

        if (h[k].hash == 0) {
            continue;
        }

        if (n == cap) {
            cap = 0;
            for (part = &r->headers_out.headers.part; part; part = part->next) {
                cap += part->nelts;
            }

            lines = ngx_palloc(r->pool, cap * sizeof(corsgate_header));
            if (lines == NULL) {
                return NGX_ERROR;
            }

            goto again;
        }

        lines[n].name.ptr = h[k].key.data;
        lines[n].name.len = h[k].key.len;
        lines[n].value.ptr = h[k].value.data;
        lines[n].value.len = h[k].value.len;
        n++;
    }

    rc = corsgate_decision_respond(d, n ? lines : NULL, n, &out);
    if (rc != CORSGATE_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "corsgate_decision_respond() failed: %s", corsgate_status_str(rc));
        return NGX_ERROR;
    }

    part = &r->headers_out.headers.part;
    h = part->elts;

    for (k = 0; /* void */ ; k++) {

        if (k >= part->nelts) {
            if (part->next == NULL) {
                break;
            }

            part = part->next;
            h = part->elts;
            k = 0;

            if (part->nelts == 0) {
                continue;
            }
        }

        if (h[k].hash != 0
            && corsgate_decision_removes(d, (corsgate_bytes) { h[k].key.data, h[k].key.len }))
        {
            h[k].hash = 0;
        }
    }

    size = 0;
    for (i = 0; i < out.header_count; i++) {
        size += out.headers[i].value.len;
    }

    if (out.header_count == 0) {
        return NGX_OK;
    }

    p = ngx_pnalloc(r->pool, size ? size : 1);
    if (p == NULL) {
        return NGX_ERROR;
    }

    for (i = 0; i < out.header_count; i++) {
        if (out.headers[i].name.len == sizeof("Content-Length") - 1
            && ngx_strncasecmp((u_char *) out.headers[i].name.ptr,
                               (u_char *) "Content-Length",
                               sizeof("Content-Length") - 1) == 0)
        {
            continue;
        }

        h = ngx_list_push(&r->headers_out.headers);
        if (h == NULL) {
            return NGX_ERROR;
        }

        h->hash = 1;
        h->key.len = out.headers[i].name.len;
        h->key.data = (u_char *) out.headers[i].name.ptr;
        h->value.len = out.headers[i].value.len;
        h->value.data = p;
        p = ngx_cpymem(p, out.headers[i].value.ptr, out.headers[i].value.len);
        h->lowcase_key = NULL;
    }

    return NGX_OK;
}


/* Preflights: the access-phase handler */

static ngx_int_t
ngx_http_corsgate_handler(ngx_http_request_t *r)
{
    ngx_int_t                      rc;
    ngx_buf_t                     *b;
    ngx_uint_t                     status;
    ngx_chain_t                    out;
    corsgate_bytes                 body;
    corsgate_decision             *d;
    ngx_http_corsgate_loc_conf_t  *clcf;

    /* Only OPTIONS can be a preflight: nginx sets NGX_HTTP_OPTIONS for exactly "OPTIONS". */
    if (r->method != NGX_HTTP_OPTIONS || r != r->main) {
        return NGX_DECLINED;
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_corsgate_module);
    if (clcf->policy == NULL) {
        return NGX_DECLINED;
    }

    if (ngx_http_corsgate_evaluate(r, clcf->policy) != NGX_OK) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    d = ngx_http_corsgate_decision;

    if (corsgate_decision_kind(d) != CORSGATE_KIND_PREFLIGHT) {
        /* OPTIONS without Access-Control-Request-Method: an actual request. */
        return NGX_DECLINED;
    }

    ngx_http_corsgate_log_denial(r, d);

    status = corsgate_decision_status(d);
    if (status == 0) {
        /* preflight_continue: the application answers; the filter adds the headers. */
        return NGX_DECLINED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    body = corsgate_decision_body(d);

    r->headers_out.status = status;
    r->headers_out.content_length_n = body.len;

    if (body.len) {
        ngx_str_set(&r->headers_out.content_type, "text/plain");
        r->headers_out.content_type_len = sizeof("text/plain") - 1;
    }

    ngx_http_set_ctx(r, &ngx_http_corsgate_answered, ngx_http_corsgate_module);

    rc = ngx_http_send_header(r);

    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only || body.len == 0) {
        if (rc == NGX_OK && !r->header_only) {
            rc = ngx_http_send_special(r, NGX_HTTP_LAST);
        }

        ngx_http_finalize_request(r, rc);
        return NGX_DONE;
    }

    b = ngx_calloc_buf(r->pool);
    if (b == NULL) {
        ngx_http_finalize_request(r, NGX_ERROR);
        return NGX_DONE;
    }

    /* The body is static storage of the library. */
    b->pos = (u_char *) body.ptr;
    b->last = b->pos + body.len;
    b->memory = 1;
    b->last_buf = 1;
    b->last_in_chain = 1;

    out.buf = b;
    out.next = NULL;

    ngx_http_finalize_request(r, ngx_http_output_filter(r, &out));
    return NGX_DONE;
}


/* Every response: the header filter */

static ngx_int_t
ngx_http_corsgate_header_filter(ngx_http_request_t *r)
{
    corsgate_decision             *d;
    ngx_http_corsgate_loc_conf_t  *clcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_corsgate_module);
    if (clcf->policy == NULL) {
        return ngx_http_next_header_filter(r);
    }

    d = ngx_http_corsgate_decision;

    if (ngx_http_get_module_ctx(r, ngx_http_corsgate_module)
        != &ngx_http_corsgate_answered)
    {
        if (ngx_http_corsgate_evaluate(r, clcf->policy) != NGX_OK) {
            return NGX_ERROR;
        }

        ngx_http_corsgate_log_denial(r, d);
    }

    if (ngx_http_corsgate_set_headers(r, d) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_next_header_filter(r);
}


static ngx_int_t
ngx_http_corsgate_init(ngx_conf_t *cf)
{
    ngx_http_handler_pt        *h;
    ngx_http_core_main_conf_t  *cmcf;

    cmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_core_module);

    h = ngx_array_push(&cmcf->phases[NGX_HTTP_ACCESS_PHASE].handlers);
    if (h == NULL) {
        return NGX_ERROR;
    }

    *h = ngx_http_corsgate_handler;

    return NGX_OK;
}


static ngx_int_t
ngx_http_corsgate_filter_init(ngx_conf_t *cf)
{
    ngx_http_next_header_filter = ngx_http_top_header_filter;
    ngx_http_top_header_filter = ngx_http_corsgate_header_filter;

    return NGX_OK;
}
