// Types of corsgate/hono: the drop-in for Hono's cors() middleware.
import type { Context, MiddlewareHandler } from 'hono';
import corsgate = require('./index');

declare namespace corsgateHono {
  /** The options of Hono's `cors()`. */
  interface CORSOptions {
    /** `Access-Control-Allow-Origin` (default `'*'`): a string, a list, or a function of the request's origin. */
    origin?: string | string[] | ((origin: string, c: Context) => Promise<string | undefined | null> | string | undefined | null);
    /** `Access-Control-Allow-Methods` of preflights, or a function of the request's origin. */
    allowMethods?: string[] | ((origin: string, c: Context) => Promise<string[]> | string[]);
    /** `Access-Control-Allow-Headers`; by default the request's list is reflected. */
    allowHeaders?: string[];
    /** `Access-Control-Max-Age` in seconds. */
    maxAge?: number;
    /** `Access-Control-Allow-Credentials: true`. */
    credentials?: boolean;
    /** `Access-Control-Expose-Headers`. */
    exposeHeaders?: string[];
  }
}

/** `app.use('/api/*', cors(options))`: the drop-in for `cors` from 'hono/cors'. */
declare function corsgateHono(options?: corsgateHono.CORSOptions): MiddlewareHandler;
declare namespace corsgateHono {
  export const cors: typeof corsgateHono;
  /** corsgate's strict engine: a `Policy`, its keys (docs/policy.md) or a policy file's path. */
  export function strict(
    policy: corsgate.Policy | corsgate.PolicyConfig | string,
    settings?: { onDenied?: (reason: Pick<corsgate.Reason, 'code' | 'message'>, req: { method: string; url: string; headers: Record<string, string> }) => void },
  ): MiddlewareHandler;
  export const Policy: typeof corsgate.Policy;
  const _default: typeof corsgateHono;
  export { _default as default };
}
export = corsgateHono;
