/** Step 3 of "Register phones": pick users, with a search and "select all matching". */
import { fill, h } from '../shared/dom';
import { heading, type Choice } from './steps';

export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string | null;
}

/** GetUsers pages */
const PAGE = 1000;
/** rows drawn at once; a search narrows a large directory */
const SHOWN = 500;

const matches = (user: User, query: string): boolean =>
  query === '' || [user.id, user.name, user.email ?? ''].some((text) => text.toLocaleLowerCase().includes(query));

export class UserPicker {
  private users: readonly User[] = [];
  private readonly selected = new Set<string>();
  private query = '';

  /** read the whole directory, page by page */
  async load(page: (after: string | undefined, limit: number) => Promise<readonly User[]>): Promise<void> {
    const users: User[] = [];
    for (let after: string | undefined; ; ) {
      const batch = await page(after, PAGE);
      users.push(...batch);
      if (batch.length < PAGE) break;
      after = batch[batch.length - 1]!.id;
    }
    this.users = users;
    const known = new Set(users.map((u) => u.id));
    for (const id of this.selected) if (!known.has(id)) this.selected.delete(id);
  }

  clear(): void {
    this.selected.clear();
    this.query = '';
  }

  view(on: {
    readonly category: Choice | undefined;
    readonly phoneApp: Choice | undefined;
    back(): void;
    start(users: readonly string[], button: HTMLButtonElement): Promise<void>;
  }): HTMLElement {
    const search = h('input', { id: 'user-search', type: 'search', name: 'search', value: this.query, autocomplete: 'off', 'aria-controls': 'users-table' });
    const all = h('input', { type: 'checkbox', id: 'select-all' });
    const allLabel = h('label', { for: 'select-all', class: 'visually-hidden' });
    const rows = h('tbody', {});
    const summary = h('p', { id: 'selection-summary', class: 'summary', 'aria-live': 'polite' });
    const more = h('p', { class: 'hint' });
    const start = h('button', { type: 'button', class: 'primary', id: 'start-rollout' });

    const matching = (): User[] => this.users.filter((u) => matches(u, this.query));
    const refresh = (): void => {
      const found = matching();
      const chosen = found.filter((u) => this.selected.has(u.id)).length;
      all.checked = found.length > 0 && chosen === found.length;
      all.indeterminate = chosen > 0 && chosen < found.length;
      allLabel.textContent = `Select all ${found.length} users shown`;
      summary.textContent = `${this.selected.size} of ${this.users.length} users selected`;
      start.textContent = this.selected.size === 1 ? 'Start the rollout for 1 user' : `Start the rollout for ${this.selected.size} users`;
      start.disabled = this.selected.size === 0;
    };
    const draw = (): void => {
      const found = matching();
      fill(
        rows,
        found.slice(0, SHOWN).map((user) => {
          const id = `pick-${user.id}`;
          const box = h('input', { type: 'checkbox', id, checked: this.selected.has(user.id) });
          box.addEventListener('change', () => {
            if (box.checked) this.selected.add(user.id);
            else this.selected.delete(user.id);
            refresh();
          });
          return h('tr', {}, h('td', {}, box), h('td', {}, h('label', { for: id }, user.name)), h('td', { class: 'mono' }, user.id), h('td', {}, user.email ?? ''));
        }),
        found.length === 0 ? h('tr', {}, h('td', { colspan: 4 }, this.users.length ? 'No user matches the search.' : 'The directory has no users yet.')) : null,
      );
      more.textContent = found.length > SHOWN ? `Showing ${SHOWN} of ${found.length} matching users; search to narrow the list. "Select all" takes every match.` : '';
      refresh();
    };

    search.addEventListener('input', () => {
      this.query = search.value.trim().toLocaleLowerCase();
      draw();
    });
    all.addEventListener('change', () => {
      for (const user of matching()) {
        if (all.checked) this.selected.add(user.id);
        else this.selected.delete(user.id);
      }
      draw();
    });
    start.addEventListener('click', () => void on.start([...this.selected], start));
    draw();

    return h(
      'section',
      { class: 'card', 'aria-labelledby': 'step-title' },
      heading('step-title', '3. Users'),
      h('p', {}, `Each user picked gets a code for a phone of category ${on.category?.name ?? '?'} with the phone app ${on.phoneApp?.name ?? '?'}.`),
      h('div', { class: 'field' }, h('label', { for: 'user-search' }, 'Search by name, user id or e-mail'), search),
      summary,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { id: 'users-table' },
          h('caption', { class: 'visually-hidden' }, 'Users of the directory'),
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, allLabel, all), ...['Name', 'User id', 'E-mail'].map((t) => h('th', { scope: 'col' }, t)))),
          rows,
        ),
      ),
      more,
      h('div', { class: 'actions' }, h('button', { type: 'button', onclick: () => on.back() }, 'Back'), start),
    );
  }
}
