// ESM entry of corsgate/hono: `import { cors } from 'corsgate/hono'`, as from 'hono/cors'.
import cors from './hono.js';

export default cors;
export { cors };
export const { strict, Policy } = cors;
