/** Domains and their categories: create a domain, add a category, open or close one for provisioning. */
import { busy, fill, h, keepFocus, labelled, table } from '../shared/dom';
import { formatTime } from '../shared/format';
import { Notice } from '../shared/notice';
import { ADMIN, type Category, type Context } from './context';
import { viewTitle, type View } from './view';

interface DomainDoc {
  readonly name: string;
  readonly createdAt: string;
}

const categoriesUrl = (domain: string): string => `${ADMIN}/domains/${encodeURIComponent(domain)}/categories`;

/** a form whose submit runs `work` with its button busy and its errors shown in it */
function form(context: Context, label: string, fields: readonly HTMLElement[], work: () => Promise<void>): HTMLFormElement {
  const error = new Notice('alert');
  const button = h('button', { type: 'submit', class: 'primary' }, label);
  const element = h('form', { class: 'inline-form' }, fields, h('div', { class: 'actions' }, button), error.element);
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    try {
      await busy(button, work);
      element.reset();
    } catch (failure) {
      context.fail(failure, error);
    }
  });
  return element;
}

export async function domainsView(context: Context, initial?: string): Promise<View> {
  const error = new Notice('alert', 'domains-error');
  const list = h('div', { id: 'domain-list' });
  let chosen = initial;

  const categoryTitle = h('h3', { id: 'categories-title' }, 'Categories');
  const categoryList = h('div', { id: 'category-list' });
  const id = h('input', { id: 'category-id', name: 'id', required: true, placeholder: 'office', autocomplete: 'off' });
  const name = h('input', { id: 'category-name', name: 'name', required: true, placeholder: 'Office phones', autocomplete: 'off' });
  const open = h('input', { id: 'category-provisioning', name: 'provisioning', type: 'checkbox', checked: true });
  const addCategory = form(context, 'Add category', [labelled('Id', id), labelled('Name', name), h('div', { class: 'field' }, h('label', { for: 'category-provisioning' }, open, ' Open for new phones'))], async () => {
    const domain = chosen;
    if (!domain) return;
    await context.api.send('POST', categoriesUrl(domain), { id: id.value.trim(), name: name.value.trim(), provisioning: open.checked });
    context.forget();
    context.announce(`The category ${id.value.trim()} is added to ${domain}.`);
    await drawCategories();
  });
  const addSection = h('div', { hidden: true }, h('h4', {}, 'Add a category'), addCategory);

  const drawCategories = async (): Promise<void> => {
    addSection.hidden = !chosen;
    if (!chosen) {
      fill(categoryList, h('p', { class: 'hint' }, 'Choose a domain to see its categories.'));
      return;
    }
    const domain = chosen;
    const rows = await context.api.get<Category[]>(categoriesUrl(domain));
    const toggle = (c: Category): HTMLButtonElement => {
      const button = h('button', { type: 'button', id: `toggle-${c.id}` }, c.provisioning ? 'Close for new phones' : 'Open for new phones');
      button.addEventListener('click', async () => {
        try {
          await busy(button, () => context.api.send('PATCH', `${categoriesUrl(domain)}/${encodeURIComponent(c.id)}`, { provisioning: !c.provisioning }));
          context.forget();
          context.announce(`${c.name} is ${c.provisioning ? 'closed' : 'open'} for new phones.`);
          await drawCategories();
        } catch (failure) {
          context.fail(failure, error);
        }
      });
      return button;
    };
    categoryTitle.textContent = `Categories of ${domain}`;
    keepFocus(categoryList, () =>
      fill(
        categoryList,
        rows.length
          ? table(
              `Categories of ${domain}`,
              ['Id', 'Name', 'New phones', ''],
              rows.map((c) => [h('span', { class: 'mono' }, c.id), c.name, h('span', { class: 'badge', 'data-state': c.provisioning ? 'active' : 'cancelled' }, c.provisioning ? 'Open' : 'Closed'), toggle(c)]),
              { id: 'categories-table' },
              false,
            )
          : h('p', { class: 'hint' }, 'No categories yet.'),
      ),
    );
  };

  const load = async (): Promise<void> => {
    try {
      const domains = await context.api.get<DomainDoc[]>(`${ADMIN}/domains`, { limit: '1000' });
      error.clear();
      chosen ??= domains[0]?.name;
      keepFocus(list, () =>
        fill(
          list,
          domains.length
            ? table(
                'Domains',
                ['Domain', 'Created'],
                domains.map((d) => [
                  h('button', { type: 'button', class: 'quiet', id: `domain-${d.name}`, 'aria-pressed': String(d.name === chosen), onclick: () => choose(d.name) }, d.name),
                  formatTime(d.createdAt),
                ]),
                { id: 'domains-table' },
              )
            : h('p', { class: 'hint' }, context.who.kind === 'global' ? 'No domains yet: create the first one below.' : 'No domain.'),
        ),
      );
      await drawCategories();
    } catch (failure) {
      context.fail(failure, error);
    }
  };

  const choose = (domain: string): void => {
    chosen = domain;
    void load();
  };

  const domainName = h('input', { id: 'domain-name', name: 'name', required: true, placeholder: 'example.com', autocomplete: 'off' });
  const password = h('input', { id: 'domain-password', name: 'appPassword', type: 'password', required: true, autocomplete: 'new-password' });
  const create = form(
    context,
    'Create domain',
    [labelled('Domain name', domainName), labelled('App password', password, '8 to 256 characters. The Users of this domain logs in to Devices with it (ZT_USERS_APP_PASSWORD).')],
    async () => {
      const name = domainName.value.trim();
      await context.api.send('POST', `${ADMIN}/domains`, { name, appPassword: password.value });
      context.forget();
      context.announce(`The domain ${name} is created.`);
      chosen = name;
      await load();
    },
  );

  await load();
  return {
    element: h(
      'div',
      {},
      viewTitle('Domains and categories'),
      h(
        'div',
        { class: 'columns' },
        h('section', { class: 'card', 'aria-label': 'Domains' }, error.element, list, context.who.kind === 'global' ? [h('h3', {}, 'New domain'), create] : null),
        h('section', { class: 'card', 'aria-labelledby': 'categories-title' }, categoryTitle, categoryList, addSection),
      ),
    ),
    refresh: load,
  };
}
