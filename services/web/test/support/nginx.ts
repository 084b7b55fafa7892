import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '@mmon/test-support';

export const TEMPLATE = path.join(__dirname, '..', '..', 'nginx', 'default.conf.template');

/** Replaces `from` by `to`, insisting that `from` occurs exactly once (the template's fixed values). */
function replaceOnce(text: string, from: string, to: string): string {
  const parts = text.split(from);
  if (parts.length !== 2) throw new Error(`expected "${from}" once in the nginx template, found ${parts.length - 1}`);
  return parts.join(to);
}

/**
 * Renders the template like the nginx image's envsubst step (API_UPSTREAM), with the listen
 * address and document root the image has (8080, /usr/share/nginx/html) moved to a free loopback
 * port and the given directory.
 */
export function renderTemplate(template: string, vars: { apiUpstream: string; port: number; root: string }): string {
  let conf = template.replaceAll('${API_UPSTREAM}', vars.apiUpstream);
  conf = replaceOnce(conf, 'listen 8080;', `listen 127.0.0.1:${vars.port};`);
  conf = replaceOnce(conf, 'root /usr/share/nginx/html;', `root ${vars.root};`);
  const leftover = /\$\{[A-Z_]+\}/.exec(conf);
  if (leftover) throw new Error(`unrendered template variable ${leftover[0]}`);
  return conf;
}

export interface RunningNginx {
  port: number;
  stop(): Promise<void>;
}

/** A real nginx in the foreground with everything (pid, logs, temp files) in a temporary prefix. */
export async function startNginx(opts: { apiUpstream: string; root: string }): Promise<RunningNginx> {
  const prefix = mkdtempSync(path.join(os.tmpdir(), 'mmon-nginx-'));
  const port = await freePort();
  writeFileSync(path.join(prefix, 'default.conf'), renderTemplate(readFileSync(TEMPLATE, 'utf8'), { ...opts, port }));
  const temp = (name: string) => path.join(prefix, name);
  writeFileSync(
    path.join(prefix, 'nginx.conf'),
    `daemon off;
worker_processes 1;
pid ${temp('nginx.pid')};
error_log ${temp('error.log')} warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  include ${temp('default.conf')};
}
`,
  );
  const child: ChildProcess = spawn('/usr/sbin/nginx', ['-p', prefix, '-c', temp('nginx.conf'), '-e', temp('error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await Promise.race([
      waitForPort(port),
      exited.then(() => {
        throw new Error(`nginx exited: ${stderr}${existsSync(temp('error.log')) ? readFileSync(temp('error.log'), 'utf8') : ''}`);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    rmSync(prefix, { recursive: true, force: true });
    throw err;
  }
  return {
    port,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGQUIT');
        await exited;
      }
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}
