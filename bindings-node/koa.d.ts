// Types of corsgate/koa: the @koa/cors 5 drop-in middleware.
import type { Context, Middleware } from 'koa';

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
export = corsgateKoa;
