/** Step 4 of "Register phones": one code per user, Pending → Registered as phones come up. */
import { fill, h, keepFocus, table } from '../shared/dom';
import { formatMac, formatTime, groupCode, stateName } from '../shared/format';
import { heading } from './steps';

export interface RolloutEntry {
  readonly user: string;
  readonly name?: string | null;
  /** null once the code expired and its digits were purged */
  readonly code: string | null;
  readonly expiresAt: string;
  readonly state: string;
  readonly mac: string | null;
}

export interface Rollout {
  readonly rolloutId: string;
  readonly category: string;
  readonly phoneApp: string;
  readonly startedAt?: string;
  readonly entries: readonly RolloutEntry[];
}

export interface CodesActions {
  download(button: HTMLButtonElement): Promise<void>;
  reissue(entry: RolloutEntry, button: HTMLButtonElement): Promise<void>;
  sheets(): void;
  restart(): void;
}

const count = (rollout: Rollout, state: string): number => rollout.entries.filter((e) => e.state === state).length;

export class CodesView {
  readonly element: HTMLElement;
  private readonly intro = h('p', {});
  private readonly summary = h('p', { class: 'summary', id: 'rollout-summary' });
  private readonly list = h('div', { id: 'rollout-list' });

  constructor(private readonly actions: CodesActions) {
    const download = h('button', { type: 'button', class: 'primary', id: 'download-csv' }, 'Download CSV');
    download.addEventListener('click', () => void actions.download(download));
    this.element = h(
      'section',
      { class: 'card', 'aria-labelledby': 'step-title' },
      heading('step-title', '4. Codes'),
      this.intro,
      this.summary,
      h(
        'div',
        { class: 'actions' },
        download,
        h('button', { type: 'button', id: 'welcome-sheets', onclick: () => actions.sheets() }, 'Welcome sheets'),
        h('button', { type: 'button', class: 'quiet', onclick: () => actions.restart() }, 'Start another rollout'),
      ),
      this.list,
    );
  }

  /** draw the entries as they are now (again on every update) */
  render(rollout: Rollout): void {
    fill(
      this.intro,
      `Rollout ${rollout.rolloutId}: category ${rollout.category}, phone app ${rollout.phoneApp}`,
      rollout.startedAt ? `, started ${formatTime(rollout.startedAt)}` : '',
      '. Hand each user their code (or their welcome sheet); the state changes as phones come up.',
    );
    const registered = count(rollout, 'registered');
    const expired = count(rollout, 'expired');
    this.summary.textContent = `${registered} of ${rollout.entries.length} registered${expired ? `, ${expired} expired` : ''}.`;
    keepFocus(this.list, () => fill(
      this.list,
      table(
        'Codes of this rollout',
        ['User', 'Code', 'Valid until', 'State', 'Phone (MAC)', ''],
        rollout.entries.map((entry) => [
          h('span', {}, entry.name ?? entry.user, h('br', {}), h('small', { class: 'hint mono' }, entry.user)),
          entry.code === null ? h('span', { class: 'hint' }, 'deleted (expired)') : h('span', { class: 'mono' }, groupCode(entry.code)),
          formatTime(entry.expiresAt),
          h('span', { class: 'badge', 'data-state': entry.state, 'data-user': entry.user }, stateName(entry.state)),
          entry.mac ? h('span', { class: 'mono' }, formatMac(entry.mac)) : '—',
          entry.state === 'expired' ? this.reissueButton(entry) : '',
        ]),
        { id: 'rollout-table' },
      ),
    ));
  }

  private reissueButton(entry: RolloutEntry): HTMLButtonElement {
    const button = h('button', { type: 'button', class: 'quiet', id: `reissue-${entry.user}`, 'aria-label': `Issue a new code for ${entry.name ?? entry.user}` }, 'New code');
    button.addEventListener('click', () => void this.actions.reissue(entry, button));
    return button;
  }
}
