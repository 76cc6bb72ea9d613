/*
 * ngx_http_corsgate_module: CORS for nginx from a corsgate policy file.
 *
 *   corsgate_policy <file>;   http, server, location: the policy (JSON or TOML) serving this
 *                             block and the blocks inside it
 *   corsgate off;             http, server, location: no CORS handling here and below
 *   corsgate_denial_log_level off|error|warn|notice|info|debug;
 *                             http, server, location: the level of denial reports (info)
 *   corsgate_denial_log_rate <per second> [<burst>];
 *                             http: reports a worker logs, after a burst (10 100; 0: no limit)
 *   corsgate_status;          location: the counters of every policy, across workers, in the
 *                             Prometheus text format (like stub_status)
 *
 * Variables: $corsgate_verdict (allowed, denied), $corsgate_reason (a reason code, empty when
 * allowed), $corsgate_kind (not_cors, preflight, actual); empty where no policy applies. In
 * `if` (the rewrite phase, before the module runs) they evaluate the request on the spot.
 *
 * A policy with `mode = "report-only"` changes no response: the module evaluates it on every
 * request, and once the response is known asks libcorsgate (corsgate_report_only) whether a
 * browser would answer differently, logging each difference at the denial log level.
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

/* Longest report line written to the error log (longer ones are cut). */
#define NGX_HTTP_CORSGATE_LOG_LINE     2048

/* The shared memory zone of the counters: fixed, so that a reload reuses it. */
#define NGX_HTTP_CORSGATE_ZONE_SIZE    (64 * 1024)


typedef struct {
    ngx_str_t                  file;
    corsgate_policy           *policy;
} ngx_http_corsgate_file_t;


typedef struct {
    /* Policies compiled while reading this configuration, one per distinct file. */
    ngx_array_t                files;
    /* CORSGATE_STATS_SLOTS counters per file, in the shared zone (set when it is mapped). */
    uint64_t                  *counters;
    size_t                     counters_size;
    ngx_uint_t                 log_rate;
    ngx_uint_t                 log_burst;
} ngx_http_corsgate_main_conf_t;


typedef struct {
    /* NGX_CONF_UNSET_PTR: inherit; NULL: `corsgate off` (or nothing configured). */
    corsgate_policy           *policy;
    /* The policy's index in the main conf's files (its counters). */
    ngx_uint_t                 index;
    /* The policy's mode is report-only. */
    ngx_flag_t                 report_only;
    /* 0: denial reports off. */
    ngx_uint_t                 denial_log_level;
} ngx_http_corsgate_loc_conf_t;


/* What the variables read: the request's decision, remembered past the worker's reuse. */
typedef struct {
    unsigned                   answered:1;
    unsigned                   evaluated:1;
    unsigned                   allowed:1;
    corsgate_kind              kind;
    corsgate_reason            reason;
} ngx_http_corsgate_ctx_t;


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
static char *ngx_http_corsgate_log_rate(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static char *ngx_http_corsgate_status(ngx_conf_t *cf, ngx_command_t *cmd,
    void *conf);
static ngx_int_t ngx_http_corsgate_add_variables(ngx_conf_t *cf);


static ngx_conf_enum_t  ngx_http_corsgate_log_levels[] = {
    { ngx_string("off"), 0 },
    { ngx_string("error"), NGX_LOG_ERR },
    { ngx_string("warn"), NGX_LOG_WARN },
    { ngx_string("notice"), NGX_LOG_NOTICE },
    { ngx_string("info"), NGX_LOG_INFO },
    { ngx_string("debug"), NGX_LOG_DEBUG },
    { ngx_null_string, 0 }
};


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

    { ngx_string("corsgate_denial_log_level"),
      NGX_HTTP_MAIN_CONF|NGX_HTTP_SRV_CONF|NGX_HTTP_LOC_CONF|NGX_CONF_TAKE1,
      ngx_conf_set_enum_slot,
      NGX_HTTP_LOC_CONF_OFFSET,
      offsetof(ngx_http_corsgate_loc_conf_t, denial_log_level),
      &ngx_http_corsgate_log_levels },

    { ngx_string("corsgate_denial_log_rate"),
      NGX_HTTP_MAIN_CONF|NGX_CONF_TAKE12,
      ngx_http_corsgate_log_rate,
      NGX_HTTP_MAIN_CONF_OFFSET,
      0,
      NULL },

    { ngx_string("corsgate_status"),
      NGX_HTTP_LOC_CONF|NGX_CONF_NOARGS,
      ngx_http_corsgate_status,
      NGX_HTTP_LOC_CONF_OFFSET,
      0,
      NULL },

      ngx_null_command
};


static ngx_http_module_t  ngx_http_corsgate_module_ctx = {
    ngx_http_corsgate_add_variables,       /* preconfiguration */
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

/* This worker's limiter of reports (corsgate_denial_log_rate). */
static corsgate_limiter   *ngx_http_corsgate_limiter;

/* The main configuration of the running cycle (for the counters and the status handler). */
static ngx_http_corsgate_main_conf_t  *ngx_http_corsgate_main;

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

    cmcf->log_rate = 10;
    cmcf->log_burst = 100;

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
    conf->index = NGX_CONF_UNSET_UINT;
    conf->denial_log_level = NGX_CONF_UNSET_UINT;

    return conf;
}


static char *
ngx_http_corsgate_merge_loc_conf(ngx_conf_t *cf, void *parent, void *child)
{
    ngx_http_corsgate_loc_conf_t *prev = parent;
    ngx_http_corsgate_loc_conf_t *conf = child;

    if (conf->policy == NGX_CONF_UNSET_PTR) {
        conf->index = prev->index;
    }

    ngx_conf_merge_ptr_value(conf->policy, prev->policy, NULL);
    ngx_conf_merge_uint_value(conf->index, prev->index, 0);
    ngx_conf_merge_uint_value(conf->denial_log_level, prev->denial_log_level,
                              NGX_LOG_INFO);

    conf->report_only = conf->policy != NULL
        && corsgate_policy_mode(conf->policy) == CORSGATE_MODE_REPORT_ONLY;

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
            clcf->index = i;
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
    clcf->index = cmcf->files.nelts - 1;

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


static char *
ngx_http_corsgate_log_rate(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_corsgate_main_conf_t *cmcf = conf;

    ngx_int_t   n;
    ngx_str_t  *value;

    value = cf->args->elts;

    n = ngx_atoi(value[1].data, value[1].len);
    if (n == NGX_ERROR) {
        return "has an invalid rate";
    }

    cmcf->log_rate = n;

    if (cf->args->nelts == 3) {
        n = ngx_atoi(value[2].data, value[2].len);
        if (n == NGX_ERROR) {
            return "has an invalid burst";
        }

        cmcf->log_burst = n;
    }

    return NGX_CONF_OK;
}


static ngx_int_t ngx_http_corsgate_status_handler(ngx_http_request_t *r);

static char *
ngx_http_corsgate_status(ngx_conf_t *cf, ngx_command_t *cmd, void *conf)
{
    ngx_http_core_loc_conf_t  *clcf;

    clcf = ngx_http_conf_get_module_loc_conf(cf, ngx_http_core_module);
    clcf->handler = ngx_http_corsgate_status_handler;

    return NGX_CONF_OK;
}


/* Maps the counters into the shared zone; a reload keeps them (like stub_status). */
static ngx_int_t
ngx_http_corsgate_init_zone(ngx_shm_zone_t *shm_zone, void *data)
{
    ngx_slab_pool_t                *shpool;
    ngx_http_corsgate_main_conf_t  *cmcf, *old;

    cmcf = shm_zone->data;
    old = data;
    shpool = (ngx_slab_pool_t *) shm_zone->shm.addr;

    if (old != NULL && old->counters != NULL) {
        if (old->counters_size == cmcf->counters_size) {
            cmcf->counters = old->counters;
            return NGX_OK;
        }

        ngx_slab_free(shpool, old->counters);
    }

    cmcf->counters = ngx_slab_calloc(shpool, cmcf->counters_size);

    return cmcf->counters ? NGX_OK : NGX_ERROR;
}


static ngx_int_t
ngx_http_corsgate_init_process(ngx_cycle_t *cycle)
{
    corsgate_status                 rc;
    ngx_http_corsgate_main_conf_t  *cmcf;

    cmcf = ngx_http_cycle_get_module_main_conf(cycle, ngx_http_corsgate_module);
    ngx_http_corsgate_main = cmcf;

    if (ngx_http_corsgate_decision != NULL) {
        return NGX_OK;
    }

    rc = corsgate_decision_new(&ngx_http_corsgate_decision);
    if (rc == CORSGATE_OK && cmcf != NULL) {
        rc = corsgate_limiter_new(cmcf->log_rate, cmcf->log_burst,
                                  &ngx_http_corsgate_limiter);
    }

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
    corsgate_limiter_free(ngx_http_corsgate_limiter);
    ngx_http_corsgate_limiter = NULL;
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
 * Describes the request to libcorsgate: the request lines corsgate reads, as views of
 * r->headers_in (they live as long as the request), in `stack` or the request pool.
 */
static ngx_int_t
ngx_http_corsgate_request(ngx_http_request_t *r, corsgate_header *stack,
    corsgate_request *req)
{
    size_t            n, cap;
    ngx_uint_t        i;
    corsgate_header  *lines;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

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

    req->method.ptr = r->method_name.data;
    req->method.len = r->method_name.len;
    req->path.ptr = r->unparsed_uri.data;
    req->path.len = r->unparsed_uri.len;
    req->headers = n ? lines : NULL;
    req->header_count = n;
    req->origin_verdict = NULL;
    req->origin_verdict_data = NULL;

    return NGX_OK;
}


/* The request context, created on first use (NULL: out of memory). */
static ngx_http_corsgate_ctx_t *
ngx_http_corsgate_ctx(ngx_http_request_t *r)
{
    ngx_http_corsgate_ctx_t  *ctx;

    ctx = ngx_http_get_module_ctx(r, ngx_http_corsgate_module);
    if (ctx == NULL) {
        ctx = ngx_pcalloc(r->pool, sizeof(ngx_http_corsgate_ctx_t));
        if (ctx == NULL) {
            return NULL;
        }

        ngx_http_set_ctx(r, ctx, ngx_http_corsgate_module);
    }

    return ctx;
}


/*
 * Evaluates the request into the worker's decision, and remembers its kind, verdict and
 * reason in the request context for the variables.
 */
static ngx_int_t
ngx_http_corsgate_evaluate(ngx_http_request_t *r, corsgate_policy *policy)
{
    corsgate_header           stack[NGX_HTTP_CORSGATE_STACK_LINES];
    corsgate_status           rc;
    corsgate_request          req;
    corsgate_decision        *d;
    ngx_http_corsgate_ctx_t  *ctx;

    d = ngx_http_corsgate_decision;
    if (d == NULL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "corsgate: no decision in this process");
        return NGX_ERROR;
    }

    ctx = ngx_http_corsgate_ctx(r);
    if (ctx == NULL || ngx_http_corsgate_request(r, stack, &req) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = corsgate_evaluate(policy, &req, d);
    if (rc != CORSGATE_OK) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "corsgate_evaluate() failed: %s", corsgate_status_str(rc));
        return NGX_ERROR;
    }

    ctx->evaluated = 1;
    ctx->allowed = corsgate_decision_allowed(d);
    ctx->kind = corsgate_decision_kind(d);
    ctx->reason = corsgate_decision_reason(d);

    return NGX_OK;
}


/* Variables */

static ngx_int_t
ngx_http_corsgate_variable(ngx_http_request_t *r, ngx_http_variable_value_t *v,
    uintptr_t data)
{
    const char                    *text;
    ngx_http_corsgate_ctx_t       *ctx;
    ngx_http_corsgate_loc_conf_t  *clcf;

    ctx = ngx_http_get_module_ctx(r->main, ngx_http_corsgate_module);

    if (ctx == NULL || !ctx->evaluated) {
        clcf = ngx_http_get_module_loc_conf(r->main, ngx_http_corsgate_module);
        if (clcf->policy == NULL) {
            v->not_found = 1;
            return NGX_OK;
        }

        /* In `if`, before the module ran: decide now (a later evaluation decides alike). */
        if (ngx_http_corsgate_evaluate(r->main, clcf->policy) != NGX_OK) {
            return NGX_ERROR;
        }

        ctx = ngx_http_get_module_ctx(r->main, ngx_http_corsgate_module);
    }

    switch (data) {
    case 0:
        text = ctx->allowed ? "allowed" : "denied";
        break;
    case 1:
        text = corsgate_reason_str(ctx->reason);
        break;
    default:
        text = corsgate_kind_str(ctx->kind);
        break;
    }

    v->data = (u_char *) text;
    v->len = ngx_strlen(text);
    v->valid = 1;
    v->no_cacheable = 0;
    v->not_found = 0;

    return NGX_OK;
}


static ngx_http_variable_t  ngx_http_corsgate_vars[] = {
    { ngx_string("corsgate_verdict"), NULL, ngx_http_corsgate_variable, 0,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },
    { ngx_string("corsgate_reason"), NULL, ngx_http_corsgate_variable, 1,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },
    { ngx_string("corsgate_kind"), NULL, ngx_http_corsgate_variable, 2,
      NGX_HTTP_VAR_NOCACHEABLE, 0 },
      ngx_http_null_variable
};


static ngx_int_t
ngx_http_corsgate_add_variables(ngx_conf_t *cf)
{
    ngx_http_variable_t  *var, *v;

    for (v = ngx_http_corsgate_vars; v->name.len; v++) {
        var = ngx_http_add_variable(cf, &v->name, v->flags);
        if (var == NULL) {
            return NGX_ERROR;
        }

        var->get_handler = v->get_handler;
        var->data = v->data;
    }

    return NGX_OK;
}


/* Counters and reports */

/* The counters of the location's policy; NULL before the zone is mapped. */
static uint64_t *
ngx_http_corsgate_counters(ngx_http_corsgate_loc_conf_t *clcf)
{
    if (ngx_http_corsgate_main == NULL || ngx_http_corsgate_main->counters == NULL) {
        return NULL;
    }

    return ngx_http_corsgate_main->counters + clcf->index * CORSGATE_STATS_SLOTS;
}


/* The request's URL (scheme, Host, target), which the browsers' messages name. */
static corsgate_bytes
ngx_http_corsgate_url(ngx_http_request_t *r)
{
    u_char          *p;
    size_t           len;
    corsgate_bytes   url = { NULL, 0 };

    len = sizeof("https://") - 1 + r->headers_in.server.len + r->unparsed_uri.len;
    p = ngx_pnalloc(r->pool, len);
    if (p == NULL) {
        return url;
    }

    url.ptr = p;
#if (NGX_HTTP_SSL)
    p = r->connection->ssl ? ngx_cpymem(p, "https://", 8) : ngx_cpymem(p, "http://", 7);
#else
    p = ngx_cpymem(p, "http://", 7);
#endif
    p = ngx_cpymem(p, r->headers_in.server.data, r->headers_in.server.len);
    p = ngx_cpymem(p, r->unparsed_uri.data, r->unparsed_uri.len);
    url.len = p - url.ptr;

    return url;
}


/* Logs one report line from libcorsgate (cut at the buffer's size). */
static void
ngx_http_corsgate_log_line(ngx_http_request_t *r, ngx_uint_t level, char *buf,
    size_t len)
{
    if (len == 0) {
        return;
    }

    ngx_log_error(level, r->connection->log, 0, "%*s",
                  ngx_min(len, NGX_HTTP_CORSGATE_LOG_LINE - 1), buf);
}


/*
 * Counts the decision and logs its denial report (libcorsgate's line: escaped, one line,
 * rate-limited per worker) at the location's level; the report is only formatted when the
 * level is enabled and the request denied.
 */
static void
ngx_http_corsgate_observe(ngx_http_request_t *r, ngx_http_corsgate_loc_conf_t *clcf,
    corsgate_decision *d)
{
    size_t     len;
    uint64_t  *counters;
    char       buf[NGX_HTTP_CORSGATE_LOG_LINE];

    counters = ngx_http_corsgate_counters(clcf);
    if (counters != NULL) {
        (void) corsgate_stats_record(counters, d);
    }

    if (clcf->denial_log_level == 0
        || r->connection->log->log_level < clcf->denial_log_level
        || corsgate_decision_allowed(d))
    {
        return;
    }

    len = 0;
    (void) corsgate_decision_report(d, ngx_http_corsgate_limiter, ngx_http_corsgate_url(r),
                                    CORSGATE_FORMAT_TEXT, buf, sizeof buf, &len);
    ngx_http_corsgate_log_line(r, clcf->denial_log_level, buf, len);
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
/* The response's header lines (views of r->headers_out) in `stack` or the request pool. */
static ngx_int_t
ngx_http_corsgate_response_lines(ngx_http_request_t *r, corsgate_header *stack,
    corsgate_header **out_lines, size_t *count)
{
    size_t            n, cap;
    ngx_uint_t        k;
    corsgate_header  *lines;
    ngx_list_part_t  *part;
    ngx_table_elt_t  *h;

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

    *out_lines = n ? lines : NULL;
    *count = n;

    return NGX_OK;
}


static ngx_int_t
ngx_http_corsgate_set_headers(ngx_http_request_t *r, corsgate_decision *d)
{
    u_char                 *p;
    size_t                  i, n, size;
    ngx_uint_t              k;
    corsgate_header         stack[NGX_HTTP_CORSGATE_STACK_LINES], *lines;
    corsgate_status         rc;
    ngx_list_part_t        *part;
    ngx_table_elt_t        *h;
    corsgate_response       out;

    if (ngx_http_corsgate_response_lines(r, stack, &lines, &n) != NGX_OK) {
        return NGX_ERROR;
    }

    rc = corsgate_decision_respond(d, lines, n, &out);
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
    if (clcf->policy == NULL || clcf->report_only) {
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

    /* The header filter then uses the decision just made, which nothing can have replaced:
     * it runs inside this ngx_http_send_header() call. The context exists (evaluate). */
    ((ngx_http_corsgate_ctx_t *) ngx_http_get_module_ctx(r, ngx_http_corsgate_module))
        ->answered = 1;

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

/*
 * Report-only: compares what a browser does with the response as it stands (upstream and
 * add_header lines included) and with the policy's answer, and logs a difference.
 */
static ngx_int_t
ngx_http_corsgate_report_only(ngx_http_request_t *r, ngx_http_corsgate_loc_conf_t *clcf)
{
    size_t             n, len;
    corsgate_header    in[NGX_HTTP_CORSGATE_STACK_LINES], out[NGX_HTTP_CORSGATE_STACK_LINES];
    corsgate_header   *lines;
    corsgate_status    rc;
    corsgate_request   req;
    char               buf[NGX_HTTP_CORSGATE_LOG_LINE];

    if (ngx_http_corsgate_request(r, in, &req) != NGX_OK
        || ngx_http_corsgate_response_lines(r, out, &lines, &n) != NGX_OK)
    {
        return NGX_ERROR;
    }

    len = 0;
    rc = corsgate_report_only(clcf->policy, &req, (uint16_t) r->headers_out.status, lines, n,
                              ngx_http_corsgate_url(r), ngx_http_corsgate_counters(clcf),
                              ngx_http_corsgate_limiter, CORSGATE_FORMAT_TEXT, buf,
                              sizeof buf, &len, NULL);
    if (rc != CORSGATE_OK && rc != CORSGATE_ERR_BUFFER_TOO_SMALL) {
        ngx_log_error(NGX_LOG_ALERT, r->connection->log, 0,
                      "corsgate_report_only() failed: %s", corsgate_status_str(rc));
        return NGX_ERROR;
    }

    if (clcf->denial_log_level != 0
        && r->connection->log->log_level >= clcf->denial_log_level)
    {
        ngx_http_corsgate_log_line(r, clcf->denial_log_level, buf, len);
    }

    return NGX_OK;
}


static ngx_int_t
ngx_http_corsgate_header_filter(ngx_http_request_t *r)
{
    corsgate_decision             *d;
    ngx_http_corsgate_ctx_t       *ctx;
    ngx_http_corsgate_loc_conf_t  *clcf;

    if (r != r->main) {
        return ngx_http_next_header_filter(r);
    }

    clcf = ngx_http_get_module_loc_conf(r, ngx_http_corsgate_module);
    if (clcf->policy == NULL) {
        return ngx_http_next_header_filter(r);
    }

    if (clcf->report_only) {
        if (ngx_http_corsgate_report_only(r, clcf) != NGX_OK) {
            return NGX_ERROR;
        }

        return ngx_http_next_header_filter(r);
    }

    d = ngx_http_corsgate_decision;
    ctx = ngx_http_get_module_ctx(r, ngx_http_corsgate_module);

    if (ctx == NULL || !ctx->answered) {
        if (ngx_http_corsgate_evaluate(r, clcf->policy) != NGX_OK) {
            return NGX_ERROR;
        }
    }

    ngx_http_corsgate_observe(r, clcf, d);

    if (ngx_http_corsgate_set_headers(r, d) != NGX_OK) {
        return NGX_ERROR;
    }

    return ngx_http_next_header_filter(r);
}


/* The status handler: every policy's counters, summed across workers by the shared zone. */
static ngx_int_t
ngx_http_corsgate_status_handler(ngx_http_request_t *r)
{
    u_char                         *p;
    size_t                          size, len;
    ngx_int_t                       rc;
    ngx_buf_t                      *b;
    ngx_uint_t                      i;
    ngx_chain_t                     out;
    corsgate_bytes                  header, labels;
    ngx_http_corsgate_file_t       *files;
    ngx_http_corsgate_main_conf_t  *cmcf;

    if (!(r->method & (NGX_HTTP_GET|NGX_HTTP_HEAD))) {
        return NGX_HTTP_NOT_ALLOWED;
    }

    rc = ngx_http_discard_request_body(r);
    if (rc != NGX_OK) {
        return rc;
    }

    cmcf = ngx_http_get_module_main_conf(r, ngx_http_corsgate_module);
    files = cmcf->files.elts;
    header = corsgate_stats_prometheus_header();

    /* Each policy: its samples, labelled with the file (escaped, `"` and `\` only). */
    size = header.len;
    for (i = 0; i < cmcf->files.nelts && cmcf->counters; i++) {
        len = 0;
        labels.ptr = (const uint8_t *) "policy=\"\"";
        labels.len = sizeof("policy=\"\"") - 1 + 2 * files[i].file.len;
        (void) corsgate_stats_format(cmcf->counters + i * CORSGATE_STATS_SLOTS,
                                     CORSGATE_FORMAT_SAMPLES, (corsgate_bytes) { NULL, 0 },
                                     NULL, 0, &len);
        size += len + CORSGATE_STATS_SLOTS * labels.len + 1;
    }

    b = ngx_create_temp_buf(r->pool, size + 1);
    if (b == NULL) {
        return NGX_HTTP_INTERNAL_SERVER_ERROR;
    }

    b->last = ngx_cpymem(b->last, header.ptr, header.len);

    for (i = 0; i < cmcf->files.nelts && cmcf->counters; i++) {
        p = ngx_pnalloc(r->pool, sizeof("policy=\"\"") + 2 * files[i].file.len);
        if (p == NULL) {
            return NGX_HTTP_INTERNAL_SERVER_ERROR;
        }

        labels.ptr = p;
        p = ngx_cpymem(p, "policy=\"", sizeof("policy=\"") - 1);
        for (len = 0; len < files[i].file.len; len++) {
            if (files[i].file.data[len] == '"' || files[i].file.data[len] == '\\') {
                *p++ = '\\';
            }
            *p++ = files[i].file.data[len];
        }
        *p++ = '"';
        labels.len = p - labels.ptr;

        len = 0;
        (void) corsgate_stats_format(cmcf->counters + i * CORSGATE_STATS_SLOTS,
                                     CORSGATE_FORMAT_SAMPLES, labels, (char *) b->last,
                                     b->end - b->last, &len);
        b->last += ngx_min(len, (size_t) (b->end - b->last - 1));
    }

    r->headers_out.status = NGX_HTTP_OK;
    r->headers_out.content_length_n = b->last - b->pos;
    ngx_str_set(&r->headers_out.content_type, "text/plain; version=0.0.4");
    r->headers_out.content_type_len = sizeof("text/plain; version=0.0.4") - 1;

    b->last_buf = (r == r->main) ? 1 : 0;
    b->last_in_chain = 1;

    rc = ngx_http_send_header(r);
    if (rc == NGX_ERROR || rc > NGX_OK || r->header_only) {
        return rc;
    }

    out.buf = b;
    out.next = NULL;

    return ngx_http_output_filter(r, &out);
}


static ngx_int_t
ngx_http_corsgate_init(ngx_conf_t *cf)
{
    ngx_str_t                       name = ngx_string("corsgate_counters");
    ngx_shm_zone_t                 *zone;
    ngx_http_handler_pt            *h;
    ngx_http_core_main_conf_t      *cmcf;
    ngx_http_corsgate_main_conf_t  *gmcf;

    gmcf = ngx_http_conf_get_module_main_conf(cf, ngx_http_corsgate_module);

    if (gmcf->files.nelts) {
        gmcf->counters_size = gmcf->files.nelts * CORSGATE_STATS_SLOTS * sizeof(uint64_t);

        /* A reload with as many policies reuses the zone (and keeps the counters). */
        zone = ngx_shared_memory_add(cf, &name,
                                     NGX_HTTP_CORSGATE_ZONE_SIZE
                                     + ngx_align(2 * gmcf->counters_size, ngx_pagesize),
                                     &ngx_http_corsgate_module);
        if (zone == NULL) {
            return NGX_ERROR;
        }

        zone->init = ngx_http_corsgate_init_zone;
        zone->data = gmcf;
    }

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
