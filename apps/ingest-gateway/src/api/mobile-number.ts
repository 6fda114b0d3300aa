import { parsePhoneNumberFromString, type NumberType } from 'libphonenumber-js/max';

/** Where a number's type cannot be told from the number alone (the US, Canada, ...), it may well be a mobile. */
const TEXTABLE: ReadonlySet<NumberType> = new Set<NumberType>(['MOBILE', 'FIXED_LINE_OR_MOBILE']);

const TYPE_NAMES: Partial<Record<NonNullable<NumberType>, string>> = {
  FIXED_LINE: 'a fixed-line (landline) number',
  TOLL_FREE: 'a toll-free number',
  PREMIUM_RATE: 'a premium-rate number',
  SHARED_COST: 'a shared-cost number',
  VOIP: 'a VoIP number',
  PERSONAL_NUMBER: 'a personal (forwarding) number',
  PAGER: 'a pager number',
  UAN: 'a company (UAN) number',
  VOICEMAIL: 'a voicemail number',
};

/**
 * Why an E.164 number cannot receive a survey SMS, or undefined when it is a mobile number (by the numbering
 * plan metadata of libphonenumber). The message completes "identifier: ...".
 */
export function mobileNumberProblem(e164: string): string | undefined {
  const phone = parsePhoneNumberFromString(e164);
  if (!phone || !phone.isValid()) return `${e164} is not a valid phone number in any country's numbering plan`;
  const type = phone.getType();
  if (type && TEXTABLE.has(type)) return undefined;
  const what = (type && TYPE_NAMES[type]) ?? 'not known to be a mobile number';
  return `${e164} is ${what}${phone.country ? ` (${phone.country})` : ''}; a survey SMS needs a mobile number`;
}
