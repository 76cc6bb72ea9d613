// ESM entry of corsgate/fastify: the CommonJS plugin and its named exports.
import plugin from './fastify.js';

export default plugin;
export const { fastifyCors, strict, Policy, CorsgateConfigError } = plugin;
