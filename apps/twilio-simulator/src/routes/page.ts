import type { FastifyInstance } from 'fastify';
import type { SimulatorState } from '../state.js';
import { twilioErrorBody } from '../twilio-error.js';

const escape = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The messages as a small HTML page: newest first, optionally of one number, refreshed every 3 seconds. */
export function messagesPage(state: SimulatorState, number?: string): string {
  const messages = state.messages.filter((m) => !number || m.to === number || m.from === number).slice().reverse();
  const rows = messages
    .map(
      (m) => `<tr class="${m.direction === 'inbound' ? 'in' : 'out'}"><td>${escape(m.dateCreated.toISOString().replace('T', ' ').slice(0, 19))}</td>` +
        `<td>${m.direction === 'inbound' ? 'customer → us' : 'us → customer'}</td><td>${escape(m.from ?? '')}</td><td>${escape(m.to)}</td>` +
        `<td>${escape(m.status)}</td><td>${m.numSegments}</td><td class="body">${escape(m.body)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>Twilio simulator: messages</title>
<style>
body { font: 14px/1.4 system-ui, sans-serif; margin: 20px; color: #1d2433; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #dde3ec; vertical-align: top; }
th { font-size: 12px; color: #5e6b80; } .body { white-space: pre-wrap; } tr.in { background: #eef6ff; }
form { margin: 10px 0; } code { background: #f1f3f7; padding: 1px 4px; }
</style></head><body>
<h1>Twilio simulator</h1>
<p>${state.messages.length} message(s) since the start or the last reset${number ? `; showing those to or from <code>${escape(number)}</code>` : ''}. This page refreshes every 3 seconds.
JSON: <a href="/__sim/messages">/__sim/messages</a> (<code>?to=</code>, <code>?from=</code>), <a href="/__sim/tasks">/__sim/tasks</a>, <a href="/__sim/requests">/__sim/requests</a>.</p>
<form method="get" action="/__sim"><label>Number <input name="number" value="${escape(number ?? '')}" placeholder="+4791234567"></label> <button>Show</button></form>
<table><thead><tr><th>Created (UTC)</th><th>Direction</th><th>From</th><th>To</th><th>Status</th><th>Segments</th><th>Body</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">No messages yet.</td></tr>'}
</tbody></table>
</body></html>
`;
}

/** `GET /__sim`: an HTML view of the messages for a browser (Accept: text/html); anything else gets the usual JSON 404. */
export function registerSimulatorPage(app: FastifyInstance, deps: { state: SimulatorState }): void {
  app.get('/', async (request, reply) => {
    const accept = request.headers.accept ?? '';
    if (!accept.includes('text/html')) {
      return reply.code(404).send(twilioErrorBody(404, 20404, `The requested resource ${request.url.split('?')[0]} was not found`));
    }
    const number = (request.query as { number?: unknown }).number;
    return reply.type('text/html; charset=utf-8').send(messagesPage(deps.state, typeof number === 'string' && number.trim() !== '' ? number.trim() : undefined));
  });
}
