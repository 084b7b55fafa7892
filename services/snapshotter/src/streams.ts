import type { Stream } from '@mmon/shared';

/** The distinct names of the online streams in the streams array as Redis holds it (sorted). */
export function onlineNames(json: string | null): string[] {
  if (json === null) return [];
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed)) throw new Error('streams latest is not a JSON array');
  const names = new Set<string>();
  for (const s of parsed as Partial<Stream>[]) {
    if (s && s.online === true && typeof s.name === 'string' && s.name !== '') names.add(s.name);
  }
  return [...names].sort();
}
