/** A QR code of a text (a provisioning code) as an image with a text alternative. */
import QRCode from 'qrcode';
import { h } from './dom';

export function qrImage(text: string, alt: string, size = 220): HTMLImageElement {
  const image = h('img', { class: 'qr', alt, width: size, height: size });
  QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 2, width: size * 2 })
    .then((url) => {
      image.src = url;
    })
    .catch(() => {
      image.replaceWith(h('p', { class: 'hint' }, 'The QR code could not be drawn; type the code instead.'));
    });
  return image;
}
