import { readFileSync } from 'node:fs';
import Ajv, { type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { ConfigError, errorMessage, type AlertSeverity, type Env, type StoredRule, type StoredRules } from '@mmon/shared';

/** The rule kinds of issue #10. */
export const STREAM_KINDS = [
  'stream.offline',
  'stream.readers.above',
  'stream.readers.below',
  'stream.recvRate.below',
  'stream.srt.rtt.above',
  'stream.srt.loss.above',
  'stream.srt.drop.above',
  'stream.health.crit',
] as const;
export const NODE_KINDS = ['node.stale'] as const;
export const HOST_KINDS = ['host.cpu.above', 'host.ram.above', 'host.disk.above', 'host.temperature.above'] as const;
export const KINDS = [...STREAM_KINDS, ...NODE_KINDS, ...HOST_KINDS] as const;
export type Kind = (typeof KINDS)[number];

/** The kinds without a threshold: a yes/no condition. */
const NO_THRESHOLD: readonly Kind[] = ['stream.offline', 'stream.health.crit', 'node.stale'];

export const SEVERITIES: readonly AlertSeverity[] = ['info', 'warn', 'crit'];
export const NOTIFIER_TYPES = ['webhook', 'slack', 'discord', 'ntfy', 'teams'] as const;
export type NotifierType = (typeof NOTIFIER_TYPES)[number];

/** A loaded rule: what the api shows of it (StoredRule) and its match globs compiled. */
export interface Rule extends StoredRule {
  kind: Kind;
  matchNode: RegExp;
  matchName: RegExp;
}

/** A notifier as delivery needs it. The URL (with its secrets) stays in memory: never logged, stored or served. */
export interface Notifier {
  name: string;
  type: NotifierType;
  /** Where to POST (credentials taken out; for ntfy the server's root, the topic goes in the body). */
  endpoint: string;
  /** From user:password in the URL (fetch refuses URLs with credentials). */
  authorization: string | null;
  /** ntfy: the URL path's last segment. */
  topic: string | null;
}

export interface RuleSet {
  /** The rules file; null for the built-in defaults. */
  source: string | null;
  rules: Rule[];
  notifiers: Notifier[];
}

const NAME = '^[A-Za-z0-9._-]+$';
const DURATION = { type: ['string', 'integer'] };

/** The rules file's structure; the checks that span fields follow in loadRules. */
const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    rules: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'kind'],
        properties: {
          name: { type: 'string', pattern: NAME },
          kind: { enum: KINDS },
          match: {
            type: 'object',
            additionalProperties: false,
            properties: { node: { type: 'string', minLength: 1 }, name: { type: 'string', minLength: 1 } },
          },
          threshold: { type: 'number' },
          for: DURATION,
          keepFiringFor: DURATION,
          repeatEvery: DURATION,
          severity: { enum: SEVERITIES },
          notify: { type: 'array', items: { type: 'string', pattern: NAME } },
        },
      },
    },
    notifiers: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'type', 'url'],
        properties: {
          name: { type: 'string', pattern: NAME },
          type: { enum: NOTIFIER_TYPES },
          url: { type: 'string', minLength: 1 },
        },
      },
    },
  },
};

interface RawRule {
  name: string;
  kind: Kind;
  match?: { node?: string; name?: string };
  threshold?: number;
  for?: string | number;
  keepFiringFor?: string | number;
  repeatEvery?: string | number;
  severity?: AlertSeverity;
  notify?: string[];
}

interface RawNotifier {
  name: string;
  type: NotifierType;
  url: string;
}

const validate = new Ajv({ allErrors: false, strict: true, allowUnionTypes: true }).compile<{ rules: RawRule[]; notifiers?: RawNotifier[] }>(SCHEMA);

/** The rules that apply without ALERT_RULES_FILE: a stream offline for 30 s, a node stale for 30 s. */
export function defaultRules(): RuleSet {
  const rule = (name: string, kind: Kind): Rule =>
    compileRule({ name, kind, for: '30s', severity: 'crit' }, () => {
      throw new Error('the built-in rules are valid');
    });
  return { source: null, rules: [rule('stream-offline', 'stream.offline'), rule('node-stale', 'node.stale')], notifiers: [] };
}

/**
 * Reads ALERT_RULES_FILE, or answers the defaults without it. Anything wrong throws one
 * ConfigError naming the file, the rule (or notifier) and the field; nothing is half-loaded.
 */
export function readRules(env: Env): RuleSet {
  const file = env.ALERT_RULES_FILE?.trim();
  if (!file) return defaultRules();
  const fail = (message: string): never => {
    throw new ConfigError('ALERT_RULES_FILE', `${file}: ${message}`);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? errorMessage(err)})`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, { prettyErrors: false });
  } catch (err) {
    fail(`not valid YAML: ${errorMessage(err).split('\n')[0]}`);
  }
  return compileRuleSet(doc, file, env, fail);
}

/** Checks a parsed rules document and builds the rule set (see readRules). */
export function compileRuleSet(doc: unknown, file: string, env: Env, fail: (message: string) => never): RuleSet {
  if (!validate(doc)) {
    const error = (validate.errors ?? [])[0];
    return fail(error ? describeSchemaError(doc, error) : 'does not match the rules schema');
  }
  const notifiers: Notifier[] = [];
  for (const raw of doc.notifiers ?? []) {
    const where = `notifier "${raw.name}"`;
    if (notifiers.some((n) => n.name === raw.name)) fail(`${where}: name: used twice`);
    notifiers.push(compileNotifier(raw.name, raw.type, substitute(raw.url, env, (m) => fail(`${where}: url: ${m}`)), (m) => fail(`${where}: url: ${m}`)));
  }
  const rules: Rule[] = [];
  for (const raw of doc.rules) {
    const where = `rule "${raw.name}"`;
    if (rules.some((r) => r.name === raw.name)) fail(`${where}: name: used twice`);
    const match = raw.match && {
      node: raw.match.node === undefined ? undefined : substitute(raw.match.node, env, (m) => fail(`${where}: match.node: ${m}`)),
      name: raw.match.name === undefined ? undefined : substitute(raw.match.name, env, (m) => fail(`${where}: match.name: ${m}`)),
    };
    const rule = compileRule({ ...raw, match }, (field, message) => fail(`${where}: ${field}: ${message}`));
    for (const name of rule.notify) {
      if (!notifiers.some((n) => n.name === name)) fail(`${where}: notify: no notifier named "${name}"`);
    }
    rules.push(rule);
  }
  return { source: file, rules, notifiers };
}

function compileRule(raw: RawRule, fail: (field: string, message: string) => never): Rule {
  const kind = raw.kind;
  const isStream = (STREAM_KINDS as readonly string[]).includes(kind);
  const isHost = (HOST_KINDS as readonly string[]).includes(kind);
  if (raw.match?.name !== undefined && !isStream) fail('match.name', `${kind} is not about a stream`);
  if (raw.match?.node !== undefined && isHost) fail('match.node', `${kind} is about the host, not a node`);
  const wantsThreshold = !NO_THRESHOLD.includes(kind);
  if (wantsThreshold && raw.threshold === undefined) fail('threshold', `${kind} needs a threshold`);
  // The contract's own example writes `threshold: 0` on stream.offline: 0 reads as "none"; any other
  // value there is a misread field (e.g. seconds meant as `for`), so it stops the load.
  if (!wantsThreshold && raw.threshold !== undefined && raw.threshold !== 0) fail('threshold', `${kind} takes no threshold (leave it out or 0)`);
  const notify = raw.notify ?? [];
  if (new Set(notify).size !== notify.length) fail('notify', 'names a notifier twice');
  const repeatEveryMs = raw.repeatEvery === undefined ? null : duration(raw.repeatEvery, (m) => fail('repeatEvery', m));
  if (repeatEveryMs === 0) fail('repeatEvery', 'must be longer than 0 (leave it out to notify once)');
  const match = { node: raw.match?.node ?? '*', name: raw.match?.name ?? '*' };
  return {
    name: raw.name,
    kind,
    match,
    matchNode: glob(match.node),
    matchName: glob(match.name),
    threshold: wantsThreshold ? (raw.threshold ?? null) : null,
    forMs: raw.for === undefined ? 0 : duration(raw.for, (m) => fail('for', m)),
    keepFiringForMs: raw.keepFiringFor === undefined ? 0 : duration(raw.keepFiringFor, (m) => fail('keepFiringFor', m)),
    repeatEveryMs,
    severity: raw.severity ?? 'warn',
    notify,
  };
}

function compileNotifier(name: string, type: NotifierType, value: string, fail: (message: string) => never): Notifier {
  // The URL is a secret: no message quotes it.
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return fail('is not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('must be an http or https URL');
  const authorization =
    url.username === '' && url.password === ''
      ? null
      : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  let topic: string | null = null;
  if (type === 'ntfy') {
    // ntfy's JSON publishing posts to the server's root and names the topic in the body.
    const segments = url.pathname.split('/');
    while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
    topic = decodeURIComponent(segments.pop() ?? '');
    if (topic === '') fail('ntfy needs the topic as the path, e.g. https://ntfy.sh/my-alerts');
    url.pathname = `${segments.join('/')}/`;
  }
  return { name, type, endpoint: url.toString(), authorization, topic };
}

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_DURATION_MS = 365 * 86_400_000;

/** "10s", "1h30m", "500ms", "1.5h" (units ms, s, m, h, d); 0 alone is allowed without a unit. */
export function duration(value: string | number, fail: (message: string) => never): number {
  if (value === 0 || value === '0') return 0;
  const text = String(value).trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h|d))+$/.test(text)) {
    return fail(`must be a duration such as 10s, 5m or 1h30m, got "${text.slice(0, 40)}"`);
  }
  let ms = 0;
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(ms|s|m|h|d)/g)) ms += Number(n) * UNITS[unit];
  ms = Math.round(ms);
  if (ms > MAX_DURATION_MS) fail('must be at most 365d');
  return ms;
}

/** ${VAR} from the environment; an unset or empty variable is an error (its value is never quoted). */
function substitute(value: string, env: Env, fail: (message: string) => never): string {
  return value.replace(/\$\{([^}]*)\}/g, (_m, name: string) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) fail(`"\${${name.slice(0, 40)}}" is not a variable name`);
    const v = env[name];
    if (v === undefined || v === '') fail(`the environment variable ${name} is not set`);
    return v as string;
  });
}

/** A glob ("*" any characters, "?" one) as an anchored RegExp. */
export function glob(pattern: string): RegExp {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${source}$`, 'u');
}

/** One line for the first schema error: which rule or notifier, which field, what is wrong. */
function describeSchemaError(doc: unknown, error: ErrorObject): string {
  const path = error.instancePath.split('/').slice(1);
  let field = [...path];
  if (error.keyword === 'required') field.push(String(error.params.missingProperty));
  if (error.keyword === 'additionalProperties') field.push(String(error.params.additionalProperty));
  let where = '';
  if ((field[0] === 'rules' || field[0] === 'notifiers') && field.length >= 2 && /^\d+$/.test(field[1])) {
    const list = field[0];
    const index = Number(field[1]);
    const item = ((doc as Record<string, unknown[]>)[list] ?? [])[index] as { name?: unknown } | null;
    const label = list === 'rules' ? 'rule' : 'notifier';
    where =
      item && typeof item.name === 'string' && new RegExp(NAME).test(item.name)
        ? `${label} "${item.name}" (${list}[${index}]): `
        : `${label} ${index + 1} of ${list}: `;
    field = field.slice(2);
  }
  const name = field.join('.') || 'the file';
  let message: string;
  switch (error.keyword) {
    case 'required':
      message = 'is missing';
      break;
    case 'additionalProperties':
      message = 'is not a known field';
      break;
    case 'enum':
      message = `must be one of ${(error.params.allowedValues as string[]).join(', ')}`;
      break;
    case 'type':
      message = `must be ${String(error.params.type).replace(',', ' or ')}`;
      break;
    case 'pattern':
      message = "must be letters, digits, '.', '_' or '-'";
      break;
    case 'minLength':
      message = 'must not be empty';
      break;
    default:
      message = error.message ?? 'is not valid';
  }
  return `${where}${name}: ${message}`;
}

/** The rule set as the api shows it: durations in ms, notifiers without URLs. */
export function storedRules(set: RuleSet, loadedAt: string): StoredRules {
  return {
    loadedAt,
    source: set.source,
    rules: set.rules.map((r) => ({
      name: r.name,
      kind: r.kind,
      match: r.match,
      threshold: r.threshold,
      forMs: r.forMs,
      keepFiringForMs: r.keepFiringForMs,
      repeatEveryMs: r.repeatEveryMs,
      severity: r.severity,
      notify: r.notify,
    })),
    notifiers: set.notifiers.map((n) => ({ name: n.name, type: n.type })),
  };
}
