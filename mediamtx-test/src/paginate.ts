/** Paging exactly like MediaMTX (internal/api/paginate.go), including its error texts. */

export type Page<T> = { ok: true; items: T[]; pageCount: number } | { ok: false; error: string };

const MAX_UINT31 = 2 ** 31 - 1;

/** Go's strconv.ParseUint(s, 10, 31), with its error messages. */
function parseUint31(s: string): number | string {
  if (!/^[0-9]+$/.test(s)) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  if (n > MAX_UINT31) return `strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`;
  return n;
}

/** `itemsPerPage` and `page` are the raw query values ("" or null when absent). */
export function paginate<T>(items: readonly T[], itemsPerPage: string | null, page: string | null): Page<T> {
  let perPage = 100;
  if (itemsPerPage) {
    const n = parseUint31(itemsPerPage);
    if (typeof n === 'string') return { ok: false, error: n };
    if (n === 0) return { ok: false, error: 'invalid items per page' };
    perPage = n;
  }
  let pageNo = 0;
  if (page) {
    const n = parseUint31(page);
    if (typeof n === 'string') return { ok: false, error: n };
    pageNo = n;
  }
  if (items.length === 0) return { ok: true, items: [], pageCount: 0 };
  const start = Math.min(pageNo * perPage, items.length);
  const end = Math.min((pageNo + 1) * perPage, items.length);
  return { ok: true, items: items.slice(start, end), pageCount: Math.ceil(items.length / perPage) };
}
