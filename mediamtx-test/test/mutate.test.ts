/** The emulator's mutation mode: seeded wrong answers (issue #13), and right ones again when it is switched off. */
import { LIST_ENDPOINTS, PATHS_LIST } from '@mmon/shared';
import { demoScenario, Emulator, MUTATION_KINDS } from '../src';
import { loadSpec } from './spec';

const spec = loadSpec();
const NOW = Date.parse('2026-05-01T12:00:00Z');
const ENDPOINTS = [
  '/v3/info',
  `${PATHS_LIST}?itemsPerPage=100`,
  `${LIST_ENDPOINTS.srtConn['v1.20']}?itemsPerPage=100`,
  `${LIST_ENDPOINTS.webRTCSession['v1.21']}?itemsPerPage=100`,
  `${LIST_ENDPOINTS.hlsMuxer['v1.20']}?itemsPerPage=100`,
];
const COMPONENT = ['Info', 'PathList', 'SRTConnList', 'WebRTCSessionList', 'HLSMuxerList'];

/** The raw answers (as text, so lone surrogate escapes are compared too) of `rounds` passes over ENDPOINTS. */
async function answers(emu: Emulator, rounds: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < rounds; i++) for (const e of ENDPOINTS) out.push(await (await fetch(emu.url + e)).text());
  return out;
}

describe('mutation mode', () => {
  const running: Emulator[] = [];
  const start = async (seed: number | null) => {
    const emu = await Emulator.start({ scenario: demoScenario(NOW), clock: () => NOW, mutations: seed === null ? undefined : { seed } });
    running.push(emu);
    return emu;
  };
  afterEach(() => Promise.all(running.splice(0).map((e) => e.close())));

  test('the same seed gives the same wrong answers; another seed other ones', async () => {
    const [a, b, c] = await Promise.all([start(7), start(7), start(8)]);
    const [ra, rb, rc] = [await answers(a, 20), await answers(b, 20), await answers(c, 20)];
    expect(ra).toEqual(rb);
    expect(ra).not.toEqual(rc);
  });

  test('applies every kind of mutation, breaks the contract, and answers right again when switched off', async () => {
    const emu = await start(1);
    const texts = await answers(emu, 60);
    const bodies = texts.map((t) => JSON.parse(t) as unknown);
    for (const kind of MUTATION_KINDS) expect({ kind, applied: emu.mutationsApplied[kind] }).toEqual({ kind, applied: expect.any(Number) });
    expect(MUTATION_KINDS.filter((k) => emu.mutationsApplied[k] === 0)).toEqual([]);
    const invalid = bodies.filter((b, i) => spec.validate(COMPONENT[i % ENDPOINTS.length], b).length > 0).length;
    // About half the answers are mutated; some mutations (long strings, duplicates, dangling ids) keep the schema.
    expect(invalid).toBeGreaterThan(bodies.length / 5);
    // Lone surrogates travel as JSON escapes.
    expect(texts.some((t) => /\\u(d8|db|df)/.test(t))).toBe(true);

    emu.setMutations(null);
    const right = (await answers(emu, 3)).map((t) => JSON.parse(t) as unknown);
    right.forEach((b, i) => expect(spec.validate(COMPONENT[i % ENDPOINTS.length], b)).toEqual([]));
    expect(MUTATION_KINDS.every((k) => emu.mutationsApplied[k] === 0)).toBe(true);
  });

  test('off by default: the answers are MediaMTX\'s', async () => {
    const emu = await start(null);
    (await answers(emu, 2)).forEach((t, i) => expect(spec.validate(COMPONENT[i % ENDPOINTS.length], JSON.parse(t))).toEqual([]));
  });
});
