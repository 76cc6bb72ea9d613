// Types of corsgate/koa: the @koa/cors 5 drop-in middleware and the strict engine's.
import type { Context, Middleware } from 'koa';
import corsgate = require('./index');

declare namespace corsgateKoa {
  /** The options of @koa/cors 5. */
  interface Options {
    /** `Access-Control-Allow-Origin` (default `'*'`), or a function of the context; a falsy answer skips CORS. */
    origin?: string | ((ctx: Context) => string | false | undefined | null | PromiseLike<string | false | undefined | null>);
    /** `Access-Control-Allow-Methods` (default `GET,HEAD,PUT,POST,DELETE,PATCH`). */
    allowMethods?: string | string[];
    /** `Access-Control-Expose-Headers`. */
    exposeHeaders?: string | string[];
    /** `Access-Control-Allow-Headers`; by default the request's list is reflected. */
    allowHeaders?: string | string[];
    /** `Access-Control-Max-Age` in seconds. */
    maxAge?: string | number;
    /** `Access-Control-Allow-Credentials: true`, or a function of the context. */
    credentials?: boolean | ((ctx: Context) => boolean | PromiseLike<boolean>);
    /** Keep the CORS headers on errors thrown below (default true). */
    keepHeadersOnError?: boolean;
    /** Send `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`. */
    secureContext?: boolean;
    /** Answer `Access-Control-Request-Private-Network` with `Access-Control-Allow-Private-Network: true`. */
    privateNetworkAccess?: boolean;
  }
}

/** `app.use(cors(options))`: the @koa/cors drop-in. */
declare function corsgateKoa(options?: corsgateKoa.Options): Middleware;
declare namespace corsgateKoa {
  /** corsgate's strict engine: a `Policy`, its keys (docs/policy.md) or a policy file's path. */
  export function strict(
    policy: corsgate.Policy | corsgate.PolicyConfig | string,
    settings?: { onDenied?: (reason: Pick<corsgate.Reason, 'code' | 'message'>, req: Context['req']) => void },
  ): Middleware;
  export const Policy: typeof corsgate.Policy;
  const _default: typeof corsgateKoa;
  export { _default as default };
}
export = corsgateKoa;
