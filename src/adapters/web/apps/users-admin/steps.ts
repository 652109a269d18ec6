/** Steps 1 and 2 of "Register phones": the connection to Devices; the category and phone app. */
import { field, h, labelled, select } from '../shared/dom';

export const STEP_NAMES = ['Connection to Devices', 'Category and phone app', 'Users', 'Codes'] as const;

export interface Choice {
  readonly id: string;
  readonly name: string;
}

/** a step's heading; it takes the focus when the step opens */
export const heading = (id: string, text: string): HTMLHeadingElement => h('h2', { id, tabindex: '-1' }, text);

export function connectionStep(
  devices: { readonly connected: boolean; readonly detail: string },
  on: { recheck(): void; next(): void },
): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'step-title' },
    heading('step-title', '1. Connection to Devices'),
    h('p', {}, 'Codes come from Devices, so Users must be logged in there.'),
    h(
      'p',
      { class: 'notice', 'data-tone': devices.connected ? 'ok' : 'error', id: 'devices-status' },
      devices.connected ? `Connected: ${devices.detail}.` : `Not connected: ${devices.detail}.`,
    ),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => on.recheck() }, 'Check again'),
      h('button', { type: 'button', class: 'primary', disabled: !devices.connected, onclick: () => on.next() }, 'Continue'),
    ),
  );
}

/** a dropdown where there is a choice; the one option as text where there is not */
function chooser(id: string, label: string, options: readonly Choice[], selected: string | undefined): HTMLElement {
  if (options.length === 1) {
    const only = options[0]!;
    return h('div', { class: 'field' }, h('span', { class: 'label' }, h('strong', {}, `${label}: `), only.name), h('input', { type: 'hidden', name: id, value: only.id }));
  }
  return labelled(label, select(id, id, options.map((o) => [o.id, o.name] as const), selected));
}

export function choiceStep(
  categories: readonly Choice[],
  phoneApps: readonly Choice[],
  category: string | undefined,
  phoneApp: string | undefined,
  on: { back(): void; next(category: Choice, phoneApp: Choice): void },
): HTMLElement {
  const missing =
    categories.length === 0
      ? 'No category is enabled for provisioning in Devices. Enable one in the Devices admin first.'
      : phoneApps.length === 0
        ? 'There is no phone app yet. Create one (POST /users/v1/admin/phone-apps) first.'
        : undefined;
  const form = h(
    'form',
    {
      onsubmit: (event: Event) => {
        event.preventDefault();
        const c = categories.find((o) => o.id === field(form, 'category'));
        const p = phoneApps.find((o) => o.id === field(form, 'phoneApp'));
        if (c && p) on.next(c, p);
      },
    },
    missing
      ? h('p', { class: 'notice', 'data-tone': 'warning' }, missing)
      : [chooser('category', 'Category', categories, category), chooser('phoneApp', 'Phone app', phoneApps, phoneApp)],
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', onclick: () => on.back() }, 'Back'),
      h('button', { type: 'submit', class: 'primary', disabled: missing !== undefined }, 'Continue'),
    ),
  );
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'step-title' },
    heading('step-title', '2. Category and phone app'),
    h('p', {}, 'The phones of this rollout are provisioned into this category, with this phone app.'),
    form,
  );
}
