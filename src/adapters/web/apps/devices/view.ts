/** A view of the Devices admin: what it draws, and how it reloads (every few seconds while shown). */
import { h, type Child } from '../shared/dom';

export interface View {
  readonly element: HTMLElement;
  refresh(): Promise<void>;
}

/** a view's heading: the focus moves to it when the person opens the view */
export const viewTitle = (text: string): HTMLHeadingElement => h('h2', { id: 'view-title', tabindex: '-1' }, text);

/** a view in one card under its heading */
export const viewCard = (title: string, ...children: Child[]): HTMLElement =>
  h('section', { class: 'card', 'aria-labelledby': 'view-title' }, viewTitle(title), children);
