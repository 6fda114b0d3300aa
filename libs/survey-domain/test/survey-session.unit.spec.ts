import { describe, expect, it } from 'vitest';
import {
  type Condition,
  type ReplyDecision,
  type SessionState,
  type SurveyDefinition,
  type SurveyDefinitionInput,
  conditionMatches,
  handleReply,
  notFoundReply,
  startSurvey,
} from '../src/index.js';
import { NOW, englishSurvey, everyTypeSurvey, loadExample, parseValid } from './fixtures.js';

// everyTypeSurvey order: welcome (text), rating (scale 1–5), nps, yesno, channel (dropdown), topics (multiple-choice),
// between (text), comment (free-text).
function survey(change: (input: SurveyDefinitionInput) => void = () => {}): SurveyDefinition {
  const input = everyTypeSurvey();
  change(input);
  return parseValid(input);
}

function activeAt(currentElementId: string, language = 'en', invalidReplies = 0): SessionState {
  return { status: 'active', currentElementId, language, invalidReplies };
}

function answered(decision: ReplyDecision) {
  if (decision.kind !== 'answered') throw new Error(`expected an answer, got ${decision.kind}`);
  return decision;
}

const bodies = (decision: { outgoing: { body: string }[] }) => decision.outgoing.map((sms) => sms.body);

describe('startSurvey', () => {
  it('sends text elements before the first question, 2 seconds apart, and stores the question', () => {
    const result = startSurvey(survey(), { now: NOW });
    expect(result.outgoing).toEqual([
      { body: 'Welcome!', delaySeconds: 0 },
      { body: 'Rate us\nReply with a number from 1 to 5.', delaySeconds: 2 },
    ]);
    expect(result.currentElementId).toBe('rating');
    expect(result.language).toBe('en');
    expect(result.state).toEqual({ status: 'active', currentElementId: 'rating', language: 'en', invalidReplies: 0 });
  });

  it('puts the content in front of the first SMS with a blank line, and only the first', () => {
    const result = startSurvey(survey(), { content: 'Hi from Acme.', now: NOW });
    expect(bodies(result)).toEqual(['Hi from Acme.\n\nWelcome!', 'Rate us\nReply with a number from 1 to 5.']);
  });

  it('puts the content in front of the question when the survey starts with it', () => {
    const result = startSurvey(parseValid(englishSurvey()), { content: 'Hi from Acme.', now: NOW });
    expect(result.outgoing).toEqual([{ body: 'Hi from Acme.\n\nHappy?\nReply YES or NO.', delaySeconds: 0 }]);
  });

  it('ignores blank content', () => {
    expect(bodies(startSurvey(survey(), { content: '  ', now: NOW }))[0]).toBe('Welcome!');
  });

  it('spaces three or more SMS 2 seconds apart', () => {
    const three = survey((s) => {
      s.elements.splice(1, 0, { id: 'second-text', type: 'text', text: { en: 'Two questions.' } });
    });
    expect(startSurvey(three, { now: NOW }).outgoing.map((sms) => sms.delaySeconds)).toEqual([0, 2, 4]);
  });

  it.each([
    ['no', 'no', ['Velkommen!', 'Gi oss en karakter\nSvar med et tall fra 1 til 5.']],
    ['de', 'en', ['Welcome!', 'Rate us\nReply with a number from 1 to 5.']],
    [undefined, 'en', ['Welcome!', 'Rate us\nReply with a number from 1 to 5.']],
  ])('asked for language %s, uses %s', (requested, expected, expectedBodies) => {
    const result = startSurvey(survey(), { language: requested, now: NOW });
    expect(result.language).toBe(expected);
    expect(result.state.language).toBe(expected);
    expect(bodies(result)).toEqual(expectedBodies);
  });

  it('falls back to the default language when the survey does not offer the requested one', () => {
    const nps = parseValid(loadExample('nps.json'));
    const result = startSurvey(nps, { language: 'no', now: NOW });
    expect(result.language).toBe('en');
    expect(bodies(result)[0]).toMatch(/Reply with a number from 0 to 10\.$/);
  });

  it('throws when no question can be reached (validation prevents such a survey)', () => {
    const textOnly: SurveyDefinition = { ...parseValid(englishSurvey()), elements: [{ id: 't', type: 'text', text: { en: 'Hi' } }] };
    expect(() => startSurvey(textOnly, { now: NOW })).toThrow(/no element that asks for a reply/);
  });
});

describe('handleReply: answers and the next element', () => {
  it('records the answer and moves to the next element in sequence when no rule matches', () => {
    const decision = answered(handleReply(survey(), activeAt('rating'), ' 4 ', { now: NOW }));
    expect(decision.answer).toEqual({
      elementId: 'rating',
      elementType: 'scale',
      rawReply: ' 4 ',
      value: 4,
      answeredAt: '2025-03-04T10:15:00.000Z',
    });
    expect(decision.nextElementId).toBe('nps');
    expect(decision.completed).toBe(false);
    expect(decision.outgoing).toEqual([{ body: 'Recommend us?\nReply with a number from 0 to 10.', delaySeconds: 0 }]);
    expect(decision.state).toEqual(activeAt('nps'));
  });

  it('stores dropdown and multiple-choice answers as 0-based indexes', () => {
    expect(answered(handleReply(survey(), activeAt('channel'), '2', { now: NOW })).answer.value).toBe(1);
    expect(answered(handleReply(survey(), activeAt('topics'), '3, 1', { now: NOW })).answer.value).toEqual([0, 2]);
  });

  it('walks through text elements to the next question, 2 seconds apart', () => {
    const decision = answered(handleReply(survey(), activeAt('topics'), '1,3', { now: NOW }));
    expect(decision.nextElementId).toBe('comment');
    expect(decision.outgoing).toEqual([
      { body: 'Almost done.', delaySeconds: 0 },
      { body: 'Anything else?', delaySeconds: 2 },
    ]);
  });

  it('sends the completion text after the last question and marks the session completed', () => {
    const decision = answered(handleReply(survey(), activeAt('comment'), 'All good', { now: NOW }));
    expect(decision.completed).toBe(true);
    expect(decision.nextElementId).toBeNull();
    expect(decision.outgoing).toEqual([{ body: 'Thank you!', delaySeconds: 0 }]);
    expect(decision.state).toEqual({ status: 'completed', currentElementId: null, language: 'en', invalidReplies: 0 });
  });

  it('sends trailing text elements before the completion text', () => {
    const withOutro = parseValid(
      englishSurvey([
        { id: 'happy', type: 'yes-no', text: { en: 'Happy?' } },
        { id: 'outro', type: 'text', text: { en: 'Have a nice day.' } },
      ]),
    );
    const decision = answered(handleReply(withOutro, activeAt('happy'), 'yes', { now: NOW }));
    expect(decision.completed).toBe(true);
    expect(decision.outgoing).toEqual([
      { body: 'Have a nice day.', delaySeconds: 0 },
      { body: 'Thank you!', delaySeconds: 2 },
    ]);
  });

  it('follows a goTo rule to a question', () => {
    const branching = survey((s) => {
      s.rules = [{ elementId: 'rating', when: { op: 'gte', value: 4 }, then: { goTo: 'comment' } }];
    });
    const decision = answered(handleReply(branching, activeAt('rating'), '5', { now: NOW }));
    expect(decision.nextElementId).toBe('comment');
    expect(bodies(decision)).toEqual(['Anything else?']);
    expect(answered(handleReply(branching, activeAt('rating'), '3', { now: NOW })).nextElementId).toBe('nps');
  });

  it('follows a goTo rule to a text element, then walks on to the question after it', () => {
    const branching = survey((s) => {
      s.rules = [{ elementId: 'nps', when: { op: 'any' }, then: { goTo: 'between' } }];
    });
    const decision = answered(handleReply(branching, activeAt('nps'), '8', { now: NOW }));
    expect(decision.nextElementId).toBe('comment');
    expect(bodies(decision)).toEqual(['Almost done.', 'Anything else?']);
  });

  it('follows a goTo rule back to an earlier question', () => {
    const loop = survey((s) => {
      s.rules = [{ elementId: 'yesno', when: { op: 'equals', value: false }, then: { goTo: 'rating' } }];
    });
    expect(answered(handleReply(loop, activeAt('yesno'), 'nei', { now: NOW })).nextElementId).toBe('rating');
  });

  it('ends the survey with the completion text when an end rule matches', () => {
    const ending = survey((s) => {
      s.rules = [{ elementId: 'rating', when: { op: 'lte', value: 2 }, then: { end: true } }];
    });
    const decision = answered(handleReply(ending, activeAt('rating'), '1', { now: NOW }));
    expect(decision.completed).toBe(true);
    expect(decision.nextElementId).toBeNull();
    expect(decision.outgoing).toEqual([{ body: 'Thank you!', delaySeconds: 0 }]);
    expect(decision.state.status).toBe('completed');
  });

  it('applies the first matching rule in the order the rules are listed', () => {
    const ordered = survey((s) => {
      s.rules = [
        { elementId: 'rating', when: { op: 'gte', value: 1 }, then: { goTo: 'comment' } },
        { elementId: 'rating', when: { op: 'gte', value: 4 }, then: { end: true } },
      ];
    });
    expect(answered(handleReply(ordered, activeAt('rating'), '5', { now: NOW })).nextElementId).toBe('comment');
  });

  it('ignores rules on other elements', () => {
    const other = survey((s) => {
      s.rules = [{ elementId: 'nps', when: { op: 'any' }, then: { end: true } }];
    });
    expect(answered(handleReply(other, activeAt('rating'), '2', { now: NOW })).nextElementId).toBe('nps');
  });

  it('answers in the session language', () => {
    const decision = answered(handleReply(survey(), activeAt('rating', 'no'), '4', { now: NOW }));
    expect(bodies(decision)).toEqual(['Anbefale oss?\nSvar med et tall fra 0 til 10.']);
  });

  it('answers in the default language when the session language is not offered', () => {
    const decision = answered(handleReply(survey(), activeAt('comment', 'de'), 'ok', { now: NOW }));
    expect(bodies(decision)).toEqual(['Thank you!']);
  });
});

describe('conditionMatches (each operator)', () => {
  it.each<[Condition, number | boolean | number[], boolean]>([
    [{ op: 'equals', value: 3 }, 3, true],
    [{ op: 'equals', value: 3 }, 4, false],
    [{ op: 'equals', value: true }, true, true],
    [{ op: 'equals', value: true }, false, false],
    [{ op: 'equals', value: 2 }, [0, 2], true],
    [{ op: 'equals', value: 2 }, [0, 1], false],
    [{ op: 'one-of', values: [1, 2] }, 2, true],
    [{ op: 'one-of', values: [1, 2] }, 3, false],
    [{ op: 'one-of', values: [0, 3] }, [1, 3], true],
    [{ op: 'one-of', values: [0, 3] }, [1, 2], false],
    [{ op: 'range', min: 2, max: 4 }, 2, true],
    [{ op: 'range', min: 2, max: 4 }, 4, true],
    [{ op: 'range', min: 2, max: 4 }, 1, false],
    [{ op: 'range', min: 2, max: 4 }, 5, false],
    [{ op: 'range', min: 0, max: 4 }, [1], false],
    [{ op: 'lt', value: 3 }, 2, true],
    [{ op: 'lt', value: 3 }, 3, false],
    [{ op: 'lte', value: 3 }, 3, true],
    [{ op: 'lte', value: 3 }, 4, false],
    [{ op: 'gt', value: 8 }, 9, true],
    [{ op: 'gt', value: 8 }, 8, false],
    [{ op: 'gte', value: 9 }, 9, true],
    [{ op: 'gte', value: 9 }, 8, false],
    [{ op: 'gte', value: 0 }, true, false],
    [{ op: 'any' }, false, true],
  ])('%j with %j → %s', (condition, value, expected) => {
    expect(conditionMatches(condition, value)).toBe(expected);
  });
});

describe('handleReply: invalid replies', () => {
  it('re-sends the last question with the error text in front', () => {
    const decision = handleReply(survey(), activeAt('rating'), '9', { now: NOW });
    expect(decision).toEqual({
      kind: 'invalid',
      invalidReplies: 1,
      outgoing: [{ body: 'Sorry, that is not a valid answer.\n\nRate us\nReply with a number from 1 to 5.', delaySeconds: 0 }],
      state: activeAt('rating', 'en', 1),
    });
  });

  it('uses the session language for the error text', () => {
    const decision = handleReply(survey(), activeAt('yesno', 'no'), 'kanskje', { now: NOW });
    expect(bodies(decision)).toEqual(['Beklager, det er ikke et gyldig svar.\n\nFornøyd?\nSvar JA eller NEI.']);
  });

  it('ends politely when the invalid replies reach maxInvalidReplies (default 3)', () => {
    const threeStrikes = survey();
    const first = handleReply(threeStrikes, activeAt('rating'), 'x', { now: NOW });
    expect(first.kind).toBe('invalid');
    const second = handleReply(threeStrikes, first.state, 'y', { now: NOW });
    expect(second).toMatchObject({ kind: 'invalid', invalidReplies: 2 });
    const third = handleReply(threeStrikes, second.state, 'z', { now: NOW });
    expect(third).toEqual({
      kind: 'ended-invalid',
      endStatus: 'abandoned',
      outgoing: [{ body: 'We have ended the survey. Thank you.', delaySeconds: 0 }],
      state: { status: 'abandoned', currentElementId: null, language: 'en', invalidReplies: 3 },
    });
  });

  it('honours a survey-specific maxInvalidReplies', () => {
    const oneStrike = survey((s) => {
      s.settings = { maxInvalidReplies: 1 };
    });
    expect(handleReply(oneStrike, activeAt('rating'), 'x', { now: NOW }).kind).toBe('ended-invalid');
  });

  it('starts counting again after a valid answer', () => {
    const decision = handleReply(survey(), activeAt('rating', 'en', 2), '3', { now: NOW });
    expect(decision.kind).toBe('answered');
    expect(decision.state.invalidReplies).toBe(0);
  });
});

describe('handleReply: ended sessions', () => {
  it.each<SessionState>([
    { status: 'completed', currentElementId: null, language: 'en', invalidReplies: 0 },
    { status: 'abandoned', currentElementId: null, language: 'en', invalidReplies: 3 },
    { status: 'expired', currentElementId: 'rating', language: 'en', invalidReplies: 0 },
  ])('sends "Survey Unavailable" when the session is $status', (state) => {
    expect(handleReply(survey(), state, '5', { now: NOW })).toEqual({
      kind: 'unavailable',
      outgoing: [{ body: 'Survey Unavailable', delaySeconds: 0 }],
      state,
    });
  });

  it('sends "Survey Unavailable" in the session language after completing', () => {
    const done = answered(handleReply(survey(), activeAt('comment', 'no'), 'Takk', { now: NOW }));
    expect(bodies(handleReply(survey(), done.state, 'Hei igjen', { now: NOW }))).toEqual(['Undersøkelsen er ikke tilgjengelig']);
  });

  it('throws when the session points at an element the survey does not have', () => {
    expect(() => handleReply(survey(), activeAt('gone'), '1', { now: NOW })).toThrow(/no element "gone"/);
  });

  it('throws when the session points at a text element', () => {
    expect(() => handleReply(survey(), activeAt('welcome'), '1', { now: NOW })).toThrow(/not a question/);
  });
});

describe('notFoundReply', () => {
  it.each([
    [undefined, 'Sorry, we could not find an active survey for this number.'],
    ['en', 'Sorry, we could not find an active survey for this number.'],
    ['no', 'Beklager, vi fant ingen aktiv undersøkelse for dette nummeret.'],
    ['nb', 'Beklager, vi fant ingen aktiv undersøkelse for dette nummeret.'],
    ['de', 'Leider haben wir keine aktive Umfrage für diese Nummer gefunden.'],
    ['sv-FI', 'Tyvärr hittade vi ingen aktiv enkät för det här numret.'],
    ['es_MX', 'Lo sentimos, no encontramos ninguna encuesta activa para este número.'],
    ['tlh', 'Sorry, we could not find an active survey for this number.'],
    ['not a tag!', 'Sorry, we could not find an active survey for this number.'],
  ])('without a survey, in %s', (language, expected) => {
    expect(notFoundReply(undefined, language)).toBe(expected);
  });

  it.each([
    [undefined, 'No survey found.'],
    ['no', 'Fant ingen undersøkelse.'],
    ['de', 'No survey found.'],
  ])('uses the survey text when the survey is known, in %s', (language, expected) => {
    expect(notFoundReply(survey(), language)).toBe(expected);
  });
});

describe('the CSAT example end to end', () => {
  const csat = parseValid(loadExample('csat-en-no.json'));

  it('asks what went wrong after a low score, then completes', () => {
    const start = startSurvey(csat, { now: NOW });
    expect(bodies(start)).toHaveLength(2);
    const low = answered(handleReply(csat, start.state, '2', { now: NOW }));
    expect(low.nextElementId).toBe('what-went-wrong');
    const done = answered(handleReply(csat, low.state, 'Long queue', { now: NOW }));
    expect(done.completed).toBe(true);
    expect(bodies(done)).toEqual(['Thank you for your feedback!']);
  });

  it('asks whether they would use us again after a good score, in Norwegian, then completes', () => {
    const start = startSurvey(csat, { language: 'no', now: NOW });
    expect(bodies(start)[1]).toBe(
      'Hvor fornøyd var du med hjelpen du fikk?\n1 = Svært misfornøyd\n5 = Svært fornøyd\nSvar med et tall fra 1 til 5.',
    );
    const good = answered(handleReply(csat, start.state, '4', { now: NOW }));
    expect(good.nextElementId).toBe('use-again');
    expect(bodies(good)).toEqual(['Vil du bruke oss igjen?\nSvar JA eller NEI.']);
    const done = answered(handleReply(csat, good.state, 'ja', { now: NOW }));
    expect(done.completed).toBe(true);
    expect(bodies(done)).toEqual(['Takk for tilbakemeldingen!']);
  });
});

describe('the NPS example end to end', () => {
  const nps = parseValid(loadExample('nps.json'));

  it('skips the improvement question for promoters', () => {
    const start = startSurvey(nps, { now: NOW });
    const promoter = answered(handleReply(nps, start.state, '9', { now: NOW }));
    expect(promoter.nextElementId).toBe('contact-channel');
    expect(bodies(promoter)).toEqual(['How did you contact us?\n1) Phone\n2) Chat\n3) Email\nReply with the number of your choice.']);
  });

  it('asks detractors what to improve, then how they contacted us, then completes', () => {
    const start = startSurvey(nps, { now: NOW });
    const detractor = answered(handleReply(nps, start.state, '3', { now: NOW }));
    expect(detractor.nextElementId).toBe('improve');
    const improve = answered(handleReply(nps, detractor.state, '1 4', { now: NOW }));
    expect(improve.answer.value).toEqual([0, 3]);
    expect(improve.nextElementId).toBe('contact-channel');
    const done = answered(handleReply(nps, improve.state, '2', { now: NOW }));
    expect(done.answer.value).toBe(1);
    expect(done.completed).toBe(true);
    expect(bodies(done)).toEqual(['Thank you! Your answers help us get better.']);
  });
});
