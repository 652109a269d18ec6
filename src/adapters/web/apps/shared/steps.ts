/** The three steps a person takes with a new phone, on Profile and on the welcome sheet. */
import { h } from './dom';

export const codeSteps = (): HTMLOListElement =>
  h(
    'ol',
    { class: 'steps' },
    h('li', {}, 'Connect the new phone to the network and to power. It asks for a provisioning code.'),
    h('li', {}, 'Type the code and confirm it with OK (on an IP101 or IP102: with #).'),
    h('li', {}, 'Wait a minute: the phone fetches its firmware and settings, restarts, and is registered to you.'),
  );
