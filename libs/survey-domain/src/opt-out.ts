/**
 * Opt-out keywords (Twilio's defaults). A reply consisting of one of them, in any case and with surrounding
 * spaces, opts the customer out of every survey; a START keyword opts them back in. HELP changes nothing.
 * Twilio's Advanced Opt-Out sends its own classification (`OptOutType`), which wins when present.
 */
export type OptOutIntent = 'stop' | 'start' | 'help' | 'none';

const STOP = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const START = new Set(['START', 'UNSTOP', 'YES']);
const HELP = new Set(['HELP', 'INFO']);

export function optOutIntent(body: string, optOutType?: 'STOP' | 'START' | 'HELP'): OptOutIntent {
  if (optOutType === 'STOP') return 'stop';
  if (optOutType === 'START') return 'start';
  if (optOutType === 'HELP') return 'help';
  const word = body.trim().toUpperCase();
  if (STOP.has(word)) return 'stop';
  if (START.has(word)) return 'start';
  if (HELP.has(word)) return 'help';
  return 'none';
}
