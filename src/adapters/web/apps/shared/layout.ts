/** The frame every app shares: a header with the app's name, who is logged in, and log out. */
import { fill, h, type Child } from './dom';
import { Notice } from './notice';

export interface Frame {
  /** where the app draws */
  readonly main: HTMLElement;
  /** connection problems, shown above everything */
  readonly banner: Notice;
  /** quiet announcements (a phone registered, …) */
  readonly announce: Notice;
  /** set what the header says about the session */
  session(who: Child, onLogout: (() => void) | undefined): void;
}

export function frame(appName: string): Frame {
  const root = document.getElementById('app') ?? document.body;
  const sessionBox = h('div', { class: 'session' });
  const main = h('main', { id: 'main', tabindex: '-1' });
  const banner = new Notice('alert', 'banner');
  const announce = new Notice('status', 'announce');
  announce.element.classList.add('visually-hidden');
  // focus moves by script: the Devices admin routes by the URL's hash
  const skip = (event: Event): void => {
    event.preventDefault();
    main.focus();
  };
  fill(
    root,
    h('a', { class: 'skip', href: '#main', onclick: skip }, 'Skip to the content'),
    h('header', { class: 'topbar' }, h('p', { class: 'brand' }, h('a', { href: '/apps/' }, 'zerotouch'), ' · ', h('span', {}, appName)), sessionBox),
    banner.element,
    main,
    announce.element,
  );
  return {
    main,
    banner,
    announce,
    session(who, onLogout) {
      fill(sessionBox, who, onLogout ? h('button', { type: 'button', class: 'quiet', onclick: onLogout }, 'Log out') : null);
    },
  };
}
