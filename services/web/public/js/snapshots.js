/** Stream thumbnails from /api/snapshots/latest: an image, or the snapshotter's error as text. */
import { h, setHidden, setText, setTitle, toggleClass } from './dom.js';
import { clock } from './format.js';

/** Only same-origin paths and http(s) URLs become an image source. */
export function safeImageUrl(url) {
  if (typeof url !== 'string' || url === '') return null;
  let parsed;
  try {
    parsed = new URL(url, document.baseURI);
  } catch {
    return null;
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.toString() : null;
}

/** The image URL, versioned by takenAt so that a new snapshot under the same URL is fetched. */
export function snapshotSrc(item) {
  const url = safeImageUrl(item?.url);
  if (!url || !item.takenAt) return url;
  const u = new URL(url);
  u.searchParams.set('t', String(item.takenAt));
  return u.toString();
}

/** `variant` is a CSS class: 'thumb' in the table row, 'snapshot-large' in the detail. */
export function snapshotView(variant) {
  const img = h('img', { attrs: { alt: '', loading: 'lazy', decoding: 'async' }, hidden: true });
  const message = h('span', { className: 'snapshot-msg' });
  const caption = h('span', { className: 'snapshot-caption muted' });
  const el = h('figure', { className: `snapshot ${variant}` }, img, message, caption);
  let src = null;
  img.addEventListener('error', () => {
    img.hidden = true;
    toggleClass(el, 'has-img', false);
    setText(message, 'image failed to load');
    setHidden(message, false);
  });
  return {
    el,
    update(item) {
      const next = snapshotSrc(item);
      if (next !== src) {
        src = next;
        if (next) img.src = next;
        else img.removeAttribute('src');
      }
      setHidden(img, !next);
      const error = item?.error ? String(item.error) : '';
      const text = error || (next ? '' : 'no snapshot');
      setText(message, text);
      setHidden(message, text === '');
      toggleClass(el, 'snapshot-error', Boolean(error));
      toggleClass(el, 'has-img', Boolean(next));
      const failures = item?.failures ? ` (${item.failures} failed captures)` : '';
      setTitle(el, error ? `${error}${failures}` : item?.takenAt ? `taken ${clock(item.takenAt)}` : '');
      setText(caption, item?.takenAt ? clock(item.takenAt) : '');
    },
  };
}

