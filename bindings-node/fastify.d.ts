// Types of corsgate/fastify: the @fastify/cors 11 drop-in plugin and the strict engine's plugin.
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest, LogLevel } from 'fastify';
import corsgate = require('./index');

declare namespace corsgateFastify {
  /** One value of the `origin` option: a string is sent as is, a RegExp or `true` reflects. */
  type OriginValue = string | boolean | RegExp;
  /** An origin value or a (nested) array of them. */
  type OriginList = OriginValue | OriginList[];
  /** An origin function with a callback (called with the Fastify instance as `this`). */
  type OriginFunction = (
    this: FastifyInstance,
    origin: string | undefined,
    callback: (err: Error | null, origin: OriginList) => void,
  ) => void;
  /** An origin function answering with a Promise. */
  type AsyncOriginFunction = (this: FastifyInstance, origin: string | undefined) => Promise<OriginList>;

  /** The hooks the plugin can run in. */
  type FastifyCorsHook = 'onRequest' | 'preParsing' | 'preValidation' | 'preHandler' | 'preSerialization';

  /** The options of @fastify/cors 11. */
  interface FastifyCorsOptions {
    /** The hook the plugin runs in (default `onRequest`). */
    hook?: FastifyCorsHook;
    /** Options per request, instead of the ones below. */
    delegator?: FastifyCorsOptionsDelegate;
    /** `Access-Control-Allow-Origin` (default `'*'`). */
    origin?: OriginList | OriginFunction | AsyncOriginFunction;
    /** Send `Access-Control-Allow-Credentials: true`. */
    credentials?: boolean;
    /** `Access-Control-Expose-Headers` (an array is joined with `, `). */
    exposedHeaders?: string | string[];
    /** `Access-Control-Allow-Headers`; by default the request's list is reflected. */
    allowedHeaders?: string | string[];
    /** `Access-Control-Allow-Methods` (default `GET,HEAD,POST`). */
    methods?: string | string[];
    /** `Access-Control-Max-Age` in seconds. */
    maxAge?: number;
    /** `Cache-Control` of answered preflights: seconds (`max-age=<n>`) or the header's text. */
    cacheControl?: number | string;
    /** Hand preflights on to the routes instead of answering them. */
    preflightContinue?: boolean;
    /** Status of answered preflights (default 204). */
    optionsSuccessStatus?: number;
    /** Answer preflights at all (default true). */
    preflight?: boolean;
    /** Answer 400 to an `OPTIONS` request without `Origin` or `Access-Control-Request-Method` (default true). */
    strictPreflight?: boolean;
    /** Hide the plugin's `OPTIONS *` route from documentation generators (default true). */
    hideOptionsRoute?: boolean;
    /** Log level of the plugin's `OPTIONS *` route. */
    logLevel?: LogLevel;
  }

  /** A delegator with a callback. */
  interface FastifyCorsOptionsDelegateCallback {
    (req: FastifyRequest, cb: (error: Error | null, corsOptions?: FastifyCorsOptions) => void): void;
  }
  /** A delegator answering with a Promise. */
  interface FastifyCorsOptionsDelegatePromise {
    (req: FastifyRequest): Promise<FastifyCorsOptions>;
  }
  type FastifyCorsOptionsDelegate = FastifyCorsOptionsDelegateCallback | FastifyCorsOptionsDelegatePromise;

  /** The options of the strict plugin. */
  interface StrictOptions {
    /** A `Policy`, its keys (docs/policy.md), or a policy file's path. */
    policy: corsgate.Policy | corsgate.PolicyConfig | string;
    /** Called for every denied CORS request. */
    onDenied?: (reason: Pick<corsgate.Reason, 'code' | 'message'>, req: FastifyRequest['raw']) => void;
  }

  /** The plugin's type. */
  type FastifyCorsPlugin = FastifyPluginCallback<FastifyCorsOptions | FastifyCorsOptionsDelegate>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Route-level CORS options merged over the plugin's, or `false` to turn CORS off. */
    cors?: corsgateFastify.FastifyCorsOptions | false;
  }
  interface FastifyRequest {
    /** Set when the plugin accepted this request as a preflight. */
    corsPreflightEnabled: boolean;
  }
}

/** The @fastify/cors drop-in: `fastify.register(require('corsgate/fastify'), options)`. */
declare const corsgateFastify: corsgateFastify.FastifyCorsPlugin & {
  fastifyCors: corsgateFastify.FastifyCorsPlugin;
  default: corsgateFastify.FastifyCorsPlugin;
  /** corsgate's strict engine in an `onRequest` hook. */
  strict: FastifyPluginCallback<corsgateFastify.StrictOptions>;
  Policy: typeof corsgate.Policy;
  CorsgateConfigError: typeof corsgate.CorsgateConfigError;
};
export = corsgateFastify;
