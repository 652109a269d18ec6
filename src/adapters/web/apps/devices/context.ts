/** What every view of the Devices admin shares: the API, error handling, domain and category pickers. */
import { h, labelled, select } from '../shared/dom';
import type { AdminApi } from '../shared/http';
import type { Notice } from '../shared/notice';

export const ADMIN = '/devices/v1/admin';

export interface Category {
  readonly id: string;
  readonly name: string;
  readonly provisioning: boolean;
}

/** who the token is (`GET /whoami`): the global admin, or the administrator of one domain */
export type Who = { readonly kind: 'global' } | { readonly kind: 'domain'; readonly id: string; readonly domain: string };

export interface Context {
  readonly api: AdminApi;
  readonly who: Who;
  /** show a failure: a refused token logs out, an unreachable server goes to the banner, the rest to `notice` */
  fail(error: unknown, notice: Notice): void;
  /** the names of every domain (cached for a moment) */
  domains(): Promise<readonly string[]>;
  categories(domain: string): Promise<readonly Category[]>;
  /** forget cached domains and categories (after a change) */
  forget(): void;
  /** tell a screen reader, quietly */
  announce(text: string): void;
}

/** a `<select>` of domains, with "every domain" first when `all` is given */
function domainSelect(id: string, domains: readonly string[], selected: string | undefined, all?: string): HTMLSelectElement {
  return select(id, 'domain', [...(all ? [['', all] as const] : []), ...domains.map((d) => [d, d] as const)], selected);
}

/** a `<select>` of a domain's categories; `*` ("every category") first for jobs */
export function categorySelect(id: string, categories: readonly Category[], selected: string | undefined, first: readonly [string, string] | undefined): HTMLSelectElement {
  return select(id, 'category', [...(first ? [first] : []), ...categories.map((c) => [c.id, `${c.name} (${c.id})`] as const)], selected);
}

/**
 * A domain picker with its category picker beside it: choosing a domain loads its
 * categories. `onChange` runs after either changes.
 */
export async function domainAndCategory(
  context: Context,
  ids: { readonly domain: string; readonly category: string },
  options: { readonly allDomains?: string; readonly firstCategory?: readonly [string, string]; readonly domain?: string; readonly category?: string; onChange?(): void },
): Promise<{ element: HTMLElement; domain(): string; category(): string }> {
  const domains = await context.domains();
  const domain = domainSelect(ids.domain, domains, options.domain ?? (options.allDomains ? '' : domains[0]), options.allDomains);
  let category = categorySelect(ids.category, [], undefined, options.firstCategory);
  const categoryField = h('div', { class: 'grow' });
  const drawCategories = async (selected?: string): Promise<void> => {
    const categories = domain.value ? await context.categories(domain.value) : [];
    category = categorySelect(ids.category, categories, selected, options.firstCategory);
    category.disabled = !domain.value;
    category.addEventListener('change', () => options.onChange?.());
    categoryField.replaceChildren(labelled('Category', category));
  };
  await drawCategories(options.category);
  domain.addEventListener('change', () => {
    void drawCategories().then(() => options.onChange?.());
  });
  return {
    element: h('div', { class: 'inline-form' }, labelled('Domain', domain), categoryField),
    domain: () => domain.value,
    category: () => category.value,
  };
}
