/**
 * Who is looking (issue #11). `whoIsLooking()` asks /api/me; on 401 it shows a sign-in form over
 * the page and resolves once POST /api/login has succeeded. The session is an HttpOnly cookie the
 * browser keeps: nothing of it is ever stored by the page (no localStorage, nothing script can
 * read). `showUser` puts the user and a logout button in the top bar; `sessionEnded` brings the form
 * back when the api stops taking the session (logout elsewhere, expiry).
 */
import { h } from './dom.js';
import { apiUrl } from './live.js';

let mode = 'none';

async function postJson(path, body) {
  return fetch(apiUrl(path), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: 'no-store',
  });
}

function failureText(res) {
  if (res.status === 401) return 'Wrong user or password.';
  if (res.status === 429) {
    const minutes = Math.max(1, Math.ceil(Number(res.headers.get('retry-after') || 60) / 60));
    return `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
  }
  return `Sign-in failed (HTTP ${res.status}).`;
}

/** The sign-in form over the page; resolves after a successful login. */
function signIn() {
  return new Promise((resolve) => {
    const user = h('input', { attrs: { id: 'login-user', name: 'user', autocomplete: 'username', required: '', spellcheck: 'false', autocapitalize: 'none' } });
    const password = h('input', { attrs: { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: '' } });
    const error = h('p', { className: 'login-error', hidden: true, attrs: { id: 'login-error', role: 'alert' } });
    const button = h('button', { attrs: { type: 'submit' } }, 'Sign in');
    const form = h(
      'form',
      { className: 'login', attrs: { id: 'login-form', 'aria-labelledby': 'login-title' } },
      h('h2', { attrs: { id: 'login-title' } }, 'Sign in to MediaMTX Monitor'),
      h('label', {}, 'User', user),
      h('label', {}, 'Password', password),
      error,
      button,
    );
    const backdrop = h('div', { className: 'login-backdrop' }, form);
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      button.disabled = true;
      let message = null;
      try {
        const res = await postJson('api/login', { user: user.value, password: password.value });
        if (res.ok) {
          backdrop.remove();
          resolve();
          return;
        }
        message = failureText(res);
      } catch {
        message = 'The monitor cannot be reached.';
      } finally {
        button.disabled = false;
      }
      password.value = '';
      error.textContent = message;
      error.hidden = false;
      password.focus();
    });
    document.body.append(backdrop);
    user.focus();
  });
}

/**
 * The principal of /api/me ({ user, role, mode, maskedAddresses }), after signing in when needed;
 * null when the api cannot say (unreachable: the feed then shows that).
 */
export async function whoIsLooking() {
  for (;;) {
    let res;
    try {
      res = await fetch(apiUrl('api/me'), { headers: { accept: 'application/json' }, cache: 'no-store' });
    } catch {
      return null;
    }
    if (res.status === 401) {
      await signIn();
      continue;
    }
    if (!res.ok) return null;
    const me = await res.json();
    mode = me.mode;
    return me;
  }
}

/** The signed-in user and, with password logins, a logout button, at the end of the top bar. */
export function showUser(me, bar) {
  if (!me || me.mode === 'none') return;
  const box = h(
    'div',
    { className: 'user-box', attrs: { id: 'user-box' } },
    h('span', { className: 'pill pill-muted', title: me.maskedAddresses ? 'Viewer and publisher addresses are masked' : '' }, `${me.user} · ${me.role}`),
  );
  if (me.mode === 'password') {
    const logout = h('button', { className: 'logout', attrs: { id: 'logout', type: 'button' } }, 'Log out');
    logout.addEventListener('click', async () => {
      logout.disabled = true;
      await postJson('api/logout').catch(() => null);
      location.reload(); // back to the form, with nothing of the session left in the page
    });
    box.append(logout);
  }
  bar.append(box);
}

/** The api answered 401 to a request of a signed-in page: its session is over, so the form comes back. */
export function sessionEnded() {
  if (mode !== 'none') location.reload();
}
