import { bool, ConfigError, int, num, type Env } from '@mmon/shared';
import { DEFAULT_HEALTH_RULES, type HealthRules } from './health';

export { DEFAULT_HEALTH_RULES, type HealthRules } from './health';

/**
 * The health rules from the environment; every variable is optional (defaults in
 * DEFAULT_HEALTH_RULES), a bad value is a ConfigError naming it. Counts are packets or frames in
 * 10 s (0 switches a rule off); factors are multiples of the SRT round-trip time.
 */
export function healthRulesFromEnv(env: Env): HealthRules {
  const d = DEFAULT_HEALTH_RULES;
  const count = (name: string, fallback: number): number => int(env, name, fallback, { min: 0 });
  const factor = (name: string, fallback: number): number => num(env, name, fallback, { min: 0, max: 1000 });
  const rules: HealthRules = {
    srtDropCrit: count('HEALTH_SRT_DROP_CRIT', d.srtDropCrit),
    srtBelatedCrit: count('HEALTH_SRT_BELATED_CRIT', d.srtBelatedCrit),
    srtUndecryptCrit: count('HEALTH_SRT_UNDECRYPT_CRIT', d.srtUndecryptCrit),
    srtLossWarn: count('HEALTH_SRT_LOSS_WARN', d.srtLossWarn),
    srtRetransWarn: count('HEALTH_SRT_RETRANS_WARN', d.srtRetransWarn),
    srtLatencyCritRttFactor: factor('HEALTH_SRT_LATENCY_CRIT_RTT_FACTOR', d.srtLatencyCritRttFactor),
    srtLatencyWarnRttFactor: factor('HEALTH_SRT_LATENCY_WARN_RTT_FACTOR', d.srtLatencyWarnRttFactor),
    rtpLossWarn: count('HEALTH_RTP_LOSS_WARN', d.rtpLossWarn),
    rtpErrorsWarn: count('HEALTH_RTP_ERRORS_WARN', d.rtpErrorsWarn),
    framesInErrorWarn: count('HEALTH_FRAMES_IN_ERROR_WARN', d.framesInErrorWarn),
    offlineCrit: bool(env, 'HEALTH_OFFLINE_CRIT', d.offlineCrit),
  };
  if (
    rules.srtLatencyWarnRttFactor > 0 &&
    rules.srtLatencyCritRttFactor > 0 &&
    rules.srtLatencyWarnRttFactor < rules.srtLatencyCritRttFactor
  ) {
    throw new ConfigError(
      'HEALTH_SRT_LATENCY_WARN_RTT_FACTOR',
      `must not be below HEALTH_SRT_LATENCY_CRIT_RTT_FACTOR (${rules.srtLatencyCritRttFactor}), got ${rules.srtLatencyWarnRttFactor}`,
    );
  }
  return rules;
}
