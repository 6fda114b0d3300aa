// The whole stack from the images, as docker-compose.yml runs it: one survey sent through the gateway's public
// API and answered through the Twilio simulator's control API, the results read from Kafka on the host.
// Started by scripts/test-containers.sh, which has built the images and tears the project down in any case.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { DockerComposeEnvironment, Wait, type StartedDockerComposeEnvironment } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '@sms-survey/testing';
import { harnessEnv } from '../src/harness-env.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const project = harnessEnv.SMOKE_PROJECT ?? `sms-survey-smoke-${randomBytes(4).toString('hex')}`;
/** Compose v1 (`docker-compose`) where the v2 plugin is missing; scripts/test-containers.sh decides. */
const composeV1 = harnessEnv.SMOKE_COMPOSE === 'v1';
const API_KEY = 'dev-api-key';
const SURVEY = 'csat-en-no'; // examples/surveys, loaded by the gateway from SURVEYS_DIR=/app/surveys
const CUSTOMER = '+4791000001';

interface SimulatedSms { sid: string; from: string | null; to: string; body: string; direction: string }
interface Received { topic: string; value: { type: string; payload: Record<string, unknown> } }

const log = (line: string) => console.log(`[smoke ${new Date().toISOString().slice(11, 19)}] ${line}`);
const docker = (...args: string[]) => execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });

describe('the compose stack from the images', () => {
  let environment: StartedDockerComposeEnvironment | undefined;
  let consumer: Consumer | undefined;
  const received: Received[] = [];
  const ports = { gateway: 0, simulator: 0, postgres: 0, kafka: 0 };
  const gateway = (path: string) => `http://127.0.0.1:${ports.gateway}${path}`;
  const simulator = (path: string) => `http://127.0.0.1:${ports.simulator}/__sim${path}`;

  beforeAll(async () => {
    // Ports of their own: a stack from `docker compose up` or `npm start` may be running on the defaults.
    for (const name of Object.keys(ports) as (keyof typeof ports)[]) ports[name] = await freePort();
    const started = Date.now();
    log(`docker${composeV1 ? '-compose' : ' compose'} up, project ${project}, gateway on ${ports.gateway}, Kafka on ${ports.kafka}`);
    const compose = new DockerComposeEnvironment(root, 'docker-compose.yml')
      .withProjectName(project)
      .withEnvironment({
        GATEWAY_HOST_PORT: String(ports.gateway),
        SIMULATOR_HOST_PORT: String(ports.simulator),
        POSTGRES_HOST_PORT: String(ports.postgres),
        KAFKA_HOST_PORT: String(ports.kafka),
      })
      // Every container of the file has a health check; the migrate container has exited (0) before the
      // services were started, or `up` has failed.
      .withDefaultWaitStrategy(Wait.forHealthCheck())
      .withStartupTimeout(10 * 60_000);
    environment = await (composeV1 ? compose.withClientOptions({ executable: { standalone: true } }) : compose).up();
    log(`stack healthy after ${Math.round((Date.now() - started) / 1000)} s`);

    const kafka = new Kafka({ clientId: 'smoke-test', brokers: [`127.0.0.1:${ports.kafka}`], logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: `smoke-${randomBytes(4).toString('hex')}`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topics: ['survey.answers.v1', 'survey.sessions.v1'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        received.push({ topic, value: JSON.parse(message.value?.toString() ?? 'null') });
      },
    });
  });

  afterAll(async () => {
    await consumer?.disconnect().catch(() => undefined);
    if (environment) {
      log('docker compose down');
      await environment.down({ removeVolumes: true, timeout: 10_000 });
    }
  });

  it('sends a survey, takes the customer\'s answers through the simulator, and publishes the results', async () => {
    const headers = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    expect((await fetch(gateway('/readyz'))).status).toBe(200);
    const definition = await fetch(gateway(`/v1/surveys/${SURVEY}`), { headers });
    expect(definition.status, 'the example survey, loaded from SURVEYS_DIR').toBe(200);

    const sent = await fetch(gateway(`/v1/surveys/${SURVEY}/send`), {
      method: 'POST',
      headers,
      body: JSON.stringify({ identifier: CUSTOMER, identifierType: 'Phone', channel: 'SMS', language: 'en' }),
    });
    const sentBody = (await sent.json()) as { sessionId?: string };
    expect(sent.status, JSON.stringify(sentBody)).toBe(202);
    const sessionId = sentBody.sessionId!;
    log(`survey sent, session ${sessionId}`);

    const smsTo = async () => {
      const res = await fetch(simulator(`/messages?to=${encodeURIComponent(CUSTOMER)}&direction=outbound-api`));
      return ((await res.json()) as { messages: SimulatedSms[] }).messages;
    };
    const waitForSms = (count: number) =>
      eventually(async () => {
        const sms = await smsTo();
        return sms.length >= count ? sms : undefined;
      }, { what: `${count} SMS to the customer`, timeoutMs: 60_000, intervalMs: 250 });
    const reply = async (to: string, body: string) => {
      const res = await fetch(simulator('/inbound'), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: CUSTOMER, to, body }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
    };

    const [intro, question] = await waitForSms(2);
    expect(intro!.body).toContain('Thank you for calling');
    expect(question!.body).toContain('How satisfied were you');
    log(`customer got: "${question!.body.slice(0, 60)}…" from ${question!.from}`);
    await reply(question!.from!, '5');
    const next = await waitForSms(3);
    expect(next[2]!.body).toContain('Would you use us again?');
    await reply(question!.from!, 'yes');
    const done = await waitForSms(4);
    expect(done[3]!.body).toBe('Thank you for your feedback!');
    log('customer answered 5 and yes, and was thanked');

    const ofSession = (topic: string) => received.filter((m) => m.topic === topic && m.value?.payload?.sessionId === sessionId);
    const answers = await eventually(() => (ofSession('survey.answers.v1').length >= 2 ? ofSession('survey.answers.v1') : undefined), {
      what: 'two answers on survey.answers.v1',
      timeoutMs: 60_000,
    });
    expect(answers.map((a) => (a.value.payload.answer as { elementId: string; value: unknown }).elementId)).toEqual(['satisfaction', 'use-again']);
    const ended = await eventually(() => ofSession('survey.sessions.v1').find((m) => m.value.type === 'survey.session.ended'), {
      what: 'survey.session.ended on survey.sessions.v1',
      timeoutMs: 60_000,
    });
    expect(ended.value.payload).toMatchObject({ surveyId: SURVEY, status: 'completed', language: 'en' });
    log(`results on Kafka: ${answers.length} on survey.answers.v1, session ended "${ended.value.payload.status}" on survey.sessions.v1`);
  });

  it('no container of ours restarted or printed a warning of Node\'s, and migrate ran once and succeeded', () => {
    const ours = ['migrate', 'twilio-simulator', 'ingest-gateway', 'survey-orchestrator', 'sms-dispatcher', 'insights-sync'];
    const containers = docker('ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}\t{{.Label "com.docker.compose.service"}}\t{{.Status}}')
      .trim()
      .split('\n')
      .map((line) => line.split('\t') as [string, string, string])
      .filter(([, service]) => ours.includes(service));
    expect(containers.map(([, service]) => service).sort()).toEqual([...ours].sort());
    const warnings: string[] = [];
    for (const [name, service, status] of containers) {
      const logs = spawnSync('docker', ['logs', name], { encoding: 'utf8', maxBuffer: 64 << 20 }); // the container's stdout and stderr
      const output = logs.stdout + logs.stderr;
      if (service === 'migrate') {
        expect(status, 'migrate exits 0').toMatch(/^Exited \(0\)/);
        expect(output).toContain('migrate: done');
      }
      for (const line of output.split('\n')) if (/\(node:\d+\) \w*Warning/.test(line)) warnings.push(`${service}: ${line}`);
      const restarts = Number(docker('inspect', '-f', '{{.RestartCount}}', name).trim());
      log(`${service}: ${status}, ${restarts} restarts, ${output.split('\n').filter(Boolean).length} log lines`);
      expect(restarts, `${service} restarted`).toBe(0);
    }
    expect(warnings).toEqual([]);
  });
});
