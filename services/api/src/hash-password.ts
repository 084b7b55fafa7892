/**
 * Makes a MONITOR_USERS_FILE hash: `node services/api/dist/hash-password.js [user role]`.
 *
 * The password is read from standard input, never from the command line (where `ps` and the shell's
 * history would keep it): typed at a terminal without echo, twice, or piped (its first line). It
 * prints the argon2id hash, or with a user and a role the whole line `user:role:hash`, so that
 * `node services/api/dist/hash-password.js alice admin >> users` adds a user. Prompts go to stderr.
 */
import { hashPassword, parseUsers } from './auth/users';

const MAX_PASSWORD = 1024;

/** One line from a terminal, echoing nothing; Ctrl-C or Ctrl-D abandons. */
function readHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    // Echo off before the prompt shows, so nothing typed after it is ever echoed.
    stdin.setRawMode(true);
    stdin.resume();
    process.stderr.write(prompt);
    let text = '';
    const done = (err: Error | null) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(text);
    };
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done(null);
        if (ch === '\u0003' || ch === '\u0004') return done(new Error('abandoned'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}

async function readPiped(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return text.split(/\r?\n/)[0];
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.length !== 0 && args.length !== 2) {
    process.stderr.write('usage: node services/api/dist/hash-password.js [user viewer|admin]  (the password is read from stdin)\n');
    return 2;
  }
  let password: string;
  if (process.stdin.isTTY) {
    password = await readHidden('password: ');
    if ((await readHidden('again: ')) !== password) {
      process.stderr.write('the passwords differ\n');
      return 1;
    }
  } else password = await readPiped();
  if (password.length < 8 || password.length > MAX_PASSWORD) {
    process.stderr.write(`a password has 8 to ${MAX_PASSWORD} characters\n`);
    return 1;
  }
  const hash = await hashPassword(password);
  if (args.length === 0) {
    process.stdout.write(`${hash}\n`);
    return 0;
  }
  const line = `${args[0]}:${args[1]}:${hash}`;
  try {
    parseUsers(line); // the same checks as the api's, so the line is one it will accept
  } catch (err) {
    process.stderr.write(`${(err as Error).message.replace(/^line 1: /, '')}\n`);
    return 2;
  }
  process.stdout.write(`${line}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
