{{/*
The four services: their values key, and what each reads from the Secret besides DATABASE_URL.
*/}}
{{- define "sms-survey.services" -}}
ingest-gateway: { key: ingestGateway, twilio: true, apiKeys: true }
survey-orchestrator: { key: surveyOrchestrator, twilio: false, apiKeys: false }
sms-dispatcher: { key: smsDispatcher, twilio: true, apiKeys: false }
insights-sync: { key: insightsSync, twilio: true, apiKeys: false }
{{- end }}

{{/*
What each consumer service consumes, per consumer group: the variable that names the group, its default in
apps/<service>/src/config.ts, and the topics (libs/contracts/src/topics.ts). The group's real id is
KAFKA_TOPIC_PREFIX + the group (libs/kafka/src/consumer.ts), each topic's name KAFKA_TOPIC_PREFIX + the topic.
*/}}
{{- define "sms-survey.consumerGroups" -}}
survey-orchestrator:
  - { env: KAFKA_GROUP_ID, default: survey-orchestrator, topics: [survey.commands.v1, sms.inbound.v1, sms.status.v1, sms.send-result.v1, flex.task-events.v1] }
sms-dispatcher:
  - { env: KAFKA_GROUP_ID, default: sms-dispatcher, topics: [sms.send.v1] }
insights-sync:
  - { env: KAFKA_GROUP_ID, default: insights-sync, topics: [survey.sessions.v1] }
  - { env: KAFKA_FOLLOW_UP_GROUP_ID, default: insights-sync-follow-up, topics: [survey.answers.v1] }
{{- end }}

{{- define "sms-survey.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's base name: the release name, or release-chart when the release name lacks the chart's. */}}
{{- define "sms-survey.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}

{{/* A component's object name. (dict "root" $ "name" "ingest-gateway") */}}
{{- define "sms-survey.componentName" -}}
{{- printf "%s-%s" (include "sms-survey.fullname" .root) .name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "sms-survey.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sms-survey.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .name }}
{{- end }}

{{- define "sms-survey.labels" -}}
{{ include "sms-survey.selectorLabels" . }}
app.kubernetes.io/part-of: sms-survey
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* <registry>/<repository>:<tag>. (dict "root" $ "name" "sms-dispatcher" "image" $svc.image) */}}
{{- define "sms-survey.image" -}}
{{- $img := .image | default dict }}
{{- $registry := $img.registry | default .root.Values.image.registry }}
{{- $repository := $img.repository | default (printf "sms-survey/%s" .name) }}
{{- $tag := $img.tag | default .root.Values.image.tag | default .root.Chart.AppVersion }}
{{- if $registry }}{{ trimSuffix "/" $registry }}/{{ end }}{{ $repository }}:{{ $tag }}
{{- end }}

{{- define "sms-survey.pullPolicy" -}}
{{- (.image | default dict).pullPolicy | default .root.Values.image.pullPolicy }}
{{- end }}

{{/* Pod-level settings every pod shares. */}}
{{- define "sms-survey.podCommon" -}}
automountServiceAccountToken: false
{{- with .Values.serviceAccountName }}
serviceAccountName: {{ . }}
{{- end }}
{{- with .Values.image.pullSecrets }}
imagePullSecrets:
  {{- range . }}
  - name: {{ . }}
  {{- end }}
{{- end }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- end }}

{{- define "sms-survey.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpVolume.sizeLimit }}
{{- end }}

{{/* The gateway's URL as Twilio calls it: publicBaseUrl, else its in-cluster Service URL. */}}
{{- define "sms-survey.gatewayUrl" -}}
{{- if .Values.publicBaseUrl }}
{{- trimSuffix "/" .Values.publicBaseUrl }}
{{- else }}
{{- printf "http://%s:%d" (include "sms-survey.componentName" (dict "root" . "name" "ingest-gateway")) (int .Values.ingestGateway.port) }}
{{- end }}
{{- end }}

{{- define "sms-survey.simulatorUrl" -}}
{{- printf "http://%s:%d" (include "sms-survey.componentName" (dict "root" . "name" "twilio-simulator")) (int .Values.twilioSimulator.port) }}
{{- end }}

{{/* An env entry from secrets.existingSecret. (dict "root" $ "env" "API_KEYS" "key" "apiKeys" "optional" false) */}}
{{- define "sms-survey.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .root.Values.secrets.existingSecret }}
      key: {{ index .root.Values.secrets.keys .key }}
      {{- if .optional }}
      optional: true
      {{- end }}
{{- end }}

{{/*
A service's ConfigMap data, as YAML: the chart-managed variables, then its `config` (maps and lists as JSON,
e.g. FLEX_SURVEY_POLICIES). (dict "root" $ "name" "sms-dispatcher")
*/}}
{{- define "sms-survey.configData" -}}
{{- $root := .root }}
{{- $info := index (include "sms-survey.services" $root | fromYaml) .name }}
{{- $svc := index $root.Values $info.key }}
{{- $data := dict
  "HOST" "0.0.0.0"
  "PORT" (toString (int $svc.port))
  "LOG_LEVEL" $root.Values.logLevel
  "KAFKA_BROKERS" (join "," $root.Values.kafka.brokers)
  "KAFKA_TOPIC_PREFIX" $root.Values.kafka.topicPrefix }}
{{- if eq .name "ingest-gateway" }}
{{- $_ := set $data "PUBLIC_BASE_URL" (include "sms-survey.gatewayUrl" $root) }}
{{- end }}
{{- if eq .name "sms-dispatcher" }}
{{- $_ := set $data "STATUS_CALLBACK_BASE_URL" (include "sms-survey.gatewayUrl" $root) }}
{{- end }}
{{- if and $info.twilio $root.Values.twilioSimulator.enabled }}
{{- $_ := set $data "TWILIO_API_BASE_URL" (include "sms-survey.simulatorUrl" $root) }}
{{- end }}
{{- with $root.Values.observability.otlpEndpoint }}
{{- $_ := set $data "OTEL_EXPORTER_OTLP_ENDPOINT" . }}
{{- end }}
{{- range $k, $v := $svc.config }}
{{- if or (kindIs "map" $v) (kindIs "slice" $v) }}
{{- $_ := set $data $k (toJson $v) }}
{{- else if and (kindIs "float64" $v) (eq $v (float64 (int64 $v))) }}
{{- $_ := set $data $k (toString (int64 $v)) }}
{{- else }}
{{- $_ := set $data $k (toString $v) }}
{{- end }}
{{- end }}
{{- toYaml $data }}
{{- end }}

{{/*
The consumer groups of a service with their effective ids and topics, prefixed:
[{ group: <prefix><group>, topics: [<prefix><topic>…], partitions: <largest partition count> }]
(dict "root" $ "name" "insights-sync")
*/}}
{{- define "sms-survey.groupsOf" -}}
{{- $root := .root }}
{{- $info := index (include "sms-survey.services" $root | fromYaml) .name }}
{{- $svc := index $root.Values $info.key }}
{{- $prefix := $root.Values.kafka.topicPrefix }}
{{- $out := list }}
{{- range (index (include "sms-survey.consumerGroups" $root | fromYaml) .name) }}
{{- $topics := list }}
{{- $max := 0 }}
{{- range .topics }}
{{- $topics = append $topics (printf "%s%s" $prefix .) }}
{{- $p := int (index $root.Values.kafka.partitions .) }}
{{- if gt $p $max }}{{ $max = $p }}{{ end }}
{{- end }}
{{- $group := (index $svc.config .env) | default .default }}
{{- $out = append $out (dict "group" (printf "%s%s" $prefix $group) "topics" $topics "partitions" $max) }}
{{- end }}
{{- toYaml (dict "groups" $out) }}
{{- end }}

{{/* The largest partition count among the topics a service consumes. (dict "root" $ "name" …) */}}
{{- define "sms-survey.maxPartitions" -}}
{{- $max := 0 }}
{{- range (include "sms-survey.groupsOf" . | fromYaml).groups }}
{{- if gt (int .partitions) $max }}{{ $max = int .partitions }}{{ end }}
{{- end }}
{{- $max }}
{{- end }}

{{/* "true" when a ScaledObject (consumers) or an HPA (gateway) owns the service's replica count. */}}
{{- define "sms-survey.autoscaled" -}}
{{- $svc := index .root.Values (index (include "sms-survey.services" .root | fromYaml) .name).key }}
{{- if $svc.autoscaling.enabled }}true{{ end }}
{{- end }}

{{/*
Checks the schema cannot express; a failure stops rendering with the values key named.
*/}}
{{- define "sms-survey.validate" -}}
{{- $root := . }}
{{- range $name, $info := (include "sms-survey.services" $root | fromYaml) }}
{{- $svc := index $root.Values $info.key }}
{{- $as := $svc.autoscaling }}
{{- $drain := 9 }}
{{- if le (int $svc.terminationGracePeriodSeconds) (add (int $svc.preStopSleepSeconds) $drain) }}
{{- fail (printf "%s.terminationGracePeriodSeconds (%d) must be above preStopSleepSeconds (%d) + the %d s %s takes at most to drain on SIGTERM" $info.key (int $svc.terminationGracePeriodSeconds) (int $svc.preStopSleepSeconds) $drain $name) }}
{{- end }}
{{- if and $as.enabled (gt (int $as.minReplicas) (int $as.maxReplicas)) }}
{{- fail (printf "%s.autoscaling.minReplicas (%d) is above maxReplicas (%d)" $info.key (int $as.minReplicas) (int $as.maxReplicas)) }}
{{- end }}
{{- if ne $name "ingest-gateway" }}
{{- $partitions := int (include "sms-survey.maxPartitions" (dict "root" $root "name" $name)) }}
{{- if and $as.enabled (gt (int $as.maxReplicas) $partitions) }}
{{- fail (printf "%s.autoscaling.maxReplicas (%d) is above the partitions of the topics %s consumes (%d at most, kafka.partitions): the extra replicas would get no partition" $info.key (int $as.maxReplicas) $name $partitions) }}
{{- end }}
{{- if and (not $as.enabled) (gt (int $svc.replicaCount) $partitions) }}
{{- fail (printf "%s.replicaCount (%d) is above the partitions of the topics %s consumes (%d at most, kafka.partitions): the extra replicas would get no partition" $info.key (int $svc.replicaCount) $name $partitions) }}
{{- end }}
{{- else if and $as.enabled (not ((($svc.resources | default dict).requests | default dict).cpu)) }}
{{- fail "ingestGateway.autoscaling needs ingestGateway.resources.requests.cpu: the HPA scales on CPU utilisation of the request" }}
{{- end }}
{{- end }}
{{- $groups := dict }}
{{- range $name, $_ := (include "sms-survey.consumerGroups" $root | fromYaml) }}
{{- range (include "sms-survey.groupsOf" (dict "root" $root "name" $name) | fromYaml).groups }}
{{- if hasKey $groups .group }}
{{- fail (printf "%s and %s both use the consumer group %s (config.KAFKA_GROUP_ID / KAFKA_FOLLOW_UP_GROUP_ID): they would divide each other's topics" (get $groups .group) $name .group) }}
{{- end }}
{{- $_ := set $groups .group $name }}
{{- end }}
{{- end }}
{{- if and $root.Values.ingress.enabled (not (or $root.Values.ingress.host $root.Values.publicBaseUrl)) }}
{{- fail "ingress.enabled needs ingress.host or publicBaseUrl (the host Twilio calls)" }}
{{- end }}
{{- end }}
