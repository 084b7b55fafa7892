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

/** Discord embed colours per severity (red, amber, blue). */
export const DISCORD_COLORS: Record<AlertSeverity, number> = { crit: 0xd32f2f, warn: 0xf9a825, info: 0x1976d2 };
/** ntfy priorities per severity (5 max, 4 high, 3 default). */
export const NTFY_PRIORITIES: Record<AlertSeverity, number> = { crit: 5, warn: 4, info: 3 };
const NTFY_TAGS: Record<AlertSeverity, string> = { crit: 'rotating_light', warn: 'warning', info: 'information_source' };
const TEAMS_COLORS: Record<AlertSeverity, string> = { crit: 'Attention', warn: 'Warning', info: 'Accent' };

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

function slack(n: AlertNotification) {
  const link = n.dashboardUrl === null ? '' : `\n<${n.dashboardUrl}|Open the dashboard>`;
  return { text: `${slackText(title(n))}\n${slackText(n.summary)}${link}` };
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

function discord(n: AlertNotification) {
  return {
    content: clip(markdownText(`${title(n)}: ${n.summary}`), 2000),
    // No @everyone, @here, role or user pings from names in the text.
    allowed_mentions: { parse: [] },
    embeds: [
      {
        title: clip(title(n), 256),
        description: clip(markdownText(n.summary), 4096),
        color: DISCORD_COLORS[n.severity],
        ...(n.dashboardUrl === null ? {} : { url: n.dashboardUrl }),
        timestamp: n.endsAt ?? n.startsAt,
        fields: facts(n).map(([name, value]) => ({ name, value: clip(markdownText(value), 1024), inline: true })),
      },
    ],
  };
}

function ntfy(n: AlertNotification, topic: string) {
  return {
    topic,
    title: title(n),
    message: n.summary,
    priority: NTFY_PRIORITIES[n.severity],
    tags: [n.status === 'resolved' ? 'white_check_mark' : NTFY_TAGS[n.severity], n.severity],
    ...(n.dashboardUrl === null ? {} : { click: n.dashboardUrl }),
  };
}

/** A Teams Workflows ("Post to a channel when a webhook request is received") body: a message with one Adaptive Card. */
function teams(n: AlertNotification) {
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
          body: [
            {
              type: 'TextBlock',
              text: markdownText(title(n)),
              weight: 'Bolder',
              size: 'Medium',
              color: n.status === 'resolved' ? 'Good' : TEAMS_COLORS[n.severity],
              wrap: true,
            },
            { type: 'TextBlock', text: markdownText(n.summary), wrap: true },
            { type: 'FactSet', facts: facts(n).map(([t, value]) => ({ title: t, value: markdownText(value) })) },
          ],
          actions: n.dashboardUrl === null ? [] : [{ type: 'Action.OpenUrl', title: 'Open the dashboard', url: n.dashboardUrl }],
        },
      },
    ],
  };
}
