/** A view of the Devices admin: what it draws, and how it reloads (every few seconds while shown). */
export interface View {
  readonly element: HTMLElement;
  refresh(): Promise<void>;
}
