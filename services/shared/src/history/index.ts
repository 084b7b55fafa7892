export { DEFAULT_HISTORY_TIERS, formatDuration, historyTiers, parseHistoryTiers, type HistoryTier } from './tiers';
export { HostHistoryWriter, STREAM_HISTORY_METRICS, StreamHistoryWriter, type HistorySource, type HistoryWriteResult, type HostHistorySample } from './writer';
export {
  DEFAULT_MAX_POINTS,
  readHostHistory,
  readStreamHistory,
  type HistoryAnswer,
  type HistoryRange,
  type HostHistoryMetrics,
  type HostHistoryPoint,
  type StreamHistoryMetrics,
  type StreamHistoryPoint,
} from './reader';
