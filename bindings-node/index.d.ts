// Type definitions for corsgate (Node.js): the drop-in for the `cors` package and the strict
// engine. The default export is the `cors` function.

import type { IncomingHttpHeaders } from 'node:http';

declare namespace corsgate {
  /** What `cors` reads from a request. Express, Connect and node:http requests all fit. */
  interface CorsRequest {
    method?: string | undefined;
    headers: IncomingHttpHeaders;
  }

  /** What the middleware uses of a response. */
  interface CorsResponse {
    statusCode?: number | undefined;
    setHeader(key: string, value: string | number | readonly string[]): unknown;
    getHeader(key: string): string | number | string[] | undefined;
    end(): unknown;
  }

  /**
   * What the strict middleware uses of a response (a `ServerResponse`): it writes the decision
   * by the core's rule when the head goes out (`writeHead`, explicit or implicit).
   */
  interface StrictResponse extends CorsResponse {
    writeHead(...args: any[]): unknown;
    getHeaderNames(): string[];
    removeHeader(key: string): unknown;
  }

  /** A static `origin`: `true` reflects, `false` disables, a string is fixed (`'*'`: any). */
  type StaticOrigin = boolean | string | RegExp | Array<boolean | string | RegExp | StaticOrigin>;

  /** An origin function: answer an error, or what the origin option would have been. */
  type CustomOrigin = (
    requestOrigin: string | undefined,
    callback: (err: Error | null, origin?: StaticOrigin) => void,
  ) => void;

  /** The options of the `cors` package (2.8.x), with the same meaning. */
  interface CorsOptions {
    /** Default `'*'`. */
    origin?: StaticOrigin | CustomOrigin | undefined;
    /** Default `'GET,HEAD,PUT,PATCH,POST,DELETE'`; arrays are joined with `,`. */
    methods?: string | string[] | undefined;
    /** Default: reflect `Access-Control-Request-Headers` (and add it to `Vary`). */
    allowedHeaders?: string | string[] | undefined;
    /** Alias of `allowedHeaders`. */
    headers?: string | string[] | undefined;
    exposedHeaders?: string | string[] | undefined;
    credentials?: boolean | undefined;
    /** Seconds; `0` is sent. */
    maxAge?: number | undefined;
    /** Pass preflights to the next handler instead of answering them. */
    preflightContinue?: boolean | undefined;
    /** Status of answered preflights, default 204. */
    optionsSuccessStatus?: number | undefined;
  }

  /** Options per request: call back with an error or the options. */
  type CorsOptionsDelegate<T extends CorsRequest = CorsRequest> = (
    req: T,
    callback: (err: Error | null, options?: CorsOptions) => void,
  ) => void;

  /** corsgate's additions; `cors` has no second argument. */
  interface Settings {
    /** Answers remembered per middleware (by method, origin verdict and request headers' shape; docs/node.md); 0 disables. Default 1024. */
    cacheSize?: number | undefined;
  }

  /** A problem in a configuration. */
  interface Diagnostic {
    /** Where: `origins[2]`, `routes[0].max_age`, `origin[1]`, or `''` for the whole thing. */
    path: string;
    /** Stable code, such as `origin_trailing_slash` or `regex_unanchored`. */
    code: string;
    message: string;
    hint: string | null;
  }

  /** The middleware `cors(options)` returns. */
  interface CorsMiddleware {
    (req: CorsRequest, res: CorsResponse, next: (err?: unknown) => void): void;
    /** Security warnings found in the options (also emitted as `CorsgateSecurityWarning`). */
    readonly warnings: Diagnostic[];
    /** Swaps in new options while serving; invalid ones throw and the old ones keep serving. */
    reconfigure(options?: CorsOptions | CorsOptionsDelegate): void;
  }

  /** The policy keys of docs/policy.md. */
  interface PolicyConfig {
    origins?: string[];
    origin_regexes?: string[];
    allow_null_origin?: boolean;
    methods?: string[];
    request_headers?: string[];
    expose_headers?: string[];
    credentials?: boolean;
    /** 0..=86400 seconds. */
    max_age?: number;
    private_network?: boolean;
    /** 200..=299, default 204. */
    preflight_status?: number;
    preflight_continue?: boolean;
    allow_insecure_origins?: boolean;
    routes?: Array<PolicyConfig & { path: string }>;
  }

  /** A request for `Policy#evaluate`. */
  interface PolicyRequest {
    /** Default `'GET'`. */
    method?: string;
    /** Default `'/'`; the query is ignored. */
    path?: string;
    /** A `req.headers` object, or header lines as `[name, value]` pairs (names may repeat). */
    headers?: IncomingHttpHeaders | Array<[string, string]>;
  }

  /** Why a request was denied. */
  interface Reason {
    /** `origin_not_allowed`, `method_not_allowed`, `header_not_allowed`, `malformed_origin`, … */
    code: string;
    /** The offending value as received. */
    value: string;
    /** One line, with a hint where one helps. */
    message: string;
    /** What Chromium's console prints after "has been blocked by CORS policy: ". */
    browserReason: string;
  }

  /** The strict engine's answer. */
  interface Decision {
    kind: 'preflight' | 'actual' | 'not_cors';
    allowed: boolean;
    /** The status to answer a preflight with, or null when the application answers. */
    status: number | null;
    /** CORS headers in order (`Vary` excluded). */
    headers: Array<[string, string]>;
    /** Names to append to `Vary`. */
    vary: string[];
    body: string;
    reason: Reason | null;
  }

  /** Settings of the strict middleware. */
  interface MiddlewareSettings {
    /** Called for every denied CORS request, before the answer is sent. */
    onDenied?: ((reason: { code: string; message: string }, req: CorsRequest) => void) | undefined;
  }

  /** A middleware with corsgate's strict semantics. */
  type StrictMiddleware = (req: CorsRequest & { url?: string; originalUrl?: string }, res: StrictResponse, next?: (err?: unknown) => void) => void;

  /** Thrown for a configuration that cannot work; `errors` lists every problem. */
  class CorsgateConfigError extends Error {
    readonly name: 'CorsgateConfigError';
    readonly errors: Diagnostic[];
    readonly warnings: Diagnostic[];
  }

  /** corsgate's strict engine, validated at construction, reconfigurable while serving. */
  class Policy {
    /** From policy keys, or from a file path (`.json`, anything else TOML). */
    constructor(config?: PolicyConfig | string);
    static fromFile(path: string): Policy;
    static fromJSON(text: string): Policy;
    static fromTOML(text: string): Policy;
    /** Lint warnings of the policy serving now. */
    readonly warnings: Diagnostic[];
    evaluate(request?: PolicyRequest): Decision;
    /** Swaps in a new configuration; invalid ones throw and the old policy keeps serving. */
    reconfigure(config: PolicyConfig | string): void;
  }

  /** The strict middleware for Express, Connect and node:http. */
  function middleware(policy: Policy | PolicyConfig | string, settings?: MiddlewareSettings): StrictMiddleware;

  /**
   * The browser-side checker: what a browser does with a page's `fetch()` and the server's
   * answers (the Fetch standard's checks in Chromium's order, Chromium's console messages,
   * and each browser's verdict and words under `browser` and `browsers`).
   */
  namespace browser {
    /** What the page does: `fetch(url, {method, headers, credentials, mode})` from `origin`. */
    interface FetchRequest {
      origin: string;
      url: string;
      method?: string;
      headers?: Array<[string, string]>;
      credentials?: 'omit' | 'same-origin' | 'include';
      mode?: 'cors' | 'no-cors';
    }
    /** A server's answer: status and header lines. */
    interface Response {
      status: number;
      headers?: Array<[string, string]>;
    }
    /** Why the browser blocks: Chromium's error kind, its console message and the fix. */
    interface CorsError {
      kind: string;
      value: string | null;
      message: string;
      fix: string;
    }
    interface Outcome {
      verdict: 'allowed' | 'blocked' | 'blocked_by_standard_only' | 'incomplete';
      request: {
        origin: string;
        url: string;
        method: string;
        credentials: 'omit' | 'same-origin' | 'include';
        mode: 'cors' | 'no-cors';
        cross_origin: boolean;
        headers: Array<[string, string]>;
        dropped_headers: string[];
        unsafe_headers: string[];
      };
      preflight_request: { method: string; request_headers: string | null; reasons: string[] } | null;
      preflight: {
        blocked: CorsError | null;
        blocked_in_chrome: CorsError | null;
        allowed_methods: string[];
        allowed_headers: string[];
        cache_seconds: { standard: number; chromium: number; firefox: number; webkit: number } | null;
      } | null;
      response: {
        blocked: CorsError | null;
        opaque: boolean;
        readable_headers: string[];
        hidden_headers: string[];
      } | null;
      blocked: CorsError | null;
      blocked_in_chrome: CorsError | null;
      missing: 'preflight_response' | 'response' | null;
      notes: string[];
      /** The chosen browser's answer (`options.browser`, default Chromium). */
      browser: BrowserOutcome;
      /** Every browser's answer. */
      browsers: { chromium: BrowserOutcome; firefox: BrowserOutcome; webkit: BrowserOutcome };
      browsers_disagree: boolean;
    }
    /** The browsers the checker answers for (`webkit`: Safari, not verified in a real browser). */
    type Browser = 'chromium' | 'firefox' | 'webkit';
    /** One browser's answer: its verdict, and its own error kind and console lines. */
    interface BrowserOutcome {
      name: Browser;
      verdict: 'allowed' | 'blocked' | 'incomplete';
      /** Whether the predictions were checked in the real browser (false for WebKit). */
      verified: boolean;
      /** The preflight this browser sends (Firefox may send none, or other request headers). */
      preflight_request: { method: string; request_headers: string | null } | null;
      error: {
        /** Chromium's CorsError kind, or Firefox's reason (`CORSMissingAllowOrigin`, …). */
        kind: string;
        value: string | null;
        message: string;
        /** Every console line the browser prints for the fetch, `message` first. */
        console: string[];
        fix: string;
        docs: string | null;
      } | null;
      warnings: string[];
      cache_seconds: number | null;
    }
    /** `fetch()` would throw before sending (`kind`: `forbidden_method`, …), or bad input. */
    class RequestError extends Error {
      readonly kind: string;
    }
    function check(
      request: FetchRequest,
      answers?: { preflight?: Response | null; response?: Response | null },
      options?: { browser?: Browser },
    ): Outcome;
  }

  /** The `cors` function itself, for `import { cors } from 'corsgate'`. */
  const cors: typeof corsgate;

  /** corsgate's version, such as `"0.1.0"` (the same as the CLI's, Python's and C's). */
  const version: string;
}

/** A drop-in for `cors(options)`: the same options, the same answers. */
declare function corsgate<T extends corsgate.CorsRequest = corsgate.CorsRequest>(
  options?: corsgate.CorsOptions | corsgate.CorsOptionsDelegate<T>,
  settings?: corsgate.Settings,
): corsgate.CorsMiddleware;

export = corsgate;
