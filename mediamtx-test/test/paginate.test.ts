import { paginate } from '../src/paginate';

const items = Array.from({ length: 5 }, (_, i) => i);

describe('paginate (like MediaMTX internal/api/paginate.go)', () => {
  it('defaults to 100 items per page, page 0', () => {
    expect(paginate(items, null, null)).toEqual({ ok: true, items, pageCount: 1 });
    expect(paginate(items, '', '')).toEqual({ ok: true, items, pageCount: 1 });
  });

  it('slices pages and rounds the page count up', () => {
    expect(paginate(items, '2', '0')).toEqual({ ok: true, items: [0, 1], pageCount: 3 });
    expect(paginate(items, '2', '2')).toEqual({ ok: true, items: [4], pageCount: 3 });
    expect(paginate(items, '2', '7')).toEqual({ ok: true, items: [], pageCount: 3 });
    expect(paginate(items, '005', null)).toEqual({ ok: true, items, pageCount: 1 });
  });

  it('reports no pages for no items', () => {
    expect(paginate([], '10', '3')).toEqual({ ok: true, items: [], pageCount: 0 });
  });

  it('rejects what Go strconv.ParseUint(s, 10, 31) rejects, and zero items per page', () => {
    expect(paginate(items, '0', null)).toEqual({ ok: false, error: 'invalid items per page' });
    expect(paginate(items, '+1', null)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "+1": invalid syntax' });
    expect(paginate(items, '1.5', null)).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "1.5": invalid syntax' });
    expect(paginate(items, null, '2147483648')).toEqual({ ok: false, error: 'strconv.ParseUint: parsing "2147483648": value out of range' });
    expect(paginate(items, null, '2147483647')).toEqual({ ok: true, items: [], pageCount: 1 });
  });
});
