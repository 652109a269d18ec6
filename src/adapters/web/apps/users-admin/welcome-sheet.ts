/**
 * Welcome sheets: one printed page per user of a rollout, with their name, their code
 * large and as a QR code, and the three steps. Only entries still waiting for a phone get
 * one (a registered user has their phone; an expired code needs a new one first).
 */
import { h } from '../shared/dom';
import { formatTime, groupCode } from '../shared/format';
import { qrImage } from '../shared/qr';
import { codeSteps } from '../shared/steps';
import type { Rollout, RolloutEntry } from './codes';

const sheet = (entry: RolloutEntry & { readonly code: string }): HTMLElement => {
  const grouped = groupCode(entry.code);
  const name = entry.name ?? entry.user;
  return h(
    'article',
    { class: 'sheet', 'aria-label': `Welcome sheet of ${name}` },
    h('h2', {}, `Welcome, ${name}`),
    h('p', {}, 'Your new desk phone sets itself up. All it needs is this code:'),
    h('p', { class: 'code' }, grouped),
    qrImage(entry.code, `QR code of the code ${grouped}`, 180),
    h('p', {}, `Valid until ${formatTime(entry.expiresAt)}.`),
    h('h3', {}, 'Three steps'),
    codeSteps(),
    h('p', { class: 'hint' }, `User ${entry.user}. Questions? Ask your administrator.`),
  );
};

export function welcomeSheets(rollout: Rollout, on: { back(): void }): HTMLElement {
  const pending = rollout.entries.filter((e): e is RolloutEntry & { code: string } => e.state === 'pending' && e.code !== null);
  const left = rollout.entries.length - pending.length;
  return h(
    'section',
    { 'aria-labelledby': 'sheets-title' },
    h(
      'div',
      { class: 'card no-print' },
      h('h2', { id: 'sheets-title', tabindex: '-1' }, 'Welcome sheets'),
      h(
        'p',
        {},
        `${pending.length} sheet${pending.length === 1 ? '' : 's'}, one page per user.`,
        left ? ` ${left} user${left === 1 ? ' is' : 's are'} left out: registered already, or the code expired (issue a new one first).` : '',
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', onclick: () => window.print() }, 'Print'),
        h('button', { type: 'button', onclick: () => on.back() }, 'Back to the codes'),
      ),
    ),
    pending.map(sheet),
  );
}
