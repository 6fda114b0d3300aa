const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENDED = '^{}\\[~]|€\f';

/** How many SMS segments a body takes: GSM-7 (160, or 153 per part) or else UCS-2 (70, or 67 per part). */
export function countSegments(body: string): number {
  let septets = 0;
  let gsm7 = true;
  for (const ch of body) {
    if (GSM7_BASIC.includes(ch)) septets += 1;
    else if (GSM7_EXTENDED.includes(ch)) septets += 2;
    else {
      gsm7 = false;
      break;
    }
  }
  if (gsm7) return septets <= 160 ? 1 : Math.ceil(septets / 153);
  const codeUnits = body.length;
  return codeUnits <= 70 ? 1 : Math.ceil(codeUnits / 67);
}
