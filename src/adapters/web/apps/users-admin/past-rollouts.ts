/**
 * The past rollouts (UsersAdmin `GetRollouts`), newest first, each with how many users are
 * pending, registered and expired: reopen one live (its codes, states and reissues as in
 * step 4), print its welcome sheets again, download its CSV again.
 */
import { busy, fill, h, keepFocus, table } from '../shared/dom';
import { formatTime } from '../shared/format';
import type { RolloutSummary } from '../../../../application/users/rollout-queries';

export type { RolloutSummary };

export interface PastRolloutsActions {
  load(cursor: string | undefined): Promise<{ rollouts: readonly RolloutSummary[]; next: string | null }>;
  open(rolloutId: string, sheets: boolean): void;
  download(rolloutId: string, button: HTMLButtonElement): Promise<void>;
}

/** rollouts a page asks for */
export const PAST_ROLLOUTS_PAGE = 20;

export async function pastRollouts(actions: PastRolloutsActions): Promise<HTMLElement> {
  const shown: RolloutSummary[] = [];
  let next: string | null = null;
  const list = h('div', { id: 'past-rollouts' });
  const more = h('button', { type: 'button', id: 'older-rollouts', hidden: true }, 'Show older rollouts');

  const row = (r: RolloutSummary) => {
    const csv = h('button', { type: 'button', 'aria-label': `Download the CSV of the rollout of ${formatTime(r.startedAt)}` }, 'CSV');
    csv.addEventListener('click', () => void actions.download(r.rolloutId, csv));
    return [
      formatTime(r.startedAt),
      r.category,
      r.phoneApp,
      String(r.users),
      String(r.pending),
      String(r.registered),
      String(r.expired),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'primary', 'aria-label': `Open the rollout of ${formatTime(r.startedAt)}`, onclick: () => actions.open(r.rolloutId, false) }, 'Open'),
        h('button', { type: 'button', 'aria-label': `Welcome sheets of the rollout of ${formatTime(r.startedAt)}`, onclick: () => actions.open(r.rolloutId, true) }, 'Welcome sheets'),
        csv,
      ),
    ];
  };

  const draw = (): void =>
    keepFocus(list, () =>
      fill(
        list,
        shown.length
          ? table('Past rollouts, newest first', ['Started', 'Category', 'Phone app', 'Users', 'Pending', 'Registered', 'Expired', ''], shown.map(row), { id: 'past-rollouts-table' }, false)
          : h('p', { class: 'hint' }, 'No rollouts yet.'),
      ),
    );

  const load = async (cursor: string | undefined): Promise<void> => {
    const page = await actions.load(cursor);
    shown.push(...page.rollouts);
    next = page.next;
    more.hidden = next === null;
    draw();
  };
  more.addEventListener('click', () => void busy(more, () => load(next ?? undefined)));

  await load(undefined);
  return h('section', { class: 'card no-print', 'aria-labelledby': 'past-title' }, h('h3', { id: 'past-title' }, 'Past rollouts'), list, more);
}
