import { describe, expect, it } from 'vitest';
import { NO_FILTERS, answerLabel, dayStart, elementLabels, exportQuery, linePoints, percent, resultsQuery } from '../src/results-view.js';

// The results page's own computations: query strings from the filters, labels from the definition, the line chart.

describe('results page', () => {
  it('the aggregates take version and days (a local day, "to" inclusive); the export every filter', () => {
    const f = { ...NO_FILTERS, version: '2', from: '2026-11-20', to: '2026-11-21', status: 'completed', queueKey: 'support', agentId: 'WK 1' };
    const from = new Date(2026, 10, 20).toISOString();
    const to = new Date(2026, 10, 22).toISOString();
    expect(dayStart('2026-11-20')).toBe(from);
    expect(Object.fromEntries(new URLSearchParams(resultsQuery(f, 'Europe/Oslo')))).toEqual({ version: '2', from, to, tz: 'Europe/Oslo' });
    expect(Object.fromEntries(new URLSearchParams(exportQuery(f, { format: 'csv' })))).toEqual({ format: 'csv', version: '2', from, to, status: 'completed', queueKey: 'support', agentId: 'WK 1' });
    expect(exportQuery(NO_FILTERS, { format: 'json', limit: 25, before: 'abc' })).toBe('format=json&limit=25&before=abc');
    expect(resultsQuery(NO_FILTERS, 'UTC')).toBe('tz=UTC');
  });

  it('labels values with the definition’s option texts and Yes/No', () => {
    const labels = elementLabels({
      defaultLanguage: 'no',
      elements: [
        { id: 'ok', type: 'yes-no', text: { no: 'Bra?' } },
        { id: 'channel', type: 'dropdown', text: { en: 'Channel' }, options: [{ text: { no: 'Telefon' } }, { text: {}, value: 'chat' }] },
        { id: 'rate', type: 'scale', min: 1, max: 5, text: { no: 'Hvor fornøyd?' } },
      ],
    });
    expect(labels.get('ok')!.value('true')).toBe('Yes');
    expect(labels.get('ok')!.question).toBe('Bra?');
    expect(labels.get('channel')!.question).toBe('Channel');
    expect(['0', '1', '7'].map((v) => labels.get('channel')!.value(v))).toEqual(['Telefon', 'chat', '7']);
    expect(labels.get('rate')!.value('4')).toBe('4');
    expect(elementLabels(null).size).toBe(0);
    // A session's answers as the sessions list shows them: labels, each option chosen, the free text as typed.
    expect(answerLabel(labels.get('ok'), false)).toBe('No');
    expect(answerLabel(labels.get('channel'), [0, 1])).toBe('Telefon, chat');
    expect(answerLabel(labels.get('rate'), 4)).toBe('4');
    expect(answerLabel(undefined, 'It took "long"')).toBe('It took "long"');
  });

  it('places a line chart’s points; a day without a score is a gap', () => {
    const { placed, runs } = linePoints(
      [
        { label: 'a', value: 0 },
        { label: 'b', value: 100 },
        { label: 'c', value: null },
        { label: 'd', value: 50 },
      ],
      { width: 320, height: 120, min: 0, max: 100, pad: 10 },
    );
    expect(placed.map((p) => [p.x, p.y])).toEqual([
      [10, 110],
      [110, 10],
      [210, null],
      [310, 60],
    ]);
    expect(runs).toEqual(['10.0,110.0 110.0,10.0', '310.0,60.0']);
    expect(percent(0.756)).toBe('76 %');
    expect(percent(null)).toBe('–');
  });
});
