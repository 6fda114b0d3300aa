// Validates rendered objects against the Kubernetes API schemas (kubernetes-models) and KEDA's CRDs
// (@kubernetes-models/keda). ServiceMonitor and PrometheusRule (Prometheus Operator) have no model package here:
// their shape is checked by hand, for the fields the chart sets.
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Service } from 'kubernetes-models/v1/Service';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject';
import type { K8sObject } from './helm.js';

type Validator = (object: K8sObject) => void;
const model =
  (Model: new (data: never) => { validate(): void }): Validator =>
  (object) =>
    new Model(object as never).validate();

const validators: Record<string, Validator> = {
  'v1/ConfigMap': model(ConfigMap),
  'v1/Service': model(Service),
  'apps/v1/Deployment': model(Deployment),
  'batch/v1/Job': model(Job),
  'autoscaling/v2/HorizontalPodAutoscaler': model(HorizontalPodAutoscaler),
  'policy/v1/PodDisruptionBudget': model(PodDisruptionBudget),
  'networking.k8s.io/v1/Ingress': model(Ingress),
  'keda.sh/v1alpha1/ScaledObject': model(ScaledObject),
  'monitoring.coreos.com/v1/ServiceMonitor': validateServiceMonitor,
  'monitoring.coreos.com/v1/PrometheusRule': validatePrometheusRule,
};

/** Throws, naming the object, when it breaks its schema or its kind has none here. */
export function validateObject(object: K8sObject): void {
  const where = `${object.kind} ${object.metadata?.name}`;
  const validate = validators[`${object.apiVersion}/${object.kind}`];
  if (!validate) throw new Error(`${where}: no schema for ${object.apiVersion} ${object.kind}`);
  const name = object.metadata?.name ?? '';
  // Names the chart generates are DNS-1035 labels, so Services may use them too.
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) throw new Error(`${where}: name is not a DNS-1035 label of at most 63 characters`);
  try {
    validate(object);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`);
  }
}

function validateServiceMonitor(object: K8sObject): void {
  const spec = object.spec;
  const problems: string[] = [];
  if (typeof spec?.selector?.matchLabels !== 'object') problems.push('spec.selector.matchLabels must be an object');
  if (!Array.isArray(spec?.endpoints) || spec.endpoints.length === 0) problems.push('spec.endpoints must be a non-empty array');
  for (const [i, e] of (spec?.endpoints ?? []).entries()) {
    if (typeof e.port !== 'string' || !e.port) problems.push(`spec.endpoints[${i}].port must be a port name`);
    if (typeof e.path !== 'string' || !e.path.startsWith('/')) problems.push(`spec.endpoints[${i}].path must be a path`);
    for (const key of ['interval', 'scrapeTimeout']) {
      if (e[key] !== undefined && !/^[0-9]+(ms|s|m|h)$/.test(e[key])) problems.push(`spec.endpoints[${i}].${key} must be a duration`);
    }
    const known = new Set(['port', 'path', 'interval', 'scrapeTimeout', 'scheme', 'honorLabels', 'relabelings', 'metricRelabelings', 'tlsConfig']);
    for (const key of Object.keys(e)) if (!known.has(key)) problems.push(`spec.endpoints[${i}].${key} is not an endpoint field`);
  }
  for (const key of Object.keys(spec ?? {})) {
    if (!['selector', 'endpoints', 'namespaceSelector', 'jobLabel', 'targetLabels', 'podTargetLabels'].includes(key)) problems.push(`spec.${key} is not a ServiceMonitor field`);
  }
  if (problems.length) throw new Error(problems.join('; '));
}

/** The PrometheusRule CRD's shape (monitoring.coreos.com/v1): spec.groups of named groups of alerting or recording rules. */
function validatePrometheusRule(object: K8sObject): void {
  const problems: string[] = [];
  const groups = object.spec?.groups;
  if (!Array.isArray(groups) || groups.length === 0) problems.push('spec.groups must be a non-empty array');
  for (const key of Object.keys(object.spec ?? {})) if (key !== 'groups') problems.push(`spec.${key} is not a PrometheusRule field`);
  const names = new Set<string>();
  for (const [g, group] of (Array.isArray(groups) ? groups : []).entries()) {
    if (typeof group.name !== 'string' || !group.name) problems.push(`spec.groups[${g}].name must be a string`);
    if (names.has(group.name)) problems.push(`spec.groups[${g}].name ${group.name} is not unique`);
    names.add(group.name);
    for (const key of Object.keys(group)) if (!['name', 'interval', 'rules', 'partial_response_strategy', 'limit'].includes(key)) problems.push(`spec.groups[${g}].${key} is not a rule group field`);
    if (!Array.isArray(group.rules) || group.rules.length === 0) problems.push(`spec.groups[${g}].rules must be a non-empty array`);
    for (const [r, rule] of (group.rules ?? []).entries()) {
      const where = `spec.groups[${g}].rules[${r}]`;
      if ((typeof rule.alert === 'string') === (typeof rule.record === 'string')) problems.push(`${where} needs exactly one of alert and record`);
      if (typeof rule.expr !== 'string' || !rule.expr.trim()) problems.push(`${where}.expr must be a non-empty string`);
      if (rule.for !== undefined && !/^[0-9]+(ms|s|m|h|d|w|y)$/.test(rule.for)) problems.push(`${where}.for must be a duration`);
      for (const key of ['labels', 'annotations']) {
        const map = rule[key];
        if (map !== undefined && (typeof map !== 'object' || Object.values(map).some((v) => typeof v !== 'string'))) problems.push(`${where}.${key} must map names to strings`);
      }
      for (const key of Object.keys(rule)) if (!['alert', 'record', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'].includes(key)) problems.push(`${where}.${key} is not a rule field`);
    }
  }
  if (problems.length) throw new Error(problems.join('; '));
}
