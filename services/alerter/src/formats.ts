import type { AlertNotification, AlertSeverity } from '@mmon/shared';
import { subjectText } from './conditions';
import type { Notifier } from './rules';

/**
 * The request bodies of the notifier types (issue #10). Stream and node names come from whoever
 * publishes to MediaMTX: in the chat formats they are escaped so that they show as text, never as
 * markup, links or mentions. Pure.
 */
export function render(notifier: Notifier, n: AlertNotification): unknown {
  switch (notifier.type) {
    case 'webhook':
      return n;
    case 'slack':
      return slack(n);
    case 'discord':
      return discord(n);
    case 'ntfy':
      return ntfy(n, notifier.topic ?? '');
    case 'teams':
      return teams(n);
  }
}

/** At most this many alerts are listed in one batch message; the rest are only counted ("… and 17 more"). */
export const BATCH_LINES = 25;

/**
 * One message to a chat notifier for several notifications (ns.length >= 2) that are due together,
 * in the shapes of render's (so receivers take them alike): a headline that counts them, one line
 * per notification (the first BATCH_LINES, in order), the dashboard link and the colour or priority
 * of the worst severity. Webhooks stay one POST per alert: batching one is the caller's error. Pure.
 */
export function renderBatch(notifier: Notifier, ns: readonly AlertNotification[]): unknown {
  if (ns.length === 0) throw new Error('renderBatch: no notifications');
  const b = batch(ns);
  switch (notifier.type) {
    case 'webhook':
      throw new Error('renderBatch: webhook notifiers get one POST per notification, never a batch');
    case 'slack':
      return { text: [b.headline, ...b.lines, ...b.more].map(slackText).join('\n') + slackLink(b.dashboardUrl) };
    case 'discord':
      return discordMessage(b.headline, {
        title: clip(b.headline, 256),
        description: clip([...b.lines, ...b.more].map(markdownText).join('\n'), 4096),
        color: DISCORD_COLORS[b.severity],
        ...urlField(b.dashboardUrl),
        timestamp: b.timestamp,
      });
    case 'ntfy':
      return ntfyMessage(notifier.topic ?? '', b.headline, [...b.lines, ...b.more].join('\n'), b.severity, b.resolved, b.dashboardUrl);
    case 'teams':
      return teamsMessage(
        teamsHeadline(b.headline, b.resolved, b.severity),
        [...b.lines, ...b.more].map((line) => ({ type: 'TextBlock', text: markdownText(line), wrap: true })),
        b.dashboardUrl,
      );
  }
}

/** Discord embed colours per severity (red, amber, blue). */
export const DISCORD_COLORS: Record<AlertSeverity, number> = { crit: 0xd32f2f, warn: 0xf9a825, info: 0x1976d2 };
/** ntfy priorities per severity (5 max, 4 high, 3 default). */
export const NTFY_PRIORITIES: Record<AlertSeverity, number> = { crit: 5, warn: 4, info: 3 };
const NTFY_TAGS: Record<AlertSeverity, string> = { crit: 'rotating_light', warn: 'warning', info: 'information_source' };
const TEAMS_COLORS: Record<AlertSeverity, string> = { crit: 'Attention', warn: 'Warning', info: 'Accent' };
/** Worst first. */
const SEVERITIES: readonly AlertSeverity[] = ['crit', 'warn', 'info'];

/** "FIRING crit: rule" or "RESOLVED: rule". */
export function title(n: AlertNotification): string {
  return n.status === 'firing' ? `FIRING ${n.severity}: ${n.rule}` : `RESOLVED: ${n.rule}`;
}

/** Slack's three control characters (its mrkdwn has no other escapes; links and mentions need < >). */
function slackText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Markdown (Discord, Teams): emphasis, code, spoiler, link and HTML characters are escaped with a
 * backslash and line breaks flattened (so no heading or list can start); mentions are off separately.
 */
export function markdownText(s: string): string {
  return s.replace(/[\\`*_~|<>[\]()]/g, '\\$&').replace(/[\r\n]+/g, ' ');
}

/** What a batch message says, before any format's escaping. */
interface Batch {
  /** "12 alerts: 10 firing, 2 resolved" (a zero part left out). */
  headline: string;
  /** "FIRING crit: rule: summary", the first BATCH_LINES notifications in order, line breaks flattened. */
  lines: string[];
  /** ["… and N more"] when lines were cut, else []. */
  more: string[];
  /** The worst among the firing ones; with none firing, the worst overall. */
  severity: AlertSeverity;
  /** All resolved. */
  resolved: boolean;
  /** The first one that is set. */
  dashboardUrl: string | null;
  /** The newest of the notifications' times (ended, else started). */
  timestamp: string;
}

function batch(ns: readonly AlertNotification[]): Batch {
  const firing = ns.filter((n) => n.status === 'firing');
  const counts = [`${firing.length} firing`, `${ns.length - firing.length} resolved`].filter((c) => !c.startsWith('0 '));
  const times = ns.map((n) => n.endsAt ?? n.startsAt);
  return {
    headline: `${ns.length} alert${ns.length === 1 ? '' : 's'}: ${counts.join(', ')}`,
    // One line each: a line break in a name must not start what looks like another alert.
    lines: ns.slice(0, BATCH_LINES).map((n) => `${title(n)}: ${n.summary}`.replace(/[\r\n]+/g, ' ')),
    more: ns.length > BATCH_LINES ? [`… and ${ns.length - BATCH_LINES} more`] : [],
    severity: worst(firing.length > 0 ? firing : ns),
    resolved: firing.length === 0,
    dashboardUrl: ns.find((n) => n.dashboardUrl !== null)?.dashboardUrl ?? null,
    timestamp: times.reduce((a, b) => (Date.parse(b) > Date.parse(a) ? b : a)),
  };
}

function worst(ns: readonly AlertNotification[]): AlertSeverity {
  return ns.map((n) => n.severity).reduce((a, b) => (SEVERITIES.indexOf(b) < SEVERITIES.indexOf(a) ? b : a));
}

/** The optional `url` of a Discord embed (the same key serves for the single and the batch message). */
function urlField(url: string | null): { url?: string } {
  return url === null ? {} : { url };
}

function slackLink(url: string | null): string {
  return url === null ? '' : `\n<${url}|Open the dashboard>`;
}

function slack(n: AlertNotification) {
  return { text: `${slackText(title(n))}\n${slackText(n.summary)}${slackLink(n.dashboardUrl)}` };
}

function facts(n: AlertNotification): [string, string][] {
  const out: [string, string][] = [
    ['Subject', subjectText(n.subject)],
    ['Severity', n.severity],
    ['Kind', n.kind],
  ];
  if (n.value !== null) out.push(['Value', String(n.value)]);
  if (n.threshold !== null) out.push(['Threshold', String(n.threshold)]);
  out.push(['Since', n.startsAt]);
  if (n.endsAt !== undefined) out.push(['Ended', n.endsAt]);
  return out;
}

/** Cuts text to Discord's limits (content 2,000, title 256, description 4,096, field value 1,024 characters). */
function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** A Discord message of one embed; `content` is escaped and cut here, the embed comes ready. */
function discordMessage(content: string, embed: object) {
  return {
    content: clip(markdownText(content), 2000),
    // No @everyone, @here, role or user pings from names in the text.
    allowed_mentions: { parse: [] },
    embeds: [embed],
  };
}

function discord(n: AlertNotification) {
  return discordMessage(`${title(n)}: ${n.summary}`, {
    title: clip(title(n), 256),
    description: clip(markdownText(n.summary), 4096),
    color: DISCORD_COLORS[n.severity],
    ...urlField(n.dashboardUrl),
    timestamp: n.endsAt ?? n.startsAt,
    fields: facts(n).map(([name, value]) => ({ name, value: clip(markdownText(value), 1024), inline: true })),
  });
}

/** An ntfy JSON publish body (plain text: ntfy renders no markup unless asked to). */
function ntfyMessage(topic: string, heading: string, message: string, severity: AlertSeverity, resolved: boolean, click: string | null) {
  return {
    topic,
    title: heading,
    message,
    priority: NTFY_PRIORITIES[severity],
    tags: [resolved ? 'white_check_mark' : NTFY_TAGS[severity], severity],
    ...(click === null ? {} : { click }),
  };
}

function ntfy(n: AlertNotification, topic: string) {
  return ntfyMessage(topic, title(n), n.summary, n.severity, n.status === 'resolved', n.dashboardUrl);
}

/** The bold first line of a Teams card: green when resolved, else the severity's colour. */
function teamsHeadline(text: string, resolved: boolean, severity: AlertSeverity) {
  return {
    type: 'TextBlock',
    text: markdownText(text),
    weight: 'Bolder',
    size: 'Medium',
    color: resolved ? 'Good' : TEAMS_COLORS[severity],
    wrap: true,
  };
}

/** A Teams Workflows ("Post to a channel when a webhook request is received") body: a message with one Adaptive Card. */
function teamsMessage(headline: object, rest: object[], dashboardUrl: string | null) {
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body: [headline, ...rest],
          actions: dashboardUrl === null ? [] : [{ type: 'Action.OpenUrl', title: 'Open the dashboard', url: dashboardUrl }],
        },
      },
    ],
  };
}

function teams(n: AlertNotification) {
  return teamsMessage(
    teamsHeadline(title(n), n.status === 'resolved', n.severity),
    [
      { type: 'TextBlock', text: markdownText(n.summary), wrap: true },
      { type: 'FactSet', facts: facts(n).map(([t, value]) => ({ title: t, value: markdownText(value) })) },
    ],
    n.dashboardUrl,
  );
}
