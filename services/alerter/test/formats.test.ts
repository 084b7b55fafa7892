import type { AlertNotification } from '@mmon/shared';
import { render } from '../src/formats';
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
