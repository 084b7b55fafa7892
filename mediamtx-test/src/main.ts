/** Entry point: serves the emulated MediaMTX API for the demo (`make run`) or a benchmark. */
import { createLogger, int, logLevel, num, oneOf, optionalStr, runMain, str, ConfigError } from '@mmon/shared';
import { Emulator } from './emulator';
import { benchScenario, demoScenario } from './scenarios';

runMain(async () => {
  const env = process.env;
  const logger = createLogger('mediamtx-emulator', logLevel(env));
  const scenarioName = oneOf(env, 'EMULATOR_SCENARIO', 'demo', ['demo', 'bench'] as const);
  const user = optionalStr(env, 'EMULATOR_USER');
  const pass = optionalStr(env, 'EMULATOR_PASS');
  if ((user === undefined) !== (pass === undefined)) {
    throw new ConfigError(user === undefined ? 'EMULATOR_USER' : 'EMULATOR_PASS', 'must be set together with the other');
  }
  const opts = {
    port: int(env, 'EMULATOR_PORT', 9997, { min: 0, max: 65535 }),
    host: str(env, 'EMULATOR_HOST', '127.0.0.1'),
    layout: oneOf(env, 'EMULATOR_LAYOUT', 'both', ['v1.20', 'v1.21', 'both'] as const),
    fields: oneOf(env, 'EMULATOR_FIELDS', 'current', ['current', 'legacy'] as const),
    version: str(env, 'EMULATOR_VERSION', 'v1.20.1'),
    auth: user !== undefined && pass !== undefined ? { user, pass } : undefined,
  };
  const mutationSeed = optionalStr(env, 'EMULATOR_MUTATION_SEED') === undefined ? undefined : int(env, 'EMULATOR_MUTATION_SEED', 0);
  const mutations = mutationSeed === undefined ? undefined : { seed: mutationSeed, rate: num(env, 'EMULATOR_MUTATION_RATE', 0.5, { min: 0, max: 1 }) };
  const benchPaths = int(env, 'EMULATOR_BENCH_PATHS', 10_000, { min: 0 });
  const benchReaders = int(env, 'EMULATOR_BENCH_READERS', 2, { min: 0 });
  const scenario = scenarioName === 'bench' ? benchScenario(benchPaths, benchReaders) : demoScenario();
  const emulator = await Emulator.start({ ...opts, scenario, mutations });
  logger.info('emulator listening', {
    url: emulator.url,
    scenario: scenarioName,
    paths: scenario.paths.length,
    layout: opts.layout,
    fields: opts.fields,
    version: opts.version,
    auth: opts.auth !== undefined,
    mutations: mutations ?? null,
  });
  return {
    stop: async () => {
      await emulator.close();
      logger.info('emulator stopped');
    },
  };
});
