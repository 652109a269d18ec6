/**
 * Logging in to an app: a token typed by the person, kept in sessionStorage (gone when
 * the tab closes), and the form that asks for it.
 */
import { fill, h, labelled } from './dom';
import type { Frame } from './layout';
import { Notice } from './notice';

interface TokenStore {
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

const tokenStore = (key: string): TokenStore => ({
  get: () => sessionStorage.getItem(key) ?? undefined,
  set: (token) => sessionStorage.setItem(key, token),
  clear: () => sessionStorage.removeItem(key),
});

/** what the login form says */
export interface Prompt {
  readonly title: string;
  readonly intro: string;
  readonly label: string;
  readonly hint: string;
}

/** the prompt of an app that logs in with the server's admin token */
export const adminPrompt = (app: string): Prompt => ({
  title: `Log in to ${app}`,
  intro: `${app.charAt(0).toUpperCase()}${app.slice(1)} uses the admin token of this zerotouch server (ZT_ADMIN_TOKEN, printed when it starts). It stays in this browser tab only.`,
  label: 'Admin token',
  hint: 'The token from the start-up banner or the data directory.',
});

export interface LoginOptions extends Prompt {
  /** why the person is asked again (a refused token, …) */
  readonly error?: string | undefined;
  readonly onLogin: (token: string) => void;
}

function loginView(options: LoginOptions): HTMLElement {
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', 'aria-required': 'true' });
  const error = new Notice('alert', 'login-error');
  if (options.error) error.show(options.error);
  const form = h(
    'form',
    {
      class: 'card',
      'aria-labelledby': 'login-title',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const token = input.value.trim();
        if (token === '') {
          error.show('Enter the token first.');
          input.focus();
          return;
        }
        options.onLogin(token);
      },
    },
    h('h2', { id: 'login-title' }, options.title),
    h('p', {}, options.intro),
    labelled(options.label, input, options.hint),
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'primary' }, 'Log in')),
  );
  window.setTimeout(() => input.focus(), 0);
  return h('div', { class: 'narrow' }, form);
}

export interface AppLogin {
  /** open the app with the token kept in this tab, or ask for one */
  start(): void;
  /** forget the token and ask for one, saying why (a refused token) or not (log out) */
  ask(error?: string): void;
}

/**
 * The login of an app in its frame: `open` runs with a token once one is typed (or kept
 * from before in this tab); `leave` ends what `open` began before the form shows again.
 */
export function appLogin(frame: Frame, key: string, prompt: Prompt, open: (token: string) => void, leave: () => void): AppLogin {
  const tokens = tokenStore(key);
  const ask = (error?: string): void => {
    leave();
    tokens.clear();
    frame.session(null, undefined);
    frame.banner.clear();
    fill(
      frame.main,
      loginView({
        ...prompt,
        error,
        onLogin: (token) => {
          tokens.set(token);
          open(token);
        },
      }),
    );
  };
  return {
    start() {
      const saved = tokens.get();
      if (saved) open(saved);
      else ask();
    },
    ask,
  };
}
