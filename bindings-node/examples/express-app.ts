// Express: replace `import cors from 'cors'` with corsgate, nothing else changes.
import express from 'express';
import cors, { CorsOptions, CorsOptionsDelegate, Policy, middleware, CorsgateConfigError } from 'corsgate';

const app = express();

// The drop-in: the options of the `cors` package.
const options: CorsOptions = {
  origin: ['https://app.example.com', /^https:\/\/[a-z0-9-]+\.preview\.example\.com$/],
  methods: ['GET', 'POST', 'PUT'],
  allowedHeaders: ['content-type', 'authorization'],
  exposedHeaders: 'x-request-id',
  credentials: true,
  maxAge: 600,
};
const corsMiddleware = cors(options);
app.use('/api', corsMiddleware);
app.options('/files/*splat', cors({ origin: 'https://files.example.com' }));

// An origin function and a per-request options delegate, as in `cors`.
app.use(
  '/public',
  cors({
    origin: (origin, callback) => callback(null, origin === undefined || origin.endsWith('.example.com')),
  }),
);
const delegate: CorsOptionsDelegate<express.Request> = (req, callback) => {
  callback(null, { origin: req.path.startsWith('/open') ? '*' : false });
};
app.use(cors(delegate));

// Live reconfiguration: invalid options throw and the old ones keep serving.
try {
  corsMiddleware.reconfigure({ ...options, origin: ['https://app.example.com', 'https://admin.example.com'] });
} catch (err) {
  if (err instanceof CorsgateConfigError) for (const e of err.errors) console.error(e.path, e.code, e.hint);
}
for (const w of corsMiddleware.warnings) console.warn(w.code, w.message);

// The strict engine, with the same policy file nginx uses.
const policy = new Policy({ origins: ['https://app.example.com'], methods: ['PUT'], max_age: 600 });
app.use('/strict', middleware(policy, { onDenied: (reason, req) => console.warn(reason.code, req.headers.origin) }));

const decision = policy.evaluate({ method: 'GET', headers: { origin: 'http://app.example.com' } });
if (!decision.allowed && decision.reason) {
  console.log(decision.reason.code, decision.reason.message, decision.reason.browserReason);
}

app.get('/api/hello', (_req, res) => {
  res.json({ hello: 'world' });
});

app.listen(3000, '127.0.0.1');
