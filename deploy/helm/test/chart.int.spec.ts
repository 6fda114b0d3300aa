// The Helm chart, linted and rendered by real Helm (3.16, helm-java) for its defaults and the example values
// files; every rendered object is validated against the Kubernetes / KEDA schemas, and the facts that matter
// are checked against the services' own code (ports, consumer groups, topics, environment variables).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { allTopics } from '@sms-survey/contracts';
import { loadGatewayConfig } from '@sms-survey/ingest-gateway';
import { loadInsightsSyncConfig } from '@sms-survey/insights-sync';
import { loadDispatcherConfig } from '@sms-survey/sms-dispatcher';
import { loadOrchestratorConfig } from '@sms-survey/survey-orchestrator';
import { loadSimulatorConfig } from '@sms-survey/twilio-simulator';
import { chartDir, helm, helmDir, parseManifests, type HelmRun, type K8sObject } from './helm.js';
import { validateObject } from './schemas.js';

const root = resolve(helmDir, '../..');
const release = 'surveys';
const services = ['ingest-gateway', 'survey-orchestrator', 'sms-dispatcher', 'insights-sync'] as const;
type ServiceName = (typeof services)[number];
const consumers = ['survey-orchestrator', 'sms-dispatcher', 'insights-sync'] as const;
const valuesKey: Record<ServiceName, string> = {
  'ingest-gateway': 'ingestGateway',
  'survey-orchestrator': 'surveyOrchestrator',
  'sms-dispatcher': 'smsDispatcher',
  'insights-sync': 'insightsSync',
};
const valuesFile = (name: string) => join(helmDir, 'values', name);

// --- What the services' code says -------------------------------------------------------------------------
const source = (path: string) => readFileSync(join(root, path), 'utf8');
const configSource = (service: ServiceName) => source(`apps/${service}/src/config.ts`);
function codeDefault(service: ServiceName, pattern: RegExp): string {
  const match = pattern.exec(configSource(service));
  if (!match) throw new Error(`${pattern} not found in apps/${service}/src/config.ts`);
  return match[1]!;
}
const codePort = (service: ServiceName) => Number(codeDefault(service, /\bPORT: portEnv\((\d+)\)/));
const codeGroup = (service: ServiceName, variable = 'KAFKA_GROUP_ID') =>
  codeDefault(service, new RegExp(`\\b${variable}: z\\.string\\(\\)\\.default\\('([^']+)'\\)`));
/** Environment variables a service reads: its config.ts, service-kit's common ones, and Twilio's if it uses them. */
function codeVariables(service: ServiceName): Set<string> {
  const own = configSource(service);
  const kit = source('libs/service-kit/src/config.ts');
  const common = /export const commonEnv = \{([^]*?)\n\};/.exec(kit)?.[1] ?? '';
  const twilio = own.includes('...twilioEnv') ? source('libs/service-kit/src/twilio-config.ts') : '';
  return new Set([...(own + common + twilio).matchAll(/^\s*([A-Z][A-Z0-9_]+): /gm)].map((m) => m[1]!));
}
/** Variables the chart sets itself, and the secrets, which come from the existing Secret. */
const chartManaged = ['HOST', 'PORT', 'KAFKA_BROKERS', 'KAFKA_TOPIC_PREFIX', 'PUBLIC_BASE_URL', 'STATUS_CALLBACK_BASE_URL', 'TWILIO_API_BASE_URL'];
const secrets = ['DATABASE_URL', 'API_KEYS', 'TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_AUTH_TOKEN_SECONDARY'];
/** How long a service takes at most to drain on SIGTERM (runService's shutdownTimeoutMs in its main.ts). */
const drainMs = (service: ServiceName) => Number(/shutdownTimeoutMs: ([\d_]+)/.exec(source(`apps/${service}/src/main.ts`))![1]!.replace(/_/g, ''));
/** The topics a service consumes, by the contracts (libs/contracts/src/topics.ts). */
const consumedTopics = (service: ServiceName) => allTopics.filter((t) => t.consumers.includes(service)).map((t) => t.name);
/** The consumer groups of each consumer and the topics each reads (insights-sync's follow-ups have their own). */
function expectedGroups(service: (typeof consumers)[number]): { group: string; topics: string[] }[] {
  if (service !== 'insights-sync') return [{ group: codeGroup(service), topics: consumedTopics(service) }];
  return [
    { group: codeGroup(service), topics: ['survey.sessions.v1'] },
    { group: codeGroup(service, 'KAFKA_FOLLOW_UP_GROUP_ID'), topics: ['survey.answers.v1'] },
  ];
}

// --- Renderings --------------------------------------------------------------------------------------------
const chartValues = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
const production = parse(readFileSync(valuesFile('production.yaml'), 'utf8'));
let tmp: string;
let run: HelmRun;
const objects: Record<string, K8sObject[]> = {};
const good = ['default', 'production', 'minimal', 'demo'] as const;

/** A values file in the temporary directory. */
function values(name: string, content: unknown): string {
  const file = join(tmp, `${name}.yaml`);
  writeFileSync(file, stringify(content));
  return file;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'helm-chart-test-'));
  run = await helm(
    {
      default: [],
      production: [valuesFile('production.yaml')],
      minimal: [valuesFile('minimal.yaml')],
      demo: [valuesFile('demo.yaml')],
      renamedGroups: [
        values('renamed-groups', {
          kafka: { topicPrefix: 'stage.' },
          surveyOrchestrator: {
            config: { KAFKA_GROUP_ID: 'orchestrator-b', RETENTION_INTERVAL_MS: 86_400_000, OUTBOX_RETENTION_HOURS: 1.5 },
            autoscaling: { enabled: true },
          },
          insightsSync: { config: { KAFKA_FOLLOW_UP_GROUP_ID: 'follow-ups-b', SURVEY_TASK_FOR_NO_RESPONSE: true }, autoscaling: { enabled: true } },
        }),
      ],
      migrateCommand: [values('migrate-command', { migrate: { command: ['node'], args: ['dist/migrate.js', '--only-database'] } })],
      replicasNotANumber: [values('replicas-not-a-number', { surveyOrchestrator: { replicaCount: 'many' } })],
      misspeltKey: [values('misspelt-key', { ingestGateway: { replicas: 3 } })],
      secretsInConfig: [
        values('secrets-in-config', {
          ingestGateway: { config: { API_KEYS: 'key-one-long-enough' } },
          surveyOrchestrator: { config: { DATABASE_URL: 'postgresql://u:p@db/sms' } },
          smsDispatcher: { config: { TWILIO_AUTH_TOKEN: 'abcdefgh12345678' } },
        }),
      ],
      badConfigValue: [values('bad-config-value', { ingestGateway: { config: { KAFKA_LINGER_MS: 500 } } })],
      autoscaledAbovePartitions: [valuesFile('production.yaml'), values('above-partitions', { smsDispatcher: { autoscaling: { maxReplicas: 13 } } })],
      fixedAbovePartitions: [values('fixed-above-partitions', { insightsSync: { replicaCount: 7 } })],
      sharedGroup: [values('shared-group', { smsDispatcher: { config: { KAFKA_GROUP_ID: 'survey-orchestrator' } } })],
      graceBelowDrain: [values('grace-below-drain', { ingestGateway: { terminationGracePeriodSeconds: 14 } })],
      observability: [
        valuesFile('production.yaml'),
        values('observability', {
          observability: {
            otlpEndpoint: 'http://otel-collector.observability:4318',
            prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } },
            grafanaDashboard: { enabled: true, annotations: { grafana_folder: 'SMS surveys' } },
          },
          smsDispatcher: { config: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: 0.25, OTEL_SDK_DISABLED: false } },
        }),
      ],
      badOtlpEndpoint: [values('bad-otlp-endpoint', { observability: { otlpEndpoint: 'otel-collector:4318', prometheusRule: { enabled: false }, grafanaDashboard: { enabled: false } } })],
    },
    { release, namespace: 'surveys' },
  );
  for (const name of good) {
    const rendering = run.renders[name]!;
    if (!rendering.ok) throw new Error(`${name} did not render:\n${rendering.output}`);
    objects[name] = parseManifests(rendering.output);
  }
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// --- Helpers over rendered objects --------------------------------------------------------------------------
const fullName = (service: string) => `${release}-sms-survey-${service}`;
function find(list: K8sObject[], kind: string, name: string): K8sObject {
  const found = list.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} among ${list.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
const ofKind = (list: K8sObject[], kind: string) => list.filter((o) => o.kind === kind);
const deployment = (render: string, service: string) => find(objects[render]!, 'Deployment', fullName(service));
const configMap = (render: string, service: string): Record<string, string> => find(objects[render]!, 'ConfigMap', fullName(service)).data;
const container = (workload: K8sObject) => workload.spec.template.spec.containers[0];
/** A container's literal env values by name. */
const plainEnv = (workload: K8sObject): Record<string, string> =>
  Object.fromEntries((container(workload).env ?? []).filter((e: { value?: string }) => 'value' in e).map((e: { name: string; value: string }) => [e.name, e.value]));
const podTemplates = (list: K8sObject[]) => list.filter((o) => o.kind === 'Deployment' || o.kind === 'Job');
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);
/** Stand-ins for the Secret's values, by key. */
const secretValues: Record<string, string> = {
  DATABASE_URL: 'postgresql://sms:secret@postgres.db.svc:5432/sms_survey',
  API_KEYS: 'test-api-key-0123456789',
  TWILIO_ACCOUNT_SID: `AC${'0123456789abcdef'.repeat(2)}`,
  TWILIO_AUTH_TOKEN: 'test-auth-token-0123',
};
/** The environment a pod of `workload` starts with: its ConfigMaps, literal values and the Secret's keys. */
function podEnv(render: string, workload: K8sObject): Record<string, string> {
  const env: Record<string, string> = {};
  const c = container(workload);
  for (const from of c.envFrom ?? []) Object.assign(env, find(objects[render]!, 'ConfigMap', from.configMapRef.name).data);
  for (const e of c.env ?? []) {
    const ref = e.valueFrom?.secretKeyRef;
    if ('value' in e) env[e.name] = e.value;
    else if (ref && secretValues[ref.key] !== undefined) env[e.name] = secretValues[ref.key]!;
    else if (!ref?.optional) throw new Error(`${workload.metadata.name}: no stand-in for env ${e.name}`);
  }
  return env;
}
const secretLike = /TOKEN|SECRET|PASSWORD|PASSWD|API_KEY|DATABASE_URL|ACCOUNT_SID|CREDENTIAL|PRIVATE/i;

describe('the chart', () => {
  it('passes helm lint --strict', () => {
    expect(run.lint.failed, run.lint.messages.join('\n')).toBe(false);
    expect(run.lint.messages.filter((m) => !m.startsWith('[INFO]'))).toEqual([]);
  });

  it.each(good)('renders %s into objects that match the Kubernetes and KEDA schemas', (name) => {
    const list = objects[name]!;
    expect(list.length).toBeGreaterThan(0);
    for (const object of list) validateObject(object);
    const names = list.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(names).size, 'no two objects of a kind share a name').toBe(names.length);
    for (const service of services) {
      for (const kind of ['Deployment', 'Service', 'ConfigMap']) find(list, kind, fullName(service));
    }
    find(list, 'Job', fullName('migrate'));
  });

  it('defaults the services to the ports, groups and topic partitions their code uses', () => {
    for (const service of services) expect(chartValues[valuesKey[service]].port, service).toBe(codePort(service));
    expect(chartValues.kafka.partitions).toEqual(Object.fromEntries(allTopics.map((t) => [t.name, t.partitions])));
  });

  it('sets only environment variables the services read, and values.schema.json lets config set each of the others', () => {
    const schema = JSON.parse(readFileSync(join(chartDir, 'values.schema.json'), 'utf8'));
    for (const service of services) {
      const known = codeVariables(service).add('NODE_OPTIONS');
      for (const name of good) {
        for (const key of Object.keys(configMap(name, service))) expect(known, `${name}: ${service} ConfigMap key ${key}`).toContain(key);
      }
      const configurable = Object.keys(schema.properties[valuesKey[service]].properties.config.properties);
      for (const key of configurable) expect(known, `values.schema.json ${valuesKey[service]}.config.${key}`).toContain(key);
      const missing = [...known].filter((v) => !configurable.includes(v) && !chartManaged.includes(v) && !secrets.includes(v));
      expect(missing, `apps/${service}/src/config.ts reads these; add them to ${valuesKey[service]}.config in values.schema.json`).toEqual([]);
    }
  });
});

describe('Deployments', () => {
  it.each(good)('%s: probes /healthz and /readyz on the port the service listens on, which its Service exposes', (name) => {
    for (const service of services) {
      const c = container(deployment(name, service));
      const port = c.ports.find((p: { name: string }) => p.name === c.livenessProbe.httpGet.port) ?? { containerPort: c.livenessProbe.httpGet.port };
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz' });
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: c.livenessProbe.httpGet.port });
      const env = configMap(name, service);
      expect(String(port.containerPort), `${service} probe port = PORT`).toBe(env.PORT);
      expect(env.HOST, `${service} listens beyond loopback`).toBe('0.0.0.0');
      if (name === 'default') expect(Number(env.PORT)).toBe(codePort(service));
      const svc = find(objects[name]!, 'Service', fullName(service));
      expect(svc.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: port.containerPort, targetPort: 'http' })]);
      expect(matches(svc.spec.selector, deployment(name, service).spec.template.metadata.labels)).toBe(true);
      expect(c.envFrom).toEqual([{ configMapRef: { name: fullName(service) } }]);
    }
  });

  it.each(good)('%s: every pod runs as uid 1000, non-root, read-only, without privileges, with /tmp writable', (name) => {
    for (const workload of podTemplates(objects[name]!)) {
      const pod = workload.spec.template.spec;
      const where = `${workload.kind} ${workload.metadata.name}`;
      expect(pod.automountServiceAccountToken, where).toBe(false);
      for (const c of pod.containers) {
        const sc = { ...pod.securityContext, ...c.securityContext };
        expect(sc, where).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
        expect(sc.capabilities?.drop, where).toEqual(['ALL']);
        expect(sc.seccompProfile, where).toEqual({ type: 'RuntimeDefault' });
        const tmpMount = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
        expect(pod.volumes.find((v: { name: string }) => v.name === tmpMount?.name)?.emptyDir, `${where} /tmp`).toBeDefined();
      }
    }
  });

  it.each(good)('%s: gives each service longer than its preStop sleep and its drain to stop', (name) => {
    for (const service of services) {
      const pod = deployment(name, service).spec.template.spec;
      const preStop: string[] = container(deployment(name, service)).lifecycle?.preStop?.exec?.command ?? [];
      const sleepMs = Number(/setTimeout\(\(\) => \{\}, (\d+)\)/.exec(preStop.join(' '))?.[1] ?? 0);
      expect(drainMs(service), `${service}: the chart's check assumes a drain of at most 9 s`).toBeLessThanOrEqual(9000);
      expect(pod.terminationGracePeriodSeconds * 1000, service).toBeGreaterThan(sleepMs + drainMs(service));
    }
    expect(container(deployment(name, 'ingest-gateway')).lifecycle.preStop.exec.command[0]).toBe('node');
  });

  it.each(good)('%s: spreads each service over zones and nodes, and a PodDisruptionBudget guards it', (name) => {
    for (const service of services) {
      const d = deployment(name, service);
      const labels = d.spec.template.metadata.labels;
      const spread = d.spec.template.spec.topologySpreadConstraints;
      expect(spread.map((t: { topologyKey: string }) => t.topologyKey)).toEqual(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']);
      for (const t of spread) expect(matches(t.labelSelector.matchLabels, labels)).toBe(true);
      const pdb = ofKind(objects[name]!, 'PodDisruptionBudget').find((p) => matches(p.spec.selector.matchLabels, labels));
      if (name === 'demo') expect(pdb, 'demo.yaml turns PDBs off').toBeUndefined();
      else expect(pdb?.spec.maxUnavailable ?? pdb?.spec.minAvailable, service).toBeDefined();
    }
  });

  it('names images <registry>/sms-survey/<service>:<tag>, with the chart\'s appVersion by default', () => {
    const appVersion = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')).appVersion;
    for (const service of services) {
      expect(container(deployment('default', service)).image).toBe(`sms-survey/${service}:${appVersion}`);
      expect(container(deployment('production', service)).image).toBe(`registry.example.com/contact-center/sms-survey/${service}:0.1.0`);
      expect(deployment('production', service).spec.template.spec.imagePullSecrets).toEqual([{ name: 'registry-credentials' }]);
    }
    expect(container(find(objects.production!, 'Job', fullName('migrate'))).image).toBe('registry.example.com/contact-center/sms-survey/migrate:0.1.0');
  });
});

describe('configuration and secrets', () => {
  it.each(good)('%s: no ConfigMap holds a secret, and secrets come from the existing Secret by their configured keys', (name) => {
    const list = objects[name]!;
    for (const cm of ofKind(list, 'ConfigMap')) {
      for (const [key, value] of Object.entries<string>(cm.data ?? {})) {
        expect(key, `${cm.metadata.name}: ${key}`).not.toMatch(secretLike);
        expect(value, `${cm.metadata.name}: ${key} carries credentials`).not.toMatch(/:\/\/[^/\s]*:[^/\s]*@|AC[0-9a-f]{32}/i);
      }
    }
    const secretName = name === 'production' ? 'sms-survey-prod' : name === 'demo' ? 'sms-survey-demo' : 'sms-survey';
    for (const workload of podTemplates(list)) {
      for (const e of container(workload).env ?? []) {
        if (secretLike.test(e.name)) {
          expect(e.value, `${workload.metadata.name} ${e.name} is a literal`).toBeUndefined();
          expect(e.valueFrom?.secretKeyRef, `${workload.metadata.name} ${e.name}`).toMatchObject({ name: secretName });
        }
      }
    }
  });

  it('gives each service exactly the secrets it reads, and none of Twilio\'s while the simulator stands in', () => {
    const secretEnv = (_render: string, workload: K8sObject) =>
      (container(workload).env ?? []).filter((e: { valueFrom?: unknown }) => e.valueFrom).map((e: { name: string }) => e.name).sort();
    const twilio = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN'];
    expect(secretEnv('default', deployment('default', 'ingest-gateway'))).toEqual(['API_KEYS', 'DATABASE_URL', ...twilio, 'TWILIO_AUTH_TOKEN_SECONDARY'].sort());
    expect(secretEnv('default', deployment('default', 'survey-orchestrator'))).toEqual(['DATABASE_URL']);
    expect(secretEnv('default', deployment('default', 'sms-dispatcher'))).toEqual(['DATABASE_URL', ...twilio]);
    expect(secretEnv('default', deployment('default', 'insights-sync'))).toEqual(['DATABASE_URL', ...twilio]);
    expect(secretEnv('default', find(objects.default!, 'Job', fullName('migrate')))).toEqual(['DATABASE_URL']);
    const secondary = container(deployment('default', 'ingest-gateway')).env.find((e: { name: string }) => e.name === 'TWILIO_AUTH_TOKEN_SECONDARY');
    expect(secondary.valueFrom.secretKeyRef.optional).toBe(true);
    for (const service of services) expect(secretEnv('demo', deployment('demo', service))).toEqual(service === 'ingest-gateway' ? ['API_KEYS', 'DATABASE_URL'] : ['DATABASE_URL']);
  });

  it.each(good)('%s: each service accepts the environment its pods get (its own config parser)', (name) => {
    const brokers = (name === 'default' ? chartValues : parse(readFileSync(valuesFile(`${name}.yaml`), 'utf8'))).kafka.brokers;
    const simulated = name === 'demo';
    const gateway = loadGatewayConfig(podEnv(name, deployment(name, 'ingest-gateway')));
    expect(gateway).toMatchObject({ HOST: '0.0.0.0', PORT: container(deployment(name, 'ingest-gateway')).ports[0].containerPort, KAFKA_BROKERS: brokers });
    expect(gateway.twilio.simulated).toBe(simulated);
    const orchestrator = loadOrchestratorConfig(podEnv(name, deployment(name, 'survey-orchestrator')));
    expect(orchestrator.flexSurveyPolicies).toHaveLength(name === 'production' ? 1 : 0);
    const dispatcher = loadDispatcherConfig(podEnv(name, deployment(name, 'sms-dispatcher')));
    expect(dispatcher.STATUS_CALLBACK_BASE_URL).toBe(gateway.PUBLIC_BASE_URL);
    expect(dispatcher.twilio.simulated).toBe(simulated);
    const insights = loadInsightsSyncConfig(podEnv(name, deployment(name, 'insights-sync')));
    expect(insights.twilio).toMatchObject({ simulated, accountSid: simulated ? expect.any(String) : secretValues.TWILIO_ACCOUNT_SID });
    if (simulated) {
      const simulator = loadSimulatorConfig(podEnv(name, find(objects[name]!, 'Deployment', fullName('twilio-simulator'))));
      expect(`http://${fullName('twilio-simulator')}:${simulator.port}`).toBe(insights.twilio.apiBaseUrl);
      expect(simulator.host).toBe('0.0.0.0');
    }
  });

  it('maps values to the documented variables: public URL, brokers, prefix, service config (JSON for policies)', () => {
    const gateway = configMap('production', 'ingest-gateway');
    expect(gateway).toMatchObject({ PUBLIC_BASE_URL: 'https://surveys.example.com', KAFKA_TOPIC_PREFIX: 'prod.', KAFKA_LINGER_MS: '2' });
    expect(gateway.KAFKA_BROKERS).toBe(production.kafka.brokers.join(','));
    expect(configMap('production', 'sms-dispatcher').STATUS_CALLBACK_BASE_URL).toBe('https://surveys.example.com');
    const orchestrator = configMap('production', 'survey-orchestrator');
    expect(JSON.parse(orchestrator.FLEX_SURVEY_POLICIES!)).toEqual(production.surveyOrchestrator.config.FLEX_SURVEY_POLICIES);
    expect(orchestrator.SMS_SENDER_NUMBER).toBe('+4759440000');
    // Without publicBaseUrl the gateway is its in-cluster Service, and the dispatcher's callbacks go there too.
    expect(configMap('default', 'ingest-gateway').PUBLIC_BASE_URL).toBe(`http://${fullName('ingest-gateway')}:3000`);
    expect(configMap('default', 'sms-dispatcher').STATUS_CALLBACK_BASE_URL).toBe(`http://${fullName('ingest-gateway')}:3000`);
    expect(configMap('default', 'sms-dispatcher').NODE_OPTIONS).toContain('--max-old-space-size=256');
    // Numbers and booleans as the services parse them (YAML numbers reach templates as floats).
    const renamed = parseManifests(run.renders.renamedGroups!.output);
    expect(find(renamed, 'ConfigMap', fullName('survey-orchestrator')).data).toMatchObject({ RETENTION_INTERVAL_MS: '86400000', OUTBOX_RETENTION_HOURS: '1.5' });
    expect(find(renamed, 'ConfigMap', fullName('insights-sync')).data.SURVEY_TASK_FOR_NO_RESPONSE).toBe('true');
  });

  it('points the services at the Twilio simulator in demo.yaml, which signs its webhooks for PUBLIC_BASE_URL', () => {
    const simulator = find(objects.demo!, 'Deployment', fullName('twilio-simulator'));
    const simulatorUrl = `http://${fullName('twilio-simulator')}:4010`;
    find(objects.demo!, 'Service', fullName('twilio-simulator'));
    for (const service of ['ingest-gateway', 'sms-dispatcher', 'insights-sync'] as const) {
      expect(configMap('demo', service).TWILIO_API_BASE_URL, service).toBe(simulatorUrl);
    }
    expect(configMap('demo', 'survey-orchestrator').TWILIO_API_BASE_URL).toBeUndefined();
    expect(plainEnv(simulator).SIMULATOR_INBOUND_WEBHOOK_URL).toBe(`${configMap('demo', 'ingest-gateway').PUBLIC_BASE_URL}/twilio/messaging/inbound`);
    expect(ofKind(objects.default!, 'Deployment').map((d) => d.metadata.name)).not.toContain(fullName('twilio-simulator'));
    expect(configMap('default', 'ingest-gateway').TWILIO_API_BASE_URL).toBeUndefined();
  });
});

describe('the migration hook', () => {
  it.each(good)('%s: runs the migrate image before install and upgrade, with its environment given directly', (name) => {
    const job = find(objects[name]!, 'Job', fullName('migrate'));
    expect(job.metadata.annotations).toMatchObject({
      'helm.sh/hook': 'pre-install,pre-upgrade',
      'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
    });
    const c = container(job);
    expect(job.spec.template.spec.restartPolicy).toBe('Never');
    // A hook runs before the release's ConfigMaps exist: nothing may come from them.
    expect(c.envFrom).toBeUndefined();
    for (const e of c.env) expect(e.valueFrom?.configMapKeyRef, e.name).toBeUndefined();
    expect(c.image).toMatch(/(^|\/)sms-survey\/migrate:/);
  });

  it('creates the topics with the partitions, prefix and replication the values give', () => {
    const env = plainEnv(find(objects.production!, 'Job', fullName('migrate')));
    expect(env.KAFKA_BROKERS).toBe(production.kafka.brokers.join(','));
    expect(env.KAFKA_TOPIC_PREFIX).toBe('prod.');
    expect(env.KAFKA_REPLICATION_FACTOR).toBe('3');
    const partitions = Object.fromEntries(env.KAFKA_TOPIC_PARTITIONS!.split(',').map((pair) => [pair.split('=')[0], Number(pair.split('=')[1])]));
    expect(partitions).toEqual(production.kafka.partitions);
  });

  it('lets values replace its command and arguments', () => {
    const job = find(parseManifests(run.renders.migrateCommand!.output), 'Job', fullName('migrate'));
    expect(container(job)).toMatchObject({ command: ['node'], args: ['dist/migrate.js', '--only-database'] });
    expect(container(find(objects.default!, 'Job', fullName('migrate'))).command).toBeUndefined();
  });
});

describe('autoscaling', () => {
  it.each(consumers)('%s: a KEDA ScaledObject on its consumer groups\' lag, one trigger per consumed topic, prefixed', (service) => {
    const so = find(objects.production!, 'ScaledObject', fullName(service));
    expect(so.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: fullName(service) });
    const expected = expectedGroups(service).flatMap(({ group, topics }) => topics.map((topic) => ({ group: `prod.${group}`, topic: `prod.${topic}` })));
    const triggers = so.spec.triggers.map((t: { type: string; metadata: Record<string, string> }) => {
      expect(t.type).toBe('kafka');
      expect(t.metadata.bootstrapServers).toBe(production.kafka.brokers.join(','));
      expect(t.metadata.lagThreshold).toBe(String(production[valuesKey[service]].autoscaling.lagThreshold));
      expect(t.metadata.offsetResetPolicy, 'the consumers subscribe fromBeginning').toBe('earliest');
      return { group: t.metadata.consumerGroup, topic: t.metadata.topic };
    });
    expect(triggers).toEqual(expected);
    expect(new Set(triggers.map((t: { topic: string }) => t.topic))).toEqual(new Set(consumedTopics(service).map((t) => `prod.${t}`)));
    const partitions = Math.max(...expectedGroups(service).flatMap((g) => g.topics).map((t) => production.kafka.partitions[t]));
    expect(so.spec.maxReplicaCount).toBeLessThanOrEqual(partitions);
    expect(so.spec.minReplicaCount).toBeGreaterThanOrEqual(service === 'survey-orchestrator' ? 1 : 0);
    expect(deployment('production', service).spec.replicas, 'KEDA owns the replica count').toBeUndefined();
  });

  it('follows renamed consumer groups and the topic prefix', () => {
    const renamed = parseManifests(run.renders.renamedGroups!.output);
    const groups = (service: string) => [...new Set(find(renamed, 'ScaledObject', fullName(service)).spec.triggers.map((t: { metadata: { consumerGroup: string } }) => t.metadata.consumerGroup))];
    expect(groups('survey-orchestrator')).toEqual(['stage.orchestrator-b']);
    expect(groups('insights-sync')).toEqual(['stage.insights-sync', 'stage.follow-ups-b']);
  });

  it('scales the gateway on CPU with an HPA; without autoscaling every Deployment has its fixed replicas', () => {
    const hpa = find(objects.production!, 'HorizontalPodAutoscaler', fullName('ingest-gateway'));
    expect(hpa.spec).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: fullName('ingest-gateway') },
      minReplicas: 3,
      maxReplicas: 12,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 65 } } }],
    });
    expect(deployment('production', 'ingest-gateway').spec.replicas).toBeUndefined();
    for (const name of ['default', 'minimal', 'demo']) {
      expect(ofKind(objects[name]!, 'ScaledObject')).toEqual([]);
      expect(ofKind(objects[name]!, 'HorizontalPodAutoscaler')).toEqual([]);
      for (const service of services) expect(deployment(name, service).spec.replicas, `${name} ${service}`).toBeGreaterThanOrEqual(1);
    }
    expect(deployment('minimal', 'ingest-gateway').spec.replicas).toBe(1);
  });
});

describe('exposure and metrics', () => {
  it('routes only the public paths through the Ingress, for the host of the public URL', () => {
    const ingress = find(objects.production!, 'Ingress', fullName('ingest-gateway'));
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual(production.ingress.tls);
    expect(ingress.spec.rules).toHaveLength(1);
    expect(ingress.spec.rules[0].host).toBe('surveys.example.com');
    expect(ingress.spec.rules[0].http.paths).toEqual(
      ['/twilio', '/v1'].map((path) => ({ path, pathType: 'Prefix', backend: { service: { name: fullName('ingest-gateway'), port: { name: 'http' } } } })),
    );
    for (const name of ['default', 'minimal', 'demo']) expect(ofKind(objects[name]!, 'Ingress')).toEqual([]);
  });

  it('has a ServiceMonitor per service that selects exactly its Service and scrapes /metrics on a port it has', () => {
    const list = objects.production!;
    const monitors = ofKind(list, 'ServiceMonitor');
    expect(monitors.map((m) => m.metadata.name).sort()).toEqual(services.map(fullName).sort());
    for (const monitor of monitors) {
      expect(monitor.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack' });
      const selected = ofKind(list, 'Service').filter((s) => matches(monitor.spec.selector.matchLabels, s.metadata.labels));
      expect(selected.map((s) => s.metadata.name)).toEqual([monitor.metadata.name]);
      for (const endpoint of monitor.spec.endpoints) {
        expect(endpoint.path).toBe('/metrics');
        expect(selected[0]!.spec.ports.map((p: { name: string }) => p.name)).toContain(endpoint.port);
      }
    }
    expect(ofKind(objects.default!, 'ServiceMonitor')).toEqual([]);
  });
});

describe('NOTES.txt', () => {
  it('tells the operator which Twilio webhook URLs to configure, from the public URL, and when to provision Flex', () => {
    const notes = run.renders.production!.notes;
    for (const path of ['/twilio/messaging/inbound', '/twilio/messaging/status', '/twilio/taskrouter/events']) {
      expect(notes).toContain(`https://surveys.example.com${path}`);
    }
    expect(notes).toContain('npm run provision-flex');
    expect(notes).not.toContain('WARNING');
  });

  it('warns when no public URL is set, and says the simulator needs none of it in demo', () => {
    expect(run.renders.default!.notes).toContain('WARNING: publicBaseUrl is not set');
    expect(run.renders.demo!.notes).toContain('Twilio simulator replaces Twilio');
    expect(run.renders.demo!.notes).not.toContain('provision-flex');
  });

  it('names routes the gateway has', () => {
    const routes = ['apps/ingest-gateway/src/routes/twilio-webhooks.ts', 'apps/ingest-gateway/src/routes/taskrouter-events.ts'].map(source).join('\n');
    for (const path of run.renders.production!.notes.matchAll(/https:\/\/surveys\.example\.com(\/twilio\/[a-z/-]+)/g)) {
      expect(routes, path[1]).toContain(`'${path[1]}'`);
    }
  });
});

describe('bad values fail at install time, naming the problem', () => {
  const fails = (name: string, ...messages: (string | RegExp)[]) => {
    const rendering = run.renders[name]!;
    expect(rendering.ok, `${name} rendered`).toBe(false);
    for (const m of messages) expect(rendering.output).toMatch(m);
    expect(rendering.notes, 'install fails the same way').toMatch(messages[0]!);
  };

  it('a replica count that is not a number (values.schema.json)', () => {
    fails('replicasNotANumber', /surveyOrchestrator\.replicaCount: Invalid type\. Expected: integer, given: string/);
  });

  it('a misspelt key', () => {
    fails('misspeltKey', /ingestGateway: Additional property replicas is not allowed/);
  });

  it('a secret put into a service\'s config (it would land in a ConfigMap)', () => {
    fails(
      'secretsInConfig',
      /ingestGateway\.config: Additional property API_KEYS is not allowed/,
      /surveyOrchestrator\.config: Additional property DATABASE_URL is not allowed/,
      /smsDispatcher\.config: Additional property TWILIO_AUTH_TOKEN is not allowed/,
    );
  });

  it('a config value out of the service\'s own range', () => {
    fails('badConfigValue', /ingestGateway\.config\.KAFKA_LINGER_MS: Must be less than or equal to 50/);
  });

  it('autoscaling above the partitions of the consumed topics', () => {
    fails('autoscaledAbovePartitions', 'smsDispatcher.autoscaling.maxReplicas (13) is above the partitions of the topics sms-dispatcher consumes (12 at most, kafka.partitions)');
  });

  it('fixed replicas above the partitions', () => {
    fails('fixedAbovePartitions', 'insightsSync.replicaCount (7) is above the partitions of the topics insights-sync consumes (6 at most, kafka.partitions)');
  });

  it('two services in one consumer group', () => {
    fails('sharedGroup', /sms-dispatcher and survey-orchestrator both use the consumer group survey-orchestrator|survey-orchestrator and sms-dispatcher both use the consumer group survey-orchestrator/);
  });

  it('a grace period the drain does not fit in', () => {
    fails('graceBelowDrain', 'ingestGateway.terminationGracePeriodSeconds (14) must be above preStopSleepSeconds (5) + the 9 s ingest-gateway takes at most to drain on SIGTERM');
  });
});

describe('observability (docs/observability.md)', () => {
  let rendered: K8sObject[] | undefined;
  const observability = () => {
    if (!rendered) {
      const rendering = run.renders.observability!;
      if (!rendering.ok) throw new Error(`observability did not render:\n${rendering.output}`);
      rendered = parseManifests(rendering.output);
      objects.observability = rendered;
    }
    return rendered;
  };

  it('renders objects that match their schemas', () => {
    for (const object of observability()) validateObject(object);
    expect(run.lint.failed).toBe(false);
  });

  it('ships deploy/observability\'s alert rules and dashboard: the chart\'s copies in files/ are the same files', () => {
    for (const file of ['prometheus-rules.yaml', 'grafana-dashboard.json']) {
      expect(readFileSync(join(chartDir, 'files', file), 'utf8'), `deploy/helm/sms-survey/files/${file} = deploy/observability/${file} (copy it over)`).toBe(
        source(`deploy/observability/${file}`),
      );
    }
  });

  it('renders the rules as a PrometheusRule with the labels Prometheus selects by, when enabled', () => {
    const [rule, ...more] = ofKind(observability(), 'PrometheusRule');
    expect(more).toEqual([]);
    expect(rule!.metadata.labels).toMatchObject({ release: 'kube-prometheus-stack', 'app.kubernetes.io/part-of': 'sms-survey' });
    const file = parse(source('deploy/observability/prometheus-rules.yaml'));
    expect(rule!.spec.groups).toEqual(file.groups);
    // Prometheus's own templates in the annotations reach the rule as they are (Helm did not expand them).
    expect(JSON.stringify(rule!.spec.groups)).toContain('{{ $labels.group }}');
    for (const name of good) expect(ofKind(objects[name]!, 'PrometheusRule'), name).toEqual([]);
  });

  it('renders the dashboard into a ConfigMap for Grafana\'s sidecar, when enabled', () => {
    const dashboard = find(observability(), 'ConfigMap', fullName('dashboard'));
    expect(dashboard.metadata.labels).toMatchObject({ grafana_dashboard: '1' });
    expect(dashboard.metadata.annotations).toEqual({ grafana_folder: 'SMS surveys' });
    expect(JSON.parse(dashboard.data['sms-survey.json'])).toEqual(JSON.parse(source('deploy/observability/grafana-dashboard.json')));
    for (const name of good) expect(ofKind(objects[name]!, 'ConfigMap').map((c) => c.metadata.name), name).not.toContain(fullName('dashboard'));
  });

  it('points every service at the OTLP collector, and a service\'s own OTEL_* config wins and parses', () => {
    observability();
    for (const service of services) expect(configMap('observability', service).OTEL_EXPORTER_OTLP_ENDPOINT, service).toBe('http://otel-collector.observability:4318');
    expect(configMap('observability', 'sms-dispatcher')).toMatchObject({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.25', OTEL_SDK_DISABLED: 'false' });
    expect(loadDispatcherConfig(podEnv('observability', deployment('observability', 'sms-dispatcher')))).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector.observability:4318',
      OTEL_TRACES_SAMPLER_ARG: 0.25,
      OTEL_SDK_DISABLED: false,
    });
    for (const service of services) expect(configMap('default', service).OTEL_EXPORTER_OTLP_ENDPOINT, `${service}: tracing off by default`).toBeUndefined();
  });

  it('refuses an OTLP endpoint that is not a URL', () => {
    const rendering = run.renders.badOtlpEndpoint!;
    expect(rendering.ok).toBe(false);
    expect(rendering.output).toMatch(/observability\.otlpEndpoint/);
  });
});
