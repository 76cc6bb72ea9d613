'use strict';
// Starts each server integration on 127.0.0.1 with policies/matrix.toml, and stops it.
// Every server answers the same routes (lib/app.js, servers/apps.py; the C example server
// with CORSGATE_SERVER_APP=echo).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const app = require('./app.js');

const ROOT = path.join(__dirname, '..', '..', '..');
const HERE = path.join(__dirname, '..');
const POLICY = path.join(HERE, 'policies', 'matrix.toml');
const PYTHON = process.env.CORSGATE_PYTHON || path.join(ROOT, '.venv', 'bin', 'python');
const C_SERVER = process.env.CORSGATE_C_SERVER || path.join(ROOT, 'examples', 'c-server', 'corsgate-server');
// The Rust examples (core/examples/browser_axum.rs, actix/examples/browser_actix.rs), built by
// `make browser-rust-servers` into the debug examples directory.
const RUST_EXAMPLES = path.join(process.env.CARGO_TARGET_DIR || path.join(ROOT, 'target'), 'debug', 'examples');
const NGINX_MODULE = process.env.CORSGATE_NGINX_MODULE || path.join(ROOT, 'build', 'nginx', 'ngxbuild', 'ngx_http_corsgate_module.so');
const APACHE_MODULE = process.env.CORSGATE_APACHE_MODULE || path.join(ROOT, 'build', 'apache', 'mod_corsgate.so');
const APACHE_MODULES = process.env.APACHE_MODULES || '/usr/lib/apache2/modules';

/** Every integration, in the order the table shows them. */
const ALL = ['nginx', 'apache', 'asgi', 'wsgi', 'django', 'flask', 'express', 'fastify', 'koa', 'hono', 'c', 'axum', 'actix'];

async function freePort() {
  const s = net.createServer();
  await new Promise((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function connects(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Spawns `cmd`, waits until 127.0.0.1:port accepts connections (at most 30 s). */
async function spawnServer(name, cmd, args, port, options = {}) {
  const log = [];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
  child.stdout.on('data', (d) => log.push(String(d)));
  child.stderr.on('data', (d) => log.push(String(d)));
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = `exited (${signal || code})`;
  });
  for (let i = 0; i < 300; i++) {
    if (exited) break;
    if (await connects(port)) {
      return {
        log,
        stop: () =>
          new Promise((resolve) => {
            if (exited) return resolve();
            child.once('exit', () => resolve());
            child.kill(options.stopSignal || 'SIGTERM');
          }),
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${name}: ${exited || 'did not listen within 30 s'}: ${cmd} ${args.join(' ')}\n${log.join('')}`);
}

const starters = {
  async express(port) {
    return spawnServer('express', process.execPath, [path.join(HERE, 'servers', 'express.js'), POLICY, String(port)], port);
  },
  async fastify(port) {
    return spawnServer('fastify', process.execPath, [path.join(HERE, 'servers', 'fastify.js'), POLICY, String(port)], port);
  },
  async koa(port) {
    return spawnServer('koa', process.execPath, [path.join(HERE, 'servers', 'koa.js'), POLICY, String(port)], port);
  },
  async hono(port) {
    return spawnServer('hono', process.execPath, [path.join(HERE, 'servers', 'hono.js'), POLICY, String(port)], port);
  },
  async asgi(port) {
    return spawnServer('asgi', PYTHON, [path.join(HERE, 'servers', 'apps.py'), 'asgi', POLICY, String(port)], port);
  },
  async wsgi(port) {
    return spawnServer('wsgi', PYTHON, [path.join(HERE, 'servers', 'apps.py'), 'wsgi', POLICY, String(port)], port);
  },
  async django(port) {
    return spawnServer('django', PYTHON, [path.join(HERE, 'servers', 'apps.py'), 'django', POLICY, String(port)], port);
  },
  async flask(port) {
    return spawnServer('flask', PYTHON, [path.join(HERE, 'servers', 'apps.py'), 'flask', POLICY, String(port)], port);
  },
  async axum(port) {
    return spawnServer('axum', path.join(RUST_EXAMPLES, 'browser_axum'), [POLICY, String(port)], port);
  },
  async actix(port) {
    return spawnServer('actix', path.join(RUST_EXAMPLES, 'browser_actix'), [POLICY, String(port)], port);
  },
  async c(port) {
    return spawnServer('c', C_SERVER, [POLICY, String(port)], port, {
      env: { ...process.env, CORSGATE_SERVER_APP: 'echo' },
    });
  },
  async nginx(port) {
    // nginx + ngx_http_corsgate_module in front of the bare app (its upstream), plus an
    // upstream nobody listens on (the 502 case).
    const upstream = await app.listen('nginx');
    const dead = await freePort();
    const prefix = fs.mkdtempSync(path.join(os.tmpdir(), 'corsgate-nginx-'));
    const user = process.getuid && process.getuid() === 0 ? 'user root;\n' : '';
    const conf = `load_module ${NGINX_MODULE};
${user}daemon off;
master_process on;
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;
    server_tokens off;
    upstream app { server 127.0.0.1:${upstream.address().port}; keepalive 8; }
    upstream down { server 127.0.0.1:${dead}; }
    server {
        listen 127.0.0.1:${port};
        corsgate_policy ${POLICY};
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        location / { proxy_pass http://app; }
        location = /exact/down { proxy_pass http://down; }
    }
}
`;
    fs.writeFileSync(path.join(prefix, 'nginx.conf'), conf);
    const server = await spawnServer('nginx', 'nginx', ['-p', prefix, '-c', path.join(prefix, 'nginx.conf'), '-e', path.join(prefix, 'error.log')], port, { stopSignal: 'SIGQUIT' });
    return {
      log: server.log,
      stop: async () => {
        await server.stop();
        upstream.closeAllConnections();
        await new Promise((resolve) => upstream.close(resolve));
        fs.rmSync(prefix, { recursive: true, force: true });
      },
    };
  },
  async apache(port) {
    // Apache httpd + mod_corsgate in front of the bare app (mod_proxy), plus a backend nobody
    // listens on (mod_proxy's own 503). httpd runs in the foreground under a private ServerRoot.
    const upstream = await app.listen('apache');
    const dead = await freePort();
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'corsgate-httpd-'));
    fs.chmodSync(root, 0o755);
    for (const d of ['logs', 'run']) fs.mkdirSync(path.join(root, d));
    const user = process.getuid && process.getuid() === 0 ? 'User nobody\nGroup nogroup\n' : '';
    const modules = ['mpm_event', 'authz_core', 'proxy', 'proxy_http']
      .map((m) => `LoadModule ${m}_module ${APACHE_MODULES}/mod_${m}.so`)
      .join('\n');
    const conf = `ServerRoot ${root}
DefaultRuntimeDir ${root}/run
PidFile ${root}/run/httpd.pid
Listen 127.0.0.1:${port}
ServerName localhost
ServerTokens Prod
${user}ErrorLog ${root}/logs/error.log
LogLevel warn
${modules}
LoadModule corsgate_module ${APACHE_MODULE}
StartServers 1
CorsgatePolicy ${POLICY}
ProxyPass /exact/down http://127.0.0.1:${dead}/exact/down
ProxyPass / http://127.0.0.1:${upstream.address().port}/
`;
    fs.writeFileSync(path.join(root, 'httpd.conf'), conf);
    const server = await spawnServer('apache', process.env.APACHE2 || 'apache2', ['-f', path.join(root, 'httpd.conf'), '-D', 'FOREGROUND'], port);
    return {
      log: server.log,
      stop: async () => {
        await server.stop();
        upstream.closeAllConnections();
        await new Promise((resolve) => upstream.close(resolve));
        fs.rmSync(root, { recursive: true, force: true });
      },
    };
  },
};

/** Starts the named servers; resolves to [{name, port, stop, log}]. */
async function start(names) {
  const out = [];
  try {
    for (const name of names) {
      if (!starters[name]) throw new Error(`unknown server ${name} (known: ${ALL.join(', ')})`);
      const port = await freePort();
      const s = await starters[name](port);
      out.push({ name, port, ...s });
    }
  } catch (e) {
    await stop(out);
    throw e;
  }
  return out;
}

async function stop(servers) {
  await Promise.all(servers.map((s) => s.stop()));
}

module.exports = { ALL, POLICY, start, stop };
