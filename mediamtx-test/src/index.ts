/** The MediaMTX Control API emulator. Importing this module starts nothing. */
export { Emulator, type EmulatorOptions, type Fault, type RequestCounts } from './emulator';
export { MUTATION_KINDS, Mutator, type MutationKind, type MutationOptions } from './mutate';
export type {
  CounterSpec,
  Counters,
  HlsMuxerSpec,
  Scenario,
  ScenarioConn,
  ScenarioPath,
  ScenarioTrack,
  Source,
  StaticSource,
} from './scenario';
export { demoScenario, benchScenario } from './scenarios';
export { connId, ago, trafficCounters, h264, h265, aac, opus } from './profiles';
export { paginate, type Page } from './paginate';
export { convertSchema, componentsToJsonSchema, componentRef, type JsonSchema, type ConvertOptions } from './openapi';
