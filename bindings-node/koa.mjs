// ESM entry of corsgate/koa: the CommonJS middleware factory.
import cors from './koa.js';

export default cors;
