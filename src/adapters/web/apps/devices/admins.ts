/**
 * Domain administrators (SPEC §5.5), for the global admin: the admins of a domain, a new
 * one (its token shown here once, never again), and revoking one (its token stops at once).
 */
import { busy, fill, h, keepFocus, labelled, select, table } from '../shared/dom';
import { formatTime } from '../shared/format';
import { Notice } from '../shared/notice';
import { ADMIN, type Context } from './context';
import { viewTitle, type View } from './view';

interface DomainAdmin {
  readonly id: string;
  readonly name: string;
  readonly createdAt: string;
}

const adminsUrl = (domain: string): string => `${ADMIN}/domains/${encodeURIComponent(domain)}/admins`;

export async function adminsView(context: Context): Promise<View> {
  const error = new Notice('alert', 'admins-error');
  const list = h('div', { id: 'admin-list' });
  const domains = await context.domains();
  const domain = select('admins-domain', 'domain', domains.map((d) => [d, d] as const), domains[0]);
  const made = h('div', { id: 'admin-token', role: 'status' });

  const load = async (): Promise<void> => {
    if (!domain.value) {
      fill(list, h('p', { class: 'hint' }, 'Create a domain first.'));
      return;
    }
    try {
      const name = domain.value;
      const admins = await context.api.get<DomainAdmin[]>(adminsUrl(name), { limit: '1000' });
      error.clear();
      const revoke = (admin: DomainAdmin): HTMLButtonElement => {
        const button = h('button', { type: 'button', id: `revoke-${admin.id}` }, 'Revoke');
        button.setAttribute('aria-label', `Revoke ${admin.name}`);
        button.addEventListener('click', async () => {
          if (!window.confirm(`Revoke ${admin.name}? Its token stops working at once.`)) return;
          try {
            await busy(button, () => context.api.send('DELETE', `${adminsUrl(name)}/${encodeURIComponent(admin.id)}`));
            context.announce(`${admin.name} is revoked.`);
            await load();
          } catch (failure) {
            context.fail(failure, error);
          }
        });
        return button;
      };
      keepFocus(list, () =>
        fill(
          list,
          admins.length
            ? table(`Administrators of ${name}`, ['Name', 'Id', 'Made', ''], admins.map((a) => [a.name, h('span', { class: 'mono' }, a.id), formatTime(a.createdAt), revoke(a)]), { id: 'admins-table' })
            : h('p', { class: 'hint', id: 'admins-empty' }, `${name} has no administrators of its own.`),
        ),
      );
    } catch (failure) {
      context.fail(failure, error);
    }
  };
  domain.addEventListener('change', () => {
    fill(made);
    void load();
  });

  const adminName = h('input', { id: 'admin-name', name: 'name', required: true, placeholder: 'Customer IT', autocomplete: 'off' });
  const createError = new Notice('alert');
  const button = h('button', { type: 'submit', class: 'primary' }, 'Make administrator');
  const create = h('form', { class: 'inline-form', id: 'admin-form' }, labelled('Name', adminName), h('div', { class: 'actions' }, button), createError.element);
  create.addEventListener('submit', async (event) => {
    event.preventDefault();
    createError.clear();
    fill(made);
    try {
      const answer = await busy(button, () => context.api.send<{ id: string; name: string; token: string }>('POST', adminsUrl(domain.value), { name: adminName.value.trim() }));
      create.reset();
      fill(
        made,
        h('p', {}, `The token of ${answer.name}, shown this once: copy it now and hand it over safely. Only its keyed hash is kept.`),
        h('p', {}, h('code', { class: 'mono', id: 'new-admin-token' }, answer.token)),
      );
      await load();
    } catch (failure) {
      context.fail(failure, createError);
    }
  });

  await load();
  return {
    element: h(
      'div',
      {},
      viewTitle('Domain administrators'),
      h(
        'section',
        { class: 'card', 'aria-labelledby': 'view-title' },
        h('p', {}, 'An administrator of a domain signs in here with its own token and sees and changes only its domain.'),
        h('div', { class: 'inline-form' }, labelled('Domain', domain)),
        error.element,
        list,
        h('h3', {}, 'New administrator'),
        create,
        made,
      ),
    ),
    refresh: load,
  };
}
