{{/* Names and labels shared by every template. */}}

{{- define "carewatch.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "carewatch.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "carewatch.selectorLabels" -}}
app.kubernetes.io/name: {{ include "carewatch.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "carewatch.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "carewatch.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "carewatch.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "carewatch.secretName" -}}
{{- default (include "carewatch.fullname" .) .Values.secret.existingSecret -}}
{{- end -}}

{{/* Secret keys the scale-out values need besides secret.keys, comma-separated (empty when off). */}}
{{- define "carewatch.dataStoreSecretKeys" -}}
{{- $keys := list -}}
{{- if eq .Values.database.pooler "pgbouncer" -}}
{{- $keys = append $keys "DATABASE_DIRECT_URL" -}}
{{- end -}}
{{- if .Values.database.readReplicas.enabled -}}
{{- $keys = append $keys "DATABASE_REPLICA_URLS" -}}
{{- end -}}
{{- join "," $keys -}}
{{- end -}}

{{/* Every key read from the Secret: secret.keys and what the scale-out values need, each once. */}}
{{- define "carewatch.secretKeys" -}}
{{- concat .Values.secret.keys (compact (splitList "," (include "carewatch.dataStoreSecretKeys" .))) | uniq | join "," -}}
{{- end -}}

{{/* The environment of the service and of the migrations job: plain config, scale-out, then the secret keys. */}}
{{- define "carewatch.env" -}}
- name: PORT
  value: {{ .Values.containerPort | quote }}
{{- range $name, $value := .Values.config }}
- name: {{ $name }}
  value: {{ $value | quote }}
{{- end }}
- name: DATABASE_POOLER
  value: {{ .Values.database.pooler | quote }}
{{- if .Values.database.readReplicas.enabled }}
- name: REPLICA_STICKY_MS
  value: {{ .Values.database.readReplicas.stickyMs | quote }}
- name: REPLICA_MAX_LAG_MS
  value: {{ .Values.database.readReplicas.maxLagMs | quote }}
{{- end }}
{{- if .Values.redis.sentinel.hosts }}
- name: REDIS_SENTINELS
  value: {{ join "," .Values.redis.sentinel.hosts | quote }}
- name: REDIS_SENTINEL_NAME
  value: {{ .Values.redis.sentinel.name | quote }}
{{- end }}
{{- range compact (splitList "," (include "carewatch.secretKeys" .)) }}
- name: {{ . }}
  valueFrom:
    secretKeyRef:
      name: {{ include "carewatch.secretName" $ }}
      key: {{ . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by the service pods and the migrations job. */}}
{{- define "carewatch.podSpecCommon" -}}
automountServiceAccountToken: false
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}
