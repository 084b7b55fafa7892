/** History in tiers (issue #12): configuration, the writers (collector, sysmon) and the readers (api). */
export { DEFAULT_HISTORY_TIERS, formatDuration, historyTiers, historyTiersOrOff, parseHistoryTiers, type HistoryTier } from './history/tiers';
export { HostHistoryWriter, STREAM_HISTORY_METRICS, StreamHistoryWriter, type HistorySource, type HistoryWriteResult, type HostHistorySample } from './history/writer';
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
} from './history/reader';
