import { int, logLevel, optionalStr, redisTarget, url, type Env, type LogLevel, type RedisTarget } from '@mmon/shared';
import { readRules, type RuleSet } from './rules';

export interface AlerterConfig {
  redis: RedisTarget;
  logLevel: LogLevel;
  /** The rules and notifiers (ALERT_RULES_FILE, or the built-in defaults). */
  ruleSet: RuleSet;
  /** Evaluation on a timer, beside the evaluation after every summary update. */
  intervalMs: number;
  /** The dashboard's address for the notifications; null when not set. */
  dashboardUrl: string | null;
  /** State changes kept in the history. */
  historyMax: number;
  /** How long a firing alert whose subject vanished from the data stays firing. */
  goneRetentionMs: number;
  /** First retry delay of a failed delivery; doubles per attempt up to retryMaxMs. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A notification still failing this long after it was issued is given up. */
  giveUpMs: number;
  /** Notifications to one chat notifier that are due together go as one message of up to this many (1: each alone). */
  batchSize: number;
}

export function readConfig(env: Env): AlerterConfig {
  const dashboard = optionalStr(env, 'ALERT_DASHBOARD_URL');
  return {
    redis: redisTarget(env),
    logLevel: logLevel(env),
    intervalMs: int(env, 'ALERT_INTERVAL_MS', 1000, { min: 100, max: 600_000 }),
    dashboardUrl: dashboard === undefined ? null : url(env, 'ALERT_DASHBOARD_URL', '', ['http', 'https']).toString(),
    historyMax: int(env, 'ALERT_HISTORY_MAX', 1000, { min: 1, max: 100_000 }),
    goneRetentionMs: int(env, 'ALERT_GONE_RETENTION_MS', 86_400_000, { min: 0 }),
    retryBaseMs: int(env, 'ALERT_RETRY_BASE_MS', 1000, { min: 10, max: 600_000 }),
    retryMaxMs: int(env, 'ALERT_RETRY_MAX_MS', 300_000, { min: 10, max: 3_600_000 }),
    giveUpMs: int(env, 'ALERT_GIVE_UP_MS', 3_600_000, { min: 1000, max: 7 * 86_400_000 }),
    batchSize: int(env, 'ALERT_BATCH_SIZE', 50, { min: 1, max: 500 }),
    // Last: a bad environment variable is reported before the rules file is read.
    ruleSet: readRules(env),
  };
}
