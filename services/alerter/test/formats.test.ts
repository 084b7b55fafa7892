import type { AlertNotification } from '@mmon/shared';
import { BATCH_LINES, DISCORD_COLORS, NTFY_PRIORITIES, render, renderBatch } from '../src/formats';
import type { Notifier, NotifierType } from '../src/rules';

/** A stream name chosen by whoever publishes: it must show as text in every chat format. */
const NAME = '<!channel> @everyone *bold* [x](http://evil.example) `code` ~~s~~ ||spoiler||\n# heading';

const note: AlertNotification = {
  status: 'firing',
  rule: 'off',
  kind: 'stream.offline',
  severity: 'warn',
  subject: { node: 'n', name: NAME },
  value: null,
  threshold: null,
  startsAt: '2026-12-01T10:00:00.000Z',
  summary: `WARN off: stream ${NAME} on node n: offline`,
  dashboardUrl: null,
};

const notifier = (type: NotifierType): Notifier => ({ name: type, type, endpoint: 'http://127.0.0.1/', authorization: null, topic: 'alerts' });

describe('notifier formats with hostile names', () => {
  it('slack: <, > and & escaped, so no link, mention or channel ping', () => {
    const { text } = render(notifier('slack'), note) as { text: string };
    expect(text).toContain('&lt;!channel&gt; @everyone');
    expect(text).not.toMatch(/<!channel>/);
  });

  it('discord: markdown escaped, line breaks flattened, mentions off', () => {
    const body = render(notifier('discord'), note) as { content: string; allowed_mentions: unknown; embeds: { description: string }[] };
    expect(body.allowed_mentions).toEqual({ parse: [] });
    const escaped = '\\<!channel\\> @everyone \\*bold\\* \\[x\\]\\(http://evil.example\\) \\`code\\` \\~\\~s\\~\\~ \\|\\|spoiler\\|\\| # heading';
    expect(body.content).toContain(escaped);
    expect(body.embeds[0].description).toContain(escaped);
    expect(body.content).not.toContain('\n');
  });

  it('discord: long names are cut to its limits', () => {
    const long = { ...note, summary: 'x'.repeat(5000), subject: { node: 'n', name: 'y'.repeat(2000) } };
    const body = render(notifier('discord'), long) as { content: string; embeds: { description: string; fields: { value: string }[] }[] };
    expect(body.content.length).toBe(2000);
    expect(body.embeds[0].description.length).toBe(4096);
    expect(Math.max(...body.embeds[0].fields.map((f) => f.value.length))).toBe(1024);
  });

  it('teams: the card text is escaped markdown too; ntfy and webhook carry the text as it is (plain text, JSON)', () => {
    const card = render(notifier('teams'), note) as { attachments: { content: { body: { text?: string }[] } }[] };
    expect(card.attachments[0].content.body[1].text).toContain('\\[x\\]\\(http://evil.example\\)');
    expect((render(notifier('ntfy'), note) as { message: string }).message).toBe(note.summary);
    expect(render(notifier('webhook'), note)).toBe(note);
  });
});

/**
 * 30 notifications: every third resolved (10), the rest firing; one firing crit (the 8th) among
 * warns and infos, a resolved crit that must not count; the hostile name in the first.
 */
function thirty(): AlertNotification[] {
  return Array.from({ length: 30 }, (_, i): AlertNotification => {
    const resolved = i % 3 === 2;
    const severity = i === 7 || i === 2 ? 'crit' : i % 2 === 0 ? 'warn' : 'info';
    return {
      ...note,
      rule: `rule${i}`,
      severity,
      status: resolved ? 'resolved' : 'firing',
      ...(resolved ? { endsAt: `2026-12-01T11:${String(i).padStart(2, '0')}:00.000Z` } : {}),
      subject: { node: 'n', name: i === 0 ? NAME : `s${i}` },
      summary: i === 0 ? note.summary : `stream s${i} on node n: offline`,
      dashboardUrl: i < 3 ? null : `http://127.0.0.1/streams/s${i}`,
    };
  });
}

const HEADLINE = '30 alerts: 20 firing, 10 resolved';
const MORE = '… and 5 more';

describe('batch formats', () => {
  it('slack: headline, 25 escaped lines in order, the rest counted, the first dashboard link', () => {
    const { text } = renderBatch(notifier('slack'), thirty()) as { text: string };
    const lines = text.split('\n');
    expect(lines[0]).toBe(HEADLINE);
    expect(text).toContain('FIRING warn: rule0: WARN off: stream &lt;!channel&gt; @everyone');
    expect(text).not.toMatch(/<!channel>/);
    // One line per alert: the hostile name's own line break is flattened, so it cannot fake another alert's line.
    expect(lines).toHaveLength(1 + BATCH_LINES + 2);
    const listed = lines.filter((l) => /^(FIRING \w+|RESOLVED): rule\d+: /.test(l));
    expect(listed).toHaveLength(BATCH_LINES);
    expect(listed[0]).toMatch(/\|\|spoiler\|\| # heading on node n: offline$/);
    expect(listed[1]).toBe('FIRING info: rule1: stream s1 on node n: offline');
    expect(listed[2]).toBe('RESOLVED: rule2: stream s2 on node n: offline');
    expect(listed[24]).toMatch(/: rule24: /);
    expect(lines.slice(-2)).toEqual([MORE, '<http://127.0.0.1/streams/s3|Open the dashboard>']);
  });

  it('discord: escaped markdown, mentions off, one embed in the worst firing colour, newest time', () => {
    const body = renderBatch(notifier('discord'), thirty()) as {
      content: string;
      allowed_mentions: unknown;
      embeds: { title: string; description: string; color: number; url?: string; timestamp: string }[];
    };
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toBe(HEADLINE);
    expect(body.embeds).toHaveLength(1);
    const [embed] = body.embeds;
    expect(embed.title).toBe(HEADLINE);
    const lines = embed.description.split('\n');
    expect(lines).toHaveLength(BATCH_LINES + 1);
    expect(lines[0]).toContain('\\<!channel\\> @everyone \\*bold\\* \\[x\\]\\(http://evil.example\\)');
    expect(lines[0]).toMatch(/ # heading on node n: offline$/);
    expect(lines[BATCH_LINES]).toBe(MORE);
    expect(embed.color).toBe(DISCORD_COLORS.crit);
    expect(embed.url).toBe('http://127.0.0.1/streams/s3');
    expect(embed.timestamp).toBe('2026-12-01T11:29:00.000Z');
  });

  it('discord: very long summaries are cut to its limits', () => {
    const long = thirty().map((n) => ({ ...n, summary: 'x'.repeat(3000) }));
    const body = renderBatch(notifier('discord'), long) as { content: string; embeds: { title: string; description: string }[] };
    expect(body.content.length).toBeLessThanOrEqual(2000);
    expect(body.embeds[0].title.length).toBeLessThanOrEqual(256);
    expect(body.embeds[0].description.length).toBe(4096);
    expect(body.embeds[0].description.endsWith('…')).toBe(true);
  });

  it('ntfy: plain text lines, worst firing priority, click; all resolved gets the check mark', () => {
    const body = renderBatch(notifier('ntfy'), thirty()) as Record<string, unknown>;
    expect(body).toMatchObject({
      topic: 'alerts',
      title: HEADLINE,
      priority: NTFY_PRIORITIES.crit,
      tags: ['rotating_light', 'crit'],
      click: 'http://127.0.0.1/streams/s3',
    });
    const message = body.message as string;
    expect(message.startsWith(`FIRING warn: rule0: ${note.summary.replace('\n', ' ')}\n`)).toBe(true);
    expect(message.endsWith(`\n${MORE}`)).toBe(true);

    // Resolved only: the worst overall (a warn, no crit among them) and the check mark.
    const resolved = thirty()
      .filter((n) => n.status === 'resolved' && n.severity !== 'crit')
      .map((n) => ({ ...n, dashboardUrl: null }));
    const done = renderBatch(notifier('ntfy'), resolved) as Record<string, unknown>;
    expect(done).toMatchObject({ title: `${resolved.length} alerts: ${resolved.length} resolved`, priority: NTFY_PRIORITIES.warn, tags: ['white_check_mark', 'warn'] });
    expect(done).not.toHaveProperty('click');
    expect((done.message as string).split('\n')).toHaveLength(resolved.length);
  });

  it('ntfy: without a firing crit the worst firing one counts, not a resolved crit', () => {
    const ns = thirty().filter((n) => !(n.status === 'firing' && n.severity === 'crit'));
    const body = renderBatch(notifier('ntfy'), ns) as { priority: number; tags: string[] };
    expect(body.priority).toBe(NTFY_PRIORITIES.warn);
    expect(body.tags).toEqual(['warning', 'warn']);
  });

  it('teams: bold headline in the worst colour, one escaped block per line, the rest counted, the link', () => {
    const card = renderBatch(notifier('teams'), thirty()) as {
      attachments: { content: { body: { text: string; weight?: string; color?: string; wrap: boolean }[]; actions: unknown[] } }[];
    };
    const { body, actions } = card.attachments[0].content;
    expect(body[0]).toMatchObject({ text: HEADLINE, weight: 'Bolder', color: 'Attention' });
    expect(body).toHaveLength(1 + BATCH_LINES + 1);
    expect(body[1].text).toContain('\\[x\\]\\(http://evil.example\\)');
    expect(body[1].text).not.toContain('\n');
    expect(body[BATCH_LINES + 1].text).toBe(MORE);
    expect(actions).toEqual([{ type: 'Action.OpenUrl', title: 'Open the dashboard', url: 'http://127.0.0.1/streams/s3' }]);

    const resolved = thirty().filter((n) => n.status === 'resolved');
    const done = renderBatch(notifier('teams'), resolved) as typeof card;
    expect(done.attachments[0].content.body[0]).toMatchObject({ text: '10 alerts: 10 resolved', color: 'Good' });
    expect(done.attachments[0].content.body).toHaveLength(11);
  });

  it('teams and discord: a batch keeps the single message\'s envelope', () => {
    const single = render(notifier('teams'), note) as { attachments: { content: Record<string, unknown> }[] };
    const batch = renderBatch(notifier('teams'), [note, note]) as typeof single;
    const { body: _a, ...singleEnvelope } = single.attachments[0].content;
    const { body: _b, ...batchEnvelope } = batch.attachments[0].content;
    expect(batchEnvelope).toEqual(singleEnvelope);
    expect(Object.keys(renderBatch(notifier('discord'), [note, note]) as object)).toEqual(Object.keys(render(notifier('discord'), note) as object));
  });

  it('webhook: never batched', () => {
    expect(() => renderBatch(notifier('webhook'), thirty())).toThrow(/webhook/);
  });
});
