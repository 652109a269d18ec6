/**
 * Logging in to an app: a token typed by the person, kept in sessionStorage (gone when
 * the tab closes), and the form that asks for it.
 */
import { h, labelled } from './dom';
import { Notice } from './notice';

export interface TokenStore {
  get(): string | undefined;
  set(token: string): void;
  clear(): void;
}

export const tokenStore = (key: string): TokenStore => ({
  get: () => sessionStorage.getItem(key) ?? undefined,
  set: (token) => sessionStorage.setItem(key, token),
  clear: () => sessionStorage.removeItem(key),
});

export interface LoginOptions {
  readonly title: string;
  readonly intro: string;
  readonly label: string;
  readonly hint: string;
  /** why the person is asked again (a refused token, …) */
  readonly error?: string | undefined;
  readonly onLogin: (token: string) => void;
}

export function loginView(options: LoginOptions): HTMLElement {
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
