// ESM entry of corsgate/koa: the CommonJS middleware factory and its named exports.
import cors from './koa.js';

export default cors;
export const { strict, Policy } = cors;
